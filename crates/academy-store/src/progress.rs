//! Enrollments, progress through steps, quiz attempts, "my learning" and transcripts.

use crate::query::stored_enum;
use crate::{Exec, StoreError, Tx, query};
use academy_core::learning::{ItemKind, PdHours};
use chrono::{DateTime, Utc};

stored_enum! {
    /// Where an enrollment stands.
    pub enum EnrollmentStatus {
        /// Enrolled (or registered for a workshop), not started.
        Enrolled = "enrolled",
        /// Started.
        InProgress = "in_progress",
        /// Finished; PD hours awarded.
        Completed = "completed",
        /// Left.
        Withdrawn = "withdrawn",
    }
}

impl EnrollmentStatus {
    /// How it reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Enrolled => "Not started",
            Self::InProgress => "In progress",
            Self::Completed => "Completed",
            Self::Withdrawn => "Withdrawn",
        }
    }
}

stored_enum! {
    /// Where a step stands for a teacher.
    pub enum StepStatus {
        /// Opened, or a draft saved.
        Started = "started",
        /// Done.
        Completed = "completed",
    }
}

/// An enrollment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Enrollment {
    /// Id.
    pub id: i64,
    /// The teacher.
    pub user_id: i64,
    /// The item.
    pub item_id: i64,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: EnrollmentStatus,
    /// The xAPI registration (a UUID) grouping this enrollment's statements.
    pub registration: String,
    /// The cohort it belongs to.
    pub cohort_id: Option<i64>,
    /// Where the teacher left off.
    pub current_step_id: Option<i64>,
    /// PD hours awarded, in tenths.
    pub pd_hours_tenths: Option<i64>,
    /// Enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Started.
    pub started_at: Option<DateTime<Utc>>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Enrolls a teacher, or returns their existing enrollment (re-activating a withdrawn one).
