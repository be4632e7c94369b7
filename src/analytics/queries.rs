//! The counts in the database: flushes that add a node's counters to hourly, daily and monthly
//! rows (the dashboard's day reads hours, its week and month days, its year months),
//! the day's salt, retention, and what the dashboard reads.

use std::collections::HashMap;

use sqlx::Row as _;

use super::sketch::Sketch;
use super::{Batch, Counter, Day};
use crate::db::Db;

/// A level of the counts: rows per hour, or per day or month of the publication's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    Hour,
    Day,
    Month,
}

impl Span {
    fn code(self) -> &'static str {
        match self {
            Span::Hour => "h",
            Span::Day => "d",
            Span::Month => "m",
        }
    }
}

/// The most rows one statement adds.
const ROWS_PER_STATEMENT: usize = 200;

/// A value bound into a flush's statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    Int(i64),
    Text(String),
    MaybeInt(Option<i64>),
}

/// Adds a node's counts since the last flush to the database, and loads the salts of today and
/// tomorrow for the visitors' hashes. A failure gives the counts back to the counter, for the
/// next flush; nothing is counted twice, since the transaction wrote none of them.
pub async fn flush(db: &Db, counter: &Counter, now: i64) -> anyhow::Result<()> {
    let settings = counter.settings();
    let today = Day::of(now, &settings.time_zone);
    counter.set_salts(salts(db, today, &settings.time_zone).await?);
    let batch = counter.take();
    if batch.is_empty() && batch.visitors.is_empty() {
        return Ok(());
    }
    if let Err(e) = write(db, &batch, &settings.time_zone, &counter.node, now).await {
        counter.give_back(batch);
        return Err(e.into());
    }
    Ok(())
}

/// The salts of `today` and of the day after (made when missing, by whichever node comes
/// first), by their day's start; older salts are deleted, so yesterday's hashes can no longer be
/// made again.
async fn salts(db: &Db, today: Day, zone: &jiff::tz::TimeZone) -> Result<HashMap<i64, [u8; 16]>, sqlx::Error> {
    let tomorrow = Day::of(today.end, zone);
    for day in [today.start, tomorrow.start] {
        sqlx::query("INSERT INTO analytics_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
            .bind(day)
            .bind(crate::auth::keys::random_hex(16))
            .execute(&db.pool)
            .await?;
    }
    sqlx::query("DELETE FROM analytics_salts WHERE day < $1").bind(today.start).execute(&db.pool).await?;
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT day, salt FROM analytics_salts WHERE day IN ($1, $2)")
        .bind(today.start)
        .bind(tomorrow.start)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().filter_map(|(day, salt)| Some((day, salt_bytes(&salt)?))).collect())
}

fn salt_bytes(hex: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    if hex.len() != 32 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A table's counts of one hour, before they are rolled up: the values that name its row
/// (after `span` and `at`), values carried along (the article of a page), and the counts.
struct Hourly {
    hour: i64,
    key: Vec<Value>,
    carried: Vec<Value>,
    counts: Vec<i64>,
}

/// The rows of one table for a flush: each hour's counts as they are, and summed by day and by
/// month of the publication's calendar. Rows are `[span, at, key…, carried…, counts…]`.
fn rolled_up(hourly: Vec<Hourly>, calendar: &mut Calendar<'_>) -> Vec<Vec<Value>> {
    // (span, at, key) → (carried, counts)
    type Row = (Vec<Value>, Vec<i64>);
    let mut levels: HashMap<(Span, i64, Vec<Value>), Row> = HashMap::new();
    for row in hourly {
        let (day, month) = calendar.day_and_month(row.hour);
        for (span, at) in [(Span::Hour, row.hour), (Span::Day, day), (Span::Month, month)] {
            let entry = levels
                .entry((span, at, row.key.clone()))
                .or_insert_with(|| (row.carried.clone(), vec![0; row.counts.len()]));
            for (sum, n) in entry.1.iter_mut().zip(&row.counts) {
                *sum += n;
            }
        }
    }
    levels
        .into_iter()
        .map(|((span, at, key), (carried, counts))| {
            let mut out = vec![Value::Text(span.code().into()), Value::Int(at)];
            out.extend(key);
            out.extend(carried);
            out.extend(counts.into_iter().map(Value::Int));
            out
        })
        .collect()
}

/// The day and the month (their first seconds) of hours, in the publication's calendar,
/// worked out once per hour.
struct Calendar<'a> {
    zone: &'a jiff::tz::TimeZone,
    known: HashMap<i64, (i64, i64)>,
}

