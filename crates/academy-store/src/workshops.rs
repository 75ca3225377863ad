//! Live workshop sessions, registrations with a waitlist, attendance and calendar feeds.
//!
//! Registration and cancellation lock the session row first (`SELECT … FOR UPDATE` on
//! PostgreSQL; on SQLite the write transaction already holds the database's single write
//! lock), so that seats are counted and the waitlist promoted without a race.

use crate::query::stored_enum;
use crate::{Backend, Exec, StoreError, Tx, query};
use chrono::{DateTime, Utc};

stored_enum! {
    /// Whether a session is on.
    pub enum SessionStatus {
        /// It takes place.
        Scheduled = "scheduled",
        /// It was cancelled; registrants were told.
        Cancelled = "cancelled",
    }
}

stored_enum! {
    /// Where a session takes place.
    pub enum LocationKind {
        /// Online, at a meeting link.
        Virtual = "virtual",
        /// In person at a hub.
        Hub = "hub",
    }
}

stored_enum! {
    /// Where a registration stands.
    pub enum RegistrationStatus {
        /// Holds a seat.
        Registered = "registered",
        /// Waits for a seat, in order of registration.
        Waitlisted = "waitlisted",
        /// Cancelled by the teacher.
        Cancelled = "cancelled",
    }
}

stored_enum! {
    /// How attendance was recorded.
    pub enum AttendedVia {
        /// The facilitator marked it on the roster.
        Roster = "roster",
        /// The teacher entered the check-in code.
        Code = "code",
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// The workshop (catalog item).
    pub item_id: i64,
    /// The organization hosting it; its admins and facilitators run it.
    pub host_org_id: Option<i64>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone the session is held in.
    pub time_zone: String,
    /// Seats.
    pub capacity: i64,
    /// Online or at a hub.
    #[sqlx(try_from = "String")]
    pub location_kind: LocationKind,
    /// Hub name.
    pub hub_name: Option<String>,
    /// Hub street address.
    pub hub_address: Option<String>,
    /// Meeting link.
    pub meeting_url: Option<String>,
    /// Scheduled or cancelled.
    #[sqlx(try_from = "String")]
    pub status: SessionStatus,
    /// The current check-in code.
    pub check_in_code: Option<String>,
    /// When the check-in code stops working.
    pub check_in_expires_at: Option<DateTime<Utc>>,
    /// iCalendar SEQUENCE, raised on every change.
    pub sequence: i64,
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The workshop.
    pub item_id: i64,
    /// The hosting organization.
    pub host_org_id: Option<i64>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone.
    pub time_zone: String,
    /// Seats.
    pub capacity: i64,
    /// Online or at a hub.
    pub location_kind: LocationKind,
    /// Hub name.
    pub hub_name: Option<String>,
    /// Hub address.
    pub hub_address: Option<String>,
    /// Meeting link.
    pub meeting_url: Option<String>,
}

/// Creates a session.
pub async fn create_session(
    tx: &mut Tx,
    new: &NewSession,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    query(
        "INSERT INTO workshop_sessions (item_id, starts_at, ends_at, time_zone, capacity, location_kind, hub_name, hub_address,
                                        meeting_url, status, created_by, created_at, updated_at, host_org_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', $10, $11, $11, $12) RETURNING id",
    )
    .bind(new.item_id)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.time_zone.as_str())
    .bind(new.capacity)
    .bind(new.location_kind)
    .bind(new.hub_name.clone())
    .bind(new.hub_address.clone())
    .bind(new.meeting_url.clone())
    .bind(created_by)
    .bind(now)
    .bind(new.host_org_id)
    .fetch_i64(tx)
    .await
}

/// Changes a session's time, place and capacity; raises its iCalendar sequence.
pub async fn update_session(tx: &mut Tx, id: i64, new: &NewSession, now: DateTime<Utc>) -> Result<(), StoreError> {
    query(
        "UPDATE workshop_sessions SET starts_at = $2, ends_at = $3, time_zone = $4, capacity = $5, location_kind = $6,
                hub_name = $7, hub_address = $8, meeting_url = $9, sequence = sequence + 1, updated_at = $10, host_org_id = $11
         WHERE id = $1",
    )
    .bind(id)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.time_zone.as_str())
    .bind(new.capacity)
    .bind(new.location_kind)
    .bind(new.hub_name.clone())
    .bind(new.hub_address.clone())
    .bind(new.meeting_url.clone())
    .bind(now)
    .bind(new.host_org_id)
    .execute(tx)
    .await
    .map(|_| ())
}

/// Cancels a session (registrations stay, for the record).
pub async fn cancel_session(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query(
        "UPDATE workshop_sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .bind(now)
    .execute(tx)
    .await?
        == 1)
}

