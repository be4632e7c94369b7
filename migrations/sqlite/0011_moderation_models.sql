-- Models of the comment assessment that a site trained from its moderators' decisions
-- (`/admin/moderation`). At most one is in use (`in_use` = 1); with none, the model built into
-- the binary is. Switching counts a settings revision, so every node switches together.
CREATE TABLE moderation_models (
    id            INTEGER PRIMARY KEY,
    state         TEXT NOT NULL CHECK (state IN ('training', 'ready', 'failed')),
    -- What the training is doing now, or why it failed.
    progress      TEXT NOT NULL DEFAULT '',
    -- How many decisions it learned from and how many it was measured on.
    decisions     INTEGER NOT NULL DEFAULT 0,
    held_out      INTEGER NOT NULL DEFAULT 0,
    -- Figures before and after on the held-out decisions (JSON).
    figures       TEXT NOT NULL DEFAULT '{}',
    model         BLOB,
    in_use        INTEGER NOT NULL DEFAULT 0,
    requested_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX moderation_models_state ON moderation_models (state);
