//! Small helpers for reading and writing bits of HTML from an export: the tags of one element
//! with their attributes, and escaping. The HTML is sanitised when stored, so these need only
//! find what an importer rewrites, not judge what is safe.

/// One start tag found in a text: where it is and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Byte offsets of `<` and just after `>`.
    pub start: usize,
    pub end: usize,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The start tags of element `name` (lowercase) in `html`, in order.
pub fn find_tags(html: &str, name: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = lower[from..].find(&open).map(|i| i + from) {
        let after = at + open.len();
        // `<img` but not `<imgfoo`.
        let boundary = lower.as_bytes().get(after).is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        let Some(close) = tag_end(html, after) else { break };
        if boundary {
            found.push(Tag { start: at, end: close, attrs: attributes(&html[after..close - 1]) });
        }
        from = close;
    }
    found
}

/// The offset just after the `>` that ends a tag whose attributes start at `from`, minding
/// quoted values that hold `>`.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in html.as_bytes()[from..].iter().enumerate() {
        match (quote, *b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// Attributes of a tag or shortcode: `name="value"`, `name='value'`, `name=value`, `name`.
/// Names are lowercased, values unescaped.
pub fn attributes(text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/' | b'>') {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = text[start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && matches!(bytes[i], b'"' | b'\'') {
                let quote = bytes[i];
                let from = i + 1;
                let to = text[from..].find(quote as char).map_or(text.len(), |e| from + e);
                value = unescape(&text[from..to]);
                i = to + 1;
            } else {
                let from = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = unescape(&text[from..i]);
            }
        }
        attrs.push((name, value));
    }
    attrs
}

/// Resolves the entities an attribute or text commonly holds.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &tail[1..e];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Percent-escapes resolved (`k%C3%BCche` is `küche`), as WordPress keeps non-ASCII slugs and
/// browsers send paths; a `%` not followed by two hex digits stays.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let (b'%', Some(high), Some(low)) = (bytes[i], hex(i + 1), hex(i + 2)) {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file name at the end of a URL, without its query (`.../uploads/a.jpg?w=1` is `a.jpg`).
pub fn file_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default()
}

/// The path a site lives under (`/blog` for `https://example.com/blog/`), or "" at the root.
pub fn base_path(site_url: &str) -> String {
    let after_scheme = site_url.split_once("://").map_or("", |(_, rest)| rest);
    after_scheme.find('/').map_or(String::new(), |at| after_scheme[at..].trim_end_matches('/').to_string())
}

/// Escapes text for an element's content or an attribute value.
pub fn escape(text: &str) -> String {
    crate::text::escape_html(text).into_owned()
}

/// The file each `<audio>` and `<video>` element plays (its `src`, or its first `<source>`).
pub fn players(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    rewrite_players(html, |_, _, src| {
        urls.extend(src.map(str::to_string));
        String::new()
    });
    urls
}

/// Each `<audio>` and `<video>` element made a player of this site's copy of its file (`local`,
/// by the file's old address), or, with none, a link to the file ("Audio: interview.mp3"):
/// pages load nothing from other hosts, so a player of the old address would stay silent.
pub fn media_links(html: &str, local: &std::collections::HashMap<String, String>) -> String {
    rewrite_players(html, |element, label, src| {
        let Some(src) = src else { return String::new() };
        let file = file_name(src);
        let here = local.get(src).map(String::as_str).or_else(|| crate::text::is_site_path(src).then_some(src));
        match here {
            Some(path) => format!(
                "<{element} controls preload=\"none\" src=\"{0}\"><a href=\"{0}\">{label}: {1}</a></{element}>",
                escape(path),
                escape(file)
            ),
            None => format!("<a href=\"{}\">{label}: {}</a>", escape(src), escape(file)),
        }
    })
}

/// Replaces each `<audio>` and `<video>` element with what `with` makes of it, given the
/// element's name, its label and the file it plays.
fn rewrite_players(html: &str, mut with: impl FnMut(&str, &str, Option<&str>) -> String) -> String {
    let mut out = html.to_string();
    for (name, label) in [("audio", "Audio"), ("video", "Video")] {
        let mut done = String::with_capacity(out.len());
        let mut at = 0;
        for tag in find_tags(&out, name) {
            if tag.start < at {
                continue;
            }
            let end = closing(&out, name, tag.end).map_or(tag.end, |(_, after)| after);
            let inner = &out[tag.end..end];
            let src = tag
                .attr("src")
                .map(str::to_string)
                .or_else(|| find_tags(inner, "source").iter().find_map(|s| s.attr("src").map(str::to_string)));
            done.push_str(&out[at..tag.start]);
            done.push_str(&with(name, label, src.as_deref().map(str::trim).filter(|s| !s.is_empty())));
            at = end;
        }
        done.push_str(&out[at..]);
        out = done;
    }
    out
}

