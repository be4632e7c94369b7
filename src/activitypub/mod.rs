//! The publication on the social web (ActivityPub): one actor, `@{username}@{host}`, that
//! readers follow from Mastodon and other servers.
//!
//! - Found through WebFinger and NodeInfo; its actor document carries its public key; its
//!   outbox lists the latest articles; each article's URL answers an `Article` object to a
//!   request that asks for `application/activity+json` ([`objects`], [`handlers`]).
//! - Its inbox takes only requests signed by their actor's key (HTTP Signatures as Mastodon
//!   uses them, [`signatures`]), of a bounded size, from servers and accounts not blocked:
//!   Follow and Undo, replies (which enter the comment moderation queue like any comment),
//!   their Delete, and likes and boosts, which are counted ([`inbox`]).
//! - Publishing, updating or taking back an article sends Create, Update or Delete to every
//!   follower's (shared) inbox: one signed delivery job per inbox, in the queue's delivery lane,
//!   a few at a time per host, retried with backoff; a host that failed for a day is given up
//!   until it is heard from again ([`deliver`]).
//!
//! The protocol is written here rather than taken from `activitypub_federation`: that crate
//! brings its own HTTP client and web-framework glue, where every request of ours must go
//! through the one outgoing client (address checks, limits), and its jobs run outside our
//! durable queue. What it would give beyond that is the signature code in [`signatures`].

pub mod admin;
pub mod deliver;
pub mod handlers;
pub mod inbox;
pub mod objects;
pub mod signatures;

use std::sync::Arc;

use serde::Serialize;
use sqlx::{Row as _, any::AnyRow};

use crate::config::Config;
use crate::db::Db;
use signatures::KeyPair;

/// The media type of ActivityPub documents.
pub const MEDIA_TYPE: &str = "application/activity+json";
/// The biggest inbox body taken; a bigger one is refused with 413 before it is read whole.
pub const MAX_INBOX_BODY: usize = 256 * 1024;
/// The biggest remote document (an actor) read.
pub const MAX_REMOTE_DOCUMENT: u64 = 512 * 1024;
/// Whom an activity addresses when anyone may see it.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Where the publication's actor and its collections are, from the site's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    pub base: String,
    pub username: String,
    /// The host (with its port, when not the default) of `base`.
    pub host: String,
}

/// The host of a URL, lower case, with its port when it is not the scheme's default: what
/// handles, blocks and the per-host limit go by.
pub fn host_of(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?.to_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

impl Local {
    pub fn of(config: &Config) -> Local {
        let base = config.site.base_url.clone();
        let host = host_of(&base).unwrap_or_default();
        Local { base, username: config.activitypub.username.clone(), host }
    }

    pub fn actor(&self) -> String {
        format!("{}/ap/actor", self.base)
    }

    pub fn key_id(&self) -> String {
        format!("{}/ap/actor#main-key", self.base)
    }

    pub fn inbox(&self) -> String {
        format!("{}/ap/inbox", self.base)
    }

    pub fn outbox(&self) -> String {
        format!("{}/ap/outbox", self.base)
    }

    pub fn followers(&self) -> String {
        format!("{}/ap/followers", self.base)
    }

    /// `news@example.org`, as followers type it (with a leading `@`).
    pub fn handle(&self) -> String {
        format!("{}@{}", self.username, self.host)
    }

    pub fn article(&self, slug: &str) -> String {
        format!("{}/news/{slug}", self.base)
    }

    /// The slug of one of our article URLs (an activity's object, a reply's `inReplyTo`).
    pub fn article_slug<'a>(&self, url: &'a str) -> Option<&'a str> {
        let slug = url.strip_prefix(&self.base)?.strip_prefix("/news/")?;
        let slug = slug.split(['#', '?']).next().unwrap_or(slug);
        (!slug.is_empty() && !slug.contains('/')).then_some(slug)
    }
}

