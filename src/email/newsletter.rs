//! The newsletter: a digest of the best recent articles on a schedule (daily or weekly at a
//! set hour in the publication's time zone), and campaigns editors write, preview, test-send and
//! send. Starting a send writes the campaign's state and one outbox row per subscriber in one
//! transaction.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

use super::Env;
use super::compose::{self, PREFERENCES_URL, UNSUBSCRIBE_URL};
use super::mailings;
use super::outbox::{self, NewMessage, kind};
use crate::articles::model::Article;
use crate::articles::queries::{self, Listing};
use crate::config::DigestSchedule;
use crate::db::Db;

/// Reads a piece of the mail schedule's state.
pub async fn state(db: &Db, name: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM mail_state WHERE name = $1").bind(name).fetch_optional(&db.pool).await
}

pub async fn set_state(conn: &mut AnyConnection, name: &str, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO mail_state (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2")
        .bind(name)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The latest digest time at or before `now` (Unix seconds), or `None` when digests are off.
pub fn last_slot(app: &dyn Env, now: i64) -> Option<i64> {
    let email = &app.config().email;
    let zoned = jiff::Timestamp::from_second(now).ok()?.to_zoned(app.time_zone());
    let hour = i8::try_from(email.digest_hour).ok()?;
    let mut slot = zoned.date().at(hour, 0, 0, 0).to_zoned(app.time_zone()).ok()?;
    if slot.timestamp().as_second() > now {
        slot = slot.yesterday().ok()?;
    }
    match email.digest {
        DigestSchedule::Off => return None,
        DigestSchedule::Daily => {}
        DigestSchedule::Weekly => {
            let wanted = i8::try_from(email.digest_weekday).ok()?;
            while slot.weekday().to_monday_one_offset() != wanted {
                slot = slot.yesterday().ok()?;
            }
        }
    }
    Some(slot.timestamp().as_second())
}

fn period(app: &dyn Env) -> i64 {
    match app.config().email.digest {
        DigestSchedule::Weekly => 7 * 86_400,
        _ => 86_400,
    }
}

/// The best articles published in `[from, until)`: most approved comments first, then newest.
pub async fn best_articles(app: &dyn Env, from: i64, until: i64) -> anyhow::Result<Vec<Article>> {
    let (mut articles, _) = queries::list_live(app.db(), Listing::Between(from, until), 1, 100, until).await?;
    if articles.is_empty() {
        return Ok(articles);
    }
    let list = articles.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT article_id, COUNT(*) AS n FROM comments WHERE status = 'approved' AND article_id IN ({list}) \
         GROUP BY article_id"
    );
    let comments: HashMap<i64, i64> = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&app.db().pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("article_id")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    articles.sort_by(|a, b| {
        let count = |x: &Article| comments.get(&x.id).copied().unwrap_or(0);
        count(b).cmp(&count(a)).then(b.published_at.cmp(&a.published_at))
    });
    articles.truncate(app.config().email.digest_articles as usize);
    Ok(articles)
}

/// Renders a digest's parts.
fn render_digest(app: &dyn Env, articles: &[Article]) -> anyhow::Result<(String, String)> {
    let items: Vec<serde_json::Value> = articles
        .iter()
        .map(|a| {
            serde_json::json!({
                "title": a.title,
                "lead": a.lead,
                "url": format!("{}/news/{}", app.config().site.base_url, a.slug),
            })
        })
        .collect();
    let page = minijinja::context! {
        articles => minijinja::value::Serde(items),
        preferences_url => PREFERENCES_URL,
        unsubscribe_url => UNSUBSCRIBE_URL,
    };
    compose::render(app, "digest", page)
}

/// Starts the digest when its time has come and it has not gone out for this slot yet. A slot
/// without new articles is skipped. Returns the campaign started.
pub async fn run_digest_if_due(app: &dyn Env, now: i64) -> anyhow::Result<Option<i64>> {
    let Some(slot) = last_slot(app, now) else { return Ok(None) };
    let last: Option<i64> = state(app.db(), "digest_slot").await?.and_then(|v| v.parse().ok());
    let Some(last) = last else {
        // A new site, or one that just turned the digest on, starts with the next slot rather
        // than a digest sent at start-up.
        let mut conn = app.db().pool.acquire().await?;
        set_state(&mut conn, "digest_slot", &slot.to_string()).await?;
        return Ok(None);
    };
    if last >= slot {
        return Ok(None);
    }
    let from = last.max(slot - period(app));
    let articles = best_articles(app, from, slot).await?;
    let mut tx = app.db().begin().await?;
    // Another node may have taken this slot in between: the state row decides.
    let taken: Option<String> =
        sqlx::query_scalar("SELECT value FROM mail_state WHERE name = 'digest_slot'").fetch_optional(&mut *tx).await?;
    if taken.and_then(|v| v.parse::<i64>().ok()).is_some_and(|l| l >= slot) {
        return Ok(None);
    }
    set_state(&mut tx, "digest_slot", &slot.to_string()).await?;
    if articles.is_empty() {
        tx.commit().await?;
        return Ok(None);
    }
    let (text, html) = render_digest(app, &articles)?;
    let date = jiff::Timestamp::from_second(slot)?.to_zoned(app.time_zone()).date();
    let subject = app.i18n().text(
        app.language(),
        "mail-digest-subject",
        &[
            ("site", app.config().site.name.clone().into()),
            ("date", format!("{}. {}", date.day(), app.i18n().month_name(app.language(), date.month())).into()),
        ],
    );
    let id = insert_campaign(&mut tx, "digest", &subject, "", &text, &html, None, now).await?;
    let recipients = start_in(&mut tx, id, app, now).await?;
    tx.commit().await?;
    tracing::info!(campaign = id, recipients, articles = articles.len(), "newsletter digest started");
    Ok(Some(id))
}

#[allow(clippy::too_many_arguments)]
async fn insert_campaign(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
    body_md: &str,
    text: &str,
    html: &str,
    user: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO campaigns (kind, subject, body_md, text_body, html_body, status, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING id",
    )
    .bind(kind)
    .bind(subject)
    .bind(body_md)
    .bind(text)
    .bind(html)
    .bind(user)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Opens a campaign's mailing and sends the links of its stored parts through the counted
/// redirect; returns the mailing.
async fn links_through_redirect(
    conn: &mut AnyConnection,
    id: i64,
    app: &dyn Env,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT subject, text_body, html_body FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let (subject, text, html): (String, String, String) =
        (row.try_get("subject")?, row.try_get("text_body")?, row.try_get("html_body")?);
    let mailing = mailings::open(conn, mailings::Key::Campaign(id), &subject, now).await?;
    let (text, html) = mailings::Links::new(mailing, app).rewrite(conn, &text, &html, now).await?;
    sqlx::query("UPDATE campaigns SET text_body = $1, html_body = $2 WHERE id = $3")
        .bind(text)
        .bind(html)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(mailing)
}

/// Marks a draft as sending and queues it for every subscriber, in the caller's transaction,
/// its links counted ([`mailings`]). Returns `None` when the campaign is not a draft (it was
/// sent already).
async fn start_in(conn: &mut AnyConnection, id: i64, app: &dyn Env, now: i64) -> Result<Option<u64>, sqlx::Error> {
    let started =
        sqlx::query("UPDATE campaigns SET status = 'sending', started_at = $1 WHERE id = $2 AND status = 'draft'")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if started == 0 {
        return Ok(None);
    }
    let mailing = links_through_redirect(conn, id, app, now).await?;
    let recipients = outbox::enqueue_campaign(conn, id, mailing, now).await?;
    sqlx::query("UPDATE campaigns SET recipients = $1 WHERE id = $2")
        .bind(i64::try_from(recipients).unwrap_or(i64::MAX))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(recipients))
}

/// A campaign an editor writes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Campaign {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body_md: String,
    pub html_body: String,
    pub status: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub recipients: i64,
}

