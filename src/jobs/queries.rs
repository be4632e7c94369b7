//! Reading and writing job listings and the record of partner-feed imports.

use sqlx::{AnyConnection, AssertSqlSafe, Row as _, any::AnyRow};

use super::model::{Job, JobInput, Workplace};
use crate::articles::markdown;
use crate::changes::{Event, Scope};
use std::collections::HashSet;

use crate::db::{Backend, Db};

/// Current listings: posted, not expired, not withdrawn ($1 is now).
const CURRENT: &str = "j.withdrawn_at IS NULL AND j.posted_at <= $1 AND j.expires_at > $1";
const COLUMNS: &str = "j.id, j.source, j.external_id, j.title, j.employer, j.location, j.workplace, j.kind, \
                       j.description_md, j.description_html, j.apply_url, j.posted_at, j.expires_at, j.withdrawn_at, j.sponsored";

fn job_from_row(row: &AnyRow) -> Result<Job, sqlx::Error> {
    let workplace: String = row.try_get("workplace")?;
    Ok(Job {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        external_id: row.try_get("external_id")?,
        title: row.try_get("title")?,
        employer: row.try_get("employer")?,
        location: row.try_get("location")?,
        workplace: Workplace::parse(&workplace).unwrap_or(Workplace::Onsite),
        kind: row.try_get("kind")?,
        description_md: row.try_get("description_md")?,
        description_html: row.try_get("description_html")?,
        apply_url: row.try_get("apply_url")?,
        posted_at: row.try_get("posted_at")?,
        expires_at: row.try_get("expires_at")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
        sponsored: row.try_get::<i64, _>("sponsored")? != 0,
    })
}

/// Filters of the jobs page; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub location: String,
    pub workplace: Option<Workplace>,
    pub kind: String,
}

/// One page of current listings, newest first, and how many match.
pub async fn current(
    db: &Db,
    filter: &Filter,
    page: i64,
    per_page: i64,
    now: i64,
) -> Result<(Vec<Job>, i64), sqlx::Error> {
    let mut conditions = vec![CURRENT.to_string()];
    let mut binds: Vec<String> = Vec::new();
    if !filter.location.is_empty() {
        binds.push(filter.location.clone());
        conditions.push(format!("j.location = ${}", binds.len() + 1));
    }
    if let Some(workplace) = filter.workplace {
        binds.push(workplace.as_str().to_string());
        conditions.push(format!("j.workplace = ${}", binds.len() + 1));
    }
    if !filter.kind.is_empty() {
        binds.push(filter.kind.clone());
        conditions.push(format!("j.kind = ${}", binds.len() + 1));
    }
    let filter_sql = conditions.join(" AND ");
    let mut count =
        sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM jobs j WHERE {filter_sql}"))).bind(now);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total: i64 = count.fetch_one(&db.pool).await?.try_get("n")?;
    let n = binds.len() + 1;
    let sql = format!(
        "SELECT {COLUMNS} FROM jobs j WHERE {filter_sql} ORDER BY j.posted_at DESC, j.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(now);
    for b in &binds {
        query = query.bind(b.clone());
    }
    let rows = query.bind(per_page).bind((page - 1) * per_page).fetch_all(&db.pool).await?;
    Ok((rows.iter().map(job_from_row).collect::<Result<_, _>>()?, total))
}

/// The places of current listings, for the filter.
pub async fn locations(db: &Db, now: i64) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT DISTINCT j.location FROM jobs j WHERE {CURRENT} ORDER BY j.location");
    sqlx::query_scalar(AssertSqlSafe(sql)).bind(now).fetch_all(&db.pool).await
}

/// A listing by id, whatever its state.
pub async fn find(db: &Db, id: i64) -> Result<Option<Job>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM jobs j WHERE j.id = $1");
    sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?.as_ref().map(job_from_row).transpose()
}

/// Every listing, newest first, for the admin area.
pub async fn all(db: &Db) -> Result<Vec<Job>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM jobs j ORDER BY j.posted_at DESC, j.id DESC");
    sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(job_from_row).collect()
}

/// What a change of listings touches: the job pages, and the jobs box beside articles and on
/// the home page, so every page.
fn job_pages() -> Event {
    Event::PagesChanged { scopes: vec![Scope::All] }
}

/// Stores a new listing written in the admin area (or an imported one, with its feed id).
pub async fn create(db: &Db, input: &JobInput, external_id: Option<&str>, now: i64) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, input, external_id, now).await?;
    crate::changes::record(&mut tx, job_pages()).await?;
    tx.commit().await?;
    Ok(id)
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a listing's fields as `$1` to `$11` and `now` as `$12`, for insert and update alike.
fn bind_fields<'q>(query: AnyQuery<'q>, input: &JobInput, now: i64) -> AnyQuery<'q> {
    query
        .bind(input.title.clone())
        .bind(input.employer.clone())
        .bind(input.location.clone())
        .bind(input.workplace.as_str())
        .bind(input.kind.clone())
        .bind(input.description_md.clone())
        .bind(markdown::render(&input.description_md))
        .bind(input.apply_url.clone())
        .bind(input.posted_at)
        .bind(input.expires_at)
        .bind(i64::from(input.sponsored))
        .bind(now)
}

