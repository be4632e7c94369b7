//! `/admin/articles`: the newsroom's articles. A list with search and filters; an editor for
//! every field with a server-rendered preview; save, schedule, publish and unpublish; the
//! revision history with a readable diff and restore.
//!
//! Two editors saving the same article: the form carries the version it was loaded at, the
//! second save finds a newer one and is refused with 409, and the editor gets their own text
//! back with what the other save changed (optimistic locking).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::diff;
use super::model::{Article, ArticleDraft, ArticleError, ArticleInput, BodyFormat, Label, Slug, Status};
use super::queries::{self, AdminFilter, AdminSort, SaveError};
use crate::app::App;
use crate::auth::sessions::Staff;
use crate::auth::users::Role;
use crate::web::client::{FormData, FormWithFile, UploadedFile};
use crate::web::error::AppError;
use crate::web::staff::NotSignedIn;

pub const ROLES: &[Role] = &[Role::Editor];
const PER_PAGE: u32 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    tag: Option<String>,
    author: Option<String>,
    sort: Option<String>,
    page: Option<u32>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// `GET /admin/articles`.
#[instrument(skip_all)]
pub async fn list(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let filter = AdminFilter {
        text: query.q.clone().unwrap_or_default().chars().take(200).collect(),
        status: query.status.as_deref().and_then(Status::parse),
        tag: non_empty(query.tag.clone()),
        author: non_empty(query.author.clone()),
        sort: query.sort.as_deref().and_then(AdminSort::parse).unwrap_or_default(),
    };
    let link = {
        let mut link = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [("q", filter.text.as_str()), ("status", query.status.as_deref().unwrap_or_default())] {
            if !value.is_empty() {
                link.append_pair(key, value);
            }
        }
        for (key, value) in [("tag", &filter.tag), ("author", &filter.author)] {
            if let Some(value) = value {
                link.append_pair(key, value);
            }
        }
        link.finish()
    };
    // The same filter in another order: the column headings' links.
    let with_sort = |sort: AdminSort| {
        let mut link = link.clone();
        if sort != AdminSort::default() {
            link.push_str(&format!("{}sort={}", if link.is_empty() { "" } else { "&" }, sort.as_str()));
        }
        link
    };
    let sorts: Vec<(&str, String)> = AdminSort::ALL.iter().map(|s| (s.as_str(), with_sort(*s))).collect();
    let query_link = with_sort(filter.sort);
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let (articles, total) = queries::list_admin(&app.db, &filter, page, PER_PAGE).await?;
    let pages = u32::try_from((total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE)).unwrap_or(1).max(1);
    let page_ctx = context! {
        articles => Serde(&articles),
        total => total,
        page => page,
        pages => pages,
        query => query_link,
        sort => filter.sort.as_str(),
        sorts => sorts.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        q => filter.text,
        status => filter.status.map(Status::as_str),
        tag => filter.tag,
        author => filter.author,
        statuses => ["draft", "scheduled", "published", "unpublished"],
        tags => Serde(queries::all_labels(&app.db, "tags").await?),
        authors => Serde(queries::all_labels(&app.db, "authors").await?),
        now => app.now(),
    };
    let body = app.render_admin("admin/articles/list.html", &staff, page_ctx).await?;
    Ok(crate::web::admin_html(body))
}

