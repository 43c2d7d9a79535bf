//! What a payroll clerk reads in the month workbook and the CSV: every flag in words (the yearly
//! cap with the year's overtime so far), payable and decimal-hours columns, week subtotals, "+1"
//! on an overnight end, the print setup, and a CSV that Excel with Turkish settings opens as is.
//! The workbook is read back with calamine, the print setup and number formats from its XML.

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx};
use chrono::NaiveDate;
use rainstaff_core::hours::{Calendar, Flag};
use rainstaff_core::i18n::Lang;
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::employee_report;
use rainstaff_report::{CsvDialect, Month, MonthInput, MonthReport, Selection, build, write_csv, xlsx_bytes};
use uuid::Uuid;

/// Title, context line, headers: the table's header is the third row.
const HEADER_ROW: usize = 2;
const FULL_TIME: &str = "AYŞE IŞIK";
const PART_TIME: &str = "BURAK ÇELİK";

fn employee(name: &str, kind: &str, weekly: i64) -> Record<Employee> {
    let data = Employee {
        full_name: name.into(),
        contract_kind: kind.into(),
        weekly_minutes: weekly,
        ..Employee::default()
    };
    Record { id: Uuid::new_v4(), region: "Ankara".into(), data, sync_error: None }
}

fn shift(who: &Record<Employee>, date: &str, start: &str, end: &str) -> Record<Shift> {
    let data = Shift {
        employee_id: who.id.to_string(),
        work_date: date.into(),
        start_time: start.into(),
        end_time: end.into(),
        break_minutes: 0,
        special_day: false,
        note: None,
    };
    Record { id: Uuid::new_v4(), region: who.region.clone(), data, sync_error: None }
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// April 2026, with every flag the engine raises somewhere:
/// - the full-timer worked 14 h a day, seven days a week, from 2 February to 15 March: 255 h of
///   overtime before April, so April's overtime passes the yearly 270 h; three such days at the
///   end of 2025 are last year's and count for nothing;
/// - in April she works every day from Monday the 6th to Sunday the 12th (no 24 h rest; 14 h on
///   Monday, over 11 h; Sunday, the rest day), overnight from Monday the 13th into Tuesday, and
///   on 23 April, a public holiday;
/// - the part-timer (20 h a week) works 3 × 8 h in a week, and a 10 h night on the 28th.
fn input() -> MonthInput {
    let (full, part) = (employee(FULL_TIME, "full_time", 2700), employee(PART_TIME, "part_time", 1200));
    let mut shifts = Vec::new();
    let mut long_day =
        |who: &Record<Employee>, d: NaiveDate| shifts.push(shift(who, &d.to_string(), "07:00", "21:00"));
    for d in date("2025-12-29").iter_days().take(3) {
        long_day(&full, d);
    }
    for d in date("2026-02-02").iter_days().take(42) {
        long_day(&full, d);
    }
    long_day(&full, date("2026-04-06"));
    for d in 7..=12 {
        shifts.push(shift(&full, &format!("2026-04-{d:02}"), "08:00", "17:00"));
    }
    shifts.push(shift(&full, "2026-04-13", "22:00", "06:00"));
    shifts.push(shift(&full, "2026-04-23", "08:00", "12:00"));
    for d in 20..=22 {
        shifts.push(shift(&part, &format!("2026-04-{d:02}"), "08:00", "17:00"));
    }
    shifts.push(shift(&part, "2026-04-28", "20:00", "06:00"));
    MonthInput {
        company: Some("Yağmur & Ortakları".into()),
        calendar: Calendar::builtin_tr(),
        employees: vec![full, part],
        shifts,
        closed: Default::default(),
        leaves: Vec::new(),
        letters: Default::default(),
    }
}

fn april() -> MonthReport {
    let selection =
        Selection { month: Month::new(2026, 4).unwrap(), employee: None, region: "Ankara".into() };
    build(&input(), &selection, &mut |_| {}).unwrap()
}

/// The full-timer's overtime of 2026 up to 30 April, from the engine run over exactly those
/// shifts: last year's three days are not among them.
fn expected_ytd(input: &MonthInput) -> u32 {
    let full = input.employees.iter().find(|e| e.data.full_name == FULL_TIME).unwrap();
    let of_2026: Vec<Record<Shift>> = input
        .shifts
        .iter()
        .filter(|s| s.data.employee_id == full.id.to_string() && s.data.work_date.starts_with("2026"))
        .cloned()
        .collect();
    employee_report(full, &of_2026, &input.calendar).unwrap().total.ytd_ot50
}

// ---- reading the workbook back ----

fn sheets(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).unwrap()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

/// A duration cell, in minutes.
fn minutes(cell: &Data) -> f64 {
    match cell {
        Data::DateTime(d) if d.is_duration() => (d.as_f64() * 1440.0).round(),
        other => panic!("expected a duration, found {other:?}"),
    }
}

/// A decimal-hours cell: a plain number, so that `=cell*wage` needs no × 24.
fn hours(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        other => panic!("expected decimal hours, found {other:?}"),
    }
}

