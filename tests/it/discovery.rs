//! Feeds, sitemaps, structured data and pings, checked with real parsers and a local hub.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, StatusCode};
use newsdesk::articles::model::Status;
use newsdesk::articles::queries;
use newsdesk::discovery::pings;
use newsdesk::queue;

use crate::backend_tests;
use crate::common::{TestApp, draft};

backend_tests!(
    main_feeds_parse_with_full_content_and_stable_ids,
    feeds_escape_titles_and_survive_bare_articles,
    tag_and_author_feeds_filter_and_unknown_ones_404,
    feeds_of_labels_only_drafts_use_are_404_like_their_pages,
    conditional_get_answers_304,
    sitemaps_are_well_formed_and_list_live_articles,
    news_sitemap_keeps_only_the_last_two_days,
    robots_names_sitemaps_and_keeps_admin_out,
    article_page_has_json_ld_open_graph_and_feed_links,
    home_has_website_and_organization,
    publishing_pings_hub_and_indexnow,
    failing_hub_never_breaks_publishing,
    drafts_queue_no_pings,
);

fn parse_feed(body: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("feed does not parse: {e}\n{body}"))
}

async fn main_feeds_parse_with_full_content_and_stable_ids(t: TestApp) {
    let mut d = draft("Roboter im Einsatz");
    d.hero_url = Some("/static/demo/05.svg".into());
    d.hero_alt = Some("Ein Roboterarm".into());
    d.tags = vec!["Robotik".into(), "Pflege".into()];
    d.body_md = "Erster Absatz mit [Link](/news/anderes).\n\n## Mehr".into();
    let article = t.create(d).await;
    t.app.clock.advance(60);
    t.publish("Zweite Meldung").await;

    let rss = t.get("/feed").await;
    assert_eq!(rss.status, StatusCode::OK);
    assert_eq!(rss.header("content-type"), "application/rss+xml; charset=utf-8");
    let feed = parse_feed(&rss.body);
    assert_eq!(feed.entries.len(), 2);
    assert_eq!(feed.language.as_deref(), Some("de"));
    let entry = &feed.entries[1];
    assert_eq!(entry.title.as_ref().unwrap().content, "Roboter im Einsatz");
    assert_eq!(entry.links[0].href, "http://127.0.0.1:8080/news/roboter-im-einsatz");
    assert_eq!(entry.summary.as_ref().unwrap().content, "Vorspann zu Roboter im Einsatz.");
    let content = entry.content.as_ref().unwrap().body.as_ref().unwrap();
    assert!(content.contains("Berlin (Newsdesk) – "), "{content}");
    assert!(content.contains("href=\"http://127.0.0.1:8080/news/anderes\""), "links made absolute: {content}");
    assert!(content.contains("<h2>Mehr</h2>"));
    let categories: Vec<_> = entry.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, ["Robotik", "Pflege"]);
    assert_eq!(entry.authors[0].name.as_deref(), Some("Ada Lovelace"));
    assert!(
        entry
            .media
            .iter()
            .any(|m| m.content.iter().any(|c| { c.url.as_ref().unwrap().as_str().ends_with("/static/demo/05.svg") }))
    );
    let rss_id = entry.id.clone();
    assert!(rss_id.starts_with("tag:127.0.0.1,"), "{rss_id}");

    // An edit with a new title and slug keeps the id.
    let mut input = article.to_input();
    input.title = "Roboter im Einsatz (korrigiert)".into();
    input.slug = Some(newsdesk::articles::model::Slug::parse("roboter-korrigiert").unwrap());
    queries::update(&t.app.db, &article, &input, article.version, t.app.now()).await.unwrap();
    let again = parse_feed(&t.get("/feed").await.body);
    let edited = again.entries.iter().find(|e| e.title.as_ref().unwrap().content.contains("korrigiert")).unwrap();
    assert_eq!(edited.id, rss_id, "ids never change when an article is edited");

    let atom = t.get("/feed/atom").await;
    assert_eq!(atom.header("content-type"), "application/atom+xml; charset=utf-8");
    let atom = parse_feed(&atom.body);
    assert_eq!(atom.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(atom.entries.len(), 2);
    assert!(atom.entries.iter().any(|e| e.id == rss_id), "the same id in every format");
    assert!(atom.entries.iter().all(|e| e.published.is_some() && e.updated.is_some()));

    let json = t.get("/feed.json").await;
    assert_eq!(json.header("content-type"), "application/feed+json; charset=utf-8");
    let parsed = parse_feed(&json.body);
    assert_eq!(parsed.feed_type, feed_rs::model::FeedType::JSON);
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(value["language"], "de");
    let item = value["items"].as_array().unwrap().iter().find(|i| i["id"] == rss_id.as_str()).unwrap();
    assert_eq!(item["image"], "http://127.0.0.1:8080/static/demo/05.svg");
    assert_eq!(item["tags"][0], "Robotik");
}

