//! How this store keeps a synced row's id, its references, its timestamps, dates and times: an id
//! as its 16 bytes, a timestamp as milliseconds (`time::stamp_ms`), a date as its day number and a
//! time as its minute of the day (`sql_value::moment_number`, as the desktop's store keeps them).
//! As text they took 36, 24, ten and five bytes, in the row and again in every index and
//! change-log entry naming it: most of a server file that was 8.4 times the legacy file for 50 000
//! shifts. All but the row's own id sit in ANY columns and a value that would not read back as it
//! was written stays text (a reference that is no id in its one spelling, a timestamp another
//! program wrote), so whatever is read back is what was written. Ids order as bytes as their
//! lower-case text does, so scans keep their order.
//! A row's field versions are most often one device's change that made the row: kept as that
//! device's number (`field_versions`).
//! The snapshot file a new PC starts from keeps text (`sql_values`): only this store changed.

use rainstaff_core::schema::{FieldKind, FieldSpec, TableSpec};
use rainstaff_core::sql_value;
use rainstaff_core::time::{stamp_ms, stamp_text};
use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;
use uuid::Uuid;

use super::super::ServerRow;
use super::super::field_versions::{self, FieldVersions};
use crate::error::StoreError;
use crate::sql_values;

/// The column type of a field of `kind` in this store's tables.
pub fn column_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Ref(_) | FieldKind::Date | FieldKind::Time => "ANY",
        kind => sql_values::column_type(kind),
    }
}

pub fn id(id: Uuid) -> SqlValue {
    SqlValue::Blob(id.as_bytes().to_vec())
}

pub fn id_from(value: ValueRef<'_>) -> Result<Uuid, StoreError> {
    match value {
        ValueRef::Blob(b) => Ok(Uuid::from_slice(b)?),
        _ => Err(StoreError::msg("a row id that is not 16 bytes")),
    }
}

pub fn stamp(text: &str) -> SqlValue {
    match stamp_ms(text) {
        Ok(ms) if stamp_text(ms) == text => SqlValue::Integer(ms),
        _ => SqlValue::Text(text.to_string()),
    }
}

pub fn stamp_from(value: ValueRef<'_>) -> Result<String, StoreError> {
    match value {
        ValueRef::Integer(ms) => Ok(stamp_text(ms)),
        ValueRef::Text(t) => Ok(String::from_utf8_lossy(t).into_owned()),
        _ => Err(StoreError::msg("a timestamp that is neither milliseconds nor text")),
    }
}

/// A field's column value in this store: `sql_values`' own, but an id in a reference as bytes.
pub fn field(field: &FieldSpec, value: &Value) -> Result<SqlValue, StoreError> {
    let value = sql_values::value_to_sql(field, value)?;
    Ok(match (field.kind, value) {
        (FieldKind::Ref(_), SqlValue::Text(t)) => reference(t),
        (kind @ (FieldKind::Date | FieldKind::Time), SqlValue::Text(t)) => moment(kind, t),
        (_, value) => value,
    })
}

fn moment(kind: FieldKind, text: String) -> SqlValue {
    sql_value::moment_number(kind, &text).map_or(SqlValue::Text(text), SqlValue::Integer)
}

fn reference(text: String) -> SqlValue {
    match Uuid::parse_str(&text) {
        Ok(id) if id.to_string() == text => self::id(id),
        _ => SqlValue::Text(text),
    }
}

/// A field's JSON value from its column (`field`).
pub fn field_from(kind: FieldKind, value: ValueRef<'_>) -> Result<Value, StoreError> {
    match (kind, value) {
        (FieldKind::Ref(_), ValueRef::Blob(b)) => Ok(Value::String(Uuid::from_slice(b)?.to_string())),
        (FieldKind::Date | FieldKind::Time, ValueRef::Integer(n)) => sql_value::moment_text(kind, n)
            .map(Value::String)
            .ok_or_else(|| StoreError::msg(format!("{n} is no stored date or time"))),
        (kind, value) => sql_values::from_sql(kind, value),
    }
}

