-- When a comment's text was last changed by its author after it was written (today: an Update
-- of a reply from the social web). Pages mark such a comment as edited; NULL for one never
-- edited.
ALTER TABLE comments ADD COLUMN edited_at BIGINT;
