//! The month-end screen (Ay sonu) shows the month workbook's figures, computed by the same code
//! over the same store, one table per region with names in Turkish order.

mod common;

use std::path::Path;

use common::{settle, sign_in, start};
use egui::accesskit::Role as A11yRole;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::{Role, User};
use rainstaff_core::hours::Flag;
use rainstaff_core::i18n::Lang;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_core::time::format_duration;
use rainstaff_report::{Month, Selection};

fn add_employee(store: &mut Store, user: &User, name: &str, weekly_minutes: i64) -> uuid::Uuid {
    let e = Employee { full_name: name.into(), weekly_minutes, ..Employee::default() };
    store.save_record(user, &EMPLOYEES, None, &user.region, fields_of(&e), SaveOptions::default()).unwrap()
}

fn add_shifts(store: &mut Store, user: &User, employee: uuid::Uuid, shifts: &[(&str, &str, &str, i64)]) {
    for &(date, start, end, break_minutes) in shifts {
        let s = Shift {
            employee_id: employee.to_string(),
            work_date: date.into(),
            start_time: start.into(),
            end_time: end.into(),
            break_minutes,
            special_day: false,
            note: None,
        };
        store
            .save_record(user, &TIMESHEETS, None, &user.region, fields_of(&s), SaveOptions::default())
            .unwrap();
    }
}

/// A Konya manager ("şef") and three Konya employees whose Turkish order differs from their byte
/// order; İlknur works a week of overtime of odd minutes, which payroll pays in half hours, so a
/// screen showing the unrounded overtime would show another figure. An Ankara employee too.
fn konya_store(data: &Path) {
    let mut store = Store::open(&data.join("rainstaff.db")).unwrap();
    let konya = store.create_user("şef", Some("parola-12345"), Role::Manager, "Konya").unwrap();
    let ankara = store.create_user("ankara", Some("parola-12345"), Role::Manager, "Ankara").unwrap();
    store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    let ilknur = add_employee(&mut store, &konya, "İLKNUR GÜÇLÜ", 2400);
    let pinar = add_employee(&mut store, &konya, "PINAR AK", 2700);
    let omer = add_employee(&mut store, &konya, "ÖMER ŞEN", 2700);
    add_shifts(
        &mut store,
        &konya,
        ilknur,
        &[
            ("2026-03-09", "08:00", "19:10", 60),
            ("2026-03-10", "08:00", "19:10", 60),
            ("2026-03-11", "08:00", "19:10", 60),
            ("2026-03-12", "08:00", "19:10", 60),
            ("2026-03-13", "21:50", "06:05", 30),
            ("2026-03-14", "09:00", "13:20", 15),
        ],
    );
    // The 8th is a Sunday, the weekly rest day: a warning.
    add_shifts(
        &mut store,
        &konya,
        pinar,
        &[("2026-03-02", "09:00", "18:00", 60), ("2026-03-08", "10:00", "14:00", 0)],
    );
    // Too short a break typed: the month end, like the workbook, counts the statutory one.
    add_shifts(&mut store, &konya, omer, &[("2026-03-03", "08:00", "19:00", 30)]);
    // Seven days in a row: no 24 h of rest in the week, a flag of the week, not of a day.
    let burak = add_employee(&mut store, &konya, "BURAK YEDİGÜN", 2700);
    let week: Vec<String> = (16..=22).map(|d| format!("2026-03-{d}")).collect();
    let shifts: Vec<_> = week.iter().map(|d| (d.as_str(), "08:00", "16:00", 30)).collect();
    add_shifts(&mut store, &konya, burak, &shifts);
    let deniz = add_employee(&mut store, &ankara, "DENİZ ANKARALI", 2700);
    add_shifts(&mut store, &ankara, deniz, &[("2026-03-04", "08:00", "16:00", 30)]);
}

/// Opens the month-end screen on March 2026 (it opens on February, the month before 4 March).
fn open_march(harness: &mut Harness<'_, App>) {
    harness.get_by_label("Ay sonu").click();
    settle(harness);
    assert_eq!(harness.get_by_role_and_label(A11yRole::ComboBox, "Ay").value().as_deref(), Some("Şubat"));
    harness.get_by_role_and_label(A11yRole::ComboBox, "Ay").click();
    harness.run();
    harness.get_by_label("Mart").click();
    settle(harness);
}

/// Whether a cell reading `text` is on the row of `name`.
fn on_row(harness: &Harness<'_, App>, name: &str, text: &str) -> bool {
    let row = harness.get_by_label(name).rect();
    harness.query_all_by_label(text).any(|cell| {
        let y = cell.rect().center().y;
        y > row.top() && y < row.bottom()
    })
}

