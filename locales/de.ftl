# Newsdesk, deutsche Oberfläche. Jeder Text der Seiten steht hier.

skip-to-content = Zum Inhalt springen
nav-home = Startseite
nav-archive = Archiv
nav-topics = Themen
footer-about = { $site } ist eine unabhängige Nachrichtenseite.
footer-powered = Betrieben mit Newsdesk
footer-privacy = Diese Seite lädt nichts von anderen Servern und setzt keine Tracker ein.

lead-story = Aufmacher
latest = Neueste Meldungen
no-articles = Noch keine Artikel veröffentlicht.
page-of = Seite { $page } von { $pages }
newer = Neuere Artikel
older = Ältere Artikel
pagination = Seitennavigation

by = Von
and = und
published = Veröffentlicht
updated = Aktualisiert
tags = Themen

research-heading = Weiter recherchieren
research-intro = Suchen Sie nach „{ $title }“ bei:
research-google = Google
research-bing = Bing
research-google-news = Google News

follow-heading = Nichts verpassen?
follow-article-feed = Neue Kommentare zu diesem Artikel als Feed abonnieren
related-heading = Verwandte Artikel
similar-feed-title = Neue Meldungen ähnlich wie „{ $title }“
follow-similar-feed = Neue ähnliche Meldungen als Feed abonnieren
follow-main-feed = Alle Meldungen als RSS-Feed abonnieren
follow-topic-feed = Feed zum Thema { $name } abonnieren
follow-google-news = { $site } bei Google News folgen
follow-bing-news = { $site } bei Bing News folgen

tag-heading = Thema: { $name }
tag-count = { $count ->
    [one] Ein Artikel
   *[other] { $count } Artikel
}
author-heading = Artikel von { $name }
archive-heading = Archiv
archive-month-heading = Archiv: { $month } { $year }
archive-intro = Alle Artikel nach Monaten.

date-long = { $day }. { $month } { $year }
date-time = { $date }, { $time } Uhr

month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

error-400-title = Ungültige Anfrage
error-400-text = Diese Adresse oder diese Eingabe können wir nicht verarbeiten.
error-403-title = Kein Zugriff
error-403-text = Dafür fehlt Ihnen die Berechtigung, oder das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-429-title = Zu viele Anfragen
error-429-text = Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.
error-404-title = Seite nicht gefunden
error-404-text = Diese Seite gibt es nicht oder nicht mehr. Vielleicht finden Sie das Gesuchte auf der Startseite oder im Archiv.
error-405-title = Methode nicht erlaubt
error-405-text = Diese Adresse kann so nicht aufgerufen werden.
error-413-title = Anfrage zu groß
error-413-text = Die gesendeten Daten sind zu groß.
error-500-title = Interner Fehler
error-500-text = Bei uns ist etwas schiefgegangen. Wir kümmern uns darum; bitte versuchen Sie es später noch einmal.
error-503-title = Vorübergehend nicht verfügbar
error-503-text = Die Seite ist gerade überlastet. Bitte versuchen Sie es gleich noch einmal.
error-other-title = Fehler
error-other-text = Die Anfrage konnte nicht bearbeitet werden.
error-back-home = Zur Startseite

comments-heading = { $count ->
    [0] Kommentare
    [one] Ein Kommentar
   *[other] { $count } Kommentare
}
comments-invitation = Was meinen Sie zu „{ $title }“? Wir freuen uns auf Ihren Kommentar.
comments-policy-held-all = Alle Kommentare werden vor der Veröffentlichung geprüft.
comments-policy-held-new = Kommentare werden vor der Veröffentlichung geprüft; wer hier schon freigegebene Kommentare geschrieben hat, erscheint sofort.
comments-policy-held-some = Kommentare erscheinen sofort, es sei denn, unsere Prüfung hält sie für die Moderation zurück.
comments-policy = Wir löschen Kommentare, die nicht zum Thema gehören oder nur darauf zielen, Leserinnen und Leser oder unsere Autorinnen und Autoren herabzusetzen. Bitte schreiben Sie so respektvoll, als säßen wir gemeinsam an einem Tisch.
comments-none = Noch keine Kommentare. Schreiben Sie den ersten.
comments-closed = Die Kommentare zu diesem Artikel sind geschlossen.
comment-by = Kommentar von { $name }
comment-edited = bearbeitet
comment-report = Melden
comment-report-why = Warum melden Sie diesen Kommentar?
comment-report-send = Meldung abschicken
report-reason-demeaning = Beleidigend oder herabsetzend
report-reason-spam = Werbung oder Spam
report-reason-off-topic = Hat nichts mit dem Artikel zu tun
report-reason-false = Falsche Tatsachenbehauptung
report-reason-other = Anderer Grund
comment-error-report-reason = Bitte wählen Sie einen der angebotenen Gründe für die Meldung.
comment-reply = { $name } antworten
comment-form-heading = Kommentar schreiben
comment-name = Name
comment-email = E-Mail (freiwillig)
comment-email-hint = Wird nie angezeigt; nur für Rückfragen der Redaktion.
comment-text = Ihr Kommentar
comment-honeypot = Dieses Feld bitte leer lassen
comment-submit = Kommentar absenden
comment-back = Zurück zu „{ $title }“
comment-received-title = Danke für Ihren Kommentar
comment-received-text = Ihr Kommentar wartet auf die Freigabe durch die Moderation und erscheint, sobald er geprüft ist.
comment-published-title = Ihr Kommentar ist veröffentlicht
comment-published-text = Danke! Ihr Kommentar ist jetzt unter dem Artikel zu lesen.
comment-reported-title = Danke für Ihren Hinweis
comment-reported-text = Die Moderation sieht sich den gemeldeten Kommentar an.
comment-refused-title = Kommentar nicht angenommen
comment-error-origin = Das Formular wurde nicht von dieser Website gesendet. Bitte schreiben Sie Ihren Kommentar direkt unter dem Artikel.
comment-error-bot = Ihr Kommentar konnte nicht angenommen werden.
comment-error-token = Das Formular ist abgelaufen oder ungültig. Bitte laden Sie den Artikel neu und senden Sie Ihren Kommentar noch einmal.
comment-error-closed = Die Kommentare zu diesem Artikel sind geschlossen.
comment-error-flood = Sie haben gerade erst kommentiert. Bitte warten Sie noch { $seconds ->
    [one] eine Sekunde
   *[other] { $seconds } Sekunden
} und senden Sie Ihren Kommentar dann noch einmal. Ihr Text steht unten bereit.
comment-submit-again = Kommentar noch einmal senden
comment-text-kept = Ihr Text zum Kopieren
comment-pending-heading = Ihr Kommentar, wie er nach der Freigabe erscheint
comment-error-name-missing = Bitte geben Sie einen Namen an.
comment-error-name-too-long = Der Name ist zu lang (höchstens 80 Zeichen).
comment-error-email = Die E-Mail-Adresse ist ungültig. Sie können das Feld auch leer lassen.
comment-error-text-missing = Bitte schreiben Sie einen Kommentar.
comment-error-text-too-long = Der Kommentar ist zu lang.
comment-error-encoding = Der Text ist nicht als UTF-8 kodiert. Bitte senden Sie das Formular aus einem aktuellen Browser.
comment-error-control = Der Text enthält unzulässige Steuerzeichen.
comment-error-parent = Der Kommentar, auf den Sie antworten, ist nicht (mehr) vorhanden.
comments-feed-article = Kommentare zu „{ $title }“
comments-feed-all = Kommentare bei { $site }

admin-title = Redaktion
admin-nav = Redaktionsbereich
admin-dashboard = Übersicht
admin-comments = Kommentare
admin-to-site = Zur Website
admin-logout = Abmelden
role-admin = Admin
role-editor = Redaktion
role-moderator = Moderation
login-title = Anmelden
login-email = E-Mail
login-password = Passwort
login-submit = Anmelden
login-error-wrong = E-Mail-Adresse oder Passwort stimmen nicht.
login-error-throttled = Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.
login-error-expired = Das Formular ist abgelaufen. Bitte versuchen Sie es noch einmal.
dashboard-pending-comments = Kommentare warten auf Freigabe
dashboard-scheduled = Artikel geplant
dashboard-drafts = Entwürfe
dashboard-published = Artikel veröffentlicht
queue-views = Ansichten
queue-pending = Wartend
queue-reported = Gemeldet
queue-approved = Freigegeben
queue-rejected = Abgelehnt
queue-spam = Spam
queue-bulk = Ausgewählte:
queue-reply-to = Antwort auf { $name }:
queue-select-all = Alle auf dieser Seite auswählen
queue-select-none = Auswahl aufheben
queue-undo = Rückgängig machen
queue-done-approve = { $count ->
    [one] Ein Kommentar freigegeben.
   *[other] { $count } Kommentare freigegeben.
}
queue-done-reject = { $count ->
    [one] Ein Kommentar abgelehnt.
   *[other] { $count } Kommentare abgelehnt.
}
queue-done-spam = { $count ->
    [one] Ein Kommentar als Spam markiert.
   *[other] { $count } Kommentare als Spam markiert.
}
queue-done-delete = { $count ->
    [one] Ein Kommentar gelöscht.
   *[other] { $count } Kommentare gelöscht.
}
queue-done-dismiss = { $count ->
    [one] Meldungen zu einem Kommentar verworfen.
   *[other] Meldungen zu { $count } Kommentaren verworfen.
}
queue-done-restore = { $count ->
    [one] Rückgängig gemacht: Der Kommentar hat wieder seinen vorigen Stand.
   *[other] Rückgängig gemacht: { $count } Kommentare haben wieder ihren vorigen Stand.
}
queue-delete-heading = { $count ->
    [one] Kommentar löschen
   *[other] { $count } Kommentare löschen
}
queue-delete-message = Gelöschte Kommentare und ihre Antworten sind endgültig weg; nur der Eintrag im Protokoll bleibt. Ablehnen lässt sich dagegen rückgängig machen.
queue-reports = { $count ->
    [one] eine Meldung
   *[other] { $count } Meldungen
}
queue-empty = Hier ist nichts zu tun.
queue-log = Protokoll
queue-log-empty = Noch keine Moderation.
log-when = Wann
log-who = Wer
log-action = Aktion
log-comment = Kommentar
log-system = System
# What the moderation log records: done, in the past tense.
logged-approve = Freigegeben
logged-reject = Abgelehnt
logged-spam = Als Spam markiert
logged-delete = Gelöscht
logged-dismiss = Meldungen verworfen
logged-restore = Rückgängig gemacht
action-approve = Freigeben
action-reject = Ablehnen
action-spam = Spam
action-delete = Löschen
action-dismiss = Meldungen verwerfen
flag-off_topic = Themenfremd
flag-demeaning = Herabsetzend
flag-spam = Spam

