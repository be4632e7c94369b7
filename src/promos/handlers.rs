//! The reader's side of promotions: the click through `/go/{id}`, and the promotions a page
//! shows beside its content (kept for a while: `App::promotions`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{CallToAction, Placements, active, click};
use crate::app::App;
use crate::web::error::AppError;

/// `/go/{id}`: counts the click and sends the reader on. No cookie is set and nothing about the
/// reader is stored.
pub async fn go(State(app): State<Arc<App>>, method: Method, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    // Only a GET is a click; a HEAD (link checkers) is answered without counting.
    let url = click(&app.db, id, app.now(), method == Method::GET).await?.ok_or(AppError::NotFound)?;
    let mut response = Redirect::to(&url).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The promotions pages show now.
pub async fn placements(app: &App) -> Result<Placements, sqlx::Error> {
    app.promotions.get(app.now(), || read_placements(app)).await
}

async fn read_placements(app: &App) -> Result<Placements, sqlx::Error> {
    let now = app.now();
    let mut calls_to_action: Vec<CallToAction> = active(&app.db, "cta", now)
        .await?
        .into_iter()
        .map(|p| CallToAction {
            text: if p.text.is_empty() { p.title } else { format!("{}: {}", p.title, p.text) },
            href: format!("/go/{}", p.id),
            rel: p.sponsored.then_some("sponsored noopener"),
            sponsored: p.sponsored,
        })
        .collect();
    let links = &app.config().promotions;
    // A label left empty reads in the site's language.
    let label = |written: &str, key: &str| if written.is_empty() { app.text(key) } else { written.to_string() };
    // One newsletter call to action, not two: the site's own newsletter is the signup form
    // under the article; a newsletter elsewhere is a link.
    let own_newsletter = links.newsletter_url == "/newsletter";
    let newsletter_label = label(&links.newsletter_label, "cta-newsletter-label");
    if !links.newsletter_url.is_empty() && !own_newsletter {
        calls_to_action.push(CallToAction {
            text: newsletter_label.clone(),
            href: links.newsletter_url.clone(),
            rel: None,
            sponsored: false,
        });
    }
    calls_to_action.push(CallToAction { text: app.text("cta-home"), href: "/".into(), rel: None, sponsored: false });
    if !links.support_url.is_empty() {
        calls_to_action.push(CallToAction {
            text: label(&links.support_label, "cta-support-label"),
            href: links.support_url.clone(),
            rel: Some("noopener"),
            sponsored: false,
        });
    }
    if !links.job_board_url.is_empty() {
        calls_to_action.push(CallToAction {
            text: label(&links.job_board_label, "cta-job-board-label"),
            href: links.job_board_url.clone(),
            rel: Some("noopener"),
            sponsored: false,
        });
    }
    Ok(Placements {
        sidebar: active(&app.db, "sidebar", now).await?,
        after_article: active(&app.db, "after_article", now).await?,
        calls_to_action,
        own_newsletter,
        newsletter_label,
    })
}
