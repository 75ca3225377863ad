//! Administering the organization tree: browsing, creating and editing nodes, the people at a
//! node, inviting people and granting roles (offered instead, to people outside the admin's
//! scope, with the same message whether or not the email has an account).

use super::see_other;
use crate::context::{RequestContext, Session};
use crate::error::WebError;
use crate::pages::{Layout, Pager, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::{orgs as app_orgs, people};
use academy_core::access::{Permission, Role};
use academy_core::org::NewOrg;
use academy_core::validation::required_text;
use academy_core::{Email, FieldErrors, Locale, NcesId, OrgKind, UsState};
use academy_store::orgs::{Org, OrgUpdate, OrgWithCount};
use academy_store::users::Member;
use academy_store::{orgs, users};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use strum::IntoEnumIterator;

/// A link in the breadcrumb trail.
struct Crumb {
    id: i64,
    name: String,
    linked: bool,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct OrgListPage {
    layout: Layout,
    scopes: Vec<Org>,
}

/// The top nodes the person may browse; straight to it when there is one.
pub async fn list_orgs(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let scopes = session.principal.scopes(Permission::ViewOrgTree);
    if let [only] = scopes.as_slice() {
        return Ok(see_other(&format!("/admin/orgs/{}", only.org_id)));
    }
    let mut nodes = Vec::new();
    for scope in scopes {
        if let Some(org) = orgs::get(&state.app.store, scope.org_id).await? {
            nodes.push(org);
        }
    }
    Ok(render_page(&OrgListPage { layout: Layout::new("Organizations", Some(&ctx)), scopes: nodes })?.into_response())
}

#[derive(Template)]
#[template(path = "orgs/show.html")]
struct OrgPage {
    layout: Layout,
    org: Org,
    crumbs: Vec<Crumb>,
    children: Vec<OrgWithCount>,
    child_total: i64,
    search: String,
    results: Option<Vec<Org>>,
    pager: Pager,
    child_kinds: Vec<OrgKind>,
    can_manage: bool,
    can_invite: bool,
    can_grant: bool,
    can_cohorts: bool,
    cohorts: Vec<academy_store::pathways::Cohort>,
    grantable: Vec<Role>,
    errors: FieldErrors,
    grant_email: String,
}

/// `?q=`, `?page=` and `?notice=` on list pages.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
    notice: Option<String>,
}

async fn load_org(state: &AppState, id: i64) -> Result<Org, WebError> {
    orgs::get(&state.app.store, id).await?.ok_or(WebError::NotFound)
}

async fn crumbs(state: &AppState, session: &Session, org: &Org) -> Result<Vec<Crumb>, WebError> {
    Ok(orgs::lineage(&state.app.store, &org.path)
        .await?
        .into_iter()
        .filter(|o| o.id != org.id)
        .map(|o| Crumb { linked: session.principal.can(Permission::ViewOrgTree, &o.path), id: o.id, name: o.name })
        .collect())
}

fn grantable(session: &Session, org: &Org) -> Vec<Role> {
    Role::iter().filter(|r| session.principal.can_grant(*r, &org.path)).collect()
}

async fn org_page(
    state: &AppState,
    ctx: &RequestContext,
    org: Org,
    query: &ListQuery,
    errors: FieldErrors,
    grant_email: String,
) -> Result<OrgPage, WebError> {
    let session = ctx.session()?;
    let mut pager = Pager::new(query.page, 50);
    let search = query.q.clone().unwrap_or_default().trim().to_owned();
    let results = if search.is_empty() {
        None
    } else {
        Some(orgs::search(&state.app.store, &org.path, &search, None, 100).await?)
    };
    let children = pager.trim(orgs::children(&state.app.store, org.id, pager.fetch_limit(), pager.offset()).await?);
    let p = &session.principal;
    Ok(OrgPage {
        layout: Layout::new(org.name.clone(), Some(ctx)).with_notice(notice_text(query.notice.as_deref())),
        crumbs: crumbs(state, session, &org).await?,
        child_total: orgs::count_children(&state.app.store, org.id).await?,
        children,
        search,
        results,
        pager,
        child_kinds: org.kind.child_kinds(),
        can_manage: p.can(Permission::ManageOrgs, &org.path),
        can_invite: p.can(Permission::InviteUsers, &org.path),
        can_grant: p.can(Permission::GrantRoles, &org.path),
        can_cohorts: p.can(Permission::ManageCohorts, &org.path),
        cohorts: academy_store::pathways::cohorts_within(&state.app.store, &org.path).await?,
        grantable: grantable(session, &org),
        org,
        errors,
        grant_email,
    })
}

/// One node: its attributes, the nodes below it, and what may be done here.
pub async fn show_org(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let org = load_org(&state, id).await?;
    Ok(render_page(&org_page(&state, &ctx, org, &query, FieldErrors::new(), String::new()).await?)?.into_response())
}

#[derive(Template)]
#[template(path = "orgs/form.html")]
struct OrgFormPage {
    layout: Layout,
    action: String,
    parent: Option<Org>,
    kinds: Vec<OrgKind>,
    form: OrgForm,
    states: Vec<&'static str>,
    locales: Vec<Locale>,
    errors: FieldErrors,
    submit_label: &'static str,
}

impl OrgFormPage {
    fn is_school(&self) -> bool {
        self.form.kind == OrgKind::School.as_str()
    }
    fn has_nces(&self) -> bool {
        self.form.kind == OrgKind::School.as_str() || self.form.kind == OrgKind::District.as_str()
    }
}

/// Fields of the organization form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct OrgForm {
    kind: String,
    name: String,
    state: String,
    nces_id: String,
    locale: String,
    title_i: String,
}

