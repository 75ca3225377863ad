//! The generated program: the organization tree, who the teachers are, what the catalog holds
//! and who is enrolled in what. Everything follows from the seed, so both engines get the same
//! program, and a teacher's enrollments are worked out again (identically) whenever a loading
//! pass needs them instead of being held in memory.

use super::LearnArgs;
use academy_core::learning::{Delivery, GradeBand, ItemKind, StepKind, Strand, Subject};
use academy_core::time;
use anyhow::bail;
use chrono::{DateTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Who a teacher is in the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Enrollments at random.
    Regular,
    /// Enrolled in the burst course with its last lesson left.
    Burst,
    /// Completed the cohort pathway; their credential is issued in bulk by the worker.
    Cohort,
    /// Completed the cohort pathway; their credential is issued directly, in process.
    Direct,
}

/// A step of an item.
pub(super) struct StepSpec {
    pub(super) id: i64,
    pub(super) kind: StepKind,
    pub(super) title: String,
    pub(super) body: String,
}

/// A module of an item and its steps.
pub(super) struct ModuleSpec {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) steps: Vec<StepSpec>,
}

/// A catalog item.
pub(super) struct ItemSpec {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) kind: ItemKind,
    pub(super) strand: Strand,
    pub(super) delivery: Delivery,
    pub(super) status: &'static str,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) description: String,
    pub(super) minutes: i64,
    pub(super) credential_bearing: bool,
    pub(super) bands: Vec<GradeBand>,
    pub(super) subjects: Vec<Subject>,
    pub(super) modules: Vec<ModuleSpec>,
}

impl ItemSpec {
    /// PD hours in tenths: an hour of PD per hour of seat time.
    pub(super) fn pd_tenths(&self) -> i64 {
        self.minutes / 6
    }

    /// The item's steps, in order.
    pub(super) fn steps(&self) -> impl Iterator<Item = &StepSpec> {
        self.modules.iter().flat_map(|m| m.steps.iter())
    }

    pub(super) fn step_count(&self) -> usize {
        self.modules.iter().map(|m| m.steps.len()).sum()
    }
}

/// A pathway: items by index into `Program::items`, all required.
pub(super) struct PathwaySpec {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) items: Vec<usize>,
}

/// The shape of the organization tree, scaled from the NCES counts.
pub(super) struct OrgShape {
    pub(super) states: usize,
    pub(super) districts: usize,
    pub(super) schools: usize,
}

/// One enrollment of a teacher, as loaded.
pub(super) struct Planned {
    pub(super) item: usize,
    pub(super) status: &'static str,
    pub(super) steps_done: usize,
    pub(super) registration: uuid::Uuid,
    pub(super) enrolled_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) completed_at: Option<DateTime<Utc>>,
}

impl Planned {
    /// When step `n` (from 0) was completed: a day apart, from the day after enrolling.
    pub(super) fn step_time(&self, n: usize) -> DateTime<Utc> {
        self.enrolled_at + chrono::Duration::hours(24 * (n as i64 + 1))
    }
}

/// The program.
pub(super) struct Program {
    pub(super) seed: u64,
    pub(super) now: DateTime<Utc>,
    pub(super) teachers: usize,
    pub(super) orgs: OrgShape,
    pub(super) parts: Vec<Part>,
    /// Enrollments per teacher.
    pub(super) counts: Vec<u16>,
    pub(super) items: Vec<ItemSpec>,
    /// Items teachers enroll in at random and their cumulative popularity.
    pub(super) pickable: Vec<usize>,
    pub(super) pick_cdf: Vec<f64>,
    pub(super) burst_item: usize,
    pub(super) pathways: Vec<PathwaySpec>,
    /// The items of the cohort pathway (the first pathway).
    pub(super) cohort_items: Vec<usize>,
}

