//! The page cache: public pages and feeds kept in memory, ready to send.
//!
//! A page rendered for an anonymous reader is stored once with its headers, its ETag and its
//! body three ways (plain, gzip, brotli); a hit picks the encoding the reader accepts and sends
//! the stored bytes, or a bare 304 when the reader's copy is current. Each entry carries the
//! [`Scope`]s it shows ([`scopes_of`]). A write names the scopes it changed
//! ([`crate::changes`]) and exactly those entries go. Memory is
//! bounded by `cache.size_mb`: the least recently used entries leave first. Entries also expire
//! after `cache.ttl_secs`, for what changes with time alone (related articles, promotions that
//! start or end, job listings that lapse).
//!
//! Nothing tied to a session is ever stored: admin pages are not in the scope table, a request
//! with a session cookie bypasses the cache, and a response that sets a cookie or says
//! `no-store`/`private` is passed through.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::conditional::etag_of;
use super::metrics::RouteLabel;
use crate::analytics::Facts;
use crate::changes::Scope;
use crate::clock::parse_http_date;
use crate::config::CacheConfig;

/// Tells operators (and tests) whether a page came from the cache.
const X_CACHE: header::HeaderName = header::HeaderName::from_static("x-cache");
/// A body larger than this is sent without being stored.
const MAX_ENTRY: usize = 4 * 1024 * 1024;
/// Bodies smaller than this are not worth compressing.
const MIN_COMPRESS: usize = 512;
const BROTLI_QUALITY: u32 = 6;
/// The largest brotli window (4 MiB); a page gets the smallest that holds it whole, from 64 KiB.
/// The encoder's buffers follow the window: at 4 MiB for every page, 64 readers' searches (each
/// a page of its own) compressed at once held 800 MiB (bench/memory.sh).
const BROTLI_MAX_WINDOW: u32 = 22;
const BROTLI_MIN_WINDOW: u32 = 16;

/// The scopes a public path shows, or `None` when the path is never cached.
pub fn scopes_of(path: &str) -> Option<Vec<Scope>> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let scope = match parts.as_slice() {
        [""] | ["page", _] | ["feed"] | ["feed", "atom"] | ["feed.json"] => Scope::Home,
        ["news", slug] | ["news", slug, "feed"] | ["news", slug, "similar", "feed"] => Scope::News(slug.to_string()),
        ["tag", slug] | ["tag", slug, "page", _] | ["tag", slug, "feed"] => Scope::Tag(slug.to_string()),
        ["author", slug] | ["author", slug, "page", _] | ["author", slug, "feed"] => Scope::Author(slug.to_string()),
        ["archive"] => Scope::Archive,
        ["archive", year, month] | ["archive", year, month, "page", _] | ["archive", year, month, "feed"] => {
            Scope::ArchiveMonth(year.parse().ok()?, month.parse().ok()?)
        }
        ["comments", "feed"] => Scope::Comments,
        ["search"] => Scope::Search,
        ["jobs"] | ["jobs", _] => Scope::Jobs,
        ["newsletter"] | ["subscription"] | ["robots.txt"] => Scope::Site,
        [file] if file.starts_with("sitemap") && file.ends_with(".xml") => Scope::Sitemaps,
        _ => return None,
    };
    Some(vec![scope])
}

/// One stored page.
pub struct Entry {
    scopes: Vec<Scope>,
    /// When it was rendered, on the application's clock.
    stored: i64,
    /// When it was last sent (seconds of the application's clock), for the LRU order.
    last_used: AtomicU64,
    /// `Last-Modified` of the page, for `If-Modified-Since`.
    last_modified: Option<i64>,
    /// The page plain, gzip and brotli (the last two when they are smaller), each with the
    /// whole set of headers it is sent with.
    plain: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
    /// The headers of a 304.
    not_modified: HeaderMap,
    /// The route that rendered it, for the request metrics of its hits.
    route: Option<RouteLabel>,
    /// What the handler told the page-view counter, told again for each hit.
    facts: Option<Facts>,
}

struct Variant {
    body: Bytes,
    headers: HeaderMap,
    etag: String,
}

