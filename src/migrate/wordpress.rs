//! `newsdesk import wordpress FILE.xml`: a WordPress export (WXR 1.1 or 1.2) brings its posts
//! as articles (published, drafts and scheduled kept as such, with their dates and slugs),
//! their content as HTML with shortcodes and blocks turned into content, categories and tags as
//! tags, authors, featured images, approved comments, and every old address.
//!
//! The file is read twice, streaming: first to check that it is well-formed (a broken or
//! hostile file stops the import before anything is stored) and to learn the site's pictures
//! (attachment items, which may come after the posts that use them), then to import. Each post
//! with its comments is stored on its own (`migrate::Importer`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::events::Event;

use super::shortcodes::{self, Attachment};
use super::{Comment, Importer, LabelKind, LabelPaths, Lead, Post, Report};
use crate::articles::import::{FileError, open_regular};
use crate::articles::markdown::html_text;
use crate::articles::model::{Slug, Status};

/// The longest text one field may hold (a post's content, say); longer ones skip their post.
const MAX_FIELD: usize = 4 * 1024 * 1024;
/// Comments, and categories and tags, kept per post; a post with more is skipped, so one hostile
/// item cannot hold the whole file in memory.
const MAX_COMMENTS: usize = 20_000;
const MAX_TERMS: usize = 500;
/// The largest export read. The file is streamed, so this bounds the time an import takes, not
/// memory; exports of large sites run to a few hundred megabytes.
const MAX_EXPORT: u64 = 4 * 1024 * 1024 * 1024;

/// One `<item>` of the export.
#[derive(Debug, Clone, Default)]
pub struct WpItem {
    pub id: String,
    pub title: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_name: String,
    pub post_type: String,
    pub status: String,
    pub date: String,
    pub date_gmt: String,
    /// Its permalink on the old site.
    pub link: String,
    pub guid: String,
    pub parent: String,
    pub attachment_url: String,
    /// The post meta this importer reads: `_thumbnail_id`, `_wp_attachment_image_alt`.
    pub meta: Vec<(String, String)>,
    /// (domain, nicename, name): domain is "category" or "post_tag".
    pub terms: Vec<(String, String, String)>,
    pub comments: Vec<WpComment>,
    /// Why the item cannot be imported whatever its content (a field too long).
    pub broken: Option<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub struct WpComment {
    pub id: String,
    pub author: String,
    pub email: String,
    pub date_gmt: String,
    pub content: String,
    pub approved: String,
    pub kind: String,
    pub parent: String,
}

/// What the parser hands over, in file order.
#[derive(Debug)]
enum Parsed {
    Site(String),
    Author { login: String, name: String },
    Term(Term),
    Item(Box<WpItem>),
}

/// A category or tag of the channel.
#[derive(Debug, Clone, Default)]
struct Term {
    /// "category" or "post_tag".
    domain: &'static str,
    id: String,
    nicename: String,
    parent: String,
}

/// Post meta kept; the rest (caches, plugin data) can be large and is not read.
const META_KEPT: &[&str] = &["_thumbnail_id", "_wp_attachment_image_alt"];

/// Why a file is refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum WxrError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("cannot import {0}: {1}")]
    File(String, FileError),
    #[error("not well-formed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    #[error("the file declares a DOCTYPE; WordPress exports have none, and entity declarations are refused")]
    Doctype,
    #[error("unknown entity &{0}; (only XML's own entities and character references are accepted)")]
    Entity(String),
    #[error("this is not a WordPress export: no <rss><channel> with items")]
    NotWxr,
}

