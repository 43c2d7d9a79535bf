//! The vehicle tables are empty in every real file, so they are checked on a V4-shaped fixture
//! with the legacy app's own DDL, including the rows it let through that the new schema cannot
//! hold as they are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rainstaff_core::checklist::{ITEMS, Item, Results};
use rainstaff_core::schema::{self, FieldKind};
use rainstaff_legacy::{ImportedRow, LegacyImport, apply};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::common::{Memory, id, read};

/// A V4 file with every fleet table: three vehicles (one with a plate no office could have
/// typed), a driver, faults, workshop visits, and two weeks of inspections with their checklist.
const V4_FLEET: &str = include_str!("../fixtures/v4_fleet.sql");

pub fn fixture(dir: &Path) -> PathBuf {
    let path = dir.join("filo.db");
    Connection::open(&path).unwrap().execute_batch(V4_FLEET).unwrap();
    path
}

fn row<'a>(import: &'a LegacyImport, table: &str, legacy: i64) -> &'a ImportedRow {
    import
        .rows
        .iter()
        .find(|r| r.table == table && r.legacy_id == legacy)
        .unwrap_or_else(|| panic!("{table} #{legacy} was not imported"))
}

fn has_row(import: &LegacyImport, table: &str, legacy: i64) -> bool {
    import.rows.iter().any(|r| r.table == table && r.legacy_id == legacy)
}

fn warned(import: &LegacyImport, parts: &[&str]) -> bool {
    import.warnings.iter().map(ToString::to_string).any(|w| parts.iter().all(|p| w.contains(p)))
}

#[test]
fn fleet_tables_come_across() {
    let dir = tempfile::tempdir().unwrap();
    let import = read(&fixture(dir.path()), "ALL");
    assert_eq!(import.variant.to_string(), "V4");
    let id = |region: &str, table: &str, legacy: i64| id(region, table, legacy).to_string();

    let van = row(&import, "vehicles", 1);
    assert_eq!(van.region, "Izmir");
    assert_eq!(van.fields["plate"], "06 ABC 123");
    assert_eq!(van.fields["year"], 2019);
    assert_eq!(van.fields["inspection_date"], "2026-03-01");
    assert_eq!(van.fields["notes"], Value::Null);
    assert_eq!(van.fields["oil_interval_km"], 14_000);
    assert!(warned(&import, &["filo.db", "vehicles #1", "oil_interval_km"]));

    // The region column was NULL: the row is the default region's, and so are references to it.
    let spare = row(&import, "vehicles", 3);
    assert_eq!((spare.region.as_str(), &spare.fields["plate"]), ("Ankara", &json!("34 A 1234")));
    assert_eq!(spare.fields["year"], Value::Null);
    assert!(warned(&import, &["vehicles #3", "year", "bilinmiyor", "left empty"]));

    // A plate that is no Turkish plate cannot enter the fleet; the warning keeps it.
    assert!(!has_row(&import, "vehicles", 2));
    assert!(warned(&import, &["filo.db", "vehicles #2", "skipped", "plate", "XYZ"]));
    assert!(!has_row(&import, "vehicle_faults", 2));
    assert!(warned(&import, &["vehicle_faults #2", "skipped", "vehicle_id", "vehicles #2"]));

    let driver = row(&import, "drivers", 1);
    assert_eq!(driver.fields["license_expiry"], "2035-01-10");

    assert_eq!(row(&import, "vehicle_faults", 1).fields["status"], "Acik");
    let closed = row(&import, "vehicle_faults", 3);
    assert_eq!(
        (&closed.fields["status"], &closed.fields["closed_date"]),
        (&json!("Kapali"), &json!("2026-01-04"))
    );
    assert_eq!(closed.fields["vehicle_id"], id("Izmir", "vehicles", 1));

    let visit = row(&import, "vehicle_service_visits", 1);
    assert_eq!(visit.fields["start_date"], "2026-01-05");
    assert_eq!(visit.fields["fault_id"], id("Izmir", "vehicle_faults", 1));
    assert_eq!(visit.fields["cost"], 1250.5);
    let visit = row(&import, "vehicle_service_visits", 2);
    assert_eq!(visit.fields["fault_id"], Value::Null);
    assert_eq!(visit.fields["cost"], 980.75);
    assert!(warned(&import, &["vehicle_service_visits #2", "fault_id", "vehicle_faults #99", "left empty"]));

    let weekly = row(&import, "vehicle_inspections", 1);
    assert_eq!(weekly.fields["driver_id"], id("Izmir", "drivers", 1));
    assert_eq!(weekly.fields["km"], 120_500);
    let results: Value = serde_json::from_str(weekly.fields["results"].as_str().unwrap()).unwrap();
    assert_eq!(
        results,
        json!([
            {"item": "tire_condition", "ok": true, "note": null},
            {"item": "lights", "ok": false, "note": "sol stop"}
        ])
    );
    // A line of no item of the nine, or that nobody checked, is said and left out.
    assert!(warned(&import, &["vehicle_inspection_results #4", "skipped", "wipers"]));
    assert!(warned(&import, &["vehicle_inspection_results #5", "skipped", "NA"]));
    // The week before: all nine items, as the legacy form kept them.
    let before = row(&import, "vehicle_inspections", 3);
    let results = Results::parse(before.fields["results"].as_str().unwrap()).unwrap();
    assert_eq!(results.0.iter().map(|r| r.item).collect::<Vec<_>>(), ITEMS);
    let not_ok: Vec<_> = results.0.iter().filter(|r| !r.ok).map(|r| (r.item, r.note.as_deref())).collect();
    assert_eq!(not_ok, [(Item::PaintDamage, Some("arka tampon")), (Item::WaterLevel, Some("eksik"))]);
    let other = row(&import, "vehicle_inspections", 2);
    assert_eq!(other.region, "Ankara");
    assert_eq!(other.fields["vehicle_id"], id("Ankara", "vehicles", 3));
    assert_eq!((&other.fields["driver_id"], &other.fields["results"]), (&Value::Null, &Value::Null));

    let skipped: BTreeMap<&str, u64> = import.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        skipped,
        BTreeMap::from([
            ("timesheets", 2),
            ("vehicle_faults", 1),
            ("vehicle_inspection_results", 3),
            ("vehicles", 1),
        ])
    );
}

