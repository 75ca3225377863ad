//! The statement itself ("actor verb object, with result, in context"), its verb, the kinds of
//! object, the version and attachments.

use crate::activity::Activity;
use crate::agent::{Actor, Agent, Group};
use crate::context::Context;
use crate::error::ValidationErrors;
use crate::iri::Iri;
use crate::language::LanguageMap;
use crate::result::StatementResult;
use crate::time::Timestamp;
use serde::ser::SerializeMap;
use std::fmt;
use uuid::Uuid;

/// An xAPI statement (2.0.0, and 1.0.x which has the same model less context agents/groups).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The statement's id; the LRS assigns one when it is absent.
    pub id: Option<Uuid>,
    /// Who.
    pub actor: Actor,
    /// Did what.
    pub verb: Verb,
    /// To what.
    pub object: StatementObject,
    /// With what outcome.
    pub result: Option<StatementResult>,
    /// In what circumstances.
    pub context: Option<Context>,
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// When the LRS stored it (set by the LRS).
    pub stored: Option<Timestamp>,
    /// Who vouches for it (set by the LRS from the credentials used).
    pub authority: Option<Actor>,
    /// The xAPI version it was accepted with.
    pub version: Option<Version>,
    /// Headers of attached documents (e.g. a JWS signature).
    pub attachments: Option<Vec<Attachment>>,
}

impl Statement {
    /// A statement with only the three required parts.
    pub fn new(actor: impl Into<Actor>, verb: impl Into<Verb>, object: impl Into<StatementObject>) -> Self {
        Self {
            id: None,
            actor: actor.into(),
            verb: verb.into(),
            object: object.into(),
            result: None,
            context: None,
            timestamp: None,
            stored: None,
            authority: None,
            version: None,
            attachments: None,
        }
    }

    /// Reads a statement from JSON text, reporting every problem found (syntax, types,
    /// formats and the specification's rules), each with its path. Duplicate properties are
    /// rejected.
    pub fn from_json(text: &str) -> Result<Self, ValidationErrors> {
        let value = crate::parse::strict_json(text)?;
        Self::from_value(&value)
    }

    /// Reads a statement from a JSON value, reporting every problem found, each with its path.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, ValidationErrors> {
        crate::parse::statement(value)
    }

    /// Reads one statement or an array of statements from JSON text (a statements POST body),
    /// reporting every problem in every statement; paths start with the index (`[2].verb.id`).
    pub fn list_from_json(text: &str) -> Result<Vec<Self>, ValidationErrors> {
        let value = crate::parse::strict_json(text)?;
        crate::parse::statements(&value)
    }

    /// Whether the statement uses what only xAPI 2.0 has (`contextAgents`, `contextGroups`):
    /// an LRS answering as 1.0.3 rejects such statements.
    pub fn uses_2_0_features(&self) -> bool {
        let uses =
            |c: &Option<Context>| c.as_ref().is_some_and(|c| c.context_agents.is_some() || c.context_groups.is_some());
        uses(&self.context) || matches!(&self.object, StatementObject::SubStatement(s) if uses(&s.context))
    }

    /// Checks the specification's rules that a statement can break even when every value has
    /// the right format (score ranges, interaction components, anonymous groups without members,
    /// context agents, `revision`/`platform` only with an Activity, no nested SubStatement,
    /// voiding through a StatementRef, the shape of `authority`, …). Formats (IRIs, UUIDs,
    /// language tags, timestamps, durations, mailto IRIs) are already guaranteed by the types;
    /// [`Statement::from_json`] reports those for input.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        crate::validate::statement(self)
    }

    /// Whether this statement voids another.
    pub fn is_voiding(&self) -> bool {
        self.verb.id.as_str() == crate::vocab::verbs::VOIDED.id
    }

    /// The statement this one voids, if it is a voiding statement.
    pub fn voided_statement_id(&self) -> Option<Uuid> {
        match &self.object {
            StatementObject::StatementRef(r) if self.is_voiding() => Some(r.id),
            _ => None,
        }
    }
}

impl serde::Serialize for Statement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(id) = &self.id {
            map.serialize_entry("id", id)?;
        }
        map.serialize_entry("actor", &self.actor)?;
        map.serialize_entry("verb", &self.verb)?;
        map.serialize_entry("object", &self.object)?;
        if let Some(result) = &self.result {
            map.serialize_entry("result", result)?;
        }
        if let Some(context) = &self.context {
            map.serialize_entry("context", context)?;
        }
        if let Some(timestamp) = &self.timestamp {
            map.serialize_entry("timestamp", timestamp)?;
        }
        if let Some(stored) = &self.stored {
            map.serialize_entry("stored", stored)?;
        }
        if let Some(authority) = &self.authority {
            map.serialize_entry("authority", authority)?;
        }
        if let Some(version) = &self.version {
            map.serialize_entry("version", version)?;
        }
        if let Some(attachments) = &self.attachments {
            map.serialize_entry("attachments", attachments)?;
        }
        map.end()
    }
}

/// The action: an IRI that fixes the meaning, and a display for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verb {
    /// The verb's identifier; its meaning, never its wording.
    pub id: Iri,
    /// Human-readable wording (not part of the statement's identity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<LanguageMap>,
}

impl Verb {
    /// A verb with no display.
    pub fn new(id: Iri) -> Self {
        Self { id, display: None }
    }
}

/// What the statement is about.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "Activity is the object of nearly every statement; boxing it would allocate for the common case"
)]
pub enum StatementObject {
    /// An activity (the default when `objectType` is absent).
    Activity(Activity),
    /// A person or system.
    Agent(Agent),
    /// A group.
    Group(Group),
    /// Another statement, by id.
    StatementRef(StatementRef),
    /// A statement inside this one, that has not (necessarily) happened.
    SubStatement(Box<SubStatement>),
}

