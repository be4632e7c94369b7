//! Sign-in, sign-out and the admin dashboard.
//!
//! Sign-in never tells whether an account exists: unknown addresses, wrong passwords and
//! disabled accounts get the same message, and an unknown address still costs a password hash,
//! so timing tells nothing either. Failures are counted per account and per IP hash; past the
//! limits, sign-in is refused for a quarter of an hour.

use std::sync::{Arc, LazyLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;
use tracing::instrument;

use super::sessions::{self, COOKIE, Staff, cookie};
use super::users::{self, Email, Password};
use crate::app::App;
use crate::web::client::{ClientIp, FormData, same_origin};
use crate::web::error::AppError;

/// A sign-in form stays usable this long.
const LOGIN_TOKEN_SECS: i64 = 2 * 3600;

/// A hash to verify against when the account does not exist, so both cases take as long.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| Password::parse("no-such-account-dummy".into()).and_then(|p| p.hash()).unwrap_or_default());

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

/// Only paths inside the admin area are followed after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin") && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') => n.to_string(),
        _ => "/admin".to_string(),
    }
}

fn secure(app: &App) -> bool {
    app.config().site.base_url.starts_with("https://")
}

async fn login_page(app: &App, status: StatusCode, error: Option<&str>, email: &str, next: &str) -> Response {
    login_page_with(app, status, error, email, next, None).await
}

async fn login_page_with(
    app: &App,
    status: StatusCode,
    error: Option<&str>,
    email: &str,
    next: &str,
    notice: Option<&str>,
) -> Response {
    let page = context! {
        notice => notice.map(|key| app.text(key)),
        error => error.map(|key| app.text(key)),
        email => email,
        next => next,
        token => app.keys.timed_token("login", app.now()),
    };
    match app.render("admin/login.html", page).await {
        Ok(html) => (status, crate::web::admin_html(html)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[instrument(skip_all)]
pub async fn login_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    if let Some(token) = cookie(&headers, COOKIE)
        && sessions::lookup(&app.db, token, app.now()).await?.is_some()
    {
        return Ok(Redirect::to(&next).into_response());
    }
    let notice = (query.notice.as_deref() == Some("password")).then_some("password-notice-set");
    Ok(login_page_with(&app, StatusCode::OK, None, "", &next, notice).await)
}

#[instrument(skip_all)]
pub async fn login(
    State(app): State<Arc<App>>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let now = app.now();
    let next = safe_next(form.get("next"));
    let email_raw = form.get("email").unwrap_or_default().trim().to_string();
    let token_ok = app
        .keys
        .check_timed_token("login", form.get("token").unwrap_or_default())
        .is_some_and(|t| t <= now && now - t <= LOGIN_TOKEN_SECS);
    if !same_origin(&headers, &app.config().site.base_url) || !token_ok {
        tracing::info!("sign-in refused: foreign origin or expired form");
        return Ok(login_page(&app, StatusCode::FORBIDDEN, Some("login-error-expired"), &email_raw, &next).await);
    }
    let account: String = email_raw.to_lowercase().chars().take(254).collect();
    let client = match cookie(&headers, sessions::DEVICE_COOKIE) {
        Some(device) if sessions::known_device(&app.keys, &account, device, now) => {
            sessions::Client::KnownDevice(device.to_string())
        }
        _ => sessions::Client::Address {
            today: app.keys.ip_hash(&app.db, ip, now).await?,
            yesterday: app.keys.yesterdays_ip_hash(&app.db, ip, now).await?,
        },
    };
    // The attempt counts before the slow check, so parallel guesses all meet the limit.
    let attempt = match sessions::begin_attempt(&app.db, &account, &client, now).await? {
        sessions::Attempt::Allowed { id } => id,
        sessions::Attempt::Throttled { retry_after } => {
            tracing::warn!(retry_after, "sign-in throttled");
            let mut page =
                login_page(&app, StatusCode::TOO_MANY_REQUESTS, Some("login-error-throttled"), &email_raw, &next).await;
            page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return Ok(page);
        }
    };
    let password = Password::parse(form.get("password").unwrap_or_default().to_string());
    let user = match Email::parse(&email_raw) {
        Ok(email) => users::credentials(&app.db, &email).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
    let verified = match password {
        Ok(password) => {
            // Argon2 takes tens of milliseconds of CPU: off the async workers, a few at a time.
            let _permit = app.hashing.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
            tokio::task::spawn_blocking(move || password.verify(&hash))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
        }
        Err(_) => false,
    };
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!("sign-in failed");
        return Ok(login_page(&app, StatusCode::UNAUTHORIZED, Some("login-error-wrong"), &email_raw, &next).await);
    };
    sessions::forget_failure(&app.db, attempt).await?;
    sessions::clear_failures(&app.db, &account, &client).await?;
    // A new sign-in ends the session the browser had before.
    if let Some(old) = cookie(&headers, COOKIE) {
        sessions::delete(&app.db, old).await?;
    }
    let token = sessions::create(&app.db, user.id, now).await?;
    tracing::info!(user = user.id, "signed in");
    let mut response = Redirect::to(&next).into_response();
    let device = sessions::device_cookie(&app.keys, &account, now, secure(&app));
    for cookie in [sessions::session_cookie(&token, secure(&app)), device, sessions::staff_cookie(secure(&app))] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[instrument(skip_all)]
pub async fn logout(
    State(app): State<Arc<App>>,
    staff: Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_csrf(form.get("csrf").unwrap_or_default())?;
    if let Some(token) = cookie(&headers, COOKIE) {
        sessions::delete(&app.db, token).await?;
    }
    tracing::info!(user = staff.user_id, "signed out");
    let mut response = Redirect::to("/admin/login").into_response();
    for cookie in sessions::clear_cookies(secure(&app)) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// `/admin`: what needs attention.
#[instrument(skip_all)]
pub async fn dashboard(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    use crate::articles::model::Status;
    use crate::articles::queries::{self, AdminFilter};
    let pending = crate::comments::queries::count_pending(&app.db).await?;
    let counts = queries::status_counts(&app.db).await?;
    let (newsletter, alerts) = crate::email::subscribers::counts(&app.db).await?;
    let listed = |status| AdminFilter { status: Some(status), ..AdminFilter::default() };
    let (mut upcoming, _) = queries::list_admin(&app.db, &listed(Status::Scheduled), 1, 50).await?;
    upcoming.sort_by_key(|a| a.published_at);
    upcoming.truncate(5);
    let (drafts, _) = queries::list_admin(&app.db, &listed(Status::Draft), 1, 5).await?;
    let sends = crate::email::outbox::status(&app.db, app.now(), 5).await?.campaigns;
    let body = app
        .render_admin(
            "admin/dashboard.html",
            &staff,
            context! {
                pending_comments => pending,
                drafts => counts.0,
                scheduled => counts.1,
                published => counts.2,
                newsletter_subscribers => newsletter,
                alert_subscribers => alerts,
                upcoming => minijinja::value::Serde(upcoming),
                recent_drafts => minijinja::value::Serde(drafts),
                recent_sends => minijinja::value::Serde(sends),
                editor => staff.may(crate::articles::admin::ROLES),
                imprint_missing => !app.live().has_imprint(),
            },
        )
        .await?;
    Ok(crate::web::admin_html(body))
}
