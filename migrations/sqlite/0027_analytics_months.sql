-- Analytics by month ('m'), beside the hours and days: the dashboard's year reads twelve months
-- of rows rather than 365 days of them. A month is the publication's calendar month; `at` is its
-- first second (rows made here from the days before, by the month of each day, take the month's
-- first day that has counts).
--
-- SQLite cannot change a CHECK in place, so each table is made again, now WITHOUT ROWID: its rows
-- are kept in key order, and a period's rows (span, then time) are read in one sweep with their
-- counts, without a lookup per row.

CREATE TABLE analytics_pages_new (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd', 'm')),
    at              INTEGER NOT NULL,
    path            TEXT NOT NULL,
    article_id      INTEGER,
    views           INTEGER NOT NULL,
    PRIMARY KEY (span, at, path)
) WITHOUT ROWID;
INSERT INTO analytics_pages_new (span, at, path, article_id, views) SELECT span, at, path, article_id, views FROM analytics_pages;
DROP TABLE analytics_pages;
ALTER TABLE analytics_pages_new RENAME TO analytics_pages;
INSERT INTO analytics_pages (span, at, path, article_id, views)
SELECT 'm', MIN(at), path, MAX(article_id), SUM(views) FROM analytics_pages WHERE span = 'd' GROUP BY strftime('%Y-%m', at + 43200, 'unixepoch'), path;

CREATE TABLE analytics_sources_new (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd', 'm')),
    at              INTEGER NOT NULL,
    medium          TEXT NOT NULL,
    referrer        TEXT NOT NULL,
    views           INTEGER NOT NULL,
    PRIMARY KEY (span, at, medium, referrer)
) WITHOUT ROWID;
INSERT INTO analytics_sources_new (span, at, medium, referrer, views) SELECT span, at, medium, referrer, views FROM analytics_sources;
DROP TABLE analytics_sources;
ALTER TABLE analytics_sources_new RENAME TO analytics_sources;
INSERT INTO analytics_sources (span, at, medium, referrer, views)
SELECT 'm', MIN(at), medium, referrer, SUM(views) FROM analytics_sources WHERE span = 'd' GROUP BY strftime('%Y-%m', at + 43200, 'unixepoch'), medium, referrer;

CREATE TABLE analytics_devices_new (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd', 'm')),
    at              INTEGER NOT NULL,
    device          TEXT NOT NULL,
    views           INTEGER NOT NULL,
    PRIMARY KEY (span, at, device)
) WITHOUT ROWID;
INSERT INTO analytics_devices_new (span, at, device, views) SELECT span, at, device, views FROM analytics_devices;
DROP TABLE analytics_devices;
ALTER TABLE analytics_devices_new RENAME TO analytics_devices;
INSERT INTO analytics_devices (span, at, device, views)
SELECT 'm', MIN(at), device, SUM(views) FROM analytics_devices WHERE span = 'd' GROUP BY strftime('%Y-%m', at + 43200, 'unixepoch'), device;

CREATE TABLE analytics_searches_new (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd', 'm')),
    at              INTEGER NOT NULL,
    term            TEXT NOT NULL,
    searches        INTEGER NOT NULL,
    empty           INTEGER NOT NULL,
    PRIMARY KEY (span, at, term)
) WITHOUT ROWID;
INSERT INTO analytics_searches_new (span, at, term, searches, empty) SELECT span, at, term, searches, empty FROM analytics_searches;
DROP TABLE analytics_searches;
ALTER TABLE analytics_searches_new RENAME TO analytics_searches;
INSERT INTO analytics_searches (span, at, term, searches, empty)
SELECT 'm', MIN(at), term, SUM(searches), SUM(empty) FROM analytics_searches WHERE span = 'd' GROUP BY strftime('%Y-%m', at + 43200, 'unixepoch'), term;

CREATE TABLE analytics_clicks_new (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd', 'm')),
    at              INTEGER NOT NULL,
    link_id         INTEGER NOT NULL,
    clicks          INTEGER NOT NULL,
    PRIMARY KEY (span, at, link_id)
) WITHOUT ROWID;
INSERT INTO analytics_clicks_new (span, at, link_id, clicks) SELECT span, at, link_id, clicks FROM analytics_clicks;
DROP TABLE analytics_clicks;
ALTER TABLE analytics_clicks_new RENAME TO analytics_clicks;
INSERT INTO analytics_clicks (span, at, link_id, clicks)
SELECT 'm', MIN(at), link_id, SUM(clicks) FROM analytics_clicks WHERE span = 'd' GROUP BY strftime('%Y-%m', at + 43200, 'unixepoch'), link_id;

CREATE INDEX analytics_pages_article ON analytics_pages (article_id, span, at) WHERE article_id IS NOT NULL;
