//! Applying a device's batch of mutations: exactly once per (device, mutation id), all in one
//! transaction. A malformed or out-of-scope mutation refuses the whole batch (the device has a
//! bug or is misconfigured, and nothing half-applied should be left behind); a well-formed one
//! the data rules refuse is answered "rejected" with the reason, and the batch goes on.

use rainstaff_core::merge::{self, Decision, FieldVersion};
use rainstaff_core::protocol::{
    ALL_REGIONS, MAX_BATCH, Mutation, Op, Outcome, OutcomeStatus, PushRequest, PushResponse, RowState,
    in_scope,
};
use rainstaff_core::regions;
use rainstaff_core::schema::{self, FieldKind, TableSpec};
use rainstaff_core::validate::{self, FieldError, Problem};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Server, timestamp};
use crate::auth::sha256_hex;
use crate::error::{ApiError, StoreError, quoted};
use crate::sql_values::canonical;
use crate::store::{AppliedMutation, Device, NewConflict, ServerRow, Store, Tx};

impl<S: Store> Server<S> {
    pub fn push(&self, device: &Device, request: PushRequest) -> Result<PushResponse, ApiError> {
        if request.mutations.len() > MAX_BATCH {
            return Err(ApiError::bad_request(
                "batch_too_large",
                format!("a push carries at most {MAX_BATCH} mutations; got {}", request.mutations.len()),
            ));
        }
        let now = timestamp(self.now());
        self.store.write(|tx| {
            // Read again inside the transaction: the caller's copy may predate another batch of
            // the same device, or a revocation.
            let current = tx.device(device.id)?.filter(|d| d.revoked_at.is_none()).ok_or_else(|| {
                ApiError::unauthorized("token_revoked", "this computer's access was revoked")
            })?;
            let mut last = current.last_mutation_id;
            let mut outcomes = Vec::with_capacity(request.mutations.len());
            for m in &request.mutations {
                let hash = mutation_hash(m)?;
                if let Some(prior) = tx.applied_mutation(current.id, m.mutation_id)? {
                    if prior.hash != hash {
                        return Err(ApiError::conflict(
                            "mutation_replayed",
                            format!("mutation {} was already applied with different content", m.mutation_id),
                        ));
                    }
                    outcomes.push(prior.outcome);
                    continue;
                }
                check_sequence(m.mutation_id, last)?;
                let outcome = apply(tx, &current, m, &now)?;
                tx.record_mutation(
                    current.id,
                    m.mutation_id,
                    &AppliedMutation { hash, outcome: outcome.clone() },
                    &now,
                )?;
                last = Some(m.mutation_id);
                outcomes.push(outcome);
            }
            if let Some(last) = last.filter(|&l| Some(l) != current.last_mutation_id) {
                tx.record_push(current.id, last, &now)?;
            }
            Ok(PushResponse { outcomes })
        })
    }
}

/// Ids of one device increase by one; only its very first push may start anywhere (it may have
/// worked offline before it was enrolled).
fn check_sequence(id: i64, last: Option<i64>) -> Result<(), ApiError> {
    if id < 1 {
        return Err(ApiError::bad_request("invalid_mutation", format!("mutation id {id} must be positive")));
    }
    match last {
        Some(last) if id <= last => Err(ApiError::conflict(
            "mutation_replayed",
            format!("mutation {id} is older than this device's last applied mutation {last} and unknown"),
        )),
        Some(last) if id > last + 1 => Err(ApiError::conflict(
            "mutation_gap",
            format!("mutation {id} skips ids after {last}; push the outbox in order"),
        )),
        _ => Ok(()),
    }
}

fn mutation_hash(m: &Mutation) -> Result<String, StoreError> {
    Ok(sha256_hex(&serde_json::to_vec(m)?))
}

/// A region a row can belong to: a canonical region code, never the administrators' pseudo-region.
fn valid_row_region(region: &str) -> bool {
    region != ALL_REGIONS && regions::normalize(region).as_deref() == Some(region)
}

fn apply(tx: &mut impl Tx, device: &Device, m: &Mutation, now: &str) -> Result<Outcome, ApiError> {
    let table = schema::table(&m.table).ok_or_else(|| {
        ApiError::bad_request("unknown_table", format!("there is no synced table {}", quoted(&m.table)))
    })?;
    if !valid_row_region(&m.region) {
        return Err(ApiError::bad_request(
            "invalid_region",
            format!("{} is not a region code", quoted(&m.region)),
        ));
    }
    if !in_scope(&device.region, &m.region) {
        return Err(region_forbidden(m));
    }
    let current = tx.row(table, m.row_id)?;
    if current.as_ref().is_some_and(|c| c.state.region != m.region) {
        return Err(region_forbidden(m));
    }
    let complete = m.op == Op::Upsert && current.is_none();
    let errors = table.check_fields(&m.fields, complete);
    if !errors.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_fields",
            format!("mutation {} ({}): {}", m.mutation_id, table.name, validate::describe(&errors)),
        ));
    }
    let mut canonical_m = m.clone();
    for (name, value) in canonical_m.fields.iter_mut() {
        if let Some(spec) = table.field(name) {
            *value = canonical(spec.kind, value);
        }
    }
    let current_state = current.as_ref().map(|c| c.state.clone());
    match merge::decide(table, current.as_ref().map(ServerRow::to_stored).as_ref(), &canonical_m, device.id) {
        Decision::Reject(reason) => Ok(rejected(m, reason.message().to_string(), current_state)),
        Decision::Unchanged => Ok(Outcome {
            mutation_id: m.mutation_id,
            status: OutcomeStatus::Applied,
            reason: None,
            row: current_state,
            conflicts: Vec::new(),
        }),
        Decision::Write { fields, changed, delete, status, conflicts } => {
            if !delete {
                let mut errors = validate::check_row(table.name, &fields);
                errors.extend(check_references(tx, table, &m.region, &fields, &changed)?);
                if !errors.is_empty() {
                    return Ok(rejected(m, validate::describe(&errors), current_state));
                }
            }
            let row = write_row(
                tx,
                current.as_ref(),
                RowWrite {
                    table,
                    id: m.row_id,
                    region: &m.region,
                    fields,
                    changed: &changed,
                    delete,
                    device: device.id,
                    now,
                },
            )?;
            let seq = row.state.version;
            for c in &conflicts {
                tx.insert_conflict(&NewConflict {
                    table: table.name,
                    row_id: m.row_id,
                    region: &m.region,
                    field: &c.field,
                    server_value: &c.server_value,
                    device_value: &c.device_value,
                    device: device.id,
                    mutation_id: m.mutation_id,
                    seq,
                    created_at: now,
                })?;
            }
            Ok(Outcome { mutation_id: m.mutation_id, status, reason: None, row: Some(row.state), conflicts })
        }
    }
}

