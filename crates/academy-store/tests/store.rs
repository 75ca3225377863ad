//! The storage conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` names a server (`.ci/run` sets it).

use academy_core::access::Role;
use academy_core::org::NewOrg;
use academy_core::token::SecretToken;
use academy_core::user::{DisplayName, NewUser, UserStatus};
use academy_core::{Email, Locale, NcesId, OrgKind, UsState};
use academy_store::jobs::{self, Job};
use academy_store::sessions::{self, NewSession, TokenPurpose};
use academy_store::testing::{TestDatabase, postgres_url};
use academy_store::{Backend, Store, StoreError, audit, orgs, outbox, users};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;

/// Declares one test per engine for an `async fn(Store)`.
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

on_both!(
    migrations_are_idempotent,
    tree_follows_kind_rules,
    subtree_queries_stay_in_their_subtree,
    unique_keys_name_their_field,
    sign_in_failures_are_counted_never_locked,
    grants_and_members,
    sessions_expire_and_end,
    account_tokens_are_single_use,
    rolled_back_transactions_leave_nothing,
    jobs_enqueue_with_their_transaction,
    concurrent_workers_claim_each_job_once,
    failed_jobs_retry_then_fail,
    expired_leases_are_reclaimed,
    claims_take_expired_leases_first_and_keep_to_the_limit,
    outbox_records_a_job_once,
    org_nodes_are_edited_and_looked_up,
    people_are_found_and_counted_by_their_schools,
    sessions_are_deleted_and_purged,
    jobs_are_listed_counted_and_pruned,
    audit_events_read_newest_first,
);

async fn run<F, Fut>(backend: Backend, test: F)
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

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().expect("valid time")
}

fn org(parent: Option<i64>, kind: OrgKind, name: &str) -> NewOrg {
    let state = (kind != OrgKind::National).then(|| UsState::parse("TX").expect("TX"));
    NewOrg { parent_id: parent, kind, name: name.into(), state, nces_id: None, locale: None, title_i: None }
}

/// national → Texas → Austin district → two schools; Ohio beside Texas.
struct Tree {
    national: orgs::Org,
    texas: orgs::Org,
    district: orgs::Org,
    school: orgs::Org,
    ohio: orgs::Org,
}

async fn tree(store: &Store) -> Tree {
    let mut tx = store.begin().await.expect("begin");
    let national = orgs::create(&mut tx, &org(None, OrgKind::National, "National"), t0()).await.expect("national");
    let texas =
        orgs::create(&mut tx, &org(Some(national.id), OrgKind::StateFederation, "Texas"), t0()).await.expect("tx");
    let district =
        orgs::create(&mut tx, &org(Some(texas.id), OrgKind::District, "Austin ISD"), t0()).await.expect("district");
    let mut school = org(Some(district.id), OrgKind::School, "Barton Hills Elementary");
    school.nces_id = Some(NcesId::parse("480894000001", OrgKind::School).expect("nces"));
    school.locale = Some(Locale::City);
    school.title_i = Some(true);
    let school = orgs::create(&mut tx, &school, t0()).await.expect("school");
    orgs::create(&mut tx, &org(Some(district.id), OrgKind::School, "Zilker Elementary"), t0()).await.expect("school 2");
    let mut ohio = org(Some(national.id), OrgKind::StateFederation, "Ohio");
    ohio.state = UsState::parse("OH").ok();
    let ohio = orgs::create(&mut tx, &ohio, t0()).await.expect("ohio");
    tx.commit().await.expect("commit");
    Tree { national, texas, district, school, ohio }
}

async fn user(store: &Store, email: &str, password_hash: Option<&str>) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let new = NewUser {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse(email.split('@').next().unwrap_or("x")).expect("name"),
        password_hash: password_hash.map(str::to_owned),
        school_id: None,
        local_id: None,
    };
    let id = users::create(&mut tx, &new, t0()).await.expect("create user");
    tx.commit().await.expect("commit");
    id
}

async fn migrations_are_idempotent(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    store.ping().await.expect("ping");
    assert!(store.size_bytes().await.expect("size") > 0);
    let (open, idle) = store.pool_stats();
    assert!(open >= 1 && idle <= open as usize, "{open} open, {idle} idle");
}

