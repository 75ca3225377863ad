//! Pathways (micro-credentials made of several items) and cohorts.

use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::learn::pathways::{earned_hours, is_complete};
use crate::learn_pages::markdown_in_section;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_core::access::Permission;
use academy_core::learning::PdHours;
use academy_core::validation::required_text;
use academy_core::{Email, FieldErrors, time};
use academy_store::catalog::ItemStatus;
use academy_store::orgs::Org;
use academy_store::pathways::{self, Cohort, CohortMember, Pathway, PathwayItem};
use academy_store::{audit, credentials, orgs, users};
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
pub async fn list_pathways(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, AppError> {
    let mut listed = Vec::new();
    for pathway in pathways::list(&state.store, false).await? {
        let items = pathways::items(&state.store, pathway.id).await?;
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
) -> Result<Response, AppError> {
    let session = ctx.session()?;
    let pathway = pathways::by_slug(&state.store, &slug).await?.ok_or(AppError::NotFound)?;
    if pathway.status != ItemStatus::Published && !session.principal.can_somewhere(Permission::AuthorContent) {
        return Err(AppError::NotFound);
    }
    let items = pathways::items(&state.store, pathway.id).await?;
    let done: HashSet<i64> =
        pathways::completed_items(&state.store, pathway.id, session.user_id).await?.into_iter().collect();
    let member = pathways::mine(&state.store, session.user_id).await?.iter().any(|p| p.id == pathway.id);
    let credential = credentials::for_user(&state.store, session.user_id)
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
) -> Result<Response, AppError> {
    let session = ctx.session()?;
    let pathway = pathways::by_slug(&state.store, &slug)
        .await?
        .filter(|p| p.status == ItemStatus::Published)
        .ok_or(AppError::NotFound)?;
    let mut tx = state.store.begin().await?;
    pathways::join(&mut tx, pathway.id, session.user_id, time::now()).await?;
    tx.commit().await?;
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
) -> Result<CohortPage, AppError> {
    let session = ctx.session()?;
    let cohort = pathways::cohort(&state.store, id).await?.ok_or(AppError::NotFound)?;
    let org = orgs::get(&state.store, cohort.org_id).await?.ok_or(AppError::NotFound)?;
    let pathway = match cohort.pathway_id {
        Some(p) => pathways::get(&state.store, p).await?,
        None => None,
    };
    let pathway_items = match &pathway {
        Some(p) => pathways::items(&state.store, p.id).await?.len(),
        None => 0,
    };
    Ok(CohortPage {
        layout: Layout::new(cohort.name.clone(), Some(ctx)).with_notice(notice),
        members: pathways::cohort_members(&state.store, &cohort).await?,
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
) -> Result<Response, AppError> {
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
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let cohort = pathways::cohort(&state.store, id).await?.ok_or(AppError::NotFound)?;
    let org = orgs::get(&state.store, cohort.org_id).await?.ok_or(AppError::NotFound)?;
    if !session.principal.can(Permission::ManageCohorts, &org.path) {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let role = if form.role == "facilitator" { "facilitator" } else { "member" };
    let person = match &email {
        Some(email) => users::by_email(&state.store, email).await?,
        None => None,
    };
    let Some(person) = person else {
        if errors.is_empty() {
            errors
                .add("email", "Nobody has an account with this email address. Invite them to the organization first.");
        }
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &cohort_page(&state, &ctx, id, errors, form.email.clone(), None).await?,
        );
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    pathways::add_cohort_member(&mut tx, id, person.id, role, now).await?;
    if role == "facilitator" {
        // Facilitating a cohort is facilitating at its organization: a real, visible grant.
        academy_store::users::add_grant(
            &mut tx,
            person.id,
            org.id,
            academy_core::Role::Facilitator,
            Some(session.user_id),
            now,
        )
        .await?;
    }
    if let Some(pathway_id) = cohort.pathway_id {
        pathways::join(&mut tx, pathway_id, person.id, now).await?;
    }
    audit::record(
        &mut tx,
        Some(session.user_id),
        "cohort.add_member",
        &format!("cohort:{id}"),
        Some(person.email.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/cohorts/{id}?notice=member-added")))
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
) -> Result<Response, AppError> {
    let org = orgs::get(&state.store, org_id).await?.ok_or(AppError::NotFound)?;
    let page = NewCohortPage {
        layout: Layout::new(format!("New cohort at {}", org.name), Some(&ctx)),
        org,
        pathways: pathways::list(&state.store, false).await?,
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
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let org = orgs::get(&state.store, org_id).await?.ok_or(AppError::NotFound)?;
    let all = pathways::list(&state.store, false).await?;
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
    let now = time::now();
    let mut tx = state.store.begin().await?;
    let id =
        pathways::create_cohort(&mut tx, &name, org.id, pathway, (starts, ends), Some(session.user_id), now).await?;
    pathways::add_cohort_member(&mut tx, id, session.user_id, "facilitator", now).await?;
    audit::record(&mut tx, Some(session.user_id), "cohort.create", &format!("cohort:{id}"), Some(&name), now).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/cohorts/{id}?notice=cohort-created")))
}
