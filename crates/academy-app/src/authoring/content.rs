//! The steps of a course or lab, edited one at a time. The editor's fields are checked here
//! and reported on those fields in the author's words ("Question 2: choose the correct
//! answer"); the step then goes into the item's package — a quiz written as its TOML file by
//! the package writer, so packages stay the one form content takes — and the whole package is
//! read back through the package reader, with the app's completion rules, before it is saved.
//! Whatever the reader still finds is reported on the form too, never as a package file.
//!
//! Quizzes are edited as structured fields ([`QuizFields`]): settings, then questions with
//! their kind, prompt, options (each marked correct or not), accepted short answers and
//! feedback. The editor works without JavaScript: adding or removing a question and
//! previewing are submits that come back to the same form.

use super::check_may_author;
use crate::imports::course::{export, import_in, read_files_raw};
use crate::{Actor, App, Error, Result};
use academy_core::FieldErrors;
use academy_core::learning::{Answer, Question, QuestionKind, Quiz, Reveal, StepKind};
use academy_core::time;
use academy_formats::course::{self, Completion, CoursePackage, ModulePackage, StepPackage};
use academy_store::audit;
use academy_store::catalog::Item;
use std::collections::BTreeMap;

/// What the step editor sends, as typed.
#[derive(Debug, Clone, Default)]
pub struct StepFields {
    /// The module's number (from 1), or `new`.
    pub module: String,
    /// The new module's title, when `module` is `new`.
    pub new_module: String,
    /// `lesson`, `quiz`, `reflection` or `task`.
    pub kind: String,
    /// The step's title.
    pub title: String,
    /// Markdown body (lessons, reflections, tasks).
    pub body: String,
    /// The quiz's fields, for quizzes.
    pub quiz: QuizFields,
    /// Words a reflection needs.
    pub min_words: String,
    /// What a task asks for: `text`, `link` or `either`.
    pub artifact: String,
    /// Characters a task's text needs.
    pub min_chars: String,
}

/// A quiz as its editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizFields {
    /// Percent needed to pass.
    pub passing_score: String,
    /// Attempts allowed (0: no limit).
    pub max_attempts: String,
    /// When teachers see the right answers: a [`Reveal`] slug.
    pub reveal: String,
    /// The questions, in order.
    pub questions: Vec<QuestionFields>,
}

/// One question as its editor shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionFields {
    /// `single`, `multiple` or `short`.
    pub kind: String,
    /// The question (Markdown).
    pub prompt: String,
    /// The options of a choice question, in order (blank ones are left out when saved).
    pub options: Vec<OptionFields>,
    /// Accepted answers of a short-answer question, one per line.
    pub accept: String,
    /// What teachers see after answering (Markdown).
    pub feedback: String,
}

/// One option of a choice question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionFields {
    /// Its text.
    pub text: String,
    /// Whether it is a correct answer.
    pub correct: bool,
}

/// Most questions a quiz may have in the editor.
pub const MAX_QUESTIONS: usize = 100;
/// Most options a question may have in the editor.
pub const MAX_OPTIONS: usize = 26;
/// Blank option slots the editor keeps at the end of each question, to add options without
/// JavaScript.
const SPARE_OPTIONS: usize = 2;
/// Fewest option slots the editor shows for a question.
const MIN_OPTION_SLOTS: usize = 4;

impl Default for QuizFields {
    fn default() -> Self {
        Self {
            passing_score: "80".into(),
            max_attempts: "3".into(),
            reveal: Reveal::WhenDone.slug().into(),
            questions: vec![QuestionFields::blank()],
        }
    }
}

impl QuestionFields {
    /// A new single-choice question with nothing written yet.
    pub fn blank() -> Self {
        Self { kind: "single".into(), ..Self::default() }
    }

    fn is_blank(&self) -> bool {
        self.prompt.trim().is_empty()
            && self.feedback.trim().is_empty()
            && self.accept.trim().is_empty()
            && self.options.iter().all(|o| o.text.trim().is_empty() && !o.correct)
    }

