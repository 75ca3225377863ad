//! One person as an admin sees them: their place in the tree, their roles, revoking a role.

use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page};
use crate::state::AppState;
use academy_core::access::Role;
use academy_core::time;
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
}

/// A person's page.
pub async fn show_person(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let session = ctx.session()?;
    let person = users::get(&state.store, id).await?.ok_or(AppError::NotFound)?;
    let grants = users::grants(&state.store, id)
        .await?
        .into_iter()
        .map(|grant| GrantLine { revocable: may_revoke(session.user_id, &session.principal, &grant), grant })
        .collect();
    let name_of = |org_id: Option<i64>| {
        let store = state.store.clone();
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
        history: audit::for_subject(&state.store, &format!("user:{id}"), 20).await?,
        person,
        grants,
    };
    Ok(render_page(&page)?.into_response())
}

/// Whether `actor` may take `grant` away: they must be able to grant that role there, and
/// nobody removes their own program-admin role (the program would risk losing its last admin).
fn may_revoke(actor_id: i64, actor: &academy_core::Principal, grant: &GrantRow) -> bool {
    actor.can_grant(grant.role, &grant.org_path) && !(grant.user_id == actor_id && grant.role == Role::ProgramAdmin)
}

/// Removes a role grant.
pub async fn revoke_grant(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let session = ctx.session()?;
    let grant = users::grant(&state.store, id).await?.ok_or(AppError::NotFound)?;
    if !may_revoke(session.user_id, &session.principal, &grant) {
        return Err(AppError::Forbidden);
    }
    let now = time::now();
    let mut tx = state.store.begin().await?;
    users::remove_grant(&mut tx, grant.id).await?;
    let detail = format!("{} at {}", grant.role, grant.org_name);
    audit::record(
        &mut tx,
        Some(session.user_id),
        "grant.revoke",
        &format!("user:{}", grant.user_id),
        Some(&detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/people/{}?notice=revoked", grant.user_id)))
}
