//! The main feed and listing feeds as RSS 2.0, Atom 1.0 and JSON Feed 1.1: full content, the
//! lead as summary, authors, tags as categories, the hero image, and ids that never change.

use std::fmt::Write as _;

use serde_json::json;

use super::{Site, rfc3339, xml_escape as x};
use crate::articles::model::Article;
use crate::clock::http_date;
use crate::config::Language;

/// How many of the newest articles a feed carries.
pub const FEED_SIZE: u32 = 50;

/// What a feed is about.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub title: String,
    pub description: String,
    /// The page the feed mirrors, as a site path ("/", "/tag/ki").
    pub page_path: String,
    /// The feed's own path ("/feed", "/tag/ki/feed").
    pub self_path: String,
    pub language: Language,
}

/// The time a feed last changed: the newest publication or edit among its articles.
pub fn last_modified(articles: &[Article]) -> Option<i64> {
    articles.iter().map(|a| a.modified_at.max(a.published_at.unwrap_or(0))).max()
}

/// When an article last changed materially (title, lead, body), else when it was published.
fn updated(article: &Article) -> i64 {
    article.updated_at.or(article.published_at).unwrap_or(article.modified_at)
}

/// The HTML content of an article for feed readers: dateline and lead, hero image, body, with
/// every link absolute.
fn content_html(site: &Site, article: &Article) -> String {
    let mut html = String::with_capacity(article.body_html.len() + 512);
    html.push_str("<p>");
    if !article.places.is_empty() {
        let _ = write!(html, "<strong>{} ({}) – </strong>", x(&article.places.join("/")), x(&site.name));
    }
    let _ = write!(html, "{}</p>", x(&article.lead));
    if let Some(hero) = &article.hero {
        let _ = write!(
            html,
            "<figure><img src=\"{}\" alt=\"{}\">",
            x(&site.absolute(&crate::media::variant_of(&hero.url, "feed"))),
            x(&hero.alt)
        );
        if !hero.credit.is_empty() {
            let _ = write!(html, "<figcaption>{}</figcaption>", x(&hero.credit));
        }
        html.push_str("</figure>");
    }
    html.push_str(&site.absolutize_html(&article.body_html));
    html
}

fn image_type(url: &str) -> &'static str {
    match url.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => "image/jpeg",
    }
}

