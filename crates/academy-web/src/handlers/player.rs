//! Taking a course or lab, step by step. Every view records where the teacher is, so
//! "continue" brings them back to it.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::learn_pages::{markdown, markdown_inline};
use crate::pages::{ConfirmPage, Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::learn::progress::{self as learn, StepOutcome, Submission, Taking};
use academy_core::learning::{Evidence, QuestionKind, Quiz, Response as QuizResponse};
use academy_store::catalog::{Item, Step};
use academy_store::progress::{self, QuizAttempt};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The item the signed-in teacher is taking: the preamble of every step handler.
async fn taking(state: &AppState, ctx: &RequestContext, slug: &str) -> Result<Taking, WebError> {
    let session = ctx.session()?;
    Ok(learn::taking(&state.app, &session.principal, session.user_id, slug).await?)
}

/// Sends the teacher to where they left off (or the first step not yet done).
pub async fn continue_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    match learn::resume_position(&state.app, &taking).await? {
        Some(position) => Ok(see_other(&format!("/learn/items/{slug}/steps/{position}"))),
        None => Ok(see_other(&format!("/learn/items/{slug}"))),
    }
}

/// A quiz question as shown.
struct QuestionView {
    number: usize,
    prompt: String,
    multiple: bool,
    short: bool,
    choices: Vec<(usize, String, bool)>,
    text: String,
    correct: Option<bool>,
    feedback: String,
    /// The choices the teacher made, as they read them (HTML; a short answer is in `text`).
    chosen: String,
    /// The right answer, when the author lets it be shown.
    right: Option<String>,
}

struct QuizView {
    passing_percent: u8,
    attempts_used: usize,
    max_attempts: u32,
    open_attempt: Option<i64>,
    last_percent: Option<i64>,
    passed: bool,
    may_start: bool,
    questions: Vec<QuestionView>,
    show_results: bool,
}

#[derive(Template)]
#[template(path = "learn/step.html")]
struct StepPage {
    layout: Layout,
    item: Item,
    module_title: String,
    step: Step,
    body: String,
    position: i64,
    total: usize,
    previous: Option<i64>,
    next: Option<i64>,
    done: bool,
    item_done: bool,
    response_text: String,
    response_link: String,
    instruction: String,
    error: Option<String>,
    link_error: Option<String>,
    max_text: usize,
    max_link: usize,
    feedback: Vec<academy_store::feedback::Feedback>,
    quiz: Option<QuizView>,
    min_words: i64,
}

fn quiz_view(quiz: &Quiz, attempts: &[QuizAttempt]) -> QuizView {
    let open = attempts.iter().find(|a| a.submitted_at.is_none());
    let last = attempts.iter().rev().find(|a| a.submitted_at.is_some());
    let passed = attempts.iter().any(|a| a.passed == Some(true));
    let submitted = attempts.iter().filter(|a| a.submitted_at.is_some()).count();
    let shown: Option<Vec<QuizResponse>> = match (open, last) {
        (None, Some(last)) => last.responses.as_deref().and_then(|r| serde_json::from_str(r).ok()),
        _ => None,
    };
    let graded = shown.as_ref().map(|r| quiz.grade(r));
    let reveal = quiz.shows_answers(submitted as u32, passed);
    let questions = quiz
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let response = shown.as_ref().and_then(|r| r.get(i));
            let chosen: Vec<usize> = match response {
                Some(QuizResponse::Choices(c)) => c.clone(),
                _ => Vec::new(),
            };
            QuestionView {
                number: i + 1,
                prompt: markdown(&q.prompt),
                multiple: q.kind == QuestionKind::Multiple,
                short: q.kind == QuestionKind::Short,
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(n, c)| (n, markdown_inline(c), chosen.contains(&n)))
                    .collect(),
                text: match response {
                    Some(QuizResponse::Text(t)) => t.clone(),
                    _ => String::new(),
                },
                correct: graded.as_ref().and_then(|g| g.questions.get(i)).map(|r| r.correct),
                feedback: markdown(&q.feedback),
                chosen: chosen
                    .iter()
                    .filter_map(|n| q.choices.get(*n))
                    .map(|c| markdown_inline(c))
                    .collect::<Vec<_>>()
                    .join("; "),
                right: reveal
                    .then(|| q.right_answer().iter().map(|a| markdown_inline(a)).collect::<Vec<_>>().join("; ")),
            }
        })
        .collect();
    QuizView {
        passing_percent: quiz.passing_percent,
        attempts_used: attempts.len(),
        max_attempts: quiz.max_attempts,
        open_attempt: open.map(|a| a.id),
        last_percent: last.and_then(|a| a.percent),
        passed,
        may_start: open.is_none() && !passed && quiz.may_attempt(submitted as u32),
        questions,
        show_results: open.is_none() && last.is_some(),
    }
}

