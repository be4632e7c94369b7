//! Listing pages at any depth (issue 19): the maintained counts place every page exactly where a
//! plain walk through the articles puts it, through saves, scheduling, unpublishing, moves in
//! time and merged tags; and every listing query is answered from an index on both databases.

use axum::http::StatusCode;
use newsdesk::articles::listings::{self, Order, Statement};
use newsdesk::articles::queries::{self, COLUMNS, Filter, LIVE, Listing};
use newsdesk::queue::worker;
use sqlx::{AssertSqlSafe, Row as _};

use crate::backend_tests;
use crate::common::{Backend, TestApp, draft};

backend_tests!(every_page_of_every_listing_matches_a_plain_walk, listing_queries_are_answered_from_indexes);

/// The slugs of a listing's live articles in page order, by a plain query over the articles
/// that uses none of the maintained counts.
async fn plain_walk(t: &TestApp, listing: Listing) -> Vec<String> {
    let now = t.app.now();
    let (condition, label) = match listing {
        Listing::All => (String::new(), 0),
        Listing::Tag(id) => (" AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = $2)".into(), id),
        Listing::Author(id) => {
            (" AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = $2)".into(), id)
        }
        Listing::Between(start, end) => (format!(" AND a.published_at >= {start} AND a.published_at < {end}"), 0),
    };
    let sql = format!(
        "SELECT a.slug FROM articles a WHERE {LIVE}{condition} AND $2 = $2 ORDER BY a.published_at DESC, a.id DESC"
    );
    sqlx::query_scalar(AssertSqlSafe(sql)).bind(now).bind(label).fetch_all(&t.app.db.pool).await.unwrap()
}

/// Every page of the listing, `per_page` at a time, until the first page past the end.
async fn paged_walk(t: &TestApp, listing: Listing, per_page: u32) -> (Vec<String>, i64) {
    let mut slugs = Vec::new();
    let mut total = None;
    for page in 1.. {
        let (articles, count) = queries::list_live(&t.app.db, listing, page, per_page, t.app.now()).await.unwrap();
        assert_eq!(*total.get_or_insert(count), count, "the count is the same on every page");
        if articles.is_empty() {
            break;
        }
        assert!(articles.len() <= per_page as usize);
        slugs.extend(articles.into_iter().map(|a| a.slug));
    }
    (slugs, total.unwrap_or(0))
}

async fn tag_id(t: &TestApp, slug: &str) -> i64 {
    queries::find_tag(&t.app.db, slug).await.unwrap().expect("tag exists").0
}

async fn check_every_listing(t: &TestApp, stage: &str) {
    let zone = &t.app.db.zone;
    let now = t.app.now();
    let today = listings::day_of(zone, now);
    let mut cases = vec![
        ("all", Listing::All),
        ("tag ki", Listing::Tag(tag_id(t, "ki").await)),
        (
            "author ada",
            Listing::Author(queries::find_author(&t.app.db, "ada-lovelace").await.unwrap().expect("author").0),
        ),
        // Whole days (an archive month is such a span), and a span that is not.
        ("days", Listing::Between(listings::day_start(zone, today - 9), listings::day_start(zone, today - 2))),
        ("hours", Listing::Between(now - 5 * 86_400 - 1_234, now - 86_400 + 77)),
    ];
    if let Some((id, _)) = queries::find_tag(&t.app.db, "klima").await.unwrap() {
        cases.push(("tag klima", Listing::Tag(id)));
    }
    for (name, listing) in cases {
        let expected = plain_walk(t, listing).await;
        assert!(!expected.is_empty(), "{stage}: {name} lists articles");
        for per_page in [1, 3, 7, 100] {
            let (slugs, total) = paged_walk(t, listing, per_page).await;
            assert_eq!(slugs, expected, "{stage}: {name}, {per_page} a page");
            assert_eq!(total, expected.len() as i64, "{stage}: {name} counted");
        }
    }
}

