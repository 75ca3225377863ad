//! Authoring: catalog entries, the step editor, course packages in and out, sessions and
//! pathways, with every problem named by file and line and nothing half-saved.

use crate::support::{TestApp, location, on_both, texts};
use academy_store::{Backend, catalog, pathways, query};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use scraper::Html;

on_both!(
    authors_build_a_course_with_the_step_editor,
    the_entry_form_checks_what_packages_check_and_publishing_needs_content,
    the_quiz_editor_adds_questions_and_previews_without_javascript,
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
    // A quiz is written in the question editor; its problems name the form's fields.
    let quiz_fields = |correct: Option<&'static str>| {
        let mut fields = vec![
            ("module", "1"),
            ("kind", "quiz"),
            ("title", "Check"),
            ("passing_score", "80"),
            ("max_attempts", "2"),
            ("reveal", "when-done"),
            ("questions", "1"),
            ("q1-kind", "single"),
            ("q1-prompt", "2 + 2?"),
            ("q1-option1", "3"),
            ("q1-option2", "4"),
            ("q1-option3", ""),
            ("q1-feedback", "Count."),
        ];
        if let Some(k) = correct {
            fields.push(("q1-correct", k));
        }
        fields
    };
    let refused = app.post_form(&author, &new_step, &new_step, &quiz_fields(None)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&refused.text().await.expect("body"));
    assert_eq!(texts(&page, ".error-summary li"), ["Question 1: choose the correct answer."]);
    assert_eq!(
        page.select(&scraper::Selector::parse(".error-summary a").expect("css")).next().and_then(|a| a.attr("href")),
        Some("#q1-options"),
        "the summary links to the question's options"
    );
    let item = catalog::item_by_slug(&app.server().store, slug).await.expect("q").expect("item");
    assert_eq!(
        catalog::steps(&app.server().store, item.id).await.expect("steps").len(),
        1,
        "the refused step was not saved"
    );

    let quiz = app.post_form(&author, &new_step, &new_step, &quiz_fields(Some("2"))).await;
    assert_eq!(quiz.status(), StatusCode::SEE_OTHER);
    let saved = catalog::steps(&app.server().store, item.id).await.expect("steps");
    let saved = saved[1].quiz().expect("quiz").expect("a quiz step");
    assert_eq!(saved.questions[0].choices, ["3", "4"], "empty option slots are left out");
    assert_eq!(saved.questions[0].answer, academy_core::learning::Answer::Choices(vec![1]));
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
    let district = academy_store::orgs::by_nces_id(&app.server().store, "4899901").await.expect("q").expect("district");
    let host = district.id.to_string();
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
                ("host_org_id", host.as_str()),
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
    // A pathway is published only when it can be completed: its required items are published.
    let set_status = |status: &'static str| {
        query("UPDATE catalog_items SET status = $1 WHERE slug = 'student-privacy-and-ai'").bind(status)
    };
    set_status("draft").execute(&app.server().store).await.expect("draft");
    let fields = [
        ("slug", "ethics-first"),
        ("title", "Ethics First"),
        ("summary", "Privacy and fairness."),
        ("criteria", "Completed both ethics courses."),
        ("item-student-privacy-and-ai", "required"),
        ("item-bias-fairness-and-integrity", "optional"),
        ("optional_required", "1"),
        ("status", "published"),
    ];
    let incomplete = app.post_form(&admin, new, new, &fields).await;
    assert_eq!(incomplete.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&incomplete.text().await.expect("body"));
    assert!(
        texts(&page, ".error-summary li").iter().any(|t| t.contains("nobody could complete it")),
        "{:?}",
        texts(&page, ".error-summary li")
    );
    set_status("published").execute(&app.server().store).await.expect("published");
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

