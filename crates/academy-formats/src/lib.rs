//! Academy's interchange formats. Each module parses and validates one format into typed
//! values (and serializes where the format goes out); none touches the database.
//!
//! - [`ccd`]: the NCES Common Core of Data directory files (districts and schools).
//! - [`csv_export`]: the one CSV writer every export uses; it neutralizes cells a spreadsheet
//!   would run as formulas.
//! - [`course`]: course and lab packages (`course.toml` and the files it names), as a folder,
//!   a map of files or a zip, read with every problem located and written back.
//! - [`markdown`]: authors' Markdown rendered to sanitized HTML.
//! - [`ical`]: iCalendar feeds of workshop sessions.
//! - [`pdf`]: printable transcripts and certificates.
//! - [`error`]: problems located by file, line and field.

pub mod ccd;
pub mod course;
pub mod csv_export;
pub mod error;
pub mod ical;
pub mod markdown;
pub mod pdf;

pub use error::{FormatError, FormatErrors};
