-- Analytics (`analytics`): readers' page views counted on the server, summed per hour ('h') and
-- per day of the publication's calendar ('d'); `at` is the hour's or the day's first second.
-- Each node adds its counts to the same rows, so totals over nodes are sums.
CREATE TABLE analytics_pages (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd')),
    at              BIGINT NOT NULL,
    -- The page's path, without its query, at most 200 bytes.
    path            TEXT NOT NULL,
    -- The article it shows, when it is an article's page (no reference: the counts outlive it).
    article_id      BIGINT,
    views           BIGINT NOT NULL,
    PRIMARY KEY (span, at, path)
);
CREATE INDEX analytics_pages_article ON analytics_pages (article_id, span, at) WHERE article_id IS NOT NULL;

-- Where readers came from: the kind ('search', 'social', 'newsletter', 'link', 'internal',
-- 'direct') and the referrer's host only, never its address.
CREATE TABLE analytics_sources (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd')),
    at              BIGINT NOT NULL,
    medium          TEXT NOT NULL,
    referrer        TEXT NOT NULL,
    views           BIGINT NOT NULL,
    PRIMARY KEY (span, at, medium, referrer)
);

-- Views by kind of device; crawlers as 'bot', the only place they are counted.
CREATE TABLE analytics_devices (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd')),
    at              BIGINT NOT NULL,
    device          TEXT NOT NULL,
    views           BIGINT NOT NULL,
    PRIMARY KEY (span, at, device)
);

-- The words readers searched for (lower case, at most 100 bytes) and how many of those searches
-- found nothing. The dashboard lists only terms searched at least k times in its period.
CREATE TABLE analytics_searches (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd')),
    at              BIGINT NOT NULL,
    term            TEXT NOT NULL,
    searches        BIGINT NOT NULL,
    empty           BIGINT NOT NULL,
    PRIMARY KEY (span, at, term)
);

-- Each node's HyperLogLog sketch of a day's different visitors (4,096 registers, base64); the
-- day's figure merges the nodes' sketches. No hash or address is stored.
CREATE TABLE analytics_visitors (
    day             BIGINT NOT NULL,
    node            TEXT NOT NULL,
    sketch          TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (day, node)
);

-- The random key of each day's visitor hashes, shared by the nodes; deleted when the day is over.
CREATE TABLE analytics_salts (
    day             BIGINT PRIMARY KEY,
    salt            TEXT NOT NULL
);
