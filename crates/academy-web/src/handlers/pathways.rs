//! Pathways (micro-credentials made of several items) and cohorts.

use super::see_other;
use crate::context::RequestContext;
use crate::error::WebError;
use crate::learn_pages::markdown_in_section;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::learn::pathways::{self as learn, NewCohort, earned_hours, is_complete};
use academy_core::access::Permission;
use academy_core::learning::PdHours;
use academy_core::validation::required_text;
use academy_core::{Email, FieldErrors};
use academy_store::catalog::ItemStatus;
use academy_store::orgs::Org;
use academy_store::pathways::CohortRole;
use academy_store::pathways::{self, Cohort, CohortMember, Pathway, PathwayItem};
use academy_store::{credentials, orgs};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Template)]
#[template(path = "learn/pathways.html")]
struct PathwaysPage {
    layout: Layout,
    pathways: Vec<(Pathway, PdHours, usize)>,
}

/// Every published pathway.
pub async fn list_pathways(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let mut listed = Vec::new();
    for pathway in pathways::list(&state.app.store, false).await? {
        let items = pathways::items(&state.app.store, pathway.id).await?;
        let hours: PdHours = items.iter().map(|i| PdHours::from_tenths(i.pd_hours_tenths)).sum();
        listed.push((pathway, hours, items.len()));
    }
    Ok(render_page(&PathwaysPage { layout: Layout::new("Pathways", Some(&ctx)), pathways: listed })?.into_response())
}

struct ItemLine {
    item: PathwayItem,
    done: bool,
}

#[derive(Template)]
#[template(path = "learn/pathway.html")]
struct PathwayPage {
    layout: Layout,
    pathway: Pathway,
    description: String,
    criteria: String,
    required: Vec<ItemLine>,
    optional: Vec<ItemLine>,
    complete: bool,
    earned: PdHours,
    member: bool,
    credential: Option<String>,
}

/// A pathway and the person's progress on it.
pub async fn show_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let pathway = pathways::by_slug(&state.app.store, &slug).await?.ok_or(WebError::NotFound)?;
    if pathway.status != ItemStatus::Published
        && !(session.principal.can_somewhere(Permission::AuthorContent)
            && academy_app::authoring::may_author(&state.app, &session.principal, pathway.owner_org_id).await?)
    {
        // A draft is its owner's authors' to see.
        return Err(WebError::NotFound);
    }
    let items = pathways::items(&state.app.store, pathway.id).await?;
    let done: HashSet<i64> =
        pathways::completed_items(&state.app.store, pathway.id, session.user_id).await?.into_iter().collect();
    let member = pathways::mine(&state.app.store, session.user_id).await?.iter().any(|p| p.id == pathway.id);
    let credential = credentials::for_user(&state.app.store, session.user_id)
        .await?
        .into_iter()
        .find(|c| c.pathway_id == Some(pathway.id))
        .map(|c| c.id);
    let (required, optional): (Vec<_>, Vec<_>) = items
        .iter()
        .cloned()
        .map(|item| ItemLine { done: done.contains(&item.item_id), item })
        .partition(|l| l.item.required);
    let page = PathwayPage {
        layout: Layout::new(pathway.title.clone(), Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        description: markdown_in_section(&pathway.description_md),
        criteria: markdown_in_section(&pathway.criteria_md),
        complete: is_complete(&items, pathway.optional_required, &done),
        earned: earned_hours(&items, &done),
        required,
        optional,
        member,
        credential,
        pathway,
    };
    Ok(render_page(&page)?.into_response())
}

/// Adds a pathway to "my learning".
pub async fn join_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    learn::join(&state.app, session.user_id, &slug).await?;
    Ok(see_other(&format!("/learn/pathways/{slug}?notice=joined")))
}

#[derive(Template)]
#[template(path = "learn/cohort.html")]
struct CohortPage {
    layout: Layout,
    cohort: Cohort,
    org: Org,
    pathway: Option<Pathway>,
    pathway_items: usize,
    members: Vec<CohortMember>,
    can_manage: bool,
    errors: FieldErrors,
    email: String,
}

