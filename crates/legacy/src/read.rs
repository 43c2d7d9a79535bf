//! Reading a whole legacy file into rows of the synced schema, before anything is written: a file
//! that cannot be read fails here as a whole, and a row that cannot be imported is left out here
//! with a warning that says which one and why.
//!
//! Legacy files hold every region's rows, and a store may take one region's only: the rows of
//! other regions are counted, not read further. A row that hangs off another (a shift off its
//! employee, a fault off its vehicle) belongs to that row's region whatever the file says, so an
//! import never makes a reference across regions, which the server would refuse.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rainstaff_core::checklist::Results;
use rainstaff_core::i18n::{Lang, table_label};
use rainstaff_core::ids::{IdNamespaces, legacy_id};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions::{self, LEGACY_DEFAULT};
use rainstaff_core::schema::{self, TableSpec};
use rainstaff_core::validate::{FieldError, check_row};
use rusqlite::types::Value as SqlValue;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::convert::{boolean, legacy_int, text};
use crate::error::LegacyError;
use crate::file::{LegacyFile, Record};
use crate::layout::{self, DELETED_RECORDS, INSPECTION_RESULTS, SETTINGS, SYNCED, USERS};
use crate::not_imported::{self, NotImported};
use crate::tables::{self, Draft, Parent};
use crate::users::{LegacyUser, Role, role_from_legacy};
use crate::variant::{self, Variant};
use crate::warning::Warning;

