-- The local store of one office PC: its bookkeeping tables. The synced tables (employees,
-- timesheets, vehicles …) are derived from rainstaff_core::schema by src/db/ddl.rs; stores created
-- before that got them from this file, with the same columns (tests/store.rs checks).

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    -- NULL: an imported account that must set a password before it can sign in.
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('staff', 'manager', 'admin')),
    region TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every local change, in the order it was made. AUTOINCREMENT so a mutation id is never reused,
-- even after the row is pushed and removed: the server applies each id exactly once.
CREATE TABLE outbox (
    mutation_id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    region TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    fields TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- Device id, region, server URL and the pull cursor; the token lives in its own file.
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    report TEXT NOT NULL,
    error TEXT
);

-- Conflicts the server recorded in this PC's scope, as managers review them.
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    region TEXT NOT NULL,
    field TEXT NOT NULL,
    server_value TEXT NOT NULL,
    device_value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT
);

-- Company days and next year's religious holidays an administrator adds to the built-in calendar.
CREATE TABLE holidays (
    date TEXT PRIMARY KEY,
    half_day INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL
);

INSERT INTO regions (code, name) VALUES
    ('Ankara', 'Ankara'), ('Istanbul', 'İstanbul'), ('Izmir', 'İzmir'), ('Bursa', 'Bursa'),
    ('Antalya', 'Antalya'), ('Konya', 'Konya'), ('Adana', 'Adana');
