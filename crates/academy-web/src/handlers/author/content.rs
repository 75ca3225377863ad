//! Authoring content as a course package: import (a `.zip` of the package folder, problems
//! reported by file and line as `academy course import` reports them), export, and the step
//! editor with its quiz question editor and preview (problems reported on its fields; every
//! change still goes through the package reader in `academy-app`).

use super::form_pairs;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::learn_pages::{markdown, markdown_inline};
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::content::{self as editor, OptionFields, QuestionFields, QuizFields, StepFields};
use academy_app::imports::course as packages;
use academy_app::orgs::{self as app_orgs, OrgChoice};
use academy_core::FieldErrors;
use academy_core::access::Permission;
use academy_core::learning::{Answer, QuestionKind};
use academy_formats::course::{self, CoursePackage};
use academy_store::catalog::Item;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Largest package upload.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Template)]
#[template(path = "author/import.html")]
struct ImportPage {
    layout: Layout,
    problems: Vec<String>,
    file_name: String,
    /// Where a new item may belong.
    owners: Vec<OrgChoice>,
    owner_org_id: String,
    forbidden: bool,
}

async fn import_page(
    state: &AppState,
    ctx: &RequestContext,
    problems: Vec<String>,
    file_name: String,
    owner_org_id: String,
) -> Result<ImportPage, WebError> {
    let session = ctx.session()?;
    Ok(ImportPage {
        layout: Layout::new("Import a course package", Some(ctx)),
        problems,
        file_name,
        owners: app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?,
        owner_org_id,
        forbidden: false,
    })
}

/// The import form.
pub async fn show_import(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    Ok(render_page(&import_page(&state, &ctx, Vec::new(), String::new(), String::new()).await?)?.into_response())
}

async fn text_of(field: axum::extract::multipart::Field<'_>) -> Result<String, WebError> {
    field.text().await.map_err(|e| WebError::BadRequest(format!("The upload could not be read: {e}")))
}

/// Imports an uploaded package; nothing is saved unless the whole package is sound. A package
/// over an existing item needs its owner's authors; a new one belongs to the chosen owner.
pub async fn import_package(
    State(state): State<AppState>,
    ctx: RequestContext,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let mut bytes = None;
    let mut file_name = String::new();
    let mut publish = false;
    let mut owner = String::new();
    while let Some(field) =
        multipart.next_field().await.map_err(|e| WebError::BadRequest(format!("The upload could not be read: {e}")))?
    {
        match field.name() {
            Some("package") => {
                file_name = field.file_name().unwrap_or("package.zip").to_owned();
                // Past the body limit the read fails with 413; anything else is a broken upload.
                bytes = Some(field.bytes().await.map_err(|e| match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => WebError::PayloadTooLarge,
                    _ => WebError::BadRequest(format!("The upload could not be read: {e}")),
                })?);
            }
            Some("publish") => publish = text_of(field).await? == "yes",
            Some("owner_org_id") => owner = text_of(field).await?.trim().to_owned(),
            _ => {}
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        let page = import_page(
            &state,
            &ctx,
            vec!["Choose the .zip file of a course package folder.".into()],
            file_name,
            owner,
        )
        .await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if owner.is_empty() {
        // Without the choice, the top of the author's scope (as for the new-item form).
        let choices = app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?;
        owner = choices.first().map(|c| c.org.id.to_string()).unwrap_or_default();
    }
    let imported = match packages::read_zip(&state.app, &bytes) {
        Ok(package) => packages::import(&state.app, Some(session.actor()), &package, publish, owner.parse().ok())
            .await
            .map(|_| package),
        Err(error) => Err(error),
    };
    let problems = match imported {
        Ok(package) => return Ok(see_other(&format!("/author/items/{}?notice=imported", package.slug))),
        Err(academy_app::Error::Rejected(problems)) => problems,
        Err(academy_app::Error::Invalid(errors)) => errors.iter().map(|e| e.message.clone()).collect(),
        Err(academy_app::Error::Forbidden) => {
            let mut page = import_page(&state, &ctx, Vec::new(), file_name, owner).await?;
            page.forbidden = true;
            return render_with_status(StatusCode::FORBIDDEN, &page);
        }
        Err(other) => return Err(other.into()),
    };
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &import_page(&state, &ctx, problems, file_name, owner).await?)
}

