//! Learning end to end: the catalog, a course with lessons, quizzes and reflections, a lab,
//! workshops with waitlists and check-in codes, calendars, transcripts and learning records.

use crate::support::{TestApp, location, on_both, texts};
use academy_store::{Backend, catalog, query, workshops};
use reqwest::{Client, StatusCode};
use scraper::Html;

on_both!(
    the_catalog_filters_and_searches,
    a_course_is_taken_step_by_step_and_recorded,
    quiz_answers_for_another_attempt_are_refused,
    an_empty_quiz_is_not_an_attempt_and_answers_show_when_done,
    a_lab_task_completes_with_the_work_it_asks_for,
    a_full_session_has_a_waitlist_that_moves_up,
    attendance_by_code_completes_the_workshop,
    calendars_and_transcripts_download,
    the_last_seat_goes_to_exactly_one_of_many,
    cohorts_follow_a_pathway,
    facilitators_review_work_and_give_feedback,
    a_rescheduled_session_tells_people_and_fills_new_seats,
);

async fn the_catalog_filters_and_searches(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let all = app.get_html(&client, "/learn/catalog").await;
    assert_eq!(texts(&all, "#results"), ["9 results"], "six courses and labs, three workshops");
    let labs = app.get_html(&client, "/learn/catalog?format=hands-on-lab").await;
    assert!(
        texts(&labs, ".card .meta").iter().all(|m| m.starts_with("Hands-on lab")),
        "{:?}",
        texts(&labs, ".card .meta")
    );
    assert_eq!(texts(&labs, "#results"), ["2 results"]);
    let ethics = app.get_html(&client, "/learn/catalog?strand=ethics").await;
    let titles = texts(&ethics, ".card h3");
    assert!(titles.iter().all(|t| !t.is_empty()) && titles.len() == 3, "{titles:?}");
    // Words find facets too: every item of the Ethics strand, every Mathematics item.
    let found = texts(&app.get_html(&client, "/learn/catalog?q=ethics").await, ".card h3");
    assert!(titles.iter().all(|t| found.contains(t)), "'ethics' finds the strand's items: {found:?} ⊇ {titles:?}");
    let math = texts(&app.get_html(&client, "/learn/catalog?subject=math").await, ".card h3");
    let found = texts(&app.get_html(&client, "/learn/catalog?q=math").await, ".card h3");
    assert!(!math.is_empty(), "the demo has items for Mathematics (all subjects)");
    assert!(
        math.iter().all(|t| found.contains(t)),
        "'math' finds what the Mathematics filter finds: {found:?} ⊇ {math:?}"
    );
    let stems = texts(&app.get_html(&client, "/learn/catalog?q=differentiating").await, ".card h3");
    let stem = texts(&app.get_html(&client, "/learn/catalog?q=differentiate").await, ".card h3");
    assert_eq!(stems, stem, "words are matched by their stem");
    let search = app.get_html(&client, "/learn/catalog?q=privac").await;
    let found = texts(&search, ".card h3");
    assert!(found.iter().any(|t| t.contains("Privacy")), "prefix search finds privacy: {found:?}");
    let hostile =
        app.get_html(&client, "/learn/catalog?q=%27%3B+DROP+TABLE+catalog_items%3B+--+%22*&strand=nonsense").await;
    assert_eq!(
        texts(&hostile, "#results"),
        ["0 results"],
        "hostile text is only words, and an unknown strand is ignored"
    );
    let again = app.get_html(&client, "/learn/catalog").await;
    assert_eq!(texts(&again, "#results"), ["9 results"]);
    let short = app.get_html(&client, "/learn/catalog?length=short&grade=k-2").await;
    assert!(texts(&short, ".card .meta").iter().all(|m| !m.contains("90 min") && !m.contains("180 min")));
    app.stop().await;
}

pub(crate) async fn enroll(app: &TestApp, client: &Client, slug: &str) {
    let path = format!("/learn/items/{slug}");
    let response = app.post_form(client, &path, &format!("{path}/enroll"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(response.headers()), format!("{path}/continue"));
}

async fn step_page(app: &TestApp, client: &Client, slug: &str, position: i64) -> Html {
    app.get_html(client, &format!("/learn/items/{slug}/steps/{position}")).await
}

/// Answers every question of the open attempt on the page, right or wrong.
pub(crate) async fn answer_quiz(
    app: &TestApp,
    client: &Client,
    slug: &str,
    position: i64,
    right: bool,
) -> reqwest::Response {
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let step = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.position == position)
        .expect("step");
    let quiz = step.quiz().expect("decode").expect("quiz");
    let path = format!("/learn/items/{slug}/steps/{position}");
    let started = app.post_form(client, &path, &format!("{path}/attempts"), &[]).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let page = step_page(app, client, slug, position).await;
    let action = page
        .select(&scraper::Selector::parse("form[action*=\"/attempts/\"]").expect("selector"))
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("an open attempt")
        .to_owned();
    let token = crate::support::input_value(&page, "csrf_token").expect("token");
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), token)];
    for (i, q) in quiz.questions.iter().enumerate() {
        let name = format!("q{}", i + 1);
        match (&q.answer, right) {
            (academy_core::learning::Answer::Choices(c), true) => {
                fields.extend(c.iter().map(|n| (name.clone(), n.to_string())))
            }
            (academy_core::learning::Answer::Accept(a), true) => fields.push((name, a[0].clone())),
            (academy_core::learning::Answer::Choices(c), false) => {
                let wrong = (0..q.choices.len()).find(|n| !c.contains(n)).unwrap_or(0);
                fields.push((name, wrong.to_string()));
            }
            (academy_core::learning::Answer::Accept(_), false) => fields.push((name, "no idea".into())),
        }
    }
    client.post(app.url(&action)).form(&fields).send().await.expect("submit")
}