/// Headings renumbered so that the body's highest is `h2` (the page's `h1` is the headline)
/// and none skips a level: the levels a post uses, in order, become h2, h3, ...
pub fn heading_levels(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut used = [false; 7];
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices("<h") {
        if let Some(d @ b'1'..=b'6') = bytes.get(at + 2).copied()
            && bytes.get(at + 3).is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
        {
            used[usize::from(d - b'0')] = true;
        }
    }
    let mut level = [0u8; 7];
    let mut next = 2u8;
    for (n, in_use) in used.iter().enumerate().skip(1) {
        if *in_use {
            level[n] = next.min(6);
            next += 1;
        }
    }
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (at, _) in
        lower.match_indices("<h").chain(lower.match_indices("</h")).collect::<std::collections::BTreeMap<_, _>>()
    {
        let digit = if bytes.get(at + 1) == Some(&b'/') { at + 3 } else { at + 2 };
        let Some(d @ b'1'..=b'6') = bytes.get(digit).copied() else { continue };
        if !bytes.get(digit + 1).is_some_and(|b| b.is_ascii_whitespace() || *b == b'>') {
            continue;
        }
        out.push_str(&html[last..digit]);
        out.push(char::from(b'0' + level[usize::from(d - b'0')]));
        last = digit + 1;
    }
    out.push_str(&html[last..]);
    out
}

/// Removes `<img>` tags left without a source (sanitising drops addresses of other hosts and
/// of no use here); returns the HTML and how many there were.
pub fn without_bare_images(html: &str) -> (String, u64) {
    let mut out = String::with_capacity(html.len());
    let mut dropped = 0;
    let mut at = 0;
    for img in find_tags(html, "img") {
        if img.attr("src").is_some_and(|s| !s.trim().is_empty()) {
            continue;
        }
        out.push_str(&html[at..img.start]);
        at = img.end;
        dropped += 1;
    }
    out.push_str(&html[at..]);
    (out, dropped)
}

/// Root-relative picture addresses (`/wp-content/uploads/a.jpg`) made addresses of `site`, where
/// the pictures are.
pub fn absolute_pictures(html: &str, site: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for img in find_tags(html, "img") {
        let src = img.attr("src").unwrap_or_default().trim();
        if !src.starts_with('/') || src.starts_with("//") {
            continue;
        }
        out.push_str(&html[at..img.start]);
        out.push_str("<img");
        for (name, value) in &img.attrs {
            let value = if name == "src" { format!("{site}{src}") } else { value.clone() };
            out.push_str(&format!(" {name}=\"{}\"", escape(&value)));
        }
        out.push('>');
        at = img.end;
    }
    out.push_str(&html[at..]);
    out
}

/// Links to `site` (`https://old.example.com/2019/05/x/`) made paths on this site
/// (`/2019/05/x/`), where the old addresses redirect to what they name now.
pub fn relative_links(html: &str, site: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for a in find_tags(html, "a") {
        let href = a.attr("href").unwrap_or_default().trim();
        let Some(rest) = href.strip_prefix(site) else { continue };
        if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
            continue;
        }
        let path = if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") };
        out.push_str(&html[at..a.start]);
        out.push_str("<a");
        for (name, value) in &a.attrs {
            let value = if name == "href" { path.as_str() } else { value.as_str() };
            out.push_str(&format!(" {name}=\"{}\"", escape(value)));
        }
        out.push('>');
        at = a.end;
    }
    out.push_str(&html[at..]);
    out
}

