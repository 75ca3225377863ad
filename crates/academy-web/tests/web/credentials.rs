//! Credentials end to end: issued from the job queue within seconds of completion, verified by
//! an outside verifier (@digitalcredentials/verifier-core), revoked through the status list.

use crate::learn::{answer_quiz, enroll};
use crate::support::{TestApp, input_value, location, on_both, texts};
use academy_store::{Backend, catalog, credentials, query};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

on_both!(
    completing_a_credential_bearing_course_issues_a_credential,
    issued_credentials_verify_and_revoke,
    a_configured_domain_issues_as_did_web,
);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the outside verifier; `None` when its npm packages are not installed (and not required).
fn verifier_core(credential: &str, status_list: Option<&str>) -> Option<(bool, Value)> {
    let root = workspace();
    if !root.join("tests/browser/node_modules/@digitalcredentials/verifier-core").is_dir() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "verifier-core is required but not installed (npm ci in tests/browser)"
        );
        eprintln!("skipped the outside verifier: run npm ci in tests/browser");
        return None;
    }
    let dir = tempfile::tempdir().expect("dir");
    let credential_file = dir.path().join("credential.json");
    std::fs::write(&credential_file, credential).expect("write");
    let mut command = std::process::Command::new("node");
    command.arg(root.join("tests/browser/verify-credential.mjs")).arg(&credential_file);
    if let Some(list) = status_list {
        let list_file = dir.path().join("status.json");
        std::fs::write(&list_file, list).expect("write");
        command.arg("--status-list").arg(&list_file);
    }
    let output = command.output().expect("run node");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "verify-credential.mjs crashed ({}); stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("verifier output: {}", String::from_utf8_lossy(&output.stdout)));
    Some((output.status.success(), summary))
}

fn step_valid(summary: &Value, id: &str) -> Option<bool> {
    summary["log"].as_array()?.iter().find(|s| s["id"] == id)?["valid"].as_bool()
}