#[test]
fn timesheets_employees_tombstones_and_settings_of_the_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let import = read(&fixture(dir.path()), "ALL");

    let employee = row(&import, "employees", 1);
    assert_eq!((employee.region.as_str(), &employee.fields["identity_no"]), ("Izmir", &json!("10000000146")));
    let ts = row(&import, "timesheets", 1);
    assert_eq!(ts.fields["work_date"], "2026-01-05");
    assert_eq!(ts.fields["start_time"], "08:30");
    assert_eq!(ts.fields["note"], Value::Null);
    assert!(warned(&import, &["filo.db", "timesheets #2", "skipped", "employee_id", "employees #99"]));
    assert!(warned(&import, &["timesheets #3", "skipped", "end_time"]));

    assert_eq!(import.tombstones.len(), 1);
    assert_eq!(import.tombstones[0].id, id("Ankara", "vehicles", 5));
    assert!(warned(&import, &["deleted_records", "stock_inventory"]));

    // A blank company name is no company name, and no other setting is carried.
    assert_eq!(import.company_name, None);
    assert!(!format!("{import:?}").contains("gizli-token"));
}

#[test]
fn applied_fleet_rows_point_at_rows_the_store_has() {
    let dir = tempfile::tempdir().unwrap();
    let import = read(&fixture(dir.path()), "ALL");
    let mut memory = Memory::default();
    let Ok(report) = apply(&import, &mut memory);
    assert_eq!(report.imported["vehicles"], 2);
    assert_eq!(report.imported["vehicle_inspections"], 3);
    assert_eq!(report.skipped["vehicles"], 1);
    for row in &import.rows {
        for field in schema::table(row.table).unwrap().fields {
            let FieldKind::Ref(parent) = field.kind else {
                continue;
            };
            let Some(parent_id) = row.fields[field.name].as_str() else {
                continue;
            };
            let parent_row = memory.row(parent, parent_id.parse().unwrap());
            assert!(
                parent_row.is_some_and(|p| !p.deleted),
                "{} #{}: {}",
                row.table,
                row.legacy_id,
                field.name
            );
        }
    }
    assert!(memory.row("vehicles", id("Ankara", "vehicles", 5)).unwrap().deleted);
}

#[test]
fn a_row_under_a_deleted_parent_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path());
    let import = read(&path, "ALL");
    let mut memory = Memory::default();
    let Ok(_) = apply(&import, &mut memory);

    // Later the office deletes the van; an older file still has it and its fault, visits and
    // inspection.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("INSERT INTO deleted_records VALUES (3, 'vehicles', 1, '2026-01-10T09:00:00', NULL);")
        .unwrap();
    let newer = read(&path, "ALL");
    let Ok(_) = apply(&newer, &mut memory);
    let Ok(report) = apply(&import, &mut memory);
    assert!(memory.row("vehicles", id("Izmir", "vehicles", 1)).unwrap().deleted);
    assert!(report.imported.is_empty(), "{:?}", report.imported);
    assert!(
        report
            .warnings
            .iter()
            .map(ToString::to_string)
            .any(|w| w.contains("vehicle_faults #1") && w.contains("vehicles row was deleted"))
    );
}
