//! Leave as an office enters it, driven by label over a real store and worker: from a person's
//! page (their annual-leave balance, "Yeni izin"), on the İzinler screen (who entered it, the
//! manager's approval, the confirmation over worked shifts, the warning past the balance), in the
//! week grid by its letter, and the office's own letters in Settings. Today is 4 March 2026.

mod common;

use chrono::NaiveDate;
use common::{employees_screen, fill, focused, settle, sign_in, start};
use egui::accesskit::Role as A11y;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::queries::ShiftFilter;
use rainstaff::db::users::{Role, User};
use rainstaff_core::leave::{Leave, LeaveKind, Span};
use rainstaff_core::model::{Employee, Record, fields_of};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{EMPLOYEES, LEAVES, TIMESHEETS, TableSpec};
use serde_json::json;
use uuid::Uuid;

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("rainstaff.db")).unwrap()
}

fn save(store: &mut Store, user: &User, table: &'static TableSpec, fields: serde_json::Value) -> Uuid {
    let fields = fields.as_object().unwrap().clone();
    store.save_record(user, table, None, "Bursa", fields, SaveOptions::default()).unwrap()
}

/// A Bursa manager "şef", a clerk "memur", and NURAY, hired on 15 January 2020: six leave years
/// earned by today (14 × 5 + 20 = 90 days).
fn bursa(dir: &std::path::Path) -> (User, Uuid) {
    let mut store = open(dir);
    let manager = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    store.create_user("memur", Some("parola-12345"), Role::Staff, "Bursa").unwrap();
    let nuray = Employee {
        full_name: "NURAY ÖZGÜL".into(),
        hire_date: Some("2020-01-15".into()),
        ..Employee::default()
    };
    let id = save(&mut store, &manager, &EMPLOYEES, serde_json::Value::Object(fields_of(&nuray)));
    (manager, id)
}

fn shift(store: &mut Store, user: &User, employee: Uuid, date: &str) -> Uuid {
    let fields = json!({"employee_id": employee.to_string(), "work_date": date, "start_time": "08:00",
        "end_time": "17:00", "break_minutes": 60, "special_day": false});
    save(store, user, &TIMESHEETS, fields)
}

/// Every leave stored in the region, by first day.
fn stored_leaves(dir: &std::path::Path) -> Vec<Record<Leave>> {
    open(dir).leaves(ALL_REGIONS, None, None, None).unwrap()
}

fn shift_dates(dir: &std::path::Path, employee: Uuid) -> Vec<String> {
    let filter = ShiftFilter { employee: Some(employee), region: "Bursa".into(), ..Default::default() };
    let mut dates: Vec<String> =
        open(dir).shifts(&filter).unwrap().into_iter().map(|s| s.data.work_date).collect();
    dates.sort();
    dates
}

fn button(harness: &Harness<'_, App>, label: &str) -> bool {
    harness.query_by_role_and_label(A11y::Button, label).is_some()
}

fn open_nuray(harness: &mut Harness<'_, App>) {
    employees_screen(harness);
    harness.get_by_label("NURAY ÖZGÜL").click();
    settle(harness);
}

