//! Offers of a role or a cohort place, as the person offered them sees and answers them.
//! Anyone else asking for an offer gets a 404, as if it did not exist.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{Layout, render_page};
use crate::state::AppState;
use academy_app::offers::{self as app_offers, Accepted};
use academy_core::time;
use academy_store::offers::{Offer, OfferKind};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "offers/show.html")]
struct OfferPage {
    layout: Layout,
    offer: Offer,
    what: String,
    open: bool,
    cohort: bool,
}

/// An offer made to the signed-in person, with Accept and Decline.
pub async fn show_offer(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let offer = app_offers::offer_for(&state.app, session.user_id, id).await?;
    let page = OfferPage {
        layout: Layout::new("An offer for you", Some(&ctx)),
        what: app_offers::what(&offer),
        open: offer.is_open(time::now()),
        cohort: offer.kind == OfferKind::Cohort,
        offer,
    };
    Ok(render_page(&page)?.into_response())
}

/// Accepts an offer: to the cohort's page, or home with the new role.
pub async fn accept_offer(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    Ok(match app_offers::accept(&state.app, session.actor(), id).await? {
        Accepted::Role { .. } => see_other("/?notice=offer-accepted"),
        Accepted::Cohort { .. } => see_other("/learn?notice=offer-accepted"),
    })
}

/// Declines an offer.
pub async fn decline_offer(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    app_offers::decline(&state.app, session.actor(), id).await?;
    Ok(see_other("/?notice=offer-declined"))
}
