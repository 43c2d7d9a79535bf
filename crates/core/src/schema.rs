//! The synced tables, described once. Client store, server store, protocol validation and the
//! legacy importer all read their column lists from here, so a table name or field name that
//! arrives from outside is only ever compared against this list — never pasted into SQL.

use serde_json::{Map, Value};

use crate::quote::excerpt;
use crate::validate::{FieldError, Problem};

/// How much of an unknown field's name an error repeats; every known name is shorter.
const NAME_EXCERPT_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text of at most this many characters. Every text field has a bound, so no row a PC can
    /// write is larger than the server accepts or than a pull page is meant to carry.
    Text(usize),
    Int,
    /// A decimal amount (money) kept as a JSON number.
    Real,
    Bool,
    /// `YYYY-MM-DD`
    Date,
    /// `HH:MM`
    Time,
    /// The id of a row in the named table.
    Ref(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub fields: &'static [FieldSpec],
}

const fn req(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind, required: true }
}
const fn opt(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind, required: false }
}

use FieldKind::*;

/// A person's name, a title, a department, a make or model: longer than any real one.
pub const NAME_CHARS: usize = 200;
/// A note or description: a long paragraph.
pub const NOTE_CHARS: usize = 2000;
/// A stored code (`full_time`, `fixed:30`, `open`), a phone number, a licence class.
pub const CODE_CHARS: usize = 32;
/// The T.C. kimlik numarası has exactly 11 digits.
pub const IDENTITY_NO_CHARS: usize = 11;
/// A plate in any spacing the plate rule then normalises (`06 ABC 123` has 10).
pub const PLATE_CHARS: usize = 16;
/// An inspection's checklist results, kept as one JSON text of items with their notes.
pub const RESULTS_CHARS: usize = 10_000;

const NAME: FieldKind = Text(NAME_CHARS);
const NOTE: FieldKind = Text(NOTE_CHARS);
const CODE: FieldKind = Text(CODE_CHARS);

pub const EMPLOYEES: TableSpec = TableSpec {
    name: "employees",
    fields: &[
        req("full_name", NAME),
        opt("identity_no", Text(IDENTITY_NO_CHARS)),
        opt("department", NAME),
        opt("title", NAME),
        opt("hire_date", Date),
        req("active", Bool),
        req("contract_kind", CODE),
        req("weekly_minutes", Int),
        req("break_policy", CODE),
    ],
};

pub const TIMESHEETS: TableSpec = TableSpec {
    name: "timesheets",
    fields: &[
        req("employee_id", Ref("employees")),
        req("work_date", Date),
        req("start_time", Time),
        req("end_time", Time),
        req("break_minutes", Int),
        req("special_day", Bool),
        opt("note", NOTE),
    ],
};

pub const SHIFT_TEMPLATES: TableSpec = TableSpec {
    name: "shift_templates",
    fields: &[req("name", NAME), req("start_time", Time), req("end_time", Time), req("break_minutes", Int)],
};

pub const VEHICLES: TableSpec = TableSpec {
    name: "vehicles",
    fields: &[
        req("plate", Text(PLATE_CHARS)),
        opt("brand", NAME),
        opt("model", NAME),
        opt("year", Int),
        opt("km", Int),
        opt("inspection_date", Date),
        opt("insurance_date", Date),
        opt("maintenance_date", Date),
        opt("oil_change_date", Date),
        opt("oil_change_km", Int),
        req("oil_interval_km", Int),
        opt("notes", NOTE),
    ],
};

pub const DRIVERS: TableSpec = TableSpec {
    name: "drivers",
    fields: &[
        req("full_name", NAME),
        opt("license_class", CODE),
        opt("license_expiry", Date),
        opt("phone", CODE),
        opt("notes", NOTE),
    ],
};

pub const VEHICLE_FAULTS: TableSpec = TableSpec {
    name: "vehicle_faults",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        req("title", NAME),
        opt("description", NOTE),
        opt("opened_date", Date),
        opt("closed_date", Date),
        req("status", CODE),
    ],
};

pub const VEHICLE_SERVICE_VISITS: TableSpec = TableSpec {
    name: "vehicle_service_visits",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        opt("fault_id", Ref("vehicle_faults")),
        req("start_date", Date),
        opt("end_date", Date),
        opt("reason", NOTE),
        opt("cost", Real),
        opt("notes", NOTE),
    ],
};

pub const VEHICLE_INSPECTIONS: TableSpec = TableSpec {
    name: "vehicle_inspections",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        opt("driver_id", Ref("drivers")),
        req("inspection_date", Date),
        opt("km", Int),
        opt("notes", NOTE),
        opt("results", Text(RESULTS_CHARS)),
    ],
};

