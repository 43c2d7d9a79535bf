//! Reading and writing synced rows generically, from the schema in the core crate. Every local
//! write appends its outbox entry in the same transaction, so a change either exists with its
//! outbox entry or not at all.

use rainstaff_core::protocol::{Op, RowState};
use rainstaff_core::schema::{FieldKind, TableSpec};
use rainstaff_core::sql_value::{self, NotStorable, SqlValue as Shared};
use rusqlite::types::{FromSqlError, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Result, StoreError, now_utc, stamp_ms, stamp_text};

/// A synced row as this PC holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalRow {
    pub id: Uuid,
    pub region: String,
    pub fields: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted: bool,
    pub server_version: i64,
    pub sync_error: Option<String>,
}

// As the server's sql_values.rs maps it too: sharing the match would put rusqlite into core (no database).

/// A field's column value, in the form the server's store shares (`sql_value::to_sql`) but for
/// references, which this store keeps as the id's 16 bytes, and dates and times, kept as numbers
/// (`ddl`); a value the column cannot hold is refused, as the server refuses it.
pub fn to_sql(kind: FieldKind, value: &Value) -> Result<SqlValue, NotStorable> {
    Ok(match sql_value::to_sql(kind, value)? {
        Shared::Null => SqlValue::Null,
        Shared::Int(i) => SqlValue::Integer(i),
        Shared::Real(f) => SqlValue::Real(f),
        Shared::Text(t) => match kind {
            FieldKind::Ref(_) => match Uuid::parse_str(&t) {
                Ok(id) => SqlValue::from(id),
                Err(_) => return Err(NotStorable::record_id(value)),
            },
            FieldKind::Date | FieldKind::Time => stored_moment(kind, t),
            _ => SqlValue::Text(t),
        },
    })
}

/// A date or time as this store keeps it (`sql_value::moment_number`), else the text as it is.
pub(super) fn stored_moment(kind: FieldKind, text: String) -> SqlValue {
    sql_value::moment_number(kind, &text).map_or(SqlValue::Text(text), SqlValue::Integer)
}

/// A field's JSON value from its column (`sql_value::from_sql`). This store writes a BLOB only
/// into a reference and a number into a date or time only as `to_sql` does, so anything else
/// there means another program changed the file: an error, not a guess.
pub fn from_sql(kind: FieldKind, value: ValueRef<'_>) -> rusqlite::Result<Value> {
    let shared = match value {
        ValueRef::Null => Shared::Null,
        ValueRef::Integer(i) => match kind {
            FieldKind::Date | FieldKind::Time => {
                Shared::Text(sql_value::moment_text(kind, i).ok_or(FromSqlError::OutOfRange(i))?)
            }
            _ => Shared::Int(i),
        },
        ValueRef::Real(f) => Shared::Real(f),
        ValueRef::Text(t) => Shared::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) if matches!(kind, FieldKind::Ref(_)) => {
            Shared::Text(Uuid::from_slice(b).map_err(|e| FromSqlError::Other(e.into()))?.to_string())
        }
        ValueRef::Blob(_) => return Err(FromSqlError::InvalidType.into()),
    };
    Ok(sql_value::from_sql(kind, shared))
}

/// A date or time column read by SQL of its own (`from_sql`), as the text the rules compare.
pub fn read_moment(kind: FieldKind, value: ValueRef<'_>) -> rusqlite::Result<String> {
    Ok(from_sql(kind, value)?.as_str().unwrap_or_default().to_string())
}

/// The SELECT list of a table: fixed columns first, then the schema's fields.
fn select_list(table: &TableSpec) -> String {
    let mut cols =
        vec!["id", "region", "created_at", "updated_at", "deleted_at", "server_version", "sync_error"];
    cols.extend(table.column_names());
    cols.join(", ")
}

fn row_from(table: &TableSpec, r: &rusqlite::Row<'_>) -> rusqlite::Result<LocalRow> {
    let mut fields = Map::new();
    for (i, f) in table.fields.iter().enumerate() {
        fields.insert(f.name.to_string(), from_sql(f.kind, r.get_ref(7 + i)?)?);
    }
    Ok(LocalRow {
        id: r.get(0)?,
        region: r.get(1)?,
        created_at: stamp_text(r.get(2)?),
        updated_at: stamp_text(r.get(3)?),
        deleted: r.get::<_, Option<i64>>(4)?.is_some(),
        server_version: r.get(5)?,
        sync_error: r.get(6)?,
        fields,
    })
}

