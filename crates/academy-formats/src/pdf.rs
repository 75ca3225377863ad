//! Printable documents: a teacher's PD transcript and a completion certificate, as PDF.
//!
//! Drawn with `printpdf` using only the PDF's built-in Helvetica faces, so nothing is embedded
//! and nothing is read from the system. Those faces are WinAnsi (Windows-1252) encoded: text is
//! first mapped into that set ([`printable`]); letters with diacritics outside it lose the
//! diacritic (`Ł` → `L`, `ș` → `s`) and anything else (CJK, emoji) prints as `?`. Callers can ask
//! [`is_printable`] to warn before printing a name that would change.
//!
//! Layout is computed here with the faces' real advance widths (from the metric-compatible
//! subsets printpdf ships), so centred and wrapped text lands where it should.
//!
//! - [`transcript`]: US Letter portrait, a table of completed items over as many pages as it
//!   needs, the page header and column heads repeated on every page, page numbers, the total.
//! - [`certificate`]: US Letter landscape, with a QR code of the verification URL drawn as
//!   vector squares and the URL printed (and linked) beneath it.

use academy_core::learning::PdHours;
use chrono::{DateTime, NaiveDate, Utc};
use printpdf::{
    Actions, BorderArray, BuiltinFont, Color, Line, LineCapStyle, LinePoint, LinkAnnotation, Mm, Op, PaintMode,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A teacher's record of completed learning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The program, printed at the top of every page.
    pub program_name: String,
    /// Whose transcript it is.
    pub person_name: String,
    /// When it was generated.
    pub generated_at: DateTime<Utc>,
    /// Completed items, in the order to print them.
    pub rows: Vec<TranscriptRow>,
    /// The total PD hours, as the program counts them.
    pub total_hours: PdHours,
}

/// One completed item on a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptRow {
    /// When it was completed.
    pub completed_on: NaiveDate,
    /// The item's title.
    pub title: String,
    /// What kind of item it was, as shown ("Course", "Workshop", "Hands-on lab").
    pub kind_label: String,
    /// PD hours earned.
    pub pd_hours: PdHours,
    /// The credential it earned, if any.
    pub credential: Option<String>,
}

/// A completion certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Who earned it.
    pub recipient_name: String,
    /// What was achieved (the course, lab or pathway).
    pub achievement_name: String,
    /// One or two sentences about the achievement.
    pub description: String,
    /// Who issues it (the program or organization).
    pub issuer_name: String,
    /// When it was issued.
    pub issued_on: NaiveDate,
    /// PD hours it carries (not printed when zero).
    pub pd_hours: PdHours,
    /// Where anyone can verify it; printed, linked and drawn as a QR code.
    pub verification_url: String,
}

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The verification URL is not an `http(s)://` URL.
    #[error("the verification URL must start with https:// or http://")]
    NotAUrl,
    /// The URL is too long for a QR code.
    #[error("the verification URL cannot be drawn as a QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

// US Letter, in points: the program's teachers print on it.
const LETTER_W: f32 = 612.0;
const LETTER_H: f32 = 792.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;

const INK: (f32, f32, f32) = (0.12, 0.14, 0.17);
const MUTED: (f32, f32, f32) = (0.38, 0.41, 0.45);
const ACCENT: (f32, f32, f32) = (0.07, 0.24, 0.47);
const RULE: (f32, f32, f32) = (0.75, 0.77, 0.80);

const REGULAR: BuiltinFont = BuiltinFont::Helvetica;
const BOLD: BuiltinFont = BuiltinFont::HelveticaBold;

// ---------------------------------------------------------------------------------------------
// Text that the built-in fonts can show, and how wide it is.

/// Whether `text` prints exactly as given with the built-in fonts.
pub fn is_printable(text: &str) -> bool {
    text.chars().all(|c| winansi(c) || c == '\n' || c == '\t')
}

