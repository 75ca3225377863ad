//! Writes across the tree, over HTTP: a Texas org admin and an Ohio teacher (a role or a cohort
//! place for someone outside the granter's part of the tree is an offer they accept). The happy
//! paths inside each scope stay open.

use crate::support::{TestApp, link_in, location, on_both, texts};
use academy_store::{Backend, pathways, query, users};
use reqwest::StatusCode;

on_both!(roles_and_cohort_places_outside_the_scope_are_offers);

/// The emails of the first `n` demo teachers at schools in `state`.
async fn teachers_in(app: &TestApp, state: &str, n: i64) -> Vec<String> {
    let rows: Vec<(String,)> = query(
        "SELECT u.email FROM users u JOIN orgs o ON o.id = u.school_id
         WHERE o.state = $1 AND u.email LIKE '%@academy.test' ORDER BY u.id LIMIT $2",
    )
    .bind(state)
    .bind(n)
    .fetch_all(&app.server().store)
    .await
    .expect("teachers");
    rows.into_iter().map(|(e,)| e).collect()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    users::by_email(&app.server().store, &academy_core::Email::parse(email).expect("email"))
        .await
        .expect("q")
        .expect("user")
        .id
}

/// Whether `email` has joined the demo's main pathway.
async fn joined(app: &TestApp, email: &str) -> bool {
    let id = user_id(app, email).await;
    pathways::mine(&app.server().store, id).await.expect("mine").iter().any(|p| p.slug == "ai-ready-educator")
}

async fn org_named(app: &TestApp, name: &str) -> i64 {
    let (id,): (i64,) =
        query("SELECT id FROM orgs WHERE name = $1").bind(name).fetch_one(&app.server().store).await.expect("org");
    id
}

