//! Reading a package: the manifest and quiz files as serde sees them (structure only, every
//! value spanned), then every value checked with its problem placed at its line.

use super::source::{Fetch, Source};
use super::{Completion, CoursePackage, FORMAT, MANIFEST, ModulePackage, StepPackage, check_path, is_slug};
use crate::error::{FormatError, FormatErrors};
use academy_core::learning::{
    Answer, GradeBand, ItemKind, PdHours, Question, QuestionKind, Quiz, Reveal, RuleRegistry, StepKind, Strand,
    Subject, SubjectsProblem,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};
use toml::{Spanned, Value};

type Field = Option<Spanned<Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    format: Field,
    slug: Field,
    title: Field,
    kind: Field,
    strand: Field,
    summary: Field,
    description: Field,
    grade_bands: Field,
    subjects: Field,
    minutes: Field,
    pd_hours: Field,
    credential: Field,
    version: Field,
    authors: Field,
    license: Field,
    modules: Option<Spanned<Vec<Spanned<RawModule>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    title: Field,
    steps: Option<Spanned<Vec<Spanned<RawStep>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    kind: Field,
    title: Field,
    file: Field,
    min_words: Field,
    completion: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    passing_score: Field,
    max_attempts: Field,
    reveal: Field,
    questions: Option<Spanned<Vec<Spanned<RawQuestion>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    kind: Field,
    prompt: Field,
    choices: Field,
    answer: Field,
    accept: Field,
    feedback: Field,
}

// ---------------------------------------------------------------------------------------------
// Problems and lines.

pub(super) fn one(file: &str, line: u64, field: Option<String>, message: String) -> FormatErrors {
    FormatErrors(vec![FormatError { file: file.into(), line, field, message }])
}

/// Collected problems, capped at [`FormatErrors::LIMIT`].
#[derive(Default)]
struct Problems(Vec<FormatError>);

impl Problems {
    fn push(&mut self, file: &str, line: u64, field: Option<&str>, message: impl Into<String>) {
        if self.0.len() < FormatErrors::LIMIT {
            self.0.push(FormatError { file: file.into(), line, field: field.map(Into::into), message: message.into() });
        }
    }

    fn full(&self) -> bool {
        self.0.len() >= FormatErrors::LIMIT
    }
}

/// A text file and where its lines start, to turn byte offsets into line numbers.
struct Doc {
    file: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Doc {
    fn new(file: &str, text: String) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { file: file.into(), text, line_starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> u64 {
        self.line_starts.partition_point(|start| *start <= offset) as u64
    }

    fn at(&self, p: &mut Problems, span: &Range<usize>, field: &str, message: impl Into<String>) {
        p.push(&self.file, self.line(span.start), Some(field), message);
    }

    /// The value of a required field; a missing one is reported at `table_line`.
    fn required<'v>(
        &self,
        p: &mut Problems,
        value: &'v Field,
        field: &str,
        table_line: u64,
    ) -> Option<&'v Spanned<Value>> {
        if value.is_none() {
            p.push(&self.file, table_line, Some(field), "is required but missing");
        }
        value.as_ref()
    }

    /// A string of at most `max` characters; one line unless `multiline`; never blank.
    fn string(&self, p: &mut Problems, v: &Spanned<Value>, field: &str, max: usize, multiline: bool) -> Option<String> {
        let Value::String(s) = v.get_ref() else {
            self.at(p, &v.span(), field, format!("must be text in quotes, not {}", describe(v.get_ref())));
            return None;
        };
        let s = s.trim();
        if s.is_empty() {
            self.at(p, &v.span(), field, "is empty");
            None
        } else if s.chars().count() > max {
            self.at(
                p,
                &v.span(),
                field,
                format!("is {} characters long; at most {max} are allowed", s.chars().count()),
            );
            None
        } else if !multiline && s.contains(['\n', '\r']) {
            self.at(p, &v.span(), field, "must be on one line");
            None
        } else {
            Some(s.to_owned())
        }
    }

