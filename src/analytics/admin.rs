//! `/admin/analytics` for editors and admins: views over a day (by hour), a week or a month (by
//! day), a year (by month) or the days an editor picks (by day), with the day's visitors, the most read articles and pages, where
//! readers came from, their devices, what they searched for and what found nothing. Each chart
//! is an SVG drawn here with its table beside it, each table downloadable as CSV; an article's
//! own curve since publication has a page of its own.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::ToSpan as _;
use jiff::tz::TimeZone;
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::Day;
use super::chart;
use super::queries::{self, Rows, Segments, Span};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::config::Language;
use crate::web::error::AppError;

/// Editors and admins.
pub const ROLES: &[Role] = &[Role::Editor];
/// Rows of each top list.
const TOP: i64 = 20;
/// An article's curve: by hour for its first three days, by day for up to a year.
const FIRST_HOURS: i64 = 72;
const ARTICLE_DAYS: usize = 366;

/// The periods the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Year];

    fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// `None` (absent) is a week; anything unknown is a 400.
    fn parse(given: Option<&str>) -> Result<Period, AppError> {
        match given {
            None | Some("") => Ok(Period::Week),
            Some(p) => Period::ALL.into_iter().find(|x| x.name() == p).ok_or(AppError::BadRequest("bad_period")),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub period: Option<String>,
    /// The first and last day of a range an editor picked (`YYYY-MM-DD`), instead of a period.
    pub from: Option<String>,
    pub to: Option<String>,
    pub table: Option<String>,
}

/// The longest range of days that can be picked: the daily rows are kept about a year by
/// default, and a bar a day stays readable.
const MAX_RANGE_DAYS: i32 = 366;

/// What the dashboard shows: a period ending now, or the days an editor picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Period(Period),
    /// From the first to the last day, both included, in the publication's calendar.
    Days {
        first: jiff::civil::Date,
        last: jiff::civil::Date,
    },
}

impl Choice {
    /// A range needs both days, the first not after the last and at most [`MAX_RANGE_DAYS`]
    /// long; anything else is a 400. Without days, the period (a week when none is given).
    fn parse(params: &Params) -> Result<Choice, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let bad = || AppError::BadRequest("bad_date_range");
        match (given(&params.from), given(&params.to)) {
            (None, None) => Ok(Choice::Period(Period::parse(params.period.as_deref())?)),
            (Some(first), Some(last)) => {
                let first: jiff::civil::Date = first.parse().map_err(|_| bad())?;
                let last: jiff::civil::Date = last.parse().map_err(|_| bad())?;
                let days = first.until(last).map_err(|_| bad())?.get_days();
                if !(0..MAX_RANGE_DAYS).contains(&days) {
                    return Err(bad());
                }
                Ok(Choice::Days { first, last })
            }
            _ => Err(bad()),
        }
    }

    /// The query string that asks for it again (the CSV links).
    fn query(self) -> String {
        match self {
            Choice::Period(period) => format!("period={}", period.name()),
            Choice::Days { first, last } => format!("from={first}&to={last}"),
        }
    }

    /// Its name in logs and file names.
    fn name(self) -> String {
        match self {
            Choice::Period(period) => period.name().to_string(),
            Choice::Days { first, last } => format!("{first}-to-{last}"),
        }
    }
}

/// A period cut into the chart's bars: which rows to read and each bar's start and label.
#[derive(Debug, Clone)]
pub struct Range {
    pub span: Span,
    pub from: i64,
    pub to: i64,
    /// Each bar's first second and label, in order; a bar ends where the next begins.
    pub buckets: Vec<(i64, String)>,
    /// Whether the bars are days (each has its visitors).
    pub days: bool,
}

