//! Webhooks: addresses an admin registers at `/admin/integrations` that are told, by an HTTP
//! POST of JSON, when an article is published, updated or unpublished, a comment is approved or
//! a reader confirms a subscription.
//!
//! - The events come from the change log's consumers ([`deliver::on_event`]), so a write knows
//!   nothing of hooks. Each hook's delivery is its own queue job: a receiver that is down is
//!   retried with backoff and holds up no other hook, no publishing and no other job.
//! - Every delivery is signed: `Newsdesk-Signature: t={unix time},v1={hex}`, where the hex is
//!   HMAC-SHA256 of `{t}.{body}` under the hook's secret. A receiver recomputes it and refuses
//!   old times, so a captured delivery cannot be replayed later. An admin may roll the secret
//!   ([`roll_secret`]): for [`ROLL_GRACE_SECS`] after, deliveries carry a second `v1=` under the
//!   secret it replaced, so the receiver can take the new one without refusing a delivery.
//! - Requests go through the one outgoing client: no loopback, private or link-local address
//!   unless the operator allows it, a time limit, and no more of the answer read than needed.
//!   An address inside the network is refused when it is registered, with a message.
//! - Each hook keeps its last [`KEPT_DELIVERIES`] attempts, with status codes, for its page.

pub mod admin;
pub mod deliver;

use serde::Serialize;
use sqlx::{Row as _, any::AnyRow};

use crate::auth::keys::random_hex;
use crate::db::Db;

/// Attempts kept per hook for its page; older ones are removed as new ones are written.
pub const KEPT_DELIVERIES: i64 = 50;
pub const MAX_URL: usize = 2000;
/// Hooks a site may have: each event is one delivery job per hook.
pub const MAX_HOOKS: i64 = 50;
/// How long the secret a roll replaced still signs deliveries (beside the new one).
pub const ROLL_GRACE_SECS: i64 = 86_400;
/// What every secret starts with, so that one found in a log can be recognised.
pub const SECRET_PREFIX: &str = "ndwh_";

/// What a hook can be told of. [`Event::Ping`] is sent only when an admin asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Event {
    ArticlePublished,
    ArticleUpdated,
    ArticleUnpublished,
    CommentApproved,
    SubscriberConfirmed,
    Ping,
}

impl Event {
    /// The events a hook can choose, in the form's order.
    pub const CHOSEN: [Event; 5] = [
        Event::ArticlePublished,
        Event::ArticleUpdated,
        Event::ArticleUnpublished,
        Event::CommentApproved,
        Event::SubscriberConfirmed,
    ];

    /// The name in the body, the `Newsdesk-Event` header and the stored list.
    pub fn name(self) -> &'static str {
        match self {
            Event::ArticlePublished => "article.published",
            Event::ArticleUpdated => "article.updated",
            Event::ArticleUnpublished => "article.unpublished",
            Event::CommentApproved => "comment.approved",
            Event::SubscriberConfirmed => "subscriber.confirmed",
            Event::Ping => "ping",
        }
    }

    pub fn parse(name: &str) -> Option<Event> {
        Event::CHOSEN.into_iter().chain([Event::Ping]).find(|e| e.name() == name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hook {
    pub id: i64,
    pub url: String,
    /// Names, in [`Event::CHOSEN`]'s order.
    pub events: Vec<String>,
    pub secret: String,
    /// The secret a roll replaced, while it still signs (see [`ROLL_GRACE_SECS`]).
    #[serde(skip)]
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
    pub created_at: i64,
    /// The status code of the last attempt (None: no answer came, or nothing was sent yet).
    pub last_status: Option<i64>,
    pub last_at: Option<i64>,
}

impl Hook {
    pub fn wants(&self, event: Event) -> bool {
        event == Event::Ping || self.events.iter().any(|e| e == event.name())
    }

    /// The secrets a delivery sent at `now` is signed with: the hook's, then the one a roll
    /// replaced while its day lasts.
    pub fn signing_secrets(&self, now: i64) -> impl Iterator<Item = &str> {
        let previous = self.previous_secret.as_deref().filter(|_| self.previous_until.is_some_and(|until| now < until));
        std::iter::once(self.secret.as_str()).chain(previous)
    }
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub delivery: String,
    pub event: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
    pub ok: bool,
    /// Whether what it sent is kept, so it can be sent again.
    pub resendable: bool,
}

/// A checked hook from the admin form (its address is checked against the network policy by
/// the caller, which holds the outgoing client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookInput {
    pub url: String,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error("not an http or https URL of at most {MAX_URL} characters")]
    BadUrl,
    #[error("no event chosen")]
    NoEvents,
    #[error("unknown event {0:?}")]
    UnknownEvent(String),
}

