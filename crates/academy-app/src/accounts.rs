//! Accounts: signing in and out, sessions, changing and resetting passwords, and accepting an
//! invitation. Passwords are hashed with argon2id on a blocking thread, never on the async
//! runtime's workers.

use crate::account_emails::{Purpose, SendAccountEmail};
use crate::{Actor, App, Error, Result};
use academy_core::password::{NewPassword, PasswordHash, verify_against_dummy};
use academy_core::token::{SecretToken, TokenHash};
use academy_core::user::{DisplayName, UserStatus};
use academy_core::{Email, FieldErrors, time};
use academy_store::sessions::{self, NewSession, TokenPurpose};
use academy_store::users::{self, User};
use academy_store::{audit, jobs};
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

/// Where a request came from, as recorded with a new session.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// The client's software, as it says.
    pub user_agent: Option<String>,
}

/// Starts a session for `user_id`, ending `replacing` (the request's old session) so that the
/// session id changes at sign-in. Returns the secret for the session cookie.
pub async fn start_session(
    app: &App,
    user_id: i64,
    replacing: Option<&TokenHash>,
    client: &Client,
) -> Result<SecretToken> {
    if let Some(old) = replacing {
        sessions::delete(&app.store, old).await?;
    }
    let token = SecretToken::generate();
    let csrf = SecretToken::generate();
    let now = time::now();
    let new = NewSession {
        token_hash: &token.hash(),
        user_id,
        csrf_token: csrf.expose(),
        expires_at: now + Duration::days(app.config.session_days),
        ip: client.ip.map(|ip| ip.to_string()),
        user_agent: client.user_agent.clone(),
    };
    sessions::create(&app.store, &new, now).await?;
    Ok(token)
}

/// Ends a session.
pub async fn end_session(app: &App, token_hash: &TokenHash) -> Result<()> {
    Ok(sessions::delete(&app.store, token_hash).await?)
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the new session's secret.
    Started(SecretToken),
    /// The email or password is not right (the same answer for unknown emails).
    Wrong,
    /// Too many failures: the account is locked until then.
    Locked(DateTime<Utc>),
}

/// Checks an email and password and starts a session. Unknown emails cost the same time as
/// known ones, so the answer does not reveal who has an account.
pub async fn sign_in(
    app: &App,
    email: &Email,
    password: String,
    replacing: Option<&TokenHash>,
    client: &Client,
) -> Result<SignIn> {
    let now = time::now();
    let Some(account) = users::credentials(&app.store, email).await? else {
        blocking(move || verify_against_dummy(&password)).await?;
        return Ok(SignIn::Wrong);
    };
    if let Some(until) = account.locked_until.filter(|until| *until > now) {
        return Ok(SignIn::Locked(until));
    }
    let hash = account.password_hash.clone().filter(|_| account.status == UserStatus::Active);
    let verified = blocking(move || match hash {
        Some(hash) => PasswordHash::from_stored(hash).verify(&password),
        None => {
            verify_against_dummy(&password);
            false
        }
    })
    .await?;
    if !verified {
        if let Some(until) = users::record_failed_sign_in(&app.store, account.id, now).await? {
            tracing::warn!(user_id = account.id, "account locked after repeated failed sign-ins");
            return Ok(SignIn::Locked(until));
        }
        return Ok(SignIn::Wrong);
    }
    users::record_sign_in(&app.store, account.id, now).await?;
    Ok(SignIn::Started(start_session(app, account.id, replacing, client).await?))
}

