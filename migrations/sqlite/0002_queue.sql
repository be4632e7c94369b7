-- The durable work queue: side effects of a write (pings, later mail and index updates) are rows
-- written in the same transaction; workers claim them with a lease and mark them done.

CREATE TABLE queue (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    run_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    last_error    TEXT,
    done_at       INTEGER,
    failed_at     INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX queue_pending ON queue (run_at) WHERE done_at IS NULL AND failed_at IS NULL;
