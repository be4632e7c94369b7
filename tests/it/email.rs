//! Email: signup with double opt-in, confirmation, the newsletter, similar-news alerts,
//! preferences, export, erasure, bad input, and a mail server that is down. Mail goes to the
//! memory transport here; `smtp.rs` repeats the user's path against a real SMTP server.

use axum::http::StatusCode;
use newsdesk::config::MailTransport;
use newsdesk::email::{newsletter, sender};

use crate::common::{READER_IP, TestApp, draft, hidden};

crate::backend_tests!(
    signup_confirm_newsletter_and_one_click_unsubscribe,
    answers_never_tell_whether_an_address_is_subscribed,
    bad_signups_are_refused_and_store_nothing,
    unconfirmed_and_erased_addresses_get_nothing,
    alerts_follow_similar_articles_with_a_daily_cap,
    digest_goes_out_once_per_slot_with_the_new_articles,
    forged_and_expired_links_are_refused,
    a_mail_server_that_is_down_delays_mail_and_loses_none,
    editors_write_preview_test_and_send_campaigns,
    the_rate_limit_holds_for_all_nodes_together,
    readers_are_welcomed_and_find_their_way_back,
    the_newsroom_lists_exports_and_imports_subscribers,
    mailings_count_deliveries_bounces_clicks_and_unsubscribes,
);

pub async fn app(backend: crate::common::Backend) -> TestApp {
    TestApp::with_config(backend, |c| c.email.transport = MailTransport::Memory).await
}

/// A parsed message: headers and the decoded text part.
pub struct Mail {
    pub to: String,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn parse(to: &str, bytes: &[u8]) -> Mail {
        let parsed = mailparse::parse_mail(bytes).unwrap();
        let headers = parsed.headers.iter().map(|h| (h.get_key(), h.get_value())).collect();
        let part = |mime: &str| {
            parsed.subparts.iter().find(|p| p.ctype.mimetype == mime).map(|p| p.get_body().unwrap()).unwrap_or_default()
        };
        Mail { to: to.into(), headers, text: part("text/plain"), html: part("text/html") }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The path of the first link in the text part that starts with `prefix` (after the host).
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(&format!("http://127.0.0.1:8080{prefix}"))
            .unwrap_or_else(|| panic!("no {prefix} link in {}", self.text));
        let url: String = self.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        url.trim_start_matches("http://127.0.0.1:8080").to_string()
    }
}

