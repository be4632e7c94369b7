//! Reading and writing articles, their tags, authors and revisions.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row as _, any::AnyRow};

use super::listings::{self, Order};
use super::model::{Article, ArticleError, ArticleInput, BodyFormat, Hero, Label, Slug, Status};
use crate::changes::{ArticleState, Event};
use crate::config::Language;
use crate::db::{self, Backend, Db};

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Invalid(#[from] ArticleError),
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

pub const COLUMNS: &str = "a.id, a.slug, a.title, a.places, a.lead, a.body_md, a.body_format, a.body_html, a.hero_url, \
     a.hero_alt, a.hero_credit, a.language, a.status, a.published_at, a.updated_at, a.created_at, \
     a.modified_at, a.version";

/// Readers see published articles and scheduled ones whose time has come ($1 is now), so a
/// scheduled article goes live to the second, whether or not the scheduler has run yet.
pub const LIVE: &str = "(a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= $1))";

/// Which live articles a listing page shows.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    All,
    Tag(i64),
    Author(i64),
    /// Published in `[start, end)`, Unix seconds.
    Between(i64, i64),
}

fn article_from_row(row: &AnyRow) -> Result<Article, sqlx::Error> {
    let places: String = row.try_get("places")?;
    let hero_url: Option<String> = row.try_get("hero_url")?;
    let language: String = row.try_get("language")?;
    let status: String = row.try_get("status")?;
    Ok(Article {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        places: serde_json::from_str(&places).unwrap_or_default(),
        lead: row.try_get("lead")?,
        body_md: row.try_get("body_md")?,
        body_format: BodyFormat::parse(&row.try_get::<String, _>("body_format")?).unwrap_or_default(),
        body_html: row.try_get("body_html")?,
        hero: match hero_url {
            Some(url) => Some(Hero {
                url,
                alt: row.try_get::<Option<String>, _>("hero_alt")?.unwrap_or_default(),
                credit: row.try_get::<Option<String>, _>("hero_credit")?.unwrap_or_default(),
            }),
            None => None,
        },
        language: Language::parse(&language).unwrap_or(Language::De),
        status: Status::parse(&status).unwrap_or(Status::Draft),
        published_at: row.try_get("published_at")?,
        updated_at: row.try_get("updated_at")?,
        created_at: row.try_get("created_at")?,
        modified_at: row.try_get("modified_at")?,
        version: row.try_get("version")?,
        tags: Vec::new(),
        authors: Vec::new(),
    })
}

/// Fills in the tags and authors of `articles`: one query per 500 articles (bound parameters
/// are limited on both backends). Every query costs a thread hand-over in the SQLite driver,
/// so tags and authors come back together.
async fn attach_labels(db: &Db, articles: &mut [Article]) -> Result<(), sqlx::Error> {
    for chunk in articles.chunks_mut(500) {
        let index: HashMap<i64, usize> = chunk.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        let ids = db::placeholders(0, chunk.len());
        let sql = format!(
            "SELECT x.article_id, 0 AS kind, x.position, t.slug, t.name FROM article_tags x \
               JOIN tags t ON t.id = x.tag_id WHERE x.article_id IN ({ids}) \
             UNION ALL \
             SELECT x.article_id, 1 AS kind, x.position, t.slug, t.name FROM article_authors x \
               JOIN authors t ON t.id = x.author_id WHERE x.article_id IN ({ids}) \
             ORDER BY 1, 2, 3"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for article in chunk.iter() {
            query = query.bind(article.id);
        }
        for row in query.fetch_all(&db.pool).await? {
            let label = Label { slug: row.try_get("slug")?, name: row.try_get("name")? };
            let kind: i64 = row.try_get("kind")?;
            if let Some(&i) = index.get(&row.try_get::<i64, _>("article_id")?) {
                if kind == 0 { chunk[i].tags.push(label) } else { chunk[i].authors.push(label) }
            }
        }
    }
    Ok(())
}

/// The article with `slug`, whatever its status.
pub async fn find_by_slug(db: &Db, slug: &str) -> Result<Option<Article>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM articles a WHERE a.slug = $1");
    let Some(row) = sqlx::query(AssertSqlSafe(sql)).bind(slug).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let mut articles = vec![article_from_row(&row)?];
    attach_labels(db, &mut articles).await?;
    Ok(articles.pop())
}

