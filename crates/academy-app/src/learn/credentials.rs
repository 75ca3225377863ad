//! Open Badges 3.0 credentials: the issuer's identity and key, issuing when a pathway or a
//! credential-bearing item is completed (always from the job queue: [`IssueCredential`] is
//! queued in the completing transaction), revoking through the Bitstring Status List, and
//! checking a credential for its public page.

use crate::config::Config;
use crate::secrets::SecretBox;
use crate::{Actor, App, Error, actor_id};
use academy_core::time;
use academy_credentials::{
    Achievement, AchievementType, BitstringStatusListEntry, DidResolver, IssuerIdentity, IssuerKey, NewCredential,
    NewStatusListCredential, OpenBadgeCredential, Recipient, StatusList, StatusPurpose, issue_at,
    issue_status_list_credential,
};
use academy_store::credentials::{self as stored, NewCredential as StoredCredential};
use academy_store::jobs::Job;
use academy_store::{Tx, audit, catalog, orgs, pathways, users};
use anyhow::{Context, anyhow};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Issue the credential for a completed pathway or item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCredential {
    /// The earner.
    pub user_id: i64,
    /// The pathway completed.
    pub pathway_id: Option<i64>,
    /// The credential-bearing item completed.
    pub item_id: Option<i64>,
}

impl IssueCredential {
    /// For a completed pathway.
    pub fn for_pathway(user_id: i64, pathway_id: i64) -> Self {
        Self { user_id, pathway_id: Some(pathway_id), item_id: None }
    }

    /// For a completed credential-bearing item.
    pub fn for_item(user_id: i64, item_id: i64) -> Self {
        Self { user_id, pathway_id: None, item_id: Some(item_id) }
    }
}

impl Job for IssueCredential {
    const KIND: &'static str = "issue_credential";
    fn dedupe_key(&self) -> Option<String> {
        Some(match (self.pathway_id, self.item_id) {
            (Some(p), _) => format!("credential:{}:pathway:{p}", self.user_id),
            (None, Some(i)) => format!("credential:{}:item:{i}", self.user_id),
            (None, None) => format!("credential:{}:none", self.user_id),
        })
    }
}

/// Issues the credential (a no-op when the earner already holds it) and tells the earner.
pub async fn run_issue(ctx: &App, job_id: i64, job: IssueCredential) -> anyhow::Result<()> {
    let Some(id) = issue(ctx, job.user_id, job.pathway_id, job.item_id).await? else {
        return Ok(());
    };
    let Some(user) = academy_store::users::get(&ctx.store, job.user_id).await? else { return Ok(()) };
    let credential = academy_store::credentials::get(&ctx.store, &id).await?;
    let name = credential.map(|c| c.achievement_name).unwrap_or_default();
    let page = ctx.config.public_url.link(&format!("/credentials/{id}"));
    let body = format!(
        "Hello {},\n\nCongratulations: you earned \"{name}\".\n\nYour verifiable credential (Open Badges 3.0) and a printable certificate are here:\n{page}\n\n\
         Anyone you share that link with can check that it is genuine. You can also add the credential to a digital wallet by downloading it from that page.\n",
        user.display_name
    );
    let email = crate::mail::Email {
        job_id: Some(job_id),
        to: user.email.as_str(),
        subject: &format!("You earned: {name}"),
        body: &body,
    };
    ctx.mailer.send(&ctx.store, &email).await
}

/// Bits in each status list: the specification's minimum, 16 KiB.
pub const LIST_SIZE: i64 = 131_072;

/// Indexes are handed out in a scrambled order (an odd stride over a power-of-two list is a
/// permutation), so a credential's index does not reveal how many were issued before it.
fn scrambled(sequence: i64) -> i64 {
    (sequence * 48_271) % LIST_SIZE
}

/// The issuer, loading its key or making one on first use. With a did:web domain configured
/// the issuer is `did:web:DOMAIN`, otherwise `did:key`. The secret key is stored sealed with
/// the server's secret key ([`crate::secrets`]).
pub(crate) async fn issuer(tx: &mut Tx, app: &App) -> anyhow::Result<IssuerIdentity> {
    let (config, secrets) = (&*app.config, &*app.secrets);
    let now = time::now();
    let mut stored = stored::active_key(&mut *tx).await?;
    if stored.is_none() {
        // Two servers starting together must not each make a key.
        stored::lock_issuer_keys(tx).await?;
        stored = stored::active_key(&mut *tx).await?;
    }
    if let Some(stored) = stored {
        let identity = stored_identity(&stored, config, secrets)?;
        if identity.did() == stored.did {
            return Ok(identity);
        }
        // The configured identity changed (did:key ↔ did:web): record it, keeping the key.
        stored::insert_key(
            tx,
            identity.did(),
            identity.verification_method(),
            &stored.public_key,
            &secrets.seal(&secret_bytes(&stored, secrets)?)?,
            now,
        )
        .await?;
        return Ok(identity);
    }
    let key = IssuerKey::generate();
    let public = key.public_key().to_multibase();
    let secret = secrets.seal(&key.secret_bytes())?;
    let identity = identity(key, config)?;
    stored::insert_key(tx, identity.did(), identity.verification_method(), &public, &secret, now).await?;
    Ok(identity)
}