fn row(range: &Range<Data>, r: usize) -> Vec<Data> {
    (0..range.width()).map(|c| range.get((r, c)).cloned().unwrap_or(Data::Empty)).collect()
}

fn headers(range: &Range<Data>) -> Vec<String> {
    row(range, HEADER_ROW).iter().map(text).collect()
}

fn column(range: &Range<Data>, label: &str) -> usize {
    headers(range).iter().position(|h| h == label).unwrap_or_else(|| panic!("no column {label}"))
}

fn rows_below_header(range: &Range<Data>) -> Vec<Vec<Data>> {
    (HEADER_ROW + 1..range.height()).map(|r| row(range, r)).collect()
}

/// A file inside the .xlsx archive.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// The value of `attribute` in the first element that starts with `element` after `from`.
fn attribute<'a>(xml: &'a str, element: &str, attr: &str) -> Option<&'a str> {
    let at = xml.find(element)?;
    let tag = &xml[at..at + xml[at..].find('>')?];
    let start = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The number format Excel shows cell `reference` of a sheet with.
fn number_format(bytes: &[u8], sheet: usize, reference: &str) -> String {
    let xml = part(bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
    let style: usize = attribute(&xml, &format!("<c r=\"{reference}\""), "s").unwrap().parse().unwrap();
    let styles = part(bytes, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = xfs.match_indices("<xf ").nth(style).unwrap().0;
    let id = attribute(&xfs[xf..], "<xf ", "numFmtId").unwrap();
    attribute(&styles, &format!("<numFmt numFmtId=\"{id}\""), "formatCode").unwrap().replace("&quot;", "\"")
}

fn words(flags: &[Flag]) -> Vec<&'static str> {
    flags.iter().map(|f| f.label(Lang::Tr)).collect()
}

#[test]
fn the_summary_says_every_flag_in_words_with_the_year_to_date_overtime() {
    let report = april();
    let bytes = xlsx_bytes(&report, Lang::Tr).unwrap();
    let summary = sheets(&bytes).worksheet_range("Özet").unwrap();
    let flags_at = column(&summary, "Uyarılar");
    let ytd_at = column(&summary, "Yıl başından fazla çalışma (%50)");
    let rows = rows_below_header(&summary);
    let full = rows.iter().find(|r| text(&r[0]) == FULL_TIME).unwrap();
    let part = rows.iter().find(|r| text(&r[0]) == PART_TIME).unwrap();

    let ytd = expected_ytd(&input());
    assert!(ytd > 16200, "the fixture is over the yearly cap: {ytd}");
    assert_eq!(minutes(&full[ytd_at]), f64::from(ytd), "2026's overtime only, up to 30 April");
    let said = text(&full[flags_at]);
    let full_flags = [Flag::NoWeeklyRest, Flag::DailyMaxExceeded, Flag::RestDayWorked, Flag::HolidayWorked];
    for label in words(&full_flags) {
        assert!(said.contains(label), "{label} missing from {said}");
    }
    let cap = format!(
        "{} (yıl başından beri: {}:{:02})",
        Flag::AnnualOtCapExceeded.label(Lang::Tr),
        ytd / 60,
        ytd % 60
    );
    assert!(said.contains(&cap), "{cap} missing from {said}");
    let said = text(&part[flags_at]);
    for label in words(&[Flag::PartTimeExcess, Flag::NightMaxExceeded]) {
        assert!(said.contains(label), "{label} missing from {said}");
    }

    // Decimal hours beside h:mm, for worked time and for payable overtime.
    for (hm, dec) in [
        ("Çalışma", "Çalışma (saat)"),
        ("Ödenecek fazla çalışma (%50)", "Ödenecek fazla çalışma (%50, saat)"),
        ("Ödenecek fazla süre (%25)", "Ödenecek fazla süre (%25, saat)"),
    ] {
        let (hm, dec) = (column(&summary, hm), column(&summary, dec));
        assert_eq!(dec, hm + 1, "the decimal column is beside its h:mm one");
        for r in [full, part] {
            assert_eq!(hours(&r[dec]), minutes(&r[hm]) / 60.0);
        }
    }
    let e = report.employees.iter().find(|e| e.employee.data.full_name == FULL_TIME).unwrap();
    assert!(e.totals.ot50_payable > 0);
    assert_eq!(
        minutes(&full[column(&summary, "Ödenecek fazla çalışma (%50)")]),
        f64::from(e.totals.ot50_payable)
    );
}

#[test]
fn employee_sheets_have_week_subtotals_payable_columns_and_plus_one_on_overnight_ends() {
    let report = april();
    let bytes = xlsx_bytes(&report, Lang::Tr).unwrap();
    let mut book = sheets(&bytes);
    assert_eq!(book.sheet_names(), ["Özet", "Puantaj", FULL_TIME, PART_TIME]);
    let sheet = book.worksheet_range(FULL_TIME).unwrap();
    let context = text(&sheet.get((1, 0)).unwrap().clone());
    let ytd = expected_ytd(&input());
    assert!(
        context.contains(&format!("Yıl başından fazla çalışma (%50): {}:{:02}", ytd / 60, ytd % 60)),
        "{context}"
    );

    let (worked, worked_h) = (column(&sheet, "Çalışma"), column(&sheet, "Çalışma (saat)"));
    let payable = column(&sheet, "Ödenecek fazla çalışma (%50)");
    let payable_h = column(&sheet, "Ödenecek fazla çalışma (%50, saat)");
    let flags = column(&sheet, "Uyarılar");
    let rows = rows_below_header(&sheet);
    let label = |r: &Vec<Data>| match &r[0] {
        Data::String(s) => s.clone(),
        _ => String::new(),
    };
    let weeks: Vec<&Vec<Data>> = rows.iter().filter(|r| label(r).starts_with("Hafta ")).collect();
    let labels: Vec<String> = weeks.iter().map(|r| label(r)).collect();
    assert_eq!(labels, ["Hafta 06.04–12.04", "Hafta 13.04–19.04", "Hafta 20.04–26.04"]);
    // Each subtotal sits right under its week's last day: the Sunday of the 12th, then the
    // overnight shift of the 13th, then the holiday of the 23rd.
    let positions: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| label(r).starts_with("Hafta ")).map(|(i, _)| i).collect();
    assert_eq!(positions, [7, 9, 11]);
    let totals = rows.last().unwrap();
    assert_eq!(label(totals), "Toplam");
    for c in [worked, payable] {
        let sum: f64 = weeks.iter().map(|w| minutes(&w[c])).sum();
        assert_eq!(sum, minutes(&totals[c]), "the weeks add up to the month in {}", headers(&sheet)[c]);
    }
    let e = report.employees.iter().find(|e| e.employee.data.full_name == FULL_TIME).unwrap();
    assert_eq!(minutes(&totals[payable]), f64::from(e.totals.ot50_payable));
    assert_eq!(hours(&totals[payable_h]), f64::from(e.totals.ot50_payable) / 60.0);
    assert_eq!(hours(&totals[worked_h]), f64::from(e.totals.worked) / 60.0);
    assert_eq!(text(&rows[0][payable]), "", "payable overtime is a week's figure, not a day's");
    assert!(hours(&rows[0][worked_h]) > 11.0, "a day's decimal hours: 14 h less the break");
    let no_rest = Flag::NoWeeklyRest.label(Lang::Tr);
    assert_eq!(text(&weeks[0][flags]), no_rest, "the week's own flag on its subtotal");
    assert!(!text(&rows[0][flags]).contains(no_rest), "not on a day");
    let all = text(&totals[flags]);
    let every: BTreeSet<Flag> = e.flags.clone();
    assert!(every.contains(&Flag::NoWeeklyRest) && every.contains(&Flag::AnnualOtCapExceeded));
    for f in every {
        assert!(all.contains(f.label(Lang::Tr)), "{f:?} missing from {all}");
    }

    // The overnight shift's end is a time with "+1"; a day shift's is a plain time. Sheet 3 is
    // the full-timer's; data start on Excel's row 4, and the overnight shift is the 9th row.
    let end = |r: usize| number_format(&bytes, 3, &format!("D{}", HEADER_ROW + 2 + r));
    assert_eq!(end(8), "hh:mm\" +1\"");
    assert_eq!(end(6), "hh:mm");
    match &rows[8][3] {
        Data::DateTime(t) => assert_eq!((t.as_f64() * 1440.0).round(), 360.0, "still the time 06:00"),
        other => panic!("expected a time, found {other:?}"),
    }
}

