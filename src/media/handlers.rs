//! The public side of the media library: pictures by their addresses.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{KEY_FLOOR, VARIANTS, find, folder, old_addresses_in_use, parse_number};
use crate::app::App;
use crate::web::error::AppError;

/// `GET /media/{key}/{variant}.jpg`: a variant, cacheable for a year. An old address by id is
/// redirected while something public uses the picture (see the module's notes).
pub async fn serve(
    State(app): State<Arc<App>>,
    UrlPath((number, file)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    let number = parse_number(&number).ok_or(AppError::NotFound)?;
    let variant = file.strip_suffix(".jpg").ok_or(AppError::NotFound)?;
    if !VARIANTS.iter().any(|(name, _, _)| *name == variant) {
        return Err(AppError::NotFound);
    }
    let media = find(&app.db, number).await?.ok_or(AppError::NotFound)?;
    if number < KEY_FLOOR {
        if !used_publicly(&app, media.id).await? {
            return Err(AppError::NotFound);
        }
        // Not for a year: the picture may stop being public, and the redirect with it.
        let location = media.path(variant);
        return Ok((
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location.as_str()), (header::CACHE_CONTROL, "public, max-age=3600")],
        )
            .into_response());
    }
    let path = folder(&app.config().data_dir, media.id).join(format!("{variant}.jpg"));
    let data = tokio::fs::read(&path).await.map_err(|_| AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], data)
        .into_response())
}

/// Whether a page anyone can see shows the picture by its old address `/media/{id}/...`: a
/// live article's lead image or body, the picture of an author who has a live article, an
/// active promotion, or the site's logo. The set of such ids is read in one pass and kept for
/// a minute (`App::old_media`): asking for old addresses costs no scan per request.
async fn used_publicly(app: &App, id: i64) -> Result<bool, sqlx::Error> {
    let logo = app.config().site.logo_url.clone();
    let in_use = app.old_media.get(app.now(), || old_addresses_in_use(&app.db, app.now(), &logo)).await?;
    Ok(in_use.contains(&id))
}