/// One session.
pub async fn session<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Session>, StoreError> {
    query(
        "SELECT id, item_id, host_org_id, starts_at, ends_at, time_zone, capacity, location_kind, hub_name, hub_address, meeting_url, status,
                check_in_code, check_in_expires_at, sequence
         FROM workshop_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// Locks a session for a registration change and returns it.
pub async fn lock_session(tx: &mut Tx, id: i64) -> Result<Option<Session>, StoreError> {
    let q = match tx.backend() {
        Backend::Postgres => query(
            "SELECT id, item_id, host_org_id, starts_at, ends_at, time_zone, capacity, location_kind, hub_name, hub_address, meeting_url, status,
                    check_in_code, check_in_expires_at, sequence
             FROM workshop_sessions WHERE id = $1 FOR UPDATE",
        ),
        Backend::Sqlite => query(
            "SELECT id, item_id, host_org_id, starts_at, ends_at, time_zone, capacity, location_kind, hub_name, hub_address, meeting_url, status,
                    check_in_code, check_in_expires_at, sequence
             FROM workshop_sessions WHERE id = $1",
        ),
    };
    q.bind(id).fetch_optional(tx).await
}

/// A session with its seat counts, for listings.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct SessionSummary {
    /// The session.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub session: Session,
    /// Registered (holding a seat).
    pub registered: i64,
    /// Waiting.
    pub waitlisted: i64,
}

/// A session someone facilitates, with its workshop's title.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FacilitatedSession {
    /// The session and its counts.
    #[sqlx(flatten)]
    pub summary: SessionSummary,
    /// The workshop's title.
    pub item_title: String,
}

/// A workshop's sessions ending after `from`, soonest first.
pub async fn sessions_for_item<'c>(
    exec: impl Into<Exec<'c>>,
    item_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<SessionSummary>, StoreError> {
    query(
        "SELECT s.id, s.item_id, s.host_org_id, s.starts_at, s.ends_at, s.time_zone, s.capacity, s.location_kind, s.hub_name, s.hub_address,
                s.meeting_url, s.status, s.check_in_code, s.check_in_expires_at, s.sequence,
                (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'registered') AS registered,
                (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted
         FROM workshop_sessions s WHERE s.item_id = $1 AND s.ends_at > $2 ORDER BY s.starts_at, s.id",
    )
    .bind(item_id)
    .bind(from)
    .fetch_all(exec)
    .await
}

/// Sessions a person facilitates, ending after `from`.
pub async fn facilitated_by<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<FacilitatedSession>, StoreError> {
    query(
        "SELECT s.id, s.item_id, s.host_org_id, s.starts_at, s.ends_at, s.time_zone, s.capacity, s.location_kind, s.hub_name, s.hub_address,
                s.meeting_url, s.status, s.check_in_code, s.check_in_expires_at, s.sequence,
                (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'registered') AS registered,
                (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted,
                i.title AS item_title
         FROM workshop_sessions s JOIN session_facilitators f ON f.session_id = s.id JOIN catalog_items i ON i.id = s.item_id
         WHERE f.user_id = $1 AND s.ends_at > $2 ORDER BY s.starts_at, s.id",
    )
    .bind(user_id)
    .bind(from)
    .fetch_all(exec)
    .await
}

/// Adds a facilitator to a session.
pub async fn add_facilitator(tx: &mut Tx, session_id: i64, user_id: i64) -> Result<(), StoreError> {
    query("INSERT INTO session_facilitators (session_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(session_id)
        .bind(user_id)
        .execute(tx)
        .await
        .map(|_| ())
}

/// The facilitators of a session: (id, name, email).
pub async fn facilitators<'c>(
    exec: impl Into<Exec<'c>>,
    session_id: i64,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    query(
        "SELECT u.id, u.display_name, u.email FROM session_facilitators f JOIN users u ON u.id = f.user_id
         WHERE f.session_id = $1 ORDER BY u.display_name",
    )
    .bind(session_id)
    .fetch_all(exec)
    .await
}

/// Whether a person facilitates a session.
pub async fn is_facilitator<'c>(exec: impl Into<Exec<'c>>, session_id: i64, user_id: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = query("SELECT user_id FROM session_facilitators WHERE session_id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .fetch_optional(exec)
        .await?;
    Ok(row.is_some())
}

/// A registration.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Registration {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Person.
    pub user_id: i64,
    /// Registered, waitlisted or cancelled.
    #[sqlx(try_from = "String")]
    pub status: RegistrationStatus,
    /// When they registered (their place in the waitlist).
    pub registered_at: DateTime<Utc>,
    /// When they got a seat from the waitlist.
    pub promoted_at: Option<DateTime<Utc>>,
    /// When they cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When their attendance was recorded.
    pub attended_at: Option<DateTime<Utc>>,
    /// `roster` or `code` (see [`AttendedVia`]).
    pub attended_via: Option<String>,
}

/// A person's registration for a session.
pub async fn registration<'c>(
    exec: impl Into<Exec<'c>>,
    session_id: i64,
    user_id: i64,
) -> Result<Option<Registration>, StoreError> {
    query(
        "SELECT id, session_id, user_id, status, registered_at, promoted_at, cancelled_at, attended_at, attended_via
         FROM registrations WHERE session_id = $1 AND user_id = $2",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_optional(exec)
    .await
}

/// Seats taken.
pub async fn count_registered<'c>(exec: impl Into<Exec<'c>>, session_id: i64) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM registrations WHERE session_id = $1 AND status = 'registered'")
        .bind(session_id)
        .fetch_i64(exec)
        .await
}