/// Where the counted links of a message's text part lead (`/l/{id}`, followed once each).
pub async fn link_targets(t: &TestApp, mail: &Mail) -> Vec<String> {
    let mut targets = Vec::new();
    for (at, _) in mail.text.match_indices("http://127.0.0.1:8080/l/") {
        let path: String = mail.text[at + "http://127.0.0.1:8080".len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/' || *c == 'l')
            .collect();
        let followed = t.get(&path).await;
        assert_eq!(followed.status, StatusCode::FOUND, "{path}");
        let location = followed.header("location");
        // A page of this site says the reader comes from mail; other addresses are as linked.
        let marker = format!("?{}", newsdesk::email::mailings::FROM_MAIL);
        match location.strip_suffix(&marker) {
            Some(page) => targets.push(page.to_string()),
            None => {
                assert!(!location.starts_with("http://127.0.0.1:8080/"), "{location} unmarked");
                targets.push(location.to_string());
            }
        }
    }
    targets
}

/// Sends what is due and returns every message the memory transport holds.
pub async fn sent(t: &TestApp) -> Vec<Mail> {
    sender::send_pending(&t.app).await.unwrap();
    t.app.mailer.transport.sent().iter().map(|m| Mail::parse(&m.to, &m.bytes)).collect()
}

pub async fn signup_newsletter(t: &TestApp, email: &str) -> crate::common::TestResponse {
    t.post_form("/newsletter", &[("email", email), ("consent", "yes"), ("website", "")], &[]).await
}

/// Signs an address up and confirms it; returns the preferences path.
pub async fn subscribe(t: &TestApp, email: &str) -> String {
    assert_eq!(signup_newsletter(t, email).await.status, StatusCode::OK);
    let mails = sent(t).await;
    let confirm = mails.iter().rev().find(|m| m.to == email).expect("confirmation").link("/subscription/confirm/");
    let done = t.post_form(&confirm, &[], &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let start = done.body.find("/subscription/").unwrap();
    done.body[start..].split('"').next().unwrap().to_string()
}

/// Moves the test clock forward to the next `hour`:00 in the publication's time zone, so that
/// tests about days and digest hours do not depend on when they run.
fn advance_to_hour(t: &TestApp, hour: i8) {
    let now = t.app.now();
    let zoned = jiff::Timestamp::from_second(now).unwrap().to_zoned(t.app.time_zone());
    let mut target = zoned.date().at(hour, 0, 0, 0).to_zoned(t.app.time_zone()).unwrap();
    if target.timestamp().as_second() <= now {
        target = target.tomorrow().unwrap();
    }
    t.app.clock.advance(target.timestamp().as_second() - now);
}

async fn count(t: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&t.app.db.pool).await.unwrap()
}

async fn campaign(t: &TestApp, subject: &str) -> u64 {
    let now = t.app.now();
    let id = newsletter::save_draft(&t.app, None, subject, "Hallo **Welt**", None, now).await.unwrap().unwrap();
    newsletter::start(&t.app, id, now).await.unwrap().unwrap()
}

async fn signup_confirm_newsletter_and_one_click_unsubscribe(t: TestApp) {
    let t = app(t.backend).await;
    let page = t.get("/newsletter").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"consent\"") && page.body.contains("name=\"website\""));

    let response = signup_newsletter(&t, "Leserin@Example.org").await;
    assert_eq!(response.status, StatusCode::OK);
    let mails = sent(&t).await;
    assert_eq!(mails.len(), 1, "only the confirmation");
    let confirmation = &mails[0];
    assert_eq!(confirmation.to, "leserin@example.org");
    assert!(!confirmation.html.is_empty() && !confirmation.text.is_empty(), "text and HTML parts");
    assert!(confirmation.header("Message-ID").ends_with("@127.0.0.1>"));
    assert!(!confirmation.header("Date").is_empty());
    assert!(confirmation.header("List-Unsubscribe").is_empty(), "a confirmation unsubscribes no one");
    assert!(!confirmation.text.contains("/unsubscribe"), "{}", confirmation.text);

    // Nothing but the confirmation goes to an unconfirmed address.
    assert_eq!(campaign(&t, "Vor der Bestätigung").await, 0);

    let link = confirmation.link("/subscription/confirm/");
    let button = t.get(&link).await;
    assert_eq!(button.status, StatusCode::OK);
    assert!(button.body.contains(&format!("action=\"{link}\"")), "a button, so link scanners confirm nothing");
    let preferences = subscribe_confirm(&t, &link).await;

    assert_eq!(campaign(&t, "Die Woche").await, 1);
    let mails = sent(&t).await;
    let newsletter = mails.iter().find(|m| m.header("Subject") == "Die Woche").unwrap();
    assert!(newsletter.html.contains("<strong>Welt</strong>"));
    assert!(newsletter.header("List-Id").contains("<newsletter.127.0.0.1>"));
    assert_eq!(newsletter.header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let unsubscribe = newsletter.header("List-Unsubscribe").trim_matches(['<', '>']).to_string();
    assert!(unsubscribe.starts_with("http://127.0.0.1:8080/subscription/"));
    assert!(newsletter.text.contains(&format!("http://127.0.0.1:8080{preferences}")), "preferences link");

    // A mail provider posts the one click from its own servers: no Origin header.
    let path = unsubscribe.trim_start_matches("http://127.0.0.1:8080");
    let body = b"List-Unsubscribe=One-Click".to_vec();
    let done = t.post_raw(path, body, &[("origin", "https://mail.example")], READER_IP).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(campaign(&t, "Nach dem Abmelden").await, 0, "no more newsletters");
}

