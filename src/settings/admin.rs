//! `/admin/settings` (admins): the settings of [`super::EDITABLE`], each shown with the
//! configuration file's value for reference; saved, checked and applied without a restart.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use serde_json::Value;
use tracing::instrument;

use super::{EDITABLE, Field};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::Notice;
use crate::web::client::FormData;
use crate::web::error::AppError;

/// Admins only.
pub const ROLES: &[Role] = &[];

/// One setting as the form shows it.
#[derive(Debug, Serialize)]
struct Row {
    key: &'static str,
    /// The form field's name and id: the key with `-` for `.`.
    id: String,
    kind: &'static str,
    value: String,
    /// The configuration file's value, when the stored setting differs from it.
    file_value: Option<String>,
    options: Vec<String>,
    min: Option<i64>,
    max: Option<i64>,
    error: Option<String>,
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn rows(app: &App, typed: Option<&FormData>, errors: &BTreeMap<&str, String>) -> Vec<Row> {
    let config = app.config();
    EDITABLE
        .iter()
        .map(|setting| {
            let id = setting.key.replace('.', "-");
            let current = super::value_of(&config, setting.key);
            let file = super::value_of(&app.base_config, setting.key);
            let (kind, options, min, max) = match setting.field {
                Field::Text { .. } => ("text", vec![], None, None),
                Field::LongText { .. } => ("textarea", vec![], None, None),
                Field::Url | Field::Image => ("url", vec![], None, None),
                Field::Flag => ("flag", vec![], None, None),
                Field::Number { min, max } => ("number", vec![], Some(min), Some(max)),
                Field::Lines | Field::Menu => ("lines", vec![], None, None),
                Field::Choice(options) => ("choice", options.iter().map(|o| o.to_string()).collect(), None, None),
                Field::TimeZone => ("timezone", super::time_zones(), None, None),
            };
            let value = match (typed, setting.field) {
                (Some(form), Field::Flag) => if form.get(&id).is_some() { "yes" } else { "no" }.to_string(),
                (Some(form), _) => form.get(&id).unwrap_or_default().to_string(),
                (None, _) => shown(&current),
            };
            Row {
                key: setting.key,
                kind,
                value,
                file_value: (file != current).then(|| shown(&file)),
                options,
                min,
                max,
                error: errors.get(setting.key).cloned(),
                id,
            }
        })
        .collect()
}

async fn page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    typed: Option<&FormData>,
    errors: &BTreeMap<&str, String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let context = context! {
        rows => Serde(rows(app, typed, errors)),
        notice => notice.filter(|n| *n == "saved").map(|_| app.text("settings-notice-saved")),
        error => (!errors.is_empty()).then(|| app.text("settings-error-some")),
    };
    let body = app.render_admin("admin/settings.html", staff, context).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/settings`.
#[instrument(skip_all)]
pub async fn show(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<Notice>,
) -> Result<Response, AppError> {
    page(&app, &staff, StatusCode::OK, None, &BTreeMap::new(), query.notice.as_deref()).await
}

/// `POST /admin/settings`: checks every field, then the whole as the configuration file is
/// checked; stores what differs from the file and applies it at once.
#[instrument(skip_all)]
pub async fn save(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let mut values = BTreeMap::new();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    for setting in EDITABLE {
        match super::parse(setting, form.get(&setting.key.replace('.', "-"))) {
            Ok(value) => {
                values.insert(setting.key.to_string(), value);
            }
            Err(key) => {
                errors.insert(setting.key, app.text(key));
            }
        }
    }
    if errors.is_empty()
        && let Err((key, message)) = super::apply(&app.base_config, &values)
    {
        let key = EDITABLE.iter().find(|s| s.key == key).map_or("site.name", |s| s.key);
        // The configuration's own checks speak English (the command line shows them too).
        errors.insert(key, app.i18n.text(app.language(), "settings-error-config", &[("detail", message.into())]));
    }
    if !errors.is_empty() {
        tracing::info!(user = staff.user_id, fields = ?errors.keys().collect::<Vec<_>>(), "settings refused");
        return page(&app, &staff, StatusCode::BAD_REQUEST, Some(&form), &errors, None).await;
    }
    super::save(&app.db, &app.base_config, &values, Some(staff.user_id), app.now()).await?;
    app.reload_settings().await.map_err(AppError::Internal)?;
    tracing::info!(user = staff.user_id, "settings saved");
    Ok(Redirect::to("/admin/settings?notice=saved").into_response())
}
