//! Regressions of the security review and the fault runs (issue 18): each test replays what an
//! attacker or a bad day did, through the real router, and checks that it no longer works.

use axum::http::StatusCode;
use newsdesk::auth::users::Role;

use crate::common::{Backend, TestApp, hidden};
use crate::email::{app as mail_app, sent, signup_newsletter, subscribe};

crate::backend_tests!(
    an_erased_readers_old_links_never_open_the_next_readers_data,
    a_guesser_is_slowed_but_the_owner_still_signs_in,
    parallel_guesses_all_meet_the_limit,
    parallel_signups_all_meet_the_limit,
    an_address_gets_a_few_signup_mails_a_day_whatever_is_signed_up_for,
    letters_that_change_length_when_lower_cased_do_not_break_the_queue,
    a_nul_character_anywhere_is_a_400_not_a_500,
    readers_of_an_existing_database_keep_their_data_and_links,
);

async fn status_of(t: &TestApp, sql: &str, id: i64) -> String {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(id).fetch_one(&t.app.db.pool).await.unwrap()
}

/// The sequence of the review: sign up A, confirm, keep A's links, erase A; sign up B. A's
/// old links must show and confirm nothing of B's, and ids are not given out twice.
async fn an_erased_readers_old_links_never_open_the_next_readers_data(t: TestApp) {
    let t = mail_app(t.backend).await;
    assert_eq!(signup_newsletter(&t, "a@example.org").await.status, StatusCode::OK);
    let a_confirm = sent(&t).await.last().unwrap().link("/subscription/confirm/");
    let done = t.post_form(&a_confirm, &[], &[]).await;
    let start = done.body.find("/subscription/").unwrap();
    let a_preferences = done.body[start..].split('"').next().unwrap().to_string();
    let a_id: i64 = sqlx::query_scalar("SELECT id FROM subscribers").fetch_one(&t.app.db.pool).await.unwrap();
    let erased = t.post_form(&format!("{a_preferences}/erase"), &[("confirm", "yes")], &[]).await;
    assert_eq!(erased.status, StatusCode::OK);

    // B signs up (an attacker could do it with a victim's address) and does not confirm.
    let b = t.post_form_from("/newsletter", &[("email", "b@example.org"), ("consent", "yes")], &[], [192, 0, 2, 77]);
    assert_eq!(b.await.status, StatusCode::OK);
    let b_id: i64 = sqlx::query_scalar("SELECT id FROM subscribers").fetch_one(&t.app.db.pool).await.unwrap();
    assert!(b_id > a_id, "an erased reader's id is not given out again ({a_id} then {b_id})");

    for path in [a_preferences.clone(), format!("{a_preferences}/export")] {
        let page = t.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("b@example.org"), "{path} shows nothing of B");
    }
    let replayed = t.post_form(&a_confirm, &[], &[]).await;
    assert_eq!(replayed.status, StatusCode::NOT_FOUND, "A's old confirmation confirms nobody");
    assert!(!replayed.body.contains("/subscription/"), "and hands out no preferences link");
    let unsubscribe = t.post_form(&format!("{a_preferences}/unsubscribe"), &[], &[]).await;
    assert_eq!(unsubscribe.status, StatusCode::NOT_FOUND);
    let erase = t.post_form(&format!("{a_preferences}/erase"), &[("confirm", "yes")], &[]).await;
    assert_eq!(erase.status, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&t, "SELECT status FROM subscriptions WHERE subscriber_id = $1", b_id).await, "pending");

    // B's own links still work.
    let b_confirm = sent(&t).await.last().unwrap().link("/subscription/confirm/");
    assert_eq!(t.post_form(&b_confirm, &[], &[]).await.status, StatusCode::OK);
    assert_eq!(status_of(&t, "SELECT status FROM subscriptions WHERE subscriber_id = $1", b_id).await, "active");
}

async fn login_form(t: &TestApp) -> String {
    hidden(&t.get("/admin/login").await.body, "token")
}

async fn sign_in_from(
    t: &TestApp,
    token: &str,
    password: &str,
    ip: [u8; 4],
    cookie: Option<&str>,
) -> crate::common::TestResponse {
    let pairs = [("email", "editor@example.org"), ("password", password), ("token", token)];
    let extra: Vec<(&str, &str)> = cookie.map(|c| vec![("cookie", c)]).unwrap_or_default();
    t.post_form_from("/admin/login", &pairs, &extra, ip).await
}

