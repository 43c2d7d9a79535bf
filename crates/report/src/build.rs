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
use rainstaff_core::hours::{Calendar, DayHours};
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{Totals, covering_weeks, employee_report, totals};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::text::tr_cmp;
use rainstaff_core::time::parse_iso_date;
use uuid::Uuid;

use crate::Month;

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

/// What a month report is computed from: the rows as the caller's store holds them.
#[derive(Debug, Clone)]
pub struct MonthInput {
    /// The company name the titles begin with; blank counts as none.
    pub company: Option<String>,
    /// The public holidays the engine counts: the built-in ones and those the offices added.
    pub calendar: Calendar,
    /// The selection's employees, in any order; others may be among them and are left out.
    pub employees: Vec<Record<Employee>>,
    /// Their shifts over [`shifts_range`] of the month, in any order; others are left out.
    pub shifts: Vec<Record<Shift>>,
}

/// The dates of the shifts a month report needs, first and last included: the whole weeks
/// covering the month and a day either side (see [`covering_weeks`]).
pub fn shifts_range(month: Month) -> (NaiveDate, NaiveDate) {
    covering_weeks(month.first(), month.last())
}

/// Computes the report; `progress` goes from 0 to 1 over the employees.
pub fn build(
    input: &MonthInput,
    selection: &Selection,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<MonthReport> {
    let month = selection.month;
    let employees = chosen_employees(&input.employees, selection)?;
    let (first, last) = shifts_range(month);
    // ISO dates compare as text, as the desktop store's query compares them.
    let (first, last) = (first.to_string(), last.to_string());
    let mut by_employee: HashMap<&str, Vec<&Record<Shift>>> = HashMap::new();
    for s in
        input.shifts.iter().filter(|s| (first.as_str()..=last.as_str()).contains(&s.data.work_date.as_str()))
    {
        by_employee.entry(s.data.employee_id.as_str()).or_default().push(s);
    }
    let count = employees.len().max(1) as f32;
    let mut out = Vec::with_capacity(employees.len());
    for (i, employee) in employees.into_iter().enumerate() {
        // The same shifts the timesheet screen computes with: the employee's own region's.
        let mut mine: Vec<Record<Shift>> = by_employee
            .remove(employee.id.to_string().as_str())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.region == employee.region)
            .cloned()
            .collect();
        // A date's first shift first: `rows` gives it the date's engine values.
        mine.sort_by(|a, b| {
            (&a.data.work_date, &a.data.start_time).cmp(&(&b.data.work_date, &b.data.start_time))
        });
        let in_month =
            mine.iter().any(|s| parse_iso_date(&s.data.work_date).is_ok_and(|d| month.contains(d)));
        if selection.employee.is_none() && !employee.data.active && !in_month {
            continue;
        }
        let report = employee_report(employee, &mine, &input.calendar)?;
        let totals = totals(&report, month.first(), month.last());
        let days: BTreeMap<NaiveDate, DayHours> =
            report.days.into_iter().filter(|d| month.contains(d.date)).map(|d| (d.date, d)).collect();
        out.push(EmployeeMonth { rows: rows(month, mine, days), totals, employee: employee.clone() });
        progress((i + 1) as f32 / count);
    }
    Ok(MonthReport {
        month,
        region: selection.region.clone(),
        company: input.company.clone().filter(|c| !c.trim().is_empty()),
        employees: out,
    })
}

/// Everybody of the region, by name (inactive people only when they worked in the month, which
/// `build` decides), or the one employee asked for.
fn chosen_employees<'a>(
    employees: &'a [Record<Employee>],
    selection: &Selection,
) -> anyhow::Result<Vec<&'a Record<Employee>>> {
    let region = &selection.region;
    let mut chosen: Vec<&Record<Employee>> = employees
        .iter()
        .filter(|e| region == ALL_REGIONS || &e.region == region)
        .filter(|e| selection.employee.is_none_or(|id| e.id == id))
        .collect();
    if let Some(id) = selection.employee
        && chosen.is_empty()
    {
        let region = if region == ALL_REGIONS { "any region" } else { region };
        anyhow::bail!("employee {id} is not in {region}");
    }
    chosen.sort_by(|a, b| tr_cmp(&a.data.full_name, &b.data.full_name));
    Ok(chosen)
}

fn rows(month: Month, shifts: Vec<Record<Shift>>, mut days: BTreeMap<NaiveDate, DayHours>) -> Vec<Row> {
    shifts
        .into_iter()
        .filter_map(|s| {
            let date = parse_iso_date(&s.data.work_date).ok().filter(|d| month.contains(*d))?;
            Some(Row { date, day: days.remove(&date), shift: s.data })
        })
        .collect()
}
