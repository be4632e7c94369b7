//! The public side of job listings: `/jobs`, `/jobs/{id}`, and the sidebar box.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;
use serde_json::json;
use tracing::instrument;

use super::country::{self, Country};
use super::model::{Job, JobsBox, KINDS, Workplace};
use super::queries::{self, Filter};
use crate::app::App;
use crate::discovery::structured::script_json;
use crate::discovery::{Site, rfc3339};
use crate::web::error::AppError;
use crate::web::html;

const PER_PAGE: i64 = 20;
/// Listings in the sidebar box.
pub const BOX_SIZE: i64 = 4;

#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    location: Option<String>,
    workplace: Option<String>,
    kind: Option<String>,
    page: Option<String>,
}

pub async fn jobs_box(app: &App) -> Result<JobsBox, AppError> {
    let now = app.now();
    let read = || async move {
        let (jobs, _) = queries::current(&app.db, &Filter::default(), 1, BOX_SIZE, now).await?;
        Ok::<_, sqlx::Error>(JobsBox { jobs })
    };
    Ok(app.jobs_box.get(now, read).await?)
}

#[instrument(skip_all)]
pub async fn index(State(app): State<Arc<App>>, Query(query): Query<JobsQuery>) -> Result<Response, AppError> {
    let clean =
        |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().chars().take(200).collect::<String>();
    let workplace = match clean(&query.workplace).as_str() {
        "" => None,
        w => Some(Workplace::parse(w).ok_or(AppError::BadRequest("unknown_workplace"))?),
    };
    let kind = clean(&query.kind);
    if !kind.is_empty() && !KINDS.contains(&kind.as_str()) {
        return Err(AppError::BadRequest("unknown_kind"));
    }
    let page = match clean(&query.page).as_str() {
        "" => 1,
        p => p.parse::<i64>().ok().filter(|p| (1..=10_000).contains(p)).ok_or(AppError::BadRequest("bad_page"))?,
    };
    let filter = Filter { location: clean(&query.location), workplace, kind };
    let now = app.now();
    let (jobs, total) = queries::current(&app.db, &filter, page, PER_PAGE, now).await?;
    let pages = ((total.max(1) + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    // Pagination links keep the filters.
    let filters = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("location", filter.location.as_str()),
            ("workplace", filter.workplace.map(Workplace::as_str).unwrap_or_default()),
            ("kind", filter.kind.as_str()),
        ])
        .finish();
    let body = app
        .render(
            "jobs/index.html",
            context! {
                jobs => Serde(jobs),
                total => total,
                page => page,
                pages => pages,
                filters => filters,
                location => filter.location.clone(),
                workplace => filter.workplace.map(Workplace::as_str),
                kind => filter.kind.clone(),
                locations => queries::locations(&app.db, now).await?,
                kinds => Serde(KINDS),
                workplaces => ["remote", "hybrid", "onsite"],
                canonical_path => "/jobs",
                nav_current => "jobs",
            },
        )
        .await?;
    Ok(html(body))
}

fn employment_type(kind: &str) -> &'static str {
    match kind {
        "full-time" | "professorship" => "FULL_TIME",
        "part-time" | "working-student" => "PART_TIME",
        "internship" => "INTERN",
        "freelance" => "CONTRACTOR",
        _ => "OTHER",
    }
}

/// schema.org JobPosting as Google for Jobs reads it. `home` is the publication's country:
/// the one a remote job is open to unless its location names another.
///
/// Google requires a place for every posting: `jobLocation` for an office, and for a fully
/// remote job (`jobLocationType` TELECOMMUTE) `applicantLocationRequirements`, the country or
/// region applicants must live in. A remote job whose location names a town keeps that town as
/// its office.
pub fn job_posting_json_ld(site: &Site, job: &Job, home: Country) -> String {
    let mut posting = json!({
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html,
        "datePosted": rfc3339(job.posted_at),
        "validThrough": rfc3339(job.expires_at),
        "employmentType": employment_type(&job.kind),
        "hiringOrganization": { "@type": "Organization", "name": job.employer },
        "url": site.absolute(&format!("/jobs/{}", job.id)),
        "directApply": false,
    });
    let office = json!({
        "@type": "Place",
        "address": { "@type": "PostalAddress", "addressLocality": job.location },
    });
    if job.workplace == Workplace::Remote {
        posting["jobLocationType"] = json!("TELECOMMUTE");
        let named = country::named_in(&job.location);
        let open_to = named.unwrap_or(home);
        posting["applicantLocationRequirements"] = json!({ "@type": "Country", "name": open_to.name });
        if named.is_none() && !country::is_no_place(&job.location) {
            posting["jobLocation"] = office;
        }
    } else {
        posting["jobLocation"] = office;
    }
    script_json(&posting)
}

#[instrument(skip_all)]
pub async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)?;
    let job = queries::find(&app.db, id).await?.filter(|j| j.is_current(app.now())).ok_or(AppError::NotFound)?;
    let config = app.config();
    let site = Site::from_config(&config);
    let home = country::of_site(&config.site.time_zone, config.site.language);
    let body = app
        .render(
            "jobs/show.html",
            context! {
                json_ld => job_posting_json_ld(&site, &job, home),
                canonical_path => format!("/jobs/{}", job.id),
                job => Serde(job),
                nav_current => "jobs",
            },
        )
        .await?;
    Ok(html(body))
}
