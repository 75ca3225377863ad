//! Course packages in and out of the catalog: importing a package creates or updates its item
//! (steps keep their identity, and so everyone's progress, when their file is unchanged), and
//! exporting writes the item back as a package. Packages are read with the app's one
//! completion-rule registry, so every rule the player accepts is accepted here too.

use crate::{Actor, App, Error, Result, actor_id};
use academy_core::learning::{Delivery, ItemKind};
use academy_formats::FormatErrors;
use academy_formats::course::{self, Completion, CoursePackage, Input, ModulePackage, StepPackage};
use academy_store::catalog::{self, Item, ItemStatus, NewItem, NewModule, NewStep};
use academy_store::{StoreError, Tx, audit};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// Reads and checks a package folder.
pub fn read_dir(app: &App, path: &Path) -> Result<CoursePackage> {
    course::read_with(Input::Dir(path), &app.rules).map_err(rejected)
}

/// Reads and checks a package from a `.zip` of its folder.
pub fn read_zip(app: &App, bytes: &[u8]) -> Result<CoursePackage> {
    course::read_with(Input::Zip(bytes), &app.rules).map_err(rejected)
}

/// Reads and checks a package from its files by path.
pub fn read_files(app: &App, files: &BTreeMap<String, Vec<u8>>) -> Result<CoursePackage> {
    course::read_with(Input::Files(files), &app.rules).map_err(rejected)
}

/// Reads and checks a package from its files, keeping the problems as values (for callers
/// that report them on a form's fields rather than as `file:line` lines).
pub fn read_files_raw(app: &App, files: &BTreeMap<String, Vec<u8>>) -> Result<CoursePackage, FormatErrors> {
    course::read_with(Input::Files(files), &app.rules)
}

/// Every problem of a package, one line each (`file:line: field: message`).
pub fn rejected(errors: FormatErrors) -> Error {
    Error::Rejected(errors.0.iter().map(ToString::to_string).collect())
}

/// Imports a checked package: creates its item (published at once when `publish`, else a
/// draft, owned by `owner_org_id` — the national root when `None`) or updates the item with its
/// slug in place, and records who did it. A signed-in actor must be able to author at the
/// existing item's owner (else [`Error::Forbidden`]) or at the new item's owner (else a field
/// error on `owner_org_id`); an operator (no actor) may import anything, and the audit record
/// says it came from the command line.
pub async fn import(
    app: &App,
    actor: Option<Actor<'_>>,
    package: &CoursePackage,
    publish: bool,
    owner_org_id: Option<i64>,
) -> Result<Imported> {
    let status = if publish { ItemStatus::Published } else { ItemStatus::Draft };
    match catalog::item_by_slug(&app.store, &package.slug).await? {
        Some(existing) => crate::authoring::check_may_author(app, actor, existing.owner_org_id).await?,
        None => match (actor, owner_org_id) {
            (Some(actor), owner) => {
                let owner =
                    owner.ok_or_else(|| Error::field("owner_org_id", "Choose the organization it belongs to."))?;
                crate::authoring::check_new_owner(app, actor, owner).await?;
            }
            (None, Some(owner)) if academy_store::orgs::get(&app.store, owner).await?.is_none() => {
                return Err(Error::field("owner_org_id", format!("there is no organization {owner}")));
            }
            (None, _) => {}
        },
    }
    let now = academy_core::time::now();
    let mut tx = app.store.begin().await?;
    let imported = match import_in(&mut tx, package, status, actor_id(actor), owner_org_id, now).await {
        Ok(imported) => imported,
        Err(StoreError::Invalid(message)) => return Err(Error::Rejected(vec![format!("course.toml: {message}")])),
        Err(other) => return Err(other.into()),
    };
    let action = if imported.created { "item.import" } else { "item.reimport" };
    let detail = match actor {
        Some(_) => package.title.clone(),
        None => format!("{} (by an operator, from the command line)", package.title),
    };
    audit::record(&mut tx, actor_id(actor), action, &format!("item:{}", imported.item_id), Some(&detail), now).await?;
    tx.commit().await?;
    Ok(imported)
}

/// The item `slug` as a package, ready to write out. Workshops have sessions, not package
/// content, and are refused.
pub async fn export(app: &App, slug: &str) -> Result<(Item, CoursePackage)> {
    let item = catalog::item_by_slug(&app.store, slug).await?.ok_or(Error::NotFound)?;
    export_package(app, &item).await
}

/// `item` as a package (see [`export`]).
pub async fn export_package(app: &App, item: &Item) -> Result<(Item, CoursePackage)> {
    let item = item.clone();
    if item.kind == ItemKind::Workshop {
        return Err(Error::Unsupported("Workshops have sessions, not package content.".into()));
    }
    // One read-only transaction, so the item, its modules and its steps agree.
    let mut tx = app.store.begin().await?;
    let package = export_in(&mut tx, &item).await?;
    tx.rollback().await?;
    Ok((item, package))
}

