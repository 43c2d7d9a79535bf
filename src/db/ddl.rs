//! The synced tables' DDL, derived from `rainstaff_core::schema` as the server derives its own:
//! a table added to the schema is created here, and a field added to a table becomes a column of
//! every store, new or old, the next time it opens. The numbered migrations in migrations/ keep
//! the bookkeeping tables (outbox, sync state, refused changes …) and data changes.
//!
//! Every synced row carries its id, region, timestamps, tombstone (deleted_at), the server
//! version it was last seen at and the reason the server gave if it refused the latest local
//! change. Field columns are nullable because a tombstone may arrive for a row this PC never had;
//! the application validates live rows.

use rainstaff_core::schema::{FieldKind, FieldSpec, TABLES, TableSpec};
use rusqlite::{Connection, Transaction};

use super::Result;

/// Indexes the desktop's own queries need beyond each table's id: a timesheet screen lists an
/// employee's shifts by date, reports and "copy last week" read a date range, a person's
/// page and the leave rules read their leaves.
const QUERY_INDEXES: &[(&str, &str, &str)] = &[
    ("timesheets_employee_date", "timesheets", "employee_id, work_date"),
    ("timesheets_date", "timesheets", "work_date"),
    ("leaves_employee", "leaves", "employee_id, first_day"),
];

/// Creates the synced tables a store lacks and the columns its tables lack, with their indexes.
pub fn reconcile(tx: &Transaction<'_>) -> Result<()> {
    for table in TABLES {
        tx.execute_batch(&create_table(table))?;
        let existing = columns(tx, table)?;
        for field in table.fields.iter().filter(|f| !existing.iter().any(|c| c == f.name)) {
            tx.execute_batch(&format!("ALTER TABLE \"{}\" ADD COLUMN {}", table.name, column(field)))?;
        }
        tx.execute_batch(&format!("DROP INDEX IF EXISTS \"{}\"", region_index(table)))?;
    }
    for (name, table, columns) in QUERY_INDEXES {
        tx.execute_batch(&format!("CREATE INDEX IF NOT EXISTS \"{name}\" ON \"{table}\" ({columns})"))?;
    }
    Ok(())
}

/// Whether `reconcile` would leave the store as it is: every table, column and index is there,
/// and no region index of an earlier build.
pub fn is_current(conn: &Connection) -> Result<bool> {
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let has_index = |name: &str| indexes.iter().any(|i| i == name);
    for table in TABLES {
        let existing = columns(conn, table)?;
        if existing.is_empty()
            || !table.fields.iter().all(|f| existing.iter().any(|c| c == f.name))
            || has_index(&region_index(table))
        {
            return Ok(false);
        }
    }
    Ok(QUERY_INDEXES.iter().all(|(name, _, _)| has_index(name)))
}

/// The columns `table` has in this store (none when it is not there).
fn columns(conn: &Connection, table: &TableSpec) -> Result<Vec<String>> {
    Ok(conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.name))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The index on `region` that stores of earlier builds have on every synced table. No query
/// could use it: the screens ask for `?1 = 'ALL' OR region = ?1`, which SQLite answers by
/// scanning, and a PC holds one region's rows or all of them anyway. It took a twentieth of a
/// store of 50 000 shifts and one more write for every row, so it goes when such a store opens.
fn region_index(table: &TableSpec) -> String {
    format!("{}_region", table.name)
}

/// `CREATE TABLE IF NOT EXISTS` for `table`; names come from the static schema only.
fn create_table(table: &TableSpec) -> String {
    let fields: Vec<String> = table.fields.iter().map(column).collect();
    format!(
        "CREATE TABLE IF NOT EXISTS \"{}\" (
            id TEXT PRIMARY KEY,
            region TEXT NOT NULL,
            {},
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            server_version INTEGER NOT NULL DEFAULT 0,
            sync_error TEXT
        )",
        table.name,
        fields.join(",\n            ")
    )
}

/// A field's column: its SQLite type, and for a reference the row it points at, checked when
/// the transaction commits (a pull may bring a child before its parent).
fn column(field: &FieldSpec) -> String {
    let kind = match field.kind {
        FieldKind::Int | FieldKind::Bool => "INTEGER".to_string(),
        FieldKind::Real => "REAL".to_string(),
        FieldKind::Text(_) | FieldKind::Date | FieldKind::Time => "TEXT".to_string(),
        FieldKind::Ref(parent) => format!("TEXT REFERENCES \"{parent}\" (id) DEFERRABLE INITIALLY DEFERRED"),
    };
    format!("\"{}\" {kind}", field.name)
}
