-- What the editor's page keeps while an editor writes (issue 22): the form's fields, every few
-- seconds, per editor and article (0 for one not yet saved), until the article is saved.
CREATE TABLE article_autosaves (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL,
    fields      TEXT NOT NULL,
    saved_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