search-title = Suche
search-title-query = Suche nach „{ $q }“
search-label = Suchbegriffe (Wortgruppen in Anführungszeichen)
search-from = Von
search-to = Bis
search-order = Sortierung
search-relevance = Relevanz
search-newest = Neueste zuerst
search-submit = Suchen
search-count = { $count ->
    [0] Keine Treffer
    [one] Ein Treffer
   *[other] { $count } Treffer
}
search-corrected = Für „{ $q }“ wurde nichts gefunden.
search-corrected-to = Ergebnisse für „{ $corrected }“.
search-none = Zu „{ $q }“ haben wir nichts gefunden.
search-hint = Versuchen Sie andere oder weniger Wörter, prüfen Sie die Schreibweise, oder stöbern Sie in unseren Themen:
search-start = Wonach suchen Sie? Geben Sie ein oder mehrere Wörter ein.
search-previous = Vorherige Treffer
search-next = Weitere Treffer
nav-search = Suche
nav-jobs = Jobs
jobs-box-heading = Stellenangebote
jobs-none = Zurzeit keine Stellenangebote.
jobs-all = Alle Stellenangebote
jobs-heading = Stellenangebote
jobs-count = { $count ->
    [one] Eine Stelle
   *[other] { $count } Stellen
}
jobs-location = Ort
jobs-workplace = Arbeitsort
jobs-kind = Art
jobs-any = Alle
jobs-filter = Filtern
workplace-remote = Remote
workplace-hybrid = Hybrid
workplace-onsite = Vor Ort
kind-full-time = Vollzeit
kind-part-time = Teilzeit
kind-working-student = Werkstudium
kind-internship = Praktikum
kind-professorship = Professur
kind-freelance = Freie Mitarbeit
kind-other = Sonstiges
job-employer = Arbeitgeber
job-posted = Veröffentlicht
job-expires = Bewerbung bis
job-apply = Jetzt bewerben
job-title = Titel
job-description = Beschreibung (Markdown)
job-apply-url = Bewerbungslink
job-new = Neue Stelle
job-edit = Stelle bearbeiten
job-state = Status
job-state-current = online
job-state-expired = abgelaufen
job-state-withdrawn = zurückgezogen
job-state-scheduled = geplant
job-source = Quelle
job-actions = Aktionen
job-withdraw = Zurückziehen
job-error-posted = Das Veröffentlichungsdatum ist ungültig.
job-error-expires = Das Ablaufdatum ist ungültig.
job-import-heading = Partner-Feed
job-import-feed = Quelle:
job-import-ok = Letzter Import erfolgreich
job-import-failed = Letzter Import fehlgeschlagen, alle Stellen bleiben erhalten
job-import-counts = { $created } neu, { $updated } aktualisiert, { $withdrawn } zurückgezogen.
job-import-never = Noch kein Import.
job-import-now = Jetzt importieren
job-import-off = Kein Partner-Feed eingerichtet (jobs.feed_url).
form-error-missing = Bitte füllen Sie „{ $field }“ aus.
form-error-too-long = „{ $field }“ ist zu lang: höchstens { $max } Zeichen.
form-error-link = Der Link muss eine Webadresse sein, die mit https:// oder http:// beginnt.
form-error-choice = Bitte wählen Sie einen der angebotenen Werte.
form-error-date = „{ $field }“ ist kein gültiges Datum.
job-error-order = Die Stelle läuft ab, bevor sie veröffentlicht wird: Bitte prüfen Sie die Daten.
job-field-title = Titel
job-field-employer = Arbeitgeber
job-field-location = Ort
job-field-description = Beschreibung
job-field-posted = Veröffentlicht
job-field-expires = Bewerbung bis
promotion-error-image = Das Bild muss ein Pfad auf dieser Website sein (beginnt mit /).
promotion-error-order = Die Promotion endet, bevor sie beginnt: Bitte prüfen Sie die Daten.
admin-jobs = Stellenangebote
admin-promotions = Promotions
admin-save = Speichern
cta-heading = Weiterlesen und unterstützen
cta-newsletter-label = Die besten Nachrichten kostenlos per E-Mail
cta-support-label = Unterstützen Sie uns
cta-job-board-label = Aktuelle Jobs auf unserer Jobbörse
setting-promotions-newsletter_url = Adresse der Newsletter-Anmeldung (Pfad oder Adresse; leer: kein Eintrag)
setting-promotions-newsletter_label = Text des Newsletter-Links (leer: der übliche Text)
cta-home = Zur Startseite mit aktuellen Nachrichten
promo-book = Buchtipp
promo-support = Unterstützen
promo-newsletter = Newsletter
# Shown visibly on every paid placement (German law: "Anzeige").
job-sponsored-label = Bezahlte Anzeige (wird für Leserinnen und Leser als „Anzeige“ gekennzeichnet)
job-source-manual = von Hand
job-source-feed = Partner-Feed
job-notice-saved = Die Stelle wurde gespeichert.
job-notice-withdrawn = Die Stelle wurde zurückgezogen.
promotion-notice-saved = Die Promotion wurde gespeichert.
promotion-notice-deleted = Die Promotion wurde gelöscht.
promotion-delete = „{ $title }“ löschen
promotion-delete-confirm = Soll die Promotion „{ $title }“ wirklich gelöscht werden? Sie verschwindet von allen Seiten, und ihre gezählten Klicks gehen mit ihr verloren.
ad-label = Anzeige
promo-custom = Empfehlung
slot-sidebar = Seitenleiste
slot-after_article = Nach dem Artikel
slot-cta = Handlungsaufrufe
promotion-new = Neue Promotion
promotion-edit = Promotion bearbeiten
promotion-title = Titel
promotion-text = Einzeiler
promotion-url = Link
promotion-image = Bild (Pfad auf dieser Website, freiwillig)
promotion-kind = Art
promotion-slot = Platz
promotion-position = Reihenfolge
promotion-clicks = Klicks
promotion-sponsored = bezahlt
promotion-sponsored-label = Bezahlt oder Affiliate-Link: für Leserinnen und Leser als „Anzeige“ gekennzeichnet, der Link trägt rel="sponsored"
promotion-from = Aktiv ab
promotion-until = Aktiv bis
promotion-none = Noch keine Promotions.
promotion-error-number = Reihenfolge oder Datum sind ungültig.

