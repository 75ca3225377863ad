//! Authoring: what authors change in the catalog. Content travels as a course package
//! (docs/course-format.md): the step editor edits one step of the package and the whole
//! package is checked again before it is saved, so the app and `academy course import` apply
//! exactly the same rules. Sessions are scheduled and changed in [`crate::learn::workshops`].
//!
//! Content belongs to an organization, its owner (chosen among the organizations where the
//! author may author when it is created; the national root for everything older). Every change
//! to an item or pathway — its entry, status, steps, a re-import over it — checks, inside the
//! use case, that the actor may author content at the owner ([`check_may_author`]); an
//! operator's command (no actor) may change anything, and is recorded as such.
//!
//! - [`items`]: catalog entries and their status.
//! - [`content`]: the steps of a course or lab, and their preview.
//! - [`pathways`]: pathways and the items they are made of.

pub mod content;
pub mod items;
pub mod pathways;

use crate::{Actor, App, Error, Result};
use academy_core::access::{Permission, Principal};
use academy_store::orgs::{self, Org};

/// The organization that owns content whose `owner_org_id` is this (the national root when
/// it is unset).
pub async fn owner(app: &App, owner_org_id: Option<i64>) -> Result<Org> {
    orgs::get_or_root(&app.store, owner_org_id).await?.ok_or(Error::NotFound)
}

/// Whether `principal` may author content owned by `owner_org_id`.
pub async fn may_author(app: &App, principal: &Principal, owner_org_id: Option<i64>) -> Result<bool> {
    Ok(principal.can(Permission::AuthorContent, &owner(app, owner_org_id).await?.path))
}

/// Refuses ([`Error::Forbidden`]) unless the actor may author content owned by
/// `owner_org_id`. An operator (no actor) may.
pub async fn check_may_author(app: &App, actor: Option<Actor<'_>>, owner_org_id: Option<i64>) -> Result<()> {
    match actor {
        None => Ok(()),
        Some(actor) if may_author(app, actor.principal, owner_org_id).await? => Ok(()),
        Some(_) => Err(Error::Forbidden),
    }
}

/// Checks the organization a new item or pathway is to belong to: one where the actor may
/// author (a field error on `owner_org_id` otherwise).
pub async fn check_new_owner(app: &App, actor: Actor<'_>, owner_org_id: i64) -> Result<Org> {
    match orgs::get(&app.store, owner_org_id).await? {
        Some(org) if actor.principal.can(Permission::AuthorContent, &org.path) => Ok(org),
        _ => Err(Error::field("owner_org_id", "Choose an organization where you author content.")),
    }
}

/// The ids of the items and of the pathways `principal` may change (owned at or below a node
/// where they may author), for the authoring index.
pub async fn changeable(
    app: &App,
    principal: &Principal,
) -> Result<(std::collections::HashSet<i64>, std::collections::HashSet<i64>)> {
    let mut items = std::collections::HashSet::new();
    let mut pathways = std::collections::HashSet::new();
    for scope in principal.scopes(Permission::AuthorContent) {
        items.extend(academy_store::catalog::owned_within(&app.store, &scope.org_path).await?);
        pathways.extend(academy_store::pathways::owned_within(&app.store, &scope.org_path).await?);
    }
    Ok((items, pathways))
}