async fn tree_follows_kind_rules(store: Store) {
    let t = tree(&store).await;
    assert_eq!(t.national.path.as_str(), format!("/{}/", t.national.id));
    assert_eq!(t.school.path, t.district.path.child(t.school.id));
    assert_eq!(t.school.locale(), Some(Locale::City));
    assert_eq!(t.school.title_i, Some(true));

    let mut tx = store.begin().await.expect("begin");
    let misplaced = orgs::create(&mut tx, &org(Some(t.texas.id), OrgKind::School, "Floating School"), t0()).await;
    assert!(
        matches!(misplaced, Err(StoreError::Invalid(ref m)) if m.contains("cannot be placed below")),
        "{misplaced:?}"
    );
    let second_root = orgs::create(&mut tx, &org(None, OrgKind::National, "Another"), t0()).await;
    assert!(
        matches!(&second_root, Err(StoreError::Conflict { field }) if field == "orgs_single_root"),
        "a key on an expression is named by its index on both engines: {second_root:?}"
    );
    drop(tx);

    let lineage = orgs::lineage(&store, &t.school.path).await.expect("lineage");
    let names: Vec<&str> = lineage.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["National", "Texas", "Austin ISD", "Barton Hills Elementary"]);

    let children = orgs::children(&store, t.national.id, 10, 0).await.expect("children");
    let listed: Vec<(&str, i64)> = children.iter().map(|c| (c.org.name.as_str(), c.child_count)).collect();
    assert_eq!(listed, [("Ohio", 0), ("Texas", 1)]);
    assert_eq!(orgs::root(&store).await.expect("root").map(|o| o.id), Some(t.national.id));
}

async fn subtree_queries_stay_in_their_subtree(store: Store) {
    let t = tree(&store).await;
    let mut tx = store.begin().await.expect("begin");
    let mut cleveland = org(Some(t.ohio.id), OrgKind::District, "Cleveland Elementary District");
    cleveland.state = UsState::parse("OH").ok();
    orgs::create(&mut tx, &cleveland, t0()).await.expect("ohio district");
    let mut odd = org(Some(t.district.id), OrgKind::School, "100% Elementary_'; DROP TABLE orgs; --");
    odd.state = UsState::parse("TX").ok();
    orgs::create(&mut tx, &odd, t0()).await.expect("odd name is just text");
    tx.commit().await.expect("commit");

    let in_texas = orgs::search(&store, &t.texas.path, "elementary", None, 50).await.expect("search");
    let names: HashSet<&str> = in_texas.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.contains("Cleveland Elementary District"));
    let literal = orgs::search(&store, &t.national.path, "100%", None, 50).await.expect("search %");
    assert_eq!(literal.len(), 1, "% is matched literally");
    let underscore = orgs::search(&store, &t.national.path, "y_'", None, 50).await.expect("search _");
    assert_eq!(underscore.len(), 1);
    let districts = orgs::search(&store, &t.national.path, "", Some(OrgKind::District), 50).await.expect("kind");
    assert_eq!(districts.len(), 2);
    let counts = orgs::count_by_kind(&store, &t.texas.path).await.expect("counts");
    assert_eq!(counts, vec![(OrgKind::District, 1), (OrgKind::School, 3), (OrgKind::StateFederation, 1)]);
    assert_eq!(orgs::count_children(&store, t.district.id).await.expect("count"), 3);
}

async fn unique_keys_name_their_field(store: Store) {
    let t = tree(&store).await;
    user(&store, "ada@example.org", None).await;
    let mut tx = store.begin().await.expect("begin");
    let again = NewUser {
        email: Email::parse("ADA@example.org").expect("email"),
        display_name: DisplayName::parse("Ada again").expect("name"),
        password_hash: None,
        school_id: None,
        local_id: None,
    };
    let err = users::create(&mut tx, &again, t0()).await.expect_err("duplicate email");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "email"), "{err:?}");
    drop(tx);

    let mut tx = store.begin().await.expect("begin");
    let mut twin = org(Some(t.district.id), OrgKind::School, "Twin");
    twin.nces_id = Some(NcesId::parse("480894000001", OrgKind::School).expect("nces"));
    let err = orgs::create(&mut tx, &twin, t0()).await.expect_err("duplicate NCES id");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "nces_id"), "{err:?}");
}

async fn sign_in_failures_are_counted_never_locked(store: Store) {
    let id = user(&store, "grace@example.org", Some("$argon2id$stub")).await;
    let email = Email::parse("grace@example.org").expect("email");
    for attempt in 1..=7 {
        let failures = users::record_failed_sign_in(&store, id, t0()).await.expect("record");
        assert_eq!(failures, attempt);
    }
    let creds = users::credentials(&store, &email).await.expect("creds").expect("exists");
    assert_eq!(creds.failed_logins, 7);
    assert_eq!(creds.status, UserStatus::Active, "failures never disable an account");
    users::record_sign_in(&store, id, t0() + Duration::hours(1)).await.expect("sign in");
    let creds = users::credentials(&store, &email).await.expect("creds").expect("exists");
    assert_eq!(creds.failed_logins, 0);

    let invited = user(&store, "new@example.org", None).await;
    assert_eq!(users::get(&store, invited).await.expect("get").expect("exists").status, UserStatus::Invited);
    let mut tx = store.begin().await.expect("begin");
    users::set_password(&mut tx, invited, "$argon2id$new", t0()).await.expect("set");
    tx.commit().await.expect("commit");
    assert_eq!(users::get(&store, invited).await.expect("get").expect("exists").status, UserStatus::Active);
}

