//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, the transformation step of `eddsa-rdfc-2022`.
//!
//! Every `@context` URL is resolved from the copies shipped in `contexts/` (see the crate
//! README for their sources and licences); a URL that is not shipped is an error, never a
//! fetch. Expansion runs in "safe mode" like jsonld.js under the Data Integrity libraries: a
//! property or type that does not expand to an absolute IRI is an error instead of being
//! silently dropped, since a dropped property would be displayed but not signed.
//!
//! Speed: processing the two large contexts (VC v2 and Open Badges 3.0.3) from JSON dominated
//! the cost of a credential (~80% of the time, mostly allocation and cloning of term
//! definitions). The processed top-level context is therefore cached per distinct `@context`
//! value and the document body is expanded against it, which is exactly what the JSON-LD
//! expansion algorithm does at the top level (step 9: process the local context against the
//! empty initial context), so the RDF is the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use json_ld::expansion::{Action, Policy};
use json_ld::rdf_types::{self, LiteralType};
use json_ld::syntax::TryFromJson;
use json_ld::{Expand, IriBuf, Process, RdfQuads, RemoteDocument};

/// The W3C Verifiable Credentials Data Model v2.0 context.
pub const VC_V2_CONTEXT_URL: &str = "https://www.w3.org/ns/credentials/v2";
/// The 1EdTech Open Badges 3.0.3 context.
pub const OB_V3_CONTEXT_URL: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// The contexts we resolve, by URL. The VC v2 context also defines the Data Integrity and
/// Bitstring Status List terms, so no separate context is needed for those.
const SHIPPED_CONTEXTS: &[(&str, &str)] = &[
    (VC_V2_CONTEXT_URL, include_str!("../contexts/credentials-v2.jsonld")),
    (OB_V3_CONTEXT_URL, include_str!("../contexts/ob-context-3.0.3.json")),
    // Only the W3C test vectors use the examples context; it maps every term with @vocab,
    // so it must never be accepted in real credentials.
    #[cfg(test)]
    ("https://www.w3.org/ns/credentials/examples/v2", include_str!("../testdata/credentials-examples-v2.jsonld")),
];

/// How many processed `@context` values are kept. Our own credentials use two; the bound only
/// keeps a verifier fed many odd documents from growing without end.
const CONTEXT_CACHE_LIMIT: usize = 32;

/// Why a document could not be canonicalized.
#[derive(Debug, thiserror::Error)]
pub enum CanonError {
    /// The document is not a JSON object.
    #[error("a JSON-LD document must be a JSON object")]
    NotAnObject,
    /// The document has no `@context`.
    #[error("the document has no @context")]
    NoContext,
    /// `@context` names a context this crate does not ship (contexts are never fetched).
    #[error("unknown or invalid @context: {0}")]
    Context(String),
    /// JSON-LD expansion failed, for example on a property that no context defines.
    #[error("JSON-LD expansion failed: {0}")]
    Expansion(String),
    /// RDFC-1.0 canonicalization failed.
    #[error("RDF canonicalization failed: {0}")]
    Canonicalization(String),
}

type ProcessedContext = json_ld::Context<IriBuf, json_ld::BlankIdBuf>;

fn loader() -> &'static HashMap<IriBuf, RemoteDocument> {
    static LOADER: OnceLock<HashMap<IriBuf, RemoteDocument>> = OnceLock::new();
    LOADER.get_or_init(|| {
        SHIPPED_CONTEXTS
            .iter()
            .filter_map(|(url, text)| {
                // Both are checked by the tests; a broken copy would show there, not here.
                let iri = IriBuf::new((*url).to_owned()).ok()?;
                let value: serde_json::Value = serde_json::from_str(text).ok()?;
                let value = json_syntax::Value::from_serde_json(value);
                Some((iri.clone(), RemoteDocument::new(Some(iri), None, value)))
            })
            .collect()
    })
}

fn context_cache() -> &'static Mutex<HashMap<String, Arc<ProcessedContext>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<ProcessedContext>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Processes a top-level `@context` value against the empty context, through the cache.
fn processed_context(context: &serde_json::Value) -> Result<Arc<ProcessedContext>, CanonError> {
    let key = context.to_string();
    // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
    if let Some(hit) = context_cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(Arc::clone(hit));
    }
    let syntax = json_ld::syntax::context::Context::try_from_json(json_syntax::Value::from_serde_json(context.clone()))
        .map_err(|e| CanonError::Context(e.to_string()))?;
    let processed = futures::executor::block_on(syntax.process(&mut (), loader(), None))
        .map_err(|e| CanonError::Context(e.to_string()))?
        .into_processed();
    let processed = Arc::new(processed);
    let mut cache = context_cache().lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CONTEXT_CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(key, Arc::clone(&processed));
    Ok(processed)
}

