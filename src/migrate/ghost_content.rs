//! Ghost post bodies to HTML: reads the content that a Ghost export keeps for each post, as Lexical
//! JSON (Ghost 5 and later, the `lexical` field) or as mobiledoc JSON (Ghost 1 to 4, the
//! `mobiledoc` field), and writes the HTML it stands for, so that an imported post keeps its
//! paragraphs, lists, links, images and cards.
//!
//! The HTML is not yet fit to show: text is escaped here, but the HTML that Ghost keeps inside cards
//! (captions, html cards, callouts, toggles) passes through as it was, and the caller sanitises the
//! whole, as it does any body from elsewhere. Embeds and bookmarks become plain link cards, never
//! the provider's iframe or script: pages load nothing from other hosts. Headings start at h2 as in
//! Markdown bodies, since the page's h1 is the headline.
//!
//! What is not understood is counted in [`Rendered::unknown`] rather than failing the import: a
//! Lexical node or a card by its type, a mobiledoc markup, atom or section as `markup NAME`,
//! `atom NAME` or `section N`, and an index that points past its list as `missing markup`,
//! `missing atom` or `missing card`.

use std::collections::BTreeMap;

use serde_json::Value;

/// How deeply Lexical nodes may nest, and how many mobiledoc markups may be open at once. Real posts
/// stay far below it. It sits well under serde_json's own nesting limit (128 levels, two per
/// Lexical node), so that a too-deep post gets this error rather than a parse error.
const MAX_DEPTH: usize = 48;

/// What rendering produced.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// Node or card types not understood, with how often they occurred (their text is kept where they have any).
    pub unknown: BTreeMap<String, u64>,
}

/// Why a post's content could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("the post content is not JSON")]
    Json(#[from] serde_json::Error),
    #[error("the Lexical content has no root node")]
    NoRoot,
    #[error("mobiledoc version {0:?} is not understood: only 0.2.0 and 0.3.x are")]
    Version(String),
    #[error("the post content is nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
}

/// Renders Ghost's Lexical JSON (`{"root":{"children":[...]}}`) to HTML; `markdown` renders the
/// body of a markdown card.
pub fn lexical_to_html(json: &str, markdown: &dyn Fn(&str) -> String) -> Result<Rendered, ContentError> {
    let doc: Value = serde_json::from_str(json)?;
    let root = doc.get("root").filter(|root| root.is_object()).ok_or(ContentError::NoRoot)?;
    let mut writer = Writer::new(markdown);
    writer.lexical_children(root, 0)?;
    Ok(writer.finish())
}

/// Renders mobiledoc JSON, version 0.3.x or 0.2.0, to HTML; `markdown` renders the body of a
/// markdown card.
pub fn mobiledoc_to_html(json: &str, markdown: &dyn Fn(&str) -> String) -> Result<Rendered, ContentError> {
    let doc: Value = serde_json::from_str(json)?;
    let version = doc.get("version").and_then(Value::as_str).unwrap_or_default();
    let (mobiledoc, sections) = if version.starts_with("0.3.") {
        let mobiledoc = Mobiledoc {
            markups: array(&doc, "markups"),
            atoms: array(&doc, "atoms"),
            cards: array(&doc, "cards"),
            legacy: false,
        };
        (mobiledoc, array(&doc, "sections"))
    } else if version == "0.2.0" {
        // 0.2.0 keeps `sections: [markups, sections]`, puts each card in its section and has no atoms.
        let pair = doc.get("sections");
        let nth = |i: usize| items(pair.and_then(|pair| pair.get(i)));
        (Mobiledoc { markups: nth(0), atoms: &[], cards: &[], legacy: true }, nth(1))
    } else {
        return Err(ContentError::Version(version.to_owned()));
    };
    let mut writer = Writer::new(markdown);
    for section in sections {
        writer.mobiledoc_section(&mobiledoc, section)?;
    }
    Ok(writer.finish())
}

/// Text formats of a Lexical text node: the bit in its `format` and the element it becomes, outermost
/// first.
const TEXT_FORMATS: [(u64, &str); 8] =
    [(1, "strong"), (2, "em"), (8, "u"), (4, "s"), (128, "mark"), (32, "sub"), (64, "sup"), (16, "code")];

/// The cards both formats share, whatever each calls them.
#[derive(Debug, Clone, Copy)]
enum Card {
    Image,
    Gallery,
    Code,
    Markdown,
    Html,
    Embed,
    Bookmark,
    Rule,
    Video,
    Audio,
    File,
    Button,
    Callout,
    Toggle,
    Header,
    Product,
    /// Left out: a paywall marks where members-only content began, email and email-cta cards were
    /// only in the newsletter, and a signup card is a form that posts to the Ghost site.
    Hidden,
}

impl Card {
    fn lexical(kind: &str) -> Option<Card> {
        match kind {
            "codeblock" => Some(Card::Code),
            "horizontalrule" => Some(Card::Rule),
            _ => Card::shared(kind),
        }
    }

    fn mobiledoc(name: &str) -> Option<Card> {
        match name {
            "code" => Some(Card::Code),
            "hr" => Some(Card::Rule),
            // Ghost 1.x named its markdown card so.
            "card-markdown" => Some(Card::Markdown),
            _ => Card::shared(name),
        }
    }

    fn shared(name: &str) -> Option<Card> {
        Some(match name {
            "image" => Card::Image,
            "gallery" => Card::Gallery,
            "markdown" => Card::Markdown,
            "html" => Card::Html,
            "embed" => Card::Embed,
            "bookmark" => Card::Bookmark,
            "video" => Card::Video,
            "audio" => Card::Audio,
            "file" => Card::File,
            "button" => Card::Button,
            "callout" => Card::Callout,
            "toggle" => Card::Toggle,
            "header" => Card::Header,
            "product" => Card::Product,
            "paywall" | "email" | "email-cta" | "signup" => Card::Hidden,
            _ => return None,
        })
    }
}

/// The lists of a mobiledoc that sections point into.
struct Mobiledoc<'v> {
    markups: &'v [Value],
    atoms: &'v [Value],
    cards: &'v [Value],
    /// Version 0.2.0: markers have no type, and card sections hold their card.
    legacy: bool,
}

/// The HTML written so far and what was not understood, shared by both formats.
struct Writer<'m> {
    html: String,
    unknown: BTreeMap<String, u64>,
    markdown: &'m dyn Fn(&str) -> String,
}

impl<'m> Writer<'m> {
    fn new(markdown: &'m dyn Fn(&str) -> String) -> Self {
        Writer { html: String::new(), unknown: BTreeMap::new(), markdown }
    }

    fn finish(self) -> Rendered {
        Rendered { html: self.html, unknown: self.unknown }
    }

    fn count(&mut self, kind: &str) {
        *self.unknown.entry(kind.to_owned()).or_default() += 1;
    }

    /// Markup written as it is: tags of our own, or HTML that Ghost stored.
    fn raw(&mut self, html: &str) {
        self.html.push_str(html);
    }

