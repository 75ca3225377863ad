//! `academy bench learn`: the Learn capability at the scale of the national program.
//!
//! It generates a program — an organization tree in NCES proportions (national → state
//! federations → districts → schools), 400,000 teachers, 1,000 catalog items in the three
//! strands with their modules and steps, pathways, and 5,000,000 enrollments (≈12.5 per
//! teacher, skewed) with their step progress — and loads it with the store's bulk loader
//! (`academy_store::bulk`). Then it starts the real server (HTTP, job worker and all) and
//! measures, on each engine:
//!
//! 1. **A burst**: N teachers, enrolled in the same credential-bearing course with only its
//!    last lesson left, finish it through `POST /learn/items/{slug}/steps/{n}/complete` —
//!    the HTTP path, so that session lookup, the CSRF check, the handler's reads and its
//!    transaction (step, enrollment, xAPI statements, the `issue_credential` job) all count.
//!    Completions per second, and the time from the first completion until the worker has
//!    issued the last credential.
//! 2. **Bulk issuing**: a year's cohort of pathway completions (loaded in bulk) gets one
//!    `issue_credential` job each, enqueued at once; the worker drains them (credentials per
//!    second). `issue` called one at a time in process, without the queue, is measured beside
//!    it.
//! 3. **The catalog**: `/learn/catalog` searched with words from the catalog's vocabulary
//!    (half of them with a filter), and browsed by filters alone; p50/p99 at a fixed offered
//!    rate (open loop, timed from each request's due time), then the most requests per second
//!    a fixed number of clients get.
//! 4. **"My learning"**: `/learn` for teachers with typical enrollment counts, likewise.
//!
//! The write phases run first, so that the read phases see the credentials a program that
//! far along holds. The load generator shares the machine with the server and the database.

mod load;
mod measure;
mod program;

use super::Engines;
use academy_store::testing::TestDatabase;
use academy_store::{Store, StoreOptions};
use clap::Args;
use load::load_program;
use measure::{Report, measure};
use program::Program;
use std::time::Instant;

