-- A user can be disabled (`user disable`) without losing who they were.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
