//! Sitemaps for search engines: an index over article sitemaps (2,000 URLs a file) and
//! one of listing pages, and the Google News sitemap (the last two days, at most 1,000 a file).

use std::fmt::Write as _;

use sqlx::{AssertSqlSafe, Row as _};

use super::{Site, rfc3339, xml_escape as x};
use crate::articles::listings::{self, Order};
use crate::articles::queries::{LIVE, Listing};
use crate::db::Db;

/// The protocol's most URLs in one file.
pub const URLS_PER_FILE: i64 = 50_000;
/// Articles in one article sitemap. Files of the protocol's 50,000 took 230 ms to render (5 MB)
/// at a million articles; 2,000 (as WordPress's own sitemaps) take a few milliseconds, fit the
/// page cache, and make 500 files for a million articles.
pub const ARTICLES_PER_FILE: i64 = 2_000;
pub const NEWS_PER_FILE: i64 = 1_000;
/// Google News takes articles published in the last two days.
pub const NEWS_WINDOW_SECS: i64 = 2 * 86_400;

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// A URL and when its content last changed materially.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub lastmod: Option<i64>,
}

/// How many article sitemap files there are, and the newest material change: the count from
/// the listings' maintained counts, the change from the top of its index.
pub async fn article_stats(db: &Db, now: i64) -> Result<(i64, Option<i64>), sqlx::Error> {
    let count = listings::count(db, Listing::All, now).await?.live;
    let sql = format!(
        "SELECT COALESCE(a.updated_at, a.published_at) FROM articles a \
         WHERE COALESCE(a.updated_at, a.published_at) <= $2 AND {LIVE} \
         ORDER BY COALESCE(a.updated_at, a.published_at) DESC LIMIT 1"
    );
    let newest: Option<i64> =
        sqlx::query_scalar(AssertSqlSafe(sql)).bind(now).bind(now).fetch_optional(&db.pool).await?;
    Ok(((count + ARTICLES_PER_FILE - 1) / ARTICLES_PER_FILE, newest))
}

/// Article URLs of sitemap file `page` (1-based), oldest first so files stay stable. The
/// file's first article is found from the maintained day counts, not by skipping articles.
pub async fn article_entries(db: &Db, page: i64, now: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let offset = (page - 1) * ARTICLES_PER_FILE;
    let count = listings::count(db, Listing::All, now).await?;
    let (from, skip) = match listings::locate(db, Listing::All, &count, Order::OldestFirst, offset, now).await? {
        Some((from, skip)) => (from, skip),
        None => (i64::MIN, offset),
    };
    let sql = format!(
        "SELECT a.slug, COALESCE(a.updated_at, a.published_at) AS changed_at FROM articles a \
         WHERE {LIVE} AND a.published_at >= $2 ORDER BY a.published_at, a.id LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(now)
        .bind(from)
        .bind(ARTICLES_PER_FILE)
        .bind(skip)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry { path: format!("/news/{}", r.try_get::<String, _>("slug")?), lastmod: r.try_get("changed_at")? })
        })
        .collect()
}

/// Home, the archive index and the site's own pages.
pub async fn page_entries(db: &Db, now: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let (_, newest) = article_stats(db, now).await?;
    let mut entries =
        vec![Entry { path: "/".into(), lastmod: newest }, Entry { path: "/archive".into(), lastmod: newest }];
    // The site's own pages (Impressum, about us): in the sitemap, never in the news sitemap.
    let pages = crate::pages::directory(db).await?;
    entries.extend(pages.into_iter().map(|(page, changed)| Entry { path: page.href, lastmod: Some(changed) }));
    Ok(entries)
}

/// Which listing pages a sitemap covers.
#[derive(Debug, Clone, Copy)]
pub enum Listings {
    Tags,
    Authors,
}

/// Every tag or author page that lists a live article (at most 50,000), with the last
/// material change among its articles, from the maintained counts.
pub async fn listing_entries(db: &Db, listings: Listings, now: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let (prefix, kind, labels, link, label) = match listings {
        Listings::Tags => ("/tag/", "tag", "tags", "article_tags", "tag_id"),
        Listings::Authors => ("/author/", "author", "authors", "article_authors", "author_id"),
    };
    // Less the scheduled articles still to come, as in every count.
    let sql = format!(
        "SELECT t.slug, c.changed_at FROM listing_totals c JOIN {labels} t ON t.id = c.label_id \
         LEFT JOIN (SELECT x.{label} AS label_id, COUNT(*) AS n FROM articles a JOIN {link} x ON x.article_id = a.id \
           WHERE a.status = 'scheduled' AND a.published_at > $1 GROUP BY x.{label}) f ON f.label_id = c.label_id \
         WHERE c.kind = '{kind}' AND c.n - COALESCE(f.n, 0) > 0 ORDER BY t.slug LIMIT $2"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(URLS_PER_FILE).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                path: format!("{prefix}{}", r.try_get::<String, _>("slug")?),
                lastmod: r.try_get("changed_at")?,
            })
        })
        .collect()
}

pub fn index(site: &Site, files: &[Entry]) -> String {
    let mut out = format!("{HEAD}<sitemapindex xmlns=\"{NS}\">\n");
    for file in files {
        let _ = write!(out, "<sitemap><loc>{}</loc>", x(&site.absolute(&file.path)));
        if let Some(ts) = file.lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", rfc3339(ts));
        }
        out.push_str("</sitemap>\n");
    }
    out.push_str("</sitemapindex>\n");
    out
}

pub fn urlset(site: &Site, entries: &[Entry]) -> String {
    let mut out = format!("{HEAD}<urlset xmlns=\"{NS}\">\n");
    for entry in entries {
        let _ = write!(out, "<url><loc>{}</loc>", x(&site.absolute(&entry.path)));
        if let Some(ts) = entry.lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", rfc3339(ts));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// An article in the news sitemap.
#[derive(Debug, Clone)]
pub struct NewsEntry {
    pub slug: String,
    pub title: String,
    pub language: String,
    pub published_at: i64,
}

/// The number of articles published in the news window.
pub async fn news_count(db: &Db, now: i64) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM articles a WHERE {LIVE} AND a.published_at >= $2");
    sqlx::query_scalar(AssertSqlSafe(sql)).bind(now).bind(now - NEWS_WINDOW_SECS).fetch_one(&db.pool).await
}

/// News sitemap file `page` (1-based), newest first.
pub async fn news_entries(db: &Db, page: i64, now: i64) -> Result<Vec<NewsEntry>, sqlx::Error> {
    let sql = format!(
        "SELECT a.slug, a.title, a.language, a.published_at FROM articles a WHERE {LIVE} AND a.published_at >= $2 \
         ORDER BY a.published_at DESC, a.id DESC LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(now)
        .bind(now - NEWS_WINDOW_SECS)
        .bind(NEWS_PER_FILE)
        .bind((page - 1) * NEWS_PER_FILE)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(NewsEntry {
                slug: r.try_get("slug")?,
                title: r.try_get("title")?,
                language: r.try_get("language")?,
                published_at: r.try_get("published_at")?,
            })
        })
        .collect()
}

pub fn news_urlset(site: &Site, entries: &[NewsEntry]) -> String {
    let mut out =
        format!("{HEAD}<urlset xmlns=\"{NS}\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");
    for entry in entries {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            x(&site.absolute(&format!("/news/{}", entry.slug))),
            x(&site.name),
            x(&entry.language),
            rfc3339(entry.published_at),
            x(&entry.title)
        );
    }
    out.push_str("</urlset>\n");
    out
}
