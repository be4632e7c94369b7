//! The change log: how every node learns what changed, whichever node (or command) wrote it.
//!
//! A write records an [`Event`] in its own transaction ([`record`]). When it changes what
//! readers see, that adds a row to `changes`: the article it touched and the page-cache
//! [`Scope`]s of the state before the write (an old slug, a removed tag). Every event also
//! queues one [`Dispatch`] job, which hands it to the consumers the composition root lists
//! (`root`), once per site. Each process follows the log ([`follow`]): it drops the cached pages the change
//! touched and brings its own search index up to date from the database. The node that wrote
//! applies the change at once, in the request that committed it ([`sync`]); the others learn of
//! it through PostgreSQL's NOTIFY, or by polling every second (SQLite, or a lost listener).
//!
//! Applying a row is idempotent, so a row is looked at again while it is young: on PostgreSQL
//! a transaction that took an id earlier may commit after a later one was already seen.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use crate::app::App;
use crate::articles::model::{Article, Status};
use crate::db::{Backend, Db};

/// The NOTIFY channel on PostgreSQL.
pub const CHANNEL: &str = "newsdesk_changes";
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

/// A part of the site the page cache stores pages of; a write names the parts it changed and
/// exactly their pages leave the cache. Written into the log as words (`news:{slug}`, `*`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// Every page: what every page shows changed (the jobs box, the promotions).
    All,
    /// The front page, its pages and the main feeds.
    Home,
    /// An article's page and its feeds.
    News(String),
    Tag(String),
    Author(String),
    /// The archive's index of months.
    Archive,
    /// One month of the archive.
    ArchiveMonth(i32, u8),
    /// The archive month a time falls in, in the publication's time zone: a write knows the
    /// time, the node that applies the change knows the zone ([`Scope::resolve`]).
    MonthOf(i64),
    Sitemaps,
    Search,
    /// The comment feeds.
    Comments,
    /// The job listings.
    Jobs,
    /// Pages that show only the site's settings (newsletter form, robots.txt).
    Site,
    /// Not pages: the stored settings changed, so each node applies them (and drops every page).
    Settings,
}

impl Scope {
    /// The scope as the cache compares it: `MonthOf` becomes its month in `tz`.
    pub fn resolve(self, tz: &jiff::tz::TimeZone) -> Scope {
        let Scope::MonthOf(at) = self else { return self };
        match jiff::Timestamp::from_second(at) {
            Ok(t) => {
                let date = t.to_zoned(tz.clone()).date();
                Scope::ArchiveMonth(i32::from(date.year()), date.month() as u8)
            }
            Err(_) => Scope::Archive,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::All => f.write_str("*"),
            Scope::Home => f.write_str("home"),
            Scope::News(slug) => write!(f, "news:{slug}"),
            Scope::Tag(slug) => write!(f, "tag:{slug}"),
            Scope::Author(slug) => write!(f, "author:{slug}"),
            Scope::Archive => f.write_str("archive"),
            Scope::ArchiveMonth(year, month) => write!(f, "archive:{year}/{month}"),
            Scope::MonthOf(at) => write!(f, "at:{at}"),
            Scope::Sitemaps => f.write_str("sitemaps"),
            Scope::Search => f.write_str("search"),
            Scope::Comments => f.write_str("comments"),
            Scope::Jobs => f.write_str("jobs"),
            Scope::Site => f.write_str("site"),
            Scope::Settings => f.write_str("settings"),
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(word: &str) -> Result<Scope, String> {
        let scope = match word.split_once(':') {
            None => match word {
                "*" => Scope::All,
                "home" => Scope::Home,
                "archive" => Scope::Archive,
                "sitemaps" => Scope::Sitemaps,
                "search" => Scope::Search,
                "comments" => Scope::Comments,
                "jobs" => Scope::Jobs,
                "site" => Scope::Site,
                "settings" => Scope::Settings,
                _ => return Err(format!("unknown scope {word:?}")),
            },
            Some(("news", slug)) => Scope::News(slug.to_string()),
            Some(("tag", slug)) => Scope::Tag(slug.to_string()),
            Some(("author", slug)) => Scope::Author(slug.to_string()),
            Some(("at", at)) => Scope::MonthOf(at.parse().map_err(|_| format!("bad time in {word:?}"))?),
            Some(("archive", month)) => {
                let parsed = month.split_once('/').and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)));
                let (year, month) = parsed.ok_or_else(|| format!("bad month in {word:?}"))?;
                Scope::ArchiveMonth(year, month)
            }
            Some(_) => return Err(format!("unknown scope {word:?}")),
        };
        Ok(scope)
    }
}

