//! How a synced field is kept in an SQLite column and read back, for the server's store and for
//! the snapshot file a new PC bootstraps from. Reading back must give exactly the JSON value that
//! was written, or a row would look changed to the merge and to devices' canonical hashes.

use rainstaff_core::schema::{FieldKind, TableSpec};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;

use crate::error::StoreError;

pub fn column_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Int | FieldKind::Bool => "INTEGER",
        FieldKind::Real => "REAL",
        FieldKind::Text(_) | FieldKind::Date | FieldKind::Time | FieldKind::Ref(_) => "TEXT",
    }
}

/// `"name" TYPE, ...` for every field of `table`; names come from the static schema only.
pub fn field_columns_ddl(table: &TableSpec) -> String {
    table
        .fields
        .iter()
        .map(|f| format!("\"{}\" {}", f.name, column_type(f.kind)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"a", "b", ...` for every field of `table`.
pub fn field_column_list(table: &TableSpec) -> String {
    table.fields.iter().map(|f| format!("\"{}\"", f.name)).collect::<Vec<_>>().join(", ")
}

/// The form a value takes on the server: every `Real` is an f64, so `100` and `100.0` from two
/// PCs are one value.
pub fn canonical(kind: FieldKind, value: &Value) -> Value {
    match (kind, value.as_f64()) {
        (FieldKind::Real, Some(f)) => Value::from(f),
        _ => value.clone(),
    }
}

pub fn to_sql(kind: FieldKind, value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => match (kind, n.as_i64()) {
            (FieldKind::Real, _) | (_, None) => SqlValue::Real(n.as_f64().unwrap_or_default()),
            (_, Some(i)) => SqlValue::Integer(i),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

pub fn from_sql(kind: FieldKind, value: ValueRef<'_>) -> Result<Value, StoreError> {
    Ok(match (kind, value) {
        (_, ValueRef::Null) => Value::Null,
        (FieldKind::Bool, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (FieldKind::Real, ValueRef::Integer(i)) => Value::from(i as f64),
        (_, ValueRef::Integer(i)) => Value::from(i),
        (_, ValueRef::Real(f)) => Value::from(f),
        (_, ValueRef::Text(t)) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (_, ValueRef::Blob(_)) => {
            return Err(StoreError::msg("unexpected BLOB in a synced column"));
        }
    })
}
