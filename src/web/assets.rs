//! Static files of the default theme, served from the binary. Asset URLs carry a content hash
//! (`/static/style.css?v=...`), so they can be cached for a year.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};

use axum::extract::{Path, RawQuery};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::embedded::{STATIC, find};

/// The URL of an embedded static file with its content hash, for templates.
pub fn url(path: &str) -> String {
    let bytes = find(STATIC, path).unwrap_or_default();
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("/static/{path}?v={:08x}", hasher.finish() as u32)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve(Path(path): Path<String>, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let bytes = find(STATIC, &path).ok_or(AppError::NotFound)?;
    // Versioned URLs never change their content; unversioned ones (demo images) may.
    let cache = if query.is_some_and(|q| q.starts_with("v=")) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=86400"
    };
    Ok(([(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, cache)], bytes).into_response())
}
