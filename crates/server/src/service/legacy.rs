//! Legacy files on the server, through the same importer the desktop uses: IT's one-time load of
//! a whole company file on migration day (`rainstaff-server import-legacy`), and the legacy
//! upload (`POST /sync` as multipart with a whole `puantaj.db`) while old PCs still run, which
//! writes only the uploading office's rows (legacy PCs held copies of everybody's data). Ids come
//! from each region's namespace, the ones the desktops use; a row that somebody changed in
//! Rainstaff since is never overwritten by an old file.

use std::path::Path;

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions;
use rainstaff_core::schema::{self, TableSpec};
use rainstaff_core::sql_value::canonical;
use rainstaff_core::text::search_key;
use rainstaff_core::validate;
use rainstaff_legacy::{
    Existing, ImportReport, ImportTarget, ImportedRow, LegacyError, LegacyUser, Tombstone, Warning,
};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::push::{RowWrite, check_references, write_row};
use super::{Server, timestamp};
use crate::auth::sha256_hex;
use crate::error::{ServiceError, detail};
use crate::store::{ServerRow, Store, Tx};

const KEY_SETTING: &str = "legacy_api_key_sha256";
pub(super) const COMPANY_SETTING: &str = "company_name";
const MIN_KEY_CHARS: usize = 12;
const UPLOADED: &str = "the uploaded file";
const USERS: &str = "users";

/// The author of changes that came from legacy uploads, in place of a device.
pub const LEGACY_UPLOADER: Uuid = Uuid::nil();

#[derive(Debug, Clone, Serialize)]
pub struct LegacyImportResponse {
    pub status: &'static str,
    pub region: String,
    pub head_seq: i64,
    pub report: ImportReport,
}

impl<S: Store> Server<S> {
    /// Sets the key legacy PCs send as `X-API-KEY`, or with `None` switches legacy uploads off.
    pub fn set_legacy_key(&self, key: Option<&str>) -> Result<(), ServiceError> {
        let hash = match key {
            Some(key) if key.chars().count() < MIN_KEY_CHARS => {
                return Err(ServiceError::invalid(
                    "key_too_short",
                    format!("the legacy key must have at least {MIN_KEY_CHARS} characters"),
                ));
            }
            // It travels in an HTTP header, which carries visible ASCII only.
            Some(key) if !key.chars().all(|c| c.is_ascii_graphic()) => {
                return Err(ServiceError::invalid(
                    "invalid_key",
                    "the legacy key may hold only visible ASCII characters (no spaces or letters like ş)",
                ));
            }
            Some(key) => Some(sha256_hex(key.as_bytes())),
            None => None,
        };
        self.store.write(|tx| Ok(tx.set_setting(KEY_SETTING, hash.as_deref())?))
    }

    /// Refuses an upload without the key the administrator set, or any upload when none is set.
    pub fn check_legacy_key(&self, api_key: Option<&str>) -> Result<(), ServiceError> {
        let expected = self.store.read(|tx| Ok(tx.setting(KEY_SETTING)?))?.ok_or_else(|| {
            ServiceError::forbidden("legacy_disabled", "legacy uploads are switched off on this server")
        })?;
        let api_key = api_key.ok_or_else(|| {
            ServiceError::unauthenticated("missing_api_key", "the X-API-KEY header is required")
        })?;
        if sha256_hex(api_key.as_bytes()) != expected {
            return Err(ServiceError::unauthenticated("invalid_api_key", "this API key is not valid"));
        }
        Ok(())
    }

    /// Imports the legacy file at `file` for the office `region`, if `api_key` is the key set.
    pub fn import_legacy(
        &self,
        api_key: Option<&str>,
        region: Option<&str>,
        file: &Path,
    ) -> Result<LegacyImportResponse, ServiceError> {
        self.check_legacy_key(api_key)?;
        let region = region.and_then(regions::normalize).filter(|r| r != ALL_REGIONS).ok_or_else(|| {
            ServiceError::invalid("invalid_region", "X-Region must name the uploading office's region")
        })?;
        // Messages name the file; the uploader knows it as "the uploaded file", not by our temp path.
        let (report, head_seq) = self.load_legacy(file, &region, UPLOADED)?;
        tracing::info!(%region, head_seq, "legacy file uploaded");
        Ok(LegacyImportResponse { status: "ok", region, head_seq, report })
    }