/// Queues a reset email when an account with `email` exists and is not disabled. Callers
/// answer the same either way, so the form does not reveal who has an account.
pub async fn request_password_reset(app: &App, email: &Email) -> Result<()> {
    let Some(user) = users::by_email(&app.store, email).await?.filter(|u| u.status != UserStatus::Disabled) else {
        return Ok(());
    };
    let now = time::now();
    // One email per person per five minutes, however often the form is sent.
    let bucket = now.timestamp() / 300;
    let job = SendAccountEmail {
        user_id: user.id,
        purpose: Purpose::PasswordReset,
        request_key: format!("reset:{}:{bucket}", user.id),
        invited_by: None,
    };
    let mut tx = app.store.begin().await?;
    jobs::enqueue(&mut tx, &job, now, now).await?;
    audit::record(&mut tx, Some(user.id), "password.reset_requested", &format!("user:{}", user.id), None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// What a single-use link is for.
pub use academy_store::sessions::TokenPurpose as LinkPurpose;

/// The person a password-reset or invitation link belongs to, while it is valid.
pub async fn link_holder(app: &App, token: &SecretToken, purpose: LinkPurpose) -> Result<User> {
    let user_id =
        sessions::peek_account_token(&app.store, &token.hash(), purpose, time::now()).await?.ok_or_else(link_gone)?;
    users::get(&app.store, user_id).await?.ok_or(Error::NotFound)
}

fn link_gone() -> Error {
    Error::Gone("This link has expired or has already been used. Ask for a new one from the sign-in page.".into())
}

/// Checks a new password and its confirmation, adding any problem to `errors`.
pub fn check_new_password(password: &str, confirm: &str, email: &str, errors: &mut FieldErrors) -> Option<NewPassword> {
    let checked = errors.check("password", NewPassword::parse(password, Some(email)));
    if checked.is_some() && password != confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    checked.filter(|_| errors.is_empty())
}

/// Sets a new password through a reset link and ends every session of the account.
pub async fn reset_password(app: &App, token: &SecretToken, password: &str, confirm: &str) -> Result<()> {
    let user = link_holder(app, token, TokenPurpose::PasswordReset).await?;
    let mut errors = FieldErrors::new();
    let Some(password) = check_new_password(password, confirm, user.email.as_str(), &mut errors) else {
        return Err(Error::Invalid(errors));
    };
    let hash = blocking(move || password.hash()).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    sessions::consume_account_token(&mut tx, &token.hash(), TokenPurpose::PasswordReset, now)
        .await?
        .ok_or_else(link_gone)?;
    users::set_password(&mut tx, user.id, hash.as_str(), now).await?;
    sessions::delete_for_user(&mut tx, user.id).await?;
    audit::record(&mut tx, Some(user.id), "password.reset", &format!("user:{}", user.id), None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the invited person's name and password through their invitation link, and signs
/// them in. Returns the new session's secret.
pub async fn accept_invitation(
    app: &App,
    token: &SecretToken,
    name: &str,
    password: &str,
    confirm: &str,
    replacing: Option<&TokenHash>,
    client: &Client,
) -> Result<SecretToken> {
    let user = link_holder(app, token, TokenPurpose::Invitation).await?;
    let mut errors = FieldErrors::new();
    let name = errors.check("display_name", DisplayName::parse(name));
    let password = check_new_password(password, confirm, user.email.as_str(), &mut errors);
    let (Some(name), Some(password)) = (name, password) else {
        return Err(Error::Invalid(errors));
    };
    let hash = blocking(move || password.hash()).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    sessions::consume_account_token(&mut tx, &token.hash(), TokenPurpose::Invitation, now)
        .await?
        .ok_or_else(link_gone)?;
    users::set_display_name(&mut tx, user.id, name.as_str(), now).await?;
    users::set_password(&mut tx, user.id, hash.as_str(), now).await?;
    audit::record(&mut tx, Some(user.id), "invitation.accepted", &format!("user:{}", user.id), None, now).await?;
    tx.commit().await?;
    users::record_sign_in(&app.store, user.id, now).await?;
    start_session(app, user.id, replacing, client).await
}

/// Changes the actor's password after checking the current one. Every session of the account
/// ends, and a new one starts for this client: its secret is returned.
pub async fn change_password(
    app: &App,
    actor: Actor<'_>,
    email: &str,
    current: &str,
    password: &str,
    confirm: &str,
    client: &Client,
) -> Result<SecretToken> {
    let parsed = Email::parse(email).map_err(|e| Error::Internal(anyhow::anyhow!("stored email: {e}")))?;
    let account = users::credentials(&app.store, &parsed).await?.ok_or(Error::NotFound)?;
    let current = current.to_owned();
    let stored = account.password_hash.clone().unwrap_or_default();
    let verified = blocking(move || PasswordHash::from_stored(stored).verify(&current)).await?;
    let mut errors = FieldErrors::new();
    if !verified {
        errors.add("current_password", "That is not your current password.");
    }
    let checked = errors.check("password", NewPassword::parse(password, Some(email)));
    if checked.is_some() && password != confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    let Some(new) = checked.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let hash = blocking(move || new.hash()).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    users::set_password(&mut tx, actor.user_id, hash.as_str(), now).await?;
    sessions::delete_for_user(&mut tx, actor.user_id).await?;
    audit::record(&mut tx, Some(actor.user_id), "password.changed", &format!("user:{}", actor.user_id), None, now)
        .await?;
    tx.commit().await?;
    start_session(app, actor.user_id, None, client).await
}

/// Runs CPU-heavy work (argon2id) off the async workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(e.into()))
}
