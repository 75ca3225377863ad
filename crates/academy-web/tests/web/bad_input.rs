//! Bad input gets a clear message naming what was wrong, the right status, and changes nothing.

use crate::support::{TestApp, on_both, texts};
use academy_store::Backend;
use reqwest::StatusCode;
use scraper::Html;
use serde_json::Value;

on_both!(
    malformed_fields_are_named,
    forms_without_a_valid_csrf_token_are_refused,
    unknown_routes_wrong_methods_and_oversized_bodies,
    sql_metacharacters_are_only_text,
    text_that_is_not_utf8_is_refused,
);

async fn text_that_is_not_utf8_is_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin@academy.test").await;
    let token = app.csrf(&admin, "/admin/orgs/1/cohorts/new").await;
    let body = format!("csrf_token={token}&name=%FF%FE&pathway=&starts_on=&ends_on=");
    let refused = admin
        .post(app.url("/admin/orgs/1/cohorts/new"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "a cohort named with invalid UTF-8");
    assert!(refused.text().await.expect("body").contains("not valid UTF-8"));
    let cohorts: (i64,) = academy_store::query("SELECT COUNT(*) FROM cohorts WHERE name LIKE $1")
        .bind("%\u{FFFD}%")
        .fetch_one(&app.server().store)
        .await
        .expect("count");
    assert_eq!(cohorts.0, 0, "nothing was stored with replacement characters");
    let search = admin.get(app.url("/learn/catalog?q=%FF")).send().await.expect("get");
    assert_eq!(search.status(), StatusCode::BAD_REQUEST, "query strings too");
    let fine = admin.get(app.url("/learn/catalog?q=caf%C3%A9")).send().await.expect("get");
    assert_eq!(fine.status(), StatusCode::OK);
    app.stop().await;
}

