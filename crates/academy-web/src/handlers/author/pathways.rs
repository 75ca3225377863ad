//! The pathway form (one form, two modes: a new pathway or an existing one).

use super::{all_items, field, form_pairs, is_slug};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::pages::{Layout, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::pathways as authoring;
use academy_app::orgs::{self as app_orgs, OrgChoice};
use academy_core::FieldErrors;
use academy_core::access::Permission;
use academy_core::learning::slug_from_title;
use academy_core::validation::required_text;
use academy_store::catalog::{ItemCard, ItemStatus};
use academy_store::pathways::{self, NewPathway, Pathway};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "author/pathway_form.html")]
struct PathwayFormPage {
    layout: Layout,
    action: String,
    creating: bool,
    form: PathwayForm,
    items: Vec<(ItemCard, &'static str)>,
    /// Where a new pathway may belong.
    owners: Vec<OrgChoice>,
    errors: FieldErrors,
}

/// The pathway form's values.
#[derive(Debug, Clone, Default)]
pub struct PathwayForm {
    slug: String,
    title: String,
    summary: String,
    description: String,
    criteria: String,
    optional_required: String,
    status: String,
    choices: Vec<(String, String)>,
    owner_org_id: String,
}

impl PathwayForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        Self {
            slug: field(pairs, "slug").trim().to_owned(),
            title: field(pairs, "title").to_owned(),
            summary: field(pairs, "summary").to_owned(),
            description: field(pairs, "description").to_owned(),
            criteria: field(pairs, "criteria").to_owned(),
            optional_required: field(pairs, "optional_required").to_owned(),
            status: field(pairs, "status").to_owned(),
            choices: pairs
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("item-").map(|slug| (slug.to_owned(), v.clone())))
                .filter(|(_, v)| v == "required" || v == "optional")
                .collect(),
            owner_org_id: field(pairs, "owner_org_id").trim().to_owned(),
        }
    }

    fn parse(&self, items: &[ItemCard]) -> Result<NewPathway, FieldErrors> {
        let mut errors = FieldErrors::new();
        // Left empty, the URL name is made from the title.
        let slug = if self.slug.is_empty() {
            let made = slug_from_title(&self.title);
            if made.is_none() && !self.title.trim().is_empty() {
                errors.add("slug", "Give it a URL name: the title has too few letters and digits to make one.");
            }
            made.unwrap_or_default()
        } else {
            if !is_slug(&self.slug) {
                errors.add("slug", "Use 3 to 80 lower-case letters, digits and hyphens.");
            }
            self.slug.clone()
        };
        let title = errors.check("title", required_text(&self.title, "Title", 200));
        let summary = errors.check("summary", required_text(&self.summary, "Summary", 400));
        let criteria = errors.check("criteria", required_text(&self.criteria, "Criteria", 4000));
        let mut chosen = Vec::new();
        for (slug, how) in &self.choices {
            match items.iter().find(|i| &i.slug == slug) {
                Some(item) => chosen.push((item.id, how == "required")),
                None => errors.add("items", format!("'{slug}' is not in the catalog.")),
            }
        }
        let optional = chosen.iter().filter(|(_, r)| !r).count() as i64;
        if chosen.is_empty() {
            errors.add("items", "Choose the items of the pathway.");
        }
        let optional_required = match self.optional_required.trim().parse::<i64>() {
            Ok(n) if (0..=optional).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "optional_required",
                    format!("Enter how many optional items must be completed, 0 to {optional}."),
                );
                None
            }
        };
        match (title, summary, criteria, optional_required) {
            (Some(title), Some(summary), Some(criteria_md), Some(optional_required)) if errors.is_empty() => {
                Ok(NewPathway {
                    slug,
                    title,
                    summary,
                    description_md: self.description.trim().to_owned(),
                    criteria_md,
                    optional_required,
                    status: if self.status == "published" { ItemStatus::Published } else { ItemStatus::Draft },
                    items: chosen,
                    owner_org_id: self.owner_org_id.parse().ok(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// The form's page; `items` is what the pathway may be made of, loaded once per request.
async fn pathway_form_page(
    state: &AppState,
    ctx: &RequestContext,
    editing: Option<&Pathway>,
    items: Vec<ItemCard>,
    form: PathwayForm,
    errors: FieldErrors,
) -> Result<PathwayFormPage, WebError> {
    let session = ctx.session()?;
    let items = items
        .into_iter()
        .map(|i| {
            let how = match form.choices.iter().find(|(s, _)| *s == i.slug).map(|(_, h)| h.as_str()) {
                Some("required") => "required",
                Some("optional") => "optional",
                _ => "",
            };
            (i, how)
        })
        .collect();
    let (title, action) = match editing {
        None => ("New pathway".to_owned(), "/author/pathways/new".to_owned()),
        Some(p) => (format!("Edit {}", form.title), format!("/author/pathways/{}/edit", p.slug)),
    };
    let owners = match editing {
        None => app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?,
        Some(_) => Vec::new(),
    };
    Ok(PathwayFormPage {
        layout: Layout::new(title, Some(ctx)),
        action,
        creating: editing.is_none(),
        form,
        items,
        owners,
        errors,
    })
}

/// What a pathway may be made of: published items, and the drafts the person may change.
async fn composable_items(state: &AppState, ctx: &RequestContext) -> Result<Vec<ItemCard>, WebError> {
    let session = ctx.session()?;
    let (changeable, _) = academy_app::authoring::changeable(&state.app, &session.principal).await?;
    Ok(all_items(state)
        .await?
        .into_iter()
        .filter(|i| i.status == ItemStatus::Published || changeable.contains(&i.id))
        .collect())
}

/// The form for a new pathway.
pub async fn new_pathway(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let form = PathwayForm { optional_required: "0".into(), status: "draft".into(), ..PathwayForm::default() };
    let items = composable_items(&state, &ctx).await?;
    let page = pathway_form_page(&state, &ctx, None, items, form, FieldErrors::new()).await?;
    Ok(render_page(&page)?.into_response())
}

/// Creates a pathway.
pub async fn create_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: Bytes,
) -> Result<Response, WebError> {
    save_pathway(&state, &ctx, None, &body).await
}

/// The form to edit a pathway.
pub async fn edit_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let pathway = authoring::pathway(&state.app, &slug).await?;
    let items = pathways::items(&state.app.store, pathway.id).await?;
    let form = PathwayForm {
        slug: pathway.slug.clone(),
        title: pathway.title.clone(),
        summary: pathway.summary.clone(),
        description: pathway.description_md.clone(),
        criteria: pathway.criteria_md.clone(),
        optional_required: pathway.optional_required.to_string(),
        status: pathway.status.as_str().to_owned(),
        choices: items
            .iter()
            .map(|i| (i.slug.clone(), if i.required { "required".into() } else { "optional".into() }))
            .collect(),
        owner_org_id: pathway.owner_org_id.map(|id| id.to_string()).unwrap_or_default(),
    };
    let items = composable_items(&state, &ctx).await?;
    let page = pathway_form_page(&state, &ctx, Some(&pathway), items, form, FieldErrors::new()).await?;
    Ok(render_page(&page)?.into_response())
}

/// Saves a pathway.
pub async fn update_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let pathway = authoring::pathway(&state.app, &slug).await?;
    save_pathway(&state, &ctx, Some(pathway), &body).await
}

/// Checks the form and creates or updates the pathway; the form comes back with its problems.
async fn save_pathway(
    state: &AppState,
    ctx: &RequestContext,
    editing: Option<Pathway>,
    body: &[u8],
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let mut form = PathwayForm::from_pairs(&form_pairs(body));
    if let Some(pathway) = &editing {
        form.slug = pathway.slug.clone();
    } else if form.owner_org_id.is_empty() {
        // Without the choice, the top of the author's scope (as for items).
        let choices = app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?;
        form.owner_org_id = choices.first().map(|c| c.org.id.to_string()).unwrap_or_default();
    }
    let items = composable_items(state, ctx).await?;
    let new = match form.parse(&items) {
        Ok(new) => new,
        Err(errors) => {
            let page = pathway_form_page(state, ctx, editing.as_ref(), items, form, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let saved = match &editing {
        None => authoring::create(&state.app, session.actor(), &new).await.map(|_| ()),
        Some(pathway) => authoring::update(&state.app, session.actor(), pathway, &new).await,
    };
    let (status, errors) = match saved {
        Ok(()) => return Ok(see_other(&format!("/learn/pathways/{}?notice=pathway-saved", new.slug))),
        Err(academy_app::Error::Conflict { field, message }) => {
            let mut errors = FieldErrors::new();
            errors.add(&field, message);
            (StatusCode::CONFLICT, errors)
        }
        Err(academy_app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(other) => return Err(other.into()),
    };
    if form.slug.is_empty() {
        // Show the URL name made from the title, so that a taken one can be changed.
        form.slug = new.slug.clone();
    }
    render_with_status(status, &pathway_form_page(state, ctx, editing.as_ref(), items, form, errors).await?)
}
