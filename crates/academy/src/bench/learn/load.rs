//! Loading the generated program with the store's bulk loader, table by table, parents first.

use super::program::{Part, Planned, Program};
use super::thousands;
use crate::bench::PASSWORD;
use academy_core::password::NewPassword;
use academy_core::{Locale, OrgKind, OrgPath, Role};
use academy_store::Store;
use academy_store::bulk::{BulkLoader, Table};
use academy_store::query::{Bind, Value};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// What loading took, table by table.
#[derive(Default)]
pub(super) struct LoadReport {
    pub(super) seconds: f64,
    pub(super) size_bytes: Option<u64>,
}

/// A progress bar on standard error (hidden when it is not a terminal).
pub(super) fn bar(len: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template = format!("{label:<16} [{{bar:40}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "),
    );
    bar
}

fn record(table: &str, rows: u64, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "  {table:<22} {:>12} rows in {seconds:>7.1} s ({:>9} rows/s)",
        thousands(rows),
        thousands((rows as f64 / seconds.max(1e-9)) as u64)
    );
}

/// Loads the whole program into an empty, migrated store.
pub(super) async fn load_program(store: &Store, program: &Program) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    println!("Loading with the bulk loader:");
    let schools = load_orgs(store, program).await?;
    load_people(store, program, &schools).await?;
    load_catalog(store, program).await?;
    load_enrollments(store, program).await?;
    load_pathway_cohort(store, program).await?;
    let report = LoadReport { seconds: started.elapsed().as_secs_f64(), size_bytes: database_size(store).await.ok() };
    println!(
        "Loaded in {:.1} s{}.",
        report.seconds,
        report
            .size_bytes
            .map(|b| format!("; the database takes {:.2} GiB", b as f64 / (1u64 << 30) as f64))
            .unwrap_or_default()
    );
    Ok(report)
}

async fn database_size(store: &Store) -> anyhow::Result<u64> {
    Ok(u64::try_from(store.size_bytes().await?)?)
}

/// Two-letter codes of the states, the largest first.
const STATES: &[&str] = &[
    "CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "TN", "MA", "IN", "MO", "MD",
    "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK", "CT", "UT", "IA", "NV", "AR", "MS", "KS", "NM", "NE", "ID",
    "WV", "HI", "NH", "ME", "MT", "RI", "DE", "SD", "ND", "AK", "VT", "WY",
];

/// The tree: national → state federations → districts → schools. Returns the school ids.
async fn load_orgs(store: &Store, program: &Program) -> anyhow::Result<Vec<(i64, i64)>> {
    let started = Instant::now();
    let mut rng = SmallRng::seed_from_u64(program.seed ^ 0x6f72_6773);
    let shape = &program.orgs;
    let now = program.now;
    let mut loader = BulkLoader::new(store, Table::Orgs);
    let root = OrgPath::root(1);
    loader.push(org_row(1, None, OrgKind::National, "National education association", &root, None, now)).await?;
    let mut next_id = 2;
    let mut state_nodes = Vec::with_capacity(shape.states);
    for code in STATES.iter().take(shape.states) {
        let path = root.child(next_id);
        loader
            .push(org_row(
                next_id,
                Some(1),
                OrgKind::StateFederation,
                &format!("{code} Education Association"),
                &path,
                Some(code),
                now,
            ))
            .await?;
        state_nodes.push((next_id, path, *code));
        next_id += 1;
    }
    let mut districts = Vec::with_capacity(shape.districts);
    for d in 0..shape.districts {
        // Every state has a district; larger states (earlier in the list) get more of the rest.
        let s = if d < state_nodes.len() {
            d
        } else {
            ((rng.random::<f64>().powi(2) * state_nodes.len() as f64) as usize).min(state_nodes.len() - 1)
        };
        let (state_id, state_path, code) = &state_nodes[s];
        let path = state_path.child(next_id);
        let mut row = org_row(
            next_id,
            Some(*state_id),
            OrgKind::District,
            &format!("District {} ({code})", d + 1),
            &path,
            Some(code),
            now,
        );
        row[6] = format!("{:07}", 1_000_000 + d).value();
        loader.push(row).await?;
        districts.push((next_id, path, *code));
        next_id += 1;
    }
    let locales = [Locale::City, Locale::Suburb, Locale::Town, Locale::Rural];
    let mut schools = Vec::with_capacity(shape.schools);
    for s in 0..shape.schools {
        // Every district has a school; the rest go to districts at random.
        let (district_id, district_path, code) =
            if s < districts.len() { &districts[s] } else { &districts[rng.random_range(0..districts.len())] };
        let path = district_path.child(next_id);
        let level = ["Elementary", "Middle", "High"][rng.random_range(0..3)];
        let mut row = org_row(
            next_id,
            Some(*district_id),
            OrgKind::School,
            &format!("School {} {level}", s + 1),
            &path,
            Some(code),
            now,
        );
        row[6] = format!("{:012}", 100_000_000_000_i64 + s as i64).value();
        row[7] = locales[rng.random_range(0..4)].as_str().value();
        row[8] = rng.random_bool(0.55).value();
        loader.push(row).await?;
        schools.push((next_id, *district_id));
        next_id += 1;
    }
    let rows = loader.finish().await?;
    record("orgs", rows, started);
    Ok(schools)
}