#[test]
fn every_sheet_prints_landscape_one_page_wide_with_headers_repeated() {
    let bytes = xlsx_bytes(&april(), Lang::Tr).unwrap();
    for sheet in 1..=4 {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert_eq!(attribute(&xml, "<pageSetup", "orientation"), Some("landscape"), "sheet {sheet}");
        assert_eq!(attribute(&xml, "<pageSetup", "paperSize"), Some("9"), "A4");
        assert_eq!(attribute(&xml, "<pageSetUpPr", "fitToPage"), Some("1"));
        // One page wide (Excel's default width, so not written) and as many pages tall as need be.
        assert_eq!(attribute(&xml, "<pageSetup", "fitToWidth"), None);
        assert_eq!(attribute(&xml, "<pageSetup", "fitToHeight"), Some("0"));
        let header = &xml[xml.find("<oddHeader>").unwrap()..xml.find("</oddHeader>").unwrap()];
        assert!(header.contains("&amp;LYağmur &amp;&amp; Ortakları&amp;CNisan 2026&amp;RAnkara"), "{header}");
    }
    // The title, the context line and the column headers on every printed page.
    let workbook = part(&bytes, "xl/workbook.xml");
    assert_eq!(workbook.matches("_xlnm.Print_Titles").count(), 4, "{workbook}");
    assert_eq!(workbook.matches("!$1:$3</definedName>").count(), 4, "{workbook}");
}

