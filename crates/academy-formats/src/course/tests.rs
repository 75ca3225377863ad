//! The package format's tests: the spec's example, round trips and broken packages.

use super::*;
use academy_core::learning::Answer;
use std::io::Write;

/// The readers as the application calls them, with the built-in completion rules.
fn read_files(files: &BTreeMap<String, Vec<u8>>) -> Result<CoursePackage, FormatErrors> {
    read_with(Input::Files(files), &RuleRegistry::default())
}

fn read_dir(path: &Path) -> Result<CoursePackage, FormatErrors> {
    read_with(Input::Dir(path), &RuleRegistry::default())
}

fn read_zip(bytes: &[u8]) -> Result<CoursePackage, FormatErrors> {
    read_with(Input::Zip(bytes), &RuleRegistry::default())
}

const MANIFEST_TEXT: &str = r#"format = "academy-course/1"
slug = "how-language-models-work"
title = "How Language Models Work, and How They Fail"
kind = "lab"
strand = "ai-foundations"
summary = "One or two sentences shown in the catalog."
description = "description.md"
grade_bands = ["k-2", "3-5", "6-8", "9-12"]
subjects = ["all"]
minutes = 90
pd_hours = 1.5
credential = true
version = "1.0.0"
authors = ["Academy curriculum team", "Ana \"Q\" Ruiz"]
license = "CC-BY-4.0"

[[modules]]
title = "Predicting the next word"

[[modules.steps]]
kind = "lesson"
title = "What a language model does"
file = "01-next-word/01-predicting.md"

[[modules.steps]]
kind = "quiz"
title = "Check your understanding"
file = "01-next-word/02-check.quiz.toml"

[[modules.steps]]
kind = "reflection"
title = "Where would this help you?"
file = "01-next-word/03-reflect.md"
min_words = 50

[[modules]]
title = "Plan with an assistant"

[[modules.steps]]
kind = "task"
title = "Plan a lesson with an AI assistant"
file = "02-plan/01-task.md"
completion = { rule = "artifact", artifact = "text", min_chars = "200" }

[[modules.steps]]
kind = "quiz"
title = "Check again"
file = "01-next-word/02-check.quiz.toml"
"#;

const QUIZ_TEXT: &str = r#"passing_score = 80
max_attempts = 3

[[questions]]
kind = "single"
prompt = "What does a language model produce, one step at a time?"
choices = ["A likely next token", "A verified fact", "A search result"]
answer = [0]
feedback = "It predicts a likely continuation. Likely is not the same as true."

[[questions]]
kind = "multiple"
prompt = "Which of these are student personal data?"
choices = ["A student's name", "A student's reading level", "Today's lunch menu"]
answer = [0, 1]
feedback = "Names and reading levels describe a student."

[[questions]]
kind = "short"
prompt = "A fluent, confident, false output is often called a …"
accept = ["hallucination", "confabulation"]
feedback = """
Models can state falsehoods *fluently*.
Check what they say."""
"#;

