//! What readers read, counted on the server: no cookie, no script, no other host.
//!
//! Every answered request passes [`Counter::count`] (from the request log, outside the page
//! cache, so a page sent from the cache counts as one rendered does). A reader's page view adds
//! one to in-memory counters by hour: the page (and its article), where the reader came from
//! (search engine, social network, newsletter, another site, this site, or directly), the kind
//! of device, and on the search page the words searched for and whether anything was found.
//! Crawlers are recognised by the `isbot` crate's maintained list and counted apart, as one
//! number, never as readers.
//!
//! Nothing that identifies a reader is stored or even kept: unique visitors per day are a
//! HyperLogLog sketch ([`sketch`]) fed with a keyed hash of address and browser under a salt of
//! the day that is deleted when the day is over. The sketch keeps, per bucket, only the
//! longest run of zeros seen, from which no hash, let alone an address, can be read back.
//!
//! Each node flushes its counters every `analytics.flush_secs` ([`queries::flush`]): one
//! transaction that adds them to hourly, daily and monthly rows, so totals over several nodes are sums and
//! a node that stops loses at most the last interval. A flush that fails keeps its counts for
//! the next. Hourly rows are kept `analytics.hourly_retention_days`, daily rows
//! `analytics.daily_retention_days` (0: for good).
//!
//! An hour after a day or a month is over, a flush seals it ([`queries::seal`]): the rows of it
//! that can reach the dashboard's lists (its thousand most visited paths, most read articles,
//! most frequent searches and searches that most often found nothing) are copied to kept
//! tables, and the lists of a longer period sum those for its sealed days and every row of the
//! rest.

pub mod admin;
pub mod chart;
pub mod classify;
pub mod queries;
pub mod sketch;

use std::collections::HashMap;
use std::net::IpAddr;
use std::ops::Range;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use parking_lot::Mutex;

use classify::{Device, Medium};
use sketch::Sketch;

/// What a page's handler tells the counter about it, kept by the page cache with the page so
/// that its hits tell the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facts {
    /// The page of this article.
    Article(i64),
    /// A search page, with how many articles it found.
    Search { results: u64 },
    /// A reader following this link of a newsletter or an alert (`/l/{id}`): a click, not a
    /// page view.
    Click(i64),
}

/// The route templates whose pages readers read: only their answers are counted (the router's
/// tests check that each is a route).
pub const COUNTED_ROUTES: &[&str] = &[
    "/",
    "/page/{page}",
    "/news/{slug}",
    "/tag/{slug}",
    "/tag/{slug}/page/{page}",
    "/author/{slug}",
    "/author/{slug}/page/{page}",
    "/archive",
    "/archive/{year}/{month}",
    "/archive/{year}/{month}/page/{page}",
    "/search",
    "/jobs",
    "/jobs/{id}",
    "/newsletter",
    "/{name}",
];

/// The longest path, referrer host and search term kept; longer ones are cut.
const MAX_PATH: usize = 200;
const MAX_TERM: usize = 100;
/// The most different pages (and search terms, and sources) one interval holds; beyond, views
/// still count in the totals, by device and source kind, but not by page.
const MAX_KEYS: usize = 50_000;
/// User agents remembered with their class, so the bot list runs once per browser version.
const MAX_AGENTS: usize = 4_096;
/// The longest User-Agent read; a longer one is classified by its start.
const MAX_AGENT: usize = 512;
/// The longest referrer and query string read; longer ones are cut.
const MAX_REFERRER: usize = 1_024;
const MAX_QUERY: usize = 2_048;
/// Views a shard holds before it tallies them. Tallying a run of views at once finds the
/// counters, the caches and the sketch in the processor's cache; one at a time, between two
/// pages, they are found cold, and counting cost several times its own instructions
/// (BENCHMARKS.md, "What readers read").
const PENDING: usize = 128;