/// A row version about to be written; it gets the next change seq.
pub(super) struct RowWrite<'a> {
    pub table: &'static TableSpec,
    pub id: Uuid,
    pub region: &'a str,
    /// The complete fields of the new version.
    pub fields: Map<String, Value>,
    /// The fields whose value this version changes: they get the new seq as their version.
    pub changed: &'a [String],
    pub delete: bool,
    /// Who made the change; the merge does not count a device's edits as conflicting with its own.
    pub device: Uuid,
    pub now: &'a str,
}

/// Stores a new version of a row and appends it to the change log under a new seq.
pub(super) fn write_row(
    tx: &mut impl Tx,
    current: Option<&ServerRow>,
    w: RowWrite<'_>,
) -> Result<ServerRow, StoreError> {
    let seq = tx.next_seq()?;
    let mut field_versions = current.map(|c| c.field_versions.clone()).unwrap_or_default();
    for name in w.changed {
        field_versions.insert(name.clone(), FieldVersion { version: seq, device: w.device });
    }
    let deleted_at = match (w.delete, current.and_then(|c| c.state.deleted_at.clone())) {
        (false, _) => None,
        (true, Some(at)) => Some(at),
        (true, None) => Some(w.now.to_string()),
    };
    let state = RowState {
        table: w.table.name.to_string(),
        id: w.id,
        region: w.region.to_string(),
        version: seq,
        created_at: current.map_or_else(|| w.now.to_string(), |c| c.state.created_at.clone()),
        updated_at: w.now.to_string(),
        deleted_at,
        fields: w.fields,
    };
    let row = ServerRow { state, field_versions };
    tx.put_row(w.table, &row)?;
    tx.append_change(seq, &row.state)?;
    Ok(row)
}

fn region_forbidden(m: &Mutation) -> ApiError {
    ApiError::forbidden(
        "region_forbidden",
        format!(
            "mutation {}: this computer may not change that record's region or records of another region",
            m.mutation_id
        ),
    )
}

fn rejected(m: &Mutation, reason: String, row: Option<RowState>) -> Outcome {
    Outcome {
        mutation_id: m.mutation_id,
        status: OutcomeStatus::Rejected,
        reason: Some(reason),
        row,
        conflicts: Vec::new(),
    }
}

/// Every reference this change sets must point at a live row of the same region. Unchanged
/// references are left alone: a parent deleted later must not block edits of other fields.
pub(super) fn check_references(
    tx: &mut impl Tx,
    table: &TableSpec,
    region: &str,
    fields: &Map<String, Value>,
    changed: &[String],
) -> Result<Vec<FieldError>, StoreError> {
    let mut errors = Vec::new();
    for spec in table.fields.iter().filter(|f| changed.iter().any(|c| c == f.name)) {
        let FieldKind::Ref(target) = spec.kind else {
            continue;
        };
        let Some(id) = fields.get(spec.name).and_then(Value::as_str) else {
            continue;
        };
        let target = schema::table(target)
            .ok_or_else(|| StoreError::msg(format!("schema refers to unknown table {target}")))?;
        let live = match uuid::Uuid::parse_str(id) {
            Ok(id) => {
                tx.row(target, id)?.is_some_and(|r| r.state.deleted_at.is_none() && r.state.region == region)
            }
            Err(_) => false,
        };
        if !live {
            errors.push(FieldError::new(spec.name, Problem::InvalidReference));
        }
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn sequence_rules() {
        assert!(check_sequence(7, None).is_ok());
        assert!(check_sequence(8, Some(7)).is_ok());
        assert_eq!(check_sequence(10, Some(7)).unwrap_err().code, "mutation_gap");
        assert_eq!(check_sequence(3, Some(7)).unwrap_err().code, "mutation_replayed");
        assert_eq!(check_sequence(0, None).unwrap_err().status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn row_regions() {
        assert!(valid_row_region("Ankara"));
        assert!(!valid_row_region("ankara"));
        assert!(!valid_row_region("ALL"));
        assert!(!valid_row_region(""));
    }
}
