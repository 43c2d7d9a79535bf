-- Changes the server refused, parked off the outbox so that the office's other changes keep
-- flowing. The record keeps what was typed and is marked; a manager resends the change (after
-- fixing the record) or discards it, and then the server's version comes back.
CREATE TABLE refused_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    region TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    fields TEXT NOT NULL,
    made_at TEXT NOT NULL,
    made_by TEXT,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    refused_at TEXT NOT NULL,
    -- The server's row as last heard of (JSON), or NULL when it has none this PC may see.
    server_row TEXT
);
CREATE INDEX refused_changes_row ON refused_changes (row_id);

-- Who made each change, so a refused one can say it.
ALTER TABLE outbox ADD COLUMN made_by TEXT;
-- Every pull asks the outbox about each row it applies.
CREATE INDEX outbox_row ON outbox (row_id);

-- Rows to send back to a server restored from a backup, chosen once when the rejoin starts so a
-- crash half way resumes with the same list.
CREATE TABLE rejoin_queue (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    old_version INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
