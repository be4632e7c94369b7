//! The newsroom in the browser: the article list, the editor with preview, publishing and
//! scheduling, two editors saving at once, renaming a published article, the revision history,
//! the dashboard, and bad input.

use axum::http::StatusCode;
use newsdesk::articles::queries;
use newsdesk::auth::users::Role;
use newsdesk::queue::worker;

use crate::common::{TestApp, TestResponse, hidden};

crate::backend_tests!(
    editors_preview_save_publish_and_find_articles,
    scheduling_takes_a_future_time_and_goes_live_then,
    a_stale_save_is_refused_and_keeps_the_editors_text,
    renaming_a_published_article_redirects_its_old_address,
    revisions_show_what_changed_and_restore,
    bad_articles_are_refused_and_nothing_is_saved,
    the_dashboard_shows_what_needs_doing,
    admins_invite_users_who_choose_a_password,
    staff_change_their_own_password,
    tags_and_authors_are_renamed_merged_and_keep_their_addresses,
    a_wordpress_export_is_imported_once,
    broken_and_hostile_exports_store_nothing,
    settings_apply_without_a_restart_on_every_node,
    pictures_are_checked_resized_and_served_for_a_year,
    pictures_cannot_be_found_by_counting,
    pictures_of_too_many_pixels_are_refused_before_decoding,
    a_first_publication_is_checked_first,
    the_editor_keeps_what_is_typed_and_offers_it_back,
    an_html_body_is_edited_as_html,
);

/// An editor's session: the cookie and the CSRF token of the editor page.
struct Editor {
    cookie: String,
    csrf: String,
}

impl Editor {
    async fn sign_in(t: &TestApp, role: Role) -> Editor {
        let cookie = t.sign_in(role).await;
        let page = t.get_as("/admin/articles/new", &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = hidden(&page.body, "csrf");
        Editor { cookie, csrf }
    }

    async fn post(&self, t: &TestApp, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut pairs = vec![("csrf", self.csrf.as_str())];
        pairs.extend_from_slice(fields);
        t.post_form(path, &pairs, &[("cookie", self.cookie.as_str())]).await
    }

    async fn get(&self, t: &TestApp, path: &str) -> TestResponse {
        t.get_as(path, &self.cookie).await
    }
}

const ARTICLE: &[(&str, &str)] = &[
    ("title", "Neuer Hafen für Rostock"),
    ("places", "Rostock"),
    ("lead", "Die Stadt baut den Überseehafen aus."),
    ("body", "Der Ausbau kostet **viel Geld**.\r\n\r\nDie Arbeiten beginnen im Mai."),
    ("tags", "Wirtschaft, Häfen"),
    ("authors", "Ada Lovelace"),
    ("language", "de"),
    // The pre-publish check seen and confirmed (`a_first_publication_is_checked_first` tests it).
    ("checked", "yes"),
    // New authors created on purpose (`editors_preview_save_publish_and_find_articles` tests a typo).
    ("create_authors", "yes"),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> =
        ARTICLE.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).copied().collect();
    fields.extend_from_slice(extra);
    fields
}

/// The id in a redirect to `/admin/articles/{id}?notice=...`.
fn saved_id(response: &TestResponse) -> i64 {
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let location = response.header("location");
    location.trim_start_matches("/admin/articles/").split('?').next().unwrap().parse().unwrap()
}

async fn count_articles(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(&t.app.db.pool).await.unwrap()
}

async fn editors_preview_save_publish_and_find_articles(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let preview = editor.post(&t, "/admin/articles", &with(&[("action", "preview")])).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<strong>viel Geld</strong>"), "server-rendered preview");
    // In the public design, marked as a preview, never indexed or stored, without comment forms.
    assert!(
        preview.body.contains("class=\"preview-banner\"") && preview.body.contains("<h1>Neuer Hafen für Rostock</h1>")
    );
    assert!(
        preview.body.contains("class=\"story\"") && preview.body.contains("class=\"masthead\""),
        "the reader's page"
    );
    assert!(preview.body.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(preview.header("cache-control").contains("no-store"));
    assert!(!preview.body.contains("comment-form"), "no comment form on a preview");
    assert_eq!(count_articles(&t).await, 0, "a preview saves nothing");
    let edit_form = editor.get(&t, "/admin/articles/new").await.body;
    assert!(edit_form.contains("value=\"preview\" formnovalidate formtarget=\"_blank\""), "opens in its own tab");
    let untitled = editor.post(&t, "/admin/articles", &with(&[("action", "preview"), ("title", " ")])).await;
    assert_eq!(untitled.status, StatusCode::BAD_REQUEST, "what cannot be saved cannot be previewed: {}", untitled.body);

    // An author nobody created yet is refused until the editor means it.
    let unknown = editor.post(&t, "/admin/articles", &with(&[("action", "save"), ("create_authors", "")])).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("Die Autorin oder den Autor „Ada Lovelace“ gibt es noch nicht"), "{}", unknown.body);
    assert!(unknown.body.contains("name=\"create_authors\""), "offers to create it");
    assert_eq!(count_articles(&t).await, 0);
    let id = saved_id(&editor.post(&t, "/admin/articles", &with(&[("action", "save")])).await);
    let typo = editor
        .post(&t, "/admin/articles", &with(&[("action", "save"), ("create_authors", ""), ("authors", "Ada Lovelance")]))
        .await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST, "a typo creates no second author");
    let by_slug = editor
        .post(
            &t,
            "/admin/articles",
            &with(&[
                ("action", "save"),
                ("create_authors", ""),
                ("title", "Zweiter Hafen"),
                ("authors", "ada-lovelace"),
            ]),
        )
        .await;
    assert_eq!(by_slug.status, StatusCode::SEE_OTHER, "a known author by address: {}", by_slug.body);
    let article = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(article.slug, "neuer-hafen-fuer-rostock");
    assert_eq!(article.status.as_str(), "draft");
    assert_eq!(article.body_md, "Der Ausbau kostet **viel Geld**.\n\nDie Arbeiten beginnen im Mai.");
    assert_eq!(article.tags.len(), 2);
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::NOT_FOUND, "drafts stay hidden");

    let page = editor.get(&t, &format!("/admin/articles/{id}?notice=saved")).await;
    assert!(page.body.contains("Gespeichert."), "{}", page.body);
    assert!(page.body.contains("editor@example.org"), "who saved it");
    let version = hidden(&page.body, "version");
    let published =
        editor.post(&t, &format!("/admin/articles/{id}"), &with(&[("action", "publish"), ("version", &version)])).await;
    assert_eq!(saved_id(&published), id);
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::OK);

    let found = editor.get(&t, "/admin/articles?q=HAFEN").await;
    assert!(found.body.contains("Neuer Hafen für Rostock"));
    let filtered = editor.get(&t, "/admin/articles?status=draft").await;
    assert!(!filtered.body.contains("Neuer Hafen für Rostock"));
    let by_tag = editor.get(&t, "/admin/articles?tag=wirtschaft&author=ada-lovelace").await;
    assert!(by_tag.body.contains("Neuer Hafen für Rostock"), "{}", by_tag.body);
    let other_tag = editor.get(&t, "/admin/articles?tag=sport").await;
    assert!(other_tag.body.contains("Keine Artikel gefunden"));
    // The list sorts by title, publication or last change; the filter keeps the order.
    let by_title = editor.get(&t, "/admin/articles?sort=title").await.body;
    assert!(by_title.contains("aria-sort=\"ascending\"><a href=\"/admin/articles?sort=title\">"), "{by_title}");
    assert!(by_title.contains("<input type=\"hidden\" name=\"sort\" value=\"title\">"));
    assert_eq!(
        editor.get(&t, "/admin/articles?sort=sideways").await.status,
        StatusCode::OK,
        "unknown: the usual order"
    );
    let odd = editor.get(&t, "/admin/articles?q=%25_%5C").await;
    assert_eq!(odd.status, StatusCode::OK, "LIKE wildcards are taken literally");
    assert!(odd.body.contains("Keine Artikel gefunden"));

    let soon = local_in(&t, 3600);
    let path = format!("/admin/articles/{id}");
    let offline =
        editor.post(&t, &path, &with(&[("action", "schedule"), ("version", "2"), ("publish_at", &soon)])).await;
    assert_eq!(offline.status, StatusCode::BAD_REQUEST, "a live article is not scheduled away");
    let unchanged = editor.post(&t, &path, &with(&[("action", "save"), ("version", "2")])).await;
    assert_eq!(saved_id(&unchanged), id);
    assert_eq!(queries::revision_count(&t.app.db, id).await.unwrap(), 1, "a save without changes makes no version");
    let hasty = editor.post(&t, &path, &with(&[("action", "unpublish"), ("version", "2")])).await;
    assert_eq!(hasty.status, StatusCode::BAD_REQUEST, "unpublishing asks for a tick");
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::OK);
    let unpublished =
        editor.post(&t, &path, &with(&[("action", "unpublish"), ("version", "2"), ("confirm_unpublish", "yes")])).await;
    assert_eq!(saved_id(&unpublished), id);
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::NOT_FOUND);
}

