//! The public pages as a reader sees them.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use newsdesk::articles::model::ArticleDraft;
use newsdesk::articles::{import, queries};

use crate::backend_tests;
use crate::common::{TestApp, draft};

backend_tests!(
    home_shows_lead_story_then_latest,
    home_paginates,
    article_page_has_the_reference_shape,
    research_links_are_url_encoded,
    unknown_and_malformed_urls_get_designed_error_pages,
    drafts_and_unpublished_articles_stay_hidden,
    tag_author_and_archive_pages_list_articles,
    pages_carry_security_headers,
    https_sites_send_hsts,
    client_address_comes_from_behind_the_trusted_proxies,
    head_requests_work,
    healthz_answers,
    static_assets_are_cached_long,
    article_body_is_sanitised,
    english_ui_by_config,
    demo_publication_fills_an_empty_site_only,
    oversized_request_body_is_refused,
    database_failure_shows_an_opaque_500_page,
);

async fn home_shows_lead_story_then_latest(t: TestApp) {
    t.publish("Älteste Meldung").await;
    t.app.clock.advance(60);
    t.publish("Neueste Meldung").await;
    let page = t.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-type").starts_with("text/html"));
    let lead = page.body.find("teaser-top").expect("lead story block");
    let newest = page.body.find("Neueste Meldung").unwrap();
    let oldest = page.body.find("Älteste Meldung").unwrap();
    assert!(lead < newest && newest < oldest, "lead story first, then the older article");
    assert!(page.body.contains("Neueste Meldungen"));
}

async fn home_paginates(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| c.site.per_page = 2).await;
    for i in 1..=5 {
        t.publish(&format!("Meldung Nummer {i}")).await;
        t.app.clock.advance(10);
    }
    let first = t.get("/").await;
    assert!(first.body.contains("Meldung Nummer 5") && first.body.contains("Meldung Nummer 4"));
    assert!(!first.body.contains("Meldung Nummer 3"));
    assert!(first.body.contains("href=\"/page/2\""), "link to the next page");
    let third = t.get("/page/3").await;
    assert_eq!(third.status, StatusCode::OK);
    assert!(third.body.contains("Meldung Nummer 1"));
    assert!(third.body.contains("Seite 3 von 3"));
    assert!(!third.body.contains("rel=\"next\""));
    assert_eq!(t.get("/page/4").await.status, StatusCode::NOT_FOUND);
    let one = t.get("/page/1").await;
    assert_eq!(one.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(one.header("location"), "/");
}

async fn article_page_has_the_reference_shape(t: TestApp) {
    let mut d = draft("Roboter lernen Greifen");
    d.places = vec!["München".into(), "Zürich".into()];
    d.authors = vec!["Ada Lovelace".into(), "Alan Turing".into()];
    d.tags = vec!["Robotik".into(), "Forschung".into()];
    d.hero_url = Some("/static/demo/06.svg".into());
    d.hero_alt = Some("Ein Roboterarm".into());
    d.hero_credit = Some("Foto: Labor".into());
    let article = t.create(d).await;
    assert_eq!(article.slug, "roboter-lernen-greifen");
    let page = t.get("/news/roboter-lernen-greifen").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let order = [
        "<h1>Roboter lernen Greifen</h1>",
        // Byline and date under the headline, as readers of news sites expect them.
        "<a href=\"/author/ada-lovelace\" rel=\"author\">Ada Lovelace</a> und <a href=\"/author/alan-turing\" rel=\"author\">Alan Turing</a>",
        "Veröffentlicht:",
        "<img src=\"/static/demo/06.svg\" alt=\"Ein Roboterarm\">",
        "<span class=\"dateline\">München/Zürich (Newsdesk) – </span>Vorspann zu Roboter lernen Greifen.",
        "<strong>Roboter lernen Greifen</strong>",
        "href=\"/tag/robotik\">Robotik</a>",
        "Weiter recherchieren",
    ];
    let mut last = 0;
    for needle in order {
        let at = body[last..].find(needle).unwrap_or_else(|| panic!("{needle:?} missing or out of order"));
        last += at;
    }
    assert!(body.contains("Foto: Labor"));
    assert!(body.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/news/roboter-lernen-greifen\">"));
    assert!(!body.contains("Aktualisiert"), "no update shown for a fresh article");
    assert!(body.contains("<title>Roboter lernen Greifen – Newsdesk</title>"));
}

