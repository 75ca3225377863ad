//! The caller's own learning: enrollments, sessions, pathways, credentials and transcript, as
//! `/learn` and `/learn/transcript` show them.

use super::ErrorResponse;
use super::credentials::CredentialSummary;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::state::AppState;
use academy_core::learning::PdHours;
use academy_core::time;
use academy_store::{credentials, pathways, progress, workshops};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// An item the caller is enrolled in.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearningItemResponse {
    /// The item's URL name (`/api/v1/catalog/{slug}`).
    pub slug: String,
    /// Title.
    pub title: String,
    /// `course`, `workshop` or `lab`.
    pub kind: String,
    /// `enrolled`, `in_progress` or `completed`.
    pub status: String,
    /// Steps completed.
    pub steps_done: i64,
    /// Steps in all.
    pub steps_total: i64,
    /// PD hours the item awards.
    pub pd_hours: f64,
    /// Last activity.
    pub updated_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A workshop session the caller holds a seat or a waitlist place in.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySessionResponse {
    /// Session id.
    pub session_id: i64,
    /// The workshop's URL name.
    pub slug: String,
    /// The workshop's title.
    pub title: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone it is held in.
    pub time_zone: String,
    /// `registered` or `waitlisted`.
    pub registration: String,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// `virtual` or `hub`.
    pub location: String,
    /// The hub's name and address, in person.
    pub hub_name: Option<String>,
    /// The hub's address.
    pub hub_address: Option<String>,
    /// The meeting link, online.
    pub meeting_url: Option<String>,
    /// When attendance was recorded.
    pub attended_at: Option<DateTime<Utc>>,
}

/// A pathway the caller is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyPathwayResponse {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Items completed.
    pub items_done: i64,
    /// Items in it.
    pub items_total: i64,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// The caller's learning at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyLearningResponse {
    /// Enrollments, unfinished first, most recent first.
    pub items: Vec<LearningItemResponse>,
    /// Upcoming sessions.
    pub sessions: Vec<MySessionResponse>,
    /// Pathways.
    pub pathways: Vec<MyPathwayResponse>,
    /// Credentials earned, newest first.
    pub credentials: Vec<CredentialSummary>,
    /// PD hours of the completed items.
    pub pd_hours: f64,
}

/// The caller's courses, labs and workshops, sessions, pathways and credentials.
#[utoipa::path(get, path = "/api/v1/me/learning", tag = "learning",
    responses((status = 200, body = MyLearningResponse), (status = 401, body = ErrorResponse)))]
pub async fn get_my_learning(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> Result<Json<MyLearningResponse>, WebError> {
    let session = ctx.session()?;
    let store = &state.app.store;
    let cards = progress::my_learning(store, session.user_id).await?;
    let hours: PdHours =
        cards.iter().filter(|c| c.completed_at.is_some()).map(|c| PdHours::from_tenths(c.item_hours_tenths)).sum();
    let items = cards
        .into_iter()
        .map(|c| LearningItemResponse {
            slug: c.slug,
            title: c.title,
            kind: c.kind.slug().to_owned(),
            status: c.status.as_str().to_owned(),
            steps_done: c.steps_done,
            steps_total: c.steps_total,
            pd_hours: PdHours::from_tenths(c.item_hours_tenths).as_f64(),
            updated_at: c.updated_at,
            completed_at: c.completed_at,
        })
        .collect();
    let sessions = workshops::my_sessions(store, session.user_id, time::now())
        .await?
        .into_iter()
        .map(|s| MySessionResponse {
            session_id: s.session_id,
            slug: s.slug,
            title: s.title,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            time_zone: s.time_zone,
            registration: s.registration_status.as_str().to_owned(),
            status: s.session_status.as_str().to_owned(),
            location: s.location_kind.as_str().to_owned(),
            hub_name: s.hub_name,
            hub_address: s.hub_address,
            meeting_url: s.meeting_url,
            attended_at: s.attended_at,
        })
        .collect();
    let pathways = pathways::mine(store, session.user_id)
        .await?
        .into_iter()
        .map(|p| MyPathwayResponse {
            slug: p.slug,
            title: p.title,
            items_done: p.items_done,
            items_total: p.items_total,
            completed_at: p.completed_at,
        })
        .collect();
    let credentials =
        credentials::for_user(store, session.user_id).await?.iter().map(|c| CredentialSummary::of(&state, c)).collect();
    Ok(Json(MyLearningResponse { items, sessions, pathways, credentials, pd_hours: hours.as_f64() }))
}

/// A line of the transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptLineResponse {
    /// Completed.
    pub completed_at: DateTime<Utc>,
    /// The item's URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// `course`, `workshop` or `lab`.
    pub kind: String,
    /// PD hours awarded.
    pub pd_hours: f64,
}

/// The caller's transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptResponse {
    /// Whose.
    pub name: String,
    /// Everything completed, oldest first.
    pub lines: Vec<TranscriptLineResponse>,
    /// PD hours in all.
    pub total_pd_hours: f64,
}

/// The caller's transcript: every completed item with its PD hours (as CSV at
/// `/learn/transcript.csv`, as PDF at `/learn/transcript.pdf`).
#[utoipa::path(get, path = "/api/v1/me/transcript", tag = "learning",
    responses((status = 200, body = TranscriptResponse), (status = 401, body = ErrorResponse)))]
pub async fn get_my_transcript(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> Result<Json<TranscriptResponse>, WebError> {
    let session = ctx.session()?;
    let lines = progress::transcript(&state.app.store, session.user_id).await?;
    let total: PdHours = lines.iter().map(|l| PdHours::from_tenths(l.pd_hours_tenths)).sum();
    Ok(Json(TranscriptResponse {
        name: session.display_name.clone(),
        lines: lines
            .into_iter()
            .map(|l| TranscriptLineResponse {
                completed_at: l.completed_at,
                slug: l.slug,
                title: l.title,
                kind: l.kind.slug().to_owned(),
                pd_hours: PdHours::from_tenths(l.pd_hours_tenths).as_f64(),
            })
            .collect(),
        total_pd_hours: total.as_f64(),
    }))
}

/// The caller's credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyCredentialsResponse {
    /// Newest first.
    pub items: Vec<CredentialSummary>,
}

/// The credentials the caller earned, newest first.
#[utoipa::path(get, path = "/api/v1/me/credentials", tag = "credentials",
    responses((status = 200, body = MyCredentialsResponse), (status = 401, body = ErrorResponse)))]
pub async fn list_my_credentials(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> Result<Json<MyCredentialsResponse>, WebError> {
    let session = ctx.session()?;
    let mine = credentials::for_user(&state.app.store, session.user_id).await?;
    Ok(Json(MyCredentialsResponse { items: mine.iter().map(|c| CredentialSummary::of(&state, c)).collect() }))
}
