//! The hour engine over typed records: an employee's contract and shifts turned into the engine's
//! input, computed over whole weeks so that weekly overtime lands where the law puts it, under the
//! payroll policy. The desktop's timesheet screen and the month workbook (desktop and server) read
//! their numbers from here; whoever holds the rows loads them, this module reads no store.

use chrono::{Datelike, Duration, NaiveDate};

use crate::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, InputError, Policy, Report, Rounding, ShiftInput, compute,
};
use crate::model::{Employee, Record, Shift};
use crate::time::{parse_hhmm, parse_iso_date, span_minutes};

fn contract_of(e: &Employee) -> Contract {
    Contract {
        kind: if e.contract_kind == "part_time" { ContractKind::PartTime } else { ContractKind::FullTime },
        weekly_minutes: u32::try_from(e.weekly_minutes).unwrap_or(2700),
        break_policy: BreakPolicy::from_stored(&e.break_policy).unwrap_or(BreakPolicy::Statutory),
        ..Contract::default()
    }
}

/// The engine's input for stored shifts; a shift that cannot be read is left out (the store
/// validated it on the way in).
fn shift_inputs(shifts: &[Record<Shift>]) -> Vec<ShiftInput> {
    shifts
        .iter()
        .filter_map(|s| {
            let d = &s.data;
            Some(ShiftInput::new(
                parse_iso_date(&d.work_date).ok()?,
                parse_hhmm(&d.start_time).ok()?,
                parse_hhmm(&d.end_time).ok()?,
                u32::try_from(d.break_minutes).ok(),
            ))
        })
        .collect()
}

/// Worked minutes of one shift as entered: end − start (next day when end is earlier) − break.
pub fn worked_minutes(s: &Shift) -> Option<i64> {
    let span = span_minutes(parse_hhmm(&s.start_time).ok()?, parse_hhmm(&s.end_time).ok()?).ok()?;
    Some(i64::from(span) - s.break_minutes)
}

/// The policy payroll is computed under: weekly periods, and overtime paid in half hours (L7).
fn payroll_policy() -> Policy {
    Policy { rounding: Rounding::HalfHourUp, ..Policy::default() }
}

/// Monday of the week `d` is in.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The dates whose shifts the hours of `from..=to` depend on: the whole weeks covering them, since
/// a week's overtime depends on all of its days, and one day either side, since entries under 4 h
/// apart are one shift across midnight (spec §2). Without the Sunday before, a Monday 00:00 entry
/// that continues Sunday's shift would be counted as a shift of its own; without the Monday after,
/// the last Sunday's night shift would lose its Monday part. The extra days' own hours belong to
/// the neighbouring weeks and stay outside any figure of `from..=to`.
pub fn covering_weeks(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (week_start(from) - Duration::days(1), week_start(to) + Duration::days(7))
}

/// The dates of the shifts to load for `from..=to` when the year-to-date ot50 matters too (the
/// annual cap, L6): [`covering_weeks`] from 1 January of `from`'s year. An [`employee_report`]
/// over them flags the days where the year passes 270 h, gives the year's figure through any day
/// with [`Report::ytd_ot50_through`], and leaves the numbers of `from..=to` as they are over the
/// shorter load, since periods are fixed blocks (spec §7, §10).
pub fn covering_year(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    covering_weeks(from.with_ordinal(1).unwrap_or(from), to)
}

/// An employee's hours over `shifts` (the whole weeks around the days wanted; see
/// [`covering_weeks`]), under the payroll policy: the timesheet panel and the workbook both compute
/// here, so the figures a manager checks on screen are the ones payroll is paid from.
pub fn employee_report(
    employee: &Record<Employee>,
    shifts: &[Record<Shift>],
    calendar: &Calendar,
) -> Result<Report, PayrollError> {
    compute(&contract_of(&employee.data), &payroll_policy(), calendar, 0, &shift_inputs(shifts))
        .map_err(|problem| PayrollError { employee: employee.data.full_name.clone(), problem })
}

/// Shifts the engine refused, with whose they are: a report of many people must say which one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{employee}: {problem}")]
pub struct PayrollError {
    pub employee: String,
    pub problem: InputError,
}

/// What a period adds up to, for the days of a report inside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub worked: u32,
    pub normal: u32,
    pub extra25: u32,
    pub ot50: u32,
    /// Overtime as payroll pays it (L7): each week's part inside the range is the difference of
    /// the week's rounded running sums (spec §9), so a week cut by a month end is paid once.
    pub ot50_payable: u32,
    pub extra25_payable: u32,
    pub night: u32,
    pub holiday: u32,
    pub holiday_units: f64,
    pub weekend: u32,
    pub rest_day: u32,
    pub flagged_days: u32,
}

impl std::ops::AddAssign<&Totals> for Totals {
    /// Adds another period's or employee's totals, minute by minute.
    fn add_assign(&mut self, t: &Totals) {
        self.worked += t.worked;
        self.normal += t.normal;
        self.extra25 += t.extra25;
        self.ot50 += t.ot50;
        self.ot50_payable += t.ot50_payable;
        self.extra25_payable += t.extra25_payable;
        self.night += t.night;
        self.holiday += t.holiday;
        self.holiday_units += t.holiday_units;
        self.weekend += t.weekend;
        self.rest_day += t.rest_day;
        self.flagged_days += t.flagged_days;
    }
}

/// What the days of `report` from `from` to `to` (inclusive) add up to.
pub fn totals(report: &Report, from: NaiveDate, to: NaiveDate) -> Totals {
    let mut t = Totals::default();
    for d in report.days.iter().filter(|d| d.date >= from && d.date <= to) {
        t.worked += d.worked;
        t.normal += d.normal;
        t.extra25 += d.extra25;
        t.ot50 += d.ot50;
        t.night += d.night;
        t.holiday += d.holiday;
        t.holiday_units += d.holiday_units;
        t.weekend += d.weekend;
        t.rest_day += d.rest_day;
        t.flagged_days += u32::from(!d.flags.is_empty());
    }
    let payable = report.payable_between(from, to);
    (t.ot50_payable, t.extra25_payable) = (payable.ot50, payable.extra25);
    t
}
