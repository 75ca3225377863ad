//! The specification's rules that hold between values whose formats are already right. Local
//! rules (one score, one definition, one group) run while JSON is parsed and again when a typed
//! statement is validated; statement rules need the whole statement.

use crate::activity::ActivityDefinition;
use crate::agent::{Actor, Group};
use crate::context::Context;
use crate::error::{Errors, Path, ValidationErrors, report};
use crate::iri::Iri;
use crate::result::Score;
use crate::statement::{Attachment, Statement, StatementObject, SubStatement};
use std::collections::HashSet;

/// Every rule, over a typed statement (for statements built in code).
pub(crate) fn statement(statement: &Statement) -> Result<(), ValidationErrors> {
    let mut errors = Errors::new();
    let root = Path::root();
    actor(&statement.actor, &root.key("actor"), &mut errors);
    object(&statement.object, &root.key("object"), &mut errors);
    if let Some(score) = statement.result.as_ref().and_then(|r| r.score.as_ref()) {
        self::score(score, &root.key("result").key("score"), &mut errors);
    }
    if let Some(c) = &statement.context {
        context(c, &root.key("context"), &mut errors);
    }
    if let Some(authority) = &statement.authority {
        actor(authority, &root.key("authority"), &mut errors);
    }
    statement_rules(statement, &root, &mut errors);
    ValidationErrors(errors).into_result()
}

/// Rules that need the whole statement; they also descend into a SubStatement.
pub(crate) fn statement_rules(statement: &Statement, path: &Path, errors: &mut Errors) {
    if statement.is_voiding() && !matches!(statement.object, StatementObject::StatementRef(_)) {
        report(
            errors,
            &path.key("object"),
            "a voiding statement's object must be a StatementRef to the statement it voids",
        );
    }
    if let Some(Actor::Group(group)) = &statement.authority {
        // Only 3-legged OAuth puts a Group here: the application and the user, and nothing else.
        let members = group.member.as_ref().map_or(0, Vec::len);
        if group.ifi.is_some() || members != 2 {
            report(
                errors,
                &path.key("authority"),
                "an authority that is a Group must be an anonymous Group of exactly two Agents (OAuth application and user)",
            );
        }
    }
    context_needs_activity(statement.context.as_ref(), &statement.object, path, errors);
    signature_attachments(statement.attachments.as_deref(), path, errors);
    if let StatementObject::SubStatement(sub) = &statement.object {
        sub_statement_rules(sub, &path.key("object"), errors);
    }
}

fn sub_statement_rules(sub: &SubStatement, path: &Path, errors: &mut Errors) {
    if matches!(sub.object, StatementObject::SubStatement(_)) {
        report(errors, &path.key("object"), "a SubStatement cannot contain another SubStatement");
    }
    context_needs_activity(sub.context.as_ref(), &sub.object, path, errors);
    signature_attachments(sub.attachments.as_deref(), path, errors);
}

/// A JWS statement signature travels as `application/octet-stream`.
fn signature_attachments(attachments: Option<&[Attachment]>, path: &Path, errors: &mut Errors) {
    for (i, attachment) in attachments.into_iter().flatten().enumerate() {
        if attachment.usage_type.as_str() == Attachment::SIGNATURE_USAGE_TYPE
            && attachment.content_type != "application/octet-stream"
        {
            report(
                errors,
                &path.key("attachments").index(i).key("contentType"),
                "a signature attachment must have contentType \"application/octet-stream\"",
            );
        }
    }
}

/// `revision` and `platform` describe an Activity, so they only appear when the object is one.
fn context_needs_activity(context: Option<&Context>, object: &StatementObject, path: &Path, errors: &mut Errors) {
    let Some(context) = context else { return };
    if matches!(object, StatementObject::Activity(_)) {
        return;
    }
    let kind = object.object_type();
    if context.revision.is_some() {
        report(
            errors,
            &path.key("context").key("revision"),
            format!("may only be used when the object is an Activity, not a {kind}"),
        );
    }
    if context.platform.is_some() {
        report(
            errors,
            &path.key("context").key("platform"),
            format!("may only be used when the object is an Activity, not a {kind}"),
        );
    }
}

fn actor(actor: &Actor, path: &Path, errors: &mut Errors) {
    if let Actor::Group(g) = actor {
        group(g, path, errors);
    }
}

fn object(object: &StatementObject, path: &Path, errors: &mut Errors) {
    match object {
        StatementObject::Activity(a) => {
            if let Some(d) = &a.definition {
                definition(d, &path.key("definition"), errors);
            }
        }
        StatementObject::Group(g) => group(g, path, errors),
        StatementObject::Agent(_) | StatementObject::StatementRef(_) => {}
        StatementObject::SubStatement(sub) => {
            actor_rules_in_sub(sub, path, errors);
        }
    }
}

