//! The staff's accounts: `/admin/users` (admins invite users, change roles, disable them and
//! send a link to choose a new password), `/admin/account` (everyone changes their own
//! password) and `/admin/password/{token}` (the emailed link, good for three days and once).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::sessions::{self, Staff};
use super::users::{self, Email, Password, Role, User, UserError};
use crate::app::App;
use crate::email::outbox::{self, NewMessage};
use crate::web::Notice;
use crate::web::client::FormData;
use crate::web::error::AppError;

/// Admins only: `Staff::require` lets admins in everywhere.
pub const ROLES: &[Role] = &[];

fn notice_text(app: &App, notice: Option<&str>) -> Option<String> {
    let key = match notice? {
        "invited" => "users-notice-invited",
        "saved" => "users-notice-saved",
        "sent" => "users-notice-sent",
        "changed" => "account-notice-changed",
        _ => return None,
    };
    Some(app.text(key))
}

async fn users_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
    email: &str,
) -> Result<Response, AppError> {
    let page = context! {
        users => Serde(users::list(&app.db).await?),
        roles => Role::ALL.map(Role::as_str),
        notice => notice_text(app, notice),
        error => error.map(|k| app.text(k)),
        email => email,
    };
    let body = app.render_admin("admin/users/list.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/users`.
#[instrument(skip_all)]
pub async fn list(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<Notice>,
) -> Result<Response, AppError> {
    users_page(&app, &staff, StatusCode::OK, query.notice.as_deref(), None, "").await
}

/// Queues the mail with a link to choose a password, for a new user or a reset.
async fn send_password_link(app: &App, user: &User, hash: &str, reason: &str) -> Result<(), AppError> {
    let now = app.now();
    let token = users::password_token(&app.keys, user.id, hash, now);
    let page = context! {
        reason => reason,
        role => app.text(&format!("role-{}", user.role.as_str())),
        link => format!("{}/admin/password/{token}", app.config().site.base_url),
        valid_days => users::PASSWORD_LINK_SECS / 86_400,
    };
    let (text, html) = crate::email::compose::render(app, "password", page)?;
    let subject = app.i18n.text(
        app.language(),
        &format!("mail-password-subject-{reason}"),
        &[("site", app.config().site.name.clone().into())],
    );
    let message = NewMessage {
        kind: outbox::kind::PASSWORD,
        mailing_id: None,
        subscriber_id: None,
        recipient: &user.email,
        subject: &subject,
        text: &text,
        html: &html,
    };
    let mut conn = app.db.pool.acquire().await?;
    outbox::enqueue(&mut conn, &message, now).await?;
    Ok(())
}

/// `POST /admin/users`: invites a user, who gets a link to choose a password.
#[instrument(skip_all)]
pub async fn invite(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let typed = form.get("email").unwrap_or_default();
    let bad = |key| users_page(&app, &staff, StatusCode::BAD_REQUEST, None, Some(key), typed);
    let Ok(email) = Email::parse(typed) else { return bad("users-error-email").await };
    let Some(role) = form.get("role").and_then(Role::parse) else { return bad("users-error-role").await };
    let id = match users::invite(&app.db, &email, role, app.now()).await {
        Ok(id) => id,
        Err(UserError::Exists) => {
            return users_page(&app, &staff, StatusCode::CONFLICT, None, Some("users-error-exists"), typed).await;
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    let (user, hash) = users::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    send_password_link(&app, &user, &hash, "invite").await?;
    tracing::info!(user = id, by = staff.user_id, role = role.as_str(), "user invited");
    Ok(Redirect::to("/admin/users?notice=invited").into_response())
}

/// `POST /admin/users/{id}`: changes role and access (`action=save`) or sends a link to choose
/// a new password (`action=reset`).
#[instrument(skip_all)]
pub async fn change(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (user, hash) = users::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if form.get("action") == Some("reset") {
        if user.disabled {
            return users_page(&app, &staff, StatusCode::CONFLICT, None, Some("users-error-disabled"), "").await;
        }
        send_password_link(&app, &user, &hash, "reset").await?;
        tracing::info!(user = id, by = staff.user_id, "password link sent");
        return Ok(Redirect::to("/admin/users?notice=sent").into_response());
    }
    let Some(role) = form.get("role").and_then(Role::parse) else {
        return users_page(&app, &staff, StatusCode::BAD_REQUEST, None, Some("users-error-role"), "").await;
    };
    let disabled = form.get("disabled") == Some("yes");
    // Someone must stay able to manage users.
    let stays_admin = role == Role::Admin && !disabled;
    if user.role == Role::Admin && !stays_admin && users::other_admins(&app.db, id).await? == 0 {
        return users_page(&app, &staff, StatusCode::CONFLICT, None, Some("users-error-last-admin"), "").await;
    }
    users::set_access(&app.db, id, role, disabled).await?;
    tracing::info!(user = id, by = staff.user_id, role = role.as_str(), disabled, "user access changed");
    Ok(Redirect::to("/admin/users?notice=saved").into_response())
}

/// The new password of a form with `password` and `repeat`, or the message key of what is wrong.
fn new_password(form: &FormData) -> Result<Password, &'static str> {
    let (password, repeat) = (form.get("password").unwrap_or_default(), form.get("repeat").unwrap_or_default());
    if password != repeat {
        return Err("account-error-repeat");
    }
    Password::parse(password.to_string()).map_err(|e| match e {
        UserError::LongPassword => "account-error-long",
        _ => "account-error-short",
    })
}

async fn account_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let page = context! { notice => notice_text(app, notice), error => error.map(|k| app.text(k)) };
    let body = app.render_admin("admin/account.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/account`.
#[instrument(skip_all)]
pub async fn account(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<Notice>,
) -> Result<Response, AppError> {
    account_page(&app, &staff, StatusCode::OK, query.notice.as_deref(), None).await
}

/// `POST /admin/account`: a new password, given the current one. Other sessions end.
#[instrument(skip_all)]
pub async fn change_password(
    State(app): State<Arc<App>>,
    staff: Staff,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_csrf(form.get("csrf").unwrap_or_default())?;
    let (_, hash) = users::find(&app.db, staff.user_id).await?.ok_or(AppError::NotFound)?;
    let current = Password::parse(form.get("current").unwrap_or_default().to_string());
    if !current.is_ok_and(|p| p.verify(&hash)) {
        tracing::info!(user = staff.user_id, "password change refused: wrong current password");
        return account_page(&app, &staff, StatusCode::BAD_REQUEST, None, Some("account-error-current")).await;
    }
    let password = match new_password(&form) {
        Ok(password) => password,
        Err(key) => return account_page(&app, &staff, StatusCode::BAD_REQUEST, None, Some(key)).await,
    };
    let keep = sessions::cookie(&headers, sessions::COOKIE);
    users::set_password(&app.db, staff.user_id, &password, keep).await.map_err(|e| AppError::Internal(e.into()))?;
    tracing::info!(user = staff.user_id, "password changed");
    Ok(Redirect::to("/admin/account?notice=changed").into_response())
}

async fn set_password_page(
    app: &App,
    status: StatusCode,
    token: &str,
    user: Option<&User>,
    error: Option<&str>,
) -> Response {
    let page = context! {
        token => token,
        email => user.map(|u| u.email.clone()),
        error => error.map(|k| app.text(k)),
    };
    match app.render("admin/set_password.html", page).await {
        Ok(body) => (status, crate::web::admin_html(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /admin/password/{token}`: the form behind the emailed link.
#[instrument(skip_all)]
pub async fn password_form(State(app): State<Arc<App>>, Path(token): Path<String>) -> Result<Response, AppError> {
    match users::password_link_user(&app.db, &app.keys, &token, app.now()).await? {
        Some(user) => Ok(set_password_page(&app, StatusCode::OK, &token, Some(&user), None).await),
        None => Ok(set_password_page(&app, StatusCode::NOT_FOUND, &token, None, None).await),
    }
}

/// `POST /admin/password/{token}`: sets the password; the link is used up, every session ends,
/// and the user signs in.
#[instrument(skip_all)]
pub async fn set_password(
    State(app): State<Arc<App>>,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let Some(user) = users::password_link_user(&app.db, &app.keys, &token, app.now()).await? else {
        tracing::info!("password link refused: forged, used or expired");
        return Ok(set_password_page(&app, StatusCode::NOT_FOUND, &token, None, None).await);
    };
    let password = match new_password(&form) {
        Ok(password) => password,
        Err(key) => return Ok(set_password_page(&app, StatusCode::BAD_REQUEST, &token, Some(&user), Some(key)).await),
    };
    users::set_password(&app.db, user.id, &password, None).await.map_err(|e| AppError::Internal(e.into()))?;
    tracing::info!(user = user.id, "password set through a link");
    Ok(Redirect::to("/admin/login?notice=password").into_response())
}
