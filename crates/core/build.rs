//! Embeds what the core reads from files in the binary: the translations and both migration
//! folders (the root crate's `build.rs` embeds the theme and the demo). Each folder becomes a
//! sorted table of (relative path, bytes).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const FOLDERS: &[(&str, &str)] = &[
    ("LOCALES", "locales"),
    ("MIGRATIONS_SQLITE", "migrations/sqlite"),
    ("MIGRATIONS_POSTGRES", "migrations/postgres"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets the manifest dir"));
    // The folders are the project's, two levels up.
    let root = manifest.join("../..");
    let mut out = String::new();
    for (name, folder) in FOLDERS {
        let base = root.join(folder);
        println!("cargo:rerun-if-changed={}", base.display());
        let mut files = Vec::new();
        collect(&base, &mut files);
        files.sort();
        writeln!(out, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for file in files {
            println!("cargo:rerun-if-changed={}", file.display());
            let rel = file.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/");
            writeln!(out, "    ({rel:?}, include_bytes!({:?})),", file.display().to_string()).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            files.push(path);
        }
    }
}
