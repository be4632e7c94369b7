//! `/admin/jobs`: editors write, change and withdraw listings, and see and start the partner
//! feed's import.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::model::{JobDraft, KINDS};
use super::queries;
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
    let now = app.now();
    let jobs: Vec<serde_json::Value> = queries::all(&app.db)
        .await?
        .into_iter()
        .map(|j| {
            let state = if j.withdrawn_at.is_some() {
                "withdrawn"
            } else if j.expires_at <= now {
                "expired"
            } else if j.posted_at > now {
                "scheduled"
            } else {
                "current"
            };
            serde_json::json!({ "job": j, "state": state })
        })
        .collect();
    let body = app
        .render_admin(
            "admin/jobs/list.html",
            &staff,
            context! {
                jobs => Serde(jobs),
                last_import => Serde(queries::last_import(&app.db).await?),
                feed_url => app.config().jobs.feed_url.clone(),
                notice => query.notice_key("job").map(|key| app.text(&key)),
            },
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
    let page = context! { values => Serde(values), error => error, kinds => Serde(KINDS), workplaces => ["remote", "hybrid", "onsite"] };
    match app.render_admin("admin/jobs/form.html", staff, page).await {
        Ok(body) => (status, crate::web::admin_html(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[instrument(skip_all)]
pub async fn new(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    let zone = &app.time_zone();
    let now = app.now();
    let values = serde_json::json!({
        "workplace": "onsite", "kind": "full-time",
        "posted": day_of(now, zone), "expires": day_of(now + 30 * 86_400, zone),
    });
    Ok(form_page(&app, &staff, StatusCode::OK, values, None).await)
}

#[instrument(skip_all)]
pub async fn edit(State(app): State<Arc<App>>, staff: Staff, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let job = queries::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let zone = &app.time_zone();
    let values = serde_json::json!({
        "id": job.id, "title": job.title, "employer": job.employer, "location": job.location,
        "workplace": job.workplace.as_str(), "kind": job.kind, "description": job.description_md,
        "apply_url": job.apply_url, "posted": day_of(job.posted_at, zone),
        // The form shows the last day a listing runs; it ends at that day's end.
        "expires": day_of(job.expires_at - 1, zone), "source": job.source, "sponsored": job.sponsored,
    });
    Ok(form_page(&app, &staff, StatusCode::OK, values, None).await)
}

#[instrument(skip_all)]
pub async fn save(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let get = |name: &str| form.get(name).unwrap_or_default().to_string();
    let values: serde_json::Value = [
        "id",
        "title",
        "employer",
        "location",
        "workplace",
        "kind",
        "description",
        "apply_url",
        "posted",
        "expires",
        "sponsored",
    ]
    .iter()
    .map(|k| (k.to_string(), serde_json::Value::String(get(k))))
    .collect::<serde_json::Map<_, _>>()
    .into();
    let zone = &app.time_zone();
    let refuse = |key: &str| app.text(key);
    let posted = match get("posted").trim() {
        "" => None,
        d => match day_start(d, zone) {
            Some(t) => Some(t),
            None => {
                return Ok(
                    form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(refuse("job-error-posted"))).await
                );
            }
        },
    };
    let expires = match get("expires").trim() {
        "" => None,
        d => match day_end(d, zone) {
            Some(t) => Some(t),
            None => {
                return Ok(
                    form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(refuse("job-error-expires"))).await
                );
            }
        },
    };
    let draft = JobDraft {
        title: get("title"),
        employer: get("employer"),
        location: get("location"),
        workplace: get("workplace"),
        kind: get("kind"),
        description_md: get("description"),
        apply_url: get("apply_url"),
        posted_at: posted,
        expires_at: expires,
        sponsored: form.get("sponsored").is_some_and(|v| !v.is_empty()),
    };
    let now = app.now();
    let input = match draft.validate(now, super::import::DEFAULT_DAYS) {
        Ok(input) => input,
        Err(e) => {
            tracing::info!(error = %e, "job listing refused");
            let message = e.localized(&app.i18n, app.language());
            return Ok(form_page(&app, &staff, StatusCode::BAD_REQUEST, values, Some(message)).await);
        }
    };
    match get("id").trim() {
        "" => {
            let id = queries::create(&app.db, &input, None, now).await?;
            tracing::info!(job = id, user = staff.user_id, "job listing created");
        }
        id => {
            let id: i64 = id.parse().map_err(|_| AppError::BadRequest("bad_id"))?;
            if !queries::update(&app.db, id, &input, now).await? {
                return Err(AppError::NotFound);
            }
            tracing::info!(job = id, user = staff.user_id, "job listing updated");
        }
    }
    Ok(Redirect::to("/admin/jobs?done=saved").into_response())
}

#[instrument(skip_all)]
pub async fn withdraw(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    queries::withdraw(&app.db, id, app.now()).await?;
    Ok(Redirect::to("/admin/jobs?done=withdrawn").into_response())
}

/// Runs the partner feed's import now.
#[instrument(skip_all)]
pub async fn import_now(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    if app.config().jobs.feed_url.is_empty() {
        return Err(AppError::BadRequest("no_feed"));
    }
    super::import::run(&app.context()).await?;
    Ok(Redirect::to("/admin/jobs").into_response())
}
