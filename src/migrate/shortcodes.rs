//! A WordPress post's content as WordPress would show it, in HTML that needs nothing of
//! WordPress: block comments removed with their content kept, the classic editor's paragraphs
//! made (what WordPress's `wpautop` does when it shows a post), and shortcodes turned into
//! content. `[caption]` becomes a figure, `[gallery]` the pictures it names, `[audio]` and
//! `[video]` players of their files (which the import brings along, or makes links),
//! `[embed]` and a URL alone on a line a link card. Shortcodes not known here stay as text and
//! are counted.

use std::collections::{BTreeMap, HashMap};

use super::html::{attributes, escape, find_tags};

/// A picture of the export (an attachment item).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attachment {
    pub url: String,
    pub alt: String,
    pub caption: String,
    /// The post it was uploaded to.
    pub parent: String,
}

/// What converting a post's content gave.
#[derive(Debug, Default, PartialEq)]
pub struct Converted {
    pub html: String,
    /// Shortcodes left as text, by name.
    pub unknown: BTreeMap<String, u64>,
}

/// Converts `content`, the post with id `post_id`, whose pictures are `attachments` by id.
pub fn convert(content: &str, post_id: &str, attachments: &HashMap<String, Attachment>) -> Converted {
    let blocks = content.contains("<!-- wp:");
    let content = without_block_comments(content);
    let mut converted = Converted::default();
    let expanded = expand(&content, post_id, attachments, &mut converted.unknown);
    let linked = link_cards(&expanded);
    converted.html = if blocks { linked } else { paragraphs(&linked) };
    converted
}

/// Removes the block editor's comments (`<!-- wp:image {...} -->`, `<!-- /wp:image -->`,
/// `<!-- wp:more /-->`) and the classic `<!--more-->` and `<!--nextpage-->` markers; what the
/// blocks hold stays.
fn without_block_comments(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let inner_start = at + 4;
        let Some(end) = rest[inner_start..].find("-->").map(|e| inner_start + e) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = rest[inner_start..end].trim();
        let marker = inner.starts_with("wp:")
            || inner.starts_with("/wp:")
            || inner.starts_with("more")
            || inner == "nextpage"
            || inner == "noteaser";
        if !marker {
            out.push_str(&rest[at..end + 3]);
        }
        rest = &rest[end + 3..];
    }
    out.push_str(rest);
    out
}

/// One shortcode found in the text.
struct Shortcode<'a> {
    name: String,
    attrs: Vec<(String, String)>,
    content: Option<&'a str>,
    /// Bytes from its `[` to after its end (the closing tag, when it has one).
    start: usize,
    end: usize,
}

impl Shortcode<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty())
    }
}

/// The next shortcode at or after `from`: `[name attrs]`, `[name attrs /]` or
/// `[name attrs]content[/name]`. `[[name]]` is WordPress's way of writing a shortcode as text.
fn next_shortcode(text: &str, from: usize) -> Option<Shortcode<'_>> {
    let mut at = from;
    while let Some(open) = text[at..].find('[').map(|i| i + at) {
        let close = text[open..].find(']').map(|i| i + open)?;
        let inner = &text[open + 1..close];
        let name: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        let valid = !name.is_empty()
            && !inner.contains('[')
            && inner[name.len()..].chars().next().is_none_or(|c| c.is_whitespace() || c == '/');
        if !valid || text[..open].ends_with('[') {
            at = open + 1;
            continue;
        }
        let attrs = attributes(inner[name.len()..].trim_end_matches('/'));
        let after = close + 1;
        let end_tag = format!("[/{name}]");
        // A closing tag belongs to this shortcode when no other opening of it comes first.
        let content = if inner.ends_with('/') {
            None
        } else {
            text[after..].find(&end_tag).map(|e| after + e).filter(|e| !text[after..*e].contains(&format!("[{name}")))
        };
        let name = name.to_ascii_lowercase();
        return Some(match content {
            Some(e) => Shortcode { name, attrs, content: Some(&text[after..e]), start: open, end: e + end_tag.len() },
            None => Shortcode { name, attrs, content: None, start: open, end: after },
        });
    }
    None
}

