//! From a change event to signed POSTs: which hook event a change is ([`on_event`]), one queue
//! job per hook that wants it ([`Deliver`]), and the attempt itself ([`deliver`]).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Attempt, Event, Hook};
use crate::api::json::{article_json, comment_json};
use crate::auth::keys::random_hex;
use crate::changes::{Event as Change, Publication};
use crate::context::Context;
use crate::discovery::rfc3339;
use crate::outgoing::Outgoing;

/// How long a receiver has to answer; it should queue its work and answer at once.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read before the connection is dropped; its body is not kept.
const MAX_ANSWER: usize = 64 * 1024;

/// One event for one hook: the body is made once, when the event happens, so every attempt
/// sends the same bytes (with a fresh signature time).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    pub webhook_id: i64,
    /// Stays the same on every attempt (`Newsdesk-Delivery`), for receivers to drop repeats.
    pub delivery: String,
    pub event: String,
    pub body: String,
}

impl crate::queue::Kind for Deliver {
    const NAME: &'static str = "webhooks.deliver";
}

/// The hook event of an article's publication event.
fn article_event(publication: Publication) -> Event {
    match publication {
        Publication::Published => Event::ArticlePublished,
        Publication::Updated => Event::ArticleUpdated,
        Publication::Unpublished => Event::ArticleUnpublished,
    }
}

/// A consumer of the change log: queues the deliveries an event causes.
pub async fn on_event(cx: &Context, change: &Change) -> anyhow::Result<()> {
    let hooks = super::listening(&cx.db).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    match change {
        Change::ArticleSaved { article_id, before, after, .. } => match Publication::of(before.as_ref(), after) {
            Some(publication) => announce_article(cx, &hooks, article_event(publication), *article_id).await,
            None => Ok(()),
        },
        Change::CommentsChanged { approved, .. } => {
            let base = &cx.config.site.base_url;
            let mut bodies = Vec::new();
            for &id in approved {
                let Some((article_id, parent_id, comment)) =
                    crate::comments::queries::find_approved(&cx.db, id).await?
                else {
                    continue;
                };
                let Some(article) = crate::articles::queries::find_by_id(&cx.db, article_id).await? else { continue };
                let mut comment = comment_json(&comment);
                comment["parent_id"] = json!(parent_id);
                comment["url"] = json!(format!("{base}/news/{}#comment-{id}", article.slug));
                let article = json!({
                    "id": article.id, "slug": article.slug, "title": article.title,
                    "url": format!("{base}/news/{}", article.slug),
                });
                bodies.push(json!({ "comment": comment, "article": article }));
            }
            fan_out(cx, &hooks, Event::CommentApproved, bodies).await
        }
        Change::SubscriberConfirmed { subscription_id } => {
            let Some(confirmed) = crate::email::subscribers::confirmed(&cx.db, *subscription_id).await? else {
                return Ok(());
            };
            let data = json!({
                "subscription": {
                    "email": confirmed.email,
                    "kind": confirmed.kind,
                    "confirmed_at": confirmed.confirmed_at.map(rfc3339),
                    "article": confirmed.article.map(|(slug, title)| json!({
                        "slug": slug,
                        "title": title,
                        "url": format!("{}/news/{slug}", cx.config.site.base_url),
                    })),
                }
            });
            fan_out(cx, &hooks, Event::SubscriberConfirmed, vec![data]).await
        }
        Change::ArticleTouched { .. } | Change::PagesChanged { .. } | Change::SettingsChanged => Ok(()),
    }
}

/// Tells the hooks of an article's event, with the article as it is now.
async fn announce_article(cx: &Context, hooks: &[Hook], event: Event, article_id: i64) -> anyhow::Result<()> {
    let Some(article) = crate::articles::queries::find_by_id(&cx.db, article_id).await? else { return Ok(()) };
    let data = json!({ "article": article_json(&cx.config.site.base_url, &article) });
    fan_out(cx, hooks, event, vec![data]).await
}

/// The body of one delivery.
fn body(cx: &Context, delivery: &str, event: Event, data: Value) -> String {
    json!({
        "id": delivery,
        "event": event.name(),
        "created_at": rfc3339(cx.now),
        "site": cx.config.site.base_url,
        "data": data,
    })
    .to_string()
}

