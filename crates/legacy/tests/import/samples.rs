//! Every real legacy file comes across whole: the oracle's row counts, rows and minutes per
//! employee, regions, and the ids the office's other files will produce.

use std::collections::{BTreeMap, BTreeSet};

use rainstaff_core::i18n::Lang;
use rainstaff_core::time::parse_hhmm;
use rainstaff_legacy::{ImportedRow, LegacyImport};
use serde_json::Value;
use uuid::Uuid;

use crate::common::{SAMPLES, id, oracle, read, sample};

const SYNCED_IN_ORACLE: &[&str] = &[
    "employees",
    "timesheets",
    "shift_templates",
    "vehicles",
    "drivers",
    "vehicle_faults",
    "vehicle_service_visits",
    "vehicle_inspections",
];

fn rows<'a>(import: &'a LegacyImport, table: &str) -> Vec<&'a ImportedRow> {
    import.rows.iter().filter(|r| r.table == table).collect()
}

fn str_field<'a>(row: &'a ImportedRow, field: &str) -> &'a str {
    row.fields[field].as_str().unwrap_or_else(|| panic!("{field} of {row:?} is not text"))
}

/// Net minutes as the oracle counts them: ((end − start) mod 1440) − break.
fn net_minutes(row: &ImportedRow) -> i64 {
    let start = i64::from(parse_hhmm(str_field(row, "start_time")).unwrap());
    let end = i64::from(parse_hhmm(str_field(row, "end_time")).unwrap());
    (end - start).rem_euclid(1440) - row.fields["break_minutes"].as_i64().unwrap()
}

fn oracle_map(expected: &Value, key: &str) -> BTreeMap<i64, i64> {
    expected[key]
        .as_object()
        .unwrap_or_else(|| panic!("oracle has no {key}"))
        .iter()
        .map(|(k, v)| (k.parse().unwrap(), v.as_i64().unwrap()))
        .collect()
}

#[test]
fn every_sample_matches_the_oracle() {
    let oracle = oracle();
    assert_eq!(oracle.len(), SAMPLES.len(), "a sample without a test, or the reverse");
    for (name, variant) in SAMPLES {
        let expected = &oracle[*name];
        let import = read(&sample(name), "ALL");
        assert_eq!(import.variant.to_string(), *variant, "{name}");

        // Nothing in the real files is invalid enough to be left out.
        assert!(import.skipped.is_empty(), "{name}: {:?}\n{:#?}", import.skipped, import.warnings);
        for table in SYNCED_IN_ORACLE {
            let in_file = expected.get(*table).and_then(Value::as_u64).unwrap_or(0);
            assert_eq!(rows(&import, table).len() as u64, in_file, "{name}: {table}");
        }
        let users = expected.get("users").and_then(Value::as_u64).unwrap_or(0);
        assert_eq!(import.users.len() as u64, users, "{name}: users");
        let tombstones = expected.get("deleted_records").and_then(Value::as_u64).unwrap_or(0);
        assert_eq!(import.tombstones.len() as u64, tombstones, "{name}: deleted_records");

        // Timesheets per employee, and their minutes, by the employees' legacy ids.
        let legacy_of: BTreeMap<Uuid, i64> =
            rows(&import, "employees").iter().map(|e| (e.id, e.legacy_id)).collect();
        let mut counts = BTreeMap::new();
        let mut minutes = BTreeMap::new();
        for ts in rows(&import, "timesheets") {
            let employee: Uuid = str_field(ts, "employee_id").parse().unwrap();
            let legacy = legacy_of[&employee];
            *counts.entry(legacy).or_insert(0) += 1;
            *minutes.entry(legacy).or_insert(0) += net_minutes(ts);
        }
        assert_eq!(counts, oracle_map(expected, "timesheet_rows_by_employee"), "{name}");
        assert_eq!(minutes, oracle_map(expected, "timesheet_minutes_by_employee"), "{name}");

        let meta = &expected["_meta"];
        let timesheets = rows(&import, "timesheets");
        let overnight =
            timesheets.iter().filter(|t| str_field(t, "end_time") < str_field(t, "start_time")).count();
        assert_eq!(overnight as u64, meta["timesheet_overnight_rows"].as_u64().unwrap(), "{name}");
        let special = timesheets.iter().filter(|t| t.fields["special_day"] == true).count();
        assert_eq!(special as u64, meta["timesheet_special_rows"].as_u64().unwrap(), "{name}");
        let dates: Vec<&str> = timesheets.iter().map(|t| str_field(t, "work_date")).collect();
        let range = [dates.iter().min().unwrap(), dates.iter().max().unwrap()];
        assert_eq!(serde_json::json!(range), meta["timesheet_date_range"], "{name}");

        let employee_ids: Vec<i64> = rows(&import, "employees").iter().map(|e| e.legacy_id).collect();
        assert_eq!(serde_json::json!(employee_ids), meta["employee_ids"], "{name}");

        // Regions, where the file has them, as the oracle counted them.
        for table in ["employees", "timesheets", "drivers"] {
            let Some(counted) = meta["distinct_regions"].get(format!("{table}.region")) else {
                continue;
            };
            let mut regions: BTreeMap<&str, u64> = BTreeMap::new();
            for row in rows(&import, table) {
                *regions.entry(&row.region).or_default() += 1;
            }
            assert_eq!(serde_json::json!(regions), *counted, "{name}: {table} regions");
        }

        // Each row carries exactly its schema's fields, and its id is the legacy id in its region.
        for row in &import.rows {
            let spec = rainstaff_core::schema::table(row.table).unwrap();
            let names: BTreeSet<&str> = row.fields.keys().map(String::as_str).collect();
            let expected_names: BTreeSet<&str> = spec.column_names().collect();
            assert_eq!(names, expected_names, "{name}: {}", row.table);
            assert_eq!(row.id, id(&row.region, row.table, row.legacy_id));
        }
    }
}

