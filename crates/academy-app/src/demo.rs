//! The demo program `academy serve --demo` loads into an empty database: a small national
//! program (three state federations, their districts, schools and locals) and people in every
//! role, so that each home page has something true to show.
//!
//! Every name here is invented; NCES-style ids use the unassigned `99999` district range.

use crate::App;
use academy_core::access::Role;
use academy_core::learning::RuleRegistry;
use academy_core::org::NewOrg;
use academy_core::password::NewPassword;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, Locale, NcesId, OrgKind, UsState, time};
use academy_store::orgs::{self, Org};
use academy_store::{Tx, users};
use anyhow::Context;
use chrono::TimeZone;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "learn-together-2026";

/// The name of the demo program's national root, by which it is recognized later.
pub const DEMO_ROOT: &str = "National Educators AI Academy (demo)";

/// A demo account to print at start-up.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Sign-in email.
    pub email: &'static str,
    /// What they can do.
    pub role: &'static str,
}

/// The accounts worth signing in as.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { email: "admin@academy.test", role: "program admin (national)" },
    DemoAccount { email: "texas.admin@academy.test", role: "org admin (Texas federation)" },
    DemoAccount { email: "facilitator@academy.test", role: "facilitator (Riverbend ISD)" },
    DemoAccount { email: "teacher@academy.test", role: "teacher (Riverbend Elementary)" },
    DemoAccount { email: "researcher@academy.test", role: "researcher (national, aggregates only)" },
];

/// What loading did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The demo program was loaded now.
    Loaded,
    /// It was already there (a later start); nothing changed.
    AlreadyPresent,
    /// The database holds another program; the demo was not loaded.
    OtherProgramPresent,
}

struct School {
    name: &'static str,
    nces: &'static str,
    locale: Locale,
    title_i: bool,
}

struct StateDemo {
    state: &'static str,
    federation: &'static str,
    district: &'static str,
    lea: &'static str,
    local: &'static str,
    schools: &'static [School],
}

const STATES: &[StateDemo] = &[
    StateDemo {
        state: "TX",
        federation: "Texas Federation of Educators",
        district: "Riverbend Independent School District",
        lea: "4899901",
        local: "Riverbend Education Association",
        schools: &[
            School { name: "Riverbend Elementary School", nces: "489990100001", locale: Locale::City, title_i: true },
            School { name: "Riverbend Middle School", nces: "489990100002", locale: Locale::Suburb, title_i: false },
            School { name: "Cedar Hollow High School", nces: "489990100003", locale: Locale::Rural, title_i: true },
        ],
    },
    StateDemo {
        state: "OH",
        federation: "Ohio Federation of Educators",
        district: "Lakeshore City Schools",
        lea: "3999901",
        local: "Lakeshore Teachers Association",
        schools: &[
            School { name: "Lakeshore Elementary School", nces: "399990100001", locale: Locale::City, title_i: true },
            School { name: "Harbor View Middle School", nces: "399990100002", locale: Locale::Suburb, title_i: false },
            School { name: "Lakeshore High School", nces: "399990100003", locale: Locale::City, title_i: false },
        ],
    },
    StateDemo {
        state: "NM",
        federation: "New Mexico Federation of Educators",
        district: "Mesa Alta Public Schools",
        lea: "3599901",
        local: "Mesa Alta Federation of Teachers",
        schools: &[
            School { name: "Mesa Alta Elementary School", nces: "359990100001", locale: Locale::Town, title_i: true },
            School { name: "Piñon Ridge Middle School", nces: "359990100002", locale: Locale::Rural, title_i: true },
        ],
    },
];

const FIRST: &[&str] = &[
    "Amara", "Ben", "Carmen", "Deshawn", "Elena", "Farah", "Gabriel", "Hana", "Isaac", "Jada", "Kofi", "Lucia",
    "Mateo", "Nadia", "Owen", "Paloma", "Quinn", "Rahul", "Sofia", "Tomas",
];
const LAST: &[&str] = &[
    "Alvarez", "Brooks", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Johnson", "Kowalski",
    "Lopez", "Mensah", "Nguyen", "Olsen", "Patel",
];

/// Teachers generated per school, besides the named accounts.
const TEACHERS_PER_SCHOOL: usize = 8;

