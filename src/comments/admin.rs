//! The moderation queue at `/admin/comments`: views by status, the riskiest first, each
//! comment with its scores and reasons; approve, reject, mark as spam, delete or dismiss
//! reports, one by one or in bulk; every action logged with who and when.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentValue;
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Deserialize;
use tracing::instrument;

use super::model::Status;
use super::moderation::training;
use super::queries::{self, Action, View};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::config::Language;
use crate::web::client::FormData;
use crate::web::error::AppError;

/// Who works the queue.
pub const ROLES: &[Role] = &[Role::Moderator];
const PER_PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    view: Option<String>,
    page: Option<String>,
    /// `all`: every comment on the page ticked, for a bulk action without JavaScript.
    select: Option<String>,
    /// After an action: what was done, to how many, and how to undo it.
    done: Option<String>,
    count: Option<String>,
    undo: Option<String>,
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
    let page = crate::web::page_number(query.page.as_deref())?;
    let comments = queries::queue(&app.db, view, PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    let more = comments.len() as i64 > PER_PAGE;
    let comments: Vec<_> = comments
        .into_iter()
        .take(PER_PAGE as usize)
        .map(|c| {
            let reasons: Vec<(&str, Vec<String>)> = ["off_topic", "demeaning", "spam"]
                .into_iter()
                .map(|flag| {
                    let stored = c.assessment[flag]["reasons"].as_array().cloned().unwrap_or_default();
                    (flag, stored.iter().map(|r| reason_text(&app, r)).collect())
                })
                .collect();
            context! { reasons => reasons.into_iter().collect::<std::collections::BTreeMap<_, _>>(), ..Value::from(Serde(&c)) }
        })
        .collect();
    let counts = queries::view_counts(&app.db).await?;
    let log = queries::log(&app.db, 20).await?;
    let notice = done_notice(&app, &query);
    let body = app
        .render_admin(
            "admin/comments/queue.html",
            &staff,
            context! {
                view => view.as_str(),
                views => Serde(counts.iter().map(|(v, n)| (v.as_str(), *n)).collect::<Vec<_>>()),
                comments => comments,
                page => page,
                more => more,
                select_all => query.select.as_deref() == Some("all"),
                notice => notice,
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

/// The notice after an action: what was done to how many, and the undo form's value when the
/// action can be undone (all but delete and dismiss).
fn done_notice(app: &App, query: &QueueQuery) -> Option<Value> {
    let action = Action::parse(query.done.as_deref()?)?;
    let count: i64 = query.count.as_deref()?.parse().ok()?;
    let text = app.i18n.text(app.language(), &format!("queue-done-{}", action.as_str()), &[("count", count.into())]);
    let undo = query.undo.as_deref().filter(|u| parse_undo(u).is_some());
    Some(context! { text => text, undo => undo })
}

/// The undo form's value, `12.pending,13.approved`: each comment with the status it had.
fn parse_undo(value: &str) -> Option<Vec<(i64, Status)>> {
    let pairs: Option<Vec<_>> = value
        .split(',')
        .map(|pair| {
            let (id, status) = pair.split_once('.')?;
            Some((id.parse().ok()?, Status::parse(status)?))
        })
        .collect();
    pairs.filter(|p| !p.is_empty() && p.len() <= MAX_IDS)
}

/// A stored reason in the interface's language. Reasons stored as data carry a message key and
/// arguments; those that earlier versions stored as English sentences are shown as they are.
fn reason_text(app: &App, reason: &serde_json::Value) -> String {
    let Some(key) = reason["key"].as_str() else { return reason.as_str().unwrap_or_default().to_string() };
    let language = app.language();
    let (open, close) = match language {
        Language::De => ('„', '“'),
        Language::En => ('“', '”'),
    };
    let mut args: Vec<(&str, FluentValue<'_>)> = Vec::new();
    if let Some(stored) = reason["args"].as_object() {
        for (name, value) in stored {
            let value = match value {
                serde_json::Value::Number(n) => FluentValue::from(n.as_f64().unwrap_or_default()),
                serde_json::Value::String(s) => FluentValue::from(s.clone()),
                serde_json::Value::Array(words) => {
                    let quoted: Vec<String> =
                        words.iter().filter_map(|w| w.as_str()).map(|w| format!("{open}{w}{close}")).collect();
                    FluentValue::from(quoted.join(", "))
                }
                _ => continue,
            };
            args.push((name.as_str(), value));
        }
    }
    app.i18n.text(language, &format!("reason-{key}"), &args)
}

/// Most comments one action takes.
const MAX_IDS: usize = 500;

/// One form for all: a row's button sends `one=approve:12`; the bulk buttons send
/// `action=approve` with the ticked `ids`; the notice's undo button sends `undo`. Deleting asks
/// first (`confirm=yes` once asked); everything else can be undone.
#[instrument(skip_all)]
pub async fn act(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let view = form.get("view").and_then(View::parse).unwrap_or(View::Pending);
    let back = format!("/admin/comments?view={}", view.as_str());
    if let Some(undo) = form.get("undo") {
        let earlier = parse_undo(undo).ok_or(AppError::BadRequest("bad_undo"))?;
        let done = queries::restore(&app.db, &earlier, staff.user_id, app.now()).await?;
        tracing::info!(user = staff.user_id, count = done, "moderation undone");
        return Ok(Redirect::to(&format!("{back}&done=restore&count={done}")).into_response());
    }
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
    if action == Action::Restore {
        return Err(AppError::BadRequest("bad_action"));
    }
    if ids.len() > MAX_IDS {
        return Err(AppError::BadRequest("too_many_ids"));
    }
    if ids.is_empty() {
        return Ok(Redirect::to(&back).into_response());
    }
    if action == Action::Delete && form.get("confirm") != Some("yes") {
        let count = ids.len() as i64;
        let heading = app.i18n.text(app.language(), "queue-delete-heading", &[("count", count.into())]);
        let message = app.text("queue-delete-message");
        let mut keep = vec![("view", view.as_str().to_string()), ("action", "delete".to_string())];
        keep.extend(ids.iter().map(|id| ("ids", id.to_string())));
        return crate::web::staff::confirm_page(&app, &staff, heading, message, "/admin/comments".into(), &back, &keep)
            .await;
    }
    let done = queries::moderate(&app.db, &ids, action, Some(staff.user_id), app.now()).await?;
    tracing::info!(user = staff.user_id, action = action.as_str(), count = done.len(), "moderated comments");
    let mut to = format!("{back}&done={}&count={}", action.as_str(), done.len());
    if matches!(action, Action::Approve | Action::Reject | Action::Spam) && !done.is_empty() {
        let earlier: Vec<String> = done.iter().map(|d| format!("{}.{}", d.id, d.was.as_str())).collect();
        to.push_str(&format!("&undo={}", earlier.join(",")));
    }
    Ok(Redirect::to(&to).into_response())
}

/// Who trains and switches the assessment's model: admins.
pub const MODEL_ROLES: &[Role] = &[];

/// `GET /admin/moderation`: the model in use and what the built-in one does at each score, the
/// decisions there are to learn from, and the site's own models with their figures before and
/// after on held-out decisions.
#[instrument(skip_all)]
pub async fn models(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<crate::web::Notice>,
) -> Result<Response, AppError> {
    let notice = match query.notice.as_deref() {
        Some("queued") => Some(app.text("models-notice-queued")),
        Some("switched") => Some(app.text("models-notice-switched")),
        _ => None,
    };
    models_page(&app, &staff, StatusCode::OK, notice, None).await
}

async fn models_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tally = super::learning::tally(app).await.map_err(AppError::Internal)?;
    let models = queries::site_models(&app.db, 20).await?;
    let built_in = super::moderation::model::Model::built_in().map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let calibration =
        built_in.info.figures.get("germeval_held_out").and_then(|f| f.get("precision_at")).cloned().unwrap_or_default();
    let body = app
        .render_admin(
            "admin/comments/models.html",
            staff,
            context! {
                tally => Serde(tally),
                enough => tally.enough(),
                min_decisions => training::MIN_DECISIONS,
                min_of_each => training::MIN_OF_EACH,
                models => Serde(&models),
                training => models.iter().any(|m| m.state == "training"),
                site_model_in_use => models.iter().find(|m| m.in_use).map(|m| m.id),
                model_file => app.config().comments.model_file.clone(),
                built_in_trained_on => built_in.info.trained_on.clone(),
                calibration => Serde(calibration),
                notice => notice,
                error => error,
            },
        )
        .await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `POST /admin/moderation`: `action=retrain`, or `action=use` with `model` (an id, or
/// `built-in`).
#[instrument(skip_all)]
pub async fn models_act(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    match form.get("action") {
        Some("retrain") => {
            match super::learning::request(&*app, Some(staff.user_id)).await.map_err(AppError::Internal)? {
                Ok(_) => Ok(Redirect::to("/admin/moderation?notice=queued").into_response()),
                Err(refused) => {
                    let error = match refused {
                        super::learning::Refused::TooFew(tally) => app.i18n.text(
                            app.language(),
                            "models-error-too-few",
                            &[
                                ("total", (tally.total() as i64).into()),
                                ("fine", (tally.fine as i64).into()),
                                ("bad", (tally.bad as i64).into()),
                                ("min", (training::MIN_DECISIONS as i64).into()),
                                ("each", (training::MIN_OF_EACH as i64).into()),
                            ],
                        ),
                        super::learning::Refused::Busy(id) => {
                            app.i18n.text(app.language(), "models-error-busy", &[("id", id.into())])
                        }
                    };
                    models_page(&app, &staff, StatusCode::CONFLICT, None, Some(error)).await
                }
            }
        }
        Some("use") => {
            let model = match form.get("model") {
                Some("built-in") => None,
                Some(id) => Some(id.parse::<i64>().map_err(|_| AppError::BadRequest("bad_model"))?),
                None => return Err(AppError::BadRequest("bad_model")),
            };
            if !super::learning::switch(&*app, model, Some(staff.user_id)).await.map_err(AppError::Internal)? {
                return Err(AppError::BadRequest("bad_model"));
            }
            app.reload_settings().await.map_err(AppError::Internal)?;
            Ok(Redirect::to("/admin/moderation?notice=switched").into_response())
        }
        _ => Err(AppError::BadRequest("unknown_action")),
    }
}
