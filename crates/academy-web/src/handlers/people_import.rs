//! Adding many people at once from a CSV file: checked, previewed, then applied all or nothing.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{ConfirmPage, Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::imports::people::{self, Action, MAX_ROWS};
use academy_store::orgs::{self, Org};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// What a preview shows.
struct Preview {
    invite: usize,
    grant: usize,
    held: usize,
    /// (line, name, email, org, what happens)
    rows: Vec<(usize, String, String, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "orgs/import_people.html")]
struct ImportPage {
    layout: Layout,
    org: Org,
    csv: String,
    file_name: String,
    problems: Vec<String>,
    preview: Option<Preview>,
    max_rows: usize,
}

impl ImportPage {
    fn new(ctx: &RequestContext, org: Org, csv: String, file_name: String) -> Self {
        Self {
            layout: Layout::new(format!("Add people to {}", org.name), Some(ctx)),
            org,
            csv,
            file_name,
            problems: Vec::new(),
            preview: None,
            max_rows: MAX_ROWS,
        }
    }
}

async fn load_org(state: &AppState, id: i64) -> Result<Org, WebError> {
    orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)
}

/// The form.
pub async fn show_people_import(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let org = load_org(&state, id).await?;
    Ok(render_page(&ImportPage::new(&ctx, org, "name,email,org,role\n".into(), "people.csv".into()))?.into_response())
}

/// Fields of the import form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    file_name: String,
    confirm: String,
}

/// Checks the file and shows the preview; confirmed, applies it.
pub async fn import_people(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ImportForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let org = load_org(&state, id).await?;
    let file_name =
        if form.file_name.trim().is_empty() { "people.csv".to_owned() } else { form.file_name.trim().to_owned() };
    let outcome = if ConfirmPage::confirmed(&form.confirm) {
        match people::apply(&state.app, session.actor(), &org, &file_name, &form.csv).await {
            Ok(applied) => {
                tracing::info!(invited = applied.invited, granted = applied.granted, org = id, "people imported");
                return Ok(see_other(&format!("/admin/orgs/{id}?notice=people-imported")));
            }
            Err(error) => Err(error),
        }
    } else {
        people::plan(&state.app, session.actor(), &org, &file_name, &form.csv).await
    };
    let mut page = ImportPage::new(&ctx, org, form.csv.clone(), file_name);
    match outcome {
        Ok(plan) => {
            page.preview = Some(Preview {
                invite: plan.count(&Action::Invite),
                grant: plan.count(&Action::Grant),
                held: plan.count(&Action::AlreadyHeld),
                rows: plan
                    .rows
                    .iter()
                    .map(|r| {
                        let what = match r.action {
                            Action::Invite => "New account; an invitation is emailed",
                            Action::Grant => "Has an account; gets the role",
                            Action::AlreadyHeld => "Already holds this role; nothing changes",
                        };
                        (
                            r.line,
                            r.name.to_string(),
                            r.email.to_string(),
                            format!("{} at {}", r.role.label(), r.org.name),
                            what,
                        )
                    })
                    .collect(),
            });
            Ok(render_page(&page)?.into_response())
        }
        Err(academy_app::Error::Rejected(problems)) => {
            page.problems = problems;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// Sends a pending invitation again.
pub async fn resend_invitation(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    academy_app::people::resend_invitation(&state.app, session.actor(), id).await?;
    Ok(see_other(&format!("/admin/people/{id}?notice=invitation-resent")))
}
