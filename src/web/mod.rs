//! The HTTP side: the router, the middleware every request passes (logging, timeout, security
//! headers, error pages, panics), and the server with graceful shutdown.

pub mod assets;
pub mod cache;
pub mod client;
pub mod conditional;
pub mod error;
pub mod i18n;
pub mod links;
pub mod server;
pub mod templates;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::app::App;
use crate::articles::admin as articles_admin;
use crate::articles::handlers as articles;
use crate::articles::labels_admin;
use crate::auth::admin as auth_admin;
use crate::auth::handlers as auth;
use crate::comments::admin as comments_admin;
use crate::comments::handlers as comments;
use crate::discovery::handlers as discovery;
use crate::email::admin as email_admin;
use crate::email::handlers as email;
use crate::jobs::admin as jobs_admin;
use crate::jobs::handlers as jobs;
use crate::promos::admin as promos_admin;
use error::{AppError, ErrorPage};

/// The whole site: the request log and the page cache in front of the routes. They sit
/// outside the routes' own stack, so a page sent from the cache costs a lookup and a copy, not
/// the routing and the layers every rendered page passes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback_service(routes(app.clone()))
        .layer(middleware::from_fn_with_state(app, cache::serve_cached))
        .layer(middleware::from_fn(log_requests))
}

/// Every route of the site, with the middleware of rendered responses.
fn routes(app: Arc<App>) -> Router {
    let max_body = app.config().server.max_body_bytes;
    Router::new()
        .route("/", get(articles::home))
        .route("/page/{page}", get(articles::home_page))
        .route("/news/{slug}", get(articles::show))
        .route("/tag/{slug}", get(articles::tag))
        .route("/tag/{slug}/page/{page}", get(articles::tag_page))
        .route("/author/{slug}", get(articles::author))
        .route("/author/{slug}/page/{page}", get(articles::author_page))
        .route("/archive", get(articles::archive_index))
        .route("/archive/{year}/{month}", get(articles::archive_month))
        .route("/archive/{year}/{month}/page/{page}", get(articles::archive_month_page))
        .route("/archive/{year}/{month}/feed", get(discovery::archive_feed))
        .route("/tag/{slug}/feed", get(discovery::tag_feed))
        .route("/author/{slug}/feed", get(discovery::author_feed))
        .route("/feed", get(discovery::rss))
        .route("/feed/atom", get(discovery::atom))
        .route("/feed.json", get(discovery::json))
        .route("/sitemap.xml", get(discovery::sitemap_index))
        .route("/sitemap-pages.xml", get(discovery::sitemap_pages))
        .route("/sitemap-tags.xml", get(discovery::sitemap_tags))
        .route("/sitemap-authors.xml", get(discovery::sitemap_authors))
        .route("/sitemap-news.xml", get(discovery::news_sitemap))
        .route("/robots.txt", get(discovery::robots))
        .route("/{file}", get(discovery::root_file))
        .route("/news/{slug}/comments", post(comments::submit))
        .route("/news/{slug}/comments/{id}/report", post(comments::report))
        .route("/news/{slug}/feed", get(comments::article_feed))
        .route("/news/{slug}/similar/feed", get(discovery::similar_feed))
        .route("/comments/feed", get(comments::all_feed))
        .route("/newsletter", get(email::newsletter_page).post(email::newsletter_signup))
        .route("/news/{slug}/alerts", post(email::alert_signup))
        .route("/subscription/confirm/{token}", get(email::confirm_page).post(email::confirm))
        .route("/subscription/{token}", get(email::preferences).post(email::save_preferences))
        .route("/subscription/{token}/export", get(email::export))
        .route("/subscription/{token}/erase", post(email::erase))
        .route("/subscription/{token}/unsubscribe", get(email::unsubscribe_page).post(email::unsubscribe))
        .route("/admin/newsletter", get(email_admin::list).post(email_admin::create))
        .route("/admin/newsletter/{id}", get(email_admin::show).post(email_admin::update))
        .route("/admin/newsletter/{id}/preview", get(email_admin::preview))
        .route("/admin/newsletter/{id}/test", post(email_admin::test))
        .route("/admin/newsletter/{id}/send", post(email_admin::send))
        .route("/admin/articles", get(articles_admin::list).post(articles_admin::create))
        .route("/admin/articles/new", get(articles_admin::new))
        .route("/admin/articles/{id}", get(articles_admin::edit).post(articles_admin::save))
        .route("/admin/articles/{id}/revisions", get(articles_admin::revisions))
        .route("/admin/articles/{id}/revisions/{version}", get(articles_admin::revision_page))
        .route("/admin/articles/{id}/revisions/{version}/restore", post(articles_admin::restore))
        .route("/admin/users", get(auth_admin::list).post(auth_admin::invite))
        .route("/admin/users/{id}", post(auth_admin::change))
        .route("/admin/account", get(auth_admin::account).post(auth_admin::change_password))
        .route("/admin/password/{token}", get(auth_admin::password_form).post(auth_admin::set_password))
        .route("/admin/tags", get(labels_admin::tags).post(labels_admin::create_tag))
        .route("/admin/tags/{id}", get(labels_admin::edit_tag).post(labels_admin::save_tag))
        .route("/admin/authors", get(labels_admin::authors).post(labels_admin::create_author))
        .route("/admin/authors/{id}", get(labels_admin::edit_author).post(labels_admin::save_author))
        .route("/admin/settings", get(crate::settings::admin::show).post(crate::settings::admin::save))
        .route(
            "/admin/media",
            get(crate::media::admin::list)
                .post(crate::media::admin::upload)
                .layer(DefaultBodyLimit::max(crate::media::MAX_UPLOAD + 64 * 1024)),
        )
        .route("/media/{id}/{file}", get(crate::media::serve))
        .route("/admin", get(auth::dashboard))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/comments", get(comments_admin::queue).post(comments_admin::act))
        .route("/search", get(crate::search::handlers::search))
        .route("/jobs", get(jobs::index))
        .route("/jobs/{id}", get(jobs::show))
        .route("/go/{id}", get(crate::promos::go))
        .route("/admin/jobs", get(jobs_admin::list).post(jobs_admin::save))
        .route("/admin/jobs/new", get(jobs_admin::new))
        .route("/admin/jobs/import", post(jobs_admin::import_now))
        .route("/admin/jobs/{id}", get(jobs_admin::edit))
        .route("/admin/jobs/{id}/withdraw", post(jobs_admin::withdraw))
        .route("/admin/promotions", get(promos_admin::list).post(promos_admin::save))
        .route("/admin/promotions/new", get(promos_admin::new))
        .route("/admin/promotions/{id}", get(promos_admin::edit))
        .route("/admin/promotions/{id}/delete", post(promos_admin::delete))
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(assets::serve))
        .fallback(not_found)
        .layer(middleware::from_fn(conditional::conditional_get))
        .layer(middleware::from_fn_with_state(app.clone(), apply_changes))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(app.clone(), timeout))
        .layer(DefaultBodyLimit::max(max_body))
        // Refuses an oversized body by Content-Length before reading it: uploads to the media
        // library may be larger than other requests.
        .layer(middleware::from_fn_with_state(max_body, refuse_long_bodies))
        .layer(middleware::from_fn(refuse_nul_in_address))
        .layer(RequestBodyLimitLayer::new(max_body.max(crate::media::MAX_UPLOAD + 64 * 1024)))
        .layer(middleware::from_fn_with_state(app.clone(), render_error_pages))
        .layer(middleware::from_fn_with_state(app.clone(), security_headers))
        .with_state(app)
}

