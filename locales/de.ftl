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
tags = Schlagworte

research-heading = Weiter recherchieren
research-intro = Suchen Sie nach „{ $title }“ bei:
research-google = Google
research-bing = Bing
research-google-news = Google News

follow-heading = Nichts verpassen?
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
