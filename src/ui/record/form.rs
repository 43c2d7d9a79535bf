//! A record's form, built from its table's fields in `core::schema`: one input per field, and the
//! two conversions a form needs, from the stored row to what people read and type (DD.MM.YYYY,
//! `12.500` km) and back to the exact stored forms the store and the server check.

use chrono::NaiveDate;
use rainstaff_core::schema::{FieldKind, FieldSpec, TableSpec};
use rainstaff_core::time::{format_date, format_hhmm, parse_iso_date, parse_user_date, parse_user_time};
use rainstaff_core::validate::Problem;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::rows::LocalRow;
use crate::ui::form::FormErrors;
use crate::ui::move_region::MoveDialog;

/// What one field of the form holds while it is being edited.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Text, numbers, dates and times, as typed.
    Text(String),
    Check(bool),
    /// The id of a referenced record, or a code among the field's choices; None: nothing chosen.
    Pick(Option<String>),
}

/// True for the fields chosen from a list rather than typed.
pub fn is_pick(field: &FieldSpec) -> bool {
    matches!(field.kind, FieldKind::Ref(_)) || !field.choices.is_empty()
}

#[derive(Debug, Clone)]
pub struct RecordForm {
    pub id: Option<Uuid>,
    pub region: String,
    /// One input per field of the table, in the schema's order.
    pub inputs: Vec<Input>,
    pub errors: FormErrors,
    /// Set after a warning the person may override (`Hooks::confirmable`): the next save confirms.
    pub confirming: bool,
    pub(super) saving: bool,
    /// The delete dialog is open.
    pub(super) deleting: bool,
    /// A new form puts the cursor in its first field (form::focus_once).
    pub(super) focus: bool,
    pub moving: Option<MoveDialog>,
    /// Why the server refused the record's last change, until somebody edits it again.
    pub mark: Option<String>,
}

impl RecordForm {
    /// A new record: required dates start at today, code fields at their first choice, and
    /// `defaults` (field, typed text) fill what the table's screen says.
    pub fn new(table: &TableSpec, region: String, today: NaiveDate, defaults: &[(&str, &str)]) -> Self {
        let inputs = table
            .fields
            .iter()
            .map(|f| match defaults.iter().find(|(name, _)| *name == f.name) {
                Some((_, value)) if is_pick(f) => Input::Pick(Some(value.to_string())),
                Some((_, value)) => Input::Text(value.to_string()),
                None if f.kind == FieldKind::Bool => Input::Check(false),
                None if is_pick(f) => Input::Pick(f.choices.first().map(|c| c.value.to_string())),
                None if f.kind == FieldKind::Date && f.required => Input::Text(format_date(today)),
                None => Input::Text(String::new()),
            })
            .collect();
        RecordForm {
            id: None,
            region,
            inputs,
            errors: FormErrors::default(),
            confirming: false,
            saving: false,
            deleting: false,
            focus: true,
            moving: None,
            mark: None,
        }
    }

    /// A stored record, as people read it.
    pub fn edit(table: &TableSpec, row: &LocalRow) -> Self {
        let inputs = table
            .fields
            .iter()
            .map(|f| {
                let value = row.fields.get(f.name).unwrap_or(&Value::Null);
                match value {
                    _ if f.kind == FieldKind::Bool => Input::Check(value.as_bool().unwrap_or(false)),
                    _ if is_pick(f) => Input::Pick(value.as_str().map(str::to_string)),
                    Value::Null => Input::Text(String::new()),
                    Value::String(s) if f.kind == FieldKind::Date => {
                        Input::Text(parse_iso_date(s).map(format_date).unwrap_or_else(|_| s.clone()))
                    }
                    Value::String(s) => Input::Text(s.clone()),
                    other => Input::Text(other.to_string()),
                }
            })
            .collect();
        RecordForm {
            id: Some(row.id),
            region: row.region.clone(),
            inputs,
            errors: FormErrors::default(),
            confirming: false,
            saving: false,
            deleting: false,
            focus: false,
            moving: None,
            mark: row.sync_error.clone(),
        }
    }

    /// The chosen value of a pick field.
    pub fn picked(&self, table: &TableSpec, field: &str) -> Option<&str> {
        let i = table.fields.iter().position(|f| f.name == field)?;
        match &self.inputs[i] {
            Input::Pick(value) => value.as_deref(),
            _ => None,
        }
    }

