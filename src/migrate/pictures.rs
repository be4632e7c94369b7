//! Pictures (and sound and video files) an imported post uses, brought from the old host into
//! the media library, and the post's HTML pointed at the local copies.
//!
//! Fetching goes through the one outgoing client (time limit, size limit, no private
//! addresses unless allowed), a few at a time; each picture passes the library's checks and
//! gets its variants like an upload, each recording is checked by its content
//! (`media::files`). `import_map` remembers every address fetched, so a second run, or a later
//! post using the same file, fetches nothing again. A picture that cannot be fetched is
//! reported with its address and leaves a visible note in the post, not a broken image; a
//! recording that cannot be fetched becomes a link to its old address.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::html::{escape, find_tags};
use crate::config::Language;
use crate::context::Context;
use crate::outgoing::{FetchError, Outgoing};

/// The largest picture fetched: the library's own upload limit.
const MAX_PICTURE: u64 = crate::media::MAX_UPLOAD as u64;
/// Attempts per picture; a failure that may pass (a timeout, a 5xx) is tried again.
const ATTEMPTS: u32 = 3;

/// What a fetched file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A picture in the library, with its variants.
    Picture,
    /// A sound or video file, kept as it is.
    Recording,
}

impl Kind {
    /// Where fetched files are remembered in `import_map`.
    fn source(self) -> &'static str {
        match self {
            Kind::Picture => "picture",
            Kind::Recording => "recording",
        }
    }
}

/// A file to fetch, with the words that describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub kind: Kind,
    pub url: String,
    pub alt: String,
    pub credit: String,
}

impl Wanted {
    pub fn recording(url: &str) -> Wanted {
        Wanted { kind: Kind::Recording, url: url.to_string(), alt: String::new(), credit: String::new() }
    }
}

/// Fetches pictures for a run of the import.
pub struct Fetcher {
    client: Outgoing,
    concurrency: usize,
    /// Addresses already in the library, to their local path.
    known: HashMap<String, String>,
    /// Addresses that failed in this run, with why: not tried again for a later post.
    failed: HashMap<String, String>,
}

/// What happened to a post's pictures and recordings.
#[derive(Debug, Default)]
pub struct Outcome {
    pub fetched: u64,
    pub recordings: u64,
    pub reused: u64,
    /// Address and reason of each picture not fetched.
    pub failed: Vec<(String, String)>,
}

impl Fetcher {
    pub fn new(client: Outgoing, concurrency: usize) -> Fetcher {
        Fetcher { client, concurrency: concurrency.max(1), known: HashMap::new(), failed: HashMap::new() }
    }

    /// Brings every picture of `wanted` into the library, at most `concurrency` at once, and
    /// returns the local path of each one that is there now.
    pub async fn fetch_all(
        &mut self,
        cx: &Context,
        wanted: &[Wanted],
        outcome: &mut Outcome,
    ) -> HashMap<String, String> {
        let mut todo: Vec<Wanted> = Vec::new();
        let mut seen = HashSet::new();
        for w in wanted {
            if !seen.insert(w.url.clone()) {
                continue;
            }
            if self.known.contains_key(&w.url) {
                outcome.reused += 1;
            } else if let Some(reason) = self.failed.get(&w.url) {
                outcome.failed.push((w.url.clone(), reason.clone()));
            } else {
                match remembered(cx, w).await {
                    Ok(Some(path)) => {
                        self.known.insert(w.url.clone(), path);
                        outcome.reused += 1;
                    }
                    Ok(None) => todo.push(w.clone()),
                    Err(e) => outcome.failed.push((w.url.clone(), format!("database: {e}"))),
                }
            }
        }
        let permits = Arc::new(tokio::sync::Semaphore::new(self.concurrency));
        let mut running = tokio::task::JoinSet::new();
        for w in todo {
            let permits = permits.clone();
            let client = self.client.clone();
            let cx = cx.clone();
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = fetch_one(&cx, &client, &w).await;
                (w.url, w.kind, result)
            });
        }
        while let Some(done) = running.join_next().await {
            match done {
                Ok((url, kind, Ok(path))) => {
                    self.known.insert(url, path);
                    match kind {
                        Kind::Picture => outcome.fetched += 1,
                        Kind::Recording => outcome.recordings += 1,
                    }
                }
                Ok((url, _, Err(reason))) => {
                    tracing::warn!(url, reason, "picture not imported");
                    self.failed.insert(url.clone(), reason.clone());
                    outcome.failed.push((url, reason));
                }
                Err(e) => tracing::error!(error = %e, "picture fetch task failed"),
            }
        }
        wanted.iter().filter_map(|w| self.known.get(&w.url).map(|p| (w.url.clone(), p.clone()))).collect()
    }
}

