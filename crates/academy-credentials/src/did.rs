//! Issuer identifiers: `did:key` (self-contained) and `did:web` (a DID document served at
//! `https://DOMAIN/.well-known/did.json`), and resolving a proof's verification method to a key.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::keys::{IssuerKey, KeyError, PublicKey};

/// The fragment of the one verification method in our did:web documents.
const DID_WEB_KEY_FRAGMENT: &str = "key-1";

/// Why an identifier or a DID document is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidError {
    /// A did:web domain is a host name with an optional port, like `academy.example.org`.
    #[error("not a valid did:web domain: {0:?} (expected a host name with an optional :port)")]
    InvalidDomain(String),
    /// The DID document has no `id`, or it is not a did:web DID.
    #[error("the DID document has no did:web `id`")]
    DocumentWithoutId,
    /// The verification method's DID method is not one we resolve.
    #[error("unsupported DID method in {0} (did:key and did:web are supported)")]
    UnsupportedMethod(String),
    /// A did:key verification method must be `did:key:K#K`.
    #[error("malformed did:key verification method: {0}")]
    MalformedDidKey(String),
    /// No did:web document was supplied for this DID.
    #[error("no DID document was supplied for {0}")]
    UnknownDid(String),
    /// The DID document does not list the method, or not for `assertionMethod`.
    #[error("{0} is not an assertionMethod of its DID document")]
    NotAnAssertionMethod(String),
    /// The verification method has no usable Ed25519 `publicKeyMultibase`.
    #[error("verification method {0} has no Ed25519 publicKeyMultibase: {1}")]
    BadKey(String, KeyError),
}

/// Who signs: an Ed25519 key and the DID it is published under.
#[derive(Debug, Clone)]
pub struct IssuerIdentity {
    key: IssuerKey,
    did: String,
    verification_method: String,
}

impl IssuerIdentity {
    /// `did:key:z6Mk…` for the key, with verification method `did:key:z6Mk…#z6Mk…`.
    /// Needs nothing served: the DID is the public key.
    pub fn did_key(key: IssuerKey) -> Self {
        let multibase = key.public_key().to_multibase();
        let did = format!("did:key:{multibase}");
        let verification_method = format!("{did}#{multibase}");
        Self { key, did, verification_method }
    }

    /// `did:web:DOMAIN` with verification method `did:web:DOMAIN#key-1`. The document from
    /// [`did_document`](Self::did_document) must be served at
    /// `https://DOMAIN/.well-known/did.json` ([`did_web_document_url`]). A port is written
    /// `host:8443` here and percent-encoded in the DID (`did:web:host%3A8443`), as did:web says.
    pub fn did_web(key: IssuerKey, domain: &str) -> Result<Self, DidError> {
        let (host, port) = match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        let host_ok = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        if !host_ok || !port_ok {
            return Err(DidError::InvalidDomain(domain.to_owned()));
        }
        let did = match port {
            Some(port) => format!("did:web:{host}%3A{port}"),
            None => format!("did:web:{host}"),
        };
        let verification_method = format!("{did}#{DID_WEB_KEY_FRAGMENT}");
        Ok(Self { key, did, verification_method })
    }

    /// The issuer's DID, which is the credential's `issuer.id`.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The proof's `verificationMethod`.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The signing key.
    pub fn key(&self) -> &IssuerKey {
        &self.key
    }

    /// The DID document: one Multikey verification method, usable for `assertionMethod` (and
    /// `authentication`). For did:web this is what `/.well-known/did.json` serves.
    pub fn did_document(&self) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": [{
                "id": self.verification_method,
                "type": "Multikey",
                "controller": self.did,
                "publicKeyMultibase": self.key.public_key().to_multibase(),
            }],
            "authentication": [self.verification_method],
            "assertionMethod": [self.verification_method],
        })
    }
}

/// Where a did:web DID's document is served: `did:web:example.org` →
/// `https://example.org/.well-known/did.json`; `did:web:example.org:issuers:1` →
/// `https://example.org/issuers/1/did.json`. `None` for anything else.
pub fn did_web_document_url(did: &str) -> Option<String> {
    let rest = did.strip_prefix("did:web:")?;
    let mut parts = rest.split(':');
    let host = parts.next().filter(|h| !h.is_empty())?.replace("%3A", ":").replace("%3a", ":");
    let path: Vec<&str> = parts.collect();
    Some(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}

/// A verification method resolved to its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKey {
    /// The DID that controls the key (must be the credential's issuer).
    pub controller: String,
    /// The Ed25519 public key.
    pub key: PublicKey,
}

/// Resolves verification methods without a network: did:key from the identifier itself,
/// did:web from documents the caller fetched (or has stored) and supplied.
#[derive(Debug, Clone, Default)]
pub struct DidResolver {
    web_documents: HashMap<String, Value>,
}

