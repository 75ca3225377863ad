//! What every handler and job shares.

use crate::config::Config;
use crate::mail::Mailer;
use crate::routes::RouteTable;
use academy_core::learning::RuleRegistry;
use academy_store::Store;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Shared application state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Checked configuration.
    pub config: Arc<Config>,
    /// Every route's access rule.
    pub routes: Arc<RouteTable>,
    /// Sign-in and reset attempts per client address.
    pub attempt_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Sends mail (SMTP or the outbox).
    pub mailer: Arc<Mailer>,
    /// Check-in code attempts per person.
    pub code_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Completion rules for lab tasks, by name.
    pub completion_rules: Arc<RuleRegistry>,
}

impl AppState {
    /// Assembles the state for a store and configuration.
    pub fn new(store: Store, config: Config, routes: RouteTable) -> anyhow::Result<Self> {
        let per_minute = NonZeroU32::new(config.sign_in_per_minute).unwrap_or(NonZeroU32::MIN);
        let mailer = Mailer::new(&config)?;
        Ok(Self {
            store,
            config: Arc::new(config),
            routes: Arc::new(routes),
            attempt_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            metrics: crate::metrics::handle(),
            mailer: Arc::new(mailer),
            code_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            ))),
            completion_rules: Arc::new(RuleRegistry::default()),
        })
    }
}