/// The modules of `item` as package modules (empty for an item without content).
pub async fn modules_of(app: &App, item: &Item) -> Result<Vec<ModulePackage>> {
    if item.kind == ItemKind::Workshop {
        return Ok(Vec::new());
    }
    Ok(export_package(app, item).await?.1.modules)
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The item's id.
    pub item_id: i64,
    /// Whether the item was created (otherwise updated).
    pub created: bool,
}

/// Applies a checked package inside a transaction: creates the item (with `status` and
/// `owner_org_id` when new) or updates it in place (its owner stays).
pub(crate) async fn import_in(
    tx: &mut Tx,
    package: &CoursePackage,
    status: ItemStatus,
    by: Option<i64>,
    owner_org_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Imported, StoreError> {
    let existing = catalog::item_by_slug(&mut *tx, &package.slug).await?;
    if let Some(item) = &existing
        && item.kind != package.kind
    {
        return Err(StoreError::Invalid(format!(
            "'{}' is already a {} in the catalog; a package cannot turn it into a {}",
            package.slug,
            item.kind.label().to_lowercase(),
            package.kind.label().to_lowercase()
        )));
    }
    let mut new = new_item(package, existing.as_ref().map_or(status, |i| i.status));
    new.owner_org_id = existing.as_ref().map_or(owner_org_id, |i| i.owner_org_id);
    let (item_id, created) = match existing {
        Some(item) => {
            catalog::update_item(tx, item.id, &new, now).await?;
            (item.id, false)
        }
        None => (catalog::create_item(tx, &new, by, now).await?, true),
    };
    catalog::sync_content(tx, item_id, &modules(package)).await?;
    Ok(Imported { item_id, created })
}

fn new_item(package: &CoursePackage, status: ItemStatus) -> NewItem {
    NewItem {
        slug: package.slug.clone(),
        kind: package.kind,
        strand: package.strand,
        delivery: if package.kind == ItemKind::Lab { Delivery::HandsOnLab } else { Delivery::SelfPaced },
        title: package.title.clone(),
        summary: package.summary.clone(),
        description_md: package.description_md.clone().unwrap_or_default(),
        minutes: i64::from(package.minutes),
        pd_hours: package.pd_hours,
        credential_bearing: package.credential,
        status,
        version: package.version.clone(),
        authors: package.authors.clone(),
        license: package.license.clone(),
        grade_bands: package.grade_bands.clone(),
        subjects: package.subjects.clone(),
        owner_org_id: None,
    }
}

fn modules(package: &CoursePackage) -> Vec<NewModule> {
    package
        .modules
        .iter()
        .map(|m| NewModule {
            title: m.title.clone(),
            steps: m
                .steps
                .iter()
                .map(|s| NewStep {
                    kind: s.kind,
                    title: s.title.clone(),
                    file: s.file.clone(),
                    body_md: s.body_md.clone(),
                    quiz: s.quiz.clone(),
                    min_words: s.min_words.map(i64::from),
                    completion: s.completion.as_ref().map(|c| (c.rule.clone(), c.params.clone())),
                })
                .collect(),
        })
        .collect()
}

async fn export_in(tx: &mut Tx, item: &Item) -> Result<CoursePackage, StoreError> {
    let (grade_bands, subjects) = catalog::facets(&mut *tx, item.id).await?;
    let steps = catalog::steps(&mut *tx, item.id).await?;
    let mut modules = Vec::new();
    for module in catalog::modules(&mut *tx, item.id).await? {
        let mut out = Vec::new();
        for step in steps.iter().filter(|s| s.module_id == module.id) {
            out.push(StepPackage {
                kind: step.kind,
                title: step.title.clone(),
                file: step.file.clone(),
                body_md: step.body_md.clone(),
                quiz: step.quiz()?,
                min_words: step.min_words.and_then(|w| u32::try_from(w).ok()),
                completion: match step.completion_rule.clone() {
                    Some(rule) => Some(Completion { rule, params: step.completion_params()? }),
                    None => None,
                },
            });
        }
        modules.push(ModulePackage { title: module.title, steps: out });
    }
    Ok(CoursePackage {
        slug: item.slug.clone(),
        title: item.title.clone(),
        kind: item.kind,
        strand: item.strand,
        summary: item.summary.clone(),
        description: (!item.description_md.is_empty()).then(|| "description.md".to_owned()),
        description_md: (!item.description_md.is_empty()).then(|| item.description_md.clone()),
        grade_bands,
        subjects,
        minutes: u32::try_from(item.minutes).unwrap_or(u32::MAX),
        pd_hours: item.pd_hours(),
        credential: item.credential_bearing,
        version: item.version.clone(),
        authors: item.authors()?,
        license: item.license.clone(),
        modules,
    })
}
