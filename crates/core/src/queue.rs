//! The durable work queue. A write that must cause work elsewhere records an event
//! (`changes`), and the event's consumers add jobs here in one transaction; a worker claims due rows
//! with a lease, does the work and marks the row done, or schedules a retry with backoff. A
//! crash loses nothing: an expired lease makes the row claimable again, and every job is
//! idempotent, so doing one twice is harmless.
//!
//! On PostgreSQL several nodes claim from one table; `FOR UPDATE SKIP LOCKED` keeps them from
//! taking the same row. SQLite has one writer at a time, which serialises claims by itself.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

use crate::db::{Backend, Db};

/// After this many failed attempts a job is marked failed and no longer retried.
pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claimed job is reserved for its worker.
pub const LEASE_SECS: i64 = 300;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including the current one.
    pub attempts: i64,
}

/// Done jobs are kept this long (for operators looking into what happened), then removed.
const KEEP_DONE_SECS: i64 = 7 * 86_400;

/// A kind of job: its payload is the value, `NAME` its kind in the queue table. Each kind is
/// registered once with its handler ([`Registry`]).
pub trait Kind: Serialize + DeserializeOwned + Send + 'static {
    const NAME: &'static str;
}

/// Adds a job, inside the caller's transaction.
pub async fn enqueue<K: Kind>(conn: &mut AnyConnection, job: &K, run_at: i64) -> Result<i64, sqlx::Error> {
    let kind = K::NAME;
    let payload = serde_json::to_string(job).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_scalar(
        "INSERT INTO queue (kind, payload, run_at, attempts, created_at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(crate::db::now())
    .fetch_one(&mut *conn)
    .await
}

/// Which kinds of job a worker claims: the main worker does one job after another, the
/// delivery loop many at a time, so a slow remote server holds up neither the other jobs nor
/// the other servers.
#[derive(Debug, Clone, Copy)]
pub enum Lane<'a> {
    All,
    Only(&'a [&'a str]),
    Except(&'a [&'a str]),
}

/// Reserves up to `limit` due jobs of the lane for `LEASE_SECS` and returns them.
pub async fn claim(db: &Db, now: i64, limit: i64, lane: Lane<'_>) -> Result<Vec<Job>, sqlx::Error> {
    let lock = match db.backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // The kinds are the program's own names, never input; written as literals.
    let list = |kinds: &[&str]| {
        let quoted: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.replace('\'', ""))).collect();
        if quoted.is_empty() { "''".to_string() } else { quoted.join(", ") }
    };
    let kinds = match lane {
        Lane::All => String::new(),
        Lane::Only(kinds) => format!("AND kind IN ({})", list(kinds)),
        Lane::Except(kinds) => format!("AND kind NOT IN ({})", list(kinds)),
    };
    let sql = format!(
        "UPDATE queue SET locked_until = $1, attempts = attempts + 1 WHERE id IN (
            SELECT id FROM queue WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $2
              AND (locked_until IS NULL OR locked_until < $2) {kinds}
            ORDER BY run_at, id LIMIT $3 {lock})
         RETURNING id, kind, payload, attempts"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(now + LEASE_SECS).bind(now).bind(limit).fetch_all(&db.pool).await?;
    let mut jobs: Vec<Job> = rows
        .iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            Ok(Job {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts: r.try_get("attempts")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

pub async fn complete(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE queue SET done_at = $1, locked_until = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Seconds to wait before attempt `attempts + 1`: 30 s, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (30_i64 << exponent).min(6 * 3600)
}

/// Records a failure: the job runs again after a backoff, or is marked failed for good.
pub async fn fail(db: &Db, job: &Job, error: &str, now: i64) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(2000).collect();
    if job.attempts >= MAX_ATTEMPTS {
        sqlx::query("UPDATE queue SET failed_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
            .bind(now)
            .bind(error)
            .bind(job.id)
            .execute(&db.pool)
            .await?;
    } else {
        sqlx::query("UPDATE queue SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3")
            .bind(now + backoff(job.attempts))
            .bind(error)
            .bind(job.id)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// Removes done jobs older than a week; failed ones stay for operators to look into.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM queue WHERE done_at IS NOT NULL AND done_at < $1")
        .bind(now - KEEP_DONE_SECS)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}

type Handler<C> =
    Box<dyn Fn(C, serde_json::Value) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync>;

/// The handler of every job kind, registered once by the composition root; `C` is what the
/// handlers are given to work with.
pub struct Registry<C> {
    handlers: HashMap<&'static str, Handler<C>>,
}

impl<C> Default for Registry<C> {
    fn default() -> Self {
        Registry { handlers: HashMap::new() }
    }
}

impl<C: Clone + Send + 'static> Registry<C> {
    /// Registers the handler of kind `K`. A kind registered twice is a programming error.
    pub fn register<K, F, Fut>(&mut self, handler: F) -> &mut Self
    where
        K: Kind,
        F: Fn(C, K) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let boxed: Handler<C> = Box::new(move |context, payload| match serde_json::from_value::<K>(payload) {
            Ok(job) => Box::pin(handler(context, job)),
            Err(e) => Box::pin(async move { Err(anyhow::anyhow!("bad payload of a {} job: {e}", K::NAME)) }),
        });
        let earlier = self.handlers.insert(K::NAME, boxed);
        assert!(earlier.is_none(), "job kind {} registered twice", K::NAME);
        self
    }

    /// Does one claimed job with the handler of its kind.
    pub async fn run(&self, context: C, job: &Job) -> anyhow::Result<()> {
        match self.handlers.get(job.kind.as_str()) {
            Some(handler) => handler(context, job.payload.clone()).await,
            None => anyhow::bail!("unknown job kind {:?}", job.kind),
        }
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}

/// Counts of jobs by state, for operators and tests.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
}

pub async fn counts<K: Kind>(db: &Db) -> Result<Counts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL) AS pending,
                COUNT(*) FILTER (WHERE done_at IS NOT NULL) AS done,
                COUNT(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
         FROM queue WHERE kind = $1",
    )
    .bind(K::NAME)
    .fetch_one(&db.pool)
    .await?;
    Ok(Counts { pending: row.try_get("pending")?, done: row.try_get("done")?, failed: row.try_get("failed")? })
}

/// Jobs not yet done or given up, by kind: how many, and how many of them are due at `now`
/// (the rest wait for a retry). Read from the pending jobs' index, for `/metrics`.
pub async fn pending_by_kind(db: &Db, now: i64) -> Result<HashMap<String, (i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS pending, COUNT(*) FILTER (WHERE run_at <= $1) AS due
         FROM queue WHERE done_at IS NULL AND failed_at IS NULL GROUP BY kind",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("kind")?, (r.try_get("pending")?, r.try_get("due")?)))).collect()
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(5), 480);
        assert_eq!(backoff(30), 6 * 3600);
    }
}
