//! The person's own account: who they are, their roles, changing their password.

use super::see_other;
use crate::context::{RequestContext, set_session_cookie};
use crate::error::WebError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::accounts;
use academy_core::FieldErrors;
use academy_store::users::GrantRow;
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

async fn page(ctx: &RequestContext, errors: FieldErrors, notice: Option<String>) -> Result<AccountPage, WebError> {
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
pub async fn show_account(ctx: RequestContext, Query(query): Query<NoticeQuery>) -> Result<Response, WebError> {
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
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let changed = accounts::change_password(
        &state.app,
        session.actor(),
        &session.email,
        &form.current_password,
        &form.password,
        &form.password_confirm,
        &ctx.client(),
    )
    .await;
    match changed {
        Ok(token) => {
            let mut response = see_other("/account?notice=password-updated");
            set_session_cookie(&state, &token, &mut response);
            Ok(response)
        }
        Err(academy_app::Error::Invalid(errors)) => {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&ctx, errors, None).await?)
        }
        Err(other) => Err(other.into()),
    }
}
