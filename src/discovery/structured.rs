//! Structured data for search engines and social networks: schema.org JSON-LD (NewsArticle and
//! BreadcrumbList on articles, WebSite and Organization on home), Open Graph and Twitter cards.

use serde::Serialize;
use serde_json::json;

use super::{Site, rfc3339};
use crate::articles::model::Article;
use crate::config::Language;

/// A `<meta>` tag: `property` for Open Graph, `name` for Twitter.
#[derive(Debug, Clone, Serialize)]
pub struct MetaTag {
    pub attribute: &'static str,
    pub key: &'static str,
    pub content: String,
}

fn meta(attribute: &'static str, key: &'static str, content: impl Into<String>) -> MetaTag {
    MetaTag { attribute, key, content: content.into() }
}

/// JSON for a `<script type="application/ld+json">` block: `<` is escaped so no text in the
/// data can close the element.
pub fn script_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value).expect("a JSON value serialises").replace('<', "\\u003c")
}

fn organization(site: &Site) -> serde_json::Value {
    json!({
        "@type": "NewsMediaOrganization",
        "name": site.name,
        "url": format!("{}/", site.base_url),
        "logo": { "@type": "ImageObject", "url": site.logo_url },
    })
}

fn locale(language: Language) -> &'static str {
    match language {
        Language::De => "de_DE",
        Language::En => "en_US",
    }
}

/// JSON-LD for an article page: NewsArticle and a BreadcrumbList (home, first tag, article).
pub fn article_json_ld(site: &Site, article: &Article) -> String {
    let url = site.article_url(article);
    let published = article.published_at.map(rfc3339);
    let modified = rfc3339(article.updated_at.or(article.published_at).unwrap_or(article.modified_at));
    let mut news = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "datePublished": published,
        "dateModified": modified,
        "inLanguage": article.language.code(),
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "url": url,
        "author": article.authors.iter().map(|a| json!({
            "@type": "Person",
            "name": a.name,
            "url": site.absolute(&format!("/author/{}", a.slug)),
        })).collect::<Vec<_>>(),
        "publisher": organization(site),
        "keywords": article.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
    });
    if let Some(hero) = &article.hero {
        news["image"] = json!([site.absolute(&hero.url)]);
    }
    if !article.places.is_empty() {
        news["dateline"] = json!(article.places.join("/"));
    }
    let mut crumbs =
        vec![json!({ "@type": "ListItem", "position": 1, "name": site.name, "item": format!("{}/", site.base_url) })];
    if let Some(tag) = article.tags.first() {
        crumbs.push(json!({
            "@type": "ListItem", "position": 2, "name": tag.name,
            "item": site.absolute(&format!("/tag/{}", tag.slug)),
        }));
    }
    crumbs.push(json!({ "@type": "ListItem", "position": crumbs.len() + 1, "name": article.title, "item": url }));
    let breadcrumbs = json!({ "@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": crumbs });
    script_json(&json!([news, breadcrumbs]))
}

/// JSON-LD for the home page: the WebSite and the Organization behind it.
pub fn home_json_ld(site: &Site, language: Language) -> String {
    let mut org = organization(site);
    org["@context"] = json!("https://schema.org");
    let website = json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.name,
        "description": site.description,
        "url": format!("{}/", site.base_url),
        "inLanguage": language.code(),
        "publisher": { "@type": "NewsMediaOrganization", "name": site.name },
    });
    script_json(&json!([website, org]))
}

/// Open Graph and Twitter card tags for an article.
pub fn article_meta(site: &Site, article: &Article) -> Vec<MetaTag> {
    let mut tags = vec![
        meta("property", "og:type", "article"),
        meta("property", "og:site_name", site.name.clone()),
        meta("property", "og:title", article.title.clone()),
        meta("property", "og:description", article.lead.clone()),
        meta("property", "og:url", site.article_url(article)),
        meta("property", "og:locale", locale(article.language)),
    ];
    if let Some(published) = article.published_at {
        tags.push(meta("property", "article:published_time", rfc3339(published)));
    }
    if let Some(updated) = article.updated_at {
        tags.push(meta("property", "article:modified_time", rfc3339(updated)));
    }
    for tag in &article.tags {
        tags.push(meta("property", "article:tag", tag.name.clone()));
    }
    match &article.hero {
        Some(hero) => {
            // Social cards get the 1200 × 630 crop of a library picture.
            let card = site.absolute(&crate::media::variant_of(&hero.url, "card"));
            tags.push(meta("property", "og:image", card.clone()));
            tags.push(meta("property", "og:image:alt", hero.alt.clone()));
            tags.push(meta("name", "twitter:card", "summary_large_image"));
            tags.push(meta("name", "twitter:image", card));
            tags.push(meta("name", "twitter:image:alt", hero.alt.clone()));
        }
        None => tags.push(meta("name", "twitter:card", "summary")),
    }
    tags.push(meta("name", "twitter:title", article.title.clone()));
    tags.push(meta("name", "twitter:description", article.lead.clone()));
    tags
}

/// Open Graph tags for the home page.
pub fn home_meta(site: &Site, language: Language) -> Vec<MetaTag> {
    vec![
        meta("property", "og:type", "website"),
        meta("property", "og:site_name", site.name.clone()),
        meta("property", "og:title", site.name.clone()),
        meta("property", "og:description", site.description.clone()),
        meta("property", "og:url", format!("{}/", site.base_url)),
        meta("property", "og:locale", locale(language)),
        meta("property", "og:image", site.logo_url.clone()),
        meta("name", "twitter:card", "summary"),
    ]
}
