//! People and the organization tree beyond what `api.rs` has: one person as an admin sees them
//! (like `/admin/people/{id}`), and finding organizations by name within the caller's reach.

use super::catalog::one_of;
use super::{ErrorResponse, OrgRef, OrgResponse, search_text};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::state::AppState;
use academy_app::people::may_revoke;
use academy_core::{OrgKind, Permission};
use academy_store::{orgs, users};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};

/// A role someone holds, with the node it applies at.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantResponse {
    /// The grant's id (revoking it is `POST /admin/grants/{id}/revoke`).
    pub id: i64,
    /// `teacher`, `facilitator`, `org-admin`, `program-admin` or `researcher`.
    pub role: String,
    /// Where it applies (and below).
    pub org: OrgRef,
    /// That node's kind.
    pub org_kind: String,
    /// Whether the caller may revoke it.
    pub revocable: bool,
}

/// A person as an admin sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// `invited`, `active` or `disabled`.
    pub status: String,
    /// Where they teach.
    pub school: Option<OrgRef>,
    /// Their local union.
    pub local: Option<OrgRef>,
    /// Their roles.
    pub roles: Vec<GrantResponse>,
    /// Last sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Account created.
    pub created_at: DateTime<Utc>,
}

/// One person: their place in the tree and their roles (for those who may see the people
/// where they are).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "organizations",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = PersonResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_person(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Json<PersonResponse>, WebError> {
    let session = ctx.session()?;
    let store = &state.app.store;
    let person = users::get(store, id).await?.ok_or(WebError::NotFound)?;
    let org_ref = |org_id: Option<i64>| async move {
        match org_id {
            Some(org_id) => orgs::get(store, org_id).await.map(|o| o.map(|o| OrgRef { id: o.id, name: o.name })),
            None => Ok(None),
        }
    };
    let roles = users::grants(store, id)
        .await?
        .into_iter()
        .map(|g| GrantResponse {
            id: g.id,
            role: g.role.as_str().to_owned(),
            revocable: may_revoke(session.user_id, &session.principal, &g),
            org_kind: g.org_kind.as_str().to_owned(),
            org: OrgRef { id: g.org_id, name: g.org_name },
        })
        .collect();
    Ok(Json(PersonResponse {
        school: org_ref(person.school_id).await?,
        local: org_ref(person.local_id).await?,
        id: person.id,
        email: person.email.to_string(),
        display_name: person.display_name,
        status: person.status.as_str().to_owned(),
        roles,
        last_sign_in_at: person.last_sign_in_at,
        created_at: person.created_at,
    }))
}

fn org_kinds() -> Object {
    one_of(OrgKind::iter().map(OrgKind::as_str), "Only nodes of this kind")
}

/// Finding organizations by name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgSearch {
    /// Text in the name, any case (at most 200 characters; empty lists the first nodes).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only nodes of this kind.
    #[param(schema_with = org_kinds)]
    pub kind: Option<String>,
    /// Most results, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Organizations found.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSearchResponse {
    /// By name.
    pub items: Vec<OrgResponse>,
    /// Most results asked for.
    pub limit: i64,
}

/// Organizations whose name contains the text, within the caller's reach, by name.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organizations",
    params(OrgSearch),
    responses((status = 200, body = OrgSearchResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn search_orgs(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(search): Query<OrgSearch>,
) -> Result<Json<OrgSearchResponse>, WebError> {
    let session = ctx.session()?;
    let limit = search.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(WebError::BadRequest("limit must be between 1 and 100.".into()));
    }
    let text = search_text(search.q.as_deref(), "q", 200)?;
    let kind = match search.kind.as_deref() {
        Some(raw) => Some(raw.parse::<OrgKind>().map_err(|_| {
            let kinds: Vec<&str> = OrgKind::iter().map(OrgKind::as_str).collect();
            WebError::BadRequest(format!("kind must be one of: {}.", kinds.join(", ")))
        })?),
        None => None,
    };
    let mut found = Vec::new();
    for scope in session.principal.scopes(Permission::ViewOrgTree) {
        found.extend(orgs::search(&state.app.store, &scope.org_path, &text, kind, limit).await?);
    }
    found.sort_by_key(|o| (o.name.to_lowercase(), o.id));
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut items = Vec::with_capacity(found.len());
    for org in found {
        let count = orgs::count_children(&state.app.store, org.id).await?;
        items.push(OrgResponse::from_org(org, count));
    }
    Ok(Json(OrgSearchResponse { items, limit }))
}
