//! The numbers of a month report: which employees, which shifts, and what the hour engine makes
//! of them under each employee's contract.
//!
//! Week boundaries: the engine allocates weekly overtime over Monday–Sunday weeks, so a week
//! that straddles the first or last day of the month cannot be judged from the month's days
//! alone (Thursday 1st may be the day that crosses 45 h because of Monday–Wednesday of the
//! previous month). The report therefore computes every whole week that overlaps the month,
//! shifts of the neighbouring months included, and then reports only the days inside the month.
//! A shift belongs to the date it starts on, so an overnight shift starting on the last day of
//! the month is this month's, all of its minutes included, and one starting on the last day of
//! the previous month is not. Each row carries the engine's values of its date, so the rows of
//! an employee add up to the employee's totals exactly, with no rounding in between.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rainstaff_core::hours::DayHours;
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{Totals, covering_weeks, employee_report, totals};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::time::parse_iso_date;
use uuid::Uuid;

use super::Month;
use crate::db::Store;
use crate::db::import::COMPANY_NAME_KEY;
use crate::db::queries::ShiftFilter;

/// Who a report is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub month: Month,
    /// One employee, or None for everybody in `region`.
    pub employee: Option<Uuid>,
    /// A region code, or ALL.
    pub region: String,
}

/// A month's numbers, ready to be written in any format.
#[derive(Debug, Clone)]
pub struct MonthReport {
    pub month: Month,
    pub region: String,
    pub company: Option<String>,
    pub employees: Vec<EmployeeMonth>,
}

#[derive(Debug, Clone)]
pub struct EmployeeMonth {
    pub employee: Record<Employee>,
    /// The employee's shifts that start in the month, by date and start time.
    pub rows: Vec<Row>,
    pub totals: Totals,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub date: NaiveDate,
    pub shift: Shift,
    /// The engine's values of the date, on the date's first shift only: the engine counts a
    /// date's shifts together (breaks, caps), so they cannot be split between rows. None on the
    /// other shifts of the date, and on a shift the engine joined to the previous date's (one
    /// starting the moment an overnight shift ended), whose minutes that date carries.
    pub day: Option<DayHours>,
}

impl EmployeeMonth {
    /// Break minutes the engine counted on the month's dates.
    pub fn break_minutes(&self) -> u32 {
        self.rows.iter().filter_map(|r| r.day.as_ref()).map(|d| d.break_minutes).sum()
    }
}

/// Gathers and computes the report; `progress` goes from 0 to 1 over the employees.
pub fn build(
    store: &Store,
    selection: &Selection,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<MonthReport> {
    let month = selection.month;
    let employees = chosen_employees(store, selection)?;
    let (first, last) = covering_weeks(month.first(), month.last());
    // One read for everybody: a query per employee would scan the table once each.
    let shifts = store.shifts(&ShiftFilter {
        employee: selection.employee,
        from: Some(first),
        to: Some(last),
        region: selection.region.clone(),
    })?;
    let mut by_employee: HashMap<String, Vec<Record<Shift>>> = HashMap::new();
    for s in shifts {
        by_employee.entry(s.data.employee_id.clone()).or_default().push(s);
    }
    let calendar = store.calendar()?;
    let count = employees.len().max(1) as f32;
    let mut out = Vec::with_capacity(employees.len());
    for (i, employee) in employees.into_iter().enumerate() {
        // The same shifts the timesheet screen computes with: the employee's own region's.
        let mine: Vec<Record<Shift>> = by_employee
            .remove(&employee.id.to_string())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.region == employee.region)
            .collect();
        let in_month =
            mine.iter().any(|s| parse_iso_date(&s.data.work_date).is_ok_and(|d| month.contains(d)));
        if selection.employee.is_none() && !employee.data.active && !in_month {
            continue;
        }
        let report = employee_report(&employee, &mine, &calendar)?;
        let totals = totals(&report, month.first(), month.last());
        let days: BTreeMap<NaiveDate, DayHours> =
            report.days.into_iter().filter(|d| month.contains(d.date)).map(|d| (d.date, d)).collect();
        out.push(EmployeeMonth { rows: rows(month, mine, days), totals, employee });
        progress((i + 1) as f32 / count);
    }
    Ok(MonthReport {
        month,
        region: selection.region.clone(),
        company: store.setting(COMPANY_NAME_KEY)?.filter(|c| !c.trim().is_empty()),
        employees: out,
    })
}

/// Everybody of the region (inactive people only when they worked in the month, which `build`
/// decides), or the one employee asked for.
fn chosen_employees(store: &Store, selection: &Selection) -> anyhow::Result<Vec<Record<Employee>>> {
    let employees = store.employees(&selection.region)?;
    match selection.employee {
        None => Ok(employees),
        Some(id) => {
            let one: Vec<_> = employees.into_iter().filter(|e| e.id == id).collect();
            if one.is_empty() {
                let region = if selection.region == ALL_REGIONS { "any region" } else { &selection.region };
                anyhow::bail!("employee {id} is not in {region}");
            }
            Ok(one)
        }
    }
}

fn rows(month: Month, shifts: Vec<Record<Shift>>, mut days: BTreeMap<NaiveDate, DayHours>) -> Vec<Row> {
    // `Store::shifts` returns shifts by date and start time, so a date's first row comes first.
    shifts
        .into_iter()
        .filter_map(|s| {
            let date = parse_iso_date(&s.data.work_date).ok().filter(|d| month.contains(*d))?;
            Some(Row { date, day: days.remove(&date), shift: s.data })
        })
        .collect()
}
