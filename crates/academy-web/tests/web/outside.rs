//! Outside checks of the JSON API, with tools we did not write: `openapi-spec-validator`
//! validates the OpenAPI document, and `schemathesis` sends generated requests (valid and
//! invalid) to every documented operation of the running server, signed in as a program admin
//! with the session cookie and the CSRF header, and fails on any 5xx or any response that does
//! not match the document.
//!
//! Both are Python packages, installed by `.ci/run` into a virtual environment
//! (`$ACADEMY_API_TOOLS`, default `~/.cache/academy-api-tools`; the versions are pinned in
//! `tests/api/requirements.txt`; schemathesis runs through `tests/api/run_schemathesis.py`, which
//! works around a CPython 3.11 parser error inside Hypothesis). Without them the test is skipped
//! with a note, unless `ACADEMY_REQUIRE_API_TOOLS=1` (as in CI) makes that a failure.

use crate::support::{PASSWORD, TestApp, input_value};
use academy_store::Backend;
use reqwest::StatusCode;
use scraper::Html;
use std::path::PathBuf;
use std::process::Command;

fn workspace() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The virtual environment holding the tools, when both are installed.
fn api_tools() -> Option<PathBuf> {
    let venv = std::env::var_os("ACADEMY_API_TOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/academy-api-tools")));
    let found = venv.filter(|v| v.join("bin/openapi-spec-validator").is_file() && v.join("bin/schemathesis").is_file());
    if found.is_none() {
        assert!(
            std::env::var("ACADEMY_REQUIRE_API_TOOLS").as_deref() != Ok("1"),
            "ACADEMY_REQUIRE_API_TOOLS=1 but openapi-spec-validator and schemathesis are not installed \
             (bash .ci/run installs them into ~/.cache/academy-api-tools, or set ACADEMY_API_TOOLS)"
        );
        eprintln!(
            "skipped the outside API checks: openapi-spec-validator and schemathesis are not installed \
             (python3 -m venv ~/.cache/academy-api-tools && ~/.cache/academy-api-tools/bin/pip install -r tests/api/requirements.txt)"
        );
    }
    found
}

/// Runs a tool to the end on a blocking thread (the server keeps answering meanwhile); its
/// output is shown when it fails.
async fn run(mut command: Command) -> (bool, String) {
    tokio::task::spawn_blocking(move || {
        let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    })
    .await
    .expect("the tool's thread")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_tools_find_no_fault_in_the_api() {
    let Some(venv) = api_tools() else { return };
    let app = TestApp::start(Backend::Sqlite).await;

    // The document, validated as a file.
    let document =
        app.client().get(app.url("/api/v1/openapi.json")).send().await.expect("get").text().await.expect("body");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &document).expect("write");
    let mut validator = Command::new(venv.join("bin/openapi-spec-validator"));
    validator.arg(&file);
    let (valid, output) = run(validator).await;
    assert!(valid, "openapi-spec-validator rejects /api/v1/openapi.json:\n{output}");

    // A program admin's session: the cookie from signing in, the CSRF token from /api/v1/me.
    let client = app.client();
    let page =
        Html::parse_document(&client.get(app.url("/sign-in")).send().await.expect("get").text().await.expect("body"));
    let token = input_value(&page, "csrf_token").expect("csrf token");
    let signed_in = client
        .post(app.url("/sign-in"))
        .form(&[("csrf_token", token.as_str()), ("email", "admin@academy.test"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("academy_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let me: serde_json::Value = client.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();

    // Schemathesis signs each request in itself, through the document's security schemes, so
    // that it knows when it left them out (and then expects a 401).
    std::fs::write(
        dir.path().join("schemathesis.toml"),
        "[auth.openapi.session]\napi_key = \"${ACADEMY_SESSION}\"\n[auth.openapi.csrf]\napi_key = \"${ACADEMY_CSRF}\"\n",
    )
    .expect("write config");
    let session = cookie.trim_start_matches("academy_session=").to_owned();
    let mut schemathesis = Command::new(venv.join("bin/python"));
    schemathesis
        .current_dir(dir.path())
        .arg(workspace().join("tests/api/run_schemathesis.py"))
        .args(["--no-color", "--config-file", "schemathesis.toml", "run"])
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--url", &app.base])
        .args(["--checks", "all"])
        // Generated ids and slugs name nothing, so "valid" requests are answered 404: that is
        // right, not a failure to accept valid data. The checks that need objects created by one
        // operation and read by another have too little to work with in a generated run.
        .args(["--exclude-checks", "positive_data_acceptance,use_after_free,ensure_resource_availability"])
        .args(["--max-examples", "25", "--seed", "1", "--workers", "2", "--request-timeout", "30"])
        .args(["--output-truncate", "true"])
        .env("ACADEMY_SESSION", session)
        .env("ACADEMY_CSRF", &csrf);
    let (passed, output) = run(schemathesis).await;
    assert!(passed, "schemathesis found failures in the API:\n{output}");
    println!("{output}");
    app.stop().await;
}
