-- Webhooks: addresses admins register at /admin/integrations to be told of events (an article
-- published, updated or unpublished; a comment approved; a subscription confirmed).
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    -- The event names it receives, separated by spaces (`article.published comment.approved`).
    events          TEXT NOT NULL,
    -- The HMAC key each delivery is signed with; the receiver holds the same.
    secret          TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL
);

-- Every attempt to deliver an event, kept for the hook's page: the last 50 of each hook.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- The delivery's id, the same on every attempt (`Newsdesk-Delivery`).
    delivery        TEXT NOT NULL,
    event           TEXT NOT NULL,
    -- The HTTP status of the answer; NULL when none came (refused, timed out).
    status_code     INTEGER,
    error           TEXT,
    duration_ms     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, id);
