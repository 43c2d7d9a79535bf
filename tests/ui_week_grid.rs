//! The week grid (Haftalık giriş) driven as an office clerk drives it: cells typed as the office
//! types shifts, Enter saving a row in one transaction, red cells with their reasons, totals as
//! typed, the keyboard moving like a spreadsheet, and last week filled in for a region picked by
//! an all-regions user. Real store, real worker, real egui.

mod common;

use common::{fill, settle, sign_in, start};
use egui_kittest::kittest::Queryable as _;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::queries::ShiftFilter;
use rainstaff::db::users::Role;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::schema::{EMPLOYEES, SHIFT_TEMPLATES, TIMESHEETS};
use uuid::Uuid;

/// A Bursa manager, two of the region's people and a template coded "S"; today is Wednesday
/// 4 March 2026, so the grid opens on 2–8 March.
fn bursa(dir: &std::path::Path) -> (Uuid, Uuid) {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    let mut person = |name: &str| {
        let e = Employee { full_name: name.into(), ..Employee::default() };
        store.save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap()
    };
    let (nuray, ipek) = (person("NURAY ÖZGÜL"), person("İPEK ÇAĞLAR"));
    let template = serde_json::json!({"name": "Sabah", "start_time": "08:30", "end_time": "17:30",
        "break_minutes": 45, "short_code": "S"});
    let template = template.as_object().unwrap().clone();
    store.save_record(&user, &SHIFT_TEMPLATES, None, "Bursa", template, SaveOptions::default()).unwrap();
    (nuray, ipek)
}

/// (date, start, end, break) of a person's stored shifts, by date.
fn stored(dir: &std::path::Path, employee: Uuid) -> Vec<(String, String, String, i64)> {
    let store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let filter = ShiftFilter { employee: Some(employee), region: "Bursa".into(), ..Default::default() };
    let mut shifts: Vec<_> = store
        .shifts(&filter)
        .unwrap()
        .into_iter()
        .map(|s| (s.data.work_date, s.data.start_time, s.data.end_time, s.data.break_minutes))
        .collect();
    shifts.sort();
    shifts
}

fn row(date: &str, start: &str, end: &str, brk: i64) -> (String, String, String, i64) {
    (date.into(), start.into(), end.into(), brk)
}

fn open_grid(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>) {
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Haftalık giriş").click();
    settle(harness);
}

/// Presses Enter in the cell labelled `cell` (saving its row).
fn enter_in(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, cell: &str) {
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, cell).focus();
    harness.run();
    harness.key_press(egui::Key::Enter);
    settle(harness);
}

#[test]
fn a_row_typed_as_the_office_types_is_saved_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (nuray, ipek) = bursa(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    open_grid(&mut harness);

    // Typed times read as meant; the row's and the day's totals follow the typing, unsaved.
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "830-1800");
    assert!(harness.query_all_by_label("8:30").count() >= 2, "the row total and the Monday total");
    fill(&mut harness, "NURAY ÖZGÜL · Sal 03.03", "25-26");
    harness.get_by_label("NURAY ÖZGÜL · Sal 03.03: «25-26»: geçerli bir saat değil (SS:DD)");
    enter_in(&mut harness, "NURAY ÖZGÜL · Sal 03.03");
    assert_eq!(stored(dir.path(), nuray), [], "a row with a red cell saves nothing");

    // A template's short code in any case, a night shift, a break of its own.
    fill(&mut harness, "NURAY ÖZGÜL · Sal 03.03", "s");
    fill(&mut harness, "NURAY ÖZGÜL · Çar 04.03", "22-6/30");
    enter_in(&mut harness, "NURAY ÖZGÜL · Çar 04.03");
    assert_eq!(
        stored(dir.path(), nuray),
        [
            row("2026-03-02", "08:30", "18:00", 60),
            row("2026-03-03", "08:30", "17:30", 45),
            row("2026-03-04", "22:00", "06:00", 30),
        ]
    );
    harness.get_by_label("Kaydedildi: 3 vardiya");

    // The store's rules refuse İPEK's Tuesday (it overlaps Monday's night): none of the row lands.
    fill(&mut harness, "İPEK ÇAĞLAR · Pzt 02.03", "22-6");
    fill(&mut harness, "İPEK ÇAĞLAR · Sal 03.03", "5-13");
    enter_in(&mut harness, "İPEK ÇAĞLAR · Sal 03.03");
    assert_eq!(stored(dir.path(), ipek), []);
    harness.get_by_label("Satır kaydedilmedi: kırmızı hücreleri düzeltin");
    assert!(
        harness
            .query_by_label_contains("İPEK ÇAĞLAR · Sal 03.03: Başlangıç: başka bir vardiyayla çakışıyor")
            .is_some(),
        "the refusal is named on the day"
    );
    fill(&mut harness, "İPEK ÇAĞLAR · Sal 03.03", "8-17");
    enter_in(&mut harness, "İPEK ÇAĞLAR · Sal 03.03");
    assert_eq!(
        stored(dir.path(), ipek),
        [row("2026-03-02", "22:00", "06:00", 60), row("2026-03-03", "08:00", "17:00", 60)]
    );

    // Emptying a cell deletes its shift; two shifts of a day are joined by "+".
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "8-12/0 + 13-17/0");
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "NURAY ÖZGÜL · Çar 04.03").focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Delete);
    harness.run();
    enter_in(&mut harness, "NURAY ÖZGÜL · Pzt 02.03");
    assert_eq!(
        stored(dir.path(), nuray),
        [
            row("2026-03-02", "08:00", "12:00", 0),
            row("2026-03-02", "13:00", "17:00", 0),
            row("2026-03-03", "08:30", "17:30", 45)
        ]
    );
}