/// A time as a date and time in the publication's zone.
fn zoned(t: i64, zone: &TimeZone) -> jiff::Zoned {
    jiff::Timestamp::from_second(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_zoned(zone.clone())
}

/// A day's bar label.
fn day_label(t: i64, zone: &TimeZone, language: Language) -> String {
    let z = zoned(t, zone);
    match language {
        Language::De => z.strftime("%-d.%-m.").to_string(),
        _ => z.strftime("%b %-d").to_string(),
    }
}

impl Range {
    /// What the editor chose, in the publication's calendar.
    pub fn chosen(choice: Choice, now: i64, zone: &TimeZone, language: Language) -> Range {
        match choice {
            Choice::Period(period) => Range::of(period, now, zone, language),
            Choice::Days { first, last } => Range::days(first, last, zone, language),
        }
    }

    /// The days from `first` to `last`, both included, a bar each.
    pub fn days(first: jiff::civil::Date, last: jiff::civil::Date, zone: &TimeZone, language: Language) -> Range {
        let n = first.until(last).map_or(0, |span| span.get_days()).max(0) as usize + 1;
        let start = first.to_zoned(zone.clone()).map_or(0, |z| z.timestamp().as_second());
        let mut starts = vec![Day::of(start, zone).start];
        while starts.len() < n {
            let next = Day::of(starts[starts.len() - 1], zone).end;
            starts.push(next);
        }
        let to = Day::of(starts[n - 1], zone).end;
        let buckets = starts.iter().map(|&t| (t, day_label(t, zone, language))).collect();
        Range { span: Span::Day, from: starts[0], to, buckets, days: true }
    }

    /// The period ending now, in the publication's calendar.
    pub fn of(period: Period, now: i64, zone: &TimeZone, language: Language) -> Range {
        let zoned = |t: i64| zoned(t, zone);
        let day_label = |t: i64| day_label(t, zone, language);
        match period {
            Period::Day => {
                let hour = now - now.rem_euclid(3600);
                let buckets = (0..24)
                    .rev()
                    .map(|i| hour - i * 3600)
                    .map(|t| (t, zoned(t).strftime("%H:00").to_string()))
                    .collect();
                Range { span: Span::Hour, from: hour - 23 * 3600, to: hour + 3600, buckets, days: false }
            }
            Period::Week | Period::Month => {
                let n = if period == Period::Week { 7 } else { 30 };
                let today = Day::of(now, zone);
                let mut starts = vec![today.start];
                while starts.len() < n {
                    let earlier = Day::of(starts[starts.len() - 1] - 1, zone).start;
                    starts.push(earlier);
                }
                starts.reverse();
                let buckets = starts.iter().map(|&t| (t, day_label(t))).collect::<Vec<_>>();
                Range { span: Span::Day, from: starts[0], to: today.end, buckets, days: true }
            }
            Period::Year => {
                let this_month = zoned(now).first_of_month().and_then(|d| d.start_of_day()).ok();
                let starts: Vec<i64> = (0..12i64)
                    .rev()
                    .filter_map(|i| this_month.as_ref()?.checked_sub(i.months()).ok())
                    .map(|z| z.timestamp().as_second())
                    .collect();
                let buckets = starts.iter().map(|&t| (t, zoned(t).strftime("%Y-%m").to_string())).collect::<Vec<_>>();
                let from = starts.first().copied().unwrap_or(now);
                Range { span: Span::Month, from, to: Day::of(now, zone).end, buckets, days: false }
            }
        }
    }

    /// The rows the range's lists sum: its level's, and for days, whole months by month.
    pub fn segments(&self, zone: &TimeZone) -> Segments {
        match self.span {
            Span::Day => Segments::days(self.from, self.to, zone),
            span => Segments::one(span, self.from, self.to),
        }
    }

    /// Sums rows (start, value) into the buckets; a row before the first bucket is left out.
    pub fn fill(&self, rows: &[(i64, i64)]) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = self.buckets.iter().map(|(_, label)| (label.clone(), 0)).collect();
        for &(at, value) in rows {
            let i = self.buckets.partition_point(|(start, _)| *start <= at);
            if i > 0 && at < self.to {
                out[i - 1].1 += value;
            }
        }
        out
    }
}

