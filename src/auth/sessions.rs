//! Sessions of signed-in staff, the `Staff` extractor that guards every admin route, and
//! throttling of failed sign-ins per account and per IP.

use axum::http::{HeaderMap, HeaderValue, header};
use sqlx::Row as _;

use super::keys::{constant_time_eq, hash, random_hex};
use super::users::Role;
use crate::db::Db;

pub const COOKIE: &str = "nd_admin";
/// A session ends this long after sign-in.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Failed sign-ins are counted over this window (see [`begin_attempt`]).
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// Failures of one account from one client that cost no wait.
pub const FREE_TRIES: i64 = 3;
/// Failures of one account from many clients before clients without a device cookie lose
/// their free tries.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
/// How many clients failing on one account make a spread-out guesser.
pub const DISTRIBUTED_CLIENTS: i64 = 5;
/// Failures from one client address, on any accounts, that stop it for the window.
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// The cookie that marks a browser which signed in before, and how long it is good for.
pub const DEVICE_COOKIE: &str = "nd_device";
pub const DEVICE_SECS: i64 = 365 * 86_400;
/// Set for every path beside the session: tells counting (`analytics`) that this browser is
/// staff's, whose visits to the public pages are not readers' views. It names no one (its value
/// is `1`); a reader who sets it only leaves their own views uncounted, as `DNT` would.
pub const STAFF_COOKIE: &str = "nd_staff";

/// A signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// The session's CSRF token, which every admin form carries.
    pub csrf: String,
}

impl Staff {
    /// Whether the user has one of `roles`. Admins may do everything. Routes are guarded by
    /// role where they are added (`web::routes`); handlers ask only to show or hide parts.
    pub fn may(&self, roles: &[Role]) -> bool {
        self.role == Role::Admin || roles.contains(&self.role)
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        constant_time_eq(&self.csrf, token)
    }
}

/// Starts a session; returns the cookie's token.
pub async fn create(db: &Db, user_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(hash(token.as_bytes()))
        .bind(user_id)
        .bind(random_hex(16))
        .bind(now)
        .bind(now + SESSION_SECS)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&db.pool).await?;
    Ok(token)
}

pub async fn lookup(db: &Db, token: &str, now: i64) -> Result<Option<Staff>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(hash(token.as_bytes()))
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    let Some(role) = Role::parse(&role) else { return Ok(None) };
    Ok(Some(Staff {
        user_id: row.try_get("id")?,
        email: row.try_get("email")?,
        role,
        csrf: row.try_get("csrf_token")?,
    }))
}

/// The stored id of the session with cookie token `token`.
pub fn token_hash(token: &str) -> String {
    hash(token.as_bytes())
}

pub async fn delete(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(hash(token.as_bytes())).execute(&db.pool).await?;
    Ok(())
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get_all(header::COOKIE).iter().find_map(|v| cookie_in(v, name))
}

/// The value of cookie `name` in one `Cookie` header.
pub fn cookie_in<'h>(header: &'h HeaderValue, name: &str) -> Option<&'h str> {
    header
        .to_str()
        .ok()?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a session token; `secure` when the site is served over TLS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}")
}

/// The `Set-Cookie` values that end a session in the browser: the session's and the staff mark.
pub fn clear_cookies(secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
        format!("{STAFF_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    ]
}

/// The `Set-Cookie` value for the staff mark ([`STAFF_COOKIE`]), as long as the session.
/// `Lax`, so a link followed from mail or chat to the site still carries it.
pub fn staff_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{STAFF_COOKIE}=1; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECS}{secure}")
}

/// A sign-in attempt that may go ahead, already counted as failed until [`forget_failure`]
/// takes it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Allowed {
        id: i64,
    },
    /// Too many failures lately: try again in this many seconds.
    Throttled {
        retry_after: i64,
    },
}

/// Who is trying to sign in, for the throttle: a salted IP hash, or a browser that signed in
/// to this account before (its device cookie), which others' failures never slow down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    /// The address's hash under today's salt, and under yesterday's while it is kept: the
    /// failures of the last minutes count across midnight, when the salt changes.
    Address {
        today: String,
        yesterday: Option<String>,
    },
    KnownDevice(String),
}

impl Client {
    /// The key a failure is stored under.
    fn key(&self) -> String {
        match self {
            Client::Address { today, .. } => today.clone(),
            Client::KnownDevice(cookie) => format!("device:{}", &hash(cookie.as_bytes())[..32]),
        }
    }

    /// The key failures stored a day earlier may carry (the key itself when there is none).
    fn earlier_key(&self) -> String {
        match self {
            Client::Address { yesterday: Some(earlier), .. } => earlier.clone(),
            _ => self.key(),
        }
    }
}

/// The wait before the next try after `failures` failures, where the first `free` cost
/// nothing: 5 s, then doubling, at most `cap`.
fn backoff(failures: i64, free: i64, cap: i64) -> i64 {
    if failures < free { 0 } else { (5_i64 << (failures - free).min(20)).min(cap) }
}

