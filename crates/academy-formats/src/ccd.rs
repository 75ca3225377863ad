//! The NCES Common Core of Data (CCD) directory files: one row per local education agency
//! (district) and one per school, as CSV with the CCD's column names.
//!
//! Columns read: districts `LEAID`, `NAME`, `LSTATE`; schools `NCESSCH`, `LEAID`, `SCHNAM`,
//! `LSTATE`, `ULOCAL` and, when present, `CHARTR`. CCD marks missing values `M`, `N`, `-1`,
//! `-2` or `-9`; those read as absent. Other columns are ignored.

use crate::error::{FormatError, FormatErrors};
use academy_core::{Locale, NcesId, OrgKind, UsState};
use std::collections::HashMap;
use std::io::Read;

/// A district row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    /// Line in the file.
    pub line: u64,
    /// NCES LEA id (7 digits).
    pub lea_id: NcesId,
    /// Name as CCD spells it.
    pub name: String,
    /// Location state.
    pub state: UsState,
}

/// A school row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct School {
    /// Line in the file.
    pub line: u64,
    /// NCES school id (12 digits).
    pub nces_id: NcesId,
    /// Its district's LEA id.
    pub lea_id: NcesId,
    /// Name as CCD spells it.
    pub name: String,
    /// Location state.
    pub state: UsState,
    /// Locale category, when reported.
    pub locale: Option<Locale>,
    /// Charter school, when reported.
    pub charter: Option<bool>,
}

/// Reads a district file.
pub fn read_districts(file: &str, input: impl Read) -> Result<Vec<District>, FormatErrors> {
    let mut sheet = Sheet::open(file, input, &["LEAID", "NAME", "LSTATE"])?;
    let mut rows = Vec::new();
    while let Some(line) = sheet.advance() {
        let row = sheet.row(line);
        let lea_id = row.parse("LEAID", |v| NcesId::parse(v, OrgKind::District));
        let name = row.parse("NAME", name);
        let state = row.parse("LSTATE", UsState::parse);
        if let (Some(lea_id), Some(name), Some(state)) = (lea_id, name, state) {
            rows.push(District { line: row.line, lea_id, name, state });
        }
        let found = row.errors.into_inner();
        sheet.errors.0.extend(found);
        if sheet.errors.full() {
            break;
        }
    }
    sheet.finish(rows)
}

/// Reads a school file.
pub fn read_schools(file: &str, input: impl Read) -> Result<Vec<School>, FormatErrors> {
    let mut sheet = Sheet::open(file, input, &["NCESSCH", "LEAID", "SCHNAM", "LSTATE", "ULOCAL"])?;
    let has_charter = sheet.columns.contains_key("CHARTR");
    let mut rows = Vec::new();
    while let Some(line) = sheet.advance() {
        let row = sheet.row(line);
        let nces_id = row.parse("NCESSCH", |v| NcesId::parse(v, OrgKind::School));
        let lea_id = row.parse("LEAID", |v| NcesId::parse(v, OrgKind::District));
        let name = row.parse("SCHNAM", name);
        let state = row.parse("LSTATE", UsState::parse);
        let locale = row.parse("ULOCAL", |v| {
            if is_missing(v) {
                Ok(None)
            } else {
                Locale::from_nces_code(v)
                    .map(Some)
                    .ok_or_else(|| format!("'{v}' is not an NCES locale code (11 to 43)"))
            }
        });
        let charter = if has_charter {
            row.parse("CHARTR", |v| match v.trim() {
                "1" => Ok(Some(true)),
                "2" => Ok(Some(false)),
                v if is_missing(v) => Ok(None),
                other => Err(format!("'{other}' is not a charter flag (1 yes, 2 no)")),
            })
        } else {
            Some(None)
        };
        if let (Some(nces_id), Some(lea_id), Some(name), Some(state), Some(locale), Some(charter)) =
            (nces_id, lea_id, name, state, locale, charter)
        {
            if !nces_id.as_str().starts_with(lea_id.as_str()) {
                row.errors
                    .borrow_mut()
                    .push(row.error("NCESSCH", format!("{nces_id} does not begin with its LEAID {lea_id}")));
            } else {
                rows.push(School { line: row.line, nces_id, lea_id, name, state, locale, charter });
            }
        }
        let found = row.errors.into_inner();
        sheet.errors.0.extend(found);
        if sheet.errors.full() {
            break;
        }
    }
    sheet.finish(rows)
}

fn name(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() || is_missing(v) {
        Err("the name is empty".into())
    } else if v.chars().count() > 200 {
        Err("the name is longer than 200 characters".into())
    } else {
        Ok(v.to_owned())
    }
}

fn is_missing(v: &str) -> bool {
    matches!(v.trim(), "" | "M" | "N" | "-1" | "-2" | "-9")
}

struct Sheet<R: Read> {
    file: String,
    reader: csv::Reader<R>,
    columns: HashMap<String, usize>,
    errors: FormatErrors,
    record: csv::StringRecord,
}

struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
    errors: std::cell::RefCell<Vec<FormatError>>,
}

impl Row<'_> {
    fn error(&self, field: &str, message: String) -> FormatError {
        FormatError { file: self.file.to_owned(), line: self.line, field: Some(field.to_owned()), message }
    }

    fn parse<T, E: std::fmt::Display>(&self, column: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let value = self.columns.get(column).and_then(|&i| self.record.get(i));
        let Some(value) = value else {
            self.errors.borrow_mut().push(self.error(column, "the row has no value in this column".into()));
            return None;
        };
        match parse(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.borrow_mut().push(self.error(column, e.to_string()));
                None
            }
        }
    }
}