async fn grants_and_members(store: Store) {
    let t = tree(&store).await;
    let admin = user(&store, "admin@example.org", None).await;
    let teacher = user(&store, "teacher@example.org", None).await;
    let ohioan = user(&store, "ohio@example.org", None).await;
    let mut tx = store.begin().await.expect("begin");
    assert!(users::add_grant(&mut tx, admin, t.texas.id, Role::OrgAdmin, None, t0()).await.expect("grant"));
    assert!(!users::add_grant(&mut tx, admin, t.texas.id, Role::OrgAdmin, None, t0()).await.expect("again"));
    users::add_grant(&mut tx, teacher, t.school.id, Role::Teacher, Some(admin), t0()).await.expect("grant");
    users::add_grant(&mut tx, ohioan, t.ohio.id, Role::Teacher, Some(admin), t0()).await.expect("grant");
    tx.commit().await.expect("commit");

    let grants = users::grants(&store, admin).await.expect("grants");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].grant().org_path, t.texas.path);
    let in_texas = users::members(&store, &t.texas.path, "", 50, 0).await.expect("members");
    let emails: Vec<&str> = in_texas.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(emails, ["admin@example.org", "teacher@example.org"]);
    let filtered = users::members(&store, &t.national.path, "OHIO", 50, 0).await.expect("filter");
    assert_eq!(filtered.len(), 1);
    assert_eq!(users::count_with_role(&store, &t.national.path, Role::Teacher).await.expect("count"), 2);
    assert_eq!(users::count_with_role(&store, &t.texas.path, Role::Teacher).await.expect("count"), 1);

    let mut tx = store.begin().await.expect("begin");
    assert!(users::remove_grant(&mut tx, grants[0].id).await.expect("remove"));
    tx.commit().await.expect("commit");
    assert!(users::grants(&store, admin).await.expect("grants").is_empty());
}

async fn sessions_expire_and_end(store: Store) {
    let id = user(&store, "s@example.org", Some("$argon2id$stub")).await;
    let token = SecretToken::generate();
    let new = NewSession {
        token_hash: &token.hash(),
        user_id: id,
        csrf_token: "csrf",
        expires_at: t0() + Duration::hours(1),
        ip: Some("127.0.0.1".into()),
        user_agent: None,
    };
    sessions::create(&store, &new, t0()).await.expect("create");
    let found = sessions::find(&store, &token.hash(), t0()).await.expect("find").expect("live");
    assert_eq!((found.user_id, found.csrf_token.as_str()), (id, "csrf"));
    assert!(sessions::find(&store, &token.hash(), t0() + Duration::hours(2)).await.expect("find").is_none());
    assert!(sessions::find(&store, &SecretToken::generate().hash(), t0()).await.expect("find").is_none());
    sessions::touch(&store, &token.hash(), t0(), t0() + Duration::hours(3)).await.expect("touch");
    assert!(sessions::find(&store, &token.hash(), t0() + Duration::hours(2)).await.expect("find").is_some());
    assert_eq!(sessions::delete_for_user(&store, id).await.expect("delete"), 1);
    assert!(sessions::find(&store, &token.hash(), t0()).await.expect("find").is_none());
}

async fn account_tokens_are_single_use(store: Store) {
    let id = user(&store, "r@example.org", None).await;
    let first = SecretToken::generate();
    let second = SecretToken::generate();
    let mut tx = store.begin().await.expect("begin");
    for token in [&first, &second] {
        sessions::create_account_token(
            &mut tx,
            &token.hash(),
            id,
            TokenPurpose::PasswordReset,
            t0(),
            t0() + Duration::hours(1),
        )
        .await
        .expect("token");
    }
    tx.commit().await.expect("commit");
    let purpose = TokenPurpose::PasswordReset;
    assert_eq!(sessions::peek_account_token(&store, &first.hash(), purpose, t0()).await.expect("peek"), Some(id));
    assert_eq!(
        sessions::peek_account_token(&store, &first.hash(), TokenPurpose::Invitation, t0()).await.expect("peek"),
        None
    );
    let late = t0() + Duration::hours(2);
    assert_eq!(sessions::peek_account_token(&store, &first.hash(), purpose, late).await.expect("peek"), None);

    let mut tx = store.begin().await.expect("begin");
    assert_eq!(sessions::consume_account_token(&mut tx, &second.hash(), purpose, t0()).await.expect("use"), Some(id));
    assert_eq!(sessions::consume_account_token(&mut tx, &second.hash(), purpose, t0()).await.expect("reuse"), None);
    assert_eq!(
        sessions::consume_account_token(&mut tx, &first.hash(), purpose, t0()).await.expect("older"),
        None,
        "using the newer link retires the older one"
    );
    tx.commit().await.expect("commit");
}

