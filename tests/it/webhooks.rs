//! Webhooks: registered by an admin, told of articles, comments and subscriptions by signed
//! POSTs to a receiver on loopback, retried through the queue, and refused when they point
//! inside the network.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use newsdesk::articles::model::Status;
use newsdesk::auth::users::Role;
use serde_json::Value;

use crate::backend_tests;
use crate::common::{TestApp, hidden};

backend_tests!(
    a_hook_hears_of_articles_comments_and_subscribers,
    a_failing_receiver_is_retried_and_its_answers_are_listed,
    addresses_inside_the_network_and_bad_forms_are_refused,
    a_rolled_secret_signs_beside_the_new_one_for_a_day,
    a_hook_is_moved_to_another_address_and_keeps_its_secret,
    an_admin_sends_a_delivery_again,
);

/// What the receiver got: the event header, the signature header and the body.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A webhook receiver on loopback that records every POST and answers with the next status
/// of `answers` (200 once they run out).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answers = Arc::new(Mutex::new(answers.to_vec()));
        let record = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let record = record.clone();
                let answers = answers.clone();
                async move {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    record.lock().unwrap().push(Received {
                        event: header("newsdesk-event"),
                        delivery: header("newsdesk-delivery"),
                        signature: header("newsdesk-signature"),
                        body,
                    });
                    let mut answers = answers.lock().unwrap();
                    let status = if answers.is_empty() { 200 } else { answers.remove(0) };
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got, _server: server }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Checks a delivery's signature as a receiver would: HMAC-SHA256 of `{t}.{body}`, any of the
/// `v1=` values (after a roll there are two).
fn signed_by(received: &Received, secret: &str, now: i64) -> bool {
    let mut parts = received.signature.split(',');
    let Some(time) = parts.next().and_then(|t| t.strip_prefix("t=")).and_then(|t| t.parse::<i64>().ok()) else {
        return false;
    };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let signed = format!("{time}.{}", received.body);
    (now - time).abs() <= 300
        && parts.filter_map(|p| p.strip_prefix("v1=")).any(|mac| {
            (0..mac.len())
                .step_by(2)
                .map(|i| mac.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .is_some_and(|mac| ring::hmac::verify(&key, signed.as_bytes(), &mac).is_ok())
        })
}

/// The number of signatures a delivery carries.
fn signatures(received: &Received) -> usize {
    received.signature.split(',').filter(|p| p.starts_with("v1=")).count()
}

/// Registers a hook as the admin of `cookie`; returns (its page's path, its secret).
async fn register(t: &TestApp, cookie: &str, url: &str, events: &[&str]) -> (String, String) {
    let page = t.get_as("/admin/integrations", cookie).await;
    let csrf = hidden(&page.body, "csrf");
    let mut form = vec![("csrf", csrf.as_str()), ("url", url)];
    form.extend(events.iter().map(|e| ("events", *e)));
    let made = t.post_form("/admin/integrations/webhooks", &form, &[("cookie", cookie)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = made.header("location").split('?').next().unwrap().to_string();
    let page = t.get_as(&path, cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("<code>ndwh_").expect("the secret is shown") + "<code>".len();
    let secret = page.body[start..start + page.body[start..].find('<').unwrap()].to_string();
    (path, secret)
}

/// Checks each received body against the schema `/api/v1/openapi.json` gives its event, with
/// the `jsonschema` package (installed with `openapi-spec-validator`, PyPI).
fn matches_the_document(received: &[Received]) {
    let present = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if crate::common::skipped("jsonschema (pip install openapi-spec-validator)", present) {
        return;
    }
    let doc: Value = serde_json::from_str(newsdesk::api::OPENAPI).unwrap();
    let events: Vec<&str> = received.iter().map(|r| r.event.as_str()).collect();
    for event in newsdesk::webhooks::Event::CHOSEN.into_iter().chain([newsdesk::webhooks::Event::Ping]) {
        assert!(doc["webhooks"][event.name()]["post"].is_object(), "{} is documented", event.name());
        assert!(events.contains(&event.name()), "the test received {}", event.name());
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.json"), newsdesk::api::OPENAPI).unwrap();
    let bodies: Vec<Value> = received.iter().map(|r| serde_json::json!([r.event, r.json()])).collect();
    std::fs::write(dir.path().join("bodies.json"), Value::Array(bodies).to_string()).unwrap();
    let script = "import json, sys, jsonschema\n\
        doc = json.load(open(sys.argv[1]))\n\
        for event, body in json.load(open(sys.argv[2])):\n\
        \x20   ref = doc['webhooks'][event]['post']['requestBody']['content']['application/json']['schema']['$ref']\n\
        \x20   schema = {'$ref': ref, 'components': doc['components']}\n\
        \x20   jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker())\n\
        print('valid')";
    let checked = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(dir.path().join("openapi.json"))
        .arg(dir.path().join("bodies.json"))
        .output()
        .unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
}

async fn run_queue(t: &TestApp) {
    newsdesk::root::run_pending(&t.app).await.unwrap();
}

async fn a_hook_hears_of_articles_comments_and_subscribers(t: TestApp) {
    // With mail kept in memory, to confirm a subscription.
    let t = crate::email::app(t.db_backend()).await;
    let receiver = Receiver::start(&[]).await;
    let all =
        ["article.published", "article.updated", "article.unpublished", "comment.approved", "subscriber.confirmed"];
    let cookie = t.sign_in(Role::Admin).await;
    let (path, secret) = register(&t, &cookie, &receiver.url, &all).await;

    // Published, updated, taken back: one event each, signed, with the article.
    crate::comments::article(&t).await;
    run_queue(&t).await;
    let article = newsdesk::articles::queries::find_by_slug(&t.app.db, "pflegeroboter-im-heim").await.unwrap().unwrap();
    let mut input = article.to_input();
    input.lead = "Berichtigter Vorspann.".into();
    let article =
        newsdesk::articles::queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    run_queue(&t).await;
    let mut input = article.to_input();
    input.status = Status::Unpublished;
    let article =
        newsdesk::articles::queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    run_queue(&t).await;
    let got = receiver.received();
    let events: Vec<&str> = got.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(events, ["article.published", "article.updated", "article.unpublished"]);
    for r in &got {
        assert!(signed_by(r, &secret, t.app.now()), "signature of {r:?}");
        assert!(!signed_by(r, "ndwh_other", t.app.now()), "another secret does not verify");
        let body = r.json();
        assert_eq!(body["event"], r.event);
        assert_eq!(body["id"], r.delivery);
        assert_eq!(body["data"]["article"]["slug"], "pflegeroboter-im-heim");
    }
    assert_eq!(got[1].json()["data"]["article"]["lead"], "Berichtigter Vorspann.");
    assert_eq!(got[0].json()["data"]["article"]["tags"][0]["slug"], "ki", "the Content API's article");
    assert_ne!(got[0].delivery, got[1].delivery);

    // A draft's saves tell no one.
    let mut input = article.to_input();
    input.status = Status::Draft;
    newsdesk::articles::queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    run_queue(&t).await;
    assert_eq!(receiver.received().len(), 3);

    // A comment is news once approved, not when it is posted.
    let article = newsdesk::articles::queries::find_by_slug(&t.app.db, "pflegeroboter-im-heim").await.unwrap().unwrap();
    newsdesk::articles::queries::publish(&t.app.db, &article.slug, t.app.now()).await.unwrap();
    run_queue(&t).await;
    let sent = crate::comments::post_comment(&t, "Anna", "Helfen die Roboter den Pflegekräften beim Heben?").await;
    assert_eq!(sent.status, StatusCode::OK);
    run_queue(&t).await;
    assert_eq!(receiver.received().last().unwrap().event, "article.published");
    let moderator = t.sign_in(Role::Moderator).await;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM comments WHERE status = 'pending'").fetch_one(&t.app.db.pool).await.unwrap();
    crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    run_queue(&t).await;
    let approved = receiver.received().last().unwrap().clone();
    assert_eq!(approved.event, "comment.approved");
    let body = approved.json();
    assert_eq!(body["data"]["comment"]["id"], id);
    assert_eq!(body["data"]["comment"]["author"], "Anna");
    assert_eq!(body["data"]["article"]["slug"], "pflegeroboter-im-heim");
    assert!(body["data"]["comment"]["url"].as_str().unwrap().ends_with(&format!("#comment-{id}")));
    // Approving it again is no news.
    crate::comments::moderate(&t, &moderator, &[("one", &format!("approve:{id}"))]).await;
    run_queue(&t).await;
    assert_eq!(receiver.received().iter().filter(|r| r.event == "comment.approved").count(), 1);

    // A confirmed subscription; the signup alone is not one.
    crate::email::subscribe(&t, "leserin@example.org").await;
    run_queue(&t).await;
    let confirmed = receiver.received().last().unwrap().clone();
    assert_eq!(confirmed.event, "subscriber.confirmed");
    assert_eq!(confirmed.json()["data"]["subscription"]["email"], "leserin@example.org");
    assert_eq!(confirmed.json()["data"]["subscription"]["kind"], "newsletter");
    assert_eq!(receiver.received().iter().filter(|r| r.event == "subscriber.confirmed").count(), 1);

    // The hook's page lists the deliveries with their answers; a test event on request.
    let page = t.get_as(&path, &cookie).await;
    assert!(page.body.contains("comment.approved") && page.body.contains("<td>200</td>"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let pinged = t.post_form(&format!("{path}/ping"), &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(pinged.status, StatusCode::SEE_OTHER);
    run_queue(&t).await;
    assert_eq!(receiver.received().last().unwrap().event, "ping");

    // Every body is what the API's document says of its event.
    matches_the_document(&receiver.received());

    // Editors do not reach hooks; once removed, a hook hears nothing more.
    let editor = t.sign_in(Role::Editor).await;
    assert_eq!(t.get_as(&path, &editor).await.status, StatusCode::FORBIDDEN);
    let before = receiver.received().len();
    let removed =
        t.post_form(&format!("{path}/delete"), &[("csrf", &csrf), ("confirm", "yes")], &[("cookie", &cookie)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get_as(&path, &cookie).await.status, StatusCode::NOT_FOUND);
    t.publish("Noch eine Meldung").await;
    run_queue(&t).await;
    assert_eq!(receiver.received().len(), before);
}

async fn a_failing_receiver_is_retried_and_its_answers_are_listed(t: TestApp) {
    let receiver = Receiver::start(&[500, 503]).await;
    let cookie = t.sign_in(Role::Admin).await;
    let (path, secret) = register(&t, &cookie, &receiver.url, &["article.published"]).await;
    t.publish("Roboter lernen greifen").await;
    run_queue(&t).await;
    assert_eq!(receiver.received().len(), 1, "tried once");
    // Not again before its backoff.
    run_queue(&t).await;
    assert_eq!(receiver.received().len(), 1);
    t.app.clock.advance(31);
    run_queue(&t).await;
    t.app.clock.advance(61);
    run_queue(&t).await;
    let got = receiver.received();
    assert_eq!(got.len(), 3, "retried until it answered 200");
    assert!(got.iter().all(|r| r.delivery == got[0].delivery && r.body == got[0].body), "the same delivery");
    assert!(signed_by(&got[2], &secret, t.app.now()), "signed at its own time");
    assert_ne!(got[0].signature, got[2].signature);
    let page = t.get_as(&path, &cookie).await.body;
    for status in ["500", "503", "<td>200</td>"] {
        assert!(page.contains(status), "{status} listed: {page}");
    }
    let counts = newsdesk::queue::counts::<newsdesk::webhooks::deliver::Deliver>(&t.app.db).await.unwrap();
    assert_eq!((counts.pending, counts.done, counts.failed), (0, 1, 0));

    // A receiver that is down: no answer, listed as such; publishing is not held up.
    let (down, _) = register(&t, &cookie, "http://127.0.0.1:9/hook", &["article.published"]).await;
    t.publish("Zweite Meldung").await;
    run_queue(&t).await;
    assert_eq!(t.get("/news/zweite-meldung").await.status, StatusCode::OK);
    let page = t.get_as(&down, &cookie).await.body;
    assert!(page.contains("no answer") || page.contains("keine Antwort"), "{page}");
    assert_eq!(receiver.received().len(), 4, "the working hook was told");

    // Only the newest 50 attempts are kept per hook.
    let hook: i64 = down.rsplit('/').next().unwrap().parse().unwrap();
    for i in 0..60 {
        let attempt = newsdesk::webhooks::Attempt {
            delivery: format!("d{i}"),
            event: "ping".into(),
            status_code: Some(200),
            error: None,
            duration_ms: 1,
            created_at: t.app.now(),
            ok: true,
            resendable: false,
        };
        newsdesk::webhooks::record_attempt(&t.app.db, hook, &attempt, None).await.unwrap();
    }
    let kept = newsdesk::webhooks::attempts(&t.app.db, hook).await.unwrap();
    assert_eq!(kept.len(), 50);
    assert_eq!(kept[0].delivery, "d59");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1")
        .bind(hook)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 50);
}

async fn addresses_inside_the_network_and_bad_forms_are_refused(t: TestApp) {
    // This site's operator did not allow private addresses.
    let t = TestApp::with_config(t.db_backend(), |c| c.outgoing.allow_private_addresses = false).await;
    let cookie = t.sign_in(Role::Admin).await;
    let page = t.get_as("/admin/integrations", &cookie).await;
    let csrf = hidden(&page.body, "csrf");
    let event = ("events", "article.published");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("url", "http://127.0.0.1:8080/hook"), event], "127.0.0.1"),
        (vec![("url", "http://localhost/hook"), event], "localhost"),
        (vec![("url", "http://169.254.169.254/latest/meta-data"), event], "169.254.169.254"),
        (vec![("url", "http://[::1]/hook"), event], "[::1]"),
        (vec![("url", "http://10.0.0.7/hook"), event], "10.0.0.7"),
        (vec![("url", "ftp://hooks.example/in"), event], "https-URL"),
        (vec![("url", "https://hooks.example/in")], "mindestens ein Ereignis"),
        (vec![("url", "https://hooks.example/in"), ("events", "article.deleted")], "mindestens ein Ereignis"),
    ];
    for (fields, message) in cases {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().copied());
        let refused = t.post_form("/admin/integrations/webhooks", &form, &[("cookie", &cookie)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(refused.body.contains(message), "{fields:?}: {message} in {}", refused.body);
    }
    // Without the form's token, nothing either.
    let forged = t
        .post_form(
            "/admin/integrations/webhooks",
            &[("url", "https://hooks.example/in"), event],
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(stored, 0);
    assert!(t.get_as("/admin/integrations/webhooks/x", &cookie).await.status == StatusCode::NOT_FOUND);
}

async fn a_rolled_secret_signs_beside_the_new_one_for_a_day(t: TestApp) {
    let receiver = Receiver::start(&[]).await;
    let cookie = t.sign_in(Role::Admin).await;
    let (path, old) = register(&t, &cookie, &receiver.url, &["article.published"]).await;
    let csrf = hidden(&t.get_as(&path, &cookie).await.body, "csrf");
    let rolled = t.post_form(&format!("{path}/secret"), &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(rolled.status, StatusCode::SEE_OTHER, "{}", rolled.body);
    assert!(rolled.header("location").ends_with("?done=rolled"));
    let page = t.get_as(rolled.header("location"), &cookie).await.body;
    let start = page.find("<code>ndwh_").expect("the new secret is shown") + "<code>".len();
    let new = page[start..start + page[start..].find('<').unwrap()].to_string();
    assert_ne!(new, old);
    assert!(!page.contains(&old), "the old secret is not shown again");
    let says_rolling =
        |page: &str| page.contains("also carry a second") || page.contains("tragen Zustellungen eine zweite");
    assert!(says_rolling(&page), "the page says the old secret still signs: {page}");

    // For a day, each delivery is signed under both: a receiver with either accepts it.
    t.publish("Roboter lernen greifen").await;
    run_queue(&t).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(signatures(&got[0]), 2);
    assert!(signed_by(&got[0], &new, t.app.now()) && signed_by(&got[0], &old, t.app.now()));
    // A forged or unknown roll changes nothing.
    let forged = t.post_form(&format!("{path}/secret"), &[("csrf", "forged")], &[("cookie", &cookie)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unknown = "/admin/integrations/webhooks/999999/secret";
    let unknown = t.post_form(unknown, &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(t.get_as(&path, &cookie).await.body.contains(&new));

    // After the day, only the new one.
    t.app.clock.advance(newsdesk::webhooks::ROLL_GRACE_SECS);
    t.publish("Zweite Meldung").await;
    run_queue(&t).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(signatures(&got[1]), 1);
    assert!(signed_by(&got[1], &new, t.app.now()) && !signed_by(&got[1], &old, t.app.now()));
    // The session ended meanwhile: signed in again, the page no longer speaks of the old secret.
    let token = hidden(&t.get("/admin/login").await.body, "token");
    let login = [("email", "admin@example.org"), ("password", "ein-langes-passwort"), ("token", token.as_str())];
    let again = t.post_form("/admin/login", &login, &[]).await;
    let cookie = again.header("set-cookie").split(';').next().unwrap().to_string();
    let page = t.get_as(&path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&new) && !says_rolling(&page.body), "the page no longer says so");
}

async fn a_hook_is_moved_to_another_address_and_keeps_its_secret(t: TestApp) {
    let first = Receiver::start(&[]).await;
    let second = Receiver::start(&[]).await;
    let cookie = t.sign_in(Role::Admin).await;
    let (path, secret) = register(&t, &cookie, &first.url, &["article.published"]).await;
    let csrf = hidden(&t.get_as(&path, &cookie).await.body, "csrf");
    let change = |url: &'static str, events: &'static [&'static str]| {
        let (t, path, csrf, cookie) = (&t, path.clone(), csrf.clone(), cookie.clone());
        async move {
            let mut form = vec![("csrf", csrf.as_str()), ("url", url)];
            form.extend(events.iter().map(|e| ("events", *e)));
            t.post_form(&path, &form, &[("cookie", &cookie)]).await
        }
    };
    // Refused as a new hook would be, with the typed form kept; nothing changes.
    // (Private addresses are allowed in tests; `addresses_inside_the_network…` refuses them.)
    let bad = change("ftp://example.org/hook", &["article.updated"]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("value=\"ftp://example.org/hook\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"article.updated\" checked"));
    let none = change("https://example.org/hook", &[]).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(t.get_as(&path, &cookie).await.body.contains(&first.url), "still the first address");

    let url: &'static str = Box::leak(second.url.clone().into_boxed_str());
    let moved = change(url, &["article.published", "article.updated"]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = t.get_as(moved.header("location"), &cookie).await.body;
    assert!(page.contains(&secret), "the same secret");
    assert!(page.contains("value=\"article.updated\" checked"));
    t.publish("Roboter lernen greifen").await;
    run_queue(&t).await;
    assert!(first.received().is_empty(), "nothing to the old address");
    let got = second.received();
    assert_eq!(got.len(), 1);
    assert!(signed_by(&got[0], &secret, t.app.now()));
}

async fn an_admin_sends_a_delivery_again(t: TestApp) {
    let receiver = Receiver::start(&[]).await;
    let cookie = t.sign_in(Role::Admin).await;
    let (path, secret) = register(&t, &cookie, &receiver.url, &["article.published"]).await;
    t.publish("Roboter lernen greifen").await;
    run_queue(&t).await;
    let first = receiver.received();
    assert_eq!(first.len(), 1);
    let page = t.get_as(&path, &cookie).await.body;
    assert!(page.contains(&format!("name=\"delivery\" value=\"{}\"", first[0].delivery)), "a button per attempt");
    let csrf = hidden(&page, "csrf");
    let resend = |delivery: String, csrf: String| {
        let (t, path, cookie) = (&t, path.clone(), cookie.clone());
        async move {
            let form = [("csrf", csrf.as_str()), ("delivery", delivery.as_str())];
            t.post_form(&format!("{path}/resend"), &form, &[("cookie", &cookie)]).await
        }
    };
    t.app.clock.advance(3600);
    let again = resend(first[0].delivery.clone(), csrf.clone()).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert!(again.header("location").ends_with("?done=resent"));
    run_queue(&t).await;
    let got = receiver.received();
    assert_eq!(got.len(), 2, "sent again");
    assert_eq!((&got[1].delivery, &got[1].event, &got[1].body), (&got[0].delivery, &got[0].event, &got[0].body));
    assert!(signed_by(&got[1], &secret, t.app.now()), "signed afresh, an hour later");
    assert_ne!(got[1].signature, got[0].signature);
    let listed = newsdesk::webhooks::attempts(&t.app.db, path.rsplit('/').next().unwrap().parse().unwrap()).await;
    assert_eq!(listed.unwrap().len(), 2, "both attempts listed");

    // A delivery this hook never sent, or a forged form: nothing is sent.
    assert_eq!(resend("0123456789abcdef".into(), csrf.clone()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(resend(first[0].delivery.clone(), "forged".into()).await.status, StatusCode::FORBIDDEN);
    run_queue(&t).await;
    assert_eq!(receiver.received().len(), 2);
}
