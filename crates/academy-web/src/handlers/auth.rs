//! Signing in and out, forgotten passwords and accepting invitations.

use super::{safe_next, see_other};
use crate::context::{RequestContext, clear_session_cookie, set_device_cookie, set_session_cookie};
use crate::error::WebError;
use crate::pages::{Layout, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::accounts::{self, LinkPurpose, SignIn};
use academy_core::token::SecretToken;
use academy_core::{Email, FieldErrors};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    next: String,
    errors: FieldErrors,
}

/// `?next=` and `?notice=` on the sign-in page.
#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    notice: Option<String>,
}

/// The sign-in form.
pub async fn show_sign_in(ctx: RequestContext, Query(query): Query<SignInQuery>) -> Result<Response, WebError> {
    let next = query.next.as_deref().and_then(safe_next).unwrap_or_else(|| "/".to_owned());
    if ctx.session.is_some() {
        return Ok(see_other(&next));
    }
    let layout = Layout::new("Sign in", Some(&ctx)).with_notice(notice_text(query.notice.as_deref()));
    Ok(render_page(&SignInPage { layout, email: String::new(), next, errors: FieldErrors::new() })?.into_response())
}

/// Fields of the sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
}

/// Checks the email and password, and starts a new session.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next).unwrap_or_else(|| "/".to_owned());
    let again = |status: StatusCode, errors: FieldErrors| -> Result<Response, WebError> {
        let page = SignInPage {
            layout: Layout::new("Sign in", Some(&ctx)),
            email: form.email.trim().to_owned(),
            next: next.clone(),
            errors,
        };
        render_with_status(status, &page)
    };
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, errors);
    };
    let replacing = ctx.session.as_ref().map(|s| &s.token_hash);
    let outcome =
        accounts::sign_in(&state.app, &state.throttle, &email, form.password.clone(), replacing, &ctx.client()).await?;
    match outcome {
        SignIn::Started { session, device } => {
            let mut response = see_other(&next);
            set_session_cookie(&state, &session, &mut response);
            set_device_cookie(&state, &device, &mut response);
            Ok(response)
        }
        SignIn::Wrong => {
            let mut errors = FieldErrors::new();
            errors.add("email", "The email address or password is not right.");
            again(StatusCode::UNAUTHORIZED, errors)
        }
        SignIn::Slowed(wait) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                format!(
                    "Too many sign-in attempts. Wait {} and try again, or reset your password.",
                    crate::error::wait_in_words(wait)
                ),
            );
            let mut response = again(StatusCode::TOO_MANY_REQUESTS, errors)?;
            if let Ok(value) = wait.to_string().parse() {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
            }
            Ok(response)
        }
    }
}

/// Refuses a client address that has made too many sign-in or reset attempts this minute.
fn limit_attempts(state: &AppState, ctx: &RequestContext) -> Result<(), WebError> {
    state.throttle.address(ctx.client_ip).map_err(|retry_after| WebError::RateLimited { retry_after })
}

/// Ends the session.
pub async fn sign_out(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    if let Some(session) = &ctx.session {
        accounts::end_session(&state.app, &session.token_hash).await?;
    }
    let mut response = see_other("/sign-in?notice=signed-out");
    clear_session_cookie(&state, &mut response);
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
struct ForgotPasswordPage {
    layout: Layout,
    email: String,
    sent: bool,
    errors: FieldErrors,
}

/// The forgotten-password form.
pub async fn show_forgot_password(ctx: RequestContext) -> Result<Response, WebError> {
    let page = ForgotPasswordPage {
        layout: Layout::new("Reset your password", Some(&ctx)),
        email: String::new(),
        sent: false,
        errors: FieldErrors::new(),
    };
    Ok(render_page(&page)?.into_response())
}

/// Fields of the forgotten-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotPasswordForm {
    email: String,
}

