//! `academy secrets`: the key that seals secrets at rest (see `academy_app::secrets`).

use clap::Subcommand;
use std::path::Path;

/// Secret-key commands.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Prints a new random key (base64) for ACADEMY_SECRET_KEY or a key file.
    GenerateKey,
    /// Seals every stored secret with the current key. Run it after starting with a new
    /// ACADEMY_SECRET_KEY and the old one in ACADEMY_SECRET_KEY_PREVIOUS; then drop the old key.
    Rotate,
}

/// Runs a secrets command.
pub async fn run(config_file: Option<&Path>, command: SecretsCommand) -> anyhow::Result<()> {
    match command {
        SecretsCommand::GenerateKey => {
            println!("{}", academy_app::secrets::generate_key());
            Ok(())
        }
        SecretsCommand::Rotate => {
            let app = crate::open_app(config_file, &[]).await?;
            academy_app::learn::credentials::prepare_issuer(&app).await?;
            let resealed = academy_app::learn::credentials::reseal_issuer_keys(&app).await?;
            let what = if resealed == 1 { "secret" } else { "secrets" };
            println!(
                "Sealed {resealed} stored {what} anew with key {}; every stored secret is now under it.",
                app.secrets.key_id()
            );
            app.store.close().await;
            Ok(())
        }
    }
}
