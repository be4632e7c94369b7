//! Moderation figures for BENCHMARKS.md: `cargo bench --bench moderation`.
//!
//! - scoring one 1,000-character comment (median and 99th percentile of 2,000 runs), with the
//!   word lists and rules alone and with the trained model, and reading the model at start-up;
//! - rendering `/admin/comments` with 10,000 pending comments (median of 30 requests through
//!   the real router, SQLite in a temporary folder, release build);
//! - precision and recall of each flag on the labelled evaluation sets.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use newsdesk::app::App;
use newsdesk::auth::users::{Email, Password, Role};
use newsdesk::comments::model::{NewComment, Status};
use newsdesk::comments::moderation::{ArticleContext, Assessor, Signals, evaluation};
use newsdesk::config::Config;
use newsdesk::db::Db;
use tower::ServiceExt as _;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let config = Config::default();
    let assessor = Assessor::new(&config.comments)?;
    let (articles, corpus) = evaluation::demo_articles()?;
    let (text, language) = articles.get("pflegeroboter-im-praxistest-augsburg").expect("demo article");
    let context = ArticleContext::new(text, *language, &corpus);
    let sentence = "Die Pflegeroboter im Augsburger Heim nehmen den Pflegekräften das schwere Heben ab, \
                    aber ob die Bewohner das wirklich angenehmer finden, bleibt offen. ";
    let comment: String = sentence.repeat(1000 / sentence.len() + 1).chars().take(1000).collect();
    let word_lists = Assessor::word_lists_only(&config.comments)?;
    for (what, assessor) in [("word lists and rules only", &word_lists), ("with the trained model", &assessor)] {
        let mut samples = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let started = Instant::now();
            std::hint::black_box(assessor.assess(&comment, &context, &Signals::default()));
            samples.push(started.elapsed());
        }
        let median = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        println!("scoring a 1,000-character comment, {what}: median {median:?}, p99 {p99:?} (2,000 runs)");
    }
    let english = "I hope the robots in the Augsburg home really take the heavy lifting off the nurses, \
                   but whether the residents find it more pleasant remains to be seen. ";
    let english: String = english.repeat(1000 / english.len() + 1).chars().take(1000).collect();
    let mut samples = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let started = Instant::now();
        std::hint::black_box(assessor.assess(&english, &context, &Signals::default()));
        samples.push(started.elapsed());
    }
    let (median, p99) = (percentile(&mut samples, 0.5), percentile(&mut samples, 0.99));
    println!(
        "scoring a 1,000-character English comment on a German article, with the trained model: \
         median {median:?}, p99 {p99:?} (2,000 runs)"
    );
    let mut reads: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(newsdesk::comments::moderation::bilingual::Dictionary::read_built_in());
            started.elapsed()
        })
        .collect();
    let pairs = newsdesk::comments::moderation::bilingual::Dictionary::get();
    println!(
        "reading the German-English word pairs (the first off-topic judgement of a process): median {:?} (5 runs); \
         {} term pairs in {:.1} MB",
        percentile(&mut reads, 0.5),
        pairs.len(),
        pairs.memory_bytes() as f64 / 1e6
    );
    let mut loads: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            // What the first `Model::built_in()` of a process does; later calls share its result.
            use newsdesk::comments::moderation::model;
            std::hint::black_box(model::Model::from_bytes(model::BUILT_IN).expect("readable"));
            started.elapsed()
        })
        .collect();
    println!("reading the built-in model at start-up: median {:?} (20 runs)", percentile(&mut loads, 0.5));

    let dir = tempfile::tempdir()?;
    let mut config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    config.log.level = "warn".into();
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let app = App::with_db(config, db).await?;
    newsdesk::articles::import::load_demo(&app.db, app.language(), app.now()).await?;
    let list = newsdesk::articles::queries::list_all(&app.db).await?;
    let started = Instant::now();
    for i in 0..10_000 {
        let article = &list[i % list.len()];
        let body =
            format!("Kommentar Nummer {i} zu den Robotern im Heim, mit etwas Text, damit die Seite echt aussieht.");
        let new = NewComment { name: format!("Leser {i}"), email: None, body: body.clone(), parent_id: None };
        let assessment = assessor.assess(&body, &context, &Signals::default());
        let hash = format!("{i:032x}");
        newsdesk::comments::queries::insert(
            &mut *app.db.pool.acquire().await?,
            article.id,
            &new,
            Status::Pending,
            &hash,
            &hash,
            &assessment,
            app.now(),
        )
        .await?;
    }
    println!("inserted 10,000 pending comments in {:?}", started.elapsed());
    let email = Email::parse("moderator@example.org")?;
    let user =
        newsdesk::auth::users::add(&app.db, &email, Role::Moderator, &Password::parse("ein-langes-passwort".into())?)
            .await?;
    let token = newsdesk::auth::sessions::create(&app.db, user, app.now()).await?;
    let router = newsdesk::root::router(app.clone());
    let mut samples = Vec::new();
    for i in 0..31 {
        let request = Request::builder()
            .uri("/admin/comments")
            .header("cookie", format!("nd_admin={token}"))
            .body(Body::empty())?;
        let started = Instant::now();
        let response = router.clone().oneshot(request).await?;
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        if i > 0 {
            samples.push(started.elapsed());
        }
        assert!(bytes.len() > 10_000);
    }
    let median = percentile(&mut samples, 0.5);
    let p95 = percentile(&mut samples, 0.95);
    println!("/admin/comments with 10,000 pending (first page of 50): median {median:?}, p95 {p95:?} (30 requests)");

    println!("\nTuning set (moderation/eval.jsonl):\n{}", evaluation::evaluate(&assessor)?);
    println!(
        "Held-out set (moderation/eval-holdout.jsonl):\n{}",
        evaluation::evaluate_set(&assessor, evaluation::HOLDOUT_SET)?
    );
    for (what, assessor) in [("word lists and rules only", &word_lists), ("with the trained model", &assessor)] {
        println!(
            "Hard set (moderation/eval-hard.jsonl), {what}:\n{}",
            evaluation::evaluate_set(assessor, evaluation::HARD_SET)?
        );
    }
    Ok(())
}
