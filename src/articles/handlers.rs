//! Public pages of articles: home, article, tag, author and the monthly archive.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use tracing::instrument;

use super::labels::Kind;
use super::model::Article;
use super::queries::{self, Listing};
use crate::app::App;
use crate::discovery::Site;
use crate::discovery::feeds::{listing_feed_link, main_feed_links};
use crate::discovery::handlers::article_feed_links;
use crate::discovery::structured;
use crate::web::error::AppError;
use crate::web::html;
use crate::web::params::{label_moved, month_range, parse_month, parse_page, parse_slug};

struct ListingPage<'a> {
    listing: Listing,
    page: u32,
    /// The listing's URL without page; "" for home.
    base: String,
    heading: Option<String>,
    intro: Option<String>,
    /// An author's picture, a path on this site.
    picture: Option<String>,
    nav_current: &'a str,
    /// Home's first page shows its newest article large.
    lead_story: bool,
    with_count: bool,
    /// This listing's own feed, for autodiscovery (home has the main feeds only).
    feed_title: Option<String>,
    /// Tag and author pages exist only while they list a live article: a topic that appears
    /// only on drafts must not leak.
    hide_when_empty: bool,
}

async fn render_listing(app: &App, view: ListingPage<'_>) -> Result<Response, AppError> {
    let per_page = app.config().site.per_page;
    let now = app.now();
    let (mut articles, total) = queries::list_live(&app.db, view.listing, view.page, per_page, now).await?;
    if view.hide_when_empty && total == 0 {
        return Err(AppError::NotFound);
    }
    let per = i64::from(per_page);
    let pages = u32::try_from((total.max(1) + per - 1) / per).unwrap_or(u32::MAX);
    if view.page > pages {
        return Err(AppError::NotFound);
    }
    let lead_story =
        if view.lead_story && view.page == 1 && !articles.is_empty() { Some(articles.remove(0)) } else { None };
    let canonical = match (view.page, view.base.as_str()) {
        (1, "") => "/".to_string(),
        (1, base) => base.to_string(),
        (n, base) => format!("{base}/page/{n}"),
    };
    let count_text = view
        .with_count
        .then(|| app.i18n.text(app.language(), "tag-count", &[("count", fluent_bundle::FluentValue::from(total))]));
    let site = Site::from_config(&app.config());
    let mut feeds = main_feed_links(&app.config().site.name);
    if let Some(title) = &view.feed_title {
        feeds.push(listing_feed_link(title, &view.base));
    }
    let home = view.base.is_empty() && view.page == 1;
    let (jobs_box, promos) = if view.lead_story {
        (Some(crate::jobs::handlers::jobs_box(app).await?), Some(crate::promos::handlers::placements(app).await?))
    } else {
        (None, None)
    };
    let json_ld = home.then(|| structured::home_json_ld(&site, app.language()));
    let meta_tags = if home { structured::home_meta(&site, app.language()) } else { Vec::new() };
    let body = app
        .render(
            "articles/list.html",
            context! {
                jobs_box => Serde(jobs_box),
                promos => Serde(promos),
                feeds => Serde(feeds),
                json_ld => json_ld,
                meta_tags => Serde(meta_tags),
                articles => Serde(articles),
                lead_story => Serde(lead_story),
                page => view.page,
                pages => pages,
                base => view.base,
                heading => view.heading,
                intro => view.intro,
                picture => view.picture,
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

#[instrument(skip_all)]
pub async fn home_page(State(app): State<Arc<App>>, Path(page): Path<String>) -> Result<Response, AppError> {
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
            picture: None,
            nav_current: if page == 1 { "home" } else { "" },
            lead_story: true,
            with_count: false,
            feed_title: None,
            hide_when_empty: false,
        },
    )
    .await
}

#[instrument(skip_all)]
pub async fn show(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let Some(article) = queries::find_live(&app.db, slug.as_str(), app.now()).await? else {
        // A renamed article answers at its old address.
        return match queries::redirect_target(&app.db, slug.as_str(), app.now()).await? {
            Some(current) => Ok((
                axum::http::StatusCode::MOVED_PERMANENTLY,
                [(axum::http::header::LOCATION, format!("/news/{current}"))],
            )
                .into_response()),
            None => Err(AppError::NotFound),
        };
    };
    let show_updated = match (article.published_at, article.updated_at) {
        (Some(published), Some(updated)) => updated > published,
        _ => false,
    };
    let canonical = format!("/news/{}", article.slug);
    let site = Site::from_config(&app.config());
    let mut feeds = main_feed_links(&app.config().site.name);
    let tag_feeds = article_feed_links(&app, &article);
    feeds.extend(tag_feeds.iter().cloned());
    let comments_title =
        app.i18n.text(app.language(), "comments-feed-article", &[("title", article.title.clone().into())]);
    feeds.push(listing_feed_link(&comments_title, &format!("/news/{}", article.slug)));
    let discovery = &app.config().discovery;
    let comments = crate::comments::handlers::section(&app, &article).await?;
    let related = crate::search::related::links(&app.db, &app.search.related(article.id, 5)?).await?;
    let similar_title = app.i18n.text(app.language(), "similar-feed-title", &[("title", article.title.clone().into())]);
    feeds.push(listing_feed_link(&similar_title, &format!("/news/{}/similar", article.slug)));
    let body = app
        .render(
            "articles/show.html",
            context! {
                jobs_box => Serde(crate::jobs::handlers::jobs_box(&app).await?),
                promos => Serde(crate::promos::handlers::placements(&app).await?),
                comments => Serde(comments),
                related => Serde(related),
                json_ld => structured::article_json_ld(&site, &article),
                meta_tags => Serde(structured::article_meta(&site, &article)),
                feeds => Serde(feeds),
                topic_feed => Serde(tag_feeds.into_iter().next()),
                google_news_url => discovery.google_news_url.clone(),
                bing_news_url => discovery.bing_news_url.clone(),
                article => Serde(&article),
                show_updated => show_updated,
                canonical_path => canonical,
            },
        )
        .await?;
    let mut response = html(body);
    response.extensions_mut().insert(crate::analytics::Facts::Article(article.id));
    Ok(response)
}

/// An article not yet saved (or saved but not live) in the public design, for its editor: the
/// same page readers will see, with a banner, without comments, signups or structured data,
/// and never indexed or stored.
pub async fn preview_page(app: &App, article: &Article) -> Result<String, AppError> {
    let comments = crate::comments::handlers::section(app, article).await?;
    app.render(
        "articles/preview.html",
        context! {
            jobs_box => Serde(crate::jobs::handlers::jobs_box(app).await?),
            promos => Serde(crate::promos::handlers::placements(app).await?),
            comments => Serde(comments),
            article => Serde(article),
            show_updated => false,
        },
    )
    .await
}

#[instrument(skip_all)]
pub async fn tag(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    tag_listing(&app, &slug, 1).await
}

#[instrument(skip_all)]
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
    let Some((id, tag)) = queries::find_tag(&app.db, slug.as_str()).await? else {
        return label_moved(&app.db, Kind::Tag, slug.as_str(), &page_suffix(page)).await;
    };
    let heading = app.i18n.text(app.language(), "tag-heading", &[("name", tag.name.clone().into())]);
    let current = format!("tag:{}", tag.slug);
    render_listing(
        app,
        ListingPage {
            listing: Listing::Tag(id),
            page,
            base: format!("/tag/{}", tag.slug),
            feed_title: Some(format!("{} – {heading}", app.config().site.name)),
            heading: Some(heading),
            intro: None,
            picture: None,
            nav_current: &current,
            lead_story: false,
            with_count: true,
            hide_when_empty: true,
        },
    )
    .await
}

