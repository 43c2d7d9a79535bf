//! Dates and times as people type them and as the wire carries them.

use chrono::{NaiveDate, NaiveTime};

use crate::validate::Problem;

/// `YYYY-MM-DD`, the form dates take in the store and on the wire.
pub fn parse_iso_date(s: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| Problem::InvalidDate)
}

/// A date as an office types it: `DD.MM.YYYY` (also `D.M.YYYY`, and ISO for pasted values).
pub fn parse_user_date(s: &str) -> Result<NaiveDate, Problem> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| Problem::InvalidDate)
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `HH:MM` (also `H:MM`, and `HH:MM:SS` from older files) to minutes after midnight.
pub fn parse_hhmm(s: &str) -> Result<u32, Problem> {
    let s = s.trim();
    let t = NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map_err(|_| Problem::InvalidTime)?;
    use chrono::Timelike;
    Ok(t.hour() * 60 + t.minute())
}

pub fn format_hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60 % 24, minutes % 60)
}

/// Minutes between start and end; an end before the start is on the next day. Equal is an error:
/// a 24-hour shift is never what somebody meant by typing the same time twice.
pub fn span_minutes(start: u32, end: u32) -> Result<u32, Problem> {
    match end.cmp(&start) {
        std::cmp::Ordering::Equal => Err(Problem::EndEqualsStart),
        std::cmp::Ordering::Greater => Ok(end - start),
        std::cmp::Ordering::Less => Ok(end + 1440 - start),
    }
}

/// A duration in minutes as `H:MM` (payroll reads hours and minutes, not decimals).
pub fn format_duration(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_both_ways() {
        let d = parse_user_date("05.01.2026").unwrap();
        assert_eq!(format_date(d), "05.01.2026");
        assert_eq!(parse_user_date("2026-01-05").unwrap(), d);
        assert_eq!(parse_user_date("31.02.2026"), Err(Problem::InvalidDate));
    }

    #[test]
    fn overnight_span() {
        assert_eq!(span_minutes(22 * 60, 6 * 60), Ok(480));
        assert_eq!(span_minutes(8 * 60, 8 * 60), Err(Problem::EndEqualsStart));
        assert_eq!(parse_hhmm("8:30"), Ok(510));
        assert_eq!(parse_hhmm("24:00"), Err(Problem::InvalidTime));
        assert_eq!(format_duration(-75), "-1:15");
    }
}
