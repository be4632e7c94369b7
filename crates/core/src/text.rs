//! Text rules every layer shares: the checks for links, site paths and dates that editors and
//! partner feeds give us, and HTML escaping.

/// What a reader sees of some HTML (an article's sanitised body): its text without tags, with
/// character references read, on one line. Snippets come from this, never from the Markdown
/// source, where an editor's `<!-- note -->` or a link's address would show through.
pub fn visible_text(html: &str) -> String {
    html_text(html).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of some HTML with its paragraphs: a block element (`p`, `div`, a heading, a list
/// item, a quote) starts a new paragraph, `<br>` a new line; other tags are dropped and
/// character references read. Paragraphs are separated by one empty line.
pub fn html_text(html: &str) -> String {
    // Elements that run inside a line; any other tag separates words.
    const INLINE: &[&str] = &[
        "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span",
        "strong", "sub", "sup", "u", "var",
    ];
    const BLOCK: &[&str] = &[
        "p",
        "div",
        "blockquote",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "figure",
        "table",
        "tr",
    ];
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut text, &rest[..open]);
        rest = &rest[open..];
        // The tag's end: the first `>` outside quotes (an attribute value may hold one).
        let mut quote = None;
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| match (quote, c) {
                (None, '"' | '\'') => {
                    quote = Some(c);
                    false
                }
                (Some(q), c) if c == q => {
                    quote = None;
                    false
                }
                (None, '>') => true,
                _ => false,
            })
            .map_or(rest.len(), |(i, _)| i + 1);
        let name: String = rest[1..end]
            .trim_start_matches(['/', '!'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "br" {
            text.push('\n');
        } else if BLOCK.contains(&name.as_str()) {
            text.push_str("\n\n");
        } else if !INLINE.contains(&name.as_str()) {
            text.push(' ');
        }
        // A comment would have been dropped by a sanitiser; should one be there, skip it whole.
        rest = match rest.strip_prefix("<!--") {
            Some(comment) => comment.find("-->").map_or("", |i| &comment[i + 3..]),
            None => &rest[end..],
        };
    }
    push_text(&mut text, rest);
    // Each line's spaces made single, at most one empty line between paragraphs.
    let mut out = String::with_capacity(text.len());
    let mut empty_lines = 0;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            empty_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if empty_lines > 0 { "\n\n" } else { "\n" });
        }
        empty_lines = 0;
        out.push_str(&line);
    }
    out
}

/// Text between tags, its character references read.
fn push_text(out: &mut String, mut text: &str) {
    while let Some(amp) = text.find('&') {
        out.push_str(&text[..amp]);
        text = &text[amp..];
        let reference = text[1..].find(';').filter(|n| *n <= 10).map(|n| &text[1..=n]);
        let decoded = reference.and_then(|r| match r {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => {
                let number = r.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (reference, decoded) {
            (Some(r), Some(c)) => {
                out.push(c);
                text = &text[r.len() + 2..];
            }
            _ => {
                out.push('&');
                text = &text[1..];
            }
        }
    }
    out.push_str(text);
}

/// An absolute `http(s)://` URL with a host, at most 2,000 characters, without spaces, quotes,
/// angle brackets or control characters.
pub fn is_web_link(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 2000
        && !host.is_empty()
        && !host.starts_with('.')
        && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\'))
}

/// A path on this site (`/media/1/a.jpg`), the only kind of address pages load pictures from:
/// pages make no requests to other hosts. Browsers read `//host` and `/\host` as another host,
/// so those are not site paths; nor is anything with spaces, quotes, angle brackets or control
/// characters, which could break out of an attribute.
pub fn is_site_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A calendar day `YYYY-MM-DD` as the Unix time its first second starts, in `zone`.
pub fn day_start(date: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    date.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_second())
}

/// The Unix time a calendar day ends (the next day's first second), in `zone`.
pub fn day_end(date: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    date.tomorrow().ok()?.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_second())
}

/// The calendar day of a Unix time in `zone`, as `YYYY-MM-DD`, for date inputs.
pub fn day_of(ts: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(ts).map(|t| t.to_zoned(zone.clone()).date().to_string()).unwrap_or_default()
}

/// A CSV field, quoted when it must be. A field a spreadsheet would run as a formula (`=`,
/// `+`, `-`, `@` first) gets a leading apostrophe, so a reader's text cannot smuggle one in.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\r', '\n', ';']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_keeps_paragraphs_and_lines() {
        let note = "<p><span class=\"h-card\"><a href=\"https://x.example/@news\">@<span>news</span></a></span> \
                    Guter   Text &amp; mehr</p><p>Zeile eins<br>Zeile zwei</p><ul><li>a</li><li>b</li></ul>";
        assert_eq!(html_text(note), "@news Guter Text & mehr\n\nZeile eins\nZeile zwei\n\na\n\nb");
        assert_eq!(visible_text(note), "@news Guter Text & mehr Zeile eins Zeile zwei a b");
        assert_eq!(html_text("plain &lt;b&gt;"), "plain <b>");
    }

    #[test]
    fn only_plain_paths_of_this_site_are_site_paths() {
        assert!(is_site_path("/media/1/bild.jpg"));
        assert!(is_site_path("/static/logo.svg"));
        for other in [
            "//tracker.example/a.jpg",
            "/\\tracker.example/a.jpg",
            "https://x.example/a.jpg",
            "media/a.jpg",
            "/a b.jpg",
            "/a\"onerror=\"x",
            "/a<b",
            "",
        ] {
            assert!(!is_site_path(other), "{other}");
        }
    }

    #[test]
    fn web_links() {
        assert!(is_web_link("https://jobs.example/apply?id=3"));
        assert!(is_web_link("http://localhost:8080/x"));
        for bad in
            ["javascript:alert(1)", "ftp://x", "https://", "https:// x", "https://a\"b", "//x.example", "mailto:a@b"]
        {
            assert!(!is_web_link(bad), "{bad}");
        }
    }

    #[test]
    fn days_in_berlin() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let start = day_start("2026-03-01", &zone).unwrap();
        assert_eq!(start, 1_772_319_600);
        assert_eq!(day_end("2026-03-01", &zone).unwrap() - start, 86_400);
        assert_eq!(day_of(start, &zone), "2026-03-01");
        assert!(day_start("2026-02-30", &zone).is_none());
    }
}
