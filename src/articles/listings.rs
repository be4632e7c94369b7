//! How many live articles each listing holds, per day and in total, kept in step by every save
//! of an article: a listing's count, and where any of its pages begins, are read from a few rows
//! instead of counting or skipping articles, so page 5,000 of the archive is found as fast as
//! the first (issue 19).
//!
//! Counted are published and scheduled articles, on the day of their publication time in the
//! publication's time zone ([`Db::zone`]). Scheduled articles whose time has not come are not
//! live; they are few, found by the status index, and taken off whenever a count is read.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::{AssertSqlSafe, Row as _};

use super::queries::Listing;
use crate::db::{Backend, Db};

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// A statement whose every argument is a number, so it can be run, or explained in a test.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<i64>,
}

impl Statement {
    /// Adds an argument and returns its placeholder.
    pub(super) fn arg(&mut self, value: i64) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    pub fn query(&self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.sql.clone()));
        for arg in &self.args {
            query = query.bind(*arg);
        }
        query
    }
}

/// The rows a listing is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    All,
    Tag(i64),
    Author(i64),
}

impl Key {
    fn kind(self) -> &'static str {
        match self {
            Key::All => "all",
            Key::Tag(_) => "tag",
            Key::Author(_) => "author",
        }
    }

    fn label(self) -> i64 {
        match self {
            Key::All => 0,
            Key::Tag(id) | Key::Author(id) => id,
        }
    }
}

/// The day of `at` (Unix seconds) in `zone`, as days since 1970-01-01.
pub fn day_of(zone: &TimeZone, at: i64) -> i64 {
    match Timestamp::from_second(at) {
        Ok(t) => civil_days(t.to_zoned(zone.clone()).date()),
        Err(_) => at.div_euclid(86_400),
    }
}

/// The first second of `day` (days since 1970-01-01) in `zone`.
pub fn day_start(zone: &TimeZone, day: i64) -> i64 {
    Timestamp::from_second(day.saturating_mul(86_400))
        .ok()
        .and_then(|t| t.to_zoned(TimeZone::UTC).date().to_zoned(zone.clone()).ok())
        .map_or(day.saturating_mul(86_400), |z| z.timestamp().as_second())
}

fn civil_days(date: jiff::civil::Date) -> i64 {
    date.to_zoned(TimeZone::UTC).map_or(0, |z| z.timestamp().as_second().div_euclid(86_400))
}

fn zone_name(zone: &TimeZone) -> &str {
    zone.iana_name().unwrap_or("UTC")
}

/// Live articles among those counted: published, or scheduled and due (`now` as an argument).
fn live(s: &mut Statement, now: i64) -> String {
    let now = s.arg(now);
    format!("(a.status = 'published' OR (a.status = 'scheduled' AND a.published_at <= {now}))")
}

/// [`live`] for a page read in publication order. SQLite would otherwise answer the status
/// test from the status index and sort every live article for one page (the home page's
/// 150-190 ms at 100,000 articles); marked with a unary `+`, the status is only checked on
/// the rows the date index yields. PostgreSQL's planner weighs this itself (and has no `+`
/// for text).
pub(super) fn live_in_order(s: &mut Statement, now: i64, backend: Backend) -> String {
    let live = live(s, now);
    match backend {
        Backend::Sqlite => live.replace("a.status", "+a.status"),
        Backend::Postgres => live,
    }
}

/// The condition that keeps an article of the listing `a` in a query over articles.
pub(super) fn member(s: &mut Statement, listing: Listing) -> String {
    match listing {
        Listing::All => String::new(),
        // Checked per article by the label table's primary key: as `a.id IN (SELECT …)` the
        // planner may read the label's whole list first (111,000 rows for a topic of a
        // million-article site) to count its few scheduled articles.
        Listing::Tag(id) => {
            format!(" AND EXISTS (SELECT 1 FROM article_tags m WHERE m.article_id = a.id AND m.tag_id = {})", s.arg(id))
        }
        Listing::Author(id) => format!(
            " AND EXISTS (SELECT 1 FROM article_authors m WHERE m.article_id = a.id AND m.author_id = {})",
            s.arg(id)
        ),
        Listing::Between(start, end) => {
            format!(" AND a.published_at >= {} AND a.published_at < {}", s.arg(start), s.arg(end))
        }
    }
}

