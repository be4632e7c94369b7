//! Markdown files with TOML front matter (between `+++` lines) as articles, and the demo
//! publication built from such files.
//!
//! ```text
//! +++
//! title = "Schlagzeile"
//! slug = "optional-explicit-slug"
//! places = ["Berlin"]
//! lead = "Vorspann"
//! tags = ["KI"]
//! authors = ["Name"]
//! language = "de"                       # default: the site's language
//! status = "published"                  # draft, scheduled, published, unpublished; default published
//! published_at = "2026-11-03T08:15:00Z" # RFC 3339 or a TOML date-time
//! hero_image = "/static/demo/01.svg"
//! hero_alt = "..."
//! hero_credit = "..."
//! format = "markdown"                   # or "html": the body is HTML, sanitised when shown
//! +++
//! Markdown body
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{ArticleDraft, ArticleError, BodyFormat};
use super::queries::{self, SaveError};
use crate::config::Language;
use crate::db::Db;

/// The largest file `article import` reads.
const MAX_FILE: u64 = 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    slug: Option<String>,
    #[serde(default)]
    places: Vec<String>,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    language: Option<String>,
    status: Option<String>,
    published_at: Option<toml::Value>,
    hero_image: Option<String>,
    hero_alt: Option<String>,
    hero_credit: Option<String>,
    #[serde(default)]
    format: BodyFormat,
}

/// Why a file named on the command line was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    #[error("not a regular file (a folder, device, FIFO or socket): give a plain file")]
    NotAFile,
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
}

/// Opens a regular file for reading and refuses anything else. The type is checked before the
/// file is opened, because opening a FIFO waits for a writer, and again on the open file, in
/// case the path was swapped in between. Devices such as `/dev/zero` and FIFOs also report a
/// length of 0, so only a regular file's length can be trusted for a size check.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, u64), FileError> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(FileError::NotAFile);
    }
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(FileError::NotAFile);
    }
    Ok((file, metadata.len()))
}

/// Reads a regular file of at most `limit` bytes. At most `limit + 1` bytes are read whatever
/// the file claims, so a file that grows while it is read is refused rather than followed.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    use std::io::Read as _;
    let (file, len) = open_regular(path)?;
    if len > limit {
        return Err(FileError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge(limit));
    }
    Ok(bytes)
}

/// [`read_limited`] for a text file.
pub fn read_limited_text(path: &Path, limit: u64) -> Result<String, FileError> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|e| FileError::Read(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    #[error(transparent)]
    File(#[from] FileError),
    #[error("the file does not start with a +++ front matter block")]
    NoFrontMatter,
    #[error("the front matter block is not closed with +++")]
    Unclosed,
    #[error("bad front matter: {0}")]
    FrontMatter(String),
    #[error("the file holds a NUL character (U+0000), which no article may contain")]
    Nul,
    #[error("published_at {0:?} is not an RFC 3339 time such as 2026-11-03T08:15:00Z")]
    Time(String),
    #[error("an article with slug {0:?} exists already")]
    Exists(String),
    #[error(transparent)]
    Invalid(#[from] ArticleError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<SaveError> for ImportError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Invalid(e) => ImportError::Invalid(e),
            SaveError::Db(e) => ImportError::Db(e),
        }
    }
}

/// Parses one file's text into an article draft. Articles without a status are published.
pub fn parse(text: &str) -> Result<ArticleDraft, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("+++\n").or_else(|| text.strip_prefix("+++\r\n")).ok_or(ImportError::NoFrontMatter)?;
    // The block ends at the first line that is `+++` alone, so that a line of a multi-line value
    // that merely starts with it ("+++ Eilmeldung +++") does not cut the block short.
    let (end, after) = rest
        .split_inclusive('\n')
        .scan(0, |start, line| {
            let at = *start;
            *start += line.len();
            Some((at, *start, line))
        })
        .find(|(_, _, line)| line.trim_end() == "+++")
        .map(|(at, after, _)| (at, after))
        .ok_or(ImportError::Unclosed)?;
    let front: FrontMatter =
        toml::from_str(&rest[..end]).map_err(|e| ImportError::FrontMatter(e.to_string().trim_end().to_string()))?;
    let body = rest[after..].trim_start_matches(['\r', '\n']).to_string();
    let published_at = match front.published_at {
        None => None,
        Some(value) => {
            let raw = match &value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string(),
            };
            let ts: jiff::Timestamp = raw.parse().map_err(|_| ImportError::Time(raw.clone()))?;
            Some(ts.as_second())
        }
    };
    let draft = ArticleDraft {
        title: front.title,
        slug: front.slug,
        places: front.places,
        lead: front.lead,
        body_md: body,
        body_format: front.format,
        hero_url: front.hero_image,
        hero_alt: front.hero_alt,
        hero_credit: front.hero_credit,
        tags: front.tags,
        authors: front.authors,
        language: front.language,
        status: Some(front.status.unwrap_or_else(|| "published".into())),
        published_at,
    };
    // PostgreSQL cannot store U+0000 in text: refused here, whether it came as a byte or as a
    // TOML escape, rather than as a database error on one backend only.
    let optional = [&draft.slug, &draft.hero_url, &draft.hero_alt, &draft.hero_credit, &draft.language, &draft.status];
    let nul = [&draft.title, &draft.lead, &draft.body_md]
        .into_iter()
        .chain(optional.into_iter().flatten())
        .chain(draft.places.iter().chain(&draft.tags).chain(&draft.authors))
        .any(|text| text.contains('\0'));
    if nul { Err(ImportError::Nul) } else { Ok(draft) }
}

