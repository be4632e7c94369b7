//! What an article is, and the checked input an article is made from.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;

use crate::config::Language;

pub const MAX_TITLE: usize = 200;
pub const MAX_LEAD: usize = 1_000;
pub const MAX_BODY: usize = 200_000;
pub const MAX_PLACES: usize = 5;
pub const MAX_PLACE: usize = 60;
pub const MAX_TAGS: usize = 12;
pub const MAX_AUTHORS: usize = 6;
pub const MAX_NAME: usize = 80;
pub const MAX_URL: usize = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Draft,
    Scheduled,
    Published,
    Unpublished,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Draft, Status::Scheduled, Status::Published, Status::Unpublished]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// How an article's body is written. Articles written here are Markdown; bodies imported
/// from WordPress or Ghost stay the HTML they were, sanitised, so that nothing in them is read
/// as Markdown a second time (a `<pre>` poem with blank lines, `&gt;` in the text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    #[default]
    Markdown,
    Html,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Markdown => "markdown",
            BodyFormat::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<BodyFormat> {
        [BodyFormat::Markdown, BodyFormat::Html].into_iter().find(|f| f.as_str() == s)
    }

    /// The body as readers see it: sanitised HTML.
    pub fn render(self, body: &str) -> String {
        match self {
            BodyFormat::Markdown => super::markdown::render(body),
            BodyFormat::Html => super::markdown::sanitize_html(body),
        }
    }

    /// The body's words without markup, for the search index and similarity.
    pub fn text(self, body: &str) -> std::borrow::Cow<'_, str> {
        match self {
            BodyFormat::Markdown => std::borrow::Cow::Borrowed(body),
            BodyFormat::Html => std::borrow::Cow::Owned(super::markdown::html_text(body)),
        }
    }
}

/// A URL path segment: lowercase ASCII letters, digits and single hyphens, at most 100 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 100;

    pub fn parse(s: &str) -> Result<Slug, ArticleError> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok { Ok(Slug(s.to_string())) } else { Err(ArticleError::InvalidSlug(s.chars().take(120).collect())) }
    }

    /// Makes a slug from a title or name: German letters are transliterated (ä→ae, ß→ss), other
    /// accented Latin letters lose their accent, and everything else becomes a hyphen. Returns
    /// `None` when nothing usable is left (a title of only punctuation, say).
    pub fn from_text(text: &str) -> Option<Slug> {
        let mut out = String::with_capacity(text.len());
        // Composed form first: "a" + combining diaeresis is "ä" and becomes "ae".
        for c in text.nfc().flat_map(char::to_lowercase) {
            match c {
                'a'..='z' | '0'..='9' => out.push(c),
                'ä' | 'æ' => out.push_str("ae"),
                'ö' | 'ø' | 'œ' => out.push_str("oe"),
                'ü' => out.push_str("ue"),
                'ß' => out.push_str("ss"),
                'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
                'ç' | 'č' | 'ć' => out.push('c'),
                'è' | 'é' | 'ê' | 'ë' | 'ě' => out.push('e'),
                'ì' | 'í' | 'î' | 'ï' => out.push('i'),
                'ñ' | 'ń' | 'ň' => out.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
                'ù' | 'ú' | 'û' | 'ů' => out.push('u'),
                'ý' | 'ÿ' => out.push('y'),
                'š' | 'ś' => out.push('s'),
                'ž' | 'ź' | 'ż' => out.push('z'),
                'ł' => out.push('l'),
                'ř' => out.push('r'),
                _ => {
                    if !out.ends_with('-') && !out.is_empty() {
                        out.push('-');
                    }
                }
            }
        }
        let mut slug = out.trim_matches('-').to_string();
        if slug.len() > 80 {
            // Cut at a word boundary so slugs stay readable.
            let cut = slug[..80].rfind('-').unwrap_or(80);
            slug.truncate(cut);
        }
        Slug::parse(&slug).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This slug with `-n` appended, for making a taken slug unique.
    pub fn with_suffix(&self, n: u32) -> Slug {
        let suffix = format!("-{n}");
        let mut base = self.0.clone();
        base.truncate(Self::MAX_LEN - suffix.len());
        Slug(format!("{}{suffix}", base.trim_end_matches('-')))
    }
}

impl TryFrom<String> for Slug {
    type Error = ArticleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hero {
    pub url: String,
    pub alt: String,
    pub credit: String,
}

/// What an editor or an import provides for an article, unchecked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub title: String,
    pub slug: Option<String>,
    pub places: Vec<String>,
    pub lead: String,
    pub body_md: String,
    #[serde(default)]
    pub body_format: BodyFormat,
    pub hero_url: Option<String>,
    pub hero_alt: Option<String>,
    pub hero_credit: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub status: Option<String>,
    /// Unix seconds; for scheduled articles the time they go live.
    pub published_at: Option<i64>,
}

