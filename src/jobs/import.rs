//! The partner feed: job listings polled from an RSS, Atom or JSON feed on a schedule.
//!
//! Listings are upserted by the feed's ids, and imported listings that left the feed are
//! withdrawn. A feed that cannot be fetched or parsed changes nothing: the run is recorded as
//! failed, with its reason, and every listing stays as it was.
//!
//! JSON: a list of objects (or `{"jobs": [...]}`) with `id`, `title`, `employer`, `location`,
//! `workplace` (remote, hybrid, onsite; or `remote: true`), `kind`, `description` (Markdown),
//! `apply_url` (or `url`), and optional `posted` and `expires` (RFC 3339 or `YYYY-MM-DD`).
//! RSS and Atom: each entry's id, title, link and content or summary; the employer is the
//! entry's author (else the feed's title); location, kind and workplace come from categories
//! written `location:Berlin`, `kind:part-time`, `workplace:remote`.

use std::collections::HashSet;

use serde_json::Value;

use super::model::JobDraft;
use super::queries::{self, ImportRun};
use crate::context::Context;

/// The largest feed read.
const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// Listings without an expiry run this many days.
pub const DEFAULT_DAYS: i64 = 30;

fn parse_time(value: &str) -> Option<i64> {
    let value = value.trim();
    if let Ok(ts) = value.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    let date: jiff::civil::Date = value.parse().ok()?;
    date.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second())
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn has_nul(id: &str, d: &JobDraft) -> bool {
    [id, &d.title, &d.employer, &d.location, &d.workplace, &d.kind, &d.description_md, &d.apply_url]
        .iter()
        .any(|text| text.contains('\0'))
}

fn parse_json(body: &[u8]) -> Result<Vec<(String, JobDraft)>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not valid JSON: {e}"))?;
    let list = match &value {
        Value::Array(items) => items,
        Value::Object(map) => {
            map.get("jobs").and_then(Value::as_array).ok_or("a JSON object without a \"jobs\" list")?
        }
        _ => return Err("JSON that is neither a list nor an object with \"jobs\"".into()),
    };
    Ok(list
        .iter()
        .map(|item| {
            let field =
                |names: &[&str]| names.iter().map(|n| text(&item[*n])).find(|v| !v.is_empty()).unwrap_or_default();
            let workplace = match &item["remote"] {
                Value::Bool(true) => "remote".to_string(),
                Value::Bool(false) => {
                    Some(field(&["workplace"])).filter(|w| !w.is_empty()).unwrap_or_else(|| "onsite".into())
                }
                _ => field(&["workplace"]),
            };
            let draft = JobDraft {
                title: field(&["title"]),
                employer: field(&["employer", "company"]),
                location: field(&["location"]),
                workplace,
                kind: field(&["kind", "employment_type"]),
                description_md: field(&["description"]),
                apply_url: field(&["apply_url", "url"]),
                posted_at: parse_time(&field(&["posted", "posted_at"])),
                expires_at: parse_time(&field(&["expires", "expires_at", "valid_through"])),
                sponsored: false,
            };
            (field(&["id"]), draft)
        })
        .collect())
}

fn parse_syndication(body: &[u8]) -> Result<Vec<(String, JobDraft)>, String> {
    let feed = feed_rs::parser::parse(body).map_err(|e| format!("not a valid RSS or Atom feed: {e}"))?;
    let feed_title = feed.title.as_ref().map(|t| t.content.clone()).unwrap_or_default();
    Ok(feed
        .entries
        .iter()
        .map(|entry| {
            let category = |prefix: &str| {
                entry
                    .categories
                    .iter()
                    .find_map(|c| c.term.strip_prefix(prefix).map(|v| v.trim().to_string()))
                    .unwrap_or_default()
            };
            let description = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
                .unwrap_or_default();
            let draft = JobDraft {
                title: entry.title.as_ref().map(|t| t.content.clone()).unwrap_or_default(),
                employer: entry
                    .authors
                    .first()
                    .and_then(|a| a.name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| feed_title.clone()),
                location: category("location:"),
                workplace: category("workplace:"),
                kind: category("kind:"),
                description_md: description,
                apply_url: entry.links.first().map(|l| l.href.clone()).unwrap_or_default(),
                posted_at: entry.published.or(entry.updated).map(|d| d.timestamp()),
                expires_at: None,
                sponsored: false,
            };
            (entry.id.clone(), draft)
        })
        .collect())
}

/// Parses a feed body: JSON when it starts like JSON, otherwise RSS or Atom.
pub fn parse(body: &[u8]) -> Result<Vec<(String, JobDraft)>, String> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[' | b'{') => parse_json(body),
        Some(_) => parse_syndication(body),
        None => Err("the feed is empty".into()),
    }
}