/// US public-school counts (NCES, 2022-23; `data/nces/nces_key_numbers.csv`): the tree is
/// these, scaled by how many of the program's 400,000 teachers are generated.
const NCES_SCHOOLS: usize = 99_388;
const NCES_DISTRICTS: usize = 13_318;
const PROGRAM_TEACHERS: usize = 400_000;
/// Items in the cohort pathway.
const COHORT_ITEMS: usize = 4;
const PATHWAYS: usize = 20;
const DAY_SECONDS: i64 = 86_400;

impl Program {
    /// Generates the program the flags describe, or says why they cannot make one.
    pub(super) fn generate(args: &LearnArgs) -> anyhow::Result<Self> {
        let special = args.burst + args.bulk + args.direct;
        if special > args.teachers {
            bail!(
                "the burst ({}), the bulk cohort ({}) and the direct issues ({}) need {special} teachers; there are {}",
                args.burst,
                args.bulk,
                args.direct,
                args.teachers
            );
        }
        let required = args.burst + COHORT_ITEMS * (args.bulk + args.direct);
        if args.enrollments < required {
            bail!("the burst and the cohort alone need {required} enrollments; --enrollments is {}", args.enrollments);
        }
        if args.items < 2 * (COHORT_ITEMS + 1) {
            bail!("--items must be at least {}", 2 * (COHORT_ITEMS + 1));
        }
        let mut rng = SmallRng::seed_from_u64(args.seed);
        let items = catalog(&mut rng, args.items);
        let burst_item = 0;
        let cohort_items: Vec<usize> = (1..=COHORT_ITEMS).collect();
        let pickable: Vec<usize> =
            (COHORT_ITEMS + 1..items.len()).filter(|i| items[*i].status == "published").collect();
        // Zipf-like popularity: a few items are taken by many, most by few.
        let pick_cdf = cumulative(pickable.iter().enumerate().map(|(rank, _)| 1.0 / (rank as f64 + 8.0)));
        let pathways = pathways(&mut rng, &items, &cohort_items, &pickable);

        let mut parts = vec![Part::Regular; args.teachers];
        // The special teachers are spread over the whole program, not bunched at its start.
        let stride = args.teachers / special.max(1);
        for (n, part) in std::iter::repeat_n(Part::Burst, args.burst)
            .chain(std::iter::repeat_n(Part::Cohort, args.bulk))
            .chain(std::iter::repeat_n(Part::Direct, args.direct))
            .enumerate()
        {
            parts[n * stride] = part;
        }
        let counts = enrollment_counts(&mut rng, &parts, args.enrollments, pickable.len())?;
        let scale = |n: usize| (n * args.teachers).div_ceil(PROGRAM_TEACHERS).max(1);
        let districts = scale(NCES_DISTRICTS);
        let orgs = OrgShape { states: districts.min(50), districts, schools: scale(NCES_SCHOOLS).max(districts) };
        Ok(Self {
            seed: args.seed,
            now: time::now(),
            teachers: args.teachers,
            orgs,
            parts,
            counts,
            items,
            pickable,
            pick_cdf,
            burst_item,
            pathways,
            cohort_items,
        })
    }

    /// A teacher's sign-in email.
    pub(super) fn email(teacher: usize) -> String {
        format!("teacher{teacher:06}@bench.academy.test")
    }

    /// The teachers in one part.
    pub(super) fn teachers_in(&self, part: Part) -> Vec<usize> {
        (0..self.teachers).filter(|t| self.parts[*t] == part).collect()
    }

    /// `n` teachers holding the typical number of enrollments (the median ± 3): half who hold
    /// a pathway credential once bulk issuing has run, half who hold none.
    pub(super) fn typical_teachers(&self, n: usize) -> Vec<usize> {
        let mut sorted: Vec<u16> = self.counts.clone();
        sorted.sort_unstable();
        let median = i32::from(sorted[sorted.len() / 2]);
        let typical = |part: Part, take: usize| -> Vec<usize> {
            let all: Vec<usize> = (0..self.teachers)
                .filter(|t| self.parts[*t] == part && (i32::from(self.counts[*t]) - median).abs() <= 3)
                .collect();
            let step = (all.len() / take.max(1)).max(1);
            all.into_iter().step_by(step).take(take).collect()
        };
        let mut chosen = typical(Part::Cohort, n / 2);
        let regular = n - chosen.len();
        chosen.extend(typical(Part::Regular, regular));
        chosen
    }

