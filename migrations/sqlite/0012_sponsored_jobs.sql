-- A paid job listing is labelled as advertising wherever it shows (issue 22).
ALTER TABLE jobs ADD COLUMN sponsored INTEGER NOT NULL DEFAULT 0;
