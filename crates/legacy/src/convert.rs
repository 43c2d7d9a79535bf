//! Legacy SQLite values to the JSON values of the synced schema. A value that cannot be converted
//! is passed on as the text it was, so that validation names the field and shows what the office
//! had typed, instead of the value vanishing here.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rainstaff_core::time::{format_hhmm, parse_user_date, parse_user_time, turkey};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

fn as_text(v: &SqlValue) -> Option<String> {
    match v {
        SqlValue::Null => None,
        SqlValue::Integer(n) => Some(n.to_string()),
        SqlValue::Real(x) => Some(x.to_string()),
        SqlValue::Text(s) => Some(s.clone()),
        SqlValue::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Text kept byte for byte; empty or blank is no value ('' meant "none" in V1–V4, NULL in V5).
pub fn text(v: &SqlValue) -> Value {
    match as_text(v) {
        Some(s) if !s.trim().is_empty() => Value::String(s),
        _ => Value::Null,
    }
}

/// An integer id or reference; None for NULL or anything that is not a whole number.
pub fn legacy_int(v: &SqlValue) -> Option<i64> {
    int(v).as_i64()
}

pub fn int(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(n) => Value::from(*n),
        SqlValue::Real(x) => whole(*x).map_or_else(|| Value::from(*x), Value::from),
        _ => match text(v) {
            Value::String(s) => {
                let t = s.trim();
                t.parse::<i64>()
                    .ok()
                    .or_else(|| t.parse::<f64>().ok().and_then(whole))
                    .map_or(Value::String(s), Value::from)
            }
            other => other,
        },
    }
}

fn whole(x: f64) -> Option<i64> {
    // The bounds keep the cast exact; legacy counts (km, minutes, years) are far inside them.
    (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

pub fn real(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(n) => Value::from(*n as f64),
        SqlValue::Real(x) => Value::from(*x),
        _ => match text(v) {
            Value::String(s) => {
                let t = s.trim();
                // Turkish offices type a decimal comma: "1250,50".
                let dotted = if t.contains('.') { t.to_string() } else { t.replace(',', ".") };
                dotted.parse::<f64>().ok().filter(|x| x.is_finite()).map_or(Value::String(s), Value::from)
            }
            other => other,
        },
    }
}

pub fn boolean(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(n) => Value::Bool(*n != 0),
        SqlValue::Real(x) => Value::Bool(*x != 0.0),
        _ => match text(v) {
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" => Value::Bool(true),
                "0" | "false" => Value::Bool(false),
                _ => Value::String(s),
            },
            other => other,
        },
    }
}

/// `YYYY-MM-DD` from ISO, `DD.MM.YYYY`, `DD/MM/YYYY` or a timestamp.
pub fn date(v: &SqlValue) -> Value {
    match text(v) {
        Value::String(s) => {
            parse_date(&s).map_or(Value::String(s), |d| Value::String(d.format("%Y-%m-%d").to_string()))
        }
        other => other,
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_user_date(s)
        .or_else(|_| parse_user_date(&s.replace('/', ".")))
        .ok()
        .or_else(|| local_datetime(s).map(|dt| dt.date()))
}

/// `HH:MM` from `H:MM`, `HH:MM:SS`, `HH.MM` or a timestamp (V5 clock_in/clock_out).
pub fn time(v: &SqlValue) -> Value {
    match text(v) {
        Value::String(s) => parse_time(&s).map_or(Value::String(s), Value::String),
        other => other,
    }
}

fn parse_time(s: &str) -> Option<String> {
    let s = s.trim();
    parse_user_time(s)
        .ok()
        .or_else(|| (!s.contains(':')).then(|| parse_user_time(&s.replace('.', ":")).ok()).flatten())
        .map(format_hhmm)
        .or_else(|| local_datetime(s).map(|dt| dt.format("%H:%M").to_string()))
}

/// A timestamp as the office's wall clock: one with an offset is moved to Turkish time, one
/// without is taken as already local.
fn local_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    // The legacy timestamps that carry an offset are UTC or already +03:00, and an office means
    // its own wall clock.
    let turkey = turkey();
    let with_offset = DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"]
            .iter()
            .find_map(|f| DateTime::parse_from_str(s, f).ok())
    });
    if let Some(dt) = with_offset {
        return Some(dt.with_timezone(&turkey).naive_local());
    }
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> SqlValue {
        SqlValue::Text(s.to_string())
    }

    #[test]
    fn dates_become_iso() {
        assert_eq!(date(&t("05.01.2026")), "2026-01-05");
        assert_eq!(date(&t("5.1.2026")), "2026-01-05");
        assert_eq!(date(&t("05/01/2026")), "2026-01-05");
        assert_eq!(date(&t("2026-01-05")), "2026-01-05");
        assert_eq!(date(&t("2026-01-05 00:00:00")), "2026-01-05");
        assert_eq!(date(&t("2026-01-05T22:30:00Z")), "2026-01-06");
        assert_eq!(date(&t("31.02.2026")), "31.02.2026");
        assert_eq!(date(&t("")), Value::Null);
    }

    #[test]
    fn times_become_hh_mm() {
        assert_eq!(time(&t("8:30")), "08:30");
        assert_eq!(time(&t("08:30:00")), "08:30");
        assert_eq!(time(&t("08.30")), "08:30");
        assert_eq!(time(&t("2026-01-16 08:00:00")), "08:00");
        assert_eq!(time(&t("2026-01-16T05:00:00+00:00")), "08:00");
        assert_eq!(time(&t("2026-01-16T08:00:00+03:00")), "08:00");
        assert_eq!(time(&t("25:00")), "25:00");
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(int(&t(" 2019 ")), 2019);
        assert_eq!(int(&SqlValue::Real(60.0)), 60);
        assert_eq!(int(&t("abc")), "abc");
        assert_eq!(real(&t("1250,50")), 1250.5);
        assert_eq!(real(&SqlValue::Integer(150)), 150.0);
        assert_eq!(boolean(&SqlValue::Integer(1)), true);
        assert_eq!(boolean(&t("0")), false);
        assert_eq!(text(&t("   ")), Value::Null);
        assert_eq!(text(&t(" İSMAİL ")), " İSMAİL ");
        assert_eq!(text(&SqlValue::Integer(12345678901)), "12345678901");
    }
}
