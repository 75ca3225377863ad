//! The Open Badges 3.0 data model we issue (`OpenBadgeCredential` and its parts, serialized
//! exactly as the spec names them) and [`issue`], which builds and signs one.

use academy_core::Email;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use url::Url;

use crate::canon::{CanonError, OB_V3_CONTEXT_URL, VC_V2_CONTEXT_URL};
use crate::did::IssuerIdentity;
use crate::proof::{DataIntegrityProof, create_proof, xsd_date_time};

/// Why a credential could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The credential could not be turned into JSON.
    #[error("cannot serialize the credential: {0}")]
    Serialize(String),
    /// Canonicalization failed; with our shipped contexts this means a bug, not bad input.
    #[error("cannot canonicalize the credential: {0}")]
    Canonicalization(#[from] CanonError),
}

/// The issuing organization: its signing identity and how the credential presents it.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// The key and DID that sign.
    pub identity: IssuerIdentity,
    /// The name shown to earners and verifiers, e.g. "Academy".
    pub name: String,
    /// The issuer's home page.
    pub url: Url,
}

/// PD hours, as `creditsAvailable` / `creditsEarned` (xsd:float in the Open Badges context).
///
/// Whole hours serialize as JSON integers (`3`, not `3.0`): JSON-LD turns a number into RDF by
/// its value, and writing integral values as integers keeps every JSON reader, whatever its
/// number type, on the same canonical form.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct PdHours(f64);

/// PD hours must be a finite, non-negative number.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("PD hours must be a finite number of hours, zero or more (got {0})")]
pub struct InvalidHours(pub f64);

impl PdHours {
    /// Checks that `hours` is finite and not negative.
    pub fn new(hours: f64) -> Result<Self, InvalidHours> {
        if hours.is_finite() && hours >= 0.0 { Ok(Self(hours)) } else { Err(InvalidHours(hours)) }
    }

    /// The number of hours.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Serialize for PdHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Exactly representable integers (below 2^53) go out as integers.
        if self.0.fract() == 0.0 && self.0 < 9_007_199_254_740_992.0 {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "integral, 0 ≤ x < 2^53")]
            serializer.serialize_u64(self.0 as u64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for PdHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(f64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Open Badges `achievementType`: the spec's extensible enumeration (the terms Academy is
/// likely to use, plus any other term or `ext:` extension as [`Other`](Self::Other)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AchievementType {
    /// "Credential that acknowledges completion of an assignment, training or other activity."
    CertificateOfCompletion,
    /// "Credential that designates requisite knowledge and skills of an occupation, profession,
    /// or academic program."
    Certificate,
    /// A micro-credential, e.g. a pathway made of several items.
    MicroCredential,
    /// A course completion.
    Course,
    /// A badge.
    Badge,
    /// A generic achievement.
    Achievement,
    /// Measurable knowledge, skill or ability.
    Competency,
    /// A set of learning opportunities that leads to an outcome.
    LearningProgram,
    /// Any other term of the enumeration, or an extension (`ext:…`).
    Other(String),
}

impl AchievementType {
    /// The term as written in the credential.
    pub fn as_str(&self) -> &str {
        match self {
            Self::CertificateOfCompletion => "CertificateOfCompletion",
            Self::Certificate => "Certificate",
            Self::MicroCredential => "MicroCredential",
            Self::Course => "Course",
            Self::Badge => "Badge",
            Self::Achievement => "Achievement",
            Self::Competency => "Competency",
            Self::LearningProgram => "LearningProgram",
            Self::Other(term) => term,
        }
    }
}

impl From<String> for AchievementType {
    fn from(term: String) -> Self {
        match term.as_str() {
            "CertificateOfCompletion" => Self::CertificateOfCompletion,
            "Certificate" => Self::Certificate,
            "MicroCredential" => Self::MicroCredential,
            "Course" => Self::Course,
            "Badge" => Self::Badge,
            "Achievement" => Self::Achievement,
            "Competency" => Self::Competency,
            "LearningProgram" => Self::LearningProgram,
            _ => Self::Other(term),
        }
    }
}

impl From<AchievementType> for String {
    fn from(kind: AchievementType) -> Self {
        kind.as_str().to_owned()
    }
}

/// What must be done to earn an achievement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    /// The criteria in Markdown.
    pub narrative: String,
}

/// An image by URL (`type` "Image").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The image URL (or a data: URL).
    pub id: String,
    /// Always `Image`.
    #[serde(rename = "type")]
    pub image_type: String,
}