/// The parsed form: kind and attributes checked field by field.
struct ParsedOrg {
    kind: OrgKind,
    name: String,
    state: Option<UsState>,
    nces_id: Option<NcesId>,
    locale: Option<Locale>,
    title_i: Option<bool>,
}

fn parse_org_form(form: &OrgForm, allowed_kinds: &[OrgKind]) -> Result<ParsedOrg, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = match form.kind.parse::<OrgKind>() {
        Ok(kind) if allowed_kinds.contains(&kind) => Some(kind),
        _ => {
            errors.add("kind", "Choose what kind of organization this is.");
            None
        }
    };
    let name = errors.check("name", required_text(&form.name, "Name", 200));
    let state = if form.state.trim().is_empty() { None } else { errors.check("state", UsState::parse(&form.state)) };
    let mut nces_id = None;
    let mut locale = None;
    let mut title_i = None;
    if let Some(kind) = kind {
        if matches!(kind, OrgKind::School | OrgKind::District) && !form.nces_id.trim().is_empty() {
            nces_id = errors.check("nces_id", NcesId::parse(&form.nces_id, kind));
        }
        if kind == OrgKind::School {
            if !form.locale.is_empty() {
                locale = errors.check("locale", form.locale.parse::<Locale>().map_err(|_| "Choose a locale."));
            }
            title_i = match form.title_i.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
        }
    }
    match (kind, name) {
        (Some(kind), Some(name)) if errors.is_empty() => {
            let parsed = ParsedOrg { kind, name, state, nces_id, locale, title_i };
            let shape = NewOrg {
                parent_id: None,
                kind,
                name: parsed.name.clone(),
                state,
                nces_id: parsed.nces_id.clone(),
                locale,
                title_i,
            };
            shape.check_attributes().map(|()| parsed)
        }
        _ => Err(errors),
    }
}

/// What an organization form is for: adding below a parent, or editing a node.
struct FormTarget {
    title: String,
    action: String,
    parent: Option<Org>,
    kinds: Vec<OrgKind>,
    submit_label: &'static str,
}

impl FormTarget {
    fn new_child(parent: Org) -> Self {
        Self {
            title: format!("Add an organization to {}", parent.name),
            action: format!("/admin/orgs/{}/children/new", parent.id),
            kinds: parent.kind.child_kinds(),
            parent: Some(parent),
            submit_label: "Create",
        }
    }

    fn edit(org: &Org) -> Self {
        Self {
            title: format!("Edit {}", org.name),
            action: format!("/admin/orgs/{}/edit", org.id),
            parent: None,
            kinds: vec![org.kind],
            submit_label: "Save",
        }
    }