# E-Mail: Newsletter, Benachrichtigungen, Einstellungen
newsletter-title = Newsletter
newsletter-intro = Die besten Nachrichten von { $site } kostenlos per E-Mail: eine Auswahl der wichtigsten Artikel, ohne Werbung, jederzeit mit einem Klick abbestellbar.
newsletter-consent = Ich möchte den Newsletter von { $site } per E-Mail erhalten. Meine Einwilligung kann ich jederzeit über den Link in jeder E-Mail widerrufen.
newsletter-submit = Newsletter bestellen
newsletter-box-heading = Der Newsletter
newsletter-box-text = Die wichtigsten Nachrichten kostenlos per E-Mail, ohne Werbung. Abbestellen geht mit einem Klick.
search-placeholder = Suchbegriff
newsletter-privacy = Wir speichern Ihre Adresse, den Zeitpunkt und den Wortlaut Ihrer Einwilligung. Ihre IP-Adresse speichern wir nur als Hash mit täglich wechselndem Salz. Sie können alle Daten jederzeit herunterladen oder löschen.
newsletter-back = Zurück zum Newsletter
export-note = Alle Zeiten in UTC. IP-Adressen speichern wir nur als gesalzenen Hash; das Salz wird nach zwei Tagen gelöscht.
manage-already = Schon angemeldet? Abo verwalten oder abbestellen
manage-title = Abo verwalten
manage-intro = Sie möchten ändern, was Sie von uns bekommen, oder etwas abbestellen, finden aber die E-Mail mit dem Link nicht mehr? Geben Sie Ihre Adresse ein: Wir schicken Ihnen den Link zu Ihren Einstellungen.
manage-submit = Link zuschicken
manage-to-newsletter = Noch nicht angemeldet? Zum Newsletter
manage-back = Zurück zu „Abo verwalten“
manage-sent-title = Bitte sehen Sie in Ihr Postfach
manage-sent-text = Wenn unter dieser Adresse ein Abonnement besteht, ist eine E-Mail mit dem Link zu Ihren Einstellungen unterwegs. Kam in den letzten Minuten schon eine, schicken wir keine weitere. Bitte sehen Sie auch im Spam-Ordner nach.
alert-heading = Per E-Mail über ähnliche Nachrichten informiert werden
alert-intro = Sobald wir einen Artikel veröffentlichen, der diesem ähnelt, schicken wir Ihnen eine E-Mail – höchstens einige am Tag.
alert-consent = Ich möchte von { $site } per E-Mail über neue Artikel informiert werden, die diesem ähneln. Meine Einwilligung kann ich jederzeit widerrufen.
alert-submit = Benachrichtigung bestellen
alert-back = Zurück zum Artikel
signup-email = E-Mail-Adresse
signup-refused-title = Anmeldung nicht angenommen
signup-error-origin = Das Formular wurde nicht von dieser Website gesendet. Bitte melden Sie sich direkt auf unserer Seite an.
signup-error-bot = Das Formular enthielt ein Feld, das leer bleiben muss.
signup-error-email = Das ist keine gültige E-Mail-Adresse. Bitte prüfen Sie die Schreibweise.
signup-error-consent = Bitte bestätigen Sie Ihre Einwilligung mit dem Häkchen.
signup-error-rate = Von Ihrem Anschluss kamen gerade sehr viele Anmeldungen. Bitte versuchen Sie es in einer Stunde noch einmal.
signup-error-too-large = Die Anfrage war zu groß.
signup-check-title = Fast geschafft: Bitte prüfen Sie Ihr Postfach
signup-check-text = Wenn in den letzten Minuten keine E-Mail von uns an diese Adresse ging, ist jetzt eine unterwegs: mit einem Link zum Bestätigen oder, falls die Adresse schon angemeldet ist, mit dem Link zu Ihren Einstellungen. Erst nach der Bestätigung erhalten Sie weitere E-Mails; der Link gilt 7 Tage. Bitte sehen Sie auch im Spam-Ordner nach.
confirm-title = Anmeldung bestätigen
confirm-button = Ja, ich möchte die E-Mails erhalten
confirm-done-title = Danke, Ihre Anmeldung ist bestätigt
confirm-done-text = Ab jetzt erhalten Sie unsere E-Mails. In den Einstellungen sehen und ändern Sie, was Sie bekommen.
confirm-invalid-title = Dieser Link gilt nicht (mehr)
confirm-invalid-text = Der Bestätigungslink ist abgelaufen oder ungültig. Melden Sie sich bitte einfach noch einmal an.
confirm-sign-up-again = Noch einmal anmelden
confirm-already = Diese Anmeldung ist schon bestätigt; Sie müssen nichts mehr tun.
confirm-what-newsletter = Bitte bestätigen Sie mit einem Klick, dass { $email } den Newsletter von { $site } erhalten soll.
confirm-what-alert = Bitte bestätigen Sie mit einem Klick, dass { $email } per E-Mail erfahren soll, wenn wir Neues wie „{ $title }“ veröffentlichen.
preferences-link = Zu Ihren E-Mail-Einstellungen
preferences-title = Ihre E-Mail-Einstellungen
preferences-for = Einstellungen für { $email }
preferences-saved = Ihre Einstellungen sind gespeichert.
preferences-bouncing = E-Mails an diese Adresse kamen mehrfach nicht an; wir schicken keine mehr dorthin.
preferences-legend = Was Sie erhalten
preferences-newsletter = Newsletter
preferences-alert = Ähnliche Nachrichten wie „{ $title }“
preferences-pending = (wartet auf Ihre Bestätigung)
preferences-consent = Eingewilligt am { $date }:
preferences-withdrawn = Abbestellt am { $date }. Setzen Sie den Haken, um sie wieder zu erhalten.
preferences-save = Speichern
preferences-nothing = Sie haben derzeit nichts bestellt.
preferences-data-heading = Ihre Daten
preferences-export = Alle gespeicherten Daten herunterladen (JSON)
preferences-unknown-title = Diese Einstellungen gibt es nicht
preferences-unknown-text = Der Link ist ungültig, oder die Daten zu dieser Adresse wurden gelöscht.
erase-confirm = Ja, alle meine Daten löschen und keine E-Mails mehr senden
erase-button = Alle Daten löschen
erase-unconfirmed-title = Nichts gelöscht
erase-unconfirmed-text = Bitte setzen Sie das Häkchen, um das Löschen zu bestätigen.
erase-done-title = Ihre Daten sind gelöscht
erase-done-text = Wir haben alle Daten zu Ihrer Adresse gelöscht. Übrig bleibt nur eine mit einem geheimen Schlüssel gebildete Prüfsumme der Adresse, an der wir sie wiedererkennen, damit wir ihr nie wieder schreiben – es sei denn, Sie melden sich neu an. Die Adresse selbst speichern wir nicht mehr.
unsubscribe-title = Abbestellen
unsubscribe-text = Mit einem Klick bestellen Sie alle E-Mails von uns ab.
unsubscribe-button = Alle E-Mails abbestellen
unsubscribed-title = Abbestellt
unsubscribed-text = Sie erhalten keine E-Mails mehr von uns. In den Einstellungen können Sie das jederzeit rückgängig machen.
mail-footer = Sie erhalten diese E-Mail, weil Sie sie bei uns bestellt haben.
mail-footer-requested = Diese E-Mail ging an diese Adresse, weil sie auf { $site } in ein Formular eingetragen wurde.
mail-manage-subject = Ihr Link zu den Einstellungen bei { $site }
mail-manage-intro = Sie haben auf { $site } nach dem Link zu Ihren Einstellungen gefragt. Dort sehen und ändern Sie, was Sie von uns bekommen, und können alles abbestellen.
mail-manage-ignore = Wenn Sie nicht danach gefragt haben, können Sie diese E-Mail einfach löschen; es ändert sich nichts.
mail-welcome-subject-newsletter = Willkommen beim Newsletter von { $site }
mail-welcome-subject-alert = Ihre Benachrichtigung bei { $site } ist eingerichtet
mail-welcome-intro-newsletter = Danke für Ihre Bestätigung: Sie erhalten ab jetzt den Newsletter von { $site }.
mail-welcome-intro-alert = Danke für Ihre Bestätigung: Wir schreiben Ihnen ab jetzt, wenn { $site } über Ähnliches berichtet wie in „{ $title }“.
mail-welcome-when-daily = Er kommt jeden Tag gegen { $hour } Uhr, wenn es Neues gibt.
mail-welcome-when-weekly = Er kommt einmal in der Woche, wenn es Neues gibt.
mail-welcome-when-off = Er kommt, wenn die Redaktion eine Ausgabe verschickt.
mail-footer-welcome = Diese E-Mail ging an diese Adresse, weil sie ein Abonnement bei { $site } bestätigt hat.
mail-preferences = Einstellungen
mail-unsubscribe = Abbestellen
mail-read-on = Weiterlesen
mail-confirm-subject-newsletter = Bitte bestätigen Sie Ihre Anmeldung zum Newsletter von { $site }
mail-confirm-subject-alert = Bitte bestätigen Sie Ihre Benachrichtigung von { $site }
mail-reminder-subject-newsletter = Sie sind bereits für den Newsletter von { $site } angemeldet
mail-reminder-subject-alert = Ihre Benachrichtigung bei { $site } ist bereits aktiv
mail-confirm-intro-newsletter = Jemand – hoffentlich Sie – hat diese Adresse für den Newsletter von { $site } angemeldet. Bitte bestätigen Sie die Anmeldung:
mail-confirm-intro-alert = Jemand – hoffentlich Sie – möchte mit dieser Adresse über neue Artikel informiert werden, die „{ $title }“ ähneln. Bitte bestätigen Sie:
mail-confirm-button = Anmeldung bestätigen
mail-confirm-valid = Der Link gilt { $days } Tage.
mail-confirm-ignore = Wenn Sie das nicht waren, ignorieren Sie diese E-Mail einfach; Sie hören dann nichts mehr von uns.
mail-reminder-intro-newsletter = Diese Adresse erhält den Newsletter von { $site } bereits. In den Einstellungen sehen und ändern Sie, was Sie bekommen.
mail-reminder-intro-alert = Diese Adresse wird bereits über Artikel informiert, die „{ $title }“ ähneln. In den Einstellungen sehen und ändern Sie, was Sie bekommen.
mail-alert-subject = Neu: { $title }
mail-alert-intro = Ein neuer Artikel zu einem Thema, das Sie verfolgen:
mail-alert-because = Sie erhalten diese Nachricht, weil Sie über Artikel informiert werden möchten, die diesen ähneln:
mail-alert-summary-subject = { $count } weitere Artikel zu Ihren Themen
mail-alert-summary-mailing = Zusammenfassungen der Hinweise vom { $day }
mail-alert-summary-intro = Gestern gab es mehr neue Artikel zu Ihren Themen, als wir Ihnen an einem Tag schicken. Hier sind die übrigen:
mail-digest-subject = { $site } – die wichtigsten Nachrichten vom { $date }
mail-digest-intro = Die wichtigsten Artikel seit dem letzten Newsletter:

