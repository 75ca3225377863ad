//! Reading statements from JSON: one walk over the document that checks JSON types, required
//! and unknown properties, `null`s and every formatted value, and records each problem with its
//! path instead of stopping at the first. The rules in [`crate::validate`] run on the parts as
//! they are built. Serde's `Deserialize` for the public types goes through here too.

use crate::activity::{Activity, ActivityDefinition, InteractionComponent, InteractionType};
use crate::agent::{Account, Actor, Agent, Group, Ifi, Mbox, Sha1Sum};
use crate::context::{Context, ContextActivities, ContextAgent, ContextGroup};
use crate::error::{Errors, Path, ValidationErrors, report};
use crate::iri::Iri;
use crate::language::{Extensions, LanguageMap, LanguageTag};
use crate::result::{Score, StatementResult};
use crate::statement::{Attachment, Statement, StatementObject, StatementRef, SubStatement, Verb, Version};
use crate::time::{Duration, Timestamp};
use crate::validate;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Parses JSON text, rejecting a property that occurs twice in one object (the specification
/// says each property is used at most once; ordinary parsers keep the last silently).
pub(crate) fn strict_json(text: &str) -> Result<Value, ValidationErrors> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = StrictValue::deserialize(&mut deserializer).and_then(|v| deserializer.end().map(|()| v.0));
    parsed.map_err(|e| {
        ValidationErrors(vec![crate::error::ValidationError::new(Path::root(), format!("not valid JSON: {e}"))])
    })
}

struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("property {key:?} occurs more than once")));
            }
            let StrictValue(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Reads a whole statement: parts, then the rules that span parts.
pub(crate) fn statement(value: &Value) -> Result<Statement, ValidationErrors> {
    let mut errors = Errors::new();
    let parsed = parse_statement(value, &Path::root(), &mut errors);
    if let Some(statement) = &parsed {
        validate::statement_rules(statement, &Path::root(), &mut errors);
    }
    match parsed {
        Some(statement) if errors.is_empty() => Ok(statement),
        _ => Err(ValidationErrors(errors)),
    }
}

/// Reads one statement or an array of them (the body of a statements POST); problems in an
/// array are located by index (`[2].actor.mbox`).
pub(crate) fn statements(value: &Value) -> Result<Vec<Statement>, ValidationErrors> {
    let mut errors = Errors::new();
    let root = Path::root();
    let parsed = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| whole_statement(item, &root.index(i), &mut errors))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<Vec<_>>>(),
        single => whole_statement(single, &root, &mut errors).map(|s| vec![s]),
    };
    match parsed {
        Some(list) if errors.is_empty() => Ok(list),
        _ => Err(ValidationErrors(errors)),
    }
}

