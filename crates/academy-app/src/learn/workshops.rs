//! Live workshops: registering (a seat or a place on the waitlist), cancelling (the first on
//! the waitlist moves up in the same transaction), attendance from the roster or by check-in
//! code, rescheduling and cancelling sessions, calendar feeds, and the emails each of these
//! sends through the job queue.

use super::events::{self, Context, Event};
use super::progress::{Learner, complete_item};
use super::session_emails::{SessionEmail, SessionEmailKind};
use crate::{Actor, App, Error, Result, actor_id};
use academy_core::token::{SecretToken, constant_time_eq};
use academy_core::{Permission, time};
use academy_store::catalog::{Item, ItemStatus};
use academy_store::progress;
use academy_store::workshops::{
    self, AttendedVia, NewSession, Registration, RegistrationStatus, Session, SessionStatus,
};
use academy_store::{Tx, audit, catalog, jobs, orgs};
use chrono::{DateTime, Duration, Utc};

/// A session and its workshop, or [`Error::NotFound`].
pub async fn session_with_item(app: &App, id: i64) -> Result<(Session, Item)> {
    let session = workshops::session(&app.store, id).await?.ok_or(Error::NotFound)?;
    let item = catalog::item(&app.store, session.item_id).await?.ok_or(Error::NotFound)?;
    Ok((session, item))
}

/// Registers `user_id` for a session: a seat while there is one, otherwise the waitlist.
pub async fn register(app: &App, user_id: i64, session_id: i64) -> Result<Registered> {
    let mut tx = app.store.begin().await?;
    let registered = register_in(&mut tx, Learner::on(app, user_id), session_id, time::now()).await?;
    tx.commit().await?;
    Ok(registered)
}

/// Cancels `user_id`'s registration; when it held a seat, the first on the waitlist gets it.
/// Returns the promoted person's id.
pub async fn cancel(app: &App, user_id: i64, session_id: i64) -> Result<Option<i64>> {
    let mut tx = app.store.begin().await?;
    let promoted = cancel_in(&mut tx, user_id, session_id, time::now()).await?;
    tx.commit().await?;
    Ok(promoted)
}

/// Records `user_id`'s attendance from the check-in code the facilitator shows.
pub async fn check_in(app: &App, user_id: i64, session_id: i64, code: &str) -> Result<bool> {
    let mut tx = app.store.begin().await?;
    let attended = check_in_in(&mut tx, Learner::on(app, user_id), session_id, code, time::now()).await?;
    tx.commit().await?;
    Ok(attended)
}

