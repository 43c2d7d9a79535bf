//! The timesheet screen's totals equal what `rainstaff hours` prints and what the payroll
//! workbook says for the same shifts: one engine, one policy, one `Totals`.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{sign_in, start};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::Role;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::payroll::Totals;
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_report::{Month, Selection};
use serde_json::{Value, json};

#[test]
fn the_screen_totals_equal_the_cli_for_the_same_shifts() {
    let dir = tempfile::tempdir().unwrap();
    // A week of long days, a Sunday and a night: overtime, rest-day and night minutes.
    let shifts = [
        ("2026-03-02", "08:00", "19:00"),
        ("2026-03-03", "08:00", "19:00"),
        ("2026-03-04", "08:00", "19:00"),
        ("2026-03-05", "08:00", "19:00"),
        ("2026-03-06", "22:00", "06:00"),
        ("2026-03-08", "10:00", "14:00"),
    ];
    let (mut harness, _, totals) = panel_week(dir.path(), &shifts, 4);
    harness.get_by_label("Hafta tatilinde çalıştı");
    // The night's end is the next day's, and the list says so.
    harness.get_by_label("06:00 +1");
    assert!(harness.query_by_label("19:00 +1").is_none());

    let input = json!({
        "contract": {"weekly_minutes": 2400},
        "policy": {"rounding": "half_hour_up"},
        "shifts": shifts.iter().map(|(d, s, e)| json!({"date": d, "start": s, "end": e})).collect::<Vec<_>>(),
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("hours")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out: Value = serde_json::from_slice(&child.wait_with_output().unwrap().stdout).unwrap();
    let week = &out["periods"][0];
    let cli = |k: &str| week[k].as_u64().unwrap() as u32;
    assert_eq!(
        (
            totals.worked,
            totals.normal,
            totals.extra25,
            totals.ot50,
            totals.ot50_payable,
            totals.extra25_payable
        ),
        (
            cli("worked"),
            cli("normal"),
            cli("extra25"),
            cli("ot50"),
            cli("ot50_payable"),
            cli("extra25_payable")
        )
    );
    assert_eq!(
        (totals.night, totals.weekend, totals.rest_day),
        (cli("night"), cli("weekend"), cli("rest_day"))
    );
    assert!(totals.ot50 > 0 && totals.extra25 > 0, "{totals:?}");
    // The day's explanation opens from the list.
    harness.get_by_label("08.03.2026 Paz").scroll_to_me();
    harness.run();
    harness.get_by_label("08.03.2026 Paz").click();
    harness.run();
    harness.get_by_label("08.03.2026 nasıl hesaplandı");
}

/// The timesheet screen of `konya_employee` with `shifts`, on the week of `march_day` March 2026:
/// the harness, the employee's id and the week's totals the panel shows.
fn panel_week(
    dir: &std::path::Path,
    shifts: &[(&str, &str, &str)],
    march_day: u32,
) -> (Harness<'static, App>, uuid::Uuid, Totals) {
    let id = konya_employee(dir, shifts);
    let mut harness = start(dir);
    sign_in(&mut harness, "ŞEF", "parola-12345");
    harness.get_by_label("Puantaj").click();
    harness.run();
    harness.state_mut().timesheets.employee = Some(id);
    harness.state_mut().timesheets.hours.anchor = chrono::NaiveDate::from_ymd_opt(2026, 3, march_day);
    harness.run();
    harness.get_by_label("Toplamlar — İLKNUR GÜÇLÜ");
    let totals = harness.state().timesheets.hours.totals.clone().expect("the totals are shown");
    (harness, id, totals)
}

/// A Konya manager ("şef") and one employee with `shifts` (date, start, end); returns the
/// employee's id.
fn konya_employee(dir: &std::path::Path, shifts: &[(&str, &str, &str)]) -> uuid::Uuid {
    let shifts: Vec<_> = shifts.iter().map(|&(date, start, end)| (date, start, end, 0)).collect();
    konya_employee_with_breaks(dir, &shifts)
}

/// As [`konya_employee`], with the break typed on each shift (date, start, end, break minutes).
fn konya_employee_with_breaks(dir: &std::path::Path, shifts: &[(&str, &str, &str, i64)]) -> uuid::Uuid {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Konya").unwrap();
    let e = Employee { full_name: "İLKNUR GÜÇLÜ".into(), weekly_minutes: 2400, ..Employee::default() };
    let id =
        store.save_record(&user, &EMPLOYEES, None, "Konya", fields_of(&e), SaveOptions::default()).unwrap();
    for &(date, start, end, break_minutes) in shifts {
        let s = Shift {
            employee_id: id.to_string(),
            work_date: date.to_string(),
            start_time: start.to_string(),
            end_time: end.to_string(),
            break_minutes,
            special_day: false,
            note: None,
        };
        store.save_record(&user, &TIMESHEETS, None, "Konya", fields_of(&s), SaveOptions::default()).unwrap();
    }
    id
}

#[test]
fn the_panels_week_equals_the_workbooks_for_the_same_shifts() {
    let dir = tempfile::tempdir().unwrap();
    // The month's only week with shifts: overtime of odd minutes, which payroll pays in half
    // hours, so a panel computing under another policy would show other figures.
    let shifts = [
        ("2026-03-09", "08:00", "19:10"),
        ("2026-03-10", "08:00", "19:10"),
        ("2026-03-11", "08:00", "19:10"),
        ("2026-03-12", "08:00", "19:10"),
        ("2026-03-13", "21:50", "06:05"),
        ("2026-03-14", "09:00", "13:20"),
    ];
    let (_, id, panel) = panel_week(dir.path(), &shifts, 11);

    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let selection =
        Selection { month: Month::new(2026, 3).unwrap(), employee: Some(id), region: "Konya".into() };
    let workbook = rainstaff::report::build(&store, &selection, &mut |_| {}).unwrap();
    assert_eq!(panel, workbook.employees[0].totals);
    assert!(panel.ot50 > 0 && panel.ot50_payable != panel.ot50, "the week rounds: {panel:?}");
}

#[test]
fn the_list_its_header_and_the_totals_show_the_engines_worked_time_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    // 11 h with 30 min of break typed, 10:30 as typed; the law asks 60 min for 10 h of work, so
    // payroll pays 10:00.
    let id = konya_employee_with_breaks(dir.path(), &[("2026-03-03", "08:00", "19:00", 30)]);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "ŞEF", "parola-12345");
    harness.get_by_label("Puantaj").click();
    harness.run();
    harness.state_mut().timesheets.employee = Some(id);
    harness.run();

    harness.get_by_label("1 vardiya · toplam çalışma 10:00");
    harness.get_by_label("mola 30 yerine 60 dk (yasal asgari)");
    let totals = harness.state().timesheets.hours.totals.clone().expect("the totals are shown");
    assert_eq!(totals.worked, 600);
    // The list's row, the week's totals and the day's row of the panel say 10:00; the typed
    // figure is nowhere, so nobody sees two totals.
    assert!(harness.query_all_by_label("10:00").count() >= 3);
    assert!(harness.query_by_label_contains("10:30").is_none(), "the typed figure is shown");

    harness.get_by_label("03.03.2026 Sal").click();
    harness.run();
    harness.get_by_label("03.03.2026 nasıl hesaplandı");
    harness.get_by_label_contains("Mola 60 dk (1:00), yasal asgari");
}