impl Calendar<'_> {
    fn day_and_month(&mut self, hour: i64) -> (i64, i64) {
        let zone = self.zone;
        *self.known.entry(hour).or_insert_with(|| {
            let day = Day::of(hour, zone).start;
            let month = jiff::Timestamp::from_second(hour)
                .ok()
                .and_then(|t| t.to_zoned(zone.clone()).first_of_month().ok()?.start_of_day().ok())
                .map_or(day, |z| z.timestamp().as_second());
            (day, month)
        })
    }

    /// The end of the day or month whose rows start at `at` (a month made from days before
    /// months were kept may start on its first day with counts).
    fn end_of(&self, span: Span, at: i64) -> i64 {
        let day = Day::of(at, self.zone);
        match span {
            Span::Hour => at + 3600,
            Span::Day => day.end,
            Span::Month => jiff::Timestamp::from_second(at)
                .ok()
                .and_then(|t| t.to_zoned(self.zone.clone()).last_of_month().ok()?.tomorrow().ok()?.start_of_day().ok())
                .map_or(day.end, |z| z.timestamp().as_second()),
        }
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

async fn write(db: &Db, batch: &Batch, zone: &jiff::tz::TimeZone, node: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut calendar = Calendar { zone, known: HashMap::new() };
    let pages = batch
        .pages
        .iter()
        .map(|((hour, path), (article, views))| Hourly {
            hour: *hour,
            key: vec![Value::Text(path.clone())],
            carried: vec![Value::MaybeInt(*article)],
            counts: vec![count(*views)],
        })
        .collect();
    let pages = rolled_up(pages, &mut calendar);
    let sources = batch
        .sources
        .iter()
        .map(|((hour, medium, host), views)| Hourly {
            hour: *hour,
            key: vec![Value::Text(medium.name().into()), Value::Text(host.clone())],
            carried: vec![],
            counts: vec![count(*views)],
        })
        .collect();
    let sources = rolled_up(sources, &mut calendar);
    let devices = batch
        .devices
        .iter()
        .map(|((hour, device), views)| Hourly {
            hour: *hour,
            key: vec![Value::Text(device.name().into())],
            carried: vec![],
            counts: vec![count(*views)],
        })
        .collect();
    let devices = rolled_up(devices, &mut calendar);
    let searches = batch
        .searches
        .iter()
        .map(|((hour, term), (n, empty))| Hourly {
            hour: *hour,
            key: vec![Value::Text(term.clone())],
            carried: vec![],
            counts: vec![count(*n), count(*empty)],
        })
        .collect();
    let searches = rolled_up(searches, &mut calendar);
    let clicks = batch
        .clicks
        .iter()
        .map(|((hour, link), n)| Hourly {
            hour: *hour,
            key: vec![Value::Int(*link)],
            carried: vec![],
            counts: vec![count(*n)],
        })
        .collect();
    let clicks = rolled_up(clicks, &mut calendar);

    let mut tx = db.begin().await?;
    // Counts that arrive for a day or month already sealed (a node that could not write for a
    // while, a clock set back) go to its kept rows as well.
    let sealed: HashMap<String, i64> =
        sqlx::query_as("SELECT span, until FROM analytics_sealed").fetch_all(&mut *tx).await?.into_iter().collect();
    let late = |rows: &[Vec<Value>]| -> Vec<Vec<Value>> {
        rows.iter()
            .filter(|row| match (&row[0], &row[1]) {
                (Value::Text(span), Value::Int(at)) => sealed.get(span).is_some_and(|until| at < until),
                _ => false,
            })
            .cloned()
            .collect()
    };
    let (late_pages, late_searches) = (late(&pages), late(&searches));
    let add = "views = {t}.views + excluded.views";
    let page_columns = ["span", "at", "path", "article_id", "views"];
    upsert(&mut tx, "analytics_kept_pages", &page_columns, 3, add, late_pages).await?;
    upsert(&mut tx, "analytics_pages", &page_columns, 3, add, pages).await?;
    upsert(&mut tx, "analytics_sources", &["span", "at", "medium", "referrer", "views"], 4, add, sources).await?;
    upsert(&mut tx, "analytics_devices", &["span", "at", "device", "views"], 3, add, devices).await?;
    let add_searches = "searches = {t}.searches + excluded.searches, empty = {t}.empty + excluded.empty";
    let search_columns = ["span", "at", "term", "searches", "empty"];
    upsert(&mut tx, "analytics_kept_searches", &search_columns, 3, add_searches, late_searches).await?;
    upsert(&mut tx, "analytics_searches", &search_columns, 3, add_searches, searches).await?;
    let add_clicks = "clicks = {t}.clicks + excluded.clicks";
    upsert(&mut tx, "analytics_clicks", &["span", "at", "link_id", "clicks"], 3, add_clicks, clicks).await?;
    for (day, sketch) in &batch.visitors {
        sqlx::query(
            "INSERT INTO analytics_visitors (day, node, sketch, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (day, node) DO UPDATE SET sketch = excluded.sketch, updated_at = excluded.updated_at",
        )
        .bind(day)
        .bind(node)
        .bind(sketch.encode())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Adds `rows` to `table`: the first `keys` columns name a row, `update` (with `{t}` for the
/// table) adds the new counts to one that is there.
async fn upsert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    columns: &[&str],
    keys: usize,
    update: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), sqlx::Error> {
    let update = update.replace("{t}", table);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let width = columns.len();
        let values: Vec<String> =
            (0..chunk.len()).map(|r| format!("({})", crate::db::placeholders(r * width, width))).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {update}",
            columns.join(", "),
            values.join(", "),
            columns[..keys].join(", "),
        );
        // Table and column names are this module's constants; every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Int(n) => query.bind(*n),
                Value::Text(s) => query.bind(s.clone()),
                Value::MaybeInt(n) => query.bind(*n),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Deletes hourly rows older than `hourly_days`, and daily rows (with the days' sketches) and
/// the months that ended before them older than `daily_days` (0: kept for good).
pub async fn purge(db: &Db, now: i64, hourly_days: u32, daily_days: u32) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    let mut levels = vec![("h", now - i64::from(hourly_days) * 86_400)];
    if daily_days > 0 {
        levels.push(("d", now - i64::from(daily_days) * 86_400));
        // A month goes with the daily rows' retention, once it ended before it.
        levels.push(("m", now - i64::from(daily_days) * 86_400 - 31 * 86_400));
    }
    for (span, before) in levels {
        for table in [
            "analytics_pages",
            "analytics_sources",
            "analytics_devices",
            "analytics_searches",
            "analytics_clicks",
            "analytics_kept_pages",
            "analytics_kept_searches",
        ] {
            let sql = format!("DELETE FROM {table} WHERE span = $1 AND at < $2");
            deleted +=
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(span).bind(before).execute(&db.pool).await?.rows_affected();
        }
        if span == "d" {
            deleted += sqlx::query("DELETE FROM analytics_visitors WHERE day < $1")
                .bind(before)
                .execute(&db.pool)
                .await?
                .rows_affected();
        }
    }
    Ok(deleted)
}

/// How many of a day's or a month's pages, articles and searches each list keeps once it is
/// over (see [`seal`]).
pub const KEPT: i64 = 1_000;

/// How long after its end a day or a month is sealed: the nodes' flushes of its last hour have
/// arrived by then.
const SEAL_AFTER: i64 = 3_600;

/// The most days or months one call seals of each level, so that a site with a long history
/// catches up over a few flushes rather than holding one up.
const SEALS_PER_CALL: usize = 16;

/// Seals the days and months that are over, oldest first: copies the rows that can reach one
/// of the dashboard's lists to the kept tables, `kept` of each list (the most visited paths,
/// the paths of the most read articles, the most frequent searches and those that most often
/// found nothing), and moves the level's mark past them. Any node may do it; two at once copy
/// the same rows. Returns how many were sealed.
pub async fn seal(db: &Db, zone: &jiff::tz::TimeZone, now: i64, kept: i64) -> Result<usize, sqlx::Error> {
    let calendar = Calendar { zone, known: HashMap::new() };
    let mut sealed = 0;
    for span in [Span::Day, Span::Month] {
        let mut until = sealed_until(db, span).await?;
        for _ in 0..SEALS_PER_CALL {
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(at) FROM (\
                    SELECT MIN(at) AS at FROM analytics_pages WHERE span = $1 AND at >= $2 \
                    UNION ALL SELECT MIN(at) AS at FROM analytics_searches WHERE span = $1 AND at >= $2\
                 ) x",
            )
            .bind(span.code())
            .bind(until)
            .fetch_one(&db.pool)
            .await?;
            let Some(at) = next.filter(|at| calendar.end_of(span, *at) + SEAL_AFTER <= now) else {
                break;
            };
            let mut tx = db.begin().await?;
            for keep in [KEEP_PAGES, KEEP_SEARCHES] {
                sqlx::query(keep).bind(span.code()).bind(at).bind(kept).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO analytics_sealed (span, until) VALUES ($1, $2) ON CONFLICT (span) DO UPDATE \
                 SET until = CASE WHEN excluded.until > analytics_sealed.until \
                 THEN excluded.until ELSE analytics_sealed.until END",
            )
            .bind(span.code())
            .bind(at + 1)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            until = at + 1;
            sealed += 1;
        }
    }
    Ok(sealed)
}

/// Copies the rows of the day or month of span `$1` starting at `$2` that are among its `$3`
/// most visited paths or belong to its `$3` most read articles.
const KEEP_PAGES: &str = "INSERT INTO analytics_kept_pages (span, at, path, article_id, views) \
    SELECT span, at, path, article_id, views FROM analytics_pages WHERE span = $1 AND at = $2 AND (\
        path IN (SELECT path FROM analytics_pages WHERE span = $1 AND at = $2 ORDER BY views DESC, path LIMIT $3) \
        OR article_id IN (SELECT article_id FROM analytics_pages WHERE span = $1 AND at = $2 \
            AND article_id IS NOT NULL GROUP BY article_id ORDER BY SUM(views) DESC, article_id LIMIT $3)\
    ) ON CONFLICT (span, at, path) DO NOTHING";

/// Copies the rows of the day or month of span `$1` starting at `$2` that are among its `$3`
/// most frequent searches or its `$3` searches that most often found nothing.
const KEEP_SEARCHES: &str = "INSERT INTO analytics_kept_searches (span, at, term, searches, empty) \
    SELECT span, at, term, searches, empty FROM analytics_searches WHERE span = $1 AND at = $2 AND (\
        term IN (SELECT term FROM analytics_searches WHERE span = $1 AND at = $2 ORDER BY searches DESC, term LIMIT $3) \
        OR term IN (SELECT term FROM analytics_searches WHERE span = $1 AND at = $2 AND empty > 0 \
            ORDER BY empty DESC, term LIMIT $3)\
    ) ON CONFLICT (span, at, term) DO NOTHING";

/// Where the days or months that are sealed end: every one whose rows start before it.
async fn sealed_until(db: &Db, span: Span) -> Result<i64, sqlx::Error> {
    let until: Option<i64> = sqlx::query_scalar("SELECT until FROM analytics_sealed WHERE span = $1")
        .bind(span.code())
        .fetch_optional(&db.pool)
        .await?;
    Ok(until.unwrap_or(i64::MIN))
}

/// Which rows a list of the dashboard sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The kept rows of the days or months that are sealed, and every row of the rest: fast at
    /// any size. A page or search is left out of a sealed day only when it was not among that
    /// day's [`KEPT`]; on the generated year of BENCHMARKS.md the top lists come out the same.
    Kept,
    /// Every row: for the CSV exports, which list up to a thousand.
    All,
}

/// The rows a period is summed from: runs of one level each, `(span, from, to)`. A list of days
/// that holds whole months reads those months' rows and the days before and after them, so a
/// year of days sums about twelve months and a few weeks of days rather than 365 days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments(Vec<(Span, i64, i64)>);

impl Segments {
    /// `[from, to)` at one level.
    pub fn one(span: Span, from: i64, to: i64) -> Segments {
        Segments(vec![(span, from, to)])
    }

    /// The days in `[from, to)` (day starts in `zone`), with the whole months among them read
    /// by month.
    pub fn days(from: i64, to: i64, zone: &jiff::tz::TimeZone) -> Segments {
        let month_start = |t: i64| {
            jiff::Timestamp::from_second(t)
                .ok()
                .and_then(|t| t.to_zoned(zone.clone()).first_of_month().ok()?.start_of_day().ok())
                .map(|z| z.timestamp().as_second())
        };
        let calendar = Calendar { zone, known: HashMap::new() };
        // The first month that starts within the days, and the end of the last whole one.
        let Some(first) = month_start(from).map(|m| if m < from { calendar.end_of(Span::Month, m) } else { m }) else {
            return Segments::one(Span::Day, from, to);
        };
        let mut end = first;
        while calendar.end_of(Span::Month, end) <= to {
            end = calendar.end_of(Span::Month, end);
        }
        if end == first {
            return Segments::one(Span::Day, from, to);
        }
        let parts = [(Span::Day, from, first), (Span::Month, first, end), (Span::Day, end, to)];
        Segments(parts.into_iter().filter(|(_, a, b)| a < b).collect())
    }
}

/// A period's rows for one of the dashboard's lists.
struct PeriodRows {
    /// `(SELECT … ) x`: for each segment, four parameters (span, from, split, to) from `$1` on;
    /// with [`Rows::Kept`], its rows from the kept table in `[from, split)` and from the full one
    /// in `[split, to)`; with [`Rows::All`] (where split is from), from the full table.
    source: String,
    /// `(span, from, split, to)` of each segment.
    bounds: Vec<(Span, i64, i64, i64)>,
}

impl PeriodRows {
    /// `columns` of `tables` (kept, full) in `segments`, with `filter` (`AND …`, or empty).
    async fn of(
        db: &Db,
        rows: Rows,
        segments: &Segments,
        (kept, all): (&str, &str),
        columns: &str,
        filter: &str,
    ) -> Result<PeriodRows, sqlx::Error> {
        let mut parts = Vec::new();
        let mut bounds = Vec::new();
        for (i, &(span, from, to)) in segments.0.iter().enumerate() {
            let [p_span, p_from, p_split, p_to] = [1, 2, 3, 4].map(|n| format!("${}", 4 * i + n));
            let split = match rows {
                Rows::Kept => {
                    parts.push(format!(
                        "SELECT {columns} FROM {kept} WHERE span = {p_span} AND at >= {p_from} AND at < {p_split}{filter}"
                    ));
                    sealed_until(db, span).await?.clamp(from, to)
                }
                Rows::All => from,
            };
            // Every parameter appears (PostgreSQL wants each one's type); `at >= from` is implied.
            parts.push(format!(
                "SELECT {columns} FROM {all} WHERE span = {p_span} AND at >= {p_from} AND at >= {p_split} \
                 AND at < {p_to}{filter}"
            ));
            bounds.push((span, from, split, to));
        }
        Ok(PeriodRows { source: format!("({}) x", parts.join(" UNION ALL ")), bounds })
    }

    /// The number of the first parameter after the period's.
    fn next(&self) -> usize {
        4 * self.bounds.len() + 1
    }

    /// `sql` (which reads [`PeriodRows::source`]) with the period's parameters bound.
    fn query(&self, sql: String) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        // The tables, columns and clauses are this module's constants; the values are bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for &(span, from, split, to) in &self.bounds {
            query = query.bind(span.code()).bind(from).bind(split).bind(to);
        }
        query
    }
}

