//! People, their roles and their sign-in state.

use crate::orgs::escape_like;
use crate::{Exec, StoreError, Tx, query};
use academy_core::access::{Grant, Role};
use academy_core::org::subtree_bounds;
use academy_core::user::{NewUser, UserStatus};
use academy_core::{Email, OrgKind, OrgPath};
use chrono::{DateTime, Utc};

/// A person.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Sign-in address.
    #[sqlx(try_from = "String")]
    pub email: Email,
    /// Shown name.
    pub display_name: String,
    /// Account status.
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    /// Where they teach.
    pub school_id: Option<i64>,
    /// Their local union.
    pub local_id: Option<i64>,
    /// Last successful sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    /// Id.
    pub id: i64,
    /// argon2id PHC string, if a password was ever set.
    pub password_hash: Option<String>,
    /// Account status.
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    /// Failed attempts in a row.
    pub failed_logins: i64,
}

/// One role grant with the node it sits on.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct GrantRow {
    /// Grant id.
    pub id: i64,
    /// The person.
    pub user_id: i64,
    /// Role.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Node id.
    pub org_id: i64,
    /// Node path.
    #[sqlx(try_from = "String")]
    pub org_path: OrgPath,
    /// Node name.
    pub org_name: String,
    /// Node kind.
    #[sqlx(try_from = "String")]
    pub org_kind: OrgKind,
}

impl GrantRow {
    /// As the access rules see it.
    pub fn grant(&self) -> Grant {
        Grant { role: self.role, org_id: self.org_id, org_path: self.org_path.clone() }
    }
}

/// A person as listed to an admin.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Member {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    /// Their school's name.
    pub school_name: Option<String>,
}

