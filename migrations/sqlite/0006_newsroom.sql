-- The newsroom in the browser: who saved what, and the old addresses of renamed articles.

-- The user whose save made the current version (NULL for imports and the command line).
ALTER TABLE articles ADD COLUMN modified_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- When each kept version was saved, and by whom.
ALTER TABLE article_revisions ADD COLUMN saved_at INTEGER;
ALTER TABLE article_revisions ADD COLUMN saved_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- A published article whose slug changed keeps answering at its old address with a 301.
CREATE TABLE slug_redirects (
    old_slug    TEXT PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX slug_redirects_article ON slug_redirects (article_id);

-- An author's picture: a path on this site.
ALTER TABLE authors ADD COLUMN picture_url TEXT;

-- Renamed or merged tags and authors keep answering at their old addresses with a 301.
CREATE TABLE label_redirects (
    kind        TEXT NOT NULL CHECK (kind IN ('tag', 'author')),
    old_slug    TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, old_slug)
);

-- What an import brought in, so a second run of the same file changes nothing: the source
-- (e.g. "wordpress:https://old.example"), the thing there ("post:12", "comment:40") and ours.
CREATE TABLE import_map (
    source      TEXT NOT NULL,
    source_key  TEXT NOT NULL,
    local_id    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (source, source_key)
);

-- Settings changed in the browser, each a JSON value over the configuration file's; the row
-- '#revision' counts the saves, so every node notices a change and applies it.
CREATE TABLE settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
);

-- Uploaded pictures. The files live in the data folder under media/{id}/: the original and
-- the variants pages, feeds and social cards use.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    content_hash  TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'gif', 'webp')),
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    alt           TEXT NOT NULL,
    credit        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL
);
