//! The vocabulary Academy speaks: verbs, activity types, context categories and extensions,
//! each an IRI from a published vocabulary with its English display. Reusing published IRIs
//! (rather than minting `academy.example/verbs/…`) is what lets another LRS or dashboard read
//! Academy's statements.
//!
//! Sources:
//! - cmi5 verbs, activity types, categories and extensions: the cmi5 specification
//!   (AICC/CMI-5_Spec_Current, `cmi5_spec.md` §9.3 Verbs, §9.6.2, §9.6.3, §9.7) and the cmi5 xAPI
//!   profile (`https://w3id.org/xapi/cmi5`). Where the profile's statement templates disagree
//!   with the specification (they give `http://adlnet.gov/expapi/verbs/waived` and
//!   `…/satisfied`, and `…/cmi5/activities/course`), the specification and the profile's own
//!   concept list win: `https://w3id.org/xapi/adl/verbs/waived`, `…/satisfied`, and
//!   `https://w3id.org/xapi/cmi5/activitytype/course`.
//! - `registered`, `attended`, `answered`, `voided` and the `meeting`, `question` activity types:
//!   the ADL vocabulary (`http://adlnet.gov/expapi/…`, published as the ADL profile in
//!   adlnet/xapi-authored-profiles); `course`, `module`, `lesson`, `assessment` and
//!   `cmi.interaction` are ADL activity types from the same namespace that the xAPI
//!   specification itself uses.
//! - `earned`: `http://id.tincanapi.com/verb/earned` from the xAPI registry (registry.tincanapi.com,
//!   republished by ADL in xapi-authored-profiles `tincan.jsonld`), defined as "the actor has
//!   earned or has been awarded the object", and declared there an exact match of the Open Badges
//!   xAPI recipe's verb. It is the earned verb in common use (Open edX Aspects, Moodle and other
//!   plugins); the recipe's own IRI exists in two spellings (`specification.` and `standard.`
//!   `openbadges.org/xapi/verbs/earned.json`) and presumes Open Badges 2.0 hosted assertions,
//!   while Academy issues Open Badges 3.0 credentials.
//! - `badge`: the Activity Streams 1.0 object type `http://activitystrea.ms/schema/1.0/badge`,
//!   the object type the Open Badges xAPI recipe uses.

use crate::activity::Activity;
use crate::iri::Iri;
use crate::language::LanguageMap;
use crate::statement::Verb;

/// A vocabulary term: an IRI and its English display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    /// The IRI.
    pub id: &'static str,
    /// How to show it in English.
    pub display: &'static str,
}

impl Term {
    /// The IRI, typed.
    pub fn iri(&self) -> Iri {
        Iri::from_trusted(self.id)
    }

    /// The display as a language map (`en-US`).
    pub fn display_map(&self) -> LanguageMap {
        LanguageMap::en_us(self.display)
    }

    /// The term as a verb with its display.
    pub fn verb(&self) -> Verb {
        Verb { id: self.iri(), display: Some(self.display_map()) }
    }

    /// The term as an activity with only an id (context categories such as cmi5's).
    pub fn activity(&self) -> Activity {
        Activity::new(self.iri())
    }
}

impl From<Term> for Verb {
    fn from(term: Term) -> Self {
        term.verb()
    }
}

impl AsRef<str> for Term {
    fn as_ref(&self) -> &str {
        self.id
    }
}

/// Verbs.
pub mod verbs {
    use super::Term;

