//! The durable job queue, in the same database as everything else.
//!
//! - A job is a serde struct implementing [`Job`]; it is enqueued with [`enqueue`] inside the
//!   transaction of the change that causes it, so it exists exactly when the change does.
//! - Workers [`claim`] a batch under a lease. On PostgreSQL several workers (in several
//!   processes) claim with `FOR UPDATE SKIP LOCKED`; on SQLite the single writer serializes
//!   the claiming statement, which is one atomic `UPDATE … RETURNING`.
//! - A job whose worker died is claimed again once its lease runs out.
//! - A failed job is retried with exponential backoff until `max_attempts`, then kept as
//!   `failed` with its last error for an admin to see.
//! - Jobs must be idempotent: they may run more than once. A `dedupe_key` makes enqueueing
//!   the same logical job twice a no-op.
//!
//! No maintained crate fitted: apalis, sqlxmq, graphile_worker and underway each either
//! support one engine or cannot enqueue inside a caller's transaction on both.

use crate::query::stored_enum;
use crate::{Backend, Exec, Store, StoreError, Tx, query};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A kind of background work.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored name of the kind; never change it once jobs of it exist.
    const KIND: &'static str;
    /// How many times to try before giving up.
    const MAX_ATTEMPTS: i64 = 8;

    /// A key that makes a second enqueue of the same logical job a no-op.
    fn dedupe_key(&self) -> Option<String> {
        None
    }
}

/// Adds a job to the queue inside `tx`; it becomes visible when `tx` commits. Returns the new
/// job's id, or `None` when a job with the same dedupe key already exists.
pub async fn enqueue<J: Job>(
    tx: &mut Tx,
    job: &J,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let payload = serde_json::to_string(job).map_err(|e| StoreError::Invalid(format!("job payload: {e}")))?;
    let row: Option<(i64,)> = query(
        "INSERT INTO jobs (kind, payload, dedupe_key, status, attempts, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $6)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(J::KIND)
    .bind(payload)
    .bind(job.dedupe_key())
    .bind(J::MAX_ATTEMPTS)
    .bind(run_at)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.enqueued = true;
    Ok(row.map(|r| r.0))
}

/// A job a worker holds under lease.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    /// Id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
}

impl ClaimedJob {
    /// The payload as its job type.
    pub fn decode<J: Job>(&self) -> Result<J, StoreError> {
        serde_json::from_str(&self.payload)
            .map_err(|e| StoreError::Decode(format!("{} job {}: {e}", self.kind, self.id)))
    }
}

/// Claims up to `limit` due jobs for `worker`, holding them until `now + lease`.
pub async fn claim(
    store: &Store,
    worker: &str,
    limit: i64,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<ClaimedJob>, StoreError> {
    // Expired leases first, then due jobs in order. Each half walks its own partial index and
    // stops at `limit`, so a claim costs the same with ten jobs queued or a hundred thousand
    // (one `OR` over both halves made the engines gather and sort every due job).
    let q = match store.backend() {
        Backend::Postgres => query(
            "WITH expired AS (
                 SELECT id FROM jobs WHERE status = 'running' AND locked_until < $3
                 ORDER BY locked_until, id LIMIT $4 FOR UPDATE SKIP LOCKED),
             due AS (
                 SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3
                 ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
             UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3
             WHERE id IN (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM due) AS claimable LIMIT $4)
             RETURNING id, kind, payload, attempts, max_attempts",
        ),
        Backend::Sqlite => query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3
             WHERE id IN (
                 SELECT id FROM (SELECT id FROM jobs WHERE status = 'running' AND locked_until < $3
                                 ORDER BY locked_until, id LIMIT $4)
                 UNION ALL
                 SELECT id FROM (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3
                                 ORDER BY run_at, id LIMIT $4)
                 LIMIT $4)
             RETURNING id, kind, payload, attempts, max_attempts",
        ),
    };
    let mut jobs: Vec<ClaimedJob> = q.bind(worker).bind(now + lease).bind(now).bind(limit).fetch_all(store).await?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Marks a held job done. Returns false if the lease was lost to another worker.
