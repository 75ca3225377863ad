//! Open Badges 3.0 verifiable credentials for Academy: issue, sign, verify and revoke.
//! No I/O: the app stores keys, credentials and status lists, and serves their URLs.
//!
//! Where things live:
//! - [`badge`]: the `OpenBadgeCredential` model (serialized exactly as Open Badges 3.0 names
//!   it), the inputs ([`Issuer`], [`Achievement`], [`Recipient`], [`NewCredential`]) and
//!   [`issue`].
//! - [`proof`]: Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (create, verify).
//! - [`canon`]: JSON-LD → RDF → RDFC-1.0 canonical N-Quads, with the contexts shipped in
//!   `contexts/` and resolved offline, never fetched.
//! - [`keys`]: Ed25519 keys and their Multikey (`z6Mk…`) form.
//! - [`did`]: `did:key` and `did:web` issuer identities, the did:web DID document, and
//!   resolving a verification method to a key.
//! - [`status`]: W3C Bitstring Status List v1.0 (the list, its signed credential, checking a bit).
//! - [`verify`](mod@verify): verifying a credential's proof and that its issuer signed it.
//!
//! ```
//! use academy_core::Email;
//! use academy_credentials::{
//!     Achievement, AchievementType, DidResolver, Issuer, IssuerIdentity, IssuerKey, NewCredential,
//!     PdHours, Recipient, issue, verify,
//! };
//! use url::Url;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = IssuerKey::generate(); // store key.secret_bytes() encrypted; reload with from_secret_bytes
//! let issuer = Issuer {
//!     identity: IssuerIdentity::did_key(key),
//!     name: "Academy".into(),
//!     url: Url::parse("https://academy.example.org")?,
//! };
//! let achievement = Achievement::new(
//!     &Url::parse("https://academy.example.org/achievements/ai-foundations")?,
//!     "AI Foundations",
//!     "The basics of generative AI for K-12 teachers.",
//!     "Complete the six modules and the final reflection.",
//!     AchievementType::Certificate,
//! )
//! .with_credits_available(PdHours::new(6.0)?);
//! let recipient = Recipient::new(Email::parse("teacher@example.org")?);
//! let id = Url::parse("https://academy.example.org/credentials/0b6f4f6e")?;
//! let credential = issue(
//!     &issuer,
//!     &NewCredential {
//!         id: &id,
//!         achievement: &achievement,
//!         recipient: &recipient,
//!         valid_from: chrono::Utc::now(),
//!         valid_until: None,
//!         credits_earned: Some(PdHours::new(6.0)?),
//!         status: None,
//!     },
//! )?;
//! let verified = verify(&credential.to_json()?, &DidResolver::new())?;
//! assert_eq!(verified.issuer, issuer.identity.did());
//! # Ok(())
//! # }
//! ```
//!
//! # Why json-ld + rdf-canon, not ssi
//!
//! Both were built as probes here (Rust 1.95, 2 cores). `ssi` 0.16 (`w3c` + `ed25519`
//! features only) pulls ~480 crates and took over 10 minutes to build; it does not ship the
//! Open Badges context either, so it would need the same offline loader, and it runs the same
//! `json-ld` 0.21 underneath, so it would not be faster. `json-ld` 0.21.4 (0.22 needs Rust
//! 1.96) with `rdf-canon` 0.15 (RDFC-1.0 on oxrdf) is ~200 crates, 90 of them new to the
//! workspace, and gives direct control of the two steps `eddsa-rdfc-2022` names: JSON-LD
//! expansion with a static loader and "safe mode" (undefined terms are errors), and RDFC-1.0.
//! Both reproduce the W3C vc-di-eddsa test vector byte for byte (see `proof` tests), and the
//! signatures verify in `@digitalcredentials/verifier-core` (tests/verifier_core.rs). The
//! rest (Ed25519, multibase, did:key, status lists) is small and written here against the
//! specs. rdf-canon calls itself a work in progress; the W3C vector and the outside verifier
//! are the guard, and canonicalization is a function here that can be swapped.
//!
//! # Speed
//!
//! Canonicalization itself is cheap for a credential (a handful of blank nodes); JSON-LD
//! context processing dominated. [`canon`] caches the processed top-level context, which keeps
//! the algorithm exact; see its docs and the crate README for measured figures.

pub mod badge;
pub mod canon;
pub mod did;
pub mod keys;
pub mod proof;
pub mod status;
pub mod verify;

pub use badge::{
    Achievement, AchievementType, BitstringStatusListEntry, IssueError, Issuer, NewCredential, OpenBadgeCredential,
    PdHours, Recipient, identity_hash, issue, issue_at,
};
pub use did::{DidError, DidResolver, IssuerIdentity, did_web_document_url};
pub use keys::{IssuerKey, KeyError, PublicKey};
pub use proof::DataIntegrityProof;
pub use status::{
    NewStatusListCredential, StatusCheck, StatusError, StatusList, StatusListError, StatusPurpose, check_status,
    issue_status_list_credential,
};
pub use verify::{VerifiedCredential, VerifyError, verify, verify_value};