/// Everything a legacy file holds that still means something, ready to apply.
#[derive(Debug, Clone, Serialize)]
pub struct LegacyImport {
    pub file: PathBuf,
    pub variant: Variant,
    /// The region whose rows this import takes, or `ALL` for every region's.
    pub region: String,
    /// Parents before children, in the order of `schema::TABLES`.
    pub rows: Vec<ImportedRow>,
    /// The file's `deleted_records`, as ids of synced rows.
    pub tombstones: Vec<Tombstone>,
    pub users: Vec<LegacyUser>,
    pub company_name: Option<String>,
    /// Rows left out while reading, by table; each has a line in `warnings`.
    pub skipped: BTreeMap<String, u64>,
    /// Rows and accounts of other regions, by table: not this import's to take.
    pub left_out: BTreeMap<String, u64>,
    /// What the file holds that no import brings across.
    pub not_imported: Vec<NotImported>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedRow {
    pub table: &'static str,
    pub id: Uuid,
    /// The row's id in the legacy file, for messages.
    pub legacy_id: i64,
    pub region: String,
    /// Exactly the fields of the table's `TableSpec`, absent values as null.
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tombstone {
    pub table: &'static str,
    pub id: Uuid,
    pub legacy_id: i64,
    pub region: String,
}

/// Reads the legacy file at `path` without changing it, taking the rows of `region` (a region
/// code, or `ALL` for every region). Rows without a region of their own (V1, employees in V2,
/// NULL or blank regions) are `region`'s, or, when it is `ALL` or blank, the legacy default
/// Ankara's. Ids come from the taken regions' `namespaces`; a taken region without one is an
/// error, so callers first ask [`namespaces_needed`].
pub fn read_legacy(
    path: &Path,
    region: &str,
    namespaces: &IdNamespaces,
) -> Result<LegacyImport, LegacyError> {
    let (import, missing) = read(path, region, namespaces)?;
    if !missing.is_empty() {
        return Err(LegacyError::NoNamespace {
            path: path.to_owned(),
            regions: missing.into_iter().collect(),
        });
    }
    Ok(import)
}

/// The regions whose id namespaces `read_legacy(path, region, …)` needs: those of the rows and
/// deletions it would take.
pub fn namespaces_needed(path: &Path, region: &str) -> Result<BTreeSet<String>, LegacyError> {
    read(path, region, &IdNamespaces::new()).map(|(_, needed)| needed)
}

/// The import, and the taken regions `namespaces` had no namespace for.
fn read(
    path: &Path,
    region: &str,
    namespaces: &IdNamespaces,
) -> Result<(LegacyImport, BTreeSet<String>), LegacyError> {
    let file = LegacyFile::open(path)?;
    let variant = variant::detect(&file)?;
    let region = regions::normalize(region).unwrap_or_else(|| ALL_REGIONS.to_string());
    let take = (region != ALL_REGIONS).then(|| region.clone());
    let default_region = take.clone().unwrap_or_else(|| LEGACY_DEFAULT.to_string());
    let mut reader = Reader {
        file: path.display().to_string(),
        take,
        default_region,
        namespaces,
        missing: BTreeSet::new(),
        known: HashMap::new(),
        rows: Vec::new(),
        skipped: BTreeMap::new(),
        left_out: BTreeMap::new(),
        warnings: Vec::new(),
    };
    let mut results: HashMap<i64, Results> = HashMap::new();
    for rec in file.rows(&INSPECTION_RESULTS)? {
        let Some(inspection) = legacy_int(rec.get(layout::INSPECTION_ID)) else {
            continue;
        };
        match tables::inspection_result(&rec) {
            // A second line of the same item replaces the first, as the legacy form did.
            Ok(result) => results.entry(inspection).or_default().set(result),
            Err(why) => reader.skip(INSPECTION_RESULTS.table, legacy_int(rec.get(layout::ID)), why),
        }
    }
    for layout in SYNCED {
        let spec = schema::table(layout.table).expect("every synced legacy table is in the schema");
        for rec in file.rows(layout)? {
            reader.row(spec, &rec, &results);
        }
    }
    reader.orphan_results(&results);
    let tombstones = reader.tombstones(file.rows(&DELETED_RECORDS)?);
    let users = reader.users(file.rows(&USERS)?);
    let settings = file.rows(&SETTINGS)?;
    let company_name = settings.iter().find_map(|rec| {
        let key = text(rec.get(layout::SETTING_KEY));
        (key.as_str().map(str::trim) == Some(layout::COMPANY_NAME))
            .then(|| text(rec.get(layout::SETTING_VALUE)).as_str().map(str::to_string))
            .flatten()
    });
    let not_imported = not_imported::survey(&file, &settings)?;
    let import = LegacyImport {
        file: path.to_owned(),
        variant,
        region,
        rows: reader.rows,
        tombstones,
        users,
        company_name,
        skipped: reader.skipped,
        left_out: reader.left_out,
        not_imported,
        warnings: reader.warnings,
    };
    Ok((import, reader.missing))
}

/// What became of a legacy row, for the rows that refer to it and the tombstones that name it.
struct Known {
    region: String,
    imported: bool,
}

struct Reader<'n> {
    file: String,
    /// The one region taken; None takes every region.
    take: Option<String>,
    default_region: String,
    namespaces: &'n IdNamespaces,
    /// Taken regions without a namespace: their ids are placeholders and the read fails.
    missing: BTreeSet<String>,
    known: HashMap<&'static str, HashMap<i64, Known>>,
    rows: Vec<ImportedRow>,
    skipped: BTreeMap<String, u64>,
    left_out: BTreeMap<String, u64>,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    fn warn(&mut self, table: &str, legacy_id: Option<i64>, what: Warning) {
        self.warnings.push(Warning::about(&self.file, table, legacy_id, what));
    }

    fn skip(&mut self, table: &str, legacy_id: Option<i64>, reason: Warning) {
        *self.skipped.entry(table.to_string()).or_default() += 1;
        self.warn(table, legacy_id, Warning::skipped(reason));
    }

    fn takes(&self, region: &str) -> bool {
        self.take.as_deref().is_none_or(|taken| taken == region)
    }

    fn leave_out(&mut self, table: &str) {
        *self.left_out.entry(table.to_string()).or_default() += 1;
    }

    /// The id of a row of a taken region.
    fn id(&mut self, region: &str, table: &str, legacy: i64) -> Uuid {
        match self.namespaces.get(region) {
            Some(namespace) => legacy_id(*namespace, table, legacy),
            None => {
                self.missing.insert(region.to_string());
                Uuid::nil()
            }
        }
    }

    /// The region the file gives a row, if it gives one.
    fn own_region(&mut self, value: &SqlValue, table: &str, legacy_id: Option<i64>) -> Option<String> {
        match text(value).as_str().and_then(regions::normalize) {
            Some(region) if region == ALL_REGIONS => {
                let default = &self.default_region;
                let what = Warning::new(
                    format!("ALL bölgesi bir ofis değil; {default} kullanıldı"),
                    format!("region ALL is not an office; {default} used"),
                );
                self.warn(table, legacy_id, what);
                None
            }
            region => region,
        }
    }

    /// The region of the row a required reference points at, when the file has that row.
    fn parent_region<'p>(&self, spec: &TableSpec, parents: &'p [Parent]) -> Option<(&'p Parent, String)> {
        parents.iter().filter(|p| spec.field(p.field).is_some_and(|f| f.required)).find_map(|p| {
            let known = self.known.get(p.table)?.get(&p.legacy_id?)?;
            Some((p, known.region.clone()))
        })
    }

