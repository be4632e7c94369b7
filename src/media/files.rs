//! Sound and video files: an imported post's recordings, kept byte for byte and served from
//! this site at `/media/files/{key}/{name}`, so that its `<audio>` and `<video>` players play
//! without loading anything from another host.
//!
//! A file is taken only when its first bytes say it is one of the kinds below (MP3, MP4 or M4A,
//! Ogg, WAV, WebM), whatever its name or the old server claimed; the same file stored twice is
//! one file.

use std::path::{Path, PathBuf};

use sqlx::Row as _;

use super::{new_key, parse_number};
use crate::context::Context;
use crate::db::Db;

/// The largest file kept: a long interview as MP3, a few minutes of video.
pub const MAX_FILE: u64 = 200 * 1024 * 1024;

/// A kind of file kept, told by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mp3,
    M4a,
    Mp4,
    Ogg,
    OggVideo,
    Wav,
    Webm,
}

impl Kind {
    /// What the first bytes of a file say it is; `name` only tells Ogg video from Ogg sound.
    pub fn sniff(bytes: &[u8], name: &str) -> Option<Kind> {
        let at = |range: std::ops::Range<usize>| bytes.get(range).unwrap_or_default();
        if at(0..3) == b"ID3" || (bytes.len() > 2 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0) {
            return Some(Kind::Mp3);
        }
        if at(4..8) == b"ftyp" {
            return Some(if matches!(at(8..12), b"M4A " | b"M4B ") { Kind::M4a } else { Kind::Mp4 });
        }
        if at(0..4) == b"OggS" {
            return Some(if name.to_ascii_lowercase().ends_with(".ogv") { Kind::OggVideo } else { Kind::Ogg });
        }
        if at(0..4) == b"RIFF" && at(8..12) == b"WAVE" {
            return Some(Kind::Wav);
        }
        if at(0..4) == [0x1a, 0x45, 0xdf, 0xa3] {
            return Some(Kind::Webm);
        }
        None
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Mp3 => "audio/mpeg",
            Kind::M4a => "audio/mp4",
            Kind::Mp4 => "video/mp4",
            Kind::Ogg => "audio/ogg",
            Kind::OggVideo => "video/ogg",
            Kind::Wav => "audio/wav",
            Kind::Webm => "video/webm",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Mp3 => "mp3",
            Kind::M4a => "m4a",
            Kind::Mp4 => "mp4",
            Kind::Ogg => "ogg",
            Kind::OggVideo => "ogv",
            Kind::Wav => "wav",
            Kind::Webm => "webm",
        }
    }
}

/// A file in the library.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: i64,
    pub key: i64,
    pub file_name: String,
    pub content_type: String,
    pub bytes: i64,
}

impl StoredFile {
    /// Its public address.
    pub fn path(&self) -> String {
        format!("/media/files/{}/{}", self.key, self.file_name)
    }

    /// Whether it is played by `<video>` rather than `<audio>`.
    pub fn is_video(&self) -> bool {
        self.content_type.starts_with("video/")
    }
}

/// Where a file's bytes are.
pub fn location(data_dir: &Path, id: i64) -> PathBuf {
    data_dir.join("media").join("files").join(id.to_string())
}

/// A file name safe in an address: letters, digits, dots, hyphens and underscores, with the
/// extension of what the file is.
fn safe_name(name: &str, kind: Kind) -> String {
    let stem = name.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default();
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let mut clean: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .take(80)
        .collect();
    clean = clean.trim_matches('-').to_string();
    if clean.is_empty() {
        clean = "file".into();
    }
    format!("{clean}.{}", kind.extension())
}

const COLUMNS: &str = "id, public_key, file_name, content_type, bytes";

fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredFile, sqlx::Error> {
    Ok(StoredFile {
        id: row.try_get("id")?,
        key: row.try_get("public_key")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        bytes: row.try_get("bytes")?,
    })
}

