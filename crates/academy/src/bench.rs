//! `academy bench`: the shipped benchmarks.
//!
//! `bench web` loads the full organization tree of one large state (Texas, from the NCES CCD
//! directory: 1,265 districts and 9,336 schools) and 10,000 teachers into a fresh database,
//! starts the real server, signs teachers in, and measures the signed-in home page and
//! `/api/v1/me`: latency at a fixed offered rate (open loop, measured from each request's
//! scheduled start so that queueing counts), then the most requests per second a fixed
//! number of concurrent clients get. The load generator runs in the same process and shares
//! the machine's cores with the server, so the figures are conservative.
//!
//! `bench learn` (in `bench/learn.rs`) measures the Learn capability at the national program's
//! scale: catalog search, "my learning", a burst of completions and bulk credential issuing.

use academy_app::config::Config;
use academy_core::access::Role;
use academy_core::password::NewPassword;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, OrgKind, time};
use academy_store::testing::{TEST_DATABASE_URL, TestDatabase};
use academy_store::{Backend, Store, users};
use academy_web::Server;
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

mod learn;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Requests per second and p50/p99 latency of the signed-in home page and /api/v1/me.
    Web(WebArgs),
    /// Catalog search, "my learning", a burst of completions and bulk credential issuing, at
    /// the scale of a 400,000-teacher program.
    Learn(learn::LearnArgs),
}

/// Which engines to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engines {
    /// The embedded SQLite database.
    Sqlite,
    /// PostgreSQL (needs --postgres-url or TEST_DATABASE_URL).
    Postgres,
    /// Both, one after the other.
    Both,
}

/// The engines to measure, and the PostgreSQL server to measure on (the flag, else
/// `TEST_DATABASE_URL`).
fn engines(engines: Engines, postgres_url: Option<String>) -> anyhow::Result<(Vec<Backend>, Option<String>)> {
    let postgres = postgres_url.or_else(|| std::env::var(TEST_DATABASE_URL).ok().filter(|u| !u.is_empty()));
    let backends = match (engines, &postgres) {
        (Engines::Sqlite, _) => vec![Backend::Sqlite],
        (Engines::Postgres, Some(_)) => vec![Backend::Postgres],
        (Engines::Both, Some(_)) => vec![Backend::Sqlite, Backend::Postgres],
        (Engines::Both, None) => {
            eprintln!("note: no --postgres-url or {TEST_DATABASE_URL}; measuring SQLite only");
            vec![Backend::Sqlite]
        }
        (Engines::Postgres, None) => bail!("--engines postgres needs --postgres-url or {TEST_DATABASE_URL}"),
    };
    Ok((backends, postgres))
}

/// Flags of `bench web`.
#[derive(Debug, Args)]
pub struct WebArgs {
    /// Engines to measure.
    #[arg(long, value_enum, default_value = "both")]
    engines: Engines,
    /// A PostgreSQL server to create a scratch database on (default: TEST_DATABASE_URL).
    #[arg(long)]
    postgres_url: Option<String>,
    /// The NCES CCD directory of the state to load (tx-districts-ccd.csv, tx-campuses-ccd.csv).
    #[arg(long, default_value = "../shared/data/nces/tx_ccd_2013-14")]
    ccd_dir: PathBuf,
    /// Teachers to create.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Teachers signed in and taking turns making requests.
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// Offered load for the latency phase, requests per second.
    #[arg(long, default_value_t = 500)]
    rate: u32,
    /// Seconds of each measured phase.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent clients in the throughput phase.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

/// Runs a benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    let args = match command {
        BenchCommand::Web(args) => args,
        BenchCommand::Learn(args) => return learn::run(args).await,
    };
    let (engines, postgres) = engines(args.engines, args.postgres_url.clone())?;
    let districts = args.ccd_dir.join("tx-districts-ccd.csv");
    let schools = args.ccd_dir.join("tx-campuses-ccd.csv");
    if !districts.is_file() || !schools.is_file() {
        bail!(
            "the CCD directory files are not in {} (expected tx-districts-ccd.csv and tx-campuses-ccd.csv; pass --ccd-dir)",
            args.ccd_dir.display()
        );
    }
    let mut reports = Vec::new();
    for backend in engines {
        println!("\n== {} ==", backend.name());
        let db = TestDatabase::create_on(backend, postgres.as_deref()).await?;
        let store = db.open().await?;
        let loaded = Instant::now();
        bootstrap(&store).await?;
        let dir = std::env::temp_dir().join(format!("academy-bench-{}", uuid::Uuid::new_v4().simple()));
        let app = academy_app::App::new(store.clone(), Config::for_data_dir(&dir, Some(db.url.clone()))?)?;
        let summary = academy_app::imports::ccd::import(&app, &districts, &schools, &crate::import::Bar::new()).await?;
        println!("Loaded {} districts and {} schools.", summary.districts, summary.schools);
        let emails = create_teachers(&store, args.users).await?;
        println!("Loaded {} teachers in {:.1} s (tree and people).", emails.len(), loaded.elapsed().as_secs_f64());
        let mut report = measure(&args, &db, store, &emails).await?;
        report.backend = backend.name();
        reports.push(report);
    }
    println!(
        "\nSummary ({} teachers, Texas tree, {} sessions, {} req/s offered for {} s):",
        args.users, args.sessions, args.rate, args.seconds
    );
    println!(
        "{:<9} {:<14} {:>10} {:>9} {:>9} {:>9} {:>7} {:>11}",
        "engine", "endpoint", "achieved", "p50 ms", "p99 ms", "max ms", "errors", "max req/s"
    );
    for report in &reports {
        for row in &report.rows {
            println!(
                "{:<9} {:<14} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>11.0}",
                report.backend,
                row.endpoint,
                row.achieved_rps,
                row.p50_ms,
                row.p99_ms,
                row.max_ms,
                row.errors,
                row.max_rps
            );
        }
    }
    Ok(())
}

