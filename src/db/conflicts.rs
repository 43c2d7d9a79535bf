//! Conflicts the server recorded (two offices changed one field), as managers review them.
//! The later change is already in the record; choosing the other value is an ordinary edit.

use rainstaff_core::schema;
use rusqlite::params;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::users::{Role, User};
use super::{Result, Store, StoreError, now_utc, rows};

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub id: i64,
    pub table: String,
    pub row_id: Uuid,
    pub region: String,
    pub field: String,
    /// The value the later change replaced.
    pub server_value: Value,
    /// The value now in the record.
    pub device_value: Value,
    pub created_at: String,
}

impl Store {
    /// Open conflicts in `region` (ALL: every region).
    pub fn conflicts(&self, region: &str) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, table_name, row_id, region, field, server_value, device_value, created_at
             FROM conflicts WHERE resolved_at IS NULL AND (?1 = 'ALL' OR region = ?1) ORDER BY id",
        )?;
        let list = stmt.query_map([region], |r| {
            let parse = |s: String| serde_json::from_str(&s).unwrap_or(Value::String(s));
            Ok(Conflict {
                id: r.get(0)?,
                table: r.get(1)?,
                row_id: r.get(2)?,
                region: r.get(3)?,
                field: r.get(4)?,
                server_value: parse(r.get(5)?),
                device_value: parse(r.get(6)?),
                created_at: r.get(7)?,
            })
        })?;
        Ok(list.collect::<rusqlite::Result<_>>()?)
    }

    /// Closes a conflict; with `keep_server_value` the replaced value is written back first.
    pub fn resolve_conflict(&mut self, user: &User, id: i64, keep_server_value: bool) -> Result<()> {
        if user.role == Role::Staff {
            return Err(StoreError::Invalid("conflicts: only managers resolve conflicts".into()));
        }
        let conflict = self
            .conflicts(&user.region)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::Invalid(format!("conflict {id} is not open")))?;
        let tx = self.conn.transaction()?;
        if keep_server_value {
            let table = schema::table(&conflict.table)
                .ok_or_else(|| StoreError::Invalid(format!("unknown table {}", conflict.table)))?;
            let mut fields = Map::new();
            fields.insert(conflict.field.clone(), conflict.server_value.clone());
            rows::save(&tx, table, conflict.row_id, &conflict.region, &fields)?;
        }
        tx.execute("UPDATE conflicts SET resolved_at = ?2 WHERE id = ?1", params![id, now_utc()])?;
        tx.commit()?;
        Ok(())
    }
}
