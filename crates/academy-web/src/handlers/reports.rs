//! Program reports: completions, PD hours and credentials by state, district or school for a
//! date range, as a page with drill-down links and as CSV. Both call
//! [`academy_app::reports::program_report`], as does the JSON API.

use crate::context::RequestContext;
use crate::downloads::csv_attachment;
use crate::error::WebError;
use crate::pages::{Layout, Pager, render_page, render_with_status};
use crate::state::AppState;
use academy_app::reports::{self, Figures, Level, ProgramReport, ReportRequest};
use academy_core::numbers::{grouped, grouped_tenths};
use academy_core::{FieldErrors, time};
use academy_formats::csv_export::CsvExport;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

/// Rows per page; the CSV has them all.
const ROWS_PER_PAGE: i64 = 100;

/// The report form's fields, as sent. Everything is text so that a bad value comes back to the
/// form with its problem named instead of failing the request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportParams {
    /// The node to report within (an id).
    pub org: Option<String>,
    /// `state`, `district` or `school`.
    pub level: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page of rows, from 1.
    pub page: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Turns the form's fields into a request: missing dates are the twelve months up to the last
/// day (or today), a missing level the one below the node. An unknown node id is [`WebError::NotFound`].
pub fn parse_request(params: &ReportParams, today: NaiveDate) -> Result<Result<ReportRequest, FieldErrors>, WebError> {
    let within = match present(&params.org) {
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let mut errors = FieldErrors::new();
    let level = match present(&params.level) {
        Some(raw) => errors.check("level", Level::parse(raw).ok_or("Choose state, district or school.")),
        None => None,
    };
    let date = |errors: &mut FieldErrors, field: &str, raw: &Option<String>| match present(raw) {
        Some(raw) => errors
            .check(
                field,
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| "Enter a date as YYYY-MM-DD, such as 2026-09-01."),
            )
            .map(Some),
        None => Some(None),
    };
    // Missing days make the twelve months up to the last day (today when it is missing too).
    let to = date(&mut errors, "to", &params.to).map(|to| to.unwrap_or(today));
    let from = date(&mut errors, "from", &params.from)
        .and_then(|from| from.or_else(|| to.map(|to| ReportRequest::last_year(to).0)));
    Ok(match (from, to) {
        (Some(from), Some(to)) if errors.is_empty() => {
            if to < from {
                errors.add("to", "The last day must not be before the first day.");
                Err(errors)
            } else {
                Ok(ReportRequest { within, level, from, to })
            }
        }
        _ => Err(errors),
    })
}

/// A row as the page shows it.
struct RowView {
    label: String,
    link: Option<String>,
    state: String,
    figures: Option<FigureView>,
}

/// Figures as the page prints them, with thousands separators.
struct FigureView {
    teachers: String,
    completions: String,
    pd_hours: String,
    earners: String,
    credentials: String,
}

impl FigureView {
    fn of(figures: &Figures) -> Self {
        Self {
            teachers: grouped(figures.teachers),
            completions: grouped(figures.completions),
            pd_hours: grouped_tenths(figures.pd_hours.tenths()),
            earners: grouped(figures.earners),
            credentials: grouped(figures.credentials),
        }
    }
}

/// A choice in the level selector.
struct LevelChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// A link in the trail from the nation down to the node reported on.
struct Crumb {
    name: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "reports/program.html")]
struct ReportPage {
    layout: Layout,
    errors: FieldErrors,
    org: String,
    from: String,
    to: String,
    levels: Vec<LevelChoice>,
    report: Option<ReportView>,
}

struct ReportView {
    within_name: String,
    within_kind: &'static str,
    level_label: &'static str,
    period: String,
    crumbs: Vec<Crumb>,
    scopes: Vec<(String, String)>,
    rows: Vec<RowView>,
    row_count: String,
    total: Option<FigureView>,
    suppressed: bool,
    csv_link: String,
    pager: Pager,
    previous: Option<String>,
    next: Option<String>,
}

fn query_string(org: i64, level: Level, from: NaiveDate, to: NaiveDate) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("org", &org.to_string())
        .append_pair("level", level.slug())
        .append_pair("from", &from.to_string())
        .append_pair("to", &to.to_string())
        .finish()
}

