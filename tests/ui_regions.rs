//! Regions on the screens, driven by label over a real store: what a PC's pickers offer, the
//! administrator's explicit move to another region, and Enter inside an open dropdown.

mod common;

use common::{fill, settle, sign_in, start};
use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::Role;
use rainstaff::model::{Employee, fields_of};
use rainstaff::sync_task::REGION_KEY;
use rainstaff_core::schema::EMPLOYEES;

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

    harness.get_by_label("Araçlar").click();
    harness.run();
    harness.get_by_label("Yeni araç").click();
    harness.run();
    assert_eq!(harness.state().vehicles.form.as_ref().unwrap().region, "Izmir");
    assert!(!region_picker_shown(&harness));
}

#[test]
fn enter_in_an_open_dropdown_chooses_the_item_and_does_not_save_the_form() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path(), None, &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
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
