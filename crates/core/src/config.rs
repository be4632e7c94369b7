//! Typed configuration: `newsdesk.toml` (optional) overlaid with `NEWSDESK_*` environment
//! variables, then with command-line flags. Every key has a default, so no file is needed at all.
//!
//! An environment variable names a key by its path with `__` between table and key:
//! `NEWSDESK_SERVER__LISTEN=0.0.0.0:8080`, `NEWSDESK_SITE__LANGUAGE=en`, `NEWSDESK_DATA_DIR=/srv`.
//! Its value is read as a TOML value when it parses as one (`8080`, `true`, `["a"]`) and as a
//! string otherwise.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use serde::{Deserialize, Serialize};

/// The name of the config file looked for in the working directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "newsdesk.toml";
const ENV_PREFIX: &str = "NEWSDESK_";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder for the SQLite database and everything else the site stores.
    pub data_dir: PathBuf,
    pub site: SiteConfig,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub discovery: DiscoveryConfig,
    pub comments: CommentsConfig,
    pub jobs: JobsConfig,
    pub promotions: PromotionsConfig,
    pub email: EmailConfig,
    pub cache: CacheConfig,
    pub outgoing: OutgoingConfig,
    pub activitypub: ActivityPubConfig,
    pub analytics: AnalyticsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub name: String,
    pub description: String,
    /// Absolute URL the site is reached at, without a trailing slash; used in canonical links.
    pub base_url: String,
    pub language: Language,
    /// IANA time zone in which dates are shown and monthly archives are cut.
    pub time_zone: String,
    /// Articles per listing page.
    pub per_page: u32,
    /// The publication's logo for structured data and feeds: a path on this site or a URL.
    pub logo_url: String,
    /// The publisher's name and postal address on one line: in every mail's footer (mail to a
    /// list must name who sends it and where) beside the link to the Impressum.
    pub publisher: String,
    /// The header menu, one entry per line, "Label | /path" or "Label | https://…", in this
    /// order. Empty: the most used topics, the archive and the jobs.
    pub header_menu: Vec<String>,
    /// The footer menu, written the same way. Empty: the site's pages. The Impressum is linked
    /// from the footer in any case.
    pub footer_menu: Vec<String>,
}

/// One entry of a menu, written "Label | /path" or "Label | https://…".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuItem {
    pub label: String,
    pub href: String,
}

impl MenuItem {
    pub const MAX_LABEL: usize = 60;

    /// Reads one line; `None` when it is not "label | link" with a link on this site or on the web.
    pub fn parse(line: &str) -> Option<MenuItem> {
        let (label, href) = line.rsplit_once('|')?;
        let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
        let href = href.trim();
        let link = crate::text::is_site_path(href) || crate::text::is_web_link(href) && !href.contains(['"', '<', '>']);
        (!label.is_empty() && label.chars().count() <= Self::MAX_LABEL && link && href.len() <= 500)
            .then(|| MenuItem { label, href: href.to_string() })
    }

    /// The entries of a menu's lines (lines that do not read as entries are left out).
    pub fn menu(lines: &[String]) -> Vec<MenuItem> {
        lines.iter().filter_map(|l| MenuItem::parse(l)).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A request that takes longer is answered with 503.
    pub request_timeout_secs: u64,
    /// On SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
    /// A connection that has not sent a request's whole header this long after it opened, or
    /// after its last answer, is closed (slow clients would otherwise hold it for ever).
    pub header_timeout_secs: u64,
    /// Open connections one client address may hold; further ones are closed at once. Proxies
    /// we trust (see `trusted_proxies`) are not capped. 0: no cap.
    pub max_connections_per_client: usize,
    /// Take the client's address from `X-Forwarded-For`: only behind a reverse proxy that sets it.
    pub trust_forwarded_for: bool,
    /// With `trust_forwarded_for`: the networks of the proxies in front (a load balancer, then a
    /// CDN's edge, say). The client is the right-most `X-Forwarded-For` entry outside them, and a
    /// request from a peer outside them is taken at its own address. Empty: the one proxy we
    /// talk to is trusted and the last entry is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Who may read `/metrics`: networks or single addresses (taken through `trusted_proxies`
    /// like every client address). Empty: nobody, the page answers 403, and requests are not
    /// counted for it.
    pub metrics_allowed: Vec<IpNet>,
}

/// A network such as `10.0.0.0/8` or `2001:db8::/32`, or one address (`192.0.2.7`), parsed when
/// the config is loaded so a typo stops the start with the key's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    network: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether `ip` lies in this network; an IPv4 address mapped into IPv6 counts as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(text: &str) -> Result<IpNet, String> {
        let bad = || format!("{text:?} is not an address or a network such as \"10.0.0.0/8\"");
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
        };
        Ok(IpNet { network: network.to_canonical(), prefix })
    }
}

