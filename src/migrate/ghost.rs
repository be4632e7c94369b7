//! `newsdesk import ghost FILE.json`: a Ghost export (Settings → Labs → Export, Ghost 1.0 to
//! 6.x) brings its posts as articles: content from Lexical (Ghost 5 and later) or mobiledoc
//! (Ghost 1 to 4) made into HTML (`ghost_content`), tags (public ones; `#internal` tags are
//! Ghost's own bookkeeping), authors in order, feature images with their alt text and caption,
//! slugs, dates and status, and the old addresses (`/{slug}/`, `/tag/x/`, `/author/x/`, their
//! `rss/` feeds). Pages and email-only posts are not articles and are counted as skipped.
//!
//! The export is one JSON document, read whole and checked before anything is stored: a file
//! that is not JSON, not a Ghost export, or of a Ghost version this does not read is refused
//! with what it is.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::ghost_content::{lexical_to_html, mobiledoc_to_html};
use super::{Importer, LabelKind, LabelPaths, Lead, Post};
use crate::articles::import::{FileError, read_limited};
use crate::articles::markdown::html_text;
use crate::articles::model::{Slug, Status};

/// The largest export read: it is parsed whole. Ghost's exports hold no pictures, so even
/// large sites' stay far below this.
const MAX_EXPORT: u64 = 512 * 1024 * 1024;
/// The Ghost versions whose exports this reads, by major version.
const VERSIONS: std::ops::RangeInclusive<u64> = 1..=6;
/// Where pictures point when the old site's address is not known: they cannot be fetched,
/// and the post shows a note in their place.
const UNKNOWN_HOST: &str = "https://ghost-site.invalid";

/// Why an export is refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum GhostError {
    #[error("cannot import {0}: {1}")]
    File(String, FileError),
    #[error(
        "a Ghost export names its own address __GHOST_URL__: give the old site's address with --old-url to fetch its pictures"
    )]
    NoOldUrl,
    #[error("not JSON: {0}")]
    Json(String),
    #[error("not a Ghost export: no db[0].data.posts (Ghost → Settings → Labs → Export writes one)")]
    NotGhost,
    #[error(
        "a Ghost {0} export: exports of Ghost 1.0 to 6.x are understood (meta.version); export the site again from a newer Ghost"
    )]
    Version(String),
}

#[derive(Debug, Deserialize)]
struct Export {
    meta: Meta,
    data: Data,
}