/// The publication's key pair, made and stored on first use (once per site: a second node that
/// races to make it takes the one stored first).
pub async fn key_pair(db: &Db, now: i64) -> anyhow::Result<Arc<KeyPair>> {
    if let Some(keys) = stored_keys(db).await? {
        return Ok(keys);
    }
    let (private_pem, public_pem) = tokio::task::spawn_blocking(KeyPair::generate).await??;
    sqlx::query(
        "INSERT INTO activitypub_keys (id, private_pem, public_pem, created_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&private_pem)
    .bind(&public_pem)
    .bind(now)
    .execute(&db.pool)
    .await?;
    tracing::info!("the publication's ActivityPub key pair was made");
    stored_keys(db).await?.ok_or_else(|| anyhow::anyhow!("the key pair was not stored"))
}

/// The stored key pair, parsed once per process and site (kept by its public key).
async fn stored_keys(db: &Db) -> anyhow::Result<Option<Arc<KeyPair>>> {
    static PARSED: parking_lot::Mutex<Vec<Arc<KeyPair>>> = parking_lot::Mutex::new(Vec::new());
    let row = sqlx::query("SELECT private_pem, public_pem FROM activitypub_keys WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (private_pem, public_pem): (String, String) = (row.try_get("private_pem")?, row.try_get("public_pem")?);
    if let Some(keys) = PARSED.lock().iter().find(|k| k.public_pem == public_pem) {
        return Ok(Some(keys.clone()));
    }
    let keys = Arc::new(KeyPair::from_pem(&private_pem, &public_pem)?);
    let mut parsed = PARSED.lock();
    // Tests make many sites in one process; a server has one.
    if parsed.len() >= 64 {
        parsed.remove(0);
    }
    parsed.push(keys.clone());
    Ok(Some(keys))
}

/// A remote actor, as its server describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub id: i64,
    pub uri: String,
    /// `user@host`.
    pub handle: String,
    pub name: String,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_pem: String,
    pub host: String,
    pub fetched_at: i64,
}

impl Actor {
    /// Where deliveries to it go: its server's shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

const ACTOR_COLUMNS: &str = "id, uri, handle, name, url, inbox, shared_inbox, key_id, public_pem, host, fetched_at";

fn actor_row(row: &AnyRow) -> Result<Actor, sqlx::Error> {
    Ok(Actor {
        id: row.try_get("id")?,
        uri: row.try_get("uri")?,
        handle: row.try_get("handle")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        inbox: row.try_get("inbox")?,
        shared_inbox: row.try_get("shared_inbox")?,
        key_id: row.try_get("key_id")?,
        public_pem: row.try_get("public_pem")?,
        host: row.try_get("host")?,
        fetched_at: row.try_get("fetched_at")?,
    })
}

pub async fn actor_by_key(db: &Db, key_id: &str) -> Result<Option<Actor>, sqlx::Error> {
    let sql = format!("SELECT {ACTOR_COLUMNS} FROM activitypub_actors WHERE key_id = $1 ORDER BY fetched_at DESC");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key_id).fetch_optional(&db.pool).await?;
    row.as_ref().map(actor_row).transpose()
}

pub async fn actor_by_uri(db: &Db, uri: &str) -> Result<Option<Actor>, sqlx::Error> {
    let sql = format!("SELECT {ACTOR_COLUMNS} FROM activitypub_actors WHERE uri = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(uri).fetch_optional(&db.pool).await?;
    row.as_ref().map(actor_row).transpose()
}

/// Stores an actor as fetched now (new, or its newer description); returns it with its id.
pub async fn save_actor(db: &Db, actor: &Actor) -> Result<Actor, sqlx::Error> {
    let sql = format!(
        "INSERT INTO activitypub_actors (uri, handle, name, url, inbox, shared_inbox, key_id, public_pem, host, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (uri) DO UPDATE SET handle = $2, name = $3, url = $4, inbox = $5, shared_inbox = $6, \
         key_id = $7, public_pem = $8, host = $9, fetched_at = $10 RETURNING {ACTOR_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&actor.uri)
        .bind(&actor.handle)
        .bind(&actor.name)
        .bind(&actor.url)
        .bind(&actor.inbox)
        .bind(&actor.shared_inbox)
        .bind(&actor.key_id)
        .bind(&actor.public_pem)
        .bind(&actor.host)
        .bind(actor.fetched_at)
        .fetch_one(&db.pool)
        .await?;
    actor_row(&row)
}

/// Adds a follower (again: a repeated Follow keeps the first and names the newest activity).
pub async fn add_follower(db: &Db, actor_id: i64, follow_uri: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activitypub_followers (actor_id, follow_uri, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (actor_id) DO UPDATE SET follow_uri = $2",
    )
    .bind(actor_id)
    .bind(follow_uri)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Removes a follower; whether it was one.
pub async fn remove_follower(db: &Db, actor_id: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM activitypub_followers WHERE actor_id = $1").bind(actor_id).execute(&db.pool).await?;
    Ok(done.rows_affected() > 0)
}

/// The Follow activity a follower followed with.
pub async fn follow_uri(db: &Db, actor_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT follow_uri FROM activitypub_followers WHERE actor_id = $1")
        .bind(actor_id)
        .fetch_optional(&db.pool)
        .await
}

pub async fn follower_count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM activitypub_followers").fetch_one(&db.pool).await
}

/// A follower as the admin page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Follower {
    pub handle: String,
    pub name: String,
    pub url: Option<String>,
    pub since: i64,
}

/// The latest followers.
pub async fn followers(db: &Db, limit: i64) -> Result<Vec<Follower>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.handle, a.name, a.url, f.created_at FROM activitypub_followers f \
         JOIN activitypub_actors a ON a.id = f.actor_id ORDER BY f.created_at DESC, a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Follower {
                handle: r.try_get("handle")?,
                name: r.try_get("name")?,
                url: r.try_get("url")?,
                since: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Every inbox an article's activity goes to: one per server that has a shared inbox, else
/// one per follower; without blocked accounts and domains and hosts given up on since `dead_before`.
pub async fn delivery_inboxes(db: &Db, dead_before: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox, a.inbox) FROM activitypub_followers f \
         JOIN activitypub_actors a ON a.id = f.actor_id \
         WHERE NOT EXISTS (SELECT 1 FROM activitypub_blocks b WHERE (b.kind = 'account' AND b.target = a.handle) \
                             OR (b.kind = 'domain' AND (b.target = a.host OR a.host LIKE b.target || ':%'))) \
           AND NOT EXISTS (SELECT 1 FROM activitypub_hosts h WHERE h.host = a.host AND h.failing_since < $1) \
         ORDER BY 1",
    )
    .bind(dead_before)
    .fetch_all(&db.pool)
    .await
}

/// A like or a boost of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    Like,
    Boost,
}

