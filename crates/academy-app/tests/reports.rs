//! Program reports on both engines: figures rolled up from schools (or locals) to districts and
//! states, the date range's edges, revoked credentials left out, each viewer kept to their
//! reach, and small groups withheld for aggregate-only viewers.

use academy_app::App;
use academy_app::config::Config;
use academy_app::reports::{Level, ReportRequest, program_report};
use academy_core::access::{Grant, Principal, Role};
use academy_core::learning::{Delivery, ItemKind, PdHours, Strand};
use academy_core::org::NewOrg;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, OrgKind, UsState};
use academy_store::catalog::{self, ItemStatus, NewItem};
use academy_store::credentials::{self, NewCredential};
use academy_store::orgs::{self, Org};
use academy_store::testing::{TestDatabase, postgres_url};
use academy_store::{Backend, Store, Tx, progress, users};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(academy_store::Backend::Sqlite, super::$name).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::run(academy_store::Backend::Postgres, super::$name).await }) *
        }
    };
}

on_both!(figures_roll_up_within_the_range, viewers_are_kept_to_their_reach, small_groups_are_withheld);

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(App, Program) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if backend == Backend::Postgres && postgres_url().is_none() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(),
            "ACADEMY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    }
    let db = TestDatabase::create(backend).await.expect("test database");
    let store = db.open().await.expect("open");
    let dir = tempfile::tempdir().expect("dir");
    let config = Config::for_data_dir(dir.path(), Some(db.url.clone())).expect("config");
    let app = App::new(store.clone(), config).expect("app");
    let program = program(&store).await;
    test(app, program).await;
    store.close().await;
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).single().expect("time")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
}

/// national → Texas → (Austin ISD → Barton, Zilker; Austin local) and Ohio → Columbus → Eastgate.
struct Program {
    national: Org,
    texas: Org,
    austin: Org,
    barton: Org,
    ohio: Org,
}

async fn node(tx: &mut Tx, parent: Option<&Org>, kind: OrgKind, name: &str, state: &str) -> Org {
    let new = NewOrg {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.into(),
        state: (kind != OrgKind::National).then(|| UsState::parse(state).expect("state")),
        nces_id: None,
        locale: None,
        title_i: None,
    };
    orgs::create(tx, &new, at(1, 0)).await.expect("org")
}

async fn person(tx: &mut Tx, n: usize, school: Option<&Org>, local: Option<&Org>) -> i64 {
    let new = NewUser {
        email: Email::parse(&format!("t{n}@example.org")).expect("email"),
        display_name: DisplayName::parse(&format!("Teacher {n}")).expect("name"),
        password_hash: None,
        school_id: school.map(|s| s.id),
        local_id: local.map(|l| l.id),
    };
    users::create(tx, &new, at(1, 0)).await.expect("user")
}

async fn complete(tx: &mut Tx, user: i64, item: i64, when: DateTime<Utc>) {
    let (enrollment, _) = progress::enroll(tx, user, item, None, at(1, 0)).await.expect("enroll");
    progress::complete_enrollment(tx, enrollment.id, PdHours::from_tenths(15), when).await.expect("complete");
}

async fn credential(tx: &mut Tx, user: i64, item: i64, when: DateTime<Utc>, revoked: bool) {
    let (list, index) = credentials::allocate_index(tx, 1024, "", when).await.expect("index");
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewCredential {
        id: &id,
        user_id: user,
        pathway_id: None,
        item_id: Some(item),
        achievement_name: "Test",
        pd_hours_tenths: 15,
        status_list_id: list,
        status_index: index,
        document: "{}",
    };
    assert!(credentials::insert(tx, &new, when).await.expect("insert"));
    if revoked {
        credentials::mark_revoked(tx, &id, None, "test", when).await.expect("revoke");
    }
}

