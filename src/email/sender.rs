//! The sender: claims due messages from the outbox, sends them through the transport, and
//! records the outcome. Each accepted message is marked sent as soon as the send loop sees it
//! (together with any others that finished meanwhile), before the loop starts another send. So
//! the messages accepted but not yet marked are always among the `email.connections` being
//! sent or marked, and a crash (SIGKILL, power loss) sends again at most that many.
//!
//! A mail server that cannot be reached (connection refused, no answer, a failed greeting or
//! sign-in) is an outage, not the fault of the messages tried: it is logged once when it begins
//! and once when it ends, the messages tried wait without backoff, the rest of the batch is
//! put back untried, and the sender only probes the server (one connection, no message and no
//! rate-limit slot) every few seconds until it answers.
//!
//! The rate limit, `email.rate_per_second`, holds for all nodes together: each node paces its
//! own sends with a token bucket, and takes its share of every second from a counter in the
//! database, so two nodes do not send twice the rate.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Row as _;
use tokio::task::JoinSet;

use super::Env;
use super::compose::{self, MailSite, Parts};
use super::outbox::{self, Claimed, kind};
use super::transport::{SendError, Transport};
use crate::config::Config;

/// Messages a crash can leave accepted but unmarked beyond the `email.connections` in flight:
/// none, as each is marked as soon as the send loop sees it. Kept under its old name (marks were
/// once written 25 at a time) for the tests that add it to the number of connections.
pub const MARK_EVERY: usize = 0;
const IDLE: Duration = Duration::from_secs(1);
/// The first wait before probing a mail server that cannot be reached; it doubles up to
/// [`MAX_PROBE_DELAY`]. The cap is short so that mail flows within seconds of the server's
/// return: a probe costs one connection attempt, nothing else.
const FIRST_PROBE_DELAY: Duration = Duration::from_millis(500);
const MAX_PROBE_DELAY: Duration = Duration::from_secs(2);

/// A token bucket: `rate` tokens per second, holding at most one second's worth.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    state: parking_lot::Mutex<(f64, Instant)>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        let rate = f64::from(per_second.max(1));
        RateLimiter { rate, state: parking_lot::Mutex::new((1.0, Instant::now())) }
    }

    /// Waits until one more message may go.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock();
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

    /// Returns the token of a send that never reached the server.
    pub fn give_back(&self) {
        let mut state = self.state.lock();
        state.0 = (state.0 + 1.0).min(self.rate.max(1.0));
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

    /// Returns the grant of a send that never reached the server, if its second is still the
    /// current grant's: the next send takes it. (A grant of a past second is worthless anyway.)
    pub async fn give_back(&self, second: i64) {
        let mut granted = self.granted.lock().await;
        if granted.0 == second {
            granted.1 += 1;
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

/// A mail server that cannot be reached, from the first failed attempt until a probe gets
/// through.
#[derive(Debug, Default)]
pub struct Outage {
    state: parking_lot::Mutex<Option<OutageState>>,
}

#[derive(Debug)]
struct OutageState {
    began: Instant,
    /// Messages tried in vain.
    failed: u64,
    /// Probes that found the server still unavailable.
    probes: u64,
    delay: Duration,
    next_probe: Instant,
    /// When the outage was last logged at warning level: it is repeated every few minutes, so a
    /// lasting one (a wrong password, say) does not stall mail with a single line to show.
    logged: Instant,
}

/// How often a lasting outage is logged again.
const OUTAGE_REMINDER: Duration = Duration::from_secs(300);

impl Outage {
    fn lock(&self) -> parking_lot::MutexGuard<'_, Option<OutageState>> {
        self.state.lock()
    }

    /// Whether the mail server is taken to be unavailable.
    pub fn is_active(&self) -> bool {
        self.lock().is_some()
    }

    /// Counts a message that found the server unavailable; the first begins the outage and
    /// is the one logged.
    fn message_failed(&self, error: &str) {
        let mut state = self.lock();
        match &mut *state {
            Some(outage) => {
                outage.failed += 1;
                tracing::debug!(error, "mail server still unavailable");
            }
            None => {
                tracing::warn!(error, "mail server unavailable: mail waits until it answers again");
                let now = Instant::now();
                *state = Some(OutageState {
                    began: now,
                    failed: 1,
                    probes: 0,
                    delay: FIRST_PROBE_DELAY,
                    next_probe: now + FIRST_PROBE_DELAY,
                    logged: now,
                });
            }
        }
    }

    fn probe_due(&self) -> bool {
        self.lock().as_ref().is_some_and(|outage| Instant::now() >= outage.next_probe)
    }

    fn probe_failed(&self, error: &str) {
        if let Some(outage) = self.lock().as_mut() {
            outage.probes += 1;
            outage.delay = (outage.delay * 2).min(MAX_PROBE_DELAY);
            outage.next_probe = Instant::now() + outage.delay;
            if outage.logged.elapsed() >= OUTAGE_REMINDER {
                outage.logged = Instant::now();
                let seconds = outage.began.elapsed().as_secs();
                tracing::warn!(error, seconds, "mail server still unavailable after {seconds} s: mail waits");
            } else {
                tracing::debug!(error, next_probe_in = ?outage.delay, "mail server still unavailable");
            }
        }
    }

    fn end(&self) {
        if let Some(outage) = self.lock().take() {
            let seconds = outage.began.elapsed().as_secs();
            tracing::warn!(
                seconds,
                failed_attempts = outage.failed,
                failed_probes = outage.probes,
                "mail server available again after {seconds} s ({} message attempt(s) and {} probe(s) failed); sending resumes",
                outage.failed,
                outage.probes,
            );
        }
    }
}

/// The sending side of the app: transport, rate limits and what every message shares.
#[derive(Debug)]
pub struct Mailer {
    pub transport: Transport,
    pub limiter: RateLimiter,
    pub shared: SharedRate,
    pub outage: Outage,
    /// The envelope sender: the `email.from` of the file (the headers' site name and List-Id
    /// follow the live settings: `Live::mail_site`).
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
            outage: Outage::default(),
            from,
            batch: i64::from(rate.saturating_mul(10)).clamp(1, 500),
            concurrency: config.email.connections as usize,
        })
    }
}

