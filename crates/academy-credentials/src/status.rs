//! W3C Bitstring Status List v1.0: the revocation list, its signed
//! `BitstringStatusListCredential`, and checking a credential's bit.
//!
//! Bit `i` is bit `7 - i % 8` of byte `i / 8`: index 0 is the most significant bit of the
//! first byte, as the spec says. `encodedList` is multibase base64url without padding (`u…`)
//! of the GZIP-compressed bitstring.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use url::Url;

use crate::badge::IssueError;
use crate::canon::VC_V2_CONTEXT_URL;
use crate::did::{DidResolver, IssuerIdentity};
use crate::proof::{sign_document, xsd_date_time};
use crate::verify::{VerifyError, issuer_id, verify_value};

/// The spec's minimum list size, 16 KiB of bits, so that one credential's bit hides among
/// many (herd privacy).
pub const MIN_STATUS_LIST_BITS: usize = 131_072;
/// The largest list this crate decodes (16 MiB of bits), a guard against GZIP bombs.
const MAX_STATUS_LIST_BYTES: usize = 16 * 1024 * 1024;

/// What a status list records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPurpose {
    /// A set bit means the credential is revoked, for good.
    Revocation,
    /// A set bit means the credential is suspended, which can be undone.
    Suspension,
}

impl StatusPurpose {
    /// The term as written in credentials.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Suspension => "suspension",
        }
    }
}

/// Why a status list could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// Lists have at least [`MIN_STATUS_LIST_BITS`] bits, in whole bytes.
    #[error("a status list has at least {MIN_STATUS_LIST_BITS} bits, in whole bytes (got {0})")]
    Length(usize),
    /// The index is past the end of the list.
    #[error("status list index {index} is out of range (the list has {len} entries)")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The list's length in bits.
        len: usize,
    },
    /// `encodedList` is not multibase base64url (`u…`).
    #[error("encodedList is not multibase base64url (it must start with 'u')")]
    NotBase64Url,
    /// The base64url or GZIP data is corrupt.
    #[error("encodedList is corrupt: {0}")]
    Corrupt(String),
}

/// A status list: a bitstring, one bit per credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl Default for StatusList {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusList {
    /// An all-clear list of the minimum size (131,072 entries).
    pub fn new() -> Self {
        Self { bytes: vec![0; MIN_STATUS_LIST_BITS / 8] }
    }

    /// An all-clear list of `bits` entries (at least the minimum, a multiple of 8).
    pub fn with_len(bits: usize) -> Result<Self, StatusListError> {
        if bits < MIN_STATUS_LIST_BITS || !bits.is_multiple_of(8) || bits / 8 > MAX_STATUS_LIST_BYTES {
            return Err(StatusListError::Length(bits));
        }
        Ok(Self { bytes: vec![0; bits / 8] })
    }

    /// A list from its raw bitstring (as [`as_bytes`](Self::as_bytes) gave it, e.g. from storage).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, StatusListError> {
        if bytes.len() * 8 < MIN_STATUS_LIST_BITS || bytes.len() > MAX_STATUS_LIST_BYTES {
            return Err(StatusListError::Length(bytes.len() * 8));
        }
        Ok(Self { bytes })
    }

    /// The raw bitstring.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Never true: a list has at least the minimum number of entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn position(&self, index: usize) -> Result<(usize, u8), StatusListError> {
        if index >= self.len() {
            return Err(StatusListError::IndexOutOfRange { index, len: self.len() });
        }
        Ok((index / 8, 0x80 >> (index % 8)))
    }

    /// Whether entry `index` is set (revoked, for a revocation list).
    pub fn get(&self, index: usize) -> Result<bool, StatusListError> {
        let (byte, mask) = self.position(index)?;
        Ok(self.bytes[byte] & mask != 0)
    }

    /// Sets or clears entry `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusListError> {
        let (byte, mask) = self.position(index)?;
        if value {
            self.bytes[byte] |= mask;
        } else {
            self.bytes[byte] &= !mask;
        }
        Ok(())
    }

    /// The `encodedList`: `u` + base64url (no padding) of the GZIP-compressed bitstring.
    pub fn encode(&self) -> String {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        // Writing to a Vec cannot fail; an error here would be a flate2 bug.
        let compressed = gzip.write_all(&self.bytes).and_then(|()| gzip.finish()).unwrap_or_default();
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Reads an `encodedList`.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let base64 = encoded.strip_prefix('u').ok_or(StatusListError::NotBase64Url)?;
        let compressed = URL_SAFE_NO_PAD.decode(base64).map_err(|e| StatusListError::Corrupt(e.to_string()))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_STATUS_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Corrupt(e.to_string()))?;
        Self::from_bytes(bytes)
    }
}

