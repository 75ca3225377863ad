//! Live workshops: registering (a seat or a place on the waitlist), cancelling (the first on
//! the waitlist moves up in the same transaction), attendance from the roster or by check-in
//! code, and the emails each of these sends through the job queue.

use super::LearnError;
use super::events::{self, Context, Event};
use super::progress::{Learner, complete_item};
use crate::jobs::session_email::{SessionEmail, SessionEmailKind};
use academy_core::token::constant_time_eq;
use academy_store::catalog::{Item, ItemStatus};
use academy_store::progress;
use academy_store::workshops::{self, Registration, Session};
use academy_store::{Tx, catalog, jobs};
use chrono::{DateTime, Duration, Utc};

/// How a registration ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A seat.
    Seat,
    /// A place on the waitlist (1 = next).
    Waitlist(i64),
}

/// Loads a session and its workshop, locking the session for a registration change.
async fn locked(tx: &mut Tx, session_id: i64) -> Result<(Session, Item), LearnError> {
    let session = workshops::lock_session(tx, session_id).await?.ok_or(LearnError::NotFound)?;
    let item = catalog::item(&mut *tx, session.item_id).await?.ok_or(LearnError::NotFound)?;
    Ok((session, item))
}

/// Registers a teacher for a session: a seat while there is one, otherwise the waitlist.
pub async fn register(
    tx: &mut Tx,
    learner: Learner<'_>,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<Registered, LearnError> {
    let (session, item) = locked(tx, session_id).await?;
    if item.status != ItemStatus::Published {
        return Err(LearnError::Refused("This workshop is not open for registration.".into()));
    }
    if session.status == "cancelled" {
        return Err(LearnError::Refused("This session was cancelled.".into()));
    }
    if session.starts_at <= now {
        return Err(LearnError::Refused("This session has already started; registration is closed.".into()));
    }
    if let Some(existing) = workshops::registration(&mut *tx, session.id, learner.user_id).await? {
        match existing.status.as_str() {
            "registered" => return Err(LearnError::Refused("You are already registered for this session.".into())),
            "waitlisted" => {
                return Err(LearnError::Refused("You are already on the waitlist for this session.".into()));
            }
            _ => {}
        }
    }
    let taken = workshops::count_registered(&mut *tx, session.id).await?;
    let status = if taken < session.capacity { "registered" } else { "waitlisted" };
    let registration = workshops::upsert_registration(tx, session.id, learner.user_id, status, now).await?;
    let (enrollment, _) = progress::enroll(tx, learner.user_id, item.id, None, now).await?;
    let context = Context {
        home_page: learner.home_page,
        user_id: learner.user_id,
        registration: Some(&enrollment.registration),
        parent: Some(&events::item_activity(learner.home_page, &item)),
    };
    events::record(tx, &context, Event::Registered, &session_activity(learner.home_page, &item, &session), now).await?;
    if status == "registered" {
        schedule_emails(tx, &registration, &session, SessionEmailKind::Confirmed, now).await?;
        Ok(Registered::Seat)
    } else {
        jobs::enqueue(tx, &SessionEmail::new(&registration, SessionEmailKind::Waitlisted), now, now).await?;
        Ok(Registered::Waitlist(workshops::waitlist_position(&mut *tx, &registration).await?))
    }
}

/// Cancels a teacher's registration; when it held a seat, the first on the waitlist gets it.
/// Returns the promoted person's id.
pub async fn cancel(tx: &mut Tx, user_id: i64, session_id: i64, now: DateTime<Utc>) -> Result<Option<i64>, LearnError> {
    let (session, _) = locked(tx, session_id).await?;
    let registration = workshops::registration(&mut *tx, session.id, user_id).await?;
    let Some(registration) = registration.filter(|r| r.status != "cancelled") else {
        return Err(LearnError::Refused("You are not registered for this session.".into()));
    };
    if session.ends_at <= now {
        return Err(LearnError::Refused("This session is over; its attendance is on record.".into()));
    }
    workshops::cancel_registration(tx, registration.id, now).await?;
    if registration.status == "registered" && session.status == "scheduled" {
        return promote_next(tx, &session, now).await;
    }
    Ok(None)
}

