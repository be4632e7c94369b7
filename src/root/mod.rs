//! The composition root, the one part that knows every feature: the site's router and server
//! (`site`), every kind of background job with its handler, every consumer of the change events,
//! the supervised loops a node runs, and `/metrics`, which reads them all (`cli` puts it all
//! together). A new job kind or a new consumer of "something changed" (ActivityPub delivery,
//! webhooks, analytics) is a name in [`CONSUMERS`] and a line in `consume`, never an edit of the
//! write that causes it.

pub mod metrics;
pub mod site;

use std::sync::Arc;

use crate::activitypub::deliver as activitypub;
use crate::app::App;
use crate::changes::{Dispatch, Event};
use crate::discovery::pings;
use crate::email::alerts;
use crate::queue::Kind as _;
use crate::queue::Registry;
use crate::tasks::Tasks;
use crate::webhooks::deliver as webhooks;

pub use site::{route_table, router, serve, shutdown_signal};

/// The job handlers, given the application to work with.
pub type Jobs = Registry<Arc<App>>;

/// The job handlers of this process, built once.
pub fn registry() -> Arc<Jobs> {
    static JOBS: std::sync::LazyLock<Arc<Jobs>> = std::sync::LazyLock::new(|| Arc::new(jobs()));
    JOBS.clone()
}

/// Does every job that is due now, including those that due jobs add; returns how many ran.
/// Tests call it to make background work deterministic.
pub async fn run_pending(app: &Arc<App>) -> anyhow::Result<usize> {
    crate::queue::worker::run_pending(app, &registry()).await
}

/// Every job kind, registered once (tests add their own to a copy).
pub fn jobs() -> Jobs {
    let mut jobs = Jobs::default();
    jobs.register(|app: Arc<App>, job: Dispatch| async move { dispatch(&app, job.event).await })
        .register(|app: Arc<App>, job: Consume| async move { consume(&app, &job.consumer, &job.event).await })
        .register(|app: Arc<App>, ping: pings::WebSubPing| async move { pings::websub(&app.http, ping).await })
        .register(|app: Arc<App>, ping: pings::IndexNowPing| async move {
            pings::indexnow(&app.http, &app.config(), ping).await
        })
        .register(|app: Arc<App>, changed: pings::Changed| async move { pings::fan_out(&app.context(), changed).await })
        .register(|app: Arc<App>, job: webhooks::Deliver| async move {
            webhooks::deliver(&app.context(), &app.http, job).await
        })
        .register(|app: Arc<App>, job: activitypub::Deliver| async move {
            activitypub::deliver(&app.context(), &app.http, job).await
        })
        .register(|app: Arc<App>, round: alerts::Round| async move { alerts::run(&app, round).await })
        .register(|app: Arc<App>, job: crate::search::Reindex| async move {
            crate::search::reindex(&app.db, &app.search, app.now(), job).await
        })
        .register(|app: Arc<App>, job: crate::comments::learning::Retrain| async move {
            crate::comments::learning::run(&*app, job).await
        });
    jobs
}

/// Every consumer that acts on the change events once per site, by name. (Each node's page
/// cache and search index follow the change log themselves: `follower::sync`.)
const CONSUMERS: &[&str] = &["pings", "alerts", "webhooks", "activitypub"];

/// The job kinds that send to other servers, done many at a time beside the other jobs
/// (`queue::worker::deliveries`).
const DELIVERIES: &[&str] = &[activitypub::Deliver::NAME, webhooks::Deliver::NAME];

/// One consumer's turn with one event: its own job, so a consumer that fails is retried with
/// backoff on its own and holds up no other.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Consume {
    pub consumer: String,
    pub event: Event,
}

impl crate::queue::Kind for Consume {
    const NAME: &'static str = "events.consume";
}

/// Hands an event to every consumer, one job each, in one transaction.
async fn dispatch(app: &App, event: Event) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    for consumer in CONSUMERS {
        let job = Consume { consumer: consumer.to_string(), event: event.clone() };
        crate::queue::enqueue(&mut tx, &job, app.now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A consumer's part. Each must be idempotent: a retry after a failure does its part again.
async fn consume(app: &App, consumer: &str, event: &Event) -> anyhow::Result<()> {
    match consumer {
        "pings" => pings::on_event(&app.context(), event).await,
        "alerts" => alerts::on_event(app, event).await,
        "webhooks" => webhooks::on_event(&app.context(), event).await,
        "activitypub" => activitypub::on_event(&app.context(), event).await,
        other => anyhow::bail!("no consumer of events is called {other:?}"),
    }
}

/// The loops a node runs beside (or instead of) the web server, each supervised: the queue
/// worker, the delivery lane, the change follower and the mail sender.
pub fn background(app: &Arc<App>) -> Tasks {
    background_with(app, registry())
}

/// [`background`] with the given job handlers (tests add their own).
pub fn background_with(app: &Arc<App>, jobs: Arc<Jobs>) -> Tasks {
    let mut tasks = Tasks::new();
    let (worker, worker_jobs) = (app.clone(), jobs.clone());
    tasks.spawn("queue worker", move |stop| {
        crate::queue::worker::run(worker.clone(), worker_jobs.clone(), DELIVERIES, stop)
    });
    let deliverer = app.clone();
    tasks.spawn("delivery lane", move |stop| {
        crate::queue::worker::deliveries(deliverer.clone(), jobs.clone(), DELIVERIES, stop)
    });
    let follower = app.clone();
    tasks.spawn("change follower", move |stop| crate::follower::follow(follower.clone(), stop));
    let sender = app.clone();
    tasks.spawn("mail sender", move |stop| crate::email::sender::run(sender.clone(), stop));
    let counter = app.clone();
    tasks.spawn("analytics flush", move |stop| count_readers(counter.clone(), stop));
    tasks
}

/// Writes the node's page-view counts every `analytics.flush_secs`, and once more on the way
/// out; applies the retention once an hour. A flush that fails keeps its counts for the next.
async fn count_readers(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut purged_at = i64::MIN;
    let mut failing = false;
    loop {
        let pause = std::time::Duration::from_secs(app.config().analytics.flush_secs.max(1));
        let stopping = tokio::select! {
            _ = tokio::time::sleep(pause) => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        match flush_analytics(&app, &mut purged_at).await {
            Ok(()) if failing => {
                tracing::info!("page-view counts written again");
                failing = false;
            }
            Ok(()) => {}
            Err(e) if !failing => {
                tracing::error!(error = format!("{e:#}"), "cannot write page-view counts; kept for the next try");
                failing = true;
            }
            Err(_) => {}
        }
        if stopping {
            return;
        }
    }
}

/// One flush of the page-view counts, the sealing of days and months that are over, and the
/// retention when it is an hour since the last.
pub async fn flush_analytics(app: &App, purged_at: &mut i64) -> anyhow::Result<()> {
    let now = app.now();
    crate::analytics::queries::flush(&app.db, &app.analytics, now).await?;
    let sealed =
        crate::analytics::queries::seal(&app.db, &app.time_zone(), now, crate::analytics::queries::KEPT).await?;
    if sealed > 0 {
        tracing::debug!(sealed, "days or months of page-view counts sealed for the dashboard's lists");
    }
    if now.saturating_sub(*purged_at) >= 3600 {
        let config = app.config();
        let keep = &config.analytics;
        let deleted =
            crate::analytics::queries::purge(&app.db, now, keep.hourly_retention_days, keep.daily_retention_days)
                .await?;
        if deleted > 0 {
            tracing::info!(deleted, "old page-view counts deleted");
        }
        *purged_at = now;
    }
    Ok(())
}
