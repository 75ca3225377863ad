//! Authoring: courses, labs and workshops (their catalog entry, content and sessions), and
//! pathways. Content travels as a course package (docs/course-format.md): the step editor
//! edits one file of the package and the whole package is checked again before it is saved,
//! so the app and `academy course import` apply exactly the same rules.

use super::see_other;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::learn_pages::is_time_zone;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page, render_with_status};
use crate::state::AppState;
use academy_core::learning::{Delivery, GradeBand, ItemKind, PdHours, Strand, Subject};
use academy_core::validation::required_text;
use academy_core::{FieldErrors, time};
use academy_store::catalog::{self, Item, ItemCard, ItemStatus, NewItem};
use academy_store::pathways::{self, NewPathway, Pathway};
use academy_store::workshops::{self, NewSession, SessionSummary};
use academy_store::{StoreError, audit, orgs, users};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone};
use serde::Deserialize;

/// Form fields as (name, value) pairs, keeping repeated names (checkboxes).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn fields<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

#[derive(Template)]
#[template(path = "author/index.html")]
struct AuthorIndex {
    layout: Layout,
    items: Vec<ItemCard>,
    pathways: Vec<Pathway>,
}

/// Everything authors can edit, drafts included.
pub async fn show_author_home(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let all = catalog::CatalogQuery { include_unpublished: true, ..catalog::CatalogQuery::default() };
    let (items, _) = catalog::search(&state.store, &all, 1000, 0).await?;
    let page = AuthorIndex {
        layout: Layout::new("Authoring", Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        items,
        pathways: pathways::list(&state.store, true).await?,
    };
    Ok(render_page(&page)?.into_response())
}

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
        }
    }

    /// Checks every field; the item's kind is fixed once created.
    fn parse(&self, kind: Option<ItemKind>) -> Result<NewItem, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match kind {
            Some(kind) => Some(kind),
            None => errors.check("kind", self.kind.parse::<ItemKind>()),
        };
        if !is_slug(&self.slug) {
            errors.add("slug", "Use 3 to 80 lower-case letters, digits and hyphens, such as ai-in-the-math-classroom.");
        }
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
        if subjects.is_empty() {
            errors.add("subject", "Choose at least one subject, or All subjects.");
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
                    slug: self.slug.clone(),
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
                })
            }
            _ => Err(errors),
        }
    }
}

/// Whether `slug` is a valid URL name.
pub fn is_slug(slug: &str) -> bool {
    (3..=80).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// A filter choice in the item form.
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
    errors: FieldErrors,
}

fn item_form_page(
    ctx: &RequestContext,
    creating: bool,
    action: String,
    form: ItemForm,
    errors: FieldErrors,
) -> ItemFormPage {
    let opts = |values: Vec<(&'static str, &'static str)>, chosen: &dyn Fn(&str) -> bool| {
        values.into_iter().map(|(value, label)| Option_ { value, label, checked: chosen(value) }).collect::<Vec<_>>()
    };
    let title = if creating { "New catalog item".to_owned() } else { format!("Edit {}", form.title) };
    ItemFormPage {
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
        form,
        errors,
    }
}

/// `?kind=` on the new-item form.
#[derive(Debug, Default, Deserialize)]
pub struct NewItemQuery {
    kind: Option<String>,
}

/// The form for a new item.
pub async fn new_item(ctx: RequestContext, Query(query): Query<NewItemQuery>) -> Result<Response, AppError> {
    let form = ItemForm {
        kind: query.kind.unwrap_or_else(|| "course".into()),
        minutes: "60".into(),
        pd_hours: "1.0".into(),
        status: "draft".into(),
        subjects: vec!["all".into()],
        ..ItemForm::default()
    };
    Ok(render_page(&item_form_page(&ctx, true, "/author/items/new".into(), form, FieldErrors::new()))?.into_response())
}

/// Creates an item (as a draft unless published at once).
pub async fn create_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let form = ItemForm::from_pairs(&form_pairs(&body));
    let new = match form.parse(None) {
        Ok(new) => new,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &item_form_page(&ctx, true, "/author/items/new".into(), form, errors),
            );
        }
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    match catalog::create_item(&mut tx, &new, Some(session.user_id), now).await {
        Ok(id) => {
            audit::record(&mut tx, Some(session.user_id), "item.create", &format!("item:{id}"), Some(&new.title), now)
                .await?;
            tx.commit().await?;
            Ok(see_other(&format!("/author/items/{}?notice=item-created", new.slug)))
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add("slug", "Another item already has this URL name.");
            render_with_status(
                StatusCode::CONFLICT,
                &item_form_page(&ctx, true, "/author/items/new".into(), form, errors),
            )
        }
        Err(other) => Err(other.into()),
    }
}

