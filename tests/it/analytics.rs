//! Analytics: readers' page views counted on the server, from the page cache as from a render,
//! crawlers apart, nothing that identifies a reader stored; the dashboard, its CSV and an
//! article's curve; bad headers, a failing database and a jumping clock.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use jiff::ToSpan as _;
use newsdesk::app::App;
use newsdesk::auth::users::Role;
use tower::ServiceExt as _;

use crate::backend_tests;
use crate::common::{TestApp, TestResponse};

backend_tests!(
    cached_and_rendered_pages_count_the_same_and_crawlers_apart,
    nothing_that_identifies_a_reader_reaches_the_database,
    the_dashboard_shows_views_sources_devices_and_searches,
    bad_headers_are_cut_and_a_failing_database_loses_no_count,
    several_nodes_add_up_and_old_hours_are_deleted,
    days_that_are_over_keep_the_rows_their_lists_need,
    every_counted_route_is_a_public_page,
);

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// A GET from a reader at `ip`, as the server's accept loop hands it on.
async fn read(t: &TestApp, path: &str, headers: &[(&str, &str)], ip: [u8; 4]) -> TestResponse {
    read_at(&t.app, &t.router, path, headers, ip).await
}

/// [`read`] on a node given by its application and router.
async fn read_at(
    app: &Arc<App>,
    router: &axum::Router,
    path: &str,
    headers: &[(&str, &str)],
    ip: [u8; 4],
) -> TestResponse {
    let _ = newsdesk::follower::sync(app).await;
    let mut request = Request::builder().method(Method::GET).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40_000))));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Writes the node's counts, as its flush loop does (without the retention).
async fn flush(t: &TestApp) {
    newsdesk::root::flush_analytics(&t.app, &mut i64::MAX.clone()).await.unwrap();
}

type PageRow = (String, i64, String, Option<i64>, i64);

async fn pages(t: &TestApp) -> Vec<PageRow> {
    sqlx::query_as("SELECT span, at, path, article_id, views FROM analytics_pages ORDER BY span, at, path")
        .fetch_all(&t.app.db.pool)
        .await
        .unwrap()
}

async fn devices(t: &TestApp, span: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT device, CAST(SUM(views) AS BIGINT) FROM analytics_devices WHERE span = $1 GROUP BY device ORDER BY device",
    )
    .bind(span)
    .fetch_all(&t.app.db.pool)
    .await
    .unwrap()
}