    fn page(self, ctx: &RequestContext, form: OrgForm, errors: FieldErrors) -> OrgFormPage {
        OrgFormPage {
            layout: Layout::new(self.title, Some(ctx)),
            action: self.action,
            parent: self.parent,
            kinds: self.kinds,
            form,
            states: UsState::all().map(UsState::as_str).collect(),
            locales: Locale::iter().collect(),
            errors,
            submit_label: self.submit_label,
        }
    }
}

/// `?kind=` on the new-child form.
#[derive(Debug, Default, Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// The form for a node below `id`.
pub async fn new_child_org(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<KindQuery>,
) -> Result<Response, WebError> {
    let parent = load_org(&state, id).await?;
    let kinds = parent.kind.child_kinds();
    let Some(first) = kinds.first() else {
        let kind = parent.kind.label().to_lowercase();
        return Err(WebError::BadRequest(format!("Nothing can be placed below a {kind}.")));
    };
    let kind =
        query.kind.filter(|k| kinds.iter().any(|c| c.as_str() == k)).unwrap_or_else(|| first.as_str().to_owned());
    let form = OrgForm { kind, state: parent.state.clone().unwrap_or_default(), ..OrgForm::default() };
    Ok(render_page(&FormTarget::new_child(parent).page(&ctx, form, FieldErrors::new()))?.into_response())
}

