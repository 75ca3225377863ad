//! Writing statements in application code without ceremony: IRIs go in as strings, problems
//! come out together (with the JSON path they would have) when the statement is built, and a
//! built statement has an id and has passed [`Statement::validate`].
//!
//! ```
//! use academy_xapi::{Agent, Iri, StatementBuilder, StatementResult, vocab};
//!
//! let home = Iri::parse("https://academy.example.org")?;
//! let teacher = Agent::account(home, "teacher-8d1c");
//! let registration = uuid::Uuid::new_v4();
//! let statement = StatementBuilder::new(teacher, vocab::verbs::COMPLETED)
//!     .activity("https://academy.example.org/xapi/courses/ai-foundations", vocab::activity_types::COURSE, "AI Foundations")
//!     .result(StatementResult::completion(true))
//!     .registration(registration)
//!     .parent("https://academy.example.org/xapi/pathways/ai-ready-educator", vocab::activity_types::COURSE)
//!     .build()?;
//! assert_eq!(statement.context.and_then(|c| c.registration), Some(registration));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::activity::{Activity, ActivityDefinition};
use crate::agent::{Actor, Group};
use crate::context::{Context, ContextActivities, ContextActivityKind};
use crate::error::{Path, ValidationError, ValidationErrors};
use crate::iri::Iri;
use crate::language::{Extensions, LanguageTag};
use crate::result::StatementResult;
use crate::statement::{Statement, StatementObject, Verb};
use crate::time::Timestamp;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Builds a [`Statement`]; see the module docs.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct StatementBuilder {
    statement: Statement,
    object_set: bool,
    problems: Vec<ValidationError>,
}

impl StatementBuilder {
    /// Starts a statement of `actor` doing `verb` (a vocabulary term or a [`Verb`]).
    pub fn new(actor: impl Into<Actor>, verb: impl Into<Verb>) -> Self {
        // A placeholder object until one is given; `build` refuses a statement without one.
        let placeholder = StatementObject::Activity(Activity::new(Iri::from_trusted("urn:academy:unset")));
        Self { statement: Statement::new(actor, verb, placeholder), object_set: false, problems: Vec::new() }
    }

    fn iri(&mut self, text: &str, path: Path) -> Option<Iri> {
        match Iri::parse(text) {
            Ok(iri) => Some(iri),
            Err(e) => {
                self.problems.push(ValidationError::new(path, e.to_string()));
                None
            }
        }
    }

    fn context(&mut self) -> &mut Context {
        self.statement.context.get_or_insert_with(Context::default)
    }

    /// Uses this id instead of a fresh random one.
    pub fn id(mut self, id: Uuid) -> Self {
        self.statement.id = Some(id);
        self
    }

    /// The object is the activity `id` of type `activity_type` (a vocabulary term or an IRI),
    /// named `name` in American English.
    pub fn activity(mut self, id: &str, activity_type: impl AsRef<str>, name: &str) -> Self {
        let object = Path::root().key("object");
        let id = self.iri(id, object.key("id"));
        let activity_type = self.iri(activity_type.as_ref(), object.key("definition").key("type"));
        if let (Some(id), Some(activity_type)) = (id, activity_type) {
            self.statement.object = StatementObject::Activity(Activity::typed(id, activity_type, name));
        }
        self.object_set = true;
        self
    }

    /// The object, given whole (an activity with a full definition, an agent, a StatementRef…).
    pub fn object(mut self, object: impl Into<StatementObject>) -> Self {
        self.statement.object = object.into();
        self.object_set = true;
        self
    }

    /// The result.
    pub fn result(mut self, result: StatementResult) -> Self {
        self.statement.result = Some(result);
        self
    }

    /// The registration (enrolment or attempt) the statement belongs to.
    pub fn registration(mut self, registration: Uuid) -> Self {
        self.context().registration = Some(registration);
        self
    }

    fn context_activity(
        mut self,
        kind: ContextActivityKind,
        name: &'static str,
        id: &str,
        activity_type: Option<&str>,
    ) -> Self {
        let index = self
            .statement
            .context
            .as_ref()
            .and_then(|c| c.context_activities.as_ref())
            .and_then(|ca| ca.lists().into_iter().find(|(n, _)| *n == name).and_then(|(_, list)| list.map(Vec::len)))
            .unwrap_or(0);
        let path = Path::root().key("context").key("contextActivities").key(name).index(index);
        let id = self.iri(id, path.key("id"));
        let definition = match activity_type {
            None => Some(None),
            Some(t) => self
                .iri(t, path.key("definition").key("type"))
                .map(|t| Some(ActivityDefinition { activity_type: Some(t), ..ActivityDefinition::default() })),
        };
        if let (Some(id), Some(definition)) = (id, definition) {
            self = self.context_activity_value(kind, Activity { id, definition });
        }
        self
    }

    /// Adds a related activity of `kind`, given whole.
    pub fn context_activity_value(mut self, kind: ContextActivityKind, activity: Activity) -> Self {
        self.context().context_activities.get_or_insert_with(ContextActivities::default).list_mut(kind).push(activity);
        self
    }

    /// Adds a parent activity (the module of a lesson, the course of a module).
    pub fn parent(self, id: &str, activity_type: impl AsRef<str>) -> Self {
        self.context_activity(ContextActivityKind::Parent, "parent", id, Some(activity_type.as_ref()))
    }

    /// Adds a grouping activity (the course of a lesson's quiz, the pathway of a course).
    pub fn grouping(self, id: &str, activity_type: impl AsRef<str>) -> Self {
        self.context_activity(ContextActivityKind::Grouping, "grouping", id, Some(activity_type.as_ref()))
    }

