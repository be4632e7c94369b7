//! `/admin/newsletter`: editors write a campaign, preview it, send a test and then send it to
//! every subscriber; the page shows each send's progress and the outbox as a whole.
//! `/admin/subscribers`: the readers, searchable, exported and imported as CSV.

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::newsletter::{self, Campaign};
use super::roster;
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
    // What the campaign did once it went out: its figures, and the clicks on each link.
    let mailing = super::mailings::of_campaign(&app.db, campaign.id).await?;
    let mut links = Vec::new();
    if let Some(mailing) = &mailing {
        let clicks = crate::analytics::queries::link_clicks(&app.db, mailing.id).await?;
        for (id, url) in super::mailings::links_of(&app.db, mailing.id).await? {
            links.push(context! { url, clicks => clicks.get(&id).copied().unwrap_or(0) });
        }
    }
    let page = context! {
        mailing => Serde(mailing),
        links => links,
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
/// aside, and its links straight to where they lead, so an editor's click is not counted), for
/// a sandboxed frame on the campaign page. Its policy lets the mail's inline styles
/// apply, and nothing else: no script, no requests but this site's images.
#[instrument(skip_all)]
pub async fn preview(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, AppError> {
    let campaign = campaign(&app, &id).await?;
    let mut html =
        campaign.html_body.replace(super::compose::PREFERENCES_URL, "#").replace(super::compose::UNSUBSCRIBE_URL, "#");
    // Once sent, its links go through the counted redirect: the preview leads straight on.
    if let Some(mailing) = super::mailings::of_campaign(&app.db, campaign.id).await? {
        html = super::mailings::direct_links(&app.db, mailing.id, &app.config().site.base_url, &html).await?;
    }
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

/// Subscribers one page of the list shows.
const SUBSCRIBERS_PER_PAGE: i64 = 50;

#[derive(Debug, serde::Deserialize)]
pub struct SubscribersQuery {
    q: Option<String>,
    page: Option<String>,
}

/// `GET /admin/subscribers`: the readers, searchable by address, with the export and the
/// import form.
#[instrument(skip_all)]
pub async fn subscribers(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<SubscribersQuery>,
) -> Result<Response, AppError> {
    let search: String = query.q.unwrap_or_default().trim().chars().take(254).collect();
    let page = crate::web::page_number(query.page.as_deref())?;
    subscribers_page(&app, &staff, StatusCode::OK, &search, page, None, None).await
}

async fn subscribers_page(
    app: &App,
    staff: &Staff,
    status: StatusCode,
    search: &str,
    page: i64,
    error: Option<&str>,
    report: Option<&roster::Report>,
) -> Result<Response, AppError> {
    let (rows, total) = roster::list(&app.db, search, SUBSCRIBERS_PER_PAGE, (page - 1) * SUBSCRIBERS_PER_PAGE).await?;
    let context = context! {
        rows => Serde(rows),
        total => total,
        search => search,
        page => page,
        pages => ((total + SUBSCRIBERS_PER_PAGE - 1) / SUBSCRIBERS_PER_PAGE).max(1),
        error => error.map(|k| app.text(k)),
        report => report.map(Serde),
        max_lines => roster::MAX_IMPORT_LINES,
    };
    let body = app.render_admin("admin/newsletter/subscribers.html", staff, context).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

/// `GET /admin/subscribers/export.csv`: the newsletter's active readers with their consent.
#[instrument(skip_all)]
pub async fn export_subscribers(State(app): State<Arc<App>>, staff: Staff) -> Result<Response, AppError> {
    let csv = roster::export_csv(&app.db).await?;
    tracing::info!(user = staff.user_id, bytes = csv.len(), "subscribers exported");
    let date = jiff::Timestamp::from_second(app.now()).map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"subscribers-{date}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}

/// `POST /admin/subscribers/import`: a CSV file (multipart, field `file`; the first column holds
/// the addresses), `consent` (`given` or `double`) and `statement`, where the readers agreed.
#[instrument(skip_all)]
pub async fn import_subscribers(
    State(app): State<Arc<App>>,
    staff: Staff,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::BadRequest("not_multipart"))?;
    let (mut csrf, mut consent, mut statement, mut file) = (String::new(), String::new(), String::new(), None);
    let refuse = |key: &'static str| {
        tracing::info!(user = staff.user_id, reason = key, "subscriber import refused");
        key
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let key = refuse("import-error-too-large");
                return subscribers_page(&app, &staff, StatusCode::PAYLOAD_TOO_LARGE, "", 1, Some(key), None).await;
            }
            Err(_) => return Err(AppError::BadRequest("bad_multipart")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                let key = refuse("import-error-too-large");
                return subscribers_page(&app, &staff, StatusCode::PAYLOAD_TOO_LARGE, "", 1, Some(key), None).await;
            }
            Err(_) => return Err(AppError::BadRequest("bad_multipart")),
        };
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).chars().take(1_000).collect::<String>();
        match name.as_str() {
            "file" => file = Some(bytes),
            "csrf" => csrf = text(&bytes),
            "consent" => consent = text(&bytes),
            "statement" => statement = text(&bytes).trim().to_string(),
            _ => {}
        }
    }
    staff.check_csrf(&csrf)?;
    let bad = |key: &'static str| {
        let key = refuse(key);
        subscribers_page(&app, &staff, StatusCode::BAD_REQUEST, "", 1, Some(key), None)
    };
    let consent = match consent.as_str() {
        "given" => roster::Consent::Given,
        "double" => roster::Consent::DoubleOptIn,
        _ => return bad("import-error-consent").await,
    };
    if consent == roster::Consent::Given && statement.chars().count() < 10 {
        return bad("import-error-statement").await;
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else { return bad("import-error-file").await };
    let Ok(text) = std::str::from_utf8(&file) else { return bad("import-error-encoding").await };
    let lines = roster::first_fields(text);
    if lines.is_empty() {
        return bad("import-error-file").await;
    }
    if lines.len() > roster::MAX_IMPORT_LINES {
        return bad("import-error-lines").await;
    }
    let consent_text = app.i18n.text(
        app.language(),
        "import-consent-record",
        &[("statement", statement.clone().into()), ("who", staff.email.clone().into())],
    );
    let report = roster::import(&*app, &lines, consent, &consent_text, app.now()).await?;
    tracing::info!(
        user = staff.user_id,
        added = report.added,
        confirmations = report.confirmations,
        already = report.already,
        kept_out = report.kept_out_count,
        invalid = report.invalid_count,
        "subscribers imported"
    );
    subscribers_page(&app, &staff, StatusCode::OK, "", 1, None, Some(&report)).await
}
