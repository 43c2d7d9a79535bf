//! The computation of the spec, step by step: merge entries into shifts, decide and place breaks,
//! tag minutes by clock, cap the day, then walk the days of each period against the weekly
//! threshold.

use std::collections::BTreeSet;

use chrono::{Datelike, Weekday};

use super::breaks::{decide, place};
use super::calendar::{Calendar, HolidayKind};
use super::flags::Flag;
use super::input::{self, Contract, ContractKind, InputError, Policy, ShiftInput};
use super::report::{DayHours, DayWhy, PeriodHours, Report, ShiftWhy, TotalHours, YearHours};
use super::timeline::{
    self, DAY, Group, Span, date_of_day, day_number, minutes, minutes_on_weekdays, monday_of, night_minutes,
    overlap,
};

/// Most work a day may hold (L2); beyond it is overtime whatever the week (L9).
pub const DAILY_CAP: u32 = 660;
/// Most work of a night shift (L11, L12).
pub const NIGHT_CAP: u32 = 450;
/// Normal working time of a week (L1).
pub const WEEKLY_THRESHOLD: u32 = 2700;
/// Most ot50 in a calendar year (L6).
pub const ANNUAL_OT_CAP: u32 = 16200;
/// The night window, as minutes of the day: from 20:00 to 06:00.
pub const NIGHT_START: u32 = 20 * 60;
pub const NIGHT_END: u32 = 6 * 60;

/// Computes an employee's hours. `ytd_ot50` is the ot50 already done in the calendar year of the
/// earliest worked date, before that date; every later year of the run starts at 0 on 1 January
/// (spec §10). A caller that wants a year's figure from its own shifts can run from the week of
/// 1 January with 0 and read [`Report::ytd_ot50_through`]. The shifts may come in any order;
/// errors name the shift by its index in `shifts`.
pub fn compute(
    contract: &Contract,
    policy: &Policy,
    calendar: &Calendar,
    ytd_ot50: u32,
    shifts: &[ShiftInput],
) -> Result<Report, InputError> {
    input::check(contract, policy, shifts)?;
    let groups = timeline::groups(shifts);
    let mut days = measure_days(contract, calendar, &groups);
    let mut periods = allocate(contract, policy, ytd_ot50, &mut days);
    flag_weekly_rest(&groups, &days, &mut periods);
    for p in &mut periods {
        p.ot50_payable = policy.rounding.apply(p.ot50);
        p.extra25_payable = policy.rounding.apply(p.extra25);
    }
    let years = years(&days, ytd_ot50);
    let total = totals(&periods, &years, ytd_ot50);
    Ok(Report { days, periods, total, years, rounding: policy.rounding })
}

fn weekday_mask(days: &[Weekday]) -> u8 {
    days.iter().fold(0, |m, d| m | 1 << d.num_days_from_monday())
}

/// Steps 1–6 of the spec: everything that depends on one date alone, plus the holiday units,
/// which go to the first date that works a holiday so that two dates reaching into the same
/// holiday do not both earn its extra day.
fn measure_days(contract: &Contract, calendar: &Calendar, groups: &[Group]) -> Vec<DayHours> {
    let weekend_mask = weekday_mask(&contract.weekend_days);
    let rest_mask = weekday_mask(&contract.rest_days);
    let mut days: Vec<DayHours> = Vec::new();
    let mut credited: BTreeSet<i64> = BTreeSet::new();
    let mut touched: Vec<(i64, HolidayKind)> = Vec::new();
    // Groups come in time order and a group's date is that of its start, so dates come in order.
    for (i, g) in groups.iter().enumerate() {
        let span = g.span();
        let decision = decide(contract.break_policy, span, span - g.presence(), g.entered);
        let (worked_spans, placed) = place(&g.segments, decision.minutes - decision.gap);
        let day_start = g.day * DAY;
        if days.last().is_none_or(|d| day_number(d.date) != g.day) {
            touched.clear();
            days.push(empty_day(g.day, contract));
        }
        let Some(day) = days.last_mut() else { continue };
        day.span += span;
        day.break_minutes += decision.minutes;
        day.worked += span - decision.minutes;
        day.why.night_presence += g.segments.iter().map(|&s| night_minutes(s)).sum::<u32>();
        for &s in &worked_spans {
            day.night += night_minutes(s);
            day.weekend += minutes_on_weekdays(s, weekend_mask);
            day.rest_day += minutes_on_weekdays(s, rest_mask);
            day.holiday += holiday_minutes(calendar, s, &mut touched);
        }
        day.why.shifts.push(ShiftWhy {
            start: g.start - day_start,
            end: g.end - day_start,
            entries: g.parts,
            breaks: decision,
            placed: placed.iter().map(|p| (p.0 - day_start, p.1 - day_start)).collect(),
        });
        let last_of_day = groups.get(i + 1).is_none_or(|next| next.day != g.day);
        if last_of_day {
            for &(date, kind) in &touched {
                if credited.insert(date) {
                    day.holiday_units += kind.units();
                }
            }
            close_day(day);
        }
    }
    days
}

