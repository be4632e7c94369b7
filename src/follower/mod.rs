//! How each process follows the change log (`changes`): it drops the cached pages a change
//! touched and brings its own search index up to date from the database. The node that wrote
//! applies the change at once, in the request that committed it ([`sync`]); the others learn of
//! it through PostgreSQL's NOTIFY, or by polling every second (SQLite, or a lost listener).
//!
//! Applying a row is idempotent, so a row is looked at again while it is young: on PostgreSQL
//! a transaction that took an id earlier may commit after a later one was already seen.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Row as _;

pub mod position;

use crate::app::App;
use crate::changes::{ArticleState, CHANNEL, Scope};
use crate::db::Backend;

/// Rows this young are read again at each round, whatever their id (a transaction can commit
/// after a later one; nodes' clocks may differ a little).
const RECENT_SECS: i64 = 300;
/// Up to this many articles are indexed one commit each.
const ONE_BY_ONE: usize = 50;
/// Rows older than this are removed.
const KEEP_SECS: i64 = 86_400;
/// How often a node polls when no notification comes.
const POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 2000;

pub use position::{Follower, Lag, lag, latest, oldest, save_position, saved_position};

/// Applies the change log after a write, in the request that committed it: the pages the write
/// touched leave the cache and the search index follows. (Other nodes do the same within a
/// second.) A failure is logged; the follower tries again.
pub async fn content_changed(app: &App) {
    if let Err(e) = sync(app).await {
        tracing::error!(error = format!("{e:#}"), "cannot apply the change log");
    }
}

/// Applies the rows not yet applied here: drops the pages they touched, updates the search
/// index. Returns how many rows were new.
pub async fn sync(app: &App) -> anyhow::Result<usize> {
    let mut follower = app.changes.lock().await;
    let now = crate::db::now();
    // New rows, then the young ones at or below the position: on PostgreSQL a transaction
    // that took its id earlier may have committed since they were last read.
    let mut rows =
        sqlx::query("SELECT id, article_id, scopes, created_at FROM changes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(follower.last)
            .bind(BATCH)
            .fetch_all(&app.db.pool)
            .await?;
    rows.extend(
        sqlx::query("SELECT id, article_id, scopes, created_at FROM changes WHERE id <= $1 AND created_at >= $2")
            .bind(follower.last)
            .bind(now - RECENT_SECS)
            .fetch_all(&app.db.pool)
            .await?,
    );
    let mut fresh = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        if follower.seen.contains_key(&id) {
            continue;
        }
        let article_id: Option<i64> = row.try_get("article_id")?;
        let scopes: String = row.try_get("scopes")?;
        let created_at: i64 = row.try_get("created_at")?;
        fresh.push((id, article_id, scopes, created_at));
    }
    if fresh.is_empty() && follower.retry.is_empty() {
        prune(app, &mut follower, now).await;
        return Ok(0);
    }

    let mut scopes: BTreeSet<Scope> = BTreeSet::new();
    let mut articles: BTreeSet<i64> = std::mem::take(&mut follower.retry);
    for (id, article_id, row_scopes, _) in &fresh {
        for word in row_scopes.split_whitespace() {
            match word.parse() {
                Ok(scope) => {
                    scopes.insert(scope);
                }
                // Written by a newer version: every page goes, to be safe.
                Err(e) => {
                    tracing::warn!(row = id, error = e, "a change names an unknown scope; dropping every page");
                    scopes.insert(Scope::All);
                }
            }
        }
        articles.extend(article_id);
    }
    let mut live = Vec::new();
    let mut gone = Vec::new();
    let at = app.now();
    for id in &articles {
        match crate::articles::queries::find_by_id(&app.db, *id).await? {
            Some(article) => {
                scopes.extend(ArticleState::of(&article).scopes());
                if article.is_live(at) { live.push(article) } else { gone.push(*id) }
            }
            None => gone.push(*id),
        }
    }
    if scopes.remove(&Scope::Settings)
        && let Err(e) = app.reload_settings().await
    {
        tracing::error!(
            error = format!("{e:#}"),
            "cannot apply the changed settings; the next worker round tries again"
        );
    }
    // The index first, off the async threads: pages that show search results or related
    // articles, rendered after the pages are dropped below, must find it up to date. One
    // article at a time when they are few: each is weighed against the index as it stands,
    // with the ones before it. Many (an import, a renamed tag) go in one commit.
    let search = app.search.clone();
    let indexed = tokio::task::spawn_blocking(move || {
        if !gone.is_empty() {
            search.update(&[], &gone)?;
        }
        if live.len() <= ONE_BY_ONE {
            for article in &live {
                search.update(&[article], &[])?;
            }
        } else {
            search.update(&live.iter().collect::<Vec<_>>(), &[])?;
        }
        anyhow::Ok(())
    })
    .await
    .map_err(anyhow::Error::from)
    .and_then(|r| r);
    // Then the parts every page shares, then the pages (whatever became of the index): a page
    // rendered in between would otherwise be stored with the parts from before.
    app.forget_shared_parts();
    let tz = app.time_zone();
    let scopes: Vec<Scope> = scopes.into_iter().map(|s| s.resolve(&tz)).collect();
    app.page_cache.invalidate(&scopes);

    let count = fresh.len();
    for (id, _, _, created_at) in fresh {
        follower.last = follower.last.max(id);
        follower.seen.insert(id, created_at);
    }
    follower.seen.retain(|_, created_at| *created_at >= now - 2 * RECENT_SECS);

    match indexed {
        Ok(()) => {
            // The index holds every change up to here: a restart goes on from this position.
            if let Err(e) = position::write_position(&follower.position_file, follower.last) {
                tracing::warn!(error = %e, "cannot save the change log position");
            }
        }
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                articles = articles.len(),
                "search index update failed; tried again next round"
            );
            follower.retry = articles;
        }
    }
    tracing::debug!(rows = count, last = follower.last, "changes applied");
    prune(app, &mut follower, now).await;
    Ok(count)
}