impl Entry {
    fn size(&self, key: &str) -> usize {
        let variant =
            |v: &Variant| v.body.len() + v.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 32).sum::<usize>();
        key.len()
            + variant(&self.plain)
            + self.gzip.as_ref().map_or(0, variant)
            + self.brotli.as_ref().map_or(0, variant)
            + 512
    }

    fn variants(&self) -> impl Iterator<Item = &Variant> + Clone {
        std::iter::once(&self.plain).chain(self.gzip.as_ref()).chain(self.brotli.as_ref())
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, (Arc<Entry>, usize)>,
    bytes: usize,
}

/// What the cache did for a request, for the log and the `X-Cache` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Hit,
    Miss,
    Bypass,
}

pub struct PageCache {
    config: CacheConfig,
    /// Counts invalidations: a page rendered while one happened is not stored, since it may
    /// show the state from before.
    epoch: AtomicU64,
    inner: RwLock<Inner>,
    /// Pages being rendered now: a reader who misses a page another is already rendering waits
    /// for that one instead of rendering it again (a story that spreads brings many at once).
    rendering: parking_lot::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The threads that compress pages, one per core.
    compressors: Compressors,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Counts for `newsdesk` logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub entries: usize,
    /// Pages being rendered now for readers who missed them.
    pub rendering: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

impl PageCache {
    pub fn new(config: &CacheConfig) -> PageCache {
        PageCache {
            config: config.clone(),
            epoch: AtomicU64::new(0),
            inner: RwLock::new(Inner::default()),
            rendering: parking_lot::Mutex::new(HashMap::new()),
            compressors: Compressors::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled && self.config.size_mb > 0
    }

    /// The memory the cache may fill, in bytes.
    pub fn limit_bytes(&self) -> usize {
        self.max_bytes()
    }

    fn max_bytes(&self) -> usize {
        self.config.size_mb * 1024 * 1024
    }

    pub fn stats(&self) -> Stats {
        let inner = self.inner.read();
        Stats {
            entries: inner.entries.len(),
            rendering: self.rendering.lock().len(),
            bytes: inner.bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn get(&self, key: &str, now: i64) -> Option<Arc<Entry>> {
        let inner = self.inner.read();
        let (entry, _) = inner.entries.get(key)?;
        if now - entry.stored >= self.config.ttl_secs as i64 || now < entry.stored {
            return None;
        }
        entry.last_used.store(now as u64, Ordering::Relaxed);
        Some(entry.clone())
    }

    /// Stores `entry` unless an invalidation happened since `epoch` was read; then makes room by
    /// dropping the least recently used entries.
    fn put(&self, key: String, entry: Arc<Entry>, epoch: u64) {
        let size = entry.size(&key);
        if size > self.max_bytes() / 4 {
            return;
        }
        let mut inner = self.inner.write();
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if let Some((_, old)) = inner.entries.insert(key, (entry, size)) {
            inner.bytes -= old;
        }
        inner.bytes += size;
        if inner.bytes > self.max_bytes() {
            // Down to 90 % at once, so a full cache does not sort on every store.
            let goal = self.max_bytes() / 10 * 9;
            let mut by_age: Vec<(u64, String, usize)> = inner
                .entries
                .iter()
                .map(|(k, (e, size))| (e.last_used.load(Ordering::Relaxed), k.clone(), *size))
                .collect();
            by_age.sort_unstable_by_key(|(used, _, _)| *used);
            for (_, key, size) in by_age {
                if inner.bytes <= goal {
                    break;
                }
                inner.entries.remove(&key);
                inner.bytes -= size;
            }
        }
    }

    /// Drops every entry that shows one of `scopes`; [`Scope::All`] drops everything.
    pub fn invalidate(&self, scopes: &[Scope]) {
        if scopes.is_empty() {
            return;
        }
        let mut inner = self.inner.write();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if scopes.contains(&Scope::All) {
            inner.entries.clear();
            inner.bytes = 0;
            return;
        }
        let mut freed = 0;
        inner.entries.retain(|_, (entry, size)| {
            let hit = entry.scopes.iter().any(|s| scopes.contains(s));
            if hit {
                freed += *size;
            }
            !hit
        });
        inner.bytes -= freed;
    }

    /// The `Cache-Control` of a stored page: the handler's, with a shared-cache lifetime added
    /// for a CDN in front.
    fn cache_control(&self, handler: Option<&HeaderValue>) -> HeaderValue {
        let base = handler.and_then(|v| v.to_str().ok()).unwrap_or("public, max-age=0, must-revalidate");
        if base.contains("s-maxage") || self.config.cdn_max_age_secs == 0 {
            return HeaderValue::from_str(base).unwrap_or(HeaderValue::from_static("public, max-age=0"));
        }
        let value = format!("{base}, s-maxage={}", self.config.cdn_max_age_secs);
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("public, max-age=0"))
    }

    fn build(
        &self,
        scopes: Vec<Scope>,
        (route, facts): (Option<RouteLabel>, Option<Facts>),
        mut headers: HeaderMap,
        plain: Bytes,
        now: i64,
    ) -> Entry {
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::CONTENT_ENCODING);
        headers.remove(header::ETAG);
        let control = self.cache_control(headers.get(header::CACHE_CONTROL));
        headers.insert(header::CACHE_CONTROL, control);
        // The handler's own Vary (a route that negotiates says `Accept`) is kept.
        let vary = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
            Some(own) if !own.contains("Accept-Encoding") => {
                HeaderValue::from_str(&format!("{own}, Accept-Encoding")).unwrap_or(HeaderValue::from_static("*"))
            }
            Some(own) => HeaderValue::from_str(own).unwrap_or(HeaderValue::from_static("*")),
            None => HeaderValue::from_static("Accept-Encoding"),
        };
        headers.insert(header::VARY, vary);
        headers.insert(X_CACHE, HeaderValue::from_static("hit"));
        let last_modified = headers.get(header::LAST_MODIFIED).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
        let mut not_modified = HeaderMap::new();
        for name in [header::CACHE_CONTROL, header::VARY, header::LAST_MODIFIED, header::LINK, X_CACHE] {
            if let Some(value) = headers.get(&name) {
                not_modified.insert(name, value.clone());
            }
        }
        let etag = etag_of(&plain);
        let variant = |body: Bytes, encoding: Option<&'static str>| {
            let tag = match encoding {
                None => etag.clone(),
                Some(e) => format!("{}-{}\"", etag.trim_end_matches('"'), if e == "gzip" { "gz" } else { e }),
            };
            let mut headers = headers.clone();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            if let Some(e) = encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
            if let Ok(value) = HeaderValue::from_str(&tag) {
                headers.insert(header::ETAG, value);
            }
            Variant { body, headers, etag: tag }
        };
        let smaller = |c: &Vec<u8>| c.len() < plain.len();
        let (gzip, brotli) = if plain.len() >= MIN_COMPRESS {
            (compress_gzip(&plain).filter(smaller), compress_brotli(&plain).filter(smaller))
        } else {
            (None, None)
        };
        // The three bodies in one allocation of their exact size. The rendered page's own buffer
        // grew by doubling, as do the encoders' outputs: kept as they are, a page held up to twice
        // its bytes, in three blocks of odd sizes that leave holes in the allocator's pages when
        // the least recently used leave.
        let sizes = [plain.len(), gzip.as_ref().map_or(0, Vec::len), brotli.as_ref().map_or(0, Vec::len)];
        let mut all = Vec::with_capacity(sizes.iter().sum());
        for part in [Some(&plain[..]), gzip.as_deref(), brotli.as_deref()].into_iter().flatten() {
            all.extend_from_slice(part);
        }
        let all = Bytes::from(all);
        let (plain, rest) = (all.slice(..sizes[0]), sizes[0]);
        let gzip = gzip.map(|_| all.slice(rest..rest + sizes[1])).map(|b| variant(b, Some("gzip")));
        let brotli = brotli.map(|_| all.slice(rest + sizes[1]..)).map(|b| variant(b, Some("br")));
        Entry {
            scopes,
            stored: now,
            last_used: AtomicU64::new(now as u64),
            last_modified,
            plain: variant(plain, None),
            gzip,
            brotli,
            not_modified,
            route,
            facts,
        }
    }
}

