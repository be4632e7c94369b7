//! The site's own pages (Impressum, about us) and the menus: written in the admin area, at their
//! own addresses, linked from every page's footer and every mail, kept out of feeds, the news
//! sitemap and search.

use axum::http::StatusCode;
use newsdesk::auth::users::Role;
use newsdesk::email::newsletter;

use crate::common::{TestApp, hidden};

crate::backend_tests!(
    pages_have_their_own_addresses_and_stay_out_of_the_news,
    menus_are_chosen_in_the_settings,
    every_mail_names_the_publisher_and_links_the_impressum,
    bad_pages_are_refused_and_deleting_asks_first,
    reader_pages_show_pictures_bylines_and_one_newsletter_offer,
);

/// Saves a page through the admin form; returns the response.
async fn write_page(t: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> crate::common::TestResponse {
    let csrf = hidden(&t.get_as("/admin/pages/new", cookie).await.body, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    t.post_form("/admin/pages", &form, &[("cookie", cookie)]).await
}

fn footer(page: &str) -> &str {
    &page[page.find("<footer class=\"site-footer\"").expect("the site's footer")..]
}

async fn pages_have_their_own_addresses_and_stay_out_of_the_news(t: TestApp) {
    t.publish("Eine Nachricht").await;
    let cookie = t.sign_in(Role::Editor).await;
    let dashboard = t.get_as("/admin", &cookie).await.body;
    assert!(dashboard.contains("noch kein Impressum"), "the dashboard warns while there is none");
    let saved = write_page(
        &t,
        &cookie,
        &[
            ("title", "Impressum"),
            ("role", "imprint"),
            ("body", "Beispiel Medien GmbH\n\nVerantwortlich: **Erika Muster**"),
            ("published", "on"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/admin/pages?done=saved");
    assert!(t.get_as("/admin/pages?done=saved", &cookie).await.body.contains("Die Seite wurde gespeichert."));
    let about =
        write_page(&t, &cookie, &[("title", "Über uns"), ("body", "Wir berichten."), ("published", "on")]).await;
    assert_eq!(about.status, StatusCode::SEE_OTHER);
    let draft = write_page(&t, &cookie, &[("title", "Noch geheim"), ("body", "Entwurf.")]).await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER);
    assert!(!t.get_as("/admin", &cookie).await.body.contains("noch kein Impressum"), "the warning is gone");

    let imprint = t.get("/impressum").await;
    assert_eq!(imprint.status, StatusCode::OK);
    assert!(imprint.body.contains("<h1>Impressum</h1>") && imprint.body.contains("<strong>Erika Muster</strong>"));
    assert!(imprint.body.contains("rel=\"canonical\" href=\"http://127.0.0.1:8080/impressum\""));
    assert_eq!(t.get("/ueber-uns").await.status, StatusCode::OK, "the address made from the title");
    assert_eq!(t.get("/noch-geheim").await.status, StatusCode::NOT_FOUND, "a draft is not public");
    assert_eq!(t.get("/gibt-es-nicht").await.status, StatusCode::NOT_FOUND);

    // One click from every page: the footer of an article, the home page, a job page.
    for path in ["/", "/news/eine-nachricht", "/jobs", "/impressum"] {
        let page = t.get(path).await.body;
        let footer = footer(&page);
        assert!(footer.contains("href=\"/impressum\">Impressum<"), "{path}: {footer}");
        assert!(footer.contains("href=\"/ueber-uns\">Über uns<"), "{path}");
        assert!(!footer.contains("noch-geheim"), "{path}: drafts are not linked");
    }
    // Not news: no feed, no news sitemap, no search result; but in the site's sitemap.
    for path in ["/feed", "/feed/atom", "/feed.json", "/sitemap-news.xml"] {
        let body = t.get(path).await.body;
        assert!(!body.contains("/impressum") && !body.contains("Erika"), "{path}");
    }
    assert!(t.get("/sitemap-pages.xml").await.body.contains("<loc>http://127.0.0.1:8080/impressum</loc>"));
    let search = t.get("/search?q=Muster").await.body;
    assert!(!search[..search.find("<footer").unwrap()].contains("/impressum"), "not a search result");
    let home = t.get("/").await.body;
    assert!(!home[..home.find("<footer").unwrap()].contains("/impressum"), "not among the articles");

    // The Impressum role moves: one page holds it at a time.
    let moved = write_page(
        &t,
        &cookie,
        &[("title", "Impressum neu"), ("slug", "impressum-2027"), ("role", "imprint"), ("published", "on")],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let footer_now = t.get("/").await.body;
    let footer_now = footer(&footer_now);
    assert!(footer_now.contains("href=\"/impressum-2027\""));
    let roles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pages WHERE role = 'imprint'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(roles, 1);
}

async fn menus_are_chosen_in_the_settings(t: TestApp) {
    let cookie = t.sign_in(Role::Admin).await;
    write_page(&t, &cookie, &[("title", "Impressum"), ("role", "imprint"), ("published", "on")]).await;
    write_page(&t, &cookie, &[("title", "Kontakt"), ("published", "on")]).await;
    let settings = t.get_as("/admin/settings", &cookie).await.body;
    let csrf = hidden(&settings, "csrf");
    // Every setting as the form shows it, with the menus changed.
    let mut form: Vec<(String, String)> = Vec::new();
    for setting in newsdesk::settings::EDITABLE {
        let id = setting.key.replace('.', "-");
        let value = match setting.key {
            "site.header_menu" => {
                "Roboter | /tag/robotik\nÜber uns | /kontakt\nMastodon | https://social.example/@news".into()
            }
            "site.footer_menu" => "Kontakt | /kontakt\nArchiv | /archive".into(),
            key => match newsdesk::settings::value_of(&t.app.config(), key) {
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(true) => "yes".into(),
                serde_json::Value::Bool(false) => continue,
                serde_json::Value::Array(items) => {
                    items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("\n")
                }
                other => other.to_string(),
            },
        };
        form.push((id, value));
    }
    form.push(("csrf".into(), csrf.clone()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = t.post_form("/admin/settings", &pairs, &[("cookie", &cookie)]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let home = t.get("/").await.body;
    let nav = &home[home.find("<nav class=\"topics\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let order: Vec<usize> = ["href=\"/\"", "/tag/robotik", "/kontakt", "https://social.example/@news", "/search"]
        .iter()
        .map(|href| nav.find(href).unwrap_or_else(|| panic!("{href} in {nav}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in the order chosen: {nav}");
    assert!(!nav.contains("/archive"), "the chosen menu replaces the topics by use");
    let kontakt = t.get("/kontakt").await.body;
    assert!(kontakt.contains("href=\"/kontakt\" aria-current=\"page\""), "the current page is marked");
    let footer = footer(&home);
    let kontakt_at = footer.find("href=\"/kontakt\"").unwrap();
    let archive_at = footer.find("href=\"/archive\"").unwrap();
    assert!(kontakt_at < archive_at, "the footer in the order chosen");
    assert!(footer.contains("href=\"/impressum\""), "the Impressum stays linked though the menu left it out");
    assert!(!footer.contains("href=\"/jobs\""), "the chosen footer replaces the usual links");

    // A line that is not "Label | link" is refused with its field named; nothing changes.
    let mut bad = pairs.clone();
    bad.retain(|(k, _)| *k != "site-footer_menu");
    bad.push(("site-footer_menu", "Kontakt /kontakt"));
    let refused = t.post_form("/admin/settings", &bad, &[("cookie", &cookie)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Jede Zeile braucht die Form"), "{}", refused.body);
    assert!(footer_after(&t).await.contains("href=\"/archive\""));
}

async fn footer_after(t: &TestApp) -> String {
    let home = t.get("/").await.body;
    footer(&home).to_string()
}

async fn every_mail_names_the_publisher_and_links_the_impressum(t: TestApp) {
    let t = TestApp::with_config(t.backend, |c| {
        c.email.transport = newsdesk::config::MailTransport::Memory;
        c.site.publisher = "Beispiel Medien GmbH, Musterstraße 1, 10115 Berlin".into();
    })
    .await;
    let cookie = t.sign_in(Role::Editor).await;
    write_page(&t, &cookie, &[("title", "Impressum"), ("role", "imprint"), ("published", "on")]).await;
    crate::email::subscribe(&t, "leserin@example.org").await;
    let now = t.app.now();
    let id = newsletter::save_draft(&t.app, None, "Die Woche", "Hallo", None, now).await.unwrap().unwrap();
    newsletter::start(&t.app, id, now).await.unwrap().unwrap();
    let mails = crate::email::sent(&t).await;
    assert!(mails.len() >= 2, "the confirmation and the newsletter");
    for mail in &mails {
        let subject = mail.header("Subject");
        assert!(mail.text.contains("Beispiel Medien GmbH, Musterstraße 1, 10115 Berlin"), "{subject}: {}", mail.text);
        assert!(mail.text.contains("Impressum: http://127.0.0.1:8080/impressum"), "{subject}: {}", mail.text);
        assert!(mail.html.contains("Musterstraße 1"), "{subject}");
        assert!(mail.html.contains("href=\"http://127.0.0.1:8080/impressum\""), "{subject}");
    }
}

async fn bad_pages_are_refused_and_deleting_asks_first(t: TestApp) {
    let cookie = t.sign_in(Role::Editor).await;
    for (fields, status, message) in [
        (vec![("title", "Admin"), ("slug", "admin")], StatusCode::BAD_REQUEST, "gehört der Website selbst"),
        (vec![("title", "Jobs")], StatusCode::BAD_REQUEST, "/jobs gehört der Website selbst"),
        (vec![("title", "x"), ("slug", "Über Uns")], StatusCode::BAD_REQUEST, "nur Kleinbuchstaben"),
        (vec![("title", "  ")], StatusCode::BAD_REQUEST, "Bitte füllen Sie „Titel“ aus."),
        (vec![("title", "x"), ("role", "chef")], StatusCode::BAD_REQUEST, "einen der angebotenen Werte"),
    ] {
        let refused = write_page(&t, &cookie, &fields).await;
        assert_eq!(refused.status, status, "{fields:?}");
        assert!(refused.body.contains(message), "{fields:?}: {message}");
    }
    assert_eq!(
        write_page(&t, &cookie, &[("title", "Kontakt"), ("published", "on")]).await.status,
        StatusCode::SEE_OTHER
    );
    let taken = write_page(&t, &cookie, &[("title", "Kontakt"), ("body", "Zweite"), ("published", "on")]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.body.contains("Unter /kontakt steht schon eine andere Seite."), "{}", taken.body);
    assert!(taken.body.contains("Zweite"), "the text typed comes back");
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM pages WHERE slug = 'kontakt'").fetch_one(&t.app.db.pool).await.unwrap();
    let csrf = hidden(&t.get_as("/admin/pages", &cookie).await.body, "csrf");
    let asked = t.post_form(&format!("/admin/pages/{id}/delete"), &[("csrf", &csrf)], &[("cookie", &cookie)]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("wirklich gelöscht") && asked.body.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(t.get("/kontakt").await.status, StatusCode::OK, "asking deletes nothing");
    let deleted = t
        .post_form(&format!("/admin/pages/{id}/delete"), &[("csrf", &csrf), ("confirm", "yes")], &[("cookie", &cookie)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get("/kontakt").await.status, StatusCode::NOT_FOUND);
    assert!(!footer_after(&t).await.contains("/kontakt"), "the footer follows at once");
    // Every first segment the site itself uses is reserved for it.
    let (_, table) = newsdesk::root::route_table(t.app.clone());
    for entry in table {
        let name = entry.path.trim_start_matches('/').split('/').next().unwrap_or_default();
        // Files at the root (sitemaps, robots.txt) have a dot, which no page's address has.
        if name.is_empty() || name.starts_with('{') || name.contains('.') {
            continue;
        }
        assert!(newsdesk::pages::RESERVED.contains(&name), "{} is not reserved for the site", entry.path);
    }
}

async fn reader_pages_show_pictures_bylines_and_one_newsletter_offer(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| c.site.per_page = 2).await;
    const PICTURE: &str = "/media/4611686018427387904/page.jpg";
    t.publish("Eine Nachricht ohne Bild").await;
    t.app.clock.advance(60);
    for title in ["Die ältere Nachricht", "Die neueste Nachricht"] {
        let mut d = crate::common::draft(title);
        d.hero_url = Some(PICTURE.into());
        d.hero_alt = Some("Ein Bild".into());
        t.create(d).await;
        t.app.clock.advance(60);
    }
    let home = t.get("/").await.body;
    // The lead story large, from the sizes the library keeps; the others as thumbnails.
    let srcset = "/media/4611686018427387904/thumb.jpg 320w, /media/4611686018427387904/feed.jpg 800w, \
                  /media/4611686018427387904/page.jpg 1200w";
    assert!(home.contains(&format!("<img src=\"{PICTURE}\" srcset=\"{srcset}\"")), "the lead story's picture: {home}");
    assert!(home.contains("<img src=\"/media/4611686018427387904/thumb.jpg\""), "a thumbnail beside a teaser");
    assert_eq!(home.matches("class=\"teaser with-thumb\"").count(), 1, "only teasers with a picture get one");
    assert!(t.get("/page/2").await.body.contains("<article class=\"teaser\">"), "a teaser without a picture has none");
    // The newsletter box on the home page, a search form in the masthead.
    assert!(home.contains("id=\"newsletter-box-heading\"") && home.contains("name=\"form\" value=\"home\""));
    assert!(home.contains("class=\"masthead-search\" role=\"search\""));
    let second = t.get("/page/2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(!second.body.contains("newsletter-box"), "the box is on the first page only");

    // The byline and the date under the headline, before the lead.
    let article = t.get("/news/die-neueste-nachricht").await.body;
    let (h1, byline, lead) = (
        article.find("<h1>").unwrap(),
        article.find("class=\"byline\"").unwrap(),
        article.find("class=\"lead\"").unwrap(),
    );
    assert!(h1 < byline && byline < lead, "byline between headline and lead");
    // One newsletter offer under the article: the signup form, no link to the same thing.
    assert_eq!(article.matches("action=\"/newsletter\"").count(), 1);
    let calls = &article[article.find("<section class=\"cta\"").unwrap()..];
    let calls = &calls[..calls.find("</section>").unwrap()];
    assert!(!calls.contains("/newsletter"), "no second newsletter call to action: {calls}");

    // Signing up in the home page's box leads back home, recorded as from that box.
    let sent = t
        .post_form(
            "/newsletter",
            &[("email", "leserin@example.org"), ("consent", "yes"), ("form", "home"), ("back", "/")],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("href=\"/\""), "the way back leads home");
    let form: String = sqlx::query_scalar("SELECT consent_form FROM subscriptions ORDER BY id DESC LIMIT 1")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(form, "home-box");
}
