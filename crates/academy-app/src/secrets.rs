//! Secrets kept at rest: values the database must hold but a copy of the database must not
//! give away (the credential issuer's Ed25519 signing key) are sealed with a key kept outside
//! the database, and the same key signs the device cookies that exempt a person's own browser
//! from sign-in throttling.
//!
//! The key comes from `ACADEMY_SECRET_KEY` (32 bytes, base64) or, when that is unset, from the
//! key file (`<data dir>/secret.key` by default), which is made on first start with mode 0600.
//! Servers that share a PostgreSQL database must share the key.
//!
//! Rotation: generate a key (`academy secrets generate-key`), start with it as
//! `ACADEMY_SECRET_KEY` and the old one in `ACADEMY_SECRET_KEY_PREVIOUS` (comma-separated if
//! there are several), run `academy secrets rotate` to seal every stored secret with the new
//! key, then drop the previous key. A sealed value names the key that sealed it, so a missing
//! key is reported as such.
//!
//! Sealed values read `enc:v1:<key id>:<base64 of nonce and ciphertext>`; ChaCha20-Poly1305
//! with a random 96-bit nonce per value.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::Path;

const PREFIX: &str = "enc:v1:";

/// One key: its id (from its digest, safe to show) and what it seals and signs with.
struct SealingKey {
    id: String,
    cipher: ChaCha20Poly1305,
    mac_key: [u8; 32],
}

impl SealingKey {
    fn new(material: &[u8; 32]) -> Self {
        let digest = Sha256::digest(material);
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut hasher = Sha256::new();
            hasher.update(label);
            hasher.update(material);
            hasher.finalize().into()
        };
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&derive(b"academy secrets v1")));
        Self { id, cipher, mac_key: derive(b"academy device cookies v1") }
    }
}

/// Seals and opens secrets at rest; signs and checks device cookies.
pub struct SecretBox {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox").field("key", &self.current.id).finish_non_exhaustive()
    }
}

impl SecretBox {
    /// The keys the configuration names: `secret_key` (or the key file, made when missing)
    /// and any previous keys.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let current = match &config.secret_key {
            Some(setting) => decode_key(setting.expose()).context("secret_key (ACADEMY_SECRET_KEY)")?,
            None => key_from_file(&config.secret_key_file)?,
        };
        let previous = config
            .secret_key_previous
            .iter()
            .map(|setting| decode_key(setting.expose()).context("secret_key_previous (ACADEMY_SECRET_KEY_PREVIOUS)"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self::from_keys(&current, &previous))
    }

    /// A box over raw keys (tests and tools).
    pub fn from_keys(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self { current: SealingKey::new(current), previous: previous.iter().map(SealingKey::new).collect() }
    }

    /// The current key's id, for messages.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` with the current key.
    pub fn seal(&self, plaintext: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .map_err(|_| anyhow!("sealing a secret failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}:{}", self.current.id, STANDARD.encode(bytes)))
    }

    /// Whether a stored value is sealed (older databases hold plaintext, sealed on next use).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// Whether a sealed value was sealed with the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored.strip_prefix(PREFIX).and_then(|rest| rest.split_once(':')).is_some_and(|(id, _)| id == self.current.id)
    }

    /// Opens a sealed value with whichever configured key sealed it.
    pub fn open(&self, stored: &str) -> anyhow::Result<Vec<u8>> {
        let rest = stored.strip_prefix(PREFIX).context("the value is not sealed")?;
        let (id, data) = rest.split_once(':').context("a sealed value without its key id")?;
        let key = std::iter::once(&self.current).chain(&self.previous).find(|k| k.id == id).with_context(|| {
            format!(
                "the value was sealed with key {id}, which is not configured (current key {}); \
                 set it as ACADEMY_SECRET_KEY_PREVIOUS",
                self.current.id
            )
        })?;
        let bytes = STANDARD.decode(data).context("a sealed value that is not base64")?;
        if bytes.len() < 12 {
            bail!("a sealed value too short to hold its nonce");
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        key.cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| anyhow!("a sealed value failed authentication (wrong key or tampered)"))
    }

    /// An HMAC-SHA256 tag over `data` with the current key, URL-safe base64.
    pub fn sign(&self, data: &str) -> String {
        URL_SAFE_NO_PAD.encode(tag(&self.current.mac_key, data))
    }

    /// Whether `signature` is [`SecretBox::sign`]'s tag over `data`, with any configured key.
    pub fn verify(&self, data: &str, signature: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(signature) else { return false };
        std::iter::once(&self.current).chain(&self.previous).any(|key| {
            let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key.mac_key) else { return false };
            mac.update(data.as_bytes());
            mac.verify_slice(&given).is_ok()
        })
    }
}

