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
