//! Credentials: one credential with its verification (public, like its page), the caller's own
//! (in `learning`), and every credential issued (program admins, like `/admin/credentials`).

use super::{ErrorResponse, Paging};
use crate::error::WebError;
use crate::state::AppState;
use academy_app::learn::credentials as issuing;
use academy_core::learning::PdHours;
use academy_store::credentials::{self, Credential};
use academy_store::{orgs, users};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A credential as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialSummary {
    /// Id (a UUID).
    pub id: String,
    /// What it recognizes.
    pub achievement_name: String,
    /// PD hours it carries.
    pub pd_hours: f64,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The public verification page.
    pub url: String,
    /// The signed Open Badges 3.0 credential (JSON-LD).
    pub credential_url: String,
    /// The printable certificate (PDF).
    pub certificate_url: String,
}

impl CredentialSummary {
    /// The summary of a stored credential, with its public links.
    pub fn of(state: &AppState, c: &Credential) -> Self {
        let link = |tail: &str| state.app.config.public_url.link(&format!("/credentials/{}{tail}", c.id));
        Self {
            id: c.id.clone(),
            achievement_name: c.achievement_name.clone(),
            pd_hours: PdHours::from_tenths(c.pd_hours_tenths).as_f64(),
            issued_at: c.issued_at,
            revoked_at: c.revoked_at,
            url: link(""),
            credential_url: link("/credential.json"),
            certificate_url: link("/certificate.pdf"),
        }
    }
}

/// What checking a credential found, as an outside verifier would.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationResponse {
    /// The Data Integrity proof checks out against the issuer's key.
    pub signature_valid: bool,
    /// Revoked according to its status list.
    pub revoked: bool,
    /// Why the proof does not check out, when it does not.
    pub problem: Option<String>,
    /// The issuer's DID.
    pub issuer: String,
}

/// One credential, publicly verifiable.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialResponse {
    /// The credential.
    #[serde(flatten)]
    pub summary: CredentialSummary,
    /// Whose it is.
    pub holder_name: String,
    /// Who issued it.
    pub issuer_name: String,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// What checking it found.
    pub verification: VerificationResponse,
    /// The signed credential itself.
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
}

/// One credential and whether it verifies: public, like its verification page.
#[utoipa::path(get, path = "/api/v1/credentials/{id}", tag = "credentials",
    params(("id" = String, Path, description = "The credential's id (a UUID)")),
    responses((status = 200, body = CredentialResponse), (status = 404, body = ErrorResponse)),
    security(()))]
pub async fn get_credential(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CredentialResponse>, WebError> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(WebError::NotFound);
    }
    let credential = credentials::get(&state.app.store, &id).await?.ok_or(WebError::NotFound)?;
    let holder = users::get(&state.app.store, credential.user_id).await?.map(|u| u.display_name).unwrap_or_default();
    let issuer_name = orgs::root(&state.app.store).await?.map_or_else(|| "Academy".to_owned(), |o| o.name);
    let verdict = issuing::check(&state.app, &credential).await?;
    let document = serde_json::from_str(&credential.document)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("credential {id} is not JSON: {e}")))?;
    Ok(Json(CredentialResponse {
        summary: CredentialSummary::of(&state, &credential),
        holder_name: holder,
        issuer_name,
        revocation_reason: credential.revocation_reason.clone(),
        verification: VerificationResponse {
            signature_valid: verdict.signature_valid,
            revoked: verdict.revoked,
            problem: verdict.problem,
            issuer: verdict.issuer,
        },
        document,
    }))
}

/// A credential as program admins list them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialListingResponse {
    /// Id.
    pub id: String,
    /// The holder's name.
    pub holder_name: String,
    /// The holder's email.
    pub holder_email: String,
    /// What it recognizes.
    pub achievement_name: String,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A page of credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialListResponse {
    /// Newest first.
    pub items: Vec<CredentialListingResponse>,
    /// Credentials issued in all.
    pub total: i64,
    /// Page size asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// Every credential issued, newest first (program admins).
#[utoipa::path(get, path = "/api/v1/credentials", tag = "credentials",
    params(Paging),
    responses((status = 200, body = CredentialListResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn list_credentials(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> Result<Json<CredentialListResponse>, WebError> {
    let (limit, offset) = paging.bounds()?;
    let items = credentials::list(&state.app.store, limit, offset)
        .await?
        .into_iter()
        .map(|c| CredentialListingResponse {
            id: c.id,
            holder_name: c.holder,
            holder_email: c.email,
            achievement_name: c.achievement_name,
            issued_at: c.issued_at,
            revoked_at: c.revoked_at,
        })
        .collect();
    Ok(Json(CredentialListResponse { items, total: credentials::count(&state.app.store).await?, limit, offset }))
}