fn files() -> BTreeMap<String, Vec<u8>> {
    [
        (MANIFEST, MANIFEST_TEXT),
        ("description.md", "## About\n\nHow models predict, and where they fail.\n"),
        ("01-next-word/01-predicting.md", "## Predicting\n\nA model continues text.\n"),
        ("01-next-word/02-check.quiz.toml", QUIZ_TEXT),
        ("01-next-word/03-reflect.md", "Where could *prediction* help your students?\n"),
        ("02-plan/01-task.md", "Plan tomorrow's lesson with an assistant; paste the plan.\n"),
        ("README.md", "Not named by the manifest, so not imported.\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
    .collect()
}

fn with(path: &str, text: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = files();
    files.insert(path.into(), text.as_bytes().to_vec());
    files
}

fn manifest_with(from: &str, to: &str) -> BTreeMap<String, Vec<u8>> {
    assert!(MANIFEST_TEXT.contains(from), "{from}");
    with(MANIFEST, &MANIFEST_TEXT.replacen(from, to, 1))
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text.find(needle).expect("needle present");
    text[..at].matches('\n').count() as u64 + 1
}

fn errors(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    read_files(files).expect_err("should be refused").0.iter().map(ToString::to_string).collect()
}

#[test]
fn the_example_package_reads() {
    let package = read_files(&files()).expect("valid");
    assert_eq!(package.slug, "how-language-models-work");
    assert_eq!(package.kind, ItemKind::Lab);
    assert_eq!(package.strand, Strand::AiFoundations);
    assert_eq!(package.grade_bands.len(), 4);
    assert_eq!(package.subjects, [Subject::AllSubjects]);
    assert_eq!(package.pd_hours, PdHours::from_tenths(15));
    assert_eq!(package.authors[1], "Ana \"Q\" Ruiz");
    assert!(package.description_md.as_deref().is_some_and(|d| d.starts_with("## About")));
    assert_eq!(package.modules.len(), 2);
    let steps = &package.modules[0].steps;
    assert_eq!(steps[0].body_md, "## Predicting\n\nA model continues text.\n");
    let quiz = steps[1].quiz.as_ref().expect("quiz");
    assert_eq!((quiz.passing_percent, quiz.max_attempts, quiz.questions.len()), (80, 3, 3));
    assert_eq!(quiz.questions[1].answer, Answer::Choices(vec![0, 1]));
    assert_eq!(quiz.questions[2].answer, Answer::Accept(vec!["hallucination".into(), "confabulation".into()]));
    assert!(steps[1].body_md.is_empty());
    assert_eq!(steps[2].required_words(), 50);
    let task = &package.modules[1].steps[0];
    let completion = task.completion.as_ref().expect("completion");
    assert_eq!(completion.rule, "artifact");
    assert_eq!(completion.params.get("min_chars").map(String::as_str), Some("200"));
    assert!(RuleRegistry::default().build(&completion.rule, &completion.params).is_ok());
    assert_eq!(package.modules[1].steps[1].quiz, steps[1].quiz, "one quiz file serves two steps");
}

#[test]
fn packages_round_trip_through_files_folders_and_zips() {
    let package = read_files(&files()).expect("valid");
    let written = to_files(&package).expect("writes");
    assert!(!written.contains_key("README.md"));
    assert_eq!(read_files(&written).expect("reads back"), package);

    let dir = tempfile::tempdir().expect("tempdir");
    write_dir(&package, dir.path()).expect("writes a folder");
    assert_eq!(read_dir(dir.path()).expect("reads the folder"), package);
    // Exporting again over the same folder is fine.
    write_dir(&package, dir.path()).expect("writes again");

    let zip = write_zip(&package).expect("zips");
    assert_eq!(read_zip(&zip).expect("reads the zip"), package);

    // Awkward text survives: quotes, backslashes, newlines, TOML's own delimiters.
    let mut odd = package.clone();
    odd.title = "Quotes \" and \\ backslashes, ''' and \"\"\" too".into();
    odd.modules[0].title = "Ünïcödé — “quoted” 日本語".into();
    let quiz = odd.modules[0].steps[1].quiz.as_mut().expect("quiz");
    quiz.reveal = academy_core::learning::Reveal::WhenDone;
    quiz.questions[0].feedback = "Line one\nLine \"two\"\n\ttabbed \\n not a newline".into();
    odd.modules[0].steps[1].file = "01-next-word/02-check.quiz.toml".into();
    odd.modules[1].steps[1].quiz = odd.modules[0].steps[1].quiz.clone();
    odd.description = None;
    let back = read_files(&to_files(&odd).expect("writes")).expect("reads back");
    assert_eq!(back.description.as_deref(), Some("description.md"));
    assert_eq!(back, CoursePackage { description: Some("description.md".into()), ..odd });
}

#[test]
fn a_syntax_error_is_reported_at_its_line() {
    let files = manifest_with("minutes = 90", "minutes = ");
    let errors = errors(&files);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let line = line_of(MANIFEST_TEXT, "minutes = 90");
    assert_eq!(line, 10);
    assert!(errors[0].starts_with("course.toml:10: "), "{errors:?}");
}

#[test]
fn an_unknown_key_is_reported_at_its_line() {
    let files = manifest_with("title = \"Plan with an assistant\"", "tittle = \"Plan with an assistant\"");
    let errors = errors(&files);
    let line = line_of(MANIFEST_TEXT, "title = \"Plan with an assistant\"");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with(&format!("course.toml:{line}: unknown field `tittle`")), "{errors:?}");
}

#[test]
fn a_missing_file_is_reported_where_the_manifest_names_it() {
    let mut files = files();
    files.remove("02-plan/01-task.md");
    let line = line_of(MANIFEST_TEXT, "file = \"02-plan/01-task.md\"");
    assert_eq!(
        errors(&files),
        [format!("course.toml:{line}: modules[1].steps[0].file: 02-plan/01-task.md does not exist")]
    );
}

#[test]
fn a_bad_answer_is_reported_at_the_quiz_files_line() {
    let quiz = QUIZ_TEXT.replace("answer = [0, 1]", "answer = [0, 4]");
    let files = with("01-next-word/02-check.quiz.toml", &quiz);
    let line = line_of(&quiz, "answer = [0, 4]");
    assert_eq!(line, 15);
    assert_eq!(
        errors(&files),
        [
            "01-next-word/02-check.quiz.toml:15: questions[1].answer: answer 4 is not a choice (choices are numbered from 0 to 2)"
        ],
        "reported once although two steps use the quiz"
    );
}

#[test]
fn every_problem_is_collected() {
    let text = MANIFEST_TEXT
        .replace("format = \"academy-course/1\"", "format = \"academy-course/2\"")
        .replace("slug = \"how-language-models-work\"", "slug = \"How Models Work\"")
        .replace("strand = \"ai-foundations\"", "strand = \"ai\"")
        .replace("subjects = [\"all\"]", "subjects = [\"all\", \"robotics\"]")
        .replace("minutes = 90", "minutes = 2")
        .replace("pd_hours = 1.5", "pd_hours = 1.25")
        .replace("credential = true", "credential = \"yes\"")
        .replace("kind = \"reflection\"", "kind = \"essay\"")
        .replace("min_chars = \"200\"", "min_chars = \"many\"")
        .replace("file = \"01-next-word/01-predicting.md\"", "file = \"../secrets.md\"");
    let errors = errors(&with(MANIFEST, &text));
    let expect = [
        (
            line_of(&text, "format ="),
            "format: 'academy-course/2' is not a format this version reads (academy-course/1)",
        ),
        (line_of(&text, "slug ="), "slug: 'How Models Work' must be 3 to 80 lower-case letters, digits and hyphens"),
        (line_of(&text, "strand ="), "strand: 'ai' is not one of: ai-foundations, ethics, classroom-practice"),
        (line_of(&text, "subjects ="), "subjects[1]: 'robotics' is not one of: all, ela, math"),
        (line_of(&text, "minutes ="), "minutes: 2 is out of range (5 to 6000)"),
        (line_of(&text, "pd_hours ="), "pd_hours: 1.25 has more than one decimal"),
        (line_of(&text, "credential ="), "credential: must be true or false, not the text \"yes\""),
        (line_of(&text, "../secrets.md"), "modules[0].steps[0].file: ../secrets.md: leaves the package folder"),
        (
            line_of(&text, "\"essay\""),
            "modules[0].steps[2].kind: 'essay' is not one of: lesson, quiz, reflection, task",
        ),
        (line_of(&text, "completion ="), "modules[1].steps[0].completion: min_chars 'many' is not a whole number"),
    ];
    for (line, message) in expect {
        let wanted = format!("course.toml:{line}: {message}");
        assert!(errors.iter().any(|e| e.starts_with(&wanted)), "missing {wanted}\nin {errors:#?}");
    }
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
    let lines: Vec<u64> = expect.iter().map(|(l, _)| *l).collect();
    assert!(lines.is_sorted(), "reported in line order");
}

#[test]
fn missing_required_fields_are_named() {
    let text = MANIFEST_TEXT
        .replace("summary = \"One or two sentences shown in the catalog.\"\n", "")
        .replace("kind = \"lesson\"\ntitle = \"What a language model does\"\n", "kind = \"lesson\"\n");
    let errors = errors(&with(MANIFEST, &text));
    let step_line = line_of(&text, "[[modules.steps]]");
    assert_eq!(
        errors,
        [
            "course.toml:1: summary: is required but missing".to_owned(),
            format!("course.toml:{step_line}: modules[0].steps[0].title: is required but missing")
        ]
    );
}

#[test]
fn kinds_must_fit_their_steps() {
    // A course may not hold tasks.
    let errors = errors(&manifest_with("kind = \"lab\"", "kind = \"course\""));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("modules[1].steps[0].kind: a course has no task steps"), "{errors:?}");
    // A lab needs one.
    let text = MANIFEST_TEXT.replace(
        "kind = \"task\"\ntitle = \"Plan a lesson with an AI assistant\"\nfile = \"02-plan/01-task.md\"\ncompletion = { rule = \"artifact\", artifact = \"text\", min_chars = \"200\" }",
        "kind = \"lesson\"\ntitle = \"Plan a lesson with an AI assistant\"\nfile = \"02-plan/01-task.md\"",
    );
    assert_eq!(errors_of(&text), ["course.toml:4: kind: a lab needs at least one task step (kind = \"task\")"]);
    // Workshops are not packages.
    assert!(errors_of(&MANIFEST_TEXT.replace("kind = \"lab\"", "kind = \"workshop\""))[0].contains("course or a lab"));
    // A task needs a rule the registry knows, with parameters it accepts.
    let text =
        MANIFEST_TEXT.replace("rule = \"artifact\", artifact = \"text\", min_chars = \"200\"", "rule = \"tool-used\"");
    assert!(errors_of(&text)[0].contains("'tool-used' is not a completion rule; known rules: artifact"));
    let text = MANIFEST_TEXT.replace("min_chars = \"200\" }", "min_chars = 200, colour = \"red\" }");
    assert!(errors_of(&text)[0].contains("the artifact rule has no parameter 'colour'"), "a bare number is accepted");
    let text =
        MANIFEST_TEXT.replace("completion = { rule = \"artifact\", artifact = \"text\", min_chars = \"200\" }\n", "");
    assert!(errors_of(&text)[0].contains("modules[1].steps[0].completion: a task step needs a completion rule"));
    // Only reflections take min_words; only tasks take a completion rule.
    let text = MANIFEST_TEXT.replace(
        "file = \"01-next-word/01-predicting.md\"",
        "file = \"01-next-word/01-predicting.md\"\nmin_words = 3\ncompletion = { rule = \"artifact\" }",
    );
    let errors = errors_of(&text);
    assert!(errors[0].contains("modules[0].steps[0].min_words: only a reflection step takes min_words"), "{errors:?}");
    assert!(
        errors[1].contains("modules[0].steps[0].completion: only a task step takes a completion rule"),
        "{errors:?}"
    );
}