type CampaignParts = Arc<(String, String, String)>;

async fn campaign_parts(
    app: &dyn Env,
    cache: &mut HashMap<i64, CampaignParts>,
    id: i64,
) -> Result<Option<CampaignParts>, sqlx::Error> {
    if let Some(found) = cache.get(&id) {
        return Ok(Some(found.clone()));
    }
    let row = sqlx::query("SELECT subject, text_body, html_body FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.db().pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let parts = Arc::new((row.try_get("subject")?, row.try_get("text_body")?, row.try_get("html_body")?));
    cache.insert(id, parts.clone());
    Ok(Some(parts))
}

/// Whether mail may go: yes, unless the mail server is in an outage. Then a probe, when one is
/// due, tells whether the outage is over.
async fn server_ready(app: &dyn Env) -> bool {
    if !app.mailer().outage.probe_due() {
        return !app.mailer().outage.is_active();
    }
    match app.mailer().transport.probe().await {
        Ok(()) => {
            app.mailer().outage.end();
            true
        }
        Err(SendError::Unavailable(error) | SendError::Transient(error) | SendError::Permanent(error)) => {
            app.mailer().outage.probe_failed(&error);
            false
        }
    }
}

/// Claims one batch and sends it; returns how many messages were claimed (none while the mail
/// server is unavailable).
pub async fn send_batch<E: Env>(app: &Arc<E>) -> anyhow::Result<usize> {
    if !server_ready(app).await {
        return Ok(0);
    }
    let claimed = outbox::claim(app.db(), app.now(), app.mailer().batch).await?;
    let count = claimed.len();
    if count == 0 {
        return Ok(0);
    }
    let mut campaigns: HashMap<i64, CampaignParts> = HashMap::new();
    // The readers' link tokens of the whole batch, in one query.
    let readers: Vec<i64> = claimed.iter().filter_map(|m| m.subscriber_id).collect();
    let tokens = super::subscribers::link_tokens(app.db(), app.keys(), &readers).await?;
    let mut tasks: JoinSet<(Claimed, Result<(), SendError>)> = JoinSet::new();
    let mut queue = claimed.into_iter();
    let mut unavailable = false;
    loop {
        // No new sends while marks are written: what was accepted but is not yet marked stays
        // within the sends in flight.
        while !unavailable && tasks.len() < app.mailer().concurrency {
            let Some(message) = queue.next() else { break };
            let campaign = match message.campaign_id {
                Some(id) => campaign_parts(app, &mut campaigns, id).await?,
                None => None,
            };
            // Mail to staff (invitations, password links) has no reader's links to fill in.
            let token = match message.subscriber_id {
                Some(id) => tokens.get(&id).cloned(),
                None => Some(String::new()),
            };
            let app = app.clone();
            tasks.spawn(async move {
                let result = match token {
                    Some(token) => deliver(&app, &message, campaign.as_deref(), &token).await,
                    None => Err(SendError::Permanent(format!("message {}: its reader is gone", message.id))),
                };
                (message, result)
            });
        }
        let Some(first) = tasks.join_next().await else { break };
        let mut finished = Vec::new();
        for done in std::iter::once(first).chain(std::iter::from_fn(|| tasks.try_join_next())) {
            match done {
                Ok(done) => finished.push(done),
                // Its message stays leased and goes again when the lease runs out.
                Err(e) => tracing::error!(error = %e, "a mail send task failed"),
            }
        }
        let now = app.now();
        let accepted: Vec<&Claimed> = finished.iter().filter(|(_, result)| result.is_ok()).map(|(m, _)| m).collect();
        outbox::mark_sent(app.db(), &accepted, now).await?;
        metrics::counter!("newsdesk_mail_sent_total").increment(accepted.len() as u64);
        for (message, result) in finished {
            let outcome = match &result {
                Ok(()) => None,
                Err(SendError::Unavailable(_)) => Some("unavailable"),
                Err(SendError::Transient(_)) => Some("delayed"),
                Err(SendError::Permanent(_)) => Some("refused"),
            };
            if let Some(outcome) = outcome {
                metrics::counter!("newsdesk_mail_failed_total", "outcome" => outcome).increment(1);
            }
            match result {
                Ok(()) => {}
                Err(SendError::Unavailable(error)) => {
                    unavailable = true;
                    app.mailer().outage.message_failed(&error);
                    outbox::hold(app.db(), &message, &error, now).await?;
                }
                Err(SendError::Transient(error)) => {
                    tracing::warn!(message = message.id, attempt = message.attempts, error, "mail delayed");
                    outbox::retry_later(app.db(), &message, &error, now).await?;
                }
                Err(SendError::Permanent(error)) => {
                    tracing::warn!(message = message.id, error, "mail refused for good");
                    outbox::bounce(app.db(), &message, &error, now, app.config().email.bounce_limit).await?;
                }
            }
        }
    }
    if unavailable {
        outbox::release(app.db(), &queue.map(|m| m.id).collect::<Vec<_>>()).await?;
    }
    Ok(count)
}

async fn deliver(
    app: &dyn Env,
    message: &Claimed,
    campaign: Option<&(String, String, String)>,
    token: &str,
) -> Result<(), SendError> {
    let Some((subject, text, html)) = compose::parts_of(message, campaign) else {
        return Err(SendError::Permanent(format!("message {} has no content", message.id)));
    };
    let parts = Parts {
        outbox_id: message.id,
        created_at: message.created_at,
        to: &message.recipient,
        subject,
        text,
        html,
        token,
        list: matches!(message.kind.as_str(), kind::CAMPAIGN | kind::ALERT | kind::ALERT_SUMMARY),
        mailing: message.mailing_id,
    };
    let bytes = compose::format(&app.mail_site(), &parts, app.now()).map_err(SendError::Permanent)?;
    app.mailer().limiter.acquire().await;
    let second =
        app.mailer().shared.acquire(app.db()).await.map_err(|e| SendError::Transient(format!("rate limit: {e}")))?;
    let name = format!("{}.{}", message.created_at, message.id);
    let result = app.mailer().transport.send(&app.mailer().from, &message.recipient, &name, &bytes).await;
    if matches!(result, Err(SendError::Unavailable(_))) {
        // Nothing reached the server: the slot goes to a message that will.
        app.mailer().limiter.give_back();
        app.mailer().shared.give_back(second).await;
    }
    result
}

/// Sends everything due now; tests call it to make mail deterministic. Returns how many
/// messages were claimed.
pub async fn send_pending<E: Env>(app: &Arc<E>) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let n = send_batch(app).await?;
        if n == 0 || app.mailer().outage.is_active() {
            return Ok(total + n);
        }
        total += n;
    }
}

