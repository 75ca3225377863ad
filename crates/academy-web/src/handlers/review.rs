//! Facilitators' review pages: a cohort's members' work on its pathway and a session's
//! registrants, with feedback the teacher sees beside their work.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::learn::review::{self, MAX_FEEDBACK_CHARS, MemberReview, RegistrantReview, ReviewScope};
use academy_app::learn::times::session_time;
use academy_app::learn::workshops::session_with_item;
use academy_core::FieldErrors;
use academy_store::pathways::{self, Cohort, Pathway};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "learn/cohort_review.html")]
struct CohortReviewPage {
    layout: Layout,
    cohort: Cohort,
    pathway: Option<Pathway>,
    members: Vec<MemberReview>,
    errors: FieldErrors,
    max_feedback: usize,
}

async fn cohort_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<CohortReviewPage, WebError> {
    let (cohort, members) = review::cohort_review(&state.app, id).await?;
    let pathway = match cohort.pathway_id {
        Some(p) => pathways::get(&state.app.store, p).await?,
        None => None,
    };
    Ok(CohortReviewPage {
        layout: Layout::new(format!("Review: {}", cohort.name), Some(ctx)).with_notice(notice),
        cohort,
        pathway,
        members,
        errors,
        max_feedback: MAX_FEEDBACK_CHARS,
    })
}

/// A cohort's members' progress, scores, reflections and lab work.
pub async fn show_cohort_review(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let page = cohort_page(&state, &ctx, id, FieldErrors::new(), notice_text(query.notice.as_deref())).await?;
    Ok(render_page(&page)?.into_response())
}

/// Fields of a feedback form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FeedbackForm {
    enrollment_id: i64,
    step_id: Option<i64>,
    body: String,
}

/// Gives feedback from a cohort's review.
pub async fn give_cohort_feedback(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FeedbackForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    match review::give_feedback(
        &state.app,
        session.actor(),
        ReviewScope::Cohort(id),
        form.enrollment_id,
        form.step_id,
        &form.body,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/cohorts/{id}/review?notice=feedback-sent"))),
        Err(academy_app::Error::Invalid(errors)) => {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &cohort_page(&state, &ctx, id, errors, None).await?)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "learn/session_review.html")]
struct SessionReviewPage {
    layout: Layout,
    session_id: i64,
    when: String,
    people: Vec<RegistrantReview>,
    errors: FieldErrors,
    max_feedback: usize,
}

async fn session_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<SessionReviewPage, WebError> {
    let (session, item) = session_with_item(&state.app, id).await?;
    Ok(SessionReviewPage {
        layout: Layout::new(format!("Review: {}", item.title), Some(ctx)).with_notice(notice),
        session_id: id,
        when: session_time(&session),
        people: review::session_review(&state.app, id).await?,
        errors,
        max_feedback: MAX_FEEDBACK_CHARS,
    })
}

/// A session's registrants, their attendance and the feedback they were given.
pub async fn show_session_review(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let page = session_page(&state, &ctx, id, FieldErrors::new(), notice_text(query.notice.as_deref())).await?;
    Ok(render_page(&page)?.into_response())
}

/// Gives feedback from a session's review.
pub async fn give_session_feedback(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FeedbackForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    match review::give_feedback(
        &state.app,
        session.actor(),
        ReviewScope::Session(id),
        form.enrollment_id,
        None,
        &form.body,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/workshops/sessions/{id}/review?notice=feedback-sent"))),
        Err(academy_app::Error::Invalid(errors)) => {
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &session_page(&state, &ctx, id, errors, None).await?)
        }
        Err(other) => Err(other.into()),
    }
}
