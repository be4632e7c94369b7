//! Tags and authors as the newsroom manages them: create, rename (the old address answers with
//! a 301), merge one tag into another, and an author's bio and picture.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row as _};

use super::model::{ArticleError, Slug};
use super::queries::SaveError;
use crate::changes::{Event, Scope};
use crate::db::Db;

/// Tags or authors: the table, the redirect kind, and the URL prefix of their pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tag,
    Author,
}

impl Kind {
    pub fn table(self) -> &'static str {
        match self {
            Kind::Tag => "tags",
            Kind::Author => "authors",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tag => "tag",
            Kind::Author => "author",
        }
    }

    /// The page-cache scope of the tag's or author's pages.
    fn scope(self, slug: &str) -> Scope {
        match self {
            Kind::Tag => Scope::Tag(slug.to_string()),
            Kind::Author => Scope::Author(slug.to_string()),
        }
    }

    fn links(self) -> &'static str {
        match self {
            Kind::Tag => "article_tags x WHERE x.tag_id = l.id",
            Kind::Author => "article_authors x WHERE x.author_id = l.id",
        }
    }
}

/// A tag or author with the number of its articles (of any status).
#[derive(Debug, Clone, Serialize)]
pub struct LabelRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub articles: i64,
    /// Authors only.
    pub bio: String,
    pub picture_url: Option<String>,
    /// Authors only: the newsroom account this author is.
    pub user_id: Option<i64>,
}

/// Every tag or author, by name.
pub async fn list(db: &Db, kind: Kind) -> Result<Vec<LabelRow>, sqlx::Error> {
    select(db, kind, None).await
}

pub async fn find(db: &Db, kind: Kind, id: i64) -> Result<Option<LabelRow>, sqlx::Error> {
    if id < 1 {
        return Ok(None);
    }
    Ok(select(db, kind, Some(id)).await?.pop())
}

async fn select(db: &Db, kind: Kind, id: Option<i64>) -> Result<Vec<LabelRow>, sqlx::Error> {
    let extra = match kind {
        Kind::Tag => "'' AS bio, NULL AS picture_url, NULL AS user_id",
        Kind::Author => "l.bio, l.picture_url, l.user_id",
    };
    let sql = format!(
        "SELECT l.id, l.slug, l.name, (SELECT COUNT(*) FROM {links}) AS n, {extra} FROM {table} l
         WHERE $1 = 0 OR l.id = $1 ORDER BY LOWER(l.name), l.slug",
        links = kind.links(),
        table = kind.table()
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(id.unwrap_or(0)).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(LabelRow {
                id: r.try_get("id")?,
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
                articles: r.try_get("n")?,
                bio: r.try_get("bio")?,
                picture_url: r.try_get("picture_url")?,
                user_id: r.try_get("user_id")?,
            })
        })
        .collect()
}

/// The slug a renamed or merged tag or author has now.
pub async fn redirect(db: &Db, kind: Kind, old_slug: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = format!(
        "SELECT l.slug FROM label_redirects r JOIN {} l ON l.id = r.target_id WHERE r.kind = $1 AND r.old_slug = $2",
        kind.table()
    );
    sqlx::query_scalar(AssertSqlSafe(sql)).bind(kind.as_str()).bind(old_slug).fetch_optional(&db.pool).await
}

/// What an editor typed for a tag or author: a name, an optional slug, and for authors a bio
/// and picture path.
#[derive(Debug, Clone, Default)]
pub struct LabelInput {
    pub name: String,
    pub slug: Option<Slug>,
    pub bio: String,
    pub picture_url: Option<String>,
    /// Authors only: the newsroom account this author is (one author per account).
    pub user_id: Option<i64>,
}

/// Longest bio accepted, in characters.
pub const MAX_BIO: usize = 2_000;