/// Imports one parsed draft. A draft whose explicit slug exists is refused rather than
/// overwritten, so importing the same files twice adds nothing.
pub async fn import_draft(db: &Db, draft: &ArticleDraft, language: Language, now: i64) -> Result<String, ImportError> {
    let input = draft.validate(language, now)?;
    if let Some(slug) = &input.slug
        && queries::find_by_slug(db, slug.as_str()).await?.is_some()
    {
        return Err(ImportError::Exists(slug.to_string()));
    }
    Ok(queries::create(db, &input, now).await?.slug)
}

/// What happened to each file of an import.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: Vec<(PathBuf, String)>,
    pub failed: Vec<(PathBuf, ImportError)>,
}

/// Imports each file on its own: a bad file is reported with its path and leaves nothing behind,
/// while the others still import. Folders are read for their `.md` files.
pub async fn import_paths(db: &Db, paths: &[PathBuf], language: Language, now: i64) -> ImportReport {
    let mut report = ImportReport::default();
    for path in expand(paths, &mut report) {
        match import_file(db, &path, language, now).await {
            Ok(slug) => report.imported.push((path, slug)),
            Err(e) => report.failed.push((path, e)),
        }
    }
    report
}

fn expand(paths: &[PathBuf], report: &mut ImportReport) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "md"))
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => report.failed.push((path.clone(), ImportError::Read(e))),
            }
        } else {
            files.push(path.clone());
        }
    }
    files
}