/// The item as a course package (.zip).
pub async fn export_package(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, WebError> {
    let (item, package) = packages::export(&state.app, &slug).await?;
    let zip = course::write_zip(&package).map_err(|e| WebError::Internal(anyhow::anyhow!("export {slug}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.zip\"", item.slug)),
        ],
        zip,
    )
        .into_response())
}

/// One question of the quiz editor, with its field errors.
struct QuestionEditor {
    n: usize,
    q: QuestionFields,
    /// (option number from 1, option).
    options: Vec<(usize, OptionFields)>,
    prompt_error: Option<String>,
    kind_error: Option<String>,
    options_error: Option<String>,
    accept_error: Option<String>,
    feedback_error: Option<String>,
    /// The question just added: its prompt takes the focus.
    autofocus: bool,
}

/// A quiz question as the preview shows it.
struct PreviewQuestion {
    number: usize,
    prompt: String,
    multiple: bool,
    short: bool,
    choices: Vec<(usize, String, bool)>,
    accepted: Vec<String>,
    feedback: String,
}

/// What the preview shows.
struct PreviewView {
    body: String,
    quiz: Option<(u8, u32)>,
    questions: Vec<PreviewQuestion>,
}

#[derive(Template)]
#[template(path = "author/step_form.html")]
struct StepFormPage {
    layout: Layout,
    item: Item,
    action: String,
    modules: Vec<(usize, String)>,
    form: StepFields,
    questions: Vec<QuestionEditor>,
    errors: FieldErrors,
    editing: bool,
    delete_action: String,
    preview: Option<PreviewView>,
}

fn form_page(
    ctx: &RequestContext,
    item: Item,
    package: &CoursePackage,
    mut form: StepFields,
    errors: FieldErrors,
    position: Option<usize>,
    focus_question: Option<usize>,
) -> StepFormPage {
    let title = match position {
        Some(_) => format!("Edit step: {}", form.title),
        None => format!("New step in {}", item.title),
    };
    form.quiz = std::mem::take(&mut form.quiz).for_editing();
    let questions = form
        .quiz
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let n = i + 1;
            let error = |name: &str| errors.get(&format!("q{n}-{name}")).map(str::to_owned);
            QuestionEditor {
                n,
                options: q.options.iter().cloned().enumerate().map(|(k, o)| (k + 1, o)).collect(),
                prompt_error: error("prompt"),
                kind_error: error("kind"),
                options_error: error("options"),
                accept_error: error("accept"),
                feedback_error: error("feedback"),
                autofocus: focus_question == Some(n),
                q: q.clone(),
            }
        })
        .collect();
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
        questions,
        errors,
        preview: None,
    }
}

/// The form for a new step.
pub async fn new_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let (item, package) = packages::export(&state.app, &slug).await?;
    let form = editor::new_fields(&package);
    Ok(render_page(&form_page(&ctx, item, &package, form, FieldErrors::new(), None, None))?.into_response())
}

/// The form to edit a step.
pub async fn edit_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let (item, package) = packages::export(&state.app, &slug).await?;
    let form = editor::fields_of(&package, position)?;
    Ok(render_page(&form_page(&ctx, item, &package, form, FieldErrors::new(), Some(position), None))?.into_response())
}

/// What the step editor's submit button asked for.
enum Action {
    Save,
    Preview,
    AddQuestion,
    RemoveQuestion(usize),
}

impl Action {
    fn of(pairs: &[(String, String)]) -> Self {
        match pairs.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str()) {
            Some("preview") => Self::Preview,
            Some("add-question") => Self::AddQuestion,
            Some(other) => match other.strip_prefix("remove-question-").and_then(|n| n.parse().ok()) {
                Some(n) => Self::RemoveQuestion(n),
                None => Self::Save,
            },
            None => Self::Save,
        }
    }
}