# Newsletter in der Verwaltung
admin-newsletter = Newsletter
newsletter-admin-subscribers = { $newsletter ->
    [one] Ein Newsletter-Abo
   *[other] { $newsletter } Newsletter-Abos
}, { $alerts ->
    [one] eine Adresse mit Benachrichtigungen.
   *[other] { $alerts } Adressen mit Benachrichtigungen.
}
newsletter-admin-schedule = Zusammenfassung: { $digest ->
    [daily] täglich um { $hour } Uhr.
    [weekly] wöchentlich um { $hour } Uhr.
   *[off] ausgeschaltet.
}
newsletter-admin-outbox = Postausgang: { $queued } wartend ({ $due } fällig), { $sent } gesendet, { $failed } gescheitert, { $dropped } verworfen; { $rate } in der letzten Minute.
newsletter-admin-new = Neue Aussendung
newsletter-admin-campaigns = Aussendungen
newsletter-subject = Betreff
newsletter-body = Text (Markdown)
newsletter-save = Entwurf speichern
newsletter-preview = Vorschau
newsletter-test-heading = Testversand
newsletter-test-address = An Adresse
newsletter-test-send = Test senden
newsletter-send-heading = Versenden
newsletter-send-button = An { $count } Adressen senden
newsletter-progress = { $done } von { $recipients } erledigt: { $sent } gesendet, { $failed } gescheitert, { $dropped } verworfen, { $queued } wartend.
newsletter-kind-digest = Zusammenfassung
newsletter-kind-oneoff = Aussendung
newsletter-status-draft = Entwurf
newsletter-status-sending = wird versendet
newsletter-none = Noch keine Aussendungen.
newsletter-notice-saved = Entwurf gespeichert.
newsletter-notice-tested = Testversand ist unterwegs.
newsletter-notice-started = Der Versand hat begonnen.
newsletter-error-subject-empty = Bitte geben Sie einen Betreff ein.
newsletter-error-subject-control = Der Betreff darf keine Zeilenumbrüche oder Steuerzeichen enthalten.
newsletter-error-subject-long = Der Betreff ist zu lang (höchstens 200 Zeichen).
newsletter-error-body-empty = Bitte schreiben Sie einen Text.
newsletter-error-body-long = Der Text ist zu lang (höchstens 100.000 Zeichen).
newsletter-error-not-draft = Diese Aussendung wurde schon versendet und lässt sich nicht mehr ändern.
newsletter-error-address = Das ist keine gültige E-Mail-Adresse.
newsletter-status-sent = versendet
newsletter-progress-heading = Fortschritt
newsletter-send-confirm = Ich habe die Testmail geprüft: an alle senden.
newsletter-send-unconfirmed = Bitte bestätigen Sie vor dem Versand, dass Sie die Testmail geprüft haben.

# Newsroom: articles
admin-articles = Artikel
articles-new = Neuer Artikel
articles-search = Titel oder Adresse enthält
articles-any = alle
articles-filter = Filtern
articles-count = { $count ->
    [one] Ein Artikel
   *[other] { $count } Artikel
}
articles-changed = Geändert
articles-none = Keine Artikel gefunden.
page-previous = Zurück
page-next = Weiter
article-status-draft = Entwurf
article-status-scheduled = geplant
article-status-published = veröffentlicht
article-status-unpublished = zurückgezogen
article-field-title = Überschrift
article-field-slug = Adresse (Slug)
article-field-places = Ortsmarke
article-field-lead = Vorspann
article-field-body = Text
article-field-format = Format des Texts
article-format-markdown = Markdown
article-format-html = HTML
article-format-help = Texte aus WordPress oder Ghost bleiben HTML; beim Anzeigen wird alles entfernt, was Skripte ausführen oder von anderen Servern laden könnte.
article-field-hero = Aufmacherbild
article-field-hero-url = Bildpfad auf dieser Website
article-field-hero-alt = Alternativtext
article-field-hero-credit = Bildnachweis
article-field-tags = Themen
article-field-authors = Autorinnen und Autoren
article-field-language = Sprache
article-field-status = Status
article-field-publish-at = Veröffentlichung
article-slug-help = Leer lassen, um sie aus der Überschrift zu bilden. Nur Kleinbuchstaben, Ziffern und Bindestriche.
article-list-help = Mehrere durch Kommas trennen.
article-publish-help = Datum und Uhrzeit in der Zeitzone { $zone }; zum Planen nötig.
article-save = Speichern
article-preview = Vorschau
article-schedule = Planen
article-publish = Jetzt veröffentlichen
article-unpublish = Zurückziehen
article-view = Auf der Website ansehen
article-version = Version { $version }.
article-saved-by = Gespeichert von { $who }.
article-revisions = { $count ->
    [0] Keine früheren Versionen
    [one] Eine frühere Version
   *[other] { $count } frühere Versionen
}
article-notice-saved = Gespeichert.
article-notice-published = Veröffentlicht.
article-notice-scheduled = Geplant.
article-notice-unpublished = Zurückgezogen: Leserinnen und Leser sehen den Artikel nicht mehr.
article-notice-restored = Die frühere Version ist wiederhergestellt (als neue Version).
article-conflict-heading = Das hat sich inzwischen geändert
article-error-empty-title = Bitte geben Sie eine Überschrift ein.
article-error-too-long = { $field } ist zu lang: { $len } Zeichen, höchstens { $max }.
article-error-too-many = Zu viele Einträge bei { $field }: { $count }, höchstens { $max }.
article-error-slug = Die Adresse „{ $slug }“ geht nicht: nur Kleinbuchstaben, Ziffern und einzelne Bindestriche.
article-error-no-slug = Aus der Überschrift lässt sich keine Adresse bilden; bitte geben Sie eine ein.
article-error-slug-taken = Die Adresse „{ $slug }“ hat schon ein anderer Artikel; bitte wählen Sie eine andere.
article-error-no-author = Ein Artikel braucht mindestens eine Autorin oder einen Autor.
article-error-schedule-time = Bitte geben Sie Datum und Uhrzeit der Veröffentlichung an.
article-error-schedule-past = Der Zeitpunkt liegt nicht in der Zukunft. Wählen Sie einen späteren oder veröffentlichen Sie sofort.
article-error-hero-url = Das Aufmacherbild muss auf dieser Website liegen (ein Pfad, der mit / beginnt).
article-error-hero-alt = Das Aufmacherbild braucht einen Alternativtext.
article-error-conflict = Jemand hat diesen Artikel gespeichert, während Sie ihn bearbeitet haben. Ihr Text steht unverändert im Formular; darüber sehen Sie, was die andere Fassung geändert hat. Wenn Sie jetzt speichern, gilt Ihre Fassung.
article-error-invalid = Eine Angabe ist ungültig: { $detail }
article-warning-slug = Dieser Artikel ist veröffentlicht. Ändern Sie seine Adresse, leitet die alte dauerhaft (301) auf die neue weiter. Bitte bestätigen Sie die Änderung.
article-confirm-slug = Ja, die Adresse ändern; die alte leitet weiter.
article-revisions-title = Versionen
article-revision-version = Version
article-revision-saved = Gespeichert
article-revision-current = aktuell
article-revision-replaced = ersetzt am
article-revisions-none = Noch keine früheren Versionen.
article-revision-heading = Von Version { $version } zur aktuellen Version { $current }
article-revision-same = Diese Version gleicht der aktuellen.
article-revision-restore = Diese Version wiederherstellen
article-revision-restore-help = Text, Bild, Themen und Autoren dieser Version werden zur neuen aktuellen Version; Adresse, Status und Veröffentlichung bleiben.
dashboard-subscribers = Newsletter-Abos
dashboard-alerts = Adressen mit Benachrichtigungen
dashboard-upcoming = Als Nächstes geplant
dashboard-recent-drafts = Zuletzt bearbeitete Entwürfe
dashboard-recent-sends = Letzte Aussendungen
dashboard-none = Nichts.

# Staff accounts
admin-users = Zugänge
users-role = Rolle
users-access = Zugang
users-disabled = gesperrt
users-invited = eingeladen, noch ohne Passwort
users-send-link = Link für neues Passwort senden
users-invite = Jemanden einladen
users-invite-button = Einladung senden
users-notice-invited = Die Einladung ist unterwegs.
users-notice-saved = Gespeichert.
users-notice-sent = Der Link für ein neues Passwort ist unterwegs.
users-error-email = Das ist keine gültige E-Mail-Adresse.
users-error-role = Bitte wählen Sie eine Rolle.
users-error-exists = Mit dieser Adresse gibt es schon einen Zugang.
users-error-last-admin = Das ist der letzte Admin mit Zugang; mindestens einer muss bleiben.
account-title = Mein Zugang
account-current = Jetziges Passwort
account-new = Neues Passwort
account-new-help = Mindestens 10 Zeichen.
account-repeat = Neues Passwort wiederholen
account-change = Passwort ändern
account-notice-changed = Ihr Passwort ist geändert; Ihre anderen Sitzungen sind beendet.
account-error-current = Das jetzige Passwort stimmt nicht.
account-error-repeat = Die beiden neuen Passwörter stimmen nicht überein.
account-error-short = Das neue Passwort ist zu kurz: mindestens 10 Zeichen.
account-error-long = Das neue Passwort ist zu lang.
password-title = Passwort wählen
password-for = Für { $email }.
password-save = Passwort speichern
password-invalid = Dieser Link gilt nicht (mehr): Er ist abgelaufen, schon benutzt oder falsch. Bitten Sie eine Administratorin oder einen Administrator um einen neuen.
password-notice-set = Ihr Passwort ist gespeichert. Bitte melden Sie sich an.
mail-password-subject-invite = Ihr Zugang zur Redaktion von { $site }
mail-password-subject-reset = Neues Passwort für die Redaktion von { $site }
mail-password-intro-invite = Sie sind in die Redaktion von { $site } eingeladen, mit der Rolle „{ $role }“. Wählen Sie Ihr Passwort über diesen Link:
mail-password-intro-reset = Für Ihren Zugang zur Redaktion von { $site } wurde ein neues Passwort angefordert. Wählen Sie es über diesen Link:
mail-password-button = Passwort wählen
mail-password-valid = Der Link gilt { $days } Tage und nur einmal.
mail-footer-staff = Diese E-Mail kam, weil eine Administratorin oder ein Administrator von { $site } sie ausgelöst hat.
mail-moderation-subject = { $count ->
    [one] Ein Kommentar wartet auf Freigabe – { $site }
   *[other] { $count } Kommentare warten auf Freigabe – { $site }
}
mail-moderation-intro = { $count ->
    [one] Ein Kommentar wartet
   *[other] { $count } Kommentare warten
} auf eine Entscheidung, der älteste seit { $hours ->
    [0] { $minutes } Minuten
    [1] einer Stunde
   *[other] { $hours } Stunden
}.
mail-moderation-button = Zur Moderation
mail-footer-moderation = Diese E-Mail geht an Moderation und Administration von { $site }, solange Kommentare warten. Wie lange sie warten dürfen, steht in den Einstellungen.

