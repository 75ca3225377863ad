//! Workshop sessions as authors and facilitators schedule, change and cancel them (one form,
//! two modes).

use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::items as authoring;
use academy_app::learn::times::is_time_zone;
use academy_app::learn::workshops::{self as learn, session_with_item};
use academy_core::FieldErrors;
use academy_core::learning::{Delivery, ItemKind};
use academy_store::catalog::Item;
use academy_store::workshops::{LocationKind, NewSession};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "author/session_form.html")]
struct SessionFormPage {
    layout: Layout,
    item: Item,
    action: String,
    form: SessionForm,
    errors: FieldErrors,
    creating: bool,
}

impl SessionFormPage {
    /// The form that schedules a new session of `item` (`id` `None`) or changes session `id`.
    fn new(ctx: &RequestContext, id: Option<i64>, item: Item, form: SessionForm, errors: FieldErrors) -> Self {
        let (title, action) = match id {
            None => (format!("New session: {}", item.title), format!("/author/items/{}/sessions/new", item.slug)),
            Some(id) => (format!("Change session: {}", item.title), format!("/author/sessions/{id}/edit")),
        };
        Self { layout: Layout::new(title, Some(ctx)), action, item, form, errors, creating: id.is_none() }
    }
}

/// Fields of the session form (local date and time in the session's time zone).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    date: String,
    start: String,
    end: String,
    time_zone: String,
    capacity: String,
    location_kind: String,
    hub_name: String,
    hub_address: String,
    meeting_url: String,
    host_org_id: String,
    facilitator_email: String,
}

impl SessionForm {
    fn parse(&self, item: &Item) -> Result<(NewSession, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let tz: Option<chrono_tz::Tz> = if is_time_zone(self.time_zone.trim()) {
            self.time_zone.trim().parse().ok()
        } else {
            errors.add("time_zone", "Use a time zone name such as America/Chicago or America/New_York.");
            None
        };
        let date = chrono::NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").map_err(|_| ()).ok();
        if date.is_none() {
            errors.add("date", "Enter the date as YYYY-MM-DD.");
        }
        let clock = |raw: &str, name: &str, errors: &mut FieldErrors| match chrono::NaiveTime::parse_from_str(
            raw.trim(),
            "%H:%M",
        ) {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add(name, "Enter the time as HH:MM, 24-hour.");
                None
            }
        };
        let start = clock(&self.start, "start", &mut errors);
        let end = clock(&self.end, "end", &mut errors);
        let local = |d, t| {
            tz.and_then(|tz| tz.from_local_datetime(&NaiveDateTime::new(d, t)).earliest())
                .map(|dt| dt.with_timezone(&chrono::Utc))
        };
        let (starts_at, ends_at) = match (date, start, end) {
            (Some(d), Some(s), Some(e)) => (local(d, s), local(d, e)),
            _ => (None, None),
        };
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            errors.add("end", "The session must end after it starts.");
        }
        let capacity = match self.capacity.trim().parse::<i64>() {
            Ok(c) if (1..=10_000).contains(&c) => Some(c),
            _ => {
                errors.add("capacity", "Enter the number of seats, 1 to 10,000.");
                None
            }
        };
        let hub = self.location_kind == "hub";
        if hub && self.hub_name.trim().is_empty() {
            errors.add("hub_name", "Name the hub where the session takes place.");
        }
        let meeting = self.meeting_url.trim();
        if !(hub || meeting.starts_with("https://") || meeting.starts_with("http://")) {
            errors.add("meeting_url", "Give the meeting link, starting with https://.");
        }
        if item.delivery == Delivery::InPerson && !hub {
            errors.add("location_kind", "This workshop is held in person at a hub.");
        }
        let host_org_id = if self.host_org_id.trim().is_empty() {
            None
        } else {
            match self.host_org_id.trim().parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors
                        .add("host_org_id", "Give the host organization's number (from its page), or leave it empty.");
                    None
                }
            }
        };
        let facilitator = Some(self.facilitator_email.trim().to_owned()).filter(|e| !e.is_empty());
        match (starts_at, ends_at, capacity) {
            (Some(starts_at), Some(ends_at), Some(capacity)) if errors.is_empty() => Ok((
                NewSession {
                    item_id: item.id,
                    host_org_id,
                    starts_at,
                    ends_at,
                    time_zone: self.time_zone.trim().to_owned(),
                    capacity,
                    location_kind: if hub { LocationKind::Hub } else { LocationKind::Virtual },
                    hub_name: hub.then(|| self.hub_name.trim().to_owned()),
                    hub_address: hub.then(|| self.hub_address.trim().to_owned()).filter(|a| !a.is_empty()),
                    meeting_url: (!hub).then(|| meeting.to_owned()),
                },
                facilitator,
            )),
            _ => Err(errors),
        }
    }
}