    fn text(&mut self, text: &str) {
        escape_into(&mut self.html, text);
    }

    /// ` name="value"`, the value escaped.
    fn attr(&mut self, name: &str, value: &str) {
        self.html.push(' ');
        self.html.push_str(name);
        self.html.push_str("=\"");
        escape_into(&mut self.html, value);
        self.html.push('"');
    }

    /// `<tag>` + the escaped text + `</tag>`, or nothing for empty text.
    fn text_element(&mut self, tag: &str, text: &str) {
        if !text.is_empty() {
            self.raw(&format!("<{tag}>"));
            self.text(text);
            self.raw(&format!("</{tag}>"));
        }
    }

    /// `<tag>` + Ghost's HTML + `</tag>`, or nothing for empty HTML.
    fn html_element(&mut self, open: &str, html: &str, close: &str) {
        if !html.is_empty() {
            self.raw(open);
            self.raw(html);
            self.raw(close);
        }
    }

    /// `<a href="url">text</a>`, the text falling back to the address.
    fn link(&mut self, url: &str, text: &str) {
        self.raw("<a");
        self.attr("href", url);
        self.raw(">");
        self.text(if text.is_empty() { url } else { text });
        self.raw("</a>");
    }

    fn img(&mut self, src: &str, alt: &str, title: &str) {
        self.raw("<img");
        self.attr("src", src);
        self.attr("alt", alt);
        if !title.is_empty() {
            self.attr("title", title);
        }
        self.raw(">");
    }

    fn lexical_children(&mut self, node: &Value, depth: usize) -> Result<(), ContentError> {
        for child in array(node, "children") {
            self.lexical_node(child, depth + 1)?;
        }
        Ok(())
    }

    /// The node's children between `open` and `close`.
    fn lexical_element(&mut self, open: &str, node: &Value, depth: usize, close: &str) -> Result<(), ContentError> {
        self.raw(open);
        self.lexical_children(node, depth)?;
        self.raw(close);
        Ok(())
    }

