//! The inbox: who sent a request ([`verify`]: its signature, its key's actor, blocks) and what
//! its activity does ([`act`]).

use axum::http::HeaderMap;
use serde_json::Value;

use super::signatures::{self, KeyPair, PublicKey, SignatureError, SignatureHeader};
use super::{Actor, Local, MAX_REMOTE_DOCUMENT, MEDIA_TYPE, Reaction, host_of};
use crate::context::Context;
use crate::outgoing::Outgoing;

/// An actor's stored key is fetched again when a signature does not match it and it is older
/// than this: the actor may have changed its key.
const KEY_REFRESH_SECS: i64 = 600;
/// The longest reply text taken, in characters; Mastodon's own limit is 500.
const MAX_REPLY_TEXT: usize = 5000;

/// Why an inbox request was refused.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// 401: unsigned, badly signed, stale, or signed by someone else than its actor.
    #[error("{0}")]
    Unauthorized(String),
    /// 400: not an activity we can read.
    #[error("{0}")]
    Malformed(String),
    /// 403: a blocked account or server.
    #[error("blocked")]
    Blocked,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<SignatureError> for InboxError {
    fn from(e: SignatureError) -> InboxError {
        InboxError::Unauthorized(e.to_string())
    }
}

impl From<sqlx::Error> for InboxError {
    fn from(e: sqlx::Error) -> InboxError {
        InboxError::Internal(e.into())
    }
}

/// An inbox POST as it came.
pub struct Incoming<'a> {
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What a verified request may do: its actor, and the activity.
#[derive(Debug)]
pub struct Verified {
    pub actor: Actor,
    pub activity: Value,
}

/// The id of a field that may hold an id or an object with one.
pub fn id_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        Value::Object(map) => map.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Checks who sent an inbox request: the signature covers the target, host, date and body
/// digest; the date is recent; the body is an activity; the key belongs to the activity's
/// actor; neither the actor nor its server is blocked. The key is fetched from the actor's
/// server when it is not known yet (a signed GET, through the outgoing client).
///
/// `Ok(None)`: a Delete of an actor we never knew, whose key is gone with it: nothing to do.
pub async fn verify(
    cx: &Context,
    http: &Outgoing,
    local: &Local,
    incoming: &Incoming<'_>,
) -> Result<Option<Verified>, InboxError> {
    let header = |name: &str| incoming.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let signature = SignatureHeader::parse(&header("signature").ok_or(SignatureError::Missing)?)?;
    signature.covers_post()?;
    signatures::check_date(header("date").as_deref(), cx.now)?;
    if !header("digest").is_some_and(|d| signatures::digest_matches(&d, incoming.body)) {
        return Err(SignatureError::BadDigest.into());
    }
    let activity: Value = serde_json::from_slice(incoming.body)
        .map_err(|e| InboxError::Malformed(format!("the body is not JSON: {e}")))?;
    let kind = activity.get("type").and_then(Value::as_str).unwrap_or_default();
    let actor_id = activity.get("actor").and_then(id_of).unwrap_or_default().to_string();
    if kind.is_empty() || actor_id.is_empty() || activity.get("object").is_none() {
        return Err(InboxError::Malformed("an activity needs a type, an actor and an object".into()));
    }
    let key_host = host_of(&signature.key_id).ok_or(SignatureError::Malformed("the keyId is not a URL"))?;
    if host_of(&actor_id).as_deref() != Some(key_host.as_str()) {
        return Err(InboxError::Unauthorized("the key is not on the actor's server".into()));
    }
    if super::is_blocked(&cx.db, None, &key_host).await? {
        return Err(InboxError::Blocked);
    }
    let signed = signatures::signing_string("post", incoming.path_and_query, &signature.headers, header)?;

    let known = super::actor_by_key(&cx.db, &signature.key_id).await?;
    let actor = match known {
        Some(actor) if check(&actor, &signed, &signature.signature).is_ok() => actor,
        Some(actor) if cx.now - actor.fetched_at < KEY_REFRESH_SECS => return Err(SignatureError::Mismatch.into()),
        stale => {
            let is_self_delete = kind == "Delete" && activity.get("object").and_then(id_of) == Some(actor_id.as_str());
            // Our key signs the fetch; it is read only now, not for every request.
            let keys = super::key_pair(&cx.db, cx.now).await?;
            let fetched = match fetch_actor(cx, http, &keys, local, &signature.key_id).await {
                Ok(actor) => actor,
                // An account that is gone cannot show its key; if we never knew it, there is
                // nothing of it to delete.
                Err(_) if is_self_delete && stale.is_none() => return Ok(None),
                Err(e) => return Err(InboxError::Unauthorized(format!("the key cannot be fetched: {e}"))),
            };
            check(&fetched, &signed, &signature.signature)?;
            super::save_actor(&cx.db, &fetched).await?
        }
    };
    if actor.uri != actor_id {
        return Err(InboxError::Unauthorized("the activity's actor did not sign it".into()));
    }
    if super::is_blocked(&cx.db, Some(&actor.handle), &actor.host).await? {
        return Err(InboxError::Blocked);
    }
    super::host_alive(&cx.db, &actor.host, cx.now).await?;
    Ok(Some(Verified { actor, activity }))
}

