//! Academy's server, HTTP only: the axum router, the guard, handlers, templates and the JSON
//! API. What the pages do is decided in `academy-app`; a handler parses the request, calls one
//! use case (or reads what a page shows), and renders.
//!
//! - [`routes`]: every route and its access rule, in one list; [`route_spec`]: the metadata
//!   those routes are written with (target node, surface, accepted credentials) and the
//!   table the guard and the error renderer read.
//! - [`context`]: sessions, CSRF tokens and the guard that applies each route's rule.
//! - [`handlers`]: one module per area, handlers named verb_noun.
//! - [`pages`]: the layout; page templates are in `templates/`; [`learn_pages`]: Markdown
//!   helpers the learning pages share.
//! - [`error`]: the one error type, rendered as an accessible page or a JSON body.
//! - [`downloads`]: CSV exports as attachments, through the one CSV writer.
//! - [`metrics`]: Prometheus request metrics; [`state`]: what handlers share.
//! - [`serve`]: the accept loop (header-read timeout, connection limit, graceful shutdown).
//! - [`Server`]: starts all of it (with the job worker and housekeeping) on a listener and
//!   shuts it down gracefully.

pub mod context;
pub mod downloads;
pub mod error;
pub mod handlers;
pub mod learn_pages;
pub mod metrics;
pub mod pages;
pub mod route_spec;
pub mod routes;
pub mod serve;
pub mod state;

use crate::route_spec::RouteTable;
use crate::routes::routes;
use crate::state::AppState;
use academy_app::App;
use academy_app::config::Config;
use academy_store::Store;
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::{from_fn, from_fn_with_state};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest request body accepted anywhere (forms and JSON): room for the longest text a form
/// takes (fields state and enforce their own limits, and come back with the problem named).
pub const BODY_LIMIT: usize = 1024 * 1024;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Builds the application for `state`.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (spec, handler) in routes() {
        router = router.route(spec.path, handler);
    }
    let request_id = HeaderName::from_static("x-request-id");
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .into_inner();
    let hsts = state.app.config.is_https().then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    router
        .route_layer(from_fn_with_state(state.clone(), context::guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros)))
                .layer(PropagateRequestIdLayer::new(request_id))
                .option_layer(hsts)
                .layer(headers)
                .layer(from_fn_with_state(state.clone(), context::load_context))
                .layer(from_fn_with_state(state.clone(), pages::render_errors))
                .layer(CatchPanicLayer::new())
                .layer(CsrfLayer::new()),
        )
        .with_state(state)
}

/// A running server: the HTTP listener, the job worker and housekeeping.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database.
    pub store: Store,
    /// Its state (for tests that reach past HTTP).
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Server {
    /// Opens the database, applies migrations and starts serving on `config.bind`.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let store = academy_app::open_store(&config).await?;
        Self::start_with_store(config, store).await
    }

    /// Starts serving with an already open, migrated store.
    pub async fn start_with_store(config: Config, store: Store) -> anyhow::Result<Self> {
        Self::start_app_with(config, |config| App::new(store, config)).await
    }

    /// Starts serving with an application the caller assembles once the address is bound
    /// (tests register extra completion rules this way).
    pub async fn start_app_with(
        mut config: Config,
        assemble: impl FnOnce(Config) -> anyhow::Result<App>,
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("listening on {} (is another server using it?)", config.bind))?;
        let addr = listener.local_addr()?;
        config.bound_to(addr)?;
        let workers = config.workers;
        let app = assemble(config)?;
        let store = app.store.clone();
        let state = AppState::new(app.clone(), RouteTable::new(routes().into_iter().map(|(s, _)| s)));
        academy_app::learn::credentials::prepare_issuer(&app).await?;
        let (shutdown, _) = watch::channel(false);
        let mut tasks = JoinSet::new();

        let limits = serve::Limits {
            header_read_timeout: app.config.header_read_timeout,
            max_connections: app.config.max_connections,
        };
        tasks.spawn(serve::serve(
            listener,
            router(state.clone()),
            limits,
            shutdown.subscribe(),
            Duration::from_secs(30),
        ));

        let worker_name = format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple());
        tasks.spawn(academy_app::jobs::run_worker(app, worker_name, workers, shutdown.subscribe()));

        let housekeeping_state = state.clone();
        let mut stop = shutdown.subscribe();
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => break,
                }
                academy_app::jobs::housekeeping(&housekeeping_state.app).await;
                housekeeping_state.throttle.retain_recent();
            }
        });
        Ok(Self { addr, store, state, shutdown, tasks })
    }

    /// Stops taking requests and jobs, lets running ones finish, and closes the database.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        while self.tasks.join_next().await.is_some() {}
        self.store.close().await;
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        tracing::info!("shutting down: finishing requests and jobs in progress");
        self.shutdown().await;
    }

    /// The base URL of this server.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "academy".to_owned())
}
