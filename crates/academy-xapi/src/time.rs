//! ISO 8601 timestamps and durations, each kept in the form it was written together with the
//! value it denotes: the LRS returns what it was given, and compares by value.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use std::fmt;

/// A point in time as ISO 8601 writes it (a combined date and time; RFC 3339 is the profile
/// the specification recommends). Keeps the original text and the instant it denotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    original: String,
    instant: DateTime<Utc>,
}

/// A string that is not an ISO 8601 date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an ISO 8601 timestamp ({reason})")]
pub struct TimestampError {
    /// The rejected text.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Timestamp {
    /// Parses an ISO 8601 combined date and time: calendar date in extended (`2026-03-01`) or
    /// basic (`20260301`) format, `T`, time of day to minutes, seconds or a decimal fraction of
    /// seconds (`.` or `,`), then an optional zone (`Z`, `±hh`, `±hh:mm`, `±hhmm`). ISO 8601
    /// forbids a negative zero offset (`-00:00`), so that is rejected. A timestamp without a
    /// zone is taken to be UTC.
    pub fn parse(text: impl Into<String>) -> Result<Self, TimestampError> {
        let original = text.into();
        match parse_iso8601(&original) {
            Ok(instant) => Ok(Self { original, instant }),
            Err(reason) => Err(TimestampError { input: original, reason }),
        }
    }

    /// A timestamp for `instant`, written in RFC 3339 UTC with every non-zero sub-second digit,
    /// so that the text reads back as the same instant.
    pub fn from_instant(instant: DateTime<Utc>) -> Self {
        Self { original: instant.to_rfc3339_opts(SecondsFormat::AutoSi, true), instant }
    }

    /// The text as it was given.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The instant it denotes.
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// The instant in RFC 3339 UTC, truncated to milliseconds: the form the LRS returns and the
    /// form statements are compared in.
    pub fn to_utc_millis(&self) -> String {
        self.instant.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.original)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(instant: DateTime<Utc>) -> Self {
        Self::from_instant(instant)
    }
}

/// Reads `n` ASCII digits.
fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

fn parse_iso8601(text: &str) -> Result<DateTime<Utc>, &'static str> {
    let s = text.as_bytes();
    let year = digits(s, 4).ok_or("expected a four-digit year")?;
    // Extended format uses separators throughout; basic format none.
    let extended = s.get(4) == Some(&b'-');
    let (month, day, mut at) = if extended {
        let month = s.get(5..).and_then(|r| digits(r, 2)).ok_or("expected a two-digit month")?;
        if s.get(7) != Some(&b'-') {
            return Err("expected '-' before the day");
        }
        let day = s.get(8..).and_then(|r| digits(r, 2)).ok_or("expected a two-digit day")?;
        (month, day, 10)
    } else {
        let month = s.get(4..).and_then(|r| digits(r, 2)).ok_or("expected a two-digit month")?;
        let day = s.get(6..).and_then(|r| digits(r, 2)).ok_or("expected a two-digit day")?;
        (month, day, 8)
    };
    let year = i32::try_from(year).map_err(|_| "year out of range")?;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or("no such calendar date")?;
    if s.get(at) != Some(&b'T') {
        return Err("expected 'T' between date and time");
    }
    at += 1;
    let hour = s.get(at..).and_then(|r| digits(r, 2)).ok_or("expected a two-digit hour")?;
    at += 2;
    let sep = |at: &mut usize| -> Result<(), &'static str> {
        if extended {
            if s.get(*at) != Some(&b':') {
                return Err("expected ':' in the time");
            }
            *at += 1;
        }
        Ok(())
    };
    sep(&mut at)?;
    let minute = s.get(at..).and_then(|r| digits(r, 2)).ok_or("expected two-digit minutes")?;
    at += 2;
    let mut second = 0;
    let mut nanos = 0u32;
    let has_seconds = if extended { s.get(at) == Some(&b':') } else { s.get(at).is_some_and(u8::is_ascii_digit) };
    if has_seconds {
        sep(&mut at)?;
        second = s.get(at..).and_then(|r| digits(r, 2)).ok_or("expected two-digit seconds")?;
        at += 2;
        if matches!(s.get(at), Some(b'.' | b',')) {
            at += 1;
            let start = at;
            while s.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return Err("expected digits after the decimal sign");
            }
            // Nanosecond precision is kept; further digits only survive in the original text.
            let fraction = &text[start..at.min(start + 9)];
            let scale = 10u32.pow(u32::try_from(9 - fraction.len()).map_err(|_| "fraction")?);
            nanos = fraction.parse::<u32>().map_err(|_| "bad fraction")? * scale;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("time of day out of range");
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or("time of day out of range")?;
    let local = date.and_time(time);
    let rest = &s[at..];
    let offset_seconds: i32 = match rest {
        [] => 0,
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let hours = digits(zone, 2).ok_or("expected a two-digit zone hour")?;
            let minutes = match &zone[2..] {
                [] => 0,
                [b':', m @ ..] if extended && m.len() == 2 => digits(m, 2).ok_or("expected zone minutes")?,
                m if !extended && m.len() == 2 => digits(m, 2).ok_or("expected zone minutes")?,
                _ => return Err("malformed time zone"),
            };
            if hours > 23 || minutes > 59 {
                return Err("time zone out of range");
            }
            if *sign == b'-' && hours == 0 && minutes == 0 {
                return Err("ISO 8601 does not allow a negative zero offset");
            }
            let magnitude = i32::try_from(hours * 3600 + minutes * 60).map_err(|_| "zone")?;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return Err("unexpected text after the time"),
    };
    let offset = FixedOffset::east_opt(offset_seconds).ok_or("time zone out of range")?;
    let instant = offset.from_local_datetime(&local).single().ok_or("time out of range")?;
    Ok(instant.with_timezone(&Utc))
}