async fn insert(
    conn: &mut AnyConnection,
    input: &JobInput,
    external_id: Option<&str>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let query = sqlx::query(
        "INSERT INTO jobs (title, employer, location, workplace, kind, description_md, description_html, apply_url, \
         posted_at, expires_at, sponsored, created_at, updated_at, source, external_id, withdrawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, NULL) RETURNING id",
    );
    let row = bind_fields(query, input, now)
        .bind(if external_id.is_some() { "feed" } else { "manual" })
        .bind(external_id.map(str::to_string))
        .fetch_one(&mut *conn)
        .await?;
    row.try_get("id")
}

/// Replaces a listing's fields; a withdrawn listing that comes back is current again.
pub async fn update(db: &Db, id: i64, input: &JobInput, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = replace(&mut tx, id, input, now).await?;
    crate::changes::record(&mut tx, job_pages()).await?;
    tx.commit().await?;
    Ok(done)
}

async fn replace(conn: &mut AnyConnection, id: i64, input: &JobInput, now: i64) -> Result<bool, sqlx::Error> {
    let query = sqlx::query(
        "UPDATE jobs SET title = $1, employer = $2, location = $3, workplace = $4, kind = $5, description_md = $6, \
         description_html = $7, apply_url = $8, posted_at = $9, expires_at = $10, sponsored = $11, withdrawn_at = NULL, \
         withdrawn_by = NULL, updated_at = $12 WHERE id = $13",
    );
    let done = bind_fields(query, input, now).bind(id).execute(&mut *conn).await?;
    Ok(done.rows_affected() > 0)
}

pub async fn withdraw(db: &Db, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE jobs SET withdrawn_at = $1, withdrawn_by = 'editor', updated_at = $1 WHERE id = $2 AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        crate::changes::record(&mut tx, job_pages()).await?;
    }
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

/// The outcome of one partner-feed import.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportRun {
    pub started_at: i64,
    pub ok: bool,
    pub created: i64,
    pub updated: i64,
    pub withdrawn: i64,
    pub message: String,
}

pub async fn record_import(db: &Db, run: &ImportRun) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO job_imports (started_at, ok, created, updated, withdrawn, message) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(run.started_at)
    .bind(i64::from(run.ok))
    .bind(run.created)
    .bind(run.updated)
    .bind(run.withdrawn)
    .bind(&run.message)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn last_import(db: &Db) -> Result<Option<ImportRun>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT started_at, ok, created, updated, withdrawn, message FROM job_imports ORDER BY started_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(ImportRun {
            started_at: r.try_get("started_at")?,
            ok: r.try_get::<i64, _>("ok")? != 0,
            created: r.try_get("created")?,
            updated: r.try_get("updated")?,
            withdrawn: r.try_get("withdrawn")?,
            message: r.try_get("message")?,
        })
    })
    .transpose()
}

/// Upserts the usable listings of a parsed feed by their feed ids, and withdraws imported
/// listings whose id is no longer in the feed at all (`present` holds every id the feed has,
/// usable or not), in one transaction. Listings an editor took down stay down.
pub async fn apply_feed(
    db: &Db,
    items: &[(String, JobInput)],
    present: &HashSet<String>,
    now: i64,
) -> Result<(i64, i64, i64), sqlx::Error> {
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        // One import at a time across nodes (SQLite's write lock does this by itself).
        sqlx::query("SELECT pg_advisory_xact_lock(7262430716)").execute(&mut *tx).await?;
    }
    let (mut created, mut updated) = (0, 0);
    for (external_id, input) in items {
        let existing: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, withdrawn_by FROM jobs WHERE source = 'feed' AND external_id = $1")
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await?;
        let existing = match existing {
            Some((_, Some(by))) if by == "editor" => continue,
            other => other.map(|(id, _)| id),
        };
        match existing {
            Some(id) => {
                replace(&mut tx, id, input, now).await?;
                updated += 1;
            }
            None => {
                insert(&mut tx, input, Some(external_id), now).await?;
                created += 1;
            }
        }
    }
    // What left the feed is withdrawn, not deleted: it can come back.
    let current: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, external_id FROM jobs WHERE source = 'feed' AND withdrawn_at IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    let mut withdrawn = 0;
    for (id, external) in current {
        if !present.contains(&external) {
            sqlx::query("UPDATE jobs SET withdrawn_at = $1, withdrawn_by = 'feed', updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            withdrawn += 1;
        }
    }
    if created + updated + withdrawn > 0 {
        crate::changes::record(&mut tx, job_pages()).await?;
    }
    tx.commit().await?;
    Ok((created, updated, withdrawn))
}
