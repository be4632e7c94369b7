//! `newsdesk import wordpress FILE.xml`: a WordPress export (WXR 1.1 or 1.2) brings its posts
//! as articles (published, drafts and scheduled kept as such, with their dates and slugs, HTML
//! sanitised), categories and tags as tags, authors, and approved comments.
//!
//! The file is read twice, streaming: first to check that it is well-formed (a broken or
//! hostile file stops the import before anything is stored), then to import. Each post with its
//! comments is stored on its own; `import_map` remembers what came from where, so a second run
//! of the same file changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_xml::events::Event;

use super::model::{ArticleDraft, ArticleError, Status};
use super::queries::{self, SaveError};
use crate::comments::moderation::{Assessment, Reason, Score};
use crate::config::Language;
use crate::db::Db;

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
    /// (domain, name): domain is "category" or "post_tag".
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
    Item(Box<WpItem>),
}

/// Why a file is refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum WxrError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("cannot import {0}: {1}")]
    File(String, super::import::FileError),
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

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    /// Articles imported, by status.
    pub articles: BTreeMap<&'static str, u64>,
    pub comments: u64,
    /// Items not imported, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Images on other hosts left out of imported posts: they need uploading again.
    pub images_left_out: u64,
}

impl Report {
    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }
}

/// Imports the export at `path`; `progress` gets the bytes read so far and the file's size.
pub async fn import(
    db: &Db,
    path: &Path,
    language: Language,
    now: i64,
    progress: impl Fn(u64, u64) + Send + 'static,
) -> Result<Report, WxrError> {
    // Only a regular file, and at most MAX_EXPORT + 1 bytes of it on either pass: a device such
    // as /dev/zero never ends, and a FIFO could not be read twice anyway.
    let refused = |e| WxrError::File(path.display().to_string(), e);
    let too_large = || refused(super::import::FileError::TooLarge(MAX_EXPORT));
    let open = || super::import::open_regular(path).map_err(refused);
    let (_, size) = open()?;
    if size > MAX_EXPORT {
        return Err(too_large());
    }
    // First pass: the whole file must be well-formed before anything is stored.
    let checked = Arc::new(AtomicU64::new(0));
    let file = Counting { inner: open()?.0.take(MAX_EXPORT + 1), read: checked.clone() };
    let first = tokio::task::spawn_blocking(move || parse(BufReader::new(file), |_| true))
        .await
        .map_err(|e| WxrError::Io("parser".into(), std::io::Error::other(e)))?;
    // A file that grew past the limit was cut short, which the parser would call broken XML.
    if checked.load(Ordering::Relaxed) > MAX_EXPORT {
        return Err(too_large());
    }
    first?;

    let read = Arc::new(AtomicU64::new(0));
    let reader = BufReader::new(Counting { inner: open()?.0.take(MAX_EXPORT + 1), read: read.clone() });
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(64);
    let parser = tokio::task::spawn_blocking(move || parse(reader, |p| tx.blocking_send(p).is_ok()));
    let mut report = Report::default();
    let mut site = String::from("wordpress");
    let mut authors: HashMap<String, String> = HashMap::new();
    while let Some(parsed) = rx.recv().await {
        match parsed {
            Parsed::Site(link) => site = format!("wordpress:{}", link.trim()),
            Parsed::Author { login, name } => {
                authors.insert(login.clone(), if name.trim().is_empty() { login } else { name });
            }
            Parsed::Item(item) => {
                if let Err(e) = import_item(db, &site, &authors, &item, language, now, &mut report).await {
                    tracing::warn!(post = item.id, error = %e, "post not imported");
                    report.skip("database error");
                }
                progress(read.load(Ordering::Relaxed), size);
            }
        }
    }
    let second = parser.await.map_err(|e| WxrError::Io("parser".into(), std::io::Error::other(e)))?;
    if read.load(Ordering::Relaxed) > MAX_EXPORT {
        return Err(too_large());
    }
    second?;
    progress(size, size);
    Ok(report)
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

/// WordPress keeps non-ASCII slugs percent-encoded (`k%c3%bcche`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Plain text of a bit of HTML (an excerpt), whitespace collapsed.
fn plain(html: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(html).to_string();
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

async fn mapped(db: &Db, source: &str, key: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT local_id FROM import_map WHERE source = $1 AND source_key = $2")
        .bind(source)
        .bind(key)
        .fetch_optional(&db.pool)
        .await
}

async fn remember(
    conn: &mut sqlx::AnyConnection,
    source: &str,
    key: &str,
    id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_map (source, source_key, local_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source, source_key) DO NOTHING",
    )
    .bind(source)
    .bind(key)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

async fn import_item(
    db: &Db,
    source: &str,
    authors: &HashMap<String, String>,
    item: &WpItem,
    language: Language,
    now: i64,
    report: &mut Report,
) -> Result<(), sqlx::Error> {
    if item.post_type != "post" {
        report.skip(format!("not a post ({})", if item.post_type.is_empty() { "no type" } else { &item.post_type }));
        return Ok(());
    }
    if let Some(reason) = item.broken {
        report.skip(reason);
        return Ok(());
    }
    let key = format!("post:{}", item.id.trim());
    if mapped(db, source, &key).await?.is_some() {
        report.skip("already imported");
        return Ok(());
    }
    let (status, published_at) = match item.status.as_str() {
        "publish" => (Status::Published, wp_time(&item.date_gmt).or_else(|| wp_time(&item.date))),
        "future" => (Status::Scheduled, wp_time(&item.date_gmt).or_else(|| wp_time(&item.date))),
        "draft" | "pending" | "auto-draft" => (Status::Draft, None),
        other => {
            report.skip(format!("status {other}"));
            return Ok(());
        }
    };
    let slug = Some(percent_decode(item.post_name.trim()))
        .filter(|s| !s.is_empty())
        .map(|s| {
            super::model::Slug::parse(&s)
                .map(|s| s.to_string())
                .unwrap_or_else(|_| super::model::Slug::from_text(&s).map(|s| s.to_string()).unwrap_or_default())
        })
        .filter(|s| !s.is_empty());
    let mut tags: Vec<String> = item
        .terms
        .iter()
        .filter(|(domain, nicename, _)| {
            matches!(domain.as_str(), "category" | "post_tag")
                && !matches!(nicename.as_str(), "uncategorized" | "allgemein")
        })
        .map(|(_, _, name)| plain(name))
        .filter(|n| !n.is_empty())
        .collect();
    tags.truncate(super::model::MAX_TAGS);
    let (body, dropped) = without_bare_images(&super::markdown::sanitize_html(&item.content));
    let author = authors.get(item.creator.trim()).cloned().unwrap_or_else(|| item.creator.trim().to_string());
    let draft = ArticleDraft {
        title: super::model::clip_words(&plain(&item.title), super::model::MAX_TITLE),
        slug,
        places: vec![],
        lead: super::model::clip_words(&plain(&item.excerpt), super::model::MAX_LEAD),
        body_md: body.clone(),
        hero_url: None,
        hero_alt: None,
        hero_credit: None,
        tags,
        authors: vec![if author.is_empty() { "Redaktion".to_string() } else { author }],
        language: Some(language.code().to_string()),
        status: Some(status.as_str().to_string()),
        published_at,
    };
    let input = match draft.validate(language, now) {
        Ok(input) => input,
        Err(e) => {
            report.skip(format!("invalid: {e}"));
            return Ok(());
        }
    };
    let article = match queries::create(db, &input, now).await {
        Ok(article) => article,
        Err(SaveError::Invalid(ArticleError::SlugTaken(slug))) => {
            // An article of an earlier, interrupted run of this file takes it back.
            match queries::find_by_slug(db, &slug).await? {
                Some(existing) if existing.title == input.title => {
                    let mut conn = db.pool.acquire().await?;
                    remember(&mut conn, source, &key, existing.id, now).await?;
                    report.skip("already imported");
                }
                _ => report.skip("slug taken by another article"),
            }
            return Ok(());
        }
        Err(SaveError::Invalid(e)) => {
            report.skip(format!("invalid: {e}"));
            return Ok(());
        }
        Err(SaveError::Db(e)) => return Err(e),
    };
    let mut tx = db.begin().await?;
    remember(&mut tx, source, &key, article.id, now).await?;
    let mut comment_ids: HashMap<&str, i64> = HashMap::new();
    for c in &item.comments {
        if c.approved.trim() != "1" || !matches!(c.kind.trim(), "" | "comment") || c.content.trim().is_empty() {
            continue;
        }
        let body = plain(&c.content.replace("</p>", "\n\n").replace("<br />", "\n"));
        let body_hash = crate::auth::keys::hash(body.as_bytes());
        let none = || Score { score: 0.0, reasons: vec![Reason::new("imported")] };
        let assessment = Assessment { off_topic: none(), demeaning: none(), spam: none(), flags: vec![], risk: 0.0 };
        let created = wp_time(&c.date_gmt).unwrap_or(now);
        let parent = comment_ids.get(c.parent.trim()).copied();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, body_hash, status, ip_hash,
                                   off_topic, demeaning, spam, risk, assessment, reports, created_at, moderated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'approved', '', 0, 0, 0, 0, $7, 0, $8, $9) RETURNING id",
        )
        .bind(article.id)
        .bind(parent)
        .bind(super::model::clip_words(&plain(&c.author), 80))
        .bind(Some(c.email.trim().to_lowercase()).filter(|e| !e.is_empty()))
        .bind(&body)
        .bind(body_hash)
        .bind(serde_json::to_string(&assessment).unwrap_or_default())
        .bind(created)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        remember(&mut tx, source, &format!("comment:{}", c.id.trim()), id, now).await?;
        comment_ids.insert(c.id.trim(), id);
        report.comments += 1;
    }
    if !comment_ids.is_empty() {
        crate::changes::record(&mut tx, crate::changes::Event::CommentsChanged { article_id: article.id }).await?;
    }
    tx.commit().await?;
    *report.articles.entry(article.status.as_str()).or_default() += 1;
    report.images_left_out += dropped;
    Ok(())
}