async fn research_links_are_url_encoded(t: TestApp) {
    t.publish("KI & Ethik: Wer haftet für Fehler?").await;
    let page = t.get("/news/ki-ethik-wer-haftet-fuer-fehler").await;
    let q = "KI%20%26%20Ethik%3A%20Wer%20haftet%20f%C3%BCr%20Fehler%3F";
    assert!(page.body.contains(&format!("https://www.google.com/search?q={q}")), "{}", page.body);
    assert!(page.body.contains(&format!("https://www.bing.com/search?q={q}")));
    assert!(page.body.contains(&format!("https://news.google.com/search?q={q}")));
}

async fn unknown_and_malformed_urls_get_designed_error_pages(t: TestApp) {
    t.publish("Vorhanden").await;
    for path in [
        "/news/gibt-es-nicht",
        "/news/NICHT_GUELTIG",
        "/tag/unbekannt",
        "/author/niemand",
        "/page/0",
        "/page/99999999999",
        "/archive/2026/13",
        "/archive/20x6/01",
        "/archive/2026/1",
        "/irgendwo/sonst",
    ] {
        let page = t.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.body.contains("Seite nicht gefunden"), "{path}: designed 404 page");
        assert!(page.body.contains("class=\"masthead\""), "{path}: in the site's layout");
    }
    // A page "number" that is no number is a bad request, not a missing page.
    for path in ["/page/abc", "/tag/ki/page/-1", "/author/x/page/2a", "/archive/2026/01/page/zwei"] {
        let page = t.get(path).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.body.contains("Ungültige Anfrage"), "{path}: designed 400 page");
    }
    let bad = t.get("/news/%FF%FE").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Ungültige Anfrage"));
    let post = t.request(Method::POST, "/news/vorhanden", Body::from("x")).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(post.body.contains("Methode nicht erlaubt"));
}

async fn drafts_and_unpublished_articles_stay_hidden(t: TestApp) {
    let mut d = draft("Noch ein Entwurf");
    d.status = Some("draft".into());
    t.create(d).await;
    let mut d = draft("Zurückgezogen");
    d.status = Some("unpublished".into());
    t.create(d).await;
    assert_eq!(t.get("/news/noch-ein-entwurf").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/news/zurueckgezogen").await.status, StatusCode::NOT_FOUND);
    let home = t.get("/").await;
    assert!(!home.body.contains("Entwurf") && !home.body.contains("Zurückgezogen"));
    assert!(home.body.contains("Noch keine Artikel veröffentlicht."));
}

async fn tag_author_and_archive_pages_list_articles(t: TestApp) {
    let mut d = draft("Sicherheitspolitik im Wandel");
    d.tags = vec!["Sicherheitspolitik".into()];
    d.authors = vec!["Grete Müller".into()];
    d.published_at = Some(1_772_319_600); // 2026-03-01 00:00 in Berlin is 2026-02-28 23:00 UTC
    let article = t.create(d).await;
    t.publish("Anderes Thema").await;

    let tag = t.get("/tag/sicherheitspolitik").await;
    assert_eq!(tag.status, StatusCode::OK);
    assert!(tag.body.contains("Thema: Sicherheitspolitik"));
    assert!(tag.body.contains("Ein Artikel"));
    assert!(tag.body.contains(&article.title) && !tag.body.contains("Anderes Thema"));

    let author = t.get("/author/grete-mueller").await;
    assert_eq!(author.status, StatusCode::OK);
    assert!(author.body.contains("Artikel von Grete Müller"));
    assert!(author.body.contains(&article.title) && !author.body.contains("Anderes Thema"));

    // The archive cuts months in the publication's time zone (Europe/Berlin).
    let march = t.get("/archive/2026/03").await;
    assert_eq!(march.status, StatusCode::OK);
    assert!(march.body.contains("Archiv: März 2026"));
    assert!(march.body.contains(&article.title));
    let february = t.get("/archive/2026/02").await;
    assert!(!february.body.contains(&article.title));
    let index = t.get("/archive").await;
    assert!(index.body.contains("href=\"/archive/2026/03\">März</a>"), "{}", index.body);
}

async fn pages_carry_security_headers(t: TestApp) {
    t.publish("Sicher").await;
    for path in ["/", "/news/sicher", "/nirgends"] {
        let page = t.get(path).await;
        let csp = page.header("content-security-policy");
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}: no inline script or style");
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("referrer-policy"), "strict-origin-when-cross-origin");
        let scripts = page.body.matches("<script").count();
        let data_blocks = page.body.matches("<script type=\"application/ld+json\">").count();
        assert_eq!(scripts, data_blocks, "{path}: no JavaScript, only JSON-LD data blocks");
        assert!(!page.body.contains("style=\""), "{path}: no inline styles under the CSP");
        for foreign in ["src=\"http", "href=\"//", "src=\"//", "@import"] {
            assert!(!page.body.contains(foreign), "{path}: nothing loads from another host ({foreign})");
        }
    }
}

