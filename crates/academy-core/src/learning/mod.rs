//! Learning: the catalog's vocabulary, quizzes and their grading, and the pluggable rules that
//! decide when a hands-on lab step is done.
//!
//! - [`catalog`]: strands, kinds of item, delivery formats, grade bands, subjects, PD hours.
//! - [`quiz`]: questions and automatic grading with feedback.
//! - [`completion`]: completion rules for lab tasks, looked up by name.

pub mod catalog;
pub mod completion;
pub mod quiz;

pub use catalog::{
    Delivery, GradeBand, ItemKind, PdHours, StepKind, Strand, Subject, SubjectsProblem, slug_from_title,
};
pub use completion::{CompletionRule, Evidence, RuleRegistry, is_web_link};
pub use quiz::{Answer, Question, QuestionKind, Quiz, QuizResult, Response, Reveal};