/// Flags of `bench learn`. The defaults are the scale of the issue: 400,000 teachers, 1,000
/// items, 5,000,000 enrollments, a burst of 20,000 and a cohort of 80,000.
#[derive(Debug, Args)]
pub struct LearnArgs {
    /// Engines to measure.
    #[arg(long, value_enum, default_value = "both")]
    engines: Engines,
    /// A PostgreSQL server to create a scratch database on (default: TEST_DATABASE_URL).
    #[arg(long)]
    postgres_url: Option<String>,
    /// Teachers in the program.
    #[arg(long, default_value_t = 400_000)]
    teachers: usize,
    /// Catalog items (courses, workshops and labs).
    #[arg(long, default_value_t = 1_000)]
    items: usize,
    /// Enrollments, spread over the teachers.
    #[arg(long, default_value_t = 5_000_000)]
    enrollments: usize,
    /// Teachers finishing the same course in the burst.
    #[arg(long, default_value_t = 20_000)]
    burst: usize,
    /// Credentials issued in bulk (a year's cohort completing a pathway).
    #[arg(long, default_value_t = 80_000)]
    bulk: usize,
    /// Credentials issued one at a time in process, beside the worker's rate.
    #[arg(long, default_value_t = 1_000)]
    direct: usize,
    /// Teachers signed in (over HTTP) for the catalog and "my learning" phases.
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// Offered load of the latency phases, requests per second.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds of each measured read phase.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Concurrent clients in the throughput phases and in the burst.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Jobs the server's worker runs at once (`Config.workers`; the product default is 2).
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Connections in the server's database pool (the product default is 16).
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// Seed of the generated program; the same seed gives the same program.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// Runs `bench learn`.
pub async fn run(args: LearnArgs) -> anyhow::Result<()> {
    let (engines, postgres) = super::engines(args.engines, args.postgres_url.clone())?;
    let generating = Instant::now();
    let program = Program::generate(&args)?;
    println!(
        "Generated a program of {} teachers, {} schools in {} districts, {} items ({} steps), {} pathways and {} enrollments in {:.1} s.",
        thousands(args.teachers as u64),
        thousands(program.orgs.schools as u64),
        thousands(program.orgs.districts as u64),
        thousands(program.items.len() as u64),
        thousands(program.items.iter().map(|i| i.step_count() as u64).sum()),
        program.pathways.len(),
        thousands(args.enrollments as u64),
        generating.elapsed().as_secs_f64()
    );
    let mut reports = Vec::new();
    for backend in engines {
        println!("\n== {} ==", backend.name());
        let db = TestDatabase::create_on(backend, postgres.as_deref()).await?;
        let options = StoreOptions { max_connections: args.connections, ..StoreOptions::default() };
        let store = Store::connect(&db.url, &options).await?;
        store.migrate().await?;
        let load = load_program(&store, &program).await?;
        let mut report = measure(&args, &db, store, &program).await?;
        report.backend = backend.name();
        report.load = load;
        reports.push(report);
    }
    print_summary(&args, &reports);
    Ok(())
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_summary(args: &LearnArgs, reports: &[Report]) {
    println!(
        "\nSummary ({} teachers, {} items, {} enrollments; burst {}, bulk {}; {} req/s offered for {} s, \
         {} clients flat out; worker concurrency {}, pool {}):",
        thousands(args.teachers as u64),
        thousands(args.items as u64),
        thousands(args.enrollments as u64),
        thousands(args.burst as u64),
        thousands(args.bulk as u64),
        args.rate,
        args.seconds,
        args.concurrency,
        args.workers,
        args.connections
    );
    println!(
        "{:<9} {:<15} {:>10} {:>9} {:>9} {:>9} {:>7} {:>11}",
        "engine", "page", "achieved", "p50 ms", "p99 ms", "max ms", "errors", "max req/s"
    );
    for report in reports {
        for row in &report.reads {
            println!(
                "{:<9} {:<15} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>11.0}",
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
    println!(
        "\n{:<9} {:>7} {:>9} {:>13} {:>9} {:>13} {:>14} {:>14} {:>13} {:>12} {:>10} {:>7}",
        "engine",
        "load s",
        "size GiB",
        "burst done",
        "burst/s",
        "p50/p99 ms",
        "→ last cred s",
        "delay p50/p99",
        "bulk creds",
        "bulk cred/s",
        "direct/s",
        "failed"
    );
    for report in reports {
        let (burst, bulk) = (&report.burst, &report.bulk);
        println!(
            "{:<9} {:>7.0} {:>9.2} {:>13} {:>9.0} {:>13} {:>14.1} {:>14} {:>13} {:>12.0} {:>10.0} {:>7}",
            report.backend,
            report.load.seconds,
            report.load.size_bytes.map_or(f64::NAN, |b| b as f64 / (1u64 << 30) as f64),
            format!("{}/{}", burst.completed, burst.teachers),
            burst.completions_per_second,
            format!("{:.0}/{:.0}", burst.p50_ms, burst.p99_ms),
            burst.to_last_credential_s,
            format!("{:.1}/{:.1} s", burst.delay_p50_s, burst.delay_p99_s),
            format!("{}/{}", bulk.credentials, bulk.jobs),
            bulk.credentials_per_second,
            bulk.direct_per_second,
            burst.failed_jobs.max(bulk.failed_jobs) + burst.errors as i64
        );
    }
}

#[cfg(test)]
mod tests {
    use super::program::{Part, Planned};
    use super::*;
    use academy_core::learning::StepKind;

    fn args(teachers: usize, enrollments: usize) -> LearnArgs {
        LearnArgs {
            engines: Engines::Sqlite,
            postgres_url: None,
            teachers,
            items: 40,
            enrollments,
            burst: 10,
            bulk: 20,
            direct: 5,
            sessions: 10,
            rate: 10,
            seconds: 1,
            concurrency: 2,
            workers: 2,
            connections: 4,
            seed: 7,
        }
    }

    #[test]
    fn the_program_has_what_the_phases_need() {
        let program = Program::generate(&args(500, 6_000)).expect("program");
        assert_eq!(program.counts.iter().map(|c| usize::from(*c)).sum::<usize>(), 6_000);
        assert_eq!(program.teachers_in(Part::Burst).len(), 10);
        assert_eq!(program.teachers_in(Part::Cohort).len(), 20);
        assert_eq!(program.teachers_in(Part::Direct).len(), 5);
        let burst_item = &program.items[program.burst_item];
        assert!(burst_item.credential_bearing && burst_item.steps().all(|s| s.kind == StepKind::Lesson));
        assert_eq!(program.pathways[0].items, program.cohort_items);
        let mut plans: Vec<Planned> = Vec::new();
        for t in program.teachers_in(Part::Burst) {
            program.plan(t, &mut plans);
            assert_eq!(plans[0].item, program.burst_item);
            assert_eq!((plans[0].status, plans[0].steps_done), ("in_progress", burst_item.step_count() - 1));
        }
        for t in program.teachers_in(Part::Cohort) {
            program.plan(t, &mut plans);
            assert!(plans.iter().take(4).all(|p| p.status == "completed" && p.completed_at.is_some()));
        }
        for t in 0..500 {
            program.plan(t, &mut plans);
            assert_eq!(plans.len(), usize::from(program.counts[t]));
            let mut items: Vec<usize> = plans.iter().map(|p| p.item).collect();
            items.sort_unstable();
            items.dedup();
            assert_eq!(items.len(), plans.len(), "no item twice for one teacher");
            for p in &plans {
                assert!(p.enrolled_at <= p.updated_at && p.updated_at < program.now);
                assert!(p.steps_done <= program.items[p.item].step_count());
                assert_eq!(p.completed_at.is_some(), p.status == "completed");
            }
        }
        let mut again = Vec::new();
        program.plan(3, &mut plans);
        program.plan(3, &mut again);
        assert_eq!(
            plans.iter().map(|p| p.registration).collect::<Vec<_>>(),
            again.iter().map(|p| p.registration).collect::<Vec<_>>(),
            "the two loading passes see the same plan"
        );
        let typical = program.typical_teachers(10);
        assert_eq!(typical.len(), 10);
        assert_eq!(typical.iter().filter(|t| program.parts[**t] == Part::Cohort).count(), 5, "half hold a credential");
        assert!(typical.iter().all(|t| matches!(program.parts[*t], Part::Regular | Part::Cohort)));
        let slugs: std::collections::HashSet<&str> = program.items.iter().map(|i| i.slug.as_str()).collect();
        assert_eq!(slugs.len(), program.items.len(), "slugs are unique");
    }

    #[test]
    fn impossible_scales_are_refused() {
        assert!(Program::generate(&args(20, 100)).is_err(), "burst and cohort do not fit in 20 teachers");
        assert!(Program::generate(&args(500, 50)).is_err(), "the cohort alone needs 100 enrollments");
        assert!(Program::generate(&args(500, 500 * 40)).is_err(), "more enrollments than items to take");
        assert_eq!(thousands(5_000_000), "5,000,000");
        assert_eq!(thousands(999), "999");
    }
}
