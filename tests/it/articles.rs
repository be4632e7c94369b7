//! Saving, scheduling, revising and importing articles.

use axum::http::StatusCode;
use newsdesk::articles::import;
use newsdesk::articles::model::{ArticleError, Status};
use newsdesk::articles::queries::{self, SaveError};
use newsdesk::queue::worker;

use crate::backend_tests;
use crate::common::{TestApp, draft};

backend_tests!(
    slugs_are_made_from_titles_and_kept_unique,
    explicit_slug_that_is_taken_is_refused,
    scheduled_article_goes_live_at_its_time,
    every_save_keeps_the_previous_version,
    material_update_shows_updated_date,
    concurrent_save_is_refused_and_loses_nothing,
    publish_command_publishes_a_draft,
    import_reports_bad_files_and_imports_the_rest,
    import_refuses_a_second_copy_of_the_same_slug,
    related_articles_and_similar_feed_follow_the_topic,
);

async fn slugs_are_made_from_titles_and_kept_unique(t: TestApp) {
    let first = t.publish("Größe zählt: Übermäßige Straßen").await;
    assert_eq!(first.slug, "groesse-zaehlt-uebermaessige-strassen");
    let second = t.publish("Größe zählt: Übermäßige Straßen").await;
    assert_eq!(second.slug, "groesse-zaehlt-uebermaessige-strassen-2");
    assert_eq!(t.get(&format!("/news/{}", second.slug)).await.status, StatusCode::OK);
}

async fn explicit_slug_that_is_taken_is_refused(t: TestApp) {
    t.publish("Erster").await;
    let mut d = draft("Zweiter");
    d.slug = Some("erster".into());
    let input = d.validate(t.app.language(), t.app.now()).unwrap();
    let err = queries::create(&t.app.db, &input, t.app.now()).await.unwrap_err();
    assert!(matches!(err, SaveError::Invalid(ArticleError::SlugTaken(_))), "{err:?}");
    assert_eq!(queries::count(&t.app.db).await.unwrap(), 1, "nothing half-saved");
}

async fn scheduled_article_goes_live_at_its_time(t: TestApp) {
    let mut d = draft("Kommt morgen");
    d.status = Some("scheduled".into());
    d.published_at = Some(t.app.now() + 3_600);
    let article = t.create(d).await;
    assert_eq!(article.status, Status::Scheduled);
    assert_eq!(t.get("/news/kommt-morgen").await.status, StatusCode::NOT_FOUND);
    assert!(!t.get("/").await.body.contains("Kommt morgen"));
    assert!(worker::publish_scheduled(&t.app).await.unwrap().is_empty(), "not due yet");

    t.app.clock.advance(3_601);
    // Readers see it at its time, even before the scheduler's next round.
    assert_eq!(t.get("/news/kommt-morgen").await.status, StatusCode::OK);
    assert_eq!(worker::publish_scheduled(&t.app).await.unwrap(), vec!["kommt-morgen".to_string()]);
    let stored = queries::find_by_slug(&t.app.db, "kommt-morgen").await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Published);
    assert_eq!(stored.published_at, article.published_at, "keeps its scheduled time");
    assert!(t.get("/").await.body.contains("Kommt morgen"));
    assert!(worker::publish_scheduled(&t.app).await.unwrap().is_empty(), "published once");
}

async fn every_save_keeps_the_previous_version(t: TestApp) {
    let v1 = t.publish("Erste Fassung").await;
    let mut input = v1.to_input();
    input.title = "Zweite Fassung".into();
    let v2 = queries::update(&t.app.db, &v1, &input, v1.version, t.app.now()).await.unwrap();
    let mut input = v2.to_input();
    input.body_md = "Dritter Text".into();
    let v3 = queries::update(&t.app.db, &v2, &input, v2.version, t.app.now()).await.unwrap();
    assert_eq!(v3.version, 3);
    let revisions = queries::revisions(&t.app.db, v1.id).await.unwrap();
    let titles: Vec<_> = revisions.iter().map(|(v, i)| (*v, i.title.clone())).collect();
    assert_eq!(titles, vec![(1, "Erste Fassung".to_string()), (2, "Zweite Fassung".to_string())]);
    assert_eq!(revisions[1].1.body_md, v1.body_md);
}