#[derive(Debug, Deserialize)]
struct Meta {
    #[serde(default)]
    version: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Data {
    posts: Vec<GhostPost>,
    tags: Vec<GhostTag>,
    users: Vec<GhostUser>,
    posts_tags: Vec<Link>,
    posts_authors: Vec<Link>,
    posts_meta: Vec<PostMeta>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GhostPost {
    id: Value,
    uuid: Option<String>,
    title: Option<String>,
    slug: Option<String>,
    lexical: Option<String>,
    mobiledoc: Option<String>,
    html: Option<String>,
    plaintext: Option<String>,
    feature_image: Option<String>,
    custom_excerpt: Option<String>,
    /// "post" or "page" (Ghost 4 and later).
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Ghost 1 to 3 mark pages so.
    page: Value,
    status: Option<String>,
    published_at: Value,
    created_at: Value,
    /// Ghost 1's single author.
    author_id: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GhostTag {
    id: Value,
    name: Option<String>,
    slug: Option<String>,
    visibility: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GhostUser {
    id: Value,
    name: Option<String>,
    slug: Option<String>,
}

/// A row of `posts_tags` or `posts_authors`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Link {
    post_id: Value,
    tag_id: Value,
    author_id: Value,
    sort_order: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostMeta {
    post_id: Value,
    feature_image_alt: Option<String>,
    feature_image_caption: Option<String>,
}

/// An id as text, whether the export wrote it as a string (Ghost 1 and later) or a number.
fn id(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A time: an ISO 8601 string, or milliseconds since 1970 as older exports have them.
fn time(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => s.trim().parse::<jiff::Timestamp>().ok().map(|t| t.as_second()),
        Value::Number(n) => n.as_i64().map(|ms| ms / 1000),
        _ => None,
    }
}

/// Reads and checks an export: its Ghost version, and that it holds posts.
fn read(path: &Path) -> Result<Data, GhostError> {
    let bytes = read_limited(path, MAX_EXPORT).map_err(|e| GhostError::File(path.display().to_string(), e))?;
    let document: Value = serde_json::from_slice(&bytes).map_err(|e| GhostError::Json(e.to_string()))?;
    drop(bytes);
    // Exports wrap the database in `db: [...]`; some tools write it bare.
    let inner = match document.get("db").and_then(|db| db.get(0)) {
        Some(inner) => inner.clone(),
        None => document,
    };
    if inner.get("data").and_then(|d| d.get("posts")).is_none() {
        return Err(GhostError::NotGhost);
    }
    let export: Export = serde_json::from_value(inner).map_err(|e| GhostError::Json(e.to_string()))?;
    let version = match &export.meta.version {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Ghost 1.0 and later write their release ("5.96.0"); Ghost 0.x a schema number ("003").
    let major = version.split_once('.').and_then(|(m, _)| m.trim().parse::<u64>().ok());
    if !major.is_some_and(|m| VERSIONS.contains(&m)) {
        return Err(GhostError::Version(version));
    }
    Ok(export.data)
}

/// Imports the export at `path` without a progress bar; returns the report.
pub async fn import_file(
    cx: crate::context::Context,
    path: &Path,
    options: super::Options,
) -> Result<super::Report, GhostError> {
    let language = cx.config.site.language;
    let mut importer = Importer::new(cx, "ghost", options, language).map_err(|e| GhostError::Json(e.to_string()))?;
    import(&mut importer, path, |_, _| {}).await?;
    Ok(importer.report)
}

/// Imports the export at `path`; `progress` gets the posts done and their number.
pub async fn import(importer: &mut Importer, path: &Path, progress: impl Fn(u64, u64)) -> Result<(), GhostError> {
    let data = read(path)?;
    if importer.options.old_url.is_none() {
        if importer.options.fetch_media && !importer.options.dry_run {
            return Err(GhostError::NoOldUrl);
        }
        // Links to the site's own pages stay on this one; pictures become notes.
        importer.options.old_url = Some(UNKNOWN_HOST.to_string());
    }
    let site = Site::new(&data, importer.options.old_url.as_deref());
    let total = data.posts.len() as u64;
    for (done, post) in data.posts.iter().enumerate() {
        if let Some(post) = site.post(post, &mut importer.report) {
            let key = post.key.clone();
            if let Err(e) = importer.post(post).await {
                tracing::warn!(post = key, error = %e, "post not imported");
                importer.report.skip("database error");
            }
        }
        progress(done as u64 + 1, total);
    }
    let feeds = [(format!("{}/rss/", site.base), "/feed")];
    if let Err(e) = importer.site_addresses(&feeds).await {
        tracing::warn!(error = %e, "the old site's feed address was not recorded");
    }
    Ok(())
}

/// Plain text (a post with only `plaintext`) as paragraphs: one per blank-line-separated block.
fn plain_paragraphs(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", super::html::escape(p)))
        .collect()
}

/// What converting a post needs from the rest of the export.
struct Site<'a> {
    /// The old site's address, without a trailing slash.
    url: String,
    /// The path the old site lives under (`/blog`), or "".
    base: String,
    tags: HashMap<String, &'a GhostTag>,
    users: HashMap<String, &'a GhostUser>,
    /// Tag and author ids of each post, in order.
    post_tags: HashMap<String, Vec<String>>,
    post_authors: HashMap<String, Vec<String>>,
    meta: HashMap<String, &'a PostMeta>,
}

impl<'a> Site<'a> {
    fn new(data: &'a Data, old_url: Option<&str>) -> Site<'a> {
        let url = old_url.map(|u| u.trim().trim_end_matches('/').to_string()).unwrap_or_else(|| UNKNOWN_HOST.into());
        let base = old_url.map(super::html::base_path).unwrap_or_default();
        let ordered = |links: &[Link], pick: fn(&Link) -> &Value| {
            let mut rows: Vec<(&Link, String)> = links.iter().map(|l| (l, id(pick(l)))).collect();
            rows.sort_by_key(|(l, _)| l.sort_order.unwrap_or(0));
            let mut map: HashMap<String, Vec<String>> = HashMap::new();
            for (link, target) in rows {
                map.entry(id(&link.post_id)).or_default().push(target);
            }
            map
        };
        Site {
            url,
            base,
            tags: data.tags.iter().map(|t| (id(&t.id), t)).collect(),
            users: data.users.iter().map(|u| (id(&u.id), u)).collect(),
            post_tags: ordered(&data.posts_tags, |l| &l.tag_id),
            post_authors: ordered(&data.posts_authors, |l| &l.author_id),
            meta: data.posts_meta.iter().map(|m| (id(&m.post_id), m)).collect(),
        }
    }

    /// Ghost's placeholder for the site's own address, made the old site's address.
    fn absolute(&self, text: &str) -> String {
        text.replace("__GHOST_URL__", &self.url)
    }

    /// A tag's or author's page on the old site (`/tag/{slug}/`) and its feed (`rss/` below).
    fn label_paths(&self, kind: LabelKind, slug: Option<&str>, name: &str) -> Option<LabelPaths> {
        let slug = slug.map(str::trim).filter(|s| !s.is_empty())?;
        let segment = match kind {
            LabelKind::Tag => "tag",
            LabelKind::Author => "author",
        };
        let page = format!("{}/{segment}/{slug}/", self.base);
        Some(LabelPaths { kind, name: name.to_string(), feeds: vec![format!("{page}rss/")], pages: vec![page] })
    }

    fn post(&self, post: &GhostPost, report: &mut super::Report) -> Option<Post> {
        let post_id = id(&post.id);
        let is_page = post.kind.as_deref() == Some("page") || post.page == Value::Bool(true) || post.page == 1;
        if is_page {
            report.skip("not a post (page)");
            return None;
        }
        let (status, published_at) = match post.status.as_deref().unwrap_or("draft") {
            "published" => (Status::Published, time(&post.published_at)),
            "scheduled" => (Status::Scheduled, time(&post.published_at)),
            "draft" => (Status::Draft, None),
            other => {
                report.skip(format!("status {other}"));
                return None;
            }
        };
        // Sanitised with the whole post, once its pictures are local.
        let markdown = |text: &str| crate::articles::markdown::render_unsanitised(text);
        let rendered = match (&post.lexical, &post.mobiledoc) {
            (Some(lexical), _) if !lexical.trim().is_empty() => lexical_to_html(lexical, &markdown),
            (_, Some(mobiledoc)) if !mobiledoc.trim().is_empty() => mobiledoc_to_html(mobiledoc, &markdown),
            _ => Ok(super::ghost_content::Rendered {
                html: match (&post.html, &post.plaintext) {
                    (Some(html), _) if !html.trim().is_empty() => html.clone(),
                    (_, Some(text)) => plain_paragraphs(text),
                    _ => String::new(),
                },
                ..Default::default()
            }),
        };
        let rendered = match rendered {
            Ok(rendered) => rendered,
            Err(e) => {
                report.skip(format!("content not readable: {e}"));
                return None;
            }
        };
        let key = match post.uuid.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(uuid) => format!("uuid:{uuid}"),
            None if !post_id.is_empty() => format!("id:{post_id}"),
            None => {
                super::content_key(post.title.as_deref().unwrap_or(""), &post.created_at.to_string(), &rendered.html)
            }
        };
        let slug = post.slug.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut tags = Vec::new();
        let mut label_paths = Vec::new();
        for tag in self.post_tags.get(&post_id).into_iter().flatten().filter_map(|t| self.tags.get(t)) {
            let name = tag.name.as_deref().unwrap_or("").trim();
            let internal = tag.visibility.as_deref() == Some("internal") || name.starts_with('#');
            if internal || name.is_empty() || tags.len() >= crate::articles::model::MAX_TAGS {
                continue;
            }
            label_paths.extend(self.label_paths(LabelKind::Tag, tag.slug.as_deref(), name));
            tags.push(name.to_string());
        }
        let author_ids: Vec<String> = match self.post_authors.get(&post_id) {
            Some(ids) => ids.clone(),
            None => vec![id(&post.author_id)],
        };
        let mut authors = Vec::new();
        for user in author_ids.iter().filter_map(|a| self.users.get(a)) {
            let name = user.name.as_deref().unwrap_or("").trim();
            if name.is_empty() || authors.len() >= crate::articles::model::MAX_AUTHORS {
                continue;
            }
            label_paths.extend(self.label_paths(LabelKind::Author, user.slug.as_deref(), name));
            authors.push(name.to_string());
        }
        let meta = self.meta.get(&post_id);
        let lead = post.feature_image.as_deref().filter(|u| !u.trim().is_empty()).map(|url| Lead {
            url: self.absolute(url.trim()),
            alt: meta.and_then(|m| m.feature_image_alt.clone()).unwrap_or_default(),
            caption: meta.and_then(|m| m.feature_image_caption.clone()).unwrap_or_default(),
        });
        let excerpt = post.custom_excerpt.as_deref().map(html_text).unwrap_or_default();
        Some(Post {
            key,
            older_keys: vec![],
            title: post.title.as_deref().map(html_text).unwrap_or_default(),
            slug: slug.and_then(|s| Slug::parse(s).ok().or_else(|| Slug::from_text(s))).map(|s| s.to_string()),
            html: self.absolute(&rendered.html),
            excerpt,
            status,
            published_at,
            written_at: time(&post.created_at),
            tags,
            authors,
            lead,
            old_paths: slug.map(|s| format!("{}/{s}/", self.base)).into_iter().collect(),
            label_paths,
            comments: vec![],
            unknown: rendered.unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_and_ids_of_every_era() {
        assert_eq!(time(&Value::from("2024-03-01T09:30:00.000Z")), Some(1_709_285_400));
        assert_eq!(time(&Value::from(1_709_285_400_000_i64)), Some(1_709_285_400));
        assert_eq!(time(&Value::Null), None);
        assert_eq!(id(&Value::from(7)), "7");
        assert_eq!(id(&Value::from("65e1")), "65e1");
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        assert_eq!(plain_paragraphs("Eins & zwei\r\n\r\nDrei\n\n\n"), "<p>Eins &amp; zwei</p><p>Drei</p>");
    }

    #[test]
    fn refuses_what_is_not_a_known_ghost_export() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let old = write("old.json", r#"{"db":[{"meta":{"version":"003"},"data":{"posts":[]}}]}"#);
        let message = read(&old).unwrap_err().to_string();
        assert!(message.contains("Ghost 003 export") && message.contains("Ghost 1.0 to 6.x"), "{message}");
        assert!(matches!(read(&write("x.json", r#"{"posts":[]}"#)), Err(GhostError::NotGhost)));
        assert!(matches!(read(&write("y.json", "{\"db\": [")), Err(GhostError::Json(_))));
        let bare = write("bare.json", r#"{"meta":{"version":"5.2.0"},"data":{"posts":[{"id":"1","title":"A"}]}}"#);
        assert_eq!(read(&bare).unwrap().posts.len(), 1);
    }
}
