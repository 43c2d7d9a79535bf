//! Applying a read legacy file to a store, written once for the desktop's local store and the
//! server's. The store says what it has; the rules of what an import may change live here:
//! a deleted row never comes back, an identical row is left alone, parents go before children.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use rainstaff_core::i18n::{Lang, table_label};
use rainstaff_core::schema::{self, FieldKind};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::not_imported::NotImported;
use crate::read::{ImportedRow, LegacyImport, Tombstone};
use crate::users::LegacyUser;
use crate::variant::Variant;
use crate::warning::Warning;

/// A row as the target holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub region: String,
    /// The schema's fields in the JSON types `ImportedRow::fields` uses (booleans as booleans,
    /// ids as strings), so that an unchanged row compares equal.
    pub fields: Map<String, Value>,
    /// A tombstone: the row was deleted and must stay deleted.
    pub deleted: bool,
}

/// A store a legacy import can be applied to. The caller runs `apply` inside one transaction and
/// commits only when it returns Ok.
pub trait ImportTarget {
    type Error;

    fn existing(&mut self, table: &'static str, id: Uuid) -> Result<Option<Existing>, Self::Error>;

    /// Creates or replaces the row (live, not deleted) with exactly these fields.
    fn upsert(&mut self, row: &ImportedRow) -> Result<(), Self::Error>;

    /// Deletes the row, or, when the target never had it, records the tombstone anyway: an older
    /// file imported later still holds the row and must not bring it back.
    fn delete(&mut self, tombstone: &Tombstone) -> Result<(), Self::Error>;

    /// Whether an account with this sign-in name exists, matched as the target matches names
    /// when people sign in.
    fn has_user(&mut self, username: &str) -> Result<bool, Self::Error>;

    /// Creates the account with no password: it can sign in only after setting a new one.
    fn create_user(&mut self, user: &LegacyUser) -> Result<(), Self::Error>;

    fn company_name(&mut self) -> Result<Option<String>, Self::Error>;

    fn set_company_name(&mut self, name: &str) -> Result<(), Self::Error>;
}

/// What an import did (or, dry, would do), by table; `users` and `settings` count accounts and
/// the company name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub variant: Variant,
    /// The region whose rows the import took, or `ALL`.
    pub region: String,
    pub imported: BTreeMap<String, u64>,
    pub unchanged: BTreeMap<String, u64>,
    pub skipped: BTreeMap<String, u64>,
    /// Rows and accounts of other regions the import did not take, by table.
    pub left_out: BTreeMap<String, u64>,
    /// The synced rows of `imported` and `unchanged` again, by region.
    pub regions: BTreeMap<String, RegionCounts>,
    pub not_imported: Vec<NotImported>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegionCounts {
    pub imported: BTreeMap<String, u64>,
    pub unchanged: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Counts one synced row of `region` as imported, or as unchanged.
    pub fn count_row(&mut self, region: &str, table: &str, imported: bool) {
        let counts = self.regions.entry(region.to_string()).or_default();
        let (total, of_region) = match imported {
            true => (&mut self.imported, &mut counts.imported),
            false => (&mut self.unchanged, &mut counts.unchanged),
        };
        count(total, table);
        count(of_region, table);
    }

    /// A row counted as imported that the target kept its own version of instead: skipped.
    pub fn withdraw(&mut self, region: &str, table: &str) {
        let counts = self.regions.entry(region.to_string()).or_default();
        for map in [&mut self.imported, &mut counts.imported] {
            if let Some(n) = map.get_mut(table) {
                *n -= 1;
                if *n == 0 {
                    map.remove(table);
                }
            }
        }
        if counts.imported.is_empty() && counts.unchanged.is_empty() {
            self.regions.remove(region);
        }
        count(&mut self.skipped, table);
    }
}

pub fn apply<T: ImportTarget>(import: &LegacyImport, target: &mut T) -> Result<ImportReport, T::Error> {
    Run::new(import, target, true).run()
}

/// The report `apply` would give, calling only the target's reading methods.
pub fn dry_run<T: ImportTarget>(import: &LegacyImport, target: &mut T) -> Result<ImportReport, T::Error> {
    Run::new(import, target, false).run()
}

struct Run<'a, T> {
    import: &'a LegacyImport,
    target: &'a mut T,
    write: bool,
    /// The file's own tombstones: a row it still holds but also lists as deleted stays deleted.
    deleted_in_file: HashSet<(&'static str, Uuid)>,
    deleted_in_target: HashMap<(&'static str, Uuid), bool>,
    report: ImportReport,
}

fn count(map: &mut BTreeMap<String, u64>, table: &str) {
    *map.entry(table.to_string()).or_default() += 1;
}

impl<'a, T: ImportTarget> Run<'a, T> {
    fn new(import: &'a LegacyImport, target: &'a mut T, write: bool) -> Self {
        Self {
            import,
            target,
            write,
            deleted_in_file: import.tombstones.iter().map(|t| (t.table, t.id)).collect(),
            deleted_in_target: HashMap::new(),
            report: ImportReport {
                variant: import.variant,
                region: import.region.clone(),
                imported: BTreeMap::new(),
                unchanged: BTreeMap::new(),
                skipped: import.skipped.clone(),
                left_out: import.left_out.clone(),
                regions: BTreeMap::new(),
                not_imported: import.not_imported.clone(),
                warnings: import.warnings.clone(),
            },
        }
    }

    fn warn(&mut self, table: &str, legacy_id: i64, what: Warning) {
        let file = self.import.file.display().to_string();
        self.report.warnings.push(Warning::about(&file, table, Some(legacy_id), what));
    }

    fn skip(&mut self, table: &str, legacy_id: i64, reason: Warning) {
        count(&mut self.report.skipped, table);
        self.warn(table, legacy_id, Warning::skipped(reason));
    }

    fn run(mut self) -> Result<ImportReport, T::Error> {
        for spec in schema::TABLES {
            for row in self.import.rows.iter().filter(|r| r.table == spec.name) {
                self.row(row)?;
            }
        }
        // Children before parents, the reverse of creation: a store that checks references
        // may refuse to delete a row that live rows still point at.
        for spec in schema::TABLES.iter().rev() {
            for tombstone in self.import.tombstones.iter().filter(|t| t.table == spec.name) {
                if !self.is_deleted_in_target(tombstone.table, tombstone.id)? && self.write {
                    self.target.delete(tombstone)?;
                }
            }
        }
        self.users()?;
        self.company_name()?;
        Ok(self.report)
    }

    fn is_deleted_in_target(&mut self, table: &'static str, id: Uuid) -> Result<bool, T::Error> {
        if let Some(&deleted) = self.deleted_in_target.get(&(table, id)) {
            return Ok(deleted);
        }
        let deleted = self.target.existing(table, id)?.is_some_and(|e| e.deleted);
        self.deleted_in_target.insert((table, id), deleted);
        Ok(deleted)
    }

    fn is_deleted(&mut self, table: &'static str, id: Uuid) -> Result<bool, T::Error> {
        Ok(self.deleted_in_file.contains(&(table, id)) || self.is_deleted_in_target(table, id)?)
    }

    fn row(&mut self, row: &ImportedRow) -> Result<(), T::Error> {
        let (table, legacy) = (row.table, row.legacy_id);
        if self.deleted_in_file.contains(&(table, row.id)) {
            self.skip(table, legacy, Warning::new("bu dosyada silinmiş", "deleted in this file"));
            return Ok(());
        }
        let existing = self.target.existing(table, row.id)?;
        if existing.as_ref().is_some_and(|e| e.deleted) {
            let why = Warning::new(
                "önceki bir aktarımdan beri silinmiş; geri getirilmedi",
                "deleted since an earlier import; not brought back",
            );
            self.skip(table, legacy, why);
            return Ok(());
        }
        let Some(row) = self.without_deleted_parents(row)? else {
            return Ok(());
        };
        let unchanged = existing.is_some_and(|e| e.region == row.region && e.fields == row.fields);
        if !unchanged && self.write {
            self.target.upsert(&row)?;
        }
        self.report.count_row(&row.region, table, !unchanged);
        Ok(())
    }

    /// A row whose parent has been deleted is not created under it (legacy deletes cascaded);
    /// an optional reference to a deleted row is cleared instead.
    fn without_deleted_parents<'r>(
        &mut self,
        row: &'r ImportedRow,
    ) -> Result<Option<Cow<'r, ImportedRow>>, T::Error> {
        let spec = schema::table(row.table).expect("imported rows are of synced tables");
        let mut row = Cow::Borrowed(row);
        for field in spec.fields {
            let FieldKind::Ref(parent) = field.kind else {
                continue;
            };
            let Some(parent_id) = row.fields.get(field.name).and_then(Value::as_str) else {
                continue;
            };
            let Ok(parent_id) = Uuid::parse_str(parent_id) else {
                continue;
            };
            if !self.is_deleted(parent, parent_id)? {
                continue;
            }
            let why = Warning::on_field(
                field.name,
                Warning::new(
                    format!("bağlı olduğu {} kaydı silinmiş", table_label(Lang::Tr, parent)),
                    format!("its {parent} row was deleted"),
                ),
            );
            if field.required {
                self.skip(row.table, row.legacy_id, why);
                return Ok(None);
            }
            self.warn(row.table, row.legacy_id, why.then("; boş bırakıldı", "; left empty"));
            row.to_mut().fields.insert(field.name.to_string(), Value::Null);
        }
        Ok(Some(row))
    }

