//! Outgoing mail: over SMTP when a relay is configured, otherwise into the outbox table, where
//! a program admin reads it in the app (`/admin/outbox`) or on the CLI (`academy outbox`).

use crate::config::Config;
use academy_store::{Store, outbox};
use anyhow::Context;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes.
pub enum Transport {
    /// Kept in the outbox for an admin to pass on.
    Outbox,
    /// Relayed over SMTP.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends the app's mail.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// A message to send.
pub struct Email<'a> {
    /// The job sending it, so a retried job records it once.
    pub job_id: Option<i64>,
    /// Recipient address.
    pub to: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Plain-text body.
    pub body: &'a str,
}

impl Mailer {
    /// A mailer for the configured transport.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().context("mail_from")?;
        let transport = match &config.smtp {
            Some(smtp) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
                    .context("smtp_url could not be used")?
                    .build(),
            ),
            None => Transport::Outbox,
        };
        Ok(Self { transport, from })
    }

    /// Whether mail stays in the outbox.
    pub fn uses_outbox(&self) -> bool {
        matches!(self.transport, Transport::Outbox)
    }

    /// Sends `email` and records it in the outbox (with SMTP, the body is not kept: it may hold
    /// a sign-in link that only the recipient should have).
    pub async fn send(&self, store: &Store, email: &Email<'_>) -> anyhow::Result<()> {
        let now = academy_core::time::now();
        match &self.transport {
            Transport::Outbox => {
                let message = outbox::NewOutboxMessage {
                    job_id: email.job_id,
                    to_address: email.to,
                    subject: email.subject,
                    body: email.body,
                    transport: "outbox",
                };
                outbox::insert(store, &message, now).await?;
            }
            Transport::Smtp(smtp) => {
                let to: Mailbox = email.to.parse().with_context(|| format!("recipient {}", email.to))?;
                let message = Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(email.subject)
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(email.body.to_owned())
                    .context("building the message")?;
                smtp.send(message).await.context("the SMTP relay refused the message")?;
                let record = outbox::NewOutboxMessage {
                    job_id: email.job_id,
                    to_address: email.to,
                    subject: email.subject,
                    body: "(delivered by SMTP; the body is not kept)",
                    transport: "smtp",
                };
                outbox::insert(store, &record, now).await?;
            }
        }
        Ok(())
    }
}