/// Every synced table, parents before children (the order a snapshot is applied in).
pub const TABLES: &[&TableSpec] = &[
    &EMPLOYEES,
    &TIMESHEETS,
    &SHIFT_TEMPLATES,
    &VEHICLES,
    &DRIVERS,
    &VEHICLE_FAULTS,
    &VEHICLE_SERVICE_VISITS,
    &VEHICLE_INSPECTIONS,
];

pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().copied().find(|t| t.name == name)
}

impl TableSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn column_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name)
    }

    /// True when an administrator may move this table's rows to another region: they refer to no
    /// other row, and a reference must stay inside its region.
    pub fn movable(&self) -> bool {
        !self.fields.iter().any(|f| matches!(f.kind, FieldKind::Ref(_)))
    }

    /// Checks names and JSON types of `fields`. With `complete`, every required field must be
    /// present (an insert); without it, any subset may be (an edit).
    pub fn check_fields(&self, fields: &Map<String, Value>, complete: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (name, value) in fields {
            match self.field(name) {
                // The name came from outside; the error quotes enough of it to recognise.
                None => {
                    errors.push(FieldError::new(&excerpt(name, NAME_EXCERPT_CHARS), Problem::UnknownField))
                }
                Some(spec) => {
                    if let Some(problem) = check_value(spec, value) {
                        errors.push(FieldError::new(name, problem));
                    }
                }
            }
        }
        if complete {
            for spec in self.fields.iter().filter(|f| f.required) {
                if fields.get(spec.name).is_none_or(Value::is_null) {
                    errors.push(FieldError::new(spec.name, Problem::Required));
                }
            }
        }
        errors
    }
}

fn check_value(spec: &FieldSpec, value: &Value) -> Option<Problem> {
    if value.is_null() {
        return spec.required.then_some(Problem::Required);
    }
    if let (Text(max), Some(text)) = (spec.kind, value.as_str())
        && text.chars().count() > max
    {
        return Some(Problem::TooLong { max });
    }
    let ok = match spec.kind {
        Text(_) => value.is_string(),
        Int => value.is_i64(),
        Real => value.is_number(),
        Bool => value.is_boolean(),
        Date => value.as_str().is_some_and(|s| crate::time::parse_iso_date(s).is_ok()),
        Time => value.as_str().is_some_and(|s| crate::time::parse_hhmm(s).is_ok()),
        Ref(_) => value.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
    };
    (!ok).then_some(match spec.kind {
        Text(_) => Problem::ExpectedText,
        Int => Problem::ExpectedInteger,
        Real => Problem::ExpectedNumber,
        Bool => Problem::ExpectedBool,
        Date => Problem::InvalidDate,
        Time => Problem::InvalidTime,
        Ref(_) => Problem::InvalidReference,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::i18n::Lang;

    fn errors(table: &TableSpec, fields: Value) -> Vec<FieldError> {
        table.check_fields(fields.as_object().unwrap(), false)
    }

    #[test]
    fn text_is_bounded_by_its_field_and_the_message_names_the_bound() {
        assert!(errors(&EMPLOYEES, json!({"full_name": "Ş".repeat(NAME_CHARS)})).is_empty());
        let too_long = errors(&EMPLOYEES, json!({"full_name": "Ş".repeat(NAME_CHARS + 1)}));
        assert_eq!(too_long, [FieldError::new("full_name", Problem::TooLong { max: NAME_CHARS })]);
        assert_eq!(too_long[0].to_string(), "full_name: is too long (200 characters at most)");
        assert_eq!(too_long[0].message(Lang::Tr), "çok uzun (en fazla 200 karakter)");
        let note = errors(&TIMESHEETS, json!({"note": "n".repeat(NOTE_CHARS + 1)}));
        assert_eq!(note, [FieldError::new("note", Problem::TooLong { max: NOTE_CHARS })]);
        let identity = errors(&EMPLOYEES, json!({"identity_no": "100000001460"}));
        assert_eq!(identity, [FieldError::new("identity_no", Problem::TooLong { max: 11 })]);
    }

    #[test]
    fn dates_and_times_must_have_their_exact_form() {
        assert!(errors(&TIMESHEETS, json!({"work_date": "2026-01-06", "start_time": "08:05"})).is_empty());
        let loose = errors(&TIMESHEETS, json!({"work_date": "2026-1-6", "start_time": "8:5"}));
        assert_eq!(
            loose,
            [
                FieldError::new("work_date", Problem::InvalidDate),
                FieldError::new("start_time", Problem::InvalidTime)
            ]
        );
    }

    #[test]
    fn an_unknown_field_is_named_by_a_short_prefix() {
        let name = format!("x\u{1b}{}", "y".repeat(10_000));
        let unknown = errors(&EMPLOYEES, Value::Object(Map::from_iter([(name, json!(1))])));
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].field, format!("x\\u{{1b}}{}…", "y".repeat(38)));
    }
}
