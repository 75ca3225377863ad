//! People in the program.

use crate::email::Email;
use crate::validation::required_text;
use strum::{EnumString, IntoStaticStr};

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr, serde::Serialize)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Invited; has not yet chosen a password.
    Invited,
    /// Can sign in.
    Active,
    /// Switched off by an admin; cannot sign in.
    Disabled,
}

impl UserStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How it reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Invited => "Invited, has not signed in yet",
            Self::Active => "Active",
            Self::Disabled => "Disabled",
        }
    }
}

impl TryFrom<String> for UserStatus {
    type Error = strum::ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// A person's name as shown to others.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and bounds a name; 1 to 100 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        required_text(raw, "Name", 100).map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl std::fmt::Display for DisplayName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The email a new account is created with, with the name it will show.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in address.
    pub email: Email,
    /// Shown name.
    pub display_name: DisplayName,
    /// An argon2id hash, or `None` for an invited account that has not chosen one yet.
    pub password_hash: Option<String>,
    /// The school the person teaches at.
    pub school_id: Option<i64>,
    /// The local union the person belongs to.
    pub local_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(DisplayName::parse("  Grace Hopper ").map(|n| n.0), Ok("Grace Hopper".into()));
        assert!(DisplayName::parse(" ").is_err());
        assert!(DisplayName::parse(&"n".repeat(101)).is_err());
    }
}
