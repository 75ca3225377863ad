//! The catalog: searching and filtering offerings, and one item with its outline, sessions and
//! the caller's enrollment. Same rules as `/learn/catalog` and `/learn/items/{slug}`: published
//! items for everyone, any status for authors.

use super::{ErrorResponse, page_bounds, search_text};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::state::AppState;
use academy_app::learn::catalog::visible_item;
use academy_core::learning::{Delivery, GradeBand, Strand, Subject};
use academy_core::time;
use academy_store::catalog::{self, CatalogQuery, ItemCard, Length};
use academy_store::progress::{self, StepStatus};
use academy_store::{pathways, workshops};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

/// A string schema allowing exactly `values`.
pub(crate) fn one_of(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().collect::<Vec<_>>()))
        .description(Some(description))
        .build()
}

fn strands() -> Object {
    one_of(Strand::ALL.iter().map(|v| v.slug()), "Strand")
}
fn formats() -> Object {
    one_of(Delivery::ALL.iter().map(|v| v.slug()), "Delivery format")
}
fn grades() -> Object {
    one_of(GradeBand::ALL.iter().map(|v| v.slug()), "Grade band")
}
fn subjects() -> Object {
    one_of(Subject::ALL.iter().map(|v| v.slug()), "Subject (items for all subjects match every subject)")
}
fn lengths() -> Object {
    one_of(["short", "medium", "long"], "Up to 1 hour, 1 to 3 hours, more than 3 hours")
}

/// Search and filters for the catalog. Unknown filter values are a `bad_request`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogSearch {
    /// Words to search for (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Strand.
    #[param(schema_with = strands)]
    pub strand: Option<String>,
    /// Delivery format.
    #[param(schema_with = formats)]
    pub format: Option<String>,
    /// Grade band.
    #[param(schema_with = grades)]
    pub grade: Option<String>,
    /// Subject.
    #[param(schema_with = subjects)]
    pub subject: Option<String>,
    /// Length.
    #[param(schema_with = lengths)]
    pub length: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// A filter parameter: absent is no filter; present, it must be one of the documented values
/// (an empty `strand=` is refused, not read as "any").
fn filter<T: std::str::FromStr<Err = String>>(raw: &Option<String>, name: &str) -> Result<Option<T>, WebError> {
    match raw.as_deref() {
        Some(value) => value.parse().map(Some).map_err(|e| WebError::BadRequest(format!("{name}: {e}"))),
        None => Ok(None),
    }
}

impl CatalogSearch {
    fn query(&self) -> Result<CatalogQuery, WebError> {
        let length = match self.length.as_deref() {
            None => None,
            Some("short") => Some(Length::Short),
            Some("medium") => Some(Length::Medium),
            Some("long") => Some(Length::Long),
            Some(other) => {
                return Err(WebError::BadRequest(format!("length: '{other}' is not one of: short, medium, long")));
            }
        };
        Ok(CatalogQuery {
            text: search_text(self.q.as_deref(), "q", 200)?,
            strand: filter(&self.strand, "strand")?,
            delivery: filter(&self.format, "format")?,
            grade_band: filter(&self.grade, "grade")?,
            subject: filter(&self.subject, "subject")?,
            length,
            include_unpublished: false,
        })
    }
}

/// An offering as the catalog lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogItemSummary {
    /// Id.
    pub id: i64,
    /// URL name (`/api/v1/catalog/{slug}`).
    pub slug: String,
    /// `course`, `workshop` or `lab`.
    pub kind: String,
    /// Strand slug.
    pub strand: String,
    /// Delivery format slug.
    pub format: String,
    /// Title.
    pub title: String,
    /// One or two sentences.
    pub summary: String,
    /// Expected minutes.
    pub minutes: i64,
    /// PD hours awarded on completion.
    pub pd_hours: f64,
    /// `draft`, `published` or `archived`.
    pub status: String,
}

impl From<ItemCard> for CatalogItemSummary {
    fn from(card: ItemCard) -> Self {
        Self {
            id: card.id,
            pd_hours: card.pd_hours().as_f64(),
            slug: card.slug,
            kind: card.kind.slug().to_owned(),
            strand: card.strand.slug().to_owned(),
            format: card.delivery.slug().to_owned(),
            title: card.title,
            summary: card.summary,
            minutes: card.minutes,
            status: card.status.as_str().to_owned(),
        }
    }
}

/// A page of catalog results.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogListResponse {
    /// The items: by relevance when searching, otherwise by strand and title.
    pub items: Vec<CatalogItemSummary>,
    /// Matches in all.
    pub total: i64,
    /// Page size asked for.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
}

/// Searches and filters the published catalog.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    params(CatalogSearch),
    responses((status = 200, body = CatalogListResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse)))]
pub async fn list_catalog_items(
    State(state): State<AppState>,
    Query(search): Query<CatalogSearch>,
) -> Result<Json<CatalogListResponse>, WebError> {
    let (limit, offset) = page_bounds(search.limit, search.offset, 20, 100)?;
    let query = search.query()?;
    let (cards, total) = catalog::search(&state.app.store, &query, limit, offset).await?;
    Ok(Json(CatalogListResponse { items: cards.into_iter().map(Into::into).collect(), total, limit, offset }))
}

/// A step in an item's outline.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutlineStepResponse {
    /// Position in the item, from 1.
    pub position: i64,
    /// Title.
    pub title: String,
    /// `lesson`, `quiz`, `reflection` or `task`.
    pub kind: String,
    /// The caller completed it.
    pub done: bool,
}

