//! Uploaded pictures: checked by their content (JPEG, PNG, WebP or GIF), decoded once with
//! bounded memory, stored with resized variants for pages, feeds, social cards and the library's
//! thumbnails, and served with long cache headers (the files never change).
//!
//! A picture's public address is `/media/{key}/{variant}.jpg`, where `key` is a random number
//! drawn at upload (62 bits, in `[2^62, 2^63)`): a picture uploaded for a story under embargo
//! cannot be found by counting. The sequential id stays internal (the files lie under
//! `{data_dir}/media/{id}/`).
//!
//! Addresses by id (`/media/{id}/...`), which pages used before keys, may still be in
//! articles' bodies and lead-image fields. Such an address answers with a 301 to the key's
//! address only while something public uses it (a live article's lead image or body, the
//! picture of an author with a live article, an active promotion, the site's logo); otherwise it
//! is 404, exactly as for an id that does not exist. So old pages keep their pictures, and a
//! walk over ids finds nothing that is not already public. Answering an old address costs a scan
//! of live articles; only ids of existing pictures get that far.
//!
//! Decoding is where memory goes (a 150 KB PNG can claim 6600 × 6000 pixels). The header's
//! dimensions and the decoded size are checked before anything is allocated, the decoder itself
//! is limited, the full-size picture is reduced to what the variants need right after decoding,
//! and one picture is decoded at a time, so parallel uploads queue rather than add up.

pub mod admin;
pub mod files;
pub mod handlers;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, imageops::FilterType};
use serde::Serialize;
use sqlx::Row as _;

use crate::articles::queries::LIVE;
use crate::context::Context;
use crate::db::Db;

/// Longest alternative text and credit, in characters.
pub const MAX_ALT: usize = 500;
pub const MAX_CREDIT: usize = 200;
/// The largest upload accepted.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// The largest picture decoded, in pixels a side; beyond it a small file could still claim
/// gigabytes once decoded.
const MAX_SIDE: u32 = 12_000;
/// The most pixels decoded (40 megapixels: a large camera's photo).
const MAX_PIXELS: u64 = 40_000_000;
/// The most memory a decoded picture may take: 40 megapixels of 8-bit RGBA. A picture within
/// the pixel cap but with deeper colour (16 bits a channel) is refused by this.
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;
/// What the decoder may allocate besides the picture (row buffers, a PNG's compressed chunks).
const DECODER_SLACK: u64 = 32 * 1024 * 1024;
/// Public keys lie in `[KEY_FLOOR, i64::MAX]`; ids are far below.
const KEY_FLOOR: i64 = 1 << 62;

/// Pictures decoded at once. What it guards is the process's memory, which every `App` in the
/// process shares, so it is one for the process rather than a field of `App`.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The sizes every upload is turned into: name, width, and a height to crop to (social cards).
pub const VARIANTS: &[(&str, u32, Option<u32>)] =
    &[("page", 1200, None), ("feed", 800, None), ("card", 1200, Some(630)), ("thumb", 320, None)];

/// The `variant` of a library picture given by the path of another of its variants
/// (`/media/4611686018427387904/page.jpg` → `.../card.jpg`); any other path as it is.
pub fn variant_of(path: &str, variant: &str) -> String {
    match library_path(path) {
        Some((number, _)) => format!("/media/{number}/{variant}.jpg"),
        None => path.to_string(),
    }
}

/// A `srcset` of a library picture's widths (thumb, feed, page), for the browser to choose
/// from; empty for a picture from elsewhere, whose sizes are unknown.
pub fn srcset(path: &str) -> String {
    let Some((number, _)) = library_path(path) else { return String::new() };
    let mut widths: Vec<(&str, u32)> =
        VARIANTS.iter().filter(|(_, _, crop)| crop.is_none()).map(|(name, width, _)| (*name, *width)).collect();
    widths.sort_by_key(|(_, width)| *width);
    widths.iter().map(|(name, width)| format!("/media/{number}/{name}.jpg {width}w")).collect::<Vec<_>>().join(", ")
}

