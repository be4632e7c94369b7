//! Embeds what the core reads from files in the binary: the translations and both migration
//! folders (the root crate's `build.rs` embeds the theme and the demo).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

include!("../../build/embed.rs");

const FOLDERS: &[(&str, &str)] = &[
    ("LOCALES", "locales"),
    ("MIGRATIONS_SQLITE", "migrations/sqlite"),
    ("MIGRATIONS_POSTGRES", "migrations/postgres"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets the manifest dir"));
    // The folders are the project's, two levels up.
    embed(&manifest.join("../.."), FOLDERS);
}