impl DidResolver {
    /// A resolver that knows did:key only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a did:web DID document (the JSON served at its `did.json`), keyed by its `id`.
    pub fn with_did_web_document(mut self, document: Value) -> Result<Self, DidError> {
        let id = document
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| id.starts_with("did:web:"))
            .ok_or(DidError::DocumentWithoutId)?
            .to_owned();
        self.web_documents.insert(id, document);
        Ok(self)
    }

    /// Resolves a `verificationMethod` used for `assertionMethod` to its controller and key.
    pub fn resolve_assertion_method(&self, verification_method: &str) -> Result<ResolvedKey, DidError> {
        let (did, fragment) = verification_method.split_once('#').unwrap_or((verification_method, ""));
        if let Some(multibase) = did.strip_prefix("did:key:") {
            // did:key documents list their one key under every relationship, assertionMethod
            // included; the fragment must repeat the key.
            if fragment != multibase {
                return Err(DidError::MalformedDidKey(verification_method.to_owned()));
            }
            let key = PublicKey::from_multibase(multibase)
                .map_err(|e| DidError::BadKey(verification_method.to_owned(), e))?;
            return Ok(ResolvedKey { controller: did.to_owned(), key });
        }
        if !did.starts_with("did:web:") {
            return Err(DidError::UnsupportedMethod(verification_method.to_owned()));
        }
        let document = self.web_documents.get(did).ok_or_else(|| DidError::UnknownDid(did.to_owned()))?;
        // Ids in a DID document may be absolute or relative to the document (`#key-1`).
        let same = |id: &str| id == verification_method || (id.starts_with('#') && id[1..] == *fragment);
        let not_assertion = || DidError::NotAnAssertionMethod(verification_method.to_owned());
        let assertion = document.get("assertionMethod").and_then(Value::as_array).ok_or_else(not_assertion)?;
        let embedded = assertion.iter().find(|m| m.get("id").and_then(Value::as_str).is_some_and(same));
        let listed = assertion.iter().any(|m| m.as_str().is_some_and(same));
        let method = match embedded {
            Some(method) => method,
            None if listed => document
                .get("verificationMethod")
                .and_then(Value::as_array)
                .and_then(|methods| methods.iter().find(|m| m.get("id").and_then(Value::as_str).is_some_and(same)))
                .ok_or_else(not_assertion)?,
            None => return Err(not_assertion()),
        };
        let bad_key = |e| DidError::BadKey(verification_method.to_owned(), e);
        let multibase =
            method.get("publicKeyMultibase").and_then(Value::as_str).ok_or(bad_key(KeyError::NotBase58Btc))?;
        let key = PublicKey::from_multibase(multibase).map_err(bad_key)?;
        let controller = method.get("controller").and_then(Value::as_str).unwrap_or(did);
        Ok(ResolvedKey { controller: controller.to_owned(), key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_key_form() {
        let identity = IssuerIdentity::did_key(IssuerKey::generate());
        let multibase = identity.key().public_key().to_multibase();
        assert_eq!(identity.did(), format!("did:key:{multibase}"));
        assert_eq!(identity.verification_method(), format!("did:key:{multibase}#{multibase}"));
        assert!(identity.did().starts_with("did:key:z6Mk"));
        let resolved = DidResolver::new().resolve_assertion_method(identity.verification_method()).expect("resolves");
        assert_eq!(resolved, ResolvedKey { controller: identity.did().to_owned(), key: identity.key().public_key() });
    }

    #[test]
    fn the_w3c_did_key_resolves() {
        let vm =
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let resolved = DidResolver::new().resolve_assertion_method(vm).expect("resolves");
        assert_eq!(resolved.controller, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
        assert!(matches!(
            DidResolver::new()
                .resolve_assertion_method("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other"),
            Err(DidError::MalformedDidKey(_))
        ));
    }

    #[test]
    fn did_web_form_document_and_resolution() {
        let identity = IssuerIdentity::did_web(IssuerKey::generate(), "academy.example.org").expect("domain");
        assert_eq!(identity.did(), "did:web:academy.example.org");
        assert_eq!(identity.verification_method(), "did:web:academy.example.org#key-1");
        let document = identity.did_document();
        assert_eq!(document["verificationMethod"][0]["type"], "Multikey");
        assert_eq!(document["assertionMethod"][0], "did:web:academy.example.org#key-1");
        assert_eq!(
            did_web_document_url(identity.did()).as_deref(),
            Some("https://academy.example.org/.well-known/did.json")
        );

        let resolver = DidResolver::new().with_did_web_document(document).expect("document");
        let resolved = resolver.resolve_assertion_method(identity.verification_method()).expect("resolves");
        assert_eq!(resolved.key, identity.key().public_key());
        assert_eq!(resolved.controller, identity.did());
        assert_eq!(
            DidResolver::new().resolve_assertion_method(identity.verification_method()),
            Err(DidError::UnknownDid("did:web:academy.example.org".into()))
        );
    }

    #[test]
    fn did_web_with_a_port_and_bad_domains() {
        let identity = IssuerIdentity::did_web(IssuerKey::generate(), "localhost:8443").expect("port");
        assert_eq!(identity.did(), "did:web:localhost%3A8443");
        assert_eq!(
            did_web_document_url(identity.did()).as_deref(),
            Some("https://localhost:8443/.well-known/did.json")
        );
        assert_eq!(
            did_web_document_url("did:web:example.org:issuers:1").as_deref(),
            Some("https://example.org/issuers/1/did.json")
        );
        for bad in ["", "Example.org", "https://example.org", "example.org/path", "a..b", "host:port"] {
            assert!(IssuerIdentity::did_web(IssuerKey::generate(), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_did_web_key_not_listed_for_assertion_is_refused() {
        let identity = IssuerIdentity::did_web(IssuerKey::generate(), "example.org").expect("domain");
        let mut document = identity.did_document();
        document["assertionMethod"] = json!([]);
        let resolver = DidResolver::new().with_did_web_document(document).expect("document");
        assert!(matches!(
            resolver.resolve_assertion_method(identity.verification_method()),
            Err(DidError::NotAnAssertionMethod(_))
        ));
    }
}
