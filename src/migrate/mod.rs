//! Moving a publication in: `newsdesk import wordpress FILE.xml` and `newsdesk import ghost
//! FILE.json` bring a site's archive whole, with its pictures (`--fetch-media`) and its old
//! addresses.
//!
//! Each importer reads its export into [`Post`]s, HTML with shortcodes or cards already turned
//! into plain HTML; [`Importer::post`] stores one: its pictures fetched into the media library
//! and the HTML pointed at them, the body kept as sanitised HTML (never read as Markdown), its
//! old addresses recorded for redirects, its comments. A post's identity is its GUID (or, with
//! none, a hash of its content), remembered in `import_map`, so a second run of the same file,
//! or of another export of the same site, stores nothing twice, and a run stopped in the
//! middle completes on the next.

pub mod addresses;
pub mod ghost;
pub mod ghost_content;
pub mod html;
pub mod pictures;
pub mod shortcodes;
pub mod wordpress;

use std::collections::{BTreeMap, HashMap};

use crate::articles::model::{ArticleDraft, ArticleError, BodyFormat, Status};
use crate::articles::queries::{self, SaveError};
use crate::comments::moderation::{Assessment, Reason, Score};
use crate::config::Language;
use crate::context::Context;
use pictures::{Fetcher, Wanted};

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Read and convert everything, report, store nothing and fetch nothing.
    pub dry_run: bool,
    /// Bring the pictures posts use from the old host into the media library.
    pub fetch_media: bool,
    /// Pictures fetched at once.
    pub concurrency: usize,
    /// The old site's address, where the export does not carry it (Ghost writes
    /// `__GHOST_URL__` for it).
    pub old_url: Option<String>,
}

impl Options {
    /// The old site's address without a trailing slash, if known.
    fn old_site(&self) -> Option<&str> {
        self.old_url.as_deref().map(|u| u.trim().trim_end_matches('/')).filter(|u| !u.is_empty())
    }
}

/// A picture that stands for a post (WordPress's featured image, Ghost's feature image).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lead {
    pub url: String,
    pub alt: String,
    pub caption: String,
}

/// A comment of an imported post, approved on the old site.
#[derive(Debug, Clone, Default)]
pub struct Comment {
    pub key: String,
    pub parent_key: String,
    pub author: String,
    pub email: String,
    /// Plain text.
    pub text: String,
    pub created_at: Option<i64>,
}

/// One post of an export, converted.
#[derive(Debug, Clone, Default)]
pub struct Post {
    /// What identifies it across exports of its site: its GUID, or a hash of its content.
    pub key: String,
    /// The keys earlier versions of the importer remembered it by, if any.
    pub older_keys: Vec<(String, String)>,
    /// Plain text; empty when the post has none.
    pub title: String,
    pub slug: Option<String>,
    /// The content as HTML, pictures still at their old addresses.
    pub html: String,
    /// Plain text.
    pub excerpt: String,
    pub status: Status,
    pub published_at: Option<i64>,
    /// When it was written, for naming a post without a title.
    pub written_at: Option<i64>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub lead: Option<Lead>,
    /// Its addresses on the old site (`/2019/05/07/slug/`, `/?p=12`), for redirects.
    pub old_paths: Vec<String>,
    /// The old addresses of its tags and authors.
    pub label_paths: Vec<LabelPaths>,
    pub comments: Vec<Comment>,
    /// Shortcodes or cards in it not understood, kept as text, by name.
    pub unknown: BTreeMap<String, u64>,
}

/// Whether a label is a tag (WordPress's categories and tags) or an author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Tag,
    Author,
}

/// The old addresses of a tag or author, by its name: its page (`/category/local-news/`,
/// `/?cat=3`) and its feed (`/category/local-news/feed/`).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelPaths {
    pub kind: LabelKind,
    pub name: String,
    pub pages: Vec<String>,
    pub feeds: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default)]