pub fn get(conn: &Connection, table: &TableSpec, id: Uuid) -> Result<Option<LocalRow>> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", select_list(table), table.name);
    Ok(conn.prepare_cached(&sql)?.query_row([id], |r| row_from(table, r)).optional()?)
}

/// Live rows of a table matching an SQL condition over its columns (written by this crate only).
pub fn select(
    conn: &Connection,
    table: &TableSpec,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<LocalRow>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE deleted_at IS NULL AND ({condition})",
        select_list(table),
        table.name
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args, |r| row_from(table, r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Writes the row's fields and metadata as given (no outbox): used to apply what the server says.
fn put(conn: &Connection, table: &TableSpec, row: &LocalRow) -> Result<()> {
    let names = select_list(table);
    let placeholders = (1..=7 + table.fields.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let updates =
        names.split(", ").skip(1).map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO {} ({names}) VALUES ({placeholders}) ON CONFLICT (id) DO UPDATE SET {updates}",
        table.name
    );
    let mut values: Vec<SqlValue> = vec![
        SqlValue::from(row.id),
        SqlValue::Text(row.region.clone()),
        SqlValue::Integer(stored_stamp(&row.created_at)?),
        SqlValue::Integer(stored_stamp(&row.updated_at)?),
        if row.deleted { SqlValue::Integer(stored_stamp(&row.updated_at)?) } else { SqlValue::Null },
        SqlValue::Integer(row.server_version),
        row.sync_error.clone().map_or(SqlValue::Null, SqlValue::Text),
    ];
    for f in table.fields {
        let value = to_sql(f.kind, row.fields.get(f.name).unwrap_or(&Value::Null));
        values.push(value.map_err(|e| StoreError::Invalid(format!("{}: {e}", f.name)))?);
    }
    conn.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(())
}

/// A row's timestamp as its table keeps it (`stamp_ms`).
fn stored_stamp(text: &str) -> Result<i64> {
    stamp_ms(text).map_err(StoreError::Invalid)
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created,
    Changed,
    Unchanged,
}

/// Creates or edits a row and appends the outbox entry, inside the caller's transaction.
/// `fields` may be partial for an edit; values are validated by the caller.
pub fn save(
    conn: &Connection,
    table: &TableSpec,
    id: Uuid,
    region: &str,
    fields: &Map<String, Value>,
) -> Result<Saved> {
    save_from(conn, table, id, region, fields, false)
}

/// `save` for a row a legacy import brings: its outbox entry says so (`Mutation::imported`).
pub fn save_imported(
    conn: &Connection,
    table: &TableSpec,
    id: Uuid,
    region: &str,
    fields: &Map<String, Value>,
) -> Result<Saved> {
    save_from(conn, table, id, region, fields, true)
}

fn save_from(
    conn: &Connection,
    table: &TableSpec,
    id: Uuid,
    region: &str,
    fields: &Map<String, Value>,
    imported: bool,
) -> Result<Saved> {
    let now = now_utc();
    let (row, changed, outcome) = match get(conn, table, id)? {
        Some(existing) if existing.deleted => {
            return Err(StoreError::Invalid(format!("{} {id} was deleted", table.name)));
        }
        Some(existing) => {
            if existing.region != region {
                return Err(StoreError::Invalid("region: a record cannot move to another region".into()));
            }
            let mut changed: Map<String, Value> = fields
                .iter()
                .filter(|(k, v)| existing.fields.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            // Saving a record with refused changes sends them again with it: fixing the record
            // is how a refused change is mended.
            let parked = super::refused::take_parked_fields(conn, id)?;
            if changed.is_empty() && parked.is_empty() {
                return Ok(Saved::Unchanged);
            }
            for name in parked {
                if !changed.contains_key(&name) {
                    changed.insert(name.clone(), existing.fields.get(&name).cloned().unwrap_or(Value::Null));
                }
            }
            let mut row = existing;
            row.fields.extend(changed.clone());
            row.updated_at = now.clone();
            row.sync_error = None;
            // A row the server never acknowledged is sent whole, so that it can always be created.
            let sent = if row.server_version == 0 { row.fields.clone() } else { changed };
            (row, sent, Saved::Changed)
        }
        None => {
            let all: Map<String, Value> = table
                .column_names()
                .map(|n| (n.to_string(), fields.get(n).cloned().unwrap_or(Value::Null)))
                .collect();
            let row = LocalRow {
                id,
                region: region.to_string(),
                fields: all.clone(),
                created_at: now.clone(),
                updated_at: now.clone(),
                deleted: false,
                server_version: 0,
                sync_error: None,
            };
            (row, all, Saved::Created)
        }
    };
    put(conn, table, &row)?;
    let entry = Entry { op: Op::Upsert, fields: changed, base_version: row.server_version, imported };
    append_outbox(conn, table.name, id, region, &entry, &now)?;
    Ok(outcome)
}

/// Marks a row deleted (a tombstone) and appends the outbox entry.
pub fn delete(conn: &Connection, table: &TableSpec, id: Uuid) -> Result<()> {
    let Some(mut row) = get(conn, table, id)? else {
        return Err(StoreError::Invalid(format!("{} {id} does not exist", table.name)));
    };
    if row.deleted {
        return Ok(());
    }
    let now = now_utc();
    row.deleted = true;
    row.updated_at = now.clone();
    put(conn, table, &row)?;
    append_outbox(conn, table.name, id, &row.region, &Entry::delete(row.server_version), &now)
}

/// Brings back a row deleted on this PC whose delete, outbox entry `mutation`, was never sent:
/// the entry becomes an upsert that changes nothing the server holds (all the fields for a row
/// the server never acknowledged, which must still be created; none for one it holds, so that
/// what other PCs changed meanwhile stands), and the mutation ids keep no gap.
pub fn undelete(conn: &Connection, table: &TableSpec, id: Uuid, mutation: i64) -> Result<()> {
    let mut row = get(conn, table, id)?
        .filter(|r| r.deleted)
        .ok_or_else(|| StoreError::Invalid(format!("{} {id} is not deleted", table.name)))?;
    let fields = if row.server_version == 0 { row.fields.clone() } else { Map::new() };
    conn.execute(
        "UPDATE outbox SET op = 'upsert', fields = ?2 WHERE mutation_id = ?1",
        params![mutation, Value::Object(fields).to_string()],
    )?;
    row.deleted = false;
    row.updated_at = now_utc();
    put(conn, table, &row)?;
    Ok(())
}

/// Records a tombstone for a row this PC may never have had (a legacy deletion), so that no later
/// import brings it back; it travels to the server like any delete.
pub fn tombstone(conn: &Connection, table: &TableSpec, id: Uuid, region: &str) -> Result<bool> {
    match get(conn, table, id)? {
        Some(row) if row.deleted => Ok(false),
        Some(_) => delete(conn, table, id).map(|()| true),
        None => {
            let now = now_utc();
            let row = LocalRow {
                id,
                region: region.to_string(),
                fields: table.column_names().map(|n| (n.to_string(), Value::Null)).collect(),
                created_at: now.clone(),
                updated_at: now.clone(),
                deleted: true,
                server_version: 0,
                sync_error: None,
            };
            put(conn, table, &row)?;
            append_outbox(conn, table.name, id, region, &Entry::delete(0), &now)?;
            Ok(true)
        }
    }
}

/// What an outbox entry says about its row.
pub(crate) struct Entry {
    pub op: Op,
    /// The fields the change sets.
    pub fields: Map<String, Value>,
    /// The server version the change started from.
    pub base_version: i64,
    /// Made by a legacy import (`Mutation::imported`).
    pub imported: bool,
}

impl Entry {
    pub fn delete(base_version: i64) -> Entry {
        Entry { op: Op::Delete, fields: Map::new(), base_version, imported: false }
    }
}

pub(crate) fn append_outbox(
    conn: &Connection,
    table: &str,
    id: Uuid,
    region: &str,
    entry: &Entry,
    now: &str,
) -> Result<()> {
    let op = match entry.op {
        Op::Upsert => "upsert",
        Op::Delete => "delete",
    };
    conn.prepare_cached(
        "INSERT INTO outbox
             (table_name, row_id, region, op, fields, base_version, created_at, made_by, imported, made)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT name FROM temp.actor), ?8,
                 (SELECT coalesce(max(made), 0) + 1 FROM outbox))",
    )?
    .execute(params![
        table,
        id,
        region,
        op,
        Value::Object(entry.fields.clone()).to_string(),
        entry.base_version,
        now,
        entry.imported
    ])?;
    Ok(())
}

/// The fields that local changes still waiting in the outbox, or parked as refused, have set on a
/// row: what the server says about them must not overwrite the office's newer typing.
pub fn pending_fields(conn: &Connection, id: Uuid) -> Result<(Vec<String>, bool)> {
    let mut stmt = conn.prepare_cached(
        "SELECT op, fields FROM outbox WHERE row_id = ?1
         UNION ALL SELECT op, fields FROM refused_changes WHERE row_id = ?1",
    )?;
    let mut fields = Vec::new();
    let mut deleting = false;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (op, json) = row?;
        deleting |= op == "delete";
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&json) {
            fields.extend(map.keys().cloned());
        }
    }
    Ok((fields, deleting))
}

