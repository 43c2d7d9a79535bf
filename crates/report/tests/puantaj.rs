//! The puantaj cetveli of the month workbook and its own workbook, read back with calamine: each
//! day's letter on the right day, the counts, SGK premium and missing days with their reason, the
//! month's hours, the legend, and a print setup (from the sheet's XML) of A4 landscape, one page
//! wide, headers repeated, panes frozen at the first day.
//!
//! April 2026 in Ankara; 23 April (Thursday) is a public holiday and nobody works it. Everybody
//! works Monday to Friday 08:00–16:30 (the statutory hour's break: 7,5 h) unless on leave:
//! - AYŞE is on annual leave Monday 20 to Tuesday 28 April, over the holiday and a Sunday;
//! - BURAK has a sick report 8–10 April and is absent on Tuesday the 14th (code 15, which also
//!   costs Sunday the 19th): two reasons, code 12;
//! - CEM is absent on Wednesday the 15th only: code 15 on the 15th and the 19th;
//! - DENİZ is hired on Thursday the 16th.

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use chrono::{Datelike, NaiveDate};
use rainstaff_core::hours::Calendar;
use rainstaff_core::i18n::Lang;
use rainstaff_core::leave::Leave;
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_report::{
    Month, MonthInput, MonthReport, Selection, build, puantaj_xlsx_bytes, write_puantaj_xlsx, xlsx_bytes,
};
use uuid::Uuid;

const HEADER_ROW: usize = 2;
/// Name and T.C. number come first: day `d` is in column `d + 1`.
const FIRST_DAY: usize = 2;
const AYSE: &str = "AYŞE IŞIK";
const BURAK: &str = "BURAK ÇELİK";
const CEM: &str = "CEM ÖZ";
const DENIZ: &str = "DENİZ AK";

fn employee(name: &str, identity: &str, hire: Option<&str>) -> Record<Employee> {
    let data = Employee {
        full_name: name.into(),
        identity_no: Some(identity.into()),
        hire_date: hire.map(String::from),
        ..Employee::default()
    };
    Record { id: Uuid::new_v4(), region: "Ankara".into(), data, sync_error: None }
}

fn leave(who: &Record<Employee>, kind: &str, first: &str, last: &str) -> Record<Leave> {
    let data = Leave {
        employee_id: who.id.to_string(),
        first_day: first.into(),
        last_day: last.into(),
        kind: kind.into(),
        sgk_code: None,
        note: None,
        entered_by: "müdür".into(),
        approved_by: None,
    };
    Record { id: Uuid::new_v4(), region: who.region.clone(), data, sync_error: None }
}

fn april(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, day).unwrap()
}

fn input() -> MonthInput {
    let ayse = employee(AYSE, "10000000146", None);
    let burak = employee(BURAK, "20000000292", None);
    let cem = employee(CEM, "30000000338", None);
    let deniz = employee(DENIZ, "40000000474", Some("2026-04-16"));
    let leaves = vec![
        leave(&ayse, "annual", "2026-04-20", "2026-04-28"),
        leave(&burak, "sick", "2026-04-08", "2026-04-10"),
        leave(&burak, "absent", "2026-04-14", "2026-04-14"),
        leave(&cem, "absent", "2026-04-15", "2026-04-15"),
    ];
    let mut shifts = Vec::new();
    for who in [&ayse, &burak, &cem, &deniz] {
        let id = who.id.to_string();
        let away = |d: NaiveDate| {
            leaves.iter().any(|l| {
                l.data.employee_id == id
                    && (l.data.first_day.as_str()..=l.data.last_day.as_str())
                        .contains(&d.to_string().as_str())
            })
        };
        let hired = who.data.hire_date.as_deref().map_or(april(1), |h| h.parse().unwrap());
        for day in 1..=30 {
            let d = april(day);
            if d.weekday().num_days_from_monday() < 5 && day != 23 && d >= hired && !away(d) {
                let data = Shift {
                    employee_id: id.clone(),
                    work_date: d.to_string(),
                    start_time: "08:00".into(),
                    end_time: "16:30".into(),
                    break_minutes: 0,
                    special_day: false,
                    note: None,
                };
                shifts.push(Record { id: Uuid::new_v4(), region: "Ankara".into(), data, sync_error: None });
            }
        }
    }
    MonthInput {
        company: Some("Yağmur & Ortakları".into()),
        calendar: Calendar::builtin_tr(),
        employees: vec![deniz, cem, burak, ayse],
        shifts,
        closed: Default::default(),
        leaves,
        letters: Default::default(),
    }
}