async fn https_sites_send_hsts(t: TestApp) {
    t.publish("Sicher").await;
    for path in ["/", "/news/sicher", "/feed", "/nirgends"] {
        assert_eq!(t.get(path).await.header("strict-transport-security"), "", "{path}: not over plain http");
    }
    let https = TestApp::with_config(t.db_backend(), |c| c.site.base_url = "https://news.example".into()).await;
    https.publish("Sicher").await;
    for path in ["/", "/news/sicher", "/feed", "/nirgends", "/static/style.css"] {
        let first = https.get(path).await;
        assert_eq!(first.header("strict-transport-security"), "max-age=31536000", "{path}");
        // From the page cache too.
        assert_eq!(https.get(path).await.header("strict-transport-security"), "max-age=31536000", "{path}");
    }
}

async fn client_address_comes_from_behind_the_trusted_proxies(t: TestApp) {
    use crate::comments::{article, token};
    let t = TestApp::with_config(t.db_backend(), |c| {
        c.server.trust_forwarded_for = true;
        c.server.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap(), "172.16.0.0/12".parse().unwrap()];
    })
    .await;
    article(&t).await;
    let token = token(&t).await;
    let path = "/news/pflegeroboter-im-heim/comments";
    // The load balancer (10.0.0.2) talks to us; before it a CDN edge (172.16.0.5) added the
    // reader's address, and before that the reader wrote whatever it liked.
    let send = |text: &'static str, forwarded: &'static str, peer: [u8; 4]| {
        let (t, token) = (&t, token.clone());
        async move {
            let form = [("name", "Flut"), ("text", text), ("token", token.as_str())];
            t.post_form_from(path, &form, &[("x-forwarded-for", forwarded)], peer).await.status
        }
    };
    let balancer = [10, 0, 0, 2];
    assert_eq!(send("Erster Beitrag", "6.6.6.6, 203.0.113.9, 172.16.0.5", balancer).await, StatusCode::OK);
    assert_eq!(
        send("Sofort noch einer", "7.7.7.7, 203.0.113.9, 172.16.0.5", balancer).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same reader, whatever it puts in front"
    );
    assert_eq!(
        send("Eine andere Leserin", "203.0.113.10, 172.16.0.5", balancer).await,
        StatusCode::OK,
        "another reader behind the same proxies is not the proxy"
    );
    // A peer outside the proxies is taken at its own address, not at its header's word.
    let outsider = [198, 51, 100, 7];
    assert_eq!(send("Von draußen", "203.0.113.20", outsider).await, StatusCode::OK);
    assert_eq!(send("Wieder von draußen", "203.0.113.21", outsider).await, StatusCode::TOO_MANY_REQUESTS);
}

