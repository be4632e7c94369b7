//! Admin users: checked email addresses, roles, and argon2id password hashes.

use argon2::password_hash::{PasswordHasher as _, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash, PasswordVerifier as _};

use crate::db::{self, Db};

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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

/// A user as the admin's user list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    /// Whether the user has set a password yet (an invited user has not).
    pub has_password: bool,
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    use sqlx::Row as _;
    let role: String = row.try_get("role")?;
    let hash: String = row.try_get("password_hash")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).unwrap_or(Role::Moderator),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
        has_password: hash != INVITED,
    })
}

/// The password hash of a user who was invited and has not chosen a password: no password
/// verifies against it.
const INVITED: &str = "invited";

/// Every user, by address.
pub async fn list(db: &Db) -> Result<Vec<User>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, email, role, disabled, created_at, password_hash FROM users ORDER BY lower(email)")
            .fetch_all(&db.pool)
            .await?;
    rows.iter().map(user_from_row).collect()
}

/// The addresses of the users in `roles` who may sign in (not disabled).
pub async fn addresses_of(db: &Db, roles: &[Role]) -> Result<Vec<String>, sqlx::Error> {
    let mut addresses = Vec::new();
    for role in roles {
        let found: Vec<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE role = $1 AND disabled = 0 ORDER BY lower(email)")
                .bind(role.as_str())
                .fetch_all(&db.pool)
                .await?;
        addresses.extend(found);
    }
    Ok(addresses)
}

/// One user and their password hash.
pub async fn find(db: &Db, id: i64) -> Result<Option<(User, String)>, sqlx::Error> {
    use sqlx::Row as _;
    let row = sqlx::query("SELECT id, email, role, disabled, created_at, password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?))).transpose()
}

/// Adds a user who chooses their own password through an emailed link.
pub async fn invite(db: &Db, email: &Email, role: Role, now: i64) -> Result<i64, UserError> {
    let id = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, role, disabled, created_at)
         SELECT $1, $2, $3, 0, $4 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))
         RETURNING id",
    )
    .bind(email.as_str())
    .bind(INVITED)
    .bind(role.as_str())
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    id.ok_or(UserError::Exists)
}

/// Changes a user's role and whether they may sign in. Disabling ends their sessions.
pub async fn set_access(db: &Db, id: i64, role: Role, disabled: bool) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET role = $1, disabled = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(i64::from(disabled))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// How many enabled admins who can sign in there are besides `id`: the last one may not lock
/// everyone out.
pub async fn other_admins(db: &Db, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1 AND password_hash <> $2",
    )
    .bind(id)
    .bind(INVITED)
    .fetch_one(&db.pool)
    .await
}

/// Sets a new password and ends every session of the user but `keep` (the one making the
/// change, if it is theirs).
pub async fn set_password(db: &Db, id: i64, password: &Password, keep: Option<&str>) -> Result<(), UserError> {
    let hash = password.hash()?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(id)
        .bind(keep.map(super::sessions::token_hash).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// How long a link to choose a password works.
pub const PASSWORD_LINK_SECS: i64 = 3 * 86_400;

/// A link token to choose a password: the user, the time, and a MAC over both and the current
/// password hash, so the link stops working once it is used (or the password changes).
pub fn password_token(keys: &super::keys::Keys, id: i64, hash: &str, issued_at: i64) -> String {
    format!("{id}-{issued_at}-{}", keys.sign("password", &format!("{id}.{issued_at}.{hash}")))
}

/// The user a password link is for, if it is genuine, unused and fresh.
pub async fn password_link_user(
    db: &Db,
    keys: &super::keys::Keys,
    token: &str,
    now: i64,
) -> Result<Option<User>, sqlx::Error> {
    let mut parts = token.splitn(3, '-');
    let (Some(id), Some(issued), Some(mac)) = (parts.next(), parts.next(), parts.next()) else { return Ok(None) };
    let (Ok(id), Ok(issued)) = (id.parse::<i64>(), issued.parse::<i64>()) else { return Ok(None) };
    if issued > now || now - issued > PASSWORD_LINK_SECS {
        return Ok(None);
    }
    let Some((user, hash)) = find(db, id).await? else { return Ok(None) };
    let genuine = keys.verify("password", &format!("{id}.{issued}.{hash}"), mac);
    Ok((genuine && !user.disabled).then_some(user))
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