/// An amount of time in the ISO 8601 duration format (`PT1H0M0S`, `P3Y`, `P4W`,
/// `PT16559.14S`), kept as written: the specification compares durations as strings (only
/// precision beyond hundredths of a second is ignored), because months and years have no fixed
/// length.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Duration(String);

/// A string that is not an ISO 8601 duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an ISO 8601 duration ({reason})")]
pub struct DurationError {
    /// The rejected text.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Duration {
    /// Checks the ISO 8601:2004 §4.4.3.2 format: `P`, then years, months, days, and after `T`
    /// hours, minutes, seconds, each a number and its designator, in that order, at least one
    /// present; or `PnW` alone. Only the last component may carry a decimal fraction. The
    /// alternative format (`P0001-02-03T04:05:06`) is not allowed by xAPI.
    pub fn parse(text: impl Into<String>) -> Result<Self, DurationError> {
        let text = text.into();
        match check_duration(&text) {
            Ok(()) => Ok(Self(text)),
            Err(reason) => Err(DurationError { input: text, reason }),
        }
    }

    /// The duration of `d`, written in hours, minutes and seconds to hundredths of a second
    /// (the precision the specification asks for; finer precision is truncated).
    pub fn from_std(d: std::time::Duration) -> Self {
        let centis = d.as_millis() / 10;
        let (hours, rest) = (centis / 360_000, centis % 360_000);
        let (minutes, rest) = (rest / 6_000, rest % 6_000);
        let (seconds, hundredths) = (rest / 100, rest % 100);
        let mut out = String::from("PT");
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if hundredths > 0 {
            let frac = format!("{hundredths:02}");
            out.push_str(&format!("{seconds}.{}S", frac.trim_end_matches('0')));
        } else if seconds > 0 || (hours == 0 && minutes == 0) {
            out.push_str(&format!("{seconds}S"));
        }
        Self(out)
    }

