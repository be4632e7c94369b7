//! Subscribers, what they subscribed to and the consent behind it: signup with double opt-in,
//! confirmation, preferences, export, erasure, and the sweep of lapsed signups.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::Env;
use super::compose::Templated;
use super::outbox::{self, NewMessage, kind};
use super::{ConfirmToken, SubscriberToken};
use crate::auth::keys::{Keys, random_hex};
use crate::config::DigestSchedule;
use crate::db::Db;

/// A form cannot send more than one confirmation to an address this often.
pub const REMAIL_SECS: i64 = 600;

/// Confirmations and reminders that signup forms may send one address in a day, whatever was
/// signed up for: a form must not become a way to mail someone over and over.
pub const MAILS_PER_ADDRESS_PER_DAY: i64 = 3;

/// Confirmations and reminders one client (salted IP hash) may cause in an hour.
pub const MAILS_PER_CLIENT_PER_HOUR: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Newsletter,
    Alert,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Newsletter => "newsletter",
            Kind::Alert => "alert",
        }
    }
}

/// A signup as a form sent it, parsed.
#[derive(Debug, Clone)]
pub struct Signup {
    pub email: String,
    pub kind: Kind,
    /// For alerts: the article and its title (for the mail).
    pub article: Option<(i64, String)>,
    /// The exact consent text shown beside the form.
    pub consent_text: String,
    /// Which form: `/newsletter`, `article-cta` or `/news/{slug}/alerts`.
    pub form: String,
    pub ip_hash: String,
}

/// What a signup did; the reader is told the same in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupOutcome {
    /// A confirmation went to the address.
    ConfirmationSent,
    /// Already subscribed: a reminder with the preferences link went out.
    ReminderSent,
    /// A mail went to this address a moment ago, or too many today; nothing more was sent.
    Throttled,
    /// This client caused too many signup mails in the last hour; nothing was stored or sent.
    RateLimited,
}

pub(super) async fn subscriber_id(conn: &mut AnyConnection, email: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO subscribers (email, created_at, token_key) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING",
    )
    .bind(email)
    .bind(now)
    .bind(random_hex(16))
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM subscribers WHERE email = $1").bind(email).fetch_one(&mut *conn).await
}