async fn rolled_back_transactions_leave_nothing(store: Store) {
    let t = tree(&store).await;
    let mut tx = store.begin().await.expect("begin");
    orgs::create(&mut tx, &org(Some(t.district.id), OrgKind::School, "Half-made School"), t0()).await.expect("school");
    drop(tx);
    let found = orgs::search(&store, &t.national.path, "half-made", None, 5).await.expect("search");
    assert!(found.is_empty(), "a dropped transaction rolls back");
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Probe {
    n: i64,
}

impl Job for Probe {
    const KIND: &'static str = "probe";
    const MAX_ATTEMPTS: i64 = 3;
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("probe:{}", self.n))
    }
}

async fn jobs_enqueue_with_their_transaction(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    assert!(jobs::enqueue(&mut tx, &Probe { n: 1 }, t0(), t0()).await.expect("enqueue").is_some());
    tx.rollback().await.expect("rollback");
    assert!(jobs::claim(&store, "w", 10, Duration::minutes(1), t0()).await.expect("claim").is_empty());

    let mut tx = store.begin().await.expect("begin");
    assert!(jobs::enqueue(&mut tx, &Probe { n: 1 }, t0(), t0()).await.expect("enqueue").is_some());
    assert!(jobs::enqueue(&mut tx, &Probe { n: 1 }, t0(), t0()).await.expect("dedupe").is_none());
    jobs::enqueue(&mut tx, &Probe { n: 2 }, t0() + Duration::hours(1), t0()).await.expect("later");
    tx.commit().await.expect("commit");

    let claimed = jobs::claim(&store, "w", 10, Duration::minutes(1), t0()).await.expect("claim");
    assert_eq!(claimed.len(), 1, "the later job is not yet due");
    assert_eq!(claimed[0].decode::<Probe>().expect("decode"), Probe { n: 1 });
    assert_eq!(claimed[0].attempts, 1);
    assert!(!jobs::complete(&store, claimed[0].id, "other-worker", t0()).await.expect("complete"), "not its lease");
    assert!(jobs::complete(&store, claimed[0].id, "w", t0()).await.expect("complete"));
    assert_eq!(jobs::get(&store, claimed[0].id).await.expect("get").expect("row").status, jobs::JobStatus::Done);
}

