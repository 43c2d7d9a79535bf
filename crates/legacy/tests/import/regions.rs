//! One company file with three offices' rows: an import takes one region's rows (or all), counts
//! what it leaves to the others, never makes a reference across regions, and says what no import
//! brings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rainstaff_core::i18n::Lang;
use rainstaff_legacy::{LegacyError, apply, namespaces_needed, read_legacy};
use rusqlite::Connection;

use crate::common::{Memory, id, namespace, namespaces, read, sample};

/// F1 with employees and shifts of İzmir, İstanbul and Ankara (tests/fixtures/three_regions.sql).
pub fn three_regions(dir: &Path) -> PathBuf {
    let path = dir.join("sirket.db");
    std::fs::copy(sample("F1_v4_s4.db"), &path).unwrap();
    Connection::open(&path).unwrap().execute_batch(include_str!("../fixtures/three_regions.sql")).unwrap();
    path
}

fn by_table(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

#[test]
fn an_office_takes_its_own_rows_and_counts_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let file = three_regions(dir.path());
    assert_eq!(namespaces_needed(&file, "izmir").unwrap().into_iter().collect::<Vec<_>>(), ["Izmir"]);
    let import = read(&file, "Izmir");
    assert_eq!(import.region, "Izmir");
    let count = |table: &str| import.rows.iter().filter(|r| r.table == table).count();
    // Employees 1 and 2 and their 29 shifts; the templates have no region, so they are İzmir's.
    assert_eq!((count("employees"), count("timesheets"), count("shift_templates")), (2, 29, 2));
    assert!(import.rows.iter().all(|r| r.region == "Izmir" && r.id == id("Izmir", r.table, r.legacy_id)));
    assert_eq!(
        import.left_out,
        by_table(&[("drivers", 1), ("employees", 7), ("timesheets", 47), ("users", 3)])
    );
    // The administrator's account comes along; the other offices' accounts do not.
    let accounts: Vec<&str> = import.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(accounts, ["izmir1", "admin"]);
    // Employee 1's first shift is marked Ankara in the file: it is İzmir's, like its employee.
    let moved = import.rows.iter().find(|r| r.table == "timesheets" && r.legacy_id == 12).unwrap();
    assert_eq!(moved.fields["employee_id"], id("Izmir", "employees", 1).to_string());
    assert!(
        import.warnings.iter().any(|w| w.to_string().contains("timesheets #12: the file says region Ankara"))
    );
    // Nothing is said about other regions' rows beyond their count.
    assert!(
        !import.warnings.iter().any(|w| w.to_string().contains("employees #31")),
        "{:?}",
        import.warnings
    );
    // The file's deletions are of rows it no longer has: they count as the office's.
    assert!(import.tombstones.iter().all(|t| t.region == "Izmir"));

    let mut memory = Memory::default();
    let Ok(report) = apply(&import, &mut memory);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["region"], "Izmir");
    assert_eq!(json["left_out"]["timesheets"], 47);
    assert_eq!(json["regions"]["Izmir"]["imported"]["timesheets"], 29);
    assert!(memory.rows.values().all(|row| row.region == "Izmir"));
}

#[test]
fn every_region_is_taken_when_all_are() {
    let dir = tempfile::tempdir().unwrap();
    let file = three_regions(dir.path());
    let needed: Vec<String> = namespaces_needed(&file, "ALL").unwrap().into_iter().collect();
    assert_eq!(needed, ["Ankara", "Istanbul", "Izmir"]);
    let import = read(&file, "ALL");
    assert!(import.left_out.is_empty(), "{:?}", import.left_out);
    let mut memory = Memory::default();
    let Ok(report) = apply(&import, &mut memory);
    let of = |region: &str| report.regions[region].imported.clone();
    assert_eq!(of("Izmir"), by_table(&[("employees", 2), ("timesheets", 29)]));
    assert_eq!(of("Istanbul"), by_table(&[("employees", 1), ("timesheets", 17)]));
    assert_eq!(
        of("Ankara"),
        by_table(&[("drivers", 1), ("employees", 6), ("shift_templates", 2), ("timesheets", 30)])
    );
    assert_eq!(report.imported["users"], 5);

    // A region without its namespace is refused, naming the region, before anything is read into rows.
    let mut partial = namespaces();
    partial.remove("Istanbul");
    let error = read_legacy(&file, "ALL", &partial).unwrap_err();
    assert!(
        matches!(&error, LegacyError::NoNamespace { regions, .. } if regions == &["Istanbul"]),
        "{error}"
    );
    assert!(error.turkish().contains("Istanbul bölgesinin kimlik ad alanı yok"), "{}", error.turkish());
}

#[test]
fn ids_depend_on_the_regions_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let file = three_regions(dir.path());
    let mut other = namespaces();
    other.insert("Izmir".into(), uuid::Uuid::from_u128(7));
    let a = read(&file, "Izmir");
    let b = read_legacy(&file, "Izmir", &other).unwrap();
    assert_eq!(a.rows.len(), b.rows.len());
    for (a, b) in a.rows.iter().zip(&b.rows) {
        assert_ne!(a.id, b.id);
        assert_eq!(b.id, rainstaff_core::ids::legacy_id(uuid::Uuid::from_u128(7), b.table, b.legacy_id));
    }
    assert_ne!(namespace("Izmir"), uuid::Uuid::from_u128(7));
}

#[test]
fn an_optional_reference_to_another_regions_row_is_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::vehicles::fixture(dir.path());
    Connection::open(&path).unwrap().execute_batch("UPDATE drivers SET region = 'Ankara'").unwrap();
    let import = read(&path, "ALL");
    let weekly = import.rows.iter().find(|r| r.table == "vehicle_inspections" && r.legacy_id == 1).unwrap();
    assert_eq!(weekly.region, "Izmir");
    assert_eq!(weekly.fields["driver_id"], serde_json::Value::Null);
    let said = import
        .warnings
        .iter()
        .find(|w| w.to_string().contains("vehicle_inspections #1: driver_id"))
        .expect("a warning for the driver");
    assert!(said.to_string().ends_with("driver_id: drivers #1 is Ankara's; left empty"), "{said}");
    assert!(said.text(Lang::Tr).contains("Sürücü: Sürücüler #1 Ankara bölgesinin; boş bırakıldı"));
}

#[test]
fn what_no_import_brings_is_named() {
    let import = read(&sample("F1_v4_s4.db"), "ALL");
    let named: Vec<(&str, Option<u64>)> =
        import.not_imported.iter().map(|n| (n.table.as_str(), n.rows)).collect();
    assert_eq!(
        named,
        [("reports", Some(6)), ("stock_inventory", Some(12)), ("settings", Some(9)), ("users", Some(5))]
    );
    let stock = &import.not_imported[1];
    assert_eq!(stock.why.text(Lang::Tr), "Rainstaff'ta stok takibi yok");
    let v5 = read(&sample("F8_v5_demo.db"), "ALL");
    let tables: Vec<&str> = v5.not_imported.iter().map(|n| n.table.as_str()).collect();
    assert_eq!(tables, ["audit_logs", "messages", "notifications", "presence", "sync_logs", "users"]);
    let json = serde_json::to_value(&v5.not_imported[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"table": "audit_logs", "rows": 1, "why": "the old program's own log"})
    );
}
