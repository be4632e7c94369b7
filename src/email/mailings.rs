//! What readers' mail did, counted by mailing and never by reader. A mailing is one newsletter
//! campaign or digest, the similar-news alerts about one new article, or one day's alert
//! summaries. Each keeps sums: messages delivered, refused for good (bounced) and given up
//! after every try, and readers who left through its unsubscribe link.
//!
//! Clicks: when a mailing goes out, each of its links is written to `mail_links` and its
//! messages link to `/l/{id}` instead, which sends the reader on and is counted with the page
//! views (`analytics`). The link names the mailing and the address, not the reader: every
//! recipient of a mailing gets the same links.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row as _};

use crate::db::Db;

/// A mailing's identity: what it counts.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Campaign(i64),
    /// The alerts announcing this article.
    Alert(i64),
    /// The alert summaries of this day (YYYY-MM-DD, the publication's calendar).
    AlertSummary(&'a str),
}

impl Key<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Key::Campaign(_) => "campaign",
            Key::Alert(_) => "alert",
            Key::AlertSummary(_) => "alert_summary",
        }
    }

    fn text(&self) -> String {
        match self {
            Key::Campaign(id) => format!("campaign:{id}"),
            Key::Alert(id) => format!("alert:{id}"),
            Key::AlertSummary(day) => format!("alert_summary:{day}"),
        }
    }
}