impl std::fmt::Display for IpNet {
    /// One address is written as it was given, without a prefix.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == whole { write!(f, "{}", self.network) } else { write!(f, "{}/{}", self.network, self.prefix) }
    }
}

impl Serialize for IpNet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpNet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<IpNet, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The page cache in memory (`web::cache`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    pub enabled: bool,
    /// Memory for stored pages, in MiB; the least recently used leave first.
    pub size_mb: usize,
    /// A stored page is rendered again after this many seconds even when nothing changed it.
    pub ttl_secs: u64,
    /// How long a CDN or proxy in front may keep a public page (`s-maxage`); 0 leaves it out.
    pub cdn_max_age_secs: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { enabled: true, size_mb: 64, ttl_secs: 60, cdn_max_age_secs: 30 }
    }
}

/// Requests the site makes to other hosts (pings, the job feed, pictures fetched by an import).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutgoingConfig {
    /// Let requests reach loopback, private and link-local addresses. Off, a URL that names or
    /// resolves to one, directly or through a redirect, is refused: a request made on someone
    /// else's word (an export's picture URL) cannot probe the operator's own network.
    pub allow_private_addresses: bool,
    /// Networks that may be reached although they are private, e.g. `["192.168.1.0/24"]` for
    /// an old site on the same network; the rest stays refused.
    pub allowed_networks: Vec<IpNet>,
    /// The longest a request may take, start to end, in seconds.
    pub timeout_secs: u64,
}

impl Default for OutgoingConfig {
    fn default() -> Self {
        OutgoingConfig { allow_private_addresses: false, allowed_networks: Vec::new(), timeout_secs: 30 }
    }
}

/// The publication on the social web (ActivityPub): one actor that readers follow from Mastodon
/// and the like, who get each article and whose replies become comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActivityPubConfig {
    /// Off: no actor, WebFinger or inbox (404), and nothing is delivered.
    pub enabled: bool,
    /// The actor's name: followed as `@{username}@{host of site.base_url}`.
    pub username: String,
}

impl Default for ActivityPubConfig {
    fn default() -> Self {
        ActivityPubConfig { enabled: true, username: "news".into() }
    }
}

