//! `academy outbox`: the mail kept when no SMTP relay is configured.

use academy_store::outbox;
use clap::Subcommand;
use std::path::Path;

/// Outbox commands.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Lists messages, newest first.
    List {
        /// Only messages to this address.
        #[arg(long)]
        to: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Prints one message in full.
    Show {
        /// The message id (from `outbox list`).
        id: i64,
    },
}

/// Runs an outbox command.
pub async fn run(config_file: Option<&Path>, command: OutboxCommand) -> anyhow::Result<()> {
    let app = crate::open_app(config_file, &[]).await?;
    let store = &app.store;
    match command {
        OutboxCommand::List { to, limit } => {
            let to = to.map(|t| t.trim().to_lowercase());
            let messages = outbox::list(store, to.as_deref(), limit.clamp(1, 1000), 0).await?;
            if messages.is_empty() {
                println!("The outbox is empty.");
            }
            for m in messages {
                println!("{:>6}  {}  {:<32}  {}", m.id, m.created_at.format("%Y-%m-%d %H:%M"), m.to_address, m.subject);
            }
        }
        OutboxCommand::Show { id } => {
            let m = outbox::get(store, id).await?.ok_or_else(|| anyhow::anyhow!("no outbox message {id}"))?;
            println!(
                "To: {}\nSubject: {}\nDate: {}\nVia: {}\n\n{}",
                m.to_address,
                m.subject,
                m.created_at.to_rfc2822(),
                m.transport,
                m.body
            );
        }
    }
    store.close().await;
    Ok(())
}