/// Creates an account. A taken email is [`StoreError::Conflict`] on `email`.
pub async fn create(tx: &mut Tx, new: &NewUser, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let status = if new.password_hash.is_some() { UserStatus::Active } else { UserStatus::Invited };
    query(
        "INSERT INTO users (email, display_name, password_hash, status, school_id, local_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&new.email)
    .bind(new.display_name.as_str())
    .bind(new.password_hash.clone())
    .bind(status.as_str())
    .bind(new.school_id)
    .bind(new.local_id)
    .bind(now)
    .fetch_i64(tx)
    .await
}

/// One person by id.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<User>, StoreError> {
    query(
        "SELECT id, email, display_name, status, school_id, local_id, last_sign_in_at, created_at FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// One person by email.
pub async fn by_email<'c>(exec: impl Into<Exec<'c>>, email: &Email) -> Result<Option<User>, StoreError> {
    query(
        "SELECT id, email, display_name, status, school_id, local_id, last_sign_in_at, created_at FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(exec)
    .await
}

/// What sign-in needs, by email.
pub async fn credentials<'c>(exec: impl Into<Exec<'c>>, email: &Email) -> Result<Option<Credentials>, StoreError> {
    query("SELECT id, password_hash, status, failed_logins FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(exec)
        .await
}

/// Counts a failed sign-in (shown to admins; sign-in is slowed down in memory, never locked,
/// so that nobody can lock a teacher out by guessing). Returns the failures in a row.
pub async fn record_failed_sign_in<'c>(
    exec: impl Into<Exec<'c>>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    query("UPDATE users SET failed_logins = failed_logins + 1, updated_at = $2 WHERE id = $1 RETURNING failed_logins")
        .bind(id)
        .bind(now)
        .fetch_i64(exec)
        .await
}

/// Records a successful sign-in: failures and lock cleared.
pub async fn record_sign_in<'c>(exec: impl Into<Exec<'c>>, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    query("UPDATE users SET failed_logins = 0, last_sign_in_at = $2, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Sets a new password hash; an invited account becomes active, a lock is lifted.
pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    query(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3,
                status = CASE WHEN status = 'disabled' THEN 'disabled' ELSE 'active' END
         WHERE id = $1",
    )
    .bind(id)
    .bind(password_hash)
    .bind(now)
    .execute(tx)
    .await
    .map(|_| ())
}

/// Changes the shown name.
pub async fn set_display_name(tx: &mut Tx, id: i64, name: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    query("UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(tx)
        .await
        .map(|_| ())
}

/// Every role a person holds, with its node.
pub async fn grants<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<GrantRow>, StoreError> {
    query(
        "SELECT g.id, g.user_id, g.role, g.org_id, o.path AS org_path, o.name AS org_name, o.kind AS org_kind
         FROM role_grants g JOIN orgs o ON o.id = g.org_id WHERE g.user_id = $1 ORDER BY o.path, g.role",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
}

/// Where a person has a place in the tree: their school, their local and the nodes of their
/// roles (empty for someone with none of these).
pub async fn places<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<OrgPath>, StoreError> {
    let rows: Vec<(String,)> = query(
        "SELECT o.path FROM role_grants g JOIN orgs o ON o.id = g.org_id WHERE g.user_id = $1
         UNION SELECT o.path FROM users u JOIN orgs o ON o.id = u.school_id WHERE u.id = $1
         UNION SELECT o.path FROM users u JOIN orgs o ON o.id = u.local_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await?;
    rows.into_iter()
        .map(|(path,)| {
            OrgPath::try_from(path).map_err(|e| StoreError::Decode(format!("org path of user {user_id}: {e}")))
        })
        .collect()
}

/// Grants `role` on `org_id`; returns false when the person already held it there.
pub async fn add_grant(
    tx: &mut Tx,
    user_id: i64,
    org_id: i64,
    role: Role,
    granted_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = query(
        "INSERT INTO role_grants (user_id, org_id, role, granted_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, org_id, role) DO NOTHING",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(role)
    .bind(granted_by)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(inserted == 1)
}

/// One grant by id.
pub async fn grant<'c>(exec: impl Into<Exec<'c>>, grant_id: i64) -> Result<Option<GrantRow>, StoreError> {
    query(
        "SELECT g.id, g.user_id, g.role, g.org_id, o.path AS org_path, o.name AS org_name, o.kind AS org_kind
         FROM role_grants g JOIN orgs o ON o.id = g.org_id WHERE g.id = $1",
    )
    .bind(grant_id)
    .fetch_optional(exec)
    .await
}

/// Removes a grant.
pub async fn remove_grant(tx: &mut Tx, grant_id: i64) -> Result<bool, StoreError> {
    Ok(query("DELETE FROM role_grants WHERE id = $1").bind(grant_id).execute(tx).await? == 1)
}

/// People connected to the subtree at `within` (a role there, or their school or local
/// there), filtered by `text` in name or email, by name.
pub async fn members<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
    text: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let pattern = format!("%{}%", escape_like(&text.trim().to_lowercase()));
    query(
        "SELECT u.id, u.email, u.display_name, u.status, s.name AS school_name
         FROM users u LEFT JOIN orgs s ON s.id = u.school_id
         WHERE u.id IN (
               SELECT g.user_id FROM role_grants g JOIN orgs o ON o.id = g.org_id WHERE o.path >= $1 AND o.path < $2
               UNION SELECT m.id FROM users m JOIN orgs o ON o.id = m.school_id WHERE o.path >= $1 AND o.path < $2
               UNION SELECT m.id FROM users m JOIN orgs o ON o.id = m.local_id WHERE o.path >= $1 AND o.path < $2)
           AND (lower(u.email) LIKE $3 ESCAPE '\\' OR lower(u.display_name) LIKE $3 ESCAPE '\\')
         ORDER BY u.display_name, u.id LIMIT $4 OFFSET $5",
    )
    .bind(low)
    .bind(high)
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(exec)
    .await
}

/// How many people hold `role` at or below `within`.
pub async fn count_with_role<'c>(exec: impl Into<Exec<'c>>, within: &OrgPath, role: Role) -> Result<i64, StoreError> {
    let (low, high) = subtree_bounds(within);
    query(
        "SELECT COUNT(DISTINCT g.user_id) FROM role_grants g JOIN orgs o ON o.id = g.org_id
         WHERE o.path >= $1 AND o.path < $2 AND g.role = $3",
    )
    .bind(low)
    .bind(high)
    .bind(role)
    .fetch_i64(exec)
    .await
}

/// Teachers at or below `within`, counted by their school's locale and Title I flag, for
/// aggregate views. Schools without the attribute count under `None`, listed after those with
/// it (PostgreSQL sorts NULL last and SQLite first, so the order says so).
pub async fn teachers_by_school_attributes<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
) -> Result<Vec<(Option<String>, Option<bool>, i64)>, StoreError> {
    let (low, high) = subtree_bounds(within);
    query(
        "SELECT s.locale, s.title_i, COUNT(DISTINCT u.id)
         FROM users u JOIN orgs s ON s.id = u.school_id
         JOIN role_grants g ON g.user_id = u.id AND g.role = 'teacher'
         WHERE s.path >= $1 AND s.path < $2
         GROUP BY s.locale, s.title_i
         ORDER BY s.locale IS NULL, s.locale, s.title_i IS NULL, s.title_i",
    )
    .bind(low)
    .bind(high)
    .fetch_all(exec)
    .await
}