    fn integer(&self, p: &mut Problems, v: &Spanned<Value>, field: &str, range: RangeInclusive<i64>) -> Option<i64> {
        match v.get_ref() {
            Value::Integer(n) if range.contains(n) => Some(*n),
            Value::Integer(n) => {
                self.at(p, &v.span(), field, format!("{n} is out of range ({} to {})", range.start(), range.end()));
                None
            }
            other => {
                self.at(p, &v.span(), field, format!("must be a whole number, not {}", describe(other)));
                None
            }
        }
    }

    fn boolean(&self, p: &mut Problems, v: &Spanned<Value>, field: &str) -> Option<bool> {
        match v.get_ref() {
            Value::Boolean(b) => Some(*b),
            other => {
                self.at(p, &v.span(), field, format!("must be true or false, not {}", describe(other)));
                None
            }
        }
    }

    /// A list of strings, at least `min` long, each at most `max` characters.
    fn strings(
        &self,
        p: &mut Problems,
        v: &Spanned<Value>,
        field: &str,
        min: usize,
        max: usize,
    ) -> Option<Vec<String>> {
        let Value::Array(items) = v.get_ref() else {
            self.at(p, &v.span(), field, format!("must be a list such as [\"…\"], not {}", describe(v.get_ref())));
            return None;
        };
        if items.len() < min {
            let message =
                if min == 1 { "must list at least one".to_owned() } else { format!("must list at least {min}") };
            self.at(p, &v.span(), field, message);
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let path = format!("{field}[{i}]");
            match item {
                Value::String(s) if s.trim().is_empty() => {
                    self.at(p, &v.span(), &path, "is empty");
                    ok = false;
                }
                Value::String(s) if s.trim().chars().count() > max => {
                    self.at(p, &v.span(), &path, format!("is longer than {max} characters"));
                    ok = false;
                }
                Value::String(s) => out.push(s.trim().to_owned()),
                other => {
                    self.at(p, &v.span(), &path, format!("must be text in quotes, not {}", describe(other)));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A list of slugs parsed with `T`'s `FromStr`, at least one, no repeats.
    fn slugs<T>(&self, p: &mut Problems, v: &Spanned<Value>, field: &str) -> Option<Vec<T>>
    where
        T: std::str::FromStr<Err = String> + PartialEq + Copy,
    {
        let names = self.strings(p, v, field, 1, 100)?;
        let mut out: Vec<T> = Vec::with_capacity(names.len());
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            match name.parse::<T>() {
                Ok(t) if out.contains(&t) => {
                    self.at(p, &v.span(), &format!("{field}[{i}]"), format!("'{name}' is listed twice"));
                    ok = false;
                }
                Ok(t) => out.push(t),
                Err(message) => {
                    self.at(p, &v.span(), &format!("{field}[{i}]"), message);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the text \"{s}\""),
        Value::Integer(n) => format!("the number {n}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// Decodes a text file: UTF-8, a leading byte-order mark dropped.
fn decode(p: &mut Problems, file: &str, bytes: Vec<u8>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Some(text)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            p.push(file, line, None, "is not UTF-8 text; save it as UTF-8");
            None
        }
    }
}

/// Parses TOML into `T`, reporting a syntax or structure error at its line.
fn parse_toml<T: serde::de::DeserializeOwned>(p: &mut Problems, doc: &Doc) -> Option<T> {
    match toml::from_str::<T>(&doc.text) {
        Ok(t) => Some(t),
        Err(e) => {
            let line = e.span().map_or(1, |s| doc.line(s.start));
            p.push(&doc.file, line, None, e.message().trim().to_owned());
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a package.

pub(super) struct PackageReader<'a> {
    source: &'a dyn Source,
    rules: &'a RuleRegistry,
    p: Problems,
    /// Which kind of step first named each file, and where.
    uses: BTreeMap<String, (Use, u64, String)>,
    /// Files already read (`None`: its problems are already reported).
    texts: BTreeMap<String, Option<String>>,
    /// Quiz files already parsed, likewise.
    quizzes: BTreeMap<String, Option<Quiz>>,
}

/// What a file is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Description,
    Step(StepKind),
}

impl<'a> PackageReader<'a> {
    pub(super) fn new(source: &'a dyn Source, rules: &'a RuleRegistry) -> Self {
        Self {
            source,
            rules,
            p: Problems::default(),
            uses: BTreeMap::new(),
            texts: BTreeMap::new(),
            quizzes: BTreeMap::new(),
        }
    }

    pub(super) fn read(mut self) -> Result<CoursePackage, FormatErrors> {
        let package = self.read_manifest();
        if package.is_none() && self.p.0.is_empty() {
            self.p.push(MANIFEST, 1, None, "the package could not be read");
        }
        match package {
            Some(package) if self.p.0.is_empty() => Ok(package),
            _ => {
                // Manifest problems first, then each file's, each by line.
                let mut order: Vec<String> = vec![MANIFEST.to_owned()];
                for e in &self.p.0 {
                    if !order.contains(&e.file) {
                        order.push(e.file.clone());
                    }
                }
                let mut errors = self.p.0;
                errors.sort_by_key(|e| (order.iter().position(|f| *f == e.file), e.line));
                Err(FormatErrors(errors))
            }
        }
    }

    fn read_manifest(&mut self) -> Option<CoursePackage> {
        let bytes = match self.source.fetch(MANIFEST) {
            Fetch::Found(bytes) => bytes,
            Fetch::Missing => {
                self.p.push(MANIFEST, 1, None, "the package has no course.toml at its top");
                return None;
            }
            Fetch::Refused(reason) => {
                self.p.push(MANIFEST, 1, None, reason);
                return None;
            }
        };
        let doc = Doc::new(MANIFEST, decode(&mut self.p, MANIFEST, bytes)?);
        let raw: RawManifest = parse_toml(&mut self.p, &doc)?;
        let p = &mut self.p;

        if let Some(v) = doc.required(p, &raw.format, "format", 1)
            && let Some(format) = doc.string(p, v, "format", 100, false)
            && format != FORMAT
        {
            doc.at(p, &v.span(), "format", format!("'{format}' is not a format this version reads ({FORMAT})"));
        }
        let slug = doc.required(p, &raw.slug, "slug", 1).and_then(|v| {
            let slug = doc.string(p, v, "slug", 80, false)?;
            if is_slug(&slug) {
                Some(slug)
            } else {
                doc.at(
                    p,
                    &v.span(),
                    "slug",
                    format!("'{slug}' must be 3 to 80 lower-case letters, digits and hyphens"),
                );
                None
            }
        });
        let title = doc.required(p, &raw.title, "title", 1).and_then(|v| doc.string(p, v, "title", 200, false));
        let kind_field = doc.required(p, &raw.kind, "kind", 1);
        let kind = kind_field.and_then(|v| {
            let kind: ItemKind =
                doc.string(p, v, "kind", 100, false)?.parse().map_err(|e| doc.at(p, &v.span(), "kind", e)).ok()?;
            if kind == ItemKind::Workshop {
                doc.at(p, &v.span(), "kind", "a package is a course or a lab; workshops are scheduled in the app");
                return None;
            }
            Some(kind)
        });
        let strand = doc.required(p, &raw.strand, "strand", 1).and_then(|v| {
            doc.string(p, v, "strand", 100, false)?
                .parse::<Strand>()
                .map_err(|e| doc.at(p, &v.span(), "strand", e))
                .ok()
        });
        let summary = doc.required(p, &raw.summary, "summary", 1).and_then(|v| doc.string(p, v, "summary", 400, true));
        let description =
            raw.description.as_ref().and_then(|v| Some((doc.string(p, v, "description", 500, false)?, v)));
        let grade_bands = doc
            .required(p, &raw.grade_bands, "grade_bands", 1)
            .and_then(|v| doc.slugs::<GradeBand>(p, v, "grade_bands"));
        let subjects = doc.required(p, &raw.subjects, "subjects", 1).and_then(|v| {
            let subjects = doc.slugs::<Subject>(p, v, "subjects")?;
            // The one rule the catalog-entry form applies too (slugs() already caught repeats).
            if let Err(problem) = Subject::check_list(&subjects) {
                let message = match problem {
                    SubjectsProblem::AllWithOthers => "'all' already covers every subject; list it alone".to_owned(),
                    SubjectsProblem::Empty => "must list at least one".to_owned(),
                    SubjectsProblem::Repeated(s) => format!("'{s}' is listed twice"),
                };
                doc.at(p, &v.span(), "subjects", message);
                return None;
            }
            Some(subjects)
        });
        let minutes = doc.required(p, &raw.minutes, "minutes", 1).and_then(|v| doc.integer(p, v, "minutes", 5..=6000));
        let pd_hours = doc.required(p, &raw.pd_hours, "pd_hours", 1).and_then(|v| {
            let hours = match v.get_ref() {
                Value::Float(f) => PdHours::from_f64(*f),
                Value::Integer(n) => PdHours::from_f64(*n as f64),
                other => Err(format!("must be a number of hours such as 1.5, not {}", describe(other))),
            };
            hours.map_err(|e| doc.at(p, &v.span(), "pd_hours", e)).ok()
        });
        let credential = match &raw.credential {
            Some(v) => doc.boolean(p, v, "credential"),
            None => Some(false),
        };
        let version = raw.version.as_ref().map(|v| doc.string(p, v, "version", 100, false));
        let authors = raw.authors.as_ref().map(|v| doc.strings(p, v, "authors", 0, 200));
        let license = raw.license.as_ref().map(|v| {
            let id = doc.string(p, v, "license", 100, false)?;
            if id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b)) {
                Some(id)
            } else {
                doc.at(p, &v.span(), "license", format!("'{id}' is not an SPDX license id such as CC-BY-4.0"));
                None
            }
        });

        let description_md = description.and_then(|(path, v)| {
            let line = doc.line(v.span().start);
            self.text_file(&doc, &path, "description", line, Use::Description).map(|md| (path, md))
        });

        let mut modules = Vec::new();
        let mut has_task = false;
        match &raw.modules {
            None => self.p.push(MANIFEST, 1, Some("modules"), "the package has no [[modules]]"),
            Some(list) if list.get_ref().is_empty() => {
                doc.at(&mut self.p, &list.span(), "modules", "the package has no modules")
            }
            Some(list) => {
                for (m, module) in list.get_ref().iter().enumerate() {
                    if self.p.full() {
                        break;
                    }
                    if let Some(module) = self.read_module(&doc, m, module, kind, &mut has_task) {
                        modules.push(module);
                    }
                }
            }
        }
        if kind == Some(ItemKind::Lab)
            && !has_task
            && let Some(v) = kind_field
        {
            doc.at(&mut self.p, &v.span(), "kind", "a lab needs at least one task step (kind = \"task\")");
        }

        let package = CoursePackage {
            slug: slug?,
            title: title?,
            kind: kind?,
            strand: strand?,
            summary: summary?,
            description: description_md.as_ref().map(|(path, _)| path.clone()),
            description_md: description_md.map(|(_, md)| md),
            grade_bands: grade_bands?,
            subjects: subjects?,
            minutes: u32::try_from(minutes?).ok()?,
            pd_hours: pd_hours?,
            credential: credential?,
            version: version.flatten(),
            authors: authors.unwrap_or(Some(Vec::new()))?,
            license: license.flatten(),
            modules,
        };
        // A field that was given but wrong is in the problems; the package is not returned.
        Some(package)
    }

    fn read_module(
        &mut self,
        doc: &Doc,
        m: usize,
        module: &Spanned<RawModule>,
        kind: Option<ItemKind>,
        has_task: &mut bool,
    ) -> Option<ModulePackage> {
        let at = format!("modules[{m}]");
        let line = doc.line(module.span().start);
        let raw = module.get_ref();
        let p = &mut self.p;
        let title = doc
            .required(p, &raw.title, &format!("{at}.title"), line)
            .and_then(|v| doc.string(p, v, &format!("{at}.title"), 200, false));
        let mut steps = Vec::new();
        match &raw.steps {
            None => self.p.push(MANIFEST, line, Some(&format!("{at}.steps")), "the module has no [[modules.steps]]"),
            Some(list) if list.get_ref().is_empty() => {
                doc.at(&mut self.p, &list.span(), &format!("{at}.steps"), "the module has no steps")
            }
            Some(list) => {
                for (s, step) in list.get_ref().iter().enumerate() {
                    if self.p.full() {
                        break;
                    }
                    if let Some(step) = self.read_step(doc, &format!("{at}.steps[{s}]"), step, kind, has_task) {
                        steps.push(step);
                    }
                }
            }
        }
        Some(ModulePackage { title: title?, steps })
    }

    fn read_step(
        &mut self,
        doc: &Doc,
        at: &str,
        step: &Spanned<RawStep>,
        package_kind: Option<ItemKind>,
        has_task: &mut bool,
    ) -> Option<StepPackage> {
        let line = doc.line(step.span().start);
        let raw = step.get_ref();
        let p = &mut self.p;
        let field = |name: &str| format!("{at}.{name}");

        let kind = doc.required(p, &raw.kind, &field("kind"), line).and_then(|v| {
            let kind: StepKind = doc
                .string(p, v, &field("kind"), 100, false)?
                .parse()
                .map_err(|e| doc.at(p, &v.span(), &field("kind"), e))
                .ok()?;
            if kind == StepKind::Task {
                *has_task = true;
                if package_kind == Some(ItemKind::Course) {
                    doc.at(
                        p,
                        &v.span(),
                        &field("kind"),
                        "a course has no task steps; make the package a lab (kind = \"lab\")",
                    );
                    return None;
                }
            }
            Some(kind)
        });
        let title = doc
            .required(p, &raw.title, &field("title"), line)
            .and_then(|v| doc.string(p, v, &field("title"), 200, false));
        let file = doc
            .required(p, &raw.file, &field("file"), line)
            .and_then(|v| Some((doc.string(p, v, &field("file"), 500, false)?, v)));

        let min_words = match (&raw.min_words, kind) {
            (None, _) => None,
            (Some(v), Some(StepKind::Reflection)) => {
                doc.integer(p, v, &field("min_words"), 0..=5000).and_then(|n| u32::try_from(n).ok())
            }
            (Some(v), Some(_)) => {
                doc.at(p, &v.span(), &field("min_words"), "only a reflection step takes min_words");
                None
            }
            (Some(_), None) => None,
        };
        let completion = match (&raw.completion, kind) {
            (None, Some(StepKind::Task)) => {
                p.push(
                    MANIFEST,
                    line,
                    Some(&field("completion")),
                    "a task step needs a completion rule, such as completion = { rule = \"artifact\" }",
                );
                None
            }
            (None, _) => None,
            (Some(v), Some(StepKind::Task)) => self.completion(doc, v, &field("completion")),
            (Some(v), Some(_)) => {
                doc.at(p, &v.span(), &field("completion"), "only a task step takes a completion rule");
                None
            }
            (Some(_), None) => None,
        };

        let (path, file_value) = file?;
        let kind = kind?;
        let file_line = doc.line(file_value.span().start);
        let (body_md, quiz) = if kind == StepKind::Quiz {
            let text = self.file(doc, &path, &field("file"), file_line, Use::Step(kind))?;
            let quiz = match self.quizzes.get(&path) {
                Some(known) => known.clone(),
                None => {
                    let quiz = self.quiz(&path, text);
                    self.quizzes.insert(path.clone(), quiz.clone());
                    quiz
                }
            };
            (String::new(), Some(quiz?))
        } else {
            (self.text_file(doc, &path, &field("file"), file_line, Use::Step(kind))?, None)
        };
        Some(StepPackage {
            kind,
            title: title?,
            file: path,
            body_md,
            quiz,
            min_words,
            completion: if kind == StepKind::Task { Some(completion?) } else { None },
        })
    }

    fn completion(&mut self, doc: &Doc, v: &Spanned<Value>, field: &str) -> Option<Completion> {
        let p = &mut self.p;
        let Value::Table(table) = v.get_ref() else {
            doc.at(
                p,
                &v.span(),
                field,
                format!("must be a table such as {{ rule = \"artifact\" }}, not {}", describe(v.get_ref())),
            );
            return None;
        };
        let rule = match table.get("rule") {
            Some(Value::String(rule)) => rule.trim().to_owned(),
            Some(other) => {
                doc.at(
                    p,
                    &v.span(),
                    &format!("{field}.rule"),
                    format!("must be a rule's name in quotes, not {}", describe(other)),
                );
                return None;
            }
            None => {
                doc.at(p, &v.span(), &format!("{field}.rule"), "is required but missing");
                return None;
            }
        };
        let mut params = BTreeMap::new();
        for (key, value) in table.iter().filter(|(k, _)| k.as_str() != "rule") {
            // Parameters are strings; a bare number or true/false means the same and is accepted.
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Integer(n) => n.to_string(),
                Value::Boolean(b) => b.to_string(),
                other => {
                    doc.at(
                        p,
                        &v.span(),
                        &format!("{field}.{key}"),
                        format!("must be text in quotes, not {}", describe(other)),
                    );
                    return None;
                }
            };
            params.insert(key.clone(), text);
        }
        if let Err(message) = self.rules.build(&rule, &params) {
            doc.at(p, &v.span(), field, message);
            return None;
        }
        Some(Completion { rule, params })
    }

    /// Fetches a file the manifest names at `line` in `field`, recording its use; problems
    /// finding it are reported there.
    fn file(&mut self, doc: &Doc, path: &str, field: &str, line: u64, usage: Use) -> Option<String> {
        if let Err(reason) = check_path(path) {
            self.p.push(&doc.file, line, Some(field), format!("{path}: {reason}"));
            return None;
        }
        if path == MANIFEST {
            self.p.push(&doc.file, line, Some(field), "course.toml is the manifest, not a step's file");
            return None;
        }
        match self.uses.get(path) {
            Some((first, first_line, first_field)) if *first != usage || usage == Use::Description => {
                let message = format!(
                    "{path} is already used by {first_field} (line {first_line}); a file may be shared only by steps of the same kind"
                );
                self.p.push(&doc.file, line, Some(field), message);
                return None;
            }
            Some(_) => {}
            None => {
                self.uses.insert(path.to_owned(), (usage, line, field.to_owned()));
            }
        }
        if let Some(known) = self.texts.get(path) {
            return known.clone();
        }
        let text = match self.source.fetch(path) {
            Fetch::Found(bytes) => decode(&mut self.p, path, bytes),
            Fetch::Missing => {
                self.p.push(&doc.file, line, Some(field), format!("{path} does not exist"));
                None
            }
            Fetch::Refused(reason) => {
                self.p.push(&doc.file, line, Some(field), format!("{path} {reason}"));
                None
            }
        };
        self.texts.insert(path.to_owned(), text.clone());
        text
    }

    /// A Markdown file that must say something.
    fn text_file(&mut self, doc: &Doc, path: &str, field: &str, line: u64, usage: Use) -> Option<String> {
        let first = !self.texts.contains_key(path);
        let text = self.file(doc, path, field, line, usage)?;
        if text.trim().is_empty() {
            if first {
                self.p.push(path, 1, None, "is empty");
            }
            return None;
        }
        Some(text)
    }

    fn quiz(&mut self, path: &str, text: String) -> Option<Quiz> {
        let doc = Doc::new(path, text);
        let raw: RawQuiz = parse_toml(&mut self.p, &doc)?;
        let p = &mut self.p;
        let before = p.0.len();
        let passing = doc
            .required(p, &raw.passing_score, "passing_score", 1)
            .and_then(|v| doc.integer(p, v, "passing_score", 0..=100));
        let attempts = doc
            .required(p, &raw.max_attempts, "max_attempts", 1)
            .and_then(|v| doc.integer(p, v, "max_attempts", 0..=i64::from(u32::MAX)));
        let reveal = match &raw.reveal {
            None => Some(Reveal::Never),
            Some(v) => doc.string(p, v, "reveal", 40, false).and_then(|s| match s.parse::<Reveal>() {
                Ok(reveal) => Some(reveal),
                Err(message) => {
                    doc.at(p, &v.span(), "reveal", message);
                    None
                }
            }),
        };
        let mut questions = Vec::new();
        let mut lines = Vec::new();
        match &raw.questions {
            None => p.push(path, 1, Some("questions"), "the quiz has no [[questions]]"),
            Some(list) if list.get_ref().is_empty() => {
                doc.at(p, &list.span(), "questions", "the quiz has no questions")
            }
            Some(list) => {
                for (i, q) in list.get_ref().iter().enumerate() {
                    if let Some(question) = question(&doc, p, i, q) {
                        questions.push(question);
                        lines.push((i, q));
                    }
                }
            }
        }
        // The core's rules for a well-formed question, reported at the field they concern.
        for (question, (i, raw)) in questions.iter().zip(&lines) {
            if let Err(message) = question.check() {
                report_question(&doc, p, *i, raw, &message);
            }
        }
        if p.0.len() > before {
            return None;
        }
        let quiz = Quiz {
            passing_percent: u8::try_from(passing?).ok()?,
            max_attempts: u32::try_from(attempts?).ok()?,
            reveal: reveal?,
            questions,
        };
        // The whole quiz's rules; anything here not already caught above lands at its question.
        if let Err(message) = quiz.check() {
            match message.strip_prefix("question ").and_then(|rest| rest.split_once(": ")) {
                Some((n, message)) if n.parse::<usize>().is_ok_and(|n| (1..=lines.len()).contains(&n)) => {
                    let n = n.parse::<usize>().unwrap_or(1) - 1;
                    report_question(&doc, p, lines[n].0, lines[n].1, message);
                }
                _ => p.push(path, 1, None, message),
            }
            return None;
        }
        Some(quiz)
    }
}

/// Reads one question's fields into a [`Question`], reporting what is missing or mistyped.
fn question(doc: &Doc, p: &mut Problems, i: usize, q: &Spanned<RawQuestion>) -> Option<Question> {
    let at = |name: &str| format!("questions[{i}].{name}");
    let line = doc.line(q.span().start);
    let raw = q.get_ref();
    let kind = doc.required(p, &raw.kind, &at("kind"), line).and_then(|v| match v.get_ref() {
        Value::String(s) => match s.trim() {
            "single" => Some(QuestionKind::Single),
            "multiple" => Some(QuestionKind::Multiple),
            "short" => Some(QuestionKind::Short),
            other => {
                doc.at(p, &v.span(), &at("kind"), format!("'{other}' is not one of: single, multiple, short"));
                None
            }
        },
        other => {
            doc.at(p, &v.span(), &at("kind"), format!("must be text in quotes, not {}", describe(other)));
            None
        }
    });
    // A blank prompt is the core's to report ("the question has no prompt").
    let prompt = doc.required(p, &raw.prompt, &at("prompt"), line).and_then(|v| match v.get_ref() {
        Value::String(s) => Some(s.trim().to_owned()),
        other => {
            doc.at(p, &v.span(), &at("prompt"), format!("must be text in quotes, not {}", describe(other)));
            None
        }
    });
    let feedback = doc
        .required(p, &raw.feedback, &at("feedback"), line)
        .and_then(|v| doc.string(p, v, &at("feedback"), 5000, true));
    let choices = match &raw.choices {
        None => Some(Vec::new()),
        Some(v) => doc.strings_or_blank(p, v, &at("choices")),
    };
    let answer = match kind? {
        QuestionKind::Single | QuestionKind::Multiple => {
            if let Some(v) = &raw.accept {
                doc.at(p, &v.span(), &at("accept"), "a choice question marks its right choices in answer, not accept");
                return None;
            }
            let v = doc.required(p, &raw.answer, &at("answer"), line)?;
            let Value::Array(items) = v.get_ref() else {
                doc.at(
                    p,
                    &v.span(),
                    &at("answer"),
                    format!("must be a list of choice numbers such as [0], not {}", describe(v.get_ref())),
                );
                return None;
            };
            let mut right = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Integer(n) if *n >= 0 => right.push(usize::try_from(*n).ok()?),
                    Value::Integer(n) => {
                        doc.at(
                            p,
                            &v.span(),
                            &at("answer"),
                            format!("answer {n} is not a choice (choices are numbered from 0)"),
                        );
                        return None;
                    }
                    other => {
                        doc.at(
                            p,
                            &v.span(),
                            &at("answer"),
                            format!("must list choice numbers, not {}", describe(other)),
                        );
                        return None;
                    }
                }
            }
            Answer::Choices(right)
        }
        QuestionKind::Short => {
            if let Some(v) = &raw.answer {
                doc.at(
                    p,
                    &v.span(),
                    &at("answer"),
                    "a short-answer question lists accepted answers in accept, not answer",
                );
                return None;
            }
            let v = doc.required(p, &raw.accept, &at("accept"), line)?;
            Answer::Accept(doc.strings_or_blank(p, v, &at("accept"))?)
        }
    };
    Some(Question { kind: kind?, prompt: prompt?, choices: choices?, answer, feedback: feedback? })
}

impl Doc {
    /// A list of strings kept as written (the core judges blank entries).
    fn strings_or_blank(&self, p: &mut Problems, v: &Spanned<Value>, field: &str) -> Option<Vec<String>> {
        let Value::Array(items) = v.get_ref() else {
            self.at(p, &v.span(), field, format!("must be a list such as [\"…\"], not {}", describe(v.get_ref())));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.trim().to_owned()),
                other => {
                    self.at(
                        p,
                        &v.span(),
                        &format!("{field}[{i}]"),
                        format!("must be text in quotes, not {}", describe(other)),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// Reports a message from [`Question::check`] at the field it concerns.
fn report_question(doc: &Doc, p: &mut Problems, i: usize, q: &Spanned<RawQuestion>, message: &str) {
    let raw = q.get_ref();
    let (name, value) = if message.contains("prompt") {
        ("prompt", &raw.prompt)
    } else if message.contains("accepted answer") {
        ("accept", &raw.accept)
    } else if message.contains("a choice is empty")
        || message.contains("two choices")
        || message.contains("has no choices")
    {
        ("choices", &raw.choices)
    } else {
        ("answer", &raw.answer)
    };
    let span = value.as_ref().map_or_else(|| q.span(), Spanned::span);
    doc.at(p, &span, &format!("questions[{i}].{name}"), message);
}
