//! The test harness: a fresh database per test, on SQLite or PostgreSQL, and the real router.
//!
//! PostgreSQL tests create a database of their own on the server named by
//! `PG_TEST_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) and drop it
//! when the test ends; `scripts/test` provides that server.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use newsdesk::app::App;
use newsdesk::articles::model::{Article, ArticleDraft};
use newsdesk::articles::queries;
use newsdesk::config::Config;
use newsdesk::db::Db;
use sqlx::Connection as _;
use tower::ServiceExt as _;

pub use newsdesk::db::Backend;

/// Whether the tests that need `what` (PostgreSQL, the browser checks, the SMTP sink) are
/// skipped: when it is missing and the run is a plain `cargo test`. `scripts/test` sets
/// `ND_TEST_ALL=1` and provides everything, so there nothing is skipped and a missing
/// part fails its tests.
pub fn skipped(what: &str, present: bool) -> bool {
    if present || std::env::var_os("ND_TEST_ALL").is_some() {
        return false;
    }
    eprintln!("skipped: needs {what} (run scripts/test, which provides it)");
    true
}

/// Whether this run leaves out the PostgreSQL tests: a plain `cargo test` without
/// `PG_TEST_URL` runs the SQLite suite only.
pub fn without_postgres() -> bool {
    skipped("PostgreSQL (set PG_TEST_URL)", std::env::var_os("PG_TEST_URL").is_some())
}

/// Generates one `#[tokio::test]` per backend for each named `async fn(TestApp)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if $crate::common::without_postgres() {
                        return;
                    }
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Postgres).await).await
                }
            )*
        }
    };
}

pub fn pg_admin_url() -> String {
    std::env::var("PG_TEST_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("nd_test_{}_{nanos}_{hex}", std::process::id())
}

/// A throwaway database: a SQLite file in a temporary folder, or a PostgreSQL database that is
/// dropped when this value is.
pub struct TestDb {
    pub config: Config,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.database.max_connections = 4;
        // Hubs, feeds and old sites in tests answer on loopback.
        config.outgoing.allow_private_addresses = true;
        let pg_name = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let admin = pg_admin_url();
                let name = unique_name();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is needed for this test: {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                config.database.url = format!("{base}/{name}");
                Some(name)
            }
        };
        TestDb { config, dir, pg_name }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside async code: a short-lived runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub app: Arc<App>,
    pub router: Router,
    /// Kept for its `Drop`, which removes the database.
    _db: TestDb,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::with_config(backend, |_| {}).await
    }

    pub async fn with_config(backend: Backend, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut db = TestDb::new(backend).await;
        change(&mut db.config);
        let pool = Db::connect(&db.config).await.unwrap();
        pool.migrate().await.unwrap();
        let app = App::with_db(db.config.clone(), pool).await.unwrap();
        let router = newsdesk::root::router(app.clone());
        TestApp { backend, app, router, _db: db }
    }

    pub fn db_backend(&self) -> Backend {
        self.backend
    }

    pub async fn request(&self, method: Method, path: &str, body: Body) -> TestResponse {
        // Writes made straight through the query functions reach the page cache and the search
        // index through the change log, as a running node's follower applies it within a second.
        // (A test may have closed the pool on purpose.)
        let _ = newsdesk::follower::sync(&self.app).await;
        let request = Request::builder().method(method).uri(path).body(body).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, Body::empty()).await
    }

    /// A GET with request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let _ = newsdesk::follower::sync(&self.app).await;
        let mut request = Request::builder().method(Method::GET).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Creates an article from a draft, as an editor's save or an import would.
    pub async fn create(&self, draft: ArticleDraft) -> Article {
        let input = draft.validate(self.app.language(), self.app.now()).unwrap();
        let article = queries::create(&self.app.db, &input, self.app.now()).await.unwrap();
        newsdesk::follower::content_changed(&self.app).await;
        article
    }

    /// A published article with the given title, one tag and one author.
    pub async fn publish(&self, title: &str) -> Article {
        self.create(draft(title)).await
    }
}

/// A valid draft that publishes now, tagged "KI", by "Ada Lovelace".
pub fn draft(title: &str) -> ArticleDraft {
    ArticleDraft {
        title: title.to_string(),
        places: vec!["Berlin".into()],
        lead: format!("Vorspann zu {title}."),
        body_md: format!("Text zu **{title}**.\n\n## Mehr\n\nWeiterer Absatz."),
        tags: vec!["KI".into()],
        authors: vec!["Ada Lovelace".into()],
        status: Some("published".into()),
        ..Default::default()
    }
}

