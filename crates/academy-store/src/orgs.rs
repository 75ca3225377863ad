//! The organization tree.

use crate::{Exec, StoreError, Tx, query};
use academy_core::org::{NewOrg, subtree_bounds};
use academy_core::{Locale, OrgKind, OrgPath};
use chrono::{DateTime, Utc};

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Org {
    /// Id.
    pub id: i64,
    /// The node above; `None` at the root.
    pub parent_id: Option<i64>,
    /// What it is.
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    /// Name.
    pub name: String,
    /// Where it sits.
    #[sqlx(try_from = "String")]
    pub path: OrgPath,
    /// USPS state code.
    pub state: Option<String>,
    /// NCES id.
    pub nces_id: Option<String>,
    /// NCES locale category (`city`, `suburb`, `town`, `rural`).
    pub locale: Option<String>,
    /// Title I school.
    pub title_i: Option<bool>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Org {
    /// The locale as its type.
    pub fn locale(&self) -> Option<Locale> {
        self.locale.as_deref().and_then(|l| l.parse().ok())
    }
}

/// A node with how many nodes hang directly below it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OrgWithCount {
    /// The node.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub org: Org,
    /// Its direct children.
    pub child_count: i64,
}

/// Editable attributes of a node (its place in the tree does not change).
#[derive(Debug, Clone)]
pub struct OrgUpdate {
    /// Name.
    pub name: String,
    /// State.
    pub state: Option<academy_core::UsState>,
    /// NCES id.
    pub nces_id: Option<academy_core::NcesId>,
    /// Locale.
    pub locale: Option<Locale>,
    /// Title I.
    pub title_i: Option<bool>,
}

/// Creates a node below its parent, checking that its kind may hang there.
pub async fn create(tx: &mut Tx, new: &NewOrg, now: DateTime<Utc>) -> Result<Org, StoreError> {
    let parent = match new.parent_id {
        Some(id) => Some(get(&mut *tx, id).await?.ok_or(StoreError::MissingReference)?),
        None => None,
    };
    create_below(tx, parent.as_ref(), new, now).await
}

/// Creates a node below `parent`, already loaded (bulk imports keep their parents at hand).
pub async fn create_below(
    tx: &mut Tx,
    parent: Option<&Org>,
    new: &NewOrg,
    now: DateTime<Utc>,
) -> Result<Org, StoreError> {
    new.check_attributes().map_err(|e| StoreError::Invalid(e.to_string()))?;
    if new.parent_id != parent.map(|p| p.id) {
        return Err(StoreError::Invalid("the parent given does not match the new node's parent id".into()));
    }
    let parent_kind = parent.map(|p| p.kind);
    if !new.kind.may_hang_below(parent_kind) {
        return Err(StoreError::Invalid(match parent_kind {
            Some(p) => {
                format!("a {} cannot be placed below a {}", new.kind.label().to_lowercase(), p.label().to_lowercase())
            }
            None => format!("a {} needs a parent organization", new.kind.label().to_lowercase()),
        }));
    }
    // The path holds the new id, which the database assigns; a unique placeholder stands in
    // for the moment between the insert and the update.
    let placeholder = format!("/pending-{}/", uuid::Uuid::new_v4());
    let id = query(
        "INSERT INTO orgs (parent_id, kind, name, path, state, nces_id, locale, title_i, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(new.parent_id)
    .bind(new.kind)
    .bind(new.name.as_str())
    .bind(placeholder)
    .bind(new.state)
    .bind(new.nces_id.as_ref())
    .bind(new.locale)
    .bind(new.title_i)
    .bind(now)
    .fetch_i64(&mut *tx)
    .await?;
    let path = match parent {
        Some(p) => p.path.child(id),
        None => OrgPath::root(id),
    };
    query("UPDATE orgs SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut *tx).await?;
    Ok(Org {
        id,
        parent_id: new.parent_id,
        kind: new.kind,
        name: new.name.clone(),
        path,
        state: new.state.map(|s| s.as_str().to_owned()),
        nces_id: new.nces_id.as_ref().map(|n| n.as_str().to_owned()),
        locale: new.locale.map(|l| l.as_str().to_owned()),
        title_i: new.title_i,
        created_at: now,
    })
}

/// Changes a node's attributes.
pub async fn update(tx: &mut Tx, id: i64, update: &OrgUpdate, now: DateTime<Utc>) -> Result<Org, StoreError> {
    let current = get(&mut *tx, id).await?.ok_or(StoreError::MissingReference)?;
    let candidate = NewOrg {
        parent_id: current.parent_id,
        kind: current.kind,
        name: update.name.clone(),
        state: update.state,
        nces_id: update.nces_id.clone(),
        locale: update.locale,
        title_i: update.title_i,
    };
    candidate.check_attributes().map_err(|e| StoreError::Invalid(e.to_string()))?;
    query(
        "UPDATE orgs SET name = $1, state = $2, nces_id = $3, locale = $4, title_i = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(update.name.as_str())
    .bind(update.state)
    .bind(update.nces_id.as_ref())
    .bind(update.locale)
    .bind(update.title_i)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    get(&mut *tx, id).await?.ok_or(StoreError::MissingReference)
}

/// One node by id.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Org>, StoreError> {
    query("SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// The national root, if the tree has been started.
pub async fn root<'c>(exec: impl Into<Exec<'c>>) -> Result<Option<Org>, StoreError> {
    query("SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs WHERE parent_id IS NULL")
        .fetch_optional(exec)
        .await
}

/// The node `id`, or the national root when `id` is `None`: how an item's owner or a
/// session's host that was never set is read.
pub async fn get_or_root<'c>(exec: impl Into<Exec<'c>>, id: Option<i64>) -> Result<Option<Org>, StoreError> {
    match id {
        Some(id) => get(exec, id).await,
        None => root(exec).await,
    }
}

/// One node by NCES id.
pub async fn by_nces_id<'c>(exec: impl Into<Exec<'c>>, nces_id: &str) -> Result<Option<Org>, StoreError> {
    query("SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs WHERE nces_id = $1")
        .bind(nces_id)
        .fetch_optional(exec)
        .await
}

/// The ids of every node of `kind`, in id order (benchmarks spread generated people over them).
pub async fn ids_of_kind<'c>(exec: impl Into<Exec<'c>>, kind: OrgKind) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = query("SELECT id FROM orgs WHERE kind = $1 ORDER BY id").bind(kind).fetch_all(exec).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The first state federation of `state` directly below `parent_id` (the national root).
pub async fn federation_of_state<'c>(
    exec: impl Into<Exec<'c>>,
    parent_id: i64,
    state: academy_core::UsState,
) -> Result<Option<Org>, StoreError> {
    query(
        "SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs \
         WHERE parent_id = $1 AND kind = $2 AND state = $3 ORDER BY id LIMIT 1",
    )
    .bind(parent_id)
    .bind(academy_core::OrgKind::StateFederation)
    .bind(state)
    .fetch_optional(exec)
    .await
}

