//! The catalog: courses, workshops and labs, their facets, their content (modules and steps),
//! and search. Full-text search is the one dialect-specific query here: SQLite's FTS5 and
//! PostgreSQL's `tsvector`.

use crate::query::stored_enum;
use crate::{Backend, Exec, StoreError, Tx, query};
use academy_core::OrgPath;
use academy_core::learning::{Delivery, GradeBand, ItemKind, PdHours, StepKind, Strand, Subject};
use academy_core::org::subtree_bounds;
use chrono::{DateTime, Utc};

stored_enum! {
    /// Where an item stands in the catalog.
    pub enum ItemStatus {
        /// Visible to authors only.
        Draft = "draft",
        /// In the catalog.
        Published = "published",
        /// Withdrawn from the catalog; existing records stay.
        Archived = "archived",
    }
}

/// A catalog item as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Course, workshop or lab.
    #[sqlx(try_from = "String")]
    pub kind: ItemKind,
    /// Strand.
    #[sqlx(try_from = "String")]
    pub strand: Strand,
    /// Delivery format.
    #[sqlx(try_from = "String")]
    pub delivery: Delivery,
    /// Title.
    pub title: String,
    /// One or two sentences.
    pub summary: String,
    /// Markdown description.
    pub description_md: String,
    /// Expected minutes.
    pub minutes: i64,
    /// PD hours in tenths.
    pub pd_hours_tenths: i64,
    /// Completing it issues a credential.
    pub credential_bearing: bool,
    /// Publication state.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    /// Content version.
    pub version: Option<String>,
    /// Authors, as a JSON array.
    pub authors: Option<String>,
    /// SPDX licence.
    pub license: Option<String>,
    /// The organization whose authors may change it (`None`: the national root).
    pub owner_org_id: Option<i64>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Item {
    /// PD hours.
    pub fn pd_hours(&self) -> PdHours {
        PdHours::from_tenths(self.pd_hours_tenths)
    }

    /// Authors as a list.
    pub fn authors(&self) -> Result<Vec<String>, StoreError> {
        self.authors
            .as_deref()
            .map(|a| {
                serde_json::from_str(a).map_err(|e| StoreError::Decode(format!("authors of item {}: {e}", self.id)))
            })
            .transpose()
            .map(Option::unwrap_or_default)
    }
}

/// An item to create or the new state of one.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// URL name.
    pub slug: String,
    /// Kind.
    pub kind: ItemKind,
    /// Strand.
    pub strand: Strand,
    /// Delivery format.
    pub delivery: Delivery,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Markdown description.
    pub description_md: String,
    /// Expected minutes.
    pub minutes: i64,
    /// PD hours.
    pub pd_hours: PdHours,
    /// Credential-bearing.
    pub credential_bearing: bool,
    /// Publication state.
    pub status: ItemStatus,
    /// Version.
    pub version: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Licence.
    pub license: Option<String>,
    /// Grade bands.
    pub grade_bands: Vec<GradeBand>,
    /// Subjects.
    pub subjects: Vec<Subject>,
    /// The organization whose authors may change it; `None` is the national root. Only
    /// [`create_item`] reads it: an item's owner never changes by an update.
    pub owner_org_id: Option<i64>,
}

/// Creates an item with its facets; a taken slug is a conflict on `slug`.
pub async fn create_item(
    tx: &mut Tx,
    new: &NewItem,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let authors = serde_json::to_string(&new.authors).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let id = query(
        "INSERT INTO catalog_items (slug, kind, strand, delivery, title, summary, description_md, minutes, pd_hours_tenths,
                                    credential_bearing, status, version, authors, license, created_by, created_at, updated_at,
                                    owner_org_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16,
                 COALESCE($17, (SELECT id FROM orgs WHERE parent_id IS NULL))) RETURNING id",
    )
    .bind(new.slug.as_str())
    .bind(new.kind.slug())
    .bind(new.strand.slug())
    .bind(new.delivery.slug())
    .bind(new.title.as_str())
    .bind(new.summary.as_str())
    .bind(new.description_md.as_str())
    .bind(new.minutes)
    .bind(new.pd_hours.tenths())
    .bind(new.credential_bearing)
    .bind(new.status.as_str())
    .bind(new.version.clone())
    .bind(authors)
    .bind(new.license.clone())
    .bind(created_by)
    .bind(now)
    .bind(new.owner_org_id)
    .fetch_i64(&mut *tx)
    .await?;
    set_facets(tx, id, new).await?;
    Ok(id)
}