/// The kept and the full table of pages, and of searches.
const PAGE_TABLES: (&str, &str) = ("analytics_kept_pages", "analytics_pages");
const SEARCH_TABLES: (&str, &str) = ("analytics_kept_searches", "analytics_searches");

/// Readers' page views per hour or day in `[from, to)`, crawlers left out; only the periods with
/// views are listed.
pub async fn views(db: &Db, span: Span, from: i64, to: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, CAST(SUM(views) AS BIGINT) FROM analytics_devices \
         WHERE span = $1 AND at >= $2 AND at < $3 AND device <> 'bot' GROUP BY at ORDER BY at",
    )
    .bind(span.code())
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
}

/// Views by device in the period, crawlers as `bot`, most first.
pub async fn devices(db: &Db, segments: &Segments) -> Result<Vec<(String, i64)>, sqlx::Error> {
    summed_by(db, "analytics_devices", "device", segments).await
}

/// Views in the period summed by one column of `table`, most first.
async fn summed_by(
    db: &Db,
    table: &'static str,
    column: &'static str,
    segments: &Segments,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let period = PeriodRows::of(db, Rows::All, segments, ("", table), &format!("{column}, views"), "").await?;
    let sql = format!(
        "SELECT {column}, CAST(SUM(views) AS BIGINT) AS n FROM {} GROUP BY {column} ORDER BY n DESC, {column}",
        period.source
    );
    let rows = period.query(sql).fetch_all(&db.pool).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// One row of where readers came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceRow {
    pub medium: String,
    /// The referrer's host; empty for direct visits and this site's own pages.
    pub referrer: String,
    pub views: i64,
}