    /// IT's load of a whole company file on migration day (`rainstaff-server import-legacy`):
    /// the rows of `region`, or of every region with `ALL`, under each region's id namespace, so
    /// that a PC importing the same file later finds the rows instead of adding them again.
    pub fn import_legacy_file(
        &self,
        file: &Path,
        region: &str,
    ) -> Result<LegacyImportResponse, ServiceError> {
        let region = regions::normalize(region)
            .ok_or_else(|| ServiceError::invalid("invalid_region", "--region must name a region, or ALL"))?;
        let (report, head_seq) = self.load_legacy(file, &region, &file.display().to_string())?;
        tracing::info!(%region, head_seq, "legacy file imported");
        Ok(LegacyImportResponse { status: "ok", region, head_seq, report })
    }

    /// Reads `file` for `region` and applies it in one transaction; `shown_as` names the file in
    /// every message.
    fn load_legacy(
        &self,
        file: &Path,
        region: &str,
        shown_as: &str,
    ) -> Result<(ImportReport, i64), ServiceError> {
        let path = file.display().to_string();
        let invalid = |e: LegacyError| {
            ServiceError::invalid("invalid_legacy_file", detail(&e.to_string().replace(&path, shown_as)))
        };
        let needed = rainstaff_legacy::namespaces_needed(file, region).map_err(invalid)?;
        let namespaces = self.namespaces_of(needed)?;
        let mut import = rainstaff_legacy::read_legacy(file, region, &namespaces).map_err(invalid)?;
        import.file = shown_as.into();
        for warning in &mut import.warnings {
            warning.replace(&path, shown_as);
        }
        for row in &mut import.rows {
            let spec = schema::table(row.table)
                .ok_or_else(|| ServiceError::internal(&format!("unknown table {}", row.table)))?;
            for (name, value) in row.fields.iter_mut() {
                if let Some(field) = spec.field(name) {
                    *value = canonical(field.kind, value);
                }
            }
        }
        import.users.clear();
        for entry in import.not_imported.iter_mut().filter(|e| e.table == USERS) {
            entry.why = Warning::english(
                "accounts: the server keeps no office sign-ins (import them on the desktop)",
            );
        }
        let now = timestamp(self.now());
        self.store.write(|tx| {
            let mut target = Target { tx, now: &now, kept: Vec::new() };
            let mut report = rainstaff_legacy::apply(&import, &mut target)?;
            for Kept { table, legacy_id, region, reason, counted } in target.kept {
                match counted {
                    true => report.withdraw(&region, table),
                    false => *report.skipped.entry(table.to_string()).or_default() += 1,
                }
                report
                    .warnings
                    .push(Warning::english(format!("{table} #{legacy_id}: not imported: {reason}")));
            }
            Ok((report, tx.head_seq()?))
        })
    }
}

struct Target<'a, T: Tx> {
    tx: &'a mut T,
    now: &'a str,
    /// Rows the importer chose to write that are not ours to change.
    kept: Vec<Kept>,
}

struct Kept {
    table: &'static str,
    legacy_id: i64,
    region: String,
    reason: String,
    /// The importer counted it as imported (upserts; it does not count deletes).
    counted: bool,
}

/// True when a device changed the row since it came from a legacy file: an old file must not
/// undo that.
fn changed_in_rainstaff(row: &ServerRow) -> bool {
    row.field_versions.values().any(|v| v.device != LEGACY_UPLOADER)
}

fn spec(table: &str) -> Result<&'static TableSpec, ServiceError> {
    schema::table(table).ok_or_else(|| ServiceError::internal(&format!("unknown table {table}")))
}