# Newsroom: tags and authors
labels-title-tag = Themen
labels-title-author = Autorinnen und Autoren
labels-new-tag = Neues Thema
labels-new-author = Neue Autorin, neuer Autor
labels-account = Zugang in der Redaktion
labels-account-none = kein Zugang
labels-account-help = Wer mit diesem Zugang einen neuen Artikel beginnt, steht schon als Autorin oder Autor darin.
labels-error-account = Diesen Zugang gibt es nicht.
labels-error-account-taken = Dieser Zugang gehört schon zu einer anderen Autorin oder einem anderen Autor.
labels-name = Name
labels-address = Adresse (Slug)
labels-bio = Kurzbiografie
labels-picture = Bild (Pfad auf dieser Website)
labels-picture-help = Ein Pfad aus der Bilder-Bibliothek, zum Beispiel /media/12/thumb.jpg; leer lassen für kein Bild.
labels-create = Anlegen
labels-none = Noch keine.
labels-rename-help = Eine neue Adresse leitet die alte dauerhaft (301) weiter.
labels-merge = Mit einem anderen Thema zusammenführen
labels-merge-into = Aufgehen in
labels-merge-help = Alle Artikel von „{ $name }“ bekommen das gewählte Thema; „{ $name }“ verschwindet, seine Adresse leitet weiter.
labels-merge-button = Zusammenführen
labels-notice-created = Angelegt.
labels-notice-saved = Gespeichert.
labels-notice-merged = Zusammengeführt.
labels-error-name = Bitte geben Sie einen Namen ein.
labels-error-name-long = Der Name ist zu lang (höchstens 80 Zeichen).
labels-error-slug = Die Adresse geht nicht: nur Kleinbuchstaben, Ziffern und einzelne Bindestriche.
labels-error-taken = „{ $slug }“ ist schon vergeben. Wenn beide dasselbe meinen: zusammenführen.
labels-error-bio-long = Die Kurzbiografie ist zu lang (höchstens 2.000 Zeichen).
labels-error-picture = Das Bild muss auf dieser Website liegen (ein Pfad, der mit / beginnt).
labels-error-merge = Bitte wählen Sie das Thema, in dem es aufgehen soll, und bestätigen Sie mit dem Haken.

# Settings
settings-title = Einstellungen
settings-intro = Änderungen gelten sofort, ohne Neustart. Alles Weitere (Adressen, Datenbank, Mailserver) steht in der Konfigurationsdatei.
settings-notice-saved = Gespeichert; die Änderungen gelten ab sofort.
settings-error-some = Einige Angaben sind ungültig; sie sind unten markiert. Nichts wurde gespeichert.
settings-error-long = Zu lang.
settings-error-url = Bitte eine Adresse mit http:// oder https:// oder nichts.
settings-error-image = Bitte einen Pfad auf dieser Website (mit / am Anfang) oder eine Adresse mit https://.
settings-error-number = Bitte eine Zahl im erlaubten Bereich.
settings-error-choice = Bitte eine der Möglichkeiten wählen.
settings-file-value = In der Konfigurationsdatei: { $value }
settings-group-site = Publikation
settings-group-comments = Kommentarregeln
settings-group-email = Newsletter
settings-group-promotions = Unterstützen und Stellenmarkt
settings-group-discovery = Google News und Bing
setting-site-name = Name
setting-site-description = Beschreibung
setting-site-language = Sprache
setting-site-time_zone = Zeitzone (z. B. Europe/Berlin)
setting-site-logo_url = Logo (Pfad oder Adresse)
setting-site-publisher = Herausgeber mit Postanschrift (steht im Fuß jeder E-Mail)
setting-site-header_menu = Menü im Kopf: je Zeile „Text | /pfad“ oder „Text | https://…“ (leer: die meistgenutzten Themen)
setting-site-footer_menu = Menü im Fuß: je Zeile „Text | /pfad“ (leer: die Seiten der Website; das Impressum ist immer verlinkt)
settings-error-menu = Jede Zeile braucht die Form „Text | /pfad“ oder „Text | https://…“.
setting-comments-hold_all = Jeden Kommentar vor dem Erscheinen prüfen
setting-comments-trust_approved_commenters = Bekannte Kommentatoren ohne Prüfung freischalten
setting-comments-close_after_days = Kommentare schließen nach Tagen (0: nie)
setting-comments-remind_moderators_after_minutes = Moderation per Mail erinnern, wenn ein Kommentar so viele Minuten wartet (0: nie)
setting-comments-max_links = Höchstzahl Links je Kommentar
setting-comments-max_length = Höchstlänge eines Kommentars (Zeichen)
setting-comments-hold_words = Wörter, die einen Kommentar zur Prüfung zurückhalten (eines je Zeile)
setting-comments-reject_words = Wörter, die einen Kommentar abweisen (eines je Zeile)
setting-email-digest = Zusammenfassung
setting-email-digest_hour = Stunde des Versands (0–23)
setting-email-digest_weekday = Wochentag bei wöchentlichem Versand (1 = Montag)
setting-email-digest_articles = Artikel je Zusammenfassung
setting-promotions-support_url = Adresse zum Unterstützen
setting-promotions-support_label = Text des Unterstützen-Links
setting-promotions-job_board_url = Adresse des Stellenmarkts
setting-promotions-job_board_label = Text des Stellenmarkt-Links
setting-discovery-google_news_url = Google-News-Seite der Publikation
setting-discovery-bing_news_url = Bing-News-Seite der Publikation
setting-option-de = Deutsch
setting-option-en = English
setting-option-daily = täglich
setting-option-weekly = wöchentlich
setting-option-off = aus

# Media
admin-media = Bilder
media-upload = Bild hochladen
media-file = Datei
media-file-help = JPEG, PNG, WebP oder GIF, höchstens { $mib } MiB.
media-alt = Alternativtext
media-alt-help = Was auf dem Bild zu sehen ist, für Menschen, die es nicht sehen. Pflicht.
media-credit = Bildnachweis
media-upload-button = Hochladen
media-library = Bibliothek
media-uses = { $count ->
    [0] nirgends verwendet
    [one] einmal verwendet
   *[other] { $count }-mal verwendet
}
media-edit = Beschreibung ändern oder löschen
media-notice-described = Beschreibung gespeichert. Artikel, die das Bild schon zeigen, behalten ihren eigenen Alternativtext.
media-notice-deleted = Bild gelöscht.
media-error-in-use = Das Bild wird noch verwendet und lässt sich nicht löschen.
media-delete-heading = Bild löschen
media-delete-message = Das Bild „{ $alt }“ und alle seine Größen werden endgültig gelöscht. Es wird nirgends verwendet.
media-none = Noch keine Bilder.
media-notice-uploaded = Hochgeladen. Den Pfad für den Artikel finden Sie unten beim Bild.
media-notice-known = Dieses Bild ist schon in der Bibliothek.
media-error-empty = Bitte wählen Sie eine Datei.
media-error-large = Die Datei ist zu groß.
media-error-type = Das ist kein Bild in einem der erlaubten Formate (JPEG, PNG, WebP, GIF) – unabhängig vom Dateinamen.
media-error-pixels = Das Bild ist zu groß (höchstens 12.000 Pixel je Seite).
media-error-broken = Die Datei lässt sich nicht als Bild lesen; sie ist beschädigt oder unvollständig.
media-error-alt = Bitte beschreiben Sie das Bild im Alternativtext.
media-error-alt-long = Der Alternativtext ist zu lang (höchstens 500 Zeichen).
article-hero-help = Ein Pfad auf dieser Website, etwa aus der Bilder-Bibliothek:
article-session-ended-title = Ihre Anmeldung ist abgelaufen
article-session-ended-text = Nichts wurde gespeichert. Ihr Text steht unten: Kopieren Sie ihn, melden Sie sich im neuen Tab wieder an, öffnen Sie den Artikel und fügen Sie ihn dort ein.
article-session-ended-login = Im neuen Tab anmelden
article-error-schedule-live = Dieser Artikel ist online. Planen würde ihn bis zum neuen Zeitpunkt verschwinden lassen; ziehen Sie ihn erst zurück, wenn Sie das wollen.
article-error-date-future = Ein veröffentlichter Artikel kann kein Datum in der Zukunft haben. Ziehen Sie ihn zurück und planen Sie ihn neu.
article-error-unpublish-confirm = Bitte bestätigen Sie das Zurückziehen mit dem Haken.
article-unpublish-confirm = Ja, Leserinnen und Leser sollen den Artikel nicht mehr sehen.