/// A row's field versions: when one change set every field and made the row's current version
/// (a row created whole and not changed since: most rows), the device that made it, as its number
/// (`number_of`, as a row keeps its origin) or, for an author that is no enrolled device (a
/// legacy upload), its 16 bytes; else `field_versions::encode`'s text. The text of that one
/// change, `[seq, "device"]`, was a third of a shift's row.
pub fn field_versions(
    row: &ServerRow,
    table: &TableSpec,
    number_of: impl FnOnce(Uuid) -> Result<Option<i64>, StoreError>,
) -> Result<SqlValue, StoreError> {
    Ok(match field_versions::one_change(&row.field_versions, table) {
        Some((seq, device)) if seq == row.state.version => match number_of(device)? {
            Some(number) => SqlValue::Integer(number),
            None => id(device),
        },
        _ => SqlValue::Text(field_versions::encode(&row.field_versions, table)?),
    })
}

/// A row's field versions from its column (`field_versions`), `version` the row's; `device_of`
/// names the device of a number.
pub fn field_versions_from(
    value: ValueRef<'_>,
    version: i64,
    table: &TableSpec,
    device_of: impl FnOnce(i64) -> Option<Uuid>,
) -> Result<FieldVersions, StoreError> {
    match value {
        ValueRef::Integer(number) => {
            let device = device_of(number).ok_or_else(|| {
                StoreError::msg(format!("field versions name device number {number}, which no device has"))
            })?;
            Ok(field_versions::every_field(table, version, device))
        }
        ValueRef::Blob(_) => Ok(field_versions::every_field(table, version, id_from(value)?)),
        ValueRef::Text(t) => field_versions::decode(&String::from_utf8_lossy(t), table),
        _ => Err(StoreError::msg("field versions that are neither a device nor text")),
    }
}

/// The column value of field versions an earlier build wrote as `text`, of a row at `version`.
fn stored_field_versions(text: String, version: i64) -> SqlValue {
    match serde_json::from_str::<(i64, Uuid)>(&text) {
        Ok((seq, device)) if seq == version => id(device),
        _ => SqlValue::Text(text),
    }
}

/// `stored_id(v)`, `stored_reference(v)`, `stored_stamp(v)`, `stored_date(v)`, `stored_time(v)`
/// and `stored_field_versions(v, version)`: the columns above, for the SQL that rebuilds a table an
/// earlier build wrote with text. A value that is not text is already in this store's form.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    fn from_text(
        ctx: &Context<'_>,
        convert: impl Fn(String) -> rusqlite::Result<SqlValue>,
    ) -> rusqlite::Result<SqlValue> {
        match ctx.get::<SqlValue>(0)? {
            SqlValue::Text(t) => convert(t),
            other => Ok(other),
        }
    }
    conn.create_scalar_function("stored_id", 1, flags, |ctx| {
        from_text(ctx, |t| {
            Uuid::parse_str(&t)
                .map(id)
                .map_err(|e| rusqlite::Error::UserFunctionError(format!("id {t:?}: {e}").into()))
        })
    })?;
    conn.create_scalar_function("stored_reference", 1, flags, |ctx| from_text(ctx, |t| Ok(reference(t))))?;
    conn.create_scalar_function("stored_stamp", 1, flags, |ctx| from_text(ctx, |t| Ok(stamp(&t))))?;
    conn.create_scalar_function("stored_date", 1, flags, |ctx| {
        from_text(ctx, |t| Ok(moment(FieldKind::Date, t)))
    })?;
    conn.create_scalar_function("stored_time", 1, flags, |ctx| {
        from_text(ctx, |t| Ok(moment(FieldKind::Time, t)))
    })?;
    conn.create_scalar_function("stored_field_versions", 2, flags, |ctx| {
        let version = ctx.get(1)?;
        from_text(ctx, |t| Ok(stored_field_versions(t, version)))
    })
}

#[cfg(test)]
mod tests {
    use rainstaff_core::schema::TIMESHEETS;
    use serde_json::json;

    use super::*;

