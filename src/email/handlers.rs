//! Readers' side of email: the newsletter signup (`/newsletter` and the compact form under each
//! article), similar-news alerts (`POST /news/{slug}/alerts`), confirmation, and the
//! preferences page behind each reader's link, with export, erasure and one-click unsubscribe.
//!
//! The signup forms sit on cached pages, so they carry no per-reader secret: an Origin check, a
//! honeypot field and a limit per IP hash keep bots out. Every answer to a valid signup reads
//! the same, whether or not the address was subscribed already.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::subscribers::{self, Kind, ManageOutcome, Signup, SignupOutcome, Subscriber};
use super::{ConfirmToken, SubscriberToken};
use crate::app::App;
use crate::articles::model::Article;
use crate::articles::queries as articles;
use crate::web::client::{ClientIp, FormData, same_origin};
use crate::web::error::AppError;
use crate::web::params::parse_slug;

/// A page of this module, never cached and never leaking its URL (which holds a token).
fn private(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex, nofollow"),
        ],
        Html(body),
    )
        .into_response()
}

/// A short page: a heading, a text and a way on.
async fn message(
    app: &App,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
    back: Option<(String, String)>,
) -> Response {
    let page = context! {
        title => app.text(title_key),
        text => app.text(text_key),
        back_href => back.as_ref().map(|b| b.0.clone()),
        back_label => back.map(|b| b.1),
    };
    match app.render("subscription/message.html", page).await {
        Ok(body) => private(status, body),
        Err(e) => e.into_response(),
    }
}

/// A signup the reader can fix: the form again, filled in as sent, with what was wrong (400).
async fn retry(
    app: &App,
    text_key: &str,
    article: Option<&Article>,
    form: &FormData,
    back: Option<(String, String)>,
) -> Response {
    let site = app.config().site.name.clone();
    let (action, consent, button) = match article {
        Some(a) => (format!("/news/{}/alerts", a.slug), "alert-consent", "alert-submit"),
        None => ("/newsletter".to_string(), "newsletter-consent", "newsletter-submit"),
    };
    let typed: String = form.get("email").unwrap_or_default().chars().take(254).collect();
    let page = context! {
        title => app.text("signup-refused-title"),
        text => app.text(text_key),
        action => action,
        consent => app.i18n.text(app.language(), consent, &[("site", site.into())]),
        button => app.text(button),
        form_name => form.get("form").filter(|f| matches!(*f, "article" | "home")).unwrap_or_default(),
        email => typed,
        back => back.as_ref().map(|b| b.0.clone()).unwrap_or_default(),
        back_label => back.map(|b| b.1),
    };
    match app.render("subscription/retry.html", page).await {
        Ok(body) => private(StatusCode::BAD_REQUEST, body),
        Err(e) => e.into_response(),
    }
}

/// `GET /newsletter`: the signup page.
#[instrument(skip_all)]
pub async fn newsletter_page(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let body = app.render("subscription/newsletter.html", context! {}).await?;
    Ok(Html(body).into_response())
}

/// `POST /newsletter`.
#[instrument(skip_all)]
pub async fn newsletter_signup(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<FormData, AppError>,
) -> Result<Response, AppError> {
    // The compact form under an article leads back to the article, the home page's box home.
    let back_path = form.as_ref().ok().and_then(|f| f.get("back")).filter(|path| {
        *path == "/"
            || path.strip_prefix("/news/").is_some_and(|slug| crate::articles::model::Slug::parse(slug).is_ok())
    });
    let back = match back_path {
        Some("/") => Some(("/".to_string(), app.text("cta-home"))),
        Some(path) => Some((path.to_string(), app.text("alert-back"))),
        None => Some(("/newsletter".to_string(), app.text("newsletter-back"))),
    };
    handle_signup(&app, ip, &headers, form, Kind::Newsletter, None, back).await
}

/// `GET /subscription`: "manage my subscription" for a reader without the mail that has the
/// link: the address, and the link comes by mail.
#[instrument(skip_all)]
pub async fn manage_page(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let body = app.render("subscription/manage.html", context! {}).await?;
    Ok(Html(body).into_response())
}

