//! Live workshop sessions: the session page, registering and cancelling, checking in with a
//! code, calendar files and feeds, and the facilitator's roster.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{ConfirmPage, Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::learn::times::session_time;
use academy_app::learn::workshops::{self as learn, Registered, session_with_item};
use academy_core::access::Permission;
use academy_core::time;
use academy_core::token::SecretToken;
use academy_formats::ical;
use academy_store::catalog::Item;
use academy_store::workshops::{
    self, LocationKind, Registration, RegistrationStatus, RosterEntry, Session, SessionStatus,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// A session and its workshop, or 404.
async fn load(state: &AppState, id: i64) -> Result<(Session, Item), WebError> {
    Ok(session_with_item(&state.app, id).await?)
}

#[derive(Template)]
#[template(path = "learn/session.html")]
struct SessionPage {
    layout: Layout,
    session: Session,
    item: Item,
    when: String,
    facilitators: Vec<(i64, String, String)>,
    seats_left: i64,
    waitlisted: i64,
    mine: Option<Registration>,
    waitlist_position: Option<i64>,
    check_in_open: bool,
    can_run: bool,
    past: bool,
    error: Option<String>,
}

async fn session_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
) -> Result<SessionPage, WebError> {
    let user = ctx.session()?;
    let (session, item) = load(state, id).await?;
    let registered = workshops::count_registered(&state.app.store, id).await?;
    let roster = workshops::roster(&state.app.store, id).await?;
    let mine = workshops::registration(&state.app.store, id, user.user_id)
        .await?
        .filter(|r| r.status != RegistrationStatus::Cancelled);
    let waitlist_position = match &mine {
        Some(r) if r.status == RegistrationStatus::Waitlisted => {
            Some(workshops::waitlist_position(&state.app.store, r).await?)
        }
        _ => None,
    };
    let now = time::now();
    let host = match session.host_org_id {
        Some(org) => academy_store::orgs::get(&state.app.store, org).await?.map(|o| o.path),
        None => academy_store::orgs::root(&state.app.store).await?.map(|o| o.path),
    };
    Ok(SessionPage {
        layout: Layout::new(format!("{}: session", item.title), Some(ctx)).with_notice(notice),
        when: session_time(&session),
        facilitators: workshops::facilitators(&state.app.store, id).await?,
        seats_left: (session.capacity - registered).max(0),
        waitlisted: roster.iter().filter(|r| r.status == RegistrationStatus::Waitlisted).count() as i64,
        waitlist_position,
        check_in_open: learn::attendance_open(&session, now)
            && mine.as_ref().is_some_and(|r| r.status == RegistrationStatus::Registered && r.attended_at.is_none()),
        can_run: host.is_some_and(|p| user.principal.can(Permission::RunSessions, &p)),
        past: session.ends_at <= now,
        mine,
        error,
        session,
        item,
    })
}

/// A session's page.
pub async fn show_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    Ok(render_page(&session_page(&state, &ctx, id, None, notice_text(query.notice.as_deref())).await?)?.into_response())
}