    /// Accounts are only ever created: one that exists may have set its password or been given
    /// another role since, and an old file must not undo that.
    fn users(&mut self) -> Result<(), T::Error> {
        for user in &self.import.users {
            if self.target.has_user(&user.username)? {
                count(&mut self.report.unchanged, "users");
            } else {
                if self.write {
                    self.target.create_user(user)?;
                }
                count(&mut self.report.imported, "users");
            }
        }
        Ok(())
    }

    /// Set only where the target has none: a name changed in Rainstaff outranks an old file.
    fn company_name(&mut self) -> Result<(), T::Error> {
        let Some(name) = &self.import.company_name else {
            return Ok(());
        };
        match self.target.company_name()?.filter(|current| !current.trim().is_empty()) {
            None => {
                if self.write {
                    self.target.set_company_name(name)?;
                }
                count(&mut self.report.imported, "settings");
            }
            Some(current) => {
                if &current != name {
                    let file = self.import.file.display();
                    self.report.warnings.push(Warning::new(
                        format!(
                            "{file}: {}: şirket adı {current:?} olarak kaldı; dosyada {name:?}",
                            table_label(Lang::Tr, "settings")
                        ),
                        format!("{file}: settings: company name kept as {current:?}; the file says {name:?}"),
                    ));
                }
                count(&mut self.report.unchanged, "settings");
            }
        }
        Ok(())
    }
}