fn check(actor: &Actor, signed: &str, signature: &[u8]) -> Result<(), SignatureError> {
    PublicKey::from_pem(&actor.public_pem)?.verify(signed, signature)
}

/// Why a remote document could not be used.
type FetchFailure = String;

/// Reads a remote actor (through the URL of its key), with a signed GET: servers in "secure
/// mode" answer only those.
pub async fn fetch_actor(
    cx: &Context,
    http: &Outgoing,
    keys: &KeyPair,
    local: &Local,
    key_id: &str,
) -> Result<Actor, FetchFailure> {
    let url = key_id.split('#').next().unwrap_or(key_id);
    let mut document = fetch(cx, http, keys, local, url).await?;
    // The key may be a document of its own that names its owner.
    if document.get("publicKeyPem").is_some()
        && let Some(owner) = document.get("owner").and_then(Value::as_str)
    {
        if host_of(owner) != host_of(url) {
            return Err("the key's owner is on another server".into());
        }
        document = fetch(cx, http, keys, local, owner).await?;
    }
    parse_actor(&document, key_id, cx.now)
}

/// The actor a document describes, with the key `key_id` (or its only key).
pub fn parse_actor(document: &Value, key_id: &str, now: i64) -> Result<Actor, FetchFailure> {
    let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let uri = text(document, "id").ok_or("the actor has no id")?;
    let host = host_of(&uri).ok_or("the actor's id is not a URL")?;
    if host_of(key_id).as_deref() != Some(host.as_str()) {
        return Err("the actor is not on the key's server".into());
    }
    let inbox = text(document, "inbox").filter(|i| host_of(i).is_some()).ok_or("the actor has no inbox")?;
    let keys: Vec<&Value> = match document.get("publicKey") {
        Some(Value::Array(keys)) => keys.iter().collect(),
        Some(key @ Value::Object(_)) => vec![key],
        _ => Vec::new(),
    };
    let key = keys
        .iter()
        .find(|k| k.get("id").and_then(Value::as_str) == Some(key_id))
        .or_else(|| keys.first().filter(|_| keys.len() == 1))
        .ok_or("the actor does not show that key")?;
    if key.get("owner").and_then(Value::as_str).is_some_and(|owner| owner != uri) {
        return Err("the key belongs to another actor".into());
    }
    let public_pem = text(key, "publicKeyPem").ok_or("the key has no PEM")?;
    PublicKey::from_pem(&public_pem).map_err(|e| e.to_string())?;
    let username = text(document, "preferredUsername").unwrap_or_else(|| "unknown".into());
    let handle = format!("{}@{host}", username.to_lowercase());
    let name: String = text(document, "name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| username.clone())
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    let url = match document.get("url") {
        Some(Value::String(u)) => Some(u.clone()),
        Some(Value::Object(o)) => o.get("href").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
    .filter(|u| crate::text::is_web_link(u));
    let shared_inbox = document
        .get("endpoints")
        .and_then(|e| e.get("sharedInbox"))
        .and_then(Value::as_str)
        .filter(|i| host_of(i).is_some())
        .map(str::to_string);
    Ok(Actor {
        id: 0,
        uri,
        handle,
        name,
        url,
        inbox,
        shared_inbox,
        key_id: key.get("id").and_then(Value::as_str).unwrap_or(key_id).to_string(),
        public_pem,
        host,
        fetched_at: now,
    })
}

/// A signed GET of an ActivityPub document, at most [`MAX_REMOTE_DOCUMENT`] of it.
async fn fetch(cx: &Context, http: &Outgoing, keys: &KeyPair, local: &Local, url: &str) -> Result<Value, FetchFailure> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "not a URL".to_string())?;
    let mut request = http
        .request(reqwest::Method::GET, url)
        .map_err(|e| e.to_string())?
        .header(reqwest::header::ACCEPT, format!("{MEDIA_TYPE}, application/ld+json"));
    for (name, value) in signatures::sign_request(keys, &local.key_id(), "GET", &parsed, None, cx.now) {
        request = request.header(name, value);
    }
    let fetched = http.read(request, MAX_REMOTE_DOCUMENT).await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&fetched.bytes).map_err(|e| format!("not JSON: {e}"))
}