#[test]
fn a_leave_is_entered_from_the_persons_page_and_a_manager_approves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (manager, nuray) = bursa(dir.path());
    shift(&mut open(dir.path()), &manager, nuray, "2026-03-10");
    let mut harness = start(dir.path());
    sign_in(&mut harness, "memur", "parola-12345");
    open_nuray(&mut harness);
    harness.get_by_label("Yıllık izin: hak edilen 90 · kullanılan 0 · planlanan 0 · kalan 90 gün");
    harness.get_by_label("Son bir yılda ve ileride izin yok.");

    // "Yeni izin" opens the İzinler form on NURAY, entered by whoever is signed in.
    harness.get_by_label("Yeni izin").click();
    settle(&mut harness);
    assert_eq!(
        harness.query_all_by_label("Yeni izin").count(),
        2,
        "the screen's button and the form's heading"
    );
    assert!(harness.query_all_by_label("memur").count() >= 1, "entered by the clerk");
    fill(&mut harness, "İlk gün", "09.03.2026");
    fill(&mut harness, "Son gün", "13.03.2026");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    // The 10th was worked: saved only once the clerk says both stand.
    harness.get_by_label(
        "kişi bu günlerde çalışmış görünüyor; ikisi de kalsın diye tekrar kaydedin (10.03.2026)",
    );
    assert!(stored_leaves(dir.path()).is_empty());
    harness.get_by_label("Yine de kaydet").click();
    settle(&mut harness);
    let saved = stored_leaves(dir.path());
    assert_eq!(saved.len(), 1);
    let leave = &saved[0].data;
    assert_eq!(
        (leave.employee_id.as_str(), leave.kind.as_str(), leave.first_day.as_str(), leave.last_day.as_str()),
        (nuray.to_string().as_str(), "annual", "2026-03-09", "2026-03-13")
    );
    assert_eq!((leave.entered_by.as_str(), leave.approved_by.as_deref()), ("memur", None));
    assert_eq!(shift_dates(dir.path(), nuray), ["2026-03-10"], "the shift stays");

    // A clerk cannot approve; the list says it waits.
    harness.get_by_label("Onay bekliyor");
    harness.get_by_label("NURAY ÖZGÜL").click();
    settle(&mut harness);
    harness.get_by_label("İzni düzenle");
    assert!(!button(&harness, "Onayla"));
    harness.get_by_label("Vazgeç").click();
    settle(&mut harness);

    // The person's page now counts five planned days and lists the leave.
    open_nuray(&mut harness);
    harness.get_by_label("Yıllık izin: hak edilen 90 · kullanılan 0 · planlanan 5 · kalan 85 gün");
    harness.get_by_label("09.03.2026–13.03.2026 · Yıllık izin · onay bekliyor");

    // The manager opens it from the page and approves it.
    harness.get_by_label("Ayarlar").click();
    settle(&mut harness);
    harness.get_by_label("Çıkış yap").click();
    settle(&mut harness);
    sign_in(&mut harness, "şef", "parola-12345");
    open_nuray(&mut harness);
    harness.get_by_label("09.03.2026–13.03.2026 · Yıllık izin · onay bekliyor").click();
    settle(&mut harness);
    harness.get_by_label("İzni düzenle");
    harness.get_by_label("Onayla").click();
    settle(&mut harness);
    assert_eq!(stored_leaves(dir.path())[0].data.approved_by.as_deref(), Some("şef"));
}

#[test]
fn an_annual_leave_past_the_balance_is_warned_and_an_other_absence_needs_its_sgk_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (manager, nuray) = bursa(dir.path());
    // Most of the 90 days already taken last year.
    let taken = json!({"employee_id": nuray.to_string(), "kind": "annual", "first_day": "2025-01-06",
        "last_day": "2025-04-19", "entered_by": "şef"});
    save(&mut open(dir.path()), &manager, &LEAVES, taken);
    // What the law's counting leaves, worked out apart from the screen: 15 weeks of six working
    // days less the two whole days of the 2025 Ramazan Bayramı; then 16–27 March 2026 less its
    // Sundays and the 2026 bayram's Friday and Saturday.
    let store = open(dir.path());
    let calendar = store.calendar().unwrap();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let span = |first, last| Span { first, last, kind: LeaveKind::Annual, sgk_code: None };
    assert_eq!(span(d(2025, 1, 6), d(2025, 4, 19)).days_taken(&calendar), 88);
    assert_eq!(span(d(2026, 3, 16), d(2026, 3, 27)).days_taken(&calendar), 9);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    open_nuray(&mut harness);
    harness.get_by_label("Yeni izin").click();
    settle(&mut harness);
    fill(&mut harness, "İlk gün", "16.03.2026");
    fill(&mut harness, "Son gün", "27.03.2026");
    harness.get_by_label("Bu izin 9 iş günü; kalan yıllık izin 2 gün. Yine de kaydedilebilir.");

    // "Diğer" needs a reason from the SGK list; the form says so on the field.
    harness.get_by_role_and_label(A11y::ComboBox, "İzin türü").click();
    harness.run();
    harness.get_by_label("Diğer (SGK kodu ile)").click_accesskit();
    settle(&mut harness);
    assert!(harness.query_by_label_contains("kalan yıllık izin").is_none(), "the warning is annual leave's");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness
        .get_by_label("SGK eksik gün kodlarından biri olmalı (01, 03–13, 15–21); \"Diğer\" izinde gerekli");
    assert_eq!(stored_leaves(dir.path()).len(), 1, "nothing saved without the reason");
    harness.get_by_role_and_label(A11y::ComboBox, "SGK eksik gün kodu").click();
    harness.run();
    harness.get_by_label("13 Diğer").click_accesskit();
    settle(&mut harness);
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    let saved = stored_leaves(dir.path());
    assert_eq!(saved.len(), 2);
    assert_eq!((saved[1].data.kind.as_str(), saved[1].data.sgk_code.as_deref()), ("other", Some("13")));
}

