//! Publishes scheduled articles when their time comes, without a restart.
//!
//! Readers see a scheduled article from its time on anyway (the listing queries treat a due
//! scheduled article as live); this worker turns its status into `published`, keeping a revision,
//! so the admin area and the side effects queued with the save (hub pings, later mail) follow.
//! The background worker (`queue::worker`) runs a round every few seconds.

use crate::app::App;

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
