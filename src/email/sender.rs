//! The sender: claims due messages from the outbox, sends them through the transport, and
//! records the outcome. Marks are written in small batches, so a crash sends again at most the
//! messages sent since the last mark plus those on the wire.
//!
//! The rate limit, `email.rate_per_second`, holds for all nodes together: each node paces its
//! own sends with a token bucket, and takes its share of every second from a counter in the
//! database, so two nodes do not send twice the rate.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Row as _;
use tokio::task::JoinSet;

use super::compose::{self, MailSite, Parts};
use super::outbox::{self, Claimed, kind};
use super::transport::{SendError, Transport};
use crate::app::App;
use crate::config::Config;

/// Sent messages are marked in groups of this size (or when a batch ends).
pub const MARK_EVERY: usize = 25;
const IDLE: Duration = Duration::from_secs(1);

/// A token bucket: `rate` tokens per second, holding at most one second's worth.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    state: std::sync::Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        let rate = f64::from(per_second.max(1));
        RateLimiter { rate, state: std::sync::Mutex::new((1.0, Instant::now())) }
    }

    /// Waits until one more message may go.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().expect("rate limiter lock");
                let now = Instant::now();
                let refill = now.duration_since(state.1).as_secs_f64() * self.rate;
                state.0 = (state.0 + refill).min(self.rate.max(1.0));
                state.1 = now;
                if state.0 >= 1.0 {
                    state.0 -= 1.0;
                    None
                } else {
                    Some(Duration::from_secs_f64((1.0 - state.0) / self.rate))
                }
            };
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }
}

/// The rate limit shared by all nodes: a row per second of the clock in `mail_rate` counts the
/// messages granted in it. A node takes a chunk of it at a time (a tenth of the rate), and when
/// the second is used up waits for the next one.
#[derive(Debug)]
pub struct SharedRate {
    rate: i64,
    chunk: i64,
    /// The second of the last grant and what is left of it.
    granted: tokio::sync::Mutex<(i64, i64)>,
}

impl SharedRate {
    pub fn new(per_second: u32) -> SharedRate {
        let rate = i64::from(per_second.max(1));
        SharedRate { rate, chunk: (rate / 10).max(1), granted: tokio::sync::Mutex::new((0, 0)) }
    }

    /// Waits until this node may send one more message; returns the second it was granted in.
    pub async fn acquire(&self, db: &crate::db::Db) -> Result<i64, sqlx::Error> {
        let mut granted = self.granted.lock().await;
        loop {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let second = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
            if granted.0 == second && granted.1 > 0 {
                granted.1 -= 1;
                return Ok(second);
            }
            let taken: i64 = sqlx::query_scalar(
                "INSERT INTO mail_rate (at_second, taken) VALUES ($1, $2)
                 ON CONFLICT (at_second) DO UPDATE SET taken = mail_rate.taken + excluded.taken
                 RETURNING taken",
            )
            .bind(second)
            .bind(self.chunk)
            .fetch_one(&db.pool)
            .await?;
            let got = (self.rate - (taken - self.chunk)).clamp(0, self.chunk);
            if got > 0 {
                *granted = (second, got - 1);
                return Ok(second);
            }
            tokio::time::sleep(Duration::from_nanos(u64::from(1_000_000_000 - now.subsec_nanos()))).await;
        }
    }

    /// Forgets the counts of seconds more than a minute old.
    pub async fn sweep(db: &crate::db::Db, now: i64) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM mail_rate WHERE at_second < $1")
            .bind(now - 60)
            .execute(&db.pool)
            .await?
            .rows_affected())
    }
}

/// The sending side of the app: transport, rate limits and what every message shares.
#[derive(Debug)]
pub struct Mailer {
    pub transport: Transport,
    pub limiter: RateLimiter,
    pub shared: SharedRate,
    pub site: MailSite,
    pub from: lettre::Address,
    /// Messages claimed at once: about ten seconds' worth, so a batch ends well inside its lease.
    pub batch: i64,
    pub concurrency: usize,
}

impl Mailer {
    pub fn new(config: &Config) -> anyhow::Result<Mailer> {
        let site = MailSite::from_config(config)?;
        let from = site.from.email.clone();
        let rate = config.email.rate_per_second;
        Ok(Mailer {
            transport: Transport::from_config(config, &site.host)?,
            limiter: RateLimiter::new(rate),
            shared: SharedRate::new(rate),
            site,
            from,
            batch: i64::from(rate.saturating_mul(10)).clamp(1, 500),
            concurrency: config.email.connections as usize,
        })
    }
}

