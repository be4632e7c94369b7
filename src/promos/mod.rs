//! Promotions: a book recommendation, a support link, a newsletter call to action or anything
//! custom, placed in a slot (the sidebar, after the article, the call-to-action list), in order,
//! between optional dates. Clicks are counted through `/go/{id}` without cookies or any personal
//! data: a counter per promotion, nothing else.

pub mod admin;
pub mod handlers;

use serde::Serialize;
use sqlx::{Row as _, any::AnyRow};

use crate::db::Db;
use crate::text::is_web_link;

pub const KINDS: &[&str] = &["book", "support", "newsletter", "custom"];
pub const SLOTS: &[&str] = &["sidebar", "after_article", "cta"];
pub const MAX_TITLE: usize = 120;
pub const MAX_TEXT: usize = 240;

#[derive(Debug, Clone, Serialize)]
pub struct Promotion {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub text: String,
    pub url: String,
    pub image_url: Option<String>,
    pub slot: String,
    pub position: i64,
    pub sponsored: bool,
    pub active_from: Option<i64>,
    pub active_until: Option<i64>,
    pub clicks: i64,
}

/// A checked promotion.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionInput {
    pub kind: String,
    pub title: String,
    pub text: String,
    pub url: String,
    pub image_url: Option<String>,
    pub slot: String,
    pub position: i64,
    pub sponsored: bool,
    pub active_from: Option<i64>,
    pub active_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromotionError {
    #[error("the title is missing")]
    NoTitle,
    #[error("{field} is too long: at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the link must be a web address starting with https:// or http://")]
    BadLink,
    #[error("the image must be a path on this site (starting with /)")]
    BadImage,
    #[error("unknown kind or slot")]
    BadChoice,
    #[error("the promotion ends before it starts")]
    DatesOutOfOrder,
}

impl PromotionError {
    /// The message in the interface's language.
    pub fn localized(&self, i18n: &crate::i18n::I18n, language: crate::config::Language) -> String {
        let field = |f: &str| i18n.text(language, &format!("promotion-{f}"), &[]);
        match self {
            PromotionError::NoTitle => i18n.text(language, "form-error-missing", &[("field", field("title").into())]),
            PromotionError::TooLong { field: f, max } => {
                i18n.text(language, "form-error-too-long", &[("field", field(f).into()), ("max", (*max as i64).into())])
            }
            PromotionError::BadLink => i18n.text(language, "form-error-link", &[]),
            PromotionError::BadImage => i18n.text(language, "promotion-error-image", &[]),
            PromotionError::BadChoice => i18n.text(language, "form-error-choice", &[]),
            PromotionError::DatesOutOfOrder => i18n.text(language, "promotion-error-order", &[]),
        }
    }
}

impl PromotionInput {
    #[expect(clippy::too_many_arguments, reason = "the form's fields, each named at the call")]
    pub fn parse(
        kind: &str,
        title: &str,
        text: &str,
        url: &str,
        image_url: &str,
        slot: &str,
        position: i64,
        sponsored: bool,
        active_from: Option<i64>,
        active_until: Option<i64>,
    ) -> Result<PromotionInput, PromotionError> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err(PromotionError::NoTitle);
        }
        if title.chars().count() > MAX_TITLE {
            return Err(PromotionError::TooLong { field: "title", max: MAX_TITLE });
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().count() > MAX_TEXT {
            return Err(PromotionError::TooLong { field: "text", max: MAX_TEXT });
        }
        let url = url.trim().to_string();
        if !is_web_link(&url) {
            return Err(PromotionError::BadLink);
        }
        let image_url = Some(image_url.trim().to_string()).filter(|i| !i.is_empty());
        if let Some(image) = &image_url
            && !crate::text::is_site_path(image)
        {
            return Err(PromotionError::BadImage);
        }
        if !KINDS.contains(&kind) || !SLOTS.contains(&slot) {
            return Err(PromotionError::BadChoice);
        }
        if let (Some(from), Some(until)) = (active_from, active_until)
            && until <= from
        {
            return Err(PromotionError::DatesOutOfOrder);
        }
        Ok(PromotionInput {
            kind: kind.to_string(),
            title,
            text,
            url,
            image_url,
            slot: slot.to_string(),
            position,
            sponsored,
            active_from,
            active_until,
        })
    }
}

fn from_row(row: &AnyRow) -> Result<Promotion, sqlx::Error> {
    Ok(Promotion {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        text: row.try_get("text")?,
        url: row.try_get("url")?,
        image_url: row.try_get("image_url")?,
        slot: row.try_get("slot")?,
        position: row.try_get("position")?,
        sponsored: row.try_get::<i64, _>("sponsored")? != 0,
        active_from: row.try_get("active_from")?,
        active_until: row.try_get("active_until")?,
        clicks: row.try_get("clicks")?,
    })
}

const COLUMNS: &str =
    "id, kind, title, text, url, image_url, slot, position, sponsored, active_from, active_until, clicks";