    /// Each value through a STRICT ANY column and back, as the store's tables keep it.
    fn through_a_column(value: SqlValue) -> (String, SqlValue) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v ANY) STRICT").unwrap();
        conn.execute("INSERT INTO t (v) VALUES (?1)", [&value]).unwrap();
        conn.query_row("SELECT typeof(v), v FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
    }

    #[test]
    fn a_timestamp_as_the_server_writes_it_is_kept_as_milliseconds_any_other_as_written() {
        let (kind, stored) = through_a_column(stamp("2026-02-03T08:00:00.250Z"));
        assert_eq!(kind, "integer");
        assert_eq!(stamp_from(ValueRef::from(&stored)).unwrap(), "2026-02-03T08:00:00.250Z");
        for other in
            ["2026-02-03T11:00:00+03:00", "2026-02-03T08:00:00.250123Z", "2026-02-03 08:00:00", "dün"]
        {
            let (kind, stored) = through_a_column(stamp(other));
            assert_eq!(kind, "text", "{other}");
            assert_eq!(stamp_from(ValueRef::from(&stored)).unwrap(), other);
        }
    }

    #[test]
    fn a_reference_is_kept_as_bytes_when_it_is_an_id_and_reads_back_as_it_was_stored() {
        let employee = TIMESHEETS.field("employee_id").unwrap();
        let id = Uuid::now_v7();
        let (kind, stored) =
            through_a_column(field(employee, &json!(id.to_string().to_uppercase())).unwrap());
        assert_eq!(kind, "blob");
        assert_eq!(field_from(employee.kind, ValueRef::from(&stored)).unwrap(), json!(id.to_string()));
        let (kind, stored) = through_a_column(field(employee, &json!("kişi 7")).unwrap());
        assert_eq!(kind, "text");
        assert_eq!(field_from(employee.kind, ValueRef::from(&stored)).unwrap(), json!("kişi 7"));
        // Only references: a note that looks like an id stays text.
        let note = TIMESHEETS.field("note").unwrap();
        let (kind, _) = through_a_column(field(note, &json!(id.to_string())).unwrap());
        assert_eq!(kind, "text");
    }

    #[test]
    fn field_versions_of_the_change_that_made_the_row_are_its_device_alone() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let row = |version: i64, versions: FieldVersions| ServerRow {
            state: rainstaff_core::protocol::RowState {
                table: TIMESHEETS.name.into(),
                id: Uuid::now_v7(),
                region: "Ankara".into(),
                version,
                created_at: "2026-02-03T08:00:00.000Z".into(),
                updated_at: "2026-02-03T08:00:00.000Z".into(),
                deleted_at: None,
                fields: serde_json::Map::new(),
            },
            field_versions: versions,
        };
        let mut edited = field_versions::every_field(&TIMESHEETS, 7, a);
        edited.insert("note".into(), rainstaff_core::merge::FieldVersion { version: 9, device: b });
        // `a` is an enrolled device, number 4; `b` is not (a legacy upload's author, say).
        let number_of = |device| Ok((device == a).then_some(4));
        let device_of = |number| (number == 4).then_some(a);
        let cases = [
            (row(7, field_versions::every_field(&TIMESHEETS, 7, a)), "integer"),
            (row(7, field_versions::every_field(&TIMESHEETS, 7, b)), "blob"),
            // Made by a change the row has moved on from (a restore's rejoin can do that).
            (row(8, field_versions::every_field(&TIMESHEETS, 7, a)), "text"),
            (row(9, edited), "text"),
            (row(0, FieldVersions::new()), "text"),
        ];
        for (row, expected) in cases {
            let (kind, stored) = through_a_column(field_versions(&row, &TIMESHEETS, number_of).unwrap());
            assert_eq!(kind, expected, "{:?}", row.field_versions);
            let back =
                field_versions_from(ValueRef::from(&stored), row.state.version, &TIMESHEETS, device_of)
                    .unwrap();
            assert_eq!(back, row.field_versions);
        }
        // An earlier build's text of the same: the device alone when the change made the row.
        let text = format!("[7,\"{a}\"]");
        assert_eq!(stored_field_versions(text.clone(), 7), id(a));
        assert_eq!(stored_field_versions(text.clone(), 8), SqlValue::Text(text));
    }

    #[test]
    fn ids_as_bytes_sort_as_their_text() {
        let mut ids: Vec<Uuid> = (0..200).map(|_| Uuid::new_v4()).collect();
        let mut by_bytes = ids.clone();
        by_bytes.sort_by_key(|id| *id.as_bytes());
        ids.sort_by_key(|id| id.to_string());
        assert_eq!(by_bytes, ids);
    }
}
