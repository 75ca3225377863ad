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

/// Names the column of a unique violation on either engine. SQLite says
/// `UNIQUE constraint failed: users.email`; PostgreSQL names the constraint `users_email_key`.
fn conflicting_field(db: &dyn sqlx::error::DatabaseError) -> String {
    if let (Some(constraint), Some(table)) = (db.constraint(), db.table()) {
        let field = constraint.strip_prefix(table).and_then(|c| c.strip_prefix('_')).unwrap_or(constraint);
        return field.strip_suffix("_key").unwrap_or(field).to_owned();
    }
    let message = db.message();
    message
        .rsplit_once(": ")
        .map(|(_, cols)| {
            cols.split(", ").map(|c| c.rsplit_once('.').map_or(c, |(_, col)| col)).collect::<Vec<_>>().join("_")
        })
        .unwrap_or_else(|| "value".to_owned())
}
