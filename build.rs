//! Embeds the default theme and demo content in the binary, so that `newsdesk` is one file to
//! copy (the core crate embeds the translations and migrations).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

include!("build/embed.rs");

const FOLDERS: &[(&str, &str)] = &[("STATIC", "static"), ("TEMPLATES", "templates"), ("DEMO", "demo")];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets the manifest dir"));
    embed(&root, FOLDERS);
}
