//! Taking a course or lab, step by step. Every view records where the teacher is, so
//! "continue" brings them back to it.

use super::catalog::load_item;
use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::learn::progress::{self as learn, Learner, StepOutcome};
use crate::learn_pages::{markdown, markdown_inline};
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_core::learning::{Evidence, QuestionKind, Quiz, Response as QuizResponse, StepKind};
use academy_core::time;
use academy_store::catalog::{self, Item, Module, Step};
use academy_store::progress::{self, Enrollment, QuizAttempt};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

struct Loaded {
    item: Item,
    enrollment: Enrollment,
    steps: Vec<Step>,
    modules: Vec<Module>,
}

async fn load(state: &AppState, ctx: &RequestContext, slug: &str) -> Result<Loaded, AppError> {
    let session = ctx.session()?;
    let item = load_item(state, ctx, slug).await?;
    let enrollment = progress::find(&state.store, session.user_id, item.id)
        .await?
        .filter(|e| e.status != progress::EnrollmentStatus::Withdrawn)
        .ok_or_else(|| AppError::Gone(format!("You are not enrolled in {}. Enroll on its page first.", item.title)))?;
    let steps = catalog::steps(&state.store, item.id).await?;
    let modules = catalog::modules(&state.store, item.id).await?;
    Ok(Loaded { item, enrollment, steps, modules })
}

fn learner(state: &AppState, ctx: &RequestContext) -> Result<(i64, String), AppError> {
    Ok((ctx.session()?.user_id, state.config.public_url.as_str().trim_end_matches('/').to_owned()))
}

/// Sends the teacher to where they left off (or the first step not yet done).
pub async fn continue_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let done: std::collections::HashSet<i64> = progress::step_progress(&state.store, loaded.enrollment.id)
        .await?
        .into_iter()
        .filter(|p| p.status == "completed")
        .map(|p| p.step_id)
        .collect();
    let current = loaded.enrollment.current_step_id.and_then(|id| loaded.steps.iter().find(|s| s.id == id));
    let target = current
        .filter(|s| !done.contains(&s.id))
        .or_else(|| loaded.steps.iter().find(|s| !done.contains(&s.id)))
        .or(current)
        .or(loaded.steps.first());
    match target {
        Some(step) => Ok(see_other(&format!("/learn/items/{slug}/steps/{}", step.position))),
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
    loaded: &Loaded,
    position: i64,
    error: Option<String>,
    draft: Option<(String, String)>,
    notice: Option<String>,
) -> Result<StepPage, AppError> {
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?.clone();
    let progress_rows = progress::step_progress(&state.store, loaded.enrollment.id).await?;
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
        Some(quiz) => Some(quiz_view(&quiz, &progress::attempts(&state.store, loaded.enrollment.id, step.id).await?)),
        None => None,
    };
    let instruction = match (step.kind, step.completion_rule.as_deref()) {
        (StepKind::Task, Some(rule)) => {
            // Packages and the editor check the rule when the step is saved; failing here means
            // the stored step is corrupt, which is an error, not an empty instruction.
            state
                .completion_rules
                .build(rule, &step.completion_params()?)
                .map(|r| r.instruction())
                .map_err(|e| anyhow::anyhow!("step {}: completion rule {rule}: {e}", step.id))?
        }
        _ => String::new(),
    };
    let index = loaded.steps.iter().position(|s| s.id == step.id).unwrap_or(0);
    let enrollment = progress::find(&state.store, loaded.enrollment.user_id, loaded.item.id)
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
        done: mine.is_some_and(|p| p.status == "completed"),
        item_done: enrollment.status == progress::EnrollmentStatus::Completed,
        response_text,
        response_link,
        instruction,
        error,
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
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let (user_id, home) = learner(&state, &ctx)?;
    let mut tx = state.store.begin().await?;
    learn::open_step(
        &mut tx,
        Learner { user_id, home_page: &home },
        &loaded.enrollment,
        &loaded.item,
        step,
        time::now(),
    )
    .await?;
    tx.commit().await?;
    let page = step_page(&state, &ctx, &loaded, position, None, None, notice_text(query.notice.as_deref())).await?;
    Ok(render_page(&page)?.into_response())
}