    fn lexical_node(&mut self, node: &Value, depth: usize) -> Result<(), ContentError> {
        if depth > MAX_DEPTH {
            return Err(ContentError::TooDeep);
        }
        let kind = string(node, "type");
        match kind {
            // An empty paragraph only held space in the editor.
            "paragraph" if array(node, "children").is_empty() => {}
            "paragraph" => self.lexical_element("<p>", node, depth, "</p>")?,
            "heading" | "extended-heading" => {
                let tag = heading_tag(string(node, "tag"));
                self.lexical_element(&format!("<{tag}>"), node, depth, &format!("</{tag}>"))?;
            }
            "quote" | "extended-quote" => self.lexical_element("<blockquote>", node, depth, "</blockquote>")?,
            "aside" => self.lexical_element(r#"<blockquote class="aside">"#, node, depth, "</blockquote>")?,
            "list" => self.lexical_list(node, depth)?,
            "listitem" => {
                self.raw("<li>");
                // Only items of a check list have `checked`; the sanitiser drops form controls, so
                // the state is shown as a character.
                match node.get("checked").and_then(Value::as_bool) {
                    Some(true) => self.text("☑ "),
                    Some(false) => self.text("☐ "),
                    None => {}
                }
                self.lexical_children(node, depth)?;
                self.raw("</li>");
            }
            "link" | "autolink" => {
                let url = string(node, "url");
                if url.is_empty() {
                    self.lexical_children(node, depth)?;
                } else {
                    self.raw("<a");
                    self.attr("href", url);
                    let title = string(node, "title");
                    if !title.is_empty() {
                        self.attr("title", title);
                    }
                    self.lexical_element(">", node, depth, "</a>")?;
                }
            }
            "text" | "extended-text" => self.lexical_text(node),
            "tab" => self.raw("\t"),
            "linebreak" => self.raw("<br>"),
            _ => match Card::lexical(kind) {
                Some(card) => self.card(card, node),
                None => {
                    self.count(if kind.is_empty() { "(no type)" } else { kind });
                    if node.get("children").is_some_and(Value::is_array) {
                        self.lexical_children(node, depth)?;
                    } else {
                        self.text(string(node, "text"));
                    }
                }
            },
        }
        Ok(())
    }

    fn lexical_list(&mut self, node: &Value, depth: usize) -> Result<(), ContentError> {
        let list_type = string(node, "listType");
        let ordered = list_type == "number" || (list_type.is_empty() && string(node, "tag") == "ol");
        if ordered {
            self.raw("<ol");
            if let Some(start) = node.get("start").and_then(Value::as_u64).filter(|start| *start != 1) {
                self.attr("start", &start.to_string());
            }
            self.lexical_element(">", node, depth, "</ol>")
        } else if list_type == "check" {
            self.lexical_element(r#"<ul class="checklist">"#, node, depth, "</ul>")
        } else {
            self.lexical_element("<ul>", node, depth, "</ul>")
        }
    }

    fn lexical_text(&mut self, node: &Value) {
        let text = string(node, "text");
        if text.is_empty() {
            return;
        }
        let format = node.get("format").and_then(Value::as_u64).unwrap_or(0);
        let tags: Vec<&str> = TEXT_FORMATS.iter().filter(|(bit, _)| format & bit != 0).map(|(_, tag)| *tag).collect();
        for tag in &tags {
            self.raw(&format!("<{tag}>"));
        }
        self.text(text);
        for tag in tags.iter().rev() {
            self.raw(&format!("</{tag}>"));
        }
    }

    fn mobiledoc_section(&mut self, doc: &Mobiledoc<'_>, section: &Value) -> Result<(), ContentError> {
        let parts = items(Some(section));
        let Some(kind) = parts.first().and_then(Value::as_u64) else {
            self.count("section");
            return Ok(());
        };
        let second = parts.get(1).unwrap_or(&Value::Null);
        let markers = |i: usize| items(parts.get(i));
        match kind {
            1 => {
                // An empty section only held space in the editor.
                if markers(2).is_empty() {
                    return Ok(());
                }
                let tag = second.as_str().unwrap_or_default().to_ascii_lowercase();
                let (element, class) = match tag.as_str() {
                    "p" => ("p", None),
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => (heading_tag(&tag), None),
                    "blockquote" => ("blockquote", None),
                    "aside" | "pull-quote" => ("blockquote", Some("aside")),
                    _ => {
                        self.count(&format!("section {tag}"));
                        ("p", None)
                    }
                };
                self.raw(&format!("<{element}"));
                if let Some(class) = class {
                    self.attr("class", class);
                }
                self.raw(">");
                self.mobiledoc_markers(doc, markers(2))?;
                self.raw(&format!("</{element}>"));
            }
            2 => {
                let src = second.as_str().unwrap_or_default();
                if !src.is_empty() {
                    self.raw("<figure>");
                    self.img(src, "", "");
                    self.raw("</figure>");
                }
            }
            3 => {
                let tag = if second.as_str() == Some("ol") { "ol" } else { "ul" };
                self.raw(&format!("<{tag}>"));
                for item in markers(2) {
                    self.raw("<li>");
                    self.mobiledoc_markers(doc, items(Some(item)))?;
                    self.raw("</li>");
                }
                self.raw(&format!("</{tag}>"));
            }
            10 if doc.legacy => self.mobiledoc_card(second.as_str().unwrap_or_default(), parts.get(2)),
            10 => {
                let card = index(second).and_then(|i| doc.cards.get(i)).and_then(Value::as_array);
                match card {
                    Some(card) => {
                        let name = card.first().and_then(Value::as_str).unwrap_or_default();
                        self.mobiledoc_card(name, card.get(1));
                    }
                    None => self.count("missing card"),
                }
            }
            other => self.count(&format!("section {other}")),
        }
        Ok(())
    }

    fn mobiledoc_card(&mut self, name: &str, payload: Option<&Value>) {
        match Card::mobiledoc(name) {
            Some(card) => self.card(card, payload.unwrap_or(&Value::Null)),
            None => self.count(if name.is_empty() { "(no card name)" } else { name }),
        }
    }

    /// Writes a run of markers, opening and closing markups as they say; whatever a hostile run
    /// leaves open is closed at its end.
    fn mobiledoc_markers(&mut self, doc: &Mobiledoc<'_>, markers: &[Value]) -> Result<(), ContentError> {
        let mut open: Vec<&'static str> = Vec::new();
        for marker in markers {
            let parts = items(Some(marker));
            // 0.3: [type, opened markups, closed count, text or atom]; 0.2: the same without the type.
            let (kind, rest) = if doc.legacy {
                (Some(0), parts)
            } else {
                (parts.first().and_then(Value::as_u64), parts.get(1..).unwrap_or_default())
            };
            for markup in items(rest.first()) {
                let close = self.mobiledoc_markup(doc, markup);
                open.push(close);
                if open.len() > MAX_DEPTH {
                    return Err(ContentError::TooDeep);
                }
            }
            let value = rest.get(2).unwrap_or(&Value::Null);
            match kind {
                Some(0) => self.text(value.as_str().unwrap_or_default()),
                Some(1) => self.mobiledoc_atom(doc, value),
                _ => self.count("marker"),
            }
            let closed = rest.get(1).and_then(Value::as_u64).unwrap_or(0);
            for _ in 0..closed {
                match open.pop() {
                    Some(close) => self.raw(close),
                    None => break,
                }
            }
        }
        while let Some(close) = open.pop() {
            self.raw(close);
        }
        Ok(())
    }

    /// Opens the markup at `index` and returns what closes it (nothing for one not understood).
    fn mobiledoc_markup(&mut self, doc: &Mobiledoc<'_>, at: &Value) -> &'static str {
        let Some(markup) = index(at).and_then(|i| doc.markups.get(i)) else {
            self.count("missing markup");
            return "";
        };
        let tag = markup.get(0).and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let (open, close) = match tag.as_str() {
            "a" => {
                let attributes = items(markup.get(1));
                let href = attributes
                    .chunks(2)
                    .find(|pair| pair.first().and_then(Value::as_str) == Some("href"))
                    .and_then(|pair| pair.get(1))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if href.is_empty() {
                    return "";
                }
                self.raw("<a");
                self.attr("href", href);
                (">", "</a>")
            }
            "b" | "strong" => ("<strong>", "</strong>"),
            "i" | "em" => ("<em>", "</em>"),
            "u" => ("<u>", "</u>"),
            "s" | "strike" => ("<s>", "</s>"),
            "code" => ("<code>", "</code>"),
            "sub" => ("<sub>", "</sub>"),
            "sup" => ("<sup>", "</sup>"),
            "mark" => ("<mark>", "</mark>"),
            _ => {
                self.count(&format!("markup {tag}"));
                return "";
            }
        };
        self.raw(open);
        close
    }

    fn mobiledoc_atom(&mut self, doc: &Mobiledoc<'_>, at: &Value) {
        let Some(atom) = index(at).and_then(|i| doc.atoms.get(i)) else {
            self.count("missing atom");
            return;
        };
        let name = atom.get(0).and_then(Value::as_str).unwrap_or_default();
        if name == "soft-return" {
            self.raw("<br>");
        } else {
            self.count(&format!("atom {name}"));
            self.text(atom.get(1).and_then(Value::as_str).unwrap_or_default());
        }
    }

    /// Writes a card from its fields, which are the same in a Lexical node and a mobiledoc payload.
    fn card(&mut self, card: Card, fields: &Value) {
        if !shown_on_web(fields) {
            return;
        }
        let field = |key: &str| string(fields, key);
        match card {
            Card::Image => {
                let (src, caption) = (field("src"), field("caption"));
                if src.is_empty() && caption.is_empty() {
                    return;
                }
                self.raw("<figure>");
                if !src.is_empty() {
                    let href = field("href");
                    if !href.is_empty() {
                        self.raw("<a");
                        self.attr("href", href);
                        self.raw(">");
                    }
                    self.img(src, field("alt"), field("title"));
                    if !href.is_empty() {
                        self.raw("</a>");
                    }
                }
                self.html_element("<figcaption>", caption, "</figcaption>");
                self.raw("</figure>");
            }
            Card::Gallery => {
                let images: Vec<&Value> =
                    array(fields, "images").iter().filter(|image| !string(image, "src").is_empty()).collect();
                let caption = field("caption");
                if images.is_empty() && caption.is_empty() {
                    return;
                }
                self.raw(r#"<figure class="gallery">"#);
                for image in images {
                    self.img(string(image, "src"), string(image, "alt"), string(image, "title"));
                }
                self.html_element("<figcaption>", caption, "</figcaption>");
                self.raw("</figure>");
            }
            Card::Code => {
                let (code, caption) = (field("code"), field("caption"));
                if code.is_empty() {
                    return;
                }
                if !caption.is_empty() {
                    self.raw("<figure>");
                }
                self.raw("<pre><code");
                // A language name is one class word; anything else in it would make more classes.
                let language: String =
                    field("language").chars().filter(|c| c.is_ascii_alphanumeric() || "-_+#.".contains(*c)).collect();
                if !language.is_empty() {
                    self.attr("class", &format!("language-{language}"));
                }
                self.raw(">");
                self.text(code);
                self.raw("</code></pre>");
                if !caption.is_empty() {
                    self.html_element("<figcaption>", caption, "</figcaption>");
                    self.raw("</figure>");
                }
            }
            Card::Markdown => {
                let source = field("markdown");
                if !source.is_empty() {
                    let html = (self.markdown)(source);
                    self.raw(&html);
                }
            }
            Card::Html => self.raw(field("html")),
            Card::Embed | Card::Bookmark => {
                let metadata = fields.get("metadata").unwrap_or(&Value::Null);
                let (url, title) = (field("url"), string(metadata, "title"));
                let (description, caption) = (string(metadata, "description"), field("caption"));
                if url.is_empty() && title.is_empty() && caption.is_empty() {
                    return;
                }
                self.raw(r#"<figure class="link-card">"#);
                if url.is_empty() {
                    self.text(title);
                } else {
                    self.link(url, title);
                }
                if !description.is_empty() {
                    self.raw(" ");
                    self.text_element("p", description);
                }
                self.html_element("<figcaption>", caption, "</figcaption>");
                self.raw("</figure>");
            }
            Card::Rule => self.raw("<hr>"),
            Card::Video => {
                let (src, caption) = (field("src"), field("caption"));
                if src.is_empty() {
                    return;
                }
                self.raw("<figure><video controls");
                self.attr("src", src);
                self.raw("></video>");
                self.html_element("<figcaption>", caption, "</figcaption>");
                self.raw("</figure>");
            }
            Card::Audio => {
                let src = field("src");
                if src.is_empty() {
                    return;
                }
                self.raw("<figure><audio controls");
                self.attr("src", src);
                self.raw("></audio>");
                self.text_element("figcaption", field("title"));
                self.raw("</figure>");
            }
            Card::File => {
                let src = field("src");
                if src.is_empty() {
                    return;
                }
                let title = [field("fileTitle"), field("fileName")].into_iter().find(|t| !t.is_empty()).unwrap_or(src);
                self.raw(r#"<p class="file">"#);
                self.link(src, title);
                let caption = field("fileCaption");
                if !caption.is_empty() {
                    self.text(" — ");
                    self.text(caption);
                }
                self.raw("</p>");
            }
            Card::Button => self.button(field("buttonUrl"), field("buttonText")),
            Card::Callout => {
                let (text, emoji) = (field("calloutText"), field("calloutEmoji"));
                if text.is_empty() {
                    return;
                }
                self.raw(r#"<aside class="callout">"#);
                if !emoji.is_empty() {
                    self.raw(r#"<span class="callout-emoji">"#);
                    self.text(emoji);
                    self.raw("</span> ");
                }
                self.html_element(r#"<div class="callout-text">"#, text, "</div>");
                self.raw("</aside>");
            }
            Card::Toggle => {
                let (heading, content) = (field("heading"), field("content"));
                if heading.is_empty() && content.is_empty() {
                    return;
                }
                self.raw("<details><summary>");
                self.raw(heading);
                self.raw("</summary>");
                self.raw(content);
                self.raw("</details>");
            }
            Card::Header => {
                self.html_element("<h2>", field("header"), "</h2>");
                self.html_element("<p>", field("subheader"), "</p>");
                if fields.get("buttonEnabled").and_then(Value::as_bool) == Some(true) {
                    self.button(field("buttonUrl"), field("buttonText"));
                }
            }
            Card::Product => {
                let (image, title) = (field("productImageSrc"), field("productTitle"));
                let (description, url) = (field("productDescription"), field("productUrl"));
                if image.is_empty() && title.is_empty() && description.is_empty() && url.is_empty() {
                    return;
                }
                self.raw(r#"<div class="product">"#);
                if !image.is_empty() {
                    self.img(image, "", "");
                }
                self.html_element("<h3>", title, "</h3>");
                self.html_element("<div>", description, "</div>");
                if !url.is_empty() {
                    self.raw("<p>");
                    self.link(url, field("productButton"));
                    self.raw("</p>");
                }
                self.raw("</div>");
            }
            Card::Hidden => {}
        }
    }

    /// A button is a link in a paragraph of its own; without an address only its text is left.
    fn button(&mut self, url: &str, text: &str) {
        if url.is_empty() {
            self.text_element("p", text);
        } else {
            self.raw(r#"<p class="button">"#);
            self.link(url, text);
            self.raw("</p>");
        }
    }
}

/// Whether Ghost showed a card on the web. A card can be for the newsletter only: `visibility.web`
/// then lets in neither visitors nor any members (in the first form of the setting, `showOnWeb` is
/// false). A card for members only is kept, as everything after a paywall is.
fn shown_on_web(fields: &Value) -> bool {
    let Some(visibility) = fields.get("visibility") else {
        return true;
    };
    match visibility.get("web") {
        Some(web) => {
            web.get("nonMember").and_then(Value::as_bool) != Some(false) || !string(web, "memberSegment").is_empty()
        }
        None => visibility.get("showOnWeb").and_then(Value::as_bool) != Some(false),
    }
}

/// Headings start at h2: the page's h1 is the headline. A heading without a known level is an h2.
fn heading_tag(tag: &str) -> &'static str {
    match tag {
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        _ => "h2",
    }
}

/// The string at `key`, or "" where there is none or it is not a string.
fn string<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The items of the array at `key`, or none where there is none or it is not an array.
fn array<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    items(value.get(key))
}

/// The items of an array, or none where there is none or it is not an array.
fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[][..], Vec::as_slice)
}

/// A JSON number usable as an index into a list.
fn index(value: &Value) -> Option<usize> {
    value.as_u64().and_then(|i| usize::try_from(i).ok())
}

fn escape_into(out: &mut String, text: &str) {
    out.push_str(&crate::text::escape_html(text));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn md(source: &str) -> String {
        format!("<div class=\"md\">{source}</div>")
    }

    fn lexical(children: Value) -> Rendered {
        let doc = json!({"root": {"type": "root", "version": 1, "direction": "ltr", "children": children}});
        lexical_to_html(&doc.to_string(), &md).expect("renders")
    }

    fn text(text: &str) -> Value {
        json!({"type": "text", "text": text, "format": 0, "detail": 0, "mode": "normal", "style": "", "version": 1})
    }

    fn formatted(text: &str, format: u64) -> Value {
        json!({"type": "text", "text": text, "format": format, "version": 1})
    }

    fn paragraph(children: Value) -> Value {
        json!({"type": "paragraph", "children": children, "direction": "ltr", "format": "", "indent": 0, "version": 1})
    }

    fn mobiledoc(markups: Value, atoms: Value, cards: Value, sections: Value) -> Rendered {
        let doc = json!({"version": "0.3.1", "markups": markups, "atoms": atoms, "cards": cards, "sections": sections});
        mobiledoc_to_html(&doc.to_string(), &md).expect("renders")
    }

    fn mobiledoc_paragraph(markups: Value, markers: Value) -> Rendered {
        mobiledoc(markups, json!([]), json!([]), json!([[1, "p", markers]]))
    }

    /// Renders a card from the same fields as a Lexical node and as a mobiledoc card, checks that
    /// both give the same HTML and understood it, and returns the HTML.
    fn card(lexical_type: &str, mobiledoc_name: &str, fields: Value) -> String {
        let mut node = fields.clone();
        if let Some(object) = node.as_object_mut() {
            object.insert("type".to_owned(), json!(lexical_type));
            object.insert("version".to_owned(), json!(1));
        }
        let from_lexical = lexical(json!([node]));
        let from_mobiledoc = mobiledoc(json!([]), json!([]), json!([[mobiledoc_name, fields]]), json!([[10, 0]]));
        assert_eq!(from_lexical.html, from_mobiledoc.html, "{lexical_type} and {mobiledoc_name} render differently");
        assert!(from_lexical.unknown.is_empty(), "{:?}", from_lexical.unknown);
        assert!(from_mobiledoc.unknown.is_empty(), "{:?}", from_mobiledoc.unknown);
        from_lexical.html
    }

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(kind, n)| ((*kind).to_owned(), *n)).collect()
    }

    #[test]
    fn lexical_paragraph_text_is_escaped() {
        let rendered = lexical(json!([paragraph(json!([text("Fish & \"chips\" <script>alert(1)</script>")]))]));
        assert_eq!(rendered.html, "<p>Fish &amp; &quot;chips&quot; &lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assert!(rendered.unknown.is_empty());
    }

    #[test]
    fn lexical_empty_paragraphs_are_left_out() {
        let rendered = lexical(json!([paragraph(json!([])), paragraph(json!([text("a")])), paragraph(json!([]))]));
        assert_eq!(rendered.html, "<p>a</p>");
    }

    #[test]
    fn lexical_format_bits_become_elements() {
        for (bit, tag) in
            [(1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"), (64, "sup"), (128, "mark")]
        {
            let rendered = lexical(json!([paragraph(json!([formatted("x", bit)]))]));
            assert_eq!(rendered.html, format!("<p><{tag}>x</{tag}></p>"), "format {bit}");
        }
    }

    #[test]
    fn lexical_combined_formats_nest_and_close_in_order() {
        let rendered = lexical(json!([paragraph(json!([formatted("x", 1 | 2 | 16), text(" y")]))]));
        assert_eq!(rendered.html, "<p><strong><em><code>x</code></em></strong> y</p>");
        let all = lexical(json!([paragraph(json!([formatted("z", 255)]))]));
        assert_eq!(
            all.html,
            "<p><strong><em><u><s><mark><sub><sup><code>z</code></sup></sub></mark></s></u></em></strong></p>"
        );
    }

    #[test]
    fn lexical_unknown_format_bits_and_wrong_types_are_plain_text() {
        let rendered = lexical(json!([paragraph(json!([
            formatted("a", 256),
            {"type": "text", "text": "b", "format": "bold"},
            {"type": "text", "text": 7, "format": 1},
        ]))]));
        assert_eq!(rendered.html, "<p>ab</p>");
        assert!(rendered.unknown.is_empty());
    }

    #[test]
    fn lexical_extended_text_is_text() {
        let node = json!({"type": "extended-text", "text": "Ghost & co", "format": 2});
        assert_eq!(lexical(json!([paragraph(json!([node]))])).html, "<p><em>Ghost &amp; co</em></p>");
    }

    #[test]
    fn lexical_headings_start_at_h2() {
        let heading = |kind: &str, tag: &str| json!({"type": kind, "tag": tag, "children": [text(tag)]});
        let rendered = lexical(json!([
            heading("heading", "h1"),
            heading("heading", "h2"),
            heading("heading", "h3"),
            heading("extended-heading", "h4"),
            heading("heading", "h6"),
            heading("heading", "h9"),
        ]));
        assert_eq!(rendered.html, "<h2>h1</h2><h2>h2</h2><h3>h3</h3><h4>h4</h4><h6>h6</h6><h2>h9</h2>");
    }

    #[test]
    fn lexical_quotes_and_asides() {
        let rendered = lexical(json!([
            {"type": "quote", "children": [text("said")]},
            {"type": "extended-quote", "children": [formatted("also", 1)]},
            {"type": "aside", "children": [text("aside")]},
        ]));
        assert_eq!(
            rendered.html,
            "<blockquote>said</blockquote><blockquote><strong>also</strong></blockquote>\
             <blockquote class=\"aside\">aside</blockquote>"
        );
    }

    #[test]
    fn lexical_lists_with_start_and_nesting() {
        let item = |children: Value| json!({"type": "listitem", "value": 1, "children": children});
        let nested = json!({"type": "list", "listType": "bullet", "tag": "ul", "start": 1,
            "children": [item(json!([text("inner")]))]});
        let rendered = lexical(json!([
            {"type": "list", "listType": "bullet", "tag": "ul", "start": 1,
                "children": [item(json!([text("one")])), item(json!([nested]))]},
            {"type": "list", "listType": "number", "tag": "ol", "start": 3, "children": [item(json!([text("three")]))]},
            {"type": "list", "listType": "number", "tag": "ol", "start": 1, "children": [item(json!([text("first")]))]},
        ]));
        assert_eq!(
            rendered.html,
            "<ul><li>one</li><li><ul><li>inner</li></ul></li></ul><ol start=\"3\"><li>three</li></ol><ol><li>first</li></ol>"
        );
    }

    #[test]
    fn lexical_check_lists_show_their_state() {
        let rendered = lexical(json!([{"type": "list", "listType": "check", "tag": "ul", "children": [
            {"type": "listitem", "checked": true, "children": [text("done")]},
            {"type": "listitem", "checked": false, "children": [text("to do")]},
        ]}]));
        assert_eq!(rendered.html, "<ul class=\"checklist\"><li>☑ done</li><li>☐ to do</li></ul>");
    }

    #[test]
    fn lexical_list_without_list_type_follows_its_tag() {
        let rendered = lexical(json!([{"type": "list", "listType": 5, "tag": "ol", "children": [
            {"type": "listitem", "children": [text("a")]}
        ]}]));
        assert_eq!(rendered.html, "<ol><li>a</li></ol>");
    }

    #[test]
    fn lexical_links_escape_their_address() {
        let rendered = lexical(json!([paragraph(json!([
            {"type": "link", "url": "https://example.com/?a=1&b=\"2\"", "rel": "noreferrer", "target": "_blank",
                "title": "A <title>", "children": [formatted("here", 1)]},
            text(" and "),
            {"type": "autolink", "url": "https://example.org", "children": [text("example.org")]},
            text(" and "),
            {"type": "link", "url": "", "children": [text("nowhere")]},
        ]))]));
        assert_eq!(
            rendered.html,
            "<p><a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\" title=\"A &lt;title&gt;\"><strong>here</strong></a> \
             and <a href=\"https://example.org\">example.org</a> and nowhere</p>"
        );
    }

    #[test]
    fn lexical_line_breaks_tabs_and_rules() {
        let rendered = lexical(json!([
            paragraph(json!([text("a"), {"type": "linebreak", "version": 1}, text("b"), {"type": "tab", "text": "\t"}, text("c")])),
            {"type": "horizontalrule", "version": 1},
        ]));
        assert_eq!(rendered.html, "<p>a<br>b\tc</p><hr>");
    }

    #[test]
    fn lexical_unknown_nodes_are_counted_and_keep_their_text() {
        let rendered = lexical(json!([
            {"type": "mystery-block", "children": [paragraph(json!([text("kept")]))]},
            paragraph(json!([{"type": "hashtag", "text": "#rust"}, text(" "), {"type": "hashtag", "text": "#ghost"}])),
            {"type": "call-to-action", "buttonText": "Go"},
            {"children": [text("typeless")]},
            42,
        ]));
        assert_eq!(rendered.html, "<p>kept</p><p>#rust #ghost</p>typeless");
        assert_eq!(
            rendered.unknown,
            counts(&[("mystery-block", 1), ("hashtag", 2), ("call-to-action", 1), ("(no type)", 2)])
        );
    }

    #[test]
    fn lexical_nesting_is_bounded() {
        let nested = |levels: usize| {
            let mut node = text("deep");
            for _ in 0..levels {
                node = json!({"type": "quote", "children": [node]});
            }
            json!({"root": {"type": "root", "children": [node]}}).to_string()
        };
        let allowed = lexical_to_html(&nested(MAX_DEPTH - 1), &md).expect("within the limit");
        assert!(allowed.html.contains("deep"));
        assert!(matches!(lexical_to_html(&nested(MAX_DEPTH), &md), Err(ContentError::TooDeep)));
        assert!(matches!(lexical_to_html(&nested(60), &md), Err(ContentError::TooDeep)));
    }

    #[test]
    fn lexical_rejects_what_is_not_a_document() {
        assert!(matches!(lexical_to_html("not json", &md), Err(ContentError::Json(_))));
        assert!(matches!(lexical_to_html(r#"{"children": []}"#, &md), Err(ContentError::NoRoot)));
        assert!(matches!(lexical_to_html(r#"{"root": "x"}"#, &md), Err(ContentError::NoRoot)));
        let empty = lexical_to_html(r#"{"root": {"children": "nope"}}"#, &md).expect("an empty post");
        assert_eq!(empty.html, "");
    }

    #[test]
    fn mobiledoc_markups_open_and_close() {
        let rendered = mobiledoc_paragraph(
            json!([["b"], ["a", ["href", "https://e.com/?a=1&b=2", "rel", "nofollow"]], ["em"]]),
            json!([
                [0, [], 0, "Plain "],
                [0, [0], 1, "bold"],
                [0, [], 0, " and "],
                [0, [1, 2], 2, "linked"],
                [0, [], 0, "."]
            ]),
        );
        assert_eq!(
            rendered.html,
            "<p>Plain <strong>bold</strong> and <a href=\"https://e.com/?a=1&amp;b=2\"><em>linked</em></a>.</p>"
        );
        assert!(rendered.unknown.is_empty());
    }

    #[test]
    fn mobiledoc_every_markup_tag() {
        let tags = ["strong", "b", "em", "i", "u", "s", "code", "sub", "sup"];
        let markups: Vec<Value> = tags.iter().map(|tag| json!([tag])).collect();
        let markers: Vec<Value> = (0..tags.len()).map(|i| json!([0, [i], 1, "x"])).collect();
        let rendered = mobiledoc_paragraph(json!(markups), json!(markers));
        assert_eq!(
            rendered.html,
            "<p><strong>x</strong><strong>x</strong><em>x</em><em>x</em><u>x</u><s>x</s>\
             <code>x</code><sub>x</sub><sup>x</sup></p>"
        );
    }

    #[test]
    fn mobiledoc_text_is_escaped() {
        let rendered = mobiledoc_paragraph(json!([]), json!([[0, [], 0, "1 < 2 & \"3\" > 0"]]));
        assert_eq!(rendered.html, "<p>1 &lt; 2 &amp; &quot;3&quot; &gt; 0</p>");
    }

    #[test]
    fn mobiledoc_markup_index_out_of_range_is_skipped_and_counted() {
        let rendered = mobiledoc_paragraph(json!([["b"]]), json!([[0, [5, 0], 2, "x"], [0, ["zero"], 1, "y"]]));
        assert_eq!(rendered.html, "<p><strong>x</strong>y</p>");
        assert_eq!(rendered.unknown, counts(&[("missing markup", 2)]));
    }

    #[test]
    fn mobiledoc_markups_left_open_are_closed() {
        let rendered = mobiledoc(
            json!([["b"], ["i"]]),
            json!([]),
            json!([]),
            json!([[1, "p", [[0, [0], 0, "a"], [0, [], 7, "b"], [0, [], 0, "c"]]], [1, "p", [[0, [0, 1], 0, "open"]]]]),
        );
        assert_eq!(rendered.html, "<p><strong>ab</strong>c</p><p><strong><em>open</em></strong></p>");
    }

    #[test]
    fn mobiledoc_unknown_markup_keeps_its_text() {
        let rendered = mobiledoc_paragraph(json!([["blink"], ["a", []]]), json!([[0, [0, 1], 2, "look"]]));
        assert_eq!(rendered.html, "<p>look</p>");
        assert_eq!(rendered.unknown, counts(&[("markup blink", 1)]));
    }

    #[test]
    fn mobiledoc_section_tags() {
        let section = |tag: &str| json!([1, tag, [[0, [], 0, tag]]]);
        let rendered = mobiledoc(
            json!([]),
            json!([]),
            json!([]),
            json!([
                section("h1"),
                section("h3"),
                section("H4"),
                section("blockquote"),
                section("aside"),
                section("pull-quote"),
                section("div"),
                [1, "p", []],
            ]),
        );
        assert_eq!(
            rendered.html,
            "<h2>h1</h2><h3>h3</h3><h4>H4</h4><blockquote>blockquote</blockquote>\
             <blockquote class=\"aside\">aside</blockquote><blockquote class=\"aside\">pull-quote</blockquote><p>div</p>"
        );
        assert_eq!(rendered.unknown, counts(&[("section div", 1)]));
    }

    #[test]
    fn mobiledoc_lists_and_image_sections() {
        let rendered = mobiledoc(
            json!([["b"]]),
            json!([]),
            json!([]),
            json!([
                [3, "ul", [[[0, [], 0, "one"]], [[0, [0], 1, "two"]]]],
                [3, "ol", [[[0, [], 0, "first"]]]],
                [2, "/content/images/a \"b\".jpg"],
                [2, ""],
            ]),
        );
        assert_eq!(
            rendered.html,
            "<ul><li>one</li><li><strong>two</strong></li></ul><ol><li>first</li></ol>\
             <figure><img src=\"/content/images/a &quot;b&quot;.jpg\" alt=\"\"></figure>"
        );
    }

    #[test]
    fn mobiledoc_atoms() {
        let rendered = mobiledoc(
            json!([]),
            json!([["soft-return", "", {}], ["mention", "@bob <b>", {"id": 1}]]),
            json!([]),
            json!([[
                1,
                "p",
                [[0, [], 0, "a"], [1, [], 0, 0], [0, [], 0, "b "], [1, [], 0, 1], [1, [], 0, 9], [4, [], 0, "?"]]
            ]]),
        );
        assert_eq!(rendered.html, "<p>a<br>b @bob &lt;b&gt;</p>");
        assert_eq!(rendered.unknown, counts(&[("atom mention", 1), ("missing atom", 1), ("marker", 1)]));
    }

    #[test]
    fn mobiledoc_unknown_and_missing_cards_and_sections_are_counted() {
        let rendered = mobiledoc(
            json!([]),
            json!([]),
            json!([["gif-party", {}], "not a card"]),
            json!([[10, 0], [10, 1], [10, 7], [10, -1], [7, "x"], "nonsense", [1, "p", [[0, [], 0, "still here"]]]]),
        );
        assert_eq!(rendered.html, "<p>still here</p>");
        assert_eq!(
            rendered.unknown,
            counts(&[("gif-party", 1), ("missing card", 3), ("section 7", 1), ("section", 1)])
        );
    }

    #[test]
    fn mobiledoc_markup_nesting_is_bounded() {
        let paragraph = |open: usize| {
            let doc = json!({"version": "0.3.1", "markups": [["b"]], "atoms": [], "cards": [],
                "sections": [[1, "p", [[0, vec![0; open], open, "x"]]]]});
            mobiledoc_to_html(&doc.to_string(), &md)
        };
        let allowed = paragraph(MAX_DEPTH).expect("within the limit");
        assert_eq!(allowed.html.matches("<strong>").count(), MAX_DEPTH);
        assert_eq!(allowed.html.matches("</strong>").count(), MAX_DEPTH);
        assert!(matches!(paragraph(MAX_DEPTH + 1), Err(ContentError::TooDeep)));
    }

    #[test]
    fn mobiledoc_version_0_2_is_understood() {
        let doc = json!({"version": "0.2.0", "sections": [
            [["b"], ["a", ["href", "/x"]]],
            [
                [1, "p", [[[0], 1, "bold"], [[], 0, " text "], [[1], 1, "link"]]],
                [10, "hr", {}],
                [10, "card-markdown", {"markdown": "*x*"}],
                [3, "ul", [[[[], 0, "item"]]]],
            ],
        ]});
        let rendered = mobiledoc_to_html(&doc.to_string(), &md).expect("renders");
        assert_eq!(
            rendered.html,
            "<p><strong>bold</strong> text <a href=\"/x\">link</a></p><hr><div class=\"md\">*x*</div><ul><li>item</li></ul>"
        );
        assert!(rendered.unknown.is_empty());
    }

    #[test]
    fn mobiledoc_rejects_other_versions_and_non_json() {
        let error = mobiledoc_to_html(r#"{"version": "1.0.0", "sections": []}"#, &md).expect_err("unknown version");
        assert!(matches!(&error, ContentError::Version(v) if v == "1.0.0"));
        assert!(error.to_string().contains("0.3.x"), "{error}");
        assert!(matches!(mobiledoc_to_html(r#"{"sections": []}"#, &md), Err(ContentError::Version(_))));
        assert!(matches!(mobiledoc_to_html("{", &md), Err(ContentError::Json(_))));
        let empty = mobiledoc_to_html(r#"{"version": "0.3.2", "sections": {}}"#, &md).expect("an empty post");
        assert_eq!(empty.html, "");
    }

    #[test]
    fn image_card() {
        let html = card(
            "image",
            "image",
            json!({"src": "/content/images/a.jpg", "alt": "A \"quoted\" alt", "title": "", "caption": "A <b>bold</b> caption",
                "href": "", "cardWidth": "wide", "width": 800, "height": 600}),
        );
        assert_eq!(
            html,
            "<figure><img src=\"/content/images/a.jpg\" alt=\"A &quot;quoted&quot; alt\">\
             <figcaption>A <b>bold</b> caption</figcaption></figure>"
        );
    }

    #[test]
    fn image_card_with_link_and_title_and_no_caption() {
        let html = card("image", "image", json!({"src": "/a.jpg", "title": "T", "href": "https://e.com/?a=1&b=2"}));
        assert_eq!(
            html,
            "<figure><a href=\"https://e.com/?a=1&amp;b=2\"><img src=\"/a.jpg\" alt=\"\" title=\"T\"></a></figure>"
        );
        assert_eq!(card("image", "image", json!({"src": ""})), "");
    }

    #[test]
    fn gallery_card() {
        let images = json!([{"src": "/1.jpg", "alt": "one", "row": 0, "width": 10}, {"src": ""}, 7, {"src": "/2.jpg"}]);
        let html = card("gallery", "gallery", json!({"images": images, "caption": "Our <i>trip</i>"}));
        assert_eq!(
            html,
            "<figure class=\"gallery\"><img src=\"/1.jpg\" alt=\"one\"><img src=\"/2.jpg\" alt=\"\">\
             <figcaption>Our <i>trip</i></figcaption></figure>"
        );
        let uncaptioned = card("gallery", "gallery", json!({"images": [{"src": "/1.jpg"}]}));
        assert_eq!(uncaptioned, "<figure class=\"gallery\"><img src=\"/1.jpg\" alt=\"\"></figure>");
    }

    #[test]
    fn code_card() {
        let html = card("codeblock", "code", json!({"code": "if a < b && c {}", "language": "rust", "caption": ""}));
        assert_eq!(html, "<pre><code class=\"language-rust\">if a &lt; b &amp;&amp; c {}</code></pre>");
        let captioned =
            card("codeblock", "code", json!({"code": "x", "language": "c\" onmouseover=\"y", "caption": "A <b>c</b>"}));
        assert_eq!(
            captioned,
            "<figure><pre><code class=\"language-conmouseovery\">x</code></pre><figcaption>A <b>c</b></figcaption></figure>"
        );
        assert_eq!(card("codeblock", "code", json!({"code": "plain"})), "<pre><code>plain</code></pre>");
    }

    #[test]
    fn markdown_card_uses_the_renderer() {
        assert_eq!(card("markdown", "markdown", json!({"markdown": "# Hi"})), "<div class=\"md\"># Hi</div>");
        let old = mobiledoc(json!([]), json!([]), json!([["card-markdown", {"markdown": "old"}]]), json!([[10, 0]]));
        assert_eq!(old.html, "<div class=\"md\">old</div>");
    }

    #[test]
    fn html_card_passes_through() {
        let html = "<table><tr><td>1</td></tr></table>";
        assert_eq!(card("html", "html", json!({"html": html})), html);
    }

    #[test]
    fn embed_card_is_a_link_card_without_the_iframe() {
        let html = card(
            "embed",
            "embed",
            json!({"url": "https://youtube.com/watch?v=1", "embedType": "video", "type": "video",
                "html": "<iframe src=\"https://youtube.com/embed/1\"></iframe>",
                "metadata": {"title": "A film", "provider_name": "YouTube"}, "caption": "Watch <i>this</i>"}),
        );
        assert_eq!(
            html,
            "<figure class=\"link-card\"><a href=\"https://youtube.com/watch?v=1\">A film</a>\
             <figcaption>Watch <i>this</i></figcaption></figure>"
        );
        assert!(!html.contains("iframe"));
    }

    #[test]
    fn bookmark_card_falls_back_to_its_address() {
        let html = card(
            "bookmark",
            "bookmark",
            json!({"url": "https://example.com/a", "caption": "",
                "metadata": {"title": "", "description": "About <things>", "publisher": "Example", "icon": "/i.png"}}),
        );
        assert_eq!(
            html,
            "<figure class=\"link-card\"><a href=\"https://example.com/a\">https://example.com/a</a> \
             <p>About &lt;things&gt;</p></figure>"
        );
        let titled = card("bookmark", "bookmark", json!({"url": "/b", "metadata": {"title": "B & C"}}));
        assert_eq!(titled, "<figure class=\"link-card\"><a href=\"/b\">B &amp; C</a></figure>");
    }

    #[test]
    fn rule_card() {
        assert_eq!(card("horizontalrule", "hr", json!({})), "<hr>");
    }

    #[test]
    fn video_card() {
        let html = card("video", "video", json!({"src": "/v.mp4", "caption": "Clip", "width": 640, "loop": false}));
        assert_eq!(html, "<figure><video controls src=\"/v.mp4\"></video><figcaption>Clip</figcaption></figure>");
    }

    #[test]
    fn audio_card() {
        let html = card("audio", "audio", json!({"src": "/a.mp3", "title": "Episode <1>", "duration": 60}));
        assert_eq!(
            html,
            "<figure><audio controls src=\"/a.mp3\"></audio><figcaption>Episode &lt;1&gt;</figcaption></figure>"
        );
        assert_eq!(
            card("audio", "audio", json!({"src": "/a.mp3"})),
            "<figure><audio controls src=\"/a.mp3\"></audio></figure>"
        );
    }

    #[test]
    fn file_card() {
        let html = card(
            "file",
            "file",
            json!({"src": "/f.pdf", "fileTitle": "", "fileName": "report.pdf", "fileCaption": "Annual", "fileSize": 1024}),
        );
        assert_eq!(html, "<p class=\"file\"><a href=\"/f.pdf\">report.pdf</a> — Annual</p>");
        let titled = card("file", "file", json!({"src": "/f.pdf", "fileTitle": "The report", "fileName": "r.pdf"}));
        assert_eq!(titled, "<p class=\"file\"><a href=\"/f.pdf\">The report</a></p>");
    }

    #[test]
    fn button_card() {
        let html = card(
            "button",
            "button",
            json!({"buttonText": "Subscribe", "buttonUrl": "https://e.com/s", "alignment": "center"}),
        );
        assert_eq!(html, "<p class=\"button\"><a href=\"https://e.com/s\">Subscribe</a></p>");
        assert_eq!(card("button", "button", json!({"buttonText": "Nowhere", "buttonUrl": ""})), "<p>Nowhere</p>");
    }

    #[test]
    fn callout_card() {
        let html = card(
            "callout",
            "callout",
            json!({"calloutText": "Note <b>this</b>", "calloutEmoji": "💡", "backgroundColor": "blue"}),
        );
        assert_eq!(
            html,
            "<aside class=\"callout\"><span class=\"callout-emoji\">💡</span> <div class=\"callout-text\">Note <b>this</b></div></aside>"
        );
        let plain = card("callout", "callout", json!({"calloutText": "Plain", "calloutEmoji": ""}));
        assert_eq!(plain, "<aside class=\"callout\"><div class=\"callout-text\">Plain</div></aside>");
    }

    #[test]
    fn toggle_card() {
        let html = card("toggle", "toggle", json!({"heading": "Why <i>so</i>?", "content": "<p>Because.</p>"}));
        assert_eq!(html, "<details><summary>Why <i>so</i>?</summary><p>Because.</p></details>");
    }

    #[test]
    fn header_card() {
        let html = card(
            "header",
            "header",
            json!({"header": "Big <i>news</i>", "subheader": "Read on", "buttonEnabled": true, "buttonText": "Go",
                "buttonUrl": "/go", "size": "small", "style": "dark"}),
        );
        assert_eq!(html, "<h2>Big <i>news</i></h2><p>Read on</p><p class=\"button\"><a href=\"/go\">Go</a></p>");
        let without_button = card(
            "header",
            "header",
            json!({"header": "Quiet", "buttonEnabled": false, "buttonText": "Go", "buttonUrl": "/go"}),
        );
        assert_eq!(without_button, "<h2>Quiet</h2>");
    }

    #[test]
    fn product_card() {
        let html = card(
            "product",
            "product",
            json!({"productImageSrc": "/p.jpg", "productTitle": "Widget", "productDescription": "<p>Useful</p>",
                "productUrl": "https://shop.example/w", "productButton": "Buy", "productButtonEnabled": true,
                "productRatingEnabled": true, "productStarRating": 4}),
        );
        assert_eq!(
            html,
            "<div class=\"product\"><img src=\"/p.jpg\" alt=\"\"><h3>Widget</h3><div><p>Useful</p></div>\
             <p><a href=\"https://shop.example/w\">Buy</a></p></div>"
        );
    }

    #[test]
    fn members_and_newsletter_cards_are_left_out() {
        assert_eq!(card("paywall", "paywall", json!({})), "");
        assert_eq!(card("email", "email", json!({"html": "<p>Only in the newsletter</p>"})), "");
        assert_eq!(card("email-cta", "email-cta", json!({"html": "<p>Upgrade</p>", "segment": "status:free"})), "");
        assert_eq!(card("signup", "signup", json!({"header": "Join us", "buttonText": "Sign up"})), "");
    }

    #[test]
    fn newsletter_only_cards_are_left_out_and_members_cards_kept() {
        let html = |visibility: Value| card("html", "html", json!({"html": "<p>x</p>", "visibility": visibility}));
        let email_only =
            json!({"web": {"nonMember": false, "memberSegment": ""}, "email": {"memberSegment": "status:free"}});
        assert_eq!(html(email_only), "");
        assert_eq!(html(json!({"showOnWeb": false, "showOnEmail": true, "segment": ""})), "");
        let paid_only =
            json!({"web": {"nonMember": false, "memberSegment": "status:-free"}, "email": {"memberSegment": ""}});
        assert_eq!(html(paid_only), "<p>x</p>");
        let everyone = json!({"web": {"nonMember": true, "memberSegment": "status:free,status:-free"}});
        assert_eq!(html(everyone), "<p>x</p>");
        assert_eq!(html(json!("odd")), "<p>x</p>");
    }

    #[test]
    fn cards_with_wrong_field_types_render_nothing() {
        assert_eq!(card("image", "image", json!({"src": 5, "caption": ["x"]})), "");
        assert_eq!(card("gallery", "gallery", json!({"images": "many"})), "");
        let payloadless = mobiledoc(json!([]), json!([]), json!([["image"], ["html", "x"]]), json!([[10, 0], [10, 1]]));
        assert_eq!(payloadless.html, "");
        assert!(payloadless.unknown.is_empty());
    }
}
