//! Course packages (`academy-course/1`, specified in `docs/course-format.md`): a folder holding
//! `course.toml` and the Markdown and quiz files it names, read from a folder, a map of files or
//! a zip, and written back the same three ways.
//!
//! Reading checks everything before returning anything, and reports every problem (up to
//! [`FormatErrors::LIMIT`]) at the file and line it is on, naming the field by its path in the
//! manifest (`modules[1].steps[2].file`, counted from 0). The manifest's structure (syntax, key
//! names, tables) is checked by serde with `deny_unknown_fields`, which stops at the first such
//! problem; every value is then checked here, collecting all problems. Values are read as
//! `toml::Spanned<toml::Value>` so that a wrong type is one more collected problem, not the end of
//! reading, and so that every problem has its line.
//!
//! The rules for values come from `academy_core::learning`: enumerations parse with their
//! `FromStr` (whose messages list the allowed values), quizzes are checked with
//! [`Question::check`](academy_core::learning::Question::check) and [`Quiz::check`], and task
//! completion rules are built with a [`RuleRegistry`].
//!
//! - `mod.rs` (here): the package's types and the entry points.
//! - `source.rs`: where files come from (a folder, a map, a zip).
//! - `read.rs`: the manifest and quiz files as serde sees them, and the checks of every value.
//! - `write.rs`: files, folders and zips written back, with the TOML writers.

use crate::error::FormatErrors;
use academy_core::learning::{GradeBand, ItemKind, PdHours, Quiz, RuleRegistry, StepKind, Strand, Subject};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod read;
mod source;
#[cfg(test)]
mod tests;
mod write;

pub use write::{to_files, write_dir, write_zip};

use read::{PackageReader, one};
use source::{DirSource, MapSource, unzip};

/// The format this module reads and writes.
pub const FORMAT: &str = "academy-course/1";
/// The manifest's name, at the top of the package.
pub const MANIFEST: &str = "course.toml";
/// Words a reflection needs when its step does not say.
pub const DEFAULT_MIN_WORDS: u32 = 30;
/// The largest file a package may name (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most a zip may unpack to, all files together (64 MiB).
pub const MAX_ZIP_BYTES: u64 = 64 << 20;
/// The most entries a zip may hold.
pub const MAX_ZIP_ENTRIES: usize = 5_000;
/// What errors about the zip as a whole name as their file.
pub const ZIP_FILE: &str = "(zip)";

/// A course or lab package, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoursePackage {
    /// URL name: lower-case letters, digits and hyphens, 3–80 characters.
    pub slug: String,
    /// The title, at most 200 characters.
    pub title: String,
    /// [`ItemKind::Course`] or [`ItemKind::Lab`] (a package is never a workshop).
    pub kind: ItemKind,
    /// The program strand it belongs to.
    pub strand: Strand,
    /// One or two sentences for the catalog, at most 400 characters.
    pub summary: String,
    /// The description file's path as the manifest gives it; when writing, `description.md` is
    /// used if this is `None` and `description_md` is set.
    pub description: Option<String>,
    /// The description's Markdown.
    pub description_md: Option<String>,
    /// Grade bands it is written for (at least one, no repeats).
    pub grade_bands: Vec<GradeBand>,
    /// Subjects it is written for (at least one, no repeats; `all` stands alone).
    pub subjects: Vec<Subject>,
    /// Expected minutes to finish, 5 to 6000.
    pub minutes: u32,
    /// PD hours awarded on completion.
    pub pd_hours: PdHours,
    /// Whether completing it issues an Open Badges credential.
    pub credential: bool,
    /// Free-text version, when given.
    pub version: Option<String>,
    /// Authors, in order (empty when not given).
    pub authors: Vec<String>,
    /// SPDX license id, when given.
    pub license: Option<String>,
    /// The modules, in order (at least one).
    pub modules: Vec<ModulePackage>,
}

/// One module of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModulePackage {
    /// The module's title.
    pub title: String,
    /// Its steps, in order (at least one).
    pub steps: Vec<StepPackage>,
}