    fn row(&mut self, spec: &'static TableSpec, rec: &Record, results: &HashMap<i64, Results>) {
        let table = spec.name;
        let Some(legacy) = legacy_int(rec.get(layout::ID)) else {
            self.skip(
                table,
                None,
                Warning::new("tamsayı kimliği olmayan bir satır", "a row without an integer id"),
            );
            return;
        };
        let own = self.own_region(rec.get(layout::REGION), table, Some(legacy));
        let draft = tables::draft(spec, rec, results.get(&legacy));
        let parent = self.parent_region(spec, &draft.parents);
        let region = match (&parent, &own) {
            (Some((_, parent_region)), _) => parent_region.clone(),
            (None, Some(own)) => own.clone(),
            (None, None) => self.default_region.clone(),
        };
        if !self.takes(&region) {
            self.leave_out(table);
            self.known.entry(table).or_default().insert(legacy, Known { region, imported: false });
            return;
        }
        if let (Some((parent, _)), Some(own)) = (&parent, &own)
            && *own != region
        {
            let parent_legacy = parent.legacy_id.unwrap_or_default();
            let what = Warning::new(
                format!(
                    "dosyada bölgesi {own}, ama bağlı olduğu {} #{parent_legacy} {region} bölgesinde; {region} kaydı olarak alındı",
                    table_label(Lang::Tr, parent.table)
                ),
                format!(
                    "the file says region {own}, but its {} #{parent_legacy} is {region}'s; taken as {region}'s",
                    parent.table
                ),
            );
            self.warn(table, Some(legacy), what);
        }
        let imported = match self.resolve(spec, legacy, &region, draft) {
            Some(fields) => {
                let id = self.id(&region, table, legacy);
                self.rows.push(ImportedRow { table, id, legacy_id: legacy, region: region.clone(), fields });
                true
            }
            None => false,
        };
        self.known.entry(table).or_default().insert(legacy, Known { region, imported });
    }

    /// The draft's references made ids and its fields validated; None when the row is skipped.
    fn resolve(
        &mut self,
        spec: &TableSpec,
        legacy: i64,
        region: &str,
        draft: Draft,
    ) -> Option<Map<String, Value>> {
        let Draft { mut fields, parents, notes } = draft;
        for note in notes {
            self.warn(spec.name, Some(legacy), note);
        }
        let mut fatal = Vec::new();
        for parent in parents {
            let Some(parent_legacy) = parent.legacy_id else {
                continue;
            };
            let why = match self.known.get(parent.table).and_then(|rows| rows.get(&parent_legacy)) {
                Some(Known { region: parent_region, .. }) if parent_region != region => Warning::new(
                    format!(
                        "{} #{parent_legacy} {parent_region} bölgesinin",
                        table_label(Lang::Tr, parent.table)
                    ),
                    format!("{} #{parent_legacy} is {parent_region}'s", parent.table),
                ),
                Some(Known { imported: true, .. }) => {
                    let id = self.id(region, parent.table, parent_legacy);
                    fields.insert(parent.field.to_string(), Value::String(id.to_string()));
                    continue;
                }
                Some(_) => Warning::new(
                    format!("{} #{parent_legacy} alınmadı", table_label(Lang::Tr, parent.table)),
                    format!("{} #{parent_legacy} was skipped", parent.table),
                ),
                None => Warning::new(
                    format!("{} #{parent_legacy} dosyada yok", table_label(Lang::Tr, parent.table)),
                    format!("{} #{parent_legacy} is not in the file", parent.table),
                ),
            };
            let why = Warning::on_field(parent.field, why);
            if spec.field(parent.field).is_some_and(|f| f.required) {
                fatal.push(why);
            } else {
                self.warn(spec.name, Some(legacy), why.then("; boş bırakıldı", "; left empty"));
            }
        }
        if !fatal.is_empty() {
            self.skip(spec.name, Some(legacy), Warning::joined(&fatal));
            return None;
        }
        // A bad optional value costs the value, not the row: the warning keeps what was there.
        for error in check(spec, &fields) {
            let optional = spec.field(&error.field).is_some_and(|f| !f.required);
            if let Some(value) = fields.get_mut(&error.field).filter(|v| optional && !v.is_null()) {
                let was = std::mem::take(value);
                let what = Warning::field(&error).then(
                    &format!(" (dosyadaki değer {was}); boş bırakıldı"),
                    &format!(" (was {was}); left empty"),
                );
                self.warn(spec.name, Some(legacy), what);
            }
        }
        let errors = check(spec, &fields);
        if errors.is_empty() {
            return Some(fields);
        }
        let described: Vec<Warning> = errors
            .iter()
            .map(|e| match fields.get(&e.field).filter(|v| !v.is_null()) {
                Some(was) => {
                    Warning::field(e).then(&format!(" (dosyadaki değer {was})"), &format!(" (was {was})"))
                }
                None => Warning::field(e),
            })
            .collect();
        let why =
            Warning::joined(&described).then(&format!(" (bölge {region})"), &format!(" (region {region})"));
        self.skip(spec.name, Some(legacy), why);
        None
    }

