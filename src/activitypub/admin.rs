//! `/admin/social`: the publication on the social web, for admins: its handle, its followers,
//! the articles most liked and boosted, and the blocked accounts and servers.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::Local;
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::client::{Done, FormData};
use crate::web::error::AppError;

/// Admins only: blocking decides whom the publication hears.
pub const ROLES: &[Role] = &[];
/// Followers listed on the page, the newest first.
const FOLLOWERS_SHOWN: i64 = 50;

async fn page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let config = app.config();
    let local = Local::of(&config);
    let reacted: Vec<_> = super::most_reacted(&app.db, 10)
        .await?
        .into_iter()
        .map(|(slug, title, likes, boosts)| context! { slug, title, likes, boosts })
        .collect();
    let page = context! {
        enabled => config.activitypub.enabled,
        handle => local.handle(),
        actor => local.actor(),
        count => super::follower_count(&app.db).await?,
        followers => Serde(super::followers(&app.db, FOLLOWERS_SHOWN).await?),
        reacted => reacted,
        blocks => Serde(super::blocks(&app.db).await?),
        notice => notice,
        error => error,
    };
    let body = app.render_admin("admin/social.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/social`.
#[instrument(skip_all)]
pub async fn show(State(app): State<Arc<App>>, staff: Staff, Query(done): Query<Done>) -> Result<Response, AppError> {
    let notice = done.notice_key("social").map(|key| app.text(&key));
    page(&app, &staff, StatusCode::OK, notice, None).await
}

/// `POST /admin/social/blocks`: blocks an account (`@user@host`) or a server (`host`); its
/// followers stop following.
#[instrument(skip_all)]
pub async fn block(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let Some((kind, target)) = super::parse_block(form.get("target").unwrap_or_default()) else {
        tracing::info!("block refused: neither an account nor a server");
        let error = app.text("social-block-error");
        return page(&app, &staff, StatusCode::BAD_REQUEST, None, Some(error)).await;
    };
    super::add_block(&app.db, kind, &target, Some(staff.user_id), app.now()).await?;
    tracing::info!(kind = kind.as_str(), target, by = staff.user_id, "blocked on the social web");
    Ok(Redirect::to("/admin/social?done=saved").into_response())
}

/// `POST /admin/social/blocks/{id}/delete`: lifts a block.
#[instrument(skip_all)]
pub async fn unblock(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !super::remove_block(&app.db, id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(block = id, by = staff.user_id, "block lifted");
    Ok(Redirect::to("/admin/social?done=deleted").into_response())
}
