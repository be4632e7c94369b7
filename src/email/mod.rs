//! Email: the newsletter, similar-news alerts, and the durable outbox every message goes through.
//!
//! - `subscribers`: double opt-in signups with their recorded consent, the preferences behind
//!   each reader's link, export, erasure (leaving only a keyed hash on the suppression list).
//! - `outbox`: one row per message, written in the transaction of whatever caused it, claimed by
//!   senders with a lease and marked sent; a crash loses nothing.
//! - `sender` and `transport`: claim, rate-limit (one budget for all nodes together), send over
//!   SMTP, to files or to memory, retry with backoff, count bounces.
//! - `compose`: the messages themselves, each with a text and an HTML part and the list headers.
//! - `newsletter`: the scheduled digest and the campaigns editors write in `/admin/newsletter`.
//! - `alerts`: when an article is published, the readers who asked for news like an earlier one.
//! - `mailings`: what each campaign, digest and round of alerts did: deliveries, bounces,
//!   unsubscribes, and its links sent through the counted redirect `/l/{id}`.
//! - `roster`: the newsroom's list of subscribers, its CSV export, and CSV import.
//!
//! Readers are known by a capability link, `/subscription/{token}`, where the token is the
//! subscriber's id and its row's random key signed with the site key: it cannot be guessed,
//! and it names one row for good (an id given out again would not match the key).

pub mod admin;
pub mod alerts;
pub mod compose;
pub mod handlers;
pub mod mailings;
pub mod newsletter;
pub mod outbox;
pub mod roster;
pub mod sender;
pub mod subscribers;
pub mod transport;

use std::sync::Arc;

use crate::auth::keys::Keys;
use crate::config::{Config, Language};
use crate::db::Db;
use crate::i18n::I18n;
use crate::search::index::SearchIndex;

/// What mail needs of the running site. The application provides it (`App`); the services of
/// this feature take it instead of the application, so mail knows nothing of the web layer or
/// of how the site is put together.
pub trait Env: Send + Sync + 'static {
    fn db(&self) -> &Db;
    /// The configuration in effect (the file's, with the stored settings).
    fn config(&self) -> Arc<Config>;
    fn now(&self) -> i64;
    fn language(&self) -> Language;
    fn time_zone(&self) -> jiff::tz::TimeZone;
    fn i18n(&self) -> &I18n;
    fn keys(&self) -> &Keys;
    /// For alerts: the articles like a new one.
    fn search(&self) -> &SearchIndex;
    fn mailer(&self) -> &sender::Mailer;
    /// What every message shares, from the live settings.
    fn mail_site(&self) -> compose::MailSite;
    /// Renders a mail template (`email/*.txt`, `email/*.html`).
    fn render_plain(&self, template: &str, page: minijinja::Value) -> anyhow::Result<String>;
}

/// The application behind a shared handle provides it too.
impl<T: Env> Env for Arc<T> {
    fn db(&self) -> &Db {
        T::db(self)
    }
    fn config(&self) -> Arc<Config> {
        T::config(self)
    }
    fn now(&self) -> i64 {
        T::now(self)
    }
    fn language(&self) -> Language {
        T::language(self)
    }
    fn time_zone(&self) -> jiff::tz::TimeZone {
        T::time_zone(self)
    }
    fn i18n(&self) -> &I18n {
        T::i18n(self)
    }
    fn keys(&self) -> &Keys {
        T::keys(self)
    }
    fn search(&self) -> &SearchIndex {
        T::search(self)
    }
    fn mailer(&self) -> &sender::Mailer {
        T::mailer(self)
    }
    fn mail_site(&self) -> compose::MailSite {
        T::mail_site(self)
    }
    fn render_plain(&self, template: &str, page: minijinja::Value) -> anyhow::Result<String> {
        T::render_plain(self, template, page)
    }
}

/// A pending signup lapses after this long.
pub const CONFIRM_VALID_SECS: i64 = 7 * 86_400;

/// The token in a subscriber's links: `{id}-{mac}`, the MAC over the id and the row's own
/// random key. The key ties a link to one row for good: ids are never given out twice, and
/// even if one were, an old link would not name the new row. Rows from before the keys existed
/// have an empty key and keep the links already mailed to them.
pub fn subscriber_token(keys: &Keys, subscriber_id: i64, token_key: &str) -> String {
    format!("{subscriber_id}-{}", keys.sign("subscriber", &keyed_payload(subscriber_id, token_key)))
}

fn keyed_payload(id: i64, token_key: &str) -> String {
    if token_key.is_empty() { id.to_string() } else { format!("{id}.{token_key}") }
}

/// A subscriber token as it came in: the id it claims and its MAC, not yet checked against the
/// row's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberToken {
    pub id: i64,
    mac: String,
}