impl HookError {
    /// The locale key of the message shown in the form.
    pub fn message_key(&self) -> &'static str {
        match self {
            HookError::BadUrl => "webhook-error-url",
            HookError::NoEvents | HookError::UnknownEvent(_) => "webhook-error-events",
        }
    }
}

impl HookInput {
    pub fn parse<'a>(url: &str, events: impl IntoIterator<Item = &'a str>) -> Result<HookInput, HookError> {
        let url = url.trim();
        let parsed = reqwest::Url::parse(url).map_err(|_| HookError::BadUrl)?;
        if url.len() > MAX_URL
            || !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none_or(str::is_empty)
        {
            return Err(HookError::BadUrl);
        }
        let mut chosen = Vec::new();
        for name in events {
            let event = Event::parse(name)
                .filter(|e| *e != Event::Ping)
                .ok_or_else(|| HookError::UnknownEvent(name.chars().take(40).collect()))?;
            if !chosen.contains(&event) {
                chosen.push(event);
            }
        }
        if chosen.is_empty() {
            return Err(HookError::NoEvents);
        }
        chosen.sort_by_key(|e| Event::CHOSEN.iter().position(|c| c == e));
        Ok(HookInput { url: parsed.to_string(), events: chosen })
    }
}

const HOOK_COLUMNS: &str = "h.id, h.url, h.events, h.secret, h.previous_secret, h.previous_until, h.created_at, \
     (SELECT d.status_code FROM webhook_deliveries d WHERE d.webhook_id = h.id ORDER BY d.id DESC LIMIT 1) AS last_status, \
     (SELECT MAX(d.created_at) FROM webhook_deliveries d WHERE d.webhook_id = h.id) AS last_at";
/// The same without the last delivery, for the consumer that reads the hooks on every event.
const LISTENING_COLUMNS: &str = "h.id, h.url, h.events, h.secret, h.previous_secret, h.previous_until, h.created_at, \
     CAST(NULL AS BIGINT) AS last_status, CAST(NULL AS BIGINT) AS last_at";

fn hook_of(row: &AnyRow) -> Result<Hook, sqlx::Error> {
    Ok(Hook {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: row.try_get::<String, _>("events")?.split_whitespace().map(str::to_string).collect(),
        secret: row.try_get("secret")?,
        previous_secret: row.try_get("previous_secret")?,
        previous_until: row.try_get("previous_until")?,
        created_at: row.try_get("created_at")?,
        last_status: row.try_get("last_status")?,
        last_at: row.try_get("last_at")?,
    })
}