async fn every_page_of_every_listing_matches_a_plain_walk(t: TestApp) {
    let now = t.app.now();
    let mut saved = Vec::new();
    for i in 0..40_i64 {
        let mut d = draft(&format!("Meldung {i}"));
        // Every seven hours back over twelve days; some at the same second as another.
        d.published_at = Some(now - 60 - (i / 2) * 7 * 3_600 - 1);
        d.tags = match i % 3 {
            0 => vec!["KI".into()],
            1 => vec!["Klima".into()],
            _ => vec!["KI".into(), "Klima".into()],
        };
        d.authors = if i % 4 == 0 { vec!["Bea Beispiel".into()] } else { vec!["Ada Lovelace".into()] };
        if i % 9 == 5 {
            d.status = Some("draft".into());
        }
        saved.push(t.create(d).await);
    }
    // Scheduled: one later today (counted, not live), one tomorrow.
    for (title, at) in [("Gleich", now + 600), ("Morgen", now + 86_400 + 5)] {
        let mut d = draft(title);
        d.status = Some("scheduled".into());
        d.published_at = Some(at);
        t.create(d).await;
    }
    check_every_listing(&t, "saved").await;

    // A page past the end is a 404; the last page is there.
    let last = (plain_walk(&t, Listing::All).await.len() as u32).div_ceil(t.app.config().site.per_page);
    assert_eq!(t.get(&format!("/page/{last}")).await.status, StatusCode::OK);
    assert_eq!(t.get(&format!("/page/{}", last + 1)).await.status, StatusCode::NOT_FOUND);

    // Tags changed, moved back in time, unpublished, published again.
    let change = |i: usize| saved[i].clone();
    let mut input = change(3).to_input();
    input.tags = vec!["Wetter".into()];
    queries::update(&t.app.db, &saved[3], &input, saved[3].version, now).await.unwrap();
    let mut input = change(8).to_input();
    input.published_at = Some(now - 30 * 86_400);
    queries::update(&t.app.db, &saved[8], &input, saved[8].version, now).await.unwrap();
    let mut input = change(10).to_input();
    input.status = newsdesk::articles::model::Status::Unpublished;
    queries::update(&t.app.db, &saved[10], &input, saved[10].version, now).await.unwrap();
    queries::publish(&t.app.db, &saved[5].slug, now).await.unwrap();
    check_every_listing(&t, "changed").await;

    // The scheduled article's time comes: live before the scheduler runs, and after.
    t.app.clock.advance(601);
    check_every_listing(&t, "due").await;
    worker::publish_scheduled(&t.app).await.unwrap();
    check_every_listing(&t, "published when due").await;

    // Klima merged into KI.
    use newsdesk::articles::labels::{self, Kind};
    let ki = labels::find(&t.app.db, Kind::Tag, tag_id(&t, "ki").await).await.unwrap().unwrap();
    let klima = labels::find(&t.app.db, Kind::Tag, tag_id(&t, "klima").await).await.unwrap().unwrap();
    labels::merge_tags(&t.app.db, &klima, &ki, t.app.now()).await.unwrap();
    check_every_listing(&t, "merged").await;

    // Counted again from scratch, the counts are the ones every save kept.
    let counts = |t: &TestApp| {
        let pool = t.app.db.pool.clone();
        async move {
            let days: Vec<(String, i64, i64, i64)> = sqlx::query(
                "SELECT kind, label_id, day, n FROM listing_days WHERE n <> 0 ORDER BY kind, label_id, day",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
            let totals: Vec<(String, i64, i64)> =
                sqlx::query("SELECT kind, label_id, n FROM listing_totals WHERE n <> 0 ORDER BY kind, label_id")
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect();
            (days, totals)
        }
    };
    let kept = counts(&t).await;
    sqlx::query("DELETE FROM listing_calendar").execute(&t.app.db.pool).await.unwrap();
    assert!(listings::ensure(&t.app.db).await.unwrap(), "counted again");
    assert!(!listings::ensure(&t.app.db).await.unwrap(), "once");
    assert_eq!(counts(&t).await, kept);

    // The archive's month list adds up to every live article.
    let days = queries::live_days(&t.app.db, t.app.now()).await.unwrap();
    let live = plain_walk(&t, Listing::All).await.len() as i64;
    assert_eq!(days.iter().map(|(_, n)| n).sum::<i64>(), live);
    assert_eq!(t.get("/archive").await.status, StatusCode::OK);
}

/// Runs `statement` under EXPLAIN and returns the plan's lines.
async fn plan(t: &TestApp, statement: &Statement) -> Vec<String> {
    let mut conn = t.app.db.pool.acquire().await.unwrap();
    let sql = match t.db_backend() {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {}", statement.sql),
        Backend::Postgres => {
            // On a small test database a full scan is cheapest; with scans and sorts priced
            // out, the planner shows whether an index can answer the query at all.
            for set in ["SET enable_seqscan = off", "SET enable_sort = off"] {
                sqlx::query(set).execute(&mut *conn).await.unwrap();
            }
            format!("EXPLAIN {}", statement.sql)
        }
    };
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for arg in &statement.args {
        query = query.bind(*arg);
    }
    let rows = query.fetch_all(&mut *conn).await.unwrap();
    if t.db_backend() == Backend::Postgres {
        sqlx::query("RESET ALL").execute(&mut *conn).await.unwrap();
    }
    let column = if t.db_backend() == Backend::Sqlite { 3 } else { 0 };
    rows.iter().map(|r| r.get::<String, _>(column)).collect()
}

/// Fails when a listing query scans a whole table or sorts its rows: the test that fails when a
/// query stops using its index.
async fn listing_queries_are_answered_from_indexes(t: TestApp) {
    t.publish("Eins").await;
    let zone = t.app.db.zone.clone();
    let now = t.app.now();
    let today = listings::day_of(&zone, now);
    let month = Listing::Between(listings::day_start(&zone, today - 30), listings::day_start(&zone, today));
    let tag = queries::find_tag(&t.app.db, "ki").await.unwrap().unwrap().0;
    let author = queries::find_author(&t.app.db, "ada-lovelace").await.unwrap().unwrap().0;
    let listings_ = [Listing::All, Listing::Tag(tag), Listing::Author(author), month];
    let mut statements = Vec::new();
    for listing in listings_ {
        statements.push(("count", listings::count_statement(&zone, listing, now)));
        statements.push(("first page", listings::page_statement(t.app.db.backend, COLUMNS, listing, None, 20, 0, now)));
        statements.push((
            "deep page",
            listings::page_statement(t.app.db.backend, COLUMNS, listing, Some(now - 86_400), 20, 17, now),
        ));
        for order in [Order::NewestFirst, Order::OldestFirst] {
            statements.push(("locate", listings::locate_statement(&zone, listing, order, 12_345).unwrap()));
        }
    }
    // The Content API's article lists: unfiltered, by tag, by author, by both, deep by cursor.
    let filters = [
        Filter::default(),
        Filter { tag: Some(tag), ..Filter::default() },
        Filter { author: Some(author), published_since: Some(now - 86_400 * 365), ..Filter::default() },
        Filter { author: Some(author), tag: Some(tag), ..Filter::default() },
        Filter { after: Some((now - 86_400, 12_345)), ..Filter::default() },
        Filter { tag: Some(tag), after: Some((now - 86_400, 12_345)), modified_since: Some(0), ..Filter::default() },
    ];
    for filter in &filters {
        statements.push(("API list", queries::filter_statement(t.db_backend(), filter, 21, now)));
    }
    // The comment feeds: the site's newest approved comments, and one article's.
    let article: i64 = sqlx::query_scalar("SELECT MIN(id) FROM articles").fetch_one(&t.app.db.pool).await.unwrap();
    for article_id in [None, Some(article)] {
        let statement = newsdesk::comments::queries::feed_statement(t.db_backend(), article_id, 20, now);
        statements.push(("comment feed", statement));
    }
    let tables = [
        "articles",
        "article_tags",
        "article_authors",
        "listing_days",
        "listing_totals",
        "tags",
        "authors",
        "comments",
    ];
    for (what, statement) in &statements {
        let lines = plan(&t, statement).await;
        let text = lines.join("\n");
        for line in &lines {
            let line = line.trim_start_matches([' ', '-', '>']);
            let full_scan = match t.db_backend() {
                Backend::Sqlite => line.strip_prefix("SCAN ").is_some_and(|rest| {
                    let name = rest.split(' ').next().unwrap_or_default();
                    (tables.contains(&name) || ["a", "c", "x"].contains(&name)) && !rest.contains("INDEX")
                }),
                Backend::Postgres => tables.iter().any(|table| line.starts_with(&format!("Seq Scan on {table}"))),
            };
            assert!(!full_scan, "{what} scans a whole table:\n{}\n{text}", statement.sql);
            // An `IN (SELECT …)` list read whole before the lookups: a topic's every article.
            assert!(!line.contains("LIST SUBQUERY"), "{what} reads a whole label's list:\n{}\n{text}", statement.sql);
            let sorts = match t.db_backend() {
                Backend::Sqlite => line.contains("TEMP B-TREE"),
                Backend::Postgres => line.starts_with("Sort ") || line.starts_with("Incremental Sort"),
            };
            assert!(!sorts, "{what} sorts instead of reading in index order:\n{}\n{text}", statement.sql);
        }
    }
}

/// The statistics `ANALYZE` wrote on a generated SQLite site of 100,000 articles and ten million
/// comments (bench/deep_pages.sh), for the tables the comment feeds read.
const LARGE_SITE_STATS: &[(&str, &str, &str)] = &[
    ("comments", "comments_approved_recent", "10000000 100 1"),
    ("comments", "comments_status_risk", "10000000 10000000 10000000"),
    ("comments", "comments_article", "10000000 100 100 100"),
    ("comments", "comments_parent_id", "10000000 10000000"),
    ("articles", "articles_live", "100000 1 1 1"),
    ("articles", "articles_status_published_at", "100000 100000 1"),
    ("articles", "articles_listing", "100000 1 1"),
    ("articles", "sqlite_autoindex_articles_1", "100000 1"),
];

/// SQLite plans by its statistics, and a test database has none: the comment feeds' plans are
/// checked again with a large site's. With them, SQLite 3.51 built a Bloom filter over every
/// article before reading the site's newest comments (150-400 ms at 100,000 articles).
#[tokio::test]
async fn comment_feeds_keep_their_plans_with_a_large_sites_statistics() {
    let t = TestApp::new(crate::common::Backend::Sqlite).await;
    t.publish("Eins").await;
    let article: i64 = sqlx::query_scalar("SELECT MIN(id) FROM articles").fetch_one(&t.app.db.pool).await.unwrap();
    let mut conn = t.app.db.pool.acquire().await.unwrap();
    sqlx::query("ANALYZE").execute(&mut *conn).await.unwrap();
    sqlx::query("DELETE FROM sqlite_stat1").execute(&mut *conn).await.unwrap();
    for (table, index, stat) in LARGE_SITE_STATS {
        sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ($1, $2, $3)")
            .bind(*table)
            .bind(*index)
            .bind(*stat)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    // Reads the statistics again, on this connection.
    sqlx::query("ANALYZE sqlite_schema").execute(&mut *conn).await.unwrap();
    for article_id in [None, Some(article)] {
        let statement = newsdesk::comments::queries::feed_statement(Backend::Sqlite, article_id, 20, t.app.now());
        let mut query = sqlx::query(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {}", statement.sql)));
        for arg in &statement.args {
            query = query.bind(*arg);
        }
        let lines: Vec<String> =
            query.fetch_all(&mut *conn).await.unwrap().iter().map(|r| r.get::<String, _>(3)).collect();
        let text = lines.join("\n");
        assert!(!text.contains("BLOOM FILTER"), "builds a Bloom filter first:\n{text}");
        assert!(!text.contains("TEMP B-TREE"), "sorts:\n{text}");
        assert!(!lines.iter().any(|l| l.starts_with("SCAN ") && !l.contains("INDEX")), "scans a table:\n{text}");
    }
}
