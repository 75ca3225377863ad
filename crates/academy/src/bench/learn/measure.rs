//! Measuring: the burst of completions, bulk issuing, and the read phases.

use super::LearnArgs;
use super::load::{LoadReport, bar};
use super::program::{Part, Program};
use super::thousands;
use crate::bench::{Row, Target, new_histogram, read_phase, sign_in};
use academy_app::App;
use academy_app::config::Config;
use academy_app::learn::credentials::IssueCredential;
use academy_core::time;
use academy_core::token::SecretToken;
use academy_store::Store;
use academy_store::bulk::{BulkLoader, Table};
use academy_store::jobs::{self, Job};
use academy_store::query::Bind;
use academy_store::testing::TestDatabase;
use academy_web::Server;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The burst of completions.
#[derive(Default)]
pub(super) struct BurstOutcome {
    pub(super) teachers: usize,
    pub(super) completed: u64,
    pub(super) errors: u64,
    pub(super) completions_per_second: f64,
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    /// From the first completion until the last credential was issued.
    pub(super) to_last_credential_s: f64,
    pub(super) credentials: u64,
    pub(super) failed_jobs: i64,
    /// From each teacher's completion to their credential, by the database's timestamps.
    pub(super) delay_p50_s: f64,
    pub(super) delay_p99_s: f64,
}

/// Bulk issuing.
#[derive(Default)]
pub(super) struct BulkOutcome {
    pub(super) jobs: usize,
    pub(super) enqueue_s: f64,
    pub(super) credentials: u64,
    pub(super) credentials_per_second: f64,
    pub(super) failed_jobs: i64,
    pub(super) direct: usize,
    pub(super) direct_per_second: f64,
}

/// Everything measured on one engine.
#[derive(Default)]
pub(super) struct Report {
    pub(super) backend: &'static str,
    pub(super) load: LoadReport,
    pub(super) reads: Vec<Row>,
    pub(super) burst: BurstOutcome,
    pub(super) bulk: BulkOutcome,
}