/// Every hook, without its last delivery (`last_status` and `last_at` are None): what an event
/// is checked against.
pub async fn listening(db: &Db) -> Result<Vec<Hook>, sqlx::Error> {
    let sql = format!("SELECT {LISTENING_COLUMNS} FROM webhooks h ORDER BY h.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(hook_of).collect()
}

/// Every hook with its last delivery, oldest first, for the admin page.
pub async fn all(db: &Db) -> Result<Vec<Hook>, sqlx::Error> {
    let sql = format!("SELECT {HOOK_COLUMNS} FROM webhooks h ORDER BY h.id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(hook_of).collect()
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Hook>, sqlx::Error> {
    let sql = format!("SELECT {HOOK_COLUMNS} FROM webhooks h WHERE h.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?.as_ref().map(hook_of).transpose()
}

/// Stores a hook with a new secret; `None` when the site has [`MAX_HOOKS`] already.
pub async fn create(db: &Db, input: &HookInput, user: i64, now: i64) -> Result<Option<Hook>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks").fetch_one(&mut *tx).await?;
    if count >= MAX_HOOKS {
        return Ok(None);
    }
    let names: Vec<&str> = input.events.iter().map(|e| e.name()).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhooks (url, events, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&input.url)
    .bind(names.join(" "))
    .bind(new_secret())
    .bind(user)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    find(db, id).await
}

fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", random_hex(24))
}

/// Sends the hook's events to another address, or other events; its secret and attempts stay.
/// False when there is no such hook.
pub async fn update(db: &Db, id: i64, input: &HookInput) -> Result<bool, sqlx::Error> {
    let names: Vec<&str> = input.events.iter().map(|e| e.name()).collect();
    let changed = sqlx::query("UPDATE webhooks SET url = $1, events = $2 WHERE id = $3")
        .bind(&input.url)
        .bind(names.join(" "))
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(changed.rows_affected() > 0)
}

/// Gives the hook a new secret; the one it replaces signs beside it for [`ROLL_GRACE_SECS`]
/// (a roll within that day drops the secret before: only the two newest sign). `None` when
/// there is no such hook.
pub async fn roll_secret(db: &Db, id: i64, now: i64) -> Result<Option<Hook>, sqlx::Error> {
    let rolled =
        sqlx::query("UPDATE webhooks SET previous_secret = secret, previous_until = $1, secret = $2 WHERE id = $3")
            .bind(now + ROLL_GRACE_SECS)
            .bind(new_secret())
            .bind(id)
            .execute(&db.pool)
            .await?;
    if rolled.rows_affected() == 0 {
        return Ok(None);
    }
    find(db, id).await
}

/// Removes a hook and its attempts; deliveries still queued for it are dropped when they run.
pub async fn delete(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *tx).await?;
    let gone = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(gone.rows_affected() > 0)
}

/// The hook's kept attempts, newest first.
pub async fn attempts(db: &Db, hook: i64) -> Result<Vec<Attempt>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT delivery, event, status_code, error, duration_ms, created_at, \
         CASE WHEN body IS NULL THEN 0 ELSE 1 END AS resendable FROM webhook_deliveries \
         WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(hook)
    .bind(KEPT_DELIVERIES)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let status_code: Option<i64> = r.try_get("status_code")?;
            Ok(Attempt {
                delivery: r.try_get("delivery")?,
                event: r.try_get("event")?,
                ok: status_code.is_some_and(|s| (200..300).contains(&s)),
                status_code,
                error: r.try_get("error")?,
                duration_ms: r.try_get("duration_ms")?,
                created_at: r.try_get("created_at")?,
                resendable: r.try_get::<i64, _>("resendable")? == 1,
            })
        })
        .collect()
}

/// The event and body that delivery `delivery` of the hook sent, while an attempt of it is kept.
pub async fn sent(db: &Db, hook: i64, delivery: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT event, body FROM webhook_deliveries WHERE webhook_id = $1 AND delivery = $2 AND body IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(hook)
    .bind(delivery)
    .fetch_optional(&db.pool)
    .await
}

/// Writes an attempt (with the body it sent, to send again) and removes the hook's attempts beyond the newest [`KEPT_DELIVERIES`].
pub async fn record_attempt(db: &Db, hook: i64, attempt: &Attempt, body: Option<&str>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_deliveries (webhook_id, delivery, event, status_code, error, duration_ms, created_at, body) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(hook)
    .bind(&attempt.delivery)
    .bind(&attempt.event)
    .bind(attempt.status_code)
    .bind(attempt.error.as_deref())
    .bind(attempt.duration_ms)
    .bind(attempt.created_at)
    .bind(body)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND id <= \
         (SELECT id FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
    )
    .bind(hook)
    .bind(KEPT_DELIVERIES)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hook_needs_a_web_address_and_known_events() {
        let ok = HookInput::parse(" https://hooks.example/in?x=1 ", ["comment.approved", "article.published"]).unwrap();
        assert_eq!(ok.url, "https://hooks.example/in?x=1");
        assert_eq!(ok.events, vec![Event::ArticlePublished, Event::CommentApproved]);
        for url in ["", "hooks.example/in", "ftp://hooks.example/", "javascript:alert(1)", "http://"] {
            assert_eq!(HookInput::parse(url, ["article.updated"]), Err(HookError::BadUrl), "{url}");
        }
        let long = format!("https://hooks.example/{}", "a".repeat(MAX_URL));
        assert_eq!(HookInput::parse(&long, ["article.updated"]), Err(HookError::BadUrl));
        assert_eq!(HookInput::parse("https://hooks.example/", []), Err(HookError::NoEvents));
        assert!(matches!(HookInput::parse("https://hooks.example/", ["ping"]), Err(HookError::UnknownEvent(_))));
        assert!(matches!(
            HookInput::parse("https://hooks.example/", ["article.deleted"]),
            Err(HookError::UnknownEvent(_))
        ));
    }

    #[test]
    fn event_names_read_back() {
        for event in Event::CHOSEN.into_iter().chain([Event::Ping]) {
            assert_eq!(Event::parse(event.name()), Some(event));
        }
    }
}
