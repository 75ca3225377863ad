//! The application layer's one error type. The web renders it as a page or a JSON body, the
//! CLI prints it; both match on the variants that mean something to a person.

use academy_core::FieldErrors;
use academy_store::StoreError;

/// Why a use case did not do what was asked. Every message is for a person.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or is not visible to the caller.
    #[error("not found")]
    NotFound,
    /// The caller may not do this here.
    #[error("forbidden")]
    Forbidden,
    /// It existed but is no longer usable (an expired link, a course left).
    #[error("{0}")]
    Gone(String),
    /// Not allowed in the current state (the message says why).
    #[error("{0}")]
    Refused(String),
    /// What was asked cannot be done to this thing as it is (publishing a course without
    /// steps, removing a course's last step, package content for a workshop).
    #[error("{0}")]
    Unsupported(String),
    /// A stale form: it acts on something that has moved on (another quiz attempt, say).
    #[error("{0}")]
    Stale(String),
    /// Input fields were wrong.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// A value is already taken (`field` names it).
    #[error("{message}")]
    Conflict {
        /// The field holding the taken value.
        field: String,
        /// What to tell the person.
        message: String,
    },
    /// An import or package was refused; each line names the file, line and field.
    #[error("{}", .0.join("\n"))]
    Rejected(Vec<String>),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
    /// A bug or an outage (signing failed, a stored value is corrupt); logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A field error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::Invalid(errors)
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { field } => {
                let message = match field.as_str() {
                    "email" => "An account with this email address already exists.".to_owned(),
                    "nces_id" => "Another organization already has this NCES id.".to_owned(),
                    "slug" => "Another item already has this URL name.".to_owned(),
                    _ => format!("This {field} is already taken."),
                };
                Self::Conflict { field, message }
            }
            other => Self::Store(other),
        }
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

/// The result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;