/// The article with `id`, whatever its status.
pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<Article>, sqlx::Error> {
    let slug: Option<String> =
        sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1").bind(id).fetch_optional(&db.pool).await?;
    match slug {
        Some(slug) => find_by_slug(db, &slug).await,
        None => Ok(None),
    }
}

/// The articles with these ids, in the order given (those that do not exist left out): two
/// queries, whatever the number.
pub async fn find_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Article>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {COLUMNS} FROM articles a WHERE a.id IN ({})", db::placeholders(0, ids.len()));
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let mut articles = query.fetch_all(&db.pool).await?.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    articles.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
    Ok(articles)
}

/// The article with `slug` if readers can see it at `now`.
pub async fn find_live(db: &Db, slug: &str, now: i64) -> Result<Option<Article>, sqlx::Error> {
    Ok(find_by_slug(db, slug).await?.filter(|a| a.is_live(now)))
}

/// One page of live articles, newest first, and the number of live articles in the listing.
/// The count is read from the listing's maintained counts, and a page past the first starts
/// at the day the counts place it on, so no page reads or skips more than a day's articles
/// (see [`listings`]).
pub async fn list_live(
    db: &Db,
    listing: Listing,
    page: u32,
    per_page: u32,
    now: i64,
) -> Result<(Vec<Article>, i64), sqlx::Error> {
    let count = listings::count(db, listing, now).await?;
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    // A page past the end is empty (and a 404 to readers) without reading past the end.
    if offset >= count.live && page > 1 {
        return Ok((Vec::new(), count.live));
    }
    let (before, skip) = match page {
        1 => (None, 0),
        _ => match listings::locate(db, listing, &count, Order::NewestFirst, offset, now).await? {
            Some((before, skip)) => (Some(before), skip),
            None => (None, offset),
        },
    };
    let statement = listings::page_statement(db.backend, COLUMNS, listing, before, i64::from(per_page), skip, now);
    let rows = statement.query().fetch_all(&db.pool).await?;
    let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    Ok((articles, count.live))
}

/// What a program asks of the live articles (the Content API): each part narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub tag: Option<i64>,
    pub author: Option<i64>,
    /// Published at or after (seconds).
    pub published_since: Option<i64>,
    /// Published before.
    pub published_before: Option<i64>,
    /// Changed in any way at or after.
    pub modified_since: Option<i64>,
    /// Continue after this article: (its publication time, its id).
    pub after: Option<(i64, i64)>,
}

/// Live articles that pass `filter`, newest first (by publication, then id), at most `limit`.
/// Read by a publication-time index and stopped after the page, so the cursor makes the last
/// page as fast as the first: an author's or a tag's own index when the filter names one (an
/// author's few articles are not looked for among all), else the articles'.
pub async fn filtered(db: &Db, filter: &Filter, limit: i64, now: i64) -> Result<Vec<Article>, sqlx::Error> {
    let rows = filter_statement(db.backend, filter, limit, now).query().fetch_all(&db.pool).await?;
    let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    Ok(articles)
}

/// The statement [`filtered`] runs (the listing plan test reads its plan).
pub fn filter_statement(backend: Backend, filter: &Filter, limit: i64, now: i64) -> listings::Statement {
    let mut s = listings::Statement::default();
    let live = listings::live_in_order(&mut s, now, backend);
    // An author has fewer articles than a tag: walk the author's, and check the tag per article.
    let (walked, checked) = match (filter.author, filter.tag) {
        (Some(author), tag) => (Listing::Author(author), tag.map(Listing::Tag)),
        (None, Some(tag)) => (Listing::Tag(tag), None),
        (None, None) => (Listing::All, None),
    };
    let listings::Walk { from, date, id, mut condition } = listings::walk(&mut s, walked);
    if let Some(label) = checked {
        condition += &listings::member(&mut s, label);
    }
    if let Some(t) = filter.published_since {
        condition += &format!(" AND {date} >= {}", s.arg(t));
    }
    if let Some(t) = filter.published_before {
        condition += &format!(" AND {date} < {}", s.arg(t));
    }
    if let Some(t) = filter.modified_since {
        condition += &format!(" AND a.modified_at >= {}", s.arg(t));
    }
    if let Some((at, after)) = filter.after {
        // The first bound is the index's range; the OR alone would be read from the top.
        let (at, at2, after) = (s.arg(at), s.arg(at), s.arg(after));
        condition += &format!(" AND {date} <= {at} AND ({date} < {at2} OR {id} < {after})");
    }
    let limit = s.arg(limit);
    s.sql =
        format!("SELECT {COLUMNS} FROM {from} WHERE {live}{condition} ORDER BY {date} DESC, {id} DESC LIMIT {limit}");
    s
}