fn compress_gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::new(6));
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn compress_brotli(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let window = (usize::BITS - bytes.len().max(1).leading_zeros()).clamp(BROTLI_MIN_WINDOW, BROTLI_MAX_WINDOW);
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, window);
        writer.write_all(bytes).ok()?;
    }
    Some(out)
}

/// The best encoding the reader accepts: brotli, then gzip, then none. `q=0` refuses one.
fn accepted(headers: &HeaderMap) -> (bool, bool) {
    // Explicit entries win over `*`, whatever their order.
    let (mut br, mut gzip): (Option<bool>, Option<bool>) = (None, None);
    let mut any = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            match name.as_str() {
                "br" => br = Some(!refused),
                "gzip" | "x-gzip" => gzip = Some(!refused),
                "*" => any = !refused,
                _ => {}
            }
        }
    }
    (br.unwrap_or(any), gzip.unwrap_or(any))
}

/// Whether an `If-None-Match` value names one of `tags` (weak comparison, as for GET).
fn none_match<'a>(value: &str, tags: impl Iterator<Item = &'a str> + Clone) -> bool {
    value.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || tags.clone().any(|tag| tag == t))
}

/// Sends a stored page: the encoding the request accepts, or 304 when its copy is current.
fn respond(entry: &Entry, request_headers: &HeaderMap, head: bool) -> Response {
    let (br, gzip) = accepted(request_headers);
    let variant = match (&entry.brotli, &entry.gzip) {
        (Some(b), _) if br => b,
        (_, Some(g)) if gzip => g,
        _ => &entry.plain,
    };
    let current = match request_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        Some(value) => none_match(value, entry.variants().map(|v| v.etag.as_str())),
        None => request_headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date)
            .zip(entry.last_modified)
            .is_some_and(|(since, modified)| modified <= since),
    };
    if current {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        *response.headers_mut() = entry.not_modified.clone();
        if let Some(etag) = variant.headers.get(header::ETAG) {
            response.headers_mut().insert(header::ETAG, etag.clone());
        }
        label(&mut response, entry);
        return response;
    }
    let mut response =
        if head { Response::new(Body::empty()) } else { Response::new(Body::from(variant.body.clone())) };
    *response.headers_mut() = variant.headers.clone();
    label(&mut response, entry);
    response
}