/// Sends until `stop` turns true.
pub async fn run<E: Env>(app: Arc<E>, mut stop: tokio::sync::watch::Receiver<bool>) {
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

    #[tokio::test]
    async fn a_send_that_never_reached_the_server_gives_its_token_back() {
        let limiter = RateLimiter::new(10);
        let tokens = |l: &RateLimiter| l.state.lock().0;
        limiter.acquire().await;
        assert!(tokens(&limiter) < 1.0, "the one token was taken");
        limiter.give_back();
        assert!(tokens(&limiter) >= 1.0, "and is there again for the next message");
    }

    #[tokio::test]
    async fn a_grant_given_back_in_its_second_goes_to_the_next_send() {
        let shared = SharedRate::new(50);
        *shared.granted.lock().await = (1_000, 2);
        shared.give_back(1_000).await;
        assert_eq!(*shared.granted.lock().await, (1_000, 3));
        shared.give_back(999).await;
        assert_eq!(*shared.granted.lock().await, (1_000, 3), "a past second's grant is worth nothing");
    }

    #[test]
    fn an_outage_begins_once_backs_off_and_ends_once() {
        let outage = Outage::default();
        assert!(!outage.is_active() && !outage.probe_due());
        outage.message_failed("connection refused");
        outage.message_failed("connection refused");
        assert!(outage.is_active());
        let delay = |o: &Outage| o.lock().as_ref().unwrap().delay;
        assert_eq!(delay(&outage), FIRST_PROBE_DELAY);
        for _ in 0..10 {
            outage.probe_failed("connection refused");
        }
        assert_eq!(delay(&outage), MAX_PROBE_DELAY, "the wait doubles up to its cap");
        assert!(!outage.probe_due(), "no probe before the wait is over");
        {
            let state = outage.lock();
            let state = state.as_ref().unwrap();
            assert_eq!((state.failed, state.probes), (2, 10));
        }
        outage.end();
        assert!(!outage.is_active());
    }
}
