//! Files built into the binary: the default theme (templates and static assets) and the demo
//! publication, by `build.rs`; the translations and migrations, by the core's. Each table is
//! sorted by relative path.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

pub use newsdesk_core::embedded::{LOCALES, MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, find};