/// Scheduled articles of the listing whose time has not come: counted, not live.
fn upcoming(s: &mut Statement, listing: Listing, now: i64) -> String {
    let now = s.arg(now);
    let member = member(s, listing);
    format!("(SELECT COUNT(*) FROM articles a WHERE a.status = 'scheduled' AND a.published_at > {now}{member})")
}

/// Which counted rows answer for a listing: a whole listing, a span of whole days of all
/// articles (an archive month), or none (any other span is counted article by article).
enum Span {
    Whole(Key),
    Days(i64, i64),
    Exact,
}

fn span(zone: &TimeZone, listing: Listing) -> Span {
    match listing {
        Listing::All => Span::Whole(Key::All),
        Listing::Tag(id) => Span::Whole(Key::Tag(id)),
        Listing::Author(id) => Span::Whole(Key::Author(id)),
        Listing::Between(start, end) => {
            let (first, last) = (day_of(zone, start), day_of(zone, end));
            if day_start(zone, first) == start && day_start(zone, last) == end {
                Span::Days(first, last)
            } else {
                Span::Exact
            }
        }
    }
}

/// A listing's live articles, and how many counted ones are scheduled for later.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    pub live: i64,
    upcoming: i64,
    /// Whether the listing's days are counted, so [`locate`] can find its pages.
    by_days: bool,
}

/// The statement that counts a listing: counted articles, and upcoming ones.
pub fn count_statement(zone: &TimeZone, listing: Listing, now: i64) -> Statement {
    let mut s = Statement::default();
    s.sql = match span(zone, listing) {
        Span::Whole(key) => {
            let label = s.arg(key.label());
            let upcoming = upcoming(&mut s, listing, now);
            format!(
                "SELECT COALESCE((SELECT n FROM listing_totals WHERE kind = '{}' AND label_id = {label}), 0) \
                 AS counted, {upcoming} AS upcoming",
                key.kind()
            )
        }
        Span::Days(first, last) => {
            let (first, last) = (s.arg(first), s.arg(last));
            let upcoming = upcoming(&mut s, listing, now);
            format!(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS counted, {upcoming} AS upcoming FROM listing_days \
                 WHERE kind = 'all' AND label_id = 0 AND day >= {first} AND day < {last}"
            )
        }
        Span::Exact => {
            let live = live(&mut s, now);
            let member = member(&mut s, listing);
            format!("SELECT COUNT(*) AS counted, 0 AS upcoming FROM articles a WHERE {live}{member}")
        }
    };
    s
}

/// How many live articles the listing holds at `now`.
pub async fn count(db: &Db, listing: Listing, now: i64) -> Result<Count, sqlx::Error> {
    let row = count_statement(&db.zone, listing, now).query().fetch_one(&db.pool).await?;
    let (counted, upcoming): (i64, i64) = (row.try_get("counted")?, row.try_get("upcoming")?);
    let by_days = !matches!(span(&db.zone, listing), Span::Exact);
    Ok(Count { live: (counted - upcoming).max(0), upcoming, by_days })
}

/// The order of a walk through a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    NewestFirst,
    OldestFirst,
}

