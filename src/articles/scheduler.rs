//! Publishes scheduled articles when their time comes, without a restart.
//!
//! Readers see a scheduled article from its time on anyway (the listing queries treat a due
//! scheduled article as live); this worker turns its status into `published`, keeping a revision,
//! so the admin area and later side effects (feeds pings, mail) see the change.

use std::sync::Arc;
use std::time::Duration;

use crate::app::App;

const INTERVAL: Duration = Duration::from_secs(5);

/// One round: publishes what is due and returns the slugs.
pub async fn run_once(app: &App) -> anyhow::Result<Vec<String>> {
    let published = super::queries::publish_due(&app.db, app.now()).await?;
    if !published.is_empty() {
        app.content_changed().await;
        for slug in &published {
            tracing::info!(slug, "scheduled article published");
        }
    }
    Ok(published)
}

/// Runs rounds until `stop` turns true.
pub async fn run(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = run_once(&app).await {
            tracing::error!(error = format!("{e:#}"), "scheduler round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
