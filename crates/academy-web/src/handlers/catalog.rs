//! The catalog: browsing and searching offerings, an item's page, enrolling.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::learn_pages::markdown_in_section;
use crate::pages::{Layout, NoticeQuery, Pager, notice_text, render_page};
use crate::state::AppState;
use academy_app::learn::catalog::visible_item;
use academy_app::learn::times::session_time;
use academy_core::learning::{Delivery, GradeBand, ItemKind, StepKind, Strand, Subject};
use academy_core::time;
use academy_store::catalog::{self, CatalogQuery, Item, ItemCard, Length};
use academy_store::progress::{self, Enrollment, StepStatus};
use academy_store::workshops::{LocationKind, RegistrationStatus, SessionStatus};
use academy_store::{pathways, workshops};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashSet;

/// A choice in a filter.
pub struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    chosen: Option<T>,
    slug: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: slug(*v), label: label(*v), selected: chosen == Some(*v) }).collect()
}

#[derive(Template)]
#[template(path = "learn/catalog.html")]
struct CatalogPage {
    layout: Layout,
    q: String,
    strands: Vec<Choice>,
    formats: Vec<Choice>,
    grades: Vec<Choice>,
    subjects: Vec<Choice>,
    lengths: Vec<Choice>,
    items: Vec<ItemCard>,
    total: i64,
    pager: Pager,
    query_string: String,
    filtered: bool,
}

/// The catalog's filters, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct CatalogParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    strand: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    length: String,
    page: Option<i64>,
}

fn length_of(raw: &str) -> Option<Length> {
    match raw {
        "short" => Some(Length::Short),
        "medium" => Some(Length::Medium),
        "long" => Some(Length::Long),
        _ => None,
    }
}

fn length_slug(length: Length) -> &'static str {
    match length {
        Length::Short => "short",
        Length::Medium => "medium",
        Length::Long => "long",
    }
}

fn length_label(length: Length) -> &'static str {
    match length {
        Length::Short => "Up to 1 hour",
        Length::Medium => "1 to 3 hours",
        Length::Long => "More than 3 hours",
    }
}

/// Parses the filters; unknown values are ignored (a stale bookmark still shows the catalog).
pub fn parse_catalog_params(params: &CatalogParams) -> CatalogQuery {
    CatalogQuery {
        text: params.q.chars().take(200).collect(),
        strand: params.strand.parse::<Strand>().ok(),
        delivery: params.format.parse::<Delivery>().ok(),
        grade_band: params.grade.parse::<GradeBand>().ok(),
        subject: params.subject.parse::<Subject>().ok(),
        length: length_of(&params.length),
        include_unpublished: false,
    }
}

/// The catalog.
pub async fn list_catalog(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(params): Query<CatalogParams>,
) -> Result<Response, WebError> {
    let query = parse_catalog_params(&params);
    let mut pager = Pager::new(params.page, 20);
    let (items, total) = catalog::search(&state.app.store, &query, pager.per_page, pager.offset()).await?;
    pager.has_next = pager.offset() + (items.len() as i64) < total;
    let filtered = !query.text.trim().is_empty()
        || query.strand.is_some()
        || query.delivery.is_some()
        || query.grade_band.is_some()
        || query.subject.is_some()
        || query.length.is_some();
    let query_string = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &params.q)
        .append_pair("strand", &params.strand)
        .append_pair("format", &params.format)
        .append_pair("grade", &params.grade)
        .append_pair("subject", &params.subject)
        .append_pair("length", &params.length)
        .finish();
    let page = CatalogPage {
        layout: Layout::new("Catalog", Some(&ctx)),
        q: params.q.clone(),
        strands: choices(Strand::ALL, query.strand, Strand::slug, Strand::label),
        formats: choices(Delivery::ALL, query.delivery, Delivery::slug, Delivery::label),
        grades: choices(GradeBand::ALL, query.grade_band, GradeBand::slug, GradeBand::label),
        subjects: choices(Subject::ALL, query.subject, Subject::slug, Subject::label),
        lengths: choices(&[Length::Short, Length::Medium, Length::Long], query.length, length_slug, length_label),
        items,
        total,
        pager,
        query_string,
        filtered,
    };
    Ok(render_page(&page)?.into_response())
}

