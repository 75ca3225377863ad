//! Learning events as xAPI statements, written to the event store in the transaction of the
//! event. Actors are accounts on this server (`{public_url}` + user id), never emails, so the
//! records carry no contact details.

use academy_store::{StoreError, Tx, statements};
use academy_xapi::{Agent, Iri, Score, Statement, StatementBuilder, StatementResult};
use chrono::{DateTime, Utc};

/// The IRIs and names of what an event is about.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Activity IRI.
    pub id: String,
    /// Activity type IRI.
    pub kind: &'static str,
    /// English name.
    pub name: String,
}

/// A learning event.
#[derive(Debug, Clone)]
pub enum Event {
    /// Registered for a workshop session.
    Registered,
    /// Attended a session.
    Attended,
    /// Opened an item for the first time.
    Launched,
    /// Answered a quiz question.
    Answered {
        /// What they answered.
        response: String,
        /// Whether it was right.
        correct: bool,
    },
    /// Completed a step or an item.
    Completed,
    /// Passed a quiz.
    Passed {
        /// Score, 0–100.
        percent: u8,
    },
    /// Failed a quiz attempt.
    Failed {
        /// Score, 0–100.
        percent: u8,
    },
    /// Earned a credential.
    Earned,
    /// Gave feedback on someone's work (the actor is the facilitator).
    Commented {
        /// The feedback.
        text: String,
    },
}

/// Activity type IRIs (from the xAPI vocabulary in `academy-xapi`).
pub mod kinds {
    use academy_xapi::vocab::activity_types as types;
    /// A course.
    pub const COURSE: &str = types::COURSE.id;
    /// A lesson or step.
    pub const LESSON: &str = types::LESSON.id;
    /// A quiz.
    pub const ASSESSMENT: &str = types::ASSESSMENT.id;
    /// A quiz question.
    pub const INTERACTION: &str = types::CMI_INTERACTION.id;
    /// A live session.
    pub const MEETING: &str = types::MEETING.id;
    /// A credential.
    pub const BADGE: &str = types::BADGE.id;
}

fn verb(event: &Event) -> academy_xapi::vocab::Term {
    use academy_xapi::vocab::verbs;
    match event {
        Event::Registered => verbs::REGISTERED,
        Event::Attended => verbs::ATTENDED,
        Event::Launched => verbs::LAUNCHED,
        Event::Answered { .. } => verbs::ANSWERED,
        Event::Completed => verbs::COMPLETED,
        Event::Passed { .. } => verbs::PASSED,
        Event::Failed { .. } => verbs::FAILED,
        Event::Earned => verbs::EARNED,
        Event::Commented { .. } => verbs::COMMENTED,
    }
}

/// Who did it and in which registration.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The server's public URL (the account home page, and the base of activity IRIs).
    pub home_page: &'a str,
    /// The person.
    pub user_id: i64,
    /// The enrollment's registration UUID.
    pub registration: Option<&'a str>,
    /// The item the event belongs to, when the object is a part of it.
    pub parent: Option<&'a Activity>,
}

/// Builds the xAPI statement for `event` on `object`, validated against the specification.
pub fn statement(
    context: &Context<'_>,
    event: &Event,
    object: &Activity,
    at: DateTime<Utc>,
) -> Result<Statement, String> {
    let home = Iri::parse(context.home_page).map_err(|e| format!("home page {}: {e}", context.home_page))?;
    let actor = Agent::account(home, context.user_id.to_string());
    let mut builder = StatementBuilder::new(actor, verb(event).verb())
        .activity(&object.id, object.kind, &object.name)
        .platform("Academy")
        .timestamp(at);
    if let Some(registration) = context.registration {
        let registration =
            uuid::Uuid::parse_str(registration).map_err(|e| format!("registration {registration}: {e}"))?;
        builder = builder.registration(registration);
    }
    if let Some(parent) = context.parent {
        builder = builder.parent(&parent.id, parent.kind);
    }
    let result = match event {
        Event::Answered { response, correct } => {
            Some(StatementResult::success(*correct).with_response(response.clone()))
        }
        Event::Passed { percent } => Some(
            StatementResult::success(true).with_completion(true).with_score(Score::scaled(f64::from(*percent) / 100.0)),
        ),
        Event::Failed { percent } => {
            Some(StatementResult::success(false).with_score(Score::scaled(f64::from(*percent) / 100.0)))
        }
        Event::Completed => Some(StatementResult::completion(true)),
        Event::Commented { text } => Some(StatementResult::default().with_response(text.clone())),
        Event::Registered | Event::Attended | Event::Launched | Event::Earned => None,
    };
    if let Some(result) = result {
        builder = builder.result(result);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Writes the statement for `event` on `object`.
pub async fn record(
    tx: &mut Tx,
    context: &Context<'_>,
    event: Event,
    object: &Activity,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let statement =
        statement(context, &event, object, at).map_err(|e| StoreError::Invalid(format!("xAPI statement: {e}")))?;
    let id = statement.id.map(|id| id.to_string()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let text = statement.to_canonical_json();
    let actor = context.user_id.to_string();
    let new = statements::NewStatement {
        id: &id,
        actor: &actor,
        verb: verb(&event).id,
        object: &object.id,
        registration: context.registration,
        timestamp: at,
        statement: &text,
    };
    statements::insert(tx, &new, academy_core::time::now()).await
}

/// The activity of a catalog item.
pub fn item_activity(home_page: &str, item: &academy_store::catalog::Item) -> Activity {
    let kind = match item.kind {
        academy_core::learning::ItemKind::Workshop => kinds::MEETING,
        _ => kinds::COURSE,
    };
    Activity {
        id: format!("{}/activities/items/{}", home_page.trim_end_matches('/'), item.slug),
        kind,
        name: item.title.clone(),
    }
}

/// The activity of a step.
pub fn step_activity(
    home_page: &str,
    item: &academy_store::catalog::Item,
    step: &academy_store::catalog::Step,
) -> Activity {
    let kind = match step.kind {
        academy_core::learning::StepKind::Quiz => kinds::ASSESSMENT,
        _ => kinds::LESSON,
    };
    Activity {
        id: format!("{}/activities/items/{}/steps/{}", home_page.trim_end_matches('/'), item.slug, step.position),
        kind,
        name: step.title.clone(),
    }
}