labels-slug-help = Leer lassen, um sie aus dem Namen zu bilden. Nur Kleinbuchstaben, Ziffern und Bindestriche.

labels-merge-choose = – bitte wählen –

labels-merge-confirm = Ja, „{ $name }“ zusammenführen; das lässt sich nicht rückgängig machen.
settings-error-config = Ungültig ({ $detail }).
users-error-disabled = Dieser Zugang ist gesperrt; entsperren Sie ihn zuerst, dann kann ein Link für ein neues Passwort kommen.
article-error-hero-missing = Dieses Bild gibt es in der Bibliothek nicht; wählen Sie einen Pfad aus der Liste.

models-title = Bewertungsmodell
models-intro = Jeder Kommentar wird mit Wortlisten, Spam-Regeln und einem trainierten Modell bewertet. Das Modell lernt von Ihren Moderatorinnen und Moderatoren: Jede Freigabe zählt als unbedenklicher Kommentar, jede Ablehnung als herabwürdigender (außer der Kommentar war nur als themenfremd markiert), jedes „Spam“ als Spam. Trainieren Sie aus diesen Entscheidungen ein neues Modell, vergleichen Sie es an Entscheidungen, die es nie gesehen hat, mit dem aktuellen und wechseln Sie; zurück geht es mit einem Klick. Nichts verlässt diesen Server.
models-in-use = In Gebrauch
models-file = Die Modelldatei { $file } aus der Konfiguration (comments.model_file). Entfernen Sie diese Einstellung, um das eingebaute oder ein hier trainiertes Modell zu verwenden.
models-site-in-use = Modell #{ $id }, trainiert mit den Entscheidungen dieser Website.
models-built-in-in-use = Das eingebaute Modell, trainiert mit { $trained_on }.
models-use-built-in = Zurück zum eingebauten Modell
models-calibration = Was ein Herabwürdigungs-Wert bedeutet
models-calibration-intro = Gemessen an 1.002 deutschen Kommentaren, die das eingebaute Modell nie gesehen hat (GermEval 2018): Von den Kommentaren mit mindestens diesem Wert war dieser Anteil herabwürdigend.
models-score = Wert
models-precision = Herabwürdigend
models-flagged = Kommentare
models-retrain = Neues Modell trainieren
models-decisions = { $total } Entscheidungen zum Lernen: { $fine } freigegeben, { $bad } abgelehnt oder Spam. Gelöschte Kommentare werden nicht aufbewahrt und nicht gezählt.
models-need = Nötig sind mindestens { $min } Entscheidungen, davon je { $each } jeder Art.
models-retrain-button = Neues Modell aus diesen Entscheidungen trainieren
models-site = Hier trainierte Modelle
models-site-caption = Zahlen für jede fünfte Entscheidung, die vom Training zurückgehalten wurde: Genauigkeit und Trefferquote der Markierung mit dem Modell in Gebrauch (vorher) und mit dem neuen (nachher).
models-model = Modell
models-state = Stand
models-decisions-column = Entscheidungen
models-before-after = vorher → nachher
models-actions = Aktionen
models-state-training = wird trainiert
models-state-ready = fertig
models-state-failed = fehlgeschlagen
models-split = { $train } gelernt, { $held_out } zurückgehalten
models-figures = Genauigkeit { $precision }, Trefferquote { $recall }
models-in-use-mark = in Gebrauch
models-use = Modell #{ $id } verwenden
models-reload = Neu laden, um den Fortschritt zu sehen
models-none = Hier wurde noch kein Modell trainiert.
models-notice-queued = Training gestartet. Es läuft im Hintergrund; diese Seite zeigt den Fortschritt.
models-notice-switched = Modell gewechselt. Jeder neue Kommentar wird damit bewertet.
models-error-too-few = Zu wenige Entscheidungen zum Lernen: { $total } ({ $fine } freigegeben, { $bad } abgelehnt oder Spam). Nötig sind mindestens { $min }, davon je { $each } jeder Art. Das aktuelle Modell bleibt.
models-error-busy = Modell #{ $id } wird noch trainiert; bitte warten Sie, bis es fertig ist.

# The site's own pages (issue 22).
admin-pages = Seiten
pages-intro = Seiten, die keine Nachrichten sind: Impressum, Datenschutzerklärung, Über uns. Sie stehen unter ihrer eigenen Adresse, erscheinen im Fußbereich jeder Seite und nicht in Feeds, Sitemaps für Nachrichten, Suche oder Artikellisten.
pages-none = Noch keine Seiten.
page-new = Neue Seite
page-edit = Seite bearbeiten
page-field-title = Titel
page-field-slug = Adresse
page-field-body = Text (Markdown)
page-field-role = Aufgabe
page-slug-help = Kleinbuchstaben, Ziffern und Bindestriche; die Seite steht dann unter /adresse. Leer: aus dem Titel.
page-role-none = keine
page-role-imprint = Impressum
page-role-privacy = Datenschutzerklärung
page-role-help = Das Impressum wird im Fuß jeder Seite und jeder E-Mail verlinkt. Jede Aufgabe hat nur eine Seite.
page-state = Stand
page-published = veröffentlicht
page-draft = Entwurf
page-published-label = Veröffentlicht (sonst nur hier sichtbar)
page-updated = Zuletzt geändert am
page-notice-saved = Die Seite wurde gespeichert.
page-notice-deleted = Die Seite wurde gelöscht.
page-delete = „{ $title }“ löschen
page-delete-confirm = Soll die Seite „{ $title }“ wirklich gelöscht werden? Das lässt sich nicht rückgängig machen, und Links auf ihre Adresse führen danach ins Leere.
page-error-slug = Die Adresse darf nur Kleinbuchstaben, Ziffern und einzelne Bindestriche enthalten.
page-error-reserved = Die Adresse /{ $slug } gehört der Website selbst. Bitte eine andere wählen.
page-error-taken = Unter /{ $slug } steht schon eine andere Seite.
action-cancel = Abbrechen
nav-footer = Über diese Website
mail-imprint = Impressum
dashboard-imprint-missing = Es gibt noch kein Impressum. Eine deutsche Nachrichtenseite braucht eines, von jeder Seite aus mit einem Klick erreichbar.
dashboard-imprint-write = Impressum schreiben

# Why the assessment scored a comment as it did (shown in the moderation queue).
reason-other-language = Auf { $comment ->
    [de] Deutsch
   *[en] Englisch
} geschrieben, der Artikel auf { $article ->
    [de] Deutsch
   *[en] Englisch
}: nicht verglichen
reason-too-short = Zu kurz, um es zu beurteilen
reason-nothing-shared = { $count ->
    [one] Das einzige bezeichnende Wort kommt im Artikel nicht vor
   *[other] Keines der { $count } bezeichnenden Wörter kommt im Artikel vor
}
reason-shared = Ähnlichkeit mit dem Artikel { $percent } %, gemeinsam: { $words }
reason-shared-meaning = Ähnlichkeit mit dem Artikel dem Sinn nach { $percent } % (über Übersetzungen oder Wörter gleicher Bedeutung), gemeinsam: { $words }
reason-attack = Angriff auf eine Person: { $words }
reason-demeaning-word = { $kind ->
    [slur] Abwertende Bezeichnung einer Gruppe
    [dehumanising] Entmenschlichendes Wort
   *[insult] Beleidigung
}: { $words }
reason-quoted = { $kind ->
    [slur] Abwertende Bezeichnung einer Gruppe
    [dehumanising] Entmenschlichendes Wort
   *[insult] Beleidigung
} in Anführungszeichen (zitiert): { $words }
reason-self-aimed = { $kind ->
    [slur] Abwertende Bezeichnung
    [dehumanising] Entmenschlichendes Wort
   *[insult] Beleidigung
} gegen sich selbst: { $words }
reason-shouting = Fast alles in Großbuchstaben
reason-model = Das Modell schätzt { $percent } %
reason-model-words = Das Modell schätzt { $percent } %, vor allem wegen { $words }
reason-hidden-address = Eine Adresse, auseinandergeschrieben, um sie zu verbergen: { $host }
reason-links = { $count ->
    [one] Ein Link
   *[other] { $count } Links
}
reason-shortened-link = Ein gekürzter Link, der sein Ziel verbirgt: { $host }
reason-risky-domain = Eine Adresse unter einer Endung, die meist für Spam genutzt wird: { $host }
reason-spam-phrase = Typische Spam-Wendung: { $words }
reason-repeat = Wiederholt einen früheren Kommentar
reason-repeats-itself = Wiederholt sich selbst
reason-call-to-action = Aufforderung zum Klicken mit Link
reason-percent-offer = Rabatt oder Garantie in Prozent
reason-price-link = Ein Preis mit Link
reason-phone = Eine Telefonnummer: { $words }
reason-handle = Ein Messenger-Name zum Anschreiben: { $words }
reason-messenger = Bittet um Kontakt über einen Messenger
reason-email-address = Eine E-Mail-Adresse zum Anschreiben: { $words }
reason-earnings = Verspricht Verdienst für wenig Arbeit
reason-recovery = Bietet an, verlorenes Geld oder Krypto zurückzuholen
reason-private-contact = Bittet Leserinnen und Leser um privaten Kontakt
reason-exclamations = Viele Ausrufezeichen
reason-honeypot = Verstecktes Fallenfeld ausgefüllt
reason-too-fast = { $seconds ->
    [one] Eine Sekunde
   *[other] { $seconds } Sekunden
} nach dem Laden der Seite abgeschickt
reason-imported = Aus WordPress übernommen