async fn a_course_is_taken_step_by_step_and_recorded(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let slug = "student-privacy-and-ai";
    enroll(&app, &client, slug).await;
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let steps = catalog::steps(store, item.id).await.expect("steps");
    let resume = client.get(app.url(&format!("/learn/items/{slug}/continue"))).send().await.expect("get");
    assert_eq!(location(resume.headers()), format!("/learn/items/{slug}/steps/1"));

    for step in &steps {
        let page = step_page(&app, &client, slug, step.position).await;
        assert_eq!(texts(&page, "h1"), std::slice::from_ref(&step.title));
        let base = format!("/learn/items/{slug}/steps/{}", step.position);
        match step.kind {
            academy_core::learning::StepKind::Lesson => {
                assert!(!texts(&page, ".prose h2").is_empty(), "the lesson's Markdown is rendered");
                let done = app.post_form(&client, &base, &format!("{base}/complete"), &[]).await;
                assert_eq!(done.status(), StatusCode::SEE_OTHER);
            }
            academy_core::learning::StepKind::Quiz => {
                let failed = answer_quiz(&app, &client, slug, step.position, false).await;
                assert!(location(failed.headers()).contains("notice=quiz-failed"), "{}", location(failed.headers()));
                let page = app.get_html(&client, &location(failed.headers())).await;
                assert!(!texts(&page, ".results .wrong").is_empty(), "wrong answers are shown with feedback");
                assert!(!texts(&page, ".feedback").is_empty());
                let passed = answer_quiz(&app, &client, slug, step.position, true).await;
                let to = location(passed.headers());
                assert!(to.contains("quiz-passed") || to.contains("item-completed"), "{to}");
            }
            academy_core::learning::StepKind::Reflection => {
                let short =
                    app.post_form(&client, &base, &format!("{base}/reflection"), &[("text", "Too short.")]).await;
                assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
                assert!(short.text().await.expect("body").contains("Your draft is saved"));
                let draft = step_page(&app, &client, slug, step.position).await;
                assert_eq!(texts(&draft, "textarea#text"), ["Too short."], "the draft is kept");
                let needed = step.min_words.unwrap_or(30) as usize;
                let words = "I will remove student names and ID numbers before I paste any work into a tool. "
                    .repeat(needed / 10 + 2);
                let saved =
                    app.post_form(&client, &base, &format!("{base}/reflection"), &[("text", words.as_str())]).await;
                assert_eq!(saved.status(), StatusCode::SEE_OTHER);
            }
            academy_core::learning::StepKind::Task => unreachable!("a course has no tasks"),
        }
    }
    let page = app.get_html(&client, &format!("/learn/items/{slug}?notice=item-completed")).await;
    assert!(
        texts(&page, "#progress-heading + p").join(" ").starts_with("Completed"),
        "{:?}",
        texts(&page, "#progress-heading + p")
    );
    let transcript = app.get_html(&client, "/learn/transcript").await;
    assert_eq!(texts(&transcript, "tbody tr td:nth-child(2)"), std::slice::from_ref(&item.title));
    assert_eq!(texts(&transcript, "tfoot td"), ["1.0"]);

    let teacher =
        academy_store::users::by_email(store, &academy_core::Email::parse("teacher@academy.test").expect("e"))
            .await
            .expect("q")
            .expect("t");
    let verbs: Vec<(String, i64)> =
        query("SELECT verb, COUNT(*) FROM xapi_statements WHERE actor = $1 GROUP BY verb ORDER BY verb")
            .bind(teacher.id.to_string())
            .fetch_all(store)
            .await
            .expect("statements");
    let has = |v: &str| verbs.iter().any(|(verb, _)| verb.ends_with(v));
    assert!(has("/launched") && has("/completed") && has("/answered") && has("/passed") && has("/failed"), "{verbs:?}");
    let (statement,): (String,) =
        query("SELECT statement FROM xapi_statements WHERE actor = $1 AND verb LIKE '%/passed' LIMIT 1")
            .bind(teacher.id.to_string())
            .fetch_one(store)
            .await
            .expect("passed");
    let parsed = academy_xapi::Statement::from_json(&statement).expect("a valid xAPI statement");
    assert!(
        parsed.context.as_ref().and_then(|c| c.registration).is_some(),
        "statements carry the enrollment's registration"
    );
    assert!(!statement.contains("teacher@academy.test"), "no email in learning records");
    app.stop().await;
}

