//! Pathways (micro-credentials made of several items), their members and completions, and
//! cohorts.

use crate::catalog::ItemStatus;
use crate::query::stored_enum;
use crate::{Exec, StoreError, Tx, query};
use academy_core::OrgPath;
use academy_core::learning::{ItemKind, PdHours};
use academy_core::org::subtree_bounds;
use chrono::{DateTime, Utc};

stored_enum! {
    /// How someone belongs to a cohort.
    pub enum CohortRole {
        /// A participant.
        Member = "member",
        /// Its facilitator.
        Facilitator = "facilitator",
    }
}

/// A pathway.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Pathway {
    /// Id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Markdown description.
    pub description_md: String,
    /// What the earner did, as the credential states it.
    pub criteria_md: String,
    /// Optional items that must also be completed.
    pub optional_required: i64,
    /// Publication state.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    /// The organization whose authors may change it (`None`: the national root).
    pub owner_org_id: Option<i64>,
}

/// A pathway to create.
#[derive(Debug, Clone)]
pub struct NewPathway {
    /// URL name.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Description.
    pub description_md: String,
    /// Criteria narrative.
    pub criteria_md: String,
    /// Optional items required.
    pub optional_required: i64,
    /// Publication state.
    pub status: ItemStatus,
    /// Items in order: (item id, required).
    pub items: Vec<(i64, bool)>,
    /// The organization whose authors may change it; `None` is the national root. Only
    /// [`create`] reads it: a pathway's owner never changes by an update.
    pub owner_org_id: Option<i64>,
}

/// Creates a pathway with its items; a taken slug is a conflict on `slug`.
pub async fn create(
    tx: &mut Tx,
    new: &NewPathway,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = query(
        "INSERT INTO pathways (slug, title, summary, description_md, criteria_md, optional_required, status, created_by, created_at, updated_at,
                               owner_org_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, COALESCE($10, (SELECT id FROM orgs WHERE parent_id IS NULL))) RETURNING id",
    )
    .bind(new.slug.as_str())
    .bind(new.title.as_str())
    .bind(new.summary.as_str())
    .bind(new.description_md.as_str())
    .bind(new.criteria_md.as_str())
    .bind(new.optional_required)
    .bind(new.status.as_str())
    .bind(created_by)
    .bind(now)
    .bind(new.owner_org_id)
    .fetch_i64(&mut *tx)
    .await?;
    set_items(tx, id, &new.items).await?;
    Ok(id)
}