/// Replaces an item's fields and facets (its slug and kind stay).
pub async fn update_item(tx: &mut Tx, id: i64, new: &NewItem, now: DateTime<Utc>) -> Result<(), StoreError> {
    let authors = serde_json::to_string(&new.authors).map_err(|e| StoreError::Invalid(e.to_string()))?;
    query(
        "UPDATE catalog_items SET strand = $2, delivery = $3, title = $4, summary = $5, description_md = $6, minutes = $7,
                pd_hours_tenths = $8, credential_bearing = $9, status = $10, version = $11, authors = $12, license = $13,
                updated_at = $14
         WHERE id = $1",
    )
    .bind(id)
    .bind(new.strand.slug())
    .bind(new.delivery.slug())
    .bind(new.title.as_str())
    .bind(new.summary.as_str())
    .bind(new.description_md.as_str())
    .bind(new.minutes)
    .bind(new.pd_hours.tenths())
    .bind(new.credential_bearing)
    .bind(new.status.as_str())
    .bind(new.version.clone())
    .bind(authors)
    .bind(new.license.clone())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    set_facets(tx, id, new).await
}

/// Sets only the publication state.
pub async fn set_status(tx: &mut Tx, id: i64, status: ItemStatus, now: DateTime<Utc>) -> Result<(), StoreError> {
    query("UPDATE catalog_items SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(now)
        .execute(tx)
        .await
        .map(|_| ())
}

/// The words an item is also found by: its kind, format, strand, grade bands and subjects,
/// each by name and by URL name ("Mathematics math", "Ethics and responsible use ethics"). An
/// item for all subjects is found by every subject, as the subject filter finds it.
pub fn facet_words(
    kind: ItemKind,
    delivery: Delivery,
    strand: Strand,
    bands: &[GradeBand],
    subjects: &[Subject],
) -> String {
    let mut words = vec![kind.label(), kind.slug(), delivery.label(), strand.label(), strand.slug()];
    for band in bands {
        words.extend([band.label(), band.slug()]);
    }
    let subjects = if subjects.contains(&Subject::AllSubjects) { Subject::ALL } else { subjects };
    for subject in subjects {
        words.extend([subject.label(), subject.slug()]);
    }
    words.join(" ")
}

/// Items whose facet words are not written yet (made before facets were searchable).
pub async fn items_without_facet_words<'c>(exec: impl Into<Exec<'c>>) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> =
        query("SELECT id FROM catalog_items WHERE facets_text = '' ORDER BY id").fetch_all(exec).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Writes an item's facet words from what is stored.
pub async fn refresh_facet_words(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    let Some(item) = item(&mut *tx, id).await? else { return Ok(()) };
    let (bands, subjects) = facets(&mut *tx, id).await?;
    let words = facet_words(item.kind, item.delivery, item.strand, &bands, &subjects);
    query("UPDATE catalog_items SET facets_text = $2 WHERE id = $1").bind(id).bind(words).execute(tx).await.map(|_| ())
}