/// Tells the layers outside (metrics, page views) what the rendered page told them.
fn label(response: &mut Response, entry: &Entry) {
    if let Some(route) = &entry.route {
        response.extensions_mut().insert(route.clone());
    }
    if let Some(facts) = entry.facts {
        response.extensions_mut().insert(facts);
    }
}

/// Whether the request may be answered from (and stored in) the shared cache.
fn anonymous(headers: &HeaderMap) -> bool {
    crate::auth::sessions::cookie(headers, crate::auth::sessions::COOKIE).is_none()
        && !headers.contains_key(header::AUTHORIZATION)
}

/// Whether a body is larger than a stored page may be (a full article sitemap is several
/// megabytes): such a response is sent as it is.
fn body_too_large(response: &Response, limit: usize) -> bool {
    use axum::body::HttpBody as _;
    let hint = response.body().size_hint();
    let upper = hint.upper().unwrap_or(u64::MAX);
    upper > MAX_ENTRY.min(limit) as u64
}

/// Whether a response may be stored for every reader.
fn storable(response: &Response) -> bool {
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return false;
    }
    let control = response.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
    !(control.contains("no-store") || control.contains("private"))
}

/// What the middleware is given: the application, which holds the cache and tells the time
/// (tests move it forward).
pub trait Host: Send + Sync + 'static {
    fn page_cache(&self) -> &PageCache;
    fn now(&self) -> i64;
}

/// The middleware: answers from the cache, or renders, stores and answers.
pub async fn serve_cached<H: Host>(State(app): State<Arc<H>>, request: Request, next: Next) -> Response {
    let cache = app.page_cache();
    let head = match *request.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => return next.run(request).await,
    };
    if !cache.enabled() || !anonymous(request.headers()) {
        return next.run(request).await;
    }
    // Only cacheable paths are ever stored, so the lookup comes first: a hit never parses the path.
    let key = key_of(request.uri(), request.headers());
    if let Some(entry) = cache.get(&key, app.now()) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        let mut response = respond(&entry, request.headers(), head);
        response.extensions_mut().insert(Outcome::Hit);
        return response;
    }
    let Some(scopes) = storable_request(request.uri()) else {
        return next.run(request).await;
    };
    let key = key.into_owned();
    if head {
        // A HEAD response has no body to keep: rendered as it comes.
        return next.run(request).await;
    }
    // One render at a time per page: who comes while it runs waits for it (a while at most)
    // and then takes the stored page, or renders on their own when it could not be stored.
    let turn = Turn::take(cache, &key);
    let first = match turn.lock.try_lock() {
        Ok(guard) => Some(guard),
        Err(_) => {
            let waited = tokio::time::timeout(WAIT_FOR_RENDER, turn.lock.lock()).await;
            drop(waited);
            if let Some(entry) = cache.get(&key, app.now()) {
                cache.hits.fetch_add(1, Ordering::Relaxed);
                let mut response = respond(&entry, request.headers(), false);
                response.extensions_mut().insert(Outcome::Hit);
                return response;
            }
            None
        }
    };
    let response = render_and_store(&app, key, scopes, request, next).await;
    drop(first);
    response
}

