//! The composition root's lists: every kind of background job with its handler, every consumer
//! of the change events, and the supervised loops a node runs. A new job kind or a new consumer
//! of "something changed" (ActivityPub delivery, webhooks, analytics) is a line here, never an
//! edit of the write that causes it.

use std::sync::Arc;

use crate::app::App;
use crate::changes::{Dispatch, Event};
use crate::discovery::pings;
use crate::email::alerts;
use crate::queue::Registry;
use crate::tasks::Tasks;

/// The job handlers, given the application to work with.
pub type Jobs = Registry<Arc<App>>;

/// Every job kind, registered once.
pub fn jobs() -> Jobs {
    let mut jobs = Jobs::default();
    jobs.register(|app: Arc<App>, job: Dispatch| async move { dispatch(&app, &job.event).await })
        .register(|app: Arc<App>, ping: pings::WebSubPing| async move { pings::websub(&app.http, ping).await })
        .register(|app: Arc<App>, ping: pings::IndexNowPing| async move {
            pings::indexnow(&app.http, &app.config(), ping).await
        })
        .register(|app: Arc<App>, changed: pings::Changed| async move { pings::fan_out(&app.context(), changed).await })
        .register(|app: Arc<App>, round: alerts::Round| async move { alerts::run(&app, round).await })
        .register(|app: Arc<App>, job: crate::search::Reindex| async move {
            crate::search::reindex(&app.db, &app.search, app.now(), job).await
        });
    jobs
}

/// Hands an event to every consumer that acts on it once per site. (Each node's page cache
/// and search index follow the change log themselves: `follower::sync`.) A consumer that fails
/// makes the whole dispatch run again after a backoff, so each must be idempotent: doing its
/// part twice is harmless.
async fn dispatch(app: &App, event: &Event) -> anyhow::Result<()> {
    pings::on_event(&app.context(), event).await?;
    alerts::on_event(app, event).await?;
    Ok(())
}

/// The loops a node runs beside (or instead of) the web server, each supervised: the queue
/// worker, the change follower and the mail sender.
pub fn background(app: &Arc<App>) -> Tasks {
    background_with(app, app.jobs.clone())
}

/// [`background`] with the given job handlers (tests add their own).
pub fn background_with(app: &Arc<App>, jobs: Arc<Jobs>) -> Tasks {
    let mut tasks = Tasks::new();
    let worker = app.clone();
    tasks.spawn("queue worker", move |stop| crate::queue::worker::run(worker.clone(), jobs.clone(), stop));
    let follower = app.clone();
    tasks.spawn("change follower", move |stop| crate::follower::follow(follower.clone(), stop));
    let sender = app.clone();
    tasks.spawn("mail sender", move |stop| crate::email::sender::run(sender.clone(), stop));
    tasks
}
