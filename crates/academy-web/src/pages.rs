//! The one page layout, its navigation, and rendering — of pages, and of every error response
//! ([`render_errors`]). Page structs live beside their handlers; templates are in `templates/`.

use crate::context::RequestContext;
use crate::error::{ErrorBody, Rendered, WebError};
use crate::route_spec::Surface;
use crate::state::AppState;
use academy_core::access::Permission;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// Changes whenever the stylesheet does; pages link `academy.css?v=…` so it can be cached for
/// a year.
pub const STYLESHEET_VERSION: &str = env!("ACADEMY_CSS_HASH");

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
            asset_version: STYLESHEET_VERSION,
        }
    }

    /// Adds a status message.
    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// Renders a template to HTML.
pub fn render_page(page: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(page.render()?))
}

/// Renders a template with a status, marked final so the error renderer leaves it alone (a
/// form shown again with its errors).
pub fn render_with_status(status: StatusCode, page: &impl Template) -> Result<Response, WebError> {
    let mut response = (status, render_page(page)?).into_response();
    response.extensions_mut().insert(Rendered);
    Ok(response)
}

/// A destructive action, asked once more before it is done: a plain form that works without
/// JavaScript. The action's own form posts here first; this page posts again with
/// `confirm=yes`, carrying the same fields.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    /// Frame; its title is the question.
    pub layout: Layout,
    /// What will happen, in a sentence or two.
    pub message: String,
    /// Where the confirmed form posts.
    pub action: String,
    /// The action's fields, carried through.
    pub fields: Vec<(String, String)>,
    /// The button's words ("Yes, revoke it").
    pub confirm_label: &'static str,
    /// Where "No, go back" leads.
    pub back: String,
}

impl ConfirmPage {
    /// Whether a form was confirmed (posted from a [`ConfirmPage`]).
    pub fn confirmed(confirm: &str) -> bool {
        confirm == "yes"
    }
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
        "offered" => "If they have an account, they will be asked to accept; otherwise invite them.",
        "member-offered" => {
            "If they have an account, they will be asked to accept; otherwise invite them to the organization first."
        }
        "offer-accepted" => "You accepted the offer.",
        "offer-declined" => "You declined the offer; nothing changed.",
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
        "feedback-sent" => "Your feedback was sent; the teacher sees it beside their work.",
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
        "people-imported" => "The people were added: new people get an invitation email, the others their role.",
        "invitation-resent" => "A new invitation email is on its way.",
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

/// Turns every error response into the uniform HTML page or JSON body, as the matched route's
/// metadata says (the guard marks the response with it); for an unmatched address, as the
/// mount it falls under says.
pub async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path_surface = state.routes.surface_for_path(request.uri().path());
    let context = request.extensions().get::<RequestContext>().cloned();
    let response = next.run(request).await;
    let is_api = response.extensions().get::<Surface>().copied().unwrap_or(path_surface) == Surface::Json;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.extensions().get::<Rendered>().is_some() {
        return response;
    }
    let body = match response.extensions().get::<ErrorBody>() {
        Some(body) => body.clone(),
        None => framework_error(status),
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut rendered = if is_api {
        (status, axum::Json(serde_json::json!({ "error": body }))).into_response()
    } else {
        let layout = Layout::new(error_title(status), context.as_ref());
        let page = ErrorPage {
            layout,
            status: status.as_u16(),
            message: body.message.clone(),
            sign_in: status == StatusCode::UNAUTHORIZED,
        };
        match render_page(&page) {
            Ok(html) => (status, html).into_response(),
            Err(error) => {
                tracing::error!(%error, "error page failed to render");
                (status, body.message.clone()).into_response()
            }
        }
    };
    if let Some(value) = retry_after {
        rendered.headers_mut().insert(header::RETRY_AFTER, value);
    }
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = response.headers().get(header::ALLOW)
    {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rendered
}

/// The body for an error that came from the framework rather than a handler.
fn framework_error(status: StatusCode) -> ErrorBody {
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "We could not find that page."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This address does not accept that kind of request."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", crate::error::TOO_LARGE),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "What you sent is not in a format this address accepts.")
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "What you sent could not be read."),
        StatusCode::BAD_REQUEST => ("bad_request", "The request was malformed."),
        StatusCode::FORBIDDEN => ("forbidden", "This request was refused because it came from another site."),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
        s if s.is_server_error() => {
            ("internal", "Something went wrong on our side. It has been logged; please try again.")
        }
        _ => ("error", "The request could not be completed."),
    };
    ErrorBody { code, message: message.to_owned(), details: None }
}

fn error_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::GONE => "Link no longer valid",
        StatusCode::UNAUTHORIZED => "Sign in required",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::METHOD_NOT_ALLOWED => "Not allowed here",
        s if s.is_server_error() => "Something went wrong",
        _ => "Request could not be completed",
    }
}
