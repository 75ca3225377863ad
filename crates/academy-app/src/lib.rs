//! Academy's application layer: the use cases that the web handlers, the CLI, the job worker
//! and the benchmarks all call. Each use case that changes something opens its own
//! transaction, writes its audit event in it, and commits; callers parse input into typed
//! values, call one use case, and render or print what it returns.
//!
//! Layout:
//! - [`App`]: what every use case needs (the store, the checked configuration, the mailer, the
//!   completion-rule registry); [`Actor`]: who is acting. [`error`]: the layer's one error type.
//! - [`config`]: settings from defaults, a TOML file and the environment; [`config::PublicUrl`]
//!   builds every link and activity IRI.
//! - [`accounts`]: sessions, passwords, reset links and accepting invitations;
//!   [`account_emails`]: the emails that carry those links.
//! - [`people`]: inviting people, granting and revoking roles; [`offers`]: roles and cohort
//!   places offered to people outside the offerer's scope, which they accept or decline.
//! - [`orgs`]: creating and editing nodes of the organization tree.
//! - [`learn`]: the PD program's rules — [`learn::catalog`] (what a person may see),
//!   [`learn::progress`] (steps, quizzes, reflections, lab tasks, completing items),
//!   [`learn::workshops`] (registration, waitlist, attendance), [`learn::pathways`] (pathways
//!   and cohorts), [`learn::credentials`] (issuing, revoking, checking Open Badges),
//!   [`learn::events`] (the xAPI statement of each event).
//! - [`reports`]: program reports (completions, PD hours and credentials by state, district or
//!   school, for a date range), scoped to the viewer and suppressed for aggregate-only viewers.
//! - [`authoring`]: catalog entries, step content, sessions and pathways as authors change them.
//! - [`imports`]: bulk loads, all or nothing — NCES CCD directory files, course packages.
//! - [`jobs`]: the job worker, housekeeping and the dispatch of each kind of job (a kind's
//!   payload and `run` live beside the use case that queues it); [`mail`]: SMTP or the outbox.
//! - [`history`]: the audit log's actions in words.
//! - [`secrets`]: secrets at rest (sealed with a key kept outside the database) and device
//!   cookie signatures.
//! - [`demo`]: the demo program `academy serve --demo` loads.

pub mod account_emails;
pub mod accounts;
pub mod authoring;
pub mod config;
pub mod demo;
pub mod error;
pub mod history;
pub mod imports;
pub mod jobs;
pub mod learn;
pub mod mail;
pub mod offers;
pub mod orgs;
pub mod people;
pub mod reports;
pub mod secrets;

pub use error::{Error, Result};

use crate::config::Config;
use crate::mail::Mailer;
use crate::secrets::SecretBox;
use academy_core::Principal;
use academy_core::learning::RuleRegistry;
use academy_store::{Store, StoreOptions};
use anyhow::Context;
use std::sync::Arc;

/// What every use case needs. Cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// The checked configuration.
    pub config: Arc<Config>,
    /// Outgoing mail (SMTP or the outbox).
    pub mailer: Arc<Mailer>,
    /// Completion rules for lab tasks, by name: built once, and used by the player and by
    /// every read of a course package, so a rule registered here is accepted everywhere.
    pub rules: Arc<RuleRegistry>,
    /// Seals secrets at rest and signs device cookies.
    pub secrets: Arc<SecretBox>,
}

impl App {
    /// The application on an open, migrated store, with the built-in completion rules.
    pub fn new(store: Store, config: Config) -> anyhow::Result<Self> {
        Self::with_rules(store, config, RuleRegistry::default())
    }

    /// The application with its own completion-rule registry.
    pub fn with_rules(store: Store, config: Config, rules: RuleRegistry) -> anyhow::Result<Self> {
        let mailer = Mailer::new(&config)?;
        let secrets = SecretBox::load(&config)?;
        Ok(Self {
            store,
            config: Arc::new(config),
            mailer: Arc::new(mailer),
            rules: Arc::new(rules),
            secrets: Arc::new(secrets),
        })
    }
}

/// Opens the configured database and applies its migrations: the one way every part of
/// Academy opens its store. For SQLite the data directory is created first.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if let Some(file) = config.sqlite_file() {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            config::create_data_dir(dir)?;
        }
        // The database file is made private before SQLite opens it; its journal files follow.
        config::ensure_private_file(&file).with_context(|| format!("making {} private", file.display()))?;
    }
    let options = StoreOptions { max_connections: config.db_max_connections, ..StoreOptions::default() };
    let store = Store::connect(&config.database_url, &options)
        .await
        .with_context(|| format!("opening the database {}", config.database_url_redacted()))?;
    store.migrate().await.context("applying migrations")?;
    learn::catalog::write_missing_facet_words(&store).await.context("indexing the catalog's facets")?;
    let hashed = learn::workshops::hash_plain_feed_secrets(&store).await.context("storing feed secrets as digests")?;
    if hashed > 0 {
        tracing::info!(feeds = hashed, "calendar-feed secrets are now stored as digests");
    }
    Ok(store)
}

/// Who is acting: a signed-in person with their roles. Use cases run by an operator on the
/// command line act as nobody in particular (`Option<Actor>` is `None` there).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Their id.
    pub user_id: i64,
    /// Their name (for messages such as "… invited you").
    pub display_name: &'a str,
    /// Their roles, as access rules see them.
    pub principal: &'a Principal,
}

/// The id to record in the audit log for an optional actor.
pub(crate) fn actor_id(actor: Option<Actor<'_>>) -> Option<i64> {
    actor.map(|a| a.user_id)
}
