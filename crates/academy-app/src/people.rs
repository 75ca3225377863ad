//! People and their roles: inviting someone to a node of the tree, granting a role to someone
//! who has an account (or offering it, outside the granter's scope), revoking a role, and adding
//! people from the command line.

use crate::account_emails::{Purpose, SendAccountEmail};
use crate::offers;
use crate::{Actor, App, Error, Result};
use academy_core::access::{Permission, Principal, Role};
use academy_core::org::NewOrg;
use academy_core::token::SecretToken;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, FieldErrors, OrgKind, time};
use academy_store::offers::Offered;
use academy_store::orgs::{self, Org};
use academy_store::sessions::{self, TokenPurpose};
use academy_store::users::{self, GrantRow};
use academy_store::{audit, jobs};
use chrono::Duration;

/// A checked invitation.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// Their email.
    pub email: Email,
    /// Their name.
    pub display_name: DisplayName,
    /// The role they get at the node.
    pub role: Role,
}

/// Checks an invitation's fields against what the inviter may grant at `org`.
pub fn parse_invitation(
    principal: &Principal,
    org: &Org,
    email: &str,
    name: &str,
    role: &str,
) -> Result<Invitation, FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    let display_name = errors.check("display_name", DisplayName::parse(name));
    let role = match Role::try_from(role.to_owned()) {
        Ok(role) if principal.can_grant(role, &org.path) => Some(role),
        Ok(role) => {
            errors.add("role", format!("You cannot grant the {} role here.", role.label().to_lowercase()));
            None
        }
        Err(message) => {
            errors.add("role", message);
            None
        }
    };
    match (email, display_name, role) {
        (Some(email), Some(display_name), Some(role)) => Ok(Invitation { email, display_name, role }),
        _ => Err(errors),
    }
}

/// Creates the account with its role at the node and queues the invitation email, all in
/// one transaction. Returns the new person's id; [`Error::Conflict`] on `email` when they
/// already have an account.
pub async fn invite(app: &App, actor: Actor<'_>, org: &Org, invitation: &Invitation) -> Result<i64> {
    let now = time::now();
    let new = NewUser {
        email: invitation.email.clone(),
        display_name: invitation.display_name.clone(),
        password_hash: None,
        school_id: (org.kind == OrgKind::School).then_some(org.id),
        local_id: (org.kind == OrgKind::LocalUnion).then_some(org.id),
    };
    let mut tx = app.store.begin().await?;
    let user_id = users::create(&mut tx, &new, now).await?;
    users::add_grant(&mut tx, user_id, org.id, invitation.role, Some(actor.user_id), now).await?;
    let job = SendAccountEmail {
        user_id,
        purpose: Purpose::Invitation,
        request_key: format!("invite:{user_id}:{}", uuid::Uuid::new_v4()),
        invited_by: Some(actor.display_name.to_owned()),
    };
    jobs::enqueue(&mut tx, &job, now, now).await?;
    let detail = format!("{} as {} at {}", invitation.email, invitation.role, org.name);
    audit::record(&mut tx, Some(actor.user_id), "user.invite", &format!("user:{user_id}"), Some(&detail), now).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// What asking to give someone a role did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOutcome {
    /// The role was granted (the person is inside the granter's scope).
    Granted,
    /// They held it there already.
    AlreadyHeld,
    /// Either the email has no account, or its person lies outside the granter's scope and
    /// was offered the role to accept. Deliberately one outcome: the granter learns nothing
    /// about accounts outside their scope.
    AskedToAccept,
}

