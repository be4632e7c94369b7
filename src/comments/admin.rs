//! The moderation queue at `/admin/comments`: views by status, the riskiest first, each
//! comment with its scores and reasons; approve, reject, mark as spam, delete or dismiss
//! reports, one by one or in bulk; every action logged with who and when.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;
use tracing::instrument;

use super::queries::{self, Action, View};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::client::FormData;
use crate::web::error::AppError;

/// Who works the queue.
pub const ROLES: &[Role] = &[Role::Moderator];
const PER_PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    view: Option<String>,
    page: Option<String>,
}

#[instrument(skip_all)]
pub async fn queue(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let view = match query.view.as_deref() {
        None | Some("") => View::Pending,
        Some(v) => View::parse(v).ok_or(AppError::BadRequest("unknown_view"))?,
    };
    let page = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => {
            p.parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).ok_or(AppError::BadRequest("bad_page"))?
        }
    };
    let comments = queries::queue(&app.db, view, PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    let more = comments.len() as i64 > PER_PAGE;
    let comments: Vec<_> = comments.into_iter().take(PER_PAGE as usize).collect();
    let counts = queries::view_counts(&app.db).await?;
    let log = queries::log(&app.db, 20).await?;
    let body = app
        .render_admin(
            "admin/comments/queue.html",
            &staff,
            context! {
                view => view.as_str(),
                views => Serde(counts.iter().map(|(v, n)| (v.as_str(), *n)).collect::<Vec<_>>()),
                comments => Serde(comments),
                page => page,
                more => more,
                log => Serde(log),
                thresholds => Serde((
                    app.config().comments.off_topic_threshold,
                    app.config().comments.demeaning_threshold,
                    app.config().comments.spam_threshold,
                )),
            },
        )
        .await?;
    Ok(crate::web::admin_html(body))
}

/// One form for both: a row's button sends `one=approve:12`; the bulk buttons send
/// `action=approve` with the ticked `ids`.
#[instrument(skip_all)]
pub async fn act(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let (action, ids): (Action, Vec<i64>) = match form.get("one") {
        Some(one) => {
            let (action, id) = one.split_once(':').ok_or(AppError::BadRequest("bad_action"))?;
            let id = id.parse().map_err(|_| AppError::BadRequest("bad_id"))?;
            (Action::parse(action).ok_or(AppError::BadRequest("bad_action"))?, vec![id])
        }
        None => {
            let action =
                Action::parse(form.get("action").unwrap_or_default()).ok_or(AppError::BadRequest("bad_action"))?;
            let ids = form.all("ids").map(|id| id.parse::<i64>()).collect::<Result<Vec<_>, _>>();
            (action, ids.map_err(|_| AppError::BadRequest("bad_id"))?)
        }
    };
    if ids.len() > 500 {
        return Err(AppError::BadRequest("too_many_ids"));
    }
    let done = queries::moderate(&app.db, &ids, action, Some(staff.user_id), app.now()).await?;
    tracing::info!(user = staff.user_id, action = action.as_str(), count = done.len(), "moderated comments");
    let view = form.get("view").and_then(View::parse).unwrap_or(View::Pending);
    Ok(Redirect::to(&format!("/admin/comments?view={}", view.as_str())).into_response())
}
