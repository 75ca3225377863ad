//! The specification's rules, one statement each: what is rejected, and where the problem is
//! reported.

use academy_xapi::{Statement, parse_uuid};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "actor": {"objectType": "Agent", "account": {"homePage": "https://academy.example.org", "name": "t-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": "https://academy.example.org/xapi/items/q1"}
    })
}

fn with(patch: Value) -> Value {
    let mut statement = base();
    if let (Value::Object(target), Value::Object(patch)) = (&mut statement, patch) {
        for (k, v) in patch {
            target.insert(k, v);
        }
    }
    statement
}

#[track_caller]
fn rejected_at(statement: Value, path: &str) {
    match Statement::from_value(&statement) {
        Ok(_) => panic!("accepted, expected a problem at {path}: {statement}"),
        Err(errors) => assert!(errors.has_path(path), "expected a problem at {path}, got: {errors}"),
    }
}

#[test]
fn the_base_statement_is_valid() {
    Statement::from_value(&base()).expect("valid");
}

#[test]
fn formats_are_checked_where_they_occur() {
    rejected_at(with(json!({"id": "AA97B177-9383-4934-8543-0F91A7A028368"})), "id");
    rejected_at(with(json!({"actor": {"mbox": "xapi@adlnet.gov"}})), "actor.mbox");
    rejected_at(with(json!({"actor": {"mbox_sha1sum": "xyz"}})), "actor.mbox_sha1sum");
    rejected_at(with(json!({"actor": {"openid": "not an iri"}})), "actor.openid");
    rejected_at(
        with(json!({"actor": {"account": {"homePage": "www.example.com", "name": "x"}}})),
        "actor.account.homePage",
    );
    rejected_at(with(json!({"verb": {"id": "answered"}})), "verb.id");
    // "english" is well formed (a 5-8 letter registered-language subtag); "en_US" is not.
    rejected_at(with(json!({"verb": {"id": "http://x.org/v", "display": {"en_US": "x"}}})), "verb.display.en_US");
    rejected_at(with(json!({"timestamp": "2026-13-01T00:00:00Z"})), "timestamp");
    rejected_at(with(json!({"stored": "yesterday"})), "stored");
    rejected_at(with(json!({"version": "1.1.0"})), "version");
    rejected_at(with(json!({"result": {"duration": "1 hour"}})), "result.duration");
    rejected_at(with(json!({"context": {"registration": "not-a-uuid"}})), "context.registration");
    rejected_at(with(json!({"context": {"language": "en us"}})), "context.language");
    rejected_at(with(json!({"result": {"extensions": {"progress": 50}}})), "result.extensions.progress");
    rejected_at(
        with(
            json!({"context": {"contextActivities": {"parent": [{"id": "https://academy.example.org/m1"}, {"id": "m2"}]}}}),
        ),
        "context.contextActivities.parent[1].id",
    );
}

#[test]
fn json_types_nulls_and_unknown_properties_are_rejected() {
    rejected_at(with(json!({"result": {"success": "true"}})), "result.success");
    rejected_at(with(json!({"result": {"score": {"raw": "95"}}})), "result.score.raw");
    rejected_at(with(json!({"result": {"response": null}})), "result.response");
    rejected_at(with(json!({"verb": {"id": "http://x.org/v", "display": {"en-US": null}}})), "verb.display[\"en-US\"]");
    rejected_at(with(json!({"Actor": {"mbox": "mailto:a@b.c"}})), "Actor");
    rejected_at(
        with(json!({"object": {"id": "http://x.org/a", "definition": {"title": {"en": "x"}}}})),
        "object.definition.title",
    );
    // Extensions may hold anything, null included.
    Statement::from_value(&with(json!({"result": {"extensions": {"http://x.org/e": null}}})))
        .expect("null inside extensions");
}

#[test]
fn actors_have_exactly_one_identifier_and_groups_hold_agents() {
    rejected_at(with(json!({"actor": {"mbox": "mailto:a@b.c", "openid": "http://openid.example.org/a"}})), "actor");
    rejected_at(with(json!({"actor": {"name": "nobody"}})), "actor");
    rejected_at(with(json!({"actor": {"objectType": "Group", "name": "empty"}})), "actor.member");
    rejected_at(with(json!({"actor": {"objectType": "Group", "member": []}})), "actor.member");
    rejected_at(
        with(json!({"actor": {"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@b.c"}]}})),
        "actor.member[0]",
    );
    rejected_at(with(json!({"object": {"mbox": "mailto:a@b.c"}})), "object.objectType");
}

#[test]
fn scores_stay_in_range() {
    rejected_at(with(json!({"result": {"score": {"scaled": 1.5}}})), "result.score.scaled");
    rejected_at(with(json!({"result": {"score": {"raw": 11, "min": 0, "max": 10}}})), "result.score.raw");
    rejected_at(with(json!({"result": {"score": {"raw": -1, "min": 0}}})), "result.score.raw");
    rejected_at(with(json!({"result": {"score": {"min": 10, "max": 0}}})), "result.score.min");
    Statement::from_value(&with(json!({"result": {"score": {"scaled": -1, "raw": 0, "min": 0, "max": 0}}})))
        .expect("edges are in range");
}