/// The number (key or old id) and variant of a library path such as `/media/{key}/page.jpg`.
fn library_path(path: &str) -> Option<(i64, &str)> {
    let (number, file) = path.strip_prefix("/media/")?.split_once('/')?;
    let variant = file.strip_suffix(".jpg").filter(|v| VARIANTS.iter().any(|(name, _, _)| name == v))?;
    Some((parse_number(number)?, variant))
}

/// A path segment of digits only (no sign, no spaces), as an id or key.
fn parse_number(segment: &str) -> Option<i64> {
    if segment.is_empty() || segment.len() > 19 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

/// A new public key: random, from the operating system.
fn new_key() -> Result<i64, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(KEY_FLOOR | (i64::from_le_bytes(bytes) & (KEY_FLOOR - 1)))
}

/// A picture in the library.
#[derive(Debug, Clone, Serialize)]
pub struct Media {
    pub id: i64,
    /// The random number in the picture's public address.
    pub key: i64,
    pub file_name: String,
    pub format: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub alt: String,
    pub credit: String,
    pub created_at: i64,
}

impl Media {
    /// The public path of a variant, e.g. `/media/5786254888073952268/page.jpg`.
    pub fn path(&self, variant: &str) -> String {
        format!("/media/{}/{variant}.jpg", self.key)
    }
}

/// Why an upload was refused; each maps to a message key.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge,
    NotAnImage,
    TooManyPixels,
    Broken,
    NoAlt,
    AltTooLong,
}

impl Refusal {
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::Empty => "media-error-empty",
            Refusal::TooLarge => "media-error-large",
            Refusal::NotAnImage => "media-error-type",
            Refusal::TooManyPixels => "media-error-pixels",
            Refusal::Broken => "media-error-broken",
            Refusal::NoAlt => "media-error-alt",
            Refusal::AltTooLong => "media-error-alt-long",
        }
    }
}

/// A decoded upload with its encoded variants, ready to store.
pub struct Processed {
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<(&'static str, Vec<u8>)>,
}

/// Checks the bytes by their content, decodes them with bounded memory and makes the variants.
/// CPU-heavy: run it off the async threads, and through [`DECODING`] (as [`store`] does).
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(Refusal::TooLarge);
    }
    let open = || image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| Refusal::Broken);
    let mut reader = open()?;
    let format = match reader.format() {
        Some(ImageFormat::Jpeg) => "jpeg",
        Some(ImageFormat::Png) => "png",
        Some(ImageFormat::Gif) => "gif",
        Some(ImageFormat::WebP) => "webp",
        _ => return Err(Refusal::NotAnImage),
    };
    // The header alone: nothing of the picture is allocated before it passes.
    let (width, height) = open()?.into_dimensions().map_err(|_| Refusal::Broken)?;
    if width == 0 || height == 0 {
        return Err(Refusal::Broken);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels);
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES + DECODER_SLACK);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    if image::ImageDecoder::total_bytes(&decoder) > MAX_DECODED_BYTES {
        return Err(Refusal::TooManyPixels);
    }
    // Phones store photos sideways with an EXIF note on how to turn them.
    let orientation =
        image::ImageDecoder::orientation(&mut decoder).unwrap_or(image::metadata::Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    let mut working = reduce(decoded, orientation);
    working.apply_orientation(orientation);
    let flat = flatten(working);
    let mut variants = Vec::new();
    for &(name, max_width, crop_height) in VARIANTS {
        let sized = match crop_height {
            Some(h) => crop_to(&flat, max_width, h).resize_exact(max_width, h, FilterType::Triangle),
            None if flat.width() > max_width => flat.resize(max_width, u32::MAX, FilterType::Triangle),
            None => flat.clone(),
        };
        let mut out = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
        sized.to_rgb8().write_with_encoder(encoder).map_err(|_| Refusal::Broken)?;
        variants.push((name, out));
    }
    Ok(Processed { format, width, height, variants })
}