/// The statement that finds the day holding the article `target` places into the listing's
/// counted articles, and how many counted articles come before that day: the one day where
/// the running count passes `target`.
pub fn locate_statement(zone: &TimeZone, listing: Listing, order: Order, target: i64) -> Option<Statement> {
    let mut s = Statement::default();
    let (key, first, last) = match span(zone, listing) {
        Span::Whole(key) => (key, i64::from(i32::MIN), i64::from(i32::MAX)),
        Span::Days(first, last) => (Key::All, first, last),
        Span::Exact => return None,
    };
    let direction = match order {
        Order::NewestFirst => "DESC",
        Order::OldestFirst => "ASC",
    };
    let (label, first, last, target) = (s.arg(key.label()), s.arg(first), s.arg(last), s.arg(target));
    s.sql = format!(
        "SELECT day, run - n AS counted_before \
         FROM (SELECT day, n, CAST(SUM(n) OVER (ORDER BY day {direction}) AS BIGINT) AS run \
         FROM listing_days WHERE kind = '{}' AND label_id = {label} AND day >= {first} AND day < {last}) t \
         WHERE run > {target} AND run - n <= {target}",
        key.kind()
    );
    Some(s)
}

/// Where the page that begins `offset` live articles into the listing starts: the publication
/// time it starts before (newest first) or at (oldest first), and how many live articles to
/// skip from there, at most a day's worth. `None` when the page is found as well by skipping:
/// the listing's days are not counted, or the page begins today, where the scheduled articles
/// still to come lie.
pub async fn locate(
    db: &Db,
    listing: Listing,
    count: &Count,
    order: Order,
    offset: i64,
    now: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    if !count.by_days {
        return Ok(None);
    }
    // Newest first, the scheduled articles still to come are counted before every live one.
    let target = match order {
        Order::NewestFirst => offset + count.upcoming,
        Order::OldestFirst => offset,
    };
    let Some(statement) = locate_statement(&db.zone, listing, order, target) else {
        return Ok(None);
    };
    let Some(row) = statement.query().fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let (day, before): (i64, i64) = (row.try_get("day")?, row.try_get("counted_before")?);
    if day >= day_of(&db.zone, now) {
        return Ok(None);
    }
    Ok(Some(match order {
        Order::NewestFirst => (day_start(&db.zone, day + 1), target - before),
        Order::OldestFirst => (day_start(&db.zone, day), target - before),
    }))
}

/// How a query walks a listing's articles in publication order: its tables, the publication
/// time and id it orders by, and the condition that joins them.
pub(super) struct Walk {
    pub from: &'static str,
    pub date: &'static str,
    pub id: &'static str,
    pub condition: String,
}

/// A tag's or an author's articles are walked by that label's own index by publication time
/// (`article_tags_listing`), however few they are among all; the others by the articles' own.
pub(super) fn walk(s: &mut Statement, listing: Listing) -> Walk {
    let by_label = |from, column, s: &mut Statement, label: i64| Walk {
        from,
        date: "x.published_at",
        id: "x.article_id",
        condition: format!(" AND x.{column} = {} AND a.id = x.article_id", s.arg(label)),
    };
    match listing {
        Listing::Tag(label) => by_label("article_tags x CROSS JOIN articles a", "tag_id", s, label),
        Listing::Author(label) => by_label("article_authors x CROSS JOIN articles a", "author_id", s, label),
        Listing::All | Listing::Between(..) => {
            Walk { from: "articles a", date: "a.published_at", id: "a.id", condition: member(s, listing) }
        }
    }
}

/// One page of the listing's live articles, newest first: `columns` of the articles `a`,
/// those published before `before` if given, skipping `skip`. A tag's or author's page walks
/// that label's own index by publication time.
pub fn page_statement(
    backend: Backend,
    columns: &str,
    listing: Listing,
    before: Option<i64>,
    limit: i64,
    skip: i64,
    now: i64,
) -> Statement {
    let mut s = Statement::default();
    let live = live_in_order(&mut s, now, backend);
    let Walk { from, date, id, mut condition } = walk(&mut s, listing);
    if let Some(before) = before {
        condition.push_str(&format!(" AND {date} < {}", s.arg(before)));
    }
    let (limit, skip) = (s.arg(limit), s.arg(skip));
    s.sql = format!(
        "SELECT {columns} FROM {from} WHERE {live}{condition} ORDER BY {date} DESC, {id} DESC LIMIT {limit} OFFSET {skip}"
    );
    s
}

