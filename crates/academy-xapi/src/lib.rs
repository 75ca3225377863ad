//! xAPI (IEEE 9274.1.1 xAPI 2.0.0, and 1.0.3) statements for Academy: the typed model,
//! reading with validation, the vocabulary Academy speaks, a builder, and the canonical forms an
//! LRS needs. No HTTP and no database: the event store and the LRS build on this crate.
//!
//! Where things live:
//! - [`statement`]: [`Statement`], [`Verb`], the kinds of [`StatementObject`] (StatementRef,
//!   SubStatement), [`Version`], [`Attachment`].
//! - [`agent`]: [`Actor`], [`Agent`], [`Group`] and their identifiers ([`Ifi`], [`Account`]).
//! - [`activity`]: [`Activity`], its definition and the interaction model.
//! - [`result`], [`context`]: a statement's outcome and circumstances (incl. 2.0's context
//!   agents and groups; 1.0.3's single context activities are read as lists).
//! - [`iri`], [`language`], [`time`]: the formatted values (IRIs, language tags and maps,
//!   extensions, ISO 8601 timestamps and durations), each checked when it is made.
//! - `parse` (private) reads JSON reporting every problem with its path; `validate`
//!   (private) holds the rules between values; [`Statement::from_json`] runs both and
//!   [`Statement::validate`] the rules for statements built in code.
//! - [`canonical`]: RFC 8785 canonical JSON and the statement signature used to compare
//!   statements (immutability, conflicts, signed statements).
//! - [`vocab`]: verb, activity type, category and extension IRIs with their sources.
//! - [`builder`]: [`StatementBuilder`], how application code writes statements.
//! - [`error`]: [`ValidationErrors`], each problem with its JSON path.

pub mod activity;
pub mod agent;
pub mod builder;
pub mod canonical;
pub mod context;
pub mod error;
pub mod iri;
pub mod language;
mod parse;
pub mod result;
pub mod statement;
pub mod time;
mod validate;
pub mod vocab;

pub use activity::{Activity, ActivityDefinition, InteractionComponent, InteractionType};
pub use agent::{Account, Actor, Agent, Group, Ifi, Mbox, Sha1Sum};
pub use builder::StatementBuilder;
pub use canonical::canonical_json;
pub use context::{Context, ContextActivities, ContextActivityKind, ContextAgent, ContextGroup};
pub use error::{Path, ValidationError, ValidationErrors};
pub use iri::Iri;
pub use language::{Extensions, LanguageMap, LanguageTag};
pub use parse::{UuidError, parse_uuid};
pub use result::{Score, StatementResult};
pub use statement::{Attachment, Statement, StatementObject, StatementRef, SubStatement, Verb, Version};
pub use time::{Duration, Timestamp};
