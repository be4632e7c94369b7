-- A million articles (issue 19): every listing's live articles counted per day of the
-- publication's calendar and in total, kept in step by every save, so a listing's count and the
-- first article of any page are read from these rows instead of counting or skipping articles.
-- The days are counted in the publication's time zone, named in listing_calendar; the program
-- counts them all again at start-up when that row is missing or names another zone.
CREATE TABLE listing_days (
    kind     TEXT    NOT NULL CHECK (kind IN ('all', 'tag', 'author')),
    label_id INTEGER NOT NULL, -- the tag's or author's id; 0 for all articles
    day      INTEGER NOT NULL, -- days since 1970-01-01 in the publication's time zone
    n        INTEGER NOT NULL,
    PRIMARY KEY (kind, label_id, day)
);

CREATE TABLE listing_totals (
    kind       TEXT    NOT NULL CHECK (kind IN ('all', 'tag', 'author')),
    label_id   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    -- The newest material change of a live article in the listing, for sitemaps.
    changed_at INTEGER,
    PRIMARY KEY (kind, label_id)
);

CREATE TABLE listing_calendar (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT NOT NULL
);

-- A tag's or author's page walks its own index newest first, whatever the size of the tag,
-- instead of the whole archive's date index: the publication time is kept beside each label.
ALTER TABLE article_tags ADD COLUMN published_at INTEGER;
ALTER TABLE article_authors ADD COLUMN published_at INTEGER;
UPDATE article_tags SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_tags.article_id);
UPDATE article_authors SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_authors.article_id);
DROP INDEX article_tags_tag_id;
DROP INDEX article_authors_author_id;
CREATE INDEX article_tags_listing ON article_tags (tag_id, published_at, article_id);
CREATE INDEX article_authors_listing ON article_authors (author_id, published_at, article_id);

-- The archive newest first with ties broken by id, in index order on both databases.
DROP INDEX articles_published_at;
CREATE INDEX articles_listing ON articles (published_at, id);
-- The newest material change, for the sitemap index.
CREATE INDEX articles_changed ON articles ((COALESCE(updated_at, published_at)));
