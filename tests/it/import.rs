//! Moving a site in through the CLI, as an operator does: WordPress and Ghost exports written
//! for these tests (tests/fixtures), their pictures served by an old site on loopback, the old
//! addresses asked for afterwards, and exports or pictures that are broken or hostile.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use newsdesk::articles::queries;

use crate::common::TestApp;

crate::backend_tests!(
    a_wordpress_site_arrives_whole,
    a_rerun_finishes_what_an_interrupted_run_left,
    hostile_pictures_are_skipped_and_reported,
    a_ghost_site_arrives_whole,
);

/// An old site on loopback that serves pictures: a distinct PNG for every picture path, and a
/// few hostile answers. It counts the requests for each path.
pub struct OldSite {
    pub base: String,
    requests: Arc<Mutex<HashMap<String, u32>>>,
}

impl OldSite {
    pub fn start() -> OldSite {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(HashMap::new()));
        let counts = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counts = counts.clone();
                std::thread::spawn(move || answer(stream, &counts));
            }
        });
        OldSite { base, requests }
    }

    fn total(&self) -> u32 {
        self.requests.lock().unwrap().values().sum()
    }
}

fn answer(mut stream: std::net::TcpStream, counts: &Mutex<HashMap<String, u32>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    // The rest of the request head.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    *counts.lock().unwrap().entry(path.clone()).or_default() += 1;
    let respond = |stream: &mut std::net::TcpStream, status: &str, headers: &str, body: &[u8]| {
        let head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n{headers}\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    let file = path.split('?').next().unwrap_or_default();
    if file.contains("missing") {
        respond(&mut stream, "404 Not Found", "Content-Length: 0\r\n", b"");
    } else if file.ends_with("/huge.jpg") {
        // Claims two gigabytes; sends a little and hangs up.
        respond(&mut stream, "200 OK", "Content-Type: image/jpeg\r\nContent-Length: 2147483648\r\n", &[0xff; 1024]);
    } else if file.ends_with("/not-an-image.jpg") {
        let body = b"<html><body>Not found, but with a 200</body></html>";
        respond(
            &mut stream,
            "200 OK",
            &format!("Content-Type: image/jpeg\r\nContent-Length: {}\r\n", body.len()),
            body,
        );
    } else if file.ends_with("/to-private.jpg") {
        respond(&mut stream, "302 Found", "Location: http://10.0.0.1/x.jpg\r\nContent-Length: 0\r\n", b"");
    } else if file.ends_with(".mp3") || file.ends_with(".mp4") {
        // Enough of a recording for its kind to be told: the head, then the address.
        let head: &[u8] =
            if file.ends_with(".mp3") { b"ID3\x04\x00\x00\x00\x00\x00\x00" } else { b"\x00\x00\x00\x18ftypisom" };
        let body = [head, file.as_bytes(), &[0u8; 4096]].concat();
        let kind = if file.ends_with(".mp3") { "audio/mpeg" } else { "video/mp4" };
        respond(&mut stream, "200 OK", &format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", body.len()), &body);
    } else if [".jpg", ".png", ".gif"].iter().any(|e| file.ends_with(e)) {
        // `/same-*.jpg`: one photo under several addresses.
        let body = picture(if file.contains("/same-") { "same" } else { file });
        respond(
            &mut stream,
            "200 OK",
            &format!("Content-Type: image/png\r\nContent-Length: {}\r\n", body.len()),
            &body,
        );
    } else {
        respond(&mut stream, "404 Not Found", "Content-Length: 0\r\n", b"");
    }
}

/// A small PNG whose colours follow from `path`, so every picture is a different file.
fn picture(path: &str) -> Vec<u8> {
    let seed = path.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let image = image::RgbImage::from_fn(80, 60, |x, y| {
        image::Rgb([(seed >> 3) as u8 ^ x as u8, (seed >> 11) as u8 ^ y as u8, (seed >> 19) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The fixture with the old site's address pointed at `site`, written beside the test's data.
fn export_for(t: &TestApp, name: &str, site: &OldSite) -> PathBuf {
    let text = std::fs::read_to_string(fixture(name)).unwrap().replace("http://old.example.test", &site.base);
    let path = t.app.base_config.data_dir.parent().unwrap().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The test's database as an operator's config file; loopback may be reached, other private
/// networks not.
fn config_file(t: &TestApp) -> PathBuf {
    let config = &t.app.base_config;
    let path = config.data_dir.parent().unwrap().join("import.toml");
    let text = format!(
        "data_dir = {:?}\n[database]\nurl = {:?}\n[outgoing]\nallowed_networks = [\"127.0.0.0/8\"]\ntimeout_secs = 5\n[log]\nlevel = \"warn\"\n",
        config.data_dir.display().to_string(),
        config.database.url
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `newsdesk import ...`; returns whether it succeeded, its output and its errors.
async fn import(t: &TestApp, args: &[&str]) -> (bool, String, String) {
    let config = config_file(t);
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("NEWSDESK_")) {
            command.env_remove(key);
        }
        command.arg("--config").arg(&config).arg("import").args(&args).env_remove("RUST_LOG").output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), stdout, stderr)
}

async fn count(t: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap()
}

/// Where an address sends a reader with a 301.
async fn moved_to(t: &TestApp, path: &str) -> String {
    let response = t.get(path).await;
    assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY, "{path}");
    response.header("location").to_string()
}

async fn a_wordpress_site_arrives_whole(t: TestApp) {
    let site = OldSite::start();
    let export = export_for(&t, "wordpress-full.xml", &site);
    let file = export.to_str().unwrap();

    // A dry run says what would come and stores and fetches nothing.
    let (ok, out, err) = import(&t, &["wordpress", file, "--fetch-media", "--dry-run"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("would import 9 article(s) (1 draft, 7 published, 1 scheduled)"), "{out}");
    assert!(out.contains("20 picture(s) and sound or video file(s) would be fetched"), "{out}");
    assert_eq!((count(&t, "articles").await, count(&t, "media").await, site.total()), (0, 0, 0));

    let (ok, out, err) = import(&t, &["wordpress", file, "--fetch-media"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 9 article(s) (1 draft, 7 published, 1 scheduled) and 2 comment(s)"), "{out}");
    assert!(out.contains("skipped 1: not a post (page)") && out.contains("not a post (nav_menu_item)"), "{out}");
    assert!(out.contains("1 post(s) had no title"), "{out}");
    assert!(out.contains("kept as text 1×: [contact-form-7]") && out.contains("kept as text 1×: [su_note]"), "{out}");
    assert!(!out.contains("[hour]"), "brackets in code are no shortcode: {out}");
    assert!(out.contains("pictures: 11 fetched"), "{out}");
    assert!(out.contains(&format!("not fetched: {}/wp-content/uploads/2018/01/missing.jpg: answered 404", site.base)));

    // Post A: the caption a figure, pictures local, the poem one <pre>, entities shown once.
    let harbour = queries::find_by_slug(&t.app.db, "harbour-at-dawn").await.unwrap().unwrap();
    assert_eq!(harbour.body_format.as_str(), "html");
    let hero = harbour.hero.clone().expect("the featured image is the lead image");
    assert!(hero.url.starts_with("/media/"), "{hero:?}");
    assert_eq!(hero.alt, "A white lighthouse against a pink sky");
    assert_eq!(hero.credit, "The lighthouse before sunrise, May 2019");
    let page = t.get("/news/harbour-at-dawn").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body.split("<div class=\"body\">").nth(1).unwrap().split("</div>").next().unwrap();
    assert!(body.contains("<figure><img src=\"/media/"), "{body}");
    assert!(
        body.contains("<figcaption>The harbour at 6 am, <a href=\"/about/\""),
        "links to the old site stay here: {body}"
    );
    assert!(body.contains("a &gt; b"), "{body}");
    assert!(!body.contains("&amp;gt;") && !body.contains("<pre><pre") && !body.contains("<pre><code"), "{body}");
    let poem = body.split("<pre>").nth(1).unwrap().split("</pre>").next().unwrap();
    assert!(
        poem.contains("\n\n") && poem.contains("&lt;") && poem.contains("&amp;"),
        "the poem keeps its lines: {poem}"
    );
    assert!(body.contains("[Bild nicht übernommen:"), "the picture that could not be had is named: {body}");
    assert!(!body.contains(&site.base) && !body.contains("wp-content"), "nothing from the old host: {body}");
    assert!(page.body.contains("Lovely photographs. Is the poem yours?"), "approved comments came along");

    // Post B: both galleries, every picture local.
    let gallery = t.get("/news/market-gallery").await.body;
    let gallery_body = gallery.split("<div class=\"body\">").nth(1).unwrap().split("</div>").next().unwrap();
    assert_eq!(gallery_body.matches("<img src=\"/media/").count(), 5, "{gallery_body}");
    assert!(gallery_body.contains("Rye &amp; caraway loaves"), "captions of gallery pictures: {gallery_body}");

    // Post C: audio and video played from this site, embeds as link cards, unknown kept.
    let sounds = t.get("/news/sounds-and-pictures-in-motion").await.body;
    assert_eq!(sounds.matches("<audio controls=\"\" preload=\"none\" src=\"/media/files/").count(), 2, "{sounds}");
    assert!(
        sounds.contains(">Audio: interview.mp3</a></audio>") && sounds.contains(">Audio: jingle.mp3</a>"),
        "{sounds}"
    );
    assert!(sounds.contains("<video controls=\"\" preload=\"none\" src=\"/media/files/"), "{sounds}");
    assert!(sounds.contains(">Video: clip.mp4</a>"), "{sounds}");
    let recording =
        sounds.split("<audio controls=\"\" preload=\"none\" src=\"").nth(1).unwrap().split('"').next().unwrap();
    let whole = t.get(recording).await;
    assert_eq!((whole.status, whole.header("content-type")), (StatusCode::OK, "audio/mpeg"), "{recording}");
    assert!(whole.body.starts_with("ID3") && whole.body.contains("/interview.mp3"), "the file as it was");
    let ranged = t.get_with(recording, &[("range", "bytes=0-2")]).await;
    assert_eq!((ranged.status, ranged.body.as_str()), (StatusCode::PARTIAL_CONTENT, "ID3"));
    assert_eq!(ranged.header("content-range"), format!("bytes 0-2/{}", whole.body.len()));
    let beyond = t.get_with(recording, &[("range", "bytes=999999-")]).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(t.get(&format!("{recording}x")).await.status, StatusCode::NOT_FOUND, "the name is part of the address");
    assert!(sounds.contains(">YouTube: https://www.youtube.com/watch?v=dQw4w9WgXcQ</a>"), "{sounds}");
    assert!(sounds.contains(">Vimeo: https://vimeo.com/76979871</a>"), "{sounds}");
    assert!(
        sounds.contains("[contact-form-7 id=\"12\" title=\"Contact\"]")
            || sounds.contains("[contact-form-7 id=&quot;12&quot;"),
        "{sounds}"
    );

    // Post D: blocks gone, their content kept.
    let blocks = queries::find_by_slug(&t.app.db, "blocks-from-the-new-editor").await.unwrap().unwrap();
    assert!(!blocks.body_md.contains("wp:"), "{}", blocks.body_md);
    assert!(blocks.body_html.contains("<figcaption>") && blocks.body_html.contains("<img src=\"/media/"));
    assert!(blocks.body_html.contains("X (Twitter): https://twitter.com/"), "{}", blocks.body_html);
    assert!(blocks.body_html.contains(">Audio: tram-bell.mp3</a></audio>"), "{}", blocks.body_html);

    // Post E had no title and has one; F1 and F2 had no id and no GUID and both came.
    let untitled = queries::find_by_slug(&t.app.db, "105").await.unwrap().unwrap();
    assert!(!untitled.title.is_empty() && untitled.title.split_whitespace().count() >= 3, "{}", untitled.title);
    for slug in ["letter-from-the-ferry", "letter-from-the-mill"] {
        assert!(queries::find_by_slug(&t.app.db, slug).await.unwrap().is_some(), "{slug}");
    }

    // Old addresses answer with where the same thing is now.
    assert_eq!(moved_to(&t, "/2019/05/07/harbour-at-dawn/").await, "/news/harbour-at-dawn");
    assert_eq!(moved_to(&t, "/2019/05/07/harbour-at-dawn").await, "/news/harbour-at-dawn");
    assert_eq!(moved_to(&t, "/?p=102").await, "/news/market-gallery");
    assert_eq!(moved_to(&t, "/2019/05/07/harbour-at-dawn/feed/").await, "/news/harbour-at-dawn/feed");
    assert_eq!(moved_to(&t, "/category/local-news/").await, "/tag/local-news");
    assert_eq!(moved_to(&t, "/category/local-news/markets/feed/").await, "/tag/markets-fairs/feed");
    assert_eq!(moved_to(&t, "/tag/harbour/").await, "/tag/harbour");
    assert_eq!(moved_to(&t, "/author/rharper/").await, "/author/ruth-harper");
    assert_eq!(moved_to(&t, "/feed/").await, "/feed");
    assert_eq!(moved_to(&t, "/?feed=rss2").await, "/feed");
    assert_eq!(moved_to(&t, "/feed/atom/").await, "/feed/atom");
    assert_eq!(t.get("/?page=2").await.status, StatusCode::OK, "the home page's own queries stay its own");
    assert_eq!(t.get("/2020/01/01/never-was/").await.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(t.get("/2020/01/01/never-was").await.status, StatusCode::NOT_FOUND);

    // The same file again stores and fetches nothing.
    let (articles, comments, media, requests) =
        (count(&t, "articles").await, count(&t, "comments").await, count(&t, "media").await, site.total());
    let (ok, out, err) = import(&t, &["wordpress", file, "--fetch-media"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 0 article(s)") && out.contains("skipped 9: already imported"), "{out}");
    assert_eq!(count(&t, "articles").await, articles);
    assert_eq!(count(&t, "comments").await, comments);
    assert_eq!(count(&t, "media").await, media);
    assert_eq!(site.total(), requests, "no picture fetched twice");

    // Another export of the same site (a staging copy) whose post 101 is a different post: it
    // is known by its GUID, not by the site and id, and comes in.
    let staging = std::fs::read_to_string(&export)
        .unwrap()
        .replace("?p=101</guid>", "?p=101&amp;staging=1</guid>")
        .replace("<![CDATA[Harbour at dawn]]>", "<![CDATA[Harbour at noon]]>")
        .replace("<![CDATA[harbour-at-dawn]]>", "<![CDATA[harbour-at-noon]]>");
    let staging_file = export.with_file_name("staging.xml");
    std::fs::write(&staging_file, staging).unwrap();
    let (ok, out, err) = import(&t, &["wordpress", staging_file.to_str().unwrap()]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 1 article(s)") && out.contains("skipped 8: already imported"), "{out}");
    assert!(queries::find_by_slug(&t.app.db, "harbour-at-noon").await.unwrap().is_some());
}

async fn a_rerun_finishes_what_an_interrupted_run_left(t: TestApp) {
    let site = OldSite::start();
    let export = export_for(&t, "wordpress-full.xml", &site);
    let file = export.to_str().unwrap();
    let (ok, out, err) = import(&t, &["wordpress", file]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("import with --fetch-media to bring them along"), "{out}");
    // A run stopped between saving an article and recording it: the article is there, what
    // the import knows of it is not.
    let gallery = queries::find_by_slug(&t.app.db, "market-gallery").await.unwrap().unwrap();
    sqlx::query("DELETE FROM import_map WHERE local_id = $1 AND source = 'wordpress' AND source_key LIKE 'guid:%'")
        .bind(gallery.id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM old_addresses WHERE target LIKE '/news/market-gallery%'")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(t.get("/?p=102").await.status, StatusCode::OK, "the address is forgotten");
    let articles = count(&t, "articles").await;
    let (ok, out, err) = import(&t, &["wordpress", file]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 1 article(s)") && out.contains("skipped 8: already imported"), "{out}");
    assert_eq!(count(&t, "articles").await, articles, "the article was taken back, not made twice");
    assert_eq!(moved_to(&t, "/?p=102").await, "/news/market-gallery");
}

async fn hostile_pictures_are_skipped_and_reported(t: TestApp) {
    let site = OldSite::start();
    let item = |id: u32, srcs: &[&str]| {
        let pictures: String = srcs.iter().map(|src| format!("<img src=\"{src}\" alt=\"Bild {id}\">")).collect();
        format!(
            "<item><title>Bild {id}</title><link>http://old.example.test/?p={id}</link><dc:creator>ed</dc:creator>\
             <guid isPermaLink=\"false\">http://old.example.test/?p={id}</guid>\
             <content:encoded><![CDATA[<p>Text {id}</p>{pictures}]]></content:encoded>\
             <wp:post_id>{id}</wp:post_id><wp:post_date>2024-03-01 09:30:00</wp:post_date>\
             <wp:post_date_gmt>2024-03-01 08:30:00</wp:post_date_gmt><wp:post_name>bild-{id}</wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"
        )
    };
    let export = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\
         <title>Alt</title><link>http://old.example.test</link>{}{}{}{}{}{}</channel></rss>",
        item(1, &["http://old.example.test/huge.jpg"]),
        item(2, &["http://old.example.test/not-an-image.jpg"]),
        item(3, &["http://old.example.test/to-private.jpg"]),
        item(4, &["http://10.0.0.1/internal.jpg"]),
        item(5, &["http://old.example.test/fine.jpg"]),
        // One photo under three addresses, fetched at once: one picture in the library.
        item(6, &["http://old.example.test/same-a.jpg", "http://old.example.test/same-b.jpg", "http://old.example.test/same-c.jpg"]),
    )
    .replace("http://old.example.test", &site.base);
    let path = t.app.base_config.data_dir.parent().unwrap().join("hostile.xml");
    std::fs::write(&path, export).unwrap();
    let (ok, out, err) = import(&t, &["wordpress", path.to_str().unwrap(), "--fetch-media"]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 6 article(s)"), "every post comes, with or without its picture: {out}");
    assert!(out.contains("pictures: 4 fetched"), "{out}");
    assert!(!out.contains("same-"), "no copy of one photo fails: {out}");
    let failed =
        |name: &str| out.lines().find(|l| l.starts_with("not fetched:") && l.contains(name)).unwrap_or("").to_string();
    assert!(failed("huge.jpg").contains("larger than"), "{out}");
    assert!(failed("not-an-image.jpg").contains("not a JPEG, PNG, GIF or WebP picture"), "{out}");
    assert!(failed("to-private.jpg").contains("private"), "{out}");
    assert!(failed("10.0.0.1/internal.jpg").contains("private"), "{out}");
    assert_eq!(count(&t, "media").await, 2, "fine.jpg, and the one photo behind same-*.jpg");
    assert_eq!(t.get("/news/bild-6").await.body.matches("<img src=\"/media/").count(), 3);
    let huge = t.get("/news/bild-1").await.body;
    assert!(huge.contains("[Bild nicht übernommen: Bild 1]"), "a clear note, not a broken picture: {huge}");
    assert!(t.get("/news/bild-5").await.body.contains("<img src=\"/media/"));
}

async fn a_ghost_site_arrives_whole(t: TestApp) {
    let site = OldSite::start();
    let export = fixture("ghost-5.json");
    let file = export.to_str().unwrap();

    // Pictures live at __GHOST_URL__: fetching them needs the old address.
    let (ok, _, err) = import(&t, &["ghost", file, "--fetch-media"]).await;
    assert!(!ok && err.contains("--old-url"), "{err}");
    let (ok, _, err) = import(&t, &["ghost", fixture("ghost-unknown-version.json").to_str().unwrap()]).await;
    assert!(!ok && err.contains("Ghost 0.4.2 export") && err.contains("Ghost 1.0 to 6.x"), "{err}");
    assert_eq!(count(&t, "articles").await, 0);

    let (ok, out, err) = import(&t, &["ghost", file, "--fetch-media", "--old-url", &site.base]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("imported 5 article(s) (1 draft, 3 published, 1 scheduled)"), "{out}");
    assert!(out.contains("skipped 1: not a post (page)") && out.contains("1 post(s) had no title"), "{out}");
    assert!(
        out.contains("pictures: 9 fetched; sound and video files: 2 fetched"),
        "the feature images, cards and the Markdown card's; the audio and video cards' files: {out}"
    );

    let lights = queries::find_by_slug(&t.app.db, "harbour-lights-return").await.unwrap().unwrap();
    let tags: Vec<&str> = lights.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["Harbour"], "internal tags stay behind");
    let authors: Vec<&str> = lights.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(authors, ["Ruth Harper", "Marek Koval"], "authors in their order");
    assert_eq!(lights.published_at, Some(1_709_285_400));
    let hero = lights.hero.clone().unwrap();
    assert!(hero.url.starts_with("/media/") && hero.alt == "The quay at dusk, every lamp lit", "{hero:?}");
    assert_eq!(hero.credit, "Photo by Jo Penrose");
    let page = t.get("/news/harbour-lights-return").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body.split("<div class=\"body\">").nth(1).unwrap().split("</div>\n  <footer").next().unwrap();
    assert!(body.contains("<strong>three winters</strong>") && body.contains("<h2>How it happened</h2>"), "{body}");
    assert_eq!(body.matches("<img src=\"/media/").count(), 4, "the image card and the gallery's three: {body}");
    assert!(body.contains(">The harbour lights appeal</a>"), "the bookmark card: {body}");
    assert!(body.contains("<pre><code") && body.contains("&lt;quay&gt; &amp; pier"), "{body}");
    assert!(
        body.contains(">Audio: foghorn.mp3</a></audio>") && body.contains(">Video: lamps-on.mp4</a></video>"),
        "{body}"
    );
    assert!(!body.contains("__GHOST_URL__") && !body.contains(&site.base) && !body.contains("<iframe"), "{body}");

    let knots = t.get("/news/nets-knots-and-the-old-ways").await;
    assert_eq!(knots.status, StatusCode::OK, "the mobiledoc post");
    assert_eq!(
        knots.body.matches("<img src=\"/media/").count(),
        2,
        "the image card and the Markdown card's: {}",
        knots.body
    );
    let draft = queries::find_by_slug(&t.app.db, "lights-follow-up").await.unwrap().unwrap();
    assert_eq!(draft.status.as_str(), "draft");
    assert_eq!(t.get("/news/harbour-festival-2030").await.status, StatusCode::NOT_FOUND, "scheduled stays hidden");
    let untitled = queries::find_by_slug(&t.app.db, "untitled").await.unwrap().unwrap();
    assert_ne!(untitled.title, "", "named after its first words");

    assert_eq!(moved_to(&t, "/harbour-lights-return/").await, "/news/harbour-lights-return");
    assert_eq!(moved_to(&t, "/tag/harbour/rss/").await, "/tag/harbour/feed");
    assert_eq!(moved_to(&t, "/author/ruth/").await, "/author/ruth-harper");
    assert_eq!(moved_to(&t, "/rss/").await, "/feed");

    let (requests, articles) = (site.total(), count(&t, "articles").await);
    let (ok, out, err) = import(&t, &["ghost", file, "--fetch-media", "--old-url", &site.base]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("skipped 5: already imported"), "{out}");
    assert_eq!((site.total(), count(&t, "articles").await), (requests, articles), "nothing twice");
}