async fn step_page(
    state: &AppState,
    ctx: &RequestContext,
    loaded: &Taking,
    position: i64,
    error: Option<String>,
    draft: Option<(String, String)>,
    notice: Option<String>,
) -> Result<StepPage, WebError> {
    let step = loaded.step(position)?.clone();
    let progress_rows = progress::step_progress(&state.app.store, loaded.enrollment.id).await?;
    let mine = progress_rows.iter().find(|p| p.step_id == step.id);
    let saved: serde_json::Value =
        mine.and_then(|p| p.response.as_deref()).and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default();
    let (response_text, response_link) = draft.unwrap_or_else(|| {
        (
            saved.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
            saved.get("link").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
        )
    });
    let quiz = match step.quiz()? {
        Some(quiz) => {
            Some(quiz_view(&quiz, &progress::attempts(&state.app.store, loaded.enrollment.id, step.id).await?))
        }
        None => None,
    };
    let instruction = learn::task_instruction(&state.app, &step)?;
    let index = loaded.steps.iter().position(|s| s.id == step.id).unwrap_or(0);
    let enrollment = progress::find(&state.app.store, loaded.enrollment.user_id, loaded.item.id)
        .await?
        .unwrap_or_else(|| loaded.enrollment.clone());
    Ok(StepPage {
        layout: Layout::new(format!("{} · {}", step.title, loaded.item.title), Some(ctx)).with_notice(notice),
        module_title: loaded
            .modules
            .iter()
            .find(|m| m.id == step.module_id)
            .map(|m| m.title.clone())
            .unwrap_or_default(),
        body: markdown(&step.body_md),
        position,
        total: loaded.steps.len(),
        previous: index.checked_sub(1).and_then(|i| loaded.steps.get(i)).map(|s| s.position),
        next: loaded.steps.get(index + 1).map(|s| s.position),
        done: mine.is_some_and(|p| p.status == progress::StepStatus::Completed),
        item_done: enrollment.status == progress::EnrollmentStatus::Completed,
        response_text,
        response_link,
        instruction,
        error,
        link_error: None,
        max_text: learn::MAX_TEXT_CHARS,
        max_link: learn::MAX_LINK_CHARS,
        feedback: academy_app::learn::review::feedback_for(&state.app, &loaded.enrollment)
            .await?
            .into_iter()
            .filter(|f| f.step_id == Some(step.id))
            .collect(),
        quiz,
        min_words: step.min_words.unwrap_or(30),
        item: loaded.item.clone(),
        step,
    })
}

/// One step.
pub async fn show_step(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    learn::open_step(&state.app, &taking, position).await?;
    let page = step_page(&state, &ctx, &taking, position, None, None, notice_text(query.notice.as_deref())).await?;
    Ok(render_page(&page)?.into_response())
}

/// Where to go after a step: the item's page when it is complete, else the next step.
fn after(slug: &str, taking: &Taking, position: i64, outcome: StepOutcome) -> Response {
    if outcome.item_completed {
        return see_other(&format!("/learn/items/{slug}?notice=item-completed"));
    }
    match taking.next_after(position) {
        Some(next) => see_other(&format!("/learn/items/{slug}/steps/{next}")),
        None => see_other(&format!("/learn/items/{slug}")),
    }
}

/// Finishes a lesson and moves on.
pub async fn complete_lesson(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    let outcome = learn::complete_lesson(&state.app, &taking, position).await?;
    Ok(after(&slug, &taking, position, outcome))
}

/// Fields of the reflection and task forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkForm {
    text: String,
    link: String,
}

/// Saves a reflection (completing the step when it is long enough).
pub async fn submit_reflection(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
    axum::Form(form): axum::Form<WorkForm>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    let submitted = learn::submit_reflection(&state.app, &taking, position, &form.text).await;
    work_answer(&state, &ctx, &slug, &taking, position, submitted, form).await
}