/// After a request that may have written: applies the change log before the answer goes out,
/// so the writer's next page (and everyone's) shows the change. Handlers need not do it
/// themselves; work outside a request (the scheduler) calls `App::content_changed`.
async fn apply_changes(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let response = next.run(request).await;
    // Refused requests wrote nothing.
    if writes && (response.status().is_success() || response.status().is_redirection()) {
        app.content_changed().await;
    }
    response
}

/// 400 for an address whose path or query carries an encoded U+0000. No page has one, and
/// PostgreSQL cannot store or compare text holding it; refused here once, before any extractor
/// decodes it (forms are checked by `FormData::parse`).
async fn refuse_nul_in_address(request: Request, next: Next) -> Response {
    let has_nul = |s: &str| s.as_bytes().windows(3).any(|w| w == b"%00");
    let uri = request.uri();
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return AppError::BadRequest("address_nul").into_response();
    }
    next.run(request).await
}

/// 413 for a declared body over the limit of its route.
async fn refuse_long_bodies(State(max_body): State<usize>, request: Request, next: Next) -> Response {
    let limit = if request.uri().path() == "/admin/media" { crate::media::MAX_UPLOAD + 64 * 1024 } else { max_body };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return AppError::PayloadTooLarge.into_response();
    }
    next.run(request).await
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// `GET /healthz`: 200 when the database answers within a second, else 503 at once, so a load
/// balancer's check sees the outage instead of timing out on the pool's wait.
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let check = tokio::time::timeout(Duration::from_secs(1), sqlx::query("SELECT 1").execute(&app.db.pool)).await;
    let error = match check {
        Ok(Ok(_)) => return (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok\n").into_response(),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "no answer within a second".to_string(),
    };
    tracing::error!(error, "health check: database unreachable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store"), (header::RETRY_AFTER, "5")],
        "database unreachable\n",
    )
        .into_response()
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ErrorPage);
    response
}

