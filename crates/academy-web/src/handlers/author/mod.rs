//! Authoring: courses, labs and workshops (their catalog entry, content and sessions), and
//! pathways. Handlers parse the forms; `academy_app::authoring` and
//! `academy_app::learn::workshops` apply the changes.
//!
//! - [`items`]: catalog entries and their status, and an item as its authors see it.
//! - [`content`]: course packages in and out, and the step editor.
//! - [`sessions`]: scheduling, changing and cancelling workshop sessions.
//! - [`pathways`]: the pathway form.

pub mod content;
pub mod items;
pub mod pathways;
pub mod sessions;

use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page};
use crate::state::AppState;
use academy_store::catalog::{self, ItemCard, ItemStatus};
use academy_store::pathways::Pathway;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

/// Form fields as (name, value) pairs, keeping repeated names (checkboxes).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn fields<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

/// Whether `slug` is a valid URL name.
pub fn is_slug(slug: &str) -> bool {
    (3..=80).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// Every catalog item, drafts included, for authors' lists and the pathway form.
async fn all_items(state: &AppState) -> Result<Vec<ItemCard>, WebError> {
    let all = catalog::CatalogQuery { include_unpublished: true, ..catalog::CatalogQuery::default() };
    Ok(catalog::search(&state.app.store, &all, 1000, 0).await?.0)
}

#[derive(Template)]
#[template(path = "author/index.html")]
struct AuthorIndex {
    layout: Layout,
    items: Vec<ItemCard>,
    pathways: Vec<Pathway>,
    /// Published workshops of other organizations that the person may offer sessions of.
    workshops: Vec<ItemCard>,
}

/// What the person may change, drafts included, and the published workshops they may
/// schedule sessions of.
pub async fn show_author_home(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let (items, pathways) = academy_app::authoring::changeable(&state.app, &session.principal).await?;
    let (mine, others): (Vec<ItemCard>, Vec<ItemCard>) =
        all_items(&state).await?.into_iter().partition(|i| items.contains(&i.id));
    let workshops = if session.principal.can_somewhere(academy_core::Permission::RunSessions) {
        others
            .into_iter()
            .filter(|i| i.kind == academy_core::learning::ItemKind::Workshop && i.status == ItemStatus::Published)
            .collect()
    } else {
        Vec::new()
    };
    let page = AuthorIndex {
        layout: Layout::new("Authoring", Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        items: mine,
        pathways: academy_store::pathways::list(&state.app.store, true)
            .await?
            .into_iter()
            .filter(|p| pathways.contains(&p.id))
            .collect(),
        workshops,
    };
    Ok(render_page(&page)?.into_response())
}