/// An Open Badges `Achievement`: what is earned, shared by every credential for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    /// A URL that describes the achievement (Academy's page for the course or pathway).
    pub id: String,
    /// Always `["Achievement"]`.
    #[serde(rename = "type")]
    pub types: Vec<String>,
    /// Its name.
    pub name: String,
    /// A short description.
    pub description: String,
    /// How it is earned.
    pub criteria: Criteria,
    /// The kind of achievement.
    pub achievement_type: AchievementType,
    /// The PD hours it is worth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<PdHours>,
    /// Its badge image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

impl Achievement {
    /// An achievement without PD hours or image.
    pub fn new(
        id: &Url,
        name: impl Into<String>,
        description: impl Into<String>,
        criteria_narrative: impl Into<String>,
        achievement_type: AchievementType,
    ) -> Self {
        Self {
            id: id.to_string(),
            types: vec!["Achievement".to_owned()],
            name: name.into(),
            description: description.into(),
            criteria: Criteria { narrative: criteria_narrative.into() },
            achievement_type,
            credits_available: None,
            image: None,
        }
    }

    /// With the PD hours it is worth.
    pub fn with_credits_available(mut self, hours: PdHours) -> Self {
        self.credits_available = Some(hours);
        self
    }

    /// With a badge image.
    pub fn with_image(mut self, image: &Url) -> Self {
        self.image = Some(Image { id: image.to_string(), image_type: "Image".to_owned() });
        self
    }
}

/// An Open Badges `IdentityObject`: the earner's email, salted and hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// Always `IdentityObject`.
    #[serde(rename = "type")]
    pub identity_object_type: String,
    /// `emailAddress`.
    pub identity_type: String,
    /// Always true here: the plain address never appears.
    pub hashed: bool,
    /// `sha256$` and the hex SHA-256 of the address followed by the salt.
    pub identity_hash: String,
    /// The salt.
    pub salt: String,
}

/// The earner, identified by email without showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    email: Email,
    salt: String,
}

impl Recipient {
    /// A recipient with a fresh random salt (128 bits, hex). Store the salt with the
    /// credential if the app wants to reproduce the hash; anyone who knows the email can check
    /// it against the credential.
    pub fn new(email: Email) -> Self {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        Self { email, salt: hex(&salt) }
    }

    /// A recipient with a given salt.
    pub fn with_salt(email: Email, salt: impl Into<String>) -> Self {
        Self { email, salt: salt.into() }
    }

    /// The `IdentityObject` for this earner.
    pub fn identity_object(&self) -> IdentityObject {
        IdentityObject {
            identity_object_type: "IdentityObject".to_owned(),
            identity_type: "emailAddress".to_owned(),
            hashed: true,
            identity_hash: identity_hash(self.email.as_str(), &self.salt),
            salt: self.salt.clone(),
        }
    }
}

/// The Open Badges identity hash: `sha256$` + hex(SHA-256(identity + salt)). Academy's
/// [`Email`] is already trimmed and lower-cased, so one person always hashes the same way.
pub fn identity_hash(identity: &str, salt: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(identity.as_bytes());
    hasher.update(salt.as_bytes());
    format!("sha256${}", hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The issuer as shown in the credential: an Open Badges `Profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The issuer DID.
    pub id: String,
    /// Always `["Profile"]`.
    #[serde(rename = "type")]
    pub types: Vec<String>,
    /// The issuer's name.
    pub name: String,
    /// The issuer's home page.
    pub url: String,
}

/// The earner's claim: an `AchievementSubject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    /// Always `["AchievementSubject"]`.
    #[serde(rename = "type")]
    pub types: Vec<String>,
    /// Who earned it (hashed email).
    pub identifier: Vec<IdentityObject>,
    /// What was earned.
    pub achievement: Achievement,
    /// The PD hours earned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<PdHours>,
}

/// A `credentialStatus` entry of W3C Bitstring Status List v1.0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BitstringStatusListEntry {
    /// `STATUS_LIST_URL#INDEX`.
    pub id: String,
    /// Always `BitstringStatusListEntry`.
    #[serde(rename = "type")]
    pub entry_type: String,
    /// `revocation` (or `suspension`).
    pub status_purpose: String,
    /// The bit's position, as a decimal string (the spec makes it a string).
    pub status_list_index: String,
    /// The URL of the `BitstringStatusListCredential`.
    pub status_list_credential: String,
}

impl BitstringStatusListEntry {
    /// The revocation entry for bit `index` of the list published at `list_credential`.
    pub fn revocation(list_credential: &Url, index: usize) -> Self {
        Self {
            id: format!("{list_credential}#{index}"),
            entry_type: "BitstringStatusListEntry".to_owned(),
            status_purpose: crate::status::StatusPurpose::Revocation.as_str().to_owned(),
            status_list_index: index.to_string(),
            status_list_credential: list_credential.to_string(),
        }
    }
}