/// Records a signup and queues its confirmation in one transaction. An address that is
/// already subscribed gets a reminder with its preferences link instead; nothing tells the
/// form which case it was.
///
/// The limits per client and per address are counted and the mail recorded in this same
/// transaction, and signups take their turn (SQLite's write lock, an advisory lock on
/// PostgreSQL), so parallel requests cannot all pass a check that none has counted yet.
pub async fn signup(app: &dyn Env, signup: &Signup, now: i64) -> anyhow::Result<SignupOutcome> {
    let mut tx = app.db().begin().await?;
    if app.db().backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7262430716)").execute(&mut *tx).await?;
    }
    let by_client: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signup_mails WHERE ip_hash = $1 AND at > $2")
        .bind(&signup.ip_hash)
        .bind(now - 3600)
        .fetch_one(&mut *tx)
        .await?;
    if by_client >= MAILS_PER_CLIENT_PER_HOUR {
        return Ok(SignupOutcome::RateLimited);
    }
    let subscriber = subscriber_id(&mut tx, &signup.email, now).await?;
    let to_address: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signup_mails WHERE subscriber_id = $1 AND at > $2")
        .bind(subscriber)
        .bind(now - 86_400)
        .fetch_one(&mut *tx)
        .await?;
    // An address erased before gets one confirmation a day at most, until it confirms.
    let limit = if is_suppressed(&mut tx, app.keys(), &signup.email).await? { 1 } else { MAILS_PER_ADDRESS_PER_DAY };
    if to_address >= limit {
        // Dropping the transaction forgets a subscriber row made just now.
        return Ok(SignupOutcome::Throttled);
    }
    let article_id = signup.article.as_ref().map(|(id, _)| *id);
    let existing = sqlx::query(
        "SELECT id, status, mailed_at, token_key FROM subscriptions
         WHERE subscriber_id = $1 AND kind = $2 AND COALESCE(article_id, 0) = $3",
    )
    .bind(subscriber)
    .bind(signup.kind.as_str())
    .bind(article_id.unwrap_or(0))
    .fetch_optional(&mut *tx)
    .await?;
    let (subscription, status, token_key) = match existing {
        Some(row) => {
            let mailed: Option<i64> = row.try_get("mailed_at")?;
            if mailed.is_some_and(|t| now - t < REMAIL_SECS) {
                return Ok(SignupOutcome::Throttled);
            }
            let id: i64 = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let token_key: String = row.try_get("token_key")?;
            if status == "active" {
                sqlx::query("UPDATE subscriptions SET mailed_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                // Pending or switched off: a new consent, a new week to confirm it.
                sqlx::query(
                    "UPDATE subscriptions SET status = 'pending', expires_at = $1, mailed_at = $2, consent_text = $3,
                        consent_form = $4, consent_ip_hash = $5, consent_at = $2 WHERE id = $6",
                )
                .bind(now + super::CONFIRM_VALID_SECS)
                .bind(now)
                .bind(&signup.consent_text)
                .bind(&signup.form)
                .bind(&signup.ip_hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            (id, status, token_key)
        }
        None => {
            let token_key = random_hex(16);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO subscriptions (subscriber_id, kind, article_id, status, created_at, expires_at, mailed_at,
                    consent_text, consent_form, consent_ip_hash, consent_at, token_key)
                 VALUES ($1, $2, $3, 'pending', $4, $5, $4, $6, $7, $8, $4, $9) RETURNING id",
            )
            .bind(subscriber)
            .bind(signup.kind.as_str())
            .bind(article_id)
            .bind(now)
            .bind(now + super::CONFIRM_VALID_SECS)
            .bind(&signup.consent_text)
            .bind(&signup.form)
            .bind(&signup.ip_hash)
            .bind(&token_key)
            .fetch_one(&mut *tx)
            .await?;
            (id, "pending".to_string(), token_key)
        }
    };
    sqlx::query("INSERT INTO signup_mails (ip_hash, subscriber_id, at) VALUES ($1, $2, $3)")
        .bind(&signup.ip_hash)
        .bind(subscriber)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let article_title = signup.article.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
    let (outcome, template, message_kind) = if status == "active" {
        (SignupOutcome::ReminderSent, "reminder", kind::REMINDER)
    } else {
        (SignupOutcome::ConfirmationSent, "confirm", kind::CONFIRM)
    };
    let confirm_url = format!(
        "{}/subscription/confirm/{}",
        app.config().site.base_url,
        super::confirm_token(app.keys(), subscription, &token_key, now)
    );
    let page = minijinja::context! {
        kind => signup.kind.as_str(),
        article_title => article_title,
        confirm_url => confirm_url,
        preferences_url => super::compose::PREFERENCES_URL,
        unsubscribe_url => super::compose::UNSUBSCRIBE_URL,
        valid_days => super::CONFIRM_VALID_SECS / 86_400,
    };
    let (text, html) = super::compose::render(app, template, page)?;
    let subject = app.i18n().text(
        app.language(),
        &format!("mail-{template}-subject-{}", signup.kind.as_str()),
        &[("site", app.config().site.name.clone().into())],
    );
    let message = NewMessage {
        kind: message_kind,
        mailing_id: None,
        subscriber_id: Some(subscriber),
        recipient: &signup.email,
        subject: &subject,
        text: &text,
        html: &html,
    };
    outbox::enqueue(&mut tx, &message, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Confirms a pending subscription; returns the preferences token of its subscriber, or `None`
/// when there is nothing (any more) to confirm or the token was not issued for this row.
/// Confirming again is harmless. A new confirmation takes the address off the suppression
/// list: it signed up anew.
pub async fn confirm(app: &dyn Env, token: &ConfirmToken, now: i64) -> anyhow::Result<Option<String>> {
    let subscription_id = token.subscription;
    let mut tx = app.db().begin().await?;
    let row = sqlx::query(
        "SELECT s.subscriber_id, s.status, s.expires_at, u.email, s.token_key, u.token_key AS subscriber_token_key,
                s.kind, a.title
         FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id
         LEFT JOIN articles a ON a.id = s.article_id WHERE s.id = $1",
    )
    .bind(subscription_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if !token.matches(app.keys(), &row.try_get::<String, _>("token_key")?) {
        return Ok(None);
    }
    let subscriber: i64 = row.try_get("subscriber_id")?;
    let status: String = row.try_get("status")?;
    let expires: Option<i64> = row.try_get("expires_at")?;
    let email: String = row.try_get("email")?;
    let preferences =
        super::subscriber_token(app.keys(), subscriber, &row.try_get::<String, _>("subscriber_token_key")?);
    match status.as_str() {
        "active" => return Ok(Some(preferences)),
        "pending" if expires.is_some_and(|t| t >= now) => {}
        _ => return Ok(None),
    }
    sqlx::query("UPDATE subscriptions SET status = 'active', confirmed_at = $1, expires_at = NULL WHERE id = $2")
        .bind(now)
        .bind(subscription_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM suppressions WHERE email_hash = $1")
        .bind(super::email_hash(app.keys(), &email))
        .execute(&mut *tx)
        .await?;
    let kind: String = row.try_get("kind")?;
    let title: Option<String> = row.try_get("title")?;
    queue_welcome(app, &mut tx, subscriber, &email, &kind, title.as_deref(), now).await?;
    crate::changes::record(&mut tx, crate::changes::Event::SubscriberConfirmed { subscription_id }).await?;
    tx.commit().await?;
    Ok(Some(preferences))
}

/// A confirmed subscription, as the consumers of its event see it.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub email: String,
    /// `newsletter` or `alert`.
    pub kind: String,
    pub confirmed_at: Option<i64>,
    /// For an alert: the article's slug and title.
    pub article: Option<(String, String)>,
}

/// The subscription `id` if it is active.
pub async fn confirmed(db: &Db, id: i64) -> Result<Option<Confirmed>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.email, s.kind, s.confirmed_at, a.slug, a.title FROM subscriptions s \
         JOIN subscribers u ON u.id = s.subscriber_id LEFT JOIN articles a ON a.id = s.article_id \
         WHERE s.id = $1 AND s.status = 'active'",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let slug: Option<String> = row.try_get("slug")?;
    let title: Option<String> = row.try_get("title")?;
    Ok(Some(Confirmed {
        email: row.try_get("email")?,
        kind: row.try_get("kind")?,
        confirmed_at: row.try_get("confirmed_at")?,
        article: slug.zip(title),
    }))
}

/// The mail that welcomes a reader once a subscription is confirmed: what will come and when,
/// and where to change or end it.
async fn queue_welcome(
    app: &dyn Env,
    conn: &mut AnyConnection,
    subscriber: i64,
    email: &str,
    subscription_kind: &str,
    article_title: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    let config = app.config();
    let page = minijinja::context! {
        kind => subscription_kind,
        article_title => article_title.unwrap_or_default(),
        digest => match config.email.digest {
            DigestSchedule::Daily => "daily",
            DigestSchedule::Weekly => "weekly",
            DigestSchedule::Off => "off",
        },
        hour => config.email.digest_hour,
        preferences_url => super::compose::PREFERENCES_URL,
        unsubscribe_url => super::compose::UNSUBSCRIBE_URL,
    };
    let mail = Templated {
        kind: kind::WELCOME,
        subscriber_id: Some(subscriber),
        recipient: email,
        template: "welcome",
        subject_key: &format!("mail-welcome-subject-{subscription_kind}"),
    };
    super::compose::queue(app, conn, &mail, page, now).await?;
    Ok(())
}

/// What asking for the preferences link did. The page says the same for all but the last, so
/// it never tells whether an address is subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageOutcome {
    /// The link went out.
    Sent,
    /// No active subscription under this address: nothing was sent.
    NotSubscribed,
    /// A mail went to this address a moment ago, or too many today: nothing more was sent.
    Throttled,
    /// This client asked too often in the last hour.
    RateLimited,
}

/// Mails the preferences link to a reader who lost it ("manage my subscription"), within the
/// same limits per address and per client as signups (both count the mails sent).
pub async fn send_manage_link(app: &dyn Env, email: &str, ip_hash: &str, now: i64) -> anyhow::Result<ManageOutcome> {
    let mut tx = app.db().begin().await?;
    let by_client: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signup_mails WHERE ip_hash = $1 AND at > $2")
        .bind(ip_hash)
        .bind(now - 3600)
        .fetch_one(&mut *tx)
        .await?;
    if by_client >= MAILS_PER_CLIENT_PER_HOUR {
        return Ok(ManageOutcome::RateLimited);
    }
    let subscriber: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM subscribers u WHERE u.email = $1
           AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = u.id AND s.status = 'active')",
    )
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(subscriber) = subscriber else { return Ok(ManageOutcome::NotSubscribed) };
    let to_address: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signup_mails WHERE subscriber_id = $1 AND at > $2")
        .bind(subscriber)
        .bind(now - 86_400)
        .fetch_one(&mut *tx)
        .await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(at) FROM signup_mails WHERE subscriber_id = $1")
        .bind(subscriber)
        .fetch_one(&mut *tx)
        .await?;
    if to_address >= MAILS_PER_ADDRESS_PER_DAY || last.is_some_and(|t| now - t < REMAIL_SECS) {
        return Ok(ManageOutcome::Throttled);
    }
    sqlx::query("INSERT INTO signup_mails (ip_hash, subscriber_id, at) VALUES ($1, $2, $3)")
        .bind(ip_hash)
        .bind(subscriber)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let mail = Templated {
        kind: kind::REMINDER,
        subscriber_id: Some(subscriber),
        recipient: email,
        template: "manage",
        subject_key: "mail-manage-subject",
    };
    let page = minijinja::context! { preferences_url => super::compose::PREFERENCES_URL };
    super::compose::queue(app, &mut tx, &mail, page, now).await?;
    tx.commit().await?;
    Ok(ManageOutcome::Sent)
}