/// Starts the server on the loaded store and runs the phases: writes first, so that the read
/// phases see the credentials a program that far along holds.
pub(super) async fn measure(
    args: &LearnArgs,
    db: &TestDatabase,
    store: Store,
    program: &Program,
) -> anyhow::Result<Report> {
    let dir = std::env::temp_dir().join(format!("academy-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut config = Config::for_data_dir(&dir, Some(db.url.clone()))?;
    config.sign_in_per_minute = 1_000_000;
    config.workers = args.workers;
    config.db_max_connections = args.connections;
    let server = Server::start_with_store(config.clone(), store.clone()).await?;
    let base = server.url();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut report = Report {
        burst: burst(args, &store, program, &client, &base).await?,
        bulk: bulk_issue(args, &server.state.app, program).await?,
        ..Report::default()
    };

    let sample = program.typical_teachers(args.sessions);
    let emails: Vec<String> = sample.iter().map(|t| Program::email(*t)).collect();
    let mean = sample.iter().map(|t| f64::from(program.counts[*t])).sum::<f64>() / sample.len().max(1) as f64;
    let signing = Instant::now();
    let cookies = sign_in(&client, &base, &emails, emails.len()).await?;
    let holders = sample.iter().filter(|t| program.parts[**t] == Part::Cohort).count();
    println!(
        "Signed in {} teachers over HTTP in {:.1} s (they hold {mean:.1} enrollments on average; {holders} hold a credential).",
        cookies.len(),
        signing.elapsed().as_secs_f64(),
    );
    let (search, browse) = catalog_urls(&base);
    for (endpoint, urls) in
        [("catalog search", search), ("catalog browse", browse), ("my learning", vec![format!("{base}/learn")])]
    {
        let target = Target { client: client.clone(), urls: Arc::new(urls), cookies: cookies.clone() };
        report
            .reads
            .push(read_phase(endpoint, &target, args.rate, Duration::from_secs(args.seconds), args.concurrency).await);
    }
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

/// Searches as teachers type them (words from the catalog's own vocabulary, some with a
/// filter), and browsing by filters alone.
fn catalog_urls(base: &str) -> (Vec<String>, Vec<String>) {
    const WORDS: &[&str] = &[
        "privacy",
        "bias",
        "lesson plan",
        "feedback",
        "prompt",
        "chatbots",
        "integrity",
        "english learners",
        "rubric",
        "deepfakes",
        "image",
        "translation",
        "training data",
        "copyright",
        "tutoring",
        "accessibility",
        "assessment",
        "policy",
        "reading",
        "math",
    ];
    const FILTERS: &[&str] = &[
        "strand=ethics",
        "strand=classroom-practice",
        "strand=ai-foundations",
        "format=self-paced",
        "format=hands-on-lab",
        "grade=k-2",
        "grade=9-12",
        "subject=math",
        "subject=science",
        "length=short",
        "length=long",
        "strand=classroom-practice&grade=3-5&format=self-paced",
        "subject=ela&length=medium",
    ];
    let mut search = Vec::new();
    for (n, words) in WORDS.iter().enumerate() {
        let q = words.replace(' ', "+");
        search.push(format!("{base}/learn/catalog?q={q}"));
        search.push(format!("{base}/learn/catalog?q={q}&{}", FILTERS[n % FILTERS.len()]));
    }
    let mut browse: Vec<String> = FILTERS.iter().map(|f| format!("{base}/learn/catalog?{f}")).collect();
    browse.push(format!("{base}/learn/catalog"));
    browse.push(format!("{base}/learn/catalog?page=3"));
    (search, browse)
}

/// Waits until `count` (of issued credentials) reaches `expected`, or no new credential
/// appears for two minutes. Returns the count reached.
async fn wait_for_credentials<F, Fut>(expected: u64, label: &str, count: F) -> anyhow::Result<u64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u64>>,
{
    let progress = bar(expected, label);
    let mut last = (0, Instant::now());
    loop {
        let now = count().await?;
        progress.set_position(now);
        if now >= expected {
            progress.finish_and_clear();
            return Ok(now);
        }
        if now > last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(120) {
            progress.finish_and_clear();
            eprintln!("warning: no credential issued for two minutes; stopped waiting at {now} of {expected}");
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn failed_credential_jobs(store: &Store) -> anyhow::Result<i64> {
    Ok(jobs::count_of(store, IssueCredential::KIND, jobs::JobStatus::Failed).await?)
}

fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// The burst: every burst teacher finishes the burst course's last lesson over HTTP, through
/// the same handler a browser's form post reaches (session, CSRF check, the completion's
/// transaction with its xAPI statements and the `issue_credential` job).
async fn burst(
    args: &LearnArgs,
    store: &Store,
    program: &Program,
    client: &reqwest::Client,
    base: &str,
) -> anyhow::Result<BurstOutcome> {
    let teachers = program.teachers_in(Part::Burst);
    let item = &program.items[program.burst_item];
    let last = item.step_count();
    println!(
        "Burst: {} teachers finish the last lesson of '{}' (POST …/steps/{last}/complete), {} at a time; the worker runs {} jobs at once.",
        thousands(teachers.len() as u64),
        item.title,
        args.concurrency,
        args.workers
    );
    // Signing 20,000 teachers in over HTTP would measure argon2id, not completions: their
    // sessions are written directly, exactly as sign-in writes them.
    let now = time::now();
    let mut sessions = BulkLoader::new(store, Table::Sessions);
    let mut credentials = Vec::with_capacity(teachers.len());
    for teacher in &teachers {
        let token = SecretToken::generate();
        let csrf = SecretToken::generate().expose().to_owned();
        sessions
            .push([
                token.hash().as_str().value(),
                (*teacher as i64 + 1).value(),
                csrf.as_str().value(),
                now.value(),
                now.value(),
                (now + chrono::Duration::days(1)).value(),
                String::null(),
                String::null(),
            ])
            .await?;
        credentials.push((format!("academy_session={}", token.expose()), csrf));
    }
    sessions.finish().await?;

    let url = Arc::new(format!("{base}/learn/items/{}/steps/{last}/complete", item.slug));
    let credentials = Arc::new(credentials);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (client, url, credentials, next) = (client.clone(), url.clone(), credentials.clone(), next.clone());
        tasks.spawn(async move {
            let mut histogram = new_histogram();
            let (mut completed, mut errors) = (0_u64, 0_u64);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some((cookie, csrf)) = credentials.get(n) else { break };
                let sent = Instant::now();
                let response = client
                    .post(url.as_str())
                    .header("cookie", cookie)
                    .form(&[("csrf_token", csrf.as_str())])
                    .send()
                    .await;
                let _ = histogram.record((sent.elapsed().as_micros() as u64).max(1));
                // Completing redirects onward in the course; a redirect to sign-in is a failure.
                let onward = response.is_ok_and(|r| {
                    r.status() == reqwest::StatusCode::SEE_OTHER
                        && r.headers()
                            .get(reqwest::header::LOCATION)
                            .and_then(|l| l.to_str().ok())
                            .is_some_and(|l| l.starts_with("/learn/"))
                });
                if onward {
                    completed += 1;
                } else {
                    errors += 1;
                }
            }
            (histogram, completed, errors)
        });
    }
    let mut histogram = new_histogram();
    let mut outcome = BurstOutcome { teachers: teachers.len(), ..BurstOutcome::default() };
    while let Some(done) = tasks.join_next().await {
        let (h, completed, errors) = done?;
        histogram.add(h).map_err(|e| anyhow::anyhow!("{e}"))?;
        outcome.completed += completed;
        outcome.errors += errors;
    }
    let completing = started.elapsed().as_secs_f64();
    outcome.completions_per_second = outcome.completed as f64 / completing;
    outcome.p50_ms = histogram.value_at_quantile(0.5) as f64 / 1000.0;
    outcome.p99_ms = histogram.value_at_quantile(0.99) as f64 / 1000.0;
    println!(
        "  {} completions in {completing:.1} s: {:.0}/s (closed loop: p50 {:.1} ms, p99 {:.1} ms); errors {}",
        thousands(outcome.completed),
        outcome.completions_per_second,
        outcome.p50_ms,
        outcome.p99_ms,
        outcome.errors
    );

    let item_id = item.id;
    outcome.credentials = wait_for_credentials(outcome.completed, "credentials", || async move {
        Ok(u64::try_from(academy_store::credentials::count_for(store, None, Some(item_id)).await?)?)
    })
    .await?;
    // From each completion (its transaction enqueued the job) until the job finished, that is
    // until the credential was stored: the database's own timestamps.
    let spans = jobs::done_spans(store, IssueCredential::KIND).await?;
    let delays: Vec<f64> = spans.iter().map(|(queued, done)| (*done - *queued).as_seconds_f64()).collect();
    if let (Some(first), Some(last)) = (spans.iter().map(|s| s.0).min(), spans.iter().map(|s| s.1).max()) {
        outcome.to_last_credential_s = (last - first).as_seconds_f64();
    }
    outcome.delay_p50_s = quantile(delays.clone(), 0.5);
    outcome.delay_p99_s = quantile(delays, 0.99);
    outcome.failed_jobs = failed_credential_jobs(store).await?;
    println!(
        "  {} credentials issued, the last {:.1} s after the first completion; completion → credential p50 {:.1} s, p99 {:.1} s; failed jobs {}",
        thousands(outcome.credentials),
        outcome.to_last_credential_s,
        outcome.delay_p50_s,
        outcome.delay_p99_s,
        outcome.failed_jobs
    );
    Ok(outcome)
}

/// Bulk issuing: one `issue_credential` job per cohort teacher, enqueued at once, drained by
/// the server's worker; then `issue` one at a time in process for comparison.
async fn bulk_issue(args: &LearnArgs, app: &App, program: &Program) -> anyhow::Result<BulkOutcome> {
    let store = &app.store;
    let pathway = &program.pathways[0];
    let cohort = program.teachers_in(Part::Cohort);
    println!(
        "Bulk issuing: {} pathway credentials ('{}'), one job each; the worker runs {} at once.",
        thousands(cohort.len() as u64),
        pathway.title,
        args.workers
    );
    let mut outcome = BulkOutcome { jobs: cohort.len(), ..BulkOutcome::default() };
    let enqueueing = Instant::now();
    let now = time::now();
    let mut tx = store.begin().await?;
    for teacher in &cohort {
        let job = IssueCredential { user_id: *teacher as i64 + 1, pathway_id: Some(pathway.id), item_id: None };
        jobs::enqueue(&mut tx, &job, now, now).await?;
    }
    tx.commit().await?;
    outcome.enqueue_s = enqueueing.elapsed().as_secs_f64();
    // The rate counts from the moment the jobs are visible to the worker.
    let started = Instant::now();
    let pathway_id = pathway.id;
    outcome.credentials = wait_for_credentials(cohort.len() as u64, "bulk credentials", || async move {
        Ok(u64::try_from(academy_store::credentials::count_for(store, Some(pathway_id), None).await?)?)
    })
    .await?;
    let drained = started.elapsed().as_secs_f64();
    outcome.credentials_per_second = outcome.credentials as f64 / drained;
    outcome.failed_jobs = failed_credential_jobs(store).await?;
    println!(
        "  enqueued in {:.1} s; {} credentials in {drained:.1} s: {:.0}/s; failed jobs {}",
        outcome.enqueue_s,
        thousands(outcome.credentials),
        outcome.credentials_per_second,
        outcome.failed_jobs
    );

    let direct = program.teachers_in(Part::Direct);
    let started = Instant::now();
    for teacher in &direct {
        let issued = academy_app::learn::credentials::issue(app, *teacher as i64 + 1, Some(pathway.id), None).await?;
        anyhow::ensure!(issued.is_some(), "teacher {teacher} already held the pathway credential");
    }
    outcome.direct = direct.len();
    outcome.direct_per_second = direct.len() as f64 / started.elapsed().as_secs_f64();
    println!(
        "  issue() one at a time in process (no queue): {} credentials, {:.0}/s",
        thousands(direct.len() as u64),
        outcome.direct_per_second
    );
    Ok(outcome)
}