/// `newsdesk serve --demo` as a separate process on a free port, in a fresh working folder.
/// Dropping it kills the process.
pub struct DemoServer {
    pub child: std::process::Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl DemoServer {
    pub fn start() -> DemoServer {
        DemoServer::start_with(&[])
    }

    /// The demo with configuration from the environment (`NEWSDESK_SITE__LANGUAGE=en`, say).
    pub fn start_with(config: &[(&str, &str)]) -> DemoServer {
        use std::time::{Duration, Instant};
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
            command.env_remove(key);
        }
        let child = command
            .current_dir(dir.path())
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data", "daten"])
            .env("RUST_LOG", "warn")
            .envs(config.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let server = DemoServer { child, port, dir };
        let started = Instant::now();
        while server.get("/healthz").is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Adds an admin-area user through the CLI, as an operator would, while the server runs.
    pub fn add_user(&self, role: &str, email: &str, password: &str) {
        use std::io::Write as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .current_dir(self.dir.path())
            .args(["user", "add", "--role", role, "--password-stdin", "--data", "daten", email])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        assert!(child.wait().unwrap().success(), "user add");
    }

    /// Runs another command of the binary on this server's data, as an operator would.
    pub fn newsdesk(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
            command.env_remove(key);
        }
        command
            .current_dir(self.dir.path())
            .args(args)
            .args(["--data", "daten"])
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A raw HTTP/1.1 GET: the whole response, status line and headers included.
    pub fn get(&self, path: &str) -> std::io::Result<String> {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    }

    /// Sends SIGTERM and waits (at most 15 s) for the process to end.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        use std::time::{Duration, Instant};
        let kill = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address tests post from, unless they say otherwise.
pub const READER_IP: [u8; 4] = [192, 0, 2, 10];

impl TestApp {
    /// POSTs a form as a browser on this site would: with an Origin header and a client address.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)], extra: &[(&str, &str)]) -> TestResponse {
        self.post_form_from(path, pairs, extra, READER_IP).await
    }

    pub async fn post_form_from(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
        extra: &[(&str, &str)],
        ip: [u8; 4],
    ) -> TestResponse {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        self.post_raw(path, body.into_bytes(), extra, ip).await
    }

    /// POSTs multipart form data as a browser's file form does: `fields`, then one file
    /// (`field`, file name, content type, bytes), signed in with `cookie`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &str, &[u8]),
        cookie: &str,
    ) -> TestResponse {
        let boundary = "----newsdesk-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (field, file_name, content_type, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let length = body.len().to_string();
        let extra = [("content-type", content_type.as_str()), ("cookie", cookie), ("content-length", length.as_str())];
        self.post_raw(path, body, &extra, READER_IP).await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>, extra: &[(&str, &str)], ip: [u8; 4]) -> TestResponse {
        let mut request = Request::builder().method(Method::POST).uri(path).header("host", "127.0.0.1:8080");
        if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("origin")) {
            request = request.header("origin", "http://127.0.0.1:8080");
        }
        for (k, v) in extra {
            request = request.header(*k, *v);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40_000))));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// GET with a cookie.
    pub async fn get_as(&self, path: &str, cookie: &str) -> TestResponse {
        let request = Request::builder().uri(path).header("cookie", cookie).body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Adds a user with `role` and signs in through the form; returns the session cookie.
    pub async fn sign_in(&self, role: newsdesk::auth::users::Role) -> String {
        use newsdesk::auth::users::{Email, Password, add};
        let email = format!("{}@example.org", role.as_str());
        let password = Password::parse("ein-langes-passwort".into()).unwrap();
        add(&self.app.db, &Email::parse(&email).unwrap(), role, &password).await.unwrap();
        let form = self.get("/admin/login").await;
        let token = hidden(&form.body, "token");
        let response = self
            .post_form(
                "/admin/login",
                &[("email", &email), ("password", "ein-langes-passwort"), ("token", &token)],
                &[],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "sign-in as {role:?}: {}", response.body);
        let cookie = response.header("set-cookie").split(';').next().unwrap().to_string();
        assert!(cookie.starts_with("nd_admin="));
        cookie
    }
}

/// The value of the first hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle).unwrap_or_else(|| panic!("no hidden {name} in page")) + needle.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Adds `count` confirmed newsletter readers (`leser{i}@example.org`) straight into the database
/// of `config`, in one transaction.
pub async fn add_newsletter_readers(config: &Config, count: usize) {
    let db = Db::connect(config).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 0..count {
        let id: i64 = sqlx::query_scalar("INSERT INTO subscribers (email, created_at) VALUES ($1, 1) RETURNING id")
            .bind(format!("leser{i}@example.org"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO subscriptions (subscriber_id, kind, status, created_at, confirmed_at, consent_text,
                consent_form, consent_ip_hash, consent_at) VALUES ($1, 'newsletter', 'active', 1, 1, 'ja', 'test', 'x', 1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    db.pool.close().await;
}