async fn author_item(state: &AppState, slug: &str) -> Result<Item, AppError> {
    catalog::item_by_slug(&state.store, slug).await?.ok_or(AppError::NotFound)
}

/// The form to edit an item's catalog entry.
pub async fn edit_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let item = author_item(&state, &slug).await?;
    let (bands, subjects) = catalog::facets(&state.store, item.id).await?;
    let form = ItemForm::from_item(&item, &bands, &subjects);
    Ok(render_page(&item_form_page(&ctx, false, format!("/author/items/{slug}/edit"), form, FieldErrors::new()))?
        .into_response())
}

/// Saves an item's catalog entry.
pub async fn update_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let item = author_item(&state, &slug).await?;
    let mut form = ItemForm::from_pairs(&form_pairs(&body));
    form.slug = item.slug.clone();
    form.kind = item.kind.slug().to_owned();
    let mut new = match form.parse(Some(item.kind)) {
        Ok(new) => new,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &item_form_page(&ctx, false, format!("/author/items/{slug}/edit"), form, errors),
            );
        }
    };
    new.version = item.version.clone();
    new.authors = item.authors()?;
    new.license = item.license.clone();
    let now = time::now();
    let mut tx = state.store.begin().await?;
    catalog::update_item(&mut tx, item.id, &new, now).await?;
    audit::record(&mut tx, Some(session.user_id), "item.update", &format!("item:{}", item.id), Some(&new.title), now)
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=item-updated")))
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
}