#[test]
fn the_week_grid_takes_a_leave_by_its_letter_and_opens_a_longer_one() {
    let dir = tempfile::tempdir().unwrap();
    let (manager, nuray) = bursa(dir.path());
    {
        let mut store = open(dir.path());
        shift(&mut store, &manager, nuray, "2026-03-02");
        let long = json!({"employee_id": nuray.to_string(), "kind": "sick", "first_day": "2026-03-04",
            "last_day": "2026-03-06", "entered_by": "şef"});
        save(&mut store, &manager, &LEAVES, long);
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_role_and_label(A11y::Button, "Haftalık giriş").click();
    settle(&mut harness);

    // "yi" over Monday's shift: the row's save replaces the shift with a day of annual leave.
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "yi");
    harness.get_by_role_and_label(A11y::TextInput, "NURAY ÖZGÜL · Pzt 02.03").focus();
    harness.run();
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(shift_dates(dir.path(), nuray), Vec::<String>::new());
    let saved = stored_leaves(dir.path());
    let day = saved.iter().find(|l| l.data.first_day == "2026-03-02").expect("Monday's leave");
    assert_eq!((day.data.kind.as_str(), day.data.last_day.as_str()), ("annual", "2026-03-02"));
    assert_eq!(day.data.entered_by, "şef");
    settle(&mut harness);
    let monday = harness.get_by_role_and_label(A11y::TextInput, "NURAY ÖZGÜL · Pzt 02.03");
    assert_eq!(monday.value().as_deref(), Some("Yİ"));

    // Times over it again: the leave goes, the shift comes back.
    fill(&mut harness, "NURAY ÖZGÜL · Pzt 02.03", "8-17");
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(shift_dates(dir.path(), nuray), ["2026-03-02"]);
    assert!(stored_leaves(dir.path()).iter().all(|l| l.data.first_day != "2026-03-02"));

    // The arrow keys pass through the days of the three-day report like any cell.
    harness.get_by_role_and_label(A11y::TextInput, "NURAY ÖZGÜL · Sal 03.03").focus();
    harness.run();
    for day in ["Çar 04.03", "Per 05.03", "Cum 06.03", "Cmt 07.03"] {
        harness.key_press(egui::Key::ArrowRight);
        harness.run();
        harness.run();
        assert!(focused(&harness, &format!("NURAY ÖZGÜL · {day}")), "the arrow reached {day}");
    }
    // A day of the report shows its letter and opens the report on the İzinler screen.
    assert!(harness.query_by_role_and_label(A11y::TextInput, "NURAY ÖZGÜL · Per 05.03").is_none());
    harness.get_by_role_and_label(A11y::Button, "NURAY ÖZGÜL · Per 05.03").click();
    settle(&mut harness);
    harness.get_by_label("İzni düzenle");
}

#[test]
fn an_administrator_sets_the_offices_letters_and_a_blank_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _) = bursa(dir.path());
    open(dir.path()).create_user("yonetici", Some("parola-12345"), Role::Admin, ALL_REGIONS).unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yonetici", "parola-12345");
    harness.get_by_role_and_label(A11y::Button, "Ayarlar").click();
    settle(&mut harness);
    // The letters are at the foot of the settings, below the window's edge: the keyboard and
    // the screen reader reach them there.
    fill(&mut harness, "Yıllık izin", " ");
    harness.get_by_label("Harfleri kaydet").click_accesskit();
    settle(&mut harness);
    harness.get_by_label("Yıllık izin: harf 1 ile 4 karakter arası olmalı");
    fill(&mut harness, "Yıllık izin", "YZ");
    harness.get_by_label("Harfleri kaydet").click_accesskit();
    settle(&mut harness);
    let letters = open(dir.path()).puantaj_letters().unwrap();
    assert_eq!((letters.get("annual"), letters.get("sick")), ("YZ", "R"));
    assert_eq!(open(dir.path()).setting("puantaj_letters").unwrap().as_deref(), Some(r#"{"annual":"YZ"}"#));
}