/// Views by kind of source in the period, most first.
pub async fn mediums(db: &Db, segments: &Segments) -> Result<Vec<(String, i64)>, sqlx::Error> {
    summed_by(db, "analytics_sources", "medium", segments).await
}

/// The referring hosts that brought most readers in the period.
pub async fn referrers(db: &Db, segments: &Segments, limit: i64) -> Result<Vec<SourceRow>, sqlx::Error> {
    let period = PeriodRows::of(
        db,
        Rows::All,
        segments,
        ("", "analytics_sources"),
        "medium, referrer, views",
        " AND referrer <> ''",
    )
    .await?;
    let rows = period
        .query(format!(
            "SELECT medium, referrer, CAST(SUM(views) AS BIGINT) AS n FROM {} \
             GROUP BY medium, referrer ORDER BY n DESC, referrer LIMIT ${}",
            period.source,
            period.next()
        ))
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(SourceRow { medium: r.try_get(0)?, referrer: r.try_get(1)?, views: r.try_get(2)? }))
        .collect()
}

/// An article among the most read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TopArticle {
    pub id: i64,
    /// `None` when the article was deleted since.
    pub title: Option<String>,
    pub slug: Option<String>,
    pub views: i64,
}

/// The most read articles in `[from, to)`.
pub async fn top_articles(
    db: &Db,
    rows: Rows,
    segments: &Segments,
    limit: i64,
) -> Result<Vec<TopArticle>, sqlx::Error> {
    let period =
        PeriodRows::of(db, rows, segments, PAGE_TABLES, "article_id, views", " AND article_id IS NOT NULL").await?;
    let rows = period
        .query(format!(
            "SELECT t.article_id, a.title, a.slug, t.n FROM (\
                SELECT article_id, CAST(SUM(views) AS BIGINT) AS n FROM {} \
                GROUP BY article_id ORDER BY n DESC, article_id LIMIT ${}\
             ) t LEFT JOIN articles a ON a.id = t.article_id ORDER BY t.n DESC, t.article_id",
            period.source,
            period.next()
        ))
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(TopArticle { id: r.try_get(0)?, title: r.try_get(1)?, slug: r.try_get(2)?, views: r.try_get(3)? }))
        .collect()
}

