//! The command line: every subcommand acts on the site that `--config` and `--data` name.

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::app::App;
use crate::articles::{import, queries};
use crate::auth::users::{self, Email, Password, Role};
use crate::config::{Config, LogFormat};
use crate::db::Db;

/// `println!` for the commands' output, returning an error instead of panicking. A closed pipe
/// (`newsdesk article list | head -n 1`) becomes [`OutputClosed`], which ends the command
/// quietly and successfully: the reader has what it wanted.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err($crate::cli::output_error)
    }};
}

/// `eprintln!` for messages and progress on standard error. Errors are ignored: with standard
/// error closed there is nowhere to report them, and the exit code still tells the outcome.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` without the newline (progress bars); see [`errln!`].
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, $($arg)*);
        let _ = stderr.flush();
    }};
}

/// Standard output was closed by its reader.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct OutputClosed;

#[doc(hidden)]
pub fn output_error(error: std::io::Error) -> anyhow::Error {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        anyhow::Error::new(OutputClosed)
    } else {
        anyhow::Error::new(error).context("cannot write to standard output")
    }
}

/// The largest text file a command reads (a campaign's Markdown).
const MAX_TEXT_FILE: u64 = 1024 * 1024;
/// The most read from standard input for a password.
const MAX_PASSWORD_LINE: u64 = 4096;