/// `POST /subscription`: mails the preferences link when the address has a subscription. The
/// answer is the same either way, so it tells nobody whether an address is subscribed.
#[instrument(skip_all)]
pub async fn manage(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<FormData, AppError>,
) -> Result<Response, AppError> {
    let back = Some(("/subscription".to_string(), app.text("manage-back")));
    let refused = "signup-refused-title";
    let Ok(form) = form else {
        tracing::info!(reason = "unreadable form", "preferences link refused");
        return Ok(message(&app, StatusCode::BAD_REQUEST, refused, "signup-error-email", back).await);
    };
    if !same_origin(&headers, &app.config().site.base_url) {
        tracing::info!(reason = "origin", "preferences link refused");
        return Ok(message(&app, StatusCode::FORBIDDEN, refused, "signup-error-origin", back).await);
    }
    if !form.get("website").unwrap_or_default().is_empty() {
        tracing::info!(reason = "honeypot", "preferences link refused");
        return Ok(message(&app, StatusCode::BAD_REQUEST, refused, "signup-error-bot", back).await);
    }
    let raw = form.get("email").unwrap_or_default();
    let Some(email) = (raw.len() <= 320).then(|| super::parse_address(raw)).flatten() else {
        tracing::info!(reason = "address", "preferences link refused");
        let typed: String = raw.chars().take(254).collect();
        let page = context! { error => app.text("signup-error-email"), email => typed };
        return Ok(private(StatusCode::BAD_REQUEST, app.render("subscription/manage.html", page).await?));
    };
    let now = app.now();
    let ip_hash = app.keys.ip_hash(&app.db, ip, now).await?;
    let outcome = subscribers::send_manage_link(&*app, &email, &ip_hash, now).await?;
    tracing::info!(outcome = ?outcome, "preferences link asked for");
    if outcome == ManageOutcome::RateLimited {
        return Ok(message(&app, StatusCode::TOO_MANY_REQUESTS, refused, "signup-error-rate", back).await);
    }
    Ok(message(&app, StatusCode::OK, "manage-sent-title", "manage-sent-text", back).await)
}

/// `POST /news/{slug}/alerts`.
#[instrument(skip_all)]
pub async fn alert_signup(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<FormData, AppError>,
) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let article = articles::find_live(&app.db, slug.as_str(), app.now()).await?.ok_or(AppError::NotFound)?;
    let back = Some((format!("/news/{}", article.slug), app.text("alert-back")));
    handle_signup(&app, ip, &headers, form, Kind::Alert, Some(article), back).await
}

async fn handle_signup(
    app: &App,
    ip: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    form: Result<FormData, AppError>,
    kind: Kind,
    article: Option<Article>,
    back: Option<(String, String)>,
) -> Result<Response, AppError> {
    let refused = "signup-refused-title";
    let refuse = |reason: &'static str| {
        tracing::info!(kind = kind.as_str(), reason, "signup refused");
    };
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge) => {
            refuse("too large");
            return Ok(message(app, StatusCode::PAYLOAD_TOO_LARGE, refused, "signup-error-too-large", back).await);
        }
        Err(_) => {
            refuse("not UTF-8");
            return Ok(message(app, StatusCode::BAD_REQUEST, refused, "signup-error-email", back).await);
        }
    };
    if !same_origin(headers, &app.config().site.base_url) {
        refuse("origin");
        return Ok(message(app, StatusCode::FORBIDDEN, refused, "signup-error-origin", back).await);
    }
    if !form.get("website").unwrap_or_default().is_empty() {
        refuse("honeypot");
        return Ok(message(app, StatusCode::BAD_REQUEST, refused, "signup-error-bot", back).await);
    }
    let raw = form.get("email").unwrap_or_default();
    let Some(email) = (raw.len() <= 320).then(|| super::parse_address(raw)).flatten() else {
        refuse("address");
        return Ok(retry(app, "signup-error-email", article.as_ref(), &form, back).await);
    };
    if form.get("consent") != Some("yes") {
        refuse("no consent");
        return Ok(retry(app, "signup-error-consent", article.as_ref(), &form, back).await);
    }
    let now = app.now();
    let ip_hash = app.keys.ip_hash(&app.db, ip, now).await?;
    let (consent_key, form_name) = match (&article, form.get("form")) {
        (Some(a), _) => ("alert-consent", format!("/news/{}/alerts", a.slug)),
        (None, Some("article")) => ("newsletter-consent", "article-cta".to_string()),
        (None, Some("home")) => ("newsletter-consent", "home-box".to_string()),
        (None, _) => ("newsletter-consent", "/newsletter".to_string()),
    };
    let consent_text = app.i18n.text(app.language(), consent_key, &[("site", app.config().site.name.clone().into())]);
    let signup = Signup {
        email,
        kind,
        article: article.as_ref().map(|a| (a.id, a.title.clone())),
        consent_text,
        form: form_name,
        ip_hash,
    };
    let outcome = subscribers::signup(app, &signup, now).await?;
    if outcome == SignupOutcome::RateLimited {
        refuse("rate limit");
        return Ok(message(app, StatusCode::TOO_MANY_REQUESTS, refused, "signup-error-rate", back).await);
    }
    tracing::info!(kind = kind.as_str(), outcome = ?outcome, "signup received");
    Ok(message(app, StatusCode::OK, "signup-check-title", "signup-check-text", back).await)
}

