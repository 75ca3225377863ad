//! Small helpers the learning pages share: Markdown rendered safely, inline and within a
//! page's sections. (Session times in their own time zone are `academy_app::learn::workshops`'s.)

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

    #[test]
    fn inline_and_section_markdown() {
        assert_eq!(markdown_inline("A *likely* next token"), "A <em>likely</em> next token");
        assert!(markdown_inline("one\n\ntwo").contains("<p>"), "two paragraphs stay paragraphs");
        let section = markdown_in_section("## Why\n\ntext\n\n### How");
        assert!(section.contains("<h3>Why</h3>") && section.contains("<h4>How</h4>"), "{section}");
    }
}
