//! The JSON API and its OpenAPI document.

use crate::support::{TestApp, on_both};
use academy_store::{Backend, orgs};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

on_both!(
    me_describes_the_signed_in_person,
    api_writes_need_the_csrf_header_and_valid_bodies,
    the_openapi_document_covers_every_api_route
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
    for (_, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{method} has a success response");
            assert!(responses.contains_key("401"), "{method} documents 401");
        }
    }
    assert!(doc["components"]["securitySchemes"]["csrf"].is_object());
    app.stop().await;
}
