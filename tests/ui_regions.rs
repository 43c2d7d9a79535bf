//! Regions on the screens, driven by label over a real store: what a PC's pickers offer, the
//! administrator's explicit move to another region, and Enter inside an open dropdown.

mod common;

use common::{employees_screen, fill, settle, sign_in, start};
use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::sync::REGION_KEY;
use rainstaff::db::users::Role;
use rainstaff::i18n::Lang;
use rainstaff_core::model::{Employee, fields_of};
use rainstaff_core::schema::{EMPLOYEES, VEHICLES};

/// A store with an administrator, enrolled for `pc` (None: not enrolled), holding `employees`
/// as (name, region).
fn office(dir: &std::path::Path, pc: Option<&str>, employees: &[(&str, &str)]) {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let admin = store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    for (name, region) in employees {
        let e = Employee { full_name: name.to_string(), ..Employee::default() };
        store.save_record(&admin, &EMPLOYEES, None, region, fields_of(&e), SaveOptions::default()).unwrap();
    }
    if let Some(pc) = pc {
        store.set_sync_state(REGION_KEY, pc).unwrap();
    }
}

fn stored(dir: &std::path::Path) -> Vec<(String, String)> {
    let store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let mut list: Vec<(String, String)> =
        store.employees("ALL").unwrap().into_iter().map(|e| (e.data.full_name, e.region)).collect();
    list.sort();
    list
}

fn dropdown_open(harness: &Harness<'_, App>) -> bool {
    harness.query(By::new().role(A11y::ListBox)).is_some()
}

fn region_picker_shown(harness: &Harness<'_, App>) -> bool {
    harness.query_by_role_and_label(A11y::ComboBox, "Bölge").is_some()
}

#[test]
fn an_izmir_pc_offers_izmir_only_even_to_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), Some("Izmir"), &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    employees_screen(&mut harness);
    // No region filter above the list: this PC holds one region.
    assert!(harness.query_by_label("Bölge:").is_none());
    harness.get_by_label("Yeni personel").click();
    harness.run();
    assert_eq!(harness.state().employees.form.as_ref().unwrap().region, "Izmir");
    assert!(!region_picker_shown(&harness), "nothing to choose on an İzmir PC");
    fill(&mut harness, "Ad Soyad", "ÇAĞLA ÖZTÜRK");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    assert_eq!(stored(dir.path()), [("ÇAĞLA ÖZTÜRK".to_string(), "Izmir".to_string())]);

    // A saved record cannot be moved from here: this PC may not write another region.
    harness.get_by_label("ÇAĞLA ÖZTÜRK").click();
    harness.run();
    assert!(harness.query_by_label("Bölgeye taşı").is_none());

    harness.get_by_label("Araçlar").click();
    harness.run();
    harness.get_by_label("Yeni araç").click();
    harness.run();
    assert_eq!(harness.state().records.screen("vehicles").unwrap().form.as_ref().unwrap().region, "Izmir");
    assert!(!region_picker_shown(&harness));
}

#[test]
fn an_administrator_moves_an_employee_after_a_confirmation_naming_both_regions() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), Some("ALL"), &[("ÇAĞLA ÖZTÜRK", "Ankara")]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    employees_screen(&mut harness);
    harness.get_by_label("ÇAĞLA ÖZTÜRK").click();
    harness.run();
    // The form shows the region; moving is its own, labelled act.
    assert!(!region_picker_shown(&harness));
    harness.get_by_label("Bölgeye taşı").click();
    harness.run();
    harness.get_by_label("İzmir").click();
    harness.run();
    harness.get_by_label("ÇAĞLA ÖZTÜRK, Ankara bölgesinden İzmir bölgesine taşınacak.");
    // Esc cancels the dialog, not the form under it, and moves nothing.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Taşı").is_none(), "the dialog closed");
    assert!(harness.state().employees.form.is_some(), "the form stayed");
    assert_eq!(stored(dir.path()), [("ÇAĞLA ÖZTÜRK".to_string(), "Ankara".to_string())]);

    harness.get_by_label("Bölgeye taşı").click();
    harness.run();
    harness.get_by_label("İzmir").click();
    harness.run();
    harness.get_by_label("Taşı").click();
    settle(&mut harness);
    assert_eq!(stored(dir.path()), [("ÇAĞLA ÖZTÜRK".to_string(), "Izmir".to_string())]);
    assert!(harness.query_by_label("Taşı").is_none(), "the dialog closed");
    assert_eq!(harness.state().employees.form.as_ref().unwrap().region, "Izmir", "the form follows");
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let last: (String, String) = store
        .test_connection()
        .query_row("SELECT region, op FROM outbox ORDER BY mutation_id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(last, ("Izmir".to_string(), "upsert".to_string()));
}