/// Queues one delivery per hook that wants `event` and per item of `data`, in one transaction.
async fn fan_out(cx: &Context, hooks: &[Hook], event: Event, data: Vec<Value>) -> anyhow::Result<()> {
    let wanting: Vec<&Hook> = hooks.iter().filter(|h| h.wants(event)).collect();
    if wanting.is_empty() || data.is_empty() {
        return Ok(());
    }
    let mut tx = cx.db.begin().await?;
    for item in data {
        for hook in &wanting {
            let delivery = random_hex(16);
            let body = body(cx, &delivery, event, item.clone());
            let job = Deliver { webhook_id: hook.id, delivery, event: event.name().to_string(), body };
            crate::queue::enqueue(&mut tx, &job, cx.now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Queues a `ping` to one hook, for an admin checking that the receiver works.
pub async fn ping(cx: &Context, hook: &Hook) -> anyhow::Result<()> {
    let data = json!({ "webhook": { "id": hook.id, "url": hook.url, "events": hook.events } });
    fan_out(cx, std::slice::from_ref(hook), Event::Ping, vec![data]).await
}

/// Queues delivery `delivery` of the hook again, as it was sent (the same `Newsdesk-Delivery`,
/// so a receiver that had it can tell), signed afresh. False when no attempt of it is kept.
pub async fn resend(cx: &Context, hook: &Hook, delivery: &str) -> anyhow::Result<bool> {
    let Some((event, body)) = super::sent(&cx.db, hook.id, delivery).await? else { return Ok(false) };
    let job = Deliver { webhook_id: hook.id, delivery: delivery.to_string(), event, body };
    let mut tx = cx.db.begin().await?;
    crate::queue::enqueue(&mut tx, &job, cx.now).await?;
    tx.commit().await?;
    Ok(true)
}

/// `Newsdesk-Signature`'s value for `body` sent at `time`: `t={time}`, then `,v1={hex of
/// HMAC-SHA256(secret, "{time}.{body}")}` for each secret (the hook's, and after a roll the
/// one it replaced, for a day).
pub fn signature<'s>(secrets: impl IntoIterator<Item = &'s str>, time: i64, body: &str) -> String {
    let mut out = format!("t={time}");
    for secret in secrets {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        let mut context = ring::hmac::Context::with_key(&key);
        context.update(time.to_string().as_bytes());
        context.update(b".");
        context.update(body.as_bytes());
        out.push_str(",v1=");
        out.push_str(&crate::auth::keys::hex(context.sign().as_ref()));
    }
    out
}

/// One attempt: the POST, and its record on the hook's page. Anything but a 2xx answer is an
/// error, which the queue retries with backoff; a hook removed since is not attempted.
pub async fn deliver(cx: &Context, http: &Outgoing, job: Deliver) -> anyhow::Result<()> {
    let Some(hook) = super::find(&cx.db, job.webhook_id).await? else { return Ok(()) };
    let started = Instant::now();
    let result = post(http, &hook, &job, cx.now).await;
    let (status_code, error) = match &result {
        Ok(status) => (Some(i64::from(*status)), None),
        Err(e) => (None, Some(e.chars().take(300).collect::<String>())),
    };
    let attempt = Attempt {
        delivery: job.delivery.clone(),
        event: job.event.clone(),
        ok: status_code.is_some_and(|s| (200..300).contains(&s)),
        status_code,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        created_at: cx.now,
        resendable: true,
    };
    super::record_attempt(&cx.db, hook.id, &attempt, Some(&job.body)).await?;
    match result {
        Ok(status) if (200..300).contains(&status) => Ok(()),
        Ok(status) => anyhow::bail!("webhook {} answered {status}", hook.id),
        Err(e) => anyhow::bail!("webhook {}: {e}", hook.id),
    }
}

/// Sends the delivery; returns the answer's status. At most [`MAX_ANSWER`] of the answer is
/// read, so a receiver that streams without end holds the worker no longer than the timeout.
async fn post(http: &Outgoing, hook: &Hook, job: &Deliver, now: i64) -> Result<u16, String> {
    let request = http.request(reqwest::Method::POST, &hook.url).map_err(|e| e.to_string())?;
    let mut response = request
        .timeout(ANSWER_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("newsdesk-event", &job.event)
        .header("newsdesk-delivery", &job.delivery)
        .header("newsdesk-signature", signature(hook.signing_secrets(now), now, &job.body))
        .body(job.body.clone())
        .send()
        .await
        .map_err(|e| crate::outgoing::describe(&e))?;
    let mut read = 0;
    while read < MAX_ANSWER {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) | Err(_) => break,
        }
    }
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac ndwh_test
        assert_eq!(
            signature(["ndwh_test"], 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=bc03af4129f7e7878cb86278bce85350a2163aa8cd4463df31fb61c2c39c16bc"
        );
        // After a roll, one for each secret, the new first (the old one: `-hmac ndwh_old`).
        assert_eq!(
            signature(["ndwh_test", "ndwh_old"], 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=bc03af4129f7e7878cb86278bce85350a2163aa8cd4463df31fb61c2c39c16bc,\
             v1=01986be20cce7f7699dd80710915d9fc13e0807ce72a4b13cc290b06b2344bb2"
        );
    }
}