#[test]
fn legacy_values_are_normalized() {
    let import = read(&sample("F3_v4_s3.db"), "ALL");
    let ts =
        |legacy: i64| import.rows.iter().find(|r| r.table == "timesheets" && r.legacy_id == legacy).unwrap();
    // '' notes are no note; real notes stay byte for byte.
    assert_eq!(ts(10).fields["note"], Value::Null);
    assert_eq!(ts(50).fields["note"], "müdür bey misafir karşıladı ve stant açtı");
    // An overnight shift keeps its times; the end is on the next day.
    assert_eq!((str_field(ts(64), "start_time"), str_field(ts(64), "end_time")), ("08:30", "02:00"));
    assert_eq!(ts(58).fields["special_day"], true);

    let employee = import.rows.iter().find(|r| r.table == "employees" && r.legacy_id == 3).unwrap();
    assert_eq!(employee.fields["full_name"], "MEHMET ALİ ŞAHİNOĞLU");
    assert_eq!(employee.fields["active"], true);
    assert_eq!(employee.fields["contract_kind"], "full_time");
    assert_eq!(employee.fields["weekly_minutes"], 2700);
    assert_eq!(employee.fields["break_policy"], "as_entered");
    assert_eq!(import.company_name.as_deref(), Some("RAİNWATER ANKARA"));

    // The junk employee is a real row of the office's file and comes across as it is.
    let junk = import.rows.iter().find(|r| r.table == "employees" && r.legacy_id == 31).unwrap();
    assert_eq!(junk.fields["full_name"], "1");
    assert_eq!(junk.fields["department"], "1");
    assert_eq!(ts(107).fields["employee_id"], junk.id.to_string());

    // "01".."08" are not identity numbers: the value is left out, the row is not, and the
    // warning names the file, table, row, field and value.
    assert_eq!(employee.fields["identity_no"], Value::Null);
    let said = import
        .warnings
        .iter()
        .find(|w| w.to_string().contains("employees #3:"))
        .expect("a warning for employee 3's identity number");
    let warning = said.to_string();
    assert!(warning.contains("F3_v4_s3.db") && warning.contains("identity_no"), "{warning}");
    assert!(warning.contains("\"03\""), "{warning}");
    // The same warning for the office, in Turkish with the field as the screens name it.
    let turkish = said.text(Lang::Tr);
    assert!(
        turkish.starts_with(&warning[..warning.find("employees").unwrap()])
            && turkish.contains("Personel #3: T.C. Kimlik No: geçerli bir T.C. kimlik numarası değil")
            && turkish.ends_with("(dosyadaki değer \"03\"); boş bırakıldı"),
        "{turkish}"
    );

    let deleted = &import.tombstones[0];
    assert_eq!((deleted.table, deleted.legacy_id), ("timesheets", 106));
    assert_eq!(deleted.id, id("Ankara", "timesheets", 106));
}