/// An Open Badges 3.0 `OpenBadgeCredential`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBadgeCredential {
    /// VC v2, then Open Badges 3.0.3.
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    /// The credential's URL.
    pub id: String,
    /// `["VerifiableCredential", "OpenBadgeCredential"]`.
    #[serde(rename = "type")]
    pub types: Vec<String>,
    /// The issuer.
    pub issuer: Profile,
    /// From when it is valid.
    pub valid_from: String,
    /// Until when it is valid, if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The credential's name (the achievement's).
    pub name: String,
    /// The earner and what they earned.
    pub credential_subject: AchievementSubject,
    /// Where its revocation bit lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<BitstringStatusListEntry>,
    /// The issuer's signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<DataIntegrityProof>,
}

impl OpenBadgeCredential {
    /// The credential as JSON, the form to store, serve and hand to wallets.
    pub fn to_json(&self) -> Result<String, IssueError> {
        serde_json::to_string(self).map_err(|e| IssueError::Serialize(e.to_string()))
    }
}

/// One credential to issue.
#[derive(Debug, Clone)]
pub struct NewCredential<'a> {
    /// The credential's URL (where Academy serves it, e.g. `https://HOST/credentials/UUID`).
    pub id: &'a Url,
    /// What was earned.
    pub achievement: &'a Achievement,
    /// Who earned it.
    pub recipient: &'a Recipient,
    /// When it was earned (`validFrom`).
    pub valid_from: DateTime<Utc>,
    /// When it expires, if ever.
    pub valid_until: Option<DateTime<Utc>>,
    /// PD hours earned.
    pub credits_earned: Option<PdHours>,
    /// Its revocation bit, if it can be revoked.
    pub status: Option<BitstringStatusListEntry>,
}

/// Builds and signs an `OpenBadgeCredential`, with the proof dated now.
pub fn issue(issuer: &Issuer, new: &NewCredential<'_>) -> Result<OpenBadgeCredential, IssueError> {
    issue_at(issuer, new, Utc::now())
}