/// An item as its authors see it: content, sessions, status.
pub async fn show_author_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let item = author_item(&state, &slug).await?;
    let steps = catalog::steps(&state.store, item.id).await?;
    let modules = catalog::modules(&state.store, item.id)
        .await?
        .into_iter()
        .map(|m| {
            let in_module = steps.iter().filter(|s| s.module_id == m.id).cloned().collect();
            (m.title, in_module)
        })
        .collect();
    let sessions = workshops::sessions_for_item(&state.store, item.id, time::now() - chrono::Duration::days(365))
        .await?
        .into_iter()
        .map(|s| {
            let when = crate::learn_pages::session_time(&s.session);
            (s, when)
        })
        .collect();
    let counts = academy_store::progress::item_counts(&state.store, item.id).await?;
    let count = |status: &str| counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    let page = AuthorItemPage {
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
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let item = author_item(&state, &slug).await?;
    let status = ItemStatus::try_from(form.status.clone()).map_err(AppError::BadRequest)?;
    if status == ItemStatus::Published
        && item.kind != ItemKind::Workshop
        && catalog::steps(&state.store, item.id).await?.is_empty()
    {
        return Err(AppError::BadRequest(
            "Add content before publishing: a course or lab needs at least one step.".into(),
        ));
    }
    let now = time::now();
    let mut tx = state.store.begin().await?;
    catalog::set_status(&mut tx, item.id, status, now).await?;
    audit::record(
        &mut tx,
        Some(session.user_id),
        "item.status",
        &format!("item:{}", item.id),
        Some(status.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=status-changed")))
}

#[derive(Template)]
#[template(path = "author/session_form.html")]
struct SessionFormPage {
    layout: Layout,
    item: Item,
    action: String,
    form: SessionForm,
    errors: FieldErrors,
    creating: bool,
}

impl SessionFormPage {
    /// The form that schedules a new session of `item`.
    fn scheduling(ctx: &RequestContext, item: Item, form: SessionForm, errors: FieldErrors) -> Self {
        let action = format!("/author/items/{}/sessions/new", item.slug);
        Self {
            layout: Layout::new(format!("New session: {}", item.title), Some(ctx)),
            action,
            item,
            form,
            errors,
            creating: true,
        }
    }

    /// The form that changes session `id` of `item`.
    fn changing(ctx: &RequestContext, id: i64, item: Item, form: SessionForm, errors: FieldErrors) -> Self {
        let action = format!("/author/sessions/{id}/edit");
        Self {
            layout: Layout::new(format!("Change session: {}", item.title), Some(ctx)),
            action,
            item,
            form,
            errors,
            creating: false,
        }
    }
}

/// Fields of the session form (local date and time in the session's time zone).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    date: String,
    start: String,
    end: String,
    time_zone: String,
    capacity: String,
    location_kind: String,
    hub_name: String,
    hub_address: String,
    meeting_url: String,
    host_org_id: String,
    facilitator_email: String,
}

impl SessionForm {
    fn parse(&self, item: &Item) -> Result<(NewSession, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let tz: Option<chrono_tz::Tz> = if is_time_zone(self.time_zone.trim()) {
            self.time_zone.trim().parse().ok()
        } else {
            errors.add("time_zone", "Use a time zone name such as America/Chicago or America/New_York.");
            None
        };
        let date = chrono::NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").map_err(|_| ()).ok();
        if date.is_none() {
            errors.add("date", "Enter the date as YYYY-MM-DD.");
        }
        let clock = |raw: &str, name: &str, errors: &mut FieldErrors| match chrono::NaiveTime::parse_from_str(
            raw.trim(),
            "%H:%M",
        ) {
            Ok(t) => Some(t),
            Err(_) => {
                errors.add(name, "Enter the time as HH:MM, 24-hour.");
                None
            }
        };
        let start = clock(&self.start, "start", &mut errors);
        let end = clock(&self.end, "end", &mut errors);
        let local = |d, t| {
            tz.and_then(|tz| tz.from_local_datetime(&NaiveDateTime::new(d, t)).earliest())
                .map(|dt| dt.with_timezone(&chrono::Utc))
        };
        let (starts_at, ends_at) = match (date, start, end) {
            (Some(d), Some(s), Some(e)) => (local(d, s), local(d, e)),
            _ => (None, None),
        };
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            errors.add("end", "The session must end after it starts.");
        }
        let capacity = match self.capacity.trim().parse::<i64>() {
            Ok(c) if (1..=10_000).contains(&c) => Some(c),
            _ => {
                errors.add("capacity", "Enter the number of seats, 1 to 10,000.");
                None
            }
        };
        let hub = self.location_kind == "hub";
        if hub && self.hub_name.trim().is_empty() {
            errors.add("hub_name", "Name the hub where the session takes place.");
        }
        let meeting = self.meeting_url.trim();
        if !(hub || meeting.starts_with("https://") || meeting.starts_with("http://")) {
            errors.add("meeting_url", "Give the meeting link, starting with https://.");
        }
        if item.delivery == Delivery::InPerson && !hub {
            errors.add("location_kind", "This workshop is held in person at a hub.");
        }
        let host_org_id = if self.host_org_id.trim().is_empty() {
            None
        } else {
            match self.host_org_id.trim().parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors
                        .add("host_org_id", "Give the host organization's number (from its page), or leave it empty.");
                    None
                }
            }
        };
        let facilitator = Some(self.facilitator_email.trim().to_owned()).filter(|e| !e.is_empty());
        match (starts_at, ends_at, capacity) {
            (Some(starts_at), Some(ends_at), Some(capacity)) if errors.is_empty() => Ok((
                NewSession {
                    item_id: item.id,
                    host_org_id,
                    starts_at,
                    ends_at,
                    time_zone: self.time_zone.trim().to_owned(),
                    capacity,
                    location_kind: if hub { "hub".into() } else { "virtual".into() },
                    hub_name: hub.then(|| self.hub_name.trim().to_owned()),
                    hub_address: hub.then(|| self.hub_address.trim().to_owned()).filter(|a| !a.is_empty()),
                    meeting_url: (!hub).then(|| meeting.to_owned()),
                },
                facilitator,
            )),
            _ => Err(errors),
        }
    }
}

/// The form for a new session of a workshop.
pub async fn new_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let item = author_item(&state, &slug).await?;
    if item.kind != ItemKind::Workshop {
        return Err(AppError::BadRequest("Only workshops have sessions.".into()));
    }
    let form = SessionForm {
        time_zone: "America/Chicago".into(),
        capacity: "30".into(),
        location_kind: if item.delivery == Delivery::InPerson { "hub".into() } else { "virtual".into() },
        start: "16:00".into(),
        end: "17:30".into(),
        ..SessionForm::default()
    };
    Ok(render_page(&SessionFormPage::scheduling(&ctx, item, form, FieldErrors::new()))?.into_response())
}