/// The mailing of `key`, made when it is first sent; returns its id. `title` names it on the
/// dashboard (a subject, an article's title).
pub async fn open(conn: &mut AnyConnection, key: Key<'_>, title: &str, now: i64) -> Result<i64, sqlx::Error> {
    let (campaign, article) = match key {
        Key::Campaign(id) => (Some(id), None),
        Key::Alert(id) => (None, Some(id)),
        Key::AlertSummary(_) => (None, None),
    };
    let text = key.text();
    sqlx::query(
        "INSERT INTO mailings (kind, key, campaign_id, article_id, title, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key.kind())
    .bind(&text)
    .bind(campaign)
    .bind(article)
    .bind(title)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM mailings WHERE key = $1").bind(&text).fetch_one(&mut *conn).await
}

/// The most links of one mailing sent through the redirect; further links stay as written.
pub const MAX_LINKS: usize = 200;

/// A mailing's links while its messages are written: each address gets its row once, and every
/// message of the mailing the same `/l/{id}` for it.
#[derive(Debug)]
pub struct Links {
    mailing: i64,
    /// The site's address: the redirect's links start with it.
    base_url: String,
    /// Whether clicks are counted (`analytics.enabled` and `analytics.count_mail_clicks`);
    /// otherwise links stay as written.
    counted: bool,
    /// The Impressum, which the law wants one plain click away: left as written.
    imprint_url: Option<String>,
    known: HashMap<String, i64>,
}

impl Links {
    pub fn new(mailing: i64, app: &dyn super::Env) -> Links {
        let config = app.config();
        Links {
            mailing,
            base_url: config.site.base_url.trim_end_matches('/').to_string(),
            counted: config.analytics.enabled && config.analytics.count_mail_clicks,
            imprint_url: app.mail_site().imprint_url,
            known: HashMap::new(),
        }
    }

    pub fn mailing(&self) -> i64 {
        self.mailing
    }

    /// The redirect for `url`, its row written in the caller's transaction when new. `None`:
    /// the address stays as written (not a web address, or the mailing has its fill of links).
    async fn redirect(&mut self, conn: &mut AnyConnection, url: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
        if !is_web_address(url) || self.imprint_url.as_deref() == Some(url) {
            return Ok(None);
        }
        let id = match self.known.get(url) {
            Some(id) => *id,
            None if self.known.len() >= MAX_LINKS => return Ok(None),
            None => {
                sqlx::query(
                    "INSERT INTO mail_links (mailing_id, url, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (mailing_id, url) DO NOTHING",
                )
                .bind(self.mailing)
                .bind(url)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                let id: i64 = sqlx::query_scalar("SELECT id FROM mail_links WHERE mailing_id = $1 AND url = $2")
                    .bind(self.mailing)
                    .bind(url)
                    .fetch_one(&mut *conn)
                    .await?;
                self.known.insert(url.to_string(), id);
                id
            }
        };
        Ok(Some(format!("{}/l/{id}", self.base_url)))
    }

    /// A message's text and HTML parts with their web links (`http`, `https`) sent through the
    /// redirect. The reader's own links (placeholders until sending) are left alone.
    pub async fn rewrite(
        &mut self,
        conn: &mut AnyConnection,
        text: &str,
        html: &str,
        now: i64,
    ) -> Result<(String, String), sqlx::Error> {
        if !self.counted {
            return Ok((text.to_string(), html.to_string()));
        }
        let html = self.replace(conn, html, hrefs(html), true, now).await?;
        let text = self.replace(conn, text, web_addresses(text), false, now).await?;
        Ok((text, html))
    }

    /// `source` with the addresses at `ranges` replaced by their redirects; `escaped`: the
    /// addresses are HTML attribute values.
    async fn replace(
        &mut self,
        conn: &mut AnyConnection,
        source: &str,
        ranges: Vec<(usize, usize)>,
        escaped: bool,
        now: i64,
    ) -> Result<String, sqlx::Error> {
        let mut out = String::with_capacity(source.len());
        let mut last = 0;
        for (start, end) in ranges {
            let written = &source[start..end];
            let url = if escaped { unescape_attribute(written) } else { written.to_string() };
            out.push_str(&source[last..start]);
            match self.redirect(conn, &url, now).await? {
                Some(to) => out.push_str(&to),
                None => out.push_str(written),
            }
            last = end;
        }
        out.push_str(&source[last..]);
        Ok(out)
    }
}

/// The parameters a followed link to a page of this site gets. Mail programs send no referrer,
/// so without them the page view the click leads to would count as a direct visit; with them
/// it counts as one from mail (`analytics::classify::is_campaign`). They name the medium, never
/// the reader nor the mailing.
pub const FROM_MAIL: &str = "utm_medium=email&utm_source=newsletter";

/// `url` with [`FROM_MAIL`] added when it is a page of the site at `base_url`; any other
/// address as it is.
pub fn marked_from_mail(url: &str, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let own = url.strip_prefix(base).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    if !own || url.contains(FROM_MAIL) {
        return url.to_string();
    }
    let (address, fragment) = url.split_at(url.find('#').unwrap_or(url.len()));
    let joiner = if address.contains('?') {
        "&"
    } else if address == base {
        "/?"
    } else {
        "?"
    };
    format!("{address}{joiner}{FROM_MAIL}{fragment}")
}

/// A mailing's HTML with the redirects (`{base_url}/l/{id}`) of its links back to the
/// addresses they lead to: for the editors' preview, whose clicks are not a reader's.
pub async fn direct_links(db: &Db, mailing: i64, base_url: &str, html: &str) -> Result<String, sqlx::Error> {
    let targets: HashMap<String, String> = links_of(db, mailing)
        .await?
        .into_iter()
        .map(|(id, url)| (format!("{}/l/{id}", base_url.trim_end_matches('/')), url))
        .collect();
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (start, end) in hrefs(html) {
        if let Some(url) = targets.get(&html[start..end]) {
            out.push_str(&html[last..start]);
            out.push_str(&crate::text::escape_html(url));
            last = end;
        }
    }
    out.push_str(&html[last..]);
    Ok(out)
}

/// A web address to count (at most 2,000 bytes); not a reader's own link.
fn is_web_address(url: &str) -> bool {
    crate::text::is_web_link(url) && !url.contains("%%")
}

/// The byte ranges of the web addresses in the `href="…"` attributes of a piece of HTML.
fn hrefs(html: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find("href=\"") {
        let start = from + at + "href=\"".len();
        let Some(len) = html[start..].find('"') else { break };
        let end = start + len;
        // Only an attribute: the word before `href` ends a tag's name or another attribute.
        let before = html[..from + at].chars().next_back();
        if before.is_some_and(char::is_whitespace) && is_web_address(&html[start..end]) {
            found.push((start, end));
        }
        from = end;
    }
    found
}

/// The HTML escapes an attribute value may carry (the templates and the Markdown renderer
/// write these).
fn unescape_attribute(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The byte ranges of web addresses in plain text: from `http://` or `https://` to the next
/// space or bracket, without a sentence's closing punctuation.
fn web_addresses(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("http") {
        let start = from + at;
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')' | '[' | ']'))
            .unwrap_or(text.len() - start);
        let mut end = start + len;
        while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', '\'']) {
            end -= 1;
        }
        // Not in the middle of a word ("xhttp://").
        let inside_word = text[..start].chars().next_back().is_some_and(char::is_alphanumeric);
        if !inside_word && is_web_address(&text[start..end]) && end - start > "https://".len() {
            found.push((start, end));
        }
        from = start + len.max(4);
    }
    found
}

/// Where a mail link leads, by its id.
pub async fn link_target(db: &Db, link: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT url FROM mail_links WHERE id = $1").bind(link).fetch_optional(&db.pool).await
}