/// A decoding error as a refusal: over a limit is too many pixels, anything else is broken.
fn refusal(error: image::ImageError) -> Refusal {
    match error {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Broken,
    }
}

/// The decoded picture scaled down, straight away, to the least the variants need: as wide as
/// the widest and as tall as the tallest crop, where the picture is that large. Box averaging
/// needs no buffer beyond its result, and the full-size picture is dropped here, before the
/// variants' filters (whose intermediate buffers grow with the input) run.
fn reduce(decoded: DynamicImage, orientation: image::metadata::Orientation) -> DynamicImage {
    use image::metadata::Orientation::{Rotate90, Rotate90FlipH, Rotate270, Rotate270FlipH};
    let need_width = VARIANTS.iter().map(|(_, w, _)| *w).max().unwrap_or(1);
    let need_height = VARIANTS.iter().filter_map(|(_, _, h)| *h).max().unwrap_or(1);
    let turned = matches!(orientation, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH);
    // Sizes as the picture will stand once turned.
    let (w, h) = if turned { (decoded.height(), decoded.width()) } else { (decoded.width(), decoded.height()) };
    let scale = f64::max(f64::from(need_width) / f64::from(w), f64::from(need_height) / f64::from(h));
    if scale >= 1.0 {
        return decoded;
    }
    let fit = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, side);
    let (tw, th) = if turned { (fit(h), fit(w)) } else { (fit(w), fit(h)) };
    decoded.thumbnail_exact(tw, th)
}

/// The largest centred part of `image` with the proportions of `width` × `height`. Cropping
/// before scaling keeps a very thin picture from being blown up to an enormous one first.
fn crop_to(image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    let (w, h) = (u64::from(image.width()), u64::from(image.height()));
    let (tw, th) = (u64::from(width), u64::from(height));
    let (cw, ch) = if w * th > h * tw { ((h * tw / th).max(1), h) } else { (w, (w * th / tw).max(1)) };
    let (x, y) = ((w - cw) / 2, (h - ch) / 2);
    image.crop_imm(x as u32, y as u32, cw as u32, ch as u32)
}

/// The picture on a white background: JPEG variants have no transparency.
fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return image;
    }
    let rgba = image.into_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (x, y, pixel) in rgba.enumerate_pixels() {
        let [r, g, b, a] = pixel.0;
        let blend = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        rgb.put_pixel(x, y, image::Rgb([blend(r), blend(g), blend(b)]));
    }
    DynamicImage::ImageRgb8(rgb)
}

