//! Accounts: signing in and out, sessions, changing and resetting passwords, and accepting an
//! invitation. Passwords are hashed with argon2id on a blocking thread, never on the async
//! runtime's workers.
//!
//! Guessing is slowed down, never answered with a lockout that anyone could set off against a
//! teacher ([`Throttle`]): by client address, with a limit a school's shared address fits; by
//! account (known or not, so unknown emails are answered the same), five quick tries and then
//! one every half minute; and a browser that has signed in to the account before carries a
//! signed device cookie that exempts it from the account's limit, so the account's owner can
//! still sign in while somebody else is guessing.

use crate::account_emails::{Purpose, SendAccountEmail};
use crate::{Actor, App, Error, Result};
use academy_core::password::{NewPassword, PasswordHash, verify_against_dummy};
use academy_core::token::{SecretToken, TokenHash};
use academy_core::user::{DisplayName, UserStatus};
use academy_core::{Email, FieldErrors, time};
use academy_store::sessions::{self, NewSession, TokenPurpose};
use academy_store::users::{self, User};
use academy_store::{audit, jobs};
use chrono::Duration;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration as StdDuration;

/// Where a request came from, as recorded with a new session.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address.
    pub ip: Option<IpAddr>,
    /// The client's software, as it says.
    pub user_agent: Option<String>,
    /// The device cookie the browser sent, if any.
    pub device: Option<String>,
}

/// Quick tries an account allows from browsers it does not know.
pub const ACCOUNT_BURST: u32 = 5;
/// After those, one more try each this often.
pub const ACCOUNT_PERIOD: StdDuration = StdDuration::from_secs(30);
/// Tries a known browser (one holding the account's device cookie) may make a minute.
pub const DEVICE_PER_MINUTE: u32 = 10;
/// How long a device cookie is good for.
pub const DEVICE_DAYS: i64 = 365;

/// In-memory sign-in limits, by client address, by account and by known device. (In a
/// deployment of several servers each keeps its own; an attacker spreading guesses over them
/// gains only the number of servers.)
pub struct Throttle {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<String>,
    by_device: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Throttle")
    }
}

impl Throttle {
    /// Limits with `per_minute` attempts a minute from one address.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(ACCOUNT_BURST).unwrap_or(NonZeroU32::MIN);
        let account =
            Quota::with_period(ACCOUNT_PERIOD).map_or_else(|| Quota::per_minute(burst), |q| q.allow_burst(burst));
        let device = Quota::per_minute(NonZeroU32::new(DEVICE_PER_MINUTE).unwrap_or(NonZeroU32::MIN));
        Self {
            by_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
            by_account: RateLimiter::keyed(account),
            by_device: RateLimiter::keyed(device),
        }
    }

    /// Counts an attempt from `ip` (sign-in, password reset); `Err` holds the seconds to wait.
    pub fn address(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let Some(ip) = ip else { return Ok(()) };
        self.by_address.check_key(&ip).map_err(|not_until| wait_seconds(&not_until))
    }

    fn account(&self, email: &Email, device: Option<&str>) -> Result<(), u64> {
        match device {
            Some(device) => self.by_device.check_key(&device.to_owned()),
            None => self.by_account.check_key(&email.as_str().to_owned()),
        }
        .map_err(|not_until| wait_seconds(&not_until))
    }

    /// Forgets keys that have fully recovered (housekeeping).
    pub fn retain_recent(&self) {
        self.by_address.retain_recent();
        self.by_account.retain_recent();
        self.by_device.retain_recent();
    }
}

fn wait_seconds(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    use governor::clock::{Clock, DefaultClock};
    not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)
}

/// A device cookie for `email`: `v1.<nonce>.<signature>`, signed with the secret key over the
/// email and the nonce, so it cannot be made for another account or forged.
fn device_cookie(app: &App, email: &Email) -> String {
    let nonce = SecretToken::generate();
    let signature = app.secrets.sign(&format!("{}|{}", email.as_str(), nonce.expose()));
    format!("v1.{}.{signature}", nonce.expose())
}

/// The device's own key (its nonce) when `cookie` is a valid device cookie for `email`.
fn known_device<'a>(app: &App, email: &Email, cookie: Option<&'a str>) -> Option<&'a str> {
    let mut parts = cookie?.splitn(3, '.');
    let (version, nonce, signature) = (parts.next()?, parts.next()?, parts.next()?);
    (version == "v1" && app.secrets.verify(&format!("{}|{}", email.as_str(), nonce), signature)).then_some(nonce)
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
    /// Signed in: the new session's secret, and a device cookie to keep this browser known.
    Started {
        /// The session cookie's secret.
        session: SecretToken,
        /// The device cookie's value.
        device: String,
    },
    /// The email or password is not right (the same answer for unknown emails).
    Wrong,
    /// Too many attempts from this address or for this account: try again in this many
    /// seconds (the same answer for unknown emails).
    Slowed(u64),
}

/// Checks an email and password and starts a session, within the [`Throttle`]'s limits.
/// Unknown emails cost the same time and meet the same limits as known ones, so the answer
/// does not reveal who has an account.
pub async fn sign_in(
    app: &App,
    throttle: &Throttle,
    email: &Email,
    password: String,
    replacing: Option<&TokenHash>,
    client: &Client,
) -> Result<SignIn> {
    if let Err(wait) = throttle.address(client.ip) {
        return Ok(SignIn::Slowed(wait));
    }
    let device = known_device(app, email, client.device.as_deref());
    if let Err(wait) = throttle.account(email, device) {
        return Ok(SignIn::Slowed(wait));
    }
    let now = time::now();
    let Some(account) = users::credentials(&app.store, email).await? else {
        blocking(move || verify_against_dummy(&password)).await?;
        return Ok(SignIn::Wrong);
    };
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
        let failures = users::record_failed_sign_in(&app.store, account.id, now).await?;
        if failures % 10 == 0 {
            tracing::warn!(user_id = account.id, failures, "repeated failed sign-ins");
        }
        return Ok(SignIn::Wrong);
    }
    users::record_sign_in(&app.store, account.id, now).await?;
    let session = start_session(app, account.id, replacing, client).await?;
    Ok(SignIn::Started { session, device: device_cookie(app, email) })
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