/// The editor's fields as typed: what the form shows and sends back (and what autosave keeps).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Fields {
    title: String,
    slug: String,
    places: String,
    lead: String,
    body: String,
    /// "markdown" or "html".
    body_format: String,
    hero_url: String,
    hero_alt: String,
    hero_credit: String,
    tags: String,
    authors: String,
    language: String,
    /// `YYYY-MM-DDTHH:MM` in the publication's time zone, as `<input type="datetime-local">` has it.
    publish_at: String,
    version: i64,
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl Fields {
    fn from_article(app: &App, article: &Article) -> Fields {
        let hero = article.hero.clone().unwrap_or_default();
        Fields {
            title: article.title.clone(),
            slug: article.slug.clone(),
            places: article.places.join(", "),
            lead: article.lead.clone(),
            body: article.body_md.clone(),
            body_format: article.body_format.as_str().to_string(),
            hero_url: hero.url,
            hero_alt: hero.alt,
            hero_credit: hero.credit,
            tags: article.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            authors: article.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
            language: article.language.code().to_string(),
            publish_at: article.published_at.map(|t| local_input(app, t)).unwrap_or_default(),
            version: article.version,
        }
    }

    fn from_input(app: &App, input: &ArticleInput, version: i64) -> Fields {
        let hero = input.hero.clone().unwrap_or_default();
        Fields {
            title: input.title.clone(),
            slug: input.slug.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(),
            places: input.places.join(", "),
            lead: input.lead.clone(),
            body: input.body_md.clone(),
            body_format: input.body_format.as_str().to_string(),
            hero_url: hero.url,
            hero_alt: hero.alt,
            hero_credit: hero.credit,
            tags: input.tags.join(", "),
            authors: input.authors.join(", "),
            language: input.language.code().to_string(),
            publish_at: input.published_at.map(|t| local_input(app, t)).unwrap_or_default(),
            version,
        }
    }

    fn from_form(form: &FormData) -> Fields {
        let get = |name: &str| form.get(name).unwrap_or_default().to_string();
        // A picture picked from the library replaces the address typed, and brings its own
        // alternative text and credit (`fill_from_library`).
        let picked = form.get("hero_pick").filter(|p| p.starts_with("/media/")).map(str::to_string);
        let (hero_url, hero_alt, hero_credit) = match picked {
            Some(path) if path != get("hero_url").trim() => (path, String::new(), String::new()),
            _ => (get("hero_url"), get("hero_alt"), get("hero_credit")),
        };
        Fields {
            title: get("title"),
            slug: get("slug").trim().to_string(),
            places: get("places"),
            lead: get("lead"),
            // Browsers send CRLF from text areas; the article keeps plain newlines.
            body: get("body").replace("\r\n", "\n"),
            body_format: get("body_format"),
            hero_url,
            hero_alt,
            hero_credit,
            tags: get("tags"),
            authors: get("authors"),
            language: get("language"),
            publish_at: get("publish_at"),
            version: form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0),
        }
    }

    /// Takes the alt text and credit of a library picture chosen as the lead image, where the
    /// editor left them empty: they were typed at the upload.
    async fn fill_from_library(&mut self, db: &crate::db::Db) -> Result<(), sqlx::Error> {
        let id = self
            .hero_url
            .trim()
            .strip_prefix("/media/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(id, _)| id.parse::<i64>().ok());
        if let Some(id) = id
            && let Some(media) = crate::media::find(db, id).await?
        {
            if self.hero_alt.trim().is_empty() {
                self.hero_alt = media.alt;
            }
            if self.hero_credit.trim().is_empty() {
                self.hero_credit = media.credit;
            }
        }
        Ok(())
    }

    fn draft(&self, status: Status, published_at: Option<i64>) -> ArticleDraft {
        let text = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        ArticleDraft {
            title: self.title.clone(),
            slug: text(&self.slug),
            places: split_list(&self.places),
            lead: self.lead.clone(),
            body_md: self.body.clone(),
            body_format: BodyFormat::parse(&self.body_format).unwrap_or_default(),
            hero_url: text(&self.hero_url),
            hero_alt: text(&self.hero_alt),
            hero_credit: text(&self.hero_credit),
            tags: split_list(&self.tags),
            authors: split_list(&self.authors),
            language: text(&self.language),
            status: Some(status.as_str().to_string()),
            published_at,
        }
    }
}

/// A time as `<input type="datetime-local">` shows it, in the publication's time zone.
fn local_input(app: &App, at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.to_zoned(app.time_zone()).strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// A `datetime-local` value read in the publication's time zone.
fn parse_local(app: &App, text: &str) -> Option<i64> {
    let text = text.trim();
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    Some(civil.to_zoned(app.time_zone()).ok()?.timestamp().as_second())
}

/// What the editor's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Save,
    Publish,
    Schedule,
    Unpublish,
    Preview,
}

impl Action {
    fn parse(form: &FormData) -> Action {
        match form.get("action") {
            Some("publish") => Action::Publish,
            Some("schedule") => Action::Schedule,
            Some("unpublish") => Action::Unpublish,
            Some("preview") => Action::Preview,
            _ => Action::Save,
        }
    }

    fn notice(self) -> &'static str {
        match self {
            Action::Publish => "published",
            Action::Schedule => "scheduled",
            Action::Unpublish => "unpublished",
            Action::Save | Action::Preview => "saved",
        }
    }
}

/// A message for the editor, in the interface's language.
struct Problem {
    status: StatusCode,
    text: String,
}

