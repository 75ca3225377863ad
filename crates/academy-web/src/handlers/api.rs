//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document at
//! `/api/v1/openapi.json`. Clients authenticate with the session cookie; unsafe methods also
//! send the session's CSRF token (from `GET /api/v1/me`) in `X-CSRF-Token`.
//!
//! Each route has the same access rule as the page that shows the same thing (`routes.rs`),
//! and each handler calls the same use case or store query as that page. This file holds the
//! identity and organization routes, the shared types (errors, paging) and the document;
//! [`catalog`], [`learning`], [`credentials`], [`people`] and [`reports`] hold the rest.

pub mod catalog;
pub mod credentials;
pub mod learning;
pub mod people;
pub mod reports;

use crate::context::RequestContext;
use crate::error::WebError;
use crate::state::AppState;
use academy_app::{orgs as app_orgs, people as app_people};
use academy_core::org::NewOrg;
use academy_core::validation::required_text;
use academy_core::{FieldErrors, Locale, NcesId, OrgKind, UsState};
use academy_store::orgs::{Org, OrgWithCount};
use academy_store::{orgs, users};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// A JSON body whose parse errors become `bad_request` errors naming the problem.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(WebError::BadRequest("Send the body as JSON with Content-Type: application/json.".into()))
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(WebError::PayloadTooLarge),
            Err(rejection) => Err(WebError::BadRequest(rejection.body_text())),
        }
    }
}

/// An organization reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A role the caller holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleResponse {
    /// `teacher`, `facilitator`, `org-admin`, `program-admin` or `researcher`.
    pub role: String,
    /// The node it applies at (and below).
    pub org: OrgRef,
    /// That node's kind.
    pub org_kind: String,
}

/// The signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Roles and where they apply.
    pub roles: Vec<RoleResponse>,
    /// Where they teach.
    pub school: Option<OrgRef>,
    /// Their local union.
    pub local: Option<OrgRef>,
    /// Send this in `X-CSRF-Token` with every POST.
    pub csrf_token: String,
}

/// A node of the organization tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgResponse {
    /// Id.
    pub id: i64,
    /// The node above.
    pub parent_id: Option<i64>,
    /// `national`, `state_federation`, `local_union`, `district` or `school`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// USPS state code.
    pub state: Option<String>,
    /// NCES id.
    pub nces_id: Option<String>,
    /// `city`, `suburb`, `town` or `rural`.
    pub locale: Option<String>,
    /// Title I school.
    pub title_i: Option<bool>,
    /// Nodes directly below.
    pub child_count: i64,
}

impl OrgResponse {
    fn from_org(org: Org, child_count: i64) -> Self {
        Self {
            id: org.id,
            parent_id: org.parent_id,
            kind: org.kind.as_str().to_owned(),
            name: org.name,
            state: org.state,
            nces_id: org.nces_id,
            locale: org.locale,
            title_i: org.title_i,
            child_count,
        }
    }
}

/// A page of organizations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgListResponse {
    /// The organizations.
    pub items: Vec<OrgResponse>,
    /// Page size asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// A person at a node.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// `invited`, `active` or `disabled`.
    pub status: String,
    /// Their school's name.
    pub school_name: Option<String>,
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberListResponse {
    /// The people.
    pub items: Vec<MemberResponse>,
    /// Page size asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

fn child_kinds() -> utoipa::openapi::schema::Object {
    catalog::one_of(
        [OrgKind::StateFederation, OrgKind::LocalUnion, OrgKind::District, OrgKind::School].map(OrgKind::as_str),
        "What the new node is, as its parent allows",
    )
}

fn grantable_roles() -> utoipa::openapi::schema::Object {
    use strum::IntoEnumIterator;
    catalog::one_of(academy_core::Role::iter().map(academy_core::Role::as_str), "The role, as the caller may grant")
}

/// A node to create below the path's node.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrgRequest {
    /// `state_federation`, `local_union`, `district` or `school`, as the parent allows.
    #[schema(schema_with = child_kinds)]
    pub kind: String,
    /// Name (at most 200 characters).
    #[schema(max_length = 200)]
    pub name: String,
    /// USPS state code; defaults to the parent's.
    pub state: Option<String>,
    /// NCES id (districts: 7 digits, schools: 12).
    pub nces_id: Option<String>,
    /// `city`, `suburb`, `town` or `rural` (schools).
    pub locale: Option<String>,
    /// Title I (schools).
    pub title_i: Option<bool>,
}

/// Someone to invite at the path's node.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvitationRequest {
    /// Their email.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The role they get at the node.
    #[schema(schema_with = grantable_roles)]
    pub role: String,
}

