//! The Content API (`/api/v1`): keys made and revoked by admins, articles by filter and cursor,
//! ETags, CORS, rate limits, and the OpenAPI document checked by a real validator.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use newsdesk::auth::users::Role;
use serde_json::Value;
use tower::ServiceExt as _;

use crate::backend_tests;
use crate::common::{TestApp, TestResponse, draft, hidden, skipped};

backend_tests!(
    an_admin_makes_a_key_and_a_program_reads_with_it,
    articles_come_by_filter_and_cursor,
    bad_requests_and_spent_keys_are_refused,
);

/// Makes a key at /admin/integrations as an admin; returns (the key, the admin's cookie).
async fn make_key(t: &TestApp, name: &str, origins: &str, per_minute: &str) -> (String, String) {
    let cookie = t.sign_in(Role::Admin).await;
    let page = t.get_as("/admin/integrations", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page.body, "csrf");
    let made = t
        .post_form(
            "/admin/integrations",
            &[("csrf", &csrf), ("name", name), ("origins", origins), ("per_minute", per_minute)],
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let start = made.body.find("<code>nd_").expect("the new key is shown") + "<code>".len();
    let key = made.body[start..start + made.body[start..].find('<').unwrap()].to_string();
    assert_eq!(key.len(), 43, "{key}");
    (key, cookie)
}

async fn call(t: &TestApp, path: &str, key: &str, extra: &[(&str, &str)]) -> TestResponse {
    let bearer = format!("Bearer {key}");
    let mut headers = vec![("authorization", bearer.as_str())];
    headers.extend_from_slice(extra);
    t.get_with(path, &headers).await
}

fn json(response: &TestResponse) -> Value {
    serde_json::from_str(&response.body).unwrap_or_else(|e| panic!("{e}: {}", response.body))
}

async fn an_admin_makes_a_key_and_a_program_reads_with_it(t: TestApp) {
    let article = t.publish("Roboter lernen greifen").await;
    let (key, cookie) = make_key(&t, "Statische Seite", "https://app.example", "").await;
    // Only its hash is stored.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT key_hash FROM api_keys").fetch_all(&t.app.db.pool).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&key[3..]));
    // Editors do not reach the page.
    let editor = t.sign_in(Role::Editor).await;
    assert_eq!(t.get_as("/admin/integrations", &editor).await.status, StatusCode::FORBIDDEN);

    let one = call(&t, &format!("/api/v1/articles/{}", article.slug), &key, &[]).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert_eq!(one.header("content-type"), "application/json");
    let body = json(&one);
    assert_eq!(body["article"]["title"], "Roboter lernen greifen");
    assert_eq!(body["article"]["tags"][0]["slug"], "ki");
    assert_eq!(body["article"]["authors"][0]["name"], "Ada Lovelace");
    assert!(body["article"]["url"].as_str().unwrap().ends_with("/news/roboter-lernen-greifen"));
    assert!(body["article"]["html"].as_str().unwrap().contains("<strong>Roboter lernen greifen</strong>"));
    assert_eq!(one.header("x-ratelimit-limit"), "600");

    // An ETag, and 304 when it is sent back.
    let etag = one.header("etag").to_string();
    assert!(!etag.is_empty());
    let again = call(&t, &format!("/api/v1/articles/{}", article.slug), &key, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // CORS for the origin the key names, and for no other.
    let from_app = call(&t, "/api/v1/tags", &key, &[("origin", "https://app.example")]).await;
    assert_eq!(from_app.header("access-control-allow-origin"), "https://app.example");
    assert_eq!(json(&from_app)["tags"][0]["slug"], "ki");
    let elsewhere = call(&t, "/api/v1/tags", &key, &[("origin", "https://evil.example")]).await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    assert_eq!(elsewhere.header("access-control-allow-origin"), "");
    let preflight = |origin: &'static str| {
        let request = Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/v1/articles")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .unwrap();
        t.router.clone().oneshot(request)
    };
    let asked = preflight("https://app.example").await.unwrap();
    assert_eq!(asked.status(), StatusCode::NO_CONTENT);
    assert_eq!(asked.headers()["access-control-allow-origin"], "https://app.example");
    assert!(asked.headers()["access-control-allow-headers"].to_str().unwrap().contains("Authorization"));
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(!refused.headers().contains_key("access-control-allow-origin"));
    // A page of that origin can read why it was refused; another origin learns nothing.
    let spent = call(&t, "/api/v1/tags", "nd_0000", &[("origin", "https://app.example")]).await;
    assert_eq!(spent.status, StatusCode::UNAUTHORIZED);
    assert_eq!(spent.header("access-control-allow-origin"), "https://app.example");
    let missing = call(&t, "/api/v1/gibt-es-nicht", &key, &[("origin", "https://app.example")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("access-control-allow-origin"), "https://app.example");
    let foreign = call(&t, "/api/v1/tags", "nd_0000", &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status, StatusCode::UNAUTHORIZED);
    assert_eq!(foreign.header("access-control-allow-origin"), "");

    // The other endpoints.
    let authors = json(&call(&t, "/api/v1/authors", &key, &[]).await);
    assert_eq!(authors["authors"][0]["slug"], "ada-lovelace");
    let comments = json(&call(&t, &format!("/api/v1/articles/{}/comments", article.slug), &key, &[]).await);
    assert_eq!((comments["comments"].as_array().unwrap().len(), &comments["count"]), (0, &Value::from(0)));
    let jobs = json(&call(&t, "/api/v1/jobs", &key, &[]).await);
    assert_eq!((&jobs["page"], &jobs["pages"]), (&Value::from(1), &Value::from(1)));

    // The list shows when the key was last used, and revoking it locks the program out.
    let page = t.get_as("/admin/integrations", &cookie).await.body;
    assert!(page.contains("Statische Seite") && page.contains(&key[..9]) && !page.contains(&key));
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_keys").fetch_one(&t.app.db.pool).await.unwrap();
    let used: Option<i64> =
        sqlx::query_scalar("SELECT last_used_at FROM api_keys").fetch_one(&t.app.db.pool).await.unwrap();
    assert!(used.is_some());
    let csrf = hidden(&page, "csrf");
    let path = format!("/admin/integrations/{id}/revoke");
    let asks = t.post_form(&path, &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(asks.status, StatusCode::OK, "asks first");
    assert_eq!(call(&t, "/api/v1/tags", &key, &[]).await.status, StatusCode::OK, "not revoked yet");
    let revoked = t.post_form(&path, &[("csrf", &csrf), ("confirm", "yes")], &[("cookie", &cookie)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let locked = call(&t, "/api/v1/tags", &key, &[]).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.header("content-type"), "application/problem+json");
    assert_eq!(json(&locked)["code"], "invalid_key");
}

async fn articles_come_by_filter_and_cursor(t: TestApp) {
    let mut slugs = Vec::new();
    for i in 0..7 {
        let mut d = draft(&format!("Meldung {i}"));
        if i % 2 == 0 {
            d.tags = vec!["Raumfahrt".into()];
            d.authors = vec!["Grace Hopper".into()];
        }
        slugs.push(t.create(d).await.slug);
        t.app.clock.advance(if i == 3 { 0 } else { 60 });
    }
    let mut unpublished = draft("Entwurf");
    unpublished.status = Some("draft".into());
    t.create(unpublished).await;
    let (key, _) = make_key(&t, "Sync", "", "").await;

    // Page by page, two at a time, newest first, each article once (two share a second).
    let mut seen = Vec::new();
    let mut path = "/api/v1/articles?limit=2".to_string();
    loop {
        let page = json(&call(&t, &path, &key, &[]).await);
        let articles = page["articles"].as_array().unwrap();
        assert!(articles.len() <= 2);
        seen.extend(articles.iter().map(|a| a["slug"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/articles?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let newest_first: Vec<String> = slugs.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    let slugs_of = |body: Value| -> Vec<String> {
        body["articles"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap().to_string()).collect()
    };
    let tagged = slugs_of(json(&call(&t, "/api/v1/articles?tag=raumfahrt", &key, &[]).await));
    assert_eq!(tagged, ["meldung-6", "meldung-4", "meldung-2", "meldung-0"]);
    let by = slugs_of(json(&call(&t, "/api/v1/articles?author=ada-lovelace&tag=ki", &key, &[]).await));
    assert_eq!(by, ["meldung-5", "meldung-3", "meldung-1"]);

    // Dates: from the second newest on, before it, and what changed since an edit.
    let fifth = newsdesk::articles::queries::find_by_slug(&t.app.db, "meldung-5").await.unwrap().unwrap();
    let recent = newsdesk::discovery::rfc3339(fifth.published_at.unwrap());
    let since = slugs_of(json(&call(&t, &format!("/api/v1/articles?published_since={recent}"), &key, &[]).await));
    assert_eq!(since, ["meldung-6", "meldung-5"]);
    let before = slugs_of(json(&call(&t, &format!("/api/v1/articles?published_before={recent}"), &key, &[]).await));
    assert_eq!(before.len(), 5);
    t.app.clock.advance(3600);
    let mark = newsdesk::discovery::rfc3339(t.app.now());
    let first = newsdesk::articles::queries::find_by_slug(&t.app.db, "meldung-0").await.unwrap().unwrap();
    let mut input = first.to_input();
    input.lead = "Neuer Vorspann.".into();
    newsdesk::articles::queries::update(&t.app.db, &first, &input, first.version, t.app.now()).await.unwrap();
    let changed = slugs_of(json(&call(&t, &format!("/api/v1/articles?updated_since={mark}"), &key, &[]).await));
    assert_eq!(changed, ["meldung-0"]);
}

async fn bad_requests_and_spent_keys_are_refused(t: TestApp) {
    t.publish("Eins").await;
    let (key, cookie) = make_key(&t, "Knapp", "", "4").await;
    // No key, a made-up key: 401 as JSON, not the site's error page.
    let none = t.get("/api/v1/articles").await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&none)["code"], "missing_key");
    assert!(none.header("www-authenticate").starts_with("Bearer"));
    let made_up = call(&t, "/api/v1/articles", "nd_0000000000000000000000000000000000000000", &[]).await;
    assert_eq!(json(&made_up)["code"], "invalid_key");
    assert_eq!(json(&call(&t, "/api/v1/articles", "x".repeat(5000).as_str(), &[]).await)["code"], "invalid_key");

    for (path, code) in [
        ("/api/v1/articles?limit=0", "bad_limit"),
        ("/api/v1/articles?limit=101", "bad_limit"),
        ("/api/v1/articles?cursor=abc", "bad_cursor"),
    ] {
        let refused = call(&t, path, &key, &[]).await;
        assert_eq!(
            (refused.status, json(&refused)["code"].as_str().unwrap()),
            (StatusCode::BAD_REQUEST, code),
            "{path}"
        );
    }
    // The fourth request of the minute is the last; the fifth waits.
    let fourth = call(&t, "/api/v1/articles?published_since=gestern", &key, &[]).await;
    assert_eq!(json(&fourth)["code"], "bad_time");
    let spent = call(&t, "/api/v1/articles", &key, &[]).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json(&spent)["code"], "rate_limited");
    assert!(spent.header("retry-after").parse::<i64>().unwrap() >= 1);
    t.app.clock.advance(60);
    assert_eq!(call(&t, "/api/v1/articles", &key, &[]).await.status, StatusCode::OK, "a new minute");

    for (path, status, code) in [
        ("/api/v1/articles?tag=gibt-es-nicht", StatusCode::BAD_REQUEST, "unknown_tag"),
        ("/api/v1/articles?autor=ada", StatusCode::BAD_REQUEST, "unknown_parameter"),
        ("/api/v1/articles/gibt-es-nicht", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/gibt/es/nicht", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let refused = call(&t, path, &key, &[]).await;
        assert_eq!(refused.status, status, "{path}: {}", refused.body);
        assert_eq!(json(&refused)["code"], code, "{path}");
    }
    // A form with a bad origin is refused with a message, and no key is made.
    let csrf = hidden(&t.get_as("/admin/integrations", &cookie).await.body, "csrf");
    let form = [("csrf", csrf.as_str()), ("name", "Zweite"), ("origins", "app.example/pfad"), ("per_minute", "")];
    let refused = t.post_form("/admin/integrations", &form, &[("cookie", &cookie)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("role=\"alert\""));
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(keys, 1);
}

/// The served OpenAPI document is valid OpenAPI 3.1 by `openapi-spec-validator` (PyPI), and it
/// describes exactly the API's routes.
#[tokio::test]
async fn the_openapi_document_is_valid_and_complete() {
    let t = TestApp::new(crate::common::Backend::Sqlite).await;
    let served = t.get("/api/v1/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&served.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: std::collections::BTreeSet<String> =
        doc["paths"].as_object().unwrap().keys().map(|p| format!("/api/v1{p}")).collect();
    let (_, table) = newsdesk::root::route_table(t.app.clone());
    let routed: std::collections::BTreeSet<String> = table
        .iter()
        .map(|e| e.path.to_string())
        .filter(|p| p.starts_with("/api/v1/") && p != "/api/v1/{*rest}")
        .collect();
    assert_eq!(documented, routed);

    let validator = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if skipped("openapi-spec-validator (pip install openapi-spec-validator)", validator) {
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &served.body).unwrap();
    let checked = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))\nprint('valid')",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    // And it finds faults: a parameter that does not say where it goes is refused.
    let mut broken = doc.clone();
    broken["paths"]["/tags"]["get"]["parameters"] = serde_json::json!([{ "name": "x" }]);
    std::fs::write(file.path(), broken.to_string()).unwrap();
    let refused = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(!refused.status.success(), "the validator accepted a broken document");
}