/// What counting needs of a request, taken before the request is handed on.
#[derive(Debug)]
pub struct Seen {
    user_agent: Option<HeaderValue>,
    referrer: Option<HeaderValue>,
    client: Option<IpAddr>,
    /// `DNT: 1` or `Sec-GPC: 1`.
    opted_out: bool,
    /// A signed-in editor's browser (`auth::sessions::STAFF_COOKIE`): never a reader's view.
    staff: bool,
    /// Asks for another representation than the page (an ActivityPub object).
    negotiated: bool,
}

impl Seen {
    /// `client` is the reader's address as the site sees it (`web::client::client_address`).
    /// Reads the headers in one pass (cheaper than looking up six names in turn); of a header
    /// sent twice, the first User-Agent and Referer count, and any `DNT`, `Sec-GPC`, staff
    /// cookie or `Accept` of another representation.
    pub fn of(headers: &HeaderMap, client: Option<IpAddr>) -> Seen {
        static DNT: HeaderName = HeaderName::from_static("dnt");
        static GPC: HeaderName = HeaderName::from_static("sec-gpc");
        let mut seen =
            Seen { user_agent: None, referrer: None, client, opted_out: false, staff: false, negotiated: false };
        for (name, value) in headers {
            if name == header::USER_AGENT {
                seen.user_agent.get_or_insert_with(|| value.clone());
            } else if name == header::REFERER {
                seen.referrer.get_or_insert_with(|| value.clone());
            } else if name == header::ACCEPT {
                seen.negotiated |= value
                    .to_str()
                    .is_ok_and(|a| a.contains("application/activity+json") || a.contains("application/ld+json"));
            } else if name == header::COOKIE {
                seen.staff |= crate::auth::sessions::cookie_in(value, crate::auth::sessions::STAFF_COOKIE).is_some();
            } else if name == DNT || name == GPC {
                seen.opted_out |= value.as_bytes().trim_ascii() == b"1";
            }
        }
        seen
    }
}

/// How the page was answered, from the response.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: StatusCode,
    /// Whether a route of [`COUNTED_ROUTES`] answered.
    pub page: bool,
    /// Whether the body is HTML (a 304 has none and counts as its page).
    pub html: bool,
    pub facts: Option<Facts>,
}

/// The settings counting follows, from the live configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub enabled: bool,
    pub respect_do_not_track: bool,
    /// This site's host, to tell readers moving between its pages from those coming from
    /// elsewhere.
    pub own_host: String,
    pub time_zone: jiff::tz::TimeZone,
    /// `server.trust_forwarded_for`: the reader's address is not the peer's.
    pub behind_proxy: bool,
}

impl Settings {
    pub fn from_config(config: &crate::config::Config, time_zone: jiff::tz::TimeZone) -> Settings {
        Settings {
            enabled: config.analytics.enabled,
            respect_do_not_track: config.analytics.respect_do_not_track,
            own_host: classify::referrer_host(&config.site.base_url).unwrap_or_default(),
            time_zone,
            behind_proxy: config.server.trust_forwarded_for,
        }
    }
}

/// A map of counts: hashbrown's, hashed with foldhash (seeded per process; every map is
/// bounded by [`MAX_KEYS`]), so a view is looked up by borrowed text ([`PageKey`],
/// [`SourceKey`]) without making a string.
pub type Counts<K, V> = hashbrown::HashMap<K, V, Fast>;

