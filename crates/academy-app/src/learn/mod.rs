//! Learn: the rules that tie progress, attendance, pathways, credentials and learning records
//! together. The public functions are use cases: each opens its transaction, so an event, its
//! xAPI statement, its audit record and the jobs it causes are written together or not at all.
//! The `pub(crate)` functions that take a [`Tx`](academy_store::Tx) are the steps they share.
//!
//! - [`catalog`]: what a person may see of the catalog.
//! - [`progress`]: enrolling, steps, quizzes, reflections, lab tasks, and completing an item.
//! - [`workshops`]: registration with a waitlist, cancellation with promotion, attendance
//!   and check-in codes, calendar feeds.
//! - [`pathways`]: joining pathways, deciding when one is complete, cohorts.
//! - [`review`]: what facilitators review of a cohort's or a session's people, and the
//!   feedback they give.
//! - [`credentials`]: issuing (from the job queue), revoking and checking Open Badges.
//! - [`events`]: the xAPI statement for each learning event.
//! - [`session_emails`]: the emails about a registration (confirmation, waitlist, promotion,
//!   reminders, changes, cancellation), sent by the job queue.
//! - [`times`]: session times in the session's own time zone.

pub mod catalog;
pub mod credentials;
pub mod events;
pub mod pathways;
pub mod progress;
pub mod review;
pub mod session_emails;
pub mod times;
pub mod workshops;
