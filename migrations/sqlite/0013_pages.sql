-- The site's own pages: Impressum, privacy notice, about us (issue 22). Served at /{slug};
-- kept out of feeds, the news sitemap, search and article lists.
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    body_md     TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    -- What the site looks the page up for: 'imprint' or 'privacy'; at most one page each.
    role        TEXT UNIQUE CHECK (role IN ('imprint', 'privacy')),
    published   INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
);
