//! Passwords: the policy a new password must meet, and argon2id hashing.

use argon2::password_hash::{PasswordHash as PhcHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// A password that meets the policy, held only long enough to hash it.
pub struct NewPassword(String);

/// Why a password was refused (NIST SP 800-63B: length and known-bad lists, no composition rules).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_LENGTH`] characters.
    #[error("Use at least 12 characters; a short sentence is easy to remember.")]
    TooShort,
    /// More than [`MAX_LENGTH`] characters.
    #[error("Use at most 128 characters.")]
    TooLong,
    /// On the list of passwords attackers try first, or the same character repeated.
    #[error("That password is too common; choose another.")]
    TooCommon,
    /// Contains the person's email address.
    #[error("Do not use your email address in your password.")]
    ContainsEmail,
}

/// Shortest acceptable password, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest acceptable password, in characters.
pub const MAX_LENGTH: usize = 128;

const COMMON: &[&str] = &[
    "password1234",
    "123456789012",
    "qwertyuiop12",
    "passwordpassword",
    "iloveyou1234",
    "letmein12345",
    "welcome12345",
    "administrator",
    "qwertyuiopasdfghjkl",
    "changeme1234",
    "teacher12345",
    "password123!",
];

impl NewPassword {
    /// Checks `raw` against the policy; `email` is the account's address, which must not appear in it.
    pub fn parse(raw: &str, email: Option<&str>) -> Result<Self, PasswordError> {
        let length = raw.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        let lower = raw.to_lowercase();
        let first = lower.chars().next();
        if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| Some(c) == first) {
            return Err(PasswordError::TooCommon);
        }
        if let Some(local) = email.and_then(|e| e.split('@').next()).filter(|l| l.len() >= 4)
            && lower.contains(&local.to_lowercase())
        {
            return Err(PasswordError::ContainsEmail);
        }
        Ok(Self(raw.to_owned()))
    }

    /// Hashes the password with argon2id and a fresh random salt.
    pub fn hash(&self) -> PasswordHash {
        hash_raw(&self.0)
    }
}

/// A PHC-format argon2id hash string, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a stored PHC string.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string to store.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is the password this hash was made from. A malformed stored hash
    /// never verifies.
    pub fn verify(&self, candidate: &str) -> bool {
        match PhcHash::new(&self.0) {
            Ok(parsed) => hasher().verify_password(candidate.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }
}

/// Spends the same time as a real verification, so that a sign-in for an unknown email takes
/// as long as one for a known email with a wrong password.
pub fn verify_against_dummy(candidate: &str) {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_raw("dummy password for timing"));
    let _ = dummy.verify(candidate);
}

/// OWASP's argon2id parameters: 19 MiB, two passes, one lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_raw(raw: &str) -> PasswordHash {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    // Both steps fail only on out-of-range parameters and salts, which are fixed here.
    let salt = SaltString::encode_b64(&salt_bytes).unwrap_or_else(|e| panic!("salt encoding: {e}"));
    let phc = hasher()
        .hash_password(raw.as_bytes(), &salt)
        .unwrap_or_else(|e| panic!("argon2 with fixed parameters failed: {e}"));
    PasswordHash(phc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_follows_length_and_lists() {
        assert_eq!(NewPassword::parse("short", None).err(), Some(PasswordError::TooShort));
        assert_eq!(NewPassword::parse(&"x".repeat(129), None).err(), Some(PasswordError::TooLong));
        assert_eq!(NewPassword::parse("Password1234", None).err(), Some(PasswordError::TooCommon));
        assert_eq!(NewPassword::parse("aaaaaaaaaaaaaa", None).err(), Some(PasswordError::TooCommon));
        assert_eq!(
            NewPassword::parse("my name is lovelace!", Some("lovelace@example.org")).err(),
            Some(PasswordError::ContainsEmail)
        );
        assert!(NewPassword::parse("correct horse battery staple", Some("ada@example.org")).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let password = NewPassword::parse("correct horse battery staple", None).expect("valid");
        let first = password.hash();
        let second = password.hash();
        assert!(first.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(first, second, "each hash has its own salt");
        assert!(first.verify("correct horse battery staple"));
        assert!(!first.verify("correct horse battery stapler"));
        assert!(!PasswordHash::from_stored("not a phc string".into()).verify("anything"));
    }
}
