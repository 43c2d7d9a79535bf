//! The fleet as offices run it, through the real binary on a real store: `rainstaff alerts`.

use std::path::Path;
use std::process::Command;

use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::{Role, User};
use rainstaff::paths::DataDir;
use rainstaff_core::schema::{
    DRIVERS, TableSpec, VEHICLE_FAULTS, VEHICLE_INSPECTIONS, VEHICLE_SERVICE_VISITS, VEHICLES,
};
use serde_json::{Value, json};
use uuid::Uuid;

fn save(store: &mut Store, user: &User, table: &'static TableSpec, fields: Value) -> Uuid {
    let fields = fields.as_object().unwrap().clone();
    store.save_record(user, table, None, "Izmir", fields, SaveOptions::default()).unwrap()
}

/// A checklist with every item OK but the ones named.
fn results(not_ok: &[&str]) -> String {
    let items = [
        "body_dent",
        "paint_damage",
        "interior_clean",
        "smoke_smell",
        "tire_condition",
        "lights",
        "glass",
        "warning_lamps",
        "water_level",
    ];
    let items: Vec<Value> =
        items.iter().map(|i| json!({"item": i, "ok": !not_ok.contains(i), "note": null})).collect();
    Value::Array(items).to_string()
}

/// An İzmir fleet with one of each thing that needs doing on 2 March 2026.
fn fleet(dir: &Path) -> Store {
    let mut store = Store::open(&DataDir::new(dir).store()).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Izmir").unwrap();
    let van = save(
        &mut store,
        &user,
        &VEHICLES,
        json!({"plate": "35 KL 456", "km": 23_500, "oil_change_km": 10_000,
        "oil_interval_km": 14_000, "inspection_date": "2026-02-20", "insurance_date": "2026-03-20"}),
    );
    save(
        &mut store,
        &user,
        &VEHICLES,
        json!({"plate": "35 AB 100", "km": 5_000, "oil_change_km": 4_000,
        "oil_interval_km": 14_000, "maintenance_date": "2026-12-01"}),
    );
    save(&mut store, &user, &DRIVERS, json!({"full_name": "HÜSNÜ YILDIRIM", "license_expiry": "2026-03-10"}));
    let van = van.to_string();
    save(
        &mut store,
        &user,
        &VEHICLE_FAULTS,
        json!({"vehicle_id": van, "title": "Fren balatası", "status": "Acik",
        "opened_date": "2026-02-25"}),
    );
    save(
        &mut store,
        &user,
        &VEHICLE_SERVICE_VISITS,
        json!({"vehicle_id": van, "start_date": "2026-03-01",
        "reason": "Fren"}),
    );
    save(
        &mut store,
        &user,
        &VEHICLE_INSPECTIONS,
        json!({"vehicle_id": van, "inspection_date": "2026-02-23",
        "km": 23_000, "results": results(&["lights"])}),
    );
    save(
        &mut store,
        &user,
        &VEHICLE_INSPECTIONS,
        json!({"vehicle_id": van, "inspection_date": "2026-03-02",
        "km": 23_500, "results": results(&["lights", "glass"])}),
    );
    store
}

