//! The audit log in words: each action the use cases record, as a person reads it in a
//! history ("Role granted", not `grant.add`).

/// How an audit action reads; an action this version does not know reads as itself.
pub fn describe(action: &str) -> &str {
    match action {
        "cohort.add_member" => "Added to a cohort",
        "cohort.create" => "Cohort created",
        "cohort.offer" => "Offered a place in a cohort",
        "credential.revoke" => "Credential revoked",
        "feedback.give" => "Feedback given",
        "grant.add" => "Role granted",
        "grant.offer" => "Offered a role",
        "grant.revoke" => "Role removed",
        "import.nces_ccd" => "Districts and schools imported",
        "invitation.accepted" => "Invitation accepted",
        "invitation.resend" => "Invitation sent again",
        "item.create" => "Catalog item created",
        "item.delete_step" => "Step removed",
        "item.edit_step" => "Step saved",
        "item.import" => "Course package imported",
        "item.reimport" => "Course package imported again",
        "item.status" => "Catalog status changed",
        "item.update" => "Catalog entry changed",
        "offer.accept" => "Offer accepted",
        "offer.decline" => "Offer declined",
        "org.create" => "Organization created",
        "org.update" => "Organization changed",
        "password.changed" => "Password changed",
        "password.reset" => "Password reset",
        "password.reset_requested" => "Password reset asked for",
        "pathway.create" => "Pathway created",
        "pathway.update" => "Pathway changed",
        "people.import" => "People added from a file",
        "session.cancel" => "Session cancelled",
        "session.create" => "Session scheduled",
        "session.update" => "Session changed",
        "user.invite" => "Invited",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    /// Every action a use case records reads as words: the list above is kept in step with
    /// the `audit::record` calls in this crate.
    #[test]
    fn every_recorded_action_reads_as_words() {
        let source_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut actions = Vec::new();
        let mut stack = vec![source_dir];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read");
                    for call in text.split("audit::record(").skip(1) {
                        // The action is the first string literal of the call.
                        if let Some(action) = call.split('"').nth(1).filter(|a| a.contains('.') && !a.contains(' ')) {
                            actions.push(action.to_owned());
                        }
                    }
                }
            }
        }
        assert!(actions.len() > 20, "found the calls: {actions:?}");
        // Actions chosen before the call, by a match on what was offered.
        actions.extend(["grant.offer".to_owned(), "cohort.offer".to_owned()]);
        for action in actions {
            assert_ne!(describe(&action), action, "{action} has no words");
        }
    }
}
