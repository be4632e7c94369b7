//! The whole site as one router: every route with who may use it, the middleware every request
//! passes (logging, the page cache, timeout, security headers, error pages, panics), and the
//! server with graceful shutdown. Part of the composition root: it alone knows every handler.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::activitypub::admin as social_admin;
use crate::activitypub::handlers as social;
use crate::analytics;
use crate::api::admin as api_admin;
use crate::api::handlers as api;
use crate::app::App;
use crate::articles::admin as articles_admin;
use crate::articles::handlers as articles;
use crate::articles::labels_admin;
use crate::auth::admin as auth_admin;
use crate::auth::handlers as auth;
use crate::auth::users::Role;
use crate::comments::admin as comments_admin;
use crate::comments::handlers as comments;
use crate::discovery::handlers as discovery;
use crate::email::admin as email_admin;
use crate::email::handlers as email;
use crate::jobs::admin as jobs_admin;
use crate::jobs::handlers as jobs;
use crate::pages::admin as pages_admin;
use crate::promos::admin as promos_admin;
use crate::web::error::{AppError, ErrorPage};
use crate::web::routes::{self, Routes};
use crate::web::{assets, cache, conditional, metrics, server};
use crate::webhooks::admin as hooks_admin;

/// The whole site: the request log and the page cache in front of the routes. They sit
/// outside the routes' own stack, so a page sent from the cache costs a lookup and a copy, not
/// the routing and the layers every rendered page passes.
pub fn router(app: Arc<App>) -> Router {
    metrics::handle();
    Router::new()
        .fallback_service(routes(app.clone()))
        .layer(middleware::from_fn_with_state(app.clone(), cache::serve_cached::<App>))
        // The cache answers outside the routes' own panic layer: a panic there is a 500 too.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(app, log_requests))
}

