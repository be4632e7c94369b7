//! The social web's requests: WebFinger, NodeInfo, the actor and its collections, an article as
//! an object, and the inbox.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::instrument;

use super::inbox::{Done, InboxError, Incoming};
use super::objects::{self, Profile};
use super::{Local, MAX_INBOX_BODY, MEDIA_TYPE};
use crate::app::App;
use crate::articles::queries::{self as articles, Listing};
use crate::comments::handlers::{RemoteReply, edit_remote, receive_remote};
use crate::web::error::AppError;
use crate::web::params::parse_slug;

/// Articles the outbox lists.
const OUTBOX_SIZE: u32 = 20;

/// Whether a request's `Accept` asks for an ActivityPub document rather than the page.
pub fn wants_activity(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| {
        accept.contains(MEDIA_TYPE)
            || (accept.contains("application/ld+json") && accept.contains("https://www.w3.org/ns/activitystreams"))
    })
}

fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

fn activity(body: &Value) -> Response {
    json_response(StatusCode::OK, "application/activity+json; charset=utf-8", body)
}

fn enabled(app: &App) -> Result<Local, AppError> {
    let config = app.config();
    if !config.activitypub.enabled {
        return Err(AppError::NotFound);
    }
    Ok(Local::of(&config))
}

#[derive(Debug, Deserialize)]
pub struct Resource {
    resource: Option<String>,
}

/// `GET /.well-known/webfinger?resource=acct:news@host`: where the actor is.
#[instrument(skip_all)]
pub async fn webfinger(State(app): State<Arc<App>>, Query(query): Query<Resource>) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    let resource = query.resource.ok_or(AppError::BadRequest("resource missing"))?;
    let resource = resource.trim();
    let ours = match resource.strip_prefix("acct:") {
        Some(account) => account.trim_start_matches('@').eq_ignore_ascii_case(&local.handle()),
        None => resource == local.actor() || resource == local.base,
    };
    if !ours {
        return Err(AppError::NotFound);
    }
    Ok(json_response(StatusCode::OK, "application/jrd+json; charset=utf-8", &objects::webfinger(&local)))
}

/// `GET /.well-known/nodeinfo`.
pub async fn nodeinfo_links(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    Ok(json_response(StatusCode::OK, "application/json", &objects::nodeinfo_links(&local)))
}

/// `GET /nodeinfo/2.1`.
pub async fn nodeinfo(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    enabled(&app)?;
    let (_, live) = articles::list_live(&app.db, Listing::All, 1, 1, app.now()).await?;
    let body = objects::nodeinfo(&app.config().site.name, live, 0);
    Ok(json_response(
        StatusCode::OK,
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
        &body,
    ))
}

/// `GET /ap/actor`: the publication, with its public key.
#[instrument(skip_all)]
pub async fn actor(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    let keys = super::key_pair(&app.db, app.now()).await?;
    let config = app.config();
    let logo = &config.site.logo_url;
    let profile = Profile {
        name: &config.site.name,
        description: &config.site.description,
        icon: (!logo.is_empty())
            .then(|| if logo.starts_with('/') { format!("{}{logo}", local.base) } else { logo.clone() }),
        published: None,
    };
    Ok(activity(&objects::actor(&local, &profile, &keys.public_pem)))
}

/// `GET /ap/outbox`: the latest articles, as their Create activities.
pub async fn outbox(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    let (latest, total) = articles::list_live(&app.db, Listing::All, 1, OUTBOX_SIZE, app.now()).await?;
    let items = latest
        .iter()
        .map(|a| {
            let object = objects::article(&local, a, None);
            let mut create =
                objects::article_activity(&local, objects::Verb::Create, object, a.published_at.unwrap_or(0));
            create.as_object_mut().map(|o| o.remove("@context"));
            create
        })
        .collect();
    Ok(activity(&objects::outbox(&local, total, items)))
}

/// `GET /ap/followers`: how many follow.
pub async fn followers(State(app): State<Arc<App>>) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    Ok(activity(&objects::followers(&local, super::follower_count(&app.db).await?)))
}