/// An invitation that was created and queued for sending.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    /// The new person's id.
    pub user_id: i64,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: String,
    /// Where.
    pub org_id: i64,
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code: `not_found`, `unauthenticated`, `forbidden`, `csrf_failed`,
    /// `validation_failed`, `conflict`, `bad_request`, `rate_limited`, `payload_too_large`,
    /// `method_not_allowed`, `unsupported_media_type`, `internal`.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// For `validation_failed`: the fields and their problems; for `conflict`: the field whose
    /// value is taken. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ErrorDetails>,
}

/// Structured detail of an error.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ErrorDetails {
    /// `validation_failed`: one entry per problem.
    Fields(Vec<FieldErrorResponse>),
    /// `conflict`: the field whose value is already taken.
    Conflict(ConflictDetails),
}

/// One input field's problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorResponse {
    /// The field, as named in the body or query.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The field whose value is already taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictDetails {
    /// Its name.
    pub field: String,
}

/// Paging for lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Rows per page, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl Paging {
    /// The page asked for, checked.
    pub fn bounds(&self) -> Result<(i64, i64), WebError> {
        page_bounds(self.limit, self.offset, 100, 500)
    }
}

/// Checks `limit` (1 to `max`, default `default`) and `offset` (not negative, default 0).
pub fn page_bounds(limit: Option<i64>, offset: Option<i64>, default: i64, max: i64) -> Result<(i64, i64), WebError> {
    let limit = limit.unwrap_or(default);
    let offset = offset.unwrap_or(0);
    if !(1..=max).contains(&limit) {
        return Err(WebError::BadRequest(format!("limit must be between 1 and {max}.")));
    }
    if offset < 0 {
        return Err(WebError::BadRequest("offset must not be negative.".into()));
    }
    Ok((limit, offset))
}

/// Search text from a query parameter: trimmed, at most `max` characters, no control
/// characters (PostgreSQL cannot even compare a text holding NUL).
pub fn search_text(raw: Option<&str>, name: &str, max: usize) -> Result<String, WebError> {
    let text = raw.unwrap_or("").trim();
    if text.chars().count() > max {
        return Err(WebError::BadRequest(format!("{name} must be at most {max} characters.")));
    }
    if text.chars().any(char::is_control) {
        return Err(WebError::BadRequest(format!("{name} must not contain control characters.")));
    }
    Ok(text.to_owned())
}

/// Paging and a filter for the people at a node.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberSearch {
    /// Rows per page, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Text in the name or email (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorResponse)))]
