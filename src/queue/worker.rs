//! The background worker: publishes scheduled articles, reads the partner job feed when due,
//! starts the newsletter digest and the alert summaries when due, and does queued jobs, until
//! stopped. (Mail itself leaves through `email::sender`, which runs beside it.)
//! `newsdesk serve` runs it beside the web server.

use std::sync::Arc;
use std::time::Duration;

use super::{Lane, claim, complete, fail};
use crate::app::App;
use crate::queue::Registry;

/// The handler of every job kind, given the application to work with (`root::jobs`).
type Jobs = Registry<Arc<App>>;

const IDLE: Duration = Duration::from_secs(2);
const BATCH: i64 = 20;
/// Deliveries under way at once in the delivery lane, per node.
const DELIVERIES_IN_FLIGHT: usize = 64;
/// How often the delivery lane looks for new jobs while some are under way.
const DELIVERY_POLL: Duration = Duration::from_millis(250);
/// How often done jobs are cleared out.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Publishes the scheduled articles whose time has come and returns their slugs. Readers see a
/// due article anyway (the listings treat a due scheduled article as live); this turns its
/// status into `published`, keeping a revision, so the admin area and the article's event
/// follow without a restart.
pub async fn publish_scheduled(app: &App) -> anyhow::Result<Vec<String>> {
    let published = crate::articles::queries::publish_due(&app.db, app.now()).await?;
    if !published.is_empty() {
        crate::follower::content_changed(app).await;
        for slug in &published {
            tracing::info!(slug, "scheduled article published");
        }
    }
    Ok(published)
}

/// Does every job that is due now with the given handlers, including those that due jobs add;
/// returns how many ran.
pub async fn run_pending(app: &Arc<App>, registry: &Arc<Jobs>) -> anyhow::Result<usize> {
    run_lane(app, registry, Lane::All).await
}

/// [`run_pending`] for the jobs of one lane.
async fn run_lane(app: &Arc<App>, registry: &Arc<Jobs>, lane: Lane<'_>) -> anyhow::Result<usize> {
    if let Err(e) = crate::follower::sync(app).await {
        tracing::warn!(error = format!("{e:#}"), "cannot apply the change log; the queue goes on");
    }
    let mut ran = 0;
    loop {
        let jobs = claim(&app.db, app.now(), BATCH, lane).await?;
        if jobs.is_empty() {
            return Ok(ran);
        }
        for job in jobs {
            ran += 1;
            match run_one(app, registry, &job).await {
                Ok(()) => complete(&app.db, job.id, app.now()).await?,
                Err(e) => {
                    let error = format!("{e:#}");
                    tracing::warn!(job = job.id, kind = job.kind, attempt = job.attempts, error, "job failed");
                    fail(&app.db, &job, &error, app.now()).await?;
                }
            }
        }
    }
}

/// Does one job in a task of its own, so that a handler that panics fails its job (which is
/// tried again after a backoff, and given up after `MAX_ATTEMPTS`) instead of taking the worker
/// and the rest of its batch down with it.
async fn run_one(app: &Arc<App>, registry: &Arc<Jobs>, job: &super::Job) -> anyhow::Result<()> {
    let (app, registry, owned) = (app.clone(), registry.clone(), job.clone());
    match tokio::spawn(async move { registry.run(app, &owned).await }).await {
        Ok(outcome) => outcome,
        Err(e) if e.is_panic() => {
            let panic = e.into_panic();
            anyhow::bail!("the job's handler panicked: {}", crate::tasks::panic_message(panic.as_ref()))
        }
        Err(e) => anyhow::bail!("the job's task ended: {e}"),
    }
}

/// Does the jobs of the delivery lane (`deliveries`: their kinds), many at a time, until
/// `stop` turns true: each is its own task, completed or failed on its own, so a remote
/// server that is slow holds up only its own deliveries. (How many go to one host at once is
/// the delivering feature's own limit.)
pub async fn deliveries(
    app: Arc<App>,
    jobs: Arc<Jobs>,
    deliveries: &'static [&'static str],
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.try_join_next().is_some() {}
        let free = DELIVERIES_IN_FLIGHT.saturating_sub(running.len());
        let claimed = if free > 0 && !*stop.borrow() {
            match claim(&app.db, app.now(), i64::try_from(free).unwrap_or(1), Lane::Only(deliveries)).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::error!(error = %e, "delivery lane cannot claim jobs");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let got = claimed.len();
        for job in claimed {
            let (app, registry) = (app.clone(), jobs.clone());
            running.spawn(async move {
                let outcome = run_one(&app, &registry, &job).await;
                let recorded = match outcome {
                    Ok(()) => complete(&app.db, job.id, app.now()).await,
                    Err(e) => {
                        let error = format!("{e:#}");
                        tracing::warn!(job = job.id, kind = job.kind, attempt = job.attempts, error, "delivery failed");
                        fail(&app.db, &job, &error, app.now()).await
                    }
                };
                if let Err(e) = recorded {
                    tracing::error!(job = job.id, error = %e, "cannot record a delivery's outcome");
                }
            });
        }
        if *stop.borrow() && running.is_empty() {
            return;
        }
        let wait = if running.is_empty() && got == 0 { IDLE } else { DELIVERY_POLL };
        tokio::select! {
            _ = running.join_next(), if !running.is_empty() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s), if !*stop.borrow() => {}
        }
    }
}

/// Runs rounds until `stop` turns true: scheduled articles first, then queued jobs, but for
/// the delivery lane's (`deliveries`), which [`deliveries`] does.
pub async fn run(
    app: Arc<App>,
    jobs: Arc<Jobs>,
    deliveries: &'static [&'static str],
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut pruned = std::time::Instant::now();
    loop {
        // Settings saved on another node apply here within a round.
        if let Err(e) = app.reload_settings().await {
            tracing::error!(error = format!("{e:#}"), "settings round failed");
        }
        if let Err(e) = publish_scheduled(&app).await {
            tracing::error!(error = format!("{e:#}"), "scheduler round failed");
        }
        if let Err(e) = crate::jobs::import::run_if_due(&app.context()).await {
            tracing::error!(error = format!("{e:#}"), "job feed round failed");
        }
        if let Err(e) = crate::email::newsletter::run_schedule(&app).await {
            tracing::error!(error = format!("{e:#}"), "mail schedule round failed");
        }
        if let Err(e) = crate::comments::reminders::send_if_due(&app).await {
            tracing::error!(error = format!("{e:#}"), "moderation reminder round failed");
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = std::time::Instant::now();
            if let Err(e) = super::prune(&app.db, app.now()).await {
                tracing::warn!(error = %e, "cannot clear out done jobs");
            }
        }
        let ran = match run_lane(&app, &jobs, Lane::Except(deliveries)).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "worker round failed");
                0
            }
        };
        if ran == 0 {
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        } else if *stop.borrow() {
            return;
        }
    }
}