#[derive(Debug, Parser)]
#[command(
    name = "newsdesk",
    version,
    about = "Runs an online news publication: articles, pages, feeds and more, from one binary."
)]
pub struct Cli {
    /// Config file (TOML). Default: ./newsdesk.toml when present, else built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data folder: holds the SQLite database and whatever else the site stores.
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server and the background workers (migrates the database first).
    Serve {
        /// Add the demo publication when the database has no articles yet.
        #[arg(long)]
        demo: bool,
        /// Address and port to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<SocketAddr>,
    },
    /// Run the background work without the web server: scheduled articles, queued jobs (index
    /// updates, pings, alerts), the mail schedule and sending. For deployments that split them.
    Worker,
    /// Apply database migrations that are not yet applied.
    Migrate,
    /// Manage the users of the admin area.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import, list and publish articles.
    Article {
        #[command(subcommand)]
        command: ArticleCommand,
    },
    /// Bring in an archive from another system, with a progress bar and a summary.
    Import {
        #[command(subcommand)]
        source: ImportCommand,
    },
    /// Rebuild the full-text search index from the database, with a progress bar.
    Reindex,
    /// Search the articles as the site's search page does.
    Search {
        #[arg(value_name = "QUERY")]
        query: String,
        /// Newest first instead of by relevance.
        #[arg(long)]
        newest: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The mail outbox: what is queued, sent and failed, and each campaign's progress.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Newsletter campaigns.
    Newsletter {
        #[command(subcommand)]
        command: NewsletterCommand,
    },
    /// Moderation tools for operators.
    Comments {
        #[command(subcommand)]
        command: CommentsCommand,
    },
    /// Write a consistent copy of the live SQLite database to PATH.
    Backup {
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is asked for, or read from standard input.
    Add {
        #[arg(long, value_enum)]
        role: Role,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
        #[arg(value_name = "EMAIL")]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A WordPress export (Tools → Export, WXR 1.1 or 1.2): posts with shortcodes and blocks
    /// made into content, categories and tags, authors, featured images, approved comments, and
    /// every old address answered with a redirect. A second run of the same file changes nothing.
    Wordpress {
        #[arg(value_name = "FILE.xml")]
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// A Ghost export (Settings → Labs → Export, Ghost 1.0 to 6.x): posts from Lexical or
    /// mobiledoc, tags, authors, feature images, and the old addresses. A second run of the
    /// same file changes nothing.
    Ghost {
        #[arg(value_name = "FILE.json")]
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
}

#[derive(Debug, clap::Args)]
struct ImportOptions {
    /// Bring the pictures posts use from the old site into the media library (through
    /// `[outgoing]`: loopback and private addresses only when allowed there).
    #[arg(long)]
    fetch_media: bool,
    /// Pictures fetched at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    concurrency: u16,
    /// The old site's address, for exports that do not carry it (Ghost's pictures are at
    /// `__GHOST_URL__/content/images/...`), e.g. https://old.example.com
    #[arg(long, value_name = "URL")]
    old_url: Option<String>,
    /// Read and convert everything and print the summary; store and fetch nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum CommentsCommand {
    /// Read a comment from standard input and print its assessment as JSON: each score from 0
    /// to 1, the flags raised and the reasons, as moderators would see it on this article.
    Assess {
        #[arg(long, value_name = "SLUG")]
        article: String,
    },
    /// Train the assessment's model from the base data (GermEval 2018's German comments, of
    /// which every fifth is held out, and the project's own labelled comments) and write it to
    /// FILE; prints its figures on the held-out part. The same data gives the same file.
    Train {
        /// The GermEval 2018 training file.
        #[arg(long, value_name = "FILE", default_value = crate::comments::moderation::training::GERMEVAL_PATH)]
        germeval: PathBuf,
        #[arg(long, value_name = "FILE", default_value = "moderation/model.bin")]
        out: PathBuf,
        /// Compare training settings by 5-fold cross-validation on the training part first
        /// (slow), print the table and train with the best.
        #[arg(long)]
        tune: bool,
    },
    /// Print the figures of the model in use (built in, or `comments.model_file`) on GermEval's
    /// held-out part and on the project's labelled sets.
    Evaluate {
        #[arg(long, value_name = "FILE", default_value = crate::comments::moderation::training::GERMEVAL_PATH)]
        germeval: PathBuf,
    },
    /// Train a model for this site from the built-in one and the moderators' decisions, now
    /// (what the button at /admin/moderation starts in the background); prints its figures
    /// before and after on a held-out fifth of the decisions. Does not put it in use.
    Retrain,
    /// Put a model trained here in use (its number, as `retrain` and /admin/moderation show it),
    /// or `built-in` for the model built into the binary.
    UseModel {
        #[arg(value_name = "ID|built-in")]
        model: String,
    },
}

#[derive(Debug, Subcommand)]
enum ArticleCommand {
    /// Import Markdown files with TOML front matter (folders: their .md files).
    Import {
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
    /// List all articles with status, date, slug and title, newest first: by publication time
    /// (scheduled articles by the time they are planned for; drafts and others never published
    /// by their last change, the time shown for them), then by slug.
    List,
    /// Print the articles related to one, as the site shows them under it.
    Related {
        #[arg(value_name = "SLUG")]
        slug: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Publish an article now (a scheduled one early, an unpublished one again).
    Publish {
        #[arg(value_name = "SLUG")]
        slug: String,
    },
}

/// Parses the arguments, runs the command, and turns an error into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(mut config) => {
            if let Some(data) = &cli.data {
                config.data_dir = data.clone();
            }
            config
        }
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.chain().any(|cause| cause.is::<OutputClosed>()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the database and brings its schema up to date; every command that reads or writes
/// the site does this, so a fresh data folder works with any of them.
async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config).await?;
    db.migrate().await?;
    crate::articles::listings::ensure(&db).await?;
    Ok(db)
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Print totals, the last minute's rate and recent campaigns.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum NewsletterCommand {
    /// Write a campaign from a Markdown file and send it to every newsletter subscriber (the
    /// running server's sender delivers it).
    Send {
        #[arg(long)]
        subject: String,
        /// Markdown file with the text.
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
}

async fn outbox_status(config: Config, json: bool) -> anyhow::Result<()> {
    let db = open(&config).await?;
    let mut status = crate::email::outbox::status(&db, crate::db::now(), 10).await?;
    for c in &mut status.campaigns {
        c.status = c.state().to_string();
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&status)?)?;
        return Ok(());
    }
    outln!(
        "queued {} (due now {}), sent {}, failed {}, dropped {}; sent in the last minute: {}",
        status.queued,
        status.due,
        status.sent,
        status.failed,
        status.dropped,
        status.sent_last_minute
    )?;
    for c in &status.campaigns {
        let done = c.sent + c.failed + c.dropped;
        outln!(
            "campaign {:>4} {:<7} {:<8} {done:>7}/{:<7} sent {} failed {} dropped {}  {}",
            c.id,
            c.kind,
            c.status,
            c.recipients,
            c.sent,
            c.failed,
            c.dropped,
            c.subject
        )?;
    }
    Ok(())
}

async fn newsletter_send(config: Config, subject: &str, body_file: &std::path::Path) -> anyhow::Result<()> {
    let body = import::read_limited_text(body_file, MAX_TEXT_FILE)
        .with_context(|| format!("cannot use {} as the campaign's text", body_file.display()))?;
    let i18n = crate::i18n::I18n::load()?;
    let (subject, body) = crate::email::newsletter::check_campaign(subject, &body)
        .map_err(|key| anyhow::anyhow!("{}", i18n.text(config.site.language, key, &[])))?;
    let app = App::build(config).await?;
    let now = app.now();
    let id = crate::email::newsletter::save_draft(&app, None, subject, body, None, now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the campaign was not saved"))?;
    let recipients = crate::email::newsletter::start(&app, id, now).await?.unwrap_or(0);
    outln!("campaign {id} queued for {recipients} subscriber(s); `newsdesk outbox status` shows its progress")?;
    Ok(())
}

/// Runs a command, then folds SQLite's write-ahead log into the database file.
///
/// Every command may have written (opening the database applies migrations), and without the
/// checkpoint what it wrote would sit only in `newsdesk.db-wal`: a copy of `newsdesk.db` alone
/// would miss it. This is the one place all commands pass through, so none can forget it; it
/// runs after a failed command too, which may have written part of its work.
async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let url = config.database_url();
    let busy_timeout = config.database.busy_timeout_ms;
    let result = dispatch(command, config).await;
    if crate::db::Backend::of_url(&url) == crate::db::Backend::Sqlite
        && let Err(e) = checkpoint_sqlite(&url, busy_timeout).await
    {
        tracing::warn!(error = format!("{e:#}"), "could not fold the write-ahead log into the database file");
    }
    result
}

/// `PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own: the command's pool is gone by
/// now. Passive, so that a server running on the same file is never held up by it (a truncating
/// checkpoint would stop its writers until it is done). Never creates a database (a command may
/// have refused to, like `backup` with a mistyped `--data`). When a running server reads at the same moment the checkpoint may stay partial;
/// the server then folds the log in itself.
async fn checkpoint_sqlite(url: &str, busy_timeout_ms: u64) -> anyhow::Result<()> {
    use sqlx::ConnectOptions as _;
    use std::str::FromStr as _;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_millis(busy_timeout_ms))
        .disable_statement_logging();
    let mut conn = match options.connect().await {
        Ok(conn) => conn,
        // No database file: nothing was written.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("14") => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let (busy, log, done): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut conn).await?;
    if busy != 0 {
        tracing::debug!(log, done, "the write-ahead log is in use; it was folded in as far as possible");
    }
    sqlx::Connection::close(conn).await?;
    Ok(())
}

async fn dispatch(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, listen } => {
            if let Some(listen) = listen {
                config.server.listen = listen;
                // Without a configured public address, links point where the server listens.
                if config.site.base_url == crate::config::SiteConfig::default().base_url {
                    config.site.base_url = format!("http://{listen}");
                }
            }
            serve(config, demo).await
        }
        Command::Worker => worker(config).await,
        Command::Migrate => {
            let db = Db::connect(&config).await?;
            let applied = db.migrate().await?;
            crate::articles::listings::ensure(&db).await?;
            outln!("{applied} migration(s) applied; the database is up to date")?;
            Ok(())
        }
        Command::User { command: UserCommand::Add { role, password_stdin, email } } => {
            let email = Email::parse(&email)?;
            let password = Password::parse(read_password(password_stdin)?)?;
            let db = open(&config).await?;
            users::add(&db, &email, role, &password).await?;
            outln!("added {} as {}", email.as_str(), role.as_str())?;
            Ok(())
        }
        Command::Article { command } => article(command, &config).await,
        Command::Import { source } => import_site(config, source).await,
        Command::Reindex => reindex(config).await,
        Command::Search { query, newest, json } => search(config, &query, newest, json).await,
        Command::Comments { command: CommentsCommand::Assess { article } } => assess(&article, config).await,
        Command::Comments { command: CommentsCommand::Train { germeval, out, tune } } => {
            train_model(&config, &germeval, &out, tune)
        }
        Command::Comments { command: CommentsCommand::Evaluate { germeval } } => evaluate_model(&config, &germeval),
        Command::Comments { command: CommentsCommand::Retrain } => retrain(config).await,
        Command::Comments { command: CommentsCommand::UseModel { model } } => use_model(config, &model).await,
        Command::Outbox { command: OutboxCommand::Status { json } } => outbox_status(config, json).await,
        Command::Newsletter { command: NewsletterCommand::Send { subject, body_file } } => {
            newsletter_send(config, &subject, &body_file).await
        }
        Command::Backup { path } => {
            // Opening would create an empty database where none is: a typo in --data must not
            // produce an empty "backup".
            let file = config.data_dir.join("newsdesk.db");
            anyhow::ensure!(
                !config.database.url.is_empty() || file.exists(),
                "no database at {}: check --data or database.url",
                file.display()
            );
            let db = Db::connect(&config).await?;
            db.backup(&path).await?;
            outln!("backup written to {}", path.display())?;
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_PASSWORD_LINE)
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let second = rpassword::prompt_password("Repeat password: ").context("cannot read the password")?;
    anyhow::ensure!(first == second, "the passwords differ");
    Ok(first)
}

async fn article(command: ArticleCommand, config: &Config) -> anyhow::Result<()> {
    let db = open(config).await?;
    let now = crate::db::now();
    match command {
        ArticleCommand::Import { paths } => {
            let report = import::import_paths(&db, &paths, config.site.language, now).await;
            for (path, slug) in &report.imported {
                outln!("imported {} as /news/{slug}", path.display())?;
            }
            for (path, error) in &report.failed {
                errln!("failed   {}: {error}", path.display());
            }
            outln!("{} imported, {} failed", report.imported.len(), report.failed.len())?;
            anyhow::ensure!(report.failed.is_empty(), "{} file(s) could not be imported", report.failed.len());
            Ok(())
        }
        ArticleCommand::List => {
            let tz = config.time_zone();
            let mut articles = queries::list_all(&db).await?;
            // The order `--help` promises: what the DATE column shows, newest first, then slug.
            let date = |a: &crate::articles::model::Article| a.published_at.unwrap_or(a.modified_at);
            articles.sort_by(|a, b| date(b).cmp(&date(a)).then_with(|| a.slug.cmp(&b.slug)));
            outln!("{:<12} {:<17} {:<50} TITLE", "STATUS", "DATE", "SLUG")?;
            for a in &articles {
                let when = jiff::Timestamp::from_second(date(a))
                    .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|_| "-".into());
                outln!("{:<12} {:<17} {:<50} {}", a.status.as_str(), when, a.slug, a.title)?;
            }
            Ok(())
        }
        ArticleCommand::Related { slug, json } => {
            let article = queries::find_by_slug(&db, &slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no article with slug {slug:?}"))?;
            let index = open_index(config)?;
            let scored = index.related(article.id, 5)?;
            let related = crate::search::related::load(&db, &scored).await?;
            if json {
                let list: Vec<serde_json::Value> = related
                    .iter()
                    .zip(&scored)
                    .map(|(a, (_, score))| serde_json::json!({ "slug": a.slug, "title": a.title, "score": (score * 1000.0).round() / 1000.0 }))
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for (a, (_, score)) in related.iter().zip(&scored) {
                    outln!("{score:.3}  {:<60} {}", a.slug, a.title)?;
                }
            }
            Ok(())
        }
        ArticleCommand::Publish { slug } => {
            let article = queries::publish(&db, &slug, now).await?;
            outln!("published /news/{}", article.slug)?;
            Ok(())
        }
    }
}

async fn import_site(config: Config, command: ImportCommand) -> anyhow::Result<()> {
    use crate::migrate::{Importer, Options, ghost, wordpress};
    let (source, file, options) = match command {
        ImportCommand::Wordpress { file, options } => ("wordpress", file, options),
        ImportCommand::Ghost { file, options } => ("ghost", file, options),
    };
    if let Some(url) = &options.old_url {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "--old-url {url:?}: give the old site's address, such as https://old.example.com"
        );
    }
    let db = open(&config).await?;
    let language = config.site.language;
    let cx = crate::context::Context { db, config: std::sync::Arc::new(config), now: crate::db::now() };
    let options = Options {
        dry_run: options.dry_run,
        fetch_media: options.fetch_media,
        concurrency: usize::from(options.concurrency),
        old_url: options.old_url,
    };
    let dry_run = options.dry_run;
    let mut importer = Importer::new(cx, source, options, language)?;
    let started = std::time::Instant::now();
    let bar = |done: u64, total: u64, unit: &str| {
        let filled = (done * 30).checked_div(total).unwrap_or(30).min(30) as usize;
        err!("\r[{}{}] {done} of {total} {unit}", "#".repeat(filled), "-".repeat(30 - filled));
    };
    match source {
        "wordpress" => {
            wordpress::import(&mut importer, &file, move |done, total| bar(done / 1024, total / 1024, "KiB")).await?
        }
        _ => ghost::import(&mut importer, &file, |done, total| bar(done, total, "posts")).await?,
    }
    errln!();
    let report = &importer.report;
    let by_status: Vec<String> = report.articles.iter().map(|(status, n)| format!("{n} {status}")).collect();
    outln!(
        "{} {} article(s){} and {} comment(s) in {:.1} s",
        if dry_run { "dry run, nothing stored: would import" } else { "imported" },
        report.imported(),
        if by_status.is_empty() { String::new() } else { format!(" ({})", by_status.join(", ")) },
        report.comments,
        started.elapsed().as_secs_f64()
    )?;
    for (reason, n) in &report.skipped {
        outln!("skipped {n}: {reason}")?;
    }
    if report.untitled > 0 {
        outln!("{} post(s) had no title and were named after their first words or their date", report.untitled)?;
    }
    for (name, n) in &report.unknown {
        outln!("kept as text {n}×: [{name}] (not understood)")?;
    }
    if dry_run {
        outln!("{} picture(s) and sound or video file(s) would be fetched with --fetch-media", report.pictures_wanted)?;
        outln!("{} old address(es) would redirect", report.old_addresses)?;
        return Ok(());
    }
    if report.pictures_fetched + report.recordings_fetched + report.pictures_reused > 0 {
        outln!(
            "pictures: {} fetched; sound and video files: {} fetched; {} already in the library",
            report.pictures_fetched,
            report.recordings_fetched,
            report.pictures_reused
        )?;
    }
    for (url, reason) in &report.pictures_failed {
        outln!("not fetched: {url}: {reason}")?;
    }
    if report.pictures_left_out > 0 {
        outln!(
            "{} picture(s) on other hosts are shown as a note in their posts (pages load nothing from other hosts){}",
            report.pictures_left_out,
            if importer.options.fetch_media { "" } else { ": import with --fetch-media to bring them along" }
        )?;
    }
    outln!("{} old address(es) now redirect to the articles, tags, authors and feeds", report.old_addresses)?;
    if report.imported() > 0 {
        outln!("the search index catches up in the background while the server runs (or run `newsdesk reindex`)")?;
    }
    Ok(())
}

async fn reindex(config: Config) -> anyhow::Result<()> {
    let db = open(&config).await?;
    let (index, _) = crate::search::index::SearchIndex::open(&config.data_dir)?;
    // Changes from here on are applied again by a node that starts on this index.
    let position = crate::follower::latest(&db).await?;
    let started = std::time::Instant::now();
    let articles = index
        .rebuild_from(&db, crate::db::now(), |done, total| {
            let filled = (done * 30).checked_div(total).unwrap_or(30).min(30) as usize;
            err!("\r[{}{}] {done}/{total}", "#".repeat(filled), "-".repeat(30 - filled));
        })
        .await?;
    errln!();
    crate::follower::save_position(&config.data_dir, position)?;
    outln!("indexed {articles} article(s) in {:.1} s", started.elapsed().as_secs_f64())?;
    Ok(())
}

/// The search index in the data folder, for commands that read it; one that does not exist yet
/// is an error (a command does not build it on the side).
fn open_index(config: &Config) -> anyhow::Result<crate::search::index::SearchIndex> {
    let (index, fresh) = crate::search::index::SearchIndex::open(&config.data_dir)?;
    anyhow::ensure!(!fresh, "there is no search index yet: run `newsdesk reindex` (or start the server)");
    Ok(index)
}

async fn search(config: Config, text: &str, newest: bool, json: bool) -> anyhow::Result<()> {
    use crate::search::index::{Found, SearchQuery, Sort};
    let db = open(&config).await?;
    let index = open_index(&config)?;
    let sort = if newest { Sort::Newest } else { Sort::Relevance };
    let query = SearchQuery { text: text.to_string(), ..Default::default() };
    let Found { ids, total, corrected } = index.search_or_correct(&query, sort, 20, 0)?;
    let mut found = Vec::new();
    for id in ids {
        if let Some(article) = queries::find_by_id(&db, id).await? {
            found.push(article);
        }
    }
    if json {
        let list: Vec<serde_json::Value> = found
            .iter()
            .map(|a| serde_json::json!({ "slug": a.slug, "title": a.title, "published_at": a.published_at }))
            .collect();
        let found = serde_json::json!({ "total": total, "corrected": corrected, "results": list });
        outln!("{}", serde_json::to_string_pretty(&found)?)?;
    } else {
        if let Some(corrected) = &corrected {
            outln!("nothing for {text:?}; showing results for {corrected:?}")?;
        }
        outln!("{total} result(s)")?;
        for a in &found {
            outln!("{:<60} {}", a.slug, a.title)?;
        }
    }
    Ok(())
}

async fn assess(slug: &str, config: Config) -> anyhow::Result<()> {
    let mut body = String::new();
    std::io::stdin()
        .take(1024 * 1024)
        .read_to_string(&mut body)
        .context("cannot read the comment from standard input")?;
    anyhow::ensure!(!body.trim().is_empty(), "no comment on standard input");
    // What the assessment needs and no more: the database, the settings in effect (word lists,
    // thresholds) and the search index's statistics.
    let db = open(&config).await?;
    let (effective, _) = crate::settings::effective(&db, &config).await?;
    let assessor = crate::comments::moderation::Assessor::new(&effective.comments)?;
    let index = open_index(&config)?;
    let article =
        queries::find_by_slug(&db, slug).await?.ok_or_else(|| anyhow::anyhow!("no article with slug {slug:?}"))?;
    let text = crate::search::similarity::article_text(&article);
    let corpus = index.corpus_for(&crate::comments::moderation::terms_to_weigh(&text, &body, article.language));
    let context = crate::comments::moderation::ArticleContext::new(&text, article.language, &corpus);
    let assessment = assessor.assess(&body, &context, &Default::default());
    outln!("{}", serde_json::to_string_pretty(&assessment)?)?;
    Ok(())
}

fn train_model(config: &Config, germeval: &Path, out: &Path, tune: bool) -> anyhow::Result<()> {
    use crate::comments::moderation::{Assessor, training};
    let assessor = Assessor::word_lists_only(&config.comments)?;
    let data = training::Data::load(germeval)?;
    errln!(
        "training on {} GermEval tweets and {} project comments; {} tweets held out",
        data.germeval_train.len(),
        data.project.len(),
        data.germeval_held_out.len()
    );
    let mut settings = training::Settings::default();
    if tune {
        let rows = training::Rows::new(&assessor, &data, training::BITS);
        let mut best = (0.0, settings);
        for candidate in training::Settings::grid() {
            let figures = training::cross_validate(&rows, candidate, 5);
            outln!(
                "{candidate:?}: official macro-F1 {:.3}, precision {:.3}, recall {:.3}",
                figures.official_macro_f1,
                figures.precision,
                figures.recall
            )?;
            if figures.official_macro_f1 > best.0 {
                best = (figures.official_macro_f1, candidate);
            }
        }
        settings = best.1;
        outln!("best: {settings:?}")?;
    }
    let (model, figures) = training::train_base(&assessor, &data, settings);
    std::fs::write(out, model.to_bytes()).with_context(|| format!("cannot write {}", out.display()))?;
    outln!("demeaning on GermEval's held-out part: {figures}")?;
    outln!("wrote {}", out.display())?;
    Ok(())
}

fn evaluate_model(config: &Config, germeval: &Path) -> anyhow::Result<()> {
    use crate::comments::moderation::{Assessor, evaluation, training};
    let assessor = Assessor::new(&config.comments)?;
    let model = assessor.model().context("no model")?;
    outln!("model trained on {}", model.info.trained_on)?;
    let data = training::Data::load(germeval)?;
    let scores = training::scores(&assessor, model, "demeaning", &data.germeval_held_out);
    let figures = training::Figures::measure(&scores, &data.germeval_held_out, |e| e.demeaning, 0.5);
    outln!("demeaning on GermEval's held-out part: {figures}")?;
    for (name, set) in evaluation::SETS {
        outln!("{name}:\n{}", evaluation::evaluate_set(&assessor, set)?)?;
    }
    Ok(())
}

async fn retrain(config: Config) -> anyhow::Result<()> {
    use crate::comments::{learning, queries};
    let app: Arc<App> = App::build(config).await?;
    let id = match learning::request(&*app, None).await? {
        Ok(id) => id,
        Err(refused) => anyhow::bail!("{refused}"),
    };
    learning::run(&*app, learning::Retrain { model_id: id }).await?;
    let model = queries::site_models(&app.db, 20).await?.into_iter().find(|m| m.id == id).context("the model row")?;
    if model.state != "ready" {
        anyhow::bail!("model {id} failed: {}", model.progress);
    }
    outln!("model {id}: learned from {} decisions, measured on {} held out", model.decisions, model.held_out)?;
    for flag in ["demeaning", "spam"] {
        let (before, after) = (&model.figures["before"][flag], &model.figures["after"][flag]);
        outln!(
            "{flag}: precision {} → {}, recall {} → {}",
            before["precision"],
            after["precision"],
            before["recall"],
            after["recall"]
        )?;
    }
    outln!("put it in use with: newsdesk comments use-model {id}")?;
    Ok(())
}

async fn use_model(config: Config, model: &str) -> anyhow::Result<()> {
    let id = match model {
        "built-in" => None,
        id => Some(id.parse::<i64>().map_err(|_| anyhow::anyhow!("{id:?} is neither a model number nor built-in"))?),
    };
    let app: Arc<App> = App::build(config).await?;
    if !crate::comments::learning::switch(&*app, id, None).await? {
        anyhow::bail!("there is no trained model {model}");
    }
    outln!("in use: {}", id.map_or("the built-in model".to_string(), |id| format!("model {id}")))?;
    Ok(())
}

async fn worker(config: Config) -> anyhow::Result<()> {
    let app: Arc<App> = App::build(config).await?;
    tracing::info!("worker running: scheduled articles, queued jobs and mail");
    let tasks = crate::root::background(&app);
    crate::root::shutdown_signal().await;
    tracing::info!("shutting down: finishing the work in hand");
    tasks.stop().await;
    tracing::info!("stopped");
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let listen = config.server.listen;
    let app: Arc<App> = App::build(config).await?;
    if demo {
        import::load_demo(&app.db, app.language(), app.now()).await?;
    }
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %format!("http://{listen}"), "serving");
    // The word pairs of the off-topic score take half a second to read: read beside the
    // first requests, not in the first comment's.
    tokio::task::spawn_blocking(crate::comments::moderation::bilingual::Dictionary::get);
    let tasks = crate::root::background(&app);
    let result = crate::root::serve(app, listener).await;
    tasks.stop().await;
    tracing::info!("stopped");
    result
}