fn errors_of(manifest: &str) -> Vec<String> {
    errors(&with(MANIFEST, manifest))
}

#[test]
fn quiz_problems_are_located() {
    let quiz = QUIZ_TEXT
        .replace("passing_score = 80", "passing_score = 180")
        .replace("answer = [0]\n", "answer = [0, 1]\n")
        .replace("accept = [\"hallucination\", \"confabulation\"]", "answer = [0]")
        .replace("feedback = \"Names and reading levels describe a student.\"\n", "")
        .replace(
            "choices = [\"A student's name\", \"A student's reading level\", \"Today's lunch menu\"]",
            "choices = [\"A student's name\", \"  \"]",
        )
        + "\n[[questions]]\nkind = \"truefalse\"\nprompt = \"?\"\nfeedback = \"!\"\nhint = \"x\"\n";
    // An unknown key stops at the structure: fix it, then the values are checked.
    let path = "01-next-word/02-check.quiz.toml";
    let errors = errors(&with(path, &quiz));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with(&format!("{path}:{}: unknown field `hint`", line_of(&quiz, "hint"))), "{errors:?}");
    let quiz = quiz.replace("hint = \"x\"\n", "");
    let errors = errors_of_quiz(&quiz);
    let expected = [
        format!("{path}:1: passing_score: 180 is out of range (0 to 100)"),
        format!(
            "{path}:{}: questions[0].answer: a single-choice question has exactly one right choice",
            line_of(&quiz, "answer = [0, 1]")
        ),
        format!("{path}:{}: questions[1].feedback: is required but missing", line_of(&quiz, "kind = \"multiple\"") - 1),
        format!(
            "{path}:{}: questions[2].answer: a short-answer question lists accepted answers in accept, not answer",
            line_of(&quiz, "answer = [0]\nfeedback = \"\"\"")
        ),
        format!(
            "{path}:{}: questions[3].kind: 'truefalse' is not one of: single, multiple, short",
            line_of(&quiz, "truefalse")
        ),
    ];
    assert_eq!(errors, expected);
}