/// Up to `limit` live articles with ids above `after`, by id: the whole archive a batch at a
/// time (building the search index again), each batch found by the primary key.
pub async fn live_after(db: &Db, after: i64, limit: u32, now: i64) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM articles a WHERE {LIVE} AND a.id > $2 ORDER BY a.id LIMIT $3");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(after).bind(i64::from(limit)).fetch_all(&db.pool).await?;
    let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    Ok(articles)
}

/// Every article, newest change first, for operators.
pub async fn list_all(db: &Db) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM articles a ORDER BY a.modified_at DESC, a.id DESC");
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await?;
    let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    Ok(articles)
}

/// How many articles are drafts, scheduled for later, and live, for the dashboard.
pub async fn status_counts(db: &Db) -> Result<(i64, i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE status = 'draft') AS drafts, \
         COUNT(*) FILTER (WHERE status = 'scheduled') AS scheduled, \
         COUNT(*) FILTER (WHERE status = 'published') AS published FROM articles",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok((row.try_get("drafts")?, row.try_get("scheduled")?, row.try_get("published")?))
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&db.pool).await
}

/// Live articles per day, newest day first, as (the day's first second, count), for the
/// archive's month list: read from the maintained counts, less the scheduled articles still
/// to come.
pub async fn live_days(db: &Db, now: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT day, n FROM listing_days WHERE kind = 'all' AND label_id = 0 AND n > 0 ORDER BY day DESC")
            .fetch_all(&db.pool)
            .await?;
    let upcoming: Vec<i64> =
        sqlx::query_scalar("SELECT published_at FROM articles WHERE status = 'scheduled' AND published_at > $1")
            .bind(now)
            .fetch_all(&db.pool)
            .await?;
    let mut days = Vec::with_capacity(rows.len());
    for row in rows {
        let day: i64 = row.try_get("day")?;
        let later = upcoming.iter().filter(|at| listings::day_of(&db.zone, **at) == day).count() as i64;
        let n = row.try_get::<i64, _>("n")? - later;
        if n > 0 {
            days.push((listings::day_start(&db.zone, day), n));
        }
    }
    Ok(days)
}

/// The `limit` tags with the most live articles, most first, from the maintained counts.
pub async fn top_tags(db: &Db, now: i64, limit: i64) -> Result<Vec<Label>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.slug, t.name FROM listing_totals c JOIN tags t ON t.id = c.label_id \
         LEFT JOIN (SELECT x.tag_id, COUNT(*) AS n FROM articles a JOIN article_tags x ON x.article_id = a.id \
           WHERE a.status = 'scheduled' AND a.published_at > $1 GROUP BY x.tag_id) f ON f.tag_id = c.label_id \
         WHERE c.kind = 'tag' AND c.n - COALESCE(f.n, 0) > 0 ORDER BY c.n - COALESCE(f.n, 0) DESC, t.name LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| Ok(Label { slug: r.try_get("slug")?, name: r.try_get("name")? })).collect()
}

pub async fn find_tag(db: &Db, slug: &str) -> Result<Option<(i64, Label)>, sqlx::Error> {
    find_label(db, "SELECT id, slug, name FROM tags WHERE slug = $1", slug).await
}

/// An author, their bio and their picture.
pub async fn find_author(db: &Db, slug: &str) -> Result<Option<(i64, Label, String, Option<String>)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, slug, name, bio, picture_url FROM authors WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            Label { slug: r.try_get("slug")?, name: r.try_get("name")? },
            r.try_get("bio")?,
            r.try_get("picture_url")?,
        ))
    })
    .transpose()
}

