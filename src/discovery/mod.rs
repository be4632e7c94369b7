//! Syndication and discovery: RSS, Atom and JSON Feed, sitemaps and the Google News sitemap,
//! robots.txt, structured data (JSON-LD, Open Graph), and the WebSub and IndexNow pings that
//! tell hubs and search engines about a change within minutes.

pub mod feeds;
pub mod handlers;
pub mod pings;
pub mod sitemaps;
pub mod structured;

use std::borrow::Cow;

use crate::articles::model::Article;
use crate::config::Config;

/// What every feed, sitemap and structured-data block needs to know about the site.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub description: String,
    /// Without a trailing slash.
    pub base_url: String,
    /// The host part of `base_url`, for tag URIs.
    pub host: String,
    pub logo_url: String,
    pub hub: Option<String>,
}

impl Site {
    pub fn from_config(config: &Config) -> Site {
        let base_url = config.site.base_url.clone();
        let host = base_url
            .split("://")
            .nth(1)
            .unwrap_or(&base_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("localhost")
            .to_string();
        let site = Site {
            name: config.site.name.clone(),
            description: config.site.description.clone(),
            host,
            logo_url: String::new(),
            hub: Some(config.discovery.websub_hub.clone()).filter(|h| !h.is_empty()),
            base_url,
        };
        Site { logo_url: site.absolute(&config.site.logo_url), ..site }
    }

    /// An absolute URL for a path on this site; absolute URLs are returned as they are.
    pub fn absolute(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            format!("{}{}", self.base_url, path_or_url)
        }
    }

    pub fn article_url(&self, article: &Article) -> String {
        format!("{}/news/{}", self.base_url, article.slug)
    }

    /// A permanent id for an article (RFC 4151 tag URI): it never changes when the article is
    /// edited or its slug renamed, so feed readers never see an edit as a new article.
    pub fn article_id(&self, article: &Article) -> String {
        let year = jiff::Timestamp::from_second(article.created_at)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).year())
            .unwrap_or(2026);
        format!("tag:{},{year}:article:{}", self.host, article.id)
    }

    /// Makes the site-relative links and images of rendered HTML absolute, as feed readers
    /// show content outside the site.
    pub fn absolutize_html<'a>(&self, html: &'a str) -> Cow<'a, str> {
        if !html.contains("=\"/") {
            return Cow::Borrowed(html);
        }
        let mut out = String::with_capacity(html.len() + 256);
        let mut rest = html;
        while let Some(at) = rest.find("=\"/") {
            let (before, after) = rest.split_at(at + 2);
            out.push_str(before);
            // `//host` is already absolute (protocol-relative); leave it.
            if !after.starts_with("//") {
                out.push_str(&self.base_url);
            }
            rest = after;
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// Removes characters XML 1.0 does not allow (most control characters), then escapes markup
/// as for HTML.
pub fn xml_escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_xml_invalid) {
        return crate::text::escape_html(text);
    }
    let valid: String = text.chars().filter(|c| !is_xml_invalid(*c)).collect();
    Cow::Owned(crate::text::escape_html(&valid).into_owned())
}

fn is_xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// A Unix time as RFC 3339 in UTC: `2026-11-03T08:15:00Z`.
pub fn rfc3339(ts: i64) -> String {
    jiff::Timestamp::from_second(ts).map(|t| t.to_string()).unwrap_or_default()
}

/// The site paths whose content changes when an article changes: its page and the feeds that
/// list it. Pings use them.
pub fn affected_paths(article: &crate::changes::ArticleState) -> (Vec<String>, Vec<String>) {
    let pages = vec![format!("/news/{}", article.slug)];
    let mut feeds = vec!["/feed".to_string(), "/feed/atom".to_string(), "/feed.json".to_string()];
    feeds.extend(article.tags.iter().map(|t| format!("/tag/{t}/feed")));
    feeds.extend(article.authors.iter().map(|a| format!("/author/{a}/feed")));
    (pages, feeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(xml_escape("KI & <Ethik> \"zitiert\" \u{1}ok"), "KI &amp; &lt;Ethik&gt; &quot;zitiert&quot; ok");
        assert_eq!(xml_escape("it's"), "it&#39;s");
        assert!(matches!(xml_escape("Größe"), Cow::Borrowed(_)));
    }

    #[test]
    fn makes_site_links_absolute() {
        let mut config = Config::default();
        config.site.base_url = "https://news.example".into();
        let site = Site::from_config(&config);
        assert_eq!(site.host, "news.example");
        assert_eq!(
            site.absolutize_html(r#"<a href="/news/a">a</a> <img src="/m.png"> <a href="//x.example/">x</a>"#),
            r#"<a href="https://news.example/news/a">a</a> <img src="https://news.example/m.png"> <a href="//x.example/">x</a>"#
        );
        assert_eq!(site.logo_url, "https://news.example/static/logo.svg");
    }
}
