//! The publication on the social web: found by WebFinger, followed by an actor of a "remote
//! server" on loopback (an axum app with its own key pair), which receives every article's
//! activity signed by the publication's key, replies, likes and unfollows; and requests that
//! are unsigned, forged, stale, oversized, malformed or blocked change nothing.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use newsdesk::activitypub::signatures::{self, KeyPair, PublicKey, SignatureHeader};
use newsdesk::articles::model::Status;
use newsdesk::auth::users::Role;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::common::{TestApp, hidden};

backend_tests!(
    followers_get_articles_and_their_replies_become_comments,
    unsigned_forged_stale_oversized_and_blocked_requests_change_nothing,
    a_dead_host_holds_up_no_one_and_is_given_up_after_a_day,
);

const ARTICLE: &str = "/news/pflegeroboter-im-heim";

/// A POST the remote server received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A remote server on loopback with one or more actors (`/users/{name}`), each with its own
/// key pair, and a shared inbox that records what it is sent.
struct Remote {
    base: String,
    keys: KeyPair,
    got: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Remote {
    async fn start() -> Remote {
        let (private, public) = KeyPair::generate().unwrap();
        let keys = KeyPair::from_pem(&private, &public).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let record = got.clone();
        let inbox = move |uri: axum::http::Uri, headers: HeaderMap, body: String| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push(Received { path: uri.path().to_string(), headers, body });
                StatusCode::ACCEPTED
            }
        };
        let actor_base = base.clone();
        let app = axum::Router::new()
            .route(
                "/users/{name}",
                axum::routing::get(move |axum::extract::Path(name): axum::extract::Path<String>| {
                    let (base, public) = (actor_base.clone(), public.clone());
                    async move {
                        let id = format!("{base}/users/{name}");
                        let doc = json!({
                            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                            "id": id, "type": "Person", "preferredUsername": name,
                            "name": format!("{}{} Remote", name[..1].to_uppercase(), &name[1..]),
                            "inbox": format!("{id}/inbox"),
                            "endpoints": { "sharedInbox": format!("{base}/inbox") },
                            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public },
                        });
                        ([("content-type", "application/activity+json")], doc.to_string())
                    }
                }),
            )
            .route("/inbox", axum::routing::post(inbox.clone()))
            .route("/users/{name}/inbox", axum::routing::post(inbox));
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Remote { base, keys, got, server }
    }

    fn actor(&self, name: &str) -> String {
        format!("{}/users/{name}", self.base)
    }

    fn host(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Sends an activity to the publication's inbox, signed by `name`'s key at `at`.
    async fn send(&self, t: &TestApp, name: &str, activity: &Value) -> crate::common::TestResponse {
        self.send_raw(t, name, activity.to_string().as_bytes(), activity.to_string().as_bytes(), t.app.now()).await
    }

    /// Sends `body` with a signature computed over `signed_body` at `at`.
    async fn send_raw(
        &self,
        t: &TestApp,
        name: &str,
        signed_body: &[u8],
        body: &[u8],
        at: i64,
    ) -> crate::common::TestResponse {
        let url = reqwest::Url::parse("http://127.0.0.1:8080/ap/inbox").unwrap();
        let key_id = format!("{}#main-key", self.actor(name));
        let headers = signatures::sign_request(&self.keys, &key_id, "POST", &url, Some(signed_body), at);
        let mut extra: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        extra.push(("content-type", "application/activity+json"));
        t.post_raw("/ap/inbox", body.to_vec(), &extra, [203, 0, 113, 9]).await
    }
}

async fn run_queue(t: &TestApp) {
    newsdesk::root::run_pending(&t.app).await.unwrap();
}

fn base(t: &TestApp) -> String {
    t.app.config().site.base_url.clone()
}

