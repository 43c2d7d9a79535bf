//! The id namespaces this PC derives imported legacy rows' ids from (`rainstaff_core::ids`): the
//! server's, handed out at enrollment or asked for later, or, before the PC is enrolled, one of
//! its own per region. Enrolling re-keys the rows imported under a namespace of the PC's own into
//! the region's, before any of them has reached the server, so that the same file imported on
//! another PC or on the server finds them instead of adding them twice; the PC's own namespaces
//! end there. Rows of a region the PC was not enrolled for keep their ids (they cannot sync).

use rainstaff_core::ids::{IdNamespaces, legacy_id};
use rainstaff_core::schema::{self, FieldKind};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::{Result, Store, StoreError};

const SERVER_PREFIX: &str = "id_namespace:";
const LOCAL_PREFIX: &str = "local_id_namespace:";

fn namespaces(conn: &Connection, prefix: &str) -> Result<IdNamespaces> {
    let mut stmt = conn.prepare("SELECT key, value FROM sync_state WHERE key LIKE ?1 || '%'")?;
    let rows = stmt.query_map([prefix], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = IdNamespaces::new();
    for row in rows {
        let (key, value) = row?;
        let namespace = Uuid::parse_str(&value)
            .map_err(|e| StoreError::Invalid(format!("sync_state {key}: not an id namespace ({e})")))?;
        out.insert(key[prefix.len()..].to_string(), namespace);
    }
    Ok(out)
}

fn put(conn: &Connection, prefix: &str, region: &str, namespace: Uuid) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![format!("{prefix}{region}"), namespace.to_string()],
    )?;
    Ok(())
}

impl Store {
    /// The server's namespaces this PC holds, by region.
    pub fn id_namespaces(&self) -> Result<IdNamespaces> {
        namespaces(&self.conn, SERVER_PREFIX)
    }

    /// The namespaces of this PC's own, made by imports before it was enrolled.
    pub fn local_id_namespaces(&self) -> Result<IdNamespaces> {
        namespaces(&self.conn, LOCAL_PREFIX)
    }

    /// This PC's own namespace for `region`, made on first use.
    pub fn local_id_namespace(&self, region: &str) -> Result<Uuid> {
        if let Some(namespace) = self.local_id_namespaces()?.get(region) {
            return Ok(*namespace);
        }
        let namespace = Uuid::new_v4();
        put(&self.conn, LOCAL_PREFIX, region, namespace)?;
        Ok(namespace)
    }

    /// Keeps namespaces the server handed out after enrollment.
    pub fn add_id_namespaces(&self, given: &IdNamespaces) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for (region, namespace) in given {
            put(&tx, SERVER_PREFIX, region, *namespace)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// At enrollment: keeps the server's namespaces, moves the rows imported under a namespace of
    /// this PC's own to the ids the server's gives them, and forgets the PC's own. One transaction.
    pub fn enrolled_with_id_namespaces(&self, given: &IdNamespaces) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for (region, namespace) in given {
            put(&tx, SERVER_PREFIX, region, *namespace)?;
            rekey(&tx, region, *namespace)?;
        }
        tx.execute("DELETE FROM local_legacy_ids", [])?;
        tx.execute("DELETE FROM sync_state WHERE key LIKE ?1 || '%'", [LOCAL_PREFIX])?;
        tx.commit()?;
        Ok(())
    }
}

/// Gives `region`'s rows in `local_legacy_ids` the ids of `namespace`, everywhere they are named:
/// the rows, references to them, and the outbox (its row ids and the references in its fields).
/// References may come from rows typed here since the import, so every row is looked at.
fn rekey(tx: &Connection, region: &str, namespace: Uuid) -> Result<()> {
    // Each id twice: as the tables keep it, and as the outbox's JSON fields write it.
    tx.execute_batch(
        "CREATE TEMP TABLE rekey (old BLOB PRIMARY KEY, new BLOB NOT NULL, old_text TEXT NOT NULL UNIQUE,
                                  new_text TEXT NOT NULL)",
    )?;
    {
        let mut select =
            tx.prepare("SELECT table_name, legacy_id, row_id FROM local_legacy_ids WHERE region = ?1")?;
        let mut insert =
            tx.prepare("INSERT INTO temp.rekey (old, new, old_text, new_text) VALUES (?1, ?2, ?3, ?4)")?;
        let rows = select.query_map([region], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Uuid>(2)?))
        })?;
        for row in rows {
            let (table, legacy, old) = row?;
            let new = legacy_id(namespace, &table, legacy);
            insert.execute(params![old, new, old.to_string(), new.to_string()])?;
        }
    }
    let moved = "SELECT new FROM temp.rekey WHERE old =";
    for spec in schema::TABLES {
        let table = spec.name;
        tx.execute(
            &format!("UPDATE {table} SET id = ({moved} {table}.id) WHERE id IN (SELECT old FROM temp.rekey)"),
            [],
        )?;
        for field in spec.fields.iter().filter(|f| matches!(f.kind, FieldKind::Ref(_))) {
            let f = field.name;
            tx.execute(
                &format!(
                    "UPDATE {table} SET {f} = ({moved} {table}.{f}) WHERE {f} IN (SELECT old FROM temp.rekey)"
                ),
                [],
            )?;
            tx.execute(
                &format!(
                    "UPDATE outbox SET fields = json_set(fields, '$.{f}',
                         (SELECT new_text FROM temp.rekey WHERE old_text = json_extract(outbox.fields, '$.{f}')))
                     WHERE table_name = ?1 AND json_extract(fields, '$.{f}') IN (SELECT old_text FROM temp.rekey)"
                ),
                [table],
            )?;
        }
    }
    tx.execute(
        &format!(
            "UPDATE outbox SET row_id = ({moved} outbox.row_id) WHERE row_id IN (SELECT old FROM temp.rekey)"
        ),
        [],
    )?;
    tx.execute_batch("DROP TABLE temp.rekey")?;
    Ok(())
}
