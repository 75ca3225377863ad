//! Credentials: the public verification page, the signed JSON, the printable certificate,
//! status lists, the did:web document, and revocation by program admins.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{ConfirmPage, Layout, NoticeQuery, Pager, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::learn::credentials::{self as issuing, Verdict};
use academy_core::FieldErrors;
use academy_core::access::Permission;
use academy_core::learning::PdHours;
use academy_core::validation::required_text;
use academy_store::credentials::{self, Credential, CredentialListing};
use academy_store::{orgs, users};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "credentials/show.html")]
struct CredentialPage {
    layout: Layout,
    credential: Credential,
    holder: String,
    issuer_name: String,
    verdict: Verdict,
    hours: PdHours,
    can_revoke: bool,
    url: String,
    errors: FieldErrors,
    reason: String,
}

async fn load(state: &AppState, id: &str) -> Result<Credential, WebError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(WebError::NotFound);
    }
    credentials::get(&state.app.store, id).await?.ok_or(WebError::NotFound)
}

async fn credential_page(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    notice: Option<String>,
    errors: FieldErrors,
    reason: String,
) -> Result<CredentialPage, WebError> {
    let credential = load(state, id).await?;
    let holder = users::get(&state.app.store, credential.user_id).await?.map(|u| u.display_name).unwrap_or_default();
    let verdict = issuing::check(&state.app, &credential).await?;
    let issuer_name = orgs::root(&state.app.store).await?.map_or_else(|| "Academy".to_owned(), |o| o.name);
    Ok(CredentialPage {
        layout: Layout::new(credential.achievement_name.clone(), Some(ctx)).with_notice(notice),
        hours: PdHours::from_tenths(credential.pd_hours_tenths),
        can_revoke: ctx.session.as_ref().is_some_and(|s| s.principal.can_somewhere(Permission::ManageCredentials)),
        url: state.app.config.public_url.link(&format!("/credentials/{id}")),
        holder,
        issuer_name,
        verdict,
        credential,
        errors,
        reason,
    })
}

/// The public verification page.
pub async fn show_credential(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = notice_text(query.notice.as_deref());
    Ok(render_page(&credential_page(&state, &ctx, &id, notice, FieldErrors::new(), String::new()).await?)?
        .into_response())
}

/// The signed credential, for wallets and verifiers.
pub async fn credential_json(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let credential = load(&state, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"credential-{id}.json\"")),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
            // A public document: verifiers that run in a browser fetch it from their own origin.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_owned()),
        ],
        credential.document,
    )
        .into_response())
}

/// The printable certificate, with a QR code of the verification page. A revoked credential
/// has no certificate: a printout would outlive the revocation.
pub async fn certificate_pdf(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let credential = load(&state, &id).await?;
    if credential.revoked_at.is_some() {
        let page = state.app.config.public_url.link(&format!("/credentials/{id}"));
        return Err(WebError::Gone(format!(
            "This credential was revoked, so its certificate is no longer offered. Its page says why: {page}"
        )));
    }
    let holder = users::get(&state.app.store, credential.user_id).await?.map(|u| u.display_name).unwrap_or_default();
    let issuer = orgs::root(&state.app.store).await?.map_or_else(|| "Academy".to_owned(), |o| o.name);
    let description = serde_json::from_str::<serde_json::Value>(&credential.document)
        .ok()
        .and_then(|v| v["credentialSubject"]["achievement"]["description"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let certificate = academy_formats::pdf::Certificate {
        recipient_name: holder,
        achievement_name: credential.achievement_name.clone(),
        description,
        issuer_name: issuer,
        issued_on: credential.issued_at.date_naive(),
        pd_hours: PdHours::from_tenths(credential.pd_hours_tenths),
        verification_url: state.app.config.public_url.link(&format!("/credentials/{id}")),
    };
    let bytes = academy_formats::pdf::certificate(&certificate)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("certificate: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"certificate-{id}.pdf\"")),
        ],
        bytes,
    )
        .into_response())
}

/// A signed Bitstring Status List credential.
pub async fn status_list(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, WebError> {
    let list = credentials::status_list(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let document = list.document.ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json"),
            (header::CACHE_CONTROL, "no-cache, max-age=0"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        document,
    )
        .into_response())
}

/// The did:web DID document, when the issuer is a did:web.
pub async fn did_document(State(state): State<AppState>) -> Result<Response, WebError> {
    if state.app.config.did_web_domain.is_none() {
        return Err(WebError::NotFound);
    }
    let identity = issuing::current_issuer(&state.app).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/did+json"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        identity.did_document().to_string(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "credentials/list.html")]
struct CredentialListPage {
    layout: Layout,
    credentials: Vec<CredentialListing>,
    total: i64,
    pager: Pager,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// Every credential issued, newest first.
pub async fn list_credentials(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let mut pager = Pager::new(query.page, 50);
    let rows = pager.trim(credentials::list(&state.app.store, pager.fetch_limit(), pager.offset()).await?);
    let page = CredentialListPage {
        layout: Layout::new("Credentials", Some(&ctx)),
        total: credentials::count(&state.app.store).await?,
        credentials: rows,
        pager,
    };
    Ok(render_page(&page)?.into_response())
}

/// Fields of the revoke form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    reason: String,
    confirm: String,
}

/// Revokes a credential (its status list is re-signed at once), once the admin has given a
/// reason and confirmed; a missing reason keeps them on the page with the problem named.
pub async fn revoke_credential(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RevokeForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let credential = load(&state, &id).await?;
    if let Err(message) = required_text(&form.reason, "Reason", 500) {
        let mut errors = FieldErrors::new();
        errors.add("reason", message);
        let page = credential_page(&state, &ctx, &id, None, errors, form.reason.clone()).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if !ConfirmPage::confirmed(&form.confirm) {
        let page = ConfirmPage {
            layout: Layout::new(format!("Revoke “{}”?", credential.achievement_name), Some(&ctx)),
            message: format!(
                "Its holder and anyone checking it will see that it is revoked, with your reason: “{}”. \
                 A revoked credential cannot be restored.",
                form.reason.trim()
            ),
            action: format!("/admin/credentials/{id}/revoke"),
            fields: vec![("reason".into(), form.reason.clone())],
            confirm_label: "Yes, revoke it",
            back: format!("/credentials/{id}"),
        };
        return Ok(render_page(&page)?.into_response());
    }
    if issuing::revoke(&state.app, Some(session.actor()), &id, &form.reason).await? {
        Ok(see_other(&format!("/credentials/{id}?notice=credential-revoked")))
    } else {
        Ok(see_other(&format!("/credentials/{id}?notice=credential-already-revoked")))
    }
}
