//! What a person may see of the catalog: published items for everyone, drafts and archived
//! items for the authors who may change them too.

use crate::{App, Error, Result};
use academy_core::{Permission, Principal};
use academy_store::catalog::{self, Item, ItemStatus};

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
