//! The one page layout, its navigation, and rendering. Page structs live beside their
//! handlers; templates are in `templates/`.

use crate::context::RequestContext;
use crate::error::{AppError, Rendered};
use academy_core::access::Permission;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A link in the main navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current section (`aria-current="page"`).
    pub current: bool,
}

/// What every page's frame needs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page title (also the `<title>`, followed by the site name).
    pub title: String,
    /// The signed-in person's name.
    pub user: Option<String>,
    /// The CSRF token for the page's forms.
    pub csrf_token: String,
    /// Main navigation, fitted to the person's roles.
    pub nav: Vec<NavLink>,
    /// A one-line status message shown at the top of the page.
    pub notice: Option<String>,
    /// Cache-busting version of the stylesheet.
    pub asset_version: &'static str,
}

impl Layout {
    /// The frame for a page titled `title`, for the person making the request.
    pub fn new(title: impl Into<String>, context: Option<&RequestContext>) -> Self {
        let session = context.and_then(|c| c.session.as_ref());
        let path = context.map(|c| c.path.as_str()).unwrap_or("");
        let mut nav = Vec::new();
        if let Some(session) = session {
            let p = &session.principal;
            let links: [(&'static str, &'static str, bool); 8] = [
                ("/", "Home", true),
                ("/learn", "My learning", true),
                ("/learn/catalog", "Catalog", true),
                ("/author", "Authoring", p.can_somewhere(Permission::AuthorContent)),
                ("/admin/orgs", "Organizations", p.can_somewhere(Permission::ViewOrgTree)),
                ("/admin/credentials", "Credentials", p.can_somewhere(Permission::ManageCredentials)),
                ("/admin/outbox", "Outbox", p.can_somewhere(Permission::ReadOutbox)),
                ("/account", "Account", true),
            ];
            // The current section is the longest link the path lies under.
            let under = |href: &str| path == href || (href != "/" && path.starts_with(&format!("{href}/")));
            let current = links
                .iter()
                .filter(|(href, _, shown)| *shown && under(href))
                .map(|(href, _, _)| *href)
                .max_by_key(|h| h.len());
            nav = links
                .iter()
                .filter(|(_, _, shown)| *shown)
                .map(|(href, label, _)| NavLink { href, label, current: current == Some(*href) })
                .collect();
        }
        Self {
            title: title.into(),
            user: session.map(|s| s.display_name.clone()),
            csrf_token: context.map(|c| c.csrf_token.clone()).unwrap_or_default(),
            nav,
            notice: None,
            asset_version: crate::handlers::assets::STYLESHEET_VERSION,
        }
    }

    /// Adds a status message.
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// Renders a template to HTML.
pub fn render_page(page: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

/// Renders a template with a status, marked final so the error renderer leaves it alone (a
/// form shown again with its errors).
pub fn render_with_status(status: StatusCode, page: &impl Template) -> Result<Response, AppError> {
    let mut response = (status, render_page(page)?).into_response();
    response.extensions_mut().insert(Rendered);
    Ok(response)
}

/// The page for every error.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Frame.
    pub layout: Layout,
    /// HTTP status.
    pub status: u16,
    /// What to tell the person.
    pub message: String,
    /// Whether to offer the sign-in link.
    pub sign_in: bool,
}

/// Fixed status messages that a redirect can ask the next page to show (`?notice=…`), so no
/// text from the URL is ever echoed.
pub fn notice_text(key: Option<&str>) -> Option<String> {
    let text = match key? {
        "signed-out" => "You have signed out.",
        "password-changed" => "Your password has been changed. Sign in with your new password.",
        "password-updated" => "Your password has been changed.",
        "welcome" => "Welcome to Academy. Your account is ready.",
        "org-created" => "The organization was created.",
        "org-updated" => "The organization was updated.",
        "invited" => "The invitation is on its way.",
        "granted" => "The role was granted.",
        "already-granted" => "They already held that role there.",
        "revoked" => "The role was removed.",
        "item-completed" => "Well done: you completed it. Your PD hours are on your transcript.",
        "quiz-passed" => "You passed the quiz.",
        "quiz-failed" => "Not yet: review the feedback below and try again.",
        "withdrawn" => "You have left it. Your progress is kept if you come back.",
        "registered" => "You are registered. A confirmation is on its way to your email.",
        "waitlisted" => {
            "The session is full, so you are on the waitlist. If a seat frees up, it is yours automatically."
        }
        "cancelled" => "Your registration is cancelled.",
        "checked-in" => "You are checked in. Your attendance is recorded.",
        "attendance-saved" => "Attendance saved.",
        "feed-reset" => "Your calendar feed has a new address; the old one no longer works.",
        "joined" => "The pathway is in your learning now.",
        "member-added" => "They were added to the cohort.",
        "cohort-created" => "The cohort was created.",
        "item-created" => "The item was created as you chose. Add its content next.",
        "item-updated" => "The catalog entry was saved.",
        "status-changed" => "The status was changed.",
        "session-created" => "The session was scheduled.",
        "session-updated" => {
            "The session was changed. Everyone registered is being told; added seats went to the waitlist."
        }
        "session-cancelled" => "The session was cancelled; everyone registered is being told by email.",
        "pathway-saved" => "The pathway was saved.",
        "content-saved" => "The content was saved.",
        "imported" => "The course package was imported.",
        "credential-already-revoked" => "The credential was already revoked; nothing changed.",
        "credential-revoked" => "The credential is revoked; verifiers will see it from its status list.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// `?notice=` on pages that show status messages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    /// The message key.
    pub notice: Option<String>,
}

/// Page numbers for long lists.
#[derive(Debug, Clone)]
pub struct Pager {
    /// Current page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// Whether a next page may exist (this page was full).
    pub has_next: bool,
}

impl Pager {
    /// A pager for `page` (1-based; anything below 1 is 1).
    pub fn new(page: Option<i64>, per_page: i64) -> Self {
        Self { page: page.unwrap_or(1).max(1), per_page, has_next: false }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Rows to fetch: one more than shown, to learn whether there is a next page.
    pub fn fetch_limit(&self) -> i64 {
        self.per_page + 1
    }

    /// Trims the extra row and remembers whether it existed.
    pub fn trim<T>(&mut self, mut rows: Vec<T>) -> Vec<T> {
        self.has_next = rows.len() as i64 > self.per_page;
        rows.truncate(self.per_page as usize);
        rows
    }
}
