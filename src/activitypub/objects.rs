//! The documents the social web reads of us: the actor, WebFinger's and NodeInfo's answers,
//! each article as an `Article` object, and the activities that carry it to followers.

use serde_json::{Value, json};

use super::{Local, PUBLIC};
use crate::articles::model::Article;
use crate::discovery::rfc3339;

/// The JSON-LD context of our objects: ActivityStreams, the key vocabulary, and the terms
/// Mastodon reads beyond it.
fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        { "Hashtag": "as:Hashtag", "sensitive": "as:sensitive" }
    ])
}

/// What the actor shows of the publication beyond its keys.
pub struct Profile<'a> {
    pub name: &'a str,
    pub description: &'a str,
    /// Absolute URL of the logo, if any.
    pub icon: Option<String>,
    pub published: Option<i64>,
}

/// The publication's actor: an `Organization` with its inbox, outbox, followers and key.
pub fn actor(local: &Local, profile: &Profile<'_>, public_pem: &str) -> Value {
    let mut actor = json!({
        "@context": context(),
        "id": local.actor(),
        "type": "Organization",
        "preferredUsername": local.username,
        "name": profile.name,
        "summary": crate::text::escape_html(profile.description),
        "url": local.base,
        "inbox": local.inbox(),
        "outbox": local.outbox(),
        "followers": local.followers(),
        "endpoints": { "sharedInbox": local.inbox() },
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": { "id": local.key_id(), "owner": local.actor(), "publicKeyPem": public_pem },
    });
    if let Some(icon) = &profile.icon {
        actor["icon"] = json!({ "type": "Image", "url": icon });
    }
    if let Some(at) = profile.published {
        actor["published"] = json!(rfc3339(at));
    }
    actor
}

/// An absolute URL for a path of ours or a URL.
pub fn absolute(base: &str, url: &str) -> String {
    if url.starts_with('/') { format!("{base}{url}") } else { url.to_string() }
}

/// An article as an ActivityPub `Article`: its title, lead as summary, body, picture, tags as
/// hashtags, link, and its likes and boosts counted (when given).
pub fn article(local: &Local, article: &Article, reactions: Option<(i64, i64)>) -> Value {
    let url = local.article(&article.slug);
    let tags: Vec<Value> = article
        .tags
        .iter()
        .map(|t| {
            let name: String = t.name.split_whitespace().collect();
            json!({ "type": "Hashtag", "href": format!("{}/tag/{}", local.base, t.slug), "name": format!("#{name}") })
        })
        .collect();
    let mut object = json!({
        "id": url,
        "type": "Article",
        "attributedTo": local.actor(),
        "name": article.title,
        "summary": crate::text::escape_html(&article.lead),
        "content": article.body_html,
        "mediaType": "text/html",
        "url": url,
        "to": [PUBLIC],
        "cc": [local.followers()],
        "tag": tags,
        "sensitive": false,
    });
    if let Some((likes, boosts)) = reactions {
        object["likes"] = json!({ "type": "Collection", "totalItems": likes });
        object["shares"] = json!({ "type": "Collection", "totalItems": boosts });
    }
    if let Some(published) = article.published_at {
        object["published"] = json!(rfc3339(published));
    }
    if let Some(updated) = article.updated_at {
        object["updated"] = json!(rfc3339(updated));
    }
    if let Some(hero) = &article.hero {
        let image = json!({ "type": "Image", "url": absolute(&local.base, &hero.url), "name": hero.alt });
        object["image"] = image.clone();
        object["attachment"] = json!([image]);
    }
    object
}

/// An object with the context, for a document served on its own.
pub fn with_context(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        let mut ordered = serde_json::Map::with_capacity(map.len() + 1);
        ordered.insert("@context".into(), context());
        ordered.extend(std::mem::take(map));
        *map = ordered;
    }
    object
}

/// What an activity does to an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    Update,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Create => "Create",
            Verb::Update => "Update",
            Verb::Delete => "Delete",
        }
    }
}

/// The activity that tells followers of an article: Create or Update carry the object, Delete
/// a tombstone of its id. `at` makes the activity's id unique.
pub fn article_activity(local: &Local, verb: Verb, object: Value, at: i64) -> Value {
    let object_id = object["id"].as_str().unwrap_or_default().to_string();
    let object = match verb {
        Verb::Delete => json!({ "id": object_id, "type": "Tombstone", "formerType": "Article" }),
        _ => object,
    };
    json!({
        "@context": context(),
        "id": format!("{object_id}#{}-{at}", verb.as_str().to_lowercase()),
        "type": verb.as_str(),
        "actor": local.actor(),
        "published": rfc3339(at),
        "to": [PUBLIC],
        "cc": [local.followers()],
        "object": object,
    })
}

/// The answer to a Follow.
pub fn accept(local: &Local, follow: &Value, at: i64) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#accepts/{at}-{}", local.actor(), crate::auth::keys::random_hex(6)),
        "type": "Accept",
        "actor": local.actor(),
        "object": follow,
    })
}

/// WebFinger's answer for the actor.
pub fn webfinger(local: &Local) -> Value {
    json!({
        "subject": format!("acct:{}", local.handle()),
        "aliases": [local.actor(), local.base],
        "links": [
            { "rel": "self", "type": super::MEDIA_TYPE, "href": local.actor() },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": local.base },
        ],
    })
}

/// `/.well-known/nodeinfo`: where the NodeInfo document is.
pub fn nodeinfo_links(local: &Local) -> Value {
    json!({ "links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": format!("{}/nodeinfo/2.1", local.base),
    }]})
}

/// NodeInfo 2.1: what software this is, that it speaks ActivityPub, and how much it holds.
pub fn nodeinfo(name: &str, articles: i64, comments: i64) -> Value {
    json!({
        "version": "2.1",
        "software": {
            "name": "newsdesk",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": ["rss2.0", "atom1.0"] },
        "openRegistrations": false,
        "usage": { "users": { "total": 1, "activeMonth": 1, "activeHalfyear": 1 }, "localPosts": articles, "localComments": comments },
        "metadata": { "nodeName": name },
    })
}

/// The outbox: the latest articles as their Create activities, newest first.
pub fn outbox(local: &Local, total: i64, items: Vec<Value>) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": local.outbox(),
        "type": "OrderedCollection",
        "totalItems": total,
        "orderedItems": items,
    })
}

/// The followers collection: how many, not who (as Mastodon offers to hide the list).
pub fn followers(local: &Local, total: i64) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": local.followers(),
        "type": "OrderedCollection",
        "totalItems": total,
    })
}