    fn orphan_results(&mut self, results: &HashMap<i64, Results>) {
        let inspections = self.known.get("vehicle_inspections");
        let mut orphans: Vec<i64> =
            results.keys().copied().filter(|id| inspections.is_none_or(|k| !k.contains_key(id))).collect();
        orphans.sort_unstable();
        for inspection in orphans {
            for _ in &results[&inspection].0 {
                let why = Warning::new(
                    format!("dosyada olmayan araç muayenesi #{inspection} için bir sonuç"),
                    format!("a result of vehicle_inspections #{inspection}, which is not in the file"),
                );
                self.skip(INSPECTION_RESULTS.table, None, why);
            }
        }
    }

    fn tombstones(&mut self, records: Vec<Record>) -> Vec<Tombstone> {
        let mut seen = BTreeSet::new();
        let mut tombstones = Vec::new();
        for rec in records {
            let table_name = text(rec.get(layout::TABLE_NAME));
            let table_name = table_name.as_str().map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
            let record = legacy_int(rec.get(layout::RECORD_ID));
            let (Some(spec), Some(record)) = (schema::table(&table_name), record) else {
                let what = Warning::new(
                    format!("{table_name} #{record:?} silme kaydı yok sayıldı: eşitlenen bir kayıt değil"),
                    format!("a deletion of {table_name} #{record:?} ignored: not a synced row"),
                );
                self.warn(DELETED_RECORDS.table, legacy_int(rec.get(layout::ID)), what);
                continue;
            };
            // A deleted row is usually gone from the file; its region is then the office's.
            let region = self
                .known
                .get(spec.name)
                .and_then(|rows| rows.get(&record))
                .map_or_else(|| self.default_region.clone(), |k| k.region.clone());
            if !self.takes(&region) {
                continue;
            }
            let id = self.id(&region, spec.name, record);
            if seen.insert((spec.name, id)) {
                tombstones.push(Tombstone { table: spec.name, id, legacy_id: record, region });
            }
        }
        tombstones
    }

    fn users(&mut self, records: Vec<Record>) -> Vec<LegacyUser> {
        let mut users: Vec<LegacyUser> = Vec::new();
        for rec in records {
            let legacy = legacy_int(rec.get(layout::ID));
            let Some(username) = text(rec.get(layout::USERNAME)).as_str().map(str::to_string) else {
                self.skip(USERS.table, legacy, Warning::new("kullanıcı adı yok", "no username"));
                continue;
            };
            let region = match text(rec.get(layout::REGION)).as_str().and_then(regions::normalize) {
                Some(region) => region,
                None => self.default_region.clone(),
            };
            // Administrators' accounts come along: they sign in at every office.
            if region != ALL_REGIONS && !self.takes(&region) {
                self.leave_out(USERS.table);
                continue;
            }
            let legacy_role = text(rec.get(layout::ROLE)).as_str().unwrap_or_default().to_string();
            let role = role_from_legacy(&legacy_role, &region).unwrap_or_else(|| {
                let what = Warning::new(
                    format!("{username}: {legacy_role:?} rolü bilinmiyor; personel girişi olarak alındı"),
                    format!("{username}: role {legacy_role:?} unknown; imported as staff"),
                );
                self.warn(USERS.table, legacy, what);
                Role::Staff
            });
            let active = boolean(rec.get(layout::IS_ACTIVE)).as_bool().unwrap_or(true);
            if users.iter().any(|u| u.username == username) {
                let why =
                    Warning::new(format!("{username} iki kez geçiyor"), format!("{username} appears twice"));
                self.skip(USERS.table, legacy, why);
                continue;
            }
            users.push(LegacyUser { username, role, region, active });
        }
        users
    }
}

fn check(spec: &TableSpec, fields: &Map<String, Value>) -> Vec<FieldError> {
    let mut errors = spec.check_fields(fields, true);
    errors.extend(check_row(spec.name, fields));
    errors
}
