//! Bulk loading: many rows into one table as fast as each engine takes them, for generators,
//! imports and benchmarks. This is the one place with dialect-specific loading code.
//!
//! - PostgreSQL: `COPY table (columns) FROM STDIN` in text format, one `COPY` per chunk of
//!   rows. At the end, a table with a `BIGSERIAL` id has its sequence moved past the largest id
//!   loaded, and the table is `ANALYZE`d (what autovacuum would do shortly after).
//! - SQLite: multi-row `INSERT … VALUES (?, …), (?, …)` statements, as many rows each as fit
//!   under SQLite's limit of 32,766 bound parameters, in one `BEGIN IMMEDIATE` transaction per
//!   chunk.
//!
//! Values travel as bound parameters or as `COPY` data, never inside SQL: statements are put
//! together only from the fixed names of [`Table`] and placeholders. Nothing is switched off:
//! foreign keys are checked, unique keys enforced, and triggers fire (SQLite's full-text index
//! of the catalog stays in step), so parents must be loaded before their children. Rows that
//! others reference carry explicit ids ([`Table::next_id`] says where to start).
//!
//! While one chunk is being written the caller builds the next one: a loader keeps at most
//! one chunk in flight.

use crate::query::Value;
use crate::{Backend, Pool, Store, StoreError, TxInner};
use chrono::SecondsFormat;
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// SQLite's default (and the bundled library's) most bound parameters in one statement.
const SQLITE_MAX_PARAMETERS: usize = 32_766;
/// Most rows in one SQLite statement; beyond this, longer statements stop paying off.
const SQLITE_MAX_ROWS_PER_STATEMENT: usize = 2_000;
/// Rows per chunk (one transaction, or one `COPY`) unless the caller chooses.
const DEFAULT_CHUNK_ROWS: usize = 50_000;

macro_rules! tables {
    ($($(#[$meta:meta])* $variant:ident = $table:literal ($columns:literal), serial: $serial:literal;)+) => {
        /// A table the bulk loader fills, with the columns each row gives, in order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Table {
            $($(#[$meta])* $variant),+
        }

        impl Table {
            /// The table's name.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $table),+ }
            }

            /// The columns a row gives, in order, comma-separated.
            pub fn columns(self) -> &'static str {
                match self { $(Self::$variant => $columns),+ }
            }

            fn copy_sql(self) -> &'static str {
                match self { $(Self::$variant => concat!("COPY ", $table, " (", $columns, ") FROM STDIN")),+ }
            }

            fn insert_prefix(self) -> &'static str {
                match self { $(Self::$variant => concat!("INSERT INTO ", $table, " (", $columns, ") VALUES ")),+ }
            }

            fn analyze_sql(self) -> &'static str {
                match self { $(Self::$variant => concat!("ANALYZE ", $table)),+ }
            }

            /// The statement that moves the id sequence past the largest id (PostgreSQL).
            fn resync_sql(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => $serial.then_some(concat!(
                        "SELECT setval(pg_get_serial_sequence('", $table, "', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM ",
                        $table, "), false)"
                    ))),+
                }
            }

            fn max_id_sql(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => $serial.then_some(concat!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM ", $table))),+
                }
            }
        }
    };
}

tables! {
    /// The organization tree.
    Orgs = "orgs" ("id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at, updated_at"), serial: true;
    /// People.
    Users = "users" ("id, email, display_name, password_hash, status, school_id, local_id, created_at, updated_at"), serial: true;
    /// Roles on organizations.
    RoleGrants = "role_grants" ("id, user_id, org_id, role, granted_by, created_at"), serial: true;
    /// Sign-in sessions.
    Sessions = "sessions" ("token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent"), serial: false;
    /// Catalog items.
    CatalogItems = "catalog_items" ("id, slug, kind, strand, delivery, title, summary, description_md, minutes, pd_hours_tenths, credential_bearing, status, version, authors, license, created_by, created_at, updated_at"), serial: true;
    /// Grade bands of catalog items.
    CatalogItemGrades = "catalog_item_grades" ("item_id, band"), serial: false;
    /// Subjects of catalog items.
    CatalogItemSubjects = "catalog_item_subjects" ("item_id, subject"), serial: false;
    /// Modules of items.
    ItemModules = "item_modules" ("id, item_id, position, title"), serial: true;
    /// Steps of items.
    ItemSteps = "item_steps" ("id, item_id, module_id, position, kind, title, file, body_md, quiz, min_words, completion_rule, completion_params"), serial: true;
    /// Pathways.
    Pathways = "pathways" ("id, slug, title, summary, description_md, criteria_md, optional_required, status, created_by, created_at, updated_at"), serial: true;
    /// Items of pathways.
    PathwayItems = "pathway_items" ("pathway_id, item_id, required, position"), serial: false;
    /// Members of pathways.
    PathwayMembers = "pathway_members" ("pathway_id, user_id, joined_at"), serial: false;
    /// Completed pathways.
    PathwayCompletions = "pathway_completions" ("pathway_id, user_id, completed_at, pd_hours_tenths"), serial: false;
    /// Enrollments.
    Enrollments = "enrollments" ("id, user_id, item_id, status, registration, cohort_id, current_step_id, pd_hours_tenths, enrolled_at, started_at, completed_at, updated_at"), serial: true;
    /// Progress on steps.
    StepProgress = "step_progress" ("enrollment_id, step_id, status, response, completed_at, updated_at"), serial: false;
}

