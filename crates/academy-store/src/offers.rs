//! Offers: a role at a node, or a place in a cohort, offered to someone outside the offerer's
//! part of the tree. Nothing changes for that person until they accept it.

use crate::pathways::CohortRole;
use crate::query::stored_enum;
use crate::{Exec, StoreError, Tx, query};
use academy_core::access::Role;
use chrono::{DateTime, Utc};

stored_enum! {
    /// What is offered.
    pub enum OfferKind {
        /// A role at a node.
        Grant = "grant",
        /// A place in a cohort (and so its pathway).
        Cohort = "cohort",
    }
}

stored_enum! {
    /// Where an offer stands.
    pub enum OfferStatus {
        /// Waiting for an answer (until it expires).
        Pending = "pending",
        /// Taken: the role or the place was given.
        Accepted = "accepted",
        /// Turned down.
        Declined = "declined",
    }
}

/// An offer as stored, with the names its page shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Offer {
    /// Id.
    pub id: i64,
    /// The person it is made to.
    pub user_id: i64,
    /// A role or a cohort place.
    #[sqlx(try_from = "String")]
    pub kind: OfferKind,
    /// The node of the role, or the cohort's organization.
    pub org_id: i64,
    /// That node's name.
    pub org_name: String,
    /// The role offered (grants).
    pub role: Option<String>,
    /// The cohort (cohort places).
    pub cohort_id: Option<i64>,
    /// The cohort's name.
    pub cohort_name: Option<String>,
    /// Member or facilitator of the cohort.
    pub cohort_role: Option<String>,
    /// Who made it.
    pub offered_by: Option<i64>,
    /// Their name, when they still have an account.
    pub offered_by_name: Option<String>,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: OfferStatus,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// After this it can no longer be accepted.
    pub expires_at: DateTime<Utc>,
    /// Accepted or declined.
    pub decided_at: Option<DateTime<Utc>>,
}

impl Offer {
    /// The role offered, for grants.
    pub fn role(&self) -> Result<Option<Role>, StoreError> {
        self.role
            .as_deref()
            .map(|r| r.parse::<Role>().map_err(|_| StoreError::Decode(format!("role of offer {}: '{r}'", self.id))))
            .transpose()
    }

    /// The cohort role offered, for cohort places.
    pub fn cohort_role(&self) -> Result<Option<CohortRole>, StoreError> {
        self.cohort_role
            .clone()
            .map(|r| CohortRole::try_from(r).map_err(|e| StoreError::Decode(format!("offer {}: {e}", self.id))))
            .transpose()
    }

    /// Whether it may still be accepted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status == OfferStatus::Pending && self.expires_at > now
    }
}

/// What an offer gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    /// `role` at the node `org_id`.
    Grant {
        /// The node.
        org_id: i64,
        /// The role.
        role: Role,
    },
    /// A place in `cohort_id` (at `org_id`) as `role`.
    Cohort {
        /// The cohort's organization.
        org_id: i64,
        /// The cohort.
        cohort_id: i64,
        /// Member or facilitator.
        role: CohortRole,
    },
}

/// The offers with their names, followed by `$tail` (a `WHERE` clause).
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT f.id, f.user_id, f.kind, f.org_id, o.name AS org_name, f.role, f.cohort_id,
                    c.name AS cohort_name, f.cohort_role, f.offered_by, b.display_name AS offered_by_name, f.status,
                    f.created_at, f.expires_at, f.decided_at
             FROM offers f JOIN orgs o ON o.id = f.org_id
             LEFT JOIN cohorts c ON c.id = f.cohort_id LEFT JOIN users b ON b.id = f.offered_by ",
            $tail
        )
    };
}

/// The open offer to `user_id` of the same thing, if one was made already (and has not
/// expired at `now`).
pub async fn find_open<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    offered: Offered,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let (kind, org_id, role, cohort_id) = match offered {
        Offered::Grant { org_id, role } => (OfferKind::Grant, org_id, Some(role.as_str()), None),
        Offered::Cohort { org_id, cohort_id, .. } => (OfferKind::Cohort, org_id, None, Some(cohort_id)),
    };
    let rows: Vec<(i64,)> = query(
        "SELECT id FROM offers WHERE user_id = $1 AND kind = $2 AND org_id = $3
           AND (role = $4 OR $4 IS NULL) AND (cohort_id = $5 OR $5 IS NULL)
           AND status = 'pending' AND expires_at > $6
         ORDER BY id LIMIT 1",
    )
    .bind(user_id)
    .bind(kind)
    .bind(org_id)
    .bind(role.map(str::to_owned))
    .bind(cohort_id)
    .bind(now)
    .fetch_all(exec)
    .await?;
    Ok(rows.first().map(|(id,)| *id))
}

/// Records a pending offer; returns its id.
pub async fn create(
    tx: &mut Tx,
    user_id: i64,
    offered: Offered,
    offered_by: Option<i64>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (kind, org_id, role, cohort_id, cohort_role) = match offered {
        Offered::Grant { org_id, role } => (OfferKind::Grant, org_id, Some(role.as_str().to_owned()), None, None),
        Offered::Cohort { org_id, cohort_id, role } => {
            (OfferKind::Cohort, org_id, None, Some(cohort_id), Some(role.as_str().to_owned()))
        }
    };
    query(
        "INSERT INTO offers (user_id, kind, org_id, role, cohort_id, cohort_role, offered_by, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id",
    )
    .bind(user_id)
    .bind(kind)
    .bind(org_id)
    .bind(role)
    .bind(cohort_id)
    .bind(cohort_role)
    .bind(offered_by)
    .bind(now)
    .bind(expires_at)
    .fetch_i64(tx)
    .await
}

/// One offer by id.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Offer>, StoreError> {
    query(select!("WHERE f.id = $1")).bind(id).fetch_optional(exec).await
}

/// The offers waiting for `user_id`'s answer at `now`, oldest first.
pub async fn open_for<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Offer>, StoreError> {
    query(select!("WHERE f.user_id = $1 AND f.status = 'pending' AND f.expires_at > $2 ORDER BY f.created_at, f.id"))
        .bind(user_id)
        .bind(now)
        .fetch_all(exec)
        .await
}

/// Records the answer to a pending offer; false when it was no longer pending (answered in
/// another tab, say).
pub async fn decide(tx: &mut Tx, id: i64, status: OfferStatus, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = query("UPDATE offers SET status = $2, decided_at = $3 WHERE id = $1 AND status = 'pending'")
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(tx)
        .await?;
    Ok(changed == 1)
}