/// Before: five wrong passwords from anywhere locked the account for 15 minutes, the right
/// password included. Now the guesser waits longer and longer while the owner signs in.
async fn a_guesser_is_slowed_but_the_owner_still_signs_in(t: TestApp) {
    t.sign_in(Role::Editor).await;
    // The owner's browser signed in before and holds the device cookie.
    let token = login_form(&t).await;
    let ok = sign_in_from(&t, &token, "ein-langes-passwort", [198, 51, 100, 1], None).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let device = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("nd_device="))
        .expect("a device cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();

    let attacker = [203, 0, 113, 9];
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(sign_in_from(&t, &token, "falsch-geraten-1", attacker, None).await.status);
    }
    assert_eq!(&statuses[..3], [StatusCode::UNAUTHORIZED; 3], "three tries cost nothing");
    assert!(statuses[3..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let slowed = sign_in_from(&t, &token, "ein-langes-passwort", attacker, None).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS, "the guesser's address waits, right or wrong");
    // (The test clock runs on with real time: a second may pass between the tries.)
    let wait = |r: &crate::common::TestResponse| r.header("retry-after").parse::<i64>().unwrap();
    assert!((4..=5).contains(&wait(&slowed)), "5 s after the third failure");
    // The owner, from another address, is not locked out.
    let owner = sign_in_from(&t, &token, "ein-langes-passwort", [198, 51, 100, 2], None).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    // After the wait the guesser may try once more, and then waits twice as long.
    t.app.clock.advance(5);
    assert_eq!(sign_in_from(&t, &token, "falsch-geraten-2", attacker, None).await.status, StatusCode::UNAUTHORIZED);
    let next = sign_in_from(&t, &token, "falsch-geraten-3", attacker, None).await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((9..=10).contains(&wait(&next)), "then 10 s");

    // A guesser spread over many addresses: each address loses its free tries...
    for i in 0..6u8 {
        let r = sign_in_from(&t, &token, "falsch-geraten-4", [203, 0, 113, 100 + i], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    for i in 0..6u8 {
        let again = sign_in_from(&t, &token, "falsch-geraten-5", [203, 0, 113, 100 + i], None).await;
        assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS, "a second guess from one address waits");
    }
    // ...and cannot use up the owner's turn: a browser that has not failed gets its try, even
    // without the device cookie (a new device, say)...
    let fresh = sign_in_from(&t, &token, "ein-langes-passwort", [198, 51, 100, 3], None).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER, "{}", fresh.body);
    // ...and a browser with it is never slowed by others, even on an address that failed.
    let known = sign_in_from(&t, &token, "ein-langes-passwort", [203, 0, 113, 100], Some(&device)).await;
    assert_eq!(known.status, StatusCode::SEE_OTHER, "{}", known.body);
    // A forged device cookie is worth nothing: that address still waits.
    let forged = sign_in_from(&t, &token, "ein-langes-passwort", [203, 0, 113, 101], Some("nd_device=1.00")).await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Before: thirty wrong passwords at once all passed the check before any was counted.
async fn parallel_guesses_all_meet_the_limit(t: TestApp) {
    t.sign_in(Role::Editor).await;
    let token = login_form(&t).await;
    let attempts = (0..30).map(|_| sign_in_from(&t, &token, "falsch-geraten-1", [203, 0, 113, 9], None));
    let results = futures_join_all(attempts).await;
    let checked = results.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let throttled = results.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, throttled), (3, 27), "only the free tries reach the password check");
}

/// Before: twenty signups at once passed six times where five were allowed.
async fn parallel_signups_all_meet_the_limit(t: TestApp) {
    let t = mail_app(t.backend).await;
    let signups = (0..20).map(|i| {
        let email = format!("parallel{i}@example.org");
        let t = &t;
        async move { t.post_form("/newsletter", &[("email", &email), ("consent", "yes")], &[]).await }
    });
    let results = futures_join_all(signups).await;
    let accepted = results.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!(accepted as i64, newsdesk::email::subscribers::MAILS_PER_CLIENT_PER_HOUR);
    assert_eq!(sent(&t).await.len(), accepted, "one mail per accepted signup, none for the refused");
}

