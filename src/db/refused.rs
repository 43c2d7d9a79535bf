//! Changes the server refused, parked off the outbox so that one refused change never holds back
//! the office's others. The record keeps what was typed, marked with the reason; a manager fixes
//! the record and saves it (the change goes again), resends it as it is, or discards it, and then
//! the server's version comes back. Nothing a person typed is dropped without someone choosing so.

use rainstaff_core::protocol::{Op, Outcome, RefusalCode, RowState};
use rainstaff_core::schema::{self, TableSpec};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::users::{Role, User};
use super::{Result, Store, StoreError, now_utc, rows, stamp_ms};

#[derive(Debug, Clone, PartialEq)]
pub struct RefusedChange {
    pub id: i64,
    pub table: String,
    pub row_id: Uuid,
    pub region: String,
    pub op: Op,
    /// The fields the change set, as it was sent.
    pub fields: Map<String, Value>,
    pub made_at: String,
    pub made_by: Option<String>,
    pub code: RefusalCode,
    /// The server's own words (English), for the details.
    pub reason: String,
    pub refused_at: String,
    /// The server's row as last heard of, when it has one this PC may see.
    pub server_row: Option<RowState>,
}

fn op_text(op: &str) -> Op {
    if op == "delete" { Op::Delete } else { Op::Upsert }
}

/// Moves an answered outbox entry to the parked list and marks its record, inside the caller's
/// transaction (the one that applies the rest of the push's answers).
pub(crate) fn park(conn: &Connection, outcome: &Outcome) -> Result<()> {
    let code = outcome.code.unwrap_or(RefusalCode::Other);
    let server_row = outcome.row.as_ref().map(serde_json::to_string).transpose().map_err(to_store)?;
    let parked = conn.prepare_cached(
        "INSERT INTO refused_changes (mutation_id, table_name, row_id, region, op, fields, made_at, made_by,
                                      code, reason, refused_at, server_row)
         SELECT mutation_id, table_name, row_id, region, op, fields, created_at, made_by, ?2, ?3, ?4, ?5
         FROM outbox WHERE mutation_id = ?1",
    )?
    .execute(params![
        outcome.mutation_id,
        code.as_str(),
        outcome.reason.clone().unwrap_or_default(),
        now_utc(),
        server_row
    ])?;
    if parked == 0 {
        return Ok(());
    }
    let (table, row_id): (String, Uuid) = conn.query_row(
        "SELECT table_name, row_id FROM outbox WHERE mutation_id = ?1",
        [outcome.mutation_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    conn.execute("DELETE FROM outbox WHERE mutation_id = ?1", [outcome.mutation_id])?;
    if let Some(table) = schema::table(&table) {
        mark(conn, table, row_id, Some(code.as_str()))?;
    }
    Ok(())
}

/// Parks a row the rejoin of a restored server refused, as if its change had been refused.
pub(crate) fn park_row(
    conn: &Connection,
    table: &TableSpec,
    row: &rows::LocalRow,
    outcome: &Outcome,
) -> Result<()> {
    let code = outcome.code.unwrap_or(RefusalCode::Other);
    let server_row = outcome.row.as_ref().map(serde_json::to_string).transpose().map_err(to_store)?;
    let op = if row.deleted { "delete" } else { "upsert" };
    let fields = if row.deleted { Map::new() } else { row.fields.clone() };
    conn.execute(
        "INSERT INTO refused_changes (mutation_id, table_name, row_id, region, op, fields, made_at, made_by,
                                      code, reason, refused_at, server_row)
         VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10)",
        params![
            table.name,
            row.id,
            row.region,
            op,
            Value::Object(fields).to_string(),
            row.updated_at,
            code.as_str(),
            outcome.reason.clone().unwrap_or_default(),
            now_utc(),
            server_row
        ],
    )?;
    mark(conn, table, row.id, Some(code.as_str()))
}

fn mark(conn: &Connection, table: &TableSpec, id: Uuid, code: Option<&str>) -> Result<()> {
    conn.execute(&format!("UPDATE {} SET sync_error = ?2 WHERE id = ?1", table.name), params![id, code])?;
    Ok(())
}

fn to_store(e: serde_json::Error) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Keeps the server's latest row beside the changes parked for it, so a discard brings back the
/// server's version as it stands, not as it stood when the change was refused.
pub(crate) fn remember_server_row(conn: &Connection, state: &RowState) -> Result<()> {
    let json = serde_json::to_string(state).map_err(to_store)?;
    conn.prepare_cached("UPDATE refused_changes SET server_row = ?2 WHERE row_id = ?1")?
        .execute(params![state.id, json])?;
    Ok(())
}