    /// The question as the editor shows it, from a saved one.
    pub fn from_question(question: &Question) -> Self {
        let right: &[usize] = match &question.answer {
            Answer::Choices(right) => right,
            Answer::Accept(_) => &[],
        };
        Self {
            kind: match question.kind {
                QuestionKind::Single => "single",
                QuestionKind::Multiple => "multiple",
                QuestionKind::Short => "short",
            }
            .into(),
            prompt: question.prompt.clone(),
            options: question
                .choices
                .iter()
                .enumerate()
                .map(|(i, text)| OptionFields { text: text.clone(), correct: right.contains(&i) })
                .collect(),
            accept: match &question.answer {
                Answer::Accept(accepted) => accepted.join("\n"),
                Answer::Choices(_) => String::new(),
            },
            feedback: question.feedback.clone(),
        }
    }
}

impl QuizFields {
    /// The quiz as the editor shows it, from a saved one.
    pub fn from_quiz(quiz: &Quiz) -> Self {
        Self {
            passing_score: quiz.passing_percent.to_string(),
            max_attempts: quiz.max_attempts.to_string(),
            reveal: quiz.reveal.slug().into(),
            questions: quiz.questions.iter().map(QuestionFields::from_question).collect(),
        }
    }

    /// Ready to show: at least one question, and each with blank option slots at its end so
    /// that options can be added without JavaScript.
    pub fn for_editing(mut self) -> Self {
        if self.questions.is_empty() {
            self.questions.push(QuestionFields::blank());
        }
        for q in &mut self.questions {
            while q.options.last().is_some_and(|o| o.text.trim().is_empty() && !o.correct)
                && q.options.len() > MIN_OPTION_SLOTS
            {
                q.options.pop();
            }
            let filled = q.options.iter().rposition(|o| !o.text.trim().is_empty() || o.correct).map_or(0, |i| i + 1);
            let wanted = (filled + SPARE_OPTIONS).clamp(MIN_OPTION_SLOTS, MAX_OPTIONS);
            q.options.resize_with(wanted.max(q.options.len()), OptionFields::default);
        }
        self
    }

    /// One more blank question at the end (up to [`MAX_QUESTIONS`]).
    pub fn add_question(&mut self) {
        if self.questions.len() < MAX_QUESTIONS {
            self.questions.push(QuestionFields::blank());
        }
    }

    /// Takes out question `n` (from 1).
    pub fn remove_question(&mut self, n: usize) {
        if (1..=self.questions.len()).contains(&n) {
            self.questions.remove(n - 1);
        }
    }

    /// Builds the quiz, or says what to fix on which field (fields are named `q2-prompt`,
    /// `q2-options`, `q2-accept`, `q2-feedback`, `passing_score`, `max_attempts`; questions
    /// count from 1 as the form shows them). Questions left entirely blank are ignored.
    pub fn build(&self) -> Result<Quiz, FieldErrors> {
        let mut errors = FieldErrors::new();
        let passing = match self.passing_score.trim().parse::<u8>() {
            Ok(p) if p <= 100 => Some(p),
            _ => {
                errors.add("passing_score", "Passing score: enter a whole percent from 0 to 100.");
                None
            }
        };
        let attempts = match self.max_attempts.trim().parse::<u32>() {
            Ok(a) if a <= 1000 => Some(a),
            _ => {
                errors.add("max_attempts", "Attempts allowed: enter a whole number from 0 to 1000 (0 means no limit).");
                None
            }
        };
        let reveal = match self.reveal.parse::<Reveal>() {
            Ok(reveal) => Some(reveal),
            Err(_) => {
                errors.add("reveal", "Right answers: choose when teachers see them.");
                None
            }
        };
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            if !q.is_blank() {
                questions.extend(build_question(i + 1, q, &mut errors));
            }
        }
        if self.questions.iter().all(QuestionFields::is_blank) {
            errors.add("q1-prompt", "Write at least one question.");
        }
        match (passing, attempts, reveal) {
            (Some(passing_percent), Some(max_attempts), Some(reveal)) if errors.is_empty() => {
                let quiz = Quiz { passing_percent, max_attempts, reveal, questions };
                // The core's rules, already covered above; a slip here is still the form's.
                quiz.check().map_err(|message| {
                    let mut errors = FieldErrors::new();
                    errors.add("q1-prompt", capitalized(&message));
                    errors
                })?;
                Ok(quiz)
            }
            _ => Err(errors),
        }
    }
}

