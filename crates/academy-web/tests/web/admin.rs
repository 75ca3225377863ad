//! Administering the tree and its people through the pages, and what each home page shows.

use crate::support::{TestApp, location, on_both, texts};
use academy_core::OrgKind;
use academy_store::{Backend, orgs, users};
use reqwest::StatusCode;
use scraper::Html;

on_both!(
    people_are_added_from_a_file_all_or_nothing,
    admins_build_the_tree_with_checked_attributes,
    roles_are_granted_and_revoked_within_limits,
    members_are_found_by_name_or_email,
    each_home_page_fits_the_role,
);

async fn admins_build_the_tree_with_checked_attributes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin@academy.test").await;
    let store = &app.server().store;
    let district = orgs::by_nces_id(store, "4899901").await.expect("q").expect("district");
    let new_path = format!("/admin/orgs/{}/children/new", district.id);
    let form = app.get_html(&admin, &new_path).await;
    assert_eq!(crate::support::input_value(&form, "kind").as_deref(), Some("school"), "a district holds only schools");
    assert_eq!(texts(&form, "legend"), ["Locale (schools)", "Title I school"]);

    let empty =
        app.post_form(&admin, &new_path, &new_path, &[("kind", "school"), ("name", " "), ("state", "TX")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&empty.text().await.expect("body"));
    assert_eq!(texts(&page, ".error-summary li"), ["Name is required."]);
    assert_eq!(texts(&page, "#name-error"), ["Error: Name is required."]);

    let bad = app
        .post_form(
            &admin,
            &new_path,
            &new_path,
            &[("kind", "state_federation"), ("name", "X"), ("state", "Texas"), ("nces_id", "12")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&bad.text().await.expect("body"));
    let errors = texts(&page, ".error-summary li");
    assert!(errors.contains(&"Choose what kind of organization this is.".to_owned()), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("'Texas' is not a US state code")), "{errors:?}");

    let fields = [
        ("kind", "school"),
        ("name", "Bluebonnet STEM Academy"),
        ("state", "TX"),
        ("nces_id", "489990100009"),
        ("locale", "town"),
        ("title_i", "yes"),
    ];
    let created = app.post_form(&admin, &new_path, &new_path, &fields).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let school_page = location(created.headers());
    assert!(school_page.ends_with("?notice=org-created"), "{school_page}");
    let school = orgs::by_nces_id(store, "489990100009").await.expect("q").expect("created");
    assert_eq!((school.kind, school.parent_id, school.title_i), (OrgKind::School, Some(district.id), Some(true)));
    assert_eq!(school.path, district.path.child(school.id));
    let page = app.get_html(&admin, &school_page).await;
    assert_eq!(texts(&page, ".notice"), ["The organization was created."]);
    assert_eq!(texts(&page, ".breadcrumb li").len(), 3, "national › Texas › district");

    let twin = [("kind", "school"), ("name", "Twin"), ("state", "TX"), ("nces_id", "489990100009")];
    let duplicate = app.post_form(&admin, &new_path, &new_path, &twin).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    let page = Html::parse_document(&duplicate.text().await.expect("body"));
    assert_eq!(texts(&page, "#nces_id-error"), ["Error: Another organization already has this NCES id."]);

    let edit_path = format!("/admin/orgs/{}/edit", school.id);
    let edited = app
        .post_form(
            &admin,
            &edit_path,
            &edit_path,
            &[
                ("name", "Bluebonnet STEM Academy (K-8)"),
                ("state", "TX"),
                ("nces_id", "489990100009"),
                ("locale", "rural"),
                ("title_i", "no"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let school = orgs::get(store, school.id).await.expect("q").expect("school");
    assert_eq!(
        (school.name.as_str(), school.locale.as_deref(), school.title_i),
        ("Bluebonnet STEM Academy (K-8)", Some("rural"), Some(false))
    );

    let below_school = format!("/admin/orgs/{}/children/new", school.id);
    let refused = admin.get(app.url(&below_school)).send().await.expect("get");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "nothing hangs below a school");
    app.stop().await;
}

async fn roles_are_granted_and_revoked_within_limits(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let texas_admin = app.signed_in("texas.admin@academy.test").await;
    let district = orgs::by_nces_id(store, "4899901").await.expect("q").expect("district");
    let org_page = format!("/admin/orgs/{}", district.id);
    let grants = format!("/admin/orgs/{}/grants", district.id);

    let page = app.get_html(&texas_admin, &org_page).await;
    let offered = texts(&page, "#role option");
    assert_eq!(offered, ["Teacher", "Facilitator", "Organization admin"], "no program admin or researcher on offer");
    let escalate = app
        .post_form(&texas_admin, &org_page, &grants, &[("email", "teacher@academy.test"), ("role", "program-admin")])
        .await;
    assert_eq!(escalate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nobody =
        app.post_form(&texas_admin, &org_page, &grants, &[("email", "ghost@academy.test"), ("role", "teacher")]).await;
    assert_eq!(nobody.status(), StatusCode::SEE_OTHER, "an unknown email reads like an offer (see scope.rs)");
    assert!(location(nobody.headers()).ends_with("notice=offered"));

    let granted = app
        .post_form(&texas_admin, &org_page, &grants, &[("email", "teacher@academy.test"), ("role", "facilitator")])
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    assert!(location(granted.headers()).ends_with("notice=granted"));
    let again = app
        .post_form(&texas_admin, &org_page, &grants, &[("email", "teacher@academy.test"), ("role", "facilitator")])
        .await;
    assert!(location(again.headers()).ends_with("notice=already-granted"));
    let teacher = users::by_email(store, &academy_core::Email::parse("teacher@academy.test").expect("e"))
        .await
        .expect("q")
        .expect("t");
    let held = users::grants(store, teacher.id).await.expect("grants");
    let facilitator = held.iter().find(|g| g.role == academy_core::Role::Facilitator).expect("granted");

    // The teacher can now see the district's people.
    let teacher_client = app.signed_in("teacher@academy.test").await;
    let members =
        teacher_client.get(app.url(&format!("/admin/orgs/{}/members", district.id))).send().await.expect("get");
    assert_eq!(members.status(), StatusCode::OK);

    let person = format!("/admin/people/{}", teacher.id);
    let revoke = format!("/admin/grants/{}/revoke", facilitator.id);
    let asked = app.post_form(&texas_admin, &person, &revoke, &[]).await;
    assert_eq!(asked.status(), StatusCode::OK, "removing a role is confirmed first");
    let asked = scraper::Html::parse_document(&asked.text().await.expect("body"));
    assert!(texts(&asked, "h1")[0].starts_with("Remove"), "{:?}", texts(&asked, "h1"));
    assert!(users::grant(store, facilitator.id).await.expect("q").is_some(), "nothing changes until it is confirmed");
    let revoked = app.post_form(&texas_admin, &person, &revoke, &[("confirm", "yes")]).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(revoked.headers()), format!("/admin/people/{}?notice=revoked", teacher.id));
    let page = app.get_html(&texas_admin, &location(revoked.headers())).await;
    let history = texts(&page, "main ul li");
    assert!(
        history.iter().any(|h| h.contains("Role removed")) && history.iter().any(|h| h.contains("Role granted")),
        "{history:?}"
    );
    let members =
        teacher_client.get(app.url(&format!("/admin/orgs/{}/members", district.id))).send().await.expect("get");
    assert_eq!(members.status(), StatusCode::FORBIDDEN, "the role is gone at once");

    // A program admin cannot remove their own program-admin role.
    let admin = app.signed_in("admin@academy.test").await;
    let me = users::by_email(store, &academy_core::Email::parse("admin@academy.test").expect("e"))
        .await
        .expect("q")
        .expect("me");
    let own = users::grants(store, me.id).await.expect("grants").remove(0);
    let page = app.get_html(&admin, &format!("/admin/people/{}", me.id)).await;
    assert!(texts(&page, "form[action$=\"/revoke\"]").is_empty(), "no remove button on one's own program-admin role");
    let response =
        app.post_form(&admin, "/account", &format!("/admin/grants/{}/revoke", own.id), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn members_are_found_by_name_or_email(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin@academy.test").await;
    let root = orgs::root(&app.server().store).await.expect("q").expect("root");
    let page = app.get_html(&admin, &format!("/admin/orgs/{}/members?q=natarajan", root.id)).await;
    assert_eq!(texts(&page, "tbody tr td:first-child"), ["Priya Natarajan"]);
    for hostile in ["%", "_", "' OR '1'='1", "\\"] {
        let path = format!("/admin/orgs/{}/members?q={}", root.id, urlencode(hostile));
        let page = app.get_html(&admin, &path).await;
        assert!(texts(&page, "tbody tr").is_empty(), "{hostile:?} matches nothing literally");
    }
    let second = app.get_html(&admin, &format!("/admin/orgs/{}/members?page=2", root.id)).await;
    assert_eq!(texts(&second, "tbody tr").len(), 19, "69 people, 50 per page");
    let search = app.get_html(&admin, &format!("/admin/orgs/{}?q=middle", root.id)).await;
    assert_eq!(texts(&search, "main h3 + ul li").len(), 3);
    app.stop().await;
}

async fn each_home_page_fits_the_role(backend: Backend) {
    let app = TestApp::start(backend).await;
    let program = app.get_html(&app.signed_in("admin@academy.test").await, "/").await;
    let text = texts(&program, "#program-heading + p").join(" ");
    assert_eq!(text, "65 teachers enrolled of the goal of 400,000 (0.02%).");
    assert_eq!(
        texts(&program, "nav[aria-label=Main] a"),
        ["Home", "My learning", "Catalog", "Authoring", "Organizations", "Credentials", "Outbox", "Account"]
    );

    let texas = app.get_html(&app.signed_in("texas.admin@academy.test").await, "/").await;
    assert!(texts(&texas, "#program-heading").is_empty());
    assert_eq!(texts(&texas, "dl.figures dt"), ["Teachers", "Districts", "Local unions", "Schools"]);
    assert_eq!(texts(&texas, "dl.figures dd"), ["25", "1", "1", "3"]);
    assert_eq!(
        texts(&texas, "nav[aria-label=Main] a"),
        ["Home", "My learning", "Catalog", "Authoring", "Organizations", "Account"]
    );

    let facilitator = app.get_html(&app.signed_in("facilitator@academy.test").await, "/").await;
    assert_eq!(
        texts(&facilitator, "#groups-heading + ul li"),
        ["Riverbend Independent School District : 25 teacher(s)"]
    );

    let researcher = app.get_html(&app.signed_in("researcher@academy.test").await, "/").await;
    let rows = texts(&researcher, "#research-heading ~ table tbody tr");
    assert!(rows.contains(&"City Title I 17".to_owned()), "{rows:?}");
    assert!(rows.contains(&"City Not Title I fewer than 10".to_owned()), "small cells are withheld: {rows:?}");
    assert!(rows.contains(&"Town Title I fewer than 10".to_owned()), "{rows:?}");
    assert_eq!(texts(&researcher, "nav[aria-label=Main] a"), ["Home", "My learning", "Catalog", "Account"]);
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn people_are_added_from_a_file_all_or_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let by_name = |name: &'static str| async move {
        let (id, nces): (i64, Option<String>) = academy_store::query("SELECT id, nces_id FROM orgs WHERE name = $1")
            .bind(name)
            .fetch_one(store)
            .await
            .expect("org");
        (id, nces)
    };
    let (texas, _) = by_name("Texas Federation of Educators").await;
    let (_, school_nces) = by_name("Riverbend Middle School").await;
    let (district, _) = by_name("Riverbend Independent School District").await;
    let (ohio_school, _) = by_name("Lakeshore Elementary School").await;
    let admin = app.signed_in("texas.admin@academy.test").await;
    let form = format!("/admin/orgs/{texas}/people/import");
    let count = || async { academy_store::query("SELECT COUNT(*) FROM users").fetch_i64(store).await.expect("count") };
    let people_before = count().await;

    let bad = format!(
        "name,email,org,role\n\
         Ana Ruiz,not-an-email,{district},teacher\n\
         Bo Lee,bo.lee@example.org,999999,teacher\n\
         Cy Moss,cy.moss@example.org,{district},program-admin\n\
         Di Fox,di.fox@example.org,{ohio_school},teacher\n\
         Ed Kim,ed.kim@example.org,{district},teacher\n\
         Ed Kim,ed.kim@example.org,{district},teacher\n"
    );
    let refused = app.post_form(&admin, &form, &form, &[("csv", bad.as_str())]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.expect("body"));
    let problems = texts(&page, ".problems li");
    for (line, column) in [(2, "email"), (3, "org"), (4, "role"), (5, "org"), (7, "email")] {
        assert!(
            problems.iter().any(|p| p.starts_with(&format!("people.csv:{line}: {column}:"))),
            "line {line}, {column}: {problems:?}"
        );
    }
    assert_eq!(count().await, people_before, "nothing was added");

    let good = format!(
        "name,email,org,role\n\
         Fay Dunn,fay.dunn@example.org,{},teacher\n\
         Gus Park,gus.park@example.org,{district},facilitator\n\
         Priya Natarajan,teacher@academy.test,{district},facilitator\n",
        school_nces.expect("an NCES id")
    );
    let preview = app.post_form(&admin, &form, &form, &[("csv", good.as_str())]).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let page = Html::parse_document(&preview.text().await.expect("body"));
    let rows = texts(&page, "tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("invitation is emailed") && rows[2].contains("gets the role"), "{rows:?}");
    assert_eq!(count().await, people_before, "a preview changes nothing");

    let applied = app.post_form(&admin, &form, &form, &[("csv", good.as_str()), ("confirm", "yes")]).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    assert_eq!(count().await, people_before + 2, "two new accounts");
    let fay = users::by_email(store, &academy_core::Email::parse("fay.dunn@example.org").expect("e"))
        .await
        .expect("q")
        .expect("made");
    assert_eq!(fay.status, academy_core::user::UserStatus::Invited);
    let teacher = users::by_email(store, &academy_core::Email::parse("teacher@academy.test").expect("e"))
        .await
        .expect("q")
        .expect("exists");
    let grants = users::grants(store, teacher.id).await.expect("grants");
    assert!(grants.iter().any(|g| g.org_id == district && g.role == academy_core::Role::Facilitator));

    // An invitation that was not accepted can be sent again.
    let person = format!("/admin/people/{}", fay.id);
    let page = app.get_html(&admin, &person).await;
    assert!(texts(&page, "button").iter().any(|b| b.contains("Send the invitation again")));
    let jobs = || async {
        academy_store::query("SELECT COUNT(*) FROM jobs WHERE kind = 'send_account_email' AND payload LIKE $1")
            .bind(format!("%\"user_id\":{}%", fay.id))
            .fetch_i64(store)
            .await
            .expect("jobs")
    };
    let before = jobs().await;
    let resent = app.post_form(&admin, &person, &format!("{person}/invitation"), &[]).await;
    assert_eq!(resent.status(), StatusCode::SEE_OTHER);
    assert_eq!(jobs().await, before + 1, "a new invitation email is queued");
    let active = format!("/admin/people/{}", teacher.id);
    let refused = app.post_form(&admin, &active, &format!("{active}/invitation"), &[]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "someone who accepted is not invited again");
    app.stop().await;
}