fn report() -> MonthReport {
    let selection =
        Selection { month: Month::new(2026, 4).unwrap(), employee: None, region: "Ankara".into() };
    build(&input(), &selection, &mut |_| {}).unwrap()
}

// ---- reading it back ----

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn count(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        other => panic!("expected a number, found {other:?}"),
    }
}

fn minutes(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if d.is_duration() => (d.as_f64() * 1440.0).round(),
        other => panic!("expected a duration, found {other:?}"),
    }
}

fn cells(range: &Range<Data>, r: usize) -> Vec<Data> {
    (0..range.width()).map(|c| range.get((r, c)).cloned().unwrap_or(Data::Empty)).collect()
}

fn headers(range: &Range<Data>) -> Vec<String> {
    cells(range, HEADER_ROW).iter().map(text).collect()
}

fn column(range: &Range<Data>, label: &str) -> usize {
    headers(range).iter().position(|h| h == label).unwrap_or_else(|| panic!("no column {label}"))
}

fn person(range: &Range<Data>, name: &str) -> Vec<Data> {
    (HEADER_ROW + 1..range.height())
        .map(|r| cells(range, r))
        .find(|r| r[0] == Data::String(name.into()))
        .unwrap_or_else(|| panic!("no row of {name}"))
}

fn grid(bytes: &[u8], name: &str) -> Range<Data> {
    Xlsx::new(Cursor::new(bytes.to_vec())).unwrap().worksheet_range(name).unwrap()
}

/// A file inside the .xlsx archive.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// The value of `attr` in the first element that starts with `element`.
fn attribute<'a>(xml: &'a str, element: &str, attr: &str) -> Option<&'a str> {
    let at = xml.find(element)?;
    let tag = &xml[at..at + xml[at..].find('>')?];
    let start = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The day cells of a row, 1st to 30th.
fn days(row: &[Data]) -> Vec<String> {
    row[FIRST_DAY..FIRST_DAY + 30].iter().map(text).collect()
}

#[test]
fn each_day_has_its_letter_on_the_right_day() {
    let bytes = xlsx_bytes(&report(), Lang::Tr).unwrap();
    let names = Xlsx::new(Cursor::new(bytes.clone())).unwrap().sheet_names();
    assert_eq!(names, ["Özet", "Puantaj", AYSE, BURAK, CEM, DENIZ], "the grid right after the summary");
    let sheet = grid(&bytes, "Puantaj");
    assert_eq!(
        text(&sheet.get((0, 0)).unwrap().clone()),
        "Yağmur & Ortakları — Puantaj cetveli — Nisan 2026 (01.04.2026–30.04.2026)"
    );
    assert_eq!(text(&sheet.get((1, 0)).unwrap().clone()), "Bölge: Ankara");
    let header = headers(&sheet);
    assert_eq!(header[..FIRST_DAY], ["Personel", "T.C. kimlik no"]);
    assert_eq!(header[FIRST_DAY], "1\nÇar", "day number and short weekday");
    assert_eq!(header[FIRST_DAY + 29], "30\nPer");
    assert_eq!(header[FIRST_DAY + 30], "Ç: Çalışılan gün", "30 days in April, then the counts");

    // Rows in Turkish order of names.
    let names: Vec<String> = (HEADER_ROW + 1..HEADER_ROW + 5).map(|r| text(&cells(&sheet, r)[0])).collect();
    assert_eq!(names, [AYSE, BURAK, CEM, DENIZ]);

    let ayse = person(&sheet, AYSE);
    assert_eq!(text(&ayse[1]), "10000000146", "the T.C. number as text");
    let d = days(&ayse);
    assert_eq!(d[0], "Ç 7,5", "1 April worked, 8.5 h less the hour's break");
    assert_eq!(d[3], "", "a Saturday with nothing recorded is blank");
    assert_eq!(d[4], "HT", "Sunday the 5th");
    let leave: Vec<&str> = d[19..28].iter().map(String::as_str).collect();
    // 20–28 April: the holiday and the Sunday inside the annual leave stay what they are; the
    // Saturday is a leave day.
    assert_eq!(leave, ["Yİ", "Yİ", "Yİ", "RT", "Yİ", "Yİ", "HT", "Yİ", "Yİ"]);
    assert_eq!(d[28], "Ç 7,5");

    let burak = days(&person(&sheet, BURAK));
    assert_eq!(burak[7..10], ["R", "R", "R"], "the sick report of 8–10 April");
    assert_eq!([&burak[11], &burak[13], &burak[18]], ["HT", "D", "HT"]);
    assert_eq!(burak[22], "RT", "23 April, not worked");
    let cem = days(&person(&sheet, CEM));
    assert_eq!([&cem[13], &cem[14], &cem[15]], ["Ç 7,5", "D", "Ç 7,5"]);

    let deniz = days(&person(&sheet, DENIZ));
    assert!(deniz[..15].iter().all(|c| c == "-"), "before the hire date: {deniz:?}");
    assert_eq!([&deniz[15], &deniz[16], &deniz[18]], ["Ç 7,5", "Ç 7,5", "HT"]);
}

