//! The xAPI event store.

use crate::support::{at, on_both, t0};
use academy_store::statements::{self, NewStatement, StoredStatement};
use academy_store::{Store, StoreError, query};

on_both!(statements_read_back_as_written);

const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";

async fn statements_read_back_as_written(store: Store) {
    let with_registration = NewStatement {
        id: "6f1c3d8e-0000-4000-8000-000000000001",
        actor: "ada",
        verb: COMPLETED,
        object: "https://academy.example.org/items/prompting",
        registration: Some("0b6c1a52-0000-4000-8000-0000000000aa"),
        timestamp: t0(),
        statement: r#"{"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"}}"#,
    };
    let without = NewStatement {
        id: "6f1c3d8e-0000-4000-8000-000000000002",
        registration: None,
        timestamp: at(1),
        ..with_registration.clone()
    };
    let mut tx = store.begin().await.expect("begin");
    statements::insert(&mut tx, &with_registration, at(5)).await.expect("insert");
    statements::insert(&mut tx, &without, at(6)).await.expect("insert");
    tx.commit().await.expect("commit");

    let read: Vec<StoredStatement> = query(
        "SELECT id, verb, object, registration, timestamp, statement FROM xapi_statements WHERE actor = $1 ORDER BY timestamp",
    )
    .bind("ada")
    .fetch_all(&store)
    .await
    .expect("read back");
    let expected = |new: &NewStatement<'_>| StoredStatement {
        id: new.id.into(),
        verb: new.verb.into(),
        object: new.object.into(),
        registration: new.registration.map(str::to_owned),
        timestamp: new.timestamp,
        statement: new.statement.into(),
    };
    assert_eq!(read, [expected(&with_registration), expected(&without)], "microseconds and all");
    let (stored, voided): (chrono::DateTime<chrono::Utc>, bool) =
        query("SELECT stored, voided FROM xapi_statements WHERE id = $1")
            .bind(without.id)
            .fetch_one(&store)
            .await
            .expect("row");
    assert_eq!((stored, voided), (at(6), false));
    let err = statements::insert(&store, &without, at(7)).await.expect_err("the same statement id");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "id"), "{err:?}");
}