/// The file with public key `key`.
pub async fn find(db: &Db, key: &str) -> Result<Option<StoredFile>, sqlx::Error> {
    let Some(key) = parse_number(key) else { return Ok(None) };
    let sql = format!("SELECT {COLUMNS} FROM media_files WHERE public_key = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// The file with id `id`.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<StoredFile>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM media_files WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

async fn by_hash(db: &Db, hash: &str) -> Result<Option<StoredFile>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM media_files WHERE content_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hash).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// Keeps a file named `name`; refused (with why) when it is none of the kinds kept or too
/// large. The same bytes stored before are that file.
pub async fn store(cx: &Context, name: &str, bytes: &[u8]) -> anyhow::Result<Result<StoredFile, &'static str>> {
    if bytes.len() as u64 > MAX_FILE {
        return Ok(Err("larger than the library's limit for sound and video"));
    }
    let Some(kind) = Kind::sniff(bytes, name) else {
        return Ok(Err("not an MP3, MP4, M4A, Ogg, WAV or WebM file"));
    };
    let hash = crate::auth::keys::hash(bytes);
    if let Some(existing) = by_hash(&cx.db, &hash).await? {
        return Ok(Ok(existing));
    }
    let key = new_key().map_err(|e| anyhow::anyhow!("no randomness for a media key: {e}"))?;
    let file_name = safe_name(name, kind);
    let mut tx = cx.db.begin().await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO media_files (public_key, content_hash, file_name, content_type, bytes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(key)
    .bind(&hash)
    .bind(&file_name)
    .bind(kind.content_type())
    .bind(bytes.len() as i64)
    .bind(cx.now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Stored meanwhile by another fetch of the same bytes.
        Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            drop(tx);
            return by_hash(&cx.db, &hash).await?.map(Ok).ok_or_else(|| e.into());
        }
        Err(e) => return Err(e.into()),
    };
    // The file first, then the row: a failed write leaves no row pointing at nothing.
    let path = location(&cx.config.data_dir, id);
    let write = async {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::write(&path, bytes).await
    };
    if let Err(e) = write.await {
        let _ = tokio::fs::remove_file(&path).await;
        anyhow::bail!("cannot write {}: {e}", path.display());
    }
    tx.commit().await?;
    Ok(Ok(StoredFile { id, key, file_name, content_type: kind.content_type().to_string(), bytes: bytes.len() as i64 }))
}

/// A `Range: bytes=...` header read against a file of `len` bytes: the first and last byte
/// asked for. `None` when the header asks for no range we serve (several, or malformed): the
/// whole file is sent. `Some(Err(()))` when the range lies outside the file.
pub fn range(header: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let (first, last) = if start.is_empty() {
        // The last N bytes.
        let n: u64 = end.parse().ok()?;
        if n == 0 {
            return Some(Err(()));
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let first: u64 = start.parse().ok()?;
        let last: u64 = if end.is_empty() { len - 1 } else { end.parse::<u64>().ok()?.min(len - 1) };
        (first, last)
    };
    if first > last || first >= len {
        return Some(Err(()));
    }
    Some(Ok((first, last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_content() {
        assert_eq!(Kind::sniff(b"ID3\x04\x00rest", "a.mp3"), Some(Kind::Mp3));
        assert_eq!(Kind::sniff(&[0xff, 0xfb, 0x90, 0x00], "a"), Some(Kind::Mp3));
        assert_eq!(Kind::sniff(b"\0\0\0\x20ftypisom\0\0", "clip.mp4"), Some(Kind::Mp4));
        assert_eq!(Kind::sniff(b"\0\0\0\x20ftypM4A \0\0", "talk.m4a"), Some(Kind::M4a));
        assert_eq!(Kind::sniff(b"OggS\0\x02", "ride.OGV"), Some(Kind::OggVideo));
        assert_eq!(Kind::sniff(b"RIFF\0\0\0\0WAVEfmt ", "x"), Some(Kind::Wav));
        assert_eq!(Kind::sniff(&[0x1a, 0x45, 0xdf, 0xa3, 1], "x"), Some(Kind::Webm));
        assert_eq!(Kind::sniff(b"<html>", "fake.mp3"), None);
        assert_eq!(Kind::sniff(b"", "x.mp3"), None);
        assert_eq!(safe_name("http://o.test/up/Gespräch mit Ö.MP3?x=1", Kind::Mp3), "Gespr-ch-mit.mp3");
        assert_eq!(safe_name("http://o.test/", Kind::Webm), "file.webm");
    }

    #[test]
    fn ranges_are_read_as_browsers_send_them() {
        assert_eq!(range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(range("bytes=500-", 1000), Some(Ok((500, 999))));
        assert_eq!(range("bytes=-100", 1000), Some(Ok((900, 999))));
        assert_eq!(range("bytes=900-5000", 1000), Some(Ok((900, 999))));
        assert_eq!(range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(range("bytes=0-1,5-6", 1000), None);
        assert_eq!(range("items=0-1", 1000), None);
        assert_eq!(range("bytes=a-b", 1000), None);
    }
}