async fn set_facets(tx: &mut Tx, id: i64, new: &NewItem) -> Result<(), StoreError> {
    let (bands, subjects) = (&new.grade_bands, &new.subjects);
    let words = facet_words(new.kind, new.delivery, new.strand, bands, subjects);
    query("UPDATE catalog_items SET facets_text = $2 WHERE id = $1").bind(id).bind(words).execute(&mut *tx).await?;
    query("DELETE FROM catalog_item_grades WHERE item_id = $1").bind(id).execute(&mut *tx).await?;
    query("DELETE FROM catalog_item_subjects WHERE item_id = $1").bind(id).execute(&mut *tx).await?;
    for band in bands {
        query("INSERT INTO catalog_item_grades (item_id, band) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(band.slug())
            .execute(&mut *tx)
            .await?;
    }
    for subject in subjects {
        query("INSERT INTO catalog_item_subjects (item_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(subject.slug())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// One item by id.
pub async fn item<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Item>, StoreError> {
    query(
        "SELECT id, slug, kind, strand, delivery, title, summary, description_md, minutes, pd_hours_tenths,
                credential_bearing, status, version, authors, license, owner_org_id, updated_at
         FROM catalog_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

/// One item by slug.
pub async fn item_by_slug<'c>(exec: impl Into<Exec<'c>>, slug: &str) -> Result<Option<Item>, StoreError> {
    query(
        "SELECT id, slug, kind, strand, delivery, title, summary, description_md, minutes, pd_hours_tenths,
                credential_bearing, status, version, authors, license, owner_org_id, updated_at
         FROM catalog_items WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(exec)
    .await
}

/// The ids of the items owned at or below `within` (an item without an owner counts as the
/// national root's), for the authoring index.
pub async fn owned_within<'c>(exec: impl Into<Exec<'c>>, within: &OrgPath) -> Result<Vec<i64>, StoreError> {
    let (low, high) = subtree_bounds(within);
    let rows: Vec<(i64,)> = query(
        "SELECT i.id FROM catalog_items i
         JOIN orgs o ON o.id = COALESCE(i.owner_org_id, (SELECT r.id FROM orgs r WHERE r.parent_id IS NULL))
         WHERE o.path >= $1 AND o.path < $2 ORDER BY i.id",
    )
    .bind(low)
    .bind(high)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An item's grade bands and subjects.
pub async fn facets<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<(Vec<GradeBand>, Vec<Subject>), StoreError> {
    let rows: Vec<(String, String)> = query(
        "SELECT 'band', band FROM catalog_item_grades WHERE item_id = $1
         UNION ALL SELECT 'subject', subject FROM catalog_item_subjects WHERE item_id = $1",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    let mut bands = Vec::new();
    let mut subjects = Vec::new();
    for (facet, value) in rows {
        match facet.as_str() {
            "band" => bands.push(value.parse().map_err(StoreError::Decode)?),
            _ => subjects.push(value.parse().map_err(StoreError::Decode)?),
        }
    }
    bands.sort();
    subjects.sort();
    Ok((bands, subjects))
}

/// How long an item takes, as the catalog filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Up to an hour.
    Short,
    /// One to three hours.
    Medium,
    /// More than three hours.
    Long,
}

impl Length {
    /// The minutes range, inclusive.
    pub fn minutes(self) -> (i64, i64) {
        match self {
            Self::Short => (0, 60),
            Self::Medium => (61, 180),
            Self::Long => (181, i64::MAX / 2),
        }
    }
}

/// What a catalog search asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    /// Words to search for.
    pub text: String,
    /// Strand.
    pub strand: Option<Strand>,
    /// Delivery format.
    pub delivery: Option<Delivery>,
    /// Grade band.
    pub grade_band: Option<GradeBand>,
    /// Subject (items for all subjects match every subject).
    pub subject: Option<Subject>,
    /// Length.
    pub length: Option<Length>,
    /// Include drafts and archived items (authors' view).
    pub include_unpublished: bool,
}

/// An item as the catalog lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ItemCard {
    /// Id.
    pub id: i64,
    /// URL name.
    pub slug: String,
    /// Kind.
    #[sqlx(try_from = "String")]
    pub kind: ItemKind,
    /// Strand.
    #[sqlx(try_from = "String")]
    pub strand: Strand,
    /// Delivery.
    #[sqlx(try_from = "String")]
    pub delivery: Delivery,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Minutes.
    pub minutes: i64,
    /// PD hours in tenths.
    pub pd_hours_tenths: i64,
    /// Publication state.
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
}

impl ItemCard {
    /// PD hours.
    pub fn pd_hours(&self) -> PdHours {
        PdHours::from_tenths(self.pd_hours_tenths)
    }
}

/// The words PostgreSQL's `english` configuration leaves out of documents and queries (its
/// `english.stop`). PostgreSQL drops them from a query; SQLite's FTS5 would require each one, so
/// "AI in the classroom" missed "AI in Classroom Feedback" there. Both engines drop them here.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
    "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
    "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
    "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
    "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
    "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
    "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don",
    "should", "now",
];

/// Turns free text into a full-text query: words only, stop words left out, each required, the
/// last one a prefix (so "differen" finds "differentiation"). `None` when no word remains.
fn search_terms(text: &str, backend: Backend) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .take(12)
        .collect();
    let (last, rest) = words.split_last()?;
    let mut terms: Vec<String> = match backend {
        Backend::Sqlite => rest.iter().map(|w| format!("\"{w}\"")).collect(),
        Backend::Postgres => rest.to_vec(),
    };
    terms.push(match backend {
        Backend::Sqlite => format!("\"{last}\"*"),
        Backend::Postgres => format!("{last}:*"),
    });
    Some(match backend {
        Backend::Sqlite => terms.join(" AND "),
        Backend::Postgres => terms.join(" & "),
    })
}

/// Searches the catalog: filters, then full-text relevance when there is text, otherwise
/// strand and title order. Returns one page and the total number of matches.
pub async fn search(
    store: &crate::Store,
    q: &CatalogQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ItemCard>, i64), StoreError> {
    let backend = store.backend();
    let terms = search_terms(&q.text, backend);
    let (min_minutes, max_minutes) = q.length.map_or((0, i64::MAX / 2), Length::minutes);
    // The filters are the same on both engines; only the text match and its ranking differ.
    // On SQLite a ranked search joins the full-text table, so that `bm25` is computed once per
    // match (a correlated subquery ran the whole match again for every row it ordered).
    macro_rules! filtered {
        ($select:literal, $sqlite_text:literal, $tail:literal) => {
            match backend {
                Backend::Sqlite => query(concat!(
                    $select,
                    $sqlite_text,
                    " AND ($1 OR i.status = 'published')
                      AND ($2 IS NULL OR i.strand = $2)
                      AND ($3 IS NULL OR i.delivery = $3)
                      AND ($4 IS NULL OR EXISTS (SELECT 1 FROM catalog_item_grades g WHERE g.item_id = i.id AND g.band = $4))
                      AND ($5 IS NULL OR EXISTS (SELECT 1 FROM catalog_item_subjects s WHERE s.item_id = i.id AND s.subject IN ($5, 'all')))
                      AND i.minutes BETWEEN $6 AND $7",
                    $tail
                )),
                Backend::Postgres => query(concat!(
                    $select,
                    " FROM catalog_items i
                      WHERE ($1 OR i.status = 'published')
                        AND ($2::text IS NULL OR i.strand = $2)
                        AND ($3::text IS NULL OR i.delivery = $3)
                        AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM catalog_item_grades g WHERE g.item_id = i.id AND g.band = $4))
                        AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM catalog_item_subjects s WHERE s.item_id = i.id AND s.subject IN ($5, 'all')))
                        AND i.minutes BETWEEN $6 AND $7
                        AND ($8::text IS NULL OR i.search_vector @@ to_tsquery('english', $8))",
                    $tail
                )),
            }
            .bind(q.include_unpublished)
            .bind(q.strand.map(|s| s.slug()))
            .bind(q.delivery.map(|d| d.slug()))
            .bind(q.grade_band.map(|g| g.slug()))
            .bind(q.subject.map(|s| s.slug()))
            .bind(min_minutes)
            .bind(max_minutes)
            .bind(terms.clone())
        };
    }
    let total = filtered!("SELECT COUNT(*)", " FROM catalog_items i WHERE ($8 IS NULL OR i.id IN (SELECT rowid FROM catalog_search WHERE catalog_search MATCH $8))", "").fetch_i64(store).await?;
    let page: Vec<ItemCard> = match (&terms, backend) {
        (Some(_), Backend::Sqlite) => {
            filtered!(
                "SELECT i.id, i.slug, i.kind, i.strand, i.delivery, i.title, i.summary, i.minutes, i.pd_hours_tenths, i.status",
                " FROM catalog_search JOIN catalog_items i ON i.id = catalog_search.rowid WHERE catalog_search MATCH $8",
                " ORDER BY bm25(catalog_search, 10.0, 4.0, 1.0, 4.0), i.title, i.id LIMIT $9 OFFSET $10"
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(store)
            .await?
        }
        (Some(_), Backend::Postgres) => {
            filtered!(
                "SELECT i.id, i.slug, i.kind, i.strand, i.delivery, i.title, i.summary, i.minutes, i.pd_hours_tenths, i.status",
                "",
                " ORDER BY ts_rank(i.search_vector, to_tsquery('english', $8)) DESC, i.title, i.id LIMIT $9 OFFSET $10"
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(store)
            .await?
        }
        (None, _) => {
            filtered!(
                "SELECT i.id, i.slug, i.kind, i.strand, i.delivery, i.title, i.summary, i.minutes, i.pd_hours_tenths, i.status",
                " FROM catalog_items i WHERE ($8 IS NULL OR i.id IN (SELECT rowid FROM catalog_search WHERE catalog_search MATCH $8))",
                " ORDER BY i.strand, i.title, i.id LIMIT $9 OFFSET $10"
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(store)
            .await?
        }
    };
    Ok((page, total))
}

/// A module of an item.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Module {
    /// Id.
    pub id: i64,
    /// Order within the item, from 1.
    pub position: i64,
    /// Title.
    pub title: String,
}

/// A step of an item.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Step {
    /// Id.
    pub id: i64,
    /// The item.
    pub item_id: i64,
    /// Its module.
    pub module_id: i64,
    /// Order within the item, from 1.
    pub position: i64,
    /// Kind.
    #[sqlx(try_from = "String")]
    pub kind: StepKind,
    /// Title.
    pub title: String,
    /// File name in the course package.
    pub file: String,
    /// Markdown (lesson text, reflection prompt, task instructions).
    pub body_md: String,
    /// The quiz, as JSON.
    pub quiz: Option<String>,
    /// Fewest words for a reflection.
    pub min_words: Option<i64>,
    /// Completion rule name (tasks).
    pub completion_rule: Option<String>,
    /// Completion rule parameters, as a JSON object of strings.
    pub completion_params: Option<String>,
}

