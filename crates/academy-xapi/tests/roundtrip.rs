//! Property tests: any statement this model can hold is written and read back unchanged, its
//! canonical form is stable, and its signature survives the trip and ignores what statement
//! comparison ignores.

use academy_xapi::{
    Account, Activity, ActivityDefinition, Actor, Agent, Context, ContextActivities, ContextAgent, Duration,
    Extensions, Group, Ifi, InteractionComponent, InteractionType, Iri, LanguageMap, LanguageTag, Mbox, Score, Sha1Sum,
    Statement, StatementObject, StatementRef, StatementResult, SubStatement, Timestamp, Verb, Version, vocab,
};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::Value;

fn iri() -> BoxedStrategy<Iri> {
    prop_oneof![
        "[a-z]{1,8}".prop_map(|s| format!("https://academy.example.org/xapi/{s}")),
        "[a-z0-9]{1,6}".prop_map(|s| format!("http://example.com/{s}#frag")),
        "[a-z]{2,6}".prop_map(|s| format!("urn:academy:{s}")),
        Just("http://example.com/فعل/خواندن".to_owned()),
    ]
    .prop_map(|s| Iri::parse(s).expect("generated IRIs are valid"))
    .boxed()
}

fn tag() -> BoxedStrategy<LanguageTag> {
    prop::sample::select(vec!["en", "en-US", "en-GB", "es-MX", "zh-Hant", "sr-Latn-RS", "tlh", "fr-CA"])
        .prop_map(|t| LanguageTag::parse(t).expect("tag"))
        .boxed()
}

fn text() -> BoxedStrategy<String> {
    "[ -~]{0,12}|[\\PC]{0,6}".boxed()
}

fn language_map() -> BoxedStrategy<LanguageMap> {
    prop::collection::vec((tag(), text()), 1..3).prop_map(|entries| entries.into_iter().collect()).boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,5}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn extensions() -> BoxedStrategy<Extensions> {
    prop::collection::vec((iri(), json_value()), 1..3).prop_map(|entries| entries.into_iter().collect()).boxed()
}

fn ifi() -> BoxedStrategy<Ifi> {
    prop_oneof![
        (iri(), "[a-z0-9-]{1,10}").prop_map(|(home_page, name)| Ifi::Account(Account { home_page, name })),
        "[a-z]{1,8}".prop_map(|u| Ifi::Mbox(Mbox::parse(format!("mailto:{u}@example.org")).expect("mbox"))),
        "[0-9a-f]{40}".prop_map(|h| Ifi::MboxSha1Sum(Sha1Sum::parse(h).expect("sha1"))),
        iri().prop_map(Ifi::OpenId),
    ]
    .boxed()
}

fn agent() -> BoxedStrategy<Agent> {
    (ifi(), prop::option::of(text())).prop_map(|(ifi, name)| Agent { name, ifi }).boxed()
}

fn group() -> BoxedStrategy<Group> {
    prop_oneof![
        (prop::option::of(text()), prop::collection::vec(agent(), 1..3)).prop_map(|(name, members)| Group {
            name,
            ifi: None,
            member: Some(members)
        }),
        (ifi(), prop::option::of(prop::collection::vec(agent(), 0..3))).prop_map(|(ifi, member)| Group {
            name: None,
            ifi: Some(ifi),
            member
        }),
    ]
    .boxed()
}

fn actor() -> BoxedStrategy<Actor> {
    prop_oneof![agent().prop_map(Actor::Agent), group().prop_map(Actor::Group)].boxed()
}

fn components(prefix: &'static str) -> BoxedStrategy<Vec<InteractionComponent>> {
    prop::collection::vec(prop::option::of(language_map()), 1..4)
        .prop_map(move |descriptions| {
            descriptions
                .into_iter()
                .enumerate()
                .map(|(i, description)| InteractionComponent { id: format!("{prefix}{i}"), description })
                .collect()
        })
        .boxed()
}

fn definition() -> BoxedStrategy<ActivityDefinition> {
    let interaction = prop::sample::select(InteractionType::ALL.to_vec());
    (
        prop::option::of(language_map()),
        prop::option::of(language_map()),
        prop::option::of(iri()),
        prop::option::of(iri()),
        prop::option::of(interaction),
        components("c"),
        components("s"),
        prop::option::of(extensions()),
    )
        .prop_map(|(name, description, activity_type, more_info, interaction_type, list_a, list_b, extensions)| {
            let mut d = ActivityDefinition {
                name,
                description,
                activity_type,
                more_info,
                interaction_type,
                extensions,
                ..Default::default()
            };
            if let Some(t) = interaction_type {
                d.correct_responses_pattern = Some(vec!["c0[,]c1".to_owned()]);
                match t {
                    InteractionType::Choice | InteractionType::Sequencing => d.choices = Some(list_a),
                    InteractionType::Likert => d.scale = Some(list_a),
                    InteractionType::Matching => (d.source, d.target) = (Some(list_a), Some(list_b)),
                    InteractionType::Performance => d.steps = Some(list_a),
                    _ => {}
                }
            }
            d
        })
        .boxed()
}