async fn subscribe_confirm(t: &TestApp, link: &str) -> String {
    let done = t.post_form(link, &[], &[]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let start = done.body.find("/subscription/").unwrap();
    done.body[start..].split('"').next().unwrap().to_string()
}

async fn answers_never_tell_whether_an_address_is_subscribed(t: TestApp) {
    let t = app(t.backend).await;
    let fresh = signup_newsletter(&t, "neu@example.org").await;
    subscribe(&t, "dabei@example.org").await;
    t.app.clock.advance(3600);
    let again = signup_newsletter(&t, "dabei@example.org").await;
    assert_eq!(fresh.status, again.status);
    assert_eq!(fresh.body, again.body, "the same page either way");
    // The subscriber gets a reminder with the preferences link, not a second confirmation.
    let mails = sent(&t).await;
    let last = mails.iter().rev().find(|m| m.to == "dabei@example.org").unwrap();
    assert!(last.text.contains("/subscription/") && !last.text.contains("/subscription/confirm/"));
    // A form used to flood an inbox sends at most one mail per address in ten minutes.
    let before = mails.len();
    signup_newsletter(&t, "dabei@example.org").await;
    assert_eq!(sent(&t).await.len(), before);
}

async fn bad_signups_are_refused_and_store_nothing(t: TestApp) {
    let t = app(t.backend).await;
    newsdesk::articles::import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap();
    let article = "/news/pflegeroboter-im-praxistest-augsburg";
    let from_article = [("email", "x"), ("consent", "yes"), ("website", ""), ("form", "article"), ("back", article)];
    let response = t.post_form("/newsletter", &from_article, &[]).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.body.contains(&format!("href=\"{article}\"")), "leads back to the article");
    type Pairs<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Pairs, Pairs, StatusCode)> = vec![
        (vec![("email", "keine-adresse"), ("consent", "yes")], vec![], StatusCode::BAD_REQUEST),
        (vec![("email", "a@example.org\r\nBcc: b@example.org"), ("consent", "yes")], vec![], StatusCode::BAD_REQUEST),
        (vec![("email", "a@example.org")], vec![], StatusCode::BAD_REQUEST),
        (vec![("email", "a@example.org"), ("consent", "yes"), ("website", "spam")], vec![], StatusCode::BAD_REQUEST),
        (
            vec![("email", "a@example.org"), ("consent", "yes")],
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
    ];
    for (form, headers, status) in cases {
        let response = t.post_form("/newsletter", &form, &headers).await;
        assert_eq!(response.status, status, "{form:?}");
        assert!(response.body.contains("<h1>"), "a page that says what was wrong");
        if form.len() == 1 {
            assert!(response.body.contains("value=\"a@example.org\""), "the form again, as filled in");
        }
    }
    let huge = format!("email={}%40example.org&consent=yes", "a".repeat(3_000_000));
    let response = t.post_raw("/newsletter", huge.into_bytes(), &[], READER_IP).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscribers").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM outbox").await, 0);
    assert!(sent(&t).await.is_empty());

    // More than five signups an hour from one address: refused with 429.
    for i in 0..5 {
        let email = format!("leser{i}@example.org");
        assert_eq!(signup_newsletter(&t, &email).await.status, StatusCode::OK);
    }
    assert_eq!(signup_newsletter(&t, "leser9@example.org").await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn unconfirmed_and_erased_addresses_get_nothing(t: TestApp) {
    let t = app(t.backend).await;
    signup_newsletter(&t, "unbestaetigt@example.org").await;
    let preferences = subscribe(&t, "geht@example.org").await;
    let export = t.get(&format!("{preferences}/export")).await;
    assert_eq!(export.status, StatusCode::OK);
    let data: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(data["email"], "geht@example.org");
    assert_eq!(data["subscriptions"][0]["consent_form"], "/newsletter");
    assert!(data["subscriptions"][0]["consent_text"].as_str().unwrap().contains("Newsletter"));
    assert!(data["subscriptions"][0]["consent_at"].as_str().unwrap().ends_with('Z'), "times people can read");

    // Switching the newsletter off records the withdrawal; switching it on again is a new consent.
    assert_eq!(t.post_form(&preferences, &[], &[]).await.status, StatusCode::SEE_OTHER);
    assert!(t.get(&preferences).await.body.contains("Abbestellt am"));
    let id = data["subscriptions"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(t.post_form(&preferences, &[("on", &id)], &[]).await.status, StatusCode::SEE_OTHER);
    let data: serde_json::Value = serde_json::from_str(&t.get(&format!("{preferences}/export")).await.body).unwrap();
    assert_eq!(data["subscriptions"][0]["status"], "active");
    assert_eq!(data["subscriptions"][0]["consent_form"], "preferences");
    assert!(data["subscriptions"][0]["withdrawn_at"].is_null());

    let refused = t.post_form(&format!("{preferences}/erase"), &[], &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "erasing needs the tick");
    let erased = t.post_form(&format!("{preferences}/erase"), &[("confirm", "yes")], &[]).await;
    assert_eq!(erased.status, StatusCode::OK);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscribers WHERE email = 'geht@example.org'").await, 0);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM suppressions").await, 1, "only a hash is left");
    assert_eq!(t.get(&preferences).await.status, StatusCode::NOT_FOUND);
    let before = sent(&t).await.len();
    assert_eq!(campaign(&t, "An niemanden").await, 0);
    assert_eq!(sent(&t).await.len(), before, "nothing to unconfirmed or erased addresses");

    // Signing up anew (and confirming) takes the address off the suppression list.
    t.app.clock.advance(3600);
    subscribe(&t, "geht@example.org").await;
    assert_eq!(count(&t, "SELECT COUNT(*) FROM suppressions").await, 0);

    // Unconfirmed signups lapse after a week.
    t.app.clock.advance(8 * 86_400);
    newsdesk::email::subscribers::sweep(&t.app.db, t.app.now()).await.unwrap();
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscribers WHERE email = 'unbestaetigt@example.org'").await, 0);
}

