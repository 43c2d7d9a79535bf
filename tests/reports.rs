//! Month reports through the real binary and the real screen, read back with calamine and a CSV
//! reader, and checked against the hour engine run on the same shifts and against the office's
//! own numbers (oracle.json).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use chrono::{Datelike, Duration, NaiveDate};
use egui::accesskit::Role as A11yRole;
use egui_kittest::kittest::Queryable as _;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::queries::ShiftFilter;
use rainstaff::db::users::{Role, User};
use rainstaff_core::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, DayHours, Policy, Report, Rounding, ShiftInput, compute,
};
use rainstaff_core::model::{Employee, Record, Shift, fields_of};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_core::time::{parse_hhmm, parse_iso_date};

const SHIFT_HEADERS_TR: [&str; 18] = [
    "Tarih",
    "Gün",
    "Başlangıç",
    "Bitiş",
    "Mola",
    "Çalışma",
    "Çalışma (saat)",
    "Normal",
    "Fazla süre (%25)",
    "Fazla çalışma (%50)",
    "Ödenecek fazla çalışma (%50)",
    "Ödenecek fazla çalışma (%50, saat)",
    "Ödenecek fazla süre (%25)",
    "Ödenecek fazla süre (%25, saat)",
    "Gece",
    "Resmî tatil",
    "Uyarılar",
    "Not",
];
const SUMMARY_HEADERS_TR: [&str; 20] = [
    "Personel",
    "Bölge",
    "Vardiya",
    "Çalışma",
    "Çalışma (saat)",
    "Normal",
    "Fazla süre (%25)",
    "Fazla çalışma (%50)",
    "Ödenecek fazla çalışma (%50)",
    "Ödenecek fazla çalışma (%50, saat)",
    "Ödenecek fazla süre (%25)",
    "Ödenecek fazla süre (%25, saat)",
    "Gece",
    "Resmî tatil",
    "Tatil ücreti (gün)",
    "Hafta sonu",
    "Hafta tatili",
    "Uyarılı gün",
    "Yıl başından fazla çalışma (%50)",
    "Uyarılar",
];
/// The duration columns of an employee's sheet: break, worked, normal, +25 %, +50 %, night and
/// public holiday (payable overtime is on week and totals rows only).
const SHIFT_DURATIONS: [usize; 7] = [4, 5, 7, 8, 9, 14, 15];
/// Title, context line, headers: the table's header is the third row.
const HEADER_ROW: usize = 2;

fn rainstaff(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into())
}

fn report(data: &Path, month: &str, who: &[&str], format: &str, out: &Path) {
    let mut args =
        vec!["export", "report", "--month", month, "--format", format, "--out", out.to_str().unwrap()];
    args.extend(who);
    let (ok, stderr) = rainstaff(data, &args);
    assert!(ok, "{stderr}");
}

fn store(data: &Path) -> Store {
    Store::open(&data.join("rainstaff.db")).unwrap()
}

// ---- what the engine says, computed here from the store without the report's code ----

fn contract(e: &Employee) -> Contract {
    Contract {
        kind: ContractKind::from_code(&e.contract_kind).unwrap(),
        weekly_minutes: u32::try_from(e.weekly_minutes).unwrap(),
        break_policy: BreakPolicy::from_stored(&e.break_policy).unwrap(),
        ..Contract::default()
    }
}

fn input(s: &Shift) -> ShiftInput {
    ShiftInput::new(
        parse_iso_date(&s.work_date).unwrap(),
        parse_hhmm(&s.start_time).unwrap(),
        parse_hhmm(&s.end_time).unwrap(),
        Some(u32::try_from(s.break_minutes).unwrap()),
    )
}

