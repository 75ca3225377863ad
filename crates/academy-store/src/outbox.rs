//! The mail outbox: every message the app sends, readable by a program admin. When no SMTP
//! server is configured this is where mail goes; with SMTP it is a record of what was sent.

use crate::{Exec, StoreError, query};
use chrono::{DateTime, Utc};

/// A message as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OutboxMessage {
    /// Id.
    pub id: i64,
    /// The job that produced it.
    pub job_id: Option<i64>,
    /// Recipient.
    pub to_address: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// `outbox` (kept here for an admin to pass on) or `smtp` (delivered).
    pub transport: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A message to record.
#[derive(Debug, Clone)]
pub struct NewOutboxMessage<'a> {
    /// The job sending it; a second write for the same job is ignored, so a retried job
    /// records its message once.
    pub job_id: Option<i64>,
    /// Recipient.
    pub to_address: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Body.
    pub body: &'a str,
    /// `outbox` or `smtp`.
    pub transport: &'a str,
}

/// Records a message; returns false when this job already recorded one.
pub async fn insert<'c>(
    exec: impl Into<Exec<'c>>,
    message: &NewOutboxMessage<'_>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = query(
        "INSERT INTO outbox (job_id, to_address, subject, body, transport, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (job_id) DO NOTHING",
    )
    .bind(message.job_id)
    .bind(message.to_address)
    .bind(message.subject)
    .bind(message.body)
    .bind(message.transport)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(inserted == 1)
}

/// Newest messages first, optionally only those to `to_address`.
pub async fn list<'c>(
    exec: impl Into<Exec<'c>>,
    to_address: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    query(
        "SELECT id, job_id, to_address, subject, body, transport, created_at FROM outbox
         WHERE ($1 IS NULL OR to_address = $1) ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(to_address)
    .bind(limit)
    .bind(offset)
    .fetch_all(exec)
    .await
}

/// One message.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<OutboxMessage>, StoreError> {
    query("SELECT id, job_id, to_address, subject, body, transport, created_at FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// How many messages there are.
pub async fn count<'c>(exec: impl Into<Exec<'c>>) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM outbox").fetch_i64(exec).await
}
