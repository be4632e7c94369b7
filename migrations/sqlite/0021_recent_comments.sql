-- The newest approved comments of the whole site (`/comments/feed`), walked newest first and
-- stopped after one page: without it, a site with ten million comments sorted them all.
CREATE INDEX comments_approved_recent ON comments (created_at, id) WHERE status = 'approved';
