//! The synced tables, described once. Client store, server store, protocol validation and the
//! legacy importer all read their column lists from here, so a table name or field name that
//! arrives from outside is only ever compared against this list — never pasted into SQL.

use serde_json::{Map, Value};

use crate::validate::{FieldError, Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
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

pub const EMPLOYEES: TableSpec = TableSpec {
    name: "employees",
    fields: &[
        req("full_name", Text),
        opt("identity_no", Text),
        opt("department", Text),
        opt("title", Text),
        opt("hire_date", Date),
        req("active", Bool),
        req("contract_kind", Text),
        req("weekly_minutes", Int),
        req("break_policy", Text),
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
        opt("note", Text),
    ],
};

pub const SHIFT_TEMPLATES: TableSpec = TableSpec {
    name: "shift_templates",
    fields: &[req("name", Text), req("start_time", Time), req("end_time", Time), req("break_minutes", Int)],
};

pub const VEHICLES: TableSpec = TableSpec {
    name: "vehicles",
    fields: &[
        req("plate", Text),
        opt("brand", Text),
        opt("model", Text),
        opt("year", Int),
        opt("km", Int),
        opt("inspection_date", Date),
        opt("insurance_date", Date),
        opt("maintenance_date", Date),
        opt("oil_change_date", Date),
        opt("oil_change_km", Int),
        req("oil_interval_km", Int),
        opt("notes", Text),
    ],
};

pub const DRIVERS: TableSpec = TableSpec {
    name: "drivers",
    fields: &[
        req("full_name", Text),
        opt("license_class", Text),
        opt("license_expiry", Date),
        opt("phone", Text),
        opt("notes", Text),
    ],
};

pub const VEHICLE_FAULTS: TableSpec = TableSpec {
    name: "vehicle_faults",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        req("title", Text),
        opt("description", Text),
        opt("opened_date", Date),
        opt("closed_date", Date),
        req("status", Text),
    ],
};

pub const VEHICLE_SERVICE_VISITS: TableSpec = TableSpec {
    name: "vehicle_service_visits",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        opt("fault_id", Ref("vehicle_faults")),
        req("start_date", Date),
        opt("end_date", Date),
        opt("reason", Text),
        opt("cost", Real),
        opt("notes", Text),
    ],
};

pub const VEHICLE_INSPECTIONS: TableSpec = TableSpec {
    name: "vehicle_inspections",
    fields: &[
        req("vehicle_id", Ref("vehicles")),
        opt("driver_id", Ref("drivers")),
        req("inspection_date", Date),
        opt("km", Int),
        opt("notes", Text),
        opt("results", Text),
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
                None => errors.push(FieldError::new(name, Problem::UnknownField)),
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
    let ok = match spec.kind {
        Text => value.is_string(),
        Int => value.is_i64(),
        Real => value.is_number(),
        Bool => value.is_boolean(),
        Date => value.as_str().is_some_and(|s| crate::time::parse_iso_date(s).is_ok()),
        Time => value.as_str().is_some_and(|s| crate::time::parse_hhmm(s).is_ok()),
        Ref(_) => value.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
    };
    (!ok).then_some(match spec.kind {
        Text => Problem::ExpectedText,
        Int => Problem::ExpectedInteger,
        Real => Problem::ExpectedNumber,
        Bool => Problem::ExpectedBool,
        Date => Problem::InvalidDate,
        Time => Problem::InvalidTime,
        Ref(_) => Problem::InvalidReference,
    })
}
