//! What each legacy table's columns become in the synced schema, one function per table. Rows
//! come out as drafts: references still hold legacy ids, regions are still as the file had them.

// The legacy app let vehicles go without an oil interval and counted them at 14 000 km; the new
// schema requires one, so the import sets that same interval and says it did.
use rainstaff_core::alerts::DEFAULT_OIL_INTERVAL_KM;
use rainstaff_core::checklist::{Item, ItemResult, Results};
use rainstaff_core::hours::BreakPolicy;
use rainstaff_core::i18n::Lang;
use rainstaff_core::schema::TableSpec;
use rainstaff_core::validate::normalize_plate;
use serde_json::{Map, Value};

use crate::convert::{boolean, date, int, legacy_int, real, text, time};
use crate::file::Record;
use crate::layout::*;
use crate::warning::{Warning, field_name};

/// An employee's contract as the legacy app assumed for everybody: full time at the legal
/// maximum week of Labour Law 4857 (45 hours), breaks counted as the office entered them so that
/// imported totals stay the totals the office recorded.
const CONTRACT_KIND: &str = "full_time";
const WEEKLY_MINUTES: i64 = 45 * 60;

pub struct Draft {
    pub fields: Map<String, Value>,
    pub parents: Vec<Parent>,
    /// Values the import had to make up, said in the report.
    pub notes: Vec<Warning>,
}

/// A reference still holding the legacy id of its parent row.
pub struct Parent {
    pub field: &'static str,
    pub table: &'static str,
    pub legacy_id: Option<i64>,
}

impl Draft {
    fn new(spec: &TableSpec) -> Self {
        let fields = spec.column_names().map(|name| (name.to_string(), Value::Null)).collect();
        Self { fields, parents: Vec::new(), notes: Vec::new() }
    }

    fn set(&mut self, field: &str, value: impl Into<Value>) {
        debug_assert!(self.fields.contains_key(field), "{field} is not in the schema");
        self.fields.insert(field.to_string(), value.into());
    }

    fn parent(&mut self, field: &'static str, table: &'static str, legacy: &rusqlite::types::Value) {
        self.parents.push(Parent { field, table, legacy_id: legacy_int(legacy) });
    }
}

