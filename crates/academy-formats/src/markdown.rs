//! Markdown written by course authors and teachers, rendered to HTML that is safe to put in a
//! page: CommonMark with tables, strikethrough and task lists (pulldown-cmark), then cleaned
//! against an allowlist (ammonia).
//!
//! Raw HTML in the Markdown is dropped before rendering, and the sanitizer then removes anything
//! the allowlist does not name: scripts, styles, frames, SVG, event handlers, and links whose
//! scheme is not `http`, `https` or `mailto` (so `javascript:` and `data:` go). Images are kept
//! only when their source is an `https://` URL. Every link gets `rel="noopener noreferrer"`.

use pulldown_cmark::{Event, Options, Parser, html};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Elements the rendered HTML may contain.
const TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Attributes by element (plus `rel` on links, which the sanitizer sets itself).
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("img", &["src", "alt", "title"]),
    ("ol", &["start"]),
    ("input", &["type", "checked", "disabled"]),
];

/// Attributes allowed only with these exact values: table-cell alignment as pulldown-cmark
/// writes it (the only `style` that survives), and task-list checkboxes.
const EXACT_VALUES: &[(&str, &str, &[&str])] = &[
    ("th", "style", &["text-align: left", "text-align: center", "text-align: right"]),
    ("td", "style", &["text-align: left", "text-align: center", "text-align: right"]),
    ("input", "type", &["checkbox"]),
];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .tag_attributes(TAG_ATTRIBUTES.iter().map(|(tag, attrs)| (*tag, attrs.iter().copied().collect())).collect())
        .tag_attribute_values(exact_values())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .clean_content_tags(["script", "style"].into_iter().collect())
        // Checkboxes are shown, never ticked by a reader.
        .set_tag_attribute_value("input", "disabled", "")
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !is_https(value) { None } else { Some(value.into()) }
        });
    b
});

fn exact_values() -> HashMap<&'static str, HashMap<&'static str, HashSet<&'static str>>> {
    let mut map: HashMap<&str, HashMap<&str, HashSet<&str>>> = HashMap::new();
    for (tag, attribute, values) in EXACT_VALUES {
        map.entry(tag).or_default().insert(attribute, values.iter().copied().collect());
    }
    map
}

