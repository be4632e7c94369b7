//! `/admin/integrations`: admins make and revoke the Content API's keys; the same page lists
//! the webhooks (`webhooks::admin`).

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

/// What the integrations page shows besides its lists.
#[derive(Debug, Default)]
pub struct Shown {
    /// A key just made: its name and the key, shown this once.
    pub made: Option<(String, String)>,
    pub key_error: Option<String>,
    pub hook_error: Option<String>,
    /// The refused hook's address, typed again into its form.
    pub hook_url: String,
    pub notice: Option<String>,
}

/// The page: the keys and the webhooks, each with the form for a new one.
pub async fn page(app: &App, staff: &Staff, status: StatusCode, shown: Shown) -> Result<Response, AppError> {
    let keys = keys::all(&app.db).await?;
    let hooks = crate::webhooks::all(&app.db).await?;
    let base = app.config().site.base_url.clone();
    let events: Vec<&str> = crate::webhooks::Event::CHOSEN.iter().map(|e| e.name()).collect();
    let page = context! {
        keys => Serde(keys), made => shown.made, error => shown.key_error, notice => shown.notice,
        hooks => Serde(hooks), hook_error => shown.hook_error, hook_url => shown.hook_url, events => events,
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
    page(&app, &staff, StatusCode::OK, Shown { notice, ..Shown::default() }).await
}

#[instrument(skip_all)]
pub async fn create(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let get = |name: &str| form.get(name).unwrap_or_default();
    let input = match KeyInput::parse(get("name"), get("origins"), get("per_minute")) {
        Ok(input) => input,
        Err(e) => {
            tracing::info!(error = %e, "API key refused");
            let shown = Shown { key_error: Some(app.text(e.message_key())), ..Shown::default() };
            return page(&app, &staff, StatusCode::BAD_REQUEST, shown).await;
        }
    };
    let (key, secret) = keys::create(&app.db, &input, staff.user_id, app.now()).await?;
    tracing::info!(key = key.id, by = staff.user_id, "API key made");
    // Shown on the answer to this form and never again: only its hash is kept.
    page(&app, &staff, StatusCode::OK, Shown { made: Some((key.name, secret)), ..Shown::default() }).await
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