impl Table {
    /// How many values a row of this table has.
    pub fn width(self) -> usize {
        self.columns().split(',').count()
    }

    /// The first free id of a table with a generated id (1 for an empty table); `None` for
    /// tables keyed otherwise.
    pub async fn next_id(self, store: &Store) -> Result<Option<i64>, StoreError> {
        let Some(sql) = self.max_id_sql() else { return Ok(None) };
        Ok(Some(crate::query(sql).fetch_i64(store).await? + 1))
    }
}

/// Rows gathered for the next chunk, already in the form the engine takes them.
enum Buffer {
    /// Values in row order, bound when the chunk is written.
    Sqlite(Vec<Value>),
    /// `COPY` text-format data.
    Postgres(Vec<u8>),
}

/// Loads rows into one [`Table`]. Push rows, then [`BulkLoader::finish`]; rows pushed to a
/// loader dropped without `finish` may not be written.
pub struct BulkLoader {
    store: Store,
    table: Table,
    width: usize,
    chunk_rows: usize,
    buffer: Buffer,
    rows: usize,
    loaded: u64,
    in_flight: Option<JoinHandle<Result<u64, StoreError>>>,
}

impl BulkLoader {
    /// A loader for `table` on `store`.
    pub fn new(store: &Store, table: Table) -> Self {
        let buffer = match store.backend() {
            Backend::Sqlite => Buffer::Sqlite(Vec::new()),
            Backend::Postgres => Buffer::Postgres(Vec::new()),
        };
        Self {
            store: store.clone(),
            table,
            width: table.width(),
            chunk_rows: DEFAULT_CHUNK_ROWS,
            buffer,
            rows: 0,
            loaded: 0,
            in_flight: None,
        }
    }

    /// Rows per chunk: one transaction on SQLite, one `COPY` on PostgreSQL (default 50,000).
    pub fn with_chunk_rows(mut self, rows: usize) -> Self {
        self.chunk_rows = rows.max(1);
        self
    }

    /// Adds a row, its values in the order of [`Table::columns`]. Writes a chunk when one is full.
    pub async fn push<const N: usize>(&mut self, row: [Value; N]) -> Result<(), StoreError> {
        if N != self.width {
            return Err(StoreError::Invalid(format!(
                "a row of {} has {} values, not {N} ({})",
                self.table.name(),
                self.width,
                self.table.columns()
            )));
        }
        match &mut self.buffer {
            Buffer::Sqlite(values) => values.extend(row),
            Buffer::Postgres(data) => encode_copy_row(data, row),
        }
        self.rows += 1;
        if self.rows >= self.chunk_rows {
            self.flush().await?;
        }
        Ok(())
    }

    /// Rows written so far (pushed rows still buffered or in flight do not count).
    pub fn loaded(&self) -> u64 {
        self.loaded
    }

    /// Hands the gathered rows to a writer task, after the previous chunk is written.
    async fn flush(&mut self) -> Result<(), StoreError> {
        self.wait().await?;
        if self.rows == 0 {
            return Ok(());
        }
        let store = self.store.clone();
        let table = self.table;
        let width = self.width;
        let rows = std::mem::take(&mut self.rows);
        let task = match &mut self.buffer {
            Buffer::Sqlite(values) => {
                let values = std::mem::replace(values, Vec::with_capacity(rows * width));
                tokio::spawn(async move { write_sqlite(&store, table, width, values).await })
            }
            Buffer::Postgres(data) => {
                let data = std::mem::replace(data, Vec::with_capacity(data.len()));
                tokio::spawn(async move { write_postgres(&store, table, data).await })
            }
        };
        self.in_flight = Some(task);
        Ok(())
    }

    async fn wait(&mut self) -> Result<(), StoreError> {
        if let Some(task) = self.in_flight.take() {
            let written =
                task.await.map_err(|e| StoreError::Invalid(format!("bulk load of {}: {e}", self.table.name())))??;
            self.loaded += written;
        }
        Ok(())
    }

    /// Writes what is left; on PostgreSQL moves the id sequence past the loaded ids and
    /// refreshes the table's statistics. Returns the rows loaded.
    pub async fn finish(mut self) -> Result<u64, StoreError> {
        self.flush().await?;
        self.wait().await?;
        if self.store.backend() == Backend::Postgres {
            if let Some(sql) = self.table.resync_sql() {
                crate::query(sql).fetch_optional::<(i64,)>(&self.store).await?;
            }
            crate::query(self.table.analyze_sql()).execute(&self.store).await?;
        }
        Ok(self.loaded)
    }
}

