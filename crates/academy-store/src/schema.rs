//! What the migrations built: tables, their columns and the indexes on them, read back from
//! the engine's own catalog. A test checks that both engines' migrations build the same
//! schema, apart from the few objects that implement full-text search differently.

use crate::{Backend, Store, StoreError, query};
use std::collections::{BTreeMap, BTreeSet};

/// A table's columns: name → whether it may be NULL.
pub type Columns = BTreeMap<String, bool>;

/// An index: its table, its columns in order, and whether it is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The table.
    pub table: String,
    /// The indexed columns, in order (expressions are named as the engine writes them).
    pub columns: Vec<String>,
    /// A unique index.
    pub unique: bool,
}

/// The schema as the engine reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// Tables by name.
    pub tables: BTreeMap<String, Columns>,
    /// Indexes created by the migrations (not those backing primary keys or UNIQUE
    /// constraints, which both engines name their own way), by name.
    pub indexes: BTreeMap<String, Index>,
}

/// Reads the schema of the store's database.
pub async fn describe(store: &Store) -> Result<Schema, StoreError> {
    let mut schema = Schema::default();
    match store.backend() {
        Backend::Sqlite => {
            let tables: Vec<(String,)> =
                query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                    .fetch_all(store)
                    .await?;
            for (table,) in tables {
                // A primary-key column is NOT NULL on PostgreSQL; SQLite reports it as nullable
                // unless declared so, although the migrations never store NULL there.
                let columns: Vec<(String, i64, i64)> = query("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                    .bind(&table)
                    .fetch_all(store)
                    .await?;
                let columns = columns.into_iter().map(|(name, not_null, pk)| (name, not_null == 0 && pk == 0));
                schema.tables.insert(table, columns.collect());
            }
            let indexes: Vec<(String, String, i64)> = query(
                "SELECT m.name, m.tbl_name, l.\"unique\" FROM sqlite_master m
                 JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name
                 WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.name",
            )
            .fetch_all(store)
            .await?;
            for (name, table, unique) in indexes {
                let columns: Vec<(Option<String>,)> =
                    query("SELECT name FROM pragma_index_info($1) ORDER BY seqno").bind(&name).fetch_all(store).await?;
                let columns = columns.into_iter().map(|(c,)| c.unwrap_or_else(|| "(expression)".into())).collect();
                schema.indexes.insert(name, Index { table, columns, unique: unique != 0 });
            }
        }
        Backend::Postgres => {
            let columns: Vec<(String, String, String)> = query(
                "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns
                 WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            )
            .fetch_all(store)
            .await?;
            for (table, column, nullable) in columns {
                schema.tables.entry(table).or_default().insert(column, nullable == "YES");
            }
            let indexes: Vec<(String, String, bool, String)> = query(
                "SELECT i.relname::text, t.relname::text, x.indisunique,
                        array_to_string(ARRAY(SELECT COALESCE(a.attname::text, '(expression)')
                              FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                              ORDER BY k.n), ',')
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_class t ON t.oid = x.indrelid
                 JOIN pg_namespace s ON s.oid = t.relnamespace
                 WHERE s.nspname = current_schema()
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                 ORDER BY i.relname",
            )
            .fetch_all(store)
            .await?;
            for (name, table, unique, columns) in indexes {
                let columns = columns.split(',').map(str::to_owned).collect();
                schema.indexes.insert(name, Index { table, columns, unique });
            }
        }
    }
    Ok(schema)
}

impl Schema {
    /// The table names.
    pub fn table_names(&self) -> BTreeSet<&str> {
        self.tables.keys().map(String::as_str).collect()
    }
}
