//! Academy's persistence: one [`Store`] over SQLite (embedded, the default) or PostgreSQL,
//! chosen from the database URL at start-up.
//!
//! - [`query`]: the small dialect layer. Every statement is written once in portable SQL with
//!   `$1` placeholders and run on whichever engine the store holds.
//! - [`orgs`], [`users`], [`sessions`], [`outbox`], [`audit`]: the tables of the foundation;
//!   [`offers`]: roles and cohort places waiting for the person offered them to accept.
//! - [`catalog`], [`progress`], [`workshops`], [`pathways`], [`credentials`], [`statements`]:
//!   learning — the catalog and its content, enrollments and progress, live sessions,
//!   pathways and cohorts, Open Badges credentials, and the xAPI event store; [`feedback`]:
//!   facilitators' feedback and the rows they review.
//! - [`reports`]: program reports — completions, PD hours and credentials by place, for a
//!   date range, grouped in the database.
//! - [`jobs`]: the durable job queue (transactional enqueue, safe claiming, retry with backoff).
//! - [`bulk`]: bulk loading for generators and benchmarks (PostgreSQL `COPY`, SQLite multi-row
//!   inserts).
//! - [`schema`]: the tables, columns and indexes the migrations built, read back from either
//!   engine's catalog.
//! - [`testing`]: fresh databases for tests and benchmarks.
//! - Migrations live in `migrations/sqlite` and `migrations/postgres`, embedded at build time,
//!   only ever added to.
//!
//! Dialect-specific SQL is kept to the few places that need it and marked with
//! [`Backend`] matches.

pub mod audit;
pub mod bulk;
pub mod catalog;
pub mod credentials;
pub mod error;
pub mod feedback;
pub mod jobs;
pub mod offers;
pub mod orgs;
pub mod outbox;
pub mod pathways;
pub mod progress;
pub mod query;
pub mod reports;
pub mod schema;
pub mod sessions;
pub mod statements;
pub mod testing;
pub mod users;
pub mod workshops;

pub use error::StoreError;
pub use query::{Exec, Query, Record, query};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL, over a connection.
    Postgres,
}

impl Backend {
    /// Lower-case name for logs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database, shared by the whole app. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Woken when a transaction that enqueued jobs commits, so that workers in this process
    /// pick them up at once instead of at their next poll.
    jobs_ready: Arc<Notify>,
}

/// Options for opening a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections the pool keeps.
    pub max_connections: u32,
    /// How long a request waits for a connection before failing.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 16, acquire_timeout: Duration::from_secs(10) }
    }
}

impl Store {
    /// Opens the database at `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://…`.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let pool = if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("bad SQLite URL '{url}': {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-32000");
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect =
                PgConnectOptions::from_str(url).map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Pool::Postgres(pool)
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite://FILE or postgres://…",
                url.split('@').next_back().unwrap_or(url)
            )));
        };
        Ok(Self { pool, jobs_ready: Arc::new(Notify::new()) })
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every embedded migration not yet applied, in order.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// that a transaction that reads before it writes cannot fail half-way on a busy database.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx { inner, enqueued: false, jobs_ready: self.jobs_ready.clone() })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        query("SELECT CAST(1 AS BIGINT)").fetch_one::<(i64,)>(self).await.map(|_| ())
    }

    /// Waits until a transaction that enqueued jobs commits in this process, or `timeout` passes.
    pub async fn wait_for_jobs(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.jobs_ready.notified()).await;
    }

    /// Closes every connection; used at shutdown.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// How many bytes the database takes on disk.
    pub async fn size_bytes(&self) -> Result<i64, StoreError> {
        let sql = match self.backend() {
            Backend::Postgres => "SELECT CAST(pg_database_size(current_database()) AS BIGINT)",
            Backend::Sqlite => {
                "SELECT CAST(page_count * page_size AS BIGINT) FROM pragma_page_count(), pragma_page_size()"
            }
        };
        query(sql).fetch_i64(self).await
    }

    /// Connections open and idle, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        }
    }
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A database transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: TxInner,
    enqueued: bool,
    jobs_ready: Arc<Notify>,
}

impl Tx {
    /// Which engine the transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits, then wakes job workers if jobs were enqueued.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        if self.enqueued {
            self.jobs_ready.notify_waiters();
        }
        Ok(())
    }

    /// Rolls back explicitly.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}
