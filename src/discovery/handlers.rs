//! Routes of feeds, sitemaps, robots.txt and the IndexNow key file.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::Site;
use super::feeds::{self, FEED_SIZE, FeedLink, FeedMeta, listing_feed_link};
use super::sitemaps::{self, Entry, Listings};
use crate::app::App;
use crate::articles::labels::Kind;
use crate::articles::model::Article;
use crate::articles::queries::{self, Listing};
use crate::clock::http_date;
use crate::web::error::AppError;
use crate::web::params::{label_moved, month_range, parse_month, parse_slug};

const RSS: &str = "application/rss+xml; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const JSON_FEED: &str = "application/feed+json; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

/// A feed or sitemap response: its type, caching for five minutes (ten for sitemaps), the
/// time it last changed, and for feeds the WebSub `Link` headers.
fn respond(
    app: &App,
    body: String,
    content_type: &'static str,
    last_modified: Option<i64>,
    self_path: Option<&str>,
) -> Response {
    let max_age = if content_type == XML { "public, max-age=600" } else { "public, max-age=300" };
    let mut response = ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, max_age)], body).into_response();
    let headers = response.headers_mut();
    if let Some(ts) = last_modified
        && let Ok(value) = HeaderValue::from_str(&http_date(ts))
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    if let Some(path) = self_path {
        let site = Site::from_config(&app.config());
        let mut links = vec![format!("<{}>; rel=\"self\"", site.absolute(path))];
        if let Some(hub) = &site.hub {
            links.push(format!("<{hub}>; rel=\"hub\""));
        }
        if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
            headers.insert(header::LINK, value);
        }
    }
    response
}

/// A listing's feed. Its articles and its existence follow the listing's HTML page: both come
/// from [`queries::list_live`], and a tag's or author's feed, like its page, is 404 while no live
/// article carries the label (one used only by drafts or scheduled articles would otherwise name
/// an embargoed topic or author).
async fn feed(app: &App, listing: Listing, meta: FeedMeta, format: Format) -> Result<Response, AppError> {
    let (articles, live) = queries::list_live(&app.db, listing, 1, FEED_SIZE, app.now()).await?;
    if live == 0 && matches!(listing, Listing::Tag(_) | Listing::Author(_)) {
        return Err(AppError::NotFound);
    }
    let site = Site::from_config(&app.config());
    let last_modified = feeds::last_modified(&articles);
    let (body, content_type) = match format {
        Format::Rss => (feeds::rss(&site, &meta, &articles), RSS),
        Format::Atom => (feeds::atom(&site, &meta, &articles), ATOM),
        Format::Json => (feeds::json_feed(&site, &meta, &articles), JSON_FEED),
    };
    Ok(respond(app, body, content_type, last_modified, Some(&meta.self_path)))
}

fn main_meta(app: &App, self_path: &str) -> FeedMeta {
    FeedMeta {
        title: app.config().site.name.clone(),
        description: app.config().site.description.clone(),
        page_path: "/".into(),
        self_path: self_path.into(),
        language: app.language(),
    }
}

pub async fn rss(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    feed(&app, Listing::All, main_meta(&app, "/feed"), Format::Rss).await
}

pub async fn atom(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    feed(&app, Listing::All, main_meta(&app, "/feed/atom"), Format::Atom).await
}

pub async fn json(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    feed(&app, Listing::All, main_meta(&app, "/feed.json"), Format::Json).await
}

/// "Newsdesk – Thema: KI" and the like.
fn listing_meta(app: &App, heading: String, page_path: String) -> FeedMeta {
    FeedMeta {
        title: format!("{} – {heading}", app.config().site.name),
        description: heading,
        self_path: format!("{page_path}/feed"),
        page_path,
        language: app.language(),
    }
}

pub async fn tag_feed(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let Some((id, tag)) = queries::find_tag(&app.db, slug.as_str()).await? else {
        return label_moved(&app.db, Kind::Tag, slug.as_str(), "/feed").await;
    };
    let heading = app.i18n.text(app.language(), "tag-heading", &[("name", tag.name.into())]);
    let meta = listing_meta(&app, heading, format!("/tag/{}", tag.slug));
    feed(&app, Listing::Tag(id), meta, Format::Rss).await
}

pub async fn author_feed(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let Some((id, author, _, _)) = queries::find_author(&app.db, slug.as_str()).await? else {
        return label_moved(&app.db, Kind::Author, slug.as_str(), "/feed").await;
    };
    let heading = app.i18n.text(app.language(), "author-heading", &[("name", author.name.into())]);
    let meta = listing_meta(&app, heading, format!("/author/{}", author.slug));
    feed(&app, Listing::Author(id), meta, Format::Rss).await
}

