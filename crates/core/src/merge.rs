//! The server's rule for one incoming change against the row it holds: three-way, per field,
//! with arrival order at the server (never a PC's clock) deciding between two edits of one field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::protocol::{FieldConflict, Mutation, Op, OutcomeStatus};
use crate::schema::TableSpec;

/// A row on the server with the version at which each field last changed, and by which device.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub fields: Map<String, Value>,
    pub deleted: bool,
    pub field_versions: BTreeMap<String, FieldVersion>,
}

/// When and by whom a field last changed. The device matters: a device that edits a row twice
/// before its first edit comes back sends both with the same base version, and its second edit
/// must not count as a conflict with its own first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldVersion {
    pub version: i64,
    pub device: Uuid,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Write the row with these complete fields (and the tombstone when `delete`).
    Write {
        fields: Map<String, Value>,
        changed: Vec<String>,
        delete: bool,
        status: OutcomeStatus,
        conflicts: Vec<FieldConflict>,
    },
    /// Nothing to write: the row already says what the change says.
    Unchanged,
    Reject(RejectReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The row was deleted; an edit does not bring it back.
    Deleted,
}

impl RejectReason {
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::Deleted => "deleted",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RejectReason::Deleted => "the record was deleted on another computer",
        }
    }
}

/// Whether a field last changed after the version `base` an edit by `device` started from, by
/// another device: a change the edit's author cannot have seen. A device's own earlier edit does
/// not count, since it knew what it wrote.
pub fn changed_by_another_since(field: &FieldVersion, base: i64, device: Uuid) -> bool {
    field.version > base && field.device != device
}

/// Decides what `m`, pushed by `device`, does to the row the server holds (`current`).
pub fn decide(table: &TableSpec, current: Option<&StoredRow>, m: &Mutation, device: Uuid) -> Decision {
    let Some(current) = current else {
        return match m.op {
            // A delete can arrive for a row the server never saw (a legacy tombstone, or a row an
            // office deleted before its first sync); keeping the tombstone stops a later import or
            // an older copy from bringing the row back.
            Op::Delete => Decision::Write {
                fields: table.column_names().map(|name| (name.to_string(), Value::Null)).collect(),
                changed: Vec::new(),
                delete: true,
                status: OutcomeStatus::Applied,
                conflicts: Vec::new(),
            },
            Op::Upsert => {
                let fields: Map<String, Value> = table
                    .column_names()
                    .map(|name| (name.to_string(), m.fields.get(name).cloned().unwrap_or(Value::Null)))
                    .collect();
                Decision::Write {
                    changed: table.column_names().map(str::to_string).collect(),
                    fields,
                    delete: false,
                    status: OutcomeStatus::Applied,
                    conflicts: Vec::new(),
                }
            }
        };
    };
    let concurrent = |field: &str| {
        current
            .field_versions
            .get(field)
            .is_some_and(|fv| changed_by_another_since(fv, m.base_version, device))
    };
    match (m.op, current.deleted) {
        (Op::Delete, true) => Decision::Unchanged,
        (Op::Upsert, true) => Decision::Reject(RejectReason::Deleted),
        (Op::Delete, false) => Decision::Write {
            fields: current.fields.clone(),
            changed: Vec::new(),
            delete: true,
            status: OutcomeStatus::Applied,
            conflicts: Vec::new(),
        },
        (Op::Upsert, false) => {
            let mut fields = current.fields.clone();
            let mut changed = Vec::new();
            let mut conflicts = Vec::new();
            for (name, value) in &m.fields {
                let old = current.fields.get(name).cloned().unwrap_or(Value::Null);
                if &old == value {
                    continue;
                }
                if concurrent(name) {
                    conflicts.push(FieldConflict {
                        field: name.clone(),
                        server_value: old,
                        device_value: value.clone(),
                    });
                }
                fields.insert(name.clone(), value.clone());
                changed.push(name.clone());
            }
            if changed.is_empty() {
                return Decision::Unchanged;
            }
            let others_changed = current
                .field_versions
                .values()
                .any(|fv| changed_by_another_since(fv, m.base_version, device));
            let status = if others_changed { OutcomeStatus::Merged } else { OutcomeStatus::Applied };
            Decision::Write { fields, changed, delete: false, status, conflicts }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SHIFT_TEMPLATES;
    use serde_json::json;

    const OTHER: Uuid = Uuid::from_u128(2);
    const ME: Uuid = Uuid::from_u128(1);

    fn mutation(op: Op, fields: Value, base_version: i64) -> Mutation {
        Mutation {
            mutation_id: 1,
            table: "shift_templates".into(),
            row_id: uuid::Uuid::nil(),
            region: "Ankara".into(),
            op,
            fields: fields.as_object().unwrap().clone(),
            base_version,
            imported: false,
            renumbered_from: None,
        }
    }

    fn stored(versions: &[(&str, i64)]) -> StoredRow {
        StoredRow {
            fields:
                json!({"name": "Gündüz", "start_time": "08:00", "end_time": "17:00", "break_minutes": 60})
                    .as_object()
                    .unwrap()
                    .clone(),
            deleted: false,
            field_versions: versions
                .iter()
                .map(|(f, v)| (f.to_string(), FieldVersion { version: *v, device: OTHER }))
                .collect(),
        }
    }

    #[test]
    fn different_fields_merge_cleanly() {
        let row = stored(&[("name", 1), ("start_time", 5)]);
        let d = decide(&SHIFT_TEMPLATES, Some(&row), &mutation(Op::Upsert, json!({"name": "Sabah"}), 1), ME);
        let Decision::Write { fields, status, conflicts, .. } = d else { panic!("{d:?}") };
        assert_eq!(status, OutcomeStatus::Merged);
        assert!(conflicts.is_empty());
        assert_eq!(fields["name"], "Sabah");
        assert_eq!(fields["start_time"], "08:00");
    }

    #[test]
    fn same_field_conflicts_and_later_arrival_wins() {
        let row = stored(&[("name", 4)]);
        let d = decide(&SHIFT_TEMPLATES, Some(&row), &mutation(Op::Upsert, json!({"name": "Akşam"}), 1), ME);
        let Decision::Write { fields, conflicts, .. } = d else { panic!("{d:?}") };
        assert_eq!(fields["name"], "Akşam");
        assert_eq!(conflicts[0].server_value, "Gündüz");
    }

    #[test]
    fn own_earlier_edit_is_not_a_conflict() {
        let mut row = stored(&[("name", 4)]);
        row.field_versions.get_mut("name").unwrap().device = ME;
        let d = decide(&SHIFT_TEMPLATES, Some(&row), &mutation(Op::Upsert, json!({"name": "Gece"}), 1), ME);
        let Decision::Write { status, conflicts, .. } = d else { panic!("{d:?}") };
        assert_eq!(status, OutcomeStatus::Applied);
        assert!(conflicts.is_empty());
    }

    #[test]
    fn tombstones_stay() {
        let mut row = stored(&[("name", 1)]);
        row.deleted = true;
        let edit = mutation(Op::Upsert, json!({"name": "x"}), 1);
        assert_eq!(decide(&SHIFT_TEMPLATES, Some(&row), &edit, ME), Decision::Reject(RejectReason::Deleted));
        let delete = mutation(Op::Delete, json!({}), 1);
        assert_eq!(decide(&SHIFT_TEMPLATES, Some(&row), &delete, ME), Decision::Unchanged);
    }
}
