//! Program reports as JSON: the same use case and the same access as `/admin/reports`.

use super::catalog::one_of;
use super::{ErrorResponse, page_bounds};
use crate::context::RequestContext;
use crate::error::WebError;
use crate::handlers::reports::{ReportParams, parse_request};
use crate::state::AppState;
use academy_app::reports::{self, Figures, Level};
use academy_core::aggregate::MIN_CELL;
use academy_core::time;
use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Object;
use utoipa::{IntoParams, ToSchema};

fn levels() -> Object {
    one_of(Level::ALL.map(Level::slug), "The breakdown (default: the level just below the node)")
}

/// What to report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The node to report within (default: the caller's first node with reports).
    pub org: Option<i64>,
    /// `state`, `district` (districts and locals) or `school`.
    #[param(schema_with = levels)]
    pub level: Option<String>,
    /// First day, UTC (default: twelve months up to `to`).
    pub from: Option<NaiveDate>,
    /// Last day, UTC, included (default: today).
    pub to: Option<NaiveDate>,
    /// Rows per page, 1–5000 (default 1000).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The figures of a row or of the whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresResponse {
    /// People who completed at least one item in the range.
    pub teachers_completing: i64,
    /// Items completed in the range.
    pub completions: i64,
    /// PD hours awarded for them.
    pub pd_hours: f64,
    /// People who earned at least one credential in the range.
    pub credential_earners: i64,
    /// Credentials issued in the range and not revoked.
    pub credentials: i64,
}

impl From<&Figures> for FiguresResponse {
    fn from(f: &Figures) -> Self {
        Self {
            teachers_completing: f.teachers,
            completions: f.completions,
            pd_hours: f.pd_hours.as_f64(),
            credential_earners: f.earners,
            credentials: f.credentials,
        }
    }
}

/// A place a row stands for.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceResponse {
    /// Id (report within it with `org`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// `state_federation`, `district`, `local_union` or `school`.
    pub kind: String,
    /// USPS state code.
    pub state: Option<String>,
}

/// One row of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRowResponse {
    /// The place; absent for the row of people the level has no place for.
    pub place: Option<PlaceResponse>,
    /// What the row is called.
    pub label: String,
    /// Its figures; absent when withheld to protect a small group.
    pub figures: Option<FiguresResponse>,
    /// The finer level a drill-down into this place shows.
    pub drill_level: Option<String>,
}

/// A program report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramReportResponse {
    /// The node reported within.
    pub within: PlaceResponse,
    /// `state`, `district` or `school`.
    pub level: String,
    /// First day (UTC).
    pub from: NaiveDate,
    /// Last day (UTC, included).
    pub to: NaiveDate,
    /// Whether small cells are suppressed (the caller may see aggregates only).
    pub suppressed: bool,
    /// The smallest group shown when suppressed: rows standing for fewer teachers or credential
    /// earners are withheld (with one more when a single one could be found by subtraction).
    pub min_cell: i64,
    /// The whole of `within`; absent when withheld.
    pub total: Option<FiguresResponse>,
    /// Rows by state and name, this page of them.
    pub rows: Vec<ReportRowResponse>,
    /// Rows in all.
    pub row_count: i64,
    /// Page size asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// Completions, PD hours and credentials by state, district or school for a date range,
/// within what the caller may see (org admins: their nodes; program admins and researchers:
/// the nation, researchers with small groups withheld). As CSV at `/admin/reports.csv`.
#[utoipa::path(get, path = "/api/v1/reports/program", tag = "reports",
    params(ReportQuery),
    responses((status = 200, body = ProgramReportResponse), (status = 400, body = ErrorResponse),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn get_program_report(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<ReportQuery>,
) -> Result<Json<ProgramReportResponse>, WebError> {
    let session = ctx.session()?;
    let (limit, offset) = page_bounds(query.limit, query.offset, 1000, 5000)?;
    // The page's form sends an empty level for "the default"; the API documents the values.
    if let Some(level) = query.level.as_deref().filter(|l| Level::parse(l).is_none()) {
        return Err(WebError::BadRequest(format!("level: '{level}' is not one of: state, district, school")));
    }
    let params = ReportParams {
        org: query.org.map(|id| id.to_string()),
        level: query.level.clone(),
        from: query.from.map(|d| d.to_string()),
        to: query.to.map(|d| d.to_string()),
        page: None,
    };
    let today = time::now().date_naive();
    let request = parse_request(&params, today)?.map_err(WebError::Validation)?;
    let report = reports::program_report(&state.app, &session.principal, &request).await?;
    let place = |p: &academy_store::reports::Place| PlaceResponse {
        id: p.id,
        name: p.name.clone(),
        kind: p.kind.as_str().to_owned(),
        state: p.state.clone(),
    };
    let rows = report
        .rows
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|row| ReportRowResponse {
            place: row.place.as_ref().map(place),
            label: row.label.clone(),
            figures: row.figures.as_ref().map(FiguresResponse::from),
            drill_level: row.drill.filter(|_| row.place.is_some()).map(|l| l.slug().to_owned()),
        })
        .collect();
    Ok(Json(ProgramReportResponse {
        within: PlaceResponse {
            id: report.within.id,
            name: report.within.name.clone(),
            kind: report.within.kind.as_str().to_owned(),
            state: report.within.state.clone(),
        },
        level: report.level.slug().to_owned(),
        from: report.from,
        to: report.to,
        suppressed: report.suppressed,
        min_cell: MIN_CELL,
        total: report.total.as_ref().map(FiguresResponse::from),
        rows,
        row_count: i64::try_from(report.rows.len()).unwrap_or(i64::MAX),
        limit,
        offset,
    }))
}