impl StatementObject {
    /// The `objectType` this object is written with.
    pub fn object_type(&self) -> &'static str {
        match self {
            Self::Activity(_) => "Activity",
            Self::Agent(_) => "Agent",
            Self::Group(_) => "Group",
            Self::StatementRef(_) => "StatementRef",
            Self::SubStatement(_) => "SubStatement",
        }
    }
}

impl From<Activity> for StatementObject {
    fn from(activity: Activity) -> Self {
        Self::Activity(activity)
    }
}

impl From<Agent> for StatementObject {
    fn from(agent: Agent) -> Self {
        Self::Agent(agent)
    }
}

impl From<Group> for StatementObject {
    fn from(group: Group) -> Self {
        Self::Group(group)
    }
}

impl From<StatementRef> for StatementObject {
    fn from(r: StatementRef) -> Self {
        Self::StatementRef(r)
    }
}

impl From<SubStatement> for StatementObject {
    fn from(s: SubStatement) -> Self {
        Self::SubStatement(Box::new(s))
    }
}

impl serde::Serialize for StatementObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Activity(a) => a.serialize(serializer),
            Self::Agent(a) => a.serialize(serializer),
            Self::Group(g) => g.serialize(serializer),
            Self::StatementRef(r) => r.serialize(serializer),
            Self::SubStatement(s) => s.serialize(serializer),
        }
    }
}

/// A pointer to another statement (the LRS need not hold it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatementRef {
    /// The other statement's id.
    pub id: Uuid,
}

impl serde::Serialize for StatementRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("objectType", "StatementRef")?;
        map.serialize_entry("id", &self.id)?;
        map.end()
    }
}

/// A statement used as an object: it has no `id`, `stored`, `version` or `authority` (the type
/// has no place for them) and cannot itself contain a SubStatement.
#[derive(Debug, Clone, PartialEq)]
pub struct SubStatement {
    /// Who.
    pub actor: Actor,
    /// Did what.
    pub verb: Verb,
    /// To what (never another SubStatement).
    pub object: StatementObject,
    /// With what outcome.
    pub result: Option<StatementResult>,
    /// In what circumstances.
    pub context: Option<Context>,
    /// When (may be in the future: a SubStatement can describe a plan).
    pub timestamp: Option<Timestamp>,
    /// Attachment headers.
    pub attachments: Option<Vec<Attachment>>,
}

impl serde::Serialize for SubStatement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "SubStatement")?;
        map.serialize_entry("actor", &self.actor)?;
        map.serialize_entry("verb", &self.verb)?;
        map.serialize_entry("object", &self.object)?;
        if let Some(result) = &self.result {
            map.serialize_entry("result", result)?;
        }
        if let Some(context) = &self.context {
            map.serialize_entry("context", context)?;
        }
        if let Some(timestamp) = &self.timestamp {
            map.serialize_entry("timestamp", timestamp)?;
        }
        if let Some(attachments) = &self.attachments {
            map.serialize_entry("attachments", attachments)?;
        }
        map.end()
    }
}

/// The xAPI version a statement was accepted with: `1.0`, `1.0.x`, `2.0` or `2.0.x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Version(String);

/// A version this model does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a supported xAPI version (expected 1.0, 1.0.x, 2.0 or 2.0.x)")]
pub struct VersionError(pub String);

impl Version {
    /// xAPI 2.0.0 (IEEE 9274.1.1), what an LRS sets when a statement has no version.
    pub fn v2_0_0() -> Self {
        Self("2.0.0".to_owned())
    }

    /// xAPI 1.0.3.
    pub fn v1_0_3() -> Self {
        Self("1.0.3".to_owned())
    }

    /// Accepts `1.0`, `1.0.x`, `2.0` and `2.0.x` (x a number): what both versions of the
    /// specification tell an LRS to accept.
    pub fn parse(text: impl Into<String>) -> Result<Self, VersionError> {
        let text = text.into();
        let rest = text.strip_prefix("1.0").or_else(|| text.strip_prefix("2.0"));
        let ok = match rest {
            Some("") => true,
            Some(patch) => patch.strip_prefix('.').is_some_and(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
            }),
            None => false,
        };
        if ok { Ok(Self(text)) } else { Err(VersionError(text)) }
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The major version (1 or 2).
    pub fn major(&self) -> u8 {
        if self.0.starts_with('2') { 2 } else { 1 }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The header of an attached document; the payload travels beside the statement (multipart)
/// or at `fileUrl`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// What the attachment is for (e.g. `http://adlnet.gov/expapi/attachments/signature`).
    pub usage_type: Iri,
    /// Title.
    pub display: LanguageMap,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<LanguageMap>,
    /// Internet media type of the payload.
    pub content_type: String,
    /// Payload length in octets.
    pub length: u64,
    /// Hex SHA-2 of the payload.
    pub sha2: String,
    /// Where the payload can be (or could be) fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_url: Option<Iri>,
}

impl Attachment {
    /// The usage type of a JWS statement signature.
    pub const SIGNATURE_USAGE_TYPE: &'static str = "http://adlnet.gov/expapi/attachments/signature";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_accepted_are_1_0_x_and_2_0_x() {
        for ok in ["1.0", "1.0.0", "1.0.3", "1.0.9", "1.0.10", "2.0", "2.0.0"] {
            assert!(Version::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "should fail", "0.9.9", "1.1.0", "1", "1.0.", "1.0.x", "2.1.0", "1.0.03", "1.0.3-rc1", " 1.0.0"]
        {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }
}