impl LabelInput {
    /// Checks the fields; the error is a message key.
    pub fn parse(name: &str, slug: &str, bio: &str, picture: &str) -> Result<LabelInput, &'static str> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("labels-error-name");
        }
        if name.chars().count() > super::model::MAX_NAME {
            return Err("labels-error-name-long");
        }
        let slug = match slug.trim() {
            "" => Slug::from_text(&name).ok_or("labels-error-slug")?,
            s => Slug::parse(s).map_err(|_| "labels-error-slug")?,
        };
        if bio.chars().count() > MAX_BIO {
            return Err("labels-error-bio-long");
        }
        let picture = picture.trim();
        if !picture.is_empty() && (!crate::text::is_site_path(picture) || picture.len() > 500) {
            return Err("labels-error-picture");
        }
        Ok(LabelInput {
            name,
            slug: Some(slug),
            bio: bio.trim().to_string(),
            picture_url: Some(picture.to_string()).filter(|p| !p.is_empty()),
            user_id: None,
        })
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn slug_taken(tx: &mut Tx, kind: Kind, slug: &str, except: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE slug = $1 AND id <> $2", kind.table());
    Ok(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).bind(slug).bind(except).fetch_one(&mut **tx).await? > 0)
}

/// Whether another tag or author has this name: editors type names, so two of one name could
/// not be told apart (a save would keep only one of them).
async fn name_taken(tx: &mut Tx, kind: Kind, name: &str, except: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE LOWER(name) = LOWER($1) AND id <> $2", kind.table());
    Ok(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).bind(name).bind(except).fetch_one(&mut **tx).await? > 0)
}

