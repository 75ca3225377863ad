//! Every role against the pages, over HTTP: a role applies at its node and below, nowhere else.

use crate::support::{TestApp, on_both};
use academy_core::OrgKind;
use academy_store::{Backend, orgs, query};
use reqwest::{Client, StatusCode};

on_both!(each_role_reaches_exactly_its_pages, org_admins_cannot_act_outside_their_state);

/// Status per persona: anonymous, teacher, facilitator, Texas org admin, program admin, researcher.
type Expected = [u16; 6];

async fn each_role_reaches_exactly_its_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let root = orgs::root(store).await.expect("q").expect("root");
    let texas = federation(&app, "TX").await;
    let ohio = federation(&app, "OH").await;
    let district = orgs::by_nces_id(store, "4899901").await.expect("q").expect("district");
    assert_eq!(district.kind, OrgKind::District);
    let teacher =
        academy_store::users::by_email(store, &"teacher@academy.test".parse_email()).await.expect("q").expect("t");

    let personas: Vec<Option<Client>> = vec![
        None,
        Some(app.signed_in("teacher@academy.test").await),
        Some(app.signed_in("facilitator@academy.test").await),
        Some(app.signed_in("texas.admin@academy.test").await),
        Some(app.signed_in("admin@academy.test").await),
        Some(app.signed_in("researcher@academy.test").await),
    ];
    let table: Vec<(String, Expected)> = vec![
        ("/".into(), [303, 200, 200, 200, 200, 200]),
        ("/account".into(), [303, 200, 200, 200, 200, 200]),
        ("/sign-in".into(), [200, 303, 303, 303, 303, 303]),
        ("/password/forgot".into(), [200, 200, 200, 200, 200, 200]),
        ("/healthz".into(), [200, 200, 200, 200, 200, 200]),
        ("/admin/orgs".into(), [303, 403, 403, 303, 303, 403]),
        (format!("/admin/orgs/{}", root.id), [303, 403, 403, 403, 200, 403]),
        (format!("/admin/orgs/{texas}"), [303, 403, 403, 200, 200, 403]),
        (format!("/admin/orgs/{ohio}"), [303, 403, 403, 403, 200, 403]),
        (format!("/admin/orgs/{texas}/edit"), [303, 403, 403, 200, 200, 403]),
        (format!("/admin/orgs/{ohio}/edit"), [303, 403, 403, 403, 200, 403]),
        (format!("/admin/orgs/{texas}/children/new"), [303, 403, 403, 200, 200, 403]),
        (format!("/admin/orgs/{texas}/members"), [303, 403, 403, 200, 200, 403]),
        (format!("/admin/orgs/{}/members", district.id), [303, 403, 200, 200, 200, 403]),
        (format!("/admin/orgs/{ohio}/members"), [303, 403, 403, 403, 200, 403]),
        (format!("/admin/orgs/{texas}/invite"), [303, 403, 403, 200, 200, 403]),
        (format!("/admin/people/{}", teacher.id), [303, 403, 200, 200, 200, 403]),
        ("/admin/outbox".into(), [303, 403, 403, 403, 200, 403]),
        ("/api/v1/me".into(), [401, 200, 200, 200, 200, 200]),
        (format!("/api/v1/orgs/{texas}"), [401, 403, 403, 200, 200, 403]),
        (format!("/api/v1/orgs/{ohio}/children"), [401, 403, 403, 403, 200, 403]),
        (format!("/api/v1/orgs/{}/members", district.id), [401, 403, 200, 200, 200, 403]),
        ("/admin/orgs/999999".into(), [303, 404, 404, 404, 404, 404]),
    ];
    let mut wrong = Vec::new();
    for (path, expected) in &table {
        for (i, persona) in personas.iter().enumerate() {
            let client = persona.clone().unwrap_or_else(|| app.client());
            let status = client.get(app.url(path)).send().await.expect("get").status().as_u16();
            if status != expected[i] {
                wrong.push(format!("{path} as persona {i}: got {status}, expected {}", expected[i]));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    app.stop().await;
}

async fn org_admins_cannot_act_outside_their_state(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("texas.admin@academy.test").await;
    let ohio = federation(&app, "OH").await;
    // A token from a page the admin may see; the target is outside their reach.
    let token = app.csrf(&admin, "/account").await;
    let posts = [
        (
            format!("/admin/orgs/{ohio}/children/new"),
            vec![("kind", "district"), ("name", "Sneaky ISD"), ("state", "OH")],
        ),
        (format!("/admin/orgs/{ohio}/edit"), vec![("name", "Renamed")]),
        (
            format!("/admin/orgs/{ohio}/invite"),
            vec![("email", "x@example.org"), ("display_name", "X"), ("role", "teacher")],
        ),
        (format!("/admin/orgs/{ohio}/grants"), vec![("email", "teacher@academy.test"), ("role", "teacher")]),
    ];
    for (path, fields) in posts {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend(fields);
        let response = admin.post(app.url(&path)).form(&all).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let (name,): (String,) =
        query("SELECT name FROM orgs WHERE id = $1").bind(ohio).fetch_one(&app.server().store).await.expect("name");
    assert_eq!(name, "Ohio Federation of Educators", "nothing changed");
    let sneaky: Vec<(i64,)> =
        query("SELECT id FROM orgs WHERE name = 'Sneaky ISD'").fetch_all(&app.server().store).await.expect("q");
    assert!(sneaky.is_empty());
    app.stop().await;
}

async fn federation(app: &TestApp, state: &str) -> i64 {
    let (id,): (i64,) = query("SELECT id FROM orgs WHERE kind = 'state_federation' AND state = $1")
        .bind(state)
        .fetch_one(&app.server().store)
        .await
        .expect("federation");
    id
}

trait ParseEmail {
    fn parse_email(&self) -> academy_core::Email;
}

impl ParseEmail for &str {
    fn parse_email(&self) -> academy_core::Email {
        academy_core::Email::parse(self).expect("email")
    }
}
