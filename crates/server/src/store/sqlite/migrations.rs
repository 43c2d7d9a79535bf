//! The layout of the server's SQLite file. Bookkeeping tables change through numbered steps
//! (`PRAGMA user_version`); the synced tables are derived from the core schema at every start,
//! adding what a newer schema has and never dropping anything, so a field added to the core
//! reaches the server without a hand-written step.

use std::path::Path;

use rainstaff_core::schema::{FieldKind, TABLES, TableSpec};
use rusqlite::{Connection, OpenFlags, Transaction};

use super::columns;
use crate::error::StoreError;
use crate::sql_values;

/// Marks a file as a Rainstaff server database ("RSRV"), so `--db` pointed at some other SQLite
/// file (a desktop's database, a backup of the legacy system) is refused instead of modified.
pub const APPLICATION_ID: i64 = 0x5253_5256;

const STEPS: &[&str] = &[
    // 1: the first layout.
    "
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    INSERT INTO counters (name, value) VALUES ('change_seq', 0);
    CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        region TEXT NOT NULL,
        row_json TEXT NOT NULL
    ) STRICT;
    CREATE INDEX change_log_region ON change_log (region, seq);
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        last_mutation_id INTEGER,
        last_push_at TEXT,
        last_pull_at TEXT,
        cursor INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE applied_mutations (
        device_id TEXT NOT NULL REFERENCES devices (id),
        mutation_id INTEGER NOT NULL,
        hash TEXT NOT NULL,
        outcome_json TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (device_id, mutation_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE enroll_codes (
        code_hash TEXT PRIMARY KEY,
        region TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        device_id TEXT
    ) STRICT;
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        region TEXT NOT NULL,
        field TEXT NOT NULL,
        server_value TEXT NOT NULL,
        device_value TEXT NOT NULL,
        device_id TEXT NOT NULL,
        mutation_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT
    ) STRICT;
    CREATE INDEX conflicts_region ON conflicts (region, resolved_at);
    ",
    // 2: server-wide settings (the legacy upload key's hash, the company name).
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;",
    // 3: the epoch, renewed by every restore, and the versions devices' copies had before it.
    "
    INSERT INTO settings (key, value) VALUES ('epoch', lower(hex(randomblob(16))))
        ON CONFLICT (key) DO NOTHING;
    INSERT INTO settings (key, value) VALUES ('epoch_base_seq', '0') ON CONFLICT (key) DO NOTHING;
    CREATE TABLE rejoined_rows (
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        old_version INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (table_name, row_id)
    ) STRICT, WITHOUT ROWID;
    ",
    // 4: a user can be disabled (`user disable`) without losing who they were.
    "ALTER TABLE users ADD COLUMN disabled_at TEXT;",
    // 5: the device whose push answer carried each change, so its pulls can leave it out.
    "ALTER TABLE change_log ADD COLUMN origin TEXT;",
    // 6: the web dashboard: people's sessions, lockout after failed sign-ins, the audit trail,
    // and what the devices page shows of each PC (its app version, the changes it had refused).
    "
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    ) STRICT;
    ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN locked_until TEXT;
    ALTER TABLE devices ADD COLUMN app_version TEXT;
    ALTER TABLE devices ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        region TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL
    ) STRICT;
    ",
    // 7: a change's row JSON only when its table does not hold that version: SQLite
    // cannot drop a NOT NULL, so the log is copied into a table without it. `migrate` then
    // empties the JSON the tables hold too.
    "
    CREATE TABLE change_log_7 (
        seq INTEGER PRIMARY KEY,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        region TEXT NOT NULL,
        row_json TEXT,
        origin TEXT
    ) STRICT;
    INSERT INTO change_log_7 SELECT seq, table_name, row_id, region, row_json, origin FROM change_log;
    DROP TABLE change_log;
    ALTER TABLE change_log_7 RENAME TO change_log;
    CREATE INDEX change_log_region ON change_log (region, seq);
    ",
    // 8: what each push was answered, kept after the records go (`service::answers`).
    "
    CREATE TABLE answered_runs (
        device_id TEXT NOT NULL REFERENCES devices (id),
        first_id INTEGER NOT NULL,
        answers BLOB NOT NULL,
        PRIMARY KEY (device_id, first_id)
    ) STRICT, WITHOUT ROWID;
    ",
    // 9: the ids changes were first sent under, before their device renumbered them.
    "
    CREATE TABLE renumbered_answers (
        device_id TEXT NOT NULL REFERENCES devices (id),
        first_id INTEGER NOT NULL,
        digest BLOB NOT NULL,
        new_id INTEGER NOT NULL,
        PRIMARY KEY (device_id, first_id, digest)
    ) STRICT, WITHOUT ROWID;
    ",
    // 10: the change log names rows and devices by their ids' 16 bytes (`columns`); the synced
    // tables are rebuilt the same way in `reconcile_table`.
    "
    CREATE TABLE change_log_10 (
        seq INTEGER PRIMARY KEY,
        table_name TEXT NOT NULL,
        row_id BLOB NOT NULL,
        region TEXT NOT NULL,
        row_json TEXT,
        origin BLOB
    ) STRICT;
    INSERT INTO change_log_10
        SELECT seq, table_name, stored_id(row_id), region, row_json, stored_id(origin) FROM change_log;
    DROP TABLE change_log;
    ALTER TABLE change_log_10 RENAME TO change_log;
    CREATE INDEX change_log_region ON change_log (region, seq);
    ",
    // 11: dates and times kept as numbers (`columns`), the synced tables rebuilt so in
    // `reconcile_table`. The step only marks the file: an earlier build refuses it instead of
    // reading the numbers as dates.
    "-- rebuilt in reconcile_table",
    // 12: each synced row is its own latest change (`pulls`), keeping the number of the device it
    // came from; the log keeps only the changes no table holds. `migrate` moves each row's origin
    // onto it, lets go of the entries that named rows, and names devices in field versions by
    // number (`columns::field_versions`).
    "
    ALTER TABLE devices ADD COLUMN number INTEGER;
    UPDATE devices SET number = rowid;
    CREATE UNIQUE INDEX devices_number ON devices (number);
    ALTER TABLE change_log RENAME TO departures;
    DROP INDEX change_log_region;
    CREATE INDEX departures_region ON departures (region, seq);
    ",
];

