//! The site's own pages: the Impressum, the privacy notice, "about us" and any other page that
//! is not news. Written in the admin area in Markdown, each at its own address (`/impressum`),
//! linked from the footer and the menus, and kept out of the feeds, the news sitemap, the
//! search and every listing of articles.
//!
//! A page can hold a role (Impressum, privacy notice) that the rest of the site looks for: the
//! footer of every page and every mail links the Impressum, and the dashboard warns while there
//! is none. Saving a page counts a settings revision, so every node reads the pages again with
//! the settings and drops the pages it has stored (menus and footers are on every page).

pub mod admin;
pub mod handlers;

use serde::Serialize;
use sqlx::{Row as _, any::AnyRow};

use crate::articles::markdown;
use crate::articles::model::Slug;
use crate::db::Db;

pub const MAX_TITLE: usize = 120;
pub const MAX_BODY: usize = 100_000;

/// The first segments of the site's own addresses, which no page may take (a test checks that
/// every public route's is here).
pub const RESERVED: &[&str] = &[
    "admin",
    "ap",
    "api",
    "archive",
    "author",
    "comments",
    "feed",
    "go",
    "healthz",
    "jobs",
    "l",
    "media",
    "metrics",
    "news",
    "newsletter",
    "nodeinfo",
    "page",
    "search",
    "static",
    "subscription",
    "tag",
    "well-known",
];

/// What the rest of the site looks a page up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The Impressum (German law: one click from every page, and named in list mail).
    Imprint,
    /// The privacy notice (Datenschutzerklärung).
    Privacy,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Imprint, Role::Privacy];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Imprint => "imprint",
            Role::Privacy => "privacy",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A stored page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub role: Option<Role>,
    pub published: bool,
    pub updated_at: i64,
}

/// A published page as menus and footers link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLink {
    pub title: String,
    pub href: String,
    pub role: Option<Role>,
}

/// A checked page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInput {
    pub slug: Slug,
    pub title: String,
    pub body_md: String,
    pub role: Option<Role>,
    pub published: bool,
}

/// Why a page was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the title is missing")]
    NoTitle,
    #[error("{field} is too long: at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the address may hold only lowercase letters, digits and single hyphens")]
    BadSlug,
    #[error("the address /{0} belongs to the site itself")]
    Reserved(String),
    #[error("another page has the address /{0}")]
    SlugTaken(String),
    #[error("unknown role")]
    BadRole,
}

impl PageError {
    /// The message in the interface's language.
    pub fn localized(&self, i18n: &crate::i18n::I18n, language: crate::config::Language) -> String {
        let field = |f: &str| i18n.text(language, &format!("page-field-{f}"), &[]);
        match self {
            PageError::NoTitle => i18n.text(language, "form-error-missing", &[("field", field("title").into())]),
            PageError::TooLong { field: f, max } => {
                i18n.text(language, "form-error-too-long", &[("field", field(f).into()), ("max", (*max as i64).into())])
            }
            PageError::BadSlug => i18n.text(language, "page-error-slug", &[]),
            PageError::Reserved(slug) => i18n.text(language, "page-error-reserved", &[("slug", slug.clone().into())]),
            PageError::SlugTaken(slug) => i18n.text(language, "page-error-taken", &[("slug", slug.clone().into())]),
            PageError::BadRole => i18n.text(language, "form-error-choice", &[]),
        }
    }
}

impl PageInput {
    /// Checks a page as the form gives it. Without an address the title makes one.
    pub fn parse(slug: &str, title: &str, body_md: &str, role: &str, published: bool) -> Result<PageInput, PageError> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err(PageError::NoTitle);
        }
        if title.chars().count() > MAX_TITLE {
            return Err(PageError::TooLong { field: "title", max: MAX_TITLE });
        }
        let body_md = body_md.trim().replace("\r\n", "\n");
        if body_md.chars().count() > MAX_BODY {
            return Err(PageError::TooLong { field: "body", max: MAX_BODY });
        }
        let slug = match slug.trim() {
            "" => Slug::from_text(&title).ok_or(PageError::BadSlug)?,
            given => Slug::parse(given).map_err(|_| PageError::BadSlug)?,
        };
        if RESERVED.contains(&slug.as_str()) {
            return Err(PageError::Reserved(slug.as_str().to_string()));
        }
        let role = match role.trim() {
            "" => None,
            r => Some(Role::parse(r).ok_or(PageError::BadRole)?),
        };
        Ok(PageInput { slug, title, body_md, role, published })
    }
}

const COLUMNS: &str = "id, slug, title, body_md, body_html, role, published, updated_at";

