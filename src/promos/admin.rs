//! `/admin/promotions`: editors place promotions and see their clicks.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::{KINDS, PromotionInput, SLOTS};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::text::{day_end, day_of, day_start};
use crate::web::client::FormData;
use crate::web::error::AppError;

pub const ROLES: &[Role] = &[Role::Editor];

#[instrument(skip_all)]
pub async fn list(
    State(app): State<Arc<App>>,
    staff: Staff,
    axum::extract::Query(query): axum::extract::Query<crate::web::client::Done>,
) -> Result<Response, AppError> {
    let notice = query.notice_key("promotion").map(|key| app.text(&key));
    let body = app
        .render_admin(
            "admin/promotions/list.html",
            &staff,
            context! { promotions => Serde(super::all(&app.db).await?), notice => notice },
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
    let page = context! { values => Serde(values), error => error, kinds => Serde(KINDS), slots => Serde(SLOTS) };
    match app.render_admin("admin/promotions/form.html", staff, page).await {
        Ok(body) => (status, crate::web::admin_html(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[instrument(skip_all)]
pub async fn new(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    Ok(form_page(
        &app,
        &staff,
        StatusCode::OK,
        serde_json::json!({ "kind": "book", "slot": "sidebar", "position": "0" }),
        None,
    )
    .await)
}

#[instrument(skip_all)]
pub async fn edit(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let p = super::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let zone = &app.time_zone();
    let values = serde_json::json!({
        "id": p.id, "kind": p.kind, "title": p.title, "text": p.text, "url": p.url,
        "image_url": p.image_url.unwrap_or_default(), "slot": p.slot, "position": p.position.to_string(),
        "sponsored": p.sponsored, "active_from": p.active_from.map(|t| day_of(t, zone)).unwrap_or_default(),
        "active_until": p.active_until.map(|t| day_of(t - 1, zone)).unwrap_or_default(),
    });
    Ok(form_page(&app, &staff, StatusCode::OK, values, None).await)
}

#[instrument(skip_all)]
pub async fn save(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let get = |name: &str| form.get(name).unwrap_or_default().to_string();
    let mut values: serde_json::Map<String, serde_json::Value> =
        ["id", "kind", "title", "text", "url", "image_url", "slot", "position", "active_from", "active_until"]
            .iter()
            .map(|k| (k.to_string(), serde_json::Value::String(get(k))))
            .collect();
    values.insert("sponsored".into(), serde_json::Value::Bool(form.get("sponsored").is_some()));
    let values = serde_json::Value::Object(values);
    let zone = &app.time_zone();
    let date = |name: &str, end: bool| -> Result<Option<i64>, ()> {
        match get(name).trim() {
            "" => Ok(None),
            d => (if end { day_end(d, zone) } else { day_start(d, zone) }).map(Some).ok_or(()),
        }
    };
    let position = match get("position").trim() {
        "" => Ok(0),
        p => p.parse::<i64>().map_err(|_| ()),
    };
    let (Ok(from), Ok(until), Ok(position)) = (date("active_from", false), date("active_until", true), position) else {
        return Ok(
            form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(app.text("promotion-error-number"))).await
        );
    };
    let input = PromotionInput::parse(
        &get("kind"),
        &get("title"),
        &get("text"),
        &get("url"),
        &get("image_url"),
        &get("slot"),
        position,
        form.get("sponsored").is_some(),
        from,
        until,
    );
    let input = match input {
        Ok(input) => input,
        Err(e) => {
            tracing::info!(error = %e, "promotion refused");
            let message = e.localized(&app.i18n, app.language());
            return Ok(form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(message)).await);
        }
    };
    let id = match get("id").trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::BadRequest("bad_id"))?),
    };
    super::save(&app.db, id, &input, app.now()).await?.ok_or(AppError::NotFound)?;
    Ok(Redirect::to("/admin/promotions?done=saved").into_response())
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
        // Deleting cannot be undone (its clicks go with it): the button first asks.
        let promotion = super::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
        let text = |key: &str| app.i18n.text(app.language(), key, &[("title", promotion.title.clone().into())]);
        let action = format!("/admin/promotions/{id}/delete");
        let (heading, message) = (text("promotion-delete"), text("promotion-delete-confirm"));
        return crate::web::staff::confirm_page(&app, &staff, heading, message, action, "/admin/promotions", &[]).await;
    }
    super::delete(&app.db, id).await?;
    Ok(Redirect::to("/admin/promotions?done=deleted").into_response())
}
