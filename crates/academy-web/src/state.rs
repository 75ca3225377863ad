//! What every handler shares: the application (store, configuration, mailer, completion
//! rules) and the web's own parts (route table, rate limiters, metrics).

use crate::route_spec::RouteTable;
use academy_app::App;
use academy_app::accounts::Throttle;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Shared application state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The application layer every handler calls.
    pub app: App,
    /// Every route's metadata: access rule, target, surface, authentications.
    pub routes: Arc<RouteTable>,
    /// Sign-in and reset attempts: by address, by account, by known device.
    pub throttle: Arc<Throttle>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Check-in code attempts per person.
    pub code_limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AppState {
    /// Assembles the state for an application and its route table.
    pub fn new(app: App, routes: RouteTable) -> Self {
        let per_minute = app.config.sign_in_per_minute;
        Self {
            app,
            routes: Arc::new(routes),
            throttle: Arc::new(Throttle::new(per_minute)),
            metrics: crate::metrics::handle(),
            code_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            ))),
        }
    }
}
