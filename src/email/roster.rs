//! The newsroom's view of its subscribers (`/admin/subscribers`): a searchable list, a CSV
//! export of the newsletter's readers, and a CSV import for a list brought from another system.
//!
//! An import never overrides a reader's own decision: an address erased or unsubscribed here
//! stays out, and one already subscribed is left as it is. Imported readers either count as
//! having agreed elsewhere (the consent recorded is the editor's statement of where, with who
//! imported it and when), or get a confirmation mail and count only once they confirm, exactly
//! like a signup on the site.

use std::collections::HashSet;

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use super::Env;
use super::compose::{self, Templated};
use super::outbox::kind;
use super::subscribers::{is_suppressed, subscriber_id};
use crate::db::Db;
use crate::text::csv_field;

/// Most lines one import takes; a larger list is split (one import is one request and one
/// transaction, within the request time limit).
pub const MAX_IMPORT_LINES: usize = 20_000;
/// The largest import file accepted.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
/// Lines the report names one by one, per kind of problem.
const REPORTED_LINES: usize = 20;

/// One subscriber as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: i64,
    pub email: String,
    pub created_at: i64,
    pub bouncing: bool,
    /// The newsletter subscription's status: `active`, `pending`, `off`, or none.
    pub newsletter: Option<String>,
    pub alerts: i64,
    pub consent_form: Option<String>,
}

/// A page of subscribers whose address contains `search` (all when empty), newest first, and
/// how many match.
pub async fn list(db: &Db, search: &str, limit: i64, offset: i64) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let pattern = format!("%{}%", search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subscribers WHERE email LIKE $1 ESCAPE '\\'")
        .bind(&pattern)
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.created_at, u.bouncing_at, n.status AS newsletter, n.consent_form,
                (SELECT COUNT(*) FROM subscriptions a WHERE a.subscriber_id = u.id AND a.kind = 'alert'
                   AND a.status = 'active') AS alerts
         FROM subscribers u
         LEFT JOIN subscriptions n ON n.subscriber_id = u.id AND n.kind = 'newsletter'
         WHERE u.email LIKE $1 ESCAPE '\\' ORDER BY u.created_at DESC, u.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(Row {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                bouncing: r.try_get::<Option<i64>, _>("bouncing_at")?.is_some(),
                newsletter: r.try_get("newsletter")?,
                alerts: r.try_get("alerts")?,
                consent_form: r.try_get("consent_form")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((rows, total))
}

/// The newsletter's active readers as CSV (header row; RFC 4180 quoting), with when and how
/// each agreed: what a move to another mailer needs, and what an audit asks for.
pub async fn export_csv(db: &Db) -> Result<String, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.email, s.confirmed_at, s.consent_at, s.consent_form, s.consent_text
         FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id
         WHERE s.kind = 'newsletter' AND s.status = 'active' AND u.bouncing_at IS NULL ORDER BY u.email",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = String::from("email,confirmed_at,consent_at,consent_form,consent_text\r\n");
    let date = |t: Option<i64>| {
        t.and_then(|t| jiff::Timestamp::from_second(t).ok()).map(|t| t.to_string()).unwrap_or_default()
    };
    for r in &rows {
        let fields = [
            r.try_get::<String, _>("email")?,
            date(r.try_get("confirmed_at")?),
            date(r.try_get("consent_at")?),
            r.try_get::<String, _>("consent_form")?,
            r.try_get::<String, _>("consent_text")?,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// The first field of every line of a CSV file (comma or semicolon separated, as spreadsheets
/// write it; fields may be quoted, quotes doubled), with its line number. Blank lines are left
/// out; a first line whose first field is not an address is taken as a header.
pub fn first_fields(text: &str) -> Vec<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let field = match line.strip_prefix('"') {
            // A quoted field ends at a quote not doubled.
            Some(rest) => {
                let mut value = String::new();
                let mut chars = rest.chars().peekable();
                while let Some(c) = chars.next() {
                    match (c, chars.peek()) {
                        ('"', Some('"')) => {
                            value.push('"');
                            chars.next();
                        }
                        ('"', _) => break,
                        (c, _) => value.push(c),
                    }
                }
                value
            }
            None => line.split([',', ';', '\t']).next().unwrap_or_default().to_string(),
        };
        let field = field.trim().to_string();
        if out.is_empty() && i == 0 && !field.contains('@') {
            continue;
        }
        out.push((i + 1, field));
    }
    out
}

/// How the imported readers agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// They agreed elsewhere: active at once, with the editor's statement as the consent.
    Given,
    /// Each gets a confirmation mail and counts once confirmed.
    DoubleOptIn,
}

/// What an import did, line by line where something was left out.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub added: usize,
    pub confirmations: usize,
    pub already: usize,
    pub duplicates: usize,
    /// Erased or unsubscribed here before: their decision stands.
    pub kept_out: Vec<usize>,
    pub kept_out_count: usize,
    pub invalid: Vec<(usize, String)>,
    pub invalid_count: usize,
}