/// Streams the export, calling `emit` for the site link, each author and each item. Returns the
/// number of items.
fn parse(reader: impl BufRead, mut emit: impl FnMut(Parsed) -> bool) -> Result<u64, WxrError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut too_long = false;
    let mut item: Option<WpItem> = None;
    let mut comment: Option<WpComment> = None;
    let mut author: Option<(String, String)> = None;
    let mut term: Option<(String, String)> = None;
    let mut channel_term: Option<Term> = None;
    let mut meta_key: Option<String> = None;
    let mut items = 0u64;
    let mut saw_channel = false;
    loop {
        let position = xml.buffer_position();
        let event = xml.read_event_into(&mut buf).map_err(|e| WxrError::Xml { position, message: e.to_string() })?;
        match event {
            Event::DocType(_) => return Err(WxrError::Doctype),
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                text.clear();
                too_long = false;
                match name.as_str() {
                    "channel" => saw_channel = true,
                    "item" => item = Some(WpItem::default()),
                    "wp:comment" if item.is_some() => comment = Some(WpComment::default()),
                    "wp:author" if item.is_none() => author = Some(Default::default()),
                    "wp:category" if item.is_none() => {
                        channel_term = Some(Term { domain: "category", ..Default::default() });
                    }
                    "wp:tag" if item.is_none() => {
                        channel_term = Some(Term { domain: "post_tag", ..Default::default() })
                    }
                    "category" if item.is_some() => {
                        let attr = |key: &str| {
                            e.attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == key)
                                .map(|a| a.value.to_string())
                                .unwrap_or_default()
                        };
                        term = Some((attr("domain"), attr("nicename")));
                    }
                    _ => {}
                }
                path.push(name);
            }
            Event::Empty(_) => {}
            Event::Text(t) => push(&mut text, &t.xml10_content(), &mut too_long),
            Event::CData(t) => push(&mut text, &t.into_inner(), &mut too_long),
            Event::GeneralRef(r) => {
                let ch = match &*r {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => match r.resolve_char_ref() {
                        Ok(Some(ch)) => ch,
                        _ => return Err(WxrError::Entity(other.to_string())),
                    },
                };
                push(&mut text, ch.encode_utf8(&mut [0; 4]), &mut too_long);
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                if too_long && let Some(item) = item.as_mut() {
                    item.broken = Some("a field is longer than 4 MiB");
                }
                let parent = path.last().map(String::as_str).unwrap_or("");
                if let Some(c) = comment.as_mut() {
                    match name.as_str() {
                        "wp:comment_id" => c.id = value,
                        "wp:comment_author" => c.author = value,
                        "wp:comment_author_email" => c.email = value,
                        "wp:comment_date_gmt" => c.date_gmt = value,
                        "wp:comment_content" => c.content = value,
                        "wp:comment_approved" => c.approved = value,
                        "wp:comment_type" => c.kind = value,
                        "wp:comment_parent" => c.parent = value,
                        "wp:comment" => {
                            if let (Some(item), Some(c)) = (item.as_mut(), comment.take()) {
                                if item.comments.len() < MAX_COMMENTS {
                                    item.comments.push(c);
                                } else {
                                    item.broken = Some("more than 20,000 comments");
                                }
                            }
                        }
                        _ => {}
                    }
                } else if let Some(it) = item.as_mut() {
                    match name.as_str() {
                        "title" if parent == "item" => it.title = value,
                        "dc:creator" => it.creator = value,
                        "content:encoded" => it.content = value,
                        "excerpt:encoded" => it.excerpt = value,
                        "wp:post_id" => it.id = value,
                        "wp:post_name" => it.post_name = value,
                        "wp:post_type" => it.post_type = value,
                        "wp:status" => it.status = value,
                        "wp:post_date" => it.date = value,
                        "wp:post_date_gmt" => it.date_gmt = value,
                        "link" if parent == "item" => it.link = value,
                        "guid" => it.guid = value,
                        "wp:post_parent" => it.parent = value,
                        "wp:attachment_url" => it.attachment_url = value,
                        "wp:meta_key" => meta_key = Some(value).filter(|k| META_KEPT.contains(&k.as_str())),
                        "wp:meta_value" => {
                            if let Some(key) = meta_key.take() {
                                it.meta.push((key, value));
                            }
                        }
                        "category" => {
                            if let Some((domain, nicename)) = term.take() {
                                if it.terms.len() < MAX_TERMS {
                                    it.terms.push((domain, nicename, value));
                                } else {
                                    it.broken = Some("more than 500 categories and tags");
                                }
                            }
                        }
                        "item" => {
                            items += 1;
                            let done = Box::new(item.take().unwrap_or_default());
                            if !emit(Parsed::Item(done)) {
                                return Ok(items);
                            }
                        }
                        _ => {}
                    }
                } else if let Some(a) = author.as_mut() {
                    match name.as_str() {
                        "wp:author_login" => a.0 = value,
                        "wp:author_display_name" => a.1 = value,
                        "wp:author" => {
                            let (login, name) = author.take().unwrap_or_default();
                            emit(Parsed::Author { login, name });
                        }
                        _ => {}
                    }
                } else if let Some(t) = channel_term.as_mut() {
                    match name.as_str() {
                        "wp:term_id" => t.id = value,
                        "wp:category_nicename" | "wp:tag_slug" => t.nicename = value,
                        "wp:category_parent" => t.parent = value,
                        "wp:category" | "wp:tag" => {
                            emit(Parsed::Term(channel_term.take().unwrap_or_default()));
                        }
                        _ => {}
                    }
                } else if name == "link" && parent == "channel" {
                    emit(Parsed::Site(value));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !path.is_empty() {
        return Err(WxrError::Xml {
            position: xml.buffer_position(),
            message: format!("<{}> is not closed", path.join("><")),
        });
    }
    if !saw_channel {
        return Err(WxrError::NotWxr);
    }
    Ok(items)
}

fn push(text: &mut String, more: &str, too_long: &mut bool) {
    if text.len() + more.len() > MAX_FIELD {
        *too_long = true;
    } else {
        text.push_str(more);
    }
}

/// Counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Imports the export at `path` without a progress bar; returns the report.
pub async fn import_file(
    cx: crate::context::Context,
    path: &Path,
    options: super::Options,
) -> Result<Report, WxrError> {
    let language = cx.config.site.language;
    let mut importer = Importer::new(cx, "wordpress", options, language)
        .map_err(|e| WxrError::Io("client".into(), std::io::Error::other(e.to_string())))?;
    import(&mut importer, path, |_, _| {}).await?;
    Ok(importer.report)
}

/// Imports the export at `path`; `progress` gets the bytes read so far and the file's size.
pub async fn import(
    importer: &mut Importer,
    path: &Path,
    progress: impl Fn(u64, u64) + Send + 'static,
) -> Result<(), WxrError> {
    // Only a regular file, and at most MAX_EXPORT + 1 bytes of it on either pass: a device such
    // as /dev/zero never ends, and a FIFO could not be read twice anyway.
    let refused = |e| WxrError::File(path.display().to_string(), e);
    let too_large = || refused(FileError::TooLarge(MAX_EXPORT));
    let open = || open_regular(path).map_err(refused);
    let (_, size) = open()?;
    if size > MAX_EXPORT {
        return Err(too_large());
    }
    // First pass: the whole file must be well-formed before anything is stored; on the way,
    // the pictures (attachments) and the categories and tags are learnt.
    let checked = Arc::new(AtomicU64::new(0));
    let file = Counting { inner: open()?.0.take(MAX_EXPORT + 1), read: checked.clone() };
    let first = tokio::task::spawn_blocking(move || {
        let mut site = Site::default();
        parse(BufReader::new(file), |parsed| {
            site.learn(parsed);
            true
        })
        .map(|_| site)
    })
    .await
    .map_err(|e| WxrError::Io("parser".into(), std::io::Error::other(e)))?;
    // A file that grew past the limit was cut short, which the parser would call broken XML.
    if checked.load(Ordering::Relaxed) > MAX_EXPORT {
        return Err(too_large());
    }
    let site = first?;
    if importer.options.old_url.is_none() && !site.link.is_empty() {
        importer.options.old_url = Some(site.link.clone());
    }

    let read = Arc::new(AtomicU64::new(0));
    let reader = BufReader::new(Counting { inner: open()?.0.take(MAX_EXPORT + 1), read: read.clone() });
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(64);
    let parser = tokio::task::spawn_blocking(move || {
        parse(reader, |p| !matches!(p, Parsed::Item(_)) || tx.blocking_send(p).is_ok())
    });
    while let Some(parsed) = rx.recv().await {
        let Parsed::Item(item) = parsed else { continue };
        if let Some(post) = site.post(&item, &mut importer.report)
            && let Err(e) = importer.post(post).await
        {
            tracing::warn!(post = item.id, error = %e, "post not imported");
            importer.report.skip("database error");
        }
        progress(read.load(Ordering::Relaxed), size);
    }
    let second = parser.await.map_err(|e| WxrError::Io("parser".into(), std::io::Error::other(e)))?;
    if read.load(Ordering::Relaxed) > MAX_EXPORT {
        return Err(too_large());
    }
    second?;
    if let Err(e) = importer.site_addresses(&site.feed_addresses()).await {
        tracing::warn!(error = %e, "the old site's feed addresses were not recorded");
    }
    progress(size, size);
    Ok(())
}

/// What the first pass learns of the site: enough to convert each post on the second.
#[derive(Debug, Default)]
struct Site {
    /// The channel's link: the old site's address.
    link: String,
    /// Author logins to display names.
    authors: HashMap<String, String>,
    /// Pictures by attachment id.
    attachments: HashMap<String, Attachment>,
    /// Categories and tags by (domain, nicename).
    terms: HashMap<(&'static str, String), Term>,
}

impl Site {
    fn learn(&mut self, parsed: Parsed) {
        match parsed {
            Parsed::Site(link) => self.link = link.trim().trim_end_matches('/').to_string(),
            Parsed::Author { login, name } => {
                let name = if name.trim().is_empty() { login.clone() } else { name };
                self.authors.insert(login.trim().to_string(), html_text(&name));
            }
            Parsed::Term(term) => {
                self.terms.insert((term.domain, term.nicename.clone()), term);
            }
            Parsed::Item(item) if item.post_type == "attachment" && !item.attachment_url.trim().is_empty() => {
                let alt = item.meta.iter().find(|(k, _)| k == "_wp_attachment_image_alt").map(|(_, v)| v.trim());
                self.attachments.insert(
                    item.id.trim().to_string(),
                    Attachment {
                        url: item.attachment_url.trim().to_string(),
                        alt: alt.unwrap_or_default().to_string(),
                        caption: html_text(&item.excerpt),
                        parent: item.parent.trim().to_string(),
                    },
                );
            }
            Parsed::Item(_) => {}
        }
    }

    /// The path the old site lives under (`/blog` for `https://example.com/blog`), or "".
    fn base(&self) -> String {
        super::html::base_path(&self.link)
    }

    /// The path of a category with its parents', as WordPress addresses it
    /// (`/category/local-news/markets/`).
    fn category_path(&self, nicename: &str) -> String {
        let mut parts = vec![nicename.to_string()];
        let mut current = self.terms.get(&("category", nicename.to_string()));
        while let Some(term) = current {
            let parent = term.parent.trim();
            if parent.is_empty() || parts.len() > 10 || parts.iter().any(|p| p == parent) {
                break;
            }
            parts.insert(0, parent.to_string());
            current = self.terms.get(&("category", parent.to_string()));
        }
        parts.join("/")
    }

    /// The old site's own feed addresses, with where they lead now.
    fn feed_addresses(&self) -> Vec<(String, &'static str)> {
        let base = self.base();
        [
            ("/feed/rss2/", "/feed"),
            ("/feed/rss/", "/feed"),
            ("/feed/rdf/", "/feed"),
            ("/feed/atom/", "/feed/atom"),
            ("/?feed=rss2", "/feed"),
            ("/?feed=rss", "/feed"),
            ("/?feed=atom", "/feed/atom"),
            ("/comments/feed/rss2/", "/comments/feed"),
            ("/?feed=comments-rss2", "/comments/feed"),
        ]
        .into_iter()
        .chain((!base.is_empty()).then_some(("/feed/", "/feed")))
        .chain((!base.is_empty()).then_some(("/comments/feed/", "/comments/feed")))
        .map(|(path, target)| (format!("{base}{path}"), target))
        .collect()
    }

    /// The item as a post to store, or `None` (counted in the report) when it is none.
    fn post(&self, item: &WpItem, report: &mut Report) -> Option<Post> {
        // Attachments are the pictures posts use, not posts.
        if item.post_type == "attachment" {
            return None;
        }
        if item.post_type != "post" {
            report
                .skip(format!("not a post ({})", if item.post_type.is_empty() { "no type" } else { &item.post_type }));
            return None;
        }
        if let Some(reason) = item.broken {
            report.skip(reason);
            return None;
        }
        let (status, published_at) = match item.status.as_str() {
            "publish" => (Status::Published, wp_time(&item.date_gmt).or_else(|| wp_time(&item.date))),
            "future" => (Status::Scheduled, wp_time(&item.date_gmt).or_else(|| wp_time(&item.date))),
            "draft" | "pending" | "auto-draft" => (Status::Draft, None),
            other => {
                report.skip(format!("status {other}"));
                return None;
            }
        };
        let id = item.id.trim();
        let guid = item.guid.trim();
        let key = if guid.is_empty() {
            super::content_key(&item.title, &item.date, &item.content)
        } else {
            format!("guid:{guid}")
        };
        // Earlier versions keyed posts by the channel's link and the post id.
        let older_keys =
            if id.is_empty() { vec![] } else { vec![(format!("wordpress:{}", self.link), format!("post:{id}"))] };
        // WordPress keeps non-ASCII slugs percent-encoded (`k%c3%bcche`).
        let slug = Some(super::html::percent_decode(item.post_name.trim()))
            .filter(|s| !s.is_empty())
            .and_then(|s| Slug::parse(&s).ok().or_else(|| Slug::from_text(&s)))
            .map(|s| s.to_string());
        let converted = shortcodes::convert(&item.content, id, &self.attachments);
        let base = self.base();
        let mut tags = Vec::new();
        let mut label_paths = Vec::new();
        for (domain, nicename, name) in &item.terms {
            let name = html_text(name);
            let kept = matches!(domain.as_str(), "category" | "post_tag")
                && !matches!(nicename.as_str(), "uncategorized" | "allgemein")
                && !name.is_empty();
            if !kept || tags.len() >= crate::articles::model::MAX_TAGS {
                continue;
            }
            let (page, query) = if domain == "category" {
                let term_id = self.terms.get(&("category", nicename.clone())).map(|t| t.id.trim().to_string());
                (
                    format!("{base}/category/{}/", self.category_path(nicename)),
                    term_id.map(|id| format!("{base}/?cat={id}")),
                )
            } else {
                (format!("{base}/tag/{nicename}/"), Some(format!("{base}/?tag={nicename}")))
            };
            label_paths.push(LabelPaths {
                kind: LabelKind::Tag,
                name: name.clone(),
                feeds: vec![format!("{page}feed/")],
                pages: std::iter::once(page).chain(query.filter(|q| !q.ends_with('='))).collect(),
            });
            tags.push(name);
        }
        let login = item.creator.trim();
        let author = self.authors.get(login).cloned().unwrap_or_else(|| html_text(login));
        if !login.is_empty() && !author.is_empty() {
            let page = format!("{base}/author/{}/", login.to_lowercase());
            label_paths.push(LabelPaths {
                kind: LabelKind::Author,
                name: author.clone(),
                feeds: vec![format!("{page}feed/")],
                pages: vec![page],
            });
        }
        let lead = item
            .meta
            .iter()
            .find(|(k, _)| k == "_thumbnail_id")
            .and_then(|(_, id)| self.attachments.get(id.trim()))
            .map(|a| Lead { url: a.url.clone(), alt: a.alt.clone(), caption: a.caption.clone() });
        let mut old_paths = Vec::new();
        if !item.link.trim().is_empty() {
            old_paths.push(item.link.trim().to_string());
        }
        if !id.is_empty() {
            old_paths.push(format!("{base}/?p={id}"));
        }
        let comments = item
            .comments
            .iter()
            .filter(|c| c.approved.trim() == "1" && matches!(c.kind.trim(), "" | "comment"))
            .map(|c| Comment {
                key: c.id.trim().to_string(),
                parent_key: c.parent.trim().to_string(),
                author: html_text(&c.author),
                email: c.email.trim().to_string(),
                text: comment_text(&c.content),
                created_at: wp_time(&c.date_gmt),
            })
            .collect();
        Some(Post {
            key,
            older_keys,
            title: html_text(&item.title),
            slug,
            html: converted.html,
            excerpt: html_text(&item.excerpt),
            status,
            published_at,
            written_at: wp_time(&item.date_gmt).or_else(|| wp_time(&item.date)),
            tags,
            authors: if author.is_empty() { vec![] } else { vec![author] },
            lead,
            old_paths,
            label_paths,
            comments,
            unknown: converted.unknown,
        })
    }
}

/// A comment's text: paragraphs kept as blank lines, markup gone.
fn comment_text(html: &str) -> String {
    html.replace("\r\n", "\n")
        .split("\n\n")
        .flat_map(|p| p.split("</p>"))
        .map(html_text)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A WordPress time ("2024-03-01 09:30:00"), read as UTC; None for the zero date of drafts.
fn wp_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    let civil: jiff::civil::DateTime = text.replace(' ', "T").parse().ok()?;
    Some(civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_times() {
        assert_eq!(wp_time("2024-03-01 09:30:00"), Some(1_709_285_400));
        assert_eq!(wp_time("0000-00-00 00:00:00"), None);
        assert_eq!(html_text("<p>Ein <b>kurzer</b>\n Text &amp; mehr</p>"), "Ein kurzer Text & mehr");
        assert_eq!(html_text("z.\u{a0}B. &amp;lt;b&amp;gt;"), "z. B. &lt;b&gt;");
        assert_eq!(comment_text("<p>Eins</p>\n<p>Zwei <b>fett</b></p>"), "Eins\n\nZwei fett");
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">]><rss><channel></channel></rss>";
        assert!(matches!(parse(bomb.as_bytes(), |_| true), Err(WxrError::Doctype)));
        let entity = "<rss><channel><item><title>&nbsp;</title></item></channel></rss>";
        assert!(matches!(parse(entity.as_bytes(), |_| true), Err(WxrError::Entity(_))));
        let cut = "<rss><channel><item><title>Halb";
        assert!(matches!(parse(cut.as_bytes(), |_| true), Err(WxrError::Xml { .. })));
    }
}