async fn promote_next(tx: &mut Tx, session: &Session, now: DateTime<Utc>) -> Result<Option<i64>, LearnError> {
    if session.starts_at <= now || workshops::count_registered(&mut *tx, session.id).await? >= session.capacity {
        return Ok(None);
    }
    let Some(next) = workshops::first_waitlisted(tx, session.id).await? else { return Ok(None) };
    workshops::promote(tx, next.id, now).await?;
    let promoted = workshops::registration(&mut *tx, session.id, next.user_id).await?.ok_or(LearnError::NotFound)?;
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
) -> Result<(), LearnError> {
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

/// Changes a session's time, place or seats. Everyone registered is told when the time or
/// place moves (with new reminders; the old ones lapse), and added seats go to the waitlist
/// in order. Fewer seats than people registered keeps everyone registered: nobody loses a
/// seat they were given.
pub async fn reschedule(
    tx: &mut Tx,
    session_id: i64,
    new: &workshops::NewSession,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, LearnError> {
    let (before, _) = locked(tx, session_id).await?;
    if before.status == "cancelled" {
        return Err(LearnError::Refused("This session was cancelled.".into()));
    }
    workshops::update_session(tx, session_id, new, now).await?;
    let after = workshops::session(&mut *tx, session_id).await?.ok_or(LearnError::NotFound)?;
    let moved = before.starts_at != after.starts_at
        || before.ends_at != after.ends_at
        || before.location_kind != after.location_kind
        || before.hub_address != after.hub_address
        || before.meeting_url != after.meeting_url;
    if moved {
        for entry in workshops::roster(&mut *tx, session_id).await?.into_iter().filter(|r| r.status == "registered") {
            let registration =
                workshops::registration(&mut *tx, session_id, entry.user_id).await?.ok_or(LearnError::NotFound)?;
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

/// Shows a new check-in code for the session (during its window only).
pub async fn open_check_in(
    tx: &mut Tx,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), LearnError> {
    let (session, _) = locked(tx, session_id).await?;
    if session.status != "scheduled" {
        return Err(LearnError::Refused("This session was cancelled.".into()));
    }
    if now < session.starts_at - Duration::minutes(OPENS_BEFORE_MINUTES)
        || now > session.ends_at + Duration::minutes(30)
    {
        return Err(LearnError::Refused(
            "Check-in opens half an hour before the session and closes half an hour after it ends.".into(),
        ));
    }
    let code = new_check_in_code();
    let expires = now + Duration::minutes(CHECK_IN_MINUTES);
    workshops::set_check_in_code(tx, session.id, &code, expires).await?;
    Ok((code, expires))
}

/// Records attendance from a teacher's check-in code.
pub async fn check_in(
    tx: &mut Tx,
    learner: Learner<'_>,
    session_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, LearnError> {
    let (session, item) = locked(tx, session_id).await?;
    let entered = code.trim().to_uppercase().replace([' ', '-'], "");
    let valid = match (&session.check_in_code, session.check_in_expires_at) {
        (Some(current), Some(expires)) => expires > now && constant_time_eq(current, &entered),
        _ => false,
    };
    if !valid {
        return Err(LearnError::Refused(
            "That check-in code is not right, or it has expired. Check the code your facilitator is showing now."
                .into(),
        ));
    }
    let registration = workshops::registration(&mut *tx, session.id, learner.user_id).await?;
    let Some(registration) = registration.filter(|r| r.status == "registered") else {
        return Err(LearnError::Refused(
            "Only registered participants can check in; ask your facilitator to add you.".into(),
        ));
    };
    attend(tx, learner, &session, &item, &registration, "code", now).await
}

/// Records attendance from the facilitator's roster.
pub async fn mark_present(
    tx: &mut Tx,
    home_page: &str,
    session_id: i64,
    registration_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, LearnError> {
    let (session, item) = locked(tx, session_id).await?;
    if !attendance_open(&session, now) {
        return Err(LearnError::Refused(
            "Attendance can be taken from half an hour before the session until a day after it.".into(),
        ));
    }
    let roster = workshops::roster(&mut *tx, session.id).await?;
    let Some(entry) = roster.into_iter().find(|r| r.registration_id == registration_id) else {
        return Err(LearnError::NotFound);
    };
    if entry.status != "registered" {
        return Err(LearnError::Refused(
            "Only people holding a seat can be marked present; promote them from the waitlist first.".into(),
        ));
    }
    let registration =
        workshops::registration(&mut *tx, session.id, entry.user_id).await?.ok_or(LearnError::NotFound)?;
    attend(tx, Learner { user_id: entry.user_id, home_page }, &session, &item, &registration, "roster", now).await
}

async fn attend(
    tx: &mut Tx,
    learner: Learner<'_>,
    session: &Session,
    item: &Item,
    registration: &Registration,
    via: &str,
    now: DateTime<Utc>,
) -> Result<bool, LearnError> {
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