async fn head_requests_work(t: TestApp) {
    t.publish("Kopf").await;
    let head = t.request(Method::HEAD, "/news/kopf", Body::empty()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
}

async fn healthz_answers(t: TestApp) {
    let health = t.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok\n");
}

async fn static_assets_are_cached_long(t: TestApp) {
    let home = t.get("/").await;
    let start = home.body.find("/static/style.css?v=").unwrap();
    let end = start + home.body[start..].find('"').unwrap();
    let css = t.get(&home.body[start..end]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.header("cache-control").contains("immutable"));
    assert!(css.body.contains("prefers-color-scheme: dark"));
    assert_eq!(t.get("/static/nicht-da.css").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/static/../Cargo.toml").await.status, StatusCode::NOT_FOUND);
}

async fn article_body_is_sanitised(t: TestApp) {
    let mut d = draft("Gefährlicher Inhalt");
    d.body_md = "Hallo <script>alert('x')</script> <img src=\"https://tracker.example/p.gif\" onerror=\"x()\">\n\n[Link](javascript:alert(1))".into();
    d.title = "Titel mit <b>Tags</b>".into();
    t.create(d).await;
    let page = t.get("/news/titel-mit-b-tags-b").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("alert("));
    assert!(!page.body.contains("tracker.example"));
    assert!(page.body.contains("Titel mit &lt;b&gt;Tags&lt;/b&gt;"), "titles are escaped");
}

async fn english_ui_by_config(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| c.site.language = newsdesk::config::Language::En).await;
    let mut d = draft("Robots learn to grasp");
    d.language = Some("en".into());
    t.create(d).await;
    let page = t.get("/news/robots-learn-to-grasp").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Research further"));
    assert!(page.body.contains("Published:"));
    assert!(!page.body.contains("Weiter recherchieren"));
    assert!(t.get("/nowhere").await.body.contains("Page not found"));
}

async fn demo_publication_fills_an_empty_site_only(t: TestApp) {
    let added = import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap();
    assert!(added >= 12, "at least 12 demo articles, got {added}");
    let home = t.get("/").await;
    assert!(home.body.contains("Miriam Kessler") || home.body.contains("Jonas Brandt"));
    let articles = queries::list_all(&t.app.db).await.unwrap();
    let authors: std::collections::BTreeSet<_> =
        articles.iter().flat_map(|a| a.authors.iter().map(|x| x.slug.clone())).collect();
    assert_eq!(authors.len(), 2, "two demo authors");
    assert!(articles.iter().all(|a| !a.places.is_empty()), "every demo article has a dateline");
    // Every demo article can be opened, and relative links between them resolve.
    for article in &articles {
        let page = t.get(&format!("/news/{}", article.slug)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", article.slug);
        for link in page.body.match_indices("href=\"/news/").map(|(i, _)| &page.body[i + 6..]) {
            let target = &link[..link.find('"').unwrap()];
            assert_eq!(t.get(target).await.status, StatusCode::OK, "{} links to {target}", article.slug);
        }
    }
    // A second start with --demo never touches a site that has content.
    assert_eq!(import::load_demo(&t.app.db, t.app.language(), t.app.now()).await.unwrap(), 0);
    let own = ArticleDraft { title: "Eigene Seite".into(), ..draft("x") };
    let other = TestApp::new(t.db_backend()).await;
    other.create(own).await;
    assert_eq!(import::load_demo(&other.app.db, other.app.language(), other.app.now()).await.unwrap(), 0);
    assert_eq!(queries::count(&other.app.db).await.unwrap(), 1);
}

async fn oversized_request_body_is_refused(t: TestApp) {
    let big = vec![b'x'; t.app.config().server.max_body_bytes + 1];
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/news/irgendwas")
        .header("content-length", big.len())
        .body(Body::from(big))
        .unwrap();
    let response = tower::ServiceExt::oneshot(t.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Anfrage zu groß"));
}

async fn database_failure_shows_an_opaque_500_page(t: TestApp) {
    t.publish("Vorher da").await;
    t.app.db.pool.close().await;
    let page = t.get("/news/vorher-da").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Interner Fehler"), "designed 500 page: {}", page.body);
    assert!(page.body.contains("class=\"masthead\""));
    assert!(!page.body.to_lowercase().contains("pool"), "no internal detail shown");
    assert_eq!(t.get("/healthz").await.status, StatusCode::SERVICE_UNAVAILABLE);
}
