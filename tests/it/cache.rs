//! The page cache through the real router: what is stored, how it is sent (encodings, 304,
//! HEAD), that a write through the admin area drops exactly the pages it changed in the same
//! request, and that nothing tied to a session is ever stored.
//!
//! These requests go to the router directly, without the test helper's catch-up of the change
//! log, so a page can only be fresh if the write's own request invalidated it.

use std::io::Read as _;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use newsdesk::auth::users::Role;
use tower::ServiceExt as _;

use crate::common::{TestApp, TestResponse, hidden};

crate::backend_tests!(
    pages_are_stored_compressed_and_revalidated,
    a_publish_drops_exactly_the_pages_it_changes,
    an_approved_comment_shows_at_once,
    sessions_and_admin_pages_are_never_stored,
);

struct Raw {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn fetch(t: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = t.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
    Raw { status, headers, body }
}

async fn pages_are_stored_compressed_and_revalidated(t: TestApp) {
    t.publish("Roboter im Einsatz").await;
    let path = "/news/roboter-im-einsatz";
    let first = fetch(&t, "GET", path, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-cache"), "miss");
    let plain = fetch(&t, "GET", path, &[]).await;
    assert_eq!(plain.header("x-cache"), "hit");
    assert_eq!(plain.body, first.body, "the stored page is the rendered one");
    // The article's address also answers its ActivityPub object (content negotiation).
    assert_eq!(plain.header("vary"), "Accept, Accept-Encoding");
    assert!(plain.header("cache-control").contains("s-maxage=30"), "{}", plain.header("cache-control"));
    assert!(plain.header("content-security-policy").contains("default-src 'self'"), "security headers are stored too");
    assert_eq!(plain.header("content-length"), plain.body.len().to_string());

    let gzip = fetch(&t, "GET", path, &[("accept-encoding", "gzip, deflate")]).await;
    assert_eq!(gzip.header("content-encoding"), "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..]).read_to_end(&mut unzipped).unwrap();
    assert_eq!(unzipped, plain.body);
    assert!(gzip.body.len() < plain.body.len() / 2);

    let br = fetch(&t, "GET", path, &[("accept-encoding", "gzip, deflate, br, zstd")]).await;
    assert_eq!(br.header("content-encoding"), "br");
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(&br.body[..], 4096).read_to_end(&mut unbrotlied).unwrap();
    assert_eq!(unbrotlied, plain.body);
    assert_ne!(br.header("etag"), plain.header("etag"), "each encoding has its own tag");

    let etag = br.header("etag").to_string();
    let not_modified = fetch(&t, "GET", path, &[("if-none-match", &etag), ("accept-encoding", "br")]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), etag);
    let other = fetch(&t, "GET", path, &[("if-none-match", "\"anders\"")]).await;
    assert_eq!(other.status, StatusCode::OK);

    let head = fetch(&t, "HEAD", path, &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("x-cache"), "hit");
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), plain.body.len().to_string());

    // Feeds and the search page are stored too; a page that does not exist is not.
    for path in ["/feed", "/search?q=Roboter", "/tag/ki"] {
        fetch(&t, "GET", path, &[]).await;
        assert_eq!(fetch(&t, "GET", path, &[]).await.header("x-cache"), "hit", "{path}");
    }
    fetch(&t, "GET", "/news/gibt-es-nicht", &[]).await;
    assert_eq!(fetch(&t, "GET", "/news/gibt-es-nicht", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&t, "GET", "/news/gibt-es-nicht", &[]).await.header("x-cache"), "");
    // A query the page does not read, or a percent-encoded path, is served but not kept: either
    // would be a copy no write names.
    for path in ["/news/roboter-im-einsatz?utm_source=x", "/news/roboter%2Dim-einsatz"] {
        let page = fetch(&t, "GET", path, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.header("x-cache"), "", "{path}");
    }
    let stats = t.app.page_cache.stats();
    assert_eq!(stats.rendering, 0, "no render left behind: {stats:?}");
}

async fn signed_in_editor(t: &TestApp) -> (String, String) {
    let cookie = t.sign_in(Role::Editor).await;
    let page = t.get_as("/admin/articles/new", &cookie).await;
    (cookie.clone(), hidden(&page.body, "csrf"))
}

