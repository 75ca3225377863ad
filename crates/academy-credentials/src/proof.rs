//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity 1.0 and
//! Data Integrity EdDSA Cryptosuites v1.0, sections "Create Proof" and "Verify Proof").
//!
//! hashData = SHA-256(RDFC-1.0(proof configuration)) || SHA-256(RDFC-1.0(document without
//! proof)); the Ed25519 signature over it, multibase base58btc, is the `proofValue`. The proof
//! configuration is the proof's options without `proofValue`, carrying the document's
//! `@context` so that its terms expand as they do in the document.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::canon::{CanonError, canonicalize};
use crate::did::{DidResolver, ResolvedKey};
use crate::keys::{IssuerKey, decode_base58btc};
use crate::verify::VerifyError;

/// The proof type of every Data Integrity proof.
pub const DATA_INTEGRITY_PROOF: &str = "DataIntegrityProof";
/// The cryptosuite this crate implements.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
/// The proof purpose of an issuer's proof.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// A `DataIntegrityProof` as attached to a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataIntegrityProof {
    /// Always `DataIntegrityProof`.
    #[serde(rename = "type")]
    pub proof_type: String,
    /// Always `eddsa-rdfc-2022`.
    pub cryptosuite: String,
    /// When the proof was made (XML Schema dateTime, UTC, whole seconds).
    pub created: String,
    /// The key that made it, as a DID URL.
    pub verification_method: String,
    /// Always `assertionMethod` for an issuer.
    pub proof_purpose: String,
    /// The Ed25519 signature, multibase base58btc (`z…`).
    pub proof_value: String,
}

/// The RFC 3339 / XML Schema dateTime form used in credentials: UTC, whole seconds, `Z`.
pub(crate) fn xsd_date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The hash data to sign: SHA-256 of the canonical proof configuration followed by SHA-256 of
/// the canonical document.
pub(crate) fn hash_data(unsecured: &Value, proof_config: &Value) -> Result<[u8; 64], CanonError> {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&proof_config_hash(proof_config)?);
    out[32..].copy_from_slice(&Sha256::digest(canonicalize(unsecured)?.as_bytes()));
    Ok(out)
}

thread_local! {
    /// The last proof configuration hashed on this thread. In bulk issuing every credential of
    /// the same second has the same configuration (issuer key, `created` to the second,
    /// contexts), so its canonical hash is reused instead of recomputed: same input, same
    /// hash, no change to the algorithm.
    static LAST_PROOF_CONFIG: std::cell::RefCell<Option<(String, [u8; 32])>> = const { std::cell::RefCell::new(None) };
}

fn proof_config_hash(proof_config: &Value) -> Result<[u8; 32], CanonError> {
    let key = proof_config.to_string();
    let hit = LAST_PROOF_CONFIG.with_borrow(|last| last.as_ref().filter(|(k, _)| *k == key).map(|(_, hash)| *hash));
    if let Some(hash) = hit {
        return Ok(hash);
    }
    let hash: [u8; 32] = Sha256::digest(canonicalize(proof_config)?.as_bytes()).into();
    LAST_PROOF_CONFIG.set(Some((key, hash)));
    Ok(hash)
}

