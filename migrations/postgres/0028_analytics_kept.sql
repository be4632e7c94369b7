-- The lists of the dashboard (most visited pages, most read articles, top searches and searches
-- that found nothing) over a week, 30 days or a year would sum every row of the period: at 100
-- million views a year, 137,000 monthly page rows and 230,000 search rows. Once a day or a month
-- is over, its rows that can reach such a list are copied here: the day's or month's 1,000 most
-- visited paths and the paths of its 1,000 most read articles; its 1,000 most frequent searches
-- and 1,000 searches that most often found nothing. A list of a period sums these for the days
-- or months that are over and every row for the rest. The CSV exports still sum every row.

CREATE TABLE analytics_kept_pages (
    span            TEXT NOT NULL CHECK (span IN ('d', 'm')),
    at              BIGINT NOT NULL,
    path            TEXT NOT NULL,
    article_id      BIGINT,
    views           BIGINT NOT NULL,
    PRIMARY KEY (span, at, path)
);

CREATE TABLE analytics_kept_searches (
    span            TEXT NOT NULL CHECK (span IN ('d', 'm')),
    at              BIGINT NOT NULL,
    term            TEXT NOT NULL,
    searches        BIGINT NOT NULL,
    empty           BIGINT NOT NULL,
    PRIMARY KEY (span, at, term)
);

-- How far each level is sealed: every day ('d') or month ('m') whose rows start before `until`
-- has its kept rows above. Flushes that arrive later for such a day add to the kept rows too.
CREATE TABLE analytics_sealed (
    span            TEXT PRIMARY KEY CHECK (span IN ('d', 'm')),
    until           BIGINT NOT NULL
);

-- A list reads a few tens of thousands of these rows: on a small machine, parallel workers cost
-- more to start and gather than they save (measured on 2 cores: 80 against 40 ms for the 30
-- days' pages).
ALTER TABLE analytics_kept_pages SET (parallel_workers = 0);
ALTER TABLE analytics_kept_searches SET (parallel_workers = 0);
