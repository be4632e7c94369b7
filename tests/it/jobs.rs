//! Job listings, the partner feed, and promotions.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use newsdesk::auth::users::Role;
use newsdesk::jobs::model::JobDraft;
use newsdesk::jobs::{import, queries};

use crate::backend_tests;
use crate::common::{TestApp, hidden};

backend_tests!(
    jobs_page_filters_and_hides_expired_listings,
    job_page_has_job_posting_json_ld,
    remote_job_postings_have_what_google_requires,
    sidebar_box_shows_the_four_newest,
    editors_manage_listings_and_bad_input_is_refused,
    partner_feed_upserts_withdraws_and_survives_breakage,
    promotions_fill_their_slots_and_count_clicks,
    bad_promotions_are_refused,
    paid_placements_are_labelled_for_readers,
);

async fn listing(t: &TestApp, title: &str, location: &str, workplace: &str, kind: &str, days: i64) -> i64 {
    let draft = JobDraft {
        title: title.into(),
        employer: "Beispiel GmbH".into(),
        location: location.into(),
        workplace: workplace.into(),
        kind: kind.into(),
        description_md: format!("Wir suchen: **{title}**."),
        apply_url: "https://jobs.example/apply".into(),
        posted_at: Some(t.app.now()),
        expires_at: Some(t.app.now() + days * 86_400),
        sponsored: false,
    };
    let input = draft.validate(t.app.now(), 30).unwrap();
    queries::create(&t.app.db, &input, None, t.app.now()).await.unwrap()
}

