//! Pathways as authors make them: the items, which are required, and how many optional ones
//! must be completed. A pathway belongs to an organization like an item does, and is published
//! only when it can be completed: every required item, and enough optional ones, published.

use super::{check_may_author, check_new_owner};
use crate::{Actor, App, Error, Result};
use academy_core::time;
use academy_store::catalog::{self, ItemStatus};
use academy_store::pathways::{self, NewPathway, Pathway};
use academy_store::{StoreError, audit};

/// A pathway by slug, whatever its status.
pub async fn pathway(app: &App, slug: &str) -> Result<Pathway> {
    pathways::by_slug(&app.store, slug).await?.ok_or(Error::NotFound)
}

/// Creates a pathway owned by `new.owner_org_id` (an organization where the actor may
/// author). A taken slug is [`Error::Conflict`] on `slug`.
pub async fn create(app: &App, actor: Actor<'_>, new: &NewPathway) -> Result<i64> {
    let owner =
        new.owner_org_id.ok_or_else(|| Error::field("owner_org_id", "Choose the organization it belongs to."))?;
    check_new_owner(app, actor, owner).await?;
    check_completable(app, new).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = match pathways::create(&mut tx, new, Some(actor.user_id), now).await {
        Ok(id) => id,
        Err(StoreError::Conflict { .. }) => {
            return Err(Error::Conflict {
                field: "slug".into(),
                message: "Another pathway already has this URL name.".into(),
            });
        }
        Err(other) => return Err(other.into()),
    };
    audit::record(&mut tx, Some(actor.user_id), "pathway.create", &format!("pathway:{id}"), Some(&new.title), now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a pathway; the actor must be able to author at its owner.
pub async fn update(app: &App, actor: Actor<'_>, pathway: &Pathway, new: &NewPathway) -> Result<()> {
    check_may_author(app, Some(actor), pathway.owner_org_id).await?;
    check_completable(app, new).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    pathways::update(&mut tx, pathway.id, new, now).await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "pathway.update",
        &format!("pathway:{}", pathway.id),
        Some(&new.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A pathway is published only when a teacher could complete it: each required item
/// published, and at least as many optional items published as must be completed. A field
/// error on `status` otherwise.
async fn check_completable(app: &App, new: &NewPathway) -> Result<()> {
    if new.status != ItemStatus::Published {
        return Ok(());
    }
    let mut unpublished_required = Vec::new();
    let mut published_optional = 0;
    for (item_id, required) in &new.items {
        let item = catalog::item(&app.store, *item_id).await?.ok_or(Error::NotFound)?;
        match (item.status == ItemStatus::Published, required) {
            (false, true) => unpublished_required.push(item.title),
            (true, false) => published_optional += 1,
            _ => {}
        }
    }
    if !unpublished_required.is_empty() {
        return Err(Error::field(
            "status",
            format!(
                "It cannot be published yet: nobody could complete it while {} is not published.",
                unpublished_required.join(", ")
            ),
        ));
    }
    if published_optional < new.optional_required {
        return Err(Error::field(
            "status",
            format!(
                "It cannot be published yet: {} optional items must be completed but only {published_optional} are published.",
                new.optional_required
            ),
        ));
    }
    Ok(())
}
