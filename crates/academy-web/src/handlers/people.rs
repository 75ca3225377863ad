//! One person as an admin sees them: their place in the tree, their roles, revoking a role.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{ConfirmPage, Layout, NoticeQuery, notice_text, render_page};
use crate::state::AppState;
use academy_app::people::may_revoke;
use academy_store::audit::AuditEvent;
use academy_store::users::{GrantRow, User};
use academy_store::{audit, orgs, users};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

struct GrantLine {
    grant: GrantRow,
    revocable: bool,
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct PersonPage {
    layout: Layout,
    person: User,
    school: Option<String>,
    local: Option<String>,
    grants: Vec<GrantLine>,
    history: Vec<AuditEvent>,
    can_invite: bool,
}

/// A person's page.
pub async fn show_person(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let person = users::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let grants = users::grants(&state.app.store, id)
        .await?
        .into_iter()
        .map(|grant| GrantLine { revocable: may_revoke(session.user_id, &session.principal, &grant), grant })
        .collect();
    let name_of = |org_id: Option<i64>| {
        let store = state.app.store.clone();
        async move {
            match org_id {
                Some(org_id) => orgs::get(&store, org_id).await.map(|o| o.map(|o| o.name)),
                None => Ok(None),
            }
        }
    };
    let page = PersonPage {
        layout: Layout::new(person.display_name.clone(), Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        school: name_of(person.school_id).await?,
        local: name_of(person.local_id).await?,
        history: audit::for_subject(&state.app.store, &format!("user:{id}"), 20)
            .await?
            .into_iter()
            .map(|mut event| {
                event.action = academy_app::history::describe(&event.action).to_owned();
                event
            })
            .collect(),
        can_invite: session.principal.can_somewhere(academy_core::Permission::InviteUsers),
        person,
        grants,
    };
    Ok(render_page(&page)?.into_response())
}

/// Fields of a confirmed action.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
}

impl ConfirmForm {
    /// Whether the action was confirmed.
    pub fn confirmed(&self) -> bool {
        ConfirmPage::confirmed(&self.confirm)
    }
}

/// Removes a role grant, once confirmed.
pub async fn revoke_grant(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    if !form.confirmed() {
        let grant = users::grant(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
        let person = users::get(&state.app.store, grant.user_id).await?.ok_or(WebError::NotFound)?;
        let page = ConfirmPage {
            layout: Layout::new(format!("Remove {}'s role?", person.display_name), Some(&ctx)),
            message: format!(
                "{} will no longer be {} at {} and loses what that role allows there.",
                person.display_name,
                grant.role.label().to_lowercase(),
                grant.org_name
            ),
            action: format!("/admin/grants/{id}/revoke"),
            fields: Vec::new(),
            confirm_label: "Yes, remove the role",
            back: format!("/admin/people/{}", grant.user_id),
        };
        return Ok(render_page(&page)?.into_response());
    }
    let user_id = academy_app::people::revoke_grant(&state.app, session.actor(), id).await?;
    Ok(see_other(&format!("/admin/people/{user_id}?notice=revoked")))
}
