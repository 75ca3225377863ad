//! Numbers as people read them on a page: thousands separators ("400,000") and percentages
//! that do not round a real share down to nothing ("65 of 400,000" is 0.02%, not 0.0%).
//! Files for machines (CSV, JSON) keep plain numbers.

/// An integer with thousands separators: `400000` → `400,000`, `-1234` → `-1,234`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Tenths (PD hours are kept in tenths) with separators and one decimal: `12345` → `1,234.5`.
pub fn grouped_tenths(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    let whole = i64::try_from(abs / 10).unwrap_or(i64::MAX);
    format!("{sign}{}.{}", grouped(whole), abs % 10)
}

/// `part` as a share of `whole`, with as many decimals as it takes to show a share that is not
/// zero: `65 of 400,000` → `0.02%`, `1 of 3` → `33.3%`, `3 of 4` → `75%`. Below 0.01% it says
/// so rather than printing zero. A whole of zero or less is `0%`.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 || part <= 0 {
        return "0%".to_owned();
    }
    let share = 100.0 * part as f64 / whole as f64;
    if share < 0.01 {
        return "less than 0.01%".to_owned();
    }
    let text = if share < 1.0 { format!("{share:.2}") } else { format!("{share:.1}") };
    // 75.0 reads better as 75; 0.50 as 0.5.
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(400_000), "400,000");
        assert_eq!(grouped(5_000_000), "5,000,000");
        assert_eq!(grouped(-1234), "-1,234");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn tenths_keep_their_decimal() {
        assert_eq!(grouped_tenths(0), "0.0");
        assert_eq!(grouped_tenths(15), "1.5");
        assert_eq!(grouped_tenths(12_345), "1,234.5");
        assert_eq!(grouped_tenths(-25), "-2.5");
    }

    #[test]
    fn small_shares_are_not_rounded_away() {
        assert_eq!(percent(65, 400_000), "0.02%");
        assert_eq!(percent(1, 400_000), "less than 0.01%");
        assert_eq!(percent(2_000, 400_000), "0.5%");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(3, 4), "75%");
        assert_eq!(percent(400_000, 400_000), "100%");
        assert_eq!(percent(0, 400_000), "0%");
        assert_eq!(percent(5, 0), "0%");
    }
}
