//! The Content API: read-only JSON at `/api/v1` for apps, static-site generators and
//! automation, so that no integration has to scrape the pages.
//!
//! - Programs send a key that an admin made at `/admin/integrations` ([`keys`]), as
//!   `Authorization: Bearer nd_…`. A revoked or unknown key is 401; each key has its own
//!   requests a minute (429 past it, with `Retry-After`).
//! - Articles come newest first with filters (tag, author, publication dates, changed since)
//!   and a cursor to the next page, read by index however deep the page.
//! - Answers carry an ETag (the site's conditional GET): a program that sends `If-None-Match`
//!   gets 304 when nothing changed.
//! - A key may name web origins whose pages call the API from a browser (CORS).
//! - `/api/v1/openapi.json` describes it all (OpenAPI 3.1), with no key needed.

pub mod admin;
pub mod handlers;
pub mod json;
pub mod keys;

/// The OpenAPI 3.1 document of `/api/v1`, as served.
pub const OPENAPI: &str = include_str!("openapi.json");