fn empty_day(day: i64, contract: &Contract) -> DayHours {
    DayHours {
        date: date_of_day(day),
        span: 0,
        break_minutes: 0,
        worked: 0,
        normal: 0,
        extra25: 0,
        ot50: 0,
        daily_excess: 0,
        night: 0,
        holiday: 0,
        holiday_units: 0.0,
        weekend: 0,
        rest_day: 0,
        night_shift: false,
        flags: BTreeSet::new(),
        why: DayWhy { policy: contract.break_policy, ..DayWhy::default() },
    }
}

/// Holiday minutes of a worked span; records the holiday dates it reaches.
fn holiday_minutes(calendar: &Calendar, s: Span, touched: &mut Vec<(i64, HolidayKind)>) -> u32 {
    let mut total = 0;
    let mut day = s.0.div_euclid(DAY);
    while day * DAY < s.1 {
        if let Some((from, kind)) = calendar.window_start(date_of_day(day)) {
            let m = overlap(s, (day * DAY + i64::from(from), (day + 1) * DAY));
            if m > 0 {
                total += m;
                if !touched.iter().any(|t| t.0 == day) {
                    touched.push((day, kind));
                }
            }
        }
        day += 1;
    }
    total
}

/// Step 6 and the flags that depend on the day alone.
fn close_day(day: &mut DayHours) {
    day.night_shift = u64::from(day.why.night_presence) * 2 > u64::from(day.span);
    day.why.cap = if day.night_shift { NIGHT_CAP } else { DAILY_CAP };
    day.daily_excess = day.worked.saturating_sub(day.why.cap);
    // One flag per cap: a night shift over its 450 min is a night warning even past 660 (TV24).
    if !day.night_shift && day.daily_excess > 0 {
        day.flags.insert(Flag::DailyMaxExceeded);
    }
    if (day.night_shift && day.daily_excess > 0) || day.night > NIGHT_CAP {
        day.flags.insert(Flag::NightMaxExceeded);
    }
    if day.rest_day > 0 {
        day.flags.insert(Flag::RestDayWorked);
    }
    if day.holiday > 0 {
        day.flags.insert(Flag::HolidayWorked);
    }
}

/// Steps 7, 8 and 10: the chronological walk of each period against its thresholds.
fn allocate(contract: &Contract, policy: &Policy, ytd_ot50: u32, days: &mut [DayHours]) -> Vec<PeriodHours> {
    let weeks = policy.averaging_weeks;
    let threshold = WEEKLY_THRESHOLD * weeks;
    let contract_threshold = contract.weekly_minutes.min(WEEKLY_THRESHOLD) * weeks;
    let block = 7 * i64::from(weeks);
    // `input::check` made the anchor a Monday.
    let anchor = day_number(policy.averaging_anchor);
    let mut periods: Vec<PeriodHours> = Vec::new();
    let mut cum: u32 = 0;
    let mut year = days.first().map(|d| d.date.year());
    let mut year_ot50 = u64::from(ytd_ot50);
    for day in days.iter_mut() {
        if year != Some(day.date.year()) {
            year = Some(day.date.year());
            year_ot50 = 0;
        }
        let start = anchor + (day_number(day.date) - anchor).div_euclid(block) * block;
        if periods.last().is_none_or(|p| day_number(p.start) != start) {
            periods.push(empty_period(start, block));
            cum = 0;
        }
        let base = day.worked - day.daily_excess;
        let offset = policy.ubgt_offset_minutes.min(day.holiday).min(base);
        let counted = base - offset;
        let over = (cum + counted).saturating_sub(cum.max(threshold));
        day.extra25 = (cum + counted).min(threshold).saturating_sub(cum.max(contract_threshold));
        day.ot50 = day.daily_excess + over;
        day.normal = day.worked - day.ot50 - day.extra25;
        day.why = DayWhy {
            weeks,
            threshold,
            contract_threshold,
            cum_before: cum,
            counted,
            ubgt_offset: offset,
            ..std::mem::take(&mut day.why)
        };
        cum += counted;
        year_ot50 += u64::from(day.ot50);
        if day.ot50 > 0 && year_ot50 > u64::from(ANNUAL_OT_CAP) {
            day.flags.insert(Flag::AnnualOtCapExceeded);
        }
        if contract.kind == ContractKind::PartTime && day.ot50 + day.extra25 > 0 {
            day.flags.insert(Flag::PartTimeExcess);
        }
        if let Some(p) = periods.last_mut() {
            add_day(p, day);
        }
    }
    periods
}

