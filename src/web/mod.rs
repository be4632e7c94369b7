//! The web layer's toolkit, which every handler uses: errors and their pages, extractors of the
//! client and its forms, the staff extractor, the page cache, conditional GET, metrics, the
//! route table's builder, templates, assets and the server's accept loop. The site's router,
//! which knows every handler, is the composition root's (`root::router`).

pub mod assets;
pub mod cache;
pub mod client;
pub mod conditional;
pub mod error;
pub mod metrics;
pub mod params;
pub mod routes;
pub mod server;
pub mod staff;
pub mod templates;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use error::AppError;

/// The query of an admin page reached after a save: `?notice=saved`, and for some the id of
/// what was saved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Notice {
    pub notice: Option<String>,
    pub id: Option<i64>,
}

/// An admin page: never cached, never indexed.
pub fn admin_html(body: String) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store"), (header::HeaderName::from_static("x-robots-tag"), "noindex, nofollow")],
        Html(body),
    )
        .into_response()
}

/// The `?page=` of an admin list: 1 when absent, 400 for anything but 1 to 100,000.
pub fn page_number(given: Option<&str>) -> Result<i64, AppError> {
    match given {
        None | Some("") => Ok(1),
        Some(p) => p.parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).ok_or(AppError::BadRequest("bad_page")),
    }
}

/// An HTML response that tells caches to revalidate.
pub fn html(body: String) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=0, must-revalidate")], Html(body)).into_response()
}