/// Barton: 12 teachers completing in range (one twice, one also just outside it), 10 of them
/// earning a credential, one more revoked. Zilker: 3 completing. A member of the Austin local
/// without a school: 1. Ohio's Eastgate: 2. Someone placed nowhere: 1.
async fn program(store: &Store) -> Program {
    let mut tx = store.begin().await.expect("begin");
    let national = node(&mut tx, None, OrgKind::National, "National", "TX").await;
    let texas = node(&mut tx, Some(&national), OrgKind::StateFederation, "Texas", "TX").await;
    let austin = node(&mut tx, Some(&texas), OrgKind::District, "Austin ISD", "TX").await;
    let local = node(&mut tx, Some(&texas), OrgKind::LocalUnion, "Austin Education Association", "TX").await;
    let barton = node(&mut tx, Some(&austin), OrgKind::School, "Barton Hills", "TX").await;
    let zilker = node(&mut tx, Some(&austin), OrgKind::School, "Zilker", "TX").await;
    let ohio = node(&mut tx, Some(&national), OrgKind::StateFederation, "Ohio", "OH").await;
    let columbus = node(&mut tx, Some(&ohio), OrgKind::District, "Columbus City", "OH").await;
    let eastgate = node(&mut tx, Some(&columbus), OrgKind::School, "Eastgate", "OH").await;
    let item = |slug: &str| NewItem {
        slug: slug.into(),
        kind: ItemKind::Course,
        strand: Strand::Ethics,
        delivery: Delivery::SelfPaced,
        title: slug.into(),
        summary: "s".into(),
        description_md: String::new(),
        minutes: 30,
        pd_hours: PdHours::from_tenths(15),
        credential_bearing: true,
        status: ItemStatus::Published,
        version: None,
        authors: vec![],
        license: None,
        grade_bands: vec![],
        subjects: vec![],
        owner_org_id: None,
    };
    let first = catalog::create_item(&mut tx, &item("first"), None, at(1, 0)).await.expect("item");
    let second = catalog::create_item(&mut tx, &item("second"), None, at(1, 0)).await.expect("item");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    for i in 0..12 {
        let t = person(&mut tx, next(), Some(&barton), Some(&local)).await;
        complete(&mut tx, t, first, at(10, 12)).await;
        if i == 0 {
            complete(&mut tx, t, second, at(20, 23)).await;
        }
        if i < 10 {
            credential(&mut tx, t, first, at(10, 13), false).await;
        }
        if i == 10 {
            credential(&mut tx, t, first, at(10, 13), true).await;
        }
        if i == 11 {
            // The day after the range: not counted.
            complete(&mut tx, t, second, at(21, 0)).await;
        }
    }
    for _ in 0..3 {
        let t = person(&mut tx, next(), Some(&zilker), Some(&local)).await;
        complete(&mut tx, t, first, at(5, 0)).await;
    }
    let local_only = person(&mut tx, next(), None, Some(&local)).await;
    complete(&mut tx, local_only, first, at(15, 0)).await;
    for _ in 0..2 {
        let t = person(&mut tx, next(), Some(&eastgate), None).await;
        complete(&mut tx, t, first, at(15, 0)).await;
    }
    let nowhere = person(&mut tx, next(), None, None).await;
    complete(&mut tx, nowhere, first, at(15, 0)).await;
    // Before the range.
    let early = person(&mut tx, next(), Some(&eastgate), None).await;
    complete(&mut tx, early, first, Utc.with_ymd_and_hms(2026, 2, 28, 23, 59, 59).single().expect("t")).await;
    tx.commit().await.expect("commit");
    Program { national, texas, austin, barton, ohio }
}

fn principal(role: Role, org: &Org) -> Principal {
    Principal { user_id: 0, grants: vec![Grant { role, org_id: org.id, org_path: org.path.clone() }] }
}

fn march(within: Option<i64>, level: Option<Level>) -> ReportRequest {
    ReportRequest { within, level, from: day(1), to: day(20) }
}

fn row<'a>(report: &'a academy_app::reports::ProgramReport, label: &str) -> &'a academy_app::reports::ReportRow {
    report.rows.iter().find(|r| r.label == label).unwrap_or_else(|| panic!("no row {label}: {:?}", report.rows))
}