/// Runs one parser from the root, for the `Deserialize` impls and `from_value` functions of
/// the parts.
pub(crate) fn run<T>(value: &Value, parse: fn(&Value, &Path, &mut Errors) -> Option<T>) -> Result<T, ValidationErrors> {
    let mut errors = Errors::new();
    match parse(value, &Path::root(), &mut errors) {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(ValidationErrors(errors)),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(errors: &mut Errors, path: &Path, expected: &str, found: &Value) {
    report(errors, path, format!("must be {expected}, not {}", kind(found)));
}

/// The properties of one JSON object being read: hands out values by name, notes which were
/// read, and reports `null`s, missing required properties and properties nobody read.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: Path,
    read: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, path: &Path, errors: &mut Errors, what: &str) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self { map, path: path.clone(), read: Vec::new() }),
            other => {
                wrong_type(errors, path, what, other);
                None
            }
        }
    }

    fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A required property.
    fn req<T>(
        &mut self,
        key: &'static str,
        errors: &mut Errors,
        parse: impl FnOnce(&'a Value, &Path, &mut Errors) -> Option<T>,
    ) -> Option<T> {
        self.read.push(key);
        let path = self.path.key(key);
        match self.map.get(key) {
            None => {
                report(errors, &path, "is required");
                None
            }
            Some(Value::Null) => {
                report(errors, &path, "must not be null");
                None
            }
            Some(value) => parse(value, &path, errors),
        }
    }

    /// An optional property: `Some(None)` when absent, `None` when present but wrong.
    fn opt<T>(
        &mut self,
        key: &'static str,
        errors: &mut Errors,
        parse: impl FnOnce(&'a Value, &Path, &mut Errors) -> Option<T>,
    ) -> Option<Option<T>> {
        self.read.push(key);
        let path = self.path.key(key);
        match self.map.get(key) {
            None => Some(None),
            Some(Value::Null) => {
                report(errors, &path, "must not be null (leave the property out instead)");
                None
            }
            Some(value) => parse(value, &path, errors).map(Some),
        }
    }

    /// Reports every property that was not read: additional properties are not allowed.
    fn finish(self, errors: &mut Errors, allowed: &str) {
        self.finish_with(errors, |_| format!("is not a property of {allowed}"));
    }

    fn finish_with(self, errors: &mut Errors, message: impl Fn(&str) -> String) {
        for key in self.map.keys() {
            if !self.read.contains(&key.as_str()) {
                report(errors, &self.path.key(key), message(key));
            }
        }
    }
}

/// A required or optional `objectType` that must equal `expected` exactly.
fn object_type(fields: &mut Fields<'_>, errors: &mut Errors, expected: &'static str, required: bool) -> Option<()> {
    let check = |value: &Value, path: &Path, errors: &mut Errors| match value {
        Value::String(s) if s == expected => Some(()),
        Value::String(s) => {
            report(errors, path, format!("must be {expected:?}, not {s:?}"));
            None
        }
        other => {
            wrong_type(errors, path, "a string", other);
            None
        }
    };
    if required { fields.req("objectType", errors, check) } else { fields.opt("objectType", errors, check).map(|_| ()) }
}

/// The `objectType` a value declares, to choose how to read it; `Err` when it is not a string.
fn declared_object_type<'a>(value: &'a Value, path: &Path, errors: &mut Errors) -> Result<Option<&'a str>, ()> {
    match value.get("objectType") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Null) => {
            report(errors, &path.key("objectType"), "must not be null");
            Err(())
        }
        Some(other) => {
            wrong_type(errors, &path.key("objectType"), "a string", other);
            Err(())
        }
    }
}

fn string(value: &Value, path: &Path, errors: &mut Errors) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => {
            wrong_type(errors, path, "a string", other);
            None
        }
    }
}

fn boolean(value: &Value, path: &Path, errors: &mut Errors) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        other => {
            wrong_type(errors, path, "a boolean", other);
            None
        }
    }
}

fn number(value: &Value, path: &Path, errors: &mut Errors) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        other => {
            wrong_type(errors, path, "a number", other);
            None
        }
    }
}

/// A string value checked by `parse`, whose error describes itself.
fn formatted<T, E: std::fmt::Display>(
    value: &Value,
    path: &Path,
    errors: &mut Errors,
    parse: impl FnOnce(String) -> Result<T, E>,
) -> Option<T> {
    let text = string(value, path, errors)?;
    match parse(text) {
        Ok(v) => Some(v),
        Err(e) => {
            report(errors, path, e.to_string());
            None
        }
    }
}

fn iri(value: &Value, path: &Path, errors: &mut Errors) -> Option<Iri> {
    formatted(value, path, errors, Iri::parse)
}

/// A string that is not a UUID in standard form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a UUID in standard form (8-4-4-4-12 hex digits)")]
pub struct UuidError(pub String);

/// Reads a UUID in the standard string form only (8-4-4-4-12 hex digits, either case), as
/// statement ids, registrations and StatementRefs must be written; also for request
/// parameters (`statementId`, `registration`), which are held to the same format. Any version
/// and variant is accepted: the specification's own examples use a non-RFC 4122 variant.
pub fn parse_uuid(text: &str) -> Result<Uuid, UuidError> {
    let b = text.as_bytes();
    let shaped = b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() });
    if !shaped {
        return Err(UuidError(text.to_owned()));
    }
    Uuid::parse_str(text).map_err(|_| UuidError(text.to_owned()))
}

fn uuid(value: &Value, path: &Path, errors: &mut Errors) -> Option<Uuid> {
    formatted(value, path, errors, |s| parse_uuid(&s))
}

fn language_tag(value: &Value, path: &Path, errors: &mut Errors) -> Option<LanguageTag> {
    formatted(value, path, errors, LanguageTag::parse)
}

fn timestamp(value: &Value, path: &Path, errors: &mut Errors) -> Option<Timestamp> {
    formatted(value, path, errors, Timestamp::parse)
}

