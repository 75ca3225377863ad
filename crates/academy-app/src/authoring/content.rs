//! The steps of a course or lab, edited one at a time as a file of the item's package. Every
//! change rebuilds the package and reads it back through the package reader, with the app's
//! completion rules, before it is saved: problems come back as `field: message` lines.

use crate::imports::course::{export, import_in, read_files};
use crate::{Actor, App, Error, Result};
use academy_core::learning::{Quiz, Reveal, StepKind};
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
    /// The quiz file (TOML), for quizzes.
    pub quiz: String,
    /// Words a reflection needs.
    pub min_words: String,
    /// What a task asks for: `text`, `link` or `either`.
    pub artifact: String,
    /// Characters a task's text needs.
    pub min_chars: String,
}

/// The quiz a new quiz step starts from.
pub const STARTER_QUIZ: &str = "passing_score = 80\nmax_attempts = 3\n\n[[questions]]\nkind = \"single\"\nprompt = \"Write the question here.\"\nchoices = [\"The right answer\", \"A tempting wrong answer\"]\nanswer = [0]\nfeedback = \"Explain why the right answer is right.\"\n";

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
    let files = course::to_files(package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let quiz = if step.kind == StepKind::Quiz {
        files.get(&step.file).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    } else {
        STARTER_QUIZ.into()
    };
    let completion = step.completion.as_ref();
    Ok(StepFields {
        module: (m + 1).to_string(),
        new_module: String::new(),
        kind: step.kind.slug().to_owned(),
        title: step.title.clone(),
        body: step.body_md.clone(),
        quiz,
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
        quiz: STARTER_QUIZ.into(),
        min_words: "30".into(),
        artifact: "text".into(),
        min_chars: "150".into(),
        ..StepFields::default()
    }
}

/// Saves a step: a new one at the end of its module (`position` `None`), or the one at
/// `position`. Problems are [`Error::Rejected`], one `field: message` line each.
pub async fn save_step(
    app: &App,
    actor: Actor<'_>,
    slug: &str,
    position: Option<usize>,
    form: &StepFields,
) -> Result<()> {
    let (item, mut package) = export(app, slug).await?;
    let mut problems = Vec::new();
    let kind = match form.kind.parse::<StepKind>() {
        Ok(kind) => kind,
        Err(e) => {
            problems.push(format!("kind: {e}"));
            StepKind::Lesson
        }
    };
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        problems.push("title: Give the step a title.".into());
    }
    let target_module = if form.module == "new" {
        let name = form.new_module.trim();
        if name.is_empty() {
            problems.push("new_module: Name the new module.".into());
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
                problems.push("module: Choose a module.".into());
                0
            }
        }
    };
    if !problems.is_empty() {
        return Err(Error::Rejected(problems));
    }
    let completion = (kind == StepKind::Task).then(|| Completion {
        rule: "artifact".into(),
        params: BTreeMap::from([
            ("artifact".into(), form.artifact.clone()),
            ("min_chars".into(), form.min_chars.trim().to_owned()),
        ]),
    });
    let placeholder_quiz = Quiz { passing_percent: 80, max_attempts: 0, reveal: Reveal::Never, questions: Vec::new() };
    let mut step = StepPackage {
        kind,
        title: title.clone(),
        file: String::new(),
        body_md: if kind == StepKind::Quiz { String::new() } else { form.body.clone() },
        quiz: (kind == StepKind::Quiz).then(|| placeholder_quiz.clone()),
        min_words: if kind == StepKind::Reflection { form.min_words.trim().parse().ok() } else { None },
        completion,
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
    let mut files = course::to_files(&package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    if kind == StepKind::Quiz {
        files.insert(step.file.clone(), form.quiz.clone().into_bytes());
    }
    let checked = read_files(app, &files)?;
    save_package(app, actor, &item, &checked, "item.edit_step", &title).await
}

/// Removes the step at `position` (and the progress on it). A course or lab keeps at least
/// one step.
pub async fn delete_step(app: &App, actor: Actor<'_>, slug: &str, position: usize) -> Result<()> {
    let (item, mut package) = export(app, slug).await?;
    let (m, s) = locate(&package, position).ok_or(Error::NotFound)?;
    let removed = package.modules[m].steps.remove(s);
    package.modules.retain(|m| !m.steps.is_empty());
    if package.modules.is_empty() {
        return Err(Error::Unsupported(
            "A course or lab keeps at least one step; add another before removing this one.".into(),
        ));
    }
    let files = course::to_files(&package).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let checked = read_files(app, &files)?;
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
    import_in(&mut tx, package, item.status, Some(actor.user_id), now).await?;
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
