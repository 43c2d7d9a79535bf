//! How long a shift's break is (L10 and the break policies) and where on the clock an unpunched
//! break is assumed to be, so that night and holiday minutes can be counted.

use super::BreakPolicy;
use super::timeline::{Span, minutes};

/// The legal minimum break for `work` minutes of work (L10). No work needs no break.
pub fn statutory_minimum(work: u32) -> u32 {
    match work {
        0 => 0,
        1..=240 => 15,
        241..=450 => 30,
        451..=660 => 60,
        _ => 90,
    }
}

/// The smallest break B for a span S with B ≥ L10(S − B): the minimum depends on the work, which
/// depends on the break. The smallest such B is either a tier's break or the B that drops the work
/// to a tier's upper edge, so checking those candidates is exact. A span of 15 minutes or less has
/// no answer below the whole span (any work needs 15), so it is all break.
pub fn statutory_break(span: u32) -> u32 {
    let candidates =
        [15, 30, 60, 90, span.saturating_sub(240), span.saturating_sub(450), span.saturating_sub(660), span];
    candidates.into_iter().filter(|&b| b <= span && b >= statutory_minimum(span - b)).min().unwrap_or(span)
}

/// A break and what it came from, kept for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct BreakDecision {
    pub gap: u32,
    pub entered: Option<u32>,
    pub statutory: u32,
    pub minutes: u32,
}

pub(crate) fn decide(policy: BreakPolicy, span: u32, gap: u32, entered: Option<u32>) -> BreakDecision {
    let statutory = statutory_break(span);
    let typed = entered.unwrap_or(0);
    let chosen = match policy {
        BreakPolicy::Statutory => gap.max(typed).max(statutory),
        BreakPolicy::AsEntered => gap.max(typed),
        BreakPolicy::Fixed(n) => gap.max(n),
    };
    // A break cannot be longer than the shift; what is left is simply no work.
    BreakDecision { gap, entered, statutory, minutes: chosen.min(span) }
}

/// Places `unpunched` break minutes in the middle of the longest presence segment (the earliest
/// of equals), spilling into the next longest if it does not fit, and returns the worked spans
/// and the break spans, both in time order.
pub(crate) fn place(segments: &[Span], unpunched: u32) -> (Vec<Span>, Vec<Span>) {
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(segments[i].1 - segments[i].0), segments[i].0));
    let mut cut: Vec<Option<Span>> = vec![None; segments.len()];
    let mut left = i64::from(unpunched);
    for i in order {
        if left == 0 {
            break;
        }
        let (start, end) = segments[i];
        let take = left.min(end - start);
        let from = start + (end - start - take) / 2;
        cut[i] = Some((from, from + take));
        left -= take;
    }
    let mut worked = Vec::with_capacity(segments.len() + 1);
    let mut placed = Vec::new();
    for (&(start, end), cut) in segments.iter().zip(cut) {
        match cut {
            Some((from, to)) => {
                worked.extend([(start, from), (to, end)].into_iter().filter(|s| s.0 < s.1));
                placed.push((from, to));
            }
            None => worked.push((start, end)),
        }
    }
    debug_assert_eq!(
        worked.iter().map(|s| minutes(s.1 - s.0)).sum::<u32>() + unpunched,
        segments.iter().map(|s| minutes(s.1 - s.0)).sum::<u32>()
    );
    (worked, placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statutory_break_is_the_smallest_fixed_point() {
        for span in 1..=2000 {
            let brute = (0..=span).find(|&b| b >= statutory_minimum(span - b)).unwrap();
            assert_eq!(statutory_break(span), brute, "span {span}");
        }
        assert_eq!(statutory_break(260), 20);
        assert_eq!(statutory_break(600), 60);
        assert_eq!(statutory_break(480), 30);
        assert_eq!(statutory_break(240), 15);
        assert_eq!(statutory_break(10), 10);
    }

    #[test]
    fn policies() {
        let s = BreakPolicy::Statutory;
        assert_eq!(decide(s, 540, 10, None).minutes, 60);
        assert_eq!(decide(s, 540, 180, None).minutes, 180);
        assert_eq!(decide(s, 540, 0, Some(75)).minutes, 75);
        assert_eq!(decide(BreakPolicy::AsEntered, 540, 0, None).minutes, 0);
        assert_eq!(decide(BreakPolicy::AsEntered, 540, 20, Some(10)).minutes, 20);
        assert_eq!(decide(BreakPolicy::Fixed(60), 480, 0, Some(5)).minutes, 60);
        assert_eq!(decide(BreakPolicy::Fixed(600), 480, 0, None).minutes, 480);
    }

    #[test]
    fn placement_in_the_middle_of_the_longest_segment() {
        // 22:00–06:00 with 30 min: 01:45–02:15.
        let (worked, placed) = place(&[(1320, 1800)], 30);
        assert_eq!(placed, vec![(1545, 1575)]);
        assert_eq!(worked, vec![(1320, 1545), (1575, 1800)]);
        // Longest segment wins; a break that does not fit spills over.
        let (worked, placed) = place(&[(0, 100), (200, 260)], 130);
        assert_eq!(placed, vec![(0, 100), (215, 245)]);
        assert_eq!(worked, vec![(200, 215), (245, 260)]);
        assert_eq!(place(&[(0, 100)], 0), (vec![(0, 100)], vec![]));
    }
}
