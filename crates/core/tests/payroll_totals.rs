//! Month figures through `payroll`, as the workbook and the dashboard take them: each month loads
//! the shifts of `covering_weeks` and sums its own days. Spec §2 and §9 at a month end: a night
//! shift over the month end is counted once, and a cut week's overtime is paid once.

use chrono::NaiveDate;
use rainstaff_core::hours::Calendar;
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{Totals, covering_weeks, employee_report, totals};
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fields(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the fixtures are objects"),
    }
}

fn employee() -> Record<Employee> {
    let row = json!({
        "full_name": "ZEYNEP", "identity_no": null, "department": null, "title": null, "hire_date": null,
        "active": true, "contract_kind": "full_time", "weekly_minutes": 2700, "break_policy": "statutory",
    });
    Record::from_fields(Uuid::new_v4(), "Ankara".into(), fields(row), None).expect("an employee row")
}

fn shift(who: &Record<Employee>, day: &str, start: &str, end: &str) -> Record<Shift> {
    let row = json!({
        "employee_id": who.id.to_string(), "work_date": day, "start_time": start, "end_time": end,
        "break_minutes": 0, "special_day": false, "note": null,
    });
    Record::from_fields(Uuid::new_v4(), who.region.clone(), fields(row), None).expect("a shift row")
}

/// A month's totals from the shifts a store would load for it.
fn month(who: &Record<Employee>, shifts: &[Record<Shift>], first: &str, last: &str) -> Totals {
    let (from, to) = (date(first), date(last));
    let (load_from, load_to) = covering_weeks(from, to);
    let loaded: Vec<Record<Shift>> =
        shifts.iter().filter(|s| (load_from..=load_to).contains(&date(&s.data.work_date))).cloned().collect();
    totals(&employee_report(who, &loaded, &Calendar::builtin_tr()).unwrap(), from, to)
}

#[test]
fn the_load_covers_whole_weeks_and_a_day_either_side() {
    assert_eq!(
        covering_weeks(date("2026-04-01"), date("2026-04-30")),
        (date("2026-03-29"), date("2026-05-04"))
    );
}

#[test]
fn a_night_over_a_month_end_is_counted_once_in_the_month_it_starts() {
    // Sun 31 May 2026 14:00–23:59 and Mon 1 June 00:00–06:00: TV24's shift, dated 31 May.
    let zeynep = employee();
    let shifts =
        [shift(&zeynep, "2026-05-31", "14:00", "23:59"), shift(&zeynep, "2026-06-01", "00:00", "06:00")];
    let may = month(&zeynep, &shifts, "2026-05-01", "2026-05-31");
    let june = month(&zeynep, &shifts, "2026-06-01", "2026-06-30");
    assert_eq!((may.worked, may.ot50, may.ot50_payable), (870, 420, 420));
    assert_eq!((june.worked, june.ot50), (0, 0));
}

#[test]
fn a_week_cut_by_a_month_end_pays_its_overtime_once() {
    // Week of Mon 26 Jan 2026: a full week, then 45 min on Sat 31 Jan and 10 min on Sun 1 Feb.
    let zeynep = employee();
    let mut shifts: Vec<Record<Shift>> =
        (26..=30).map(|d| shift(&zeynep, &format!("2026-01-{d}"), "08:00", "18:00")).collect();
    shifts.push(shift(&zeynep, "2026-01-31", "10:00", "11:00"));
    shifts.push(shift(&zeynep, "2026-02-01", "10:00", "10:25"));
    let jan = month(&zeynep, &shifts, "2026-01-01", "2026-01-31");
    let feb = month(&zeynep, &shifts, "2026-02-01", "2026-02-28");
    assert_eq!((jan.ot50, jan.ot50_payable), (45, 60));
    // Rounded alone February's 10 min would pay another 30; the week pays 60 in all.
    assert_eq!((feb.ot50, feb.ot50_payable), (10, 0));
}
