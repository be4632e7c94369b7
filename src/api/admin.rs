//! `/admin/integrations`: admins make and revoke the Content API's keys.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::keys::{self, KeyInput};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::client::FormData;
use crate::web::error::AppError;

/// Admins only: a key reads everything published, for as long as it lives.
pub const ROLES: &[Role] = &[];

/// The page: the keys, the form for a new one, and a key just made (shown this once).
async fn page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    made: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let keys = keys::all(&app.db).await?;
    let base = app.config().site.base_url.clone();
    let page = context! {
        keys => Serde(keys), made => made, error => error, notice => notice,
        per_minute => keys::DEFAULT_PER_MINUTE, api_base => format!("{base}/api/v1"),
    };
    let body = app.render_admin("admin/integrations.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

#[instrument(skip_all)]
pub async fn list(
    State(app): State<Arc<App>>,
    staff: Staff,
    axum::extract::Query(query): axum::extract::Query<crate::web::client::Done>,
) -> Result<Response, AppError> {
    let notice = query.notice_key("integration").map(|key| app.text(&key));
    page(&app, &staff, StatusCode::OK, None, None, notice).await
}

#[instrument(skip_all)]
pub async fn create(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let get = |name: &str| form.get(name).unwrap_or_default();
    let input = match KeyInput::parse(get("name"), get("origins"), get("per_minute")) {
        Ok(input) => input,
        Err(e) => {
            tracing::info!(error = %e, "API key refused");
            let message = app.text(e.message_key());
            return page(&app, &staff, StatusCode::BAD_REQUEST, None, Some(message), None).await;
        }
    };
    let (key, secret) = keys::create(&app.db, &input, staff.user_id, app.now()).await?;
    tracing::info!(key = key.id, by = staff.user_id, "API key made");
    // Shown on the answer to this form and never again: only its hash is kept.
    page(&app, &staff, StatusCode::OK, Some((key.name, secret)), None, None).await
}

#[instrument(skip_all)]
pub async fn revoke(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let key = keys::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if form.get("confirm") != Some("yes") {
        let text = |k: &str| app.i18n.text(app.language(), k, &[("name", key.name.clone().into())]);
        let action = format!("/admin/integrations/{id}/revoke");
        let (heading, message) = (text("integration-revoke"), text("integration-revoke-confirm"));
        return crate::web::staff::confirm_page(&app, &staff, heading, message, action, "/admin/integrations", &[])
            .await;
    }
    keys::revoke(&app.db, id, app.now()).await?;
    tracing::info!(key = id, by = staff.user_id, "API key revoked");
    Ok(Redirect::to("/admin/integrations?done=revoked").into_response())
}
