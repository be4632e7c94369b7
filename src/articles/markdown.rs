//! Markdown bodies to safe HTML: pulldown-cmark renders, then ammonia removes anything that could
//! run script or load from another host.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.add_tags(["figure", "figcaption"]);
    builder.link_rel(Some("noopener nofollow"));
    builder.url_schemes(HashSet::from(["http", "https", "mailto"]));
    builder.attribute_filter(|element, attribute, value| {
        // Images load only from this site: pages make no third-party requests.
        let local = value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
        if element == "img" && attribute == "src" && !local {
            return None;
        }
        Some(Cow::Borrowed(value))
    });
    builder
});

/// Renders Markdown to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Headings inside a body start at h2: the page's h1 is the headline, so `#` becomes h2.
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading { level: HeadingLevel::H1, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs })
        }
        Event::End(TagEnd::Heading(HeadingLevel::H1)) => Event::End(TagEnd::Heading(HeadingLevel::H2)),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut raw, events);
    SANITIZER.clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        let html = render("## Zwischentitel\n\nEin *kurzer* Text mit [Link](/news/a).\n\n> Zitat");
        assert!(html.contains("<h2>Zwischentitel</h2>"), "{html}");
        assert!(html.contains("<em>kurzer</em>"), "{html}");
        assert!(html.contains("<a href=\"/news/a\" rel=\"noopener nofollow\">Link</a>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
    }

    #[test]
    fn top_level_headings_become_h2() {
        let html = render("# Titel im Text\n\nAbsatz");
        assert!(html.contains("<h2>Titel im Text</h2>"), "{html}");
        assert!(!html.contains("<h1"), "{html}");
    }

    #[test]
    fn removes_script_and_handlers() {
        let html = render("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))");
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn drops_images_from_other_hosts() {
        let html = render("![Bild](https://tracker.example/p.gif) ![lokal](/media/a.png)");
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(html.contains("src=\"/media/a.png\""), "{html}");
    }
}
