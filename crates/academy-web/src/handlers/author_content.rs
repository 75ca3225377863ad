//! Authoring content as a course package: import (a `.zip` of the package folder), export,
//! and the step editor. Every change goes through the package reader, so the app checks
//! exactly what `academy course import` checks and reports problems by file and line.

use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::learn::packages;
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_core::learning::{ItemKind, Quiz, StepKind};
use academy_core::time;
use academy_formats::FormatErrors;
use academy_formats::course::{self, Completion, CoursePackage, ModulePackage, StepPackage};
use academy_store::audit;
use academy_store::catalog::{self, Item, ItemStatus};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

/// Largest package upload.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Template)]
#[template(path = "author/import.html")]
struct ImportPage {
    layout: Layout,
    problems: Vec<String>,
    file_name: String,
}

/// The import form.
pub async fn show_import(ctx: RequestContext) -> Result<Response, AppError> {
    Ok(render_page(&ImportPage {
        layout: Layout::new("Import a course package", Some(&ctx)),
        problems: Vec::new(),
        file_name: String::new(),
    })?
    .into_response())
}

/// Imports an uploaded package; nothing is saved unless the whole package is sound.
pub async fn import_package(
    State(state): State<AppState>,
    ctx: RequestContext,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let mut bytes = None;
    let mut file_name = String::new();
    let mut publish = false;
    while let Some(field) =
        multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}")))?
    {
        match field.name() {
            Some("package") => {
                file_name = field.file_name().unwrap_or("package.zip").to_owned();
                // Past the body limit the read fails with 413; anything else is a broken upload.
                bytes = Some(field.bytes().await.map_err(|e| match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                    _ => AppError::BadRequest(format!("The upload could not be read: {e}")),
                })?);
            }
            Some("publish") => {
                publish = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(format!("The upload could not be read: {e}")))?
                    == "yes"
            }
            _ => {}
        }
    }
    let again = |problems: Vec<String>, file_name: String| {
        let page = ImportPage { layout: Layout::new("Import a course package", Some(&ctx)), problems, file_name };
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return again(vec!["Choose the .zip file of a course package folder.".into()], file_name);
    };
    let package = match course::read_zip(&bytes) {
        Ok(package) => package,
        Err(errors) => return again(lines(&errors), file_name),
    };
    let now = time::now();
    let status = if publish { ItemStatus::Published } else { ItemStatus::Draft };
    let mut tx = state.store.begin().await?;
    let imported = match packages::import(&mut tx, &package, status, Some(session.user_id), now).await {
        Ok(imported) => imported,
        Err(academy_store::StoreError::Invalid(message)) => {
            drop(tx);
            return again(vec![format!("course.toml: {message}")], file_name);
        }
        Err(other) => return Err(other.into()),
    };
    let action = if imported.created { "item.import" } else { "item.reimport" };
    audit::record(
        &mut tx,
        Some(session.user_id),
        action,
        &format!("item:{}", imported.item_id),
        Some(&package.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{}?notice=imported", package.slug)))
}

fn lines(errors: &FormatErrors) -> Vec<String> {
    errors.0.iter().map(ToString::to_string).collect()
}

async fn item_package(state: &AppState, slug: &str) -> Result<(Item, CoursePackage), AppError> {
    let item = catalog::item_by_slug(&state.store, slug).await?.ok_or(AppError::NotFound)?;
    if item.kind == ItemKind::Workshop {
        return Err(AppError::BadRequest("Workshops have sessions, not package content.".into()));
    }
    let mut tx = state.store.begin().await?;
    let package = packages::export(&mut tx, &item).await?;
    tx.rollback().await?;
    Ok((item, package))
}

/// The item as a course package (.zip).
pub async fn export_package(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let (item, package) = item_package(&state, &slug).await?;
    let zip = course::write_zip(&package).map_err(|e| AppError::Internal(anyhow::anyhow!("export {slug}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.zip\"", item.slug)),
        ],
        zip,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "author/step_form.html")]
struct StepFormPage {
    layout: Layout,
    item: Item,
    action: String,
    modules: Vec<(usize, String)>,
    form: StepForm,
    problems: Vec<String>,
    editing: bool,
    delete_action: String,
}

/// The step editor's fields.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    module: String,
    new_module: String,
    kind: String,
    title: String,
    body: String,
    quiz: String,
    min_words: String,
    artifact: String,
    min_chars: String,
}