/// Registers for a session (a seat, or the waitlist when it is full).
pub async fn register_for_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    match learn::register(&state.app, user_id, id).await {
        Ok(registered) => {
            let notice = match registered {
                Registered::Seat => "registered",
                Registered::Waitlist(_) => "waitlisted",
            };
            Ok(see_other(&format!("/workshops/sessions/{id}?notice={notice}")))
        }
        Err(academy_app::Error::Refused(message)) => {
            render_with_status(StatusCode::CONFLICT, &session_page(&state, &ctx, id, Some(message), None).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// Cancels a registration once confirmed; the waitlist moves up.
pub async fn cancel_registration(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<super::people::ConfirmForm>,
) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    if !form.confirmed() {
        let (session, item) = load(&state, id).await?;
        let page = ConfirmPage {
            layout: Layout::new(format!("Cancel your registration for {}?", item.title), Some(&ctx)),
            message: format!(
                "You give up your place for {}. If the session is full, the first person on the waitlist gets your seat.",
                session_time(&session)
            ),
            action: format!("/workshops/sessions/{id}/cancel"),
            fields: Vec::new(),
            confirm_label: "Yes, cancel my registration",
            back: format!("/workshops/sessions/{id}"),
        };
        return Ok(render_page(&page)?.into_response());
    }
    match learn::cancel(&state.app, user_id, id).await {
        Ok(_) => Ok(see_other(&format!("/workshops/sessions/{id}?notice=cancelled"))),
        Err(academy_app::Error::Refused(message)) => {
            render_with_status(StatusCode::CONFLICT, &session_page(&state, &ctx, id, Some(message), None).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// Fields of the check-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    code: String,
}

/// Checks in with the code the facilitator shows.
pub async fn check_in(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<CheckInForm>,
) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    let key = format!("check-in:{user_id}");
    if state.code_limiter.check_key(&key).is_err() {
        return Err(WebError::RateLimited { retry_after: 60 });
    }
    match learn::check_in(&state.app, user_id, id, &form.code).await {
        Ok(_) => Ok(see_other(&format!("/workshops/sessions/{id}?notice=checked-in"))),
        Err(academy_app::Error::Refused(message)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &session_page(&state, &ctx, id, Some(message), None).await?,
        ),
        Err(other) => Err(other.into()),
    }
}

fn event_for(state: &AppState, session: &Session, item: &Item, include_link: bool) -> ical::Event {
    let location = match session.location_kind {
        LocationKind::Hub => Some(
            [session.hub_name.clone(), session.hub_address.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
        ),
        LocationKind::Virtual => Some("Online".to_owned()),
    };
    let page = state.app.config.public_url.link(&format!("/workshops/sessions/{}", session.id));
    let mut description = format!("{}\n\nSession page: {page}", item.summary);
    if include_link && let Some(url) = &session.meeting_url {
        description.push_str(&format!("\nJoin online: {url}"));
    }
    ical::Event {
        uid: format!("session-{}@{}", session.id, state.app.config.public_url.host()),
        summary: item.title.clone(),
        description,
        location,
        url: Some(page),
        starts: session.starts_at,
        ends: session.ends_at,
        status: if session.status == SessionStatus::Cancelled {
            ical::EventStatus::Cancelled
        } else {
            ical::EventStatus::Confirmed
        },
        sequence: u32::try_from(session.sequence).unwrap_or(0),
        stamp: time::now(),
        organizer: None,
    }
}

fn calendar_response(body: String, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        body,
    )
        .into_response()
}

/// The session as an iCalendar file.
pub async fn session_calendar(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    let (session, item) = load(&state, id).await?;
    let registered = workshops::registration(&state.app.store, id, user_id)
        .await?
        .is_some_and(|r| r.status == RegistrationStatus::Registered);
    let body = ical::calendar(&item.title, &[event_for(&state, &session, &item, registered)]);
    Ok(calendar_response(body, &format!("session-{id}.ics")))
}

/// A personal calendar feed of every session the person is registered for; the URL carries
/// its own secret, since calendar apps cannot sign in.
pub async fn calendar_feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    let token = SecretToken::parse(token).ok_or(WebError::NotFound)?;
    let user_id = learn::feed_owner(&state.app, &token).await?.ok_or(WebError::NotFound)?;
    let mut events = Vec::new();
    for mine in workshops::my_sessions(&state.app.store, user_id, time::now() - chrono::Duration::days(90)).await? {
        if let Ok((session, item)) = load(&state, mine.session_id).await {
            events.push(event_for(&state, &session, &item, mine.registration_status == RegistrationStatus::Registered));
        }
    }
    Ok(calendar_response(ical::calendar("Academy workshops", &events), "academy.ics"))
}

#[derive(Template)]
#[template(path = "learn/calendar.html")]
struct CalendarPage {
    layout: Layout,
    /// The address, shown only when it was made by this request (only its digest is kept).
    feed_url: Option<String>,
}

impl CalendarPage {
    fn new(state: &AppState, ctx: &RequestContext, token: Option<SecretToken>, notice: Option<String>) -> Self {
        Self {
            layout: Layout::new("Your calendar feed", Some(ctx)).with_notice(notice),
            feed_url: token.map(|t| state.app.config.public_url.link(&format!("/calendar/{}.ics", t.expose()))),
        }
    }
}

/// The page with the person's calendar feed: its address the first time, made now.
pub async fn show_calendar(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    let token = learn::make_feed(&state.app, user_id).await?;
    Ok(render_page(&CalendarPage::new(&state, &ctx, token, notice_text(query.notice.as_deref())))?.into_response())
}

/// Replaces the calendar-feed address (the old one stops working) and shows the new one.
pub async fn reset_calendar(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let user_id = ctx.session()?.user_id;
    let token = learn::reset_feed(&state.app, user_id).await?;
    let page = CalendarPage::new(&state, &ctx, Some(token), notice_text(Some("feed-reset")));
    Ok(render_page(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "learn/roster.html")]
struct RosterPage {
    layout: Layout,
    session: Session,
    item: Item,
    when: String,
    roster: Vec<RosterEntry>,
    attendance_open: bool,
    code: Option<String>,
    code_expires: Option<String>,
    present: usize,
    error: Option<String>,
}

async fn roster_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
) -> Result<RosterPage, WebError> {
    let (session, item) = load(state, id).await?;
    let roster = workshops::roster(&state.app.store, id).await?;
    let now = time::now();
    let live_code = session.check_in_expires_at.filter(|e| *e > now).and(session.check_in_code.clone());
    Ok(RosterPage {
        layout: Layout::new(format!("Roster: {}", item.title), Some(ctx)).with_notice(notice),
        when: session_time(&session),
        present: roster.iter().filter(|r| r.attended_at.is_some()).count(),
        attendance_open: learn::attendance_open(&session, now),
        code_expires: live_code.as_ref().and(session.check_in_expires_at).map(|e| {
            let tz: chrono_tz::Tz = session.time_zone.parse().unwrap_or(chrono_tz::UTC);
            e.with_timezone(&tz).format("%-I:%M %p %Z").to_string()
        }),
        code: live_code,
        roster,
        error,
        session,
        item,
    })
}

/// The facilitator's roster: seats, waitlist and attendance.
pub async fn show_roster(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    Ok(render_page(&roster_page(&state, &ctx, id, None, notice_text(query.notice.as_deref())).await?)?.into_response())
}

/// Fields of the attendance form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    registration_id: i64,
    present: String,
}

/// Marks someone present (or clears a mistaken mark).
pub async fn take_attendance(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<AttendanceForm>,
) -> Result<Response, WebError> {
    match learn::take_attendance(&state.app, id, form.registration_id, form.present != "no").await {
        Ok(()) => Ok(see_other(&format!("/workshops/sessions/{id}/roster?notice=attendance-saved"))),
        Err(academy_app::Error::Refused(message)) => {
            render_with_status(StatusCode::CONFLICT, &roster_page(&state, &ctx, id, Some(message), None).await?)
        }
        Err(other) => Err(other.into()),
    }
}

/// Shows a fresh check-in code for the session.
pub async fn open_check_in(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match learn::open_check_in(&state.app, id).await {
        Ok(_) => Ok(see_other(&format!("/workshops/sessions/{id}/roster"))),
        Err(academy_app::Error::Refused(message)) => {
            render_with_status(StatusCode::CONFLICT, &roster_page(&state, &ctx, id, Some(message), None).await?)
        }
        Err(other) => Err(other.into()),
    }
}
