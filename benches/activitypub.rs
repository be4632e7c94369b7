//! The social web at scale, for BENCHMARKS.md:
//! `cargo bench --bench activitypub [-- FOLLOWERS HOSTS]`.
//!
//! Builds a site on SQLite in a temporary folder, starts HOSTS remote servers on loopback
//! (default 500, each its own port, so its own host to the per-host limit), each answering 202
//! to every POST, and stores FOLLOWERS followers (default 10,000) spread evenly over them.
//! Then, with the node's real background loops (the queue worker and the delivery lane):
//! - fan-out: publishes one article and measures the time until every host got it, once with
//!   shared inboxes (one delivery per host, as Mastodon servers have them) and once without
//!   (one delivery per follower), with the process's resident memory before and after; while
//!   it runs, a reader loop asks for the cached front page in-process and its rate is compared
//!   with the rate before;
//! - the inbox: signed Like activities from known actors, sent in-process to `/ap/inbox`,
//!   verified and counted per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use newsdesk::activitypub::signatures::{self, KeyPair};
use newsdesk::activitypub::{self as ap, Actor};
use newsdesk::app::App;
use newsdesk::articles::model::ArticleDraft;
use tower::ServiceExt as _;

fn main() -> anyhow::Result<()> {
    let mut numbers = std::env::args().skip(1).filter_map(|a| a.parse::<usize>().ok());
    let followers = numbers.next().unwrap_or(10_000);
    let hosts = numbers.next().unwrap_or(500);
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(followers, hosts))
}

/// Resident memory of this process now and at its peak, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn draft(title: &str) -> ArticleDraft {
    ArticleDraft {
        title: title.to_string(),
        lead: format!("Vorspann zu {title}."),
        body_md: format!("Text zu **{title}**.\n\nWeiterer Absatz."),
        tags: vec!["Hafen".into()],
        authors: vec!["Ada Lovelace".into()],
        status: Some("published".into()),
        ..Default::default()
    }
}

