//! Signing in and out, lockout, rate limits, password reset, invitations.

use crate::support::{PASSWORD, TestApp, input_value, link_in, location, on_both, texts};
use academy_store::Backend;
use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;

on_both!(
    sign_in_rotates_the_session_and_sign_out_ends_it,
    guessing_slows_down_but_never_locks_the_owner_out,
    a_workshop_room_signs_in_from_one_address,
    next_never_leaves_the_site,
    a_forged_or_ended_session_is_a_signed_out_visitor,
    password_reset_works_once_and_ends_old_sessions,
    an_invited_person_chooses_a_password_and_is_signed_in,
    changing_the_password_needs_the_current_one,
);

async fn sign_in_rotates_the_session_and_sign_out_ends_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.client();
    let anonymous = client.get(app.url("/")).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(anonymous.headers()), "/sign-in?next=%2F");

    let response = app.sign_in(&client, "Teacher@Academy.test ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("academy_session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP on localhost");
    let first = cookie.split(';').next().expect("pair").to_owned();

    let home = app.get_html(&client, "/").await;
    assert_eq!(texts(&home, "h1"), ["Welcome, Priya Natarajan"]);
    assert!(texts(&home, "#teacher-heading").len() == 1, "the teacher panel is shown");
    assert!(texts(&home, "#program-heading").is_empty(), "no national panel for a teacher");

    // Signing in again (say, as someone else on a shared computer) replaces the session.
    let token = app.csrf(&client, "/account").await;
    let again = client
        .post(app.url("/sign-in"))
        .form(&[("csrf_token", token.as_str()), ("email", "teacher@academy.test"), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    let second = again
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("academy_session="))
        .expect("new session cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    assert_ne!(first, second, "the session id changes at sign-in");
    let stale = app.client().get(app.url("/")).header("cookie", &first).send().await.expect("get");
    assert_eq!(stale.status(), StatusCode::SEE_OTHER, "the old session no longer works");

    let out = app.post_form(&client, "/", "/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(out.headers()), "/sign-in?notice=signed-out");
    let page = app.get_html(&client, "/sign-in?notice=signed-out").await;
    assert_eq!(texts(&page, ".notice"), ["You have signed out."]);
    let after = app.client().get(app.url("/")).header("cookie", &second).send().await.expect("get");
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out for good");
    app.stop().await;
}

async fn guessing_slows_down_but_never_locks_the_owner_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    // The owner signed in from this browser before: it holds the account's device cookie.
    let owner = app.client();
    let first = app.sign_in(&owner, "teacher@academy.test", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let device = first
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("academy_device="))
        .expect("a device cookie")
        .to_owned();
    assert!(device.contains("HttpOnly") && device.contains("Max-Age="), "{device}");
    let signed_out = app.post_form(&owner, "/", "/sign-out", &[]).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER, "signing out keeps the device cookie");

    let attacker = app.client();
    let unknown = app.sign_in(&attacker, "nobody@academy.test", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let wrong = app.sign_in(&attacker, "teacher@academy.test", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let page = scraper::Html::parse_document(&wrong.text().await.expect("body"));
    assert_eq!(texts(&page, ".field-error"), ["Error: The email address or password is not right."]);
    assert_eq!(input_value(&page, "email").as_deref(), Some("teacher@academy.test"), "the email is kept");
    for _ in 0..3 {
        app.sign_in(&attacker, "teacher@academy.test", "still wrong").await;
    }
    let slowed = app.sign_in(&attacker, "teacher@academy.test", "wrong again").await;
    assert_eq!(slowed.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = slowed.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!((1..=30).contains(&wait), "slowed for seconds, not locked for minutes: {wait}");
    let message = slowed.text().await.expect("body");
    assert!(message.contains("Too many sign-in attempts. Wait"), "{message}");

    // Unknown emails meet the same limit with the same answer.
    for _ in 0..4 {
        app.sign_in(&attacker, "nobody@academy.test", "guess").await;
    }
    let unknown = app.sign_in(&attacker, "nobody@academy.test", "guess").await;
    assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS, "no hint that the account does not exist");

    // A new browser waits too, but the owner's own browser is not held up by the guessing.
    let stranger = app.sign_in(&app.client(), "teacher@academy.test", PASSWORD).await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
    let again = app.sign_in(&owner, "teacher@academy.test", PASSWORD).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER, "the owner signs in while someone guesses");
    let other = app.sign_in(&app.client(), "facilitator@academy.test", PASSWORD).await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER, "other accounts are unaffected");
    app.stop().await;
}

async fn a_workshop_room_signs_in_from_one_address(backend: Backend) {
    // The product's default limit, not the tests' generous one: thirty teachers behind one
    // school address all sign in within the same minute.
    let defaults = academy_app::config::Config::for_data_dir(std::path::Path::new("."), None).expect("defaults");
    let app = TestApp::start_with(backend, |c| c.sign_in_per_minute = defaults.sign_in_per_minute).await;
    let store = app.server().store.clone();
    let emails: Vec<(String,)> =
        academy_store::query("SELECT email FROM users WHERE email LIKE '%.%@academy.test' ORDER BY id LIMIT 30")
            .fetch_all(&store)
            .await
            .expect("teachers");
    assert_eq!(emails.len(), 30);
    for (email,) in &emails {
        let response = app.sign_in(&app.client(), email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in from the shared address");
    }
    app.stop().await;
}

async fn next_never_leaves_the_site(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("teacher@academy.test").await;
    // Browsers drop the tab, reading `/\t/evil.example/` as `//evil.example/`.
    let sneaky = client.get(app.url("/sign-in?next=%2F%09%2Fevil.example%2F")).send().await.expect("get");
    assert_eq!(sneaky.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(sneaky.headers()), "/");
    let fine = client.get(app.url("/sign-in?next=%2Flearn%3Fq%3Dai")).send().await.expect("get");
    assert_eq!(location(fine.headers()), "/learn?q=ai");
    let fresh = app.client();
    let token = app.csrf(&fresh, "/sign-in").await;
    let posted = fresh
        .post(app.url("/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "teacher@academy.test"),
            ("password", PASSWORD),
            ("next", "/\\\\evil.example/x"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(location(posted.headers()), "/");
    app.stop().await;
}

async fn a_forged_or_ended_session_is_a_signed_out_visitor(backend: Backend) {
    let app = TestApp::start(backend).await;
    let forged = "academy_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for cookie in [forged, "academy_session=' OR 1=1 --"] {
        let response = app.client().get(app.url("/account")).header("cookie", cookie).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{cookie}");
        assert_eq!(location(response.headers()), "/sign-in?next=%2Faccount");
        let cleared = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("academy_session=;") && v.contains("Max-Age=0"));
        assert!(cleared, "the dead cookie is removed");
        let api = app.client().get(app.url("/api/v1/me")).header("cookie", cookie).send().await.expect("get");
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    }
    app.stop().await;
}

async fn password_reset_works_once_and_ends_old_sessions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let old_session = app.signed_in("teacher@academy.test").await;
    let client = app.client();
    let sent =
        app.post_form(&client, "/password/forgot", "/password/forgot", &[("email", "TEACHER@academy.test")]).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let body = sent.text().await.expect("body");
    assert!(body.contains("If an account exists for"), "{body}");
    let unknown =
        app.post_form(&client, "/password/forgot", "/password/forgot", &[("email", "ghost@academy.test")]).await;
    assert_eq!(unknown.status(), StatusCode::OK, "unknown addresses get the same answer");

    let mail = app.last_mail("teacher@academy.test").await;
    assert_eq!(mail.subject, "Reset your Academy password");
    assert_eq!(mail.transport, "outbox");
    let link = link_in(&mail.body, &app.url("/password/reset/"));
    let path = link.trim_start_matches(&app.base).to_owned();

    // A second request within five minutes sends nothing new.
    app.post_form(&client, "/password/forgot", "/password/forgot", &[("email", "teacher@academy.test")]).await;
    app.drain_jobs().await;
    let all =
        academy_store::outbox::list(&app.server().store, Some("teacher@academy.test"), 10, 0).await.expect("list");
    assert_eq!(all.len(), 1);

    let mismatch = app
        .post_form(&client, &path, &path, &[("password", "a brand new passphrase"), ("password_confirm", "different")])
        .await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&mismatch.text().await.expect("body"));
    assert_eq!(texts(&page, "#password_confirm-error"), ["Error: The two passwords are not the same."]);
    let weak = app.post_form(&client, &path, &path, &[("password", "short"), ("password_confirm", "short")]).await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let done = app
        .post_form(
            &client,
            &path,
            &path,
            &[("password", "a brand new passphrase"), ("password_confirm", "a brand new passphrase")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(done.headers()), "/sign-in?notice=password-changed");
    let reused = client.get(app.url(&path)).send().await.expect("get");
    assert_eq!(reused.status(), StatusCode::GONE, "a link works once");
    let stale = old_session.get(app.url("/")).send().await.expect("get");
    assert_eq!(stale.status(), StatusCode::SEE_OTHER, "sessions from before the reset end");
    assert_eq!(app.sign_in(&app.client(), "teacher@academy.test", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.sign_in(&app.client(), "teacher@academy.test", "a brand new passphrase").await.status(),
        StatusCode::SEE_OTHER
    );

    let bogus = client.get(app.url("/password/reset/not-a-token")).send().await.expect("get");
    assert_eq!(bogus.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn an_invited_person_chooses_a_password_and_is_signed_in(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("texas.admin@academy.test").await;
    let school =
        academy_store::orgs::by_nces_id(&app.server().store, "489990100002").await.expect("q").expect("school");
    let invite_path = format!("/admin/orgs/{}/invite", school.id);
    let response = app
        .post_form(
            &admin,
            &invite_path,
            &invite_path,
            &[("email", "new.teacher@example.org"), ("display_name", "Nia Brooks"), ("role", "teacher")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(response.headers()), format!("/admin/orgs/{}?notice=invited", school.id));

    let again = app
        .post_form(
            &admin,
            &invite_path,
            &invite_path,
            &[("email", "NEW.teacher@example.org"), ("display_name", "Nia"), ("role", "teacher")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.expect("body").contains("already has an account"));

    let mail = app.last_mail("new.teacher@example.org").await;
    assert_eq!(mail.subject, "You are invited to Academy");
    assert!(mail.body.contains("Rosa Delgado invited you"), "{}", mail.body);
    let path = link_in(&mail.body, &app.url("/invitations/")).trim_start_matches(&app.base).to_owned();
    let newcomer = app.client();
    let form = app.get_html(&newcomer, &path).await;
    assert_eq!(input_value(&form, "display_name").as_deref(), Some("Nia Brooks"));
    let accepted = app
        .post_form(
            &newcomer,
            &path,
            &path,
            &[
                ("display_name", "Nia Brooks"),
                ("password", "chalk and coffee every day"),
                ("password_confirm", "chalk and coffee every day"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(accepted.headers()), "/?notice=welcome");
    let home = app.get_html(&newcomer, "/?notice=welcome").await;
    assert_eq!(texts(&home, "h1"), ["Welcome, Nia Brooks"]);
    assert_eq!(texts(&home, "main dd")[0], "Riverbend Middle School", "the invitation set their school");
    assert_eq!(newcomer.get(app.url(&path)).send().await.expect("get").status(), StatusCode::GONE);
    app.stop().await;
}

async fn changing_the_password_needs_the_current_one(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("facilitator@academy.test").await;
    let wrong = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[
                ("current_password", "nope"),
                ("password", "tide pools at dawn"),
                ("password_confirm", "tide pools at dawn"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&wrong.text().await.expect("body"));
    assert_eq!(texts(&page, "#current_password-error"), ["Error: That is not your current password."]);
    let ok = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "tide pools at dawn"),
                ("password_confirm", "tide pools at dawn"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let page = app.get_html(&client, "/account?notice=password-updated").await;
    assert_eq!(texts(&page, ".notice"), ["Your password has been changed."], "still signed in, on a new session");
    assert_eq!(
        app.sign_in(&app.client(), "facilitator@academy.test", "tide pools at dawn").await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}
