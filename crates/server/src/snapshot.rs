//! The file `GET /sync/download` serves to bootstrap a new PC: an SQLite database with one table
//! per synced table (`id, region, version, created_at, updated_at, deleted_at` and the fields;
//! tombstones included, so a deleted row cannot come back) holding only the rows the caller may
//! see, and `snapshot_meta` (`format`, `head_seq`, `region`, `created_at`, `protocol_version`,
//! `epoch`).
//! No users, devices, tokens or change log: nothing in it is more than the caller could pull.

use std::path::Path;

use rainstaff_core::protocol::PROTOCOL_VERSION;
use rainstaff_core::schema::TABLES;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};

use crate::error::StoreError;
use crate::sql_values::{column_type, field_column_list, field_columns_ddl, to_sql};
use crate::store::{Scope, Tx};

pub const FORMAT: i64 = 1;

/// Writes the snapshot of `scope` to the new file `dest`; returns the head seq it matches.
pub fn write(
    tx: &mut impl Tx,
    region: &str,
    scope: Scope<'_>,
    created_at: &str,
    epoch: &str,
    dest: &Path,
) -> Result<i64, StoreError> {
    if dest.exists() {
        return Err(StoreError::msg(format!("{} already exists", dest.display())));
    }
    let mut out = Connection::open(dest)?;
    let file = out.transaction()?;
    let head_seq = tx.head_seq()?;
    file.execute_batch("CREATE TABLE snapshot_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;")?;
    let meta = [
        ("format", FORMAT.to_string()),
        ("head_seq", head_seq.to_string()),
        ("region", region.to_string()),
        ("created_at", created_at.to_string()),
        ("protocol_version", PROTOCOL_VERSION.to_string()),
        ("epoch", epoch.to_string()),
    ];
    for (key, value) in meta {
        file.execute("INSERT INTO snapshot_meta (key, value) VALUES (?1, ?2)", params![key, value])?;
    }
    for table in TABLES {
        let name = table.name;
        file.execute_batch(&format!(
            "CREATE TABLE \"{name}\" (id TEXT PRIMARY KEY, region TEXT NOT NULL, version INTEGER NOT NULL, \
             created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT, {}) STRICT;",
            field_columns_ddl(table, column_type)
        ))?;
        let placeholders =
            (1..=6 + table.fields.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let mut insert = file.prepare(&format!(
            "INSERT INTO \"{name}\" (id, region, version, created_at, updated_at, deleted_at, {}) VALUES ({placeholders})",
            field_column_list(table)
        ))?;
        tx.scan_rows(table, scope, &mut |row| {
            let base = [
                SqlValue::Text(row.id.to_string()),
                SqlValue::Text(row.region),
                SqlValue::Integer(row.version),
                SqlValue::Text(row.created_at),
                SqlValue::Text(row.updated_at),
                row.deleted_at.map_or(SqlValue::Null, SqlValue::Text),
            ];
            let fields =
                table.fields.iter().map(|f| to_sql(f, &row.fields)).collect::<Result<Vec<_>, _>>()?;
            insert.execute(params_from_iter(base.into_iter().chain(fields)))?;
            Ok(())
        })?;
    }
    file.commit()?;
    Ok(head_seq)
}
