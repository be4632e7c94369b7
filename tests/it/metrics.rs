//! `/metrics`: who may read it, what it counts (cache hits by their route too, unknown addresses
//! in one series), that Prometheus's own checker accepts it, and that a real Prometheus server
//! scrapes a running node.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use tower::ServiceExt as _;

use crate::common::{DemoServer, TestApp, skipped};

crate::backend_tests!(metrics_are_for_allowed_addresses_and_count_by_route);

/// `/metrics` asked from `ip`, with extra headers.
async fn scrape(t: &TestApp, ip: [u8; 4], headers: &[(&str, &str)]) -> (StatusCode, String, String) {
    let mut request = Request::builder().uri("/metrics");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
    let response = t.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The value of the sample `series` (name and labels as written), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn metrics_are_for_allowed_addresses_and_count_by_route(t: TestApp) {
    let article = t.publish("Messbare Meldung").await;
    // Rendered once, then sent from the cache: both counted under the article route.
    assert_eq!(t.get(&format!("/news/{}", article.slug)).await.status, 200);
    let second = t.get(&format!("/news/{}", article.slug)).await;
    assert_eq!(second.header("x-cache"), "hit");
    // An address no route takes (one segment would be a page's, `/{name}`).
    let unknown = "/nirgends/zu/finden-4711";
    assert_eq!(t.get(unknown).await.status, 404);

    // Only loopback by default; a reader's address, a proxied request and one without a known
    // sender are refused.
    assert_eq!(scrape(&t, [203, 0, 113, 5], &[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(scrape(&t, [127, 0, 0, 1], &[("x-forwarded-for", "203.0.113.5")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(t.get("/metrics").await.status, 403, "no peer address: refused");

    let (status, kind, text) = scrape(&t, [127, 0, 0, 1], &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let route = r#"newsdesk_http_requests_total{method="GET",route="/news/{slug}",status="200"}"#;
    // The recorder is the process's: other tests running at once count too.
    assert!(sample(&text, route).is_some_and(|n| n >= 2.0), "{route} in\n{text}");
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(!text.contains(unknown), "an unknown address is no label");
    assert!(text.contains(r#"newsdesk_http_request_duration_seconds_bucket{route="/news/{slug}",le="0.005"}"#));
    assert!(sample(&text, "newsdesk_page_cache_hits_total").is_some_and(|n| n >= 1.0));
    assert!(sample(&text, "newsdesk_page_cache_entries").is_some_and(|n| n >= 1.0));
    assert!(text.contains(r#"newsdesk_db_pool_connections{state="idle"}"#));
    assert!(text.contains(r#"newsdesk_queue_jobs{kind="#), "{text}");
    assert!(text.contains(r#"newsdesk_mail_outbox_messages{state="queued"}"#));
    assert!(text.contains("newsdesk_changes_lag_entries"));
    assert!(sample(&text, "process_resident_memory_bytes").is_some_and(|n| n > 1e6));

    // Prometheus's own checker: the format and its naming rules.
    if skipped("promtool (Debian's prometheus package)", which("promtool")) {
        return;
    }
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    check.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = check.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // An operator who lists no address turns it off; one who lists a network lets it in.
    let closed = TestApp::with_config(t.db_backend(), |c| c.server.metrics_allowed.clear()).await;
    assert_eq!(scrape(&closed, [127, 0, 0, 1], &[]).await.0, StatusCode::FORBIDDEN);
    let network = TestApp::with_config(t.db_backend(), |c| {
        c.server.metrics_allowed = vec!["10.1.0.0/16".parse().unwrap()];
    })
    .await;
    assert_eq!(scrape(&network, [10, 1, 2, 3], &[]).await.0, StatusCode::OK);
    assert_eq!(scrape(&network, [127, 0, 0, 1], &[]).await.0, StatusCode::FORBIDDEN);
}

fn which(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// A real Prometheus server (Debian's) scrapes a running node on loopback every second and
/// finds it up, with its request counts.
#[test]
fn a_prometheus_server_scrapes_a_running_node() {
    if skipped("prometheus (Debian's prometheus package)", which("prometheus")) {
        return;
    }
    let mut server = DemoServer::start();
    assert!(server.get("/").unwrap().starts_with("HTTP/1.1 200"));
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: newsdesk\n    \
             static_configs:\n      - targets: ['{}']\n",
            server.url().trim_start_matches("http://")
        ),
    )
    .unwrap();
    let mut prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let query = |expr: &str| -> Option<String> {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let encoded: String = form_urlencoded::byte_serialize(expr.as_bytes()).collect();
        write!(stream, "GET /api/v1/query?query={encoded} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        Some(response)
    };
    // Up, and its own request counter scraped: within 30 s at one scrape a second.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = None;
    let found = loop {
        let answer =
            query(r#"sum(newsdesk_http_requests_total{job="newsdesk",route="/"}) and on() up{job="newsdesk"} == 1"#);
        if answer.as_deref().is_some_and(|a| a.contains(r#""result":[{"#)) {
            break true;
        }
        last = answer;
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let targets = query("up");
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    server.stop();
    assert!(found, "Prometheus did not scrape the node: {last:?}\ntargets: {targets:?}");
}