/// `GET /subscription/confirm/{token}`: a button, so mail scanners that open links confirm
/// nothing.
#[instrument(skip_all)]
pub async fn confirm_page(State(app): State<Arc<App>>, Path(token): Path<String>) -> Result<Response, AppError> {
    let now = app.now();
    let found = match ConfirmToken::parse(&token, now) {
        Some(parsed) => subscribers::confirmable(&app.db, &app.keys, &parsed, now).await?,
        None => None,
    };
    let Some((email, kind, article_title, active)) = found else {
        return Ok(invalid_confirmation(&app).await);
    };
    let body = app
        .render(
            "subscription/confirm.html",
            context! { token => token, email => email, kind => kind, article_title => article_title, active => active },
        )
        .await?;
    Ok(private(StatusCode::OK, body))
}

/// `POST /subscription/confirm/{token}`.
#[instrument(skip_all)]
pub async fn confirm(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if !same_origin(&headers, &app.config().site.base_url) {
        return Ok(message(&app, StatusCode::FORBIDDEN, "signup-refused-title", "signup-error-origin", None).await);
    }
    let now = app.now();
    let confirmed = match ConfirmToken::parse(&token, now) {
        Some(parsed) => subscribers::confirm(&app, &parsed, now).await?,
        None => None,
    };
    let Some(preferences_token) = confirmed else {
        tracing::info!("confirmation refused: invalid, expired or erased");
        return Ok(invalid_confirmation(&app).await);
    };
    tracing::info!("subscription confirmed");
    let preferences = format!("/subscription/{preferences_token}");
    Ok(message(
        &app,
        StatusCode::OK,
        "confirm-done-title",
        "confirm-done-text",
        Some((preferences, app.text("preferences-link"))),
    )
    .await)
}

/// A confirmation link that no longer confirms anything, with the way to sign up again.
async fn invalid_confirmation(app: &App) -> Response {
    let again = Some(("/newsletter".to_string(), app.text("confirm-sign-up-again")));
    message(app, StatusCode::NOT_FOUND, "confirm-invalid-title", "confirm-invalid-text", again).await
}

async fn subscriber(app: &App, token: &str) -> Result<Option<Subscriber>, AppError> {
    match SubscriberToken::parse(token) {
        Some(parsed) => Ok(subscribers::find(&app.db, &app.keys, &parsed).await?),
        None => Ok(None),
    }
}

async fn unknown(app: &App) -> Response {
    let signup = Some(("/newsletter".to_string(), app.text("confirm-sign-up-again")));
    message(app, StatusCode::NOT_FOUND, "preferences-unknown-title", "preferences-unknown-text", signup).await
}

#[derive(Debug, serde::Deserialize)]
pub struct PreferencesQuery {
    saved: Option<String>,
}

/// `GET /subscription/{token}`: what the reader receives, with switches, export and erasure.
#[instrument(skip_all)]
pub async fn preferences(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    Query(query): Query<PreferencesQuery>,
) -> Result<Response, AppError> {
    let Some(subscriber) = subscriber(&app, &token).await? else { return Ok(unknown(&app).await) };
    let body = app
        .render(
            "subscription/preferences.html",
            context! { subscriber => Serde(&subscriber), token => token, saved => query.saved.is_some() },
        )
        .await?;
    Ok(private(StatusCode::OK, body))
}

/// `POST /subscription/{token}`: switches subscriptions on and off.
#[instrument(skip_all)]
pub async fn save_preferences(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, AppError> {
    if !same_origin(&headers, &app.config().site.base_url) {
        return Ok(message(&app, StatusCode::FORBIDDEN, "signup-refused-title", "signup-error-origin", None).await);
    }
    let Some(subscriber) = subscriber(&app, &token).await? else { return Ok(unknown(&app).await) };
    let on: Vec<&str> = form.all("on").collect();
    let wanted: Vec<subscribers::Wanted> = subscriber
        .subscriptions
        .iter()
        .filter(|s| s.status != "pending")
        .map(|s| subscribers::Wanted {
            subscription: s.id,
            on: on.contains(&s.id.to_string().as_str()),
            consent_text: match s.kind {
                subscribers::Kind::Newsletter => app.text("preferences-newsletter"),
                subscribers::Kind::Alert => app.i18n.text(
                    app.language(),
                    "preferences-alert",
                    &[("title", s.article_title.clone().unwrap_or_default().into())],
                ),
            },
        })
        .collect();
    let now = app.now();
    let ip_hash = app.keys.ip_hash(&app.db, ip, now).await?;
    subscribers::set_active(&app.db, subscriber.id, &wanted, &ip_hash, now).await?;
    tracing::info!(subscriber = subscriber.id, "preferences saved");
    Ok(Redirect::to(&format!("/subscription/{token}?saved=1")).into_response())
}

/// `GET /subscription/{token}/export`: everything stored about the reader, as JSON.
#[instrument(skip_all)]
pub async fn export(State(app): State<Arc<App>>, Path(token): Path<String>) -> Result<Response, AppError> {
    let Some(subscriber) = subscriber(&app, &token).await? else { return Ok(unknown(&app).await) };
    let data = subscribers::export(&app.db, &subscriber, &app.text("export-note")).await?;
    let body = serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"newsletter-data.json\""),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
        .into_response())
}