/// Takes the server's canonical row, keeping fields that local pending changes set. Never goes
/// back to an older version than the one this PC already has.
pub fn apply_server_row(conn: &Connection, state: &RowState, sync_error: Option<&str>) -> Result<bool> {
    let Some(table) = rainstaff_core::schema::table(&state.table) else {
        return Err(StoreError::Invalid(format!("unknown table {} from the server", state.table)));
    };
    let existing = get(conn, table, state.id)?;
    if existing.as_ref().is_some_and(|r| r.server_version > state.version) {
        return Ok(false);
    }
    let (pending, deleting) = pending_fields(conn, state.id)?;
    let mut fields = state.fields.clone();
    for f in table.column_names() {
        fields.entry(f.to_string()).or_insert(Value::Null);
    }
    if let Some(local) = &existing {
        for name in &pending {
            if let Some(v) = local.fields.get(name) {
                fields.insert(name.clone(), v.clone());
            }
        }
    }
    let row = LocalRow {
        id: state.id,
        region: state.region.clone(),
        fields,
        created_at: state.created_at.clone(),
        updated_at: state.updated_at.clone(),
        deleted: state.deleted_at.is_some() || deleting,
        server_version: state.version,
        // A rejection stays on the record until somebody edits it again.
        sync_error: sync_error
            .map(str::to_string)
            .or_else(|| existing.as_ref().and_then(|r| r.sync_error.clone())),
    };
    match &existing {
        // The usual answer to a push: the fields this PC sent, now with the server's version.
        // Rewriting only the version leaves the row's indexes alone.
        Some(local)
            if local.fields == row.fields && local.region == row.region && local.deleted == row.deleted =>
        {
            let sql = format!(
                "UPDATE {} SET created_at = ?2, updated_at = ?3, server_version = ?4, sync_error = ?5 WHERE id = ?1",
                table.name
            );
            conn.prepare_cached(&sql)?.execute(params![
                row.id,
                stored_stamp(&row.created_at)?,
                stored_stamp(&row.updated_at)?,
                row.server_version,
                row.sync_error
            ])?;
        }
        _ => put(conn, table, &row)?,
    }
    super::refused::remember_server_row(conn, state)?;
    Ok(true)
}

/// Forgets the server version a row was seen at: after a restore the server counts anew, and
/// what it answers must be taken whatever its number.
pub fn forget_version(conn: &Connection, table: &TableSpec, id: Uuid) -> Result<()> {
    conn.execute(&format!("UPDATE {} SET server_version = 0 WHERE id = ?1", table.name), [id])?;
    Ok(())
}

/// Moves a row to another region and appends the one outbox entry that tells the server: an
/// upsert in the new region with the row's full fields and its server version as the base, which
/// the server applies as a move when an administrator's all-regions PC sends it.
pub fn move_region(conn: &Connection, table: &TableSpec, id: Uuid, to: &str) -> Result<()> {
    let Some(mut row) = get(conn, table, id)?.filter(|r| !r.deleted) else {
        return Err(StoreError::Invalid(format!("{} {id} does not exist", table.name)));
    };
    let now = now_utc();
    row.region = to.to_string();
    row.updated_at = now.clone();
    row.sync_error = None;
    put(conn, table, &row)?;
    let entry =
        Entry { op: Op::Upsert, fields: row.fields, base_version: row.server_version, imported: false };
    append_outbox(conn, table.name, id, to, &entry, &now)
}