/// The most read pages of any kind (front page, topics, articles) in `[from, to)`.
pub async fn top_pages(
    db: &Db,
    rows: Rows,
    segments: &Segments,
    limit: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let period = PeriodRows::of(db, rows, segments, PAGE_TABLES, "path, views", "").await?;
    let rows = period
        .query(format!(
            "SELECT path, CAST(SUM(views) AS BIGINT) AS n FROM {} GROUP BY path ORDER BY n DESC, path LIMIT ${}",
            period.source,
            period.next()
        ))
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// One article's views per hour or day in `[from, to)`.
pub async fn article_views(
    db: &Db,
    article_id: i64,
    span: Span,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, CAST(SUM(views) AS BIGINT) FROM analytics_pages \
         WHERE article_id = $1 AND span = $2 AND at >= $3 AND at < $4 GROUP BY at ORDER BY at",
    )
    .bind(article_id)
    .bind(span.code())
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
}

/// All of an article's views that are kept.
pub async fn article_total(db: &Db, article_id: i64) -> Result<i64, sqlx::Error> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(views) AS BIGINT) FROM analytics_pages WHERE article_id = $1 AND span = 'd'",
    )
    .bind(article_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(n.unwrap_or(0))
}

/// What readers searched for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchRow {
    pub term: String,
    pub searches: i64,
    /// Of which found nothing.
    pub empty: i64,
}

