//! Writes across the tree, over HTTP: a Texas org admin and an Ohio teacher (a role or a cohort
//! place for someone outside the granter's part of the tree is an offer they accept), sessions
//! hosted outside the caller's reach, and content owned higher up than a district facilitator.
//! The happy paths inside each scope stay open.

use crate::support::{TestApp, link_in, location, on_both, texts};
use academy_store::{Backend, catalog, orgs, pathways, query, users};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;

on_both!(
    roles_and_cohort_places_outside_the_scope_are_offers,
    sessions_are_hosted_only_where_the_caller_runs_them,
    content_is_changed_only_by_authors_at_its_owner
);

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

fn session_fields<'a>(date: &'a str, host: &'a str, zone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("date", date),
        ("start", "15:30"),
        ("end", "16:30"),
        ("time_zone", zone),
        ("capacity", "25"),
        ("location_kind", "virtual"),
        ("meeting_url", "https://meet.example.org/x"),
        ("host_org_id", host),
    ]
}

async fn sessions_are_hosted_only_where_the_caller_runs_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let admin = app.signed_in("texas.admin@academy.test").await;
    let ohio = org_named(&app, "Ohio Federation of Educators").await.to_string();
    let district = org_named(&app, "Riverbend Independent School District").await.to_string();
    let new = "/author/items/ai-ethics-roundtable/sessions/new";
    let form = app.get_html(&admin, new).await;
    let hosts = texts(&form, "#host_org_id option");
    assert!(hosts.iter().any(|h| h.contains("Riverbend Independent School District")), "{hosts:?}");
    assert!(hosts.iter().all(|h| !h.contains("Ohio")), "{hosts:?}");
    let zones = texts(&form, "#time_zone option");
    assert!(zones.iter().any(|z| z.contains("America/Chicago")) && zones.len() >= 9, "{zones:?}");
    let count = || async {
        let (n,): (i64,) = query("SELECT COUNT(*) FROM workshop_sessions").fetch_one(store).await.expect("count");
        n
    };
    let before = count().await;
    let date = (academy_core::time::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();

    let into_ohio = app.post_form(&admin, new, new, &session_fields(&date, &ohio, "America/Chicago")).await;
    assert_eq!(into_ohio.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&into_ohio.text().await.expect("body"));
    assert_eq!(texts(&page, ".error-summary li"), ["Choose an organization where you run sessions."]);
    let paris = app.post_form(&admin, new, new, &session_fields(&date, &district, "Europe/Paris")).await;
    assert_eq!(paris.status(), StatusCode::UNPROCESSABLE_ENTITY, "US time zones only");
    assert_eq!(count().await, before, "nothing scheduled");

    let ok = app.post_form(&admin, new, new, &session_fields(&date, &district, "America/Chicago")).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER, "hosting in the admin's own state is fine");
    let (id, host): (i64, Option<i64>) =
        query("SELECT id, host_org_id FROM workshop_sessions ORDER BY id DESC LIMIT 1")
            .fetch_one(store)
            .await
            .expect("s");
    assert_eq!(host.map(|h| h.to_string()), Some(district.clone()));

    // Moving it to Ohio is refused on the form, and nothing moves.
    let edit = format!("/author/sessions/{id}/edit");
    let moved = app.post_form(&admin, &edit, &edit, &session_fields(&date, &ohio, "America/Chicago")).await;
    assert_eq!(moved.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (host,): (Option<i64>,) =
        query("SELECT host_org_id FROM workshop_sessions WHERE id = $1").bind(id).fetch_one(store).await.expect("s");
    assert_eq!(host.map(|h| h.to_string()), Some(district.clone()));

    // A national workshop still in draft is its authors' to schedule.
    query("UPDATE catalog_items SET status = 'draft' WHERE slug = 'ai-in-your-classroom-kickoff'")
        .execute(store)
        .await
        .expect("draft");
    let draft = "/author/items/ai-in-your-classroom-kickoff/sessions/new";
    assert_eq!(admin.get(app.url(draft)).send().await.expect("get").status(), StatusCode::FORBIDDEN);
    let token = app.csrf(&admin, "/account").await;
    let mut fields = session_fields(&date, &district, "America/Chicago");
    fields.push(("csrf_token", &token));
    let refused = admin.post(app.url(draft)).form(&fields).send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // A session hosted in Ohio is not Texas's to change or cancel.
    query("UPDATE workshop_sessions SET host_org_id = $1 WHERE id = $2")
        .bind(ohio.parse::<i64>().expect("id"))
        .bind(id)
        .execute(store)
        .await
        .expect("move");
    let back = admin.post(app.url(&edit)).form(&fields).send().await.expect("post");
    assert_eq!(back.status(), StatusCode::FORBIDDEN);
    let cancel = admin
        .post(app.url(&format!("/author/sessions/{id}/cancel")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(cancel.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

fn package_zip(slug: &str, title: &str) -> Vec<u8> {
    let manifest = format!(
        "format = \"academy-course/1\"\nslug = \"{slug}\"\ntitle = \"{title}\"\nkind = \"course\"\n\
         strand = \"ai-foundations\"\nsummary = \"Replaced.\"\ngrade_bands = [\"6-8\"]\nsubjects = [\"all\"]\n\
         minutes = 20\npd_hours = 0.5\n\n[[modules]]\ntitle = \"M\"\n\n[[modules.steps]]\nkind = \"lesson\"\n\
         title = \"L\"\nfile = \"01/01.md\"\n"
    );
    let mut files = std::collections::BTreeMap::new();
    files.insert("course.toml".to_owned(), manifest.into_bytes());
    files.insert("01/01.md".to_owned(), b"Replaced.".to_vec());
    let package =
        academy_formats::course::read_with(academy_formats::course::Input::Files(&files), &Default::default())
            .expect("package");
    academy_formats::course::write_zip(&package).expect("zip")
}

async fn upload(app: &TestApp, client: &reqwest::Client, bytes: Vec<u8>, owner: Option<String>) -> reqwest::Response {
    let token = app.csrf(client, "/learn").await;
    let mut form = Form::new().part("package", Part::bytes(bytes).file_name("p.zip")).text("publish", "yes");
    if let Some(owner) = owner {
        form = form.text("owner_org_id", owner);
    }
    client.post(app.url(&format!("/author/import?csrf_token={token}"))).multipart(form).send().await.expect("upload")
}

async fn content_is_changed_only_by_authors_at_its_owner(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let national = "how-language-models-work";
    let facilitator = app.signed_in("facilitator@academy.test").await;
    let token = app.csrf(&facilitator, "/account").await;
    let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
        let mut all = vec![("csrf_token", token.clone())];
        all.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        let request = facilitator.post(app.url(&path)).form(&all);
        async move { request.send().await.expect("post").status() }
    };
    // A district facilitator may not archive, edit, add steps to, or remove steps of a
    // national course.
    assert_eq!(
        post(format!("/author/items/{national}/status"), vec![("status", "archived")]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(format!("/author/items/{national}/edit"), vec![("title", "Hijacked"), ("summary", "x")]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(format!("/author/items/{national}/steps/new"), vec![("kind", "lesson"), ("title", "x"), ("body", "x")])
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(post(format!("/author/items/{national}/steps/1/delete"), vec![]).await, StatusCode::FORBIDDEN);
    for page in ["", "/edit", "/steps/new", "/export.zip"] {
        let status =
            facilitator.get(app.url(&format!("/author/items/{national}{page}"))).send().await.expect("get").status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    }
    // …nor replace it by re-uploading a package with its URL name.
    let replaced = upload(&app, &facilitator, package_zip(national, "Hijacked"), None).await;
    assert_eq!(replaced.status(), StatusCode::FORBIDDEN);
    let item = catalog::item_by_slug(store, national).await.expect("q").expect("item");
    assert_eq!(item.status, academy_store::catalog::ItemStatus::Published);
    assert_ne!(item.title, "Hijacked");
    assert!(catalog::steps(store, item.id).await.expect("steps").len() > 1, "its content is untouched");
    // A national pathway is the national program's too.
    let status =
        facilitator.get(app.url("/author/pathways/ai-ready-educator/edit")).send().await.expect("get").status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The index lists what the facilitator may change: none of the national catalog.
    let index = app.get_html(&facilitator, "/author").await;
    assert!(texts(&index, "table a").iter().all(|t| t != &item.title), "{:?}", texts(&index, "table a"));

    // Their own item belongs to their district, and they author it freely.
    let district = org_named(&app, "Riverbend Independent School District").await;
    let form = app.get_html(&facilitator, "/author/items/new").await;
    let owners = texts(&form, "#owner_org_id option");
    assert_eq!(owners.first().map(String::as_str), Some("Riverbend Independent School District"), "{owners:?}");
    assert!(owners.iter().all(|o| !o.contains("Federation") && !o.contains("National")), "{owners:?}");
    let own = upload(
        &app,
        &facilitator,
        package_zip("riverbend-ai-basics", "Riverbend AI Basics"),
        Some(district.to_string()),
    )
    .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let own = catalog::item_by_slug(store, "riverbend-ai-basics").await.expect("q").expect("item");
    assert_eq!(own.owner_org_id, Some(district));
    let again = upload(&app, &facilitator, package_zip("riverbend-ai-basics", "Riverbend AI Basics, v2"), None).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER, "re-uploading one's own item is fine");
    let index = app.get_html(&facilitator, "/author").await;
    assert!(texts(&index, "table a").iter().any(|t| t == "Riverbend AI Basics, v2"));
    let ohio = orgs::by_nces_id(store, "3999901").await.expect("q").expect("ohio district");
    let elsewhere =
        upload(&app, &facilitator, package_zip("lakeshore-basics", "Lakeshore"), Some(ohio.id.to_string())).await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY, "a new item belongs where its author authors");
    // Authors above the owner may change it too; the program admin may archive the national course.
    let texas_admin = app.signed_in("texas.admin@academy.test").await;
    let edit = texas_admin.get(app.url("/author/items/riverbend-ai-basics/edit")).send().await.expect("get");
    assert_eq!(edit.status(), StatusCode::OK);
    let admin = app.signed_in("admin@academy.test").await;
    let archived = app
        .post_form(
            &admin,
            &format!("/author/items/{national}"),
            &format!("/author/items/{national}/status"),
            &[("status", "archived")],
        )
        .await;
    assert_eq!(archived.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}
