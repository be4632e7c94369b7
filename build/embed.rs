// Shared by both build scripts (`build.rs`, `crates/core/build.rs`) through `include!`: each
// folder under `root` becomes a sorted table of (relative path, bytes) in
// `$OUT_DIR/embedded.rs`.

fn embed(root: &Path, folders: &[(&str, &str)]) {
    let mut out = String::new();
    for (name, folder) in folders {
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