/// Longest campaign text accepted, in characters.
pub const MAX_BODY: usize = 100_000;

/// Renders an editor's Markdown as a campaign's parts.
fn render_campaign(app: &dyn Env, subject: &str, body_md: &str) -> anyhow::Result<(String, String)> {
    let (body_html, body_text) = crate::articles::markdown::render_mail(body_md, &app.config().site.base_url);
    let page = minijinja::context! {
        subject => subject,
        body_text => body_text,
        body_html => minijinja::Value::from_safe_string(body_html),
        preferences_url => PREFERENCES_URL,
        unsubscribe_url => UNSUBSCRIBE_URL,
    };
    compose::render(app, "campaign", page)
}

/// Checks an editor's subject and text; the error is a message key.
pub fn check_campaign<'a>(subject: &'a str, body_md: &'a str) -> Result<(&'a str, &'a str), &'static str> {
    let subject = compose::check_subject(subject)?;
    let body = body_md.trim();
    if body.is_empty() {
        return Err("newsletter-error-body-empty");
    }
    if body.chars().count() > MAX_BODY {
        return Err("newsletter-error-body-long");
    }
    Ok((subject, body))
}

/// Saves a new draft, or changes one that has not been sent. Returns its id.
pub async fn save_draft(
    app: &dyn Env,
    id: Option<i64>,
    subject: &str,
    body_md: &str,
    user: Option<i64>,
    now: i64,
) -> anyhow::Result<Option<i64>> {
    let (text, html) = render_campaign(app, subject, body_md)?;
    let mut tx = app.db().begin().await?;
    let id = match id {
        None => insert_campaign(&mut tx, "oneoff", subject, body_md, &text, &html, user, now).await?,
        Some(id) => {
            let changed = sqlx::query(
                "UPDATE campaigns SET subject = $1, body_md = $2, text_body = $3, html_body = $4
                 WHERE id = $5 AND status = 'draft'",
            )
            .bind(subject)
            .bind(body_md)
            .bind(&text)
            .bind(&html)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(None);
            }
            id
        }
    };
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Campaign>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, kind, subject, body_md, html_body, status, created_at, started_at, recipients FROM campaigns WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Campaign {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            subject: r.try_get("subject")?,
            body_md: r.try_get("body_md")?,
            html_body: r.try_get("html_body")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
            started_at: r.try_get("started_at")?,
            recipients: r.try_get("recipients")?,
        })
    })
    .transpose()
}

