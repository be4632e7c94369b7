//! Email: the newsletter, similar-news alerts, and the durable outbox every message goes through.
//!
//! - `subscribers`: double opt-in signups with their recorded consent, the preferences behind
//!   each reader's link, export, erasure (leaving only a keyed hash on the suppression list).
//! - `outbox`: one row per message, written in the transaction of whatever caused it, claimed by
//!   senders with a lease and marked sent; a crash loses nothing.
//! - `sender` and `transport`: claim, rate-limit (one budget per node), send over SMTP, to files
//!   or to memory, retry with backoff, count bounces.
//! - `compose`: the messages themselves, each with a text and an HTML part and the list headers.
//! - `newsletter`: the scheduled digest and the campaigns editors write in `/admin/newsletter`.
//! - `alerts`: when an article is published, the readers who asked for news like an earlier one.
//!
//! Readers are known by a capability link, `/subscription/{token}`, where the token is the
//! subscriber's id signed with the site key: it needs no storage and cannot be guessed.

pub mod admin;
pub mod alerts;
pub mod compose;
pub mod handlers;
pub mod newsletter;
pub mod outbox;
pub mod sender;
pub mod subscribers;
pub mod transport;

use crate::auth::keys::Keys;

/// A pending signup lapses after this long.
pub const CONFIRM_VALID_SECS: i64 = 7 * 86_400;

/// The token in a subscriber's links: `{id}-{mac}`.
pub fn subscriber_token(keys: &Keys, subscriber_id: i64) -> String {
    format!("{subscriber_id}-{}", keys.sign("subscriber", &subscriber_id.to_string()))
}

/// The subscriber a token stands for, or `None` for a forged or malformed one.
pub fn parse_subscriber_token(keys: &Keys, token: &str) -> Option<i64> {
    let (id, mac) = token.split_once('-')?;
    if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    keys.verify("subscriber", id, mac).then(|| id.parse().ok()).flatten()
}

/// The token of a confirmation link: `{subscription id}-{issued at}-{mac}`.
pub fn confirm_token(keys: &Keys, subscription_id: i64, issued_at: i64) -> String {
    let payload = format!("{subscription_id}.{issued_at}");
    format!("{subscription_id}-{issued_at}-{}", keys.sign("confirm", &payload))
}

/// The subscription a confirmation token confirms, if it is genuine and not older than a week.
pub fn parse_confirm_token(keys: &Keys, token: &str, now: i64) -> Option<i64> {
    let mut parts = token.splitn(3, '-');
    let (id, issued, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(id) || !digits(issued) || !keys.verify("confirm", &format!("{id}.{issued}"), mac) {
        return None;
    }
    let issued: i64 = issued.parse().ok()?;
    (issued <= now && now - issued <= CONFIRM_VALID_SECS).then(|| id.parse().ok()).flatten()
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
        let token = subscriber_token(&keys, 42);
        assert_eq!(parse_subscriber_token(&keys, &token), Some(42));
        assert_eq!(parse_subscriber_token(&keys, &token.replacen("42", "43", 1)), None);
        assert_eq!(parse_subscriber_token(&keys, "42"), None);
        assert_eq!(parse_subscriber_token(&Keys::fixed([4; 32]), &token), None);
        let confirm = confirm_token(&keys, 7, 1_000);
        assert_eq!(parse_confirm_token(&keys, &confirm, 1_000 + 3600), Some(7));
        assert_eq!(parse_confirm_token(&keys, &confirm, 1_000 + CONFIRM_VALID_SECS + 1), None, "expired");
        assert_eq!(parse_confirm_token(&keys, &confirm.replace("-1000-", "-2000-"), 3000), None);
        assert_eq!(parse_confirm_token(&keys, &token, 1_000), None, "a subscriber token does not confirm");
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
