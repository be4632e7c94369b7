-- Keys for the read-only Content API (`/api/v1`), created and revoked at /admin/integrations.
-- Only a hash of each key is kept: the key itself is shown once, when it is made.
CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    -- The key's first characters, to tell keys apart in the list.
    prefix          TEXT NOT NULL,
    -- BLAKE2s-256 of the whole key, hex (`keys::hash`).
    key_hash        TEXT NOT NULL UNIQUE,
    -- Origins whose pages may call the API with this key from a browser, one per line; `*` any.
    cors_origins    TEXT NOT NULL DEFAULT '',
    per_minute      INTEGER NOT NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER
);