/// Makes the issuer's key (or brings its identity up to date) before any worker runs, so that
/// concurrent first issues cannot each make one, and seals any key an older version stored in
/// plain form. The server calls it as it starts.
pub async fn prepare_issuer(app: &App) -> crate::Result<()> {
    let mut tx = app.store.begin().await?;
    issuer(&mut tx, app).await.context("loading the credential issuer's key")?;
    for key in stored::all_keys(&mut tx).await? {
        if !SecretBox::is_sealed(&key.secret_key) {
            let sealed = app.secrets.seal(&secret_bytes(&key, &app.secrets)?)?;
            stored::set_secret_key(&mut tx, key.id, &sealed).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Seals every issuer key's secret with the current secret key (after a rotation); returns how
/// many were sealed anew.
pub async fn reseal_issuer_keys(app: &App) -> crate::Result<usize> {
    let mut tx = app.store.begin().await?;
    let mut resealed = 0;
    for key in stored::all_keys(&mut tx).await? {
        if !app.secrets.is_current(&key.secret_key) {
            let sealed = app.secrets.seal(&secret_bytes(&key, &app.secrets)?)?;
            stored::set_secret_key(&mut tx, key.id, &sealed).await?;
            resealed += 1;
        }
    }
    tx.commit().await?;
    Ok(resealed)
}

/// The issuer for pages (verification, the DID document): the key the server made or loaded
/// when it started, read without a write transaction.
pub async fn current_issuer(app: &App) -> crate::Result<IssuerIdentity> {
    let stored =
        stored::active_key(&app.store).await?.context("no issuer key (the server makes one when it starts)")?;
    Ok(stored_identity(&stored, &app.config, &app.secrets)?)
}

/// The raw secret key bytes of a stored key: sealed, or base64 as older versions stored it.
fn secret_bytes(stored: &stored::IssuerKey, secrets: &SecretBox) -> anyhow::Result<Vec<u8>> {
    if SecretBox::is_sealed(&stored.secret_key) {
        secrets.open(&stored.secret_key).context("opening the stored issuer key")
    } else {
        STANDARD.decode(&stored.secret_key).context("the stored issuer key is not base64")
    }
}

fn stored_identity(stored: &stored::IssuerKey, config: &Config, secrets: &SecretBox) -> anyhow::Result<IssuerIdentity> {
    let secret = secret_bytes(stored, secrets)?;
    let key = IssuerKey::from_secret_bytes(&secret).map_err(|e| anyhow!("the stored issuer key: {e}"))?;
    identity(key, config)
}

fn identity(key: IssuerKey, config: &Config) -> anyhow::Result<IssuerIdentity> {
    match &config.did_web_domain {
        Some(domain) => IssuerIdentity::did_web(key, domain).map_err(|e| anyhow!("did:web for {domain}: {e}")),
        None => Ok(IssuerIdentity::did_key(key)),
    }
}

/// A resolver that knows this server's did:web document (did:key needs none).
pub fn resolver(identity: &IssuerIdentity) -> anyhow::Result<DidResolver> {
    if identity.did().starts_with("did:web:") {
        DidResolver::new().with_did_web_document(identity.did_document()).map_err(|e| anyhow!("{e}"))
    } else {
        Ok(DidResolver::new())
    }
}

fn link(config: &Config, path: &str) -> anyhow::Result<Url> {
    Url::parse(&config.public_url.link(path)).with_context(|| format!("the public URL of {path}"))
}

/// What a credential is for, resolved.
struct Award {
    achievement: Achievement,
    hours: academy_core::learning::PdHours,
    completed_at: DateTime<Utc>,
}

async fn award(
    tx: &mut Tx,
    config: &Config,
    user_id: i64,
    pathway_id: Option<i64>,
    item_id: Option<i64>,
) -> anyhow::Result<Award> {
    let markdown_text = |md: &str| md.replace(['*', '_', '#', '`'], "").trim().to_owned();
    if let Some(pathway_id) = pathway_id {
        let pathway = pathways::get(&mut *tx, pathway_id).await?.context("the pathway is gone")?;
        let (completed_at, tenths) =
            pathways::completion(&mut *tx, pathway_id, user_id).await?.context("the pathway was not completed")?;
        let hours = academy_core::learning::PdHours::from_tenths(tenths);
        let achievement = Achievement::new(
            &link(config, &format!("/learn/pathways/{}", pathway.slug))?,
            &pathway.title,
            &pathway.summary,
            markdown_text(&pathway.criteria_md),
            AchievementType::MicroCredential,
        )
        .with_credits_available(
            academy_credentials::PdHours::new(hours.as_f64()).map_err(|e| anyhow!("hours: {e:?}"))?,
        );
        return Ok(Award { achievement, hours, completed_at });
    }
    let item_id = item_id.context("a credential needs a pathway or an item")?;
    let item = catalog::item(&mut *tx, item_id).await?.context("the item is gone")?;
    let enrollment = academy_store::progress::find(&mut *tx, user_id, item_id).await?.context("no enrollment")?;
    let completed_at = enrollment.completed_at.context("the item was not completed")?;
    let hours = item.pd_hours();
    let achievement = Achievement::new(
        &link(config, &format!("/learn/items/{}", item.slug))?,
        &item.title,
        &item.summary,
        format!("Completed {} ({}), including every step it requires.", item.title, item.kind.label().to_lowercase()),
        AchievementType::CertificateOfCompletion,
    )
    .with_credits_available(academy_credentials::PdHours::new(hours.as_f64()).map_err(|e| anyhow!("hours: {e:?}"))?);
    Ok(Award { achievement, hours, completed_at })
}

/// Issues the credential for a completed pathway or item, once. Returns its id, or `None`
/// when the earner already holds it.
pub async fn issue(
    app: &App,
    user_id: i64,
    pathway_id: Option<i64>,
    item_id: Option<i64>,
) -> anyhow::Result<Option<String>> {
    let (store, config) = (&app.store, &*app.config);
    if stored::exists_for(store, user_id, pathway_id, item_id).await? {
        return Ok(None);
    }
    let now = time::now();
    // Three steps, so that no transaction is open while the proof is computed (the slow,
    // CPU-bound part): with it inside, SQLite's single writer and the status list's row lock
    // on PostgreSQL let only one worker sign at a time. A crash or a lost race after the
    // first step leaves an unused index in the status list, which nothing refers to.
    // 1. Reserve a status index and read what the credential says.
    let mut tx = store.begin().await?;
    let user = users::get(&mut tx, user_id).await?.context("the earner's account is gone")?;
    let award = award(&mut tx, config, user_id, pathway_id, item_id).await?;
    let identity = issuer(&mut tx, app).await?;
    let empty = STANDARD.encode(StatusList::new().as_bytes());
    let (list_id, sequence) = stored::allocate_index(&mut tx, LIST_SIZE, &empty, now).await?;
    let program = orgs::root(&mut tx).await?.map_or_else(|| "Academy".to_owned(), |o| o.name);
    tx.commit().await?;
    // 2. Sign, outside any transaction.
    let index = scrambled(sequence);
    let list_url = link(config, &format!("/status-lists/{list_id}"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let credential_url = link(config, &format!("/credentials/{id}"))?;
    let issuer = academy_credentials::Issuer { identity, name: program, url: config.public_url.url().clone() };
    let recipient = Recipient::new(user.email.clone());
    let credential: OpenBadgeCredential = issue_at(
        &issuer,
        &NewCredential {
            id: &credential_url,
            achievement: &award.achievement,
            recipient: &recipient,
            valid_from: award.completed_at,
            valid_until: None,
            credits_earned: Some(
                academy_credentials::PdHours::new(award.hours.as_f64()).map_err(|e| anyhow!("hours: {e:?}"))?,
            ),
            status: Some(BitstringStatusListEntry::revocation(&list_url, usize::try_from(index)?)),
        },
        now,
    )
    .map_err(|e| anyhow!("signing the credential: {e}"))?;
    let document = credential.to_json().map_err(|e| anyhow!("{e}"))?;
    // 3. Store it (once per earner and pathway or item), with its xAPI statement. The first
    // credential on a list also signs the list, and locks it before inserting: the credential's
    // foreign key takes a key-share lock on the list's row, and two transactions each
    // upgrading theirs afterwards deadlock. Once the list is signed, no lock is needed.
    let mut tx = store.begin().await?;
    let signed = stored::status_list_signed(&mut tx, list_id).await?.context("the status list")?;
    let unsigned =
        if signed { None } else { Some(stored::lock_status_list(&mut tx, list_id).await?.context("the status list")?) };
    let inserted = stored::insert(
        &mut tx,
        &StoredCredential {
            id: &id,
            user_id,
            pathway_id,
            item_id,
            achievement_name: &award.achievement.name,
            pd_hours_tenths: award.hours.tenths(),
            status_list_id: list_id,
            status_index: index,
            document: &document,
        },
        now,
    )
    .await?;
    if !inserted {
        tx.rollback().await?;
        return Ok(None);
    }
    if let Some(list) = unsigned
        && list.document.is_none()
    {
        let signed = sign_list(&issuer.identity, &list_url, &list.bits, now)?;
        stored::save_status_list(&mut tx, list_id, &list.bits, &signed, now).await?;
    }
    let context =
        super::events::Context { home_page: config.public_url.home_page(), user_id, registration: None, parent: None };
    let activity = super::events::Activity {
        id: credential_url.to_string(),
        kind: super::events::kinds::BADGE,
        name: award.achievement.name.clone(),
    };
    super::events::record(&mut tx, &context, super::events::Event::Earned, &activity, now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The id a signed status list was issued under.
fn list_id_of(document: &str) -> anyhow::Result<Url> {
    let json: serde_json::Value = serde_json::from_str(document).context("the stored status list")?;
    let id = json["id"].as_str().context("the stored status list has no id")?;
    Url::parse(id).with_context(|| format!("the stored status list's id {id}"))
}

fn sign_list(identity: &IssuerIdentity, url: &Url, bits: &str, now: DateTime<Utc>) -> anyhow::Result<String> {
    let bytes = STANDARD.decode(bits).context("stored status bits are not base64")?;
    let list = StatusList::from_bytes(bytes).map_err(|e| anyhow!("{e}"))?;
    let signed = issue_status_list_credential(
        identity,
        &NewStatusListCredential {
            id: url,
            purpose: StatusPurpose::Revocation,
            list: &list,
            valid_from: now,
            valid_until: None,
        },
        now,
    )
    .map_err(|e| anyhow!("signing the status list: {e}"))?;
    Ok(signed.to_string())
}

/// Revokes a credential: sets its bit, re-signs its status list and records who did it and
/// why, in one transaction. Returns false when it was already revoked.
pub async fn revoke(app: &App, actor: Option<Actor<'_>>, id: &str, reason: &str) -> crate::Result<bool> {
    let reason =
        academy_core::validation::required_text(reason, "Reason", 500).map_err(|m| Error::field("reason", m))?;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(Error::NotFound);
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let credential = stored::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let list = stored::lock_status_list(&mut tx, credential.status_list_id).await?.context("its status list")?;
    if !stored::mark_revoked(&mut tx, id, actor_id(actor), &reason, now).await? {
        return Ok(false);
    }
    let mut bits = StatusList::from_bytes(STANDARD.decode(&list.bits).context("stored status bits")?)
        .map_err(|e| anyhow!("{e}"))?;
    bits.set(usize::try_from(credential.status_index).context("status index")?, true).map_err(|e| anyhow!("{e}"))?;
    let encoded = STANDARD.encode(bits.as_bytes());
    let identity = issuer(&mut tx, app).await?;
    // A status list keeps the id it was issued under, whatever this process's public URL is:
    // credentials point at that id, and a verifier checks that the list says the same.
    let url = match &list.document {
        Some(document) => list_id_of(document)?,
        None => link(&app.config, &format!("/status-lists/{}", list.id))?,
    };
    let signed = sign_list(&identity, &url, &encoded, now)?;
    stored::save_status_list(&mut tx, list.id, &encoded, &signed, now).await?;
    audit::record(&mut tx, actor_id(actor), "credential.revoke", &format!("credential:{id}"), Some(&reason), now)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// What the public page says about a credential.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The proof checks out.
    pub signature_valid: bool,
    /// Why not, when it does not.
    pub problem: Option<String>,
    /// The issuer's DID.
    pub issuer: String,
    /// Revoked per its status list.
    pub revoked: bool,
}

/// Checks a stored credential's proof and its revocation bit, as an outside verifier would.
pub async fn check(app: &App, credential: &stored::Credential) -> crate::Result<Verdict> {
    let identity = current_issuer(app).await?;
    let list = stored::status_list(&app.store, credential.status_list_id).await?;
    let resolver = resolver(&identity)?;
    let (signature_valid, problem, issuer) = match academy_credentials::verify(&credential.document, &resolver) {
        Ok(verified) => (true, None, verified.issuer),
        Err(e) => (false, Some(e.to_string()), String::new()),
    };
    let revoked = match list.and_then(|l| l.document) {
        Some(document) => {
            let credential_json: serde_json::Value =
                serde_json::from_str(&credential.document).context("the stored credential")?;
            let list_json: serde_json::Value = serde_json::from_str(&document).context("the stored status list")?;
            academy_credentials::check_status(&credential_json, &list_json, &resolver)
                .map(|c| c.is_set)
                .unwrap_or(credential.revoked_at.is_some())
        }
        None => credential.revoked_at.is_some(),
    };
    Ok(Verdict { signature_valid, problem, issuer, revoked })
}
