//! Admin users: checked email addresses, roles, and argon2id password hashes.

use argon2::password_hash::{PasswordHasher as _, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier as _};

use crate::db::{self, Db};

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    Admin,
    Editor,
    Moderator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Moderator];

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
        }
    }
}

/// An email address in a plausible shape, with the domain lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, UserError> {
        let raw = raw.trim();
        let bad = || UserError::Email(raw.chars().take(80).collect());
        let (local, domain) = raw.rsplit_once('@').ok_or_else(bad)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && raw.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
            && !domain.contains('@');
        if !ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password; its `Debug` never shows it.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: String) -> Result<Password, UserError> {
        let len = raw.chars().count();
        if len < MIN_PASSWORD {
            return Err(UserError::ShortPassword);
        }
        if len > MAX_PASSWORD {
            return Err(UserError::LongPassword);
        }
        Ok(Password(raw))
    }

    pub fn hash(&self) -> Result<String, UserError> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| UserError::Hash(e.to_string()))
    }

    pub fn verify(&self, hash: &str) -> bool {
        PasswordHash::new(hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(self.0.as_bytes(), &parsed).is_ok())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0:?} is not a valid email address")]
    Email(String),
    #[error("the password is too short: use at least {MIN_PASSWORD} characters")]
    ShortPassword,
    #[error("the password is too long: at most {MAX_PASSWORD} characters")]
    LongPassword,
    #[error("a user with this email exists already")]
    Exists,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
}

/// Adds a user; refuses a second user with the same address.
pub async fn add(db: &Db, email: &Email, role: Role, password: &Password) -> Result<i64, UserError> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE lower(email) = lower($1)")
        .bind(email.as_str())
        .fetch_one(&db.pool)
        .await?;
    if exists > 0 {
        return Err(UserError::Exists);
    }
    let hash = password.hash()?;
    let id = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
    )
    .bind(email.as_str())
    .bind(hash)
    .bind(role.as_str())
    .bind(db::now())
    .fetch_one(&db.pool)
    .await?;
    Ok(id)
}

/// What sign-in needs to know of an enabled user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub role: Role,
}

/// The credentials of the enabled user with this address, if any.
pub async fn credentials(db: &Db, email: &Email) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, password_hash, role FROM users WHERE lower(email) = lower($1) AND disabled = 0")
            .bind(email.as_str())
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|(id, password_hash, role)| Some(Credentials { id, password_hash, role: Role::parse(&role)? })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Ada@Example.ORG ").unwrap().as_str(), "Ada@example.org");
        for bad in ["", "ada", "ada@", "@x.de", "a b@x.de", "a@x", "a@.de", "a@x.de,b@y.de", "<a@x.de>"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_hash_round_trip() {
        let password = Password::parse("korrekt-pferd-batterie".into()).unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password.verify(&hash));
        assert!(!Password::parse("falsches-passwort".into()).unwrap().verify(&hash));
        assert!(Password::parse("kurz".into()).is_err());
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
