//! Quizzes: single choice, multiple choice and short answer, graded automatically with
//! feedback, a passing score and an attempt limit.

use serde::{Deserialize, Serialize};

/// A quiz's settings and questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiz {
    /// Percent needed to pass (0–100).
    pub passing_percent: u8,
    /// Attempts allowed; 0 means no limit.
    pub max_attempts: u32,
    /// When the teacher is shown the right answers (their own answers are always shown).
    #[serde(default)]
    pub reveal: Reveal,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// When a teacher sees the right answers after submitting. The author decides: answers shown
/// too early turn the remaining attempts into copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reveal {
    /// Never; the feedback explains without giving the answer away.
    #[default]
    Never,
    /// After every submitted attempt.
    AfterEachAttempt,
    /// Once the teacher has passed or has no attempt left.
    WhenDone,
}

impl Reveal {
    /// Every value, in the order an author chooses from.
    pub const ALL: &'static [Reveal] = &[Reveal::Never, Reveal::WhenDone, Reveal::AfterEachAttempt];

    /// The value as written in a quiz file.
    pub fn slug(self) -> &'static str {
        match self {
            Reveal::Never => "never",
            Reveal::AfterEachAttempt => "after-each-attempt",
            Reveal::WhenDone => "when-done",
        }
    }

    /// How it reads in the quiz editor.
    pub fn label(self) -> &'static str {
        match self {
            Reveal::Never => "Never show the right answers",
            Reveal::AfterEachAttempt => "Show the right answers after every attempt",
            Reveal::WhenDone => "Show the right answers once the teacher passes or has no attempt left",
        }
    }
}

impl std::str::FromStr for Reveal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Reveal::ALL.iter().copied().find(|r| r.slug() == wanted).ok_or_else(|| {
            let known: Vec<&str> = Reveal::ALL.iter().map(|r| r.slug()).collect();
            format!("'{wanted}' is not one of: {}", known.join(", "))
        })
    }
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one choice is right.
    Single,
    /// One or more choices are right; all and only those must be chosen.
    Multiple,
    /// A typed answer matched against accepted answers.
    Short,
}

/// The right answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Indexes of the right choices (0-based).
    Choices(Vec<usize>),
    /// Accepted answers, compared after normalizing case, spaces and punctuation.
    Accept(Vec<String>),
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its kind.
    pub kind: QuestionKind,
    /// The question, in Markdown.
    pub prompt: String,
    /// The choices (empty for short answer).
    pub choices: Vec<String>,
    /// The right answer.
    pub answer: Answer,
    /// Shown after answering, right or wrong (Markdown).
    pub feedback: String,
}

/// A teacher's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Chosen indexes.
    Choices(Vec<usize>),
    /// Typed text.
    Text(String),
    /// Left blank.
    Blank,
}

/// The outcome for one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// Whether it was right.
    pub correct: bool,
    /// The question's feedback.
    pub feedback: String,
}

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizResult {
    /// Whole percent right, rounded down.
    pub percent: u8,
    /// Whether the attempt passed.
    pub passed: bool,
    /// Per question, in order.
    pub questions: Vec<QuestionResult>,
}

impl Question {
    /// Checks that the question is well formed; the message says what to fix.
    pub fn check(&self) -> Result<(), String> {
        if self.prompt.trim().is_empty() {
            return Err("the question has no prompt".into());
        }
        match (&self.kind, &self.answer) {
            (QuestionKind::Single | QuestionKind::Multiple, Answer::Choices(right)) => {
                if self.choices.len() < 2 {
                    return Err("a choice question needs at least two choices".into());
                }
                if self.choices.iter().any(|c| c.trim().is_empty()) {
                    return Err("a choice is empty".into());
                }
                if right.is_empty() {
                    return Err("no choice is marked right".into());
                }
                if let Some(bad) = right.iter().find(|i| **i >= self.choices.len()) {
                    return Err(format!(
                        "answer {bad} is not a choice (choices are numbered from 0 to {})",
                        self.choices.len() - 1
                    ));
                }
                if self.kind == QuestionKind::Single && right.len() != 1 {
                    return Err("a single-choice question has exactly one right choice".into());
                }
                let mut unique = right.clone();
                unique.sort_unstable();
                unique.dedup();
                if unique.len() != right.len() {
                    return Err("a right choice is listed twice".into());
                }
                Ok(())
            }
            (QuestionKind::Short, Answer::Accept(accepted)) => {
                if accepted.iter().all(|a| normalize(a).is_empty()) {
                    return Err("a short-answer question needs at least one accepted answer".into());
                }
                if !self.choices.is_empty() {
                    return Err("a short-answer question has no choices".into());
                }
                Ok(())
            }
            (QuestionKind::Short, Answer::Choices(_)) => {
                Err("a short-answer question takes accepted answers, not choices".into())
            }
            (_, Answer::Accept(_)) => Err("a choice question takes choice indexes, not accepted answers".into()),
        }
    }