# Newsroom: subscribers
subscribers-title = Abonnentinnen und Abonnenten
subscribers-search = Adresse enthält
subscribers-count = { $count ->
    [one] Eine Adresse
   *[other] { $count } Adressen
}
subscribers-export = Newsletter-Abos als CSV exportieren
subscribers-alerts = Benachrichtigungen
subscribers-since = Seit
subscribers-source = Formular
subscribers-bouncing = unzustellbar
subscribers-none = Keine Adresse gefunden.
subscribers-status-active = aktiv
subscribers-status-pending = unbestätigt
subscribers-status-off = abbestellt
import-heading = Liste importieren
import-intro = Eine CSV-Datei mit einer Adresse je Zeile in der ersten Spalte (Komma oder Semikolon, höchstens { $lines } Zeilen, UTF-8). Wer hier abbestellt hat oder gelöscht wurde, bleibt draußen; wer schon angemeldet ist, bleibt, wie er ist.
import-file = CSV-Datei
import-consent-legend = Einwilligung
import-consent-double = Jede Adresse bekommt eine Bestätigungs-E-Mail und erhält den Newsletter erst nach der Bestätigung (empfohlen)
import-consent-given = Die Leserinnen und Leser haben schon anderswo eingewilligt: sofort aktiv
import-statement = Wo und wie wurde eingewilligt?
import-statement-hint = Wird bei jeder Adresse als Einwilligung gespeichert, zum Beispiel „Newsletter-Anmeldung auf der alten Website mit Double-Opt-In, 2019–2026“. Pflicht, wenn die Adressen sofort aktiv werden.
import-submit = Importieren
import-consent-record = { $statement } (importiert von { $who })
import-report-heading = Import abgeschlossen
import-report-added = { $count ->
    [one] Eine Adresse aufgenommen.
   *[other] { $count } Adressen aufgenommen.
}
import-report-confirmations = { $count ->
    [one] Eine Bestätigungs-E-Mail geht raus.
   *[other] { $count } Bestätigungs-E-Mails gehen raus.
}
import-report-already = { $count ->
    [one] Eine Adresse war schon angemeldet und bleibt, wie sie ist.
   *[other] { $count } Adressen waren schon angemeldet und bleiben, wie sie sind.
}
import-report-duplicates = { $count ->
    [one] Eine Adresse stand doppelt in der Datei.
   *[other] { $count } Adressen standen doppelt in der Datei.
}
import-report-kept-out = { $count ->
    [one] Eine Adresse hat hier abbestellt oder wurde gelöscht und wurde nicht aufgenommen.
   *[other] { $count } Adressen haben hier abbestellt oder wurden gelöscht und wurden nicht aufgenommen.
}
import-report-lines = Zeilen:
import-report-invalid = { $count ->
    [one] Eine Zeile enthält keine gültige Adresse:
   *[other] { $count } Zeilen enthalten keine gültige Adresse:
}
import-report-line = Zeile { $line }
import-error-file = Bitte wählen Sie eine CSV-Datei mit mindestens einer Adresse.
import-error-encoding = Die Datei ist nicht in UTF-8 gespeichert. Bitte speichern Sie sie als „CSV UTF-8“.
import-error-lines = Die Datei hat zu viele Zeilen. Bitte teilen Sie sie auf.
import-error-too-large = Die Datei ist zu groß. Bitte teilen Sie sie auf.
import-error-consent = Bitte wählen Sie, wie eingewilligt wurde.
import-error-statement = Bitte schreiben Sie, wo und wie die Leserinnen und Leser eingewilligt haben (mindestens 10 Zeichen).

# Newsroom: article preview and pre-publish check
preview-title = Vorschau: { $title }
preview-banner = Vorschau.
preview-banner-text = So sehen Leserinnen und Leser den Artikel, sobald er erscheint. Diese Seite ist nicht öffentlich.
preview-refused-text = Schließen Sie diesen Tab, korrigieren Sie das im Editor und zeigen Sie die Vorschau noch einmal.
check-heading-publish = Vor dem Veröffentlichen
check-heading-schedule = Vor dem Einplanen
check-missing = Dem Artikel fehlt, was Leserinnen, Leser und Suchmaschinen erwarten:
check-complete = Aufmacherbild mit Alternativtext, Vorspann und Themen sind da.
check-no-hero = ein Aufmacherbild (Startseite, Feeds und geteilte Links zeigen sonst keins)
check-no-hero-alt = ein Alternativtext für das Aufmacherbild
check-no-lead = ein Vorspann
check-no-tags = mindestens ein Thema
check-no-image-alt = ein Alternativtext für jedes Bild im Text (![Beschreibung](…))
check-alerts = { $count ->
    [0] Keine Benachrichtigung geht raus: Niemand hat um Artikel wie diesen gebeten.
    [one] Eine Leserin oder ein Leser bekommt eine Benachrichtigung per E-Mail.
   *[other] { $count } Leserinnen und Leser bekommen eine Benachrichtigung per E-Mail.
}
check-go-publish = Jetzt veröffentlichen
check-go-schedule = Jetzt einplanen
check-or-fix = oder unten ergänzen und erneut wählen.
article-error-new-author = { $count ->
    [one] Die Autorin oder den Autor { $names } gibt es noch nicht. Wählen Sie aus der Liste, oder legen Sie sie bewusst neu an.
   *[other] Diese Autorinnen und Autoren gibt es noch nicht: { $names }. Wählen Sie aus der Liste, oder legen Sie sie bewusst neu an.
}
article-create-authors = Ja, neu anlegen (mit eigener öffentlicher Autorenseite)
picker-summary = Bild aus der Mediathek wählen
picker-help = Ein gewähltes Bild wird beim Speichern das Aufmacherbild, mit seinem Alternativtext und Nachweis. Für ein Bild im Text kopieren Sie die Zeile daneben in den Text.
picker-keep = Das Bild im Feld oben behalten
autosave-kept = Eine automatisch gesicherte Fassung ist neuer als die gespeicherte, von
autosave-restore = Diese Fassung wiederherstellen
autosave-saved = Automatisch gesichert um
autosave-failed = Automatisches Sichern gerade nicht möglich; bitte speichern Sie selbst.
article-field-hero-upload = Oder ein neues Bild hochladen
article-hero-upload-help = Es kommt in die Mediathek und wird beim Speichern das Aufmacherbild, mit dem Alternativtext und Nachweis darunter (der Alternativtext ist dann Pflicht).