/// What a confirmation link would confirm, while it still can: the address, the kind, and the
/// article of an alert. None when the subscription is gone, lapsed or switched off.
pub async fn confirmable(
    db: &crate::db::Db,
    keys: &Keys,
    token: &ConfirmToken,
    now: i64,
) -> Result<Option<(String, String, Option<String>, bool)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.email, s.kind, a.title, s.status, s.expires_at, s.token_key FROM subscriptions s
         JOIN subscribers u ON u.id = s.subscriber_id LEFT JOIN articles a ON a.id = s.article_id WHERE s.id = $1",
    )
    .bind(token.subscription)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if !token.matches(keys, &row.try_get::<String, _>("token_key")?) {
        return Ok(None);
    }
    let status: String = row.try_get("status")?;
    let expires: Option<i64> = row.try_get("expires_at")?;
    let usable = status == "active" || (status == "pending" && expires.is_some_and(|t| t >= now));
    if !usable {
        return Ok(None);
    }
    Ok(Some((row.try_get("email")?, row.try_get("kind")?, row.try_get("title")?, status == "active")))
}

/// One subscription as the preferences page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionView {
    pub id: i64,
    pub kind: Kind,
    pub status: String,
    pub article_title: Option<String>,
    pub article_slug: Option<String>,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub consent_text: String,
    pub consent_form: String,
    pub consent_at: i64,
    pub withdrawn_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    pub created_at: i64,
    pub bouncing: bool,
    pub subscriptions: Vec<SubscriptionView>,
}

