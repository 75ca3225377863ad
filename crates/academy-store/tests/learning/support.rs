//! Fresh databases and small fixtures, made through the store's own functions.

use academy_core::Email;
use academy_core::learning::{Delivery, ItemKind, PdHours, StepKind, Strand};
use academy_core::org::NewOrg;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{OrgKind, UsState};
use academy_store::catalog::{self, ItemStatus, NewItem, NewModule, NewStep};
use academy_store::testing::{TestDatabase, postgres_url};
use academy_store::{Backend, Store, orgs, users};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Declares one test per engine for an `async fn(Store)` of the calling module.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { crate::support::run(academy_store::Backend::Sqlite, super::$name).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { crate::support::run(academy_store::Backend::Postgres, super::$name).await }) *
        }
    };
}
pub(crate) use on_both;

/// Runs `test` on a fresh, migrated database on `backend`. The PostgreSQL half is skipped
/// when no server is configured, unless `ACADEMY_REQUIRE_POSTGRES` says it must run.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if backend == Backend::Postgres && postgres_url().is_none() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(),
            "ACADEMY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        eprintln!("skipped: TEST_DATABASE_URL is not set, so the PostgreSQL half of the suite does not run");
        return;
    }
    let db = TestDatabase::create(backend).await.expect("create test database");
    let store = db.open().await.expect("open and migrate");
    test(store.clone()).await;
    store.close().await;
}

/// A fixed instant, with microseconds, so that round trips through either engine show.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().expect("valid time") + Duration::microseconds(123_456)
}

/// `minutes` after [`t0`].
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

/// A person named `name`, with the address `name@example.org` in lower case.
pub async fn person(store: &Store, name: &str) -> i64 {
    person_at(store, name, None).await
}

/// A person who teaches at `school_id`.
pub async fn person_at(store: &Store, name: &str, school_id: Option<i64>) -> i64 {
    let new = NewUser {
        email: Email::parse(&format!("{}@example.org", name.to_lowercase())).expect("email"),
        display_name: DisplayName::parse(name).expect("name"),
        password_hash: None,
        school_id,
        local_id: None,
    };
    let mut tx = store.begin().await.expect("begin");
    let id = users::create(&mut tx, &new, t0()).await.expect("create person");
    tx.commit().await.expect("commit");
    id
}

/// An organization below `parent` (`None`: the national root), in Texas unless national.
pub async fn org(store: &Store, parent: Option<&orgs::Org>, kind: OrgKind, name: &str) -> orgs::Org {
    let new = NewOrg {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.into(),
        state: (kind != OrgKind::National).then(|| UsState::parse("TX").expect("TX")),
        nces_id: None,
        locale: None,
        title_i: None,
    };
    let mut tx = store.begin().await.expect("begin");
    let created = orgs::create_below(&mut tx, parent, &new, t0()).await.expect("create org");
    tx.commit().await.expect("commit");
    created
}

/// A published item of `kind` with the delivery that fits it, one hour long, worth 1.0 PD
/// hour, titled after its slug. Tests change what they look at.
pub fn new_item(slug: &str, kind: ItemKind) -> NewItem {
    let delivery = match kind {
        ItemKind::Course => Delivery::SelfPaced,
        ItemKind::Workshop => Delivery::LiveVirtual,
        ItemKind::Lab => Delivery::HandsOnLab,
    };
    NewItem {
        slug: slug.into(),
        kind,
        strand: Strand::AiFoundations,
        delivery,
        title: slug.replace('-', " "),
        summary: String::new(),
        description_md: String::new(),
        minutes: 60,
        pd_hours: PdHours::from_tenths(10),
        credential_bearing: false,
        status: ItemStatus::Published,
        version: None,
        authors: Vec::new(),
        license: None,
        grade_bands: Vec::new(),
        subjects: Vec::new(),
        owner_org_id: None,
    }
}

/// Stores `new` and returns its id.
pub async fn add_item(store: &Store, new: &NewItem) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = catalog::create_item(&mut tx, new, None, t0()).await.expect("create item");
    tx.commit().await.expect("commit");
    id
}

/// A step of `kind` read from `file`.
pub fn step(kind: StepKind, file: &str, title: &str) -> NewStep {
    NewStep {
        kind,
        title: title.into(),
        file: file.into(),
        body_md: format!("Body of {file}."),
        quiz: None,
        min_words: None,
        completion: None,
    }
}

/// Brings an item's content to `modules`.
pub async fn sync(store: &Store, item_id: i64, modules: &[NewModule]) {
    let mut tx = store.begin().await.expect("begin");
    catalog::sync_content(&mut tx, item_id, modules).await.expect("sync content");
    tx.commit().await.expect("commit");
}

/// A published course of one module whose lessons are read from `files`; returns its id and
/// its step ids in order.
pub async fn course(store: &Store, slug: &str, pd_tenths: i64, files: &[&str]) -> (i64, Vec<i64>) {
    let mut new = new_item(slug, ItemKind::Course);
    new.pd_hours = PdHours::from_tenths(pd_tenths);
    let id = add_item(store, &new).await;
    let steps = files.iter().map(|f| step(StepKind::Lesson, f, f)).collect();
    sync(store, id, &[NewModule { title: "Module".into(), steps }]).await;
    let steps = catalog::steps(store, id).await.expect("steps").into_iter().map(|s| s.id).collect();
    (id, steps)
}