    /// Works out a teacher's enrollments into `plans` (cleared first); the same every time.
    pub(super) fn plan(&self, teacher: usize, plans: &mut Vec<Planned>) {
        plans.clear();
        let mut rng = SmallRng::seed_from_u64(self.seed ^ (teacher as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let count = usize::from(self.counts[teacher]);
        let mut taken: Vec<usize> = Vec::with_capacity(count);
        match self.parts[teacher] {
            Part::Regular => {}
            Part::Burst => taken.push(self.burst_item),
            Part::Cohort | Part::Direct => taken.extend(&self.cohort_items),
        }
        let fixed = taken.len();
        while taken.len() < count {
            let target = rng.random::<f64>() * self.pick_cdf.last().copied().unwrap_or(1.0);
            let item = self.pickable[self.pick_cdf.partition_point(|c| *c < target).min(self.pickable.len() - 1)];
            if !taken.contains(&item) {
                taken.push(item);
            }
        }
        for (n, item) in taken.into_iter().enumerate() {
            let steps = self.items[item].step_count();
            let (status, steps_done) = if n < fixed {
                match self.parts[teacher] {
                    Part::Burst => ("in_progress", steps - 1),
                    _ => ("completed", steps),
                }
            } else {
                match rng.random_range(0..100) {
                    0..45 => ("completed", steps),
                    45..80 if steps > 1 => ("in_progress", rng.random_range(1..steps)),
                    _ => ("enrolled", 0),
                }
            };
            // Enrolled within the last two years, and done (or last active) before now.
            let enrolled_at = self.now
                - chrono::Duration::seconds(rng.random_range((steps as i64 + 2) * DAY_SECONDS..730 * DAY_SECONDS));
            let mut plan = Planned {
                item,
                status,
                steps_done,
                registration: uuid::Builder::from_random_bytes(rng.random()).into_uuid(),
                enrolled_at,
                updated_at: enrolled_at,
                completed_at: None,
            };
            if steps_done > 0 {
                plan.updated_at = plan.step_time(steps_done - 1);
            }
            if status == "completed" {
                plan.completed_at = Some(plan.updated_at);
            }
            plans.push(plan);
        }
    }
}

/// Cumulative weights, for picking by weight with a binary search.
pub(super) fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

/// Spreads `total` enrollments over the teachers: each special teacher's fixed ones, then the
/// rest skewed (most teachers take a few items, some take many), at most `cap` each.
fn enrollment_counts(rng: &mut SmallRng, parts: &[Part], total: usize, cap: usize) -> anyhow::Result<Vec<u16>> {
    let cap = cap.min(usize::from(u16::MAX)) as u16;
    let mut counts: Vec<u16> = parts
        .iter()
        .map(|p| match p {
            Part::Regular => 0,
            Part::Burst => 1,
            Part::Cohort | Part::Direct => COHORT_ITEMS as u16,
        })
        .collect();
    let fixed: usize = counts.iter().map(|c| usize::from(*c)).sum();
    let rest = total - fixed;
    // Gamma-like weights (shape 2): mean 2, long right tail.
    let weights: Vec<f64> =
        parts.iter().map(|_| -(rng.random::<f64>().max(1e-12).ln() + rng.random::<f64>().max(1e-12).ln())).collect();
    let sum: f64 = weights.iter().sum();
    let mut given = 0;
    for (count, weight) in counts.iter_mut().zip(&weights) {
        let share = ((rest as f64 * weight / sum) as usize).min(usize::from(cap - *count));
        *count += share as u16;
        given += share;
    }
    // What rounding and the cap left over goes round the teachers that still have room.
    let mut left = rest - given;
    let mut teacher = 0;
    let mut idle = 0;
    while left > 0 {
        if counts[teacher] < cap {
            counts[teacher] += 1;
            left -= 1;
            idle = 0;
        } else {
            idle += 1;
            if idle > counts.len() {
                bail!("{total} enrollments do not fit: {} teachers can take at most {cap} items each", counts.len());
            }
        }
        teacher = (teacher + 1) % counts.len();
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------------------------
// The catalog.
// ---------------------------------------------------------------------------------------------

const FOUNDATIONS_TOPICS: &[&str] = &[
    "How large language models predict the next word",
    "Prompting for clear, checkable answers",
    "Why chatbots make things up",
    "Training data and what a model knows",
    "Image generators in the classroom",
    "Speech and translation tools",
    "Comparing AI assistants side by side",
    "Context windows, memory and forgetting",
    "Evaluating AI output for accuracy",
    "Machine learning without the math",
    "AI search and citations",
    "Small models that run on a laptop",
];
const ETHICS_TOPICS: &[&str] = &[
    "Student privacy and FERPA with AI tools",
    "Bias in automated grading",
    "Academic integrity when essays can be generated",
    "Disclosing AI use to families",
    "Equity of access to AI tools",
    "Copyright and AI-generated materials",
    "Detecting AI writing: what works and what does not",
    "Age limits and consent for student accounts",
    "Data retention and vendor contracts",
    "Deepfakes and media literacy",
    "Accessibility and assistive AI",
    "Environmental cost of AI",
];
const PRACTICE_TOPICS: &[&str] = &[
    "Lesson planning with an AI assistant",
    "Differentiating reading passages",
    "Feedback on student writing",
    "Generating practice problems",
    "Rubrics co-written with AI",
    "Supporting English learners",
    "Family communication and translation",
    "Formative assessment and exit tickets",
    "Project-based learning with AI research",
    "IEP paperwork and accommodations",
    "Socratic tutoring prompts",
    "Teaching students to question AI",
];
const ANGLES: &[&str] = &[
    "a first look",
    "hands-on practice",
    "a deeper dive",
    "for new teachers",
    "for instructional coaches",
    "in fifteen minutes a day",
    "with real classroom examples",
    "building a shared school policy",
];
const SENTENCES: &[&str] = &[
    "Teachers of {subject} in grades {grade} try {topic} on material from their own units.",
    "We start from what {topic} can and cannot do, then test it on a real {subject} task.",
    "Participants leave with a short plan for using {topic} next week and a way to check it worked.",
    "Examples come from {subject} classrooms in grades {grade}, with student work anonymized.",
    "A facilitator guide and discussion prompts help a school team study {topic} together.",
    "The session compares the output of two tools and asks where each one fails.",
];

fn strand_topics(strand: Strand) -> &'static [&'static str] {
    match strand {
        Strand::AiFoundations => FOUNDATIONS_TOPICS,
        Strand::Ethics => ETHICS_TOPICS,
        Strand::ClassroomPractice => PRACTICE_TOPICS,
    }
}

fn pick<'a, T>(rng: &mut SmallRng, from: &'a [T]) -> &'a T {
    &from[rng.random_range(0..from.len())]
}

fn sentence(rng: &mut SmallRng) -> &'static str {
    SENTENCES[rng.random_range(0..SENTENCES.len())]
}

fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').chars().take(60).collect::<String>().trim_end_matches('-').to_owned()
}

/// `count` items: the burst course, the cohort pathway's items, then items at random.
fn catalog(rng: &mut SmallRng, count: usize) -> Vec<ItemSpec> {
    let (mut module_id, mut step_id) = (1, 1);
    let mut items = Vec::with_capacity(count);
    for index in 0..count {
        let id = index as i64 + 1;
        let strand = *pick(rng, Strand::ALL);
        let topic = *pick(rng, strand_topics(strand));
        let angle = *pick(rng, ANGLES);
        let subject = *pick(rng, &Subject::ALL[1..]);
        let band = *pick(rng, GradeBand::ALL);
        let special = index <= COHORT_ITEMS;
        let (kind, delivery) = match (special, rng.random_range(0..100)) {
            (true, _) | (false, 0..70) => (ItemKind::Course, Delivery::SelfPaced),
            (false, 70..78) => (ItemKind::Workshop, Delivery::LiveVirtual),
            (false, 78..85) => (ItemKind::Workshop, Delivery::InPerson),
            _ => (ItemKind::Lab, Delivery::HandsOnLab),
        };
        let title = if index == 0 {
            "AI foundations for every educator: the statewide required module".to_owned()
        } else {
            format!("{topic}: {angle}")
        };
        let text = |template: &str| {
            template
                .replace("{topic}", &topic.to_lowercase())
                .replace("{subject}", subject.label())
                .replace("{grade}", band.label())
        };
        let description: Vec<String> = (0..4).map(|_| text(sentence(rng))).collect();
        let minutes = if index == 0 { 90 } else { rng.random_range(3..=40) * 15 };
        let module_count = if index == 0 { 2 } else { rng.random_range(1..=3) };
        let mut modules = Vec::with_capacity(module_count);
        for m in 0..module_count {
            let step_count = if index == 0 { 3 } else { rng.random_range(1..=3) };
            let steps = (0..step_count)
                .map(|s| {
                    // The burst course is all lessons, so that finishing it takes one click.
                    let kind = if index == 0 || s + 1 < step_count { StepKind::Lesson } else { StepKind::Reflection };
                    let step = StepSpec {
                        id: step_id,
                        kind,
                        title: format!("{} {}", if kind == StepKind::Lesson { "Lesson" } else { "Reflect" }, s + 1),
                        body: format!("{}\n\n{}", text(sentence(rng)), text(sentence(rng))),
                    };
                    step_id += 1;
                    step
                })
                .collect();
            modules.push(ModuleSpec { id: module_id, title: format!("Part {}: {}", m + 1, topic), steps });
            module_id += 1;
        }
        let status = match (special, rng.random_range(0..100)) {
            (false, 0..3) => "draft",
            (false, 3..5) => "archived",
            _ => "published",
        };
        let mut bands = vec![band];
        if rng.random_bool(0.4) {
            let other = *pick(rng, GradeBand::ALL);
            if other != band {
                bands.push(other);
            }
        }
        let subjects = if rng.random_bool(0.3) { vec![Subject::AllSubjects] } else { vec![subject] };
        items.push(ItemSpec {
            id,
            slug: format!("{}-{id}", slugify(&title)),
            kind,
            strand,
            delivery,
            status,
            summary: format!("{} for {} teachers of grades {}.", title, subject.label(), band.label()),
            title,
            description: description.join(" "),
            minutes,
            credential_bearing: index == 0 || (!special && rng.random_bool(0.05)),
            bands,
            subjects,
            modules,
        });
    }
    items
}

/// The cohort pathway, then pathways of four published items at random.
fn pathways(rng: &mut SmallRng, items: &[ItemSpec], cohort: &[usize], pickable: &[usize]) -> Vec<PathwaySpec> {
    let mut pathways = vec![PathwaySpec {
        id: 1,
        slug: "ai-ready-educator".into(),
        title: "AI-Ready Educator".into(),
        summary: "Four courses across the three strands: how AI works, using it responsibly, and in class.".into(),
        items: cohort.to_vec(),
    }];
    for n in 1..PATHWAYS {
        let mut chosen: Vec<usize> = Vec::with_capacity(COHORT_ITEMS);
        while chosen.len() < COHORT_ITEMS.min(pickable.len()) {
            let item = *pick(rng, pickable);
            if !chosen.contains(&item) {
                chosen.push(item);
            }
        }
        let title = format!("Pathway {}: {}", n + 1, items[chosen[0]].title);
        pathways.push(PathwaySpec {
            id: n as i64 + 1,
            slug: format!("pathway-{}", n + 1),
            summary: format!("Four items, starting with {}.", items[chosen[0]].title),
            title,
            items: chosen,
        });
    }
    pathways
}