async fn material_update_shows_updated_date(t: TestApp) {
    let article = t.publish("Erstmeldung").await;
    t.app.clock.advance(7_200);
    // A new tag is not a material change.
    let mut input = article.to_input();
    input.tags.push("Neu".into());
    let article = queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    assert_eq!(article.updated_at, None);
    assert!(!t.get("/news/erstmeldung").await.body.contains("Aktualisiert"));
    // A corrected lead is.
    let mut input = article.to_input();
    input.lead = "Berichtigter Vorspann.".into();
    let now = t.app.now();
    let article = queries::update(&t.app.db, &article, &input, article.version, now).await.unwrap();
    assert_eq!(article.updated_at, Some(now));
    let page = t.get("/news/erstmeldung").await;
    assert!(page.body.contains("Aktualisiert:"), "updated date shown");
    assert!(page.body.contains("Berichtigter Vorspann."));
}

async fn concurrent_save_is_refused_and_loses_nothing(t: TestApp) {
    let loaded = t.publish("Gemeinsam bearbeitet").await;
    let mut first = loaded.to_input();
    first.lead = "Fassung von Redakteurin A.".into();
    queries::update(&t.app.db, &loaded, &first, loaded.version, t.app.now()).await.unwrap();
    let mut second = loaded.to_input();
    second.lead = "Fassung von Redakteur B.".into();
    let err = queries::update(&t.app.db, &loaded, &second, loaded.version, t.app.now()).await.unwrap_err();
    assert!(matches!(err, SaveError::Invalid(ArticleError::Conflict { expected: 1, found: 2 })), "{err:?}");
    let stored = queries::find_by_slug(&t.app.db, &loaded.slug).await.unwrap().unwrap();
    assert_eq!(stored.lead, "Fassung von Redakteurin A.");
    assert_eq!(queries::revision_count(&t.app.db, loaded.id).await.unwrap(), 1, "the refused save left no revision");
}

async fn publish_command_publishes_a_draft(t: TestApp) {
    let mut d = draft("Bald öffentlich");
    d.status = Some("draft".into());
    t.create(d).await;
    assert_eq!(t.get("/news/bald-oeffentlich").await.status, StatusCode::NOT_FOUND);
    // One reading of the clock: a second may tick between two.
    let now = t.app.now();
    let published = queries::publish(&t.app.db, "bald-oeffentlich", now).await.unwrap();
    assert_eq!(published.status, Status::Published);
    assert_eq!(published.published_at, Some(now));
    assert_eq!(t.get("/news/bald-oeffentlich").await.status, StatusCode::OK);
    let missing = queries::publish(&t.app.db, "gibt-es-nicht", t.app.now()).await.unwrap_err();
    assert!(matches!(missing, SaveError::Invalid(ArticleError::NotFound(_))));
}

async fn import_reports_bad_files_and_imports_the_rest(t: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let good = "+++\ntitle = \"Gute Datei\"\nplaces = [\"Köln\"]\nlead = \"Vorspann\"\ntags = [\"Import\"]\nauthors = [\"Ida\"]\npublished_at = \"2026-10-01T08:00:00Z\"\n+++\nText\n";
    std::fs::write(dir.path().join("a-gut.md"), good).unwrap();
    std::fs::write(dir.path().join("b-kaputt.md"), "+++\ntitle = \"Ohne Ende\"\n").unwrap();
    // Valid front matter, but its second tag gives no slug: the failure comes after the article
    // and its first tag were written, and the transaction takes them back.
    let invalid = "+++\ntitle = \"Halber Import\"\ntags = [\"Nur hier\", \"???\"]\nauthors = [\"Neu\"]\n+++\nText\n";
    std::fs::write(dir.path().join("c-halb.md"), invalid).unwrap();
    std::fs::write(dir.path().join("notizen.txt"), "keine Markdown-Datei").unwrap();

    let report = import::import_paths(&t.app.db, &[dir.path().to_path_buf()], t.app.language(), t.app.now()).await;
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.imported[0].1, "gute-datei");
    let failed: Vec<_> =
        report.failed.iter().map(|(p, e)| (p.file_name().unwrap().to_str().unwrap(), e.to_string())).collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0].0, "b-kaputt.md");
    assert!(failed[0].1.contains("not closed"), "{}", failed[0].1);
    assert_eq!(failed[1].0, "c-halb.md");
    assert!(failed[1].1.contains("???"), "{}", failed[1].1);
    assert_eq!(t.get("/news/halber-import").await.status, StatusCode::NOT_FOUND);
    assert_eq!(queries::count(&t.app.db).await.unwrap(), 1);
    assert!(queries::find_tag(&t.app.db, "nur-hier").await.unwrap().is_none(), "nothing half-imported");
    let page = t.get("/news/gute-datei").await;
    assert!(page.body.contains("Köln (Newsdesk) – "));
}

