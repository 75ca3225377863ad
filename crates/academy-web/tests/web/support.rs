//! A real server on port 0 with a fresh database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set), and a client that behaves like a browser.

use academy_app::config::Config;
use academy_store::Backend;
use academy_store::testing::{TestDatabase, postgres_url};
use academy_web::Server;
use reqwest::header::HeaderMap;
use reqwest::{Client, Response, StatusCode};
use scraper::{Html, Selector};
use std::time::Duration;

pub const PASSWORD: &str = academy_app::demo::DEMO_PASSWORD;

/// Declares one test per engine for an `async fn(Backend)`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(academy_store::Backend::Sqlite).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if crate::support::skip_postgres() { return; }
                super::$name(academy_store::Backend::Postgres).await
            }) *
        }
    };
}
pub(crate) use on_both;

/// Whether the PostgreSQL half is skipped (no server configured and not required).
pub fn skip_postgres() -> bool {
    if postgres_url().is_some() {
        return false;
    }
    assert!(
        std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(),
        "ACADEMY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
    );
    eprintln!("skipped: TEST_DATABASE_URL is not set");
    true
}

pub struct TestApp {
    pub server: Option<Server>,
    pub base: String,
    _db: TestDatabase,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The demo program on a fresh database.
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// Like [`TestApp::start`], with configuration changes.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::create(backend).await.expect("test database");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path(), Some(db.url.clone())).expect("config");
        config.sign_in_per_minute = 10_000;
        tweak(&mut config);
        let store = db.open().await.expect("open store");
        let demo = academy_app::App::new(store.clone(), config.clone()).expect("app");
        academy_app::demo::load(&demo).await.expect("demo");
        let server = Server::start_with_store(config, store).await.expect("server starts");
        let base = server.url();
        Self { server: Some(server), base, _db: db, _dir: dir }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("server running")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }

    /// A client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = self.client();
        let response = self.sign_in(&client, email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign in as {email}");
        client
    }

    /// Submits the sign-in form.
    pub async fn sign_in(&self, client: &Client, email: &str, password: &str) -> Response {
        let token = self.csrf(client, "/sign-in").await;
        client
            .post(self.url("/sign-in"))
            .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("post sign-in")
    }

    /// The CSRF token of the first form on `path`.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let page = self.get_html(client, path).await;
        input_value(&page, "csrf_token").unwrap_or_else(|| panic!("no csrf_token on {path}"))
    }

    /// GETs a page that must be 200 and parses it.
    pub async fn get_html(&self, client: &Client, path: &str) -> Html {
        let response = client.get(self.url(path)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        Html::parse_document(&response.text().await.expect("body"))
    }

    /// POSTs a form with the CSRF token taken from `form_page`.
    pub async fn post_form(&self, client: &Client, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(client, form_page).await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        client.post(self.url(action)).form(&all).send().await.expect("post")
    }

    /// Waits until no job is due or running (reminders scheduled for later do not count).
    pub async fn drain_jobs(&self) {
        let store = &self.server().store;
        for _ in 0..400 {
            let busy = academy_store::jobs::due_or_running(store, academy_core::time::now()).await.expect("job counts");
            if busy == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("jobs did not finish in 20 s");
    }

    /// The newest outbox message to `to`.
    pub async fn last_mail(&self, to: &str) -> academy_store::outbox::OutboxMessage {
        self.drain_jobs().await;
        let messages = academy_store::outbox::list(&self.server().store, Some(to), 1, 0).await.expect("outbox");
        messages.into_iter().next().unwrap_or_else(|| panic!("no mail to {to}"))
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// The value of the input named `name`.
pub fn input_value(page: &Html, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("input[name=\"{name}\"]")).ok()?;
    page.select(&selector).next().and_then(|e| e.value().attr("value")).map(str::to_owned)
}

/// The text of every element matching `css`.
pub fn texts(page: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).expect("selector");
    page.select(&selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The path part of the `Location` header.
pub fn location(headers: &HeaderMap) -> String {
    headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The first link in `body` to this server's `prefix` path.
pub fn link_in(body: &str, prefix: &str) -> String {
    let start = body.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in: {body}"));
    let rest = &body[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    rest[..end].to_owned()
}
