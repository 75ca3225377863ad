//! The platform's xAPI event store: every learning event as a statement, written in the same
//! transaction as the event itself. The Learning Record Store reads from here.

use crate::{Exec, StoreError, query};
use chrono::{DateTime, Utc};

/// A statement to store, with the columns queries filter on.
#[derive(Debug, Clone)]
pub struct NewStatement<'a> {
    /// Statement id (UUID).
    pub id: &'a str,
    /// Actor key (the account name).
    pub actor: &'a str,
    /// Verb IRI.
    pub verb: &'a str,
    /// Object id (activity IRI).
    pub object: &'a str,
    /// Registration UUID.
    pub registration: Option<&'a str>,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// The full statement (JSON).
    pub statement: &'a str,
}

/// Stores a statement.
pub async fn insert<'c>(
    exec: impl Into<Exec<'c>>,
    new: &NewStatement<'_>,
    stored: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO xapi_statements (id, actor, verb, object, registration, timestamp, stored, statement)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new.id)
    .bind(new.actor)
    .bind(new.verb)
    .bind(new.object)
    .bind(new.registration)
    .bind(new.timestamp)
    .bind(stored)
    .bind(new.statement)
    .execute(exec)
    .await
    .map(|_| ())
}

/// A stored statement.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct StoredStatement {
    /// Id.
    pub id: String,
    /// Verb IRI.
    pub verb: String,
    /// Object id.
    pub object: String,
    /// Registration.
    pub registration: Option<String>,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// The statement JSON.
    pub statement: String,
}