#[test]
fn a_file_without_regions_belongs_to_the_default_region() {
    let import = read(&sample("F6_v1_s1.db"), "İZMİR");
    assert!(!import.rows.is_empty());
    for row in &import.rows {
        assert_eq!(row.region, "Izmir", "{row:?}");
        assert_eq!(row.id, id("Izmir", row.table, row.legacy_id));
    }
    let ts = import.rows.iter().find(|r| r.table == "timesheets").unwrap();
    let employee = import
        .rows
        .iter()
        .find(|r| r.table == "employees" && r.id.to_string() == str_field(ts, "employee_id"));
    assert!(employee.is_some(), "the timesheet points at an imported employee");
}

#[test]
fn a_shift_belongs_to_its_employees_region_whatever_the_file_says() {
    // V2: employees have no region (the office's, here Bursa), timesheets say Ankara. A shift is
    // its employee's: a reference across regions would be refused by the server.
    let import = read(&sample("F9_v2_s1.db"), "Bursa");
    // Only the accounts of the other offices are not Bursa's.
    assert_eq!(import.left_out, BTreeMap::from([("users".to_string(), 3)]));
    for employee in rows(&import, "employees") {
        assert_eq!(employee.region, "Bursa");
    }
    let ts = rows(&import, "timesheets");
    assert_eq!(ts.len(), 37);
    assert!(ts.iter().all(|t| t.region == "Bursa"));
    let ts10 = ts.iter().find(|t| t.legacy_id == 10).unwrap();
    assert_eq!(str_field(ts10, "employee_id"), id("Bursa", "employees", 3).to_string());
    assert_eq!(ts10.id, id("Bursa", "timesheets", 10));
    let moved = import.warnings.iter().find(|w| w.to_string().contains("timesheets #10:")).unwrap();
    assert!(
        moved
            .to_string()
            .ends_with("the file says region Ankara, but its employees #3 is Bursa's; taken as Bursa's"),
        "{moved}"
    );
    assert!(
        moved.text(Lang::Tr).contains("bağlı olduğu Personel #3 Bursa bölgesinde"),
        "{}",
        moved.text(Lang::Tr)
    );

    // Taking every region, region-less employees are Ankara's, the legacy default, like their shifts.
    let all = read(&sample("F9_v2_s1.db"), "ALL");
    assert!(all.rows.iter().all(|r| r.region == "Ankara"));
    assert!(!all.warnings.iter().any(|w| w.to_string().contains("the file says region")));
}

#[test]
fn v5_clock_times_and_regions() {
    let import = read(&sample("F8_v5_demo.db"), "ALL");
    let employee = rows(&import, "employees").into_iter().find(|e| e.legacy_id == 2).unwrap();
    assert_eq!(employee.region, "Bursa");
    assert_eq!(employee.fields["hire_date"], "2022-06-01");
    assert_eq!(employee.fields["title"], "Muhasebeci");
    let ts = rows(&import, "timesheets").into_iter().find(|t| t.legacy_id == 7).unwrap();
    assert_eq!(ts.region, "Bursa");
    assert_eq!((str_field(ts, "start_time"), str_field(ts, "end_time")), ("09:00", "18:00"));
    assert_eq!(ts.fields["note"], Value::Null);
    assert_eq!(str_field(ts, "employee_id"), employee.id.to_string());
    assert_eq!(import.company_name, None);
    let admin = &import.users[0];
    assert_eq!(
        (admin.username.as_str(), admin.role.code(), admin.region.as_str()),
        ("admin", "admin", "ALL")
    );
}
