//! The audit log: who changed what, for admins and for investigations.

use crate::{Exec, StoreError, query};
use chrono::{DateTime, Utc};

/// An entry as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEvent {
    /// Id.
    pub id: i64,
    /// Who did it; `None` for the system or a deleted account.
    pub actor_id: Option<i64>,
    /// What was done (`org.create`, `grant.add`).
    pub action: String,
    /// What it was done to (`org:42`, `user:7`).
    pub subject: String,
    /// A short description.
    pub detail: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Appends an entry.
pub async fn record<'c>(
    exec: impl Into<Exec<'c>>,
    actor_id: Option<i64>,
    action: &str,
    subject: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query("INSERT INTO audit_events (actor_id, action, subject, detail, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(actor_id)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .bind(now)
        .execute(exec)
        .await
        .map(|_| ())
}

/// The latest entries about `subject`, newest first.
pub async fn for_subject<'c>(
    exec: impl Into<Exec<'c>>,
    subject: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    query(
        "SELECT id, actor_id, action, subject, detail, created_at FROM audit_events WHERE subject = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(subject)
    .bind(limit)
    .fetch_all(exec)
    .await
}