fn rainstaff(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_rainstaff")).arg("--data-dir").arg(dir).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn alerts_say_what_needs_doing_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    drop(fleet(dir.path()));
    let (ok, out, err) = rainstaff(dir.path(), &["alerts", "--today", "2026-03-02", "--format", "json"]);
    assert!(ok, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        out,
        json!({"alerts": [
            {"kind": "oil_soon", "plate": "35 KL 456", "km": 500},
            {"kind": "inspection_expired", "plate": "35 KL 456", "days": -10},
            {"kind": "insurance_soon", "plate": "35 KL 456", "days": 18},
            {"kind": "open_fault", "plate": "35 KL 456", "days": 5, "detail": "Fren balatası"},
            {"kind": "in_service", "plate": "35 KL 456", "days": 1, "detail": "Fren"},
            {"kind": "inspection_worsened", "plate": "35 KL 456", "detail": "glass"},
            {"kind": "inspection_repeated", "plate": "35 KL 456", "detail": "lights"},
            {"kind": "license_soon", "driver": "HÜSNÜ YILDIRIM", "days": 8},
        ]})
    );
    let (ok, text, _) = rainstaff(dir.path(), &["alerts", "--today", "02.03.2026", "--format", "text"]);
    assert!(ok);
    assert!(text.contains("35 KL 456\tYağ değişimine 500 km kaldı\n"), "{text}");
    assert!(text.contains("HÜSNÜ YILDIRIM\tEhliyet için 8 gün kaldı\n"), "{text}");
    // A month on, the oil change is overdue and the insurance has lapsed.
    let (_, later, _) =
        rainstaff(dir.path(), &["alerts", "--today", "2026-04-02", "--format", "text", "--lang", "en"]);
    assert!(later.contains("35 KL 456\tInsurance 13 days overdue\n"), "{later}");

    let (ok, _, err) = rainstaff(dir.path(), &["alerts", "--today", "2026-02-31"]);
    assert!(!ok && err.contains("--today"), "{err}");
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    // A real date cell, not text: Excel counts days from 30.12.1899.
                    Data::DateTime(d) => (chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
                        + chrono::Duration::days(d.as_f64() as i64))
                    .format("%d.%m.%Y")
                    .to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_vehicles_weekly_report_and_card_are_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    drop(fleet(dir.path()));
    let report = dir.path().join("hafta.xlsx");
    let args = ["export", "vehicle-report", "--plate", "35kl456", "--week", "2026-03-04", "--out"];
    let (ok, _, err) = rainstaff(dir.path(), &[&args[..], &[report.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let rows = sheet(&report, "Haftalık rapor");
    assert_eq!(rows[0][0], "35 KL 456 — Haftalık araç raporu — Hafta 10 (02.03.2026–08.03.2026)");
    assert_eq!(rows[1][0], "Bu hafta: 02.03.2026 · 23500 km · Önceki: 23.02.2026 · 23000 km");
    assert_eq!(rows[2], ["Madde", "Bu hafta", "Not", "Önceki", "Değişim"]);
    assert_eq!(rows.len(), 3 + 9, "the nine items");
    assert_eq!(rows[3], ["Gövde ezik/çizik", "Tamam", "", "Tamam", ""]);
    assert_eq!(rows[8], ["Far/stop/sinyal", "Olumsuz", "", "Olumsuz", "Yine olumsuz"]);
    assert_eq!(rows[9], ["Camlar", "Olumsuz", "", "Tamam", "Bozuldu"]);

    let card = dir.path().join("kart.xlsx");
    let args = ["export", "vehicle-card", "--plate", "35 KL 456", "--lang", "en", "--out"];
    let (ok, _, err) = rainstaff(dir.path(), &[&args[..], &[card.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let vehicle = sheet(&card, "Vehicle");
    assert_eq!(vehicle[0][0], "Vehicle card — 35 KL 456");
    assert!(vehicle.contains(&vec!["Km".to_string(), "23500".to_string()]), "{vehicle:?}");
    let inspections = sheet(&card, "Inspections");
    assert_eq!(inspections[3], ["02.03.2026", "23500", "", "Lights, Glass"]);
    assert_eq!(inspections[4], ["23.02.2026", "23000", "", "Lights"]);
    assert_eq!(sheet(&card, "Faults")[3], ["Fren balatası", "25.02.2026", "", "Open"]);
    let workshop = sheet(&card, "Workshop");
    assert_eq!(workshop[3], ["01.03.2026", "", "Fren", ""]);
    assert_eq!(workshop[4], ["Total", "", "", "0"]);

    let (ok, _, err) =
        rainstaff(dir.path(), &["export", "vehicle-card", "--plate", "06 ZZ 999", "--out", "x.xlsx"]);
    assert!(!ok && err.contains("no vehicle has the plate 06 ZZ 999"), "{err}");
}

/// A legacy file's whole fleet comes across through `rainstaff import-legacy`, the nine-item
/// results of two weeks of inspections included, and the alerts and the weekly report read it.
#[test]
fn a_legacy_fleet_is_imported_and_read_by_the_alerts_and_the_weekly_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("filo.db");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(include_str!("../crates/legacy/tests/fixtures/v4_fleet.sql"))
        .unwrap();
    let (ok, out, err) =
        rainstaff(dir.path(), &["import-legacy", file.to_str().unwrap(), "--region", "Izmir"]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    // Rows the file places in no region are the region named.
    for (table, count) in [
        ("vehicles", 2),
        ("drivers", 1),
        ("vehicle_faults", 2),
        ("vehicle_service_visits", 2),
        ("vehicle_inspections", 3),
    ] {
        assert_eq!(report["imported"][table], count, "{table}: {report}");
    }

    let (ok, out, err) = rainstaff(dir.path(), &["alerts", "--today", "2026-01-06"]);
    assert!(ok, "{err}");
    let alerts: Value = serde_json::from_str(&out).unwrap();
    let alerts = alerts["alerts"].as_array().unwrap();
    assert!(
        alerts.contains(&json!({"kind": "inspection_worsened", "plate": "06 ABC 123", "detail": "lights"}))
    );
    assert!(alerts.contains(
        &json!({"kind": "open_fault", "plate": "06 ABC 123", "days": 3, "detail": "Fren balatası"})
    ));

    let out_file = dir.path().join("hafta.xlsx");
    let args = ["export", "vehicle-report", "--plate", "06 ABC 123", "--week", "2026-01-05", "--out"];
    let (ok, _, err) = rainstaff(dir.path(), &[&args[..], &[out_file.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let rows = sheet(&out_file, "Haftalık rapor");
    assert_eq!(
        rows[1][0],
        "Bu hafta: 05.01.2026 · 120500 km · HÜSNÜ YILDIRIMER · Önceki: 29.12.2025 · 119800 km · HÜSNÜ YILDIRIMER"
    );
    assert_eq!(rows[4], ["Boya hasarı", "—", "", "Olumsuz", ""]);
    assert_eq!(rows[7], ["Lastikler", "Tamam", "", "Tamam", ""]);
    assert_eq!(rows[8], ["Far/stop/sinyal", "Olumsuz", "sol stop", "Tamam", "Bozuldu"]);
}
