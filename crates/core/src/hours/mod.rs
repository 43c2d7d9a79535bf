//! Hour engine: what a timesheet's minutes are worth under Labour Law 4857 (see
//! `shared/spec/hours-engine.md`). Pure: integer minutes in, numbers for payroll out; no I/O, no
//! clock. Wall-clock times are Europe/Istanbul, which has kept UTC+3 all year since 2016, so a
//! wall-clock minute count is also an elapsed-time count.
//!
//! Two doors lead in: [`compute`] for Rust callers (timesheet screen, reports) and [`run_json`] for
//! the `rainstaff hours` command and tests. [`DayHours::explain`] says in words how a day came out.

mod breaks;
mod calendar;
mod engine;
mod explain;
mod flags;
mod input;
mod json;
mod report;
mod timeline;

pub use breaks::{statutory_break, statutory_minimum};
pub use calendar::{Calendar, HolidayDay, HolidayKind};
pub use engine::{ANNUAL_OT_CAP, DAILY_CAP, NIGHT_CAP, NIGHT_END, NIGHT_START, WEEKLY_THRESHOLD, compute};
pub use flags::Flag;
pub use input::{
    Contract, ContractKind, DEFAULT_AVERAGING_ANCHOR, InputError, InputProblem, Policy, Rounding, ShiftInput,
    weekday_code, weekday_from_code,
};
pub use json::{Request, run_json};
pub use report::{DayHours, DayWhy, Payable, PeriodHours, Report, TotalHours, YearHours};

/// How an employee's break is determined; stored as `statutory`, `as_entered` or `fixed:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BreakPolicy {
    /// The larger of the entered break, the gaps between entries and the legal minimum (L10).
    #[default]
    Statutory,
    /// What was entered (and the gaps between entries), trusted as is.
    AsEntered,
    /// Always this many minutes (or the gaps between entries, when longer).
    Fixed(u32),
}

impl BreakPolicy {
    pub fn from_stored(s: &str) -> Option<BreakPolicy> {
        match s {
            "statutory" => Some(BreakPolicy::Statutory),
            "as_entered" => Some(BreakPolicy::AsEntered),
            _ => s.strip_prefix("fixed:")?.parse().ok().map(BreakPolicy::Fixed),
        }
    }

    pub fn to_stored(self) -> String {
        match self {
            BreakPolicy::Statutory => "statutory".into(),
            BreakPolicy::AsEntered => "as_entered".into(),
            BreakPolicy::Fixed(n) => format!("fixed:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BreakPolicy;

    #[test]
    fn stored_break_policies_round_trip() {
        for p in [BreakPolicy::Statutory, BreakPolicy::AsEntered, BreakPolicy::Fixed(45)] {
            assert_eq!(BreakPolicy::from_stored(&p.to_stored()), Some(p));
        }
        assert_eq!(BreakPolicy::from_stored("fixed:x"), None);
        assert_eq!(BreakPolicy::from_stored("none"), None);
    }
}
