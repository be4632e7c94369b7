//! The application value: built once from the config and handed to every handler and worker.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use parking_lot::RwLock;

use minijinja::Value;
use serde::Serialize;

use crate::articles::model::Label;
use crate::auth::keys::Keys;
use crate::auth::sessions::Staff;
use crate::clock::Clock;
use crate::comments::moderation::Assessor;
use crate::comments::moderation::model::Model;
use crate::config::{Config, Language, MenuItem};
use crate::db::Db;
use crate::discovery::feeds::main_feed_links;
use crate::i18n::I18n;
use crate::pages::PageLink;
use crate::web::error::AppError;
use crate::web::{assets, templates};

/// How long the parts every page shows (the navigation's top topics, the jobs box, the
/// promotions) are reused before they are read again; a change in the log drops them sooner.
const SHARED_PARTS_TTL: i64 = 30;
const NAV_TAGS: i64 = 6;

#[derive(Debug, Clone, Serialize)]
struct SiteView {
    name: String,
    description: String,
    base_url: String,
    logo_url: String,
    /// The publisher's name and postal address, for mail footers.
    publisher: String,
    /// The Impressum's absolute address (mails link it too), once there is one.
    imprint_url: Option<String>,
    /// The header menu chosen in the settings; empty: the topics most used.
    header_menu: Vec<MenuItem>,
    /// The footer's links: the menu chosen in the settings, else the usual ones and the site's
    /// pages; the Impressum in any case.
    footer_menu: Vec<MenuItem>,
}

impl SiteView {
    fn new(config: &Config, i18n: &I18n, pages: &[PageLink]) -> SiteView {
        let text = |key: &str| i18n.text(config.site.language, key, &[]);
        let imprint = pages.iter().find(|p| p.role == Some(crate::pages::Role::Imprint));
        let mut footer_menu = if config.site.footer_menu.is_empty() {
            let usual = [
                ("nav-home", "/"),
                ("nav-archive", "/archive"),
                ("newsletter-title", "/newsletter"),
                ("manage-title", "/subscription"),
                ("nav-jobs", "/jobs"),
            ];
            usual
                .iter()
                .map(|(key, href)| MenuItem { label: text(key), href: href.to_string() })
                .chain(pages.iter().map(|p| MenuItem { label: p.title.clone(), href: p.href.clone() }))
                .collect()
        } else {
            MenuItem::menu(&config.site.footer_menu)
        };
        if let Some(imprint) = imprint
            && !footer_menu.iter().any(|m| m.href == imprint.href)
        {
            footer_menu.push(MenuItem { label: imprint.title.clone(), href: imprint.href.clone() });
        }
        SiteView {
            name: config.site.name.clone(),
            description: config.site.description.clone(),
            base_url: config.site.base_url.clone(),
            logo_url: config.site.logo_url.clone(),
            publisher: config.site.publisher.clone(),
            imprint_url: imprint.map(|p| format!("{}{}", config.site.base_url, p.href)),
            header_menu: MenuItem::menu(&config.site.header_menu),
            footer_menu,
        }
    }
}

/// What follows the settings admins change at run time (`/admin/settings`): the effective
/// configuration and what is built from it. Swapped whole when the settings change.
pub struct Live {
    pub config: Arc<Config>,
    pub time_zone: jiff::tz::TimeZone,
    templates: minijinja::Environment<'static>,
    site: Value,
    pub assessor: Assessor,
    /// What every mail shares (sender, List-Id with the site's name), from the live settings.
    pub mail_site: crate::email::compose::MailSite,
    /// The site's published pages (read with the settings: saving a page counts a revision).
    pub pages: Vec<PageLink>,
}

impl Live {
    /// Whether the site has its Impressum yet (German law requires one).
    pub fn has_imprint(&self) -> bool {
        self.pages.iter().any(|p| p.role == Some(crate::pages::Role::Imprint))
    }
}