fn activity() -> BoxedStrategy<Activity> {
    (iri(), prop::option::of(definition())).prop_map(|(id, definition)| Activity { id, definition }).boxed()
}

fn uuid() -> BoxedStrategy<uuid::Uuid> {
    any::<u128>().prop_map(uuid::Uuid::from_u128).boxed()
}

fn timestamp() -> BoxedStrategy<Timestamp> {
    (0i64..4_102_444_800_000, prop::sample::select(vec![None, Some(0), Some(19_800), Some(-28_800)]))
        .prop_map(|(millis, offset)| {
            let instant = Utc.timestamp_millis_opt(millis).single().expect("in range");
            match offset.and_then(chrono::FixedOffset::east_opt) {
                None => Timestamp::from_instant(instant),
                // Written with the sender's offset; the text is kept and the instant is the same.
                Some(zone) => {
                    Timestamp::parse(instant.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string())
                        .expect("timestamp")
                }
            }
        })
        .boxed()
}

fn result() -> BoxedStrategy<StatementResult> {
    let score = (0.0f64..=100.0, 0.0f64..=100.0, 0.0f64..=1.0).prop_map(|(a, b, f)| {
        let (min, max) = if a <= b { (a, b) } else { (b, a) };
        Score { scaled: Some(f * 2.0 - 1.0), raw: Some(min + (max - min) * f), min: Some(min), max: Some(max) }
    });
    (
        prop::option::of(score),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(text()),
        prop::option::of((0u64..400_000_000).prop_map(|ms| Duration::from_std(std::time::Duration::from_millis(ms)))),
        prop::option::of(extensions()),
    )
        .prop_map(|(score, success, completion, response, duration, extensions)| StatementResult {
            score,
            success,
            completion,
            response,
            duration,
            extensions,
        })
        .boxed()
}

fn context(object_is_activity: bool) -> BoxedStrategy<Context> {
    (
        prop::option::of(uuid()),
        prop::option::of(actor()),
        prop::option::of(prop::collection::vec(activity(), 1..3)),
        prop::option::of(prop::collection::vec(activity(), 1..2)),
        prop::option::of(text()),
        prop::option::of(tag()),
        prop::option::of(uuid().prop_map(|id| StatementRef { id })),
        prop::option::of(extensions()),
        prop::option::of(prop::collection::vec((agent(), prop::option::of(prop::collection::vec(iri(), 1..3))), 1..3)),
    )
        .prop_map(
            move |(registration, instructor, parent, category, platform, language, statement, extensions, agents)| {
                Context {
                    registration,
                    instructor,
                    context_activities: (parent.is_some() || category.is_some()).then(|| ContextActivities {
                        parent,
                        category,
                        ..ContextActivities::default()
                    }),
                    platform: platform.filter(|_| object_is_activity),
                    language,
                    statement,
                    extensions,
                    context_agents: agents.map(|a| {
                        a.into_iter().map(|(agent, relevant_types)| ContextAgent { agent, relevant_types }).collect()
                    }),
                    ..Context::default()
                }
            },
        )
        .boxed()
}

fn verb() -> BoxedStrategy<Verb> {
    prop_oneof![
        prop::sample::select(
            vocab::verbs::ALL.iter().filter(|v| v.id != vocab::verbs::VOIDED.id).copied().collect::<Vec<_>>()
        )
        .prop_map(Verb::from),
        (iri(), prop::option::of(language_map())).prop_map(|(id, display)| Verb { id, display }),
    ]
    .boxed()
}

fn simple_object() -> BoxedStrategy<StatementObject> {
    prop_oneof![
        4 => activity().prop_map(StatementObject::Activity),
        1 => agent().prop_map(StatementObject::Agent),
        1 => group().prop_map(StatementObject::Group),
        1 => uuid().prop_map(|id| StatementObject::StatementRef(StatementRef { id })),
    ]
    .boxed()
}

fn object() -> BoxedStrategy<StatementObject> {
    let sub = (actor(), verb(), simple_object(), prop::option::of(result()), prop::option::of(timestamp()))
        .prop_flat_map(|(actor, verb, object, result, timestamp)| {
            let is_activity = matches!(object, StatementObject::Activity(_));
            prop::option::of(context(is_activity)).prop_map(move |context| {
                StatementObject::SubStatement(Box::new(SubStatement {
                    actor: actor.clone(),
                    verb: verb.clone(),
                    object: object.clone(),
                    result: result.clone(),
                    context,
                    timestamp: timestamp.clone(),
                    attachments: None,
                }))
            })
        });
    prop_oneof![5 => simple_object(), 1 => sub].boxed()
}

