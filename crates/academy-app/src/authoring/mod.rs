//! Authoring: what authors change in the catalog. Content travels as a course package
//! (docs/course-format.md): the step editor edits one file of the package and the whole
//! package is checked again before it is saved, so the app and `academy course import` apply
//! exactly the same rules. Sessions are scheduled and changed in [`crate::learn::workshops`].
//!
//! - [`items`]: catalog entries and their status.
//! - [`content`]: the steps of a course or lab.
//! - [`pathways`]: pathways and the items they are made of.

pub mod content;
pub mod items;
pub mod pathways;
