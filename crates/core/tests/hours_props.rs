//! The invariants of `shared/spec/hours-engine.md` as property tests: the partition adds up at
//! every level, tags stay within the worked minutes, overtime covers the daily excess, periods are
//! the sum of their days, and neither input order, a split shift (at midnight, anywhere, or with a
//! gap under 4 h), shifts outside a period nor a later month changes anything it should not; the
//! parts of a period cut at month ends pay exactly the period's payable.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rainstaff_core::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, DayHours, Flag, Payable, PeriodHours, Policy, Report,
    Rounding, ShiftInput, compute, run_json, statutory_break, weekday_code,
};
use rainstaff_core::time::format_hhmm;
use serde_json::json;

const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn contracts() -> impl Strategy<Value = Contract> {
    let kind = prop_oneof![Just(ContractKind::FullTime), Just(ContractKind::PartTime)];
    let policy = prop_oneof![
        Just(BreakPolicy::Statutory),
        Just(BreakPolicy::AsEntered),
        (0u32..=120).prop_map(BreakPolicy::Fixed),
    ];
    let days = || proptest::sample::subsequence(WEEKDAYS.to_vec(), 0..=3);
    (kind, 600u32..=2700, policy, days(), days()).prop_map(
        |(kind, weekly_minutes, break_policy, rest_days, weekend_days)| Contract {
            kind,
            weekly_minutes,
            break_policy,
            rest_days,
            weekend_days,
        },
    )
}

fn policies() -> impl Strategy<Value = Policy> {
    let rounding = prop_oneof![Just(Rounding::None), Just(Rounding::HalfHourUp)];
    // Mondays around the spec's default anchor.
    let anchor = (0u64..9).prop_map(|w| date("2025-12-01") + Days::new(7 * w));
    (1u32..=3, rounding, prop_oneof![Just(0u32), 0u32..=450], anchor).prop_map(
        |(averaging_weeks, rounding, ubgt_offset_minutes, averaging_anchor)| Policy {
            averaging_weeks,
            rounding,
            ubgt_offset_minutes,
            averaging_anchor,
        },
    )
}