/// The flag says whether a new enrollment was made.
pub async fn enroll(
    tx: &mut Tx,
    user_id: i64,
    item_id: i64,
    cohort_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(Enrollment, bool), StoreError> {
    let registration = uuid::Uuid::new_v4().to_string();
    let inserted = query(
        "INSERT INTO enrollments (user_id, item_id, status, registration, cohort_id, enrolled_at, updated_at)
         VALUES ($1, $2, 'enrolled', $3, $4, $5, $5) ON CONFLICT (user_id, item_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(item_id)
    .bind(registration)
    .bind(cohort_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted == 0 {
        query(
            "UPDATE enrollments SET status = CASE WHEN started_at IS NULL THEN 'enrolled' ELSE 'in_progress' END, updated_at = $3
             WHERE user_id = $1 AND item_id = $2 AND status = 'withdrawn'",
        )
        .bind(user_id)
        .bind(item_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let enrollment = find(&mut *tx, user_id, item_id).await?.ok_or(StoreError::MissingReference)?;
    Ok((enrollment, inserted == 1))
}

/// An enrollment by id.
pub async fn by_id<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Enrollment>, StoreError> {
    query(
        "SELECT id, user_id, item_id, status, registration, cohort_id, current_step_id, pd_hours_tenths, enrolled_at, started_at, completed_at
         FROM enrollments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// A person's enrollment in an item.
pub async fn find<'c>(exec: impl Into<Exec<'c>>, user_id: i64, item_id: i64) -> Result<Option<Enrollment>, StoreError> {
    query(
        "SELECT id, user_id, item_id, status, registration, cohort_id, current_step_id, pd_hours_tenths, enrolled_at, started_at, completed_at
         FROM enrollments WHERE user_id = $1 AND item_id = $2",
    )
    .bind(user_id)
    .bind(item_id)
    .fetch_optional(exec)
    .await
}

/// Records where the teacher is, and that they have started.
pub async fn set_current_step<'c>(
    exec: impl Into<Exec<'c>>,
    enrollment_id: i64,
    step_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "UPDATE enrollments SET current_step_id = $2, started_at = COALESCE(started_at, $3),
                status = CASE WHEN status = 'enrolled' THEN 'in_progress' ELSE status END, updated_at = $3
         WHERE id = $1",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(now)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Withdraws from an item (completed enrollments stay completed).
pub async fn withdraw(tx: &mut Tx, enrollment_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query("UPDATE enrollments SET status = 'withdrawn', updated_at = $2 WHERE id = $1 AND status <> 'completed'")
        .bind(enrollment_id)
        .bind(now)
        .execute(tx)
        .await?
        == 1)
}

/// Progress on one step.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct StepProgress {
    /// The step.
    pub step_id: i64,
    /// Started or completed.
    #[sqlx(try_from = "String")]
    pub status: StepStatus,
    /// What the teacher wrote or submitted (JSON).
    pub response: Option<String>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Progress on every step of an enrollment.
pub async fn step_progress<'c>(exec: impl Into<Exec<'c>>, enrollment_id: i64) -> Result<Vec<StepProgress>, StoreError> {
    query("SELECT step_id, status, response, completed_at FROM step_progress WHERE enrollment_id = $1")
        .bind(enrollment_id)
        .fetch_all(exec)
        .await
}

/// Saves a draft response without completing the step.
pub async fn save_draft<'c>(
    exec: impl Into<Exec<'c>>,
    enrollment_id: i64,
    step_id: i64,
    response: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO step_progress (enrollment_id, step_id, status, response, updated_at) VALUES ($1, $2, 'started', $3, $4)
         ON CONFLICT (enrollment_id, step_id) DO UPDATE SET response = excluded.response, updated_at = excluded.updated_at
         WHERE step_progress.status = 'started'",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(response)
    .bind(now)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Completes a step (keeping the first completion time); returns true when it was not yet
/// complete. Of two transactions completing the same step at once, exactly one sees true: each
/// statement below waits for the other's row and re-checks it, where a read followed by a
/// write would let both read "not complete" on PostgreSQL.
pub async fn complete_step(
    tx: &mut Tx,
    enrollment_id: i64,
    step_id: i64,
    response: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let started = query(
        "UPDATE step_progress SET status = 'completed', response = COALESCE($3, response), completed_at = $4, updated_at = $4
         WHERE enrollment_id = $1 AND step_id = $2 AND status <> 'completed'",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(response)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if started == 1 {
        return Ok(true);
    }
    let inserted = query(
        "INSERT INTO step_progress (enrollment_id, step_id, status, response, completed_at, updated_at)
         VALUES ($1, $2, 'completed', $3, $4, $4) ON CONFLICT (enrollment_id, step_id) DO NOTHING",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(response)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted == 1 {
        return Ok(true);
    }
    // Already complete: a new response replaces the old one, the completion stays.
    if let Some(response) = response {
        query("UPDATE step_progress SET response = $3, updated_at = $4 WHERE enrollment_id = $1 AND step_id = $2")
            .bind(enrollment_id)
            .bind(step_id)
            .bind(response)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(false)
}

/// How many of an enrollment's item's steps are complete, and how many there are.
pub async fn step_counts<'c>(exec: impl Into<Exec<'c>>, enrollment_id: i64) -> Result<(i64, i64), StoreError> {
    query(
        "SELECT (SELECT COUNT(*) FROM step_progress p JOIN item_steps s ON s.id = p.step_id
                 WHERE p.enrollment_id = e.id AND p.status = 'completed' AND s.item_id = e.item_id),
                (SELECT COUNT(*) FROM item_steps s WHERE s.item_id = e.item_id)
         FROM enrollments e WHERE e.id = $1",
    )
    .bind(enrollment_id)
    .fetch_one(exec)
    .await
}

/// Marks an enrollment completed with its PD hours; returns true only the first time.
pub async fn complete_enrollment(
    tx: &mut Tx,
    enrollment_id: i64,
    hours: PdHours,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = query(
        "UPDATE enrollments SET status = 'completed', pd_hours_tenths = $2, completed_at = $3,
                started_at = COALESCE(started_at, $3), updated_at = $3
         WHERE id = $1 AND status <> 'completed'",
    )
    .bind(enrollment_id)
    .bind(hours.tenths())
    .bind(now)
    .execute(tx)
    .await?;
    Ok(changed == 1)
}

/// A quiz attempt.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct QuizAttempt {
    /// Id.
    pub id: i64,
    /// The enrollment.
    pub enrollment_id: i64,
    /// The quiz step.
    pub step_id: i64,
    /// 1 for the first attempt.
    pub number: i64,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Submitted; `None` while open.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The responses (JSON).
    pub responses: Option<String>,
    /// Score in percent.
    pub percent: Option<i64>,
    /// Passed.
    pub passed: Option<bool>,
}

/// Every attempt at a quiz step, oldest first.
pub async fn attempts<'c>(
    exec: impl Into<Exec<'c>>,
    enrollment_id: i64,
    step_id: i64,
) -> Result<Vec<QuizAttempt>, StoreError> {
    query(
        "SELECT id, enrollment_id, step_id, number, started_at, submitted_at, responses, percent, passed
         FROM quiz_attempts WHERE enrollment_id = $1 AND step_id = $2 ORDER BY number",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .fetch_all(exec)
    .await
}

/// One attempt.
pub async fn attempt<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<QuizAttempt>, StoreError> {
    query(
        "SELECT id, enrollment_id, step_id, number, started_at, submitted_at, responses, percent, passed
         FROM quiz_attempts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// Opens the next attempt.
pub async fn start_attempt(
    tx: &mut Tx,
    enrollment_id: i64,
    step_id: i64,
    now: DateTime<Utc>,
) -> Result<QuizAttempt, StoreError> {
    let id = query(
        "INSERT INTO quiz_attempts (enrollment_id, step_id, number, started_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM quiz_attempts WHERE enrollment_id = $1 AND step_id = $2), $3)
         RETURNING id",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(now)
    .fetch_i64(&mut *tx)
    .await?;
    attempt(&mut *tx, id).await?.ok_or(StoreError::MissingReference)
}

/// Records an attempt's graded responses; returns false when it was already submitted.
pub async fn submit_attempt(
    tx: &mut Tx,
    attempt_id: i64,
    responses: &str,
    percent: i64,
    passed: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = query(
        "UPDATE quiz_attempts SET submitted_at = $2, responses = $3, percent = $4, passed = $5
         WHERE id = $1 AND submitted_at IS NULL",
    )
    .bind(attempt_id)
    .bind(now)
    .bind(responses)
    .bind(percent)
    .bind(passed)
    .execute(tx)
    .await?;
    Ok(changed == 1)
}

/// An enrollment as "my learning" lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct LearningCard {
    /// Enrollment id.
    pub enrollment_id: i64,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: EnrollmentStatus,
    /// Item id.
    pub item_id: i64,
    /// Item slug.
    pub slug: String,
    /// Item kind.
    #[sqlx(try_from = "String")]
    pub kind: ItemKind,
    /// Item title.
    pub title: String,
    /// PD hours of the item, in tenths.
    pub item_hours_tenths: i64,
    /// Steps completed.
    pub steps_done: i64,
    /// Steps in all.
    pub steps_total: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A teacher's enrollments, most recently touched first.
pub async fn my_learning<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<LearningCard>, StoreError> {
    query(
        "SELECT e.id AS enrollment_id, e.status, i.id AS item_id, i.slug, i.kind, i.title, i.pd_hours_tenths AS item_hours_tenths,
                (SELECT COUNT(*) FROM step_progress p WHERE p.enrollment_id = e.id AND p.status = 'completed') AS steps_done,
                (SELECT COUNT(*) FROM item_steps s WHERE s.item_id = i.id) AS steps_total,
                e.updated_at, e.completed_at
         FROM enrollments e JOIN catalog_items i ON i.id = e.item_id
         WHERE e.user_id = $1 AND e.status <> 'withdrawn'
         ORDER BY CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END, e.updated_at DESC, e.id DESC",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
}

/// A line of a transcript.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TranscriptLine {
    /// Completed.
    pub completed_at: DateTime<Utc>,
    /// Item title.
    pub title: String,
    /// Item kind.
    #[sqlx(try_from = "String")]
    pub kind: ItemKind,
    /// Item slug.
    pub slug: String,
    /// PD hours awarded, in tenths.
    pub pd_hours_tenths: i64,
}

/// Everything a teacher completed, oldest first.
pub async fn transcript<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<TranscriptLine>, StoreError> {
    query(
        "SELECT e.completed_at, i.title, i.kind, i.slug, COALESCE(e.pd_hours_tenths, 0) AS pd_hours_tenths
         FROM enrollments e JOIN catalog_items i ON i.id = e.item_id
         WHERE e.user_id = $1 AND e.status = 'completed' AND e.completed_at IS NOT NULL
         ORDER BY e.completed_at, e.id",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
}

/// How many enrollments exist in each status for an item.
pub async fn item_counts<'c>(exec: impl Into<Exec<'c>>, item_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    query("SELECT status, COUNT(*) FROM enrollments WHERE item_id = $1 GROUP BY status ORDER BY status")
        .bind(item_id)
        .fetch_all(exec)
        .await
}
