//! Telling the outside world about a change: WebSub hubs (for feed readers) and IndexNow (for
//! Bing and other search engines).
//!
//! Saving a live article (or taking one offline) queues one `content_changed` job in the same
//! transaction. The worker turns it into a WebSub ping per affected feed and one IndexNow
//! submission, each its own job, so a failing hub is retried with backoff on its own and never
//! blocks or breaks publishing.

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::{Site, affected_paths};
use crate::app::App;
use crate::articles::model::Article;
use crate::queue::{self, Job};

pub const CONTENT_CHANGED: &str = "discovery.content_changed";
pub const WEBSUB: &str = "discovery.websub";
pub const INDEXNOW: &str = "discovery.indexnow";

#[derive(Debug, Serialize, Deserialize)]
struct Changed {
    article_id: i64,
    /// Pages and feeds of the article's state before the save (an old slug, removed tags).
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    feeds: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WebSubPing {
    hub: String,
    feed: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct IndexNowPing {
    endpoint: String,
    urls: Vec<String>,
}

/// Queues the pings for a save of article `article_id`, inside the save's transaction.
pub async fn enqueue_changed(
    conn: &mut AnyConnection,
    article_id: i64,
    before: Option<&Article>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (paths, feeds) = before.map(affected_paths).unwrap_or_default();
    queue::enqueue(conn, CONTENT_CHANGED, &Changed { article_id, paths, feeds }, now).await?;
    Ok(())
}

fn parse<T: for<'de> Deserialize<'de>>(job: &Job) -> anyhow::Result<T> {
    serde_json::from_value(job.payload.clone()).map_err(|e| anyhow::anyhow!("bad payload of job {}: {e}", job.id))
}

/// Splits a change into one job per hub ping and one IndexNow submission, for what is
/// configured now.
pub async fn fan_out(app: &App, job: &Job) -> anyhow::Result<()> {
    let changed: Changed = parse(job)?;
    let discovery = &app.config().discovery;
    if discovery.websub_hub.is_empty() && discovery.indexnow_key.is_empty() {
        return Ok(());
    }
    let mut paths = changed.paths;
    let mut feeds = changed.feeds;
    if let Some(article) = crate::articles::queries::find_by_id(&app.db, changed.article_id).await? {
        let (now_paths, now_feeds) = affected_paths(&article);
        paths.extend(now_paths);
        feeds.extend(now_feeds);
    }
    paths.sort();
    paths.dedup();
    feeds.sort();
    feeds.dedup();
    let site = Site::from_config(&app.config());
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if !discovery.websub_hub.is_empty() {
        for feed in &feeds {
            let ping = WebSubPing { hub: discovery.websub_hub.clone(), feed: site.absolute(feed) };
            queue::enqueue(&mut tx, WEBSUB, &ping, now).await?;
        }
    }
    if !discovery.indexnow_key.is_empty() && !paths.is_empty() {
        let ping = IndexNowPing {
            endpoint: discovery.indexnow_endpoint.clone(),
            urls: paths.iter().map(|p| site.absolute(p)).collect(),
        };
        queue::enqueue(&mut tx, INDEXNOW, &ping, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Tells a WebSub hub that a feed changed (`hub.mode=publish`).
pub async fn websub(app: &App, job: &Job) -> anyhow::Result<()> {
    let ping: WebSubPing = parse(job)?;
    let response = app
        .http
        .post(&ping.hub)
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
pub async fn indexnow(app: &App, job: &Job) -> anyhow::Result<()> {
    let ping: IndexNowPing = parse(job)?;
    let key = &app.config().discovery.indexnow_key;
    anyhow::ensure!(!key.is_empty(), "IndexNow is no longer configured");
    let site = Site::from_config(&app.config());
    let body = serde_json::json!({
        "host": site.host,
        "key": key,
        "keyLocation": site.absolute(&format!("/{key}.txt")),
        "urlList": ping.urls,
    });
    let response = app
        .http
        .post(&ping.endpoint)
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
