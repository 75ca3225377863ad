//! Signing in and out, forgotten passwords and accepting invitations.

use super::{safe_next, see_other};
use crate::context::{CookieNames, RequestContext, append_cookie, removal_cookie, session_cookie};
use crate::error::AppError;
use crate::jobs::account_email::{Purpose, SendAccountEmail};
use crate::pages::{Layout, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_core::password::{NewPassword, PasswordHash, verify_against_dummy};
use academy_core::token::SecretToken;
use academy_core::user::{DisplayName, UserStatus};
use academy_core::{Email, FieldErrors, time};
use academy_store::sessions::{self, NewSession, TokenPurpose};
use academy_store::{audit, jobs, users};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
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
pub async fn show_sign_in(ctx: RequestContext, Query(query): Query<SignInQuery>) -> Result<Response, AppError> {
    let next = query.next.as_deref().and_then(safe_next).unwrap_or("/").to_owned();
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
) -> Result<Response, AppError> {
    limit_attempts(&state, &ctx)?;
    let next = safe_next(&form.next).unwrap_or("/").to_owned();
    let again = |status: StatusCode, errors: FieldErrors| -> Result<Response, AppError> {
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
    let wrong = || {
        let mut errors = FieldErrors::new();
        errors.add("email", "The email address or password is not right.");
        errors
    };
    let now = time::now();
    let password = form.password.clone();
    let Some(account) = users::credentials(&state.store, &email).await? else {
        tokio::task::spawn_blocking(move || verify_against_dummy(&password)).await.map_err(anyhow::Error::from)?;
        return again(StatusCode::UNAUTHORIZED, wrong());
    };
    if let Some(until) = account.locked_until.filter(|until| *until > now) {
        return locked(&ctx, &form.email, &next, until - now);
    }
    let hash = account.password_hash.clone().filter(|_| account.status == UserStatus::Active);
    let verified = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => PasswordHash::from_stored(hash).verify(&password),
        None => {
            verify_against_dummy(&password);
            false
        }
    })
    .await
    .map_err(anyhow::Error::from)?;
    if !verified {
        if let Some(until) = users::record_failed_sign_in(&state.store, account.id, now).await? {
            tracing::warn!(user_id = account.id, "account locked after repeated failed sign-ins");
            return locked(&ctx, &form.email, &next, until - now);
        }
        return again(StatusCode::UNAUTHORIZED, wrong());
    }
    users::record_sign_in(&state.store, account.id, now).await?;
    let mut response = see_other(&next);
    start_session(&state, &ctx, account.id, &mut response).await?;
    Ok(response)
}