async fn quiz_answers_for_another_attempt_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let slug = "how-language-models-work";
    enroll(&app, &client, slug).await;
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let quiz_step = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.kind == academy_core::learning::StepKind::Quiz)
        .expect("a quiz");
    let base = format!("/learn/items/{slug}/steps/{}", quiz_step.position);
    let first = answer_quiz(&app, &client, slug, quiz_step.position, false).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let (first_attempt,): (i64,) = query("SELECT MAX(id) FROM quiz_attempts").fetch_one(store).await.expect("attempt");
    let token = app.csrf(&client, &base).await;
    let replay = client
        .post(app.url(&format!("{base}/attempts/{first_attempt}")))
        .form(&[("csrf_token", token.as_str()), ("q1", "0")])
        .send()
        .await
        .expect("post");
    assert_eq!(replay.status(), StatusCode::CONFLICT, "a submitted attempt cannot be answered again");
    assert!(replay.text().await.expect("body").contains("already submitted"));
    let other = client
        .post(app.url(&format!("{base}/attempts/999999")))
        .form(&[("csrf_token", token.as_str()), ("q1", "0")])
        .send()
        .await
        .expect("post");
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let (count,): (i64,) = query("SELECT COUNT(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL")
        .fetch_one(store)
        .await
        .expect("count");
    assert_eq!(count, 1, "nothing was recorded for the refused answers");
    app.stop().await;
}

async fn an_empty_quiz_is_not_an_attempt_and_answers_show_when_done(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let slug = "how-language-models-work";
    enroll(&app, &client, slug).await;
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let quiz_step = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.kind == academy_core::learning::StepKind::Quiz)
        .expect("a quiz");
    let quiz = quiz_step.quiz().expect("decode").expect("quiz");
    assert_eq!(quiz.reveal, academy_core::learning::Reveal::WhenDone, "the demo quizzes show answers on passing");
    let base = format!("/learn/items/{slug}/steps/{}", quiz_step.position);
    let started = app.post_form(&client, &base, &format!("{base}/attempts"), &[]).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let page = app.get_html(&client, &base).await;
    let action = page
        .select(&scraper::Selector::parse("form[action*=\"/attempts/\"]").expect("selector"))
        .next()
        .and_then(|f| f.value().attr("action"))
        .expect("an open attempt")
        .to_owned();
    let token = crate::support::input_value(&page, "csrf_token").expect("token");
    let empty = client
        .post(app.url(&action))
        .form(&[("csrf_token", token.as_str()), ("q1", "   ")])
        .send()
        .await
        .expect("post");
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = Html::parse_document(&empty.text().await.expect("body"));
    assert!(
        texts(&body, ".error-summary").concat().contains("not answered any question"),
        "{:?}",
        texts(&body, ".error-summary")
    );
    assert!(!texts(&body, "button").iter().any(|b| b == "Try again"), "the attempt is still open");
    let submitted = || async {
        let (n,): (i64,) = query("SELECT COUNT(*) FROM quiz_attempts WHERE submitted_at IS NOT NULL")
            .fetch_one(store)
            .await
            .expect("count");
        n
    };
    assert_eq!(submitted().await, 0, "an empty submit is not an attempt");

    // Answer wrong on the still-open attempt: the teacher sees what they answered, not the key.
    let mut fields = vec![("csrf_token".to_owned(), token.clone())];
    for (i, q) in quiz.questions.iter().enumerate() {
        let name = format!("q{}", i + 1);
        match &q.answer {
            academy_core::learning::Answer::Choices(c) => {
                let wrong = (0..q.choices.len()).find(|n| !c.contains(n)).unwrap_or(0);
                fields.push((name, wrong.to_string()));
            }
            academy_core::learning::Answer::Accept(_) => fields.push((name, "no idea".into())),
        }
    }
    let wrong = client.post(app.url(&action)).form(&fields).send().await.expect("submit");
    assert!(location(wrong.headers()).contains("notice=quiz-failed"));
    assert_eq!(submitted().await, 1);
    let after_wrong = app.get_html(&client, &base).await;
    let given = texts(&after_wrong, ".results .your-answer");
    assert_eq!(given.len(), quiz.questions.len(), "{given:?}");
    assert!(given.iter().all(|g| g.starts_with("Your answer: ") && g != "Your answer: none"), "{given:?}");
    assert!(texts(&after_wrong, ".results .right-answer").is_empty(), "attempts are left: no answers yet");

    // Pass: now the right answers are shown beside the teacher's.
    let passed = answer_quiz(&app, &client, slug, quiz_step.position, true).await;
    assert!(
        location(passed.headers()).contains("quiz-passed") || location(passed.headers()).contains("item-completed")
    );
    let after_pass = app.get_html(&client, &base).await;
    let right = texts(&after_pass, ".results .right-answer");
    assert_eq!(right.len(), quiz.questions.len(), "{right:?}");
    let first = quiz.questions[0].right_answer().join("; ");
    assert!(right[0].contains(first.trim_matches('*')), "{right:?} should name {first}");
    app.stop().await;
}