/// Gives `role` at `org` to the person with `email`: at once when they are inside the part
/// of the tree where the granter may grant (their school, local or a role lies there), as an
/// offer they accept otherwise (see [`crate::offers`]).
pub async fn grant_role(app: &App, actor: Actor<'_>, org: &Org, email: &Email, role: Role) -> Result<GrantOutcome> {
    if !actor.principal.can_grant(role, &org.path) {
        return Err(Error::field("role", "You cannot grant that role here."));
    }
    let Some(person) = users::by_email(&app.store, email).await? else {
        return Ok(GrantOutcome::AskedToAccept);
    };
    let inside = offers::is_inside(app, actor.principal, Permission::GrantRoles, person.id).await?;
    let now = time::now();
    let detail = format!("{role} at {}", org.name);
    let mut tx = app.store.begin().await?;
    let outcome = if inside {
        if users::add_grant(&mut tx, person.id, org.id, role, Some(actor.user_id), now).await? {
            audit::record(
                &mut tx,
                Some(actor.user_id),
                "grant.add",
                &format!("user:{}", person.id),
                Some(&detail),
                now,
            )
            .await?;
            GrantOutcome::Granted
        } else {
            GrantOutcome::AlreadyHeld
        }
    } else {
        offers::make(&mut tx, actor, &person, Offered::Grant { org_id: org.id, role }, &detail, now).await?;
        GrantOutcome::AskedToAccept
    };
    tx.commit().await?;
    Ok(outcome)
}

/// What the invitation form did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteOutcome {
    /// A new account was made and its invitation is on its way; or the email belongs to
    /// someone outside the inviter's scope, who was offered the role instead. One outcome,
    /// so that the form says the same in both cases.
    Invited,
}

/// The invitation form: a new account with its role (see [`invite`]), or, when the email
/// already has an account outside the inviter's scope, the role offered to that person to
/// accept. An account inside the scope is [`Error::Conflict`] on `email` (the inviter can see
/// it and grant the role directly).
pub async fn invite_or_offer(app: &App, actor: Actor<'_>, org: &Org, invitation: &Invitation) -> Result<InviteOutcome> {
    match users::by_email(&app.store, &invitation.email).await? {
        None => invite(app, actor, org, invitation).await.map(|_| InviteOutcome::Invited),
        Some(person) if offers::is_inside(app, actor.principal, Permission::GrantRoles, person.id).await? => {
            Err(Error::Conflict { field: "email".into(), message: "This person already has an account.".into() })
        }
        Some(_) => {
            // Outside the scope: the same offer the grant form makes.
            grant_role(app, actor, org, &invitation.email, invitation.role).await.map(|_| InviteOutcome::Invited)
        }
    }
}

/// Whether `actor` may take `grant` away: they must be able to grant that role there, and
/// nobody removes their own program-admin role (the program would risk losing its last admin).
pub fn may_revoke(actor_id: i64, actor: &Principal, grant: &GrantRow) -> bool {
    actor.can_grant(grant.role, &grant.org_path) && !(grant.user_id == actor_id && grant.role == Role::ProgramAdmin)
}

/// Removes a role grant. Returns the id of the person who held it.
pub async fn revoke_grant(app: &App, actor: Actor<'_>, grant_id: i64) -> Result<i64> {
    let grant = users::grant(&app.store, grant_id).await?.ok_or(Error::NotFound)?;
    if !may_revoke(actor.user_id, actor.principal, &grant) {
        return Err(Error::Forbidden);
    }
    let now = time::now();
    let mut tx = app.store.begin().await?;
    users::remove_grant(&mut tx, grant.id).await?;
    let detail = format!("{} at {}", grant.role, grant.org_name);
    audit::record(&mut tx, Some(actor.user_id), "grant.revoke", &format!("user:{}", grant.user_id), Some(&detail), now)
        .await?;
    tx.commit().await?;
    Ok(grant.user_id)
}

/// A person to add from the command line.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Their email.
    pub email: Email,
    /// Their name (used only when the account is new).
    pub display_name: DisplayName,
    /// The role to grant.
    pub role: Role,
    /// Where the role applies; `None` is the national root.
    pub org_id: Option<i64>,
    /// The national program's name, when this creates it (the first program admin).
    pub program_name: String,
    /// The argon2id hash of their password, or `None` for an invitation link.
    pub password_hash: Option<String>,
    /// Make a set-password link.
    pub invite: bool,
}