/// Queues a reset email when the account exists; answers the same either way, so the form
/// does not reveal who has an account.
pub async fn request_password_reset(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<ForgotPasswordForm>,
) -> Result<Response, WebError> {
    limit_attempts(&state, &ctx)?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let layout = Layout::new("Reset your password", Some(&ctx));
    let Some(email) = email else {
        let page = ForgotPasswordPage { layout, email: form.email.trim().to_owned(), sent: false, errors };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    accounts::request_password_reset(&state.app, &email).await?;
    let page = ForgotPasswordPage { layout, email: email.to_string(), sent: true, errors: FieldErrors::new() };
    Ok(render_page(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "auth/choose_password.html")]
struct ChoosePasswordPage {
    layout: Layout,
    intro: String,
    action: String,
    ask_name: bool,
    display_name: String,
    submit_label: &'static str,
    errors: FieldErrors,
}

fn parse_link_token(raw: &str) -> Result<SecretToken, WebError> {
    SecretToken::parse(raw).ok_or(WebError::NotFound)
}

/// The form behind a password-reset link.
pub async fn show_reset_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let token = parse_link_token(&token)?;
    accounts::link_holder(&state.app, &token, LinkPurpose::PasswordReset).await?;
    Ok(render_page(&reset_page(&ctx, &token, FieldErrors::new()))?.into_response())
}

fn reset_page(ctx: &RequestContext, token: &SecretToken, errors: FieldErrors) -> ChoosePasswordPage {
    ChoosePasswordPage {
        layout: Layout::new("Choose a new password", Some(ctx)),
        intro: "Choose a new password for your account. You will then sign in with it.".into(),
        action: format!("/password/reset/{}", token.expose()),
        ask_name: false,
        display_name: String::new(),
        submit_label: "Change password",
        errors,
    }
}

/// Fields of the choose-password forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoosePasswordForm {
    display_name: String,
    password: String,
    password_confirm: String,
}

/// Sets the new password, ends every session of the account, and sends the person to sign in.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<ChoosePasswordForm>,
) -> Result<Response, WebError> {
    let token = parse_link_token(&token)?;
    match accounts::reset_password(&state.app, &token, &form.password, &form.password_confirm).await {
        Ok(()) => {
            let mut response = see_other("/sign-in?notice=password-changed");
            clear_session_cookie(&state, &mut response);
            Ok(response)
        }
        Err(academy_app::Error::Invalid(errors)) => {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &reset_page(&ctx, &token, errors))
        }
        Err(other) => Err(other.into()),
    }
}

/// The form behind an invitation link.
pub async fn show_invitation(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let token = parse_link_token(&token)?;
    let user = accounts::link_holder(&state.app, &token, LinkPurpose::Invitation).await?;
    Ok(render_page(&invitation_page(&ctx, &token, user.display_name, FieldErrors::new()))?.into_response())
}

fn invitation_page(
    ctx: &RequestContext,
    token: &SecretToken,
    display_name: String,
    errors: FieldErrors,
) -> ChoosePasswordPage {
    ChoosePasswordPage {
        layout: Layout::new("Welcome to Academy", Some(ctx)),
        intro: "Check your name and choose a password to finish setting up your account.".into(),
        action: format!("/invitations/{}", token.expose()),
        ask_name: true,
        display_name,
        submit_label: "Set up my account",
        errors,
    }
}

/// Sets the invited person's name and password and signs them in.
pub async fn accept_invitation(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<ChoosePasswordForm>,
) -> Result<Response, WebError> {
    let token = parse_link_token(&token)?;
    let replacing = ctx.session.as_ref().map(|s| &s.token_hash);
    let accepted = accounts::accept_invitation(
        &state.app,
        &token,
        &form.display_name,
        &form.password,
        &form.password_confirm,
        replacing,
        &ctx.client(),
    )
    .await;
    match accepted {
        Ok(session_token) => {
            let mut response = see_other("/?notice=welcome");
            set_session_cookie(&state, &session_token, &mut response);
            Ok(response)
        }
        Err(academy_app::Error::Invalid(errors)) => {
            let page = invitation_page(&ctx, &token, form.display_name.trim().to_owned(), errors);
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}