    /// The right answer as a teacher reads it: the right choices' text, or the first accepted
    /// answer (Markdown, like the choices).
    pub fn right_answer(&self) -> Vec<String> {
        match &self.answer {
            Answer::Choices(right) => right.iter().filter_map(|i| self.choices.get(*i).cloned()).collect(),
            Answer::Accept(accepted) => {
                accepted.iter().find(|a| !normalize(a).is_empty()).cloned().into_iter().collect()
            }
        }
    }

    /// Whether `response` is right.
    pub fn is_correct(&self, response: &Response) -> bool {
        match (&self.answer, response) {
            (Answer::Choices(right), Response::Choices(chosen)) => {
                let mut a = right.clone();
                let mut b = chosen.clone();
                a.sort_unstable();
                a.dedup();
                b.sort_unstable();
                b.dedup();
                a == b
            }
            (Answer::Accept(accepted), Response::Text(text)) => {
                let given = normalize(text);
                !given.is_empty() && accepted.iter().any(|a| normalize(a) == given)
            }
            _ => false,
        }
    }
}

impl Response {
    /// Whether nothing was answered.
    pub fn is_blank(&self) -> bool {
        match self {
            Response::Blank => true,
            Response::Choices(chosen) => chosen.is_empty(),
            Response::Text(text) => text.trim().is_empty(),
        }
    }
}

impl Quiz {
    /// Checks every question and the settings; errors name the question (from 1).
    pub fn check(&self) -> Result<(), String> {
        if self.passing_percent > 100 {
            return Err(format!("passing score {} is over 100", self.passing_percent));
        }
        if self.questions.is_empty() {
            return Err("the quiz has no questions".into());
        }
        for (i, q) in self.questions.iter().enumerate() {
            q.check().map_err(|e| format!("question {}: {e}", i + 1))?;
        }
        Ok(())
    }

    /// Grades one attempt. Missing responses count as blank.
    pub fn grade(&self, responses: &[Response]) -> QuizResult {
        let questions: Vec<QuestionResult> = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionResult {
                correct: q.is_correct(responses.get(i).unwrap_or(&Response::Blank)),
                feedback: q.feedback.clone(),
            })
            .collect();
        let right = questions.iter().filter(|q| q.correct).count();
        let percent = (right * 100).checked_div(questions.len()).unwrap_or(0) as u8;
        QuizResult { percent, passed: percent >= self.passing_percent, questions }
    }

    /// Whether another attempt may start after `used` attempts.
    pub fn may_attempt(&self, used: u32) -> bool {
        self.max_attempts == 0 || used < self.max_attempts
    }

    /// Whether the right answers are shown after `submitted` attempts, `passed` or not.
    pub fn shows_answers(&self, submitted: u32, passed: bool) -> bool {
        match self.reveal {
            Reveal::Never => false,
            Reveal::AfterEachAttempt => submitted > 0,
            Reveal::WhenDone => submitted > 0 && (passed || !self.may_attempt(submitted)),
        }
    }
}