impl Reaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Reaction::Like => "like",
            Reaction::Boost => "boost",
        }
    }
}

/// Counts a reaction (once per actor, article and kind); the article's object shows the count.
pub async fn add_reaction(
    db: &Db,
    article: (i64, &str),
    actor_id: i64,
    kind: Reaction,
    activity_uri: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO activitypub_reactions (article_id, actor_id, kind, activity_uri, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id, actor_id, kind) DO UPDATE SET activity_uri = $4",
    )
    .bind(article.0)
    .bind(actor_id)
    .bind(kind.as_str())
    .bind(activity_uri)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    object_changed(&mut tx, article.1).await?;
    tx.commit().await
}

/// The article's object (its counts) changed: its cached forms go.
async fn object_changed(conn: &mut sqlx::AnyConnection, slug: &str) -> Result<(), sqlx::Error> {
    let scopes = vec![crate::changes::Scope::News(slug.to_string())];
    crate::changes::record(conn, crate::changes::Event::PagesChanged { scopes }).await
}

/// Takes back an actor's reaction, named by its activity or by its article and kind; whether
/// there was one.
pub async fn remove_reaction(
    db: &Db,
    actor_id: i64,
    activity_uri: &str,
    of: Option<(i64, Reaction)>,
) -> Result<bool, sqlx::Error> {
    let (article_id, kind) = of.map_or((-1, ""), |(a, k)| (a, k.as_str()));
    let mut tx = db.begin().await?;
    let slugs: Vec<String> = sqlx::query_scalar(
        "SELECT a.slug FROM activitypub_reactions r JOIN articles a ON a.id = r.article_id WHERE r.actor_id = $1 \
         AND (r.activity_uri = $2 OR (r.article_id = $3 AND r.kind = $4))",
    )
    .bind(actor_id)
    .bind(activity_uri)
    .bind(article_id)
    .bind(kind)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM activitypub_reactions WHERE actor_id = $1 \
         AND (activity_uri = $2 OR (article_id = $3 AND kind = $4))",
    )
    .bind(actor_id)
    .bind(activity_uri)
    .bind(article_id)
    .bind(kind)
    .execute(&mut *tx)
    .await?;
    for slug in &slugs {
        object_changed(&mut tx, slug).await?;
    }
    tx.commit().await?;
    Ok(!slugs.is_empty())
}