/// Adds delivered messages to their mailings: (mailing, count).
pub async fn add_delivered(conn: &mut AnyConnection, delivered: &HashMap<i64, i64>) -> Result<(), sqlx::Error> {
    for (mailing, n) in delivered {
        sqlx::query("UPDATE mailings SET delivered = delivered + $1 WHERE id = $2")
            .bind(n)
            .bind(mailing)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// How a message of a mailing ended when it was not delivered.
#[derive(Debug, Clone, Copy)]
pub enum Undelivered {
    /// The mail server refused it for good.
    Bounced,
    /// It failed every try.
    Failed,
}

pub async fn add_undelivered(conn: &mut AnyConnection, mailing: i64, how: Undelivered) -> Result<(), sqlx::Error> {
    let sql = match how {
        Undelivered::Bounced => "UPDATE mailings SET bounced = bounced + 1 WHERE id = $1",
        Undelivered::Failed => "UPDATE mailings SET failed = failed + 1 WHERE id = $1",
    };
    sqlx::query(sql).bind(mailing).execute(&mut *conn).await?;
    Ok(())
}

/// Counts a reader who left through a mailing's link (an unknown mailing counts nothing).
pub async fn add_unsubscribe(conn: &mut AnyConnection, mailing: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE mailings SET unsubscribes = unsubscribes + 1 WHERE id = $1")
        .bind(mailing)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A mailing's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mailing {
    pub id: i64,
    /// `campaign`, `alert` or `alert_summary`.
    pub kind: String,
    pub campaign_id: Option<i64>,
    pub article_id: Option<i64>,
    pub title: String,
    pub created_at: i64,
    pub delivered: i64,
    pub bounced: i64,
    pub failed: i64,
    pub unsubscribes: i64,
}

const COLUMNS: &str = "id, kind, campaign_id, article_id, title, created_at, delivered, bounced, failed, unsubscribes";

fn mailing(r: &sqlx::any::AnyRow) -> Result<Mailing, sqlx::Error> {
    Ok(Mailing {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        campaign_id: r.try_get("campaign_id")?,
        article_id: r.try_get("article_id")?,
        title: r.try_get("title")?,
        created_at: r.try_get("created_at")?,
        delivered: r.try_get("delivered")?,
        bounced: r.try_get("bounced")?,
        failed: r.try_get("failed")?,
        unsubscribes: r.try_get("unsubscribes")?,
    })
}

/// The mailings sent in `[from, to)`, newest first.
pub async fn sent_between(db: &Db, from: i64, to: i64, limit: i64) -> Result<Vec<Mailing>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM mailings WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(mailing)
        .collect()
}

/// The mailing of a campaign, once it went out.
pub async fn of_campaign(db: &Db, campaign: i64) -> Result<Option<Mailing>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM mailings WHERE campaign_id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(campaign)
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(mailing)
        .transpose()
}

/// A mailing's links, in the order they were written.
pub async fn links_of(db: &Db, mailing: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, url FROM mail_links WHERE mailing_id = $1 ORDER BY id")
        .bind(mailing)
        .fetch_all(&db.pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_this_site_say_they_come_from_mail() {
        let base = "https://zeitung.example";
        let mark = |url: &str| marked_from_mail(url, base);
        assert_eq!(
            mark("https://zeitung.example/news/hafen"),
            format!("https://zeitung.example/news/hafen?{FROM_MAIL}")
        );
        assert_eq!(
            mark("https://zeitung.example/tag/x?page=2#top"),
            format!("https://zeitung.example/tag/x?page=2&{FROM_MAIL}#top")
        );
        assert_eq!(mark("https://zeitung.example"), format!("https://zeitung.example/?{FROM_MAIL}"));
        assert_eq!(mark(&mark("https://zeitung.example/a")), mark("https://zeitung.example/a"), "once");
        for other in ["https://example.org/news/hafen", "https://zeitung.example.evil/news", "mailto:x@zeitung.example"]
        {
            assert_eq!(mark(other), other, "another address stays as it is");
        }
    }

    #[test]
    fn links_are_found_in_attributes_and_text() {
        let html = r#"<a href="https://news.example/news/a?x=1&amp;y=2" class="x">A</a> <a href="%%UNSUBSCRIBE_URL%%">ab</a>
            <a href="mailto:r@example.org">m</a> <span data-href="https://no.example/">"#;
        let found: Vec<String> = hrefs(html).iter().map(|&(s, e)| unescape_attribute(&html[s..e])).collect();
        assert_eq!(found, ["https://news.example/news/a?x=1&y=2"]);

        let text = "Lesen: den Bericht (https://news.example/news/a). Und https://example.org/x.\n\
                    Abmelden: %%UNSUBSCRIBE_URL%% xhttps://no.example http:// <https://b.example/c>";
        let found: Vec<&str> = web_addresses(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["https://news.example/news/a", "https://example.org/x", "https://b.example/c"]);
    }
}