/// `text` mapped into the WinAnsi set: controls become spaces, letters outside it lose their
/// diacritic where that leaves a Latin letter, and anything else becomes `?`.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if winansi(c) => c,
            c if c.is_control() || c.is_whitespace() => ' ',
            '\u{2010}'..='\u{2012}' | '\u{2212}' => '-',
            '\u{2015}' => '\u{2014}',
            '\u{2032}' => '\'',
            '\u{2033}' => '"',
            '\u{0100}'..='\u{017f}' => LATIN_EXTENDED_A.as_bytes()[c as usize - 0x100] as char,
            '\u{0218}' => 'S',
            '\u{0219}' => 's',
            '\u{021a}' => 'T',
            '\u{021b}' => 't',
            _ => '?',
        })
        .collect()
}

/// The base letter of each character from U+0100 to U+017F (Latin Extended-A).
const LATIN_EXTENDED_A: &str = concat!(
    "AaAaAaCcCcCcCcDd",
    "DdEeEeEeEeEeGgGg",
    "GgGgHhHhIiIiIiIi",
    "IiIiJjKkkLlLlLlL",
    "lLlNnNnNnnNnOoOo",
    "OoOoRrRrRrSsSsSs",
    "SsTtTtTtUuUuUuUu",
    "UuUuWwYyYZzZzZzs",
);

/// Whether WinAnsiEncoding (PDF 32000-1 Annex D.2) has the character.
fn winansi(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ff}')
        || matches!(
            c,
            '€' | '‚'
                | 'ƒ'
                | '„'
                | '…'
                | '†'
                | '‡'
                | 'ˆ'
                | '‰'
                | 'Š'
                | '‹'
                | 'Œ'
                | 'Ž'
                | '‘'
                | '’'
                | '“'
                | '”'
                | '•'
                | '–'
                | '—'
                | '˜'
                | '™'
                | 'š'
                | '›'
                | 'œ'
                | 'ž'
                | 'Ÿ'
        )
}

/// Advance widths of one face, in thousandths of an em.
struct Metrics(BTreeMap<char, f32>);

impl Metrics {
    fn load(font: BuiltinFont) -> Self {
        let mut widths = BTreeMap::new();
        if let Some(parsed) = font.get_parsed_font() {
            let per_em = f32::from(parsed.units_per_em.max(1));
            for c in (' '..='\u{ff}').chain("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".chars())
            {
                if let Some(width) = parsed.lookup_glyph_index(u32::from(c)).and_then(|g| parsed.get_glyph_width(g)) {
                    widths.insert(c, f32::from(width) * 1000.0 / per_em);
                }
            }
        }
        Self(widths)
    }

    /// Width in points of already-printable `text` at `size`.
    fn width(&self, text: &str, size: f32) -> f32 {
        // Helvetica averages a little over half an em; used only if a glyph is unknown.
        text.chars().map(|c| self.0.get(&c).copied().unwrap_or(556.0)).sum::<f32>() * size / 1000.0
    }
}

static REGULAR_METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::load(REGULAR));
static BOLD_METRICS: LazyLock<Metrics> = LazyLock::new(|| Metrics::load(BOLD));

fn metrics(font: BuiltinFont) -> &'static Metrics {
    if font == BOLD { &BOLD_METRICS } else { &REGULAR_METRICS }
}

