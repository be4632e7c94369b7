//! `/admin/media`: the media library. Editors upload pictures (with alt text, required) and
//! pick their paths for articles' lead images.

use std::sync::Arc;

use axum::extract::{Multipart, Query, State};
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
    let media = super::list(&app.db, 200).await?;
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