async fn a_lab_task_completes_with_the_work_it_asks_for(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    let slug = "prompting-for-teachers";
    enroll(&app, &client, slug).await;
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let task = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.kind == academy_core::learning::StepKind::Task)
        .expect("a task");
    let base = format!("/learn/items/{slug}/steps/{}", task.position);
    let page = step_page(&app, &client, slug, task.position).await;
    assert!(
        texts(&page, "#task-rules").iter().any(|t| t.contains("Paste or write your work") && t.contains("characters")),
        "the rules are shown before the teacher writes: {:?}",
        texts(&page, "#task-rules")
    );
    let thin = app.post_form(&client, &base, &format!("{base}/task"), &[("text", "my prompt"), ("link", "")]).await;
    assert_eq!(thin.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let thin = scraper::Html::parse_document(&thin.text().await.expect("body"));
    assert!(texts(&thin, "#text-error").iter().any(|t| t.contains("characters about your work")), "next to the field");
    assert_eq!(
        thin.select(&scraper::Selector::parse("textarea#text").expect("selector"))
            .next()
            .and_then(|e| e.attr("aria-describedby")),
        Some("task-rules text-hint text-error")
    );
    assert!(!texts(&thin, ".error-summary a[href='#text']").is_empty(), "the summary links to the field");
    let draft = step_page(&app, &client, slug, task.position).await;
    assert_eq!(texts(&draft, "textarea#text"), ["my prompt"], "unfinished work is kept as a draft");
    let work = "Role: you are a grade 7 science teacher's assistant. Task: write three exit-ticket questions on photosynthesis. \
                Context: my students just finished a lab with elodea. Constraints: one question must ask students to explain, not recall. \
                Output: a numbered list. I changed the constraint after the first answer was all recall.";
    let script = app
        .post_form(&client, &base, &format!("{base}/task"), &[("text", work), ("link", "javascript:alert(1)")])
        .await;
    assert_eq!(script.status(), StatusCode::UNPROCESSABLE_ENTITY, "only web links are taken");
    let script = scraper::Html::parse_document(&script.text().await.expect("body"));
    assert!(
        texts(&script, "#link-error").iter().any(|t| t.contains("https://")),
        "{:?}",
        texts(&script, "#link-error")
    );
    assert_eq!(texts(&script, "textarea#text"), [work], "the work typed is kept");
    let stored: Vec<(String,)> = query("SELECT response FROM step_progress WHERE response LIKE '%javascript:%'")
        .fetch_all(store)
        .await
        .expect("query");
    assert!(stored.is_empty(), "the script link was not stored");
    let done = app.post_form(&client, &base, &format!("{base}/task"), &[("text", work), ("link", "")]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (response,): (String,) =
        query("SELECT response FROM step_progress WHERE step_id = $1 AND status = 'completed'")
            .bind(task.id)
            .fetch_one(store)
            .await
            .expect("completed");
    assert!(response.contains("photosynthesis"), "the submitted work is kept: {response}");

    // A reflection far over its limit comes back to its form with the text and the problem.
    let reflection = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.kind == academy_core::learning::StepKind::Reflection)
        .expect("a reflection");
    let base = format!("/learn/items/{slug}/steps/{}", reflection.position);
    let page = step_page(&app, &client, slug, reflection.position).await;
    let limit: usize = page
        .select(&scraper::Selector::parse("textarea#text").expect("selector"))
        .next()
        .and_then(|e| e.attr("maxlength"))
        .expect("the page enforces the limit")
        .parse()
        .expect("a number");
    assert!(texts(&page, "#text-hint")[0].contains(&limit.to_string()), "and states it");
    let long = "All my students' names stay out of the tool. ".repeat(100 * 1024 / 45);
    let over = app.post_form(&client, &base, &format!("{base}/reflection"), &[("text", long.as_str())]).await;
    assert_eq!(over.status(), StatusCode::UNPROCESSABLE_ENTITY, "not a bare 413");
    let over = scraper::Html::parse_document(&over.text().await.expect("body"));
    assert!(
        texts(&over, "#text-error").iter().any(|t| t.contains(&limit.to_string())),
        "{:?}",
        texts(&over, "#text-error")
    );
    assert_eq!(texts(&over, "textarea#text")[0].len(), long.trim().len(), "nothing typed is lost");
    app.stop().await;
}

/// A workshop session starting soon, with `seats` seats, facilitated by the demo facilitator.
async fn session_soon(app: &TestApp, seats: i64, starts_in_minutes: i64) -> i64 {
    let store = &app.server().store;
    let item = catalog::item_by_slug(store, "ai-ethics-roundtable").await.expect("q").expect("workshop");
    let district = academy_store::orgs::by_nces_id(store, "4899901").await.expect("q").expect("district");
    let now = academy_core::time::now();
    let mut tx = store.begin().await.expect("begin");
    let id = workshops::create_session(
        &mut tx,
        &workshops::NewSession {
            item_id: item.id,
            host_org_id: Some(district.id),
            starts_at: now + chrono::Duration::minutes(starts_in_minutes),
            ends_at: now + chrono::Duration::minutes(starts_in_minutes + 60),
            time_zone: "America/Chicago".into(),
            capacity: seats,
            location_kind: academy_store::workshops::LocationKind::Virtual,
            hub_name: None,
            hub_address: None,
            meeting_url: Some("https://meet.example.org/roundtable".into()),
        },
        None,
        now,
    )
    .await
    .expect("session");
    let facilitator =
        academy_store::users::by_email(store, &academy_core::Email::parse("facilitator@academy.test").expect("e"))
            .await
            .expect("q")
            .expect("f");
    workshops::add_facilitator(&mut tx, id, facilitator.id).await.expect("facilitator");
    tx.commit().await.expect("commit");
    id
}

