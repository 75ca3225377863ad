//! Sign-in sessions and single-use account tokens (password reset, invitation).
//!
//! Both are looked up by the SHA-256 digest of the secret the person holds.

use crate::{Exec, StoreError, Tx, query};
use academy_core::token::TokenHash;
use academy_core::user::UserStatus;
use chrono::{DateTime, Utc};

/// A live session and who it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    /// The person.
    pub user_id: i64,
    /// The token forms must echo back.
    pub csrf_token: String,
    /// Last time the session was used (to the nearest few minutes).
    pub last_seen_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// The person's email.
    pub email: String,
    /// Their name.
    pub display_name: String,
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Digest of the cookie token.
    pub token_hash: &'a TokenHash,
    /// The person.
    pub user_id: i64,
    /// The CSRF token for their forms.
    pub csrf_token: &'a str,
    /// When it ends unless used again.
    pub expires_at: DateTime<Utc>,
    /// Client address, for the person's own session list.
    pub ip: Option<String>,
    /// Client software, likewise.
    pub user_agent: Option<String>,
}

/// Stores a new session.
pub async fn create<'c>(exec: impl Into<Exec<'c>>, new: &NewSession<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(new.token_hash.as_str())
    .bind(new.user_id)
    .bind(new.csrf_token)
    .bind(now)
    .bind(new.expires_at)
    .bind(new.ip.clone())
    .bind(new.user_agent.clone())
    .execute(exec)
    .await
    .map(|_| ())
}

/// The live session with this digest, if it has not expired and its account is active.
pub async fn find<'c>(
    exec: impl Into<Exec<'c>>,
    token_hash: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<SessionRecord>, StoreError> {
    query(
        "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.email, u.display_name
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.status = $3",
    )
    .bind(token_hash.as_str())
    .bind(now)
    .bind(UserStatus::Active.as_str())
    .fetch_optional(exec)
    .await
}

/// Extends a session that is being used.
pub async fn touch<'c>(
    exec: impl Into<Exec<'c>>,
    token_hash: &TokenHash,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
        .bind(token_hash.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Ends one session.
pub async fn delete<'c>(exec: impl Into<Exec<'c>>, token_hash: &TokenHash) -> Result<(), StoreError> {
    query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash.as_str()).execute(exec).await.map(|_| ())
}

/// Ends every session of a person (after a password change, for instance).
pub async fn delete_for_user<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<u64, StoreError> {
    query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(exec).await
}

/// Removes sessions that have ended.
pub async fn purge_expired<'c>(exec: impl Into<Exec<'c>>, now: DateTime<Utc>) -> Result<u64, StoreError> {
    query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(exec).await
}

/// What an account token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// A forgotten password.
    PasswordReset,
    /// Choosing a first password after an invitation.
    Invitation,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::Invitation => "invitation",
        }
    }
}

/// Stores a new account token.
pub async fn create_account_token(
    tx: &mut Tx,
    token_hash: &TokenHash,
    user_id: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash.as_str())
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(tx)
    .await
    .map(|_| ())
}

/// The person an unused, unexpired token belongs to, without using it up.
pub async fn peek_account_token<'c>(
    exec: impl Into<Exec<'c>>,
    token_hash: &TokenHash,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = query(
        "SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash.as_str())
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Uses up a token; returns its person if it was unused and unexpired. Other outstanding
/// tokens of the same purpose for that person are used up too, so an older emailed link
/// stops working once a newer one is used.
pub async fn consume_account_token(
    tx: &mut Tx,
    token_hash: &TokenHash,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = query(
        "UPDATE account_tokens SET used_at = $4
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
    )
    .bind(token_hash.as_str())
    .bind(purpose.as_str())
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((user_id,)) = row {
        query("UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(row.map(|r| r.0))
}