fn after(slug: &str, loaded: &Loaded, position: i64, outcome: StepOutcome) -> Response {
    if outcome.item_completed {
        return see_other(&format!("/learn/items/{slug}?notice=item-completed"));
    }
    let next = loaded.steps.iter().map(|s| s.position).find(|p| *p > position);
    match next {
        Some(next) => see_other(&format!("/learn/items/{slug}/steps/{next}")),
        None => see_other(&format!("/learn/items/{slug}")),
    }
}

/// Finishes a lesson and moves on.
pub async fn complete_lesson(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let (user_id, home) = learner(&state, &ctx)?;
    let mut tx = state.store.begin().await?;
    let outcome = learn::complete_lesson(
        &mut tx,
        Learner { user_id, home_page: &home },
        &loaded.enrollment,
        &loaded.item,
        step,
        time::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(after(&slug, &loaded, position, outcome))
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
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let (user_id, home) = learner(&state, &ctx)?;
    let mut tx = state.store.begin().await?;
    let result = learn::submit_reflection(
        &mut tx,
        Learner { user_id, home_page: &home },
        &loaded.enrollment,
        &loaded.item,
        step,
        &form.text,
        time::now(),
    )
    .await?;
    tx.commit().await?;
    match result {
        Ok(outcome) => Ok(after(&slug, &loaded, position, outcome)),
        Err(message) => {
            let page =
                step_page(&state, &ctx, &loaded, position, Some(message), Some((form.text, String::new())), None)
                    .await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// Submits lab work.
pub async fn submit_task(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
    axum::Form(form): axum::Form<WorkForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let (user_id, home) = learner(&state, &ctx)?;
    let evidence = Evidence::Artifact {
        text: Some(form.text.trim().to_owned()).filter(|t| !t.is_empty()),
        link: Some(form.link.trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let mut tx = state.store.begin().await?;
    let result = learn::submit_task(
        &mut tx,
        &state.completion_rules,
        Learner { user_id, home_page: &home },
        &loaded.enrollment,
        &loaded.item,
        step,
        &evidence,
        time::now(),
    )
    .await?;
    tx.commit().await?;
    match result {
        Ok(outcome) => Ok(after(&slug, &loaded, position, outcome)),
        Err(message) => {
            let page =
                step_page(&state, &ctx, &loaded, position, Some(message), Some((form.text, form.link)), None).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// Opens a quiz attempt.
pub async fn start_attempt(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((slug, position)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let mut tx = state.store.begin().await?;
    learn::start_attempt(&mut tx, &loaded.enrollment, step, time::now()).await?;
    tx.commit().await?;
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
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let step = loaded.steps.iter().find(|s| s.position == position).ok_or(AppError::NotFound)?;
    let quiz = step.quiz()?.ok_or(AppError::NotFound)?;
    let responses = parse_responses(&quiz, &body);
    let (user_id, home) = learner(&state, &ctx)?;
    let mut tx = state.store.begin().await?;
    let submitted = learn::submit_quiz(
        &mut tx,
        Learner { user_id, home_page: &home },
        &loaded.enrollment,
        &loaded.item,
        step,
        attempt_id,
        &responses,
        time::now(),
    )
    .await;
    match submitted {
        Ok((result, outcome)) => {
            tx.commit().await?;
            if outcome.item_completed {
                return Ok(see_other(&format!("/learn/items/{slug}?notice=item-completed")));
            }
            let notice = if result.passed { "quiz-passed" } else { "quiz-failed" };
            Ok(see_other(&format!("/learn/items/{slug}/steps/{position}?notice={notice}#quiz")))
        }
        Err(crate::learn::LearnError::Stale(message)) => {
            drop(tx);
            let page = step_page(&state, &ctx, &loaded, position, Some(message), None, None).await?;
            render_with_status(StatusCode::CONFLICT, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// Leaves a course or lab (progress is kept if they come back).
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &ctx, &slug).await?;
    let mut tx = state.store.begin().await?;
    progress::withdraw(&mut tx, loaded.enrollment.id, time::now()).await?;
    tx.commit().await?;
    Ok(see_other("/learn?notice=withdrawn"))
}
