//! Similar-news alerts at scale, for BENCHMARKS.md:
//! `cargo bench --bench alerts [-- ARTICLES SUBSCRIPTIONS]`.
//!
//! Builds a site on SQLite in a temporary folder: ARTICLES generated articles (default 20,000,
//! one every ten minutes; see `support/corpus.rs`) in the database and the search index, and
//! SUBSCRIPTIONS confirmed similar-news alerts (default 100,000), each from its own reader, on
//! articles picked with a skew towards recent ones, as popular stories draw more readers. Then
//! publishes 20 new articles, one per topic, and measures for each:
//! - matching: the similar earlier articles and the active alerts on them, which is what the
//!   target of one second is about;
//! - the whole alert round as the worker runs it: matching, the daily caps, and one rendered
//!   message per reader written to the outbox.

use std::time::{Duration, Instant};

use newsdesk::app::App;
use newsdesk::articles::model::{Article, ArticleDraft};
use newsdesk::email::alerts;

#[path = "support/corpus.rs"]
mod corpus;

const NEW_ARTICLES: usize = 20;

fn main() -> anyhow::Result<()> {
    let mut numbers = std::env::args().skip(1).filter_map(|a| a.parse::<usize>().ok());
    let count = numbers.next().unwrap_or(20_000);
    let subscriptions = numbers.next().unwrap_or(100_000);
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(count, subscriptions))
}

async fn run(count: usize, subscriptions: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = newsdesk::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
    config.email.transport = newsdesk::config::MailTransport::Memory;
    let app = App::build(config).await?;
    let now = app.now();

    let mut corpus = corpus::Corpus::new();
    let started = Instant::now();
    let articles: Vec<Article> = (0..count).map(|i| corpus.article(i, now - 600 * (count - i) as i64)).collect();
    store_articles(&app, &articles).await?;
    app.search.rebuild(&articles, |_| {})?;
    drop(articles);
    println!("{count} articles stored and indexed in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    store_alerts(&app, &mut corpus.rng, count, subscriptions).await?;
    println!(
        "{subscriptions} confirmed alerts from as many readers stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (mut matching, mut rounds) = (Vec::new(), Vec::new());
    let (mut matched, mut queued) = (0, 0);
    for t in 0..NEW_ARTICLES {
        let generated = corpus.article(count + t * 40 + t, now);
        let draft = ArticleDraft {
            title: newsdesk::articles::model::clip_words(&generated.title, newsdesk::articles::model::MAX_TITLE),
            lead: newsdesk::articles::model::clip_words(&generated.lead, newsdesk::articles::model::MAX_LEAD),
            body_md: generated.body_md,
            tags: vec![generated.tags[0].name.clone()],
            authors: vec!["Redaktion".into()],
            status: Some("published".into()),
            ..Default::default()
        };
        let input = draft.validate(app.language(), now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let article = newsdesk::articles::queries::create(&app.db, &input, now).await?;

        let started = Instant::now();
        matched += alerts::matching(&app, &article).await?.len();
        matching.push(started.elapsed());

        let before = outbox_rows(&app).await?;
        let started = Instant::now();
        alerts::run(&app, alerts::Round { article_id: article.id }).await?;
        rounds.push(started.elapsed());
        queued += outbox_rows(&app).await? - before;
    }
    println!(
        "matching one new article against {subscriptions} alerts, {NEW_ARTICLES} articles: p50 {:.0} ms, max {:.0} ms \
         ({} readers matched on average)",
        millis(&mut matching, 50),
        millis(&mut matching, 100),
        matched / NEW_ARTICLES
    );
    println!(
        "whole alert round (matching, caps, messages into the outbox): p50 {:.0} ms, max {:.0} ms \
         ({} messages queued on average)",
        millis(&mut rounds, 50),
        millis(&mut rounds, 100),
        queued / NEW_ARTICLES as i64
    );
    Ok(())
}

/// The `percent`-th percentile of `times`, in milliseconds.
fn millis(times: &mut [Duration], percent: usize) -> f64 {
    times.sort();
    let at = (times.len() * percent / 100).min(times.len() - 1);
    times[at].as_secs_f64() * 1000.0
}

async fn outbox_rows(app: &App) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&app.db.pool).await?)
}

/// Writes the generated articles and their topic tags straight into the tables, in one
/// transaction (saving them one by one through the editor's path would take minutes).
async fn store_articles(app: &App, articles: &[Article]) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    for t in 0..40 {
        sqlx::query("INSERT INTO tags (id, slug, name, created_at) VALUES ($1, $2, $3, 0)")
            .bind(t + 1)
            .bind(format!("thema-{t}"))
            .bind(format!("Thema {t}"))
            .execute(&mut *tx)
            .await?;
    }
    for a in articles {
        sqlx::query(
            "INSERT INTO articles (id, slug, title, lead, body_md, body_html, language, status, published_at,
                                   created_at, modified_at)
             VALUES ($1, $2, $3, $4, $5, '', 'de', 'published', $6, $6, $6)",
        )
        .bind(a.id)
        .bind(&a.slug)
        .bind(&a.title)
        .bind(&a.lead)
        .bind(&a.body_md)
        .bind(a.published_at)
        .execute(&mut *tx)
        .await?;
        let topic: i64 = a.tags[0].slug.trim_start_matches("thema-").parse()?;
        sqlx::query("INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, 0)")
            .bind(a.id)
            .bind(topic + 1)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One confirmed alert per reader. The article is the later of two uniform picks, so recent
/// articles draw more readers than old ones.
async fn store_alerts(app: &App, rng: &mut corpus::Rng, count: usize, subscriptions: usize) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    for s in 0..subscriptions {
        let article = rng.below(count).max(rng.below(count)) + 1;
        sqlx::query("INSERT INTO subscribers (id, email, created_at) VALUES ($1, $2, 0)")
            .bind(s as i64 + 1)
            .bind(format!("leser{s}@example.org"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO subscriptions (subscriber_id, kind, article_id, status, created_at, confirmed_at,
                                        consent_text, consent_form, consent_ip_hash, consent_at)
             VALUES ($1, 'alert', $2, 'active', 0, 0, 'ja', 'bench', 'x', 0)",
        )
        .bind(s as i64 + 1)
        .bind(article as i64)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