/// The draft of one legacy row of `spec.name`, a table of `layout::SYNCED`. `results` is what
/// `vehicle_inspection_results` holds for this row (inspections only).
pub fn draft(spec: &TableSpec, rec: &Record, results: Option<&Results>) -> Draft {
    let mut d = Draft::new(spec);
    match spec.name {
        "employees" => {
            d.set("full_name", text(rec.get(FULL_NAME)));
            d.set("identity_no", text(rec.get(IDENTITY_NO)));
            d.set("department", text(rec.get(DEPARTMENT)));
            d.set("title", text(rec.get(TITLE)));
            d.set("hire_date", date(rec.get(HIRE_DATE)));
            d.set("active", or(boolean(rec.get(IS_ACTIVE)), true));
            d.set("contract_kind", CONTRACT_KIND);
            d.set("weekly_minutes", WEEKLY_MINUTES);
            d.set("break_policy", BreakPolicy::AsEntered.to_stored());
        }
        "timesheets" => {
            d.parent("employee_id", "employees", rec.get(EMPLOYEE_ID));
            d.set("work_date", date(rec.get(WORK_DATE)));
            d.set("start_time", time(rec.get(START_TIME)));
            d.set("end_time", time(rec.get(END_TIME)));
            d.set("break_minutes", or(int(rec.get(BREAK_MINUTES)), 0));
            d.set("special_day", or(boolean(rec.get(SPECIAL)), false));
            d.set("note", text(rec.get(NOTES)));
        }
        "shift_templates" => {
            d.set("name", text(rec.get(TEMPLATE_NAME)));
            d.set("start_time", time(rec.get(START_TIME)));
            d.set("end_time", time(rec.get(END_TIME)));
            d.set("break_minutes", or(int(rec.get(BREAK_MINUTES)), 0));
        }
        "vehicles" => {
            // An unreadable plate is passed on as typed: validation then skips the vehicle and
            // the warning shows the plate, rather than a made-up plate entering the fleet.
            let plate = match text(rec.get(PLATE)) {
                Value::String(raw) => Value::String(normalize_plate(&raw).unwrap_or(raw)),
                other => other,
            };
            d.set("plate", plate);
            d.set("brand", text(rec.get(BRAND)));
            d.set("model", text(rec.get(MODEL)));
            d.set("year", int(rec.get(YEAR)));
            d.set("km", int(rec.get(KM)));
            d.set("inspection_date", date(rec.get(VEHICLE_INSPECTION_DATE)));
            d.set("insurance_date", date(rec.get(INSURANCE_DATE)));
            d.set("maintenance_date", date(rec.get(MAINTENANCE_DATE)));
            d.set("oil_change_date", date(rec.get(OIL_CHANGE_DATE)));
            d.set("oil_change_km", int(rec.get(OIL_CHANGE_KM)));
            let interval = int(rec.get(OIL_INTERVAL_KM));
            if interval.as_i64().is_some_and(|km| km > 0) {
                d.set("oil_interval_km", interval);
            } else {
                let (was_tr, was) = match interval.is_null() {
                    true => ("boştu".to_string(), "empty".to_string()),
                    false => (format!("{interval} idi"), interval.to_string()),
                };
                let label = field_name(Lang::Tr, "oil_interval_km");
                d.notes.push(Warning::new(
                    format!("{label} {was_tr}; {DEFAULT_OIL_INTERVAL_KM} yapıldı"),
                    format!("oil_interval_km was {was}; set to {DEFAULT_OIL_INTERVAL_KM}"),
                ));
                d.set("oil_interval_km", DEFAULT_OIL_INTERVAL_KM);
            }
            d.set("notes", text(rec.get(NOTES)));
        }
        "drivers" => {
            d.set("full_name", text(rec.get(FULL_NAME)));
            d.set("license_class", text(rec.get(LICENSE_CLASS)));
            d.set("license_expiry", date(rec.get(LICENSE_EXPIRY)));
            d.set("phone", text(rec.get(PHONE)));
            d.set("notes", text(rec.get(NOTES)));
        }
        "vehicle_faults" => {
            d.parent("vehicle_id", "vehicles", rec.get(VEHICLE_ID));
            d.set("title", text(rec.get(FAULT_TITLE)));
            d.set("description", text(rec.get(DESCRIPTION)));
            d.set("opened_date", date(rec.get(OPENED_DATE)));
            let closed = date(rec.get(CLOSED_DATE));
            // V2 had no status column; the legacy app's own words were "Acik" and "Kapali".
            let derived = if closed.is_null() { "Acik" } else { "Kapali" };
            d.set("status", or(text(rec.get(STATUS)), derived));
            d.set("closed_date", closed);
        }
        "vehicle_service_visits" => {
            d.parent("vehicle_id", "vehicles", rec.get(VEHICLE_ID));
            d.parent("fault_id", "vehicle_faults", rec.get(FAULT_ID));
            d.set("start_date", date(rec.get(VISIT_START)));
            d.set("end_date", date(rec.get(END_DATE)));
            d.set("reason", text(rec.get(VISIT_REASON)));
            d.set("cost", real(rec.get(COST)));
            d.set("notes", text(rec.get(NOTES)));
        }
        "vehicle_inspections" => {
            d.parent("vehicle_id", "vehicles", rec.get(VEHICLE_ID));
            d.parent("driver_id", "drivers", rec.get(DRIVER_ID));
            d.set("inspection_date", date(rec.get(INSPECTION_DATE)));
            d.set("km", int(rec.get(KM)));
            d.set("notes", text(rec.get(NOTES)));
            if let Some(results) = results.filter(|r| !r.0.is_empty()) {
                d.set("results", results.to_text());
            }
        }
        other => unreachable!("{other} is not a synced legacy table"),
    }
    d
}

/// One checklist line of an inspection, as it goes into its `results`; the reason when the line
/// names no item of the nine or says neither OK nor not OK (the legacy `NA`: nobody checked it).
pub fn inspection_result(rec: &Record) -> Result<ItemResult, Warning> {
    let key = text(rec.get(RESULT_ITEM));
    let key = key.as_str().unwrap_or_default().trim();
    let Some(item) = Item::from_key(key) else {
        return Err(Warning::new(
            format!("kontrol maddesi {key:?} dokuz maddeden biri değil"),
            format!("checklist item {key:?} is not one of the nine"),
        ));
    };
    let status = text(rec.get(STATUS));
    let status = status.as_str().unwrap_or_default();
    let Some(ok) = Results::legacy_ok(status) else {
        return Err(Warning::new(
            format!("{key} durumu {status:?}: ne olumlu ne olumsuz"),
            format!("{key} status {status:?} is neither OK nor not OK"),
        ));
    };
    let note = text(rec.get(RESULT_NOTE)).as_str().map(str::to_string);
    Ok(ItemResult { item, ok, note })
}

fn or(value: Value, default: impl Into<Value>) -> Value {
    if value.is_null() { default.into() } else { value }
}