/// The most frequent searches in `[from, to)`, or (`empty_only`) those that found nothing.
/// A term searched fewer than `k` times in the period is never listed: a rare search may say
/// who searched.
pub async fn searches(
    db: &Db,
    rows: Rows,
    segments: &Segments,
    k: i64,
    limit: i64,
    empty_only: bool,
) -> Result<Vec<SearchRow>, sqlx::Error> {
    let period = PeriodRows::of(db, rows, segments, SEARCH_TABLES, "term, searches, empty", "").await?;
    let (k_at, limit_at) = (period.next(), period.next() + 1);
    let (filter, order) = if empty_only {
        (format!("HAVING SUM(searches) >= ${k_at} AND SUM(empty) > 0"), "e DESC")
    } else {
        (format!("HAVING SUM(searches) >= ${k_at}"), "n DESC")
    };
    let rows = period
        .query(format!(
            "SELECT term, CAST(SUM(searches) AS BIGINT) AS n, CAST(SUM(empty) AS BIGINT) AS e FROM {} \
             GROUP BY term {filter} ORDER BY {order}, term LIMIT ${limit_at}",
            period.source
        ))
        .bind(k)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(|r| Ok(SearchRow { term: r.try_get(0)?, searches: r.try_get(1)?, empty: r.try_get(2)? })).collect()
}