/// Before: a reminder to an address already subscribed counted against nothing, so anyone
/// could mail any reader every ten minutes.
async fn an_address_gets_a_few_signup_mails_a_day_whatever_is_signed_up_for(t: TestApp) {
    let t = mail_app(t.backend).await;
    subscribe(&t, "leserin@example.org").await;
    for i in 0..10u8 {
        t.app.clock.advance(11 * 60);
        let r = t
            .post_form_from(
                "/newsletter",
                &[("email", "leserin@example.org"), ("consent", "yes")],
                &[],
                [198, 51, 100, i],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "the form says the same in every case");
    }
    // (The welcome after confirming is not a signup mail and counts for nothing.)
    let signup_mails = |mails: Vec<crate::email::Mail>| {
        mails.iter().filter(|m| m.to == "leserin@example.org" && !m.header("subject").starts_with("Willkommen")).count()
    };
    let to_her = signup_mails(sent(&t).await);
    assert_eq!(to_her as i64, newsdesk::email::subscribers::MAILS_PER_ADDRESS_PER_DAY, "confirmation and reminders");
    t.app.clock.advance(86_400);
    t.post_form("/newsletter", &[("email", "leserin@example.org"), ("consent", "yes")], &[]).await;
    assert_eq!(signup_mails(sent(&t).await), to_her + 1, "a day later");
}

/// Before: a comment with a Kelvin sign and a capital I with a dot, plus a flagged word, made
/// the moderation queue answer 500 for everyone.
async fn letters_that_change_length_when_lower_cased_do_not_break_the_queue(t: TestApp) {
    crate::comments::article(&t).await;
    let text = "\u{212A}\u{130}\u{130} Du Vollidiot, \u{212A}\u{130}\u{130} das stimmt so nicht mit den Robotern.";
    let sent = crate::comments::post_comment(&t, "Kelvin", text).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let cookie = t.sign_in(Role::Moderator).await;
    let queue = t.get_as("/admin/comments", &cookie).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Vollidiot</mark>"), "the flagged words are still marked");
}

/// Found by the fuzzing harness: PostgreSQL cannot store U+0000, so a NUL in any form field or
/// query answered 500 there.
async fn a_nul_character_anywhere_is_a_400_not_a_500(t: TestApp) {
    t.publish("Pflegeroboter im Heim").await;
    let cookie = t.sign_in(Role::Admin).await;
    let csrf = hidden(&t.get_as("/admin/tags", &cookie).await.body, "csrf");
    let tag =
        t.post_form("/admin/tags", &[("csrf", &csrf), ("name", "Tag\0x"), ("slug", "")], &[("cookie", &cookie)]).await;
    assert_eq!(tag.status, StatusCode::BAD_REQUEST);
    let token = login_form(&t).await;
    let login = t.post_form("/admin/login", &[("email", "\0"), ("password", "x"), ("token", &token)], &[]).await;
    assert_eq!(login.status, StatusCode::BAD_REQUEST);
    for path in ["/search?q=Pflege%00", "/jobs?q=a%00b", "/admin/articles?q=%00"] {
        let page = t.get_as(path, &cookie).await;
        assert!(!page.status.is_server_error(), "{path}: {}", page.status);
        let page = t.get(path).await;
        assert!(!page.status.is_server_error(), "{path}: {}", page.status);
    }
    let articles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(articles, 1);
}

