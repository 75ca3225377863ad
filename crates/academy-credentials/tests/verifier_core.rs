//! Outside check: credentials issued here verify in `@digitalcredentials/verifier-core`, the
//! Digital Credentials Consortium's verifier, run by `tests/browser/verify-credential.mjs`
//! (Node, offline). A tampered credential must fail there too, and a revoked one must show as
//! revoked, which also checks our Bitstring Status List encoding against theirs.
//!
//! Needs `npm ci` in tests/browser (`cargo xtask test` runs it first). Without it the test is
//! skipped, unless `ACADEMY_REQUIRE_BROWSER=1` (CI), when it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use academy_core::Email;
use academy_credentials::{
    Achievement, AchievementType, BitstringStatusListEntry, Issuer, IssuerIdentity, IssuerKey, NewCredential,
    NewStatusListCredential, PdHours, Recipient, StatusList, StatusPurpose, issue, issue_status_list_credential,
};
use chrono::Utc;
use serde_json::Value;
use url::Url;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether verifier-core is installed; panics when it must be and is not.
fn verifier_available() -> bool {
    let installed = workspace_root().join("tests/browser/node_modules/@digitalcredentials/verifier-core").is_dir();
    if !installed {
        assert!(
            std::env::var("ACADEMY_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "tests/browser/node_modules/@digitalcredentials/verifier-core is missing and ACADEMY_REQUIRE_BROWSER=1: \
             run npm ci in tests/browser"
        );
        println!("skipped: run npm ci in tests/browser");
    }
    installed
}

/// The summary printed by verify-credential.mjs, and whether it exited 0.
struct Outcome {
    success: bool,
    summary: Value,
}

impl Outcome {
    fn step(&self, id: &str) -> &Value {
        self.summary["log"]
            .as_array()
            .and_then(|log| log.iter().find(|s| s["id"] == id))
            .unwrap_or_else(|| panic!("no {id} step in {:#}", self.summary))
    }
}

fn run_verifier(dir: &Path, credential: &Value, extra: &[(&str, &Value)]) -> Outcome {
    let file = dir.join("credential.json");
    std::fs::write(&file, serde_json::to_string_pretty(credential).expect("json")).expect("write");
    let mut node = Command::new("node");
    node.arg("tests/browser/verify-credential.mjs").arg(&file).current_dir(workspace_root());
    for (i, (flag, document)) in extra.iter().enumerate() {
        let path = dir.join(format!("extra-{i}.json"));
        std::fs::write(&path, serde_json::to_string(document).expect("json")).expect("write");
        node.arg(flag).arg(path);
    }
    let output = node.output().expect("node runs (is Node.js 20 installed?)");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "verify-credential.mjs crashed ({}); stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("$ node tests/browser/verify-credential.mjs …\n{stdout}");
    let summary = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("verify-credential.mjs printed no JSON ({e}); stderr:\n{}", String::from_utf8_lossy(&output.stderr))
    });
    Outcome { success: output.status.success(), summary }
}

fn url(s: &str) -> Url {
    Url::parse(s).expect("test URL")
}

fn issuer(identity: IssuerIdentity) -> Issuer {
    Issuer { identity, name: "Academy".into(), url: url("https://academy.example.org/") }
}

fn credential(issuer: &Issuer, status: Option<BitstringStatusListEntry>) -> Value {
    let achievement = Achievement::new(
        &url("https://academy.example.org/achievements/ai-foundations"),
        "AI Foundations",
        "The basics of generative AI for K-12 teachers.",
        "Complete the six modules and the final reflection.",
        AchievementType::Certificate,
    )
    .with_credits_available(PdHours::new(6.0).expect("hours"))
    .with_image(&url("https://academy.example.org/badges/ai-foundations.png"));
    let recipient = Recipient::new(Email::parse("teacher@example.org").expect("email"));
    let id = url("https://academy.example.org/credentials/0b6f4f6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    let new = NewCredential {
        id: &id,
        achievement: &achievement,
        recipient: &recipient,
        valid_from: Utc::now(),
        valid_until: None,
        credits_earned: Some(PdHours::new(2.5).expect("hours")),
        status,
    };
    serde_json::to_value(issue(issuer, &new).expect("issues")).expect("json")
}

#[test]
fn verifier_core_accepts_our_signature_and_rejects_tampering() {
    if !verifier_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let issuer = issuer(IssuerIdentity::did_key(IssuerKey::generate()));
    let signed = credential(&issuer, None);

    let outcome = run_verifier(dir.path(), &signed, &[]);
    assert!(outcome.success, "verifier-core rejected our credential: {:#}", outcome.summary);
    assert_eq!(outcome.summary["verified"], true);
    assert_eq!(outcome.step("valid_signature")["valid"], true);
    assert_eq!(outcome.step("expiration")["valid"], true);

    let mut tampered = signed.clone();
    tampered["credentialSubject"]["achievement"]["name"] = "AI Mastery".into();
    let outcome = run_verifier(dir.path(), &tampered, &[]);
    assert!(!outcome.success, "verifier-core accepted a tampered credential: {:#}", outcome.summary);
    assert_eq!(outcome.summary["verified"], false);

    let mut tampered = signed;
    tampered["credentialSubject"]["creditsEarned"] = 25.into();
    let outcome = run_verifier(dir.path(), &tampered, &[]);
    assert!(!outcome.success, "verifier-core accepted changed PD hours: {:#}", outcome.summary);
}

#[test]
fn verifier_core_reads_our_status_list_and_did_web_document() {
    if !verifier_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let identity = IssuerIdentity::did_web(IssuerKey::generate(), "academy.example.org").expect("domain");
    let issuer = issuer(identity.clone());
    let list_url = url("https://academy.example.org/status/1");
    let index = 94_567;
    let signed = credential(&issuer, Some(BitstringStatusListEntry::revocation(&list_url, index)));
    let did_document = identity.did_document();

    let mut list = StatusList::new();
    let publish = |list: &StatusList| {
        let new = NewStatusListCredential {
            id: &list_url,
            purpose: StatusPurpose::Revocation,
            list,
            valid_from: Utc::now(),
            valid_until: None,
        };
        issue_status_list_credential(&identity, &new, Utc::now()).expect("signs")
    };

    let outcome =
        run_verifier(dir.path(), &signed, &[("--status-list", &publish(&list)), ("--did-document", &did_document)]);
    assert!(outcome.success, "{:#}", outcome.summary);
    assert_eq!(outcome.step("revocation_status")["valid"], true, "{:#}", outcome.summary);

    list.set(index, true).expect("in range");
    let outcome =
        run_verifier(dir.path(), &signed, &[("--status-list", &publish(&list)), ("--did-document", &did_document)]);
    assert!(outcome.success, "the signature is still valid: {:#}", outcome.summary);
    assert_eq!(outcome.step("revocation_status")["valid"], false, "revoked: {:#}", outcome.summary);

    // Without its DID document the did:web key cannot be found, offline.
    let outcome = run_verifier(dir.path(), &signed, &[("--status-list", &publish(&list))]);
    assert!(!outcome.success, "{:#}", outcome.summary);
}