/// Estimated different visitors of each day that starts in `[from, to)`: the nodes' sketches of
/// the day merged.
pub async fn visitors(db: &Db, from: i64, to: i64) -> Result<Vec<(i64, u64)>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT day, sketch FROM analytics_visitors WHERE day >= $1 AND day < $2 ORDER BY day")
            .bind(from)
            .bind(to)
            .fetch_all(&db.pool)
            .await?;
    let mut days: Vec<(i64, Sketch)> = Vec::new();
    for (day, text) in rows {
        let Some(sketch) = Sketch::decode(&text) else {
            tracing::warn!(day, "a visitors' sketch that cannot be read is left out");
            continue;
        };
        match days.last_mut() {
            Some((last, merged)) if *last == day => merged.merge(&sketch),
            _ => days.push((day, sketch)),
        }
    }
    Ok(days.into_iter().map(|(day, sketch)| (day, sketch.estimate())).collect())
}

/// A mail link among the most followed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkRow {
    pub link_id: i64,
    pub url: String,
    pub mailing_id: i64,
    /// The mailing's subject or article title.
    pub mailing: String,
    pub clicks: i64,
}

/// The mail links followed most in `[from, to)`.
pub async fn top_links(db: &Db, segments: &Segments, limit: i64) -> Result<Vec<LinkRow>, sqlx::Error> {
    let period = PeriodRows::of(db, Rows::All, segments, ("", "analytics_clicks"), "link_id, clicks", "").await?;
    let rows = period
        .query(format!(
            "SELECT t.link_id, l.url, m.id AS mailing_id, m.title, t.n FROM (\
                SELECT link_id, CAST(SUM(clicks) AS BIGINT) AS n FROM {} GROUP BY link_id \
                ORDER BY n DESC, link_id LIMIT ${}\
             ) t JOIN mail_links l ON l.id = t.link_id JOIN mailings m ON m.id = l.mailing_id \
             ORDER BY t.n DESC, t.link_id",
            period.source,
            period.next()
        ))
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LinkRow {
                link_id: r.try_get(0)?,
                url: r.try_get(1)?,
                mailing_id: r.try_get(2)?,
                mailing: r.try_get(3)?,
                clicks: r.try_get(4)?,
            })
        })
        .collect()
}