async fn concurrent_workers_claim_each_job_once(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    for n in 0..200 {
        jobs::enqueue(&mut tx, &Probe { n }, t0(), t0()).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let batch = jobs::claim(&store, &name, 7, Duration::minutes(5), t0()).await.expect("claim");
                if batch.is_empty() {
                    break mine;
                }
                for job in batch {
                    assert!(jobs::complete(&store, job.id, &name, t0()).await.expect("complete"));
                    mine.push(job.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 200, "every job claimed");
    assert_eq!(unique.len(), 200, "no job claimed twice");
}

async fn failed_jobs_retry_then_fail(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    let id = jobs::enqueue(&mut tx, &Probe { n: 9 }, t0(), t0()).await.expect("enqueue").expect("new");
    tx.commit().await.expect("commit");
    let mut now = t0();
    for attempt in 1..=3 {
        let claimed = jobs::claim(&store, "w", 1, Duration::minutes(1), now).await.expect("claim");
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let retry = (attempt < claimed[0].max_attempts).then(|| now + jobs::backoff(attempt, 0.0));
        assert!(jobs::fail(&store, id, "w", "smtp refused", retry, now).await.expect("fail"));
        if let Some(at) = retry {
            assert!(jobs::claim(&store, "w", 1, Duration::minutes(1), now).await.expect("claim").is_empty());
            now = at;
        }
    }
    let row = jobs::get(&store, id).await.expect("get").expect("row");
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    assert_eq!(row.last_error.as_deref(), Some("smtp refused"));
    assert!(
        jobs::claim(&store, "w", 1, Duration::minutes(1), now + Duration::days(1)).await.expect("claim").is_empty()
    );
}

async fn expired_leases_are_reclaimed(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    let id = jobs::enqueue(&mut tx, &Probe { n: 5 }, t0(), t0()).await.expect("enqueue").expect("new");
    tx.commit().await.expect("commit");
    let first = jobs::claim(&store, "crashed", 1, Duration::minutes(1), t0()).await.expect("claim");
    assert_eq!(first.len(), 1);
    let during =
        jobs::claim(&store, "rescuer", 1, Duration::minutes(1), t0() + Duration::seconds(30)).await.expect("claim");
    assert!(during.is_empty(), "lease still held");
    let after =
        jobs::claim(&store, "rescuer", 1, Duration::minutes(1), t0() + Duration::minutes(2)).await.expect("claim");
    assert_eq!(after.iter().map(|j| (j.id, j.attempts)).collect::<Vec<_>>(), [(id, 2)]);
    assert!(
        !jobs::complete(&store, id, "crashed", t0()).await.expect("late complete"),
        "the old worker lost its lease"
    );
}

async fn claims_take_expired_leases_first_and_keep_to_the_limit(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    let mut ids = Vec::new();
    for n in 20..24 {
        ids.push(jobs::enqueue(&mut tx, &Probe { n }, t0(), t0()).await.expect("enqueue").expect("new"));
    }
    tx.commit().await.expect("commit");
    // A worker claims all four, finishes three and dies holding the fourth.
    let later = t0() + Duration::minutes(5);
    let crashed = jobs::claim(&store, "crashed", 4, Duration::minutes(1), t0()).await.expect("claim");
    assert_eq!(crashed.len(), 4);
    for job in &crashed[..3] {
        assert!(jobs::complete(&store, job.id, "crashed", t0()).await.expect("complete"));
    }
    let mut tx = store.begin().await.expect("begin");
    // Due earlier than the expired job was, so that ordering by due time alone would take
    // these first: only "expired leases first" picks the stranded job.
    for n in 30..33 {
        jobs::enqueue(&mut tx, &Probe { n }, t0() - Duration::minutes(1), t0()).await.expect("enqueue").expect("new");
    }
    tx.commit().await.expect("commit");
    let claimed = jobs::claim(&store, "rescuer", 2, Duration::minutes(1), later).await.expect("claim");
    assert_eq!(claimed.len(), 2, "never more than the limit, with both kinds waiting");
    assert!(claimed.iter().any(|j| j.id == ids[3] && j.attempts == 2), "the expired lease comes first");
    let rest = jobs::claim(&store, "rescuer", 10, Duration::minutes(1), later).await.expect("claim");
    assert_eq!(rest.len(), 2, "the other queued jobs, each once");
}

async fn outbox_records_a_job_once(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    let id = jobs::enqueue(&mut tx, &Probe { n: 3 }, t0(), t0()).await.expect("enqueue");
    tx.commit().await.expect("commit");
    let message = outbox::NewOutboxMessage {
        job_id: id,
        to_address: "ada@example.org",
        subject: "Reset your password",
        body: "Follow the link.",
        transport: "outbox",
    };
    assert!(outbox::insert(&store, &message, t0()).await.expect("insert"));
    assert!(!outbox::insert(&store, &message, t0()).await.expect("again"), "a retried job writes once");
    let listed = outbox::list(&store, Some("ada@example.org"), 10, 0).await.expect("list");
    assert_eq!(listed.len(), 1);
    let stored = outbox::get(&store, listed[0].id).await.expect("get").expect("stored");
    assert_eq!(
        (
            stored.job_id,
            stored.to_address.as_str(),
            stored.subject.as_str(),
            stored.body.as_str(),
            stored.transport.as_str()
        ),
        (id, "ada@example.org", "Reset your password", "Follow the link.", "outbox")
    );
    assert_eq!(stored.created_at, t0());
    assert!(outbox::get(&store, listed[0].id + 1).await.expect("get").is_none());
    assert_eq!(outbox::count(&store).await.expect("count"), 1);
    assert!(outbox::list(&store, Some("nobody@example.org"), 10, 0).await.expect("list").is_empty());
}

async fn org_nodes_are_edited_and_looked_up(store: Store) {
    let t = tree(&store).await;
    assert_eq!(orgs::get(&store, t.school.id).await.expect("get"), Some(t.school.clone()));
    assert_eq!(orgs::get(&store, t.ohio.id + 100).await.expect("get"), None);
    assert_eq!(orgs::by_nces_id(&store, "480894000001").await.expect("by NCES id").map(|o| o.id), Some(t.school.id));
    assert_eq!(orgs::by_nces_id(&store, "480894000002").await.expect("by NCES id"), None);
    let schools = orgs::ids_of_kind(&store, OrgKind::School).await.expect("schools");
    assert_eq!((schools.len(), schools[0]), (2, t.school.id), "in id order");
    assert!(schools[0] < schools[1]);
    assert_eq!(orgs::ids_of_kind(&store, OrgKind::National).await.expect("national"), [t.national.id]);
    let state = |code: &str| UsState::parse(code).expect("state");
    let found = orgs::federation_of_state(&store, t.national.id, state("OH")).await.expect("Ohio");
    assert_eq!(found.map(|o| o.id), Some(t.ohio.id));
    let found = orgs::federation_of_state(&store, t.national.id, state("TX")).await.expect("Texas");
    assert_eq!(found.map(|o| o.id), Some(t.texas.id));
    assert_eq!(orgs::federation_of_state(&store, t.national.id, state("CA")).await.expect("none"), None);
    assert_eq!(orgs::federation_of_state(&store, t.texas.id, state("TX")).await.expect("not below Texas"), None);

    let edit = orgs::OrgUpdate {
        name: "Barton Hills Elementary School".into(),
        state: Some(state("TX")),
        nces_id: Some(NcesId::parse("480894000009", OrgKind::School).expect("nces")),
        locale: Some(Locale::Suburb),
        title_i: Some(false),
    };
    let mut tx = store.begin().await.expect("begin");
    let edited = orgs::update(&mut tx, t.school.id, &edit, t0() + Duration::hours(1)).await.expect("update");
    tx.commit().await.expect("commit");
    let expected = orgs::Org {
        name: "Barton Hills Elementary School".into(),
        nces_id: Some("480894000009".into()),
        locale: Some("suburb".into()),
        title_i: Some(false),
        ..t.school.clone()
    };
    assert_eq!(edited, expected, "the place in the tree and the creation time stay");
    assert_eq!(orgs::get(&store, t.school.id).await.expect("get"), Some(expected));

    let mut tx = store.begin().await.expect("begin");
    let misfit = orgs::OrgUpdate { name: "Austin ISD".into(), locale: Some(Locale::City), ..edit.clone() };
    let err = orgs::update(&mut tx, t.district.id, &misfit, t0()).await.expect_err("a district has no locale");
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("locale")), "{err:?}");
    let mut twin = org(Some(t.district.id), OrgKind::School, "Twin");
    twin.nces_id = Some(NcesId::parse("480894000010", OrgKind::School).expect("nces"));
    let twin = orgs::create(&mut tx, &twin, t0()).await.expect("twin");
    let err = orgs::update(&mut tx, twin.id, &orgs::OrgUpdate { name: "Twin".into(), ..edit.clone() }, t0())
        .await
        .expect_err("a taken NCES id");
    assert!(matches!(&err, StoreError::Conflict { field } if field == "nces_id"), "{err:?}");
    drop(tx);

    let mut tx = store.begin().await.expect("begin");
    let stray = org(Some(t.district.id), OrgKind::School, "Stray");
    let err = orgs::create_below(&mut tx, Some(&t.texas), &stray, t0()).await.expect_err("parent mismatch");
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("does not match")), "{err:?}");
    let err = orgs::create(&mut tx, &org(Some(t.ohio.id + 100), OrgKind::School, "Orphan"), t0())
        .await
        .expect_err("no such parent");
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
}

