//! The webhooks on `/admin/integrations`: registered there, each with its own page of its
//! secret and its last deliveries, a test event on request, and removal.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::{HookInput, KEPT_DELIVERIES, MAX_HOOKS};
use crate::api::admin::{Shown, page};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::outgoing::FetchError;
use crate::web::client::{Done, FormData};
use crate::web::error::AppError;

/// Admins only, as the API keys: a hook is told of every subscriber who confirms.
pub const ROLES: &[Role] = &[];

fn hook_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// The hook of the address's `{id}`; 404 when there is none.
async fn find_hook(app: &App, id: &str) -> Result<super::Hook, AppError> {
    super::find(&app.db, hook_id(id)?).await?.ok_or(AppError::NotFound)
}

/// The message of a refusal, in the site's language.
fn refusal(app: &App, key: &str, args: &[(&str, String)]) -> String {
    let args: Vec<(&str, fluent_bundle::FluentValue)> = args.iter().map(|(k, v)| (*k, v.clone().into())).collect();
    app.i18n.text(app.language(), key, &args)
}

/// A hook's address and events from its form, if they are well formed and the address may be
/// reached; else the message why not.
async fn checked_input(app: &App, form: &FormData) -> Result<HookInput, String> {
    let input = HookInput::parse(form.get("url").unwrap_or_default(), form.all("events")).map_err(|e| {
        tracing::info!(error = %e, "webhook refused");
        refusal(app, e.message_key(), &[])
    })?;
    if let Err(e) = app.http.check(&input.url).await {
        tracing::info!(error = %e, "webhook address refused");
        return Err(match e {
            FetchError::Private(host) => refusal(app, "webhook-error-private", &[("host", host)]),
            _ => refusal(app, "webhook-error-unreachable", &[("error", e.to_string())]),
        });
    }
    Ok(input)
}

/// `POST /admin/integrations/webhooks`: a new hook, if its address may be reached.
#[instrument(skip_all)]
pub async fn create(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let url: String = form.get("url").unwrap_or_default().chars().take(super::MAX_URL).collect();
    let refused = |message: String| Shown { hook_error: Some(message), hook_url: url.clone(), ..Shown::default() };
    let input = match checked_input(&app, &form).await {
        Ok(input) => input,
        Err(message) => return page(&app, &staff, StatusCode::BAD_REQUEST, refused(message)).await,
    };
    let Some(hook) = super::create(&app.db, &input, staff.user_id, app.now()).await? else {
        let shown = refused(refusal(&app, "webhook-error-many", &[("count", MAX_HOOKS.to_string())]));
        return page(&app, &staff, StatusCode::BAD_REQUEST, shown).await;
    };
    tracing::info!(webhook = hook.id, by = staff.user_id, "webhook registered");
    Ok(Redirect::to(&format!("/admin/integrations/webhooks/{}?done=saved", hook.id)).into_response())
}

/// `GET /admin/integrations/webhooks/{id}`: the hook, its secret and its last deliveries.
#[instrument(skip_all)]
pub async fn show(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let hook = find_hook(&app, &id).await?;
    let notice = done.notice_key("webhook").map(|key| app.text(&key));
    let form = (hook.url.clone(), hook.events.clone());
    hook_page(&app, &staff, hook, StatusCode::OK, notice, None, form).await
}

/// A hook's page; its form shows `(url, events)`, as stored or as typed.
async fn hook_page(
    app: &App,
    staff: &Staff,
    hook: super::Hook,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    (form_url, form_events): (String, Vec<String>),
) -> Result<Response, AppError> {
    let attempts = super::attempts(&app.db, hook.id).await?;
    // Until when the secret a roll replaced still signs, if it does.
    let previous_until = hook.previous_until.filter(|until| *until > app.now());
    let events: Vec<&str> = super::Event::CHOSEN.iter().map(|e| e.name()).collect();
    let page = context! {
        hook => Serde(hook), attempts => Serde(attempts), notice => notice, kept => KEPT_DELIVERIES,
        previous_until => previous_until, events => events, error => error,
        form_url => form_url, form_events => form_events,
    };
    let body = app.render_admin("admin/webhook.html", staff, page).await?;
    let mut response = crate::web::admin_html(body);
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /admin/integrations/webhooks/{id}`: another address or other events, checked as a new
/// hook's are; the secret and the attempts stay.
#[instrument(skip_all)]
pub async fn update(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let hook = find_hook(&app, &id).await?;
    match checked_input(&app, &form).await {
        Ok(input) => {
            super::update(&app.db, hook.id, &input).await?;
            tracing::info!(webhook = hook.id, by = staff.user_id, "webhook changed");
            Ok(Redirect::to(&format!("/admin/integrations/webhooks/{}?done=changed", hook.id)).into_response())
        }
        Err(message) => {
            let typed = form.get("url").unwrap_or_default().chars().take(super::MAX_URL).collect();
            let events = form.all("events").map(str::to_string).collect();
            hook_page(&app, &staff, hook, StatusCode::BAD_REQUEST, None, Some(message), (typed, events)).await
        }
    }
}

/// `POST /admin/integrations/webhooks/{id}/ping`: queues a `ping` event to the hook.
#[instrument(skip_all)]
pub async fn ping(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let hook = find_hook(&app, &id).await?;
    super::deliver::ping(&app.context(), &hook).await?;
    Ok(Redirect::to(&format!("/admin/integrations/webhooks/{}?done=sent", hook.id)).into_response())
}

/// `POST /admin/integrations/webhooks/{id}/resend`: sends a kept delivery again (form field
/// `delivery`), for a receiver that missed it after its retries ran out.
#[instrument(skip_all)]
pub async fn resend(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let hook = find_hook(&app, &id).await?;
    let delivery = form.get("delivery").unwrap_or_default();
    if !super::deliver::resend(&app.context(), &hook, delivery).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(webhook = hook.id, by = staff.user_id, delivery, "webhook delivery sent again");
    Ok(Redirect::to(&format!("/admin/integrations/webhooks/{}?done=resent", hook.id)).into_response())
}

/// `POST /admin/integrations/webhooks/{id}/secret`: a new secret; the old one signs beside it
/// for a day, so the receiver can switch without refusing a delivery.
#[instrument(skip_all)]
pub async fn roll_secret(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let hook = super::roll_secret(&app.db, hook_id(&id)?, app.now()).await?.ok_or(AppError::NotFound)?;
    tracing::info!(webhook = hook.id, by = staff.user_id, "webhook secret rolled");
    Ok(Redirect::to(&format!("/admin/integrations/webhooks/{}?done=rolled", hook.id)).into_response())
}

/// `POST /admin/integrations/webhooks/{id}/delete`, after a confirmation page.
#[instrument(skip_all)]
pub async fn delete(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let hook = find_hook(&app, &id).await?;
    if form.get("confirm") != Some("yes") {
        let text = |k: &str| app.i18n.text(app.language(), k, &[("url", hook.url.clone().into())]);
        let action = format!("/admin/integrations/webhooks/{}/delete", hook.id);
        let back = format!("/admin/integrations/webhooks/{}", hook.id);
        let (heading, message) = (text("webhook-delete"), text("webhook-delete-confirm"));
        return crate::web::staff::confirm_page(&app, &staff, heading, message, action, &back, &[]).await;
    }
    super::delete(&app.db, hook.id).await?;
    tracing::info!(webhook = hook.id, by = staff.user_id, "webhook removed");
    Ok(Redirect::to("/admin/integrations?done=deleted").into_response())
}