/// The form again with its errors, or the NCES-id conflict turned into one.
fn form_again(
    ctx: &RequestContext,
    target: FormTarget,
    form: OrgForm,
    error: FormProblem,
) -> Result<Response, WebError> {
    let (status, errors) = match error {
        FormProblem::Fields(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        FormProblem::Taken(field) => {
            let mut errors = FieldErrors::new();
            errors.add(&field, "Another organization already has this NCES id.");
            (StatusCode::CONFLICT, errors)
        }
    };
    render_with_status(status, &target.page(ctx, form, errors))
}

enum FormProblem {
    Fields(FieldErrors),
    Taken(String),
}

/// Creates a node below `id`.
pub async fn create_child_org(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(form): Form<OrgForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let parent = load_org(&state, id).await?;
    let parsed = match parse_org_form(&form, &parent.kind.child_kinds()) {
        Ok(parsed) => parsed,
        Err(errors) => return form_again(&ctx, FormTarget::new_child(parent), form, FormProblem::Fields(errors)),
    };
    let new = NewOrg {
        parent_id: Some(parent.id),
        kind: parsed.kind,
        name: parsed.name,
        state: parsed.state,
        nces_id: parsed.nces_id,
        locale: parsed.locale,
        title_i: parsed.title_i,
    };
    let created = match app_orgs::create_child(&state.app, session.actor(), &parent, new).await {
        Ok(created) => created,
        Err(academy_app::Error::Conflict { field, .. }) => {
            return form_again(&ctx, FormTarget::new_child(parent), form, FormProblem::Taken(field));
        }
        Err(other) => return Err(other.into()),
    };
    Ok(see_other(&format!("/admin/orgs/{}?notice=org-created", created.id)))
}

/// The form to edit a node.
pub async fn edit_org(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let org = load_org(&state, id).await?;
    let title_i = match org.title_i {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let form = OrgForm {
        kind: org.kind.as_str().to_owned(),
        name: org.name.clone(),
        state: org.state.clone().unwrap_or_default(),
        nces_id: org.nces_id.clone().unwrap_or_default(),
        locale: org.locale.clone().unwrap_or_default(),
        title_i: title_i.to_owned(),
    };
    Ok(render_page(&FormTarget::edit(&org).page(&ctx, form, FieldErrors::new()))?.into_response())
}

/// Saves a node's attributes.
pub async fn update_org(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(mut form): Form<OrgForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let org = load_org(&state, id).await?;
    form.kind = org.kind.as_str().to_owned();
    let parsed = match parse_org_form(&form, &[org.kind]) {
        Ok(parsed) => parsed,
        Err(errors) => return form_again(&ctx, FormTarget::edit(&org), form, FormProblem::Fields(errors)),
    };
    let update = OrgUpdate {
        name: parsed.name,
        state: parsed.state,
        nces_id: parsed.nces_id,
        locale: parsed.locale,
        title_i: parsed.title_i,
    };
    match app_orgs::update(&state.app, session.actor(), id, &update).await {
        Ok(_) => {}
        Err(academy_app::Error::Conflict { field, .. }) => {
            return form_again(&ctx, FormTarget::edit(&org), form, FormProblem::Taken(field));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(see_other(&format!("/admin/orgs/{id}?notice=org-updated")))
}

#[derive(Template)]
#[template(path = "orgs/members.html")]
struct MembersPage {
    layout: Layout,
    org: Org,
    members: Vec<Member>,
    search: String,
    pager: Pager,
    can_invite: bool,
}

/// The people at and below a node.
pub async fn list_members(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let org = load_org(&state, id).await?;
    let search = query.q.clone().unwrap_or_default().trim().to_owned();
    let mut pager = Pager::new(query.page, 50);
    let members =
        pager.trim(users::members(&state.app.store, &org.path, &search, pager.fetch_limit(), pager.offset()).await?);
    let page = MembersPage {
        layout: Layout::new(format!("People in {}", org.name), Some(&ctx)),
        can_invite: session.principal.can(Permission::InviteUsers, &org.path),
        org,
        members,
        search,
        pager,
    };
    Ok(render_page(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "orgs/invite.html")]
struct InvitePage {
    layout: Layout,
    org: Org,
    roles: Vec<Role>,
    form: InviteForm,
    errors: FieldErrors,
}

/// Fields of the invitation form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    display_name: String,
    role: String,
}

/// The form to invite someone to a node.
pub async fn show_invite(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let org = load_org(&state, id).await?;
    let roles = grantable(session, &org);
    let form = InviteForm { role: Role::Teacher.as_str().to_owned(), ..InviteForm::default() };
    let page = InvitePage {
        layout: Layout::new(format!("Invite someone to {}", org.name), Some(&ctx)),
        org,
        roles,
        form,
        errors: FieldErrors::new(),
    };
    Ok(render_page(&page)?.into_response())
}

/// Invites someone to a node.
pub async fn invite_member(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let org = load_org(&state, id).await?;
    let again = |org: Org, errors: FieldErrors, status: StatusCode, form: InviteForm| {
        let roles = grantable(&session, &org);
        let page = InvitePage {
            layout: Layout::new(format!("Invite someone to {}", org.name), Some(&ctx)),
            org,
            roles,
            form,
            errors,
        };
        render_with_status(status, &page)
    };
    let invitation =
        match people::parse_invitation(&session.principal, &org, &form.email, &form.display_name, &form.role) {
            Ok(invitation) => invitation,
            Err(errors) => return again(org, errors, StatusCode::UNPROCESSABLE_ENTITY, form),
        };
    match people::invite_or_offer(&state.app, session.actor(), &org, &invitation).await {
        Ok(people::InviteOutcome::Invited) => Ok(see_other(&format!("/admin/orgs/{id}?notice=invited"))),
        Err(academy_app::Error::Conflict { field, .. }) if field == "email" => {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                "This person already has an account. Use “Grant a role” on the organization page instead.",
            );
            again(org, errors, StatusCode::CONFLICT, form)
        }
        Err(other) => Err(other.into()),
    }
}

/// Fields of the grant-role form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    email: String,
    role: String,
}

/// Grants a role at a node to someone who already has an account.
pub async fn grant_role(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let org = load_org(&state, id).await?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let role = errors.check("role", Role::try_from(form.role.clone()));
    let outcome = match (email, role) {
        (Some(email), Some(role)) if errors.is_empty() => {
            people::grant_role(&state.app, session.actor(), &org, &email, role).await
        }
        _ => Err(academy_app::Error::Invalid(errors)),
    };
    match outcome {
        Ok(outcome) => {
            let notice = match outcome {
                people::GrantOutcome::Granted => "granted",
                people::GrantOutcome::AlreadyHeld => "already-granted",
                people::GrantOutcome::AskedToAccept => "offered",
            };
            Ok(see_other(&format!("/admin/orgs/{id}?notice={notice}")))
        }
        Err(academy_app::Error::Invalid(errors)) => {
            let query = ListQuery::default();
            let page = org_page(&state, &ctx, org, &query, errors, form.email.trim().to_owned()).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}
