//! The forms the LRS needs besides the statement as written: canonical JSON (RFC 8785, the
//! JSON Canonicalization Scheme) and the statement's signature, the canonical JSON of exactly
//! the parts that the specification's statement comparison looks at.
//!
//! Statement comparison (xAPI 2.0 §2.3.1 / 1.0.3 Data 2.3.1) ignores what an LRS may assign or
//! rewrite: `id`, `stored`, `authority`, `version`, attachments, activity definitions, verb
//! displays, the order of group members, the serialization of timestamps (compared as UTC
//! instants to the millisecond) and of case-insensitive values (email domains, UUIDs, SHA-1
//! digests, language tags); durations are compared as strings to hundredths of a second.
//! `timestamp` is kept when present: an LRS that fills it in should compare the signature of
//! the statement as received (see [`Statement::matches`]).

use crate::activity::Activity;
use crate::agent::{Actor, Agent, Group, Ifi, Mbox, Sha1Sum};
use crate::context::{Context, ContextActivities};
use crate::language::LanguageTag;
use crate::statement::{Statement, StatementObject, SubStatement};
use crate::time::{Duration, Timestamp};
use chrono::SubsecRound;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Writes a number the way JSON senders do: a whole number within ±2^53 as an integer (`95`,
/// not `95.0`), anything else as the shortest decimal that reads back as the same double.
pub(crate) fn serialize_f64<S: serde::Serializer>(value: f64, serializer: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() <= EXACT {
        // Exact: |value| ≤ 2^53 and whole, so the cast loses nothing.
        #[expect(clippy::cast_possible_truncation, reason = "whole and within ±2^53, checked above")]
        serializer.serialize_i64(value as i64)
    } else {
        serializer.serialize_f64(value)
    }
}

/// RFC 8785 canonical JSON of any value: no whitespace, object members sorted by the UTF-16
/// code units of their names, strings with minimal escaping, numbers as ECMAScript prints them.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                out.push_str(&ecmascript_number(n.as_f64().unwrap_or_default()));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript's Number::toString for a finite double (RFC 8785 §3.2.2.3), built on Rust's
/// shortest round-trip digits.
fn ecmascript_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".to_owned();
    }
    let sci = format!("{:e}", value.abs()); // "d.ddde±x", shortest digits that round-trip
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or_default();
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let n = exponent + 1; // the decimal point sits after n digits
    let sign = if value < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat(usize::try_from(n - k).unwrap_or_default()))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or_default());
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or_default()))
    } else {
        let e = n - 1;
        let exp = if e < 0 { format!("e{e}") } else { format!("e+{e}") };
        match digits.split_at(1) {
            (d, "") => format!("{d}{exp}"),
            (d, rest) => format!("{d}.{rest}{exp}"),
        }
    };
    format!("{sign}{body}")
}

impl Statement {
    /// The statement as JSON, in RFC 8785 canonical form, as this model writes it (objectType
    /// always present, context activities always arrays, whole numbers as integers).
    pub fn to_canonical_json(&self) -> String {
        canonical_json(&self.to_value())
    }

