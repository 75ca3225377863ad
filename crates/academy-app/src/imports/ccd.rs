//! NCES Common Core of Data directory files (districts and schools) into the organization
//! tree, all or nothing.

use super::Progress;
use crate::{App, Error, Result};
use academy_core::org::NewOrg;
use academy_core::{OrgKind, UsState, time};
use academy_formats::ccd;
use academy_store::StoreError;
use academy_store::audit;
use academy_store::orgs::{self, Org, OrgUpdate};
use std::collections::HashMap;
use std::path::Path;

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

/// Parses both files completely, then applies them in one transaction, below the state
/// federation of each row's state (created when missing). Rows already present (same NCES id)
/// are updated, so a later year's files can be loaded over an earlier one's.
pub async fn import(app: &App, districts: &Path, schools: &Path, progress: &dyn Progress) -> Result<ImportSummary> {
    let store = &app.store;
    let open = |path: &Path| {
        std::fs::File::open(path).map_err(|e| Error::Rejected(vec![format!("{}: cannot open it: {e}", path.display())]))
    };
    let name =
        |path: &Path| path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let district_rows =
        ccd::read_districts(&name(districts), open(districts)?).map_err(crate::imports::course::rejected)?;
    let school_rows = ccd::read_schools(&name(schools), open(schools)?).map_err(crate::imports::course::rejected)?;
    let known: HashMap<&str, &ccd::District> = district_rows.iter().map(|d| (d.lea_id.as_str(), d)).collect();
    let orphans: Vec<String> = school_rows
        .iter()
        .filter(|s| !known.contains_key(s.lea_id.as_str()))
        .take(20)
        .map(|s| format!("{}:{}: LEAID: district {} is not in {}", name(schools), s.line, s.lea_id, name(districts)))
        .collect();
    if !orphans.is_empty() {
        return Err(Error::Rejected(orphans));
    }

    let total = (district_rows.len() + school_rows.len()) as u64;
    let now = time::now();
    let mut summary = ImportSummary::default();
    let mut tx = store.begin().await?;
    let root = orgs::root(&mut tx).await?.ok_or_else(|| {
        Error::Refused("there is no national program yet; run `academy user create --role program-admin` first".into())
    })?;
    let mut federations: HashMap<UsState, Org> = HashMap::new();
    let mut district_orgs: HashMap<String, Org> = HashMap::new();
    progress.phase("districts", total);
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
                    .map_err(|e| at_row(&format!("{}:{}", name(districts), row.line), e))?
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
                    .map_err(|e| at_row(&format!("{}:{}", name(districts), row.line), e))?
            }
        };
        district_orgs.insert(row.lea_id.as_str().to_owned(), org);
        summary.districts += 1;
        progress.advance(1);
    }
    progress.phase("schools", total);
    for row in &school_rows {
        let district = &district_orgs[row.lea_id.as_str()];
        let at = || format!("{}:{}", name(schools), row.line);
        match orgs::by_nces_id(&mut tx, row.nces_id.as_str()).await? {
            Some(existing) => {
                if existing.kind != OrgKind::School {
                    return Err(Error::Rejected(vec![format!(
                        "{}: NCESSCH: {} already belongs to a {}",
                        at(),
                        row.nces_id,
                        existing.kind.label().to_lowercase()
                    )]));
                }
                summary.updated += 1;
                let update = OrgUpdate {
                    name: row.name.clone(),
                    state: Some(row.state),
                    nces_id: Some(row.nces_id.clone()),
                    locale: row.locale.or(existing.locale()),
                    title_i: existing.title_i,
                };
                orgs::update(&mut tx, existing.id, &update, now).await.map_err(|e| at_row(&at(), e))?;
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
                orgs::create_below(&mut tx, Some(district), &new, now).await.map_err(|e| at_row(&at(), e))?;
            }
        }
        summary.schools += 1;
        progress.advance(1);
    }
    progress.phase("saving", total);
    audit::record(
        &mut tx,
        None,
        "import.nces_ccd",
        "orgs",
        Some(&format!("{} districts, {} schools", summary.districts, summary.schools)),
        now,
    )
    .await?;
    tx.commit().await?;
    summary.federations = federations.len();
    Ok(summary)
}

async fn federation_for(
    tx: &mut academy_store::Tx,
    root: &Org,
    state: UsState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Org> {
    if let Some(existing) = orgs::federation_of_state(&mut *tx, root.id, state).await? {
        return Ok(existing);
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

/// A row's store error as a problem with that row (a taken NCES id, a broken tree rule).
fn at_row(at: &str, error: StoreError) -> Error {
    match error {
        StoreError::Conflict { field } => Error::Rejected(vec![format!("{at}: {field} is already taken")]),
        StoreError::Invalid(message) => Error::Rejected(vec![format!("{at}: {message}")]),
        other => Error::Store(other),
    }
}