fn build_question(n: usize, q: &QuestionFields, errors: &mut FieldErrors) -> Option<Question> {
    let field = |name: &str| format!("q{n}-{name}");
    let before = errors.iter().count();
    let prompt = q.prompt.trim().to_owned();
    if prompt.is_empty() {
        errors.add(&field("prompt"), format!("Question {n}: write the question."));
    }
    let kind = match q.kind.as_str() {
        "single" => QuestionKind::Single,
        "multiple" => QuestionKind::Multiple,
        "short" => QuestionKind::Short,
        _ => {
            errors.add(&field("kind"), format!("Question {n}: choose what kind of answer it takes."));
            return None;
        }
    };
    let feedback = q.feedback.trim().to_owned();
    if feedback.is_empty() {
        errors.add(&field("feedback"), format!("Question {n}: write the feedback teachers see after answering."));
    } else if feedback.chars().count() > 5000 {
        errors.add(&field("feedback"), format!("Question {n}: the feedback is longer than 5,000 characters."));
    }
    let (choices, answer) = match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let mut choices: Vec<String> = Vec::new();
            let mut right = Vec::new();
            for (k, option) in q.options.iter().enumerate() {
                let text = option.text.trim();
                if text.is_empty() {
                    if option.correct {
                        errors.add(
                            &field("options"),
                            format!("Question {n}: option {} is marked correct but has no text.", k + 1),
                        );
                    }
                    continue;
                }
                if choices.iter().any(|c| c.eq_ignore_ascii_case(text)) {
                    errors.add(
                        &field("options"),
                        format!("Question {n}: two options say “{text}”; make each different."),
                    );
                }
                if option.correct {
                    right.push(choices.len());
                }
                choices.push(text.to_owned());
            }
            if choices.len() < 2 {
                errors.add(&field("options"), format!("Question {n}: give at least two options."));
            } else if right.is_empty() {
                let message = if kind == QuestionKind::Single {
                    format!("Question {n}: choose the correct answer.")
                } else {
                    format!("Question {n}: tick every correct answer.")
                };
                errors.add(&field("options"), message);
            } else if kind == QuestionKind::Single && right.len() > 1 {
                errors.add(
                    &field("options"),
                    format!(
                        "Question {n}: a single-choice question has one correct answer; tick only one, or make it a multiple-choice question."
                    ),
                );
            }
            (choices, Answer::Choices(right))
        }
        QuestionKind::Short => {
            let accepted: Vec<String> =
                q.accept.lines().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
            if accepted.is_empty() {
                errors.add(&field("accept"), format!("Question {n}: give at least one accepted answer, one per line."));
            }
            (Vec::new(), Answer::Accept(accepted))
        }
    };
    if errors.iter().count() > before {
        return None;
    }
    let question = Question { kind, prompt, choices, answer, feedback };
    match question.check() {
        Ok(()) => Some(question),
        Err(message) => {
            errors.add(&field("prompt"), format!("Question {n}: {message}."));
            None
        }
    }
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// Finds a step by its position in the whole item (from 1): (module index, step index).
pub fn locate(package: &CoursePackage, position: usize) -> Option<(usize, usize)> {
    let mut n = 0;
    for (m, module) in package.modules.iter().enumerate() {
        for s in 0..module.steps.len() {
            n += 1;
            if n == position {
                return Some((m, s));
            }
        }
    }
    None
}

/// The editor's fields for the step at `position`.
pub fn fields_of(package: &CoursePackage, position: usize) -> Result<StepFields> {
    let (m, s) = locate(package, position).ok_or(Error::NotFound)?;
    let step = &package.modules[m].steps[s];
    let completion = step.completion.as_ref();
    Ok(StepFields {
        module: (m + 1).to_string(),
        new_module: String::new(),
        kind: step.kind.slug().to_owned(),
        title: step.title.clone(),
        body: step.body_md.clone(),
        quiz: step.quiz.as_ref().map(QuizFields::from_quiz).unwrap_or_default(),
        min_words: step.required_words().to_string(),
        artifact: completion.and_then(|c| c.params.get("artifact").cloned()).unwrap_or_else(|| "text".into()),
        min_chars: completion.and_then(|c| c.params.get("min_chars").cloned()).unwrap_or_else(|| "20".into()),
    })
}

/// The fields of a new step in a package.
pub fn new_fields(package: &CoursePackage) -> StepFields {
    StepFields {
        module: package.modules.len().max(1).to_string(),
        kind: "lesson".into(),
        min_words: "30".into(),
        artifact: "text".into(),
        min_chars: "150".into(),
        ..StepFields::default()
    }
}

