-- Mail performance (`email`, `analytics`). A mailing is what readers' mail is counted by: one
-- newsletter campaign or digest, the similar-news alerts about one new article, or one day's
-- alert summaries. Its figures are sums, never a reader's: nothing here says who opened,
-- clicked or left.
CREATE TABLE mailings (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('campaign', 'alert', 'alert_summary')),
    -- 'campaign:{id}', 'alert:{article id}' or 'alert_summary:{YYYY-MM-DD}'.
    key             TEXT NOT NULL UNIQUE,
    campaign_id     INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    -- The article the alerts announce (no reference: the figures outlive it).
    article_id      INTEGER,
    -- The subject, or the title of the article announced.
    title           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Messages the mail server accepted, refused for good, and gave up on after every try.
    delivered       INTEGER NOT NULL DEFAULT 0,
    bounced         INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    -- Readers who left through this mailing's unsubscribe link (or its one-click header).
    unsubscribes    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mailings_created ON mailings (created_at);

-- Each link of a mailing, written when it is sent; its messages link to /l/{id} instead.
CREATE TABLE mail_links (
    id              INTEGER PRIMARY KEY,
    mailing_id      INTEGER NOT NULL REFERENCES mailings (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (mailing_id, url)
);

ALTER TABLE outbox ADD COLUMN mailing_id INTEGER REFERENCES mailings (id) ON DELETE SET NULL;

-- Clicks on mail links, per hour ('h') and per day ('d') like the page views; crawlers and
-- link scanners that say what they are are not counted.
CREATE TABLE analytics_clicks (
    span            TEXT NOT NULL CHECK (span IN ('h', 'd')),
    at              INTEGER NOT NULL,
    link_id         INTEGER NOT NULL,
    clicks          INTEGER NOT NULL,
    PRIMARY KEY (span, at, link_id)
);

-- Campaigns sent before mailings were counted: their deliveries so far.
INSERT INTO mailings (kind, key, campaign_id, title, created_at, delivered, failed)
SELECT 'campaign', 'campaign:' || c.id, c.id, c.subject, COALESCE(c.started_at, c.created_at),
       (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'sent'),
       (SELECT COUNT(*) FROM outbox o WHERE o.campaign_id = c.id AND o.status = 'failed')
FROM campaigns c WHERE c.status = 'sending';
UPDATE outbox SET mailing_id = (SELECT m.id FROM mailings m WHERE m.campaign_id = outbox.campaign_id)
WHERE campaign_id IS NOT NULL;
