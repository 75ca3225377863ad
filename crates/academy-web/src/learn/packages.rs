//! Course packages in and out of the catalog: importing a package creates or updates its item
//! (steps keep their identity, and so everyone's progress, when their file is unchanged), and
//! exporting writes the item back as a package.

use academy_core::learning::{Delivery, ItemKind};
use academy_formats::course::{Completion, CoursePackage, ModulePackage, StepPackage};
use academy_store::catalog::{self, Item, ItemStatus, NewItem, NewModule, NewStep};
use academy_store::{StoreError, Tx};
use chrono::{DateTime, Utc};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The item's id.
    pub item_id: i64,
    /// Whether the item was created (otherwise updated).
    pub created: bool,
}

/// Applies a checked package: creates the item (with `status` when new) or updates it in place.
pub async fn import(
    tx: &mut Tx,
    package: &CoursePackage,
    status: ItemStatus,
    by: Option<i64>,
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
    let new = new_item(package, existing.as_ref().map_or(status, |i| i.status));
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

/// The item as a package, ready to write out.
pub async fn export(tx: &mut Tx, item: &Item) -> Result<CoursePackage, StoreError> {
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
