//! How a synced field's JSON value is kept in a database column and read back, written once for
//! the desktop's store, the server's store and the snapshot a new PC starts from. If the two
//! stores kept a value differently, a row would read back changed on one side only: the merge
//! would see an edit nobody made and a PC's copy would never match the server's. Core has no
//! database, so the column value is this crate's own `SqlValue`; each store turns it into its
//! driver's value in a line.
//!
//! The one judgement call: a number that is not whole in an `Int` field (validation refuses it
//! from a PC, but a legacy file, an older build or a hand-edited store can still carry one) is
//! refused, by both stores alike, before any database sees it. The desktop used to drop it to
//! NULL and the server's STRICT column refused it; dropping loses a value for good and keeps a
//! row the server would never take, and a whole-number column of any database refuses it too.

use serde_json::Value;
use uuid::Uuid;

use crate::schema::FieldKind;

/// A column value as every SQL database has it.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A value its field's column cannot hold, and what the column holds.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{value} is not {expected}")]
pub struct NotStorable {
    pub value: Value,
    pub expected: &'static str,
}

impl NotStorable {
    /// A number that is not whole, for an `Int` field.
    pub fn whole_number(value: &Value) -> Self {
        Self { value: value.clone(), expected: "a whole number" }
    }

    /// Text that is no id, for a reference (a store that keeps ids as bytes cannot hold it).
    pub fn record_id(value: &Value) -> Self {
        Self { value: value.clone(), expected: "a record id (UUID)" }
    }
}

/// The form a value takes in every store: a `Real` is always an f64, so `100` and `100.0` from
/// two PCs are one value; a whole number written as `2.0` in an `Int` field is the integer 2,
/// as a whole-number column gives it back. Stores keep values in this form, so a value read
/// back equals the value written.
pub fn canonical(kind: FieldKind, value: &Value) -> Value {
    match (kind, value) {
        (FieldKind::Real, Value::Number(n)) => n.as_f64().map_or_else(|| value.clone(), Value::from),
        (FieldKind::Int, Value::Number(_)) => whole(value).map_or_else(|| value.clone(), Value::from),
        (FieldKind::Ref(_), Value::String(id)) => Value::String(canonical_id(id)),
        _ => value.clone(),
    }
}

/// A reference in the one form every store keeps and every lookup asks for: validation takes
/// any id `Uuid::parse_str` reads (upper case, braces, `urn:uuid:`), but the rules find a row's
/// neighbours by comparing text, so a shift stored under another spelling of its person's id
/// would hide from the overlap check.
fn canonical_id(id: &str) -> String {
    Uuid::parse_str(id).map_or_else(|_| id.to_string(), |id| id.to_string())
}

/// The integer a JSON number stands for, when it is one (`7`, or `7.0`) and fits an i64.
fn whole(value: &Value) -> Option<i64> {
    // 2^63 is exact as an f64; every whole f64 below it and at or above -2^63 fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    value.as_i64().or_else(|| {
        value.as_f64().filter(|f| f.fract() == 0.0 && (-LIMIT..LIMIT).contains(f)).map(|f| f as i64)
    })
}

/// A date as its day number (`time::day_number`), a time as its minute of the day: how both
/// stores keep them, two bytes where the text takes ten and five, in the row and again in every
/// index on it. None for other kinds and for text that is not exactly such a value, which a store
/// keeps as text, so that what is read back is what was written.
pub fn moment_number(kind: FieldKind, text: &str) -> Option<i64> {
    match kind {
        FieldKind::Date => crate::time::parse_iso_date(text).ok().map(crate::time::day_number),
        FieldKind::Time => crate::time::parse_hhmm(text).ok().map(i64::from),
        _ => None,
    }
}

/// The text of a stored `moment_number`; None when `number` is no date or time of `kind`.
pub fn moment_text(kind: FieldKind, number: i64) -> Option<String> {
    match kind {
        FieldKind::Date => crate::time::day_text(number),
        FieldKind::Time => u32::try_from(number).ok().filter(|m| *m < 24 * 60).map(crate::time::format_hhmm),
        _ => None,
    }
}

/// The column value of a field of `kind`.
pub fn to_sql(kind: FieldKind, value: &Value) -> Result<SqlValue, NotStorable> {
    Ok(match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        (_, Value::Bool(b)) => SqlValue::Int(i64::from(*b)),
        (FieldKind::Int, Value::Number(_)) => {
            SqlValue::Int(whole(value).ok_or_else(|| NotStorable::whole_number(value))?)
        }
        (FieldKind::Real, Value::Number(n)) => SqlValue::Real(n.as_f64().unwrap_or_default()),
        (_, Value::Number(n)) => {
            n.as_i64().map_or_else(|| SqlValue::Real(n.as_f64().unwrap_or_default()), SqlValue::Int)
        }
        (FieldKind::Ref(_), Value::String(id)) => SqlValue::Text(canonical_id(id)),
        (_, Value::String(s)) => SqlValue::Text(s.clone()),
        (_, other) => SqlValue::Text(other.to_string()),
    })
}