/// Decides whether a sign-in attempt may go ahead and, if so, counts it as failed, in one
/// transaction that sign-ins take in turn (so parallel guesses all meet the limit).
///
/// Throttling slows a guesser without locking out the owner:
/// - per account and client together, the first [`FREE_TRIES`] failures cost nothing, then
///   each try waits for a delay that doubles from 5 s up to the failure window;
/// - per client address, [`MAX_FAILURES_PER_IP`] failures on any accounts stop it for the
///   window (a guesser's own address);
/// - per account, when failures come from [`DISTRIBUTED_CLIENTS`] or more clients (a guesser
///   spread over many addresses), clients without a device cookie lose their free tries: after
///   one failure each waits, from its own last failure. A browser that signed in to the
///   account before is not slowed by others at all.
pub async fn begin_attempt(db: &Db, account: &str, client: &Client, now: i64) -> Result<Attempt, sqlx::Error> {
    let key = client.key();
    let since = now - FAILURE_WINDOW_SECS;
    let mut tx = db.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7262430717)").execute(&mut *tx).await?;
    }
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE account = $1 AND ip_hash IN ($2, $4)) AS pair,
                MAX(at) FILTER (WHERE account = $1 AND ip_hash IN ($2, $4)) AS pair_last,
                COUNT(*) FILTER (WHERE ip_hash IN ($2, $4)) AS by_client,
                COUNT(*) FILTER (WHERE account = $1 AND ip_hash NOT LIKE 'device:%') AS by_account,
                COUNT(DISTINCT ip_hash) FILTER (WHERE account = $1 AND ip_hash NOT LIKE 'device:%') AS clients
         FROM login_failures WHERE at > $3 AND (account = $1 OR ip_hash IN ($2, $4))",
    )
    .bind(account)
    .bind(&key)
    .bind(since)
    .bind(client.earlier_key())
    .fetch_one(&mut *tx)
    .await?;
    let pair: i64 = row.try_get("pair")?;
    let pair_last: Option<i64> = row.try_get("pair_last")?;
    let by_client: i64 = row.try_get("by_client")?;
    let by_account: i64 = row.try_get("by_account")?;
    let clients: i64 = row.try_get("clients")?;
    let mut wait = pair_last.map_or(0, |last| last + backoff(pair, FREE_TRIES, FAILURE_WINDOW_SECS) - now);
    if matches!(client, Client::Address { .. }) {
        if by_client >= MAX_FAILURES_PER_IP {
            wait = wait.max(FAILURE_WINDOW_SECS);
        }
        // Under a spread-out attack a client's free tries are gone: each waits from its own
        // last failure, so the guessers' tries never use up the owner's turn, and a browser that
        // has not failed yet (the owner on a new device) still gets its try at once.
        if clients >= DISTRIBUTED_CLIENTS && by_account >= MAX_FAILURES_PER_ACCOUNT {
            let own = pair_last.map_or(0, |last| last + backoff(pair, 1, FAILURE_WINDOW_SECS) - now);
            wait = wait.max(own);
        }
    }
    if wait > 0 {
        return Ok(Attempt::Throttled { retry_after: wait });
    }
    let id = sqlx::query_scalar("INSERT INTO login_failures (account, ip_hash, at) VALUES ($1, $2, $3) RETURNING id")
        .bind(account)
        .bind(&key)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(since).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Attempt::Allowed { id })
}

/// The device cookie a browser gets when it signs in: it proves later that this browser knew
/// the account's password before, so a guesser elsewhere does not slow it down.
pub fn device_cookie(keys: &super::keys::Keys, account: &str, now: i64, secure: bool) -> String {
    let value = format!("{now}.{}", keys.sign("device", &format!("{account}.{now}")));
    let secure = if secure { "; Secure" } else { "" };
    format!("{DEVICE_COOKIE}={value}; Path=/admin/login; HttpOnly; SameSite=Strict; Max-Age={DEVICE_SECS}{secure}")
}

/// Whether a device cookie was given to a browser that signed in to `account`, within a year.
pub fn known_device(keys: &super::keys::Keys, account: &str, cookie: &str, now: i64) -> bool {
    let Some((issued, mac)) = cookie.split_once('.') else { return false };
    let Ok(at) = issued.parse::<i64>() else { return false };
    at <= now && now - at <= DEVICE_SECS && keys.verify("device", &format!("{account}.{issued}"), mac)
}

/// Takes back an attempt counted by [`begin_attempt`] that succeeded.
pub async fn forget_failure(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id).execute(&db.pool).await?;
    Ok(())
}

/// Forgets the failures of this account from this client, after it signed in. A guesser's
/// failures elsewhere stay counted: the owner's sign-in must not reset their wait.
pub async fn clear_failures(db: &Db, account: &str, client: &Client) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE account = $1 AND ip_hash IN ($2, $3)")
        .bind(account)
        .bind(client.key())
        .bind(client.earlier_key())
        .execute(&db.pool)
        .await?;
    Ok(())
}