#[test]
fn the_csv_for_people_opens_in_turkish_excel() {
    let report = april();
    let mut bytes = Vec::new();
    write_csv(&report, Lang::Tr, CsvDialect::Excel, &mut bytes).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte order mark");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..6], ["Personel", "Bölge", "Tarih", "Gün", "Başlangıç", "Bitiş"]);
    assert!(
        header.contains(&"Ödenecek fazla çalışma (%50)".to_string())
            && header.contains(&"Uyarılar".to_string())
    );
    let at = |label: &str| header.iter().position(|h| h == label).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let full: Vec<&csv::StringRecord> = records.iter().filter(|r| &r[0] == FULL_TIME).collect();
    // 9 shifts, 3 week subtotals and the totals, as on her sheet.
    assert_eq!(full.len(), 13);
    let overnight = full.iter().find(|r| &r[2] == "13.04.2026").unwrap();
    assert_eq!([&overnight[4], &overnight[5]], ["22:00", "06:00 +1"]);
    let e = report.employees.iter().find(|e| e.employee.data.full_name == FULL_TIME).unwrap();
    let totals = full.last().unwrap();
    assert_eq!(&totals[2], "Toplam");
    let hm = |m: u32| format!("{}:{:02}", m / 60, m % 60);
    assert_eq!(&totals[at("Çalışma")], hm(e.totals.worked), "durations as h:mm");
    assert_eq!(&totals[at("Ödenecek fazla çalışma (%50)")], hm(e.totals.ot50_payable));
    let decimal = format!("{:.2}", f64::from(e.totals.worked) / 60.0).replace('.', ",");
    assert_eq!(&totals[at("Çalışma (saat)")], decimal, "a decimal comma");
    assert!(totals[at("Uyarılar")].contains("yıl başından beri"));
    assert!(full.iter().any(|r| &r[2] == "Hafta 06.04–12.04"));

    let mut english = Vec::new();
    write_csv(&report, Lang::En, CsvDialect::Excel, &mut english).unwrap();
    let first_line = english[3..].split(|b| *b == b'\n').next().unwrap();
    assert!(first_line.starts_with(b"Employee;Region;Date;Day;Start;End;"), "English headers in English");
}

#[test]
fn the_plain_csv_keeps_a_row_per_shift_in_whole_minutes_for_scripts() {
    let report = april();
    let mut bytes = Vec::new();
    write_csv(&report, Lang::En, CsvDialect::Plain, &mut bytes).unwrap();
    assert!(bytes.starts_with(b"Employee,Region,"), "no byte order mark, commas");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
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
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let shifts: usize = report.employees.iter().map(|e| e.rows.len()).sum();
    assert_eq!(records.len(), shifts, "a row per shift, no subtotals");
    let overnight = records.iter().find(|r| &r[2] == "13.04.2026").unwrap();
    assert_eq!(&overnight[5], "06:00");
    let e = report.employees.iter().find(|e| e.employee.data.full_name == FULL_TIME).unwrap();
    let worked: u32 =
        records.iter().filter(|r| &r[0] == FULL_TIME).map(|r| r[7].parse::<u32>().unwrap_or(0)).sum();
    assert_eq!(worked, e.totals.worked, "whole minutes");
}
