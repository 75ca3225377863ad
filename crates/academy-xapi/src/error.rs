//! Problems found in a statement, each located by its JSON path (`actor.mbox`,
//! `context.contextActivities.parent[0].id`).

use std::fmt;

/// One step into a JSON document: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A property of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// Where a value sits in a statement, from the statement's root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The statement itself.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// The path of property `key` below this one.
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        Self(segments)
    }

    /// The path of element `index` below this one.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    /// The steps from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

/// Keys that read well after a dot; anything else (extension IRIs, language tags with odd
/// characters) is written as `["…"]` so the path stays unambiguous.
fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{}]", serde_json::Value::String(key.clone()))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Where the problem is.
    pub path: Path,
    /// What is wrong, in words a developer can act on.
    pub message: String,
}

impl ValidationError {
    /// A problem at `path`.
    pub fn new(path: Path, message: impl Into<String>) -> Self {
        Self { path, message: message.into() }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a statement (never empty when returned as an error).
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The problems, in document order as far as they were found in it.
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when there are no problems, else `Err(self)`.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Whether some problem sits exactly at `path` (as displayed, e.g. `actor.mbox`).
    pub fn has_path(&self, path: &str) -> bool {
        self.0.iter().any(|e| e.path.to_string() == path)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Collects problems while a statement is walked.
pub(crate) type Errors = Vec<ValidationError>;

/// Records a problem.
pub(crate) fn report(errors: &mut Errors, path: &Path, message: impl Into<String>) {
    errors.push(ValidationError::new(path.clone(), message));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_the_spec() {
        let p = Path::root().key("context").key("contextActivities").key("parent").index(0).key("id");
        assert_eq!(p.to_string(), "context.contextActivities.parent[0].id");
        let ext = Path::root().key("result").key("extensions").key("http://example.com/x");
        assert_eq!(ext.to_string(), r#"result.extensions["http://example.com/x"]"#);
        assert_eq!(Path::root().to_string(), "(root)");
    }

    #[test]
    fn errors_display_one_per_problem() {
        let errors = ValidationErrors(vec![
            ValidationError::new(Path::root().key("actor").key("mbox"), "bad"),
            ValidationError::new(Path::root().key("verb"), "missing"),
        ]);
        assert_eq!(errors.to_string(), "actor.mbox: bad; verb: missing");
        assert!(errors.has_path("actor.mbox"));
        assert!(!errors.has_path("actor"));
    }
}
