//! The synced tables' DDL, derived from `rainstaff_core::schema` as the server derives its own:
//! a table added to the schema is created here, and a field added to a table becomes a column of
//! every store, new or old, the next time it opens. The numbered migrations in migrations/ keep
//! the bookkeeping tables (outbox, sync state, refused changes …) and data changes.
//!
//! Every synced row carries its id, region, timestamps, tombstone (deleted_at), the server
//! version it was last seen at and the reason the server gave if it refused the latest local
//! change. Field columns are nullable because a tombstone may arrive for a row this PC never had;
//! the application validates live rows.
//!
//! Ids (the row's and those its references hold) are kept as their 16 bytes and timestamps as
//! milliseconds (`stamp_ms`): as text they made a store of 50 000 shifts five times the legacy
//! file. Dates are kept as day numbers and times as minutes of the day: as text, a shift's date
//! took ten bytes in the row and in each of its two indexes. `rows` turns them all back into the
//! text the screens and the protocol see.

use rainstaff_core::schema::{FieldKind, FieldSpec, TABLES, TableSpec};
use rusqlite::{Connection, Transaction};

use super::Result;

/// Indexes the desktop's own queries need beyond each table's id: a timesheet screen, reports
/// and "copy last week" read a date range of everybody; the hours beside each listed shift read
/// each listed person's weeks, a person's deletion or move asks for their shifts, and a person's
/// page and the leave rules read their leaves. Without the index by person, a month of a busy
/// office (250 people, 7 750 shifts) read each person's weeks through the month's shifts: 160 ms
/// on every reload of the list, drawn on the window's thread, against 24 ms with it. A date
/// range of one person takes the index by person, so the one by date holds the date alone: with
/// the person's 16 bytes beside it, it was a sixth of a store of 50 000 shifts.
const QUERY_INDEXES: &[(&str, &str, &str)] = &[
    ("timesheets_date", "timesheets", "work_date"),
    ("timesheets_employee_date", "timesheets", "employee_id, work_date"),
    ("leaves_employee", "leaves", "employee_id, first_day"),
];

/// Indexes of earlier builds that no query needs any more.
const RETIRED_INDEXES: &[&str] = &["timesheets_date_employee"];

/// Creates the synced tables a store lacks and the columns its tables lack, with their indexes.
/// Run with foreign keys off (`db::without_foreign_keys`): an older store's tables are rebuilt,
/// and dropping a parent table would otherwise count each of its children as a violation.
pub fn reconcile(tx: &Transaction<'_>) -> Result<()> {
    for table in TABLES {
        tx.execute_batch(&create_table(table, table.name))?;
        let existing = columns(tx, table)?;
        for field in table.fields.iter().filter(|f| !existing.iter().any(|c| c == f.name)) {
            tx.execute_batch(&format!("ALTER TABLE \"{}\" ADD COLUMN {}", table.name, column(field)))?;
        }
        if keeps_text(tx, table)? {
            rebuild(tx, table)?;
        }
        tx.execute_batch(&format!("DROP INDEX IF EXISTS \"{}\"", region_index(table)))?;
    }
    for name in RETIRED_INDEXES {
        tx.execute_batch(&format!("DROP INDEX IF EXISTS \"{name}\""))?;
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
            || keeps_text(conn, table)?
        {
            return Ok(false);
        }
    }
    Ok(QUERY_INDEXES.iter().all(|(name, _, _)| has_index(name))
        && !RETIRED_INDEXES.iter().any(|name| has_index(name)))
}

/// Whether `table` has the layout of stores before ids were kept as bytes, or before dates and
/// times were kept as numbers: a column declared TEXT would turn a number back into text.
fn keeps_text(conn: &Connection, table: &TableSpec) -> Result<bool> {
    let declared: Vec<(String, String)> = conn
        .prepare(&format!("SELECT name, type FROM pragma_table_info('{}')", table.name))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let moment = |name: &str| {
        table.fields.iter().any(|f| f.name == name && matches!(f.kind, FieldKind::Date | FieldKind::Time))
    };
    Ok(declared.iter().any(|(name, kind)| kind == "TEXT" && (name == "id" || moment(name))))
}

/// Rewrites a table of an older store in this layout: a new table, the rows copied over with
/// their ids, timestamps, dates and times turned from text, the old one dropped.
fn rebuild(tx: &Transaction<'_>, table: &TableSpec) -> Result<()> {
    let new = format!("{}__bytes", table.name);
    tx.execute_batch(&create_table(table, &new))?;
    let also = [("server_version", "server_version"), ("sync_error", "sync_error")];
    tx.execute_batch(&copy_from_text(table, &format!("\"{new}\""), &format!("\"{}\"", table.name), &also))?;
    tx.execute_batch(&format!(
        "DROP TABLE \"{}\"; ALTER TABLE \"{new}\" RENAME TO \"{}\"",
        table.name, table.name
    ))?;
    Ok(())
}

/// `INSERT … SELECT` copying the rows of `source`, which keeps ids, timestamps, dates and times as
/// text (an older store's table, the server's snapshot), into `target` in this layout; a value
/// already in this layout's form is copied as it is. `also`: more
/// columns to copy as they are, as (target column, source column).
pub fn copy_from_text(table: &TableSpec, target: &str, source: &str, also: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("id".into(), "id_bytes(id)".into()),
        ("region".into(), "region".into()),
        ("created_at".into(), "stamp_ms(created_at)".into()),
        ("updated_at".into(), "stamp_ms(updated_at)".into()),
        ("deleted_at".into(), "stamp_ms(deleted_at)".into()),
    ];
    pairs.extend(also.iter().map(|(to, from)| (to.to_string(), from.to_string())));
    for field in table.fields {
        let quoted = format!("\"{}\"", field.name);
        let from = match field.kind {
            FieldKind::Ref(_) => format!("id_bytes({quoted})"),
            FieldKind::Date => format!("stored_date({quoted})"),
            FieldKind::Time => format!("stored_time({quoted})"),
            _ => quoted.clone(),
        };
        pairs.push((quoted, from));
    }
    let (into, from): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
    format!("INSERT INTO {target} ({}) SELECT {} FROM {source}", into.join(", "), from.join(", "))
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

/// `CREATE TABLE IF NOT EXISTS` for `table`, named `name`; names come from the static schema only.
fn create_table(table: &TableSpec, name: &str) -> String {
    let fields: Vec<String> = table.fields.iter().map(column).collect();
    format!(
        "CREATE TABLE IF NOT EXISTS \"{name}\" (
            id BLOB PRIMARY KEY,
            region TEXT NOT NULL,
            {},
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deleted_at INTEGER,
            server_version INTEGER NOT NULL DEFAULT 0,
            sync_error TEXT
        )",
        fields.join(",\n            ")
    )
}

/// A field's column: its SQLite type, and for a reference the row it points at, checked when
/// the transaction commits (a pull may bring a child before its parent).
fn column(field: &FieldSpec) -> String {
    let kind = match field.kind {
        FieldKind::Int | FieldKind::Bool => "INTEGER".to_string(),
        FieldKind::Real => "REAL".to_string(),
        FieldKind::Text(_) => "TEXT".to_string(),
        // INTEGER affinity leaves text that is no number as it is (`rows::to_sql`).
        FieldKind::Date | FieldKind::Time => "INTEGER".to_string(),
        FieldKind::Ref(parent) => format!("BLOB REFERENCES \"{parent}\" (id) DEFERRABLE INITIALLY DEFERRED"),
    };
    format!("\"{}\" {kind}", field.name)
}
