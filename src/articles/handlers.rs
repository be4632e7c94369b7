//! Public pages of articles: home, article, tag, author and the monthly archive.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use tracing::instrument;

use super::model::Slug;
use super::queries::{self, Listing};
use crate::app::App;
use crate::web::error::AppError;
use crate::web::html;

/// The highest page number accepted; anything longer is not a page of ours.
const MAX_PAGE: u32 = 1_000_000;

/// A page number from the path: digits only, 2 or more (page 1 lives at the listing's own URL).
fn parse_page(raw: &str) -> Result<u32, AppError> {
    if raw.is_empty() || raw.len() > 7 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(AppError::NotFound),
    }
}

fn parse_slug(raw: &str) -> Result<Slug, AppError> {
    Slug::parse(raw).map_err(|_| AppError::NotFound)
}

struct ListingPage<'a> {
    listing: Listing,
    page: u32,
    /// The listing's URL without page; "" for home.
    base: String,
    heading: Option<String>,
    intro: Option<String>,
    nav_current: &'a str,
    /// Home's first page shows its newest article large.
    lead_story: bool,
    with_count: bool,
}

async fn render_listing(app: &App, view: ListingPage<'_>) -> Result<Response, AppError> {
    let per_page = app.config.site.per_page;
    let now = app.now();
    let (mut articles, total) =
        queries::list_live(&app.db, view.listing, view.page, per_page, now).await?;
    let per = i64::from(per_page);
    let pages = u32::try_from((total.max(1) + per - 1) / per).unwrap_or(u32::MAX);
    if view.page > pages {
        return Err(AppError::NotFound);
    }
    let lead_story = if view.lead_story && view.page == 1 && !articles.is_empty() {
        Some(articles.remove(0))
    } else {
        None
    };
    let canonical = match (view.page, view.base.as_str()) {
        (1, "") => "/".to_string(),
        (1, base) => base.to_string(),
        (n, base) => format!("{base}/page/{n}"),
    };
    let count_text = view.with_count.then(|| {
        app.i18n.text(
            app.language(),
            "tag-count",
            &[("count", fluent_bundle::FluentValue::from(total))],
        )
    });
    let body = app
        .render(
            "articles/list.html",
            context! {
                articles => Serde(articles),
                lead_story => Serde(lead_story),
                page => view.page,
                pages => pages,
                base => view.base,
                heading => view.heading,
                intro => view.intro,
                count_text => count_text,
                nav_current => view.nav_current,
                canonical_path => canonical,
            },
        )
        .await?;
    Ok(html(body))
}

#[instrument(skip_all)]
pub async fn home(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    home_listing(&app, 1).await
}

#[instrument(skip_all, fields(page))]
pub async fn home_page(
    State(app): State<Arc<App>>,
    Path(page): Path<String>,
) -> Result<Response, AppError> {
    match parse_page(&page)? {
        1 => Ok(Redirect::permanent("/").into_response()),
        n => home_listing(&app, n).await,
    }
}

async fn home_listing(app: &App, page: u32) -> Result<Response, AppError> {
    render_listing(
        app,
        ListingPage {
            listing: Listing::All,
            page,
            base: String::new(),
            heading: None,
            intro: None,
            nav_current: if page == 1 { "home" } else { "" },
            lead_story: true,
            with_count: false,
        },
    )
    .await
}