/// Removes the changes parked for a row that is being saved again and returns the fields they
/// set, which the save sends along.
pub(crate) fn take_parked_fields(conn: &Connection, id: Uuid) -> Result<Vec<String>> {
    let mut names = Vec::new();
    {
        let mut stmt =
            conn.prepare_cached("SELECT fields FROM refused_changes WHERE row_id = ?1 AND op = 'upsert'")?;
        for json in stmt.query_map([id], |r| r.get::<_, String>(0))? {
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&json?) {
                names.extend(map.keys().cloned());
            }
        }
    }
    conn.prepare_cached("DELETE FROM refused_changes WHERE row_id = ?1")?.execute([id])?;
    Ok(names)
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefusedChange> {
    let fields: String = r.get(5)?;
    let server_row: Option<String> = r.get(12)?;
    Ok(RefusedChange {
        id: r.get(0)?,
        table: r.get(1)?,
        row_id: r.get(2)?,
        region: r.get(3)?,
        op: op_text(&r.get::<_, String>(4)?),
        fields: match serde_json::from_str(&fields) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        made_at: r.get(6)?,
        made_by: r.get(7)?,
        code: RefusalCode::parse(&r.get::<_, String>(8)?),
        reason: r.get(9)?,
        refused_at: r.get(10)?,
        server_row: server_row.and_then(|s| serde_json::from_str(&s).ok()),
    })
}

const COLUMNS: &str = "id, table_name, row_id, region, op, fields, made_at, made_by, code, reason, refused_at, \
                       mutation_id, server_row";

impl Store {
    /// Refused changes in `region` (ALL: every region), oldest first.
    pub fn refused_changes(&self, region: &str) -> Result<Vec<RefusedChange>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM refused_changes WHERE ?1 = 'ALL' OR region = ?1 ORDER BY id"
        ))?;
        let list = stmt.query_map([region], read)?;
        Ok(list.collect::<rusqlite::Result<_>>()?)
    }

    pub fn refused_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM refused_changes", [], |r| r.get(0))?)
    }

    fn refused_for(&self, user: &User, id: i64) -> Result<RefusedChange> {
        if user.role == Role::Staff {
            return Err(StoreError::Invalid("refused changes: only managers resend or discard them".into()));
        }
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM refused_changes WHERE id = ?1"), [id], read)
            .optional()?
            .filter(|c| user.can_access(&c.region))
            .ok_or_else(|| StoreError::Invalid(format!("refused change {id} is no longer waiting")))
    }

    /// Sends a refused change again, with the record's values as they are now (a manager may
    /// have fixed what the server refused, or the server's rules may have changed).
    pub fn resend_refused(&mut self, user: &User, id: i64) -> Result<()> {
        let change = self.refused_for(user, id)?;
        let table = schema::table(&change.table)
            .ok_or_else(|| StoreError::Invalid(format!("unknown table {}", change.table)))?;
        self.act_as(Some(&user.username))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM refused_changes WHERE id = ?1", [id])?;
        if let Some(row) = rows::get(&tx, table, change.row_id)? {
            let now = now_utc();
            match change.op {
                Op::Delete => rows::append_outbox(
                    &tx,
                    table.name,
                    row.id,
                    &row.region,
                    &rows::Entry::delete(row.server_version),
                    &now,
                )?,
                // A record deleted here since is not brought back by an old edit.
                Op::Upsert if row.deleted => {}
                Op::Upsert => {
                    // A row the server never took is sent whole, so it can be created.
                    let fields: Map<String, Value> = if row.server_version == 0 {
                        row.fields.clone()
                    } else {
                        change
                            .fields
                            .keys()
                            .map(|k| (k.clone(), row.fields.get(k).cloned().unwrap_or(Value::Null)))
                            .collect()
                    };
                    // Sent again by a manager, the change is the manager's and judged by every rule.
                    let entry = rows::Entry {
                        op: Op::Upsert,
                        fields,
                        base_version: row.server_version,
                        imported: false,
                    };
                    rows::append_outbox(&tx, table.name, row.id, &row.region, &entry, &now)?;
                }
            }
            clear_mark_if_done(&tx, table, row.id)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops a refused change; the record takes the server's version again (or, when the server
    /// never had it, a record that was never anywhere else is deleted here).
    pub fn discard_refused(&mut self, user: &User, id: i64) -> Result<()> {
        let change = self.refused_for(user, id)?;
        let table = schema::table(&change.table)
            .ok_or_else(|| StoreError::Invalid(format!("unknown table {}", change.table)))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM refused_changes WHERE id = ?1", [id])?;
        let others: i64 =
            tx.query_row("SELECT count(*) FROM refused_changes WHERE row_id = ?1", [change.row_id], |r| {
                r.get(0)
            })?;
        if others == 0 {
            match &change.server_row {
                Some(state) => {
                    rows::apply_server_row(&tx, state, None)?;
                }
                None => {
                    let local_only =
                        rows::get(&tx, table, change.row_id)?.is_some_and(|r| r.server_version == 0);
                    let pending: i64 = tx.query_row(
                        "SELECT count(*) FROM outbox WHERE row_id = ?1",
                        [change.row_id],
                        |r| r.get(0),
                    )?;
                    // Kept as a local tombstone rather than removed: other records typed on
                    // this PC may still refer to it.
                    if local_only && pending == 0 {
                        tx.execute(
                            &format!("UPDATE {} SET deleted_at = ?2 WHERE id = ?1", table.name),
                            params![change.row_id, stamp_ms(&now_utc()).map_err(StoreError::Invalid)?],
                        )?;
                    }
                }
            }
            mark(&tx, table, change.row_id, None)?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn clear_mark_if_done(conn: &Connection, table: &TableSpec, id: Uuid) -> Result<()> {
    let left: i64 =
        conn.query_row("SELECT count(*) FROM refused_changes WHERE row_id = ?1", [id], |r| r.get(0))?;
    if left == 0 {
        mark(conn, table, id, None)?;
    }
    Ok(())
}