fn month_bounds(year: i32, month: u32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap();
    let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    (first, NaiveDate::from_ymd_opt(next.0, next.1, 1).unwrap() - Duration::days(1))
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Payroll pays overtime in half hours (L7).
fn payroll() -> Policy {
    Policy { rounding: Rounding::HalfHourUp, ..Policy::default() }
}

/// The engine over every whole week that overlaps the month.
fn engine(store: &Store, e: &Record<Employee>, first: NaiveDate, last: NaiveDate) -> Report {
    let shifts = store
        .shifts(&ShiftFilter {
            employee: Some(e.id),
            from: Some(monday(first)),
            to: Some(monday(last) + Duration::days(6)),
            region: "ALL".into(),
        })
        .unwrap();
    let inputs: Vec<ShiftInput> = shifts.iter().map(|s| input(&s.data)).collect();
    compute(&contract(&e.data), &payroll(), &Calendar::builtin_tr(), 0, &inputs).unwrap()
}

/// The summary's columns from "Çalışma" on, summed over the month's days of `report`.
fn expected_summary(report: &Report, first: NaiveDate, last: NaiveDate) -> Vec<f64> {
    let days: Vec<&DayHours> = report.days.iter().filter(|d| d.date >= first && d.date <= last).collect();
    let sum = |f: fn(&DayHours) -> u32| f64::from(days.iter().map(|d| f(d)).sum::<u32>());
    // Payable overtime: each week's part inside the month, rounded as payroll pays it.
    let mut weeks: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    for d in &days {
        let w = weeks.entry(monday(d.date)).or_default();
        w.0 += d.ot50;
        w.1 += d.extra25;
    }
    let round = payroll().rounding;
    vec![
        sum(|d| d.worked),
        sum(|d| d.normal),
        sum(|d| d.extra25),
        sum(|d| d.ot50),
        f64::from(weeks.values().map(|w| round.apply(w.0)).sum::<u32>()),
        f64::from(weeks.values().map(|w| round.apply(w.1)).sum::<u32>()),
        sum(|d| d.night),
        sum(|d| d.holiday),
        days.iter().map(|d| d.holiday_units).sum(),
        sum(|d| d.weekend),
        sum(|d| d.rest_day),
        days.iter().filter(|d| !d.flags.is_empty()).count() as f64,
    ]
}

// ---- reading the workbook ----

fn workbook(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

/// A duration cell: a number shown with a duration format, never text.
fn minutes(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if d.is_duration() => (d.as_f64() * 1440.0).round(),
        other => panic!("expected a duration, found {other:?}"),
    }
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

fn row(range: &Range<Data>, r: usize) -> Vec<Data> {
    (0..range.width()).map(|c| range.get((r, c)).cloned().unwrap_or(Data::Empty)).collect()
}

fn headers(range: &Range<Data>) -> Vec<String> {
    row(range, HEADER_ROW).iter().map(text).filter(|h| !h.is_empty()).collect()
}

/// The summary's numbers from "Çalışma" on (durations, holiday units, flagged days), without
/// the decimal-hours columns.
fn summary_numbers(cells: &[Data]) -> Vec<f64> {
    [3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17]
        .into_iter()
        .map(|c| if c == 14 || c == 17 { number(&cells[c]) } else { minutes(&cells[c]) })
        .collect()
}

/// An employee sheet: its shift rows (without the week subtotals and the totals row) and its
/// totals row.
fn employee_rows(range: &Range<Data>) -> (Vec<Vec<Data>>, Vec<Data>) {
    let mut rows: Vec<Vec<Data>> = (HEADER_ROW + 1..range.height())
        .map(|r| row(range, r))
        .filter(|r| !matches!(&r[0], Data::String(s) if s.starts_with("Hafta ")))
        .collect();
    let totals = rows.pop().unwrap();
    assert_eq!(text(&totals[0]), "Toplam");
    (rows, totals)
}

/// A time of day, in minutes after midnight: a number with a time format.
fn time_of(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if !d.is_duration() => (d.as_f64() * 1440.0).round(),
        other => panic!("expected a time, found {other:?}"),
    }
}

/// Excel's serial number of a date.
fn serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

fn date_of(cell: &Data) -> NaiveDate {
    match cell {
        Data::DateTime(d) if !d.is_duration() => {
            NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + Duration::days(d.as_f64() as i64)
        }
        other => panic!("expected a date, found {other:?}"),
    }
}

#[test]
fn the_month_workbook_adds_up_to_the_engine_and_the_offices_own_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let f1 = common::samples().join("F1_v4_s4.db");
    let (ok, stderr) = rainstaff(data, &["import-legacy", f1.to_str().unwrap(), "--region", "Ankara"]);
    assert!(ok, "{stderr}");
    let out = data.join("ocak.xlsx");
    report(data, "2026-01", &["--all"], "xlsx", &out);

    let store = store(data);
    let employees = store.employees("ALL").unwrap();
    let (first, last) = month_bounds(2026, 1);
    let mut wb = workbook(&out);
    let names = wb.sheet_names();
    assert_eq!(names[..2], ["Özet", "Puantaj"]);
    let expected_names: Vec<&str> = employees.iter().map(|e| e.data.full_name.as_str()).collect();
    assert_eq!(names[2..], expected_names[..], "one sheet per employee, in Turkish order");

    let summary = wb.worksheet_range("Özet").unwrap();
    let company = store.setting(rainstaff::db::import::COMPANY_NAME_KEY).unwrap().unwrap();
    let title = format!("{company} — Aylık puantaj özeti — Ocak 2026 (01.01.2026–31.01.2026)");
    assert_eq!(text(&summary.get((0, 0)).unwrap().clone()), title);
    assert_eq!(headers(&summary), SUMMARY_HEADERS_TR);
    assert_eq!(summary.height(), HEADER_ROW + 1 + employees.len() + 1, "a row per employee and a totals row");

    let oracle = common::f1_oracle();

    let mut grand = vec![0.0; 12];
    for (i, e) in employees.iter().enumerate() {
        let name = &e.data.full_name;
        let cells = row(&summary, HEADER_ROW + 1 + i);
        assert_eq!(text(&cells[0]), *name);
        assert_eq!(text(&cells[1]), "Ankara");
        let got = summary_numbers(&cells);
        let engine = engine(&store, e, first, last);
        assert_eq!(got, expected_summary(&engine, first, last), "summary of {name}");
        // F1 has no shifts outside January, so the month is everything the engine was given.
        let t = &engine.total;
        let whole = [
            t.worked,
            t.normal,
            t.extra25,
            t.ot50,
            t.ot50_payable,
            t.extra25_payable,
            t.night,
            t.holiday,
            t.weekend,
            t.rest_day,
        ];
        let month = [got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7], got[9], got[10]];
        assert_eq!(whole.map(f64::from), month, "totals of {name} against compute");
        assert_eq!(got[8], t.holiday_units);
        // Imported breaks are as entered, so worked minutes are the office's own sums.
        let (office_minutes, office_rows) = oracle.get(name).copied().unwrap_or((0, 0));
        assert_eq!(got[0], office_minutes as f64, "worked minutes of {name}");
        grand.iter_mut().zip(&got).for_each(|(g, x)| *g += x);

        let sheet = wb.worksheet_range(name).unwrap();
        assert_eq!(headers(&sheet), SHIFT_HEADERS_TR, "{name}");
        let (rows, totals) = employee_rows(&sheet);
        assert_eq!(rows.len() as i64, office_rows, "rows of {name}");
        // Every duration column adds up to the totals row, and the totals row to the summary.
        for c in SHIFT_DURATIONS {
            let sum: f64 = rows.iter().filter(|r| r[c] != Data::Empty).map(|r| minutes(&r[c])).sum();
            assert_eq!(sum, minutes(&totals[c]), "column {} of {name}", SHIFT_HEADERS_TR[c]);
        }
        assert_eq!([minutes(&totals[5]), minutes(&totals[7])], [got[0], got[1]]);
        for r in &rows {
            let date = date_of(&r[0]);
            assert!(date >= first && date <= last);
            assert_eq!(
                serial(date),
                match &r[0] {
                    Data::DateTime(d) => d.as_f64(),
                    _ => unreachable!(),
                }
            );
            let day = engine.day(date).unwrap();
            assert_eq!(minutes(&r[5]), f64::from(day.worked), "{name} {date}");
            assert_eq!(minutes(&r[9]), f64::from(day.ot50), "{name} {date}");
        }
    }
    let totals = row(&summary, HEADER_ROW + 1 + employees.len());
    assert_eq!(text(&totals[0]), "Toplam");
    assert_eq!(summary_numbers(&totals), grand);
    assert_eq!(grand[0], oracle.values().map(|(m, _)| *m as f64).sum::<f64>());
}

