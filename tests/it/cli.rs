//! The `newsdesk` binary as an operator uses it.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{Backend, DemoServer, TestDb};

/// The binary, with no `NEWSDESK_*` variables from the caller's environment.
fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
        command.env_remove(key);
    }
    command
}

fn newsdesk(config: &Path, args: &[&str]) -> Output {
    binary().arg("--config").arg(config).args(args).env_remove("RUST_LOG").output().unwrap()
}

/// Writes the test database's settings as a config file, as an operator would.
fn config_file(db: &TestDb) -> std::path::PathBuf {
    let path = db.dir.path().join("newsdesk.toml");
    let text = format!(
        "data_dir = {:?}\n[database]\nurl = {:?}\n[log]\nlevel = \"warn\"\n",
        db.config.data_dir.display().to_string(),
        db.config.database.url
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_explains_every_subcommand() {
    let out = binary().arg("--help").output().unwrap();
    let help = stdout(&out);
    for command in ["serve", "worker", "migrate", "user", "article", "import", "backup", "--config", "--data"] {
        assert!(help.contains(command), "--help mentions {command}:\n{help}");
    }
    let article = binary().args(["article", "--help"]).output().unwrap();
    for sub in ["import", "list", "publish"] {
        assert!(stdout(&article).contains(sub));
    }
}

#[test]
fn config_error_names_file_key_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kaputt.toml");
    std::fs::write(&path, "[server]\nlisten = \"nirgendwo\"\n").unwrap();
    let out = newsdesk(&path, &["migrate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("kaputt.toml") && err.contains("listen") && err.contains("invalid"), "{err}");

    std::fs::write(&path, "[sever]\nlisten = \"127.0.0.1:1\"\n").unwrap();
    let err = stderr(&newsdesk(&path, &["migrate"]));
    assert!(err.contains("kaputt.toml") && err.contains("sever"), "{err}");

    let missing = newsdesk(&dir.path().join("fehlt.toml"), &["migrate"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("fehlt.toml"));
}

#[test]
fn unopenable_database_is_reported_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.toml");
    std::fs::write(&path, "[database]\nurl = \"sqlite:///nicht/vorhanden/ordner/x.db\"\n").unwrap();
    let out = newsdesk(&path, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot open the database sqlite:///nicht/vorhanden/ordner/x.db"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&path, "[database]\nurl = \"postgres://nd:geheim@127.0.0.1:1/x\"\n").unwrap();
    let out = newsdesk(&path, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot open the database postgres://nd:***@127.0.0.1:1/x"), "{err}");
    assert!(!err.contains("geheim"), "the password is not shown");
}

async fn operator_workflow(backend: Backend) {
    let db = TestDb::new(backend).await;
    let config = config_file(&db);
    let migrate = newsdesk(&config, &["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let applied = stdout(&migrate);
    assert!(applied.contains("migration(s) applied") && !applied.starts_with("0 "), "{applied}");
    assert!(stdout(&newsdesk(&config, &["migrate"])).contains("0 migration(s) applied"), "migrate twice is harmless");

    // user add, password from standard input
    let mut child = binary()
        .args([
            "--config",
            config.to_str().unwrap(),
            "user",
            "add",
            "--role",
            "editor",
            "--password-stdin",
            "redaktion@example.org",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"ein-langes-passwort\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let again = binary()
        .args([
            "--config",
            config.to_str().unwrap(),
            "user",
            "add",
            "--role",
            "admin",
            "--password-stdin",
            "redaktion@example.org",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!again.status.success());

    // article import: the good file lands, the bad one is named with its path
    let files = db.dir.path().join("artikel");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("gut.md"),
        "+++\ntitle = \"Vom Terminal\"\nauthors = [\"Ida\"]\nstatus = \"draft\"\n+++\nText\n",
    )
    .unwrap();
    std::fs::write(files.join("schlecht.md"), "ohne front matter").unwrap();
    let import = newsdesk(&config, &["article", "import", files.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(1), "a failed file makes the exit code 1");
    assert!(stdout(&import).contains("1 imported, 1 failed"), "{}", stdout(&import));
    assert!(stderr(&import).contains("schlecht.md"), "{}", stderr(&import));

    let list = stdout(&newsdesk(&config, &["article", "list"]));
    assert!(list.contains("draft") && list.contains("vom-terminal"), "{list}");
    let publish = newsdesk(&config, &["article", "publish", "vom-terminal"]);
    assert!(publish.status.success(), "{}", stderr(&publish));
    assert!(stdout(&newsdesk(&config, &["article", "list"])).contains("published"));
    let unknown = newsdesk(&config, &["article", "publish", "gibt-es-nicht"]);
    assert!(stderr(&unknown).contains("no article with slug"));

    // `newsdesk worker` does the queued work (the index update and pings of that publish)
    // without the web server, and stops cleanly on SIGTERM.
    let store = newsdesk::db::Db::connect(&db.config).await.unwrap();
    let pending = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM queue WHERE done_at IS NULL AND failed_at IS NULL")
            .fetch_one(&store.pool)
            .await
            .unwrap()
    };
    assert!(pending().await > 0, "publishing queued work");
    let mut worker = binary()
        .args(["--config", config.to_str().unwrap(), "worker"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pending().await > 0 {
        assert!(std::time::Instant::now() < deadline, "the worker did not do the queued work");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap().success());
    let stopped = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = worker.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < stopped, "the worker did not stop on SIGTERM");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");

    // The operator's view of the assessment.
    let mut assess = binary()
        .args(["--config", config.to_str().unwrap(), "comments", "assess", "--article", "vom-terminal"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assess.stdin.take().unwrap().write_all("Du bist ein Vollidiot.".as_bytes()).unwrap();
    let assessed = assess.wait_with_output().unwrap();
    assert!(assessed.status.success(), "{}", stderr(&assessed));
    let json: serde_json::Value = serde_json::from_slice(&assessed.stdout).unwrap();
    assert!(json["flags"].as_array().unwrap().iter().any(|f| f == "demeaning"), "{json}");
    assert!(!json["demeaning"]["reasons"].as_array().unwrap().is_empty());
    // Commands that read the index open it alone, without building the whole application.
    let related = newsdesk(&config, &["article", "related", "vom-terminal", "--json"]);
    assert!(related.status.success(), "{}", stderr(&related));
    assert!(serde_json::from_slice::<serde_json::Value>(&related.stdout).unwrap().is_array());

    if backend == Backend::Sqlite {
        let target = db.dir.path().join("sicherung").join("kopie.db");
        let backup = newsdesk(&config, &["backup", target.to_str().unwrap()]);
        assert!(backup.status.success(), "{}", stderr(&backup));
        // The copy is a complete database: list its articles through a config that points at it.
        let copy_config = db.dir.path().join("kopie.toml");
        std::fs::write(&copy_config, format!("[database]\nurl = \"sqlite://{}\"\n", target.display())).unwrap();
        assert!(stdout(&newsdesk(&copy_config, &["article", "list"])).contains("vom-terminal"));
        let twice = newsdesk(&config, &["backup", target.to_str().unwrap()]);
        assert!(stderr(&twice).contains("already exists"));
    } else {
        assert!(stderr(&newsdesk(&config, &["backup", "/tmp/x.db"])).contains("pg_dump"));
    }
}

#[tokio::test]
async fn operator_workflow_sqlite() {
    operator_workflow(Backend::Sqlite).await;
}

#[tokio::test]
async fn operator_workflow_postgres() {
    if !crate::common::without_postgres() {
        operator_workflow(Backend::Postgres).await;
    }
}

/// `serve --demo` on a fresh data folder answers with the demo and stops cleanly on SIGTERM.
#[test]
fn serve_demo_and_stop_on_sigterm() {
    let mut server = DemoServer::start();
    let home = server.get("/").unwrap();
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("Newsdesk"));
    assert!(server.dir.path().join("daten").join("newsdesk.db").exists(), "the SQLite file is in --data");
    let status = server.stop();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}

/// Writes Markdown files for `article import` into a folder of the test's own.
fn article_files(db: &TestDb, files: &[(&str, &str)]) -> std::path::PathBuf {
    let folder = db.dir.path().join("dateien");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in files {
        std::fs::write(folder.join(name), text).unwrap();
    }
    folder
}

fn article(title: &str, extra: &str) -> String {
    format!("+++\ntitle = \"{title}\"\nauthors = [\"Ida\"]\n{extra}+++\nText über {title}.\n")
}

/// `article list` is newest first (drafts by their last change), then by slug; and a reader
/// that closes the pipe early (`| head -n 1`) ends the command quietly and successfully.
async fn list_is_sorted_and_a_closed_pipe_is_no_error(backend: Backend) {
    let db = TestDb::new(backend).await;
    let config = config_file(&db);
    let folder = article_files(
        &db,
        &[
            ("1.md", &article("Alt", "published_at = \"2025-01-01T08:00:00Z\"\n")),
            ("2.md", &article("Gleich B", "published_at = \"2026-01-01T08:00:00Z\"\n")),
            ("3.md", &article("Neu", "published_at = \"2026-02-01T08:00:00Z\"\n")),
            ("4.md", &article("Gleich A", "published_at = \"2026-01-01T08:00:00Z\"\n")),
            ("5.md", &article("Entwurf", "status = \"draft\"\n")),
        ],
    );
    let import = newsdesk(&config, &["article", "import", folder.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));

    let list = newsdesk(&config, &["article", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let slugs: Vec<String> = stdout(&list)
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().nth(3).unwrap_or_default().to_string())
        .collect();
    assert_eq!(slugs, ["entwurf", "neu", "gleich-a", "gleich-b", "alt"], "{}", stdout(&list));
    let help = stdout(&binary().args(["article", "list", "--help"]).output().unwrap());
    assert!(help.contains("newest first") && help.contains("slug"), "--help documents the order: {help}");

    // A pipe whose reader has gone: every write fails with EPIPE, from the first on.
    for args in [&["article", "list"][..], &["migrate"][..], &["outbox", "status", "--json"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out =
            binary().arg("--config").arg(&config).args(args).env_remove("RUST_LOG").stdout(writer).output().unwrap();
        assert!(!stderr(&out).contains("panicked"), "{args:?}: {}", stderr(&out));
        assert!(out.status.success(), "{args:?}: {:?} {}", out.status, stderr(&out));
    }
}

#[tokio::test]
async fn list_is_sorted_and_a_closed_pipe_is_no_error_sqlite() {
    list_is_sorted_and_a_closed_pipe_is_no_error(Backend::Sqlite).await;
}

#[tokio::test]
async fn list_is_sorted_and_a_closed_pipe_is_no_error_postgres() {
    if !crate::common::without_postgres() {
        list_is_sorted_and_a_closed_pipe_is_no_error(Backend::Postgres).await;
    }
}

/// What a command wrote is in `newsdesk.db` itself when it exits, not only in the write-ahead
/// log: copying the one file is a complete copy.
#[tokio::test]
async fn a_copy_of_the_database_file_alone_has_what_a_command_wrote() {
    let db = TestDb::new(Backend::Sqlite).await;
    let config = config_file(&db);
    let folder = article_files(&db, &[("1.md", &article("Frisch geschrieben", ""))]);
    let import = newsdesk(&config, &["article", "import", folder.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let copy = db.dir.path().join("kopie");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(db.config.data_dir.join("newsdesk.db"), copy.join("newsdesk.db")).unwrap();
    let copy_config = db.dir.path().join("kopie.toml");
    std::fs::write(&copy_config, format!("[database]\nurl = \"sqlite://{}\"\n", copy.join("newsdesk.db").display()))
        .unwrap();
    let list = newsdesk(&copy_config, &["article", "list"]);
    assert!(stdout(&list).contains("frisch-geschrieben"), "{}{}", stdout(&list), stderr(&list));

    // A mistyped --data still gets no empty database from the checkpoint.
    let typo = db.dir.path().join("vertippt");
    std::fs::create_dir_all(&typo).unwrap();
    let backup = binary().arg("--data").arg(&typo).args(["backup", "/tmp/nie.db"]).output().unwrap();
    assert!(!backup.status.success());
    assert!(!typo.join("newsdesk.db").exists(), "no database was made where there was none");
}

/// Runs the binary and waits at most 30 s for it: a command that blocks on a FIFO fails the
/// test instead of hanging it.
fn newsdesk_within(config: &Path, args: &[&str]) -> Output {
    let mut child = binary()
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`newsdesk {}` still runs after 30 s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Devices, FIFOs and files over the limit are refused with a message, never read without end.
#[tokio::test]
async fn imports_refuse_what_is_not_a_plain_file_of_sane_size() {
    let db = TestDb::new(Backend::Sqlite).await;
    let config = config_file(&db);
    assert!(newsdesk(&config, &["migrate"]).status.success());
    let fifo = db.dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_str().unwrap();
    for source in ["/dev/zero", fifo] {
        let article = newsdesk_within(&config, &["article", "import", source]);
        assert_eq!(article.status.code(), Some(1), "{source}");
        assert!(stderr(&article).contains("not a regular file"), "{source}: {}", stderr(&article));
        let wordpress = newsdesk_within(&config, &["import", "wordpress", source]);
        assert_eq!(wordpress.status.code(), Some(1), "{source}");
        assert!(stderr(&wordpress).contains("not a regular file"), "{source}: {}", stderr(&wordpress));
        let campaign = newsdesk_within(&config, &["newsletter", "send", "--subject", "Test", "--body-file", source]);
        assert_eq!(campaign.status.code(), Some(1), "{source}");
        assert!(stderr(&campaign).contains("not a regular file"), "{source}: {}", stderr(&campaign));
    }
    let big = db.dir.path().join("gross.md");
    let mut text = article("Zu lang", "");
    text.push_str(&"x".repeat(1024 * 1024));
    std::fs::write(&big, text).unwrap();
    let article = newsdesk_within(&config, &["article", "import", big.to_str().unwrap()]);
    assert_eq!(article.status.code(), Some(1));
    assert!(stderr(&article).contains("larger than 1048576 bytes"), "{}", stderr(&article));
}

/// `outbox status` calls a campaign finished once none of its messages is queued any more.
async fn outbox_status_shows_a_finished_campaign(backend: Backend) {
    let db = TestDb::new(backend).await;
    let config = config_file(&db);
    assert!(newsdesk(&config, &["migrate"]).status.success());
    crate::common::add_newsletter_readers(&db.config, 3).await;
    let body = db.dir.path().join("text.md");
    std::fs::write(&body, "Eine Ausgabe.").unwrap();
    let send =
        newsdesk(&config, &["newsletter", "send", "--subject", "Ausgabe", "--body-file", body.to_str().unwrap()]);
    assert!(send.status.success(), "{}", stderr(&send));
    let campaign = |json: &serde_json::Value| json["campaigns"][0]["status"].as_str().unwrap_or_default().to_string();
    let status = |args: &[&str]| stdout(&newsdesk(&config, args));
    let json: serde_json::Value = serde_json::from_str(&status(&["outbox", "status", "--json"])).unwrap();
    assert_eq!(campaign(&json), "sending");

    let app = newsdesk::app::App::build(db.config.clone()).await.unwrap();
    newsdesk::email::sender::send_pending(&app).await.unwrap();
    app.db.pool.close().await;
    let json: serde_json::Value = serde_json::from_str(&status(&["outbox", "status", "--json"])).unwrap();
    assert_eq!(campaign(&json), "finished", "{json}");
    assert_eq!(json["campaigns"][0]["sent"], 3);
    let text = status(&["outbox", "status"]);
    let line = text.lines().find(|l| l.starts_with("campaign")).unwrap();
    assert!(line.contains("finished") && line.contains("3/3"), "{text}");
}

#[tokio::test]
async fn outbox_status_shows_a_finished_campaign_sqlite() {
    outbox_status_shows_a_finished_campaign(Backend::Sqlite).await;
}

#[tokio::test]
async fn outbox_status_shows_a_finished_campaign_postgres() {
    if !crate::common::without_postgres() {
        outbox_status_shows_a_finished_campaign(Backend::Postgres).await;
    }
}