/// Canonicalizes a JSON-LD document with RDFC-1.0 and returns the canonical N-Quads.
///
/// This is the "transformation" of `eddsa-rdfc-2022`; the caller removes `proof` first.
pub fn canonicalize(document: &serde_json::Value) -> Result<String, CanonError> {
    let object = document.as_object().ok_or(CanonError::NotAnObject)?;
    let context = object.get("@context").ok_or(CanonError::NoContext)?;
    let active_context = processed_context(context)?;
    let mut body = object.clone();
    body.remove("@context");
    let body = json_syntax::Value::from_serde_json(serde_json::Value::Object(body));

    let options = json_ld::expansion::Options {
        policy: Policy { invalid: Action::Reject, vocab: Action::Keep, allow_undefined: false },
        ..Default::default()
    }
    .unordered();
    let mut expanded =
        futures::executor::block_on(body.expand_full(&mut (), (*active_context).clone(), None, loader(), options, ()))
            .map_err(|e| CanonError::Expansion(e.to_string()))?;

    let mut generator = rdf_types::generator::Blank::new();
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let mut dataset = oxrdf::Dataset::new();
    for quad in expanded.rdf_quads_full(&mut (), &mut generator, None, false).cloned() {
        let rdf_types::Quad(subject, predicate, object, graph) = quad;
        let subject = to_subject(&subject);
        let predicate = match predicate {
            rdf_types::Id::Iri(iri) => oxrdf::NamedNode::new_unchecked(iri.as_str()),
            rdf_types::Id::Blank(_) => {
                return Err(CanonError::Expansion("a blank node used as a property".into()));
            }
        };
        let object: oxrdf::Term = match object {
            rdf_types::Term::Id(id) => match to_subject(&id) {
                oxrdf::Subject::NamedNode(n) => n.into(),
                oxrdf::Subject::BlankNode(b) => b.into(),
            },
            rdf_types::Term::Literal(literal) => match literal.type_ {
                LiteralType::Any(datatype) => {
                    oxrdf::Literal::new_typed_literal(literal.value, oxrdf::NamedNode::new_unchecked(datatype.as_str()))
                        .into()
                }
                // RDF language tags compare case-insensitively; N-Quads output keeps them
                // as written, as jsonld.js does.
                LiteralType::LangString(tag) => {
                    oxrdf::Literal::new_language_tagged_literal_unchecked(literal.value, tag.as_str()).into()
                }
            },
        };
        let graph: oxrdf::GraphName = match graph.as_ref().map(to_subject) {
            None => oxrdf::GraphName::DefaultGraph,
            Some(oxrdf::Subject::NamedNode(n)) => n.into(),
            Some(oxrdf::Subject::BlankNode(b)) => b.into(),
        };
        dataset.insert(oxrdf::QuadRef::new(&subject, &predicate, &object, &graph));
    }
    rdf_canon::canonicalize(&dataset).map_err(|e| CanonError::Canonicalization(e.to_string()))
}

fn to_subject(id: &rdf_types::Id) -> oxrdf::Subject {
    match id {
        rdf_types::Id::Iri(iri) => oxrdf::NamedNode::new_unchecked(iri.as_str()).into(),
        // json-ld writes blank nodes as `_:label`; oxrdf wants the bare label.
        rdf_types::Id::Blank(blank) => oxrdf::BlankNode::new_unchecked(blank.as_str().trim_start_matches("_:")).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_shipped_context_loads() {
        assert_eq!(loader().len(), SHIPPED_CONTEXTS.len());
    }

    #[test]
    fn the_w3c_example_credential_canonicalizes_byte_for_byte() {
        let unsigned: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/vc-di-eddsa-unsigned.json")).expect("vector");
        let canonical = canonicalize(&unsigned).expect("canonicalize");
        assert_eq!(canonical, include_str!("../testdata/vc-di-eddsa-canonDocDataInt.txt"));
        // Twice, to exercise the cached context.
        assert_eq!(canonicalize(&unsigned).expect("again"), canonical);
    }

    #[test]
    fn an_unknown_context_is_an_error_not_a_fetch() {
        let doc = json!({"@context": ["https://example.org/unknown"], "name": "x"});
        assert!(matches!(canonicalize(&doc), Err(CanonError::Context(_))));
    }

    #[test]
    fn an_undefined_property_is_rejected_not_dropped() {
        let doc = json!({
            "@context": [VC_V2_CONTEXT_URL],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential"],
            "notInAnyContext": "unsigned text"
        });
        assert!(matches!(canonicalize(&doc), Err(CanonError::Expansion(_))), "{:?}", canonicalize(&doc));
    }

    #[test]
    fn numbers_follow_the_json_ld_rules_like_jsonld_js() {
        // JSON has one number type: 5 and 5.0 are the same value, integral, so both become
        // the xsd:integer lexical form; 2.5 becomes the canonical xsd:double form.
        let doc = |hours: serde_json::Value| {
            json!({
                "@context": [VC_V2_CONTEXT_URL, OB_V3_CONTEXT_URL],
                "id": "https://example.org/a",
                "type": ["Achievement"],
                "creditsAvailable": hours
            })
        };
        // The Open Badges context spells the XML Schema namespace with https.
        let float = "<https://www.w3.org/2001/XMLSchema#float>";
        assert!(canonicalize(&doc(json!(5))).expect("5").contains(&format!("\"5\"^^{float}")));
        assert!(canonicalize(&doc(json!(5.0))).expect("5.0").contains(&format!("\"5\"^^{float}")));
        assert!(canonicalize(&doc(json!(2.5))).expect("2.5").contains(&format!("\"2.5E0\"^^{float}")));
    }
}