/// One step of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepPackage {
    /// Lesson, quiz, reflection or task.
    pub kind: StepKind,
    /// The step's title (the page's level-1 heading).
    pub title: String,
    /// The step's file, relative to the package folder, as the manifest gives it.
    pub file: String,
    /// The file's Markdown for lessons, reflections and tasks; empty for quizzes, whose file is
    /// parsed into [`StepPackage::quiz`] (and written back from it).
    pub body_md: String,
    /// The quiz, for quiz steps.
    pub quiz: Option<Quiz>,
    /// Words a reflection needs, when the manifest says (see [`StepPackage::required_words`]).
    pub min_words: Option<u32>,
    /// The completion rule, for task steps.
    pub completion: Option<Completion>,
}

impl StepPackage {
    /// Words a reflection needs: its own `min_words` or [`DEFAULT_MIN_WORDS`].
    pub fn required_words(&self) -> u32 {
        self.min_words.unwrap_or(DEFAULT_MIN_WORDS)
    }
}

/// A task's completion rule as the manifest names it; build it with
/// [`RuleRegistry::build`]`(&rule, &params)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The rule's name (`artifact`).
    pub rule: String,
    /// Its parameters, as strings.
    pub params: BTreeMap<String, String>,
}

/// Why a package could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A path would leave the package folder or is otherwise not a package path.
    #[error("{path}: {reason}")]
    UnsafePath {
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two steps name the same file but carry different content.
    #[error("{path}: two steps share this file but differ in content")]
    Conflict {
        /// The shared path.
        path: String,
    },
    /// The package cannot be written as it is (for example a quiz step without a quiz).
    #[error("{0}")]
    Invalid(String),
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The zip could not be written.
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Where a package is read from.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A folder on disk.
    Dir(&'a Path),
    /// Files by relative path.
    Files(&'a BTreeMap<String, Vec<u8>>),
    /// The bytes of a zip of the folder (its files at the top, or in one top-level folder).
    Zip(&'a [u8]),
}

/// Reads a package, checking task completion rules against `rules`: the application's one
/// registry, so that a rule the player accepts is accepted by every import too.
pub fn read_with(input: Input<'_>, rules: &RuleRegistry) -> Result<CoursePackage, FormatErrors> {
    match input {
        Input::Dir(path) => {
            let root = std::fs::canonicalize(path).map_err(|e| {
                one(&path.display().to_string(), 1, None, format!("cannot open the package folder: {e}"))
            })?;
            if !root.is_dir() {
                return Err(one(&path.display().to_string(), 1, None, "is not a folder".into()));
            }
            PackageReader::new(&DirSource { root }, rules).read()
        }
        Input::Files(files) => PackageReader::new(&MapSource { files, refused: BTreeMap::new() }, rules).read(),
        Input::Zip(bytes) => {
            let (files, refused) = unzip(bytes)?;
            PackageReader::new(&MapSource { files: &files, refused }, rules).read()
        }
    }
}

/// A conventional file name for a step being exported: `02-when-models-fail/03-check.quiz.toml`
/// (module and step numbers from 1).
pub fn suggested_file(
    module_no: usize,
    module_title: &str,
    step_no: usize,
    kind: StepKind,
    step_title: &str,
) -> String {
    let extension = if kind == StepKind::Quiz { "quiz.toml" } else { "md" };
    format!("{module_no:02}-{}/{step_no:02}-{}.{extension}", slugify(module_title), slugify(step_title))
}

fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() { "part".into() } else { out.into() }
}

pub(crate) fn description_path(package: &CoursePackage) -> String {
    package.description.clone().unwrap_or_else(|| "description.md".into())
}

/// Checks a path as a manifest may name it: relative, `/`-separated, staying inside the folder.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.starts_with('/') || path.get(1..2) == Some(":") {
        return Err("is an absolute path; give the path relative to the package folder".into());
    }
    if path.contains('\\') {
        return Err("use / between folder names, not \\".into());
    }
    if path.chars().any(char::is_control) {
        return Err("contains a control character".into());
    }
    for part in path.split('/') {
        match part {
            "" => return Err("has an empty folder name (//, or a / at the end)".into()),
            "." => return Err("write the path without ./".into()),
            ".." => return Err("leaves the package folder (.. is not allowed)".into()),
            _ => {}
        }
    }
    Ok(())
}

pub(crate) fn is_slug(slug: &str) -> bool {
    (3..=80).contains(&slug.len()) && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