/// The counts of one interval, taken from the counter by a flush.
#[derive(Debug, Default)]
pub struct Batch {
    /// (hour, path) → (article, views).
    pub pages: Counts<(i64, String), (Option<i64>, u64)>,
    /// (hour, medium, referrer host or "") → views.
    pub sources: Counts<(i64, Medium, String), u64>,
    /// (hour, device) → views; crawlers as [`Device::Bot`].
    pub devices: Counts<(i64, Device), u64>,
    /// (hour, term) → (searches, of which found nothing).
    pub searches: Counts<(i64, String), (u64, u64)>,
    /// (hour, mail link) → clicks.
    pub clicks: Counts<(i64, i64), u64>,
    /// Each day's sketch of visitors (the day's start), whole: a flush writes it over the
    /// node's row of that day.
    pub visitors: Vec<(i64, Sketch)>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
            && self.sources.is_empty()
            && self.devices.is_empty()
            && self.searches.is_empty()
            && self.clicks.is_empty()
    }

    /// Adds `other`'s counts to these (a failed flush's counts go back this way).
    fn absorb(&mut self, other: Batch) {
        for (key, (article, n)) in other.pages {
            let entry = self.pages.entry(key).or_insert((article, 0));
            entry.1 += n;
        }
        for (key, n) in other.sources {
            *self.sources.entry(key).or_default() += n;
        }
        for (key, n) in other.devices {
            *self.devices.entry(key).or_default() += n;
        }
        for (key, (n, empty)) in other.searches {
            let entry = self.searches.entry(key).or_default();
            entry.0 += n;
            entry.1 += empty;
        }
        for (key, n) in other.clicks {
            *self.clicks.entry(key).or_default() += n;
        }
    }
}

/// `(hour, path)` of [`Batch::pages`], borrowed: hashed as the owned key is.
#[derive(Hash)]
struct PageKey<'a>(i64, &'a str);

impl hashbrown::Equivalent<(i64, String)> for PageKey<'_> {
    fn equivalent(&self, key: &(i64, String)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

/// `(hour, medium, host)` of [`Batch::sources`], borrowed.
#[derive(Hash)]
struct SourceKey<'a>(i64, Medium, &'a str);

impl hashbrown::Equivalent<(i64, Medium, String)> for SourceKey<'_> {
    fn equivalent(&self, key: &(i64, Medium, String)) -> bool {
        self.0 == key.0 && self.1 == key.1 && self.2 == key.2
    }
}

/// A day in the publication's time zone: its first second and the first of the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub start: i64,
    pub end: i64,
}

impl Day {
    pub fn of(now: i64, zone: &jiff::tz::TimeZone) -> Day {
        let at = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_zoned(zone.clone());
        let start = at.start_of_day().map(|z| z.timestamp().as_second()).unwrap_or(now - now.rem_euclid(86_400));
        let end =
            at.tomorrow().and_then(|t| t.start_of_day()).map(|z| z.timestamp().as_second()).unwrap_or(start + 86_400);
        Day { start, end }
    }

    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

/// One shard of the counters. Each thread counts into its own shard (see [`shard`]), so two
/// threads never wait for each other nor bounce a lock between their caches.
#[derive(Default)]
struct State {
    batch: Batch,
    /// The settings, copied here so a count reads them under the lock it takes anyway.
    settings: Option<Settings>,
    /// The current day and its sketch, and the sketch of the day before while it may still be
    /// flushed.
    day: Option<(Day, Sketch)>,
    previous: Option<(Day, Sketch)>,
    /// The salts of days (by their start), loaded by flushes: today's and tomorrow's.
    salts: HashMap<i64, [u8; 16]>,
    /// User-Agents already classified, with their digest for the visitors' hash.
    agents: Counts<Box<[u8]>, (Device, u64)>,
    /// Referrers already classified: their kind (campaigns aside) and host.
    referrers: Counts<Box<[u8]>, (Medium, Box<str>)>,
    /// Views counted but not tallied yet, their text in `text`.
    pending: Vec<Pending>,
    text: Vec<u8>,
}

/// The hasher of the caches above: their keys come from readers, so it is seeded per process,
/// and they are bounded.
type Fast = foldhash::fast::RandomState;

/// A view waiting to be tallied: what counting needs of its request, the text as ranges of
/// [`State::text`] (copied, so no request's buffers are held).
struct Pending {
    now: i64,
    client: Option<IpAddr>,
    path: Range<usize>,
    query: Option<Range<usize>>,
    agent: Range<usize>,
    referrer: Range<usize>,
    facts: Option<Facts>,
    /// A followed mail link (`Facts::Click` answered with its redirect).
    click: Option<i64>,
}

/// Appends `bytes` to `text`; where they are.
fn keep(text: &mut Vec<u8>, bytes: &[u8]) -> Range<usize> {
    let start = text.len();
    text.extend_from_slice(bytes);
    start..text.len()
}

/// Shards of the counters: a few per core is plenty.
const SHARDS: usize = 16;

/// A shard on a cache line of its own.
#[repr(align(128))]
#[derive(Default)]
struct Shard(Mutex<State>);

/// The shard of the calling thread: threads take shards in turn, once.
fn shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static MINE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    MINE.with(|n| *n)
}