/// What readers read (`analytics`): page views counted on the server, without cookies, scripts or
/// other hosts, summed per hour and per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsConfig {
    /// Off: nothing is counted (the dashboard shows what was counted before).
    pub enabled: bool,
    /// Each node writes its counts to the database this often, in seconds.
    pub flush_secs: u64,
    /// Hourly counts are kept this many days; the daily ones hold the rest.
    pub hourly_retention_days: u32,
    /// Daily counts are kept this many days; 0 keeps them for good.
    pub daily_retention_days: u32,
    /// Leave out requests that say `DNT: 1` or `Sec-GPC: 1`. Nothing counted identifies a
    /// reader either way.
    pub respect_do_not_track: bool,
    /// A search term is shown only once it was searched this many times in the period shown.
    pub min_search_count: u32,
    /// Links in newsletters and alerts go through `/l/{id}`, which counts clicks per mailing
    /// and link (never per reader). Off: mail links lead straight to their address.
    pub count_mail_clicks: bool,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        AnalyticsConfig {
            enabled: true,
            flush_secs: 60,
            hourly_retention_days: 35,
            daily_retention_days: 0,
            respect_do_not_track: false,
            min_search_count: 5,
            count_mail_clicks: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://...`; empty means `sqlite://{data_dir}/newsdesk.db`.
    pub url: String,
    pub max_connections: u32,
    /// How long SQLite waits for a lock before giving up, in milliseconds.
    pub busy_timeout_ms: u64,
    /// PostgreSQL cancels a statement that runs longer than this, in seconds (0: never), so a
    /// request that timed out does not leave its query running and holding a connection.
    /// Migrations run without it.
    pub statement_timeout_secs: u64,
    /// A statement that takes at least this long, in milliseconds, is logged at warn with its
    /// time (target `sqlx::query`). 0 logs every statement, for measuring.
    pub slow_statement_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryConfig {
    /// WebSub hub URL; when set, feeds announce it and publishing pings it. Empty: off.
    pub websub_hub: String,
    /// IndexNow key (8 to 128 letters, digits or hyphens); when set, the key file is served at
    /// `/{key}.txt` and publishing sends the changed URLs to `indexnow_endpoint`. Empty: off.
    pub indexnow_key: String,
    pub indexnow_endpoint: String,
    /// The publication's page on Google News, for the "follow us" links. Empty: not shown.
    pub google_news_url: String,
    /// The publication's page on Bing News. Empty: not shown.
    pub bing_news_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommentsConfig {
    /// Hold every comment for a moderator (the default). Off: comments without any flag, hold
    /// word or excess links appear at once.
    pub hold_all: bool,
    /// Let commenters whose earlier comment (same email) was approved through without holding.
    pub trust_approved_commenters: bool,
    /// A comment containing one of these is held, whatever the other settings say.
    pub hold_words: Vec<String>,
    /// A comment containing one of these is rejected at once (kept for the log, never shown).
    pub reject_words: Vec<String>,
    /// A comment with more links than this is held.
    pub max_links: u32,
    /// Comments close this many days after publication; 0 keeps them open.
    pub close_after_days: u32,
    /// Moderators and admins get a mail when a comment has waited this many minutes, at most
    /// one per that many minutes while comments keep waiting; 0 sends none.
    pub remind_moderators_after_minutes: u32,
    /// Longest comment accepted, in characters.
    pub max_length: usize,
    /// A folder whose word lists (demeaning.de.txt, demeaning.en.txt, spam.txt) extend the
    /// built-in ones. Empty: built-in lists only.
    pub word_lists_dir: String,
    /// A model file (as `newsdesk comments train` writes) to use instead of the built-in model.
    /// Empty: the built-in one, or the one an admin chose in the moderation settings.
    pub model_file: String,
    /// Scores from 0 to 1 at or above which a flag is raised.
    pub off_topic_threshold: f64,
    pub demeaning_threshold: f64,
    pub spam_threshold: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// A partner's feed of job listings (RSS, Atom or a JSON list). Empty: no import.
    pub feed_url: String,
    /// How often the feed is read, in minutes.
    pub feed_interval_minutes: u32,
    /// The partner's listings are paid: readers see each labelled as advertising.
    pub feed_sponsored: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PromotionsConfig {
    /// The newsletter signup in the call-to-action list: a path on this site or a URL. Empty:
    /// none.
    pub newsletter_url: String,
    /// Empty: the usual wording in the site's language (so with each label below).
    pub newsletter_label: String,
    /// The support link in the call-to-action list (for example a Patreon page). Empty: none.
    pub support_url: String,
    pub support_label: String,
    /// An external job board in the call-to-action list. Empty: none.
    pub job_board_url: String,
    pub job_board_label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// How mail leaves: "file" (each message an .eml file under `{data_dir}/mail`), "smtp", or
    /// "memory" (kept in the process, for tests).
    pub transport: MailTransport,
    /// The sender, such as `Newsdesk <newsletter@example.org>`.
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// "starttls", "tls" (TLS from the first byte, usually port 465) or "none" (local relays only).
    pub smtp_security: SmtpSecurity,
    pub smtp_username: String,
    pub smtp_password: String,
    /// SMTP connections kept open and messages sent at once.
    pub connections: u32,
    /// At most this many messages per second leave this node, across all its senders.
    pub rate_per_second: u32,
    /// After this many permanent failures (5xx) an address counts as bouncing and gets no more mail.
    pub bounce_limit: u32,
    /// The newsletter digest: "daily", "weekly" or "off".
    pub digest: DigestSchedule,
    /// Hour of the day (publication's time zone) the digest goes out.
    pub digest_hour: u32,
    /// For weekly digests: the day, 1 (Monday) to 7 (Sunday).
    pub digest_weekday: u32,
    /// Articles in a digest at most.
    pub digest_articles: u32,
    /// Similar-news alerts per subscriber per day; more go into the next day's summary.
    pub alerts_per_day: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    File,
    Smtp,
    Memory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestSchedule {
    Daily,
    Weekly,
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `newsdesk=debug,sqlx=warn`; `RUST_LOG` wins if set.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A language the user interface and articles can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::De, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            site: SiteConfig::default(),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            discovery: DiscoveryConfig::default(),
            comments: CommentsConfig::default(),
            jobs: JobsConfig::default(),
            promotions: PromotionsConfig::default(),
            email: EmailConfig::default(),
            cache: CacheConfig::default(),
            outgoing: OutgoingConfig::default(),
            activitypub: ActivityPubConfig::default(),
            analytics: AnalyticsConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "Newsdesk".into(),
            description: "Nachrichten über Künstliche Intelligenz, Robotik und Wissenschaft".into(),
            base_url: "http://127.0.0.1:8080".into(),
            language: Language::De,
            time_zone: "Europe/Berlin".into(),
            per_page: 20,
            logo_url: "/static/logo.svg".into(),
            publisher: String::new(),
            header_menu: Vec::new(),
            footer_menu: Vec::new(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            header_timeout_secs: 10,
            max_connections_per_client: 64,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            metrics_allowed: vec![
                IpNet { network: IpAddr::from([127, 0, 0, 1]), prefix: 32 },
                IpNet { network: IpAddr::from(std::net::Ipv6Addr::LOCALHOST), prefix: 128 },
            ],
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: String::new(),
            max_connections: 16,
            busy_timeout_ms: 5000,
            statement_timeout_secs: 40,
            slow_statement_ms: 1000,
        }
    }
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        DiscoveryConfig {
            websub_hub: String::new(),
            indexnow_key: String::new(),
            indexnow_endpoint: "https://api.indexnow.org/indexnow".into(),
            google_news_url: String::new(),
            bing_news_url: String::new(),
        }
    }
}

impl Default for CommentsConfig {
    fn default() -> Self {
        CommentsConfig {
            hold_all: true,
            trust_approved_commenters: false,
            hold_words: Vec::new(),
            reject_words: Vec::new(),
            max_links: 2,
            close_after_days: 0,
            remind_moderators_after_minutes: 120,
            max_length: 5000,
            word_lists_dir: String::new(),
            model_file: String::new(),
            off_topic_threshold: 0.8,
            demeaning_threshold: 0.5,
            spam_threshold: 0.5,
        }
    }
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig { feed_url: String::new(), feed_interval_minutes: 60, feed_sponsored: false }
    }
}

impl Default for PromotionsConfig {
    fn default() -> Self {
        PromotionsConfig {
            newsletter_url: "/newsletter".into(),
            newsletter_label: String::new(),
            support_url: String::new(),
            support_label: String::new(),
            job_board_url: String::new(),
            job_board_label: String::new(),
        }
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            transport: MailTransport::File,
            from: "Newsdesk <newsletter@localhost>".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: String::new(),
            smtp_password: String::new(),
            connections: 4,
            rate_per_second: 50,
            bounce_limit: 3,
            digest: DigestSchedule::Daily,
            digest_hour: 7,
            digest_weekday: 1,
            digest_articles: 10,
            alerts_per_day: 3,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { level: "info".into(), format: LogFormat::Text }
    }
}

/// Why a configuration could not be loaded. Each names where the bad value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("config key `{key}` (from {origin}): {message}")]
    Invalid { key: String, origin: String, message: String },
}

