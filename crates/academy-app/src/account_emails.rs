//! Emails that carry a single-use account link: password reset and invitation.
//!
//! The job creates the token when it runs, so the secret exists only in the message (and in
//! the outbox when no SMTP relay is configured); the queue holds just the person's id.

use crate::App;
use academy_core::time;
use academy_core::token::SecretToken;
use academy_core::user::UserStatus;
use academy_store::jobs::Job;
use academy_store::sessions::{self, TokenPurpose};
use academy_store::users;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// Which link the email carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Choose a new password.
    PasswordReset,
    /// Accept an invitation and choose a first password.
    Invitation,
}

/// Send a person an account link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendAccountEmail {
    /// Who to send it to.
    pub user_id: i64,
    /// Which link.
    pub purpose: Purpose,
    /// Identifies the request; equal keys are one email (a second reset request within the
    /// same five minutes sends nothing new).
    pub request_key: String,
    /// For invitations: who invited them, to say so.
    pub invited_by: Option<String>,
}

impl Job for SendAccountEmail {
    const KIND: &'static str = "send_account_email";
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("account-email:{}", self.request_key))
    }
}

/// How long a reset link works.
pub const RESET_HOURS: i64 = 1;
/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 14;

/// Creates the token and sends the message.
pub async fn run(ctx: &App, job_id: i64, job: SendAccountEmail) -> anyhow::Result<()> {
    let Some(user) = users::get(&ctx.store, job.user_id).await? else {
        tracing::info!(user_id = job.user_id, "account gone; nothing to send");
        return Ok(());
    };
    if user.status == UserStatus::Disabled {
        tracing::info!(user_id = user.id, "account disabled; no link sent");
        return Ok(());
    }
    let now = time::now();
    let token = SecretToken::generate();
    let (purpose, expires_at, path, subject) = match job.purpose {
        Purpose::PasswordReset => (
            TokenPurpose::PasswordReset,
            now + Duration::hours(RESET_HOURS),
            format!("/password/reset/{}", token.expose()),
            "Reset your Academy password",
        ),
        Purpose::Invitation => (
            TokenPurpose::Invitation,
            now + Duration::days(INVITATION_DAYS),
            format!("/invitations/{}", token.expose()),
            "You are invited to Academy",
        ),
    };
    let mut tx = ctx.store.begin().await?;
    sessions::create_account_token(&mut tx, &token.hash(), user.id, purpose, now, expires_at).await?;
    tx.commit().await?;
    let link = ctx.config.public_url.link(&path);
    let body = match job.purpose {
        Purpose::PasswordReset => format!(
            "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your Academy account.\n\
             Choose a new password here within {RESET_HOURS} hour:\n\n{link}\n\n\
             If you did not ask for this, ignore this message; your password stays as it is.\n",
            name = user.display_name
        ),
        Purpose::Invitation => format!(
            "Hello {name},\n\n{who} invited you to Academy, the program's professional learning space for \
             teaching with AI.\nChoose your password and sign in here within {INVITATION_DAYS} days:\n\n{link}\n",
            name = user.display_name,
            who = job.invited_by.as_deref().unwrap_or("Your program team"),
        ),
    };
    let email = crate::mail::Email { job_id: Some(job_id), to: user.email.as_str(), subject, body: &body };
    ctx.mailer.send(&ctx.store, &email).await
}