fn array<'a, T>(
    value: &'a Value,
    path: &Path,
    errors: &mut Errors,
    item: impl Fn(&'a Value, &Path, &mut Errors) -> Option<T>,
) -> Option<Vec<T>> {
    let Value::Array(items) = value else {
        wrong_type(errors, path, "an array", value);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, v) in items.iter().enumerate() {
        let path = path.index(i);
        let parsed = match v {
            Value::Null => {
                report(errors, &path, "must not be null");
                None
            }
            v => item(v, &path, errors),
        };
        match parsed {
            Some(p) => out.push(p),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

pub(crate) fn language_map(value: &Value, path: &Path, errors: &mut Errors) -> Option<LanguageMap> {
    let Value::Object(map) = value else {
        wrong_type(errors, path, "a language map (an object of language tag to text)", value);
        return None;
    };
    let mut out = LanguageMap::new();
    let mut ok = true;
    for (key, text) in map {
        let path = path.key(key);
        let tag = LanguageTag::parse(key.as_str()).map_err(|e| report(errors, &path, e.to_string())).ok();
        let text = string(text, &path, errors);
        match (tag, text) {
            (Some(tag), Some(text)) => out.insert(tag, text),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn extensions(value: &Value, path: &Path, errors: &mut Errors) -> Option<Extensions> {
    let Value::Object(map) = value else {
        wrong_type(errors, path, "an object of IRI to any value", value);
        return None;
    };
    let mut out = Extensions::new();
    let mut ok = true;
    for (key, v) in map {
        match Iri::parse(key.as_str()) {
            // Values are the extension owner's business: kept as given, even null.
            Ok(key) => out.insert(key, v.clone()),
            Err(e) => {
                report(errors, &path.key(key), format!("extension keys must be IRIs: {e}"));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The four IFI properties; reports when none or several are present.
fn ifi(fields: &mut Fields<'_>, errors: &mut Errors, what: &str, required: bool) -> Option<Option<Ifi>> {
    let present: Vec<&str> =
        ["mbox", "mbox_sha1sum", "openid", "account"].into_iter().filter(|k| fields.has(k)).collect();
    let mbox = fields.opt("mbox", errors, |v, p, e| formatted(v, p, e, Mbox::parse).map(Ifi::Mbox));
    let sha1 = fields.opt("mbox_sha1sum", errors, |v, p, e| formatted(v, p, e, Sha1Sum::parse).map(Ifi::MboxSha1Sum));
    let openid = fields.opt("openid", errors, |v, p, e| iri(v, p, e).map(Ifi::OpenId));
    let account = fields.opt("account", errors, |v, p, e| account(v, p, e).map(Ifi::Account));
    if present.len() > 1 {
        report(
            errors,
            &fields.path,
            format!("{what} must have exactly one inverse functional identifier, but has {}", present.join(", ")),
        );
        return None;
    }
    if present.is_empty() && required {
        report(
            errors,
            &fields.path,
            format!("{what} must have one inverse functional identifier (mbox, mbox_sha1sum, openid or account)"),
        );
        return None;
    }
    let (mbox, sha1, openid, account) = (mbox?, sha1?, openid?, account?);
    Some(mbox.or(sha1).or(openid).or(account))
}

fn account(value: &Value, path: &Path, errors: &mut Errors) -> Option<Account> {
    let mut f = Fields::of(value, path, errors, "an account object")?;
    let home_page = f.req("homePage", errors, iri);
    let name = f.req("name", errors, string);
    f.finish(errors, "an account (homePage, name)");
    Some(Account { home_page: home_page?, name: name? })
}

pub(crate) fn agent(value: &Value, path: &Path, errors: &mut Errors) -> Option<Agent> {
    let mut f = Fields::of(value, path, errors, "an Agent object")?;
    let object_type = object_type(&mut f, errors, "Agent", false);
    let name = f.opt("name", errors, string);
    let ifi = ifi(&mut f, errors, "an Agent", true);
    f.finish(errors, "an Agent (objectType, name, mbox, mbox_sha1sum, openid, account)");
    object_type?;
    Some(Agent { name: name?, ifi: ifi?? })
}

/// A group member: an Agent, and never a Group.
fn member(value: &Value, path: &Path, errors: &mut Errors) -> Option<Agent> {
    if value.get("objectType").and_then(Value::as_str) == Some("Group") {
        report(errors, path, "a Group cannot be a member of a Group (members are Agents)");
        return None;
    }
    agent(value, path, errors)
}

pub(crate) fn group(value: &Value, path: &Path, errors: &mut Errors) -> Option<Group> {
    let mut f = Fields::of(value, path, errors, "a Group object")?;
    let object_type = object_type(&mut f, errors, "Group", true);
    let name = f.opt("name", errors, string);
    let ifi = ifi(&mut f, errors, "an identified Group", false);
    let member = f.opt("member", errors, |v, p, e| array(v, p, e, member));
    f.finish(errors, "a Group (objectType, name, member, mbox, mbox_sha1sum, openid, account)");
    object_type?;
    let group = Group { name: name?, ifi: ifi?, member: member? };
    validate::group(&group, path, errors);
    Some(group)
}

pub(crate) fn actor(value: &Value, path: &Path, errors: &mut Errors) -> Option<Actor> {
    match declared_object_type(value, path, errors).ok()? {
        None | Some("Agent") => agent(value, path, errors).map(Actor::Agent),
        Some("Group") => group(value, path, errors).map(Actor::Group),
        Some(other) => {
            report(errors, &path.key("objectType"), format!("must be \"Agent\" or \"Group\", not {other:?}"));
            None
        }
    }
}

pub(crate) fn verb(value: &Value, path: &Path, errors: &mut Errors) -> Option<Verb> {
    let mut f = Fields::of(value, path, errors, "a Verb object")?;
    let id = f.req("id", errors, iri);
    let display = f.opt("display", errors, language_map);
    f.finish(errors, "a Verb (id, display)");
    Some(Verb { id: id?, display: display? })
}

fn component(value: &Value, path: &Path, errors: &mut Errors) -> Option<InteractionComponent> {
    let mut f = Fields::of(value, path, errors, "an interaction component object")?;
    let id = f.req("id", errors, string);
    let description = f.opt("description", errors, language_map);
    f.finish(errors, "an interaction component (id, description)");
    Some(InteractionComponent { id: id?, description: description? })
}

fn interaction_type(value: &Value, path: &Path, errors: &mut Errors) -> Option<InteractionType> {
    let text = string(value, path, errors)?;
    let parsed = InteractionType::parse(&text);
    if parsed.is_none() {
        let all: Vec<&str> = InteractionType::ALL.iter().map(|t| t.as_str()).collect();
        report(errors, path, format!("{text:?} is not an interaction type (one of {})", all.join(", ")));
    }
    parsed
}

pub(crate) fn definition(value: &Value, path: &Path, errors: &mut Errors) -> Option<ActivityDefinition> {
    let mut f = Fields::of(value, path, errors, "an Activity Definition object")?;
    let components = |v, p: &Path, e: &mut Errors| array(v, p, e, component);
    let name = f.opt("name", errors, language_map);
    let description = f.opt("description", errors, language_map);
    let activity_type = f.opt("type", errors, iri);
    let more_info = f.opt("moreInfo", errors, iri);
    let interaction_type = f.opt("interactionType", errors, interaction_type);
    let correct = f.opt("correctResponsesPattern", errors, |v, p, e| array(v, p, e, string));
    let choices = f.opt("choices", errors, components);
    let scale = f.opt("scale", errors, components);
    let source = f.opt("source", errors, components);
    let target = f.opt("target", errors, components);
    let steps = f.opt("steps", errors, components);
    let extensions = f.opt("extensions", errors, extensions);
    f.finish(errors, "an Activity Definition");
    let definition = ActivityDefinition {
        name: name?,
        description: description?,
        activity_type: activity_type?,
        more_info: more_info?,
        interaction_type: interaction_type?,
        correct_responses_pattern: correct?,
        choices: choices?,
        scale: scale?,
        source: source?,
        target: target?,
        steps: steps?,
        extensions: extensions?,
    };
    validate::definition(&definition, path, errors);
    Some(definition)
}

pub(crate) fn activity(value: &Value, path: &Path, errors: &mut Errors) -> Option<Activity> {
    let mut f = Fields::of(value, path, errors, "an Activity object")?;
    let object_type = object_type(&mut f, errors, "Activity", false);
    // An Agent or Group as object must say so; without objectType it would read as an Activity.
    if !f.has("objectType")
        && !f.has("id")
        && ["mbox", "mbox_sha1sum", "openid", "account", "member"].iter().any(|k| f.has(k))
    {
        report(errors, &path.key("objectType"), "is required when the object is an Agent or a Group");
        return None;
    }
    let id = f.req("id", errors, iri);
    let definition = f.opt("definition", errors, definition);
    f.finish(errors, "an Activity (objectType, id, definition)");
    object_type?;
    Some(Activity { id: id?, definition: definition? })
}

pub(crate) fn statement_ref(value: &Value, path: &Path, errors: &mut Errors) -> Option<StatementRef> {
    let mut f = Fields::of(value, path, errors, "a StatementRef object")?;
    let object_type = object_type(&mut f, errors, "StatementRef", true);
    let id = f.req("id", errors, uuid);
    f.finish(errors, "a StatementRef (objectType, id)");
    object_type?;
    Some(StatementRef { id: id? })
}

fn object(value: &Value, path: &Path, errors: &mut Errors, in_sub_statement: bool) -> Option<StatementObject> {
    match declared_object_type(value, path, errors).ok()? {
        None | Some("Activity") => activity(value, path, errors).map(StatementObject::Activity),
        Some("Agent") => agent(value, path, errors).map(StatementObject::Agent),
        Some("Group") => group(value, path, errors).map(StatementObject::Group),
        Some("StatementRef") => statement_ref(value, path, errors).map(StatementObject::StatementRef),
        Some("SubStatement") if in_sub_statement => {
            report(errors, &path.key("objectType"), "a SubStatement cannot contain another SubStatement");
            None
        }
        Some("SubStatement") => sub_statement(value, path, errors).map(|s| StatementObject::SubStatement(Box::new(s))),
        Some(other) => {
            report(
                errors,
                &path.key("objectType"),
                format!(
                    "must be one of \"Activity\", \"Agent\", \"Group\", \"StatementRef\", \"SubStatement\", not {other:?}"
                ),
            );
            None
        }
    }
}

fn score(value: &Value, path: &Path, errors: &mut Errors) -> Option<Score> {
    let mut f = Fields::of(value, path, errors, "a Score object")?;
    let scaled = f.opt("scaled", errors, number);
    let raw = f.opt("raw", errors, number);
    let min = f.opt("min", errors, number);
    let max = f.opt("max", errors, number);
    f.finish(errors, "a Score (scaled, raw, min, max)");
    let score = Score { scaled: scaled?, raw: raw?, min: min?, max: max? };
    validate::score(&score, path, errors);
    Some(score)
}

pub(crate) fn result(value: &Value, path: &Path, errors: &mut Errors) -> Option<StatementResult> {
    let mut f = Fields::of(value, path, errors, "a Result object")?;
    let score = f.opt("score", errors, score);
    let success = f.opt("success", errors, boolean);
    let completion = f.opt("completion", errors, boolean);
    let response = f.opt("response", errors, string);
    let duration = f.opt("duration", errors, |v, p, e| formatted(v, p, e, Duration::parse));
    let extensions = f.opt("extensions", errors, extensions);
    f.finish(errors, "a Result (score, success, completion, response, duration, extensions)");
    Some(StatementResult {
        score: score?,
        success: success?,
        completion: completion?,
        response: response?,
        duration: duration?,
        extensions: extensions?,
    })
}

/// 1.0.3 allowed one Activity where a list is meant: read it as a list of one.
fn one_or_many(value: &Value, path: &Path, errors: &mut Errors) -> Option<Vec<Activity>> {
    match value {
        Value::Array(_) => array(value, path, errors, activity),
        Value::Object(_) => activity(value, path, errors).map(|a| vec![a]),
        other => {
            wrong_type(errors, path, "an array of Activities (or a single Activity)", other);
            None
        }
    }
}

fn context_activities(value: &Value, path: &Path, errors: &mut Errors) -> Option<ContextActivities> {
    let mut f = Fields::of(value, path, errors, "a contextActivities object")?;
    let parent = f.opt("parent", errors, one_or_many);
    let grouping = f.opt("grouping", errors, one_or_many);
    let category = f.opt("category", errors, one_or_many);
    let other = f.opt("other", errors, one_or_many);
    f.finish_with(errors, |_| "is not a kind of context activity (parent, grouping, category, other)".to_owned());
    Some(ContextActivities { parent: parent?, grouping: grouping?, category: category?, other: other? })
}

fn relevant_types(value: &Value, path: &Path, errors: &mut Errors) -> Option<Vec<Iri>> {
    array(value, path, errors, iri)
}

fn context_agent(value: &Value, path: &Path, errors: &mut Errors) -> Option<ContextAgent> {
    let mut f = Fields::of(value, path, errors, "a contextAgent object")?;
    let object_type = object_type(&mut f, errors, "contextAgent", true);
    let agent = f.req("agent", errors, agent);
    let relevant_types = f.opt("relevantTypes", errors, relevant_types);
    f.finish(errors, "a contextAgent (objectType, agent, relevantTypes)");
    object_type?;
    let context_agent = ContextAgent { agent: agent?, relevant_types: relevant_types? };
    validate::relevant_types(context_agent.relevant_types.as_deref(), path, errors);
    Some(context_agent)
}

fn context_group(value: &Value, path: &Path, errors: &mut Errors) -> Option<ContextGroup> {
    let mut f = Fields::of(value, path, errors, "a contextGroup object")?;
    let object_type = object_type(&mut f, errors, "contextGroup", true);
    let group = f.req("group", errors, group);
    let relevant_types = f.opt("relevantTypes", errors, relevant_types);
    f.finish(errors, "a contextGroup (objectType, group, relevantTypes)");
    object_type?;
    let context_group = ContextGroup { group: group?, relevant_types: relevant_types? };
    validate::relevant_types(context_group.relevant_types.as_deref(), path, errors);
    Some(context_group)
}

pub(crate) fn context(value: &Value, path: &Path, errors: &mut Errors) -> Option<Context> {
    let mut f = Fields::of(value, path, errors, "a Context object")?;
    let registration = f.opt("registration", errors, uuid);
    let instructor = f.opt("instructor", errors, actor);
    let team = f.opt("team", errors, group);
    let context_activities = f.opt("contextActivities", errors, context_activities);
    let revision = f.opt("revision", errors, string);
    let platform = f.opt("platform", errors, string);
    let language = f.opt("language", errors, language_tag);
    let statement = f.opt("statement", errors, statement_ref);
    let extensions = f.opt("extensions", errors, extensions);
    let context_agents = f.opt("contextAgents", errors, |v, p, e| array(v, p, e, context_agent));
    let context_groups = f.opt("contextGroups", errors, |v, p, e| array(v, p, e, context_group));
    f.finish(errors, "a Context");
    Some(Context {
        registration: registration?,
        instructor: instructor?,
        team: team?,
        context_activities: context_activities?,
        revision: revision?,
        platform: platform?,
        language: language?,
        statement: statement?,
        extensions: extensions?,
        context_agents: context_agents?,
        context_groups: context_groups?,
    })
}

/// An Internet media type: `type/subtype`, optionally followed by `;` parameters.
fn media_type(text: String) -> Result<String, String> {
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b));
    match essence.split_once('/') {
        Some((t, sub)) if token(t) && token(sub) => Ok(text),
        _ => Err(format!("{text:?} is not an Internet media type (type/subtype)")),
    }
}

/// Hex SHA-2 digests: SHA-224, SHA-256, SHA-384 or SHA-512 (and the truncated variants).
fn sha2(text: String) -> Result<String, String> {
    if matches!(text.len(), 56 | 64 | 96 | 128) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text)
    } else {
        Err(format!("{text:?} is not a hex-encoded SHA-2 digest"))
    }
}

fn length(value: &Value, path: &Path, errors: &mut Errors) -> Option<u64> {
    match value {
        Value::Number(n) if n.as_u64().is_some() => n.as_u64(),
        Value::Number(_) => {
            report(errors, path, "must be a whole number of octets, zero or more");
            None
        }
        other => {
            wrong_type(errors, path, "an integer", other);
            None
        }
    }
}

pub(crate) fn attachment(value: &Value, path: &Path, errors: &mut Errors) -> Option<Attachment> {
    let mut f = Fields::of(value, path, errors, "an Attachment object")?;
    let usage_type = f.req("usageType", errors, iri);
    let display = f.req("display", errors, language_map);
    let description = f.opt("description", errors, language_map);
    let content_type = f.req("contentType", errors, |v, p, e| formatted(v, p, e, media_type));
    let length = f.req("length", errors, length);
    let sha2 = f.req("sha2", errors, |v, p, e| formatted(v, p, e, sha2));
    let file_url = f.opt("fileUrl", errors, iri);
    f.finish(errors, "an Attachment (usageType, display, description, contentType, length, sha2, fileUrl)");
    Some(Attachment {
        usage_type: usage_type?,
        display: display?,
        description: description?,
        content_type: content_type?,
        length: length?,
        sha2: sha2?,
        file_url: file_url?,
    })
}

fn attachments(value: &Value, path: &Path, errors: &mut Errors) -> Option<Vec<Attachment>> {
    array(value, path, errors, attachment)
}

fn sub_statement(value: &Value, path: &Path, errors: &mut Errors) -> Option<SubStatement> {
    let mut f = Fields::of(value, path, errors, "a SubStatement object")?;
    let object_type = object_type(&mut f, errors, "SubStatement", true);
    let actor = f.req("actor", errors, actor);
    let verb = f.req("verb", errors, verb);
    let object = f.req("object", errors, |v, p, e| object(v, p, e, true));
    let result = f.opt("result", errors, result);
    let context = f.opt("context", errors, context);
    let timestamp = f.opt("timestamp", errors, timestamp);
    let attachments = f.opt("attachments", errors, attachments);
    f.finish_with(errors, |key| match key {
        "id" | "stored" | "version" | "authority" => format!("a SubStatement must not have {key:?}"),
        _ => "is not a property of a SubStatement".to_owned(),
    });
    object_type?;
    Some(SubStatement {
        actor: actor?,
        verb: verb?,
        object: object?,
        result: result?,
        context: context?,
        timestamp: timestamp?,
        attachments: attachments?,
    })
}

fn parse_statement(value: &Value, path: &Path, errors: &mut Errors) -> Option<Statement> {
    let mut f = Fields::of(value, path, errors, "a Statement object")?;
    let id = f.opt("id", errors, uuid);
    let actor = f.req("actor", errors, actor);
    let verb = f.req("verb", errors, verb);
    let object = f.req("object", errors, |v, p, e| object(v, p, e, false));
    let result = f.opt("result", errors, result);
    let context = f.opt("context", errors, context);
    let timestamp = f.opt("timestamp", errors, timestamp);
    let stored = f.opt("stored", errors, self::timestamp);
    let authority = f.opt("authority", errors, self::actor);
    let version = f.opt("version", errors, |v, p, e| formatted(v, p, e, Version::parse));
    let attachments = f.opt("attachments", errors, attachments);
    f.finish(errors, "a Statement");
    Some(Statement {
        id: id?,
        actor: actor?,
        verb: verb?,
        object: object?,
        result: result?,
        context: context?,
        timestamp: timestamp?,
        stored: stored?,
        authority: authority?,
        version: version?,
        attachments: attachments?,
    })
}

fn whole_statement(value: &Value, path: &Path, errors: &mut Errors) -> Option<Statement> {
    let parsed = parse_statement(value, path, errors)?;
    validate::statement_rules(&parsed, path, errors);
    Some(parsed)
}

fn whole_object(value: &Value, path: &Path, errors: &mut Errors) -> Option<StatementObject> {
    object(value, path, errors, false)
}

/// `Deserialize` through the parser for a type read from a JSON object; errors carry every
/// problem with its path.
macro_rules! deserialize_with {
    ($($ty:ty => $parse:path),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = StrictValue::deserialize(deserializer)?.0;
                run(&value, $parse).map_err(de::Error::custom)
            }
        }
    )*};
}

deserialize_with! {
    Statement => whole_statement,
    StatementObject => whole_object,
    Actor => actor,
    Agent => agent,
    Group => group,
    Verb => verb,
    Activity => activity,
    ActivityDefinition => definition,
    StatementRef => statement_ref,
    StatementResult => result,
    Context => context,
    Attachment => attachment,
    LanguageMap => language_map,
}

/// `Deserialize` for a string type checked by its own `parse`.
macro_rules! deserialize_str {
    ($($ty:ty),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$ty>::parse(text).map_err(de::Error::custom)
            }
        }
    )*};
}

deserialize_str!(Iri, LanguageTag, Timestamp, Duration, Version, Mbox, Sha1Sum);