/// What adding a person did.
#[derive(Debug, Clone)]
pub struct AddedPerson {
    /// Their id.
    pub user_id: i64,
    /// They already had an account.
    pub existed: bool,
    /// The role was granted now (not held already).
    pub granted: bool,
    /// Where the role applies.
    pub org: Org,
    /// The national program was created now (this was its first program admin).
    pub created_program: bool,
    /// The set-password link, when asked for and the account is new.
    pub link: Option<String>,
}

/// How long a command-line invitation link works.
pub const CLI_INVITATION_DAYS: i64 = 14;

/// Creates a person with a role (or grants the role if they already exist); bootstraps the
/// national program with its first program admin. For operators: no actor, audited as such.
pub async fn add_person(app: &App, new: &NewPerson) -> Result<AddedPerson> {
    let existing = users::by_email(&app.store, &new.email).await?;
    let now = time::now();
    let mut tx = app.store.begin().await?;
    let mut created_program = false;
    let target = match new.org_id {
        Some(id) => orgs::get(&mut tx, id)
            .await?
            .ok_or_else(|| Error::field("org", format!("there is no organization {id}")))?,
        None => match orgs::root(&mut tx).await? {
            Some(root) => root,
            None if new.role == Role::ProgramAdmin => {
                let root = NewOrg {
                    parent_id: None,
                    kind: OrgKind::National,
                    name: new.program_name.trim().to_owned(),
                    state: None,
                    nces_id: None,
                    locale: None,
                    title_i: None,
                };
                created_program = true;
                orgs::create(&mut tx, &root, now).await?
            }
            None => {
                return Err(Error::Refused(
                    "there is no national program yet; create the first program admin first (--role program-admin)"
                        .into(),
                ));
            }
        },
    };
    let user_id = match &existing {
        Some(user) => user.id,
        None => {
            let person = NewUser {
                email: new.email.clone(),
                display_name: new.display_name.clone(),
                password_hash: new.password_hash.clone(),
                school_id: None,
                local_id: None,
            };
            users::create(&mut tx, &person, now).await?
        }
    };
    let granted = users::add_grant(&mut tx, user_id, target.id, new.role, None, now).await?;
    audit::record(
        &mut tx,
        None,
        "grant.add",
        &format!("user:{user_id}"),
        Some(&format!("{} at {} (CLI)", new.role, target.name)),
        now,
    )
    .await?;
    let link = if new.invite && existing.is_none() {
        let token = SecretToken::generate();
        sessions::create_account_token(
            &mut tx,
            &token.hash(),
            user_id,
            TokenPurpose::Invitation,
            now,
            now + Duration::days(CLI_INVITATION_DAYS),
        )
        .await?;
        Some(app.config.public_url.link(&format!("/invitations/{}", token.expose())))
    } else {
        None
    };
    tx.commit().await?;
    Ok(AddedPerson { user_id, existed: existing.is_some(), granted, org: target, created_program, link })
}

/// Sends a person who has not accepted their invitation a new invitation email (the link in
/// it works for the usual time; earlier links keep working until they expire).
pub async fn resend_invitation(app: &App, actor: Actor<'_>, user_id: i64) -> Result<()> {
    let person = users::get(&app.store, user_id).await?.ok_or(Error::NotFound)?;
    if person.status != academy_core::user::UserStatus::Invited {
        return Err(Error::Refused(format!("{} has already accepted their invitation.", person.display_name)));
    }
    let now = time::now();
    // At most one new email per person per five minutes, however often the button is pressed.
    let bucket = now.timestamp() / 300;
    let job = SendAccountEmail {
        user_id,
        purpose: Purpose::Invitation,
        request_key: format!("reinvite:{user_id}:{bucket}"),
        invited_by: Some(actor.display_name.to_owned()),
    };
    let mut tx = app.store.begin().await?;
    jobs::enqueue(&mut tx, &job, now, now).await?;
    audit::record(&mut tx, Some(actor.user_id), "invitation.resend", &format!("user:{user_id}"), None, now).await?;
    tx.commit().await?;
    Ok(())
}