/// Replaces every known shortcode with its content; unknown ones stay, counted.
fn expand(
    text: &str,
    post_id: &str,
    attachments: &HashMap<String, Attachment>,
    unknown: &mut BTreeMap<String, u64>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let verbatim = verbatim_regions(text);
    let mut at = 0;
    while let Some(code) = next_shortcode(text, at) {
        // In code and preformatted text, brackets are the text's own (`tide[hour]`).
        if let Some(&(_, end)) = verbatim.iter().find(|(s, e)| (*s..*e).contains(&code.start)) {
            out.push_str(&text[at..end]);
            at = end;
            continue;
        }
        out.push_str(&text[at..code.start]);
        let inner = code.content.map(|c| expand(c, post_id, attachments, unknown)).unwrap_or_default();
        let replaced = match code.name.as_str() {
            "caption" | "wp_caption" => Some(caption(&code, &inner)),
            "gallery" => Some(gallery(&code, post_id, attachments)),
            "audio" => Some(media_link(&code, &inner, "audio", &["src", "mp3", "m4a", "ogg", "wav", "wma"])),
            "video" => Some(media_link(&code, &inner, "video", &["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"])),
            "embed" => Some(format!("\n\n{}\n\n", link_card(inner.trim()))),
            _ => None,
        };
        match replaced {
            Some(html) => out.push_str(&html),
            None => {
                *unknown.entry(code.name.clone()).or_default() += 1;
                // The shortcode stays as written; what it encloses is converted all the same.
                match code.content {
                    Some(content) => {
                        let open_end = code.start + text[code.start..].find(']').map_or(0, |e| e + 1);
                        out.push_str(&text[code.start..open_end]);
                        out.push_str(&expand(content, post_id, attachments, unknown));
                        out.push_str(&format!("[/{}]", code.name));
                    }
                    None => out.push_str(&text[code.start..code.end]),
                }
            }
        }
        at = code.end;
    }
    out.push_str(&text[at..]);
    unescape_brackets(&out)
}

/// `[[gallery]]` is WordPress's way of writing `[gallery]` as text; code keeps its brackets.
fn unescape_brackets(html: &str) -> String {
    if !html.contains("[[") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut regions = verbatim_regions(html);
    regions.sort_unstable();
    for (start, end) in regions {
        if start < at {
            continue;
        }
        out.push_str(&html[at..start].replace("[[", "[").replace("]]", "]"));
        out.push_str(&html[start..end]);
        at = end;
    }
    out.push_str(&html[at..].replace("[[", "[").replace("]]", "]"));
    out
}

/// The spans of `<pre>` and `<code>` elements.
fn verbatim_regions(text: &str) -> Vec<(usize, usize)> {
    let mut regions = Vec::new();
    for name in ["pre", "code"] {
        for tag in find_tags(text, name) {
            let end = super::html::closing(text, name, tag.end).map_or(text.len(), |(_, after)| after);
            regions.push((tag.start, end));
        }
    }
    regions
}

/// `[caption]<img ...> The caption[/caption]` (or `caption="..."`, as older posts have it).
fn caption(code: &Shortcode<'_>, inner: &str) -> String {
    // The picture, with the link around it if there is one; the rest is the caption.
    let picture_end = match find_tags(inner, "img").first() {
        Some(img) => {
            let before = &inner[..img.start];
            let linked =
                before.trim_end().to_ascii_lowercase().ends_with('>') && before.to_ascii_lowercase().contains("<a");
            let after_img = img.end;
            if linked {
                inner[after_img..].to_ascii_lowercase().find("</a>").map_or(after_img, |e| after_img + e + 4)
            } else {
                after_img
            }
        }
        None => 0,
    };
    let picture = inner[..picture_end].trim();
    let text = code.attr("caption").map(escape).unwrap_or_else(|| inner[picture_end..].trim().to_string());
    if text.is_empty() {
        format!("<figure>{picture}</figure>")
    } else {
        format!("<figure>{picture}<figcaption>{text}</figcaption></figure>")
    }
}

/// `[gallery ids="1,2,3"]`, or without ids the pictures uploaded to the post.
fn gallery(code: &Shortcode<'_>, post_id: &str, attachments: &HashMap<String, Attachment>) -> String {
    let ids: Vec<String> = match code.attr("ids").or_else(|| code.attr("include")) {
        Some(ids) => ids.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => {
            let mut own: Vec<(&String, &Attachment)> =
                attachments.iter().filter(|(_, a)| a.parent == post_id && !post_id.is_empty()).collect();
            own.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
            own.into_iter().map(|(id, _)| id.clone()).collect()
        }
    };
    let mut html = String::from("<figure class=\"gallery\">");
    for id in &ids {
        let Some(a) = attachments.get(id) else { continue };
        html.push_str(&format!("<figure><img src=\"{}\" alt=\"{}\">", escape(&a.url), escape(&a.alt)));
        if !a.caption.trim().is_empty() {
            html.push_str(&format!("<figcaption>{}</figcaption>", escape(a.caption.trim())));
        }
        html.push_str("</figure>");
    }
    html.push_str("</figure>");
    html
}

