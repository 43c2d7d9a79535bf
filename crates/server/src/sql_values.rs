//! The SQLite columns of synced fields in the snapshot file a new PC bootstraps from, and in the
//! server's store but for references, which it keeps as the ids' bytes (`store::sqlite::columns`).
//! What a value becomes in a column is decided once, in core's `sql_value`, for the desktop too;
//! this module only names the column types and speaks rusqlite.

use rainstaff_core::schema::{FieldKind, FieldSpec, TableSpec};
use rainstaff_core::sql_value::{self, SqlValue as Shared};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Map, Value};

use crate::error::StoreError;

pub fn column_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Int | FieldKind::Bool => "INTEGER",
        FieldKind::Real => "REAL",
        FieldKind::Text(_) | FieldKind::Date | FieldKind::Time | FieldKind::Ref(_) => "TEXT",
    }
}

/// `"name" TYPE, ...` for every field of `table`, each of the type `column_type` gives its kind
/// (this module's, or the server store's own); names come from the static schema only.
pub fn field_columns_ddl(table: &TableSpec, column_type: fn(FieldKind) -> &'static str) -> String {
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

/// The column value of `field` in a row's `fields` (NULL when absent), in the form every store
/// shares (`sql_value::to_sql`); a value the column cannot hold is refused, naming the field.
pub fn to_sql(field: &FieldSpec, fields: &Map<String, Value>) -> Result<SqlValue, StoreError> {
    value_to_sql(field, fields.get(field.name).unwrap_or(&Value::Null))
}

// As src/db/rows.rs maps it too: sharing the match would put rusqlite into core, which has no database.

/// The column value of one `value` of `field`: what a row's field or a query's argument becomes.
pub fn value_to_sql(field: &FieldSpec, value: &Value) -> Result<SqlValue, StoreError> {
    Ok(
        match sql_value::to_sql(field.kind, value)
            .map_err(|e| StoreError::msg(format!("{}: {e}", field.name)))?
        {
            Shared::Null => SqlValue::Null,
            Shared::Int(i) => SqlValue::Integer(i),
            Shared::Real(f) => SqlValue::Real(f),
            Shared::Text(t) => SqlValue::Text(t),
        },
    )
}

/// A field's JSON value from its column (`sql_value::from_sql`). No store writes a BLOB into a
/// synced column, so one means the file was changed by another program: refused, not guessed at.
pub fn from_sql(kind: FieldKind, value: ValueRef<'_>) -> Result<Value, StoreError> {
    let shared = match value {
        ValueRef::Null => Shared::Null,
        ValueRef::Integer(i) => Shared::Int(i),
        ValueRef::Real(f) => Shared::Real(f),
        ValueRef::Text(t) => Shared::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => return Err(StoreError::msg("unexpected BLOB in a synced column")),
    };
    Ok(sql_value::from_sql(kind, shared))
}