/// `GET /admin/analytics`.
#[instrument(skip_all)]
pub async fn dashboard(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let choice = Choice::parse(&params)?;
    let config = app.config();
    let zone = app.time_zone();
    let range = Range::chosen(choice, app.now(), &zone, app.language());
    let (span, from, to) = (range.span, range.from, range.to);
    let segments = range.segments(&zone);
    let db = &app.db;
    let series = range.fill(&queries::views(db, span, from, to).await?);
    let visitors = queries::visitors(db, from, to).await?;
    let rows: Vec<_> = series
        .iter()
        .zip(&range.buckets)
        .map(|((label, views), (start, _))| {
            let visitors = range.days.then(|| day_visitors(&visitors, *start));
            context! { label, views, visitors }
        })
        .collect();
    let devices = queries::devices(db, &segments).await?;
    let bots = devices.iter().find(|(d, _)| d == "bot").map_or(0, |(_, n)| *n);
    let k = i64::from(config.analytics.min_search_count);
    let page = context! {
        enabled => config.analytics.enabled,
        period => match choice {
            Choice::Period(period) => period.name(),
            Choice::Days { .. } => "range",
        },
        query => choice.query(),
        // The form's days: those of the range shown.
        first_day => zoned(from, &zone).date().to_string(),
        last_day => zoned(to - 1, &zone).date().to_string(),
        periods => Period::ALL.iter().map(|p| p.name()).collect::<Vec<_>>(),
        chart => Serde(chart::bars(&series)),
        rows => rows,
        days => range.days,
        views => series.iter().map(|(_, v)| v).sum::<i64>(),
        visitors => visitors.iter().map(|(_, n)| n).sum::<u64>(),
        bots => bots,
        articles => Serde(queries::top_articles(db, Rows::Kept, &segments, TOP).await?),
        pages => Serde(queries::top_pages(db, Rows::Kept, &segments, TOP).await?),
        mediums => Serde(queries::mediums(db, &segments).await?),
        referrers => Serde(queries::referrers(db, &segments, TOP).await?),
        devices => Serde(devices.into_iter().filter(|(d, _)| d != "bot").collect::<Vec<_>>()),
        searches => Serde(queries::searches(db, Rows::Kept, &segments, k, TOP, false).await?),
        empty_searches => Serde(queries::searches(db, Rows::Kept, &segments, k, TOP, true).await?),
        k => k,
        mailings => Serde(mailings(&app, from, to, TOP).await?),
        links => Serde(queries::top_links(db, &segments, TOP).await?),
    };
    let body = app.render_admin("admin/analytics/dashboard.html", &staff, page).await?;
    Ok(crate::web::admin_html(body))
}

/// A mailing sent in the period, with every click on its links.
#[derive(Debug, serde::Serialize)]
struct MailRow {
    #[serde(flatten)]
    mailing: crate::email::mailings::Mailing,
    clicks: i64,
}

/// The newsletters, digests and alert rounds sent in `[from, to)`, newest first.
async fn mailings(app: &App, from: i64, to: i64, limit: i64) -> Result<Vec<MailRow>, AppError> {
    let sent = crate::email::mailings::sent_between(&app.db, from, to, limit).await?;
    let clicks = queries::mailing_clicks(&app.db, &sent.iter().map(|m| m.id).collect::<Vec<_>>()).await?;
    Ok(sent.into_iter().map(|m| MailRow { clicks: clicks.get(&m.id).copied().unwrap_or(0), mailing: m }).collect())
}

