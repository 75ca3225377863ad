//! Academy's domain, free of I/O: the typed values every other crate passes around and the
//! rules that decide things, each with its unit tests beside it.
//!
//! - [`email`], [`password`], [`token`]: identity values parsed once at the edge.
//! - [`org`]: the organization tree (national → state federation → local union or district →
//!   school) and where a node may hang.
//! - [`access`]: roles granted on a node, the permissions they carry, and the one function that
//!   decides whether a person may do something at a node.
//! - [`user`]: people and their account status.
//! - [`learning`]: the catalog vocabulary, quiz grading and lab completion rules.
//! - [`validation`]: field errors shared by every form and API body.
//! - [`aggregate`]: small-cell suppression for every count shown to non-individual viewers.
//! - [`numbers`]: numbers as pages print them (thousands separators, percentages).

pub mod access;
pub mod aggregate;
pub mod email;
pub mod learning;
pub mod numbers;
pub mod org;
pub mod password;
pub mod time;
pub mod token;
pub mod user;
pub mod validation;

pub use access::{Grant, Permission, Principal, Role};
pub use email::Email;
pub use org::{Locale, NcesId, OrgKind, OrgPath, UsState};
pub use validation::{FieldError, FieldErrors};