async fn cohort_page(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
    errors: FieldErrors,
    email: String,
    notice: Option<String>,
) -> Result<CohortPage, WebError> {
    let session = ctx.session()?;
    let cohort = pathways::cohort(&state.app.store, id).await?.ok_or(WebError::NotFound)?;
    let org = orgs::get(&state.app.store, cohort.org_id).await?.ok_or(WebError::NotFound)?;
    let pathway = match cohort.pathway_id {
        Some(p) => pathways::get(&state.app.store, p).await?,
        None => None,
    };
    let pathway_items = match &pathway {
        Some(p) => pathways::items(&state.app.store, p.id).await?.len(),
        None => 0,
    };
    Ok(CohortPage {
        layout: Layout::new(cohort.name.clone(), Some(ctx)).with_notice(notice),
        members: pathways::cohort_members(&state.app.store, &cohort).await?,
        can_manage: session.principal.can(Permission::ManageCohorts, &org.path),
        pathway,
        pathway_items,
        org,
        cohort,
        errors,
        email,
    })
}

/// A cohort: its people and their progress on its pathway.
pub async fn show_cohort(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    Ok(render_page(
        &cohort_page(&state, &ctx, id, FieldErrors::new(), String::new(), notice_text(query.notice.as_deref())).await?,
    )?
    .into_response())
}

/// Fields of the add-member form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    email: String,
    role: String,
}

/// Adds someone to a cohort (as a member or its facilitator).
pub async fn add_cohort_member(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<MemberForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let again = |errors: FieldErrors| async {
        let page = cohort_page(&state, &ctx, id, errors, form.email.clone(), None).await?;
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            let mut errors = FieldErrors::new();
            errors.add("email", e.to_string());
            return again(errors).await;
        }
    };
    let role = if form.role == "facilitator" { CohortRole::Facilitator } else { CohortRole::Member };
    match learn::add_cohort_member(&state.app, session.actor(), id, &email, role).await {
        Ok(learn::CohortAdd::Added) => Ok(see_other(&format!("/cohorts/{id}?notice=member-added"))),
        Ok(learn::CohortAdd::AskedToAccept) => Ok(see_other(&format!("/cohorts/{id}?notice=member-offered"))),
        Err(academy_app::Error::Invalid(errors)) => again(errors).await,
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "learn/cohort_new.html")]
struct NewCohortPage {
    layout: Layout,
    org: Org,
    pathways: Vec<Pathway>,
    form: CohortForm,
    errors: FieldErrors,
}

/// Fields of the new-cohort form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CohortForm {
    name: String,
    pathway: String,
    starts_on: String,
    ends_on: String,
}

/// The form for a new cohort at an organization.
pub async fn new_cohort(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(org_id): Path<i64>,
) -> Result<Response, WebError> {
    let org = orgs::get(&state.app.store, org_id).await?.ok_or(WebError::NotFound)?;
    let page = NewCohortPage {
        layout: Layout::new(format!("New cohort at {}", org.name), Some(&ctx)),
        org,
        pathways: pathways::list(&state.app.store, false).await?,
        form: CohortForm::default(),
        errors: FieldErrors::new(),
    };
    Ok(render_page(&page)?.into_response())
}

fn parse_date(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(date.to_string()),
        Err(_) => {
            errors.add(field, "Enter a date as YYYY-MM-DD.");
            None
        }
    }
}

/// Creates a cohort.
pub async fn create_cohort(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(org_id): Path<i64>,
    axum::Form(form): axum::Form<CohortForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let org = orgs::get(&state.app.store, org_id).await?.ok_or(WebError::NotFound)?;
    let all = pathways::list(&state.app.store, false).await?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", required_text(&form.name, "Name", 200));
    let pathway = if form.pathway.is_empty() {
        None
    } else {
        let found = all.iter().find(|p| p.slug == form.pathway).map(|p| p.id);
        if found.is_none() {
            errors.add("pathway", "Choose a pathway from the list.");
        }
        found
    };
    let starts = parse_date(&form.starts_on, "starts_on", &mut errors);
    let ends = parse_date(&form.ends_on, "ends_on", &mut errors);
    if let (Some(s), Some(e)) = (&starts, &ends)
        && e < s
    {
        errors.add("ends_on", "The cohort must end after it starts.");
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        let page = NewCohortPage {
            layout: Layout::new(format!("New cohort at {}", org.name), Some(&ctx)),
            org,
            pathways: all,
            form,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let new = NewCohort { name, pathway_id: pathway, dates: (starts, ends) };
    let id = learn::create_cohort(&state.app, session.actor(), &org, &new).await?;
    Ok(see_other(&format!("/cohorts/{id}?notice=cohort-created")))
}
