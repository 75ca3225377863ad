//! Problems in an input file, located by file, line and field.

use std::fmt;

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The file's name as the person gave it.
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// The column or field, when the problem is in one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}:{}: {}: {}", self.file, self.line, field, self.message),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// Every problem found in a file (reading stops after [`FormatErrors::LIMIT`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct FormatErrors(pub Vec<FormatError>);

impl FormatErrors {
    /// How many problems are collected before reading stops.
    pub const LIMIT: usize = 50;

    /// Whether reading should stop.
    pub fn full(&self) -> bool {
        self.0.len() >= Self::LIMIT
    }
}

impl fmt::Display for FormatErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.full() {
            write!(f, "\n(stopped after {} problems)", Self::LIMIT)?;
        }
        Ok(())
    }
}