pub fn rss(site: &Site, meta: &FeedMeta, articles: &[Article]) -> String {
    let mut out = String::with_capacity(4096 + articles.len() * 4096);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n",
    );
    let _ = writeln!(out, "<title>{}</title>", x(&meta.title));
    let _ = writeln!(out, "<link>{}</link>", x(&site.absolute(&meta.page_path)));
    let _ = writeln!(out, "<description>{}</description>", x(&meta.description));
    let _ = writeln!(out, "<language>{}</language>", meta.language.code());
    let _ = writeln!(out, "<generator>Newsdesk</generator>");
    let _ = writeln!(
        out,
        "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>",
        x(&site.absolute(&meta.self_path))
    );
    if let Some(hub) = &site.hub {
        let _ = writeln!(out, "<atom:link rel=\"hub\" href=\"{}\"/>", x(hub));
    }
    if let Some(ts) = last_modified(articles) {
        let _ = writeln!(out, "<lastBuildDate>{}</lastBuildDate>", http_date(ts));
    }
    let _ = writeln!(
        out,
        "<image><url>{}</url><title>{}</title><link>{}</link></image>",
        x(&site.logo_url),
        x(&meta.title),
        x(&site.absolute(&meta.page_path))
    );
    for article in articles {
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", x(&article.title));
        let _ = writeln!(out, "<link>{}</link>", x(&site.article_url(article)));
        let _ = writeln!(out, "<guid isPermaLink=\"false\">{}</guid>", x(&site.article_id(article)));
        if let Some(published) = article.published_at {
            let _ = writeln!(out, "<pubDate>{}</pubDate>", http_date(published));
        }
        let _ = writeln!(out, "<description>{}</description>", x(&article.lead));
        let _ = writeln!(out, "<content:encoded>{}</content:encoded>", x(&content_html(site, article)));
        for author in &article.authors {
            let _ = writeln!(out, "<dc:creator>{}</dc:creator>", x(&author.name));
        }
        for tag in &article.tags {
            let _ = writeln!(out, "<category>{}</category>", x(&tag.name));
        }
        if let Some(hero) = &article.hero {
            let url = site.absolute(&crate::media::variant_of(&hero.url, "feed"));
            let _ = writeln!(
                out,
                "<media:content url=\"{}\" medium=\"image\" type=\"{}\"><media:description type=\"plain\">{}</media:description>{}</media:content>",
                x(&url),
                image_type(&url),
                x(&hero.alt),
                if hero.credit.is_empty() {
                    String::new()
                } else {
                    format!("<media:credit>{}</media:credit>", x(&hero.credit))
                }
            );
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

pub fn atom(site: &Site, meta: &FeedMeta, articles: &[Article]) -> String {
    let mut out = String::with_capacity(4096 + articles.len() * 4096);
    let _ = writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        meta.language.code()
    );
    let self_url = site.absolute(&meta.self_path);
    let _ = writeln!(out, "<id>{}</id>", x(&self_url));
    let _ = writeln!(out, "<title type=\"text\">{}</title>", x(&meta.title));
    let _ = writeln!(out, "<subtitle type=\"text\">{}</subtitle>", x(&meta.description));
    let _ =
        writeln!(out, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", x(&site.absolute(&meta.page_path)));
    let _ = writeln!(out, "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>", x(&self_url));
    if let Some(hub) = &site.hub {
        let _ = writeln!(out, "<link rel=\"hub\" href=\"{}\"/>", x(hub));
    }
    let feed_updated = articles.iter().map(updated).max().unwrap_or(0);
    let _ = writeln!(out, "<updated>{}</updated>", rfc3339(feed_updated));
    // Atom wants an author for every entry; the publication stands in where none is named.
    let _ = writeln!(out, "<author><name>{}</name><uri>{}</uri></author>", x(&site.name), x(&site.base_url));
    let _ = writeln!(out, "<generator>Newsdesk</generator>");
    let _ = writeln!(out, "<logo>{}</logo>", x(&site.logo_url));
    for article in articles {
        let _ = writeln!(out, "<entry xml:lang=\"{}\">", article.language.code());
        let _ = writeln!(out, "<id>{}</id>", x(&site.article_id(article)));
        let _ = writeln!(out, "<title type=\"text\">{}</title>", x(&article.title));
        let _ =
            writeln!(out, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", x(&site.article_url(article)));
        if let Some(published) = article.published_at {
            let _ = writeln!(out, "<published>{}</published>", rfc3339(published));
        }
        let _ = writeln!(out, "<updated>{}</updated>", rfc3339(updated(article)));
        for author in &article.authors {
            let _ = writeln!(
                out,
                "<author><name>{}</name><uri>{}</uri></author>",
                x(&author.name),
                x(&site.absolute(&format!("/author/{}", author.slug)))
            );
        }
        for tag in &article.tags {
            let _ = writeln!(
                out,
                "<category term=\"{}\" label=\"{}\" scheme=\"{}\"/>",
                x(&tag.slug),
                x(&tag.name),
                x(&site.absolute("/tag/"))
            );
        }
        let _ = writeln!(out, "<summary type=\"text\">{}</summary>", x(&article.lead));
        let _ = writeln!(out, "<content type=\"html\">{}</content>", x(&content_html(site, article)));
        if let Some(hero) = &article.hero {
            let url = site.absolute(&crate::media::variant_of(&hero.url, "feed"));
            let _ = writeln!(
                out,
                "<link rel=\"enclosure\" type=\"{}\" href=\"{}\" title=\"{}\"/>",
                image_type(&url),
                x(&url),
                x(&hero.alt)
            );
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

pub fn json_feed(site: &Site, meta: &FeedMeta, articles: &[Article]) -> String {
    let items: Vec<serde_json::Value> = articles
        .iter()
        .map(|article| {
            let mut item = json!({
                "id": site.article_id(article),
                "url": site.article_url(article),
                "title": article.title,
                "content_html": content_html(site, article),
                "summary": article.lead,
                "date_modified": rfc3339(updated(article)),
                "authors": article.authors.iter().map(|a| json!({
                    "name": a.name,
                    "url": site.absolute(&format!("/author/{}", a.slug)),
                })).collect::<Vec<_>>(),
                "tags": article.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                "language": article.language.code(),
            });
            if let Some(published) = article.published_at {
                item["date_published"] = json!(rfc3339(published));
            }
            if let Some(hero) = &article.hero {
                item["image"] = json!(site.absolute(&crate::media::variant_of(&hero.url, "feed")));
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "home_page_url": site.absolute(&meta.page_path),
        "feed_url": site.absolute(&meta.self_path),
        "description": meta.description,
        "language": meta.language.code(),
        "icon": site.logo_url,
        "authors": [{ "name": site.name, "url": site.base_url }],
        "items": items,
    });
    if let Some(hub) = &site.hub {
        feed["hubs"] = json!([{ "type": "WebSub", "url": hub }]);
    }
    serde_json::to_string_pretty(&feed).expect("a JSON value serialises")
}

/// The feeds a page names in `<link rel="alternate">`: the main feeds, plus `extra`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedLink {
    pub href: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

pub fn main_feed_links(site_name: &str) -> Vec<FeedLink> {
    vec![
        FeedLink { href: "/feed".into(), title: format!("{site_name} (RSS)"), kind: "application/rss+xml" },
        FeedLink { href: "/feed/atom".into(), title: format!("{site_name} (Atom)"), kind: "application/atom+xml" },
        FeedLink {
            href: "/feed.json".into(),
            title: format!("{site_name} (JSON Feed)"),
            kind: "application/feed+json",
        },
    ]
}

/// The RSS feed of a listing page, for its autodiscovery link.
pub fn listing_feed_link(title: &str, page_path: &str) -> FeedLink {
    FeedLink { href: format!("{page_path}/feed"), title: title.to_string(), kind: "application/rss+xml" }
}
