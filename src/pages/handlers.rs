//! The reader's side of the site's own pages: `/{slug}`.

use std::sync::Arc;

use axum::response::Response;
use minijinja::context;
use minijinja::value::Serde;

use crate::app::App;
use crate::articles::model::Slug;
use crate::web::error::AppError;

/// The published page at `/{slug}`, in the public design.
pub async fn show(app: &Arc<App>, slug: &str) -> Result<Response, AppError> {
    let slug = Slug::parse(slug).map_err(|_| AppError::NotFound)?;
    let page = super::published(&app.db, slug.as_str()).await?.ok_or(AppError::NotFound)?;
    let body = app
        .render(
            "pages/show.html",
            context! {
                page => Serde(&page),
                canonical_path => format!("/{}", page.slug),
                jobs_box => Serde(crate::jobs::handlers::jobs_box(app).await?),
            },
        )
        .await?;
    Ok(crate::web::html(body))
}
