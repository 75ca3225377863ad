//! What a person may see of the catalog: published items for everyone, drafts and archived
//! items for the authors who may change them too.

use crate::{App, Error, Result};
use academy_core::{Permission, Principal};
use academy_store::catalog::{self, Item, ItemStatus};

/// Writes the searchable facet words of items made before facets were searchable (run at
/// start; a no-op once done).
pub async fn write_missing_facet_words(store: &academy_store::Store) -> Result<usize> {
    let missing = catalog::items_without_facet_words(store).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    for id in &missing {
        catalog::refresh_facet_words(&mut tx, *id).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

/// An item by slug as `principal` may see it: published, or any status for the authors at
/// its owner ([`Error::NotFound`] for anyone else, as if it did not exist).
pub async fn visible_item(app: &App, principal: &Principal, slug: &str) -> Result<Item> {
    let item = catalog::item_by_slug(&app.store, slug).await?.ok_or(Error::NotFound)?;
    if item.status != ItemStatus::Published
        && !(principal.can_somewhere(Permission::AuthorContent)
            && crate::authoring::may_author(app, principal, item.owner_org_id).await?)
    {
        return Err(Error::NotFound);
    }
    Ok(item)
}
