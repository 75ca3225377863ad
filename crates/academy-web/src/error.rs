//! The web layer's one error type, and the middleware that renders every error response —
//! ours, axum's rejections, unknown routes and wrong methods alike — as an accessible HTML page
//! or, under `/api`, as `{"error": {"code", "message", "details"}}` with a stable code.

use crate::context::RequestContext;
use crate::pages::{ErrorPage, Layout, render_page};
use academy_core::FieldErrors;
use academy_store::StoreError;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// It existed but is no longer usable (an expired link).
    #[error("{0}")]
    Gone(String),
    /// Nobody is signed in.
    #[error("sign in required")]
    SignInRequired,
    /// Signed in but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    #[error("csrf token mismatch")]
    CsrfFailed,
    /// Input fields were wrong.
    #[error("{0}")]
    Validation(FieldErrors),
    /// The value is already taken (`field` names it).
    #[error("{message}")]
    Conflict {
        /// The field holding the taken value.
        field: String,
        /// What to tell the person.
        message: String,
    },
    /// The request itself was malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than the route accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// Too many attempts; try again later.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until another attempt is allowed.
        retry_after: u64,
    },
    /// A bug or an outage; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { field } => {
                let message = match field.as_str() {
                    "email" => "An account with this email address already exists.".to_owned(),
                    "nces_id" => "Another organization already has this NCES id.".to_owned(),
                    _ => format!("This {field} is already taken."),
                };
                Self::Conflict { field, message }
            }
            StoreError::Invalid(message) => Self::BadRequest(message),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(anyhow::anyhow!("template: {error}"))
    }
}

/// The rendered shape of an error, attached to the response for [`render_errors`] to finish.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    /// Stable machine code (`not_found`, `validation_failed`…).
    pub code: &'static str,
    /// A sentence for a person.
    pub message: String,
    /// Field errors or other structured detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl AppError {
    fn parts(&self) -> (StatusCode, ErrorBody) {
        let body = |code, message: &str| ErrorBody { code, message: message.to_owned(), details: None };
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, body("not_found", "We could not find that page.")),
            Self::Gone(message) => (StatusCode::GONE, body("gone", message)),
            Self::SignInRequired => (StatusCode::UNAUTHORIZED, body("unauthenticated", "Please sign in to continue.")),
            Self::Forbidden => {
                (StatusCode::FORBIDDEN, body("forbidden", "Your account does not have access to this page."))
            }
            Self::CsrfFailed => (
                StatusCode::FORBIDDEN,
                body(
                    "csrf_failed",
                    "This form has expired or did not come from this site. Go back, reload the page and try again.",
                ),
            ),
            Self::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    code: "validation_failed",
                    message: format!("Some fields need attention: {errors}"),
                    details: serde_json::to_value(errors).ok(),
                },
            ),
            Self::Conflict { field, message } => (
                StatusCode::CONFLICT,
                ErrorBody {
                    code: "conflict",
                    message: message.clone(),
                    details: Some(serde_json::json!({ "field": field })),
                },
            ),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, body("bad_request", message)),
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, body("payload_too_large", "What you sent is too large."))
            }
            Self::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                body(
                    "rate_limited",
                    &format!("Too many attempts. Try again in {} minute(s).", retry_after.div_ceil(60).max(1)),
                ),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body("internal", "Something went wrong on our side. It has been logged; please try again."),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let (status, body) = self.parts();
        let mut response = status.into_response();
        if let Self::RateLimited { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(body);
        response
    }
}

/// Marks a response whose body is already final, so [`render_errors`] leaves it alone (a form
/// re-rendered with its errors, say).
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// Turns every error response into the uniform HTML page or JSON body.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let context = request.extensions().get::<RequestContext>().cloned();
    let response = next.run(request).await;
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
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "What you sent is too large."),
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
