//! Offers: a role, or a place in a cohort, for someone outside the part of the tree where the
//! person offering it may act. Granting a role to, or adding to a cohort, a person whose
//! school, local or roles all lie elsewhere would pull their profile into the offerer's view
//! (and, for cohorts, join them to a pathway) without their say; instead they get an offer by
//! email and on their home page, and nothing changes until they accept it. Offers expire after
//! [`OFFER_DAYS`]; every one made, accepted or declined is in the audit log.
//!
//! The offerer is told the same thing whether or not the email has an account, so that an
//! admin cannot learn who is in the program outside their scope.

use crate::learn::pathways::place_in_cohort;
use crate::{Actor, App, Error, Result};
use academy_core::access::{Grant, Permission, Principal};
use academy_core::time;
use academy_store::jobs::Job;
use academy_store::offers::{self, Offer, OfferKind, OfferStatus, Offered};
use academy_store::users::{self, GrantRow, User};
use academy_store::{Tx, audit, jobs, orgs, pathways};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long an offer may be accepted.
pub const OFFER_DAYS: i64 = 14;

/// Whether the person `user_id` lies inside the part of the tree where `principal` holds
/// `permission` (see [`Principal::reaches`]).
pub(crate) async fn is_inside(app: &App, principal: &Principal, permission: Permission, user_id: i64) -> Result<bool> {
    let places = users::places(&app.store, user_id).await?;
    let Some(root) = orgs::root(&app.store).await? else { return Ok(false) };
    Ok(principal.reaches(permission, &places, &root.path))
}

/// Makes `offered` to `person` (unless the same offer is already waiting), queues its email
/// and records it, all in `tx`.
pub(crate) async fn make(
    tx: &mut Tx,
    actor: Actor<'_>,
    person: &User,
    offered: Offered,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if offers::find_open(&mut *tx, person.id, offered, now).await?.is_some() {
        return Ok(());
    }
    let id = offers::create(tx, person.id, offered, Some(actor.user_id), now, now + Duration::days(OFFER_DAYS)).await?;
    jobs::enqueue(tx, &SendOfferEmail { offer_id: id }, now, now).await?;
    let action = match offered {
        Offered::Grant { .. } => "grant.offer",
        Offered::Cohort { .. } => "cohort.offer",
    };
    audit::record(tx, Some(actor.user_id), action, &format!("user:{}", person.id), Some(detail), now).await?;
    Ok(())
}

/// The offer `id` made to `user_id`; [`Error::NotFound`] for anyone else's.
pub async fn offer_for(app: &App, user_id: i64, id: i64) -> Result<Offer> {
    offers::get(&app.store, id).await?.filter(|o| o.user_id == user_id).ok_or(Error::NotFound)
}

/// What accepting an offer gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// A role at this node.
    Role {
        /// The node.
        org_id: i64,
    },
    /// A place in this cohort.
    Cohort {
        /// The cohort.
        cohort_id: i64,
    },
}