/// Creates a session.
pub async fn create_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let item = author_item(&state, &slug).await?;
    let again = |item: Item, form: SessionForm, errors: FieldErrors| {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &SessionFormPage::scheduling(&ctx, item, form, errors))
    };
    let (new, facilitator) = match form.parse(&item) {
        Ok(parsed) => parsed,
        Err(errors) => return again(item, form, errors),
    };
    let mut errors = FieldErrors::new();
    if let Some(host) = new.host_org_id
        && orgs::get(&state.store, host).await?.is_none()
    {
        errors.add("host_org_id", "There is no organization with this number.");
    }
    let facilitator_id = match &facilitator {
        Some(email) => match academy_core::Email::parse(email) {
            Ok(email) => match users::by_email(&state.store, &email).await? {
                Some(user) => Some(user.id),
                None => {
                    errors.add("facilitator_email", "Nobody has an account with this email address.");
                    None
                }
            },
            Err(e) => {
                errors.add("facilitator_email", e.to_string());
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return again(item, form, errors);
    }
    let now = time::now();
    let mut tx = state.store.begin().await?;
    let id = workshops::create_session(&mut tx, &new, Some(session.user_id), now).await?;
    if let Some(f) = facilitator_id {
        workshops::add_facilitator(&mut tx, id, f).await?;
    }
    audit::record(&mut tx, Some(session.user_id), "session.create", &format!("session:{id}"), Some(&item.title), now)
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{slug}?notice=session-created")))
}

/// Cancels a session and tells everyone registered.
pub async fn cancel_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let found = workshops::session(&state.store, id).await?.ok_or(AppError::NotFound)?;
    let item = catalog::item(&state.store, found.item_id).await?.ok_or(AppError::NotFound)?;
    let now = time::now();
    let mut tx = state.store.begin().await?;
    if workshops::cancel_session(&mut tx, id, now).await? {
        for entry in workshops::roster(&mut tx, id).await? {
            if let Some(registration) = workshops::registration(&mut tx, id, entry.user_id).await? {
                let job = crate::jobs::session_email::SessionEmail::new(
                    &registration,
                    crate::jobs::session_email::SessionEmailKind::Cancelled,
                );
                academy_store::jobs::enqueue(&mut tx, &job, now, now).await?;
            }
        }
        audit::record(
            &mut tx,
            Some(session.user_id),
            "session.cancel",
            &format!("session:{id}"),
            Some(&item.title),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{}?notice=session-cancelled", item.slug)))
}

#[derive(Template)]
#[template(path = "author/pathway_form.html")]
struct PathwayFormPage {
    layout: Layout,
    action: String,
    creating: bool,
    form: PathwayForm,
    items: Vec<(ItemCard, &'static str)>,
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
        }
    }

    fn parse(&self, items: &[ItemCard]) -> Result<NewPathway, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !is_slug(&self.slug) {
            errors.add("slug", "Use 3 to 80 lower-case letters, digits and hyphens.");
        }
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
                    slug: self.slug.clone(),
                    title,
                    summary,
                    description_md: self.description.trim().to_owned(),
                    criteria_md,
                    optional_required,
                    status: if self.status == "published" { ItemStatus::Published } else { ItemStatus::Draft },
                    items: chosen,
                })
            }
            _ => Err(errors),
        }
    }
}

async fn pathway_form_page(
    state: &AppState,
    ctx: &RequestContext,
    creating: bool,
    action: String,
    form: PathwayForm,
    errors: FieldErrors,
) -> Result<PathwayFormPage, AppError> {
    let all = catalog::CatalogQuery { include_unpublished: true, ..catalog::CatalogQuery::default() };
    let (items, _) = catalog::search(&state.store, &all, 1000, 0).await?;
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
    let title = if creating { "New pathway".to_owned() } else { format!("Edit {}", form.title) };
    Ok(PathwayFormPage { layout: Layout::new(title, Some(ctx)), action, creating, form, items, errors })
}