/// The local path of a file an earlier run fetched.
async fn remembered(cx: &Context, wanted: &Wanted) -> Result<Option<String>, sqlx::Error> {
    let Some(id) = super::mapped(&cx.db.pool, wanted.kind.source(), &wanted.url).await? else { return Ok(None) };
    match wanted.kind {
        Kind::Picture => Ok(crate::media::find(&cx.db, id).await?.map(|m| m.path("page"))),
        Kind::Recording => Ok(crate::media::files::by_id(&cx.db, id).await?.map(|f| f.path())),
    }
}

/// Fetches one file, with retries, and stores it; its local path, or the reason it cannot be
/// had.
async fn fetch_one(cx: &Context, client: &Outgoing, wanted: &Wanted) -> Result<String, String> {
    let limit = match wanted.kind {
        Kind::Picture => MAX_PICTURE,
        Kind::Recording => crate::media::files::MAX_FILE,
    };
    let mut attempt = 0;
    let fetched = loop {
        attempt += 1;
        match client.get(&wanted.url, limit).await {
            Ok(fetched) => break fetched,
            Err(e) if attempt < ATTEMPTS && passing(&e) => {
                tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(attempt))).await;
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let name = super::html::file_name(&wanted.url);
    let (id, path) = match wanted.kind {
        Kind::Picture => {
            let upload = crate::media::Upload {
                file_name: name,
                bytes: &fetched.bytes,
                alt: &wanted.alt,
                credit: &wanted.credit,
            };
            let id = match crate::media::store(cx, &upload, None).await {
                Ok(Ok((id, _))) => id,
                Ok(Err(refusal)) => return Err(refusal_text(&refusal).to_string()),
                Err(e) => return Err(format!("not stored: {e}")),
            };
            let media = crate::media::find(&cx.db, id).await.map_err(|e| format!("database: {e}"))?;
            (id, media.map(|m| m.path("page")).ok_or_else(|| "stored, then gone".to_string())?)
        }
        Kind::Recording => match crate::media::files::store(cx, name, &fetched.bytes).await {
            Ok(Ok(file)) => (file.id, file.path()),
            Ok(Err(refusal)) => return Err(refusal.to_string()),
            Err(e) => return Err(format!("not stored: {e}")),
        },
    };
    super::remember(&cx.db.pool, wanted.kind.source(), &wanted.url, id, cx.now)
        .await
        .map_err(|e| format!("database: {e}"))?;
    Ok(path)
}

/// Whether trying again may help: the host did not answer, or answered with a server error.
fn passing(error: &FetchError) -> bool {
    match error {
        FetchError::Unreachable(_) => true,
        FetchError::Status(status) => status.is_server_error() || status.as_u16() == 429,
        _ => false,
    }
}

fn refusal_text(refusal: &crate::media::Refusal) -> &'static str {
    use crate::media::Refusal;
    match refusal {
        Refusal::Empty => "the answer was empty",
        Refusal::TooLarge => "larger than the library's upload limit",
        Refusal::NotAnImage => "not a JPEG, PNG, GIF or WebP picture",
        Refusal::TooManyPixels => "too many pixels",
        Refusal::Broken => "a broken picture",
        Refusal::NoAlt => "no alternative text",
        Refusal::AltTooLong => "alternative text too long",
    }
}

