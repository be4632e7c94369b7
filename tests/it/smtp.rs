//! Email against a real SMTP server: aiosmtpd (`tests/smtp_sink.py`) on loopback receives what
//! Newsdesk sends, and the tests read it there. The crash test kills a sending server with
//! SIGKILL and counts at the SMTP server that every message arrived.

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use newsdesk::config::{MailTransport, SmtpSecurity};
use newsdesk::email::sender;

use crate::common::{Backend, TestApp};
use crate::email::Mail;

/// The SMTP server process; dropping it stops it.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// Whether the SMTP tests are left out: a plain `cargo test` without aiosmtpd.
pub fn without_sink() -> bool {
    let present = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    crate::common::skipped("python3 with aiosmtpd", present)
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        // The listener only finds a free port: it must be closed before the sink binds it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        SmtpSink::start_on(port)
    }

    /// On a given port: a test can point Newsdesk at it before the server is up.
    pub fn start_on(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (scripts/test installs aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink started");
        SmtpSink { child, port, dir }
    }

    /// Message-IDs received, in order (one per message).
    pub fn received(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("received.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split(' ').next().unwrap_or("").to_string())
            .collect()
    }

    /// Every message received, parsed.
    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).unwrap();
                let parsed = Mail::parse("", &bytes);
                let to = parsed.header("To").to_string();
                Mail { to, ..parsed }
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app(sink: &SmtpSink) -> TestApp {
    TestApp::with_config(Backend::Sqlite, |c| {
        c.email.transport = MailTransport::Smtp;
        c.email.smtp_port = sink.port;
        c.email.smtp_security = SmtpSecurity::None;
        c.email.bounce_limit = 1;
    })
    .await
}

#[tokio::test]
async fn a_reader_subscribes_and_unsubscribes_through_a_real_mail_server() {
    if without_sink() {
        return;
    }
    let sink = SmtpSink::start();
    let t = app(&sink).await;
    newsdesk::articles::import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap();
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let signup = t
        .post_form(
            "/news/pflegeroboter-im-praxistest-augsburg/alerts",
            &[("email", "leserin@example.org"), ("consent", "yes"), ("website", "")],
            &[],
        )
        .await;
    assert_eq!(signup.status, StatusCode::OK);
    sender::send_pending(&t.app).await.unwrap();
    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "the confirmation arrived");
    assert_eq!(mails[0].to, "leserin@example.org");
    let confirmed = t.post_form(&mails[0].link("/subscription/confirm/"), &[], &[]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "its link confirms");
    sender::send_pending(&t.app).await.unwrap();
    let mails = sink.mails();
    assert_eq!(mails.len(), 2, "and a welcome follows");
    assert!(mails[1].header("Subject").contains("Ihre Benachrichtigung"), "{}", mails[1].header("Subject"));

    let mut unrelated = crate::common::draft("Katalysator zerlegt Kunststoff in Minuten");
    unrelated.tags = vec!["Chemie".into()];
    unrelated.lead = "Chemiker zerlegen Verpackungen mit einem neuen Katalysator bei niedriger Temperatur.".into();
    unrelated.body_md =
        "Der Katalysator spaltet Polyethylen in Wachse und Öle; das Labor plant eine Pilotanlage.".into();
    t.create(unrelated).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    sender::send_pending(&t.app).await.unwrap();
    assert_eq!(sink.mails().len(), 2, "no alert after an unrelated article");

    let mut similar = crate::common::draft("Pflegeroboter heben Bewohner nun auch in Ulm");
    similar.tags = vec!["Robotik".into()];
    similar.lead =
        "Ein Pflegeheim in Ulm setzt Pflegeroboter ein, die Bewohner heben und Pflegekräfte entlasten.".into();
    similar.body_md =
        "Die Pflegeroboter im Pflegeheim helfen beim Heben; Pflegekräfte berichten von Entlastung.".into();
    t.create(similar).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    sender::send_pending(&t.app).await.unwrap();
    let mails = sink.mails();
    assert_eq!(mails.len(), 3, "an alert after a similar article");
    let alert = &mails[2];
    assert!(alert.header("Subject").contains("Ulm"));
    assert_eq!(alert.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let unsubscribe = alert.header("List-Unsubscribe").trim_matches(['<', '>']).replace("http://127.0.0.1:8080", "");
    let done = t.post_raw(&unsubscribe, b"List-Unsubscribe=One-Click".to_vec(), &[], crate::common::READER_IP).await;
    assert_eq!(done.status, StatusCode::OK, "the unsubscribe header works");

    let mut another = crate::common::draft("Pflegeroboter heben Bewohner nun auch in Kiel");
    another.tags = vec!["Robotik".into()];
    another.lead =
        "Ein Pflegeheim in Kiel setzt Pflegeroboter ein, die Bewohner heben und Pflegekräfte entlasten.".into();
    another.body_md =
        "Die Pflegeroboter im Pflegeheim helfen beim Heben; Pflegekräfte berichten von Entlastung.".into();
    t.create(another).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    sender::send_pending(&t.app).await.unwrap();
    assert_eq!(sink.mails().len(), 3, "nothing after unsubscribing");
}

#[tokio::test]
async fn a_permanent_refusal_marks_the_address_bouncing() {
    if without_sink() {
        return;
    }
    let sink = SmtpSink::start();
    let t = app(&sink).await;
    let response =
        t.post_form("/newsletter", &[("email", "bounce@example.org"), ("consent", "yes"), ("website", "")], &[]).await;
    assert_eq!(response.status, StatusCode::OK);
    sender::send_pending(&t.app).await.unwrap();
    assert!(sink.received().is_empty());
    let (status, bouncing): (String, Option<i64>) =
        sqlx::query_as("SELECT o.status, u.bouncing_at FROM outbox o JOIN subscribers u ON u.id = o.subscriber_id")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(bouncing.is_some(), "bouncing after the configured count (1 here)");
}

/// A send of 10,000 messages; the sending server is killed with SIGKILL in the middle and
/// started again. Every message arrives; duplicates are at most those in flight at the kill:
/// one per connection, as each accepted message is marked before the next send starts.
#[tokio::test]
async fn a_crash_mid_send_loses_nothing() {
    if without_sink() {
        return;
    }
    const MESSAGES: usize = 10_000;
    let sink = SmtpSink::start();
    let data = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_newsdesk");
    let connections = 8;
    let port = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env: Vec<(String, String)> = vec![
        ("NEWSDESK_EMAIL__TRANSPORT".into(), "smtp".into()),
        ("NEWSDESK_EMAIL__SMTP_PORT".into(), sink.port.to_string()),
        ("NEWSDESK_EMAIL__SMTP_SECURITY".into(), "none".into()),
        ("NEWSDESK_EMAIL__RATE_PER_SECOND".into(), "5000".into()),
        ("NEWSDESK_EMAIL__CONNECTIONS".into(), connections.to_string()),
        ("NEWSDESK_EMAIL__DIGEST".into(), "off".into()),
        ("RUST_LOG".into(), "warn".into()),
    ];
    let run = |args: &[&str]| {
        let mut command = Command::new(binary);
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
            command.env_remove(key);
        }
        command.envs(env.iter().cloned()).arg("--data").arg(data.path()).args(args);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    };
    assert!(run(&["migrate"]).status().unwrap().success());

    // 10,000 confirmed newsletter subscribers, written straight into the database.
    let config = newsdesk::config::Config { data_dir: data.path().to_path_buf(), ..Default::default() };
    crate::common::add_newsletter_readers(&config, MESSAGES).await;

    let body = data.path().join("text.md");
    std::fs::write(&body, "Eine Ausgabe für den Absturztest.").unwrap();
    let send = run(&["newsletter", "send", "--subject", "Absturztest", "--body-file", body.to_str().unwrap()]);
    assert!(run_ok(send), "the campaign was queued");

    let serve = |p: u16| run(&["serve", "--listen", &format!("127.0.0.1:{p}")]).spawn().unwrap();
    let mut first = serve(port());
    let started = Instant::now();
    while sink.received().len() < MESSAGES / 4 {
        assert!(started.elapsed() < Duration::from_secs(120), "sending did not start: {}", sink.received().len());
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = sink.received().len();
    assert!(at_kill < MESSAGES, "killed in the middle of the send");

    let mut second = serve(port());
    let started = Instant::now();
    let unique = |ids: &[String]| ids.iter().collect::<std::collections::HashSet<_>>().len();
    loop {
        let received = sink.received();
        if unique(&received) >= MESSAGES {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(180), "only {} of {MESSAGES} arrived", unique(&received));
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    second.kill().unwrap();
    second.wait().unwrap();

    let received = sink.received();
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for id in &received {
        *counts.entry(id).or_default() += 1;
    }
    let duplicates = received.len() - counts.len();
    let in_flight = sender::MARK_EVERY + connections;
    println!(
        "killed after {at_kill} messages; {} received, {duplicates} duplicates (bound {in_flight})",
        received.len()
    );
    assert_eq!(counts.len(), MESSAGES, "every message arrived");
    assert!(duplicates <= in_flight, "{duplicates} duplicates, more than the {in_flight} that can be in flight");
}

fn run_ok(mut command: Command) -> bool {
    command.status().unwrap().success()
}

/// The mail server is down when a campaign starts and comes up a few seconds later. The outage
/// is logged once when it begins and once when it ends, with the failed attempts; no message
/// is logged as delayed, none waits for a retry backoff, and all arrive once the server answers.
#[tokio::test]
async fn an_outage_is_logged_once_and_mail_flows_when_the_server_returns() {
    if without_sink() {
        return;
    }
    const MESSAGES: usize = 300;
    let data = tempfile::tempdir().unwrap();
    let smtp_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let web_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let connections = 4;
    let command = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
            command.env_remove(key);
        }
        command
            .envs([
                ("NEWSDESK_EMAIL__TRANSPORT", "smtp".to_string()),
                ("NEWSDESK_EMAIL__SMTP_PORT", smtp_port.to_string()),
                ("NEWSDESK_EMAIL__SMTP_SECURITY", "none".to_string()),
                ("NEWSDESK_EMAIL__RATE_PER_SECOND", "200".to_string()),
                ("NEWSDESK_EMAIL__CONNECTIONS", connections.to_string()),
                ("NEWSDESK_EMAIL__DIGEST", "off".to_string()),
                ("RUST_LOG", "warn".to_string()),
            ])
            .arg("--data")
            .arg(data.path())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    assert!(command(&["migrate"]).status().unwrap().success());
    let config = newsdesk::config::Config { data_dir: data.path().to_path_buf(), ..Default::default() };
    crate::common::add_newsletter_readers(&config, MESSAGES).await;
    let body = data.path().join("text.md");
    std::fs::write(&body, "Eine Ausgabe während einer Störung.").unwrap();
    let send = command(&["newsletter", "send", "--subject", "Störung", "--body-file", body.to_str().unwrap()]);
    assert!(run_ok(send), "the campaign was queued");

    let log_path = data.path().join("serve.log");
    let mut serve = command(&["serve", "--listen", &format!("127.0.0.1:{web_port}")]);
    serve.stderr(std::fs::File::create(&log_path).unwrap());
    let mut server = serve.spawn().unwrap();
    // The outage: nothing listens on the SMTP port yet.
    std::thread::sleep(Duration::from_secs(4));
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(log.matches("mail server unavailable").count(), 1, "the outage began once:\n{log}");

    let sink = SmtpSink::start_on(smtp_port);
    let started = Instant::now();
    while sink.received().len() < MESSAGES {
        assert!(started.elapsed() < Duration::from_secs(60), "only {} of {MESSAGES} arrived", sink.received().len());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    assert!(server.wait().unwrap().success());

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(log.matches("mail server unavailable").count(), 1, "{log}");
    assert_eq!(log.matches("mail server available again").count(), 1, "the outage ended once:\n{log}");
    assert!(
        log.contains("failed_attempts") && log.contains("attempt(s)"),
        "the end says how many attempts failed:\n{log}"
    );
    assert!(!log.contains("mail delayed"), "no line per message:\n{log}");
    let received = sink.received();
    assert_eq!(received.iter().collect::<std::collections::HashSet<_>>().len(), MESSAGES, "every message arrived once");
    assert_eq!(received.len(), MESSAGES, "no duplicates");

    // Only the messages in flight when the outage was noticed were tried during it.
    let db = newsdesk::db::Db::connect(&config).await.unwrap();
    let (sent, tried_twice, most): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE status = 'sent'), COUNT(*) FILTER (WHERE attempts > 1), MAX(attempts) FROM outbox",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(sent, MESSAGES as i64);
    assert!(
        tried_twice <= connections as i64 && most <= 2,
        "{tried_twice} messages tried more than once, at most {most}"
    );
}
