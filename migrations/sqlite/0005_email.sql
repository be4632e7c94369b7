-- Email: subscribers and what each agreed to (newsletter, similar-news alerts), the suppression
-- list of erased addresses, newsletter campaigns, the outbox every message goes through, and
-- the record of which alerts went to whom.

CREATE TABLE subscribers (
    id              INTEGER PRIMARY KEY,
    -- Trimmed, lower-cased.
    email           TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    -- Permanent delivery failures so far; at the configured count the address is bouncing and
    -- no longer mailed.
    bounces         INTEGER NOT NULL DEFAULT 0,
    bouncing_at     INTEGER
);

-- One row per subscriber and thing subscribed to, with the consent behind it.
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('newsletter', 'alert')),
    -- For alerts: the article whose similar news the reader wants.
    article_id      INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    -- 'pending' until the confirmation link is used, 'active', or 'off' when switched off.
    status          TEXT NOT NULL CHECK (status IN ('pending', 'active', 'off')),
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    -- A pending subscription lapses at this time.
    expires_at      INTEGER,
    -- The last confirmation (or reminder) mail, so a form cannot be used to flood an inbox.
    mailed_at       INTEGER,
    -- The consent: the exact text shown next to the form, which form, and a salted IP hash.
    consent_text    TEXT NOT NULL,
    consent_form    TEXT NOT NULL,
    consent_ip_hash TEXT NOT NULL,
    consent_at      INTEGER NOT NULL,
    -- When the reader switched it off (the consent withdrawn); cleared when switched on again,
    -- which records a new consent from the preferences page.
    withdrawn_at    INTEGER
);
CREATE UNIQUE INDEX subscriptions_one ON subscriptions (subscriber_id, kind, COALESCE(article_id, 0));
CREATE INDEX subscriptions_article ON subscriptions (article_id, status);
CREATE INDEX subscriptions_pending ON subscriptions (status, expires_at);

-- Addresses that asked to be erased, as keyed hashes: never mailed again unless they sign up anew.
CREATE TABLE suppressions (
    email_hash      TEXT PRIMARY KEY,
    created_at      INTEGER NOT NULL
);

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    -- 'digest' for the scheduled newsletter, 'oneoff' for one an editor wrote.
    kind            TEXT NOT NULL CHECK (kind IN ('digest', 'oneoff')),
    subject         TEXT NOT NULL,
    -- What the editor wrote (Markdown); empty for digests.
    body_md         TEXT NOT NULL,
    -- The rendered parts, with placeholders for each reader's links.
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'sending')),
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    recipients      INTEGER NOT NULL DEFAULT 0
);

-- Every message, written in the transaction of what caused it; workers claim rows with a lease.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    campaign_id     INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    -- NULL for campaign messages: the campaign holds subject and parts.
    subject         TEXT,
    text_body       TEXT,
    html_body       TEXT,
    -- 'queued', 'sent', 'failed' (permanently or out of attempts) or 'dropped' (the reader left).
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    run_at          INTEGER NOT NULL,
    locked_until    INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (run_at, id) WHERE status = 'queued';
CREATE INDEX outbox_campaign ON outbox (campaign_id, status);
CREATE INDEX outbox_subscriber ON outbox (subscriber_id);

-- Which new article was announced to which subscriber, once; over the daily cap it waits for
-- the next day's summary.
CREATE TABLE alert_deliveries (
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- The day in the publication's time zone, YYYY-MM-DD.
    day             TEXT NOT NULL,
    deferred        INTEGER NOT NULL,
    summarised_at   INTEGER,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subscriber_id, article_id)
);
CREATE INDEX alert_deliveries_day ON alert_deliveries (subscriber_id, day);
CREATE INDEX alert_deliveries_deferred ON alert_deliveries (deferred, summarised_at);

-- Small bits of state of the mail schedule: the last digest, the last summary day.
CREATE TABLE mail_state (
    name            TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);

-- The rate limit of all nodes together: messages granted to senders in each second of the clock.
-- Rows older than a minute are swept.
CREATE TABLE mail_rate (
    at_second       INTEGER PRIMARY KEY,
    taken           INTEGER NOT NULL
);
