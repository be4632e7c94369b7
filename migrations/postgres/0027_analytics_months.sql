-- Analytics by month ('m'), beside the hours and days: the dashboard's year reads twelve months
-- of rows rather than 365 days of them. A month is the publication's calendar month; `at` is its
-- first second (rows made here from the days before, by the month of each day, take the month's
-- first day that has counts).

ALTER TABLE analytics_pages DROP CONSTRAINT analytics_pages_span_check;
ALTER TABLE analytics_pages ADD CONSTRAINT analytics_pages_span_check CHECK (span IN ('h', 'd', 'm'));
INSERT INTO analytics_pages (span, at, path, article_id, views)
SELECT 'm', MIN(at), path, MAX(article_id), SUM(views) FROM analytics_pages WHERE span = 'd' GROUP BY to_char(to_timestamp(at + 43200) AT TIME ZONE 'UTC', 'YYYY-MM'), path;

ALTER TABLE analytics_sources DROP CONSTRAINT analytics_sources_span_check;
ALTER TABLE analytics_sources ADD CONSTRAINT analytics_sources_span_check CHECK (span IN ('h', 'd', 'm'));
INSERT INTO analytics_sources (span, at, medium, referrer, views)
SELECT 'm', MIN(at), medium, referrer, SUM(views) FROM analytics_sources WHERE span = 'd' GROUP BY to_char(to_timestamp(at + 43200) AT TIME ZONE 'UTC', 'YYYY-MM'), medium, referrer;

ALTER TABLE analytics_devices DROP CONSTRAINT analytics_devices_span_check;
ALTER TABLE analytics_devices ADD CONSTRAINT analytics_devices_span_check CHECK (span IN ('h', 'd', 'm'));
INSERT INTO analytics_devices (span, at, device, views)
SELECT 'm', MIN(at), device, SUM(views) FROM analytics_devices WHERE span = 'd' GROUP BY to_char(to_timestamp(at + 43200) AT TIME ZONE 'UTC', 'YYYY-MM'), device;

ALTER TABLE analytics_searches DROP CONSTRAINT analytics_searches_span_check;
ALTER TABLE analytics_searches ADD CONSTRAINT analytics_searches_span_check CHECK (span IN ('h', 'd', 'm'));
INSERT INTO analytics_searches (span, at, term, searches, empty)
SELECT 'm', MIN(at), term, SUM(searches), SUM(empty) FROM analytics_searches WHERE span = 'd' GROUP BY to_char(to_timestamp(at + 43200) AT TIME ZONE 'UTC', 'YYYY-MM'), term;

ALTER TABLE analytics_clicks DROP CONSTRAINT analytics_clicks_span_check;
ALTER TABLE analytics_clicks ADD CONSTRAINT analytics_clicks_span_check CHECK (span IN ('h', 'd', 'm'));
INSERT INTO analytics_clicks (span, at, link_id, clicks)
SELECT 'm', MIN(at), link_id, SUM(clicks) FROM analytics_clicks WHERE span = 'd' GROUP BY to_char(to_timestamp(at + 43200) AT TIME ZONE 'UTC', 'YYYY-MM'), link_id;