    /// cmi5: the LMS launched an assignable unit for the learner.
    pub const LAUNCHED: Term = Term { id: "http://adlnet.gov/expapi/verbs/launched", display: "launched" };
    /// cmi5: the assignable unit started a session.
    pub const INITIALIZED: Term = Term { id: "http://adlnet.gov/expapi/verbs/initialized", display: "initialized" };
    /// cmi5: the learner completed the activity (course, module, lesson, lab).
    pub const COMPLETED: Term = Term { id: "http://adlnet.gov/expapi/verbs/completed", display: "completed" };
    /// cmi5: the learner passed a judged activity (quiz, assessment).
    pub const PASSED: Term = Term { id: "http://adlnet.gov/expapi/verbs/passed", display: "passed" };
    /// cmi5: the learner failed a judged activity.
    pub const FAILED: Term = Term { id: "http://adlnet.gov/expapi/verbs/failed", display: "failed" };
    /// cmi5: the session ended abnormally.
    pub const ABANDONED: Term = Term { id: "https://w3id.org/xapi/adl/verbs/abandoned", display: "abandoned" };
    /// cmi5: the requirements were met by other means (e.g. credit for prior learning).
    pub const WAIVED: Term = Term { id: "https://w3id.org/xapi/adl/verbs/waived", display: "waived" };
    /// cmi5: the session ended normally.
    pub const TERMINATED: Term = Term { id: "http://adlnet.gov/expapi/verbs/terminated", display: "terminated" };
    /// cmi5: the LMS judged the learner to have met a block's or course's criteria.
    pub const SATISFIED: Term = Term { id: "https://w3id.org/xapi/adl/verbs/satisfied", display: "satisfied" };
    /// ADL: the learner registered (for a workshop session, a course, a cohort).
    pub const REGISTERED: Term = Term { id: "http://adlnet.gov/expapi/verbs/registered", display: "registered" };
    /// ADL: the learner attended a live session.
    pub const ATTENDED: Term = Term { id: "http://adlnet.gov/expapi/verbs/attended", display: "attended" };
    /// ADL: the learner answered a question.
    pub const ANSWERED: Term = Term { id: "http://adlnet.gov/expapi/verbs/answered", display: "answered" };
    /// xAPI registry: the learner earned (was awarded) a badge or credential.
    pub const EARNED: Term = Term { id: "http://id.tincanapi.com/verb/earned", display: "earned" };
    /// xAPI's one reserved verb: the object (a StatementRef) is voided.
    pub const VOIDED: Term = Term { id: "http://adlnet.gov/expapi/verbs/voided", display: "voided" };
    /// Offered an opinion or feedback on something (a facilitator on a teacher's work).
    pub const COMMENTED: Term = Term { id: "http://adlnet.gov/expapi/verbs/commented", display: "commented" };

    /// The nine verbs the cmi5 specification defines.
    pub const CMI5: [Term; 9] =
        [LAUNCHED, INITIALIZED, COMPLETED, PASSED, FAILED, ABANDONED, WAIVED, TERMINATED, SATISFIED];

    /// Every verb here.
    pub const ALL: [Term; 15] = [
        LAUNCHED,
        INITIALIZED,
        COMPLETED,
        PASSED,
        FAILED,
        ABANDONED,
        WAIVED,
        TERMINATED,
        SATISFIED,
        REGISTERED,
        ATTENDED,
        ANSWERED,
        EARNED,
        VOIDED,
        COMMENTED,
    ];
}

/// Activity types (`object.definition.type`).
pub mod activity_types {
    use super::Term;

    /// ADL: a course (a catalog offering: self-paced course or workshop series).
    pub const COURSE: Term = Term { id: "http://adlnet.gov/expapi/activities/course", display: "course" };
    /// ADL: a module of a course.
    pub const MODULE: Term = Term { id: "http://adlnet.gov/expapi/activities/module", display: "module" };
    /// ADL: a lesson.
    pub const LESSON: Term = Term { id: "http://adlnet.gov/expapi/activities/lesson", display: "lesson" };
    /// ADL: an assessment (quiz, pre/post test).
    pub const ASSESSMENT: Term = Term { id: "http://adlnet.gov/expapi/activities/assessment", display: "assessment" };
    /// ADL: a question (an item that is not modelled as an interaction).
    pub const QUESTION: Term = Term { id: "http://adlnet.gov/expapi/activities/question", display: "question" };
    /// xAPI: an interaction (quiz item) with an `interactionType`, as the specification asks.
    pub const CMI_INTERACTION: Term =
        Term { id: "http://adlnet.gov/expapi/activities/cmi.interaction", display: "interaction" };
    /// ADL: a meeting; Academy's live workshop sessions (virtual or at a hub).
    pub const MEETING: Term = Term { id: "http://adlnet.gov/expapi/activities/meeting", display: "meeting" };
    /// Activity Streams: a badge; Academy's Open Badges credentials.
    pub const BADGE: Term = Term { id: "http://activitystrea.ms/schema/1.0/badge", display: "badge" };
    /// cmi5: the LMS's course object (satisfied statements).
    pub const CMI5_COURSE: Term = Term { id: "https://w3id.org/xapi/cmi5/activitytype/course", display: "course" };
    /// cmi5: a block of assignable units (satisfied statements).
    pub const CMI5_BLOCK: Term = Term { id: "https://w3id.org/xapi/cmi5/activitytype/block", display: "block" };