#[test]
fn tab_the_arrows_and_enter_move_like_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let (nuray, ipek) = bursa(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    open_grid(&mut harness);
    // İPEK sorts before NURAY. Her Tuesday, Tab to Wednesday, Enter saves her row and goes to
    // NURAY's Tuesday, where İPEK's typing began; Left (at the start of the cell) to Monday, Up
    // to İPEK's Monday and Down again; Enter saves NURAY's row.
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "İPEK ÇAĞLAR · Sal 03.03").focus();
    harness.run();
    let typed = |h: &mut egui_kittest::Harness<'_, rainstaff::app::App>, text: &str| {
        h.event(egui::Event::Text(text.into()));
        h.run();
    };
    let key = |h: &mut egui_kittest::Harness<'_, rainstaff::app::App>, key: egui::Key| {
        h.key_press(key);
        h.run();
    };
    typed(&mut harness, "8-17");
    key(&mut harness, egui::Key::Tab);
    typed(&mut harness, "9-18");
    key(&mut harness, egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(
        stored(dir.path(), ipek),
        [row("2026-03-03", "08:00", "17:00", 60), row("2026-03-04", "09:00", "18:00", 60)]
    );
    typed(&mut harness, "10-19");
    key(&mut harness, egui::Key::Home);
    key(&mut harness, egui::Key::ArrowLeft);
    typed(&mut harness, "7-16");
    key(&mut harness, egui::Key::ArrowUp);
    typed(&mut harness, "6-7");
    key(&mut harness, egui::Key::ArrowDown);
    key(&mut harness, egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(
        stored(dir.path(), nuray),
        [row("2026-03-02", "07:00", "16:00", 60), row("2026-03-03", "10:00", "19:00", 60)]
    );
    assert_eq!(stored(dir.path(), ipek).len(), 2, "İPEK's Monday waits for her row's Enter");
    harness.get_by_label("1 satır kaydedilmedi");
}

#[test]
fn an_all_regions_user_fills_a_picked_regions_week_from_the_last_and_saves_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let (nuray, _) = bursa(dir.path());
    {
        let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        store.create_user("yönetici", Some("çok-gizli-parola"), Role::Admin, "ALL").unwrap();
        let user = store.verify_login("şef", "parola-12345").unwrap().unwrap();
        for (date, start) in [("2026-02-23", "08:00"), ("2026-02-24", "09:00"), ("2026-03-03", "07:00")] {
            let s = Shift {
                employee_id: nuray.to_string(),
                work_date: date.into(),
                start_time: start.into(),
                end_time: "16:00".into(),
                break_minutes: 60,
                special_day: false,
                note: None,
            };
            store
                .save_record(&user, &TIMESHEETS, None, "Bursa", fields_of(&s), SaveOptions::default())
                .unwrap();
        }
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "çok-gizli-parola");
    open_grid(&mut harness);
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Bölge:").click();
    harness.run();
    harness.get_by_label("Bursa").click();
    settle(&mut harness);
    harness.get_by_label("Geçen haftadan doldur").click();
    harness.run();
    harness.get_by_label_contains("Geçen haftadan 1 hücre dolduruldu");
    // Monday came from last week; Tuesday keeps the shift it has.
    let cell = |h: &egui_kittest::Harness<'_, rainstaff::app::App>, label: &str| {
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).value().unwrap_or_default()
    };
    assert_eq!(cell(&harness, "NURAY ÖZGÜL · Pzt 02.03"), "08:00-16:00");
    assert_eq!(cell(&harness, "NURAY ÖZGÜL · Sal 03.03"), "07:00-16:00");
    assert_eq!(stored(dir.path(), nuray).len(), 3, "filling writes nothing");
    harness.get_by_label("Tümünü kaydet").click();
    settle(&mut harness);
    assert_eq!(stored(dir.path(), nuray)[2], row("2026-03-02", "08:00", "16:00", 60));
    assert_eq!(stored(dir.path(), nuray).len(), 4);
}

