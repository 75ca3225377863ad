//! Exports and program reports: every CSV goes through the one writer that neutralizes
//! formulas, and program reports show each role what it may see.

use crate::support::{TestApp, on_both, texts};
use academy_store::{Backend, orgs, query};
use reqwest::StatusCode;
use scraper::Html;

on_both!(
    the_transcript_csv_neutralizes_formulas,
    program_admins_see_exact_figures_and_drill_down,
    org_admins_report_on_their_state_only,
    researchers_see_small_groups_withheld,
    report_forms_keep_bad_dates_and_name_them,
    the_report_csv_is_the_table_with_formulas_neutralized,
);

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

/// The demo's completions, counted in the database.
async fn completions(app: &TestApp) -> i64 {
    query("SELECT COUNT(*) FROM enrollments WHERE status = 'completed'")
        .fetch_i64(&app.server().store)
        .await
        .expect("count")
}

async fn program_admins_see_exact_figures_and_drill_down(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let admin = app.signed_in("admin@academy.test").await;
    let home = app.get_html(&admin, "/").await;
    assert!(
        texts(&home, "#program-heading ~ ul a").contains(&"Program reports".to_owned()),
        "the admin home links to the reports"
    );
    let page = app.get_html(&admin, "/admin/reports").await;
    assert_eq!(texts(&page, "h1"), ["Program reports"]);
    assert_eq!(texts(&page, "label[for=level]"), ["Break down by"]);
    assert_eq!(
        texts(&page, "table tbody th[scope=row]"),
        ["New Mexico Federation of Educators", "Ohio Federation of Educators", "Texas Federation of Educators"],
        "one row per state, by state code"
    );
    let expected = completions(&app).await;
    assert!(expected > 0);
    let total = texts(&page, "table tfoot td.num");
    assert_eq!(total[1], expected.to_string(), "the total counts every completion: {total:?}");
    let texas_row = texts(&page, "table tbody tr").into_iter().find(|r| r.starts_with("Texas")).expect("texas row");
    assert!(texas_row.contains(&expected.to_string()), "the demo's completions are all in Texas: {texas_row}");
    assert!(texts(&page, "caption").join(" ").contains("By state"));
    assert!(!texts(&page, "caption").join(" ").contains("withheld"), "exact figures for admins");

    // Drill down: Texas by district, then the district by school.
    let link = page
        .select(&scraper::Selector::parse("table tbody th a").expect("selector"))
        .find(|a| a.text().collect::<String>().starts_with("Texas"))
        .and_then(|a| a.value().attr("href"))
        .expect("a drill-down link")
        .to_owned();
    assert!(link.contains("level=district"), "{link}");
    let districts = app.get_html(&admin, &link).await;
    let names = texts(&districts, "table tbody th[scope=row]");
    assert!(names.contains(&"Riverbend Independent School District".to_owned()), "{names:?}");
    assert_eq!(texts(&districts, "nav.breadcrumb li"), [academy_app::demo::DEMO_ROOT, "Texas Federation of Educators"]);
    let district = orgs::by_nces_id(&app.server().store, "4899901").await.expect("q").expect("district");
    let schools = app.get_html(&admin, &format!("/admin/reports?org={}&level=school", district.id)).await;
    let school_rows = texts(&schools, "table tbody tr");
    assert!(school_rows.iter().any(|r| r.starts_with("Riverbend Elementary")), "{school_rows:?}");
    assert_eq!(texts(&schools, "table tfoot td.num")[1], expected.to_string());

    // An empty range has rows of zeros, and a range in the past none of today's records.
    let past = app.get_html(&admin, "/admin/reports?from=2020-01-01&to=2020-12-31").await;
    assert_eq!(texts(&past, "table tfoot td.num")[1], "0");
    assert_eq!(texts(&past, "dl.figures dd")[1], "0");
    app.stop().await;
}

