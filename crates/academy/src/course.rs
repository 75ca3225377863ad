//! `academy course`: course packages in and out of the catalog, all or nothing.

use academy_core::time;
use academy_formats::course;
use academy_store::audit;
use academy_store::catalog::{self, ItemStatus};
use academy_web::learn::packages;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// Course package commands.
#[derive(Debug, Subcommand)]
pub enum CourseCommand {
    /// Imports a course or lab package folder (see docs/course-format.md). An item with the
    /// same slug is updated in place; nothing is saved unless the whole package is sound.
    Import {
        /// The package folder (holding course.toml).
        folder: PathBuf,
        /// Publish a new item in the catalog at once (otherwise it is a draft).
        #[arg(long)]
        publish: bool,
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
    let config = crate::load_config(config_file, &[])?;
    crate::init_logging(&config, false);
    let store = crate::open_store(&config).await?;
    match command {
        CourseCommand::Import { folder, publish } => {
            let package = course::read_dir(&folder)
                .map_err(|errors| anyhow::anyhow!("{} was not imported:\n{errors}", folder.display()))?;
            let now = time::now();
            let status = if publish { ItemStatus::Published } else { ItemStatus::Draft };
            let mut tx = store.begin().await?;
            let imported =
                packages::import(&mut tx, &package, status, None, now).await.context("saving the package")?;
            audit::record(
                &mut tx,
                None,
                if imported.created { "item.import" } else { "item.reimport" },
                &format!("item:{}", imported.item_id),
                Some(&package.title),
                now,
            )
            .await?;
            tx.commit().await?;
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
            let item =
                catalog::item_by_slug(&store, &slug).await?.with_context(|| format!("no item with slug '{slug}'"))?;
            if folder.exists() && std::fs::read_dir(&folder).map(|mut d| d.next().is_some()).unwrap_or(true) {
                bail!("{} exists and is not empty", folder.display());
            }
            let mut tx = store.begin().await?;
            let package = packages::export(&mut tx, &item).await?;
            tx.rollback().await?;
            course::write_dir(&package, &folder).with_context(|| format!("writing {}", folder.display()))?;
            println!("Wrote {} to {}.", item.slug, folder.display());
        }
    }
    store.close().await;
    Ok(())
}