/// `GET /admin/analytics/export?period=…&table=…` (or `from=…&to=…`): one of the dashboard's
/// tables as CSV.
#[instrument(skip_all)]
pub async fn export(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let choice = Choice::parse(&params)?;
    let zone = app.time_zone();
    let range = Range::chosen(choice, app.now(), &zone, app.language());
    let (span, from, to) = (range.span, range.from, range.to);
    let segments = range.segments(&zone);
    let db = &app.db;
    let k = i64::from(app.config().analytics.min_search_count);
    let table = params.table.as_deref().unwrap_or("views");
    let limit = 1_000;
    let lines: Vec<Vec<String>> = match table {
        "views" => {
            let visitors = queries::visitors(db, from, to).await?;
            let series = range.fill(&queries::views(db, span, from, to).await?);
            let mut lines = vec![vec!["period".into(), "views".into(), "visitors".into()]];
            for ((label, views), (start, _)) in series.into_iter().zip(&range.buckets) {
                let visitors = if range.days { day_visitors(&visitors, *start).to_string() } else { String::new() };
                lines.push(vec![label, views.to_string(), visitors]);
            }
            lines
        }
        "articles" => std::iter::once(["id", "article", "address", "views"].map(String::from).to_vec())
            .chain(queries::top_articles(db, Rows::All, &segments, limit).await?.into_iter().map(|a| {
                vec![
                    a.id.to_string(),
                    a.title.unwrap_or_default(),
                    a.slug.map(|s| format!("/news/{s}")).unwrap_or_default(),
                    a.views.to_string(),
                ]
            }))
            .collect(),
        "pages" => std::iter::once(vec!["address".into(), "views".into()])
            .chain(
                queries::top_pages(db, Rows::All, &segments, limit)
                    .await?
                    .into_iter()
                    .map(|(p, n)| vec![p, n.to_string()]),
            )
            .collect(),
        "sources" => std::iter::once(vec!["source".into(), "referrer".into(), "views".into()])
            .chain(
                queries::mediums(db, &segments)
                    .await?
                    .into_iter()
                    .map(|(m, n)| vec![m, String::new(), n.to_string()])
                    .chain(
                        queries::referrers(db, &segments, limit)
                            .await?
                            .into_iter()
                            .map(|r| vec![r.medium, r.referrer, r.views.to_string()]),
                    ),
            )
            .collect(),
        "devices" => std::iter::once(vec!["device".into(), "views".into()])
            .chain(queries::devices(db, &segments).await?.into_iter().map(|(d, n)| vec![d, n.to_string()]))
            .collect(),
        "searches" => std::iter::once(vec!["search".into(), "searches".into(), "found_nothing".into()])
            .chain(
                queries::searches(db, Rows::All, &segments, k, limit, false)
                    .await?
                    .into_iter()
                    .map(|s| vec![s.term, s.searches.to_string(), s.empty.to_string()]),
            )
            .collect(),
        "mail" => std::iter::once(
            ["mailing", "kind", "sent_at", "delivered", "bounced", "failed", "unsubscribes", "clicks"]
                .map(String::from)
                .to_vec(),
        )
        .chain(mailings(&app, from, to, limit).await?.into_iter().map(|m| {
            vec![
                m.mailing.title,
                m.mailing.kind,
                jiff::Timestamp::from_second(m.mailing.created_at).map(|t| t.to_string()).unwrap_or_default(),
                m.mailing.delivered.to_string(),
                m.mailing.bounced.to_string(),
                m.mailing.failed.to_string(),
                m.mailing.unsubscribes.to_string(),
                m.clicks.to_string(),
            ]
        }))
        .collect(),
        "links" => std::iter::once(["link", "mailing", "clicks"].map(String::from).to_vec())
            .chain(
                queries::top_links(db, &segments, limit)
                    .await?
                    .into_iter()
                    .map(|l| vec![l.url, l.mailing, l.clicks.to_string()]),
            )
            .collect(),
        _ => return Err(AppError::BadRequest("bad_table")),
    };
    tracing::info!(user = staff.user_id, table, period = choice.name(), "analytics exported");
    Ok(csv_response(&format!("analytics-{table}-{}", choice.name()), &lines))
}

/// `GET /admin/analytics/articles/{id}`: one article's readers since it was published.
#[instrument(skip_all)]
pub async fn article(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let curve = Curve::of(&app, id).await?;
    if params.table.as_deref() == Some("csv") {
        let mut lines = vec![vec!["period".into(), "views".into()]];
        lines.extend(curve.hours.iter().chain(&curve.days).map(|(l, n)| vec![l.clone(), n.to_string()]));
        return Ok(csv_response(&format!("analytics-article-{id}"), &lines));
    }
    let page = context! {
        article => Serde(&curve.article),
        total => curve.total,
        hours_chart => Serde(chart::bars(&curve.hours)),
        hours => Serde(&curve.hours),
        days_chart => Serde(chart::bars(&curve.days)),
        days => Serde(&curve.days),
    };
    let body = app.render_admin("admin/analytics/article.html", &staff, page).await?;
    Ok(crate::web::admin_html(body))
}