impl StepForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let f = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
        Self {
            module: f("module"),
            new_module: f("new_module"),
            kind: f("kind"),
            title: f("title"),
            body: f("body"),
            quiz: f("quiz"),
            min_words: f("min_words"),
            artifact: f("artifact"),
            min_chars: f("min_chars"),
        }
    }
}

const STARTER_QUIZ: &str = "passing_score = 80\nmax_attempts = 3\n\n[[questions]]\nkind = \"single\"\nprompt = \"Write the question here.\"\nchoices = [\"The right answer\", \"A tempting wrong answer\"]\nanswer = [0]\nfeedback = \"Explain why the right answer is right.\"\n";

fn form_page(
    ctx: &RequestContext,
    item: Item,
    package: &CoursePackage,
    form: StepForm,
    problems: Vec<String>,
    position: Option<usize>,
) -> StepFormPage {
    let title = match position {
        Some(_) => format!("Edit step: {}", form.title),
        None => format!("New step in {}", item.title),
    };
    StepFormPage {
        layout: Layout::new(title, Some(ctx)),
        action: match position {
            Some(p) => format!("/author/items/{}/steps/{p}/edit", item.slug),
            None => format!("/author/items/{}/steps/new", item.slug),
        },
        delete_action: position.map(|p| format!("/author/items/{}/steps/{p}/delete", item.slug)).unwrap_or_default(),
        editing: position.is_some(),
        modules: package.modules.iter().enumerate().map(|(i, m)| (i + 1, m.title.clone())).collect(),
        item,
        form,
        problems,
    }
}

/// Finds a step by its position in the whole item (from 1): (module index, step index).
fn locate(package: &CoursePackage, position: usize) -> Option<(usize, usize)> {
    let mut n = 0;
    for (m, module) in package.modules.iter().enumerate() {
        for s in 0..module.steps.len() {
            n += 1;
            if n == position {
                return Some((m, s));
            }
        }
    }
    None
}

/// The form for a new step.
pub async fn new_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (item, package) = item_package(&state, &slug).await?;
    let form = StepForm {
        module: package.modules.len().max(1).to_string(),
        kind: "lesson".into(),
        quiz: STARTER_QUIZ.into(),
        min_words: "30".into(),
        artifact: "text".into(),
        min_chars: "150".into(),
        ..StepForm::default()
    };
    Ok(render_page(&form_page(&ctx, item, &package, form, Vec::new(), None))?.into_response())
}

/// The form to edit a step.
pub async fn edit_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let (item, package) = item_package(&state, &slug).await?;
    let (m, s) = locate(&package, position).ok_or(AppError::NotFound)?;
    let step = &package.modules[m].steps[s];
    let files = course::to_files(&package).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let quiz_text = if step.kind == StepKind::Quiz {
        files.get(&step.file).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    } else {
        STARTER_QUIZ.into()
    };
    let completion = step.completion.as_ref();
    let form = StepForm {
        module: (m + 1).to_string(),
        new_module: String::new(),
        kind: step.kind.slug().to_owned(),
        title: step.title.clone(),
        body: step.body_md.clone(),
        quiz: quiz_text,
        min_words: step.required_words().to_string(),
        artifact: completion.and_then(|c| c.params.get("artifact").cloned()).unwrap_or_else(|| "text".into()),
        min_chars: completion.and_then(|c| c.params.get("min_chars").cloned()).unwrap_or_else(|| "20".into()),
    };
    Ok(render_page(&form_page(&ctx, item, &package, form, Vec::new(), Some(position)))?.into_response())
}