/// Replaces the body of error responses with the site's designed error page: those of our
/// handlers, and the plain-text ones of axum's extractors and limits.
async fn render_error_pages(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let ours = response.extensions().get::<ErrorPage>().is_some();
    if !(ours || ((status.is_client_error() || status.is_server_error()) && !is_html)) {
        return response;
    }
    let key = match status.as_u16() {
        code @ (400 | 403 | 404 | 405 | 413 | 429 | 500 | 503) => code.to_string(),
        _ => "other".to_string(),
    };
    let page = context! {
        status => status.as_u16(),
        title => app.text(&format!("error-{key}-title")),
        text => app.text(&format!("error-{key}-text")),
    };
    let (mut parts, _) = response.into_parts();
    let rendered = if status.is_server_error() {
        app.render_offline("errors/error.html", page)
    } else {
        app.render("errors/error.html", page).await
    };
    match rendered {
        Ok(html) => {
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(html))
        }
        Err(e) => {
            // Rendering the error page itself failed (the database is down, say): plain text.
            tracing::error!(error = %e, "cannot render the error page");
            (status, status.canonical_reason().unwrap_or("error")).into_response()
        }
    }
}

/// Headers that keep pages from being framed, sniffed or made to run foreign script, and, on a
/// site served over https, that keep browsers from ever trying it over plain http.
async fn security_headers(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; \
         frame-ancestors 'none'";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler that sets its own policy (the mail preview, shown in a frame of the admin
    // page) keeps it, and may be framed by this site only.
    if headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    } else {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // Browsers heed it only over https, and the base URL says whether readers come that way (a
    // proxy may end TLS in front of us). A year, the usual span; subdomains are left out, as
    // they may be other people's sites that still speak http.
    if app.config().site.base_url.starts_with("https://") {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

async fn timeout(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let limit = Duration::from_secs(app.config().server.request_timeout_secs);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(seconds = limit.as_secs(), "request timed out");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

async fn log_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A cheap copy (shared bytes): the path is read only if the line is written.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let path = uri.path();
    let status = response.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    if status >= 500 {
        tracing::warn!(%method, path, status, micros, "request");
    } else if response.extensions().get::<cache::Outcome>() == Some(&cache::Outcome::Hit) {
        // Pages sent from the cache are the bulk of a busy site's traffic: logged at debug.
        tracing::debug!(%method, path, status, micros, "request (cached)");
    } else {
        tracing::info!(%method, path, status, micros, "request");
    }
    response
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish (up to the grace period).
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let config = app.config().server.clone();
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    });
    server::run(router(app), listener, config, stop_rx, grace).await
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The query of an admin page reached after a save: `?notice=saved`, and for some the id of
/// what was saved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Notice {
    pub notice: Option<String>,
    pub id: Option<i64>,
}

/// An admin page: never cached, never indexed.
pub fn admin_html(body: String) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store"), (header::HeaderName::from_static("x-robots-tag"), "noindex, nofollow")],
        Html(body),
    )
        .into_response()
}

/// An HTML response that tells caches to revalidate.
pub fn html(body: String) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=0, must-revalidate")], Html(body)).into_response()
}