fn errors_of_quiz(quiz: &str) -> Vec<String> {
    errors(&with("01-next-word/02-check.quiz.toml", quiz))
}

#[test]
fn reveal_is_optional_and_checked() {
    let package = read_files(&files()).expect("valid");
    let quiz = package.modules[0].steps[1].quiz.as_ref().expect("quiz");
    assert_eq!(quiz.reveal, academy_core::learning::Reveal::Never, "answers stay hidden unless the author says");
    let shown = QUIZ_TEXT.replace("max_attempts = 3\n", "max_attempts = 3\nreveal = \"after-each-attempt\"\n");
    let package = read_files(&with("01-next-word/02-check.quiz.toml", &shown)).expect("valid");
    let quiz = package.modules[0].steps[1].quiz.as_ref().expect("quiz");
    assert_eq!(quiz.reveal, academy_core::learning::Reveal::AfterEachAttempt);
    let wrong = QUIZ_TEXT.replace("max_attempts = 3\n", "max_attempts = 3\nreveal = \"sometimes\"\n");
    assert_eq!(
        errors_of_quiz(&wrong),
        ["01-next-word/02-check.quiz.toml:3: reveal: 'sometimes' is not one of: never, when-done, after-each-attempt"]
    );
}

#[test]
fn the_core_question_rules_land_on_their_fields() {
    let quiz = QUIZ_TEXT.replace(
        "choices = [\"A likely next token\", \"A verified fact\", \"A search result\"]",
        "choices = [\"A likely next token\", \" \"]",
    );
    let line = line_of(&quiz, "choices = [\"A likely next token\", \" \"]");
    assert_eq!(
        errors_of_quiz(&quiz),
        [format!("01-next-word/02-check.quiz.toml:{line}: questions[0].choices: a choice is empty")]
    );
    let quiz = QUIZ_TEXT.replace("accept = [\"hallucination\", \"confabulation\"]", "accept = [\"  \"]");
    let line = line_of(&quiz, "accept = [\"  \"]");
    assert_eq!(
        errors_of_quiz(&quiz),
        [format!(
            "01-next-word/02-check.quiz.toml:{line}: questions[2].accept: a short-answer question needs at least one accepted answer"
        )]
    );
    let quiz = QUIZ_TEXT.replace("prompt = \"Which of these are student personal data?\"", "prompt = \"\"");
    assert!(errors_of_quiz(&quiz)[0].ends_with("questions[1].prompt: the question has no prompt"));
    let quiz = "passing_score = 80\nmax_attempts = 0\nquestions = []\n";
    assert_eq!(errors_of_quiz(quiz), ["01-next-word/02-check.quiz.toml:3: questions: the quiz has no questions"]);
}