async fn teacher_emails(app: &TestApp, n: usize) -> Vec<String> {
    let rows: Vec<(String,)> = query(
        "SELECT email FROM users WHERE email LIKE '%.%@academy.test' AND email NOT LIKE 'texas.%' ORDER BY id LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(&app.server().store)
    .await
    .expect("teachers");
    rows.into_iter().map(|r| r.0).collect()
}

async fn a_full_session_has_a_waitlist_that_moves_up(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = session_soon(&app, 2, 24 * 60).await;
    let page = format!("/workshops/sessions/{id}");
    let emails = teacher_emails(&app, 4).await;
    let mut clients = Vec::new();
    for email in &emails {
        let client = app.signed_in(email).await;
        let response = app.post_form(&client, &page, &format!("{page}/register"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email}");
        clients.push((client, location(response.headers())));
    }
    assert!(clients[0].1.ends_with("notice=registered") && clients[1].1.ends_with("notice=registered"));
    assert!(clients[2].1.ends_with("notice=waitlisted") && clients[3].1.ends_with("notice=waitlisted"));
    let third = app.get_html(&clients[2].0, &page).await;
    assert!(
        texts(&third, "#you-heading + p").join(" ").contains("waitlist, number 1"),
        "{:?}",
        texts(&third, "#you-heading + p")
    );

    let twice = app.post_form(&clients[0].0, &page, &format!("{page}/register"), &[]).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert!(twice.text().await.expect("body").contains("already registered"));

    let asked = app.post_form(&clients[1].0, &page, &format!("{page}/cancel"), &[]).await;
    assert_eq!(asked.status(), StatusCode::OK, "cancelling is confirmed first");
    let cancel = app.post_form(&clients[1].0, &page, &format!("{page}/cancel"), &[("confirm", "yes")]).await;
    assert_eq!(cancel.status(), StatusCode::SEE_OTHER);
    let store = &app.server().store;
    let roster = workshops::roster(store, id).await.expect("roster");
    let seated: Vec<&str> = roster
        .iter()
        .filter(|r| r.status == academy_store::workshops::RegistrationStatus::Registered)
        .map(|r| r.email.as_str())
        .collect();
    assert!(
        seated.contains(&emails[0].as_str()) && seated.contains(&emails[2].as_str()),
        "the first on the waitlist got the seat: {seated:?}"
    );
    assert_eq!(
        roster.iter().filter(|r| r.status == academy_store::workshops::RegistrationStatus::Waitlisted).count(),
        1
    );

    let promoted = app.last_mail(&emails[2]).await;
    assert!(promoted.subject.starts_with("A seat opened up"), "{}", promoted.subject);
    let waitlisted = academy_store::outbox::list(store, Some(&emails[3]), 5, 0).await.expect("mail");
    assert!(waitlisted.iter().any(|m| m.subject.starts_with("You're on the waitlist")));
    let reminders: Vec<(String,)> = query("SELECT payload FROM jobs WHERE kind = 'session_email' AND run_at > $1")
        .bind(academy_core::time::now())
        .fetch_all(store)
        .await
        .expect("reminders");
    assert!(
        reminders.iter().any(|(p,)| p.contains("reminder_day") || p.contains("reminder_hour")),
        "reminders wait in the queue"
    );

    let past = session_soon(&app, 5, -30).await;
    let late = app
        .post_form(
            &clients[3].0,
            &format!("/workshops/sessions/{past}"),
            &format!("/workshops/sessions/{past}/register"),
            &[],
        )
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT, "a session that has started takes no registrations");
    app.stop().await;
}

async fn attendance_by_code_completes_the_workshop(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = session_soon(&app, 10, 10).await;
    let page = format!("/workshops/sessions/{id}");
    let teacher = app.signed_in("teacher@academy.test").await;
    app.post_form(&teacher, &page, &format!("{page}/register"), &[]).await;
    let facilitator = app.signed_in("facilitator@academy.test").await;
    let roster_path = format!("{page}/roster");
    let other = app.signed_in("texas.admin@academy.test").await;
    assert_eq!(
        other.get(app.url(&roster_path)).send().await.expect("get").status(),
        StatusCode::OK,
        "the host's org admin runs it too"
    );
    assert_eq!(teacher.get(app.url(&roster_path)).send().await.expect("get").status(), StatusCode::FORBIDDEN);

    let wrong = app.post_form(&teacher, &page, &format!("{page}/check-in"), &[("code", "ZZZZZZ")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "no code is showing yet");
    let opened = app.post_form(&facilitator, &roster_path, &format!("{page}/check-in-code"), &[]).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let roster = app.get_html(&facilitator, &roster_path).await;
    let code = texts(&roster, ".check-in-code").pop().expect("a code is shown");
    assert_eq!(code.len(), 6);
    let bad = app.post_form(&teacher, &page, &format!("{page}/check-in"), &[("code", "AAAAAA")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.expect("body").contains("not right, or it has expired"));
    let spaced = format!("{} {}", &code[..3], code[3..].to_lowercase());
    let ok = app.post_form(&teacher, &page, &format!("{page}/check-in"), &[("code", spaced.as_str())]).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert!(location(ok.headers()).ends_with("notice=checked-in"));
    let transcript = app.get_html(&teacher, "/learn/transcript").await;
    assert!(
        texts(&transcript, "tbody td").iter().any(|t| t.contains("Hard Cases")),
        "attending completes the workshop"
    );

    // An expired code no longer works.
    let store = &app.server().store;
    query("UPDATE workshop_sessions SET check_in_expires_at = $1 WHERE id = $2")
        .bind(academy_core::time::now() - chrono::Duration::minutes(1))
        .bind(id)
        .execute(store)
        .await
        .expect("expire");
    let late_teacher = app.signed_in(&teacher_emails(&app, 1).await[0]).await;
    app.post_form(&late_teacher, &page, &format!("{page}/register"), &[]).await;
    let expired = app.post_form(&late_teacher, &page, &format!("{page}/check-in"), &[("code", code.as_str())]).await;
    assert_eq!(expired.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

async fn calendars_and_transcripts_download(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = session_soon(&app, 10, 60 * 48).await;
    let teacher = app.signed_in("teacher@academy.test").await;
    let page = format!("/workshops/sessions/{id}");
    app.post_form(&teacher, &page, &format!("{page}/register"), &[]).await;
    let ics = teacher.get(app.url(&format!("{page}/calendar.ics"))).send().await.expect("get");
    assert_eq!(ics.headers()["content-type"], "text/calendar; charset=utf-8");
    let body = ics.text().await.expect("body");
    assert!(
        body.starts_with("BEGIN:VCALENDAR\r\n")
            && body.contains("BEGIN:VEVENT")
            && body.contains("Join online: https://meet.example.org/roundtable"),
        "{body}"
    );
    let feed_page = app.get_html(&teacher, "/learn/calendar").await;
    let feed_url = scraper::Selector::parse("#feed")
        .ok()
        .and_then(|s| feed_page.select(&s).next().and_then(|e| e.value().attr("value").map(str::to_owned)))
        .expect("feed url");
    let feed = app.client().get(&feed_url).send().await.expect("get feed");
    assert_eq!(feed.status(), StatusCode::OK, "calendar apps fetch it without signing in");
    assert!(feed.text().await.expect("body").contains(&format!("UID:session-{id}@")));
    let again = app.get_html(&teacher, "/learn/calendar").await;
    assert!(
        again.select(&scraper::Selector::parse("#feed").expect("selector")).next().is_none(),
        "the address is shown once: only its digest is kept"
    );
    let stored: (String,) = academy_store::query("SELECT token FROM calendar_feeds")
        .fetch_one(&app.server().store)
        .await
        .expect("feed row");
    assert!(!feed_url.contains(&stored.0) && stored.0.len() == 64, "the database holds a digest, not the secret");
    let reset = app.post_form(&teacher, "/learn/calendar", "/learn/calendar/reset", &[]).await;
    assert_eq!(reset.status(), StatusCode::OK, "the new address is shown at once");
    let reset_page = scraper::Html::parse_document(&reset.text().await.expect("body"));
    let new_url = scraper::Selector::parse("#feed")
        .ok()
        .and_then(|s| reset_page.select(&s).next().and_then(|e| e.value().attr("value").map(str::to_owned)))
        .expect("new feed url");
    assert_eq!(app.client().get(&new_url).send().await.expect("get").status(), StatusCode::OK);
    assert_eq!(
        app.client().get(&feed_url).send().await.expect("get").status(),
        StatusCode::NOT_FOUND,
        "the old address stops working"
    );

    let csv = teacher.get(app.url("/learn/transcript.csv")).send().await.expect("get");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.text().await.expect("body").starts_with("completed_on,title,kind,pd_hours"));
    let pdf = teacher.get(app.url("/learn/transcript.pdf")).send().await.expect("get");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("body").starts_with(b"%PDF-"));
    app.stop().await;
}

async fn the_last_seat_goes_to_exactly_one_of_many(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = session_soon(&app, 3, 24 * 60).await;
    let page = format!("/workshops/sessions/{id}");
    let emails = teacher_emails(&app, 12).await;
    let mut ready = Vec::new();
    for email in &emails {
        let client = app.signed_in(email).await;
        let token = app.csrf(&client, &page).await;
        ready.push((client, token));
    }
    let mut racers = Vec::new();
    for (client, token) in ready {
        let url = app.url(&format!("{page}/register"));
        racers.push(tokio::spawn(async move {
            client.post(url).form(&[("csrf_token", token.as_str())]).send().await.map(|r| r.status())
        }));
    }
    for racer in racers {
        assert_eq!(racer.await.expect("join").expect("post"), StatusCode::SEE_OTHER);
    }
    let roster = workshops::roster(&app.server().store, id).await.expect("roster");
    assert_eq!(
        roster.iter().filter(|r| r.status == academy_store::workshops::RegistrationStatus::Registered).count(),
        3,
        "never more seats than capacity"
    );
    assert_eq!(
        roster.iter().filter(|r| r.status == academy_store::workshops::RegistrationStatus::Waitlisted).count(),
        9
    );
    app.stop().await;
}

async fn cohorts_follow_a_pathway(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let local: (i64,) = query("SELECT id FROM orgs WHERE name = 'Riverbend Education Association'")
        .fetch_one(store)
        .await
        .expect("local");
    let admin = app.signed_in("texas.admin@academy.test").await;
    let new = format!("/admin/orgs/{}/cohorts/new", local.0);
    let bad =
        app.post_form(&admin, &new, &new, &[("name", ""), ("pathway", "nope"), ("starts_on", "2027-02-30")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let created = app
        .post_form(
            &admin,
            &new,
            &new,
            &[
                ("name", "Riverbend spring cohort"),
                ("pathway", "ai-ready-educator"),
                ("starts_on", "2027-01-15"),
                ("ends_on", "2027-05-30"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let cohort = location(created.headers()).split('?').next().unwrap_or_default().to_owned();
    let earner: (String,) =
        query("SELECT u.email FROM users u JOIN pathway_completions c ON c.user_id = u.id ORDER BY u.id LIMIT 1")
            .fetch_one(store)
            .await
            .expect("an earner");
    for email in [earner.0.as_str(), "teacher@academy.test"] {
        let added =
            app.post_form(&admin, &cohort, &format!("{cohort}/members"), &[("email", email), ("role", "member")]).await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER, "{email}");
    }
    let unknown = app
        .post_form(
            &admin,
            &cohort,
            &format!("{cohort}/members"),
            &[("email", "ghost@academy.test"), ("role", "member")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::SEE_OTHER, "an unknown email reads like an offer (see scope.rs)");
    assert!(location(unknown.headers()).ends_with("notice=member-offered"));
    let facilitator = app.signed_in("facilitator@academy.test").await;
    assert_eq!(
        facilitator.get(app.url(&cohort)).send().await.expect("get").status(),
        StatusCode::FORBIDDEN,
        "a district facilitator is not the local's"
    );
    let made = app
        .post_form(
            &admin,
            &cohort,
            &format!("{cohort}/members"),
            &[("email", "facilitator@academy.test"), ("role", "facilitator")],
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let page = app.get_html(&facilitator, &cohort).await;
    let rows = texts(&page, "tbody tr");
    assert!(rows.iter().any(|r| r.contains("Completed")), "{rows:?}");
    assert!(rows.iter().any(|r| r.starts_with("Priya Natarajan member 0 of 7")), "{rows:?}");
    let teacher = app.signed_in("teacher@academy.test").await;
    assert_eq!(
        teacher.get(app.url(&cohort)).send().await.expect("get").status(),
        StatusCode::FORBIDDEN,
        "members do not see each other's progress"
    );
    let mine = app.get_html(&teacher, "/learn").await;
    assert!(
        texts(&mine, "#pathways-heading + ul li").iter().any(|t| t.contains("AI-Ready Educator")),
        "joining the cohort adds its pathway"
    );
    app.stop().await;
}

async fn a_rescheduled_session_tells_people_and_fills_new_seats(backend: Backend) {
    let app = TestApp::start(backend).await;
    let id = session_soon(&app, 1, 3 * 24 * 60).await;
    let page = format!("/workshops/sessions/{id}");
    let emails = teacher_emails(&app, 3).await;
    for email in &emails {
        let client = app.signed_in(email).await;
        app.post_form(&client, &page, &format!("{page}/register"), &[]).await;
    }
    let store = &app.server().store;
    let facilitator = app.signed_in("facilitator@academy.test").await;
    let edit = format!("/author/sessions/{id}/edit");
    let form = app.get_html(&facilitator, &edit).await;
    let value = |name: &str| crate::support::input_value(&form, name).unwrap_or_default();
    let new_date = (academy_core::time::now() + chrono::Duration::days(10)).format("%Y-%m-%d").to_string();
    let host = crate::support::texts(&form, "#host_org_id option[selected]");
    assert_eq!(host, ["Riverbend Independent School District"], "the saved host is chosen");
    let (host,): (Option<i64>,) =
        query("SELECT host_org_id FROM workshop_sessions WHERE id = $1").bind(id).fetch_one(store).await.expect("host");
    let host = host.map(|h| h.to_string()).unwrap_or_default();
    let saved = app
        .post_form(
            &facilitator,
            &edit,
            &edit,
            &[
                ("date", new_date.as_str()),
                ("start", value("start").as_str()),
                ("end", value("end").as_str()),
                ("time_zone", "America/Chicago"),
                ("capacity", "2"),
                ("location_kind", "virtual"),
                ("meeting_url", "https://meet.example.org/roundtable"),
                ("host_org_id", host.as_str()),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let roster = workshops::roster(store, id).await.expect("roster");
    assert_eq!(
        roster.iter().filter(|r| r.status == academy_store::workshops::RegistrationStatus::Registered).count(),
        2,
        "the added seat went to the waitlist"
    );
    let changed = app.last_mail(&emails[0]).await;
    assert!(changed.subject.starts_with("Changed:"), "{}", changed.subject);
    let promoted = app.last_mail(&emails[1]).await;
    assert!(promoted.subject.starts_with("A seat opened up"), "{}", promoted.subject);
    // The reminder scheduled for the old time lapses when it comes due.
    query("UPDATE jobs SET run_at = $1 WHERE kind = 'session_email' AND payload LIKE '%reminder_day%'")
        .bind(academy_core::time::now())
        .execute(store)
        .await
        .expect("due now");
    app.drain_jobs().await;
    let reminders: Vec<(String,)> =
        query("SELECT subject FROM outbox WHERE to_address = $1 AND subject LIKE 'Tomorrow:%'")
            .bind(&emails[0])
            .fetch_all(store)
            .await
            .expect("outbox");
    assert_eq!(reminders.len(), 1, "only the reminder for the new time is sent, not the stale one");
    app.stop().await;
}

async fn facilitators_review_work_and_give_feedback(backend: Backend) {
    let app = TestApp::start(backend).await;
    let store = &app.server().store;
    let local: (i64,) = query("SELECT id FROM orgs WHERE name = 'Riverbend Education Association'")
        .fetch_one(store)
        .await
        .expect("local");
    let admin = app.signed_in("texas.admin@academy.test").await;
    let new = format!("/admin/orgs/{}/cohorts/new", local.0);
    let created =
        app.post_form(&admin, &new, &new, &[("name", "Review cohort"), ("pathway", "ai-ready-educator")]).await;
    let cohort = location(created.headers()).split('?').next().unwrap_or_default().to_owned();
    for (email, role) in [("teacher@academy.test", "member"), ("facilitator@academy.test", "facilitator")] {
        let added =
            app.post_form(&admin, &cohort, &format!("{cohort}/members"), &[("email", email), ("role", role)]).await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER, "{email}");
    }
    // The teacher writes a reflection in one of the pathway's courses.
    let teacher = app.signed_in("teacher@academy.test").await;
    let slug = "how-language-models-work";
    enroll(&app, &teacher, slug).await;
    let item = catalog::item_by_slug(store, slug).await.expect("q").expect("item");
    let step = catalog::steps(store, item.id)
        .await
        .expect("steps")
        .into_iter()
        .find(|s| s.kind == academy_core::learning::StepKind::Reflection)
        .expect("a reflection");
    let base = format!("/learn/items/{slug}/steps/{}", step.position);
    let words = "Next term I will show students how a model predicts the next word before we use one. "
        .repeat(step.min_words.unwrap_or(30) as usize / 10 + 2);
    let saved = app.post_form(&teacher, &base, &format!("{base}/reflection"), &[("text", words.as_str())]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    // The cohort's facilitator sees it, with the teacher's progress, and answers.
    let facilitator = app.signed_in("facilitator@academy.test").await;
    let review = format!("{cohort}/review");
    let page = app.get_html(&facilitator, &review).await;
    assert!(texts(&page, "h2").iter().any(|h| h.starts_with("Priya Natarajan")), "{:?}", texts(&page, "h2"));
    assert!(texts(&page, "blockquote.work").iter().any(|t| t.contains("predicts the next word")), "the reflection");
    let on_step = scraper::Selector::parse(&format!("form input[name=step_id][value='{}']", step.id)).expect("sel");
    assert!(page.select(&on_step).next().is_some(), "a feedback form on the reflection");
    let enrollment: (i64,) = query("SELECT id FROM enrollments WHERE item_id = $1 AND user_id = (SELECT id FROM users WHERE email = 'teacher@academy.test')")
        .bind(item.id)
        .fetch_one(store)
        .await
        .expect("enrollment");
    let id = enrollment.0.to_string();
    let step_id = step.id.to_string();
    let empty = app
        .post_form(
            &facilitator,
            &review,
            &format!("{cohort}/feedback"),
            &[("enrollment_id", &id), ("step_id", &step_id), ("body", " ")],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY, "empty feedback is named, not sent");
    let sent = app
        .post_form(
            &facilitator,
            &review,
            &format!("{cohort}/feedback"),
            &[("enrollment_id", &id), ("step_id", &step_id), ("body", "Lovely plan: try it with a think-aloud first.")],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    // The teacher sees it beside the work; the program sees it in its records.
    let mine = app.get_html(&teacher, &base).await;
    assert!(texts(&mine, ".feedback p").iter().any(|t| t.contains("think-aloud")), "{:?}", texts(&mine, ".feedback p"));
    let (commented,): (i64,) = query("SELECT COUNT(*) FROM xapi_statements WHERE verb = $1")
        .bind("http://adlnet.gov/expapi/verbs/commented")
        .fetch_one(store)
        .await
        .expect("count");
    assert_eq!(commented, 1, "feedback is an xAPI statement");
    // Someone outside the cohort's review cannot give feedback on this enrollment.
    let other = app.signed_in("teacher@academy.test").await;
    let refused =
        app.post_form(&other, "/learn", &format!("{cohort}/feedback"), &[("enrollment_id", &id), ("body", "x")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}