async fn alerts_follow_similar_articles_with_a_daily_cap(t: TestApp) {
    let t = app(t.backend).await;
    // Noon: the four alerts below fall on one day, and the next noon is past the digest hour.
    advance_to_hour(&t, 12);
    newsdesk::articles::import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap();
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let response = t
        .post_form(
            "/news/pflegeroboter-im-praxistest-augsburg/alerts",
            &[("email", "roboter@example.org"), ("consent", "yes"), ("website", "")],
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let mails = sent(&t).await;
    let link = mails.last().unwrap().link("/subscription/confirm/");
    assert!(mails.last().unwrap().text.contains("Pflegeroboter"), "names the article");
    subscribe_confirm(&t, &link).await;
    let before = sent(&t).await.len();

    let unrelated = |title: &str| {
        let mut d = draft(title);
        d.lead = "Astronomen messen die Atmosphäre eines fernen Planeten mit dem Teleskop.".into();
        d.body_md = "Das Weltraumteleskop fand Wasserdampf, Methan und Wolken über dem Exoplaneten.".into();
        d.tags = vec!["Weltraum".into()];
        d
    };
    let similar = |title: &str| {
        let mut d = draft(title);
        d.lead = "Ein weiteres Pflegeheim testet Pflegeroboter, die Bewohner heben und Pflegekräfte entlasten.".into();
        d.body_md = "Die Pflegeroboter helfen im Pflegeheim beim Heben, die Pflegekräfte berichten von Entlastung. \
                     Bewohner und Angehörige sehen die Roboter in der Pflege skeptisch."
            .into();
        d.tags = vec!["Robotik".into()];
        d
    };
    t.create(unrelated("Wasserdampf auf fernem Planeten")).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    assert_eq!(sent(&t).await.len(), before, "no alert for an unrelated article");

    t.create(similar("Pflegeroboter auch in Köln im Einsatz")).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 1, "one alert for a similar article");
    let alert = mails.last().unwrap();
    assert!(alert.header("Subject").contains("Pflegeroboter auch in Köln"), "{}", alert.header("Subject"));
    let targets = link_targets(&t, alert).await;
    assert!(targets.contains(&"http://127.0.0.1:8080/news/pflegeroboter-auch-in-koeln-im-einsatz".to_string()));
    assert!(!alert.header("List-Unsubscribe").is_empty());

    // Three alerts a day at most; the fourth waits for the next day's summary.
    for city in ["Bremen", "Dresden", "Erfurt"] {
        t.app.clock.advance(60);
        t.create(similar(&format!("Pflegeroboter auch in {city} im Einsatz"))).await;
        newsdesk::root::run_pending(&t.app).await.unwrap();
    }
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 3, "capped at three a day");
    newsletter::run_schedule(&t.app).await.unwrap();
    assert_eq!(sent(&t).await.len(), before + 3, "no summary on the same day");
    t.app.clock.advance(86_400);
    newsdesk::root::run_pending(&t.app).await.unwrap();
    newsletter::run_schedule(&t.app).await.unwrap();
    let mails = sent(&t).await;
    let summary = mails.iter().find(|m| m.text.contains("Erfurt")).expect("summary with the held-back alert");
    assert!(summary.header("Subject").contains('1'), "{}", summary.header("Subject"));
}

async fn digest_goes_out_once_per_slot_with_the_new_articles(t: TestApp) {
    let t = app(t.backend).await;
    advance_to_hour(&t, 12);
    subscribe(&t, "leserin@example.org").await;
    let before = sent(&t).await.len();
    t.publish("Neuer Hafen für Rostock").await;
    t.app.clock.advance(60);
    t.publish("Stadtrat beschließt Radwege").await;
    newsletter::run_schedule(&t.app).await.unwrap();
    assert_eq!(sent(&t).await.len(), before, "this morning's digest had nothing new");

    // Next morning at the digest hour (07:00 Berlin by default) the two articles go out.
    advance_to_hour(&t, 7);
    newsletter::run_schedule(&t.app).await.unwrap();
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 1, "one digest");
    let digest = mails.last().unwrap();
    assert_eq!(digest.to, "leserin@example.org");
    let targets = link_targets(&t, digest).await;
    for slug in ["neuer-hafen-fuer-rostock", "stadtrat-beschliesst-radwege"] {
        assert!(targets.contains(&format!("http://127.0.0.1:8080/news/{slug}")), "{slug} in {targets:?}");
    }
    assert!(digest.text.find("Radwege") < digest.text.find("Rostock"), "newest first when no comments");
    assert!(!digest.header("List-Unsubscribe").is_empty());

    // The same slot never goes out twice; a slot with nothing new is skipped.
    t.app.clock.advance(1800);
    newsletter::run_schedule(&t.app).await.unwrap();
    advance_to_hour(&t, 7);
    newsletter::run_schedule(&t.app).await.unwrap();
    assert_eq!(sent(&t).await.len(), before + 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM campaigns WHERE kind = 'digest'").await, 1);
}

