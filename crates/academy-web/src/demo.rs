//! The demo program `academy serve --demo` loads into an empty database: a small national
//! program (three state federations, their districts, schools and locals) and people in every
//! role, so that each home page has something true to show.
//!
//! Every name here is invented; NCES-style ids use the unassigned `99999` district range.

use academy_core::access::Role;
use academy_core::org::NewOrg;
use academy_core::password::NewPassword;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, Locale, NcesId, OrgKind, UsState, time};
use academy_store::orgs::{self, Org};
use academy_store::{Store, Tx, users};
use anyhow::Context;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "learn-together-2026";

/// The name of the demo program's national root, by which it is recognized later.
pub const DEMO_ROOT: &str = "National Educators AI Academy (demo)";

/// A demo account to print at start-up.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Sign-in email.
    pub email: &'static str,
    /// What they can do.
    pub role: &'static str,
}

/// The accounts worth signing in as.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { email: "admin@academy.test", role: "program admin (national)" },
    DemoAccount { email: "texas.admin@academy.test", role: "org admin (Texas federation)" },
    DemoAccount { email: "facilitator@academy.test", role: "facilitator (Riverbend ISD)" },
    DemoAccount { email: "teacher@academy.test", role: "teacher (Riverbend Elementary)" },
    DemoAccount { email: "researcher@academy.test", role: "researcher (national, aggregates only)" },
];

/// What loading did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The demo program was loaded now.
    Loaded,
    /// It was already there (a later start); nothing changed.
    AlreadyPresent,
    /// The database holds another program; the demo was not loaded.
    OtherProgramPresent,
}

struct School {
    name: &'static str,
    nces: &'static str,
    locale: Locale,
    title_i: bool,
}

struct StateDemo {
    state: &'static str,
    federation: &'static str,
    district: &'static str,
    lea: &'static str,
    local: &'static str,
    schools: &'static [School],
}

const STATES: &[StateDemo] = &[
    StateDemo {
        state: "TX",
        federation: "Texas Federation of Educators",
        district: "Riverbend Independent School District",
        lea: "4899901",
        local: "Riverbend Education Association",
        schools: &[
            School { name: "Riverbend Elementary School", nces: "489990100001", locale: Locale::City, title_i: true },
            School { name: "Riverbend Middle School", nces: "489990100002", locale: Locale::Suburb, title_i: false },
            School { name: "Cedar Hollow High School", nces: "489990100003", locale: Locale::Rural, title_i: true },
        ],
    },
    StateDemo {
        state: "OH",
        federation: "Ohio Federation of Educators",
        district: "Lakeshore City Schools",
        lea: "3999901",
        local: "Lakeshore Teachers Association",
        schools: &[
            School { name: "Lakeshore Elementary School", nces: "399990100001", locale: Locale::City, title_i: true },
            School { name: "Harbor View Middle School", nces: "399990100002", locale: Locale::Suburb, title_i: false },
            School { name: "Lakeshore High School", nces: "399990100003", locale: Locale::City, title_i: false },
        ],
    },
    StateDemo {
        state: "NM",
        federation: "New Mexico Federation of Educators",
        district: "Mesa Alta Public Schools",
        lea: "3599901",
        local: "Mesa Alta Federation of Teachers",
        schools: &[
            School { name: "Mesa Alta Elementary School", nces: "359990100001", locale: Locale::Town, title_i: true },
            School { name: "Piñon Ridge Middle School", nces: "359990100002", locale: Locale::Rural, title_i: true },
        ],
    },
];

const FIRST: &[&str] = &[
    "Amara", "Ben", "Carmen", "Deshawn", "Elena", "Farah", "Gabriel", "Hana", "Isaac", "Jada", "Kofi", "Lucia",
    "Mateo", "Nadia", "Owen", "Paloma", "Quinn", "Rahul", "Sofia", "Tomas",
];
const LAST: &[&str] = &[
    "Alvarez", "Brooks", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Johnson", "Kowalski",
    "Lopez", "Mensah", "Nguyen", "Olsen", "Patel",
];

/// Teachers generated per school, besides the named accounts.
const TEACHERS_PER_SCHOOL: usize = 8;