/// The form for a new pathway.
pub async fn new_pathway(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, AppError> {
    let form = PathwayForm { optional_required: "0".into(), status: "draft".into(), ..PathwayForm::default() };
    Ok(render_page(
        &pathway_form_page(&state, &ctx, true, "/author/pathways/new".into(), form, FieldErrors::new()).await?,
    )?
    .into_response())
}

/// Creates a pathway.
pub async fn create_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let form = PathwayForm::from_pairs(&form_pairs(&body));
    let all = catalog::CatalogQuery { include_unpublished: true, ..catalog::CatalogQuery::default() };
    let (items, _) = catalog::search(&state.store, &all, 1000, 0).await?;
    let new = match form.parse(&items) {
        Ok(new) => new,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &pathway_form_page(&state, &ctx, true, "/author/pathways/new".into(), form, errors).await?,
            );
        }
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    match pathways::create(&mut tx, &new, Some(session.user_id), now).await {
        Ok(id) => {
            audit::record(
                &mut tx,
                Some(session.user_id),
                "pathway.create",
                &format!("pathway:{id}"),
                Some(&new.title),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(see_other(&format!("/learn/pathways/{}?notice=pathway-saved", new.slug)))
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add("slug", "Another pathway already has this URL name.");
            render_with_status(
                StatusCode::CONFLICT,
                &pathway_form_page(&state, &ctx, true, "/author/pathways/new".into(), form, errors).await?,
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// The form to edit a pathway.
pub async fn edit_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let pathway = pathways::by_slug(&state.store, &slug).await?.ok_or(AppError::NotFound)?;
    let items = pathways::items(&state.store, pathway.id).await?;
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
    };
    Ok(render_page(
        &pathway_form_page(&state, &ctx, false, format!("/author/pathways/{slug}/edit"), form, FieldErrors::new())
            .await?,
    )?
    .into_response())
}

/// Saves a pathway.
pub async fn update_pathway(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let session = ctx.session()?.clone();
    let pathway = pathways::by_slug(&state.store, &slug).await?.ok_or(AppError::NotFound)?;
    let mut form = PathwayForm::from_pairs(&form_pairs(&body));
    form.slug = pathway.slug.clone();
    let all = catalog::CatalogQuery { include_unpublished: true, ..catalog::CatalogQuery::default() };
    let (items, _) = catalog::search(&state.store, &all, 1000, 0).await?;
    let new = match form.parse(&items) {
        Ok(new) => new,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &pathway_form_page(&state, &ctx, false, format!("/author/pathways/{slug}/edit"), form, errors).await?,
            );
        }
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    pathways::update(&mut tx, pathway.id, &new, now).await?;
    audit::record(
        &mut tx,
        Some(session.user_id),
        "pathway.update",
        &format!("pathway:{}", pathway.id),
        Some(&new.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/learn/pathways/{slug}?notice=pathway-saved")))
}

/// The form to change a session's time, place or seats.
pub async fn edit_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (session, item) = super::sessions::load(&state, id).await?;
    let tz: chrono_tz::Tz = session.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let (starts, ends) = (session.starts_at.with_timezone(&tz), session.ends_at.with_timezone(&tz));
    let form = SessionForm {
        date: starts.format("%Y-%m-%d").to_string(),
        start: starts.format("%H:%M").to_string(),
        end: ends.format("%H:%M").to_string(),
        time_zone: session.time_zone.clone(),
        capacity: session.capacity.to_string(),
        location_kind: session.location_kind.clone(),
        hub_name: session.hub_name.clone().unwrap_or_default(),
        hub_address: session.hub_address.clone().unwrap_or_default(),
        meeting_url: session.meeting_url.clone().unwrap_or_default(),
        host_org_id: session.host_org_id.map(|h| h.to_string()).unwrap_or_default(),
        facilitator_email: String::new(),
    };
    Ok(render_page(&SessionFormPage::changing(&ctx, id, item, form, FieldErrors::new()))?.into_response())
}

/// Saves a session's new time, place or seats; registrants are told, the waitlist moves up.
pub async fn update_session(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<SessionForm>,
) -> Result<Response, AppError> {
    let user = ctx.session()?.clone();
    let (_, item) = super::sessions::load(&state, id).await?;
    let (new, _) = match form.parse(&item) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let page = SessionFormPage::changing(&ctx, id, item, form, errors);
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let now = time::now();
    let mut tx = state.store.begin().await?;
    crate::learn::workshops::reschedule(&mut tx, id, &new, now).await?;
    audit::record(&mut tx, Some(user.user_id), "session.update", &format!("session:{id}"), Some(&item.title), now)
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/author/items/{}?notice=session-updated", item.slug)))
}
