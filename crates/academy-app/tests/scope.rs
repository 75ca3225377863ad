//! The scope rules hold inside the use cases themselves, whoever calls them (the web's route
//! guard checks first, but the CLI, the worker and the API call the same use cases): content is
//! changed by authors at its owner, a session is hosted where its scheduler runs sessions, a
//! role for someone outside the granter's scope is an offer, and the operator's command line may
//! do anything but is recorded as such.

use academy_app::authoring::items;
use academy_app::config::Config;
use academy_app::imports::course;
use academy_app::learn::workshops;
use academy_app::people::{self, GrantOutcome};
use academy_app::{Actor, App, Error};
use academy_core::Email;
use academy_core::access::{Principal, Role};
use academy_store::catalog::ItemStatus;
use academy_store::testing::{TestDatabase, postgres_url};
use academy_store::users::GrantRow;
use academy_store::workshops::{LocationKind, NewSession};
use academy_store::{Backend, audit, catalog, orgs, query, users};

async fn principal(app: &App, email: &str) -> (i64, Principal) {
    let user = users::by_email(&app.store, &Email::parse(email).expect("email")).await.expect("q").expect("user");
    let grants = users::grants(&app.store, user.id).await.expect("grants").iter().map(GrantRow::grant).collect();
    (user.id, Principal { user_id: user.id, grants })
}

async fn scope_rules_hold_in_the_use_cases(backend: Backend) {
    let db = TestDatabase::create(backend).await.expect("test database");
    let store = db.open().await.expect("store");
    let dir = tempfile::tempdir().expect("dir");
    let config = Config::for_data_dir(dir.path(), Some(db.url.clone())).expect("config");
    let app = App::new(store.clone(), config).expect("app");
    academy_app::demo::load(&app).await.expect("demo");

    let (facilitator_id, facilitator) = principal(&app, "facilitator@academy.test").await;
    let facilitator = Actor { user_id: facilitator_id, display_name: "Jamal Carter", principal: &facilitator };
    let national = items::item(&app, "how-language-models-work").await.expect("item");
    assert!(matches!(
        items::set_status(&app, facilitator, &national, ItemStatus::Archived).await,
        Err(Error::Forbidden)
    ));
    let (_, package) = course::export(&app, &national.slug).await.expect("export");
    assert!(matches!(course::import(&app, Some(facilitator), &package, false, None).await, Err(Error::Forbidden)));
    // The operator may, and the audit log says who did.
    let imported = course::import(&app, None, &package, false, None).await.expect("an operator's import");
    assert!(!imported.created);
    let events = audit::for_subject(&store, &format!("item:{}", national.id), 5).await.expect("audit");
    assert!(
        events.iter().any(|e| e.action == "item.reimport"
            && e.actor_id.is_none()
            && e.detail.as_deref().is_some_and(|d| d.contains("by an operator, from the command line"))),
        "{events:?}"
    );
    assert_eq!(
        catalog::item(&store, national.id).await.expect("q").expect("item").owner_org_id,
        national.owner_org_id,
        "an item keeps its owner"
    );

    let (admin_id, texas_admin) = principal(&app, "texas.admin@academy.test").await;
    let texas_admin = Actor { user_id: admin_id, display_name: "Rosa Delgado", principal: &texas_admin };
    let ohio = orgs::by_nces_id(&store, "3999901").await.expect("q").expect("an Ohio district");
    let workshop = items::item(&app, "ai-ethics-roundtable").await.expect("workshop");
    let starts = academy_core::time::now() + chrono::Duration::days(20);
    let session = NewSession {
        item_id: workshop.id,
        host_org_id: Some(ohio.id),
        starts_at: starts,
        ends_at: starts + chrono::Duration::hours(1),
        time_zone: "America/New_York".into(),
        capacity: 20,
        location_kind: LocationKind::Virtual,
        hub_name: None,
        hub_address: None,
        meeting_url: Some("https://meet.example.org/x".into()),
    };
    match workshops::schedule_session(&app, texas_admin, &workshop, &session, None).await {
        Err(Error::Invalid(errors)) => assert!(errors.get("host_org_id").is_some(), "{errors:?}"),
        other => panic!("a session hosted in Ohio must be refused: {other:?}"),
    }

    let (ohio_teacher,): (String,) = query(
        "SELECT u.email FROM users u JOIN orgs o ON o.id = u.school_id WHERE o.state = 'OH' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&store)
    .await
    .expect("an Ohio teacher");
    let district = orgs::by_nces_id(&store, "4899901").await.expect("q").expect("Riverbend");
    let email = Email::parse(&ohio_teacher).expect("email");
    let outcome = people::grant_role(&app, texas_admin, &district, &email, Role::Facilitator).await.expect("grant");
    assert_eq!(outcome, GrantOutcome::AskedToAccept);
    let (ohio_id, _) = principal(&app, &ohio_teacher).await;
    assert!(users::grants(&store, ohio_id).await.expect("grants").iter().all(|g| g.org_id != district.id));
    let nobody = Email::parse("nobody@example.org").expect("email");
    let unknown = people::grant_role(&app, texas_admin, &district, &nobody, Role::Facilitator).await.expect("grant");
    assert_eq!(unknown, outcome, "an unknown email reads the same");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_rules_hold_in_the_use_cases_on_sqlite() {
    scope_rules_hold_in_the_use_cases(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_rules_hold_in_the_use_cases_on_postgres() {
    if postgres_url().is_none() {
        assert!(std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(), "ACADEMY_REQUIRE_POSTGRES is set");
        return;
    }
    scope_rules_hold_in_the_use_cases(Backend::Postgres).await
}