/// An article's likes and boosts.
pub async fn reaction_counts(db: &Db, article_id: i64) -> Result<(i64, i64), sqlx::Error> {
    let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM activitypub_reactions WHERE article_id = $1 GROUP BY kind")
        .bind(article_id)
        .fetch_all(&db.pool)
        .await?;
    let mut counts = (0, 0);
    for row in rows {
        let (kind, n): (String, i64) = (row.try_get("kind")?, row.try_get("n")?);
        match kind.as_str() {
            "like" => counts.0 = n,
            _ => counts.1 = n,
        }
    }
    Ok(counts)
}

/// The articles most reacted to, for the admin page: (slug, title, likes, boosts).
pub async fn most_reacted(db: &Db, limit: i64) -> Result<Vec<(String, String, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.slug, a.title, \
                SUM(CASE WHEN r.kind = 'like' THEN 1 ELSE 0 END) AS likes, \
                SUM(CASE WHEN r.kind = 'boost' THEN 1 ELSE 0 END) AS boosts \
         FROM activitypub_reactions r JOIN articles a ON a.id = r.article_id \
         GROUP BY a.id, a.slug, a.title ORDER BY COUNT(*) DESC, a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("slug")?, r.try_get("title")?, r.try_get("likes")?, r.try_get("boosts")?)))
        .collect()
}

/// What a block names: one account or a whole server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    Account,
    Domain,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Account => "account",
            BlockKind::Domain => "domain",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub id: i64,
    pub kind: BlockKind,
    pub target: String,
    pub created_at: i64,
}

/// Reads what an admin typed into a block: `@user@host` or `user@host` blocks an account,
/// `host` (or a URL of it) a domain. Lower-cased; `None` when it is neither.
pub fn parse_block(input: &str) -> Option<(BlockKind, String)> {
    let input = input.trim().trim_start_matches('@').to_lowercase();
    let host_ok = |h: &str| {
        !h.is_empty()
            && h.len() <= 253
            && h.contains('.')
            && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
    };
    if let Some((user, host)) = input.split_once('@') {
        let user_ok = !user.is_empty()
            && user.len() <= 100
            && user.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        return (user_ok && host_ok(host)).then(|| (BlockKind::Account, format!("{user}@{host}")));
    }
    let host = match reqwest::Url::parse(&input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url.host_str()?.to_string(),
        _ => input,
    };
    host_ok(&host).then_some((BlockKind::Domain, host))
}

