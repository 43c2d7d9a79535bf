//! Shifts laid on one line of minutes, so that overnight shifts, gaps and clock windows are plain
//! interval arithmetic. Minute 0 is midnight at the start of 1 January of year 1; the inputs are
//! checked to lie in the years 1900–2999, so every count below fits a `u32` comfortably.

use chrono::{Datelike, NaiveDate};

use super::engine::{NIGHT_END, NIGHT_START};
use super::input::ShiftInput;

pub(crate) const DAY: i64 = 1440;

/// Entries closer than this form one shift, whatever their dates, the gaps counting as break
/// (spec §2): a night typed as 14:00–23:59 plus 00:00–06:00 must not dodge the break or the cap.
const JOIN_GAP: i64 = 240;

/// A half-open interval `[start, end)` of absolute minutes.
pub(crate) type Span = (i64, i64);

pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

pub(crate) fn date_of_day(day: i64) -> NaiveDate {
    // Day numbers come from checked dates plus at most a few weeks, far inside chrono's range.
    i32::try_from(day).ok().and_then(NaiveDate::from_num_days_from_ce_opt).unwrap_or_default()
}

/// Monday = 0 … Sunday = 6; day 1 (1 January of year 1) was a Monday.
pub(crate) fn weekday_index(day: i64) -> u32 {
    (day - 1).rem_euclid(7) as u32
}

pub(crate) fn monday_of(day: i64) -> i64 {
    day - i64::from(weekday_index(day))
}

/// A length in minutes; see the module comment for why it fits.
pub(crate) fn minutes(len: i64) -> u32 {
    len.max(0) as u32
}

pub(crate) fn overlap(a: Span, b: Span) -> u32 {
    minutes(a.1.min(b.1) - a.0.max(b.0))
}

/// Night minutes (20:00–06:00) in a span, by a running count from minute 0: O(1) for any length.
pub(crate) fn night_minutes(s: Span) -> u32 {
    minutes(nights_before(s.1) - nights_before(s.0))
}

fn nights_before(x: i64) -> i64 {
    let (start, end) = (i64::from(NIGHT_START), i64::from(NIGHT_END));
    let per_day = DAY - start + end;
    let r = x.rem_euclid(DAY);
    x.div_euclid(DAY) * per_day + r.min(end) + (r - start).max(0)
}

/// Minutes of a span that fall on the weekdays of `mask` (bit 0 = Monday).
pub(crate) fn minutes_on_weekdays(s: Span, mask: u8) -> u32 {
    let mut total = 0;
    let mut day = s.0.div_euclid(DAY);
    while day * DAY < s.1 {
        if mask & (1 << weekday_index(day)) != 0 {
            total += overlap(s, (day * DAY, (day + 1) * DAY));
        }
        day += 1;
    }
    total
}

/// Entries merged into the shifts the law counts: entries less than 4 h apart (touching and
/// overlapping ones included), across midnight too, so that a shift typed as several entries is
/// the same shift as when typed once. It belongs to the date of its first start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Day number of the date the shift belongs to: that of its first entry.
    pub day: i64,
    pub start: i64,
    pub end: i64,
    /// Presence: the union of the entries, in time order, touching ones joined.
    pub segments: Vec<Span>,
    /// Sum of the breaks typed in, when any was.
    pub entered: Option<u32>,
    pub parts: u32,
}

impl Group {
    pub fn span(&self) -> u32 {
        minutes(self.end - self.start)
    }

    pub fn presence(&self) -> u32 {
        self.segments.iter().map(|s| minutes(s.1 - s.0)).sum()
    }
}

/// Shifts must have passed `input::check`.
pub(crate) fn groups(shifts: &[ShiftInput]) -> Vec<Group> {
    let mut entries: Vec<(Span, i64, Option<u32>)> = shifts
        .iter()
        .map(|s| {
            let day = day_number(s.date);
            let start = day * DAY + i64::from(s.start);
            let mut end = day * DAY + i64::from(s.end);
            if s.end < s.start {
                end += DAY;
            }
            ((start, end), day, s.break_minutes)
        })
        .collect();
    // Sorting makes the result independent of the order the entries came in.
    entries.sort_unstable();
    let mut groups: Vec<Group> = Vec::new();
    for ((start, end), day, entered) in entries {
        if let Some(g) = groups.last_mut()
            && start - g.end < JOIN_GAP
        {
            match g.segments.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => g.segments.push((start, end)),
            }
            g.end = g.end.max(end);
            g.entered = match (g.entered, entered) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                (a, b) => a.or(b),
            };
            g.parts += 1;
            continue;
        }
        groups.push(Group { day, start, end, segments: vec![(start, end)], entered, parts: 1 });
    }
    groups
}

