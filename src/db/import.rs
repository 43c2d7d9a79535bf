//! Legacy files into the local store, through the one importer the server uses too. The whole
//! file is read first; the import is then applied in one transaction, every row with its outbox
//! entry, so imported data syncs like any edit. Which region's rows it takes, and the namespaces
//! their ids come from, the caller says (`crate::legacy_import`).

use std::collections::BTreeSet;
use std::path::Path;

use rainstaff_core::ids::IdNamespaces;
use rainstaff_core::schema;
use rainstaff_core::text::search_key;
use rainstaff_legacy::{Existing, ImportReport, ImportTarget, ImportedRow, LegacyUser, Tombstone};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::audit::Entry;
use super::sync::SyncError;
use super::{Store, StoreError, now_utc, rows};

pub const COMPANY_NAME_KEY: &str = "company_name";

/// The store, inside the import's transaction.
struct Target<'a> {
    conn: &'a Connection,
    /// Regions whose ids come from a namespace of this PC's own: their legacy ids are kept for
    /// enrollment to re-key them.
    local: BTreeSet<String>,
}

impl Target<'_> {
    fn remember(&self, table: &str, region: &str, legacy_id: i64, id: Uuid) -> Result<(), StoreError> {
        if self.local.contains(region) {
            self.conn.execute(
                "INSERT OR IGNORE INTO local_legacy_ids (table_name, region, legacy_id, row_id)
                 VALUES (?1, ?2, ?3, ?4)",
                params![table, region, legacy_id, id],
            )?;
        }
        Ok(())
    }
}

fn table(name: &str) -> Result<&'static schema::TableSpec, StoreError> {
    schema::table(name).ok_or_else(|| StoreError::Invalid(format!("unknown table {name}")))
}

impl ImportTarget for Target<'_> {
    type Error = StoreError;

    fn existing(&mut self, name: &'static str, id: Uuid) -> Result<Option<Existing>, StoreError> {
        Ok(rows::get(self.conn, table(name)?, id)?.map(|r| Existing {
            region: r.region,
            fields: r.fields,
            deleted: r.deleted,
        }))
    }

    fn upsert(&mut self, row: &ImportedRow) -> Result<(), StoreError> {
        rows::save_imported(self.conn, table(row.table)?, row.id, &row.region, &row.fields)?;
        self.remember(row.table, &row.region, row.legacy_id, row.id)
    }

    fn delete(&mut self, t: &Tombstone) -> Result<(), StoreError> {
        rows::tombstone(self.conn, table(t.table)?, t.id, &t.region)?;
        self.remember(t.table, &t.region, t.legacy_id, t.id)
    }

    fn has_user(&mut self, username: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username_key = ?1)",
            [search_key(username.trim())],
            |r| r.get(0),
        )?)
    }

    fn create_user(&mut self, user: &LegacyUser) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO users (id, username, username_key, password_hash, role, region, active, created_at)
             VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7)",
            params![
                Uuid::now_v7().to_string(),
                user.username.trim(),
                search_key(user.username.trim()),
                user.role.code(),
                user.region,
                user.active,
                now_utc()
            ],
        )?;
        Ok(())
    }

    fn company_name(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [COMPANY_NAME_KEY], |r| r.get(0))
            .ok())
    }

    fn set_company_name(&mut self, name: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![COMPANY_NAME_KEY, name],
        )?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] rainstaff_legacy::LegacyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server did not hand out the id namespaces this import needs.
    #[error(
        "the id namespace of {regions} could not be had from the server; try again once it can be reached ({why})"
    )]
    Namespaces { regions: String, why: SyncError },
}

impl Store {
    /// Imports the rows of `region` (or `ALL`) of a legacy `puantaj.db`, their ids derived from
    /// `namespaces`, which hold every region the import takes, as `by`'s act in the audit trail;
    /// with `dry_run` only says what it would do.
    pub fn import_legacy(
        &mut self,
        path: &Path,
        region: &str,
        namespaces: &IdNamespaces,
        dry_run: bool,
        by: &str,
    ) -> Result<ImportReport, ImportError> {
        let import = rainstaff_legacy::read_legacy(path, region, namespaces)?;
        let own = self.local_id_namespaces()?;
        let local =
            own.iter().filter(|(r, ns)| namespaces.get(*r) == Some(ns)).map(|(r, _)| r.clone()).collect();
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut target = Target { conn: &tx, local };
        let report = if dry_run {
            rainstaff_legacy::dry_run(&import, &mut target)?
        } else {
            rainstaff_legacy::apply(&import, &mut target)?
        };
        if !dry_run && !report.imported.is_empty() {
            Entry::event(by, region, "import", Some(path.display().to_string())).write(&tx)?;
        }
        if !dry_run {
            tx.commit().map_err(StoreError::from)?;
        }
        Ok(report)
    }
}
