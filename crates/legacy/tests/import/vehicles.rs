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

const V4_FLEET: &str = r#"
CREATE TABLE employees (id INTEGER PRIMARY KEY AUTOINCREMENT, full_name TEXT NOT NULL,
    identity_no TEXT, department TEXT, title TEXT, region TEXT DEFAULT 'Ankara');
CREATE TABLE timesheets (id INTEGER PRIMARY KEY AUTOINCREMENT, employee_id INTEGER NOT NULL,
    work_date TEXT NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
    break_minutes INTEGER NOT NULL DEFAULT 0, notes TEXT, is_special INTEGER NOT NULL DEFAULT 0,
    region TEXT DEFAULT 'Ankara');
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE shift_templates (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
    start_time TEXT NOT NULL, end_time TEXT NOT NULL, break_minutes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE vehicles (id INTEGER PRIMARY KEY AUTOINCREMENT, plate TEXT NOT NULL UNIQUE,
    brand TEXT, model TEXT, year TEXT, km INTEGER, inspection_date TEXT, insurance_date TEXT,
    maintenance_date TEXT, notes TEXT, oil_change_date TEXT, oil_change_km INTEGER,
    oil_interval_km INTEGER, region TEXT DEFAULT 'Ankara');
CREATE TABLE drivers (id INTEGER PRIMARY KEY AUTOINCREMENT, full_name TEXT NOT NULL UNIQUE,
    license_class TEXT, license_expiry TEXT, phone TEXT, notes TEXT, region TEXT DEFAULT 'Ankara');
CREATE TABLE vehicle_inspections (id INTEGER PRIMARY KEY AUTOINCREMENT,
    vehicle_id INTEGER NOT NULL, driver_id INTEGER, inspection_date TEXT NOT NULL,
    week_start TEXT NOT NULL, notes TEXT, km INTEGER, fault_id INTEGER, fault_status TEXT,
    service_visit INTEGER DEFAULT 0, region TEXT DEFAULT 'Ankara');
CREATE TABLE vehicle_inspection_results (id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id INTEGER NOT NULL, item_key TEXT NOT NULL, status TEXT NOT NULL, note TEXT);
CREATE TABLE vehicle_faults (id INTEGER PRIMARY KEY AUTOINCREMENT, vehicle_id INTEGER NOT NULL,
    title TEXT NOT NULL, description TEXT, opened_date TEXT, closed_date TEXT,
    status TEXT DEFAULT 'Acik', region TEXT DEFAULT 'Ankara');
CREATE TABLE vehicle_service_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,
    vehicle_id INTEGER NOT NULL, fault_id INTEGER, start_date TEXT NOT NULL, end_date TEXT,
    reason TEXT, cost REAL, notes TEXT, region TEXT DEFAULT 'Ankara');
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL, role TEXT NOT NULL, region TEXT NOT NULL);
CREATE TABLE stock_inventory (id INTEGER PRIMARY KEY AUTOINCREMENT, seri_no TEXT NOT NULL,
    bolge TEXT NOT NULL);
CREATE TABLE deleted_records (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL,
    record_id INTEGER NOT NULL, deleted_at TEXT NOT NULL, deleted_by TEXT);

INSERT INTO settings VALUES ('company_name', ''), ('sync_token', 'gizli-token');
INSERT INTO employees VALUES (1, 'AYŞE YILMAZ', '10000000146', 'ULAŞIM', 'ŞÖFÖR', 'İzmir');
INSERT INTO timesheets VALUES
    (1, 1, '05.01.2026', '8:30', '17:30', 60, NULL, 0, 'Izmir'),
    (2, 99, '2026-01-05', '08:30', '17:30', 60, '', 0, 'Izmir'),
    (3, 1, '2026-01-06', '09:00', '09:00', 0, '', 0, 'Izmir');
INSERT INTO vehicles VALUES
    (1, '06abc123', 'Ford', 'Transit', '2019', 120000, '01.03.2026', '2026-05-01', NULL, '',
        '2026-01-02', 118000, NULL, 'Izmir'),
    (2, 'XYZ', 'Fiat', 'Doblo', '2015', 200000, NULL, NULL, NULL, NULL, NULL, NULL, 10000, 'Izmir'),
    (3, '34 a 1234', 'Renault', 'Clio', 'bilinmiyor', NULL, NULL, NULL, NULL, 'yedek',
        NULL, NULL, 15000, NULL);
INSERT INTO drivers VALUES (1, 'HÜSNÜ YILDIRIMER', 'B', '10.01.2035', '905550000000', '', 'Izmir');
INSERT INTO vehicle_faults VALUES
    (1, 1, 'Fren balatası', 'ön', '2026-01-03', NULL, 'Acik', 'Izmir'),
    (2, 2, 'Lastik', NULL, '2026-01-03', NULL, 'Acik', 'Izmir'),
    (3, 1, 'Far', NULL, '2026-01-02', '2026-01-04', NULL, 'Izmir');
INSERT INTO vehicle_service_visits VALUES
    (1, 1, 1, '05.01.2026', '2026-01-07', 'Fren', 1250.5, 'servis', 'Izmir'),
    (2, 1, 99, '2026-01-08', NULL, 'Bakım', '980,75', NULL, 'Izmir');
INSERT INTO vehicle_inspections VALUES
    (1, 1, 1, '2026-01-05', '2026-01-05', 'haftalık', 120500, NULL, NULL, 0, 'Izmir'),
    (2, 3, NULL, '2026-01-06', '2026-01-05', '', NULL, NULL, NULL, 0, NULL),
    (3, 1, 1, '2025-12-29', '2025-12-29', 'önceki hafta', 119800, NULL, NULL, 0, 'Izmir');
INSERT INTO vehicle_inspection_results VALUES
    (1, 1, 'tire_condition', 'OK', ''),
    (2, 1, 'lights', 'Olumsuz', 'sol stop'),
    (3, 77, 'glass', 'OK', NULL),
    (4, 1, 'wipers', 'OK', NULL),
    (5, 1, 'glass', 'NA', NULL),
    (6, 3, 'body_dent', 'OK', NULL),
    (7, 3, 'paint_damage', 'Issue', 'arka tampon'),
    (8, 3, 'interior_clean', 'OK', NULL),
    (9, 3, 'smoke_smell', 'OK', NULL),
    (10, 3, 'tire_condition', 'OK', NULL),
    (11, 3, 'lights', 'Olumlu', NULL),
    (12, 3, 'glass', 'OK', NULL),
    (13, 3, 'warning_lamps', 'OK', NULL),
    (14, 3, 'water_level', 'Issue', 'eksik');
INSERT INTO users VALUES (1, 'izmir1', 'f31a2bba1b8cf7902f409d99e0c540cd', 'user', 'Izmir');
INSERT INTO deleted_records VALUES
    (1, 'vehicles', 5, '2026-01-09T10:00:00', NULL),
    (2, 'stock_inventory', 3, '2026-01-09T10:05:00', NULL);
"#;

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
    assert_eq!(van.fields["oil_interval_km"], 10_000);
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
