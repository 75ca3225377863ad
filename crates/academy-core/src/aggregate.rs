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
            Self::Count(n) => write!(f, "{n}"),
            Self::Suppressed => write!(f, "fewer than {MIN_CELL}"),
            Self::Zero => f.write_str("0"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_withheld() {
        assert_eq!(Cell::of(0), Cell::Zero);
        assert_eq!(Cell::of(1), Cell::Suppressed);
        assert_eq!(Cell::of(MIN_CELL - 1), Cell::Suppressed);
        assert_eq!(Cell::of(MIN_CELL), Cell::Count(MIN_CELL));
        assert_eq!(Cell::of(3).to_string(), "fewer than 10");
    }
}
