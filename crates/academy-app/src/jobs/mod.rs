//! The job worker: claims due jobs from the store's queue and runs each kind's handler.
//!
//! To add a kind of job: define its payload struct implementing [`academy_store::jobs::Job`]
//! and its `run` beside the use case that queues it, and add one arm to [`dispatch`]. The
//! worker depends on the use cases, never the other way round.

use crate::App;
use crate::account_emails::{self, SendAccountEmail};
use crate::learn::credentials::{self, IssueCredential};
use crate::learn::session_emails::{self, SessionEmail};
use crate::offers::{self, SendOfferEmail};
use academy_core::time;
use academy_store::jobs::{self, ClaimedJob, Job};
use anyhow::anyhow;
use chrono::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Runs one claimed job to completion.
async fn dispatch(ctx: &App, job: &ClaimedJob) -> anyhow::Result<()> {
    match job.kind.as_str() {
        SendAccountEmail::KIND => account_emails::run(ctx, job.id, job.decode()?).await,
        SessionEmail::KIND => session_emails::run(ctx, job.id, job.decode()?).await,
        IssueCredential::KIND => credentials::run_issue(ctx, job.id, job.decode()?).await,
        SendOfferEmail::KIND => offers::run(ctx, job.id, job.decode()?).await,
        other => Err(anyhow!("no handler for job kind '{other}'")),
    }
}

/// How long a claimed job is held before another worker may take it over.
const LEASE_MINUTES: i64 = 5;
/// How often an idle worker looks for due jobs that no local commit announced (jobs enqueued
/// by another process, retries coming due).
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Claims and runs jobs until `shutdown` turns true, then lets running jobs finish.
pub async fn run_worker(ctx: App, name: String, concurrency: usize, mut shutdown: watch::Receiver<bool>) {
    let mut running: JoinSet<()> = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let free = concurrency.saturating_sub(running.len());
        if free > 0 {
            let free = i64::try_from(free).unwrap_or(1);
            match jobs::claim(&ctx.store, &name, free, Duration::minutes(LEASE_MINUTES), time::now()).await {
                Ok(batch) => {
                    let claimed = batch.len();
                    for job in batch {
                        let ctx = ctx.clone();
                        let name = name.clone();
                        running.spawn(async move { run_one(&ctx, &name, job).await });
                    }
                    if claimed as i64 == free {
                        // There may be more: come straight back once a slot frees.
                        let _ = running.join_next().await;
                        continue;
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "claiming jobs failed");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
        tokio::select! {
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = ctx.store.wait_for_jobs(POLL) => {}
            _ = shutdown.changed() => {}
        }
    }
    let drain = async { while running.join_next().await.is_some() {} };
    if tokio::time::timeout(std::time::Duration::from_secs(30), drain).await.is_err() {
        tracing::warn!("jobs still running at shutdown; their leases will expire and another worker will retry them");
    }
}

async fn run_one(ctx: &App, worker: &str, job: ClaimedJob) {
    let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
    // The span must follow the future across its awaits, not stay entered on the thread.
    tracing::Instrument::instrument(run_one_in_span(ctx, worker, job), span).await
}

async fn run_one_in_span(ctx: &App, worker: &str, job: ClaimedJob) {
    let started = std::time::Instant::now();
    let outcome = if job.attempts > job.max_attempts {
        Err(anyhow!("gave up after {} attempts (the worker running it stopped)", job.max_attempts))
    } else {
        dispatch(ctx, &job).await
    };
    let now = time::now();
    let recorded = match &outcome {
        Ok(()) => {
            tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "job done");
            jobs::complete(&ctx.store, job.id, worker, now).await
        }
        Err(error) => {
            let retry = (job.attempts < job.max_attempts).then(|| now + jobs::backoff(job.attempts, jitter(job.id)));
            tracing::warn!(error = format!("{error:#}"), retry = retry.is_some(), "job failed");
            jobs::fail(&ctx.store, job.id, worker, &format!("{error:#}"), retry, now).await
        }
    };
    let label = if outcome.is_ok() { "done" } else { "failed" };
    metrics::counter!("jobs_total", "kind" => job.kind.clone(), "outcome" => label).increment(1);
    match recorded {
        Ok(true) => {}
        Ok(false) => tracing::warn!("the job's lease was lost before its outcome was recorded"),
        Err(error) => tracing::error!(%error, "recording the job's outcome failed"),
    }
}

/// A spread in [0, 1) that differs from job to job, without a random source.
fn jitter(id: i64) -> f64 {
    ((id.wrapping_mul(2_654_435_761) % 1000).abs() as f64) / 1000.0
}

/// Periodic clean-up the server runs every few minutes: expired sessions and finished jobs
/// older than a week. Failures are logged and tried again next time.
pub async fn housekeeping(app: &App) {
    let now = time::now();
    match academy_store::sessions::purge_expired(&app.store, now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "removing expired sessions failed"),
    }
    if let Err(error) = jobs::prune_done(&app.store, now - Duration::days(7)).await {
        tracing::warn!(%error, "pruning finished jobs failed");
    }
}