pub async fn get_me(State(state): State<AppState>, ctx: RequestContext) -> Result<Json<MeResponse>, WebError> {
    let session = ctx.session()?;
    let user = users::get(&state.app.store, session.user_id).await?.ok_or(WebError::SignInRequired)?;
    let org_ref = |id: Option<i64>| {
        let store = state.app.store.clone();
        async move {
            match id {
                Some(id) => orgs::get(&store, id).await.map(|o| o.map(|o| OrgRef { id: o.id, name: o.name })),
                None => Ok(None),
            }
        }
    };
    Ok(Json(MeResponse {
        id: user.id,
        email: user.email.to_string(),
        display_name: user.display_name.clone(),
        roles: session
            .grants
            .iter()
            .map(|g| RoleResponse {
                role: g.role.as_str().to_owned(),
                org: OrgRef { id: g.org_id, name: g.org_name.clone() },
                org_kind: g.org_kind.as_str().to_owned(),
            })
            .collect(),
        school: org_ref(user.school_id).await?,
        local: org_ref(user.local_id).await?,
        csrf_token: session.csrf_token.clone(),
    }))
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    responses((status = 200, body = OrgResponse), (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn get_org(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<OrgResponse>, WebError> {
    let org = orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let count = orgs::count_children(&state.app.store, id).await?;
    Ok(Json(OrgResponse::from_org(org, count)))
}

/// The organizations directly below one, by name.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/children", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), Paging),
    responses((status = 200, body = OrgListResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn list_org_children(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Json<OrgListResponse>, WebError> {
    let (limit, offset) = paging.bounds()?;
    let items = orgs::children(&state.app.store, id, limit, offset)
        .await?
        .into_iter()
        .map(|OrgWithCount { org, child_count }| OrgResponse::from_org(org, child_count))
        .collect();
    Ok(Json(OrgListResponse { items, limit, offset }))
}

/// Creates an organization below one.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/children", tag = "organizations",
    params(("id" = i64, Path, description = "Parent organization id")),
    request_body = NewOrgRequest,
    responses((status = 201, body = OrgResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("session" = [], "csrf" = [])))]
pub async fn create_org_child(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewOrgRequest>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let parent = orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let mut errors = FieldErrors::new();
    let kind = match body.kind.parse::<OrgKind>() {
        Ok(kind) if kind.may_hang_below(Some(parent.kind)) => Some(kind),
        _ => {
            let allowed: Vec<&str> = parent.kind.child_kinds().iter().map(|k| k.as_str()).collect();
            errors.add("kind", format!("Below a {} use one of: {}.", parent.kind.as_str(), allowed.join(", ")));
            None
        }
    };
    let name = errors.check("name", required_text(&body.name, "Name", 200));
    let state_code = body.state.or(parent.state.clone()).map(|s| UsState::parse(&s));
    let state_code = match state_code {
        Some(result) => errors.check("state", result),
        None => None,
    };
    let nces_id = match (&body.nces_id, kind) {
        (Some(raw), Some(kind)) => errors.check("nces_id", NcesId::parse(raw, kind)),
        _ => None,
    };
    let locale = match &body.locale {
        Some(raw) => errors.check("locale", raw.parse::<Locale>().map_err(|_| "Use city, suburb, town or rural.")),
        None => None,
    };
    let (Some(kind), Some(name)) = (kind, name) else {
        return Err(WebError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(WebError::Validation(errors));
    }
    let new =
        NewOrg { parent_id: Some(parent.id), kind, name, state: state_code, nces_id, locale, title_i: body.title_i };
    new.check_attributes().map_err(WebError::Validation)?;
    let created = app_orgs::create_child(&state.app, session.actor(), &parent, new).await?;
    Ok((StatusCode::CREATED, Json(OrgResponse::from_org(created, 0))).into_response())
}

/// The people at and below an organization.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), MemberSearch),
    responses((status = 200, body = MemberListResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn list_org_members(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(search): Query<MemberSearch>,
) -> Result<Json<MemberListResponse>, WebError> {
    let (limit, offset) = page_bounds(search.limit, search.offset, 100, 500)?;
    let text = search_text(search.q.as_deref(), "q", 200)?;
    let org = orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let items = users::members(&state.app.store, &org.path, &text, limit, offset)
        .await?
        .into_iter()
        .map(|m| MemberResponse {
            id: m.id,
            email: m.email,
            display_name: m.display_name,
            status: m.status.as_str().to_owned(),
            school_name: m.school_name,
        })
        .collect();
    Ok(Json(MemberListResponse { items, limit, offset }))
}

/// Invites someone to an organization with a role there; the invitation email is queued.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/invitations", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = NewInvitationRequest,
    responses((status = 201, body = InvitationResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("session" = [], "csrf" = [])))]
pub async fn create_invitation(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewInvitationRequest>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let org = orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let invitation =
        app_people::parse_invitation(&session.principal, &org, &body.email, &body.display_name, &body.role)
            .map_err(WebError::Validation)?;
    let user_id = app_people::invite(&state.app, session.actor(), &org, &invitation).await?;
    let response = InvitationResponse {
        user_id,
        email: invitation.email.to_string(),
        role: invitation.role.as_str().to_owned(),
        org_id: org.id,
    };
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Academy API", version = "1", description = "Academy's JSON API. Sign in at `/sign-in` for the session cookie; send the `csrf_token` from `GET /api/v1/me` in `X-CSRF-Token` with every POST. Each route has the same access rule as the page that shows the same thing. Errors are `{\"error\": {\"code\", \"message\", \"details\"}}` with a stable code."),
    paths(
        get_me, get_org, list_org_children, create_org_child, list_org_members, create_invitation,
        people::search_orgs, people::get_person,
        catalog::list_catalog_items, catalog::get_catalog_item,
        learning::get_my_learning, learning::get_my_transcript, learning::list_my_credentials,
        credentials::list_credentials, credentials::get_credential,
        reports::get_program_report,
    ),
    components(schemas(ErrorResponse, ErrorDetail, ErrorDetails, FieldErrorResponse, ConflictDetails)),
    modifiers(&SecuritySchemes),
    security(("session" = [])),
    tags(
        (name = "identity", description = "Who is signed in"),
        (name = "organizations", description = "The organization tree and its people"),
        (name = "catalog", description = "Courses, workshops and labs"),
        (name = "learning", description = "The caller's own learning and transcript"),
        (name = "credentials", description = "Open Badges 3.0 credentials"),
        (name = "reports", description = "Program reports"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "academy_session",
                "The session cookie set at sign-in (`__Host-academy_session` over HTTPS).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The `csrf_token` from `GET /api/v1/me`; required on every POST.",
            ))),
        );
    }
}

/// Serves the OpenAPI 3.1 document.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