fn statement() -> BoxedStrategy<Statement> {
    (
        prop::option::of(uuid()),
        actor(),
        verb(),
        object(),
        prop::option::of(result()),
        prop::option::of(timestamp()),
        prop::option::of(timestamp()),
        prop::option::of(agent().prop_map(Actor::Agent)),
        prop::option::of(
            prop::sample::select(vec!["1.0.0", "1.0.3", "2.0.0"]).prop_map(|v| Version::parse(v).expect("version")),
        ),
    )
        .prop_flat_map(|(id, actor, verb, object, result, timestamp, stored, authority, version)| {
            let is_activity = matches!(object, StatementObject::Activity(_));
            prop::option::of(context(is_activity)).prop_map(move |context| Statement {
                id,
                actor: actor.clone(),
                verb: verb.clone(),
                object: object.clone(),
                result: result.clone(),
                context,
                timestamp: timestamp.clone(),
                stored: stored.clone(),
                authority: authority.clone(),
                version: version.clone(),
                attachments: None,
            })
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_statements_are_valid(s in statement()) {
        prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
    }

    #[test]
    fn serialize_then_deserialize_gives_the_same_statement(s in statement()) {
        let json = serde_json::to_string(&s).expect("serialize");
        let back = Statement::from_json(&json).map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        prop_assert_eq!(&back, &s);
        let via_serde: Statement = serde_json::from_str(&json).expect("serde");
        prop_assert_eq!(&via_serde, &s);
    }

    #[test]
    fn canonical_json_is_stable_and_reads_back(s in statement()) {
        let canonical = s.to_canonical_json();
        let back = Statement::from_json(&canonical).map_err(|e| TestCaseError::fail(format!("{e}\n{canonical}")))?;
        prop_assert_eq!(back.to_canonical_json(), canonical);
        prop_assert_eq!(back.signature(), s.signature());
    }

    #[test]
    fn signature_ignores_what_comparison_ignores(s in statement(), other_id in uuid()) {
        let mut t = s.clone();
        t.id = Some(other_id);
        t.stored = Some(Timestamp::from_instant(Utc::now()));
        t.version = Some(Version::v2_0_0());
        t.authority = Some(Actor::Agent(Agent::account(Iri::parse("https://lrs.example.org").expect("iri"), "key")));
        t.verb.display = None;
        if let StatementObject::Activity(a) = &mut t.object {
            a.definition = None;
        }
        if let Actor::Group(g) = &mut t.actor && let Some(members) = &mut g.member {
            members.reverse();
        }
        prop_assert_eq!(t.signature(), s.signature());
        prop_assert!(t.matches(&s));
    }

    #[test]
    fn signature_sees_a_different_verb_or_actor(s in statement(), suffix in "[a-z]{3}") {
        let mut t = s.clone();
        t.verb.id = Iri::parse(format!("{}x{suffix}", s.verb.id)).expect("iri");
        prop_assert_ne!(t.signature(), s.signature());
        prop_assert!(!t.matches(&s));
    }
}

#[test]
fn timestamps_compare_by_instant_and_fill_ins_are_ignored() {
    let base = Statement::from_json(
        r#"{"actor":{"mbox":"mailto:Ann@Example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/attended","display":{"en-US":"attended"}},
            "object":{"id":"http://example.com/s1"},"timestamp":"2026-03-01T10:00:00.123+01:00","result":{"duration":"PT1.2345S"}}"#,
    )
    .expect("valid");
    let same = Statement::from_json(
        r#"{"actor":{"objectType":"Agent","mbox":"mailto:Ann@example.ORG"},"verb":{"id":"http://adlnet.gov/expapi/verbs/attended"},
            "object":{"objectType":"Activity","id":"http://example.com/s1","definition":{"name":{"en":"Session 1"}}},
            "timestamp":"2026-03-01T09:00:00.123456Z","result":{"duration":"PT1.23S"}}"#,
    )
    .expect("valid");
    assert_eq!(base.signature(), same.signature());
    let mut without = base.clone();
    without.timestamp = None;
    assert!(without.matches(&base), "an LRS-filled timestamp is ignored");
    assert_ne!(without.signature(), base.signature(), "the signature covers a timestamp that was sent");
    let mut later = base.clone();
    later.timestamp = Some(Timestamp::parse("2026-03-01T10:00:01.123+01:00").expect("ts"));
    assert!(!later.matches(&base));
}