type CampaignParts = Arc<(String, String, String)>;

async fn campaign_parts(
    app: &App,
    cache: &mut HashMap<i64, CampaignParts>,
    id: i64,
) -> Result<Option<CampaignParts>, sqlx::Error> {
    if let Some(found) = cache.get(&id) {
        return Ok(Some(found.clone()));
    }
    let row = sqlx::query("SELECT subject, text_body, html_body FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let parts = Arc::new((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
    cache.insert(id, parts.clone());
    Ok(Some(parts))
}

/// Claims one batch and sends it; returns how many messages were claimed.
pub async fn send_batch(app: &Arc<App>) -> anyhow::Result<usize> {
    let claimed = outbox::claim(&app.db, app.now(), app.mailer.batch).await?;
    let count = claimed.len();
    if count == 0 {
        return Ok(0);
    }
    let mut campaigns: HashMap<i64, CampaignParts> = HashMap::new();
    let mut tasks: JoinSet<(Claimed, Result<(), SendError>)> = JoinSet::new();
    let mut sent: Vec<i64> = Vec::new();
    let mut queue = claimed.into_iter();
    loop {
        while tasks.len() < app.mailer.concurrency {
            let Some(message) = queue.next() else { break };
            let campaign = match message.campaign_id {
                Some(id) => campaign_parts(app, &mut campaigns, id).await?,
                None => None,
            };
            let app = app.clone();
            tasks.spawn(async move {
                let result = deliver(&app, &message, campaign.as_deref()).await;
                (message, result)
            });
        }
        let Some(done) = tasks.join_next().await else { break };
        let (message, result) = done?;
        let now = app.now();
        match result {
            Ok(()) => {
                sent.push(message.id);
                if sent.len() >= MARK_EVERY {
                    outbox::mark_sent(&app.db, &std::mem::take(&mut sent), now).await?;
                }
            }
            Err(SendError::Transient(error)) => {
                tracing::warn!(message = message.id, attempt = message.attempts, error, "mail delayed");
                outbox::retry_later(&app.db, &message, &error, now).await?;
            }
            Err(SendError::Permanent(error)) => {
                tracing::warn!(message = message.id, error, "mail refused for good");
                outbox::bounce(&app.db, &message, &error, now, app.config().email.bounce_limit).await?;
            }
        }
    }
    outbox::mark_sent(&app.db, &sent, app.now()).await?;
    Ok(count)
}

async fn deliver(app: &App, message: &Claimed, campaign: Option<&(String, String, String)>) -> Result<(), SendError> {
    let Some((subject, text, html)) = compose::parts_of(message, campaign) else {
        return Err(SendError::Permanent(format!("message {} has no content", message.id)));
    };
    let token = super::subscriber_token(&app.keys, message.subscriber_id.unwrap_or(0));
    let parts = Parts {
        outbox_id: message.id,
        created_at: message.created_at,
        to: &message.recipient,
        subject,
        text,
        html,
        token: &token,
        list: matches!(message.kind.as_str(), kind::CAMPAIGN | kind::ALERT | kind::ALERT_SUMMARY),
    };
    let bytes = compose::format(&app.mailer.site, &parts, app.now()).map_err(SendError::Permanent)?;
    app.mailer.limiter.acquire().await;
    app.mailer.shared.acquire(&app.db).await.map_err(|e| SendError::Transient(format!("rate limit: {e}")))?;
    let name = format!("{}.{}", message.created_at, message.id);
    app.mailer.transport.send(&app.mailer.from, &message.recipient, &name, &bytes).await
}

/// Sends everything due now; tests call it to make mail deterministic. Returns how many
/// messages were claimed.
pub async fn send_pending(app: &Arc<App>) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let n = send_batch(app).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Sends until `stop` turns true.
pub async fn run(app: Arc<App>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let claimed = match send_batch(&app).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "mail round failed");
                0
            }
        };
        if *stop.borrow() {
            return;
        }
        if claimed == 0 {
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_rate_limit_spaces_messages() {
        let limiter = RateLimiter::new(100);
        let started = Instant::now();
        for _ in 0..51 {
            limiter.acquire().await;
        }
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    }
}
