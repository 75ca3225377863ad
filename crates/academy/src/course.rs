//! `academy course`: course packages in and out of the catalog, all or nothing.

use academy_app::imports::course as packages;
use academy_formats::course;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// Course package commands.
#[derive(Debug, Subcommand)]
pub enum CourseCommand {
    /// Imports a course or lab package folder (see docs/course-format.md). An item with the
    /// same slug is updated in place, whoever owns it (an operator may change anything; the
    /// audit log records that it came from the command line); nothing is saved unless the
    /// whole package is sound.
    Import {
        /// The package folder (holding course.toml).
        folder: PathBuf,
        /// Publish a new item in the catalog at once (otherwise it is a draft).
        #[arg(long)]
        publish: bool,
        /// The organization (by id) a new item belongs to: its authors may change it. The
        /// national root when not given. An existing item keeps its owner.
        #[arg(long, value_name = "ORG_ID")]
        owner: Option<i64>,
    },
    /// Writes an item out as a package folder.
    Export {
        /// The item's slug.
        slug: String,
        /// The folder to write (created; must be empty if it exists).
        folder: PathBuf,
    },
}

/// Runs a course command.
pub async fn run(config_file: Option<&Path>, command: CourseCommand) -> anyhow::Result<()> {
    let app = crate::open_app(config_file, &[]).await?;
    match command {
        CourseCommand::Import { folder, publish, owner } => {
            let package = packages::read_dir(&app, &folder)
                .map_err(|e| anyhow::anyhow!("{} was not imported:\n{e}", folder.display()))?;
            let imported =
                packages::import(&app, None, &package, publish, owner).await.context("saving the package")?;
            let steps: usize = package.modules.iter().map(|m| m.steps.len()).sum();
            println!(
                "{} \"{}\" ({}, {} modules, {} steps).",
                if imported.created { "Imported" } else { "Updated" },
                package.title,
                package.slug,
                package.modules.len(),
                steps
            );
        }
        CourseCommand::Export { slug, folder } => {
            if folder.exists() && std::fs::read_dir(&folder).map(|mut d| d.next().is_some()).unwrap_or(true) {
                bail!("{} exists and is not empty", folder.display());
            }
            let (item, package) = match packages::export(&app, &slug).await {
                Err(academy_app::Error::NotFound) => bail!("no item with slug '{slug}'"),
                other => other?,
            };
            course::write_dir(&package, &folder).with_context(|| format!("writing {}", folder.display()))?;
            println!("Wrote {} to {}.", item.slug, folder.display());
        }
    }
    app.store.close().await;
    Ok(())
}