async fn bootstrap(store: &Store) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    let root = academy_core::org::NewOrg {
        parent_id: None,
        kind: OrgKind::National,
        name: "Benchmark national program".into(),
        state: None,
        nces_id: None,
        locale: None,
        title_i: None,
    };
    academy_store::orgs::create(&mut tx, &root, time::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The password every benchmark teacher shares (one argon2id hash serves them all).
const PASSWORD: &str = "benchmark passphrase 2026";

async fn create_teachers(store: &Store, count: usize) -> anyhow::Result<Vec<String>> {
    let schools = academy_store::orgs::ids_of_kind(store, OrgKind::School).await?;
    if schools.is_empty() {
        bail!("no schools were loaded");
    }
    let password = NewPassword::parse(PASSWORD, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned();
    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template("teachers   [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let now = time::now();
    let mut emails = Vec::with_capacity(count);
    let mut tx = store.begin().await?;
    // A fixed stride spreads teachers over schools the same way on every run.
    for i in 0..count {
        let school = schools[(i * 7919) % schools.len()];
        let email = format!("teacher{i:05}@bench.academy.test");
        let new = NewUser {
            email: Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?,
            display_name: DisplayName::parse(&format!("Teacher {i}")).map_err(anyhow::Error::msg)?,
            password_hash: Some(hash.clone()),
            school_id: Some(school),
            local_id: None,
        };
        let id = users::create(&mut tx, &new, now).await?;
        users::add_grant(&mut tx, id, school, Role::Teacher, None, now).await?;
        emails.push(email);
        bar.inc(1);
    }
    tx.commit().await?;
    bar.finish_and_clear();
    Ok(emails)
}

struct Row {
    endpoint: &'static str,
    achieved_rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    max_rps: f64,
}

struct Report {
    backend: &'static str,
    rows: Vec<Row>,
}

/// One page: a warm-up, `seconds` at the offered `rate` (open loop: latency), then `seconds`
/// with `concurrency` clients flat out (throughput). Prints its line and returns its row.
async fn read_phase(endpoint: &'static str, target: &Target, rate: u32, seconds: Duration, concurrency: usize) -> Row {
    open_loop(target, rate, Duration::from_secs(2)).await;
    let open = open_loop(target, rate, seconds).await;
    let closed = closed_loop(target, concurrency, seconds).await;
    let row = Row {
        endpoint,
        achieved_rps: open.completed as f64 / open.elapsed.as_secs_f64(),
        p50_ms: open.histogram.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: open.histogram.value_at_quantile(0.99) as f64 / 1000.0,
        max_ms: open.histogram.max() as f64 / 1000.0,
        errors: open.errors + closed.errors,
        max_rps: closed.completed as f64 / closed.elapsed.as_secs_f64(),
    };
    println!(
        "{endpoint:<15} at {rate} req/s offered: {:.0} req/s done, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         {concurrency} clients flat out: {:.0} req/s (p99 {:.2} ms); errors {}",
        row.achieved_rps,
        row.p50_ms,
        row.p99_ms,
        row.max_ms,
        row.max_rps,
        closed.histogram.value_at_quantile(0.99) as f64 / 1000.0,
        row.errors
    );
    row
}

async fn measure(args: &WebArgs, db: &TestDatabase, store: Store, emails: &[String]) -> anyhow::Result<Report> {
    let dir = std::env::temp_dir().join(format!("academy-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut config = Config::for_data_dir(&dir, Some(db.url.clone()))?;
    config.sign_in_per_minute = 1_000_000;
    config.workers = 1;
    let server = Server::start_with_store(config, store).await?;
    let base = server.url();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()?;
    let cookies = sign_in(&client, &base, emails, args.sessions).await?;
    let mut rows = Vec::new();
    for (endpoint, path) in [("home page", "/"), ("/api/v1/me", "/api/v1/me")] {
        let target =
            Target { client: client.clone(), urls: Arc::new(vec![format!("{base}{path}")]), cookies: cookies.clone() };
        let row = read_phase(endpoint, &target, args.rate, Duration::from_secs(args.seconds), args.concurrency).await;
        rows.push(row);
    }
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Report { backend: "", rows })
}

async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    emails: &[String],
    sessions: usize,
) -> anyhow::Result<Vec<String>> {
    let bar = ProgressBar::new(sessions as u64);
    bar.set_style(
        ProgressStyle::with_template("signing in [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut cookies = Vec::with_capacity(sessions);
    for email in emails.iter().step_by((emails.len() / sessions.max(1)).max(1)).take(sessions) {
        let page = client.get(format!("{base}/sign-in")).send().await?;
        let csrf_cookie = cookie_pair(page.headers(), "academy_csrf").context("no CSRF cookie on the sign-in page")?;
        let html = page.text().await?;
        let token = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .context("no CSRF token on the sign-in page")?
            .to_owned();
        let response = client
            .post(format!("{base}/sign-in"))
            .header("cookie", &csrf_cookie)
            .form(&[("csrf_token", token.as_str()), ("email", email.as_str()), ("password", PASSWORD)])
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::SEE_OTHER {
            bail!("signing in {email} failed with {}", response.status());
        }
        cookies.push(cookie_pair(response.headers(), "academy_session").context("no session cookie")?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(cookies)
}

fn cookie_pair(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// What a phase requests: its URLs in turn, each time as the next signed-in teacher.
#[derive(Clone)]
struct Target {
    client: reqwest::Client,
    urls: Arc<Vec<String>>,
    cookies: Vec<String>,
}

impl Target {
    async fn hit(&self, turn: usize) -> bool {
        let cookie = &self.cookies[turn % self.cookies.len()];
        let url = &self.urls[turn % self.urls.len()];
        match self.client.get(url).header("cookie", cookie).send().await {
            Ok(response) => {
                let ok = response.status() == reqwest::StatusCode::OK;
                ok && response.bytes().await.is_ok()
            }
            Err(_) => false,
        }
    }
}

struct Outcome {
    histogram: Histogram<u64>,
    completed: u64,
    errors: u64,
    elapsed: Duration,
}

fn new_histogram() -> Histogram<u64> {
    // Microseconds, up to a minute, three significant figures.
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|e| panic!("histogram: {e}")))
}

/// Offers `rate` requests per second for `duration`, each timed from when it was due.
async fn open_loop(target: &Target, rate: u32, duration: Duration) -> Outcome {
    let shared = Arc::new(Mutex::new((new_histogram(), 0_u64, 0_u64)));
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let total = (duration.as_secs_f64() * f64::from(rate)) as usize;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for turn in 0..total {
        let due = started + interval.mul_f64(turn as f64);
        tokio::time::sleep_until(due.into()).await;
        let target = target.clone();
        let shared = shared.clone();
        tasks.spawn(async move {
            let ok = target.hit(turn).await;
            let micros = due.elapsed().as_micros() as u64;
            let mut guard = shared.lock().await;
            let _ = guard.0.record(micros.max(1));
            if ok { guard.1 += 1 } else { guard.2 += 1 }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let (histogram, completed, errors) =
        Arc::try_unwrap(shared).map(Mutex::into_inner).unwrap_or_else(|_| (new_histogram(), 0, 0));
    Outcome { histogram, completed, errors, elapsed }
}

/// `concurrency` clients each sending their next request as soon as the last one answers.
async fn closed_loop(target: &Target, concurrency: usize, duration: Duration) -> Outcome {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let target = target.clone();
        tasks.spawn(async move {
            let mut histogram = new_histogram();
            let (mut completed, mut errors) = (0_u64, 0_u64);
            let mut turn = worker;
            while started.elapsed() < duration {
                let sent = Instant::now();
                let ok = target.hit(turn).await;
                let _ = histogram.record((sent.elapsed().as_micros() as u64).max(1));
                if ok {
                    completed += 1
                } else {
                    errors += 1
                }
                turn += concurrency;
            }
            (histogram, completed, errors)
        });
    }
    let mut outcome = Outcome { histogram: new_histogram(), completed: 0, errors: 0, elapsed: Duration::ZERO };
    while let Some(Ok((histogram, completed, errors))) = tasks.join_next().await {
        let _ = outcome.histogram.add(histogram);
        outcome.completed += completed;
        outcome.errors += errors;
    }
    outcome.elapsed = started.elapsed();
    outcome
}
