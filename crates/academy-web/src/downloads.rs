//! Files people download: CSV exports go through [`academy_formats::csv_export`] and leave
//! here with one content type and a file name.

use crate::error::WebError;
use academy_formats::csv_export::{CsvExport, CsvExportError};
use axum::http::header;
use axum::response::{IntoResponse, Response};

impl From<CsvExportError> for WebError {
    fn from(error: CsvExportError) -> Self {
        Self::Internal(error.into())
    }
}

/// A finished CSV export as an attachment named `filename` (ASCII, no quotes).
pub fn csv_attachment(filename: &str, export: CsvExport) -> Result<Response, WebError> {
    let body = export.finish()?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
}
