//! Pathways as authors make them: the items, which are required, and how many optional ones
//! must be completed.

use crate::{Actor, App, Error, Result};
use academy_core::time;
use academy_store::pathways::{self, NewPathway, Pathway};
use academy_store::{StoreError, audit};

/// A pathway by slug, whatever its status.
pub async fn pathway(app: &App, slug: &str) -> Result<Pathway> {
    pathways::by_slug(&app.store, slug).await?.ok_or(Error::NotFound)
}

/// Creates a pathway. A taken slug is [`Error::Conflict`] on `slug`.
pub async fn create(app: &App, actor: Actor<'_>, new: &NewPathway) -> Result<i64> {
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

/// Saves a pathway.
pub async fn update(app: &App, actor: Actor<'_>, pathway: &Pathway, new: &NewPathway) -> Result<()> {
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