/// `POST /subscription/{token}/erase`: deletes the reader, keeping a hash of the address on the
/// suppression list.
#[instrument(skip_all)]
pub async fn erase(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    if !same_origin(&headers, &app.config().site.base_url) {
        return Ok(message(&app, StatusCode::FORBIDDEN, "signup-refused-title", "signup-error-origin", None).await);
    }
    let Some(subscriber) = subscriber(&app, &token).await? else { return Ok(unknown(&app).await) };
    if form.get("confirm") != Some("yes") {
        let back = Some((format!("/subscription/{token}"), app.text("preferences-link")));
        return Ok(
            message(&app, StatusCode::BAD_REQUEST, "erase-unconfirmed-title", "erase-unconfirmed-text", back).await
        );
    }
    subscribers::erase(&app, &subscriber, app.now()).await?;
    tracing::info!(subscriber = subscriber.id, "subscriber erased");
    Ok(message(
        &app,
        StatusCode::OK,
        "erase-done-title",
        "erase-done-text",
        Some(("/".to_string(), app.text("nav-home"))),
    )
    .await)
}

/// The mailing an unsubscribe link came from (`?m=`), to count who left through it. Anything
/// else than a number is ignored: a mail client's mangled link still unsubscribes.
#[derive(Debug, serde::Deserialize)]
pub struct FromMailing {
    #[serde(default)]
    m: Option<String>,
}

impl FromMailing {
    fn mailing(&self) -> Option<i64> {
        self.m.as_deref().and_then(|m| m.parse().ok()).filter(|m| *m > 0)
    }
}

/// `GET /subscription/{token}/unsubscribe`: a button (mail clients use the POST).
#[instrument(skip_all)]
pub async fn unsubscribe_page(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    Query(from): Query<FromMailing>,
) -> Result<Response, AppError> {
    if subscriber(&app, &token).await?.is_none() {
        return Ok(unknown(&app).await);
    }
    let body =
        app.render("subscription/unsubscribe.html", context! { token => token, mailing => from.mailing() }).await?;
    Ok(private(StatusCode::OK, body))
}

/// `POST /subscription/{token}/unsubscribe`: one click (RFC 8058). Mail providers post from
/// their own servers, so there is no Origin check: the token is the proof.
#[instrument(skip_all)]
pub async fn unsubscribe(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    Query(from): Query<FromMailing>,
) -> Result<Response, AppError> {
    let Some(subscriber) = subscriber(&app, &token).await? else { return Ok(unknown(&app).await) };
    let left = subscribers::unsubscribe_all(&app.db, subscriber.id, from.mailing(), app.now()).await?;
    tracing::info!(subscriber = subscriber.id, left, "unsubscribed in one click");
    let back = Some((format!("/subscription/{token}"), app.text("preferences-link")));
    Ok(message(&app, StatusCode::OK, "unsubscribed-title", "unsubscribed-text", back).await)
}

/// `GET /l/{id}`: a link in a newsletter or an alert. Sends the reader on to the address the
/// mailing linked to; the click is counted with the page views (`analytics`), by link and so by
/// mailing, never by reader. A page of this site gets the mail marker
/// ([`super::mailings::FROM_MAIL`]), so the view it leads to counts as from mail. A number that
/// is no link is 404, anything else 400.
#[instrument(skip_all)]
pub async fn follow_link(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::BadRequest("malformed_link"))?;
    let url = super::mailings::link_target(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let url = if app.analytics.enabled() {
        super::mailings::marked_from_mail(&url, &app.config().site.base_url)
    } else {
        url
    };
    let mut response = Redirect::to(&url).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(crate::analytics::Facts::Click(id));
    Ok(response)
}
