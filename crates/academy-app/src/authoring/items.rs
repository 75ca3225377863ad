//! Catalog entries: creating and editing an item, and publishing, unpublishing or archiving it.
//!
//! A course's or lab's entry is also the head of its package (`course.toml`), so an entry is
//! checked with the package reader's rules before it is saved ([`check_entry`]): what the form
//! accepts, every later step edit and export accepts too. Problems are reported on the form's
//! fields, in the form's words. Publishing checks that the item can be completed
//! ([`completable`]), at creation and on every later change of status.

use super::{check_may_author, check_new_owner};
use crate::imports::course::{export_package, modules_of, read_files_raw};
use crate::{Actor, App, Error, Result};
use academy_core::FieldErrors;
use academy_core::learning::{ItemKind, StepKind, Subject, SubjectsProblem};
use academy_core::time;
use academy_formats::course::{self, CoursePackage, ModulePackage, StepPackage};
use academy_store::audit;
use academy_store::catalog::{self, Item, ItemStatus, NewItem};

/// An item by slug, whatever its status (authors see drafts and archived items).
pub async fn item(app: &App, slug: &str) -> Result<Item> {
    catalog::item_by_slug(&app.store, slug).await?.ok_or(Error::NotFound)
}

/// `base` if no item has that URL name yet, else the first free of `base-2`, `base-3`… (for
/// URL names made from a title).
pub async fn free_slug(app: &App, base: &str) -> Result<String> {
    if base.is_empty() {
        return Ok(String::new());
    }
    for n in 1..=50 {
        let candidate = if n == 1 { base.to_owned() } else { format!("{base}-{n}") };
        if catalog::item_by_slug(&app.store, &candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]))
}