async fn roles_and_cohort_places_outside_the_scope_are_offers(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let admin = app.signed_in("texas.admin@academy.test").await;
    let district = org_named(&app, "Riverbend Independent School District").await;
    let org_page = format!("/admin/orgs/{district}");
    let grants = format!("{org_page}/grants");
    let ohio = teachers_in(&app, "OH", 3).await;
    let texas = teachers_in(&app, "TX", 1).await;
    let ohio_id = user_id(&app, &ohio[0]).await;

    // Outside Texas: an offer, worded exactly as for an email without an account.
    let offered =
        app.post_form(&admin, &org_page, &grants, &[("email", ohio[0].as_str()), ("role", "facilitator")]).await;
    assert_eq!(offered.status(), StatusCode::SEE_OTHER);
    let nobody =
        app.post_form(&admin, &org_page, &grants, &[("email", "nobody@example.org"), ("role", "facilitator")]).await;
    assert_eq!(nobody.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(offered.headers()), location(nobody.headers()), "the same answer either way");
    let page = app.get_html(&admin, &location(offered.headers())).await;
    assert_eq!(
        texts(&page, ".notice"),
        ["If they have an account, they will be asked to accept; otherwise invite them."]
    );
    assert!(
        users::grants(store, ohio_id).await.expect("grants").iter().all(|g| g.org_id != district),
        "nothing granted before acceptance"
    );
    let profile = admin.get(app.url(&format!("/admin/people/{ohio_id}"))).send().await.expect("get");
    assert_eq!(profile.status(), StatusCode::FORBIDDEN, "no Ohio profile in Texas's view");
    // The invitation form does not tell either.
    let invite = format!("{org_page}/invite");
    let invited = app
        .post_form(
            &admin,
            &invite,
            &invite,
            &[("email", ohio[1].as_str()), ("display_name", "Someone"), ("role", "teacher")],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(invited.headers()), format!("{org_page}?notice=invited"));

    // The Ohio teacher is told, and decides.
    let mail = app.last_mail(&ohio[0]).await;
    assert_eq!(mail.subject, "An offer is waiting for you in Academy");
    assert!(mail.body.contains("Rosa Delgado offered you the Facilitator role at Riverbend"), "{}", mail.body);
    let offer = link_in(&mail.body, &app.url("/offers/")).trim_start_matches(&app.base).to_owned();
    let someone_else = app.signed_in("teacher@academy.test").await;
    let peek = someone_else.get(app.url(&offer)).send().await.expect("get");
    assert_eq!(peek.status(), StatusCode::NOT_FOUND, "an offer is its recipient's only");
    let teacher = app.signed_in(&ohio[0]).await;
    let home = app.get_html(&teacher, "/").await;
    assert!(texts(&home, "#offers-heading + ul li").iter().any(|t| t.contains("Facilitator role")), "home page");
    let accepted = app.post_form(&teacher, &offer, &format!("{offer}/accept"), &[]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert!(users::grants(store, ohio_id).await.expect("grants").iter().any(|g| g.org_id == district));
    let profile = admin.get(app.url(&format!("/admin/people/{ohio_id}"))).send().await.expect("get");
    assert_eq!(profile.status(), StatusCode::OK, "once accepted, they are in Texas's view");
    let again = app.post_form(&teacher, &offer, &format!("{offer}/accept"), &[]).await;
    assert_ne!(again.status(), StatusCode::SEE_OTHER, "an offer is answered once");

    // Inside Texas, a grant is still immediate.
    let granted =
        app.post_form(&admin, &org_page, &grants, &[("email", texas[0].as_str()), ("role", "facilitator")]).await;
    assert!(location(granted.headers()).ends_with("notice=granted"));

    // A cohort place outside Texas is an offer too; the pathway is joined on acceptance.
    let local = org_named(&app, "Riverbend Education Association").await;
    let new = format!("/admin/orgs/{local}/cohorts/new");
    let created =
        app.post_form(&admin, &new, &new, &[("name", "Spring cohort"), ("pathway", "ai-ready-educator")]).await;
    let cohort = location(created.headers()).split('?').next().unwrap_or_default().to_owned();
    let members = format!("{cohort}/members");
    let added = app.post_form(&admin, &cohort, &members, &[("email", ohio[2].as_str()), ("role", "member")]).await;
    let ghost = app.post_form(&admin, &cohort, &members, &[("email", "ghost@example.org"), ("role", "member")]).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(added.headers()), location(ghost.headers()), "the same answer either way");
    assert!(!joined(&app, &ohio[2]).await, "not joined before acceptance");
    let page = app.get_html(&admin, &cohort).await;
    assert!(texts(&page, "tbody tr").iter().all(|r| !r.contains("Ohio")), "not listed");
    let cohort_mail = app.last_mail(&ohio[2]).await;
    let offer = link_in(&cohort_mail.body, &app.url("/offers/")).trim_start_matches(&app.base).to_owned();
    let member = app.signed_in(&ohio[2]).await;
    let declined = app.post_form(&member, &offer, &format!("{offer}/decline"), &[]).await;
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);
    assert!(!joined(&app, &ohio[2]).await, "declined: nothing changed");
    // Asked again, and accepted this time.
    app.post_form(&admin, &cohort, &members, &[("email", ohio[2].as_str()), ("role", "member")]).await;
    let offers = academy_store::offers::open_for(store, user_id(&app, &ohio[2]).await, academy_core::time::now())
        .await
        .expect("offers");
    let offer = format!("/offers/{}", offers[0].id);
    let accepted = app.post_form(&member, &offer, &format!("{offer}/accept"), &[]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert!(joined(&app, &ohio[2]).await, "the pathway is joined on acceptance");
    let actions: Vec<(String,)> =
        query("SELECT action FROM audit_events WHERE action LIKE 'offer.%' OR action LIKE '%.offer' ORDER BY id")
            .fetch_all(store)
            .await
            .expect("audit");
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["grant.offer", "grant.offer", "offer.accept", "cohort.offer", "offer.decline", "cohort.offer", "offer.accept"],
        "every offer and answer is audited"
    );
    app.stop().await;
}