impl Step {
    /// The quiz, decoded.
    pub fn quiz(&self) -> Result<Option<academy_core::learning::Quiz>, StoreError> {
        self.quiz
            .as_deref()
            .map(|q| serde_json::from_str(q).map_err(|e| StoreError::Decode(format!("quiz of step {}: {e}", self.id))))
            .transpose()
    }

    /// The completion rule's parameters, decoded.
    /// A corrupt value is an error: read as "no parameters" it would quietly relax the rule.
    pub fn completion_params(&self) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        self.completion_params
            .as_deref()
            .map(|p| {
                serde_json::from_str(p)
                    .map_err(|e| StoreError::Decode(format!("completion parameters of step {}: {e}", self.id)))
            })
            .transpose()
            .map(Option::unwrap_or_default)
    }
}

/// A module to store, with its steps.
#[derive(Debug, Clone)]
pub struct NewModule {
    /// Title.
    pub title: String,
    /// Steps in order.
    pub steps: Vec<NewStep>,
}

/// A step to store.
#[derive(Debug, Clone)]
pub struct NewStep {
    /// Kind.
    pub kind: StepKind,
    /// Title.
    pub title: String,
    /// Package file name.
    pub file: String,
    /// Markdown.
    pub body_md: String,
    /// The quiz.
    pub quiz: Option<academy_core::learning::Quiz>,
    /// Fewest words for a reflection.
    pub min_words: Option<i64>,
    /// Completion rule (tasks).
    pub completion: Option<(String, std::collections::BTreeMap<String, String>)>,
}

