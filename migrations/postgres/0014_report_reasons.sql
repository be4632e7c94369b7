-- Why a reader reported a comment (issue 22): one of the reasons the report form offers.
-- Reports made before readers could say why count as 'other'.
ALTER TABLE comment_reports ADD COLUMN reason TEXT NOT NULL DEFAULT 'other';