/// A reply from the social web, to be stored as a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub article_id: i64,
    /// The comment it answers, when it answers a reply of ours.
    pub parent_id: Option<i64>,
    /// The note's id.
    pub uri: String,
    pub text: String,
}

/// What an activity did, for the handler to finish.
#[derive(Debug)]
pub enum Done {
    /// A new follower: the Accept to send to its inbox.
    Followed { inbox: String, accept: Value },
    /// A reply to an article: the handler stores it through the comment moderation.
    Replied(Reply),
    /// The author (`user@host`) deleted a note: the comment it became goes, if there is one.
    NoteDeleted { uri: String, author: String },
    /// The author (`user@host`) edited a note: the comment it became, if there is one, takes
    /// the new text and is weighed and decided again.
    NoteEdited { uri: String, author: String, text: String },
    /// A remote account was deleted: its follow went; its comments go.
    AccountDeleted { handle: String },
    /// Something changed or was taken note of.
    Noted(&'static str),
    /// Nothing we act on (a post that answers none of our articles, an activity we do not
    /// take); accepted all the same, as servers do.
    Ignored(&'static str),
}

/// Does what a verified activity asks.
pub async fn act(cx: &Context, local: &Local, verified: Verified) -> Result<Done, InboxError> {
    let Verified { actor, activity } = verified;
    let kind = activity["type"].as_str().unwrap_or_default();
    let activity_id = activity.get("id").and_then(Value::as_str).unwrap_or_default();
    let object = &activity["object"];
    match kind {
        "Follow" => {
            if id_of(object) != Some(local.actor().as_str()) {
                return Err(InboxError::Malformed("only the publication can be followed here".into()));
            }
            if activity_id.is_empty() {
                return Err(InboxError::Malformed("a Follow needs an id".into()));
            }
            super::add_follower(&cx.db, actor.id, activity_id, cx.now).await?;
            tracing::info!(follower = actor.handle, "new follower on the social web");
            let accept = super::objects::accept(local, &activity, cx.now);
            Ok(Done::Followed { inbox: actor.inbox.clone(), accept })
        }
        "Undo" => {
            let inner_kind = object.get("type").and_then(Value::as_str).unwrap_or_default();
            let inner_id = id_of(object).unwrap_or_default();
            if let Some(actor_of_inner) = object.get("actor").and_then(id_of)
                && actor_of_inner != actor.uri
            {
                return Err(InboxError::Unauthorized("an Undo of another actor's activity".into()));
            }
            match inner_kind {
                "Follow" => {
                    super::remove_follower(&cx.db, actor.id).await?;
                    tracing::info!(follower = actor.handle, "follower left");
                    Ok(Done::Noted("unfollowed"))
                }
                "Like" | "Announce" => {
                    let reaction = if inner_kind == "Like" { Reaction::Like } else { Reaction::Boost };
                    let of = match object.get("object").and_then(id_of).and_then(|o| local.article_slug(o)) {
                        Some(slug) => {
                            crate::articles::queries::find_by_slug(&cx.db, slug).await?.map(|a| (a.id, reaction))
                        }
                        None => None,
                    };
                    super::remove_reaction(&cx.db, actor.id, inner_id, of).await?;
                    Ok(Done::Noted("reaction taken back"))
                }
                _ => {
                    // Only the id: whatever of this actor's it named.
                    if super::remove_reaction(&cx.db, actor.id, inner_id, None).await? {
                        return Ok(Done::Noted("reaction taken back"));
                    }
                    if super::follow_uri(&cx.db, actor.id).await?.as_deref() == Some(inner_id) {
                        super::remove_follower(&cx.db, actor.id).await?;
                        return Ok(Done::Noted("unfollowed"));
                    }
                    Ok(Done::Ignored("an Undo of nothing we hold"))
                }
            }
        }
        "Create" => reply(cx, local, &actor, object).await,
        "Update" => {
            // An account's new profile, signed with its key: its name, inbox and key as they
            // are now.
            if id_of(object) == Some(actor.uri.as_str()) {
                let Ok(updated) = parse_actor(object, &actor.key_id, cx.now) else {
                    return Err(InboxError::Malformed("a profile that cannot be read".into()));
                };
                if updated.uri != actor.uri {
                    return Err(InboxError::Unauthorized("a profile of another actor".into()));
                }
                // Comments name the account by the handle they were stored with.
                super::save_actor(&cx.db, &Actor { handle: actor.handle.clone(), ..updated }).await?;
                return Ok(Done::Noted("profile updated"));
            }
            let Some(uri) = note_of(&actor, object)? else {
                return Ok(Done::Ignored("an Update of something not a note"));
            };
            let html = object.get("content").and_then(Value::as_str).unwrap_or_default();
            let text: String = reply_text(html, &local.username).chars().take(MAX_REPLY_TEXT).collect();
            if text.is_empty() {
                return Err(InboxError::Malformed("the note has no text".into()));
            }
            Ok(Done::NoteEdited { uri: uri.to_string(), author: actor.handle, text })
        }
        "Delete" => {
            let target = id_of(object).unwrap_or_default();
            if target == actor.uri {
                super::remove_follower(&cx.db, actor.id).await?;
                return Ok(Done::AccountDeleted { handle: actor.handle });
            }
            if target.is_empty() {
                return Ok(Done::Ignored("a Delete of nothing we hold"));
            }
            Ok(Done::NoteDeleted { uri: target.to_string(), author: actor.handle })
        }
        "Like" | "Announce" => {
            let reaction = if kind == "Like" { Reaction::Like } else { Reaction::Boost };
            let Some(slug) = id_of(object).and_then(|o| local.article_slug(o)) else {
                return Ok(Done::Ignored("a reaction to something not ours"));
            };
            let Some(article) = crate::articles::queries::find_live(&cx.db, slug, cx.now).await? else {
                return Ok(Done::Ignored("a reaction to an article not found"));
            };
            super::add_reaction(&cx.db, (article.id, &article.slug), actor.id, reaction, activity_id, cx.now).await?;
            Ok(Done::Noted("reaction counted"))
        }
        _ => Ok(Done::Ignored("an activity not acted on")),
    }
}

/// A `Create` of a note: a reply when it answers one of our articles, or a reply stored here.
async fn reply(cx: &Context, local: &Local, actor: &Actor, object: &Value) -> Result<Done, InboxError> {
    let Some(uri) = note_of(actor, object)? else {
        return Ok(Done::Ignored("a Create of something not a note"));
    };
    let Some(in_reply_to) = object.get("inReplyTo").and_then(id_of) else {
        return Ok(Done::Ignored("a note that answers nothing"));
    };
    let (article_id, parent_id) = match local.article_slug(in_reply_to) {
        Some(slug) => match crate::articles::queries::find_live(&cx.db, slug, cx.now).await? {
            Some(article) => (article.id, None),
            None => return Ok(Done::Ignored("a reply to an article not found")),
        },
        None => match crate::comments::queries::find_remote(&cx.db, in_reply_to).await? {
            Some((comment_id, article_id)) => (article_id, Some(comment_id)),
            None => return Ok(Done::Ignored("a note that answers none of our articles")),
        },
    };
    let html = object.get("content").and_then(Value::as_str).unwrap_or_default();
    let text = reply_text(html, &local.username);
    if text.is_empty() {
        return Err(InboxError::Malformed("the reply has no text".into()));
    }
    let text: String = text.chars().take(MAX_REPLY_TEXT).collect();
    Ok(Done::Replied(Reply { article_id, parent_id, uri: uri.to_string(), text }))
}

/// The id of the note (or article) an activity carries, checked to be the actor's own: on its
/// server and attributed to no one else. `None`: the object is not a note.
fn note_of<'a>(actor: &Actor, object: &'a Value) -> Result<Option<&'a str>, InboxError> {
    if !matches!(object.get("type").and_then(Value::as_str), Some("Note" | "Article")) {
        return Ok(None);
    }
    let uri = object.get("id").and_then(Value::as_str).unwrap_or_default();
    if host_of(uri).as_deref() != Some(actor.host.as_str()) {
        return Err(InboxError::Malformed("a note's id must be on its author's server".into()));
    }
    if object.get("attributedTo").and_then(id_of).is_some_and(|a| a != actor.uri) {
        return Err(InboxError::Unauthorized("a note attributed to someone else".into()));
    }
    Ok(Some(uri))
}