    /// Every field in its stored form, or the errors of what cannot even be read. An empty
    /// input is null: the store says whether the field may be empty.
    pub fn to_fields(&self, table: &TableSpec) -> Result<Map<String, Value>, FormErrors> {
        let mut errors = FormErrors::default();
        let mut fields = Map::new();
        for (f, input) in table.fields.iter().zip(&self.inputs) {
            let value = match input {
                Input::Check(b) => Ok(Value::Bool(*b)),
                Input::Pick(p) => Ok(p.clone().map_or(Value::Null, Value::String)),
                Input::Text(s) => stored(f.kind, s.trim()),
            };
            match value {
                Ok(value) => {
                    fields.insert(f.name.to_string(), value);
                }
                Err(problem) => errors.push(f.name, problem),
            }
        }
        if errors.is_empty() { Ok(fields) } else { Err(errors) }
    }
}

/// What was typed into a field, in the field's stored form.
fn stored(kind: FieldKind, typed: &str) -> Result<Value, Problem> {
    if typed.is_empty() {
        return Ok(Value::Null);
    }
    match kind {
        // `12.500` km is how a Turkish office writes twelve thousand five hundred.
        FieldKind::Int => {
            typed.replace('.', "").parse::<i64>().map(Value::from).map_err(|_| Problem::ExpectedInteger)
        }
        FieldKind::Real => amount(typed).map(Value::from).ok_or(Problem::ExpectedNumber),
        FieldKind::Date => parse_user_date(typed).map(|d| Value::String(d.to_string())),
        FieldKind::Time => parse_user_time(typed).map(|m| Value::String(format_hhmm(m))),
        FieldKind::Text(_) | FieldKind::Bool | FieldKind::Ref(_) => Ok(Value::String(typed.to_string())),
    }
}

/// An amount as people type it: `1.250,50` (Turkish), `1250,5` or `1250.5`.
fn amount(typed: &str) -> Option<f64> {
    let plain =
        if typed.contains(',') { typed.replace('.', "").replace(',', ".") } else { typed.to_string() };
    plain.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use rainstaff_core::schema::{DRIVERS, VEHICLE_FAULTS, VEHICLE_SERVICE_VISITS};

    use super::*;

    fn set(form: &mut RecordForm, table: &TableSpec, field: &str, input: Input) {
        let i = table.fields.iter().position(|f| f.name == field).unwrap();
        form.inputs[i] = input;
    }

    #[test]
    fn typed_values_become_their_stored_forms_and_back() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        let mut form = RecordForm::new(&VEHICLE_SERVICE_VISITS, "Bursa".into(), today, &[]);
        set(&mut form, &VEHICLE_SERVICE_VISITS, "cost", Input::Text("1.250,50".into()));
        set(&mut form, &VEHICLE_SERVICE_VISITS, "reason", Input::Text("  Fren  ".into()));
        let fields = form.to_fields(&VEHICLE_SERVICE_VISITS).unwrap();
        assert_eq!(fields["start_date"], "2026-03-04", "a required date starts at today");
        assert_eq!(fields["cost"], 1250.5);
        assert_eq!(fields["reason"], "Fren");
        assert_eq!(fields["end_date"], Value::Null);

        let faults = RecordForm::new(&VEHICLE_FAULTS, "Bursa".into(), today, &[]);
        assert_eq!(faults.picked(&VEHICLE_FAULTS, "status"), Some("Acik"), "the first choice");

        let mut driver = RecordForm::new(&DRIVERS, "Bursa".into(), today, &[]);
        set(&mut driver, &DRIVERS, "license_expiry", Input::Text("31.2.2027".into()));
        let errors = driver.to_fields(&DRIVERS).unwrap_err();
        assert!(errors.message("license_expiry", rainstaff_core::i18n::Lang::En).is_some());

        let row = LocalRow {
            id: Uuid::nil(),
            region: "Bursa".into(),
            fields: fields.clone(),
            created_at: String::new(),
            updated_at: String::new(),
            deleted: false,
            server_version: 0,
            sync_error: Some("rule".into()),
        };
        let edit = RecordForm::edit(&VEHICLE_SERVICE_VISITS, &row);
        assert_eq!(edit.inputs[2], Input::Text("04.03.2026".into()));
        assert_eq!(edit.to_fields(&VEHICLE_SERVICE_VISITS).unwrap(), fields, "read back unchanged");
        assert_eq!(edit.mark.as_deref(), Some("rule"));
    }
}