#[instrument(skip_all)]
pub async fn author(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    author_listing(&app, &slug, 1).await
}

#[instrument(skip_all)]
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
    let Some((id, author, bio, picture)) = queries::find_author(&app.db, slug.as_str()).await? else {
        return label_moved(&app.db, Kind::Author, slug.as_str(), &page_suffix(page)).await;
    };
    let heading = app.i18n.text(app.language(), "author-heading", &[("name", author.name.clone().into())]);
    render_listing(
        app,
        ListingPage {
            listing: Listing::Author(id),
            page,
            base: format!("/author/{}", author.slug),
            feed_title: Some(format!("{} – {heading}", app.config().site.name)),
            heading: Some(heading),
            intro: Some(bio).filter(|b| !b.is_empty()),
            picture,
            nav_current: "",
            lead_story: false,
            with_count: true,
            hide_when_empty: true,
        },
    )
    .await
}

fn page_suffix(page: u32) -> String {
    if page > 1 { format!("/page/{page}") } else { String::new() }
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
    let days = queries::live_days(&app.db, app.now()).await?;
    let mut years: Vec<YearMonths> = Vec::new();
    for (start, count) in days {
        let Ok(t) = jiff::Timestamp::from_second(start) else {
            continue;
        };
        let count = usize::try_from(count).unwrap_or(0);
        let date = t.to_zoned(app.time_zone()).date();
        match years.last_mut() {
            Some(y) if y.year == date.year() => match y.months.last_mut() {
                Some(m) if m.month == date.month() => m.count += count,
                _ => y.months.push(MonthCount { month: date.month(), count }),
            },
            _ => years.push(YearMonths { year: date.year(), months: vec![MonthCount { month: date.month(), count }] }),
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

#[instrument(skip_all)]
pub async fn archive_month(
    State(app): State<Arc<App>>,
    Path((year, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    month_listing(&app, &year, &month, 1).await
}

#[instrument(skip_all)]
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

async fn month_listing(app: &App, year: &str, month: &str, page: u32) -> Result<Response, AppError> {
    let (y, m) = parse_month(year, month)?;
    let (start, end) = month_range(&app.time_zone(), y, m)?;
    let heading = app.i18n.text(
        app.language(),
        "archive-month-heading",
        &[("month", app.i18n.month_name(app.language(), m).into()), ("year", y.to_string().into())],
    );
    render_listing(
        app,
        ListingPage {
            listing: Listing::Between(start, end),
            page,
            base: format!("/archive/{year}/{month}"),
            feed_title: Some(format!("{} – {heading}", app.config().site.name)),
            heading: Some(heading),
            intro: None,
            picture: None,
            nav_current: "archive",
            lead_story: false,
            with_count: true,
            hide_when_empty: false,
        },
    )
    .await
}
