//! Verifying a credential: its `eddsa-rdfc-2022` proof, made by a key of its issuer.

use serde_json::Value;

use crate::canon::CanonError;
use crate::did::{DidError, DidResolver};
use crate::proof::verify_proof;

/// Why a credential did not verify. Tampering with any signed field shows as
/// [`InvalidSignature`](Self::InvalidSignature); adding a field no context defines shows as
/// [`Canonicalization`](Self::Canonicalization).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The input is not JSON.
    #[error("the credential is not valid JSON: {0}")]
    Json(String),
    /// The input is JSON but not an object.
    #[error("a credential must be a JSON object")]
    NotAnObject,
    /// There is no `proof`.
    #[error("the credential has no proof")]
    NoProof,
    /// Several proofs (a proof set or chain) are not supported.
    #[error("proof sets are not supported: the credential must carry exactly one proof")]
    ProofSet,
    /// The proof lacks a required field.
    #[error("the proof has no {0}")]
    MissingProofField(&'static str),
    /// The proof is of another kind than `DataIntegrityProof` / `eddsa-rdfc-2022` / `assertionMethod`.
    #[error("unsupported proof: {field} is {found:?}, expected {expected:?}")]
    UnsupportedProof {
        /// The proof field.
        field: &'static str,
        /// Its value.
        found: String,
        /// What this verifier accepts.
        expected: &'static str,
    },
    /// `created` is not an XML Schema dateTime.
    #[error("the proof's created is not a valid dateTime")]
    InvalidCreated,
    /// `proofValue` is not a base58btc multibase 64-byte signature.
    #[error("the proofValue is not a multibase base58btc Ed25519 signature")]
    MalformedProofValue,
    /// The proof's own `@context` is not a prefix of the document's.
    #[error("the proof's @context does not match the credential's")]
    ContextMismatch,
    /// The verification method could not be resolved to a key.
    #[error("cannot resolve the verification method: {0}")]
    Did(#[from] DidError),
    /// The document could not be canonicalized (unknown context, undefined property, …).
    #[error("cannot canonicalize the credential: {0}")]
    Canonicalization(#[from] CanonError),
    /// The signature does not match: the credential or its proof was changed after signing,
    /// or it was signed by another key.
    #[error("the signature does not match the credential: it was changed after signing or signed by another key")]
    InvalidSignature,
    /// The credential has no `issuer` (a string or an object with an `id`).
    #[error("the credential has no issuer id")]
    NoIssuer,
    /// The proof was made by a key that the issuer does not control.
    #[error("the credential names issuer {issuer} but was signed by a key of {signer}")]
    IssuerMismatch {
        /// The credential's `issuer` id.
        issuer: String,
        /// The controller of the signing key.
        signer: String,
    },
}

/// A credential whose proof checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedCredential {
    /// The issuer's DID (`issuer` or `issuer.id`).
    pub issuer: String,
    /// The issuer's `name` when the issuer is a Profile object.
    pub issuer_name: Option<String>,
    /// The key that signed, as a DID URL.
    pub verification_method: String,
    /// The credential as parsed.
    pub credential: Value,
}

/// The issuer id of a credential, whether `issuer` is a URL or a Profile object.
pub(crate) fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(id) => Some(id),
        issuer => issuer.get("id")?.as_str(),
    }
}

/// Verifies a credential's proof (see [`verify_value`]).
pub fn verify(credential_json: &str, resolver: &DidResolver) -> Result<VerifiedCredential, VerifyError> {
    let credential: Value = serde_json::from_str(credential_json).map_err(|e| VerifyError::Json(e.to_string()))?;
    verify_value(credential, resolver)
}

/// Verifies that `credential` carries a valid `eddsa-rdfc-2022` proof by a key its issuer
/// controls: did:key resolves locally, did:web from the documents in `resolver`.
///
/// Only the proof is checked: dates (`validFrom`, `validUntil`) and revocation
/// ([`crate::status::check_status`]) are the caller's to judge, as a credential can be a valid
/// record of the past.
pub fn verify_value(credential: Value, resolver: &DidResolver) -> Result<VerifiedCredential, VerifyError> {
    if !credential.is_object() {
        return Err(VerifyError::NotAnObject);
    }
    let resolved = verify_proof(&credential, resolver)?;
    let issuer = issuer_id(&credential).ok_or(VerifyError::NoIssuer)?.to_owned();
    if issuer != resolved.controller {
        return Err(VerifyError::IssuerMismatch { issuer, signer: resolved.controller });
    }
    let issuer_name = credential.get("issuer").and_then(|i| i.get("name")).and_then(Value::as_str).map(str::to_owned);
    let verification_method =
        credential["proof"].get("verificationMethod").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(VerifiedCredential { issuer, issuer_name, verification_method, credential })
}
