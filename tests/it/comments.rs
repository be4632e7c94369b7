//! Comments from the reader's form to the moderator's queue and back onto the article.

use axum::http::StatusCode;
use newsdesk::auth::users::Role;
use newsdesk::web::routes::Access;

use crate::backend_tests;
use crate::common::{TestApp, TestResponse, draft, hidden};

backend_tests!(
    comment_waits_for_moderation_then_appears,
    bad_comment_input_is_refused_and_nothing_is_stored,
    flood_guard_limits_comments_per_ip,
    a_refused_comment_keeps_its_text_and_says_how_long_to_wait,
    replies_nest_one_level_and_reports_reach_the_queue,
    operator_rules_reject_hold_and_trust,
    queue_sorts_by_risk_and_shows_reasons,
    moderation_in_bulk_is_logged,
    comment_feeds_list_approved_comments,
    admin_routes_let_in_only_their_roles,
    sign_in_gives_nothing_away_and_throttles,
    admin_forms_need_the_csrf_token,
    the_assessment_learns_from_the_moderators_and_switches_back,
    moderation_says_what_it_did_and_can_be_undone,
    moderators_are_reminded_of_waiting_comments,
    the_sign_in_throttle_remembers_across_midnight,
);

const ARTICLE: &str = "/news/pflegeroboter-im-heim";

/// Form fields or headers.
type Pairs<'a> = Vec<(&'a str, &'a str)>;

pub async fn article(t: &TestApp) {
    let mut d = draft("Pflegeroboter im Heim");
    d.lead = "Ein Pflegeheim setzt Roboter beim Heben von Bewohnern ein.".into();
    d.body_md =
        "Die Pflegekräfte berichten, dass die Roboter beim Umlagern helfen. Das Heim testet zwei Geräte.".into();
    t.create(d).await;
}

/// The article page's form token, then time passes as a reader writes.
pub async fn token(t: &TestApp) -> String {
    let page = t.get(ARTICLE).await;
    t.app.clock.advance(20);
    hidden(&page.body, "token")
}

pub async fn post_comment(t: &TestApp, name: &str, text: &str) -> crate::common::TestResponse {
    let token = token(t).await;
    t.post_form(&format!("{ARTICLE}/comments"), &[("name", name), ("text", text), ("token", &token)], &[]).await
}

async fn comment_ids(t: &TestApp, status: &str) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM comments WHERE status = $1 ORDER BY id")
        .bind(status)
        .fetch_all(&t.app.db.pool)
        .await
        .unwrap()
}

pub async fn moderate(t: &TestApp, cookie: &str, pairs: &[(&str, &str)]) -> crate::common::TestResponse {
    let queue = t.get_as("/admin/comments", cookie).await;
    let csrf = hidden(&queue.body, "csrf");
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(pairs);
    t.post_form("/admin/comments", &form, &[("cookie", cookie)]).await
}

async fn comment_waits_for_moderation_then_appears(t: TestApp) {
    article(&t).await;
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains("Was meinen Sie zu „Pflegeroboter im Heim“?"), "invitation names the title");
    assert!(page.body.contains("Alle Kommentare werden vor der Veröffentlichung geprüft"));
    let sent = post_comment(&t, "Anna", "Ob die Roboter im Heim den Pflegekräften beim Heben <wirklich> helfen?").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("wartet auf die Freigabe"), "{}", sent.body);
    assert!(!t.get(ARTICLE).await.body.contains("Anna"), "nothing shows before approval");

    let cookie = t.sign_in(Role::Moderator).await;
    let id = comment_ids(&t, "pending").await[0];
    let done = moderate(&t, &cookie, &[("one", &format!("approve:{id}"))]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = t.get(ARTICLE).await;
    assert!(page.body.contains("<strong>Anna</strong>"));
    assert!(page.body.contains("beim Heben &lt;wirklich&gt; helfen?"), "plain text, escaped");
    assert!(page.body.contains("Ein Kommentar"), "comment count");
    assert!(page.body.contains(&format!("id=\"comment-{id}\"")));
}

