//! Outside cases: the statement templates of the ADL LRS conformance suite (xAPI 1.0.3 and
//! 2.0), the examples of the xAPI specification, and the cmi5 profile, read from
//! `../shared/data/xapi/` beside the workspace. Each test skips, saying so, when that folder is
//! absent.

use academy_xapi::{Activity, Agent, Group, Statement, Verb, vocab};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/xapi");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: {} is absent (the shared reference data is not beside this checkout)", dir.display());
        None
    }
}

/// Fragments that are not valid on their own. "Skeletons" are placeholders the suite fills in
/// before sending (an actor with only `objectType`, an empty verb); the rest are the suite's
/// deliberately invalid cases. Every other fragment must validate.
const NOT_VALID: &[(&str, &str)] = &[
    ("activities/description_invalid.json", "invalid"),
    ("activities/interaction_type_invalid_iri.json", "invalid"),
    ("activities/interaction_type_invalid_numeric.json", "invalid"),
    ("activities/interaction_type_invalid_object.json", "invalid"),
    ("activities/interaction_type_invalid_string.json", "invalid"),
    ("activities/name_invalid.json", "invalid"),
    ("activities/no_id.json", "invalid"),
    ("activities/numeric_description.json", "invalid"),
    ("activities/numeric_name.json", "invalid"),
    ("activities/string_description.json", "invalid"),
    ("activities/string_name.json", "invalid"),
    ("agents/account_no_homepage.json", "invalid"),
    ("agents/account_no_name.json", "invalid"),
    ("contexts/instructor.json", "skeleton"),
    ("contexts/invalid_activity.json", "invalid"),
    ("contexts/team.json", "skeleton"),
    ("groups/anonymous_no_member.json", "invalid"),
    ("groups/identified_account_no_homepage.json", "invalid"),
    ("groups/identified_account_no_name.json", "invalid"),
    ("statements/actor.json", "skeleton"),
    ("statements/authority.json", "skeleton"),
    ("statements/multiple_actor.json", "invalid"),
    ("statements/no_actor.json", "invalid"),
    ("statements/no_object.json", "invalid"),
    ("statements/no_verb.json", "invalid"),
    ("statements/object_activity.json", "skeleton"),
    ("statements/object_actor.json", "skeleton"),
    ("statements/object_statementref_no_id.json", "invalid"),
    ("statements/object_substatement.json", "skeleton"),
    ("statements/verb.json", "skeleton"),
    ("substatements/activity.json", "skeleton"),
    ("substatements/activity_definition_description_invalid.json", "invalid"),
    ("substatements/activity_definition_name_invalid.json", "invalid"),
    ("substatements/actor.json", "skeleton"),
    ("substatements/agent.json", "skeleton"),
    ("substatements/context_invalid_language_map.json", "invalid"),
    ("substatements/group.json", "skeleton"),
    ("substatements/interaction_component_invalid_language_map.json", "invalid"),
    ("substatements/no_actor.json", "invalid"),
    ("substatements/no_object.json", "invalid"),
    ("substatements/no_verb.json", "invalid"),
    ("substatements/statementref_no_id.json", "invalid"),
    ("substatements/verb.json", "skeleton"),
    ("substatements/verb_invalid.json", "invalid"),
    ("verbs/no_id.json", "invalid"),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Reads a fragment in the place of a statement its folder names, around a minimal valid
/// statement, so that every rule (including those between parts) applies.
fn check_fragment(kind: &str, text: &str) -> Result<Statement, academy_xapi::ValidationErrors> {
    if kind == "statements" {
        return Statement::from_json(text);
    }
    let fragment: Value = serde_json::from_str(text).expect("fragment is JSON");
    let mut statement = json!({
        "actor": {"account": {"homePage": "https://academy.example.org", "name": "t-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "https://academy.example.org/xapi/sessions/1"},
    });
    match kind {
        "agents" | "groups" => statement["actor"] = fragment,
        "verbs" => {
            // The voided verb needs a StatementRef object; any verb may have one.
            statement["verb"] = fragment;
            statement["object"] = json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"});
        }
        "activities" | "substatements" => statement["object"] = fragment,
        "contexts" => statement["context"] = fragment,
        "results" => statement["result"] = fragment,
        other => panic!("unexpected template folder {other}"),
    }
    Statement::from_value(&statement)
}

#[test]
fn lrs_conformance_templates() {
    let Some(data) = data_dir() else { return };
    let mut report = Vec::new();
    let mut wrong = Vec::new();
    for version in ["v1_0_3", "v2_0"] {
        let root = data.join("lrs-conformance").join(version).join("templates");
        let (mut valid_ok, mut valid_total, mut invalid_ok, mut invalid_total, mut skeletons) = (0, 0, 0, 0, 0);
        for path in files(&root) {
            let relative = path.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
            let kind = relative.split('/').next().unwrap_or_default().to_owned();
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let outcome = check_fragment(&kind, &text);
            let expected = NOT_VALID.iter().find(|(name, _)| *name == relative).map(|(_, why)| *why);
            match (expected, &outcome) {
                (None, Ok(statement)) => {
                    valid_total += 1;
                    valid_ok += 1;
                    // What is read is written back and read again to the same statement.
                    let again =
                        Statement::from_json(&serde_json::to_string(statement).expect("json")).expect("re-read");
                    assert_eq!(&again, statement, "{version}/{relative} round trip");
                }
                (None, Err(errors)) => {
                    valid_total += 1;
                    wrong.push(format!("{version}/{relative}: should validate, but: {errors}"));
                }
                (Some(why), Err(errors)) => {
                    invalid_total += 1;
                    invalid_ok += 1;
                    skeletons += usize::from(why == "skeleton");
                    assert!(errors.iter().all(|e| !e.message.is_empty()));
                }
                (Some(_), Ok(_)) => {
                    invalid_total += 1;
                    wrong.push(format!("{version}/{relative}: should be rejected, but validated"));
                }
            }
        }
        report.push(format!(
            "{version}: {valid_ok}/{valid_total} valid fragments validate; {invalid_ok}/{invalid_total} invalid fragments rejected ({skeletons} of them skeletons)"
        ));
    }
    println!("{}", report.join("\n"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(report.len(), 2);
}

#[test]
fn invalid_fragments_are_reported_at_their_paths() {
    let Some(data) = data_dir() else { return };
    let root = data.join("lrs-conformance/v2_0/templates");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).expect("fixture");
    let cases = [
        ("activities", "activities/name_invalid.json", "object.definition.name.something"),
        (
            "substatements",
            "substatements/interaction_component_invalid_language_map.json",
            "object.object.definition.steps[2].description.something",
        ),
        ("substatements", "substatements/context_invalid_language_map.json", "object.context.language"),
        ("agents", "agents/account_no_name.json", "actor.account.name"),
        ("contexts", "contexts/invalid_activity.json", "context.contextActivities.consequences"),
        ("statements", "statements/no_verb.json", "verb"),
        ("activities", "activities/interaction_type_invalid_numeric.json", "object.definition.interactionType"),
    ];
    for (kind, name, path) in cases {
        let errors = check_fragment(kind, &read(name)).expect_err(name);
        assert!(errors.has_path(path), "{name}: expected a problem at {path}, got {errors}");
    }
}

#[test]
fn single_context_activities_of_1_0_3_become_arrays() {
    let Some(data) = data_dir() else { return };
    let text = std::fs::read_to_string(data.join("lrs-conformance/v1_0_3/templates/contexts/all_activities.json"))
        .expect("fixture");
    let statement = check_fragment("contexts", &text).expect("valid");
    let json = serde_json::to_value(&statement).expect("json");
    for kind in ["parent", "grouping", "category", "other"] {
        let list = &json["context"]["contextActivities"][kind];
        assert!(list.as_array().is_some_and(|l| l.len() == 1), "{kind}: {list}");
    }
}

#[test]
fn xapi_specification_examples() {
    let Some(data) = data_dir() else { return };
    let text = std::fs::read_to_string(data.join("spec_examples.json")).expect("spec_examples.json");
    let examples: Vec<Value> = serde_json::from_str(&text).expect("json");
    let (mut checked, mut skipped) = (0, 0);
    for example in &examples {
        let json = &example["json"];
        let at = format!("{}:{}", example["source"].as_str().unwrap_or("?"), example["line"]);
        let object_type = json.get("objectType").and_then(Value::as_str);
        let outcome = if example["source"] != "xAPI-Data.md" {
            // cmi5 runtime messages (fetch token, agent profile), not xAPI objects.
            skipped += 1;
            continue;
        } else if object_type == Some("SubStatement") {
            let wrapped = json!({"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/planned"}, "object": json});
            Statement::from_value(&wrapped).map(drop)
        } else if example["kind"] == "statement" {
            let statement = Statement::from_value(json);
            if let Ok(s) = &statement {
                assert_eq!(Statement::from_json(&s.to_canonical_json()).as_ref(), Ok(s), "{at}");
            }
            statement.map(drop)
        } else if json.get("display").is_some() {
            serde_json::from_value::<Verb>(json.clone()).map(drop).map_err(|e| error(&e))
        } else if json.get("parent").is_some() {
            let wrapped = json!({"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"},
                "object": {"id": "http://example.com/q1"}, "context": {"contextActivities": json}});
            Statement::from_value(&wrapped).map(drop)
        } else if object_type == Some("Agent") {
            serde_json::from_value::<Agent>(json.clone()).map(drop).map_err(|e| error(&e))
        } else if object_type == Some("Group") {
            serde_json::from_value::<Group>(json.clone()).map(drop).map_err(|e| error(&e))
        } else if object_type == Some("Activity") {
            serde_json::from_value::<Activity>(json.clone()).map(drop).map_err(|e| error(&e))
        } else {
            // The JWS header of the signed-statement example.
            skipped += 1;
            continue;
        };
        outcome.unwrap_or_else(|e| panic!("{at}: {e}"));
        checked += 1;
    }
    println!("xAPI specification examples: {checked} validate, {skipped} are not xAPI objects");
    assert!(checked >= 15, "only {checked} examples checked");
}

fn error(e: &serde_json::Error) -> academy_xapi::ValidationErrors {
    academy_xapi::ValidationErrors(vec![academy_xapi::ValidationError::new(academy_xapi::Path::root(), e.to_string())])
}

#[test]
fn cmi5_vocabulary_matches_the_profile() {
    let Some(data) = data_dir() else { return };
    let text = std::fs::read_to_string(data.join("cmi5-profile-v1.0.jsonld")).expect("profile");
    let profile: Value = serde_json::from_str(&text).expect("json");
    let concepts: Vec<&str> =
        profile["concepts"].as_array().expect("concepts").iter().filter_map(|c| c["id"].as_str()).collect();
    let template_verbs: Vec<&str> =
        profile["templates"].as_array().expect("templates").iter().filter_map(|t| t["verb"].as_str()).collect();
    // Each cmi5 verb is a concept of the profile (the three ADL w3id verbs) or a template's verb.
    for verb in vocab::verbs::CMI5 {
        assert!(
            concepts.contains(&verb.id) || template_verbs.contains(&verb.id),
            "{} not in the cmi5 profile",
            verb.id
        );
    }
    for extension in vocab::extensions::ALL {
        assert!(concepts.contains(&extension.id), "{} not in the cmi5 profile", extension.id);
    }
    for category in vocab::categories::ALL {
        assert!(text.contains(category.id), "{} not in the cmi5 profile", category.id);
    }
    // The profile's templates name the cmi5 activity types the specification uses.
    assert!(text.contains(vocab::activity_types::CMI5_COURSE.id));
    assert!(text.contains(vocab::activity_types::CMI5_BLOCK.id));
}