/// A checked step, ready to go into the package.
struct CheckedStep {
    kind: StepKind,
    title: String,
    body_md: String,
    quiz: Option<Quiz>,
    min_words: Option<u32>,
    completion: Option<Completion>,
}

/// Checks the editor's fields for `item` in the author's words (every problem at once).
fn check_fields(app: &App, item: &Item, form: &StepFields) -> Result<CheckedStep, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = match form.kind.parse::<StepKind>() {
        Ok(StepKind::Task) if item.kind != academy_core::learning::ItemKind::Lab => {
            errors.add("kind", "Only a hands-on lab has lab tasks; choose a lesson, quiz or reflection.");
            None
        }
        Ok(kind) => Some(kind),
        Err(_) => {
            errors.add("kind", "Choose the kind of step.");
            None
        }
    };
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        errors.add("title", "Give the step a title.");
    } else if title.chars().count() > 200 || title.contains(['\n', '\r']) {
        errors.add("title", "Title: one line of at most 200 characters.");
    }
    let body = form.body.trim();
    if kind.is_some_and(|k| k != StepKind::Quiz) && body.is_empty() {
        let what = match kind {
            Some(StepKind::Reflection) => "the reflection prompt",
            Some(StepKind::Task) => "the task's instructions",
            _ => "the lesson",
        };
        errors.add("body", format!("Text: write {what} (Markdown)."));
    }
    let quiz = match kind {
        Some(StepKind::Quiz) => match form.quiz.build() {
            Ok(quiz) => Some(quiz),
            Err(quiz_errors) => {
                for e in quiz_errors.iter() {
                    errors.add(&e.field, e.message.clone());
                }
                None
            }
        },
        _ => None,
    };
    let min_words = match kind {
        Some(StepKind::Reflection) => match form.min_words.trim().parse::<u32>() {
            Ok(words) if words <= 5000 => Some(words),
            _ => {
                errors.add("min_words", "Words a reflection needs: a whole number from 0 to 5000.");
                None
            }
        },
        _ => None,
    };
    let completion = match kind {
        Some(StepKind::Task) => {
            let params = BTreeMap::from([
                ("artifact".to_owned(), form.artifact.trim().to_owned()),
                ("min_chars".to_owned(), form.min_chars.trim().to_owned()),
            ]);
            match app.rules.build("artifact", &params) {
                Ok(_) => Some(Completion { rule: "artifact".into(), params }),
                Err(_) if form.min_chars.trim().parse::<u32>().is_err() => {
                    errors.add("min_chars", "Fewest characters of written work: a whole number, such as 150.");
                    None
                }
                Err(_) => {
                    errors.add("artifact", "Choose what completes the task: written work, a link, or either.");
                    None
                }
            }
        }
        _ => None,
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(CheckedStep {
            kind,
            title,
            body_md: if kind == StepKind::Quiz { String::new() } else { form.body.clone() },
            quiz,
            min_words,
            completion,
        }),
        _ => Err(errors),
    }
}

/// What the preview shows: the step as a teacher will see it, without saving anything.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The lesson, prompt or task Markdown (empty for quizzes).
    pub body_md: String,
    /// The quiz, for quizzes.
    pub quiz: Option<Quiz>,
}

/// Checks the editor's fields and returns what the preview shows; problems are reported on
/// the fields as when saving.
pub async fn preview(app: &App, slug: &str, form: &StepFields) -> Result<Preview> {
    let item = super::items::item(app, slug).await?;
    let step = check_fields(app, &item, form).map_err(Error::Invalid)?;
    Ok(Preview { body_md: step.body_md, quiz: step.quiz })
}