async fn forged_and_expired_links_are_refused(t: TestApp) {
    let t = app(t.backend).await;
    for path in ["/subscription/1-00", "/subscription/abc", "/subscription/confirm/1-1-00", "/subscription/1-00/export"]
    {
        assert_eq!(t.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    signup_newsletter(&t, "spaet@example.org").await;
    let link = sent(&t).await[0].link("/subscription/confirm/");
    t.app.clock.advance(8 * 86_400);
    let dead = t.get(&link).await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);
    assert!(dead.body.contains("href=\"/newsletter\"") && !dead.body.contains("method=\"post\""), "{}", dead.body);
    assert_eq!(t.post_form(&link, &[], &[]).await.status, StatusCode::NOT_FOUND, "expired after a week");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM subscriptions WHERE status = 'active'").await, 0);
}

async fn a_mail_server_that_is_down_delays_mail_and_loses_none(t: TestApp) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let t = TestApp::with_config(t.backend, |c| {
        c.email.transport = MailTransport::Smtp;
        c.email.smtp_port = port;
        c.email.smtp_security = newsdesk::config::SmtpSecurity::None;
    })
    .await;
    let started = std::time::Instant::now();
    assert_eq!(signup_newsletter(&t, "wartet@example.org").await.status, StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the request does not wait for the mail server");
    sender::send_pending(&t.app).await.unwrap();
    let queued = count(&t, "SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND attempts = 1").await;
    assert_eq!(queued, 1, "still queued, to be tried again later");
    let error: String = sqlx::query_scalar("SELECT last_error FROM outbox").fetch_one(&t.app.db.pool).await.unwrap();
    assert!(!error.is_empty());
}

async fn editors_write_preview_test_and_send_campaigns(t: TestApp) {
    let t = app(t.backend).await;
    subscribe(&t, "leser@example.org").await;
    let cookie = t.sign_in(newsdesk::auth::users::Role::Editor).await;
    let page = t.get_as("/admin/newsletter", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = crate::common::hidden(&page.body, "csrf");
    let with_cookie = [("cookie", cookie.as_str())];
    let bad = t
        .post_form(
            "/admin/newsletter",
            &[("csrf", &csrf), ("subject", "Zeile\r\nBcc: x@example.org"), ("body", "Text")],
            &with_cookie,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "header injection in the subject");
    let created = t
        .post_form(
            "/admin/newsletter",
            &[
                ("csrf", &csrf),
                ("subject", "Sonderausgabe"),
                ("body", "# Neu\n\nEin *Text* über [den Hafen](/news/hafen)."),
            ],
            &with_cookie,
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let location = created.header("location").split('?').next().unwrap().to_string();
    let page = t.get_as(&location, &cookie).await;
    assert!(page.body.contains(&format!("<iframe class=\"mail-preview\" src=\"{location}/preview\"")));
    let preview = t.get_as(&format!("{location}/preview"), &cookie).await;
    assert!(preview.body.contains("<em>Text</em>"), "server-rendered preview");
    assert!(preview.body.contains("style=\"max-width:38em"), "the mail's own styles");
    let policy = preview.header("content-security-policy");
    assert!(policy.contains("sandbox") && policy.contains("style-src 'unsafe-inline'") && !policy.contains("script"));
    assert_eq!(preview.header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(t.get(&format!("{location}/preview")).await.status, StatusCode::SEE_OTHER, "editors only");
    let before = sent(&t).await.len();
    let test = t
        .post_form(&format!("{location}/test"), &[("csrf", &csrf), ("address", "redaktion@example.org")], &with_cookie)
        .await;
    assert_eq!(test.status, StatusCode::SEE_OTHER);
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 1);
    assert!(mails.last().unwrap().header("Subject").starts_with("[Test]"));
    let testers =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM subscribers WHERE email = 'redaktion@example.org'")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
    assert_eq!(testers, 0, "a test copy subscribes no one");
    let unchecked = t.post_form(&format!("{location}/send"), &[("csrf", &csrf)], &with_cookie).await;
    assert_eq!(unchecked.status, StatusCode::BAD_REQUEST, "sending asks for a confirmation");
    let send_form = [("csrf", csrf.as_str()), ("checked", "yes")];
    let send = t.post_form(&format!("{location}/send"), &send_form, &with_cookie).await;
    assert_eq!(send.status, StatusCode::SEE_OTHER);
    let again = t.post_form(&format!("{location}/send"), &send_form, &with_cookie).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "sent once only");
    let mails = sent(&t).await;
    assert_eq!(mails.iter().filter(|m| m.header("Subject") == "Sonderausgabe").count(), 1);
    let sent_campaign = mails.iter().find(|m| m.header("Subject") == "Sonderausgabe").unwrap();
    assert!(sent_campaign.html.contains("href=\"http://127.0.0.1:8080/l/"), "counted links in mail");
    assert!(sent_campaign.text.contains("den Hafen (http://127.0.0.1:8080/l/"), "{}", sent_campaign.text);
    let targets = link_targets(&t, sent_campaign).await;
    assert!(targets.contains(&"http://127.0.0.1:8080/news/hafen".to_string()), "absolute links: {targets:?}");
    assert!(!sent_campaign.text.contains('*'), "the text part is text, not Markdown");
    let progress = t.get_as(&location, &cookie).await;
    assert!(progress.body.contains("1 von 1"), "progress shown");
}

async fn the_rate_limit_holds_for_all_nodes_together(t: TestApp) {
    // Two nodes' limiters on one database, each allowed 20 messages a second, send 30 each.
    let t = app(t.backend).await;
    let node = |limiter: sender::SharedRate| {
        let db = t.app.db.clone();
        async move {
            let mut seconds = Vec::new();
            for _ in 0..30 {
                seconds.push(limiter.acquire(&db).await.unwrap());
            }
            seconds
        }
    };
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(node(sender::SharedRate::new(20)), node(sender::SharedRate::new(20)));
    let mut per_second = std::collections::BTreeMap::new();
    for second in a.into_iter().chain(b) {
        *per_second.entry(second).or_insert(0) += 1;
    }
    assert!(per_second.values().all(|&n| n <= 20), "at most 20 a second in all: {per_second:?}");
    assert!(per_second.len() >= 3, "60 messages take three seconds of the clock: {per_second:?}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

async fn readers_are_welcomed_and_find_their_way_back(t: TestApp) {
    let t = app(t.db_backend()).await;
    let preferences = subscribe(&t, "leserin@example.org").await;
    // Confirming brings a welcome that says what comes when, with the links to change it.
    let mails = sent(&t).await;
    let welcome = mails.last().unwrap();
    assert_eq!(welcome.to, "leserin@example.org");
    assert!(welcome.header("subject").starts_with("Willkommen beim Newsletter"), "{}", welcome.header("subject"));
    assert!(welcome.text.contains("jeden Tag gegen"), "{}", welcome.text);
    assert_eq!(welcome.link("/subscription/").split('/').nth(2), preferences.split('/').nth(2), "its own settings");
    let before = mails.len();

    // "Manage my subscription" on the site mails the link again (not within ten minutes of the
    // confirmation mail: that limit keeps a form from flooding an inbox).
    t.app.clock.advance(11 * 60);
    let page = t.get("/subscription").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("action=\"/subscription\""));
    assert!(t.get("/newsletter").await.body.contains("href=\"/subscription\""), "linked from the newsletter page");
    let ask = |email: &'static str| {
        let t = &t;
        async move { t.post_form("/subscription", &[("email", email), ("website", "")], &[]).await }
    };
    let answer = ask("Leserin@Example.org").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Wenn unter dieser Adresse ein Abonnement besteht"), "{}", answer.body);
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 1);
    let link = mails.last().unwrap().link("/subscription/");
    assert!(mails.last().unwrap().header("subject").starts_with("Ihr Link zu den Einstellungen"));
    let settings = t.get(&link).await;
    assert_eq!(settings.status, StatusCode::OK, "the link opens the settings");
    assert!(settings.body.contains("leserin@example.org"));

    // Asked again at once, or for an address without a subscription: the same words, no mail.
    for email in ["leserin@example.org", "niemand@example.org"] {
        let again = ask(email).await;
        assert_eq!((again.status, again.body.contains("Wenn unter dieser Adresse")), (StatusCode::OK, true), "{email}");
    }
    assert_eq!(sent(&t).await.len(), before + 1, "nothing more was sent");

    // A bad address comes back with what was typed.
    let bad = t.post_form("/subscription", &[("email", "kein-at-zeichen"), ("website", "")], &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("value=\"kein-at-zeichen\"") && bad.body.contains("role=\"alert\""));
    let bot = t.post_form("/subscription", &[("email", "leserin@example.org"), ("website", "x")], &[]).await;
    assert_eq!(bot.status, StatusCode::BAD_REQUEST);
}

async fn the_newsroom_lists_exports_and_imports_subscribers(t: TestApp) {
    let t = app(t.db_backend()).await;
    subscribe(&t, "anna@example.org").await;
    subscribe(&t, "weg@example.org").await;
    sqlx::query(
        "UPDATE subscriptions SET status = 'off' WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = $1)",
    )
    .bind("weg@example.org")
    .execute(&t.app.db.pool)
    .await
    .unwrap();
    let cookie = t.sign_in(newsdesk::auth::users::Role::Editor).await;

    let list = t.get_as("/admin/subscribers", &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("anna@example.org") && list.body.contains("abbestellt"), "{}", list.body);
    let found = t.get_as("/admin/subscribers?q=ANN", &cookie).await.body;
    assert!(found.contains("anna@example.org") && !found.contains("weg@example.org"), "search ignores case");
    assert!(
        t.get_as("/admin/subscribers?q=%25", &cookie).await.body.contains("Keine Adresse gefunden"),
        "% is a letter"
    );

    // The export: active readers only, with their consent, quoted where needed.
    let export = t.get_as("/admin/subscribers/export.csv", &cookie).await;
    assert_eq!(export.header("content-type"), "text/csv; charset=utf-8");
    assert!(export.header("content-disposition").starts_with("attachment; filename=\"subscribers-"));
    let lines: Vec<&str> = export.body.lines().collect();
    assert_eq!(lines[0], "email,confirmed_at,consent_at,consent_form,consent_text");
    assert_eq!(lines.len(), 2, "{}", export.body);
    assert!(lines[1].starts_with("anna@example.org,20"), "{}", lines[1]);

    // An import with double opt-in: new addresses get a confirmation, decisions made here stand.
    let csrf = hidden(&list.body, "csrf");
    let csv =
        "E-Mail;Name\nneu@example.org;Neu\nANNA@example.org;Anna\nweg@example.org;Weg\nkaputt;X\nneu@example.org;Neu\n";
    let before = sent(&t).await.len();
    let import = |consent: &'static str, statement: &'static str, csv: &'static str| {
        let (t, cookie, csrf) = (&t, &cookie, &csrf);
        async move {
            let fields = [("csrf", csrf.as_str()), ("consent", consent), ("statement", statement)];
            t.post_multipart(
                "/admin/subscribers/import",
                &fields,
                ("file", "liste.csv", "text/csv", csv.as_bytes()),
                cookie,
            )
            .await
        }
    };
    let done = import("double", "", csv).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    for expected in [
        "Eine Bestätigungs-E-Mail geht raus.",
        "Eine Adresse war schon angemeldet",
        "Eine Adresse stand doppelt",
        "Eine Adresse hat hier abbestellt oder wurde gelöscht und wurde nicht aufgenommen. Zeilen: 4",
        "Zeile 5: „kaputt“",
    ] {
        assert!(done.body.contains(expected), "{expected}: {}", done.body);
    }
    let mails = sent(&t).await;
    assert_eq!(mails.len(), before + 1);
    assert_eq!(mails.last().unwrap().to, "neu@example.org");
    assert!(mails.last().unwrap().text.contains("/subscription/confirm/"));

    // Consent given elsewhere needs a statement, and is recorded with it and with who imported.
    let refused = import("given", "alt", "zwei@example.org\n").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("wo und wie"), "{}", refused.body);
    let given = import("given", "Anmeldung auf der alten Website, 2020", "zwei@example.org\n").await;
    assert!(given.body.contains("Eine Adresse aufgenommen."), "{}", given.body);
    let (status, consent): (String, String) = sqlx::query_as(
        "SELECT s.status, s.consent_text FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id WHERE u.email = $1",
    )
    .bind("zwei@example.org")
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(status, "active");
    assert_eq!(consent, "Anmeldung auf der alten Website, 2020 (importiert von editor@example.org)");

    // Bad files are refused with a reason and change nothing.
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM subscriptions").fetch_one(&t.app.db.pool).await.unwrap()
    };
    let stored = count().await;
    let latin1: &'static [u8] = b"m\xfcller@example.org\n";
    let fields = [("csrf", csrf.as_str()), ("consent", "double"), ("statement", "")];
    let bad =
        t.post_multipart("/admin/subscribers/import", &fields, ("file", "l.csv", "text/csv", latin1), &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("UTF-8"));
    assert_eq!(import("double", "", "").await.status, StatusCode::BAD_REQUEST, "an empty file");
    assert_eq!(import("sometimes", "", "a@example.org").await.status, StatusCode::BAD_REQUEST);
    let forged = [("csrf", "falsch"), ("consent", "double"), ("statement", "")];
    let no_csrf = t
        .post_multipart("/admin/subscribers/import", &forged, ("file", "l.csv", "text/csv", b"x@example.org"), &cookie)
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, stored);
    // Readers may not see any of it.
    assert_eq!(t.get("/admin/subscribers/export.csv").await.status, StatusCode::SEE_OTHER);
}

