//! Comment text is plain text: escaped, paragraphs and line breaks kept, web addresses made
//! into links that search engines do not follow.

use std::fmt::Write as _;

use crate::web::templates::escape_html;

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
pub fn highlight(html: &str, terms: &[String]) -> String {
    let needles: Vec<String> =
        terms.iter().map(|t| escape_html(&t.to_lowercase()).into_owned()).filter(|t| t.len() >= 2).collect();
    if needles.is_empty() {
        return html.to_string();
    }
    let lower = html.to_lowercase();
    // Lower-casing may change byte lengths (rare letters); then leave the text as it is.
    if lower.len() != html.len() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 32);
    let mut i = 0;
    let mut in_tag = false;
    while i < html.len() {
        let c = html[i..].chars().next().expect("i is on a char boundary");
        if in_tag || c == '<' {
            in_tag = c != '>';
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        if let Some(needle) =
            needles.iter().find(|n| lower[i..].starts_with(n.as_str()) && !html[i..i + n.len()].contains('<'))
        {
            let _ = write!(out, "<mark>{}</mark>", &html[i..i + needle.len()]);
            i += needle.len();
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The words an assessment's reasons quote (`insult: "Vollidiot" (idiot)`), for [`highlight`].
pub fn quoted_terms(reasons: &[String]) -> Vec<String> {
    reasons
        .iter()
        .filter_map(|r| {
            let start = r.find('"')? + 1;
            let end = start + r[start..].find('"')?;
            let term = &r[start..end];
            (!term.contains('*')).then(|| term.to_string())
        })
        .collect()
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
        assert_eq!(quoted_terms(&["insult: \"Depp\" (dep)".into(), "attack on a person: \"du *\"".into()]), ["Depp"]);
    }
}
