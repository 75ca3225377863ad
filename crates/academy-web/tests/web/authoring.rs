//! Authoring: catalog entries, the step editor, course packages in and out, sessions and
//! pathways, with every problem named by file and line and nothing half-saved.

use crate::support::{TestApp, location, on_both, texts};
use academy_store::{Backend, catalog, pathways, query};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;

on_both!(
    authors_build_a_course_with_the_step_editor,
    packages_import_all_or_nothing_and_export,
    sessions_and_pathways_are_scheduled_and_composed
);

async fn authors_build_a_course_with_the_step_editor(backend: Backend) {
    let app = TestApp::start(backend).await;
    let author = app.signed_in("facilitator@academy.test").await;
    let teacher = app.signed_in("teacher@academy.test").await;
    assert_eq!(teacher.get(app.url("/author")).send().await.expect("get").status(), StatusCode::FORBIDDEN);

    let bad = app
        .post_form(
            &author,
            "/author/items/new",
            "/author/items/new",
            &[("kind", "course"), ("slug", "Bad Slug"), ("title", ""), ("minutes", "2"), ("pd_hours", "1.25")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&bad.text().await.expect("body"));
    let problems = texts(&page, ".error-summary li");
    for expected in [
        "Use 3 to 80 lower-case letters",
        "Title is required.",
        "Choose a strand.",
        "Choose at least one grade band.",
        "5 to 6000",
        "more than one decimal",
    ] {
        assert!(problems.iter().any(|p| p.contains(expected)), "{expected}: {problems:?}");
    }
    let fields = [
        ("kind", "course"),
        ("slug", "ai-and-math-word-problems"),
        ("title", "AI and Math Word Problems"),
        ("strand", "classroom-practice"),
        ("summary", "Use AI to write and vary word problems, then check them."),
        ("description", "## Why\n\nWord problems take time to write."),
        ("grade_band", "3-5"),
        ("grade_band", "6-8"),
        ("subject", "math"),
        ("minutes", "30"),
        ("pd_hours", "0.5"),
        ("status", "draft"),
    ];
    let created = app.post_form(&author, "/author/items/new", "/author/items/new", &fields).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let slug = "ai-and-math-word-problems";
    assert_eq!(
        teacher.get(app.url(&format!("/learn/items/{slug}"))).send().await.expect("get").status(),
        StatusCode::NOT_FOUND,
        "drafts are for authors"
    );
    let no_content = app
        .post_form(
            &author,
            &format!("/author/items/{slug}"),
            &format!("/author/items/{slug}/status"),
            &[("status", "published")],
        )
        .await;
    assert_eq!(no_content.status(), StatusCode::BAD_REQUEST, "a course without steps cannot be published");

    let new_step = format!("/author/items/{slug}/steps/new");
    let lesson = app
        .post_form(
            &author,
            &new_step,
            &new_step,
            &[
                ("module", "new"),
                ("new_module", "Writing problems"),
                ("kind", "lesson"),
                ("title", "Why vary problems"),
                ("body", "## Variety\n\nStudents need many contexts."),
            ],
        )
        .await;
    assert_eq!(lesson.status(), StatusCode::SEE_OTHER, "{}", lesson.text().await.unwrap_or_default());
    let broken_quiz = "passing_score = 80\nmax_attempts = 2\n\n[[questions]]\nkind = \"single\"\nprompt = \"2 + 2?\"\nchoices = [\"3\", \"4\"]\nanswer = [7]\nfeedback = \"Count.\"\n";
    let refused = app
        .post_form(
            &author,
            &new_step,
            &new_step,
            &[("module", "1"), ("kind", "quiz"), ("title", "Check"), ("quiz", broken_quiz)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.expect("body"));
    let problems = texts(&page, ".problems li");
    assert!(
        problems
            .iter()
            .any(|p| p.contains(".quiz.toml:8: questions[0].answer:") && p.contains("answer 7 is not a choice")),
        "{problems:?}"
    );
    let item = catalog::item_by_slug(&app.server().store, slug).await.expect("q").expect("item");
    assert_eq!(
        catalog::steps(&app.server().store, item.id).await.expect("steps").len(),
        1,
        "the refused step was not saved"
    );

    let good_quiz = broken_quiz.replace("answer = [7]", "answer = [1]");
    let quiz = app
        .post_form(
            &author,
            &new_step,
            &new_step,
            &[("module", "1"), ("kind", "quiz"), ("title", "Check"), ("quiz", good_quiz.as_str())],
        )
        .await;
    assert_eq!(quiz.status(), StatusCode::SEE_OTHER);
    let edit = format!("/author/items/{slug}/steps/1/edit");
    let form = app.get_html(&author, &edit).await;
    assert_eq!(
        texts(&form, "textarea#body"),
        ["## Variety\n\nStudents need many contexts.".split_whitespace().collect::<Vec<_>>().join(" ")]
    );
    let renamed = app
        .post_form(
            &author,
            &edit,
            &edit,
            &[
                ("module", "1"),
                ("kind", "lesson"),
                ("title", "Why vary word problems"),
                ("body", "## Variety\n\nMany contexts help."),
            ],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let steps = catalog::steps(&app.server().store, item.id).await.expect("steps");
    assert_eq!(steps.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(), ["Why vary word problems", "Check"]);

    let published = app
        .post_form(
            &author,
            &format!("/author/items/{slug}"),
            &format!("/author/items/{slug}/status"),
            &[("status", "published")],
        )
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let found = app.get_html(&teacher, "/learn/catalog?q=word+problems").await;
    assert_eq!(texts(&found, ".card h3"), ["AI and Math Word Problems"]);
    app.stop().await;
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut map = std::collections::BTreeMap::new();
    for (name, body) in files {
        map.insert((*name).to_owned(), body.as_bytes().to_vec());
    }
    let package = academy_formats::course::read_with(academy_formats::course::Input::Files(&map), &Default::default())
        .expect("a valid package");
    academy_formats::course::write_zip(&package).expect("zip")
}

async fn upload(app: &TestApp, client: &reqwest::Client, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let token = app.csrf(client, "/learn").await;
    let form = Form::new().part("package", Part::bytes(bytes).file_name(name.to_owned())).text("publish", "yes");
    client.post(app.url(&format!("/author/import?csrf_token={token}"))).multipart(form).send().await.expect("upload")
}

async fn packages_import_all_or_nothing_and_export(backend: Backend) {
    let app = TestApp::start(backend).await;
    let author = app.signed_in("admin@academy.test").await;
    let manifest = r#"format = "academy-course/1"
slug = "exit-tickets-with-ai"
title = "Exit Tickets with AI"
kind = "course"
strand = "classroom-practice"
summary = "Draft exit tickets quickly and check them."
grade_bands = ["6-8"]
subjects = ["all"]
minutes = 20
pd_hours = 0.5

[[modules]]
title = "Exit tickets"

[[modules.steps]]
kind = "lesson"
title = "What makes a good exit ticket"
file = "01/01-good.md"
"#;
    let good = zip_of(&[("course.toml", manifest), ("01/01-good.md", "## Short\n\nOne idea, one minute.")]);
    // The same package with a misspelt strand and a file it names but does not carry.
    let broken_manifest =
        manifest.replace("classroom-practice", "classroom").replace("01/01-good.md", "01/01-missing.md");
    let mut broken = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut broken));
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("pkg/course.toml", options).expect("file");
        std::io::Write::write_all(&mut writer, broken_manifest.as_bytes()).expect("write");
        writer.finish().expect("finish");
    }
    let refused = upload(&app, &author, broken, "broken.zip").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.expect("body"));
    let problems = texts(&page, ".problems li");
    assert!(problems.iter().any(|p| p.starts_with("course.toml:5: strand:")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("01/01-missing.md does not exist")), "{problems:?}");
    assert!(
        catalog::item_by_slug(&app.server().store, "exit-tickets-with-ai").await.expect("q").is_none(),
        "nothing was imported"
    );

    let imported = upload(&app, &author, good, "exit-tickets.zip").await;
    assert_eq!(imported.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(imported.headers()), "/author/items/exit-tickets-with-ai?notice=imported");
    let export = author.get(app.url("/author/items/exit-tickets-with-ai/export.zip")).send().await.expect("get");
    assert_eq!(export.headers()["content-type"], "application/zip");
    let bytes = export.bytes().await.expect("zip");
    let round = academy_formats::course::read_with(academy_formats::course::Input::Zip(&bytes), &Default::default())
        .expect("the export reads back");
    assert_eq!(round.title, "Exit Tickets with AI");
    assert_eq!(round.modules[0].steps[0].body_md.trim(), "## Short\n\nOne idea, one minute.");

    let teacher = app.signed_in("teacher@academy.test").await;
    let denied = upload(&app, &teacher, bytes.to_vec(), "x.zip").await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let no_token = author
        .post(app.url("/author/import"))
        .multipart(Form::new().part("package", Part::bytes(bytes.to_vec()).file_name("x.zip")))
        .send()
        .await
        .expect("post");
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN, "uploads carry the CSRF token too");
    app.stop().await;
}