impl<T: Tx> ImportTarget for Target<'_, T> {
    type Error = ServiceError;

    fn existing(&mut self, table: &'static str, id: Uuid) -> Result<Option<Existing>, ServiceError> {
        Ok(self.tx.row(spec(table)?, id)?.map(|r| Existing {
            region: r.state.region,
            fields: r.state.fields,
            deleted: r.state.deleted_at.is_some(),
        }))
    }

    fn upsert(&mut self, row: &ImportedRow) -> Result<(), ServiceError> {
        let table = spec(row.table)?;
        let current = self.tx.row(table, row.id)?;
        if let Some(current) = &current {
            let reason = if current.state.region != row.region {
                Some("the record belongs to another region".to_string())
            } else if changed_in_rainstaff(current) {
                Some("changed in Rainstaff since; kept".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                self.kept.push(Kept {
                    table: row.table,
                    legacy_id: row.legacy_id,
                    region: row.region.clone(),
                    reason,
                    counted: true,
                });
                return Ok(());
            }
        }
        let changed: Vec<String> = row
            .fields
            .iter()
            .filter(|(name, value)| {
                current.as_ref().is_none_or(|c| c.state.fields.get(name.as_str()) != Some(value))
            })
            .map(|(name, _)| name.clone())
            .collect();
        let mut errors = validate::check_row(table.name, &row.fields);
        errors.extend(check_references(self.tx, table, &row.region, &row.fields, &changed)?);
        if !errors.is_empty() {
            let reason = validate::describe(&errors);
            let region = row.region.clone();
            self.kept.push(Kept {
                table: row.table,
                legacy_id: row.legacy_id,
                region,
                reason,
                counted: true,
            });
            return Ok(());
        }
        let write = RowWrite {
            table,
            id: row.id,
            region: &row.region,
            fields: row.fields.clone(),
            changed: &changed,
            delete: false,
            device: LEGACY_UPLOADER,
            answered: false,
            now: self.now,
        };
        write_row(self.tx, current.as_ref(), write)?;
        Ok(())
    }

    fn delete(&mut self, tombstone: &Tombstone) -> Result<(), ServiceError> {
        let table = spec(tombstone.table)?;
        let current = self.tx.row(table, tombstone.id)?;
        if current.as_ref().is_some_and(|c| c.state.region != tombstone.region || changed_in_rainstaff(c)) {
            let reason = "changed in Rainstaff since, or of another region; not deleted";
            let (table, legacy_id, region) = (tombstone.table, tombstone.legacy_id, tombstone.region.clone());
            self.kept.push(Kept { table, legacy_id, region, reason: reason.to_string(), counted: false });
            return Ok(());
        }
        let fields = current.as_ref().map_or_else(
            || table.column_names().map(|name| (name.to_string(), Value::Null)).collect::<Map<_, _>>(),
            |c| c.state.fields.clone(),
        );
        let write = RowWrite {
            table,
            id: tombstone.id,
            region: &tombstone.region,
            fields,
            changed: &[],
            delete: true,
            device: LEGACY_UPLOADER,
            answered: false,
            now: self.now,
        };
        write_row(self.tx, current.as_ref(), write)?;
        Ok(())
    }

    fn has_user(&mut self, username: &str) -> Result<bool, ServiceError> {
        let key = search_key(username.trim());
        Ok(self.tx.usernames()?.iter().any(|u| search_key(u.trim()) == key))
    }

    fn create_user(&mut self, user: &LegacyUser) -> Result<(), ServiceError> {
        Err(ServiceError::internal(&format!(
            "legacy account {:?} reached the server's import; accounts are left to the desktop",
            user.username
        )))
    }

    fn company_name(&mut self) -> Result<Option<String>, ServiceError> {
        Ok(self.tx.setting(COMPANY_SETTING)?)
    }

    fn set_company_name(&mut self, name: &str) -> Result<(), ServiceError> {
        Ok(self.tx.set_setting(COMPANY_SETTING, Some(name))?)
    }
}