/// Checks that a delivery was signed by the publication's key, as a receiver would.
fn signed_by_us(received: &Received, our_key: &PublicKey) {
    let header = |name: &str| received.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let signature = SignatureHeader::parse(&header("signature").expect("a signature")).unwrap();
    signature.covers_post().unwrap();
    assert!(signature.key_id.ends_with("/ap/actor#main-key"), "{}", signature.key_id);
    assert!(signatures::digest_matches(&header("digest").unwrap(), received.body.as_bytes()));
    let signed = signatures::signing_string("post", &received.path, &signature.headers, header).unwrap();
    our_key.verify(&signed, &signature.signature).expect("signed by the publication's key");
}

async fn followers(t: &TestApp) -> i64 {
    let got = t.get_with("/ap/followers", &[("accept", "application/activity+json")]).await;
    assert_eq!(got.status, StatusCode::OK);
    serde_json::from_str::<Value>(&got.body).unwrap()["totalItems"].as_i64().unwrap()
}

async fn article_object(t: &TestApp, path: &str) -> Value {
    let got = t.get_with(path, &[("accept", "application/activity+json")]).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert!(got.header("content-type").starts_with("application/activity+json"));
    serde_json::from_str(&got.body).unwrap()
}

async fn follow(t: &TestApp, remote: &Remote, name: &str) {
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/follows/{name}", remote.base),
        "type": "Follow",
        "actor": remote.actor(name),
        "object": format!("{}/ap/actor", base(t)),
    });
    let answer = remote.send(t, name, &follow).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
}