pub struct Report {
    /// Articles imported, by status.
    pub articles: BTreeMap<&'static str, u64>,
    pub comments: u64,
    /// Items not imported, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Posts that had no title and were named after their first words or their date.
    pub untitled: u64,
    /// Shortcodes (WordPress) or cards (Ghost) not understood, kept as text, by name.
    pub unknown: BTreeMap<String, u64>,
    pub pictures_fetched: u64,
    /// Sound and video files fetched.
    pub recordings_fetched: u64,
    /// Pictures (and recordings) already in the library from an earlier run or post.
    pub pictures_reused: u64,
    /// Pictures that could not be fetched: address and reason.
    pub pictures_failed: Vec<(String, String)>,
    /// Pictures from other hosts left out of posts (no `--fetch-media`, or not fetched).
    pub pictures_left_out: u64,
    /// Pictures a run with `--fetch-media` would fetch (dry runs).
    pub pictures_wanted: u64,
    /// Old addresses that now redirect.
    pub old_addresses: u64,
}

impl Report {
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    pub fn imported(&self) -> u64 {
        self.articles.values().sum()
    }
}

/// Stores posts one by one, sharing what a run learns (pictures fetched, authors).
pub struct Importer {
    pub cx: Context,
    pub source: &'static str,
    pub options: Options,
    pub language: Language,
    pub report: Report,
    fetcher: Option<Fetcher>,
}

impl Importer {
    pub fn new(cx: Context, source: &'static str, options: Options, language: Language) -> anyhow::Result<Importer> {
        let fetcher = if options.fetch_media && !options.dry_run {
            let client = crate::outgoing::Outgoing::new(&cx.config.outgoing)?;
            Some(Fetcher::new(client, options.concurrency.max(1)))
        } else {
            None
        };
        Ok(Importer { cx, source, options, language, report: Report::default(), fetcher })
    }

