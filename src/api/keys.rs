//! API keys: made by admins, sent by programs in a header, checked and counted per request.
//!
//! A key is `nd_` and 40 random hex digits. The site keeps only its hash (`keys::hash`) and its
//! first characters, so a stolen database gives no working key. Each key says how many requests
//! a minute it may make and which web origins may use it from a browser (CORS).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{Row as _, any::AnyRow};

use crate::auth::keys::{hash, random_hex};
use crate::db::Db;

/// What every key starts with, so that one found in a repository or a log can be recognised.
pub const KEY_PREFIX: &str = "nd_";
pub const MAX_NAME: usize = 80;
pub const MAX_ORIGINS: usize = 20;
/// Requests a minute a key may be given.
pub const PER_MINUTE: std::ops::RangeInclusive<u32> = 1..=100_000;
pub const DEFAULT_PER_MINUTE: u32 = 600;
/// `last_used_at` is written at most this often per key, not on every request.
const USE_RECORDED_EVERY: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The key's first characters, as shown in the list.
    pub prefix: String,
    pub origins: Vec<String>,
    pub per_minute: u32,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    /// Whether a page of `origin` may read the answers (`*` lets any).
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == "*" || o == origin)
    }
}

/// A checked key request from the admin form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInput {
    pub name: String,
    pub origins: Vec<String>,
    pub per_minute: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the name is missing")]
    NoName,
    #[error("the name is longer than {MAX_NAME} characters")]
    LongName,
    #[error("{0:?} is not an origin like https://example.org")]
    BadOrigin(String),
    #[error("more than {MAX_ORIGINS} origins")]
    TooManyOrigins,
    #[error("requests a minute must be a number from 1 to 100000")]
    BadRate,
}

impl KeyError {
    /// The locale key of the message shown in the form.
    pub fn message_key(&self) -> &'static str {
        match self {
            KeyError::NoName | KeyError::LongName => "integration-error-name",
            KeyError::BadOrigin(_) | KeyError::TooManyOrigins => "integration-error-origin",
            KeyError::BadRate => "integration-error-rate",
        }
    }
}

impl KeyInput {
    /// `origins` is one per line (or separated by spaces or commas); `per_minute` as typed.
    pub fn parse(name: &str, origins: &str, per_minute: &str) -> Result<KeyInput, KeyError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(KeyError::NoName);
        }
        if name.chars().count() > MAX_NAME {
            return Err(KeyError::LongName);
        }
        let mut list: Vec<String> = Vec::new();
        for origin in origins.split(|c: char| c.is_whitespace() || c == ',').filter(|o| !o.is_empty()) {
            let origin = parse_origin(origin).ok_or_else(|| KeyError::BadOrigin(origin.chars().take(100).collect()))?;
            if !list.contains(&origin) {
                list.push(origin);
            }
        }
        if list.len() > MAX_ORIGINS {
            return Err(KeyError::TooManyOrigins);
        }
        let per_minute = match per_minute.trim() {
            "" => DEFAULT_PER_MINUTE,
            n => n.parse().ok().filter(|n| PER_MINUTE.contains(n)).ok_or(KeyError::BadRate)?,
        };
        Ok(KeyInput { name: name.to_string(), origins: list, per_minute })
    }
}

/// An origin as browsers send it (`https://example.org`, `http://localhost:3000`), lower case;
/// or `*`.
fn parse_origin(text: &str) -> Option<String> {
    if text == "*" {
        return Some(text.to_string());
    }
    let url = reqwest::Url::parse(text).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none();
    plain.then(|| url.origin().ascii_serialization())
}

fn key_from_row(row: &AnyRow) -> Result<ApiKey, sqlx::Error> {
    let origins: String = row.try_get("cors_origins")?;
    let per_minute: i64 = row.try_get("per_minute")?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        origins: origins.lines().map(String::from).collect(),
        per_minute: u32::try_from(per_minute).unwrap_or(DEFAULT_PER_MINUTE),
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

const COLUMNS: &str = "id, name, prefix, cors_origins, per_minute, created_at, last_used_at, revoked_at";

/// Makes a key; returns it with the secret, which is shown once and never stored.
pub async fn create(db: &Db, input: &KeyInput, created_by: i64, now: i64) -> Result<(ApiKey, String), sqlx::Error> {
    let secret = format!("{KEY_PREFIX}{}", random_hex(20));
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 6).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, prefix, key_hash, cors_origins, per_minute, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&input.name)
    .bind(&prefix)
    .bind(hash(secret.as_bytes()))
    .bind(input.origins.join("\n"))
    .bind(i64::from(input.per_minute))
    .bind(created_by)
    .bind(now)
    .fetch_one(&db.pool)
    .await?;
    let key = ApiKey {
        id,
        name: input.name.clone(),
        prefix,
        origins: input.origins.clone(),
        per_minute: input.per_minute,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    Ok((key, secret))
}