/// Removes rows older than a day, once an hour.
async fn prune(app: &App, follower: &mut Follower, now: i64) {
    if follower.pruned_at.is_some_and(|t| t.elapsed() < Duration::from_secs(3600)) {
        return;
    }
    follower.pruned_at = Some(Instant::now());
    if let Err(e) =
        sqlx::query("DELETE FROM changes WHERE created_at < $1").bind(now - KEEP_SECS).execute(&app.db.pool).await
    {
        tracing::warn!(error = %e, "cannot prune the change log");
    }
}

/// Follows the log until `stop` turns true: at once on a notification (PostgreSQL), else every
/// second. A database that goes away is waited for; the node goes on when it is back.
pub async fn follow(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut listener = None;
    let mut failing = false;
    loop {
        if app.db.backend == Backend::Postgres && listener.is_none() {
            listener = listen(&app).await;
        }
        let notified = async {
            match listener.as_mut() {
                Some(l) => l.recv().await.map(|_| ()),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = notified => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "change notifications lost; polling until they are back");
                    listener = None;
                }
            }
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match sync(&app).await {
            Ok(_) if failing => {
                tracing::info!("change log readable again");
                failing = false;
            }
            Ok(_) => {}
            Err(e) if !failing => {
                tracing::error!(error = format!("{e:#}"), "cannot follow the change log");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

async fn listen(app: &App) -> Option<sqlx::postgres::PgListener> {
    let url = app.config().database_url();
    let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
        Ok(l) => l,
        Err(e) => {
            tracing::debug!(error = %e, "cannot listen for changes yet");
            return None;
        }
    };
    match listener.listen(CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::debug!(error = %e, "cannot listen for changes yet");
            None
        }
    }
}