/// The step editor's submit: save (the form comes back with its problems, if any), preview
/// without saving, or add or remove a quiz question and show the form again.
async fn save(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    position: Option<usize>,
    body: &[u8],
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let pairs = form_pairs(body);
    let mut form = step_fields(&pairs);
    let again = |form: StepFields, errors: FieldErrors, focus: Option<usize>| async move {
        let (item, package) = packages::export(&state.app, slug).await?;
        Ok::<_, WebError>(form_page(ctx, item, &package, form, errors, position, focus))
    };
    match Action::of(&pairs) {
        Action::AddQuestion => {
            form.quiz.add_question();
            let focus = form.quiz.questions.len();
            render_page(&again(form, FieldErrors::new(), Some(focus)).await?).map(IntoResponse::into_response)
        }
        Action::RemoveQuestion(n) => {
            form.quiz.remove_question(n);
            render_page(&again(form, FieldErrors::new(), None).await?).map(IntoResponse::into_response)
        }
        Action::Preview => {
            let (errors, preview) = match editor::preview(&state.app, slug, &form).await {
                Ok(preview) => (FieldErrors::new(), Some(preview_view(&preview))),
                Err(academy_app::Error::Invalid(errors)) => (errors, None),
                Err(other) => return Err(other.into()),
            };
            let mut page = again(form, errors, None).await?;
            page.preview = preview;
            render_page(&page).map(IntoResponse::into_response)
        }
        Action::Save => match editor::save_step(&state.app, session.actor(), slug, position, &form).await {
            Ok(()) => Ok(see_other(&format!("/author/items/{slug}?notice=content-saved"))),
            Err(academy_app::Error::Invalid(errors)) => {
                render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &again(form, errors, None).await?)
            }
            Err(other) => Err(other.into()),
        },
    }
}

fn preview_view(preview: &editor::Preview) -> PreviewView {
    let questions = preview
        .quiz
        .iter()
        .flat_map(|quiz| quiz.questions.iter())
        .enumerate()
        .map(|(i, q)| {
            let right: &[usize] = match &q.answer {
                Answer::Choices(right) => right,
                Answer::Accept(_) => &[],
            };
            PreviewQuestion {
                number: i + 1,
                prompt: markdown(&q.prompt),
                multiple: q.kind == QuestionKind::Multiple,
                short: q.kind == QuestionKind::Short,
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(k, c)| (k, markdown_inline(c), right.contains(&k)))
                    .collect(),
                accepted: match &q.answer {
                    Answer::Accept(accepted) => accepted.clone(),
                    Answer::Choices(_) => Vec::new(),
                },
                feedback: markdown(&q.feedback),
            }
        })
        .collect();
    PreviewView {
        body: if preview.body_md.trim().is_empty() { String::new() } else { markdown(&preview.body_md) },
        quiz: preview.quiz.as_ref().map(|q| (q.passing_percent, q.max_attempts)),
        questions,
    }
}

/// Most questions and options read from a submitted form (beyond them nothing is read).
const READ_QUESTIONS: usize = editor::MAX_QUESTIONS;

fn step_fields(pairs: &[(String, String)]) -> StepFields {
    let f = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    let count = f("questions").trim().parse::<usize>().unwrap_or(0).min(READ_QUESTIONS);
    let questions = (1..=count)
        .map(|n| {
            let correct: Vec<usize> = pairs
                .iter()
                .filter(|(k, _)| *k == format!("q{n}-correct"))
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let options = (1..=editor::MAX_OPTIONS)
                .map_while(|k| {
                    pairs
                        .iter()
                        .find(|(key, _)| *key == format!("q{n}-option{k}"))
                        .map(|(_, text)| OptionFields { text: text.clone(), correct: correct.contains(&k) })
                })
                .collect();
            QuestionFields {
                kind: f(&format!("q{n}-kind")),
                prompt: f(&format!("q{n}-prompt")),
                options,
                accept: f(&format!("q{n}-accept")),
                feedback: f(&format!("q{n}-feedback")),
            }
        })
        .collect();
    StepFields {
        module: f("module"),
        new_module: f("new_module"),
        kind: f("kind"),
        title: f("title"),
        body: f("body"),
        quiz: QuizFields {
            passing_score: f("passing_score"),
            max_attempts: f("max_attempts"),
            reveal: f("reveal"),
            questions,
        },
        min_words: f("min_words"),
        artifact: f("artifact"),
        min_chars: f("min_chars"),
    }
}

/// Creates a step.
pub async fn create_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    save(&state, &ctx, &slug, None, &body).await
}

/// Saves a step.
pub async fn update_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
    body: Bytes,
) -> Result<Response, WebError> {
    save(&state, &ctx, &slug, Some(position), &body).await
}

/// Removes a step (and the progress on it).
pub async fn delete_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    editor::delete_step(&state.app, session.actor(), &slug, position).await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=content-saved")))
}
