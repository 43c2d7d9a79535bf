//! The fleet's screens by label over a real store: the weekly inspection's nine items, closing a
//! fault, and a vehicle's card with links to its records.

mod common;

use common::{fill, settle, sign_in, start};
use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::Role;
use rainstaff_core::checklist::{Item, Results};
use rainstaff_core::schema::{
    DRIVERS, TableSpec, VEHICLE_FAULTS, VEHICLE_INSPECTIONS, VEHICLE_SERVICE_VISITS, VEHICLES,
};
use serde_json::{Value, json};

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("rainstaff.db")).unwrap()
}

/// A Bursa store with its manager "şef", a van with a fault, a workshop visit and last week's
/// inspection.
fn bursa_fleet(dir: &std::path::Path) {
    let mut store = open(dir);
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    let mut save = |table: &'static TableSpec, fields: Value| {
        let fields = fields.as_object().unwrap().clone();
        store.save_record(&user, table, None, "Bursa", fields, SaveOptions::default()).unwrap().to_string()
    };
    let van = save(&VEHICLES, json!({"plate": "16 ABC 123", "km": 12_000, "oil_interval_km": 14_000}));
    let driver = save(&DRIVERS, json!({"full_name": "HÜSNÜ YILDIRIM"}));
    save(
        &VEHICLE_FAULTS,
        json!({"vehicle_id": van, "title": "Fren balatası", "status": "Acik", "opened_date": "2026-02-25"}),
    );
    save(
        &VEHICLE_SERVICE_VISITS,
        json!({"vehicle_id": van, "start_date": "2026-02-26", "end_date": "2026-02-27",
        "reason": "Fren", "cost": 1250.5}),
    );
    save(
        &VEHICLE_INSPECTIONS,
        json!({"vehicle_id": van, "driver_id": driver, "inspection_date": "2026-02-23",
        "km": 11_800, "results": r#"[{"item":"glass","ok":false,"note":"çatlak"}]"#}),
    );
}

fn tab(harness: &mut Harness<'_, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

#[test]
fn a_weekly_inspection_marks_items_not_ok_with_a_note_and_shows_its_week() {
    let dir = tempfile::tempdir().unwrap();
    bursa_fleet(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    tab(&mut harness, "Haftalık kontrol");
    tab(&mut harness, "Yeni kontrol");
    harness.get_by_role_and_label(A11y::ComboBox, "Araç").click();
    harness.run();
    // The dropdown's item, not the list's row that names the van too.
    harness.get_by_role_and_label(A11y::Button, "16 ABC 123").click();
    harness.run();
    fill(&mut harness, "Km", "12.400");
    // Today is Wednesday 4 March 2026.
    harness.get_by_label("Hafta 10 (02.03–08.03.2026)");
    harness.get_by_role_and_label(A11y::CheckBox, "Lastikler").click();
    harness.run();
    fill(&mut harness, "Lastikler notu", "ön sol aşınmış");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);

    let store = open(dir.path());
    let inspections = store.records(&VEHICLE_INSPECTIONS, "Bursa").unwrap();
    let new = inspections.iter().find(|r| r.fields["inspection_date"] == "2026-03-04").unwrap();
    let results = Results::parse(new.fields["results"].as_str().unwrap()).unwrap();
    assert_eq!(results.0.len(), 9);
    let tyres = results.get(Item::Tyres).unwrap();
    assert_eq!((tyres.ok, tyres.note.as_deref()), (false, Some("ön sol aşınmış")));
    assert!(results.0.iter().filter(|r| r.item != Item::Tyres).all(|r| r.ok && r.note.is_none()));
    // The reading is the van's km now, saved with the inspection.
    assert_eq!(store.vehicles("Bursa").unwrap()[0].data.km, Some(12_400));
    harness.get_by_label("Hafta 10 (02.03–08.03.2026) · 1 olumsuz");

    // Last week's inspection checked the glass alone: saving it again records no other item.
    harness.query_all_by_label("16 ABC 123").next().unwrap().click();
    harness.run();
    harness.get_by_label("Hafta 9 (23.02–01.03.2026)");
    fill(&mut harness, "Camlar notu", "çatlak büyüdü");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    let store = open(dir.path());
    let inspections = store.records(&VEHICLE_INSPECTIONS, "Bursa").unwrap();
    let last_week = inspections.iter().find(|r| r.fields["inspection_date"] == "2026-02-23").unwrap();
    let results = Results::parse(last_week.fields["results"].as_str().unwrap()).unwrap();
    assert_eq!(results.0.len(), 1);
    assert_eq!(results.get(Item::Glass).unwrap().note.as_deref(), Some("çatlak büyüdü"));
}

#[test]
fn a_fault_is_closed_on_a_date_once() {
    let dir = tempfile::tempdir().unwrap();
    bursa_fleet(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    tab(&mut harness, "Arızalar");
    tab(&mut harness, "16 ABC 123");
    fill(&mut harness, "Kapanış tarihi", "3.3.2026");
    harness.get_by_label("Kapat").click();
    settle(&mut harness);
    let fault = open(dir.path()).records(&VEHICLE_FAULTS, "Bursa").unwrap().remove(0);
    assert_eq!(
        (&fault.fields["status"], &fault.fields["closed_date"]),
        (&json!("Kapali"), &json!("2026-03-03"))
    );
    tab(&mut harness, "16 ABC 123");
    assert!(harness.query_by_label("Kapat").is_none(), "a closed fault is not closed again");
}

#[test]
fn a_vehicle_card_shows_its_history_and_links_to_each_record() {
    let dir = tempfile::tempdir().unwrap();
    bursa_fleet(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    tab(&mut harness, "Araçlar");
    tab(&mut harness, "16 ABC 123");
    tab(&mut harness, "Araç kartı");
    harness.get_by_label("Araç kartı · 16 ABC 123");
    harness.get_by_label("Camlar (çatlak)");
    harness.get_by_label("HÜSNÜ YILDIRIM");
    harness.get_by_label("Toplam tutar: 1250.50");
    harness.get_by_label("26.02.2026");
    tab(&mut harness, "Fren balatası");
    harness.get_by_label("Arızayı düzenle");
    assert_eq!(harness.state().screen, rainstaff::app::Screen::Record("vehicle_faults"));
}

#[test]
fn the_overview_comes_first_and_links_to_what_needs_doing() {
    let dir = tempfile::tempdir().unwrap();
    bursa_fleet(dir.path());
    let ali = {
        let mut store = open(dir.path());
        let user = store.users().unwrap().remove(0);
        let mut save = |table: &'static TableSpec, fields: Value| {
            let fields = fields.as_object().unwrap().clone();
            store
                .save_record(&user, table, None, "Bursa", fields, SaveOptions::default())
                .unwrap()
                .to_string()
        };
        let person = |name: &str| {
            json!({"full_name": name, "active": true, "contract_kind": "full_time", "weekly_minutes": 2700,
                "break_policy": "as_entered"})
        };
        let ayse = save(&rainstaff_core::schema::EMPLOYEES, person("AYŞE YILMAZ"));
        let ali = save(&rainstaff_core::schema::EMPLOYEES, person("ALİ KAYA"));
        // Ayşe worked Monday and Tuesday (yesterday); Ali has nothing for yesterday.
        for day in ["2026-03-02", "2026-03-03"] {
            save(
                &rainstaff_core::schema::TIMESHEETS,
                json!({"employee_id": ayse, "work_date": day,
                "start_time": "08:00", "end_time": "19:00", "break_minutes": 60, "special_day": false}),
            );
        }
        ali
    };
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    assert_eq!(harness.state().screen, rainstaff::app::Screen::Overview);
    harness.get_by_label("Bu hafta: 20:00 saat çalışıldı · 0:00 fazla mesai");
    harness.get_by_label("AYŞE YILMAZ");
    harness.get_by_label("Vardiyası girilmemiş: 03.03.2026 (1)");
    let pending = open(dir.path()).pending_count().unwrap();
    assert!(pending > 0);
    harness.get_by_label(&format!("Bekleyen: {pending}"));
    // The fault opened on 25 February is open; its link opens it.
    tab(&mut harness, "16 ABC 123 · Açık arıza: Fren balatası");
    harness.get_by_label("Arızayı düzenle");

    harness.get_by_role_and_label(A11y::Button, "Özet").click();
    harness.run();
    tab(&mut harness, "ALİ KAYA");
    assert_eq!(harness.state().screen, rainstaff::app::Screen::Timesheets);
    assert_eq!(
        harness.state().timesheets.employee.map(|id| id.to_string()),
        Some(ali),
        "his shifts are shown"
    );
}

#[test]
fn the_card_writes_its_workbook_and_a_weeks_report() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    bursa_fleet(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    tab(&mut harness, "Araçlar");
    tab(&mut harness, "16 ABC 123");
    tab(&mut harness, "Araç kartı");
    let card = dir.path().join("kart.xlsx");
    fill(&mut harness, "Dosya", card.to_str().unwrap());
    harness.get_by_label("Araç kartı (Excel)").click();
    settle(&mut harness);
    harness.get_by_label(&format!("Kaydedildi: {}", card.display()));
    let book: Xlsx<_> = open_workbook(&card).unwrap();
    assert_eq!(book.sheet_names(), ["Araç", "Kontroller", "Arızalar", "Sanayi"]);

    let week = dir.path().join("hafta.xlsx");
    fill(&mut harness, "Dosya", week.to_str().unwrap());
    fill(&mut harness, "Hafta", "25.02.2026");
    harness.get_by_label("Haftalık rapor (Excel)").click();
    settle(&mut harness);
    let mut book: Xlsx<_> = open_workbook(&week).unwrap();
    let rows = book.worksheet_range("Haftalık rapor").unwrap();
    assert_eq!(rows.get_value((9, 0)).unwrap().to_string(), "Camlar");
    assert_eq!(rows.get_value((9, 1)).unwrap().to_string(), "Olumsuz");
    assert_eq!(rows.get_value((9, 2)).unwrap().to_string(), "çatlak");
    // The reports screen did not take the vehicle's workbook for its own.
    tab(&mut harness, "Raporlar");
    assert!(harness.query_by_label_contains("Rapor kaydedildi").is_none());
}
