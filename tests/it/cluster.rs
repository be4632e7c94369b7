//! Two `newsdesk serve` nodes on one PostgreSQL database, each with its own data folder (page
//! cache and search index), as in a deployment behind a load balancer.
//!
//! An editor publishes on node A; node B's home page and search show the article within a
//! second (the change log, woken by NOTIFY). A campaign of 1,000 messages is sent by both nodes'
//! workers together, each message once; node A is then killed with SIGKILL mid-send and node B
//! delivers the rest.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use newsdesk::email::sender;

use crate::common::{Backend, TestDb, hidden};
use crate::smtp::SmtpSink;

const MESSAGES: usize = 1_000;
const CONNECTIONS: usize = 4;

struct Node {
    child: Child,
    port: u16,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response as read off the socket.
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

impl Node {
    fn request(&self, method: &str, path: &str, cookie: Option<&str>, form: Option<&[(&str, &str)]>) -> Reply {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
        let body = form.map(|pairs| form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish());
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", self.port);
        if let Some(cookie) = cookie {
            head.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if let Some(body) = &body {
            head.push_str(&format!(
                "Origin: http://127.0.0.1:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                self.port,
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        if let Some(body) = &body {
            stream.write_all(body.as_bytes()).unwrap();
        }
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Reply { status, head: head.to_string(), body: body.to_string() }
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, None)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn command(db_url: &str, data: &Path, sink_port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
        command.env_remove(key);
    }
    command
        .env("NEWSDESK_DATABASE__URL", db_url)
        .env("NEWSDESK_SITE__BASE_URL", "http://127.0.0.1:8080")
        .env("NEWSDESK_EMAIL__TRANSPORT", "smtp")
        .env("NEWSDESK_EMAIL__SMTP_PORT", sink_port.to_string())
        .env("NEWSDESK_EMAIL__SMTP_SECURITY", "none")
        // Slow enough that the send is still going when node A is killed.
        .env("NEWSDESK_EMAIL__RATE_PER_SECOND", "150")
        .env("NEWSDESK_EMAIL__CONNECTIONS", CONNECTIONS.to_string())
        .env("NEWSDESK_EMAIL__DIGEST", "off")
        .env("RUST_LOG", "warn")
        .arg("--data")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn start_node(db_url: &str, data: &Path, sink_port: u16) -> Node {
    start_node_with(db_url, data, sink_port, &[])
}

fn start_node_with(db_url: &str, data: &Path, sink_port: u16, extra: &[&str]) -> Node {
    let port = free_port();
    let child = command(db_url, data, sink_port)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .spawn()
        .unwrap();
    let node = Node { child, port };
    let started = Instant::now();
    loop {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && node.get("/healthz").status == 200;
        if up {
            return node;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "node did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits (at most 5 s) for `check` on a fresh page, and returns how long it took.
fn time_until(node: &Node, path: &str, check: impl Fn(&Reply) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        if check(&node.get(path)) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{path} never showed the change");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn two_nodes_share_one_postgresql() {
    if crate::common::without_postgres() || crate::smtp::without_sink() {
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let url = db.config.database.url.clone();
    let sink = SmtpSink::start();
    let (data_a, data_b) = (db.dir.path().join("node-a"), db.dir.path().join("node-b"));
    assert!(command(&url, &data_a, sink.port).arg("migrate").status().unwrap().success());

    // An editor for node A, and 1,000 confirmed newsletter readers.
    let mut add = command(&url, &data_a, sink.port)
        .args(["user", "add", "--role", "editor", "--password-stdin", "redaktion@example.org"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"ein-langes-passwort\n").unwrap();
    assert!(add.wait().unwrap().success());
    crate::common::add_newsletter_readers(&db.config, MESSAGES).await;

    let a = start_node(&url, &data_a, sink.port);
    let b = start_node(&url, &data_b, sink.port);

    // Node B has its home page and a search in its cache before the article exists.
    assert!(!b.get("/").body.contains("Hafenausbau"));
    let search = "/search?q=Hafenausbau";
    assert!(!b.get(search).body.contains("/news/hafenausbau-in-rostock"));
    assert_eq!(b.get("/").header("x-cache"), Some("hit"));

    // The editor publishes on node A.
    let login = a.get("/admin/login");
    let token = hidden(&login.body, "token");
    let signed_in = a.request(
        "POST",
        "/admin/login",
        None,
        Some(&[("email", "redaktion@example.org"), ("password", "ein-langes-passwort"), ("token", &token)]),
    );
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = signed_in.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let editor = a.request("GET", "/admin/articles/new", Some(&cookie), None);
    let csrf = hidden(&editor.body, "csrf");
    let published = a.request(
        "POST",
        "/admin/articles",
        Some(&cookie),
        Some(&[
            ("csrf", &csrf),
            ("action", "publish"),
            ("checked", "yes"),
            ("create_authors", "yes"),
            ("title", "Hafenausbau in Rostock"),
            ("places", "Rostock"),
            ("lead", "Die Stadt baut den Überseehafen aus."),
            ("body", "Der Hafenausbau kostet viel Geld."),
            ("tags", "Wirtschaft"),
            ("authors", "Ada Lovelace"),
            ("language", "de"),
        ]),
    );
    assert_eq!(published.status, 303, "{}", published.body);
    let on_home = time_until(&b, "/", |r| r.body.contains("Hafenausbau in Rostock"));
    let in_search = time_until(&b, search, |r| r.body.contains("/news/hafenausbau-in-rostock"));
    println!("node B showed the article after {on_home:?} (home) and {in_search:?} (search)");
    assert!(on_home < Duration::from_secs(1), "home page on node B after {on_home:?}");
    assert!(in_search < Duration::from_secs(1), "search on node B after {in_search:?}");
    assert!(a.get("/").body.contains("Hafenausbau in Rostock"), "and on node A at once");

    // A campaign to 1,000 readers, queued with node A's command line; both workers send.
    let text = db.dir.path().join("ausgabe.md");
    std::fs::write(&text, "Die Ausgabe für zwei Knoten.").unwrap();
    let queued = command(&url, &data_a, sink.port)
        .args(["newsletter", "send", "--subject", "Zwei Knoten", "--body-file", text.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(queued.success());
    let started = Instant::now();
    while sink.received().len() < MESSAGES / 4 {
        assert!(started.elapsed() < Duration::from_secs(60), "sending did not start: {}", sink.received().len());
        std::thread::sleep(Duration::from_millis(20));
    }
    let before_kill = sink.received();
    let unique = |ids: &[String]| ids.iter().collect::<std::collections::HashSet<_>>().len();
    assert_eq!(unique(&before_kill), before_kill.len(), "while both nodes send, no message goes out twice");
    let mut a = a;
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    let at_kill = sink.received().len();
    assert!(at_kill < MESSAGES, "node A was killed mid-send");

    // Node B takes over what node A had claimed once its lease runs out.
    let started = Instant::now();
    while unique(&sink.received()) < MESSAGES {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "only {} of {MESSAGES} arrived",
            unique(&sink.received())
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    let received = sink.received();
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for id in &received {
        *counts.entry(id).or_default() += 1;
    }
    let duplicates = received.len() - counts.len();
    let in_flight = sender::MARK_EVERY + CONNECTIONS;
    println!("node A killed after {at_kill} messages; {} received, {duplicates} duplicates", received.len());
    assert_eq!(counts.len(), MESSAGES, "every message arrived");
    assert!(duplicates <= in_flight, "{duplicates} duplicates: more than node A can have had in flight");
    drop(b);
}

/// A PostgreSQL server of the test's own, which it can stop and start.
struct OwnPostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl OwnPostgres {
    fn pg(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    }

    fn start() -> OwnPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("this test runs its own PostgreSQL: Debian's postgresql package (scripts/test installs it)");
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            assert!(Command::new("chown").arg("postgres").arg(dir.path()).status().unwrap().success());
        }
        let server = OwnPostgres { bin, port: free_port(), dir };
        let data = server.dir.path().join("data");
        let init =
            server.pg("initdb").arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "--no-sync"]).status();
        assert!(init.unwrap().success(), "initdb");
        server.up();
        server
    }

    fn up(&self) {
        let options =
            format!("-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off", self.port, self.dir.path().display());
        let started = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .args(["-w", "-o", &options, "start"])
            .status();
        assert!(started.unwrap().success(), "pg_ctl start");
    }

    fn down(&self) {
        let stopped =
            self.pg("pg_ctl").arg("-D").arg(self.dir.path().join("data")).args(["-m", "fast", "-w", "stop"]).status();
        assert!(stopped.unwrap().success(), "pg_ctl stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ =
            self.pg("pg_ctl").arg("-D").arg(self.dir.path().join("data")).args(["-m", "immediate", "stop"]).status();
    }
}

/// PostgreSQL stops for twelve seconds under a steady load and comes back. Meanwhile requests
/// succeed (cached pages), wait for the database (those that started less than the pool's ten
/// seconds before it came back) or fail cleanly with 503; afterwards the node serves and writes
/// again without a restart.
#[test]
fn a_node_rides_out_a_postgresql_restart() {
    if crate::common::without_postgres() {
        return;
    }
    let postgres = OwnPostgres::start();
    let data = tempfile::tempdir().unwrap();
    let node = std::sync::Arc::new(start_node_with(&postgres.url(), data.path(), 9, &["--demo"]));
    let cached = "/news/pflegeroboter-im-praxistest-augsburg";
    // The demo is written after start-up; the node's follower then applies it (dropping pages,
    // filling the index). Once search finds it, that is done and the page below stays stored.
    let started = Instant::now();
    while !node.get("/search?q=Pflegeroboter").body.contains(cached) {
        assert!(started.elapsed() < Duration::from_secs(60), "the demo never reached the search index");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(node.get(cached).status, 200);
    assert_eq!(node.get(cached).header("x-cache"), Some("hit"));

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (node, stop) = (node.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                for path in [cached.to_string(), format!("/search?q=roboter&n={i}"), format!("/tag/robotik?n={i}")] {
                    let started = Instant::now();
                    let status = node.get(&path).status;
                    seen.push((path, status, started.elapsed()));
                }
            }
            seen
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    postgres.down();
    std::thread::sleep(Duration::from_secs(12));
    postgres.up();
    let back = Instant::now();
    while node.get("/healthz").status != 200 {
        assert!(back.elapsed() < Duration::from_secs(30), "the node did not recover");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = load.join().unwrap();

    let failed: Vec<_> = seen.iter().filter(|(_, status, _)| *status != 200).collect();
    println!(
        "{} requests around the restart, {} failed; healthy {:?} after PostgreSQL was back",
        seen.len(),
        failed.len(),
        back.elapsed()
    );
    assert!(seen.iter().all(|(_, status, _)| [200, 503].contains(status)), "only 200 or 503: {failed:?}");
    assert!(!failed.is_empty(), "some requests met the database down");
    assert!(seen.iter().all(|(_, _, took)| *took < Duration::from_secs(15)), "no request hangs: {seen:?}");
    assert!(
        seen.iter().filter(|(p, _, _)| p == cached).all(|(_, status, _)| *status == 200),
        "cached pages kept coming"
    );
    // Reads and writes work again, in the same process.
    assert_eq!(node.get("/search?q=roboter&n=after").status, 200);
    let signup = node.request(
        "POST",
        "/newsletter",
        None,
        Some(&[("email", "nach-dem-neustart@example.org"), ("consent", "yes")]),
    );
    assert_eq!(signup.status, 200, "{}", signup.body);
}
