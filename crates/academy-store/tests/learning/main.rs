//! The storage conformance suite for learning: the catalog, progress, workshops, pathways and
//! cohorts, credentials and xAPI statements. Every test runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` names a server (`.ci/run` sets it). The foundation tables are in
//! `tests/store.rs`.

mod catalog;
mod credentials;
mod pathways;
mod progress;
mod statements;
mod support;
mod workshops;
