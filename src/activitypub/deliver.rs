//! Deliveries to the social web: an article's publication becomes one activity, queued once
//! per follower inbox ([`on_event`]); each delivery is a signed POST ([`deliver`]), a few at a
//! time per host, retried by the queue with backoff, and dropped for a host that has failed
//! for a day.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::objects::{self, Verb};
use super::{Local, MEDIA_TYPE};
use crate::changes::{Event as Change, Publication};
use crate::context::Context;
use crate::outgoing::Outgoing;

/// How long a remote inbox has to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read.
const MAX_ANSWER: u64 = 64 * 1024;
/// Deliveries to one host at the same time, per node: a big fan-out does not flood a server.
pub const PER_HOST: usize = 4;
/// A host that failed every delivery for this long is given up: its deliveries are dropped
/// until it sends us something again.
pub const GIVE_UP_AFTER_SECS: i64 = 86_400;

/// One activity for one inbox. The body is made once, when the article changes, so every
/// attempt sends the same bytes (signed anew each time).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    pub inbox: String,
    pub activity: String,
}

impl crate::queue::Kind for Deliver {
    const NAME: &'static str = "activitypub.deliver";
}

/// The activity verb of an article's publication event.
fn verb(publication: Publication) -> Verb {
    match publication {
        Publication::Published => Verb::Create,
        Publication::Updated => Verb::Update,
        Publication::Unpublished => Verb::Delete,
    }
}

/// A consumer of the change log: queues an article's activity to every follower inbox.
pub async fn on_event(cx: &Context, change: &Change) -> anyhow::Result<()> {
    if !cx.config.activitypub.enabled {
        return Ok(());
    }
    let Change::ArticleSaved { article_id, before, after, at } = change else { return Ok(()) };
    let Some(publication) = Publication::of(before.as_ref(), after) else { return Ok(()) };
    let inboxes = super::delivery_inboxes(&cx.db, cx.now - GIVE_UP_AFTER_SECS).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let local = Local::of(&cx.config);
    let object = match crate::articles::queries::find_by_id(&cx.db, *article_id).await? {
        Some(article) if publication != Publication::Unpublished => {
            objects::article(&local, &article, Some(super::reaction_counts(&cx.db, article.id).await?))
        }
        // Taken back (or gone since): followers hear its id, under the slug it had.
        _ => serde_json::json!({ "id": local.article(&after.slug) }),
    };
    let activity = objects::article_activity(&local, verb(publication), object, *at).to_string();
    queue(cx, &inboxes, &activity).await?;
    tracing::info!(article = article_id, inboxes = inboxes.len(), "article queued to the social web");
    Ok(())
}

/// Queues one activity to each inbox, in one transaction.
pub async fn queue(cx: &Context, inboxes: &[String], activity: &str) -> anyhow::Result<()> {
    let mut tx = cx.db.begin().await?;
    for inbox in inboxes {
        let job = Deliver { inbox: inbox.clone(), activity: activity.to_string() };
        crate::queue::enqueue(&mut tx, &job, cx.now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The semaphore of each host deliveries went to from this process.
static HOSTS: LazyLock<parking_lot::Mutex<HashMap<String, Arc<Semaphore>>>> = LazyLock::new(Default::default);

fn host_turns(host: &str) -> Arc<Semaphore> {
    HOSTS.lock().entry(host.to_string()).or_insert_with(|| Arc::new(Semaphore::new(PER_HOST))).clone()
}

/// One attempt: a signed POST of the activity. A host that failed for a day, or that was
/// blocked since, is not attempted; any answer but 2xx is an error the queue retries.
pub async fn deliver(cx: &Context, http: &Outgoing, job: Deliver) -> anyhow::Result<()> {
    let url = reqwest::Url::parse(&job.inbox)?;
    let Some(host) = super::host_of(&job.inbox) else { anyhow::bail!("the inbox {} has no host", job.inbox) };
    if super::is_blocked(&cx.db, None, &host).await? {
        return Ok(());
    }
    if let Some(since) = super::failing_since(&cx.db, &host).await?
        && cx.now - since >= GIVE_UP_AFTER_SECS
    {
        tracing::info!(host, "delivery dropped: the host has failed for a day");
        return Ok(());
    }
    let keys = super::key_pair(&cx.db, cx.now).await?;
    let local = Local::of(&cx.config);
    let turns = host_turns(&host);
    let _turn = turns.acquire().await?;
    let mut request = http
        .request(reqwest::Method::POST, &job.inbox)?
        .timeout(ANSWER_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, MEDIA_TYPE)
        .body(job.activity.clone());
    let signed =
        super::signatures::sign_request(&keys, &local.key_id(), "POST", &url, Some(job.activity.as_bytes()), cx.now);
    for (name, value) in signed {
        request = request.header(name, value);
    }
    match http.read(request, MAX_ANSWER).await {
        Ok(_) => {
            super::host_alive(&cx.db, &host, cx.now).await?;
            Ok(())
        }
        Err(e) => {
            super::host_failed(&cx.db, &host, cx.now).await?;
            anyhow::bail!("delivery to {} failed: {e}", job.inbox)
        }
    }
}

/// Queues the Accept of a Follow to the follower's inbox.
pub async fn accept(cx: &Context, inbox: &str, accept: &Value) -> anyhow::Result<()> {
    queue(cx, &[inbox.to_string()], &accept.to_string()).await
}
