//! What was acted on, when it is an Activity: its id, its definition, and the interaction
//! model (`cmi.interaction`) borrowed from SCORM.

use crate::iri::Iri;
use crate::language::{Extensions, LanguageMap};
use serde::ser::SerializeMap;
use std::fmt;

/// An activity: an IRI that always means the same thing, with optional metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The activity's identifier.
    pub id: Iri,
    /// Metadata (not part of the statement's identity: the LRS keeps one canonical definition).
    pub definition: Option<ActivityDefinition>,
}

impl Activity {
    /// An activity with no definition.
    pub fn new(id: Iri) -> Self {
        Self { id, definition: None }
    }

    /// An activity with a type and an American English name.
    pub fn typed(id: Iri, activity_type: Iri, name: impl Into<String>) -> Self {
        Self {
            id,
            definition: Some(ActivityDefinition {
                name: Some(LanguageMap::en_us(name)),
                activity_type: Some(activity_type),
                ..ActivityDefinition::default()
            }),
        }
    }

    /// The activity type, when the definition gives one.
    pub fn activity_type(&self) -> Option<&Iri> {
        self.definition.as_ref().and_then(|d| d.activity_type.as_ref())
    }
}

impl serde::Serialize for Activity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "Activity")?;
        map.serialize_entry("id", &self.id)?;
        if let Some(definition) = &self.definition {
            map.serialize_entry("definition", definition)?;
        }
        map.end()
    }
}

/// Metadata about an activity.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDefinition {
    /// Human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LanguageMap>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LanguageMap>,
    /// The kind of activity (course, module, assessment, …).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<Iri>,
    /// Where a person can read about (or launch) the activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_info: Option<Iri>,
    /// The kind of interaction, for interaction activities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction_type: Option<InteractionType>,
    /// Patterns of correct responses (an empty list means no response is correct).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_responses_pattern: Option<Vec<String>>,
    /// Options to choose from or order (`choice`, `sequencing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<InteractionComponent>>,
    /// The points of a `likert` scale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<Vec<InteractionComponent>>,
    /// Items to match from (`matching`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Vec<InteractionComponent>>,
    /// Items to match to (`matching`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Vec<InteractionComponent>>,
    /// The steps of a `performance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<InteractionComponent>>,
    /// Further metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Extensions>,
}

impl ActivityDefinition {
    /// The interaction component lists with their property names, in specification order.
    pub fn component_lists(&self) -> [(&'static str, Option<&Vec<InteractionComponent>>); 5] {
        [
            ("choices", self.choices.as_ref()),
            ("scale", self.scale.as_ref()),
            ("source", self.source.as_ref()),
            ("target", self.target.as_ref()),
            ("steps", self.steps.as_ref()),
        ]
    }
}

/// The kinds of interaction (from SCORM's `cmi.interactions.n.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InteractionType {
    /// Two possible responses, `true` or `false`.
    TrueFalse,
    /// Select one or more of several choices.
    Choice,
    /// A short typed response.
    FillIn,
    /// A long typed response.
    LongFillIn,
    /// Match items of a source set to a target set.
    Matching,
    /// A task of several steps.
    Performance,
    /// Put items in order.
    Sequencing,
    /// A point on a scale.
    Likert,
    /// A number or a range.
    Numeric,
    /// Anything else.
    Other,
}

impl InteractionType {
    /// Every interaction type.
    pub const ALL: [Self; 10] = [
        Self::TrueFalse,
        Self::Choice,
        Self::FillIn,
        Self::LongFillIn,
        Self::Matching,
        Self::Performance,
        Self::Sequencing,
        Self::Likert,
        Self::Numeric,
        Self::Other,
    ];

    /// The value as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrueFalse => "true-false",
            Self::Choice => "choice",
            Self::FillIn => "fill-in",
            Self::LongFillIn => "long-fill-in",
            Self::Matching => "matching",
            Self::Performance => "performance",
            Self::Sequencing => "sequencing",
            Self::Likert => "likert",
            Self::Numeric => "numeric",
            Self::Other => "other",
        }
    }

    /// Reads the exact (case-sensitive) JSON value.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// The component lists this interaction type supports.
    pub fn component_lists(self) -> &'static [&'static str] {
        match self {
            Self::Choice | Self::Sequencing => &["choices"],
            Self::Likert => &["scale"],
            Self::Matching => &["source", "target"],
            Self::Performance => &["steps"],
            Self::TrueFalse | Self::FillIn | Self::LongFillIn | Self::Numeric | Self::Other => &[],
        }
    }
}

impl fmt::Display for InteractionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One option, scale point, source or target item, or step of an interaction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InteractionComponent {
    /// Identifies the component within its list (distinct within the list).
    pub id: String,
    /// What the learner sees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LanguageMap>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_types_read_exactly() {
        for t in InteractionType::ALL {
            assert_eq!(InteractionType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).expect("json"), serde_json::json!(t.as_str()));
        }
        assert_eq!(InteractionType::parse("Choice"), None);
        assert_eq!(InteractionType::parse("should error"), None);
    }

    #[test]
    fn typed_activity_serializes_with_object_type() {
        let a = Activity::typed(
            Iri::parse("https://academy.example.org/courses/ai-101").expect("iri"),
            Iri::parse("http://adlnet.gov/expapi/activities/course").expect("iri"),
            "AI 101",
        );
        assert_eq!(
            serde_json::to_value(&a).expect("json"),
            serde_json::json!({"objectType": "Activity", "id": "https://academy.example.org/courses/ai-101",
                "definition": {"name": {"en-US": "AI 101"}, "type": "http://adlnet.gov/expapi/activities/course"}})
        );
    }
}
