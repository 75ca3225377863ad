//! The circumstances of a statement: registration, instructor and team, related activities
//! (parent, grouping, category, other), xAPI 2.0's context agents and groups, and extensions.

use crate::activity::Activity;
use crate::agent::{Actor, Agent, Group};
use crate::iri::Iri;
use crate::language::{Extensions, LanguageTag};
use crate::statement::StatementRef;
use serde::ser::SerializeMap;
use uuid::Uuid;

/// A statement's `context`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// The registration (enrolment, attempt or session) the statement belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<Uuid>,
    /// The instructor (an Agent or a Group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructor: Option<Actor>,
    /// The team the actor worked in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Group>,
    /// Related activities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_activities: Option<ContextActivities>,
    /// Revision of the activity (only when the object is an Activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Platform the experience happened on (only when the object is an Activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The language the experience happened in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<LanguageTag>,
    /// Another statement this one is in the context of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementRef>,
    /// Further context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Extensions>,
    /// Agents relevant to the statement, with why (xAPI 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_agents: Option<Vec<ContextAgent>>,
    /// Groups relevant to the statement, with why (xAPI 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_groups: Option<Vec<ContextGroup>>,
}

impl Context {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Activities related to the statement. xAPI 1.0.3 allowed a single object where an array is
/// meant; such input is read as an array of one, and always written as arrays.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ContextActivities {
    /// Activities directly containing the object (a quiz for its question).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Vec<Activity>>,
    /// Activities indirectly related (a course for a lesson's quiz).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Vec<Activity>>,
    /// Tags, such as the profile the statement follows (cmi5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Vec<Activity>>,
    /// Anything else related.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<Vec<Activity>>,
}

/// Which list of [`ContextActivities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextActivityKind {
    /// `parent`.
    Parent,
    /// `grouping`.
    Grouping,
    /// `category`.
    Category,
    /// `other`.
    Other,
}

impl ContextActivities {
    /// The list of one kind, created when absent.
    pub fn list_mut(&mut self, kind: ContextActivityKind) -> &mut Vec<Activity> {
        let list = match kind {
            ContextActivityKind::Parent => &mut self.parent,
            ContextActivityKind::Grouping => &mut self.grouping,
            ContextActivityKind::Category => &mut self.category,
            ContextActivityKind::Other => &mut self.other,
        };
        list.get_or_insert_with(Vec::new)
    }

    /// The four lists with their property names.
    pub fn lists(&self) -> [(&'static str, Option<&Vec<Activity>>); 4] {
        [
            ("parent", self.parent.as_ref()),
            ("grouping", self.grouping.as_ref()),
            ("category", self.category.as_ref()),
            ("other", self.other.as_ref()),
        ]
    }
}

/// An agent relevant to the statement (xAPI 2.0 `contextAgents`).
#[derive(Debug, Clone, PartialEq)]
pub struct ContextAgent {
    /// The agent.
    pub agent: Agent,
    /// Why the agent is relevant (IRIs; when present, at least one).
    pub relevant_types: Option<Vec<Iri>>,
}

/// A group relevant to the statement (xAPI 2.0 `contextGroups`).
#[derive(Debug, Clone, PartialEq)]
pub struct ContextGroup {
    /// The group.
    pub group: Group,
    /// Why the group is relevant (IRIs; when present, at least one).
    pub relevant_types: Option<Vec<Iri>>,
}

impl serde::Serialize for ContextAgent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "contextAgent")?;
        map.serialize_entry("agent", &self.agent)?;
        if let Some(types) = &self.relevant_types {
            map.serialize_entry("relevantTypes", types)?;
        }
        map.end()
    }
}

impl serde::Serialize for ContextGroup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "contextGroup")?;
        map.serialize_entry("group", &self.group)?;
        if let Some(types) = &self.relevant_types {
            map.serialize_entry("relevantTypes", types)?;
        }
        map.end()
    }
}