/// Loads the demo program if the database has no program yet.
pub async fn load(store: &Store) -> anyhow::Result<DemoOutcome> {
    if let Some(root) = orgs::root(store).await? {
        return Ok(if root.name == DEMO_ROOT { DemoOutcome::AlreadyPresent } else { DemoOutcome::OtherProgramPresent });
    }
    let password = NewPassword::parse(DEMO_PASSWORD, None).map_err(|e| anyhow::anyhow!("demo password: {e}"))?;
    // One hash serves every demo account: they share a password, and hashing each would only
    // slow the first start.
    let hash = tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned();
    let now = time::now();
    let mut tx = store.begin().await?;
    let national = create(&mut tx, None, OrgKind::National, DEMO_ROOT, None).await?;
    let mut riverbend = None;
    let mut school_ids = Vec::new();
    for demo in STATES {
        let state = UsState::parse(demo.state).map_err(anyhow::Error::msg)?;
        let federation =
            create(&mut tx, Some(&national), OrgKind::StateFederation, demo.federation, Some(state)).await?;
        let mut district = org(Some(&federation), OrgKind::District, demo.district, Some(state));
        district.nces_id = Some(NcesId::parse(demo.lea, OrgKind::District).map_err(anyhow::Error::msg)?);
        let district = orgs::create(&mut tx, &district, now).await?;
        let local = create(&mut tx, Some(&federation), OrgKind::LocalUnion, demo.local, Some(state)).await?;
        for school in demo.schools {
            let mut new = org(Some(&district), OrgKind::School, school.name, Some(state));
            new.nces_id = Some(NcesId::parse(school.nces, OrgKind::School).map_err(anyhow::Error::msg)?);
            new.locale = Some(school.locale);
            new.title_i = Some(school.title_i);
            let created = orgs::create(&mut tx, &new, now).await?;
            school_ids.push((created.id, local.id));
        }
        if riverbend.is_none() {
            riverbend = Some((federation, district, local));
        }
    }
    let (texas, district, local) = riverbend.context("the demo has a first state")?;
    let (first_school, _) = *school_ids.first().context("the demo has schools")?;

    // (email, name, role, where the role applies, school, local)
    type Person<'a> = (&'a str, &'a str, Role, i64, Option<i64>, Option<i64>);
    let people: [Person; 5] = [
        ("admin@academy.test", "Morgan Ellis", Role::ProgramAdmin, national.id, None, None),
        ("texas.admin@academy.test", "Rosa Delgado", Role::OrgAdmin, texas.id, None, Some(local.id)),
        ("facilitator@academy.test", "Jamal Carter", Role::Facilitator, district.id, None, Some(local.id)),
        ("teacher@academy.test", "Priya Natarajan", Role::Teacher, first_school, Some(first_school), Some(local.id)),
        ("researcher@academy.test", "Helen Okafor", Role::Researcher, national.id, None, None),
    ];
    for (email, name, role, at, school, local) in people {
        let id = person(&mut tx, email, name, &hash, school, local).await?;
        users::add_grant(&mut tx, id, at, role, None, now).await?;
    }
    let mut n = 0;
    for (school_id, local_id) in &school_ids {
        for _ in 0..TEACHERS_PER_SCHOOL {
            let first = FIRST[n % FIRST.len()];
            let last = LAST[(n / FIRST.len() + n) % LAST.len()];
            let email = format!("{}.{}{}@academy.test", first.to_lowercase(), last.to_lowercase(), n);
            let id =
                person(&mut tx, &email, &format!("{first} {last}"), &hash, Some(*school_id), Some(*local_id)).await?;
            users::add_grant(&mut tx, id, *school_id, Role::Teacher, None, now).await?;
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(DemoOutcome::Loaded)
}

fn org(parent: Option<&Org>, kind: OrgKind, name: &str, state: Option<UsState>) -> NewOrg {
    NewOrg {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.to_owned(),
        state,
        nces_id: None,
        locale: None,
        title_i: None,
    }
}

async fn create(
    tx: &mut Tx,
    parent: Option<&Org>,
    kind: OrgKind,
    name: &str,
    state: Option<UsState>,
) -> anyhow::Result<Org> {
    Ok(orgs::create(tx, &org(parent, kind, name, state), time::now()).await?)
}

async fn person(
    tx: &mut Tx,
    email: &str,
    name: &str,
    hash: &str,
    school: Option<i64>,
    local: Option<i64>,
) -> anyhow::Result<i64> {
    let new = NewUser {
        email: Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {e}"))?,
        display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
        password_hash: Some(hash.to_owned()),
        school_id: school,
        local_id: local,
    };
    Ok(users::create(tx, &new, time::now()).await?)
}