    /// Adds a category activity by id (a profile such as [`crate::vocab::categories::CMI5`]).
    pub fn category(self, id: impl AsRef<str>) -> Self {
        self.context_activity(ContextActivityKind::Category, "category", id.as_ref(), None)
    }

    /// Adds an "other" related activity.
    pub fn other(self, id: &str, activity_type: impl AsRef<str>) -> Self {
        self.context_activity(ContextActivityKind::Other, "other", id, Some(activity_type.as_ref()))
    }

    /// The instructor (a facilitator).
    pub fn instructor(mut self, instructor: impl Into<Actor>) -> Self {
        self.context().instructor = Some(instructor.into());
        self
    }

    /// The team (a cohort, as an identified group).
    pub fn team(mut self, team: Group) -> Self {
        self.context().team = Some(team);
        self
    }

    /// The platform (e.g. "Academy").
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.context().platform = Some(platform.into());
        self
    }

    /// The language the experience happened in (an RFC 5646 tag).
    pub fn language(mut self, tag: &str) -> Self {
        match LanguageTag::parse(tag) {
            Ok(tag) => self.context().language = Some(tag),
            Err(e) => {
                self.problems.push(ValidationError::new(Path::root().key("context").key("language"), e.to_string()))
            }
        }
        self
    }

    /// Adds a context extension (key: an IRI or a vocabulary term).
    pub fn context_extension(mut self, key: impl AsRef<str>, value: serde_json::Value) -> Self {
        let path = Path::root().key("context").key("extensions").key(key.as_ref());
        if let Some(key) = self.iri(key.as_ref(), path) {
            self.context().extensions.get_or_insert_with(Extensions::new).insert(key, value);
        }
        self
    }

    /// Adds a result extension (key: an IRI or a vocabulary term).
    pub fn result_extension(mut self, key: impl AsRef<str>, value: serde_json::Value) -> Self {
        let path = Path::root().key("result").key("extensions").key(key.as_ref());
        if let Some(key) = self.iri(key.as_ref(), path) {
            let result = self.statement.result.get_or_insert_with(StatementResult::default);
            result.extensions.get_or_insert_with(Extensions::new).insert(key, value);
        }
        self
    }

    /// When it happened.
    pub fn timestamp(mut self, at: DateTime<Utc>) -> Self {
        self.statement.timestamp = Some(Timestamp::from_instant(at));
        self
    }

    /// The statement, with a random id when none was given, validated; or every problem.
    pub fn build(mut self) -> Result<Statement, ValidationErrors> {
        if !self.object_set {
            self.problems.push(ValidationError::new(Path::root().key("object"), "is required"));
        }
        if let Err(errors) = self.statement.validate() {
            self.problems.extend(errors);
        }
        if !self.problems.is_empty() {
            return Err(ValidationErrors(self.problems));
        }
        self.statement.id.get_or_insert_with(Uuid::new_v4);
        Ok(self.statement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Agent;
    use crate::result::Score;
    use crate::vocab::{activity_types, categories, verbs};

    fn teacher() -> Agent {
        Agent::account(Iri::parse("https://academy.example.org").expect("iri"), "teacher-1")
    }

    #[test]
    fn builds_a_validated_statement_with_an_id() {
        let s = StatementBuilder::new(teacher(), verbs::PASSED)
            .activity("https://academy.example.org/xapi/quizzes/q1", activity_types::ASSESSMENT, "Quiz 1")
            .result(StatementResult::success(true).with_score(Score::raw(8.0, 0.0, 10.0)))
            .parent("https://academy.example.org/xapi/modules/m1", activity_types::MODULE)
            .grouping("https://academy.example.org/xapi/courses/c1", activity_types::COURSE)
            .category(categories::CMI5)
            .platform("Academy")
            .language("en-US")
            .build()
            .expect("valid");
        assert!(s.id.is_some());
        let ca = s.context.as_ref().and_then(|c| c.context_activities.as_ref()).expect("context activities");
        assert_eq!(ca.parent.as_ref().map(Vec::len), Some(1));
        assert_eq!(ca.category.as_ref().map(|c| c[0].id.as_str()), Some(categories::CMI5.id));
        let round = Statement::from_json(&serde_json::to_string(&s).expect("json")).expect("reads back");
        assert_eq!(round, s);
    }

    #[test]
    fn reports_every_problem_with_its_path() {
        let errors = StatementBuilder::new(teacher(), verbs::COMPLETED)
            .activity("not an iri", activity_types::COURSE, "x")
            .parent("also bad", activity_types::MODULE)
            .result(StatementResult::default().with_score(Score { scaled: Some(1.5), ..Score::default() }))
            .language("english please")
            .build()
            .expect_err("invalid");
        for path in ["object.id", "context.contextActivities.parent[0].id", "context.language", "result.score.scaled"] {
            assert!(errors.has_path(path), "{path}: {errors}");
        }
    }

    #[test]
    fn an_object_is_required() {
        let errors = StatementBuilder::new(teacher(), verbs::ATTENDED).build().expect_err("no object");
        assert!(errors.has_path("object"));
    }

    #[test]
    fn platform_needs_an_activity_object() {
        let errors = StatementBuilder::new(teacher(), verbs::ATTENDED)
            .object(teacher())
            .platform("Academy")
            .build()
            .expect_err("invalid");
        assert!(errors.has_path("context.platform"), "{errors}");
    }
}
