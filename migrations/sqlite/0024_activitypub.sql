-- ActivityPub: the publication as an actor of the social web (src/activitypub).

-- The publication's key pair: the public half is in the actor document, the private half signs
-- every delivery. One row, made on first use.
CREATE TABLE activitypub_keys (
    id              INTEGER PRIMARY KEY,
    -- PKCS#8, PEM.
    private_pem     TEXT NOT NULL,
    -- SubjectPublicKeyInfo, PEM, as the actor document shows it.
    public_pem      TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

-- Remote actors seen: who follows, who replied, whose key signed a request.
CREATE TABLE activitypub_actors (
    id              INTEGER PRIMARY KEY,
    -- The actor's id, a URL.
    uri             TEXT NOT NULL UNIQUE,
    -- `user@host`.
    handle          TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- The actor's profile page, when it gives one.
    url             TEXT,
    inbox           TEXT NOT NULL,
    shared_inbox    TEXT,
    key_id          TEXT NOT NULL,
    public_pem      TEXT NOT NULL,
    host            TEXT NOT NULL,
    fetched_at      INTEGER NOT NULL
);
CREATE INDEX activitypub_actors_key ON activitypub_actors (key_id);

-- Who follows the publication.
CREATE TABLE activitypub_followers (
    actor_id        INTEGER PRIMARY KEY REFERENCES activitypub_actors (id) ON DELETE CASCADE,
    -- The Follow activity's id, which the Accept names.
    follow_uri      TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

-- Likes and boosts (Announce) of articles: counted, never shown as comments.
CREATE TABLE activitypub_reactions (
    id              INTEGER PRIMARY KEY,
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    actor_id        INTEGER NOT NULL REFERENCES activitypub_actors (id) ON DELETE CASCADE,
    -- 'like' or 'boost'.
    kind            TEXT NOT NULL CHECK (kind IN ('like', 'boost')),
    activity_uri    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (article_id, actor_id, kind)
);
CREATE INDEX activitypub_reactions_actor ON activitypub_reactions (actor_id);

-- Accounts (`user@host`) and whole domains an admin blocked: their requests are refused and
-- they are not delivered to.
CREATE TABLE activitypub_blocks (
    id              INTEGER PRIMARY KEY,
    -- 'account' or 'domain'.
    kind            TEXT NOT NULL CHECK (kind IN ('account', 'domain')),
    -- `user@host` or `host`, lower case.
    target          TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (kind, target)
);

-- Hosts deliveries failed to reach: after a day of nothing but failures a host is given up,
-- until it is heard from again.
CREATE TABLE activitypub_hosts (
    host            TEXT PRIMARY KEY,
    failing_since   INTEGER,
    last_success    INTEGER
);

-- A reply from the social web is a comment with the remote note's id and its author's handle.
ALTER TABLE comments ADD COLUMN remote_uri TEXT;
ALTER TABLE comments ADD COLUMN remote_author TEXT;
CREATE UNIQUE INDEX comments_remote_uri ON comments (remote_uri);