fn tag(key: &[u8; 32], data: &str) -> Vec<u8> {
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; 32 bytes cannot be refused.
        Err(_) => Vec::new(),
    }
}

/// A fresh key, base64, for `ACADEMY_SECRET_KEY` or a key file.
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    STANDARD.encode(key)
}

fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = STANDARD.decode(text.trim()).context("not base64; make one with `academy secrets generate-key`")?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow!("{} bytes; a key is 32 bytes (make one with `academy secrets generate-key`)", bytes.len()))
}

/// Reads the key file, making it (mode 0600, in a directory of mode 0700) when it is missing.
fn key_from_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::config::create_data_dir(dir)?;
        }
        crate::config::write_private_file(path, format!("{}\n", generate_key()).as_bytes())
            .with_context(|| format!("making the secret key file {}", path.display()))?;
        tracing::info!(path = %path.display(), "made a new secret key file; keep it with your backups, apart from the database");
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the secret key file {}", path.display()))?;
    decode_key(&text).with_context(|| format!("the secret key file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key() {
        let (a, b) = ([7u8; 32], [9u8; 32]);
        let sealer = SecretBox::from_keys(&a, &[]);
        let sealed = sealer.seal(b"the issuer's signing key").expect("seal");
        assert!(SecretBox::is_sealed(&sealed) && sealer.is_current(&sealed));
        assert!(!sealed.contains("signing"), "{sealed}");
        assert_ne!(sealer.seal(b"same").expect("seal"), sealer.seal(b"same").expect("seal"), "a nonce per value");
        assert_eq!(sealer.open(&sealed).expect("open"), b"the issuer's signing key");

        let rotated = SecretBox::from_keys(&b, &[a]);
        assert!(!rotated.is_current(&sealed));
        assert_eq!(rotated.open(&sealed).expect("the previous key opens it"), b"the issuer's signing key");
        let without = SecretBox::from_keys(&b, &[]);
        let error = without.open(&sealed).expect_err("no key for it").to_string();
        assert!(error.contains(sealer.key_id()) && error.contains("ACADEMY_SECRET_KEY_PREVIOUS"), "{error}");

        let mut tampered = sealed.clone();
        tampered.replace_range(tampered.len() - 4.., "AAAA");
        assert!(sealer.open(&tampered).is_err(), "tampering is detected");
        assert!(sealer.open("plain").is_err());
    }

    #[test]
    fn signatures_check_with_any_configured_key() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let old = SecretBox::from_keys(&a, &[]);
        let tag = old.sign("7.device");
        assert!(old.verify("7.device", &tag));
        assert!(!old.verify("8.device", &tag));
        assert!(SecretBox::from_keys(&b, &[a]).verify("7.device", &tag), "still valid after rotation");
        assert!(!SecretBox::from_keys(&b, &[]).verify("7.device", &tag));
        assert!(!old.verify("7.device", "not base64!"));
    }

    #[test]
    fn keys_are_32_bytes_of_base64() {
        assert!(decode_key(&generate_key()).is_ok());
        assert!(decode_key("c2hvcnQ=").expect_err("short").to_string().contains("32 bytes"));
        assert!(decode_key("%%%").is_err());
    }
}
