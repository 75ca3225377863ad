//! `academy import`: bulk loads, all or nothing.

use academy_app::imports::{Progress, ccd};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Import commands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Loads districts and schools from NCES Common Core of Data directory files (CSV) into
    /// the tree, below the state federation of their state (created when missing). Rows
    /// already present (same NCES id) are updated, so a later year's files can be loaded
    /// over an earlier one's. Either every row is applied or none is.
    NcesCcd {
        /// The district (LEA) directory file.
        #[arg(long)]
        districts: PathBuf,
        /// The school directory file.
        #[arg(long)]
        schools: PathBuf,
    },
}

/// Runs an import command.
pub async fn run(config_file: Option<&Path>, command: ImportCommand) -> anyhow::Result<()> {
    let app = crate::open_app(config_file, &[]).await?;
    let ImportCommand::NcesCcd { districts, schools } = command;
    let bar = Bar::new();
    let summary = ccd::import(&app, &districts, &schools, &bar).await?;
    bar.0.finish_with_message("done");
    println!(
        "Imported {} district(s) and {} school(s) ({} new, {} updated) below {} state federation(s).",
        summary.districts, summary.schools, summary.created, summary.updated, summary.federations
    );
    app.store.close().await;
    Ok(())
}

/// A progress bar on standard error.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar with the rows-per-second style.
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Self(bar)
    }
}

impl Progress for Bar {
    fn phase(&self, name: &'static str, total: u64) {
        self.0.set_length(total);
        self.0.set_message(name);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}