/// The counters of this node.
pub struct Counter {
    /// Read on every request: an atomic, not a lock.
    enabled: AtomicBool,
    /// Whether the client's address must be read from `X-Forwarded-For`.
    behind_proxy: AtomicBool,
    settings: parking_lot::RwLock<Settings>,
    shards: Box<[Shard]>,
    bots: isbot::Bots,
    /// This process's name in the visitors' rows: random per start, so nodes never write over
    /// each other's sketches.
    pub node: String,
}

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counter").field("node", &self.node).finish_non_exhaustive()
    }
}

impl Counter {
    pub fn new(settings: Settings) -> Counter {
        let counter = Counter {
            enabled: AtomicBool::new(false),
            behind_proxy: AtomicBool::new(false),
            settings: parking_lot::RwLock::new(settings.clone()),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            bots: isbot::Bots::default(),
            node: crate::auth::keys::random_hex(8),
        };
        counter.configure(settings);
        counter
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Whether the site sits behind proxies whose `X-Forwarded-For` names the reader: then the
    /// caller works the client's address out; otherwise it is the peer's.
    pub fn behind_proxy(&self) -> bool {
        self.behind_proxy.load(Ordering::Relaxed)
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().clone()
    }

    /// Follows changed settings (the time zone, the site's address, switched off).
    pub fn configure(&self, settings: Settings) {
        self.enabled.store(settings.enabled, Ordering::Relaxed);
        self.behind_proxy.store(settings.behind_proxy, Ordering::Relaxed);
        for shard in self.shards.iter() {
            let mut state = shard.0.lock();
            self.tally(&mut state);
            state.settings = Some(settings.clone());
            // Which referrer is this site may have changed.
            state.referrers.clear();
        }
        *self.settings.write() = settings;
    }

    /// Counts one answered request, when it is a reader's page view. Never fails: what cannot
    /// be read is left out. The view is kept raw in the thread's shard and tallied with the
    /// next [`PENDING`] (or by the next [`Counter::take`]).
    pub fn count(&self, uri: &Uri, seen: Seen, answer: Answer, now: i64) {
        let click = match answer.facts {
            Some(Facts::Click(link)) if answer.status == StatusCode::FOUND => Some(link),
            _ => None,
        };
        let counted = click.is_some()
            || matches!(answer.status, StatusCode::OK | StatusCode::NOT_MODIFIED)
                && (answer.html || answer.status == StatusCode::NOT_MODIFIED)
                && answer.page;
        if !counted || seen.negotiated || seen.staff || !self.enabled() {
            return;
        }
        let mut state = self.shards[shard()].0.lock();
        let state = &mut *state;
        let Some(settings) = &state.settings else { return };
        if settings.respect_do_not_track && seen.opted_out {
            return;
        }
        let text = &mut state.text;
        let agent = seen.user_agent.as_ref().map(|v| &v.as_bytes()[..v.len().min(MAX_AGENT)]).unwrap_or(b"");
        let referrer = seen.referrer.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("");
        let view = Pending {
            now,
            client: seen.client,
            path: keep(text, cut(uri.path(), MAX_PATH).as_bytes()),
            query: uri.query().map(|q| keep(text, cut(q, MAX_QUERY).as_bytes())),
            agent: keep(text, agent),
            referrer: keep(text, cut(referrer, MAX_REFERRER).as_bytes()),
            facts: answer.facts,
            click,
        };
        state.pending.push(view);
        if state.pending.len() >= PENDING {
            self.tally(state);
        }
    }

    /// Adds the shard's pending views to its counters.
    fn tally(&self, state: &mut State) {
        let State { batch, settings, day, previous, salts, agents, referrers, pending, text } = state;
        let Some(settings) = settings else {
            pending.clear();
            text.clear();
            return;
        };
        for view in pending.drain(..) {
            let now = view.now;
            let str_at = |range: Range<usize>| std::str::from_utf8(&text[range]).unwrap_or("");
            let agent = &text[view.agent.clone()];
            let hour = now - now.rem_euclid(3600);
            if agents.len() >= MAX_AGENTS && !agents.contains_key(agent) {
                agents.clear();
            }
            let (device, agent_digest) =
                *agents.entry_ref(agent).or_insert_with(|| (self.classify(agent), sketch::agent_digest(agent)));
            if let Some(link) = view.click {
                // Mail scanners that say what they are do not click for a reader.
                if device != Device::Bot {
                    add_bounded(&mut batch.clicks, &(hour, link), || (hour, link), (hour, 0));
                }
                continue;
            }
            *batch.devices.entry((hour, device)).or_default() += 1;
            if device == Device::Bot {
                continue;
            }
            let query = view.query.map(str_at);
            let referrer = &text[view.referrer.clone()];
            if referrers.len() >= MAX_AGENTS && !referrers.contains_key(referrer) {
                referrers.clear();
            }
            let (medium, from) = referrers.entry_ref(referrer).or_insert_with(|| {
                let (medium, host) =
                    classify::referred_by(std::str::from_utf8(referrer).unwrap_or(""), &settings.own_host);
                (medium, host.into())
            });
            let (medium, from) = (*medium, &**from);
            let medium = if classify::is_campaign(query) { Medium::Newsletter } else { medium };
            add_bounded(
                &mut batch.sources,
                &SourceKey(hour, medium, from),
                || (hour, medium, from.to_string()),
                (hour, medium, String::new()),
            );
            let article = match view.facts {
                Some(Facts::Article(id)) => Some(id),
                _ => None,
            };
            let path = str_at(view.path);
            let room = batch.pages.len() < MAX_KEYS;
            match batch.pages.get_mut(&PageKey(hour, path)) {
                Some(entry) => entry.1 += 1,
                None if room => {
                    batch.pages.insert((hour, path.to_string()), (article, 1));
                }
                None => {}
            }
            if let Some(Facts::Search { results }) = view.facts
                && let Some(term) = classify::search_term(query, MAX_TERM)
            {
                let key = (hour, term);
                if batch.searches.len() < MAX_KEYS || batch.searches.contains_key(&key) {
                    let entry = batch.searches.entry(key).or_default();
                    entry.0 += 1;
                    entry.1 += u64::from(results == 0);
                }
            }
            // The day's visitors: the address and browser, hashed under the day's salt.
            if !day.as_ref().is_some_and(|(day, _)| day.contains(now)) {
                let today = Day::of(now, &settings.time_zone);
                // The day before is kept until a flush writes it; a clock that jumps back keeps
                // the later day too (its sketch is written, not lost).
                if let Some(old) = day.replace((today, Sketch::new())) {
                    *previous = Some(old);
                }
            }
            if let Some((day, sketch)) = day.as_mut()
                && let Some(salt) = salts.get(&day.start)
            {
                sketch.insert(sketch::visitor_hash(salt, view.client, agent_digest));
            }
        }
        text.clear();
    }

    /// The device class of a User-Agent not seen before: a crawler by the bot list (or for
    /// sending none), else by its words.
    fn classify(&self, agent: &[u8]) -> Device {
        let text = String::from_utf8_lossy(agent);
        if text.trim().is_empty() || self.bots.is_bot(&text) { Device::Bot } else { classify::device(&text) }
    }

    /// Takes the counts so far, with the sketches of the current and the previous day merged
    /// over the shards (the previous is let go: it is written for the last time).
    pub fn take(&self) -> Batch {
        let mut batch = Batch::default();
        let mut days: Vec<(i64, Sketch)> = Vec::new();
        for shard in self.shards.iter() {
            let mut state = shard.0.lock();
            self.tally(&mut state);
            batch.absorb(std::mem::take(&mut state.batch));
            let previous = state.previous.take();
            for (day, sketch) in previous.iter().chain(state.day.as_ref()) {
                match days.iter_mut().find(|(d, _)| *d == day.start) {
                    Some((_, merged)) => merged.merge(sketch),
                    None => days.push((day.start, sketch.clone())),
                }
            }
        }
        batch.visitors = days;
        batch
    }

    /// Gives back the counts of a flush that failed, to be written with the next.
    pub fn give_back(&self, mut batch: Batch) {
        batch.visitors.clear();
        self.shards[0].0.lock().batch.absorb(batch);
    }

    /// Sets the salts of days (by their start), as a flush reads them; others are dropped.
    pub fn set_salts(&self, salts: HashMap<i64, [u8; 16]>) {
        for shard in self.shards.iter() {
            let mut state = shard.0.lock();
            // Views counted before are hashed under the salts they were counted with.
            self.tally(&mut state);
            state.salts = salts.clone();
        }
    }
}

/// Adds to a bounded map: when it is full, a new key's count goes to `overflow` instead.
fn add_bounded<K, Q>(map: &mut Counts<K, u64>, key: &Q, owned: impl FnOnce() -> K, overflow: K)
where
    K: std::hash::Hash + Eq,
    Q: std::hash::Hash + hashbrown::Equivalent<K> + ?Sized,
{
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_KEYS {
        map.insert(owned(), 1);
    } else {
        *map.entry(overflow).or_default() += 1;
    }
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader_view(counter: &Counter, now: i64) {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_static("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"));
        let uri: Uri = "/news/hafen".parse().unwrap();
        let seen = Seen::of(&headers, Some(IpAddr::from([192, 0, 2, 1])));
        let answer = Answer { status: StatusCode::OK, page: true, html: true, facts: None };
        counter.count(&uri, seen, answer, now);
    }