fn actor_rules_in_sub(sub: &SubStatement, path: &Path, errors: &mut Errors) {
    actor(&sub.actor, &path.key("actor"), errors);
    if !matches!(sub.object, StatementObject::SubStatement(_)) {
        object(&sub.object, &path.key("object"), errors);
    }
    if let Some(score) = sub.result.as_ref().and_then(|r| r.score.as_ref()) {
        self::score(score, &path.key("result").key("score"), errors);
    }
    if let Some(c) = &sub.context {
        context(c, &path.key("context"), errors);
    }
}

fn context(context: &Context, path: &Path, errors: &mut Errors) {
    if let Some(instructor) = &context.instructor {
        actor(instructor, &path.key("instructor"), errors);
    }
    if let Some(team) = &context.team {
        group(team, &path.key("team"), errors);
    }
    if let Some(activities) = &context.context_activities {
        let base = path.key("contextActivities");
        for (name, list) in activities.lists() {
            for (i, activity) in list.into_iter().flatten().enumerate() {
                if let Some(d) = &activity.definition {
                    definition(d, &base.key(name).index(i).key("definition"), errors);
                }
            }
        }
    }
    for (i, a) in context.context_agents.iter().flatten().enumerate() {
        relevant_types(a.relevant_types.as_deref(), &path.key("contextAgents").index(i), errors);
    }
    for (i, g) in context.context_groups.iter().flatten().enumerate() {
        let p = path.key("contextGroups").index(i);
        group(&g.group, &p.key("group"), errors);
        relevant_types(g.relevant_types.as_deref(), &p, errors);
    }
}

/// A score's ranges: `scaled` in −1..=1, `min` ≤ `max`, `raw` within them.
pub(crate) fn score(score: &Score, path: &Path, errors: &mut Errors) {
    if let Some(scaled) = score.scaled
        && !(-1.0..=1.0).contains(&scaled)
    {
        report(errors, &path.key("scaled"), format!("must be between -1 and 1, not {scaled}"));
    }
    if let (Some(min), Some(max)) = (score.min, score.max)
        && min > max
    {
        report(errors, &path.key("min"), format!("must not exceed max ({min} > {max})"));
    }
    if let Some(raw) = score.raw {
        if let Some(min) = score.min
            && raw < min
        {
            report(errors, &path.key("raw"), format!("must not be below min ({raw} < {min})"));
        }
        if let Some(max) = score.max
            && raw > max
        {
            report(errors, &path.key("raw"), format!("must not exceed max ({raw} > {max})"));
        }
    }
}

/// Interaction rules: component lists only where the interaction type uses them, distinct
/// component ids, and an interaction type wherever interaction properties appear.
pub(crate) fn definition(definition: &ActivityDefinition, path: &Path, errors: &mut Errors) {
    let interaction = definition.interaction_type;
    if interaction.is_none() && definition.correct_responses_pattern.is_some() {
        report(
            errors,
            &path.key("correctResponsesPattern"),
            "is only allowed on an interaction activity (one with an interactionType)",
        );
    }
    for (name, list) in definition.component_lists() {
        let Some(list) = list else { continue };
        let list_path = path.key(name);
        match interaction {
            None => {
                report(errors, &list_path, "is only allowed on an interaction activity (one with an interactionType)")
            }
            Some(t) if !t.component_lists().contains(&name) => {
                report(errors, &list_path, format!("is not used by interactionType {t:?}", t = t.as_str()))
            }
            Some(_) => {}
        }
        let mut seen = HashSet::new();
        for (i, component) in list.iter().enumerate() {
            if !seen.insert(component.id.as_str()) {
                report(
                    errors,
                    &list_path.index(i).key("id"),
                    format!("{:?} appears twice; ids must be distinct within the list", component.id),
                );
            }
        }
    }
}

/// An anonymous group is known only by its members, so it must list some.
pub(crate) fn group(group: &Group, path: &Path, errors: &mut Errors) {
    if group.ifi.is_none() && group.member.as_ref().is_none_or(Vec::is_empty) {
        report(
            errors,
            &path.key("member"),
            "an anonymous Group (one without mbox, mbox_sha1sum, openid or account) must list its members",
        );
    }
}

/// `relevantTypes`, when present, names at least one type.
pub(crate) fn relevant_types(types: Option<&[Iri]>, path: &Path, errors: &mut Errors) {
    if types.is_some_and(<[Iri]>::is_empty) {
        report(errors, &path.key("relevantTypes"), "must name at least one type when present");
    }
}