impl SubscriberToken {
    /// Reads a token's form; `None` for anything that is not `{digits}-{hex}`.
    pub fn parse(token: &str) -> Option<SubscriberToken> {
        let (id, mac) = token.split_once('-')?;
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) || mac.len() > 64 {
            return None;
        }
        Some(SubscriberToken { id: id.parse().ok()?, mac: mac.to_string() })
    }

    /// Whether the token was issued for the row with this id and key.
    pub fn matches(&self, keys: &Keys, token_key: &str) -> bool {
        keys.verify("subscriber", &keyed_payload(self.id, token_key), &self.mac)
    }
}

/// The token of a confirmation link: `{subscription id}-{issued at}-{mac}`, the MAC over both
/// and the subscription row's own key.
pub fn confirm_token(keys: &Keys, subscription_id: i64, token_key: &str, issued_at: i64) -> String {
    let payload = confirm_payload(subscription_id, token_key, issued_at);
    format!("{subscription_id}-{issued_at}-{}", keys.sign("confirm", &payload))
}

fn confirm_payload(id: i64, token_key: &str, issued_at: i64) -> String {
    if token_key.is_empty() { format!("{id}.{issued_at}") } else { format!("{id}.{issued_at}.{token_key}") }
}

/// A confirmation token as it came in, not older than a week; checked against its row with
/// [`ConfirmToken::matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmToken {
    pub subscription: i64,
    issued_at: i64,
    mac: String,
}

impl ConfirmToken {
    pub fn parse(token: &str, now: i64) -> Option<ConfirmToken> {
        let mut parts = token.splitn(3, '-');
        let (id, issued, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(id) || !digits(issued) || mac.len() > 64 {
            return None;
        }
        let issued_at: i64 = issued.parse().ok()?;
        if issued_at > now || now - issued_at > CONFIRM_VALID_SECS {
            return None;
        }
        Some(ConfirmToken { subscription: id.parse().ok()?, issued_at, mac: mac.to_string() })
    }

    pub fn matches(&self, keys: &Keys, token_key: &str) -> bool {
        keys.verify("confirm", &confirm_payload(self.subscription, token_key, self.issued_at), &self.mac)
    }
}

/// The keyed hash an erased address leaves on the suppression list.
pub fn email_hash(keys: &Keys, email: &str) -> String {
    keys.sign("suppression", &email.trim().to_lowercase())
}

/// A reader's address: trimmed, lower-cased, one `@`, no spaces or control characters (so no
/// header injection), and acceptable to the mail library.
pub fn parse_address(raw: &str) -> Option<String> {
    let email = crate::auth::users::Email::parse(raw).ok()?.as_str().to_lowercase();
    email.parse::<lettre::Address>().ok()?;
    Some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_fail() {
        let keys = Keys::fixed([3; 32]);
        let token = subscriber_token(&keys, 42, "k1");
        let parsed = SubscriberToken::parse(&token).unwrap();
        assert_eq!(parsed.id, 42);
        assert!(parsed.matches(&keys, "k1"));
        assert!(!parsed.matches(&keys, "k2"), "another row with the same id does not match");
        assert!(!parsed.matches(&keys, ""), "nor a row from before the keys");
        assert!(!SubscriberToken::parse(&token.replacen("42", "43", 1)).unwrap().matches(&keys, "k1"));
        assert_eq!(SubscriberToken::parse("42"), None);
        assert!(!parsed.matches(&Keys::fixed([4; 32]), "k1"));
        let legacy = subscriber_token(&keys, 42, "");
        assert!(SubscriberToken::parse(&legacy).unwrap().matches(&keys, ""), "old links keep working");
        assert!(!SubscriberToken::parse(&legacy).unwrap().matches(&keys, "k1"), "but not for a new row");

        let confirm = confirm_token(&keys, 7, "c1", 1_000);
        let parsed = ConfirmToken::parse(&confirm, 1_000 + 3600).unwrap();
        assert_eq!(parsed.subscription, 7);
        assert!(parsed.matches(&keys, "c1") && !parsed.matches(&keys, "c2"));
        assert_eq!(ConfirmToken::parse(&confirm, 1_000 + CONFIRM_VALID_SECS + 1), None, "expired");
        let moved = ConfirmToken::parse(&confirm.replace("-1000-", "-2000-"), 3000).unwrap();
        assert!(!moved.matches(&keys, "c1"), "the issue time is signed");
        assert!(
            ConfirmToken::parse(&token, 1_000).is_none_or(|t| !t.matches(&keys, "k1")),
            "a subscriber token does not confirm"
        );
    }

    #[test]
    fn addresses_are_checked() {
        assert_eq!(parse_address("  Leser@Example.ORG ").as_deref(), Some("leser@example.org"));
        for bad in ["", "leser", "a@b", "a b@example.org", "x@example.org\r\nBcc: y@example.org", "<a@example.org>"] {
            assert_eq!(parse_address(bad), None, "{bad:?}");
        }
        assert_eq!(parse_address(&format!("{}@example.org", "a".repeat(300))), None);
    }
}
