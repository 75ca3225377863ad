//! Feedback facilitators give teachers, on a step's work or on an item as a whole, and the
//! rows a facilitator reviews: each person's progress, scores and submissions on some items.

use crate::{Exec, StoreError, Tx, query};
use academy_core::learning::StepKind;
use chrono::{DateTime, Utc};

/// A piece of feedback as the teacher sees it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Feedback {
    /// Id.
    pub id: i64,
    /// The enrollment it is about.
    pub enrollment_id: i64,
    /// The step it is about (`None`: the item as a whole).
    pub step_id: Option<i64>,
    /// Who gave it.
    pub author_name: Option<String>,
    /// What they said.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Records feedback.
pub async fn insert(
    tx: &mut Tx,
    enrollment_id: i64,
    step_id: Option<i64>,
    author_id: Option<i64>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    query(
        "INSERT INTO feedback (enrollment_id, step_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(enrollment_id)
    .bind(step_id)
    .bind(author_id)
    .bind(body)
    .bind(now)
    .fetch_i64(tx)
    .await
}

/// The feedback on an enrollment, oldest first.
pub async fn for_enrollment<'c>(exec: impl Into<Exec<'c>>, enrollment_id: i64) -> Result<Vec<Feedback>, StoreError> {
    query(
        "SELECT f.id, f.enrollment_id, f.step_id, u.display_name AS author_name, f.body, f.created_at
         FROM feedback f LEFT JOIN users u ON u.id = f.author_id
         WHERE f.enrollment_id = $1 ORDER BY f.created_at, f.id",
    )
    .bind(enrollment_id)
    .fetch_all(exec)
    .await
}

/// One step of one item for one person, as a facilitator reviews it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ReviewRow {
    /// The item.
    pub item_id: i64,
    /// Its title.
    pub item_title: String,
    /// The person's enrollment in it, if any.
    pub enrollment_id: Option<i64>,
    /// Its status (`enrolled`, `in_progress`, `completed`, `withdrawn`).
    pub enrollment_status: Option<String>,
    /// The step.
    pub step_id: i64,
    /// Its position in the item.
    pub position: i64,
    /// Its title.
    pub step_title: String,
    /// Its kind.
    #[sqlx(try_from = "String")]
    pub kind: StepKind,
    /// `started` or `completed`, when begun.
    pub progress: Option<String>,
    /// What was submitted (JSON: `text`, `link`).
    pub response: Option<String>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The best quiz score, for quizzes attempted.
    pub best_percent: Option<i64>,
    /// Quiz attempts submitted.
    pub attempts: i64,
}

/// Every step of the items of `pathway_id` with `user_id`'s progress on it, in pathway and
/// step order (items they have not enrolled in have no enrollment).
pub async fn review_of_pathway<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    pathway_id: i64,
) -> Result<Vec<ReviewRow>, StoreError> {
    query(
        "SELECT i.id AS item_id, i.title AS item_title, e.id AS enrollment_id, e.status AS enrollment_status,
                s.id AS step_id, s.position, s.title AS step_title, s.kind, p.status AS progress, p.response,
                p.completed_at,
                (SELECT MAX(a.percent) FROM quiz_attempts a
                  WHERE a.enrollment_id = e.id AND a.step_id = s.id AND a.submitted_at IS NOT NULL) AS best_percent,
                (SELECT COUNT(*) FROM quiz_attempts a
                  WHERE a.enrollment_id = e.id AND a.step_id = s.id AND a.submitted_at IS NOT NULL) AS attempts
         FROM pathway_items pi
         JOIN catalog_items i ON i.id = pi.item_id
         JOIN item_steps s ON s.item_id = i.id
         LEFT JOIN enrollments e ON e.item_id = i.id AND e.user_id = $1
         LEFT JOIN step_progress p ON p.enrollment_id = e.id AND p.step_id = s.id
         WHERE pi.pathway_id = $2
         ORDER BY pi.position, i.id, s.position",
    )
    .bind(user_id)
    .bind(pathway_id)
    .fetch_all(exec)
    .await
}
