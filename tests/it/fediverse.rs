//! Federation with an ActivityPub implementation no one here wrote: a Fedify server on loopback
//! (`tests/fediverse/peer.mjs`, from the npm registry) looks the publication up, follows it
//! (Fedify signs; our inbox checks), gets the Accept and a published article (Fedify checks our
//! signatures against our actor's key), replies, and the reply shows after approval; then it
//! edits the reply, and the new text shows, marked as edited, once approved again.

use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use newsdesk::auth::users::Role;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::backend_tests;
use crate::common::TestApp;

backend_tests!(a_fedify_server_follows_gets_articles_and_replies);

const ARTICLE: &str = "/news/pflegeroboter-im-heim";

/// The Fedify server, talked to line by line.
struct Peer {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    base: String,
}

impl Peer {
    async fn start() -> Option<Peer> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fediverse");
        let present = dir.join("node_modules/@fedify/fedify").exists();
        if crate::common::skipped("Node and the Fedify peer's packages (npm ci in tests/fediverse)", present) {
            return None;
        }
        let mut child = tokio::process::Command::new("node")
            .arg("peer.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready: Value = serde_json::from_str(
            &tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the peer starts")
                .unwrap()
                .expect("a line"),
        )
        .unwrap();
        let base = ready["ready"].as_str().expect("ready").to_string();
        Some(Peer { _child: child, stdin, lines, base })
    }

    async fn send(&mut self, command: Value) {
        self.stdin.write_all(format!("{command}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Reads events until one `matches`, running our queue meanwhile (our deliveries go out
    /// through it); panics on an error event or after 30 s.
    async fn expect(&mut self, t: &TestApp, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            newsdesk::root::run_pending(&t.app).await.unwrap();
            let Ok(line) = tokio::time::timeout(Duration::from_millis(300), self.lines.next_line()).await else {
                continue;
            };
            let event: Value = serde_json::from_str(&line.unwrap().expect("the peer is running")).unwrap();
            assert!(event.get("error").is_none(), "the peer failed: {event}");
            if matches(&event) {
                return event;
            }
            seen.push(event);
        }
        panic!("the peer did not report what was expected; it reported {seen:?}");
    }
}

async fn a_fedify_server_follows_gets_articles_and_replies(t: TestApp) {
    let Some(mut peer) = Peer::start().await else { return };
    // The publication on a real port, at the address its documents name.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let t = TestApp::with_config(t.db_backend(), |c| c.site.base_url = base.clone()).await;
    let router = t.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    crate::comments::article(&t).await;

    // Fedify reads the actor and the article by content negotiation.
    peer.send(json!({ "cmd": "lookup", "url": format!("{base}/ap/actor") })).await;
    let found = peer.expect(&t, |e| e.get("found").is_some()).await;
    assert_eq!(found["found"], "Organization", "{found}");
    peer.send(json!({ "cmd": "lookup", "url": format!("{base}{ARTICLE}") })).await;
    let found = peer.expect(&t, |e| e.get("found").is_some()).await;
    assert_eq!((found["found"].as_str(), found["name"].as_str()), (Some("Article"), Some("Pflegeroboter im Heim")));

    // It follows; our Accept reaches it and passes its signature check.
    peer.send(json!({ "cmd": "follow", "actor": format!("{base}/ap/actor") })).await;
    peer.expect(&t, |e| e["sent"] == "follow").await;
    let followers: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM activitypub_followers").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(followers, 1);
    peer.expect(&t, |e| e["received"] == "Accept").await;

    // A published article reaches it.
    t.publish("Der Hafen wächst weiter").await;
    let created = peer.expect(&t, |e| e["received"] == "Create").await;
    assert_eq!(
        (created["type"].as_str(), created["name"].as_str()),
        (Some("Article"), Some("Der Hafen wächst weiter"))
    );

    // Its reply waits for moderation, then shows with its handle.
    let text = "Helfen die Roboter wirklich beim Heben der Bewohner?";
    peer.send(json!({ "cmd": "reply", "actor": format!("{base}/ap/actor"), "inReplyTo": format!("{base}{ARTICLE}"), "text": text })).await;
    let replied = peer.expect(&t, |e| e["sent"] == "reply").await;
    let (id, status, handle): (i64, String, String) =
        sqlx::query_as("SELECT id, status, remote_author FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(status, "pending");
    let host = peer.base.trim_start_matches("http://").to_string();
    assert_eq!(handle, format!("alice@{host}"));
    assert!(!t.get(ARTICLE).await.body.contains(text));
    let moderator = t.sign_in(Role::Moderator).await;
    let moderated = crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    assert!(moderated.status == StatusCode::OK || moderated.status == StatusCode::SEE_OTHER);
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains(text), "the reply shows once approved");
    assert!(page.body.contains(&format!("@alice@{host}")) && page.body.contains("Alice Fedify"));
    assert!(!page.body.contains("class=\"comment-edited\""));

    // It edits the reply (an Update of the note): the new text waits for moderation again,
    // then shows in place of the old, marked as edited.
    let edited = "Und wer bezahlt die Roboter am Ende?";
    peer.send(json!({ "cmd": "edit", "actor": format!("{base}/ap/actor"), "id": replied["id"], "inReplyTo": format!("{base}{ARTICLE}"), "text": edited })).await;
    peer.expect(&t, |e| e["sent"] == "edit").await;
    let (status, body): (String, String) = sqlx::query_as("SELECT status, body FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!((status.as_str(), body.as_str()), ("pending", edited));
    assert!(!t.get(ARTICLE).await.body.contains(text), "held again");
    crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains(edited) && !page.body.contains(text), "the new text in place of the old");
    assert!(page.body.contains("class=\"comment-edited\""), "marked as edited");
}