impl Live {
    /// `site_model` is the site's own assessment model in use, if any (a model file named in the
    /// configuration comes first).
    fn build(
        config: Config,
        i18n: &Arc<I18n>,
        site_model: Option<Arc<Model>>,
        pages: Vec<PageLink>,
    ) -> anyhow::Result<Live> {
        let time_zone = config.time_zone();
        let templates = templates::environment(
            i18n.clone(),
            config.site.language,
            time_zone.clone(),
            &[
                ("css_url", Value::from(assets::url("style.css"))),
                ("admin_js_url", Value::from(assets::url("admin.js"))),
                ("favicon_url", Value::from(assets::url("favicon.svg"))),
                ("ui_lang", Value::from(config.site.language.code())),
                ("main_feeds", Value::from(minijinja::value::Serde(main_feed_links(&config.site.name)))),
            ],
        )?;
        let mut assessor = Assessor::new(&config.comments)?;
        if let Some(model) = site_model
            && config.comments.model_file.is_empty()
        {
            assessor = assessor.with_model(model);
        }
        let mut mail_site = crate::email::compose::MailSite::from_config(&config)?;
        mail_site.imprint_url = pages
            .iter()
            .find(|p| p.role == Some(crate::pages::Role::Imprint))
            .map(|p| format!("{}{}", config.site.base_url, p.href));
        let site = Value::from(minijinja::value::Serde(SiteView::new(&config, i18n, &pages)));
        Ok(Live { config: Arc::new(config), time_zone, templates, site, assessor, mail_site, pages })
    }
}

/// A value read from the database that every page shows, reused for [`SHARED_PARTS_TTL`]
/// seconds of the application's clock. One reader reads it again at a time; meanwhile the others
/// use the value before (or, when there is none yet, wait for it), so a busy site never sends
/// the same slow query many times at once. No lock is held across the read but that one.
pub struct Memo<T> {
    slot: RwLock<Option<(i64, T)>>,
    reading: tokio::sync::Mutex<()>,
    /// Counts clears: a value read across one is not kept, since it may be from before.
    generation: std::sync::atomic::AtomicU64,
}

impl<T: Clone> Memo<T> {
    fn new() -> Memo<T> {
        Memo { slot: RwLock::new(None), reading: tokio::sync::Mutex::new(()), generation: Default::default() }
    }

    fn fresh(&self, now: i64) -> Option<T> {
        match self.slot.read().as_ref() {
            Some((at, value)) if (0..SHARED_PARTS_TTL).contains(&(now - at)) => Some(value.clone()),
            _ => None,
        }
    }

    /// The value, read again with `read` when it is older than the TTL.
    pub async fn get<E, F: Future<Output = Result<T, E>>>(&self, now: i64, read: impl FnOnce() -> F) -> Result<T, E> {
        if let Some(value) = self.fresh(now) {
            return Ok(value);
        }
        let _reading = match self.reading.try_lock() {
            Ok(guard) => guard,
            Err(_) => match self.last() {
                Some(stale) => return Ok(stale),
                None => self.reading.lock().await,
            },
        };
        if let Some(value) = self.fresh(now) {
            return Ok(value);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let value = read().await?;
        let mut slot = self.slot.write();
        if self.generation.load(Ordering::Acquire) == generation {
            *slot = Some((now, value.clone()));
        }
        Ok(value)
    }

    /// The value last read, however old.
    fn last(&self) -> Option<T> {
        self.slot.read().as_ref().map(|(_, v)| v.clone())
    }

    fn clear(&self) {
        let mut slot = self.slot.write();
        self.generation.fetch_add(1, Ordering::AcqRel);
        *slot = None;
    }
}

pub struct App {
    /// The configuration from the file and the environment, before the stored settings.
    pub base_config: Config,
    live: RwLock<Arc<Live>>,
    /// The stored settings' revision last applied.
    settings_seen: parking_lot::Mutex<i64>,
    pub db: Db,
    pub i18n: Arc<I18n>,
    pub clock: Clock,
    nav_tags: Memo<Vec<Label>>,
    /// The jobs box beside articles.
    pub jobs_box: Memo<crate::jobs::model::JobsBox>,
    /// The promotions pages show.
    pub promotions: Memo<crate::promos::Placements>,
    /// Library pictures that public pages still show by their old numbered address.
    pub old_media: Memo<Arc<std::collections::HashSet<i64>>>,
    /// For pings to hubs and search engines (`outgoing`).
    pub http: crate::outgoing::Outgoing,
    pub keys: Keys,
    /// The full-text index (tantivy) in the data folder.
    pub search: Arc<crate::search::index::SearchIndex>,
    /// Sends mail from the outbox.
    pub mailer: crate::email::sender::Mailer,
    /// Bounds the password hashes computed at once (each takes tens of milliseconds of CPU).
    pub hashing: tokio::sync::Semaphore,
    /// Public pages ready to send (`web::cache`).
    pub page_cache: crate::web::cache::PageCache,
    /// Where this process is in the change log (`changes`).
    pub changes: tokio::sync::Mutex<crate::follower::position::Follower>,
    /// Readers' page views counted in memory until the next flush (`analytics`).
    pub analytics: crate::analytics::Counter,
}

impl crate::web::cache::Host for App {
    fn page_cache(&self) -> &crate::web::cache::PageCache {
        &self.page_cache
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("db", &self.db).finish_non_exhaustive()
    }
}

impl App {
    /// Opens the database, applies pending migrations, and loads keys, templates and
    /// translations: what `serve` does before it listens.
    pub async fn build(config: Config) -> anyhow::Result<Arc<App>> {
        let db = Db::connect(&config).await?;
        let applied = db.migrate().await?;
        if applied > 0 {
            tracing::info!(applied, "database migrated");
        }
        App::with_db(config, db).await
    }

