//! The outbox: every message is a row, written in the same transaction as what caused it.
//! Senders claim due rows with a lease, send them and mark them sent. A sender that dies leaves
//! its rows leased; when the lease runs out another claims them, so a crash loses nothing and
//! sends again at most the messages that were in flight.
//!
//! On PostgreSQL several nodes claim from one table; `FOR UPDATE SKIP LOCKED` keeps them apart.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

use super::mailings::{self, Undelivered};

use crate::db::{Backend, Db};

/// A claimed message is reserved for its sender this long.
pub const LEASE_SECS: i64 = 30;
/// After this many failed tries (server down, 4xx) a message is marked failed.
pub const MAX_ATTEMPTS: i64 = 10;

/// What kind of message a row is: it decides what leaving the list drops.
pub mod kind {
    pub const CONFIRM: &str = "confirm";
    pub const REMINDER: &str = "reminder";
    /// Sent once a subscription is confirmed.
    pub const WELCOME: &str = "welcome";
    pub const CAMPAIGN: &str = "campaign";
    pub const ALERT: &str = "alert";
    pub const ALERT_SUMMARY: &str = "alert_summary";
    /// A link for a staff member to choose a password.
    pub const PASSWORD: &str = "password";
    /// A notice to the newsroom's own people (waiting comments).
    pub const STAFF: &str = "staff";
    pub const TEST: &str = "test";
}

/// A message to queue, fully composed.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub kind: &'a str,
    /// None for an editor's test copy, which goes to an address that subscribed to nothing.
    pub subscriber_id: Option<i64>,
    /// The mailing it counts to (newsletter, alerts); none for a confirmation, a notice or a test.
    pub mailing_id: Option<i64>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues a message inside the caller's transaction.
pub async fn enqueue(conn: &mut AnyConnection, message: &NewMessage<'_>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (kind, subscriber_id, mailing_id, recipient, subject, text_body, html_body, status, run_at,
                             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8) RETURNING id",
    )
    .bind(message.kind)
    .bind(message.subscriber_id)
    .bind(message.mailing_id)
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.text)
    .bind(message.html)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Queues a campaign for every active newsletter subscriber whose address is not bouncing, in
/// one statement inside the caller's transaction. Returns the number of messages.
pub async fn enqueue_campaign(
    conn: &mut AnyConnection,
    campaign_id: i64,
    mailing_id: i64,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO outbox (kind, campaign_id, mailing_id, subscriber_id, recipient, status, run_at, created_at)
         SELECT 'campaign', $1, $3, u.id, u.email, 'queued', $2, $2
         FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id
         WHERE s.kind = 'newsletter' AND s.status = 'active' AND u.bouncing_at IS NULL
         ORDER BY u.id",
    )
    .bind(campaign_id)
    .bind(now)
    .bind(mailing_id)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

/// A claimed message.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub mailing_id: Option<i64>,
    pub subscriber_id: Option<i64>,
    pub recipient: String,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// Including this one.
    pub attempts: i64,
    pub created_at: i64,
}

/// Reserves up to `limit` due messages for [`LEASE_SECS`] and returns them, oldest first.
pub async fn claim(db: &Db, now: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let lock = match db.backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN (
            SELECT id FROM outbox WHERE status = 'queued' AND run_at <= $2
              AND (locked_until IS NULL OR locked_until < $2)
            ORDER BY run_at, id LIMIT $3 {lock})
         RETURNING id, kind, campaign_id, mailing_id, subscriber_id, recipient, subject, text_body, html_body, attempts, created_at"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(now + LEASE_SECS).bind(now).bind(limit).fetch_all(&db.pool).await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                campaign_id: r.try_get("campaign_id")?,
                mailing_id: r.try_get("mailing_id")?,
                subscriber_id: r.try_get("subscriber_id")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                text: r.try_get("text_body")?,
                html: r.try_get("html_body")?,
                attempts: r.try_get("attempts")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Marks messages sent, and adds them to their mailings' deliveries, in one transaction.
pub async fn mark_sent(db: &Db, sent: &[&Claimed], now: i64) -> Result<(), sqlx::Error> {
    if sent.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in sent.chunks(500) {
        let list = chunk.iter().map(|m| m.id.to_string()).collect::<Vec<_>>().join(",");
        let sql = format!("UPDATE outbox SET status = 'sent', sent_at = $1, locked_until = NULL WHERE id IN ({list})");
        sqlx::query(AssertSqlSafe(sql)).bind(now).execute(&mut *tx).await?;
    }
    let mut delivered: HashMap<i64, i64> = HashMap::new();
    for mailing in sent.iter().filter_map(|m| m.mailing_id) {
        *delivered.entry(mailing).or_default() += 1;
    }
    mailings::add_delivered(&mut tx, &delivered).await?;
    tx.commit().await
}

/// Seconds before attempt `attempts + 1`: 30 s, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> i64 {
    crate::queue::backoff(attempts)
}