#[test]
fn the_plain_csv_has_a_row_per_shift_with_whole_minutes_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let f1 = common::samples().join("F1_v4_s4.db");
    let (ok, stderr) = rainstaff(data, &["import-legacy", f1.to_str().unwrap(), "--region", "Ankara"]);
    assert!(ok, "{stderr}");
    let out = data.join("january.csv");
    report(data, "2026-01", &["--all", "--lang", "en", "--csv-dialect", "plain"], "csv", &out);

    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "Employee",
            "Region",
            "Date",
            "Day",
            "Start",
            "End",
            "Break",
            "Worked",
            "Normal",
            "Extra time (25%)",
            "Overtime (50%)",
            "Night",
            "Public holiday",
            "Flags",
            "Note"
        ]
    );
    let mut worked: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut flagged = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let name = record[0].to_string();
        assert_eq!(&record[1], "Ankara");
        let date = rainstaff_core::time::parse_user_date(&record[2]).unwrap();
        assert_eq!(date.format("%Y-%m").to_string(), "2026-01");
        assert!(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&&record[3]));
        for c in 6..=12 {
            if !record[c].is_empty() {
                record[c].parse::<u32>().unwrap_or_else(|_| panic!("{} is not whole minutes", &record[c]));
            }
        }
        *worked.entry(name.clone()).or_default() += record[7].parse::<i64>().unwrap_or(0);
        *rows.entry(name).or_default() += 1;
        flagged += usize::from(record[13].contains("Over 11 hours"));
    }
    assert!(flagged > 0, "flags are in the chosen language");

    for (name, (minutes, expected_rows)) in common::f1_oracle() {
        assert_eq!(worked.get(&name).copied(), Some(minutes), "minutes of {name}");
        assert_eq!(rows.get(&name).copied(), usize::try_from(expected_rows).ok(), "rows of {name}");
    }
}