async fn fetch(config: &crate::config::Config, url: &str) -> Result<Vec<u8>, String> {
    let client = crate::outgoing::Outgoing::new(&config.outgoing).map_err(|e| format!("no HTTP client: {e}"))?;
    let fetched = client.get(url, MAX_FEED_BYTES as u64).await.map_err(|e| e.to_string())?;
    Ok(fetched.bytes)
}

/// Fetches and applies the partner feed once, records the run, and returns it.
pub async fn run(cx: &Context) -> anyhow::Result<ImportRun> {
    let url = cx.config.jobs.feed_url.clone();
    let now = cx.now;
    let mut run = ImportRun { started_at: now, ..Default::default() };
    let outcome: Result<(), String> = async {
        let body = fetch(&cx.config, &url).await?;
        let items = parse(&body)?;
        let total = items.len();
        // A feed without a single entry is more likely broken than a partner without jobs:
        // keep what we have.
        if total == 0 {
            return Err("has no entries".to_string());
        }
        let present: HashSet<String> =
            items.iter().map(|(id, _)| id.trim().to_string()).filter(|id| !id.is_empty()).collect();
        let mut valid = Vec::new();
        let mut refused = Vec::new();
        for (id, mut draft) in items {
            let id = id.trim().to_string();
            draft.sponsored = cx.config.jobs.feed_sponsored;
            match (id.is_empty(), draft.validate(now, DEFAULT_DAYS)) {
                (true, _) => refused.push("an entry without id".to_string()),
                // PostgreSQL cannot store U+0000 in text: one such entry must not fail the feed.
                _ if has_nul(&id, &draft) => refused.push("an entry with a NUL character".to_string()),
                (false, Ok(input)) if id.len() <= 500 => valid.push((id, input)),
                (false, Err(e)) => refused.push(format!("{id}: {e}")),
                (false, Ok(_)) => refused.push("an id longer than 500 characters".to_string()),
            }
        }
        // A feed whose every entry is unusable is broken: keep what we have.
        if valid.is_empty() {
            return Err(format!("none of its {total} entries is usable ({})", refused.join("; ")));
        }
        let (created, updated, withdrawn) =
            queries::apply_feed(&cx.db, &valid, &present, now).await.map_err(|e| format!("database: {e}"))?;
        run.created = created;
        run.updated = updated;
        run.withdrawn = withdrawn;
        run.message = if refused.is_empty() {
            format!("{total} entries")
        } else {
            format!("{total} entries, {} skipped: {}", refused.len(), refused.join("; "))
        };
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => run.ok = true,
        Err(reason) => {
            tracing::warn!(url, reason, "job feed import failed; listings kept");
            run.message = format!("feed {reason}");
        }
    }
    // The reason may quote the feed, NUL characters included, which PostgreSQL cannot store.
    run.message = run.message.chars().filter(|c| *c != '\0').take(2000).collect();
    queries::record_import(&cx.db, &run).await?;
    if run.ok {
        tracing::info!(created = run.created, updated = run.updated, withdrawn = run.withdrawn, "job feed imported");
    }
    Ok(run)
}

/// Runs an import when a feed is configured and the last one is older than the interval.
pub async fn run_if_due(cx: &Context) -> anyhow::Result<Option<ImportRun>> {
    let jobs = &cx.config.jobs;
    if jobs.feed_url.is_empty() {
        return Ok(None);
    }
    let last = queries::last_import(&cx.db).await?;
    let due = last.is_none_or(|l| cx.now - l.started_at >= i64::from(jobs.feed_interval_minutes) * 60);
    if due { Ok(Some(run(cx).await?)) } else { Ok(None) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_lists() {
        let items = parse(br#"{"jobs": [{"id": 7, "title": "Data Engineer", "employer": "X", "location": "Koeln",
            "remote": true, "kind": "full-time", "description": "Text", "url": "https://x.example/7", "expires": "2027-01-31"}]}"#)
        .unwrap();
        assert_eq!(items[0].0, "7");
        assert_eq!(items[0].1.workplace, "remote");
        assert_eq!(items[0].1.apply_url, "https://x.example/7");
        assert!(items[0].1.expires_at.is_some());
    }

    #[test]
    fn parses_rss_with_category_fields() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Partner</title><item>
            <guid>job-1</guid><title>Robotik-Ingenieur</title><link>https://p.example/1</link>
            <description>Wir bauen Roboter.</description><category>location:Augsburg</category>
            <category>kind:full-time</category><category>workplace:onsite</category></item></channel></rss>"#;
        let items = parse(rss).unwrap();
        assert_eq!(items[0].0, "job-1");
        assert_eq!(items[0].1.employer, "Partner");
        assert_eq!(items[0].1.location, "Augsburg");
        assert!(items[0].1.validate(0, 30).is_ok());
    }

    #[test]
    fn refuses_garbage() {
        assert!(parse(b"<rss><channel><item>").is_err());
        assert!(parse(b"{\"no\": 1}").is_err());
        assert!(parse(b"   ").is_err());
    }
}