/// A try that failed for now: the message waits and goes again, or fails for good after
/// [`MAX_ATTEMPTS`].
pub async fn retry_later(db: &Db, message: &Claimed, error: &str, now: i64) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    if message.attempts >= MAX_ATTEMPTS {
        return fail(db, message, &error, now).await;
    }
    sqlx::query("UPDATE outbox SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
        .bind(now + backoff(message.attempts))
        .bind(error)
        .bind(message.id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A try that found the mail server unavailable: the message is due again at once, as the
/// sender holds all mail until the server answers. It counts as a try, so a message that
/// meets outage after outage still ends after [`MAX_ATTEMPTS`].
pub async fn hold(db: &Db, message: &Claimed, error: &str, now: i64) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    if message.attempts >= MAX_ATTEMPTS {
        return fail(db, message, &error, now).await;
    }
    sqlx::query("UPDATE outbox SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
        .bind(now)
        .bind(error)
        .bind(message.id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Puts claimed messages back untried: free for the next claim, their try not counted.
pub async fn release(db: &Db, ids: &[i64]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!(
            "UPDATE outbox SET locked_until = NULL, attempts = attempts - 1 WHERE status = 'queued' AND id IN ({list})"
        );
        sqlx::query(AssertSqlSafe(sql)).execute(&db.pool).await?;
    }
    Ok(())
}

async fn fail(db: &Db, message: &Claimed, error: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE outbox SET status = 'failed', sent_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3",
    )
    .bind(now)
    .bind(error)
    .bind(message.id)
    .execute(&mut *tx)
    .await?;
    if let Some(mailing) = message.mailing_id {
        mailings::add_undelivered(&mut tx, mailing, Undelivered::Failed).await?;
    }
    tx.commit().await
}

/// The server refused the message for good: it fails, the address counts a bounce, and at
/// `bounce_limit` bounces the address is marked bouncing and its queued mail is dropped.
pub async fn bounce(db: &Db, message: &Claimed, error: &str, now: i64, bounce_limit: u32) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE outbox SET status = 'failed', sent_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3",
    )
    .bind(now)
    .bind(&error)
    .bind(message.id)
    .execute(&mut *tx)
    .await?;
    if let Some(mailing) = message.mailing_id {
        mailings::add_undelivered(&mut tx, mailing, Undelivered::Bounced).await?;
    }
    if let Some(subscriber) = message.subscriber_id {
        sqlx::query(
            "UPDATE subscribers SET bounces = bounces + 1,
                bouncing_at = CASE WHEN bounces + 1 >= $1 AND bouncing_at IS NULL THEN $2 ELSE bouncing_at END
             WHERE id = $3",
        )
        .bind(i64::from(bounce_limit))
        .bind(now)
        .bind(subscriber)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET status = 'dropped', locked_until = NULL WHERE subscriber_id = $1 AND status = 'queued'
               AND id <> $2 AND EXISTS (SELECT 1 FROM subscribers WHERE id = $1 AND bouncing_at IS NOT NULL)",
        )
        .bind(subscriber)
        .bind(message.id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Drops a subscriber's queued messages of the given kinds (they left the list).
pub async fn drop_queued(conn: &mut AnyConnection, subscriber_id: i64, kinds: &[&str]) -> Result<(), sqlx::Error> {
    for kind in kinds {
        sqlx::query(
            "UPDATE outbox SET status = 'dropped' WHERE subscriber_id = $1 AND kind = $2 AND status = 'queued'",
        )
        .bind(subscriber_id)
        .bind(*kind)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How far the outbox is: totals, the last minute's rate, and each recent campaign.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub queued: i64,
    /// Queued and due now (the rest wait for a retry).
    pub due: i64,
    pub sent: i64,
    pub failed: i64,
    pub dropped: i64,
    pub sent_last_minute: i64,
    pub campaigns: Vec<CampaignProgress>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CampaignProgress {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    /// As stored: `draft` or `sending` (which stays once started); [`Self::state`] tells
    /// whether the sending is over.
    pub status: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub recipients: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub dropped: i64,
}

impl CampaignProgress {
    /// `draft`, `sending` while any of its messages is queued, then `finished`: every message
    /// was sent, failed or dropped. The table keeps `sending` for good once a campaign started.
    pub fn state(&self) -> &'static str {
        match self.status.as_str() {
            "draft" => "draft",
            _ if self.queued > 0 => "sending",
            _ => "finished",
        }
    }
}

/// Messages queued, and how many of them are due at `now`: read from the queued messages'
/// index alone, for `/metrics`.
pub async fn backlog(db: &Db, now: i64) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS queued, COUNT(*) FILTER (WHERE run_at <= $1) AS due FROM outbox WHERE status = 'queued'",
    )
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    Ok((row.try_get("queued")?, row.try_get("due")?))
}

pub async fn status(db: &Db, now: i64, campaigns: i64) -> Result<Status, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE status = 'queued') AS queued,
                COUNT(*) FILTER (WHERE status = 'queued' AND run_at <= $1) AS due,
                COUNT(*) FILTER (WHERE status = 'sent') AS sent,
                COUNT(*) FILTER (WHERE status = 'failed') AS failed,
                COUNT(*) FILTER (WHERE status = 'dropped') AS dropped,
                COUNT(*) FILTER (WHERE status = 'sent' AND sent_at > $2) AS sent_last_minute
         FROM outbox",
    )
    .bind(now)
    .bind(now - 60)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.subject, c.status, c.created_at, c.started_at, c.recipients,
                (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'queued') AS queued,
                (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'sent') AS sent,
                (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'failed') AS failed,
                (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'dropped') AS dropped
         FROM campaigns c ORDER BY c.id DESC LIMIT $1",
    )
    .bind(campaigns)
    .fetch_all(&db.pool)
    .await?;
    let campaigns = rows
        .iter()
        .map(|r| {
            Ok(CampaignProgress {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                subject: r.try_get("subject")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
                started_at: r.try_get("started_at")?,
                recipients: r.try_get("recipients")?,
                queued: r.try_get("queued")?,
                sent: r.try_get("sent")?,
                failed: r.try_get("failed")?,
                dropped: r.try_get("dropped")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Status {
        queued: row.try_get("queued")?,
        due: row.try_get("due")?,
        sent: row.try_get("sent")?,
        failed: row.try_get("failed")?,
        dropped: row.try_get("dropped")?,
        sent_last_minute: row.try_get("sent_last_minute")?,
        campaigns,
    })
}
