//! Both engines' migrations build the same schema: the same tables, the same columns (and
//! whether each may be NULL) and the same indexes on the same columns. The only differences
//! allowed are the objects that implement full-text search differently on each engine.

use academy_store::Backend;
use academy_store::schema::{Schema, describe};
use academy_store::testing::{TestDatabase, postgres_url};

/// SQLite's FTS5 table for the catalog and the shadow tables FTS5 keeps beside it.
fn sqlite_only_table(name: &str) -> bool {
    name == "catalog_search" || name.starts_with("catalog_search_")
}

/// PostgreSQL's generated `tsvector` column for the catalog and its GIN index.
const POSTGRES_ONLY_COLUMN: (&str, &str) = ("catalog_items", "search_vector");
const POSTGRES_ONLY_INDEX: &str = "catalog_items_search";

fn comparable(mut schema: Schema, backend: Backend) -> Schema {
    // sqlx's own bookkeeping table is sqlx's to shape, per engine.
    schema.tables.remove("_sqlx_migrations");
    match backend {
        Backend::Sqlite => schema.tables.retain(|name, _| !sqlite_only_table(name)),
        Backend::Postgres => {
            if let Some(columns) = schema.tables.get_mut(POSTGRES_ONLY_COLUMN.0) {
                columns.remove(POSTGRES_ONLY_COLUMN.1);
            }
            schema.indexes.remove(POSTGRES_ONLY_INDEX);
        }
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_build_the_same_schema() {
    if postgres_url().is_none() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(),
            "ACADEMY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        eprintln!("skipped: comparing the engines' schemas needs TEST_DATABASE_URL");
        return;
    }
    let mut schemas = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDatabase::create(backend).await.expect("test database");
        let store = db.open().await.expect("open and migrate");
        let schema = describe(&store).await.expect("describe");
        assert!(schema.tables.contains_key("catalog_items"), "{backend:?}: the migrations ran");
        schemas.push(comparable(schema, backend));
        store.close().await;
    }
    let (sqlite, postgres) = (&schemas[0], &schemas[1]);
    assert_eq!(sqlite.table_names(), postgres.table_names(), "the same tables");
    for (table, columns) in &sqlite.tables {
        assert_eq!(Some(columns), postgres.tables.get(table), "the same columns and nullability in {table}");
    }
    assert_eq!(
        sqlite.indexes.keys().collect::<Vec<_>>(),
        postgres.indexes.keys().collect::<Vec<_>>(),
        "the same indexes"
    );
    for (name, index) in &sqlite.indexes {
        assert_eq!(Some(index), postgres.indexes.get(name), "index {name}");
    }
}
