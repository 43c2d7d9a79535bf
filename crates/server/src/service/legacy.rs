//! The legacy upload (`POST /sync` as multipart with a whole `puantaj.db`) during the migration:
//! the file is imported row by row as the uploading office's data through the same importer the
//! desktop uses, and only what can be attributed to that office is written. Rows of other regions
//! in the file (legacy PCs held copies of everybody's data) are left out, and a row that somebody
//! changed in Rainstaff since is never overwritten by an old file.

use std::collections::BTreeMap;
use std::path::Path;

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions;
use rainstaff_core::schema::{self, TableSpec};
use rainstaff_core::text::search_key;
use rainstaff_core::validate;
use rainstaff_legacy::{Existing, ImportReport, ImportTarget, ImportedRow, LegacyUser, Tombstone, Warning};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::push::{RowWrite, check_references, write_row};
use super::{Server, timestamp};
use crate::auth::sha256_hex;
use crate::error::{ApiError, detail};
use crate::sql_values::canonical;
use crate::store::{ServerRow, Store, Tx};

const KEY_SETTING: &str = "legacy_api_key_sha256";
const COMPANY_SETTING: &str = "company_name";
const MIN_KEY_CHARS: usize = 12;
const UPLOADED: &str = "the uploaded file";

/// The author of changes that came from legacy uploads, in place of a device.
pub const LEGACY_UPLOADER: Uuid = Uuid::nil();

#[derive(Debug, Clone, Serialize)]
pub struct LegacyUploadResponse {
    pub status: &'static str,
    pub region: String,
    pub head_seq: i64,
    pub report: ImportReport,
}