async fn wait_for_credential(app: &TestApp, user_id: i64, within: Duration) -> credentials::Credential {
    let started = Instant::now();
    loop {
        if let Some(c) =
            credentials::for_user(&app.server().store, user_id).await.expect("credentials").into_iter().next()
        {
            return c;
        }
        assert!(started.elapsed() < within, "no credential within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn completing_a_credential_bearing_course_issues_a_credential(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let slug = "student-privacy-and-ai";
    query("UPDATE catalog_items SET credential_bearing = TRUE WHERE slug = $1")
        .bind(slug)
        .execute(store)
        .await
        .expect("mark");
    let client = app.signed_in("teacher@academy.test").await;
    enroll(&app, &client, slug).await;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let teacher =
        academy_store::users::by_email(store, &academy_core::Email::parse("teacher@academy.test").expect("e"))
            .await
            .expect("q")
            .expect("t");
    let mut completed_at = None;
    for step in catalog::steps(store, item.id).await.expect("steps") {
        let base = format!("/learn/items/{slug}/steps/{}", step.position);
        let response = match step.kind {
            academy_core::learning::StepKind::Quiz => answer_quiz(&app, &client, slug, step.position, true).await,
            academy_core::learning::StepKind::Reflection => {
                let words =
                    "Before using any AI tool I check whether it is on the district's approved list. ".repeat(12);
                app.post_form(&client, &base, &format!("{base}/reflection"), &[("text", words.as_str())]).await
            }
            _ => app.post_form(&client, &base, &format!("{base}/complete"), &[]).await,
        };
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        if location(response.headers()).contains("item-completed") {
            completed_at = Some(Instant::now());
        }
    }
    let completed_at = completed_at.expect("the last step completed the course");
    let credential = wait_for_credential(&app, teacher.id, Duration::from_secs(20)).await;
    eprintln!("credential issued {:?} after completion", completed_at.elapsed());
    assert_eq!(credential.item_id, Some(item.id));
    assert_eq!(credential.pd_hours_tenths, item.pd_hours_tenths);
    let learning = app.get_html(&client, "/learn").await;
    assert!(texts(&learning, "#credentials-heading + ul li").iter().any(|t| t.contains(&item.title)));
    let (earned,): (i64,) =
        query("SELECT COUNT(*) FROM xapi_statements WHERE actor = $1 AND verb = 'http://id.tincanapi.com/verb/earned'")
            .bind(teacher.id.to_string())
            .fetch_one(store)
            .await
            .expect("earned");
    assert_eq!(earned, 1);
    let mail = app.last_mail("teacher@academy.test").await;
    assert!(mail.subject.starts_with("You earned"), "{}", mail.subject);
    let (jobs,): (i64,) = query("SELECT COUNT(*) FROM jobs WHERE kind = 'issue_credential' AND payload LIKE $1")
        .bind(format!("%\"user_id\":{}%", teacher.id))
        .fetch_one(store)
        .await
        .expect("jobs");
    assert_eq!(jobs, 1, "one job, queued by the completion itself");
    app.stop().await;
}

async fn issued_credentials_verify_and_revoke(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let store = &app.server().store;
    let issued = credentials::list(store, 10, 0).await.expect("list");
    assert_eq!(issued.len(), 6, "the demo's three earners of both pathways");
    let id = issued.iter().find(|c| c.achievement_name == "AI-Ready Educator").expect("main pathway").id.clone();
    let anonymous = app.client();
    let page = app.get_html(&anonymous, &format!("/credentials/{id}")).await;
    assert!(texts(&page, ".notice-inline").iter().any(|t| t.starts_with("Verified.")), "{:?}", texts(&page, "main"));
    let json = anonymous
        .get(app.url(&format!("/credentials/{id}/credential.json")))
        .header("origin", "https://verifier.example")
        .send()
        .await
        .expect("get");
    assert_eq!(json.headers()["content-type"], "application/vc+ld+json");
    assert_eq!(json.headers()["access-control-allow-origin"], "*", "browser verifiers may fetch it");
    let document = json.text().await.expect("body");
    let credential: Value = serde_json::from_str(&document).expect("json");
    assert_eq!(credential["type"], serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(credential["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert!(credential["issuer"]["id"].as_str().expect("issuer").starts_with("did:key:z6Mk"));
    assert_eq!(credential["credentialSubject"]["achievement"]["name"], "AI-Ready Educator");
    assert!(!document.contains("@academy.test"), "the earner's email is only present hashed");
    let list_url = credential["credentialStatus"]["statusListCredential"].as_str().expect("status list").to_owned();
    assert!(list_url.starts_with(&app.base), "{list_url}");
    let list = anonymous.get(&list_url).send().await.expect("get");
    assert_eq!(list.headers()["access-control-allow-origin"], "*", "and its status list");
    let list = list.text().await.expect("body");
    let page_response = anonymous.get(app.url(&format!("/credentials/{id}"))).send().await.expect("get");
    assert!(page_response.headers().get("access-control-allow-origin").is_none(), "pages are not shared");
    let pdf = anonymous.get(app.url(&format!("/credentials/{id}/certificate.pdf"))).send().await.expect("get");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("pdf").starts_with(b"%PDF-"));

    if let Some((ok, summary)) = verifier_core(&document, Some(&list)) {
        assert!(ok, "verifier-core accepts the credential: {summary}");
        assert_eq!(step_valid(&summary, "revocation_status"), Some(true), "{summary}");
        let tampered = document.replace("AI-Ready Educator", "AI-Ready Educator (Distinguished)");
        let (ok, summary) = verifier_core(&tampered, Some(&list)).expect("verifier");
        assert!(!ok, "a tampered credential fails: {summary}");
    }

    let admin = app.signed_in("admin@academy.test").await;
    let page = format!("/credentials/{id}");
    let revoked = app.post_form(&admin, &page, &format!("/admin/credentials/{id}/revoke"), &[("reason", "   ")]).await;
    assert_eq!(revoked.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
    let form = scraper::Html::parse_document(&revoked.text().await.expect("body"));
    assert_eq!(texts(&form, "h1"), ["AI-Ready Educator"], "the admin stays on the credential's page");
    assert!(texts(&form, ".field-error").iter().any(|e| e.contains("Reason")), "{:?}", texts(&form, ".field-error"));
    let asked = app
        .post_form(
            &admin,
            &page,
            &format!("/admin/credentials/{id}/revoke"),
            &[("reason", "Issued in error during the pilot.")],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK, "revoking is confirmed first");
    let asked = scraper::Html::parse_document(&asked.text().await.expect("body"));
    assert!(texts(&asked, "h1")[0].starts_with("Revoke"));
    assert_eq!(
        input_value(&asked, "reason").as_deref(),
        Some("Issued in error during the pilot."),
        "the reason is carried to the confirmation"
    );
    assert!(credentials::get(store, &id).await.expect("q").expect("exists").revoked_at.is_none(), "not yet");
    let revoked = app
        .post_form(
            &admin,
            &page,
            &format!("/admin/credentials/{id}/revoke"),
            &[("reason", "Issued in error during the pilot."), ("confirm", "yes")],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let after = app.get_html(&anonymous, &page).await;
    assert_eq!(texts(&after, ".error-summary h2"), ["This credential has been revoked"]);
    assert!(
        after.select(&scraper::Selector::parse("a[href$='certificate.pdf']").expect("selector")).next().is_none(),
        "no certificate is offered for a revoked credential"
    );
    let pdf = anonymous.get(app.url(&format!("/credentials/{id}/certificate.pdf"))).send().await.expect("get");
    assert_eq!(pdf.status(), StatusCode::GONE, "nor can it be downloaded");
    assert!(pdf.text().await.expect("body").contains("was revoked"));
    let new_list = anonymous.get(&list_url).send().await.expect("get").text().await.expect("body");
    assert_ne!(new_list, list, "the status list was re-signed");
    if let Some((ok, summary)) = verifier_core(&document, Some(&new_list)) {
        assert!(ok, "the signature is still valid: {summary}");
        assert_eq!(
            step_valid(&summary, "revocation_status"),
            Some(false),
            "verifier-core sees the revocation: {summary}"
        );
    }
    let teacher = app.signed_in("teacher@academy.test").await;
    let denied = app
        .post_form(
            &teacher,
            "/learn",
            &format!("/admin/credentials/{}/revoke", issued.iter().find(|c| c.id != id).expect("another").id),
            &[("reason", "x")],
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        anonymous.get(app.url("/credentials/not-a-uuid")).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

async fn a_configured_domain_issues_as_did_web(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.did_web_domain = Some("academy.example.org".into())).await;
    app.drain_jobs().await;
    let store = &app.server().store;
    let issued = credentials::list(store, 1, 0).await.expect("list");
    let credential = credentials::get(store, &issued[0].id).await.expect("q").expect("credential");
    let document: Value = serde_json::from_str(&credential.document).expect("json");
    assert_eq!(document["issuer"]["id"], "did:web:academy.example.org");
    assert_eq!(document["proof"]["verificationMethod"], "did:web:academy.example.org#key-1");
    let did = app.client().get(app.url("/.well-known/did.json")).send().await.expect("get");
    assert_eq!(did.status(), StatusCode::OK);
    let did: Value = did.json().await.expect("json");
    assert_eq!(did["id"], "did:web:academy.example.org");
    let page = app.get_html(&app.client(), &format!("/credentials/{}", credential.id)).await;
    assert!(texts(&page, ".notice-inline").iter().any(|t| t.starts_with("Verified.")), "{:?}", texts(&page, "main"));
    let plain = TestApp::start(backend).await;
    assert_eq!(
        plain.client().get(plain.url("/.well-known/did.json")).send().await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    plain.stop().await;
    app.stop().await;
}
