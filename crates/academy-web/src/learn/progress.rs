//! Taking a course or lab: opening steps, finishing lessons, answering quizzes, writing
//! reflections, submitting lab work, and completing the item.

use super::LearnError;
use super::events::{self, Activity, Context, Event};
use crate::jobs::credentials::IssueCredential;
use academy_core::learning::{Evidence, ItemKind, PdHours, QuizResult, Response, RuleRegistry, StepKind};
use academy_store::catalog::{Item, ItemStatus, Step};
use academy_store::progress::{self, Enrollment, EnrollmentStatus, QuizAttempt};
use academy_store::{Tx, jobs};
use chrono::{DateTime, Utc};

/// The person taking the item, and where their records point.
#[derive(Debug, Clone, Copy)]
pub struct Learner<'a> {
    /// Their id.
    pub user_id: i64,
    /// The server's public URL, for activity IRIs.
    pub home_page: &'a str,
}

impl Learner<'_> {
    fn context<'b>(&'b self, enrollment: &'b Enrollment, parent: Option<&'b Activity>) -> Context<'b> {
        Context {
            home_page: self.home_page,
            user_id: self.user_id,
            registration: Some(&enrollment.registration),
            parent,
        }
    }
}

/// Enrolls in a published course or lab (workshops are joined by registering for a session).
pub async fn enroll(
    tx: &mut Tx,
    learner: Learner<'_>,
    item: &Item,
    now: DateTime<Utc>,
) -> Result<Enrollment, LearnError> {
    if item.status != ItemStatus::Published {
        return Err(LearnError::Refused("This item is not open for enrollment.".into()));
    }
    if item.kind == ItemKind::Workshop {
        return Err(LearnError::Refused("Choose a session to register for this workshop.".into()));
    }
    let (enrollment, _) = progress::enroll(tx, learner.user_id, item.id, None, now).await?;
    Ok(enrollment)
}

/// Records that the teacher is on `step` (so they resume there), and the first launch.
pub async fn open_step(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<(), LearnError> {
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

/// Finishes a lesson.
pub async fn complete_lesson(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<StepOutcome, LearnError> {
    if step.kind != StepKind::Lesson {
        return Err(LearnError::Refused("This step is not a lesson.".into()));
    }
    complete_step(tx, learner, enrollment, item, step, None, now).await
}

/// Counts the words of a reflection.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// Saves a reflection; it completes the step once it has enough words.
pub async fn submit_reflection(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Result<StepOutcome, String>, LearnError> {
    if step.kind != StepKind::Reflection {
        return Err(LearnError::Refused("This step is not a reflection.".into()));
    }
    let min = step.min_words.unwrap_or(30).max(1) as usize;
    let words = word_count(text);
    let response = serde_json::json!({ "text": text.trim() }).to_string();
    if words < min {
        progress::save_draft(&mut *tx, enrollment.id, step.id, &response, now).await?;
        return Ok(Err(format!("Write at least {min} words; you have {words}. Your draft is saved.")));
    }
    Ok(Ok(complete_step(tx, learner, enrollment, item, step, Some(&response), now).await?))
}

/// Submits lab work; it completes the step when the step's completion rule accepts it.
#[expect(clippy::too_many_arguments, reason = "each is a distinct part of the submission")]
pub async fn submit_task(
    tx: &mut Tx,
    rules: &RuleRegistry,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    evidence: &Evidence,
    now: DateTime<Utc>,
) -> Result<Result<StepOutcome, String>, LearnError> {
    if step.kind != StepKind::Task {
        return Err(LearnError::Refused("This step is not a lab task.".into()));
    }
    let name = step.completion_rule.as_deref().unwrap_or("artifact");
    let rule = rules.build(name, &step.completion_params()?).map_err(LearnError::Refused)?;
    if let Err(missing) = rule.evaluate(evidence) {
        return Ok(Err(missing));
    }
    let response = serde_json::to_string(evidence).map_err(|e| LearnError::Refused(e.to_string()))?;
    Ok(Ok(complete_step(tx, learner, enrollment, item, step, Some(&response), now).await?))
}

/// Opens the next quiz attempt, if one is allowed; an attempt already open is returned as is.
pub async fn start_attempt(
    tx: &mut Tx,
    enrollment: &Enrollment,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<QuizAttempt, LearnError> {
    let quiz = step.quiz()?.ok_or_else(|| LearnError::Refused("This step is not a quiz.".into()))?;
    let attempts = progress::attempts(&mut *tx, enrollment.id, step.id).await?;
    if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none()) {
        return Ok(open.clone());
    }
    if attempts.iter().any(|a| a.passed == Some(true)) {
        return Err(LearnError::Refused("You have already passed this quiz.".into()));
    }
    if !quiz.may_attempt(attempts.len() as u32) {
        return Err(LearnError::Refused(format!(
            "You have used all {} attempts at this quiz. Your facilitator can help you review the material.",
            quiz.max_attempts
        )));
    }
    Ok(progress::start_attempt(tx, enrollment.id, step.id, now).await?)
}

/// Grades an attempt. Answers for an attempt that is not this teacher's open attempt at this
/// quiz are refused, so a stale or replayed form never overwrites a result.
#[expect(clippy::too_many_arguments, reason = "each is a distinct part of the submission")]
pub async fn submit_quiz(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    attempt_id: i64,
    responses: &[Response],
    now: DateTime<Utc>,
) -> Result<(QuizResult, StepOutcome), LearnError> {
    let quiz = step.quiz()?.ok_or_else(|| LearnError::Refused("This step is not a quiz.".into()))?;
    let attempt = progress::attempt(&mut *tx, attempt_id).await?;
    let Some(attempt) = attempt.filter(|a| a.enrollment_id == enrollment.id && a.step_id == step.id) else {
        return Err(LearnError::Stale(
            "These answers belong to another attempt. Your current attempt is shown; submit it again.".into(),
        ));
    };
    if attempt.submitted_at.is_some() {
        return Err(LearnError::Stale(
            "This attempt was already submitted. Start a new attempt to answer again.".into(),
        ));
    }
    let result = quiz.grade(responses);
    let stored = serde_json::to_string(responses).map_err(|e| LearnError::Refused(e.to_string()))?;
    if !progress::submit_attempt(tx, attempt.id, &stored, i64::from(result.percent), result.passed, now).await? {
        return Err(LearnError::Stale("This attempt was already submitted.".into()));
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
        events::record(tx, &question_context, Event::Answered { response, correct: outcome.correct }, &activity, now)
            .await?;
    }
    let event = if result.passed {
        Event::Passed { percent: result.percent }
    } else {
        Event::Failed { percent: result.percent }
    };
    events::record(tx, &context, event, &quiz_activity, now).await?;
    let outcome = if result.passed {
        complete_step(tx, learner, enrollment, item, step, None, now).await?
    } else {
        StepOutcome::default()
    };
    Ok((result, outcome))
}

async fn complete_step(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    step: &Step,
    response: Option<&str>,
    now: DateTime<Utc>,
) -> Result<StepOutcome, LearnError> {
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
pub async fn complete_item(
    tx: &mut Tx,
    learner: Learner<'_>,
    enrollment: &Enrollment,
    item: &Item,
    now: DateTime<Utc>,
) -> Result<bool, LearnError> {
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