/// The nodes directly below `parent_id`, by name, with their own child counts.
pub async fn children<'c>(
    exec: impl Into<Exec<'c>>,
    parent_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<OrgWithCount>, StoreError> {
    query(
        "SELECT o.id, o.parent_id, o.kind, o.name, o.path, o.state, o.nces_id, o.locale, o.title_i, o.created_at,
                (SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id) AS child_count
         FROM orgs o WHERE o.parent_id = $1 ORDER BY o.name, o.id LIMIT $2 OFFSET $3",
    )
    .bind(parent_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(exec)
    .await
}

/// How many nodes hang directly below `parent_id`.
pub async fn count_children<'c>(exec: impl Into<Exec<'c>>, parent_id: i64) -> Result<i64, StoreError> {
    query("SELECT COUNT(*) FROM orgs WHERE parent_id = $1").bind(parent_id).fetch_i64(exec).await
}

/// The nodes from the root down to and including the node at `path`.
pub async fn lineage<'c>(exec: impl Into<Exec<'c>>, path: &OrgPath) -> Result<Vec<Org>, StoreError> {
    // The kind rules bound the tree at four levels (national, state, local or district,
    // school), so four placeholders always suffice; unused ones hold an id no row has.
    let ids = path.ids();
    let at = |i: usize| ids.get(i).copied().unwrap_or(0);
    let mut rows: Vec<Org> = query(
        "SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs WHERE id IN ($1, $2, $3, $4)",
    )
    .bind(at(0))
    .bind(at(1))
    .bind(at(2))
    .bind(at(3))
    .fetch_all(exec)
    .await?;
    rows.sort_by_key(|o| o.path.as_str().len());
    Ok(rows)
}

/// Nodes at or below `within` whose name contains `text` (any case), optionally of one kind.
pub async fn search<'c>(
    exec: impl Into<Exec<'c>>,
    within: &OrgPath,
    text: &str,
    kind: Option<OrgKind>,
    limit: i64,
) -> Result<Vec<Org>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
    query(
        "SELECT id, parent_id, kind, name, path, state, nces_id, locale, title_i, created_at FROM orgs
         WHERE path >= $1 AND path < $2 AND lower(name) LIKE $3 ESCAPE '\\' AND ($4 IS NULL OR kind = $4)
         ORDER BY name, id LIMIT $5",
    )
    .bind(low)
    .bind(high)
    .bind(pattern)
    .bind(kind)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// How many nodes of each kind lie at or below `within`.
pub async fn count_by_kind<'c>(exec: impl Into<Exec<'c>>, within: &OrgPath) -> Result<Vec<(OrgKind, i64)>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let rows: Vec<(String, i64)> =
        query("SELECT kind, COUNT(*) FROM orgs WHERE path >= $1 AND path < $2 GROUP BY kind ORDER BY kind")
            .bind(low)
            .bind(high)
            .fetch_all(exec)
            .await?;
    rows.into_iter()
        .map(|(kind, n)| kind.parse().map(|k| (k, n)).map_err(|_| StoreError::Decode(format!("org kind '{kind}'"))))
        .collect()
}

/// Escapes `%`, `_` and `\` so that user text matches itself in a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