/// The migration that gives readers' rows their keys (and, on SQLite, rebuilds the tables so
/// ids are never given out again) keeps every reader, subscription, queued mail and link.
async fn readers_of_an_existing_database_keep_their_data_and_links(t: TestApp) {
    use newsdesk::db::Db;
    // A database as the previous version left it: every migration before 0009.
    let mut config = (*t.app.config()).clone();
    config.data_dir = t.app.config().data_dir.join("older");
    if t.backend == Backend::Postgres {
        let admin = crate::common::pg_admin_url();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        let name = format!("nd_test_older_{}", std::process::id());
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        config.database.url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    }
    let db = Db::connect(&config).await.unwrap();
    let folder = match t.backend {
        Backend::Sqlite => newsdesk::embedded::MIGRATIONS_SQLITE,
        Backend::Postgres => newsdesk::embedded::MIGRATIONS_POSTGRES,
    };
    sqlx::raw_sql("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    for (name, sql) in folder.iter().filter(|(name, _)| *name < "0009") {
        let sql = std::str::from_utf8(sql).unwrap().to_string();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&db.pool).await.unwrap();
        sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, 0)")
            .bind(*name)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    for sql in [
        "INSERT INTO subscribers (id, email, created_at) VALUES (1, 'alt@example.org', 1), (3, 'neu@example.org', 2)",
        "INSERT INTO subscriptions (id, subscriber_id, kind, status, created_at, consent_text, consent_form,
            consent_ip_hash, consent_at) VALUES (5, 1, 'newsletter', 'active', 1, 'Ja', '/newsletter', 'h', 1),
            (6, 3, 'newsletter', 'pending', 2, 'Ja', '/newsletter', 'h', 2)",
        "INSERT INTO outbox (kind, subscriber_id, recipient, subject, text_body, html_body, status, run_at, created_at)
            VALUES ('digest', 1, 'alt@example.org', 'S', 'T', 'H', 'queued', 1, 1)",
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&db.pool).await.unwrap();
    }
    if t.backend == Backend::Postgres {
        // Rows inserted with their ids, as a restored dump would: the identity follows.
        for table in ["subscribers", "subscriptions"] {
            let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&db.pool).await.unwrap();
        }
    }
    assert_eq!(db.migrate().await.unwrap(), folder.len() - 8, "the new migrations apply");

    let count = |sql: &'static str| {
        let pool = db.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(count("SELECT COUNT(*) FROM subscribers").await, 2);
    assert_eq!(count("SELECT COUNT(*) FROM subscriptions WHERE status = 'active' AND subscriber_id = 1").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM outbox WHERE subscriber_id = 1").await, 1, "queued mail kept");
    if t.backend == Backend::Sqlite {
        let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&db.pool).await.unwrap();
        assert!(broken.is_empty(), "references intact");
        let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&db.pool).await.unwrap();
        assert_eq!(on, 1, "foreign keys are on again");
    }
    // Erasing the newest reader no longer frees its id.
    sqlx::query("DELETE FROM subscribers WHERE id = 3").execute(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO subscribers (email, created_at, token_key) VALUES ('b@example.org', 3, 'k')")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(count("SELECT MAX(id) FROM subscribers").await > 3, "a new reader gets a new id");
    // Deleting a reader still takes their subscriptions with them.
    sqlx::query("DELETE FROM subscribers WHERE id = 1").execute(&db.pool).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = 1").await, 0);
    db.pool.close().await;
    if t.backend == Backend::Postgres {
        let admin = crate::common::pg_admin_url();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        let name = config.database.url.rsplit_once('/').unwrap().1.to_string();
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut conn).await.unwrap();
    }

    // The links already mailed to readers from before keep working.
    let t = crate::email::app(t.backend).await;
    sqlx::query("INSERT INTO subscribers (id, email, created_at) VALUES (40, 'alt@example.org', 1)")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let old_link = format!("/subscription/{}", newsdesk::email::subscriber_token(&t.app.keys, 40, ""));
    let page = t.get(&old_link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("alt@example.org"));
}

/// A tmpfs the test mounts (as root) and unmounts when dropped.
struct SmallDisk {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status();
        status.is_ok_and(|s| s.success()).then_some(SmallDisk { path, _dir: dir })
    }

    /// Fills what is left with one file; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write as _;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while file.write_all(&small).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Before: with the disk full, writes answered 500, and after space was freed most still failed
/// ("begin_with at non-zero transaction depth") until the process restarted. Now a full disk
/// answers 503 with Retry-After, nothing stored is lost, and the node recovers by itself.
#[tokio::test]
async fn a_full_disk_answers_503_and_the_node_recovers_without_restart() {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let disk = if is_root { SmallDisk::mount("24m") } else { None };
    let Some(disk) = disk else {
        eprintln!("skipped: mounting a small filesystem for the disk-full test needs root");
        return;
    };
    let data_dir = disk.path.clone();
    let t = TestApp::with_config(Backend::Sqlite, move |c| c.data_dir = data_dir).await;
    crate::comments::article(&t).await;
    let text =
        |i: usize| format!("Beitrag {i} zu den Robotern im Heim. {}", "Die Pflege im Heim braucht Zeit. ".repeat(120));
    let post = |i: usize| {
        let t = &t;
        async move {
            let token = crate::comments::token(t).await;
            let path = "/news/pflegeroboter-im-heim/comments";
            let body = text(i);
            let pairs = [("name", "Leserin"), ("text", body.as_str()), ("token", token.as_str())];
            t.post_form_from(path, &pairs, &[], [198, 51, 100, (i % 250) as u8]).await
        }
    };
    assert_eq!(post(0).await.status, StatusCode::OK);
    let filler = disk.fill();

    let mut refused = 0;
    let mut stored = 1;
    for i in 1..=40 {
        let r = post(i).await;
        match r.status {
            StatusCode::OK => stored += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(r.header("retry-after"), "5");
                assert!(r.body.contains("Vorübergehend nicht verfügbar"), "a page that says so");
                refused += 1;
            }
            other => panic!("comment {i} with the disk full: {other}"),
        }
    }
    assert!(refused > 0, "the disk filled up ({stored} stored)");

    std::fs::remove_file(filler).unwrap();
    for i in 41..=80 {
        let r = post(i).await;
        assert_eq!(r.status, StatusCode::OK, "comment {i} after space came back: {}", r.body);
        stored += 1;
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(count, stored, "every acknowledged comment is there");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(check, "ok");
    t.app.db.pool.close().await;
}

