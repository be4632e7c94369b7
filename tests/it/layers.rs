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
    // A fault in a job fails that job (tried again later) and the worker goes on.
    let mut jobs = newsdesk::root::jobs();
    jobs.register(|_app, _: Boom| async move { panic!("injected fault") });
    let jobs = Arc::new(jobs);
    let mut tx = t.app.db.begin().await.unwrap();
    queue::enqueue(&mut tx, &Boom, t.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    // A fault in the loop itself: the worker's first start dies at once; its supervisor starts
    // it again after a pause.
    let mut tasks = newsdesk::tasks::Tasks::new();
    let started = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (app, counted) = (t.app.clone(), started.clone());
    tasks.spawn("queue worker", move |stop| {
        let (app, jobs) = (app.clone(), jobs.clone());
        let first = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        async move {
            if first {
                panic!("injected fault in the loop");
            }
            newsdesk::queue::worker::run(app, jobs, &[], stop).await
        }
    });
    t.publish("Nach dem Absturz").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let dispatched = queue::counts::<Dispatch>(&t.app.db).await.unwrap();
        let boom = queue::counts::<Boom>(&t.app.db).await.unwrap();
        if dispatched.done >= 1 && dispatched.pending == 0 && boom.pending == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the worker did not come back: {dispatched:?} {boom:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tasks.restarts(), 1, "the loop was started again once");
    let error: String = sqlx::query_scalar("SELECT last_error FROM queue WHERE kind = 'test.boom'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert!(error.contains("panicked: injected fault"), "the faulty job failed with the reason: {error}");
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
    let (_, table) = newsdesk::root::route_table(t.app.clone());
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
    newsdesk::follower::content_changed(&t.app).await;
    let now = t.app.now();
    let id = newsletter::save_draft(&t.app, None, "Umbenannt", "Hallo", None, now).await.unwrap().unwrap();
    assert_eq!(newsletter::start(&t.app, id, now).await.unwrap().unwrap(), 1);
    let mails = crate::email::sent(&t).await;
    let mail = mails.iter().find(|m| m.header("Subject") == "Umbenannt").expect("the newsletter");
    assert_eq!(mail.header("List-Id"), "\"Hafenblatt\" <newsletter.127.0.0.1>");
}

/// The two migration folders are kept by hand: the same files, and after them the same tables
/// with the same columns on both backends.
#[tokio::test]
async fn both_migration_folders_build_the_same_schema() {
    let names = |backend| {
        let files = match backend {
            crate::common::Backend::Sqlite => newsdesk::embedded::MIGRATIONS_SQLITE,
            crate::common::Backend::Postgres => newsdesk::embedded::MIGRATIONS_POSTGRES,
        };
        files.iter().map(|(name, _)| name.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(names(crate::common::Backend::Sqlite), names(crate::common::Backend::Postgres));
    if crate::common::without_postgres() {
        return;
    }
    let sqlite = TestApp::new(crate::common::Backend::Sqlite).await;
    let postgres = TestApp::new(crate::common::Backend::Postgres).await;
    let columns = |t: &TestApp, sql: &'static str| {
        let pool = t.app.db.pool.clone();
        async move {
            let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
            rows.into_iter().collect::<std::collections::BTreeSet<_>>()
        }
    };
    let lite = columns(
        &sqlite,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .await;
    let pg = columns(
        &postgres,
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
         WHERE table_schema = current_schema()",
    )
    .await;
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:?}\nonly on PostgreSQL: {only_postgres:?}"
    );
    assert!(lite.len() > 100, "the schema was read: {} columns", lite.len());
}

/// The layers the compiler cannot tell apart yet: a feature's model, store and services never
/// import the web layer, the application or any handler; only the composition root knows
/// everything. (The core is its own crate, `crates/core`, which depends on nothing of ours: the
/// compiler keeps that layer; the check below still covers core files if any come back here.)
#[test]
fn the_layers_import_downward() {
    const CORE: &[&str] =
        &["config", "context", "clock", "text", "i18n", "db", "embedded", "queue", "tasks", "auth::keys"];
    const ABOVE_FEATURES: &[&str] = &["app", "web", "root", "cli", "follower", "queue::worker"];
    const WEB_FILES: &[&str] = &["handlers", "admin", "labels_admin"];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (module, text) in sources(&src) {
        let refs = references(&module, &text);
        let named = |prefix: &str, target: &[String]| {
            let joined = target.join("::");
            joined == prefix || joined.starts_with(&format!("{prefix}::"))
        };
        let is_core = CORE.iter().any(|c| named(c, &module)) && !named("queue::worker", &module);
        let top = module.first().map(String::as_str).unwrap_or("");
        let is_web_file = module.last().is_some_and(|m| WEB_FILES.contains(&m.as_str()));
        let is_feature = !is_core
            && !is_web_file
            && !["app", "web", "root", "cli", "follower", "lib", "main", "queue"].contains(&top);
        // The web layer reads and writes through the features' stores, never with SQL of its own.
        if (is_web_file || top == "web") && text.contains("sqlx::query") {
            broken.push(format!("web {} runs SQL itself", module.join("::")));
        }
        for target in refs {
            if is_core && !CORE.iter().any(|c| named(c, &target)) {
                broken.push(format!("core {} imports {}", module.join("::"), target.join("::")));
            }
            let web_file = target.len() >= 2 && WEB_FILES.contains(&target[1].as_str());
            if is_feature && (ABOVE_FEATURES.iter().any(|a| named(a, &target)) || web_file) {
                broken.push(format!("feature {} imports {}", module.join("::"), target.join("::")));
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(broken.is_empty(), "imports against the layers:\n{}", broken.join("\n"));
}

/// No import cycle runs between folders: the application, the web toolkit, the handlers and the
/// composition root import downward, so only files of one folder (a feature and its parts) may
/// know each other both ways. (Before issue 20, 46 of 80 files formed one cycle through `App`,
/// the router and the handlers.)
#[test]
fn no_import_cycle_crosses_a_folder() {
    use std::collections::{HashMap, HashSet};
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    let known: HashSet<Vec<String>> = files.iter().map(|(m, _)| m.clone()).collect();
    // A path names the deepest file its segments reach (`crate::web::cache::Host` is web/cache.rs).
    let file_of =
        |target: &[String]| (1..=target.len()).rev().map(|n| target[..n].to_vec()).find(|p| known.contains(p));
    let mut imports: HashMap<Vec<String>, HashSet<Vec<String>>> = HashMap::new();
    for (module, text) in &files {
        let targets = references(module, text).iter().filter_map(|t| file_of(t)).filter(|t| t != module).collect();
        imports.insert(module.clone(), targets);
    }
    let reaches = |from: &Vec<String>, to: &Vec<String>| {
        let (mut seen, mut todo) = (HashSet::new(), vec![from.clone()]);
        while let Some(next) = todo.pop() {
            if &next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                todo.extend(imports.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    };
    // A top-level file (`app.rs`) is a folder of its own.
    let folder = |m: &Vec<String>| if m.len() > 1 { m[0].clone() } else { format!("{}.rs", m[0]) };
    let mut crossing = Vec::new();
    for (module, targets) in &imports {
        for target in targets {
            if folder(module) != folder(target) && reaches(target, module) {
                crossing.push(format!("{} -> {} (and back)", module.join("::"), target.join("::")));
            }
        }
    }
    crossing.sort();
    assert!(crossing.is_empty(), "import cycles between folders:\n{}", crossing.join("\n"));
}

/// Every source file as its module path (`["email", "sender"]`) and its text before the tests.
fn sources(src: &std::path::Path) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default().to_string();
            out.push((module, text));
        }
    }
    out
}

/// The module paths a file names through `crate::` and `super::`, `use` groups expanded.
fn references(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let statement = trimmed.strip_prefix("use ").or_else(|| trimmed.strip_prefix("pub use "));
        if statement.is_some() {
            let start = offset + line.len() - trimmed.len();
            let from = &text[start..];
            let from = &from[from.find("use ").unwrap_or(0) + 4..];
            let end = from.find(';').unwrap_or(from.len());
            expand(&from[..end].replace(char::is_whitespace, ""), &mut paths);
        }
        offset += line.len();
    }
    for (at, _) in text.match_indices("crate::").chain(text.match_indices("super::")) {
        let path: String = text[at..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        paths.push(path);
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let mut base: Vec<String> = match parts.first() {
                Some(&"crate") => Vec::new(),
                Some(&"super") => module[..module.len().saturating_sub(1)].to_vec(),
                _ => return None,
            };
            parts.remove(0);
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
            base.extend(parts.iter().take_while(|p| p.starts_with(|c: char| c.is_lowercase())).map(|p| p.to_string()));
            (!base.is_empty()).then_some(base)
        })
        .collect()
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand(spec: &str, out: &mut Vec<String>) {
    let Some(open) = spec.find('{') else {
        out.push(spec.split(" as ").next().unwrap_or(spec).to_string());
        return;
    };
    let (prefix, inner) = (&spec[..open], &spec[open + 1..spec.rfind('}').unwrap_or(spec.len())]);
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{}", &inner[start..i]), out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        expand(&format!("{prefix}{}", &inner[start..]), out);
    }
}