async fn the_entry_form_checks_what_packages_check_and_publishing_needs_content(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let author = app.signed_in("facilitator@academy.test").await;
    let new = "/author/items/new";
    let entry = |title: &'static str, subjects: &[&'static str], status: &'static str| {
        let mut fields = vec![
            ("kind", "course"),
            ("title", title),
            ("strand", "classroom-practice"),
            ("summary", "Feedback that students use."),
            ("grade_band", "3-5"),
            ("minutes", "30"),
            ("pd_hours", "0.5"),
            ("status", status),
        ];
        fields.extend(subjects.iter().map(|s| ("subject", *s)));
        fields
    };
    // "All subjects" and another subject: refused on the form, in the form's words (it used to
    // be accepted here and then refuse every step as "course.toml:9: subjects: …").
    let both = app.post_form(&author, new, new, &entry("AI Feedback for Grades 3-5", &["all", "math"], "draft")).await;
    assert_eq!(both.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = both.text().await.expect("body");
    let page = Html::parse_document(&body);
    assert_eq!(
        texts(&page, ".error-summary li"),
        ["“All subjects” already covers every subject: choose it alone, or choose the subjects one by one."]
    );
    assert!(!body.contains("course.toml"), "no package file is named");
    // A new course cannot be published before it has steps.
    let early = app.post_form(&author, new, new, &entry("AI Feedback for Grades 3-5", &["math"], "published")).await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&early.text().await.expect("body"));
    assert!(
        texts(&page, "#status .field-error").iter().any(|t| t.contains("no steps yet")),
        "{:?}",
        texts(&page, "#status")
    );
    // The URL name comes from the title, made unique.
    let made = app.post_form(&author, new, new, &entry("AI Feedback for Grades 3–5!", &["math", "ela"], "draft")).await;
    assert_eq!(location(made.headers()), "/author/items/ai-feedback-for-grades-3-5?notice=item-created");
    let twin = app.post_form(&author, new, new, &entry("AI Feedback for Grades 3-5", &["math"], "draft")).await;
    assert_eq!(location(twin.headers()), "/author/items/ai-feedback-for-grades-3-5-2?notice=item-created");
    // Its steps can be added: what the form accepted, the package reader accepts.
    let slug = "ai-feedback-for-grades-3-5";
    let new_step = format!("/author/items/{slug}/steps/new");
    let lesson = app
        .post_form(
            &author,
            &new_step,
            &new_step,
            &[
                ("module", "new"),
                ("new_module", "Feedback"),
                ("kind", "lesson"),
                ("title", "Why"),
                ("body", "Because."),
            ],
        )
        .await;
    assert_eq!(lesson.status(), StatusCode::SEE_OTHER);
    let edit = format!("/author/items/{slug}/edit");
    let later =
        app.post_form(&author, &edit, &edit, &entry("AI Feedback for Grades 3-5", &["all", "ela"], "draft")).await;
    assert_eq!(later.status(), StatusCode::UNPROCESSABLE_ENTITY, "the same rule when editing");

    // Published before publishing checked (an older database): no enrolling, no "Continue" loop.
    let empty = catalog::item_by_slug(store, "ai-feedback-for-grades-3-5-2").await.expect("q").expect("item");
    query("UPDATE catalog_items SET status = 'published' WHERE id = $1")
        .bind(empty.id)
        .execute(store)
        .await
        .expect("publish");
    let teacher = app.signed_in("teacher@academy.test").await;
    let item_page = format!("/learn/items/{}", empty.slug);
    let page = app.get_html(&teacher, &item_page).await;
    assert!(texts(&page, "a.button").iter().all(|t| !t.contains("Continue")), "{:?}", texts(&page, "a.button"));
    assert!(texts(&page, "#progress-heading + p").iter().any(|t| t.contains("no content yet")));
    let token = app.csrf(&teacher, "/learn").await;
    let enroll = teacher
        .post(app.url(&format!("{item_page}/enroll")))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_ne!(enroll.status(), StatusCode::SEE_OTHER, "nothing to enroll in");
    app.stop().await;
}

