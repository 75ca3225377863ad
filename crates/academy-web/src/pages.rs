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
            let mut add = |href: &'static str, label: &'static str, shown: bool| {
                if shown {
                    let current = if href == "/" { path == "/" } else { path.starts_with(href) };
                    nav.push(NavLink { href, label, current });
                }
            };
            add("/", "Home", true);
            add("/admin/orgs", "Organizations", p.can_somewhere(Permission::ViewOrgTree));
            add("/admin/outbox", "Outbox", p.can_somewhere(Permission::ReadOutbox));
            add("/account", "Account", true);
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
