//! Issued credentials, the status lists that can revoke them, and the issuer's keys.

use crate::{Backend, Exec, StoreError, Tx, query};
use chrono::{DateTime, Utc};

/// The issuer's signing key as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssuerKey {
    /// Id.
    pub id: i64,
    /// The issuer DID.
    pub did: String,
    /// The verification method URL.
    pub verification_method: String,
    /// Public key (multibase).
    pub public_key: String,
    /// Secret key, sealed with the server's secret key (older databases: base64); never
    /// leaves the server.
    pub secret_key: String,
}

/// Every issuer key (for re-sealing their secrets under a new key).
pub async fn all_keys<'c>(exec: impl Into<Exec<'c>>) -> Result<Vec<IssuerKey>, StoreError> {
    query("SELECT id, did, verification_method, public_key, secret_key FROM issuer_keys ORDER BY id")
        .fetch_all(exec)
        .await
}

/// Replaces the stored (sealed) secret of issuer key `id`.
pub async fn set_secret_key(tx: &mut Tx, id: i64, secret_key: &str) -> Result<(), StoreError> {
    query("UPDATE issuer_keys SET secret_key = $2 WHERE id = $1")
        .bind(id)
        .bind(secret_key)
        .execute(tx)
        .await
        .map(|_| ())
}

/// The active issuer key.
pub async fn active_key<'c>(exec: impl Into<Exec<'c>>) -> Result<Option<IssuerKey>, StoreError> {
    query("SELECT id, did, verification_method, public_key, secret_key FROM issuer_keys WHERE active ORDER BY id DESC LIMIT 1")
        .fetch_optional(exec)
        .await
}

/// Serializes making the first issuer key: on PostgreSQL a transaction-scoped advisory lock,
/// so that two servers starting together cannot each make one; SQLite's single writer
/// (transactions begin `IMMEDIATE`) already does.
pub async fn lock_issuer_keys(tx: &mut Tx) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        // The key is an arbitrary constant reserved for this purpose.
        query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(7243001)) AS locked").fetch_i64(tx).await?;
    }
    Ok(())
}

/// Stores a new active key (older keys stay, so that their credentials still verify).
pub async fn insert_key(
    tx: &mut Tx,
    did: &str,
    verification_method: &str,
    public_key: &str,
    secret_key: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    query("UPDATE issuer_keys SET active = FALSE WHERE active").execute(&mut *tx).await?;
    query(
        "INSERT INTO issuer_keys (did, verification_method, public_key, secret_key, active, created_at)
         VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
    )
    .bind(did)
    .bind(verification_method)
    .bind(public_key)
    .bind(secret_key)
    .bind(now)
    .fetch_i64(tx)
    .await
}

/// Every key ever used, for resolving verification methods.
pub async fn keys<'c>(exec: impl Into<Exec<'c>>) -> Result<Vec<IssuerKey>, StoreError> {
    query("SELECT id, did, verification_method, public_key, secret_key FROM issuer_keys ORDER BY id")
        .fetch_all(exec)
        .await
}

/// A status list as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusList {
    /// Id.
    pub id: i64,
    /// `revocation`.
    pub purpose: String,
    /// Bits in the list.
    pub size: i64,
    /// Next unused index.
    pub next_index: i64,
    /// The bitstring (base64 of the raw bytes).
    pub bits: String,
    /// The signed status-list credential, when issued.
    pub document: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One status list.