/// Every click kept on each of the mailings' links, by mailing.
pub async fn mailing_clicks(db: &Db, mailings: &[i64]) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in mailings.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        // The list is of numbers this function formatted.
        let sql = format!(
            "SELECT l.mailing_id, CAST(SUM(c.clicks) AS BIGINT) FROM analytics_clicks c \
             JOIN mail_links l ON l.id = c.link_id WHERE c.span = 'd' AND l.mailing_id IN ({list}) \
             GROUP BY l.mailing_id"
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Every click kept on each link of one mailing, by link.
pub async fn link_clicks(db: &Db, mailing: i64) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.link_id, CAST(SUM(c.clicks) AS BIGINT) FROM analytics_clicks c \
         JOIN mail_links l ON l.id = c.link_id WHERE c.span = 'd' AND l.mailing_id = $1 GROUP BY c.link_id",
    )
    .bind(mailing)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> i64 {
        date.parse::<jiff::civil::Date>().unwrap().to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp().as_second()
    }

    #[test]
    fn long_runs_of_days_read_their_whole_months_by_month() {
        let utc = jiff::tz::TimeZone::UTC;
        // A year of days ending on 7 December: the days of December 2025, eleven months, and
        // the first week of December 2026.
        assert_eq!(
            Segments::days(at("2025-12-08"), at("2026-12-08"), &utc),
            Segments(vec![
                (Span::Day, at("2025-12-08"), at("2026-01-01")),
                (Span::Month, at("2026-01-01"), at("2026-12-01")),
                (Span::Day, at("2026-12-01"), at("2026-12-08")),
            ])
        );
        // Exactly November: its month alone.
        assert_eq!(
            Segments::days(at("2026-11-01"), at("2026-12-01"), &utc),
            Segments(vec![(Span::Month, at("2026-11-01"), at("2026-12-01"))])
        );
        // No whole month: days as they are.
        let days = Segments::days(at("2026-11-08"), at("2026-12-08"), &utc);
        assert_eq!(days, Segments::one(Span::Day, at("2026-11-08"), at("2026-12-08")));
        // Months in the publication's zone, not in UTC.
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let start = |date: &str| {
            date.parse::<jiff::civil::Date>().unwrap().to_zoned(berlin.clone()).unwrap().timestamp().as_second()
        };
        assert_eq!(
            Segments::days(start("2026-10-15"), start("2026-12-03"), &berlin),
            Segments(vec![
                (Span::Day, start("2026-10-15"), start("2026-11-01")),
                (Span::Month, start("2026-11-01"), start("2026-12-01")),
                (Span::Day, start("2026-12-01"), start("2026-12-03")),
            ])
        );
    }
}