fn folder(data_dir: &Path, id: i64) -> PathBuf {
    data_dir.join("media").join(id.to_string())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Media, sqlx::Error> {
    Ok(Media {
        id: r.try_get("id")?,
        key: r.try_get("public_key")?,
        file_name: r.try_get("file_name")?,
        format: r.try_get("format")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        bytes: r.try_get("bytes")?,
        alt: r.try_get("alt")?,
        credit: r.try_get("credit")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLUMNS: &str = "id, public_key, file_name, format, width, height, bytes, alt, credit, created_at";

/// The library, newest first.
pub async fn list(db: &Db, limit: i64) -> Result<Vec<Media>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM media ORDER BY id DESC LIMIT $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// The picture a library path's number names, for the newsroom: its key, or the id that older
/// paths carry (an article saved before keys keeps its lead image).
pub async fn find(db: &Db, number: i64) -> Result<Option<Media>, sqlx::Error> {
    let column = if number >= KEY_FLOOR { "public_key" } else { "id" };
    let sql = format!("SELECT {COLUMNS} FROM media WHERE {column} = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(&db.pool).await?;
    row.as_ref().map(from_row).transpose()
}

/// The picture a library path (`/media/{key or id}/{variant}.jpg`) names, if it is one.
pub async fn find_by_path(db: &Db, path: &str) -> Result<Option<Media>, sqlx::Error> {
    match library_path(path.trim()) {
        Some((number, _)) => find(db, number).await,
        None => Ok(None),
    }
}

/// What an editor uploads.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub alt: &'a str,
    pub credit: &'a str,
}

/// Checks, processes and stores an upload; the same picture uploaded again is the one already
/// in the library. Returns its id and whether it is new.
pub async fn store(
    cx: &Context,
    upload: &Upload<'_>,
    user: Option<i64>,
) -> anyhow::Result<Result<(i64, bool), Refusal>> {
    let alt = upload.alt.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.is_empty() {
        return Ok(Err(Refusal::NoAlt));
    }
    if alt.chars().count() > MAX_ALT {
        return Ok(Err(Refusal::AltTooLong));
    }
    let hash = crate::auth::keys::hash(upload.bytes);
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM media WHERE content_hash = $1")
        .bind(&hash)
        .fetch_optional(&cx.db.pool)
        .await?;
    if let Some(id) = existing {
        return Ok(Ok((id, false)));
    }
    let bytes = upload.bytes.to_vec();
    let permit = DECODING.acquire().await?;
    // The permit goes with the work: a request given up on (timed out) still holds it until
    // its decode has ended.
    let processed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        process(&bytes).map(|p| (p, bytes))
    })
    .await?;
    let (processed, bytes) = match processed {
        Ok(done) => done,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let name: String = upload.file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let credit: String =
        upload.credit.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_CREDIT).collect();
    let key = new_key().map_err(|e| anyhow::anyhow!("no randomness for a media key: {e}"))?;
    let mut tx = cx.db.begin().await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO media (content_hash, file_name, format, width, height, bytes, alt, credit, created_at, created_by,
            public_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&hash)
    .bind(&name)
    .bind(processed.format)
    .bind(i64::from(processed.width))
    .bind(i64::from(processed.height))
    .bind(bytes.len() as i64)
    .bind(&alt)
    .bind(&credit)
    .bind(cx.now)
    .bind(user)
    .bind(key)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        // The same picture stored meanwhile by another upload (two addresses of one photo
        // fetched at once by an import): it is that one.
        Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            drop(tx);
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM media WHERE content_hash = $1")
                .bind(&hash)
                .fetch_optional(&cx.db.pool)
                .await?;
            return match existing {
                Some(id) => Ok(Ok((id, false))),
                None => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    // The files first, then the row: a failed write leaves no row pointing at nothing.
    let dir = folder(&cx.config.data_dir, id);
    let write = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::write(dir.join(format!("original.{}", processed.format)), &bytes).await?;
        for (variant, data) in &processed.variants {
            tokio::fs::write(dir.join(format!("{variant}.jpg")), data).await?;
        }
        Ok::<(), std::io::Error>(())
    };
    if let Err(e) = write.await {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        anyhow::bail!("cannot write {}: {e}", dir.display());
    }
    tx.commit().await?;
    Ok(Ok((id, true)))
}

/// How many things use a picture, by its key's or its old id's address: articles of any status
/// (lead image or text), authors' pictures, promotions, and the site's logo (`logo`). A picture
/// in use is never deleted.
pub async fn uses(db: &Db, media: &Media, logo: &str) -> Result<i64, sqlx::Error> {
    let (by_key, by_id) = (format!("%/media/{}/%", media.key), format!("%/media/{}/%", media.id));
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM articles WHERE hero_url LIKE $1 OR hero_url LIKE $2
                   OR body_md LIKE $1 OR body_md LIKE $2)
              + (SELECT COUNT(*) FROM authors WHERE picture_url LIKE $1 OR picture_url LIKE $2)
              + (SELECT COUNT(*) FROM promotions WHERE image_url LIKE $1 OR image_url LIKE $2)",
    )
    .bind(&by_key)
    .bind(&by_id)
    .fetch_one(&db.pool)
    .await?;
    let logo_uses = [media.key, media.id].iter().any(|number| logo.contains(&format!("/media/{number}/")));
    Ok(n + i64::from(logo_uses))
}

