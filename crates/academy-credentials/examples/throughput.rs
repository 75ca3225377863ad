//! Signing and verifying throughput, single thread: `cargo run --release -p academy-credentials
//! --example throughput [COUNT]`. Prints credentials per second and the time for 80,000.

use std::time::Instant;

use academy_core::Email;
use academy_credentials::{
    Achievement, AchievementType, BitstringStatusListEntry, DidResolver, Issuer, IssuerIdentity, IssuerKey,
    NewCredential, PdHours, Recipient, issue_at, verify,
};
use url::Url;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(2_000);
    let issuer = Issuer {
        identity: IssuerIdentity::did_key(IssuerKey::generate()),
        name: "Academy".into(),
        url: Url::parse("https://academy.example.org")?,
    };
    let achievement = Achievement::new(
        &Url::parse("https://academy.example.org/achievements/ai-foundations")?,
        "AI Foundations",
        "The basics of generative AI for K-12 teachers.",
        "Complete the six modules and the final reflection.",
        AchievementType::Certificate,
    )
    .with_credits_available(PdHours::new(6.0)?);
    let list = Url::parse("https://academy.example.org/status/1")?;
    let ids: Vec<Url> = (0..count)
        .map(|i| Url::parse(&format!("https://academy.example.org/credentials/{i}")))
        .collect::<Result<_, _>>()?;
    let recipients: Vec<Recipient> = (0..count)
        .map(|i| Email::parse(&format!("teacher{i}@example.org")).map(Recipient::new))
        .collect::<Result<_, _>>()?;

    // Bulk issuing: every proof of the same second shares its proof configuration, whose
    // canonical hash is then computed once. The second run dates each proof a second apart,
    // the cost of a lone credential.
    for (label, spread) in [("bulk (same-second proofs)", false), ("one at a time (distinct proofs)", true)] {
        let base = chrono::Utc::now();
        let started = Instant::now();
        let mut issued = Vec::with_capacity(count);
        for (i, (id, recipient)) in ids.iter().zip(&recipients).enumerate() {
            let new = NewCredential {
                id,
                achievement: &achievement,
                recipient,
                valid_from: base,
                valid_until: None,
                credits_earned: Some(PdHours::new(6.0)?),
                status: Some(BitstringStatusListEntry::revocation(&list, i)),
            };
            let created = if spread { base + chrono::Duration::seconds(i64::try_from(i)?) } else { base };
            issued.push(issue_at(&issuer, &new, created)?.to_json()?);
        }
        let signing = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let resolver = DidResolver::new();
        for json in &issued {
            verify(json, &resolver)?;
        }
        let verifying = started.elapsed().as_secs_f64();

        let rate = |secs: f64| count as f64 / secs;
        println!(
            "{label}: {count} credentials, signing {:.0}/s ({:.2} ms each, 80,000 in {:.0} s), verifying {:.0}/s ({:.2} ms each)",
            rate(signing),
            signing * 1000.0 / count as f64,
            80_000.0 / rate(signing),
            rate(verifying),
            verifying * 1000.0 / count as f64,
        );
    }
    Ok(())
}