/// The pictures `html` shows from other hosts (`<img src>`), each with its alt text, or
/// `fallback_alt` where it has none (the library needs one).
pub fn wanted_in(html: &str, fallback_alt: &str) -> Vec<Wanted> {
    find_tags(html, "img")
        .into_iter()
        .filter_map(|img| {
            let src = img.attr("src")?.trim();
            let remote = src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//");
            remote.then(|| Wanted {
                kind: Kind::Picture,
                url: absolute(src),
                alt: Some(img.attr("alt").unwrap_or_default().trim())
                    .filter(|a| !a.is_empty())
                    .unwrap_or(fallback_alt)
                    .to_string(),
                credit: String::new(),
            })
        })
        .collect()
}

fn absolute(src: &str) -> String {
    if src.starts_with("//") { format!("https:{src}") } else { src.to_string() }
}

/// Points the post's pictures at their local copies, and each link to a fetched picture (the
/// full-size link around a thumbnail) too. A picture from another host with no local copy
/// becomes a visible note naming it; returns how many did.
pub fn rewrite(html: &str, local: &HashMap<String, String>, language: Language) -> (String, u64) {
    let mut out = String::with_capacity(html.len());
    let mut missing = 0;
    let mut at = 0;
    for img in find_tags(html, "img") {
        out.push_str(&html[at..img.start]);
        let src = img.attr("src").unwrap_or_default().trim();
        let remote = src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//");
        let alt = img.attr("alt").unwrap_or_default().trim();
        match local.get(&absolute(src)) {
            Some(path) => {
                out.push_str(&format!("<img src=\"{}\" alt=\"{}\"", escape(path), escape(alt)));
                for key in ["width", "height"] {
                    if let Some(v) = img.attr(key).filter(|v| v.bytes().all(|b| b.is_ascii_digit())) {
                        out.push_str(&format!(" {key}=\"{v}\""));
                    }
                }
                out.push('>');
            }
            None if remote => {
                missing += 1;
                let note = match language {
                    Language::De => "Bild nicht übernommen",
                    Language::En => "Picture not carried over",
                };
                let file = super::html::file_name(src);
                let name = if alt.is_empty() { file } else { alt };
                out.push_str(&format!("<span class=\"missing-picture\">[{note}: {}]</span>", escape(name)));
            }
            None => out.push_str(&html[img.start..img.end]),
        }
        at = img.end;
    }
    out.push_str(&html[at..]);
    // Links to a picture fetched (WordPress links thumbnails to the full size).
    let mut linked = String::with_capacity(out.len());
    let mut at = 0;
    for a in find_tags(&out, "a") {
        let href = a.attr("href").unwrap_or_default().trim();
        if let Some(path) = local.get(&absolute(href)) {
            linked.push_str(&out[at..a.start]);
            linked.push_str(&format!("<a href=\"{}\">", escape(path)));
            at = a.end;
        }
    }
    linked.push_str(&out[at..]);
    (linked, missing)
}

/// Unknown names counted, as a report keeps them.
pub fn count_into(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (name, n) in from {
        *into.entry(name).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_remote_pictures_and_rewrites_them() {
        let html = r#"<p><a href="http://old.test/a.jpg"><img src="http://old.test/a-300x200.jpg" alt="" width="300" height="200" srcset="x"></a><img src="/media/1/page.jpg" alt="hier"><img src="https://old.test/gone.jpg" alt="Weg"></p>"#;
        let wanted = wanted_in(html, "Titel");
        assert_eq!(
            wanted.iter().map(|w| (w.url.as_str(), w.alt.as_str())).collect::<Vec<_>>(),
            [("http://old.test/a-300x200.jpg", "Titel"), ("https://old.test/gone.jpg", "Weg")]
        );
        let local = HashMap::from([
            ("http://old.test/a-300x200.jpg".to_string(), "/media/7/page.jpg".to_string()),
            ("http://old.test/a.jpg".to_string(), "/media/8/page.jpg".to_string()),
        ]);
        let (out, missing) = rewrite(html, &local, Language::De);
        assert_eq!(missing, 1);
        assert_eq!(
            out,
            r#"<p><a href="/media/8/page.jpg"><img src="/media/7/page.jpg" alt="" width="300" height="200"></a><img src="/media/1/page.jpg" alt="hier"><span class="missing-picture">[Bild nicht übernommen: Weg]</span></p>"#
        );
    }
}
