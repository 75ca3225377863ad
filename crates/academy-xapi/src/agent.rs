//! Who: Agents (one person or system), Groups (anonymous or identified) and the inverse
//! functional identifiers (IFIs) that identify them.

use crate::iri::Iri;
use serde::ser::SerializeMap;
use std::fmt;

/// An Agent or a Group: the actor of a statement, an instructor, an authority.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// One person or system.
    Agent(Agent),
    /// Several agents.
    Group(Group),
}

impl Actor {
    /// The actor's identifier, when it has one (anonymous groups have none).
    pub fn ifi(&self) -> Option<&Ifi> {
        match self {
            Self::Agent(agent) => Some(&agent.ifi),
            Self::Group(group) => group.ifi.as_ref(),
        }
    }

    /// The display name, when given.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Agent(agent) => agent.name.as_deref(),
            Self::Group(group) => group.name.as_deref(),
        }
    }
}

impl From<Agent> for Actor {
    fn from(agent: Agent) -> Self {
        Self::Agent(agent)
    }
}

impl From<Group> for Actor {
    fn from(group: Group) -> Self {
        Self::Group(group)
    }
}

/// One person or system, identified by exactly one IFI (the type makes a second impossible).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Agent {
    /// Full name; never used to identify.
    pub name: Option<String>,
    /// The one identifier.
    pub ifi: Ifi,
}

impl Agent {
    /// An agent known by an account on a system: how Academy identifies every person (an
    /// opaque account name, never an email address).
    pub fn account(home_page: Iri, name: impl Into<String>) -> Self {
        Self { name: None, ifi: Ifi::Account(Account { home_page, name: name.into() }) }
    }

    /// An agent identified by `ifi`.
    pub fn new(ifi: Ifi) -> Self {
        Self { name: None, ifi }
    }

    /// The same agent with a display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Several agents. Anonymous when it has no IFI (then `member` is required); identified when it
/// has exactly one IFI (then `member` is optional and partial lists are allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Name of the group.
    pub name: Option<String>,
    /// The identifier of an identified group; `None` for an anonymous group.
    pub ifi: Option<Ifi>,
    /// Members (an unordered list; Groups cannot be members).
    pub member: Option<Vec<Agent>>,
}

impl Group {
    /// An identified group.
    pub fn identified(ifi: Ifi) -> Self {
        Self { name: None, ifi: Some(ifi), member: None }
    }

    /// An anonymous group of `members`.
    pub fn anonymous(members: Vec<Agent>) -> Self {
        Self { name: None, ifi: None, member: Some(members) }
    }

    /// The same group with a name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// An inverse functional identifier: a value that only ever refers to one Agent or
/// identified Group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ifi {
    /// `mailto:` IRI of an email address only this agent has ever had.
    Mbox(Mbox),
    /// Hex SHA-1 of such a `mailto:` IRI.
    MboxSha1Sum(Sha1Sum),
    /// An OpenID URI.
    OpenId(Iri),
    /// An account on a system.
    Account(Account),
}

impl Ifi {
    /// The JSON property this identifier is written under.
    pub fn property(&self) -> &'static str {
        match self {
            Self::Mbox(_) => "mbox",
            Self::MboxSha1Sum(_) => "mbox_sha1sum",
            Self::OpenId(_) => "openid",
            Self::Account(_) => "account",
        }
    }

    /// Writes this identifier into a JSON object being serialized.
    pub(crate) fn serialize_entry<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Self::Mbox(v) => map.serialize_entry("mbox", v),
            Self::MboxSha1Sum(v) => map.serialize_entry("mbox_sha1sum", v),
            Self::OpenId(v) => map.serialize_entry("openid", v),
            Self::Account(v) => map.serialize_entry("account", v),
        }
    }
}

/// A user account on an existing system (an LMS, an SIS, Academy itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Account {
    /// The canonical home page of the system the account is on.
    #[serde(rename = "homePage")]
    pub home_page: Iri,
    /// The unique id or login name on that system (use an opaque id).
    pub name: String,
}

/// A `mailto:` IRI of one email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Mbox(String);

/// A value that does not have the format its property requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} {reason}")]
pub struct FormatError {
    /// The rejected text.
    pub input: String,
    /// What it should have been.
    pub reason: &'static str,
}

impl Mbox {
    /// Checks for `mailto:` followed by one address (`local@domain`) and an IRI overall.
    pub fn parse(text: impl Into<String>) -> Result<Self, FormatError> {
        let text = text.into();
        let fail = |reason| Err(FormatError { input: text.clone(), reason });
        let Some(address) = text.strip_prefix("mailto:") else {
            return fail("is not a mailto IRI (expected \"mailto:\" and an email address)");
        };
        match address.rsplit_once('@') {
            Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@') => {}
            _ => return fail("is not a mailto IRI of one email address"),
        }
        if Iri::parse(text.as_str()).is_err() {
            return fail("is not a valid mailto IRI");
        }
        Ok(Self(text))
    }

    /// For text this crate produced itself.
    pub(crate) fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The IRI as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IRI with the domain lowercased (domains are case-insensitive), as compared.
    pub fn to_comparable(&self) -> String {
        match self.0.rsplit_once('@') {
            Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for Mbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The hex SHA-1 of a `mailto:` IRI (40 hex digits, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Sha1Sum(String);

impl Sha1Sum {
    /// Checks for exactly 40 hex digits.
    pub fn parse(text: impl Into<String>) -> Result<Self, FormatError> {
        let text = text.into();
        if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(text))
        } else {
            Err(FormatError { input: text, reason: "is not a hex-encoded SHA-1 (40 hex digits)" })
        }
    }

    /// For text this crate produced itself.
    pub(crate) fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The digest as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Agent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "Agent")?;
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        self.ifi.serialize_entry(&mut map)?;
        map.end()
    }
}

impl serde::Serialize for Group {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("objectType", "Group")?;
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        if let Some(ifi) = &self.ifi {
            ifi.serialize_entry(&mut map)?;
        }
        if let Some(member) = &self.member {
            map.serialize_entry("member", member)?;
        }
        map.end()
    }
}

impl serde::Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Agent(agent) => agent.serialize(serializer),
            Self::Group(group) => group.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_needs_mailto_and_one_address() {
        assert!(Mbox::parse("mailto:xapi@adlnet.gov").is_ok());
        for bad in [
            "xapi@adlnet.gov",
            "mailto:",
            "mailto:xapi",
            "mailto:@adlnet.gov",
            "mailto:a@",
            "MAILTO:x@y.z",
            "mailto:a b@c.d",
        ] {
            assert!(Mbox::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Mbox::parse("mailto:Ann@Example.COM").expect("mbox").to_comparable(), "mailto:Ann@example.com");
    }

    #[test]
    fn sha1sum_is_forty_hex_digits() {
        assert!(Sha1Sum::parse("cd9b00a5611f94eaa7b1661edab976068e364975").is_ok());
        assert!(Sha1Sum::parse("cd9b00a5611f94eaa7b1661edab976068e36497").is_err());
        assert!(Sha1Sum::parse("zz9b00a5611f94eaa7b1661edab976068e364975").is_err());
    }

    #[test]
    fn agents_serialize_with_object_type_and_their_one_ifi() {
        let home = Iri::parse("https://academy.example.org").expect("iri");
        let agent = Agent::account(home, "t-42").with_name("Ada");
        let json = serde_json::to_value(&agent).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"objectType": "Agent", "name": "Ada", "account": {"homePage": "https://academy.example.org", "name": "t-42"}})
        );
    }
}