/// `GET /news/{slug}` asked for as `application/activity+json`: the article as an object.
pub async fn article(app: &App, slug: &str) -> Result<Response, AppError> {
    let local = enabled(app)?;
    let slug = parse_slug(slug)?;
    let article = articles::find_live(&app.db, slug.as_str(), app.now()).await?.ok_or(AppError::NotFound)?;
    let reactions = super::reaction_counts(&app.db, article.id).await?;
    let mut response = activity(&objects::with_context(objects::article(&local, &article, Some(reactions))));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

fn refused(status: StatusCode, message: &str) -> Response {
    json_response(status, "application/json", &json!({ "error": message }))
}

/// `POST /ap/inbox`: the actor's inbox and the shared inbox. Answers 202 to what it took, 401
/// to a request not signed by its actor, 400 to what it cannot read, 403 to a blocked sender,
/// 413 to a body over [`MAX_INBOX_BODY`].
#[instrument(skip_all)]
pub async fn inbox(
    State(app): State<Arc<App>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let local = enabled(&app)?;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let body = match declared {
        Some(n) if n > MAX_INBOX_BODY => None,
        _ => axum::body::to_bytes(body, MAX_INBOX_BODY).await.ok(),
    };
    let Some(body) = body else {
        tracing::info!("inbox request refused: the body is too large");
        return Ok(refused(StatusCode::PAYLOAD_TOO_LARGE, "the body is larger than 256 KiB"));
    };
    let cx = app.context();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let incoming = Incoming { path_and_query: path, headers: &headers, body: &body };
    let outcome = async {
        let Some(verified) = super::inbox::verify(&cx, &app.http, &local, &incoming).await? else {
            return Ok(Done::Ignored("a Delete of an account never seen"));
        };
        let actor = verified.actor.clone();
        let done = super::inbox::act(&cx, &local, verified).await?;
        match &done {
            Done::Followed { inbox, accept } => super::deliver::accept(&cx, inbox, accept).await?,
            Done::Replied(reply) => {
                let reply = RemoteReply {
                    article_id: reply.article_id,
                    parent_id: reply.parent_id,
                    uri: reply.uri.clone(),
                    author_name: actor.name.clone(),
                    author_handle: actor.handle.clone(),
                    text: reply.text.clone(),
                };
                receive_remote(&app, reply).await.map_err(|e| InboxError::Internal(anyhow::anyhow!("{e}")))?;
            }
            Done::NoteEdited { uri, author, text } => {
                edit_remote(&app, uri, author, text).await.map_err(|e| InboxError::Internal(anyhow::anyhow!("{e}")))?;
            }
            Done::NoteDeleted { uri, author } => {
                if crate::comments::queries::delete_remote(&app.db, uri, author).await? {
                    tracing::info!(note = uri, actor = author, "a reply was deleted by its author");
                }
            }
            Done::AccountDeleted { handle } => {
                let removed = crate::comments::queries::delete_remote_by_author(&app.db, handle).await?;
                tracing::info!(actor = handle, removed, "a remote account was deleted");
            }
            Done::Noted(_) | Done::Ignored(_) => {}
        }
        Ok::<Done, InboxError>(done)
    };
    match outcome.await {
        Ok(done) => {
            if let Done::Ignored(why) = done {
                tracing::debug!(why, "inbox activity not acted on");
            }
            Ok(StatusCode::ACCEPTED.into_response())
        }
        Err(InboxError::Unauthorized(why)) => {
            tracing::info!(why, "inbox request refused: not signed by its actor");
            Ok(refused(StatusCode::UNAUTHORIZED, &why))
        }
        Err(InboxError::Malformed(why)) => {
            tracing::info!(why, "inbox request refused: malformed");
            Ok(refused(StatusCode::BAD_REQUEST, &why))
        }
        Err(InboxError::Blocked) => {
            tracing::info!("inbox request refused: blocked");
            Ok(refused(StatusCode::FORBIDDEN, "blocked"))
        }
        Err(InboxError::Internal(e)) => Err(AppError::from(e)),
    }
}

/// `GET /news/{slug}`: the page, or the article as an ActivityPub object when that is asked for
/// (the page cache keeps the two apart).
pub async fn news(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if wants_activity(&headers) {
        return article(&app, &slug).await;
    }
    let mut response = crate::articles::handlers::show(State(app), Path(slug)).await?;
    response.headers_mut().append(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}