/// A step in an item's outline.
pub struct OutlineStep {
    position: i64,
    title: String,
    kind: StepKind,
    done: bool,
}

/// A module in an item's outline.
pub struct OutlineModule {
    title: String,
    steps: Vec<OutlineStep>,
}

/// A session as an item's page lists it.
pub struct SessionLine {
    id: i64,
    when: String,
    place: String,
    seats_left: i64,
    waitlisted: i64,
    cancelled: bool,
    mine: Option<RegistrationStatus>,
}

#[derive(Template)]
#[template(path = "learn/item.html")]
struct ItemPage {
    layout: Layout,
    item: Item,
    description: String,
    bands: Vec<GradeBand>,
    subjects: Vec<Subject>,
    outline: Vec<OutlineModule>,
    enrollment: Option<Enrollment>,
    feedback: Vec<academy_store::feedback::Feedback>,
    done_steps: usize,
    total_steps: usize,
    sessions: Vec<SessionLine>,
    pathways: Vec<(String, String)>,
    can_author: bool,
}

/// An item's page.
pub async fn show_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let item = visible_item(&state.app, &session.principal, &slug).await?;
    let (bands, subjects) = catalog::facets(&state.app.store, item.id).await?;
    let enrollment = progress::find(&state.app.store, session.user_id, item.id).await?;
    let feedback = match &enrollment {
        Some(e) => academy_app::learn::review::feedback_for(&state.app, e).await?,
        None => Vec::new(),
    };
    let done: HashSet<i64> = match &enrollment {
        Some(e) => progress::step_progress(&state.app.store, e.id)
            .await?
            .into_iter()
            .filter(|p| p.status == StepStatus::Completed)
            .map(|p| p.step_id)
            .collect(),
        None => HashSet::new(),
    };
    let modules = catalog::modules(&state.app.store, item.id).await?;
    let steps = catalog::steps(&state.app.store, item.id).await?;
    let outline: Vec<OutlineModule> = modules
        .iter()
        .map(|m| OutlineModule {
            title: m.title.clone(),
            steps: steps
                .iter()
                .filter(|s| s.module_id == m.id)
                .map(|s| OutlineStep {
                    position: s.position,
                    title: s.title.clone(),
                    kind: s.kind,
                    done: done.contains(&s.id),
                })
                .collect(),
        })
        .collect();
    let mut sessions = Vec::new();
    if item.kind == ItemKind::Workshop {
        for summary in workshops::sessions_for_item(&state.app.store, item.id, time::now()).await? {
            let s = &summary.session;
            let mine = workshops::registration(&state.app.store, s.id, session.user_id)
                .await?
                .map(|r| r.status)
                .filter(|st| *st != RegistrationStatus::Cancelled);
            sessions.push(SessionLine {
                id: s.id,
                when: session_time(s),
                place: match s.location_kind {
                    LocationKind::Hub => s.hub_name.clone().unwrap_or_else(|| "In person".into()),
                    LocationKind::Virtual => "Online".into(),
                },
                seats_left: (s.capacity - summary.registered).max(0),
                waitlisted: summary.waitlisted,
                cancelled: s.status == SessionStatus::Cancelled,
                mine,
            });
        }
    }
    let mut in_pathways = Vec::new();
    for id in pathways::containing(&state.app.store, item.id).await? {
        if let Some(p) = pathways::get(&state.app.store, id).await? {
            in_pathways.push((p.slug, p.title));
        }
    }
    let page = ItemPage {
        layout: Layout::new(item.title.clone(), Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        description: markdown_in_section(&item.description_md),
        bands,
        subjects,
        done_steps: done.len(),
        total_steps: steps.len(),
        outline,
        enrollment,
        feedback: feedback.into_iter().filter(|f| f.step_id.is_none()).collect(),
        sessions,
        pathways: in_pathways,
        can_author: academy_app::authoring::may_author(&state.app, &session.principal, item.owner_org_id).await?,
        item,
    };
    Ok(render_page(&page)?.into_response())
}

/// Enrolls in a course or lab and opens its first step.
pub async fn enroll_in_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let item = visible_item(&state.app, &session.principal, &slug).await?;
    academy_app::learn::progress::enroll(&state.app, session.user_id, &item).await?;
    Ok(see_other(&format!("/learn/items/{}/continue", item.slug)))
}