#[test]
fn the_totals_count_the_days_premium_and_missing_days_and_the_hours() {
    let report = report();
    let sheet = grid(&xlsx_bytes(&report, Lang::Tr).unwrap(), "Puantaj");
    // A column for each kind somebody took, in the order of the kinds, headed by its letter.
    let header = headers(&sheet);
    let kinds: Vec<&str> = header.iter().filter(|h| h.contains(": ")).map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "Ç: Çalışılan gün",
            "Yİ: Yıllık izin",
            "R: Rapor (istirahat)",
            "D: Devamsızlık",
            "HT: Hafta tatili günü",
            "RT: Resmî tatil günü"
        ]
    );
    let columns =
        kinds.iter().map(|k| column(&sheet, k)).chain(["Prim günü", "Eksik gün"].map(|k| column(&sheet, k)));
    let columns: Vec<usize> = columns.collect();
    let reason = column(&sheet, "Eksik gün nedeni");
    let counts = |name: &str| {
        let row = person(&sheet, name);
        (columns.iter().map(|&c| count(&row[c])).collect::<Vec<f64>>(), text(&row[reason]))
    };
    // Worked, annual, sick, absent, rest days, holidays, premium days, missing days.
    assert_eq!(counts(AYSE), (vec![15.0, 7.0, 0.0, 0.0, 4.0, 1.0, 30.0, 0.0], String::new()));
    // Three report days (01), the absence and its week's Sunday (15): code 12.
    assert_eq!(counts(BURAK), (vec![17.0, 0.0, 3.0, 1.0, 4.0, 1.0, 25.0, 5.0], "12".into()));
    assert_eq!(counts(CEM), (vec![20.0, 0.0, 0.0, 1.0, 4.0, 1.0, 28.0, 2.0], "15".into()));
    // Hired on the 16th: 15 days employed, all of them premium days.
    assert_eq!(counts(DENIZ), (vec![10.0, 0.0, 0.0, 0.0, 2.0, 1.0, 15.0, 0.0], String::new()));

    // The month's hours under the summary's headers, as the summary has them.
    let ayse = person(&sheet, AYSE);
    let e = report.employees.iter().find(|e| e.employee.data.full_name == AYSE).unwrap();
    assert_eq!(e.totals.worked, 15 * 450);
    assert_eq!(minutes(&ayse[column(&sheet, "Çalışma")]), f64::from(e.totals.worked));
    assert_eq!(count(&ayse[column(&sheet, "Çalışma (saat)")]), 15.0 * 7.5);
    assert_eq!(minutes(&ayse[column(&sheet, "Normal")]), f64::from(e.totals.normal));
    for label in ["Ödenecek fazla çalışma (%50)", "Ödenecek fazla süre (%25)", "Gece", "Resmî tatil"] {
        assert_eq!(minutes(&ayse[column(&sheet, label)]), 0.0, "{label}");
    }
    let last = header.len() - 1;
    assert_eq!(header[last], "Resmî tatil", "the hours close the table");
}