/// Makes an `eddsa-rdfc-2022` proof for `unsecured` (a JSON-LD document without `proof`).
pub fn create_proof(
    unsecured: &Value,
    key: &IssuerKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<DataIntegrityProof, CanonError> {
    let context = unsecured.get("@context").ok_or(CanonError::NoContext)?;
    let mut proof = DataIntegrityProof {
        proof_type: DATA_INTEGRITY_PROOF.to_owned(),
        cryptosuite: CRYPTOSUITE.to_owned(),
        created: xsd_date_time(created),
        verification_method: verification_method.to_owned(),
        proof_purpose: ASSERTION_METHOD.to_owned(),
        proof_value: String::new(),
    };
    let proof_config = json!({
        "type": proof.proof_type,
        "cryptosuite": proof.cryptosuite,
        "created": proof.created,
        "verificationMethod": proof.verification_method,
        "proofPurpose": proof.proof_purpose,
        "@context": context,
    });
    let signature = key.sign(&hash_data(unsecured, &proof_config)?);
    proof.proof_value = format!("z{}", bs58::encode(signature).into_string());
    Ok(proof)
}

/// Signs `unsecured` and returns it with the `proof` attached.
pub fn sign_document(
    mut unsecured: Value,
    key: &IssuerKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<Value, CanonError> {
    let proof = create_proof(&unsecured, key, verification_method, created)?;
    let object = unsecured.as_object_mut().ok_or(CanonError::NotAnObject)?;
    object.insert("proof".to_owned(), json!(proof));
    Ok(unsecured)
}

/// Verifies the one `eddsa-rdfc-2022` proof of `secured` for `assertionMethod` and returns the
/// key that made it. The caller still checks that the key's controller is the issuer.
pub fn verify_proof(secured: &Value, resolver: &DidResolver) -> Result<ResolvedKey, VerifyError> {
    let mut unsecured = secured.as_object().ok_or(VerifyError::NotAnObject)?.clone();
    let proof = match unsecured.remove("proof") {
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(_)) => return Err(VerifyError::ProofSet),
        Some(_) | None => return Err(VerifyError::NoProof),
    };
    let field =
        |name: &'static str| proof.get(name).and_then(Value::as_str).ok_or(VerifyError::MissingProofField(name));
    let expect = |name: &'static str, expected: &'static str| -> Result<(), VerifyError> {
        let found = field(name)?;
        if found == expected {
            Ok(())
        } else {
            Err(VerifyError::UnsupportedProof { field: name, found: found.to_owned(), expected })
        }
    };
    expect("type", DATA_INTEGRITY_PROOF)?;
    expect("cryptosuite", CRYPTOSUITE)?;
    expect("proofPurpose", ASSERTION_METHOD)?;
    if let Some(created) = proof.get("created") {
        let valid = created.as_str().is_some_and(|c| DateTime::parse_from_rfc3339(c).is_ok());
        if !valid {
            return Err(VerifyError::InvalidCreated);
        }
    }
    let signature: [u8; 64] = decode_base58btc(field("proofValue")?)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(VerifyError::MalformedProofValue)?;
    let verification_method = field("verificationMethod")?;

    let mut proof_config = proof.clone();
    proof_config.remove("proofValue");
    let document_context =
        unsecured.get("@context").cloned().ok_or(VerifyError::Canonicalization(CanonError::NoContext))?;
    match proof_config.get("@context") {
        // A proof with its own @context must name a prefix of the document's, in order; the
        // document is then canonicalized with the proof's.
        Some(proof_context) => {
            let as_list = |v: &Value| match v {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            let (proof_list, document_list) = (as_list(proof_context), as_list(&document_context));
            if !document_list.starts_with(&proof_list) {
                return Err(VerifyError::ContextMismatch);
            }
            unsecured.insert("@context".to_owned(), proof_context.clone());
        }
        None => {
            proof_config.insert("@context".to_owned(), document_context);
        }
    }

    let resolved = resolver.resolve_assertion_method(verification_method)?;
    let hash = hash_data(&Value::Object(unsecured), &Value::Object(proof_config))?;
    if resolved.key.verify(&hash, &signature) { Ok(resolved) } else { Err(VerifyError::InvalidSignature) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(name: &str) -> &'static str {
        match name {
            "keyPair" => include_str!("../testdata/vc-di-eddsa-keyPair.json"),
            "unsigned" => include_str!("../testdata/vc-di-eddsa-unsigned.json"),
            "proofConfig" => include_str!("../testdata/vc-di-eddsa-proofConfigDataInt.json"),
            "proofCanon" => include_str!("../testdata/vc-di-eddsa-proofCanonDataInt.txt"),
            "docHash" => include_str!("../testdata/vc-di-eddsa-docHashDataInt.txt"),
            "proofHash" => include_str!("../testdata/vc-di-eddsa-proofHashDataInt.txt"),
            "combinedHash" => include_str!("../testdata/vc-di-eddsa-combinedHashDataInt.txt"),
            "proofValue" => include_str!("../testdata/vc-di-eddsa-sigBTC58DataInt.txt"),
            "signed" => include_str!("../testdata/vc-di-eddsa-signedDataInt.json"),
            _ => unreachable!("no vector {name}"),
        }
    }

    fn json(name: &str) -> Value {
        serde_json::from_str(vector(name)).expect("vector is JSON")
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn w3c_key() -> IssuerKey {
        IssuerKey::from_private_key_multibase(json("keyPair")["privateKeyMultibase"].as_str().expect("key"))
            .expect("vector key")
    }

    fn w3c_created() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2023-02-24T23:36:38Z").expect("date").with_timezone(&Utc)
    }

    /// vc-di-eddsa, "Representation: eddsa-rdfc-2022": every intermediate value.
    #[test]
    fn reproduces_the_w3c_eddsa_rdfc_2022_vector_byte_for_byte() {
        let unsigned = json("unsigned");
        let proof_config = json("proofConfig");
        assert_eq!(canonicalize(&proof_config).expect("canon"), vector("proofCanon"));
        let hash = hash_data(&unsigned, &proof_config).expect("hash");
        assert_eq!(hex(&hash[..32]), vector("proofHash").trim());
        assert_eq!(hex(&hash[32..]), vector("docHash").trim());
        assert_eq!(hex(&hash), vector("combinedHash").trim());

        let vm = proof_config["verificationMethod"].as_str().expect("vm");
        let proof = create_proof(&unsigned, &w3c_key(), vm, w3c_created()).expect("proof");
        assert_eq!(proof.proof_value, vector("proofValue").trim());
        let signed = sign_document(unsigned, &w3c_key(), vm, w3c_created()).expect("signed");
        assert_eq!(signed, json("signed"));
    }

    #[test]
    fn verifies_the_w3c_signed_vector_and_rejects_a_change() {
        let signed = json("signed");
        let resolved = verify_proof(&signed, &DidResolver::new()).expect("the W3C vector verifies");
        assert_eq!(resolved.controller, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");

        let mut tampered = signed.clone();
        tampered["credentialSubject"]["alumniOf"] = json!("The School of Counterfeits");
        assert!(matches!(verify_proof(&tampered, &DidResolver::new()), Err(VerifyError::InvalidSignature)));

        let mut tampered = signed;
        tampered["proof"]["created"] = json!("2023-02-24T23:36:39Z");
        assert!(matches!(verify_proof(&tampered, &DidResolver::new()), Err(VerifyError::InvalidSignature)));
    }

    #[test]
    fn refuses_other_suites_and_broken_proofs() {
        let signed = json("signed");
        let with = |path: &str, value: Value| {
            let mut doc = signed.clone();
            doc["proof"][path] = value;
            verify_proof(&doc, &DidResolver::new())
        };
        assert!(matches!(with("cryptosuite", json!("eddsa-jcs-2022")), Err(VerifyError::UnsupportedProof { .. })));
        assert!(matches!(with("proofPurpose", json!("authentication")), Err(VerifyError::UnsupportedProof { .. })));
        assert!(matches!(with("proofValue", json!("zzz")), Err(VerifyError::MalformedProofValue)));
        assert!(matches!(with("created", json!("yesterday")), Err(VerifyError::InvalidCreated)));
        let mut no_proof = signed.clone();
        no_proof.as_object_mut().expect("object").remove("proof");
        assert!(matches!(verify_proof(&no_proof, &DidResolver::new()), Err(VerifyError::NoProof)));
    }
}
