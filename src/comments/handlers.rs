//! Readers' side of comments: submitting, reporting, the article page's comment section, and
//! the comment feeds.
//!
//! Article pages will be cached for anonymous readers, so the form carries no per-reader
//! secret. Bots are kept out by the Origin check, a honeypot field, a signed render time (the
//! time trap, valid for hours), a flood guard per IP hash, and size limits.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;
use tracing::instrument;

use super::model::{CommentError, NewComment, PublicComment, ReportReason, Status};
use super::moderation::{ArticleContext, Signals, terms_to_weigh};
use super::queries::{self, Action};
use crate::app::App;
use crate::articles::model::Article;
use crate::articles::queries as articles;
use crate::auth::keys::hash;
use crate::clock::http_date;
use crate::discovery::{Site, xml_escape as x};
use crate::search::similarity::article_text;
use crate::web::client::{ClientIp, FormData, same_origin};
use crate::web::error::AppError;
use crate::web::params::parse_slug;

/// A time-trap token older than this is refused: the reader reloads the page.
pub const TOKEN_VALID_SECS: i64 = 12 * 3600;
/// The render time in the token is rounded down to this, so an article page stays byte-for-byte
/// the same for a while: its ETag holds (304s) and a page cache can keep it. The price is that
/// "sent too fast after rendering" can no longer be told within these minutes; the honeypot, the
/// Origin check and the flood guard carry that load.
pub const TOKEN_GRANULARITY_SECS: i64 = 300;
/// At most one comment per IP this often...
pub const FLOOD_SECS: i64 = 15;
/// ...and at most this many in ten minutes.
pub const FLOOD_BURST: i64 = 5;
const FLOOD_WINDOW_SECS: i64 = 600;
/// The same text again within this window counts as a repeat.
const REPEAT_WINDOW_SECS: i64 = 30 * 86_400;

fn token_purpose(article_id: i64) -> String {
    format!("comment:{article_id}")
}

/// What the article page shows of comments.
#[derive(Debug, Serialize)]
pub struct CommentSection {
    pub comments: Vec<PublicComment>,
    pub count: usize,
    pub closed: bool,
    /// The signed render time for the form's time trap.
    pub token: String,
    pub max_length: usize,
    /// The sentence saying when comments are checked, as the settings have it (a message key).
    pub policy: &'static str,
    /// The reasons the report form offers.
    pub report_reasons: [ReportReason; 5],
}

pub async fn section(app: &App, article: &Article) -> Result<CommentSection, AppError> {
    let (comments, count) = queries::approved_for_article(&app.db, article.id).await?;
    let now = app.now();
    Ok(CommentSection {
        comments,
        count,
        closed: queries::is_closed(article.published_at, app.config().comments.close_after_days, now),
        token: app.keys.timed_token(&token_purpose(article.id), now - now.rem_euclid(TOKEN_GRANULARITY_SECS)),
        max_length: app.config().comments.max_length,
        policy: policy(&app.config().comments),
        report_reasons: ReportReason::ALL,
    })
}

/// What a reader typed, given back when a comment is refused for a reason they can fix, so
/// nothing they wrote is lost.
#[derive(Debug, Default, Serialize)]
struct Typed {
    name: String,
    email: String,
    text: String,
    parent: String,
    /// A fresh time-trap token: sending again must not fail for an old one.
    token: String,
    max_length: usize,
    /// Whether the form can be sent again (not when comments have closed meanwhile).
    open: bool,
}

impl Typed {
    fn from_form(app: &App, article: &Article, form: &FormData, open: bool) -> Typed {
        let field = |name: &str, max: usize| form.get(name).unwrap_or_default().chars().take(max).collect::<String>();
        let max_length = app.config().comments.max_length;
        let now = app.now();
        Typed {
            name: field("name", 200),
            email: field("email", 300),
            // Kept whole up to the form's limit: the reader shortens it themselves.
            text: field("text", max_length * 2),
            parent: field("parent", 20),
            token: app.keys.timed_token(&token_purpose(article.id), now - now.rem_euclid(TOKEN_GRANULARITY_SECS)),
            max_length,
            open,
        }
    }
}

/// When comments are checked, as the settings have it: the sentence's message key.
fn policy(rules: &crate::config::CommentsConfig) -> &'static str {
    if !rules.hold_all {
        "comments-policy-held-some"
    } else if rules.trust_approved_commenters {
        "comments-policy-held-new"
    } else {
        "comments-policy-held-all"
    }
}