async fn feeds_escape_titles_and_survive_bare_articles(t: TestApp) {
    let mut d = draft("KI & <Ethik>: \"Wer\" haftet für Größe?");
    d.tags.clear();
    d.places.clear();
    d.lead = "Ä & ö < ü \u{1} Steuerzeichen".into();
    t.create(d).await;
    for path in ["/feed", "/feed/atom", "/feed.json"] {
        let body = t.get(path).await.body;
        let feed = parse_feed(&body);
        let entry = &feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, "KI & <Ethik>: \"Wer\" haftet für Größe?", "{path}");
        assert!(entry.categories.is_empty(), "{path}");
        assert!(!body.contains('\u{1}'), "{path}: control characters are dropped");
    }
}

async fn tag_and_author_feeds_filter_and_unknown_ones_404(t: TestApp) {
    let mut d = draft("Nur Robotik");
    d.tags = vec!["Robotik".into()];
    d.authors = vec!["Jonas Brandt".into()];
    t.create(d).await;
    t.publish("Nur KI").await;
    let tag = parse_feed(&t.get("/tag/robotik/feed").await.body);
    assert_eq!(tag.entries.len(), 1);
    assert_eq!(tag.entries[0].title.as_ref().unwrap().content, "Nur Robotik");
    assert!(tag.title.unwrap().content.contains("Robotik"));
    let author = parse_feed(&t.get("/author/jonas-brandt/feed").await.body);
    assert_eq!(author.entries.len(), 1);
    for path in ["/tag/gibt-es-nicht/feed", "/author/niemand/feed", "/archive/2026/13/feed"] {
        assert_eq!(t.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

async fn feeds_of_labels_only_drafts_use_are_404_like_their_pages(t: TestApp) {
    t.publish("Sichtbar").await;
    let mut embargoed = draft("Fusion unter Embargo");
    embargoed.status = Some("draft".into());
    embargoed.tags = vec!["Geheimfusion".into()];
    embargoed.authors = vec!["Erika Vorab".into()];
    t.create(embargoed).await;
    let mut scheduled = draft("Morgen erst");
    scheduled.tags = vec!["Zukunftsthema".into()];
    scheduled.authors = vec!["Erika Vorab".into()];
    scheduled.published_at = Some(t.app.now() + 86_400);
    scheduled.status = Some("scheduled".into());
    t.create(scheduled).await;
    let hidden = ["/tag/geheimfusion", "/tag/zukunftsthema", "/author/erika-vorab"];
    for page in hidden {
        assert_eq!(t.get(page).await.status, StatusCode::NOT_FOUND, "{page}");
        let feed = t.get(&format!("{page}/feed")).await;
        assert_eq!(feed.status, StatusCode::NOT_FOUND, "{page}/feed names a label only drafts use");
        assert!(!feed.body.contains("Fusion") && !feed.body.contains("Erika"), "{}", feed.body);
    }
    let sitemaps = t.get("/sitemap-tags.xml").await.body + &t.get("/sitemap-authors.xml").await.body;
    assert!(!sitemaps.contains("geheimfusion") && !sitemaps.contains("erika-vorab"), "{sitemaps}");

    queries::publish(&t.app.db, "fusion-unter-embargo", t.app.now()).await.unwrap();
    for page in ["/tag/geheimfusion", "/author/erika-vorab"] {
        assert_eq!(t.get(page).await.status, StatusCode::OK, "{page}");
        let feed = t.get(&format!("{page}/feed")).await;
        assert_eq!(feed.status, StatusCode::OK, "{page}/feed once published");
        let entries = parse_feed(&feed.body).entries;
        let titles: Vec<_> = entries.iter().map(|e| e.title.as_ref().unwrap().content.as_str()).collect();
        assert_eq!(titles, ["Fusion unter Embargo"], "{page}: the scheduled article is not in it yet");
    }
    assert_eq!(t.get("/tag/zukunftsthema/feed").await.status, StatusCode::NOT_FOUND);
    t.app.clock.advance(86_401);
    assert_eq!(t.get("/tag/zukunftsthema/feed").await.status, StatusCode::OK, "live once its time has come");
}

async fn conditional_get_answers_304(t: TestApp) {
    t.publish("Bedingt").await;
    for path in ["/feed", "/sitemap.xml", "/news/bedingt", "/"] {
        let first = t.get(path).await;
        let etag = first.header("etag").to_string();
        assert!(etag.starts_with('"'), "{path} has an ETag");
        let request =
            axum::http::Request::builder().uri(path).header("if-none-match", &etag).body(Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(t.router.clone(), request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{path}");
        let head = t.request(Method::HEAD, path, Body::empty()).await;
        assert_eq!(head.status, StatusCode::OK, "{path} HEAD");
        assert!(head.body.is_empty());
    }
    let feed = t.get("/feed").await;
    let modified = feed.header("last-modified").to_string();
    assert!(modified.ends_with("GMT"), "{modified}");
    let since = |value: &str| {
        axum::http::Request::builder().uri("/feed").header("if-modified-since", value).body(Body::empty()).unwrap()
    };
    let response = tower::ServiceExt::oneshot(t.router.clone(), since(&modified)).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    let garbage = tower::ServiceExt::oneshot(t.router.clone(), since("gestern um vier")).await.unwrap();
    assert_eq!(garbage.status(), StatusCode::OK, "a garbage If-Modified-Since is ignored");
    assert!(feed.header("cache-control").contains("max-age"));
}

/// Parses XML with namespaces and returns (namespace, local name, text) of every element
/// that has text; panics when the XML is not well-formed.
fn xml_elements(xml: &str) -> Vec<(String, String, String)> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::reader::NsReader::from_str(xml);
    let mut out = Vec::new();
    let mut stack: Vec<(String, String, String)> = Vec::new();
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e))) => {
                let ns = match ns {
                    ResolveResult::Bound(n) => n.as_ref().to_string(),
                    _ => String::new(),
                };
                stack.push((ns, e.local_name().as_ref().to_string(), String::new()));
            }
            Ok((_, Event::Text(text))) => {
                if let Some(top) = stack.last_mut() {
                    top.2.push_str(text.as_ref());
                }
            }
            Ok((_, Event::GeneralRef(reference))) => {
                let c = match reference.as_ref() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => reference.resolve_char_ref().unwrap().expect("known entity"),
                };
                if let Some(top) = stack.last_mut() {
                    top.2.push(c);
                }
            }
            Ok((_, Event::End(_))) => {
                let element = stack.pop().expect("balanced");
                if !element.2.trim().is_empty() {
                    out.push(element);
                }
            }
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    out
}

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