#[test]
fn a_company_wide_template_is_made_once_and_its_code_works_in_every_region() {
    let dir = tempfile::tempdir().unwrap();
    let (nuray, _) = bursa(dir.path());
    Store::open(&dir.path().join("rainstaff.db"))
        .unwrap()
        .create_user("yönetici", Some("çok-gizli-parola"), Role::Admin, "ALL")
        .unwrap();
    {
        // The administrator, on this all-regions PC, makes the night shift the company's.
        let mut harness = start(dir.path());
        sign_in(&mut harness, "yönetici", "çok-gizli-parola");
        harness.get_by_role_and_label(egui::accesskit::Role::Button, "Şablonlar").click();
        harness.run();
        harness.get_by_label("Yeni şablon").click();
        harness.run();
        fill(&mut harness, "Ad", "Gece");
        fill(&mut harness, "Kısa kod", "g");
        fill(&mut harness, "Başlangıç", "22.00");
        fill(&mut harness, "Bitiş", "6");
        fill(&mut harness, "Mola (dk)", "30");
        harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Bölge").click();
        harness.run();
        harness.get_by_label("Tüm bölgeler").click();
        harness.run();
        harness.get_by_label("Kaydet").click();
        settle(&mut harness);
    }
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let night: Vec<_> = store
        .templates("Bursa")
        .unwrap()
        .into_iter()
        .filter(|t| t.data.name == "Gece")
        .map(|t| (t.region, t.data.short_code))
        .collect();
    assert_eq!(night, [("ALL".to_string(), Some("G".to_string()))]);

    // Bursa's manager reads it beside Bursa's own and types its code.
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    open_grid(&mut harness);
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "g");
    enter_in(&mut harness, "NURAY ÖZGÜL · Pzt 02.03");
    assert_eq!(stored(dir.path(), nuray), [row("2026-03-02", "22:00", "06:00", 30)]);
}

#[test]
fn a_row_the_pc_may_not_write_says_why_and_can_be_saved_again() {
    let dir = tempfile::tempdir().unwrap();
    let (nuray, _) = bursa(dir.path());
    // This PC is enrolled for Ankara: Bursa's manager reads Bursa here but writes nothing.
    Store::open(&dir.path().join("rainstaff.db"))
        .unwrap()
        .set_sync_state(rainstaff::db::sync::REGION_KEY, "Ankara")
        .unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    open_grid(&mut harness);
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "8-17");
    enter_in(&mut harness, "NURAY ÖZGÜL · Pzt 02.03");
    assert_eq!(stored(dir.path(), nuray), []);
    let said = harness.state().message.clone().expect("the status bar says why");
    assert!(said.0 && said.1.contains("Bölge"), "{said:?}");
    assert!(harness.query_by_label("kaydediliyor…").is_none(), "the row is not left saving");
    assert!(harness.query_by_label("1 satır kaydedilmedi").is_some(), "what was typed stays");
}