async fn import_refuses_a_second_copy_of_the_same_slug(t: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fest.md");
    std::fs::write(&file, "+++\ntitle = \"Fest\"\nslug = \"fester-slug\"\nauthors = [\"Ida\"]\n+++\nText\n").unwrap();
    let first = import::import_paths(&t.app.db, std::slice::from_ref(&file), t.app.language(), t.app.now()).await;
    assert_eq!(first.imported.len(), 1);
    let second = import::import_paths(&t.app.db, &[file], t.app.language(), t.app.now()).await;
    assert_eq!(second.imported.len(), 0);
    assert!(second.failed[0].1.to_string().contains("exists already"));
    assert_eq!(queries::count(&t.app.db).await.unwrap(), 1);
}

/// The SQLite pool runs in WAL mode with foreign keys on and a busy timeout.
#[tokio::test]
async fn sqlite_connections_use_wal_foreign_keys_and_busy_timeout() {
    let t = TestApp::new(crate::common::Backend::Sqlite).await;
    let mut conn = t.app.db.pool.acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(fk, 1);
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(timeout, 5000);
    let orphan = sqlx::query("INSERT INTO article_tags (article_id, tag_id, position) VALUES (999, 999, 0)")
        .execute(&mut *conn)
        .await;
    assert!(orphan.is_err(), "foreign keys are enforced");
}

/// PostgreSQL cancels a statement that outlives `database.statement_timeout_secs`, so a request
/// that timed out leaves no query running; migrations run without the limit.
#[tokio::test]
async fn postgres_statements_are_cancelled_after_the_timeout() {
    if crate::common::without_postgres() {
        return;
    }
    let t = TestApp::with_config(crate::common::Backend::Postgres, |c| c.database.statement_timeout_secs = 1).await;
    let mut conn = t.app.db.pool.acquire().await.unwrap();
    let setting: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(setting, "1s");
    let started = std::time::Instant::now();
    let slow = sqlx::query("SELECT pg_sleep(5)").execute(&mut *conn).await;
    let error = slow.expect_err("cancelled").to_string();
    assert!(error.contains("statement timeout"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "{:?}", started.elapsed());
    drop(conn);
    // Migrations (already applied here) lift it on their connection and put it back.
    t.app.db.migrate().await.unwrap();
    for _ in 0..4 {
        let mut conn = t.app.db.pool.acquire().await.unwrap();
        let setting: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(setting, "1s");
    }
}

async fn related_articles_and_similar_feed_follow_the_topic(t: TestApp) {
    import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap();
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let page = t.get("/news/pflegeroboter-im-praxistest-augsburg").await.body;
    let start = page.find("id=\"related-heading\"").expect("related articles");
    let related = &page[start..start + page[start..].find("</section>").unwrap()];
    let first = related.find("<li>").unwrap();
    assert!(
        related[first..].starts_with("<li><a href=\"/news/studie-zu-pflegerobotern"),
        "the other care-robot article comes first: {related}"
    );
    // The demo has four robot articles: the other three are in the list, which is filled to
    // five with what is nearest after them (the articles on language models, both "KI").
    let links: Vec<&str> = related.split("<li><a href=\"/news/").skip(1).collect();
    assert_eq!(links.len(), 5, "a full list: {related}");
    for robots in ["studie-zu-pflegerobotern", "roboterarm-lernt", "hamburg-erlaubt-lieferrobotern"] {
        assert!(links.iter().any(|l| l.starts_with(robots)), "{robots} in the list: {related}");
    }
    assert!(!related.contains("pflegeroboter-im-praxistest-augsburg"), "not itself");

    let response = t.get("/news/pflegeroboter-im-praxistest-augsburg/similar/feed").await;
    assert_eq!(response.status, StatusCode::OK);
    let feed = feed_rs::parser::parse(response.body.as_bytes()).unwrap();
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert!(titles.iter().any(|t| t.starts_with("Studie zu Pflegerobotern")), "{titles:?}");
    assert!(!titles.iter().any(|t| t.contains("Exoplaneten")), "nothing off the topic: {titles:?}");
    assert!(page.contains("href=\"/news/pflegeroboter-im-praxistest-augsburg/similar/feed\""), "linked from the page");
    assert_eq!(t.get("/news/gibt-es-nicht/similar/feed").await.status, StatusCode::NOT_FOUND);
}
