//! The measured outcome of a statement: score, success, completion, response, duration.

use crate::language::Extensions;
use crate::time::Duration;

/// A statement's `result`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StatementResult {
    /// The score of a graded activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// Whether the attempt succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Whether the activity was completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<bool>,
    /// The learner's response (for interactions, in the interaction's response format).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// How long the experience took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Duration>,
    /// Further outcome data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Extensions>,
}

impl StatementResult {
    /// A result that says only whether the activity was completed.
    pub fn completion(completed: bool) -> Self {
        Self { completion: Some(completed), ..Self::default() }
    }

    /// A result that says only whether the attempt succeeded.
    pub fn success(succeeded: bool) -> Self {
        Self { success: Some(succeeded), ..Self::default() }
    }

    /// The same result with a score.
    pub fn with_score(mut self, score: Score) -> Self {
        self.score = Some(score);
        self
    }

    /// The same result with success set.
    pub fn with_success(mut self, succeeded: bool) -> Self {
        self.success = Some(succeeded);
        self
    }

    /// The same result with completion set.
    pub fn with_completion(mut self, completed: bool) -> Self {
        self.completion = Some(completed);
        self
    }

    /// The same result with a response.
    pub fn with_response(mut self, response: impl Into<String>) -> Self {
        self.response = Some(response.into());
        self
    }

    /// The same result with a duration.
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }
}

/// A score. `scaled` lies in −1..=1; `raw` lies between `min` and `max`, and `min` ≤ `max`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Score {
    /// Score as a fraction of the maximum, −1 to 1.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub scaled: Option<f64>,
    /// The score as counted.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub raw: Option<f64>,
    /// The lowest possible score.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub min: Option<f64>,
    /// The highest possible score.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "number")]
    pub max: Option<f64>,
}

impl Score {
    /// A score given only as a fraction.
    pub fn scaled(scaled: f64) -> Self {
        Self { scaled: Some(scaled), ..Self::default() }
    }

    /// `raw` out of `min..=max`, with the scaled score computed from them (when `max > min`).
    pub fn raw(raw: f64, min: f64, max: f64) -> Self {
        let scaled = (max > min).then(|| (raw - min) / (max - min));
        Self { scaled, raw: Some(raw), min: Some(min), max: Some(max) }
    }
}

/// Writes a whole number as a JSON integer (`95`, not `95.0`): the form senders write and
/// the one the LRS should give back.
fn number<S: serde::Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => crate::canonical::serialize_f64(*v, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_scores_are_written_as_integers() {
        let json = serde_json::to_string(&Score::raw(95.0, 0.0, 100.0)).expect("json");
        assert_eq!(json, r#"{"scaled":0.95,"raw":95,"min":0,"max":100}"#);
    }
}
