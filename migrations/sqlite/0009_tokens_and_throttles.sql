-- newsdesk: foreign keys off
-- (The runner switches foreign keys off around this migration, as SQLite's table rebuild needs,
-- and checks them all before it commits.)
--
-- Readers' ids are never given out twice, and every reader's link carries a key of its own row.
-- Without AUTOINCREMENT SQLite hands the highest id out again once its row is deleted, so an
-- erased reader's old links named the next reader to sign up. Rows made before this migration
-- keep an empty key and their old links; new rows get a random key from the application.

CREATE TABLE subscribers_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    bounces         INTEGER NOT NULL DEFAULT 0,
    bouncing_at     INTEGER,
    -- Random, per row: signed into the reader's preferences and unsubscribe links.
    token_key       TEXT NOT NULL DEFAULT ''
);
INSERT INTO subscribers_rebuilt (id, email, created_at, bounces, bouncing_at)
    SELECT id, email, created_at, bounces, bouncing_at FROM subscribers;
DROP TABLE subscribers;
ALTER TABLE subscribers_rebuilt RENAME TO subscribers;

CREATE TABLE subscriptions_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('newsletter', 'alert')),
    article_id      INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'active', 'off')),
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    expires_at      INTEGER,
    mailed_at       INTEGER,
    consent_text    TEXT NOT NULL,
    consent_form    TEXT NOT NULL,
    consent_ip_hash TEXT NOT NULL,
    consent_at      INTEGER NOT NULL,
    withdrawn_at    INTEGER,
    -- Random, per row: signed into the confirmation link.
    token_key       TEXT NOT NULL DEFAULT ''
);
INSERT INTO subscriptions_rebuilt (id, subscriber_id, kind, article_id, status, created_at, confirmed_at,
        expires_at, mailed_at, consent_text, consent_form, consent_ip_hash, consent_at, withdrawn_at)
    SELECT id, subscriber_id, kind, article_id, status, created_at, confirmed_at, expires_at, mailed_at,
        consent_text, consent_form, consent_ip_hash, consent_at, withdrawn_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_rebuilt RENAME TO subscriptions;
CREATE UNIQUE INDEX subscriptions_one ON subscriptions (subscriber_id, kind, COALESCE(article_id, 0));
CREATE INDEX subscriptions_article ON subscriptions (article_id, status);
CREATE INDEX subscriptions_pending ON subscriptions (status, expires_at);

-- Every confirmation or reminder mail a signup form sent: the limits per client and per
-- address count these, in the transaction that sends the next one. Swept after two days, like
-- the salts of the IP hashes.
CREATE TABLE signup_mails (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ip_hash         TEXT NOT NULL,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL
);
CREATE INDEX signup_mails_ip ON signup_mails (ip_hash, at);
CREATE INDEX signup_mails_subscriber ON signup_mails (subscriber_id, at);

-- Failed sign-ins are kept per client as well as per account: `ip_hash` holds the salted IP
-- hash, or for a browser that signed in to the account before, a hash of its device cookie.
CREATE INDEX login_failures_pair ON login_failures (account, ip_hash, at);