/// Builds and signs an `OpenBadgeCredential` with the proof's `created` set to `created`.
pub fn issue_at(
    issuer: &Issuer,
    new: &NewCredential<'_>,
    created: DateTime<Utc>,
) -> Result<OpenBadgeCredential, IssueError> {
    let mut credential = OpenBadgeCredential {
        context: vec![VC_V2_CONTEXT_URL.to_owned(), OB_V3_CONTEXT_URL.to_owned()],
        id: new.id.to_string(),
        types: vec!["VerifiableCredential".to_owned(), "OpenBadgeCredential".to_owned()],
        issuer: Profile {
            id: issuer.identity.did().to_owned(),
            types: vec!["Profile".to_owned()],
            name: issuer.name.clone(),
            url: issuer.url.to_string(),
        },
        valid_from: xsd_date_time(new.valid_from),
        valid_until: new.valid_until.map(xsd_date_time),
        name: new.achievement.name.clone(),
        credential_subject: AchievementSubject {
            types: vec!["AchievementSubject".to_owned()],
            identifier: vec![new.recipient.identity_object()],
            achievement: new.achievement.clone(),
            credits_earned: new.credits_earned,
        },
        credential_status: new.status.clone(),
        proof: None,
    };
    let unsecured = serde_json::to_value(&credential).map_err(|e| IssueError::Serialize(e.to_string()))?;
    let key = issuer.identity.key();
    credential.proof = Some(create_proof(&unsecured, key, issuer.identity.verification_method(), created)?);
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::did::DidResolver;
    use crate::keys::IssuerKey;
    use crate::verify::{VerifyError, verify, verify_value};

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn issuer(identity: IssuerIdentity) -> Issuer {
        Issuer { identity, name: "Academy".into(), url: url("https://academy.example.org/") }
    }

    fn achievement() -> Achievement {
        Achievement::new(
            &url("https://academy.example.org/achievements/ai-foundations"),
            "AI Foundations",
            "The basics of generative AI for K-12 teachers.",
            "Complete the six modules and the final reflection.",
            AchievementType::Certificate,
        )
        .with_credits_available(PdHours::new(6.0).expect("hours"))
        .with_image(&url("https://academy.example.org/badges/ai-foundations.png"))
    }

    fn signed(issuer: &Issuer) -> OpenBadgeCredential {
        let recipient = Recipient::with_salt(Email::parse("Teacher@Example.org").expect("email"), "s4lt");
        let achievement = achievement();
        let id = url("https://academy.example.org/credentials/0b6f4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
        let list = url("https://academy.example.org/status/1");
        let new = NewCredential {
            id: &id,
            achievement: &achievement,
            recipient: &recipient,
            valid_from: DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("date").with_timezone(&Utc),
            valid_until: None,
            credits_earned: Some(PdHours::new(2.5).expect("hours")),
            status: Some(BitstringStatusListEntry::revocation(&list, 94_567)),
        };
        issue(issuer, &new).expect("issues")
    }

    #[test]
    fn the_credential_has_the_open_badges_shape() {
        let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let credential = serde_json::to_value(signed(&issuer)).expect("json");
        assert_eq!(
            credential["@context"],
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ])
        );
        assert_eq!(credential["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
        assert_eq!(credential["issuer"]["id"], json!(issuer.identity.did()));
        assert_eq!(credential["issuer"]["type"], json!(["Profile"]));
        assert_eq!(credential["validFrom"], json!("2026-03-01T12:00:00Z"));
        let subject = &credential["credentialSubject"];
        assert_eq!(subject["type"], json!(["AchievementSubject"]));
        assert_eq!(subject["creditsEarned"], json!(2.5));
        // Whole hours are a JSON integer.
        assert_eq!(subject["achievement"]["creditsAvailable"].to_string(), "6");
        assert_eq!(subject["achievement"]["achievementType"], json!("Certificate"));
        assert_eq!(
            subject["achievement"]["criteria"]["narrative"],
            json!("Complete the six modules and the final reflection.")
        );
        assert_eq!(subject["achievement"]["image"]["type"], json!("Image"));
        let identity = &subject["identifier"][0];
        assert_eq!(identity["identityType"], json!("emailAddress"));
        assert_eq!(identity["hashed"], json!(true));
        // sha256("teacher@example.org" + "s4lt"), the email as academy-core normalizes it.
        assert_eq!(identity["identityHash"], json!(identity_hash("teacher@example.org", "s4lt")));
        assert!(!credential.to_string().contains("teacher@example.org"), "the email never appears");
        let status = &credential["credentialStatus"];
        assert_eq!(status["type"], json!("BitstringStatusListEntry"));
        assert_eq!(status["statusListIndex"], json!("94567"));
        assert_eq!(status["id"], json!("https://academy.example.org/status/1#94567"));
        let proof = &credential["proof"];
        assert_eq!(proof["type"], json!("DataIntegrityProof"));
        assert_eq!(proof["cryptosuite"], json!("eddsa-rdfc-2022"));
        assert_eq!(proof["proofPurpose"], json!("assertionMethod"));
        assert_eq!(proof["verificationMethod"], json!(issuer.identity.verification_method()));
        assert!(proof["proofValue"].as_str().is_some_and(|v| v.starts_with('z')));
        // And it reads back into the model unchanged.
        let back: OpenBadgeCredential = serde_json::from_value(credential.clone()).expect("model");
        assert_eq!(serde_json::to_value(back).expect("json"), credential);
    }

    #[test]
    fn identity_hash_is_sha256_of_email_then_salt() {
        // printf 'a@b.cdsalt' | sha256sum
        assert_eq!(
            identity_hash("a@b.cd", "salt"),
            format!("sha256${}", {
                let digest = Sha256::digest(b"a@b.cdsalt");
                hex(&digest)
            })
        );
        let random = Recipient::new(Email::parse("a@b.cd").expect("email")).identity_object();
        assert_eq!(random.salt.len(), 32);
        assert!(random.identity_hash.starts_with("sha256$"));
    }

    #[test]
    fn issue_then_verify_with_did_key() {
        let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let json = signed(&issuer).to_json().expect("json");
        let verified = verify(&json, &DidResolver::new()).expect("verifies");
        assert_eq!(verified.issuer, issuer.identity.did());
        assert_eq!(verified.issuer_name.as_deref(), Some("Academy"));
        assert_eq!(verified.verification_method, issuer.identity.verification_method());
    }

    #[test]
    fn issue_then_verify_with_did_web_and_its_document() {
        let issuer = issuer(IssuerIdentity::did_web(IssuerKey::generate(), "academy.example.org").expect("domain"));
        let json = signed(&issuer).to_json().expect("json");
        assert!(matches!(verify(&json, &DidResolver::new()), Err(VerifyError::Did(_))), "no document: no key");
        let resolver = DidResolver::new().with_did_web_document(issuer.identity.did_document()).expect("document");
        assert_eq!(verify(&json, &resolver).expect("verifies").issuer, "did:web:academy.example.org");

        // Another key published under the same DID does not verify.
        let impostor = IssuerIdentity::did_web(IssuerKey::generate(), "academy.example.org").expect("domain");
        let resolver = DidResolver::new().with_did_web_document(impostor.did_document()).expect("document");
        assert!(matches!(verify(&json, &resolver), Err(VerifyError::InvalidSignature)));
    }

    /// Every leaf of the signed credential, one at a time.
    fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| {
                path.push(i.to_string());
                leaves(v, path, out);
                path.pop();
            }),
            _ => out.push(path.clone()),
        }
    }

    fn pointer(path: &[String]) -> String {
        path.iter().map(|p| format!("/{p}")).collect()
    }

    #[test]
    fn changing_any_field_breaks_verification() {
        let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let credential = serde_json::to_value(signed(&issuer)).expect("json");
        let mut paths = Vec::new();
        leaves(&credential, &mut Vec::new(), &mut paths);
        assert!(paths.len() > 30, "{paths:?}");
        for path in paths {
            let mut tampered = credential.clone();
            let leaf = tampered.pointer_mut(&pointer(&path)).expect("leaf");
            *leaf = match leaf {
                Value::String(s) if s.starts_with("did:key:") => {
                    json!(IssuerIdentity::did_key(IssuerKey::generate()).did())
                }
                Value::String(s) if s.starts_with("https://") => json!(format!("{s}x")),
                Value::String(s) if s.starts_with('z') => json!(format!("z{}", &s[2..])),
                Value::String(s) if s.parse::<u64>().is_ok() => json!("94568"),
                Value::String(s) => json!(format!("{s} (changed)")),
                Value::Number(n) => json!(n.as_f64().unwrap_or_default() + 1.0),
                Value::Bool(b) => json!(!*b),
                other => panic!("unexpected leaf {other}"),
            };
            let result = verify_value(tampered, &DidResolver::new());
            assert!(result.is_err(), "changing {} still verified", pointer(&path));
        }
    }

    #[test]
    fn adding_an_unsigned_property_or_removing_one_breaks_verification() {
        let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let credential = serde_json::to_value(signed(&issuer)).expect("json");
        let mut added = credential.clone();
        added["credentialSubject"]["achievement"]["notDefinedAnywhere"] = json!("free text");
        assert!(matches!(verify_value(added, &DidResolver::new()), Err(VerifyError::Canonicalization(_))));
        let mut added = credential.clone();
        added["description"] = json!("A defined term that was not signed");
        assert!(matches!(verify_value(added, &DidResolver::new()), Err(VerifyError::InvalidSignature)));
        let mut removed = credential;
        removed["credentialSubject"].as_object_mut().expect("object").remove("creditsEarned");
        assert!(matches!(verify_value(removed, &DidResolver::new()), Err(VerifyError::InvalidSignature)));
    }

    #[test]
    fn a_credential_signed_by_a_key_the_issuer_does_not_control_is_refused() {
        let real = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let mut credential = serde_json::to_value(signed(&real)).expect("json");
        // Sign a copy naming `real` as issuer with another did:key.
        credential.as_object_mut().expect("object").remove("proof");
        let other = IssuerIdentity::did_key(IssuerKey::generate());
        let forged = crate::proof::sign_document(credential, other.key(), other.verification_method(), Utc::now())
            .expect("signs");
        assert!(matches!(verify_value(forged, &DidResolver::new()), Err(VerifyError::IssuerMismatch { .. })));
    }

    #[test]
    fn issuing_can_run_on_several_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Issuer>();
        shareable::<DidResolver>();
        let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
        let issued: Vec<String> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2).map(|_| scope.spawn(|| signed(&issuer).to_json().expect("json"))).collect();
            workers.into_iter().map(|w| w.join().expect("worker")).collect()
        });
        for json in issued {
            verify(&json, &DidResolver::new()).expect("verifies");
        }
    }

    #[test]
    fn hours_are_checked_and_serialized_as_integers_when_whole() {
        assert!(PdHours::new(-1.0).is_err() && PdHours::new(f64::NAN).is_err() && PdHours::new(f64::INFINITY).is_err());
        assert_eq!(serde_json::to_string(&PdHours::new(3.0).expect("ok")).expect("json"), "3");
        assert_eq!(serde_json::to_string(&PdHours::new(1.5).expect("ok")).expect("json"), "1.5");
        assert!(serde_json::from_str::<PdHours>("-2").is_err());
        assert_eq!(AchievementType::from("MicroCredential".to_owned()), AchievementType::MicroCredential);
        assert_eq!(AchievementType::from("ext:Workshop".to_owned()).as_str(), "ext:Workshop");
    }
}