    /// The statement as a JSON value.
    pub fn to_value(&self) -> Value {
        // Serializing these types cannot fail: every map key is a string.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The canonical JSON of the parts statement comparison looks at (see the module docs).
    /// Two statements are the same statement for immutability and conflict detection when
    /// their signatures are equal.
    pub fn signature(&self) -> String {
        let mut form = comparison_form(self);
        form.timestamp = self.timestamp.as_ref().map(comparable_timestamp);
        canonical_json(&form_value(&form))
    }

    /// SHA-256 of [`Statement::signature`], lowercase hex: a fixed-size column to compare by.
    pub fn signature_sha256(&self) -> String {
        let digest = Sha256::digest(self.signature().as_bytes());
        digest.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// Whether two statements are the same statement: equal signatures, where a timestamp
    /// that only one of them has is taken to have been filled in by an LRS and is ignored.
    pub fn matches(&self, other: &Statement) -> bool {
        let ignore_timestamp = self.timestamp.is_none() || other.timestamp.is_none();
        let sign = |s: &Statement| {
            let mut form = comparison_form(s);
            form.timestamp = if ignore_timestamp { None } else { s.timestamp.as_ref().map(comparable_timestamp) };
            canonical_json(&form_value(&form))
        };
        sign(self) == sign(other)
    }
}

fn form_value(statement: &Statement) -> Value {
    serde_json::to_value(statement).unwrap_or(Value::Null)
}

/// Timestamps are compared as UTC instants to the millisecond (an LRS may truncate to that).
fn comparable_timestamp(t: &Timestamp) -> Timestamp {
    Timestamp::from_instant(t.instant().trunc_subsecs(3))
}

/// The statement reduced to what comparison looks at, with case-insensitive values lowercased
/// and unordered lists ordered.
fn comparison_form(statement: &Statement) -> Statement {
    Statement {
        id: None,
        actor: actor(&statement.actor),
        verb: crate::statement::Verb::new(statement.verb.id.clone()),
        object: object(&statement.object),
        result: statement.result.clone().map(|mut r| {
            r.duration = r.duration.map(|d| Duration::from_trusted(d.to_comparable()));
            r
        }),
        context: statement.context.as_ref().map(context),
        timestamp: None,
        stored: None,
        authority: None,
        version: None,
        attachments: None,
    }
}

fn ifi(ifi: &Ifi) -> Ifi {
    match ifi {
        Ifi::Mbox(m) => Ifi::Mbox(Mbox::from_trusted(m.to_comparable())),
        Ifi::MboxSha1Sum(s) => Ifi::MboxSha1Sum(Sha1Sum::from_trusted(s.as_str().to_ascii_lowercase())),
        other => other.clone(),
    }
}

fn agent(a: &Agent) -> Agent {
    Agent { name: a.name.clone(), ifi: ifi(&a.ifi) }
}

fn group(g: &Group) -> Group {
    let member = g.member.as_ref().map(|members| {
        let mut members: Vec<Agent> = members.iter().map(agent).collect();
        // Members are an unordered list: order them by their own canonical form.
        members.sort_by_cached_key(|m| canonical_json(&serde_json::to_value(m).unwrap_or(Value::Null)));
        members
    });
    Group { name: g.name.clone(), ifi: g.ifi.as_ref().map(ifi), member }
}

fn actor(a: &Actor) -> Actor {
    match a {
        Actor::Agent(a) => Actor::Agent(agent(a)),
        Actor::Group(g) => Actor::Group(group(g)),
    }
}

/// Activity definitions are not part of the statement: only the id is compared.
fn activity(a: &Activity) -> Activity {
    Activity::new(a.id.clone())
}

fn object(o: &StatementObject) -> StatementObject {
    match o {
        StatementObject::Activity(a) => StatementObject::Activity(activity(a)),
        StatementObject::Agent(a) => StatementObject::Agent(agent(a)),
        StatementObject::Group(g) => StatementObject::Group(group(g)),
        StatementObject::StatementRef(r) => StatementObject::StatementRef(*r),
        StatementObject::SubStatement(s) => StatementObject::SubStatement(Box::new(SubStatement {
            actor: actor(&s.actor),
            verb: crate::statement::Verb::new(s.verb.id.clone()),
            object: object(&s.object),
            result: s.result.clone().map(|mut r| {
                r.duration = r.duration.map(|d| Duration::from_trusted(d.to_comparable()));
                r
            }),
            context: s.context.as_ref().map(context),
            timestamp: s.timestamp.as_ref().map(comparable_timestamp),
            attachments: None,
        })),
    }
}

fn context(c: &Context) -> Context {
    let list = |l: &Option<Vec<Activity>>| l.as_ref().map(|l| l.iter().map(activity).collect());
    Context {
        instructor: c.instructor.as_ref().map(actor),
        team: c.team.as_ref().map(group),
        context_activities: c.context_activities.as_ref().map(|ca| ContextActivities {
            parent: list(&ca.parent),
            grouping: list(&ca.grouping),
            category: list(&ca.category),
            other: list(&ca.other),
        }),
        language: c.language.as_ref().map(|l| LanguageTag::from_trusted(&l.as_str().to_ascii_lowercase())),
        context_agents: c.context_agents.clone().map(|agents| {
            agents
                .into_iter()
                .map(|mut a| {
                    a.agent = agent(&a.agent);
                    a
                })
                .collect()
        }),
        context_groups: c.context_groups.clone().map(|groups| {
            groups
                .into_iter()
                .map(|mut g| {
                    g.group = group(&g.group);
                    g
                })
                .collect()
        }),
        ..c.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_prints_numbers_like_ecmascript() {
        // U+FB01 sorts after U+10000 in UTF-16 (a surrogate pair starting 0xD800), before it in UTF-8.
        let v = json!({"b": [1, 2.5, 1e21, 1e-7, -0.000001, 123456789.0, 0.1], "a": "é\u{1}\"", "\u{fb01}": null, "\u{10000}": true});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":"é\u0001\"","b":[1,2.5,1e+21,1e-7,-0.000001,123456789,0.1],"𐀀":true,"ﬁ":null}"#
        );
    }

    #[test]
    fn ecmascript_numbers_match_the_rfc_8785_samples() {
        for (value, text) in [
            (333333333.3333333, "333333333.3333333"),
            (1e30, "1e+30"),
            (4.5, "4.5"),
            (0.002, "0.002"),
            (1e-27, "1e-27"),
            (9007199254740992.0, "9007199254740992"),
            (295147905179352830000.0, "295147905179352830000"),
            (5e-324, "5e-324"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
        ] {
            assert_eq!(ecmascript_number(value), text);
        }
    }
}