#[test]
fn paths_stay_inside_the_package() {
    for (bad, reason) in [
        ("/etc/passwd", "is an absolute path"),
        ("C:/x.md", "is an absolute path"),
        ("01\\\\x.md", "use / between folder names"),
        ("01//x.md", "empty folder name"),
        ("./x.md", "without ./"),
        ("01/../../x.md", "leaves the package folder"),
    ] {
        let text = MANIFEST_TEXT.replace("file = \"01-next-word/01-predicting.md\"", &format!("file = \"{bad}\""));
        let errors = errors_of(&text);
        assert!(errors.len() == 1 && errors[0].contains(reason), "{bad}: {errors:?}");
    }
    let errors =
        errors_of(&MANIFEST_TEXT.replace("file = \"01-next-word/01-predicting.md\"", "file = \"course.toml\""));
    assert!(errors[0].contains("is the manifest"), "{errors:?}");
}

#[test]
fn a_file_is_shared_only_by_steps_of_one_kind() {
    let text =
        MANIFEST_TEXT.replace("file = \"01-next-word/03-reflect.md\"", "file = \"01-next-word/01-predicting.md\"");
    let errors = errors_of(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("modules[0].steps[2].file: 01-next-word/01-predicting.md is already used by modules[0].steps[0].file (line 23)"), "{errors:?}");
    let text = MANIFEST_TEXT.replace("file = \"01-next-word/01-predicting.md\"", "file = \"description.md\"");
    assert!(errors_of(&text)[0].contains("already used by description"));
}

