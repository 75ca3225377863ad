//! The store's errors.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already holds this value; `field` names the column (`email`, `nces_id`).
    #[error("{field} is already taken")]
    Conflict {
        /// The column whose value is taken.
        field: String,
    },
    /// A referenced row does not exist.
    #[error("a referenced record does not exist")]
    MissingReference,
    /// The change breaks a rule of the data (for example, a school placed under a state).
    #[error("{0}")]
    Invalid(String),
    /// The database URL or options are wrong.
    #[error("{0}")]
    Config(String),
    /// A stored value could not be read back as its type.
    #[error("stored value could not be decoded: {0}")]
    Decode(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else the database reported.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return Self::Conflict { field: conflicting_field(db.as_ref()) };
            }
            if db.is_foreign_key_violation() {
                return Self::MissingReference;
            }
        }
        if let sqlx::Error::ColumnDecode { source, .. } = &error {
            return Self::Decode(source.to_string());
        }
        Self::Database(error)
    }
}

/// Names the key of a unique violation the same way on both engines: its columns joined by `_`
/// (`email`, `pathway_id_item_id`), or, for a key on an expression, the index's name
/// (`orgs_single_root`). SQLite says `UNIQUE constraint failed: users.email` (or `…: index
/// 'orgs_single_root'`); PostgreSQL names the columns in its detail, `Key (email)=(…) already
/// exists.`, and the constraint (`users_email_key`, or `xapi_statements_pkey` for a primary key,
/// which says nothing of the column) in its own field.
fn conflicting_field(db: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return pg
            .detail()
            .and_then(key_columns)
            .or_else(|| pg.constraint().map(str::to_owned))
            .unwrap_or_else(|| "value".to_owned());
    }
    let Some((_, failed)) = db.message().rsplit_once(": ") else { return "value".to_owned() };
    match failed.strip_prefix("index '").and_then(|i| i.strip_suffix('\'')) {
        Some(index) => index.to_owned(),
        None => failed.split(", ").map(|c| c.rsplit_once('.').map_or(c, |(_, col)| col)).collect::<Vec<_>>().join("_"),
    }
}

/// The columns of PostgreSQL's `Key (a, b)=(…) already exists.`, joined by `_`; `None` when the
/// key is an expression.
fn key_columns(detail: &str) -> Option<String> {
    let (columns, _) = detail.strip_prefix("Key (")?.split_once(")=(")?;
    let columns: Vec<&str> = columns.split(", ").collect();
    let plain =
        |c: &&str| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    columns.iter().all(plain).then(|| columns.join("_"))
}

#[cfg(test)]
mod tests {
    use super::key_columns;

    #[test]
    fn key_columns_read_postgres_details() {
        assert_eq!(key_columns("Key (email)=(ada@example.org) already exists.").as_deref(), Some("email"));
        assert_eq!(
            key_columns("Key (pathway_id, item_id)=(1, 2) already exists.").as_deref(),
            Some("pathway_id_item_id")
        );
        assert_eq!(key_columns("Key (id)=(a)=(b) already exists.").as_deref(), Some("id"));
        assert_eq!(key_columns("Key ((parent_id IS NULL))=(t) already exists."), None);
        assert_eq!(key_columns("Failing row contains (1)."), None);
    }
}