/// The first step after which the change log no longer names the rows its tables hold.
const ROWS_ARE_CHANGES: i64 = 12;

/// The schema version this build writes.
pub const LATEST: i64 = STEPS.len() as i64;

/// Refuses a file at `path` that is not ours: another program's SQLite database (it has schema
/// objects and not our application id) or no SQLite database at all. It looks through a
/// read-only connection, so a refused file is left exactly as it was. A missing or empty file is
/// a new database.
pub fn check_identity(path: &Path) -> Result<(), StoreError> {
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(());
    }
    let not_ours = || {
        StoreError::msg(format!(
            "{} is not a Rainstaff server database; refusing to use or change it (check --db)",
            path.display()
        ))
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // The first read of the header is where a file that is not SQLite at all fails.
    let app_id: i64 = match conn.pragma_query_value(None, "application_id", |r| r.get(0)) {
        Ok(id) => id,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(not_ours());
        }
        Err(e) => return Err(e.into()),
    };
    let has_schema: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema)", [], |r| r.get(0))?;
    if app_id == APPLICATION_ID || (app_id == 0 && !has_schema) { Ok(()) } else { Err(not_ours()) }
}

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > LATEST {
        return Err(StoreError::msg(format!(
            "this database was written by a newer rainstaff-server (schema version {version}; this \
             build knows up to {LATEST}); upgrade rainstaff-server instead of running an older build on it"
        )));
    }
    // An earlier build's file, whose change log named (or copied) every row (new files start at 0).
    let logged_rows = (1..ROWS_ARE_CHANGES).contains(&version);
    columns::register(conn)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (step, sql) in STEPS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    let mut rebuilt = false;
    if logged_rows {
        tx.execute_batch(DEVICE_NUMBERS)?;
    }
    for table in TABLES {
        rebuilt |= reconcile_table(&tx, table)?;
        if logged_rows {
            tx.execute_batch(&rows_as_changes(table))?;
        }
    }
    if logged_rows {
        tx.execute_batch(LATEST_ONLY)?;
        tx.execute_batch("DROP TABLE temp.device_numbers")?;
    }
    tx.execute_batch(RULE_INDEXES)?;
    tx.commit()?;
    if logged_rows || rebuilt {
        // Once, so the upgraded file is as small as a new one would be: the log entries let go
        // of, or the text ids rebuilt as bytes, leave much of an earlier build's file free. It
        // takes about a second per 100 MB. The upgrade is committed already: a file left
        // unpacked (short of disk space, say) still serves.
        if let Err(e) = conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "the upgraded database could not be packed; it works as it is");
        }
    }
    Ok(())
}