async fn followers_get_articles_and_their_replies_become_comments(t: TestApp) {
    let remote = Remote::start().await;
    let base = base(&t);

    // Found as @news@host, with its key in the actor document.
    let finger = t.get("/.well-known/webfinger?resource=acct:news@127.0.0.1:8080").await;
    assert_eq!(finger.status, StatusCode::OK, "{}", finger.body);
    let finger: Value = serde_json::from_str(&finger.body).unwrap();
    assert_eq!(finger["links"][0]["href"], format!("{base}/ap/actor"));
    assert_eq!(t.get("/.well-known/webfinger?resource=acct:other@127.0.0.1:8080").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/.well-known/webfinger").await.status, StatusCode::BAD_REQUEST);
    let links: Value = serde_json::from_str(&t.get("/.well-known/nodeinfo").await.body).unwrap();
    assert!(links["links"][0]["href"].as_str().unwrap().ends_with("/nodeinfo/2.1"));
    let info: Value = serde_json::from_str(&t.get("/nodeinfo/2.1").await.body).unwrap();
    assert_eq!(info["protocols"][0], "activitypub");
    let actor = t.get_with("/ap/actor", &[("accept", "application/activity+json")]).await;
    let actor: Value = serde_json::from_str(&actor.body).unwrap();
    assert_eq!(actor["inbox"], format!("{base}/ap/inbox"));
    assert_eq!(actor["preferredUsername"], "news");
    let our_key = PublicKey::from_pem(actor["publicKey"]["publicKeyPem"].as_str().unwrap()).unwrap();

    // An article: the page for browsers, the object for the social web.
    crate::comments::article(&t).await;
    run_queue(&t).await;
    let page = t.get(ARTICLE).await;
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.header("vary").contains("Accept"), "{:?}", page.headers);
    let object = article_object(&t, ARTICLE).await;
    assert_eq!(object["type"], "Article");
    assert_eq!(object["name"], "Pflegeroboter im Heim");
    assert_eq!(object["id"], format!("{base}{ARTICLE}"));
    // Still the page for a browser after the object was cached.
    assert!(t.get(ARTICLE).await.header("content-type").starts_with("text/html"));
    let outbox: Value = serde_json::from_str(&t.get("/ap/outbox").await.body).unwrap();
    assert_eq!(outbox["orderedItems"][0]["type"], "Create");
    assert_eq!(outbox["orderedItems"][0]["object"]["name"], "Pflegeroboter im Heim");

    // Followed: the follower gets an Accept, signed.
    follow(&t, &remote, "alice").await;
    assert_eq!(followers(&t).await, 1);
    run_queue(&t).await;
    let got = remote.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].json()["type"], "Accept");
    assert_eq!(got[0].json()["object"]["type"], "Follow");
    signed_by_us(&got[0], &our_key);

    // Published, updated, taken back: Create, Update, Delete, each signed.
    let article = t.publish("Der Hafen wächst weiter").await;
    run_queue(&t).await;
    let mut input = article.to_input();
    input.lead = "Berichtigter Vorspann.".into();
    let article =
        newsdesk::articles::queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    run_queue(&t).await;
    let mut input = article.to_input();
    input.status = Status::Unpublished;
    newsdesk::articles::queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    run_queue(&t).await;
    let got = remote.received();
    let kinds: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["Accept", "Create", "Update", "Delete"]);
    for r in &got {
        signed_by_us(r, &our_key);
    }
    assert_eq!(got[0].path, "/users/alice/inbox", "the Accept goes to the follower's own inbox");
    assert!(got[1..].iter().all(|r| r.path == "/inbox"), "articles go to the shared inbox");
    let created = got[1].json();
    assert_eq!(created["object"]["type"], "Article");
    assert_eq!(created["object"]["name"], "Der Hafen wächst weiter");
    assert_eq!(got[2].json()["object"]["summary"], "Berichtigter Vorspann.");
    assert_eq!(got[3].json()["object"]["type"], "Tombstone");
    assert_eq!(got[3].json()["object"]["id"], created["object"]["id"]);

    // A reply becomes a comment that waits for moderation, then shows with its handle.
    let note_id = format!("{}/notes/1", remote.base);
    let reply = json!({
        "id": format!("{note_id}/activity"), "type": "Create", "actor": remote.actor("alice"),
        "object": {
            "id": note_id, "type": "Note", "attributedTo": remote.actor("alice"),
            "inReplyTo": format!("{base}{ARTICLE}"),
            "content": "<p><span class=\"h-card\"><a href=\"http://x/@news\" class=\"u-url mention\">@<span>news</span></a></span> Helfen die Roboter beim Heben der Bewohner wirklich?</p>",
        },
    });
    assert_eq!(remote.send(&t, "alice", &reply).await.status, StatusCode::ACCEPTED);
    assert_eq!(remote.send(&t, "alice", &reply).await.status, StatusCode::ACCEPTED, "delivered twice");
    let stored: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, status, body, remote_author FROM comments").fetch_all(&t.app.db.pool).await.unwrap();
    assert_eq!(stored.len(), 1, "one comment, though delivered twice: {stored:?}");
    let (id, status, body, handle) = stored[0].clone();
    assert_eq!(status, "pending");
    assert_eq!(body, "Helfen die Roboter beim Heben der Bewohner wirklich?");
    assert_eq!(handle, format!("alice@{}", remote.host()));
    assert!(!t.get(ARTICLE).await.body.contains("Bewohner wirklich"), "not before approval");
    let moderator = t.sign_in(Role::Moderator).await;
    let queue = t.get_as("/admin/comments", &moderator).await;
    assert!(queue.body.contains(&format!("@alice@{}", remote.host())), "the queue names the account");
    crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains("Bewohner wirklich"), "shown once approved");
    assert!(page.body.contains(&format!("@alice@{}", remote.host())), "with its handle");
    assert!(page.body.contains("Alice Remote"));
    assert!(!page.body.contains("comment-edited"), "not edited yet");

    // Its author edits the note: the new text waits for moderation again, and neither text
    // shows until a moderator approves it. Someone else's Update of it changes nothing.
    let edited = |text: &str| json!({ "id": note_id, "type": "Note", "inReplyTo": format!("{base}{ARTICLE}"), "content": format!("<p>@news {text}</p>") });
    let forged = json!({ "id": format!("{}/updates/1", remote.base), "type": "Update", "actor": remote.actor("mallory"), "object": edited("Gefälscht") });
    assert_eq!(remote.send(&t, "mallory", &forged).await.status, StatusCode::ACCEPTED);
    let mut by_alice = edited("Und wer bezahlt die Roboter?");
    by_alice["attributedTo"] = json!(remote.actor("alice"));
    let update = json!({ "id": format!("{note_id}#updates/1"), "type": "Update", "actor": remote.actor("alice"), "object": by_alice });
    let mut claimed = update.clone();
    claimed["id"] = json!(format!("{}/updates/2", remote.base));
    claimed["actor"] = json!(remote.actor("mallory"));
    assert_eq!(remote.send(&t, "mallory", &claimed).await.status, StatusCode::UNAUTHORIZED, "attributed to alice");
    let text_of = |id: i64| {
        sqlx::query_as::<_, (String, String)>("SELECT status, body FROM comments WHERE id = $1")
            .bind(id)
            .fetch_one(&t.app.db.pool)
    };
    assert_eq!(text_of(id).await.unwrap().1, "Helfen die Roboter beim Heben der Bewohner wirklich?");
    assert_eq!(remote.send(&t, "alice", &update).await.status, StatusCode::ACCEPTED);
    assert_eq!(text_of(id).await.unwrap(), ("pending".to_string(), "Und wer bezahlt die Roboter?".to_string()));
    run_queue(&t).await;
    let page = t.get(ARTICLE).await;
    assert!(!page.body.contains("Bewohner wirklich") && !page.body.contains("bezahlt die Roboter"), "held again");
    let queue = t.get_as("/admin/comments", &moderator).await;
    assert!(queue.body.contains("wer bezahlt"), "in the queue");
    assert!(queue.body.contains("class=\"comment-edited\""), "the queue says it was edited");
    crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    run_queue(&t).await;
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains("Und wer bezahlt die Roboter?"));
    assert!(page.body.contains("class=\"comment-edited\""), "marked as edited");
    let edited_at: Option<i64> = sqlx::query_scalar("SELECT edited_at FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    let now = t.app.now();
    assert!(edited_at.is_some_and(|at| now - 60 < at && at <= now), "when it was edited: {edited_at:?}");

    // A new name on the account's profile is taken; its handle stays.
    let profile = json!({
        "id": remote.actor("alice"), "type": "Person", "preferredUsername": "alice", "name": "Alice Neu",
        "inbox": format!("{}/inbox", remote.actor("alice")),
        "publicKey": { "id": format!("{}#main-key", remote.actor("alice")), "owner": remote.actor("alice"), "publicKeyPem": remote.keys.public_pem },
    });
    let renamed = json!({ "id": format!("{}#updates/profile", remote.actor("alice")), "type": "Update", "actor": remote.actor("alice"), "object": profile });
    assert_eq!(remote.send(&t, "alice", &renamed).await.status, StatusCode::ACCEPTED);
    let (name, handle): (String, String) = sqlx::query_as("SELECT name, handle FROM activitypub_actors WHERE uri = $1")
        .bind(remote.actor("alice"))
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!((name.as_str(), handle), ("Alice Neu", format!("alice@{}", remote.host())));

    // Likes and boosts are counted, not comments; an Undo takes one back.
    let like = json!({ "id": format!("{}/likes/1", remote.base), "type": "Like", "actor": remote.actor("alice"), "object": format!("{base}{ARTICLE}") });
    let boost = json!({ "id": format!("{}/boosts/1", remote.base), "type": "Announce", "actor": remote.actor("alice"), "object": format!("{base}{ARTICLE}") });
    assert_eq!(remote.send(&t, "alice", &like).await.status, StatusCode::ACCEPTED);
    assert_eq!(remote.send(&t, "alice", &like).await.status, StatusCode::ACCEPTED);
    assert_eq!(remote.send(&t, "alice", &boost).await.status, StatusCode::ACCEPTED);
    run_queue(&t).await;
    let object = article_object(&t, ARTICLE).await;
    assert_eq!((object["likes"]["totalItems"].as_i64(), object["shares"]["totalItems"].as_i64()), (Some(1), Some(1)));
    let undo = json!({ "id": format!("{}/undo/1", remote.base), "type": "Undo", "actor": remote.actor("alice"), "object": like });
    assert_eq!(remote.send(&t, "alice", &undo).await.status, StatusCode::ACCEPTED);
    run_queue(&t).await;
    let object = article_object(&t, ARTICLE).await;
    assert_eq!(object["likes"]["totalItems"].as_i64(), Some(0));
    let admin = t.sign_in(Role::Admin).await;
    let social = t.get_as("/admin/social", &admin).await;
    assert_eq!(social.status, StatusCode::OK);
    assert!(social.body.contains(&format!("@alice@{}", remote.host())) && social.body.contains("Pflegeroboter"));

    // Its author deletes the note: the comment goes.
    let delete = json!({ "id": format!("{note_id}#delete"), "type": "Delete", "actor": remote.actor("alice"), "object": { "id": note_id, "type": "Tombstone" } });
    assert_eq!(remote.send(&t, "alice", &delete).await.status, StatusCode::ACCEPTED);
    run_queue(&t).await;
    assert!(!t.get(ARTICLE).await.body.contains("Bewohner wirklich"), "gone from the page");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(left, 0);

    // Unfollowed: the next article goes to no one.
    let undo_follow = json!({
        "id": format!("{}/undo/2", remote.base), "type": "Undo", "actor": remote.actor("alice"),
        "object": { "id": format!("{}/follows/alice", remote.base), "type": "Follow", "actor": remote.actor("alice"), "object": format!("{base}/ap/actor") },
    });
    assert_eq!(remote.send(&t, "alice", &undo_follow).await.status, StatusCode::ACCEPTED);
    assert_eq!(followers(&t).await, 0);
    let before = remote.received().len();
    t.publish("Niemand folgt mehr").await;
    run_queue(&t).await;
    assert_eq!(remote.received().len(), before);
}