/// A row of `orgs` without NCES id, locale or Title I flag (schools and districts add theirs).
fn org_row(
    id: i64,
    parent: Option<i64>,
    kind: OrgKind,
    name: &str,
    path: &OrgPath,
    state: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> [Value; 11] {
    [
        id.value(),
        parent.map_or(i64::null(), Bind::value),
        kind.value(),
        name.value(),
        path.value(),
        state.map_or(<&str>::null(), Bind::value),
        String::null(),
        String::null(),
        bool::null(),
        now.value(),
        now.value(),
    ]
}

/// Teachers (one shared argon2id hash) and their teacher role at their school.
async fn load_people(store: &Store, program: &Program, schools: &[(i64, i64)]) -> anyhow::Result<()> {
    let started = Instant::now();
    let password = NewPassword::parse(PASSWORD, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned();
    let now = program.now;
    let progress = bar(program.teachers as u64, "teachers");
    let mut users = BulkLoader::new(store, Table::Users);
    for t in 0..program.teachers {
        let (school, _) = schools[(t * 7919) % schools.len()];
        users
            .push([
                (t as i64 + 1).value(),
                Program::email(t).value(),
                format!("Teacher {t}").value(),
                hash.as_str().value(),
                "active".value(),
                school.value(),
                i64::null(),
                now.value(),
                now.value(),
            ])
            .await?;
        progress.inc(1);
    }
    let rows = users.finish().await?;
    progress.finish_and_clear();
    record("users", rows, started);
    let started = Instant::now();
    let mut grants = BulkLoader::new(store, Table::RoleGrants);
    for t in 0..program.teachers {
        let (school, _) = schools[(t * 7919) % schools.len()];
        grants
            .push([
                (t as i64 + 1).value(),
                (t as i64 + 1).value(),
                school.value(),
                Role::Teacher.value(),
                i64::null(),
                now.value(),
            ])
            .await?;
    }
    record("role_grants", grants.finish().await?, started);
    Ok(())
}

/// Items, their facets, modules and steps, and the pathways.
async fn load_catalog(store: &Store, program: &Program) -> anyhow::Result<()> {
    let started = Instant::now();
    let now = program.now;
    let mut items = BulkLoader::new(store, Table::CatalogItems);
    for item in &program.items {
        items
            .push([
                item.id.value(),
                item.slug.as_str().value(),
                item.kind.slug().value(),
                item.strand.slug().value(),
                item.delivery.slug().value(),
                item.title.as_str().value(),
                item.summary.as_str().value(),
                item.description.as_str().value(),
                item.minutes.value(),
                item.pd_tenths().value(),
                item.credential_bearing.value(),
                item.status.value(),
                "1.0.0".value(),
                "Benchmark program".value(),
                "CC-BY-4.0".value(),
                i64::null(),
                now.value(),
                now.value(),
            ])
            .await?;
    }
    record("catalog_items", items.finish().await?, started);

    let started = Instant::now();
    let mut rows = 0;
    let mut grades = BulkLoader::new(store, Table::CatalogItemGrades);
    let mut subjects = BulkLoader::new(store, Table::CatalogItemSubjects);
    let mut modules = BulkLoader::new(store, Table::ItemModules);
    for item in &program.items {
        for band in &item.bands {
            grades.push([item.id.value(), band.slug().value()]).await?;
        }
        for subject in &item.subjects {
            subjects.push([item.id.value(), subject.slug().value()]).await?;
        }
        for (position, module) in item.modules.iter().enumerate() {
            modules
                .push([
                    module.id.value(),
                    item.id.value(),
                    (position as i64 + 1).value(),
                    module.title.as_str().value(),
                ])
                .await?;
        }
    }
    rows += grades.finish().await? + subjects.finish().await? + modules.finish().await?;
    let mut steps = BulkLoader::new(store, Table::ItemSteps);
    for item in &program.items {
        let mut position = 0_i64;
        for module in &item.modules {
            for step in &module.steps {
                position += 1;
                steps
                    .push([
                        step.id.value(),
                        item.id.value(),
                        module.id.value(),
                        position.value(),
                        step.kind.slug().value(),
                        step.title.as_str().value(),
                        format!("step-{position}.md").value(),
                        step.body.as_str().value(),
                        String::null(),
                        if step.kind == academy_core::learning::StepKind::Reflection {
                            30_i64.value()
                        } else {
                            i64::null()
                        },
                        String::null(),
                        String::null(),
                    ])
                    .await?;
            }
        }
    }
    rows += steps.finish().await?;
    let mut pathways = BulkLoader::new(store, Table::Pathways);
    let mut pathway_items = BulkLoader::new(store, Table::PathwayItems);
    for pathway in &program.pathways {
        pathways
            .push([
                pathway.id.value(),
                pathway.slug.as_str().value(),
                pathway.title.as_str().value(),
                pathway.summary.as_str().value(),
                pathway.summary.as_str().value(),
                "Complete every item of the pathway.".value(),
                0_i64.value(),
                "published".value(),
                i64::null(),
                now.value(),
                now.value(),
            ])
            .await?;
    }
    rows += pathways.finish().await?;
    for pathway in &program.pathways {
        for (position, item) in pathway.items.iter().enumerate() {
            pathway_items
                .push([
                    pathway.id.value(),
                    program.items[*item].id.value(),
                    true.value(),
                    (position as i64 + 1).value(),
                ])
                .await?;
        }
    }
    rows += pathway_items.finish().await?;
    record("facets, content, paths", rows, started);
    Ok(())
}

/// Enrollments, then the progress on their steps: two passes over the same plans, so that
/// every enrollment is written before the progress rows that point at it.
async fn load_enrollments(store: &Store, program: &Program) -> anyhow::Result<()> {
    let started = Instant::now();
    let total: u64 = program.counts.iter().map(|c| u64::from(*c)).sum();
    let progress = bar(total, "enrollments");
    let mut loader = BulkLoader::new(store, Table::Enrollments);
    let mut plans: Vec<Planned> = Vec::new();
    let mut id = 0_i64;
    for teacher in 0..program.teachers {
        program.plan(teacher, &mut plans);
        for plan in &plans {
            id += 1;
            let item = &program.items[plan.item];
            let current_step = match plan.status {
                "in_progress" => item.steps().nth(plan.steps_done).map_or(i64::null(), |s| s.id.value()),
                _ => i64::null(),
            };
            let completed = plan.status == "completed";
            loader
                .push([
                    id.value(),
                    (teacher as i64 + 1).value(),
                    item.id.value(),
                    plan.status.value(),
                    plan.registration.to_string().value(),
                    i64::null(),
                    current_step,
                    if completed { item.pd_tenths().value() } else { i64::null() },
                    plan.enrolled_at.value(),
                    if plan.steps_done > 0 { plan.step_time(0).value() } else { chrono::DateTime::null() },
                    plan.completed_at.map_or(chrono::DateTime::null(), Bind::value),
                    plan.updated_at.value(),
                ])
                .await?;
        }
        progress.inc(plans.len() as u64);
    }
    let rows = loader.finish().await?;
    progress.finish_and_clear();
    record("enrollments", rows, started);

    let started = Instant::now();
    let mut loader = BulkLoader::new(store, Table::StepProgress).with_chunk_rows(100_000);
    let mut id = 0_i64;
    for teacher in 0..program.teachers {
        program.plan(teacher, &mut plans);
        for plan in &plans {
            id += 1;
            for (n, step) in program.items[plan.item].steps().take(plan.steps_done).enumerate() {
                let at = plan.step_time(n);
                let response = match step.kind {
                    academy_core::learning::StepKind::Reflection => {
                        "I tried this with my class and will adjust the prompt so students check the sources it cites before they use them.".value()
                    }
                    _ => String::null(),
                };
                loader
                    .push([id.value(), step.id.value(), "completed".value(), response, at.value(), at.value()])
                    .await?;
            }
        }
    }
    record("step_progress", loader.finish().await?, started);
    Ok(())
}

/// The cohort: members of the first pathway who completed it (their credential is yet to be
/// issued).
async fn load_pathway_cohort(store: &Store, program: &Program) -> anyhow::Result<()> {
    let started = Instant::now();
    let pathway = &program.pathways[0];
    let hours: i64 = program.cohort_items.iter().map(|i| program.items[*i].pd_tenths()).sum();
    let mut members = BulkLoader::new(store, Table::PathwayMembers);
    let mut completions = BulkLoader::new(store, Table::PathwayCompletions);
    let mut plans = Vec::new();
    for teacher in (0..program.teachers).filter(|t| matches!(program.parts[*t], Part::Cohort | Part::Direct)) {
        program.plan(teacher, &mut plans);
        let first = plans.iter().take(program.cohort_items.len()).map(|p| p.enrolled_at).min().unwrap_or(program.now);
        let done =
            plans.iter().take(program.cohort_items.len()).filter_map(|p| p.completed_at).max().unwrap_or(program.now);
        let user = teacher as i64 + 1;
        members.push([pathway.id.value(), user.value(), first.value()]).await?;
        completions.push([pathway.id.value(), user.value(), done.value(), hours.value()]).await?;
    }
    let rows = members.finish().await? + completions.finish().await?;
    record("pathway cohort", rows, started);
    Ok(())
}
