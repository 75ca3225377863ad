//! Program reports: completions, PD hours and credentials by state, district or school, for a
//! date range, within what the viewer may see. The page `/admin/reports`, its CSV export and
//! `GET /api/v1/reports/program` all call [`program_report`].
//!
//! Who sees what:
//! - The report needs [`Permission::ViewAggregates`] at the node it covers: org admins get
//!   their nodes, program admins and researchers the nation. A node outside the viewer's reach
//!   is "not found", as if it did not exist.
//! - Viewers who may also see the people there ([`Permission::ViewMembers`]: org and program
//!   admins) get exact figures. Everyone else (researchers) gets aggregates with small cells
//!   suppressed: a row standing for fewer than [`MIN_CELL`] teachers or credential earners is
//!   withheld whole, with a second row when one alone would be found by subtraction
//!   ([`academy_core::aggregate::rows_to_withhold`]).
//!
//! Attribution: a person counts at their school, or at their local when they have no school
//! (so the district level lists districts and locals, the nodes one level below a state). A
//! report of the whole program adds a row for people placed nowhere. Dates are whole UTC days,
//! both ends included.

use crate::{App, Error, Result};
use academy_core::aggregate::{MIN_CELL, rows_to_withhold};
use academy_core::learning::PdHours;
use academy_core::{OrgKind, Permission, Principal};
use academy_store::orgs::{self, Org};
use academy_store::reports::{self, Place};
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::HashMap;

/// How finely a report breaks its figures down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// State federations.
    State,
    /// Districts and local unions (the nodes one level below a state).
    District,
    /// Schools.
    School,
}

impl Level {
    /// Every level, coarsest first.
    pub const ALL: [Level; 3] = [Level::State, Level::District, Level::School];

    /// The form and API value.
    pub fn slug(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::District => "district",
            Self::School => "school",
        }
    }

    /// How the level reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Self::State => "State",
            Self::District => "District or local",
            Self::School => "School",
        }
    }

    /// Parses the form and API value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.slug() == raw)
    }

    /// How deep in the tree its nodes sit (the national root is 1).
    fn depth(self) -> usize {
        match self {
            Self::State => 2,
            Self::District => 3,
            Self::School => 4,
        }
    }

    fn kinds(self) -> &'static [OrgKind] {
        match self {
            Self::State => &[OrgKind::StateFederation],
            Self::District => &[OrgKind::District, OrgKind::LocalUnion],
            Self::School => &[OrgKind::School],
        }
    }

    /// The level a report of a node at `depth` shows first: the one just below it.
    fn below_depth(depth: usize) -> Self {
        match depth {
            0 | 1 => Self::State,
            2 => Self::District,
            _ => Self::School,
        }
    }

    /// The next finer level, where a row's link leads.
    pub fn finer(self) -> Option<Self> {
        match self {
            Self::State => Some(Self::District),
            Self::District => Some(Self::School),
            Self::School => None,
        }
    }
}

/// What a report is asked for. `from` and `to` are UTC days, both included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    /// The node to report within; `None` for the viewer's first scope.
    pub within: Option<i64>,
    /// The breakdown; `None` for the level just below `within`.
    pub level: Option<Level>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl ReportRequest {
    /// The twelve months up to and including `today`.
    pub fn last_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let from = today.checked_sub_days(Days::new(364)).unwrap_or(NaiveDate::MIN);
        (from, today)
    }
}

/// The figures of one row (or of the total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// People who completed at least one item in the range.
    pub teachers: i64,
    /// Items completed in the range.
    pub completions: i64,
    /// PD hours awarded for them.
    pub pd_hours: PdHours,
    /// People who earned at least one credential in the range.
    pub earners: i64,
    /// Credentials issued in the range and not revoked.
    pub credentials: i64,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.teachers += other.teachers;
        self.completions += other.completions;
        self.pd_hours = self.pd_hours + other.pd_hours;
        self.earners += other.earners;
        self.credentials += other.credentials;
    }

    /// The counts of people, which small-cell suppression looks at.
    fn people(&self) -> Vec<i64> {
        vec![self.teachers, self.earners]
    }
}

/// One row: a place at the report's level, or the people the level has no place for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    /// The place; `None` for the row of people it has no place for.
    pub place: Option<Place>,
    /// What the row is called.
    pub label: String,
    /// Its figures; `None` when withheld to protect a small group.
    pub figures: Option<Figures>,
    /// The finer level a link from this row shows (`None` for schools and unplaced people).
    pub drill: Option<Level>,
}

/// A finished report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgramReport {
    /// The node reported within.
    pub within: Org,
    /// The nodes from the root down to `within`, those the viewer may report on marked.
    pub lineage: Vec<(Org, bool)>,
    /// The breakdown.
    pub level: Level,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// One row per place at the level, by state and name, then the unplaced row if any.
    pub rows: Vec<ReportRow>,
    /// The whole of `within`; `None` when withheld.
    pub total: Option<Figures>,
    /// Whether small cells are suppressed (the viewer may see aggregates only).
    pub suppressed: bool,
    /// The top nodes the viewer may report on.
    pub scopes: Vec<Org>,
}