/// Breaks printable `text` into lines no wider than `width`, at spaces where it can and inside
/// a word only when one word is wider than a line.
fn wrap(text: &str, font: BuiltinFont, size: f32, width: f32) -> Vec<String> {
    let m = metrics(font);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if m.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: split it if it still does not fit (long URLs, long names).
        for c in word.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && m.width(&next, size) > width {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// At most `max` lines of `text`, the last ending in an ellipsis if some were cut.
fn wrap_at_most(text: &str, font: BuiltinFont, size: f32, width: f32, max: usize) -> Vec<String> {
    let mut lines = wrap(text, font, size, width);
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && metrics(font).width(&format!("{last}…"), size) > width {
                last.pop();
            }
            let trimmed = last.trim_end().to_owned();
            *last = format!("{trimmed}…");
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Drawing.

/// A page's operations, with helpers in points from the bottom-left corner.
#[derive(Default)]
struct Canvas {
    ops: Vec<Op>,
}

/// A face, a size in points and a colour.
#[derive(Clone, Copy)]
struct Style(BuiltinFont, f32, (f32, f32, f32));

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

impl Canvas {
    /// One line of printable text with its baseline at `y`; `x` is its left, centre or right.
    fn text(&mut self, text: &str, Style(font, size, color): Style, x: f32, y: f32, align: Align) {
        let width = metrics(font).width(text, size);
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: rgb(color) },
            Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) },
            Op::SetTextCursor { pos: point(left, y) },
            Op::ShowText { items: vec![TextItem::Text(text.to_owned())] },
            Op::EndTextSection,
        ]);
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), thickness: f32, color: (f32, f32, f32)) {
        self.ops.extend([
            Op::SetOutlineColor { col: rgb(color) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::SetLineCapStyle { cap: LineCapStyle::Butt },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint { p: point(from.0, from.1), bezier: false },
                        LinePoint { p: point(to.0, to.1), bezier: false },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: f32, color: (f32, f32, f32)) {
        let mut rect = Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h));
        rect.mode = Some(PaintMode::Stroke);
        self.ops.extend([
            Op::SetOutlineColor { col: rgb(color) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawRectangle { rectangle: rect },
        ]);
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let mut rect = Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h));
        rect.mode = Some(PaintMode::Fill);
        self.ops.push(Op::DrawRectangle { rectangle: rect });
    }

    fn link(&mut self, x: f32, y: f32, w: f32, h: f32, url: &str) {
        let rect = Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h));
        let link = LinkAnnotation::new(
            rect,
            Actions::Uri(url.to_owned()),
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            None,
            None,
        );
        self.ops.push(Op::LinkAnnotation { link });
    }

    fn page(self, width: f32, height: f32) -> PdfPage {
        PdfPage::new(Mm(width / POINTS_PER_MM), Mm(height / POINTS_PER_MM), self.ops)
    }
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb { r, g, b, icc_profile: None })
}