/// Whether another author is already this account.
async fn account_taken(tx: &mut Tx, user_id: Option<i64>, except: i64) -> Result<bool, sqlx::Error> {
    let Some(user_id) = user_id else { return Ok(false) };
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM authors WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(except)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// The name of the author who is this newsroom account, if one is.
pub async fn author_of_account(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM authors WHERE user_id = $1").bind(user_id).fetch_optional(&db.pool).await
}

/// Records a change of every article with the tag or author, whose pages and index entries
/// show its name.
async fn touch_articles(tx: &mut Tx, kind: Kind, id: i64) -> Result<(), sqlx::Error> {
    let sql = match kind {
        Kind::Tag => "SELECT article_id FROM article_tags WHERE tag_id = $1",
        Kind::Author => "SELECT article_id FROM article_authors WHERE author_id = $1",
    };
    let ids: Vec<i64> = sqlx::query_scalar(sql).bind(id).fetch_all(&mut **tx).await?;
    for article in ids {
        crate::changes::record(tx, Event::ArticleTouched { article_id: article }).await?;
    }
    Ok(())
}

/// Creates a tag or author; refuses a slug that is taken.
pub async fn create(db: &Db, kind: Kind, input: &LabelInput, now: i64) -> Result<i64, SaveError> {
    let slug = input.slug.clone().ok_or(ArticleError::NoSlug)?;
    let mut tx = db.begin().await?;
    if slug_taken(&mut tx, kind, slug.as_str(), 0).await? {
        return Err(ArticleError::SlugTaken(slug.to_string()).into());
    }
    if name_taken(&mut tx, kind, &input.name, 0).await? {
        return Err(ArticleError::SlugTaken(input.name.clone()).into());
    }
    let id: i64 = match kind {
        Kind::Tag => {
            sqlx::query_scalar("INSERT INTO tags (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(slug.as_str())
                .bind(&input.name)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
        }
        Kind::Author => {
            if account_taken(&mut tx, input.user_id, 0).await? {
                return Err(ArticleError::AccountTaken.into());
            }
            sqlx::query_scalar(
                "INSERT INTO authors (slug, name, bio, picture_url, user_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(slug.as_str())
            .bind(&input.name)
            .bind(&input.bio)
            .bind(&input.picture_url)
            .bind(input.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    // The new one owns its address, even if an old name of another pointed there.
    sqlx::query("DELETE FROM label_redirects WHERE kind = $1 AND old_slug = $2")
        .bind(kind.as_str())
        .bind(slug.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a tag or author (and for authors sets bio and picture). A new slug leaves a redirect
/// from the old one.
pub async fn update(db: &Db, kind: Kind, current: &LabelRow, input: &LabelInput, now: i64) -> Result<(), SaveError> {
    let slug = input.slug.clone().ok_or(ArticleError::NoSlug)?;
    let mut tx = db.begin().await?;
    if slug_taken(&mut tx, kind, slug.as_str(), current.id).await? {
        return Err(ArticleError::SlugTaken(slug.to_string()).into());
    }
    if name_taken(&mut tx, kind, &input.name, current.id).await? {
        return Err(ArticleError::SlugTaken(input.name.clone()).into());
    }
    if kind == Kind::Author && account_taken(&mut tx, input.user_id, current.id).await? {
        return Err(ArticleError::AccountTaken.into());
    }
    let sql = match kind {
        Kind::Tag => "UPDATE tags SET slug = $1, name = $2 WHERE id = $3",
        Kind::Author => {
            "UPDATE authors SET slug = $1, name = $2, bio = $4, picture_url = $5, user_id = $6 WHERE id = $3"
        }
    };
    let mut query = sqlx::query(sql).bind(slug.as_str()).bind(&input.name).bind(current.id);
    if kind == Kind::Author {
        query = query.bind(&input.bio).bind(&input.picture_url).bind(input.user_id);
    }
    query.execute(&mut *tx).await?;
    if slug.as_str() != current.slug {
        add_redirect(&mut tx, kind, &current.slug, current.id, now).await?;
        sqlx::query("DELETE FROM label_redirects WHERE kind = $1 AND old_slug = $2")
            .bind(kind.as_str())
            .bind(slug.as_str())
            .execute(&mut *tx)
            .await?;
    }
    if slug.as_str() != current.slug || input.name != current.name {
        touch_articles(&mut tx, kind, current.id).await?;
    }
    let scopes = vec![kind.scope(&current.slug), kind.scope(slug.as_str()), Scope::Sitemaps];
    crate::changes::record(&mut tx, Event::PagesChanged { scopes }).await?;
    tx.commit().await?;
    Ok(())
}

async fn add_redirect(tx: &mut Tx, kind: Kind, old_slug: &str, target: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO label_redirects (kind, old_slug, target_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, old_slug) DO UPDATE SET target_id = excluded.target_id, created_at = excluded.created_at",
    )
    .bind(kind.as_str())
    .bind(old_slug)
    .bind(target)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves every article of tag `from` to tag `into` and removes `from`; its address and the
/// addresses that led to it redirect to `into`.
pub async fn merge_tags(db: &Db, from: &LabelRow, into: &LabelRow, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    touch_articles(&mut tx, Kind::Tag, from.id).await?;
    sqlx::query(
        "INSERT INTO article_tags (article_id, tag_id, position, published_at)
         SELECT x.article_id, $1, x.position, x.published_at FROM article_tags x WHERE x.tag_id = $2
           AND NOT EXISTS (SELECT 1 FROM article_tags y WHERE y.article_id = x.article_id AND y.tag_id = $1)",
    )
    .bind(into.id)
    .bind(from.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM article_tags WHERE tag_id = $1").bind(from.id).execute(&mut *tx).await?;
    super::listings::recount_tag(&mut tx, &db.zone, into.id, from.id).await?;
    sqlx::query("UPDATE label_redirects SET target_id = $1 WHERE kind = 'tag' AND target_id = $2")
        .bind(into.id)
        .bind(from.id)
        .execute(&mut *tx)
        .await?;
    add_redirect(&mut tx, Kind::Tag, &from.slug, into.id, now).await?;
    sqlx::query("DELETE FROM tags WHERE id = $1").bind(from.id).execute(&mut *tx).await?;
    let scopes = vec![Scope::Tag(from.slug.clone()), Scope::Tag(into.slug.clone()), Scope::Sitemaps];
    crate::changes::record(&mut tx, Event::PagesChanged { scopes }).await?;
    tx.commit().await
}