async fn sitemaps_are_well_formed_and_list_live_articles(t: TestApp) {
    t.publish("Sichtbar & gut").await;
    let mut d = draft("Entwurf");
    d.status = Some("draft".into());
    t.create(d).await;
    let index = t.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    let locs: Vec<String> = xml_elements(&index.body)
        .into_iter()
        .filter(|(ns, name, _)| ns == SITEMAP_NS && name == "loc")
        .map(|(_, _, text)| text)
        .collect();
    let files = ["pages", "tags", "authors", "articles-1"].map(|f| format!("http://127.0.0.1:8080/sitemap-{f}.xml"));
    assert_eq!(locs, files);
    let articles = t.get("/sitemap-articles-1.xml").await.body;
    let elements = xml_elements(&articles);
    let urls: Vec<_> =
        elements.iter().filter(|(ns, n, _)| ns == SITEMAP_NS && n == "loc").map(|e| e.2.clone()).collect();
    assert_eq!(urls, ["http://127.0.0.1:8080/news/sichtbar-gut"]);
    assert!(elements.iter().any(|(_, n, v)| n == "lastmod" && v.ends_with('Z')));
    let locs_of = |body: String| -> Vec<String> {
        xml_elements(&body).into_iter().filter(|e| e.0 == SITEMAP_NS && e.1 == "loc").map(|e| e.2).collect()
    };
    let pages = locs_of(t.get("/sitemap-pages.xml").await.body);
    assert_eq!(pages, ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/archive"]);
    assert_eq!(locs_of(t.get("/sitemap-tags.xml").await.body), ["http://127.0.0.1:8080/tag/ki"]);
    assert_eq!(locs_of(t.get("/sitemap-authors.xml").await.body), ["http://127.0.0.1:8080/author/ada-lovelace"]);
    assert_eq!(t.get("/sitemap-articles-2.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/sitemap-articles-0.xml").await.status, StatusCode::NOT_FOUND);
}

async fn news_sitemap_keeps_only_the_last_two_days(t: TestApp) {
    let mut old = draft("Vor drei Tagen");
    old.published_at = Some(t.app.now() - 3 * 86_400);
    t.create(old).await;
    let mut d = draft("Heute <neu> & frisch");
    d.language = Some("en".into());
    t.create(d).await;
    let body = t.get("/sitemap-news.xml").await.body;
    let elements = xml_elements(&body);
    let titles: Vec<_> =
        elements.iter().filter(|(ns, n, _)| ns == NEWS_NS && n == "title").map(|e| e.2.clone()).collect();
    assert_eq!(titles, ["Heute <neu> & frisch"]);
    let get = |name: &str| elements.iter().find(|(ns, n, _)| ns == NEWS_NS && n == name).map(|e| e.2.clone()).unwrap();
    assert_eq!(get("name"), "Newsdesk");
    assert_eq!(get("language"), "en");
    assert!(get("publication_date").parse::<jiff::Timestamp>().is_ok());
}

async fn robots_names_sitemaps_and_keeps_admin_out(t: TestApp) {
    let robots = t.get("/robots.txt").await;
    assert_eq!(robots.header("content-type"), "text/plain; charset=utf-8");
    assert!(robots.body.contains("Disallow: /admin"));
    assert!(robots.body.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
    assert!(robots.body.contains("Sitemap: http://127.0.0.1:8080/sitemap-news.xml"));
}

/// The JSON of the page's `application/ld+json` block.
fn json_ld(body: &str) -> serde_json::Value {
    let start = body.find("<script type=\"application/ld+json\">").expect("JSON-LD block") + 35;
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end]).expect("JSON-LD parses")
}