async fn find_label(db: &Db, sql: &'static str, slug: &str) -> Result<Option<(i64, Label)>, sqlx::Error> {
    let row = sqlx::query(sql).bind(slug).fetch_optional(&db.pool).await?;
    row.map(|r| Ok((r.try_get("id")?, Label { slug: r.try_get("slug")?, name: r.try_get("name")? }))).transpose()
}

/// Creates an author, or updates the bio of the author with that name.
pub async fn upsert_author(db: &Db, name: &str, slug: Option<&str>, bio: &str) -> Result<i64, SaveError> {
    let mut tx = db.begin().await?;
    let id = author_id(&mut tx, name, slug).await?;
    sqlx::query("UPDATE authors SET bio = $1 WHERE id = $2").bind(bio).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(id)
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

async fn author_id(tx: &mut Tx<'_>, name: &str, slug: Option<&str>) -> Result<i64, SaveError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM authors WHERE name = $1 OR slug = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let base = match slug {
        Some(s) => Slug::parse(s)?,
        None => Slug::from_text(name).ok_or_else(|| ArticleError::InvalidSlug(name.to_string()))?,
    };
    let slug = free_slug(tx, "authors", &base).await?;
    let id = sqlx::query_scalar("INSERT INTO authors (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(slug.as_str())
        .bind(name)
        .bind(db::now())
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

async fn tag_id(tx: &mut Tx<'_>, name: &str) -> Result<i64, SaveError> {
    // A tag is found by its name first: a renamed tag keeps its slug, or has one of its own.
    let named: Option<i64> = sqlx::query_scalar("SELECT id FROM tags WHERE name = $1 ORDER BY id LIMIT 1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = named {
        return Ok(id);
    }
    let slug = Slug::from_text(name).ok_or_else(|| ArticleError::InvalidSlug(name.to_string()))?;
    // The name of a tag that was renamed or merged means the tag it became.
    let moved: Option<i64> = sqlx::query_scalar(
        "SELECT t.id FROM label_redirects r JOIN tags t ON t.id = r.target_id WHERE r.kind = 'tag' AND r.old_slug = $1",
    )
    .bind(slug.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = moved {
        return Ok(id);
    }
    // Two saves may add the same new tag at once: the second insert does nothing.
    sqlx::query("INSERT INTO tags (slug, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING")
        .bind(slug.as_str())
        .bind(name)
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
    let id = sqlx::query_scalar("SELECT id FROM tags WHERE slug = $1").bind(slug.as_str()).fetch_one(&mut **tx).await?;
    Ok(id)
}

/// `base`, or `base-2`, `base-3`, ... whichever is free in `table`.
async fn free_slug(tx: &mut Tx<'_>, table: &str, base: &Slug) -> Result<Slug, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE slug = $1");
    let mut candidate = base.clone();
    for n in 2.. {
        let taken: i64 =
            sqlx::query_scalar(AssertSqlSafe(sql.clone())).bind(candidate.as_str()).fetch_one(&mut **tx).await?;
        if taken == 0 {
            break;
        }
        candidate = base.with_suffix(n);
    }
    Ok(candidate)
}

/// The article as its save left it, read in the save's transaction, for the save's event.
async fn saved_state(tx: &mut Tx<'_>, id: i64) -> Result<ArticleState, sqlx::Error> {
    let row = sqlx::query("SELECT slug, status, published_at FROM articles WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let status: String = row.try_get("status")?;
    let slugs = |sql: &'static str| sqlx::query_scalar::<_, String>(sql).bind(id);
    let tags = slugs(
        "SELECT t.slug FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = $1 ORDER BY x.position",
    )
    .fetch_all(&mut **tx)
    .await?;
    let authors = slugs(
        "SELECT a.slug FROM article_authors x JOIN authors a ON a.id = x.author_id WHERE x.article_id = $1 ORDER BY x.position",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(ArticleState {
        slug: row.try_get("slug")?,
        status: Status::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown status {status:?}").into()))?,
        published_at: row.try_get("published_at")?,
        tags,
        authors,
    })
}

async fn write_labels(tx: &mut Tx<'_>, article_id: i64, input: &ArticleInput) -> Result<(), SaveError> {
    sqlx::query("DELETE FROM article_tags WHERE article_id = $1").bind(article_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM article_authors WHERE article_id = $1").bind(article_id).execute(&mut **tx).await?;
    let mut seen = Vec::new();
    for (position, name) in input.tags.iter().enumerate() {
        let id = tag_id(tx, name).await?;
        if seen.contains(&id) {
            continue; // "KI" and "ki" name the same tag
        }
        seen.push(id);
        sqlx::query("INSERT INTO article_tags (article_id, tag_id, position, published_at) VALUES ($1, $2, $3, $4)")
            .bind(article_id)
            .bind(id)
            .bind(position as i64)
            .bind(input.published_at)
            .execute(&mut **tx)
            .await?;
    }
    let mut seen = Vec::new();
    for (position, name) in input.authors.iter().enumerate() {
        let id = author_id(tx, name, None).await?;
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        sqlx::query(
            "INSERT INTO article_authors (article_id, author_id, position, published_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(article_id)
        .bind(id)
        .bind(position as i64)
        .bind(input.published_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Stores a new article. Without an explicit slug, one is made from the title and made unique
/// with a number; an explicit slug that is taken is refused.
pub async fn create(db: &Db, input: &ArticleInput, now: i64) -> Result<Article, SaveError> {
    create_by(db, input, now, None).await
}

/// [`create`], saved by the signed-in user `by`.
pub async fn create_by(db: &Db, input: &ArticleInput, now: i64, by: Option<i64>) -> Result<Article, SaveError> {
    let mut tx = db.begin().await?;
    let slug = match &input.slug {
        Some(slug) => {
            if free_slug(&mut tx, "articles", slug).await? != *slug {
                return Err(ArticleError::SlugTaken(slug.to_string()).into());
            }
            slug.clone()
        }
        None => {
            let base = Slug::from_text(&input.title).ok_or(ArticleError::NoSlug)?;
            // A made-up slug never takes the old address of a renamed article.
            let mut candidate = free_slug(&mut tx, "articles", &base).await?;
            for n in 2.. {
                let redirected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM slug_redirects WHERE old_slug = $1")
                    .bind(candidate.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                if redirected == 0 {
                    break;
                }
                candidate = free_slug(&mut tx, "articles", &base.with_suffix(n)).await?;
            }
            candidate
        }
    };
    let body_html = input.body_format.render(&input.body_md);
    let hero = input.hero.as_ref();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, title, places, lead, body_md, body_html, hero_url, hero_alt, \
         hero_credit, language, status, published_at, updated_at, created_at, modified_at, version, modified_by, \
         body_format) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $13, 1, $14, $15) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(&input.title)
    .bind(serde_json::to_string(&input.places).expect("strings serialise"))
    .bind(&input.lead)
    .bind(&input.body_md)
    .bind(&body_html)
    .bind(hero.map(|h| h.url.clone()))
    .bind(hero.map(|h| h.alt.clone()))
    .bind(hero.map(|h| h.credit.clone()))
    .bind(input.language.code())
    .bind(input.status.as_str())
    .bind(input.published_at)
    .bind(now)
    .bind(by)
    .bind(input.body_format.as_str())
    .fetch_one(&mut *tx)
    .await?;
    // A new article given an old address of another one explicitly owns it from now on.
    if input.slug.is_some() {
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1").bind(slug.as_str()).execute(&mut *tx).await?;
    }
    write_labels(&mut tx, id, input).await?;
    listings::relist(&mut tx, &db.zone, id, 1).await?;
    let after = saved_state(&mut tx, id).await?;
    crate::changes::record(&mut tx, Event::ArticleSaved { article_id: id, before: None, after, at: now }).await?;
    tx.commit().await?;
    find_by_slug(db, slug.as_str()).await?.ok_or(sqlx::Error::RowNotFound.into())
}

/// Saves a new state of an existing article, keeping the previous state as a revision.
///
/// `expected_version` is the version the editor loaded; when another save came in between, the
/// save is refused with [`ArticleError::Conflict`] and nothing is lost. A change of title, lead
/// or body of a live article marks it as updated.
pub async fn update(
    db: &Db,
    current: &Article,
    input: &ArticleInput,
    expected_version: i64,
    now: i64,
) -> Result<Article, SaveError> {
    update_by(db, current, input, expected_version, now, None).await
}

/// [`update`], saved by the signed-in user `by`. A published article whose slug changes keeps
/// answering at the old address with a 301.
pub async fn update_by(
    db: &Db,
    current: &Article,
    input: &ArticleInput,
    expected_version: i64,
    now: i64,
    by: Option<i64>,
) -> Result<Article, SaveError> {
    if current.version != expected_version {
        return Err(ArticleError::Conflict { expected: expected_version, found: current.version }.into());
    }
    let mut tx = db.begin().await?;
    // Out of its listings as it was; back in as it is saved (or, if the save fails, as it was).
    listings::relist(&mut tx, &db.zone, current.id, -1).await?;
    let slug = match &input.slug {
        Some(slug) if slug.as_str() != current.slug => {
            if free_slug(&mut tx, "articles", slug).await? != *slug {
                return Err(ArticleError::SlugTaken(slug.to_string()).into());
            }
            slug.clone()
        }
        _ => Slug::parse(&current.slug)?,
    };
    let saved_by: Option<i64> = sqlx::query_scalar("SELECT modified_by FROM articles WHERE id = $1")
        .bind(current.id)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    let material = current.is_live(now)
        && (current.title != input.title || current.lead != input.lead || current.body_md != input.body_md);
    let updated_at = if material { Some(now) } else { current.updated_at };
    let body_html = input.body_format.render(&input.body_md);
    let hero = input.hero.as_ref();
    let result = sqlx::query(
        "UPDATE articles SET slug = $1, title = $2, places = $3, lead = $4, body_md = $5, body_html = $6, \
         hero_url = $7, hero_alt = $8, hero_credit = $9, language = $10, status = $11, published_at = $12, \
         updated_at = $13, modified_at = $14, version = version + 1, modified_by = $17, body_format = $18 \
         WHERE id = $15 AND version = $16",
    )
    .bind(slug.as_str())
    .bind(&input.title)
    .bind(serde_json::to_string(&input.places).expect("strings serialise"))
    .bind(&input.lead)
    .bind(&input.body_md)
    .bind(&body_html)
    .bind(hero.map(|h| h.url.clone()))
    .bind(hero.map(|h| h.alt.clone()))
    .bind(hero.map(|h| h.credit.clone()))
    .bind(input.language.code())
    .bind(input.status.as_str())
    .bind(input.published_at)
    .bind(updated_at)
    .bind(now)
    .bind(current.id)
    .bind(expected_version)
    .bind(by)
    .bind(input.body_format.as_str())
    .execute(&mut *tx)
    .await?;
    if result.rows_affected() == 0 {
        let found: i64 = sqlx::query_scalar("SELECT version FROM articles WHERE id = $1")
            .bind(current.id)
            .fetch_one(&mut *tx)
            .await?;
        return Err(ArticleError::Conflict { expected: expected_version, found }.into());
    }
    // The guarded update succeeded, so `current` is the state it replaced: keep it.
    let snapshot = serde_json::to_string(&current.to_input()).expect("article input serialises");
    sqlx::query(
        "INSERT INTO article_revisions (article_id, version, snapshot, created_at, saved_at, saved_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(current.id)
    .bind(current.version)
    .bind(snapshot)
    .bind(now)
    .bind(current.modified_at)
    .bind(saved_by)
    .execute(&mut *tx)
    .await?;
    if slug.as_str() != current.slug {
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1").bind(slug.as_str()).execute(&mut *tx).await?;
        if current.published_at.is_some_and(|t| t <= now) && current.status != Status::Draft {
            sqlx::query(
                "INSERT INTO slug_redirects (old_slug, article_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id, created_at = excluded.created_at",
            )
            .bind(&current.slug)
            .bind(current.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    write_labels(&mut tx, current.id, input).await?;
    listings::relist(&mut tx, &db.zone, current.id, 1).await?;
    let event = Event::ArticleSaved {
        article_id: current.id,
        before: Some(ArticleState::of(current)),
        after: saved_state(&mut tx, current.id).await?,
        at: now,
    };
    crate::changes::record(&mut tx, event).await?;
    tx.commit().await?;
    find_by_slug(db, slug.as_str()).await?.ok_or(sqlx::Error::RowNotFound.into())
}

/// Publishes the article now, or keeps its earlier publication time if it had one.
pub async fn publish(db: &Db, slug: &str, now: i64) -> Result<Article, SaveError> {
    let current = find_by_slug(db, slug).await?.ok_or_else(|| ArticleError::NotFound(slug.to_string()))?;
    let mut input = current.to_input();
    input.status = Status::Published;
    input.published_at = Some(current.published_at.filter(|t| *t <= now).unwrap_or(now));
    update(db, &current, &input, current.version, now).await
}

/// Marks scheduled articles whose time has come as published; returns their slugs.
pub async fn publish_due(db: &Db, now: i64) -> Result<Vec<String>, SaveError> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM articles WHERE status = 'scheduled' AND published_at <= $1 ORDER BY published_at",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut done = Vec::new();
    for slug in due {
        let Some(current) = find_by_slug(db, &slug).await? else {
            continue;
        };
        let mut input = current.to_input();
        input.status = Status::Published;
        match update(db, &current, &input, current.version, now).await {
            Ok(_) => done.push(slug),
            // Someone saved it at the same moment; the next round sees the new state.
            Err(SaveError::Invalid(ArticleError::Conflict { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// How many earlier versions of the article are kept.
pub async fn revision_count(db: &Db, article_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM article_revisions WHERE article_id = $1")
        .bind(article_id)
        .fetch_one(&db.pool)
        .await
}

/// The input of each kept version, oldest first.
pub async fn revisions(db: &Db, article_id: i64) -> Result<Vec<(i64, ArticleInput)>, sqlx::Error> {
    let rows = sqlx::query("SELECT version, snapshot FROM article_revisions WHERE article_id = $1 ORDER BY version")
        .bind(article_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get("snapshot")?;
            let input = serde_json::from_str(&snapshot).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok((r.try_get("version")?, input))
        })
        .collect()
}

/// Where an article that was renamed lives now: its current slug, if it is live.
pub async fn redirect_target(db: &Db, old_slug: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    let sql = format!(
        "SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id WHERE {LIVE} AND r.old_slug = $2"
    );
    sqlx::query_scalar(AssertSqlSafe(sql)).bind(now).bind(old_slug).fetch_optional(&db.pool).await
}

/// What the newsroom's article list shows: words of the title or slug, a status, a tag and an
/// author (by slug), each optional.
#[derive(Debug, Default, Clone)]
pub struct AdminFilter {
    pub text: String,
    pub status: Option<Status>,
    pub tag: Option<String>,
    pub author: Option<String>,
    pub sort: AdminSort,
}

/// The order of the newsroom's article list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AdminSort {
    /// Most recently changed first.
    #[default]
    Changed,
    /// Latest publication (or scheduled time) first; articles without one last.
    Published,
    /// By title, A to Z.
    Title,
}

impl AdminSort {
    pub const ALL: [AdminSort; 3] = [AdminSort::Changed, AdminSort::Published, AdminSort::Title];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminSort::Changed => "changed",
            AdminSort::Published => "published",
            AdminSort::Title => "title",
        }
    }

    pub fn parse(s: &str) -> Option<AdminSort> {
        AdminSort::ALL.into_iter().find(|o| o.as_str() == s)
    }

    fn order_by(self) -> &'static str {
        match self {
            AdminSort::Changed => "a.modified_at DESC, a.id DESC",
            AdminSort::Published => "a.published_at IS NULL, a.published_at DESC, a.id DESC",
            AdminSort::Title => "LOWER(a.title), a.id",
        }
    }
}

/// One page of every article matching `filter`, in its order, and how many match.
pub async fn list_admin(
    db: &Db,
    filter: &AdminFilter,
    page: u32,
    per_page: u32,
) -> Result<(Vec<Article>, i64), sqlx::Error> {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut add = |clause: &str, value: String| {
        values.push(value);
        clauses.push(clause.replace("$N", &format!("${}", values.len())));
    };
    // SQLite's LOWER folds ASCII only; PostgreSQL's folds every letter.
    let text = match db.backend {
        crate::db::Backend::Sqlite => filter.text.trim().to_ascii_lowercase(),
        crate::db::Backend::Postgres => filter.text.trim().to_lowercase(),
    };
    if !text.is_empty() {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        add("(LOWER(a.title) LIKE $N ESCAPE '\\' OR a.slug LIKE $N ESCAPE '\\')", format!("%{escaped}%"));
    }
    if let Some(status) = filter.status {
        add("a.status = $N", status.as_str().to_string());
    }
    if let Some(tag) = &filter.tag {
        add(
            "EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id AND t.slug = $N)",
            tag.clone(),
        );
    }
    if let Some(author) = &filter.author {
        add(
            "EXISTS (SELECT 1 FROM article_authors x JOIN authors u ON u.id = x.author_id
                     WHERE x.article_id = a.id AND u.slug = $N)",
            author.clone(),
        );
    }
    let filter_sql = if clauses.is_empty() { "1 = 1".to_string() } else { clauses.join(" AND ") };
    let count_sql = format!("SELECT COUNT(*) FROM articles a WHERE {filter_sql}");
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    for v in &values {
        count = count.bind(v.clone());
    }
    let total = count.fetch_one(&db.pool).await?;
    let n = values.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM articles a WHERE {filter_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
        filter.sort.order_by(),
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for v in &values {
        query = query.bind(v.clone());
    }
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let rows = query.bind(i64::from(per_page)).bind(offset).fetch_all(&db.pool).await?;
    let mut articles = rows.iter().map(article_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_labels(db, &mut articles).await?;
    Ok((articles, total))
}

/// Every tag or author (`table` is "tags" or "authors"), by name, for pickers and filters.
pub async fn all_labels(db: &Db, table: &'static str) -> Result<Vec<Label>, sqlx::Error> {
    let sql = format!("SELECT slug, name FROM {table} ORDER BY LOWER(name), slug");
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await?;
    rows.iter().map(|r| Ok(Label { slug: r.try_get("slug")?, name: r.try_get("name")? })).collect()
}

/// An earlier version of an article, as the revision history shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Revision {
    pub version: i64,
    pub input: ArticleInput,
    /// When this version was saved and by whom (unknown for versions older than the newsroom).
    pub saved_at: Option<i64>,
    pub saved_by: Option<String>,
    /// When the next save replaced it.
    pub replaced_at: i64,
}

/// The kept versions of an article, newest first; with `version`, only that one.
pub async fn revision_list(db: &Db, article_id: i64, version: Option<i64>) -> Result<Vec<Revision>, sqlx::Error> {
    if version.is_some_and(|v| v < 1) {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT r.version, r.snapshot, r.saved_at, u.email, r.created_at FROM article_revisions r
         LEFT JOIN users u ON u.id = r.saved_by
         WHERE r.article_id = $1 AND ($2 = 0 OR r.version = $2) ORDER BY r.version DESC",
    )
    .bind(article_id)
    .bind(version.unwrap_or(0))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let snapshot: String = r.try_get("snapshot")?;
            Ok(Revision {
                version: r.try_get("version")?,
                input: serde_json::from_str(&snapshot).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                saved_at: r.try_get("saved_at")?,
                saved_by: r.try_get("email")?,
                replaced_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Who saved the current version of an article, if known.
pub async fn modified_by(db: &Db, article_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT u.email FROM articles a JOIN users u ON u.id = a.modified_by WHERE a.id = $1")
        .bind(article_id)
        .fetch_optional(&db.pool)
        .await
}

/// Keeps what an editor's form holds (JSON of its fields) for an article (0: not saved yet),
/// replacing what was kept before.
pub async fn keep_autosave(db: &Db, user_id: i64, article_id: i64, fields: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO article_autosaves (user_id, article_id, fields, saved_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, article_id) DO UPDATE SET fields = excluded.fields, saved_at = excluded.saved_at",
    )
    .bind(user_id)
    .bind(article_id)
    .bind(fields)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// What was kept for an editor and article, and when.
pub async fn autosave(db: &Db, user_id: i64, article_id: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT fields, saved_at FROM article_autosaves WHERE user_id = $1 AND article_id = $2")
        .bind(user_id)
        .bind(article_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((r.try_get("fields")?, r.try_get("saved_at")?))).transpose()
}

/// Forgets what was kept once the article is saved.
pub async fn drop_autosave(db: &Db, user_id: i64, article_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM article_autosaves WHERE user_id = $1 AND article_id = $2")
        .bind(user_id)
        .bind(article_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
