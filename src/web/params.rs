//! Path parameters every public page kind parses the same way: a page number, a slug, a month
//! of the archive; and the answer at a renamed tag's or author's old address.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::articles::labels::{self, Kind};
use crate::articles::model::Slug;
use crate::db::Db;

/// The highest page number accepted; anything longer is not a page of ours.
const MAX_PAGE: u32 = 1_000_000;

/// A page number from the path: digits only (anything else is no number: 400), and a page
/// that can exist (0 or more than seven digits is no page of ours: 404; page 1 lives at the
/// listing's own URL).
pub fn parse_page(raw: &str) -> Result<u32, AppError> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest("bad_page"));
    }
    if raw.len() > 7 {
        return Err(AppError::NotFound);
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(AppError::NotFound),
    }
}

/// A slug from the path; one that no slug could be is a page we do not have (404).
pub fn parse_slug(raw: &str) -> Result<Slug, AppError> {
    Slug::parse(raw).map_err(|_| AppError::NotFound)
}

/// A year of four digits and a month of two, as in `/archive/2026/03`.
pub fn parse_month(year: &str, month: &str) -> Result<(i16, i8), AppError> {
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) {
        return Err(AppError::NotFound);
    }
    let (y, m): (i16, i8) =
        (year.parse().map_err(|_| AppError::NotFound)?, month.parse().map_err(|_| AppError::NotFound)?);
    if !(1970..=9998).contains(&y) || !(1..=12).contains(&m) {
        return Err(AppError::NotFound);
    }
    Ok((y, m))
}

/// The first and the last second + 1 of a month in the publication's time zone.
pub fn month_range(zone: &jiff::tz::TimeZone, year: i16, month: i8) -> Result<(i64, i64), AppError> {
    let start = jiff::civil::date(year, month, 1);
    let end = start.checked_add(jiff::Span::new().months(1)).map_err(|e| AppError::Internal(e.into()))?;
    let second = |d: jiff::civil::Date| {
        d.to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).map_err(|e| AppError::Internal(e.into()))
    };
    Ok((second(start)?, second(end)?))
}

/// A renamed or merged tag or author answers at its old address: a 301 to the same page
/// (`rest`: "/feed", "/page/3") at the new one.
pub async fn label_moved(db: &Db, kind: Kind, slug: &str, rest: &str) -> Result<Response, AppError> {
    match labels::redirect(db, kind, slug).await? {
        Some(current) => {
            Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/{}/{current}{rest}", kind.as_str()))])
                .into_response())
        }
        None => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(parse_page("2").unwrap(), 2);
        for no_number in ["", "-1", "1e3", "abc", "+2", " 2"] {
            assert!(matches!(parse_page(no_number), Err(AppError::BadRequest(_))), "{no_number:?}");
        }
        for no_page in ["0", "99999999", "00000000000"] {
            assert!(matches!(parse_page(no_page), Err(AppError::NotFound)), "{no_page:?}");
        }
    }

    #[test]
    fn months() {
        assert_eq!(parse_month("2026", "03").unwrap(), (2026, 3));
        for (y, m) in [("2026", "13"), ("2026", "3"), ("26", "03"), ("2026", "00"), ("abcd", "01")] {
            assert!(parse_month(y, m).is_err(), "{y}/{m}");
        }
    }
}
