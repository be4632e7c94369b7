//! The change log: how every node learns what changed, whichever node (or command) wrote it.
//!
//! A write records an [`Event`] in its own transaction ([`record`]). When it changes what
//! readers see, that adds a row to `changes`: the article it touched and the page-cache
//! [`Scope`]s of the state before the write (an old slug, a removed tag). Every event also
//! queues one [`Dispatch`] job, which hands it to the consumers the composition root lists
//! (`root`), once per site. Each process follows the log (`follower`).

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::articles::model::{Article, Status};

/// The NOTIFY channel on PostgreSQL.
pub const CHANNEL: &str = "newsdesk_changes";

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

/// What an article's save means to those told of publications (webhooks, followers on the
/// social web): being published, changing while published, or being taken back. A scheduled
/// article is published when the scheduler marks it so, at its time
/// (`queue::worker::publish_scheduled`), and that save announces it; a draft's saves tell no one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    Published,
    Updated,
    Unpublished,
}

impl Publication {
    pub fn of(before: Option<&ArticleState>, after: &ArticleState) -> Option<Publication> {
        let published = |s: &ArticleState| s.status == Status::Published;
        match (before.is_some_and(published), published(after)) {
            (false, true) => Some(Publication::Published),
            (true, true) => Some(Publication::Updated),
            (true, false) => Some(Publication::Unpublished),
            (false, false) => None,
        }
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
    /// An article's published comments changed; `approved` are the comments readers see from
    /// now on that they did not see before (posted by a trusted reader, or approved).
    CommentsChanged {
        article_id: i64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        approved: Vec<i64>,
    },
    /// Pages changed that are no article's: the job listings, the promotions, a tag's page.
    PagesChanged { scopes: Vec<Scope> },
    /// The stored settings changed.
    SettingsChanged,
    /// A reader confirmed a subscription (the newsletter, or alerts on an article). Nothing
    /// readers see changed: only the consumers hear of it.
    SubscriberConfirmed { subscription_id: i64 },
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
        Event::CommentsChanged { article_id, .. } => {
            let slug: Option<String> = sqlx::query_scalar("SELECT slug FROM articles WHERE id = $1")
                .bind(article_id)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(slug) = slug else { return Ok(()) };
            insert(conn, None, &[Scope::News(slug), Scope::Comments]).await?;
        }
        Event::PagesChanged { scopes } => insert(conn, None, scopes).await?,
        Event::SettingsChanged => insert(conn, None, &[Scope::Settings]).await?,
        Event::SubscriberConfirmed { .. } => {}
    }
    crate::queue::enqueue(conn, &Dispatch { event }, crate::db::now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: Status, published_at: Option<i64>) -> ArticleState {
        ArticleState { slug: "a".into(), status, published_at, tags: vec![], authors: vec![] }
    }

    #[test]
    fn saves_become_publication_events() {
        let of = Publication::of;
        let draft = state(Status::Draft, None);
        let live = state(Status::Published, Some(900));
        let later = state(Status::Scheduled, Some(2_000));
        let pulled = state(Status::Unpublished, Some(900));
        assert_eq!(of(None, &live), Some(Publication::Published));
        assert_eq!(of(Some(&draft), &live), Some(Publication::Published));
        // The scheduler's save at the article's time.
        assert_eq!(of(Some(&later), &live), Some(Publication::Published));
        assert_eq!(of(Some(&live), &live), Some(Publication::Updated));
        assert_eq!(of(Some(&live), &pulled), Some(Publication::Unpublished));
        assert_eq!(of(Some(&live), &later), Some(Publication::Unpublished));
        assert_eq!(of(Some(&draft), &draft), None);
        assert_eq!(of(Some(&draft), &later), None);
        assert_eq!(of(Some(&later), &later), None);
    }

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