fn problem(app: &App, status: StatusCode, key: &str, args: &[(&str, fluent_bundle::FluentValue<'static>)]) -> Problem {
    Problem { status, text: app.i18n.text(app.language(), key, args) }
}

fn field_name(app: &App, field: &str) -> String {
    let key = match field {
        "title" => "article-field-title",
        "lead" => "article-field-lead",
        "body" => "article-field-body",
        "places" => "article-field-places",
        "tags" => "article-field-tags",
        "authors" => "article-field-authors",
        _ => return field.to_string(),
    };
    app.text(key)
}

fn invalid(app: &App, error: &ArticleError) -> Problem {
    let bad = StatusCode::BAD_REQUEST;
    match error {
        ArticleError::EmptyTitle => problem(app, bad, "article-error-empty-title", &[]),
        ArticleError::TooLong { field, len, max } => problem(
            app,
            bad,
            "article-error-too-long",
            &[("field", field_name(app, field).into()), ("len", (*len as f64).into()), ("max", (*max as f64).into())],
        ),
        ArticleError::TooMany { field, count, max } => problem(
            app,
            bad,
            "article-error-too-many",
            &[
                ("field", field_name(app, field).into()),
                ("count", (*count as f64).into()),
                ("max", (*max as f64).into()),
            ],
        ),
        ArticleError::InvalidSlug(slug) => problem(app, bad, "article-error-slug", &[("slug", slug.clone().into())]),
        ArticleError::NoSlug => problem(app, bad, "article-error-no-slug", &[]),
        ArticleError::SlugTaken(slug) => {
            problem(app, StatusCode::CONFLICT, "article-error-slug-taken", &[("slug", slug.clone().into())])
        }
        ArticleError::NoAuthor => problem(app, bad, "article-error-no-author", &[]),
        ArticleError::ScheduleWithoutTime => problem(app, bad, "article-error-schedule-time", &[]),
        ArticleError::HeroUrl(_) => problem(app, bad, "article-error-hero-url", &[]),
        ArticleError::HeroAlt => problem(app, bad, "article-error-hero-alt", &[]),
        ArticleError::Conflict { .. } => problem(app, StatusCode::CONFLICT, "article-error-conflict", &[]),
        other => problem(app, bad, "article-error-invalid", &[("detail", other.to_string().into())]),
    }
}

/// One field's changes, for the revision and conflict views.
#[derive(Debug, Serialize)]
struct FieldDiff {
    label: String,
    lines: Vec<diff::Line>,
}

fn field_diffs(app: &App, old: &ArticleInput, new: &ArticleInput) -> Vec<FieldDiff> {
    let hero =
        |i: &ArticleInput| i.hero.as_ref().map(|h| format!("{}\n{}\n{}", h.url, h.alt, h.credit)).unwrap_or_default();
    let when = |i: &ArticleInput| i.published_at.map(|t| local_input(app, t)).unwrap_or_default();
    let pairs = [
        ("article-field-title", old.title.clone(), new.title.clone()),
        ("article-field-slug", old.slug.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(), {
            new.slug.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default()
        }),
        ("article-field-places", old.places.join(", "), new.places.join(", ")),
        ("article-field-lead", old.lead.clone(), new.lead.clone()),
        ("article-field-body", old.body_md.clone(), new.body_md.clone()),
        ("article-field-hero", hero(old), hero(new)),
        ("article-field-tags", old.tags.join(", "), new.tags.join(", ")),
        ("article-field-authors", old.authors.join(", "), new.authors.join(", ")),
        ("article-field-language", old.language.code().to_string(), new.language.code().to_string()),
        ("article-field-status", old.status.as_str().to_string(), new.status.as_str().to_string()),
        ("article-field-publish-at", when(old), when(new)),
    ];
    pairs
        .into_iter()
        .filter_map(|(key, a, b)| {
            let lines = diff::lines(&a, &b);
            diff::changed(&lines).then(|| FieldDiff { label: app.text(key), lines })
        })
        .collect()
}

/// Everything the editor page can show besides the fields.
#[derive(Default)]
struct EditorExtras {
    problem: Option<Problem>,
    confirm_slug: bool,
    conflict: Vec<FieldDiff>,
    check: Option<Check>,
    /// Offer to create the authors the form names that do not exist yet.
    confirm_authors: bool,
    /// When an autosaved version newer than the article was kept, to offer it back.
    kept: Option<i64>,
}

async fn editor_page(
    app: &App,
    staff: &Staff,
    article: Option<&Article>,
    fields: &Fields,
    extras: EditorExtras,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let status = extras.problem.as_ref().map_or(StatusCode::OK, |p| p.status);
    let (revisions, saved_by, views) = match article {
        Some(a) => (
            queries::revision_count(&app.db, a.id).await?,
            queries::modified_by(&app.db, a.id).await?,
            crate::analytics::queries::article_total(&app.db, a.id).await?,
        ),
        None => (0, None, 0),
    };
    let page = context! {
        article => Serde(article),
        fields => Serde(fields),
        error => extras.problem.map(|p| p.text),
        notice => notice.and_then(|n| {
            ["saved", "published", "scheduled", "unpublished", "restored"]
                .contains(&n)
                .then(|| app.text(&format!("article-notice-{n}")))
        }),
        confirm_slug => extras.confirm_slug,
        confirm_authors => extras.confirm_authors,
        kept => extras.kept,
        conflict => Serde(extras.conflict),
        check => Serde(extras.check),
        live => article.is_some_and(|a| a.is_live(app.now())),
        revisions => revisions,
        saved_by => saved_by,
        views => views,
        time_zone => app.config().site.time_zone.clone(),
        tags => Serde(queries::all_labels(&app.db, "tags").await?),
        authors => Serde(queries::all_labels(&app.db, "authors").await?),
        media => Serde(crate::media::list(&app.db, 100).await?),
    };
    let body = app.render_admin("admin/articles/edit.html", staff, page).await?;
    Ok((status, crate::web::admin_html(body)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    notice: Option<String>,
    /// `autosave`: the form as autosave kept it.
    restore: Option<String>,
}

/// What autosave kept for this editor and article when it is newer than `since` (the
/// article's last save): the fields when asked to restore them, and when they were kept.
async fn kept(
    app: &App,
    staff: &Staff,
    article_id: i64,
    since: i64,
    query: &EditQuery,
) -> Result<(Option<Fields>, Option<i64>), AppError> {
    let Some((json, at)) = queries::autosave(&app.db, staff.user_id, article_id).await?.filter(|(_, at)| *at > since)
    else {
        return Ok((None, None));
    };
    if query.restore.as_deref() == Some("autosave") {
        return Ok((serde_json::from_str(&json).ok(), None));
    }
    Ok((None, Some(at)))
}

/// `GET /admin/articles/new`.
#[instrument(skip_all)]
pub async fn new(
    State(app): State<Arc<App>>,
    staff: Staff,
    Query(query): Query<EditQuery>,
) -> Result<Response, AppError> {
    // An editor who is an author starts as the article's author.
    let authors = super::labels::author_of_account(&app.db, staff.user_id).await?.unwrap_or_default();
    let fresh = Fields { language: app.language().code().to_string(), authors, ..Fields::default() };
    let (restored, kept) = kept(&app, &staff, 0, 0, &query).await?;
    let fields = restored.unwrap_or(fresh);
    editor_page(&app, &staff, None, &fields, EditorExtras { kept, ..EditorExtras::default() }, None).await
}

/// `POST /admin/articles/autosave`: keeps what the editor's form holds, sent by the editor's
/// script every few seconds while it changes (`static/admin.js`). 204 when kept.
#[instrument(skip_all)]
pub async fn autosave(State(app): State<Arc<App>>, staff: Staff, form: FormData) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let article_id = match form.get("article").unwrap_or_default() {
        "" | "0" => 0,
        id => article(&app, id).await?.id,
    };
    let fields = Fields::from_form(&form);
    let json = serde_json::to_string(&fields).map_err(|e| AppError::Internal(e.into()))?;
    queries::keep_autosave(&app.db, staff.user_id, article_id, &json, app.now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn article(app: &App, id: &str) -> Result<Article, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    queries::find_by_id(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// `GET /admin/articles/{id}`.
#[instrument(skip_all)]
pub async fn edit(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> Result<Response, AppError> {
    let article = article(&app, &id).await?;
    let (restored, kept) = kept(&app, &staff, article.id, article.modified_at, &query).await?;
    // A restored form keeps the version it was loaded at: a save in between shows as a conflict.
    let fields = restored.unwrap_or_else(|| Fields::from_article(&app, &article));
    let extras = EditorExtras { kept, ..EditorExtras::default() };
    editor_page(&app, &staff, Some(&article), &fields, extras, query.notice.as_deref()).await
}

/// The status and publication time an action gives, or why it cannot.
fn resolve(
    app: &App,
    action: Action,
    current: Option<&Article>,
    fields: &Fields,
) -> Result<(Status, Option<i64>), Problem> {
    let now = app.now();
    let typed = parse_local(app, &fields.publish_at);
    if !fields.publish_at.trim().is_empty() && typed.is_none() {
        return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-schedule-time", &[]));
    }
    let previous = current.and_then(|a| a.published_at);
    Ok(match action {
        Action::Publish => (Status::Published, Some(previous.filter(|t| *t <= now).unwrap_or(now))),
        Action::Unpublish => (Status::Unpublished, previous),
        // A live article is not taken offline by a schedule: it would vanish until then.
        Action::Schedule if current.is_some_and(|a| a.is_live(now)) => {
            return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-schedule-live", &[]));
        }
        Action::Schedule => match typed {
            None => return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-schedule-time", &[])),
            Some(t) if t <= now => {
                return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-schedule-past", &[]));
            }
            Some(t) => (Status::Scheduled, Some(t)),
        },
        Action::Save | Action::Preview => match current.map(|a| a.status) {
            // A scheduled article keeps its schedule, moved to the time in the form.
            Some(Status::Scheduled) => match typed {
                Some(t) if t > now => (Status::Scheduled, Some(t)),
                _ => return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-schedule-past", &[])),
            },
            // A published article's date may be corrected, but not moved into the future.
            Some(Status::Published) => match typed {
                Some(t) if t > now => {
                    return Err(problem(app, StatusCode::BAD_REQUEST, "article-error-date-future", &[]));
                }
                Some(t) if previous.is_some_and(|p| local_input(app, p) != fields.publish_at.trim()) => {
                    (Status::Published, Some(t))
                }
                _ => (Status::Published, previous),
            },
            Some(status) => (status, previous),
            None => (Status::Draft, None),
        },
    })
}

/// The article as the form has it, not saved: for the preview and the pre-publish check.
fn article_from_fields(app: &App, current: Option<&Article>, fields: &Fields) -> Result<Article, Problem> {
    let now = app.now();
    let status = current.map_or(Status::Draft, |a| a.status);
    let published_at = parse_local(app, &fields.publish_at).or(current.and_then(|a| a.published_at)).or(Some(now));
    let input = fields.draft(status, published_at).validate(app.language(), now).map_err(|e| invalid(app, &e))?;
    let label = |name: &String| Label {
        slug: Slug::from_text(name).map(|s| s.as_str().to_string()).unwrap_or_default(),
        name: name.clone(),
    };
    let slug = input.slug.as_ref().map(|s| s.as_str().to_string()).or(current.map(|a| a.slug.clone()));
    Ok(Article {
        id: current.map_or(0, |a| a.id),
        slug: slug.or_else(|| Slug::from_text(&input.title).map(|s| s.as_str().to_string())).unwrap_or_default(),
        title: input.title.clone(),
        places: input.places.clone(),
        lead: input.lead.clone(),
        body_html: input.body_format.render(&input.body_md),
        body_md: input.body_md.clone(),
        body_format: input.body_format,
        hero: input.hero.clone(),
        language: input.language,
        status,
        published_at,
        updated_at: None,
        created_at: current.map_or(now, |a| a.created_at),
        modified_at: now,
        version: current.map_or(0, |a| a.version),
        tags: input.tags.iter().map(label).collect(),
        authors: input.authors.iter().map(label).collect(),
    })
}

/// The article as the form has it, in the public design (`articles/preview.html`): what
/// readers will see once it is live. Opened in its own tab, so the editor keeps its form.
async fn preview(app: &App, current: Option<&Article>, fields: &Fields) -> Result<Response, AppError> {
    let article = match article_from_fields(app, current, fields) {
        Ok(article) => article,
        // What cannot be saved cannot be shown either: the editor says why.
        Err(problem) => {
            let body = app.render("admin/articles/preview_refused.html", context! { error => problem.text }).await?;
            return Ok((problem.status, crate::web::admin_html(body)).into_response());
        }
    };
    let body = super::handlers::preview_page(app, &article).await?;
    Ok(crate::web::admin_html(body))
}

/// What the editor sees before an article goes live for the first time: what it lacks that
/// readers and search engines expect, and how many readers its alert mails will reach.
#[derive(Debug, serde::Serialize)]
struct Check {
    /// Message keys of what is missing.
    missing: Vec<&'static str>,
    /// Readers whose similar-news alert this article answers.
    alerts: usize,
    /// The action to confirm: "publish" or "schedule".
    action: &'static str,
}

async fn pre_publish_check(app: &App, article: &Article, action: Action) -> Result<Check, AppError> {
    let mut missing = Vec::new();
    match &article.hero {
        None => missing.push("check-no-hero"),
        Some(hero) if hero.alt.trim().is_empty() => missing.push("check-no-hero-alt"),
        Some(_) => {}
    }
    if article.lead.trim().is_empty() {
        missing.push("check-no-lead");
    }
    if article.tags.is_empty() {
        missing.push("check-no-tags");
    }
    if article.body_md.contains("![](") {
        missing.push("check-no-image-alt");
    }
    let alerts = crate::email::alerts::matching(app, article).await.map_err(AppError::Internal)?.len();
    let action = if action == Action::Schedule { "schedule" } else { "publish" };
    Ok(Check { missing, alerts, action })
}

/// The author names in the form that name no author yet (by name or address). Saving them
/// would create a new public author: the editor must mean it (`create_authors=yes`), so a typo
/// never does it silently.
async fn unknown_authors(app: &App, fields: &Fields, form: &FormData) -> Result<Option<Problem>, AppError> {
    if form.get("create_authors") == Some("yes") {
        return Ok(None);
    }
    let known = queries::all_labels(&app.db, "authors").await?;
    let unknown: Vec<String> = split_list(&fields.authors)
        .into_iter()
        .filter(|name| !known.iter().any(|l| l.name == *name || l.slug == *name))
        .collect();
    if unknown.is_empty() {
        return Ok(None);
    }
    let names = unknown.iter().map(|n| format!("„{n}“")).collect::<Vec<_>>().join(", ");
    Ok(Some(problem(
        app,
        StatusCode::BAD_REQUEST,
        "article-error-new-author",
        &[("names", names.into()), ("count", unknown.len().into())],
    )))
}

/// Whether this action takes an article live for the first time, unconfirmed: then the check
/// comes first.
fn needs_check(action: Action, current: Option<&Article>, form: &FormData) -> bool {
    let going_out = matches!(action, Action::Publish | Action::Schedule);
    let was_out = current.is_some_and(|a| matches!(a.status, Status::Published | Status::Scheduled));
    going_out && !was_out && form.get("checked") != Some("yes")
}

/// A picture uploaded from the editor goes into the library, with the alt text and credit typed
/// for the lead image, and becomes the lead image; the form then names it like a picked one.
async fn take_upload(
    app: &App,
    staff: &Staff,
    fields: &mut Fields,
    file: Option<&UploadedFile>,
) -> Result<Result<(), Problem>, AppError> {
    let Some(file) = file else { return Ok(Ok(())) };
    let upload = crate::media::Upload {
        file_name: &file.file_name,
        bytes: &file.bytes,
        alt: &fields.hero_alt,
        credit: &fields.hero_credit,
    };
    match crate::media::store(&app.context(), &upload, Some(staff.user_id)).await? {
        Ok((id, new)) => {
            let media = crate::media::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
            tracing::info!(media = id, new, user = staff.user_id, "lead image uploaded from the editor");
            fields.hero_url = media.path("page");
            Ok(Ok(()))
        }
        Err(refusal) => {
            tracing::info!(user = staff.user_id, reason = refusal.key(), "editor upload refused");
            Ok(Err(problem(app, refusal.status(), refusal.key(), &[])))
        }
    }
}

/// A lead image from the library must be one that is there: a typo would show a broken image.
async fn check_library_path(app: &App, path: &str) -> Result<(), Problem> {
    let path = path.trim();
    let Some(rest) = path.strip_prefix("/media/") else { return Ok(()) };
    let variant = |file: &str| crate::media::VARIANTS.iter().any(|(name, _, _)| format!("{name}.jpg") == file);
    let known = match rest.split_once('/').map(|(id, file)| (id.parse::<i64>(), file)) {
        Some((Ok(id), file)) if variant(file) => crate::media::find(&app.db, id).await.ok().flatten().is_some(),
        _ => false,
    };
    if known { Ok(()) } else { Err(problem(app, StatusCode::BAD_REQUEST, "article-error-hero-missing", &[])) }
}

/// The signed-in editor of a save, if the session is still good and the form is its own.
fn signed_in(staff: Result<Staff, NotSignedIn>, form: &FormData) -> Result<Staff, ()> {
    match staff {
        Ok(staff) if staff.check_csrf(form.get("csrf").unwrap_or_default()).is_ok() => Ok(staff),
        _ => Err(()),
    }
}

/// A save that arrives after the session ended (or from a form of an earlier session): nothing
/// is saved, and the text comes back so it is not lost (the editor's own page is `no-store`,
/// so the browser's back button would not have it).
async fn session_ended(app: &App, fields: &Fields) -> Result<Response, AppError> {
    tracing::info!("article save without a valid session: text handed back");
    let body = app.render("admin/articles/session_ended.html", context! { fields => Serde(fields) }).await?;
    Ok((StatusCode::FORBIDDEN, crate::web::admin_html(body)).into_response())
}

/// `POST /admin/articles`: a new article.
#[instrument(skip_all)]
pub async fn create(
    State(app): State<Arc<App>>,
    staff: Result<Staff, NotSignedIn>,
    FormWithFile { form, file }: FormWithFile,
) -> Result<Response, AppError> {
    let mut fields = Fields::from_form(&form);
    let staff = match signed_in(staff, &form) {
        Ok(staff) => staff,
        Err(()) => return session_ended(&app, &fields).await,
    };
    if let Err(problem) = take_upload(&app, &staff, &mut fields, file.as_ref()).await? {
        let extras = EditorExtras { problem: Some(problem), ..EditorExtras::default() };
        return editor_page(&app, &staff, None, &fields, extras, None).await;
    }
    fields.fill_from_library(&app.db).await?;
    let action = Action::parse(&form);
    let fail = |problem: Problem| EditorExtras { problem: Some(problem), ..EditorExtras::default() };
    if action == Action::Preview {
        return preview(&app, None, &fields).await;
    }
    let (status, published_at) = match resolve(&app, action, None, &fields) {
        Ok(resolved) => resolved,
        Err(problem) => return editor_page(&app, &staff, None, &fields, fail(problem), None).await,
    };
    if let Err(problem) = check_library_path(&app, &fields.hero_url).await {
        return editor_page(&app, &staff, None, &fields, fail(problem), None).await;
    }
    if let Some(problem) = unknown_authors(&app, &fields, &form).await? {
        let extras = EditorExtras { problem: Some(problem), confirm_authors: true, ..EditorExtras::default() };
        return editor_page(&app, &staff, None, &fields, extras, None).await;
    }
    if needs_check(action, None, &form) {
        return match article_from_fields(&app, None, &fields) {
            Ok(article) => {
                let check = Some(pre_publish_check(&app, &article, action).await?);
                editor_page(&app, &staff, None, &fields, EditorExtras { check, ..EditorExtras::default() }, None).await
            }
            Err(problem) => editor_page(&app, &staff, None, &fields, fail(problem), None).await,
        };
    }
    let input = match fields.draft(status, published_at).validate(app.language(), app.now()) {
        Ok(input) => input,
        Err(e) => return editor_page(&app, &staff, None, &fields, fail(invalid(&app, &e)), None).await,
    };
    match queries::create_by(&app.db, &input, app.now(), Some(staff.user_id)).await {
        Ok(article) => {
            queries::drop_autosave(&app.db, staff.user_id, 0).await?;
            tracing::info!(
                article = article.id,
                user = staff.user_id,
                status = article.status.as_str(),
                "article created"
            );
            Ok(Redirect::to(&format!("/admin/articles/{}?notice={}", article.id, action.notice())).into_response())
        }
        Err(SaveError::Invalid(e)) => editor_page(&app, &staff, None, &fields, fail(invalid(&app, &e)), None).await,
        Err(SaveError::Db(e)) => Err(e.into()),
    }
}

/// `POST /admin/articles/{id}`: saves, publishes, schedules or unpublishes; or previews.
#[instrument(skip_all)]
pub async fn save(
    State(app): State<Arc<App>>,
    staff: Result<Staff, NotSignedIn>,
    Path(id): Path<String>,
    FormWithFile { form, file }: FormWithFile,
) -> Result<Response, AppError> {
    let mut fields = Fields::from_form(&form);
    let staff = match signed_in(staff, &form) {
        Ok(staff) => staff,
        Err(()) => return session_ended(&app, &fields).await,
    };
    let current = article(&app, &id).await?;
    if let Err(problem) = take_upload(&app, &staff, &mut fields, file.as_ref()).await? {
        let extras = EditorExtras { problem: Some(problem), ..EditorExtras::default() };
        return editor_page(&app, &staff, Some(&current), &fields, extras, None).await;
    }
    fields.fill_from_library(&app.db).await?;
    let action = Action::parse(&form);
    let page = |extras: EditorExtras| editor_page(&app, &staff, Some(&current), &fields, extras, None);
    let fail = |problem: Problem| EditorExtras { problem: Some(problem), ..EditorExtras::default() };
    if action == Action::Preview {
        return preview(&app, Some(&current), &fields).await;
    }
    if action == Action::Unpublish && form.get("confirm_unpublish") != Some("yes") {
        let problem = problem(&app, StatusCode::BAD_REQUEST, "article-error-unpublish-confirm", &[]);
        return page(fail(problem)).await;
    }
    let (status, published_at) = match resolve(&app, action, Some(&current), &fields) {
        Ok(resolved) => resolved,
        Err(problem) => return page(fail(problem)).await,
    };
    if let Err(problem) = check_library_path(&app, &fields.hero_url).await {
        return page(fail(problem)).await;
    }
    if let Some(problem) = unknown_authors(&app, &fields, &form).await? {
        return page(EditorExtras { problem: Some(problem), confirm_authors: true, ..EditorExtras::default() }).await;
    }
    if needs_check(action, Some(&current), &form) {
        return match article_from_fields(&app, Some(&current), &fields) {
            Ok(article) => {
                let check = Some(pre_publish_check(&app, &article, action).await?);
                page(EditorExtras { check, ..EditorExtras::default() }).await
            }
            Err(problem) => page(fail(problem)).await,
        };
    }
    let mut draft = fields.draft(status, published_at);
    // An emptied slug field keeps the article's address.
    draft.slug.get_or_insert_with(|| current.slug.clone());
    let input = match draft.validate(app.language(), app.now()) {
        Ok(input) => input,
        Err(e) => return page(fail(invalid(&app, &e))).await,
    };
    if input == current.to_input() && fields.version == current.version {
        // Nothing changed: no new version.
        return Ok(Redirect::to(&format!("/admin/articles/{}?notice={}", current.id, action.notice())).into_response());
    }
    let new_slug = input.slug.as_ref().map(Slug::as_str).unwrap_or(&current.slug);
    if new_slug != current.slug && current.is_live(app.now()) && form.get("confirm_slug") != Some("yes") {
        let problem = problem(&app, StatusCode::BAD_REQUEST, "article-warning-slug", &[]);
        return page(EditorExtras { problem: Some(problem), confirm_slug: true, ..EditorExtras::default() }).await;
    }
    match queries::update_by(&app.db, &current, &input, fields.version, app.now(), Some(staff.user_id)).await {
        Ok(article) => {
            queries::drop_autosave(&app.db, staff.user_id, article.id).await?;
            tracing::info!(article = article.id, user = staff.user_id, version = article.version, "article saved");
            Ok(Redirect::to(&format!("/admin/articles/{}?notice={}", article.id, action.notice())).into_response())
        }
        Err(SaveError::Invalid(ArticleError::Conflict { expected, found })) => {
            tracing::info!(article = current.id, user = staff.user_id, expected, found, "edit conflict");
            // What the other save changed since this editor loaded the article.
            let loaded = queries::revision_list(&app.db, current.id, Some(expected)).await?.pop();
            let conflict = match loaded {
                Some(loaded) => field_diffs(&app, &loaded.input, &current.to_input()),
                None => Vec::new(),
            };
            // Saving again takes this editor's text over the other one, knowingly.
            let fields = Fields { version: current.version, ..fields.clone() };
            let extras = EditorExtras {
                problem: Some(invalid(&app, &ArticleError::Conflict { expected, found })),
                conflict,
                ..EditorExtras::default()
            };
            editor_page(&app, &staff, Some(&current), &fields, extras, None).await
        }
        Err(SaveError::Invalid(e)) => page(fail(invalid(&app, &e))).await,
        Err(SaveError::Db(e)) => Err(e.into()),
    }
}

/// `GET /admin/articles/{id}/revisions`.
#[instrument(skip_all)]
pub async fn revisions(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let article = article(&app, &id).await?;
    let revisions = queries::revision_list(&app.db, article.id, None).await?;
    let page = context! {
        article => Serde(&article),
        saved_by => queries::modified_by(&app.db, article.id).await?,
        revisions => Serde(revisions),
    };
    let body = app.render_admin("admin/articles/revisions.html", &staff, page).await?;
    Ok(crate::web::admin_html(body))
}

async fn revision(app: &App, article: &Article, version: &str) -> Result<queries::Revision, AppError> {
    let version: i64 = version.parse().map_err(|_| AppError::NotFound)?;
    queries::revision_list(&app.db, article.id, Some(version)).await?.pop().ok_or(AppError::NotFound)
}

/// `GET /admin/articles/{id}/revisions/{version}`: what changed from that version to now.
#[instrument(skip_all)]
pub async fn revision_page(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let article = article(&app, &id).await?;
    let revision = revision(&app, &article, &version).await?;
    let page = context! {
        article => Serde(&article),
        revision => Serde(&revision),
        changes => Serde(field_diffs(&app, &revision.input, &article.to_input())),
    };
    let body = app.render_admin("admin/articles/revision.html", &staff, page).await?;
    Ok(crate::web::admin_html(body))
}

/// `POST /admin/articles/{id}/revisions/{version}/restore`: the text of that version becomes
/// a new version; the address, status and publication time stay as they are now.
#[instrument(skip_all)]
pub async fn restore(
    State(app): State<Arc<App>>,
    staff: Staff,
    Path((id, version)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    staff.check_form(&form)?;
    let current = article(&app, &id).await?;
    let revision = revision(&app, &current, &version).await?;
    let expected: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut input = revision.input.clone();
    input.slug = Slug::parse(&current.slug).ok();
    input.status = current.status;
    input.published_at = current.published_at;
    match queries::update_by(&app.db, &current, &input, expected, app.now(), Some(staff.user_id)).await {
        Ok(article) => {
            tracing::info!(
                article = article.id,
                user = staff.user_id,
                restored = revision.version,
                "revision restored"
            );
            Ok(Redirect::to(&format!("/admin/articles/{}?notice=restored", article.id)).into_response())
        }
        Err(SaveError::Invalid(e)) => {
            let problem = invalid(&app, &e);
            let fields = Fields::from_input(&app, &input, current.version);
            let extras = EditorExtras { problem: Some(problem), ..EditorExtras::default() };
            editor_page(&app, &staff, Some(&current), &fields, extras, None).await
        }
        Err(SaveError::Db(e)) => Err(e.into()),
    }
}
