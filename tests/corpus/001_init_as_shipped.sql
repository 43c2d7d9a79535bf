-- The local store of one office PC. Synced tables carry a UUID id, their region, timestamps, a
-- tombstone (deleted_at), the server version the row was last seen at and the reason the server
-- gave if it rejected the latest local change. Domain columns are nullable because a tombstone
-- may arrive for a row this PC never had; the application validates live rows.

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

CREATE TABLE employees (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    full_name TEXT,
    identity_no TEXT,
    department TEXT,
    title TEXT,
    hire_date TEXT,
    active INTEGER,
    contract_kind TEXT,
    weekly_minutes INTEGER,
    break_policy TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);
CREATE INDEX employees_region ON employees (region);

CREATE TABLE timesheets (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    employee_id TEXT REFERENCES employees (id) DEFERRABLE INITIALLY DEFERRED,
    work_date TEXT,
    start_time TEXT,
    end_time TEXT,
    break_minutes INTEGER,
    special_day INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);
CREATE INDEX timesheets_employee_date ON timesheets (employee_id, work_date);
CREATE INDEX timesheets_date ON timesheets (work_date);

CREATE TABLE shift_templates (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    name TEXT,
    start_time TEXT,
    end_time TEXT,
    break_minutes INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);

CREATE TABLE vehicles (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    plate TEXT,
    brand TEXT,
    model TEXT,
    year INTEGER,
    km INTEGER,
    inspection_date TEXT,
    insurance_date TEXT,
    maintenance_date TEXT,
    oil_change_date TEXT,
    oil_change_km INTEGER,
    oil_interval_km INTEGER,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);

CREATE TABLE drivers (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    full_name TEXT,
    license_class TEXT,
    license_expiry TEXT,
    phone TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);

CREATE TABLE vehicle_faults (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    vehicle_id TEXT REFERENCES vehicles (id) DEFERRABLE INITIALLY DEFERRED,
    title TEXT,
    description TEXT,
    opened_date TEXT,
    closed_date TEXT,
    status TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);

CREATE TABLE vehicle_service_visits (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    vehicle_id TEXT REFERENCES vehicles (id) DEFERRABLE INITIALLY DEFERRED,
    fault_id TEXT REFERENCES vehicle_faults (id) DEFERRABLE INITIALLY DEFERRED,
    start_date TEXT,
    end_date TEXT,
    reason TEXT,
    cost REAL,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
);

CREATE TABLE vehicle_inspections (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    vehicle_id TEXT REFERENCES vehicles (id) DEFERRABLE INITIALLY DEFERRED,
    driver_id TEXT REFERENCES drivers (id) DEFERRABLE INITIALLY DEFERRED,
    inspection_date TEXT,
    km INTEGER,
    notes TEXT,
    results TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_version INTEGER NOT NULL DEFAULT 0,
    sync_error TEXT
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
