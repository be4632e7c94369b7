//! The old site's addresses, kept working: every address an import learns (a post's
//! permalink in whatever structure the old site used, `/?p=12`, `/category/x/`, `/tag/x/`,
//! `/author/x/`, `/feed/` and the feeds of each) is stored with where the same thing is now,
//! and answered with a 301 (`web::old_address`), so links and search rankings survive the move.

/// Query parameters by which WordPress addresses a post, a page, a term, an author or a feed
/// (`/?p=12`, `/?cat=3`, `/?feed=rss2`); any other query is not part of an old address.
const ADDRESSING: &[&str] = &["p", "page_id", "attachment_id", "cat", "tag", "author", "feed"];

/// An address as stored and looked up: path percent-decoded, lowercase, without a trailing
/// slash, and the first addressing parameter of the query if there is one. `None` for a path
/// that is not one (too long, or not absolute).
pub fn key(path: &str, query: Option<&str>) -> Option<String> {
    if !path.starts_with('/') || path.len() > 1000 {
        return None;
    }
    let decoded = super::html::percent_decode(path).to_lowercase();
    let trimmed = decoded.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    let addressing = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, value)| ADDRESSING.contains(&name.as_ref()) && !value.is_empty())
            .map(|(name, value)| format!("{name}={}", value.to_lowercase()))
    });
    Some(match addressing {
        Some(param) => format!("{path}?{param}"),
        None => path.to_string(),
    })
}

/// The key of an address given as a URL of the old site or as a path.
pub fn key_of_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/').unwrap_or(rest.len())..],
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    key(if path.is_empty() { "/" } else { path }, query)
}

/// Records that the old address `url` (a URL or a path) is now `target`; an address recorded
/// already keeps its first target. Returns whether it was new.
pub async fn record(
    tx: &mut sqlx::AnyConnection,
    source: &str,
    url: &str,
    target: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(path) = key_of_url(url) else { return Ok(false) };
    // An address that is this site's own (the home page, `/feed`) is left to it.
    if path == target || path == "/" {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO old_addresses (path, target, source, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (path) DO NOTHING",
    )
    .bind(&path)
    .bind(target)
    .bind(source)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records a post's old addresses and that of its comment feed; returns how many were new.
pub async fn record_post(
    tx: &mut sqlx::AnyConnection,
    source: &str,
    old_paths: &[String],
    slug: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let target = format!("/news/{slug}");
    let mut added = 0;
    for path in old_paths {
        added += u64::from(record(tx, source, path, &target, now).await?);
        // The post's comment feed, where the address is a path (not `?p=12`).
        if !path.contains('?') {
            let feed = format!("{}/feed/", path.trim_end_matches('/'));
            added += u64::from(record(tx, source, &feed, &format!("{target}/feed"), now).await?);
        }
    }
    Ok(added)
}

/// Where an old address is now, if it is one.
pub async fn find(db: &crate::db::Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT target FROM old_addresses WHERE path = $1").bind(key).fetch_optional(&db.pool).await
}

/// Whether a request to `path` with `query` may be an old address that a page of this site
/// would answer otherwise: the home page with an addressing parameter (`/?p=12`).
pub fn shadowed(path: &str, query: Option<&str>) -> bool {
    path == "/"
        && query
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(name, _)| ADDRESSING.contains(&name.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalised() {
        assert_eq!(key("/2019/05/07/Harbour-At-Dawn/", None).as_deref(), Some("/2019/05/07/harbour-at-dawn"));
        assert_eq!(key("/k%C3%BCche/", Some("utm_source=x")).as_deref(), Some("/küche"));
        assert_eq!(key("/", Some("utm=1&p=12")).as_deref(), Some("/?p=12"));
        assert_eq!(key("/", None).as_deref(), Some("/"));
        assert_eq!(key("relative", None), None);
        assert_eq!(key_of_url("http://old.example.test/blog/?p=12#c").as_deref(), Some("/blog?p=12"));
        assert_eq!(key_of_url("https://old.example.test").as_deref(), Some("/"));
        assert_eq!(key_of_url("/category/local-news/feed/").as_deref(), Some("/category/local-news/feed"));
        assert!(shadowed("/", Some("p=12")) && !shadowed("/", Some("page=2")) && !shadowed("/x", Some("p=1")));
    }
}
