-- An author may be a newsroom account (issue 22): the editor then starts their articles with
-- them as author. One author per account.
ALTER TABLE authors ADD COLUMN user_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX authors_user ON authors (user_id) WHERE user_id IS NOT NULL;