/// A module of an item's outline.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutlineModuleResponse {
    /// Title.
    pub title: String,
    /// Its steps, in order.
    pub steps: Vec<OutlineStepResponse>,
}

/// An upcoming session of a workshop.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSummaryResponse {
    /// Id (`/workshops/sessions/{id}` registers).
    pub id: i64,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone it is held in.
    pub time_zone: String,
    /// `virtual` or `hub`.
    pub location: String,
    /// The hub's name, in person.
    pub hub_name: Option<String>,
    /// Seats.
    pub capacity: i64,
    /// Seats taken.
    pub registered: i64,
    /// People waiting.
    pub waitlisted: i64,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// The caller's registration: `registered` or `waitlisted`, if any.
    pub my_registration: Option<String>,
}

/// The caller's enrollment in an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentResponse {
    /// `enrolled`, `in_progress`, `completed` or `withdrawn`.
    pub status: String,
    /// Enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// PD hours awarded.
    pub pd_hours: Option<f64>,
}

/// A pathway an item belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PathwayRef {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
}

/// One offering in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogItemResponse {
    /// The catalog entry.
    #[serde(flatten)]
    pub item: CatalogItemSummary,
    /// Markdown description.
    pub description_md: String,
    /// Completing it issues a credential.
    pub credential_bearing: bool,
    /// Grade band slugs.
    pub grade_bands: Vec<String>,
    /// Subject slugs.
    pub subjects: Vec<String>,
    /// Modules and steps (courses and labs).
    pub outline: Vec<OutlineModuleResponse>,
    /// Upcoming sessions (workshops).
    pub sessions: Vec<SessionSummaryResponse>,
    /// Pathways it counts toward.
    pub pathways: Vec<PathwayRef>,
    /// The caller's enrollment.
    pub enrollment: Option<EnrollmentResponse>,
}

/// One offering: its outline, upcoming sessions, pathways and the caller's enrollment.
#[utoipa::path(get, path = "/api/v1/catalog/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "The item's URL name")),
    responses((status = 200, body = CatalogItemResponse), (status = 401, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn get_catalog_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Json<CatalogItemResponse>, WebError> {
    let session = ctx.session()?;
    let store = &state.app.store;
    let item = visible_item(&state.app, &session.principal, &slug).await?;
    let (bands, subjects) = catalog::facets(store, item.id).await?;
    let enrollment = progress::find(store, session.user_id, item.id).await?;
    let done: HashSet<i64> = match &enrollment {
        Some(e) => progress::step_progress(store, e.id)
            .await?
            .into_iter()
            .filter(|p| p.status == StepStatus::Completed)
            .map(|p| p.step_id)
            .collect(),
        None => HashSet::new(),
    };
    let steps = catalog::steps(store, item.id).await?;
    let outline = catalog::modules(store, item.id)
        .await?
        .into_iter()
        .map(|m| OutlineModuleResponse {
            steps: steps
                .iter()
                .filter(|s| s.module_id == m.id)
                .map(|s| OutlineStepResponse {
                    position: s.position,
                    title: s.title.clone(),
                    kind: s.kind.slug().to_owned(),
                    done: done.contains(&s.id),
                })
                .collect(),
            title: m.title,
        })
        .collect();
    let mut sessions = Vec::new();
    for summary in workshops::sessions_for_item(store, item.id, time::now()).await? {
        let s = &summary.session;
        let mine = workshops::registration(store, s.id, session.user_id)
            .await?
            .map(|r| r.status)
            .filter(|st| *st != workshops::RegistrationStatus::Cancelled);
        sessions.push(SessionSummaryResponse {
            id: s.id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            time_zone: s.time_zone.clone(),
            location: s.location_kind.as_str().to_owned(),
            hub_name: s.hub_name.clone(),
            capacity: s.capacity,
            registered: summary.registered,
            waitlisted: summary.waitlisted,
            status: s.status.as_str().to_owned(),
            my_registration: mine.map(|m| m.as_str().to_owned()),
        });
    }
    let mut in_pathways = Vec::new();
    for id in pathways::containing(store, item.id).await? {
        if let Some(p) = pathways::get(store, id).await? {
            in_pathways.push(PathwayRef { slug: p.slug, title: p.title });
        }
    }
    Ok(Json(CatalogItemResponse {
        description_md: item.description_md.clone(),
        credential_bearing: item.credential_bearing,
        grade_bands: bands.iter().map(|b| b.slug().to_owned()).collect(),
        subjects: subjects.iter().map(|s| s.slug().to_owned()).collect(),
        outline,
        sessions,
        pathways: in_pathways,
        enrollment: enrollment.map(|e| EnrollmentResponse {
            status: e.status.as_str().to_owned(),
            enrolled_at: e.enrolled_at,
            completed_at: e.completed_at,
            pd_hours: e.pd_hours_tenths.map(|t| academy_core::learning::PdHours::from_tenths(t).as_f64()),
        }),
        item: CatalogItemSummary {
            id: item.id,
            pd_hours: item.pd_hours().as_f64(),
            slug: item.slug,
            kind: item.kind.slug().to_owned(),
            strand: item.strand.slug().to_owned(),
            format: item.delivery.slug().to_owned(),
            title: item.title,
            summary: item.summary,
            minutes: item.minutes,
            status: item.status.as_str().to_owned(),
        },
    }))
}