async fn bad_comment_input_is_refused_and_nothing_is_stored(t: TestApp) {
    article(&t).await;
    let token = token(&t).await;
    let path = format!("{ARTICLE}/comments");
    let long = "x".repeat(5001);
    let cases: Vec<(Pairs, Pairs, StatusCode, &str)> = vec![
        (
            vec![("name", "A"), ("text", "Hallo"), ("token", &token)],
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
            "nicht von dieser Website",
        ),
        (vec![("name", "A"), ("text", "Hallo")], vec![], StatusCode::FORBIDDEN, "abgelaufen oder ungültig"),
        (
            vec![("name", "A"), ("text", "Hallo"), ("token", "1700000000.00112233445566778899aabbccddeeff")],
            vec![],
            StatusCode::FORBIDDEN,
            "abgelaufen",
        ),
        (
            vec![("name", "A"), ("text", "Hallo"), ("token", &token), ("website", "http://spam.example")],
            vec![],
            StatusCode::BAD_REQUEST,
            "nicht angenommen",
        ),
        (
            vec![("name", ""), ("text", "Hallo"), ("token", &token)],
            vec![],
            StatusCode::BAD_REQUEST,
            "Bitte geben Sie einen Namen an",
        ),
        (
            vec![("name", "A"), ("text", "   "), ("token", &token)],
            vec![],
            StatusCode::BAD_REQUEST,
            "Bitte schreiben Sie einen Kommentar",
        ),
        (vec![("name", "A"), ("text", &long), ("token", &token)], vec![], StatusCode::BAD_REQUEST, "zu lang"),
        (vec![("name", "A"), ("text", "a\u{7}b"), ("token", &token)], vec![], StatusCode::BAD_REQUEST, "Steuerzeichen"),
        (
            vec![("name", "A"), ("email", "keine-adresse"), ("text", "Hallo"), ("token", &token)],
            vec![],
            StatusCode::BAD_REQUEST,
            "E-Mail-Adresse ist ungültig",
        ),
        (
            vec![("name", "A"), ("text", "Hallo"), ("token", &token), ("parent", "99999")],
            vec![],
            StatusCode::BAD_REQUEST,
            "nicht (mehr) vorhanden",
        ),
    ];
    for (form, headers, status, message) in cases {
        let response = t.post_form(&path, &form, &headers).await;
        assert_eq!(response.status, status, "{form:?}");
        assert!(response.body.contains(message), "{form:?}: {message}\n{}", response.body);
    }
    let not_utf8 = t.post_raw(&path, b"name=A&text=%FF%FE".to_vec(), &[], crate::common::READER_IP).await;
    assert_eq!(not_utf8.status, StatusCode::BAD_REQUEST);
    assert!(not_utf8.body.contains("nicht als UTF-8 kodiert"), "{}", not_utf8.body);
    let unknown =
        t.post_form("/news/gibt-es-nicht/comments", &[("name", "A"), ("text", "x"), ("token", &token)], &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // A token for another article does not fit this one.
    let mut other = draft("Anderer Artikel");
    other.tags = vec!["Anderes".into()];
    t.create(other).await;
    let other_token = hidden(&t.get("/news/anderer-artikel").await.body, "token");
    let wrong = t.post_form(&path, &[("name", "A"), ("text", "Hallo"), ("token", &other_token)], &[]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Twelve hours on, the page must be reloaded.
    t.app.clock.advance(13 * 3600);
    let expired = t.post_form(&path, &[("name", "A"), ("text", "Hallo"), ("token", &token)], &[]).await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(stored, 0, "nothing refused is stored");
}

async fn flood_guard_limits_comments_per_ip(t: TestApp) {
    article(&t).await;
    let token = token(&t).await;
    let path = format!("{ARTICLE}/comments");
    let send = |text: String| {
        let token = token.clone();
        let path = path.clone();
        let t = &t;
        async move { t.post_form(&path, &[("name", "Flut"), ("text", &text), ("token", &token)], &[]).await.status }
    };
    assert_eq!(send("Erster Beitrag zum Heim".into()).await, StatusCode::OK);
    assert_eq!(send("Zweiter Beitrag sofort".into()).await, StatusCode::TOO_MANY_REQUESTS);
    let other_ip = t
        .post_form_from(&path, &[("name", "B"), ("text", "Andere Leserin"), ("token", &token)], &[], [198, 51, 100, 7])
        .await;
    assert_eq!(other_ip.status, StatusCode::OK, "the guard is per address");
    for i in 0..4 {
        t.app.clock.advance(16);
        assert_eq!(send(format!("Beitrag {i}")).await, StatusCode::OK);
    }
    t.app.clock.advance(16);
    assert_eq!(send("Sechster in zehn Minuten".into()).await, StatusCode::TOO_MANY_REQUESTS);
    // Addresses are stored only as salted hashes.
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT ip_hash FROM comments").fetch_all(&t.app.db.pool).await.unwrap();
    assert!(hashes.iter().all(|h| !h.contains("192.0.2.10") && h.len() == 32), "{hashes:?}");
}

async fn a_refused_comment_keeps_its_text_and_says_how_long_to_wait(t: TestApp) {
    article(&t).await;
    // The waits are counted in seconds: on a busy machine several may pass between two posts.
    t.app.clock.freeze();
    let path = format!("{ARTICLE}/comments");
    let first = post_comment(&t, "Anna", "Ob die Roboter im Heim beim Heben helfen?").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("wie er nach der Freigabe erscheint"), "the sender sees their waiting comment");
    assert!(first.body.contains("Ob die Roboter im Heim beim Heben helfen?"));
    assert!(first.header("cache-control").contains("no-store"), "the sender's own page is never stored");

    // Sent again at once: refused by the flood guard, with the wait and the text kept.
    let token = hidden(&t.get(ARTICLE).await.body, "token");
    let text = "Zweiter Gedanke: <b>Hebehilfen</b> & Umlaute äöü\nzweite Zeile";
    let form = [("name", "Anna"), ("email", "anna@example.org"), ("text", text), ("token", token.as_str())];
    let refused = t.post_form(&path, &form, &[]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = seconds_to_wait(&refused);
    assert_eq!(wait, 15, "fifteen seconds after the last comment");
    assert!(refused.body.contains(&format!("warten Sie noch {wait} Sekunden")), "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Zweiter Gedanke: &lt;b&gt;Hebehilfen&lt;/b&gt; &amp; Umlaute äöü\nzweite Zeile</textarea>"),
        "the text comes back whole and escaped: {}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Anna\"") && refused.body.contains("value=\"anna@example.org\""));
    // The form on that page sends it once the wait is over.
    t.app.clock.advance(10);
    let again = [("name", "Anna"), ("text", text), ("token", &hidden(&refused.body, "token"))];
    let still = t.post_form(&path, &again, &[]).await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    let left = seconds_to_wait(&still);
    assert!(left <= wait - 10, "the wait counts down: {left}");
    assert!(left == 1 || still.body.contains(&format!("noch {left} Sekunden")), "{}", still.body);
    t.app.clock.advance(5);
    let sent = t.post_form(&path, &again, &[]).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(comment_ids(&t, "pending").await.len(), 2);

    // A mistake the reader can fix gives the text back too; a bot's post gets nothing back.
    t.app.clock.advance(60);
    let token = hidden(&t.get(ARTICLE).await.body, "token");
    let nameless =
        t.post_form(&path, &[("name", ""), ("text", "Ohne Namen geschrieben"), ("token", &token)], &[]).await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    assert!(nameless.body.contains("Ohne Namen geschrieben</textarea>"));
    let bot = [("name", "B"), ("text", "Kauf jetzt"), ("token", token.as_str()), ("website", "http://spam.example")];
    assert!(!t.post_form(&path, &bot, &[]).await.body.contains("Kauf jetzt"));

    // The burst limit: five in ten minutes, then the wait until the oldest leaves the window.
    for i in 0..3 {
        t.app.clock.advance(20);
        assert_eq!(post_comment(&t, "Anna", &format!("Beitrag Nummer {i}")).await.status, StatusCode::OK);
    }
    let sixth = post_comment(&t, "Anna", "Der sechste Beitrag").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = seconds_to_wait(&sixth);
    assert!(wait > 15 && wait <= 600, "until the oldest of the five is ten minutes old: {wait}");

    // The policy line says what the settings do.
    let open = TestApp::with_config(t.db_backend(), |c| c.comments.hold_all = false).await;
    article(&open).await;
    let page = open.get(ARTICLE).await.body;
    assert!(page.contains("Kommentare erscheinen sofort, es sei denn") && !page.contains("Alle Kommentare werden"));

    // The daily salt of the IP hash changes at midnight (UTC); the guard still knows the sender.
    let to_midnight = 86_400 - open.app.now().rem_euclid(86_400);
    open.app.clock.advance(if to_midnight > 40 { to_midnight - 25 } else { to_midnight + 86_400 - 25 });
    assert_eq!(post_comment(&open, "Anna", "Kurz vor Mitternacht geschrieben").await.status, StatusCode::OK);
    open.app.clock.advance(10);
    let token = hidden(&open.get(ARTICLE).await.body, "token");
    open.app.clock.advance(3);
    let after = [("name", "Anna"), ("text", "Gleich nach Mitternacht"), ("token", token.as_str())];
    assert_eq!(open.post_form(&path, &after, &[]).await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// The seconds a refused sender is told to wait, from the Retry-After header.
fn seconds_to_wait(refused: &crate::common::TestResponse) -> i64 {
    refused.header("retry-after").parse().expect("Retry-After holds whole seconds")
}

async fn replies_nest_one_level_and_reports_reach_the_queue(t: TestApp) {
    article(&t).await;
    let cookie = t.sign_in(Role::Moderator).await;
    post_comment(&t, "Erste", "Die Roboter im Heim entlasten die Pflegekräfte beim Heben.").await;
    let first = comment_ids(&t, "pending").await[0];
    moderate(&t, &cookie, &[("one", &format!("approve:{first}"))]).await;
    let token = token(&t).await;
    let reply = t
        .post_form(
            &format!("{ARTICLE}/comments"),
            &[
                ("name", "Zweite"),
                ("text", "Gilt das auch nachts im Heim?"),
                ("token", &token),
                ("parent", &first.to_string()),
            ],
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let second = comment_ids(&t, "pending").await[0];
    moderate(&t, &cookie, &[("one", &format!("approve:{second}"))]).await;
    t.app.clock.advance(20);
    // A reply to a reply joins the same thread.
    t.post_form(
        &format!("{ARTICLE}/comments"),
        &[
            ("name", "Dritte"),
            ("text", "Nachts arbeiten im Heim weniger Pflegekräfte."),
            ("token", &token),
            ("parent", &second.to_string()),
        ],
        &[],
    )
    .await;
    let third = comment_ids(&t, "pending").await[0];
    let parent: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM comments WHERE id = $1")
        .bind(third)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(parent, Some(first));
    moderate(&t, &cookie, &[("one", &format!("approve:{third}"))]).await;
    let page = t.get(ARTICLE).await.body;
    let replies = page.find("class=\"replies\"").expect("replies list");
    assert!(page[replies..].contains("Zweite") && page[replies..].contains("Dritte"));
    assert!(page.contains("3 Kommentare"));

    // The report form offers reasons; one outside them is refused and counts nothing.
    let report_path = format!("{ARTICLE}/comments/{second}/report");
    assert!(t.get(ARTICLE).await.body.contains("value=\"off-topic\" required> Hat nichts mit dem Artikel zu tun"));
    let unknown = t.post_form(&report_path, &[("reason", "boring")], &[]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("einen der angebotenen Gründe"), "{}", unknown.body);
    let report = t.post_form(&report_path, &[("reason", "off-topic")], &[]).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Danke für Ihren Hinweis"));
    t.post_form(&report_path, &[("reason", "spam")], &[]).await;
    let reports: i64 = sqlx::query_scalar("SELECT reports FROM comments WHERE id = $1")
        .bind(second)
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(reports, 1, "one report per reader");
    assert_eq!(t.post_form(&format!("{ARTICLE}/comments/99999/report"), &[], &[]).await.status, StatusCode::NOT_FOUND);
    let reported = t.get_as("/admin/comments?view=reported", &cookie).await;
    assert!(reported.body.contains("Gilt das auch nachts"), "in the reported queue");
    assert!(reported.body.contains("eine Meldung</strong>: Hat nichts mit dem Artikel zu tun (1)"), "with its reason");
    let pending = t.get_as("/admin/comments?view=approved", &cookie).await.body;
    let reply = pending.find("Nachts arbeiten im Heim").unwrap();
    assert!(
        pending[..reply]
            .rfind("Antwort auf Erste:")
            .is_some_and(|at| pending[at..reply].contains("Die Roboter im Heim")),
        "a reply is shown with the comment it answers"
    );
    moderate(&t, &cookie, &[("one", &format!("dismiss:{second}")), ("view", "reported")]).await;
    let after = t.get_as("/admin/comments?view=reported", &cookie).await.body;
    assert!(after.contains("Hier ist nichts zu tun."), "the reported queue is empty again");
    assert!(after.contains("Meldungen verworfen"), "and the log says what happened, in the past tense");
}

async fn operator_rules_reject_hold_and_trust(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| {
        c.comments.hold_all = false;
        c.comments.reject_words = vec!["Werbeblocker-Hass".into()];
        c.comments.hold_words = vec!["Klage".into()];
        c.comments.trust_approved_commenters = true;
    })
    .await;
    article(&t).await;
    let sent = post_comment(&t, "Sauber", "Die Roboter im Heim helfen beim Heben, sagen die Pflegekräfte.").await;
    assert!(sent.body.contains("ist veröffentlicht"), "with hold_all off a clean comment appears at once");
    assert!(t.get(ARTICLE).await.body.contains("<strong>Sauber</strong>"));
    t.app.clock.advance(20);
    post_comment(&t, "Gesperrt", "Werbeblocker-Hass im Heim").await;
    assert_eq!(comment_ids(&t, "rejected").await.len(), 1, "a reject word rejects at once");
    let logged: String =
        sqlx::query_scalar("SELECT action FROM moderation_log").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(logged, "reject");
    t.app.clock.advance(20);
    post_comment(&t, "Halten", "Gibt es eine Klage gegen die Roboter im Heim?").await;
    t.app.clock.advance(20);
    post_comment(&t, "Links", "Roboter im Heim: https://a.example https://b.example https://c.example").await;
    assert_eq!(comment_ids(&t, "pending").await.len(), 2, "hold words and too many links hold");
    assert!(!t.get(ARTICLE).await.body.contains("Gesperrt"));
}

async fn queue_sorts_by_risk_and_shows_reasons(t: TestApp) {
    article(&t).await;
    post_comment(&t, "Freundlich", "Die Pflegekräfte im Heim werden beim Heben durch die Roboter entlastet.").await;
    t.app.clock.advance(20);
    let token = token(&t).await;
    t.post_form_from(
        &format!("{ARTICLE}/comments"),
        &[("name", "Pöbler"), ("text", "Du bist ein Vollidiot, der Autor auch."), ("token", &token)],
        &[],
        [203, 0, 113, 9],
    )
    .await;
    let cookie = t.sign_in(Role::Moderator).await;
    let queue = t.get_as("/admin/comments", &cookie).await.body;
    let rude = queue.find("Pöbler").unwrap();
    let kind = queue.find("Freundlich").unwrap();
    assert!(rude < kind, "the riskiest comment comes first");
    assert!(queue.contains("Herabsetzend ⚑"), "the raised flag is marked");
    assert!(
        queue.contains("Angriff auf eine Person: „Du bist ein Vollidiot“"),
        "reasons in German, as written: {queue}"
    );
    assert!(!queue.contains("attack on a person") && !queue.contains("insult"), "no English left");
    assert!(queue.contains("optimum=\"0\" low=\"0.25\" high=\"0.5\""), "the meter turns red at the threshold");
    assert!(queue.contains("<mark>Du bist ein Vollidiot</mark>"), "the triggering words are marked in the text");
}

/// `n` comments from `n` readers ("Beitrag 0 …", "Beitrag 1 …"), waiting; their ids.
async fn comments_from_readers(t: &TestApp, n: u8) -> Vec<i64> {
    for i in 0..n {
        let token = token(t).await;
        let text = format!("Beitrag {i} zu den Robotern im Heim und den Pflegekräften");
        let form = [("name", "Leser"), ("text", text.as_str()), ("token", token.as_str())];
        t.post_form_from(&format!("{ARTICLE}/comments"), &form, &[], [10, 0, 0, i + 1]).await;
    }
    comment_ids(t, "pending").await
}

async fn moderation_in_bulk_is_logged(t: TestApp) {
    article(&t).await;
    let ids = comments_from_readers(&t, 3).await;
    assert_eq!(ids.len(), 3);
    let cookie = t.sign_in(Role::Moderator).await;
    let (a, b, c) = (ids[0].to_string(), ids[1].to_string(), ids[2].to_string());
    let done = moderate(&t, &cookie, &[("action", "spam"), ("ids", &a), ("ids", &b)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(comment_ids(&t, "spam").await.len(), 2);
    // Deleting asks first, and keeps the comment until confirmed.
    let asked = moderate(&t, &cookie, &[("one", &format!("delete:{c}"))]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("Kommentar löschen") && asked.body.contains(&format!("name=\"ids\" value=\"{c}\"")));
    assert_eq!(comment_ids(&t, "pending").await.len(), 1);
    moderate(&t, &cookie, &[("action", "delete"), ("ids", &c), ("confirm", "yes")]).await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(left, 2);
    let log = t.get_as("/admin/comments?view=spam", &cookie).await.body;
    assert!(log.contains("moderator@example.org"), "who");
    assert!(log.contains("Gelöscht") && log.contains("Als Spam markiert"), "what");
    let entries: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM moderation_log").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(entries, 3, "every action is logged, the deleted comment's too");
    let bad = moderate(&t, &cookie, &[("action", "explode"), ("ids", &a)]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn comment_feeds_list_approved_comments(t: TestApp) {
    article(&t).await;
    post_comment(&t, "Feed & <Co>", "Die Roboter im Heim sind ein Fortschritt für die Pflegekräfte.").await;
    let cookie = t.sign_in(Role::Moderator).await;
    let id = comment_ids(&t, "pending").await[0];
    let feed = feed_rs::parser::parse(t.get(&format!("{ARTICLE}/feed")).await.body.as_bytes()).unwrap();
    assert!(feed.entries.is_empty(), "pending comments are not in the feed");
    moderate(&t, &cookie, &[("one", &format!("approve:{id}"))]).await;
    for path in [format!("{ARTICLE}/feed"), "/comments/feed".to_string()] {
        let response = t.get(&path).await;
        assert_eq!(response.header("content-type"), "application/rss+xml; charset=utf-8");
        let feed = feed_rs::parser::parse(response.body.as_bytes()).unwrap();
        assert_eq!(feed.entries.len(), 1, "{path}");
        let entry = &feed.entries[0];
        assert!(entry.title.as_ref().unwrap().content.starts_with("Feed & <Co>"), "{path}");
        assert!(entry.links[0].href.ends_with(&format!("{ARTICLE}#comment-{id}")));
    }
    assert_eq!(t.get("/news/gibt-es-nicht/feed").await.status, StatusCode::NOT_FOUND);
    assert!(t.get(ARTICLE).await.body.contains("Nichts verpassen?"));
}

async fn admin_routes_let_in_only_their_roles(t: TestApp) {
    let cookies = [
        (Role::Admin, t.sign_in(Role::Admin).await),
        (Role::Editor, t.sign_in(Role::Editor).await),
        (Role::Moderator, t.sign_in(Role::Moderator).await),
    ];
    let (_, table) = newsdesk::root::route_table(t.app.clone());
    let mut walk = Vec::new();
    for entry in &table {
        let Access::Staff(allowed) = entry.access else {
            assert!(
                !entry.path.starts_with("/admin") || ["/admin/login", "/admin/password/{token}"].contains(&entry.path),
                "{} is under /admin but open to anyone",
                entry.path
            );
            continue;
        };
        // Ids that name nothing: the guard answers before the handler looks.
        let path: String = entry
            .path
            .split('/')
            .map(|part| if part.starts_with('{') { "1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in entry.methods {
            walk.push((*method, path.clone(), allowed));
        }
    }
    assert!(walk.len() >= 45, "every staff route is walked: {}", walk.len());
    assert_eq!(walk.last().map(|(_, p, _)| p.as_str()), Some("/admin/logout"), "signing out comes last");
    for (method, path, allowed) in &walk {
        let (method, path) = (*method, path.as_str());
        // Anonymous: pages send to the sign-in form, forms are refused.
        let anonymous = if method == "GET" { t.get(path).await } else { t.post_form(path, &[], &[]).await };
        if method == "GET" {
            assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "anonymous GET {path}");
            assert!(anonymous.header("location").starts_with("/admin/login?next="));
        } else {
            assert_eq!(anonymous.status, StatusCode::FORBIDDEN, "anonymous POST {path}");
        }
        for (role, cookie) in &cookies {
            let may = *role == Role::Admin || allowed.contains(role);
            let response = if method == "GET" {
                t.get_as(path, cookie).await
            } else {
                // With a valid CSRF token, so only the role decides.
                let csrf = hidden(&t.get_as("/admin", cookie).await.body, "csrf");
                t.post_form(path, &[("csrf", &csrf), ("action", "approve")], &[("cookie", cookie)]).await
            };
            if may {
                // In: a page, a redirect after a change, or a form's own complaint about the
                // (empty) input, never 403 and never a server error.
                let status = response.status;
                assert!(
                    status != StatusCode::FORBIDDEN && !status.is_server_error(),
                    "{role:?} {method} {path}: {status}"
                );
                if method == "GET" {
                    // A page of something that does not exist is a 404 of the handler's own.
                    let found = if path.contains("/1") {
                        [StatusCode::OK, StatusCode::NOT_FOUND].contains(&status)
                    } else {
                        status == StatusCode::OK
                    };
                    assert!(found, "{role:?} {method} {path}: {status}");
                    assert_eq!(response.header("cache-control"), "no-store", "{path}: admin pages are never cached");
                }
            } else {
                assert_eq!(response.status, StatusCode::FORBIDDEN, "{role:?} {method} {path}");
            }
        }
    }
}

async fn sign_in_gives_nothing_away_and_throttles(t: TestApp) {
    t.sign_in(Role::Editor).await;
    let form = t.get("/admin/login").await;
    let token = hidden(&form.body, "token");
    let attempt = |email: &'static str, password: &'static str| {
        let token = token.clone();
        let t = &t;
        async move { t.post_form("/admin/login", &[("email", email), ("password", password), ("token", &token)], &[]).await }
    };
    let wrong_password = attempt("editor@example.org", "falsches-passwort").await;
    let unknown = attempt("niemand@example.org", "falsches-passwort").await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = "E-Mail-Adresse oder Passwort stimmen nicht.";
    assert!(wrong_password.body.contains(message) && unknown.body.contains(message), "the same message either way");
    for _ in 0..4 {
        attempt("editor@example.org", "falsches-passwort").await;
    }
    let locked = attempt("editor@example.org", "ein-langes-passwort").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "five failures lock the account for a while");
    assert!(locked.header("set-cookie").is_empty());
    t.app.clock.advance(16 * 60);
    let fresh = hidden(&t.get("/admin/login").await.body, "token");
    let ok = t
        .post_form(
            "/admin/login",
            &[("email", "editor@example.org"), ("password", "ein-langes-passwort"), ("token", &fresh)],
            &[],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = ok.header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"));
    assert!(!cookie.contains("Secure"), "plain http in tests; Secure comes with an https base URL");
    let cookies = |response: &TestResponse| -> Vec<String> {
        response.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
    };
    // The staff mark, so counting leaves an editor's visits to the site out: every path, no name.
    assert!(cookies(&ok).iter().any(|c| c.starts_with("nd_staff=1; Path=/; HttpOnly")), "{:?}", cookies(&ok));
    // A forged sign-in form is refused.
    let forged = t
        .post_form(
            "/admin/login",
            &[("email", "editor@example.org"), ("password", "ein-langes-passwort"), ("token", "1.abc")],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Sign-out ends the session.
    let session = cookie.split(';').next().unwrap().to_string();
    let csrf = hidden(&t.get_as("/admin", &session).await.body, "csrf");
    let out = t.post_form("/admin/logout", &[("csrf", &csrf)], &[("cookie", &session)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let cleared = cookies(&out);
    assert!(cleared.iter().any(|c| c.starts_with("nd_admin=;") && c.contains("Max-Age=0")), "{cleared:?}");
    assert!(cleared.iter().any(|c| c.starts_with("nd_staff=;") && c.contains("Max-Age=0")), "{cleared:?}");
    assert_eq!(t.get_as("/admin", &session).await.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
}

async fn admin_forms_need_the_csrf_token(t: TestApp) {
    article(&t).await;
    post_comment(&t, "Leser", "Roboter im Heim helfen den Pflegekräften.").await;
    let id = comment_ids(&t, "pending").await[0].to_string();
    let cookie = t.sign_in(Role::Moderator).await;
    for csrf in ["", "falsch"] {
        let response = t
            .post_form("/admin/comments", &[("csrf", csrf), ("one", &format!("approve:{id}"))], &[("cookie", &cookie)])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(comment_ids(&t, "pending").await.len(), 1, "nothing changed");
}

/// Stores `n` comments on the test article and takes the moderator's `action` on each, as the
/// queue does.
async fn decide(
    t: &TestApp,
    user: i64,
    texts: impl Iterator<Item = String>,
    action: newsdesk::comments::queries::Action,
) {
    use newsdesk::comments::model::{NewComment, Status};
    use newsdesk::comments::queries;
    let article_id: i64 = sqlx::query_scalar("SELECT id FROM articles").fetch_one(&t.app.db.pool).await.unwrap();
    let mut ids = Vec::new();
    for (i, body) in texts.enumerate() {
        let corpus = newsdesk::search::similarity::Corpus::default();
        let context = newsdesk::comments::moderation::ArticleContext::new(
            "Pflegeroboter im Heim",
            newsdesk::config::Language::De,
            &corpus,
        );
        let assessment = t.app.live().assessor.assess(&body, &context, &Default::default());
        let new = NewComment { name: "Leser".into(), email: None, body: body.clone(), parent_id: None };
        let hash = format!("{:x}{i}", body.len());
        let mut conn = t.app.db.pool.acquire().await.unwrap();
        ids.push(
            queries::insert(&mut conn, article_id, &new, Status::Pending, &hash, &hash, &assessment, t.app.now())
                .await
                .unwrap(),
        );
    }
    queries::moderate(&t.app.db, &ids, action, Some(user), t.app.now()).await.unwrap();
}

/// The site's moderators reject a word the built-in model does not know; too few decisions are
/// refused, enough give a model that knows it, measured before and after; the admin puts it in
/// use and goes back with one click each.
async fn the_assessment_learns_from_the_moderators_and_switches_back(t: TestApp) {
    use newsdesk::comments::queries::Action;
    article(&t).await;
    let cookie = t.sign_in(Role::Admin).await;
    let user: i64 = sqlx::query_scalar("SELECT id FROM users").fetch_one(&t.app.db.pool).await.unwrap();
    let page = t.get_as("/admin/moderation", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("eingebaute Modell"), "the built-in model is in use");
    assert!(page.body.contains("≥ 0.8"), "with what a score means");
    let retrain = |cookie: String| {
        let t = &t;
        async move {
            let csrf = hidden(&t.get_as("/admin/moderation", &cookie).await.body, "csrf");
            t.post_form("/admin/moderation", &[("csrf", &csrf), ("action", "retrain")], &[("cookie", &cookie)]).await
        }
    };
    decide(&t, user, (0..5).map(|i| format!("Der Autor ist ein Gurkenhobel, wirklich ({i}).")), Action::Reject).await;
    let refused = retrain(cookie.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Zu wenige Entscheidungen") && refused.body.contains("Das aktuelle Modell bleibt"));
    let models: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM moderation_models").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(models, 0, "nothing was trained");

    decide(&t, user, (5..40).map(|i| format!("Der Autor ist ein Gurkenhobel, wirklich ({i}).")), Action::Reject).await;
    decide(&t, user, (0..40).map(|i| format!("Der Autor hat das gut recherchiert, danke ({i}).")), Action::Approve)
        .await;
    let text = "Heute wieder ein Gurkenhobel am Werk.";
    let before = t.app.live().assessor.demeaning_and_spam(text, &Default::default()).0.score;
    assert!(before < 0.5, "the built-in model does not know the word: {before}");
    let queued = retrain(cookie.clone()).await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER);
    let training = t.get_as("/admin/moderation", &cookie).await.body;
    assert!(training.contains("wird trainiert"), "the page shows the training under way");
    newsdesk::root::run_pending(&t.app).await.unwrap();
    let page = t.get_as("/admin/moderation", &cookie).await.body;
    assert!(page.contains("fertig") && page.contains("64 gelernt, 16 zurückgehalten"), "{page}");
    assert!(page.contains("vorher → nachher") && page.contains("Trefferquote"), "before and after");
    let id: i64 = sqlx::query_scalar("SELECT id FROM moderation_models").fetch_one(&t.app.db.pool).await.unwrap();
    let recall_after: f64 = {
        let figures: String =
            sqlx::query_scalar("SELECT figures FROM moderation_models").fetch_one(&t.app.db.pool).await.unwrap();
        let figures: serde_json::Value = serde_json::from_str(&figures).unwrap();
        figures["after"]["demeaning"]["recall"].as_f64().unwrap()
    };
    assert!(recall_after >= 0.9, "the new model finds the held-out rejections: {recall_after}");
    assert!(t.app.live().assessor.demeaning_and_spam(text, &Default::default()).0.score < 0.5, "not yet in use");

    let switch = |model: String| {
        let (t, cookie) = (&t, cookie.clone());
        async move {
            let csrf = hidden(&t.get_as("/admin/moderation", &cookie).await.body, "csrf");
            t.post_form(
                "/admin/moderation",
                &[("csrf", &csrf), ("action", "use"), ("model", &model)],
                &[("cookie", &cookie)],
            )
            .await
        }
    };
    assert_eq!(switch(id.to_string()).await.status, StatusCode::SEE_OTHER);
    let after = t.app.live().assessor.demeaning_and_spam(text, &Default::default()).0.score;
    assert!(after >= 0.5, "the site's model knows the word: {after}");
    assert!(t.get_as("/admin/moderation", &cookie).await.body.contains(&format!("Modell #{id}, trainiert")));
    assert_eq!(switch("built-in".into()).await.status, StatusCode::SEE_OTHER);
    assert!(t.app.live().assessor.demeaning_and_spam(text, &Default::default()).0.score < 0.5, "back again");
    assert_eq!(switch("999".into()).await.status, StatusCode::BAD_REQUEST, "no such model");
    assert_eq!(switch("x".into()).await.status, StatusCode::BAD_REQUEST);
    let moderator = t.sign_in(Role::Moderator).await;
    assert_eq!(t.get_as("/admin/moderation", &moderator).await.status, StatusCode::FORBIDDEN, "admins only");
}

async fn moderation_says_what_it_did_and_can_be_undone(t: TestApp) {
    article(&t).await;
    let ids = comments_from_readers(&t, 2).await;
    let cookie = t.sign_in(Role::Moderator).await;

    // Without JavaScript, "select all" ticks every comment on the page.
    let all = t.get_as("/admin/comments?select=all", &cookie).await.body;
    assert_eq!(all.matches("name=\"ids\"").count(), 2);
    assert_eq!(all.matches(" checked>").count(), 2, "both ticked");

    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let done = moderate(&t, &cookie, &[("action", "approve"), ("ids", &a), ("ids", &b)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let back = done.header("location");
    assert!(back.contains("done=approve&count=2"), "{back}");
    let notice = t.get_as(back, &cookie).await.body;
    assert!(notice.contains("2 Kommentare freigegeben."), "{notice}");
    let undo = hidden(&notice, "undo");
    assert_eq!(undo, format!("{a}.pending,{b}.pending"));
    assert_eq!(comment_ids(&t, "approved").await.len(), 2);

    // Undo puts both back in the queue, as nobody's decision, and the log says so.
    let undone = moderate(&t, &cookie, &[("undo", &undo)]).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    assert_eq!(comment_ids(&t, "pending").await, ids);
    let decided: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE moderated_by IS NOT NULL")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(decided, 0, "nothing left for the model to learn from");
    let page = t.get_as(undone.header("location"), &cookie).await.body;
    assert!(page.contains("Rückgängig gemacht: 2 Kommentare haben wieder ihren vorigen Stand."), "{page}");
    assert!(page.contains("<td>Rückgängig gemacht</td>"), "logged");
    assert!(!t.get(ARTICLE).await.body.contains("Beitrag 0"), "no longer on the page");

    // Forged undo values are refused.
    for bad in ["", "12", "x.pending", "12.gone"] {
        assert_eq!(moderate(&t, &cookie, &[("undo", bad)]).await.status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
    // Deleting cannot be undone, so it offers no undo.
    let asked = moderate(&t, &cookie, &[("one", &format!("delete:{a}")), ("confirm", "yes")]).await;
    let page = t.get_as(asked.header("location"), &cookie).await.body;
    assert!(page.contains("Ein Kommentar gelöscht.") && !page.contains("name=\"undo\""));
}

async fn moderators_are_reminded_of_waiting_comments(t: TestApp) {
    let t = TestApp::with_config(t.db_backend(), |c| c.comments.remind_moderators_after_minutes = 60).await;
    article(&t).await;
    t.sign_in(Role::Moderator).await;
    t.sign_in(Role::Editor).await;
    let remind = || async { newsdesk::comments::reminders::send_if_due(&t.app).await.unwrap() };
    assert_eq!(remind().await, 0, "nothing waits");
    post_comment(&t, "Anna", "Ob die Roboter im Heim beim Heben helfen?").await;
    t.app.clock.advance(30 * 60);
    assert_eq!(remind().await, 0, "half an hour is within the time allowed");
    t.app.clock.advance(31 * 60);
    assert_eq!(remind().await, 1, "the moderator, not the editor");
    let (recipient, subject, text): (String, String, String) =
        sqlx::query_as("SELECT recipient, subject, text_body FROM outbox WHERE kind = 'staff'")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
    assert_eq!(recipient, "moderator@example.org");
    assert!(subject.starts_with("Ein Kommentar wartet auf Freigabe"), "{subject}");
    assert!(text.contains("der älteste seit einer Stunde") && text.contains("/admin/comments"), "{text}");
    assert_eq!(remind().await, 0, "one mail per hour at most");
    t.app.clock.advance(61 * 60);
    assert_eq!(remind().await, 1, "still waiting an hour later: another");
    let cookie = t.sign_in(Role::Admin).await;
    let id = comment_ids(&t, "pending").await[0];
    moderate(&t, &cookie, &[("one", &format!("approve:{id}"))]).await;
    t.app.clock.advance(61 * 60);
    assert_eq!(remind().await, 0, "nothing waits any more");
}

async fn the_sign_in_throttle_remembers_across_midnight(t: TestApp) {
    use newsdesk::auth::sessions::MAX_FAILURES_PER_IP;
    // A guesser's failures on many accounts from one address, in the two minutes before
    // midnight (UTC), when the daily salt of the IP hash changes.
    let to_midnight = 86_400 - t.app.now().rem_euclid(86_400);
    t.app.clock.advance(if to_midnight > 300 { to_midnight - 120 } else { to_midnight + 86_400 - 120 });
    let midnight = t.app.now() + 120;
    let token = hidden(&t.get("/admin/login").await.body, "token");
    let attempt = |email: String| {
        let (t, token) = (&t, token.clone());
        async move {
            let form = [("email", email.as_str()), ("password", "falsch-geraten"), ("token", token.as_str())];
            t.post_form("/admin/login", &form, &[]).await
        }
    };
    for i in 0..MAX_FAILURES_PER_IP {
        assert_eq!(attempt(format!("gast{i}@example.org")).await.status, StatusCode::UNAUTHORIZED);
    }
    let last: i64 = sqlx::query_scalar("SELECT MAX(at) FROM login_failures").fetch_one(&t.app.db.pool).await.unwrap();
    assert!(last < midnight, "the failures came before midnight");
    t.app.clock.advance(midnight + 5 - t.app.now());
    let after = attempt("noch-einer@example.org".into()).await;
    assert_eq!(after.status, StatusCode::TOO_MANY_REQUESTS, "after midnight the address still waits");
}