/// A checked article input: every field within its limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleInput {
    pub title: String,
    pub slug: Option<Slug>,
    pub places: Vec<String>,
    pub lead: String,
    pub body_md: String,
    /// Revisions stored before bodies had a format are Markdown.
    #[serde(default)]
    pub body_format: BodyFormat,
    pub hero: Option<Hero>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub language: Language,
    pub status: Status,
    pub published_at: Option<i64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ArticleError {
    #[error("the title is empty")]
    EmptyTitle,
    #[error("{field} is too long: {len} characters, at most {max}")]
    TooLong { field: &'static str, len: usize, max: usize },
    #[error("too many {field}: {count}, at most {max}")]
    TooMany { field: &'static str, count: usize, max: usize },
    #[error("invalid slug {0:?}: use lowercase letters, digits and single hyphens")]
    InvalidSlug(String),
    #[error("the title gives no slug; set one explicitly")]
    NoSlug,
    #[error("another author is already this account")]
    AccountTaken,
    #[error("the slug {0:?} is taken by another article")]
    SlugTaken(String),
    #[error("an article needs at least one author")]
    NoAuthor,
    #[error("unknown language {0:?}: use de or en")]
    Language(String),
    #[error("unknown status {0:?}: use draft, scheduled, published or unpublished")]
    Status(String),
    #[error("a scheduled article needs a publication time")]
    ScheduleWithoutTime,
    #[error("hero image {0:?}: use a path on this site starting with / (pages load nothing from other hosts)")]
    HeroUrl(String),
    #[error("the hero image needs alt text")]
    HeroAlt,
    #[error("the article changed since it was loaded (version {expected} expected, {found} found)")]
    Conflict { expected: i64, found: i64 },
    #[error("no article with slug {0:?}")]
    NotFound(String),
}

/// The words of `text` that fit in `max` characters (for imported or generated text).
pub fn clip_words(text: &str, max: usize) -> String {
    let mut out = String::new();
    for word in text.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), ArticleError> {
    let len = value.chars().count();
    if len > max { Err(ArticleError::TooLong { field, len, max }) } else { Ok(()) }
}

fn clean_list(
    field: &'static str,
    items: &[String],
    max_count: usize,
    max_len: usize,
) -> Result<Vec<String>, ArticleError> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.split_whitespace().collect::<Vec<_>>().join(" ");
        if item.is_empty() || out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            continue;
        }
        check_len(field, &item, max_len)?;
        out.push(item);
    }
    if out.len() > max_count {
        return Err(ArticleError::TooMany { field, count: out.len(), max: max_count });
    }
    Ok(out)
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl ArticleInput {
    /// Whether readers can see an article in this state at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        match self.status {
            Status::Published => true,
            Status::Scheduled => self.published_at.is_some_and(|t| t <= now),
            _ => false,
        }
    }
}

impl ArticleDraft {
    /// Checks every field; `now` decides whether a published article with a future time is
    /// really scheduled.
    pub fn validate(&self, default_language: Language, now: i64) -> Result<ArticleInput, ArticleError> {
        let title = self.title.trim().to_string();
        if title.is_empty() {
            return Err(ArticleError::EmptyTitle);
        }
        check_len("title", &title, MAX_TITLE)?;
        let slug = match non_empty(&self.slug) {
            Some(s) => Some(Slug::parse(&s)?),
            None => {
                Slug::from_text(&title).ok_or(ArticleError::NoSlug)?;
                None
            }
        };
        let lead = self.lead.trim().to_string();
        check_len("lead", &lead, MAX_LEAD)?;
        check_len("body", &self.body_md, MAX_BODY)?;
        let places = clean_list("places", &self.places, MAX_PLACES, MAX_PLACE)?;
        let tags = clean_list("tags", &self.tags, MAX_TAGS, MAX_NAME)?;
        let authors = clean_list("authors", &self.authors, MAX_AUTHORS, MAX_NAME)?;
        if authors.is_empty() {
            return Err(ArticleError::NoAuthor);
        }
        let hero = match non_empty(&self.hero_url) {
            None => None,
            Some(url) => {
                check_len("hero image URL", &url, MAX_URL)?;
                if !crate::text::is_site_path(&url) {
                    return Err(ArticleError::HeroUrl(url));
                }
                let alt = non_empty(&self.hero_alt).ok_or(ArticleError::HeroAlt)?;
                check_len("hero alt text", &alt, MAX_LEAD)?;
                let credit = non_empty(&self.hero_credit).unwrap_or_default();
                check_len("hero credit", &credit, MAX_TITLE)?;
                Some(Hero { url, alt, credit })
            }
        };
        let language = match non_empty(&self.language) {
            None => default_language,
            Some(code) => Language::parse(&code).ok_or(ArticleError::Language(code))?,
        };
        let mut status = match non_empty(&self.status) {
            None => Status::Draft,
            Some(s) => Status::parse(&s).ok_or(ArticleError::Status(s))?,
        };
        let mut published_at = self.published_at;
        match status {
            Status::Scheduled if published_at.is_none() => {
                return Err(ArticleError::ScheduleWithoutTime);
            }
            Status::Published if published_at.is_some_and(|t| t > now) => status = Status::Scheduled,
            Status::Published if published_at.is_none() => published_at = Some(now),
            _ => {}
        }
        Ok(ArticleInput {
            title,
            slug,
            places,
            lead,
            body_md: self.body_md.clone(),
            body_format: self.body_format,
            hero,
            tags,
            authors,
            language,
            status,
            published_at,
        })
    }
}