fn point(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

fn save(title: &str, pages: Vec<PdfPage>) -> Vec<u8> {
    let mut doc = PdfDocument::new(&printable(title));
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    doc.save(&PdfSaveOptions::default(), &mut warnings)
}

fn long_date(date: NaiveDate) -> String {
    date.format("%B %-d, %Y").to_string()
}

// ---------------------------------------------------------------------------------------------
// The transcript.

const MARGIN: f32 = 54.0;
const BODY: f32 = 9.0;
const LEADING: f32 = 11.5;
const ROW_GAP: f32 = 6.0;
/// Column x positions: date, title, type, hours (right edge), credential.
const COL_DATE: f32 = MARGIN;
const COL_TITLE: f32 = 122.0;
const COL_KIND: f32 = 330.0;
const COL_HOURS_RIGHT: f32 = 446.0;
const COL_CREDENTIAL: f32 = 458.0;
const TITLE_WIDTH: f32 = COL_KIND - COL_TITLE - 10.0;
const KIND_WIDTH: f32 = 66.0;
const CREDENTIAL_WIDTH: f32 = LETTER_W - MARGIN - COL_CREDENTIAL;
/// First row's top, below the page header and column heads.
const TABLE_TOP: f32 = 662.0;
/// Rows stop above the footer.
const TABLE_BOTTOM: f32 = 64.0;

/// A row laid out: its wrapped cells and its height.
struct RowLayout {
    date: String,
    title: Vec<String>,
    kind: Vec<String>,
    hours: String,
    credential: Vec<String>,
    height: f32,
}

fn layout_row(row: &TranscriptRow) -> RowLayout {
    let title = wrap(&printable(&row.title), REGULAR, BODY, TITLE_WIDTH);
    let kind = wrap(&printable(&row.kind_label), REGULAR, BODY, KIND_WIDTH);
    let credential = row
        .credential
        .as_deref()
        .map_or_else(|| vec!["—".to_owned()], |c| wrap(&printable(c), REGULAR, BODY, CREDENTIAL_WIDTH));
    let lines = title.len().max(kind.len()).max(credential.len()) as f32;
    RowLayout {
        date: row.completed_on.format("%Y-%m-%d").to_string(),
        title,
        kind,
        hours: row.pd_hours.to_string(),
        credential,
        height: lines * LEADING + ROW_GAP,
    }
}

/// Writes a transcript.
pub fn transcript(t: &Transcript) -> Result<Vec<u8>, PdfError> {
    // Lay every row out first, then deal them onto pages, leaving room on the last page for the
    // total.
    let rows: Vec<RowLayout> = t.rows.iter().map(layout_row).collect();
    let total_height = 30.0;
    let mut pages: Vec<Vec<&RowLayout>> = vec![Vec::new()];
    let mut y = TABLE_TOP;
    for row in &rows {
        if y - row.height < TABLE_BOTTOM
            && let Some(page) = pages.last()
            && !page.is_empty()
        {
            pages.push(Vec::new());
            y = TABLE_TOP;
        }
        if let Some(page) = pages.last_mut() {
            page.push(row);
        }
        y -= row.height;
    }
    if y - total_height < TABLE_BOTTOM {
        pages.push(Vec::new());
    }

    let count = pages.len();
    let program = printable(&t.program_name);
    let person = printable(&t.person_name);
    let generated = t.generated_at.format("%B %-d, %Y at %H:%M UTC").to_string();
    let mut out = Vec::with_capacity(count);
    for (n, page_rows) in pages.iter().enumerate() {
        let mut c = Canvas::default();
        transcript_header(&mut c, &program, &person, &generated);
        let mut y = TABLE_TOP;
        for row in page_rows {
            let baseline = y - BODY;
            c.text(&row.date, Style(REGULAR, BODY, INK), COL_DATE, baseline, Align::Left);
            for (i, l) in row.title.iter().enumerate() {
                c.text(l, Style(REGULAR, BODY, INK), COL_TITLE, baseline - i as f32 * LEADING, Align::Left);
            }
            for (i, l) in row.kind.iter().enumerate() {
                c.text(l, Style(REGULAR, BODY, MUTED), COL_KIND, baseline - i as f32 * LEADING, Align::Left);
            }
            c.text(&row.hours, Style(REGULAR, BODY, INK), COL_HOURS_RIGHT, baseline, Align::Right);
            for (i, l) in row.credential.iter().enumerate() {
                c.text(l, Style(REGULAR, BODY, MUTED), COL_CREDENTIAL, baseline - i as f32 * LEADING, Align::Left);
            }
            y -= row.height;
            c.line((MARGIN, y + ROW_GAP / 2.0), (LETTER_W - MARGIN, y + ROW_GAP / 2.0), 0.3, RULE);
        }
        if n + 1 == count {
            if t.rows.is_empty() {
                c.text("No completed learning yet.", Style(REGULAR, BODY, MUTED), COL_TITLE, y - BODY, Align::Left);
                y -= LEADING + ROW_GAP;
            }
            c.line((MARGIN, y - 2.0), (LETTER_W - MARGIN, y - 2.0), 1.0, INK);
            c.text("Total PD hours", Style(BOLD, 10.0, INK), COL_TITLE, y - 16.0, Align::Left);
            c.text(&t.total_hours.to_string(), Style(BOLD, 10.0, INK), COL_HOURS_RIGHT, y - 16.0, Align::Right);
        }
        c.text(&format!("{person} · generated {generated}"), Style(REGULAR, 7.5, MUTED), MARGIN, 36.0, Align::Left);
        c.text(
            &format!("Page {} of {count}", n + 1),
            Style(REGULAR, 8.0, MUTED),
            LETTER_W - MARGIN,
            36.0,
            Align::Right,
        );
        out.push(c.page(LETTER_W, LETTER_H));
    }
    Ok(save(&format!("Transcript: {}", t.person_name), out))
}

fn transcript_header(c: &mut Canvas, program: &str, person: &str, generated: &str) {
    let right = LETTER_W - MARGIN;
    let program = wrap_at_most(program, BOLD, 15.0, 300.0, 1);
    c.text(&program.concat(), Style(BOLD, 15.0, ACCENT), MARGIN, 722.0, Align::Left);
    c.text("Professional development transcript", Style(REGULAR, 10.5, MUTED), MARGIN, 706.0, Align::Left);
    let person = wrap_at_most(person, BOLD, 12.0, 190.0, 1);
    c.text(&person.concat(), Style(BOLD, 12.0, INK), right, 722.0, Align::Right);
    c.text(&format!("Generated {generated}"), Style(REGULAR, 8.0, MUTED), right, 706.0, Align::Right);
    c.line((MARGIN, 694.0), (right, 694.0), 1.0, ACCENT);
    let heads = 680.0;
    c.text("Completed", Style(BOLD, 8.5, INK), COL_DATE, heads, Align::Left);
    c.text("Title", Style(BOLD, 8.5, INK), COL_TITLE, heads, Align::Left);
    c.text("Type", Style(BOLD, 8.5, INK), COL_KIND, heads, Align::Left);
    c.text("PD hours", Style(BOLD, 8.5, INK), COL_HOURS_RIGHT, heads, Align::Right);
    c.text("Credential", Style(BOLD, 8.5, INK), COL_CREDENTIAL, heads, Align::Left);
    c.line((MARGIN, 673.0), (right, 673.0), 0.6, INK);
}

// ---------------------------------------------------------------------------------------------
// The certificate.

/// The QR code's side, in points (about 1.4 inches: scans from a phone at arm's length).
const QR_SIZE: f32 = 100.0;

/// Writes a certificate.
pub fn certificate(cert: &Certificate) -> Result<Vec<u8>, PdfError> {
    let url = cert.verification_url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.contains(char::is_whitespace) {
        return Err(PdfError::NotAUrl);
    }
    let modules = qr_modules(url)?;

    let (w, h) = (LETTER_H, LETTER_W);
    let center = w / 2.0;
    let mut c = Canvas::default();
    c.frame(24.0, 24.0, w - 48.0, h - 48.0, 2.5, ACCENT);
    c.frame(32.0, 32.0, w - 64.0, h - 64.0, 0.75, ACCENT);

    c.text("CERTIFICATE OF COMPLETION", Style(BOLD, 26.0, ACCENT), center, 506.0, Align::Center);
    c.text("This certifies that", Style(REGULAR, 14.0, MUTED), center, 462.0, Align::Center);

    // The name on one line if it can be, shrinking before wrapping.
    let name = printable(&cert.recipient_name);
    let mut size = 34.0;
    while size > 20.0 && metrics(BOLD).width(&name, size) > 620.0 {
        size -= 1.0;
    }
    let name_lines = wrap_at_most(&name, BOLD, size, 620.0, 2);
    let mut y = 414.0;
    for line in &name_lines {
        c.text(line, Style(BOLD, size, INK), center, y, Align::Center);
        y -= size * 1.15;
    }
    y += size * 1.15;
    c.line((center - 220.0, y - 12.0), (center + 220.0, y - 12.0), 0.75, RULE);

    y -= 38.0;
    c.text("has completed", Style(REGULAR, 14.0, MUTED), center, y, Align::Center);
    y -= 32.0;
    for line in wrap_at_most(&printable(&cert.achievement_name), BOLD, 21.0, 600.0, 2) {
        c.text(&line, Style(BOLD, 21.0, ACCENT), center, y, Align::Center);
        y -= 25.0;
    }
    y -= 4.0;
    for line in wrap_at_most(&printable(&cert.description), REGULAR, 11.5, 520.0, 3) {
        c.text(&line, Style(REGULAR, 11.5, INK), center, y, Align::Center);
        y -= 15.0;
    }

    // Bottom band: issuer on the left, date and hours in the middle, the QR code on the right.
    let band = 118.0;
    let issuer = wrap_at_most(&printable(&cert.issuer_name), BOLD, 13.0, 230.0, 2);
    let mut iy = band + 4.0 + (issuer.len() as f32 - 1.0) * 15.0;
    for line in &issuer {
        c.text(line, Style(BOLD, 13.0, INK), 72.0, iy, Align::Left);
        iy -= 15.0;
    }
    c.line((72.0, band - 6.0), (302.0, band - 6.0), 0.75, INK);
    c.text("Issuer", Style(REGULAR, 9.0, MUTED), 72.0, band - 18.0, Align::Left);

    let middle = 400.0;
    c.text(
        &format!("Issued {}", long_date(cert.issued_on)),
        Style(REGULAR, 12.0, INK),
        middle,
        band + 4.0,
        Align::Center,
    );
    if cert.pd_hours.tenths() > 0 {
        let hours = format!("{} PD {}", cert.pd_hours, if cert.pd_hours.tenths() == 10 { "hour" } else { "hours" });
        c.text(&hours, Style(BOLD, 12.0, INK), middle, band - 14.0, Align::Center);
    }

    let qr_x = w - 72.0 - QR_SIZE - 20.0;
    let qr_y = 104.0;
    draw_qr(&mut c, &modules, qr_x, qr_y, QR_SIZE);
    let qr_center = qr_x + QR_SIZE / 2.0;
    c.text("Verify this certificate", Style(REGULAR, 8.0, MUTED), qr_center, qr_y + QR_SIZE + 6.0, Align::Center);
    let url_lines = wrap(&printable(url), REGULAR, 8.0, 200.0);
    let mut uy = qr_y - 12.0;
    for line in &url_lines {
        c.text(line, Style(REGULAR, 8.0, ACCENT), qr_center, uy, Align::Center);
        uy -= 9.5;
    }
    c.link(qr_x - 40.0, uy + 4.0, QR_SIZE + 80.0, qr_y + QR_SIZE - uy - 4.0, url);

    let title = format!("Certificate: {} - {}", cert.achievement_name, cert.recipient_name);
    Ok(save(&title, vec![c.page(w, h)]))
}

/// The QR code's dark modules as rows of booleans (true = dark), without the quiet zone.
fn qr_modules(url: &str) -> Result<Vec<Vec<bool>>, PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)?;
    let width = code.width();
    let colors = code.to_colors();
    Ok(colors.chunks(width).map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect()).collect())
}