#[test]
fn a_managers_month_end_shows_the_workbooks_figures_in_turkish_order() {
    let dir = tempfile::tempdir().unwrap();
    konya_store(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "ŞEF", "parola-12345");
    open_march(&mut harness);
    harness.get_by_label("Konya — Mart 2026");
    assert!(harness.query_by_label("DENİZ ANKARALI").is_none(), "another region's employee is shown");

    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let selection = Selection { month: Month::new(2026, 3).unwrap(), employee: None, region: "Konya".into() };
    let workbook = rainstaff::report::build(&store, &selection, &mut |_| {}).unwrap();
    assert_eq!(workbook.employees.len(), 4);
    for e in &workbook.employees {
        let name = &e.employee.data.full_name;
        let t = &e.totals;
        for (what, minutes) in [
            ("worked", t.worked),
            ("normal", t.normal),
            ("+25 % payable", t.extra25_payable),
            ("+50 % payable", t.ot50_payable),
            ("night", t.night),
        ] {
            let shown = format_duration(i64::from(minutes));
            assert!(on_row(&harness, name, &shown), "{name}: {what} {shown} is not on the row");
        }
    }
    let ilknur = &workbook.employees.iter().find(|e| e.employee.data.full_name == "İLKNUR GÜÇLÜ").unwrap();
    let t = &ilknur.totals;
    assert!(t.ot50_payable > t.ot50 && t.ot50 > 0, "the week rounds: {t:?}");
    let unrounded = format_duration(i64::from(t.ot50));
    assert!(!on_row(&harness, "İLKNUR GÜÇLÜ", &unrounded), "the unrounded overtime is shown");
    // The statutory break, not the typed one: 11 h less 60 min, as the workbook pays it.
    assert!(on_row(&harness, "ÖMER ŞEN", "10:00"));
    assert!(!on_row(&harness, "ÖMER ŞEN", "10:30"));
    // Every warning of the month in words, as the workbook says them, the weeks' own included.
    for e in &workbook.employees {
        let words: Vec<&str> = e.flags.iter().map(|f| f.label(Lang::Tr)).collect();
        let name = &e.employee.data.full_name;
        assert!(words.is_empty() || on_row(&harness, name, &words.join("; ")), "{name}: {words:?}");
    }
    assert!(on_row(&harness, "PINAR AK", "Hafta tatilinde çalıştı"));
    let burak = workbook.employees.iter().find(|e| e.employee.data.full_name == "BURAK YEDİGÜN").unwrap();
    assert!(burak.flags.contains(&Flag::NoWeeklyRest), "a week's own flag is among those checked");

    // İlknur, Ömer, Pınar: Turkish order, where byte order puts Ö and İ after P.
    let y = |name: &str| harness.get_by_label(name).rect().center().y;
    assert!(y("İLKNUR GÜÇLÜ") < y("ÖMER ŞEN") && y("ÖMER ŞEN") < y("PINAR AK"));
}

#[test]
fn an_administrator_sees_one_table_per_region_and_staff_no_month_end() {
    let dir = tempfile::tempdir().unwrap();
    konya_store(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    open_march(&mut harness);
    let y = |h: &Harness<'_, App>, label: &str| h.get_by_label(label).rect().center().y;
    // Ankara before Konya, each employee under their own region's heading.
    assert!(y(&harness, "Ankara — Mart 2026") < y(&harness, "DENİZ ANKARALI"));
    assert!(y(&harness, "DENİZ ANKARALI") < y(&harness, "Konya — Mart 2026"));
    assert!(y(&harness, "Konya — Mart 2026") < y(&harness, "İLKNUR GÜÇLÜ"));
    assert_eq!(harness.query_all_by_label("Toplam").count(), 2, "a totals row per region");

    drop(harness);
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.create_user("katip", Some("parola-12345"), Role::Staff, "Konya").unwrap();
    drop(store);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "kâtip", "parola-12345");
    assert!(harness.query_by_label("Ay sonu").is_none(), "staff see the month end");
}

#[test]
fn a_manager_approves_march_an_administrator_locks_it_and_unlocks_it_only_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    konya_store(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "ŞEF", "parola-12345");
    open_march(&mut harness);
    harness.get_by_label("Açık: henüz onaylanmadı");
    assert!(harness.query_by_label("Kilitle").is_none(), "locking is an administrator's");
    harness.get_by_label("Onayla").click();
    settle(&mut harness);
    assert!(harness.query_all(By::new().label_contains("Onaylandı: şef, ")).next().is_some());

    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    open_march(&mut harness);
    let konya = harness.get_by_label("Konya — Mart 2026").rect();
    // One Lock per region; Konya's is the one under its heading.
    let lock = harness.query_all_by_label("Kilitle").find(|b| b.rect().top() > konya.top()).unwrap();
    lock.click();
    settle(&mut harness);
    assert!(harness.query_all(By::new().label_contains("Kilitli: yönetici, ")).next().is_some());
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    assert!(store.period("Konya", "2026-03").unwrap().unwrap().is_locked());
    assert!(store.period("Ankara", "2026-03").unwrap().is_none(), "only Konya was locked");
    // The workbook says so on its pages.
    let selection = Selection { month: Month::new(2026, 3).unwrap(), employee: None, region: "Konya".into() };
    let workbook = rainstaff::report::build(&store, &selection, &mut |_| {}).unwrap();
    let bytes = rainstaff_report::xlsx_bytes(&workbook, Lang::Tr).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader as _;
    for sheet in book.sheet_names() {
        let cells = book.worksheet_range(&sheet).unwrap();
        let header = cells.rows().take(3).flatten().map(|c| c.to_string()).collect::<Vec<_>>().join(" ");
        assert!(header.contains("Bölge: Konya · Kilitli: yönetici, "), "{sheet}: {header}");
    }
    drop(store);

    harness.get_by_label("Kilidi aç…").click();
    harness.run();
    harness.get_by_label("Kilidi aç").click();
    settle(&mut harness);
    assert_eq!(
        harness.query_all_by_label("Neden: boş bırakılamaz").count(),
        2,
        "on the screen and in the status bar"
    );
    harness.get_by_label("Kilidi aç…").click();
    harness.run();
    common::fill(&mut harness, "Neden", "Eksik fazla mesai");
    harness.get_by_label("Kilidi aç").click();
    settle(&mut harness);
    assert!(
        harness.query_all(By::new().label_contains("Kilidi açıldı: yönetici, ")).next().is_some(),
        "the unlock and its reason are shown"
    );
    assert!(harness.query_all(By::new().label_contains("Eksik fazla mesai")).next().is_some());
}