async fn unsigned_forged_stale_oversized_and_blocked_requests_change_nothing(t: TestApp) {
    let remote = Remote::start().await;
    let base = base(&t);
    crate::comments::article(&t).await;
    let follow = json!({
        "id": format!("{}/follows/1", remote.base), "type": "Follow",
        "actor": remote.actor("alice"), "object": format!("{base}/ap/actor"),
    });
    let body = follow.to_string();

    // Unsigned.
    let unsigned = t
        .post_raw(
            "/ap/inbox",
            body.clone().into_bytes(),
            &[("content-type", "application/activity+json")],
            [203, 0, 113, 9],
        )
        .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED, "{}", unsigned.body);
    // Signed by another key than the actor's.
    let mut forged = Remote::start().await;
    forged.base = remote.base.clone();
    assert_eq!(forged.send(&t, "alice", &follow).await.status, StatusCode::UNAUTHORIZED);
    // Signed an hour and more ago: a replay.
    let stale = remote.send_raw(&t, "alice", body.as_bytes(), body.as_bytes(), t.app.now() - 7200).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "{}", stale.body);
    // A body other than the one signed.
    let swapped = body.replace("follows/1", "follows/2");
    let changed = remote.send_raw(&t, "alice", body.as_bytes(), swapped.as_bytes(), t.app.now()).await;
    assert_eq!(changed.status, StatusCode::UNAUTHORIZED);
    // Signed by alice, in bob's name.
    let mut as_bob = follow.clone();
    as_bob["actor"] = json!(remote.actor("bob"));
    assert_eq!(remote.send(&t, "alice", &as_bob).await.status, StatusCode::UNAUTHORIZED);
    // Not JSON, or not an activity.
    let garbage = b"{not json";
    assert_eq!(remote.send_raw(&t, "alice", garbage, garbage, t.app.now()).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(remote.send(&t, "alice", &json!({ "type": "Follow" })).await.status, StatusCode::BAD_REQUEST);
    // Too large.
    let huge =
        json!({ "type": "Create", "actor": remote.actor("alice"), "object": "x".repeat(300 * 1024) }).to_string();
    let too_big = remote.send_raw(&t, "alice", huge.as_bytes(), huge.as_bytes(), t.app.now()).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Following someone else than the publication.
    let mut elsewhere = follow.clone();
    elsewhere["object"] = json!(format!("{base}/ap/someone"));
    assert_eq!(remote.send(&t, "alice", &elsewhere).await.status, StatusCode::BAD_REQUEST);
    // A note that claims another author.
    let note = json!({
        "id": format!("{}/notes/9/activity", remote.base), "type": "Create", "actor": remote.actor("alice"),
        "object": { "id": format!("{}/notes/9", remote.base), "type": "Note", "attributedTo": remote.actor("bob"),
                    "inReplyTo": format!("{base}{ARTICLE}"), "content": "<p>Nicht von mir</p>" },
    });
    assert_eq!(remote.send(&t, "alice", &note).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(followers(&t).await, 0, "nothing was followed");

    // A blocked server is refused, and its follower is dropped.
    follow_and_block(&t, &remote, &follow).await;
    let comments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(comments, 0);
}

async fn follow_and_block(t: &TestApp, remote: &Remote, follow: &Value) {
    assert_eq!(remote.send(t, "alice", follow).await.status, StatusCode::ACCEPTED);
    assert_eq!(followers(t).await, 1);
    let admin = t.sign_in(Role::Admin).await;
    let page = t.get_as("/admin/social", &admin).await;
    let csrf = hidden(&page.body, "csrf");
    let bad =
        t.post_form("/admin/social/blocks", &[("csrf", &csrf), ("target", "kein host")], &[("cookie", &admin)]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // A server is blocked on every port.
    let blocked =
        t.post_form("/admin/social/blocks", &[("csrf", &csrf), ("target", "127.0.0.1")], &[("cookie", &admin)]).await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER, "{}", blocked.body);
    assert_eq!(followers(t).await, 0, "the blocked server's follower is dropped");
    assert_eq!(remote.send(t, "alice", follow).await.status, StatusCode::FORBIDDEN);
    assert_eq!(followers(t).await, 0);
    let page = t.get_as("/admin/social", &admin).await;
    assert!(page.body.contains("<code>127.0.0.1</code>"), "the block is listed");
}

async fn a_dead_host_holds_up_no_one_and_is_given_up_after_a_day(t: TestApp) {
    let alive = Remote::start().await;
    let dying = Remote::start().await;
    follow(&t, &alive, "alice").await;
    follow(&t, &dying, "bob").await;
    run_queue(&t).await;
    assert_eq!(alive.received().len(), 1, "alice's Accept");
    assert_eq!(dying.received().len(), 1, "bob's Accept");
    dying.server.abort();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    t.publish("Ein Server ist weg").await;
    run_queue(&t).await;
    assert_eq!(alive.received().len(), 2, "alice got the article though bob's server is down");
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM queue WHERE kind = 'activitypub.deliver' AND done_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 1, "bob's delivery waits for its retry");

    // A day of failures later, the host is given up: the delivery is dropped and the next
    // article is not even queued for it.
    for _ in 0..6 {
        t.app.clock.advance(6 * 3600);
        run_queue(&t).await;
    }
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM queue WHERE kind = 'activitypub.deliver' AND done_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 0);
    t.publish("Noch ein Artikel").await;
    run_queue(&t).await;
    // In the order queued: PostgreSQL returns updated rows in no set order otherwise.
    let queued: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM queue WHERE kind = 'activitypub.deliver' ORDER BY id")
            .fetch_all(&t.app.db.pool)
            .await
            .unwrap();
    let last = queued.last().unwrap();
    assert!(last.contains(&alive.base), "{last}");
    assert!(
        !queued.iter().any(|p| p.contains(&dying.base) && p.contains("Noch ein Artikel")),
        "no delivery to the dead host"
    );
    assert_eq!(alive.received().len(), 3);
}
