//! The record screens built from `core::schema` (drivers, faults, workshop visits, weekly
//! inspections, and vehicles with their hooks), driven by label over a real store: keyboard entry
//! down to the outbox, the Turkish-aware search, region scope in the reference dropdowns, refused
//! records marked, and the vehicles' plate rule, km warning and due column kept.

mod common;

use common::{fill, settle, sign_in, start};
use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::sync::REGION_KEY;
use rainstaff::db::users::{Role, User};
use rainstaff_core::schema::{DRIVERS, TableSpec, VEHICLE_FAULTS, VEHICLES};
use serde_json::{Value, json};

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("rainstaff.db")).unwrap()
}

fn save(
    store: &mut Store,
    user: &User,
    table: &'static TableSpec,
    region: &str,
    fields: Value,
) -> uuid::Uuid {
    let fields = fields.as_object().unwrap().clone();
    store.save_record(user, table, None, region, fields, SaveOptions::default()).unwrap()
}

/// A Bursa store with its manager "şef" and the drivers named.
fn bursa_with_drivers(dir: &std::path::Path, names: &[&str]) {
    let mut store = open(dir);
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    for name in names {
        save(&mut store, &user, &DRIVERS, "Bursa", json!({ "full_name": name }));
    }
}

fn drivers_screen(harness: &mut Harness<'_, App>) {
    harness.get_by_label("Sürücüler").click();
    harness.run();
}

fn visible(harness: &Harness<'_, App>, table: &str) -> Vec<String> {
    harness.state().records.screen(table).unwrap().visible_titles()
}

/// Types into whatever has the keyboard focus, as a person at the keyboard does.
fn type_keys(harness: &mut Harness<'_, App>, text: &str) {
    harness.event(egui::Event::Text(text.into()));
    harness.run();
}

