//! `/admin/tags` and `/admin/authors`: create, rename (old addresses redirect), merge tags, and
//! authors' bios and pictures.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use tracing::instrument;

use super::labels::{self, Kind, LabelInput, LabelRow};
use super::model::ArticleError;
use super::queries::SaveError;
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::Notice;
use crate::web::client::FormData;
use crate::web::error::AppError;

pub const ROLES: &[Role] = &[Role::Editor];

fn base(kind: Kind) -> &'static str {
    match kind {
        Kind::Tag => "/admin/tags",
        Kind::Author => "/admin/authors",
    }
}

fn notice_text(app: &App, notice: Option<&str>) -> Option<String> {
    let key = match notice? {
        "created" => "labels-notice-created",
        "saved" => "labels-notice-saved",
        "merged" => "labels-notice-merged",
        _ => return None,
    };
    Some(app.text(key))
}

/// The form's values, to show again after an error.
#[derive(Debug, Default, serde::Serialize)]
struct Typed {
    name: String,
    slug: String,
    bio: String,
    picture_url: String,
    /// The account's id, or empty for none.
    user_id: String,
}

impl Typed {
    fn from_form(form: &FormData) -> Typed {
        let get = |name: &str| form.get(name).unwrap_or_default().to_string();
        Typed {
            name: get("name"),
            slug: get("slug"),
            bio: get("bio").replace("\r\n", "\n"),
            picture_url: get("picture_url"),
            user_id: get("user_id"),
        }
    }

    fn from_row(row: &LabelRow) -> Typed {
        Typed {
            name: row.name.clone(),
            slug: row.slug.clone(),
            bio: row.bio.clone(),
            picture_url: row.picture_url.clone().unwrap_or_default(),
            user_id: row.user_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    fn input(&self) -> Result<LabelInput, &'static str> {
        let mut input = LabelInput::parse(&self.name, &self.slug, &self.bio, &self.picture_url)?;
        input.user_id = match self.user_id.trim() {
            "" => None,
            id => Some(id.parse().map_err(|_| "labels-error-account")?),
        };
        Ok(input)
    }
}

/// How a page answers: its status and the notice or error it shows.
struct Outcome<'a> {
    status: StatusCode,
    notice: Option<&'a str>,
    error: Option<String>,
}

impl Outcome<'_> {
    fn ok(notice: Option<&str>) -> Outcome<'_> {
        Outcome { status: StatusCode::OK, notice, error: None }
    }

    fn error(status: StatusCode, error: String) -> Outcome<'static> {
        Outcome { status, notice: None, error: Some(error) }
    }
}

async fn page(
    app: &App,
    staff: &Staff,
    kind: Kind,
    label: Option<&LabelRow>,
    typed: &Typed,
    outcome: Outcome<'_>,
) -> Result<Response, AppError> {
    let Outcome { status, notice, error } = outcome;
    let all = labels::list(&app.db, kind).await?;
    let context = context! {
        kind => kind.as_str(),
        base => base(kind),
        labels => Serde(&all),
        label => Serde(label),
        typed => Serde(typed),
        accounts => Serde(crate::auth::users::list(&app.db).await?),
        notice => notice_text(app, notice),
        error => error,
    };
    let template = if label.is_some() { "admin/labels/edit.html" } else { "admin/labels/list.html" };
    let body = app.render_admin(template, staff, context).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

fn save_error(app: &App, error: &SaveError) -> Option<(StatusCode, String)> {
    match error {
        SaveError::Invalid(ArticleError::SlugTaken(slug)) => Some((
            StatusCode::CONFLICT,
            app.i18n.text(app.language(), "labels-error-taken", &[("slug", slug.clone().into())]),
        )),
        SaveError::Invalid(ArticleError::AccountTaken) => {
            Some((StatusCode::CONFLICT, app.text("labels-error-account-taken")))
        }
        SaveError::Invalid(_) => Some((StatusCode::BAD_REQUEST, app.text("labels-error-slug"))),
        // The account chosen does not exist (the foreign key refused it).
        SaveError::Db(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Some((StatusCode::BAD_REQUEST, app.text("labels-error-account")))
        }
        SaveError::Db(_) => None,
    }
}

async fn list(app: Arc<App>, staff: Staff, kind: Kind, notice: Option<String>) -> Result<Response, AppError> {
    page(&app, &staff, kind, None, &Typed::default(), Outcome::ok(notice.as_deref())).await
}

async fn create(app: Arc<App>, staff: Staff, kind: Kind, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let typed = Typed::from_form(&form);
    let bad = |status, text| page(&app, &staff, kind, None, &typed, Outcome::error(status, text));
    let input = match typed.input() {
        Ok(input) => input,
        Err(key) => return bad(StatusCode::BAD_REQUEST, app.text(key)).await,
    };
    match labels::create(&app.db, kind, &input, app.now()).await {
        Ok(id) => {
            tracing::info!(kind = kind.as_str(), id, user = staff.user_id, "label created");
            Ok(Redirect::to(&format!("{}?notice=created", base(kind))).into_response())
        }
        Err(e) => match save_error(&app, &e) {
            Some((status, text)) => bad(status, text).await,
            None => Err(AppError::Internal(e.into())),
        },
    }
}

async fn label(app: &App, kind: Kind, id: &str) -> Result<LabelRow, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    labels::find(&app.db, kind, id).await?.ok_or(AppError::NotFound)
}

