//! Email addresses, normalized once at the edge.

use std::fmt;

/// A syntactically valid email address, trimmed and lower-cased so that one person has one
/// account whatever case they type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was entered.
    #[error("Enter an email address.")]
    Empty,
    /// Longer than the 254 characters SMTP allows.
    #[error("An email address can be at most 254 characters.")]
    TooLong,
    /// Not of the form name@domain.
    #[error("Enter an email address like name@example.org.")]
    Malformed,
}

impl Email {
    /// Parses what a person typed.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        if value.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(EmailError::Malformed);
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok { Ok(Self(value)) } else { Err(EmailError::Malformed) }
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalizes_case_and_space() {
        assert_eq!(Email::parse("  Ada.Lovelace@Example.ORG ").map(|e| e.0), Ok("ada.lovelace@example.org".into()));
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@exa mple.org",
            "ada@-example.org",
            ".ada@example.org",
            "ada..l@example.org",
            "ada@example..org",
            "x' OR 1=1 --@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn parse_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }

        #[test]
        fn plain_addresses_parse(local in "[a-z0-9]{1,20}", domain in "[a-z]{1,10}\\.[a-z]{2,6}") {
            let parsed = Email::parse(&format!("{local}@{domain}"));
            prop_assert!(parsed.is_ok());
        }
    }
}
