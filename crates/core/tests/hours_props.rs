//! The invariants of `shared/spec/hours-engine.md` as property tests: the partition adds up at
//! every level, tags stay within the worked minutes, overtime covers the daily excess, periods are
//! the sum of their days, and neither input order, a midnight split nor a later month changes
//! anything it should not.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, Weekday};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rainstaff_core::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, DayHours, Flag, Policy, Report, Rounding, ShiftInput,
    compute, run_json, weekday_code,
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
