-- Failed sign-ins by the name typed (folded as usernames are): five within five minutes lock the
-- name for five minutes, and restarting the app does not reset the count.
CREATE TABLE sign_in_failures (
    name_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    locked_until TEXT
);
