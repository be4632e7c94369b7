//! Telling the outside world about a change: WebSub hubs (for feed readers) and IndexNow (for
//! Bing and other search engines).
//!
//! A consumer of the change events ([`on_event`]): when a save changes what readers could see,
//! it queues a WebSub ping per affected feed and one IndexNow submission, each its own job, so
//! a failing hub is retried with backoff on its own and never blocks or breaks publishing.

use serde::{Deserialize, Serialize};

use super::{Site, affected_paths};
use crate::changes::Event;
use crate::config::Config;
use crate::context::Context;
use crate::outgoing::Outgoing;
use crate::queue::{self, Kind};

/// Tells a WebSub hub that a feed changed.
#[derive(Debug, Serialize, Deserialize)]
pub struct WebSubPing {
    hub: String,
    feed: String,
}

impl Kind for WebSubPing {
    const NAME: &'static str = "discovery.websub";
}

/// Submits changed URLs to IndexNow.
#[derive(Debug, Serialize, Deserialize)]
pub struct IndexNowPing {
    endpoint: String,
    urls: Vec<String>,
}

impl Kind for IndexNowPing {
    const NAME: &'static str = "discovery.indexnow";
}

/// A save's pings as queued before pings followed the change events: such jobs left in a
/// queue are still done.
#[derive(Debug, Serialize, Deserialize)]
pub struct Changed {
    article_id: i64,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    feeds: Vec<String>,
}

impl Kind for Changed {
    const NAME: &'static str = "discovery.content_changed";
}

/// The consumer of change events: a save that readers could see, before or after it, pings
/// the hubs of the feeds that list the article (as it was and as it is) and submits its pages.
pub async fn on_event(cx: &Context, event: &Event) -> anyhow::Result<()> {
    let Event::ArticleSaved { article_id, before, after, at } = event else { return Ok(()) };
    if !(before.as_ref().is_some_and(|b| b.is_live(*at)) || after.is_live(*at)) {
        return Ok(());
    }
    let (paths, feeds) = before.as_ref().map(affected_paths).unwrap_or_default();
    fan_out(cx, Changed { article_id: *article_id, paths, feeds }).await
}

/// Splits a change into one job per hub ping and one IndexNow submission, for what is
/// configured now.
pub async fn fan_out(cx: &Context, changed: Changed) -> anyhow::Result<()> {
    let discovery = &cx.config.discovery;
    if discovery.websub_hub.is_empty() && discovery.indexnow_key.is_empty() {
        return Ok(());
    }
    let mut paths = changed.paths;
    let mut feeds = changed.feeds;
    if let Some(article) = crate::articles::queries::find_by_id(&cx.db, changed.article_id).await? {
        let (now_paths, now_feeds) = affected_paths(&crate::changes::ArticleState::of(&article));
        paths.extend(now_paths);
        feeds.extend(now_feeds);
    }
    paths.sort();
    paths.dedup();
    feeds.sort();
    feeds.dedup();
    let site = Site::from_config(&cx.config);
    let now = cx.now;
    let mut tx = cx.db.begin().await?;
    if !discovery.websub_hub.is_empty() {
        for feed in &feeds {
            let ping = WebSubPing { hub: discovery.websub_hub.clone(), feed: site.absolute(feed) };
            queue::enqueue(&mut tx, &ping, now).await?;
        }
    }
    if !discovery.indexnow_key.is_empty() && !paths.is_empty() {
        let ping = IndexNowPing {
            endpoint: discovery.indexnow_endpoint.clone(),
            urls: paths.iter().map(|p| site.absolute(p)).collect(),
        };
        queue::enqueue(&mut tx, &ping, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Tells a WebSub hub that a feed changed (`hub.mode=publish`).
pub async fn websub(http: &Outgoing, ping: WebSubPing) -> anyhow::Result<()> {
    let response = http
        .request(reqwest::Method::POST, &ping.hub)
        .map_err(|e| anyhow::anyhow!("hub {}: {e}", ping.hub))?
        .form(&[("hub.mode", "publish"), ("hub.url", ping.feed.as_str())])
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("hub {} unreachable: {e}", ping.hub))?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "hub {} answered {status} for {}", ping.hub, ping.feed);
    tracing::info!(hub = ping.hub, feed = ping.feed, "WebSub hub notified");
    Ok(())
}

/// Submits changed URLs to IndexNow, with the key file's location as proof of ownership.
pub async fn indexnow(http: &Outgoing, config: &Config, ping: IndexNowPing) -> anyhow::Result<()> {
    let key = &config.discovery.indexnow_key;
    anyhow::ensure!(!key.is_empty(), "IndexNow is no longer configured");
    let site = Site::from_config(config);
    let body = serde_json::json!({
        "host": site.host,
        "key": key,
        "keyLocation": site.absolute(&format!("/{key}.txt")),
        "urlList": ping.urls,
    });
    let response = http
        .request(reqwest::Method::POST, &ping.endpoint)
        .map_err(|e| anyhow::anyhow!("IndexNow endpoint {}: {e}", ping.endpoint))?
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("IndexNow endpoint {} unreachable: {e}", ping.endpoint))?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "IndexNow endpoint {} answered {status}", ping.endpoint);
    tracing::info!(urls = ping.urls.len(), "IndexNow notified");
    Ok(())
}