/// Saves a step: a new one at the end of its module (`position` `None`), or the one at
/// `position`. The actor must be able to author at the item's owner. Problems are
/// [`Error::Invalid`] on the form's fields.
pub async fn save_step(
    app: &App,
    actor: Actor<'_>,
    slug: &str,
    position: Option<usize>,
    form: &StepFields,
) -> Result<()> {
    let (item, mut package) = export(app, slug).await?;
    check_may_author(app, Some(actor), item.owner_org_id).await?;
    let checked = check_fields(app, &item, form);
    let mut errors = match &checked {
        Ok(_) => FieldErrors::new(),
        Err(errors) => errors.clone(),
    };
    let target_module = if form.module == "new" {
        let name = form.new_module.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['\n', '\r']) {
            errors.add("new_module", "Name the new module (one line, at most 200 characters).");
        }
        package.modules.push(ModulePackage { title: name.to_owned(), steps: Vec::new() });
        package.modules.len() - 1
    } else {
        match form.module.parse::<usize>() {
            Ok(n) if (1..=package.modules.len()).contains(&n) => n - 1,
            _ if package.modules.is_empty() => {
                package.modules.push(ModulePackage { title: "Module 1".into(), steps: Vec::new() });
                0
            }
            _ => {
                errors.add("module", "Choose a module.");
                0
            }
        }
    };
    let checked = match checked {
        Ok(checked) if errors.is_empty() => checked,
        _ => return Err(Error::Invalid(errors)),
    };
    let title = checked.title.clone();
    let kind = checked.kind;
    let mut step = StepPackage {
        kind,
        title: checked.title,
        file: String::new(),
        body_md: checked.body_md,
        quiz: checked.quiz,
        min_words: checked.min_words,
        completion: checked.completion,
    };
    match position {
        Some(position) => {
            let (m, s) = locate(&package, position).ok_or(Error::NotFound)?;
            let old = package.modules[m].steps.remove(s);
            // A step keeps its file (and so its learners' progress) unless its kind changes.
            step.file = if old.kind == kind { old.file } else { unused_file(&package, target_module, &title, kind) };
            let at = if m == target_module {
                s.min(package.modules[m].steps.len())
            } else {
                package.modules[target_module].steps.len()
            };
            package.modules[target_module].steps.insert(at, step.clone());
        }
        None => {
            step.file = unused_file(&package, target_module, &title, kind);
            package.modules[target_module].steps.push(step.clone());
        }
    }
    package.modules.retain(|m| !m.steps.is_empty());
    let checked = read_back(app, &package, &step)?;
    save_package(app, actor, &item, &checked, "item.edit_step", &title).await
}

