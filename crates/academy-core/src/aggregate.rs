//! Aggregates shown to people who may not see individuals: every count below the minimum
//! cell size is suppressed, so that no one can be singled out from a small group.

/// The smallest count shown.
pub const MIN_CELL: i64 = 10;

/// A count as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cell {
    /// Shown as is.
    Count(i64),
    /// Fewer than [`MIN_CELL`] (but more than zero); the number is withheld.
    Suppressed,
    /// None at all. Zero reveals nothing about anyone, so it is shown.
    Zero,
}

impl Cell {
    /// Suppresses `n` when it is small.
    pub fn of(n: i64) -> Self {
        match n {
            n if n <= 0 => Self::Zero,
            n if n < MIN_CELL => Self::Suppressed,
            n => Self::Count(n),
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Count(n) => f.write_str(&crate::numbers::grouped(*n)),
            Self::Suppressed => write!(f, "fewer than {MIN_CELL}"),
            Self::Zero => f.write_str("0"),
        }
    }
}

/// Which rows of a table with a total to withhold whole, for viewers who may see aggregates
/// only. Each row is given by the counts of people it stands for (teachers, credential
/// earners…). A row any of whose people counts is small (1 to [`MIN_CELL`] − 1) is withheld.
/// When that withholds exactly one row, the row with the fewest people among those shown is
/// withheld too (complementary suppression): otherwise subtracting the shown rows from the
/// total would give the withheld one back. When no row is left to withhold beside it, the
/// total is withheld instead.
pub fn rows_to_withhold(rows: &[Vec<i64>]) -> Withholding {
    let small = |counts: &Vec<i64>| counts.iter().any(|n| *n > 0 && *n < MIN_CELL);
    let mut withheld: Vec<bool> = rows.iter().map(small).collect();
    let mut total = false;
    if withheld.iter().filter(|w| **w).count() == 1 {
        let smallest_shown = rows
            .iter()
            .enumerate()
            .filter(|(i, counts)| !withheld[*i] && counts.iter().any(|n| *n > 0))
            .min_by_key(|(i, counts)| (counts.iter().copied().max().unwrap_or(0), *i))
            .map(|(i, _)| i);
        match smallest_shown {
            Some(i) => withheld[i] = true,
            None => total = true,
        }
    }
    Withholding { rows: withheld, total }
}

/// What [`rows_to_withhold`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withholding {
    /// For each row, whether it is withheld.
    pub rows: Vec<bool>,
    /// Whether the total must be withheld too.
    pub total: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_small_row_takes_the_next_smallest_with_it() {
        let rows = vec![vec![40, 3], vec![12, 0], vec![4, 0], vec![0, 0], vec![25, 11]];
        // Rows 0 (3 earners) and 2 (4 teachers) are small: two withheld, nothing more.
        assert_eq!(rows_to_withhold(&rows), Withholding { rows: vec![true, false, true, false, false], total: false });
        let rows = vec![vec![40, 30], vec![12, 0], vec![4, 0], vec![0, 0], vec![25, 11]];
        // Only row 2 is small: the smallest shown row with anyone in it (row 1) goes too; the
        // empty row stays, as zero reveals nothing.
        assert_eq!(rows_to_withhold(&rows), Withholding { rows: vec![false, true, true, false, false], total: false });
        let rows = vec![vec![4, 0], vec![0, 0]];
        assert_eq!(rows_to_withhold(&rows), Withholding { rows: vec![true, false], total: true });
        assert_eq!(rows_to_withhold(&[vec![10, 12]]), Withholding { rows: vec![false], total: false });
    }

    #[test]
    fn counts_print_with_thousands_separators() {
        assert_eq!(Cell::of(400_000).to_string(), "400,000");
    }

    #[test]
    fn small_counts_are_withheld() {
        assert_eq!(Cell::of(0), Cell::Zero);
        assert_eq!(Cell::of(1), Cell::Suppressed);
        assert_eq!(Cell::of(MIN_CELL - 1), Cell::Suppressed);
        assert_eq!(Cell::of(MIN_CELL), Cell::Count(MIN_CELL));
        assert_eq!(Cell::of(3).to_string(), "fewer than 10");
    }
}
