//! The mail outbox, for program admins.

use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{Layout, Pager, render_page};
use crate::state::AppState;
use academy_store::outbox::{self, OutboxMessage};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "outbox/list.html")]
struct OutboxPage {
    layout: Layout,
    messages: Vec<OutboxMessage>,
    pager: Pager,
    uses_outbox: bool,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// The newest messages.
pub async fn list_outbox(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let mut pager = Pager::new(query.page, 50);
    let messages = pager.trim(outbox::list(&state.app.store, None, pager.fetch_limit(), pager.offset()).await?);
    let page = OutboxPage {
        layout: Layout::new("Outbox", Some(&ctx)),
        messages,
        pager,
        uses_outbox: state.app.mailer.uses_outbox(),
    };
    Ok(render_page(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "outbox/show.html")]
struct MessagePage {
    layout: Layout,
    message: OutboxMessage,
}

/// One message, in full.
pub async fn show_outbox_message(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let message = outbox::get(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let page = MessagePage { layout: Layout::new(message.subject.clone(), Some(&ctx)), message };
    Ok(render_page(&page)?.into_response())
}