/// The JSON value of a field of `kind` read from its column.
pub fn from_sql(kind: FieldKind, value: SqlValue) -> Value {
    match (kind, value) {
        (_, SqlValue::Null) => Value::Null,
        (FieldKind::Bool, SqlValue::Int(i)) => Value::Bool(i != 0),
        (FieldKind::Real, SqlValue::Int(i)) => Value::from(i as f64),
        (_, SqlValue::Int(i)) => Value::from(i),
        (_, SqlValue::Real(f)) => Value::from(f),
        (_, SqlValue::Text(t)) => Value::String(t),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const KINDS: [FieldKind; 7] = [
        FieldKind::Text(10),
        FieldKind::Int,
        FieldKind::Real,
        FieldKind::Bool,
        FieldKind::Date,
        FieldKind::Time,
        FieldKind::Ref("employees"),
    ];

    #[test]
    fn every_storable_value_reads_back_as_its_canonical_form() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-7),
            json!(i64::MAX),
            json!(1.5),
            json!(100.0),
            json!(2.0),
            json!("Şükrü"),
            json!("2026-01-06"),
        ];
        for kind in KINDS {
            for value in &values {
                // Booleans live in Bool fields only, and Bool fields hold nothing else: validation
                // lets no other pairing reach a store, and an INTEGER column cannot tell them apart.
                if !value.is_null() && (kind == FieldKind::Bool) != value.is_boolean() {
                    continue;
                }
                let Ok(stored) = to_sql(kind, value) else {
                    assert_eq!((kind, value), (FieldKind::Int, &json!(1.5)));
                    continue;
                };
                assert_eq!(from_sql(kind, stored), canonical(kind, value), "{kind:?} {value}");
            }
        }
    }

    #[test]
    fn dates_and_times_are_numbers_only_when_they_read_back_the_same() {
        for (kind, text, number) in [
            (FieldKind::Date, "2026-01-05", 20458),
            (FieldKind::Date, "1969-12-31", -1),
            (FieldKind::Time, "00:00", 0),
            (FieldKind::Time, "23:59", 1439),
        ] {
            assert_eq!(moment_number(kind, text), Some(number), "{text}");
            assert_eq!(moment_text(kind, number).as_deref(), Some(text));
        }
        for (kind, text) in
            [(FieldKind::Date, "2026-1-5"), (FieldKind::Date, "05.01.2026"), (FieldKind::Time, "8:30")]
        {
            assert_eq!(moment_number(kind, text), None, "{text}");
        }
        assert_eq!(moment_number(FieldKind::Text(10), "2026-01-05"), None);
        assert_eq!(moment_text(FieldKind::Time, 1440), None);
        assert_eq!(moment_text(FieldKind::Int, 5), None);
    }

    #[test]
    fn a_fraction_in_an_int_field_is_refused_not_dropped() {
        assert_eq!(to_sql(FieldKind::Int, &json!(1.5)), Err(NotStorable::whole_number(&json!(1.5))));
        assert_eq!(to_sql(FieldKind::Int, &json!(1e300)), Err(NotStorable::whole_number(&json!(1e300))));
        assert_eq!(to_sql(FieldKind::Int, &json!(2.0)), Ok(SqlValue::Int(2)));
        assert_eq!(canonical(FieldKind::Int, &json!(2.0)), json!(2));
        assert_eq!(canonical(FieldKind::Int, &json!(1.5)), json!(1.5));
    }

    #[test]
    fn a_real_is_one_value_however_it_was_written() {
        assert_eq!(canonical(FieldKind::Real, &json!(100)), json!(100.0));
        assert_eq!(to_sql(FieldKind::Real, &json!(100)), Ok(SqlValue::Real(100.0)));
        assert_eq!(from_sql(FieldKind::Real, SqlValue::Int(100)), json!(100.0));
    }

    #[test]
    fn a_reference_is_kept_in_one_spelling() {
        let id = "0190f5e2-7c4b-7d2a-9e1f-3a5b6c7d8e9f";
        let kind = FieldKind::Ref("employees");
        for spelling in [id.to_uppercase(), format!("{{{id}}}"), format!("urn:uuid:{id}"), id.to_string()] {
            assert_eq!(canonical(kind, &json!(spelling)), json!(id), "{spelling}");
            assert_eq!(to_sql(kind, &json!(spelling)), Ok(SqlValue::Text(id.into())), "{spelling}");
        }
        // Not an id at all is validation's to refuse; it is kept as sent.
        assert_eq!(canonical(kind, &json!("x")), json!("x"));
        assert_eq!(canonical(FieldKind::Text(40), &json!(id.to_uppercase())), json!(id.to_uppercase()));
    }
}
