//! Comment text is plain text: escaped, paragraphs and line breaks kept, web addresses made
//! into links that search engines do not follow.

use std::fmt::Write as _;

use crate::text::escape_html;

/// Renders a comment body as HTML paragraphs.
pub fn render(body: &str) -> String {
    let mut html = String::with_capacity(body.len() + 64);
    let normalized = body.replace("\r\n", "\n");
    for paragraph in normalized.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            linkify(line, &mut html);
        }
        html.push_str("</p>");
    }
    html
}

fn linkify(line: &str, html: &mut String) {
    let mut rest = line;
    while let Some(start) = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min() {
        html.push_str(&escape_html(&rest[..start]));
        let url_len =
            rest[start..].find(|c: char| c.is_whitespace() || "<>\"".contains(c)).unwrap_or(rest.len() - start);
        // Trailing punctuation belongs to the sentence, not the address.
        let url = rest[start..start + url_len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        let url_end = start + url.len();
        let _ = write!(html, "<a href=\"{}\" rel=\"nofollow ugc noopener\">{}</a>", escape_html(url), escape_html(url));
        rest = &rest[url_end..];
    }
    html.push_str(&escape_html(rest));
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn escapes_keeps_paragraphs_and_links() {
        let html = render("Hallo <b>Welt</b> & Co.\nZweite Zeile\n\nSiehe https://example.org/a?b=1&c=2. Danke");
        assert_eq!(
            html,
            "<p>Hallo &lt;b&gt;Welt&lt;/b&gt; &amp; Co.<br>Zweite Zeile</p><p>Siehe \
             <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://example.org/a?b=1&amp;c=2</a>. Danke</p>"
        );
    }

    #[test]
    fn javascript_is_never_a_link() {
        let html = render("javascript:alert(1) \"><script>x</script>");
        assert!(!html.contains("<a") && !html.contains("<script"), "{html}");
    }
}

/// Marks each occurrence of `terms` (case-insensitive) in rendered comment HTML with `<mark>`,
/// outside tags, so moderators see what triggered a flag.
///
/// Matching folds case one character at a time and never slices a lower-cased copy: lower-casing
/// changes byte lengths for some letters (the Kelvin sign, a capital I with a dot), so offsets
/// into a lower-cased copy are not offsets into the text.
pub fn highlight(html: &str, terms: &[String]) -> String {
    let needles: Vec<Vec<char>> = terms
        .iter()
        .map(|t| escape_html(&t.to_lowercase()).chars().collect::<Vec<char>>())
        .filter(|t| t.len() >= 2)
        .collect();
    if needles.is_empty() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 32);
    let mut i = 0;
    let mut in_tag = false;
    while let Some(c) = html[i..].chars().next() {
        if in_tag || c == '<' {
            in_tag = c != '>';
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        if let Some(len) = needles.iter().filter_map(|n| folded_match(&html[i..], n)).max() {
            // Terms that overlap ("Kİİ Du", "Du Vollidiot") make one mark.
            let mut end = i + len;
            let mut j = i + c.len_utf8();
            while j < end {
                if let Some(more) = needles.iter().filter_map(|n| folded_match(&html[j..], n)).max() {
                    end = end.max(j + more);
                }
                j += html[j..].chars().next().map_or(1, char::len_utf8);
            }
            let _ = write!(out, "<mark>{}</mark>", &html[i..end]);
            i = end;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The byte length of the prefix of `text` whose lower-cased characters are exactly `needle`,
/// if there is one and it crosses no tag.
fn folded_match(text: &str, needle: &[char]) -> Option<usize> {
    let mut wanted = needle.iter();
    let mut len = 0;
    for c in text.chars() {
        if c == '<' {
            return None;
        }
        for lower in c.to_lowercase() {
            if wanted.next() != Some(&lower) {
                return None;
            }
        }
        len += c.len_utf8();
        if wanted.as_slice().is_empty() {
            return Some(len);
        }
    }
    None
}

/// The words an assessment's reasons quote, for [`highlight`]: the `words` of a reason stored
/// as data, or the quoted part of one stored as an English sentence by earlier versions
/// (`insult: "Vollidiot" (idiot)`).
pub fn quoted_terms(reasons: &[serde_json::Value]) -> Vec<String> {
    let mut terms = Vec::new();
    for reason in reasons {
        if let Some(words) = reason["args"]["words"].as_array() {
            terms.extend(words.iter().filter_map(|w| w.as_str()).map(String::from));
        } else if let Some(r) = reason.as_str()
            && let Some(start) = r.find('"').map(|s| s + 1)
            && let Some(end) = r[start..].find('"').map(|e| start + e)
            && !r[start..end].contains('*')
        {
            terms.push(r[start..end].to_string());
        }
    }
    terms
}

#[cfg(test)]
mod highlight_tests {
    use super::*;

    #[test]
    fn marks_terms_outside_tags() {
        let html = render("Du Vollidiot, siehe https://vollidiot.example");
        let marked = highlight(&html, &["Vollidiot".to_string()]);
        assert!(marked.starts_with("<p>Du <mark>Vollidiot</mark>,"), "{marked}");
        assert!(marked.contains("href=\"https://vollidiot.example\""), "attributes untouched: {marked}");
        let stored = serde_json::json!([
            "insult: \"Depp\" (dep)",
            "attack on a person: \"du *\"",
            {"key": "attack", "args": {"words": ["Du Trottel"]}},
            {"key": "links", "args": {"count": 2}},
        ]);
        assert_eq!(quoted_terms(stored.as_array().unwrap()), ["Depp", "Du Trottel"]);
        let overlapping = highlight(&render("Na Du Vollidiot, ja"), &["na du".into(), "du vollidiot".into()]);
        assert!(overlapping.starts_with("<p><mark>Na Du Vollidiot</mark>, ja"), "{overlapping}");
    }

    #[test]
    fn letters_whose_lower_case_changes_length_do_not_break_marking() {
        // The Kelvin sign shrinks from three bytes to one when lower-cased, a capital I with a
        // dot grows from two to three: together the lengths agree but the offsets do not.
        let html = render("\u{212A}\u{130}\u{130} Du Vollidiot \u{212A}elvin \u{130}diot");
        let marked = highlight(&html, &["Vollidiot".to_string(), "kelvin".to_string(), "i\u{307}diot".to_string()]);
        assert!(marked.contains("<mark>Vollidiot</mark>"), "{marked}");
        assert!(marked.contains("<mark>\u{212A}elvin</mark>"), "folded letters match too: {marked}");
        assert!(marked.contains("<mark>\u{130}diot</mark>"), "{marked}");
        for text in ["\u{212A}", "\u{130}", "\u{212A}\u{130}\u{130}x", "\u{130}\u{130}\u{212A}<b>"] {
            let _ = highlight(&render(text), &["x".repeat(2), "i\u{307}".into(), "kk".into()]);
        }
    }
}