/// Loads the demo program if the database has no program yet. Its learning records point at
/// the configured public URL.
pub async fn load(app: &App) -> anyhow::Result<DemoOutcome> {
    let store = &app.store;
    if let Some(root) = orgs::root(store).await? {
        return Ok(if root.name == DEMO_ROOT { DemoOutcome::AlreadyPresent } else { DemoOutcome::OtherProgramPresent });
    }
    let password = NewPassword::parse(DEMO_PASSWORD, None).map_err(|e| anyhow::anyhow!("demo password: {e}"))?;
    // One hash serves every demo account: they share a password, and hashing each would only
    // slow the first start.
    let hash = tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned();
    let now = time::now();
    let mut tx = store.begin().await?;
    let national = create(&mut tx, None, OrgKind::National, DEMO_ROOT, None).await?;
    let mut riverbend = None;
    let mut school_ids = Vec::new();
    for demo in STATES {
        let state = UsState::parse(demo.state).map_err(anyhow::Error::msg)?;
        let federation =
            create(&mut tx, Some(&national), OrgKind::StateFederation, demo.federation, Some(state)).await?;
        let mut district = org(Some(&federation), OrgKind::District, demo.district, Some(state));
        district.nces_id = Some(NcesId::parse(demo.lea, OrgKind::District).map_err(anyhow::Error::msg)?);
        let district = orgs::create(&mut tx, &district, now).await?;
        let local = create(&mut tx, Some(&federation), OrgKind::LocalUnion, demo.local, Some(state)).await?;
        for school in demo.schools {
            let mut new = org(Some(&district), OrgKind::School, school.name, Some(state));
            new.nces_id = Some(NcesId::parse(school.nces, OrgKind::School).map_err(anyhow::Error::msg)?);
            new.locale = Some(school.locale);
            new.title_i = Some(school.title_i);
            let created = orgs::create(&mut tx, &new, now).await?;
            school_ids.push((created.id, local.id));
        }
        if riverbend.is_none() {
            riverbend = Some((federation, district, local));
        }
    }
    let (texas, district, local) = riverbend.context("the demo has a first state")?;
    let (first_school, _) = *school_ids.first().context("the demo has schools")?;

    // (email, name, role, where the role applies, school, local)
    type Person<'a> = (&'a str, &'a str, Role, i64, Option<i64>, Option<i64>);
    let people: [Person; 5] = [
        ("admin@academy.test", "Morgan Ellis", Role::ProgramAdmin, national.id, None, None),
        ("texas.admin@academy.test", "Rosa Delgado", Role::OrgAdmin, texas.id, None, Some(local.id)),
        ("facilitator@academy.test", "Jamal Carter", Role::Facilitator, district.id, None, Some(local.id)),
        ("teacher@academy.test", "Priya Natarajan", Role::Teacher, first_school, Some(first_school), Some(local.id)),
        ("researcher@academy.test", "Helen Okafor", Role::Researcher, national.id, None, None),
    ];
    for (email, name, role, at, school, local) in people {
        let id = person(&mut tx, email, name, &hash, school, local).await?;
        users::add_grant(&mut tx, id, at, role, None, now).await?;
    }
    let mut n = 0;
    let mut teachers = Vec::new();
    for (school_id, local_id) in &school_ids {
        for _ in 0..TEACHERS_PER_SCHOOL {
            let first = FIRST[n % FIRST.len()];
            let last = LAST[(n / FIRST.len() + n) % LAST.len()];
            let email = format!("{}.{}{}@academy.test", first.to_lowercase(), last.to_lowercase(), n);
            let id =
                person(&mut tx, &email, &format!("{first} {last}"), &hash, Some(*school_id), Some(*local_id)).await?;
            users::add_grant(&mut tx, id, *school_id, Role::Teacher, None, now).await?;
            teachers.push(id);
            n += 1;
        }
    }
    let facilitator = users::by_email(&mut tx, &Email::parse("facilitator@academy.test").map_err(anyhow::Error::msg)?)
        .await?
        .context("the demo facilitator")?;
    tx.commit().await?;
    load_learning(app, facilitator.id, district.id, &teachers).await?;
    Ok(DemoOutcome::Loaded)
}

fn org(parent: Option<&Org>, kind: OrgKind, name: &str, state: Option<UsState>) -> NewOrg {
    NewOrg {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.to_owned(),
        state,
        nces_id: None,
        locale: None,
        title_i: None,
    }
}

