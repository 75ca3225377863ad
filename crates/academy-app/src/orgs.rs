//! The organization tree as admins change it: adding a node below another and editing a node.
//! Who may do so at which node is decided by the route's access rule before these run.

use crate::{Actor, App, Error, Result};
use academy_core::org::NewOrg;
use academy_core::time;
use academy_store::audit;
use academy_store::orgs::{self, Org, OrgUpdate};

/// A node by id, or [`Error::NotFound`].
pub async fn get(app: &App, id: i64) -> Result<Org> {
    orgs::get(&app.store, id).await?.ok_or(Error::NotFound)
}

/// Creates `new` below `parent` (its `parent_id` is set to the parent's). A taken NCES id is
/// [`Error::Conflict`] on `nces_id`.
pub async fn create_child(app: &App, actor: Actor<'_>, parent: &Org, mut new: NewOrg) -> Result<Org> {
    new.parent_id = Some(parent.id);
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let created = orgs::create_below(&mut tx, Some(parent), &new, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "org.create", &format!("org:{}", created.id), Some(&created.name), now)
        .await?;
    tx.commit().await?;
    Ok(created)
}

/// Saves a node's attributes. A taken NCES id is [`Error::Conflict`] on `nces_id`.
pub async fn update(app: &App, actor: Actor<'_>, id: i64, update: &OrgUpdate) -> Result<Org> {
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let updated = orgs::update(&mut tx, id, update, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "org.update", &format!("org:{id}"), Some(&update.name), now).await?;
    tx.commit().await?;
    Ok(updated)
}