/// The value `<input type="datetime-local">` sends for `secs` from now, in Berlin time.
fn local_in(t: &TestApp, secs: i64) -> String {
    let at = jiff::Timestamp::from_second(t.app.now() + secs).unwrap();
    at.to_zoned(t.app.time_zone()).strftime("%Y-%m-%dT%H:%M").to_string()
}

async fn scheduling_takes_a_future_time_and_goes_live_then(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let past = local_in(&t, -3600);
    let refused = editor.post(&t, "/admin/articles", &with(&[("action", "schedule"), ("publish_at", &past)])).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("nicht in der Zukunft"), "{}", refused.body);
    let garbled = editor.post(&t, "/admin/articles", &with(&[("action", "schedule"), ("publish_at", "morgen")])).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert_eq!(count_articles(&t).await, 0);

    let soon = local_in(&t, 120);
    let id =
        saved_id(&editor.post(&t, "/admin/articles", &with(&[("action", "schedule"), ("publish_at", &soon)])).await);
    let article = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(article.status.as_str(), "scheduled");
    let expected = t.app.now() + 120;
    assert!((expected - 60..=expected).contains(&article.published_at.unwrap()), "to the minute, in Berlin time");
    assert!(!t.get("/").await.body.contains("Neuer Hafen für Rostock"));

    t.app.clock.advance(180);
    worker::publish_scheduled(&t.app).await.unwrap();
    assert!(t.get("/").await.body.contains("Neuer Hafen für Rostock"), "on the home page when its time comes");
}

async fn a_stale_save_is_refused_and_keeps_the_editors_text(t: TestApp) {
    let first = Editor::sign_in(&t, Role::Editor).await;
    let second = Editor::sign_in(&t, Role::Admin).await;
    let id = saved_id(&first.post(&t, "/admin/articles", &with(&[("action", "save")])).await);
    let path = format!("/admin/articles/{id}");
    // Both open the article at version 1.
    let version = hidden(&first.get(&t, &path).await.body, "version");
    assert_eq!(hidden(&second.get(&t, &path).await.body, "version"), version);

    let theirs = with(&[("action", "save"), ("version", &version), ("lead", "Der Hafen wächst nach Osten.")]);
    saved_id(&first.post(&t, &path, &theirs).await);
    let mine = with(&[("action", "save"), ("version", &version), ("body", "Meine eigene, lange Fassung.")]);
    let conflict = second.post(&t, &path, &mine).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.body.contains("Meine eigene, lange Fassung."), "the second editor's text is kept");
    assert!(conflict.body.contains("<ins>+ Der Hafen wächst nach Osten.</ins>"), "what the other save changed");
    let stored = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(stored.lead, "Der Hafen wächst nach Osten.", "the first save stands");

    // Saving again from the conflict page takes the second editor's version, knowingly.
    let fresh = hidden(&conflict.body, "version");
    assert_eq!(fresh, stored.version.to_string());
    let again = with(&[("action", "save"), ("version", &fresh), ("body", "Meine eigene, lange Fassung.")]);
    saved_id(&second.post(&t, &path, &again).await);
    let stored = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(stored.body_md, "Meine eigene, lange Fassung.");

    // A save that arrives after the session ended stores nothing and hands the text back.
    let late =
        with(&[("action", "save"), ("version", &fresh), ("body", "Nach dem Abmelden geschrieben."), ("csrf", "x")]);
    let refused = t.post_form(&path, &late, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Nach dem Abmelden geschrieben."), "the text comes back");
    let stored = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(stored.body_md, "Meine eigene, lange Fassung.", "nothing saved");
}

async fn renaming_a_published_article_redirects_its_old_address(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let id = saved_id(&editor.post(&t, "/admin/articles", &with(&[("action", "publish")])).await);
    t.publish("Anderer Artikel").await;
    let path = format!("/admin/articles/{id}");
    let version = hidden(&editor.get(&t, &path).await.body, "version");

    let unconfirmed = with(&[("action", "save"), ("version", &version), ("slug", "hafen-rostock")]);
    let warned = editor.post(&t, &path, &unconfirmed).await;
    assert_eq!(warned.status, StatusCode::BAD_REQUEST);
    assert!(warned.body.contains("name=\"confirm_slug\""), "asks to confirm");
    let taken =
        with(&[("action", "save"), ("version", &version), ("slug", "anderer-artikel"), ("confirm_slug", "yes")]);
    let collision = editor.post(&t, &path, &taken).await;
    assert_eq!(collision.status, StatusCode::CONFLICT);
    assert!(collision.body.contains("anderer-artikel"));

    let confirmed =
        with(&[("action", "save"), ("version", &version), ("slug", "hafen-rostock"), ("confirm_slug", "yes")]);
    saved_id(&editor.post(&t, &path, &confirmed).await);
    assert_eq!(t.get("/news/hafen-rostock").await.status, StatusCode::OK);
    let old = t.get("/news/neuer-hafen-fuer-rostock").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.header("location"), "/news/hafen-rostock");

    // A new article with the same title does not take the old address by accident ...
    let same_title = with(&[("action", "publish"), ("lead", "Ein anderer Text.")]);
    let other = saved_id(&editor.post(&t, "/admin/articles", &same_title).await);
    assert_eq!(queries::find_by_id(&t.app.db, other).await.unwrap().unwrap().slug, "neuer-hafen-fuer-rostock-2");
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::MOVED_PERMANENTLY);
    // ... but one given it on purpose owns it from then on.
    let explicit =
        with(&[("action", "publish"), ("title", "Hafen, zweiter Teil"), ("slug", "neuer-hafen-fuer-rostock")]);
    saved_id(&editor.post(&t, "/admin/articles", &explicit).await);
    assert_eq!(t.get("/news/neuer-hafen-fuer-rostock").await.status, StatusCode::OK);
}

