-- Articles, their authors and tags, revisions, and the users of the admin area.
-- Times are Unix seconds (UTC); booleans are INTEGER 0/1.

CREATE TABLE authors (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    bio         TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    places       TEXT NOT NULL DEFAULT '[]',
    lead         TEXT NOT NULL,
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    hero_url     TEXT,
    hero_alt     TEXT,
    hero_credit  TEXT,
    language     TEXT NOT NULL CHECK (language IN ('de', 'en')),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'unpublished')),
    published_at INTEGER,
    updated_at   INTEGER,
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_status_published_at ON articles (status, published_at);
CREATE INDEX articles_published_at ON articles (published_at);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author_id ON article_authors (author_id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_id ON article_tags (tag_id);

-- The state of an article before each save, as JSON, newest with the highest version.
CREATE TABLE article_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (article_id, version)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'moderator')),
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