impl Config {
    /// Loads the config as `serve` and every other subcommand see it: the given file (which must
    /// exist), or `newsdesk.toml` in the working directory if present, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        let (path, text) = match file {
            Some(path) => (Some(path.to_path_buf()), Some(read(path)?)),
            None => {
                let path = Path::new(DEFAULT_FILE);
                if path.exists() { (Some(path.to_path_buf()), Some(read(path)?)) } else { (None, None) }
            }
        };
        Config::from_sources(path.as_deref(), text.as_deref(), &env)
    }

    /// Builds the config from a file's text and environment pairs; pure, for tests.
    pub fn from_sources(
        path: Option<&Path>,
        text: Option<&str>,
        env: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let file_name = || path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("<config>"));
        let mut table = match text {
            Some(text) => {
                // Deserialising the file alone first gives errors with line, column and key.
                toml::from_str::<Config>(text)
                    .map_err(|e| ConfigError::File { path: file_name(), message: e.to_string() })?;
                toml::from_str::<toml::Table>(text)
                    .map_err(|e| ConfigError::File { path: file_name(), message: e.to_string() })?
            }
            None => toml::Table::new(),
        };
        for (var, value) in env {
            let Some(key) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
            if path.iter().any(String::is_empty) {
                return Err(ConfigError::Env { var: var.clone(), message: "empty key segment".into() });
            }
            insert(&mut table, &path, parse_env_value(value))
                .map_err(|message| ConfigError::Env { var: var.clone(), message })?;
        }
        let origin = match (path, env.is_empty()) {
            (Some(p), true) => p.display().to_string(),
            (Some(p), false) => format!("{} and NEWSDESK_* environment", p.display()),
            (None, _) => "NEWSDESK_* environment".to_string(),
        };
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            ConfigError::Invalid { key: e.path().to_string(), origin: origin.clone(), message: e.inner().to_string() }
        })?;
        config.validate().map_err(|(key, message)| ConfigError::Invalid { key: key.into(), origin, message })?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if jiff::tz::TimeZone::get(&self.site.time_zone).is_err() {
            return Err(("site.time_zone", format!("unknown time zone {:?}", self.site.time_zone)));
        }
        if !(self.site.base_url.starts_with("http://") || self.site.base_url.starts_with("https://"))
            || self.site.base_url.ends_with('/')
        {
            return Err(("site.base_url", "must start with http:// or https:// and not end with /".into()));
        }
        if self.site.per_page == 0 || self.site.per_page > 100 {
            return Err(("site.per_page", "must be between 1 and 100".into()));
        }
        if self.site.name.trim().is_empty() {
            return Err(("site.name", "must not be empty".into()));
        }
        for (key, menu) in [("site.header_menu", &self.site.header_menu), ("site.footer_menu", &self.site.footer_menu)]
        {
            if let Some(bad) = menu.iter().find(|line| MenuItem::parse(line).is_none()) {
                return Err((key, format!("{bad:?} is not \"Label | /path\" or \"Label | https://…\"")));
            }
        }
        if !(self.database.url.is_empty()
            || self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return Err(("database.url", "must start with sqlite: or postgres://".into()));
        }
        if !self.server.trusted_proxies.is_empty() && !self.server.trust_forwarded_for {
            // Naming proxies without trusting their header is surely a half-done setup.
            return Err(("server.trusted_proxies", "is set, but server.trust_forwarded_for is false".into()));
        }
        let discovery = &self.discovery;
        for (key, url) in [
            ("discovery.websub_hub", &discovery.websub_hub),
            ("discovery.indexnow_endpoint", &discovery.indexnow_endpoint),
            ("discovery.google_news_url", &discovery.google_news_url),
            ("discovery.bing_news_url", &discovery.bing_news_url),
        ] {
            let web = url.starts_with("https://") || url.starts_with("http://");
            if !(url.is_empty() || web) {
                return Err((key, "must be empty or an http:// or https:// URL".into()));
            }
        }
        for (key, url) in [
            ("jobs.feed_url", &self.jobs.feed_url),
            ("promotions.support_url", &self.promotions.support_url),
            ("promotions.job_board_url", &self.promotions.job_board_url),
        ] {
            if !url.is_empty() && !crate::text::is_web_link(url) {
                return Err((key, "must be empty or an http:// or https:// URL".into()));
            }
        }
        let analytics = &self.analytics;
        if !(1..=3600).contains(&analytics.flush_secs) {
            return Err(("analytics.flush_secs", "must be between 1 and 3600".into()));
        }
        if analytics.hourly_retention_days == 0 {
            return Err(("analytics.hourly_retention_days", "must be at least 1".into()));
        }
        if analytics.daily_retention_days != 0 && analytics.daily_retention_days < analytics.hourly_retention_days {
            return Err((
                "analytics.daily_retention_days",
                "must be 0 (for good) or at least the hourly retention".into(),
            ));
        }
        if analytics.min_search_count == 0 {
            return Err(("analytics.min_search_count", "must be at least 1".into()));
        }
        let username = &self.activitypub.username;
        let name_ok = (1..=30).contains(&username.len())
            && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(("activitypub.username", "must be 1 to 30 lower-case letters, digits or _".into()));
        }
        if self.jobs.feed_interval_minutes == 0 {
            return Err(("jobs.feed_interval_minutes", "must be at least 1".into()));
        }
        let key = &discovery.indexnow_key;
        let well_formed = (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !(key.is_empty() || well_formed) {
            return Err(("discovery.indexnow_key", "must be 8 to 128 letters, digits or hyphens".into()));
        }
        let comments = &self.comments;
        for (key, value) in [
            ("comments.off_topic_threshold", comments.off_topic_threshold),
            ("comments.demeaning_threshold", comments.demeaning_threshold),
            ("comments.spam_threshold", comments.spam_threshold),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err((key, "must be between 0 and 1".into()));
            }
        }
        if !(100..=100_000).contains(&comments.max_length) {
            return Err(("comments.max_length", "must be between 100 and 100000".into()));
        }
        let email = &self.email;
        if lettre::message::Mailbox::from_str(&email.from).is_err() {
            return Err((
                "email.from",
                format!("{:?} is not an address such as \"Name <news@example.org>\"", email.from),
            ));
        }
        if email.connections == 0 || email.connections > 64 {
            return Err(("email.connections", "must be between 1 and 64".into()));
        }
        if email.rate_per_second == 0 {
            return Err(("email.rate_per_second", "must be at least 1".into()));
        }
        if email.digest_hour > 23 {
            return Err(("email.digest_hour", "must be between 0 and 23".into()));
        }
        if !(1..=7).contains(&email.digest_weekday) {
            return Err(("email.digest_weekday", "must be between 1 (Monday) and 7 (Sunday)".into()));
        }
        if email.digest_articles == 0 || email.digest_articles > 50 {
            return Err(("email.digest_articles", "must be between 1 and 50".into()));
        }
        if email.bounce_limit == 0 {
            return Err(("email.bounce_limit", "must be at least 1".into()));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(("log.level", format!("{:?} is not a log filter such as \"info\"", self.log.level)));
        }
        // The comment form's time trap is valid for 12 hours: a stored page must be younger.
        if !(1..=6 * 3600).contains(&self.cache.ttl_secs) {
            return Err(("cache.ttl_secs", "must be between 1 and 21600".into()));
        }
        // A CDN adds its own lifetime on top of ours: together still within the time trap.
        if self.cache.ttl_secs + self.cache.cdn_max_age_secs > 6 * 3600 {
            return Err(("cache.cdn_max_age_secs", "together with cache.ttl_secs must be at most 21600".into()));
        }
        if self.cache.size_mb > 65_536 {
            return Err(("cache.size_mb", "must be at most 65536".into()));
        }
        if self.database.max_connections == 0 {
            return Err(("database.max_connections", "must be at least 1".into()));
        }
        Ok(())
    }

    /// The database URL in effect: the configured one, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("newsdesk.db").display())
        } else {
            self.database.url.clone()
        }
    }

    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.site.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })
}