async fn figures_roll_up_within_the_range(app: App, p: Program) {
    let admin = principal(Role::ProgramAdmin, &p.national);
    let report = program_report(&app, &admin, &march(None, None)).await.expect("report");
    assert_eq!(report.within.id, p.national.id);
    assert_eq!(report.level, Level::State);
    assert!(!report.suppressed);
    let labels: Vec<&str> = report.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Ohio", "Texas", "No school or local recorded"], "by state code, then the unplaced");
    let texas = row(&report, "Texas").figures.expect("exact");
    // Barton 12 teachers, 13 completions; Zilker 3; the local's member 1.
    assert_eq!((texas.teachers, texas.completions), (16, 17));
    assert_eq!(texas.pd_hours, PdHours::from_tenths(17 * 15));
    assert_eq!((texas.earners, texas.credentials), (10, 10), "the revoked credential is left out");
    assert_eq!(row(&report, "Ohio").figures.expect("exact").completions, 2, "the day before the range is out");
    assert_eq!(row(&report, "No school or local recorded").figures.expect("exact").completions, 1);
    let total = report.total.expect("total");
    assert_eq!((total.teachers, total.completions, total.credentials), (19, 20, 10));

    // Texas by district: the district and the local (for its member without a school).
    let by_district = program_report(&app, &admin, &march(Some(p.texas.id), None)).await.expect("report");
    assert_eq!(by_district.level, Level::District);
    assert_eq!(row(&by_district, "Austin ISD").figures.expect("exact").completions, 16);
    assert_eq!(row(&by_district, "Austin Education Association").figures.expect("exact").completions, 1);
    assert_eq!(row(&by_district, "Austin ISD").drill, Some(Level::School));
    // Texas by school: the local's member has no school.
    let by_school = program_report(&app, &admin, &march(Some(p.texas.id), Some(Level::School))).await.expect("report");
    let labels: Vec<&str> = by_school.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["Barton Hills", "Zilker", "No school recorded"]);
    assert_eq!(by_school.total.expect("total").completions, 17);
    // A level above the node shows the node itself.
    let clamped = program_report(&app, &admin, &march(Some(p.austin.id), Some(Level::State))).await.expect("report");
    assert_eq!(clamped.level, Level::District);
    assert_eq!(clamped.rows.len(), 1);
    // Both ends of the range are whole days: the 20th at 23:00 is in.
    let one_day = ReportRequest { within: Some(p.barton.id), level: None, from: day(20), to: day(20) };
    let report = program_report(&app, &admin, &one_day).await.expect("report");
    assert_eq!(report.total.expect("total").completions, 1);
    let backwards = ReportRequest { within: None, level: None, from: day(20), to: day(1) };
    assert!(matches!(program_report(&app, &admin, &backwards).await, Err(academy_app::Error::Invalid(_))));
}

async fn viewers_are_kept_to_their_reach(app: App, p: Program) {
    let texas_admin = principal(Role::OrgAdmin, &p.texas);
    let own = program_report(&app, &texas_admin, &march(None, None)).await.expect("report");
    assert_eq!(own.within.id, p.texas.id, "an org admin's report starts at their node");
    assert!(!own.suppressed, "org admins see their people, so exact figures");
    for outside in [p.ohio.id, p.national.id, 999_999] {
        let result = program_report(&app, &texas_admin, &march(Some(outside), None)).await;
        assert!(matches!(result, Err(academy_app::Error::NotFound)), "{outside}: {result:?}");
    }
    let facilitator = principal(Role::Facilitator, &p.texas);
    assert!(matches!(program_report(&app, &facilitator, &march(None, None)).await, Err(academy_app::Error::NotFound)));
    let school = program_report(&app, &texas_admin, &march(Some(p.barton.id), None)).await.expect("report");
    let lineage: Vec<(&str, bool)> =
        school.lineage.iter().map(|(o, reachable)| (o.name.as_str(), *reachable)).collect();
    assert_eq!(
        lineage,
        [("National", false), ("Texas", true), ("Austin ISD", true), ("Barton Hills", true)],
        "the trail marks what the viewer may open"
    );
}

async fn small_groups_are_withheld(app: App, p: Program) {
    let researcher = principal(Role::Researcher, &p.national);
    let report =
        program_report(&app, &researcher, &march(Some(p.texas.id), Some(Level::School))).await.expect("report");
    assert!(report.suppressed);
    // Barton (12 teachers, 10 earners) is shown; Zilker (3) and the local's 1 are withheld.
    assert!(row(&report, "Barton Hills").figures.is_some());
    assert!(row(&report, "Zilker").figures.is_none());
    assert!(row(&report, "No school recorded").figures.is_none());
    assert_eq!(report.total.map(|t| t.teachers), Some(16));
    // By state: Ohio (2 teachers) and the unplaced (1) are withheld; being two, neither can be
    // found by subtracting Texas from the total, so Texas and the total stay.
    let by_state = program_report(&app, &researcher, &march(None, None)).await.expect("report");
    let shown: Vec<(&str, bool)> = by_state.rows.iter().map(|r| (r.label.as_str(), r.figures.is_some())).collect();
    assert_eq!(shown, [("Ohio", false), ("Texas", true), ("No school or local recorded", false)]);
    for row in &by_state.rows {
        if let Some(f) = row.figures {
            assert!([f.teachers, f.earners].iter().all(|n| *n == 0 || *n >= 10), "{row:?}");
        }
    }
    // The same viewer as a program admin sees everything.
    let admin = principal(Role::ProgramAdmin, &p.national);
    let exact = program_report(&app, &admin, &march(None, None)).await.expect("report");
    assert!(exact.rows.iter().all(|r| r.figures.is_some()));
}
