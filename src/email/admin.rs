//! `/admin/newsletter`: editors write a campaign, preview it, send a test and then send it to
//! every subscriber; the page shows each send's progress and the outbox as a whole.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::newsletter::{self, Campaign};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::Notice;
use crate::web::client::FormData;
use crate::web::error::AppError;

pub const ROLES: &[Role] = &[Role::Editor];

fn notice_key(notice: Option<&str>) -> Option<&'static str> {
    match notice? {
        "saved" => Some("newsletter-notice-saved"),
        "tested" => Some("newsletter-notice-tested"),
        "started" => Some("newsletter-notice-started"),
        _ => None,
    }
}

#[instrument(skip_all)]
pub async fn list(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    list_page(&app, &staff, StatusCode::OK, None, "", "").await
}

async fn list_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    error: Option<&str>,
    subject: &str,
    body_md: &str,
) -> Result<Response, AppError> {
    let outbox = super::outbox::status(&app.db, app.now(), 20).await?;
    let (newsletter, alerts) = super::subscribers::counts(&app.db).await?;
    let page = context! {
        outbox => Serde(outbox),
        newsletter_subscribers => newsletter,
        alert_subscribers => alerts,
        error => error.map(|k| app.text(k)),
        subject => subject,
        body_md => body_md,
        digest => format!("{:?}", app.config().email.digest).to_lowercase(),
        digest_hour => app.config().email.digest_hour,
    };
    let body = app.render_admin("admin/newsletter/list.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `POST /admin/newsletter`: a new draft.
#[instrument(skip_all)]
pub async fn create(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let (subject, body) = (form.get("subject").unwrap_or_default(), form.get("body").unwrap_or_default());
    match newsletter::check_campaign(subject, body) {
        Ok((subject, body)) => {
            let id = newsletter::save_draft(&app, None, subject, body, Some(staff.user_id), app.now()).await?;
            let id = id.ok_or_else(|| anyhow::anyhow!("a new draft was not saved"))?;
            tracing::info!(campaign = id, user = staff.user_id, "campaign drafted");
            Ok(Redirect::to(&format!("/admin/newsletter/{id}?notice=saved")).into_response())
        }
        Err(key) => list_page(&app, &staff, StatusCode::BAD_REQUEST, Some(key), subject, body).await,
    }
}

async fn campaign(app: &App, id: &str) -> Result<Campaign, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    newsletter::find(&app.db, id).await?.ok_or(AppError::NotFound)
}

async fn campaign_page(
    app: &App,
    staff: &Staff,
    campaign: &Campaign,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let progress =
        super::outbox::status(&app.db, app.now(), 50).await?.campaigns.into_iter().find(|c| c.id == campaign.id);
    let page = context! {
        campaign => Serde(campaign),
        progress => Serde(progress),
        notice => notice_key(notice).map(|k| app.text(k)),
        error => error.map(|k| app.text(k)),
        staff_address => staff.email.clone(),
        subscribers => super::subscribers::counts(&app.db).await?.0,
    };
    let body = app.render_admin("admin/newsletter/campaign.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/newsletter/{id}/preview`: the HTML part as readers get it (their own links
/// aside), for a sandboxed frame on the campaign page. Its policy lets the mail's inline styles
/// apply, and nothing else: no script, no requests but this site's images.
#[instrument(skip_all)]
pub async fn preview(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, AppError> {
    let campaign = campaign(&app, &id).await?;
    let html =
        campaign.html_body.replace(super::compose::PREFERENCES_URL, "#").replace(super::compose::UNSUBSCRIBE_URL, "#");
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' {}; frame-ancestors 'self'; sandbox",
        app.config().site.base_url
    );
    let mut response = crate::web::admin_html(html);
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_str(&policy).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}

#[instrument(skip_all)]
pub async fn show(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<Notice>,
) -> Result<Response, AppError> {
    let campaign = campaign(&app, &id).await?;
    campaign_page(&app, &staff, &campaign, StatusCode::OK, query.notice.as_deref(), None).await
}

/// `POST /admin/newsletter/{id}`: changes a draft.
#[instrument(skip_all)]
pub async fn update(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let mut current = campaign(&app, &id).await?;
    let (subject, body) = (form.get("subject").unwrap_or_default(), form.get("body").unwrap_or_default());
    let error = match newsletter::check_campaign(subject, body) {
        Ok((subject, body)) => {
            match newsletter::save_draft(&app, Some(current.id), subject, body, Some(staff.user_id), app.now()).await? {
                Some(id) => return Ok(Redirect::to(&format!("/admin/newsletter/{id}?notice=saved")).into_response()),
                None => "newsletter-error-not-draft",
            }
        }
        Err(key) => key,
    };
    current.subject = subject.to_string();
    current.body_md = body.to_string();
    campaign_page(&app, &staff, &current, StatusCode::BAD_REQUEST, None, Some(error)).await
}

/// `POST /admin/newsletter/{id}/test`: one copy to an address.
#[instrument(skip_all)]
pub async fn test(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let campaign = campaign(&app, &id).await?;
    let Some(address) = super::parse_address(form.get("address").unwrap_or_default()) else {
        return campaign_page(&app, &staff, &campaign, StatusCode::BAD_REQUEST, None, Some("newsletter-error-address"))
            .await;
    };
    newsletter::test_send(&app, &campaign, &address, app.now()).await?;
    tracing::info!(campaign = campaign.id, user = staff.user_id, "test copy queued");
    Ok(Redirect::to(&format!("/admin/newsletter/{}?notice=tested", campaign.id)).into_response())
}

/// `POST /admin/newsletter/{id}/send`: to every subscriber, once.
#[instrument(skip_all)]
pub async fn send(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let campaign = campaign(&app, &id).await?;
    if form.get("checked") != Some("yes") {
        let error = Some("newsletter-send-unconfirmed");
        return campaign_page(&app, &staff, &campaign, StatusCode::BAD_REQUEST, None, error).await;
    }
    if newsletter::start(&app, campaign.id, app.now()).await?.is_none() {
        return campaign_page(&app, &staff, &campaign, StatusCode::CONFLICT, None, Some("newsletter-error-not-draft"))
            .await;
    }
    tracing::info!(campaign = campaign.id, user = staff.user_id, "campaign sent");
    Ok(Redirect::to(&format!("/admin/newsletter/{}?notice=started", campaign.id)).into_response())
}
