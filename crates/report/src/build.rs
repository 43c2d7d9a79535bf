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
//!
//! Year to date: the yearly 270 h overtime cap counts every overtime minute of the calendar year,
//! so the engine also computes every earlier week of the month's year in the same run; only the
//! month's days are reported, but the cap's flag and the year-to-date figure are the year's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rainstaff_core::hours::{Calendar, DayHours, Flag, Report};
use rainstaff_core::leave::{Leave, Span};
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{Totals, covering_year, employee_report, totals, week_start};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::puantaj::{Employment, Letters, PersonMonth, person_month};
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
    /// How payroll closed the month, by region (those it was approved or locked in).
    pub closed: BTreeMap<String, Closed>,
    /// The letters the puantaj grid writes its days with.
    pub letters: Letters,
}

/// A region's month as payroll closed it (`schema::PERIOD_LOCKS`): its state, who, and when (a
/// stored UTC timestamp).
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    pub state: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct EmployeeMonth {
    pub employee: Record<Employee>,
    /// The employee's shifts that start in the month, by date and start time.
    pub rows: Vec<Row>,
    pub totals: Totals,
    /// The Monday–Sunday weeks of the month the employee worked in, each cut to the month.
    pub weeks: Vec<WeekPart>,
    /// Every flag of the month: those of its dates and those the engine raised on its weeks.
    pub flags: BTreeSet<Flag>,
    /// Overtime (+50 %) of the calendar year up to the month's last day, for the 270 h cap.
    pub ytd_ot50: u32,
    /// The month's days as the puantaj shows them, with its premium and missing days.
    pub puantaj: PersonMonth,
}

/// The part of a Monday–Sunday week inside the month: a subtotal of an employee's sheet.
#[derive(Debug, Clone)]
pub struct WeekPart {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub totals: Totals,
    pub break_minutes: u32,
    /// What the engine flagged on the week as a whole (no 24 h rest), not on one of its dates.
    pub flags: BTreeSet<Flag>,
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
    /// Those of the year's earlier months count towards the yearly overtime cap.
    pub shifts: Vec<Record<Shift>>,
    /// The month's state for payroll in each region that approved or locked it.
    pub closed: BTreeMap<String, Closed>,
    /// The selection's leaves reaching into the month, in any order; others are left out.
    pub leaves: Vec<Record<Leave>>,
    /// The letters the puantaj writes (the office's settings, or the defaults).
    pub letters: Letters,
}

/// The dates of the shifts a month report needs, first and last included: the whole weeks
/// covering the month and a day either side (see `payroll::covering_weeks`), from the first week of
/// the month's year: the yearly overtime cap counts the year's overtime so far (see
/// [`covering_year`]).
pub fn shifts_range(month: Month) -> (NaiveDate, NaiveDate) {
    covering_year(month.first(), month.last())
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
        let spans = spans_of(&input.leaves, employee);
        let employment = employment_of(&employee.data);
        let employed = employment.hire.is_none_or(|h| h <= month.last())
            && employment.leaving.is_none_or(|l| l >= month.first());
        let on_leave = spans.iter().any(|s| s.first <= month.last() && s.last >= month.first());
        if selection.employee.is_none() && !in_month && !on_leave && (!employee.data.active || !employed) {
            continue;
        }
        let report = employee_report(employee, &mine, &input.calendar)?;
        let totals = totals(&report, month.first(), month.last());
        let weeks = weeks(&report, month);
        let mut flags: BTreeSet<Flag> = weeks.iter().flat_map(|w| w.flags.iter().copied()).collect();
        let ytd_ot50 = ytd_ot50(&report, month);
        let days: BTreeMap<NaiveDate, DayHours> =
            report.days.into_iter().filter(|d| month.contains(d.date)).map(|d| (d.date, d)).collect();
        flags.extend(days.values().flat_map(|d| d.flags.iter().copied()));
        let worked: BTreeMap<NaiveDate, u32> =
            days.values().filter(|d| d.worked > 0).map(|d| (d.date, d.worked)).collect();
        let puantaj = person_month(month.first(), employment, &worked, &spans, &input.calendar);
        out.push(EmployeeMonth {
            puantaj,
            rows: rows(month, mine, days),
            totals,
            weeks,
            flags,
            ytd_ot50,
            employee: employee.clone(),
        });
        progress((i + 1) as f32 / count);
    }
    Ok(MonthReport {
        month,
        region: selection.region.clone(),
        company: input.company.clone().filter(|c| !c.trim().is_empty()),
        employees: out,
        closed: input.closed.clone(),
        letters: input.letters.clone(),
    })
}

/// The employee's leaves as the puantaj counts them: those of the employee's own region, as
/// their shifts are.
fn spans_of(leaves: &[Record<Leave>], employee: &Record<Employee>) -> Vec<Span> {
    let id = employee.id.to_string();
    leaves
        .iter()
        .filter(|l| l.data.employee_id == id && l.region == employee.region)
        .filter_map(|l| Span::of(&l.data))
        .collect()
}

fn employment_of(e: &Employee) -> Employment {
    let day = |d: &Option<String>| d.as_deref().and_then(|d| parse_iso_date(d).ok());
    Employment { hire: day(&e.hire_date), leaving: day(&e.leaving_date) }
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

/// The weeks with a worked date in the month, cut to the month. A week's payable overtime is
/// what [`totals`] makes of its part, so the parts add up to the month's totals.
fn weeks(report: &Report, month: Month) -> Vec<WeekPart> {
    let mondays: BTreeSet<NaiveDate> =
        report.days.iter().filter(|d| month.contains(d.date)).map(|d| week_start(d.date)).collect();
    mondays
        .into_iter()
        .map(|monday| {
            let from = monday.max(month.first());
            let to = (monday + chrono::Duration::days(6)).min(month.last());
            let inside = |d: &&DayHours| d.date >= from && d.date <= to;
            WeekPart {
                from,
                to,
                totals: totals(report, from, to),
                break_minutes: report.days.iter().filter(inside).map(|d| d.break_minutes).sum(),
                flags: week_flags(report, monday),
            }
        })
        .collect()
}

/// The flags of the engine's period holding `monday` that none of the period's dates carries.
fn week_flags(report: &Report, monday: NaiveDate) -> BTreeSet<Flag> {
    let Some(period) = report.periods.iter().find(|p| p.start <= monday && monday <= p.end) else {
        return BTreeSet::new();
    };
    let of_days: BTreeSet<Flag> = report
        .days
        .iter()
        .filter(|d| d.date >= period.start && d.date <= period.end)
        .flat_map(|d| d.flags.iter().copied())
        .collect();
    period.flags.difference(&of_days).copied().collect()
}

/// The overtime (+50 %) of the month's calendar year up to its last day.
fn ytd_ot50(report: &Report, month: Month) -> u32 {
    report.ytd_ot50_through(month.last()).unwrap_or_default()
}