/// `[audio mp3="..."]` and `[video mp4="..."]`: a player of the file (the import brings the
/// file along, or makes the player a link to it).
fn media_link(code: &Shortcode<'_>, inner: &str, element: &str, keys: &[&str]) -> String {
    let url = keys.iter().find_map(|k| code.attr(k)).map(str::to_string).or_else(|| {
        let inner = inner.trim();
        inner.starts_with("http").then(|| inner.to_string())
    });
    match url {
        Some(url) => format!("<{element} controls src=\"{}\"></{element}>", escape(&url)),
        None => String::new(),
    }
}

/// A link to what an embed showed: the service's name and the address.
pub fn link_card(url: &str) -> String {
    let host = url.split("//").nth(1).and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or(url);
    let host = host.trim_start_matches("www.").trim_start_matches("m.");
    let service = match host {
        "youtube.com" | "youtu.be" => "YouTube",
        "vimeo.com" => "Vimeo",
        "twitter.com" | "x.com" => "X (Twitter)",
        "instagram.com" => "Instagram",
        "facebook.com" => "Facebook",
        "soundcloud.com" => "SoundCloud",
        "open.spotify.com" | "spotify.com" => "Spotify",
        "tiktok.com" => "TikTok",
        "flickr.com" => "Flickr",
        "mastodon.social" => "Mastodon",
        other => other,
    };
    format!("<p class=\"link-card\"><a href=\"{0}\">{1}: {0}</a></p>", escape(url), escape(service))
}

/// A URL alone on its line, as WordPress's classic editor turns into an embed, becomes a link
/// card; so does the URL a block editor embed wraps.
fn link_cards(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = false;
    for line in html.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        if lower.contains("<pre") {
            in_pre = true;
        }
        let url = line.trim();
        let alone = !in_pre
            && (url.starts_with("http://") || url.starts_with("https://"))
            && !url.contains(char::is_whitespace)
            && !url.contains(['<', '>', '"']);
        if alone {
            out.push_str(&link_card(url));
            out.push('\n');
        } else {
            out.push_str(line);
        }
        if lower.contains("</pre") {
            in_pre = false;
        }
    }
    out
}