/// The subscriber a link's token was issued for; `None` when there is none or the row with
/// that id is not the one the token was made for.
pub async fn find(db: &Db, keys: &Keys, token: &SubscriberToken) -> Result<Option<Subscriber>, sqlx::Error> {
    let id = token.id;
    let Some(row) = sqlx::query("SELECT id, email, created_at, bouncing_at, token_key FROM subscribers WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    if !token.matches(keys, &row.try_get::<String, _>("token_key")?) {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT s.id, s.kind, s.status, a.title, a.slug, s.created_at, s.confirmed_at, s.consent_text,
                s.consent_form, s.consent_at, s.withdrawn_at
         FROM subscriptions s LEFT JOIN articles a ON a.id = s.article_id
         WHERE s.subscriber_id = $1 ORDER BY s.kind DESC, s.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let subscriptions = rows
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(SubscriptionView {
                id: r.try_get("id")?,
                kind: if kind == "alert" { Kind::Alert } else { Kind::Newsletter },
                status: r.try_get("status")?,
                article_title: r.try_get("title")?,
                article_slug: r.try_get("slug")?,
                created_at: r.try_get("created_at")?,
                confirmed_at: r.try_get("confirmed_at")?,
                consent_text: r.try_get("consent_text")?,
                consent_form: r.try_get("consent_form")?,
                consent_at: r.try_get("consent_at")?,
                withdrawn_at: r.try_get("withdrawn_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(Subscriber {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        created_at: row.try_get("created_at")?,
        bouncing: row.try_get::<Option<i64>, _>("bouncing_at")?.is_some(),
        subscriptions,
    }))
}

/// Switches subscriptions on or off. Only subscriptions confirmed before can be switched on
/// here; switching one off drops the mail queued for it.
pub async fn set_active(
    db: &Db,
    subscriber_id: i64,
    wanted: &[Wanted],
    ip_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for w in wanted {
        if w.on {
            // Switching on again is a new consent, given on the preferences page.
            sqlx::query(
                "UPDATE subscriptions SET status = 'active', withdrawn_at = NULL, consent_text = $1,
                        consent_form = 'preferences', consent_ip_hash = $2, consent_at = $3
                 WHERE id = $4 AND subscriber_id = $5 AND status = 'off' AND confirmed_at IS NOT NULL",
            )
            .bind(&w.consent_text)
            .bind(ip_hash)
            .bind(now)
        } else {
            sqlx::query(
                "UPDATE subscriptions SET status = 'off', withdrawn_at = $1
                 WHERE id = $2 AND subscriber_id = $3 AND status = 'active'",
            )
            .bind(now)
        }
        .bind(w.subscription)
        .bind(subscriber_id)
        .execute(&mut *tx)
        .await?;
    }
    drop_unwanted(&mut tx, subscriber_id).await?;
    tx.commit().await?;
    Ok(())
}

/// One subscription's switch on the preferences page, with the words shown beside it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub subscription: i64,
    pub on: bool,
    pub consent_text: String,
}

