//! Time as the application sees it.

use chrono::{DateTime, SubsecRound, Utc};

/// The current instant, truncated to microseconds so that it survives a round trip through
/// PostgreSQL (`timestamptz` keeps microseconds) and SQLite unchanged.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
