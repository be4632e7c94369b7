//! `/api/v1/…`: the key check, the rate limit, CORS and the JSON answers.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::json::{article_json, comment_json, label_json};
use super::keys::{self, Allowance, ApiKey, RateLimits};
use crate::app::App;
use crate::articles::model::{Article, Label};
use crate::articles::queries::{self as articles, Filter};
use crate::discovery::rfc3339;

/// Articles a page holds unless the program asks for fewer (at most [`MAX_LIMIT`]).
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// Every key's requests of this minute, in this process.
static LIMITS: LazyLock<RateLimits> = LazyLock::new(RateLimits::default);

/// An API error: a status and a JSON problem (RFC 9457) with a stable `code` programs can match.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    allowance: Option<Allowance>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, code, detail: detail.into(), allowance: None }
    }

    fn bad(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is nothing at this address.")
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        let e = crate::web::error::AppError::from(e);
        tracing::error!(error = %e, "API request failed");
        match e {
            crate::web::error::AppError::Unavailable(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "The database is unavailable; try again.")
            }
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side."),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_client_error() {
            tracing::info!(status = self.status.as_u16(), code = self.code, "API request refused");
        }
        let body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "code": self.code,
            "detail": self.detail,
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"api\""));
        }
        if let Some(allowance) = self.allowance {
            rate_headers(headers, &allowance);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(allowance.reset_secs.max(1)));
        }
        response
    }
}

fn rate_headers(headers: &mut HeaderMap, allowance: &Allowance) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(allowance.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(allowance.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(allowance.reset_secs));
}

/// A program with a valid key, within its rate.
pub struct ApiClient {
    allowance: Allowance,
    /// The request's `Origin` when the key lets that origin read the answer.
    origin: Option<HeaderValue>,
}

/// The key a request sends: `Authorization: Bearer …`, or `X-Api-Key`.
fn sent_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok())).map(str::trim)
}

impl FromRequestParts<Arc<App>> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<ApiClient, ApiError> {
        let Some(secret) = sent_key(&parts.headers) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_key",
                "Send an API key as `Authorization: Bearer <key>`; admins make keys at /admin/integrations.",
            ));
        };
        let digest = keys::digest(secret);
        let key: Option<ApiKey> = match &digest {
            Some(digest) => keys::find_by_digest(&app.db, digest).await?,
            None => None,
        };
        let (Some(key), Some(digest)) = (key.filter(|k| k.revoked_at.is_none()), digest) else {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_key", "This API key is unknown or revoked."));
        };
        let now = app.now();
        let allowance = LIMITS.take(&key, &digest, now);
        if !allowance.allowed {
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("This key may make {} requests a minute.", key.per_minute),
            );
            error.allowance = Some(allowance);
            return Err(error);
        }
        if let Err(e) = keys::record_use(&app.db, &key, now).await {
            // Only the "last used" column is behind; the request is answered.
            tracing::warn!(error = %e, "cannot record an API key's use");
        }
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .filter(|o| o.to_str().is_ok_and(|o| key.allows_origin(&o.to_ascii_lowercase())))
            .cloned();
        Ok(ApiClient { allowance, origin })
    }
}

impl ApiClient {
    /// A JSON answer with the key's rate and CORS headers. The site's conditional GET adds the
    /// ETag and answers `If-None-Match` with 304.
    fn json(&self, body: &Value) -> Response {
        let mut response = body.to_string().into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        // Programs may keep an answer, but ask again (with its ETag) before using it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        headers.insert(header::VARY, HeaderValue::from_static("Authorization, Origin"));
        rate_headers(headers, &self.allowance);
        if let Some(origin) = &self.origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("ETag, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"),
            );
        }
        response
    }
}

/// Whether some key that is not revoked lets pages of `origin` use it.
async fn known_origin(app: &App, origin: &str) -> Result<bool, sqlx::Error> {
    Ok(keys::all(&app.db).await?.iter().any(|k| k.revoked_at.is_none() && k.allows_origin(origin)))
}

/// The request's `Origin`, lower-cased, if it is text.
fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_ascii_lowercase)
}