/// Lower-case, letters and digits only, single spaces: "The  Token!" → "the token".
fn normalize(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiz() -> Quiz {
        Quiz {
            passing_percent: 70,
            max_attempts: 2,
            reveal: Reveal::Never,
            questions: vec![
                Question {
                    kind: QuestionKind::Single,
                    prompt: "What does a language model predict?".into(),
                    choices: vec!["The next token".into(), "The truth".into(), "The teacher's intent".into()],
                    answer: Answer::Choices(vec![0]),
                    feedback: "It predicts a likely next token, which is not the same as a true one.".into(),
                },
                Question {
                    kind: QuestionKind::Multiple,
                    prompt: "Which are student personal data?".into(),
                    choices: vec!["A name".into(), "A grade".into(), "The weather".into()],
                    answer: Answer::Choices(vec![0, 1]),
                    feedback: "Names and grades identify or describe a student.".into(),
                },
                Question {
                    kind: QuestionKind::Short,
                    prompt: "A confident but false output is called a …".into(),
                    choices: vec![],
                    answer: Answer::Accept(vec!["hallucination".into(), "confabulation".into()]),
                    feedback: "Models can state falsehoods fluently.".into(),
                },
            ],
        }
    }

    #[test]
    fn grading_scores_and_explains() {
        let q = quiz();
        assert!(q.check().is_ok());
        let all_right =
            [Response::Choices(vec![0]), Response::Choices(vec![1, 0]), Response::Text("  Hallucination! ".into())];
        let result = q.grade(&all_right);
        assert_eq!((result.percent, result.passed), (100, true));
        let partial = [Response::Choices(vec![0]), Response::Choices(vec![0]), Response::Text("a lie".into())];
        let result = q.grade(&partial);
        assert_eq!((result.percent, result.passed), (33, false));
        assert_eq!(result.questions.iter().map(|r| r.correct).collect::<Vec<_>>(), [true, false, false]);
        assert!(result.questions[1].feedback.contains("identify"));
        let blank = q.grade(&[]);
        assert_eq!(blank.percent, 0);
        let extra = [Response::Choices(vec![0]), Response::Choices(vec![0, 1, 2]), Response::Text(String::new())];
        assert!(!q.grade(&extra).questions[1].correct, "choosing every option is not right");
    }

    #[test]
    fn attempts_are_limited() {
        let q = quiz();
        assert!(q.may_attempt(0) && q.may_attempt(1));
        assert!(!q.may_attempt(2));
        assert!(Quiz { max_attempts: 0, ..q }.may_attempt(99));
    }

    #[test]
    fn answers_are_revealed_as_the_author_chose() {
        let q = quiz();
        assert!(!q.shows_answers(2, false), "never, by default");
        let each = Quiz { reveal: Reveal::AfterEachAttempt, ..quiz() };
        assert!(!each.shows_answers(0, false) && each.shows_answers(1, false));
        let done = Quiz { reveal: Reveal::WhenDone, ..quiz() };
        assert!(!done.shows_answers(1, false), "an attempt is left");
        assert!(done.shows_answers(1, true), "passed");
        assert!(done.shows_answers(2, false), "no attempt left");
        assert!(!Quiz { max_attempts: 0, ..done }.shows_answers(9, false), "unlimited attempts: only on passing");
        assert_eq!("when-done".parse(), Ok(Reveal::WhenDone));
        assert!("sometimes".parse::<Reveal>().expect_err("unknown").contains("never, when-done, after-each-attempt"));
        let right: Vec<Vec<String>> = q.questions.iter().map(Question::right_answer).collect();
        assert_eq!(
            right,
            [vec!["The next token".to_owned()], vec!["A name".into(), "A grade".into()], vec!["hallucination".into()]]
        );
    }

    #[test]
    fn blank_responses_are_recognized() {
        assert!(Response::Blank.is_blank() && Response::Choices(vec![]).is_blank());
        assert!(Response::Text("  ".into()).is_blank() && !Response::Text("x".into()).is_blank());
        assert!(!Response::Choices(vec![0]).is_blank());
    }

    #[test]
    fn malformed_questions_are_named() {
        let mut q = quiz();
        q.questions[0].answer = Answer::Choices(vec![5]);
        assert_eq!(q.check(), Err("question 1: answer 5 is not a choice (choices are numbered from 0 to 2)".into()));
        let mut q = quiz();
        q.questions[0].answer = Answer::Choices(vec![0, 1]);
        assert!(q.check().expect_err("two answers").contains("exactly one"));
        let mut q = quiz();
        q.questions[2].answer = Answer::Accept(vec!["  ".into()]);
        assert!(q.check().expect_err("no accepted").starts_with("question 3"));
        assert!(Quiz { questions: vec![], ..quiz() }.check().is_err());
        assert!(Quiz { passing_percent: 101, ..quiz() }.check().is_err());
    }
}
