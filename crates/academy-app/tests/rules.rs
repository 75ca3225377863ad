//! One completion-rule registry serves the player and every read of a course package: a rule
//! registered with the application is accepted by an import and evaluated by the player.

use academy_app::config::Config;
use academy_app::imports::course;
use academy_app::learn::progress::{self, Submission};
use academy_app::people::{self, NewPerson};
use academy_app::{App, Error};
use academy_core::Email;
use academy_core::access::{Grant, Principal, Role};
use academy_core::learning::{CompletionRule, Evidence, RuleRegistry};
use academy_core::user::DisplayName;
use academy_store::Backend;
use academy_store::testing::{TestDatabase, postgres_url};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A rule the tools capability will add: a step completed by running a named tool.
#[derive(Debug)]
struct ToolUsed(String);

impl CompletionRule for ToolUsed {
    fn name(&self) -> &'static str {
        "tool-used"
    }
    fn instruction(&self) -> String {
        format!("Use the {} on your own material.", self.0)
    }
    fn evaluate(&self, evidence: &Evidence) -> Result<(), String> {
        match evidence {
            Evidence::ToolRun { tool, .. } if *tool == self.0 => Ok(()),
            _ => Err(format!("Run the {} to complete this step.", self.0)),
        }
    }
    fn params(&self) -> BTreeMap<String, String> {
        BTreeMap::from([("tool".into(), self.0.clone())])
    }
}

fn with_tool_used() -> RuleRegistry {
    let mut rules = RuleRegistry::default();
    rules.register("tool-used", |p| {
        let tool = p.get("tool").cloned().ok_or("the tool-used rule needs a tool")?;
        Ok(Arc::new(ToolUsed(tool)))
    });
    rules
}

const MANIFEST: &str = r#"format = "academy-course/1"
slug = "plan-with-a-tool"
title = "Plan with a tool"
kind = "lab"
strand = "classroom-practice"
summary = "Use the lesson planner on a lesson of your own."
grade_bands = ["6-8"]
subjects = ["all"]
minutes = 30
pd_hours = 0.5
credential = false

[[modules]]
title = "Using the planner"

[[modules.steps]]
kind = "task"
title = "Plan a lesson with the planner"
file = "01-plan.md"
completion = { rule = "tool-used", tool = "lesson-plan" }
"#;

fn package_files() -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("course.toml".to_owned(), MANIFEST.as_bytes().to_vec()),
        ("01-plan.md".to_owned(), b"Open the lesson planner and plan next week's lesson.".to_vec()),
    ])
}

async fn registered_rules_are_accepted_everywhere(backend: Backend) {
    if backend == Backend::Postgres && postgres_url().is_none() {
        assert!(std::env::var("ACADEMY_REQUIRE_POSTGRES").is_err(), "TEST_DATABASE_URL is required");
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    }
    let db = TestDatabase::create(backend).await.expect("database");
    let store = db.open().await.expect("store");
    let dir = tempfile::tempdir().expect("dir");
    let config = Config::for_data_dir(dir.path(), Some(db.url.clone())).expect("config");

    let plain = App::new(store.clone(), config.clone()).expect("app");
    match course::read_files(&plain, &package_files()) {
        Err(Error::Rejected(problems)) => {
            assert!(problems.iter().any(|p| p.contains("'tool-used' is not a completion rule")), "{problems:?}")
        }
        other => panic!("an unknown rule must be refused by the import: {other:?}"),
    }

    let app = App::with_rules(store.clone(), config, with_tool_used()).expect("app");
    let package = course::read_files(&app, &package_files()).expect("the registered rule is accepted by the import");
    let imported = course::import(&app, None, &package, true, None).await.expect("import");
    assert!(imported.created);

    // The player evaluates the same rule from the same registry.
    let person = |email: &str, role: Role| NewPerson {
        email: Email::parse(email).expect("email"),
        display_name: DisplayName::parse("Someone").expect("name"),
        role,
        org_id: None,
        program_name: "National program".into(),
        password_hash: None,
        invite: false,
    };
    people::add_person(&app, &person("admin@example.org", Role::ProgramAdmin)).await.expect("admin");
    let teacher = people::add_person(&app, &person("teacher@example.org", Role::Teacher)).await.expect("teacher");
    let grant = Grant { role: Role::Teacher, org_id: teacher.org.id, org_path: teacher.org.path.clone() };
    let principal = Principal { user_id: teacher.user_id, grants: vec![grant] };
    let item = academy_app::learn::catalog::visible_item(&app, &principal, "plan-with-a-tool").await.expect("item");
    progress::enroll(&app, teacher.user_id, &item).await.expect("enroll");
    let taking = progress::taking(&app, &principal, teacher.user_id, "plan-with-a-tool").await.expect("taking");
    let step = taking.steps[0].position;
    assert!(progress::task_instruction(&app, &taking.steps[0]).expect("instruction").contains("lesson-plan"));
    let other_tool = Evidence::ToolRun { tool: "rubric".into(), run_id: "1".into() };
    match progress::submit_task(&app, &taking, step, &other_tool).await.expect("submit") {
        Submission::NotYet(message) => assert!(message.contains("lesson-plan"), "{message}"),
        other => panic!("another tool's run must not complete the step: {other:?}"),
    }
    let planned = Evidence::ToolRun { tool: "lesson-plan".into(), run_id: "2".into() };
    match progress::submit_task(&app, &taking, step, &planned).await.expect("submit") {
        Submission::Completed(outcome) => assert!(outcome.step_completed && outcome.item_completed),
        other => panic!("the named tool's run completes the step: {other:?}"),
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_rules_are_accepted_everywhere_on_sqlite() {
    registered_rules_are_accepted_everywhere(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_rules_are_accepted_everywhere_on_postgres() {
    registered_rules_are_accepted_everywhere(Backend::Postgres).await
}