    /// Builds the application on an open, migrated database.
    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<Arc<App>> {
        crate::articles::listings::ensure(&db).await?;
        let i18n = Arc::new(I18n::load()?);
        let http = crate::outgoing::Outgoing::new(&config.outgoing)?;
        let keys = Keys::load(&db).await?;
        let (search, fresh) = crate::search::index::SearchIndex::open(&config.data_dir)?;
        let latest = crate::follower::position::latest(&db).await?;
        let position = crate::follower::position::saved_position(&config.data_dir);
        let oldest = crate::follower::position::oldest(&db).await?;
        // An index that missed changes no longer in the log (or of unknown age) is built again.
        let behind = match position {
            Some(p) => oldest.is_some_and(|o| o > p + 1) || p > latest,
            None => latest > 0,
        };
        if behind && !fresh {
            tracing::warn!(position, latest, "the search index missed changes; building it again");
        }
        let fresh = fresh || behind;
        if fresh {
            // Derived data: a new (or newly versioned) index is filled from the database.
            let articles = search.rebuild_from(&db, crate::db::now(), |_, _| {}).await?;
            tracing::info!(articles, "search index built");
            crate::follower::position::save_position(&config.data_dir, latest)?;
        }
        // A restarted node catches up from where its index stood.
        let start = if fresh { latest } else { position.unwrap_or(latest) };
        let mailer = crate::email::sender::Mailer::new(&config)?;
        let (effective, seen) = crate::settings::effective(&db, &config).await?;
        let site_model = crate::comments::learning::model_in_use(&db).await?;
        let pages = crate::pages::directory(&db).await?.into_iter().map(|(link, _)| link).collect();
        let live = Live::build(effective, &i18n, site_model, pages)?;
        let analytics = crate::analytics::Counter::new(crate::analytics::Settings::from_config(
            &live.config,
            live.time_zone.clone(),
        ));
        // The day's salt for the visitors' hashes, before the first reader comes.
        crate::analytics::queries::flush(&db, &analytics, crate::db::now()).await?;
        let page_cache = crate::web::cache::PageCache::new(&config.cache);
        let changes = tokio::sync::Mutex::new(crate::follower::position::Follower::new(&config.data_dir, start));
        Ok(Arc::new(App {
            base_config: config,
            live: RwLock::new(Arc::new(live)),
            settings_seen: parking_lot::Mutex::new(seen),
            db,
            i18n,
            clock: Clock::default(),
            nav_tags: Memo::new(),
            jobs_box: Memo::new(),
            promotions: Memo::new(),
            old_media: Memo::new(),
            http,
            keys,
            hashing: tokio::sync::Semaphore::new(2),
            search: Arc::new(search),
            mailer,
            page_cache,
            changes,
            analytics,
        }))
    }

    /// The configuration in effect now: the file's, with the stored settings applied.
    pub fn config(&self) -> Arc<Config> {
        self.live().config.clone()
    }

    /// Whether requests are counted for `/metrics`: some address may read it. Asked on every
    /// request, so without cloning the configuration.
    pub fn metrics_on(&self) -> bool {
        !self.live.read().config.server.metrics_allowed.is_empty()
    }

    /// The effective settings and what is built from them.
    pub fn live(&self) -> Arc<Live> {
        self.live.read().clone()
    }

    /// The publication's time zone.
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        self.live().time_zone.clone()
    }

