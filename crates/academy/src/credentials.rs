//! `academy credentials`: the credentials the program has issued.

use academy_store::credentials;
use anyhow::Context;
use clap::Subcommand;
use std::path::Path;

/// Credential commands.
#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Lists issued credentials, newest first: id, holder, achievement, status.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Rows to skip.
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    /// Prints one signed credential (Open Badges 3.0 JSON).
    Show {
        /// The credential id (from `credentials list`).
        id: String,
    },
    /// Revokes a credential and re-signs its status list.
    Revoke {
        /// The credential id.
        id: String,
        /// Why (recorded and shown on its public page).
        #[arg(long)]
        reason: String,
    },
}

/// Runs a credentials command.
pub async fn run(config_file: Option<&Path>, command: CredentialsCommand) -> anyhow::Result<()> {
    let app = crate::open_app(config_file, &[]).await?;
    let store = &app.store;
    match command {
        CredentialsCommand::List { limit, offset } => {
            let rows = credentials::list(store, limit.clamp(1, 10_000), offset.max(0)).await?;
            if rows.is_empty() {
                println!("No credentials have been issued.");
            } else {
                println!("{:<36}  {:<28}  {:<40}  {:<10}  status", "id", "holder", "achievement", "issued");
            }
            for c in rows {
                let status = if c.revoked_at.is_some() { "revoked" } else { "valid" };
                println!(
                    "{:<36}  {:<28}  {:<40}  {:<10}  {status}",
                    c.id,
                    format!("{} <{}>", c.holder, c.email).chars().take(28).collect::<String>(),
                    c.achievement_name.chars().take(40).collect::<String>(),
                    c.issued_at.format("%Y-%m-%d")
                );
            }
        }
        CredentialsCommand::Show { id } => {
            let credential =
                credentials::get(store, id.trim()).await?.with_context(|| format!("no credential {id}"))?;
            let pretty: serde_json::Value =
                serde_json::from_str(&credential.document).context("the stored credential is not JSON")?;
            println!("{}", serde_json::to_string_pretty(&pretty)?);
        }
        CredentialsCommand::Revoke { id, reason } => {
            anyhow::ensure!(!reason.trim().is_empty(), "--reason: say why the credential is revoked");
            let revoked = match academy_app::learn::credentials::revoke(&app, None, id.trim(), &reason).await {
                Err(academy_app::Error::NotFound) => anyhow::bail!("no credential {id}"),
                other => other?,
            };
            if revoked {
                println!("Revoked {id}; its status list was re-signed.");
            } else {
                println!("{id} was already revoked.");
            }
        }
    }
    store.close().await;
    Ok(())
}