async fn jobs_page_filters_and_hides_expired_listings(t: TestApp) {
    listing(&t, "Redaktion KI", "Berlin", "hybrid", "full-time", 30).await;
    listing(&t, "Werkstudium Daten", "Hamburg", "onsite", "working-student", 30).await;
    listing(&t, "Rust remote", "Darmstadt", "remote", "part-time", 3).await;
    let all = t.get("/jobs").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("3 Stellen"));
    let remote = t.get("/jobs?workplace=remote").await;
    assert!(remote.body.contains("Rust remote") && !remote.body.contains("Redaktion KI"));
    let berlin = t.get("/jobs?location=Berlin").await;
    assert!(berlin.body.contains("Redaktion KI") && !berlin.body.contains("Werkstudium Daten"));
    let students = t.get("/jobs?kind=working-student").await;
    assert!(students.body.contains("Werkstudium Daten") && students.body.contains("Eine Stelle"));
    for bad in ["/jobs?kind=astronaut", "/jobs?workplace=mars", "/jobs?page=0", "/jobs?page=x"] {
        assert_eq!(t.get(bad).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(t.get("/jobs?page=2").await.status, StatusCode::NOT_FOUND);
    // Expired listings disappear by themselves.
    t.app.clock.advance(4 * 86_400);
    let later = t.get("/jobs").await;
    assert!(!later.body.contains("Rust remote"));
    assert!(later.body.contains("2 Stellen"));
}

async fn job_page_has_job_posting_json_ld(t: TestApp) {
    let onsite = listing(&t, "Robotik-Ingenieurin", "Augsburg", "onsite", "full-time", 30).await;
    let remote = listing(&t, "Rust remote", "Darmstadt", "remote", "part-time", 30).await;
    let page = t.get(&format!("/jobs/{onsite}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<strong>Robotik-Ingenieurin</strong>"), "Markdown description rendered");
    assert!(page.body.contains("href=\"https://jobs.example/apply\""));
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    let posting: serde_json::Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(posting["@type"], "JobPosting");
    assert_eq!(posting["title"], "Robotik-Ingenieurin");
    assert_eq!(posting["employmentType"], "FULL_TIME");
    assert_eq!(posting["hiringOrganization"]["name"], "Beispiel GmbH");
    assert_eq!(posting["jobLocation"]["address"]["addressLocality"], "Augsburg");
    for field in ["datePosted", "validThrough"] {
        assert!(posting[field].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(), "{field}");
    }
    assert!(posting["description"].as_str().unwrap().contains("<strong>"));
    let page = t.get(&format!("/jobs/{remote}")).await;
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    let posting: serde_json::Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(posting["jobLocationType"], "TELECOMMUTE");
    assert_eq!(t.get("/jobs/999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/jobs/abc").await.status, StatusCode::NOT_FOUND);
    t.app.clock.advance(31 * 86_400);
    assert_eq!(t.get(&format!("/jobs/{onsite}")).await.status, StatusCode::NOT_FOUND, "expired");
}

/// The JobPosting block of a job's page, parsed.
async fn job_posting(t: &TestApp, id: i64) -> serde_json::Value {
    let page = t.get(&format!("/jobs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    serde_json::from_str(&page.body[start..end]).unwrap()
}

/// Google for Jobs requires title, description, datePosted, hiringOrganization and a place:
/// for a fully remote job (TELECOMMUTE) the country applicants must live in.
async fn remote_job_postings_have_what_google_requires(t: TestApp) {
    let with_office = listing(&t, "Rust remote", "Darmstadt", "remote", "part-time", 30).await;
    let anywhere = listing(&t, "Daten remote", "Remote", "remote", "full-time", 30).await;
    let austria = listing(&t, "Redaktion Wien remote", "Österreich", "remote", "full-time", 30).await;
    for id in [with_office, anywhere, austria] {
        let posting = job_posting(&t, id).await;
        assert_eq!(posting["@type"], "JobPosting");
        for field in ["title", "description"] {
            assert!(!posting[field].as_str().unwrap_or_default().is_empty(), "{field}: {posting}");
        }
        for field in ["datePosted", "validThrough"] {
            assert!(posting[field].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(), "{field}: {posting}");
        }
        assert_eq!(posting["hiringOrganization"]["@type"], "Organization");
        assert_eq!(posting["hiringOrganization"]["name"], "Beispiel GmbH");
        assert_eq!(posting["jobLocationType"], "TELECOMMUTE");
        assert_eq!(posting["applicantLocationRequirements"]["@type"], "Country", "{posting}");
    }
    // A town is the employer's office and stays; applicants are sought in the publication's
    // country (its time zone is Europe/Berlin).
    let posting = job_posting(&t, with_office).await;
    assert_eq!(posting["applicantLocationRequirements"]["name"], "Germany");
    assert_eq!(posting["jobLocation"]["address"]["addressLocality"], "Darmstadt");
    // "Remote" names no place: no office.
    let posting = job_posting(&t, anywhere).await;
    assert_eq!(posting["applicantLocationRequirements"]["name"], "Germany");
    assert!(posting.get("jobLocation").is_none(), "{posting}");
    // A country as the location is where applicants must live.
    let posting = job_posting(&t, austria).await;
    assert_eq!(posting["applicantLocationRequirements"]["name"], "Austria");
    assert!(posting.get("jobLocation").is_none(), "{posting}");
}

async fn sidebar_box_shows_the_four_newest(t: TestApp) {
    for i in 1..=5 {
        listing(&t, &format!("Stelle Nummer {i}"), "Berlin", "onsite", "full-time", 30).await;
        t.app.clock.advance(60);
    }
    t.publish("Ein Artikel").await;
    for path in ["/", "/news/ein-artikel"] {
        let page = t.get(path).await.body;
        let start = page.find("id=\"jobs-heading\"").expect("jobs box");
        let sidebar = &page[start..start + page[start..].find("</section>").unwrap()];
        assert!(sidebar.contains("Stelle Nummer 5") && sidebar.contains("Stelle Nummer 2"), "{path}");
        assert!(!sidebar.contains("Stelle Nummer 1"), "{path}: four newest only");
        assert!(sidebar.contains("href=\"/jobs\""), "{path}: a link to all jobs");
    }
}

async fn editors_manage_listings_and_bad_input_is_refused(t: TestApp) {
    let cookie = t.sign_in(Role::Editor).await;
    let form = t.get_as("/admin/jobs/new", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = hidden(&form.body, "csrf");
    let valid: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("title", "Redakteur:in Wissenschaft"),
        ("employer", "Newsdesk"),
        ("location", "Köln"),
        ("workplace", "hybrid"),
        ("kind", "full-time"),
        ("description", "Sie schreiben über **Forschung**."),
        ("apply_url", "https://jobs.example/wissenschaft"),
        ("posted", "2026-11-20"),
        ("expires", "2027-06-30"),
    ];
    let with = |field: &str, value: &'static str| -> Vec<(String, String)> {
        valid
            .iter()
            .map(|(k, v)| (k.to_string(), if *k == field { value.to_string() } else { v.to_string() }))
            .collect()
    };
    let long = "x".repeat(201);
    let long: &'static str = Box::leak(long.into_boxed_str());
    for (field, value, message) in [
        ("apply_url", "javascript:alert(1)", "Webadresse"),
        ("expires", "2026-11-01", "läuft ab, bevor sie veröffentlicht wird"),
        ("title", long, "höchstens 200 Zeichen"),
        ("expires", "2027-02-30", "Ablaufdatum ist ungültig"),
        ("kind", "astronaut", "angebotenen Werte"),
    ] {
        let pairs = with(field, value);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = t.post_form("/admin/jobs", &pairs, &[("cookie", &cookie)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(refused.body.contains(message), "{field}: {message}\n{}", refused.body);
        assert!(refused.body.contains("value=\"Köln\""), "the form keeps what was typed");
    }
    assert!(queries::all(&t.app.db).await.unwrap().is_empty(), "nothing refused is stored");
    let saved = t.post_form("/admin/jobs", &valid, &[("cookie", &cookie)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let job = &queries::all(&t.app.db).await.unwrap()[0];
    assert_eq!(job.location, "Köln");
    assert!(t.get("/jobs").await.body.contains("Redakteur:in Wissenschaft"));
    let withdrawn =
        t.post_form(&format!("/admin/jobs/{}/withdraw", job.id), &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert!(!t.get("/jobs").await.body.contains("Redakteur:in Wissenschaft"));
    let moderator = t.sign_in(Role::Moderator).await;
    assert_eq!(t.get_as("/admin/jobs", &moderator).await.status, StatusCode::FORBIDDEN);
}

/// A local HTTP server that answers every request with the current (status, body).
async fn feed_server() -> (String, Arc<Mutex<(StatusCode, String)>>) {
    let state: Arc<Mutex<(StatusCode, String)>> = Arc::new(Mutex::new((StatusCode::OK, String::new())));
    let shared = state.clone();
    let app = axum::Router::new().fallback(move || {
        let shared = shared.clone();
        async move { shared.lock().unwrap().clone() }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jobs.feed", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partnerbörse</title>
<item><guid>p-1</guid><title>Data Scientist</title><link>https://partner.example/1</link>
<description>Modelle &amp; Daten.</description><category>location:Leipzig</category>
<category>kind:full-time</category><category>workplace:hybrid</category></item>
<item><guid>p-2</guid><title>Praktikum Robotik</title><link>https://partner.example/2</link>
<description>Roboter bauen.</description><category>location:München</category>
<category>kind:internship</category><category>workplace:onsite</category></item>
</channel></rss>"#;

async fn partner_feed_upserts_withdraws_and_survives_breakage(t: TestApp) {
    let (url, feed) = feed_server().await;
    let t = TestApp::with_config(t.db_backend(), |c| c.jobs.feed_url = url.clone()).await;
    listing(&t, "Eigene Stelle", "Berlin", "onsite", "full-time", 30).await;
    *feed.lock().unwrap() = (StatusCode::OK, RSS.to_string());
    let run = import::run(&t.app.context()).await.unwrap();
    assert!(run.ok, "{run:?}");
    assert_eq!((run.created, run.updated, run.withdrawn), (2, 0, 0));
    assert!(t.get("/jobs").await.body.contains("Data Scientist"));

    // The JSON feed keeps p-1 (changed), drops p-2, adds p-3.
    let json = r#"[{"id": "p-1", "title": "Senior Data Scientist", "employer": "Partner AG", "location": "Leipzig",
        "workplace": "remote", "kind": "full-time", "description": "Mehr Daten.", "apply_url": "https://partner.example/1"},
        {"id": "p-3", "title": "Professur KI", "employer": "Uni", "location": "Bonn", "remote": false,
        "kind": "professorship", "description": "Lehre.", "url": "https://partner.example/3"}]"#;
    *feed.lock().unwrap() = (StatusCode::OK, json.to_string());
    let run = import::run(&t.app.context()).await.unwrap();
    assert_eq!((run.created, run.updated, run.withdrawn), (1, 1, 1), "{run:?}");
    let page = t.get("/jobs").await.body;
    assert!(page.contains("Senior Data Scientist") && page.contains("Professur KI"));
    assert!(!page.contains("Praktikum Robotik"), "what left the feed is withdrawn");
    assert!(page.contains("Eigene Stelle"), "listings written by hand are never touched");

    // An entry that is still in the feed but no longer usable is kept, not withdrawn.
    let half_broken = r#"[{"id": "p-1", "title": "Senior Data Scientist", "employer": "Partner AG", "location": "Leipzig",
        "workplace": "remote", "kind": "full-time", "description": "Mehr Daten.", "apply_url": "https://partner.example/1"},
        {"id": "p-3", "title": "Professur KI", "employer": "Uni", "location": "Bonn", "kind": "Kosmonaut",
        "description": "Lehre.", "url": "https://partner.example/3"}]"#;
    *feed.lock().unwrap() = (StatusCode::OK, half_broken.to_string());
    let run = import::run(&t.app.context()).await.unwrap();
    assert!(run.ok && run.withdrawn == 0 && run.message.contains("1 skipped"), "{run:?}");
    assert!(t.get("/jobs").await.body.contains("Professur KI"));

    // What an editor took down, the feed does not bring back.
    let p1: i64 =
        sqlx::query_scalar("SELECT id FROM jobs WHERE external_id = 'p-1'").fetch_one(&t.app.db.pool).await.unwrap();
    queries::withdraw(&t.app.db, p1, t.app.now()).await.unwrap();
    import::run(&t.app.context()).await.unwrap();
    assert!(!t.get("/jobs").await.body.contains("Senior Data Scientist"), "stays withdrawn");
    *feed.lock().unwrap() = (StatusCode::OK, json.to_string());

    // Broken, empty or unreachable feeds change nothing.
    for (status, body) in [
        (StatusCode::OK, "<rss><channel><item><title>kaputt".to_string()),
        (StatusCode::INTERNAL_SERVER_ERROR, "oops".to_string()),
        (StatusCode::OK, r#"[{"id": "x", "title": ""}]"#.to_string()),
        (StatusCode::OK, String::new()),
        (StatusCode::OK, "[]".to_string()),
        (
            StatusCode::OK,
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>leer</title></channel></rss>".to_string(),
        ),
    ] {
        *feed.lock().unwrap() = (status, body.clone());
        let run = import::run(&t.app.context()).await.unwrap();
        assert!(!run.ok, "{status} {body}: {run:?}");
        let page = t.get("/jobs").await.body;
        assert!(page.contains("Professur KI"), "kept after {status} {body}");
    }
    let cookie = t.sign_in(Role::Editor).await;
    let admin = t.get_as("/admin/jobs", &cookie).await.body;
    assert!(admin.contains("Letzter Import fehlgeschlagen"), "admin shows the last result");
    assert!(admin.contains("feed "), "with its reason");
    // An unreachable host is just another failure.
    let t2 = TestApp::with_config(t.db_backend(), |c| c.jobs.feed_url = "http://127.0.0.1:9/jobs".into()).await;
    assert!(!import::run(&t2.app.context()).await.unwrap().ok);
    // The worker reads the feed when it is due, and not again before the interval.
    *feed.lock().unwrap() = (StatusCode::OK, RSS.to_string());
    t.app.clock.advance(3600);
    assert!(import::run_if_due(&t.app.context()).await.unwrap().is_some());
    assert!(import::run_if_due(&t.app.context()).await.unwrap().is_none());
}

async fn promotions_fill_their_slots_and_count_clicks(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| {
        c.promotions.support_url = "https://patreon.example/newsdesk".into();
        c.promotions.support_label = "Unterstützen Sie uns auf Patreon".into();
        c.promotions.job_board_url = "https://jobboerse.example".into();
    })
    .await;
    t.publish("Mit Promotion").await;
    let cookie = t.sign_in(Role::Editor).await;
    let csrf = hidden(&t.get_as("/admin/promotions/new", &cookie).await.body, "csrf");
    for (title, slot, sponsored) in [
        ("Das KI-Buch", "sidebar", true),
        ("Bestenliste Bücher", "cta", true),
        ("Unser Podcast", "after_article", false),
    ] {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("kind", "book"),
            ("title", title),
            ("text", "Ein Satz dazu."),
            ("url", "https://shop.example/x"),
            ("slot", slot),
            ("position", "1"),
        ];
        if sponsored {
            form.push(("sponsored", "on"));
        }
        assert_eq!(t.post_form("/admin/promotions", &form, &[("cookie", &cookie)]).await.status, StatusCode::SEE_OTHER);
    }
    let page = t.get("/news/mit-promotion").await.body;
    let cta = &page[page.find("class=\"cta\"").expect("call-to-action list")..];
    let cta = &cta[..cta.find("</section>").unwrap()];
    assert!(cta.contains("Bestenliste Bücher: Ein Satz dazu.") && cta.contains("rel=\"sponsored noopener\""), "{cta}");
    assert!(cta.contains("href=\"/\""), "the home page entry");
    assert!(
        cta.contains("href=\"https://patreon.example/newsdesk\"") && cta.contains("Patreon"),
        "support link from config"
    );
    assert!(cta.contains("href=\"https://jobboerse.example\""), "job board from config");
    assert!(page.contains("Das KI-Buch") && page.contains("Unser Podcast"), "sidebar and after-article slots");
    let id: i64 = sqlx::query_scalar("SELECT id FROM promotions WHERE title = 'Das KI-Buch'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    for _ in 0..3 {
        let go = t.get(&format!("/go/{id}")).await;
        assert_eq!(go.status, StatusCode::SEE_OTHER);
        assert_eq!(go.header("location"), "https://shop.example/x");
        assert!(go.header("set-cookie").is_empty(), "no cookie");
    }
    let admin = t.get_as("/admin/promotions", &cookie).await.body;
    assert!(admin.contains("<td>3</td>"), "clicks shown in admin");
    assert_eq!(t.get("/go/99999").await.status, StatusCode::NOT_FOUND);
    let head = t.request(axum::http::Method::HEAD, &format!("/go/{id}"), axum::body::Body::empty()).await;
    assert_eq!(head.status, StatusCode::SEE_OTHER);
    let clicks: i64 = sqlx::query_scalar("SELECT clicks FROM promotions WHERE id = $1")
        .bind(id)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(clicks, 3, "a HEAD is no click");
    assert!(t.get("/robots.txt").await.body.contains("Disallow: /go/"), "crawlers do not click");
    // Outside its dates a promotion is not shown.
    sqlx::query("UPDATE promotions SET active_until = $1 WHERE id = $2")
        .bind(t.app.now())
        .bind(id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    // Time alone ends it: a stored page shows it until the cache's lifetime has passed.
    t.app.clock.advance(t.app.config().cache.ttl_secs as i64);
    assert!(!t.get("/news/mit-promotion").await.body.contains("Das KI-Buch"));
    assert_eq!(t.get(&format!("/go/{id}")).await.status, StatusCode::NOT_FOUND, "an ended promotion does not redirect");
    // Deleting asks first; only the confirmed form deletes.
    let delete = format!("/admin/promotions/{id}/delete");
    let asked = t.post_form(&delete, &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("„Das KI-Buch“ wirklich gelöscht") && asked.body.contains("value=\"yes\""));
    assert!(newsdesk::promos::find(&t.app.db, id).await.unwrap().is_some(), "asking deletes nothing");
    let done = t.post_form(&delete, &[("csrf", &csrf), ("confirm", "yes")], &[("cookie", &cookie)]).await;
    assert_eq!(done.header("location"), "/admin/promotions?done=deleted");
    assert!(t.get_as("/admin/promotions?done=deleted", &cookie).await.body.contains("Die Promotion wurde gelöscht."));
    assert!(newsdesk::promos::find(&t.app.db, id).await.unwrap().is_none());
}

async fn bad_promotions_are_refused(t: TestApp) {
    let cookie = t.sign_in(Role::Editor).await;
    let csrf = hidden(&t.get_as("/admin/promotions/new", &cookie).await.body, "csrf");
    let long = "x".repeat(121);
    for (field, value, message) in [
        ("url", "ftp://x.example", "Webadresse"),
        ("title", long.as_str(), "höchstens 120 Zeichen"),
        ("active_until", "2026-01-01", "endet, bevor sie beginnt"),
        ("image_url", "https://tracker.example/p.gif", "Pfad auf dieser Website"),
        ("position", "zwei", "ungültig"),
    ] {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("kind", "book"),
            ("title", "Buch"),
            ("url", "https://shop.example/b"),
            ("slot", "sidebar"),
            ("active_from", "2026-06-01"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let refused = t.post_form("/admin/promotions", &form, &[("cookie", &cookie)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(refused.body.contains(message), "{field}: {message}");
    }
    assert!(newsdesk::promos::all(&t.app.db).await.unwrap().is_empty());
}

/// The element that starts with `open`, ends with `close` and holds `text`.
fn element<'a>(page: &'a str, open: &str, close: &str, text: &str) -> &'a str {
    let at = page.find(text).unwrap_or_else(|| panic!("{text} is not on the page"));
    let start = page[..at].rfind(open).unwrap_or_else(|| panic!("{text} is not inside {open}"));
    let end = at + page[at..].find(close).unwrap_or_else(|| panic!("{text}: no {close}")) + close.len();
    &page[start..end]
}

/// German law asks for a visible "Anzeige" on paid content: every paid promotion and paid job
/// listing carries the label in the site's language wherever it shows, and unpaid ones do not.
async fn paid_placements_are_labelled_for_readers(t: TestApp) {
    use newsdesk::config::Language;
    for (language, label) in [(Language::De, "Anzeige"), (Language::En, "Advertisement")] {
        let t = TestApp::with_config(t.db_backend(), |c| c.site.language = language).await;
        t.publish("Werbung gekennzeichnet").await;
        let cookie = t.sign_in(Role::Editor).await;
        let csrf = hidden(&t.get_as("/admin/promotions/new", &cookie).await.body, "csrf");
        for slot in ["sidebar", "after_article", "cta"] {
            for paid in [true, false] {
                let title = format!("{slot} {}", if paid { "bezahlt" } else { "eigen" });
                let mut form = vec![
                    ("csrf", csrf.as_str()),
                    ("kind", "book"),
                    ("title", title.as_str()),
                    ("url", "https://shop.example/x"),
                    ("slot", slot),
                    ("position", "1"),
                ];
                if paid {
                    form.push(("sponsored", "on"));
                }
                let saved = t.post_form("/admin/promotions", &form, &[("cookie", &cookie)]).await;
                assert_eq!(saved.status, StatusCode::SEE_OTHER);
            }
        }
        for (title, paid) in [("Stelle bezahlt", true), ("Stelle eigen", false)] {
            let mut form = vec![
                ("csrf", csrf.as_str()),
                ("title", title),
                ("employer", "Beispiel GmbH"),
                ("location", "Berlin"),
                ("workplace", "onsite"),
                ("kind", "full-time"),
                ("description", "Wir suchen."),
                ("apply_url", "https://jobs.example/apply"),
            ];
            if paid {
                form.push(("sponsored", "on"));
            }
            let saved = t.post_form("/admin/jobs", &form, &[("cookie", &cookie)]).await;
            assert_eq!(saved.status, StatusCode::SEE_OTHER);
            let list = t.get_as(saved.header("location"), &cookie).await.body;
            let notice =
                if language == Language::De { "Die Stelle wurde gespeichert." } else { "The job listing was saved." };
            assert!(list.contains(notice), "{language:?}: the newsroom sees the save went through");
        }
        let labelled = format!("class=\"ad-label\">{label}<");
        let article = t.get("/news/werbung-gekennzeichnet").await.body;
        let jobs = t.get("/jobs").await.body;
        let paid_job: i64 = sqlx::query_scalar("SELECT id FROM jobs WHERE title = 'Stelle bezahlt'")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
        let job_page = t.get(&format!("/jobs/{paid_job}")).await.body;
        let placements = [
            ("sidebar", element(&article, "<section class=\"box promo\"", "</section>", "sidebar bezahlt")),
            ("sidebar", element(&article, "<section class=\"box promo\"", "</section>", "sidebar eigen")),
            (
                "after the article",
                element(&article, "<aside class=\"promo-after\"", "</aside>", "after_article bezahlt"),
            ),
            ("after the article", element(&article, "<aside class=\"promo-after\"", "</aside>", "after_article eigen")),
            ("call-to-action list", element(&article, "<li>", "</li>", "cta bezahlt")),
            ("call-to-action list", element(&article, "<li>", "</li>", "cta eigen")),
            ("jobs box", element(&article, "<li>", "</li>", "Stelle bezahlt")),
            ("jobs box", element(&article, "<li>", "</li>", "Stelle eigen")),
            ("jobs page", element(&jobs, "<li class=\"teaser", "</li>", "Stelle bezahlt")),
            ("jobs page", element(&jobs, "<li class=\"teaser", "</li>", "Stelle eigen")),
        ];
        for (place, html) in placements {
            let paid = html.contains("bezahlt");
            assert_eq!(html.contains(&labelled), paid, "{language:?} {place}: {html}");
            if !place.contains("job") {
                assert_eq!(html.contains("rel=\"sponsored"), paid, "{language:?} {place}: rel and label agree: {html}");
            }
        }
        let facts = &job_page[..job_page.find("job-facts").unwrap()];
        assert!(facts.contains(&labelled), "{language:?}: the paid listing's own page");
        assert!(job_page.contains("rel=\"sponsored noopener nofollow\""), "{language:?}: the apply link is marked");
    }
}
