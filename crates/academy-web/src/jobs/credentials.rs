//! Issuing Open Badges 3.0 credentials, queued the moment a pathway or credential-bearing item
//! is completed.

use academy_store::jobs::Job;
use serde::{Deserialize, Serialize};

/// Issue the credential for a completed pathway or item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCredential {
    /// The earner.
    pub user_id: i64,
    /// The pathway completed.
    pub pathway_id: Option<i64>,
    /// The credential-bearing item completed.
    pub item_id: Option<i64>,
}

impl IssueCredential {
    /// For a completed pathway.
    pub fn for_pathway(user_id: i64, pathway_id: i64) -> Self {
        Self { user_id, pathway_id: Some(pathway_id), item_id: None }
    }

    /// For a completed credential-bearing item.
    pub fn for_item(user_id: i64, item_id: i64) -> Self {
        Self { user_id, pathway_id: None, item_id: Some(item_id) }
    }
}

impl Job for IssueCredential {
    const KIND: &'static str = "issue_credential";
    fn dedupe_key(&self) -> Option<String> {
        Some(match (self.pathway_id, self.item_id) {
            (Some(p), _) => format!("credential:{}:pathway:{p}", self.user_id),
            (None, Some(i)) => format!("credential:{}:item:{i}", self.user_id),
            (None, None) => format!("credential:{}:none", self.user_id),
        })
    }
}
