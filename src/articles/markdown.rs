//! Markdown bodies to safe HTML: pulldown-cmark renders, then ammonia removes anything that could
//! run script or load from another host.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // Headings inside a body start at h2: the page's h1 is the headline.
    builder.rm_tags(["h1"]);
    builder.add_tags(["figure", "figcaption"]);
    builder.link_rel(Some("noopener nofollow"));
    builder.url_schemes(HashSet::from(["http", "https", "mailto"]));
    builder.attribute_filter(|element, attribute, value| {
        // Images load only from this site: pages make no third-party requests.
        let local = value.starts_with('/') && !value.starts_with("//");
        if element == "img" && attribute == "src" && !local {
            return None;
        }
        Some(Cow::Borrowed(value))
    });
    builder
});

/// Renders Markdown to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
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
        assert!(
            html.contains("<a href=\"/news/a\" rel=\"noopener nofollow\">Link</a>"),
            "{html}"
        );
        assert!(html.contains("<blockquote>"), "{html}");
    }

    #[test]
    fn removes_script_and_handlers() {
        let html = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))",
        );
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
