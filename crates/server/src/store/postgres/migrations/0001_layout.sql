-- The first layout: what SQLite's steps 1 to 3 made, in one step, as PostgreSQL starts here.
-- The synced tables are not here: they are derived from the core schema at every start.
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);
CREATE TABLE change_log (
    seq BIGINT PRIMARY KEY,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    region TEXT NOT NULL,
    row_json TEXT NOT NULL
);
CREATE INDEX change_log_region ON change_log (region, seq);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_mutation_id BIGINT,
    last_push_at TEXT,
    last_pull_at TEXT,
    cursor BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE applied_mutations (
    device_id TEXT NOT NULL REFERENCES devices (id),
    mutation_id BIGINT NOT NULL,
    hash TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (device_id, mutation_id)
);
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE enroll_codes (
    code_hash TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    device_id TEXT
);
CREATE TABLE conflicts (
    id BIGSERIAL PRIMARY KEY,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    region TEXT NOT NULL,
    field TEXT NOT NULL,
    server_value TEXT NOT NULL,
    device_value TEXT NOT NULL,
    device_id TEXT NOT NULL,
    mutation_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT
);
CREATE INDEX conflicts_region ON conflicts (region, resolved_at);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO settings (key, value) VALUES ('epoch', replace(gen_random_uuid()::text, '-', ''));
INSERT INTO settings (key, value) VALUES ('epoch_base_seq', '0');
CREATE TABLE rejoined_rows (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    old_version BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
