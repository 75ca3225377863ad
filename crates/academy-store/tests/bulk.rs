//! The bulk loader, on SQLite and (when `TEST_DATABASE_URL` names a server) PostgreSQL: rows
//! loaded in several chunks read back through the ordinary store functions, ids continue
//! after the loaded ones, and constraints still hold.

use academy_core::OrgPath;
use academy_core::org::NewOrg;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, OrgKind, UsState};
use academy_store::bulk::{BulkLoader, Table};
use academy_store::catalog::{self, CatalogQuery};
use academy_store::query::Bind;
use academy_store::testing::{TestDatabase, postgres_url};
use academy_store::{Backend, Store, StoreError, orgs, progress, users};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().expect("valid time") + Duration::microseconds(123_456)
}

async fn open(backend: Backend) -> Option<(TestDatabase, Store)> {
    if backend == Backend::Postgres && postgres_url().is_none() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(),
            "ACADEMY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return None;
    }
    let db = TestDatabase::create(backend).await.expect("create test database");
    let store = db.open().await.expect("open and migrate");
    Some((db, store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_reads_back_on_sqlite() {
    bulk_load_reads_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_reads_back_on_postgres() {
    bulk_load_reads_back(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_checks_foreign_keys_on_sqlite() {
    bulk_load_checks_foreign_keys(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_checks_foreign_keys_on_postgres() {
    bulk_load_checks_foreign_keys(Backend::Postgres).await;
}

const TEACHERS: i64 = 250;
const STEPS: i64 = 3;

async fn bulk_load_reads_back(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let now = t0();
    assert_eq!(Table::Orgs.next_id(&store).await.expect("next id"), Some(1));
    assert_eq!(Table::PathwayItems.next_id(&store).await.expect("no id"), None);

    // national → state → district → school, with ids chosen here.
    let mut loader = BulkLoader::new(&store, Table::Orgs).with_chunk_rows(2);
    let national = OrgPath::root(1);
    let state = national.child(2);
    let district = state.child(3);
    let school = district.child(4);
    let nodes: [(i64, Option<i64>, OrgKind, &str, &OrgPath); 4] = [
        (1, None, OrgKind::National, "National", &national),
        (2, Some(1), OrgKind::StateFederation, "Texas", &state),
        (3, Some(2), OrgKind::District, "Austin ISD", &district),
        (4, Some(3), OrgKind::School, "Barton Hills Elementary", &school),
    ];
    for (id, parent, kind, name, path) in nodes {
        let state = (kind != OrgKind::National).then_some("TX");
        loader
            .push([
                id.value(),
                parent.value(),
                kind.value(),
                name.value(),
                path.value(),
                state.value(),
                None::<&str>.value(),
                None::<&str>.value(),
                None::<bool>.value(),
                now.value(),
                now.value(),
            ])
            .await
            .expect("push org");
    }
    assert_eq!(loader.finish().await.expect("orgs"), 4);

    // Teachers in chunks smaller than the load, so that several transactions or COPYs run.
    let mut loader = BulkLoader::new(&store, Table::Users).with_chunk_rows(64);
    for i in 1..=TEACHERS {
        loader
            .push([
                i.value(),
                format!("teacher{i}@bulk.example.org").value(),
                format!("Teacher {i}").value(),
                Some("$argon2id$stub").value(),
                "active".value(),
                Some(4_i64).value(),
                None::<i64>.value(),
                now.value(),
                now.value(),
            ])
            .await
            .expect("push user");
    }
    assert_eq!(loader.finish().await.expect("users"), TEACHERS as u64);

    // One course with awkward text, its module and steps.
    let awkward = "Prompts, bias\tand \"quotes\": a \\ backslash,\nnew lines and ünïcode";
    let mut loader = BulkLoader::new(&store, Table::CatalogItems);
    loader
        .push([
            1_i64.value(),
            "prompting-basics".value(),
            "course".value(),
            "ai-foundations".value(),
            "self-paced".value(),
            "Prompting basics for differentiation".value(),
            awkward.value(),
            "Learn to write prompts that scaffold reading for English learners.".value(),
            90_i64.value(),
            15_i64.value(),
            false.value(),
            "published".value(),
            None::<&str>.value(),
            Some("[]").value(),
            None::<&str>.value(),
            None::<i64>.value(),
            now.value(),
            now.value(),
        ])
        .await
        .expect("push item");
    loader.finish().await.expect("items");
    let mut loader = BulkLoader::new(&store, Table::ItemModules);
    loader.push([1_i64.value(), 1_i64.value(), 1_i64.value(), "Getting started".value()]).await.expect("module");
    loader.finish().await.expect("modules");
    let mut loader = BulkLoader::new(&store, Table::ItemSteps);
    for position in 1..=STEPS {
        loader
            .push([
                position.value(),
                1_i64.value(),
                1_i64.value(),
                position.value(),
                "lesson".value(),
                format!("Lesson {position}").value(),
                format!("{position:02}-lesson.md").value(),
                "Read this.".value(),
                None::<&str>.value(),
                None::<i64>.value(),
                None::<&str>.value(),
                None::<&str>.value(),
            ])
            .await
            .expect("step");
    }
    loader.finish().await.expect("steps");

    // Every teacher enrolled; the even ones finished, the odd ones did the first step. Parents
    // are finished before their children are loaded.
    let mut enrollments = BulkLoader::new(&store, Table::Enrollments).with_chunk_rows(100);
    for user in 1..=TEACHERS {
        let done = user % 2 == 0;
        let status = if done { "completed" } else { "in_progress" };
        enrollments
            .push([
                user.value(),
                user.value(),
                1_i64.value(),
                status.value(),
                uuid::Uuid::new_v4().to_string().value(),
                None::<i64>.value(),
                Some(if done { STEPS } else { 2 }).value(),
                done.then_some(15_i64).value(),
                now.value(),
                Some(now).value(),
                done.then_some(now + Duration::hours(1)).value(),
                now.value(),
            ])
            .await
            .expect("enrollment");
    }
    assert_eq!(enrollments.finish().await.expect("enrollments"), TEACHERS as u64);
    let mut progress_rows = BulkLoader::new(&store, Table::StepProgress).with_chunk_rows(100);
    for user in 1..=TEACHERS {
        for step in 1..=(if user % 2 == 0 { STEPS } else { 1 }) {
            progress_rows
                .push([
                    user.value(),
                    step.value(),
                    "completed".value(),
                    None::<&str>.value(),
                    Some(now).value(),
                    now.value(),
                ])
                .await
                .expect("progress");
        }
    }
    assert_eq!(progress_rows.finish().await.expect("progress"), ((TEACHERS / 2) * STEPS + TEACHERS / 2) as u64);

    // Read back through the ordinary functions.
    let loaded_school = orgs::get(&store, 4).await.expect("get").expect("school");
    assert_eq!(loaded_school.path, school);
    assert_eq!(orgs::lineage(&store, &school).await.expect("lineage").len(), 4);
    let teacher = users::by_email(&store, &Email::parse("teacher7@bulk.example.org").expect("email"))
        .await
        .expect("by email")
        .expect("teacher 7");
    assert_eq!((teacher.id, teacher.display_name.as_str()), (7, "Teacher 7"));
    let item = catalog::item(&store, 1).await.expect("item").expect("item 1");
    assert_eq!(item.summary, awkward, "text survives COPY escaping and binding unchanged");
    assert_eq!(item.updated_at, now, "timestamps keep their microseconds");
    for text in ["differen", "English learners", "prompting"] {
        let query = CatalogQuery { text: text.into(), ..CatalogQuery::default() };
        let (found, total) = catalog::search(&store, &query, 10, 0).await.expect("search");
        assert_eq!((total, found.first().map(|c| c.id)), (1, Some(1)), "full-text search finds '{text}'");
    }
    let finished = progress::my_learning(&store, 8).await.expect("my learning");
    assert_eq!(finished.len(), 1);
    assert_eq!((finished[0].steps_done, finished[0].steps_total), (STEPS, STEPS));
    assert!(finished[0].completed_at.is_some());
    let started = progress::my_learning(&store, 7).await.expect("my learning");
    assert_eq!((started[0].steps_done, started[0].completed_at), (1, None));
    assert_eq!(progress::transcript(&store, 8).await.expect("transcript").len(), 1);

    // Ids continue after the loaded ones (PostgreSQL sequences were moved past them).
    assert_eq!(Table::Users.next_id(&store).await.expect("next id"), Some(TEACHERS + 1));
    let mut tx = store.begin().await.expect("begin");
    let new = NewUser {
        email: Email::parse("after@bulk.example.org").expect("email"),
        display_name: DisplayName::parse("After the load").expect("name"),
        password_hash: None,
        school_id: Some(4),
        local_id: None,
    };
    assert_eq!(users::create(&mut tx, &new, now).await.expect("create after load"), TEACHERS + 1);
    let second_school = NewOrg {
        parent_id: Some(3),
        kind: OrgKind::School,
        name: "Zilker Elementary".into(),
        state: UsState::parse("TX").ok(),
        nces_id: None,
        locale: None,
        title_i: None,
    };
    assert_eq!(orgs::create(&mut tx, &second_school, now).await.expect("org after load").id, 5);
    tx.commit().await.expect("commit");
    store.close().await;
}

async fn bulk_load_checks_foreign_keys(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mut loader = BulkLoader::new(&store, Table::RoleGrants);
    loader
        .push([1_i64.value(), 99_i64.value(), 98_i64.value(), "teacher".value(), None::<i64>.value(), t0().value()])
        .await
        .expect("buffered");
    let error = loader.finish().await.expect_err("no such user or org");
    assert!(matches!(error, StoreError::MissingReference), "{error:?}");

    let mut loader = BulkLoader::new(&store, Table::PathwayItems);
    let short: Result<(), StoreError> = loader.push([1_i64.value(), 2_i64.value()]).await;
    assert!(matches!(short, Err(StoreError::Invalid(ref m)) if m.contains("4")), "{short:?}");
    store.close().await;
}
