//! Dates and times as people type them and as the wire carries them.

use chrono::{FixedOffset, NaiveDate, NaiveTime};

use crate::validate::Problem;

/// Exactly `YYYY-MM-DD`, the form dates take in the store and on the wire. Nothing looser: two
/// spellings of one date would be two values to the merge and to every comparison of stored text.
pub fn parse_iso_date(s: &str) -> Result<NaiveDate, Problem> {
    let exact = s.len() == 10 && digits_with_separators(s, &[4, 7], b'-');
    exact.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten().ok_or(Problem::InvalidDate)
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

/// Exactly `HH:MM`, the form times take in the store and on the wire, to minutes after midnight.
pub fn parse_hhmm(s: &str) -> Result<u32, Problem> {
    if s.len() != 5 || !digits_with_separators(s, &[2], b':') {
        return Err(Problem::InvalidTime);
    }
    let (hours, minutes) = (s[..2].parse::<u32>(), s[3..].parse::<u32>());
    match (hours, minutes) {
        (Ok(h), Ok(m)) if h < 24 && m < 60 => Ok(h * 60 + m),
        _ => Err(Problem::InvalidTime),
    }
}

/// A time as people type it and older files hold it: `HH:MM`, also `H:MM`, `8:5` and `HH:MM:SS`;
/// and as the office types it on a Turkish keyboard, where `:` needs Shift: `18.00`, `18,00`,
/// `1800`, `830` and a bare hour, `18`. A `.` or `,` takes two-digit minutes only: `8.5` may mean
/// 8:05 or 8:30, and a guess would pay the wrong half hour.
pub fn parse_user_time(s: &str) -> Result<u32, Problem> {
    let s = s.trim();
    let (hours, minutes) = if s.contains(':') {
        let t = NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .map_err(|_| Problem::InvalidTime)?;
        use chrono::Timelike;
        return Ok(t.hour() * 60 + t.minute());
    } else if let Some((h, m)) = s.split_once(['.', ',']) {
        if m.len() != 2 || h.is_empty() || h.len() > 2 {
            return Err(Problem::InvalidTime);
        }
        (h, m)
    } else {
        match s.len() {
            1 | 2 => (s, "00"),
            3 => s.split_at(1),
            4 => s.split_at(2),
            _ => return Err(Problem::InvalidTime),
        }
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit()).then(|| t.parse::<u32>().ok()).flatten();
    match (digits(hours), digits(minutes)) {
        (Some(h), Some(m)) if h < 24 && m < 60 => Ok(h * 60 + m),
        _ => Err(Problem::InvalidTime),
    }
}

/// ASCII digits everywhere except `separator` at exactly the byte positions `at`.
fn digits_with_separators(s: &str, at: &[usize], separator: u8) -> bool {
    s.bytes().enumerate().all(|(i, b)| if at.contains(&i) { b == separator } else { b.is_ascii_digit() })
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

/// A duration as people type hours: `45`, `45:00`, `37:30` (not a time of day, so above 24 h is
/// fine), to minutes.
pub fn parse_duration(s: &str) -> Result<i64, Problem> {
    let s = s.trim();
    let (hours, minutes) = s.split_once(':').unwrap_or((s, "00"));
    let digits = |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || minutes.len() != 2 || !digits(minutes) {
        return Err(Problem::InvalidDuration);
    }
    match (hours.parse::<i64>(), minutes.parse::<i64>()) {
        (Ok(h), Ok(m)) if m < 60 => Ok(h * 60 + m),
        _ => Err(Problem::InvalidDuration),
    }
}

/// A date as the stores keep it: days since 1970-01-01, two bytes in SQLite until 2059 where the
/// `YYYY-MM-DD` text takes ten, in the row and again in every index on it.
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// A stored date (`day_number`) as the store's text, `YYYY-MM-DD`; None past chrono's range.
pub fn day_text(days: i64) -> Option<String> {
    NaiveDate::default().checked_add_signed(chrono::Duration::try_days(days)?).map(|d| d.to_string())
}

/// Turkish time: UTC+3 all year since 2016. Offices mean this wall clock; the store keeps UTC.
pub fn turkey() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("three hours is a valid offset")
}

/// A timestamp as the stores keep it: milliseconds since 1970 in UTC, eight bytes where the RFC
/// 3339 text takes 24 (a store of 50 000 shifts holds 100 000 of them). Finer digits are dropped:
/// the app and the server write milliseconds (`stamp_text`).
pub fn stamp_ms(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

/// A stored timestamp (`stamp_ms`) as the app and the server write timestamps: RFC 3339 in UTC,
/// with milliseconds.
pub fn stamp_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
    fn stored_days_read_back_as_the_same_date() {
        for text in ["1970-01-01", "2026-01-05", "2059-06-05", "1899-12-31", "0999-03-01", "9999-12-31"] {
            let days = day_number(parse_iso_date(text).unwrap());
            assert_eq!(day_text(days).as_deref(), Some(text));
        }
        assert_eq!(day_number(parse_iso_date("2026-01-05").unwrap()), 20458);
        assert_eq!(day_text(i64::MAX), None);
    }

    #[test]
    fn durations_are_typed_as_hours_and_minutes() {
        assert_eq!(parse_duration("45"), Ok(2700));
        assert_eq!(parse_duration(" 45:00 "), Ok(2700));
        assert_eq!(parse_duration("37:30"), Ok(2250));
        assert_eq!(parse_duration("0:45"), Ok(45));
        for bad in ["", "2700:", "45:7", "45:60", "-5", "4,5", "45.00", ":30", "12345"] {
            assert_eq!(parse_duration(bad), Err(Problem::InvalidDuration), "{bad:?}");
        }
        assert_eq!(format_duration(parse_duration("37:30").unwrap()), "37:30");
    }

    #[test]
    fn overnight_span() {
        assert_eq!(span_minutes(22 * 60, 6 * 60), Ok(480));
        assert_eq!(span_minutes(8 * 60, 8 * 60), Err(Problem::EndEqualsStart));
        assert_eq!(parse_hhmm("24:00"), Err(Problem::InvalidTime));
        assert_eq!(format_duration(-75), "-1:15");
    }

    #[test]
    fn the_stored_forms_are_exact_and_typing_is_not() {
        assert_eq!(parse_iso_date("2026-01-06"), Ok(NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()));
        for loose in ["2026-1-6", "2026-01-6", " 2026-01-06", "2026-01-06 ", "+2026-01-06", "2026/01/06"] {
            assert_eq!(parse_iso_date(loose), Err(Problem::InvalidDate), "{loose:?}");
        }
        assert_eq!(parse_iso_date("2026-02-30"), Err(Problem::InvalidDate));
        assert_eq!(parse_user_date("6.1.2026"), parse_iso_date("2026-01-06"));

        assert_eq!(parse_hhmm("08:05"), Ok(485));
        assert_eq!(parse_hhmm("23:59"), Ok(1439));
        for loose in ["8:5", "8:05", "08:5", "08:05:00", " 08:05", "08:60", "+8:05", "08-05", "０8:05"] {
            assert_eq!(parse_hhmm(loose), Err(Problem::InvalidTime), "{loose:?}");
        }
        assert_eq!(parse_user_time("8:5"), Ok(485));
        assert_eq!(parse_user_time(" 8:30 "), Ok(510));
        assert_eq!(parse_user_time("08:30:00"), Ok(510));
        assert_eq!(parse_user_time("24:00"), Err(Problem::InvalidTime));
        // What a form stores is what the wire accepts.
        assert_eq!(parse_hhmm(&format_hhmm(parse_user_time("8:5").unwrap())), Ok(485));
    }

    #[test]
    fn times_are_read_as_the_office_types_them() {
        for (typed, minutes) in [
            ("8:30", 510),
            ("08:30", 510),
            ("8:5", 485),
            ("08:30:00", 510),
            ("18.00", 1080),
            ("18,00", 1080),
            ("8.30", 510),
            ("1800", 1080),
            ("0830", 510),
            ("830", 510),
            ("18", 1080),
            ("6", 360),
            (" 22 ", 1320),
        ] {
            assert_eq!(parse_user_time(typed), Ok(minutes), "{typed}");
        }
        for typed in ["", "24", "2400", "860", "8.5", "18.000", "12345", "8h", "-8", "8:60", "..", "1.2.3"] {
            assert_eq!(parse_user_time(typed), Err(Problem::InvalidTime), "{typed}");
        }
    }
}
