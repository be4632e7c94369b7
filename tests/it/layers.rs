//! The seams of issue 20: background loops under supervision, writes that record their events
//! in their own transaction, and consumers that act on those events once.

use std::sync::Arc;
use std::time::Duration;

use newsdesk::changes::Dispatch;
use newsdesk::email::newsletter;
use newsdesk::queue::{self, Kind};
use newsdesk::web::cache::scopes_of;
use newsdesk::web::routes::Access;
use serde::{Deserialize, Serialize};

use crate::common::TestApp;

crate::backend_tests!(
    a_background_loop_that_panics_comes_back,
    a_save_and_its_event_stand_or_fall_together,
    every_public_page_is_scoped_or_marked_never_cached,
    mail_follows_a_renamed_site_without_a_restart,
);

/// A job whose handler panics: a fault injected into the queue worker's loop.
#[derive(Debug, Serialize, Deserialize)]
struct Boom;

impl Kind for Boom {
    const NAME: &'static str = "test.boom";
}

async fn a_background_loop_that_panics_comes_back(t: TestApp) {
    let mut jobs = newsdesk::root::jobs();
    jobs.register(|_app, _: Boom| async move { panic!("injected fault") });
    let mut tx = t.app.db.begin().await.unwrap();
    queue::enqueue(&mut tx, &Boom, t.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    let tasks = newsdesk::root::background_with(&t.app, Arc::new(jobs));
    // The worker claims the faulty job and dies with it; its supervisor starts it again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tasks.restarts() == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the panic was not noticed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The restarted worker does the work that comes after: a publish's event is dispatched.
    t.publish("Nach dem Absturz").await;
    loop {
        let counts = queue::counts::<Dispatch>(&t.app.db).await.unwrap();
        if counts.done >= 1 && counts.pending == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the worker did not come back: {counts:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(queue::counts::<Boom>(&t.app.db).await.unwrap().done, 0, "the faulty job is not marked done");
    tasks.stop().await;
}

/// A save that fails leaves no event behind, and one that succeeds always has its event: the
/// event is written in the save's transaction, never after it.
async fn a_save_and_its_event_stand_or_fall_together(t: TestApp) {
    let events = || async {
        let log: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(&t.app.db.pool).await.unwrap();
        (log, queue::counts::<Dispatch>(&t.app.db).await.unwrap().pending)
    };
    let before = events().await;
    t.publish("Mit Ereignis").await;
    let after = events().await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1), "one change row and one dispatch");
    // A write that rolls back takes its event with it.
    let mut tx = t.app.db.begin().await.unwrap();
    newsdesk::changes::record(&mut tx, newsdesk::changes::Event::SettingsChanged).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(events().await, after, "a rolled-back write leaves no event");
}

/// The page cache drops exactly the pages whose scopes a write names, so a cached page without
/// scopes would never be dropped, and a page marked uncached that has scopes is a mistake too.
async fn every_public_page_is_scoped_or_marked_never_cached(t: TestApp) {
    let (_, table) = newsdesk::web::route_table(t.app.clone());
    let mut checked = 0;
    for entry in table.iter().filter(|e| e.methods.contains(&"GET")) {
        let cached = match entry.access {
            Access::Cached => true,
            Access::Uncached => false,
            Access::Staff(_) => {
                assert_eq!(scopes_of(entry.path), None, "{}: staff pages have no scopes", entry.path);
                continue;
            }
        };
        let sample: Vec<&str> = entry
            .path
            .split('/')
            .map(|part| match part {
                "{year}" => "2026",
                "{month}" => "3",
                "{page}" => "2",
                "{file}" => "0123456789abcdef.txt",
                "{*path}" => "style.css",
                p if p.starts_with('{') => "x",
                p => p,
            })
            .collect();
        let path = sample.join("/");
        let path = if path.is_empty() { "/".to_string() } else { path };
        assert_eq!(scopes_of(&path).is_some(), cached, "{} ({path}) is marked {:?}", entry.path, entry.access);
        checked += 1;
    }
    assert!(checked >= 40, "every public page checked: {checked}");
}

/// The site's name in mail headers (the List-Id's phrase) comes from the live settings, not
/// from the file the process started with.
async fn mail_follows_a_renamed_site_without_a_restart(t: TestApp) {
    let t = crate::email::app(t.db_backend()).await;
    crate::email::subscribe(&t, "leser@example.org").await;
    let values = std::collections::BTreeMap::from([("site.name".to_string(), serde_json::json!("Hafenblatt"))]);
    newsdesk::settings::save(&t.app.db, &t.app.base_config, &values, None, t.app.now()).await.unwrap();
    t.app.content_changed().await;
    let now = t.app.now();
    let id = newsletter::save_draft(&t.app, None, "Umbenannt", "Hallo", None, now).await.unwrap().unwrap();
    assert_eq!(newsletter::start(&t.app, id, now).await.unwrap().unwrap(), 1);
    let mails = crate::email::sent(&t).await;
    let mail = mails.iter().find(|m| m.header("Subject") == "Umbenannt").expect("the newsletter");
    assert_eq!(mail.header("List-Id"), "\"Hafenblatt\" <newsletter.127.0.0.1>");
}
