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
