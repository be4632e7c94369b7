//! `/admin/pages`: editors write the site's own pages (Impressum, privacy notice, about us).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::{PageInput, Role, Saved};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role as StaffRole;
use crate::web::client::{Done, FormData};
use crate::web::error::AppError;

pub const ROLES: &[StaffRole] = &[StaffRole::Editor];

#[instrument(skip_all)]
pub async fn list(State(app): State<Arc<App>>, staff: Staff, Query(query): Query<Done>) -> Result<Response, AppError> {
    let notice = query.notice_key("page").map(|key| app.text(&key));
    let body = app
        .render_admin(
            "admin/pages/list.html",
            &staff,
            context! { pages => Serde(super::all(&app.db).await?), notice => notice },
        )
        .await?;
    Ok(crate::web::admin_html(body))
}

async fn form_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    values: serde_json::Value,
    error: Option<String>,
) -> Response {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let page = context! { values => Serde(values), error => error, roles => Serde(roles) };
    match app.render_admin("admin/pages/form.html", staff, page).await {
        Ok(body) => (status, crate::web::admin_html(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[instrument(skip_all)]
pub async fn new(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    Ok(form_page(&app, &staff, StatusCode::OK, serde_json::json!({ "published": true }), None).await)
}

#[instrument(skip_all)]
pub async fn edit(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let page = super::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let values = serde_json::json!({
        "id": page.id, "slug": page.slug, "title": page.title, "body": page.body_md,
        "role": page.role.map(Role::as_str).unwrap_or_default(), "published": page.published,
    });
    Ok(form_page(&app, &staff, StatusCode::OK, values, None).await)
}

#[instrument(skip_all)]
pub async fn save(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let get = |name: &str| form.get(name).unwrap_or_default().to_string();
    let published = form.get("published").is_some();
    let mut values: serde_json::Map<String, serde_json::Value> = ["id", "slug", "title", "body", "role"]
        .iter()
        .map(|k| (k.to_string(), serde_json::Value::String(get(k))))
        .collect();
    values.insert("published".into(), serde_json::Value::Bool(published));
    let values = serde_json::Value::Object(values);
    let refuse = |e: super::PageError| {
        tracing::info!(error = %e, "page refused");
        e.localized(&app.i18n, app.language())
    };
    let input = match PageInput::parse(&get("slug"), &get("title"), &get("body"), &get("role"), published) {
        Ok(input) => input,
        Err(e) => return Ok(form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(refuse(e))).await),
    };
    let id = match get("id").trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::BadRequest("bad_id"))?),
    };
    match super::save(&app.db, id, &input, Some(staff.user_id), app.now()).await? {
        Saved::Page(id) => tracing::info!(page = id, user = staff.user_id, "page saved"),
        Saved::Refused(e) => {
            return Ok(form_page(&app, &staff, StatusCode::CONFLICT, values, Some(refuse(e))).await);
        }
        Saved::NotFound => return Err(AppError::NotFound),
    }
    app.reload_settings().await.map_err(AppError::Internal)?;
    Ok(Redirect::to("/admin/pages?done=saved").into_response())
}

#[instrument(skip_all)]
pub async fn delete(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if form.get("confirm") != Some("yes") {
        // Deleting cannot be undone: the button first asks.
        let page = super::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
        let title = page.title.clone();
        let text = |key: &str| app.i18n.text(app.language(), key, &[("title", title.clone().into())]);
        let action = format!("/admin/pages/{id}/delete");
        let (heading, message) = (text("page-delete"), text("page-delete-confirm"));
        return crate::web::staff::confirm_page(&app, &staff, heading, message, action, "/admin/pages", &[]).await;
    }
    if super::delete(&app.db, id, Some(staff.user_id), app.now()).await? {
        tracing::info!(page = id, user = staff.user_id, "page deleted");
        app.reload_settings().await.map_err(AppError::Internal)?;
    }
    Ok(Redirect::to("/admin/pages?done=deleted").into_response())
}