async fn org_admins_report_on_their_state_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let texas_admin = app.signed_in("texas.admin@academy.test").await;
    let page = app.get_html(&texas_admin, "/admin/reports").await;
    assert!(texts(&page, "h2").join(" ").starts_with("Texas Federation of Educators"), "{:?}", texts(&page, "h2"));
    let rows = texts(&page, "table tbody th[scope=row]");
    assert!(rows.contains(&"Riverbend Independent School District".to_owned()), "{rows:?}");
    assert!(!rows.iter().any(|r| r.contains("Ohio")), "{rows:?}");
    let ohio: (i64,) = query("SELECT id FROM orgs WHERE name = $1")
        .bind("Ohio Federation of Educators")
        .fetch_one(store)
        .await
        .expect("ohio");
    for path in [format!("/admin/reports?org={}", ohio.0), format!("/admin/reports.csv?org={}", ohio.0)] {
        let response = texas_admin.get(app.url(&path)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}: another state is not there for Texas");
    }
    let missing = texas_admin.get(app.url("/admin/reports?org=999999")).send().await.expect("get");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    for who in ["teacher@academy.test", "facilitator@academy.test"] {
        let client = app.signed_in(who).await;
        let response = client.get(app.url("/admin/reports")).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let home = app.get_html(&texas_admin, "/").await;
    assert!(texts(&home, ".actions a").iter().any(|a| a.starts_with("Reports for Texas")));
    app.stop().await;
}

async fn researchers_see_small_groups_withheld(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.drain_jobs().await;
    let researcher = app.signed_in("researcher@academy.test").await;
    let page = app.get_html(&researcher, "/admin/reports?level=school").await;
    let caption = texts(&page, "caption").join(" ");
    assert!(caption.contains("fewer than 10"), "{caption}");
    let rows = texts(&page, "table tbody tr");
    let withheld: Vec<&String> = rows.iter().filter(|r| r.contains("withheld")).collect();
    assert!(withheld.len() >= 2, "the demo's small schools are withheld, never just one: {rows:?}");
    for row in &rows {
        let numbers: Vec<i64> = row.split_whitespace().filter_map(|w| w.replace(',', "").parse().ok()).collect();
        assert!(numbers.iter().all(|n| *n == 0 || *n >= 10), "no small count is shown: {row}");
    }
    app.stop().await;
}

async fn report_forms_keep_bad_dates_and_name_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin@academy.test").await;
    let response =
        admin.get(app.url("/admin/reports?from=2026-13-01&to=2026-01-31&level=school")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&response.text().await.expect("body"));
    assert_eq!(texts(&page, ".error-summary li"), ["Enter a date as YYYY-MM-DD, such as 2026-09-01."]);
    assert_eq!(crate::support::input_value(&page, "from").as_deref(), Some("2026-13-01"), "the text is kept");
    let backwards = admin.get(app.url("/admin/reports?from=2026-02-01&to=2026-01-31")).send().await.expect("get");
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&backwards.text().await.expect("body"));
    assert_eq!(texts(&page, "#to-error"), ["Error: The last day must not be before the first day."]);
    app.stop().await;
}

async fn the_report_csv_is_the_table_with_formulas_neutralized(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    query("UPDATE orgs SET name = $1 WHERE name = $2")
        .bind("@SUM(1+1)")
        .bind("Ohio Federation of Educators")
        .execute(store)
        .await
        .expect("rename");
    let admin = app.signed_in("admin@academy.test").await;
    let response = admin.get(app.url("/admin/reports.csv")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let body = response.text().await.expect("body");
    let table = rows(&body);
    assert_eq!(
        table[0],
        [
            "level",
            "org_id",
            "place",
            "kind",
            "state",
            "teachers_completing",
            "completions",
            "pd_hours",
            "credential_earners",
            "credentials",
            "from",
            "to"
        ]
    );
    let places: Vec<&str> = table[1..].iter().map(|r| r[2].as_str()).collect();
    assert!(places.contains(&"'@SUM(1+1)"), "{places:?}");
    let total = table.last().expect("total");
    assert_eq!(total[0], "total");
    assert_eq!(total[6], completions(&app).await.to_string());
    app.stop().await;
}
