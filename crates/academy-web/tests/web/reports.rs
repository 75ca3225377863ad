//! Exports: every CSV goes through the one writer that neutralizes formulas.

use crate::support::{TestApp, on_both};
use academy_store::{Backend, query};
use reqwest::StatusCode;

on_both!(the_transcript_csv_neutralizes_formulas);

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Click\")";

/// Parses a CSV body into rows of cells.
fn rows(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(body.as_bytes());
    reader.records().map(|r| r.expect("csv row").iter().map(str::to_owned).collect()).collect()
}

async fn the_transcript_csv_neutralizes_formulas(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let (email, item_id): (String, i64) = query(
        "SELECT u.email, e.item_id FROM enrollments e JOIN users u ON u.id = e.user_id
         WHERE e.status = 'completed' ORDER BY e.id LIMIT 1",
    )
    .fetch_one(store)
    .await
    .expect("the demo has a completion");
    query("UPDATE catalog_items SET title = $1 WHERE id = $2")
        .bind(FORMULA)
        .bind(item_id)
        .execute(store)
        .await
        .expect("rename the item");
    let teacher = app.signed_in(&email).await;
    let response = teacher.get(app.url("/learn/transcript.csv")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.text().await.expect("body");
    let titles: Vec<String> = rows(&body).into_iter().map(|r| r[1].clone()).collect();
    assert!(titles.contains(&format!("'{FORMULA}")), "the title is text to a spreadsheet: {titles:?}");
    assert!(!titles.iter().any(|t| t.starts_with('=')), "no cell starts a formula: {titles:?}");
    app.stop().await;
}