    /// For text this crate produced itself.
    pub(crate) fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The text as it was given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length of time, when it has a fixed one (no years or months; a day counts as 24
    /// hours and a week as 7 days).
    pub fn to_std(&self) -> Option<std::time::Duration> {
        let mut total = 0.0_f64;
        let mut in_time = false;
        let mut number = String::new();
        for c in self.0.chars().skip(1) {
            match c {
                'T' => in_time = true,
                '0'..='9' | '.' => number.push(c),
                ',' => number.push('.'),
                designator => {
                    let value: f64 = number.parse().ok()?;
                    number.clear();
                    total += value
                        * match (designator, in_time) {
                            ('W', false) => 604_800.0,
                            ('D', false) => 86_400.0,
                            ('H', true) => 3_600.0,
                            ('M', true) => 60.0,
                            ('S', true) => 1.0,
                            _ => return None,
                        };
                }
            }
        }
        std::time::Duration::try_from_secs_f64(total).ok()
    }

    /// The text with any precision beyond hundredths of a second dropped from the seconds
    /// (`PT1.2345S` → `PT1.23S`, `PT1.50S` → `PT1.5S`): the form durations are compared in.
    pub fn to_comparable(&self) -> String {
        let Some(body) = self.0.strip_suffix('S') else { return self.0.clone() };
        let start = body.rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(0, |i| i + 1);
        let (head, seconds) = body.split_at(start);
        let Some((whole, fraction)) = seconds.split_once(['.', ',']) else { return self.0.clone() };
        let kept = fraction.get(..2).unwrap_or(fraction).trim_end_matches('0');
        if kept.is_empty() { format!("{head}{whole}S") } else { format!("{head}{whole}.{kept}S") }
    }
}

fn check_duration(text: &str) -> Result<(), &'static str> {
    let rest = text.strip_prefix('P').ok_or("must start with 'P'")?;
    if rest.is_empty() {
        return Err("needs at least one component");
    }
    // Designators in the order they may appear; weeks stand alone.
    const DATE: [char; 4] = ['Y', 'M', 'W', 'D'];
    const TIME: [char; 3] = ['H', 'M', 'S'];
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err("'T' must be followed by hours, minutes or seconds");
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut components = 0;
    let mut fraction_seen = false;
    let mut scan = |part: &str, order: &[char]| -> Result<Vec<char>, &'static str> {
        let mut seen = Vec::new();
        let mut next = 0;
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(c);
                continue;
            }
            let position = order[next..].iter().position(|&d| d == c).ok_or("designators out of order or unknown")?;
            next += position + 1;
            if number.is_empty() {
                return Err("a designator needs a number before it");
            }
            if fraction_seen {
                return Err("only the last component may have a fraction");
            }
            let mut pieces = number.splitn(2, ['.', ',']);
            let whole = pieces.next().unwrap_or_default();
            if whole.is_empty() || number.matches(['.', ',']).count() > 1 {
                return Err("malformed number");
            }
            if let Some(fraction) = pieces.next() {
                if fraction.is_empty() {
                    return Err("malformed number");
                }
                fraction_seen = true;
            }
            number.clear();
            seen.push(c);
            components += 1;
        }
        if !number.is_empty() {
            return Err("a number needs a designator after it");
        }
        Ok(seen)
    };
    let date_seen = scan(date_part, &DATE)?;
    if date_seen.contains(&'W') && (date_seen.len() > 1 || time_part.is_some()) {
        return Err("weeks cannot be combined with other components");
    }
    if let Some(time) = time_part {
        scan(time, &TIME)?;
    }
    if components == 0 {
        return Err("needs at least one component");
    }
    Ok(())
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_timestamps_parse_to_the_same_instant() {
        let a = Timestamp::parse("2013-05-18T05:32:34.804+00:00").expect("rfc3339");
        let b = Timestamp::parse("2013-05-18T07:32:34.804+02:00").expect("offset");
        let c = Timestamp::parse("20130518T053234.804Z").expect("basic");
        let d = Timestamp::parse("2013-05-18T05:32:34,804Z").expect("comma");
        let e = Timestamp::parse("2013-05-18T05:32:34.804").expect("no zone is UTC");
        assert_eq!(a.instant(), b.instant());
        assert_eq!(a.instant(), c.instant());
        assert_eq!(a.instant(), d.instant());
        assert_eq!(a.instant(), e.instant());
        assert_eq!(b.as_str(), "2013-05-18T07:32:34.804+02:00");
        assert_eq!(b.to_utc_millis(), "2013-05-18T05:32:34.804Z");
        assert!(Timestamp::parse("2015-12-18T12:17:00+00:00").is_ok());
        assert!(Timestamp::parse("2015-12-18T12:17Z").is_ok());
        assert!(Timestamp::parse("2008-09-15T15:53:00.601-05").is_ok());
        assert!(Timestamp::parse("2008-09-15T15:53:00.123456789123Z").is_ok());
    }

    #[test]
    fn instants_keep_their_precision_through_text() {
        let at = Utc.timestamp_opt(1_772_000_000, 123_456_789).single().expect("instant");
        let t = Timestamp::from_instant(at);
        assert_eq!(t.as_str(), "2026-02-25T06:13:20.123456789Z");
        assert_eq!(Timestamp::parse(t.as_str()).expect("reads back"), t);
        assert_eq!(t.to_utc_millis(), "2026-02-25T06:13:20.123Z");
    }

    #[test]
    fn malformed_timestamps_fail() {
        for bad in [
            "",
            "should fail",
            "01/011/2015",
            "2008-09-15",
            "2008-09-15 15:53:00Z",
            "2008-09-15T15:53:00.601-00",
            "2008-09-15T15:53:00.601-0000",
            "2008-09-15T15:53:00.601-00:00",
            "2008-02-30T00:00:00Z",
            "2008-09-15T25:00:00Z",
            "2008-09-15T15:53:00.Z",
            "2008-09-15T15:53:00+0100",
            "20080915T15:53:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_follow_the_iso_format() {
        for ok in
            ["PT1H0M0S", "PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0S", "P1D", "PT1,5S"]
        {
            assert!(Duration::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "P",
            "PT",
            "1H",
            "P4W1D",
            "PT1.5H2M",
            "P1H",
            "PT1D",
            "P0001-02-03T04:05:06",
            "PT1..5S",
            "PTS",
            "pt1s",
            "PT1S2",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_compare_to_hundredths() {
        let d = |s: &str| Duration::parse(s).expect("duration").to_comparable();
        assert_eq!(d("PT1.2345S"), "PT1.23S");
        assert_eq!(d("PT1.50S"), "PT1.5S");
        assert_eq!(d("PT1.001S"), "PT1S");
        assert_eq!(d("P1DT2H"), "P1DT2H");
        assert_eq!(d("PT4H35M59.149S"), "PT4H35M59.14S");
    }

    #[test]
    fn std_durations_round_trip_to_hundredths() {
        let d = Duration::from_std(std::time::Duration::from_millis(3_723_456));
        assert_eq!(d.as_str(), "PT1H2M3.45S");
        assert_eq!(Duration::from_std(std::time::Duration::ZERO).as_str(), "PT0S");
        assert_eq!(Duration::from_std(std::time::Duration::from_secs(120)).as_str(), "PT2M");
        assert_eq!(d.to_std(), Some(std::time::Duration::from_millis(3_723_450)));
        assert_eq!(Duration::parse("P1Y").expect("year").to_std(), None);
        assert!(Duration::parse(d.as_str()).is_ok());
    }
}