/// Starts sending a draft to every newsletter subscriber. `None`: it was not a draft.
pub async fn start(app: &dyn Env, id: i64, now: i64) -> anyhow::Result<Option<u64>> {
    let mut tx = app.db().begin().await?;
    let recipients = start_in(&mut tx, id, app, now).await?;
    tx.commit().await?;
    if let Some(n) = recipients {
        tracing::info!(campaign = id, recipients = n, "campaign started");
    }
    Ok(recipients)
}

/// Sends one copy of a campaign to `email` (an editor's test). The address is not made a
/// subscriber: the copy's own preference links lead nowhere, which its subject's "[Test]" says.
pub async fn test_send(app: &dyn Env, campaign: &Campaign, email: &str, now: i64) -> anyhow::Result<()> {
    let mut tx = app.db().begin().await?;
    let (subject, text, html): (String, String, String) = {
        let row = sqlx::query("SELECT subject, text_body, html_body FROM campaigns WHERE id = $1")
            .bind(campaign.id)
            .fetch_one(&mut *tx)
            .await?;
        (row.try_get("subject")?, row.try_get("text_body")?, row.try_get("html_body")?)
    };
    let subject = format!("[Test] {subject}");
    let message = NewMessage {
        kind: kind::TEST,
        mailing_id: None,
        subscriber_id: None,
        recipient: email,
        subject: &subject,
        text: &text,
        html: &html,
    };
    outbox::enqueue(&mut tx, &message, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The mail schedule's round, run by the background worker: the digest and the alert summaries
/// when due, and every hour the sweep of lapsed signups.
pub async fn run_schedule(app: &dyn Env) -> anyhow::Result<()> {
    static LAST_SWEEP: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let now = app.now();
    run_digest_if_due(app, now).await?;
    super::alerts::send_summaries_if_due(app, now).await?;
    if now - LAST_SWEEP.load(std::sync::atomic::Ordering::Relaxed) >= 3600 {
        LAST_SWEEP.store(now, std::sync::atomic::Ordering::Relaxed);
        super::sender::SharedRate::sweep(app.db(), crate::db::now()).await?;
        let lapsed = super::subscribers::sweep(app.db(), now).await?;
        if lapsed > 0 {
            tracing::info!(lapsed, "unconfirmed signups expired");
        }
    }
    Ok(())
}