/// The report `request` asks for, as `principal` may see it.
pub async fn program_report(app: &App, principal: &Principal, request: &ReportRequest) -> Result<ProgramReport> {
    if request.to < request.from {
        return Err(Error::field("to", "The last day must not be before the first day."));
    }
    let store = &app.store;
    let mut scopes = Vec::new();
    for grant in principal.scopes(Permission::ViewAggregates) {
        if let Some(org) = orgs::get(store, grant.org_id).await? {
            scopes.push(org);
        }
    }
    let within = match request.within {
        Some(id) => orgs::get(store, id).await?.ok_or(Error::NotFound)?,
        None => scopes.first().cloned().ok_or(Error::NotFound)?,
    };
    if !principal.can(Permission::ViewAggregates, &within.path) {
        return Err(Error::NotFound);
    }
    let suppressed = !principal.can(Permission::ViewMembers, &within.path);
    let depth = within.path.ids().len();
    // A level above the node would have one row, the node's own ancestor: show the node then.
    let level = request.level.unwrap_or(Level::below_depth(depth)).max(Level::below_depth(depth.saturating_sub(1)));
    let (from, to) =
        (start_of(request.from), start_of(request.to.checked_add_days(Days::new(1)).unwrap_or(request.to)));

    let places = reports::places(store, &within.path, level.kinds()).await?;
    let completions = reports::completions_by_place(store, &within.path, from, to).await?;
    let credentials = reports::credentials_by_place(store, &within.path, from, to).await?;

    // Roll each attributed place up to its ancestor at the level; a place above the level (a
    // local, for people without a school, in a school report) goes to the unplaced row.
    let mut by_place: HashMap<i64, Figures> = HashMap::new();
    let mut unplaced = Figures::default();
    let bucket = |path: &academy_core::OrgPath| -> Option<i64> { path.ids().get(level.depth() - 1).copied() };
    for row in &completions {
        let figures = Figures {
            teachers: row.teachers,
            completions: row.completions,
            pd_hours: PdHours::from_tenths(row.pd_hours_tenths),
            ..Figures::default()
        };
        match bucket(&row.path) {
            Some(id) => by_place.entry(id).or_default().add(&figures),
            None => unplaced.add(&figures),
        }
    }
    for row in &credentials {
        let figures = Figures { earners: row.earners, credentials: row.credentials, ..Figures::default() };
        match bucket(&row.path) {
            Some(id) => by_place.entry(id).or_default().add(&figures),
            None => unplaced.add(&figures),
        }
    }
    let unplaced_label = if within.parent_id.is_none() {
        let nowhere = reports::unplaced_activity(store, from, to).await?;
        unplaced.add(&Figures {
            teachers: nowhere.teachers,
            completions: nowhere.completions,
            pd_hours: PdHours::from_tenths(nowhere.pd_hours_tenths),
            earners: nowhere.earners,
            credentials: nowhere.credentials,
        });
        match level {
            Level::School => "No school recorded",
            _ => "No school or local recorded",
        }
    } else {
        "No school recorded"
    };

    let mut places = places;
    places.sort_by(|a, b| {
        (a.state.as_deref().unwrap_or(""), a.name.to_lowercase(), a.id).cmp(&(
            b.state.as_deref().unwrap_or(""),
            b.name.to_lowercase(),
            b.id,
        ))
    });
    let mut rows: Vec<ReportRow> = places
        .into_iter()
        .map(|place| ReportRow {
            figures: Some(by_place.remove(&place.id).unwrap_or_default()),
            label: place.name.clone(),
            drill: level.finer(),
            place: Some(place),
        })
        .collect();
    // People recorded at a node of an unexpected kind (a school id naming a district, say)
    // still count, with the people the level has no place for.
    for figures in by_place.values() {
        unplaced.add(figures);
    }
    if unplaced != Figures::default() {
        rows.push(ReportRow { place: None, label: unplaced_label.to_owned(), figures: Some(unplaced), drill: None });
    }
    let mut total = Figures::default();
    for row in &rows {
        if let Some(figures) = &row.figures {
            total.add(figures);
        }
    }
    let mut total = Some(total);
    if suppressed {
        let people: Vec<Vec<i64>> = rows.iter().map(|r| r.figures.unwrap_or_default().people()).collect();
        let withholding = rows_to_withhold(&people);
        for (row, withheld) in rows.iter_mut().zip(withholding.rows) {
            if withheld {
                row.figures = None;
            }
        }
        if withholding.total || total.is_some_and(|t| t.people().iter().any(|n| *n > 0 && *n < MIN_CELL)) {
            total = None;
        }
    }
    let lineage = orgs::lineage(store, &within.path)
        .await?
        .into_iter()
        .map(|org| {
            let reachable = principal.can(Permission::ViewAggregates, &org.path);
            (org, reachable)
        })
        .collect();
    Ok(ProgramReport { within, lineage, level, from: request.from, to: request.to, rows, total, suppressed, scopes })
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}