async fn edit(
    app: Arc<App>,
    staff: Staff,
    kind: Kind,
    id: String,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let label = label(&app, kind, &id).await?;
    let typed = Typed::from_row(&label);
    page(&app, &staff, kind, Some(&label), &typed, Outcome::ok(notice.as_deref())).await
}

async fn save(app: Arc<App>, staff: Staff, kind: Kind, id: String, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let current = label(&app, kind, &id).await?;
    if kind == Kind::Tag && form.get("action") == Some("merge") {
        let confirmed = form.get("confirm_merge") == Some("yes");
        let into = form.get("into").and_then(|v| v.parse::<i64>().ok()).filter(|v| *v != current.id && confirmed);
        let into = match into {
            Some(into) => labels::find(&app.db, kind, into).await?,
            None => None,
        };
        let Some(into) = into else {
            let outcome = Outcome::error(StatusCode::BAD_REQUEST, app.text("labels-error-merge"));
            return page(&app, &staff, kind, Some(&current), &Typed::from_row(&current), outcome).await;
        };
        labels::merge_tags(&app.db, &current, &into, app.now()).await?;
        tracing::info!(from = current.id, into = into.id, user = staff.user_id, "tags merged");
        return Ok(Redirect::to(&format!("/admin/tags/{}?notice=merged", into.id)).into_response());
    }
    let typed = Typed::from_form(&form);
    let bad = |status, text| page(&app, &staff, kind, Some(&current), &typed, Outcome::error(status, text));
    let input = match typed.input() {
        Ok(input) => input,
        Err(key) => return bad(StatusCode::BAD_REQUEST, app.text(key)).await,
    };
    match labels::update(&app.db, kind, &current, &input, app.now()).await {
        Ok(()) => {
            tracing::info!(kind = kind.as_str(), id = current.id, user = staff.user_id, "label saved");
            Ok(Redirect::to(&format!("{}/{}?notice=saved", base(kind), current.id)).into_response())
        }
        Err(e) => match save_error(&app, &e) {
            Some((status, text)) => bad(status, text).await,
            None => Err(AppError::Internal(e.into())),
        },
    }
}

#[instrument(skip_all)]
pub async fn tags(State(app): State<Arc<App>>, staff: Staff, Query(q): Query<Notice>) -> Result<Response, AppError> {
    list(app, staff, Kind::Tag, q.notice).await
}

#[instrument(skip_all)]
pub async fn authors(State(app): State<Arc<App>>, staff: Staff, Query(q): Query<Notice>) -> Result<Response, AppError> {
    list(app, staff, Kind::Author, q.notice).await
}

#[instrument(skip_all)]
pub async fn create_tag(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    create(app, staff, Kind::Tag, form).await
}

#[instrument(skip_all)]
pub async fn create_author(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    create(app, staff, Kind::Author, form).await
}

#[instrument(skip_all)]
pub async fn edit_tag(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    edit(app, staff, Kind::Tag, id, q.notice).await
}

#[instrument(skip_all)]
pub async fn edit_author(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    edit(app, staff, Kind::Author, id, q.notice).await
}

#[instrument(skip_all)]
pub async fn save_tag(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    save(app, staff, Kind::Tag, id, form).await
}

#[instrument(skip_all)]
pub async fn save_author(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    save(app, staff, Kind::Author, id, form).await
}