/// The page a reader sees after posting: thanks, or what was wrong, with a way back.
async fn outcome(app: &App, article: &Article, status: StatusCode, title_key: &str, text_key: &str) -> Response {
    answer(app, article, status, title_key, app.text(text_key), None, None).await
}

/// The answer page: its text, the reader's own words to send again (`typed`) or to see while
/// they wait for moderation (`pending`, rendered). Shown to the sender alone: never cached.
async fn answer(
    app: &App,
    article: &Article,
    status: StatusCode,
    title_key: &str,
    text: String,
    typed: Option<Typed>,
    pending: Option<String>,
) -> Response {
    let page = context! {
        title => app.text(title_key),
        text => text,
        article_title => article.title.clone(),
        article_slug => article.slug.clone(),
        typed => typed.map(minijinja::value::Serde),
        pending => pending,
    };
    match app.render("comments/outcome.html", page).await {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn canonical_body(body: &str) -> String {
    body.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The status a new comment gets from the operator's rules.
fn decide(app: &App, body: &str, flags: &[&str], trusted: bool) -> (Status, Option<String>) {
    let rules = &app.config().comments;
    let lower = body.to_lowercase();
    if let Some(word) = rules.reject_words.iter().find(|w| !w.is_empty() && lower.contains(&w.to_lowercase())) {
        return (Status::Rejected, Some(format!("reject word: {word}")));
    }
    let held_word = rules.hold_words.iter().any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()));
    let too_many_links = super::moderation::count_links(body) > rules.max_links as usize;
    let hold = held_word
        || too_many_links
        || !flags.is_empty()
        || (rules.hold_all && !(trusted && rules.trust_approved_commenters));
    if hold { (Status::Pending, None) } else { (Status::Approved, None) }
}

#[instrument(skip_all)]
pub async fn submit(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<FormData, AppError>,
) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let now = app.now();
    let article = articles::find_live(&app.db, slug.as_str(), now).await?.ok_or(AppError::NotFound)?;
    let form = match form {
        Ok(form) => form,
        Err(AppError::PayloadTooLarge) => {
            return Ok(outcome(
                &app,
                &article,
                StatusCode::PAYLOAD_TOO_LARGE,
                "comment-refused-title",
                "comment-error-text-too-long",
            )
            .await);
        }
        Err(_) => {
            tracing::info!(article = article.slug, "comment refused: not UTF-8");
            return Ok(outcome(
                &app,
                &article,
                StatusCode::BAD_REQUEST,
                "comment-refused-title",
                "comment-error-encoding",
            )
            .await);
        }
    };
    let refuse = |status, key: &'static str| {
        tracing::info!(article = article.slug, reason = key, "comment refused");
        (status, key)
    };
    let check = async {
        if !same_origin(&headers, &app.config().site.base_url) {
            return Err(refuse(StatusCode::FORBIDDEN, "comment-error-origin"));
        }
        if !form.get("website").unwrap_or_default().is_empty() {
            return Err(refuse(StatusCode::BAD_REQUEST, "comment-error-bot"));
        }
        let issued = app
            .keys
            .check_timed_token(&token_purpose(article.id), form.get("token").unwrap_or_default())
            .filter(|t| *t <= now && now - t <= TOKEN_VALID_SECS)
            .ok_or_else(|| refuse(StatusCode::FORBIDDEN, "comment-error-token"))?;
        if queries::is_closed(article.published_at, app.config().comments.close_after_days, now) {
            return Err(refuse(StatusCode::FORBIDDEN, "comment-error-closed"));
        }
        let comment = NewComment::parse(
            form.get("name").unwrap_or_default(),
            form.get("email").unwrap_or_default(),
            form.get("text").unwrap_or_default(),
            form.get("parent").unwrap_or_default(),
            app.config().comments.max_length,
        )
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, e.message_key()))?;
        Ok((issued, comment))
    };
    let (issued, mut comment) = match check.await {
        Ok(ok) => ok,
        // A bot's or another site's post gets nothing back.
        Err((status, key @ ("comment-error-origin" | "comment-error-bot"))) => {
            return Ok(outcome(&app, &article, status, "comment-refused-title", key).await);
        }
        Err((status, key)) => {
            let typed = Typed::from_form(&app, &article, &form, key != "comment-error-closed");
            let text = app.text(key);
            return Ok(answer(&app, &article, status, "comment-refused-title", text, Some(typed), None).await);
        }
    };

    let ip_hash = app.keys.ip_hash(&app.db, ip, now).await?;
    if let Some(parent) = comment.parent_id {
        match queries::reply_target(&app.db, parent, article.id).await? {
            Some(target) => comment.parent_id = Some(target),
            None => {
                // The comment answered is gone: the text can still go out as a comment of its own.
                let mut typed = Typed::from_form(&app, &article, &form, true);
                typed.parent.clear();
                let text = app.text(CommentError::BadParent.message_key());
                let status = StatusCode::BAD_REQUEST;
                return Ok(answer(&app, &article, status, "comment-refused-title", text, Some(typed), None).await);
            }
        }
    }

    let Assessed { body_hash, assessment, status, reason } =
        assess(&app, &article, &comment, Some(now - issued)).await?;
    // Yesterday's hash too, so that midnight does not wipe the guard's memory.
    let sender = queries::SenderHashes {
        today: ip_hash.clone(),
        yesterday: app.keys.yesterdays_ip_hash(&app.db, ip, now).await?,
    };
    // The flood guard counts and the comment is stored under one lock per sender, so parallel
    // posts cannot slip past it.
    let mut tx = app.db.begin().await?;
    queries::lock_sender(&mut tx, app.db.backend, &ip_hash).await?;
    let recent = queries::recent_times(&mut tx, &sender, now - FLOOD_WINDOW_SECS, FLOOD_BURST).await?;
    if let Some(wait) = flood_wait(&recent, now) {
        drop(tx);
        tracing::info!(article = article.slug, wait, "comment refused: flood guard");
        let text = app.i18n.text(app.language(), "comment-error-flood", &[("seconds", wait.into())]);
        let typed = Typed::from_form(&app, &article, &form, true);
        let mut response =
            answer(&app, &article, StatusCode::TOO_MANY_REQUESTS, "comment-refused-title", text, Some(typed), None)
                .await;
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
        return Ok(response);
    }
    let id = queries::insert(&mut tx, article.id, &comment, status, &ip_hash, &body_hash, &assessment, now).await?;
    if status == Status::Rejected {
        // The system's decision goes into the log like a moderator's.
        let detail = reason.clone().unwrap_or_default();
        queries::log_action(&mut tx, id, None, Action::Reject, &detail, now).await?;
        tracing::info!(comment = id, reason, "comment rejected by a reject word");
    }
    tx.commit().await?;
    tracing::info!(
        comment = id,
        article = article.slug,
        status = status.as_str(),
        risk = assessment.risk,
        "comment received"
    );
    let (title, text) = if status == Status::Approved {
        ("comment-published-title", "comment-published-text")
    } else {
        ("comment-received-title", "comment-received-text")
    };
    // The sender sees their waiting comment here, and only here: the article page is the same
    // for every reader (and cached), so it cannot show it to them alone.
    let pending = (status == Status::Pending).then(|| super::text::render(&comment.body));
    Ok(answer(&app, &article, StatusCode::OK, title, app.text(text), None, pending).await)
}