impl<S: Store> Server<S> {
    /// Sets the key legacy PCs send as `X-API-KEY`, or with `None` switches legacy uploads off.
    pub fn set_legacy_key(&self, key: Option<&str>) -> Result<(), ApiError> {
        let hash = match key {
            Some(key) if key.chars().count() < MIN_KEY_CHARS => {
                return Err(ApiError::bad_request(
                    "key_too_short",
                    format!("the legacy key must have at least {MIN_KEY_CHARS} characters"),
                ));
            }
            // It travels in an HTTP header, which carries visible ASCII only.
            Some(key) if !key.chars().all(|c| c.is_ascii_graphic()) => {
                return Err(ApiError::bad_request(
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
    pub fn check_legacy_key(&self, api_key: Option<&str>) -> Result<(), ApiError> {
        let expected = self.store.read(|tx| Ok(tx.setting(KEY_SETTING)?))?.ok_or_else(|| {
            ApiError::forbidden("legacy_disabled", "legacy uploads are switched off on this server")
        })?;
        let api_key = api_key
            .ok_or_else(|| ApiError::unauthorized("missing_api_key", "the X-API-KEY header is required"))?;
        if sha256_hex(api_key.as_bytes()) != expected {
            return Err(ApiError::unauthorized("invalid_api_key", "this API key is not valid"));
        }
        Ok(())
    }

    /// Imports the legacy file at `file` for the office `region`, if `api_key` is the key set.
    pub fn import_legacy(
        &self,
        api_key: Option<&str>,
        region: Option<&str>,
        file: &Path,
    ) -> Result<LegacyUploadResponse, ApiError> {
        self.check_legacy_key(api_key)?;
        let region = region.and_then(regions::normalize).filter(|r| r != ALL_REGIONS).ok_or_else(|| {
            ApiError::bad_request("invalid_region", "X-Region must name the uploading office's region")
        })?;
        // Messages name the file; the uploader knows it as "the uploaded file", not by our temp path.
        let temp_path = file.display().to_string();
        let mut import = rainstaff_legacy::read_legacy(file, &region).map_err(|e| {
            ApiError::bad_request("invalid_legacy_file", detail(&e.to_string().replace(&temp_path, UPLOADED)))
        })?;
        import.file = UPLOADED.into();
        for warning in &mut import.warnings {
            warning.replace(&temp_path, UPLOADED);
        }
        let mut others: BTreeMap<&str, u64> = BTreeMap::new();
        let (rows, theirs): (Vec<_>, Vec<_>) = import.rows.into_iter().partition(|r| r.region == region);
        let (tombstones, their_tombstones): (Vec<_>, Vec<_>) =
            import.tombstones.into_iter().partition(|t| t.region == region);
        for table in theirs.iter().map(|r| r.table).chain(their_tombstones.iter().map(|t| t.table)) {
            *others.entry(table).or_default() += 1;
        }
        import.rows = rows;
        import.tombstones = tombstones;
        for row in &mut import.rows {
            let spec = schema::table(row.table)
                .ok_or_else(|| ApiError::internal(&format!("unknown table {}", row.table)))?;
            for (name, value) in row.fields.iter_mut() {
                if let Some(field) = spec.field(name) {
                    *value = canonical(field.kind, value);
                }
            }
        }
        let accounts = std::mem::take(&mut import.users).len();
        let now = timestamp(self.now());
        let (mut report, head_seq) = self.store.write(|tx| {
            let mut target = Target { tx, now: &now, kept: Vec::new() };
            let mut report = rainstaff_legacy::apply(&import, &mut target)?;
            for Kept { table, legacy_id, reason, counted } in target.kept {
                if let Some(n) = report.imported.get_mut(table).filter(|_| counted) {
                    *n = n.saturating_sub(1);
                }
                *report.skipped.entry(table.to_string()).or_default() += 1;
                report
                    .warnings
                    .push(Warning::english(format!("{table} #{legacy_id}: not imported: {reason}")));
            }
            Ok((report, tx.head_seq()?))
        })?;
        for (table, n) in others {
            *report.skipped.entry(table.to_string()).or_default() += n;
            report.warnings.push(Warning::english(format!(
                "{table}: {n} rows of other regions left out; each office uploads only its own rows"
            )));
        }
        if accounts > 0 {
            report.warnings.push(Warning::english(format!(
                "users: {accounts} accounts not imported; the server keeps no office sign-ins (import them on the desktop)"
            )));
        }
        tracing::info!(%region, head_seq, "legacy file imported");
        Ok(LegacyUploadResponse { status: "ok", region, head_seq, report })
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
    reason: String,
    /// The importer counted it as imported (upserts; it does not count deletes).
    counted: bool,
}

/// True when a device changed the row since it came from a legacy file: an old file must not
/// undo that.
fn changed_in_rainstaff(row: &ServerRow) -> bool {
    row.field_versions.values().any(|v| v.device != LEGACY_UPLOADER)
}

fn spec(table: &str) -> Result<&'static TableSpec, ApiError> {
    schema::table(table).ok_or_else(|| ApiError::internal(&format!("unknown table {table}")))
}

impl<T: Tx> ImportTarget for Target<'_, T> {
    type Error = ApiError;

    fn existing(&mut self, table: &'static str, id: Uuid) -> Result<Option<Existing>, ApiError> {
        Ok(self.tx.row(spec(table)?, id)?.map(|r| Existing {
            region: r.state.region,
            fields: r.state.fields,
            deleted: r.state.deleted_at.is_some(),
        }))
    }

    fn upsert(&mut self, row: &ImportedRow) -> Result<(), ApiError> {
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
                self.kept.push(Kept { table: row.table, legacy_id: row.legacy_id, reason, counted: true });
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
            self.kept.push(Kept { table: row.table, legacy_id: row.legacy_id, reason, counted: true });
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
            now: self.now,
        };
        write_row(self.tx, current.as_ref(), write)?;
        Ok(())
    }

    fn delete(&mut self, tombstone: &Tombstone) -> Result<(), ApiError> {
        let table = spec(tombstone.table)?;
        let current = self.tx.row(table, tombstone.id)?;
        if current.as_ref().is_some_and(|c| c.state.region != tombstone.region || changed_in_rainstaff(c)) {
            let reason = "changed in Rainstaff since, or of another region; not deleted";
            let (table, legacy_id) = (tombstone.table, tombstone.legacy_id);
            self.kept.push(Kept { table, legacy_id, reason: reason.to_string(), counted: false });
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
            now: self.now,
        };
        write_row(self.tx, current.as_ref(), write)?;
        Ok(())
    }

    fn has_user(&mut self, username: &str) -> Result<bool, ApiError> {
        let key = search_key(username.trim());
        Ok(self.tx.usernames()?.iter().any(|u| search_key(u.trim()) == key))
    }

    fn create_user(&mut self, user: &LegacyUser) -> Result<(), ApiError> {
        Err(ApiError::internal(&format!(
            "legacy account {:?} reached the server's import; accounts are left to the desktop",
            user.username
        )))
    }

    fn company_name(&mut self) -> Result<Option<String>, ApiError> {
        Ok(self.tx.setting(COMPANY_SETTING)?)
    }

    fn set_company_name(&mut self, name: &str) -> Result<(), ApiError> {
        Ok(self.tx.set_setting(COMPANY_SETTING, Some(name))?)
    }
}