# Die Schlüssel der Content-API (/admin/integrations)
integrations-title = Integrationen
integrations-intro = Programme lesen veröffentlichte Artikel, Themen, Autorinnen und Autoren, freigegebene Kommentare und Stellenanzeigen als JSON, mit einem Schlüssel von dieser Seite. Die API und ihre Beschreibung:
integration-keys = API-Schlüssel
integration-name = Name
integration-key = Schlüssel
integration-origins = Web-Ursprünge
integration-origins-label = Web-Ursprünge, die den Schlüssel im Browser nutzen dürfen, einer pro Zeile (zum Beispiel https://example.org; * für alle; leer für keine)
integration-rate = Anfragen pro Minute
integration-created = Angelegt
integration-used = Zuletzt genutzt
integration-none = Noch keine Schlüssel.
integration-new = Neuer Schlüssel
integration-create = Schlüssel anlegen
integration-made = Der Schlüssel „{ $name }“ wurde angelegt. Kopieren Sie ihn jetzt: Er wird nur dieses eine Mal gezeigt.
integration-revoked = widerrufen am { $date }
integration-revoke-button = Widerrufen
integration-revoke = „{ $name }“ widerrufen
integration-revoke-confirm = Den Schlüssel „{ $name }“ widerrufen? Programme, die ihn nutzen, werden ab sofort abgewiesen. Das lässt sich nicht rückgängig machen.
integration-notice-revoked = Der Schlüssel wurde widerrufen.
integration-error-name = Geben Sie dem Schlüssel einen Namen mit höchstens 80 Zeichen.
integration-error-origin = Jeder Web-Ursprung muss wie https://example.org aussehen (ohne Pfad) oder * sein; höchstens 20.
integration-error-rate = Anfragen pro Minute müssen eine Zahl von 1 bis 100000 sein.

# Webhooks (/admin/integrations)
webhooks-title = Webhooks
webhooks-intro = Ein Webhook ist eine Adresse auf einem anderen Server, an die ein signierter JSON-POST geht, wenn hier etwas geschieht. Antwortet der Empfänger nicht richtig, wird es mit wachsenden Pausen etwa vier Stunden lang erneut versucht.
webhooks-back = Zurück zu den Integrationen
webhook-url = Adresse (URL)
webhook-events = Ereignisse
webhook-last = Letzte Zustellung
webhook-open = Zustellungen und Geheimnis
webhook-none = Noch keine Webhooks.
webhook-new = Neuer Webhook
webhook-create = Webhook eintragen
webhook-title = Webhook
webhook-secret = Geheimnis
webhook-signing = Jede Zustellung trägt die Kopfzeilen Newsdesk-Event, Newsdesk-Delivery (bei jedem Versuch gleich) und Newsdesk-Signature: t=ZEIT,v1=HMAC; HMAC ist das hexadezimale HMAC-SHA256 von „ZEIT.INHALT“ mit dem Geheimnis. Prüfen Sie es (nach einer Erneuerung gibt es einen Tag lang ein zweites v1=: nehmen Sie die Zustellung an, wenn eines passt) und weisen Sie Zeiten zurück, die älter als fünf Minuten sind.
webhook-ping = Testereignis senden
webhook-deliveries = Letzte Zustellungen (höchstens { $count })
webhook-time = Zeit
webhook-event = Ereignis
webhook-status = Antwort
webhook-duration = Dauer
webhook-delivery = Zustellung
webhook-failed = fehlgeschlagen
webhook-no-answer = keine Antwort
webhook-no-deliveries = Noch nichts zugestellt.
webhook-delete-button = Webhook entfernen
webhook-delete = Webhook entfernen
webhook-delete-confirm = Den Webhook an { $url } entfernen? Es wird nichts mehr dorthin gesendet, und seine Zustellungen werden vergessen.
webhook-notice-saved = Der Webhook wurde eingetragen. Geben Sie dem Empfänger sein Geheimnis.
webhook-notice-changed = Adresse und Ereignisse des Webhooks wurden gespeichert; sein Geheimnis bleibt.
webhook-change = Adresse und Ereignisse
webhook-save = Adresse und Ereignisse speichern
webhook-resend = Erneut senden
webhook-notice-resent = Die Zustellung ist erneut unterwegs, mit derselben Newsdesk-Delivery und frischer Signatur; laden Sie die Seite neu, um die Antwort zu sehen.
webhook-roll = Geheimnis erneuern
webhook-roll-help = Ein neues Geheimnis signiert jede Zustellung; das bisherige signiert einen Tag lang daneben, damit der Empfänger wechseln kann, ohne eine abzulehnen.
webhook-rolling = Bis { $until } tragen Zustellungen eine zweite v1=-Signatur mit dem Geheimnis, das dieses ersetzt hat.
webhook-notice-rolled = Das Geheimnis wurde erneuert. Geben Sie das neue innerhalb eines Tages an den Empfänger weiter.
webhook-notice-sent = Ein Testereignis ist unterwegs; laden Sie die Seite neu, um die Antwort zu sehen.
integration-notice-deleted = Der Webhook wurde entfernt.
webhook-error-url = Die Adresse muss eine http- oder https-URL mit höchstens 2000 Zeichen sein.
webhook-error-events = Wählen Sie mindestens ein Ereignis.
webhook-error-private = { $host } ist eine Loopback-, private oder Link-Local-Adresse, an die dieser Server nicht senden darf. Der Betreiber kann sie in der Konfiguration unter [outgoing] erlauben.
webhook-error-unreachable = Die Adresse ist nicht erreichbar: { $error }
webhook-error-many = Eine Seite kann höchstens { $count } Webhooks haben.

## Das soziale Netz (ActivityPub)
social-title = Soziales Netz
social-intro = Leser folgen der Publikation von Mastodon und anderen ActivityPub-Servern aus als
social-off = Die Publikation ist nicht im sozialen Netz: [activitypub] enabled ist in der Konfiguration false.
social-followers = { $count ->
    [one] Ein Follower
   *[other] { $count } Follower
}
social-account = Konto
social-name = Name
social-since = Seit
social-no-followers = Noch folgt niemand.
social-reactions = Am meisten gemocht und geteilt
social-article = Artikel
social-likes = Likes
social-boosts = Geteilt
social-no-reactions = Noch keine Likes oder geteilten Beiträge.
social-blocks = Gesperrt
social-blocks-intro = Ein gesperrtes Konto oder ein gesperrter Server kann nicht folgen, antworten, liken oder teilen; seine Anfragen werden abgewiesen und nichts wird an ihn zugestellt.
social-blocked = Konto oder Server
social-kind = Art
social-kind-account = Konto
social-kind-domain = Server
social-unblock = Entsperren
social-no-blocks = Nichts ist gesperrt.
social-block-label = Konto (@name@server) oder Server (server.example)
social-block = Sperren
social-block-error = Geben Sie ein Konto als @name@server oder einen Server als server.example an.
social-notice-saved = Gesperrt.
social-notice-deleted = Die Sperre wurde aufgehoben.
comment-from-social = aus dem sozialen Netz

## Analytics (/admin/analytics)
analytics-title = Reichweite
analytics-intro = Was gelesen wird, gezählt auf diesem Server: ohne Cookies, ohne Skripte, ohne fremde Dienste. Crawler werden getrennt gezählt; aus diesen Zahlen lässt sich niemand erkennen.
analytics-off = Die Zählung ist ausgeschaltet ([analytics] enabled = false): Die Zahlen enden dort, wo sie ausgeschaltet wurde.
analytics-periods = Zeitraum
analytics-period-day = Letzte 24 Stunden
analytics-period-week = Letzte 7 Tage
analytics-period-month = Letzte 30 Tage
analytics-period-year = Letzte 12 Monate
analytics-range-from = Von
analytics-range-to = Bis
analytics-range-show = Diese Tage zeigen
analytics-views-chart-range = Seitenaufrufe pro Tag, { $first } bis { $last }
analytics-views = Seitenaufrufe
analytics-visitors = Besucher
analytics-bots = Crawler-Abrufe (nicht als Aufrufe gezählt)
analytics-visitors-hint = Besucher werden je Tag geschätzt (auf etwa 2 % genau), ohne etwas zu speichern, das sie erkennbar macht; über mehrere Tage sind sie die Summe der Tage, wer wiederkommt, zählt also an jedem Tag.
analytics-views-over-time = Seitenaufrufe im Verlauf
analytics-views-chart-day = Seitenaufrufe je Stunde, letzte 24 Stunden
analytics-views-chart-week = Seitenaufrufe je Tag, letzte 7 Tage
analytics-views-chart-month = Seitenaufrufe je Tag, letzte 30 Tage
analytics-views-chart-year = Seitenaufrufe je Monat, letzte 12 Monate
analytics-chart-summary = Insgesamt { $total }; am meisten: { $max } ({ $label }).
analytics-as-table = Als Tabelle
analytics-when = Wann
analytics-csv = Als CSV herunterladen
analytics-top-articles = Meistgelesene Artikel
analytics-deleted-article = Gelöschter Artikel (Nr. { $id })
analytics-nothing = In diesem Zeitraum nichts gezählt.
analytics-top-pages = Meistbesuchte Seiten
analytics-address = Adresse
analytics-sources = Woher die Leser kamen
analytics-source = Quelle
analytics-referrers = Verweisende Websites
analytics-referrer = Website
analytics-medium-search = Suchmaschinen
analytics-medium-social = Soziale Netzwerke und Messenger
analytics-medium-newsletter = Newsletter und E-Mail
analytics-medium-link = Andere Websites
analytics-medium-internal = Eigene Seiten
analytics-medium-direct = Direkt (ohne Verweis)
analytics-devices = Geräte
analytics-device = Gerät
analytics-device-desktop = Computer
analytics-device-mobile = Telefon
analytics-device-tablet = Tablet
analytics-device-bot = Crawler
analytics-searches = Suchen
analytics-searches-hint = Aufgeführt sind nur Suchen, die in diesem Zeitraum mindestens { $k }-mal gestellt wurden: Eine seltenere könnte verraten, wer gesucht hat.
analytics-search = Suche
analytics-search-count = Suchen
analytics-found-nothing = Ohne Treffer
analytics-empty-searches = Suchen ohne Treffer
analytics-article-title = Leser von „{ $title }“
analytics-published = Veröffentlicht
analytics-edit-article = Artikel bearbeiten
analytics-read-article = Auf der Website lesen
analytics-first-hours = Seitenaufrufe in den ersten 72 Stunden
analytics-by-day = Seitenaufrufe je Tag seit Veröffentlichung
analytics-day-n = Tag { $n }
analytics-article-views = { $views ->
    [one] Bisher ein Seitenaufruf
   *[other] Bisher { $views } Seitenaufrufe
}.
analytics-article-details = Leser im Verlauf
analytics-mail = Newsletter und Hinweise
analytics-mail-hint = Gezählt je Versand, nie je Leser: Alle Empfänger eines Versands bekommen dieselben Links. Ein Klick zählt, wenn ein Link über diese Website aufgerufen wird; Crawler und Link-Scanner, die sich zu erkennen geben, zählen nicht. Abmeldungen zählen Leser, die über den Link des Versands gegangen sind.
analytics-mailing = Versand
analytics-mailing-sent = Verschickt
analytics-mailing-campaign = Newsletter
analytics-mailing-alert = Hinweise
analytics-mailing-alert_summary = Zusammenfassungen
analytics-delivered = Zugestellt
analytics-bounced = Abgewiesen
analytics-failed = Gescheitert
analytics-unsubscribes = Abgemeldet
analytics-clicks = Klicks
analytics-links = Meistgeklickte Links
analytics-link = Link
newsletter-performance = Wirkung
newsletter-links-caption = Klicks je Link
