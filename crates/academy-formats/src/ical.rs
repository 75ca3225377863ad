//! iCalendar (RFC 5545) feeds of workshop sessions: one `VCALENDAR` of `VEVENT`s that a
//! teacher's calendar application subscribes to or imports.
//!
//! Only writing lives here. Times are written in UTC (`YYYYMMDDTHHMMSSZ`) so no `VTIMEZONE` is
//! needed; TEXT values are escaped (RFC 5545 §3.3.11) and content lines are folded at 75 octets
//! without splitting a UTF-8 character (§3.1). A changed session keeps its `uid` and raises its
//! `sequence`; a cancelled one stays in the feed with `STATUS:CANCELLED`, so that calendars
//! remove it instead of keeping a stale copy.

use chrono::{DateTime, Utc};

/// Whether an event takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// It takes place.
    Confirmed,
    /// It was called off.
    Cancelled,
    /// Not yet certain.
    Tentative,
}

impl EventStatus {
    /// The `STATUS` value.
    pub fn as_ical(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Cancelled => "CANCELLED",
            EventStatus::Tentative => "TENTATIVE",
        }
    }
}

/// One calendar event (a workshop session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Globally unique and stable across updates, e.g. `session-42@academy.example.org`.
    pub uid: String,
    /// The title.
    pub summary: String,
    /// Plain text shown with the event (not HTML, not Markdown).
    pub description: String,
    /// Where it happens (an address, or "Online").
    pub location: Option<String>,
    /// The session's page or join link.
    pub url: Option<String>,
    /// When it starts.
    pub starts: DateTime<Utc>,
    /// When it ends.
    pub ends: DateTime<Utc>,
    /// Whether it takes place.
    pub status: EventStatus,
    /// Revision number: raise it on every change so calendars replace their copy.
    pub sequence: u32,
    /// When this revision of the event was written (`DTSTAMP`).
    pub stamp: DateTime<Utc>,
    /// The organizer's name and email address.
    pub organizer: Option<(String, String)>,
}

/// Writes a complete calendar named `name` holding `events`, with CRLF line endings.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Academy//Academy Calendar//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(name)));
    for event in events {
        write_event(&mut out, event);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn write_event(out: &mut String, e: &Event) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", escape_text(&e.uid)));
    line(out, &format!("DTSTAMP:{}", utc(e.stamp)));
    line(out, &format!("DTSTART:{}", utc(e.starts)));
    line(out, &format!("DTEND:{}", utc(e.ends)));
    line(out, &format!("SEQUENCE:{}", e.sequence));
    line(out, &format!("STATUS:{}", e.status.as_ical()));
    line(out, &format!("SUMMARY:{}", escape_text(&e.summary)));
    if !e.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", escape_text(&e.description)));
    }
    if let Some(location) = &e.location {
        line(out, &format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(url) = &e.url {
        // URI values are not TEXT: no backslash escaping, but nothing that could end the line.
        let url: String = url.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
        line(out, &format!("URL:{url}"));
    }
    if let Some((name, email)) = &e.organizer {
        let email: String = email.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
        line(out, &format!("ORGANIZER;CN={}:mailto:{email}", quote_param(name)));
    }
    line(out, "END:VEVENT");
}

/// A date-time in UTC form, `19970714T173000Z`.
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11). Other
/// control characters are not allowed in TEXT and are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value in double quotes. A quoted-string cannot hold a double quote or a control
/// character (RFC 5545 §3.1), so those become an apostrophe and nothing.
fn quote_param(value: &str) -> String {
    let inner: String = value.chars().filter(|c| !c.is_control()).map(|c| if c == '"' { '\'' } else { c }).collect();
    format!("\"{inner}\"")
}

/// Appends one content line, folded, with its CRLF.
fn line(out: &mut String, content: &str) {
    out.push_str(&fold(content));
    out.push_str("\r\n");
}