/// A person teaching at `school` with `role` there.
async fn staff(store: &Store, email: &str, school: i64, role: Role) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let new = NewUser {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse(email.split('@').next().unwrap_or("x")).expect("name"),
        password_hash: None,
        school_id: Some(school),
        local_id: None,
    };
    let id = users::create(&mut tx, &new, t0()).await.expect("create user");
    users::add_grant(&mut tx, id, school, role, None, t0()).await.expect("grant");
    tx.commit().await.expect("commit");
    id
}

async fn people_are_found_and_counted_by_their_schools(store: Store) {
    let t = tree(&store).await;
    let zilker = orgs::search(&store, &t.district.path, "zilker", None, 1).await.expect("search").remove(0);
    let mut tx = store.begin().await.expect("begin");
    let mut rural = org(Some(t.district.id), OrgKind::School, "Hill Country Elementary");
    (rural.locale, rural.title_i) = (Some(Locale::Rural), Some(false));
    let rural = orgs::create(&mut tx, &rural, t0()).await.expect("school");
    let mut unflagged = org(Some(t.district.id), OrgKind::School, "Oak Springs Elementary");
    unflagged.locale = Some(Locale::City);
    let unflagged = orgs::create(&mut tx, &unflagged, t0()).await.expect("school");
    tx.commit().await.expect("commit");
    // Barton Hills is a city Title I school; Zilker has neither attribute recorded.
    let ana = staff(&store, "ana@example.org", t.school.id, Role::Teacher).await;
    staff(&store, "bo@example.org", t.school.id, Role::Teacher).await;
    staff(&store, "cy@example.org", t.school.id, Role::OrgAdmin).await;
    let di = staff(&store, "di@example.org", zilker.id, Role::Teacher).await;
    staff(&store, "eve@example.org", rural.id, Role::Teacher).await;
    staff(&store, "fay@example.org", unflagged.id, Role::Teacher).await;
    let mut tx = store.begin().await.expect("begin");
    users::add_grant(&mut tx, di, t.district.id, Role::Teacher, None, t0()).await.expect("a second grant");
    tx.commit().await.expect("commit");

    let rows = users::teachers_by_school_attributes(&store, &t.texas.path).await.expect("aggregate");
    assert_eq!(
        rows,
        [
            (Some("city".to_owned()), Some(true), 2),
            (Some("city".to_owned()), None, 1),
            (Some("rural".to_owned()), Some(false), 1),
            (None, None, 1),
        ],
        "each teacher once, by locale and Title I, what was not recorded last on both engines"
    );
    assert!(users::teachers_by_school_attributes(&store, &t.ohio.path).await.expect("aggregate").is_empty());

    let found = users::by_email(&store, &Email::parse("ANA@Example.org").expect("email")).await.expect("by email");
    let found = found.expect("found whatever the case");
    assert_eq!((found.id, found.school_id, found.status), (ana, Some(t.school.id), UserStatus::Invited));
    assert_eq!(users::by_email(&store, &Email::parse("nobody@example.org").expect("email")).await.expect("none"), None);
    let mut tx = store.begin().await.expect("begin");
    users::set_display_name(&mut tx, ana, "Ana María", t0() + Duration::hours(1)).await.expect("rename");
    tx.commit().await.expect("commit");
    assert_eq!(users::get(&store, ana).await.expect("get").expect("exists").display_name, "Ana María");

    let grants = users::grants(&store, di).await.expect("grants");
    let places: Vec<i64> = grants.iter().map(|g| g.org_id).collect();
    assert_eq!(places, [t.district.id, zilker.id], "by place in the tree");
    assert_eq!(users::grant(&store, grants[1].id).await.expect("grant"), Some(grants[1].clone()));
    assert_eq!(grants[1].org_name, "Zilker Elementary");
    assert_eq!(users::grant(&store, grants[1].id + 100).await.expect("grant"), None);
}

