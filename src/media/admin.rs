//! `/admin/media`: the media library. Editors upload pictures (with alt text, required) and
//! pick their paths for articles' lead images.

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::{Refusal, Upload};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::Notice;
use crate::web::client::FormData;
use crate::web::error::AppError;

pub const ROLES: &[Role] = &[Role::Editor];

async fn page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
    typed: (&str, &str),
    uploaded: Option<i64>,
) -> Result<Response, AppError> {
    let counts = super::usage_counts(&app.db, &app.config().site.logo_url).await?;
    let media: Vec<_> = super::list(&app.db, 200)
        .await?
        .into_iter()
        .map(|m| {
            let uses = counts.get(&m.key).copied().unwrap_or(0) + counts.get(&m.id).copied().unwrap_or(0);
            (m, uses)
        })
        .collect();
    let uploaded = match uploaded {
        Some(id) => super::find(&app.db, id).await?.map(|m| m.path("page")),
        None => None,
    };
    let context = context! {
        uploaded => uploaded,
        media => Serde(&media),
        notice => notice.map(|k| app.text(k)),
        error => error.map(|k| app.text(k)),
        alt => typed.0,
        credit => typed.1,
        max_mib => super::MAX_UPLOAD / (1024 * 1024),
    };
    let body = app.render_admin("admin/media.html", staff, context).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/media`.
#[instrument(skip_all)]
pub async fn list(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<Notice>,
) -> Result<Response, AppError> {
    let notice = match query.notice.as_deref() {
        Some("uploaded") => Some("media-notice-uploaded"),
        Some("known") => Some("media-notice-known"),
        Some("described") => Some("media-notice-described"),
        Some("deleted") => Some("media-notice-deleted"),
        _ => None,
    };
    page(&app, &staff, StatusCode::OK, notice, None, ("", ""), query.id).await
}

/// `POST /admin/media`: one picture, as multipart form data with `csrf`, `alt`, `credit` and
/// `file`.
#[instrument(skip_all)]
pub async fn upload(
    State(app): State<Arc<App>>,
    staff: Staff,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest("not_multipart"))?;
    let (mut csrf, mut alt, mut credit, mut file_name, mut bytes) =
        (String::new(), String::new(), String::new(), String::new(), None);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                tracing::info!(user = staff.user_id, "upload refused: too large");
                return page(
                    &app,
                    &staff,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    None,
                    Some(Refusal::TooLarge.key()),
                    ("", ""),
                    None,
                )
                .await;
            }
            Err(_) => return Err(AppError::BadRequest("bad_multipart")),
        };
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                file_name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(data) => bytes = Some(data),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        tracing::info!(user = staff.user_id, "upload refused: too large");
                        let key = Some(Refusal::TooLarge.key());
                        return page(&app, &staff, StatusCode::PAYLOAD_TOO_LARGE, None, key, ("", ""), None).await;
                    }
                    Err(_) => return Err(AppError::BadRequest("bad_multipart")),
                }
            }
            "csrf" | "alt" | "credit" => {
                let value: String = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadRequest("bad_multipart"))?
                    .chars()
                    .take(2_000)
                    .collect();
                if value.contains('\0') {
                    return Err(AppError::BadRequest("form_nul"));
                }
                match name.as_str() {
                    "csrf" => csrf = value,
                    "alt" => alt = value,
                    _ => credit = value,
                }
            }
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let data = bytes.unwrap_or_default();
    let upload = Upload { file_name: &file_name, bytes: &data, alt: &alt, credit: &credit };
    match super::store(&app.context(), &upload, Some(staff.user_id)).await? {
        Ok((id, new)) => {
            tracing::info!(media = id, new, user = staff.user_id, bytes = data.len(), "picture uploaded");
            let notice = if new { "uploaded" } else { "known" };
            Ok(Redirect::to(&format!("/admin/media?notice={notice}&id={id}")).into_response())
        }
        Err(refusal) => {
            tracing::info!(user = staff.user_id, reason = refusal.key(), file = file_name, "upload refused");
            page(&app, &staff, refusal.status(), None, Some(refusal.key()), (&alt, &credit), None).await
        }
    }
}

impl super::Refusal {
    /// The status a refused upload is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            super::Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            super::Refusal::NotAnImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// `POST /admin/media/{id}`: `action=describe` changes the alternative text and credit;
/// `action=delete` deletes a picture nothing uses, after asking.
#[instrument(skip_all)]
pub async fn change(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let media = super::find(&app.db, id).await?.filter(|m| m.id == id).ok_or(AppError::NotFound)?;
    match form.get("action") {
        Some("describe") => {
            let (alt, credit) = (form.get("alt").unwrap_or_default(), form.get("credit").unwrap_or_default());
            match super::describe(&app.db, media.id, alt, credit).await? {
                Ok(()) => {
                    tracing::info!(media = media.id, user = staff.user_id, "picture described");
                    Ok(Redirect::to("/admin/media?notice=described").into_response())
                }
                Err(key) => {
                    tracing::info!(media = media.id, reason = key, "picture description refused");
                    page(&app, &staff, StatusCode::BAD_REQUEST, None, Some(key), ("", ""), None).await
                }
            }
        }
        Some("delete") => {
            let uses = super::uses(&app.db, &media, &app.config().site.logo_url).await?;
            if uses > 0 {
                tracing::info!(media = media.id, uses, "picture delete refused: in use");
                return page(&app, &staff, StatusCode::CONFLICT, None, Some("media-error-in-use"), ("", ""), None)
                    .await;
            }
            if form.get("confirm") != Some("yes") {
                let heading = app.text("media-delete-heading");
                let message =
                    app.i18n.text(app.language(), "media-delete-message", &[("alt", media.alt.clone().into())]);
                let keep = [("action", "delete".to_string())];
                let action = format!("/admin/media/{}", media.id);
                return crate::web::staff::confirm_page(&app, &staff, heading, message, action, "/admin/media", &keep)
                    .await;
            }
            super::delete(&app.context(), &media).await?;
            tracing::info!(media = media.id, user = staff.user_id, "picture deleted");
            Ok(Redirect::to("/admin/media?notice=deleted").into_response())
        }
        _ => Err(AppError::BadRequest("bad_action")),
    }
}
