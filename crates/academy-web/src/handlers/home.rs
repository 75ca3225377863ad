//! The home page: one panel for each role the person holds.

use crate::context::RequestContext;
use crate::error::WebError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page};
use crate::state::AppState;
use academy_core::access::{Permission, Role};
use academy_core::aggregate::Cell;
use academy_core::numbers::{grouped, percent};
use academy_core::{Locale, OrgKind};
use academy_store::{jobs, orgs, outbox, users};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

/// A node the person works at, with figures for it.
struct ScopePanel {
    org_id: i64,
    name: String,
    kind: &'static str,
    counts: Vec<(String, String)>,
    teachers: String,
    can_manage: bool,
    can_invite: bool,
    can_report: bool,
}

struct TeacherPanel {
    school: Option<String>,
    local: Option<String>,
}

struct ProgramPanel {
    teachers: i64,
    goal: i64,
    teachers_text: String,
    goal_text: String,
    percent: String,
    outbox: String,
    queued_jobs: String,
    failed_jobs: String,
}

struct ResearchRow {
    locale: String,
    title_i: String,
    teachers: Cell,
}

struct SessionLine {
    id: i64,
    title: String,
    when: String,
    registered: i64,
    capacity: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    /// Offers waiting for an answer: (id, what is offered, by whom).
    offers: Vec<(i64, String, String)>,
    sessions: Vec<SessionLine>,
    cohorts: Vec<(academy_store::pathways::Cohort, academy_store::pathways::CohortRole)>,
    learning: Vec<academy_store::progress::LearningCard>,
    roles: Vec<String>,
    teacher: Option<TeacherPanel>,
    groups: Vec<ScopePanel>,
    scopes: Vec<ScopePanel>,
    program: Option<ProgramPanel>,
    research: Vec<ResearchRow>,
}

/// The signed-in home page.
pub async fn show_home(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?.clone();
    let store = &state.app.store;
    let principal = &session.principal;
    let mut roles: Vec<String> =
        session.grants.iter().map(|g| format!("{} at {}", g.role.label(), g.org_name)).collect();
    roles.dedup();

    let teacher = if principal.has_role(Role::Teacher) {
        let user = academy_store::users::get(store, session.user_id).await?.ok_or(WebError::NotFound)?;
        let name_of = |id: Option<i64>| async move {
            match id {
                Some(id) => orgs::get(store, id).await.map(|o| o.map(|o| o.name)),
                None => Ok(None),
            }
        };
        Some(TeacherPanel { school: name_of(user.school_id).await?, local: name_of(user.local_id).await? })
    } else {
        None
    };

    let mut groups = Vec::new();
    for grant in session.grants.iter().filter(|g| g.role == Role::Facilitator) {
        groups.push(scope_panel(&state, &session.principal, grant.org_id).await?);
    }
    let mut scopes = Vec::new();
    for grant in principal.scopes(Permission::ManageOrgs) {
        scopes.push(scope_panel(&state, principal, grant.org_id).await?);
    }

    let program = match principal.scopes(Permission::ReadOutbox).first() {
        Some(top) if top.org_path.ids().len() == 1 => {
            let teachers = users::count_with_role(store, &top.org_path, Role::Teacher).await?;
            let goal = state.app.config.goal_teachers;
            let job_counts = jobs::counts(store).await?;
            let count_of = |status: &str| job_counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
            Some(ProgramPanel {
                teachers,
                goal,
                teachers_text: grouped(teachers),
                goal_text: grouped(goal),
                percent: percent(teachers, goal),
                outbox: grouped(outbox::count(store).await?),
                queued_jobs: grouped(count_of("queued")),
                failed_jobs: grouped(count_of("failed")),
            })
        }
        _ => None,
    };

    let mut research = Vec::new();
    if let Some(scope) = principal.scopes(Permission::ViewAggregates).first()
        && principal.has_role(Role::Researcher)
    {
        for (locale, title_i, n) in users::teachers_by_school_attributes(store, &scope.org_path).await? {
            research.push(ResearchRow {
                locale: locale.and_then(|l| l.parse::<Locale>().ok()).map_or("Not recorded", Locale::label).to_owned(),
                title_i: match title_i {
                    Some(true) => "Title I",
                    Some(false) => "Not Title I",
                    None => "Not recorded",
                }
                .to_owned(),
                teachers: Cell::of(n),
            });
        }
    }

    let mut sessions = Vec::new();
    for facilitated in
        academy_store::workshops::facilitated_by(store, session.user_id, academy_core::time::now()).await?
    {
        let (s, title) = (facilitated.summary, facilitated.item_title);
        sessions.push(SessionLine {
            id: s.session.id,
            when: academy_app::learn::times::session_time(&s.session),
            title,
            registered: s.registered,
            capacity: s.session.capacity,
        });
    }
    let cohorts = academy_store::pathways::cohorts_of(store, session.user_id).await?;
    let learning: Vec<_> = academy_store::progress::my_learning(store, session.user_id)
        .await?
        .into_iter()
        .filter(|c| c.completed_at.is_none())
        .take(3)
        .collect();
    let offers = academy_store::offers::open_for(store, session.user_id, academy_core::time::now())
        .await?
        .into_iter()
        .map(|o| {
            let by = o.offered_by_name.clone().unwrap_or_else(|| "Your program team".into());
            (o.id, academy_app::offers::what(&o), by)
        })
        .collect();
    let layout = Layout::new("Home", Some(&ctx)).with_notice(notice_text(query.notice.as_deref()));
    let page = HomePage {
        layout,
        name: session.display_name.clone(),
        offers,
        sessions,
        cohorts,
        learning,
        roles,
        teacher,
        groups,
        scopes,
        program,
        research,
    };
    Ok(render_page(&page)?.into_response())
}

async fn scope_panel(
    state: &AppState,
    principal: &academy_core::Principal,
    org_id: i64,
) -> Result<ScopePanel, WebError> {
    let org = orgs::get(&state.app.store, org_id).await?.ok_or(WebError::NotFound)?;
    let counts = orgs::count_by_kind(&state.app.store, &org.path)
        .await?
        .into_iter()
        .filter(|(kind, _)| *kind != org.kind && *kind != OrgKind::National)
        .map(|(kind, n)| (kind.plural_label().to_owned(), grouped(n)))
        .collect();
    let teachers = users::count_with_role(&state.app.store, &org.path, Role::Teacher).await?;
    Ok(ScopePanel {
        org_id: org.id,
        kind: org.kind.label(),
        can_manage: principal.can(Permission::ViewOrgTree, &org.path),
        can_invite: principal.can(Permission::InviteUsers, &org.path),
        can_report: principal.can(Permission::ViewAggregates, &org.path),
        name: org.name,
        counts,
        teachers: grouped(teachers),
    })
}