/// `OPTIONS /api/v1/…`: a browser asks whether a page of its origin may send the key. Answered
/// yes when some key that is not revoked names that origin (the preflight carries no key).
pub async fn preflight(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = origin_of(&headers)
        && known_origin(&app, &origin).await?
        && let Ok(value) = HeaderValue::from_str(&origin)
    {
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD"));
        out.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, X-Api-Key, If-None-Match"),
        );
        out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
    Ok(response)
}

/// Lets a page read the API's refusals too, when its origin is one some live key names (the
/// preflight's rule): without it, a script sees a 401 or a 429 as a network error and cannot
/// tell the reader why. The answer says no more than the preflight already does.
pub async fn cors_on_errors(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let origin = origin_of(request.headers());
    let mut response = next.run(request).await;
    let refused = response.status().is_client_error() || response.status().is_server_error();
    let Some(origin) = origin.filter(|_| refused) else { return response };
    if response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        return response;
    }
    match known_origin(&app, &origin).await {
        Ok(true) => {
            if let Ok(value) = HeaderValue::from_str(&origin) {
                let out = response.headers_mut();
                out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
                out.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(
                        "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
                    ),
                );
            }
        }
        Ok(false) => {}
        // The refusal goes out as it is; the error was logged where it happened.
        Err(e) => tracing::warn!(error = %e, "cannot read the API keys' origins for an error answer"),
    }
    response.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// `/api/v1/openapi.json`: the API's description; no key needed.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], super::OPENAPI).into_response()
}

/// Any other address under `/api/v1`.
pub async fn unknown() -> ApiError {
    ApiError::not_found()
}

/// A time in a query: RFC 3339 (`2026-12-01T08:00:00Z`) or a date (`2026-12-01`, midnight UTC).
fn parse_time(name: &str, value: &str) -> Result<i64, ApiError> {
    let value = value.trim();
    let parsed = value.parse::<jiff::Timestamp>().map(|t| t.as_second()).or_else(|_| {
        value
            .parse::<jiff::civil::Date>()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
            .map(|z| z.timestamp().as_second())
    });
    parsed.map_err(|_| {
        ApiError::bad(
            "bad_time",
            format!("`{name}` must be a time like 2026-12-01T08:00:00Z or a date like 2026-12-01."),
        )
    })
}

/// The cursor of the next page: the last article's publication time and id, opaque to programs.
fn cursor_of(article: &Article) -> String {
    format!("{}.{}", article.published_at.unwrap_or(0), article.id)
}

fn parse_cursor(value: &str) -> Result<(i64, i64), ApiError> {
    let bad = || ApiError::bad("bad_cursor", "`cursor` must be a `next_cursor` this API gave.");
    let (at, id) = value.split_once('.').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

fn parse_limit(query: &HashMap<String, String>) -> Result<i64, ApiError> {
    match query.get("limit").map(|l| l.trim()) {
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| ApiError::bad("bad_limit", format!("`limit` must be a number from 1 to {MAX_LIMIT}."))),
    }
}