async fn article_page_has_json_ld_open_graph_and_feed_links(t: TestApp) {
    let mut d = draft("Strukturierte </script> Daten");
    d.hero_url = Some("/static/demo/01.svg".into());
    d.hero_alt = Some("Chip".into());
    t.create(d).await;
    let page = t.get("/news/strukturierte-script-daten").await;
    let data = json_ld(&page.body);
    let article = &data[0];
    assert_eq!(article["@type"], "NewsArticle");
    assert_eq!(article["headline"], "Strukturierte </script> Daten");
    assert_eq!(article["image"][0], "http://127.0.0.1:8080/static/demo/01.svg");
    assert_eq!(article["author"][0]["name"], "Ada Lovelace");
    assert_eq!(article["author"][0]["url"], "http://127.0.0.1:8080/author/ada-lovelace");
    assert_eq!(article["publisher"]["name"], "Newsdesk");
    assert!(article["publisher"]["logo"]["url"].as_str().unwrap().starts_with("http"));
    assert_eq!(article["inLanguage"], "de");
    assert_eq!(article["mainEntityOfPage"]["@id"], "http://127.0.0.1:8080/news/strukturierte-script-daten");
    assert!(article["datePublished"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    assert!(article["dateModified"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    assert_eq!(data[1]["@type"], "BreadcrumbList");
    assert_eq!(data[1]["itemListElement"].as_array().unwrap().len(), 3);
    for needle in [
        "<meta property=\"og:title\" content=\"Strukturierte &lt;/script&gt; Daten\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:image\" content=\"http://127.0.0.1:8080/static/demo/01.svg\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Newsdesk (RSS)\" href=\"/feed\">",
        "<link rel=\"alternate\" type=\"application/atom+xml\"",
        "<link rel=\"alternate\" type=\"application/feed+json\"",
        "href=\"/tag/ki/feed\"",
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Kommentare zu „Strukturierte &lt;/script&gt; Daten“\" href=\"/news/strukturierte-script-daten/feed\">",
        "Neue Kommentare zu diesem Artikel als Feed abonnieren",
        "Nichts verpassen?",
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    assert!(!page.body.contains("Google News folgen"), "hidden while not configured");
    // A bare article (no image, no tags) still yields valid structured data.
    let mut bare = draft("Ganz schlicht");
    bare.tags.clear();
    t.create(bare).await;
    // Imports may bring articles without authors: remove them behind the model's back.
    let bare = queries::find_by_slug(&t.app.db, "ganz-schlicht").await.unwrap().unwrap();
    sqlx::query("DELETE FROM article_authors WHERE article_id = $1")
        .bind(bare.id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let data = json_ld(&t.get("/news/ganz-schlicht").await.body);
    assert!(data[0].get("image").is_none());
    assert_eq!(data[0]["author"].as_array().unwrap().len(), 0);
    assert_eq!(data[1]["itemListElement"].as_array().unwrap().len(), 2);
    for path in ["/feed", "/feed/atom", "/feed.json"] {
        let feed = parse_feed(&t.get(path).await.body);
        assert!(feed.entries.iter().any(|e| e.title.as_ref().unwrap().content == "Ganz schlicht"), "{path}");
    }
}

async fn home_has_website_and_organization(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| {
        c.discovery.google_news_url = "https://news.google.example/publications/newsdesk".into();
    })
    .await;
    t.publish("Startseite").await;
    let home = t.get("/").await;
    let data = json_ld(&home.body);
    assert_eq!(data[0]["@type"], "WebSite");
    assert_eq!(data[1]["@type"], "NewsMediaOrganization");
    assert!(home.body.contains("<meta property=\"og:type\" content=\"website\">"));
    let tag = t.get("/tag/ki").await;
    assert!(tag.body.contains(
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Newsdesk – Thema: KI\" href=\"/tag/ki/feed\">"
    ));
    let article = t.get("/news/startseite").await;
    assert!(article.body.contains("href=\"https://news.google.example/publications/newsdesk\""));
}

/// A local HTTP server that records each request's path and body and answers with `status`.
async fn recorder(status: StatusCode) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push((uri.path().to_string(), body));
            status
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn publishing_pings_hub_and_indexnow(t: TestApp) {
    let (url, seen) = recorder(StatusCode::NO_CONTENT).await;
    let t = TestApp::with_config(t.db_backend(), |c| {
        c.discovery.websub_hub = format!("{url}/hub");
        c.discovery.indexnow_key = "abcdef0123456789".into();
        c.discovery.indexnow_endpoint = format!("{url}/indexnow");
    })
    .await;
    // The hub is announced in feeds and headers, the key file is served.
    let feed = t.get("/feed").await;
    assert!(feed.body.contains(&format!("<atom:link rel=\"hub\" href=\"{url}/hub\"/>")));
    assert!(feed.header("link").contains(&format!("<{url}/hub>; rel=\"hub\"")));
    assert!(feed.header("link").contains("rel=\"self\""));
    assert_eq!(t.get("/abcdef0123456789.txt").await.body, "abcdef0123456789");
    assert_eq!(t.get("/falscher-schluessel.txt").await.status, StatusCode::NOT_FOUND);

    let mut d = draft("Gepingt");
    d.tags = vec!["Robotik".into()];
    t.create(d).await;
    let ran = newsdesk::root::run_pending(&t.app).await.unwrap();
    assert!(ran >= 3, "fan-out, pings: {ran}");
    let seen = seen.lock().unwrap().clone();
    let hub_feeds: Vec<String> = seen
        .iter()
        .filter(|(path, _)| path == "/hub")
        .map(|(_, body)| {
            assert!(body.contains("hub.mode=publish"), "{body}");
            body.clone()
        })
        .collect();
    for feed in
        ["%2Ffeed&", "%2Ffeed%2Fatom", "%2Ffeed.json", "%2Ftag%2Frobotik%2Ffeed", "%2Fauthor%2Fada-lovelace%2Ffeed"]
    {
        assert!(
            hub_feeds.iter().any(|b| b.contains(feed) || b.ends_with(feed.trim_end_matches('&'))),
            "{feed} pinged: {hub_feeds:?}"
        );
    }
    let (_, indexnow) = seen.iter().find(|(path, _)| path == "/indexnow").expect("IndexNow submission");
    let indexnow: serde_json::Value = serde_json::from_str(indexnow).unwrap();
    assert_eq!(indexnow["key"], "abcdef0123456789");
    assert_eq!(indexnow["keyLocation"], "http://127.0.0.1:8080/abcdef0123456789.txt");
    assert_eq!(indexnow["urlList"][0], "http://127.0.0.1:8080/news/gepingt");
    assert_eq!(queue::counts::<pings::WebSubPing>(&t.app.db).await.unwrap().failed, 0);
}

async fn failing_hub_never_breaks_publishing(t: TestApp) {
    let (url, seen) = recorder(StatusCode::SERVICE_UNAVAILABLE).await;
    let t = TestApp::with_config(t.db_backend(), |c| c.discovery.websub_hub = format!("{url}/hub")).await;
    let article = t.publish("Trotzdem online").await;
    assert_eq!(article.status, Status::Published);
    newsdesk::root::run_pending(&t.app).await.unwrap();
    assert!(!seen.lock().unwrap().is_empty(), "the hub was tried");
    assert_eq!(t.get("/news/trotzdem-online").await.status, StatusCode::OK);
    let counts = queue::counts::<pings::WebSubPing>(&t.app.db).await.unwrap();
    assert_eq!((counts.pending, counts.done), (5, 0), "pings wait for a retry: {counts:?}");
    // Retried with backoff: nothing more is due right away...
    assert_eq!(newsdesk::root::run_pending(&t.app).await.unwrap(), 0);
    // ...but after the backoff they are tried again.
    t.app.clock.advance(31);
    assert_eq!(newsdesk::root::run_pending(&t.app).await.unwrap(), 5);
    // A hub that does not even listen is no different.
    let t2 = TestApp::with_config(t.db_backend(), |c| c.discovery.websub_hub = "http://127.0.0.1:9/hub".into()).await;
    t2.publish("Hub fehlt").await;
    newsdesk::root::run_pending(&t2.app).await.unwrap();
    assert_eq!(t2.get("/news/hub-fehlt").await.status, StatusCode::OK);
    assert_eq!(queue::counts::<pings::WebSubPing>(&t2.app.db).await.unwrap().pending, 5);
}

async fn drafts_queue_no_pings(t: TestApp) {
    let (url, seen) = recorder(StatusCode::OK).await;
    let t = TestApp::with_config(t.db_backend(), |c| c.discovery.websub_hub = format!("{url}/hub")).await;
    let mut d = draft("Still");
    d.status = Some("draft".into());
    t.create(d).await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let counts = queue::counts::<pings::WebSubPing>(&t.app.db).await.unwrap();
    assert_eq!((counts.pending, counts.done), (0, 0), "a draft pings no hub");
    assert!(seen.lock().unwrap().is_empty());
    t.publish("Laut").await;
    newsdesk::root::run_pending(&t.app).await.unwrap();
    assert_eq!(queue::counts::<pings::WebSubPing>(&t.app.db).await.unwrap().done, 5);
}
