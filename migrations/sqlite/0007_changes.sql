-- The change log: every write that changes what readers see adds a row in its own
-- transaction. Each node (or process) follows it to drop the cached pages the change touched
-- and to bring its own search index up to date, polling every second. Rows older than a day
-- are removed.
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The article whose pages and index entry changed, read again when the row is applied.
    article_id  INTEGER,
    -- Further scopes of the page cache, space-separated (the article's state before the
    -- write, a renamed tag, `jobs`, `*`).
    scopes      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX changes_created ON changes (created_at);
