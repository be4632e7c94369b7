//! Similar-news alerts. When an article is published, the similarity engine finds the earlier
//! articles like it; every active alert on one of those tells its reader, once per new
//! article. Past `email.alerts_per_day` alerts in a day (the publication's day), the rest wait
//! for one summary the next day at the digest hour.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Row as _};

use super::Env;
use super::mailings::{self, Key, Links};
use super::outbox::{self, NewMessage, kind};
use crate::articles::model::{Article, Status};
use crate::changes::{ArticleState, Event};
use crate::search::related::{Among, MIN_SIMILAR};

/// An article's alert round, due when it goes live.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Round {
    pub article_id: i64,
}

impl crate::queue::Kind for Round {
    const NAME: &'static str = "mail.alerts";
}
/// An article older than this when its round runs is not announced (an archive being imported
/// is not news).
const FRESH_SECS: i64 = 2 * 86_400;
/// Earlier articles considered per new article.
const SIMILAR_CANDIDATES: usize = 1_000;
/// Subscribers handled per transaction.
const CHUNK: usize = 200;

/// The consumer of change events: a save that sends an article out for the first time (now,
/// or at a scheduled time) queues its alert round for then.
pub async fn on_event(app: &dyn Env, event: &Event) -> anyhow::Result<()> {
    let Event::ArticleSaved { article_id, before, after, at } = event else { return Ok(()) };
    let Some(run_at) = alert_time(before.as_ref(), after, *at) else { return Ok(()) };
    let mut tx = app.db().begin().await?;
    crate::queue::enqueue(&mut tx, &Round { article_id: *article_id }, run_at).await?;
    tx.commit().await?;
    Ok(())
}

/// When a save makes an article go live for the first time (now, or at a scheduled time), its
/// similar-news alerts are due then. Edits of a live article alert no one again; a new
/// schedule queues a new round (the round itself skips what is not live or already announced).
fn alert_time(before: Option<&ArticleState>, after: &ArticleState, now: i64) -> Option<i64> {
    let out = |s: &ArticleState| matches!(s.status, Status::Published | Status::Scheduled);
    let going_out = out(after);
    let was_out = before.is_some_and(out);
    let rescheduled = before.is_some_and(|b| b.status == Status::Scheduled && b.published_at != after.published_at);
    (going_out && (!was_out || rescheduled)).then(|| after.published_at.unwrap_or(now).max(now))
}

/// A subscriber to tell, with the subscribed articles that make the new one relevant.
#[derive(Debug, Clone)]
pub struct Matched {
    pub subscriber_id: i64,
    pub email: String,
    /// Titles of the articles the reader asked about.
    pub because: Vec<String>,
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The subscribers whose alerts `article` answers: active alerts on earlier articles that are
/// similar enough to it, on addresses that are not bouncing.
pub async fn matching(app: &dyn Env, article: &Article) -> anyhow::Result<Vec<Matched>> {
    let profile = app.search().profile_of(article);
    let published = article.published_at.unwrap_or(0);
    let similar =
        app.search().most_similar(&profile, Among::PublishedBefore(published), MIN_SIMILAR, SIMILAR_CANDIDATES)?;
    let ids: Vec<i64> = similar.iter().map(|m| m.id).collect();
    let mut by_subscriber: BTreeMap<i64, Matched> = BTreeMap::new();
    let mut titles: BTreeMap<i64, String> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let list = id_list(chunk);
        let sql = format!(
            "SELECT s.subscriber_id, u.email, s.article_id, a.title FROM subscriptions s
             JOIN subscribers u ON u.id = s.subscriber_id JOIN articles a ON a.id = s.article_id
             WHERE s.kind = 'alert' AND s.status = 'active' AND u.bouncing_at IS NULL AND s.article_id IN ({list})
             ORDER BY s.subscriber_id"
        );
        for row in sqlx::query(AssertSqlSafe(sql)).fetch_all(&app.db().pool).await? {
            let subscriber: i64 = row.try_get("subscriber_id")?;
            let article_id: i64 = row.try_get("article_id")?;
            let title = titles.entry(article_id).or_insert(row.try_get("title")?).clone();
            by_subscriber
                .entry(subscriber)
                .or_insert_with(|| Matched {
                    subscriber_id: subscriber,
                    email: row.try_get("email").unwrap_or_default(),
                    because: Vec::new(),
                })
                .because
                .push(title);
        }
    }
    Ok(by_subscriber.into_values().collect())
}

