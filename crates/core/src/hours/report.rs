//! What the engine hands back. Serialising a [`Report`] gives exactly the JSON of the spec.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::BreakPolicy;
use super::breaks::BreakDecision;
use super::flags::Flag;
use super::input::Rounding;
use crate::i18n::Lang;

/// One date's minutes. Tags (night … rest_day) overlap each other and the partition
/// normal + extra25 + ot50 = worked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayHours {
    pub date: NaiveDate,
    /// From first start to last end, summed over the date's shifts.
    pub span: u32,
    #[serde(rename = "break")]
    pub break_minutes: u32,
    pub worked: u32,
    pub normal: u32,
    pub extra25: u32,
    pub ot50: u32,
    /// Work above the day's cap (660, or 450 for a night shift), all of it in ot50.
    pub daily_excess: u32,
    pub night: u32,
    pub holiday: u32,
    pub holiday_units: f64,
    pub weekend: u32,
    pub rest_day: u32,
    pub night_shift: bool,
    pub flags: BTreeSet<Flag>,
    /// What [`DayHours::explain`] needs; not part of the JSON.
    #[serde(skip)]
    pub why: DayWhy,
}

/// How a day's numbers arose. Opaque: read it through [`DayHours::explain`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayWhy {
    pub(crate) policy: BreakPolicy,
    pub(crate) shifts: Vec<ShiftWhy>,
    pub(crate) night_presence: u32,
    pub(crate) cap: u32,
    pub(crate) weeks: u32,
    pub(crate) threshold: u32,
    pub(crate) contract_threshold: u32,
    /// Minutes of the period counted towards the threshold before this day.
    pub(crate) cum_before: u32,
    /// This day's minutes counted towards the threshold (worked − excess − UBGT offset).
    pub(crate) counted: u32,
    pub(crate) ubgt_offset: u32,
}

/// One merged shift of the day; times are minutes from the day's midnight (over 1440 is the
/// next day).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ShiftWhy {
    pub start: i64,
    pub end: i64,
    pub entries: u32,
    pub breaks: BreakDecision,
    pub placed: Vec<(i64, i64)>,
}

/// A week (Monday–Sunday) or an averaging block of N weeks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodHours {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub worked: u32,
    pub normal: u32,
    pub extra25: u32,
    pub ot50: u32,
    pub ot50_payable: u32,
    pub extra25_payable: u32,
    pub night: u32,
    pub holiday: u32,
    pub holiday_units: f64,
    pub weekend: u32,
    pub rest_day: u32,
    pub flags: BTreeSet<Flag>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TotalHours {
    pub worked: u32,
    pub normal: u32,
    pub extra25: u32,
    pub ot50: u32,
    /// Sum of the periods' payable values (each period is rounded on its own).
    pub ot50_payable: u32,
    pub extra25_payable: u32,
    pub night: u32,
    pub holiday: u32,
    pub holiday_units: f64,
    pub weekend: u32,
    pub rest_day: u32,
    /// The year-to-date ot50 of the calendar year of the last day: the given figure plus this
    /// run's when the run stays in one year; see [`Report::years`] for each year.
    pub ytd_ot50: u32,
    /// Minutes above the 270 h yearly limit, each year's excess summed (one year: ytd_ot50 − 16200).
    pub over_cap: u32,
    pub flags: BTreeSet<Flag>,
}

/// One calendar year's ot50 as far as a run reaches into it (L6, spec §10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearHours {
    pub year: i32,
    /// Done before the run's first date in this year: the given figure for the run's first year,
    /// 0 for the later ones, which the run covers from 1 January.
    pub before: u32,
    /// This run's ot50 on dates of this year.
    pub ot50: u32,
    pub ytd_ot50: u32,
    /// ytd_ot50 above the 270 h yearly limit.
    pub over_cap: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub days: Vec<DayHours>,
    pub periods: Vec<PeriodHours>,
    pub total: TotalHours,
    /// Each calendar year the days fall in, in order; not part of the JSON.
    #[serde(skip)]
    pub years: Vec<YearHours>,
    /// How the payable values were rounded, for [`Report::payable_between`].
    #[serde(skip)]
    pub rounding: Rounding,
}

/// The overtime a stretch of days pays, rounded as the periods are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Payable {
    pub ot50: u32,
    pub extra25: u32,
}

impl Report {
    pub fn day(&self, date: NaiveDate) -> Option<&DayHours> {
        self.days.iter().find(|d| d.date == date)
    }

    /// The explanation of one date, if anything was worked on it.
    pub fn explain(&self, date: NaiveDate, lang: Lang) -> Option<Vec<String>> {
        self.day(date).map(|d| d.explain(lang))
    }

    /// What the days `from..=to` pay when a report cuts periods there (spec §9): each period
    /// pays its part as the rounded running sum up to the part's last day minus the rounded
    /// running sum before its first day. The parts of a period cut at month ends therefore add up
    /// to the period's payable, where rounding each part up on its own would pay a cut week twice.
    pub fn payable_between(&self, from: NaiveDate, to: NaiveDate) -> Payable {
        let mut out = Payable::default();
        for p in &self.periods {
            let (mut before, mut through) = (Payable::default(), Payable::default());
            for d in self.days.iter().filter(|d| p.start <= d.date && d.date <= p.end.min(to)) {
                through.ot50 += d.ot50;
                through.extra25 += d.extra25;
                if d.date < from {
                    before.ot50 += d.ot50;
                    before.extra25 += d.extra25;
                }
            }
            let round = |m| self.rounding.apply(m);
            out.ot50 += round(through.ot50) - round(before.ot50);
            out.extra25 += round(through.extra25) - round(before.extra25);
        }
        out
    }

    /// The year-to-date ot50 of `date`'s calendar year through the end of `date` (spec §10), or
    /// `None` when the run has no day in that year.
    pub fn ytd_ot50_through(&self, date: NaiveDate) -> Option<u32> {
        let year = self.years.iter().find(|y| y.year == date.year())?;
        let done: u32 =
            self.days.iter().filter(|d| d.date.year() == year.year && d.date <= date).map(|d| d.ot50).sum();
        Some(year.before.saturating_add(done))
    }

    /// The output of `rainstaff hours`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "days": self.days,
            "periods": self.periods,
            "total": self.total,
        })
    }
}