#[test]
fn a_driver_is_entered_by_keyboard_and_stored_with_its_outbox_entry() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_drivers(dir.path(), &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    drivers_screen(&mut harness);

    // Ctrl+N, the name, Tab, the licence class, Tab, its expiry as the office writes it, Enter.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    assert_eq!(harness.query_all_by_label("Yeni sürücü").count(), 2, "the button and the form's heading");
    type_keys(&mut harness, "İSMAİL ŞAHİN");
    for text in ["B", "1.2.2030"] {
        harness.key_press(egui::Key::Tab);
        harness.run();
        type_keys(&mut harness, text);
    }
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let form = &harness.state().records.screen("drivers").unwrap().form;
    assert!(form.is_none(), "saving closed the form: {form:?}");
    assert_eq!(visible(&harness, "drivers"), ["İSMAİL ŞAHİN"]);

    let store = open(dir.path());
    let rows = store.records(&DRIVERS, "Bursa").unwrap();
    assert_eq!(rows.len(), 1);
    let driver = &rows[0];
    assert_eq!(driver.region, "Bursa");
    assert_eq!(
        (&driver.fields["full_name"], &driver.fields["license_class"], &driver.fields["license_expiry"]),
        (&json!("İSMAİL ŞAHİN"), &json!("B"), &json!("2030-02-01"))
    );
    let (table, op, region, fields): (String, String, String, String) = store
        .test_connection()
        .query_row("SELECT table_name, op, region, fields FROM outbox WHERE row_id = ?1", [driver.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((table.as_str(), op.as_str(), region.as_str()), ("drivers", "upsert", "Bursa"));
    let sent: Value = serde_json::from_str(&fields).unwrap();
    assert_eq!(sent["full_name"], "İSMAİL ŞAHİN");
    assert_eq!(sent["license_expiry"], "2030-02-01");

    // Esc closes a form without saving.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    type_keys(&mut harness, "AYŞE IŞIK");
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    assert!(harness.state().records.screen("drivers").unwrap().form.is_none());
    assert_eq!(open(dir.path()).records(&DRIVERS, "Bursa").unwrap().len(), 1);
}

#[test]
fn the_search_finds_ismail_by_ismail_with_turkish_letters_folded() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_drivers(dir.path(), &["İSMAİL ŞAHİN", "AYŞE IŞIK", "Ilgaz Çelik"]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    drivers_screen(&mut harness);
    assert_eq!(visible(&harness, "drivers"), ["AYŞE IŞIK", "Ilgaz Çelik", "İSMAİL ŞAHİN"]);
    fill(&mut harness, "Ara:", "ismail");
    assert_eq!(visible(&harness, "drivers"), ["İSMAİL ŞAHİN"]);
    fill(&mut harness, "Ara:", "ısık");
    assert_eq!(visible(&harness, "drivers"), ["AYŞE IŞIK"]);
}

#[test]
fn a_faults_vehicle_dropdown_offers_only_the_vehicles_this_pc_may_write() {
    let dir = tempfile::tempdir().unwrap();
    {
        // An administrator's store with a vehicle in İzmir and one in Bursa, then enrolled for
        // İzmir: the administrator still reads both, and may write İzmir's only.
        let mut store = open(dir.path());
        let admin = store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
        for (plate, region) in [("35 ABC 123", "Izmir"), ("16 BUR 016", "Bursa")] {
            save(&mut store, &admin, &VEHICLES, region, json!({ "plate": plate, "oil_interval_km": 14000 }));
        }
        store.set_sync_state(REGION_KEY, "Izmir").unwrap();
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    harness.get_by_label("Arızalar").click();
    harness.run();
    harness.get_by_label("Yeni arıza").click();
    harness.run();
    harness.get_by_role_and_label(A11y::ComboBox, "Araç").click();
    harness.run();
    assert!(harness.query_by_label("16 BUR 016").is_none(), "Bursa's vehicle is not offered");
    harness.get_by_label("35 ABC 123").click();
    harness.run();
    fill(&mut harness, "Arıza", "Fren balatası");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    assert_eq!(visible(&harness, "vehicle_faults"), ["35 ABC 123"]);

    let store = open(dir.path());
    let faults = store.records(&VEHICLE_FAULTS, "ALL").unwrap();
    let izmir = store.vehicles("Izmir").unwrap()[0].id.to_string();
    assert_eq!(faults.len(), 1);
    let fault = &faults[0];
    assert_eq!(fault.region, "Izmir", "a fault takes its vehicle's region");
    assert_eq!((&fault.fields["vehicle_id"], &fault.fields["status"]), (&json!(izmir), &json!("Acik")));
    harness.get_by_label("Açık");

    // A workshop visit offers the faults of the vehicle chosen for it.
    harness.get_by_label("Sanayi").click();
    harness.run();
    harness.get_by_label("Yeni sanayi kaydı").click();
    harness.run();
    harness.get_by_role_and_label(A11y::ComboBox, "Araç").click();
    harness.run();
    harness.get_by_label("35 ABC 123").click();
    harness.run();
    harness.get_by_role_and_label(A11y::ComboBox, "Arıza").click();
    harness.run();
    harness.get_by_label("35 ABC 123 · Fren balatası");
}

#[test]
fn a_refused_driver_is_marked_in_the_list_and_says_why_in_its_form() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_drivers(dir.path(), &["İSMAİL ŞAHİN"]);
    open(dir.path()).test_connection().execute("UPDATE drivers SET sync_error = 'rule'", []).unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    drivers_screen(&mut harness);
    harness.get_by_label("İSMAİL ŞAHİN").hover();
    harness.run();
    harness.get_by_label("Bir veri kuralına uymuyor");
    harness.get_by_label("İSMAİL ŞAHİN").click();
    harness.run();
    harness.get_by_label("Sürücüyü düzenle");
    harness.get_by_label("Sunucu son değişikliği reddetti: Bir veri kuralına uymuyor");
}

#[test]
fn vehicles_keep_their_plate_rule_km_warning_and_due_column_on_the_record_screen() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_drivers(dir.path(), &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Araçlar").click();
    harness.run();
    harness.get_by_label("Yeni araç").click();
    harness.run();
    // However it is typed, the plate is stored one way; a new vehicle starts at the usual interval.
    fill(&mut harness, "Plaka", "16abc123");
    fill(&mut harness, "Km", "12.500");
    fill(&mut harness, "Muayene", "20.03.2026");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    let vehicle = || open(dir.path()).vehicles("Bursa").unwrap().remove(0);
    let stored = vehicle();
    assert_eq!(
        (stored.data.plate.as_str(), stored.data.km, stored.data.oil_interval_km),
        ("16 ABC 123", Some(12_500), 14_000)
    );
    harness.get_by_label("Muayene için 16 gün kaldı");

    // A lower km is refused once with the reason, and saved when saved again.
    harness.get_by_label("16 ABC 123").click();
    harness.run();
    fill(&mut harness, "Km", "9000");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness.get_by_label("son kayıtlı kilometreden düşük; onaylamak için tekrar kaydedin (12500)");
    assert_eq!(vehicle().data.km, Some(12_500));
    harness.get_by_label("Yine de kaydet").click();
    settle(&mut harness);
    assert_eq!(vehicle().data.km, Some(9_000));
}

#[test]
fn a_template_typed_as_the_office_types_times_is_offered_on_the_shift_form() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_drivers(dir.path(), &[]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Şablonlar").click();
    harness.run();
    harness.get_by_label("Yeni şablon").click();
    harness.run();
    fill(&mut harness, "Ad", "Gece");
    // A Turkish keyboard needs Shift for ":": a dot, or no separator at all, will do.
    fill(&mut harness, "Başlangıç", "22.00");
    fill(&mut harness, "Bitiş", "600");
    fill(&mut harness, "Mola (dk)", "30");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    assert!(visible(&harness, "shift_templates").contains(&"Gece".to_string()));
    let store = open(dir.path());
    let gece = store.templates("Bursa").unwrap().into_iter().find(|t| t.data.name == "Gece").unwrap();
    assert_eq!((gece.data.start_time.as_str(), gece.data.end_time.as_str()), ("22:00", "06:00"));

    harness.get_by_role_and_label(A11y::Button, "Puantaj").click();
    harness.run();
    harness.get_by_label("Yeni vardiya").click();
    harness.run();
    harness.get_by_label("Gece 22:00–06:00");
}