#[test]
fn the_legend_says_what_each_letter_means() {
    let sheet = grid(&xlsx_bytes(&report(), Lang::Tr).unwrap(), "Puantaj");
    let rows: Vec<Vec<Data>> = (HEADER_ROW + 1..sheet.height()).map(|r| cells(&sheet, r)).collect();
    let caption = rows.iter().position(|r| text(&r[0]) == "Açıklamalar").expect("the legend's caption");
    assert_eq!(caption, 5, "a blank row between the four employees and the legend");
    let legend: Vec<(String, String)> =
        rows[caption + 1..].iter().map(|r| (text(&r[0]), text(&r[1]))).collect();
    let meaning = |letter: &str| {
        legend.iter().find(|(l, _)| l == letter).map(|(_, m)| m.clone()).unwrap_or_else(|| {
            panic!("{letter} is not in the legend: {legend:?}");
        })
    };
    assert_eq!(meaning("Ç 7,5"), "Çalışılan gün, o gün çalışılan saat ile");
    assert_eq!(meaning("HT"), "Hafta tatili");
    assert_eq!(meaning("RT"), "Resmî tatil");
    assert_eq!(meaning("-"), "İşe girişten önce ya da işten çıkıştan sonra");
    assert_eq!(meaning("Yİ"), "Yıllık izin");
    assert_eq!(meaning("R"), "Rapor (istirahat)");
    assert_eq!(meaning("D"), "Devamsızlık");
    assert_eq!(meaning("Mİ"), "Evlilik izni, Ölüm izni, Babalık izni", "one letter, three kinds");
    assert_eq!(meaning("Üİ"), "Ücretsiz izin", "every kind, taken this month or not");
    // The month's missing-day reasons.
    assert_eq!(meaning("01"), "Eksik gün nedeni: İstirahat");
    assert_eq!(meaning("12"), "Eksik gün nedeni: Birden fazla");
    assert_eq!(meaning("15"), "Eksik gün nedeni: Devamsızlık");
    assert!(!legend.iter().any(|(l, _)| l == "21"), "no unpaid leave this month");
}

/// The puantaj sheet's print setup: A4 landscape, one page wide, title and headers on every
/// page, panes frozen at the first day, the days narrow.
fn assert_prints_as_a_grid(bytes: &[u8], sheet: usize, name: &str) {
    let xml = part(bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
    assert_eq!(attribute(&xml, "<pageSetup", "orientation"), Some("landscape"));
    assert_eq!(attribute(&xml, "<pageSetup", "paperSize"), Some("9"), "A4");
    assert_eq!(attribute(&xml, "<pageSetUpPr", "fitToPage"), Some("1"));
    assert_eq!(attribute(&xml, "<pageSetup", "fitToWidth"), None, "one page wide, Excel's default");
    assert_eq!(attribute(&xml, "<pageSetup", "fitToHeight"), Some("0"));
    assert_eq!(attribute(&xml, "<pane", "xSplit"), Some("2"), "frozen at the first day");
    assert_eq!(attribute(&xml, "<pane", "ySplit"), Some("3"), "and under the headers");
    // The 30 days share one narrow width (columns C to AF).
    assert_eq!(attribute(&xml, "<col min=\"3\"", "max"), Some("32"));
    let width: f64 = attribute(&xml, "<col min=\"3\"", "width").unwrap().parse().unwrap();
    assert!(width < 6.0, "day columns {width} wide");
    let header = &xml[xml.find("<oddHeader>").unwrap()..xml.find("</oddHeader>").unwrap()];
    assert!(header.contains("&amp;LYağmur &amp;&amp; Ortakları&amp;CNisan 2026&amp;RAnkara"), "{header}");
    let workbook = part(bytes, "xl/workbook.xml");
    assert!(workbook.contains(&format!("{name}!$1:$3</definedName>")), "{workbook}");
}

#[test]
fn the_grid_prints_on_a4_landscape_one_page_wide() {
    let bytes = xlsx_bytes(&report(), Lang::Tr).unwrap();
    assert_prints_as_a_grid(&bytes, 2, "Puantaj");
}

#[test]
fn the_puantaj_is_also_a_workbook_of_its_own_in_either_language() {
    let report = report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("puantaj.xlsx");
    write_puantaj_xlsx(&report, Lang::Tr, &path).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Puantaj"]);
    let alone = book.worksheet_range("Puantaj").unwrap();
    let within = grid(&xlsx_bytes(&report, Lang::Tr).unwrap(), "Puantaj");
    assert_eq!(alone, within, "the same sheet as in the month workbook");
    assert_prints_as_a_grid(&std::fs::read(&path).unwrap(), 1, "Puantaj");

    let english = puantaj_xlsx_bytes(&report, Lang::En).unwrap();
    let sheet = grid(&english, "Attendance");
    assert!(text(&sheet.get((0, 0)).unwrap().clone()).contains("Attendance sheet — April 2026"));
    let header = headers(&sheet);
    assert_eq!(header[..FIRST_DAY + 1], ["Employee", "Turkish ID no", "1\nWed"]);
    assert!(header.contains(&"Yİ: Annual leave".to_string()), "{header:?}");
    assert!(header.contains(&"Premium days".to_string()) && header.contains(&"Missing days".to_string()));
    assert_eq!(days(&person(&sheet, BURAK))[13], "D", "the office's letters in English too");
}