/// Drops queued mail the subscriber no longer wants: campaigns without an active newsletter,
/// alerts without an active alert.
async fn drop_unwanted(conn: &mut AnyConnection, subscriber_id: i64) -> Result<(), sqlx::Error> {
    let active: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT kind FROM subscriptions WHERE subscriber_id = $1 AND status = 'active'")
            .bind(subscriber_id)
            .fetch_all(&mut *conn)
            .await?;
    if !active.iter().any(|k| k == "newsletter") {
        outbox::drop_queued(conn, subscriber_id, &[kind::CAMPAIGN]).await?;
    }
    if !active.iter().any(|k| k == "alert") {
        outbox::drop_queued(conn, subscriber_id, &[kind::ALERT, kind::ALERT_SUMMARY]).await?;
    }
    Ok(())
}

/// One click from a mail: everything off.
pub async fn unsubscribe_all(db: &Db, subscriber_id: i64, mailing: Option<i64>, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let withdrawn = sqlx::query(
        "UPDATE subscriptions SET status = 'off', withdrawn_at = $1 WHERE subscriber_id = $2 AND status = 'active'",
    )
    .bind(now)
    .bind(subscriber_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // A reader who had already left (a second click) is not counted again.
    if let Some(mailing) = mailing.filter(|_| withdrawn > 0) {
        super::mailings::add_unsubscribe(&mut tx, mailing).await?;
    }
    sqlx::query("DELETE FROM subscriptions WHERE subscriber_id = $1 AND status = 'pending'")
        .bind(subscriber_id)
        .execute(&mut *tx)
        .await?;
    drop_unwanted(&mut tx, subscriber_id).await?;
    tx.commit().await?;
    Ok(withdrawn > 0)
}

/// Everything stored about a subscriber, as JSON.
pub async fn export(db: &Db, subscriber: &Subscriber, note: &str) -> Result<serde_json::Value, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, subject, status, created_at, sent_at FROM outbox WHERE subscriber_id = $1 ORDER BY id",
    )
    .bind(subscriber.id)
    .fetch_all(&db.pool)
    .await?;
    let mut messages = Vec::with_capacity(rows.len());
    for r in &rows {
        messages.push(serde_json::json!({
            "kind": r.try_get::<String, _>("kind")?,
            "subject": r.try_get::<Option<String>, _>("subject")?,
            "status": r.try_get::<String, _>("status")?,
            "queued_at": r.try_get::<i64, _>("created_at")?,
            "sent_at": r.try_get::<Option<i64>, _>("sent_at")?,
        }));
    }
    let alerts = sqlx::query(
        "SELECT a.slug, d.day, d.deferred FROM alert_deliveries d JOIN articles a ON a.id = d.article_id
         WHERE d.subscriber_id = $1 ORDER BY d.created_at",
    )
    .bind(subscriber.id)
    .fetch_all(&db.pool)
    .await?;
    let mut announced = Vec::with_capacity(alerts.len());
    for r in &alerts {
        announced.push(serde_json::json!({
            "article": r.try_get::<String, _>("slug")?,
            "day": r.try_get::<String, _>("day")?,
            "in_summary": r.try_get::<i64, _>("deferred")? == 1,
        }));
    }
    let mut data = serde_json::json!({
        "email": subscriber.email,
        "created_at": subscriber.created_at,
        "bouncing": subscriber.bouncing,
        "subscriptions": subscriber.subscriptions,
        "messages": messages,
        "alerts_announced": announced,
        "note": note,
    });
    readable_times(&mut data);
    Ok(data)
}

