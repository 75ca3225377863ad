//! Catalog entries: creating and editing an item, and publishing, unpublishing or archiving it.

use crate::{Actor, App, Error, Result};
use academy_core::learning::ItemKind;
use academy_core::time;
use academy_store::audit;
use academy_store::catalog::{self, Item, ItemStatus, NewItem};

/// An item by slug, whatever its status (authors see drafts and archived items).
pub async fn item(app: &App, slug: &str) -> Result<Item> {
    catalog::item_by_slug(&app.store, slug).await?.ok_or(Error::NotFound)
}

/// Creates an item. A taken slug is [`Error::Conflict`] on `slug`.
pub async fn create(app: &App, actor: Actor<'_>, new: &NewItem) -> Result<i64> {
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = catalog::create_item(&mut tx, new, Some(actor.user_id), now).await?;
    audit::record(&mut tx, Some(actor.user_id), "item.create", &format!("item:{id}"), Some(&new.title), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an item's catalog entry. Its kind, slug, version, authors and licence (which come
/// from its package) stay as they are.
pub async fn update(app: &App, actor: Actor<'_>, item: &Item, mut new: NewItem) -> Result<()> {
    new.slug = item.slug.clone();
    new.kind = item.kind;
    new.version = item.version.clone();
    new.authors = item.authors()?;
    new.license = item.license.clone();
    let now = time::now();
    let mut tx = app.store.begin().await?;
    catalog::update_item(&mut tx, item.id, &new, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "item.update", &format!("item:{}", item.id), Some(&new.title), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes, unpublishes or archives an item. A course or lab is published only with content.
pub async fn set_status(app: &App, actor: Actor<'_>, item: &Item, status: ItemStatus) -> Result<()> {
    if status == ItemStatus::Published
        && item.kind != ItemKind::Workshop
        && catalog::steps(&app.store, item.id).await?.is_empty()
    {
        return Err(Error::Unsupported(
            "Add content before publishing: a course or lab needs at least one step.".into(),
        ));
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    catalog::set_status(&mut tx, item.id, status, now).await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "item.status",
        &format!("item:{}", item.id),
        Some(status.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