    /// Every activity type here.
    pub const ALL: [Term; 10] =
        [COURSE, MODULE, LESSON, ASSESSMENT, QUESTION, CMI_INTERACTION, MEETING, BADGE, CMI5_COURSE, CMI5_BLOCK];
}

/// Context category activities (`context.contextActivities.category`).
pub mod categories {
    use super::Term;

    /// cmi5: the statement is a cmi5 defined statement.
    pub const CMI5: Term = Term { id: "https://w3id.org/xapi/cmi5/context/categories/cmi5", display: "cmi5" };
    /// cmi5: the statement's result counts toward "move on" (completion/success).
    pub const MOVEON: Term = Term { id: "https://w3id.org/xapi/cmi5/context/categories/moveon", display: "moveOn" };

    /// Every category here.
    pub const ALL: [Term; 2] = [CMI5, MOVEON];
}

/// Extension keys.
pub mod extensions {
    use super::Term;

    /// cmi5 context: the AU session id.
    pub const CMI5_SESSION_ID: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/sessionid", display: "session ID" };
    /// cmi5 context: the mastery score (0..1).
    pub const CMI5_MASTERY_SCORE: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/masteryscore", display: "mastery score" };
    /// cmi5 context: Normal, Browse or Review.
    pub const CMI5_LAUNCH_MODE: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/launchmode", display: "launch mode" };
    /// cmi5 context: the URL the AU was launched with.
    pub const CMI5_LAUNCH_URL: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/launchurl", display: "launch URL" };
    /// cmi5 context: the AU's move-on criterion.
    pub const CMI5_MOVE_ON: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/moveon", display: "move on" };
    /// cmi5 context: launch parameters from the course structure.
    pub const CMI5_LAUNCH_PARAMETERS: Term =
        Term { id: "https://w3id.org/xapi/cmi5/context/extensions/launchparameters", display: "launch parameters" };
    /// cmi5 result: progress toward completion, 0 to 100.
    pub const CMI5_PROGRESS: Term =
        Term { id: "https://w3id.org/xapi/cmi5/result/extensions/progress", display: "progress" };
    /// cmi5 result: why a requirement was waived.
    pub const CMI5_REASON: Term = Term { id: "https://w3id.org/xapi/cmi5/result/extensions/reason", display: "reason" };

    /// Every extension here.
    pub const ALL: [Term; 8] = [
        CMI5_SESSION_ID,
        CMI5_MASTERY_SCORE,
        CMI5_LAUNCH_MODE,
        CMI5_LAUNCH_URL,
        CMI5_MOVE_ON,
        CMI5_LAUNCH_PARAMETERS,
        CMI5_PROGRESS,
        CMI5_REASON,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> impl Iterator<Item = Term> {
        verbs::ALL.into_iter().chain(activity_types::ALL).chain(categories::ALL).chain(extensions::ALL)
    }

    #[test]
    fn every_term_is_an_iri_with_a_display() {
        for term in all() {
            assert!(Iri::parse(term.id).is_ok(), "{}", term.id);
            assert!(!term.display.is_empty());
        }
    }

    #[test]
    fn iris_are_distinct() {
        let ids: std::collections::HashSet<&str> = all().map(|t| t.id).collect();
        assert_eq!(ids.len(), all().count());
    }

    #[test]
    fn cmi5_verbs_are_the_specifications() {
        let ids: Vec<&str> = verbs::CMI5.iter().map(|t| t.id).collect();
        assert_eq!(
            ids,
            [
                "http://adlnet.gov/expapi/verbs/launched",
                "http://adlnet.gov/expapi/verbs/initialized",
                "http://adlnet.gov/expapi/verbs/completed",
                "http://adlnet.gov/expapi/verbs/passed",
                "http://adlnet.gov/expapi/verbs/failed",
                "https://w3id.org/xapi/adl/verbs/abandoned",
                "https://w3id.org/xapi/adl/verbs/waived",
                "http://adlnet.gov/expapi/verbs/terminated",
                "https://w3id.org/xapi/adl/verbs/satisfied",
            ]
        );
    }

    #[test]
    fn a_term_becomes_a_verb_with_display() {
        let v: Verb = verbs::COMPLETED.into();
        assert_eq!(v.id.as_str(), "http://adlnet.gov/expapi/verbs/completed");
        assert_eq!(v.display.as_ref().and_then(|d| d.get("en-US")), Some("completed"));
    }
}
