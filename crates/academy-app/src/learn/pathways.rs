//! Pathways and cohorts. A pathway is complete with every required item and at least its
//! number of optional items, checked when one of its items is completed, never by a periodic
//! scan. A cohort is a group at an organization following a pathway together.

use super::credentials::IssueCredential;
use crate::{Actor, App, Error, Result};
use academy_core::learning::PdHours;
use academy_core::{Email, Permission, Role, time};
use academy_store::catalog::ItemStatus;
use academy_store::offers::Offered;
use academy_store::orgs::Org;
use academy_store::pathways::{self, Cohort, CohortRole, PathwayItem};
use academy_store::{StoreError, Tx, audit, jobs, orgs, users};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Adds the published pathway `slug` to `user_id`'s learning.
pub async fn join(app: &App, user_id: i64, slug: &str) -> Result<()> {
    let pathway = pathways::by_slug(&app.store, slug)
        .await?
        .filter(|p| p.status == ItemStatus::Published)
        .ok_or(Error::NotFound)?;
    let mut tx = app.store.begin().await?;
    pathways::join(&mut tx, pathway.id, user_id, time::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A cohort to create at an organization.
#[derive(Debug, Clone)]
pub struct NewCohort {
    /// Its name.
    pub name: String,
    /// The pathway it follows, if any.
    pub pathway_id: Option<i64>,
    /// First and last day (`YYYY-MM-DD`), if set.
    pub dates: (Option<String>, Option<String>),
}

/// Creates a cohort at `org` with the creator as its facilitator.
pub async fn create_cohort(app: &App, actor: Actor<'_>, org: &Org, new: &NewCohort) -> Result<i64> {
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let id = pathways::create_cohort(
        &mut tx,
        &new.name,
        org.id,
        new.pathway_id,
        new.dates.clone(),
        Some(actor.user_id),
        now,
    )
    .await?;
    pathways::add_cohort_member(&mut tx, id, actor.user_id, CohortRole::Facilitator, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "cohort.create", &format!("cohort:{id}"), Some(&new.name), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// What adding someone to a cohort did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortAdd {
    /// They are in the cohort (and its pathway) now.
    Added,
    /// Either the email has no account, or its person lies outside the actor's scope and was
    /// offered the place to accept (see [`crate::offers`]). One outcome, so that the page says
    /// the same in both cases.
    AskedToAccept,
}

/// Adds the person with `email` to a cohort (they join its pathway too) when they are inside
/// the part of the tree where the actor manages cohorts; offers them the place otherwise.
pub async fn add_cohort_member(
    app: &App,
    actor: Actor<'_>,
    cohort_id: i64,
    email: &Email,
    role: CohortRole,
) -> Result<CohortAdd> {
    let cohort = pathways::cohort(&app.store, cohort_id).await?.ok_or(Error::NotFound)?;
    let org = orgs::get(&app.store, cohort.org_id).await?.ok_or(Error::NotFound)?;
    if !actor.principal.can(Permission::ManageCohorts, &org.path) {
        return Err(Error::Forbidden);
    }
    let Some(person) = users::by_email(&app.store, email).await? else {
        return Ok(CohortAdd::AskedToAccept);
    };
    let inside = crate::offers::is_inside(app, actor.principal, Permission::ManageCohorts, person.id).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let outcome = if inside {
        place_in_cohort(&mut tx, &cohort, person.id, role, Some(actor.user_id), now).await?;
        audit::record(
            &mut tx,
            Some(actor.user_id),
            "cohort.add_member",
            &format!("cohort:{}", cohort.id),
            Some(person.email.as_str()),
            now,
        )
        .await?;
        CohortAdd::Added
    } else {
        let offered = Offered::Cohort { org_id: org.id, cohort_id: cohort.id, role };
        let detail = format!("{} in the cohort {} at {}", role.as_str(), cohort.name, org.name);
        crate::offers::make(&mut tx, actor, &person, offered, &detail, now).await?;
        CohortAdd::AskedToAccept
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Puts `user_id` in `cohort` as `role`, inside a transaction: a facilitator also gets the
/// facilitator role at the cohort's organization, and everyone joins its pathway.
pub(crate) async fn place_in_cohort(
    tx: &mut Tx,
    cohort: &Cohort,
    user_id: i64,
    role: CohortRole,
    granted_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    pathways::add_cohort_member(tx, cohort.id, user_id, role, now).await?;
    if role == CohortRole::Facilitator {
        // Facilitating a cohort is facilitating at its organization: a real, visible grant.
        users::add_grant(tx, user_id, cohort.org_id, Role::Facilitator, granted_by, now).await?;
    }
    if let Some(pathway_id) = cohort.pathway_id {
        pathways::join(tx, pathway_id, user_id, now).await?;
    }
    Ok(())
}

/// Whether the completed items satisfy a pathway's rule.
pub fn is_complete(items: &[PathwayItem], optional_required: i64, completed: &HashSet<i64>) -> bool {
    let required_done = items.iter().filter(|i| i.required).all(|i| completed.contains(&i.item_id));
    let optional_done = items.iter().filter(|i| !i.required && completed.contains(&i.item_id)).count() as i64;
    required_done && optional_done >= optional_required
}

/// The PD hours a pathway awards: those of its completed items.
pub fn earned_hours(items: &[PathwayItem], completed: &HashSet<i64>) -> PdHours {
    items.iter().filter(|i| completed.contains(&i.item_id)).map(|i| PdHours::from_tenths(i.pd_hours_tenths)).sum()
}

/// After `item_id` was completed by `user_id`: records each pathway it completes and queues
/// that pathway's credential.
pub(crate) async fn check_after_completion(
    tx: &mut Tx,
    user_id: i64,
    item_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for pathway_id in pathways::containing(&mut *tx, item_id).await? {
        let Some(pathway) = pathways::get(&mut *tx, pathway_id).await? else { continue };
        let items = pathways::items(&mut *tx, pathway_id).await?;
        let completed: HashSet<i64> =
            pathways::completed_items(&mut *tx, pathway_id, user_id).await?.into_iter().collect();
        if is_complete(&items, pathway.optional_required, &completed)
            && pathways::record_completion(tx, pathway_id, user_id, earned_hours(&items, &completed), now).await?
        {
            jobs::enqueue(tx, &IssueCredential::for_pathway(user_id, pathway_id), now, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use academy_core::learning::ItemKind;

    fn item(id: i64, required: bool, tenths: i64) -> PathwayItem {
        PathwayItem {
            item_id: id,
            required,
            position: id,
            slug: format!("i{id}"),
            title: format!("Item {id}"),
            kind: ItemKind::Course,
            pd_hours_tenths: tenths,
        }
    }

    #[test]
    fn required_items_and_enough_optional_ones() {
        let items = [item(1, true, 15), item(2, true, 10), item(3, false, 10), item(4, false, 5)];
        let done = |ids: &[i64]| ids.iter().copied().collect::<HashSet<i64>>();
        assert!(!is_complete(&items, 1, &done(&[1, 2])), "an optional item is still needed");
        assert!(!is_complete(&items, 1, &done(&[1, 3, 4])), "a required item is missing");
        assert!(is_complete(&items, 1, &done(&[1, 2, 4])));
        assert!(is_complete(&items, 0, &done(&[1, 2])));
        assert_eq!(earned_hours(&items, &done(&[1, 2, 4])), PdHours::from_tenths(30));
    }
}