    #[test]
    fn counts_given_back_add_to_those_counted_since() {
        let zone = jiff::tz::TimeZone::UTC;
        let settings = Settings {
            enabled: true,
            respect_do_not_track: false,
            own_host: "x".into(),
            time_zone: zone,
            behind_proxy: false,
        };
        let counter = Counter::new(settings);
        let now = 1_796_600_000;
        reader_view(&counter, now);
        reader_view(&counter, now);
        let failed = counter.take();
        assert_eq!(failed.pages.values().map(|(_, n)| n).sum::<u64>(), 2);
        counter.give_back(failed);
        reader_view(&counter, now);
        let batch = counter.take();
        assert_eq!(batch.pages.get(&(now - now % 3600, "/news/hafen".to_string())), Some(&(None, 3)));
        assert_eq!(batch.sources.values().sum::<u64>(), 3);
        assert!(counter.take().is_empty(), "taken once");
    }

    #[test]
    fn what_a_request_says_is_read_in_one_pass() {
        let seen = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.append(*name, HeaderValue::from_static(value));
            }
            Seen::of(&headers, None)
        };
        let plain = seen(&[("user-agent", "A"), ("user-agent", "B"), ("referer", "https://t.co/x")]);
        assert_eq!(plain.user_agent.as_ref().map(|v| v.as_bytes()), Some(&b"A"[..]), "the first one");
        assert_eq!(plain.referrer.as_ref().map(|v| v.as_bytes()), Some(&b"https://t.co/x"[..]));
        assert!(!plain.opted_out && !plain.staff && !plain.negotiated);
        assert!(seen(&[("dnt", " 1 ")]).opted_out);
        assert!(seen(&[("sec-gpc", "1")]).opted_out);
        assert!(!seen(&[("dnt", "0")]).opted_out);
        assert!(seen(&[("cookie", "a=b"), ("cookie", "nd_staff=1")]).staff, "in any Cookie header");
        assert!(!seen(&[("cookie", "nd_staffer=1")]).staff);
        assert!(seen(&[("accept", "application/ld+json; profile=\"x\"")]).negotiated);
        assert!(!seen(&[("accept", "text/html,*/*")]).negotiated);
    }
}
