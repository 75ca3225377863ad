//! The organization tree as admins change it: adding a node below another and editing a node.
//! Who may do so at which node is decided by the route's access rule before these run. Also
//! the lists of nodes a form offers to choose from ([`choices`]).

use crate::{Actor, App, Error, Result};
use academy_core::access::{Permission, Principal};
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

/// A node offered in a form's list of organizations ("own this item at", "host the session
/// at"), indented under the top node it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgChoice {
    /// The node.
    pub org: Org,
    /// Whether it sits below one of the listed top nodes (it is shown indented).
    pub nested: bool,
}

/// How many nodes below each top node a form lists at most.
pub const CHOICES_BELOW_EACH: i64 = 500;

/// The nodes where `principal` holds `permission`, for a form's select: each top node of
/// their scope and the nodes directly below it (states under the national root, districts and
/// locals under a state), by name. Deeper nodes are valid too; a form keeps the current value
/// listed with [`with_current`].
pub async fn choices(app: &App, principal: &Principal, permission: Permission) -> Result<Vec<OrgChoice>> {
    let mut out = Vec::new();
    for scope in principal.scopes(permission) {
        let Some(top) = orgs::get(&app.store, scope.org_id).await? else { continue };
        let below = orgs::children(&app.store, top.id, CHOICES_BELOW_EACH, 0).await?;
        out.push(OrgChoice { org: top, nested: false });
        out.extend(below.into_iter().map(|c| OrgChoice { org: c.org, nested: true }));
    }
    Ok(out)
}

/// `choices` with the node `current` added at the end when it is not listed already (a
/// session hosted at a school, say), so that a form shows what is saved.
pub async fn with_current(app: &App, mut choices: Vec<OrgChoice>, current: Option<i64>) -> Result<Vec<OrgChoice>> {
    if let Some(id) = current
        && !choices.iter().any(|c| c.org.id == id)
        && let Some(org) = orgs::get(&app.store, id).await?
    {
        choices.push(OrgChoice { org, nested: false });
    }
    Ok(choices)
}
