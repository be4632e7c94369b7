-- Admin sessions and login throttling, server secrets, daily IP salts, and moderated comments.

-- A signed-in user's session. `id` is a hash of the cookie's token, so a leaked table holds
-- no usable session.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Failed sign-ins, for throttling per account and per IP (hash).
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    account  TEXT NOT NULL,
    ip_hash  TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_ip ON login_failures (ip_hash, at);

-- Keys generated on first start and shared by every node.
CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One random salt per day for hashing IP addresses; old salts are deleted, so old hashes can no
-- longer be linked to an address.
CREATE TABLE ip_salts (
    day   INTEGER PRIMARY KEY,
    salt  TEXT NOT NULL
);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_name   TEXT NOT NULL,
    author_email  TEXT,
    body          TEXT NOT NULL,
    body_hash     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
    ip_hash       TEXT NOT NULL,
    off_topic     REAL NOT NULL,
    demeaning     REAL NOT NULL,
    spam          REAL NOT NULL,
    risk          REAL NOT NULL,
    assessment    TEXT NOT NULL,
    reports       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    moderated_at  INTEGER,
    moderated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status_risk ON comments (status, risk);
CREATE INDEX comments_parent_id ON comments (parent_id);
CREATE INDEX comments_ip_hash ON comments (ip_hash, created_at);
CREATE INDEX comments_body_hash ON comments (body_hash);
CREATE INDEX comments_author_email ON comments (author_email);
CREATE INDEX comments_moderated_by ON comments (moderated_by);
CREATE INDEX comments_reported ON comments (reports);

CREATE TABLE comment_reports (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    ip_hash     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (comment_id, ip_hash)
);

-- Every moderation action: who, what, when. Kept when the comment is deleted.
CREATE TABLE moderation_log (
    id          INTEGER PRIMARY KEY,
    -- No foreign key: the entry keeps the id of a deleted comment.
    comment_id  INTEGER,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX moderation_log_comment_id ON moderation_log (comment_id);
CREATE INDEX moderation_log_user_id ON moderation_log (user_id);
CREATE INDEX moderation_log_at ON moderation_log (at);

-- One account per address, whatever its capitalisation.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