pub async fn blocks(db: &Db) -> Result<Vec<Block>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, kind, target, created_at FROM activitypub_blocks ORDER BY kind, target")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Block {
                id: r.try_get("id")?,
                kind: if kind == "domain" { BlockKind::Domain } else { BlockKind::Account },
                target: r.try_get("target")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Blocks an account or a domain, and drops its followers; whether it is new.
pub async fn add_block(db: &Db, kind: BlockKind, target: &str, by: Option<i64>, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let added = sqlx::query(
        "INSERT INTO activitypub_blocks (kind, target, created_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, target) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(target)
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let blocked = match kind {
        BlockKind::Account => "handle = $1",
        // A server is blocked on every port.
        BlockKind::Domain => "(host = $1 OR host LIKE $1 || ':%')",
    };
    let sql = format!(
        "DELETE FROM activitypub_followers WHERE actor_id IN (SELECT id FROM activitypub_actors WHERE {blocked})"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(target).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(added > 0)
}

pub async fn remove_block(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM activitypub_blocks WHERE id = $1").bind(id).execute(&db.pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Whether an account (`user@host`) or its server (on any port) is blocked.
pub async fn is_blocked(db: &Db, handle: Option<&str>, host: &str) -> Result<bool, sqlx::Error> {
    let host = host.to_lowercase();
    let bare =
        host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(&*host, |(h, _)| h);
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM activitypub_blocks WHERE (kind = 'domain' AND target IN ($1, $3)) \
         OR (kind = 'account' AND target = $2)",
    )
    .bind(&host)
    .bind(handle.unwrap_or("").to_lowercase())
    .bind(bare)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// A delivery to `host` failed: it is failing from now, unless it already was.
pub async fn host_failed(db: &Db, host: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activitypub_hosts (host, failing_since) VALUES ($1, $2) \
         ON CONFLICT (host) DO UPDATE SET failing_since = COALESCE(activitypub_hosts.failing_since, $2)",
    )
    .bind(host)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// `host` answered a delivery, or sent us a request: it is alive. Only a host that was
/// failing is written (`last_success` is when it came back), so the inbox and every delivery
/// cost no write for the hosts that work.
pub async fn host_alive(db: &Db, host: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE activitypub_hosts SET failing_since = NULL, last_success = $2 \
         WHERE host = $1 AND failing_since IS NOT NULL",
    )
    .bind(host)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Since when deliveries to `host` have failed, if they do.
pub async fn failing_since(db: &Db, host: &str) -> Result<Option<i64>, sqlx::Error> {
    let since: Option<Option<i64>> = sqlx::query_scalar("SELECT failing_since FROM activitypub_hosts WHERE host = $1")
        .bind(host)
        .fetch_optional(&db.pool)
        .await?;
    Ok(since.flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_read_accounts_and_domains() {
        assert_eq!(parse_block("@Troll@Bad.Example"), Some((BlockKind::Account, "troll@bad.example".into())));
        assert_eq!(parse_block("spam.example"), Some((BlockKind::Domain, "spam.example".into())));
        assert_eq!(parse_block("https://spam.example/about"), Some((BlockKind::Domain, "spam.example".into())));
        assert_eq!(parse_block("nohost"), None);
        assert_eq!(parse_block("a b@x.example"), None);
        assert_eq!(parse_block(""), None);
    }

    #[test]
    fn our_article_urls_give_their_slug() {
        let mut config = Config::default();
        config.site.base_url = "https://news.example".into();
        let local = Local::of(&config);
        assert_eq!(local.handle(), "news@news.example");
        assert_eq!(local.article_slug("https://news.example/news/hafen"), Some("hafen"));
        assert_eq!(local.article_slug("https://news.example/news/hafen#comments"), Some("hafen"));
        assert_eq!(local.article_slug("https://other.example/news/hafen"), None);
        assert_eq!(local.article_slug("https://news.example/tag/hafen"), None);
        config.site.base_url = "http://127.0.0.1:8080".into();
        assert_eq!(Local::of(&config).handle(), "news@127.0.0.1:8080");
    }
}