#[instrument(skip_all, fields(slug))]
pub async fn show(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let article = queries::find_live(&app.db, slug.as_str(), app.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let show_updated = match (article.published_at, article.updated_at) {
        (Some(published), Some(updated)) => updated > published,
        _ => false,
    };
    let canonical = format!("/news/{}", article.slug);
    let body = app
        .render(
            "articles/show.html",
            context! {
                article => Serde(article),
                show_updated => show_updated,
                canonical_path => canonical,
            },
        )
        .await?;
    Ok(html(body))
}

#[instrument(skip_all, fields(slug))]
pub async fn tag(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    tag_listing(&app, &slug, 1).await
}

#[instrument(skip_all, fields(slug, page))]
pub async fn tag_page(
    State(app): State<Arc<App>>,
    Path((slug, page)): Path<(String, String)>,
) -> Result<Response, AppError> {
    match parse_page(&page)? {
        1 => Ok(Redirect::permanent(&format!("/tag/{}", parse_slug(&slug)?)).into_response()),
        n => tag_listing(&app, &slug, n).await,
    }
}

async fn tag_listing(app: &App, slug: &str, page: u32) -> Result<Response, AppError> {
    let slug = parse_slug(slug)?;
    let (id, tag) = queries::find_tag(&app.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let heading = app.i18n.text(
        app.language(),
        "tag-heading",
        &[("name", tag.name.clone().into())],
    );
    let current = format!("tag:{}", tag.slug);
    render_listing(
        app,
        ListingPage {
            listing: Listing::Tag(id),
            page,
            base: format!("/tag/{}", tag.slug),
            heading: Some(heading),
            intro: None,
            nav_current: &current,
            lead_story: false,
            with_count: true,
        },
    )
    .await
}

#[instrument(skip_all, fields(slug))]
pub async fn author(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    author_listing(&app, &slug, 1).await
}

#[instrument(skip_all, fields(slug, page))]
pub async fn author_page(
    State(app): State<Arc<App>>,
    Path((slug, page)): Path<(String, String)>,
) -> Result<Response, AppError> {
    match parse_page(&page)? {
        1 => Ok(Redirect::permanent(&format!("/author/{}", parse_slug(&slug)?)).into_response()),
        n => author_listing(&app, &slug, n).await,
    }
}

async fn author_listing(app: &App, slug: &str, page: u32) -> Result<Response, AppError> {
    let slug = parse_slug(slug)?;
    let (id, author, bio) = queries::find_author(&app.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let heading = app.i18n.text(
        app.language(),
        "author-heading",
        &[("name", author.name.clone().into())],
    );
    render_listing(
        app,
        ListingPage {
            listing: Listing::Author(id),
            page,
            base: format!("/author/{}", author.slug),
            heading: Some(heading),
            intro: Some(bio).filter(|b| !b.is_empty()),
            nav_current: "",
            lead_story: false,
            with_count: true,
        },
    )
    .await
}

#[derive(Serialize)]
struct MonthCount {
    month: i8,
    count: usize,
}

#[derive(Serialize)]
struct YearMonths {
    year: i16,
    months: Vec<MonthCount>,
}

#[instrument(skip_all)]
pub async fn archive_index(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let times = queries::live_months(&app.db, app.now()).await?;
    let mut years: Vec<YearMonths> = Vec::new();
    for ts in times {
        let Ok(t) = jiff::Timestamp::from_second(ts) else {
            continue;
        };
        let date = t.to_zoned(app.time_zone.clone()).date();
        match years.last_mut() {
            Some(y) if y.year == date.year() => match y.months.last_mut() {
                Some(m) if m.month == date.month() => m.count += 1,
                _ => y.months.push(MonthCount {
                    month: date.month(),
                    count: 1,
                }),
            },
            _ => years.push(YearMonths {
                year: date.year(),
                months: vec![MonthCount {
                    month: date.month(),
                    count: 1,
                }],
            }),
        }
    }
    let body = app
        .render(
            "articles/archive.html",
            context! { years => Serde(years), nav_current => "archive", canonical_path => "/archive" },
        )
        .await?;
    Ok(html(body))
}

#[instrument(skip_all, fields(year, month))]
pub async fn archive_month(
    State(app): State<Arc<App>>,
    Path((year, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    month_listing(&app, &year, &month, 1).await
}

#[instrument(skip_all, fields(year, month, page))]
pub async fn archive_month_page(
    State(app): State<Arc<App>>,
    Path((year, month, page)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    match parse_page(&page)? {
        1 => {
            parse_month(&year, &month)?;
            Ok(Redirect::permanent(&format!("/archive/{year}/{month}")).into_response())
        }
        n => month_listing(&app, &year, &month, n).await,
    }
}

/// A year of four digits and a month of two, as in `/archive/2026/03`.
fn parse_month(year: &str, month: &str) -> Result<(i16, i8), AppError> {
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) {
        return Err(AppError::NotFound);
    }
    let (y, m): (i16, i8) = (
        year.parse().map_err(|_| AppError::NotFound)?,
        month.parse().map_err(|_| AppError::NotFound)?,
    );
    if !(1970..=9998).contains(&y) || !(1..=12).contains(&m) {
        return Err(AppError::NotFound);
    }
    Ok((y, m))
}

async fn month_listing(
    app: &App,
    year: &str,
    month: &str,
    page: u32,
) -> Result<Response, AppError> {
    let (y, m) = parse_month(year, month)?;
    let start = jiff::civil::date(y, m, 1);
    let end = start
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| AppError::Internal(e.into()))?;
    let zoned = |d: jiff::civil::Date| {
        d.to_zoned(app.time_zone.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| AppError::Internal(e.into()))
    };
    let heading = app.i18n.text(
        app.language(),
        "archive-month-heading",
        &[
            ("month", app.i18n.month_name(app.language(), m).into()),
            ("year", y.to_string().into()),
        ],
    );
    render_listing(
        app,
        ListingPage {
            listing: Listing::Between(zoned(start)?, zoned(end)?),
            page,
            base: format!("/archive/{year}/{month}"),
            heading: Some(heading),
            intro: None,
            nav_current: "archive",
            lead_story: false,
            with_count: true,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(parse_page("2").unwrap(), 2);
        for bad in ["", "0", "-1", "1e3", "abc", "99999999", "+2", " 2"] {
            assert!(parse_page(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026", "03").unwrap(), (2026, 3));
        for (y, m) in [
            ("2026", "13"),
            ("2026", "3"),
            ("26", "03"),
            ("2026", "00"),
            ("abcd", "01"),
        ] {
            assert!(parse_month(y, m).is_err(), "{y}/{m}");
        }
    }
}