fn locked(ctx: &RequestContext, email: &str, next: &str, remaining: Duration) -> Result<Response, AppError> {
    let minutes = remaining.num_minutes().max(0) + 1;
    let mut errors = FieldErrors::new();
    errors.add(
        "email",
        format!("Too many failed attempts. This account is locked for {minutes} more minute(s); you can also reset your password."),
    );
    let page = SignInPage {
        layout: Layout::new("Sign in", Some(ctx)),
        email: email.trim().to_owned(),
        next: next.to_owned(),
        errors,
    };
    let mut response = render_with_status(StatusCode::TOO_MANY_REQUESTS, &page)?;
    if let Ok(value) = (minutes * 60).to_string().parse() {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    Ok(response)
}

/// Refuses a client that has made too many sign-in or reset attempts this minute.
fn limit_attempts(state: &AppState, ctx: &RequestContext) -> Result<(), AppError> {
    let Some(ip) = ctx.client_ip else {
        return Ok(());
    };
    state.attempt_limiter.check_key(&ip).map_err(|_| AppError::RateLimited { retry_after: 60 })
}

/// Starts a session for `user_id` (ending the request's old one, so the session id changes
/// at sign-in) and sets its cookie on `response`.
pub async fn start_session(
    state: &AppState,
    ctx: &RequestContext,
    user_id: i64,
    response: &mut Response,
) -> Result<(), AppError> {
    if let Some(old) = &ctx.session {
        sessions::delete(&state.store, &old.token_hash).await?;
    }
    let token = SecretToken::generate();
    let csrf = SecretToken::generate();
    let now = time::now();
    let new = NewSession {
        token_hash: &token.hash(),
        user_id,
        csrf_token: csrf.expose(),
        expires_at: now + Duration::days(state.config.session_days),
        ip: ctx.client_ip.map(|ip| ip.to_string()),
        user_agent: ctx.user_agent.clone(),
    };
    sessions::create(&state.store, &new, now).await?;
    append_cookie(response.headers_mut(), &session_cookie(state, &token));
    Ok(())
}

/// Ends the session.
pub async fn sign_out(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, AppError> {
    if let Some(session) = &ctx.session {
        sessions::delete(&state.store, &session.token_hash).await?;
    }
    let mut response = see_other("/sign-in?notice=signed-out");
    let names = CookieNames::for_https(state.config.is_https());
    append_cookie(response.headers_mut(), &removal_cookie(names.session, state.config.is_https()));
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
pub async fn show_forgot_password(ctx: RequestContext) -> Result<Response, AppError> {
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
) -> Result<Response, AppError> {
    limit_attempts(&state, &ctx)?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let layout = Layout::new("Reset your password", Some(&ctx));
    let Some(email) = email else {
        let page = ForgotPasswordPage { layout, email: form.email.trim().to_owned(), sent: false, errors };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if let Some(user) = users::by_email(&state.store, &email).await?
        && user.status != UserStatus::Disabled
    {
        let now = time::now();
        // One email per person per five minutes, however often the form is sent.
        let bucket = now.timestamp() / 300;
        let job = SendAccountEmail {
            user_id: user.id,
            purpose: Purpose::PasswordReset,
            request_key: format!("reset:{}:{bucket}", user.id),
            invited_by: None,
        };
        let mut tx = state.store.begin().await?;
        jobs::enqueue(&mut tx, &job, now, now).await?;
        audit::record(&mut tx, Some(user.id), "password.reset_requested", &format!("user:{}", user.id), None, now)
            .await?;
        tx.commit().await?;
    }
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

fn parse_link_token(raw: &str) -> Result<SecretToken, AppError> {
    SecretToken::parse(raw).ok_or(AppError::NotFound)
}

fn link_gone() -> AppError {
    AppError::Gone("This link has expired or has already been used. Ask for a new one from the sign-in page.".into())
}

/// The form behind a password-reset link.
pub async fn show_reset_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = parse_link_token(&token)?;
    sessions::peek_account_token(&state.store, &token.hash(), TokenPurpose::PasswordReset, time::now())
        .await?
        .ok_or_else(link_gone)?;
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

fn check_new_password(form: &ChoosePasswordForm, email: &str, errors: &mut FieldErrors) -> Option<NewPassword> {
    let password = errors.check("password", NewPassword::parse(&form.password, Some(email)));
    if password.is_some() && form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    password.filter(|_| errors.is_empty())
}

/// Sets the new password, ends every session of the account, and sends the person to sign in.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<ChoosePasswordForm>,
) -> Result<Response, AppError> {
    let token = parse_link_token(&token)?;
    let now = time::now();
    let user_id = sessions::peek_account_token(&state.store, &token.hash(), TokenPurpose::PasswordReset, now)
        .await?
        .ok_or_else(link_gone)?;
    let user = users::get(&state.store, user_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let Some(password) = check_new_password(&form, user.email.as_str(), &mut errors) else {
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &reset_page(&ctx, &token, errors));
    };
    let hash = tokio::task::spawn_blocking(move || password.hash()).await.map_err(anyhow::Error::from)?;
    let mut tx = state.store.begin().await?;
    sessions::consume_account_token(&mut tx, &token.hash(), TokenPurpose::PasswordReset, now)
        .await?
        .ok_or_else(link_gone)?;
    users::set_password(&mut tx, user_id, hash.as_str(), now).await?;
    sessions::delete_for_user(&mut tx, user_id).await?;
    audit::record(&mut tx, Some(user_id), "password.reset", &format!("user:{user_id}"), None, now).await?;
    tx.commit().await?;
    let mut response = see_other("/sign-in?notice=password-changed");
    let names = CookieNames::for_https(state.config.is_https());
    append_cookie(response.headers_mut(), &removal_cookie(names.session, state.config.is_https()));
    Ok(response)
}

/// The form behind an invitation link.
pub async fn show_invitation(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = parse_link_token(&token)?;
    let user_id = sessions::peek_account_token(&state.store, &token.hash(), TokenPurpose::Invitation, time::now())
        .await?
        .ok_or_else(link_gone)?;
    let user = users::get(&state.store, user_id).await?.ok_or(AppError::NotFound)?;
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
) -> Result<Response, AppError> {
    let token = parse_link_token(&token)?;
    let now = time::now();
    let user_id = sessions::peek_account_token(&state.store, &token.hash(), TokenPurpose::Invitation, now)
        .await?
        .ok_or_else(link_gone)?;
    let user = users::get(&state.store, user_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let name = errors.check("display_name", DisplayName::parse(&form.display_name));
    let password = check_new_password(&form, user.email.as_str(), &mut errors);
    let (Some(name), Some(password)) = (name, password) else {
        let page = invitation_page(&ctx, &token, form.display_name.trim().to_owned(), errors);
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let hash = tokio::task::spawn_blocking(move || password.hash()).await.map_err(anyhow::Error::from)?;
    let mut tx = state.store.begin().await?;
    sessions::consume_account_token(&mut tx, &token.hash(), TokenPurpose::Invitation, now)
        .await?
        .ok_or_else(link_gone)?;
    users::set_display_name(&mut tx, user_id, name.as_str(), now).await?;
    users::set_password(&mut tx, user_id, hash.as_str(), now).await?;
    audit::record(&mut tx, Some(user_id), "invitation.accepted", &format!("user:{user_id}"), None, now).await?;
    tx.commit().await?;
    users::record_sign_in(&state.store, user_id, now).await?;
    let mut response = see_other("/?notice=welcome");
    start_session(&state, &ctx, user_id, &mut response).await?;
    Ok(response)
}