/// Shifts on dates `first .. first + days`, starting on the quarter hour (so that entries often
/// touch), lasting up to 16 h, with or without a typed break.
fn shifts(
    first: &'static str,
    days: u64,
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<ShiftInput>> {
    let one = (0..days, 0u32..96, 1u32..=64, proptest::option::of(0u32..=90)).prop_map(
        move |(d, quarter, quarters, brk)| {
            let start = quarter * 15;
            let end = (start + quarters * 15) % 1440;
            ShiftInput::new(date(first) + Days::new(d), start, end, brk)
        },
    );
    proptest::collection::vec(one, count)
}

fn run(contract: &Contract, policy: &Policy, ytd: u32, shifts: &[ShiftInput]) -> Report {
    compute(contract, policy, &Calendar::builtin_tr(), ytd, shifts).unwrap()
}

fn days_of(r: &Report, start: NaiveDate, end: NaiveDate) -> Vec<&DayHours> {
    r.days.iter().filter(|d| start <= d.date && d.date <= end).collect()
}

fn check_report(r: &Report, ytd: u32) -> Result<(), TestCaseError> {
    for d in &r.days {
        prop_assert_eq!(d.normal + d.extra25 + d.ot50, d.worked, "day {}", d.date);
        prop_assert_eq!(d.worked + d.break_minutes, d.span, "day {}", d.date);
        for tag in [d.night, d.holiday, d.weekend, d.rest_day] {
            prop_assert!(tag <= d.worked, "day {} tag {} > worked {}", d.date, tag, d.worked);
        }
        prop_assert!(d.ot50 >= d.daily_excess);
        prop_assert!(d.daily_excess <= d.worked);
    }
    let mut seen = 0;
    for p in &r.periods {
        let days = days_of(r, p.start, p.end);
        prop_assert!(!days.is_empty());
        seen += days.len();
        let sum = |f: fn(&DayHours) -> u32| days.iter().map(|d| f(d)).sum::<u32>();
        prop_assert_eq!(p.worked, sum(|d| d.worked));
        prop_assert_eq!(p.normal, sum(|d| d.normal));
        prop_assert_eq!(p.extra25, sum(|d| d.extra25));
        prop_assert_eq!(p.ot50, sum(|d| d.ot50));
        prop_assert_eq!(p.night, sum(|d| d.night));
        prop_assert_eq!(p.holiday, sum(|d| d.holiday));
        prop_assert_eq!(p.weekend, sum(|d| d.weekend));
        prop_assert_eq!(p.rest_day, sum(|d| d.rest_day));
        prop_assert_eq!(p.holiday_units, days.iter().map(|d| d.holiday_units).sum::<f64>());
        prop_assert_eq!(p.normal + p.extra25 + p.ot50, p.worked);
        for tag in [p.night, p.holiday, p.weekend, p.rest_day] {
            prop_assert!(tag <= p.worked);
        }
        prop_assert!(p.ot50 >= sum(|d| d.daily_excess));
        prop_assert!(p.ot50_payable >= p.ot50 && p.ot50_payable < p.ot50 + 30);
        prop_assert!(p.extra25_payable >= p.extra25 && p.extra25_payable < p.extra25 + 30);
        let day_flags: BTreeSet<Flag> = days.iter().flat_map(|d| d.flags.iter().copied()).collect();
        prop_assert!(p.flags.is_superset(&day_flags));
    }
    prop_assert_eq!(seen, r.days.len(), "every day in exactly one period");
    let t = &r.total;
    let sum = |f: fn(&DayHours) -> u32| r.days.iter().map(f).sum::<u32>();
    prop_assert_eq!(t.worked, sum(|d| d.worked));
    prop_assert_eq!(t.normal, sum(|d| d.normal));
    prop_assert_eq!(t.extra25, sum(|d| d.extra25));
    prop_assert_eq!(t.ot50, sum(|d| d.ot50));
    prop_assert_eq!(t.night, sum(|d| d.night));
    prop_assert_eq!(t.holiday, sum(|d| d.holiday));
    prop_assert_eq!(t.weekend, sum(|d| d.weekend));
    prop_assert_eq!(t.rest_day, sum(|d| d.rest_day));
    prop_assert_eq!(t.ot50_payable, r.periods.iter().map(|p| p.ot50_payable).sum::<u32>());
    prop_assert_eq!(t.extra25_payable, r.periods.iter().map(|p| p.extra25_payable).sum::<u32>());
    prop_assert_eq!(t.holiday_units, r.periods.iter().map(|p| p.holiday_units).sum::<f64>());
    prop_assert_eq!(t.normal + t.extra25 + t.ot50, t.worked);
    for tag in [t.night, t.holiday, t.weekend, t.rest_day] {
        prop_assert!(tag <= t.worked);
    }
    prop_assert!(t.ot50 >= sum(|d| d.daily_excess));
    prop_assert_eq!(t.ytd_ot50, ytd + t.ot50);
    prop_assert_eq!(t.over_cap, (ytd + t.ot50).saturating_sub(16200));
    let all: BTreeSet<Flag> = r.periods.iter().flat_map(|p| p.flags.iter().copied()).collect();
    prop_assert!(t.flags.is_superset(&all));
    prop_assert_eq!(t.flags.contains(&Flag::AnnualOtCapExceeded), t.over_cap > 0);
    prop_assert!(r.days.windows(2).all(|w| w[0].date < w[1].date));
    // Each holiday date earns its units once at most, however many shifts reach into it.
    if let (Some(first), Some(last)) = (r.days.first(), r.days.last()) {
        let tr = Calendar::builtin_tr();
        let reachable: f64 = first
            .date
            .iter_days()
            .take_while(|d| *d <= last.date + Days::new(2))
            .filter_map(|d| tr.holiday_on(d))
            .map(|h| h.kind.units())
            .sum();
        prop_assert!(t.holiday_units <= reachable);
    }
    Ok(())
}

/// Splits every shift that runs past midnight into two entries that touch at 00:00.
fn split_at_midnight(shifts: &[ShiftInput]) -> Vec<ShiftInput> {
    shifts
        .iter()
        .flat_map(|s| {
            if s.end < s.start && s.end > 0 {
                let next = s.date + Days::new(1);
                vec![
                    ShiftInput::new(s.date, s.start, 0, s.break_minutes),
                    ShiftInput::new(next, 0, s.end, None),
                ]
            } else {
                vec![*s]
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// normal + extra25 + ot50 = worked, tags ≤ worked, ot50 ≥ Σ daily_excess, period = Σ days,
    /// total = Σ periods, at every level. The dates run over Ramazan Bayramı 2026.
    #[test]
    fn numbers_add_up_at_every_level(
        contract in contracts(),
        policy in policies(),
        ytd in prop_oneof![Just(0u32), 0u32..=17000],
        shifts in shifts("2026-03-09", 28, 0..40),
    ) {
        let r = run(&contract, &policy, ytd, &shifts);
        check_report(&r, ytd)?;
    }

    #[test]
    fn input_order_does_not_matter(
        contract in contracts(),
        policy in policies(),
        (shifts, shuffled) in shifts("2026-05-11", 28, 1..40)
            .prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
    ) {
        prop_assert_eq!(run(&contract, &policy, 0, &shifts), run(&contract, &policy, 0, &shuffled));
    }

    #[test]
    fn splitting_a_shift_at_midnight_changes_nothing(
        contract in contracts(),
        policy in policies(),
        shifts in shifts("2026-05-11", 28, 1..30),
    ) {
        let split = split_at_midnight(&shifts);
        let whole = run(&contract, &policy, 0, &shifts).to_json();
        prop_assert_eq!(whole, run(&contract, &policy, 0, &split).to_json());
    }

    /// Changing March leaves every day of January and February, and every period that ends
    /// before March, as it was. March entries start on 2 March, so none touches a February shift.
    #[test]
    fn recomputing_a_month_does_not_change_earlier_months(
        contract in contracts(),
        policy in policies(),
        ytd in prop_oneof![Just(0u32), 15000u32..=16200],
        earlier in shifts("2026-01-01", 59, 0..60),
        march_a in shifts("2026-03-02", 30, 0..25),
        march_b in shifts("2026-03-02", 30, 0..25),
    ) {
        let a = run(&contract, &policy, ytd, &[earlier.clone(), march_a].concat());
        let b = run(&contract, &policy, ytd, &[earlier, march_b].concat());
        let march = date("2026-03-01");
        let before = |r: &Report| r.days.iter().filter(|d| d.date < march).cloned().collect::<Vec<_>>();
        prop_assert_eq!(before(&a), before(&b));
        let periods = |r: &Report| r.periods.iter().filter(|p| p.end < march).cloned().collect::<Vec<_>>();
        prop_assert_eq!(periods(&a), periods(&b));
    }
}

/// Splits a shift `cut` minutes after its start into two entries that touch; the second belongs
/// to the date the cut falls on.
fn split_touching(s: ShiftInput, cut: u32) -> [ShiftInput; 2] {
    let at = s.start + cut;
    let second = s.date + Days::new(u64::from(at / 1440));
    [
        ShiftInput::new(s.date, s.start, at % 1440, s.break_minutes),
        ShiftInput::new(second, at % 1440, s.end, None),
    ]
}

fn duration(s: &ShiftInput) -> u32 {
    (s.end + 1440 - s.start) % 1440
}

/// The break the engine takes for a shift that stands alone (spec §3).
fn lone_break(policy: BreakPolicy, s: &ShiftInput) -> u32 {
    let span = duration(s);
    let chosen = match policy {
        BreakPolicy::Statutory => s.break_minutes.unwrap_or(0).max(statutory_break(span)),
        BreakPolicy::AsEntered => s.break_minutes.unwrap_or(0),
        BreakPolicy::Fixed(n) => n,
    };
    chosen.min(span)
}

/// What a period pays and counts, without the flags (which may rightly see outside work: the
/// yearly cap, a rest-free week reaching over a Monday).
fn numbers(p: &PeriodHours) -> [u32; 11] {
    [
        p.worked,
        p.normal,
        p.extra25,
        p.ot50,
        p.ot50_payable,
        p.extra25_payable,
        p.night,
        p.holiday,
        p.weekend,
        p.rest_day,
        (p.holiday_units * 2.0) as u32,
    ]
}

fn day_numbers(d: &DayHours) -> [u32; 11] {
    [
        d.span,
        d.break_minutes,
        d.worked,
        d.normal,
        d.extra25,
        d.ot50,
        d.daily_excess,
        d.night,
        d.holiday,
        d.weekend,
        d.rest_day,
    ]
}

/// A shift on `date`, starting on any minute and lasting from 15 minutes to 16 h.
fn one_shift(date: NaiveDate) -> impl Strategy<Value = ShiftInput> {
    (0u32..1440, 15u32..=960, proptest::option::of(0u32..=90))
        .prop_map(move |(start, len, brk)| ShiftInput::new(date, start, (start + len) % 1440, brk))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Spec §2: a shift typed as two touching entries, cut at any minute (not only midnight), is
    /// the same shift.
    #[test]
    fn splitting_a_shift_anywhere_into_touching_entries_changes_nothing(
        contract in contracts(),
        policy in policies(),
        shifts in shifts("2026-05-11", 28, 1..30),
        which in any::<proptest::sample::Index>(),
        at in any::<proptest::sample::Index>(),
    ) {
        let i = which.index(shifts.len());
        let cut = 1 + at.index(duration(&shifts[i]) as usize - 1) as u32;
        let mut split = shifts.clone();
        split.splice(i..=i, split_touching(shifts[i], cut));
        prop_assert_eq!(run(&contract, &policy, 0, &shifts).to_json(), run(&contract, &policy, 0, &split).to_json());
    }

    /// Spec §2 and §3: a shift split anywhere with a gap under 4 h, no longer than the break it
    /// takes anyway, is still that shift: the gap is break, and span, break, worked and the
    /// partition of every day and period stay. Night minutes can move with the unpunched rest of
    /// the break (§4), so they are compared when the gap and the shift lie in the day (06:00–20:00),
    /// and then everything is. The gap itself is kept out of the night window, since presence
    /// there decides whether the shift is a night shift (§6).
    #[test]
    fn splitting_a_shift_with_a_gap_under_4_hours_changes_nothing(
        contract in contracts(),
        policy in policies(),
        background in shifts("2026-05-11", 28, 0..30),
        target in one_shift(date("2026-05-20")),
        at in any::<proptest::sample::Index>(),
        gap in any::<proptest::sample::Index>(),
    ) {
        // Nothing else within 4 h of the target: its dates and the days either side stay free.
        let near = |s: &ShiftInput| (date("2026-05-19")..=date("2026-05-21")).contains(&s.date);
        let mut shifts: Vec<ShiftInput> = background.into_iter().filter(|s| !near(s)).collect();
        let len = duration(&target);
        let most = lone_break(contract.break_policy, &target).min(239).min(len.saturating_sub(2));
        prop_assume!(most >= 1);
        let g = 1 + gap.index(most as usize) as u32;
        let cut = 1 + at.index((len - g - 1) as usize) as u32;
        let [first, rest] = split_touching(target, cut);
        let gap_start = first.start + cut;
        // The gap's clock minutes, each within 06:00–20:00.
        prop_assume!((gap_start..gap_start + g).all(|m| (360..1200).contains(&(m % 1440))));
        let second = split_touching(rest, g)[1];
        let split: Vec<ShiftInput> = shifts.iter().copied().chain([first, second]).collect();
        shifts.push(target);
        let (whole, parts) = (run(&contract, &policy, 0, &shifts), run(&contract, &policy, 0, &split));
        let in_day = target.start >= 360 && target.start + len <= 1200;
        if in_day {
            prop_assert_eq!(whole.to_json(), parts.to_json());
        } else {
            let partition = |r: &Report| {
                r.days.iter().map(|d| (d.date, day_numbers(d)[..7].to_vec())).collect::<Vec<_>>()
            };
            prop_assert_eq!(partition(&whole), partition(&parts));
            let periods = |r: &Report| r.periods.iter().map(|p| numbers(p)[..6].to_vec()).collect::<Vec<_>>();
            prop_assert_eq!(periods(&whole), periods(&parts));
        }
    }

    /// Spec §7: periods are fixed blocks, so shifts outside a block, before or after it, leave
    /// its numbers and its days' numbers as they were (only flags may see the outside work). The
    /// block's own shifts keep off its first and last date so that none comes within 4 h of an
    /// outside one.
    #[test]
    fn shifts_outside_a_period_never_change_it(
        contract in contracts(),
        policy in policies(),
        inside in proptest::collection::vec((0u64..19, 0u32..1440, 15u32..=960, proptest::option::of(0u32..=90)), 0..25),
        outside in proptest::collection::vec((any::<bool>(), 0u64..28, 0u32..1440, 15u32..=960), 1..25),
    ) {
        let weeks = u64::from(policy.averaging_weeks);
        let anchor = policy.averaging_anchor;
        let target = date("2026-02-11");
        let offset = (target - anchor).num_days().div_euclid(7 * weeks as i64) * 7 * weeks as i64;
        let start = anchor + chrono::Duration::days(offset);
        let end = start + Days::new(7 * weeks - 1);
        let at = |d: NaiveDate, from: u32, len: u32, brk| ShiftInput::new(d, from, (from + len) % 1440, brk);
        let own: Vec<ShiftInput> = inside
            .iter()
            .map(|&(d, from, len, brk)| at(start + Days::new(1 + d % (7 * weeks - 2)), from, len, brk))
            .collect();
        let others: Vec<ShiftInput> = outside
            .iter()
            .map(|&(before, d, from, len)| {
                let day = if before { start - Days::new(1 + d) } else { end + Days::new(1 + d) };
                at(day, from, len, None)
            })
            .collect();
        let alone = run(&contract, &policy, 0, &own);
        let with = run(&contract, &policy, 0, &[own.clone(), others].concat());
        let block = |r: &Report| {
            let p = r.periods.iter().find(|p| p.start == start).map(|p| (p.end, numbers(p)));
            let days: Vec<_> =
                r.days.iter().filter(|d| start <= d.date && d.date <= end).map(|d| (d.date, day_numbers(d))).collect();
            (p, days)
        };
        prop_assert_eq!(block(&alone), block(&with));
    }

    /// Spec §9: cutting the periods at month ends, each part pays the difference of the rounded
    /// running sums, so the parts of a period add up to its payable, and no part pays more than
    /// its own minutes rounded up alone.
    #[test]
    fn parts_of_a_period_cut_by_month_ends_add_up_to_its_payable(
        contract in contracts(),
        policy in policies(),
        shifts in shifts("2026-01-19", 56, 0..60),
    ) {
        let policy = Policy { rounding: Rounding::HalfHourUp, ..policy };
        let r = run(&contract, &policy, 0, &shifts);
        let month_end = |d: NaiveDate| {
            let next = if d.month() == 12 { date(&format!("{}-01-01", d.year() + 1)) } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).unwrap()
            };
            next.pred_opt().unwrap()
        };
        let mut sum = Payable::default();
        for p in &r.periods {
            let mut parts = Payable::default();
            let mut from = p.start;
            while from <= p.end {
                let to = month_end(from).min(p.end);
                let part = r.payable_between(from, to);
                let own = |f: fn(&DayHours) -> u32| {
                    policy.rounding.apply(r.days.iter().filter(|d| from <= d.date && d.date <= to).map(f).sum())
                };
                prop_assert!(part.ot50 <= own(|d| d.ot50) && part.extra25 <= own(|d| d.extra25));
                parts.ot50 += part.ot50;
                parts.extra25 += part.extra25;
                from = to + Days::new(1);
            }
            prop_assert_eq!((parts.ot50, parts.extra25), (p.ot50_payable, p.extra25_payable), "period {}", p.start);
            sum.ot50 += parts.ot50;
            sum.extra25 += parts.extra25;
        }
        prop_assert_eq!((sum.ot50, sum.extra25), (r.total.ot50_payable, r.total.extra25_payable));
        if let (Some(first), Some(last)) = (r.periods.first(), r.periods.last()) {
            prop_assert_eq!(r.payable_between(first.start, last.end), sum);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The command-line door gives what the library gives.
    #[test]
    fn run_json_agrees_with_compute(
        contract in contracts(),
        policy in policies(),
        shifts in shifts("2026-05-11", 21, 0..20),
    ) {
        let input = json!({
            "contract": {
                "kind": contract.kind.code(),
                "weekly_minutes": contract.weekly_minutes,
                "break_policy": contract.break_policy.to_stored(),
                "rest_days": contract.rest_days.iter().map(|d| weekday_code(*d)).collect::<Vec<_>>(),
                "weekend_days": contract.weekend_days.iter().map(|d| weekday_code(*d)).collect::<Vec<_>>(),
            },
            "policy": {
                "averaging_weeks": policy.averaging_weeks,
                "rounding": policy.rounding.code(),
                "ubgt_offset_minutes": policy.ubgt_offset_minutes,
                "averaging_anchor": policy.averaging_anchor.to_string(),
            },
            "shifts": shifts.iter().map(|s| json!({
                "date": s.date.to_string(),
                "start": format_hhmm(s.start),
                "end": format_hhmm(s.end),
                "break_minutes": s.break_minutes,
            })).collect::<Vec<_>>(),
        });
        let out = run_json(&input.to_string()).unwrap();
        prop_assert_eq!(out, run(&contract, &policy, 0, &shifts).to_json());
    }
}
