//! Language tags (RFC 5646), language maps and extension maps: the two open-ended maps a
//! statement carries.

use crate::iri::Iri;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A well-formed RFC 5646 language tag (`en`, `en-US`, `zh-Hant`, `sr-Latn-RS`, `tlh`), kept
/// as written. Tags are case-insensitive: [`LanguageTag::eq_ignore_case`] compares them so.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct LanguageTag(String);

/// A string that is not a well-formed language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an RFC 5646 language tag ({reason})")]
pub struct LanguageTagError {
    /// The rejected text.
    pub input: String,
    /// Why, as the parser put it.
    pub reason: String,
}

impl LanguageTag {
    /// Checks `text` and keeps it.
    pub fn parse(text: impl Into<String>) -> Result<Self, LanguageTagError> {
        let text = text.into();
        match oxilangtag::LanguageTag::parse(text.as_str()) {
            Ok(_) => Ok(Self(text)),
            Err(e) => Err(LanguageTagError { reason: e.to_string(), input: text }),
        }
    }

    /// For the crate's own constants.
    pub(crate) fn from_trusted(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two tags are the same tag (RFC 5646 tags are case-insensitive).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for LanguageTag {
    type Err = LanguageTagError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Text in one or more languages, keyed by language tag (verb `display`, activity `name` and
/// `description`, interaction component and attachment descriptions).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct LanguageMap(BTreeMap<LanguageTag, String>);

impl LanguageMap {
    /// The language Academy writes its own text in.
    pub const ACADEMY_LANGUAGE: &'static str = "en-US";

    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// A map with one entry.
    pub fn single(tag: LanguageTag, text: impl Into<String>) -> Self {
        let mut map = Self::new();
        map.insert(tag, text);
        map
    }

    /// A map holding `text` in American English, the language of Academy's own vocabulary.
    pub fn en_us(text: impl Into<String>) -> Self {
        Self::single(LanguageTag::from_trusted(Self::ACADEMY_LANGUAGE), text)
    }

    /// Adds or replaces the text for `tag`.
    pub fn insert(&mut self, tag: LanguageTag, text: impl Into<String>) {
        self.0.insert(tag, text.into());
    }

    /// The text for `tag`, matching the tag case-insensitively.
    pub fn get(&self, tag: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k.eq_ignore_case(tag)).map(|(_, v)| v.as_str())
    }

    /// The entries, ordered by tag.
    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.0.iter().map(|(k, v)| (k, v.as_str()))
    }

    /// How many languages.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(LanguageTag, String)> for LanguageMap {
    fn from_iter<I: IntoIterator<Item = (LanguageTag, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Extension data: IRI keys, any JSON values (including `null`), preserved as given. The
/// specification forbids rejecting a statement for what its extension values contain.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct Extensions(BTreeMap<Iri, serde_json::Value>);

impl Extensions {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the value under `key`.
    pub fn insert(&mut self, key: Iri, value: serde_json::Value) {
        self.0.insert(key, value);
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    }

    /// The entries, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&Iri, &serde_json::Value)> {
        self.0.iter()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(Iri, serde_json::Value)> for Extensions {
    fn from_iter<I: IntoIterator<Item = (Iri, serde_json::Value)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_tags_pass() {
        for ok in [
            "en",
            "en-US",
            "en-GB",
            "de-DE",
            "zh-Hant",
            "sr-Latn-RS",
            "sr-Cyrl",
            "tlh",
            "fr-CA",
            "ja",
            "x-private",
            "i-klingon",
        ] {
            assert!(LanguageTag::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_tags_fail() {
        for bad in ["", "something", "zh-something-ccc", "s-something", "a12345678", "en_US", "en-", "-en"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lookup_ignores_case() {
        let map = LanguageMap::en_us("completed");
        assert_eq!(map.get("EN-us"), Some("completed"));
        assert_eq!(map.get("fr"), None);
    }
}
