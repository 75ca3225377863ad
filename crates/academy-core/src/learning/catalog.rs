//! The catalog's vocabulary. Each value has a stable slug used in URLs, manifests and the
//! database, parsed once at the edge.

use std::fmt;
use std::str::FromStr;

macro_rules! slug_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $slug:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $slug)] $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable slug.
            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            /// How it reads on a page.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $name::ALL.iter().copied().find(|v| v.slug() == wanted).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|v| v.slug()).collect();
                    format!("'{wanted}' is not one of: {}", known.join(", "))
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.slug())
            }
        }
    };
}

slug_enum!(
    /// The program's three strands.
    Strand {
        /// How AI works, what it can and cannot do.
        AiFoundations = "ai-foundations" / "AI foundations",
        /// Privacy, bias, academic integrity, policy.
        Ethics = "ethics" / "Ethics and responsible use",
        /// Planning, differentiation, feedback with AI.
        ClassroomPractice = "classroom-practice" / "Classroom practice",
    }
);

slug_enum!(
    /// What kind of offering an item is.
    ItemKind {
        /// Self-paced modules, lessons, quizzes and reflections.
        Course = "course" / "Course",
        /// Live sessions with a facilitator.
        Workshop = "workshop" / "Workshop",
        /// Steps completed by doing the thing.
        Lab = "lab" / "Hands-on lab",
    }
);

slug_enum!(
    /// How an item is delivered (the catalog's format filter).
    Delivery {
        /// Self-paced online.
        SelfPaced = "self-paced" / "Self-paced",
        /// Live online.
        LiveVirtual = "live-virtual" / "Live virtual",
        /// In person at a hub.
        InPerson = "in-person" / "In person at a hub",
        /// Hands-on lab.
        HandsOnLab = "hands-on-lab" / "Hands-on lab",
    }
);

impl Delivery {
    /// The deliveries an item of `kind` may have.
    pub fn fits(self, kind: ItemKind) -> bool {
        matches!(
            (kind, self),
            (ItemKind::Course, Delivery::SelfPaced)
                | (ItemKind::Lab, Delivery::HandsOnLab)
                | (ItemKind::Workshop, Delivery::LiveVirtual | Delivery::InPerson)
        )
    }
}

slug_enum!(
    /// Grade bands a teacher teaches.
    GradeBand {
        /// Kindergarten to grade 2.
        K2 = "k-2" / "K–2",
        /// Grades 3 to 5.
        G3to5 = "3-5" / "3–5",
        /// Grades 6 to 8.
        G6to8 = "6-8" / "6–8",
        /// Grades 9 to 12.
        G9to12 = "9-12" / "9–12",
    }
);

slug_enum!(
    /// Subjects an item is written for.
    Subject {
        /// Any subject.
        AllSubjects = "all" / "All subjects",
        /// English language arts.
        Ela = "ela" / "English language arts",
        /// Mathematics.
        Math = "math" / "Mathematics",
        /// Science.
        Science = "science" / "Science",
        /// Social studies.
        SocialStudies = "social-studies" / "Social studies",
        /// Computer science.
        ComputerScience = "computer-science" / "Computer science",
        /// World languages and English learners.
        WorldLanguages = "world-languages" / "World languages and ELL",
        /// Special education.
        SpecialEducation = "special-education" / "Special education",
        /// The arts.
        Arts = "arts" / "Arts",
        /// Career and technical education.
        CareerTechnical = "cte" / "Career and technical education",
        /// Health and physical education.
        HealthPe = "health-pe" / "Health and PE",
        /// School library and media.
        Library = "library" / "Library and media",
    }
);

/// Why a list of subjects is not one an item may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectsProblem {
    /// No subject at all.
    Empty,
    /// A subject appears twice.
    Repeated(Subject),
    /// "All subjects" beside others: it already covers them.
    AllWithOthers,
}

impl Subject {
    /// The one rule for an item's subjects, used by the package reader and the catalog-entry
    /// form alike (each words the problem for its reader): at least one, no repeats, and
    /// [`Subject::AllSubjects`] stands alone.
    pub fn check_list(subjects: &[Subject]) -> Result<(), SubjectsProblem> {
        if subjects.is_empty() {
            return Err(SubjectsProblem::Empty);
        }
        for (i, subject) in subjects.iter().enumerate() {
            if subjects[..i].contains(subject) {
                return Err(SubjectsProblem::Repeated(*subject));
            }
        }
        if subjects.len() > 1 && subjects.contains(&Subject::AllSubjects) {
            return Err(SubjectsProblem::AllWithOthers);
        }
        Ok(())
    }
}

/// A URL name made from a title: lower-case ASCII letters and digits joined by single hyphens,
/// accents dropped (`"Évaluer l'IA — 101"` → `"evaluer-l-ia-101"`), at most 60 characters and
/// cut at a word; `None` when fewer than 3 characters remain.
pub fn slug_from_title(title: &str) -> Option<String> {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if out.len() > 60 {
        let cut = out[..60].rfind('-').filter(|i| *i >= 3).unwrap_or(60);
        out.truncate(cut);
    }
    (out.len() >= 3).then_some(out)
}

/// The unaccented letter for the accented Latin letters titles commonly hold.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