async fn create(
    tx: &mut Tx,
    parent: Option<&Org>,
    kind: OrgKind,
    name: &str,
    state: Option<UsState>,
) -> anyhow::Result<Org> {
    Ok(orgs::create(tx, &org(parent, kind, name, state), time::now()).await?)
}

async fn person(
    tx: &mut Tx,
    email: &str,
    name: &str,
    hash: &str,
    school: Option<i64>,
    local: Option<i64>,
) -> anyhow::Result<i64> {
    let new = NewUser {
        email: Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?,
        display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
        password_hash: Some(hash.to_owned()),
        school_id: school,
        local_id: local,
    };
    Ok(users::create(tx, &new, time::now()).await?)
}

/// The starter curriculum, compiled in: course and lab packages, and `program.toml` with the
/// workshops and pathways.
static CURRICULUM: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../curriculum");

/// A workshop described in `program.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramWorkshop {
    slug: String,
    title: String,
    strand: String,
    delivery: String,
    summary: String,
    description: String,
    grade_bands: Vec<String>,
    subjects: Vec<String>,
    minutes: i64,
    pd_hours: f64,
    credential: bool,
}

/// A pathway described in `program.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramPathway {
    slug: String,
    title: String,
    summary: String,
    description: String,
    criteria: String,
    #[serde(rename = "pd_hours")]
    _pd_hours: f64,
    items: Vec<String>,
    optional_items: Vec<String>,
    optional_required: i64,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Program {
    workshops: Vec<ProgramWorkshop>,
    pathways: Vec<ProgramPathway>,
}

fn checked<T>(slug: &str, what: &str, value: Result<T, String>) -> anyhow::Result<T> {
    value.map_err(|e| anyhow::anyhow!("curriculum/program.toml, workshop {slug}: {what}: {e}"))
}

fn curriculum_text(path: &str) -> anyhow::Result<&'static str> {
    CURRICULUM
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .with_context(|| format!("the compiled-in curriculum has no file {path}"))
}

/// Every course and lab package of the starter curriculum, checked like any import (with the
/// app's completion rules).
pub fn curriculum_packages(rules: &RuleRegistry) -> anyhow::Result<Vec<academy_formats::course::CoursePackage>> {
    let mut packages = Vec::new();
    for dir in CURRICULUM.dirs() {
        if dir.get_file(dir.path().join("course.toml")).is_none() {
            continue;
        }
        let mut files = std::collections::BTreeMap::new();
        collect(dir, dir.path(), &mut files);
        let package = academy_formats::course::read_with(academy_formats::course::Input::Files(&files), rules)
            .map_err(|e| anyhow::anyhow!("curriculum/{}: {e}", dir.path().display()))?;
        packages.push(package);
    }
    packages.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(packages)
}

fn collect(
    dir: &include_dir::Dir<'_>,
    root: &std::path::Path,
    files: &mut std::collections::BTreeMap<String, Vec<u8>>,
) {
    for file in dir.files() {
        if let Ok(relative) = file.path().strip_prefix(root) {
            files.insert(relative.to_string_lossy().replace('\\', "/"), file.contents().to_vec());
        }
    }
    for sub in dir.dirs() {
        collect(sub, root, files);
    }
}

