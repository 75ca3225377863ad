//! Taking a course or lab: enrolling, opening steps, finishing lessons, answering quizzes,
//! writing reflections, submitting lab work, and completing the item.
//!
//! The player's use cases act on a [`Taking`]: the item a teacher is enrolled in, loaded once
//! per request by [`taking`].

use super::credentials::IssueCredential;
use super::events::{self, Activity, Context, Event};
use crate::{App, Error, Result};
use academy_core::Principal;
use academy_core::learning::{Evidence, ItemKind, PdHours, QuizResult, Response, StepKind};
use academy_store::catalog::{self, Item, ItemStatus, Module, Step};
use academy_store::progress::{self, Enrollment, EnrollmentStatus, QuizAttempt, StepStatus};
use academy_store::{Tx, jobs};
use chrono::{DateTime, Utc};

/// The person taking an item, and where their records point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Learner<'a> {
    /// Their id.
    pub user_id: i64,
    /// The server's public URL without its trailing slash, for activity IRIs.
    pub home_page: &'a str,
}

impl<'a> Learner<'a> {
    /// The learner `user_id` on this server.
    pub fn on(app: &'a App, user_id: i64) -> Self {
        Self { user_id, home_page: app.config.public_url.home_page() }
    }

    fn context<'b>(&'b self, enrollment: &'b Enrollment, parent: Option<&'b Activity>) -> Context<'b> {
        Context {
            home_page: self.home_page,
            user_id: self.user_id,
            registration: Some(&enrollment.registration),
            parent,
        }
    }
}

/// An item a teacher is enrolled in, with its content: what every step of the player needs.
#[derive(Debug, Clone)]
pub struct Taking {
    /// The item.
    pub item: Item,
    /// The teacher's enrollment.
    pub enrollment: Enrollment,
    /// Its steps, in order.
    pub steps: Vec<Step>,
    /// Its modules, in order.
    pub modules: Vec<Module>,
}

impl Taking {
    /// The step at `position`, or [`Error::NotFound`].
    pub fn step(&self, position: i64) -> Result<&Step> {
        self.steps.iter().find(|s| s.position == position).ok_or(Error::NotFound)
    }

    /// The position of the step after `position`, if any.
    pub fn next_after(&self, position: i64) -> Option<i64> {
        self.steps.iter().map(|s| s.position).find(|p| *p > position)
    }

    fn learner<'a>(&self, app: &'a App) -> Learner<'a> {
        Learner::on(app, self.enrollment.user_id)
    }
}

/// Loads the item `slug` that `user_id` is taking; [`Error::Gone`] when they are not enrolled
/// (or have left it).
pub async fn taking(app: &App, principal: &Principal, user_id: i64, slug: &str) -> Result<Taking> {
    let item = super::catalog::visible_item(app, principal, slug).await?;
    let enrollment = progress::find(&app.store, user_id, item.id)
        .await?
        .filter(|e| e.status != EnrollmentStatus::Withdrawn)
        .ok_or_else(|| Error::Gone(format!("You are not enrolled in {}. Enroll on its page first.", item.title)))?;
    let steps = catalog::steps(&app.store, item.id).await?;
    let modules = catalog::modules(&app.store, item.id).await?;
    Ok(Taking { item, enrollment, steps, modules })
}

/// Where "continue" takes the teacher: the step they were on unless it is done, else the first
/// step not yet done, else the step they were on, else the first step.
pub async fn resume_position(app: &App, taking: &Taking) -> Result<Option<i64>> {
    let done: std::collections::HashSet<i64> = progress::step_progress(&app.store, taking.enrollment.id)
        .await?
        .into_iter()
        .filter(|p| p.status == StepStatus::Completed)
        .map(|p| p.step_id)
        .collect();
    let current = taking.enrollment.current_step_id.and_then(|id| taking.steps.iter().find(|s| s.id == id));
    Ok(current
        .filter(|s| !done.contains(&s.id))
        .or_else(|| taking.steps.iter().find(|s| !done.contains(&s.id)))
        .or(current)
        .or(taking.steps.first())
        .map(|s| s.position))
}

/// Enrolls `user_id` in a published course or lab (workshops are joined by registering for a
/// session).
pub async fn enroll(app: &App, user_id: i64, item: &Item) -> Result<Enrollment> {
    let mut tx = app.store.begin().await?;
    let enrollment = enroll_in(&mut tx, user_id, item, academy_core::time::now()).await?;
    tx.commit().await?;
    Ok(enrollment)
}

