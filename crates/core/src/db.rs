//! The database: one pool over SQLite or PostgreSQL, picked by the URL, and the migrations of
//! both backends, embedded in the binary.
//!
//! Queries are written once, in portable SQL with `$1` placeholders, through sqlx's Any driver.
//! Times are `i64` Unix seconds, booleans `i64` 0/1, so both backends decode the same types.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, AssertSqlSafe, ConnectOptions as _, Connection as _};

use crate::config::Config;

pub type Pool = AnyPool;

/// How long a request waits for a connection before it answers 503. Long enough for a burst of
/// requests to queue behind the pool; short enough that readers and load balancers hear of a
/// database outage within seconds (each retry of a lost server also happens within it).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite }
    }

    fn migrations(self) -> &'static [(&'static str, &'static [u8])] {
        match self {
            Backend::Sqlite => crate::embedded::MIGRATIONS_SQLITE,
            Backend::Postgres => crate::embedded::MIGRATIONS_POSTGRES,
        }
    }
}

/// The database connection: the pool and which backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    /// The publication's time zone: listings count their articles per day of this calendar.
    pub zone: jiff::tz::TimeZone,
    /// PostgreSQL's `statement_timeout` on every connection, in milliseconds (0: none).
    statement_timeout_ms: u64,
}

/// Hides the password of a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// Opens the pool; for SQLite, creates the data folder and sets WAL, the busy timeout and
    /// foreign keys on every connection.
    pub async fn connect(config: &Config) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let url = config.database_url();
        let backend = Backend::of_url(&url);
        if backend == Backend::Sqlite && config.database.url.is_empty() {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("cannot create the data folder {}", config.data_dir.display()))?;
        }
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()
            .with_context(|| format!("invalid database URL {}", redact_url(&url)))?
            .disable_statement_logging()
            .log_slow_statements(
                log::LevelFilter::Warn,
                std::time::Duration::from_millis(config.database.slow_statement_ms),
            );
        let busy_timeout = config.database.busy_timeout_ms;
        let statement_timeout_ms = config.database.statement_timeout_secs.saturating_mul(1000);
        // SQLite runs each connection on a thread of its own and serves one writer at a time:
        // more connections than twice the cores only add thread switches (measured in
        // bench/site.sh: 4 connections serve a third more pages than 16 on two cores).
        let max_connections = match backend {
            Backend::Sqlite => {
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
                config.database.max_connections.min((2 * cores).max(4))
            }
            Backend::Postgres => config.database.max_connections,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            // A SQLite connection is a file handle that cannot break; pinging it before each use
            // costs a round trip to its thread. A PostgreSQL connection can be stale after a
            // server restart, so it is checked.
            .test_before_acquire(backend == Backend::Postgres)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A connection must come back outside any transaction. A transaction that failed
            // to commit or roll back (SQLite rolls back by itself when the disk is full, so the
            // later ROLLBACK fails) leaves the driver counting one open; reused, that connection
            // would refuse every BEGIN until the process restarts. Such a connection is closed
            // and the pool opens a fresh one.
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    // A dropped transaction's rollback is queued on the connection: let it run
                    // before deciding.
                    sqlx::Connection::ping(&mut *conn).await?;
                    let clean = !conn.is_in_transaction();
                    if !clean {
                        tracing::warn!("closing a database connection left inside a failed transaction");
                    }
                    Ok(clean)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        let pragmas = format!(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {busy_timeout}; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                        );
                        sqlx::raw_sql(AssertSqlSafe(pragmas)).execute(&mut *conn).await?;
                    } else {
                        let set = format!("SET statement_timeout = {statement_timeout_ms}");
                        sqlx::raw_sql(AssertSqlSafe(set)).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {}", redact_url(&url)))?;
        Ok(Db { pool, backend, zone: config.time_zone(), statement_timeout_ms })
    }

    /// Whether the database answers a trivial query (the health check).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that reads before it writes could otherwise fail with
    /// SQLITE_BUSY_SNAPSHOT when another connection wrote in between, which no busy timeout retries.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Applies the migrations not yet applied, each in its own transaction, in name order.
    /// On PostgreSQL an advisory lock keeps nodes that start together from racing.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Building an index on a large table may take minutes; waiting for another node's
            // migrations too.
            sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
            sqlx::query("SELECT pg_advisory_lock(7262430715)").execute(&mut *conn).await?;
        }
        let result = self.migrate_locked(&mut conn).await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(7262430715)").execute(&mut *conn).await?;
            let set = format!("SET statement_timeout = {}", self.statement_timeout_ms);
            sqlx::raw_sql(AssertSqlSafe(set)).execute(&mut *conn).await?;
        }
        result
    }

    async fn migrate_locked(&self, conn: &mut sqlx::AnyConnection) -> anyhow::Result<usize> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut *conn)
        .await
        .context("cannot create the schema_migrations table")?;
        let applied: Vec<String> =
            sqlx::query_scalar("SELECT name FROM schema_migrations").fetch_all(&mut *conn).await?;
        let mut count = 0;
        for (name, sql) in self.backend.migrations() {
            if applied.iter().any(|a| a == name) {
                continue;
            }
            let sql = std::str::from_utf8(sql).with_context(|| format!("migration {name} is not UTF-8"))?;
            // Rebuilding a table on SQLite (the only way to change a key) drops the old one,
            // which with foreign keys on would cascade into every table that references it.
            // Such a migration asks for them off; SQLite allows that only outside a transaction.
            let keys_off = self.backend == Backend::Sqlite && sql.starts_with(FOREIGN_KEYS_OFF);
            if keys_off {
                sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
            }
            let applied = apply(conn, name, sql, keys_off).await;
            if keys_off {
                sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
            }
            applied?;
            tracing::info!(migration = name, "applied migration");
            count += 1;
        }
        Ok(count)
    }

    /// Writes a consistent copy of a live SQLite database to `target` (SQLite's `VACUUM INTO`).
    pub async fn backup(&self, target: &Path) -> anyhow::Result<()> {
        anyhow::ensure!(self.backend == Backend::Sqlite, "backup copies SQLite databases; for PostgreSQL use pg_dump");
        anyhow::ensure!(!target.exists(), "{} already exists; choose a new file", target.display());
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let target = target.to_str().context("the backup path must be valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
            .with_context(|| format!("cannot write the backup to {target}"))?;
        Ok(())
    }
}

/// The first line of a SQLite migration that must run with foreign keys off.
const FOREIGN_KEYS_OFF: &str = "-- newsdesk: foreign keys off";

/// Runs one migration in its own transaction and records it.
async fn apply(conn: &mut sqlx::AnyConnection, name: &str, sql: &str, check_keys: bool) -> anyhow::Result<()> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.with_context(|| format!("migration {name} failed"))?;
    if check_keys {
        let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut *tx).await?;
        anyhow::ensure!(broken.is_empty(), "migration {name} would leave {} broken references", broken.len());
    }
    sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
        .bind(name)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The current time as Unix seconds, the form every timestamp is stored in.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `$1, $2, ...` for an IN list of `n` values starting after `offset` bound parameters.
pub fn placeholders(offset: usize, n: usize) -> String {
    (1..=n).map(|i| format!("${}", offset + i)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }

    #[test]
    fn placeholders_continue_numbering() {
        assert_eq!(placeholders(2, 3), "$3, $4, $5");
    }
}