/// A new comment's assessment and the status the operator's rules give it.
struct Assessed {
    body_hash: String,
    assessment: super::moderation::Assessment,
    status: Status,
    /// Why it was rejected, when a reject word did.
    reason: Option<String>,
}

/// Weighs a new comment against its article, as every comment is, whichever way it came.
async fn assess(
    app: &App,
    article: &Article,
    comment: &NewComment,
    seconds_to_write: Option<i64>,
) -> Result<Assessed, AppError> {
    let body_hash = hash(canonical_body(&comment.body).as_bytes());
    let signals = Signals {
        repeat: queries::is_repeat(&app.db, &body_hash, app.now() - REPEAT_WINDOW_SECS).await?,
        seconds_to_write,
        honeypot: false,
    };
    let text = article_text(article);
    let corpus = app.search.corpus_for(&terms_to_weigh(&text, &comment.body, article.language));
    let context = ArticleContext::new(&text, article.language, &corpus);
    let assessment = app.live().assessor.assess(&comment.body, &context, &signals);
    let trusted = match &comment.email {
        Some(email) if app.config().comments.trust_approved_commenters => {
            queries::is_trusted(&app.db, email.as_str()).await?
        }
        _ => false,
    };
    let (status, reason) = decide(app, &comment.body, &assessment.flags, trusted);
    Ok(Assessed { body_hash, assessment, status, reason })
}

