//! "My learning": a teacher's courses, labs, workshop sessions, pathways and credentials, and
//! their transcript as a page, CSV and PDF.

use crate::context::RequestContext;
use crate::downloads::csv_attachment;
use crate::error::WebError;
use crate::pages::{Layout, NoticeQuery, notice_text, render_page};
use crate::state::AppState;
use academy_core::learning::PdHours;
use academy_core::time;
use academy_formats::csv_export::CsvExport;
use academy_store::credentials::{self, Credential};
use academy_store::pathways::{self, MyPathway};
use academy_store::progress::{self, LearningCard, TranscriptLine};
use academy_store::workshops::{self, MySession};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

struct SessionCard {
    session: MySession,
    when: String,
}

#[derive(Template)]
#[template(path = "learn/my_learning.html")]
struct MyLearningPage {
    layout: Layout,
    in_progress: Vec<LearningCard>,
    completed: Vec<LearningCard>,
    sessions: Vec<SessionCard>,
    pathways: Vec<MyPathway>,
    credentials: Vec<Credential>,
    hours: PdHours,
}

/// A teacher's learning at a glance.
pub async fn show_my_learning(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let cards = progress::my_learning(&state.app.store, session.user_id).await?;
    let hours =
        cards.iter().filter(|c| c.completed_at.is_some()).map(|c| PdHours::from_tenths(c.item_hours_tenths)).sum();
    let (completed, in_progress): (Vec<_>, Vec<_>) = cards.into_iter().partition(|c| c.completed_at.is_some());
    let sessions = workshops::my_sessions(&state.app.store, session.user_id, time::now())
        .await?
        .into_iter()
        .map(|s| SessionCard {
            when: academy_app::learn::times::time_range(s.starts_at, s.ends_at, &s.time_zone),
            session: s,
        })
        .collect();
    let page = MyLearningPage {
        layout: Layout::new("My learning", Some(&ctx)).with_notice(notice_text(query.notice.as_deref())),
        in_progress,
        completed,
        sessions,
        pathways: pathways::mine(&state.app.store, session.user_id).await?,
        credentials: credentials::for_user(&state.app.store, session.user_id).await?,
        hours,
    };
    Ok(render_page(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "learn/transcript.html")]
struct TranscriptPage {
    layout: Layout,
    name: String,
    lines: Vec<TranscriptLine>,
    total: PdHours,
}

fn total(lines: &[TranscriptLine]) -> PdHours {
    lines.iter().map(|l| PdHours::from_tenths(l.pd_hours_tenths)).sum()
}

/// The transcript page.
pub async fn show_transcript(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let lines = progress::transcript(&state.app.store, session.user_id).await?;
    let page = TranscriptPage {
        layout: Layout::new("Transcript", Some(&ctx)),
        name: session.display_name.clone(),
        total: total(&lines),
        lines,
    };
    Ok(render_page(&page)?.into_response())
}

/// The transcript as CSV (one row per completed item, then a total).
pub async fn transcript_csv(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let lines = progress::transcript(&state.app.store, session.user_id).await?;
    let mut export = CsvExport::new(["completed_on", "title", "kind", "pd_hours"])?;
    for line in &lines {
        let hours = PdHours::from_tenths(line.pd_hours_tenths).to_string();
        let completed_on = line.completed_at.format("%Y-%m-%d").to_string();
        export.row([completed_on.as_str(), &line.title, line.kind.label(), &hours])?;
    }
    export.row(["", "Total", "", &total(&lines).to_string()])?;
    csv_attachment("academy-transcript.csv", export)
}

/// The transcript as a printable PDF.
pub async fn transcript_pdf(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let lines = progress::transcript(&state.app.store, session.user_id).await?;
    let program =
        academy_store::orgs::root(&state.app.store).await?.map(|o| o.name).unwrap_or_else(|| "Academy".into());
    let transcript = academy_formats::pdf::Transcript {
        program_name: program,
        person_name: session.display_name.clone(),
        generated_at: time::now(),
        rows: lines
            .iter()
            .map(|l| academy_formats::pdf::TranscriptRow {
                completed_on: l.completed_at.date_naive(),
                title: l.title.clone(),
                kind_label: l.kind.label().to_owned(),
                pd_hours: PdHours::from_tenths(l.pd_hours_tenths),
                credential: None,
            })
            .collect(),
        total_hours: total(&lines),
    };
    let bytes = academy_formats::pdf::transcript(&transcript)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("transcript pdf: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"academy-transcript.pdf\""),
        ],
        bytes,
    )
        .into_response())
}
