//! Integration tests: the real server on port 0 with a fresh database, driven over HTTP like a
//! browser or an API client. Every test runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

mod access;
mod admin;
mod api;
mod auth;
mod authoring;
mod bad_input;
mod credentials;
mod learn;
mod mail;
mod ops;
mod outside;
mod reports;
mod scope;
mod support;