async fn run(followers: usize, hosts: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = newsdesk::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
    config.outgoing.allow_private_addresses = true;
    config.email.transport = newsdesk::config::MailTransport::Memory;
    let app = App::build(config).await?;
    let router = newsdesk::root::router(app.clone());

    // The remote hosts: each counts what it is sent.
    let received: Arc<Vec<AtomicU64>> = Arc::new((0..hosts).map(|_| AtomicU64::new(0)).collect());
    let mut ports = Vec::with_capacity(hosts);
    for i in 0..hosts {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        ports.push(listener.local_addr()?.port());
        let counts = received.clone();
        let remote = axum::Router::new().fallback(axum::routing::post(move || {
            let counts = counts.clone();
            async move {
                counts[i].fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::ACCEPTED
            }
        }));
        tokio::spawn(async move { axum::serve(listener, remote).await });
    }

    // The followers, with one key pair among them all (only the inbox benchmark signs).
    let (private, public) = KeyPair::generate()?;
    let keys = KeyPair::from_pem(&private, &public)?;
    let started = Instant::now();
    let now = app.now();
    let mut actors = Vec::with_capacity(followers);
    for n in 0..followers {
        let port = ports[n % hosts];
        let base = format!("http://127.0.0.1:{port}");
        let uri = format!("{base}/users/u{n}");
        let actor = Actor {
            id: 0,
            uri: uri.clone(),
            handle: format!("u{n}@127.0.0.1:{port}"),
            name: format!("Reader {n}"),
            url: None,
            inbox: format!("{uri}/inbox"),
            shared_inbox: Some(format!("{base}/inbox")),
            key_id: format!("{uri}#main-key"),
            public_pem: public.clone(),
            host: format!("127.0.0.1:{port}"),
            fetched_at: now,
        };
        let stored = ap::save_actor(&app.db, &actor).await?;
        ap::add_follower(&app.db, stored.id, &format!("{uri}/follow"), now).await?;
        actors.push(stored);
    }
    println!("{followers} followers on {hosts} hosts stored in {:.1} s", started.elapsed().as_secs_f64());

    let tasks = newsdesk::root::background(&app);
    let input = draft("Vorher").validate(app.language(), app.now()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    newsdesk::articles::queries::create(&app.db, &input, app.now()).await?;
    // The key pair and the first article's deliveries, before measuring.
    wait_for(&received, hosts as u64, Duration::from_secs(120)).await;
    reset(&received);

    // The cached front page's rate, alone and then beside the fan-out.
    let front = |router: axum::Router| async move {
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        assert!(response.status().is_success());
        axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    };
    front(router.clone()).await;
    let alone = rate_for(Duration::from_secs(3), || front(router.clone())).await;
    println!("cached front page, in-process, alone: {alone:.0} req/s");

    for shared in [true, false] {
        if !shared {
            sqlx::query("UPDATE activitypub_actors SET shared_inbox = NULL").execute(&app.db.pool).await?;
        }
        let expected = if shared { hosts as u64 } else { followers as u64 };
        let (rss_before, _) = memory();
        let stop = Arc::new(AtomicBool::new(false));
        let reads = Arc::new(AtomicU64::new(0));
        let reader = {
            let (stop, reads, router) = (stop.clone(), reads.clone(), router.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let request = Request::builder().uri("/").body(Body::empty()).unwrap();
                    let response = router.clone().oneshot(request).await.unwrap();
                    axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        let title = if shared { "Geteilte Postfächer" } else { "Jeder für sich" };
        let input = draft(title).validate(app.language(), app.now()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let started = Instant::now();
        newsdesk::articles::queries::create(&app.db, &input, app.now()).await?;
        let done = wait_for(&received, expected, Duration::from_secs(600)).await;
        let took = started.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        reader.await?;
        let during = reads.load(Ordering::Relaxed) as f64 / took;
        let (rss_after, peak) = memory();
        println!(
            "fan-out, {}: {done} of {expected} deliveries in {took:.2} s ({:.0}/s); resident {rss_before:.0} -> {rss_after:.0} MiB, peak {peak:.0} MiB; \
             cached front page during it: {during:.0} req/s ({:.2} of alone)",
            if shared { "shared inboxes" } else { "one inbox per follower" },
            done as f64 / took,
            during / alone,
        );
        reset(&received);
    }

    // The inbox: signed Likes from known actors, verified.
    let article = newsdesk::articles::queries::find_by_slug(&app.db, "vorher").await?.expect("the first article");
    let base = app.config().site.base_url.clone();
    let object = format!("{base}/news/{}", article.slug);
    let url = reqwest::Url::parse(&format!("{base}/ap/inbox"))?;
    let count = 2_000.min(followers);
    let mut requests = Vec::with_capacity(count);
    for (n, actor) in actors.iter().take(count).enumerate() {
        let body = serde_json::json!({
            "id": format!("{}/likes/{n}", actor.uri), "type": "Like", "actor": actor.uri, "object": object,
        })
        .to_string();
        let headers = signatures::sign_request(&keys, &actor.key_id, "POST", &url, Some(body.as_bytes()), app.now());
        requests.push((headers, body));
    }
    let started = Instant::now();
    let mut accepted = 0;
    for (headers, body) in requests {
        let mut request = Request::builder().method("POST").uri("/ap/inbox").header("host", url.authority());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request.header("content-type", "application/activity+json").body(Body::from(body))?;
        let response = router.clone().oneshot(request).await?;
        if response.status() == axum::http::StatusCode::ACCEPTED {
            accepted += 1;
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "inbox: {accepted} of {count} signed Likes verified and counted in {took:.2} s ({:.0}/s, one at a time)",
        accepted as f64 / took
    );
    tasks.stop().await;
    Ok(())
}

fn reset(received: &[AtomicU64]) {
    for count in received {
        count.store(0, Ordering::Relaxed);
    }
}

/// Waits until the hosts got `expected` deliveries in all (or the time is up); returns how many.
async fn wait_for(received: &[AtomicU64], expected: u64, limit: Duration) -> u64 {
    let started = Instant::now();
    loop {
        let total: u64 = received.iter().map(|c| c.load(Ordering::Relaxed)).sum();
        if total >= expected || started.elapsed() > limit {
            return total;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Requests per second of `request`, one after another, for `time`.
async fn rate_for<F: std::future::Future<Output = ()>>(time: Duration, request: impl Fn() -> F) -> f64 {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < time {
        request().await;
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}