pub async fn status_list<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<StatusList>, StoreError> {
    query("SELECT id, purpose, size, next_index, bits, document, updated_at FROM status_lists WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// Allocates the next free index in a revocation list with room, creating a list (with the
/// given empty bitstring) when every list is full. Returns (list id, index).
pub async fn allocate_index(
    tx: &mut Tx,
    size: i64,
    empty_bits: &str,
    now: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let open = match tx.backend() {
        Backend::Postgres => query(
            "SELECT id FROM status_lists WHERE purpose = 'revocation' AND next_index < size ORDER BY id LIMIT 1 FOR NO KEY UPDATE",
        ),
        Backend::Sqlite => {
            query("SELECT id FROM status_lists WHERE purpose = 'revocation' AND next_index < size ORDER BY id LIMIT 1")
        }
    };
    let list_id = match open.fetch_optional::<(i64,)>(&mut *tx).await? {
        Some((id,)) => id,
        None => query(
            "INSERT INTO status_lists (purpose, size, next_index, bits, updated_at) VALUES ('revocation', $1, 0, $2, $3) RETURNING id",
        )
        .bind(size)
        .bind(empty_bits)
        .bind(now)
        .fetch_i64(&mut *tx)
        .await?,
    };
    let index = query("UPDATE status_lists SET next_index = next_index + 1 WHERE id = $1 RETURNING next_index - 1")
        .bind(list_id)
        .fetch_i64(&mut *tx)
        .await?;
    Ok((list_id, index))
}

/// Whether a status list has its signed credential yet (`None`: no such list).
pub async fn status_list_signed<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<bool>, StoreError> {
    let row: Option<(i64,)> =
        query("SELECT CAST(CASE WHEN document IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM status_lists WHERE id = $1")
            .bind(id)
            .fetch_optional(exec)
            .await?;
    Ok(row.map(|(signed,)| signed == 1))
}

/// Locks a status list (for a revocation, or to sign it) and returns it.
pub async fn lock_status_list(tx: &mut Tx, id: i64) -> Result<Option<StatusList>, StoreError> {
    let q = match tx.backend() {
        Backend::Postgres => query(
            "SELECT id, purpose, size, next_index, bits, document, updated_at FROM status_lists WHERE id = $1 FOR UPDATE",
        ),
        Backend::Sqlite => {
            query("SELECT id, purpose, size, next_index, bits, document, updated_at FROM status_lists WHERE id = $1")
        }
    };
    q.bind(id).fetch_optional(tx).await
}

/// Saves a status list's bits and its signed credential.
pub async fn save_status_list(
    tx: &mut Tx,
    id: i64,
    bits: &str,
    document: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query("UPDATE status_lists SET bits = $2, document = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(bits)
        .bind(document)
        .bind(now)
        .execute(tx)
        .await
        .map(|_| ())
}

/// A credential as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Credential {
    /// Id (a UUID; the public URL ends with it).
    pub id: String,
    /// Earner.
    pub user_id: i64,
    /// The pathway it is for.
    pub pathway_id: Option<i64>,
    /// The item it is for.
    pub item_id: Option<i64>,
    /// Achievement name.
    pub achievement_name: String,
    /// PD hours, in tenths.
    pub pd_hours_tenths: i64,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Status list.
    pub status_list_id: i64,
    /// Index in it.
    pub status_index: i64,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why.
    pub revocation_reason: Option<String>,
    /// The signed JSON.
    pub document: String,
}

/// A credential to store.
#[derive(Debug, Clone)]
pub struct NewCredential<'a> {
    /// Id.
    pub id: &'a str,
    /// Earner.
    pub user_id: i64,
    /// Pathway.
    pub pathway_id: Option<i64>,
    /// Item.
    pub item_id: Option<i64>,
    /// Achievement name.
    pub achievement_name: &'a str,
    /// PD hours in tenths.
    pub pd_hours_tenths: i64,
    /// Status list.
    pub status_list_id: i64,
    /// Index.
    pub status_index: i64,
    /// Signed JSON.
    pub document: &'a str,
}

/// Stores a credential; returns false when the earner already has one for the same pathway
/// or item.
pub async fn insert(tx: &mut Tx, new: &NewCredential<'_>, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query(
        "INSERT INTO credentials (id, user_id, pathway_id, item_id, achievement_name, pd_hours_tenths, issued_at,
                                  status_list_id, status_index, document)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .bind(new.id)
    .bind(new.user_id)
    .bind(new.pathway_id)
    .bind(new.item_id)
    .bind(new.achievement_name)
    .bind(new.pd_hours_tenths)
    .bind(now)
    .bind(new.status_list_id)
    .bind(new.status_index)
    .bind(new.document)
    .execute(tx)
    .await?
        == 1)
}

/// Whether the earner already holds a credential for this pathway or item.
pub async fn exists_for<'c>(
    exec: impl Into<Exec<'c>>,
    user_id: i64,
    pathway_id: Option<i64>,
    item_id: Option<i64>,
) -> Result<bool, StoreError> {
    let row: Option<(String,)> =
        query("SELECT id FROM credentials WHERE user_id = $1 AND ((pathway_id = $2) OR (item_id = $3)) LIMIT 1")
            .bind(user_id)
            .bind(pathway_id)
            .bind(item_id)
            .fetch_optional(exec)
            .await?;
    Ok(row.is_some())
}

/// One credential.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: &str) -> Result<Option<Credential>, StoreError> {
    query(
        "SELECT id, user_id, pathway_id, item_id, achievement_name, pd_hours_tenths, issued_at, status_list_id, status_index,
                revoked_at, revocation_reason, document
         FROM credentials WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// A person's credentials, newest first.
pub async fn for_user<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<Credential>, StoreError> {
    query(
        "SELECT id, user_id, pathway_id, item_id, achievement_name, pd_hours_tenths, issued_at, status_list_id, status_index,
                revoked_at, revocation_reason, document
         FROM credentials WHERE user_id = $1 ORDER BY issued_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
}

/// A credential as listed to admins and on the CLI.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct CredentialListing {
    /// Id.
    pub id: String,
    /// Earner's name.
    pub holder: String,
    /// Earner's email.
    pub email: String,
    /// Achievement.
    pub achievement_name: String,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Credentials, newest first.
pub async fn list<'c>(
    exec: impl Into<Exec<'c>>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CredentialListing>, StoreError> {
    query(
        "SELECT c.id, u.display_name AS holder, u.email, c.achievement_name, c.issued_at, c.revoked_at
         FROM credentials c JOIN users u ON u.id = c.user_id ORDER BY c.issued_at DESC, c.id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(exec)
    .await
}

/// How many credentials exist.
pub async fn count<'c>(exec: impl Into<Exec<'c>>) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM credentials").fetch_i64(exec).await
}

/// How many credentials were issued for a pathway (or, with `None`, for an item).
pub async fn count_for<'c>(
    exec: impl Into<Exec<'c>>,
    pathway_id: Option<i64>,
    item_id: Option<i64>,
) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM credentials WHERE pathway_id = $1 OR item_id = $2")
        .bind(pathway_id)
        .bind(item_id)
        .fetch_i64(exec)
        .await
}

/// Marks a credential revoked; returns false when it already was.
pub async fn mark_revoked(
    tx: &mut Tx,
    id: &str,
    by: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(query(
        "UPDATE credentials SET revoked_at = $2, revoked_by = $3, revocation_reason = $4 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(tx)
    .await?
        == 1)
}