    /// Whether a post of this source is stored already, under its key or an older one.
    async fn stored(&self, post: &Post) -> Result<Option<i64>, sqlx::Error> {
        if let Some(id) = mapped(&self.cx.db.pool, self.source, &post.key).await? {
            return Ok(Some(id));
        }
        for (source, key) in &post.older_keys {
            if let Some(id) = mapped(&self.cx.db.pool, source, key).await? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Stores one post; what went wrong with it is counted in the report, and only a database
    /// failure is an error.
    pub async fn post(&mut self, mut post: Post) -> Result<(), sqlx::Error> {
        if self.stored(&post).await?.is_some() {
            self.report.skip("already imported");
            return Ok(());
        }
        if post.title.trim().is_empty() {
            post.title = title_for(&post, self.language);
            self.report.untitled += 1;
        }
        if let Some(site) = self.options.old_site() {
            post.html = html::absolute_pictures(&post.html, site);
        }
        // Pictures: the lead image and every picture in the text.
        let mut wanted = Vec::new();
        if let Some(lead) = &post.lead {
            let alt = Some(lead.alt.trim()).filter(|a| !a.is_empty()).unwrap_or(post.title.as_str());
            wanted.push(Wanted {
                kind: pictures::Kind::Picture,
                url: lead.url.clone(),
                alt: alt.to_string(),
                credit: String::new(),
            });
        }
        wanted.extend(pictures::wanted_in(&post.html, &post.title));
        let players = html::players(&post.html);
        wanted.extend(players.iter().filter(|u| u.starts_with("http")).map(|u| Wanted::recording(u)));
        let mut local = HashMap::new();
        if self.options.dry_run {
            self.report.pictures_wanted += wanted.len() as u64;
        } else if let Some(fetcher) = self.fetcher.as_mut() {
            let mut outcome = pictures::Outcome::default();
            local = fetcher.fetch_all(&self.cx, &wanted, &mut outcome).await;
            self.report.pictures_fetched += outcome.fetched;
            self.report.recordings_fetched += outcome.recordings;
            self.report.pictures_reused += outcome.reused;
            self.report.pictures_failed.extend(outcome.failed);
        }
        let with_players = html::media_links(&post.html, &local);
        let (body, mut left_out) = pictures::rewrite(&with_players, &local, self.language);
        // Links to the old site stay on this one: its old addresses redirect.
        let body = match self.options.old_site() {
            Some(site) => html::relative_links(&body, site),
            None => body,
        };
        let (body, bare) = html::without_bare_images(&crate::articles::markdown::sanitize_html(&body));
        left_out += bare;
        self.report.pictures_left_out += left_out;
        let body = html::heading_levels(&body);
        let lead = post.lead.as_ref().and_then(|l| local.get(&l.url).map(|path| (l, path)));
        let draft = ArticleDraft {
            title: crate::articles::model::clip_words(&post.title, crate::articles::model::MAX_TITLE),
            slug: post.slug.clone(),
            places: vec![],
            lead: crate::articles::model::clip_words(&post.excerpt, crate::articles::model::MAX_LEAD),
            body_md: body,
            body_format: BodyFormat::Html,
            hero_url: lead.map(|(_, path)| path.clone()),
            hero_alt: lead
                .map(|(l, _)| Some(l.alt.trim()).filter(|a| !a.is_empty()).unwrap_or(&post.title).to_string()),
            hero_credit: lead.map(|(l, _)| crate::articles::markdown::html_text(&l.caption)),
            tags: post.tags.clone(),
            authors: if post.authors.is_empty() {
                vec![default_author(self.language).into()]
            } else {
                post.authors.clone()
            },
            language: Some(self.language.code().to_string()),
            status: Some(post.status.as_str().to_string()),
            published_at: post.published_at,
        };
        let input = match draft.validate(self.language, self.cx.now) {
            Ok(input) => input,
            Err(e) => {
                self.report.skip(format!("invalid: {e}"));
                return Ok(());
            }
        };
        if self.options.dry_run {
            *self.report.articles.entry(input.status.as_str()).or_default() += 1;
            pictures::count_into(&mut self.report.unknown, post.unknown);
            self.report.comments += post.comments.len() as u64;
            self.report.old_addresses += post.old_paths.len() as u64;
            return Ok(());
        }
        let article = match queries::create(&self.cx.db, &input, self.cx.now).await {
            Ok(article) => article,
            Err(SaveError::Invalid(ArticleError::SlugTaken(slug))) => {
                // An article of an earlier, interrupted run of this file takes it back and gets
                // what that run did not store.
                match queries::find_by_slug(&self.cx.db, &slug).await? {
                    Some(existing) if existing.title == input.title && !self.claimed(existing.id).await? => existing,
                    _ => {
                        self.report.skip("slug taken by another article");
                        return Ok(());
                    }
                }
            }
            Err(SaveError::Invalid(e)) => {
                self.report.skip(format!("invalid: {e}"));
                return Ok(());
            }
            Err(SaveError::Db(e)) => return Err(e),
        };
        let mut tx = self.cx.db.begin().await?;
        remember(&mut *tx, self.source, &post.key, article.id, self.cx.now).await?;
        let comments = store_comments(&mut tx, self.source, &post, article.id, self.cx.now).await?;
        let mut addresses =
            addresses::record_post(&mut tx, self.source, &post.old_paths, &article.slug, self.cx.now).await?;
        for label in &post.label_paths {
            let labels = match label.kind {
                LabelKind::Tag => (&article.tags, "tag"),
                LabelKind::Author => (&article.authors, "author"),
            };
            let Some(now) = labels.0.iter().find(|l| l.name.eq_ignore_ascii_case(label.name.trim())) else { continue };
            let target = format!("/{}/{}", labels.1, now.slug);
            for page in &label.pages {
                addresses += u64::from(addresses::record(&mut tx, self.source, page, &target, self.cx.now).await?);
            }
            for feed in &label.feeds {
                let target = format!("{target}/feed");
                addresses += u64::from(addresses::record(&mut tx, self.source, feed, &target, self.cx.now).await?);
            }
        }
        tx.commit().await?;
        *self.report.articles.entry(article.status.as_str()).or_default() += 1;
        pictures::count_into(&mut self.report.unknown, post.unknown);
        self.report.comments += comments;
        self.report.old_addresses += addresses;
        Ok(())
    }

    /// Records addresses of the old site as a whole (its feeds) with where they lead now.
    pub async fn site_addresses(&mut self, pairs: &[(String, &str)]) -> Result<(), sqlx::Error> {
        if self.options.dry_run {
            return Ok(());
        }
        let mut tx = self.cx.db.begin().await?;
        for (old, target) in pairs {
            self.report.old_addresses +=
                u64::from(addresses::record(&mut tx, self.source, old, target, self.cx.now).await?);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether an article is already the import of some post (so another post with the same
    /// title and slug is not taken for it).
    async fn claimed(&self, article_id: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT local_id FROM import_map WHERE local_id = $1 AND source_key NOT LIKE 'comment:%' \
             AND source <> 'picture' LIMIT 1",
        )
        .bind(article_id)
        .fetch_optional(&self.cx.db.pool)
        .await?;
        Ok(found.is_some())
    }
}

fn default_author(language: Language) -> &'static str {
    match language {
        Language::De => "Redaktion",
        Language::En => "Newsroom",
    }
}

/// A title for a post without one: its first words, or else the day it was written.
fn title_for(post: &Post, language: Language) -> String {
    let text = crate::articles::markdown::html_text(&post.html);
    let words: Vec<&str> = text.split_whitespace().take(10).collect();
    if !words.is_empty() {
        let mut title = crate::articles::model::clip_words(&words.join(" "), 80);
        if words.len() == 10 || title.len() < words.join(" ").len() {
            title.push('…');
        }
        return title;
    }
    let day = post
        .written_at
        .or(post.published_at)
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string());
    match (language, day) {
        (Language::De, Some(day)) => format!("Beitrag vom {day}"),
        (Language::En, Some(day)) => format!("Post of {day}"),
        (Language::De, None) => "Beitrag ohne Titel".to_string(),
        (Language::En, None) => "Untitled post".to_string(),
    }
}

/// What `import_map` says `key` of `source` became here, if anything.
async fn mapped<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    source: &str,
    key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT local_id FROM import_map WHERE source = $1 AND source_key = $2")
        .bind(source)
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Records in `import_map` that `key` of `source` became `id` here (the first record stays).
async fn remember<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
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
    .execute(db)
    .await?;
    Ok(())
}

/// Stores a post's approved comments, replies under the comments they answer; returns how many.
async fn store_comments(
    tx: &mut sqlx::AnyConnection,
    source: &str,
    post: &Post,
    article_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for c in &post.comments {
        let key = format!("comment:{}:{}", post.key, c.key);
        if c.text.trim().is_empty() || mapped(&mut *tx, source, &key).await?.is_some() {
            continue;
        }
        let body_hash = crate::auth::keys::hash(c.text.as_bytes());
        let none = || Score { score: 0.0, reasons: vec![Reason::new("imported")] };
        let assessment = Assessment { off_topic: none(), demeaning: none(), spam: none(), flags: vec![], risk: 0.0 };
        let parent = ids.get(c.parent_key.as_str()).copied();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, body_hash, status, ip_hash,
                                   off_topic, demeaning, spam, risk, assessment, reports, created_at, moderated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'approved', '', 0, 0, 0, 0, $7, 0, $8, $9) RETURNING id",
        )
        .bind(article_id)
        .bind(parent)
        .bind(crate::articles::model::clip_words(&c.author, 80))
        .bind(Some(c.email.trim().to_lowercase()).filter(|e| !e.is_empty()))
        .bind(&c.text)
        .bind(body_hash)
        .bind(serde_json::to_string(&assessment).unwrap_or_default())
        .bind(c.created_at.unwrap_or(now))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        remember(&mut *tx, source, &key, id, now).await?;
        ids.insert(c.key.as_str(), id);
    }
    if !ids.is_empty() {
        crate::changes::record(tx, crate::changes::Event::CommentsChanged { article_id, approved: Vec::new() }).await?;
    }
    Ok(ids.len() as u64)
}

/// A key for a post that has no GUID: a hash of what it is.
pub fn content_key(title: &str, date: &str, content: &str) -> String {
    let hash = crate::auth::keys::hash(format!("{title}\u{1}{date}\u{1}{content}").as_bytes());
    format!("hash:{hash}")
}