/// A status list credential to issue.
#[derive(Debug, Clone)]
pub struct NewStatusListCredential<'a> {
    /// Where it is served: the `statusListCredential` URL in every entry that points to it.
    pub id: &'a Url,
    /// What its bits mean.
    pub purpose: StatusPurpose,
    /// The bits.
    pub list: &'a StatusList,
    /// From when this version is valid (normally: now).
    pub valid_from: DateTime<Utc>,
    /// Until when verifiers may use this version; `None` to let them cache it freely.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Builds and signs a `BitstringStatusListCredential` (VC v2 context only; the issuer is the
/// DID string, as an Open Badges `Profile` would need the Open Badges context).
pub fn issue_status_list_credential(
    issuer: &IssuerIdentity,
    new: &NewStatusListCredential<'_>,
    created: DateTime<Utc>,
) -> Result<Value, IssueError> {
    let mut credential = json!({
        "@context": [VC_V2_CONTEXT_URL],
        "id": new.id.as_str(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did(),
        "validFrom": xsd_date_time(new.valid_from),
        "credentialSubject": {
            "id": format!("{}#list", new.id),
            // A plain string, as in the spec's examples: some verifiers compare it as one.
            "type": "BitstringStatusList",
            "statusPurpose": new.purpose.as_str(),
            "encodedList": new.list.encode(),
        },
    });
    if let (Some(until), Some(object)) = (new.valid_until, credential.as_object_mut()) {
        object.insert("validUntil".to_owned(), json!(xsd_date_time(until)));
    }
    Ok(sign_document(credential, issuer.key(), issuer.verification_method(), created)?)
}

/// Why a credential's status could not be determined.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The credential has no `BitstringStatusListEntry`.
    #[error("the credential has no BitstringStatusListEntry")]
    NoStatusEntry,
    /// The entry is malformed (missing or non-numeric fields).
    #[error("the credential's status entry is malformed: {0}")]
    MalformedEntry(&'static str),
    /// The status list credential given is not the one the entry points to.
    #[error("the entry points to {expected}, but the status list credential is {found}")]
    WrongList {
        /// The entry's `statusListCredential`.
        expected: String,
        /// The given credential's `id`.
        found: String,
    },
    /// The status list credential does not verify.
    #[error("the status list credential does not verify: {0}")]
    Verify(#[from] VerifyError),
    /// The status list credential was issued by someone else than the credential.
    #[error("the status list credential's issuer is not the credential's issuer")]
    IssuerMismatch,
    /// It is not a `BitstringStatusListCredential` with a `BitstringStatusList` subject.
    #[error("not a BitstringStatusListCredential: {0}")]
    NotAStatusList(&'static str),
    /// The list records another purpose than the entry.
    #[error("the entry's statusPurpose {entry:?} does not match the list's {list:?}")]
    PurposeMismatch {
        /// The entry's purpose.
        entry: String,
        /// The list's purpose.
        list: String,
    },
    /// The status list credential's `validUntil` has passed: fetch a fresh one.
    #[error("the status list credential expired at {0}")]
    Expired(String),
    /// The list's bits could not be read.
    #[error(transparent)]
    List(#[from] StatusListError),
}

/// A credential's status bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCheck {
    /// The purpose of the list (`revocation`).
    pub purpose: String,
    /// The credential's index in the list.
    pub index: usize,
    /// Whether the bit is set: for revocation, true means revoked.
    pub is_set: bool,
}

/// Checks `credential`'s bit in `status_list_credential` (the JSON served at its
/// `statusListCredential` URL): the list must verify, come from the same issuer, have the same
/// purpose and not be past its `validUntil`.
pub fn check_status(
    credential: &Value,
    status_list_credential: &Value,
    resolver: &DidResolver,
) -> Result<StatusCheck, StatusError> {
    let entries = match credential.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
        None => Vec::new(),
    };
    let entry = entries
        .into_iter()
        .find(|e| e.get("type").and_then(Value::as_str) == Some("BitstringStatusListEntry"))
        .ok_or(StatusError::NoStatusEntry)?;
    let text = |v: &Value, name: &'static str| {
        v.get(name).and_then(Value::as_str).map(str::to_owned).ok_or(StatusError::MalformedEntry(name))
    };
    let list_url = text(entry, "statusListCredential")?;
    let purpose = text(entry, "statusPurpose")?;
    let index: usize =
        text(entry, "statusListIndex")?.parse().map_err(|_| StatusError::MalformedEntry("statusListIndex"))?;

    let found = status_list_credential.get("id").and_then(Value::as_str).unwrap_or_default();
    if found != list_url {
        return Err(StatusError::WrongList { expected: list_url, found: found.to_owned() });
    }
    let verified = verify_value(status_list_credential.clone(), resolver)?;
    if issuer_id(credential) != Some(verified.issuer.as_str()) {
        return Err(StatusError::IssuerMismatch);
    }
    let types = status_list_credential.get("type").and_then(Value::as_array);
    if !types.is_some_and(|t| t.iter().any(|t| t == "BitstringStatusListCredential")) {
        return Err(StatusError::NotAStatusList("type lacks BitstringStatusListCredential"));
    }
    if let Some(until) = status_list_credential.get("validUntil").and_then(Value::as_str) {
        let expired = DateTime::parse_from_rfc3339(until).map_or(true, |at| at < Utc::now());
        if expired {
            return Err(StatusError::Expired(until.to_owned()));
        }
    }
    let subject =
        status_list_credential.get("credentialSubject").ok_or(StatusError::NotAStatusList("no credentialSubject"))?;
    let subject_type = subject.get("type");
    let is_list = |t: &Value| t == "BitstringStatusList";
    if !subject_type.is_some_and(|t| is_list(t) || t.as_array().is_some_and(|a| a.iter().any(is_list))) {
        return Err(StatusError::NotAStatusList("credentialSubject is not a BitstringStatusList"));
    }
    let list_purpose = subject.get("statusPurpose").and_then(Value::as_str).unwrap_or_default();
    if list_purpose != purpose {
        return Err(StatusError::PurposeMismatch { entry: purpose, list: list_purpose.to_owned() });
    }
    let encoded =
        subject.get("encodedList").and_then(Value::as_str).ok_or(StatusError::NotAStatusList("no encodedList"))?;
    let is_set = StatusList::decode(encoded)?.get(index)?;
    Ok(StatusCheck { purpose, index, is_set })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `encodedList` of the spec's BitstringStatusListCredential example.
    const SPEC_EXAMPLE: &str = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

    #[test]
    fn decodes_the_spec_example_as_an_empty_minimum_list() {
        let list = StatusList::decode(SPEC_EXAMPLE).expect("spec example");
        assert_eq!(list.len(), MIN_STATUS_LIST_BITS);
        assert_eq!(list, StatusList::new());
    }

    #[test]
    fn bit_zero_is_the_most_significant_bit_of_byte_zero() {
        let mut list = StatusList::new();
        list.set(0, true).expect("in range");
        list.set(9, true).expect("in range");
        assert_eq!(&list.as_bytes()[..2], &[0x80, 0x40]);
        assert!(list.get(0).expect("in range") && list.get(9).expect("in range"));
        assert!(!list.get(1).expect("in range"));
        list.set(0, false).expect("in range");
        assert_eq!(list.as_bytes()[0], 0);
    }

    #[test]
    fn encode_decode_round_trip() {
        let mut list = StatusList::new();
        for index in [0, 7, 8, 94_567, MIN_STATUS_LIST_BITS - 1] {
            list.set(index, true).expect("in range");
        }
        let encoded = list.encode();
        assert!(encoded.starts_with("uH4sI"), "multibase u + base64url of a GZIP header: {encoded}");
        assert!(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        assert_eq!(StatusList::decode(&encoded).expect("decodes"), list);
    }

    #[test]
    fn sizes_and_ranges_are_checked() {
        assert_eq!(StatusList::with_len(8), Err(StatusListError::Length(8)));
        assert_eq!(
            StatusList::with_len(MIN_STATUS_LIST_BITS + 3),
            Err(StatusListError::Length(MIN_STATUS_LIST_BITS + 3))
        );
        assert_eq!(StatusList::with_len(2 * MIN_STATUS_LIST_BITS).expect("ok").len(), 2 * MIN_STATUS_LIST_BITS);
        let mut list = StatusList::new();
        assert!(matches!(list.set(MIN_STATUS_LIST_BITS, true), Err(StatusListError::IndexOutOfRange { .. })));
        assert_eq!(StatusList::decode("H4sI"), Err(StatusListError::NotBase64Url));
        assert!(matches!(StatusList::decode("u!!!"), Err(StatusListError::Corrupt(_))));
        // A valid GZIP of a list that is too short.
        let short = StatusList { bytes: vec![0; 10] }.encode();
        assert_eq!(StatusList::decode(&short), Err(StatusListError::Length(80)));
    }
}

#[cfg(test)]
mod credential_tests {
    use super::*;
    use crate::badge::{
        Achievement, AchievementType, BitstringStatusListEntry, Issuer, NewCredential, Recipient, issue,
    };
    use crate::keys::IssuerKey;
    use academy_core::Email;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    fn credential(issuer: &Issuer, list: &Url, index: usize) -> Value {
        let achievement = Achievement::new(
            &url("https://academy.example.org/achievements/1"),
            "Ethics of AI in the classroom",
            "Responsible use.",
            "Attend the workshop.",
            AchievementType::CertificateOfCompletion,
        );
        let recipient = Recipient::new(Email::parse("t@example.org").expect("email"));
        let id = url("https://academy.example.org/credentials/1");
        let new = NewCredential {
            id: &id,
            achievement: &achievement,
            recipient: &recipient,
            valid_from: now(),
            valid_until: None,
            credits_earned: None,
            status: Some(BitstringStatusListEntry::revocation(list, index)),
        };
        serde_json::to_value(issue(issuer, &new).expect("issues")).expect("json")
    }

    #[test]
    fn status_list_credential_signs_and_reports_revocation() {
        let identity = IssuerIdentity::did_key(IssuerKey::generate());
        let issuer =
            Issuer { identity: identity.clone(), name: "Academy".into(), url: url("https://academy.example.org") };
        let list_url = url("https://academy.example.org/status/1");
        let vc = credential(&issuer, &list_url, 42);

        let mut list = StatusList::new();
        let publish = |list: &StatusList| {
            let new = NewStatusListCredential {
                id: &list_url,
                purpose: StatusPurpose::Revocation,
                list,
                valid_from: now(),
                valid_until: None,
            };
            issue_status_list_credential(&identity, &new, now()).expect("signs")
        };
        let published = publish(&list);
        assert_eq!(published["type"], json!(["VerifiableCredential", "BitstringStatusListCredential"]));
        assert_eq!(published["credentialSubject"]["type"], json!("BitstringStatusList"));
        assert_eq!(published["credentialSubject"]["id"], json!("https://academy.example.org/status/1#list"));
        verify_value(published.clone(), &DidResolver::new()).expect("the list credential verifies");
        let check = check_status(&vc, &published, &DidResolver::new()).expect("checks");
        assert_eq!(check, StatusCheck { purpose: "revocation".into(), index: 42, is_set: false });

        list.set(42, true).expect("in range");
        let revoked = publish(&list);
        assert!(check_status(&vc, &revoked, &DidResolver::new()).expect("checks").is_set);

        // A list whose bits were changed after signing does not verify.
        let mut tampered = published.clone();
        tampered["credentialSubject"]["encodedList"] = revoked["credentialSubject"]["encodedList"].clone();
        assert!(matches!(check_status(&vc, &tampered, &DidResolver::new()), Err(StatusError::Verify(_))));

        // The list must be the one the entry names, from the same issuer.
        let other_url = url("https://academy.example.org/status/2");
        let other = credential(&issuer, &other_url, 42);
        assert!(matches!(check_status(&other, &published, &DidResolver::new()), Err(StatusError::WrongList { .. })));
        let stranger = IssuerIdentity::did_key(IssuerKey::generate());
        let foreign = issue_status_list_credential(
            &stranger,
            &NewStatusListCredential {
                id: &list_url,
                purpose: StatusPurpose::Revocation,
                list: &list,
                valid_from: now(),
                valid_until: None,
            },
            now(),
        )
        .expect("signs");
        assert!(matches!(check_status(&vc, &foreign, &DidResolver::new()), Err(StatusError::IssuerMismatch)));

        // An expired list is refused rather than trusted.
        let expired = issue_status_list_credential(
            &identity,
            &NewStatusListCredential {
                id: &list_url,
                purpose: StatusPurpose::Revocation,
                list: &list,
                valid_from: now() - chrono::Duration::days(2),
                valid_until: Some(now() - chrono::Duration::days(1)),
            },
            now(),
        )
        .expect("signs");
        assert!(matches!(check_status(&vc, &expired, &DidResolver::new()), Err(StatusError::Expired(_))));
    }
}