/// A tag or author as shown next to an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub slug: String,
    pub name: String,
}

/// An article as stored, with its tags and authors in order.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub places: Vec<String>,
    pub lead: String,
    pub body_md: String,
    pub body_format: BodyFormat,
    pub body_html: String,
    pub hero: Option<Hero>,
    pub language: Language,
    pub status: Status,
    pub published_at: Option<i64>,
    /// Set when the title, lead or body changed after publication.
    pub updated_at: Option<i64>,
    pub created_at: i64,
    pub modified_at: i64,
    pub version: i64,
    pub tags: Vec<Label>,
    pub authors: Vec<Label>,
}

impl Article {
    /// Whether readers can see it at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        match self.status {
            Status::Published => true,
            Status::Scheduled => self.published_at.is_some_and(|t| t <= now),
            _ => false,
        }
    }

    /// The input that would recreate this article; revisions store it.
    pub fn to_input(&self) -> ArticleInput {
        ArticleInput {
            title: self.title.clone(),
            slug: Slug::parse(&self.slug).ok(),
            places: self.places.clone(),
            lead: self.lead.clone(),
            body_md: self.body_md.clone(),
            body_format: self.body_format,
            hero: self.hero.clone(),
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            authors: self.authors.iter().map(|a| a.name.clone()).collect(),
            language: self.language,
            status: self.status,
            published_at: self.published_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_transliterates_german_letters() {
        let slug = Slug::from_text("Größere Übersicht: Äpfel & Öl für 2026!").unwrap();
        assert_eq!(slug.as_str(), "groessere-uebersicht-aepfel-oel-fuer-2026");
        assert_eq!(Slug::from_text("Straße").unwrap().as_str(), "strasse");
        assert_eq!(Slug::from_text("Mu\u{308}nchen").unwrap().as_str(), "muenchen");
        assert_eq!(Slug::from_text("Café à Paris").unwrap().as_str(), "cafe-a-paris");
        assert!(Slug::from_text("?!…").is_none());
    }

    #[test]
    fn long_slug_is_cut_at_a_word() {
        let title = "Wort ".repeat(40);
        let slug = Slug::from_text(&title).unwrap();
        assert!(slug.as_str().len() <= 80);
        assert!(slug.as_str().ends_with("wort"));
    }

    #[test]
    fn slug_parse_refuses_bad_segments() {
        for bad in ["", "A", "a b", "-a", "a-", "a--b", "a/b", "ä"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Slug::parse("ki-2026").unwrap().with_suffix(2).as_str(), "ki-2026-2");
    }

    fn draft() -> ArticleDraft {
        ArticleDraft {
            title: "Titel".into(),
            lead: "Vorspann".into(),
            body_md: "Text".into(),
            authors: vec!["Ada".into()],
            ..Default::default()
        }
    }

    #[test]
    fn published_in_future_becomes_scheduled() {
        let mut d = draft();
        d.status = Some("published".into());
        d.published_at = Some(2_000);
        assert_eq!(d.validate(Language::De, 1_000).unwrap().status, Status::Scheduled);
        d.published_at = None;
        let input = d.validate(Language::De, 1_000).unwrap();
        assert_eq!((input.status, input.published_at), (Status::Published, Some(1_000)));
    }

    #[test]
    fn refuses_external_hero_and_missing_alt() {
        let mut d = draft();
        d.hero_url = Some("https://cdn.example.com/a.jpg".into());
        d.hero_alt = Some("Bild".into());
        assert!(matches!(d.validate(Language::De, 0), Err(ArticleError::HeroUrl(_))));
        d.hero_url = Some("/media/a.jpg".into());
        d.hero_alt = None;
        assert_eq!(d.validate(Language::De, 0), Err(ArticleError::HeroAlt));
    }

    #[test]
    fn refuses_hero_paths_that_browsers_read_as_other_hosts() {
        for url in ["//evil.example/p.gif", "/\\evil.example/p.gif", "/a b.png", "/a\tb.png"] {
            let mut d = draft();
            d.hero_url = Some(url.into());
            d.hero_alt = Some("Bild".into());
            assert!(matches!(d.validate(Language::De, 0), Err(ArticleError::HeroUrl(_))), "{url:?}");
        }
    }

    #[test]
    fn refuses_oversized_and_authorless() {
        let mut d = draft();
        d.title = "x".repeat(MAX_TITLE + 1);
        assert!(matches!(d.validate(Language::De, 0), Err(ArticleError::TooLong { field: "title", .. })));
        let mut d = draft();
        d.authors.clear();
        assert_eq!(d.validate(Language::De, 0), Err(ArticleError::NoAuthor));
    }
}