/// What the consumers of an article's events need to know of one of its states: where its
/// pages are, and when readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleState {
    pub slug: String,
    pub status: Status,
    pub published_at: Option<i64>,
    /// Slugs.
    pub tags: Vec<String>,
    pub authors: Vec<String>,
}

impl ArticleState {
    pub fn of(article: &Article) -> ArticleState {
        ArticleState {
            slug: article.slug.clone(),
            status: article.status,
            published_at: article.published_at,
            tags: article.tags.iter().map(|t| t.slug.clone()).collect(),
            authors: article.authors.iter().map(|a| a.slug.clone()).collect(),
        }
    }

    /// Whether readers can see it at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        match self.status {
            Status::Published => true,
            Status::Scheduled => self.published_at.is_some_and(|t| t <= now),
            _ => false,
        }
    }

    /// The page-cache scopes its pages appear in.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut scopes =
            vec![Scope::News(self.slug.clone()), Scope::Home, Scope::Archive, Scope::Sitemaps, Scope::Search];
        scopes.extend(self.published_at.map(Scope::MonthOf));
        scopes.extend(self.tags.iter().map(|t| Scope::Tag(t.clone())));
        scopes.extend(self.authors.iter().map(|a| Scope::Author(a.clone())));
        scopes
    }
}

/// What a write changed, recorded in the write's own transaction ([`record`]). Each node
/// applies it to its page cache and search index ([`sync`]); once per site, the composition
/// root hands it to every consumer that acts on it (hub pings, mail alerts), through the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// An article was created (`before` is None) or saved, at time `at`.
    ArticleSaved { article_id: i64, before: Option<ArticleState>, after: ArticleState, at: i64 },
    /// An article shows something that changed elsewhere (a renamed tag): its pages and its
    /// index entry are made again.
    ArticleTouched { article_id: i64 },
    /// An article's published comments changed.
    CommentsChanged { article_id: i64 },
    /// Pages changed that are no article's: the job listings, the promotions, a tag's page.
    PagesChanged { scopes: Vec<Scope> },
    /// The stored settings changed.
    SettingsChanged,
}

/// The queue job that hands an event to its consumers, once per site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dispatch {
    pub event: Event,
}

impl crate::queue::Kind for Dispatch {
    const NAME: &'static str = "events.dispatch";
}