/// Writes `package` as files with the package writer and reads it back with the package
/// reader; problems become field errors on the step editor (`step` is the step being saved).
fn read_back(app: &App, package: &CoursePackage, step: &StepPackage) -> Result<CoursePackage> {
    let files = course::to_files(package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    read_files_raw(app, &files).map_err(|problems| {
        let mut errors = FieldErrors::new();
        for problem in problems.0 {
            let field_path = problem.field.clone().unwrap_or_default();
            let (field, message) = if problem.file == course::MANIFEST && field_path == "kind" {
                (
                    "kind",
                    "A hands-on lab needs at least one lab task: make this step a lab task, or add the task first."
                        .to_owned(),
                )
            } else if problem.file == step.file {
                let field = if step.kind == StepKind::Quiz { "q1-prompt" } else { "body" };
                (field, format!("This step: {}", problem.message))
            } else if problem.file == course::MANIFEST && field_path.ends_with(".title") {
                ("title", format!("Title: {}", problem.message))
            } else {
                ("step-form", format!("The content could not be saved: {}", problem.message))
            };
            if errors.get(field).is_none() {
                errors.add(field, message);
            }
        }
        Error::Invalid(errors)
    })
}

/// Removes the step at `position` (and the progress on it). A course or lab keeps at least
/// one step.
pub async fn delete_step(app: &App, actor: Actor<'_>, slug: &str, position: usize) -> Result<()> {
    let (item, mut package) = export(app, slug).await?;
    check_may_author(app, Some(actor), item.owner_org_id).await?;
    let (m, s) = locate(&package, position).ok_or(Error::NotFound)?;
    let removed = package.modules[m].steps.remove(s);
    package.modules.retain(|m| !m.steps.is_empty());
    if package.modules.is_empty() {
        return Err(Error::Unsupported(
            "A course or lab keeps at least one step; add another before removing this one.".into(),
        ));
    }
    let files = course::to_files(&package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let checked = read_files_raw(app, &files).map_err(|problems| {
        let first = problems.0.first().map_or_else(String::new, |p| p.message.clone());
        Error::Unsupported(format!("This step cannot be removed: {first}"))
    })?;
    save_package(app, actor, &item, &checked, "item.delete_step", &removed.title).await
}

async fn save_package(
    app: &App,
    actor: Actor<'_>,
    item: &Item,
    package: &CoursePackage,
    action: &str,
    detail: &str,
) -> Result<()> {
    let now = time::now();
    let mut tx = app.store.begin().await?;
    import_in(&mut tx, package, item.status, Some(actor.user_id), item.owner_org_id, now).await?;
    audit::record(&mut tx, Some(actor.user_id), action, &format!("item:{}", item.id), Some(detail), now).await?;
    tx.commit().await?;
    Ok(())
}

fn unused_file(package: &CoursePackage, module: usize, title: &str, kind: StepKind) -> String {
    let taken: std::collections::HashSet<&str> =
        package.modules.iter().flat_map(|m| m.steps.iter().map(|s| s.file.as_str())).collect();
    let module_title = package.modules.get(module).map(|m| m.title.as_str()).unwrap_or("module");
    (1..)
        .map(|n| {
            course::suggested_file(
                module + 1,
                module_title,
                package.modules.get(module).map_or(0, |m| m.steps.len()) + n,
                kind,
                title,
            )
        })
        .find(|f| !taken.contains(f.as_str()))
        .unwrap_or_else(|| format!("step-{}.md", uuid::Uuid::new_v4().simple()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: &str, options: &[(&str, bool)]) -> QuestionFields {
        QuestionFields {
            kind: kind.into(),
            prompt: "Which is right?".into(),
            options: options.iter().map(|(t, c)| OptionFields { text: (*t).into(), correct: *c }).collect(),
            accept: String::new(),
            feedback: "Because.".into(),
        }
    }

    fn quiz(questions: Vec<QuestionFields>) -> QuizFields {
        QuizFields { passing_score: "80".into(), max_attempts: "3".into(), reveal: "when-done".into(), questions }
    }

    fn messages(errors: &FieldErrors) -> Vec<(String, String)> {
        errors.iter().map(|e| (e.field.clone(), e.message.clone())).collect()
    }

    #[test]
    fn the_quiz_editor_builds_a_quiz_and_leaves_blank_slots_out() {
        let fields = quiz(vec![
            question("single", &[("Yes", false), ("", false), ("No", true), ("", false)]),
            QuestionFields { kind: "short".into(), accept: "token\n\n tokens ".into(), ..question("short", &[]) },
            QuestionFields::blank(),
        ]);
        let built = fields.build().expect("a quiz");
        assert_eq!(built.questions.len(), 2, "the blank question is ignored");
        assert_eq!(built.questions[0].choices, ["Yes", "No"]);
        assert_eq!(built.questions[0].answer, Answer::Choices(vec![1]));
        assert_eq!(built.questions[1].answer, Answer::Accept(vec!["token".into(), "tokens".into()]));
        assert_eq!(QuizFields::from_quiz(&built).for_editing().questions[0].options.len(), 4, "two spare slots");
    }

    #[test]
    fn quiz_problems_speak_of_the_form() {
        let fields = quiz(vec![
            question("single", &[("Yes", false), ("No", false)]),
            question("single", &[("Yes", false), ("No", false)]),
            question("multiple", &[("A", true), ("", true)]),
            question("single", &[("A", true), ("B", true)]),
            QuestionFields { feedback: String::new(), ..question("short", &[]) },
        ]);
        let errors = messages(&fields.build().expect_err("problems"));
        assert!(errors.contains(&("q2-options".into(), "Question 2: choose the correct answer.".into())), "{errors:?}");
        assert!(
            errors.iter().any(|(f, m)| f == "q3-options" && m.contains("option 2 is marked correct")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|(f, m)| f == "q4-options" && m.contains("tick only one")), "{errors:?}");
        assert!(errors.iter().any(|(f, _)| f == "q5-accept"), "{errors:?}");
        assert!(errors.iter().any(|(f, _)| f == "q5-feedback"), "{errors:?}");
        assert!(errors.iter().all(|(_, m)| !m.contains(".toml") && !m.contains("questions[")), "{errors:?}");
        let none = quiz(vec![QuestionFields::blank()]);
        assert_eq!(
            messages(&none.build().expect_err("empty")),
            [("q1-prompt".into(), "Write at least one question.".into())]
        );
    }

    #[test]
    fn questions_are_added_and_removed() {
        let mut fields = QuizFields::default();
        fields.add_question();
        assert_eq!(fields.questions.len(), 2);
        fields.remove_question(1);
        fields.remove_question(9);
        assert_eq!(fields.questions.len(), 1);
    }
}
