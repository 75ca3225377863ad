//! Academy's interchange formats. Each module parses and validates one format into typed
//! values (and serializes where the format goes out); none touches the database.
//!
//! - [`ccd`]: the NCES Common Core of Data directory files (districts and schools).
//! - [`error`]: problems located by file, line and field.

pub mod ccd;
pub mod error;

pub use error::{FormatError, FormatErrors};
