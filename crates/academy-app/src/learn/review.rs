//! What facilitators review: each teacher's progress, quiz scores, reflections and lab work in
//! a cohort's pathway, and each registrant of a workshop session; and the feedback they give,
//! which the teacher sees beside the work and which is recorded as an xAPI statement.

use super::events::{self, Context, Event};
use crate::{Actor, App, Error, Result};
use academy_core::learning::StepKind;
use academy_core::{Permission, time};
use academy_store::feedback::{self, Feedback};
use academy_store::pathways::{self, Cohort, CohortRole};
use academy_store::progress::{self, Enrollment};
use academy_store::workshops::{self, RegistrationStatus};
use academy_store::{audit, catalog, orgs, users};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The longest feedback.
pub const MAX_FEEDBACK_CHARS: usize = 4_000;

/// One step of a teacher's work as a facilitator reviews it.
#[derive(Debug, Clone)]
pub struct StepReview {
    /// The step.
    pub step_id: i64,
    /// Its position.
    pub position: i64,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: StepKind,
    /// Completed.
    pub done: bool,
    /// Begun but not completed (a draft is kept).
    pub started: bool,
    /// What the teacher wrote (reflections, lab work).
    pub text: Option<String>,
    /// The link they shared (lab work).
    pub link: Option<String>,
    /// Best quiz score, when attempted.
    pub best_percent: Option<i64>,
    /// Quiz attempts submitted.
    pub attempts: i64,
    /// Feedback given on this step.
    pub feedback: Vec<Feedback>,
}

/// One item of the pathway for one teacher.
#[derive(Debug, Clone)]
pub struct ItemReview {
    /// The item.
    pub item_id: i64,
    /// Its title.
    pub title: String,
    /// The teacher's enrollment, when they enrolled.
    pub enrollment_id: Option<i64>,
    /// Its status, in words.
    pub status: String,
    /// Steps done.
    pub done: usize,
    /// The steps.
    pub steps: Vec<StepReview>,
    /// Feedback on the item as a whole.
    pub feedback: Vec<Feedback>,
}

/// One cohort member's work on the cohort's pathway.
#[derive(Debug, Clone)]
pub struct MemberReview {
    /// The person.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// The pathway's items.
    pub items: Vec<ItemReview>,
}

/// A cohort and its members' work (facilitators are left out: there is nothing to review).
pub async fn cohort_review(app: &App, cohort_id: i64) -> Result<(Cohort, Vec<MemberReview>)> {
    let cohort = pathways::cohort(&app.store, cohort_id).await?.ok_or(Error::NotFound)?;
    let mut reviews = Vec::new();
    let Some(pathway_id) = cohort.pathway_id else { return Ok((cohort, reviews)) };
    for member in
        pathways::cohort_members(&app.store, &cohort).await?.into_iter().filter(|m| m.role == CohortRole::Member)
    {
        let rows = feedback::review_of_pathway(&app.store, member.user_id, pathway_id).await?;
        let mut items: Vec<ItemReview> = Vec::new();
        let mut given: HashMap<i64, Vec<Feedback>> = HashMap::new();
        for row in rows {
            if items.last().is_none_or(|i| i.item_id != row.item_id) {
                if let Some(enrollment_id) = row.enrollment_id {
                    given.insert(enrollment_id, feedback::for_enrollment(&app.store, enrollment_id).await?);
                }
                let all = row.enrollment_id.and_then(|e| given.get(&e)).cloned().unwrap_or_default();
                items.push(ItemReview {
                    item_id: row.item_id,
                    title: row.item_title.clone(),
                    enrollment_id: row.enrollment_id,
                    status: status_words(row.enrollment_status.as_deref()),
                    done: 0,
                    steps: Vec::new(),
                    feedback: all.into_iter().filter(|f| f.step_id.is_none()).collect(),
                });
            }
            let Some(item) = items.last_mut() else { continue };
            let response: serde_json::Value =
                row.response.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default();
            let text =
                |key: &str| response.get(key).and_then(|v| v.as_str()).map(str::to_owned).filter(|t| !t.is_empty());
            let done = row.progress.as_deref() == Some("completed");
            item.done += usize::from(done);
            let feedback = row
                .enrollment_id
                .and_then(|e| given.get(&e))
                .map(|all| all.iter().filter(|f| f.step_id == Some(row.step_id)).cloned().collect())
                .unwrap_or_default();
            item.steps.push(StepReview {
                step_id: row.step_id,
                position: row.position,
                title: row.step_title,
                kind: row.kind,
                done,
                started: row.progress.as_deref() == Some("started"),
                text: text("text"),
                link: text("link"),
                best_percent: row.best_percent,
                attempts: row.attempts,
                feedback,
            });
        }
        reviews.push(MemberReview { user_id: member.user_id, name: member.display_name, email: member.email, items });
    }
    Ok((cohort, reviews))
}

fn status_words(status: Option<&str>) -> String {
    match status {
        None => "Not enrolled",
        Some("enrolled") => "Enrolled, not started",
        Some("in_progress") => "In progress",
        Some("completed") => "Completed",
        Some("withdrawn") => "Left",
        Some(_) => "Unknown",
    }
    .to_owned()
}