#[test]
fn text_must_be_utf8_and_say_something() {
    let mut files = files();
    files.insert("01-next-word/03-reflect.md".into(), b"line one\nline \xff two\n".to_vec());
    files.insert("02-plan/01-task.md".into(), b" \n\n".to_vec());
    let errors = errors(&files);
    assert_eq!(
        errors,
        ["01-next-word/03-reflect.md:2: is not UTF-8 text; save it as UTF-8", "02-plan/01-task.md:1: is empty"]
    );
    // A byte-order mark is dropped.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(MANIFEST_TEXT.as_bytes());
    let mut files = self::files();
    files.insert(MANIFEST.into(), bom);
    assert!(read_files(&files).is_ok());
}

#[test]
fn problems_stop_at_the_limit() {
    let mut text = MANIFEST_TEXT.to_owned();
    for i in 0..80 {
        text.push_str(&format!("\n[[modules]]\ntitle = \"M{i}\"\n\n[[modules.steps]]\nkind = \"lesson\"\ntitle = \"S\"\nfile = \"missing-{i}.md\"\n"));
    }
    let errors = read_files(&with(MANIFEST, &text)).expect_err("refused");
    assert_eq!(errors.0.len(), FormatErrors::LIMIT);
    assert!(errors.to_string().ends_with("(stopped after 50 problems)"));
}

#[test]
fn zips_may_hold_one_top_folder_and_mac_litter() {
    let package = read_files(&files()).expect("valid");
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default();
        for (path, content) in files() {
            zip.start_file(format!("my-course/{path}"), options).expect("entry");
            zip.write_all(&content).expect("write");
        }
        zip.start_file("__MACOSX/my-course/._course.toml", options).expect("entry");
        zip.write_all(b"\0\x05\x16\x07").expect("write");
        zip.start_file("my-course/.DS_Store", options).expect("entry");
        zip.start_file("../../evil.md", options).expect("entry");
        zip.finish().expect("finish");
    }
    assert_eq!(read_zip(buffer.get_ref()).expect("reads"), package);
    let errors = read_zip(b"not a zip").expect_err("refused");
    assert!(errors.to_string().starts_with("(zip):1: not a readable zip file"), "{errors}");
    let empty = zip::ZipWriter::new(std::io::Cursor::new(Vec::new())).finish().expect("empty zip").into_inner();
    assert_eq!(
        read_zip(&empty).expect_err("no manifest").to_string(),
        "course.toml:1: the package has no course.toml at its top"
    );
}