pub async fn complete<'c>(
    exec: impl Into<Exec<'c>>,
    id: i64,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = query(
        "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, finished_at = $3, updated_at = $3
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(n == 1)
}

/// Records a failure: the job is queued again at `retry_at`, or marked failed when `None`.
pub async fn fail<'c>(
    exec: impl Into<Exec<'c>>,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let error: String = error.chars().take(2000).collect();
    let n = query(
        "UPDATE jobs SET status = CASE WHEN $4 IS NULL THEN 'failed' ELSE 'queued' END,
                run_at = COALESCE($4, run_at), locked_by = NULL, locked_until = NULL, last_error = $3,
                finished_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END, updated_at = $5
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(n == 1)
}

/// When to try again after `attempts` failed tries: 5 s doubling each time, at most an hour,
/// spread by `jitter` (0.0–1.0) so that a burst of failures does not retry in lockstep.
pub fn backoff(attempts: i64, jitter: f64) -> Duration {
    let base = 5_i64.saturating_mul(1_i64 << attempts.clamp(0, 20)).min(3600);
    let spread = (base as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + spread)
}

stored_enum! {
    /// Where a job stands.
    pub enum JobStatus {
        /// Waiting to run (now or at its `run_at`).
        Queued = "queued",
        /// Claimed by a worker.
        Running = "running",
        /// Finished.
        Done = "done",
        /// Gave up after its attempts; kept with its error.
        Failed = "failed",
    }
}

/// A job as listed to an admin.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct JobRow {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Queued, running, done or failed.
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// When it is due.
    pub run_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// One job.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<JobRow>, StoreError> {
    query(
        "SELECT id, kind, status, attempts, max_attempts, run_at, last_error, created_at, finished_at FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// The latest jobs, optionally of one status, newest first.
pub async fn list<'c>(
    exec: impl Into<Exec<'c>>,
    status: Option<JobStatus>,
    limit: i64,
) -> Result<Vec<JobRow>, StoreError> {
    query(
        "SELECT id, kind, status, attempts, max_attempts, run_at, last_error, created_at, finished_at FROM jobs
         WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// How many jobs are in each status.
pub async fn counts<'c>(exec: impl Into<Exec<'c>>) -> Result<Vec<(String, i64)>, StoreError> {
    query("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status").fetch_all(exec).await
}

/// How many jobs are due or running at `now` (jobs scheduled for later do not count).
pub async fn due_or_running<'c>(exec: impl Into<Exec<'c>>, now: DateTime<Utc>) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM jobs WHERE status = 'running' OR (status = 'queued' AND run_at <= $1)")
        .bind(now)
        .fetch_i64(exec)
        .await
}

/// How many jobs of `kind` are in `status` (`queued`, `running`, `done`, `failed`).
pub async fn count_of<'c>(exec: impl Into<Exec<'c>>, kind: &str, status: JobStatus) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = $2").bind(kind).bind(status).fetch_i64(exec).await
}

/// When each finished job of `kind` was enqueued and when it finished (for benchmarks).
pub async fn done_spans<'c>(
    exec: impl Into<Exec<'c>>,
    kind: &str,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, StoreError> {
    query("SELECT created_at, finished_at FROM jobs WHERE kind = $1 AND status = 'done' AND finished_at IS NOT NULL")
        .bind(kind)
        .fetch_all(exec)
        .await
}

/// Deletes finished jobs older than `before`; failed jobs are kept for inspection.
pub async fn prune_done<'c>(exec: impl Into<Exec<'c>>, before: DateTime<Utc>) -> Result<u64, StoreError> {
    query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1").bind(before).execute(exec).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0, 0.0), Duration::seconds(5));
        assert_eq!(backoff(1, 0.0), Duration::seconds(10));
        assert_eq!(backoff(3, 0.0), Duration::seconds(40));
        assert_eq!(backoff(30, 0.0), Duration::seconds(3600));
        assert_eq!(backoff(3, 1.0), Duration::seconds(50));
    }
}