// ---- a store made here: month and week boundaries, an employee without shifts ----

const TURKISH_NAME: &str = "ÇĞİÖŞÜ Özlem çğıöşü";

fn manager(store: &Store) -> User {
    store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap()
}

fn add_employee(store: &mut Store, user: &User, name: &str) -> uuid::Uuid {
    let e = Employee { full_name: name.into(), ..Employee::default() };
    store.save_record(user, &EMPLOYEES, None, &user.region, fields_of(&e), SaveOptions::default()).unwrap()
}

fn add_shift(
    store: &mut Store,
    user: &User,
    employee: uuid::Uuid,
    date: &str,
    start: &str,
    end: &str,
    pause: i64,
) {
    let s = Shift {
        employee_id: employee.to_string(),
        work_date: date.into(),
        start_time: start.into(),
        end_time: end.into(),
        break_minutes: pause,
        special_day: false,
        note: Some(format!("{date} {start}")),
    };
    store.save_record(user, &TIMESHEETS, None, &user.region, fields_of(&s), SaveOptions::default()).unwrap();
}

/// The week of Monday 26 January to Sunday 1 February 2026 crosses the month end: 5 × 8.5 h,
/// then a night shift on Saturday the 31st into February, then 4 h on Sunday the 1st. A night
/// shift on 31 December reaches into January from the month before.
fn boundary_store(data: &Path) {
    let mut store = store(data);
    let user = manager(&store);
    let worker = add_employee(&mut store, &user, TURKISH_NAME);
    add_employee(&mut store, &user, "BOŞ PERSONEL");
    add_shift(&mut store, &user, worker, "2025-12-31", "22:00", "06:00", 30);
    for day in 26..=30 {
        add_shift(&mut store, &user, worker, &format!("2026-01-{day}"), "08:00", "17:30", 60);
    }
    add_shift(&mut store, &user, worker, "2026-01-31", "22:00", "06:00", 30);
    add_shift(&mut store, &user, worker, "2026-02-01", "10:00", "14:00", 0);
}