/// The upgrade of a file from before rows were their own changes: moves the origin of each row
/// of `table` from the log entry of its version onto the row, as the device's number, and lets
/// go of the entries of that version or an earlier one in the row's region (an entry of a region
/// the row has left, its departure, stays); a row's field versions that are one device's 16
/// bytes become the device's number too. Runs with `DEVICE_NUMBERS` in place; `LATEST_ONLY`
/// after it for every table.
fn rows_as_changes(table: &TableSpec) -> String {
    let name = table.name;
    format!(
        "UPDATE \"{name}\" SET origin = (SELECT n.number FROM departures c JOIN temp.device_numbers n \
             ON n.device = c.origin WHERE c.seq = \"{name}\".version AND c.table_name = '{name}' \
             AND c.row_id = \"{name}\".id AND c.region = \"{name}\".region);
         DELETE FROM departures WHERE table_name = '{name}' AND EXISTS (SELECT 1 FROM \"{name}\" t \
             WHERE t.id = departures.row_id AND t.version >= departures.seq AND t.region = departures.region);
         UPDATE \"{name}\" SET field_versions = coalesce((SELECT number FROM temp.device_numbers \
             WHERE device = field_versions), field_versions) WHERE typeof(field_versions) = 'blob';"
    )
}

/// What an earlier build's log held besides departures, let go of after `rows_as_changes`: an
/// entry naming a row (no JSON) that is no longer its latest change, and an entry superseded by
/// a later one of the same row in the same region (the build before 2026-12-04 kept every
/// version). A device behind one gets the later change instead, as `Tx::put_version` has it.
const LATEST_ONLY: &str = "
    DELETE FROM departures WHERE row_json IS NULL;
    DELETE FROM departures WHERE seq NOT IN
        (SELECT max(seq) FROM departures GROUP BY table_name, row_id, region);
";

/// Each device's number by its 16 bytes, for `rows_as_changes`.
const DEVICE_NUMBERS: &str = "
    CREATE TEMP TABLE device_numbers (device BLOB PRIMARY KEY, number INTEGER NOT NULL);
    INSERT INTO device_numbers SELECT stored_id(id), number FROM devices;
";

/// The fields the rules that need other rows look rows up by (`Tx::live_rows`): a shift's
/// employee and date, a plate, a T.C. number. Created after the synced tables they index, at
/// every start like them, so an existing database gets them too.
const RULE_INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS timesheets_employee_date ON timesheets (employee_id, work_date);
    CREATE INDEX IF NOT EXISTS vehicles_plate ON vehicles (plate);
    CREATE INDEX IF NOT EXISTS employees_identity_no ON employees (identity_no);
    CREATE INDEX IF NOT EXISTS leaves_employee ON leaves (employee_id);
";

/// Creates `table`, adds the fields a newer schema has, or rebuilds an earlier build's table with
/// text ids, dates or times (`columns`); true when it rebuilt one.
fn reconcile_table(tx: &Transaction<'_>, table: &TableSpec) -> Result<bool, StoreError> {
    let name = table.name;
    let existing: Vec<(String, String)> = tx
        .prepare(&format!("SELECT name, type FROM pragma_table_info('{name}')"))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let moment = |column: &str| {
        table.fields.iter().any(|f| f.name == column && matches!(f.kind, FieldKind::Date | FieldKind::Time))
    };
    let keeps_text =
        existing.iter().any(|(column, kind)| kind == "TEXT" && (column == "id" || moment(column)));
    if keeps_text {
        // An earlier build's table: its indexes go with it, and are made again below.
        tx.execute_batch(&format!("ALTER TABLE \"{name}\" RENAME TO \"{name}_as_text\""))?;
    }
    // Domain columns are nullable: a tombstone of a row the server never saw has no fields.
    // Validation, not the schema, makes a live row's required fields present. Rows keep their
    // row numbers (not WITHOUT ROWID): an office's imported ids come in no order, and a table
    // ordered by them put each pushed row in a page of its own in the middle of the tree, where
    // appending leaves only the id's index to take the scattered inserts (measured with 50 000
    // shifts: 17.2 MB against 16.4, and the first push slower).
    tx.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS \"{name}\" (
            id BLOB PRIMARY KEY,
            region TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at ANY NOT NULL,
            updated_at ANY NOT NULL,
            deleted_at ANY,
            field_versions ANY NOT NULL,
            origin INTEGER,
            {}
        ) STRICT;",
        sql_values::field_columns_ddl(table, columns::column_type)
    ))?;
    if keeps_text {
        let fields = table.fields.iter().filter(|f| existing.iter().any(|(column, _)| column == f.name));
        let (into, from): (Vec<String>, Vec<String>) = fields
            .map(|f| {
                let column = format!("\"{}\"", f.name);
                let from = match f.kind {
                    FieldKind::Ref(_) => format!("stored_reference({column})"),
                    FieldKind::Date => format!("stored_date({column})"),
                    FieldKind::Time => format!("stored_time({column})"),
                    _ => column.clone(),
                };
                (column, from)
            })
            .unzip();
        tx.execute_batch(&format!(
            "INSERT INTO \"{name}\" (id, region, version, created_at, updated_at, deleted_at, field_versions{})
             SELECT stored_id(id), region, version, stored_stamp(created_at), stored_stamp(updated_at),
                 stored_stamp(deleted_at), stored_field_versions(field_versions, version){} FROM \"{name}_as_text\";
             DROP TABLE \"{name}_as_text\";",
            into.iter().map(|c| format!(", {c}")).collect::<String>(),
            from.iter().map(|c| format!(", {c}")).collect::<String>(),
        ))?;
    } else if !existing.is_empty() {
        if !existing.iter().any(|(column, _)| column == "origin") {
            tx.execute_batch(&format!("ALTER TABLE \"{name}\" ADD COLUMN origin INTEGER"))?;
        }
        for field in table.fields.iter().filter(|f| !existing.iter().any(|(column, _)| column == f.name)) {
            tx.execute_batch(&format!(
                "ALTER TABLE \"{name}\" ADD COLUMN \"{}\" {}",
                field.name,
                columns::column_type(field.kind)
            ))?;
        }
    }
    // A pull reads a region's rows from a seq on (`pulls`); the index also serves a region's
    // snapshot and counts, which an index on the region alone served before.
    tx.execute_batch(&format!(
        "DROP INDEX IF EXISTS \"{name}_region\";
         CREATE INDEX IF NOT EXISTS \"{name}_changes\" ON \"{name}\" (region, version);"
    ))?;
    Ok(keeps_text)
}
