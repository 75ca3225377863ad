//! CSV for people to open in a spreadsheet: the one writer every export goes through (the
//! transcript, program reports, and any export after them).
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, so a course titled
//! `=HYPERLINK("http://evil.example","Click")` would become a live link in whoever opens the
//! file ("CSV injection"). Every cell is neutralized as OWASP recommends: one that starts with
//! one of those characters, a tab or a carriage return is prefixed with `'`, which spreadsheets
//! treat as "this is text" and do not show. Plain numbers (`-3`, `+1.5`) are left alone: they
//! are not formulas, and prefixing them would turn figures into text.

use std::borrow::Cow;

/// A CSV export could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing CSV: {0}")]
pub struct CsvExportError(String);

impl From<csv::Error> for CsvExportError {
    fn from(error: csv::Error) -> Self {
        Self(error.to_string())
    }
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, hide one behind them).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as it is safe to write: unchanged, or prefixed with `'` when a spreadsheet would
/// otherwise evaluate it.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if FORMULA_TRIGGERS.contains(&first) && !is_plain_number(cell) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// `-12`, `+3.5`: an optional sign, digits, and at most one decimal point between digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// A CSV document being written in memory: a header row, then rows, every cell neutralized.
pub struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
    columns: usize,
}

impl std::fmt::Debug for CsvExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvExport").field("columns", &self.columns).finish_non_exhaustive()
    }
}

impl CsvExport {
    /// Starts a document with its header row.
    pub fn new<I, S>(header: I) -> Result<Self, CsvExportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let header: Vec<S> = header.into_iter().collect();
        let mut export = Self { writer: csv::Writer::from_writer(Vec::new()), columns: header.len() };
        export.write(&header)?;
        Ok(export)
    }

    /// Adds a row; it must have as many cells as the header (a short row is refused before
    /// anything of it is written).
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), CsvExportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<S> = cells.into_iter().collect();
        if cells.len() != self.columns {
            return Err(CsvExportError(format!("a row has {} cells, the header {}", cells.len(), self.columns)));
        }
        self.write(&cells)
    }

    fn write<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), CsvExportError> {
        self.writer.write_record(cells.iter().map(|c| neutralize(c.as_ref()).into_owned()))?;
        Ok(())
    }

    /// The finished document, UTF-8.
    pub fn finish(self) -> Result<Vec<u8>, CsvExportError> {
        self.writer.into_inner().map_err(|e| CsvExportError(e.error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(rows: &[&[&str]]) -> String {
        let (header, body) = rows.split_first().expect("a header");
        let mut export = CsvExport::new(header.iter()).expect("header");
        for row in body {
            export.row(row.iter()).expect("row");
        }
        String::from_utf8(export.finish().expect("finish")).expect("utf-8")
    }

    #[test]
    fn formula_cells_become_text() {
        for cell in ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")"] {
            assert_eq!(neutralize(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn ordinary_cells_and_numbers_are_unchanged() {
        for cell in ["", "Ethics of AI", "a=b", "12", "-12", "+3.5", "4.0", "2026-09-01", "'quoted"] {
            assert_eq!(neutralize(cell), cell, "{cell:?}");
        }
        for cell in ["-", "+", "-.5", "-5.", "-1e3", "--1", "-1-1"] {
            assert_eq!(neutralize(cell), format!("'{cell}"), "{cell:?} is not a plain number");
        }
    }

    #[test]
    fn the_document_quotes_and_neutralizes_every_cell() {
        let csv = document(&[
            &["title", "hours"],
            &["=HYPERLINK(\"http://x\",\"y\")", "1.5"],
            &["Plain, with a comma", "-2"],
            &["@cmd", "=2*3"],
        ]);
        assert_eq!(
            csv,
            "title,hours\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1.5\n\"Plain, with a comma\",-2\n'@cmd,'=2*3\n"
        );
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let first: Vec<String> =
            reader.records().next().expect("row").expect("parse").iter().map(str::to_owned).collect();
        assert_eq!(first, ["'=HYPERLINK(\"http://x\",\"y\")", "1.5"]);
    }

    #[test]
    fn rows_must_match_the_header() {
        let mut export = CsvExport::new(["a", "b"]).expect("header");
        assert!(export.row(["only one"]).is_err());
        assert!(export.row(["one", "two"]).is_ok());
    }
}
