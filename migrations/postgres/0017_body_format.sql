-- Imported bodies keep the HTML they were written in (issue 17): a body is Markdown, as
-- articles written here are, or sanitised HTML.
ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown';