impl<R: Read> Sheet<R> {
    fn open(file: &str, input: R, required: &[&str]) -> Result<Self, FormatErrors> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let at_header =
            |message: String| FormatErrors(vec![FormatError { file: file.to_owned(), line: 1, field: None, message }]);
        let headers = reader.headers().map_err(|e| at_header(format!("cannot read the header: {e}")))?.clone();
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_uppercase(), i))
            .collect();
        let missing: Vec<&str> = required.iter().copied().filter(|c| !columns.contains_key(*c)).collect();
        if !missing.is_empty() {
            return Err(at_header(format!("missing column(s) {}", missing.join(", "))));
        }
        Ok(Self {
            file: file.to_owned(),
            reader,
            columns,
            errors: FormatErrors::default(),
            record: csv::StringRecord::new(),
        })
    }

    /// Reads the next non-blank record; returns its line.
    fn advance(&mut self) -> Option<u64> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    if self.record.iter().all(|v| v.trim().is_empty()) {
                        continue;
                    }
                    return Some(self.record.position().map_or(0, |p| p.line()));
                }
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line());
                    self.errors.0.push(FormatError {
                        file: self.file.clone(),
                        line,
                        field: None,
                        message: error.to_string(),
                    });
                    if matches!(error.kind(), csv::ErrorKind::Io(_)) || self.errors.full() {
                        return None;
                    }
                }
            }
        }
    }

    fn row(&self, line: u64) -> Row<'_> {
        Row {
            file: &self.file,
            line,
            record: &self.record,
            columns: &self.columns,
            errors: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn finish<T>(self, rows: Vec<T>) -> Result<Vec<T>, FormatErrors> {
        if self.errors.0.is_empty() { Ok(rows) } else { Err(self.errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISTRICTS: &str = "SURVYEAR,LEAID,NAME,LSTATE,ULOCAL\n2013,4800001,CROSBYTON CISD,TX,00:00:00\n2013,4800002,SPUR ISD,TX,00:00:00\n";

    #[test]
    fn districts_read_and_ignore_the_corrupted_locale_column() {
        let rows = read_districts("d.csv", DISTRICTS.as_bytes()).expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].lea_id.as_str(), "4800001");
        assert_eq!(rows[1].name, "SPUR ISD");
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn schools_map_locale_and_charter() {
        let csv = "NCESSCH,LEAID,SCHNAM,LSTATE,ULOCAL,CHARTR\n480000101145,4800001,CROSBYTON EL,TX,43,2\n480000101146,4800001,CROSBYTON H S,TX,M,1\n";
        let rows = read_schools("s.csv", csv.as_bytes()).expect("valid");
        assert_eq!(rows[0].locale, Some(Locale::Rural));
        assert_eq!(rows[0].charter, Some(false));
        assert_eq!(rows[1].locale, None);
        assert_eq!(rows[1].charter, Some(true));
    }

    #[test]
    fn problems_name_file_line_and_field() {
        let csv = "NCESSCH,LEAID,SCHNAM,LSTATE,ULOCAL\n480000101145,4800001,GOOD,TX,43\n48000010114X,4800001,BAD ID,TX,43\n480000101147,4800001,,ZZ,77\n490000101148,4800001,WRONG LEA,TX,11\n";
        let errors = read_schools("campuses.csv", csv.as_bytes()).expect_err("invalid rows");
        let text = errors.to_string();
        assert!(text.contains("campuses.csv:3: NCESSCH:"), "{text}");
        assert!(text.contains("campuses.csv:4: SCHNAM: the name is empty"), "{text}");
        assert!(text.contains("campuses.csv:4: LSTATE:"), "{text}");
        assert!(text.contains("campuses.csv:4: ULOCAL: '77' is not an NCES locale code"), "{text}");
        assert!(text.contains("campuses.csv:5: NCESSCH: 490000101148 does not begin with its LEAID 4800001"), "{text}");
        assert_eq!(errors.0.len(), 5);
    }

    #[test]
    fn a_missing_column_is_reported_at_the_header() {
        let errors = read_districts("d.csv", "LEAID,NAME\n4800001,X\n".as_bytes()).expect_err("no LSTATE");
        assert_eq!(errors.to_string(), "d.csv:1: missing column(s) LSTATE");
    }

    #[test]
    fn the_real_texas_directory_reads_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nces/tx_ccd_2013-14");
        if !dir.is_dir() {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        }
        let open = |name: &str| std::fs::File::open(dir.join(name)).expect("open");
        let districts = read_districts("tx-districts-ccd.csv", open("tx-districts-ccd.csv")).expect("districts");
        let schools = read_schools("tx-campuses-ccd.csv", open("tx-campuses-ccd.csv")).expect("schools");
        assert_eq!(districts.len(), 1265);
        assert_eq!(schools.len(), 9336);
        let rural = schools.iter().filter(|s| s.locale == Some(Locale::Rural)).count();
        assert_eq!(rural, 934 + 866 + 454, "codes 41, 42 and 43");
        let leas: std::collections::HashSet<&str> = districts.iter().map(|d| d.lea_id.as_str()).collect();
        assert!(schools.iter().all(|s| leas.contains(s.lea_id.as_str())), "every school's district is listed");
    }
}