/// Every route of the site, each with who may use it ([`routes::Access`]), and the table
/// built from the same calls.
pub fn route_table(app: Arc<App>) -> (Router<Arc<App>>, Vec<routes::Entry>) {
    const GET: &[&str] = &["GET"];
    const POST: &[&str] = &["POST"];
    const BOTH: &[&str] = &["GET", "POST"];
    let (cached, uncached) = (true, false);
    let everyone: &'static [Role] = &[Role::Editor, Role::Moderator];
    Routes::new(app.clone())
        .public(GET, "/", cached, get(articles::home))
        .public(GET, "/page/{page}", cached, get(articles::home_page))
        // The page, or the article as an ActivityPub object (content negotiation).
        .public(GET, "/news/{slug}", cached, get(social::news))
        .public(GET, "/tag/{slug}", cached, get(articles::tag))
        .public(GET, "/tag/{slug}/page/{page}", cached, get(articles::tag_page))
        .public(GET, "/author/{slug}", cached, get(articles::author))
        .public(GET, "/author/{slug}/page/{page}", cached, get(articles::author_page))
        .public(GET, "/archive", cached, get(articles::archive_index))
        .public(GET, "/archive/{year}/{month}", cached, get(articles::archive_month))
        .public(GET, "/archive/{year}/{month}/page/{page}", cached, get(articles::archive_month_page))
        .public(GET, "/archive/{year}/{month}/feed", cached, get(discovery::archive_feed))
        .public(GET, "/tag/{slug}/feed", cached, get(discovery::tag_feed))
        .public(GET, "/author/{slug}/feed", cached, get(discovery::author_feed))
        .public(GET, "/feed", cached, get(discovery::rss))
        .public(GET, "/feed/atom", cached, get(discovery::atom))
        .public(GET, "/feed.json", cached, get(discovery::json))
        .public(GET, "/sitemap.xml", cached, get(discovery::sitemap_index))
        .public(GET, "/sitemap-pages.xml", cached, get(discovery::sitemap_pages))
        .public(GET, "/sitemap-tags.xml", cached, get(discovery::sitemap_tags))
        .public(GET, "/sitemap-authors.xml", cached, get(discovery::sitemap_authors))
        .public(GET, "/sitemap-news.xml", cached, get(discovery::news_sitemap))
        .public(GET, "/robots.txt", cached, get(discovery::robots))
        // The site's own pages (`/impressum`), the IndexNow key file and the article sitemaps by
        // number; the sitemaps are cached.
        .public(GET, "/{name}", uncached, get(root_name))
        .public(POST, "/news/{slug}/comments", uncached, post(comments::submit))
        .public(POST, "/news/{slug}/comments/{id}/report", uncached, post(comments::report))
        .public(GET, "/news/{slug}/feed", cached, get(comments::article_feed))
        .public(GET, "/news/{slug}/similar/feed", cached, get(discovery::similar_feed))
        .public(GET, "/comments/feed", cached, get(comments::all_feed))
        .public(BOTH, "/newsletter", cached, get(email::newsletter_page).post(email::newsletter_signup))
        .public(POST, "/news/{slug}/alerts", uncached, post(email::alert_signup))
        .public(BOTH, "/subscription", cached, get(email::manage_page).post(email::manage))
        .public(BOTH, "/subscription/confirm/{token}", uncached, get(email::confirm_page).post(email::confirm))
        .public(BOTH, "/subscription/{token}", uncached, get(email::preferences).post(email::save_preferences))
        .public(GET, "/subscription/{token}/export", uncached, get(email::export))
        .public(POST, "/subscription/{token}/erase", uncached, post(email::erase))
        .public(
            BOTH,
            "/subscription/{token}/unsubscribe",
            uncached,
            get(email::unsubscribe_page).post(email::unsubscribe),
        )
        .public(GET, "/search", cached, get(crate::search::handlers::search))
        .public(GET, "/jobs", cached, get(jobs::index))
        .public(GET, "/jobs/{id}", cached, get(jobs::show))
        .public(GET, "/go/{id}", uncached, get(crate::promos::handlers::go))
        .public(GET, "/l/{id}", uncached, get(email::follow_link))
        .public(GET, "/media/{id}/{file}", uncached, get(crate::media::handlers::serve))
        .public(GET, "/media/files/{key}/{name}", uncached, get(crate::media::handlers::serve_file))
        // The Content API: JSON for programs with a key (`api`). Browsers ask first (OPTIONS).
        .public(GET, "/api/v1/openapi.json", uncached, api_route(&app, get(api::openapi)))
        .public(GET, "/api/v1/articles", uncached, api_route(&app, get(api::articles)))
        .public(GET, "/api/v1/articles/{slug}", uncached, api_route(&app, get(api::article)))
        .public(GET, "/api/v1/articles/{slug}/comments", uncached, api_route(&app, get(api::comments)))
        .public(GET, "/api/v1/tags", uncached, api_route(&app, get(api::tags)))
        .public(GET, "/api/v1/authors", uncached, api_route(&app, get(api::authors)))
        .public(GET, "/api/v1/jobs", uncached, api_route(&app, get(api::jobs)))
        .public(GET, "/api/v1/{*rest}", uncached, api_route(&app, get(api::unknown)))
        .public(GET, "/.well-known/webfinger", uncached, get(social::webfinger))
        .public(GET, "/.well-known/nodeinfo", uncached, get(social::nodeinfo_links))
        .public(GET, "/nodeinfo/2.1", uncached, get(social::nodeinfo))
        .public(GET, "/ap/actor", uncached, get(social::actor))
        .public(GET, "/ap/outbox", uncached, get(social::outbox))
        .public(GET, "/ap/followers", uncached, get(social::followers))
        .public(POST, "/ap/inbox", uncached, post(social::inbox))
        .public(GET, "/healthz", uncached, get(healthz))
        // Only for addresses in `server.metrics_allowed`.
        .public(GET, "/metrics", uncached, get(super::metrics::scrape))
        .public(GET, "/static/{*path}", uncached, get(assets::serve))
        .public(BOTH, "/admin/login", uncached, get(auth::login_form).post(auth::login))
        .public(
            BOTH,
            "/admin/password/{token}",
            uncached,
            get(auth_admin::password_form).post(auth_admin::set_password),
        )
        .staff(GET, "/admin", everyone, get(auth::dashboard))
        .staff(BOTH, "/admin/account", everyone, get(auth_admin::account).post(auth_admin::change_password))
        .staff(BOTH, "/admin/newsletter", email_admin::ROLES, get(email_admin::list).post(email_admin::create))
        .staff(BOTH, "/admin/newsletter/{id}", email_admin::ROLES, get(email_admin::show).post(email_admin::update))
        .staff(GET, "/admin/newsletter/{id}/preview", email_admin::ROLES, get(email_admin::preview))
        .staff(POST, "/admin/newsletter/{id}/test", email_admin::ROLES, post(email_admin::test))
        .staff(POST, "/admin/newsletter/{id}/send", email_admin::ROLES, post(email_admin::send))
        .staff_keeping_forms(
            BOTH,
            "/admin/articles",
            articles_admin::ROLES,
            get(articles_admin::list)
                .post(articles_admin::create)
                .layer(DefaultBodyLimit::max(crate::media::MAX_UPLOAD + 64 * 1024)),
        )
        .staff(GET, "/admin/articles/new", articles_admin::ROLES, get(articles_admin::new))
        .staff(POST, "/admin/articles/autosave", articles_admin::ROLES, post(articles_admin::autosave))
        .staff_keeping_forms(
            BOTH,
            "/admin/articles/{id}",
            articles_admin::ROLES,
            get(articles_admin::edit)
                .post(articles_admin::save)
                .layer(DefaultBodyLimit::max(crate::media::MAX_UPLOAD + 64 * 1024)),
        )
        .staff(GET, "/admin/articles/{id}/revisions", articles_admin::ROLES, get(articles_admin::revisions))
        .staff(
            GET,
            "/admin/articles/{id}/revisions/{version}",
            articles_admin::ROLES,
            get(articles_admin::revision_page),
        )
        .staff(
            POST,
            "/admin/articles/{id}/revisions/{version}/restore",
            articles_admin::ROLES,
            post(articles_admin::restore),
        )
        .staff(BOTH, "/admin/users", auth_admin::ROLES, get(auth_admin::list).post(auth_admin::invite))
        .staff(POST, "/admin/users/{id}", auth_admin::ROLES, post(auth_admin::change))
        .staff(BOTH, "/admin/tags", labels_admin::ROLES, get(labels_admin::tags).post(labels_admin::create_tag))
        .staff(BOTH, "/admin/tags/{id}", labels_admin::ROLES, get(labels_admin::edit_tag).post(labels_admin::save_tag))
        .staff(
            BOTH,
            "/admin/authors",
            labels_admin::ROLES,
            get(labels_admin::authors).post(labels_admin::create_author),
        )
        .staff(
            BOTH,
            "/admin/authors/{id}",
            labels_admin::ROLES,
            get(labels_admin::edit_author).post(labels_admin::save_author),
        )
        .staff(
            BOTH,
            "/admin/settings",
            crate::settings::admin::ROLES,
            get(crate::settings::admin::show).post(crate::settings::admin::save),
        )
        .staff(
            BOTH,
            "/admin/media",
            crate::media::admin::ROLES,
            get(crate::media::admin::list)
                .post(crate::media::admin::upload)
                .layer(DefaultBodyLimit::max(crate::media::MAX_UPLOAD + 64 * 1024)),
        )
        .staff(POST, "/admin/media/{id}", crate::media::admin::ROLES, post(crate::media::admin::change))
        .staff(GET, "/admin/subscribers", email_admin::ROLES, get(email_admin::subscribers))
        .staff(GET, "/admin/subscribers/export.csv", email_admin::ROLES, get(email_admin::export_subscribers))
        .staff(
            POST,
            "/admin/subscribers/import",
            email_admin::ROLES,
            post(email_admin::import_subscribers)
                .layer(DefaultBodyLimit::max(crate::email::roster::MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .staff(BOTH, "/admin/comments", comments_admin::ROLES, get(comments_admin::queue).post(comments_admin::act))
        .staff(
            BOTH,
            "/admin/moderation",
            comments_admin::MODEL_ROLES,
            get(comments_admin::models).post(comments_admin::models_act),
        )
        .staff(BOTH, "/admin/jobs", jobs_admin::ROLES, get(jobs_admin::list).post(jobs_admin::save))
        .staff(GET, "/admin/jobs/new", jobs_admin::ROLES, get(jobs_admin::new))
        .staff(POST, "/admin/jobs/import", jobs_admin::ROLES, post(jobs_admin::import_now))
        .staff(GET, "/admin/jobs/{id}", jobs_admin::ROLES, get(jobs_admin::edit))
        .staff(POST, "/admin/jobs/{id}/withdraw", jobs_admin::ROLES, post(jobs_admin::withdraw))
        .staff(BOTH, "/admin/promotions", promos_admin::ROLES, get(promos_admin::list).post(promos_admin::save))
        .staff(GET, "/admin/promotions/new", promos_admin::ROLES, get(promos_admin::new))
        .staff(GET, "/admin/promotions/{id}", promos_admin::ROLES, get(promos_admin::edit))
        .staff(POST, "/admin/promotions/{id}/delete", promos_admin::ROLES, post(promos_admin::delete))
        .staff(BOTH, "/admin/pages", pages_admin::ROLES, get(pages_admin::list).post(pages_admin::save))
        .staff(GET, "/admin/pages/new", pages_admin::ROLES, get(pages_admin::new))
        .staff(GET, "/admin/pages/{id}", pages_admin::ROLES, get(pages_admin::edit))
        .staff(POST, "/admin/pages/{id}/delete", pages_admin::ROLES, post(pages_admin::delete))
        .staff(BOTH, "/admin/integrations", api_admin::ROLES, get(api_admin::list).post(api_admin::create))
        .staff(POST, "/admin/integrations/{id}/revoke", api_admin::ROLES, post(api_admin::revoke))
        .staff(POST, "/admin/integrations/webhooks", hooks_admin::ROLES, post(hooks_admin::create))
        .staff(
            BOTH,
            "/admin/integrations/webhooks/{id}",
            hooks_admin::ROLES,
            get(hooks_admin::show).post(hooks_admin::update),
        )
        .staff(POST, "/admin/integrations/webhooks/{id}/ping", hooks_admin::ROLES, post(hooks_admin::ping))
        .staff(POST, "/admin/integrations/webhooks/{id}/resend", hooks_admin::ROLES, post(hooks_admin::resend))
        .staff(POST, "/admin/integrations/webhooks/{id}/secret", hooks_admin::ROLES, post(hooks_admin::roll_secret))
        .staff(POST, "/admin/integrations/webhooks/{id}/delete", hooks_admin::ROLES, post(hooks_admin::delete))
        .staff(GET, "/admin/social", social_admin::ROLES, get(social_admin::show))
        .staff(POST, "/admin/social/blocks", social_admin::ROLES, post(social_admin::block))
        .staff(POST, "/admin/social/blocks/{id}/delete", social_admin::ROLES, post(social_admin::unblock))
        .staff(GET, "/admin/analytics", analytics::admin::ROLES, get(analytics::admin::dashboard))
        .staff(GET, "/admin/analytics/export", analytics::admin::ROLES, get(analytics::admin::export))
        .staff(GET, "/admin/analytics/articles/{id}", analytics::admin::ROLES, get(analytics::admin::article))
        // Last in the table: walking it ends the session.
        .staff(POST, "/admin/logout", everyone, post(auth::logout))
        .into_parts()
}

/// Every route of the site, with the middleware of rendered responses.
fn routes(app: Arc<App>) -> Router {
    let max_body = app.config().server.max_body_bytes;
    let (routes, _) = route_table(app.clone());
    routes
        .route_layer(middleware::from_fn(metrics::label_route))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), old_address))
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
/// themselves; work outside a request (the scheduler) calls `follower::content_changed`.
async fn apply_changes(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let response = next.run(request).await;
    // Refused requests wrote nothing.
    if writes && (response.status().is_success() || response.status().is_redirection()) {
        crate::follower::content_changed(&app).await;
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
    let path = request.uri().path();
    // The editor's form may carry a lead image; only as multipart (`FormWithFile`).
    let editor = path == "/admin/articles"
        || path
            .strip_prefix("/admin/articles/")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    let limit = match path {
        "/admin/media" => crate::media::MAX_UPLOAD + 64 * 1024,
        "/admin/subscribers/import" => crate::email::roster::MAX_IMPORT_BYTES + 64 * 1024,
        _ if editor => crate::media::MAX_UPLOAD + 64 * 1024,
        _ => max_body,
    };
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

/// A Content API route: browsers ask first whether their page may call it (CORS preflight).
/// An API route: the browser's preflight beside it, and CORS on its refusals.
fn api_route(app: &Arc<App>, route: axum::routing::MethodRouter<Arc<App>>) -> axum::routing::MethodRouter<Arc<App>> {
    route.options(api::preflight).layer(axum::middleware::from_fn_with_state(app.clone(), api::cors_on_errors))
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// A 301 to `target`, a path on this site.
fn moved(target: &str) -> Response {
    match HeaderValue::from_str(target) {
        Ok(location) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response(),
        Err(_) => AppError::NotFound.into_response(),
    }
}

/// Addresses of an imported site (`migrate::addresses`): a request this site has no page for,
/// or the home page asked for an old post by number (`/?p=12`), is answered with a 301 to where
/// the same thing is now. Any other address with a trailing slash that finds nothing is sent to
/// the same address without it (`/feed/` to `/feed`), as the site's own addresses have none.
async fn old_address(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    use crate::migrate::addresses;
    if !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        return next.run(request).await;
    }
    let uri = request.uri().clone();
    let key = addresses::key(uri.path(), uri.query());
    let lookup = async |app: &App| {
        let key = key.as_deref()?;
        match addresses::find(&app.db, key).await {
            Ok(target) => target,
            Err(e) => {
                tracing::error!(error = %e, "old addresses not readable");
                None
            }
        }
    };
    if addresses::shadowed(uri.path(), uri.query())
        && let Some(target) = lookup(&app).await
    {
        return moved(&target);
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND {
        return response;
    }
    if let Some(target) = lookup(&app).await {
        return moved(&target);
    }
    let path = uri.path();
    let trimmed = path.trim_end_matches('/');
    // Never a path a browser would read as another host's (`//host`, `/\host`).
    let plain = trimmed.len() > 1 && !trimmed.contains("//") && !trimmed.contains('\\');
    if path.ends_with('/') && plain {
        let target = match uri.query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_string(),
        };
        return moved(&target);
    }
    response
}

/// `GET /{name}`: a file named at the site's root (sitemaps by number, the IndexNow key: names
/// with a dot), else one of the site's own pages (slugs have no dot).
async fn root_name(
    State(app): State<Arc<App>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    if name.contains('.') {
        return discovery::root_file(State(app), axum::extract::Path(name)).await;
    }
    crate::pages::handlers::show(&app, &name).await
}

/// `GET /healthz`: 200 when the database answers within a second, else 503 at once, so a load
/// balancer's check sees the outage instead of timing out on the pool's wait.
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let check = tokio::time::timeout(Duration::from_secs(1), app.db.ping()).await;
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
    tracing::error!(panic = crate::tasks::panic_message(panic.as_ref()), "handler panicked");
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
    // The Content API's errors are JSON for programs (`api::handlers::ApiError`).
    let is_problem =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/problem+json");
    let ours = response.extensions().get::<ErrorPage>().is_some();
    if !(ours || ((status.is_client_error() || status.is_server_error()) && !is_html && !is_problem)) {
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

/// Logs every request and, unless no address may read `/metrics`, counts it there.
async fn log_requests(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // A cheap copy (shared bytes): the path is read only if the line is written.
    let uri = request.uri().clone();
    let seen = (method == axum::http::Method::GET && app.analytics.enabled()).then(|| {
        let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let client = if app.analytics.behind_proxy() {
            crate::web::client::client_address(request.headers(), peer, &app.config().server)
        } else {
            peer.map(|ip| ip.to_canonical())
        };
        analytics::Seen::of(request.headers(), client)
    });
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    if app.metrics_on() {
        metrics::observe(&method, response.extensions().get::<metrics::RouteLabel>(), response.status(), elapsed);
    }
    if let Some(seen) = seen {
        let html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        let answer = analytics::Answer {
            status: response.status(),
            page: response.extensions().get::<metrics::RouteLabel>().is_some_and(|r| r.read),
            html,
            facts: response.extensions().get::<analytics::Facts>().copied(),
        };
        app.analytics.count(&uri, seen, answer, app.now());
    }
    let path = uri.path();
    let status = response.status().as_u16();
    let micros = elapsed.as_micros() as u64;
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
    tokio::spawn(metrics::upkeep(stop_rx.clone()));
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