/// Turns every `..._at` field holding Unix seconds into an RFC 3339 time, for people to read.
fn readable_times(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let seconds = field.as_i64().filter(|_| key.ends_with("_at"));
                match seconds.and_then(|s| jiff::Timestamp::from_second(s).ok()) {
                    Some(time) => *field = serde_json::Value::String(time.to_string()),
                    None => readable_times(field),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(readable_times),
        _ => {}
    }
}

/// Erases a subscriber and all that belongs to it, keeping only a keyed hash of the address on
/// the suppression list.
pub async fn erase(app: &dyn Env, subscriber: &Subscriber, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = app.db().begin().await?;
    sqlx::query(
        "INSERT INTO suppressions (email_hash, created_at) VALUES ($1, $2) ON CONFLICT (email_hash) DO NOTHING",
    )
    .bind(super::email_hash(app.keys(), &subscriber.email))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM outbox WHERE subscriber_id = $1",
        "DELETE FROM alert_deliveries WHERE subscriber_id = $1",
        "DELETE FROM subscriptions WHERE subscriber_id = $1",
        "DELETE FROM subscribers WHERE id = $1",
    ] {
        sqlx::query(sql).bind(subscriber.id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The tokens of the links in the mail to these subscribers, read with each row's key; a
/// subscriber that is gone has none.
pub async fn link_tokens(db: &Db, keys: &Keys, ids: &[i64]) -> Result<HashMap<i64, String>, sqlx::Error> {
    let mut tokens = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql =
            format!("SELECT id, token_key FROM subscribers WHERE id IN ({})", crate::db::placeholders(0, chunk.len()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&db.pool).await? {
            let id: i64 = row.try_get("id")?;
            tokens.insert(id, super::subscriber_token(keys, id, &row.try_get::<String, _>("token_key")?));
        }
    }
    Ok(tokens)
}

/// Whether an address is on the suppression list (erased, and not confirmed anew since).
pub async fn is_suppressed(conn: &mut AnyConnection, keys: &Keys, email: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM suppressions WHERE email_hash = $1")
        .bind(super::email_hash(keys, email))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// Deletes lapsed signups, then subscribers left with nothing subscribed and no mail waiting,
/// then the record of messages sent more than 90 days ago.
pub async fn sweep(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let lapsed = sqlx::query("DELETE FROM subscriptions WHERE status = 'pending' AND expires_at < $1")
        .bind(now)
        .execute(&db.pool)
        .await?
        .rows_affected();
    sqlx::query(
        "DELETE FROM subscribers WHERE created_at < $1
           AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = subscribers.id)
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.subscriber_id = subscribers.id AND o.status = 'queued')",
    )
    .bind(now - super::CONFIRM_VALID_SECS)
    .execute(&db.pool)
    .await?;
    sqlx::query("DELETE FROM signup_mails WHERE at < $1").bind(now - 2 * 86_400).execute(&db.pool).await?;
    sqlx::query("DELETE FROM outbox WHERE status <> 'queued' AND created_at < $1")
        .bind(now - 90 * 86_400)
        .execute(&db.pool)
        .await?;
    Ok(lapsed)
}

/// Subscribers with an active newsletter subscription, and with any active alert.
pub async fn counts(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT subscriber_id) FILTER (WHERE kind = 'newsletter') AS newsletter_subscribers,
                COUNT(DISTINCT subscriber_id) FILTER (WHERE kind = 'alert') AS alert_subscribers
         FROM subscriptions WHERE status = 'active'",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok((row.try_get("newsletter_subscribers")?, row.try_get("alert_subscribers")?))
}