/// Registers (or re-registers after a cancellation) with the given status.
pub async fn upsert_registration(
    tx: &mut Tx,
    session_id: i64,
    user_id: i64,
    status: RegistrationStatus,
    now: DateTime<Utc>,
) -> Result<Registration, StoreError> {
    query(
        "INSERT INTO registrations (session_id, user_id, status, registered_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (session_id, user_id) DO UPDATE SET status = excluded.status, registered_at = excluded.registered_at,
                cancelled_at = NULL, promoted_at = NULL, updated_at = excluded.updated_at",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(status)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    registration(&mut *tx, session_id, user_id).await?.ok_or(StoreError::MissingReference)
}

/// Cancels a registration.
pub async fn cancel_registration(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query(
        "UPDATE registrations SET status = 'cancelled', cancelled_at = $2, updated_at = $2 WHERE id = $1 AND status <> 'cancelled'",
    )
    .bind(id)
    .bind(now)
    .execute(tx)
    .await?
        == 1)
}

/// The first person on the waitlist.
pub async fn first_waitlisted(tx: &mut Tx, session_id: i64) -> Result<Option<Registration>, StoreError> {
    query(
        "SELECT id, session_id, user_id, status, registered_at, promoted_at, cancelled_at, attended_at, attended_via
         FROM registrations WHERE session_id = $1 AND status = 'waitlisted' ORDER BY registered_at, id LIMIT 1",
    )
    .bind(session_id)
    .fetch_optional(tx)
    .await
}

/// Gives a waitlisted person a seat.
pub async fn promote(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    query("UPDATE registrations SET status = 'registered', promoted_at = $2, updated_at = $2 WHERE id = $1 AND status = 'waitlisted'")
        .bind(id)
        .bind(now)
        .execute(tx)
        .await
        .map(|_| ())
}

/// A person's place on a waitlist (1 = next).
pub async fn waitlist_position<'c>(exec: impl Into<Exec<'c>>, registration: &Registration) -> Result<i64, StoreError> {
    query(
        "SELECT COUNT(*) FROM registrations WHERE session_id = $1 AND status = 'waitlisted'
           AND (registered_at < $2 OR (registered_at = $2 AND id <= $3))",
    )
    .bind(registration.session_id)
    .bind(registration.registered_at)
    .bind(registration.id)
    .fetch_i64(exec)
    .await
}

/// A roster line.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct RosterEntry {
    /// Registration id.
    pub registration_id: i64,
    /// Person.
    pub user_id: i64,
    /// Name.
    pub display_name: String,
    /// Email.
    pub email: String,
    /// Their school.
    pub school_name: Option<String>,
    /// Registered or waitlisted.
    #[sqlx(try_from = "String")]
    pub status: RegistrationStatus,
    /// Attendance recorded.
    pub attended_at: Option<DateTime<Utc>>,
    /// How: `roster` or `code` (see [`AttendedVia`]).
    pub attended_via: Option<String>,
}

/// Everyone registered or waiting, seats first, then the waitlist in order.
pub async fn roster<'c>(exec: impl Into<Exec<'c>>, session_id: i64) -> Result<Vec<RosterEntry>, StoreError> {
    query(
        "SELECT r.id AS registration_id, u.id AS user_id, u.display_name, u.email, s.name AS school_name, r.status,
                r.attended_at, r.attended_via
         FROM registrations r JOIN users u ON u.id = r.user_id LEFT JOIN orgs s ON s.id = u.school_id
         WHERE r.session_id = $1 AND r.status IN ('registered', 'waitlisted')
         ORDER BY CASE WHEN r.status = 'registered' THEN 0 ELSE 1 END,
                  CASE WHEN r.status = 'registered' THEN u.display_name ELSE '' END, r.registered_at, r.id",
    )
    .bind(session_id)
    .fetch_all(exec)
    .await
}