/// Folds a content line so that no physical line exceeds 75 octets (the leading space of a
/// continuation counts), breaking only between UTF-8 characters.
pub fn fold(content: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(content.len() + content.len() / 64 * 3);
    let mut rest = content;
    let mut room = LIMIT;
    while rest.len() > room {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push_str(head);
        out.push_str("\r\n ");
        rest = tail;
        room = LIMIT - 1;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use icalendar::parser::{Component, read_calendar, unfold};

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0).single().expect("valid time")
    }

    fn session() -> Event {
        Event {
            uid: "session-42@academy.example.org".into(),
            summary: "AI in the classroom; part 1, basics".into(),
            description: "Bring a lesson plan.\nWe'll use C:\\tools and ask: why?".into(),
            location: Some("Hub 3, Room 12; Springfield".into()),
            url: Some("https://academy.example.org/sessions/42".into()),
            starts: at(15, 30),
            ends: at(17, 0),
            status: EventStatus::Confirmed,
            sequence: 2,
            stamp: at(9, 5),
            organizer: Some(("Dana \"DJ\" Jones".into(), "dana@example.org".into())),
        }
    }

    fn events(text: &str) -> Vec<Component<'static>> {
        let unfolded = unfold(text);
        let calendar = read_calendar(&unfolded).expect("an independent parser reads it");
        calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").map(owned).collect()
    }

    fn owned(c: &Component<'_>) -> Component<'static> {
        Component {
            name: c.name.to_owned(),
            properties: c
                .properties
                .iter()
                .map(|p| icalendar::parser::Property {
                    name: p.name.to_owned(),
                    val: p.val.to_owned(),
                    params: p
                        .params
                        .iter()
                        .map(|x| icalendar::parser::Parameter {
                            key: x.key.to_owned(),
                            val: x.val.as_ref().map(|v| v.to_owned()),
                        })
                        .collect(),
                })
                .collect(),
            components: c.components.iter().map(owned).collect(),
        }
    }

    fn prop(c: &Component<'_>, name: &str) -> String {
        c.find_prop(name).map(|p| p.val.clone().unescape_text().as_str().to_owned()).unwrap_or_default()
    }

    #[test]
    fn an_independent_parser_reads_events_back() {
        let mut cancelled = session();
        cancelled.uid = "session-43@academy.example.org".into();
        cancelled.status = EventStatus::Cancelled;
        cancelled.location = None;
        cancelled.url = None;
        cancelled.organizer = None;
        let text = calendar("Workshops: Springfield, IL", &[session(), cancelled]);

        let unfolded = unfold(&text);
        let parsed = read_calendar(&unfolded).expect("parses");
        let name = parsed.properties.iter().find(|p| p.name.as_str() == "X-WR-CALNAME").expect("name");
        assert_eq!(name.val.clone().unescape_text().as_str(), "Workshops: Springfield, IL");
        for (key, value) in [("VERSION", "2.0"), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH")] {
            let p = parsed.properties.iter().find(|p| p.name.as_str() == key).expect(key);
            assert_eq!(p.val.as_str(), value);
        }
        assert!(parsed.properties.iter().any(|p| p.name.as_str() == "PRODID"));

        let events = events(&text);
        assert_eq!(events.len(), 2);
        let e = &events[0];
        assert_eq!(prop(e, "UID"), "session-42@academy.example.org");
        assert_eq!(prop(e, "SUMMARY"), "AI in the classroom; part 1, basics");
        assert_eq!(prop(e, "DESCRIPTION"), "Bring a lesson plan.\nWe'll use C:\\tools and ask: why?");
        assert_eq!(prop(e, "LOCATION"), "Hub 3, Room 12; Springfield");
        assert_eq!(prop(e, "URL"), "https://academy.example.org/sessions/42");
        assert_eq!(prop(e, "DTSTART"), "20260314T153000Z");
        assert_eq!(prop(e, "DTEND"), "20260314T170000Z");
        assert_eq!(prop(e, "DTSTAMP"), "20260314T090500Z");
        assert_eq!(prop(e, "SEQUENCE"), "2");
        assert_eq!(prop(e, "STATUS"), "CONFIRMED");
        let organizer = e.find_prop("ORGANIZER").expect("organizer");
        assert_eq!(organizer.val.as_str(), "mailto:dana@example.org");
        let cn = organizer.params.iter().find(|p| p.key.as_str() == "CN").expect("CN");
        assert_eq!(cn.val.as_ref().map(|v| v.as_str()), Some("Dana 'DJ' Jones"));
        assert_eq!(prop(&events[1], "STATUS"), "CANCELLED");
        assert!(events[1].find_prop("LOCATION").is_none());
    }

    #[test]
    fn every_line_ends_in_crlf_and_fits_75_octets() {
        let mut long = session();
        long.summary = "Différenciation avec l’IA — ".repeat(12);
        long.description = "日本語の説明。".repeat(30);
        let text = calendar("Long", &[long.clone()]);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let body = text.strip_suffix("\r\n").expect("final CRLF");
        for physical in body.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
            assert!(!physical.contains('\n') && !physical.contains('\r'));
        }
        let events = events(&text);
        assert_eq!(prop(&events[0], "SUMMARY"), long.summary);
        assert_eq!(prop(&events[0], "DESCRIPTION"), long.description);
    }

    #[test]
    fn folding_breaks_between_characters() {
        assert_eq!(fold("short"), "short");
        let ascii = "x".repeat(200);
        let folded = fold(&ascii);
        let lines: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [75, 75, 52]);
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        assert_eq!(lines.concat().replace(' ', ""), ascii);
        // 74 ASCII octets then a 3-octet character: it cannot straddle the 75th octet.
        let text = format!("{}€€", "a".repeat(74));
        let folded = fold(&text);
        assert_eq!(folded, format!("{}\r\n €€", "a".repeat(74)));
        assert_eq!(unfold(&folded), text);
        let exactly = "b".repeat(75);
        assert_eq!(fold(&exactly), exactly);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape_text("bell\u{7}tab\t:colon"), "belltab\t:colon");
        assert_eq!(quote_param("A \"B\"\n"), "\"A 'B'\"");
    }

    #[test]
    fn a_hostile_summary_cannot_inject_properties() {
        let mut e = session();
        e.summary = "Nice\r\nBEGIN:VALARM\r\nTRIGGER:-PT1M".into();
        e.url = Some("https://x.example/\r\nATTACH:evil".into());
        e.organizer = Some(("Eve".into(), "eve@example.org\r\nX-EVIL:1".into()));
        let text = calendar("x", &[e]);
        assert!(!text.contains("\r\nBEGIN:VALARM"));
        assert!(!text.contains("\r\nATTACH"));
        assert!(!text.contains("\r\nX-EVIL"));
        let events = events(&text);
        assert!(events[0].components.is_empty());
        assert_eq!(prop(&events[0], "SUMMARY"), "Nice\nBEGIN:VALARM\nTRIGGER:-PT1M");
    }
}