/// Removes the `<img>` tags sanitising left without a source (images from other hosts, which
/// pages never load); returns the HTML and how many there were.
fn without_bare_images(html: &str) -> (String, u64) {
    let mut out = String::with_capacity(html.len());
    let mut dropped = 0;
    let mut rest = html;
    while let Some(start) = rest.find("<img") {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        out.push_str(&rest[..start]);
        let tag = &rest[start..end];
        if tag.contains(" src=") {
            out.push_str(tag);
        } else {
            dropped += 1;
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_times() {
        assert_eq!(percent_decode("k%c3%bcche-und-bad"), "küche-und-bad");
        assert_eq!(wp_time("2024-03-01 09:30:00"), Some(1_709_285_400));
        assert_eq!(wp_time("0000-00-00 00:00:00"), None);
        assert_eq!(plain("<p>Ein <b>kurzer</b>\n Text &amp; mehr</p>"), "Ein kurzer Text & mehr");
        assert_eq!(plain("z.\u{a0}B. &amp;lt;b&amp;gt;"), "z. B. &lt;b&gt;");
        let (html, n) = without_bare_images("<p>a</p><img alt=\"x\"><img src=\"/media/b.png\" alt=\"y\">");
        assert_eq!((html.as_str(), n), ("<p>a</p><img src=\"/media/b.png\" alt=\"y\">", 1));
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
