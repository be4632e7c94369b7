//! The demo site in a real browser and a real HTML validator (tests/browser/check.mjs): WCAG 2.2
//! AA by axe-core in headless Chromium, light and dark, desktop and phone; no request to other
//! hosts; no CSP violation; valid HTML5 by the Nu HTML Checker.

use std::path::Path;
use std::process::Command;

use crate::common::DemoServer;

/// The folder of the browser checks, or `None` when they are to be skipped here.
fn checks() -> Option<std::path::PathBuf> {
    let checks = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let installed =
        checks.join("node_modules/playwright-core").exists() && checks.join("node_modules/vnu-jar").exists();
    if crate::common::skipped("Chromium, Java and the browser checks' Node packages", installed) {
        return None;
    }
    assert!(
        installed,
        "the browser checks are not installed: run scripts/test, which installs Chromium, Java and \
         `npm ci` in tests/browser"
    );
    Some(checks)
}

/// Every public page of an English-language site, crawled at desktop and phone size, light and
/// dark, through axe and the HTML checker (the flows, which read German texts, run above); with
/// it the pages of a WordPress and a Ghost site imported into it, pictures and all.
#[test]
fn the_english_interface_passes_the_same_checks() {
    let Some(checks) = checks() else { return };
    let server = DemoServer::start_with(&[("NEWSDESK_SITE__LANGUAGE", "en")]);
    assert!(server.get("/").unwrap().contains("<html lang=\"en\">"), "the site speaks English");
    let old = crate::import::OldSite::start();
    let dir = tempfile::tempdir().unwrap();
    for (kind, name) in [("wordpress", "wordpress-full.xml"), ("ghost", "ghost-5.json")] {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name))
            .unwrap()
            .replace("http://old.example.test", &old.base);
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap().to_string();
        let out = server.newsdesk(
            &["import", kind, &file, "--fetch-media", "--old-url", &old.base],
            &[("NEWSDESK_SITE__LANGUAGE", "en"), ("NEWSDESK_OUTGOING__ALLOWED_NETWORKS", "[\"127.0.0.0/8\"]")],
        );
        assert!(out.status.success(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let imported = [
        "/news/harbour-at-dawn",
        "/news/market-gallery",
        "/news/sounds-and-pictures-in-motion",
        "/news/blocks-from-the-new-editor",
        "/news/harbour-lights-return",
        "/news/nets-knots-and-the-old-ways",
    ];
    let out = Command::new("node")
        .arg(checks.join("check.mjs"))
        .arg(server.url())
        .env("EXTRA_PATHS", imported.join(","))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("no failures"), "{stdout}");
}

#[test]
fn pages_pass_browser_accessibility_and_html_checks() {
    let Some(checks) = checks() else { return };
    // The webhook check's receiver listens on loopback; page views are written each second, so
    // the analytics pages show the browser's own visits.
    let server = DemoServer::start_with(&[
        ("NEWSDESK_OUTGOING__ALLOW_PRIVATE_ADDRESSES", "true"),
        ("NEWSDESK_ANALYTICS__FLUSH_SECS", "1"),
    ]);
    server.add_user("moderator", "moderation@example.org", "ein-langes-passwort");
    server.add_user("editor", "redaktion@example.org", "ein-langes-passwort");
    server.add_user("admin", "leitung@example.org", "ein-langes-passwort");
    let out = Command::new("node")
        .arg(checks.join("check.mjs"))
        .arg(server.url())
        .env("ADMIN_EMAIL", "moderation@example.org")
        .env("ADMIN_PASSWORD", "ein-langes-passwort")
        .env("EDITOR_EMAIL", "redaktion@example.org")
        .env("EDITOR_PASSWORD", "ein-langes-passwort")
        .env("OWNER_EMAIL", "leitung@example.org")
        .env("OWNER_PASSWORD", "ein-langes-passwort")
        .env("MAIL_DIR", server.dir.path().join("daten/mail"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("no failures"), "{stdout}");
    assert!(stdout.contains("comment flow checked: submitted, signed in, approved, undone"), "{stdout}");
    assert!(stdout.contains("editor pages checked"), "{stdout}");
    assert!(stdout.contains("article flow checked"), "{stdout}");
    assert!(stdout.contains("settings flow checked"), "{stdout}");
    assert!(stdout.contains("integrations checked: a key made in the browser reads the API"), "{stdout}");
    assert!(stdout.contains("webhooks checked: registered in the browser, a signed test event received"), "{stdout}");
    assert!(stdout.contains("subscription flow checked"), "{stdout}");
}