fn parse_env_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

fn insert(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().expect("split on __ yields at least one segment");
    let mut current = table;
    for segment in parents {
        let entry = current.entry(segment.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = entry.as_table_mut().ok_or_else(|| format!("`{segment}` is not a table"))?;
    }
    current.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn no_file_gives_defaults() {
        let config = Config::from_sources(None, None, &[]).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.site.language, Language::De);
        assert_eq!(config.database_url(), "sqlite://./data/newsdesk.db?mode=rwc");
    }

    #[test]
    fn environment_overrides_file() {
        let text = "[site]\nname = \"Aus der Datei\"\nper_page = 5\n";
        let config = Config::from_sources(
            Some(Path::new("n.toml")),
            Some(text),
            &env(&[("NEWSDESK_SITE__PER_PAGE", "7"), ("NEWSDESK_SERVER__LISTEN", "127.0.0.1:9999")]),
        )
        .unwrap();
        assert_eq!(config.site.name, "Aus der Datei");
        assert_eq!(config.site.per_page, 7);
        assert_eq!(config.server.listen.port(), 9999);
    }

    #[test]
    fn unknown_key_in_file_names_file_and_key() {
        let err = Config::from_sources(Some(Path::new("site.toml")), Some("[site]\ntitel = \"x\"\n"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("site.toml"), "{err}");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn wrong_type_from_environment_names_variable_path() {
        let err =
            Config::from_sources(None, None, &env(&[("NEWSDESK_SITE__PER_PAGE", "viele")])).unwrap_err().to_string();
        assert!(err.contains("site.per_page"), "{err}");
    }

    #[test]
    fn bad_time_zone_is_refused() {
        let err =
            Config::from_sources(None, Some("[site]\ntime_zone = \"Mars/Olympus\"\n"), &[]).unwrap_err().to_string();
        assert!(err.contains("site.time_zone"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_parsed_at_load() {
        let text = "[server]\ntrust_forwarded_for = true\ntrusted_proxies = [\"10.0.0.0/8\", \"2001:db8::/32\", \"192.0.2.7\"]\n";
        let config = Config::from_sources(None, Some(text), &[]).unwrap();
        let [private, v6, one] = config.server.trusted_proxies[..] else { panic!("three networks") };
        assert!(private.contains("10.200.3.4".parse().unwrap()));
        assert!(private.contains("::ffff:10.0.0.1".parse().unwrap()), "IPv4 mapped into IPv6");
        assert!(!private.contains("11.0.0.1".parse().unwrap()));
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert!(!v6.contains("2001:db9::5".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        assert!(one.contains("192.0.2.7".parse().unwrap()) && !one.contains("192.0.2.8".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<IpNet>().unwrap().contains("203.0.113.9".parse().unwrap()));

        for bad in ["10.0.0.0/33", "10.0.0/8", "10.0.0.0/", "10.0.0.0/+8", "proxy.internal"] {
            let text = format!("[server]\ntrust_forwarded_for = true\ntrusted_proxies = [\"{bad}\"]\n");
            let err = Config::from_sources(None, Some(&text), &[]).unwrap_err().to_string();
            assert!(err.contains("trusted_proxies") && err.contains(bad), "{bad}: {err}");
        }
        let err = Config::from_sources(None, Some("[server]\ntrusted_proxies = [\"10.0.0.0/8\"]\n"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("trust_forwarded_for"), "{err}");
    }

    /// The example config lists every key with its default value, so operators can trust it.
    #[test]
    fn example_config_lists_every_key_with_its_default() {
        let text = include_str!("../../../newsdesk.example.toml");
        let example: toml::Table = toml::from_str(text).unwrap();
        let defaults: toml::Table = toml::Table::try_from(Config::default()).unwrap();
        assert_eq!(example, defaults, "newsdesk.example.toml differs from Config::default()");
    }
}
