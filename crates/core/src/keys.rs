//! The server's secret key (made on first start, kept in the database so every node shares it)
//! and what is built on it: signed tokens, token hashes, and salted IP hashes whose salt changes
//! every day.

use blake2::digest::{FixedOutput as _, Mac as _};
use blake2::{Blake2s256, Blake2sMac256, Digest as _};
use parking_lot::Mutex;
use std::net::IpAddr;

use crate::db::{self, Db};

/// The key for signing tokens. Its `Debug` never shows it.
pub struct Keys {
    key: [u8; 32],
    /// Today's IP salt, cached: (day number, salt).
    salt: Mutex<Option<(i64, String)>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex(&bytes)
}

/// A one-way hash, for storing session tokens and comparing comment bodies.
pub fn hash(data: &[u8]) -> String {
    hex(&Blake2s256::digest(data))
}

/// Compares in time independent of where the strings differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Keys {
    /// Reads the key, creating it on first start. Two nodes starting at once agree, because
    /// only the first insert wins.
    pub async fn load(db: &Db) -> Result<Keys, sqlx::Error> {
        sqlx::query(
            "INSERT INTO secrets (name, value, created_at) VALUES ('signing', $1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(random_hex(32))
        .bind(db::now())
        .execute(&db.pool)
        .await?;
        let value: String =
            sqlx::query_scalar("SELECT value FROM secrets WHERE name = 'signing'").fetch_one(&db.pool).await?;
        let mut key = [0u8; 32];
        let malformed = || sqlx::Error::Protocol("the stored signing key is not 64 hex digits".into());
        if value.len() != 64 {
            return Err(malformed());
        }
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&value[i * 2..i * 2 + 2], 16).map_err(|_| malformed())?;
        }
        Ok(Keys { key, salt: Mutex::new(None) })
    }

    /// For tests: a fixed key.
    pub fn fixed(key: [u8; 32]) -> Keys {
        Keys { key, salt: Mutex::new(None) }
    }

    /// A MAC over `purpose` and `payload`, as hex (128 bits are plenty for these tokens).
    pub fn sign(&self, purpose: &str, payload: &str) -> String {
        let mut mac = <Blake2sMac256 as blake2::digest::KeyInit>::new_from_slice(&self.key).expect("32-byte key");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(payload.as_bytes());
        hex(&mac.finalize_fixed()[..16])
    }

    pub fn verify(&self, purpose: &str, payload: &str, signature: &str) -> bool {
        constant_time_eq(&self.sign(purpose, payload), signature)
    }

    /// A token that proves it was issued by this server at `issued_at` for `purpose`:
    /// `"{issued_at}.{mac}"`.
    pub fn timed_token(&self, purpose: &str, issued_at: i64) -> String {
        format!("{issued_at}.{}", self.sign(purpose, &issued_at.to_string()))
    }

    /// The issue time of a valid token, or `None` for a forged or malformed one.
    pub fn check_timed_token(&self, purpose: &str, token: &str) -> Option<i64> {
        let (time, mac) = token.split_once('.')?;
        if time.len() > 12 || !time.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.verify(purpose, time, mac).then(|| time.parse().ok()).flatten()
    }

    /// A salted hash of an IP address. The salt is random per day and deleted after two days,
    /// so the hash links requests of one day (for flood guards) and nothing beyond.
    pub async fn ip_hash(&self, db: &Db, ip: Option<IpAddr>, now: i64) -> Result<String, sqlx::Error> {
        let day = now.div_euclid(86_400);
        let cached = self.salt.lock().as_ref().filter(|(d, _)| *d == day).map(|(_, s)| s.clone());
        let salt = match cached {
            Some(salt) => salt,
            None => {
                sqlx::query("INSERT INTO ip_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
                    .bind(day)
                    .bind(random_hex(16))
                    .execute(&db.pool)
                    .await?;
                sqlx::query("DELETE FROM ip_salts WHERE day < $1").bind(day - 1).execute(&db.pool).await?;
                let salt: String = sqlx::query_scalar("SELECT salt FROM ip_salts WHERE day = $1")
                    .bind(day)
                    .fetch_one(&db.pool)
                    .await?;
                *self.salt.lock() = Some((day, salt.clone()));
                salt
            }
        };
        Ok(salted(&salt, ip))
    }

    /// The same address hashed with yesterday's salt, while that salt is kept: a flood guard
    /// that looks back a few minutes asks for both, so that midnight does not wipe its memory.
    pub async fn yesterdays_ip_hash(
        &self,
        db: &Db,
        ip: Option<IpAddr>,
        now: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        let day = now.div_euclid(86_400) - 1;
        let salt: Option<String> =
            sqlx::query_scalar("SELECT salt FROM ip_salts WHERE day = $1").bind(day).fetch_optional(&db.pool).await?;
        Ok(salt.map(|salt| salted(&salt, ip)))
    }
}

fn salted(salt: &str, ip: Option<IpAddr>) -> String {
    // One IPv6 subscriber usually holds a whole /64; counting its addresses apart would give
    // a flooder 2^64 tries.
    let ip = match ip {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".into(),
    };
    hash(format!("{salt}|{ip}").as_bytes())[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_tokens_verify_and_forgeries_fail() {
        let keys = Keys::fixed([7; 32]);
        let token = keys.timed_token("comment:1", 1_000);
        assert_eq!(keys.check_timed_token("comment:1", &token), Some(1_000));
        assert_eq!(keys.check_timed_token("comment:2", &token), None, "bound to its purpose");
        assert_eq!(keys.check_timed_token("comment:1", "2000.00ff"), None);
        assert_eq!(keys.check_timed_token("comment:1", &token.replace("1000", "9000")), None);
        assert_eq!(keys.check_timed_token("comment:1", "garbage"), None);
        let other = Keys::fixed([8; 32]);
        assert_eq!(other.check_timed_token("comment:1", &token), None, "another key does not verify");
    }

    #[test]
    fn hashes_are_hex() {
        assert_eq!(hash(b"abc").len(), 64);
        assert_eq!(random_hex(16).len(), 32);
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd") && !constant_time_eq("a", "ab"));
    }
}