/// The text of a reply's HTML, without the mention of the publication it starts with.
pub fn reply_text(html: &str, username: &str) -> String {
    let text = crate::text::html_text(html);
    let mut rest = text.trim_start();
    while let Some(word) = rest.split_whitespace().next() {
        let mentioned = word.strip_prefix('@').map(|m| m.split('@').next().unwrap_or(m));
        if !mentioned.is_some_and(|m| m.eq_ignore_ascii_case(username)) {
            break;
        }
        rest = rest[word.len()..].trim_start();
    }
    rest.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replies_lose_the_leading_mention() {
        let html = r#"<p><span class="h-card"><a href="https://n.example/@news" class="u-url mention">@<span>news</span></a></span> Stimmt nicht ganz.</p><p>Zweitens.</p>"#;
        assert_eq!(reply_text(html, "news"), "Stimmt nicht ganz.\n\nZweitens.");
        assert_eq!(reply_text("<p>@news@n.example @News hallo @news</p>", "news"), "hallo @news");
        assert_eq!(reply_text("<p>@other hallo</p>", "news"), "@other hallo");
    }

    #[test]
    fn actors_are_read_with_their_key() {
        let (_, pem) = KeyPair::generate().unwrap();
        let document = json!({
            "id": "https://remote.example/users/alice",
            "type": "Person",
            "preferredUsername": "Alice",
            "name": "Alice A.",
            "inbox": "https://remote.example/users/alice/inbox",
            "endpoints": { "sharedInbox": "https://remote.example/inbox" },
            "url": "https://remote.example/@alice",
            "publicKey": { "id": "https://remote.example/users/alice#main-key", "owner": "https://remote.example/users/alice", "publicKeyPem": pem },
        });
        let actor = parse_actor(&document, "https://remote.example/users/alice#main-key", 5).unwrap();
        assert_eq!(actor.handle, "alice@remote.example");
        assert_eq!(actor.delivery_inbox(), "https://remote.example/inbox");
        assert_eq!(actor.name, "Alice A.");
        // A key on another server, or owned by another actor, is not taken.
        assert!(parse_actor(&document, "https://evil.example/users/alice#main-key", 5).is_err());
        let mut stolen = document.clone();
        stolen["publicKey"]["owner"] = json!("https://remote.example/users/bob");
        assert!(parse_actor(&stolen, "https://remote.example/users/alice#main-key", 5).is_err());
    }
}
