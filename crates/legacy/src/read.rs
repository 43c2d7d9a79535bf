//! Reading a whole legacy file into rows of the synced schema, before anything is written: a file
//! that cannot be read fails here as a whole, and a row that cannot be imported is left out here
//! with a warning that says which one and why.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rainstaff_core::i18n::{Lang, table_label};
use rainstaff_core::ids::legacy_id;
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
use crate::tables::{self, Draft};
use crate::users::{LegacyUser, Role, role_from_legacy};
use crate::variant::{self, Variant};
use crate::warning::Warning;

/// Everything a legacy file holds that still means something, ready to apply.
#[derive(Debug, Clone, Serialize)]
pub struct LegacyImport {
    pub file: PathBuf,
    pub variant: Variant,
    /// Parents before children, in the order of `schema::TABLES`.
    pub rows: Vec<ImportedRow>,
    /// The file's `deleted_records`, as ids of synced rows.
    pub tombstones: Vec<Tombstone>,
    pub users: Vec<LegacyUser>,
    pub company_name: Option<String>,
    /// Rows left out while reading, by table; each has a line in `warnings`.
    pub skipped: BTreeMap<String, u64>,
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

/// Reads the legacy file at `path` without changing it. Rows without a region of their own (V1,
/// employees in V2, NULL or blank regions) belong to `default_region`; a blank `default_region`
/// means the legacy default, Ankara.
pub fn read_legacy(path: &Path, default_region: &str) -> Result<LegacyImport, LegacyError> {
    let file = LegacyFile::open(path)?;
    let variant = variant::detect(&file)?;
    let default_region = regions::normalize(default_region)
        .filter(|r| r != ALL_REGIONS)
        .unwrap_or_else(|| LEGACY_DEFAULT.to_string());
    let mut reader = Reader {
        file: path.display().to_string(),
        default_region,
        known: HashMap::new(),
        rows: Vec::new(),
        skipped: BTreeMap::new(),
        warnings: Vec::new(),
    };
    let mut results: HashMap<i64, Vec<Value>> = HashMap::new();
    for rec in file.rows(&INSPECTION_RESULTS)? {
        if let Some(inspection) = legacy_int(rec.get(layout::INSPECTION_ID)) {
            results.entry(inspection).or_default().push(tables::inspection_result(&rec));
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
    let company_name = file.rows(&SETTINGS)?.iter().find_map(|rec| {
        let key = text(rec.get(layout::SETTING_KEY));
        (key.as_str().map(str::trim) == Some("company_name"))
            .then(|| text(rec.get(layout::SETTING_VALUE)).as_str().map(str::to_string))
            .flatten()
    });
    Ok(LegacyImport {
        file: path.to_owned(),
        variant,
        rows: reader.rows,
        tombstones,
        users,
        company_name,
        skipped: reader.skipped,
        warnings: reader.warnings,
    })
}

/// What became of a legacy row, for the rows that refer to it and the tombstones that name it.
struct Known {
    region: String,
    imported: bool,
}

struct Reader {
    file: String,
    default_region: String,
    known: HashMap<&'static str, HashMap<i64, Known>>,
    rows: Vec<ImportedRow>,
    skipped: BTreeMap<String, u64>,
    warnings: Vec<Warning>,
}

impl Reader {
    fn warn(&mut self, table: &str, legacy_id: Option<i64>, what: Warning) {
        self.warnings.push(Warning::about(&self.file, table, legacy_id, what));
    }

    fn skip(&mut self, table: &str, legacy_id: Option<i64>, reason: Warning) {
        *self.skipped.entry(table.to_string()).or_default() += 1;
        self.warn(table, legacy_id, Warning::skipped(reason));
    }

    fn region(&mut self, value: &SqlValue, table: &str, legacy_id: Option<i64>) -> String {
        match text(value).as_str().and_then(regions::normalize) {
            Some(region) if region == ALL_REGIONS => {
                let default = self.default_region.clone();
                let what = Warning::new(
                    format!("ALL bölgesi bir ofis değil; {default} kullanıldı"),
                    format!("region ALL is not an office; {default} used"),
                );
                self.warn(table, legacy_id, what);
                default
            }
            Some(region) => region,
            None => self.default_region.clone(),
        }
    }

    fn row(&mut self, spec: &'static TableSpec, rec: &Record, results: &HashMap<i64, Vec<Value>>) {
        let table = spec.name;
        let Some(legacy) = legacy_int(rec.get(layout::ID)) else {
            self.skip(
                table,
                None,
                Warning::new("tamsayı kimliği olmayan bir satır", "a row without an integer id"),
            );
            return;
        };
        let region = self.region(rec.get(layout::REGION), table, Some(legacy));
        let draft = tables::draft(spec, rec, results.get(&legacy));
        let imported = match self.resolve(spec, legacy, &region, draft) {
            Some(fields) => {
                let id = legacy_id(&region, table, legacy);
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
                Some(Known { region: parent_region, imported: true }) => {
                    let id = legacy_id(parent_region, parent.table, parent_legacy);
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

    fn orphan_results(&mut self, results: &HashMap<i64, Vec<Value>>) {
        let inspections = self.known.get("vehicle_inspections");
        let mut orphans: Vec<i64> =
            results.keys().copied().filter(|id| inspections.is_none_or(|k| !k.contains_key(id))).collect();
        orphans.sort_unstable();
        for inspection in orphans {
            for _ in &results[&inspection] {
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
            let id = legacy_id(&region, spec.name, record);
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
