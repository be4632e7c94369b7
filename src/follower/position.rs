//! Where a node stands in the change log: its position (kept in a file beside the search
//! index, so a restarted node catches up), how far it lags, and the log's ends. The application
//! holds it; the follower (`follower`) moves it.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::db::{Backend, Db};

/// Where a process is in the log.
#[derive(Debug, Default)]
pub struct Follower {
    /// The highest id applied.
    pub(super) last: i64,
    /// Young rows applied, by id, with their time: skipped when read again.
    pub(super) seen: HashMap<i64, i64>,
    /// Articles whose index update failed, tried again at the next round.
    pub(super) retry: BTreeSet<i64>,
    pub(super) pruned_at: Option<Instant>,
    /// The file that keeps `last` beside the search index, so a restarted node catches up.
    pub(super) position_file: PathBuf,
}

impl Follower {
    pub fn new(data_dir: &Path, last: i64) -> Follower {
        Follower { last, position_file: position_file(data_dir), ..Follower::default() }
    }

    /// The highest id applied here.
    pub fn position(&self) -> i64 {
        self.last
    }
}

/// How far a node at `applied` is behind the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// Rows written after `applied`.
    pub entries: i64,
    /// The age of the oldest of them at `now` (0 when there is none).
    pub seconds: i64,
}

pub async fn lag(db: &Db, applied: i64, now: i64) -> Result<Lag, sqlx::Error> {
    let latest = latest(db).await?;
    let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(created_at) FROM changes WHERE id > $1")
        .bind(applied)
        .fetch_one(&db.pool)
        .await?;
    Ok(Lag { entries: (latest - applied).max(0), seconds: oldest.map_or(0, |t| (now - t).max(0)) })
}

fn position_file(data_dir: &Path) -> PathBuf {
    crate::search::index::SearchIndex::folder(data_dir).join("changes.position")
}

/// The position the search index in `data_dir` was last brought up to, if it is known.
pub fn saved_position(data_dir: &Path) -> Option<i64> {
    std::fs::read_to_string(position_file(data_dir)).ok()?.trim().parse().ok()
}

/// Remembers that the search index in `data_dir` holds every change up to `id`.
pub fn save_position(data_dir: &Path, id: i64) -> std::io::Result<()> {
    write_position(&position_file(data_dir), id)
}

pub(super) fn write_position(file: &Path, id: i64) -> std::io::Result<()> {
    let temporary = file.with_extension("tmp");
    std::fs::write(&temporary, format!("{id}\n"))?;
    std::fs::rename(temporary, file)
}

/// The last id the log handed out (0 before the first), from its sequence: the rows may all
/// have been pruned.
pub async fn latest(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)",
        Backend::Postgres => "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM changes_id_seq",
    };
    sqlx::query_scalar(sql).fetch_one(&db.pool).await
}

/// The oldest id still in the log, if any.
pub async fn oldest(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(id) FROM changes").fetch_one(&db.pool).await
}