/// Sums one mailing's figure.
async fn mailing_figure(t: &TestApp, campaign: i64, column: &str) -> i64 {
    let sql = format!("SELECT {column} FROM mailings WHERE campaign_id = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(campaign).fetch_one(&t.app.db.pool).await.unwrap()
}

async fn mailings_count_deliveries_bounces_clicks_and_unsubscribes(t: TestApp) {
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const SCANNER: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    let t = app(t.backend).await;
    subscribe(&t, "eins@example.org").await;
    subscribe(&t, "zwei@example.org").await;
    let now = t.app.now();
    let body = "Lesen Sie [den Hafen](/news/hafen) und <https://example.org/bericht?a=1&b=2>.";
    let id = newsletter::save_draft(&t.app, None, "Hafenbrief", body, None, now).await.unwrap().unwrap();
    assert_eq!(newsletter::start(&t.app, id, now).await.unwrap(), Some(2));
    let mails = sent(&t).await;
    let letters: Vec<&Mail> = mails.iter().filter(|m| m.header("Subject") == "Hafenbrief").collect();
    assert_eq!(letters.len(), 2);
    assert_eq!(mailing_figure(&t, id, "delivered").await, 2, "both accepted by the mail server");

    // Every reader gets the same links: they name the mailing and the address, not the reader.
    let link = |mail: &Mail| {
        let at = mail.text.find("den Hafen (http://127.0.0.1:8080/l/").expect("a counted link") + "den Hafen (".len();
        mail.text[at..].split(')').next().unwrap().trim_start_matches("http://127.0.0.1:8080").to_string()
    };
    let hafen = link(letters[0]);
    assert_eq!(hafen, link(letters[1]));
    let html = &letters[0].html;
    assert!(!html.contains("href=\"http://127.0.0.1:8080/news/") && !html.contains("href=\"https://"), "{html}");
    let targets = link_targets(&t, letters[0]).await;
    assert!(targets.contains(&"https://example.org/bericht?a=1&b=2".to_string()), "{targets:?}");

    // A reader clicks once; a scanner that says what it is does not count; bad links are refused.
    let click = t.get_with(&hafen, &[("user-agent", FIREFOX)]).await;
    assert_eq!(click.status, StatusCode::FOUND);
    let marker = newsdesk::email::mailings::FROM_MAIL;
    assert_eq!(click.header("location"), format!("http://127.0.0.1:8080/news/hafen?{marker}"));
    // A page it leads to counts as a view from mail, though mail programs send no referrer
    // (the front page here: the mailing's article is made up).
    let landed = t.get_with(&format!("/?{marker}"), &[("user-agent", FIREFOX)]).await;
    assert_eq!(landed.status, StatusCode::OK);
    assert_eq!(click.header("cache-control"), "no-store");
    assert!(click.header("set-cookie").is_empty(), "no cookie");
    assert_eq!(t.get_with(&hafen, &[("user-agent", SCANNER)]).await.status, StatusCode::FOUND);
    assert_eq!(t.get("/l/abc").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.get("/l/99999999").await.status, StatusCode::NOT_FOUND);
    newsdesk::root::flush_analytics(&t.app, &mut i64::MAX.clone()).await.unwrap();
    let link_id: i64 = hafen.trim_start_matches("/l/").parse().unwrap();
    let clicks: Vec<(String, i64)> =
        sqlx::query_as("SELECT span, clicks FROM analytics_clicks WHERE link_id = $1 ORDER BY span")
            .bind(link_id)
            .fetch_all(&t.app.db.pool)
            .await
            .unwrap();
    // The link_targets walk above followed each link once without a User-Agent: a crawler.
    let levels = [("d".to_string(), 1), ("h".to_string(), 1), ("m".to_string(), 1)];
    assert_eq!(clicks, levels, "the reader's click, by hour, day and month");
    let from_mail: Option<i64> =
        sqlx::query_scalar("SELECT views FROM analytics_sources WHERE span = 'd' AND medium = 'newsletter'")
            .fetch_optional(&t.app.db.pool)
            .await
            .unwrap();
    assert_eq!(from_mail, Some(1), "the landing view counts as from mail");

    // One reader leaves through the mailing's one-click link; a second click counts nothing.
    let unsubscribe = letters[0].header("List-Unsubscribe").trim_matches(['<', '>']).to_string();
    assert!(unsubscribe.contains("/unsubscribe?m="), "{unsubscribe}");
    let path = unsubscribe.trim_start_matches("http://127.0.0.1:8080");
    for _ in 0..2 {
        let done = t.post_raw(path, b"List-Unsubscribe=One-Click".to_vec(), &[], READER_IP).await;
        assert_eq!(done.status, StatusCode::OK);
    }
    assert_eq!(mailing_figure(&t, id, "unsubscribes").await, 1);
    // The page behind the text link keeps the mailing in its form.
    let page = t.get(path).await;
    assert!(page.body.contains("unsubscribe?m="), "{}", page.body);

    // The next mailing: one refused for good (a bounce), one delivered.
    subscribe(&t, "drei@example.org").await;
    let now = t.app.now();
    let second = newsletter::save_draft(&t.app, None, "Zweiter Brief", "Text", None, now).await.unwrap().unwrap();
    sent(&t).await;
    assert_eq!(newsletter::start(&t.app, second, now).await.unwrap(), Some(2));
    let claimed = newsdesk::email::outbox::claim(&t.app.db, now, 10).await.unwrap();
    assert_eq!(claimed.iter().filter(|m| m.campaign_id == Some(second)).count(), 2);
    newsdesk::email::outbox::mark_sent(&t.app.db, &[&claimed[0]], now).await.unwrap();
    newsdesk::email::outbox::bounce(&t.app.db, &claimed[1], "550 no such user", now, 3).await.unwrap();
    assert_eq!(mailing_figure(&t, second, "delivered").await, 1);
    assert_eq!(mailing_figure(&t, second, "bounced").await, 1);

    // The dashboard and the campaign's page show it; the CSV has it.
    let cookie = t.sign_in(newsdesk::auth::users::Role::Editor).await;
    let dashboard = t.get_as("/admin/analytics?period=day", &cookie).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    let row = dashboard.body.split("<tr>").find(|r| r.contains(">Hafenbrief</a>")).expect("the mailing listed");
    let cells: Vec<&str> = row.split("<td>").skip(2).map(|c| c.split('<').next().unwrap()).collect();
    assert_eq!(cells[1..], ["2", "0", "0", "1", "1"], "delivered, bounced, failed, unsubscribed, clicks: {row}");
    assert!(dashboard.body.contains("http://127.0.0.1:8080/news/hafen"), "the link among the most followed");
    let campaign_page = t.get_as(&format!("/admin/newsletter/{id}"), &cookie).await;
    assert!(campaign_page.body.contains("https://example.org/bericht?a=1&amp;b=2"), "{}", campaign_page.body);
    // The editors' preview leads straight on: their clicks are not a reader's.
    let preview = t.get_as(&format!("/admin/newsletter/{id}/preview"), &cookie).await;
    assert!(preview.body.contains("href=\"https://example.org/bericht?a=1&amp;b=2\""), "{}", preview.body);
    assert!(preview.body.contains("href=\"http://127.0.0.1:8080/news/hafen\""), "{}", preview.body);
    assert!(!preview.body.contains("/l/"), "{}", preview.body);
    let csv = t.get_as("/admin/analytics/export?period=day&table=mail", &cookie).await;
    assert!(csv.body.contains("Zweiter Brief,campaign,"), "{}", csv.body);
    let csv = t.get_as("/admin/analytics/export?period=day&table=links", &cookie).await;
    assert!(csv.body.contains("http://127.0.0.1:8080/news/hafen,Hafenbrief,1"), "{}", csv.body);
}
