//! The web layer's one error type and the body it is rendered from. The middleware that turns
//! every error response — ours, axum's rejections, unknown routes and wrong methods alike —
//! into an accessible HTML page or a JSON body is [`crate::pages::render_errors`].

use academy_core::FieldErrors;
use academy_store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
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

impl From<StoreError> for WebError {
    /// Through the application layer's reading of it, so both layers name a taken value alike.
    fn from(error: StoreError) -> Self {
        academy_app::Error::from(error).into()
    }
}

impl From<academy_app::Error> for WebError {
    fn from(error: academy_app::Error) -> Self {
        use academy_app::Error as E;
        match error {
            E::NotFound => Self::NotFound,
            E::Forbidden => Self::Forbidden,
            E::Gone(message) => Self::Gone(message),
            E::Refused(message) => Self::Conflict { field: "state".into(), message },
            E::Unsupported(message) => Self::BadRequest(message),
            E::Stale(message) => Self::Conflict { field: "attempt".into(), message },
            E::Invalid(errors) => Self::Validation(errors),
            E::Conflict { field, message } => Self::Conflict { field, message },
            E::Rejected(problems) => Self::BadRequest(problems.join("; ")),
            E::Store(StoreError::Invalid(message)) => Self::BadRequest(message),
            E::Store(other) => Self::Internal(other.into()),
            E::Internal(error) => Self::Internal(error),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(anyhow::anyhow!("template: {error}"))
    }
}

/// The rendered shape of an error, attached to the response for
/// [`render_errors`](crate::pages::render_errors) to finish.
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

impl WebError {
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
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, body("payload_too_large", TOO_LARGE)),
            Self::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                body("rate_limited", &format!("Too many attempts. Try again in {}.", wait_in_words(*retry_after))),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body("internal", "Something went wrong on our side. It has been logged; please try again."),
            ),
        }
    }
}

/// What a person is told when what they sent is over the body limit.
pub const TOO_LARGE: &str = "What you sent is larger than this address accepts (1 MB). Go back: what you typed is \
     still in the form. Shorten it and send it again; each field says how much it takes.";

/// A wait in words: "1 second", "30 seconds", "2 minutes".
pub fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0 | 1 => "1 second".to_owned(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

impl IntoResponse for WebError {
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

/// Marks a response whose body is already final, so [`render_errors`](crate::pages::render_errors)
/// leaves it alone (a form
/// re-rendered with its errors, say).
#[derive(Debug, Clone, Copy)]
pub struct Rendered;