/// Draws the modules as filled squares (runs along a row merged into one rectangle) in a
/// `size` square at (`x`, `y`), quiet zone of four modules included.
fn draw_qr(c: &mut Canvas, modules: &[Vec<bool>], x: f32, y: f32, size: f32) {
    let n = modules.len() as f32;
    let module = size / (n + 8.0);
    c.ops.push(Op::SetFillColor { col: rgb((0.0, 0.0, 0.0)) });
    for (r, row) in modules.iter().enumerate() {
        let top = y + size - (4.0 + r as f32) * module;
        let mut col = 0;
        while col < row.len() {
            if !row[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < row.len() && row[col] {
                col += 1;
            }
            c.fill(x + (4.0 + start as f32) * module, top - module, (col - start) as f32 * module, module);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use lopdf::Document;
    use lopdf::content::Content;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + chrono::Days::new(u64::from(d))
    }

    fn transcript_with(rows: usize) -> Transcript {
        Transcript {
            program_name: "National AI Educator Academy".into(),
            person_name: "Zoë Łukasiewicz-O’Brien".into(),
            generated_at: Utc.with_ymd_and_hms(2026, 5, 1, 14, 30, 0).single().expect("time"),
            rows: (0..rows)
                .map(|i| TranscriptRow {
                    completed_on: date(i as u32),
                    title: if i % 7 == 3 {
                        format!("Item {i}: a very long title about how language models work, and how they fail, in the K–12 classroom")
                    } else {
                        format!("Item {i}: Prompting for differentiation")
                    },
                    kind_label: if i % 2 == 0 { "Course".into() } else { "Hands-on lab".into() },
                    pd_hours: PdHours::from_tenths(15),
                    credential: (i % 5 == 0).then(|| "AI Foundations micro-credential".to_owned()),
                })
                .collect(),
            total_hours: PdHours::from_tenths(15 * rows as i64),
        }
    }

    fn text_of(doc: &Document) -> Vec<String> {
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        pages.iter().map(|p| doc.extract_text(&[*p]).expect("text")).collect()
    }

    #[test]
    fn a_long_transcript_runs_over_pages_with_a_header_on_each() {
        let pdf = transcript(&transcript_with(120)).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = Document::load_mem(&pdf).expect("an independent reader opens it");
        let pages = text_of(&doc);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains("National AI Educator Academy"), "page {i}: {page}");
            assert!(page.contains("Professional development transcript"), "page {i}");
            assert!(page.contains("Completed") && page.contains("PD hours"), "page {i}");
            assert!(page.contains(&format!("Page {} of {}", i + 1, pages.len())), "page {i}");
        }
        let all = pages.concat();
        for i in 0..120 {
            assert!(all.contains(&format!("Item {i}:")), "row {i} is printed");
        }
        assert!(pages.last().is_some_and(|p| p.contains("Total PD hours") && p.contains("180.0")));
        assert!(!pages[0].contains("Total PD hours"));
        // WinAnsi letters survive; others lose only their diacritic.
        assert!(pages[0].contains("Zoë Lukasiewicz-O’Brien"), "{}", pages[0]);
    }

    #[test]
    fn a_short_and_an_empty_transcript_fit_one_page() {
        for rows in [0, 3] {
            let pdf = transcript(&transcript_with(rows)).expect("pdf");
            let doc = Document::load_mem(&pdf).expect("reads");
            let pages = text_of(&doc);
            assert_eq!(pages.len(), 1);
            assert!(pages[0].contains("Total PD hours"));
            assert_eq!(pages[0].contains("No completed learning yet."), rows == 0);
        }
    }

    fn cert() -> Certificate {
        Certificate {
            recipient_name: "María-José Nguyễn".into(),
            achievement_name: "How Language Models Work, and How They Fail".into(),
            description: "Completed six modules on prediction, hallucination and verification, with a hands-on lab planning a lesson.".into(),
            issuer_name: "National AI Educator Academy".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 3, 14).expect("date"),
            pd_hours: PdHours::from_tenths(15),
            verification_url: "https://academy.example.org/credentials/01J9Z3QK7W5X2M8N4P6R".into(),
        }
    }

    #[test]
    fn a_certificate_is_one_landscape_page_with_its_text() {
        let pdf = certificate(&cert()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = Document::load_mem(&pdf).expect("reads");
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 1);
        let page = *pages.values().next().expect("page");
        let media =
            doc.get_dictionary(page).expect("page").get(b"MediaBox").expect("box").as_array().expect("array").clone();
        let size: Vec<f32> = media.iter().map(|v| v.as_float().expect("number")).collect();
        assert!((size[2] - 792.0).abs() < 0.5 && (size[3] - 612.0).abs() < 0.5, "landscape letter: {size:?}");
        // The URL may wrap; read it with the line breaks taken out.
        let text = text_of(&doc).concat().replace('\n', "");
        for expected in [
            "CERTIFICATE OF COMPLETION",
            "María-José Nguy?n",
            "How Language Models Work, and How They Fail",
            "National AI Educator Academy",
            "Issued March 14, 2026",
            "1.5 PD hours",
            "https://academy.example.org/credentials/01J9Z3QK7W5X2M8N4P6R",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }

    /// Reads the filled squares back out of the page and decodes them as a QR code.
    fn decode_qr(pdf: &[u8]) -> String {
        let doc = Document::load_mem(pdf).expect("reads");
        let page = *doc.get_pages().values().next().expect("page");
        let content = Content::decode(&doc.get_page_content(page)).expect("ops");
        let mut squares = Vec::new();
        let mut pending = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "re" => {
                    let v: Vec<f32> = op.operands.iter().map(|o| o.as_float().expect("number")).collect();
                    pending = Some((v[0], v[1], v[2], v[3]));
                }
                "f" | "f*" => squares.extend(pending.take()),
                _ => pending = None,
            }
        }
        assert!(!squares.is_empty(), "the code is drawn as filled rectangles");
        let module = squares.iter().map(|s| s.3).fold(f32::MAX, f32::min);
        let left = squares.iter().map(|s| s.0).fold(f32::MAX, f32::min);
        let bottom = squares.iter().map(|s| s.1).fold(f32::MAX, f32::min);
        let right = squares.iter().map(|s| s.0 + s.2).fold(f32::MIN, f32::max);
        let n = ((right - left) / module).round() as usize;
        let scale = 4;
        let side = (n + 8) * scale;
        let mut dark = vec![false; side * side];
        for (x, y, w, h) in &squares {
            let c0 = ((x - left) / module).round() as usize;
            let c1 = ((x + w - left) / module).round() as usize;
            let r1 = n - ((y - bottom) / module).round() as usize;
            let r0 = r1 - (h / module).round() as usize;
            for r in r0..r1 {
                for c in c0..c1 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            dark[((r + 4) * scale + dy) * side + (c + 4) * scale + dx] = true;
                        }
                    }
                }
            }
        }
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| if dark[y * side + x] { 0 } else { 255 });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code on the page");
        let (_meta, payload) = grids[0].decode().expect("decodes");
        payload
    }

    #[test]
    fn the_qr_code_carries_the_verification_url() {
        let c = cert();
        assert_eq!(decode_qr(&certificate(&c).expect("pdf")), c.verification_url);
        let long = Certificate {
            verification_url: format!("https://academy.example.org/verify?id={}", "x".repeat(300)),
            ..cert()
        };
        assert_eq!(decode_qr(&certificate(&long).expect("pdf")), long.verification_url);
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in ["", "javascript:alert(1)", "academy.example.org/x", "https://a b"] {
            let c = Certificate { verification_url: url.into(), ..cert() };
            assert!(matches!(certificate(&c), Err(PdfError::NotAUrl)), "{url}");
        }
        let c = Certificate { verification_url: format!("https://x.example/{}", "y".repeat(3000)), ..cert() };
        assert!(matches!(certificate(&c), Err(PdfError::Qr(_))));
    }

    #[test]
    fn long_names_and_texts_still_fit() {
        let c = Certificate {
            recipient_name: "Maximiliana Alexandra Konstantinopoulou-Vanderbilt-Featherstonehaugh de la Cruz y Montoya"
                .into(),
            achievement_name: "A".repeat(300),
            description: "word ".repeat(200),
            issuer_name: "The Extremely Long Name of a State Federation of Teachers Local Union Number 1234".into(),
            ..cert()
        };
        let pdf = certificate(&c).expect("pdf");
        let doc = Document::load_mem(&pdf).expect("reads");
        assert_eq!(doc.get_pages().len(), 1);
        assert!(text_of(&doc).concat().contains("…"));
    }

    #[test]
    fn text_is_mapped_into_winansi() {
        assert_eq!(printable("“Quotes” – dashes — and €5 … ok"), "“Quotes” – dashes — and €5 … ok");
        assert_eq!(printable("Łódź, Ștefan, Dvořák"), "Lódz, Stefan, Dvorák");
        assert_eq!(printable("田中 花子 🎉"), "?? ?? ?");
        assert_eq!(printable("tab\tnew\nline"), "tab new line");
        assert!(is_printable("Zoë O’Brien"));
        assert!(!is_printable("Łukasz"));
        assert_eq!(LATIN_EXTENDED_A.len(), 128);
    }

    #[test]
    fn wrapping_respects_the_width() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", REGULAR, 10.0, 80.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(metrics(REGULAR).width(l, 10.0) <= 80.0, "{l}");
        }
        assert_eq!(lines.join(" "), "the quick brown fox jumps over the lazy dog");
        let url = wrap("https://academy.example.org/credentials/0123456789abcdef", REGULAR, 7.0, 60.0);
        assert!(url.len() > 1 && url.concat() == "https://academy.example.org/credentials/0123456789abcdef");
        assert!(metrics(REGULAR).width("W", 10.0) > metrics(REGULAR).width("i", 10.0), "real widths, not a guess");
    }
}