/// Media types a route may answer instead of its page (content negotiation): a request that
/// asks for one is cached apart from the page, so the page is never sent for it, nor it for a
/// browser. Routes that do not negotiate answer their page to both, stored twice at worst.
const NEGOTIATED: &[&str] = &["application/activity+json", "application/ld+json"];

/// The cache key of a request: its path and query, and the representation it negotiates.
fn key_of<'a>(uri: &'a axum::http::Uri, headers: &HeaderMap) -> std::borrow::Cow<'a, str> {
    let asks = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let variant = NEGOTIATED.iter().position(|t| asks.contains(t));
    match (uri.query(), variant) {
        (None, None) => uri.path().into(),
        (Some(query), None) => format!("{}?{query}", uri.path()).into(),
        (query, Some(n)) => format!("{}?{}#{}", uri.path(), query.unwrap_or(""), NEGOTIATED[n]).into(),
    }
}

/// How long a reader waits for another's render of the same page before rendering it too.
const WAIT_FOR_RENDER: std::time::Duration = std::time::Duration::from_secs(5);

/// A reader's place among those who missed one page at the same time. The page's entry in
/// `rendering` goes with the last of them, however they leave (a reader who disconnects too).
struct Turn<'a> {
    cache: &'a PageCache,
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Turn<'a> {
    fn take(cache: &'a PageCache, key: &str) -> Turn<'a> {
        let lock = cache.rendering.lock().entry(key.to_string()).or_default().clone();
        Turn { cache, key: key.to_string(), lock }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut rendering = self.cache.rendering.lock();
        // The map's reference and ours: nobody else is waiting.
        if Arc::strong_count(&self.lock) <= 2 {
            rendering.remove(&self.key);
        }
    }
}

/// The scopes of a request whose page may be stored: a public path, written plainly (a
/// percent-encoded one would be stored under a scope no write names), and with a query only
/// where the page depends on it (search, job filters); other queries would only fill the cache.
fn storable_request(uri: &axum::http::Uri) -> Option<Vec<Scope>> {
    let path = uri.path();
    if path.contains('%') {
        return None;
    }
    if uri.query().is_some() && !(path == "/search" || path == "/jobs") {
        return None;
    }
    scopes_of(path)
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads that compress missed pages for the cache: one per core, started with the first
/// page and kept as long as the cache.
///
/// Each compression holds its encoders' buffers, and the allocator keeps a share of what each
/// thread used. Many different pages missed together (readers' searches) each took a thread of
/// tokio's blocking pool, which comes and goes: under bench/memory.sh's load that held 880 MiB
/// resident unbounded and 320 MiB with one compression per core. Threads that stay reuse
/// the same memory for every page.
#[derive(Default)]
struct Compressors {
    queue: std::sync::OnceLock<std::sync::mpsc::Sender<Job>>,
}

impl Compressors {
    /// Runs `work` on a compressing thread; `None` when it panicked or no thread could start.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The reader may have gone; the page is then simply not stored.
            let _ = done.send(work());
        });
        self.queue.get_or_init(Compressors::start).send(job).ok()?;
        result.await.ok()
    }

    fn start() -> std::sync::mpsc::Sender<Job> {
        let (queue, jobs) = std::sync::mpsc::channel::<Job>();
        let jobs = Arc::new(parking_lot::Mutex::new(jobs));
        for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let jobs = jobs.clone();
            let worker = move || {
                loop {
                    // The lock is let go before the job runs: the next thread waits for the next.
                    let Ok(job) = jobs.lock().recv() else { return };
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                        tracing::error!("compressing a page panicked");
                    }
                }
            };
            if let Err(e) = std::thread::Builder::new().name(format!("compress-{i}")).spawn(worker) {
                tracing::error!(error = %e, "cannot start a thread to compress pages");
            }
        }
        queue
    }
}

