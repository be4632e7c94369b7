-- Sound and video files (issue 17): an imported post's recordings, kept as they were and served
-- from this site, so its players play without another host.
CREATE TABLE media_files (
    id            INTEGER PRIMARY KEY,
    public_key    INTEGER NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