/// A registrant of a session as a facilitator reviews them.
#[derive(Debug, Clone)]
pub struct RegistrantReview {
    /// The person.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Registered or waitlisted.
    pub status: RegistrationStatus,
    /// When their attendance was recorded.
    pub attended_at: Option<DateTime<Utc>>,
    /// Their enrollment in the workshop (made at registration).
    pub enrollment_id: Option<i64>,
    /// Feedback given on the workshop.
    pub feedback: Vec<Feedback>,
}

/// A session's registrants with their attendance and the feedback they were given.
pub async fn session_review(app: &App, session_id: i64) -> Result<Vec<RegistrantReview>> {
    let (session, _) = super::workshops::session_with_item(app, session_id).await?;
    let mut reviews = Vec::new();
    for entry in workshops::roster(&app.store, session_id).await? {
        let enrollment = progress::find(&app.store, entry.user_id, session.item_id).await?;
        let feedback = match &enrollment {
            Some(e) => feedback::for_enrollment(&app.store, e.id).await?,
            None => Vec::new(),
        };
        reviews.push(RegistrantReview {
            user_id: entry.user_id,
            name: entry.display_name,
            email: entry.email,
            status: entry.status,
            attended_at: entry.attended_at,
            enrollment_id: enrollment.map(|e| e.id),
            feedback,
        });
    }
    Ok(reviews)
}

/// Where feedback is given from: a cohort's review or a session's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewScope {
    /// The cohort with this id: its members' enrollments in its pathway's items.
    Cohort(i64),
    /// The session with this id: its registrants' enrollments in its workshop.
    Session(i64),
}

/// Gives feedback on an enrollment (on one of its steps, or on the item as a whole), from a
/// review the actor may see; records it as an xAPI statement and in the audit log.
pub async fn give_feedback(
    app: &App,
    actor: Actor<'_>,
    scope: ReviewScope,
    enrollment_id: i64,
    step_id: Option<i64>,
    body: &str,
) -> Result<()> {
    let body = academy_core::validation::required_text(body, "Feedback", MAX_FEEDBACK_CHARS)
        .map_err(|m| Error::field("body", m))?;
    let enrollment = progress::by_id(&app.store, enrollment_id).await?.ok_or(Error::NotFound)?;
    let allowed = match scope {
        ReviewScope::Cohort(cohort_id) => {
            let cohort = pathways::cohort(&app.store, cohort_id).await?.ok_or(Error::NotFound)?;
            let org = orgs::get(&app.store, cohort.org_id).await?.ok_or(Error::NotFound)?;
            let member = pathways::cohort_members(&app.store, &cohort)
                .await?
                .iter()
                .any(|m| m.user_id == enrollment.user_id && m.role == CohortRole::Member);
            let in_pathway = match cohort.pathway_id {
                Some(p) => pathways::items(&app.store, p).await?.iter().any(|i| i.item_id == enrollment.item_id),
                None => false,
            };
            actor.principal.can(Permission::ViewMembers, &org.path) && member && in_pathway
        }
        ReviewScope::Session(session_id) => {
            let (session, _) = super::workshops::session_with_item(app, session_id).await?;
            let registered = workshops::registration(&app.store, session_id, enrollment.user_id)
                .await?
                .is_some_and(|r| r.status != RegistrationStatus::Cancelled);
            session.item_id == enrollment.item_id && registered && step_id.is_none()
        }
    };
    if !allowed {
        return Err(Error::NotFound);
    }
    let item = catalog::item(&app.store, enrollment.item_id).await?.ok_or(Error::NotFound)?;
    let step = match step_id {
        Some(step_id) => Some(
            catalog::steps(&app.store, item.id).await?.into_iter().find(|s| s.id == step_id).ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    let learner = users::get(&app.store, enrollment.user_id).await?.ok_or(Error::NotFound)?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = feedback::insert(&mut tx, enrollment.id, step_id, Some(actor.user_id), &body, now).await?;
    record(app, &mut tx, actor, &enrollment, &item, step.as_ref(), &body, now).await?;
    let detail = format!("for {} on {}", learner.display_name, step.as_ref().map_or(&item.title, |s| &s.title));
    audit::record(&mut tx, Some(actor.user_id), "feedback.give", &format!("feedback:{id}"), Some(&detail), now).await?;
    tx.commit().await?;
    Ok(())
}

/// The statement: the facilitator commented on the step (or item), in the teacher's
/// registration, with the feedback as the response.
#[expect(clippy::too_many_arguments, reason = "each is a distinct part of the statement")]
async fn record(
    app: &App,
    tx: &mut academy_store::Tx,
    actor: Actor<'_>,
    enrollment: &Enrollment,
    item: &academy_store::catalog::Item,
    step: Option<&academy_store::catalog::Step>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let home = app.config.public_url.home_page();
    let item_activity = events::item_activity(home, item);
    let (object, parent) = match step {
        Some(step) => (events::step_activity(home, item, step), Some(&item_activity)),
        None => (item_activity.clone(), None),
    };
    let context =
        Context { home_page: home, user_id: actor.user_id, registration: Some(&enrollment.registration), parent };
    events::record(tx, &context, Event::Commented { text: body.to_owned() }, &object, now).await?;
    Ok(())
}

/// The feedback on a teacher's own enrollment, for their pages.
pub async fn feedback_for(app: &App, enrollment: &Enrollment) -> Result<Vec<Feedback>> {
    Ok(feedback::for_enrollment(&app.store, enrollment.id).await?)
}