/// Accepts an open offer made to the actor: the role is granted, or they join the cohort (and
/// its pathway). Refused when it expired, was answered already, or its maker may no longer
/// give it.
pub async fn accept(app: &App, actor: Actor<'_>, id: i64) -> Result<Accepted> {
    let offer = offer_for(app, actor.user_id, id).await?;
    let now = time::now();
    check_open(&offer, now)?;
    let org = orgs::get(&app.store, offer.org_id).await?.ok_or(Error::NotFound)?;
    // The offer speaks for its maker: it holds only while they may still give it.
    let maker = match offer.offered_by {
        Some(maker) => users::grants(&app.store, maker).await?.iter().map(GrantRow::grant).collect::<Vec<Grant>>(),
        None => Vec::new(),
    };
    let maker = Principal { user_id: offer.offered_by.unwrap_or_default(), grants: maker };
    let mut tx = app.store.begin().await?;
    let accepted = match offer.kind {
        OfferKind::Grant => {
            let role = offer.role()?.ok_or_else(|| Error::Internal(anyhow::anyhow!("offer {id} has no role")))?;
            if !maker.can_grant(role, &org.path) {
                return Err(withdrawn(&offer));
            }
            users::add_grant(&mut tx, actor.user_id, org.id, role, offer.offered_by, now).await?;
            Accepted::Role { org_id: org.id }
        }
        OfferKind::Cohort => {
            let cohort_id = offer.cohort_id.ok_or(Error::NotFound)?;
            let cohort = pathways::cohort(&mut tx, cohort_id).await?.ok_or(Error::NotFound)?;
            let role =
                offer.cohort_role()?.ok_or_else(|| Error::Internal(anyhow::anyhow!("offer {id} has no role")))?;
            if !maker.can(Permission::ManageCohorts, &org.path) {
                return Err(withdrawn(&offer));
            }
            place_in_cohort(&mut tx, &cohort, actor.user_id, role, offer.offered_by, now).await?;
            Accepted::Cohort { cohort_id }
        }
    };
    if !offers::decide(&mut tx, offer.id, OfferStatus::Accepted, now).await? {
        return Err(Error::Refused("You have already answered this offer.".into()));
    }
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "offer.accept",
        &format!("user:{}", actor.user_id),
        Some(&what(&offer)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(accepted)
}

/// Declines an open offer made to the actor.
pub async fn decline(app: &App, actor: Actor<'_>, id: i64) -> Result<()> {
    let offer = offer_for(app, actor.user_id, id).await?;
    let now = time::now();
    check_open(&offer, now)?;
    let mut tx = app.store.begin().await?;
    if !offers::decide(&mut tx, offer.id, OfferStatus::Declined, now).await? {
        return Err(Error::Refused("You have already answered this offer.".into()));
    }
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "offer.decline",
        &format!("user:{}", actor.user_id),
        Some(&what(&offer)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn check_open(offer: &Offer, now: DateTime<Utc>) -> Result<()> {
    match offer.status {
        OfferStatus::Pending if offer.expires_at > now => Ok(()),
        OfferStatus::Pending => Err(Error::Gone(format!(
            "This offer expired on {}. Ask {} to offer it again.",
            offer.expires_at.format("%-d %B %Y"),
            offer.offered_by_name.as_deref().unwrap_or("whoever made it")
        ))),
        OfferStatus::Accepted | OfferStatus::Declined => {
            Err(Error::Refused("You have already answered this offer.".into()))
        }
    }
}

fn withdrawn(offer: &Offer) -> Error {
    Error::Refused(format!(
        "This offer no longer holds: {} may no longer give it. Nothing was changed.",
        offer.offered_by_name.as_deref().unwrap_or("whoever made it")
    ))
}

/// What an offer gives, in words: "the Facilitator role at Texas Federation of Educators".
pub fn what(offer: &Offer) -> String {
    match offer.kind {
        OfferKind::Grant => {
            let role = offer.role().ok().flatten().map_or("a", |r| r.label());
            format!("the {role} role at {}", offer.org_name)
        }
        OfferKind::Cohort => {
            let role = match offer.cohort_role.as_deref() {
                Some("facilitator") => "facilitator",
                _ => "member",
            };
            format!(
                "a place as {role} in the cohort {} at {}",
                offer.cohort_name.as_deref().unwrap_or("?"),
                offer.org_name
            )
        }
    }
}

/// Send a person the email that tells them of an offer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendOfferEmail {
    /// The offer.
    pub offer_id: i64,
}

impl Job for SendOfferEmail {
    const KIND: &'static str = "send_offer_email";
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("offer-email:{}", self.offer_id))
    }
}

/// Sends the offer's email (nothing when it was answered or withdrawn meanwhile).
pub async fn run(app: &App, job_id: i64, job: SendOfferEmail) -> anyhow::Result<()> {
    let Some(offer) = offers::get(&app.store, job.offer_id).await? else {
        tracing::info!(offer_id = job.offer_id, "offer gone; nothing to send");
        return Ok(());
    };
    if !offer.is_open(time::now()) {
        tracing::info!(offer_id = offer.id, "offer no longer open; nothing to send");
        return Ok(());
    }
    let Some(person) = users::get(&app.store, offer.user_id).await? else { return Ok(()) };
    let link = app.config.public_url.link(&format!("/offers/{}", offer.id));
    let who = offer.offered_by_name.as_deref().unwrap_or("Your program team");
    let extra = match offer.kind {
        OfferKind::Grant => "",
        OfferKind::Cohort => "\nJoining the cohort adds its pathway to your learning.",
    };
    let body = format!(
        "Hello {name},\n\n{who} offered you {what} in Academy.{extra}\n\
         Nothing changes unless you accept. Accept or decline here (sign in first) until {until}:\n\n{link}\n\n\
         If this means nothing to you, decline it or let it expire.\n",
        name = person.display_name,
        what = what(&offer),
        until = offer.expires_at.format("%-d %B %Y"),
    );
    let email = crate::mail::Email {
        job_id: Some(job_id),
        to: person.email.as_str(),
        subject: "An offer is waiting for you in Academy",
        body: &body,
    };
    app.mailer.send(&app.store, &email).await
}
