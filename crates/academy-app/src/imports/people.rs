//! People from a CSV file (`name,email,org,role`): checked completely and shown as a preview
//! (who gets an invitation, who gets a role on an account they have), then applied in one
//! transaction, all or nothing. `org` is an organization's number or NCES id, within what the
//! admin may grant roles at.
//!
//! Someone who already has an account outside the admin's organizations is not added by a
//! file: a role there is offered one person at a time, so that they can accept it.

use crate::account_emails::{Purpose, SendAccountEmail};
use crate::{Actor, App, Error, Result};
use academy_core::access::Role;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, OrgKind, time};
use academy_store::orgs::{self, Org};
use academy_store::{audit, jobs, users};
use std::collections::HashSet;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

/// What applying a row will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Make an account and email an invitation to choose a password.
    Invite,
    /// Grant the role on the account the person has.
    Grant,
    /// Nothing: they already hold the role there.
    AlreadyHeld,
}

/// A checked row.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    /// The file's line.
    pub line: usize,
    /// Their name.
    pub name: DisplayName,
    /// Their email.
    pub email: Email,
    /// Where the role applies.
    pub org: Org,
    /// The role.
    pub role: Role,
    /// What applying does.
    pub action: Action,
    /// Their account, when they have one.
    pub user_id: Option<i64>,
}

/// A checked file: its rows, or every problem by line and column.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The rows, in file order.
    pub rows: Vec<PlannedRow>,
}

impl Plan {
    /// How many rows do `action`.
    pub fn count(&self, action: &Action) -> usize {
        self.rows.iter().filter(|r| r.action == *action).count()
    }
}

/// Checks a whole file against what `actor` may do below `within` (an org they administer).
/// Problems are [`Error::Rejected`] lines: `people.csv:LINE: COLUMN: message`.
pub async fn plan(app: &App, actor: Actor<'_>, within: &Org, file_name: &str, text: &str) -> Result<Plan> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Rejected(vec![format!("{file_name}:1: the header row could not be read: {e}")]))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_name), Some(c_email), Some(c_org), Some(c_role)) =
        (column("name"), column("email"), column("org"), column("role"))
    else {
        return Err(Error::Rejected(vec![format!(
            "{file_name}:1: the header must name the columns name, email, org and role (found: {})",
            headers.join(", ")
        )]));
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if rows.len() + problems.len() >= MAX_ROWS {
            problems.push(format!("{file_name}:{line}: the file has more than {MAX_ROWS} rows; split it"));
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("{file_name}:{line}: the row could not be read: {e}"));
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or_default();
        let before = problems.len();
        let name =
            DisplayName::parse(field(c_name)).map_err(|e| problems.push(format!("{file_name}:{line}: name: {e}"))).ok();
        let email =
            Email::parse(field(c_email)).map_err(|e| problems.push(format!("{file_name}:{line}: email: {e}"))).ok();
        if let Some(email) = &email
            && !seen.insert(email.as_str().to_owned())
        {
            problems.push(format!("{file_name}:{line}: email: {email} is already on an earlier row"));
        }
        let role = Role::try_from(field(c_role).to_owned())
            .map_err(|e| problems.push(format!("{file_name}:{line}: role: {e}")))
            .ok();
        let org = find_org(app, field(c_org)).await?;
        let org = match org {
            Some(org) if !within.path.contains(&org.path) => {
                problems.push(format!("{file_name}:{line}: org: {} is not within {}", org.name, within.name));
                None
            }
            Some(org) => Some(org),
            None => {
                problems.push(format!(
                    "{file_name}:{line}: org: no organization has the number or NCES id '{}'",
                    field(c_org)
                ));
                None
            }
        };
        if let (Some(org), Some(role)) = (&org, role)
            && !actor.principal.can_grant(role, &org.path)
        {
            problems.push(format!(
                "{file_name}:{line}: role: you cannot grant the {} role at {}",
                role.label().to_lowercase(),
                org.name
            ));
        }
        let (Some(name), Some(email), Some(org), Some(role)) = (name, email, org, role) else { continue };
        if problems.len() > before {
            continue;
        }
        let existing = users::by_email(&app.store, &email).await?;
        let action = match &existing {
            None => Action::Invite,
            Some(user) => {
                let grants = users::grants(&app.store, user.id).await?;
                if grants.iter().any(|g| g.org_id == org.id && g.role == role) {
                    Action::AlreadyHeld
                } else if inside(app, user, &grants, within).await? {
                    Action::Grant
                } else {
                    problems.push(format!(
                        "{file_name}:{line}: email: {email} has an account outside {}; offer them the role from the \\
                         organization's page, so that they can accept it",
                        within.name
                    ));
                    continue;
                }
            }
        };
        rows.push(PlannedRow { line, name, email, org, role, action, user_id: existing.map(|u| u.id) });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(format!("{file_name}: the file has no rows below its header"));
    }
    if !problems.is_empty() {
        return Err(Error::Rejected(problems));
    }
    Ok(Plan { rows })
}

/// Whether a person has a place (school, local or a role) within `within`.
async fn inside(app: &App, user: &users::User, grants: &[users::GrantRow], within: &Org) -> Result<bool> {
    if grants.iter().any(|g| within.path.contains(&g.org_path)) {
        return Ok(true);
    }
    for id in [user.school_id, user.local_id].into_iter().flatten() {
        if let Some(org) = orgs::get(&app.store, id).await?
            && within.path.contains(&org.path)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn find_org(app: &App, key: &str) -> Result<Option<Org>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    if key.len() < 7
        && let Ok(id) = key.parse::<i64>()
    {
        return Ok(orgs::get(&app.store, id).await?);
    }
    Ok(orgs::by_nces_id(&app.store, key).await?)
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Accounts made and invited.
    pub invited: usize,
    /// Roles granted on existing accounts.
    pub granted: usize,
}

/// Applies a checked plan in one transaction: accounts, roles and invitation emails together.
/// The file is checked again first, so a plan shown as a preview and applied later stays right.
pub async fn apply(app: &App, actor: Actor<'_>, within: &Org, file_name: &str, text: &str) -> Result<Applied> {
    let plan = plan(app, actor, within, file_name, text).await?;
    let now = time::now();
    let mut applied = Applied::default();
    let mut tx = app.store.begin().await?;
    for row in &plan.rows {
        let user_id = match (&row.action, row.user_id) {
            (Action::AlreadyHeld, _) => continue,
            (Action::Grant, Some(id)) => {
                applied.granted += 1;
                id
            }
            _ => {
                let new = NewUser {
                    email: row.email.clone(),
                    display_name: row.name.clone(),
                    password_hash: None,
                    school_id: (row.org.kind == OrgKind::School).then_some(row.org.id),
                    local_id: (row.org.kind == OrgKind::LocalUnion).then_some(row.org.id),
                };
                let id = users::create(&mut tx, &new, now).await?;
                let job = SendAccountEmail {
                    user_id: id,
                    purpose: Purpose::Invitation,
                    request_key: format!("invite:{id}:{}", uuid::Uuid::new_v4()),
                    invited_by: Some(actor.display_name.to_owned()),
                };
                jobs::enqueue(&mut tx, &job, now, now).await?;
                applied.invited += 1;
                id
            }
        };
        users::add_grant(&mut tx, user_id, row.org.id, row.role, Some(actor.user_id), now).await?;
    }
    let detail = format!("{} invited, {} granted, from {file_name}", applied.invited, applied.granted);
    audit::record(&mut tx, Some(actor.user_id), "people.import", &format!("org:{}", within.id), Some(&detail), now)
        .await?;
    tx.commit().await?;
    Ok(applied)
}