pub async fn archive_feed(
    State(app): State<Arc<App>>,
    Path((year, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (y, m) = parse_month(&year, &month)?;
    let range = month_range(&app.time_zone(), y, m)?;
    let heading = app.i18n.text(
        app.language(),
        "archive-month-heading",
        &[("month", app.i18n.month_name(app.language(), m).into()), ("year", y.to_string().into())],
    );
    let meta = listing_meta(&app, heading, format!("/archive/{year}/{month}"));
    feed(&app, Listing::Between(range.0, range.1), meta, Format::Rss).await
}

/// `/news/{slug}/similar/feed`: articles published after this one that are similar to it.
pub async fn similar_feed(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let article = queries::find_live(&app.db, slug.as_str(), app.now()).await?.ok_or(AppError::NotFound)?;
    let similar =
        crate::search::related::load(&app.db, &app.search.similar_after(article.id, FEED_SIZE as usize)?).await?;
    let title = app.i18n.text(app.language(), "similar-feed-title", &[("title", article.title.clone().into())]);
    let meta = FeedMeta {
        title: format!("{} – {title}", app.config().site.name),
        description: title,
        page_path: format!("/news/{}", article.slug),
        self_path: format!("/news/{}/similar/feed", article.slug),
        language: app.language(),
    };
    let site = Site::from_config(&app.config());
    let body = feeds::rss(&site, &meta, &similar);
    Ok(respond(&app, body, RSS, feeds::last_modified(&similar), Some(&meta.self_path)))
}

/// The sitemap index: the listing pages' sitemap and one file per 2,000 articles.
pub async fn sitemap_index(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let (files, newest) = sitemaps::article_stats(&app.db, app.now()).await?;
    let mut entries = vec![
        Entry { path: "/sitemap-pages.xml".into(), lastmod: newest },
        Entry { path: "/sitemap-tags.xml".into(), lastmod: newest },
        Entry { path: "/sitemap-authors.xml".into(), lastmod: newest },
    ];
    // The newest material change is in the last file; older files change rarely.
    for n in 1..=files.max(1) {
        entries.push(Entry { path: format!("/sitemap-articles-{n}.xml"), lastmod: newest });
    }
    let body = sitemaps::index(&Site::from_config(&app.config()), &entries);
    Ok(respond(&app, body, XML, newest, None))
}

pub async fn sitemap_pages(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    urlset_response(&app, sitemaps::page_entries(&app.db, app.now()).await?)
}

pub async fn sitemap_tags(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    urlset_response(&app, sitemaps::listing_entries(&app.db, Listings::Tags, app.now()).await?)
}

pub async fn sitemap_authors(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    urlset_response(&app, sitemaps::listing_entries(&app.db, Listings::Authors, app.now()).await?)
}

fn urlset_response(app: &App, entries: Vec<Entry>) -> Result<Response, AppError> {
    let newest = entries.iter().filter_map(|e| e.lastmod).max();
    Ok(respond(app, sitemaps::urlset(&Site::from_config(&app.config()), &entries), XML, newest, None))
}

/// A file number from a name such as `sitemap-articles-3.xml`: digits only, 1 or more.
fn file_number(name: &str, prefix: &str) -> Option<i64> {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(".xml"))
        .filter(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n >= 1)
}

async fn article_sitemap(app: &App, number: i64) -> Result<Response, AppError> {
    let now = app.now();
    let (files, _) = sitemaps::article_stats(&app.db, now).await?;
    if number > files.max(1) {
        return Err(AppError::NotFound);
    }
    let entries = sitemaps::article_entries(&app.db, number, now).await?;
    let newest = entries.iter().filter_map(|e| e.lastmod).max();
    Ok(respond(app, sitemaps::urlset(&Site::from_config(&app.config()), &entries), XML, newest, None))
}

/// The Google News sitemap: one file while the last two days hold at most 1,000 articles,
/// otherwise an index over `/sitemap-news-{n}.xml`.
pub async fn news_sitemap(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let now = app.now();
    let site = Site::from_config(&app.config());
    let count = sitemaps::news_count(&app.db, now).await?;
    if count > sitemaps::NEWS_PER_FILE {
        let files = (count + sitemaps::NEWS_PER_FILE - 1) / sitemaps::NEWS_PER_FILE;
        let entries: Vec<Entry> =
            (1..=files).map(|n| Entry { path: format!("/sitemap-news-{n}.xml"), lastmod: None }).collect();
        return Ok(respond(&app, sitemaps::index(&site, &entries), XML, None, None));
    }
    news_file(&app, &site, 1, now).await
}

async fn numbered_news_sitemap(app: &App, number: i64) -> Result<Response, AppError> {
    let now = app.now();
    let count = sitemaps::news_count(&app.db, now).await?;
    if (number - 1) * sitemaps::NEWS_PER_FILE >= count.max(1) {
        return Err(AppError::NotFound);
    }
    news_file(app, &Site::from_config(&app.config()), number, now).await
}

async fn news_file(app: &App, site: &Site, page: i64, now: i64) -> Result<Response, AppError> {
    let entries = sitemaps::news_entries(&app.db, page, now).await?;
    let newest = entries.iter().map(|e| e.published_at).max();
    Ok(respond(app, sitemaps::news_urlset(site, &entries), XML, newest, None))
}

pub async fn robots(State(app): State<Arc<App>>) -> Response {
    let base = &app.config().site.base_url;
    let body = format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /go/\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

/// One-segment files at the root: numbered sitemaps (`/sitemap-articles-2.xml`,
/// `/sitemap-news-2.xml`) and the IndexNow key file `/{key}.txt`; anything else is 404.
pub async fn root_file(State(app): State<Arc<App>>, Path(file): Path<String>) -> Result<Response, AppError> {
    if let Some(n) = file_number(&file, "sitemap-articles-") {
        return article_sitemap(&app, n).await;
    }
    if let Some(n) = file_number(&file, "sitemap-news-") {
        return numbered_news_sitemap(&app, n).await;
    }
    let key = &app.config().discovery.indexnow_key;
    if key.is_empty() || file.strip_suffix(".txt") != Some(key.as_str()) {
        return Err(AppError::NotFound);
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], key.clone()).into_response())
}

/// Feeds of an article's tags, for its page's autodiscovery links.
pub fn article_feed_links(app: &App, article: &Article) -> Vec<FeedLink> {
    article
        .tags
        .iter()
        .map(|t| {
            let title = app.i18n.text(app.language(), "tag-heading", &[("name", t.name.clone().into())]);
            listing_feed_link(&format!("{} – {title}", app.config().site.name), &format!("/tag/{}", t.slug))
        })
        .collect()
}