    /// Applies the stored settings if they changed since they were last applied (here or on
    /// another node); returns whether they did. Cheap: one small query.
    pub async fn reload_settings(&self) -> anyhow::Result<bool> {
        let revision = crate::settings::revision(&self.db).await?;
        if *self.settings_seen.lock() == revision {
            return Ok(false);
        }
        let (effective, revision) = crate::settings::effective(&self.db, &self.base_config).await?;
        let site_model = crate::comments::learning::model_in_use(&self.db).await?;
        let pages = crate::pages::directory(&self.db).await?.into_iter().map(|(link, _)| link).collect();
        let live = Live::build(effective, &self.i18n, site_model, pages)?;
        self.analytics.configure(crate::analytics::Settings::from_config(&live.config, live.time_zone.clone()));
        *self.live.write() = Arc::new(live);
        *self.settings_seen.lock() = revision;
        self.page_cache.invalidate(&[crate::changes::Scope::All]);
        self.forget_shared_parts();
        tracing::info!(revision, "settings applied");
        Ok(true)
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// What feature services are given: the database, the configuration in effect, the time.
    pub fn context(&self) -> crate::context::Context {
        crate::context::Context { db: self.db.clone(), config: self.config(), now: self.now() }
    }

    pub fn language(&self) -> Language {
        self.config().site.language
    }

    /// A UI text in the site's language.
    pub fn text(&self, key: &str) -> String {
        self.i18n.text(self.language(), key, &[])
    }

    /// Renders a page template with the values every page needs (site, navigation) added.
    pub async fn render(&self, template: &str, page: Value) -> Result<String, AppError> {
        // The error pages must render even when the database is down: then without topics.
        let nav_tags = self.nav_tags().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the navigation topics");
            Vec::new()
        });
        self.render_with(template, page, nav_tags)
    }

    /// Renders a page with the navigation topics last read, without asking the database: for
    /// error pages, which must not wait for a database that is down.
    pub fn render_offline(&self, template: &str, page: Value) -> Result<String, AppError> {
        let nav_tags = self.nav_tags.last().unwrap_or_default();
        self.render_with(template, page, nav_tags)
    }

    fn render_with(&self, template: &str, page: Value, nav_tags: Vec<Label>) -> Result<String, AppError> {
        let live = self.live();
        let context = minijinja::context! {
            site => live.site.clone(),
            nav_tags => minijinja::value::Serde(nav_tags),
            ..page
        };
        Ok(live.templates.get_template(template)?.render(context)?)
    }

    /// Renders a template on its own, without the page's navigation (mail parts).
    pub fn render_plain(&self, template: &str, page: Value) -> Result<String, AppError> {
        let live = self.live();
        let context = minijinja::context! { site => live.site.clone(), ..page };
        Ok(live.templates.get_template(template)?.render(context)?)
    }

    /// The most used topics among live articles, for the navigation.
    pub async fn nav_tags(&self) -> Result<Vec<Label>, sqlx::Error> {
        let now = self.now();
        self.nav_tags.get(now, || crate::articles::queries::top_tags(&self.db, now, NAV_TAGS)).await
    }

    /// Forgets the parts every page shares (navigation, jobs box, promotions, the pictures shown
    /// by old addresses), so the next page reads them again.
    pub fn forget_shared_parts(&self) {
        self.nav_tags.clear();
        self.jobs_box.clear();
        self.promotions.clear();
        self.old_media.clear();
    }

    /// Renders an admin page: the page's values plus the signed-in user and the CSRF token.
    pub async fn render_admin(&self, template: &str, staff: &Staff, page: Value) -> Result<String, AppError> {
        let context = minijinja::context! {
            staff_email => staff.email.clone(),
            staff_role => staff.role.as_str(),
            csrf => staff.csrf.clone(),
            ..page
        };
        self.render(template, context).await
    }
}

impl crate::comments::learning::Env for App {
    fn db(&self) -> &Db {
        &self.db
    }

    fn config(&self) -> Arc<Config> {
        App::config(self)
    }

    fn now(&self) -> i64 {
        App::now(self)
    }

    fn assessor(&self) -> Assessor {
        self.live().assessor.clone()
    }
}

impl crate::email::Env for App {
    fn db(&self) -> &Db {
        &self.db
    }

    fn config(&self) -> Arc<Config> {
        App::config(self)
    }

    fn now(&self) -> i64 {
        App::now(self)
    }

    fn language(&self) -> Language {
        App::language(self)
    }

    fn time_zone(&self) -> jiff::tz::TimeZone {
        App::time_zone(self)
    }

    fn i18n(&self) -> &I18n {
        &self.i18n
    }

    fn keys(&self) -> &Keys {
        &self.keys
    }

    fn search(&self) -> &crate::search::index::SearchIndex {
        &self.search
    }

    fn mailer(&self) -> &crate::email::sender::Mailer {
        &self.mailer
    }

    fn mail_site(&self) -> crate::email::compose::MailSite {
        self.live().mail_site.clone()
    }

    fn render_plain(&self, template: &str, page: Value) -> anyhow::Result<String> {
        Ok(App::render_plain(self, template, page)?)
    }
}
