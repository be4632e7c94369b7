-- Addresses of an imported site (issue 17): a post's old permalink, `/?p=12`, category, tag,
-- author and feed addresses, each answered with a 301 to where the same thing is now. `path`
-- is the address as `migrate::addresses::key` normalises it; `target` a path on this site.
CREATE TABLE old_addresses (
    path        TEXT PRIMARY KEY,
    target      TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
