//! Program reports: completions, PD hours and credentials in a date range, counted by the place
//! each person is attributed to (their school, or their local when no school is recorded),
//! for the places inside one subtree. The application layer rolls these up to states,
//! districts or schools (`academy_app::reports`).
//!
//! Each query is one range scan of the subtree's paths joined to people and their records,
//! grouped in the database, so a national report returns one row per place with activity,
//! never one per enrollment. `enrollments_completed` (migration 20261205000010) lets a wide
//! scope read only the completions in the date range.

use crate::{Exec, StoreError, query};
use academy_core::org::subtree_bounds;
use academy_core::{OrgKind, OrgPath};
use chrono::{DateTime, Utc};

/// What the people attributed to one place did in a date range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlaceActivity {
    /// The place (a school, or a local for people without a school).
    pub org_id: i64,
    /// Where it sits.
    #[sqlx(try_from = "String")]
    pub path: OrgPath,
    /// People who completed at least one item.
    pub teachers: i64,
    /// Items completed.
    pub completions: i64,
    /// PD hours awarded for them, in tenths.
    pub pd_hours_tenths: i64,
}

/// The credentials earned by the people attributed to one place in a date range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlaceCredentials {
    /// The place.
    pub org_id: i64,
    /// Where it sits.
    #[sqlx(try_from = "String")]
    pub path: OrgPath,
    /// People who earned at least one.
    pub earners: i64,
    /// Credentials issued and not revoked.
    pub credentials: i64,
}

/// The two shapes of each report query. Both are plain SQL on both engines and return the same
/// rows; they differ in where the database may start. A report of the whole program lists its
/// tables with commas, and SQLite reads the date range's completions through
/// `enrollments_completed`, looking up each person. A report of a state, district or school
/// joins with `CROSS JOIN`, which makes SQLite start from the places in the subtree and their
/// people, so a school's report reads that school's records, not the nation's. (PostgreSQL
/// plans both as inner joins, from its statistics.)
macro_rules! by_place {
    ($join:literal, $records:literal, $select:literal, $filter:literal) => {
        concat!(
            "SELECT o.id AS org_id, o.path, ",
            $select,
            " FROM orgs o ",
            $join,
            " users u ",
            $join,
            " ",
            $records,
            " WHERE u.school_id = o.id AND o.path >= $1 AND o.path < $2 AND ",
            $filter,
            " GROUP BY o.id, o.path UNION ALL SELECT o.id AS org_id, o.path, ",
            $select,
            " FROM orgs o ",
            $join,
            " users u ",
            $join,
            " ",
            $records,
            " WHERE u.local_id = o.id AND u.school_id IS NULL AND o.path >= $1 AND o.path < $2 AND ",
            $filter,
            " GROUP BY o.id, o.path"
        )
    };
}

// PostgreSQL's SUM of BIGINT is NUMERIC: it is cast back so both engines decode an i64.
macro_rules! completions {
    ($join:literal) => {
        by_place!(
            $join,
            "enrollments e",
            "COUNT(DISTINCT e.user_id) AS teachers, COUNT(*) AS completions, CAST(COALESCE(SUM(e.pd_hours_tenths), 0) AS BIGINT) AS pd_hours_tenths",
            "e.user_id = u.id AND e.completed_at >= $3 AND e.completed_at < $4 AND e.status = 'completed'"
        )
    };
}
macro_rules! credentials {
    ($join:literal) => {
        by_place!(
            $join,
            "credentials c",
            "COUNT(DISTINCT c.user_id) AS earners, COUNT(*) AS credentials",
            "c.user_id = u.id AND c.issued_at >= $3 AND c.issued_at < $4 AND c.revoked_at IS NULL"
        )
    };
}
const COMPLETIONS_FROM_DAYS: &str = completions!(",");
const COMPLETIONS_FROM_PLACES: &str = completions!("CROSS JOIN");
const CREDENTIALS_FROM_DAYS: &str = credentials!(",");
const CREDENTIALS_FROM_PLACES: &str = credentials!("CROSS JOIN");