/// Counts gathered in memory before they are written.
#[derive(Default)]
struct Tally {
    days: HashMap<(Key, i64), i64>,
    totals: HashMap<Key, (i64, Option<i64>)>,
}

impl Tally {
    fn add(&mut self, key: Key, day: i64, delta: i64, changed: Option<i64>) {
        *self.days.entry((key, day)).or_default() += delta;
        let total = self.totals.entry(key).or_default();
        total.0 += delta;
        total.1 = total.1.max(changed);
    }

    /// Adds the tally to the stored counts.
    async fn write(self, conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
        let days: Vec<_> = self.days.into_iter().collect();
        for chunk in days.chunks(500) {
            let mut s = Statement::default();
            let values: Vec<String> = chunk
                .iter()
                .map(|((key, day), n)| {
                    let label = s.arg(key.label());
                    format!("('{}', {label}, {}, {})", key.kind(), s.arg(*day), s.arg(*n))
                })
                .collect();
            s.sql = format!(
                "INSERT INTO listing_days (kind, label_id, day, n) VALUES {} \
                 ON CONFLICT (kind, label_id, day) DO UPDATE SET n = listing_days.n + excluded.n",
                values.join(", ")
            );
            s.query().execute(&mut *conn).await?;
        }
        let totals: Vec<_> = self.totals.into_iter().collect();
        for chunk in totals.chunks(500) {
            let values: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, (key, _))| format!("('{}', ${}, ${}, ${})", key.kind(), 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO listing_totals (kind, label_id, n, changed_at) VALUES {} \
                 ON CONFLICT (kind, label_id) DO UPDATE SET n = listing_totals.n + excluded.n, \
                 changed_at = CASE WHEN listing_totals.changed_at IS NULL OR excluded.changed_at > listing_totals.changed_at \
                 THEN COALESCE(excluded.changed_at, listing_totals.changed_at) ELSE listing_totals.changed_at END",
                values.join(", ")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for (key, (n, changed)) in chunk {
                query = query.bind(key.label()).bind(*n).bind(*changed);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Adds (`delta` 1) or takes away (-1) the article's place in every listing it is counted in,
/// as the transaction sees it. A save takes it away before it changes the article and adds it
/// after, so whatever changed (status, time, tags, authors), the counts follow.
pub async fn relist(tx: &mut Tx<'_>, zone: &TimeZone, article_id: i64, delta: i64) -> Result<(), sqlx::Error> {
    let row = sqlx::query(
        "SELECT status, published_at, COALESCE(updated_at, published_at) AS changed_at FROM articles \
         WHERE id = $1 AND status IN ('published', 'scheduled') AND published_at IS NOT NULL",
    )
    .bind(article_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let day = day_of(zone, row.try_get("published_at")?);
    // Only a published article's change is a change of a page readers see.
    let changed = (delta > 0 && row.try_get::<String, _>("status")? == "published")
        .then(|| row.try_get("changed_at"))
        .transpose()?;
    let labels = sqlx::query(
        "SELECT 0 AS kind, tag_id AS label_id FROM article_tags WHERE article_id = $1 \
         UNION ALL SELECT 1, author_id FROM article_authors WHERE article_id = $1",
    )
    .bind(article_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut tally = Tally::default();
    tally.add(Key::All, day, delta, changed);
    for label in labels {
        let id: i64 = label.try_get("label_id")?;
        let key = if label.try_get::<i64, _>("kind")? == 0 { Key::Tag(id) } else { Key::Author(id) };
        tally.add(key, day, delta, changed);
    }
    tally.write(tx).await
}

/// Counts tag `id`'s articles again from scratch (after tags were merged into it), and drops
/// the counts of the tag `gone`.
pub async fn recount_tag(tx: &mut Tx<'_>, zone: &TimeZone, id: i64, gone: i64) -> Result<(), sqlx::Error> {
    for label in [id, gone] {
        sqlx::query("DELETE FROM listing_days WHERE kind = 'tag' AND label_id = $1")
            .bind(label)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM listing_totals WHERE kind = 'tag' AND label_id = $1")
            .bind(label)
            .execute(&mut **tx)
            .await?;
    }
    let rows = sqlx::query(
        "SELECT a.status, a.published_at, COALESCE(a.updated_at, a.published_at) AS changed_at FROM article_tags x \
         JOIN articles a ON a.id = x.article_id \
         WHERE x.tag_id = $1 AND a.status IN ('published', 'scheduled') AND a.published_at IS NOT NULL",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut tally = Tally::default();
    for row in rows {
        let changed =
            (row.try_get::<String, _>("status")? == "published").then(|| row.try_get("changed_at")).transpose()?;
        tally.add(Key::Tag(id), day_of(zone, row.try_get("published_at")?), 1, changed);
    }
    tally.write(tx).await
}

/// Counts every listing again from the articles when they were counted in another time zone or
/// never (a new database, or one from before the counts): once at start-up, in one transaction.
/// Returns whether it counted.
pub async fn ensure(db: &Db) -> Result<bool, sqlx::Error> {
    let zone = zone_name(&db.zone);
    let stored: Option<String> =
        sqlx::query_scalar("SELECT zone FROM listing_calendar WHERE id = 1").fetch_optional(&db.pool).await?;
    if stored.as_deref() == Some(zone) {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        // A save on another node waits, and adds its change to the new counts after.
        sqlx::query("LOCK TABLE listing_days, listing_totals, listing_calendar IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT zone FROM listing_calendar WHERE id = 1").fetch_optional(&mut *tx).await?;
    if stored.as_deref() == Some(zone) {
        return Ok(false); // another node counted meanwhile
    }
    let started = std::time::Instant::now();
    sqlx::query("DELETE FROM listing_days").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM listing_totals").execute(&mut *tx).await?;
    // Read a batch of articles at a time by id, each with its labels.
    let mut after = 0_i64;
    let mut articles = 0_usize;
    loop {
        let rows = sqlx::query(
            "SELECT id, status, published_at, COALESCE(updated_at, published_at) AS changed_at FROM articles \
             WHERE id > $1 AND status IN ('published', 'scheduled') AND published_at IS NOT NULL ORDER BY id LIMIT 20000",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else {
            break;
        };
        let last: i64 = last.try_get("id")?;
        let mut dates: HashMap<i64, (i64, Option<i64>)> = HashMap::with_capacity(rows.len());
        let mut tally = Tally::default();
        for row in &rows {
            let day = day_of(&db.zone, row.try_get("published_at")?);
            let changed =
                (row.try_get::<String, _>("status")? == "published").then(|| row.try_get("changed_at")).transpose()?;
            dates.insert(row.try_get("id")?, (day, changed));
            tally.add(Key::All, day, 1, changed);
        }
        let labels = sqlx::query(
            "SELECT 0 AS kind, article_id, tag_id AS label_id FROM article_tags \
             WHERE article_id > $1 AND article_id <= $2 \
             UNION ALL SELECT 1, article_id, author_id FROM article_authors WHERE article_id > $1 AND article_id <= $2",
        )
        .bind(after)
        .bind(last)
        .fetch_all(&mut *tx)
        .await?;
        for label in labels {
            let Some(&(day, changed)) = dates.get(&label.try_get("article_id")?) else {
                continue;
            };
            let id: i64 = label.try_get("label_id")?;
            let key = if label.try_get::<i64, _>("kind")? == 0 { Key::Tag(id) } else { Key::Author(id) };
            tally.add(key, day, 1, changed);
        }
        tally.write(&mut tx).await?;
        articles += rows.len();
        after = last;
    }
    sqlx::query(
        "INSERT INTO listing_calendar (id, zone) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET zone = excluded.zone",
    )
    .bind(zone)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(articles, zone, took_ms = started.elapsed().as_millis() as u64, "listings counted");
    Ok(true)
}