fn from_row(row: &AnyRow) -> Result<Page, sqlx::Error> {
    let role: Option<String> = row.try_get("role")?;
    Ok(Page {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        body_md: row.try_get("body_md")?,
        body_html: row.try_get("body_html")?,
        role: role.as_deref().and_then(Role::parse),
        published: row.try_get::<i64, _>("published")? != 0,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Every page, published or not, by title.
pub async fn all(db: &Db) -> Result<Vec<Page>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM pages ORDER BY title, id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Page>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM pages WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?.as_ref().map(from_row).transpose()
}

/// The published page at `/{slug}`.
pub async fn published(db: &Db, slug: &str) -> Result<Option<Page>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM pages WHERE slug = $1 AND published = 1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(&db.pool).await?.as_ref().map(from_row).transpose()
}

/// The published pages as menus link them, by title; with when each last changed.
pub async fn directory(db: &Db) -> Result<Vec<(PageLink, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT slug, title, role, updated_at FROM pages WHERE published = 1 ORDER BY title, id")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let role: Option<String> = r.try_get("role")?;
            let link = PageLink {
                href: format!("/{}", r.try_get::<String, _>("slug")?),
                title: r.try_get("title")?,
                role: role.as_deref().and_then(Role::parse),
            };
            Ok((link, r.try_get("updated_at")?))
        })
        .collect()
}

/// What became of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Page(i64),
    Refused(PageError),
    /// There is no page with that id (deleted meanwhile).
    NotFound,
}

/// Creates (`id` None) or replaces a page. A role moves to this page from any other that held
/// it. Every node applies the change with the settings (menus and footers show on every page).
pub async fn save(
    db: &Db,
    id: Option<i64>,
    page: &PageInput,
    user: Option<i64>,
    now: i64,
) -> Result<Saved, sqlx::Error> {
    let mut tx = db.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM pages WHERE slug = $1")
        .bind(page.slug.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some_and(|other| Some(other) != id) {
        return Ok(Saved::Refused(PageError::SlugTaken(page.slug.as_str().to_string())));
    }
    let role = page.role.map(Role::as_str);
    if let Some(role) = role {
        sqlx::query("UPDATE pages SET role = NULL WHERE role = $1 AND id <> $2")
            .bind(role)
            .bind(id.unwrap_or(0))
            .execute(&mut *tx)
            .await?;
    }
    let html = markdown::render(&page.body_md);
    let sql = match id {
        None => {
            "INSERT INTO pages (slug, title, body_md, body_html, role, published, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id"
        }
        Some(_) => {
            "UPDATE pages SET slug = $1, title = $2, body_md = $3, body_html = $4, role = $5, published = $6, \
             updated_at = $7, updated_by = $8 WHERE id = $9 RETURNING id"
        }
    };
    let query = sqlx::query_scalar(sql)
        .bind(page.slug.as_str())
        .bind(&page.title)
        .bind(&page.body_md)
        .bind(&html)
        .bind(role)
        .bind(i64::from(page.published))
        .bind(now)
        .bind(user);
    let query = match id {
        Some(id) => query.bind(id),
        None => query,
    };
    let id: Option<i64> = match query.fetch_optional(&mut *tx).await {
        Ok(id) => id,
        // Another editor saved the same address a moment ago, past the check above.
        Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            return Ok(Saved::Refused(PageError::SlugTaken(page.slug.as_str().to_string())));
        }
        Err(e) => return Err(e),
    };
    let Some(id) = id else {
        return Ok(Saved::NotFound);
    };
    crate::settings::count_revision(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(Saved::Page(id))
}

/// Deletes a page; returns whether there was one.
pub async fn delete(db: &Db, id: i64, user: Option<i64>, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("DELETE FROM pages WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    crate::settings::count_revision(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_checked() {
        let page = PageInput::parse("", "Über uns", "Wir sind **wir**.\r\n", "", true).unwrap();
        assert_eq!((page.slug.as_str(), page.body_md.as_str()), ("ueber-uns", "Wir sind **wir**."));
        let imprint = PageInput::parse("impressum", "Impressum", "", "imprint", true).unwrap();
        assert_eq!(imprint.role, Some(Role::Imprint));
        assert_eq!(PageInput::parse("", "  ", "", "", true), Err(PageError::NoTitle));
        assert_eq!(PageInput::parse("Über", "x", "", "", true), Err(PageError::BadSlug));
        assert_eq!(PageInput::parse("admin", "x", "", "", true), Err(PageError::Reserved("admin".into())));
        assert_eq!(PageInput::parse("", "Archive", "", "", true), Err(PageError::Reserved("archive".into())));
        assert_eq!(PageInput::parse("x", "x", "", "boss", true), Err(PageError::BadRole));
        let long = "x".repeat(MAX_TITLE + 1);
        assert!(matches!(PageInput::parse("", &long, "", "", true), Err(PageError::TooLong { field: "title", .. })));
    }
}