/// Submits lab work.
pub async fn submit_task(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
    axum::Form(form): axum::Form<WorkForm>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    let evidence = Evidence::Artifact {
        text: Some(form.text.trim().to_owned()).filter(|t| !t.is_empty()),
        link: Some(form.link.trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let submitted = learn::submit_task(&state.app, &taking, position, &evidence).await;
    work_answer(&state, &ctx, &slug, &taking, position, submitted, form).await
}

/// After a reflection or lab task: on to the next step, or the same form again with what was
/// typed and the problem named (too short, too long, a link that is not a web address).
async fn work_answer(
    state: &AppState,
    ctx: &RequestContext,
    slug: &str,
    taking: &Taking,
    position: i64,
    submitted: Result<Submission, academy_app::Error>,
    form: WorkForm,
) -> Result<Response, WebError> {
    let (text_error, link_error) = match submitted {
        Ok(Submission::Completed(outcome)) => return Ok(after(slug, taking, position, outcome)),
        Ok(Submission::NotYet(message)) => (Some(message), None),
        Err(academy_app::Error::Invalid(errors)) => {
            (errors.get("text").map(str::to_owned), errors.get("link").map(str::to_owned))
        }
        Err(other) => return Err(other.into()),
    };
    let mut page = step_page(state, ctx, taking, position, text_error, Some((form.text, form.link)), None).await?;
    page.link_error = link_error;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Opens a quiz attempt.
pub async fn start_attempt(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    learn::start_attempt(&state.app, &taking, position).await?;
    Ok(see_other(&format!("/learn/items/{slug}/steps/{position}#quiz")))
}

/// Parses quiz answers from the form: `q1` … `qN`, repeated for multiple choice.
pub fn parse_responses(quiz: &Quiz, body: &[u8]) -> Vec<QuizResponse> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    quiz.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let key = format!("q{}", i + 1);
            let values: Vec<&str> = pairs.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.as_str()).collect();
            match q.kind {
                QuestionKind::Short => values
                    .first()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map_or(QuizResponse::Blank, |v| QuizResponse::Text(v.chars().take(500).collect())),
                QuestionKind::Single | QuestionKind::Multiple => {
                    let chosen: Vec<usize> =
                        values.iter().filter_map(|v| v.parse().ok()).filter(|n| *n < q.choices.len()).collect();
                    if chosen.is_empty() { QuizResponse::Blank } else { QuizResponse::Choices(chosen) }
                }
            }
        })
        .collect()
}

/// Submits a quiz attempt's answers.
pub async fn submit_attempt(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position, attempt_id)): Path<(String, i64, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    let quiz = taking.step(position)?.quiz()?.ok_or(WebError::NotFound)?;
    let responses = parse_responses(&quiz, &body);
    match learn::submit_quiz(&state.app, &taking, position, attempt_id, &responses).await {
        Ok((result, outcome)) => {
            if outcome.item_completed {
                return Ok(see_other(&format!("/learn/items/{slug}?notice=item-completed")));
            }
            let notice = if result.passed { "quiz-passed" } else { "quiz-failed" };
            Ok(see_other(&format!("/learn/items/{slug}/steps/{position}?notice={notice}#quiz")))
        }
        Err(academy_app::Error::Stale(message)) => {
            let page = step_page(&state, &ctx, &taking, position, Some(message), None, None).await?;
            render_with_status(StatusCode::CONFLICT, &page)
        }
        Err(academy_app::Error::Refused(message)) => {
            let page = step_page(&state, &ctx, &taking, position, Some(message), None, None).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// Leaves a course or lab (progress is kept if they come back), once confirmed.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    axum::Form(form): axum::Form<super::people::ConfirmForm>,
) -> Result<Response, WebError> {
    let taking = taking(&state, &ctx, &slug).await?;
    if !form.confirmed() {
        let page = ConfirmPage {
            layout: Layout::new(format!("Leave {}?", taking.item.title), Some(&ctx)),
            message: "It leaves your learning. Your progress is kept: enroll again to pick up where you left off."
                .into(),
            action: format!("/learn/items/{slug}/withdraw"),
            fields: Vec::new(),
            confirm_label: "Yes, leave it",
            back: format!("/learn/items/{slug}"),
        };
        return Ok(render_page(&page)?.into_response());
    }
    learn::withdraw(&state.app, &taking).await?;
    Ok(see_other("/learn?notice=withdrawn"))
}