fn empty_period(start: i64, block: i64) -> PeriodHours {
    PeriodHours { start: date_of_day(start), end: date_of_day(start + block - 1), ..Default::default() }
}

fn add_day(p: &mut PeriodHours, d: &DayHours) {
    p.worked += d.worked;
    p.normal += d.normal;
    p.extra25 += d.extra25;
    p.ot50 += d.ot50;
    p.night += d.night;
    p.holiday += d.holiday;
    p.holiday_units += d.holiday_units;
    p.weekend += d.weekend;
    p.rest_day += d.rest_day;
    p.flags.extend(d.flags.iter().copied());
}

/// Step 11: every Monday–Sunday week with a worked date needs 24 h without presence. Presence
/// counts whichever date it belongs to, so a Sunday night shift reaching into Monday counts in
/// both weeks.
fn flag_weekly_rest(groups: &[Group], days: &[DayHours], periods: &mut [PeriodHours]) {
    let presence: Vec<Span> = groups.iter().flat_map(|g| g.segments.iter().copied()).collect();
    let mondays: BTreeSet<i64> = days.iter().map(|d| monday_of(day_number(d.date))).collect();
    for monday in mondays {
        let (from, to) = (monday * DAY, (monday + 7) * DAY);
        if timeline::longest_free(&presence, from, to) >= minutes(DAY) {
            continue;
        }
        let date = date_of_day(monday);
        if let Some(p) = periods.iter_mut().find(|p| p.start <= date && date <= p.end) {
            p.flags.insert(Flag::NoWeeklyRest);
        }
    }
}

/// Step 10 per calendar year: the given figure belongs to the first year, later ones start at 0.
fn years(days: &[DayHours], ytd_ot50: u32) -> Vec<YearHours> {
    let mut years: Vec<YearHours> = Vec::new();
    for d in days {
        if years.last().is_none_or(|y| y.year != d.date.year()) {
            let before = if years.is_empty() { ytd_ot50 } else { 0 };
            years.push(YearHours { year: d.date.year(), before, ot50: 0, ytd_ot50: before, over_cap: 0 });
        }
        if let Some(y) = years.last_mut() {
            y.ot50 += d.ot50;
            y.ytd_ot50 = y.before.saturating_add(y.ot50);
            y.over_cap = y.ytd_ot50.saturating_sub(ANNUAL_OT_CAP);
        }
    }
    years
}

fn totals(periods: &[PeriodHours], years: &[YearHours], ytd_ot50: u32) -> TotalHours {
    let mut t = TotalHours::default();
    for p in periods {
        t.worked += p.worked;
        t.normal += p.normal;
        t.extra25 += p.extra25;
        t.ot50 += p.ot50;
        t.ot50_payable += p.ot50_payable;
        t.extra25_payable += p.extra25_payable;
        t.night += p.night;
        t.holiday += p.holiday;
        t.holiday_units += p.holiday_units;
        t.weekend += p.weekend;
        t.rest_day += p.rest_day;
        t.flags.extend(p.flags.iter().copied());
    }
    // The year the run ends in is the one the next run goes on with; the minutes over the cap
    // are each year's own. Without any day the given figure stands as it is.
    t.ytd_ot50 = years.last().map_or(ytd_ot50, |y| y.ytd_ot50);
    t.over_cap = match years {
        [] => ytd_ot50.saturating_sub(ANNUAL_OT_CAP),
        _ => years.iter().map(|y| y.over_cap).sum(),
    };
    if t.over_cap > 0 {
        t.flags.insert(Flag::AnnualOtCapExceeded);
    }
    t
}
