//! Small helpers the learning pages share: session times in their own time zone, PD hours,
//! Markdown rendered safely.

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

/// Whether a name is an IANA time zone this server knows.
pub fn is_time_zone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// Markdown as safe HTML.
pub fn markdown(text: &str) -> String {
    academy_formats::markdown::render(text)
}

/// Markdown for a short inline text (a quiz choice inside a label): one paragraph is
/// unwrapped, since a label may hold only phrasing content.
pub fn markdown_inline(text: &str) -> String {
    let html = markdown(text);
    let trimmed = html.trim();
    match trimmed.strip_prefix("<p>").and_then(|t| t.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => trimmed.to_owned(),
    }
}

/// Markdown placed under a page's level-2 section heading: its headings move down one level
/// (`##` becomes `<h3>`), keeping the page's outline in order.
pub fn markdown_in_section(text: &str) -> String {
    let mut html = markdown(text);
    for level in (1..=5).rev() {
        html = html
            .replace(&format!("<h{level}"), &format!("<h{}", level + 1))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 1));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn inline_and_section_markdown() {
        assert_eq!(markdown_inline("A *likely* next token"), "A <em>likely</em> next token");
        assert!(markdown_inline("one\n\ntwo").contains("<p>"), "two paragraphs stay paragraphs");
        let section = markdown_in_section("## Why\n\ntext\n\n### How");
        assert!(section.contains("<h3>Why</h3>") && section.contains("<h4>How</h4>"), "{section}");
    }

    #[test]
    fn times_read_in_the_session_zone() {
        let starts = Utc.with_ymd_and_hms(2026, 12, 3, 22, 0, 0).single().expect("time");
        let ends = Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).single().expect("time");
        assert_eq!(time_range(starts, ends, "America/Chicago"), "Thu 3 Dec 2026, 4:00 PM–5:30 PM CST");
        assert_eq!(time_range(starts, ends, "Nowhere/Else"), "Thu 3 Dec 2026, 22:00 – 23:30 UTC");
        assert!(is_time_zone("America/Denver") && !is_time_zone("Mountain"));
    }
}