async fn sessions_are_deleted_and_purged(store: Store) {
    let id = user(&store, "s@example.org", Some("$argon2id$stub")).await;
    let tokens = [SecretToken::generate(), SecretToken::generate(), SecretToken::generate()];
    for (hours, token) in (1..).zip(&tokens) {
        let new = NewSession {
            token_hash: &token.hash(),
            user_id: id,
            csrf_token: "csrf",
            expires_at: t0() + Duration::hours(hours),
            ip: None,
            user_agent: Some("test".into()),
        };
        sessions::create(&store, &new, t0()).await.expect("create");
    }
    sessions::delete(&store, &tokens[0].hash()).await.expect("sign out");
    assert!(sessions::find(&store, &tokens[0].hash(), t0()).await.expect("find").is_none());
    assert!(sessions::find(&store, &tokens[1].hash(), t0()).await.expect("find").is_some(), "only that one ends");
    assert_eq!(sessions::purge_expired(&store, t0() + Duration::hours(2)).await.expect("purge"), 1, "ends at 2h");
    assert_eq!(sessions::purge_expired(&store, t0() + Duration::hours(2)).await.expect("purge"), 0);
    assert!(sessions::find(&store, &tokens[2].hash(), t0()).await.expect("find").is_some());
    assert_eq!(sessions::delete_for_user(&store, id).await.expect("delete"), 1);
}