/// Records attendance; returns false when it was already recorded.
pub async fn mark_attended(
    tx: &mut Tx,
    registration_id: i64,
    via: AttendedVia,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(query(
        "UPDATE registrations SET attended_at = $2, attended_via = $3, updated_at = $2
         WHERE id = $1 AND status = 'registered' AND attended_at IS NULL",
    )
    .bind(registration_id)
    .bind(now)
    .bind(via)
    .execute(tx)
    .await?
        == 1)
}

/// Clears recorded attendance (a facilitator's correction).
pub async fn unmark_attended(tx: &mut Tx, registration_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query("UPDATE registrations SET attended_at = NULL, attended_via = NULL, updated_at = $2 WHERE id = $1 AND attended_at IS NOT NULL")
        .bind(registration_id)
        .bind(now)
        .execute(tx)
        .await?
        == 1)
}

/// Sets the check-in code shown during the session.
pub async fn set_check_in_code(
    tx: &mut Tx,
    session_id: i64,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    query("UPDATE workshop_sessions SET check_in_code = $2, check_in_expires_at = $3 WHERE id = $1")
        .bind(session_id)
        .bind(code)
        .bind(expires_at)
        .execute(tx)
        .await
        .map(|_| ())
}

/// A person's upcoming (or recent) registration with its session and workshop.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct MySession {
    /// Registered or waitlisted.
    #[sqlx(try_from = "String")]
    pub registration_status: RegistrationStatus,
    /// Attended.
    pub attended_at: Option<DateTime<Utc>>,
    /// Session id.
    pub session_id: i64,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone.
    pub time_zone: String,
    /// Online or at a hub.
    #[sqlx(try_from = "String")]
    pub location_kind: LocationKind,
    /// Hub name.
    pub hub_name: Option<String>,
    /// Hub address.
    pub hub_address: Option<String>,
    /// Meeting link.
    pub meeting_url: Option<String>,
    /// Scheduled or cancelled.
    #[sqlx(try_from = "String")]
    pub session_status: SessionStatus,
    /// iCalendar SEQUENCE.
    pub sequence: i64,
    /// Workshop title.
    pub title: String,
    /// Workshop slug.
    pub slug: String,
    /// Workshop summary.
    pub summary: String,
}

/// A person's registrations (not cancelled) for sessions ending after `from`.
pub async fn my_sessions<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<MySession>, StoreError> {
    query(
        "SELECT r.status AS registration_status, r.attended_at, s.id AS session_id, s.starts_at, s.ends_at, s.time_zone,
                s.location_kind, s.hub_name, s.hub_address, s.meeting_url, s.status AS session_status, s.sequence,
                i.title, i.slug, i.summary
         FROM registrations r JOIN workshop_sessions s ON s.id = r.session_id JOIN catalog_items i ON i.id = s.item_id
         WHERE r.user_id = $1 AND r.status IN ('registered', 'waitlisted') AND s.ends_at > $2
         ORDER BY s.starts_at, s.id",
    )
    .bind(user_id)
    .bind(from)
    .fetch_all(exec)
    .await
}

/// Makes a person's calendar feed with the digest of its secret, unless they have one.
/// Returns whether it was made now.
pub async fn create_feed(tx: &mut Tx, user_id: i64, token_hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    query(
        "INSERT INTO calendar_feeds (user_id, token, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .execute(tx)
    .await
    .map(|n| n == 1)
}

/// Replaces a person's feed secret (the old feed address stops working).
pub async fn reset_feed(tx: &mut Tx, user_id: i64, token_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    query("INSERT INTO calendar_feeds (user_id, token, created_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .execute(tx)
        .await
        .map(|_| ())
}

/// The person whose feed secret has this digest.
pub async fn feed_owner<'c>(exec: impl Into<Exec<'c>>, token_hash: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> =
        query("SELECT user_id FROM calendar_feeds WHERE token = $1").bind(token_hash).fetch_optional(exec).await?;
    Ok(row.map(|r| r.0))
}

/// Feeds made before their secrets were stored as digests: (person, secret). A secret is
/// 43 characters, a digest 64.
pub async fn feeds_stored_in_plain<'c>(exec: impl Into<Exec<'c>>) -> Result<Vec<(i64, String)>, StoreError> {
    query("SELECT user_id, token FROM calendar_feeds WHERE LENGTH(token) = 43").fetch_all(exec).await
}

/// Replaces a feed's plain secret with its digest.
pub async fn store_feed_digest(tx: &mut Tx, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
    query("UPDATE calendar_feeds SET token = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(token_hash)
        .execute(tx)
        .await
        .map(|_| ())
}
