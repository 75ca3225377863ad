//! Learn: the rules that tie progress, attendance, pathways, credentials and learning records
//! together. Handlers call these; each runs inside the caller's transaction, so an event, its
//! xAPI statement and the jobs it causes are written together or not at all.
//!
//! - [`progress`]: steps, quizzes, reflections, lab tasks, and completing an item.
//! - [`workshops`]: registration with a waitlist, cancellation with promotion, attendance
//!   and check-in codes.
//! - [`pathways`]: deciding when a pathway is complete.
//! - [`events`]: the xAPI statement for each learning event.

pub mod credentials;
pub mod events;
pub mod packages;
pub mod pathways;
pub mod progress;
pub mod workshops;

use thiserror::Error;

/// Why a learning action was refused. Each message is for the teacher.
#[derive(Debug, Error)]
pub enum LearnError {
    /// Not allowed in the current state (the message says why).
    #[error("{0}")]
    Refused(String),
    /// The thing does not exist (or is not visible).
    #[error("not found")]
    NotFound,
    /// A stale form: quiz answers for an attempt that is not the open one.
    #[error("{0}")]
    Stale(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] academy_store::StoreError),
}

impl From<LearnError> for crate::error::AppError {
    fn from(error: LearnError) -> Self {
        match error {
            LearnError::Refused(message) => Self::Conflict { field: "state".into(), message },
            LearnError::Stale(message) => Self::Conflict { field: "attempt".into(), message },
            LearnError::NotFound => Self::NotFound,
            LearnError::Store(e) => e.into(),
        }
    }
}