async fn jobs_are_listed_counted_and_pruned(store: Store) {
    let mut tx = store.begin().await.expect("begin");
    let done = jobs::enqueue(&mut tx, &Probe { n: 40 }, t0(), t0()).await.expect("enqueue").expect("new");
    let later = jobs::enqueue(&mut tx, &Probe { n: 41 }, t0() + Duration::hours(1), t0()).await.expect("enqueue");
    let later = later.expect("new");
    let failed = jobs::enqueue(&mut tx, &Probe { n: 42 }, t0(), t0()).await.expect("enqueue").expect("new");
    tx.commit().await.expect("commit");
    assert_eq!(jobs::due_or_running(&store, t0()).await.expect("due"), 2);
    for (id, finish) in [(done, true), (failed, false)] {
        let claimed = jobs::claim(&store, "w", 1, Duration::minutes(1), t0()).await.expect("claim");
        assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
        let minutes = t0() + Duration::minutes(5);
        let recorded = if finish {
            jobs::complete(&store, id, "w", minutes).await
        } else {
            jobs::fail(&store, id, "w", "gave up", None, minutes).await
        };
        assert!(recorded.expect("record"));
    }
    assert_eq!(jobs::due_or_running(&store, t0()).await.expect("due"), 0, "a job due later is not counted");
    assert_eq!(jobs::due_or_running(&store, t0() + Duration::hours(1)).await.expect("due"), 1);
    let claimed = jobs::claim(&store, "w", 1, Duration::minutes(1), t0() + Duration::hours(1)).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(jobs::due_or_running(&store, t0()).await.expect("due"), 1, "a running job counts whenever it was due");

    let counts = jobs::counts(&store).await.expect("counts");
    assert_eq!(counts, [("done".to_owned(), 1), ("failed".to_owned(), 1), ("running".to_owned(), 1)]);
    assert_eq!(jobs::count_of(&store, "probe", jobs::JobStatus::Running).await.expect("count"), 1);
    assert_eq!(jobs::count_of(&store, "probe", jobs::JobStatus::Queued).await.expect("count"), 0);
    assert_eq!(jobs::count_of(&store, "other", jobs::JobStatus::Done).await.expect("count"), 0);
    let ids = |rows: Vec<jobs::JobRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(jobs::list(&store, None, 10).await.expect("list")), [failed, later, done], "newest first");
    assert_eq!(ids(jobs::list(&store, None, 2).await.expect("list")), [failed, later]);
    assert_eq!(ids(jobs::list(&store, Some(jobs::JobStatus::Done), 10).await.expect("list")), [done]);
    assert_eq!(jobs::done_spans(&store, "probe").await.expect("spans"), [(t0(), t0() + Duration::minutes(5))]);

    let finished = t0() + Duration::minutes(5);
    assert_eq!(jobs::prune_done(&store, finished).await.expect("prune"), 0, "only jobs finished before");
    assert_eq!(jobs::prune_done(&store, finished + Duration::seconds(1)).await.expect("prune"), 1);
    assert!(jobs::get(&store, done).await.expect("get").is_none());
    let kept = jobs::get(&store, failed).await.expect("get").expect("failed jobs are kept");
    assert_eq!(
        (kept.status, kept.last_error.as_deref(), kept.finished_at),
        (jobs::JobStatus::Failed, Some("gave up"), Some(finished))
    );
}

async fn audit_events_read_newest_first(store: Store) {
    let admin = user(&store, "admin@example.org", None).await;
    let mut tx = store.begin().await.expect("begin");
    audit::record(&mut tx, Some(admin), "org.create", "org:1", Some("Texas"), t0()).await.expect("record");
    audit::record(&mut tx, Some(admin), "grant.add", "user:7", Some("teacher"), t0()).await.expect("record");
    audit::record(&mut tx, None, "org.update", "org:1", None, t0() + Duration::minutes(1)).await.expect("record");
    audit::record(&mut tx, Some(admin), "org.update", "org:10", None, t0()).await.expect("record");
    audit::record(&mut tx, Some(admin), "org.rename", "org:1", Some("Texas AFT"), t0() + Duration::minutes(2))
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    let mut tx = store.begin().await.expect("begin");
    audit::record(&mut tx, Some(admin), "org.delete", "org:1", None, t0()).await.expect("record");
    tx.rollback().await.expect("rollback");

    let events = audit::for_subject(&store, "org:1", 10).await.expect("events");
    let listed: Vec<_> = events
        .iter()
        .map(|e| (e.actor_id, e.action.as_str(), e.subject.as_str(), e.detail.as_deref(), e.created_at))
        .collect();
    assert_eq!(
        listed,
        [
            (Some(admin), "org.rename", "org:1", Some("Texas AFT"), t0() + Duration::minutes(2)),
            (None, "org.update", "org:1", None, t0() + Duration::minutes(1)),
            (Some(admin), "org.create", "org:1", Some("Texas"), t0()),
        ],
        "newest first, this subject only, nothing from a rolled-back change"
    );
    let latest = audit::for_subject(&store, "org:1", 1).await.expect("events");
    assert_eq!(latest.iter().map(|e| e.id).collect::<Vec<_>>(), [events[0].id]);
    let err = audit::record(&store, Some(admin + 100), "org.create", "org:2", None, t0()).await.expect_err("no actor");
    assert!(matches!(err, StoreError::MissingReference), "{err:?}");
}