/// How many things use each picture, by the number in its addresses (key or old id), for the
/// whole library at once: one pass over the texts that name library pictures, where [`uses`]
/// would scan them once per picture. A text naming a picture by both its key and its old id
/// counts for both numbers.
pub async fn usage_counts(db: &Db, logo: &str) -> Result<std::collections::HashMap<i64, i64>, sqlx::Error> {
    let texts: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT COALESCE(hero_url, '') || ' ' || body_md FROM articles
           WHERE hero_url LIKE '%/media/%' OR body_md LIKE '%/media/%'
         UNION ALL SELECT picture_url FROM authors WHERE picture_url LIKE '%/media/%'
         UNION ALL SELECT image_url FROM promotions WHERE image_url LIKE '%/media/%'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut counts = std::collections::HashMap::new();
    for text in texts.iter().flatten().map(String::as_str).chain(std::iter::once(logo)) {
        let mut numbers: Vec<i64> = old_ids_in(text).collect();
        numbers.sort_unstable();
        numbers.dedup();
        for number in numbers {
            *counts.entry(number).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Changes a picture's alternative text and credit; the error is a message key.
pub async fn describe(db: &Db, id: i64, alt: &str, credit: &str) -> Result<Result<(), &'static str>, sqlx::Error> {
    let alt = alt.split_whitespace().collect::<Vec<_>>().join(" ");
    let credit = credit.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.is_empty() {
        return Ok(Err(Refusal::NoAlt.key()));
    }
    if alt.chars().count() > MAX_ALT || credit.chars().count() > MAX_CREDIT {
        return Ok(Err(Refusal::AltTooLong.key()));
    }
    sqlx::query("UPDATE media SET alt = $1, credit = $2 WHERE id = $3")
        .bind(&alt)
        .bind(&credit)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(Ok(()))
}

/// Deletes a picture and its files. The caller has made sure nothing uses it.
pub async fn delete(cx: &Context, media: &Media) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM media WHERE id = $1").bind(media.id).execute(&cx.db.pool).await?;
    let dir = folder(&cx.config.data_dir, media.id);
    match tokio::fs::remove_dir_all(&dir).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::anyhow!("cannot remove {}: {e}", dir.display())),
    }
}

/// The ids of the pictures that pages anyone can see show by their old address (see
/// `handlers::serve`): `logo` is the site's logo address.
pub async fn old_addresses_in_use(
    db: &Db,
    now: i64,
    logo: &str,
) -> Result<Arc<std::collections::HashSet<i64>>, sqlx::Error> {
    let sql = format!(
        "SELECT a.hero_url FROM articles a WHERE {LIVE} AND a.hero_url LIKE '%/media/%'
         UNION ALL
         SELECT a.body_md FROM articles a WHERE {LIVE} AND a.body_md LIKE '%/media/%'
         UNION ALL
         SELECT au.picture_url FROM authors au WHERE au.picture_url LIKE '%/media/%' AND EXISTS (
             SELECT 1 FROM article_authors x JOIN articles a ON a.id = x.article_id WHERE x.author_id = au.id AND {LIVE})
         UNION ALL
         SELECT p.image_url FROM promotions p WHERE p.image_url LIKE '%/media/%'
             AND (p.active_from IS NULL OR p.active_from <= $1) AND (p.active_until IS NULL OR p.active_until > $1)"
    );
    let texts: Vec<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).fetch_all(&db.pool).await?;
    let mut ids = std::collections::HashSet::new();
    for text in texts.iter().flatten().map(String::as_str).chain(std::iter::once(logo)) {
        ids.extend(old_ids_in(text));
    }
    Ok(Arc::new(ids))
}