async fn insert(conn: &mut AnyConnection, article_id: Option<i64>, scopes: &[Scope]) -> Result<(), sqlx::Error> {
    let words: Vec<String> = scopes.iter().map(Scope::to_string).collect();
    sqlx::query("INSERT INTO changes (article_id, scopes, created_at) VALUES ($1, $2, $3)")
        .bind(article_id)
        .bind(words.join(" "))
        .bind(crate::db::now())
        .execute(&mut *conn)
        .await?;
    if conn.backend_name() == "PostgreSQL" {
        // Delivered when the transaction commits, and not at all when it rolls back.
        sqlx::query("SELECT pg_notify($1, '')").bind(CHANNEL).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records `event` in the write's transaction: a row of the log for every node's cache and
/// index when readers see the change, and the job that hands it to the consumers. Never after
/// the commit: a write and its event stand or fall together.
pub async fn record(conn: &mut AnyConnection, event: Event) -> Result<(), sqlx::Error> {
    match &event {
        Event::ArticleSaved { article_id, before, after, at } => {
            // Feeds, pages and the index change when readers could see the article, before
            // the save or after it; a draft's save changes nothing they see.
            if before.as_ref().is_some_and(|b| b.is_live(*at)) || after.is_live(*at) {
                insert(conn, Some(*article_id), &before.as_ref().map(ArticleState::scopes).unwrap_or_default()).await?;
            }
        }
        Event::ArticleTouched { article_id } => insert(conn, Some(*article_id), &[]).await?,
        Event::CommentsChanged { article_id } => {
            let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1")
                .bind(article_id)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(slug) = slug else { return Ok(()) };
            insert(conn, None, &[Scope::News(slug), Scope::Comments]).await?;
        }
        Event::PagesChanged { scopes } => insert(conn, None, scopes).await?,
        Event::SettingsChanged => insert(conn, None, &[Scope::Settings]).await?,
    }
    crate::queue::enqueue(conn, &Dispatch { event }, crate::db::now()).await?;
    Ok(())
}

/// Where a process is in the log.
#[derive(Debug, Default)]
pub struct Follower {
    /// The highest id applied.
    last: i64,
    /// Young rows applied, by id, with their time: skipped when read again.
    seen: HashMap<i64, i64>,
    /// Articles whose index update failed, tried again at the next round.
    retry: BTreeSet<i64>,
    pruned_at: Option<Instant>,
    /// The file that keeps `last` beside the search index, so a restarted node catches up.
    position_file: PathBuf,
}

impl Follower {
    pub fn new(data_dir: &Path, last: i64) -> Follower {
        Follower { last, position_file: position_file(data_dir), ..Follower::default() }
    }
}

fn position_file(data_dir: &Path) -> PathBuf {
    crate::search::index::SearchIndex::folder(data_dir).join("changes.position")
}

/// The position the search index in `data_dir` was last brought up to, if it is known.
pub fn saved_position(data_dir: &Path) -> Option<i64> {
    std::fs::read_to_string(position_file(data_dir)).ok()?.trim().parse().ok()
}

/// Remembers that the search index in `data_dir` holds every change up to `id`.
pub fn save_position(data_dir: &Path, id: i64) -> std::io::Result<()> {
    write_position(&position_file(data_dir), id)
}

fn write_position(file: &Path, id: i64) -> std::io::Result<()> {
    let temporary = file.with_extension("tmp");
    std::fs::write(&temporary, format!("{id}\n"))?;
    std::fs::rename(temporary, file)
}

/// The last id the log handed out (0 before the first), from its sequence: the rows may all
/// have been pruned.
pub async fn latest(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)",
        Backend::Postgres => "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM changes_id_seq",
    };
    sqlx::query_scalar(sql).fetch_one(&db.pool).await
}

/// The oldest id still in the log, if any.
pub async fn oldest(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(id) FROM changes").fetch_one(&db.pool).await
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
        let id: i64 = row.try_get(0)?;
        if follower.seen.contains_key(&id) {
            continue;
        }
        let article_id: Option<i64> = row.try_get(1)?;
        let scopes: String = row.try_get(2)?;
        let created_at: i64 = row.try_get(3)?;
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
            if let Err(e) = write_position(&follower.position_file, follower.last) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_months_follow_the_time_zone() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        // 2026-10-31 23:30 UTC is already November in Berlin.
        assert_eq!(Scope::MonthOf(1793489400).resolve(&berlin), Scope::ArchiveMonth(2026, 11));
        assert_eq!(Scope::MonthOf(1793489400).resolve(&jiff::tz::TimeZone::UTC), Scope::ArchiveMonth(2026, 10));
        assert_eq!(Scope::Tag("ki".into()).resolve(&berlin), Scope::Tag("ki".into()));
    }

    #[test]
    fn scopes_read_back_as_written() {
        let all = [
            Scope::All,
            Scope::Home,
            Scope::News("a-b".into()),
            Scope::Tag("ki".into()),
            Scope::Author("ada".into()),
            Scope::Archive,
            Scope::ArchiveMonth(2026, 3),
            Scope::MonthOf(1793489400),
            Scope::Sitemaps,
            Scope::Search,
            Scope::Comments,
            Scope::Jobs,
            Scope::Site,
            Scope::Settings,
        ];
        for scope in all {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope.clone()), "{scope}");
        }
        assert!("news".parse::<Scope>().is_err() && "archive:2026".parse::<Scope>().is_err());
    }
}