#[test]
fn oversized_files_are_refused() {
    let big = "x".repeat(usize::try_from(MAX_FILE_BYTES).expect("fits") + 1);
    let errors = errors(&with("02-plan/01-task.md", &big));
    assert!(errors[0].contains("modules[1].steps[0].file: 02-plan/01-task.md is larger than 1024 KiB"), "{errors:?}");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.md"), "top secret").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let package = read_files(&files()).expect("valid");
    write_dir(&package, dir.path()).expect("writes");
    let task = dir.path().join("02-plan/01-task.md");
    std::fs::remove_file(&task).expect("remove");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), &task).expect("link");
    let errors = read_dir(dir.path()).expect_err("refused").to_string();
    assert!(errors.contains("02-plan/01-task.md is a link that leads outside the package folder"), "{errors}");
    // A link inside the folder is fine.
    std::fs::remove_file(&task).expect("remove");
    std::fs::write(dir.path().join("task.md"), "Plan tomorrow's lesson with an assistant; paste the plan.\n")
        .expect("write");
    std::os::unix::fs::symlink(dir.path().join("task.md"), &task).expect("link");
    assert_eq!(read_dir(dir.path()).expect("reads"), package);
    // Writing never follows a link either.
    std::fs::remove_file(&task).expect("remove");
    std::os::unix::fs::symlink(outside.path().join("secret.md"), &task).expect("link");
    assert!(matches!(write_dir(&package, dir.path()), Err(WriteError::UnsafePath { .. })));
    assert_eq!(std::fs::read_to_string(outside.path().join("secret.md")).expect("read"), "top secret");
}

#[test]
fn writing_refuses_what_could_not_be_read_back() {
    let mut package = read_files(&files()).expect("valid");
    package.modules[0].steps[0].file = "../escape.md".into();
    assert!(matches!(to_files(&package), Err(WriteError::UnsafePath { .. })));
    let mut package = read_files(&files()).expect("valid");
    package.modules[1].steps[1].quiz = None;
    assert!(matches!(to_files(&package), Err(WriteError::Invalid(_))));
    let mut package = read_files(&files()).expect("valid");
    package.modules[0].steps[2].file = package.modules[0].steps[0].file.clone();
    assert!(matches!(to_files(&package), Err(WriteError::Conflict { .. })));
}

#[test]
fn suggested_names_are_package_paths() {
    let name = suggested_file(2, "When Models Fail!", 3, StepKind::Quiz, "Check: what went wrong?");
    assert_eq!(name, "02-when-models-fail/03-check-what-went-wrong.quiz.toml");
    assert!(check_path(&name).is_ok());
    assert_eq!(suggested_file(1, "日本語", 1, StepKind::Lesson, ""), "01-part/01-part.md");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One-line text as a reader keeps it: trimmed, not empty, no control characters.
    fn line() -> impl Strategy<Value = String> {
        "\\PC{1,60}".prop_map(|s| s.trim().to_owned()).prop_filter("not blank", |s| !s.is_empty())
    }

    /// Markdown as authors write it, kept byte for byte.
    fn body() -> impl Strategy<Value = String> {
        "(\\PC|\n|\t){0,200}".prop_map(|s| format!("Text: {s}"))
    }

    proptest! {
        #[test]
        fn any_text_round_trips(
            title in line(),
            summary in line(),
            module in line(),
            step in line(),
            lesson in body(),
            prompt in line(),
            choices in prop::collection::vec(line(), 2..5),
            feedback in line(),
            accept in "[a-z]{1,12}",
            param in "\\PC{0,20}",
        ) {
            let mut package = read_files(&files()).expect("valid");
            package.title = title;
            package.summary = summary;
            package.modules[0].title = module;
            package.modules[0].steps[0].title = step;
            package.modules[0].steps[0].body_md = lesson;
            let quiz = package.modules[0].steps[1].quiz.as_mut().expect("quiz");
            quiz.questions[0].prompt = prompt;
            quiz.questions[0].choices = choices;
            quiz.questions[0].feedback = feedback;
            quiz.questions[2].answer = Answer::Accept(vec![accept]);
            package.modules[1].steps[1].quiz = package.modules[0].steps[1].quiz.clone();
            if let Some(c) = package.modules[1].steps[0].completion.as_mut() {
                c.rule = "note".into();
                c.params = BTreeMap::from([("text".to_owned(), param)]);
            }
            let mut rules = RuleRegistry::default();
            rules.register("note", |_| RuleRegistry::default().build("artifact", &BTreeMap::new()));
            let files = to_files(&package).expect("writes");
            let back = read_with(Input::Files(&files), &rules);
            prop_assert_eq!(back, Ok(package));
        }
    }
}