#[test]
fn shifts_belong_to_the_month_they_start_in_and_weeks_are_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    boundary_store(data);
    let january = data.join("ocak.xlsx");
    report(data, "2026-01", &["--all"], "xlsx", &january);
    let mut wb = workbook(&january);
    assert_eq!(wb.sheet_names(), ["Özet", "Puantaj", "BOŞ PERSONEL", TURKISH_NAME]);

    // Nobody forgot the employee without shifts: a sheet and a summary row, all zeros.
    let summary = wb.worksheet_range("Özet").unwrap();
    let empty = row(&summary, HEADER_ROW + 1);
    assert_eq!(text(&empty[0]), "BOŞ PERSONEL");
    assert_eq!(summary_numbers(&empty), vec![0.0; 12]);
    let (rows, totals) = employee_rows(&wb.worksheet_range("BOŞ PERSONEL").unwrap());
    assert!(rows.is_empty());
    assert!(SHIFT_DURATIONS.iter().all(|&c| minutes(&totals[c]) == 0.0));

    let (rows, totals) = employee_rows(&wb.worksheet_range(TURKISH_NAME).unwrap());
    let dates: Vec<NaiveDate> = rows.iter().map(|r| date_of(&r[0])).collect();
    let expected: Vec<NaiveDate> = (26..=31).map(|d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap()).collect();
    assert_eq!(dates, expected, "31 December is December's, 1 February is February's");
    // The night shift of the 31st counts whole in January: 8 h less a 30-minute break, all of
    // it night work, and over the week's 45 h after five days of 8.5 h.
    let last = rows.last().unwrap();
    assert_eq!(text(&last[1]), "Cmt");
    assert_eq!(time_of(&last[2]), 22.0 * 60.0, "start as a time of day");
    assert_eq!([minutes(&last[4]), minutes(&last[5]), minutes(&last[14])], [30.0, 450.0, 450.0]);
    assert_eq!(minutes(&last[9]), 5.0 * 510.0 + 450.0 - 2700.0);
    assert_eq!(minutes(&totals[5]), 5.0 * 510.0 + 450.0);

    let store = store(data);
    let person =
        store.employees("ALL").unwrap().into_iter().find(|e| e.data.full_name == TURKISH_NAME).unwrap();
    let (first, last_day) = month_bounds(2026, 1);
    let engine_jan = engine(&store, &person, first, last_day);
    let worker_row = row(&summary, HEADER_ROW + 2);
    assert_eq!(summary_numbers(&worker_row), expected_summary(&engine_jan, first, last_day));
    drop(store);

    // In February the Sunday counts against the week that began in January: all overtime.
    let february = data.join("subat.csv");
    let plain = ["--employee", "cgiosu ozlem CGIOSU", "--csv-dialect", "plain"];
    report(data, "2026-02", &plain, "csv", &february);
    let records: Vec<csv::StringRecord> =
        csv::Reader::from_path(&february).unwrap().records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!([&r[0], &r[2], &r[3], &r[4], &r[5]], [TURKISH_NAME, "01.02.2026", "Paz", "10:00", "14:00"]);
    // 4 h with the statutory 15-minute break: 225 minutes, every one of them overtime.
    assert_eq!([&r[6], &r[7], &r[8], &r[10]], ["15", "225", "0", "225"]);
    assert!(r[13].contains("Hafta tatilinde çalıştı"), "{}", &r[13]);
}

#[test]
fn the_report_csv_opens_in_turkish_excel_unless_asked_for_plain() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    boundary_store(data);
    let out = data.join("ocak.csv");
    report(data, "2026-01", &["--employee", "cgiosu ozlem CGIOSU"], "csv", &out);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFPersonel;B\xC3\xB6lge;Tarih;"), "BOM, ';', Turkish headers");
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..])
        .records()
        .map(Result::unwrap)
        .collect();
    let dates: Vec<&str> = records.iter().map(|r| &r[2]).collect();
    let mut expected: Vec<String> = (26..=31).map(|d| format!("{d}.01.2026")).collect();
    expected.extend(["Hafta 26.01–31.01".into(), "Toplam".into()]);
    assert_eq!(dates, expected, "the shifts, the week cut at the month's end, the totals");
    // The night of the 31st: ends the next morning, 7:30 worked, as h:mm.
    assert_eq!([&records[5][5], &records[5][7]], ["06:00 +1", "7:30"]);
}

