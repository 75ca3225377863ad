//! Times as people at a session read them: in the session's own time zone.

use academy_store::workshops::Session;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A session's time as people at the session read it: "Tue 3 Dec 2026, 4:00–5:30 PM CST".
pub fn session_time(session: &Session) -> String {
    time_range(session.starts_at, session.ends_at, &session.time_zone)
}

/// A time range in an IANA zone (UTC when the zone is unknown).
pub fn time_range(starts: DateTime<Utc>, ends: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(tz) => {
            let (s, e) = (starts.with_timezone(&tz), ends.with_timezone(&tz));
            if s.date_naive() == e.date_naive() {
                format!("{}–{} {}", s.format("%a %-d %b %Y, %-I:%M %p"), e.format("%-I:%M %p"), s.format("%Z"))
            } else {
                format!(
                    "{} – {} {}",
                    s.format("%a %-d %b %Y, %-I:%M %p"),
                    e.format("%a %-d %b %Y, %-I:%M %p"),
                    e.format("%Z")
                )
            }
        }
        Err(_) => format!("{} – {} UTC", starts.format("%a %-d %b %Y, %H:%M"), ends.format("%H:%M")),
    }
}

/// The time zones of the United States and its territories that the session form offers, as
/// (IANA name, how it reads), east to west.
pub const US_TIME_ZONES: &[(&str, &str)] = &[
    ("America/Puerto_Rico", "Atlantic: Puerto Rico, US Virgin Islands"),
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Mountain, Arizona (no daylight saving time)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("America/Adak", "Hawaii–Aleutian: Aleutian Islands"),
    ("Pacific/Honolulu", "Hawaii"),
    ("Pacific/Pago_Pago", "Samoa: American Samoa"),
    ("Pacific/Guam", "Chamorro: Guam, Northern Mariana Islands"),
];

/// Whether a name is an IANA time zone this server knows.
pub fn is_time_zone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_read_in_the_session_zone() {
        let starts = Utc.with_ymd_and_hms(2026, 12, 3, 22, 0, 0).single().expect("time");
        let ends = Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).single().expect("time");
        assert_eq!(time_range(starts, ends, "America/Chicago"), "Thu 3 Dec 2026, 4:00 PM–5:30 PM CST");
        assert_eq!(time_range(starts, ends, "Nowhere/Else"), "Thu 3 Dec 2026, 22:00 – 23:30 UTC");
        assert!(is_time_zone("America/Denver") && !is_time_zone("Mountain"));
        assert!(US_TIME_ZONES.iter().all(|(zone, _)| is_time_zone(zone)), "every offered zone is known");
    }
}