/// Brings an item's content to `modules`, keeping the identity (and so everyone's progress)
/// of each step whose package file is unchanged: such steps are updated in place, new files
/// become new steps, and steps whose files are gone are removed with their progress.
pub async fn sync_content(tx: &mut Tx, item_id: i64, modules: &[NewModule]) -> Result<(), StoreError> {
    let existing_modules = self::modules(&mut *tx, item_id).await?;
    let existing_steps = steps(&mut *tx, item_id).await?;
    // Park every step at a negative position so that renumbering never collides with the
    // unique (item, position) key half-way through.
    query("UPDATE item_steps SET position = -id WHERE item_id = $1").bind(item_id).execute(&mut *tx).await?;
    let mut kept = std::collections::HashSet::new();
    let mut position = 0_i64;
    for (m, module) in modules.iter().enumerate() {
        let number = m as i64 + 1;
        let module_id = match existing_modules.iter().find(|e| e.position == number) {
            Some(existing) => {
                query("UPDATE item_modules SET title = $2 WHERE id = $1")
                    .bind(existing.id)
                    .bind(module.title.as_str())
                    .execute(&mut *tx)
                    .await?;
                existing.id
            }
            None => {
                query("INSERT INTO item_modules (item_id, position, title) VALUES ($1, $2, $3) RETURNING id")
                    .bind(item_id)
                    .bind(number)
                    .bind(module.title.as_str())
                    .fetch_i64(&mut *tx)
                    .await?
            }
        };
        for step in &module.steps {
            position += 1;
            let quiz = step
                .quiz
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let (rule, params) = match &step.completion {
                Some((rule, params)) => (
                    Some(rule.clone()),
                    Some(serde_json::to_string(params).map_err(|e| StoreError::Invalid(e.to_string()))?),
                ),
                None => (None, None),
            };
            match existing_steps.iter().find(|e| e.file == step.file && !kept.contains(&e.id)) {
                Some(existing) => {
                    kept.insert(existing.id);
                    query(
                        "UPDATE item_steps SET module_id = $2, position = $3, kind = $4, title = $5, body_md = $6, quiz = $7,
                                min_words = $8, completion_rule = $9, completion_params = $10
                         WHERE id = $1",
                    )
                    .bind(existing.id)
                    .bind(module_id)
                    .bind(position)
                    .bind(step.kind.slug())
                    .bind(step.title.as_str())
                    .bind(step.body_md.as_str())
                    .bind(quiz)
                    .bind(step.min_words)
                    .bind(rule)
                    .bind(params)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    query(
                        "INSERT INTO item_steps (item_id, module_id, position, kind, title, file, body_md, quiz, min_words,
                                                 completion_rule, completion_params)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(item_id)
                    .bind(module_id)
                    .bind(position)
                    .bind(step.kind.slug())
                    .bind(step.title.as_str())
                    .bind(step.file.as_str())
                    .bind(step.body_md.as_str())
                    .bind(quiz)
                    .bind(step.min_words)
                    .bind(rule)
                    .bind(params)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
    }
    // Enrollments standing at a removed step let go of it through the foreign key's
    // ON DELETE SET NULL (indexed: enrollments_current_step).
    for gone in existing_steps.iter().filter(|s| !kept.contains(&s.id)) {
        query("DELETE FROM item_steps WHERE id = $1").bind(gone.id).execute(&mut *tx).await?;
    }
    query("DELETE FROM item_modules WHERE item_id = $1 AND position > $2")
        .bind(item_id)
        .bind(modules.len() as i64)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// An item's modules in order.
pub async fn modules<'c>(exec: impl Into<Exec<'c>>, item_id: i64) -> Result<Vec<Module>, StoreError> {
    query("SELECT id, position, title FROM item_modules WHERE item_id = $1 ORDER BY position")
        .bind(item_id)
        .fetch_all(exec)
        .await
}

/// An item's steps in order.
pub async fn steps<'c>(exec: impl Into<Exec<'c>>, item_id: i64) -> Result<Vec<Step>, StoreError> {
    query(
        "SELECT id, item_id, module_id, position, kind, title, file, body_md, quiz, min_words, completion_rule, completion_params
         FROM item_steps WHERE item_id = $1 ORDER BY position",
    )
    .bind(item_id)
    .fetch_all(exec)
    .await
}

/// One step.
pub async fn step<'c>(exec: impl Into<Exec<'c>>, id: i64) -> Result<Option<Step>, StoreError> {
    query(
        "SELECT id, item_id, module_id, position, kind, title, file, body_md, quiz, min_words, completion_rule, completion_params
         FROM item_steps WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(exec)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_keep_words_only() {
        assert_eq!(search_terms("differen", Backend::Sqlite).as_deref(), Some("\"differen\"*"));
        assert_eq!(search_terms("AI  bias!", Backend::Sqlite).as_deref(), Some("\"ai\" AND \"bias\"*"));
        assert_eq!(search_terms("AI  bias!", Backend::Postgres).as_deref(), Some("ai & bias:*"));
        assert_eq!(search_terms("\" OR 1=1 --", Backend::Sqlite).as_deref(), Some("\"1\" AND \"1\"*"));
        assert_eq!(search_terms("  ---  ", Backend::Postgres), None);
        assert_eq!(search_terms("AI in the Classroom", Backend::Sqlite).as_deref(), Some("\"ai\" AND \"classroom\"*"));
        assert_eq!(search_terms("AI for the", Backend::Postgres).as_deref(), Some("ai:*"));
        assert_eq!(search_terms("the", Backend::Postgres), None);
    }
}
