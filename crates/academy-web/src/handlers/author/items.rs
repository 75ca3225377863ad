//! Catalog entries: the new-item and edit forms (one form, two modes), an item as its authors
//! see it, and its status.

use super::{field, fields, form_pairs, is_slug};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::see_other;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_app::authoring::items as authoring;
use academy_app::authoring::owner;
use academy_app::learn::times::session_time;
use academy_app::orgs::{self as app_orgs, OrgChoice};
use academy_core::access::Permission;
use academy_core::learning::{Delivery, GradeBand, ItemKind, PdHours, Strand, Subject, slug_from_title};
use academy_core::validation::required_text;
use academy_core::{FieldErrors, time};
use academy_store::catalog::{self, Item, ItemStatus, NewItem};
use academy_store::workshops::{self, SessionSummary};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The catalog-entry form's values.
#[derive(Debug, Clone, Default)]
pub struct ItemForm {
    slug: String,
    kind: String,
    title: String,
    strand: String,
    delivery: String,
    summary: String,
    description: String,
    bands: Vec<String>,
    subjects: Vec<String>,
    minutes: String,
    pd_hours: String,
    credential: bool,
    status: String,
    owner_org_id: String,
}

impl ItemForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        Self {
            slug: field(pairs, "slug").trim().to_owned(),
            kind: field(pairs, "kind").to_owned(),
            title: field(pairs, "title").to_owned(),
            strand: field(pairs, "strand").to_owned(),
            delivery: field(pairs, "delivery").to_owned(),
            summary: field(pairs, "summary").to_owned(),
            description: field(pairs, "description").to_owned(),
            bands: fields(pairs, "grade_band").into_iter().map(str::to_owned).collect(),
            subjects: fields(pairs, "subject").into_iter().map(str::to_owned).collect(),
            minutes: field(pairs, "minutes").to_owned(),
            pd_hours: field(pairs, "pd_hours").to_owned(),
            credential: field(pairs, "credential") == "yes",
            status: field(pairs, "status").to_owned(),
            owner_org_id: field(pairs, "owner_org_id").trim().to_owned(),
        }
    }

    fn from_item(item: &Item, bands: &[GradeBand], subjects: &[Subject]) -> Self {
        Self {
            slug: item.slug.clone(),
            kind: item.kind.slug().to_owned(),
            title: item.title.clone(),
            strand: item.strand.slug().to_owned(),
            delivery: item.delivery.slug().to_owned(),
            summary: item.summary.clone(),
            description: item.description_md.clone(),
            bands: bands.iter().map(|b| b.slug().to_owned()).collect(),
            subjects: subjects.iter().map(|s| s.slug().to_owned()).collect(),
            minutes: item.minutes.to_string(),
            pd_hours: item.pd_hours().to_string(),
            credential: item.credential_bearing,
            status: item.status.as_str().to_owned(),
            owner_org_id: item.owner_org_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    /// Checks every field; the item's kind is fixed once created. A new item's URL name, when
    /// left empty, is made from its title (`slug_from_title`; the app makes it unique).
    fn parse(&self, kind: Option<ItemKind>) -> Result<NewItem, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match kind {
            Some(kind) => Some(kind),
            None => errors.check("kind", self.kind.parse::<ItemKind>()),
        };
        let slug = if self.slug.is_empty() {
            let made = slug_from_title(&self.title);
            if made.is_none() && !self.title.trim().is_empty() {
                errors.add("slug", "Give it a URL name: the title has too few letters and digits to make one.");
            }
            made.unwrap_or_default()
        } else {
            if !is_slug(&self.slug) {
                errors.add(
                    "slug",
                    "Use 3 to 80 lower-case letters, digits and hyphens, such as ai-in-the-math-classroom.",
                );
            }
            self.slug.clone()
        };
        let owner_org_id = self.owner_org_id.parse::<i64>().ok();
        let title = errors.check("title", required_text(&self.title, "Title", 200));
        let strand = errors.check("strand", self.strand.parse::<Strand>().map_err(|_| "Choose a strand."));
        let delivery = match (kind, self.delivery.parse::<Delivery>()) {
            (Some(kind), Ok(d)) if d.fits(kind) => Some(d),
            (Some(ItemKind::Course), _) => Some(Delivery::SelfPaced),
            (Some(ItemKind::Lab), _) => Some(Delivery::HandsOnLab),
            _ => {
                errors.add("delivery", "A workshop is live virtual or in person at a hub.");
                None
            }
        };
        let summary = errors.check("summary", required_text(&self.summary, "Summary", 400));
        let mut bands = Vec::new();
        for raw in &self.bands {
            if let Some(b) = errors.check("grade_band", raw.parse::<GradeBand>()) {
                bands.push(b);
            }
        }
        if bands.is_empty() {
            errors.add("grade_band", "Choose at least one grade band.");
        }
        let mut subjects = Vec::new();
        for raw in &self.subjects {
            if let Some(s) = errors.check("subject", raw.parse::<Subject>()) {
                subjects.push(s);
            }
        }
        if let Err(problem) = Subject::check_list(&subjects)
            && errors.get("subject").is_none()
        {
            errors.add("subject", authoring::subjects_message(problem));
        }
        let minutes = match self.minutes.trim().parse::<i64>() {
            Ok(m) if (5..=6000).contains(&m) => Some(m),
            _ => {
                errors.add("minutes", "Enter the expected time in minutes, 5 to 6000.");
                None
            }
        };
        let pd_hours = errors.check("pd_hours", PdHours::parse(&self.pd_hours));
        let status = match self.status.as_str() {
            "published" => ItemStatus::Published,
            "archived" => ItemStatus::Archived,
            _ => ItemStatus::Draft,
        };
        match (kind, title, strand, delivery, summary, minutes, pd_hours) {
            (Some(kind), Some(title), Some(strand), Some(delivery), Some(summary), Some(minutes), Some(pd_hours))
                if errors.is_empty() =>
            {
                Ok(NewItem {
                    slug,
                    kind,
                    strand,
                    delivery,
                    title,
                    summary,
                    description_md: self.description.trim().to_owned(),
                    minutes,
                    pd_hours,
                    credential_bearing: self.credential,
                    status,
                    version: None,
                    authors: Vec::new(),
                    license: None,
                    grade_bands: bands,
                    subjects,
                    owner_org_id,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A choice in the item form.
pub struct Option_ {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "author/item_form.html")]
struct ItemFormPage {
    layout: Layout,
    action: String,
    creating: bool,
    form: ItemForm,
    kinds: Vec<Option_>,
    strands: Vec<Option_>,
    deliveries: Vec<Option_>,
    bands: Vec<Option_>,
    subjects: Vec<Option_>,
    /// Where a new item may belong (organizations where the author may author).
    owners: Vec<OrgChoice>,
    /// The owner's name, for an existing item.
    owner_name: String,
    errors: FieldErrors,
}

/// Which item the form is for: a new one, or an existing one (whose kind is fixed).
enum Editing {
    New,
    Existing(Box<Item>),
}

impl Editing {
    fn action(&self) -> String {
        match self {
            Self::New => "/author/items/new".into(),
            Self::Existing(item) => format!("/author/items/{}/edit", item.slug),
        }
    }
}

async fn item_form_page(
    state: &AppState,
    ctx: &RequestContext,
    editing: &Editing,
    form: ItemForm,
    errors: FieldErrors,
) -> Result<ItemFormPage, WebError> {
    let session = ctx.session()?;
    let (creating, action) = (matches!(editing, Editing::New), editing.action());
    let opts = |values: Vec<(&'static str, &'static str)>, chosen: &dyn Fn(&str) -> bool| {
        values.into_iter().map(|(value, label)| Option_ { value, label, checked: chosen(value) }).collect::<Vec<_>>()
    };
    let (owners, owner_name) = match editing {
        Editing::New => {
            (app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?, String::new())
        }
        Editing::Existing(item) => (Vec::new(), owner(&state.app, item.owner_org_id).await?.name),
    };
    let title = if creating { "New catalog item".to_owned() } else { format!("Edit {}", form.title) };
    Ok(ItemFormPage {
        layout: Layout::new(title, Some(ctx)),
        action,
        creating,
        kinds: opts(ItemKind::ALL.iter().map(|k| (k.slug(), k.label())).collect(), &|v| v == form.kind),
        strands: opts(Strand::ALL.iter().map(|k| (k.slug(), k.label())).collect(), &|v| v == form.strand),
        deliveries: opts(Delivery::ALL.iter().map(|k| (k.slug(), k.label())).collect(), &|v| v == form.delivery),
        bands: opts(GradeBand::ALL.iter().map(|k| (k.slug(), k.label())).collect(), &|v| {
            form.bands.iter().any(|b| b == v)
        }),
        subjects: opts(Subject::ALL.iter().map(|k| (k.slug(), k.label())).collect(), &|v| {
            form.subjects.iter().any(|b| b == v)
        }),
        owners,
        owner_name,
        form,
        errors,
    })
}

/// `?kind=` on the new-item form.
#[derive(Debug, Default, Deserialize)]
pub struct NewItemQuery {
    kind: Option<String>,
}

/// The form for a new item.
pub async fn new_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NewItemQuery>,
) -> Result<Response, WebError> {
    let form = ItemForm {
        kind: query.kind.unwrap_or_else(|| "course".into()),
        minutes: "60".into(),
        pd_hours: "1.0".into(),
        status: "draft".into(),
        subjects: vec!["all".into()],
        ..ItemForm::default()
    };
    Ok(render_page(&item_form_page(&state, &ctx, &Editing::New, form, FieldErrors::new()).await?)?.into_response())
}

/// Creates an item (as a draft unless published at once).
pub async fn create_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: Bytes,
) -> Result<Response, WebError> {
    save_item(&state, &ctx, Editing::New, &body).await
}

/// The form to edit an item's catalog entry.
pub async fn edit_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let item = authoring::item(&state.app, &slug).await?;
    let (bands, subjects) = catalog::facets(&state.app.store, item.id).await?;
    let form = ItemForm::from_item(&item, &bands, &subjects);
    let page = item_form_page(&state, &ctx, &Editing::Existing(Box::new(item)), form, FieldErrors::new()).await?;
    Ok(render_page(&page)?.into_response())
}

/// Saves an item's catalog entry.
pub async fn update_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let item = authoring::item(&state.app, &slug).await?;
    save_item(&state, &ctx, Editing::Existing(Box::new(item)), &body).await
}

/// Checks the form and creates or updates the item; the form comes back with its problems.
async fn save_item(
    state: &AppState,
    ctx: &RequestContext,
    editing: Editing,
    body: &[u8],
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let mut form = ItemForm::from_pairs(&form_pairs(body));
    let fixed_kind = match &editing {
        Editing::New => None,
        Editing::Existing(item) => {
            form.slug = item.slug.clone();
            form.kind = item.kind.slug().to_owned();
            Some(item.kind)
        }
    };
    if form.owner_org_id.is_empty() && matches!(editing, Editing::New) {
        // A form without the choice (an older page, a script) takes the first organization
        // offered: the top of the author's scope.
        let choices = app_orgs::choices(&state.app, &session.principal, Permission::AuthorContent).await?;
        form.owner_org_id = choices.first().map(|c| c.org.id.to_string()).unwrap_or_default();
    }
    let mut new = match form.parse(fixed_kind) {
        Ok(new) => new,
        Err(errors) => {
            let page = item_form_page(state, ctx, &editing, form, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let saved = match &editing {
        Editing::New => {
            if form.slug.is_empty() {
                new.slug = authoring::free_slug(&state.app, &new.slug).await?;
            }
            authoring::create(&state.app, session.actor(), &new).await.map(|_| "item-created")
        }
        Editing::Existing(item) => {
            authoring::update(&state.app, session.actor(), item, new.clone()).await.map(|()| "item-updated")
        }
    };
    let (status, errors) = match saved {
        Ok(notice) => return Ok(see_other(&format!("/author/items/{}?notice={notice}", new.slug))),
        Err(academy_app::Error::Conflict { field, message }) => {
            let mut errors = FieldErrors::new();
            errors.add(&field, message);
            (StatusCode::CONFLICT, errors)
        }
        Err(academy_app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(other) => return Err(other.into()),
    };
    render_with_status(status, &item_form_page(state, ctx, &editing, form, errors).await?)
}

#[derive(Template)]
#[template(path = "author/item.html")]
struct AuthorItemPage {
    layout: Layout,
    item: Item,
    modules: Vec<(String, Vec<academy_store::catalog::Step>)>,
    sessions: Vec<(SessionSummary, String)>,
    enrolled: i64,
    completed: i64,
    owner_name: String,
    /// Why it cannot be published yet, if it cannot.
    not_ready: Option<String>,
}

/// An item as its authors see it: content, sessions, status.
pub async fn show_author_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let item = authoring::item(&state.app, &slug).await?;
    let steps = catalog::steps(&state.app.store, item.id).await?;
    let modules = catalog::modules(&state.app.store, item.id)
        .await?
        .into_iter()
        .map(|m| {
            let in_module = steps.iter().filter(|s| s.module_id == m.id).cloned().collect();
            (m.title, in_module)
        })
        .collect();
    let sessions = workshops::sessions_for_item(&state.app.store, item.id, time::now() - chrono::Duration::days(365))
        .await?
        .into_iter()
        .map(|s| {
            let when = session_time(&s.session);
            (s, when)
        })
        .collect();
    let counts = academy_store::progress::item_counts(&state.app.store, item.id).await?;
    let count = |status: &str| counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    let not_ready = authoring::completable(&state.app, &item).await?.err();
    let page = AuthorItemPage {
        owner_name: owner(&state.app, item.owner_org_id).await?.name,
        not_ready,
        layout: Layout::new(format!("Authoring: {}", item.title), Some(&ctx))
            .with_notice(notice_text(query.notice.as_deref())),
        enrolled: counts.iter().filter(|(s, _)| s != "withdrawn").map(|(_, n)| n).sum(),
        completed: count("completed"),
        item,
        modules,
        sessions,
    };
    Ok(render_page(&page)?.into_response())
}

/// Fields of the status form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

/// Publishes, unpublishes or archives an item.
pub async fn set_item_status(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let item = authoring::item(&state.app, &slug).await?;
    let status = ItemStatus::try_from(form.status.clone()).map_err(WebError::BadRequest)?;
    authoring::set_status(&state.app, session.actor(), &item, status).await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=status-changed")))
}