fn is_https(url: &str) -> bool {
    url.trim().get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// Renders Markdown to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Raw HTML is not part of the format: drop it before it reaches the renderer, so that even
    // a sanitizer gap could not let it through.
    let events = Parser::new_ext(markdown, options).filter(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    CLEANER.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scraper::Html;

    /// Asserts that `html` holds only allowed elements and attributes, and only safe URLs.
    fn assert_safe(html: &str) {
        let doc = Html::parse_fragment(html);
        for node in doc.root_element().descendants() {
            let Some(element) = node.value().as_element() else { continue };
            let tag = element.name();
            if tag == "html" {
                continue;
            }
            assert!(TAGS.contains(&tag), "<{tag}> in {html}");
            for (name, value) in element.attrs() {
                let allowed = TAG_ATTRIBUTES.iter().any(|(t, attrs)| *t == tag && attrs.contains(&name))
                    || EXACT_VALUES.iter().any(|(t, a, values)| *t == tag && *a == name && values.contains(&value))
                    || (tag == "a" && name == "rel" && value == "noopener noreferrer");
                assert!(allowed, "{tag} {name}={value:?} in {html}");
                // As a browser reads a URL: tabs and newlines removed, leading controls trimmed.
                let url: String = value
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .collect::<String>()
                    .trim_start_matches(|c: char| c <= ' ')
                    .to_ascii_lowercase();
                if tag == "img" && name == "src" {
                    assert!(url.starts_with("https://"), "{value} in {html}");
                }
                if tag == "a" && name == "href" {
                    let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| !s.contains(['/', '?', '#']));
                    assert!(matches!(scheme, None | Some("http" | "https" | "mailto")), "{value} in {html}");
                }
            }
            if tag == "a" && element.attr("href").is_some() {
                assert_eq!(element.attr("rel"), Some("noopener noreferrer"), "{html}");
            }
        }
        let lower = html.to_ascii_lowercase();
        // Text never carries a raw `<` (it is escaped), so these can only be markup.
        for banned in ["<script", "<style", "<iframe", "<svg", "<object", "<embed", "<form", "<math", "<div", "<span"] {
            assert!(!lower.contains(banned), "{banned} in {html}");
        }
    }

    #[test]
    fn commonmark_and_extensions_render() {
        let html = render(
            "## Plan\n\n**bold** *em* ~~gone~~ `code`\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n1. one\n2. two\n",
        );
        assert!(html.contains("<h2>Plan</h2>"), "{html}");
        assert!(html.contains("<strong>bold</strong>") && html.contains("<em>em</em>"), "{html}");
        assert!(html.contains("<del>gone</del>") && html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<table>") && html.contains("<th style=\"text-align: left\">a</th>"), "{html}");
        assert!(html.contains("<td style=\"text-align: right\">2</td>"), "{html}");
        assert!(html.contains("<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\ndone</li>"), "{html}");
        assert!(html.contains("<li><input disabled=\"\" type=\"checkbox\">\ntodo</li>"), "{html}");
        assert!(html.contains("<ol>"), "{html}");
        assert_safe(&html);
    }

    #[test]
    fn links_get_rel_and_images_need_https() {
        let html = render("[site](https://example.org/a?b=1) [rel](/catalog) [mail](mailto:x@example.org)");
        assert!(html.contains("<a href=\"https://example.org/a?b=1\" rel=\"noopener noreferrer\">site</a>"), "{html}");
        assert!(html.contains("href=\"/catalog\""), "{html}");
        assert!(html.contains("href=\"mailto:x@example.org\""), "{html}");
        let html = render("![chart](https://example.org/c.png \"Growth\") ![x](http://example.org/x.png) ![y](y.png)");
        assert!(html.contains("<img src=\"https://example.org/c.png\" alt=\"chart\" title=\"Growth\">"), "{html}");
        assert!(!html.contains("http://example.org/x.png") && !html.contains("y.png"), "{html}");
        assert_safe(&html);
    }

    #[test]
    fn xss_vectors_are_removed() {
        let vectors = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"https://example.org/a.png\" onerror=\"alert(1)\">",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](  javascript:alert(1) )",
            "[x](java\tscript:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
            "![x](javascript:alert(1))",
            "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
            "<a href=\"https://example.org\" onclick=\"alert(1)\">click</a>",
            "<svg onload=alert(1)><circle r=5/></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{display:none}</style>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example\"><input name=p></form>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<details open ontoggle=alert(1)>",
            "`<script>` in code is text",
            "    <script>alert(1)</script>\n",
            "<!-- <script>alert(1)</script> -->",
            "<![CDATA[<script>alert(1)</script>]]>",
            "[x]: javascript:alert(1)\n\n[click][x]",
            "<javascript:alert(1)>",
            "<http://example.org/\"onmouseover=\"alert(1)>",
            "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
            "- [ ] <span onclick=alert(1)>task</span>",
        ];
        for v in vectors {
            let html = render(v);
            assert_safe(&html);
        }
        // Code is shown as text, escaped.
        assert!(render("`<script>`").contains("<code>&lt;script&gt;</code>"));
    }

    proptest! {
        #[test]
        fn any_text_renders_safely(input in ".{0,200}") {
            assert_safe(&render(&input));
        }

        #[test]
        fn html_soup_renders_safely(parts in prop::collection::vec(prop::sample::select(vec![
            "<", ">", "\"", "'", "=", " ", "\n", "/", "script", "img", "src", "onerror", "alert(1)", "a", "href",
            "javascript:", "JaVaScRiPt:", "data:", "https://x.example/", "svg", "iframe", "style", "[", "]", "(",
            ")", "!", "`", "*", "|", "-", "&#x6A;", "&lt;", "\t", ":", "\\", "<!--", "-->", "on", "load",
        ]), 0..60)) {
            assert_safe(&render(&parts.concat()));
        }
    }
}
