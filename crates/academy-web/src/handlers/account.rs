//! The person's own account: who they are, their roles, changing their password.

use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_core::password::{NewPassword, PasswordHash};
use academy_core::{Email, FieldErrors, time};
use academy_store::users::GrantRow;
use academy_store::{audit, sessions, users};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    display_name: String,
    grants: Vec<GrantRow>,
    errors: FieldErrors,
}

async fn page(ctx: &RequestContext, errors: FieldErrors, notice: Option<String>) -> Result<AccountPage, AppError> {
    let session = ctx.session()?;
    Ok(AccountPage {
        layout: Layout::new("Your account", Some(ctx)).with_notice(notice),
        email: session.email.clone(),
        display_name: session.display_name.clone(),
        grants: session.grants.clone(),
        errors,
    })
}

/// The account page.
pub async fn show_account(ctx: RequestContext, Query(query): Query<NoticeQuery>) -> Result<Response, AppError> {
    Ok(render_page(&page(&ctx, FieldErrors::new(), notice_text(query.notice.as_deref())).await?)?.into_response())
}

/// Fields of the change-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangePasswordForm {
    current_password: String,
    password: String,
    password_confirm: String,
}

/// Changes the password after checking the current one; other sessions of the account end.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<ChangePasswordForm>,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let email = Email::parse(&session.email).map_err(|e| AppError::Internal(anyhow::anyhow!("stored email: {e}")))?;
    let account = users::credentials(&state.store, &email).await?.ok_or(AppError::SignInRequired)?;
    let current = form.current_password.clone();
    let stored = account.password_hash.clone().unwrap_or_default();
    let verified = tokio::task::spawn_blocking(move || PasswordHash::from_stored(stored).verify(&current))
        .await
        .map_err(anyhow::Error::from)?;
    let mut errors = FieldErrors::new();
    if !verified {
        errors.add("current_password", "That is not your current password.");
    }
    let password = errors.check("password", NewPassword::parse(&form.password, Some(&session.email)));
    if password.is_some() && form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&ctx, errors, None).await?);
    };
    let hash = tokio::task::spawn_blocking(move || password.hash()).await.map_err(anyhow::Error::from)?;
    let now = time::now();
    let mut tx = state.store.begin().await?;
    users::set_password(&mut tx, session.user_id, hash.as_str(), now).await?;
    sessions::delete_for_user(&mut tx, session.user_id).await?;
    audit::record(&mut tx, Some(session.user_id), "password.changed", &format!("user:{}", session.user_id), None, now)
        .await?;
    tx.commit().await?;
    let mut response = see_other("/account?notice=password-updated");
    super::auth::start_session(
        &state,
        &RequestContext { session: None, ..ctx.clone() },
        session.user_id,
        &mut response,
    )
    .await?;
    Ok(response)
}
