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

/// Issues the credential (a no-op when the earner already holds it) and tells the earner.
pub async fn run(ctx: &super::JobContext, job_id: i64, job: IssueCredential) -> anyhow::Result<()> {
    let Some(id) =
        crate::learn::credentials::issue(&ctx.store, &ctx.config, job.user_id, job.pathway_id, job.item_id).await?
    else {
        return Ok(());
    };
    let Some(user) = academy_store::users::get(&ctx.store, job.user_id).await? else { return Ok(()) };
    let credential = academy_store::credentials::get(&ctx.store, &id).await?;
    let name = credential.map(|c| c.achievement_name).unwrap_or_default();
    let page = ctx.config.link(&format!("/credentials/{id}"));
    let body = format!(
        "Hello {},\n\nCongratulations: you earned \"{name}\".\n\nYour verifiable credential (Open Badges 3.0) and a printable certificate are here:\n{page}\n\n\
         Anyone you share that link with can check that it is genuine. You can also add the credential to a digital wallet by downloading it from that page.\n",
        user.display_name
    );
    let email = crate::mail::Email {
        job_id: Some(job_id),
        to: user.email.as_str(),
        subject: &format!("You earned: {name}"),
        body: &body,
    };
    ctx.mailer.send(&ctx.store, &email).await
}
