//! Workshop sessions as authors and facilitators schedule, change and cancel them (one form,
//! two modes).

use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::items as authoring;
use academy_app::authoring::may_author;
use academy_app::learn::times::{US_TIME_ZONES, is_time_zone};
use academy_app::learn::workshops::{self as learn, session_with_item};
use academy_app::orgs::{self as app_orgs, OrgChoice};
use academy_core::FieldErrors;
use academy_core::access::Permission;
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
    /// The organizations the person may host sessions at (and the current host).
    hosts: Vec<OrgChoice>,
    /// The time zones offered: (IANA name, label).
    zones: Vec<(String, String)>,
}

impl SessionFormPage {
    /// The form that schedules a new session of `item` (`id` `None`) or changes session `id`
    /// (whose saved host and time zone stay offered).
    async fn new(
        state: &AppState,
        ctx: &RequestContext,
        id: Option<i64>,
        item: Item,
        form: SessionForm,
        errors: FieldErrors,
    ) -> Result<Self, WebError> {
        let session = ctx.session()?;
        let (title, action) = match id {
            None => (format!("New session: {}", item.title), format!("/author/items/{}/sessions/new", item.slug)),
            Some(id) => (format!("Change session: {}", item.title), format!("/author/sessions/{id}/edit")),
        };
        let hosts = app_orgs::choices(&state.app, &session.principal, Permission::RunSessions).await?;
        let hosts = app_orgs::with_current(&state.app, hosts, form.host_org_id.trim().parse().ok()).await?;
        let mut zones: Vec<(String, String)> =
            US_TIME_ZONES.iter().map(|(zone, label)| ((*zone).to_owned(), format!("{label} ({zone})"))).collect();
        let current = form.time_zone.trim();
        if !current.is_empty() && is_time_zone(current) && !zones.iter().any(|(z, _)| z == current) {
            zones.push((current.to_owned(), current.to_owned()));
        }
        Ok(Self {
            layout: Layout::new(title, Some(ctx)),
            action,
            item,
            form,
            errors,
            creating: id.is_none(),
            hosts,
            zones,
        })
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
    /// Checks every field. The time zone is one of [`US_TIME_ZONES`], or `kept_zone` (the one
    /// a session being changed already has).
    fn parse(&self, item: &Item, kept_zone: Option<&str>) -> Result<(NewSession, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let zone = self.time_zone.trim();
        let offered = US_TIME_ZONES.iter().any(|(z, _)| *z == zone) || kept_zone == Some(zone);
        let tz: Option<chrono_tz::Tz> = if offered && is_time_zone(zone) {
            zone.parse().ok()
        } else {
            errors.add("time_zone", "Choose the session's time zone from the list.");
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
        let host_org_id = match self.host_org_id.trim().parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("host_org_id", "Choose the organization that hosts the session.");
                None
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
    let session = ctx.session()?;
    if !learn::may_schedule(&state.app, &session.principal, &item).await? {
        return Err(WebError::Forbidden);
    }
    let first_host = app_orgs::choices(&state.app, &session.principal, Permission::RunSessions)
        .await?
        .first()
        .map(|c| c.org.id.to_string())
        .unwrap_or_default();
    let form = SessionForm {
        time_zone: "America/Chicago".into(),
        capacity: "30".into(),
        location_kind: if item.delivery == Delivery::InPerson { "hub".into() } else { "virtual".into() },
        start: "16:00".into(),
        end: "17:30".into(),
        host_org_id: first_host,
        ..SessionForm::default()
    };
    Ok(render_page(&SessionFormPage::new(&state, &ctx, None, item, form, FieldErrors::new()).await?)?.into_response())
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

/// Where to go after a session changed: the workshop's authoring page for its authors, the
/// session's page for those who only run it.
async fn after(
    state: &AppState,
    ctx: &RequestContext,
    item: &Item,
    session_id: i64,
    notice: &str,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    Ok(if may_author(&state.app, &session.principal, item.owner_org_id).await? {
        see_other(&format!("/author/items/{}?notice={notice}", item.slug))
    } else {
        see_other(&format!("/workshops/sessions/{session_id}?notice={notice}"))
    })
}

/// Cancels a session and tells everyone registered.
pub async fn cancel_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let item = learn::cancel_session(&state.app, Some(session.actor()), id).await?;
    after(&state, &ctx, &item, id, "session-cancelled").await
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
    let host = match session.host_org_id {
        Some(id) => Some(id),
        None => academy_store::orgs::root(&state.app.store).await?.map(|r| r.id),
    };
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
        host_org_id: host.map(|h| h.to_string()).unwrap_or_default(),
        facilitator_email: String::new(),
    };
    Ok(render_page(&SessionFormPage::new(&state, &ctx, Some(id), item, form, FieldErrors::new()).await?)?
        .into_response())
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
    let kept_zone = match id {
        Some(id) => Some(session_with_item(&state.app, id).await?.0.time_zone),
        None => None,
    };
    let (new, facilitator) = match form.parse(&item, kept_zone.as_deref()) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let page = SessionFormPage::new(state, ctx, id, item, form, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let saved = match id {
        None => learn::schedule_session(&state.app, user.actor(), &item, &new, facilitator.as_deref())
            .await
            .map(|id| (id, "session-created")),
        Some(id) => learn::reschedule(&state.app, user.actor(), id, &new).await.map(|_| (id, "session-updated")),
    };
    match saved {
        Ok((session_id, notice)) => after(state, ctx, &item, session_id, notice).await,
        Err(academy_app::Error::Invalid(errors)) => {
            let page = SessionFormPage::new(state, ctx, id, item, form, errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}
