//! Completion rules for lab tasks. A task step names its rule and parameters; the rule
//! decides whether a piece of evidence completes the step.
//!
//! Rules are looked up by name in a [`RuleRegistry`], so a new capability adds a rule without
//! touching the ones here: the AI tools add `tool-used` ("use the lesson planner on your own
//! unit"), completed by evidence that the teacher ran that tool.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Something a teacher did that may complete a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Evidence {
    /// A submitted artifact: text, a link, or both.
    Artifact {
        /// Written work (a plan, a prompt and its output, a reflection).
        text: Option<String>,
        /// A link to the work.
        link: Option<String>,
    },
    /// A run of an AI tool, recorded by the tools capability.
    ToolRun {
        /// The tool's id (`lesson-planner`).
        tool: String,
        /// The run's id.
        run_id: String,
    },
}

/// Decides whether evidence completes a step.
pub trait CompletionRule: Send + Sync + std::fmt::Debug {
    /// The rule's name, as manifests write it.
    fn name(&self) -> &'static str;
    /// What the teacher must do, for the step's page.
    fn instruction(&self) -> String;
    /// Whether `evidence` satisfies the rule; the error says what is missing.
    fn evaluate(&self, evidence: &Evidence) -> Result<(), String>;
    /// The parameters, to store and export.
    fn params(&self) -> BTreeMap<String, String>;
}

/// What an artifact must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// Written text of at least a few words.
    Text,
    /// A link (http or https).
    Link,
    /// Either.
    TextOrLink,
}

/// Complete by submitting the artifact the step asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRule {
    /// What must be submitted.
    pub kind: ArtifactKind,
    /// Fewest characters of text (default 20).
    pub min_chars: usize,
}

impl CompletionRule for ArtifactRule {
    fn name(&self) -> &'static str {
        "artifact"
    }

    fn instruction(&self) -> String {
        let chars = self.min_chars;
        match self.kind {
            ArtifactKind::Text => {
                format!("Paste or write your work below, at least {chars} characters, to complete this step.")
            }
            ArtifactKind::Link => {
                "Share a link to your work (an address starting with https:// or http://) to complete this step.".into()
            }
            ArtifactKind::TextOrLink => format!(
                "Paste your work below (at least {chars} characters), or share a link to it (an address starting with \
                 https:// or http://), to complete this step."
            ),
        }
    }

    fn evaluate(&self, evidence: &Evidence) -> Result<(), String> {
        let Evidence::Artifact { text, link } = evidence else {
            return Err("This step is completed by submitting your work.".into());
        };
        let text_ok = text.as_deref().map(str::trim).is_some_and(|t| t.chars().count() >= self.min_chars);
        let link_ok = link.as_deref().map(str::trim).is_some_and(is_web_link);
        let short = || format!("Write at least {} characters about your work.", self.min_chars);
        match self.kind {
            ArtifactKind::Text if text_ok => Ok(()),
            ArtifactKind::Text => Err(short()),
            ArtifactKind::Link if link_ok => Ok(()),
            ArtifactKind::Link => Err("Share a link that starts with https:// or http://.".into()),
            ArtifactKind::TextOrLink if text_ok || link_ok => Ok(()),
            ArtifactKind::TextOrLink => Err(format!("{} Or share a link to it.", short())),
        }
    }

    fn params(&self) -> BTreeMap<String, String> {
        let kind = match self.kind {
            ArtifactKind::Text => "text",
            ArtifactKind::Link => "link",
            ArtifactKind::TextOrLink => "text-or-link",
        };
        BTreeMap::from([("artifact".into(), kind.into()), ("min_chars".into(), self.min_chars.to_string())])
    }
}

/// Whether `text` is a web address: `http` or `https`, with a host, no spaces.
pub fn is_web_link(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && text.len() > 10
        && !text.contains(char::is_whitespace)
        && !text.contains(['<', '>', '"'])
}

type Constructor = fn(&BTreeMap<String, String>) -> Result<Arc<dyn CompletionRule>, String>;

/// Completion rules by name.
#[derive(Clone)]
pub struct RuleRegistry {
    constructors: BTreeMap<&'static str, Constructor>,
}

impl std::fmt::Debug for RuleRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.constructors.keys()).finish()
    }
}