async fn revisions_show_what_changed_and_restore(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let id = saved_id(&editor.post(&t, "/admin/articles", &with(&[("action", "save")])).await);
    let path = format!("/admin/articles/{id}");
    let second = with(&[
        ("action", "save"),
        ("version", "1"),
        ("body", "Der Ausbau kostet **viel Geld**.\n\nDie Arbeiten beginnen im Juni."),
    ]);
    saved_id(&editor.post(&t, &path, &second).await);

    let list = editor.get(&t, &format!("{path}/revisions")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"{path}/revisions/1\"")), "{}", list.body);
    let diff = editor.get(&t, &format!("{path}/revisions/1")).await;
    assert!(diff.body.contains("<del>- Die Arbeiten beginnen im Mai.</del>"), "{}", diff.body);
    assert!(diff.body.contains("<ins>+ Die Arbeiten beginnen im Juni.</ins>"));
    assert!(diff.body.contains("  Der Ausbau kostet **viel Geld**."), "unchanged lines for context");
    assert_eq!(editor.get(&t, &format!("{path}/revisions/9")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(editor.get(&t, &format!("{path}/revisions/0")).await.status, StatusCode::NOT_FOUND);

    let stale = editor.post(&t, &format!("{path}/revisions/1/restore"), &[("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "a restore from a stale page is refused too");
    saved_id(&editor.post(&t, &format!("{path}/revisions/1/restore"), &[("version", "2")]).await);
    let article = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert!(article.body_md.ends_with("im Mai."));
    assert_eq!(article.version, 3, "a restore is a new version");
    assert_eq!(queries::revision_count(&t.app.db, id).await.unwrap(), 2);
}

async fn bad_articles_are_refused_and_nothing_is_saved(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let long_title = "x".repeat(201);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (with(&[("action", "save"), ("title", "  ")]), "Überschrift"),
        (with(&[("action", "save"), ("title", &long_title)]), "zu lang"),
        (with(&[("action", "save"), ("authors", "")]), "Autorin"),
        (with(&[("action", "save"), ("slug", "Groß Buchstaben")]), "Kleinbuchstaben"),
        (with(&[("action", "save"), ("hero_url", "https://tracker.example/a.jpg"), ("hero_alt", "Bild")]), "Website"),
        (with(&[("action", "save"), ("hero_url", "/media/a.jpg")]), "Alternativtext"),
    ];
    for (fields, message) in cases {
        let response = editor.post(&t, "/admin/articles", &fields).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(response.body.contains(message), "{message}: {}", response.body);
        assert!(response.body.contains("Die Arbeiten beginnen im Mai."), "the text is kept");
    }
    assert_eq!(count_articles(&t).await, 0);

    let forged =
        t.post_form("/admin/articles", &with(&[("csrf", "falsch")]), &[("cookie", editor.cookie.as_str())]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("Die Arbeiten beginnen im Mai."), "a stale form gets its text back");
    let signed_out = t.post_form("/admin/articles", &with(&[("csrf", "x"), ("action", "save")]), &[]).await;
    assert_eq!(signed_out.status, StatusCode::FORBIDDEN);
    assert!(
        signed_out.body.contains("Ihre Anmeldung ist abgelaufen")
            && signed_out.body.contains("Die Arbeiten beginnen im Mai.")
    );
    let moderator = t.sign_in(Role::Moderator).await;
    assert_eq!(t.get_as("/admin/articles", &moderator).await.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get("/admin/articles/new").await.status, StatusCode::SEE_OTHER, "signed-out readers go to sign-in");
    assert_eq!(editor.get(&t, "/admin/articles/999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(editor.get(&t, "/admin/articles/abc").await.status, StatusCode::NOT_FOUND);
    assert_eq!(count_articles(&t).await, 0);
}

async fn the_dashboard_shows_what_needs_doing(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let soon = local_in(&t, 3600);
    editor.post(&t, "/admin/articles", &with(&[("action", "schedule"), ("publish_at", &soon)])).await;
    editor.post(&t, "/admin/articles", &with(&[("action", "save"), ("title", "Entwurf zur Werft")])).await;
    let page = editor.get(&t, "/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Neuer Hafen für Rostock"), "scheduled next");
    assert!(page.body.contains("Entwurf zur Werft"), "recent drafts");
    assert!(page.body.contains("Newsletter-Abos"), "subscribers");
}

/// Signs in through the form; the session cookie, or None when refused.
async fn login(t: &TestApp, email: &str, password: &str) -> Option<String> {
    let form = t.get("/admin/login").await;
    let token = hidden(&form.body, "token");
    let response =
        t.post_form("/admin/login", &[("email", email), ("password", password), ("token", &token)], &[]).await;
    (response.status == StatusCode::SEE_OTHER)
        .then(|| response.header("set-cookie").split(';').next().unwrap().to_string())
}

async fn admins_invite_users_who_choose_a_password(t: TestApp) {
    let t = crate::email::app(t.backend).await;
    let admin = Editor::sign_in(&t, Role::Admin).await;
    let page = admin.get(&t, "/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        admin.post(&t, "/admin/users", &[("email", "kein-adresse"), ("role", "editor")]).await.status,
        StatusCode::BAD_REQUEST
    );
    let invited = admin.post(&t, "/admin/users", &[("email", "neu@example.org"), ("role", "editor")]).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.post(&t, "/admin/users", &[("email", "NEU@example.org"), ("role", "editor")]).await.status,
        StatusCode::CONFLICT
    );
    assert!(login(&t, "neu@example.org", "").await.is_none(), "no password before the link is used");

    newsdesk::email::sender::send_pending(&t.app).await.unwrap();
    let sent = t.app.mailer.transport.sent();
    let mail = sent.iter().find(|m| m.to == "neu@example.org").expect("the invitation");
    let mail = crate::email::Mail::parse(&mail.to, &mail.bytes);
    assert!(mail.header("List-Unsubscribe").is_empty());
    let link = mail.link("/admin/password/");
    let form = t.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("neu@example.org"));
    let differ =
        t.post_form(&link, &[("password", "ein-neues-passwort"), ("repeat", "ein-anderes-passwort")], &[]).await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    let short = t.post_form(&link, &[("password", "kurz"), ("repeat", "kurz")], &[]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let set = t.post_form(&link, &[("password", "ein-neues-passwort"), ("repeat", "ein-neues-passwort")], &[]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get(&link).await.status, StatusCode::NOT_FOUND, "a link works once");
    let cookie = login(&t, "neu@example.org", "ein-neues-passwort").await.expect("signs in");
    assert_eq!(t.get_as("/admin/articles", &cookie).await.status, StatusCode::OK, "as an editor");
    assert_eq!(t.get_as("/admin/users", &cookie).await.status, StatusCode::FORBIDDEN, "admins only");

    // Disabling ends the user's sessions; the last admin cannot lock everyone out.
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'neu@example.org'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    let disabled = admin
        .post(&t, &format!("/admin/users/{id}"), &[("action", "save"), ("role", "moderator"), ("disabled", "yes")])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get_as("/admin", &cookie).await.status, StatusCode::SEE_OTHER, "signed out");
    assert!(login(&t, "neu@example.org", "ein-neues-passwort").await.is_none());
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@example.org'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    let lockout = admin.post(&t, &format!("/admin/users/{admin_id}"), &[("action", "save"), ("role", "editor")]).await;
    assert_eq!(lockout.status, StatusCode::CONFLICT);
}

async fn staff_change_their_own_password(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let other = login(&t, "editor@example.org", "ein-langes-passwort").await.unwrap();
    let form = [("current", "falsch-falsch"), ("password", "noch-ein-passwort"), ("repeat", "noch-ein-passwort")];
    assert_eq!(editor.post(&t, "/admin/account", &form).await.status, StatusCode::BAD_REQUEST);
    let form = [("current", "ein-langes-passwort"), ("password", "noch-ein-passwort"), ("repeat", "noch-ein-passwort")];
    assert_eq!(editor.post(&t, "/admin/account", &form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(editor.get(&t, "/admin/account").await.status, StatusCode::OK, "this session goes on");
    assert_eq!(t.get_as("/admin", &other).await.status, StatusCode::SEE_OTHER, "the other session ended");
    assert!(login(&t, "editor@example.org", "ein-langes-passwort").await.is_none());
    assert!(login(&t, "editor@example.org", "noch-ein-passwort").await.is_some());
}

async fn label_id(t: &TestApp, table: &str, slug: &str) -> i64 {
    let sql = format!("SELECT id FROM {table} WHERE slug = '{slug}'");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&t.app.db.pool).await.unwrap()
}

async fn tags_and_authors_are_renamed_merged_and_keep_their_addresses(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    t.publish("Roboter lernen laufen").await;
    assert_eq!(editor.get(&t, "/admin/tags").await.status, StatusCode::OK);
    let created = editor.post(&t, "/admin/tags", &[("name", "Verkehr"), ("slug", "")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let twice = editor.post(&t, "/admin/tags", &[("name", "Verkehr!"), ("slug", "verkehr")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("value=\"Verkehr!\""), "the form keeps what was typed");

    // Renaming a tag: its old address and feed redirect, and typing the old name finds it.
    let ki = label_id(&t, "tags", "ki").await;
    let renamed = editor
        .post(
            &t,
            &format!("/admin/tags/{ki}"),
            &[("action", "save"), ("name", "Künstliche Intelligenz"), ("slug", "kuenstliche-intelligenz")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let old = t.get("/tag/ki").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.header("location"), "/tag/kuenstliche-intelligenz");
    assert_eq!(t.get("/tag/ki/feed").await.header("location"), "/tag/kuenstliche-intelligenz/feed");
    assert!(t.get("/news/roboter-lernen-laufen").await.body.contains("Künstliche Intelligenz"));
    t.publish("Noch mehr Roboter").await;
    let mut by_new_name = crate::common::draft("Roboter im Hafen");
    by_new_name.tags = vec!["Künstliche Intelligenz".into()];
    t.create(by_new_name).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tags").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(count, 2, "the old name \"KI\" and the new name both mean the renamed tag");

    // Merging Verkehr into it: the articles move, the address redirects.
    let mut draft = crate::common::draft("Neue Fähre");
    draft.tags = vec!["Verkehr".into()];
    t.create(draft).await;
    let verkehr = label_id(&t, "tags", "verkehr").await;
    let same = editor
        .post(&t, &format!("/admin/tags/{verkehr}"), &[("action", "merge"), ("into", &verkehr.to_string())])
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST, "not into itself");
    let unconfirmed =
        editor.post(&t, &format!("/admin/tags/{verkehr}"), &[("action", "merge"), ("into", &ki.to_string())]).await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST, "merging asks for a tick");
    let clash = editor
        .post(
            &t,
            &format!("/admin/tags/{verkehr}"),
            &[("action", "save"), ("name", "künstliche intelligenz"), ("slug", "verkehr")],
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "two tags of one name cannot be told apart");
    let merged = editor
        .post(
            &t,
            &format!("/admin/tags/{verkehr}"),
            &[("action", "merge"), ("into", &ki.to_string()), ("confirm_merge", "yes")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get("/tag/verkehr").await.header("location"), "/tag/kuenstliche-intelligenz");
    assert!(t.get("/tag/kuenstliche-intelligenz").await.body.contains("Neue Fähre"));

    // An author's bio and picture show on the author's page; a foreign picture is refused.
    let ada = label_id(&t, "authors", "ada-lovelace").await;
    let path = format!("/admin/authors/{ada}");
    let bad = [
        ("name", "Ada Lovelace"),
        ("slug", "ada-lovelace"),
        ("bio", "Schreibt über Technik."),
        ("picture_url", "https://tracker.example/ada.jpg"),
    ];
    assert_eq!(editor.post(&t, &path, &bad).await.status, StatusCode::BAD_REQUEST);
    let good = [
        ("name", "Ada Lovelace"),
        ("slug", "ada"),
        ("bio", "Schreibt über Technik."),
        ("picture_url", "/media/ada.jpg"),
    ];
    assert_eq!(editor.post(&t, &path, &good).await.status, StatusCode::SEE_OTHER);
    let page = t.get("/author/ada").await;
    assert!(page.body.contains("Schreibt über Technik.") && page.body.contains("src=\"/media/ada.jpg\""));
    assert_eq!(t.get("/author/ada-lovelace/page/2").await.header("location"), "/author/ada/page/2");
    assert_eq!(editor.get(&t, "/admin/tags/999").await.status, StatusCode::NOT_FOUND);

    // An author may be a newsroom account: that editor's new articles start with them as author.
    let account: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'editor@example.org'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    let account = account.to_string();
    let linked = [("name", "Ada Lovelace"), ("slug", "ada"), ("user_id", account.as_str())];
    assert_eq!(editor.post(&t, &path, &linked).await.status, StatusCode::SEE_OTHER);
    assert!(
        editor.get(&t, &path).await.body.contains(&format!("<option value=\"{account}\" selected>editor@example.org"))
    );
    let new = editor.get(&t, "/admin/articles/new").await.body;
    assert!(
        new.contains("id=\"authors\" name=\"authors\" list=\"author-names\" maxlength=\"600\" value=\"Ada Lovelace\""),
        "{new}"
    );
    // One author per account, and only accounts that exist.
    let other = [("name", "Grace Hopper"), ("slug", ""), ("user_id", account.as_str())];
    assert_eq!(editor.post(&t, "/admin/authors", &other).await.status, StatusCode::CONFLICT);
    let ghost = [("name", "Ada Lovelace"), ("slug", "ada"), ("user_id", "99999")];
    assert_eq!(editor.post(&t, &path, &ghost).await.status, StatusCode::BAD_REQUEST);
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

async fn a_wordpress_export_is_imported_once(t: TestApp) {
    use newsdesk::migrate::wordpress;
    let file = fixture("wordpress.xml");
    let report = wordpress::import_file(t.app.context(), &file, Default::default()).await.unwrap();
    assert_eq!(report.articles.get("published"), Some(&2), "{report:?}");
    assert_eq!(report.articles.get("draft"), Some(&1), "{report:?}");
    assert_eq!(report.articles.get("scheduled"), Some(&1), "{report:?}");
    assert_eq!(report.comments, 2, "approved comments only, no pingbacks: {report:?}");
    assert_eq!(report.skipped.get("not a post (page)"), Some(&1), "{report:?}");
    assert_eq!(report.skipped.get("status private"), Some(&1));
    assert_eq!(report.pictures_left_out, 1, "the image on the old host");

    let ferry = queries::find_by_slug(&t.app.db, "neue-faehre-nach-hiddensee").await.unwrap().unwrap();
    assert_eq!(ferry.published_at, Some(1_709_285_400), "the original date, in UTC");
    assert_eq!(ferry.authors[0].name, "Jana Meier", "display names for logins");
    let tags: Vec<&str> = ferry.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tags, ["Verkehr", "Inseln"], "categories and tags, without Uncategorized");
    assert_eq!(ferry.lead, "Eine zweite Fähre & ein neuer Fahrplan.");
    for hostile in ["<script", "onclick", "onmouseover", "evil.example", "wp-content/uploads"] {
        assert!(!ferry.body_md.contains(hostile), "{hostile} in {}", ferry.body_md);
    }
    let page = t.get("/news/neue-faehre-nach-hiddensee").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<strong>zweite Fähre</strong>") && page.body.contains("Zweiter Absatz ohne Tags"));
    assert!(page.body.contains("Endlich! Die alte Fähre war immer voll.") && page.body.contains("Danke, Lotte!"));
    assert!(!page.body.contains("Billige Uhren"));
    let reply_parent: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM comments WHERE body = 'Danke, Lotte!'")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert!(reply_parent.is_some(), "a reply stays a reply");

    let kitchen = queries::find_by_slug(&t.app.db, "kueche-und-bad-sanierung").await.unwrap();
    assert!(kitchen.is_some_and(|a| a.title == "Küche & Bad: Was die Sanierung kostet"), "percent-encoded slug");
    let draft = queries::find_by_slug(&t.app.db, "entwurf-hafenfest").await.unwrap().unwrap();
    assert_eq!(draft.status.as_str(), "draft");
    assert_eq!(t.get("/news/ausblick-2099").await.status, StatusCode::NOT_FOUND, "scheduled stays hidden");

    // The same file again changes nothing.
    let before = count_articles(&t).await;
    let again = wordpress::import_file(t.app.context(), &file, Default::default()).await.unwrap();
    assert!(again.articles.is_empty() && again.comments == 0, "{again:?}");
    assert_eq!(again.skipped.get("already imported"), Some(&4));
    assert_eq!(count_articles(&t).await, before);
}

async fn broken_and_hostile_exports_store_nothing(t: TestApp) {
    use newsdesk::migrate::wordpress;
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(fixture("wordpress.xml")).unwrap();
    let cases = [
        ("truncated.xml", good[..good.len() / 2].to_string()),
        (
            "entities.xml",
            good.replacen("<rss", "<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<rss", 1),
        ),
        ("unknown-entity.xml", good.replace("Küche &amp; Bad", "Küche &nbsp; Bad")),
        ("not-wordpress.xml", "<html><body>hallo</body></html>".to_string()),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let result = wordpress::import_file(t.app.context(), &path, Default::default()).await;
        assert!(result.is_err(), "{name}: {result:?}");
        assert_eq!(count_articles(&t).await, 0, "{name}: nothing half-saved");
    }
    // A post whose text is absurdly long is skipped; the rest comes in.
    let huge = good.replace("Ein Ratgeber in drei Teilen.", &"Sehr lang. ".repeat(500_000));
    let path = dir.path().join("huge.xml");
    std::fs::write(&path, huge).unwrap();
    let report = wordpress::import_file(t.app.context(), &path, Default::default()).await.unwrap();
    assert_eq!(report.skipped.get("a field is longer than 4 MiB"), Some(&1), "{report:?}");
    assert_eq!(report.articles.values().sum::<u64>(), 3);
    let missing = wordpress::import_file(t.app.context(), &dir.path().join("fehlt.xml"), Default::default()).await;
    assert!(missing.unwrap_err().to_string().contains("fehlt.xml"));
}

/// The settings form as it stands, with `changes` made.
fn settings_form(t: &TestApp, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let config = t.app.config();
    let mut pairs = Vec::new();
    for setting in newsdesk::settings::EDITABLE {
        let id = setting.key.replace('.', "-");
        let value = match newsdesk::settings::value_of(&config, setting.key) {
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(true) => "yes".into(),
            serde_json::Value::Bool(false) => continue,
            serde_json::Value::Array(items) => {
                items.iter().map(|i| i.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join("\n")
            }
            other => other.to_string(),
        };
        pairs.push((id, value));
    }
    for (id, value) in changes {
        pairs.retain(|(k, _)| k != id);
        pairs.push((id.to_string(), value.to_string()));
    }
    pairs
}

async fn settings_apply_without_a_restart_on_every_node(t: TestApp) {
    let admin = Editor::sign_in(&t, Role::Admin).await;
    assert_eq!(admin.get(&t, "/admin/settings").await.status, StatusCode::OK);
    let editor = t.sign_in(Role::Editor).await;
    assert_eq!(t.get_as("/admin/settings", &editor).await.status, StatusCode::FORBIDDEN, "admins only");
    // A second node on the same database.
    let other = newsdesk::app::App::with_db(t.app.base_config.clone(), t.app.db.clone()).await.unwrap();

    for (id, value) in [
        ("site-time_zone", "Mars/Olympus"),
        ("email-digest_hour", "25"),
        ("discovery-google_news_url", "javascript:alert(1)"),
    ] {
        let form = settings_form(&t, &[(id, value)]);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = admin.post(&t, "/admin/settings", &pairs).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{id}");
        // (A time zone is chosen from a list: only a forged form sends another.)
        assert!(
            id == "site-time_zone"
                || refused.body.contains(&format!("value=\"{value}\""))
                || refused.body.contains(value),
            "{id}: typed value kept"
        );
    }
    let page = admin.get(&t, "/admin/settings").await.body;
    assert!(
        page.contains("<option selected>Europe/Berlin</option>") && page.contains("<option>America/New_York</option>")
    );
    assert!(page.contains("<p class=\"check\">"), "boxes to tick sit before their labels");
    assert_eq!(t.app.config().site.name, "Newsdesk", "nothing saved");

    let form = settings_form(
        &t,
        &[("site-name", "Nordblatt"), ("email-digest", "weekly"), ("comments-hold_words", "Gewinnspiel\nKredit")],
    );
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = admin.post(&t, "/admin/settings", &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(t.get("/").await.body.contains("Nordblatt"), "this node at once");
    assert_eq!(t.app.config().comments.hold_words, ["Gewinnspiel", "Kredit"]);
    assert_eq!(other.config().site.name, "Newsdesk");
    assert!(other.reload_settings().await.unwrap(), "the other node's round applies it");
    assert_eq!(other.config().site.name, "Nordblatt");
    assert!(!other.reload_settings().await.unwrap(), "and only once");
    let page = admin.get(&t, "/admin/settings").await;
    assert!(page.body.contains("In der Konfigurationsdatei: Newsdesk"), "the file's value for reference");

    // Back to the file's values: nothing stays stored but the revision.
    let form = settings_form(&t, &[("site-name", "Newsdesk"), ("email-digest", "daily"), ("comments-hold_words", "")]);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(admin.post(&t, "/admin/settings", &pairs).await.status, StatusCode::SEE_OTHER);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(stored, 1);
}

/// A PNG of `width` × `height`, half transparent.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture =
        image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 180]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(picture)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// POSTs a picture to the media library as a browser form does.
async fn upload(t: &TestApp, editor: &Editor, file_name: &str, bytes: &[u8], alt: &str) -> TestResponse {
    let fields = [("csrf", editor.csrf.as_str()), ("alt", alt), ("credit", "Foto: Redaktion")];
    t.post_multipart("/admin/media", &fields, ("file", file_name, "image/jpeg", bytes), &editor.cookie).await
}

async fn pictures_are_checked_resized_and_served_for_a_year(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    assert_eq!(editor.get(&t, "/admin/media").await.status, StatusCode::OK);
    let picture = png(1600, 900);
    let no_alt = upload(&t, &editor, "hafen.png", &picture, "  ").await;
    assert_eq!(no_alt.status, StatusCode::BAD_REQUEST);
    assert!(no_alt.body.contains("Alternativtext"));
    let fake = upload(&t, &editor, "hafen.jpg", b"<?php system($_GET['c']); ?>", "Hafen").await;
    assert_eq!(fake.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "checked by content, not by name");
    let mut broken = picture.clone();
    broken.truncate(picture.len() / 3);
    assert_eq!(upload(&t, &editor, "halb.png", &broken, "Hafen").await.status, StatusCode::BAD_REQUEST);
    let huge = vec![0u8; newsdesk::media::MAX_UPLOAD + 1];
    assert_eq!(upload(&t, &editor, "riesig.jpg", &huge, "Hafen").await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(stored, 0, "nothing stored from refused uploads");

    let done = upload(&t, &editor, "hafen.png", &picture, "Containerschiffe im Hafen von Rostock").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id: i64 = sqlx::query_scalar("SELECT public_key FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    assert!(done.header("location").contains("notice=uploaded"));
    assert!(editor.get(&t, done.header("location")).await.body.contains(&format!("<code>/media/{id}/page.jpg</code>")));
    let again = upload(&t, &editor, "nochmal.png", &picture, "Dasselbe").await;
    assert!(again.header("location").contains("notice=known"), "the same picture once");
    for (variant, width, height) in [("page", 1200, 675), ("feed", 800, 450), ("card", 1200, 630), ("thumb", 320, 180)]
    {
        let request =
            axum::http::Request::get(format!("/media/{id}/{variant}.jpg")).body(axum::body::Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(t.router.clone(), request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{variant}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (width, height), "{variant}");
    }
    assert_eq!(t.get(&format!("/media/{id}/original.png")).await.status, StatusCode::NOT_FOUND, "only the variants");
    assert_eq!(t.get("/media/999/page.jpg").await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/media/..%2F..%2Fnewsdesk.db/page.jpg").await.status, StatusCode::NOT_FOUND);

    // The picture as an article's lead image.
    let path = format!("/media/{id}/page.jpg");
    let typo = with(&[("action", "publish"), ("hero_url", "/media/999/page.jpg"), ("hero_alt", "Hafen")]);
    assert_eq!(editor.post(&t, "/admin/articles", &typo).await.status, StatusCode::BAD_REQUEST, "no such picture");
    let preview = editor.post(&t, "/admin/articles", &with(&[("action", "preview"), ("hero_url", &path)])).await;
    assert!(
        preview.body.contains(&format!("<img src=\"{path}\"")) && preview.body.contains("Ada Lovelace"),
        "the preview shows picture and byline"
    );
    let fields = with(&[("action", "publish"), ("hero_url", &path)]);
    saved_id(&editor.post(&t, "/admin/articles", &fields).await);
    let hero = queries::find_by_slug(&t.app.db, "neuer-hafen-fuer-rostock").await.unwrap().unwrap().hero.unwrap();
    assert_eq!(
        (hero.alt.as_str(), hero.credit.as_str()),
        ("Containerschiffe im Hafen von Rostock", "Foto: Redaktion"),
        "from the upload"
    );
    let page = t.get("/news/neuer-hafen-fuer-rostock").await;
    assert!(page.body.contains(&format!("src=\"{path}\"")), "{}", page.body);
    assert!(page.body.contains(&format!("/media/{id}/card.jpg\"")), "social cards get the crop");
    let feed = t.get("/feed").await;
    assert!(feed.body.contains(&format!("/media/{id}/feed.jpg")), "feeds get the feed size");
    assert!(
        editor.get(&t, "/admin/articles/new").await.body.contains(&format!("<option value=\"{path}\">")),
        "the editor offers the library"
    );

    // The library edits a picture's description; it deletes only what nothing uses, after asking.
    let row: i64 = sqlx::query_scalar("SELECT id FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    let change = format!("/admin/media/{row}");
    let described = editor
        .post(&t, &change, &[("action", "describe"), ("alt", "Kräne am Kai"), ("credit", "Foto: Hafenamt")])
        .await;
    assert_eq!(described.status, StatusCode::SEE_OTHER);
    let library = editor.get(&t, described.header("location")).await.body;
    assert!(library.contains("value=\"Kräne am Kai\"") && library.contains("einmal verwendet"), "{library}");
    // Picked in the editor, a picture becomes the lead image with its text from the library.
    assert!(editor.get(&t, "/admin/articles/new").await.body.contains(&format!("value=\"/media/{id}/page.jpg\">")));
    let picked = format!("/media/{id}/page.jpg");
    let fields = with(&[("action", "save"), ("title", "Kräne im Hafen"), ("hero_url", ""), ("hero_pick", &picked)]);
    saved_id(&editor.post(&t, "/admin/articles", &fields).await);
    let hero = queries::find_by_slug(&t.app.db, "kraene-im-hafen").await.unwrap().unwrap().hero.unwrap();
    assert_eq!((hero.url.as_str(), hero.alt.as_str()), (picked.as_str(), "Kräne am Kai"));
    // Uploaded from inside the editor, a picture joins the library and becomes the lead image.
    let upload_in_editor = |alt: &'static str, title: &'static str| {
        let (t, editor) = (&t, &editor);
        async move {
            let mut fields = with(&[("action", "save"), ("title", title), ("hero_url", ""), ("hero_alt", alt)]);
            fields.push(("csrf", editor.csrf.as_str()));
            let picture = png(500, 300);
            t.post_multipart("/admin/articles", &fields, ("upload", "mole.png", "image/png", &picture), &editor.cookie)
                .await
        }
    };
    let media_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    let no_alt = upload_in_editor("", "Ohne Text").await;
    assert_eq!(no_alt.status, StatusCode::BAD_REQUEST, "a picture needs its alternative text");
    assert!(no_alt.body.contains("value=\"Ohne Text\""), "the form comes back");
    saved_id(&upload_in_editor("Die Mole bei Warnemünde", "Mole im Sturm").await);
    let hero = queries::find_by_slug(&t.app.db, "mole-im-sturm").await.unwrap().unwrap().hero.unwrap();
    let media_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(media_after, media_before + 1);
    assert!(hero.url.starts_with("/media/") && hero.url.ends_with("/page.jpg"), "{}", hero.url);
    assert_eq!(hero.alt, "Die Mole bei Warnemünde");
    assert_eq!(fetch(&t, &hero.url).await.0, StatusCode::OK);
    let empty_alt = editor.post(&t, &change, &[("action", "describe"), ("alt", "  "), ("credit", "")]).await;
    assert_eq!(empty_alt.status, StatusCode::BAD_REQUEST);
    let used = editor.post(&t, &change, &[("action", "delete"), ("confirm", "yes")]).await;
    assert_eq!(used.status, StatusCode::CONFLICT, "in use by the article");
    let other = upload(&t, &editor, "frei.png", &png(400, 300), "Ein ungenutztes Bild").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    let (unused, unused_key): (i64, i64) = sqlx::query_as("SELECT id, public_key FROM media ORDER BY id DESC LIMIT 1")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    let path = format!("/admin/media/{unused}");
    let asked = editor.post(&t, &path, &[("action", "delete")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Bild löschen") && asked.body.contains("„Ein ungenutztes Bild“"));
    assert_eq!(fetch(&t, &format!("/media/{unused_key}/thumb.jpg")).await.0, StatusCode::OK, "still there");
    let deleted = editor.post(&t, &path, &[("action", "delete"), ("confirm", "yes")]).await;
    assert_eq!(deleted.header("location"), "/admin/media?notice=deleted");
    assert_eq!(fetch(&t, &format!("/media/{unused_key}/thumb.jpg")).await.0, StatusCode::NOT_FOUND, "files gone");
    assert!(!std::path::Path::new(&t.app.config().data_dir).join("media").join(unused.to_string()).exists());
    assert_eq!(editor.post(&t, &path, &[("action", "delete")]).await.status, StatusCode::NOT_FOUND);
}

/// The status and `Location` of a GET whose body may be a picture (not text).
async fn fetch(t: &TestApp, path: &str) -> (StatusCode, String) {
    let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(t.router.clone(), request).await.unwrap();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    (response.status(), location.unwrap_or_default())
}

/// The internal id and the public key of the picture uploaded with `alt`.
async fn media_row(t: &TestApp, alt: &str) -> (i64, i64) {
    let row: (i64, i64) = sqlx::query_as("SELECT id, public_key FROM media WHERE alt = $1")
        .bind(alt)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    row
}

async fn pictures_cannot_be_found_by_counting(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    for (width, alt) in [(1300, "Werft"), (1400, "Unbenutzt"), (1500, "Alt im Text")] {
        assert_eq!(upload(&t, &editor, "bild.png", &png(width, 700), alt).await.status, StatusCode::SEE_OTHER);
    }
    let (hero_id, hero_key) = media_row(&t, "Werft").await;
    let (unused_id, unused_key) = media_row(&t, "Unbenutzt").await;
    let (old_id, old_key) = media_row(&t, "Alt im Text").await;
    for key in [hero_key, unused_key, old_key] {
        assert!(key >= 1 << 62, "keys are large random numbers, not ids: {key}");
    }

    // A draft under embargo uses two pictures: one by its key, one by an old id address.
    let hero = format!("/media/{hero_key}/page.jpg");
    let body = format!("Die Werft wird verkauft.\n\n![Werft](/media/{old_id}/page.jpg)");
    let fields = with(&[("action", "save"), ("title", "Werft verkauft"), ("hero_url", &hero), ("body", &body)]);
    let article = saved_id(&editor.post(&t, "/admin/articles", &fields).await);
    let preview = editor.post(&t, "/admin/articles", &with(&[("action", "preview"), ("hero_url", &hero)])).await;
    assert!(preview.body.contains(&format!("<img src=\"{hero}\"")), "the newsroom uses the key's address");
    assert_eq!(fetch(&t, &hero).await.0, StatusCode::OK, "the key's address works");

    // Counting through ids finds nothing, used by a draft or by nothing at all.
    for id in 1..=(old_id + 3) {
        for variant in ["page", "card", "thumb"] {
            let walked = fetch(&t, &format!("/media/{id}/{variant}.jpg")).await;
            assert_eq!(walked, (StatusCode::NOT_FOUND, String::new()), "/media/{id}/{variant}.jpg");
        }
    }
    let guessed = fetch(&t, &format!("/media/{}/page.jpg", hero_key ^ 1)).await;
    assert_eq!(guessed.0, StatusCode::NOT_FOUND, "a near key is no key");

    // Once the article is live, its old address leads to the picture; the others stay hidden.
    let version = hidden(&editor.get(&t, &format!("/admin/articles/{article}")).await.body, "version");
    let publish = with(&[
        ("action", "publish"),
        ("title", "Werft verkauft"),
        ("hero_url", &hero),
        ("body", &body),
        ("version", &version),
    ]);
    let published = editor.post(&t, &format!("/admin/articles/{article}"), &publish).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let page = t.get("/news/werft-verkauft").await;
    assert!(page.body.contains(&format!("src=\"{hero}\"")), "{}", page.body);
    let moved = fetch(&t, &format!("/media/{old_id}/card.jpg")).await;
    assert_eq!(moved, (StatusCode::MOVED_PERMANENTLY, format!("/media/{old_key}/card.jpg")));
    assert_eq!(fetch(&t, &moved.1).await.0, StatusCode::OK);
    for id in [hero_id, unused_id] {
        assert_eq!(fetch(&t, &format!("/media/{id}/page.jpg")).await.0, StatusCode::NOT_FOUND, "{id}");
    }
}

/// A PNG that says it is `width` × `height` with `depth` bits a channel of RGBA, and holds no
/// picture at all: decoding it would fail, so a refusal for its size shows the header was read
/// and nothing else.
fn png_header_only(width: u32, height: u32, depth: u8) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = u32::MAX;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (&b"IHDR"[..], [&width.to_be_bytes()[..], &height.to_be_bytes(), &[depth, 6, 0, 0, 0]].concat()),
        (b"IDAT", b"\x78\x9c\x03\x00".to_vec()),
        (b"IEND", Vec::new()),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let chunk = [kind, &data].concat();
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

async fn pictures_of_too_many_pixels_are_refused_before_decoding(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    // 64 megapixels in under a hundred bytes; and 6600 × 6000 at 16 bits a channel, within the
    // pixel count but 317 MB once decoded.
    for (width, height, depth) in [(8000, 8000, 8), (6600, 6000, 16), (20_000, 100, 8)] {
        let bomb = png_header_only(width, height, depth);
        assert!(bomb.len() < 100);
        let refused = upload(&t, &editor, "klein.png", &bomb, "Bombe").await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{width}×{height}×{depth}");
        assert!(refused.body.contains("Das Bild ist zu groß"), "{width}×{height}: {}", refused.body);
        assert!(!refused.body.contains("beschädigt"), "refused for its size, not after a failed decode");
    }
    // The same header at a modest size is read further, and found to hold nothing.
    let small = upload(&t, &editor, "klein.png", &png_header_only(64, 64, 8), "Klein").await;
    assert!(small.body.contains("beschädigt"), "{}", small.body);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(stored, 0);
}

async fn a_first_publication_is_checked_first(t: TestApp) {
    // A reader asked to hear about news like an earlier article on the port.
    let mut earlier = crate::common::draft("Überseehafen Rostock wächst");
    earlier.lead = "Die Stadt baut den Überseehafen aus; der Ausbau kostet viel Geld.".into();
    earlier.body_md = "Der Hafenausbau in Rostock beginnt im Mai. Der Überseehafen wächst.".into();
    let earlier = t.create(earlier).await;
    t.app.clock.advance(60);
    sqlx::query("INSERT INTO subscribers (email, created_at, token_key) VALUES ('leserin@example.org', 1, 'k')")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO subscriptions (subscriber_id, kind, article_id, status, created_at, consent_text, consent_form,
            consent_ip_hash, consent_at, token_key)
         VALUES ((SELECT id FROM subscribers), 'alert', $1, 'active', 1, 'ja', 'test', 'x', 1, 'k')",
    )
    .bind(earlier.id)
    .execute(&t.app.db.pool)
    .await
    .unwrap();

    let editor = Editor::sign_in(&t, Role::Editor).await;
    // Without a picture or topics: the check says what is missing and who hears of it.
    let first = editor
        .post(
            &t,
            "/admin/articles",
            &with(&[("action", "publish"), ("checked", ""), ("tags", ""), ("title", "Hafen Rostock: Ausbau beginnt")]),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    for expected in
        ["Vor dem Veröffentlichen", "ein Aufmacherbild", "mindestens ein Thema", "Eine Leserin oder ein Leser bekommt"]
    {
        assert!(first.body.contains(expected), "{expected}: {}", first.body);
    }
    assert!(!first.body.contains("ein Vorspann"), "the lead is there");
    assert_eq!(count_articles(&t).await, 1, "nothing saved yet");
    assert!(first.body.contains("name=\"checked\" value=\"yes\""));
    // Confirmed: it goes out.
    let confirmed = editor
        .post(
            &t,
            "/admin/articles",
            &with(&[("action", "publish"), ("tags", ""), ("title", "Hafen Rostock: Ausbau beginnt")]),
        )
        .await;
    let id = saved_id(&confirmed);
    assert_eq!(t.get("/news/hafen-rostock-ausbau-beginnt").await.status, StatusCode::OK);
    // A live article's later saves are not checked again.
    let version = hidden(&editor.get(&t, &format!("/admin/articles/{id}")).await.body, "version");
    let edit =
        with(&[("action", "save"), ("checked", ""), ("version", &version), ("title", "Hafen Rostock: Ausbau beginnt")]);
    assert_eq!(editor.post(&t, &format!("/admin/articles/{id}"), &edit).await.status, StatusCode::SEE_OTHER);
}

async fn the_editor_keeps_what_is_typed_and_offers_it_back(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let page = editor.get(&t, "/admin/articles/new").await.body;
    assert!(page.contains("data-autosave=\"/admin/articles/autosave\""));
    let script = page.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let js = t.get(&script).await;
    assert_eq!((js.status, js.header("content-type")), (StatusCode::OK, "text/javascript; charset=utf-8"));
    assert!(js.body.contains("data-autosave"), "the admin script");

    // The script sends the form's fields; a later visit offers them back.
    let typed = [("article", "0"), ("title", "Halb geschrieben"), ("body", "Der erste Absatz."), ("authors", "Ada")];
    assert_eq!(editor.post(&t, "/admin/articles/autosave", &typed).await.status, StatusCode::NO_CONTENT);
    let forged = [("csrf", "falsch"), ("article", "0"), ("title", "X")];
    assert_eq!(
        t.post_form("/admin/articles/autosave", &forged, &[("cookie", &editor.cookie)]).await.status,
        StatusCode::FORBIDDEN
    );
    let offered = editor.get(&t, "/admin/articles/new").await.body;
    assert!(
        offered.contains("Eine automatisch gesicherte Fassung") && offered.contains("?restore=autosave"),
        "{offered}"
    );
    let restored = editor.get(&t, "/admin/articles/new?restore=autosave").await.body;
    assert!(restored.contains("value=\"Halb geschrieben\"") && restored.contains("Der erste Absatz."));
    assert!(!restored.contains("Eine automatisch gesicherte Fassung"));

    // Saving the article forgets what was kept.
    let id = saved_id(&editor.post(&t, "/admin/articles", &with(&[("action", "save")])).await);
    assert!(!editor.get(&t, "/admin/articles/new").await.body.contains("automatisch gesicherte"));
    // For a saved article: kept only while newer than its last save.
    t.app.clock.advance(30);
    let article = id.to_string();
    let later = [("article", article.as_str()), ("title", "Neuer Hafen, neuer Titel"), ("version", "1")];
    assert_eq!(editor.post(&t, "/admin/articles/autosave", &later).await.status, StatusCode::NO_CONTENT);
    let edit = format!("/admin/articles/{id}");
    assert!(editor.get(&t, &edit).await.body.contains("automatisch gesicherte"));
    assert!(
        editor.get(&t, &format!("{edit}?restore=autosave")).await.body.contains("value=\"Neuer Hafen, neuer Titel\"")
    );
    let unknown = [("article", "99999"), ("title", "X")];
    assert_eq!(editor.post(&t, "/admin/articles/autosave", &unknown).await.status, StatusCode::NOT_FOUND);
}

/// A body in HTML (as imports keep theirs) is shown, previewed and saved as HTML: sanitised,
/// never read as Markdown.
async fn an_html_body_is_edited_as_html(t: TestApp) {
    let editor = Editor::sign_in(&t, Role::Editor).await;
    let body = "<pre>Vers eins\r\n\r\nVers zwei: a &gt; b</pre>\r\n<p>**kein Markdown**</p><script>alert(1)</script>";
    let fields = with(&[("body", body), ("body_format", "html")]);
    let preview = editor
        .post(&t, "/admin/articles", &with(&[("action", "preview"), ("body", body), ("body_format", "html")]))
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<pre>Vers eins\n\nVers zwei: a &gt; b</pre>"), "{}", preview.body);
    assert!(preview.body.contains("<p>**kein Markdown**</p>") && !preview.body.contains("alert(1)"));
    let id = saved_id(&editor.post(&t, "/admin/articles", &[fields.as_slice(), &[("action", "save")]].concat()).await);
    let article = queries::find_by_id(&t.app.db, id).await.unwrap().unwrap();
    assert_eq!(article.body_format.as_str(), "html");
    assert!(
        article.body_html.contains("<pre>Vers eins\n\nVers zwei: a &gt; b</pre>")
            && !article.body_html.contains("<script")
    );
    let page = editor.get(&t, &format!("/admin/articles/{id}")).await.body;
    assert!(page.contains("<option value=\"html\" selected>"), "the editor shows the body's format");
}