/// Parameters that are not this endpoint's are refused, so that a misspelt filter is not
/// silently ignored.
fn only(query: &HashMap<String, String>, known: &[&str]) -> Result<(), ApiError> {
    match query.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::bad(
            "unknown_parameter",
            format!(
                "Unknown parameter `{}`; this endpoint takes {}.",
                k.chars().take(40).collect::<String>(),
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// `GET /api/v1/articles`: live articles, newest first, filtered, a page at a time.
pub async fn articles(
    State(app): State<Arc<App>>,
    client: ApiClient,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&query, &["tag", "author", "published_since", "published_before", "updated_since", "limit", "cursor"])?;
    let limit = parse_limit(&query)?;
    let mut filter = Filter::default();
    if let Some(slug) = query.get("tag") {
        let tag = articles::find_tag(&app.db, slug.trim()).await?;
        filter.tag = Some(tag.ok_or_else(|| ApiError::bad("unknown_tag", "There is no tag with this slug."))?.0);
    }
    if let Some(slug) = query.get("author") {
        let author = articles::find_author(&app.db, slug.trim()).await?;
        filter.author =
            Some(author.ok_or_else(|| ApiError::bad("unknown_author", "There is no author with this slug."))?.0);
    }
    filter.published_since = query.get("published_since").map(|v| parse_time("published_since", v)).transpose()?;
    filter.published_before = query.get("published_before").map(|v| parse_time("published_before", v)).transpose()?;
    filter.modified_since = query.get("updated_since").map(|v| parse_time("updated_since", v)).transpose()?;
    filter.after = query.get("cursor").map(|c| parse_cursor(c)).transpose()?;
    // One more than the page tells whether there is a next one.
    let mut found = articles::filtered(&app.db, &filter, limit + 1, app.now()).await?;
    let more = found.len() as i64 > limit;
    found.truncate(limit as usize);
    let base = app.config().site.base_url.clone();
    let next = more.then(|| found.last().map(cursor_of)).flatten();
    Ok(client.json(&json!({
        "articles": found.iter().map(|a| article_json(&base, a)).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

/// `GET /api/v1/articles/{slug}`.
pub async fn article(
    State(app): State<Arc<App>>,
    client: ApiClient,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let article = articles::find_live(&app.db, &slug, app.now()).await?.ok_or_else(ApiError::not_found)?;
    Ok(client.json(&json!({ "article": article_json(&app.config().site.base_url, &article) })))
}

/// `GET /api/v1/articles/{slug}/comments`: the approved comments, oldest first, replies
/// under the comment they answer.
pub async fn comments(
    State(app): State<Arc<App>>,
    client: ApiClient,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let article = articles::find_live(&app.db, &slug, app.now()).await?.ok_or_else(ApiError::not_found)?;
    let (comments, count) = crate::comments::queries::approved_for_article(&app.db, article.id).await?;
    Ok(client.json(&json!({
        "comments": comments.iter().map(comment_json).collect::<Vec<_>>(),
        "count": count,
    })))
}

/// `GET /api/v1/tags` and `/api/v1/authors`: every one, by name.
pub async fn tags(State(app): State<Arc<App>>, client: ApiClient) -> Result<Response, ApiError> {
    let base = app.config().site.base_url.clone();
    let tags = crate::articles::labels::list(&app.db, crate::articles::labels::Kind::Tag).await?;
    let tags: Vec<Value> =
        tags.iter().map(|t| label_json(&base, "tag", &Label { slug: t.slug.clone(), name: t.name.clone() })).collect();
    Ok(client.json(&json!({ "tags": tags })))
}

pub async fn authors(State(app): State<Arc<App>>, client: ApiClient) -> Result<Response, ApiError> {
    let base = app.config().site.base_url.clone();
    let authors = crate::articles::labels::list(&app.db, crate::articles::labels::Kind::Author).await?;
    let authors: Vec<Value> = authors
        .iter()
        .map(|a| {
            let mut value = label_json(&base, "author", &Label { slug: a.slug.clone(), name: a.name.clone() });
            value["bio"] = json!(a.bio);
            value["picture_url"] = json!(a.picture_url.as_ref().map(|p| if p.starts_with('/') {
                format!("{base}{p}")
            } else {
                p.clone()
            }));
            value
        })
        .collect();
    Ok(client.json(&json!({ "authors": authors })))
}

/// `GET /api/v1/jobs`: the current job listings, newest first, by page.
pub async fn jobs(
    State(app): State<Arc<App>>,
    client: ApiClient,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&query, &["page"])?;
    let page = match query.get("page").map(|p| p.trim()) {
        None | Some("") => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| ApiError::bad("bad_page", "`page` must be a number from 1 to 10000."))?,
    };
    let (jobs, total) =
        crate::jobs::queries::current(&app.db, &crate::jobs::queries::Filter::default(), page, MAX_LIMIT, app.now())
            .await?;
    let base = app.config().site.base_url.clone();
    let jobs: Vec<Value> = jobs
        .iter()
        .map(|j| {
            json!({
                "id": j.id,
                "url": format!("{base}/jobs/{}", j.id),
                "title": j.title,
                "employer": j.employer,
                "location": j.location,
                "workplace": j.workplace,
                "kind": j.kind,
                "html": j.description_html,
                "apply_url": j.apply_url,
                "posted_at": rfc3339(j.posted_at),
                "expires_at": rfc3339(j.expires_at),
                "sponsored": j.sponsored,
            })
        })
        .collect();
    Ok(client.json(&json!({
        "jobs": jobs,
        "total": total,
        "page": page,
        "pages": ((total + MAX_LIMIT - 1) / MAX_LIMIT).max(1),
    })))
}