/// The active promotions of a slot, in order.
pub async fn active(db: &Db, slot: &str, now: i64) -> Result<Vec<Promotion>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promotions WHERE slot = $1 AND (active_from IS NULL OR active_from <= $2) \
         AND (active_until IS NULL OR active_until > $2) ORDER BY position, id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(slot).bind(now).fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

pub async fn all(db: &Db) -> Result<Vec<Promotion>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM promotions ORDER BY slot, position, id");
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Promotion>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM promotions WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await?.as_ref().map(from_row).transpose()
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a promotion's fields as `$1` to `$10` and `now` as `$11`, for insert and update alike.
fn bind_fields<'q>(query: AnyQuery<'q>, p: &PromotionInput, now: i64) -> AnyQuery<'q> {
    query
        .bind(p.kind.clone())
        .bind(p.title.clone())
        .bind(p.text.clone())
        .bind(p.url.clone())
        .bind(p.image_url.clone())
        .bind(p.slot.clone())
        .bind(p.position)
        .bind(i64::from(p.sponsored))
        .bind(p.active_from)
        .bind(p.active_until)
        .bind(now)
}

/// Creates (`id` None) or replaces a promotion; returns its id.
pub async fn save(db: &Db, id: Option<i64>, p: &PromotionInput, now: i64) -> Result<Option<i64>, sqlx::Error> {
    match id {
        None => {
            let insert = sqlx::query(
                "INSERT INTO promotions (kind, title, text, url, image_url, slot, position, sponsored, active_from, \
                 active_until, clicks, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11) RETURNING id",
            );
            let mut tx = db.begin().await?;
            let row = bind_fields(insert, p, now).fetch_one(&mut *tx).await?;
            crate::changes::record(&mut tx, every_page()).await?;
            tx.commit().await?;
            Ok(Some(row.try_get("id")?))
        }
        Some(id) => {
            let update = sqlx::query(
                "UPDATE promotions SET kind = $1, title = $2, text = $3, url = $4, image_url = $5, slot = $6, position = $7, \
                 sponsored = $8, active_from = $9, active_until = $10, updated_at = $11 WHERE id = $12",
            );
            let mut tx = db.begin().await?;
            let done = bind_fields(update, p, now).bind(id).execute(&mut *tx).await?;
            if done.rows_affected() > 0 {
                crate::changes::record(&mut tx, every_page()).await?;
            }
            tx.commit().await?;
            Ok((done.rows_affected() > 0).then_some(id))
        }
    }
}

pub async fn delete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = sqlx::query("DELETE FROM promotions WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if done.rows_affected() > 0 {
        crate::changes::record(&mut tx, every_page()).await?;
    }
    tx.commit().await
}

/// Promotions show beside articles and on the home page: a change touches every page.
fn every_page() -> crate::changes::Event {
    crate::changes::Event::PagesChanged { scopes: vec![crate::changes::Scope::All] }
}

/// Counts a click on promotion `id` (when `counted`; a HEAD is no click) and returns where it
/// leads, if it is active at `now`.
pub async fn click(db: &Db, id: i64, now: i64, counted: bool) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE promotions SET clicks = clicks + $1 WHERE id = $2 \
         AND (active_from IS NULL OR active_from <= $3) AND (active_until IS NULL OR active_until > $3) RETURNING url",
    )
    .bind(i64::from(counted))
    .bind(id)
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}

/// One entry of the call-to-action list under an article.
#[derive(Debug, Clone, Serialize)]
pub struct CallToAction {
    pub text: String,
    pub href: String,
    /// `rel` of the link: "sponsored noopener" for paid or affiliate links.
    pub rel: Option<&'static str>,
    /// A paid placement: readers see it labelled as advertising.
    pub sponsored: bool,
}

/// The promotions a page shows: sidebar, after the article, and the call-to-action list built
/// from promotions, the home page and the configured support and job-board links.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Placements {
    pub sidebar: Vec<Promotion>,
    pub after_article: Vec<Promotion>,
    pub calls_to_action: Vec<CallToAction>,
    /// The newsletter is this site's own (`/newsletter`): the article offers its signup form
    /// under the label, instead of a link among the calls to action.
    pub own_newsletter: bool,
    pub newsletter_label: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_promotions() {
        let ok = |url: &str, image: &str, from, until| {
            PromotionInput::parse("book", "Buch", "Ein Satz.", url, image, "sidebar", 0, false, from, until)
        };
        assert!(ok("https://shop.example/b", "", None, None).is_ok());
        assert_eq!(ok("javascript:x", "", None, None), Err(PromotionError::BadLink));
        assert_eq!(ok("https://a.example", "https://cdn.example/x.png", None, None), Err(PromotionError::BadImage));
        assert_eq!(ok("https://a.example", "", Some(10), Some(5)), Err(PromotionError::DatesOutOfOrder));
        let long = PromotionInput::parse(
            "book",
            &"x".repeat(121),
            "",
            "https://a.example",
            "",
            "sidebar",
            0,
            false,
            None,
            None,
        );
        assert!(matches!(long, Err(PromotionError::TooLong { .. })));
    }
}