/// The longest stretch of `[from, to)` without presence; `presence` is sorted and disjoint.
pub(crate) fn longest_free(presence: &[Span], from: i64, to: i64) -> u32 {
    let first = presence.partition_point(|s| s.1 <= from);
    let mut cursor = from;
    let mut longest = 0;
    for s in presence[first..].iter().take_while(|s| s.0 < to) {
        longest = longest.max(minutes(s.0 - cursor));
        cursor = cursor.max(s.1.min(to));
    }
    longest.max(minutes(to - cursor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso_date;

    fn shift(date: &str, start: u32, end: u32) -> ShiftInput {
        ShiftInput::new(parse_iso_date(date).unwrap(), start, end, None)
    }

    #[test]
    fn weekday_arithmetic_agrees_with_chrono() {
        let mut date = parse_iso_date("2025-12-20").unwrap();
        for _ in 0..30 {
            let n = day_number(date);
            assert_eq!(weekday_index(n), date.weekday().num_days_from_monday());
            assert_eq!(date_of_day(n), date);
            assert_eq!(date_of_day(monday_of(n)).weekday(), chrono::Weekday::Mon);
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn night_window() {
        let d = day_number(parse_iso_date("2026-03-02").unwrap()) * DAY;
        assert_eq!(night_minutes((d + 22 * 60, d + 30 * 60)), 480);
        assert_eq!(night_minutes((d + 8 * 60, d + 18 * 60)), 0);
        assert_eq!(night_minutes((d + 5 * 60, d + 21 * 60)), 120);
        assert_eq!(night_minutes((d, d + 7 * DAY)), 7 * 600);
    }

    #[test]
    fn weekday_minutes() {
        // Fri 22:00 – Sat 06:00 with Saturday in the mask.
        let fri = day_number(parse_iso_date("2026-03-06").unwrap()) * DAY;
        assert_eq!(minutes_on_weekdays((fri + 22 * 60, fri + 30 * 60), 1 << 5), 360);
        assert_eq!(minutes_on_weekdays((fri + 22 * 60, fri + 30 * 60), 1 << 4), 120);
    }

    #[test]
    fn grouping_rules() {
        // Same date, 1 h gap: one shift; 4 h gap: two.
        let g = groups(&[shift("2026-03-02", 780, 1080), shift("2026-03-02", 540, 720)]);
        assert_eq!((g.len(), g[0].span(), g[0].presence()), (1, 540, 480));
        let g = groups(&[shift("2026-03-02", 360, 600), shift("2026-03-02", 840, 1080)]);
        assert_eq!(g.len(), 2);
        // Touching across midnight: one shift on the first date.
        let g = groups(&[shift("2026-03-03", 0, 360), shift("2026-03-02", 1320, 0)]);
        assert_eq!((g.len(), g[0].segments.len(), g[0].span()), (1, 1, 480));
        assert_eq!(date_of_day(g[0].day), parse_iso_date("2026-03-02").unwrap());
        // The next date 2 h later still belongs to the same shift (TV24); 4 h later it does not.
        let g = groups(&[shift("2026-03-02", 1200, 1380), shift("2026-03-03", 60, 180)]);
        assert_eq!((g.len(), g[0].span(), g[0].presence()), (1, 420, 300));
        assert_eq!(date_of_day(g[0].day), parse_iso_date("2026-03-02").unwrap());
        let g = groups(&[shift("2026-03-02", 1200, 1380), shift("2026-03-03", 180, 300)]);
        assert_eq!(g.len(), 2);
    }

    #[test]
    fn free_stretches() {
        let p = [(100, 200), (300, 400)];
        assert_eq!(longest_free(&p, 0, 500), 100);
        assert_eq!(longest_free(&p, 150, 1000), 600);
        assert_eq!(longest_free(&[], 0, 10), 10);
        assert_eq!(longest_free(&[(0, 10)], 0, 10), 0);
    }
}