/// The form for a new session of a workshop.
pub async fn new_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let item = authoring::item(&state.app, &slug).await?;
    if item.kind != ItemKind::Workshop {
        return Err(WebError::BadRequest("Only workshops have sessions.".into()));
    }
    let form = SessionForm {
        time_zone: "America/Chicago".into(),
        capacity: "30".into(),
        location_kind: if item.delivery == Delivery::InPerson { "hub".into() } else { "virtual".into() },
        start: "16:00".into(),
        end: "17:30".into(),
        ..SessionForm::default()
    };
    Ok(render_page(&SessionFormPage::new(&ctx, None, item, form, FieldErrors::new()))?.into_response())
}

/// Schedules a session.
pub async fn create_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, WebError> {
    let item = authoring::item(&state.app, &slug).await?;
    save_session(&state, &ctx, None, item, form).await
}

/// Cancels a session and tells everyone registered.
pub async fn cancel_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let item = learn::cancel_session(&state.app, Some(session.actor()), id).await?;
    Ok(see_other(&format!("/author/items/{}?notice=session-cancelled", item.slug)))
}

/// The form to change a session's time, place or seats.
pub async fn edit_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (session, item) = session_with_item(&state.app, id).await?;
    let tz: chrono_tz::Tz = session.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let (starts, ends) = (session.starts_at.with_timezone(&tz), session.ends_at.with_timezone(&tz));
    let form = SessionForm {
        date: starts.format("%Y-%m-%d").to_string(),
        start: starts.format("%H:%M").to_string(),
        end: ends.format("%H:%M").to_string(),
        time_zone: session.time_zone.clone(),
        capacity: session.capacity.to_string(),
        location_kind: session.location_kind.as_str().to_owned(),
        hub_name: session.hub_name.clone().unwrap_or_default(),
        hub_address: session.hub_address.clone().unwrap_or_default(),
        meeting_url: session.meeting_url.clone().unwrap_or_default(),
        host_org_id: session.host_org_id.map(|h| h.to_string()).unwrap_or_default(),
        facilitator_email: String::new(),
    };
    Ok(render_page(&SessionFormPage::new(&ctx, Some(id), item, form, FieldErrors::new()))?.into_response())
}

/// Saves a session's new time, place or seats; registrants are told, the waitlist moves up.
pub async fn update_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, WebError> {
    let (_, item) = session_with_item(&state.app, id).await?;
    save_session(&state, &ctx, Some(id), item, form).await
}

/// Checks the form and schedules (`id` `None`) or changes the session; the form comes back
/// with its problems.
async fn save_session(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<i64>,
    item: Item,
    form: SessionForm,
) -> Result<Response, WebError> {
    let user = ctx.session()?;
    let (new, facilitator) = match form.parse(&item) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SessionFormPage::new(ctx, id, item, form, errors),
            );
        }
    };
    let saved = match id {
        None => learn::schedule_session(&state.app, user.actor(), &item, &new, facilitator.as_deref())
            .await
            .map(|_| "session-created"),
        Some(id) => learn::reschedule(&state.app, user.actor(), id, &new).await.map(|_| "session-updated"),
    };
    match saved {
        Ok(notice) => Ok(see_other(&format!("/author/items/{}?notice={notice}", item.slug))),
        Err(academy_app::Error::Invalid(errors)) => {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &SessionFormPage::new(ctx, id, item, form, errors))
        }
        Err(other) => Err(other.into()),
    }
}
