//! Ed25519 keys: the issuer's secret key and the public key as a Multikey (`z6Mk…`).

use std::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::RngCore;

/// The multicodec prefix of an Ed25519 public key (0xed, varint-encoded as `ed 01`).
const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// The multicodec prefix of an Ed25519 private key (0x1300, varint-encoded as `80 26`).
const ED25519_PRIV_MULTICODEC: [u8; 2] = [0x80, 0x26];

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A secret key is exactly 32 bytes.
    #[error("an Ed25519 secret key is 32 bytes, got {0}")]
    SecretKeyLength(usize),
    /// Multibase values here are base58btc, starting with `z`.
    #[error("not a base58btc multibase value (it must start with 'z')")]
    NotBase58Btc,
    /// The characters after `z` are not base58.
    #[error("invalid base58: {0}")]
    Base58(String),
    /// The value is not an Ed25519 key of the expected kind.
    #[error("not an Ed25519 {0} key (wrong multicodec prefix or length)")]
    NotEd25519(&'static str),
    /// The 32 bytes are not a point on the curve.
    #[error("the public key bytes are not a valid Ed25519 point")]
    InvalidPoint,
}

/// The issuer's Ed25519 signing key.
///
/// Store [`secret_bytes`](Self::secret_bytes) encrypted or in a secret store; anyone who has
/// them can issue credentials in the issuer's name. `Debug` never prints them.
#[derive(Clone)]
pub struct IssuerKey(SigningKey);

impl IssuerKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self(SigningKey::from_bytes(&secret))
    }

    /// The key from its 32 secret bytes, as [`secret_bytes`](Self::secret_bytes) returned them.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let secret: [u8; 32] = bytes.try_into().map_err(|_| KeyError::SecretKeyLength(bytes.len()))?;
        Ok(Self(SigningKey::from_bytes(&secret)))
    }

    /// The key from a multibase `privateKeyMultibase` (`z3u2…`, multicodec 0x1300), the form
    /// the W3C test vectors publish.
    pub fn from_private_key_multibase(value: &str) -> Result<Self, KeyError> {
        let bytes = decode_base58btc(value)?;
        match bytes.strip_prefix(&ED25519_PRIV_MULTICODEC) {
            Some(secret) if secret.len() == 32 => Self::from_secret_bytes(secret),
            _ => Err(KeyError::NotEd25519("private")),
        }
    }

    /// The 32 secret bytes, for storage.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `message` (for the proofs: proofConfigHash || documentHash).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey").field("public_key", &self.public_key().to_multibase()).finish_non_exhaustive()
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        VerifyingKey::from_bytes(bytes).map(Self).map_err(|_| KeyError::InvalidPoint)
    }

    /// The 32 bytes of the key.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The Multikey `publicKeyMultibase`: base58btc of `0xed 0x01` followed by the key,
    /// which always starts with `z6Mk`.
    pub fn to_multibase(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&ED25519_PUB_MULTICODEC);
        bytes.extend_from_slice(self.0.as_bytes());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// Reads a Multikey `publicKeyMultibase` (`z6Mk…`).
    pub fn from_multibase(value: &str) -> Result<Self, KeyError> {
        let bytes = decode_base58btc(value)?;
        match bytes.strip_prefix(&ED25519_PUB_MULTICODEC).map(<[u8; 32]>::try_from) {
            Some(Ok(key)) => Self::from_bytes(&key),
            _ => Err(KeyError::NotEd25519("public")),
        }
    }

    /// Checks an Ed25519 signature. Strict verification rejects the malleable and
    /// small-order forms that plain RFC 8032 verification lets through.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.to_multibase()).finish()
    }
}

/// Decodes a multibase base58btc value (`z…`).
pub(crate) fn decode_base58btc(value: &str) -> Result<Vec<u8>, KeyError> {
    let rest = value.strip_prefix('z').ok_or(KeyError::NotBase58Btc)?;
    bs58::decode(rest).into_vec().map_err(|e| KeyError::Base58(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_bytes_round_trip() {
        let key = IssuerKey::generate();
        let again = IssuerKey::from_secret_bytes(&key.secret_bytes()).expect("32 bytes");
        assert_eq!(key.public_key(), again.public_key());
        assert_eq!(IssuerKey::from_secret_bytes(&[0; 31]).err(), Some(KeyError::SecretKeyLength(31)));
    }

    #[test]
    fn the_w3c_key_pair_matches_its_published_public_key() {
        let pair: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/vc-di-eddsa-keyPair.json")).expect("vector");
        let key = IssuerKey::from_private_key_multibase(pair["privateKeyMultibase"].as_str().expect("private"))
            .expect("private key");
        assert_eq!(key.public_key().to_multibase(), pair["publicKeyMultibase"].as_str().expect("public"));
    }

    #[test]
    fn multikey_round_trip_and_prefix() {
        let public = IssuerKey::generate().public_key();
        let multibase = public.to_multibase();
        assert!(multibase.starts_with("z6Mk"), "{multibase}");
        assert_eq!(PublicKey::from_multibase(&multibase), Ok(public));
        assert_eq!(PublicKey::from_multibase("6Mk"), Err(KeyError::NotBase58Btc));
        assert!(matches!(PublicKey::from_multibase("z0OIl"), Err(KeyError::Base58(_))));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = IssuerKey::from_secret_bytes(&[7; 32]).expect("key");
        let shown = format!("{key:?}");
        assert!(!shown.contains("[7"), "{shown}");
        assert!(shown.contains("z6Mk"), "{shown}");
    }
}