/// Loads the starter curriculum (published), the demo workshops with upcoming sessions, the
/// pathways, and some history: teachers part-way through, and a few who completed the main
/// pathway (their credentials are issued by the job worker as the server starts).
async fn load_learning(app: &App, facilitator: i64, district: i64, teachers: &[i64]) -> anyhow::Result<()> {
    use academy_core::learning::{Delivery, GradeBand, ItemKind, PdHours, Strand, Subject};
    use academy_store::catalog::{self, ItemStatus, NewItem};
    use academy_store::workshops::LocationKind;
    use academy_store::{pathways, workshops};
    let store = &app.store;
    let now = time::now();
    let mut tx = store.begin().await?;
    for package in curriculum_packages(&app.rules)? {
        crate::imports::course::import_in(&mut tx, &package, ItemStatus::Published, None, None, now).await?;
    }
    let program: Program = toml::from_str(curriculum_text("program.toml")?).context("curriculum/program.toml")?;
    for (n, w) in program.workshops.iter().enumerate() {
        let slug = w.slug.as_str();
        let new = NewItem {
            slug: w.slug.clone(),
            kind: ItemKind::Workshop,
            strand: checked(slug, "strand", w.strand.parse::<Strand>())?,
            delivery: checked(slug, "delivery", w.delivery.parse::<Delivery>())?,
            title: w.title.clone(),
            summary: w.summary.clone(),
            description_md: curriculum_text(&w.description)?.to_owned(),
            minutes: w.minutes,
            pd_hours: checked(slug, "pd_hours", PdHours::from_f64(w.pd_hours))?,
            credential_bearing: w.credential,
            status: ItemStatus::Published,
            version: None,
            authors: vec!["Academy curriculum team".into()],
            license: Some("CC-BY-4.0".into()),
            grade_bands: w
                .grade_bands
                .iter()
                .map(|b| checked(slug, "grade_bands", b.parse::<GradeBand>()))
                .collect::<Result<_, _>>()?,
            subjects: w
                .subjects
                .iter()
                .map(|s| checked(slug, "subjects", s.parse::<Subject>()))
                .collect::<Result<_, _>>()?,
            owner_org_id: None,
        };
        let item_id = catalog::create_item(&mut tx, &new, None, now).await?;
        // Two upcoming sessions a week apart, the first one small enough to show a waitlist.
        for week in 0..2_i64 {
            let day = (now + chrono::Duration::days(7 * (week + 1) + n as i64)).date_naive();
            let starts = chrono_tz::America::Chicago
                .from_local_datetime(&day.and_hms_opt(16, 0, 0).context("time")?)
                .earliest()
                .context("local time")?
                .with_timezone(&chrono::Utc);
            let hub = new.delivery == Delivery::InPerson;
            let session = workshops::NewSession {
                item_id,
                host_org_id: Some(district),
                starts_at: starts,
                ends_at: starts + chrono::Duration::minutes(w.minutes),
                time_zone: "America/Chicago".into(),
                capacity: if week == 0 { 12 } else { 30 },
                location_kind: if hub { LocationKind::Hub } else { LocationKind::Virtual },
                hub_name: hub.then(|| "Riverbend Teaching and Learning Center".into()),
                hub_address: hub.then(|| "1200 River Road, Riverbend, TX".into()),
                meeting_url: (!hub).then(|| "https://meet.example.org/academy-demo".into()),
            };
            let id = workshops::create_session(&mut tx, &session, None, now).await?;
            workshops::add_facilitator(&mut tx, id, facilitator).await?;
        }
    }
    for p in &program.pathways {
        let mut items = Vec::new();
        for (slugs, required) in [(&p.items, true), (&p.optional_items, false)] {
            for slug in slugs {
                let item = catalog::item_by_slug(&mut tx, slug)
                    .await?
                    .with_context(|| format!("pathway {}: no item {slug}", p.slug))?;
                items.push((item.id, required));
            }
        }
        let new = pathways::NewPathway {
            slug: p.slug.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            description_md: curriculum_text(&p.description)?.to_owned(),
            criteria_md: p.criteria.clone(),
            optional_required: p.optional_required,
            status: ItemStatus::Published,
            items,
            owner_org_id: None,
        };
        pathways::create(&mut tx, &new, None, now).await?;
    }
    tx.commit().await?;

    // History: the first few teachers finished the main pathway weeks ago; others are part-way.
    let main = pathways::by_slug(store, "ai-ready-educator").await?.context("the demo pathway")?;
    let main_items = pathways::items(store, main.id).await?;
    for (i, teacher) in teachers.iter().enumerate() {
        let learner = crate::learn::progress::Learner::on(app, *teacher);
        let take = match i {
            0..=2 => main_items.len(),
            3..=9 => 2,
            _ => 0,
        };
        let mut tx = store.begin().await?;
        for pathway_item in main_items.iter().filter(|p| p.required || take == main_items.len()).take(take) {
            let item = catalog::item(&mut tx, pathway_item.item_id).await?.context("pathway item")?;
            let (enrollment, _) = academy_store::progress::enroll(&mut tx, *teacher, item.id, None, now).await?;
            crate::learn::progress::complete_item(&mut tx, learner, &enrollment, &item, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
    }
    Ok(())
}