#[test]
fn interaction_components_follow_the_interaction_type() {
    let activity = |definition: Value| with(json!({"object": {"id": "http://x.org/q", "definition": definition}}));
    rejected_at(
        activity(json!({"interactionType": "true-false", "choices": [{"id": "a"}]})),
        "object.definition.choices",
    );
    rejected_at(activity(json!({"choices": [{"id": "a"}]})), "object.definition.choices");
    rejected_at(activity(json!({"correctResponsesPattern": ["a"]})), "object.definition.correctResponsesPattern");
    rejected_at(
        activity(json!({"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]})),
        "object.definition.choices[1].id",
    );
    rejected_at(activity(json!({"interactionType": "Choice"})), "object.definition.interactionType");
    Statement::from_value(&activity(
        json!({"interactionType": "matching", "source": [{"id": "a"}], "target": [{"id": "1"}],
        "correctResponsesPattern": ["a[.]1"]}),
    ))
    .expect("matching uses source and target");
}

#[test]
fn sub_statements_are_restricted() {
    let sub = |extra: Value| {
        let mut s = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.org/planned"},
            "object": {"id": "http://x.org/a"}});
        if let (Value::Object(t), Value::Object(e)) = (&mut s, extra) {
            t.extend(e);
        }
        with(json!({"object": s}))
    };
    for key in ["id", "stored", "version", "authority"] {
        let value = match key {
            "id" => json!("6690e6c9-3ef0-4ed3-8b37-7f3964730bee"),
            "stored" => json!("2026-01-01T00:00:00Z"),
            "version" => json!("2.0.0"),
            _ => json!({"mbox": "mailto:a@b.c"}),
        };
        rejected_at(sub(json!({ key: value })), &format!("object.{key}"));
    }
    rejected_at(sub(json!({"object": {"objectType": "SubStatement"}})), "object.object.objectType");
    rejected_at(
        sub(
            json!({"object": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}, "context": {"platform": "x"}}),
        ),
        "object.context.platform",
    );
}

#[test]
fn statement_level_rules() {
    let statement_ref = json!({"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"});
    rejected_at(with(json!({"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}})), "object");
    rejected_at(with(json!({"object": statement_ref, "context": {"revision": "2"}})), "context.revision");
    rejected_at(
        with(json!({"object": {"objectType": "Agent", "mbox": "mailto:a@b.c"}, "context": {"platform": "Academy"}})),
        "context.platform",
    );
    rejected_at(with(json!({"authority": {"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}})), "authority");
    rejected_at(
        with(
            json!({"attachments": [{"usageType": "http://adlnet.gov/expapi/attachments/signature", "display": {"en-US": "Signature"},
            "contentType": "application/jose", "length": 10, "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"}]}),
        ),
        "attachments[0].contentType",
    );
    rejected_at(
        with(
            json!({"context": {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@b.c"}, "relevantTypes": []}]}}),
        ),
        "context.contextAgents[0].relevantTypes",
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let errors = Statement::from_value(&json!({
        "id": "nope",
        "actor": {"mbox": "bob@example.com"},
        "verb": {"id": "http://x.org/v", "display": {"en_US": "did"}},
        "object": {"id": "http://x.org/a", "definition": {"type": "course"}},
        "result": {"score": {"scaled": 2}, "completion": "yes"},
        "context": {"registration": "r1", "contextActivities": {"parent": {"id": "p"}}}
    }))
    .expect_err("invalid");
    for path in [
        "id",
        "actor.mbox",
        "verb.display.en_US",
        "object.definition.type",
        "result.score.scaled",
        "result.completion",
        "context.registration",
        // A single object (1.0.3 style) is reported where it is, without an index.
        "context.contextActivities.parent.id",
    ] {
        assert!(errors.has_path(path), "missing {path} in {errors}");
    }
}

#[test]
fn a_post_body_may_hold_one_statement_or_many() {
    let one = Statement::list_from_json(&base().to_string()).expect("one");
    assert_eq!(one.len(), 1);
    let many = Value::Array(vec![base(), with(json!({"verb": {"id": "bad"}})), base()]);
    let errors = Statement::list_from_json(&many.to_string()).expect_err("second is invalid");
    assert!(errors.has_path("[1].verb.id"), "{errors}");
    let fine = Value::Array(vec![base(), base()]);
    assert_eq!(Statement::list_from_json(&fine.to_string()).expect("two").len(), 2);
}

#[test]
fn duplicate_properties_are_rejected() {
    let text = r#"{"actor": {"mbox": "mailto:a@b.c"}, "actor": {"mbox": "mailto:d@e.f"},
        "verb": {"id": "http://x.org/v"}, "object": {"id": "http://x.org/a"}}"#;
    let errors = Statement::from_json(text).expect_err("duplicate");
    assert!(errors.to_string().contains("\"actor\" occurs more than once"), "{errors}");
}

#[test]
fn version_2_features_are_detectable() {
    let plain = Statement::from_value(&base()).expect("valid");
    assert!(!plain.uses_2_0_features());
    let with_agents = Statement::from_value(&with(
        json!({"context": {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@b.c"}}]}}),
    ))
    .expect("valid");
    assert!(with_agents.uses_2_0_features());
}

#[test]
fn uuids_must_be_in_standard_form() {
    assert!(parse_uuid("6690e6c9-3ef0-4ed3-8b37-7f3964730bee").is_ok());
    assert!(parse_uuid("6690E6C9-3EF0-4ED3-8B37-7F3964730BEE").is_ok());
    for bad in [
        "6690e6c93ef04ed38b377f3964730bee",
        "{6690e6c9-3ef0-4ed3-8b37-7f3964730bee}",
        "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "",
    ] {
        assert!(parse_uuid(bad).is_err(), "{bad}");
    }
}