/// Leaves a course or lab; progress is kept if the teacher comes back.
pub async fn withdraw(app: &App, taking: &Taking) -> Result<()> {
    let mut tx = app.store.begin().await?;
    progress::withdraw(&mut tx, taking.enrollment.id, academy_core::time::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the teacher is on the step at `position` (so they resume there), and the
/// first launch.
pub async fn open_step(app: &App, taking: &Taking, position: i64) -> Result<()> {
    let step = taking.step(position)?;
    let mut tx = app.store.begin().await?;
    open_step_in(&mut tx, taking.learner(app), &taking.enrollment, &taking.item, step, academy_core::time::now())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Finishes the lesson at `position`.
pub async fn complete_lesson(app: &App, taking: &Taking, position: i64) -> Result<StepOutcome> {
    let step = taking.step(position)?;
    if step.kind != StepKind::Lesson {
        return Err(Error::Refused("This step is not a lesson.".into()));
    }
    let mut tx = app.store.begin().await?;
    let now = academy_core::time::now();
    let outcome =
        complete_step(&mut tx, taking.learner(app), &taking.enrollment, &taking.item, step, None, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The most characters a reflection or a lab task's written work may hold (about 3,000 words).
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The longest link to lab work.
pub const MAX_LINK_CHARS: usize = 2_000;

fn check_text(text: &str) -> Result<()> {
    let length = text.trim().chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(Error::field(
            "text",
            format!("This is {length} characters; the most is {MAX_TEXT_CHARS}. Shorten it and send it again."),
        ));
    }
    Ok(())
}

/// What a submitted reflection or lab task led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// The step is complete (and perhaps the item).
    Completed(StepOutcome),
    /// Not complete yet: the message says what is missing. A reflection's draft is saved.
    NotYet(String),
}

/// Saves a reflection; it completes the step once it has enough words, otherwise the draft
/// is kept.
pub async fn submit_reflection(app: &App, taking: &Taking, position: i64, text: &str) -> Result<Submission> {
    let step = taking.step(position)?;
    if step.kind != StepKind::Reflection {
        return Err(Error::Refused("This step is not a reflection.".into()));
    }
    check_text(text)?;
    let min = step.min_words.unwrap_or(30).max(1) as usize;
    let words = word_count(text);
    let response = serde_json::json!({ "text": text.trim() }).to_string();
    let now = academy_core::time::now();
    let mut tx = app.store.begin().await?;
    let submission = if words < min {
        progress::save_draft(&mut tx, taking.enrollment.id, step.id, &response, now).await?;
        Submission::NotYet(format!("Write at least {min} words; you have {words}. Your draft is saved."))
    } else {
        Submission::Completed(
            complete_step(&mut tx, taking.learner(app), &taking.enrollment, &taking.item, step, Some(&response), now)
                .await?,
        )
    };
    tx.commit().await?;
    Ok(submission)
}

/// Submits lab work; it completes the step when the step's completion rule (from the app's
/// one registry) accepts it, and is kept as a draft when it does not. Links must be web
/// addresses (`http` or `https`).
pub async fn submit_task(app: &App, taking: &Taking, position: i64, evidence: &Evidence) -> Result<Submission> {
    let step = taking.step(position)?;
    if step.kind != StepKind::Task {
        return Err(Error::Refused("This step is not a lab task.".into()));
    }
    if let Evidence::Artifact { text, link } = evidence {
        check_text(text.as_deref().unwrap_or_default())?;
        if let Some(link) = link.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            if link.chars().count() > MAX_LINK_CHARS {
                return Err(Error::field("link", format!("A link may be at most {MAX_LINK_CHARS} characters.")));
            }
            if !academy_core::learning::is_web_link(link) {
                return Err(Error::field("link", "Give a web address that starts with https:// or http://."));
            }
        }
    }
    let name = step.completion_rule.as_deref().unwrap_or("artifact");
    let rule = app.rules.build(name, &step.completion_params()?).map_err(Error::Refused)?;
    let response = serde_json::to_string(evidence).map_err(|e| Error::Internal(e.into()))?;
    let now = academy_core::time::now();
    let mut tx = app.store.begin().await?;
    let submission = match rule.evaluate(evidence) {
        Ok(()) => Submission::Completed(
            complete_step(&mut tx, taking.learner(app), &taking.enrollment, &taking.item, step, Some(&response), now)
                .await?,
        ),
        Err(missing) => {
            // What the teacher has written so far is kept as a draft.
            progress::save_draft(&mut tx, taking.enrollment.id, step.id, &response, now).await?;
            Submission::NotYet(format!("{missing} Your draft is saved."))
        }
    };
    tx.commit().await?;
    Ok(submission)
}

/// The instruction a lab task shows, from its completion rule; empty for other steps.
pub fn task_instruction(app: &App, step: &Step) -> Result<String> {
    match (step.kind, step.completion_rule.as_deref()) {
        (StepKind::Task, Some(rule)) => {
            // Packages and the editor check the rule when the step is saved; failing here means
            // the stored step is corrupt, which is an error, not an empty instruction.
            app.rules
                .build(rule, &step.completion_params()?)
                .map(|r| r.instruction())
                .map_err(|e| Error::Internal(anyhow::anyhow!("step {}: completion rule {rule}: {e}", step.id)))
        }
        _ => Ok(String::new()),
    }
}

/// Opens the next quiz attempt at `position`, if one is allowed; an attempt already open is
/// returned as is.
pub async fn start_attempt(app: &App, taking: &Taking, position: i64) -> Result<QuizAttempt> {
    let step = taking.step(position)?;
    let quiz = step.quiz()?.ok_or_else(|| Error::Refused("This step is not a quiz.".into()))?;
    let mut tx = app.store.begin().await?;
    let attempts = progress::attempts(&mut tx, taking.enrollment.id, step.id).await?;
    if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none()) {
        return Ok(open.clone());
    }
    if attempts.iter().any(|a| a.passed == Some(true)) {
        return Err(Error::Refused("You have already passed this quiz.".into()));
    }
    if !quiz.may_attempt(attempts.len() as u32) {
        return Err(Error::Refused(format!(
            "You have used all {} attempts at this quiz. Your facilitator can help you review the material.",
            quiz.max_attempts
        )));
    }
    let attempt = progress::start_attempt(&mut tx, taking.enrollment.id, step.id, academy_core::time::now()).await?;
    tx.commit().await?;
    Ok(attempt)
}

/// Grades an attempt. Answers for an attempt that is not this teacher's open attempt at this
/// quiz are refused ([`Error::Stale`]), so a stale or replayed form never overwrites a result.
pub async fn submit_quiz(
    app: &App,
    taking: &Taking,
    position: i64,
    attempt_id: i64,
    responses: &[Response],
) -> Result<(QuizResult, StepOutcome)> {
    let step = taking.step(position)?;
    let learner = taking.learner(app);
    let (item, enrollment) = (&taking.item, &taking.enrollment);
    let now = academy_core::time::now();
    let quiz = step.quiz()?.ok_or_else(|| Error::Refused("This step is not a quiz.".into()))?;
    // A slip of the button is not an attempt: nothing answered, nothing graded or counted.
    if responses.iter().all(Response::is_blank) {
        return Err(Error::Refused(
            "You have not answered any question yet. Answer at least one before submitting; \
             this attempt is still open and has not been counted."
                .into(),
        ));
    }
    let mut tx = app.store.begin().await?;
    let attempt = progress::attempt(&mut tx, attempt_id).await?;
    let Some(attempt) = attempt.filter(|a| a.enrollment_id == enrollment.id && a.step_id == step.id) else {
        return Err(Error::Stale(
            "These answers belong to another attempt. Your current attempt is shown; submit it again.".into(),
        ));
    };
    if attempt.submitted_at.is_some() {
        return Err(Error::Stale("This attempt was already submitted. Start a new attempt to answer again.".into()));
    }
    let result = quiz.grade(responses);
    let stored = serde_json::to_string(responses).map_err(|e| Error::Internal(e.into()))?;
    if !progress::submit_attempt(&mut tx, attempt.id, &stored, i64::from(result.percent), result.passed, now).await? {
        return Err(Error::Stale("This attempt was already submitted.".into()));
    }
    let item_activity = events::item_activity(learner.home_page, item);
    let quiz_activity = events::step_activity(learner.home_page, item, step);
    let context = learner.context(enrollment, Some(&item_activity));
    for (i, (question, outcome)) in quiz.questions.iter().zip(&result.questions).enumerate() {
        let response = match responses.get(i) {
            Some(Response::Choices(c)) => c.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("[,]"),
            Some(Response::Text(t)) => t.clone(),
            _ => String::new(),
        };
        let activity = Activity {
            id: format!("{}/questions/{}", quiz_activity.id, i + 1),
            kind: events::kinds::INTERACTION,
            name: question.prompt.chars().take(200).collect(),
        };
        let question_context = Context { parent: Some(&quiz_activity), ..context.clone() };
        events::record(
            &mut tx,
            &question_context,
            Event::Answered { response, correct: outcome.correct },
            &activity,
            now,
        )
        .await?;
    }
    let event = if result.passed {
        Event::Passed { percent: result.percent }
    } else {
        Event::Failed { percent: result.percent }
    };
    events::record(&mut tx, &context, event, &quiz_activity, now).await?;
    let outcome = if result.passed {
        complete_step(&mut tx, learner, enrollment, item, step, None, now).await?
    } else {
        StepOutcome::default()
    };
    tx.commit().await?;
    Ok((result, outcome))
}

/// Enrolls in a published course or lab, inside a transaction.
pub(crate) async fn enroll_in(tx: &mut Tx, user_id: i64, item: &Item, now: DateTime<Utc>) -> Result<Enrollment> {
    if item.status != ItemStatus::Published {
        return Err(Error::Refused("This item is not open for enrollment.".into()));
    }
    if item.kind == ItemKind::Workshop {
        return Err(Error::Refused("Choose a session to register for this workshop.".into()));
    }
    // Published before publishing checked for content: nothing to take, so nothing to join.
    if catalog::steps(&mut *tx, item.id).await?.is_empty() {
        return Err(Error::Refused("This item has no content yet, so it cannot be taken; check back later.".into()));
    }
    let (enrollment, _) = progress::enroll(tx, user_id, item.id, None, now).await?;
    Ok(enrollment)
}

async fn open_step_in(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<()> {
    if enrollment.started_at.is_none() {
        let activity = events::item_activity(learner.home_page, item);
        events::record(tx, &learner.context(enrollment, None), Event::Launched, &activity, now).await?;
    }
    if enrollment.current_step_id != Some(step.id) || enrollment.started_at.is_none() {
        progress::set_current_step(tx, enrollment.id, step.id, now).await?;
    }
    Ok(())
}

/// What completing a step led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepOutcome {
    /// The step was completed now (not before).
    pub step_completed: bool,
    /// The whole item was completed now.
    pub item_completed: bool,
}

/// Counts the words of a reflection.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

async fn complete_step(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    response: Option<&str>,
    now: DateTime<Utc>,
) -> Result<StepOutcome> {
    let mut outcome = StepOutcome::default();
    if progress::complete_step(tx, enrollment.id, step.id, response, now).await? {
        outcome.step_completed = true;
        if step.kind != StepKind::Quiz {
            let item_activity = events::item_activity(learner.home_page, item);
            let activity = events::step_activity(learner.home_page, item, step);
            events::record(tx, &learner.context(enrollment, Some(&item_activity)), Event::Completed, &activity, now)
                .await?;
        }
    }
    let (done, total) = progress::step_counts(&mut *tx, enrollment.id).await?;
    if done >= total && enrollment.status != EnrollmentStatus::Completed {
        outcome.item_completed = complete_item(tx, learner, enrollment, item, now).await?;
    }
    Ok(outcome)
}

/// Completes an item: awards its PD hours, records it, queues its credential when it bears
/// one, and checks the pathways it belongs to. Returns false when it was already complete.
pub(crate) async fn complete_item(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    now: DateTime<Utc>,
) -> Result<bool> {
    let hours = PdHours::from_tenths(item.pd_hours_tenths);
    if !progress::complete_enrollment(tx, enrollment.id, hours, now).await? {
        return Ok(false);
    }
    let activity = events::item_activity(learner.home_page, item);
    events::record(tx, &learner.context(enrollment, None), Event::Completed, &activity, now).await?;
    if item.credential_bearing {
        let job = IssueCredential::for_item(learner.user_id, item.id);
        jobs::enqueue(tx, &job, now, now).await?;
    }
    super::pathways::check_after_completion(tx, learner.user_id, item.id, now).await?;
    Ok(true)
}
