//! The report from rows as a server holds them (schema fields as JSON, in no particular order):
//! the records are made with `Record::from_fields`, and the workbook comes back as bytes.

use rainstaff_core::hours::Calendar;
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_report::{Month, MonthInput, Selection, build, shifts_range, xlsx_bytes};
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the fixtures are objects"),
    }
}

fn employee(name: &str, region: &str) -> Record<Employee> {
    let row = json!({
        "full_name": name, "identity_no": null, "department": null, "title": null, "hire_date": null,
        "active": true, "contract_kind": "full_time", "weekly_minutes": 2700, "break_policy": "statutory",
    });
    Record::from_fields(Uuid::new_v4(), region.into(), fields(row), None).expect("an employee row")
}

fn shift(who: &Record<Employee>, date: &str, start: &str, end: &str) -> Record<Shift> {
    let row = json!({
        "employee_id": who.id.to_string(), "work_date": date, "start_time": start, "end_time": end,
        "break_minutes": 60, "special_day": false, "note": null,
    });
    Record::from_fields(Uuid::new_v4(), who.region.clone(), fields(row), None).expect("a shift row")
}

#[test]
fn rows_in_any_order_make_the_report_a_store_would() {
    let month = Month::new(2026, 4).unwrap();
    assert_eq!(
        shifts_range(month),
        ("2025-12-28".parse().unwrap(), "2026-05-04".parse().unwrap()),
        "the whole weeks around April 2026 and every earlier week of 2026 (for the yearly cap), and a \
         day either side for shifts over midnight"
    );
    let (zeynep, ali, other) =
        (employee("ZEYNEP", "Ankara"), employee("ALİ", "Ankara"), employee("AY", "Izmir"));
    let input = MonthInput {
        company: Some("  ".into()),
        calendar: Calendar::builtin_tr(),
        shifts: vec![
            shift(&zeynep, "2026-04-07", "13:00", "17:00"),
            shift(&zeynep, "2026-04-07", "08:00", "12:00"),
            shift(&zeynep, "2026-05-04", "08:00", "17:00"),
            shift(&ali, "2026-04-06", "08:00", "17:00"),
            shift(&other, "2026-04-06", "08:00", "17:00"),
        ],
        employees: vec![zeynep, ali, other],
        closed: Default::default(),
        leaves: Vec::new(),
        letters: Default::default(),
    };
    let selection = Selection { month, employee: None, region: "Ankara".into() };
    let report = build(&input, &selection, &mut |_| {}).unwrap();

    assert_eq!(report.company, None, "a blank company name is none");
    let names: Vec<&str> = report.employees.iter().map(|e| e.employee.data.full_name.as_str()).collect();
    assert_eq!(names, ["ALİ", "ZEYNEP"], "the region's people, by name");
    let zeynep = &report.employees[1];
    let starts: Vec<&str> = zeynep.rows.iter().map(|r| r.shift.start_time.as_str()).collect();
    assert_eq!(starts, ["08:00", "13:00"], "the month's shifts, by start; May's is left out");
    assert!(
        zeynep.rows[0].day.is_some() && zeynep.rows[1].day.is_none(),
        "the date's values on its first row"
    );

    let bytes = xlsx_bytes(&report, rainstaff_core::i18n::Lang::En).unwrap();
    assert!(bytes.starts_with(b"PK"), "an .xlsx file is a zip archive");
}

#[test]
fn one_employee_asked_for_must_be_in_the_region() {
    let ali = employee("ALİ", "Ankara");
    let input = MonthInput {
        company: None,
        calendar: Calendar::builtin_tr(),
        employees: vec![ali.clone()],
        shifts: vec![],
        closed: Default::default(),
        leaves: Vec::new(),
        letters: Default::default(),
    };
    let selection =
        Selection { month: Month::new(2026, 4).unwrap(), employee: Some(ali.id), region: "Izmir".into() };
    let err = build(&input, &selection, &mut |_| {}).unwrap_err();
    assert_eq!(err.to_string(), format!("employee {} is not in Izmir", ali.id));
}