#[test]
fn a_vehicle_moves_the_same_way_and_the_dialog_speaks_english_too() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), None, &[]);
    {
        let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        let admin = store.verify_login("yönetici", "parola-12345").unwrap().unwrap();
        let van = serde_json::json!({"plate": "35 ABC 123", "oil_interval_km": 14000});
        let fields = van.as_object().unwrap().clone();
        store.save_record(&admin, &VEHICLES, None, "Izmir", fields, SaveOptions::default()).unwrap();
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    harness.state_mut().lang = Lang::En;
    harness.run();
    harness.get_by_label("Vehicles").click();
    harness.run();
    harness.get_by_label("35 ABC 123").click();
    harness.run();
    harness.get_by_label("Move to region").click();
    harness.run();
    harness.get_by_label("Bursa").click();
    harness.run();
    harness.get_by_label("35 ABC 123 will move from İzmir to Bursa.");
    harness.get_by_label("Move").click();
    settle(&mut harness);
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let regions: Vec<String> = store.vehicles("ALL").unwrap().into_iter().map(|v| v.region).collect();
    assert_eq!(regions, ["Bursa"]);
}

#[test]
fn a_manager_is_not_offered_the_move() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), None, &[("NURAY ÖZGÜL", "Bursa")]);
    Store::open(&dir.path().join("rainstaff.db"))
        .unwrap()
        .create_user("şef", Some("parola-12345"), Role::Manager, "Bursa")
        .unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    employees_screen(&mut harness);
    harness.get_by_label("NURAY ÖZGÜL").click();
    harness.run();
    harness.get_by_label("Personeli düzenle");
    assert!(harness.query_by_label("Bölgeye taşı").is_none());
}

#[test]
fn enter_in_an_open_dropdown_chooses_the_item_and_does_not_save_the_form() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), None, &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    employees_screen(&mut harness);
    harness.get_by_label("Yeni personel").click();
    harness.run();
    fill(&mut harness, "Ad Soyad", "ÇAĞLA ÖZTÜRK");
    assert_eq!(harness.state().employees.form.as_ref().unwrap().region, "Ankara");

    harness.get_by_role_and_label(A11y::ComboBox, "Bölge").click();
    harness.run();
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let form = harness.state().employees.form.as_ref().expect("the form is still open");
    assert_eq!(form.region, "Adana", "Enter chose the first region of the list");
    assert!(stored(dir.path()).is_empty(), "Enter in the dropdown saved nothing");
    assert!(!dropdown_open(&harness), "choosing closed the dropdown");

    // Esc in an open dropdown closes the dropdown, not the form.
    harness.get_by_role_and_label(A11y::ComboBox, "Bölge").click();
    harness.run();
    assert!(dropdown_open(&harness));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(!dropdown_open(&harness));
    assert!(harness.state().employees.form.is_some(), "Esc in the dropdown kept the form");
    // Enter in a text field saves, as before.
    harness.get_by_role_and_label(A11y::TextInput, "Ad Soyad").focus();
    harness.run();
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(stored(dir.path()), [("ÇAĞLA ÖZTÜRK".to_string(), "Adana".to_string())]);
}