/// An article's views: its first hours, then its days, up to now.
struct Curve {
    article: crate::articles::model::Article,
    total: i64,
    hours: Vec<(String, i64)>,
    days: Vec<(String, i64)>,
}

impl Curve {
    async fn of(app: &App, id: i64) -> Result<Curve, AppError> {
        let article = crate::articles::queries::find_by_id(&app.db, id).await?.ok_or(AppError::NotFound)?;
        let now = app.now();
        let zone = app.time_zone();
        let published = article.published_at.unwrap_or(now).min(now);
        let total = queries::article_total(&app.db, id).await?;
        // The first hours, from the hour it went live (hours to come are left out).
        let first = published - published.rem_euclid(3600);
        let hours_range = Range {
            span: Span::Hour,
            from: first,
            to: (first + FIRST_HOURS * 3600).min(now - now.rem_euclid(3600) + 3600),
            buckets: (0..FIRST_HOURS)
                .map(|i| first + i * 3600)
                .take_while(|&t| t <= now)
                .map(|t| (t, format!("+{}h", (t - first) / 3600)))
                .collect(),
            days: false,
        };
        let hours =
            hours_range.fill(&queries::article_views(&app.db, id, Span::Hour, hours_range.from, hours_range.to).await?);
        let mut starts = vec![Day::of(published, &zone)];
        while starts.len() < ARTICLE_DAYS && starts[starts.len() - 1].end <= now {
            let next = Day::of(starts[starts.len() - 1].end, &zone);
            starts.push(next);
        }
        let days_range = Range {
            span: Span::Day,
            from: starts[0].start,
            to: starts[starts.len() - 1].end,
            buckets: starts
                .iter()
                .enumerate()
                .map(|(i, d)| (d.start, app.i18n.text(app.language(), "analytics-day-n", &[("n", (i + 1).into())])))
                .collect(),
            days: true,
        };
        let days =
            days_range.fill(&queries::article_views(&app.db, id, Span::Day, days_range.from, days_range.to).await?);
        Ok(Curve { article, total, hours, days })
    }
}

/// The visitors of the day that starts at `start`, from [`queries::visitors`].
fn day_visitors(visitors: &[(i64, u64)], start: i64) -> u64 {
    visitors.iter().find(|(d, _)| *d == start).map_or(0, |(_, n)| *n)
}

fn csv_response(name: &str, lines: &[Vec<String>]) -> Response {
    let mut csv = String::new();
    for line in lines {
        let fields: Vec<String> = line.iter().map(|f| crate::text::csv_field(f)).collect();
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_cut_into_bars_in_the_publication_calendar() {
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        // 2026-03-29 12:30 UTC: the day clocks go forward in Berlin (a 23-hour day).
        let now = jiff::Timestamp::from_second(1_774_787_400).unwrap().as_second();
        let day = Range::of(Period::Day, now, &zone, Language::De);
        assert_eq!(day.buckets.len(), 24);
        assert_eq!(day.to - day.from, 24 * 3600);
        let week = Range::of(Period::Week, now, &zone, Language::De);
        assert_eq!(week.buckets.len(), 7);
        let widths: Vec<i64> = week.buckets.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(widths.iter().all(|w| *w == 86_400), "{widths:?}");
        assert_eq!(week.to - week.buckets[6].0, 23 * 3600, "today is 23 hours long");
        assert_eq!(week.buckets[6].1, "29.3.");
        let year = Range::of(Period::Year, now, &zone, Language::En);
        assert_eq!(year.buckets.len(), 12);
        assert_eq!(year.buckets[11].1, "2026-03");
        assert_eq!(year.buckets[0].1, "2025-04");
        let filled = week.fill(&[(week.buckets[0].0, 3), (week.buckets[6].0 + 60, 4), (week.from - 1, 100)]);
        assert_eq!(filled[0].1, 3);
        assert_eq!(filled[6].1, 4);
        assert_eq!(filled.iter().map(|(_, n)| n).sum::<i64>(), 7, "rows before the period are left out");
        assert!(Period::parse(Some("decade")).is_err());
        assert_eq!(Period::parse(None).unwrap(), Period::Week);
    }
}