/// Renders a missed page, stores it if it may be kept, and answers the reader.
async fn render_and_store<H: Host>(
    app: &Arc<H>,
    key: String,
    scopes: Vec<Scope>,
    mut request: Request,
    next: Next,
) -> Response {
    let cache = app.page_cache();
    let now = app.now();
    cache.misses.fetch_add(1, Ordering::Relaxed);
    // The reader's conditions are answered from the entry; the page itself is rendered whole.
    let conditions = request.headers().clone();
    request.headers_mut().remove(header::IF_NONE_MATCH);
    request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let epoch = cache.epoch.load(Ordering::Acquire);
    let response = next.run(request).await;
    if !storable(&response) || body_too_large(&response, cache.max_bytes() / 4) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ENTRY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "cannot buffer a page for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // Compressing a page takes a millisecond or two: off the async threads.
    let app2 = app.clone();
    let labels = (parts.extensions.get::<RouteLabel>().cloned(), parts.extensions.get::<Facts>().copied());
    let built = cache.compressors.run(move || app2.page_cache().build(scopes, labels, parts.headers, bytes, now)).await;
    let Some(entry) = built.map(Arc::new) else {
        tracing::error!("cannot compress a page: the compressing thread failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = respond(&entry, &conditions, false);
    cache.put(key, entry, epoch);
    response.headers_mut().insert(X_CACHE, HeaderValue::from_static("miss"));
    response.extensions_mut().insert(Outcome::Miss);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(size_mb: usize) -> CacheConfig {
        CacheConfig { enabled: true, size_mb, ttl_secs: 60, cdn_max_age_secs: 30 }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn page(cache: &PageCache, scopes: &[&str], body: &str) -> Arc<Entry> {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        Arc::new(cache.build(
            scopes.iter().map(|s| scope(s)).collect(),
            (None, None),
            h,
            Bytes::from(body.to_string()),
            1000,
        ))
    }

    fn scope(word: &str) -> Scope {
        word.parse().unwrap()
    }

    #[test]
    fn a_negotiated_representation_is_kept_apart_from_the_page() {
        let uri: axum::http::Uri = "/news/a".parse().unwrap();
        let browser = headers(&[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")]);
        let fediverse = headers(&[("accept", "application/activity+json")]);
        assert_eq!(key_of(&uri, &browser), "/news/a");
        assert_eq!(key_of(&uri, &headers(&[])), "/news/a");
        assert_ne!(key_of(&uri, &fediverse), key_of(&uri, &browser));
        let search: axum::http::Uri = "/search?q=ki".parse().unwrap();
        assert_eq!(key_of(&search, &browser), "/search?q=ki");
        // A handler that negotiates says so, and the stored page keeps it.
        let cache = PageCache::new(&config(8));
        let mut h = HeaderMap::new();
        h.insert(header::VARY, HeaderValue::from_static("Accept"));
        let entry = cache.build(vec![Scope::Home], (None, None), h, Bytes::from_static(b"{}"), 1000);
        assert_eq!(entry.plain.headers[header::VARY], "Accept, Accept-Encoding");
    }

    #[test]
    fn public_paths_have_scopes_and_private_ones_none() {
        assert_eq!(scopes_of("/"), Some(vec![scope("home")]));
        assert_eq!(scopes_of("/feed.json"), Some(vec![scope("home")]));
        assert_eq!(scopes_of("/news/ki-gesetz"), Some(vec![scope("news:ki-gesetz")]));
        assert_eq!(scopes_of("/news/ki-gesetz/similar/feed"), Some(vec![scope("news:ki-gesetz")]));
        assert_eq!(scopes_of("/tag/ki/page/2"), Some(vec![scope("tag:ki")]));
        assert_eq!(scopes_of("/archive/2026/03"), Some(vec![scope("archive:2026/3")]));
        assert_eq!(scopes_of("/sitemap-articles-2.xml"), Some(vec![scope("sitemaps")]));
        assert_eq!(scopes_of("/archive/x/3"), None);
        for private in ["/admin", "/admin/articles", "/subscription/abc", "/media/1/page.jpg", "/healthz", "/go/3"] {
            assert_eq!(scopes_of(private), None, "{private}");
        }
    }

    #[test]
    fn picks_the_encoding_the_reader_accepts() {
        assert_eq!(accepted(&headers(&[("accept-encoding", "gzip, deflate, br")])), (true, true));
        assert_eq!(accepted(&headers(&[("accept-encoding", "gzip")])), (false, true));
        assert_eq!(accepted(&headers(&[("accept-encoding", "br;q=0, gzip;q=0.5")])), (false, true));
        assert_eq!(accepted(&headers(&[])), (false, false));
        assert_eq!(accepted(&headers(&[("accept-encoding", "br;q=0, *")])), (false, true));
        assert_eq!(accepted(&headers(&[("accept-encoding", "*, gzip;q=0")])), (true, false));
        let cache = PageCache::new(&config(8));
        let entry = page(&cache, &["home"], &"Nachrichten über Robotik. ".repeat(200));
        let br = respond(&entry, &headers(&[("accept-encoding", "gzip, br")]), false);
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        let gz = respond(&entry, &headers(&[("accept-encoding", "gzip")]), false);
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = respond(&entry, &headers(&[]), false);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_ne!(br.headers()[header::ETAG], plain.headers()[header::ETAG]);
        assert_eq!(plain.headers()[header::VARY], "Accept-Encoding");
        assert!(plain.headers()[header::CACHE_CONTROL].to_str().unwrap().contains("s-maxage=30"));
        // Any variant's tag answers 304, whatever encoding is asked now.
        let tag = gz.headers()[header::ETAG].to_str().unwrap().to_string();
        let again = respond(&entry, &headers(&[("if-none-match", &tag), ("accept-encoding", "br")]), false);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn invalidates_exactly_the_named_scopes() {
        let cache = PageCache::new(&config(8));
        for (key, scope) in [("/", "home"), ("/news/a", "news:a"), ("/news/b", "news:b"), ("/tag/ki", "tag:ki")] {
            let epoch = cache.epoch.load(Ordering::Acquire);
            cache.put(key.into(), page(&cache, &[scope], key), epoch);
        }
        cache.invalidate(&[Scope::News("a".into()), Scope::Home]);
        assert!(cache.get("/", 1000).is_none());
        assert!(cache.get("/news/a", 1000).is_none());
        assert!(cache.get("/news/b", 1000).is_some());
        assert!(cache.get("/tag/ki", 1000).is_some());
        assert!(cache.get("/tag/ki", 1060).is_none(), "older than the TTL");
        cache.invalidate(&[Scope::All]);
        assert_eq!(cache.stats().entries, 0);
        assert_eq!(cache.stats().bytes, 0);
    }

    #[test]
    fn a_page_rendered_across_an_invalidation_is_not_stored() {
        let cache = PageCache::new(&config(8));
        let epoch = cache.epoch.load(Ordering::Acquire);
        cache.invalidate(&[Scope::News("a".into())]);
        cache.put("/news/a".into(), page(&cache, &["news:a"], "alt"), epoch);
        assert!(cache.get("/news/a", 1000).is_none());
    }

    #[test]
    fn memory_is_bounded_and_the_least_recently_used_leave_first() {
        let cache = PageCache::new(&config(1));
        let body = "x".repeat(100 * 1024);
        let at = |cache: &PageCache, i: i64, now: i64| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            Arc::new(cache.build(vec![Scope::Home], (None, None), h, Bytes::from(format!("{body}{i}")), now))
        };
        // One page a second.
        for i in 0..5 {
            cache.put(format!("/news/{i}"), at(&cache, i, 1000 + i), 0);
        }
        // Read the first page so the second is now the oldest.
        assert!(cache.get("/news/0", 1005).is_some());
        for i in 5..12 {
            cache.put(format!("/news/{i}"), at(&cache, i, 1000 + i), 0);
        }
        let stats = cache.stats();
        assert!(stats.bytes <= 1024 * 1024, "{stats:?}");
        assert!(cache.get("/news/0", 1012).is_some(), "recently read");
        assert!(cache.get("/news/1", 1012).is_none(), "least recently used");
        assert!(cache.get("/news/11", 1012).is_some(), "newest");
    }
}