/// The publication's calendar day of `now`, as YYYY-MM-DD.
pub fn local_day(app: &dyn Env, now: i64) -> String {
    jiff::Timestamp::from_second(now)
        .map(|t| t.to_zoned(app.time_zone()).date().to_string())
        .unwrap_or_else(|_| "1970-01-01".into())
}

/// The worker's side of a [`Round`]: tells every matching subscriber about the article, once.
pub async fn run(app: &dyn Env, round: Round) -> anyhow::Result<()> {
    let id = round.article_id;
    let now = app.now();
    let Some(article) = crate::articles::queries::find_by_id(app.db(), id).await? else { return Ok(()) };
    // Not live (any more, or yet: a later schedule queued its own round), or old news.
    if !article.is_live(now) || article.published_at.is_some_and(|t| t > now || t < now - FRESH_SECS) {
        return Ok(());
    }
    let matched = matching(app, &article).await?;
    let day = local_day(app, now);
    let cap = i64::from(app.config().email.alerts_per_day);
    let (mut sent, mut deferred) = (0, 0);
    // The article's mailing, opened with its first message.
    let mut links: Option<Links> = None;
    for chunk in matched.chunks(CHUNK) {
        let mut tx = app.db().begin().await?;
        let list = id_list(&chunk.iter().map(|m| m.subscriber_id).collect::<Vec<_>>());
        let sql = format!(
            "SELECT subscriber_id, COUNT(*) AS n FROM alert_deliveries WHERE day = $1 AND deferred = 0
               AND subscriber_id IN ({list}) GROUP BY subscriber_id"
        );
        let today: BTreeMap<i64, i64> = sqlx::query(AssertSqlSafe(sql))
            .bind(&day)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("subscriber_id")?, r.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        for m in chunk {
            let over = today.get(&m.subscriber_id).copied().unwrap_or(0) >= cap;
            let inserted = sqlx::query(
                "INSERT INTO alert_deliveries (subscriber_id, article_id, day, deferred, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subscriber_id, article_id) DO NOTHING",
            )
            .bind(m.subscriber_id)
            .bind(article.id)
            .bind(&day)
            .bind(i64::from(over))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            if over {
                deferred += 1;
                continue;
            }
            let page = minijinja::context! {
                article => minijinja::value::Serde(&article),
                article_url => format!("{}/news/{}", app.config().site.base_url, article.slug),
                because => m.because.clone(),
                preferences_url => super::compose::PREFERENCES_URL,
                unsubscribe_url => super::compose::UNSUBSCRIBE_URL,
            };
            let (text, html) = super::compose::render(app, "alert", page)?;
            let subject =
                app.i18n().text(app.language(), "mail-alert-subject", &[("title", article.title.clone().into())]);
            let links = match &mut links {
                Some(links) => links,
                None => {
                    let mailing = mailings::open(&mut tx, Key::Alert(article.id), &article.title, now).await?;
                    links.insert(Links::new(mailing, app))
                }
            };
            let (text, html) = links.rewrite(&mut tx, &text, &html, now).await?;
            let message = NewMessage {
                kind: kind::ALERT,
                mailing_id: Some(links.mailing()),
                subscriber_id: Some(m.subscriber_id),
                recipient: &m.email,
                subject: &subject,
                text: &text,
                html: &html,
            };
            outbox::enqueue(&mut tx, &message, now).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    tracing::info!(article = article.slug, matched = matched.len(), sent, deferred, "similar-news alerts queued");
    Ok(())
}

/// Once a day at the digest hour: one summary per subscriber of the alerts held back on earlier
/// days. Returns how many summaries were queued.
pub async fn send_summaries_if_due(app: &dyn Env, now: i64) -> anyhow::Result<usize> {
    let zoned = jiff::Timestamp::from_second(now)?.to_zoned(app.time_zone());
    let today = zoned.date().to_string();
    if u32::try_from(zoned.hour()).unwrap_or(0) < app.config().email.digest_hour
        || super::newsletter::state(app.db(), "alert_summary_day").await?.as_deref() == Some(today.as_str())
    {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT d.subscriber_id, u.email, a.title, a.slug, a.lead FROM alert_deliveries d
         JOIN subscribers u ON u.id = d.subscriber_id JOIN articles a ON a.id = d.article_id
         WHERE d.deferred = 1 AND d.summarised_at IS NULL AND d.day < $1 AND u.bouncing_at IS NULL
           AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = d.subscriber_id
                       AND s.kind = 'alert' AND s.status = 'active')
         ORDER BY d.subscriber_id, d.created_at",
    )
    .bind(&today)
    .fetch_all(&app.db().pool)
    .await?;
    let mut by_subscriber: BTreeMap<i64, (String, Vec<serde_json::Value>)> = BTreeMap::new();
    for row in &rows {
        let slug: String = row.try_get("slug")?;
        let entry = by_subscriber
            .entry(row.try_get("subscriber_id")?)
            .or_insert_with(|| (row.try_get("email").unwrap_or_default(), vec![]));
        entry.1.push(serde_json::json!({
            "title": row.try_get::<String, _>("title")?,
            "lead": row.try_get::<String, _>("lead")?,
            "url": format!("{}/news/{slug}", app.config().site.base_url),
        }));
    }
    let subscribers: Vec<(i64, (String, Vec<serde_json::Value>))> = by_subscriber.into_iter().collect();
    let mut links: Option<Links> = None;
    for chunk in subscribers.chunks(CHUNK) {
        let mut tx = app.db().begin().await?;
        if links.is_none() {
            let title = app.i18n().text(app.language(), "mail-alert-summary-mailing", &[("day", today.clone().into())]);
            let mailing = mailings::open(&mut tx, Key::AlertSummary(&today), &title, now).await?;
            links = Some(Links::new(mailing, app));
        }
        let Some(links) = links.as_mut() else { continue };
        for (subscriber, (email, articles)) in chunk {
            let page = minijinja::context! {
                articles => minijinja::value::Serde(articles),
                preferences_url => super::compose::PREFERENCES_URL,
                unsubscribe_url => super::compose::UNSUBSCRIBE_URL,
            };
            let (text, html) = super::compose::render(app, "alert_summary", page)?;
            let (text, html) = links.rewrite(&mut tx, &text, &html, now).await?;
            let subject = app.i18n().text(
                app.language(),
                "mail-alert-summary-subject",
                &[("count", i64::try_from(articles.len()).unwrap_or(0).into())],
            );
            let message = NewMessage {
                kind: kind::ALERT_SUMMARY,
                mailing_id: Some(links.mailing()),
                subscriber_id: Some(*subscriber),
                recipient: email,
                subject: &subject,
                text: &text,
                html: &html,
            };
            outbox::enqueue(&mut tx, &message, now).await?;
            sqlx::query(
                "UPDATE alert_deliveries SET summarised_at = $1
                 WHERE subscriber_id = $2 AND deferred = 1 AND summarised_at IS NULL AND day < $3",
            )
            .bind(now)
            .bind(subscriber)
            .bind(&today)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    // Held-back alerts of readers who since switched alerts off are not summarised.
    sqlx::query(
        "UPDATE alert_deliveries SET summarised_at = $1 WHERE deferred = 1 AND summarised_at IS NULL AND day < $2",
    )
    .bind(now)
    .bind(&today)
    .execute(&app.db().pool)
    .await?;
    let mut conn = app.db().pool.acquire().await?;
    super::newsletter::set_state(&mut conn, "alert_summary_day", &today).await?;
    Ok(subscribers.len())
}