async fn malformed_fields_are_named(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    let response = app.post_form(&client, "/sign-in", "/sign-in", &[("email", "not-an-email"), ("password", "")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(
        texts(&page, ".error-summary li"),
        ["Enter an email address like name@example.org.", "Enter your password."]
    );
    assert_eq!(texts(&page, ".error-summary a").len(), 2, "each error links to its field");
    let email_input = scraper::Selector::parse("#email").expect("selector");
    let input = page.select(&email_input).next().expect("email input");
    assert_eq!(input.value().attr("aria-invalid"), Some("true"));
    assert_eq!(input.value().attr("aria-describedby"), Some("email-error"));
    let forgot = app.post_form(&client, "/password/forgot", "/password/forgot", &[("email", "")]).await;
    assert_eq!(forgot.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

async fn forms_without_a_valid_csrf_token_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    let _ = app.csrf(&client, "/sign-in").await;
    let fields = [("email", "teacher@academy.test"), ("password", crate::support::PASSWORD)];
    let missing = client.post(app.url("/sign-in")).form(&fields).send().await.expect("post");
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let page = Html::parse_document(&missing.text().await.expect("body"));
    assert!(texts(&page, "main p")[0].contains("This form has expired"));
    let mut forged = fields.to_vec();
    forged.push(("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    let wrong = client.post(app.url("/sign-in")).form(&forged).send().await.expect("post");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

    // A token is bound to the visitor: another visitor's token does not work.
    let stranger = app.client();
    let their_token = app.csrf(&stranger, "/sign-in").await;
    let mut borrowed = fields.to_vec();
    borrowed.push(("csrf_token", their_token.as_str()));
    let response = client.post(app.url("/sign-in")).form(&borrowed).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A cross-site post is refused before anything else looks at it.
    let token = app.csrf(&client, "/sign-in").await;
    let mut good = fields.to_vec();
    good.push(("csrf_token", token.as_str()));
    let cross =
        client.post(app.url("/sign-in")).header("sec-fetch-site", "cross-site").form(&good).send().await.expect("post");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let origin = client
        .post(app.url("/sign-in"))
        .header("origin", "https://evil.example")
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(origin.status(), StatusCode::FORBIDDEN);
    let ok = client
        .post(app.url("/sign-in"))
        .header("sec-fetch-site", "same-origin")
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER, "the same request from the site itself works");

    // A signed-in form post with the anonymous token (a page from before signing in) fails.
    let signed_in_csrf = app.csrf(&client, "/account").await;
    assert_ne!(signed_in_csrf, token, "signing in gives forms a new token");
    let stale = client.post(app.url("/sign-out")).form(&[("csrf_token", token.as_str())]).send().await.expect("post");
    assert_eq!(stale.status(), StatusCode::FORBIDDEN);
    assert_eq!(client.get(app.url("/account")).send().await.expect("get").status(), StatusCode::OK, "still signed in");
    app.stop().await;
}

async fn unknown_routes_wrong_methods_and_oversized_bodies(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    let missing = client.get(app.url("/no/such/page")).send().await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers()["content-type"].to_str().expect("ct").starts_with("text/html"));
    let page = Html::parse_document(&missing.text().await.expect("body"));
    assert_eq!(texts(&page, "h1"), ["Page not found"]);
    assert_eq!(texts(&page, "title"), ["Page not found · Academy"]);

    let api_missing = client.get(app.url("/api/v1/nothing")).send().await.expect("get");
    assert_eq!(api_missing.status(), StatusCode::NOT_FOUND);
    let body: Value = api_missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");

    let wrong_method = client.delete(app.url("/sign-in")).send().await.expect("delete");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = wrong_method.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let api_method = client.put(app.url("/api/v1/me")).send().await.expect("put");
    assert_eq!(api_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(api_method.json::<Value>().await.expect("json")["error"]["code"], "method_not_allowed");

    let token = app.csrf(&client, "/sign-in").await;
    let huge = format!("csrf_token={token}&email=teacher%40academy.test&password={}", "x".repeat(1200 * 1024));
    let too_big = client
        .post(app.url("/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .expect("post");
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = Html::parse_document(&too_big.text().await.expect("body"));
    assert_eq!(texts(&page, "h1"), ["Too large"]);
    let admin = app.signed_in("admin@academy.test").await;
    let me: Value = admin.get(app.url("/api/v1/me")).send().await.expect("get").json().await.expect("json");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let root = me["roles"][0]["org"]["id"].as_i64().expect("root");
    let big_json = format!("{{\"kind\":\"state_federation\",\"name\":\"{}\"}}", "n".repeat(1200 * 1024));
    let api_big = admin
        .post(app.url(&format!("/api/v1/orgs/{root}/children")))
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body(big_json)
        .send()
        .await
        .expect("post");
    assert_eq!(api_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(api_big.json::<Value>().await.expect("json")["error"]["code"], "payload_too_large");
    app.stop().await;
}

async fn sql_metacharacters_are_only_text(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    let hostile = app.sign_in(&client, "teacher@academy.test", "' OR '1'='1").await;
    assert_eq!(hostile.status(), StatusCode::UNAUTHORIZED);
    let injected =
        app.post_form(&client, "/sign-in", "/sign-in", &[("email", "x'--@example.org"), ("password", "x")]).await;
    assert_eq!(injected.status(), StatusCode::UNAUTHORIZED, "a valid but unknown address");
    let admin = app.signed_in("admin@academy.test").await;
    let root = academy_store::orgs::root(&app.server().store).await.expect("q").expect("root");
    let path = format!("/admin/orgs/{}/children/new", root.id);
    let name = "Robert'); DROP TABLE orgs;-- Federation";
    let created =
        app.post_form(&admin, &path, &path, &[("kind", "state_federation"), ("name", name), ("state", "WA")]).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let page = app.get_html(&admin, &crate::support::location(created.headers())).await;
    assert_eq!(texts(&page, "h1"), [name], "stored and shown verbatim, escaped in HTML");
    app.stop().await;
}
