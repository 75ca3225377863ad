//! Emails about workshop sessions: confirmation, waitlist, promotion from the waitlist,
//! reminders a day and an hour before, and cancellation. Each checks, when it runs, that it
//! still applies (a reminder for a cancelled registration is not sent).

use crate::App;
use academy_store::jobs::Job;
use academy_store::workshops::{LocationKind, Registration, RegistrationStatus, SessionStatus};
use academy_store::{catalog, users, workshops};
use serde::{Deserialize, Serialize};

/// Which email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEmailKind {
    /// A seat is confirmed.
    Confirmed,
    /// On the waitlist.
    Waitlisted,
    /// Moved up from the waitlist to a seat.
    Promoted,
    /// The session is tomorrow.
    ReminderDay,
    /// The session starts within the hour.
    ReminderHour,
    /// The session was cancelled.
    Cancelled,
    /// The session's time or place changed.
    Changed,
}

/// Send one session email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEmail {
    /// The registration it concerns.
    pub registration_id: i64,
    /// The session.
    pub session_id: i64,
    /// The person.
    pub user_id: i64,
    /// Which email.
    pub kind: SessionEmailKind,
    /// When the registration (or its latest renewal) was made, so that a re-registration
    /// gets its own reminders.
    pub registered_at: String,
    /// For reminders and change notices: the session's start when they were scheduled. A
    /// reminder for a start that has since moved is not sent (the move scheduled new ones).
    #[serde(default)]
    pub session_starts_at: Option<String>,
}

impl SessionEmail {
    /// The email of `kind` for `registration`.
    pub fn new(registration: &Registration, kind: SessionEmailKind) -> Self {
        Self {
            registration_id: registration.id,
            session_id: registration.session_id,
            user_id: registration.user_id,
            kind,
            registered_at: registration.registered_at.to_rfc3339(),
            session_starts_at: None,
        }
    }

    /// A reminder or change notice tied to the session's current start.
    pub fn for_start(
        registration: &Registration,
        kind: SessionEmailKind,
        starts_at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self { session_starts_at: Some(starts_at.to_rfc3339()), ..Self::new(registration, kind) }
    }
}

impl Job for SessionEmail {
    const KIND: &'static str = "session_email";
    fn dedupe_key(&self) -> Option<String> {
        Some(format!(
            "session-email:{}:{:?}:{}:{}",
            self.registration_id,
            self.kind,
            self.registered_at,
            self.session_starts_at.as_deref().unwrap_or("-")
        ))
    }
}

/// Sends the email if it still applies.
pub async fn run(ctx: &App, job_id: i64, job: SessionEmail) -> anyhow::Result<()> {
    let Some(session) = workshops::session(&ctx.store, job.session_id).await? else { return Ok(()) };
    let Some(user) = users::get(&ctx.store, job.user_id).await? else { return Ok(()) };
    let Some(item) = catalog::item(&ctx.store, session.item_id).await? else { return Ok(()) };
    let registration = workshops::registration(&ctx.store, session.id, user.id).await?;
    let now = academy_core::time::now();
    let status = registration.as_ref().map_or(RegistrationStatus::Cancelled, |r| r.status);
    let scheduled = session.status == SessionStatus::Scheduled;
    let moved = job.session_starts_at.as_deref().is_some_and(|at| at != session.starts_at.to_rfc3339());
    let applies = !moved
        && match job.kind {
            SessionEmailKind::Confirmed | SessionEmailKind::Promoted => {
                status == RegistrationStatus::Registered && scheduled
            }
            SessionEmailKind::Waitlisted => status == RegistrationStatus::Waitlisted && scheduled,
            SessionEmailKind::ReminderDay | SessionEmailKind::ReminderHour => {
                status == RegistrationStatus::Registered && scheduled && session.starts_at > now
            }
            SessionEmailKind::Cancelled => session.status == SessionStatus::Cancelled,
            SessionEmailKind::Changed => status == RegistrationStatus::Registered && scheduled,
        };
    if !applies {
        tracing::info!(kind = ?job.kind, registration = job.registration_id, "session email no longer applies");
        return Ok(());
    }
    let when = super::times::session_time(&session);
    let place = match session.location_kind {
        LocationKind::Hub => format!(
            "Where: {}{}",
            session.hub_name.clone().unwrap_or_default(),
            session.hub_address.as_deref().map(|a| format!(", {a}")).unwrap_or_default()
        ),
        _ => format!(
            "Join online: {}",
            session.meeting_url.clone().unwrap_or_else(|| "the link will be sent by your facilitator".into())
        ),
    };
    let page = ctx.config.public_url.link(&format!("/workshops/sessions/{}", session.id));
    let ics = ctx.config.public_url.link(&format!("/workshops/sessions/{}/calendar.ics", session.id));
    let (subject, opening) = match job.kind {
        SessionEmailKind::Confirmed => (format!("You're registered: {}", item.title), "Your seat is confirmed."),
        SessionEmailKind::Waitlisted => (
            format!("You're on the waitlist: {}", item.title),
            "The session is full, so you are on the waitlist. If a seat frees up you will get it automatically and we will email you.",
        ),
        SessionEmailKind::Promoted => {
            (format!("A seat opened up: {}", item.title), "Good news: a seat opened up and it is yours.")
        }
        SessionEmailKind::ReminderDay => {
            (format!("Tomorrow: {}", item.title), "A reminder that your workshop session is coming up.")
        }
        SessionEmailKind::ReminderHour => {
            (format!("Starting soon: {}", item.title), "Your workshop session starts within the hour.")
        }
        SessionEmailKind::Changed => (
            format!("Changed: {}", item.title),
            "The time or place of your workshop session has changed. The details below are the new ones.",
        ),
        SessionEmailKind::Cancelled => (
            format!("Cancelled: {}", item.title),
            "We are sorry: this session has been cancelled. Other sessions of the workshop are listed on its page.",
        ),
    };
    let body = format!(
        "Hello {name},\n\n{opening}\n\n{title}\nWhen: {when}\n{place}\n\nSession page: {page}\nAdd to your calendar: {ics}\n\n\
         If you can no longer attend, please cancel on the session page so that someone on the waitlist can take your seat.\n",
        name = user.display_name,
        title = item.title,
    );
    let email = crate::mail::Email { job_id: Some(job_id), to: user.email.as_str(), subject: &subject, body: &body };
    ctx.mailer.send(&ctx.store, &email).await
}