async fn sessions_and_pathways_are_scheduled_and_composed(backend: Backend) {
    let app = TestApp::start(backend).await;
    let author = app.signed_in("facilitator@academy.test").await;
    let path = "/author/items/ai-ethics-roundtable/sessions/new";
    let bad = app
        .post_form(
            &author,
            path,
            path,
            &[
                ("date", "2026-13-40"),
                ("start", "25:00"),
                ("end", "10:00"),
                ("time_zone", "Mars/Olympus"),
                ("capacity", "0"),
                ("location_kind", "virtual"),
                ("meeting_url", "zoom"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&bad.text().await.expect("body"));
    assert!(texts(&page, ".error-summary li").len() >= 5, "{:?}", texts(&page, ".error-summary li"));
    let date = (academy_core::time::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let ok = app
        .post_form(
            &author,
            path,
            path,
            &[
                ("date", date.as_str()),
                ("start", "15:30"),
                ("end", "16:30"),
                ("time_zone", "America/Denver"),
                ("capacity", "25"),
                ("location_kind", "virtual"),
                ("meeting_url", "https://meet.example.org/x"),
                ("facilitator_email", "facilitator@academy.test"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (starts,): (chrono::DateTime<chrono::Utc>,) =
        query("SELECT starts_at FROM workshop_sessions WHERE time_zone = 'America/Denver'")
            .fetch_one(&app.server().store)
            .await
            .expect("session");
    assert_eq!(
        starts.with_timezone(&chrono_tz::America::Denver).format("%H:%M").to_string(),
        "15:30",
        "local time in the session's zone"
    );

    let admin = app.signed_in("admin@academy.test").await;
    let new = "/author/pathways/new";
    let composed = app
        .post_form(
            &admin,
            new,
            new,
            &[
                ("slug", "ethics-first"),
                ("title", "Ethics First"),
                ("summary", "Privacy and fairness."),
                ("criteria", "Completed both ethics courses."),
                ("item-student-privacy-and-ai", "required"),
                ("item-bias-fairness-and-integrity", "optional"),
                ("optional_required", "2"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(composed.status(), StatusCode::UNPROCESSABLE_ENTITY, "two optional items asked of one");
    let composed = app
        .post_form(
            &admin,
            new,
            new,
            &[
                ("slug", "ethics-first"),
                ("title", "Ethics First"),
                ("summary", "Privacy and fairness."),
                ("criteria", "Completed both ethics courses."),
                ("item-student-privacy-and-ai", "required"),
                ("item-bias-fairness-and-integrity", "optional"),
                ("optional_required", "1"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(composed.status(), StatusCode::SEE_OTHER);
    let pathway = pathways::by_slug(&app.server().store, "ethics-first").await.expect("q").expect("pathway");
    assert_eq!(pathways::items(&app.server().store, pathway.id).await.expect("items").len(), 2);
    app.stop().await;
}