/// Changes a pathway's fields and items.
pub async fn update(tx: &mut Tx, id: i64, new: &NewPathway, now: DateTime<Utc>) -> Result<(), StoreError> {
    query(
        "UPDATE pathways SET title = $2, summary = $3, description_md = $4, criteria_md = $5, optional_required = $6,
                status = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(new.title.as_str())
    .bind(new.summary.as_str())
    .bind(new.description_md.as_str())
    .bind(new.criteria_md.as_str())
    .bind(new.optional_required)
    .bind(new.status.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    set_items(tx, id, &new.items).await
}

async fn set_items(tx: &mut Tx, id: i64, items: &[(i64, bool)]) -> Result<(), StoreError> {
    query("DELETE FROM pathway_items WHERE pathway_id = $1").bind(id).execute(&mut *tx).await?;
    for (position, (item_id, required)) in items.iter().enumerate() {
        query("INSERT INTO pathway_items (pathway_id, item_id, required, position) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(*item_id)
            .bind(*required)
            .bind(position as i64 + 1)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// One pathway by id.
pub async fn get<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Pathway>, StoreError> {
    query("SELECT id, slug, title, summary, description_md, criteria_md, optional_required, status, owner_org_id FROM pathways WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// One pathway by slug.
pub async fn by_slug<'c>(exec: impl Into<Exec<'c>>, slug: &str) -> Result<Option<Pathway>, StoreError> {
    query("SELECT id, slug, title, summary, description_md, criteria_md, optional_required, status, owner_org_id FROM pathways WHERE slug = $1")
        .bind(slug)
        .fetch_optional(exec)
        .await
}

/// Every pathway, published ones only unless `all`.
pub async fn list<'c>(exec: impl Into<Exec<'c>>, all: bool) -> Result<Vec<Pathway>, StoreError> {
    query(
        "SELECT id, slug, title, summary, description_md, criteria_md, optional_required, status, owner_org_id FROM pathways
         WHERE $1 OR status = 'published' ORDER BY title",
    )
    .bind(all)
    .fetch_all(exec)
    .await
}

/// The ids of the pathways owned at or below `within` (one without an owner counts as the
/// national root's), for the authoring index.
pub async fn owned_within<'c>(exec: impl Into<Exec<'c>>, within: &OrgPath) -> Result<Vec<i64>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let rows: Vec<(i64,)> = query(
        "SELECT p.id FROM pathways p
         JOIN orgs o ON o.id = COALESCE(p.owner_org_id, (SELECT r.id FROM orgs r WHERE r.parent_id IS NULL))
         WHERE o.path >= $1 AND o.path < $2 ORDER BY p.id",
    )
    .bind(low)
    .bind(high)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An item of a pathway.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct PathwayItem {
    /// Item id.
    pub item_id: i64,
    /// Required (otherwise optional).
    pub required: bool,
    /// Order.
    pub position: i64,
    /// Item slug.
    pub slug: String,
    /// Item title.
    pub title: String,
    /// Item kind.
    #[sqlx(try_from = "String")]
    pub kind: ItemKind,
    /// Item PD hours in tenths.
    pub pd_hours_tenths: i64,
}

/// A pathway's items in order.
pub async fn items<'c>(exec: impl Into<Exec<'c>>, pathway_id: i64) -> Result<Vec<PathwayItem>, StoreError> {
    query(
        "SELECT p.item_id, p.required, p.position, i.slug, i.title, i.kind, i.pd_hours_tenths
         FROM pathway_items p JOIN catalog_items i ON i.id = p.item_id WHERE p.pathway_id = $1 ORDER BY p.position",
    )
    .bind(pathway_id)
    .fetch_all(exec)
    .await
}

/// The published pathways that contain an item, by title (the item's page lists them).
pub async fn containing<'c>(exec: impl Into<Exec<'c>>, item_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = query(
        "SELECT p.pathway_id FROM pathway_items p JOIN pathways w ON w.id = p.pathway_id
         WHERE p.item_id = $1 AND w.status = 'published' ORDER BY w.title, w.id",
    )
    .bind(item_id)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Which of a pathway's items a person has completed.
pub async fn completed_items<'c>(
    exec: impl Into<Exec<'c>>,
    pathway_id: i64,
    user_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = query(
        "SELECT p.item_id FROM pathway_items p JOIN enrollments e ON e.item_id = p.item_id
         WHERE p.pathway_id = $1 AND e.user_id = $2 AND e.status = 'completed'",
    )
    .bind(pathway_id)
    .bind(user_id)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records a completion; returns false when it was already recorded.
pub async fn record_completion(
    tx: &mut Tx,
    pathway_id: i64,
    user_id: i64,
    hours: PdHours,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(query(
        "INSERT INTO pathway_completions (pathway_id, user_id, completed_at, pd_hours_tenths) VALUES ($1, $2, $3, $4)
         ON CONFLICT (pathway_id, user_id) DO NOTHING",
    )
    .bind(pathway_id)
    .bind(user_id)
    .bind(now)
    .bind(hours.tenths())
    .execute(tx)
    .await?
        == 1)
}

/// When a person completed a pathway.
pub async fn completion<'c>(
    exec: impl Into<Exec<'c>>,
    pathway_id: i64,
    user_id: i64,
) -> Result<Option<(DateTime<Utc>, i64)>, StoreError> {
    query("SELECT completed_at, pd_hours_tenths FROM pathway_completions WHERE pathway_id = $1 AND user_id = $2")
        .bind(pathway_id)
        .bind(user_id)
        .fetch_optional(exec)
        .await
}

/// Joins a pathway (for "my learning"); returns false when already a member.
pub async fn join(tx: &mut Tx, pathway_id: i64, user_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(query("INSERT INTO pathway_members (pathway_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(pathway_id)
        .bind(user_id)
        .bind(now)
        .execute(tx)
        .await?
        == 1)
}

/// A pathway in someone's "my learning".
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct MyPathway {
    /// Pathway id.
    pub id: i64,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Items in it.
    pub items_total: i64,
    /// Items completed.
    pub items_done: i64,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Pathways a person joined or completed, or published ones one of whose items they are
/// enrolled in, by title.
pub async fn mine<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<MyPathway>, StoreError> {
    query(
        "SELECT w.id, w.slug, w.title,
                (SELECT COUNT(*) FROM pathway_items p WHERE p.pathway_id = w.id) AS items_total,
                (SELECT COUNT(*) FROM pathway_items p JOIN enrollments e ON e.item_id = p.item_id
                  WHERE p.pathway_id = w.id AND e.user_id = $1 AND e.status = 'completed') AS items_done,
                (SELECT c.completed_at FROM pathway_completions c WHERE c.pathway_id = w.id AND c.user_id = $1) AS completed_at
         FROM pathways w
         WHERE w.id IN (SELECT pathway_id FROM pathway_members WHERE user_id = $1)
            OR w.id IN (SELECT pathway_id FROM pathway_completions WHERE user_id = $1)
            OR (w.status = 'published'
                AND w.id IN (SELECT p.pathway_id FROM pathway_items p JOIN enrollments e ON e.item_id = p.item_id
                             WHERE e.user_id = $1 AND e.status <> 'withdrawn'))
         ORDER BY w.title, w.id",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await
}

/// A cohort.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Cohort {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The organization (usually a local) it belongs to.
    pub org_id: i64,
    /// The pathway it follows.
    pub pathway_id: Option<i64>,
    /// First day.
    pub starts_on: Option<String>,
    /// Last day.
    pub ends_on: Option<String>,
}

/// Creates a cohort.
pub async fn create_cohort(
    tx: &mut Tx,
    name: &str,
    org_id: i64,
    pathway_id: Option<i64>,
    dates: (Option<String>, Option<String>),
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    query(
        "INSERT INTO cohorts (name, org_id, pathway_id, starts_on, ends_on, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(name)
    .bind(org_id)
    .bind(pathway_id)
    .bind(dates.0)
    .bind(dates.1)
    .bind(created_by)
    .bind(now)
    .fetch_i64(tx)
    .await
}

/// One cohort.
pub async fn cohort<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Cohort>, StoreError> {
    query("SELECT id, name, org_id, pathway_id, starts_on, ends_on FROM cohorts WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// Adds a member or facilitator.
pub async fn add_cohort_member(
    tx: &mut Tx,
    cohort_id: i64,
    user_id: i64,
    role: CohortRole,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(query(
        "INSERT INTO cohort_members (cohort_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(cohort_id)
    .bind(user_id)
    .bind(role)
    .bind(now)
    .execute(tx)
    .await?
        == 1)
}

/// A cohort member with their progress on the cohort's pathway.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct CohortMember {
    /// Person.
    pub user_id: i64,
    /// Name.
    pub display_name: String,
    /// Email.
    pub email: String,
    /// Member or facilitator.
    #[sqlx(try_from = "String")]
    pub role: CohortRole,
    /// Pathway items completed.
    pub items_done: i64,
    /// PD hours earned on the pathway's items, in tenths.
    pub hours_tenths: i64,
    /// Pathway completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// A cohort's people with their progress.
pub async fn cohort_members<'c>(exec: impl Into<Exec<'c>>, cohort: &Cohort) -> Result<Vec<CohortMember>, StoreError> {
    query(
        "SELECT u.id AS user_id, u.display_name, u.email, m.role,
                (SELECT COUNT(*) FROM pathway_items p JOIN enrollments e ON e.item_id = p.item_id
                  WHERE p.pathway_id = $2 AND e.user_id = u.id AND e.status = 'completed') AS items_done,
                (SELECT CAST(COALESCE(SUM(e.pd_hours_tenths), 0) AS BIGINT) FROM pathway_items p JOIN enrollments e ON e.item_id = p.item_id
                  WHERE p.pathway_id = $2 AND e.user_id = u.id AND e.status = 'completed') AS hours_tenths,
                (SELECT c.completed_at FROM pathway_completions c WHERE c.pathway_id = $2 AND c.user_id = u.id) AS completed_at
         FROM cohort_members m JOIN users u ON u.id = m.user_id WHERE m.cohort_id = $1
         ORDER BY m.role DESC, u.display_name",
    )
    .bind(cohort.id)
    .bind(cohort.pathway_id.unwrap_or(0))
    .fetch_all(exec)
    .await
}

/// Cohorts a person facilitates or belongs to.
pub async fn cohorts_of<'c>(exec: impl Into<Exec<'c>>, user_id: i64) -> Result<Vec<(Cohort, CohortRole)>, StoreError> {
    let rows: Vec<CohortWithRole> = query(
        "SELECT c.id, c.name, c.org_id, c.pathway_id, c.starts_on, c.ends_on, m.role FROM cohorts c
         JOIN cohort_members m ON m.cohort_id = c.id WHERE m.user_id = $1 ORDER BY c.name",
    )
    .bind(user_id)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|r| (r.cohort, r.role)).collect())
}

#[derive(sqlx::FromRow)]
struct CohortWithRole {
    #[sqlx(flatten)]
    cohort: Cohort,
    #[sqlx(try_from = "String")]
    role: CohortRole,
}

/// Cohorts of organizations at or below a path.
pub async fn cohorts_within<'c>(
    exec: impl Into<Exec<'c>>,
    within: &academy_core::OrgPath,
) -> Result<Vec<Cohort>, StoreError> {
    let (low, high) = academy_core::org::subtree_bounds(within);
    query(
        "SELECT c.id, c.name, c.org_id, c.pathway_id, c.starts_on, c.ends_on FROM cohorts c JOIN orgs o ON o.id = c.org_id
         WHERE o.path >= $1 AND o.path < $2 ORDER BY c.name",
    )
    .bind(low)
    .bind(high)
    .fetch_all(exec)
    .await
}
