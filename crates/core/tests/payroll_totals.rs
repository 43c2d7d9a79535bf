//! Month figures through `payroll`, as the workbook and the dashboard take them: each month loads
//! the shifts of `covering_weeks` (or `covering_year` for the year to date) and sums its own days.
//! Spec §2, §9 and §10 at month ends: a night shift over the month end is counted once, a cut
//! week's overtime is paid once, and a month loaded from New Year knows the annual cap.

use chrono::{Datelike, NaiveDate, Weekday};
use rainstaff_core::hours::{Calendar, Flag, Report};
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{Totals, covering_weeks, covering_year, employee_report, totals};
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

#[test]
fn a_month_loaded_from_new_year_knows_the_year_to_date_overtime() {
    // From 2 March 2026, Mon–Sat 08:00–19:00: 3600 min a week, 900 of them ot50. By 30 June
    // (17 weeks and a Monday and Tuesday under 45 h) the year has 15300 min, under 270 h; July
    // passes it. Loaded from New Year, the July days over the cap are flagged.
    let zeynep = employee();
    let mut shifts = Vec::new();
    let mut day = date("2026-03-02");
    while day <= date("2026-07-31") {
        if day.weekday() != Weekday::Sun {
            shifts.push(shift(&zeynep, &day.to_string(), "08:00", "19:00"));
        }
        day = day.succ_opt().unwrap();
    }
    let (from, to) = (date("2026-07-01"), date("2026-07-31"));
    let (load_from, load_to) = covering_year(from, to);
    assert_eq!((load_from, load_to), (date("2025-12-28"), date("2026-08-03")));
    let loaded: Vec<Record<Shift>> =
        shifts.iter().filter(|s| (load_from..=load_to).contains(&date(&s.data.work_date))).cloned().collect();
    let year = employee_report(&zeynep, &loaded, &Calendar::builtin_tr()).unwrap();
    assert_eq!(year.ytd_ot50_through(date("2026-06-30")), Some(15300));
    assert!(year.ytd_ot50_through(to).is_some_and(|m| m > 16200));
    let flagged = |r: &Report| {
        r.days.iter().filter(|d| d.date >= from && d.flags.contains(&Flag::AnnualOtCapExceeded)).count()
    };
    assert!(flagged(&year) > 0);
    // The month's own numbers are those of the month loaded alone; only the flag needs the year.
    let (month_from, month_to) = covering_weeks(from, to);
    let alone: Vec<Record<Shift>> = shifts
        .iter()
        .filter(|s| (month_from..=month_to).contains(&date(&s.data.work_date)))
        .cloned()
        .collect();
    let alone = employee_report(&zeynep, &alone, &Calendar::builtin_tr()).unwrap();
    assert_eq!(totals(&year, from, to).ot50, totals(&alone, from, to).ot50);
    assert_eq!(flagged(&alone), 0);
}
