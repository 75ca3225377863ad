//! Fresh, throw-away databases for tests and benchmarks, on either engine.
//!
//! SQLite gets a file in a temporary directory. PostgreSQL gets a new database on the server
//! named by `TEST_DATABASE_URL`, dropped again when the [`TestDatabase`] is dropped (even when
//! the test panics).

use crate::{Backend, Store, StoreError, StoreOptions};
use sqlx::Connection;
use std::path::PathBuf;

/// The environment variable naming the PostgreSQL server tests may create databases on.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A database that exists for the life of this value.
pub struct TestDatabase {
    /// The URL to open it with.
    pub url: String,
    backend: Backend,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

/// The PostgreSQL server URL for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL).ok().filter(|u| !u.trim().is_empty())
}

impl TestDatabase {
    /// Creates an empty database on `backend`. PostgreSQL needs `TEST_DATABASE_URL`.
    pub async fn create(backend: Backend) -> Result<Self, StoreError> {
        Self::create_on(backend, postgres_url().as_deref()).await
    }

    /// Creates an empty database on `backend`; PostgreSQL databases are created on the server
    /// at `postgres_server` (any database URL on it).
    pub async fn create_on(backend: Backend, postgres_server: Option<&str>) -> Result<Self, StoreError> {
        match backend {
            Backend::Sqlite => {
                let dir = TempDir::new()?;
                let url = format!("sqlite://{}", dir.path.join("academy.db").display());
                Ok(Self { url, backend, pg_admin_url: None, pg_name: None, _dir: Some(dir) })
            }
            Backend::Postgres => {
                let admin = postgres_server.map(str::to_owned).ok_or_else(|| {
                    StoreError::Config(format!("no PostgreSQL server given ({TEST_DATABASE_URL} is not set)"))
                })?;
                let name = format!("academy_t_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                // A database name cannot be a bound parameter; this one is generated above
                // from hex digits only.
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
                conn.close().await?;
                let url = replace_database(&admin, &name)?;
                Ok(Self { url, backend, pg_admin_url: Some(admin), pg_name: Some(name), _dir: None })
            }
        }
    }

    /// Opens the database and applies the migrations.
    pub async fn open(&self) -> Result<Store, StoreError> {
        let store = Store::connect(&self.url, &StoreOptions { max_connections: 8, ..StoreOptions::default() }).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Which engine it is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (Some(admin), Some(name)) = (self.pg_admin_url.take(), self.pg_name.take()) else {
            return;
        };
        // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(error) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await {
                        eprintln!("could not drop test database {name}: {error}");
                    }
                }
            });
        });
        let _ = cleanup.join();
    }
}

fn replace_database(url: &str, name: &str) -> Result<String, StoreError> {
    let mut parsed = url::Url::parse(url).map_err(|e| StoreError::Config(format!("{TEST_DATABASE_URL}: {e}")))?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// A directory removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self, StoreError> {
        let path = std::env::temp_dir().join(format!("academy-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).map_err(|e| StoreError::Config(format!("temp dir {}: {e}", path.display())))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