/// Completions of the people attributed to places at or below `within`, completed in
/// `[from, to)`, one row per place with any.
pub async fn completions_by_place<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PlaceActivity>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let statement = if within.ids().len() > 1 { COMPLETIONS_FROM_PLACES } else { COMPLETIONS_FROM_DAYS };
    query(statement).bind(low).bind(high).bind(from).bind(to).fetch_all(exec).await
}

/// Credentials (not revoked) issued in `[from, to)` to people attributed to places at or
/// below `within`, one row per place with any.
pub async fn credentials_by_place<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PlaceCredentials>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let statement = if within.ids().len() > 1 { CREDENTIALS_FROM_PLACES } else { CREDENTIALS_FROM_DAYS };
    query(statement).bind(low).bind(high).bind(from).bind(to).fetch_all(exec).await
}

/// What people with neither a school nor a local did in `[from, to)`: teachers, completions,
/// PD hours in tenths, credential earners and credentials. Only a report of the whole program
/// includes them, as they belong to no place below the root.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct UnplacedActivity {
    /// People who completed at least one item.
    pub teachers: i64,
    /// Items completed.
    pub completions: i64,
    /// PD hours, in tenths.
    pub pd_hours_tenths: i64,
    /// People who earned a credential.
    pub earners: i64,
    /// Credentials issued and not revoked.
    pub credentials: i64,
}

/// The activity of people placed nowhere in the tree, in `[from, to)`.
pub async fn unplaced_activity<'c>(
    exec: impl Into<Exec<'c>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<UnplacedActivity, StoreError> {
    let (teachers, completions, pd_hours_tenths, earners, credentials): (i64, i64, i64, i64, i64) = query(
        "SELECT (SELECT COUNT(DISTINCT e.user_id) FROM enrollments e JOIN users u ON u.id = e.user_id
                 WHERE u.school_id IS NULL AND u.local_id IS NULL AND e.completed_at >= $1 AND e.completed_at < $2
                   AND e.status = 'completed'),
                (SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id
                 WHERE u.school_id IS NULL AND u.local_id IS NULL AND e.completed_at >= $1 AND e.completed_at < $2
                   AND e.status = 'completed'),
                (SELECT CAST(COALESCE(SUM(e.pd_hours_tenths), 0) AS BIGINT) FROM enrollments e JOIN users u ON u.id = e.user_id
                 WHERE u.school_id IS NULL AND u.local_id IS NULL AND e.completed_at >= $1 AND e.completed_at < $2
                   AND e.status = 'completed'),
                (SELECT COUNT(DISTINCT c.user_id) FROM credentials c JOIN users u ON u.id = c.user_id
                 WHERE u.school_id IS NULL AND u.local_id IS NULL AND c.issued_at >= $1 AND c.issued_at < $2
                   AND c.revoked_at IS NULL),
                (SELECT COUNT(*) FROM credentials c JOIN users u ON u.id = c.user_id
                 WHERE u.school_id IS NULL AND u.local_id IS NULL AND c.issued_at >= $1 AND c.issued_at < $2
                   AND c.revoked_at IS NULL)",
    )
    .bind(from)
    .bind(to)
    .fetch_one(exec)
    .await?;
    Ok(UnplacedActivity { teachers, completions, pd_hours_tenths, earners, credentials })
}

/// A place a report has a row for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Place {
    /// Id.
    pub id: i64,
    /// What it is.
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    /// Name.
    pub name: String,
    /// Where it sits.
    #[sqlx(try_from = "String")]
    pub path: OrgPath,
    /// USPS state code.
    pub state: Option<String>,
}

/// Every node of one of `kinds` (one or two) at or below `within`, in id order (callers sort
/// for people: the engines collate names differently).
pub async fn places<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
    kinds: &[OrgKind],
) -> Result<Vec<Place>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let (Some(first), second) = (kinds.first().copied(), kinds.get(1).copied()) else {
        return Ok(Vec::new());
    };
    if kinds.len() > 2 {
        return Err(StoreError::Invalid("a report lists places of at most two kinds".into()));
    }
    query(
        "SELECT id, kind, name, path, state FROM orgs
         WHERE path >= $1 AND path < $2 AND kind IN ($3, $4) ORDER BY id",
    )
    .bind(low)
    .bind(high)
    .bind(first)
    .bind(second.unwrap_or(first))
    .fetch_all(exec)
    .await
}