/// Marks a registration present (from the facilitator's roster), or clears a mistaken mark.
pub async fn take_attendance(app: &App, session_id: i64, registration_id: i64, present: bool) -> Result<()> {
    let now = time::now();
    let mut tx = app.store.begin().await?;
    if present {
        mark_present(&mut tx, app.config.public_url.home_page(), session_id, registration_id, now).await?;
    } else {
        workshops::unmark_attended(&mut tx, registration_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Shows a new check-in code for the session (during its window only).
pub async fn open_check_in(app: &App, session_id: i64) -> Result<(String, DateTime<Utc>)> {
    let mut tx = app.store.begin().await?;
    let code = open_check_in_in(&mut tx, session_id, time::now()).await?;
    tx.commit().await?;
    Ok(code)
}

/// Whether `principal` may schedule sessions of `item` (see [`schedule_session`]): its
/// authors may, and once it is published so may anyone who runs sessions somewhere.
pub async fn may_schedule(app: &App, principal: &academy_core::Principal, item: &Item) -> Result<bool> {
    if crate::authoring::may_author(app, principal, item.owner_org_id).await? {
        return Ok(true);
    }
    Ok(item.status == ItemStatus::Published && principal.can_somewhere(Permission::RunSessions))
}

/// Schedules a session of a workshop, with its first facilitator. Sessions are offerings of a
/// workshop rather than its content: the workshop's own authors may schedule them, and so may
/// anyone who runs sessions somewhere once the workshop is published (a national workshop is
/// offered by state and district facilitators). Either way the host organization must be one
/// where the actor runs sessions, and the facilitator someone with a place there; problems are
/// reported on the form's fields, saying the same whether or not an email has an account.
pub async fn schedule_session(
    app: &App,
    actor: Actor<'_>,
    item: &Item,
    new: &NewSession,
    facilitator_email: Option<&str>,
) -> Result<i64> {
    if !may_schedule(app, actor.principal, item).await? {
        return Err(Error::Forbidden);
    }
    let mut errors = academy_core::FieldErrors::new();
    check_host(app, actor, new.host_org_id, &mut errors).await?;
    let facilitator_id = match facilitator_email {
        Some(email) => match academy_core::Email::parse(email) {
            Ok(email) => match academy_store::users::by_email(&app.store, &email).await? {
                Some(user)
                    if crate::offers::is_inside(app, actor.principal, Permission::RunSessions, user.id).await? =>
                {
                    Some(user.id)
                }
                _ => {
                    errors.add(
                        "facilitator_email",
                        "Give the email of someone with a place in the organizations where you run sessions.",
                    );
                    None
                }
            },
            Err(e) => {
                errors.add("facilitator_email", e.to_string());
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = workshops::create_session(&mut tx, new, Some(actor.user_id), now).await?;
    if let Some(f) = facilitator_id {
        workshops::add_facilitator(&mut tx, id, f).await?;
    }
    audit::record(&mut tx, Some(actor.user_id), "session.create", &format!("session:{id}"), Some(&item.title), now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a session's time, place or seats (see [`reschedule_in`]) and records who did it.
/// The actor must run sessions at its host, and may move it only to another host where they
/// do (a field error on `host_org_id` otherwise).
pub async fn reschedule(app: &App, actor: Actor<'_>, session_id: i64, new: &NewSession) -> Result<Vec<i64>> {
    let (session, item) = session_with_item(app, session_id).await?;
    let host = orgs::get_or_root(&app.store, session.host_org_id).await?.ok_or(Error::NotFound)?;
    if !actor.principal.can(Permission::RunSessions, &host.path) {
        return Err(Error::Forbidden);
    }
    let mut errors = academy_core::FieldErrors::new();
    check_host(app, actor, new.host_org_id, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let promoted = reschedule_in(&mut tx, session_id, new, now).await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "session.update",
        &format!("session:{session_id}"),
        Some(&item.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(promoted)
}

/// Checks a session's host (`None`: the national root) against the organizations where the
/// actor runs sessions, adding a field error on `host_org_id` when it lies outside them.
async fn check_host(
    app: &App,
    actor: Actor<'_>,
    host_org_id: Option<i64>,
    errors: &mut academy_core::FieldErrors,
) -> Result<()> {
    match orgs::get_or_root(&app.store, host_org_id).await? {
        Some(host) if actor.principal.can(Permission::RunSessions, &host.path) => {}
        Some(_) => errors.add("host_org_id", "Choose an organization where you run sessions."),
        None => errors.add("host_org_id", "There is no such organization; choose one from the list."),
    }
    Ok(())
}

/// Cancels a session and tells everyone registered. Returns the workshop it belongs to. A
/// signed-in actor must run sessions at its host; an operator (no actor) may cancel any.
pub async fn cancel_session(app: &App, actor: Option<Actor<'_>>, session_id: i64) -> Result<Item> {
    let (session, item) = session_with_item(app, session_id).await?;
    if let Some(actor) = actor {
        let host = orgs::get_or_root(&app.store, session.host_org_id).await?.ok_or(Error::NotFound)?;
        if !actor.principal.can(Permission::RunSessions, &host.path) {
            return Err(Error::Forbidden);
        }
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    if workshops::cancel_session(&mut tx, session_id, now).await? {
        for entry in workshops::roster(&mut tx, session_id).await? {
            if let Some(registration) = workshops::registration(&mut tx, session_id, entry.user_id).await? {
                let job = SessionEmail::new(&registration, SessionEmailKind::Cancelled);
                jobs::enqueue(&mut tx, &job, now, now).await?;
            }
        }
        audit::record(
            &mut tx,
            actor_id(actor),
            "session.cancel",
            &format!("session:{session_id}"),
            Some(&item.title),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(item)
}

/// Makes `user_id`'s personal calendar feed if they have none, returning its secret. Only the
/// secret's digest is stored, so the secret can be shown once: `None` means the feed exists.
pub async fn make_feed(app: &App, user_id: i64) -> Result<Option<SecretToken>> {
    let token = SecretToken::generate();
    let mut tx = app.store.begin().await?;
    let made = workshops::create_feed(&mut tx, user_id, token.hash().as_str(), time::now()).await?;
    tx.commit().await?;
    Ok(made.then_some(token))
}

/// Gives `user_id`'s calendar feed a new secret, returned to show once; the old address stops
/// working.
pub async fn reset_feed(app: &App, user_id: i64) -> Result<SecretToken> {
    let token = SecretToken::generate();
    let mut tx = app.store.begin().await?;
    workshops::reset_feed(&mut tx, user_id, token.hash().as_str(), time::now()).await?;
    tx.commit().await?;
    Ok(token)
}

/// The person a calendar-feed secret belongs to.
pub async fn feed_owner(app: &App, token: &SecretToken) -> Result<Option<i64>> {
    Ok(workshops::feed_owner(&app.store, token.hash().as_str()).await?)
}

/// Stores the digests of feed secrets an older version kept in plain form (run at start).
pub async fn hash_plain_feed_secrets(store: &academy_store::Store) -> Result<usize> {
    let plain = workshops::feeds_stored_in_plain(store).await?;
    if plain.is_empty() {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    for (user_id, token) in &plain {
        if let Some(token) = SecretToken::parse(token) {
            workshops::store_feed_digest(&mut tx, *user_id, token.hash().as_str()).await?;
        }
    }
    tx.commit().await?;
    Ok(plain.len())
}

/// How a registration ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A seat.
    Seat,
    /// A place on the waitlist (1 = next).
    Waitlist(i64),
}

/// Loads a session and its workshop, locking the session for a registration change.
async fn locked(tx: &mut Tx, session_id: i64) -> Result<(Session, Item)> {
    let session = workshops::lock_session(tx, session_id).await?.ok_or(Error::NotFound)?;
    let item = catalog::item(&mut *tx, session.item_id).await?.ok_or(Error::NotFound)?;
    Ok((session, item))
}

/// Registers a teacher for a session inside a transaction.
pub(crate) async fn register_in(
    tx: &mut Tx,
    learner: Learner<'_>,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<Registered> {
    let (session, item) = locked(tx, session_id).await?;
    if item.status != ItemStatus::Published {
        return Err(Error::Refused("This workshop is not open for registration.".into()));
    }
    if session.status == SessionStatus::Cancelled {
        return Err(Error::Refused("This session was cancelled.".into()));
    }
    if session.starts_at <= now {
        return Err(Error::Refused("This session has already started; registration is closed.".into()));
    }
    if let Some(existing) = workshops::registration(&mut *tx, session.id, learner.user_id).await? {
        match existing.status {
            RegistrationStatus::Registered => {
                return Err(Error::Refused("You are already registered for this session.".into()));
            }
            RegistrationStatus::Waitlisted => {
                return Err(Error::Refused("You are already on the waitlist for this session.".into()));
            }
            RegistrationStatus::Cancelled => {}
        }
    }
    let taken = workshops::count_registered(&mut *tx, session.id).await?;
    let status = if taken < session.capacity { RegistrationStatus::Registered } else { RegistrationStatus::Waitlisted };
    let registration = workshops::upsert_registration(tx, session.id, learner.user_id, status, now).await?;
    let (enrollment, _) = progress::enroll(tx, learner.user_id, item.id, None, now).await?;
    let context = Context {
        home_page: learner.home_page,
        user_id: learner.user_id,
        registration: Some(&enrollment.registration),
        parent: Some(&events::item_activity(learner.home_page, &item)),
    };
    events::record(tx, &context, Event::Registered, &session_activity(learner.home_page, &item, &session), now).await?;
    if status == RegistrationStatus::Registered {
        schedule_emails(tx, &registration, &session, SessionEmailKind::Confirmed, now).await?;
        Ok(Registered::Seat)
    } else {
        jobs::enqueue(tx, &SessionEmail::new(&registration, SessionEmailKind::Waitlisted), now, now).await?;
        Ok(Registered::Waitlist(workshops::waitlist_position(&mut *tx, &registration).await?))
    }
}

async fn cancel_in(tx: &mut Tx, user_id: i64, session_id: i64, now: DateTime<Utc>) -> Result<Option<i64>> {
    let (session, _) = locked(tx, session_id).await?;
    let registration = workshops::registration(&mut *tx, session.id, user_id).await?;
    let Some(registration) = registration.filter(|r| r.status != RegistrationStatus::Cancelled) else {
        return Err(Error::Refused("You are not registered for this session.".into()));
    };
    if session.ends_at <= now {
        return Err(Error::Refused("This session is over; its attendance is on record.".into()));
    }
    workshops::cancel_registration(tx, registration.id, now).await?;
    if registration.status == RegistrationStatus::Registered && session.status == SessionStatus::Scheduled {
        return promote_next(tx, &session, now).await;
    }
    Ok(None)
}

async fn promote_next(tx: &mut Tx, session: &Session, now: DateTime<Utc>) -> Result<Option<i64>> {
    if session.starts_at <= now || workshops::count_registered(&mut *tx, session.id).await? >= session.capacity {
        return Ok(None);
    }
    let Some(next) = workshops::first_waitlisted(tx, session.id).await? else { return Ok(None) };
    workshops::promote(tx, next.id, now).await?;
    let promoted = workshops::registration(&mut *tx, session.id, next.user_id).await?.ok_or(Error::NotFound)?;
    schedule_emails(tx, &promoted, session, SessionEmailKind::Promoted, now).await?;
    Ok(Some(next.user_id))
}

/// The confirmation now, and reminders a day and an hour before the session (those that are
/// still in the future).
async fn schedule_emails(
    tx: &mut Tx,
    registration: &Registration,
    session: &Session,
    first: SessionEmailKind,
    now: DateTime<Utc>,
) -> Result<()> {
    jobs::enqueue(tx, &SessionEmail::for_start(registration, first, session.starts_at), now, now).await?;
    for (kind, before) in
        [(SessionEmailKind::ReminderDay, Duration::hours(24)), (SessionEmailKind::ReminderHour, Duration::hours(1))]
    {
        let at = session.starts_at - before;
        if at > now {
            jobs::enqueue(tx, &SessionEmail::for_start(registration, kind, session.starts_at), at, now).await?;
        }
    }
    Ok(())
}

/// Changes a session's time, place or seats, inside a transaction. Everyone registered is told when the time or
/// place moves (with new reminders; the old ones lapse), and added seats go to the waitlist
/// in order. Fewer seats than people registered keeps everyone registered: nobody loses a
/// seat they were given.
pub(crate) async fn reschedule_in(
    tx: &mut Tx,
    session_id: i64,
    new: &NewSession,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let (before, _) = locked(tx, session_id).await?;
    if before.status == SessionStatus::Cancelled {
        return Err(Error::Refused("This session was cancelled.".into()));
    }
    workshops::update_session(tx, session_id, new, now).await?;
    let after = workshops::session(&mut *tx, session_id).await?.ok_or(Error::NotFound)?;
    let moved = before.starts_at != after.starts_at
        || before.ends_at != after.ends_at
        || before.location_kind != after.location_kind
        || before.hub_address != after.hub_address
        || before.meeting_url != after.meeting_url;
    if moved {
        for entry in workshops::roster(&mut *tx, session_id)
            .await?
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Registered)
        {
            let registration =
                workshops::registration(&mut *tx, session_id, entry.user_id).await?.ok_or(Error::NotFound)?;
            schedule_emails(tx, &registration, &after, SessionEmailKind::Changed, now).await?;
        }
    }
    let mut promoted = Vec::new();
    while let Some(user_id) = promote_next(tx, &after, now).await? {
        promoted.push(user_id);
    }
    Ok(promoted)
}

/// How long a check-in code works after it is shown.
pub const CHECK_IN_MINUTES: i64 = 20;
/// How early before the start attendance may be taken.
pub const OPENS_BEFORE_MINUTES: i64 = 30;

/// Whether attendance may be taken at `now`: from half an hour before the start to a day
/// after the end (facilitators catch up on paper rosters).
pub fn attendance_open(session: &Session, now: DateTime<Utc>) -> bool {
    now >= session.starts_at - Duration::minutes(OPENS_BEFORE_MINUTES) && now <= session.ends_at + Duration::hours(24)
}

/// A fresh check-in code: six characters from an alphabet without look-alikes.
pub fn new_check_in_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

async fn open_check_in_in(tx: &mut Tx, session_id: i64, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>)> {
    let (session, _) = locked(tx, session_id).await?;
    if session.status != SessionStatus::Scheduled {
        return Err(Error::Refused("This session was cancelled.".into()));
    }
    if now < session.starts_at - Duration::minutes(OPENS_BEFORE_MINUTES)
        || now > session.ends_at + Duration::minutes(30)
    {
        return Err(Error::Refused(
            "Check-in opens half an hour before the session and closes half an hour after it ends.".into(),
        ));
    }
    let code = new_check_in_code();
    let expires = now + Duration::minutes(CHECK_IN_MINUTES);
    workshops::set_check_in_code(tx, session.id, &code, expires).await?;
    Ok((code, expires))
}

async fn check_in_in(
    tx: &mut Tx,
    learner: Learner<'_>,
    session_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (session, item) = locked(tx, session_id).await?;
    let entered = code.trim().to_uppercase().replace([' ', '-'], "");
    let valid = match (&session.check_in_code, session.check_in_expires_at) {
        (Some(current), Some(expires)) => expires > now && constant_time_eq(current, &entered),
        _ => false,
    };
    if !valid {
        return Err(Error::Refused(
            "That check-in code is not right, or it has expired. Check the code your facilitator is showing now."
                .into(),
        ));
    }
    let registration = workshops::registration(&mut *tx, session.id, learner.user_id).await?;
    let Some(registration) = registration.filter(|r| r.status == RegistrationStatus::Registered) else {
        return Err(Error::Refused(
            "Only registered participants can check in; ask your facilitator to add you.".into(),
        ));
    };
    attend(tx, learner, &session, &item, &registration, AttendedVia::Code, now).await
}

async fn mark_present(
    tx: &mut Tx,
    home_page: &str,
    session_id: i64,
    registration_id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (session, item) = locked(tx, session_id).await?;
    if !attendance_open(&session, now) {
        return Err(Error::Refused(
            "Attendance can be taken from half an hour before the session until a day after it.".into(),
        ));
    }
    let roster = workshops::roster(&mut *tx, session.id).await?;
    let Some(entry) = roster.into_iter().find(|r| r.registration_id == registration_id) else {
        return Err(Error::NotFound);
    };
    if entry.status != RegistrationStatus::Registered {
        return Err(Error::Refused(
            "Only people holding a seat can be marked present; promote them from the waitlist first.".into(),
        ));
    }
    let registration = workshops::registration(&mut *tx, session.id, entry.user_id).await?.ok_or(Error::NotFound)?;
    attend(tx, Learner { user_id: entry.user_id, home_page }, &session, &item, &registration, AttendedVia::Roster, now)
        .await
}

async fn attend(
    tx: &mut Tx,
    learner: Learner<'_>,
    session: &Session,
    item: &Item,
    registration: &Registration,
    via: AttendedVia,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !workshops::mark_attended(tx, registration.id, via, now).await? {
        return Ok(false);
    }
    let (enrollment, _) = progress::enroll(tx, learner.user_id, item.id, None, now).await?;
    let context = Context {
        home_page: learner.home_page,
        user_id: learner.user_id,
        registration: Some(&enrollment.registration),
        parent: Some(&events::item_activity(learner.home_page, item)),
    };
    events::record(tx, &context, Event::Attended, &session_activity(learner.home_page, item, session), now).await?;
    complete_item(tx, learner, &enrollment, item, now).await?;
    Ok(true)
}

/// The activity of a session.
pub fn session_activity(home_page: &str, item: &Item, session: &Session) -> events::Activity {
    events::Activity {
        id: format!("{}/activities/sessions/{}", home_page.trim_end_matches('/'), session.id),
        kind: events::kinds::MEETING,
        name: format!("{} ({})", item.title, session.starts_at.format("%Y-%m-%d")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn check_in_codes_avoid_look_alikes() {
        for _ in 0..200 {
            let code = new_check_in_code();
            assert_eq!(code.len(), 6);
            assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
        }
        assert_ne!(new_check_in_code(), new_check_in_code());
    }
}
