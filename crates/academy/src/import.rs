//! `academy import`: bulk loads, all or nothing.

use academy_core::org::NewOrg;
use academy_core::{OrgKind, UsState, time};
use academy_formats::ccd;
use academy_store::orgs::{self, Org, OrgUpdate};
use academy_store::{Store, query};
use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
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
    let config = crate::load_config(config_file, &[])?;
    crate::init_logging(&config, false);
    let store = crate::open_store(&config).await?;
    let ImportCommand::NcesCcd { districts, schools } = command;
    let summary = import_ccd(&store, &districts, &schools, true).await?;
    println!(
        "Imported {} district(s) and {} school(s) ({} new, {} updated) below {} state federation(s).",
        summary.districts, summary.schools, summary.created, summary.updated, summary.federations
    );
    store.close().await;
    Ok(())
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    /// District rows applied.
    pub districts: usize,
    /// School rows applied.
    pub schools: usize,
    /// Nodes created.
    pub created: usize,
    /// Nodes updated.
    pub updated: usize,
    /// State federations the rows went below.
    pub federations: usize,
}

/// Parses both files completely, then applies them in one transaction.
pub async fn import_ccd(
    store: &Store,
    districts: &Path,
    schools: &Path,
    progress: bool,
) -> anyhow::Result<ImportSummary> {
    let open = |path: &Path| std::fs::File::open(path).with_context(|| format!("opening {}", path.display()));
    let name =
        |path: &Path| path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let district_rows = ccd::read_districts(&name(districts), open(districts)?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let school_rows = ccd::read_schools(&name(schools), open(schools)?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let known: HashMap<&str, &ccd::District> = district_rows.iter().map(|d| (d.lea_id.as_str(), d)).collect();
    let orphans: Vec<String> = school_rows
        .iter()
        .filter(|s| !known.contains_key(s.lea_id.as_str()))
        .take(20)
        .map(|s| format!("{}:{}: LEAID: district {} is not in {}", name(schools), s.line, s.lea_id, name(districts)))
        .collect();
    if !orphans.is_empty() {
        bail!("{}", orphans.join("\n"));
    }

    let bar = if progress {
        ProgressBar::new((district_rows.len() + school_rows.len()) as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let now = time::now();
    let mut summary = ImportSummary::default();
    let mut tx = store.begin().await?;
    let root = orgs::root(&mut tx)
        .await?
        .context("there is no national program yet; run `academy user create --role program-admin` first")?;
    let mut federations: HashMap<UsState, Org> = HashMap::new();
    let mut district_orgs: HashMap<String, Org> = HashMap::new();
    bar.set_message("districts");
    for row in &district_rows {
        let federation = match federations.entry(row.state) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(federation_for(&mut tx, &root, row.state, now).await?)
            }
        };
        let federation = &*federation;
        let org = match orgs::by_nces_id(&mut tx, row.lea_id.as_str()).await? {
            Some(existing) => {
                summary.updated += 1;
                let update = OrgUpdate {
                    name: row.name.clone(),
                    state: Some(row.state),
                    nces_id: Some(row.lea_id.clone()),
                    locale: None,
                    title_i: None,
                };
                orgs::update(&mut tx, existing.id, &update, now)
                    .await
                    .with_context(|| format!("{}:{}", name(districts), row.line))?
            }
            None => {
                summary.created += 1;
                let new = NewOrg {
                    parent_id: Some(federation.id),
                    kind: OrgKind::District,
                    name: row.name.clone(),
                    state: Some(row.state),
                    nces_id: Some(row.lea_id.clone()),
                    locale: None,
                    title_i: None,
                };
                orgs::create_below(&mut tx, Some(federation), &new, now)
                    .await
                    .with_context(|| format!("{}:{}", name(districts), row.line))?
            }
        };
        district_orgs.insert(row.lea_id.as_str().to_owned(), org);
        summary.districts += 1;
        bar.inc(1);
    }
    bar.set_message("schools");
    for row in &school_rows {
        let district = &district_orgs[row.lea_id.as_str()];
        let at = || format!("{}:{}", name(schools), row.line);
        match orgs::by_nces_id(&mut tx, row.nces_id.as_str()).await? {
            Some(existing) => {
                if existing.kind != OrgKind::School {
                    bail!(
                        "{}: NCESSCH: {} already belongs to a {}",
                        at(),
                        row.nces_id,
                        existing.kind.label().to_lowercase()
                    );
                }
                summary.updated += 1;
                let update = OrgUpdate {
                    name: row.name.clone(),
                    state: Some(row.state),
                    nces_id: Some(row.nces_id.clone()),
                    locale: row.locale.or(existing.locale()),
                    title_i: existing.title_i,
                };
                orgs::update(&mut tx, existing.id, &update, now).await.with_context(at)?;
            }
            None => {
                summary.created += 1;
                let new = NewOrg {
                    parent_id: Some(district.id),
                    kind: OrgKind::School,
                    name: row.name.clone(),
                    state: Some(row.state),
                    nces_id: Some(row.nces_id.clone()),
                    locale: row.locale,
                    title_i: None,
                };
                orgs::create_below(&mut tx, Some(district), &new, now).await.with_context(at)?;
            }
        }
        summary.schools += 1;
        bar.inc(1);
    }
    bar.set_message("saving");
    tx.commit().await.context("saving the import")?;
    bar.finish_with_message("done");
    summary.federations = federations.len();
    Ok(summary)
}

async fn federation_for(
    tx: &mut academy_store::Tx,
    root: &Org,
    state: UsState,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Org> {
    let existing: Option<(i64,)> =
        query("SELECT id FROM orgs WHERE parent_id = $1 AND kind = $2 AND state = $3 ORDER BY id LIMIT 1")
            .bind(root.id)
            .bind(OrgKind::StateFederation)
            .bind(state)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((id,)) = existing {
        return orgs::get(&mut *tx, id).await?.context("federation vanished");
    }
    let new = NewOrg {
        parent_id: Some(root.id),
        kind: OrgKind::StateFederation,
        name: format!("{state} State Federation"),
        state: Some(state),
        nces_id: None,
        locale: None,
        title_i: None,
    };
    Ok(orgs::create_below(tx, Some(root), &new, now).await?)
}
