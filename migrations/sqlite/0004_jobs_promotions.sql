-- Job listings (written in the admin area or imported from a partner feed), the partner feed's
-- import runs, and promotions placed in the page's slots.

CREATE TABLE jobs (
    id                INTEGER PRIMARY KEY,
    -- 'manual' for listings written in the admin area, 'feed' for imported ones.
    source            TEXT NOT NULL CHECK (source IN ('manual', 'feed')),
    -- The partner feed's id of an imported listing.
    external_id       TEXT,
    title             TEXT NOT NULL,
    employer          TEXT NOT NULL,
    location          TEXT NOT NULL,
    workplace         TEXT NOT NULL CHECK (workplace IN ('remote', 'hybrid', 'onsite')),
    kind              TEXT NOT NULL,
    description_md    TEXT NOT NULL,
    description_html  TEXT NOT NULL,
    apply_url         TEXT NOT NULL,
    posted_at         INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    -- Set when the listing left the partner feed or an editor took it down.
    withdrawn_at      INTEGER,
    -- 'feed' or 'editor': the feed never brings back what an editor took down.
    withdrawn_by      TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX jobs_current ON jobs (expires_at, posted_at);

CREATE TABLE job_imports (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    withdrawn   INTEGER NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_imports_started_at ON job_imports (started_at);

CREATE TABLE promotions (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('book', 'support', 'newsletter', 'custom')),
    title         TEXT NOT NULL,
    text          TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL,
    image_url     TEXT,
    slot          TEXT NOT NULL CHECK (slot IN ('sidebar', 'after_article', 'cta')),
    position      INTEGER NOT NULL DEFAULT 0,
    -- Paid or affiliate: the link carries rel="sponsored".
    sponsored     INTEGER NOT NULL DEFAULT 0,
    active_from   INTEGER,
    active_until  INTEGER,
    clicks        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX promotions_slot ON promotions (slot, position);