/// Every key, the newest first, revoked ones included.
pub async fn all(db: &Db) -> Result<Vec<ApiKey>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY id DESC");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(key_from_row).collect()
}

pub async fn find(db: &Db, id: i64) -> Result<Option<ApiKey>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(key_from_row)
        .transpose()
}

/// What a key is looked up and counted by: the hash of what a request sent, if it has the shape
/// of a key.
pub fn digest(secret: &str) -> Option<String> {
    (secret.starts_with(KEY_PREFIX) && secret.len() <= 100).then(|| hash(secret.as_bytes()))
}

/// The key with this [`digest`], revoked or not; `None` for a key that never existed.
pub async fn find_by_digest(db: &Db, digest: &str) -> Result<Option<ApiKey>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(digest).fetch_optional(&db.pool).await?;
    row.as_ref().map(key_from_row).transpose()
}

/// Revokes a key from now on; false when there is no such key or it was revoked already.
pub async fn revoke(db: &Db, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes that the key was used, at most once a minute.
pub async fn record_use(db: &Db, key: &ApiKey, now: i64) -> Result<(), sqlx::Error> {
    if key.last_used_at.is_some_and(|t| now - t < USE_RECORDED_EVERY) {
        return Ok(());
    }
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now)
        .bind(key.id)
        .bind(now - USE_RECORDED_EVERY)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Requests counted per key in fixed one-minute windows, in this process's memory: with several
/// nodes, each allows a key its rate (the load balancer spreads a key's requests).
#[derive(Debug, Default)]
pub struct RateLimits {
    windows: parking_lot::Mutex<HashMap<String, (i64, u32)>>,
}

/// What a request's key may still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window starts again.
    pub reset_secs: i64,
}

impl RateLimits {
    /// Counts a request of `key` at `now` (seconds).
    pub fn take(&self, key: &ApiKey, digest: &str, now: i64) -> Allowance {
        let window = now - now.rem_euclid(60);
        let mut windows = self.windows.lock();
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(digest.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < key.per_minute;
        if allowed {
            entry.1 += 1;
        }
        Allowance { allowed, limit: key.per_minute, remaining: key.per_minute - entry.1, reset_secs: window + 60 - now }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_requests_are_checked() {
        let input =
            KeyInput::parse(" Static site ", "https://Example.org\nhttp://localhost:3000, https://example.org/", "")
                .unwrap();
        assert_eq!(input.name, "Static site");
        assert_eq!(input.origins, ["https://example.org", "http://localhost:3000"]);
        assert_eq!(input.per_minute, DEFAULT_PER_MINUTE);
        assert_eq!(KeyInput::parse("", "", "").unwrap_err(), KeyError::NoName);
        assert_eq!(KeyInput::parse(&"x".repeat(81), "", "").unwrap_err(), KeyError::LongName);
        for bad in
            ["example.org", "ftp://example.org", "https://example.org/path", "https://u:p@example.org", "https://"]
        {
            assert!(matches!(KeyInput::parse("k", bad, ""), Err(KeyError::BadOrigin(_))), "{bad}");
        }
        for bad in ["0", "-1", "100001", "many"] {
            assert_eq!(KeyInput::parse("k", "", bad).unwrap_err(), KeyError::BadRate, "{bad}");
        }
        assert_eq!(KeyInput::parse("k", "*", "5").unwrap().origins, ["*"]);
    }

    #[test]
    fn a_key_gets_its_rate_a_minute() {
        let key = ApiKey {
            id: 1,
            name: "k".into(),
            prefix: "nd_abc".into(),
            origins: Vec::new(),
            per_minute: 3,
            created_at: 0,
            last_used_at: None,
            revoked_at: None,
        };
        let limits = RateLimits::default();
        let taken: Vec<bool> = (0..4).map(|_| limits.take(&key, "h", 120).allowed).collect();
        assert_eq!(taken, [true, true, true, false]);
        let refused = limits.take(&key, "h", 150);
        assert_eq!((refused.allowed, refused.remaining, refused.reset_secs), (false, 0, 30));
        assert!(limits.take(&key, "other", 150).allowed, "each key has its own count");
        assert!(limits.take(&key, "h", 180).allowed, "a new minute");
    }
}