fn view(report: &ProgramReport, page: Option<i64>) -> ReportView {
    let (from, to) = (report.from, report.to);
    let mut pager = Pager::new(page, ROWS_PER_PAGE);
    let offset = usize::try_from(pager.offset()).unwrap_or(usize::MAX);
    pager.has_next = report.rows.len() > offset.saturating_add(ROWS_PER_PAGE as usize);
    let rows = report
        .rows
        .iter()
        .skip(offset)
        .take(ROWS_PER_PAGE as usize)
        .map(|row| RowView {
            label: row.label.clone(),
            link: match (&row.place, row.drill) {
                (Some(place), Some(finer)) => {
                    Some(format!("/admin/reports?{}", query_string(place.id, finer, from, to)))
                }
                _ => None,
            },
            state: row.place.as_ref().and_then(|p| p.state.clone()).unwrap_or_default(),
            figures: row.figures.as_ref().map(FigureView::of),
        })
        .collect();
    let here = query_string(report.within.id, report.level, from, to);
    let page_link = |n: i64| format!("/admin/reports?{here}&page={n}");
    ReportView {
        within_name: report.within.name.clone(),
        within_kind: report.within.kind.label(),
        level_label: report.level.label(),
        period: format!("{} to {}", from.format("%B %-d, %Y"), to.format("%B %-d, %Y")),
        crumbs: report
            .lineage
            .iter()
            .filter(|(org, _)| org.id != report.within.id)
            .map(|(org, reachable)| Crumb {
                name: org.name.clone(),
                link: reachable.then(|| format!("/admin/reports?{}", query_string(org.id, level_below(org), from, to))),
            })
            .collect(),
        scopes: report
            .scopes
            .iter()
            .filter(|s| s.id != report.within.id)
            .map(|s| (s.name.clone(), format!("/admin/reports?org={}&from={from}&to={to}", s.id)))
            .collect(),
        row_count: grouped(report.rows.len() as i64),
        rows,
        total: report.total.as_ref().map(FigureView::of),
        suppressed: report.suppressed,
        csv_link: format!("/admin/reports.csv?{here}"),
        previous: (pager.page > 1).then(|| page_link(pager.page - 1)),
        next: pager.has_next.then(|| page_link(pager.page + 1)),
        pager,
    }
}

/// The level a breadcrumb link shows: the one just below that node.
fn level_below(org: &academy_store::orgs::Org) -> Level {
    match org.path.ids().len() {
        0 | 1 => Level::State,
        2 => Level::District,
        _ => Level::School,
    }
}

fn levels(selected: Option<Level>) -> Vec<LevelChoice> {
    Level::ALL
        .into_iter()
        .map(|l| LevelChoice { value: l.slug(), label: l.label(), selected: selected == Some(l) })
        .collect()
}

/// The report page: the form, then the table for what it asks.
pub async fn show_report(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(params): Query<ReportParams>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let today = time::now().date_naive();
    let layout = Layout::new("Program reports", Some(&ctx));
    let org = present(&params.org).unwrap_or_default().to_owned();
    let request = match parse_request(&params, today)? {
        Ok(request) => request,
        Err(errors) => {
            let page = ReportPage {
                layout,
                errors,
                org,
                from: params.from.clone().unwrap_or_default(),
                to: params.to.clone().unwrap_or_default(),
                levels: levels(present(&params.level).and_then(Level::parse)),
                report: None,
            };
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let report = reports::program_report(&state.app, &session.principal, &request).await?;
    let page_number = present(&params.page).and_then(|p| p.parse::<i64>().ok());
    let page = ReportPage {
        layout,
        errors: FieldErrors::new(),
        org: report.within.id.to_string(),
        from: report.from.to_string(),
        to: report.to.to_string(),
        levels: levels(Some(report.level)),
        report: Some(view(&report, page_number)),
    };
    Ok(render_page(&page)?.into_response())
}

/// The figures of a row for the CSV, `withheld` in each column when suppressed.
fn csv_figures(figures: Option<&Figures>) -> [String; 5] {
    match figures {
        Some(f) => [
            f.teachers.to_string(),
            f.completions.to_string(),
            f.pd_hours.to_string(),
            f.earners.to_string(),
            f.credentials.to_string(),
        ],
        None => std::array::from_fn(|_| "withheld".to_owned()),
    }
}

/// The same table as CSV: every row, then the total.
pub async fn report_csv(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(params): Query<ReportParams>,
) -> Result<Response, WebError> {
    let session = ctx.session()?;
    let request = parse_request(&params, time::now().date_naive())?.map_err(WebError::Validation)?;
    let report = reports::program_report(&state.app, &session.principal, &request).await?;
    let mut export = CsvExport::new([
        "level",
        "org_id",
        "place",
        "kind",
        "state",
        "teachers_completing",
        "completions",
        "pd_hours",
        "credential_earners",
        "credentials",
        "from",
        "to",
    ])?;
    let (from, to) = (report.from.to_string(), report.to.to_string());
    for row in &report.rows {
        let place = row.place.as_ref();
        let mut cells = vec![
            report.level.slug().to_owned(),
            place.map(|p| p.id.to_string()).unwrap_or_default(),
            row.label.clone(),
            place.map(|p| p.kind.as_str().to_owned()).unwrap_or_default(),
            place.and_then(|p| p.state.clone()).unwrap_or_default(),
        ];
        cells.extend(csv_figures(row.figures.as_ref()));
        cells.extend([from.clone(), to.clone()]);
        export.row(cells)?;
    }
    let mut total = vec![
        "total".to_owned(),
        report.within.id.to_string(),
        report.within.name.clone(),
        report.within.kind.as_str().to_owned(),
        report.within.state.clone().unwrap_or_default(),
    ];
    total.extend(csv_figures(report.total.as_ref()));
    total.extend([from.clone(), to.clone()]);
    export.row(total)?;
    let filename = format!("academy-report-{}-{}-{from}-{to}.csv", report.within.id, report.level.slug());
    csv_attachment(&filename, export)
}