async fn import_file(db: &Db, path: &Path, language: Language, now: i64) -> Result<String, ImportError> {
    let text = read_limited_text(path, MAX_FILE)?;
    let draft = parse(&text)?;
    import_draft(db, &draft, language, now).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAuthors {
    author: Vec<DemoAuthor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAuthor {
    name: String,
    slug: String,
    bio: String,
}

/// Adds the demo publication to an empty database; does nothing when any article exists.
/// Publication times are shifted by whole days so the newest demo article appeared within the
/// last day, keeping their order and spacing, so the demo always looks current.
pub async fn load_demo(db: &Db, language: Language, now: i64) -> anyhow::Result<usize> {
    if queries::count(db).await? > 0 {
        tracing::info!("the database has articles; demo content not added");
        return Ok(0);
    }
    let files = crate::embedded::DEMO;
    let authors =
        crate::embedded::find(files, "authors.toml").ok_or_else(|| anyhow::anyhow!("demo authors missing"))?;
    let authors: DemoAuthors = toml::from_str(std::str::from_utf8(authors)?)?;
    for author in &authors.author {
        queries::upsert_author(db, &author.name, Some(&author.slug), &author.bio).await?;
    }
    let mut drafts = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("articles/")) {
        let draft = parse(std::str::from_utf8(bytes)?).map_err(|e| anyhow::anyhow!("demo {path}: {e}"))?;
        drafts.push(draft);
    }
    // Whole days, so each article keeps the time of day it was written for.
    let newest = drafts.iter().filter_map(|d| d.published_at).max().unwrap_or(now);
    let shift = (now - newest).div_euclid(86_400) * 86_400;
    for draft in &mut drafts {
        draft.published_at = draft.published_at.map(|t| t + shift);
        import_draft(db, draft, language, now).await?;
    }
    load_demo_jobs(db, now).await?;
    load_demo_pages(db, now).await?;
    tracing::info!(articles = drafts.len(), "added the demo publication");
    Ok(drafts.len())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoJobs {
    job: Vec<DemoJob>,
    promotion: Vec<DemoPromotion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoJob {
    title: String,
    employer: String,
    location: String,
    workplace: String,
    kind: String,
    apply_url: String,
    posted_days_ago: i64,
    runs_days: i64,
    description: String,
    #[serde(default)]
    sponsored: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPromotion {
    kind: String,
    title: String,
    text: String,
    url: String,
    slot: String,
    position: i64,
    sponsored: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPages {
    page: Vec<DemoPage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPage {
    slug: String,
    title: String,
    #[serde(default)]
    role: String,
    body: String,
}

/// The demo's own pages: Impressum, privacy notice, about us (`demo/pages.toml`).
async fn load_demo_pages(db: &Db, now: i64) -> anyhow::Result<()> {
    let text = crate::embedded::find(crate::embedded::DEMO, "pages.toml")
        .ok_or_else(|| anyhow::anyhow!("demo pages missing"))?;
    let demo: DemoPages = toml::from_str(std::str::from_utf8(text)?)?;
    for page in demo.page {
        let input = crate::pages::PageInput::parse(&page.slug, &page.title, &page.body, &page.role, true)
            .map_err(|e| anyhow::anyhow!("demo page {}: {e}", page.slug))?;
        match crate::pages::save(db, None, &input, None, now).await? {
            crate::pages::Saved::Page(_) => {}
            other => anyhow::bail!("demo page {}: {other:?}", page.slug),
        }
    }
    Ok(())
}

/// The demo's job listings and promotions (`demo/jobs.toml`).
async fn load_demo_jobs(db: &Db, now: i64) -> anyhow::Result<()> {
    let text = crate::embedded::find(crate::embedded::DEMO, "jobs.toml")
        .ok_or_else(|| anyhow::anyhow!("demo jobs missing"))?;
    let demo: DemoJobs = toml::from_str(std::str::from_utf8(text)?)?;
    for job in demo.job {
        let posted = now - job.posted_days_ago * 86_400;
        let draft = crate::jobs::model::JobDraft {
            title: job.title,
            employer: job.employer,
            location: job.location,
            workplace: job.workplace,
            kind: job.kind,
            description_md: job.description,
            apply_url: job.apply_url,
            posted_at: Some(posted),
            expires_at: Some(posted + job.runs_days * 86_400),
            sponsored: job.sponsored,
        };
        let input = draft.validate(now, 30).map_err(|e| anyhow::anyhow!("demo job: {e}"))?;
        crate::jobs::queries::create(db, &input, None, now).await?;
    }
    for p in demo.promotion {
        let input = crate::promos::PromotionInput::parse(
            &p.kind,
            &p.title,
            &p.text,
            &p.url,
            "",
            &p.slot,
            p.position,
            p.sponsored,
            None,
            None,
        )
        .map_err(|e| anyhow::anyhow!("demo promotion: {e}"))?;
        crate::promos::save(db, None, &input, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter_and_body() {
        let draft = parse(
            "+++\ntitle = \"Hallo\"\nplaces = [\"Berlin\"]\nauthors = [\"A\"]\npublished_at = 2026-11-03T08:15:00Z\n+++\n\nText\n",
        )
        .unwrap();
        assert_eq!(draft.title, "Hallo");
        assert_eq!(draft.places, ["Berlin"]);
        assert_eq!(draft.body_md, "Text\n");
        assert_eq!(draft.published_at, Some(1_793_693_700));
        assert_eq!(draft.status.as_deref(), Some("published"));
    }

    #[test]
    fn only_a_line_of_plus_signs_alone_closes_the_block() {
        // Found by tests/it/fuzz.rs: a multi-line lead with a ticker line ended the block there.
        let draft =
            parse("+++\ntitle = \"T\"\nlead = \"\"\"Neu:\n+++ Eilmeldung +++\"\"\"\n+++  \r\n\nText +++\n").unwrap();
        assert_eq!(draft.lead, "Neu:\n+++ Eilmeldung +++");
        assert_eq!(draft.body_md, "Text +++\n");
    }

    #[test]
    fn refuses_bad_front_matter() {
        assert!(matches!(parse("# kein Front Matter"), Err(ImportError::NoFrontMatter)));
        assert!(matches!(parse("+++\ntitle = \"x\"\n"), Err(ImportError::Unclosed)));
        assert!(matches!(parse("+++\ntitle = \n+++\n"), Err(ImportError::FrontMatter(_))));
        assert!(matches!(parse("+++\ntitle = \"x\"\nfoo = 1\n+++\n"), Err(ImportError::FrontMatter(_))));
        assert!(matches!(parse("+++\ntitle = \"x\"\npublished_at = \"gestern\"\n+++\n"), Err(ImportError::Time(_))));
        assert!(matches!(parse("+++\ntitle = \"a\\u0000b\"\n+++\n"), Err(ImportError::Nul)));
        assert!(matches!(parse("+++\ntitle = \"x\"\n+++\nText\0"), Err(ImportError::Nul)));
    }

    #[test]
    fn every_demo_file_parses_and_validates() {
        let articles: Vec<_> = crate::embedded::DEMO.iter().filter(|(p, _)| p.starts_with("articles/")).collect();
        assert!(articles.len() >= 12);
        for (path, bytes) in articles {
            let draft = parse(std::str::from_utf8(bytes).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"));
            draft.validate(Language::De, i64::MAX).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
}