/// Applies the form to the package, re-reads the whole package, and saves it.
async fn save(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    position: Option<usize>,
    body: &[u8],
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let (item, mut package) = item_package(state, slug).await?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let form = StepForm::from_pairs(&pairs);
    let mut problems = Vec::new();
    let kind = match form.kind.parse::<StepKind>() {
        Ok(kind) => kind,
        Err(e) => {
            problems.push(format!("kind: {e}"));
            StepKind::Lesson
        }
    };
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        problems.push("title: Give the step a title.".into());
    }
    let target_module = if form.module == "new" {
        let name = form.new_module.trim();
        if name.is_empty() {
            problems.push("new_module: Name the new module.".into());
        }
        package.modules.push(ModulePackage { title: name.to_owned(), steps: Vec::new() });
        package.modules.len() - 1
    } else {
        match form.module.parse::<usize>() {
            Ok(n) if (1..=package.modules.len()).contains(&n) => n - 1,
            _ if package.modules.is_empty() => {
                package.modules.push(ModulePackage { title: "Module 1".into(), steps: Vec::new() });
                0
            }
            _ => {
                problems.push("module: Choose a module.".into());
                0
            }
        }
    };
    if !problems.is_empty() {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(ctx, item, &package, form, problems, position),
        );
    }
    let completion = (kind == StepKind::Task).then(|| Completion {
        rule: "artifact".into(),
        params: BTreeMap::from([
            ("artifact".into(), form.artifact.clone()),
            ("min_chars".into(), form.min_chars.trim().to_owned()),
        ]),
    });
    let placeholder_quiz = Quiz { passing_percent: 80, max_attempts: 0, questions: Vec::new() };
    let mut step = StepPackage {
        kind,
        title: title.clone(),
        file: String::new(),
        body_md: if kind == StepKind::Quiz { String::new() } else { form.body.clone() },
        quiz: (kind == StepKind::Quiz).then(|| placeholder_quiz.clone()),
        min_words: if kind == StepKind::Reflection { form.min_words.trim().parse().ok() } else { None },
        completion,
    };
    match position {
        Some(position) => {
            let (m, s) = locate(&package, position).ok_or(AppError::NotFound)?;
            let old = package.modules[m].steps.remove(s);
            // A step keeps its file (and so its learners' progress) unless its kind changes.
            step.file = if old.kind == kind { old.file } else { unused_file(&package, target_module, &title, kind) };
            let at = if m == target_module {
                s.min(package.modules[m].steps.len())
            } else {
                package.modules[target_module].steps.len()
            };
            package.modules[target_module].steps.insert(at, step.clone());
        }
        None => {
            step.file = unused_file(&package, target_module, &title, kind);
            package.modules[target_module].steps.push(step.clone());
        }
    }
    package.modules.retain(|m| !m.steps.is_empty());
    let mut files = course::to_files(&package).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    if kind == StepKind::Quiz {
        files.insert(step.file.clone(), form.quiz.clone().into_bytes());
    }
    let checked = match course::read_files(&files) {
        Ok(checked) => checked,
        Err(errors) => {
            let problems = lines(&errors);
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(ctx, item, &package, form, problems, position),
            );
        }
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    packages::import(&mut tx, &checked, item.status, Some(session.user_id), now).await?;
    audit::record(&mut tx, Some(session.user_id), "item.edit_step", &format!("item:{}", item.id), Some(&title), now)
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=content-saved")))
}

fn unused_file(package: &CoursePackage, module: usize, title: &str, kind: StepKind) -> String {
    let taken: std::collections::HashSet<&str> =
        package.modules.iter().flat_map(|m| m.steps.iter().map(|s| s.file.as_str())).collect();
    let module_title = package.modules.get(module).map(|m| m.title.as_str()).unwrap_or("module");
    (1..)
        .map(|n| {
            course::suggested_file(
                module + 1,
                module_title,
                package.modules.get(module).map_or(0, |m| m.steps.len()) + n,
                kind,
                title,
            )
        })
        .find(|f| !taken.contains(f.as_str()))
        .unwrap_or_else(|| format!("step-{}.md", uuid::Uuid::new_v4().simple()))
}

/// Creates a step.
pub async fn create_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    save(&state, &ctx, &slug, None, &body).await
}

/// Saves a step.
pub async fn update_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
    body: Bytes,
) -> Result<Response, AppError> {
    save(&state, &ctx, &slug, Some(position), &body).await
}

/// Removes a step (and the progress on it).
pub async fn delete_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let (item, mut package) = item_package(&state, &slug).await?;
    let (m, s) = locate(&package, position).ok_or(AppError::NotFound)?;
    let removed = package.modules[m].steps.remove(s);
    package.modules.retain(|m| !m.steps.is_empty());
    if package.modules.is_empty() {
        return Err(AppError::BadRequest(
            "A course or lab keeps at least one step; add another before removing this one.".into(),
        ));
    }
    let files = course::to_files(&package).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let checked = course::read_files(&files).map_err(|e| AppError::BadRequest(lines(&e).join("; ")))?;
    let now = time::now();
    let mut tx = state.store.begin().await?;
    packages::import(&mut tx, &checked, item.status, Some(session.user_id), now).await?;
    audit::record(
        &mut tx,
        Some(session.user_id),
        "item.delete_step",
        &format!("item:{}", item.id),
        Some(&removed.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=content-saved")))
}