/// Where the element begun by the start tag ending at `from` closes: the offsets of its end
/// tag `</name>` and just after it, counting nested elements of the same name.
pub fn closing(html: &str, name: &str, from: usize) -> Option<(usize, usize)> {
    let lower = html[from..].to_ascii_lowercase();
    let open = format!("<{name}");
    let close = format!("</{name}");
    let mut depth = 1;
    let mut at = 0;
    loop {
        let next_close = lower[at..].find(&close).map(|i| i + at)?;
        let next_open = lower[at..].find(&open).map(|i| i + at).filter(|o| *o < next_close);
        match next_open {
            Some(o) => {
                depth += 1;
                at = o + open.len();
            }
            None => {
                depth -= 1;
                let end = lower[next_close..].find('>').map_or(lower.len(), |e| next_close + e + 1);
                if depth == 0 {
                    return Some((from + next_close, from + end));
                }
                at = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_reads_attributes() {
        let html = r#"<p><img class="a" src="http://x.test/a.jpg?w=1&amp;h=2" alt='Boote > See'/><imgx src="n"><IMG SRC=b.png></p>"#;
        let tags = find_tags(html, "img");
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0].attr("src"), Some("http://x.test/a.jpg?w=1&h=2"));
        assert_eq!(tags[0].attr("alt"), Some("Boote > See"));
        assert_eq!(
            &html[tags[0].start..tags[0].end],
            r#"<img class="a" src="http://x.test/a.jpg?w=1&amp;h=2" alt='Boote > See'/>"#
        );
        assert_eq!(tags[1].attr("src"), Some("b.png"));
    }

    #[test]
    fn escapes_and_unescapes() {
        assert_eq!(unescape("a &gt; b &amp;amp; &#8211; &#x41; &bogus; &"), "a > b &amp; – A &bogus; &");
        assert_eq!(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn headings_start_at_h2_and_skip_no_level() {
        assert_eq!(
            heading_levels("<h3>a</h3><p>x</p><H5 id=\"b\">b</H5><h3>c</h3><hr><header>"),
            "<h2>a</h2><p>x</p><H3 id=\"b\">b</H3><h2>c</h2><hr><header>"
        );
        assert_eq!(heading_levels("<h1>a</h1><h2>b</h2>"), "<h2>a</h2><h3>b</h3>");
    }

    #[test]
    fn pictures_without_source_go_and_relative_ones_find_their_site() {
        assert_eq!(
            without_bare_images("<p><img alt=\"x\"><img src=\"/media/1/page.jpg\" alt=\"\"></p>"),
            ("<p><img src=\"/media/1/page.jpg\" alt=\"\"></p>".to_string(), 1)
        );
        assert_eq!(
            absolute_pictures("<img src=\"/up/a.jpg\" alt=\"A\"><img src=\"//cdn/b.jpg\">", "http://old.test"),
            "<img src=\"http://old.test/up/a.jpg\" alt=\"A\"><img src=\"//cdn/b.jpg\">"
        );
    }

    #[test]
    fn players_play_local_copies_or_become_links() {
        let html = r#"<figure><audio controls src="http://o.test/a/bell.mp3"></audio><figcaption>Bell</figcaption></figure><video controls><source src="http://o.test/ride.mp4?x=1" type="video/mp4"></video>"#;
        assert_eq!(players(html), ["http://o.test/a/bell.mp3", "http://o.test/ride.mp4?x=1"]);
        assert_eq!(
            media_links(html, &Default::default()),
            r#"<figure><a href="http://o.test/a/bell.mp3">Audio: bell.mp3</a><figcaption>Bell</figcaption></figure><a href="http://o.test/ride.mp4?x=1">Video: ride.mp4</a>"#
        );
        let local = std::collections::HashMap::from([(
            "http://o.test/a/bell.mp3".to_string(),
            "/media/files/9/bell.mp3".to_string(),
        )]);
        assert!(media_links(html, &local).starts_with(
            r#"<figure><audio controls preload="none" src="/media/files/9/bell.mp3"><a href="/media/files/9/bell.mp3">Audio: bell.mp3</a></audio>"#
        ));
    }

    #[test]
    fn links_to_the_old_site_become_paths() {
        let html = r#"<a href="http://old.test/2019/x/" title="T">x</a> <a href="http://old.test">home</a> <a href="http://old.testing/y">no</a>"#;
        assert_eq!(
            relative_links(html, "http://old.test"),
            r#"<a href="/2019/x/" title="T">x</a> <a href="/">home</a> <a href="http://old.testing/y">no</a>"#
        );
    }

    #[test]
    fn urls_are_taken_apart() {
        assert_eq!(percent_decode("k%c3%bcche-und-bad"), "küche-und-bad");
        assert_eq!(percent_decode("100%-sicher%2"), "100%-sicher%2");
        assert_eq!(file_name("http://o.test/up/a.jpg?w=1"), "a.jpg");
        assert_eq!(
            (base_path("https://o.test/blog/"), base_path("https://o.test")),
            ("/blog".to_string(), String::new())
        );
    }

    #[test]
    fn finds_the_matching_end_tag() {
        let html = "<figure><figure>in</figure>out</figure>rest";
        let (at, after) = closing(html, "figure", "<figure>".len()).unwrap();
        assert_eq!(&html[at..after], "</figure>");
        assert_eq!(&html[after..], "rest");
    }
}