/// The numbers in the picture addresses `/media/{number}/` a text holds: old ids (and keys).
fn old_ids_in(text: &str) -> impl Iterator<Item = i64> + '_ {
    text.match_indices("/media/").filter_map(|(at, needle)| {
        let rest = &text[at + needle.len()..];
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        (digits > 0 && rest[digits..].starts_with('/')).then(|| rest[..digits].parse::<i64>().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GenericImageView as _;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image =
            image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 200]));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image).write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn old_addresses_are_found_in_text() {
        let text = "![a](/media/12/page.jpg) and /media/7/thumb.jpg, not /media/x/ or /media/9 or /media//";
        assert_eq!(old_ids_in(text).collect::<Vec<_>>(), [12, 7]);
    }

    #[test]
    fn srcset_lists_the_uncropped_widths_of_library_pictures_only() {
        assert_eq!(
            srcset("/media/4611686018427387904/page.jpg"),
            "/media/4611686018427387904/thumb.jpg 320w, /media/4611686018427387904/feed.jpg 800w, \
             /media/4611686018427387904/page.jpg 1200w"
        );
        assert_eq!(srcset("https://elsewhere.example/a.jpg"), "");
    }

    #[test]
    fn variants_fit_their_sizes() {
        let done = process(&png(2400, 1000)).unwrap();
        assert_eq!((done.format, done.width, done.height), ("png", 2400, 1000));
        let size = |name: &str| {
            let data = &done.variants.iter().find(|(n, _)| *n == name).unwrap().1;
            image::load_from_memory(data).unwrap().dimensions()
        };
        assert_eq!(size("page"), (1200, 500));
        assert_eq!(size("feed"), (800, 333));
        assert_eq!(size("card"), (1200, 630));
        assert_eq!(size("thumb"), (320, 133));
        // Small pictures are not blown up.
        assert_eq!(
            image::load_from_memory(&process(&png(300, 200)).unwrap().variants[0].1).unwrap().dimensions(),
            (300, 200)
        );
    }

    #[test]
    fn variants_of_library_paths() {
        assert_eq!(variant_of("/media/4/page.jpg", "card"), "/media/4/card.jpg");
        assert_eq!(variant_of("/media/5786254888073952268/page.jpg", "feed"), "/media/5786254888073952268/feed.jpg");
        assert_eq!(variant_of("/static/hafen.jpg", "card"), "/static/hafen.jpg");
        assert_eq!(variant_of("/media/x/page.jpg", "card"), "/media/x/page.jpg");
        assert_eq!(variant_of("/media/+4/page.jpg", "card"), "/media/+4/page.jpg");
    }

    #[test]
    fn keys_are_random_and_above_every_id() {
        let keys: Vec<i64> = (0..100).map(|_| new_key().unwrap()).collect();
        assert!(keys.iter().all(|k| *k >= KEY_FLOOR));
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
    }

    #[test]
    fn only_real_pictures_pass() {
        assert_eq!(process(b"").err(), Some(Refusal::Empty));
        assert!(process(b"GIF89a but not really").is_err(), "a GIF signature alone is no picture");
        assert_eq!(process(b"<svg xmlns='http://www.w3.org/2000/svg'/>").err(), Some(Refusal::NotAnImage));
        assert_eq!(process(&png(13_000, 1)).err(), Some(Refusal::TooManyPixels), "checked before decoding");
        // A thin line makes a card without being blown up first.
        let line = process(&png(12_000, 1)).unwrap();
        let card = &line.variants.iter().find(|(n, _)| *n == "card").unwrap().1;
        assert_eq!(image::load_from_memory(card).unwrap().dimensions(), (1200, 630));
        let mut truncated = png(50, 50);
        truncated.truncate(truncated.len() / 2);
        assert_eq!(process(&truncated).err(), Some(Refusal::Broken));
    }
}
