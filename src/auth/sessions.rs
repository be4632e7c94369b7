//! Sessions of signed-in staff, the `Staff` extractor that guards every admin route, and
//! throttling of failed sign-ins per account and per IP.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row as _;

use super::keys::{constant_time_eq, hash, random_hex};
use super::users::Role;
use crate::app::App;
use crate::db::Db;
use crate::web::error::AppError;

pub const COOKIE: &str = "nd_admin";
/// A session ends this long after sign-in.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Failed sign-ins counted over this window...
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// ...lock an account after this many...
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// ...and an IP address after this many (on any accounts).
pub const MAX_FAILURES_PER_IP: i64 = 20;

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// The session's CSRF token, which every admin form carries.
    pub csrf: String,
}

impl Staff {
    /// Refuses with 403 unless the user has one of `roles`. Admins may do everything.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.role == Role::Admin || roles.contains(&self.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Both checks of an admin form: the role, and the form's CSRF token.
    pub fn require_form(&self, roles: &[Role], form: &crate::web::client::FormData) -> Result<(), AppError> {
        self.require(roles)?;
        self.check_csrf(form.get("csrf").unwrap_or_default())
    }

    /// Refuses with 403 unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if constant_time_eq(&self.csrf, token) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// Starts a session; returns the cookie's token.
pub async fn create(db: &Db, user_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(hash(token.as_bytes()))
        .bind(user_id)
        .bind(random_hex(16))
        .bind(now)
        .bind(now + SESSION_SECS)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&db.pool).await?;
    Ok(token)
}

pub async fn lookup(db: &Db, token: &str, now: i64) -> Result<Option<Staff>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(hash(token.as_bytes()))
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get(2)?;
    let Some(role) = Role::parse(&role) else { return Ok(None) };
    Ok(Some(Staff { user_id: row.try_get(0)?, email: row.try_get(1)?, role, csrf: row.try_get(3)? }))
}

/// The stored id of the session with cookie token `token`.
pub fn token_hash(token: &str) -> String {
    hash(token.as_bytes())
}

pub async fn delete(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(hash(token.as_bytes())).execute(&db.pool).await?;
    Ok(())
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a session token; `secure` when the site is served over TLS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}")
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Whether sign-in for `account` or from `ip_hash` is locked for now.
pub async fn throttled(db: &Db, account: &str, ip_hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE account = $1), COUNT(*) FILTER (WHERE ip_hash = $2) \
         FROM login_failures WHERE at > $3 AND (account = $1 OR ip_hash = $2)",
    )
    .bind(account)
    .bind(ip_hash)
    .bind(now - FAILURE_WINDOW_SECS)
    .fetch_one(&db.pool)
    .await?;
    let (by_account, by_ip): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    Ok(by_account >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_IP)
}

/// Counts a sign-in attempt as failed until [`forget_failure`] takes it back; returns its id.
pub async fn record_failure(db: &Db, account: &str, ip_hash: &str, now: i64) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar("INSERT INTO login_failures (account, ip_hash, at) VALUES ($1, $2, $3) RETURNING id")
        .bind(account)
        .bind(ip_hash)
        .bind(now)
        .fetch_one(&db.pool)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(now - FAILURE_WINDOW_SECS).execute(&db.pool).await?;
    Ok(id)
}

/// Takes back an attempt counted by [`record_failure`] that succeeded.
pub async fn forget_failure(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id).execute(&db.pool).await?;
    Ok(())
}

pub async fn clear_failures(db: &Db, account: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE account = $1").bind(account).execute(&db.pool).await?;
    Ok(())
}

/// Why a request did not get a `Staff`: readers are sent to the sign-in form, anything that is
/// not a page view gets 403.
#[derive(Debug)]
pub enum NotSignedIn {
    Redirect(String),
    Forbidden,
    Error(AppError),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect(next) => {
                let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish();
                Redirect::to(&format!("/admin/login?{query}")).into_response()
            }
            NotSignedIn::Forbidden => AppError::Forbidden.into_response(),
            NotSignedIn::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<Arc<App>> for Staff {
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Staff, NotSignedIn> {
        let staff = match cookie(&parts.headers, COOKIE).filter(|t| t.len() == 64) {
            Some(token) => lookup(&app.db, token, app.now()).await.map_err(|e| NotSignedIn::Error(e.into()))?,
            None => None,
        };
        match staff {
            Some(staff) => Ok(staff),
            None if matches!(parts.method, Method::GET | Method::HEAD) => {
                Err(NotSignedIn::Redirect(parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default()))
            }
            None => Err(NotSignedIn::Forbidden),
        }
    }
}