/// Imports newsletter readers, all in one transaction: an import that fails leaves nothing.
/// `consent_text` is recorded as each reader's consent: where they agreed, in the editor's
/// words, and who imported them.
pub async fn import(
    app: &dyn Env,
    lines: &[(usize, String)],
    consent: Consent,
    consent_text: &str,
    now: i64,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut seen = HashSet::new();
    let mut tx = app.db().begin().await?;
    for (line, raw) in lines {
        let Some(email) = (raw.len() <= 320).then(|| super::parse_address(raw)).flatten() else {
            report.invalid_count += 1;
            if report.invalid.len() < REPORTED_LINES {
                report.invalid.push((*line, raw.chars().take(80).collect()));
            }
            continue;
        };
        if !seen.insert(email.clone()) {
            report.duplicates += 1;
            continue;
        }
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT s.status FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id
             WHERE u.email = $1 AND s.kind = 'newsletter'",
        )
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
        let decided_against = existing.as_deref() == Some("off") || is_suppressed(&mut tx, app.keys(), &email).await?;
        if decided_against {
            report.kept_out_count += 1;
            if report.kept_out.len() < REPORTED_LINES {
                report.kept_out.push(*line);
            }
            continue;
        }
        // Subscribed, or waiting for the confirmation of a signup here: that one decides.
        if existing.is_some() {
            report.already += 1;
            continue;
        }
        let subscriber = subscriber_id(&mut tx, &email, now).await?;
        let subscription = insert(&mut tx, subscriber, consent, consent_text, now).await?;
        match consent {
            Consent::Given => report.added += 1,
            Consent::DoubleOptIn => {
                queue_confirmation(app, &mut tx, subscriber, subscription, &email, now).await?;
                report.confirmations += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

async fn insert(
    conn: &mut AnyConnection,
    subscriber: i64,
    consent: Consent,
    consent_text: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (status, confirmed, expires) = match consent {
        Consent::Given => ("active", Some(now), None),
        Consent::DoubleOptIn => ("pending", None, Some(now + super::CONFIRM_VALID_SECS)),
    };
    sqlx::query_scalar(
        "INSERT INTO subscriptions (subscriber_id, kind, article_id, status, created_at, confirmed_at, expires_at,
            mailed_at, consent_text, consent_form, consent_ip_hash, consent_at, token_key)
         VALUES ($1, 'newsletter', NULL, $2, $3, $4, $5, $6, $7, 'import', 'import', $3, $8) RETURNING id",
    )
    .bind(subscriber)
    .bind(status)
    .bind(now)
    .bind(confirmed)
    .bind(expires)
    .bind(matches!(consent, Consent::DoubleOptIn).then_some(now))
    .bind(consent_text)
    .bind(crate::auth::keys::random_hex(16))
    .fetch_one(&mut *conn)
    .await
}

/// The same confirmation mail a signup on the site sends.
async fn queue_confirmation(
    app: &dyn Env,
    conn: &mut AnyConnection,
    subscriber: i64,
    subscription: i64,
    email: &str,
    now: i64,
) -> anyhow::Result<()> {
    let token_key: String = sqlx::query_scalar("SELECT token_key FROM subscriptions WHERE id = $1")
        .bind(subscription)
        .fetch_one(&mut *conn)
        .await?;
    let confirm_url = format!(
        "{}/subscription/confirm/{}",
        app.config().site.base_url,
        super::confirm_token(app.keys(), subscription, &token_key, now)
    );
    let page = minijinja::context! {
        kind => "newsletter",
        article_title => "",
        confirm_url => confirm_url,
        valid_days => super::CONFIRM_VALID_SECS / 86_400,
    };
    let mail = Templated {
        kind: kind::CONFIRM,
        subscriber_id: Some(subscriber),
        recipient: email,
        template: "confirm",
        subject_key: "mail-confirm-subject-newsletter",
    };
    compose::queue(app, conn, &mail, page, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fields_read_what_spreadsheets_write() {
        let text = "\u{feff}E-Mail;Name\r\nanna@example.org;Anna\r\n\r\n\"bert@example.org\",\"Bert, B.\"\n\"a\"\"b@example.org\"\nkaputt\n";
        assert_eq!(
            first_fields(text),
            [
                (2, "anna@example.org".into()),
                (4, "bert@example.org".into()),
                (5, "a\"b@example.org".into()),
                (6, "kaputt".into())
            ]
        );
        assert_eq!(first_fields("anna@example.org\n"), [(1, "anna@example.org".into())], "no header row");
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("anna@example.org"), "anna@example.org");
        assert_eq!(csv_field("Formular, Startseite"), "\"Formular, Startseite\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