/// Creates an item owned by `new.owner_org_id`, which must be an organization where the
/// actor may author. A taken slug is [`Error::Conflict`] on `slug`; a course or lab cannot be
/// published before it has content (a field error on `status`).
pub async fn create(app: &App, actor: Actor<'_>, new: &NewItem) -> Result<i64> {
    let owner =
        new.owner_org_id.ok_or_else(|| Error::field("owner_org_id", "Choose the organization it belongs to."))?;
    check_new_owner(app, actor, owner).await?;
    check_entry(app, new, None).await?;
    if new.status == ItemStatus::Published && new.kind != ItemKind::Workshop {
        let kind = new.kind.label().to_lowercase();
        return Err(Error::field(
            "status",
            format!(
                "A new {kind} has no steps yet, so nobody could complete it: save it as a draft, add its steps, then publish it."
            ),
        ));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = catalog::create_item(&mut tx, new, Some(actor.user_id), now).await?;
    audit::record(&mut tx, Some(actor.user_id), "item.create", &format!("item:{id}"), Some(&new.title), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an item's catalog entry. Its kind, slug, owner, version, authors and licence (which
/// come from its package or its creation) stay as they are. Publishing is checked as in
/// [`set_status`], as a field error on `status`.
pub async fn update(app: &App, actor: Actor<'_>, item: &Item, mut new: NewItem) -> Result<()> {
    check_may_author(app, Some(actor), item.owner_org_id).await?;
    new.slug = item.slug.clone();
    new.kind = item.kind;
    new.version = item.version.clone();
    new.authors = item.authors()?;
    new.license = item.license.clone();
    new.owner_org_id = item.owner_org_id;
    check_entry(app, &new, Some(item)).await?;
    if new.status == ItemStatus::Published
        && let Err(why) = completable(app, item).await?
    {
        return Err(Error::field("status", why));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    catalog::update_item(&mut tx, item.id, &new, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "item.update", &format!("item:{}", item.id), Some(&new.title), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes, unpublishes or archives an item. An item is published only when it can be
/// completed ([`completable`]); otherwise [`Error::Unsupported`] says what is missing.
pub async fn set_status(app: &App, actor: Actor<'_>, item: &Item, status: ItemStatus) -> Result<()> {
    check_may_author(app, Some(actor), item.owner_org_id).await?;
    if status == ItemStatus::Published
        && let Err(why) = completable(app, item).await?
    {
        return Err(Error::Unsupported(why));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    catalog::set_status(&mut tx, item.id, status, now).await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "item.status",
        &format!("item:{}", item.id),
        Some(status.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a teacher could complete the item as it stands: a course or lab needs steps (a
/// lab, a task among them), and its content must read back as a package; a workshop is
/// completed by attending a session. `Err` holds what to fix, in the author's words.
pub async fn completable(app: &App, item: &Item) -> Result<Result<(), String>> {
    if item.kind == ItemKind::Workshop {
        return Ok(Ok(()));
    }
    let steps = catalog::steps(&app.store, item.id).await?;
    let kind = item.kind.label().to_lowercase();
    if steps.is_empty() {
        return Ok(Err(format!(
            "Add content before publishing: this {kind} has no steps yet, so nobody could complete it."
        )));
    }
    if item.kind == ItemKind::Lab && !steps.iter().any(|s| s.kind == StepKind::Task) {
        return Ok(Err("Add a lab task before publishing: a hands-on lab is completed by its tasks.".into()));
    }
    let (_, package) = export_package(app, item).await?;
    let files = course::to_files(&package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    if let Err(problems) = read_files_raw(app, &files) {
        let first = problems.0.first().map_or_else(String::new, |p| p.message.clone());
        return Ok(Err(format!("Fix the content before publishing: {first}")));
    }
    Ok(Ok(()))
}

/// The form's name and label for each catalog-entry field of a package manifest.
const ENTRY_FIELDS: &[(&str, &str, &str)] = &[
    ("slug", "slug", "URL name"),
    ("title", "title", "Title"),
    ("strand", "strand", "Strand"),
    ("summary", "summary", "Summary"),
    ("description", "description", "Description"),
    ("grade_bands", "grade_band", "Grade bands"),
    ("subjects", "subject", "Subjects"),
    ("minutes", "minutes", "Expected time"),
    ("pd_hours", "pd_hours", "PD hours"),
    ("credential", "credential", "Credential"),
];

/// Checks a catalog entry with the rules a package's manifest is read with, so that an entry
/// the form accepts is one every later step edit, export and import accepts too. The subject
/// rule is asked first in the form's words; then a course's or lab's entry is written as a
/// package (with its content, or one placeholder step for a new item) and read back, and any
/// problem with an entry field is reported on that field.
pub async fn check_entry(app: &App, new: &NewItem, existing: Option<&Item>) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    if let Err(problem) = Subject::check_list(&new.subjects) {
        errors.add("subject", subjects_message(problem));
        return Err(Error::Invalid(errors));
    }
    if new.kind == ItemKind::Workshop {
        return Ok(());
    }
    let modules = match existing {
        Some(item) => modules_of(app, item).await?,
        None => Vec::new(),
    };
    let modules = if modules.is_empty() { vec![placeholder_module(new.kind)] } else { modules };
    let package = CoursePackage {
        slug: new.slug.clone(),
        title: new.title.clone(),
        kind: new.kind,
        strand: new.strand,
        summary: new.summary.clone(),
        description: None,
        description_md: (!new.description_md.is_empty()).then(|| new.description_md.clone()),
        grade_bands: new.grade_bands.clone(),
        subjects: new.subjects.clone(),
        minutes: u32::try_from(new.minutes).unwrap_or(0),
        pd_hours: new.pd_hours,
        credential: new.credential_bearing,
        version: new.version.clone(),
        authors: new.authors.clone(),
        license: new.license.clone(),
        modules,
    };
    let files = match course::to_files(&package) {
        Ok(files) => files,
        Err(e) => return Err(Error::Internal(anyhow::anyhow!("writing the entry of {}: {e}", new.slug))),
    };
    if let Err(problems) = read_files_raw(app, &files) {
        for problem in problems.0.iter().filter(|p| p.file == course::MANIFEST || p.file == "description.md") {
            let name = problem.field.as_deref().unwrap_or("description");
            let base = name.split(['[', '.']).next().unwrap_or(name);
            if let Some((_, field, label)) = ENTRY_FIELDS.iter().find(|(manifest, _, _)| *manifest == base)
                && errors.get(field).is_none()
            {
                errors.add(field, format!("{label}: {}", sentence(&problem.message)));
            }
        }
    }
    errors.into_result().map_err(Error::Invalid)
}

/// The subject rule's problem in the catalog-entry form's words.
pub fn subjects_message(problem: SubjectsProblem) -> String {
    match problem {
        SubjectsProblem::Empty => "Choose at least one subject, or All subjects.".into(),
        SubjectsProblem::Repeated(subject) => format!("{} is chosen twice.", subject.label()),
        SubjectsProblem::AllWithOthers => {
            "“All subjects” already covers every subject: choose it alone, or choose the subjects one by one.".into()
        }
    }
}

/// A reader's message as a sentence: "is empty" → "is empty.".
fn sentence(message: &str) -> String {
    let mut out = message.trim().to_owned();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// One step that stands in for a new item's content while its entry is checked.
fn placeholder_module(kind: ItemKind) -> ModulePackage {
    let task = kind == ItemKind::Lab;
    ModulePackage {
        title: "Module 1".into(),
        steps: vec![StepPackage {
            kind: if task { StepKind::Task } else { StepKind::Lesson },
            title: "Step 1".into(),
            file: "01-module/01-step.md".into(),
            body_md: "Step".into(),
            quiz: None,
            min_words: None,
            completion: task.then(|| course::Completion {
                rule: "artifact".into(),
                params: std::collections::BTreeMap::from([("artifact".into(), "text".into())]),
            }),
        }],
    }
}
