//! The SGK premium days hold whatever the month brings: random months of 2026, random work,
//! random leaves of every kind (never two on one day, as the rules keep them), random hire and
//! leaving dates.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rainstaff_core::hours::Calendar;
use rainstaff_core::leave::{LeaveKind, Span};
use rainstaff_core::puantaj::{Employment, FULL_MONTH, PersonMonth, month_bounds, person_month};

fn month_of(index: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, index % 12 + 1, 1).unwrap()
}

/// Leaves as (offset from the month's first day − 10, length, kind), laid end to end so none
/// overlaps another; the first may start before the month and the last end after it.
fn spans(first: NaiveDate, raw: &[(i64, i64, usize)]) -> Vec<Span> {
    let mut at = first - Duration::days(10);
    raw.iter()
        .map(|&(gap, len, kind)| {
            let start = at + Duration::days(gap);
            at = start + Duration::days(len);
            let kind = LeaveKind::ALL[kind % LeaveKind::ALL.len()];
            let sgk_code = (kind == LeaveKind::Other).then(|| "13".to_string());
            Span { first: start, last: at - Duration::days(1), kind, sgk_code }
        })
        .collect()
}

fn worked(first: NaiveDate, days: &[bool]) -> BTreeMap<NaiveDate, u32> {
    let (_, last) = month_bounds(first);
    rainstaff_core::leave::days(first, last).zip(days).filter(|(_, w)| **w).map(|(d, _)| (d, 480)).collect()
}

fn month(first: NaiveDate, employment: Employment, work: &[bool], leaves: &[Span]) -> PersonMonth {
    person_month(first, employment, &worked(first, work), leaves, &Calendar::builtin_tr())
}

fn leave_strategy() -> impl Strategy<Value = Vec<(i64, i64, usize)>> {
    prop::collection::vec((0i64..12, 1i64..12, 0usize..10), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_full_months_premium_and_missing_days_make_thirty(
        index in 0u32..12,
        work in prop::collection::vec(any::<bool>(), 31),
        raw in leave_strategy(),
    ) {
        let first = month_of(index);
        let m = month(first, Employment::default(), &work, &spans(first, &raw));
        prop_assert_eq!(m.premium.days + m.premium.missing, FULL_MONTH);
        prop_assert_eq!(m.premium.code.is_some(), m.premium.missing > 0);
    }

    #[test]
    fn a_part_month_never_counts_more_than_its_employed_days(
        index in 0u32..12,
        hire_day in 0i64..40,
        stay in 0i64..40,
        raw in leave_strategy(),
    ) {
        let first = month_of(index);
        let hire = first - Duration::days(5) + Duration::days(hire_day);
        let employment = Employment { hire: Some(hire), leaving: Some(hire + Duration::days(stay)) };
        let m = month(first, employment, &[true; 31], &spans(first, &raw));
        let employed = m.days.iter().filter(|d| employment.covers(d.date)).count() as u32;
        if employed < m.days.len() as u32 {
            prop_assert!(m.premium.days + m.premium.missing <= employed);
        } else {
            // Employed the whole month: a full month, whatever its length.
            prop_assert_eq!(m.premium.days + m.premium.missing, FULL_MONTH);
        }
    }

    #[test]
    fn paid_leave_never_costs_a_premium_day(
        index in 0u32..12,
        work in prop::collection::vec(any::<bool>(), 31),
        raw in leave_strategy(),
        paid_kind in 0usize..4,
    ) {
        let first = month_of(index);
        let all = spans(first, &raw);
        let paid = [LeaveKind::Annual, LeaveKind::Marriage, LeaveKind::Bereavement, LeaveKind::Paternity][paid_kind];
        // The same days, the unpaid leaves as they were and every paid one turned into `paid`;
        // against the month with the paid leaves left out.
        let unpaid: Vec<Span> = all.iter().filter(|s| !s.kind.paid()).cloned().collect();
        let with_paid: Vec<Span> = all
            .iter()
            .map(|s| if s.kind.paid() { Span { kind: paid, ..s.clone() } } else { s.clone() })
            .collect();
        let without = month(first, Employment::default(), &work, &unpaid);
        let with = month(first, Employment::default(), &work, &with_paid);
        prop_assert_eq!(with.premium.days, without.premium.days);
    }
}