/// A TCP relay between the application and PostgreSQL that the test can cut and restore, as a
/// database server going away and coming back would.
struct Relay {
    port: u16,
    target: String,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = Relay { port, target, tasks: Default::default() };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let pump = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(pump);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the listener and every relayed connection.
    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    async fn restore(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

/// Before: with PostgreSQL down, `/healthz` and every uncached page waited the pool's full 10 s
/// before answering. Now the health check answers 503 within a second and pages 503 with
/// Retry-After after the (shorter) pool wait; the node recovers when the database is back.
#[tokio::test]
async fn a_database_outage_answers_503_quickly_and_the_node_recovers() {
    if crate::common::without_postgres() {
        return;
    }
    let admin = crate::common::pg_admin_url();
    let host_port = admin.split('@').nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_string();
    let relay = Relay::start(host_port.clone()).await;
    let relayed = format!("127.0.0.1:{}", relay.port);
    let t = TestApp::with_config(Backend::Postgres, |c| {
        c.database.url = c.database.url.replacen(&host_port, &relayed, 1);
    })
    .await;
    t.publish("Pflegeroboter im Heim").await;
    assert_eq!(t.get("/healthz").await.status, StatusCode::OK);

    relay.cut();
    // Straight to the router: `TestApp::get` first applies the change log, which waits for the
    // database itself.
    let get = |path: &'static str| {
        use tower::ServiceExt as _;
        let request = axum::http::Request::builder().uri(path).body(axum::body::Body::empty()).unwrap();
        t.router.clone().oneshot(request)
    };
    let started = std::time::Instant::now();
    let health = get("/healthz").await.unwrap();
    let health_secs = started.elapsed().as_secs_f64();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let started = std::time::Instant::now();
    let page = get("/news/pflegeroboter-im-heim").await.unwrap();
    let page_secs = started.elapsed().as_secs_f64();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers()["retry-after"], "5");
    eprintln!("database away: /healthz answered in {health_secs:.2} s, an uncached page in {page_secs:.2} s");

    relay.restore().await;
    let mut healthy = false;
    for _ in 0..50 {
        if t.get("/healthz").await.status == StatusCode::OK {
            healthy = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(healthy, "the node recovers by itself");
    assert_eq!(t.get("/news/pflegeroboter-im-heim").await.status, StatusCode::OK);
    relay.cut();
}

/// Reads until the server closes the connection: what it sent, or `None` if it kept the
/// connection open for `secs`.
async fn closed_within(stream: &mut tokio::net::TcpStream, secs: u64) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut received = Vec::new();
    let read_to_end = async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    let closed = tokio::time::timeout(std::time::Duration::from_secs(secs), read_to_end).await.is_ok();
    closed.then(|| String::from_utf8_lossy(&received).into_owned())
}

/// Before: 300 connections sending their headers slowly were never closed, and the site stopped
/// for everyone. Now a header must arrive within `header_timeout_secs`, and one client holds at
/// most `max_connections_per_client` connections.
#[tokio::test]
async fn slow_headers_are_cut_and_one_client_cannot_take_every_connection() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let t = TestApp::with_config(Backend::Sqlite, |c| {
        c.server.header_timeout_secs = 1;
        c.server.max_connections_per_client = 4;
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(newsdesk::root::serve(t.app.clone(), listener));

    let mut slow = Vec::new();
    for _ in 0..4 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a").await.unwrap();
        slow.push(stream);
    }
    let mut fifth = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = fifth.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    let answer = closed_within(&mut fifth, 5).await.expect("a fifth connection from the same client is closed");
    assert_eq!(answer, "", "unanswered");

    for stream in &mut slow {
        let _ = stream.write_all(b"b").await;
        let answer = closed_within(stream, 10).await;
        assert!(answer.is_some(), "a header still incomplete after the timeout is cut");
    }
    // Silence, one byte, or an HTTP/2 preface: none of them holds a connection either.
    for opening in [&b""[..], b"P", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(opening).await.unwrap();
        assert!(closed_within(&mut stream, 10).await.is_some(), "{opening:?} is cut");
    }
    // With the slow ones gone, the same client is served again.
    let mut ok = tokio::net::TcpStream::connect(addr).await.unwrap();
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    ok.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    server.abort();
}

/// Runs futures concurrently on this task, like `futures::future::join_all`.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(out) => outputs[i] = Some(out),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