async fn the_quiz_editor_adds_questions_and_previews_without_javascript(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let admin = app.signed_in("admin@academy.test").await;
    let slug = "how-language-models-work";
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let steps_before = catalog::steps(store, item.id).await.expect("steps").len();
    let new_step = format!("/author/items/{slug}/steps/new");
    let question = [
        ("module", "1"),
        ("kind", "quiz"),
        ("title", "Tokens"),
        ("passing_score", "100"),
        ("max_attempts", "0"),
        ("reveal", "after-each-attempt"),
        ("questions", "1"),
        ("q1-kind", "multiple"),
        ("q1-prompt", "Which are *tokens*?"),
        ("q1-option1", "wor"),
        ("q1-option2", "ds"),
        ("q1-option3", "meaning"),
        ("q1-correct", "1"),
        ("q1-correct", "2"),
        ("q1-feedback", "Pieces of text."),
    ];
    // The question's fields, with `extra` replacing any field of the same name.
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut fields: Vec<_> = question.iter().copied().filter(|(k, _)| extra.iter().all(|(e, _)| e != k)).collect();
        fields.extend_from_slice(extra);
        fields
    };
    // "Add a question" comes back to the form with one more, nothing lost, nothing saved.
    let added = app.post_form(&admin, &new_step, &new_step, &with(&[("action", "add-question")])).await;
    assert_eq!(added.status(), StatusCode::OK);
    let page = Html::parse_document(&added.text().await.expect("body"));
    assert_eq!(texts(&page, ".question-editor > legend"), ["Question 1", "Question 2"]);
    assert_eq!(texts(&page, "#q1-prompt"), ["Which are *tokens*?"]);
    assert!(page.select(&scraper::Selector::parse("#q2-prompt[autofocus]").expect("css")).next().is_some());
    assert_eq!(page.select(&scraper::Selector::parse("input[name=q1-correct][checked]").expect("css")).count(), 2);
    // A second question left blank is ignored; one half-written names its field.
    let half = app
        .post_form(
            &admin,
            &new_step,
            &new_step,
            &with(&[("questions", "2"), ("q2-kind", "short"), ("q2-prompt", "Name one.")]),
        )
        .await;
    assert_eq!(half.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Html::parse_document(&half.text().await.expect("body"));
    assert_eq!(
        texts(&page, ".error-summary li"),
        [
            "Question 2: write the feedback teachers see after answering.",
            "Question 2: give at least one accepted answer, one per line."
        ]
    );
    // Preview shows the quiz as teachers will see it, without saving.
    let preview = app.post_form(&admin, &new_step, &new_step, &with(&[("action", "preview")])).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let page = Html::parse_document(&preview.text().await.expect("body"));
    assert_eq!(texts(&page, "#preview .question legend"), ["Question 1"]);
    assert_eq!(texts(&page, "#preview .question .prose em"), ["tokens"], "the prompt's Markdown is rendered");
    assert_eq!(texts(&page, "#preview .question .choice label").len(), 3);
    let lesson = app
        .post_form(
            &admin,
            &new_step,
            &new_step,
            &[
                ("module", "1"),
                ("kind", "lesson"),
                ("title", "Hi"),
                ("body", "## Hello\n\n**Bold** move."),
                ("action", "preview"),
            ],
        )
        .await;
    let page = Html::parse_document(&lesson.text().await.expect("body"));
    assert_eq!(texts(&page, "#preview .prose strong"), ["Bold"]);
    assert_eq!(catalog::steps(store, item.id).await.expect("steps").len(), steps_before, "previews save nothing");
    // Saved, the quiz goes through the package writer and reads back the same.
    let saved = app.post_form(&admin, &new_step, &new_step, &with(&[("action", "save")])).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let steps = catalog::steps(store, item.id).await.expect("steps");
    let position = steps.iter().find(|s| s.title == "Tokens").expect("saved").position;
    let edit = app.get_html(&admin, &format!("/author/items/{slug}/steps/{position}/edit")).await;
    assert_eq!(texts(&edit, "#q1-prompt"), ["Which are *tokens*?"]);
    assert_eq!(crate::support::input_value(&edit, "q1-option2").as_deref(), Some("ds"));
    assert!(edit.select(&scraper::Selector::parse("#q1-kind-multiple[checked]").expect("css")).next().is_some());
    assert!(
        edit.select(&scraper::Selector::parse("#reveal-after-each-attempt[checked]").expect("css")).next().is_some(),
        "when answers are shown is kept"
    );
    let export = admin.get(app.url(&format!("/author/items/{slug}/export.zip"))).send().await.expect("get");
    let bytes = export.bytes().await.expect("zip");
    let round = academy_formats::course::read_with(academy_formats::course::Input::Zip(&bytes), &Default::default())
        .expect("the export reads back");
    assert!(round.modules.iter().flat_map(|m| &m.steps).any(|s| s.title == "Tokens"
        && s.quiz.as_ref().is_some_and(|q| q.reveal == academy_core::learning::Reveal::AfterEachAttempt)));
    app.stop().await;
}