/// A reply from the social web, checked by the inbox: which article (and comment) it answers,
/// the note's id, its author and its text.
#[derive(Debug, Clone)]
pub struct RemoteReply {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub uri: String,
    pub author_name: String,
    /// `user@host`.
    pub author_handle: String,
    pub text: String,
}

/// Stores a reply from the social web as a comment: weighed and decided like a reader's
/// comment (held for moderation by the same rules), shown with its author's handle once
/// approved. A note stored already, or for an article closed to comments, is not stored;
/// returns the new comment's id and status.
pub async fn receive_remote(app: &App, reply: RemoteReply) -> Result<Option<(i64, Status)>, AppError> {
    let now = app.now();
    if queries::has_remote(&app.db, &reply.uri).await? {
        return Ok(None);
    }
    let Some(article) = articles::find_by_id(&app.db, reply.article_id).await?.filter(|a| a.is_live(now)) else {
        return Ok(None);
    };
    if queries::is_closed(article.published_at, app.config().comments.close_after_days, now) {
        tracing::info!(article = article.slug, note = reply.uri, "reply from the social web refused: comments closed");
        return Ok(None);
    }
    let name: String = reply.author_name.chars().take(super::model::MAX_NAME).collect();
    let comment = NewComment { name, email: None, body: reply.text, parent_id: reply.parent_id };
    let Assessed { body_hash, assessment, status, reason } = assess(app, &article, &comment, None).await?;
    // No reader's address is known: the flood guard and the IP hash do not apply; the server's
    // name stands in the hash's place, so its comments can be told apart.
    let sender = format!("activitypub:{}", reply.author_handle.rsplit('@').next().unwrap_or_default());
    let mut tx = app.db.begin().await?;
    let id = queries::insert(&mut tx, article.id, &comment, status, &sender, &body_hash, &assessment, now).await?;
    queries::set_remote(&mut tx, id, &reply.uri, &reply.author_handle).await?;
    if status == Status::Rejected {
        queries::log_action(&mut tx, id, None, Action::Reject, &reason.clone().unwrap_or_default(), now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        comment = id,
        article = article.slug,
        author = reply.author_handle,
        status = status.as_str(),
        risk = assessment.risk,
        "reply from the social web received"
    );
    Ok(Some((id, status)))
}

/// Gives the comment a note became its author's edited text, weighed and decided again as a
/// new reply would be: held for moderation again by the same rules, so an approved reply is
/// hidden until approved again when the operator holds every comment. A comment a moderator
/// rejected or marked as spam keeps that status. Returns its status, or `None` when no
/// comment came of the note or the text did not change.
pub async fn edit_remote(app: &App, uri: &str, author: &str, text: &str) -> Result<Option<Status>, AppError> {
    let Some(comment) = queries::find_remote_of(&app.db, uri, author).await? else {
        return Ok(None);
    };
    let (id, article_id, was) = (comment.id, comment.article_id, comment.status);
    if comment.body == text {
        return Ok(None);
    }
    let Some(article) = articles::find_by_id(&app.db, article_id).await? else { return Ok(None) };
    let edited =
        NewComment { name: comment.author_name, email: None, body: text.to_string(), parent_id: comment.parent_id };
    let Assessed { body_hash, assessment, status, reason } = assess(app, &article, &edited, None).await?;
    let status = match was {
        Status::Rejected | Status::Spam => was,
        _ => status,
    };
    let mut tx = app.db.begin().await?;
    queries::replace_text(&mut tx, (id, article_id), (text, &body_hash), was, status, &assessment, app.now()).await?;
    if status == Status::Rejected && was != Status::Rejected {
        queries::log_action(&mut tx, id, None, Action::Reject, &reason.unwrap_or_default(), app.now()).await?;
    }
    tx.commit().await?;
    tracing::info!(
        comment = id,
        article = article.slug,
        author,
        was = was.as_str(),
        status = status.as_str(),
        risk = assessment.risk,
        "reply from the social web edited by its author"
    );
    Ok(Some(status))
}

/// How many seconds a sender must wait before the flood guard takes their next comment, from
/// the times of their latest comments (newest first, within the burst window); `None`: now.
fn flood_wait(recent: &[i64], now: i64) -> Option<i64> {
    let after_last = recent.first().map_or(0, |last| last + FLOOD_SECS - now);
    let after_burst = match recent.get(FLOOD_BURST as usize - 1) {
        Some(oldest) => oldest + FLOOD_WINDOW_SECS - now,
        None => 0,
    };
    let wait = after_last.max(after_burst);
    (wait > 0).then_some(wait)
}

#[instrument(skip_all)]
pub async fn report(
    State(app): State<Arc<App>>,
    Path((slug, id)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let now = app.now();
    let article = articles::find_live(&app.db, slug.as_str(), now).await?.ok_or(AppError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !same_origin(&headers, &app.config().site.base_url) {
        return Ok(
            outcome(&app, &article, StatusCode::FORBIDDEN, "comment-refused-title", "comment-error-origin").await
        );
    }
    // A page cached before reports had reasons sends none: that report counts as "other".
    let reason = match form.get("reason") {
        None => ReportReason::Other,
        Some(given) => match ReportReason::parse(given) {
            Some(reason) => reason,
            None => {
                tracing::info!(reason = given, "report refused: unknown reason");
                let status = StatusCode::BAD_REQUEST;
                return Ok(
                    outcome(&app, &article, status, "comment-refused-title", "comment-error-report-reason").await
                );
            }
        },
    };
    let ip_hash = app.keys.ip_hash(&app.db, ip, now).await?;
    match queries::report(&app.db, id, article.id, reason, &ip_hash, now).await? {
        None => Err(AppError::NotFound),
        Some(_) => Ok(outcome(&app, &article, StatusCode::OK, "comment-reported-title", "comment-reported-text").await),
    }
}

const FEED_SIZE: i64 = 50;

fn comments_rss(
    app: &App,
    title: &str,
    self_path: &str,
    page_path: &str,
    comments: &[queries::FeedComment],
) -> Response {
    use std::fmt::Write as _;
    let site = Site::from_config(&app.config());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
    );
    let _ = writeln!(out, "<title>{}</title>", x(title));
    let _ = writeln!(out, "<link>{}</link>", x(&site.absolute(page_path)));
    let _ = writeln!(out, "<description>{}</description>", x(title));
    let _ = writeln!(out, "<language>{}</language>", app.language().code());
    let _ = writeln!(
        out,
        "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>",
        x(&site.absolute(self_path))
    );
    for c in comments {
        let link = site.absolute(&format!("/news/{}#comment-{}", c.article_slug, c.id));
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", x(&format!("{} – {}", c.author_name, c.article_title)));
        let _ = writeln!(out, "<link>{}</link>", x(&link));
        let _ = writeln!(
            out,
            "<guid isPermaLink=\"false\">{}</guid>",
            x(&format!("tag:{},2026:comment:{}", site.host, c.id))
        );
        let _ = writeln!(out, "<pubDate>{}</pubDate>", http_date(c.created_at));
        let _ = writeln!(out, "<dc:creator>{}</dc:creator>", x(&c.author_name));
        let _ = writeln!(out, "<description>{}</description>", x(&super::text::render(&c.body)));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    let mut response = (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        out,
    )
        .into_response();
    if let Some(newest) = comments.iter().map(|c| c.created_at).max()
        && let Ok(value) = http_date(newest).parse()
    {
        response.headers_mut().insert(header::LAST_MODIFIED, value);
    }
    response
}

/// `/news/{slug}/feed`: the article's approved comments.
pub async fn article_feed(State(app): State<Arc<App>>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let slug = parse_slug(&slug)?;
    let now = app.now();
    let article = articles::find_live(&app.db, slug.as_str(), now).await?.ok_or(AppError::NotFound)?;
    let comments = queries::feed(&app.db, Some(article.id), FEED_SIZE, now).await?;
    let title = app.i18n.text(app.language(), "comments-feed-article", &[("title", article.title.clone().into())]);
    Ok(comments_rss(
        &app,
        &title,
        &format!("/news/{}/feed", article.slug),
        &format!("/news/{}", article.slug),
        &comments,
    ))
}

/// `/comments/feed`: all approved comments.
pub async fn all_feed(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let comments = queries::feed(&app.db, None, FEED_SIZE, app.now()).await?;
    let title = app.i18n.text(app.language(), "comments-feed-all", &[("site", app.config().site.name.clone().into())]);
    Ok(comments_rss(&app, &title, "/comments/feed", "/", &comments))
}
