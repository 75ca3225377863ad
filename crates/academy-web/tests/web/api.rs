//! The JSON API and its OpenAPI document.

use crate::support::{TestApp, on_both};
use academy_store::{Backend, orgs};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

on_both!(
    me_describes_the_signed_in_person,
    api_writes_need_the_csrf_header_and_valid_bodies,
    the_openapi_document_covers_every_api_route,
    the_catalog_searches_filters_and_shows_items,
    my_learning_transcript_and_credentials,
    credentials_are_public_and_listed_for_admins,
    people_and_orgs_keep_to_the_callers_reach,
    program_reports_match_the_page_rules,
);

async fn me_describes_the_signed_in_person(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let me: Value = client.get(app.url("/api/v1/me")).send().await.expect("get").json().await.expect("json");
    insta::assert_json_snapshot!("me_teacher", me, {
        ".id" => "[id]",
        ".csrf_token" => "[csrf]",
        ".roles[].org.id" => "[id]",
        ".school.id" => "[id]",
        ".local.id" => "[id]",
    });
    let anonymous = app.client().get(app.url("/api/v1/me")).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: Value = anonymous.json().await.expect("json");
    insta::assert_json_snapshot!("unauthenticated", body);
    app.stop().await;
}

async fn api_writes_need_the_csrf_header_and_valid_bodies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("texas.admin@academy.test").await;
    let me: Value = client.get(app.url("/api/v1/me")).send().await.expect("get").json().await.expect("json");
    let csrf = me["csrf_token"].as_str().expect("token").to_owned();
    let texas = me["roles"][0]["org"]["id"].as_i64().expect("org id");
    let url = app.url(&format!("/api/v1/orgs/{texas}/children"));
    let district = json!({"kind": "district", "name": "Pecan Valley ISD", "nces_id": "4899902"});

    let no_token = client.post(&url).json(&district).send().await.expect("post");
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(no_token.json::<Value>().await.expect("json")["error"]["code"], "csrf_failed");

    let malformed = client
        .post(&url)
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.expect("json");
    assert_eq!(body["error"]["code"], "bad_request");

    let missing =
        client.post(&url).header("x-csrf-token", &csrf).json(&json!({"kind": "district"})).send().await.expect("post");
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(
        missing.json::<Value>().await.expect("json")["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("missing field `name`")
    );

    let invalid = client
        .post(&url)
        .header("x-csrf-token", &csrf)
        .json(&json!({"kind": "school", "name": "", "nces_id": "12x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = invalid.json().await.expect("json");
    insta::assert_json_snapshot!("validation_failed", body);

    let created = client.post(&url).header("x-csrf-token", &csrf).json(&district).send().await.expect("post");
    assert_eq!(created.status(), StatusCode::CREATED);
    let org: Value = created.json().await.expect("json");
    assert_eq!(
        (org["kind"].as_str(), org["state"].as_str(), org["parent_id"].as_i64()),
        (Some("district"), Some("TX"), Some(texas))
    );

    let again = client.post(&url).header("x-csrf-token", &csrf).json(&district).send().await.expect("post");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["details"]["field"], "nces_id");

    let invite_url = app.url(&format!("/api/v1/orgs/{}/invitations", org["id"]));
    let invited = client
        .post(&invite_url)
        .header("x-csrf-token", &csrf)
        .json(&json!({"email": "api.invite@example.org", "display_name": "Api Invitee", "role": "teacher"}))
        .send()
        .await
        .expect("post");
    assert_eq!(invited.status(), StatusCode::CREATED);
    let escalation = client
        .post(&invite_url)
        .header("x-csrf-token", &csrf)
        .json(&json!({"email": "boss@example.org", "display_name": "Boss", "role": "program-admin"}))
        .send()
        .await
        .expect("post");
    assert_eq!(escalation.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mail = app.last_mail("api.invite@example.org").await;
    assert!(mail.body.contains("/invitations/"));

    let children: Value = client
        .get(app.url(&format!("/api/v1/orgs/{texas}/children?limit=10")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> =
        children["items"].as_array().expect("items").iter().filter_map(|o| o["name"].as_str()).collect();
    assert_eq!(names, ["Pecan Valley ISD", "Riverbend Education Association", "Riverbend Independent School District"]);
    let bad_limit = client.get(app.url(&format!("/api/v1/orgs/{texas}/children?limit=0"))).send().await.expect("get");
    assert_eq!(bad_limit.status(), StatusCode::BAD_REQUEST);
    let not_a_number =
        client.get(app.url(&format!("/api/v1/orgs/{texas}/children?limit=ten"))).send().await.expect("get");
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);
    assert!(orgs::by_nces_id(&app.server().store, "4899902").await.expect("q").is_some());
    app.stop().await;
}

async fn the_openapi_document_covers_every_api_route(backend: Backend) {
    let app = TestApp::start(backend).await;
    let doc: Value =
        app.client().get(app.url("/api/v1/openapi.json")).send().await.expect("get").json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().into_iter().flatten().map(move |(method, _)| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = academy_web::routes::routes()
        .into_iter()
        .map(|(spec, _)| (spec.method.to_string(), spec.path.to_owned()))
        .filter(|(_, path)| path.starts_with("/api/v1/") && path != "/api/v1/openapi.json")
        .collect();
    assert_eq!(documented, routed, "every API route is documented, and nothing else");
    let public: BTreeSet<String> = academy_web::routes::routes()
        .into_iter()
        .filter(|(spec, _)| spec.access == academy_core::access::Access::Public)
        .map(|(spec, _)| format!("{} {}", spec.method, spec.path))
        .collect();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let route = format!("{} {path}", method.to_uppercase());
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{route} has a success response");
            if public.contains(&route) {
                assert_eq!(operation["security"], json!([{}]), "{route} is public and says so");
            } else {
                assert!(responses.contains_key("401"), "{route} documents 401");
            }
            // Query parameters are in the query: `in: path` for a name the path lacks is invalid.
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("name");
                let location = if path.contains(&format!("{{{name}}}")) { "path" } else { "query" };
                assert_eq!(parameter["in"], location, "{route}: parameter {name}");
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["csrf"].is_object());
    // Validation errors carry an array of field errors, conflicts an object: the schema says so.
    let details = &doc["components"]["schemas"]["ErrorDetails"]["oneOf"];
    assert_eq!(details[0]["type"], "array", "{details}");
    assert_eq!(details[1]["$ref"], "#/components/schemas/ConflictDetails", "{details}");
    app.stop().await;
}

/// A signed-in API client's GET, which must answer `status`, as JSON.
async fn get_json(client: &reqwest::Client, app: &TestApp, path: &str, status: StatusCode) -> Value {
    let response = client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), status, "GET {path}");
    assert!(
        response.headers()["content-type"].to_str().expect("type").starts_with("application/json"),
        "GET {path} answers JSON"
    );
    response.json().await.expect("json")
}

async fn the_catalog_searches_filters_and_shows_items(backend: Backend) {
    let app = TestApp::start(backend).await;
    let teacher = app.signed_in("teacher@academy.test").await;
    let all = get_json(&teacher, &app, "/api/v1/catalog?limit=100", StatusCode::OK).await;
    let total = all["total"].as_i64().expect("total");
    assert_eq!(all["items"].as_array().expect("items").len() as i64, total);
    let ethics = get_json(&teacher, &app, "/api/v1/catalog?strand=ethics&limit=100", StatusCode::OK).await;
    let strands: BTreeSet<&str> =
        ethics["items"].as_array().expect("items").iter().filter_map(|i| i["strand"].as_str()).collect();
    assert_eq!(strands, BTreeSet::from(["ethics"]));
    assert!(ethics["total"].as_i64() < Some(total));
    let bad = get_json(&teacher, &app, "/api/v1/catalog?strand=cooking", StatusCode::BAD_REQUEST).await;
    assert_eq!(bad["error"]["code"], "bad_request");
    assert!(bad["error"]["message"].as_str().expect("message").contains("strand"));
    get_json(&teacher, &app, "/api/v1/catalog?limit=101", StatusCode::BAD_REQUEST).await;
    get_json(&teacher, &app, "/api/v1/catalog?q=%00", StatusCode::BAD_REQUEST).await;

    let slug = all["items"][0]["slug"].as_str().expect("slug").to_owned();
    let item = get_json(&teacher, &app, &format!("/api/v1/catalog/{slug}"), StatusCode::OK).await;
    assert_eq!(item["slug"], slug.as_str());
    assert!(item["outline"].is_array() && item["sessions"].is_array() && item["grade_bands"].is_array());
    let workshop =
        all["items"].as_array().expect("items").iter().find(|i| i["kind"] == "workshop").expect("a workshop");
    let workshop = get_json(
        &teacher,
        &app,
        &format!("/api/v1/catalog/{}", workshop["slug"].as_str().expect("slug")),
        StatusCode::OK,
    )
    .await;
    assert!(!workshop["sessions"].as_array().expect("sessions").is_empty(), "upcoming sessions are listed");
    let missing = get_json(&teacher, &app, "/api/v1/catalog/no-such-item", StatusCode::NOT_FOUND).await;
    assert_eq!(missing["error"]["code"], "not_found");
    let anonymous = app.client().get(app.url("/api/v1/catalog")).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn my_learning_transcript_and_credentials(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let store = &app.server().store;
    // A demo teacher who finished the main pathway and holds its credential.
    let (email,): (String,) = academy_store::query(
        "SELECT u.email FROM credentials c JOIN users u ON u.id = c.user_id ORDER BY c.issued_at, c.id LIMIT 1",
    )
    .fetch_one(store)
    .await
    .expect("the demo issued a credential");
    let teacher = app.signed_in(&email).await;
    let learning = get_json(&teacher, &app, "/api/v1/me/learning", StatusCode::OK).await;
    let items = learning["items"].as_array().expect("items");
    assert!(items.iter().any(|i| i["status"] == "completed"), "{learning}");
    assert!(learning["pd_hours"].as_f64().expect("hours") > 0.0);
    assert!(!learning["credentials"].as_array().expect("credentials").is_empty());
    let transcript = get_json(&teacher, &app, "/api/v1/me/transcript", StatusCode::OK).await;
    let lines = transcript["lines"].as_array().expect("lines");
    let sum: f64 = lines.iter().filter_map(|l| l["pd_hours"].as_f64()).sum();
    assert!((sum - transcript["total_pd_hours"].as_f64().expect("total")).abs() < 1e-9);
    assert_eq!(
        lines.len(),
        items.iter().filter(|i| i["status"] == "completed").count(),
        "the transcript lists what my learning shows completed"
    );
    let mine = get_json(&teacher, &app, "/api/v1/me/credentials", StatusCode::OK).await;
    let credential = &mine["items"][0];
    assert!(credential["url"].as_str().expect("url").ends_with(credential["id"].as_str().expect("id")));
    let newcomer = app.signed_in("teacher@academy.test").await;
    let empty = get_json(&newcomer, &app, "/api/v1/me/transcript", StatusCode::OK).await;
    assert_eq!(empty["lines"], json!([]));
    app.stop().await;
}

async fn credentials_are_public_and_listed_for_admins(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let admin = app.signed_in("admin@academy.test").await;
    let list = get_json(&admin, &app, "/api/v1/credentials?limit=5", StatusCode::OK).await;
    assert!(list["total"].as_i64().expect("total") >= 1);
    let id = list["items"][0]["id"].as_str().expect("id").to_owned();
    let teacher = app.signed_in("teacher@academy.test").await;
    let refused = get_json(&teacher, &app, "/api/v1/credentials", StatusCode::FORBIDDEN).await;
    assert_eq!(refused["error"]["code"], "forbidden");
    // One credential is public, like its verification page.
    let one = get_json(&app.client(), &app, &format!("/api/v1/credentials/{id}"), StatusCode::OK).await;
    assert_eq!(one["verification"]["signature_valid"], true);
    assert_eq!(one["verification"]["revoked"], false);
    assert_eq!(one["document"]["type"][0], "VerifiableCredential");
    get_json(&app.client(), &app, "/api/v1/credentials/not-a-uuid", StatusCode::NOT_FOUND).await;
    get_json(&app.client(), &app, "/api/v1/credentials/00000000-0000-4000-8000-000000000000", StatusCode::NOT_FOUND)
        .await;
    app.stop().await;
}

async fn people_and_orgs_keep_to_the_callers_reach(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let texas_admin = app.signed_in("texas.admin@academy.test").await;
    let teacher =
        academy_store::users::by_email(store, &academy_core::Email::parse("teacher@academy.test").expect("e"))
            .await
            .expect("q")
            .expect("teacher");
    let person = get_json(&texas_admin, &app, &format!("/api/v1/people/{}", teacher.id), StatusCode::OK).await;
    assert_eq!(person["email"], "teacher@academy.test");
    assert_eq!(person["roles"][0]["role"], "teacher");
    assert_eq!(person["roles"][0]["revocable"], true);
    assert!(person["school"]["name"].is_string());
    // Someone in Ohio is outside Texas's reach.
    let (ohio_teacher,): (i64,) = academy_store::query(
        "SELECT u.id FROM users u JOIN orgs s ON s.id = u.school_id WHERE s.state = 'OH' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(store)
    .await
    .expect("an Ohio teacher");
    get_json(&texas_admin, &app, &format!("/api/v1/people/{ohio_teacher}"), StatusCode::FORBIDDEN).await;
    let plain_teacher = app.signed_in("teacher@academy.test").await;
    get_json(&plain_teacher, &app, &format!("/api/v1/people/{}", teacher.id), StatusCode::FORBIDDEN).await;

    let found = get_json(&texas_admin, &app, "/api/v1/orgs?q=riverbend", StatusCode::OK).await;
    let names: Vec<&str> =
        found["items"].as_array().expect("items").iter().filter_map(|o| o["name"].as_str()).collect();
    assert!(names.contains(&"Riverbend Independent School District"), "{names:?}");
    let ohio = get_json(&texas_admin, &app, "/api/v1/orgs?q=ohio", StatusCode::OK).await;
    assert_eq!(ohio["items"], json!([]), "Ohio is outside Texas's reach");
    let admin = app.signed_in("admin@academy.test").await;
    let schools = get_json(&admin, &app, "/api/v1/orgs?kind=school&limit=3", StatusCode::OK).await;
    assert!(schools["items"].as_array().expect("items").iter().all(|o| o["kind"] == "school"));
    assert_eq!(schools["items"].as_array().expect("items").len(), 3);
    get_json(&admin, &app, "/api/v1/orgs?kind=planet", StatusCode::BAD_REQUEST).await;
    get_json(&admin, &app, "/api/v1/orgs?kind=", StatusCode::BAD_REQUEST).await;
    get_json(&plain_teacher, &app, "/api/v1/orgs", StatusCode::FORBIDDEN).await;
    app.stop().await;
}

async fn program_reports_match_the_page_rules(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let store = &app.server().store;
    let completions = academy_store::query("SELECT COUNT(*) FROM enrollments WHERE status = 'completed'")
        .fetch_i64(store)
        .await
        .expect("count");
    let admin = app.signed_in("admin@academy.test").await;
    let report = get_json(&admin, &app, "/api/v1/reports/program", StatusCode::OK).await;
    assert_eq!(report["level"], "state");
    assert_eq!(report["suppressed"], false);
    assert_eq!(report["total"]["completions"], completions);
    assert_eq!(report["row_count"], 3);
    let texas = report["rows"].as_array().expect("rows").iter().find(|r| r["place"]["state"] == "TX").expect("tx");
    assert_eq!(texas["drill_level"], "district");
    let texas_id = texas["place"]["id"].as_i64().expect("id");
    let districts =
        get_json(&admin, &app, &format!("/api/v1/reports/program?org={texas_id}&level=district"), StatusCode::OK).await;
    assert_eq!(districts["within"]["id"], texas_id);
    assert_eq!(districts["total"]["completions"], completions);

    let researcher = app.signed_in("researcher@academy.test").await;
    let suppressed = get_json(&researcher, &app, "/api/v1/reports/program?level=school", StatusCode::OK).await;
    assert_eq!(suppressed["suppressed"], true);
    assert_eq!(suppressed["min_cell"], 10);
    let rows = suppressed["rows"].as_array().expect("rows");
    assert!(rows.iter().filter(|r| r["figures"].is_null()).count() >= 2, "{suppressed}");

    let texas_admin = app.signed_in("texas.admin@academy.test").await;
    let (ohio,): (i64,) = academy_store::query("SELECT id FROM orgs WHERE state = 'OH' AND kind = 'state_federation'")
        .fetch_one(store)
        .await
        .expect("ohio");
    get_json(&texas_admin, &app, &format!("/api/v1/reports/program?org={ohio}"), StatusCode::NOT_FOUND).await;
    let bad = get_json(
        &admin,
        &app,
        "/api/v1/reports/program?from=2026-02-01&to=2026-01-01",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad["error"]["details"][0]["field"], "to");
    get_json(&admin, &app, "/api/v1/reports/program?from=yesterday", StatusCode::BAD_REQUEST).await;
    get_json(&admin, &app, "/api/v1/reports/program?level=galaxy", StatusCode::BAD_REQUEST).await;
    get_json(&admin, &app, "/api/v1/reports/program?level=", StatusCode::BAD_REQUEST).await;
    let teacher = app.signed_in("teacher@academy.test").await;
    get_json(&teacher, &app, "/api/v1/reports/program", StatusCode::FORBIDDEN).await;
    app.stop().await;
}
