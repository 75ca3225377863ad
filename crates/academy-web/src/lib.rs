//! Academy's server: configuration, the axum router, handlers, templates, the JSON API, mail
//! and the job worker.
//!
//! - [`routes`]: every route and its access rule, in one list.
//! - [`context`]: sessions, CSRF tokens and the guard that applies each route's rule.
//! - [`handlers`]: one module per area, handlers named verb_noun.
//! - [`pages`]: the layout; page templates are in `templates/`.
//! - [`error`]: the one error type, rendered as an accessible page or a JSON body.
//! - [`jobs`]: the worker and each kind of job; [`mail`]: SMTP or the outbox.
//! - [`config`]: settings from defaults, a TOML file and the environment.
//! - [`demo`]: the demo program loaded by `academy serve --demo`.
//! - [`Server`]: starts all of it on a listener and shuts it down gracefully.

pub mod config;
pub mod context;
pub mod demo;
pub mod error;
pub mod handlers;
pub mod jobs;
pub mod learn;
pub mod learn_pages;
pub mod mail;
pub mod metrics;
pub mod pages;
pub mod routes;
pub mod state;

use crate::config::Config;
use crate::jobs::JobContext;
use crate::routes::{RouteTable, routes};
use crate::state::AppState;
use academy_store::{Store, StoreOptions};
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::{from_fn, from_fn_with_state};
use std::net::SocketAddr;
use std::sync::Arc;
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

/// Largest request body accepted anywhere (forms and JSON).
pub const BODY_LIMIT: usize = 64 * 1024;

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
    let hsts = state.config.is_https().then(|| {
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
                .layer(from_fn(error::render_errors))
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
        if config.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
        }
        let options = StoreOptions { max_connections: config.db_max_connections, ..StoreOptions::default() };
        let store = Store::connect(&config.database_url, &options)
            .await
            .with_context(|| format!("opening the database {}", config.database_url_redacted()))?;
        store.migrate().await.context("applying migrations")?;
        Self::start_with_store(config, store).await
    }

    /// Starts serving with an already open, migrated store.
    pub async fn start_with_store(mut config: Config, store: Store) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("listening on {} (is another server using it?)", config.bind))?;
        let addr = listener.local_addr()?;
        config.bound_to(addr)?;
        let workers = config.workers;
        let state = AppState::new(store.clone(), config, RouteTable::new(routes().into_iter().map(|(s, _)| s)))?;
        // The issuer's key is made (or its identity brought up to date) before any worker runs,
        // so that concurrent first issues cannot each make one.
        let mut tx = store.begin().await?;
        learn::credentials::issuer(&mut tx, &state.config).await.context("loading the credential issuer's key")?;
        tx.commit().await?;
        let (shutdown, _) = watch::channel(false);
        let mut tasks = JoinSet::new();

        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut stop = shutdown.subscribe();
        tasks.spawn(async move {
            let graceful = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
                tracing::error!(%error, "the HTTP server stopped");
            }
        });

        let context =
            Arc::new(JobContext { store: store.clone(), mailer: state.mailer.clone(), config: state.config.clone() });
        let worker_name = format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple());
        tasks.spawn(jobs::run_worker(context, worker_name, workers, shutdown.subscribe()));

        let housekeeping_state = state.clone();
        let mut stop = shutdown.subscribe();
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.changed() => break,
                }
                housekeeping(&housekeeping_state).await;
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

async fn housekeeping(state: &AppState) {
    let now = academy_core::time::now();
    match academy_store::sessions::purge_expired(&state.store, now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "removing expired sessions failed"),
    }
    if let Err(error) = academy_store::jobs::prune_done(&state.store, now - chrono::Duration::days(7)).await {
        tracing::warn!(%error, "pruning finished jobs failed");
    }
    state.attempt_limiter.retain_recent();
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
