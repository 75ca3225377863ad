//! IRIs (RFC 3987): every identifier in xAPI (verbs, activities, activity types, extension keys,
//! attachment usage types) and every locator (account home pages, `moreInfo`, `fileUrl`).

use std::fmt;
use std::str::FromStr;

/// An absolute IRI, checked against RFC 3987 (a scheme is required; relative references and
/// bare fragments are not IRIs in xAPI's sense). Kept exactly as written: comparison is simple
/// string comparison (RFC 3987 §5.3.1), which the specification allows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Iri(String);

/// A string that is not an absolute IRI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an absolute IRI ({reason})")]
pub struct IriError {
    /// The rejected text.
    pub input: String,
    /// Why, as the parser put it.
    pub reason: String,
}

impl Iri {
    /// Checks `text` and keeps it.
    pub fn parse(text: impl Into<String>) -> Result<Self, IriError> {
        let text = text.into();
        match oxiri::Iri::parse(text.as_str()) {
            Ok(_) => Ok(Self(text)),
            Err(e) => Err(IriError { reason: e.to_string(), input: text }),
        }
    }

    /// For the crate's own vocabulary constants, whose syntax a unit test checks.
    pub(crate) fn from_trusted(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The IRI as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IRI's scheme, lowercased (`http`, `mailto`, …).
    pub fn scheme(&self) -> String {
        self.0.split(':').next().unwrap_or_default().to_ascii_lowercase()
    }
}

impl fmt::Display for Iri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Iri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Iri {
    type Err = IriError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Iri {
    type Error = IriError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Iri {
    type Error = IriError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<Iri> for String {
    fn from(iri: Iri) -> Self {
        iri.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_iris_pass() {
        for ok in [
            "http://adlnet.gov/expapi/verbs/attended",
            "https://w3id.org/xapi/cmi5/context/categories/cmi5",
            "http://example.com/xapi/verbs#defenestrated",
            "http://example.com/فعل/خواندن",
            "mailto:xapi@adlnet.gov",
            "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
            "tag:example.com,2026:academy",
        ] {
            assert!(Iri::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn relative_or_malformed_iris_fail() {
        for bad in
            ["", "abc", "/relative/path", "#fragment", "ab=c://should.fail.com", "http://exa mple.com", "1http://x"]
        {
            assert!(Iri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scheme_is_lowercased() {
        assert_eq!(Iri::parse("HTTP://example.com").expect("iri").scheme(), "http");
    }
}