/// The same visits, to an article and the front page, from readers and crawlers.
async fn visit(t: &TestApp, slug: &str) {
    let article = format!("/news/{slug}");
    for i in 0..3u8 {
        let page = read(t, &article, &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let page =
        read(t, &article, &[("user-agent", IPHONE), ("referer", "https://www.google.de/")], [198, 51, 100, 9]).await;
    let etag = page.header("etag").to_string();
    // A browser's revalidation is a view too, answered 304.
    let again = read(t, &article, &[("user-agent", IPHONE), ("if-none-match", &etag)], [198, 51, 100, 9]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    read(t, "/", &[("user-agent", FIREFOX), ("referer", "https://t.co/x")], [198, 51, 100, 1]).await;
    // Crawlers: counted apart. A missing User-Agent is no browser.
    read(t, &article, &[("user-agent", GOOGLEBOT)], [66, 249, 66, 1]).await;
    read(t, "/", &[("user-agent", GOOGLEBOT)], [66, 249, 66, 1]).await;
    read(t, "/", &[], [203, 0, 113, 5]).await;
    // Not page views: a feed, the ActivityPub object, a missing page, a HEAD, an admin page.
    read(t, "/feed", &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    let object =
        read(t, &article, &[("user-agent", FIREFOX), ("accept", "application/activity+json")], [1, 2, 3, 4]).await;
    assert_eq!(object.status, StatusCode::OK);
    read(t, "/news/no-such-article", &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    read(t, "/admin/login", &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    // An editor's browser, marked at sign-in (`comments::sign_in_gives_nothing_away…` checks
    // the mark is set and cleared): not a reader.
    let editor = read(t, &article, &[("user-agent", FIREFOX), ("cookie", "x=y; nd_staff=1")], [198, 51, 100, 7]).await;
    assert_eq!(editor.status, StatusCode::OK);
}

async fn cached_and_rendered_pages_count_the_same_and_crawlers_apart(t: TestApp) {
    let uncached = TestApp::with_config(t.backend, |c| c.cache.enabled = false).await;
    let mut counted = Vec::new();
    for app in [&t, &uncached] {
        let article = app.publish("Der Hafen wächst").await;
        visit(app, article.slug.as_str()).await;
        flush(app).await;
        let rows: Vec<(String, String, Option<i64>, i64)> =
            pages(app).await.into_iter().map(|(span, _, path, id, n)| (span, path, id, n)).collect();
        assert!(
            rows.contains(&("h".into(), format!("/news/{}", article.slug), Some(article.id), 5)),
            "three readers, one phone and its revalidation: {rows:?}"
        );
        assert!(rows.contains(&("d".into(), "/".into(), None, 1)), "{rows:?}");
        assert_eq!(rows.len(), 6, "the article and the front page, by hour, day and month: {rows:?}");
        assert_eq!(
            devices(app, "d").await,
            [("bot".into(), 3), ("desktop".into(), 4), ("mobile".into(), 2)],
            "crawlers apart from readers"
        );
        let sources: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT medium, referrer, views FROM analytics_sources WHERE span = 'd' ORDER BY medium, referrer",
        )
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            sources,
            [
                ("direct".into(), String::new(), 4),
                ("search".into(), "google.de".into(), 1),
                ("social".into(), "t.co".into(), 1)
            ]
        );
        counted.push((rows, devices(app, "h").await, sources));
    }
    let hits = t.app.page_cache.stats().hits;
    assert!(hits >= 3, "the cached site answered from its cache ({hits} hits)");
    assert_eq!(counted[0], counted[1], "a page from the cache counts as a rendered one");
}

async fn nothing_that_identifies_a_reader_reaches_the_database(t: TestApp) {
    let article = t.publish("Kiel baut aus").await;
    let path = format!("/news/{}?utm_source=newsletter&utm_medium=email&who=anna@example.org", article.slug);
    let marker = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0 Marker-7f3a9";
    for i in 0..40u8 {
        let referer = format!("https://blog.example.net/private/reader-{i}?session=s3cr3t");
        read(&t, &path, &[("user-agent", marker), ("referer", &referer)], [192, 0, 2, i]).await;
        // The same readers again: one visitor each.
        read(&t, "/", &[("user-agent", marker)], [192, 0, 2, i]).await;
    }
    flush(&t).await;
    let mut stored = String::new();
    for (table, columns) in [
        ("analytics_pages", "span || ' ' || path"),
        ("analytics_sources", "medium || ' ' || referrer"),
        ("analytics_devices", "device"),
        ("analytics_searches", "term"),
        ("analytics_visitors", "node || ' ' || sketch"),
    ] {
        let sql = format!("SELECT {columns} FROM {table}");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&t.app.db.pool).await.unwrap();
        stored.push_str(&rows.join("\n"));
    }
    for secret in ["192.0.2", "Marker-7f3a9", "Firefox", "private", "reader-", "s3cr3t", "anna", "example.org", "utm_"]
    {
        assert!(!stored.contains(secret), "{secret:?} was stored:\n{stored}");
    }
    assert!(stored.contains("newsletter blog.example.net"), "the source is the host and the campaign: {stored}");
    let today = newsdesk::analytics::Day::of(t.app.now(), &t.app.time_zone()).start;
    let visitors = newsdesk::analytics::queries::visitors(&t.app.db, today, today + 1).await.unwrap();
    // An estimate: two readers may share a register (within 1.6 % of the truth, typically).
    assert_eq!(visitors.len(), 1);
    assert!((38..=42).contains(&visitors[0].1), "forty readers, each twice: {visitors:?}");
}

async fn the_dashboard_shows_views_sources_devices_and_searches(t: TestApp) {
    let article = t.publish("Werftarbeiter streiken").await;
    visit(&t, article.slug.as_str()).await;
    for i in 0..5u8 {
        read(&t, "/search?q=Werftarbeiter", &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
        read(&t, "/search?q=Zeppelinlandung", &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
    }
    // Searched fewer than five times: never listed.
    for _ in 0..4 {
        read(&t, "/search?q=Anna+Beispiel+Adresse", &[("user-agent", FIREFOX)], [198, 51, 100, 7]).await;
    }
    // The second page of a search is not another search.
    read(&t, "/search?q=Werftarbeiter&page=2", &[("user-agent", FIREFOX)], [198, 51, 100, 7]).await;
    flush(&t).await;

    let editor = t.sign_in(Role::Editor).await;
    let page = t.get_as("/admin/analytics?period=day", &editor).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in ["Werftarbeiter streiken", "google.de", "t.co", "werftarbeiter", "zeppelinlandung", "<svg"] {
        assert!(page.body.contains(shown), "{shown:?} is on the dashboard");
    }
    assert!(!page.body.contains("anna beispiel"), "a rare search is not listed");
    let searches = newsdesk::analytics::queries::searches(
        &t.app.db,
        newsdesk::analytics::queries::Rows::Kept,
        &newsdesk::analytics::queries::Segments::one(newsdesk::analytics::queries::Span::Day, 0, i64::MAX),
        5,
        10,
        false,
    )
    .await
    .unwrap();
    let found: Vec<(&str, i64, i64)> = searches.iter().map(|s| (s.term.as_str(), s.searches, s.empty)).collect();
    assert_eq!(found, [("werftarbeiter", 5, 0), ("zeppelinlandung", 5, 5)]);
    for period in ["week", "month", "year"] {
        let page = t.get_as(&format!("/admin/analytics?period={period}"), &editor).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Werftarbeiter streiken"), "{period}");
    }
    assert_eq!(t.get_as("/admin/analytics?period=decade", &editor).await.status, StatusCode::BAD_REQUEST);

    // Days an editor picks: today's views in a range that ends today, none in one before.
    let today = jiff::Timestamp::from_second(t.app.now()).unwrap().to_zoned(t.app.time_zone()).date();
    let (week_ago, yesterday) = (today.checked_sub(7.days()).unwrap(), today.yesterday().unwrap());
    let picked = t.get_as(&format!("/admin/analytics?from={week_ago}&to={today}"), &editor).await;
    assert_eq!(picked.status, StatusCode::OK, "{}", picked.body);
    assert!(picked.body.contains("Werftarbeiter streiken") && picked.body.contains(&format!("value=\"{week_ago}\"")));
    assert!(
        picked.body.contains(&format!("from={week_ago}&amp;to={today}&amp;table=articles")),
        "the CSV links keep the days"
    );
    let before = t.get_as(&format!("/admin/analytics?from={week_ago}&to={yesterday}"), &editor).await;
    assert!(!before.body.contains("Werftarbeiter streiken"), "nothing read in those days");
    let csv = t.get_as(&format!("/admin/analytics/export?from={yesterday}&to={today}&table=views"), &editor).await;
    assert_eq!(csv.body.lines().count(), 3, "a header and two days: {}", csv.body);
    // Days that hold a whole month read it by its monthly rows, and the days around by theirs:
    // every list the same as the week's, where all of it is today.
    let (around_from, around_to) =
        (today.first_of_month().checked_sub(3.days()).unwrap(), today.last_of_month().checked_add(2.days()).unwrap());
    for table in ["articles", "pages", "sources", "devices", "searches", "links"] {
        let week = t.get_as(&format!("/admin/analytics/export?period=week&table={table}"), &editor).await;
        let around = format!("/admin/analytics/export?from={around_from}&to={around_to}&table={table}");
        let around = t.get_as(&around, &editor).await;
        assert_eq!(around.status, StatusCode::OK, "{}", around.body);
        assert_eq!(around.body, week.body, "{table}");
        assert!(table == "links" || around.body.lines().count() > 1, "{table}: {}", around.body);
    }
    let around = t.get_as(&format!("/admin/analytics?from={around_from}&to={around_to}"), &editor).await;
    assert!(around.body.contains("Werftarbeiter streiken"), "the month's rows list the article");
    let year_ago = today.checked_sub(1.year()).unwrap().checked_sub(1.day()).unwrap();
    for bad in [
        format!("from={today}&to={week_ago}"),
        format!("from={year_ago}&to={today}"),
        format!("from={today}"),
        "from=2026-13-01&to=2026-13-02".to_string(),
        "from=gestern&to=heute".to_string(),
    ] {
        let refused = t.get_as(&format!("/admin/analytics?{bad}"), &editor).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let csv = t.get_as("/admin/analytics/export?period=week&table=articles", &editor).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body.contains(&format!("{},Werftarbeiter streiken,/news/{},5", article.id, article.slug)),
        "{}",
        csv.body
    );
    let views = t.get_as("/admin/analytics/export?period=day&table=views", &editor).await;
    assert_eq!(views.body.lines().count(), 25, "a header and 24 hours");
    assert_eq!(t.get_as("/admin/analytics/export?table=nonsense", &editor).await.status, StatusCode::BAD_REQUEST);

    let curve = t.get_as(&format!("/admin/analytics/articles/{}", article.id), &editor).await;
    assert_eq!(curve.status, StatusCode::OK);
    assert!(curve.body.contains("+0h: 5"), "the first hour's bar says its views");
    assert_eq!(t.get_as("/admin/analytics/articles/999999", &editor).await.status, StatusCode::NOT_FOUND);
    let editing = t.get_as(&format!("/admin/articles/{}", article.id), &editor).await;
    assert!(editing.body.contains("/admin/analytics/articles/"), "the editor links the article's readers");

    let moderator = t.sign_in(Role::Moderator).await;
    assert_eq!(t.get_as("/admin/analytics", &moderator).await.status, StatusCode::FORBIDDEN);
}

async fn bad_headers_are_cut_and_a_failing_database_loses_no_count(t: TestApp) {
    let article = t.publish("Lange Köpfe").await;
    let path = format!("/news/{}", article.slug);
    let giant_agent = format!("Mozilla/5.0 {}", "x".repeat(100_000));
    let giant_referrer = format!("https://{}.example/", "a".repeat(50_000));
    let page = read(&t, &path, &[("user-agent", &giant_agent), ("referer", &giant_referrer)], [198, 51, 100, 1]).await;
    assert_eq!(page.status, StatusCode::OK);
    read(&t, &path, &[("user-agent", FIREFOX), ("referer", "javascript:alert(1)")], [198, 51, 100, 2]).await;
    let long_search = format!("/search?q={}", "Hafen".repeat(10_000));
    assert_eq!(read(&t, &long_search, &[("user-agent", FIREFOX)], [198, 51, 100, 3]).await.status, StatusCode::OK);

    // The database refuses the flush: the counts wait for the next, and the pages are served.
    sqlx::query("ALTER TABLE analytics_pages RENAME TO analytics_pages_away").execute(&t.app.db.pool).await.unwrap();
    let failed = newsdesk::root::flush_analytics(&t.app, &mut i64::MAX.clone()).await;
    assert!(failed.is_err());
    assert_eq!(read(&t, &path, &[("user-agent", FIREFOX)], [198, 51, 100, 4]).await.status, StatusCode::OK);
    sqlx::query("ALTER TABLE analytics_pages_away RENAME TO analytics_pages").execute(&t.app.db.pool).await.unwrap();
    flush(&t).await;

    let rows = pages(&t).await;
    let article_views: i64 = rows.iter().filter(|r| r.0 == "d" && r.3 == Some(article.id)).map(|r| r.4).sum();
    assert_eq!(article_views, 3, "nothing lost, nothing twice: {rows:?}");
    let sources: Vec<(String, String)> =
        sqlx::query_as("SELECT medium, referrer FROM analytics_sources WHERE span = 'd'")
            .fetch_all(&t.app.db.pool)
            .await
            .unwrap();
    assert!(
        sources.iter().all(|(m, r)| r.len() <= 100 && m == "direct"),
        "forged referrers are no source: {sources:?}"
    );
    let terms: Vec<String> =
        sqlx::query_scalar("SELECT term FROM analytics_searches").fetch_all(&t.app.db.pool).await.unwrap();
    assert_eq!(terms.len(), 3, "hourly, daily and monthly: {terms:?}");
    assert!(terms.iter().all(|term| term.len() == 100), "a long search is cut");
}

async fn several_nodes_add_up_and_old_hours_are_deleted(t: TestApp) {
    let article = t.publish("Zwei Knoten").await;
    let path = format!("/news/{}", article.slug);
    // A second node on the same database, with its own counters.
    let db = newsdesk::db::Db::connect(&t.app.base_config).await.unwrap();
    let other = App::with_db(t.app.base_config.clone(), db).await.unwrap();
    let other_router = newsdesk::root::router(other.clone());
    for i in 0..30u8 {
        read(&t, &path, &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
    }
    // Twenty of the same readers and ten new ones reach the other node.
    for i in 10..40u8 {
        read_at(&other, &other_router, &path, &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
    }
    flush(&t).await;
    newsdesk::root::flush_analytics(&other, &mut i64::MAX.clone()).await.unwrap();
    let total: i64 = pages(&t).await.iter().filter(|r| r.0 == "d").map(|r| r.4).sum();
    assert_eq!(total, 60, "each node's views are added");
    let today = newsdesk::analytics::Day::of(t.app.now(), &t.app.time_zone()).start;
    let visitors = newsdesk::analytics::queries::visitors(&t.app.db, today, today + 1).await.unwrap();
    assert_eq!(visitors.len(), 1);
    assert!((38..=42).contains(&visitors[0].1), "a reader seen by both nodes counts once: {visitors:?}");

    // A clock that jumps ahead two days and back: every count lands in its hour and its day.
    t.app.clock.advance(2 * 86_400);
    read(&t, &path, &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    t.app.clock.advance(-2 * 86_400);
    read(&t, &path, &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    flush(&t).await;
    let rows = pages(&t).await;
    let sum = |span: &str| rows.iter().filter(|r| r.0 == span).map(|r| r.4).sum::<i64>();
    assert_eq!((sum("h"), sum("d"), sum("m")), (62, 62, 62), "hours, days and months agree: {rows:?}");

    // Forty days on, the hours are gone and the days remain.
    t.app.clock.advance(40 * 86_400);
    newsdesk::root::flush_analytics(&t.app, &mut i64::MIN.clone()).await.unwrap();
    let rows = pages(&t).await;
    assert!(rows.iter().all(|r| r.0 != "h"), "{rows:?}");
    let sum = |span: &str| rows.iter().filter(|r| r.0 == span).map(|r| r.4).sum::<i64>();
    assert_eq!((sum("d"), sum("m")), (62, 62));
}

/// Once a day is over, the lists of a week, a month or a year sum only the rows of it that were
/// among its most read (here one of each list); counts that arrive late reach them too; the CSV
/// still sums every row.
async fn days_that_are_over_keep_the_rows_their_lists_need(t: TestApp) {
    use newsdesk::analytics::queries::{self, Rows, Segments, Span};
    let first = t.publish("Hafenkran kippt").await;
    let second = t.publish("Wenig gelesen").await;
    let (first, second) = (format!("/news/{}", first.slug), format!("/news/{}", second.slug));
    for i in 0..3u8 {
        read(&t, &first, &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
    }
    read(&t, &second, &[("user-agent", FIREFOX)], [198, 51, 100, 9]).await;
    for i in 0..6u8 {
        read(&t, "/search?q=hafenkran", &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
        read(&t, "/search?q=qqqxxyz", &[("user-agent", FIREFOX)], [198, 51, 100, i]).await;
    }
    read(&t, "/search?q=hafenkran", &[("user-agent", FIREFOX)], [198, 51, 100, 8]).await;
    read(&t, "/search?q=werft", &[("user-agent", FIREFOX)], [198, 51, 100, 1]).await;
    flush(&t).await;
    let db = &t.app.db;
    let zone = t.app.time_zone();
    let week = &Segments::one(Span::Day, 0, i64::MAX);
    let listed = |rows| queries::top_pages(db, rows, week, 10);
    assert_eq!(queries::seal(db, &zone, t.app.now(), 1).await.unwrap(), 0, "today is not over");
    assert_eq!(listed(Rows::Kept).await.unwrap(), listed(Rows::All).await.unwrap());

    t.app.clock.advance(2 * 86_400);
    assert!(queries::seal(db, &zone, t.app.now(), 1).await.unwrap() >= 1);
    let all = listed(Rows::All).await.unwrap();
    assert!(all.contains(&(second.clone(), 1)), "{all:?}");
    let without_second: Vec<_> = all.iter().filter(|(path, _)| *path != second).cloned().collect();
    assert!(without_second.contains(&(first.clone(), 3)), "{all:?}");
    assert_eq!(
        listed(Rows::Kept).await.unwrap(),
        without_second,
        "the day kept its most visited page and the page of its most read article"
    );
    let articles = queries::top_articles(db, Rows::Kept, week, 10).await.unwrap();
    assert_eq!(articles.iter().map(|a| a.views).collect::<Vec<_>>(), vec![3]);
    let searches = queries::searches(db, Rows::Kept, week, 1, 10, false).await.unwrap();
    let terms: Vec<(&str, i64, i64)> = searches.iter().map(|s| (s.term.as_str(), s.searches, s.empty)).collect();
    assert!(terms.contains(&("hafenkran", 7, 0)), "the most frequent search is kept: {terms:?}");
    assert!(terms.contains(&("qqqxxyz", 6, 6)), "the search that most often found nothing is kept: {terms:?}");
    assert_eq!(terms.len(), 2, "{terms:?}");

    // A view of that day that reaches the database only now adds to its kept row.
    t.app.clock.advance(-2 * 86_400);
    read(&t, &first, &[("user-agent", FIREFOX)], [198, 51, 100, 7]).await;
    t.app.clock.advance(2 * 86_400);
    flush(&t).await;
    let kept = listed(Rows::Kept).await.unwrap();
    assert!(kept.contains(&(first.clone(), 4)), "{kept:?}");
    assert!(listed(Rows::All).await.unwrap().contains(&(first.clone(), 4)));

    let editor = t.sign_in(Role::Editor).await;
    let page = t.get_as("/admin/analytics?period=week", &editor).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hafenkran kippt"));
    let csv = t.get_as("/admin/analytics/export?period=week&table=pages", &editor).await;
    assert!(csv.body.contains(&second), "the export sums every row: {}", csv.body);
}

/// The counter knows the pages readers read by their route templates: each must be a public
/// GET route of the site, or a renamed route would silently stop counting.
async fn every_counted_route_is_a_public_page(t: TestApp) {
    let (_, table) = newsdesk::root::route_table(t.app.clone());
    for counted in newsdesk::analytics::COUNTED_ROUTES {
        let entry = table.iter().find(|e| e.path == *counted).unwrap_or_else(|| panic!("{counted} is no route"));
        assert!(entry.methods.contains(&"GET"), "{counted}");
        assert!(!matches!(entry.access, newsdesk::web::routes::Access::Staff(_)), "{counted} is public");
    }
}