slug_enum!(
    /// The kinds of step in a course or lab.
    StepKind {
        /// Reading, in Markdown.
        Lesson = "lesson" / "Lesson",
        /// Auto-graded questions.
        Quiz = "quiz" / "Quiz",
        /// A prompt the teacher answers in writing.
        Reflection = "reflection" / "Reflection",
        /// A lab task, done when its completion rule is met.
        Task = "task" / "Task",
    }
);

/// Professional-development hours, kept in tenths of an hour so that sums are exact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PdHours(i64);

impl PdHours {
    /// From tenths of an hour, as stored.
    pub fn from_tenths(tenths: i64) -> Self {
        Self(tenths)
    }

    /// Tenths of an hour.
    pub fn tenths(self) -> i64 {
        self.0
    }

    /// Parses hours such as `1.5` (at most one decimal, 0 to 200).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (whole, tenth) = match raw.split_once('.') {
            Some((w, t)) if t.len() == 1 => (w, t),
            Some(_) => return Err(format!("'{raw}' has more than one decimal; PD hours count in tenths")),
            None => (raw, "0"),
        };
        let whole: i64 = whole.parse().map_err(|_| format!("'{raw}' is not a number of hours"))?;
        let tenth: i64 = tenth.parse().map_err(|_| format!("'{raw}' is not a number of hours"))?;
        let tenths = whole * 10 + tenth;
        if !(0..=2000).contains(&tenths) {
            return Err(format!("{raw} hours is out of range (0 to 200)"));
        }
        Ok(Self(tenths))
    }

    /// From a float as TOML gives it (rounded to tenths).
    pub fn from_f64(hours: f64) -> Result<Self, String> {
        if !hours.is_finite() || !(0.0..=200.0).contains(&hours) {
            return Err(format!("{hours} hours is out of range (0 to 200)"));
        }
        let tenths = (hours * 10.0).round();
        if ((hours * 10.0) - tenths).abs() > 1e-6 {
            return Err(format!("{hours} has more than one decimal; PD hours count in tenths"));
        }
        Ok(Self(tenths as i64))
    }

    /// As a float, for manifests and credentials.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 10.0
    }
}

impl std::ops::Add for PdHours {
    type Output = PdHours;
    fn add(self, other: PdHours) -> PdHours {
        PdHours(self.0 + other.0)
    }
}

impl std::iter::Sum for PdHours {
    fn sum<I: Iterator<Item = PdHours>>(iter: I) -> PdHours {
        iter.fold(PdHours::default(), |a, b| a + b)
    }
}

impl fmt::Display for PdHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_name_the_choices() {
        for strand in Strand::ALL {
            assert_eq!(strand.slug().parse::<Strand>(), Ok(*strand));
        }
        for band in GradeBand::ALL {
            assert_eq!(band.slug().parse::<GradeBand>(), Ok(*band));
        }
        let err = "robotics".parse::<Subject>().expect_err("unknown");
        assert!(err.contains("'robotics' is not one of: all, ela, math"), "{err}");
        assert_eq!(serde_json::to_string(&Delivery::HandsOnLab).ok().as_deref(), Some("\"hands-on-lab\""));
    }

    #[test]
    fn subjects_are_listed_once_and_all_stands_alone() {
        assert_eq!(Subject::check_list(&[Subject::Math]), Ok(()));
        assert_eq!(Subject::check_list(&[Subject::AllSubjects]), Ok(()));
        assert_eq!(Subject::check_list(&[]), Err(SubjectsProblem::Empty));
        assert_eq!(Subject::check_list(&[Subject::AllSubjects, Subject::Math]), Err(SubjectsProblem::AllWithOthers));
        assert_eq!(Subject::check_list(&[Subject::Math, Subject::Math]), Err(SubjectsProblem::Repeated(Subject::Math)));
    }

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(slug_from_title("AI and Math Word Problems").as_deref(), Some("ai-and-math-word-problems"));
        assert_eq!(slug_from_title("  Évaluer l'IA — 101 ").as_deref(), Some("evaluer-l-ia-101"));
        assert_eq!(slug_from_title("Piñon Ridge: K–2!").as_deref(), Some("pinon-ridge-k-2"));
        assert_eq!(slug_from_title("AI"), None, "too short");
        assert_eq!(slug_from_title("???"), None);
        let long = slug_from_title(&"word ".repeat(30)).expect("slug");
        assert!(long.len() <= 60 && !long.ends_with('-') && long.starts_with("word-word"), "{long}");
    }

    #[test]
    fn deliveries_fit_kinds() {
        assert!(Delivery::SelfPaced.fits(ItemKind::Course));
        assert!(Delivery::InPerson.fits(ItemKind::Workshop));
        assert!(!Delivery::SelfPaced.fits(ItemKind::Workshop));
        assert!(Delivery::HandsOnLab.fits(ItemKind::Lab));
    }

    #[test]
    fn pd_hours_count_in_tenths() {
        assert_eq!(PdHours::parse("1.5"), Ok(PdHours::from_tenths(15)));
        assert_eq!(PdHours::parse("2"), Ok(PdHours::from_tenths(20)));
        assert!(PdHours::parse("1.25").is_err());
        assert!(PdHours::parse("-1").is_err());
        assert!(PdHours::parse("x").is_err());
        assert_eq!(PdHours::from_f64(0.5), Ok(PdHours::from_tenths(5)));
        assert!(PdHours::from_f64(0.25).is_err());
        let total: PdHours = [PdHours::from_tenths(15), PdHours::from_tenths(5)].into_iter().sum();
        assert_eq!(total.to_string(), "2.0");
    }
}
