//! Markdown bodies to safe HTML: pulldown-cmark renders, then ammonia removes anything that could
//! run script or load from another host.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.add_tags(["figure", "figcaption", "audio", "video"]);
    // Players of this site's own sound and video files (imported posts keep theirs).
    builder.add_tag_attributes("audio", ["controls", "preload", "src"]);
    builder.add_tag_attributes("video", ["controls", "preload", "src", "width", "height"]);
    builder.link_rel(Some("noopener nofollow"));
    builder.url_schemes(HashSet::from(["http", "https", "mailto"]));
    builder.attribute_filter(|element, attribute, value| {
        // Pictures and players load only from this site: pages make no third-party requests.
        if matches!(element, "img" | "audio" | "video") && attribute == "src" && !crate::text::is_site_path(value) {
            return None;
        }
        Some(Cow::Borrowed(value))
    });
    builder
});

/// Renders Markdown to HTML without sanitising it, for a caller that sanitises the whole it is
/// part of (an imported post whose Markdown card names pictures still on the old site).
pub fn render_unsanitised(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading { level: HeadingLevel::H1, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs })
        }
        Event::End(TagEnd::Heading(HeadingLevel::H1)) => Event::End(TagEnd::Heading(HeadingLevel::H2)),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut raw, events);
    raw
}

/// Renders Markdown to sanitised HTML.
pub fn render(markdown: &str) -> String {
    SANITIZER.clean(&render_unsanitised(markdown)).to_string()
}

/// Sanitises HTML from elsewhere (an imported post) as article bodies are: nothing that runs
/// script, no images from other hosts.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Elements whose start or end separates words: block-level elements and line breaks.
pub const BLOCKS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "td",
    "th",
    "hr",
    "section",
    "aside",
    "details",
    "summary",
    "address",
    "form",
    "audio",
    "video",
    "iframe",
    "script",
    "style",
];

/// The text of a bit of HTML (an excerpt, an imported body), without markup, entities
/// resolved and whitespace collapsed.
pub fn html_text(html: &str) -> String {
    // Ends of blocks become spaces, so that words of neighbouring paragraphs stay apart;
    // inline tags join what they touch ("<b>Wort</b>teil").
    let mut spaced = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        spaced.push_str(&rest[..at]);
        let tag = &rest[at + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if BLOCKS.contains(&name.as_str()) {
            spaced.push(' ');
        }
        spaced.push('<');
        rest = tag;
    }
    spaced.push_str(rest);
    let cleaned = ammonia::Builder::empty().clean(&spaced).to_string();
    // `&amp;` last, so "&amp;lt;" stays "&lt;".
    let unescaped = cleaned
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    unescaped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes a site-relative URL (`/news/a`) absolute against `base_url`; leaves others alone.
fn absolute<'a>(url: &'a str, base_url: &str) -> Cow<'a, str> {
    if url.starts_with('/') && !url.starts_with("//") {
        Cow::Owned(format!("{base_url}{url}"))
    } else {
        Cow::Borrowed(url)
    }
}

/// Renders Markdown for an email: sanitised HTML as [`render`] makes it, but with links and images
/// made absolute against `base_url` (a mail client has no page to resolve them against), images
/// only from this site, and inline styles on tables (mail clients ignore style sheets); plus the
/// plain-text part, where a link is its text followed by its address and raw HTML is left out.
pub fn render_mail(markdown: &str, base_url: &str) -> (String, String) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options)
        .map(|event| match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H1, id, classes, attrs }) => {
                Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs })
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => Event::End(TagEnd::Heading(HeadingLevel::H2)),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = absolute(&dest_url, base_url).into_owned().into();
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = absolute(&dest_url, base_url).into_owned().into();
                Event::Start(Tag::Image { link_type, dest_url, title, id })
            }
            other => other,
        })
        .collect();
    let mut raw = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut raw, events.iter().cloned());
    let own_images = format!("{base_url}/");
    let mut sanitizer = ammonia::Builder::default();
    sanitizer.link_rel(Some("noopener")).url_schemes(HashSet::from(["http", "https", "mailto"])).attribute_filter(
        move |element, attribute, value| {
            if element == "img" && attribute == "src" && !value.starts_with(&own_images) {
                return None;
            }
            Some(Cow::Borrowed(value))
        },
    );
    let html = sanitizer
        .clean(&raw)
        .to_string()
        .replace("<table>", "<table style=\"border-collapse:collapse;margin:1em 0\">")
        .replace("<th>", "<th style=\"border:1px solid #ccc;padding:.3em .6em;text-align:left\">")
        .replace("<td>", "<td style=\"border:1px solid #ccc;padding:.3em .6em\">");
    (html, plain_text(&events))
}

/// The plain-text rendering of parsed Markdown.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    let mut links: Vec<String> = Vec::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    for event in events {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("\n----\n\n"),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop().filter(|u| !out.ends_with(u.as_str())) {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Image) => {
                links.pop();
            }
            Event::Start(Tag::List(start)) => lists.push(*start),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                out.push('\n');
            }
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::BlockQuote(_)) => out.push_str("> "),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::BlockQuote(_) | TagEnd::CodeBlock) => {
                out.push_str("\n\n");
            }
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                let trimmed = out.trim_end_matches([' ', '|']).len();
                out.truncate(trimmed);
                out.push('\n');
            }
            Event::End(TagEnd::Table) => out.push('\n'),
            // Raw HTML is not text; the HTML part has what of it survives sanitising.
            _ => {}
        }
    }
    let mut text = out.trim().to_string();
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{render, render_mail};

    #[test]
    fn mail_links_are_absolute_and_the_text_part_is_plain() {
        let md = "# Neu\n\nLesen Sie [den Bericht](/news/a) und <https://example.org/x>.\n\n\
                  <script>alert(1)</script>\n\n- eins\n- zwei\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                  ![Bild](/media/a.png) ![fremd](https://tracker.example/p.gif)";
        let (html, text) = render_mail(md, "https://news.example");
        assert!(html.contains("href=\"https://news.example/news/a\""), "{html}");
        assert!(html.contains("src=\"https://news.example/media/a.png\""), "{html}");
        assert!(!html.contains("tracker.example") && !html.contains("script"), "{html}");
        assert!(html.contains("<td style="), "{html}");
        assert!(text.contains("den Bericht (https://news.example/news/a)"), "{text}");
        assert!(text.contains("https://example.org/x."), "{text}");
        assert!(!text.contains("https://example.org/x (https"), "a bare link is not repeated: {text}");
        assert!(text.contains("- eins\n- zwei"), "{text}");
        assert!(text.contains("a | b\n1 | 2"), "{text}");
        assert!(!text.contains("script") && !text.contains("<"), "{text}");
        assert!(text.starts_with("Neu\n\nLesen Sie"), "{text}");
    }

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