impl Default for RuleRegistry {
    fn default() -> Self {
        let mut registry = Self { constructors: BTreeMap::new() };
        registry.register("artifact", artifact_rule);
        registry
    }
}

impl RuleRegistry {
    /// Adds (or replaces) a rule.
    pub fn register(&mut self, name: &'static str, constructor: Constructor) {
        self.constructors.insert(name, constructor);
    }

    /// Builds the rule `name` with `params`; the error names what is wrong.
    pub fn build(&self, name: &str, params: &BTreeMap<String, String>) -> Result<Arc<dyn CompletionRule>, String> {
        let constructor = self.constructors.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.constructors.keys().copied().collect();
            format!("'{name}' is not a completion rule; known rules: {}", known.join(", "))
        })?;
        constructor(params)
    }

    /// The names of every rule.
    pub fn names(&self) -> Vec<&'static str> {
        self.constructors.keys().copied().collect()
    }
}

fn artifact_rule(params: &BTreeMap<String, String>) -> Result<Arc<dyn CompletionRule>, String> {
    let kind = match params.get("artifact").map(String::as_str).unwrap_or("text-or-link") {
        "text" => ArtifactKind::Text,
        "link" => ArtifactKind::Link,
        "text-or-link" => ArtifactKind::TextOrLink,
        other => return Err(format!("artifact '{other}' is not one of: text, link, text-or-link")),
    };
    let min_chars = match params.get("min_chars") {
        Some(n) => n.parse().map_err(|_| format!("min_chars '{n}' is not a whole number"))?,
        None => 20,
    };
    if let Some(unknown) = params.keys().find(|k| !matches!(k.as_str(), "artifact" | "min_chars")) {
        return Err(format!("the artifact rule has no parameter '{unknown}'"));
    }
    Ok(Arc::new(ArtifactRule { kind, min_chars }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn artifacts_complete_when_they_carry_the_work() {
        let registry = RuleRegistry::default();
        let rule = registry.build("artifact", &params(&[("artifact", "text"), ("min_chars", "10")])).expect("rule");
        let text = |t: &str| Evidence::Artifact { text: Some(t.into()), link: None };
        assert!(rule.evaluate(&text("My unit plan for fractions uses …")).is_ok());
        assert_eq!(rule.evaluate(&text("short")), Err("Write at least 10 characters about your work.".into()));
        let run = Evidence::ToolRun { tool: "lesson-planner".into(), run_id: "1".into() };
        assert!(rule.evaluate(&run).is_err());
        let link = registry.build("artifact", &params(&[("artifact", "link")])).expect("rule");
        assert!(
            link.evaluate(&Evidence::Artifact { text: None, link: Some("https://docs.example.org/plan".into()) })
                .is_ok()
        );
        assert!(link.evaluate(&Evidence::Artifact { text: None, link: Some("javascript:alert(1)".into()) }).is_err());
        assert_eq!(link.params().get("artifact").map(String::as_str), Some("link"));
    }

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

    #[test]
    fn new_rules_plug_in_by_name() {
        let mut registry = RuleRegistry::default();
        assert!(registry.build("tool-used", &BTreeMap::new()).expect_err("unknown").contains("known rules: artifact"));
        registry.register("tool-used", |p| {
            let tool = p.get("tool").cloned().ok_or("the tool-used rule needs a tool")?;
            Ok(Arc::new(ToolUsed(tool)))
        });
        let rule = registry.build("tool-used", &params(&[("tool", "lesson-planner")])).expect("rule");
        assert!(rule.evaluate(&Evidence::ToolRun { tool: "lesson-planner".into(), run_id: "7".into() }).is_ok());
        assert!(rule.evaluate(&Evidence::ToolRun { tool: "rubric".into(), run_id: "8".into() }).is_err());
        assert_eq!(registry.names(), ["artifact", "tool-used"]);
    }

    #[test]
    fn bad_parameters_are_named() {
        let registry = RuleRegistry::default();
        assert!(registry.build("artifact", &params(&[("artifact", "video")])).expect_err("bad").contains("'video'"));
        assert!(registry.build("artifact", &params(&[("colour", "red")])).expect_err("bad").contains("'colour'"));
    }
}