/// Appends one row in `COPY` text format: tab-separated, `\N` for NULL, backslash escapes.
fn encode_copy_row<const N: usize>(data: &mut Vec<u8>, row: [Value; N]) {
    let mut line = String::with_capacity(16 * N);
    for (i, value) in row.into_iter().enumerate() {
        if i > 0 {
            line.push('\t');
        }
        match value {
            Value::I64(Some(v)) => {
                let _ = write!(line, "{v}");
            }
            Value::F64(Some(v)) => {
                let _ = write!(line, "{v}");
            }
            Value::Bool(Some(v)) => line.push(if v { 't' } else { 'f' }),
            Value::Text(Some(v)) => escape_copy_text(&mut line, &v),
            Value::Time(Some(v)) => line.push_str(&v.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Value::I64(None) | Value::F64(None) | Value::Bool(None) | Value::Text(None) | Value::Time(None) => {
                line.push_str("\\N")
            }
        }
    }
    line.push('\n');
    data.extend_from_slice(line.as_bytes());
}

fn escape_copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

async fn write_postgres(store: &Store, table: Table, data: Vec<u8>) -> Result<u64, StoreError> {
    let Pool::Postgres(pool) = &store.pool else {
        return Err(StoreError::Invalid("a PostgreSQL chunk for a SQLite store".into()));
    };
    let mut conn = pool.acquire().await?;
    let mut copy = conn.copy_in_raw(table.copy_sql()).await?;
    // Pieces of a few megabytes keep the connection's write buffer small.
    for piece in data.chunks(4 << 20) {
        if let Err(error) = copy.send(piece).await {
            let _ = copy.abort(format!("bulk load of {} failed", table.name())).await;
            return Err(error.into());
        }
    }
    Ok(copy.finish().await?)
}

async fn write_sqlite(store: &Store, table: Table, width: usize, values: Vec<Value>) -> Result<u64, StoreError> {
    let per_statement = (SQLITE_MAX_PARAMETERS / width).clamp(1, SQLITE_MAX_ROWS_PER_STATEMENT);
    let mut tx = store.begin().await?;
    let TxInner::Sqlite(conn) = &mut tx.inner else {
        return Err(StoreError::Invalid("a SQLite chunk for a PostgreSQL store".into()));
    };
    let mut written = 0;
    let mut full_sql: Option<Arc<str>> = None;
    let mut values = values.into_iter().peekable();
    while values.peek().is_some() {
        let mut args = sqlx::sqlite::SqliteArguments::default();
        let mut count = 0;
        for value in values.by_ref().take(per_statement * width) {
            bind_sqlite(&mut args, value)?;
            count += 1;
        }
        let rows = count / width;
        let sql = if rows == per_statement {
            full_sql.get_or_insert_with(|| insert_sql(table, width, rows)).clone()
        } else {
            insert_sql(table, width, rows)
        };
        written += sqlx::query_with::<sqlx::Sqlite, _>(sqlx::AssertSqlSafe(sql), args)
            .execute(&mut **conn)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(written)
}

/// `INSERT INTO t (…) VALUES (?, ?), (?, ?)` for `rows` rows: fixed names and placeholders only.
fn insert_sql(table: Table, width: usize, rows: usize) -> Arc<str> {
    let tuple = format!("({})", vec!["?"; width].join(", "));
    let mut sql = String::with_capacity(table.insert_prefix().len() + rows * (tuple.len() + 2));
    sql.push_str(table.insert_prefix());
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&tuple);
    }
    sql.into()
}

fn bind_sqlite(args: &mut sqlx::sqlite::SqliteArguments, value: Value) -> Result<(), StoreError> {
    use sqlx::Arguments;
    let added = match value {
        Value::I64(v) => args.add(v),
        Value::F64(v) => args.add(v),
        Value::Bool(v) => args.add(v),
        Value::Text(v) => args.add(v),
        Value::Time(v) => args.add(v),
    };
    added.map_err(|e| StoreError::Invalid(format!("could not bind a value: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn copy_rows_escape_and_mark_nulls() {
        let mut data = Vec::new();
        let at = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().expect("valid time");
        encode_copy_row(
            &mut data,
            [
                Value::I64(Some(7)),
                Value::Text(Some("tab\there\\ and\nnew line".into())),
                Value::Text(None),
                Value::Bool(Some(true)),
                Value::Time(Some(at)),
            ],
        );
        assert_eq!(
            String::from_utf8(data).expect("utf-8"),
            "7\ttab\\there\\\\ and\\nnew line\t\\N\tt\t2026-09-01T08:00:00Z\n"
        );
    }

    #[test]
    fn statements_are_built_from_names_and_placeholders() {
        assert_eq!(
            &*insert_sql(Table::CatalogItemGrades, 2, 3),
            "INSERT INTO catalog_item_grades (item_id, band) VALUES (?, ?), (?, ?), (?, ?)"
        );
        assert_eq!(Table::Enrollments.width(), 12);
        assert_eq!(
            Table::StepProgress.copy_sql(),
            "COPY step_progress (enrollment_id, step_id, status, response, completed_at, updated_at) FROM STDIN"
        );
        assert!(Table::PathwayItems.resync_sql().is_none());
        assert!(Table::Users.resync_sql().is_some_and(|s| s.contains("pg_get_serial_sequence('users', 'id')")));
    }
}