/// What WordPress's `wpautop` does to classic content when it shows a post: text separated
/// by blank lines becomes paragraphs, a single line break a `<br>`; blocks that are elements
/// already stay, and a `<pre>` keeps its lines, blank ones included.
fn paragraphs(html: &str) -> String {
    // Each <pre> is taken out whole first, so that its blank lines split nothing.
    let mut kept: Vec<String> = Vec::new();
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.to_ascii_lowercase().find("<pre") {
        text.push_str(&rest[..at]);
        let end = super::html::closing(rest, "pre", at + 4).map_or(rest.len(), |(_, after)| after);
        text.push_str(&format!("\n\n\u{1}{}\u{1}\n\n", kept.len()));
        kept.push(rest[at..end].to_string());
        rest = &rest[end..];
    }
    text.push_str(rest);
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + 64);
    for chunk in text.split("\n\n").map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(n) =
            chunk.strip_prefix('\u{1}').and_then(|c| c.strip_suffix('\u{1}')).and_then(|n| n.parse::<usize>().ok())
        {
            out.push_str(kept.get(n).map_or("", String::as_str));
        } else if starts_block(chunk) {
            out.push_str(chunk);
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.lines().map(str::trim_end).collect::<Vec<_>>().join("<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

fn starts_block(chunk: &str) -> bool {
    let Some(tag) = chunk.strip_prefix('<') else { return false };
    let name: String = tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect();
    let name = name.to_ascii_lowercase();
    name != "br" && crate::articles::markdown::BLOCKS.contains(&name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pictures() -> HashMap<String, Attachment> {
        let picture = |n: &str, parent: &str| Attachment {
            url: format!("http://old.test/{n}.jpg"),
            alt: format!("Bild {n}"),
            caption: if n == "2" { "Zweites & letztes".into() } else { String::new() },
            parent: parent.into(),
        };
        HashMap::from([
            ("1".into(), picture("1", "9")),
            ("2".into(), picture("2", "9")),
            ("3".into(), picture("3", "7")),
        ])
    }

    #[test]
    fn caption_becomes_a_figure() {
        let c = convert(
            r#"[caption id="attachment_5" align="aligncenter" width="640"]<a href="http://old.test/a.jpg"><img src="http://old.test/a.jpg" alt="Boote" /></a> Hafen um 6 Uhr, <a href="/x">mehr</a>[/caption]"#,
            "9",
            &pictures(),
        );
        assert_eq!(
            c.html.trim(),
            r#"<figure><a href="http://old.test/a.jpg"><img src="http://old.test/a.jpg" alt="Boote" /></a><figcaption>Hafen um 6 Uhr, <a href="/x">mehr</a></figcaption></figure>"#
        );
        let old = convert(
            r#"[caption caption="Alt & neu"]<img src="http://old.test/b.jpg" alt="">[/caption]"#,
            "9",
            &pictures(),
        );
        assert!(old.html.contains("<figcaption>Alt &amp; neu</figcaption>"), "{}", old.html);
    }

    #[test]
    fn gallery_lists_the_pictures_it_names_or_the_posts_own() {
        let named = convert(r#"[gallery ids="2,3,404" columns="3"]"#, "9", &pictures());
        assert_eq!(
            named.html.trim(),
            "<figure class=\"gallery\"><figure><img src=\"http://old.test/2.jpg\" alt=\"Bild 2\"><figcaption>Zweites &amp; letztes</figcaption></figure>\
             <figure><img src=\"http://old.test/3.jpg\" alt=\"Bild 3\"></figure></figure>"
        );
        let own = convert("[gallery]", "9", &pictures());
        assert!(
            own.html.contains("1.jpg") && own.html.contains("2.jpg") && !own.html.contains("3.jpg"),
            "{}",
            own.html
        );
    }

    #[test]
    fn audio_video_and_embeds_become_links() {
        let c = convert(
            "[audio mp3=\"http://old.test/i.mp3\"][/audio]\n\n[video width=\"640\" mp4=\"http://old.test/c.mp4\"][/video]\n\n[embed]https://www.youtube.com/watch?v=abc[/embed]\n\nText\nhttps://vimeo.com/123\nmehr",
            "9",
            &pictures(),
        );
        assert!(c.html.contains("<audio controls src=\"http://old.test/i.mp3\"></audio>"), "{}", c.html);
        assert!(c.html.contains("<video controls src=\"http://old.test/c.mp4\"></video>"), "{}", c.html);
        assert!(
            c.html.contains(
                "<a href=\"https://www.youtube.com/watch?v=abc\">YouTube: https://www.youtube.com/watch?v=abc</a>"
            ),
            "{}",
            c.html
        );
        assert!(c.html.contains("Vimeo: https://vimeo.com/123"), "{}", c.html);
        assert!(c.unknown.is_empty());
    }

    #[test]
    fn unknown_shortcodes_stay_and_are_counted() {
        let code = convert("<pre><code>tide[hour]]&gt; 0 [gallery]</code></pre>", "9", &pictures());
        assert!(code.unknown.is_empty() && code.html.contains("tide[hour]]&gt; 0 [gallery]"), "{code:?}");
        let c = convert(
            "[contact-form-7 id=\"12\"]\n\n[su_note][caption]<img src=\"http://old.test/x.jpg\" alt=\"x\"> Text[/caption][/su_note] [[gallery]]",
            "9",
            &pictures(),
        );
        assert_eq!(c.unknown.get("contact-form-7"), Some(&1));
        assert_eq!(c.unknown.get("su_note"), Some(&1));
        assert!(c.html.contains("[contact-form-7 id=\"12\"]"), "{}", c.html);
        assert!(c.html.contains("[su_note]<figure>"), "{}", c.html);
        assert!(c.html.contains("[gallery]") && !c.html.contains("class=\"gallery\""), "{}", c.html);
    }

    #[test]
    fn block_comments_go_and_their_content_stays() {
        let c = convert(
            "<!-- wp:paragraph -->\n<p>Eins</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:more --><!--more--><!-- /wp:more -->\n\n<!-- wp:embed {\"url\":\"https://twitter.com/a/status/1\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://twitter.com/a/status/1\n</div></figure>\n<!-- /wp:embed --><!-- wp:separator /--><!-- ein Kommentar -->",
            "9",
            &pictures(),
        );
        assert!(!c.html.contains("wp:"), "{}", c.html);
        assert!(c.html.contains("<p>Eins</p>"));
        assert!(c.html.contains("X (Twitter): https://twitter.com/a/status/1"), "{}", c.html);
        assert!(c.html.contains("<!-- ein Kommentar -->"));
        // Block content gets no paragraphs made around it.
        assert!(!c.html.contains("<p><figure"), "{}", c.html);
    }

    #[test]
    fn classic_text_gets_paragraphs_and_pre_keeps_its_blank_lines() {
        let c = convert(
            "Erste Zeile\nzweite Zeile\n\na &gt; b\n\n<pre>Vers eins\n\nVers &lt;zwei&gt;</pre>\n\n<h2>Titel</h2>",
            "9",
            &pictures(),
        );
        assert_eq!(
            c.html,
            "<p>Erste Zeile<br>\nzweite Zeile</p>\n<p>a &gt; b</p>\n<pre>Vers eins\n\nVers &lt;zwei&gt;</pre>\n<h2>Titel</h2>\n"
        );
    }
}
