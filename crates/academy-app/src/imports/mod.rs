//! Bulk loads, all or nothing: every file is parsed and checked completely before one
//! transaction applies it, and a bad row is reported by file, line and field.
//!
//! - [`ccd`]: districts and schools from NCES Common Core of Data directory files.
//! - [`course`]: course and lab packages in and out of the catalog.
//! - [`people`]: people with their roles from a CSV file, previewed and then applied.

pub mod ccd;
pub mod course;
pub mod people;

/// Told how an import is getting on, so that a person waiting sees progress (the CLI draws a
/// progress bar; the web and tests pass [`NoProgress`]).
pub trait Progress: Sync {
    /// A new phase begins (`"districts"`, `"schools"`, `"saving"`) with `total` steps in all.
    fn phase(&self, name: &'static str, total: u64);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
}

/// Progress nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &'static str, _: u64) {}
    fn advance(&self, _: u64) {}
}
