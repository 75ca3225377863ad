//! Field errors: what was wrong and where, for forms, API bodies and imports alike.

use serde::Serialize;

/// One problem with one input field, phrased for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as it appears in the form or body (`email`, `password`).
    pub field: String,
    /// A sentence saying what is wrong and how to fix it.
    pub message: String,
}

/// The errors of one submission, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is wrong.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// Runs a parser for `field`, keeping its value or recording its error.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }

    /// Whether nothing was wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if it had one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// Every error, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(())` when empty, otherwise the errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// Trims `raw` and rejects it when empty or longer than `max` characters.
pub fn required_text(raw: &str, label: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("{label} is required."));
    }
    if value.chars().count() > max {
        return Err(format!("{label} must be at most {max} characters."));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(format!("{label} must not contain control characters."));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("  Ada ", "Name", 10), Ok("Ada".to_owned()));
        assert_eq!(required_text("   ", "Name", 10), Err("Name is required.".to_owned()));
        assert!(required_text("abcdefghijk", "Name", 10).is_err());
        assert!(required_text("a\u{0}b", "Name", 10).is_err());
    }

    #[test]
    fn errors_display_field_and_message() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Email is required.");
        errors.add("password", "Too short.");
        assert_eq!(errors.to_string(), "email: Email is required.; password: Too short.");
        assert_eq!(errors.get("password"), Some("Too short."));
        assert!(errors.into_result().is_err());
    }
}