#[test]
fn bad_input_fails_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    boundary_store(data);
    let out = data.join("x.xlsx");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--month", "2026-01", "--all", "--csv-dialect", "plain"], "--csv-dialect"),
        (&["--month", "2026-01", "--all", "--csv-dialect", "tsv"], "--csv-dialect"),
        (&["--month", "2026-13", "--all"], "--month"),
        (&["--month", "ocak", "--all"], "--month"),
        (&["--month", "2026-01", "--employee", "Ayşe Yılmaz"], "--employee"),
        (&["--month", "2026-01", "--employee", "BOŞ", "--all"], "--employee"),
        (&["--month", "2026-01", "--all", "--lang", "de"], "--lang"),
    ];
    for (args, option) in cases {
        let mut all = vec!["export", "report", "--format", "xlsx", "--out", out];
        all.extend(args);
        let (ok, stderr) = rainstaff(data, &all);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(option), "{args:?}: {stderr}");
    }
    assert!(!Path::new(out).exists(), "nothing written");
}

// ---- the screen ----

fn sign_in(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, username: &str) {
    harness.run();
    common::fill(harness, "Kullanıcı adı", username);
    common::fill(harness, "Parola", "parola-12345");
    harness.get_by_label("Giriş").click();
    common::settle(harness);
}

#[test]
fn the_reports_screen_writes_the_workbook_of_the_users_region() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    boundary_store(data);
    {
        // An Ankara employee the Izmir manager must not see in the report.
        let mut store = store(data);
        let ankara = store.create_user("ankara", Some("parola-12345"), Role::Manager, "Ankara").unwrap();
        add_employee(&mut store, &ankara, "ANKARA PERSONELİ");
    }
    let mut harness = common::start(data);
    sign_in(&mut harness, "müdür");
    harness.get_by_label("Raporlar").click();
    harness.run();
    // The screen opens on the month before today's (4 March 2026): February.
    assert_eq!(harness.get_by_role_and_label(A11yRole::ComboBox, "Ay").value().as_deref(), Some("Şubat"));
    // "Personel" is also the Employees tab: the combo box is the one to open.
    harness.get_by_role_and_label(A11yRole::ComboBox, "Personel").click();
    harness.run();
    harness.get_by_label("Tümü").click();
    harness.run();
    let out = data.join("rapor.xlsx");
    common::fill(&mut harness, "Dosya yolu", out.to_str().unwrap());
    harness.get_by_label("Raporu oluştur").click();
    common::settle(&mut harness);
    harness.get_by_label(&format!("Rapor kaydedildi: {}", out.display()));
    harness.get_by_label("Klasörü aç");
    let mut wb = workbook(&out);
    assert_eq!(wb.sheet_names(), ["Özet", "Puantaj", "BOŞ PERSONEL", TURKISH_NAME]);
    let summary = wb.worksheet_range("Özet").unwrap();
    assert!(text(&summary.get((0, 0)).unwrap().clone()).contains("Şubat 2026"));
    assert_eq!(text(&summary.get((1, 0)).unwrap().clone()), "Bölge: İzmir");
    drop(harness);

    // The next time, the screen proposes the month's default name in the folder used last.
    let mut harness = common::start(data);
    sign_in(&mut harness, "müdür");
    harness.get_by_label("Raporlar").click();
    harness.run();
    let path = |h: &egui_kittest::Harness<'_, rainstaff::app::App>| {
        h.get_by_role_and_label(A11yRole::TextInput, "Dosya yolu").value()
    };
    assert_eq!(path(&harness), Some(data.join("puantaj-2026-02.xlsx").display().to_string()));
    harness.get_by_role_and_label(A11yRole::ComboBox, "Ay").click();
    harness.run();
    harness.get_by_label("Ocak").click();
    harness.run();
    assert_eq!(path(&harness), Some(data.join("puantaj-2026-01.xlsx").display().to_string()));

    // The puantaj cetveli alone has a name of its own, and is the grid only.
    harness.get_by_label("Puantaj (XLSX)").click();
    harness.run();
    let grid = data.join("puantaj-cetveli-2026-01.xlsx");
    assert_eq!(path(&harness), Some(grid.display().to_string()));
    harness.get_by_label("Raporu oluştur").click();
    common::settle(&mut harness);
    assert_eq!(workbook(&grid).sheet_names(), ["Puantaj"]);
}
