//! Typed views of the synced rows, for the screens and reports. Stores keep rows as schema fields
//! (the desktop's `db::rows`, the server's tables); these structs are read from and written to
//! those fields by serde, so the field names here are the schema's. Plain data in core, so that
//! whatever holds the rows (the desktop, the server) makes the same records of them.

use crate::hours::BreakPolicy;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// A row with what the sync bookkeeping says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    pub id: Uuid,
    pub region: String,
    pub data: T,
    /// Why the server rejected this record's latest change, until somebody edits it again.
    pub sync_error: Option<String>,
}

impl<T: DeserializeOwned> Record<T> {
    /// The typed record of a row's schema fields; None when they do not make a `T`.
    pub fn from_fields(
        id: Uuid,
        region: String,
        fields: Map<String, Value>,
        sync_error: Option<String>,
    ) -> Option<Record<T>> {
        let data = serde_json::from_value(Value::Object(fields)).ok()?;
        Some(Record { id, region, data, sync_error })
    }
}

/// The schema fields of a typed row.
pub fn fields_of<T: Serialize>(data: &T) -> Map<String, Value> {
    match serde_json::to_value(data) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    pub full_name: String,
    pub identity_no: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub hire_date: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub leaving_date: Option<String>,
    pub active: bool,
    pub contract_kind: String,
    pub weekly_minutes: i64,
    pub break_policy: String,
}

impl Default for Employee {
    fn default() -> Self {
        Employee {
            full_name: String::new(),
            identity_no: None,
            department: None,
            title: None,
            hire_date: None,
            birth_date: None,
            leaving_date: None,
            active: true,
            contract_kind: "full_time".into(),
            weekly_minutes: 2700,
            break_policy: BreakPolicy::Statutory.to_stored(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    pub employee_id: String,
    pub work_date: String,
    pub start_time: String,
    pub end_time: String,
    pub break_minutes: i64,
    pub special_day: bool,
    pub note: Option<String>,
}

impl Shift {
    /// Whether the shift ends on the day after its date (an end earlier than its start): lists and
    /// reports mark such an end "+1".
    pub fn ends_next_day(&self) -> bool {
        match (crate::time::parse_hhmm(&self.start_time), crate::time::parse_hhmm(&self.end_time)) {
            (Ok(start), Ok(end)) => end < start,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftTemplate {
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub break_minutes: i64,
    /// What the week grid takes for this template's times (`shift_text::template_code`).
    #[serde(default)]
    pub short_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub plate: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub km: Option<i64>,
    pub inspection_date: Option<String>,
    pub insurance_date: Option<String>,
    pub maintenance_date: Option<String>,
    pub oil_change_date: Option<String>,
    pub oil_change_km: Option<i64>,
    pub oil_interval_km: i64,
    pub notes: Option<String>,
}
