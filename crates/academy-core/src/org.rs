//! The organization tree: national → state federation → local union or district → school.
//!
//! Nodes are addressed by a materialized path of ids (`/1/7/42/`), so "is this node at or below
//! that one" is a prefix test that needs no database round trip.

use std::fmt;
use strum::{EnumIter, EnumString, IntoStaticStr};

/// What kind of organization a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, EnumString, IntoStaticStr, serde::Serialize)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// The national program; the one root.
    National,
    /// A state federation of the union.
    StateFederation,
    /// A local union (where a teacher is a member).
    LocalUnion,
    /// A school district, a local education agency in NCES terms.
    District,
    /// A school (where a teacher teaches), with NCES attributes.
    School,
}

impl OrgKind {
    /// The stored and URL form (`state_federation`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How the kind reads in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Self::National => "National program",
            Self::StateFederation => "State federation",
            Self::LocalUnion => "Local union",
            Self::District => "District",
            Self::School => "School",
        }
    }

    /// The kind in the plural, for counts.
    pub fn plural_label(self) -> &'static str {
        match self {
            Self::National => "National programs",
            Self::StateFederation => "State federations",
            Self::LocalUnion => "Local unions",
            Self::District => "Districts",
            Self::School => "Schools",
        }
    }

    /// Whether a node of this kind may hang directly below a node of kind `parent`
    /// (`None`: at the root).
    pub fn may_hang_below(self, parent: Option<OrgKind>) -> bool {
        use OrgKind::*;
        matches!(
            (self, parent),
            (National, None)
                | (StateFederation, Some(National))
                | (LocalUnion | District, Some(StateFederation))
                | (School, Some(District | LocalUnion))
        )
    }

    /// The kinds that may be created directly below this one.
    pub fn child_kinds(self) -> Vec<OrgKind> {
        use strum::IntoEnumIterator;
        OrgKind::iter().filter(|k| k.may_hang_below(Some(self))).collect()
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for OrgKind {
    type Error = strum::ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// NCES urban-centric locale, by its four categories (city, suburb, town, rural).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, EnumString, IntoStaticStr, serde::Serialize)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Codes 11–13.
    City,
    /// Codes 21–23.
    Suburb,
    /// Codes 31–33.
    Town,
    /// Codes 41–43.
    Rural,
}

impl Locale {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Maps a two-digit NCES locale code (`11`…`43`) to its category.
    pub fn from_nces_code(code: &str) -> Option<Self> {
        let code = code.trim();
        if code.len() != 2 || !matches!(code.as_bytes()[1], b'1'..=b'3') {
            return None;
        }
        match code.as_bytes()[0] {
            b'1' => Some(Self::City),
            b'2' => Some(Self::Suburb),
            b'3' => Some(Self::Town),
            b'4' => Some(Self::Rural),
            _ => None,
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::City => "City",
            Self::Suburb => "Suburb",
            Self::Town => "Town",
            Self::Rural => "Rural",
        }
    }
}

impl TryFrom<String> for Locale {
    type Error = strum::ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// A US state, district or territory by its USPS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UsState(&'static str);

const STATES: &[&str] = &[
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS",
    "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY",
    "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
];

impl UsState {
    /// Parses a USPS code, any case.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let upper = raw.trim().to_ascii_uppercase();
        STATES
            .iter()
            .find(|s| **s == upper)
            .map(|s| Self(s))
            .ok_or_else(|| format!("'{}' is not a US state code; use two letters such as TX or NY.", raw.trim()))
    }

    /// The two-letter code.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Every code, in alphabetical order.
    pub fn all() -> impl Iterator<Item = UsState> {
        STATES.iter().map(|s| Self(s))
    }
}

impl TryFrom<String> for UsState {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl fmt::Display for UsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An NCES identifier: 12 digits for a school (`NCESSCH`), 7 for a district (`LEAID`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct NcesId(String);

impl NcesId {
    /// Parses the id a node of `kind` carries. Leading zeros that spreadsheets drop are restored.
    pub fn parse(raw: &str, kind: OrgKind) -> Result<Self, String> {
        let digits = raw.trim();
        let width = match kind {
            OrgKind::School => 12,
            OrgKind::District => 7,
            _ => return Err(format!("A {} has no NCES id.", kind.label().to_lowercase())),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > width {
            return Err(format!("An NCES {} id is {width} digits; got '{digits}'.", kind.label().to_lowercase()));
        }
        Ok(Self(format!("{digits:0>width$}")))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NcesId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let kind = if value.len() == 7 { OrgKind::District } else { OrgKind::School };
        Self::parse(&value, kind)
    }
}

impl fmt::Display for NcesId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a node sits: the ids from the root down to the node, as `/1/7/42/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root node.
    pub fn root(id: i64) -> Self {
        Self(format!("/{id}/"))
    }

    /// The path of a child of this node.
    pub fn child(&self, id: i64) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    /// Whether `other` is this node or below it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this node.
    pub fn ids(&self) -> Vec<i64> {
        self.0.split('/').filter_map(|s| s.parse().ok()).collect()
    }

    /// The node's own id.
    pub fn id(&self) -> Option<i64> {
        self.ids().last().copied()
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgPath {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let well_formed = value.starts_with('/')
            && value.ends_with('/')
            && value.len() > 2
            && value[1..value.len() - 1].split('/').all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
        if well_formed { Ok(Self(value)) } else { Err(format!("malformed organization path '{value}'")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn tree_shape_rules() {
        use OrgKind::*;
        assert!(National.may_hang_below(None));
        assert!(!National.may_hang_below(Some(National)));
        assert!(StateFederation.may_hang_below(Some(National)));
        assert!(LocalUnion.may_hang_below(Some(StateFederation)));
        assert!(District.may_hang_below(Some(StateFederation)));
        assert!(School.may_hang_below(Some(District)));
        assert!(School.may_hang_below(Some(LocalUnion)));
        assert!(!School.may_hang_below(Some(StateFederation)));
        assert!(!School.may_hang_below(None));
        assert!(!District.may_hang_below(Some(District)));
        assert_eq!(StateFederation.child_kinds(), vec![LocalUnion, District]);
        assert!(School.child_kinds().is_empty());
        for kind in OrgKind::iter() {
            assert_eq!(kind.as_str().parse::<OrgKind>().ok(), Some(kind));
        }
    }

    #[test]
    fn locale_codes_map_to_categories() {
        assert_eq!(Locale::from_nces_code("11"), Some(Locale::City));
        assert_eq!(Locale::from_nces_code("23"), Some(Locale::Suburb));
        assert_eq!(Locale::from_nces_code("32"), Some(Locale::Town));
        assert_eq!(Locale::from_nces_code("43"), Some(Locale::Rural));
        assert_eq!(Locale::from_nces_code("00:00:00"), None, "the corrupted CCD district column");
        assert_eq!(Locale::from_nces_code("44"), None);
        assert_eq!(Locale::from_nces_code("-1"), None);
    }

    #[test]
    fn states_and_nces_ids() {
        assert_eq!(UsState::parse(" tx ").map(UsState::as_str), Ok("TX"));
        assert!(UsState::parse("Texas").is_err());
        assert_eq!(NcesId::parse("80000101145", OrgKind::School).map(|n| n.0), Ok("080000101145".into()));
        assert_eq!(NcesId::parse("4800001", OrgKind::District).map(|n| n.0), Ok("4800001".into()));
        assert!(NcesId::parse("48000010114512", OrgKind::School).is_err());
        assert!(NcesId::parse("48A0001", OrgKind::District).is_err());
        assert!(NcesId::parse("1", OrgKind::LocalUnion).is_err());
    }

    #[test]
    fn paths_nest_by_prefix() {
        let national = OrgPath::root(1);
        let texas = national.child(7);
        let austin = texas.child(42);
        let ohio = national.child(8);
        assert!(national.contains(&austin));
        assert!(texas.contains(&austin));
        assert!(austin.contains(&austin));
        assert!(!austin.contains(&texas));
        assert!(!ohio.contains(&austin));
        // `/1/7/` must not contain `/1/77/`.
        assert!(!texas.contains(&national.child(77)));
        assert_eq!(austin.ids(), vec![1, 7, 42]);
        assert_eq!(austin.id(), Some(42));
        assert!(OrgPath::try_from("/1/x/".to_owned()).is_err());
        assert!(OrgPath::try_from("/".to_owned()).is_err());
        assert_eq!(OrgPath::try_from("/1/7/".to_owned()), Ok(texas));
    }
}

/// A node to create, already parsed field by field at the edge.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// The node it hangs below; `None` only for the national root.
    pub parent_id: Option<i64>,
    /// What it is.
    pub kind: OrgKind,
    /// Its name.
    pub name: String,
    /// USPS state code (state federations, districts, schools).
    pub state: Option<UsState>,
    /// NCES id (districts and schools).
    pub nces_id: Option<NcesId>,
    /// NCES locale category (schools).
    pub locale: Option<Locale>,
    /// Whether the school receives Title I funds (schools).
    pub title_i: Option<bool>,
}

impl NewOrg {
    /// Checks that the attributes fit the kind: NCES ids only on districts and schools, locale
    /// and Title I only on schools, and a state on every node below the national one.
    pub fn check_attributes(&self) -> Result<(), crate::FieldErrors> {
        let mut errors = crate::FieldErrors::new();
        let is_school = self.kind == OrgKind::School;
        if self.kind != OrgKind::National && self.state.is_none() {
            errors.add("state", "Choose the state this organization is in.");
        }
        if self.nces_id.is_some() && !matches!(self.kind, OrgKind::School | OrgKind::District) {
            errors.add("nces_id", "Only districts and schools have an NCES id.");
        }
        if !is_school && self.locale.is_some() {
            errors.add("locale", "Only schools have a locale.");
        }
        if !is_school && self.title_i.is_some() {
            errors.add("title_i", "Only schools have a Title I flag.");
        }
        errors.into_result()
    }
}

/// The lowest and the first-beyond path of the subtree rooted at `path`, for a range scan
/// (`path >= low AND path < high`) that an ordinary B-tree index serves. `/` sorts just
/// before `0`, so every path below `/1/7/` lies in `[/1/7/, /1/70)` and nothing else does.
pub fn subtree_bounds(path: &OrgPath) -> (String, String) {
    let low = path.as_str().to_owned();
    let high = format!("{}0", &low[..low.len() - 1]);
    (low, high)
}

#[cfg(test)]
mod subtree_tests {
    use super::*;

    #[test]
    fn bounds_cover_exactly_the_subtree() {
        let texas = OrgPath::root(1).child(7);
        let (low, high) = subtree_bounds(&texas);
        let inside = |p: &str| p >= low.as_str() && p < high.as_str();
        assert!(inside("/1/7/"));
        assert!(inside("/1/7/42/"));
        assert!(inside("/1/7/42/99999/"));
        assert!(!inside("/1/70/"));
        assert!(!inside("/1/77/3/"));
        assert!(!inside("/1/"));
        assert!(!inside("/1/8/"));
    }

    #[test]
    fn attributes_must_fit_the_kind() {
        let school = NewOrg {
            parent_id: Some(3),
            kind: OrgKind::School,
            name: "Lincoln Elementary".into(),
            state: UsState::parse("TX").ok(),
            nces_id: NcesId::parse("480000101145", OrgKind::School).ok(),
            locale: Some(Locale::Rural),
            title_i: Some(true),
        };
        assert!(school.check_attributes().is_ok());
        let local = NewOrg { kind: OrgKind::LocalUnion, ..school.clone() };
        let errors = local.check_attributes().expect_err("a local has no NCES id, locale or Title I");
        assert!(errors.get("nces_id").is_some() && errors.get("locale").is_some() && errors.get("title_i").is_some());
        let stateless = NewOrg { state: None, ..school };
        assert!(stateless.check_attributes().expect_err("state").get("state").is_some());
    }
}