async fn post_as(t: &TestApp, cookie: &str, csrf: &str, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let mut pairs = vec![("csrf", csrf)];
    pairs.extend_from_slice(fields);
    t.post_form(path, &pairs, &[("cookie", cookie)]).await
}

async fn a_publish_drops_exactly_the_pages_it_changes(t: TestApp) {
    t.publish("Ältere Meldung").await;
    let untouched = "/news/aeltere-meldung";
    let pages = ["/", "/feed", "/tag/ki", "/author/ada-lovelace", "/sitemap-news.xml", "/search?q=Hafen"];
    for path in pages.iter().chain([&untouched]) {
        fetch(&t, "GET", path, &[]).await;
        assert_eq!(fetch(&t, "GET", path, &[]).await.header("x-cache"), "hit", "{path} is stored");
    }
    let (cookie, csrf) = signed_in_editor(&t).await;
    let published = post_as(
        &t,
        &cookie,
        &csrf,
        "/admin/articles",
        &[
            ("action", "publish"),
            ("checked", "yes"),
            ("create_authors", "yes"),
            ("title", "Hafen wächst"),
            ("places", "Rostock"),
            ("lead", "Der Hafen wird größer."),
            ("body", "Der Hafen wächst weiter."),
            ("tags", "KI, Wirtschaft"),
            ("authors", "Ada Lovelace"),
            ("language", "de"),
        ],
    )
    .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    for path in pages {
        let page = fetch(&t, "GET", path, &[]).await;
        assert_eq!(page.header("x-cache"), "miss", "{path} was dropped");
        assert!(page.text().contains("hafen-waechst") || page.text().contains("Hafen wächst"), "{path} shows it");
    }
    assert_eq!(fetch(&t, "GET", untouched, &[]).await.header("x-cache"), "hit", "other articles stay stored");
}

async fn an_approved_comment_shows_at_once(t: TestApp) {
    t.publish("Pflegeroboter im Heim").await;
    let path = "/news/pflegeroboter-im-heim";
    let page = fetch(&t, "GET", path, &[]).await.text();
    let token = hidden(&page, "token");
    let sent = t
        .post_form(
            &format!("{path}/comments"),
            &[("name", "Anna"), ("text", "Helfen die Roboter beim Heben wirklich?"), ("token", &token)],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(fetch(&t, "GET", path, &[]).await.header("x-cache"), "hit");
    let id: i64 = sqlx::query_scalar("SELECT id FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    let cookie = t.sign_in(Role::Moderator).await;
    let queue = t.get_as("/admin/comments", &cookie).await;
    let csrf = hidden(&queue.body, "csrf");
    let approve = format!("approve:{id}");
    let done = t.post_form("/admin/comments", &[("csrf", &csrf), ("one", &approve)], &[("cookie", &cookie)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = fetch(&t, "GET", path, &[]).await;
    assert_eq!(page.header("x-cache"), "miss");
    assert!(page.text().contains("<strong>Anna</strong>"));
}

async fn sessions_and_admin_pages_are_never_stored(t: TestApp) {
    t.publish("Roboter im Einsatz").await;
    let cookie = t.sign_in(Role::Editor).await;
    for _ in 0..2 {
        let admin = fetch(&t, "GET", "/admin/articles", &[("cookie", &cookie)]).await;
        assert_eq!(admin.status, StatusCode::OK);
        assert_eq!(admin.header("x-cache"), "", "admin pages bypass the cache");
        assert_eq!(admin.header("cache-control"), "no-store");
    }
    // A reader with a session cookie is served fresh, and nothing they are sent is stored.
    for _ in 0..2 {
        let page = fetch(&t, "GET", "/news/roboter-im-einsatz", &[("cookie", &cookie)]).await;
        assert_eq!(page.header("x-cache"), "");
    }
    assert_eq!(t.app.page_cache.stats().entries, 0, "nothing stored for a signed-in user");
    // Private per-reader pages are not stored either.
    for path in ["/subscription/kaputt", "/admin/login", "/healthz"] {
        fetch(&t, "GET", path, &[]).await;
        assert_eq!(fetch(&t, "GET", path, &[]).await.header("x-cache"), "", "{path}");
    }
}
