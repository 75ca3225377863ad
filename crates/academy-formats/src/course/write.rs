//! Writing a package: the files (manifest and quiz TOML written here, Markdown as it is), then
//! a folder or a zip of them.

use super::{CoursePackage, FORMAT, MANIFEST, WriteError, check_path, description_path, is_slug};
use academy_core::learning::{Answer, QuestionKind, Quiz, Reveal, StepKind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use toml::Value;

/// Writes a package as files keyed by relative path: `course.toml`, the description and every
/// step's file.
pub fn to_files(package: &CoursePackage) -> Result<BTreeMap<String, Vec<u8>>, WriteError> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut put = |path: &str, content: Vec<u8>| -> Result<(), WriteError> {
        check_path(path).map_err(|reason| WriteError::UnsafePath { path: path.into(), reason })?;
        if path == MANIFEST {
            return Err(WriteError::UnsafePath { path: path.into(), reason: "is the manifest's name".into() });
        }
        match files.get(path) {
            Some(existing) if *existing != content => Err(WriteError::Conflict { path: path.into() }),
            _ => {
                files.insert(path.into(), content);
                Ok(())
            }
        }
    };
    let description = package.description_md.as_ref().map(|md| (description_path(package), md));
    if let Some((path, md)) = &description {
        put(path, md.as_bytes().to_vec())?;
    }
    for (m, module) in package.modules.iter().enumerate() {
        for (s, step) in module.steps.iter().enumerate() {
            let content = match step.kind {
                StepKind::Quiz => {
                    let quiz = step.quiz.as_ref().ok_or_else(|| {
                        WriteError::Invalid(format!("modules[{m}].steps[{s}]: a quiz step has no quiz"))
                    })?;
                    quiz_toml(quiz)
                }
                _ => step.body_md.clone(),
            };
            put(&step.file, content.into_bytes())?;
        }
    }
    files.insert(MANIFEST.into(), manifest_toml(package)?.into_bytes());
    Ok(files)
}

/// Writes a package into folder `path` (created if needed). Files the package names are
/// replaced; other files in the folder are left alone, so exporting over a checkout shows the
/// changes as a diff.
pub fn write_dir(package: &CoursePackage, path: impl AsRef<Path>) -> Result<(), WriteError> {
    let root = path.as_ref();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError::Io { path, source }
    };
    let files = to_files(package)?;
    // Never follow a link that is already in the folder: it could lead outside. Checked for
    // every file before any is written.
    for rel in files.keys() {
        let mut target = root.to_path_buf();
        for part in rel.split('/') {
            target.push(part);
            if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(WriteError::UnsafePath {
                    path: rel.clone(),
                    reason: "passes through a symbolic link".into(),
                });
            }
        }
    }
    std::fs::create_dir_all(root).map_err(io(root))?;
    for (rel, content) in files {
        let target = root.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&target, content).map_err(io(&target))?;
    }
    Ok(())
}

/// Writes a package as a zip holding one folder named after its slug.
pub fn write_zip(package: &CoursePackage) -> Result<Vec<u8>, WriteError> {
    let files = to_files(package)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let folder = if is_slug(&package.slug) { package.slug.as_str() } else { "course" };
    for (path, content) in files {
        zip.start_file(format!("{folder}/{path}"), options)?;
        zip.write_all(&content).map_err(|e| WriteError::Zip(e.into()))?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A TOML basic string, escaped as TOML requires.
fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn key(name: &str) -> String {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        name.to_owned()
    } else {
        quoted(name)
    }
}

fn list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let items: Vec<String> = items.into_iter().map(quoted).collect();
    format!("[{}]", items.join(", "))
}

fn manifest_toml(package: &CoursePackage) -> Result<String, WriteError> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("format = {}", quoted(FORMAT)));
    line(format!("slug = {}", quoted(&package.slug)));
    line(format!("title = {}", quoted(&package.title)));
    line(format!("kind = {}", quoted(package.kind.slug())));
    line(format!("strand = {}", quoted(package.strand.slug())));
    line(format!("summary = {}", quoted(&package.summary)));
    if package.description_md.is_some() {
        line(format!("description = {}", quoted(&description_path(package))));
    }
    line(format!("grade_bands = {}", list(package.grade_bands.iter().map(|b| b.slug()))));
    line(format!("subjects = {}", list(package.subjects.iter().map(|s| s.slug()))));
    line(format!("minutes = {}", package.minutes));
    line(format!("pd_hours = {}", package.pd_hours));
    line(format!("credential = {}", package.credential));
    if let Some(version) = &package.version {
        line(format!("version = {}", quoted(version)));
    }
    if !package.authors.is_empty() {
        line(format!("authors = {}", list(package.authors.iter().map(String::as_str))));
    }
    if let Some(license) = &package.license {
        line(format!("license = {}", quoted(license)));
    }
    for (m, module) in package.modules.iter().enumerate() {
        line(String::new());
        line("[[modules]]".into());
        line(format!("title = {}", quoted(&module.title)));
        for (s, step) in module.steps.iter().enumerate() {
            line(String::new());
            line("[[modules.steps]]".into());
            line(format!("kind = {}", quoted(step.kind.slug())));
            line(format!("title = {}", quoted(&step.title)));
            line(format!("file = {}", quoted(&step.file)));
            if let Some(words) = step.min_words {
                line(format!("min_words = {words}"));
            }
            if let Some(completion) = &step.completion {
                if completion.params.contains_key("rule") {
                    return Err(WriteError::Invalid(format!(
                        "modules[{m}].steps[{s}].completion: a parameter cannot be named 'rule'"
                    )));
                }
                let mut table = format!("completion = {{ rule = {}", quoted(&completion.rule));
                for (name, value) in &completion.params {
                    let _ = write!(table, ", {} = {}", key(name), quoted(value));
                }
                table.push_str(" }");
                line(table);
            }
        }
    }
    Ok(out)
}

fn quiz_toml(quiz: &Quiz) -> String {
    let mut out = format!("passing_score = {}\nmax_attempts = {}\n", quiz.passing_percent, quiz.max_attempts);
    if quiz.reveal != Reveal::Never {
        out.push_str(&format!("reveal = {}\n", quoted(quiz.reveal.slug())));
    }
    for q in &quiz.questions {
        let kind = match q.kind {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Short => "short",
        };
        out.push_str(&format!("\n[[questions]]\nkind = {}\nprompt = {}\n", quoted(kind), quoted(&q.prompt)));
        if !q.choices.is_empty() {
            out.push_str(&format!("choices = {}\n", list(q.choices.iter().map(String::as_str))));
        }
        match &q.answer {
            Answer::Choices(right) => {
                let right: Vec<String> = right.iter().map(usize::to_string).collect();
                out.push_str(&format!("answer = [{}]\n", right.join(", ")));
            }
            Answer::Accept(accepted) => {
                out.push_str(&format!("accept = {}\n", list(accepted.iter().map(String::as_str))))
            }
        }
        out.push_str(&format!("feedback = {}\n", quoted(&q.feedback)));
    }
    out
}
