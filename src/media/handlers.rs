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

/// `GET /media/files/{key}/{name}`: a sound or video file, whole or the byte range a player
/// asks for, streamed from disk; cacheable for a year.
pub async fn serve_file(
    State(app): State<Arc<App>>,
    UrlPath((key, name)): UrlPath<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
    let file = super::files::find(&app.db, &key).await?.ok_or(AppError::NotFound)?;
    if file.file_name != name {
        return Err(AppError::NotFound);
    }
    // A file never changes under its key: its key is its tag.
    let etag = format!("\"f{}\"", file.key);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag)) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut data = tokio::fs::File::open(super::files::location(&app.config().data_dir, file.id))
        .await
        .map_err(|_| AppError::NotFound)?;
    let len = data.metadata().await.map_err(|_| AppError::NotFound)?.len();
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|r| super::files::range(r, len));
    let common = [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (header::ETAG, etag),
    ];
    let (status, first, last) = match asked {
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
        Some(Ok((first, last))) => (StatusCode::PARTIAL_CONTENT, first, last),
        Some(Err(())) => {
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{len}"))])
                .into_response());
        }
    };
    data.seek(std::io::SeekFrom::Start(first)).await.map_err(|_| AppError::NotFound)?;
    let length = if len == 0 { 0 } else { last - first + 1 };
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(data.take(length)));
    let mut response = (status, common, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, length.into());
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = format!("bytes {first}-{last}/{len}").parse()
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
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
