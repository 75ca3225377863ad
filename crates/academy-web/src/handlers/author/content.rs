//! Authoring content as a course package: import (a `.zip` of the package folder), export,
//! and the step editor. Every change goes through the package reader (in `academy-app`), so
//! the app checks exactly what `academy course import` checks and reports problems by file
//! and line.

use super::form_pairs;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::content::{self as editor, StepFields};
use academy_app::imports::course as packages;
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
}

/// The import form.
pub async fn show_import(ctx: RequestContext) -> Result<Response, WebError> {
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
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let mut bytes = None;
    let mut file_name = String::new();
    let mut publish = false;
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
            Some("publish") => {
                publish = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("The upload could not be read: {e}")))?
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
    let imported = match packages::read_zip(&state.app, &bytes) {
        Ok(package) => packages::import(&state.app, Some(session.actor()), &package, publish).await.map(|_| package),
        Err(error) => Err(error),
    };
    match imported {
        Ok(package) => Ok(see_other(&format!("/author/items/{}?notice=imported", package.slug))),
        Err(academy_app::Error::Rejected(problems)) => again(problems, file_name),
        Err(other) => Err(other.into()),
    }
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

#[derive(Template)]
#[template(path = "author/step_form.html")]
struct StepFormPage {
    layout: Layout,
    item: Item,
    action: String,
    modules: Vec<(usize, String)>,
    form: StepFields,
    problems: Vec<String>,
    editing: bool,
    delete_action: String,
}

fn form_page(
    ctx: &RequestContext,
    item: Item,
    package: &CoursePackage,
    form: StepFields,
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

/// The form for a new step.
pub async fn new_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let (item, package) = packages::export(&state.app, &slug).await?;
    let form = editor::new_fields(&package);
    Ok(render_page(&form_page(&ctx, item, &package, form, Vec::new(), None))?.into_response())
}

/// The form to edit a step.
pub async fn edit_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let (item, package) = packages::export(&state.app, &slug).await?;
    let form = editor::fields_of(&package, position)?;
    Ok(render_page(&form_page(&ctx, item, &package, form, Vec::new(), Some(position)))?.into_response())
}

/// Saves the step editor's form; it comes back with the package's problems, if any.
async fn save(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    position: Option<usize>,
    body: &[u8],
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let form = step_fields(&form_pairs(body));
    match editor::save_step(&state.app, session.actor(), slug, position, &form).await {
        Ok(()) => Ok(see_other(&format!("/author/items/{slug}?notice=content-saved"))),
        Err(academy_app::Error::Rejected(problems)) => {
            let (item, package) = packages::export(&state.app, slug).await?;
            render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(ctx, item, &package, form, problems, position),
            )
        }
        Err(other) => Err(other.into()),
    }
}

fn step_fields(pairs: &[(String, String)]) -> StepFields {
    let f = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    StepFields {
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
