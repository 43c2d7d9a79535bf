//! Applying a device's batch of mutations: exactly once per (device, mutation id), all in one
//! transaction. Each mutation is answered on its own: one the server refuses (another region's
//! record, an id another region owns, fields out of their rules) is answered "rejected" with a
//! stable code and the batch goes on, so one bad change never holds back the office's others.
//! Only what makes the whole request untrustworthy refuses it: authentication, protocol version,
//! a malformed body, and mutation ids out of order (which the device mends by renumbering).
//!
//! After the merge, the merged row is held to the rules that need other rows
//! (`rainstaff_core::rules`, the function the desktop saves through), so two offices offline
//! cannot together write what either would have refused alone.

use rainstaff_core::merge::{self, Decision, FieldVersion};
use rainstaff_core::protocol::{
    ALL_REGIONS, ErrorDetail, MAX_BATCH, Mutation, Op, Outcome, OutcomeStatus, PushRequest, PushResponse,
    RefusalCode, RowState, in_scope,
};
use rainstaff_core::regions;
use rainstaff_core::rules::{self, Change, LeaveDays, Neighbours, ShiftTimes};
use rainstaff_core::schema::{
    self, AUDIT_ENTRIES, EMPLOYEES, FieldKind, LEAVES, PERIOD_LOCKS, SHIFT_TEMPLATES, TIMESHEETS, TableSpec,
    VEHICLE_INSPECTIONS, VEHICLES,
};
use rainstaff_core::sql_value::canonical;
use rainstaff_core::validate::{self, FieldError, Problem};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::answers::{self, Remembered};
use super::sessions::audit_entry;
use super::{Server, timestamp};
use crate::error::{ServiceError, StoreError, quoted};
use crate::store::{AppliedMutation, Device, LiveRow, NewConflict, RowQuery, ServerRow, Store, Tx};

impl<S: Store> Server<S> {
    pub fn push(&self, device: &Device, request: PushRequest) -> Result<PushResponse, ServiceError> {
        if request.mutations.len() > MAX_BATCH {
            return Err(ServiceError::invalid(
                "batch_too_large",
                format!("a push carries at most {MAX_BATCH} mutations; got {}", request.mutations.len()),
            ));
        }
        let now = timestamp(self.now());
        // Before the write lock: pushes of other devices wait for it, not for this.
        let hashes = request.mutations.iter().map(answers::hash).collect::<Result<Vec<_>, _>>()?;
        self.store.write(|tx| {
            // Read again inside the transaction: the caller's copy may predate another batch of
            // the same device, or a revocation.
            let current = tx.device(device.id)?.filter(|d| d.revoked_at.is_none()).ok_or_else(|| {
                ServiceError::unauthenticated("token_revoked", "this computer's access was revoked")
            })?;
            // A device sends its oldest unanswered change first: it holds the answers to every
            // earlier one, and their records would only grow the database; what is kept of their
            // answers (`answers`) still meets a late copy of an older request, or a PC put back
            // from an older copy of its data, without applying anything twice.
            if let Some(first) = request.mutations.first() {
                tx.forget_mutations(current.id, first.mutation_id)?;
            }
            let committed = current.last_mutation_id;
            // First what the server knows of the request: the answers it gave ids it applied,
            // and the ids it applied with other content, all of them, so that the device mends
            // the batch with one renumbering that leaves the others alone (renumbered, they would
            // be applied a second time).
            let mut known = Vec::with_capacity(request.mutations.len());
            let mut reused = Vec::new();
            let renumbered_up_to = tx.last_renumbered(current.id)?;
            for (m, hash) in request.mutations.iter().zip(&hashes) {
                known.push(match prior_answer(tx, &current, renumbered_up_to, m, hash)? {
                    Prior::Answered(outcome) => Some(*outcome),
                    Prior::Reused => {
                        reused.push(m.mutation_id);
                        None
                    }
                    Prior::New => None,
                });
            }
            if !reused.is_empty() {
                return Err(replayed(reused, committed));
            }
            // Where a device whose new ids do not follow on renumbers from: its first new one,
            // after the last applied or, with none known (its first push, or after a restore),
            // right where it is.
            let first_new =
                request.mutations.iter().zip(&known).find_map(|(m, k)| k.is_none().then_some(m.mutation_id));
            let renumber = ErrorDetail {
                last_mutation_id: committed.or(first_new.map(|id| id - 1)),
                replayed_mutation_id: first_new,
                ..ErrorDetail::default()
            };
            let mut last = committed;
            let (mut applied, mut refused) = (0, 0);
            let mut outcomes: Vec<Outcome> = Vec::with_capacity(request.mutations.len());
            // What is kept for good of the answers this push makes (`answers`): its first new id
            // and their bytes.
            let mut run: Option<(i64, Vec<u8>)> = None;
            for (i, ((m, hash), known)) in request.mutations.iter().zip(&hashes).zip(known).enumerate() {
                // The same id twice in one request: the second is answered as the first (with other
                // content it is refused below, as replayed).
                let earlier = || {
                    let j = (0..i).find(|&j| request.mutations[j].mutation_id == m.mutation_id)?;
                    (hashes[j] == *hash).then(|| outcomes[j].clone())
                };
                if let Some(outcome) = known.or_else(earlier) {
                    outcomes.push(outcome);
                    continue;
                }
                check_sequence(m.mutation_id, last, &renumber)?;
                let outcome = apply(tx, &current, m, &now, Rules::Judge)?;
                // A change applied as sent is answered again from what `answers` keeps, with the
                // row as it stands then; only an answer that says more (a merge's conflicts, a
                // refusal's reason) is kept in full, which spares most pushes a write a change.
                if outcome.status != OutcomeStatus::Applied || !outcome.conflicts.is_empty() {
                    tx.record_mutation(
                        current.id,
                        m.mutation_id,
                        &AppliedMutation { hash: hash.clone(), outcome: outcome.clone() },
                        &now,
                    )?;
                }
                if m.renumbered_from.is_some_and(|f| f != m.mutation_id) {
                    let (first, kept) = answers::first_sent(m)?;
                    tx.record_renumbered(current.id, first, &kept, m.mutation_id)?;
                }
                last = Some(m.mutation_id);
                applied += 1;
                refused += i64::from(outcome.status == OutcomeStatus::Rejected);
                run.get_or_insert_with(|| (m.mutation_id, Vec::new()))
                    .1
                    .extend(answers::kept(hash, &outcome));
                outcomes.push(outcome);
            }
            if let Some((first, bytes)) = run {
                tx.record_answers(current.id, first, &bytes)?;
            }
            if let Some(last) = last.filter(|&l| Some(l) != current.last_mutation_id) {
                tx.record_push(current.id, last, refused, &now)?;
                let detail = format!("{applied} changes, {refused} refused");
                let actor = format!("device:{}", current.name);
                tx.append_audit(&audit_entry(&now, &actor, &current.region, "push", &current.name, detail))?;
            }
            Ok(PushResponse { outcomes, epoch: Some(super::epoch(tx)?.id) })
        })
    }
}

/// What the server knows of a device's mutation id.
enum Prior {
    /// Applied with this content: the answer it got.
    Answered(Box<Outcome>),
    /// Applied with other content, or at or below the last applied with nothing kept of it,
    /// which cannot be told from a reused id.
    Reused,
    New,
}

/// `renumbered_up_to` is the largest id the device's renumbered changes were first sent under
/// (`Tx::last_renumbered`).
fn prior_answer(
    tx: &mut impl Tx,
    device: &Device,
    renumbered_up_to: Option<i64>,
    m: &Mutation,
    hash: &str,
) -> Result<Prior, StoreError> {
    // Records exist only up to the device's last applied id (none is known after a restore): a
    // new id needs no look-up, which on PostgreSQL is a round trip. One that cannot be an id is
    // refused as a new one (`check_sequence`). But a change renumbered *down* (`mutation_gap`)
    // was first sent under an id above the last: a copy of the PC's data from before that sends
    // it again under that id, which looks new.
    if m.mutation_id <= 0 {
        return Ok(Prior::New);
    }
    if device.last_mutation_id.is_some_and(|l| m.mutation_id > l) {
        return renamed_or_new(tx, device, renumbered_up_to, m);
    }
    if let Some(prior) = tx.applied_mutation(device.id, m.mutation_id)? {
        if prior.hash != hash {
            return reused(tx, device, m);
        }
        // With the row as it stands now, as the answers given from what `answers` keeps: a retry
        // answered from two moments would hand the PC, for a change refused there, a row older
        // than the one it takes for a change applied beside it. A refusal that showed no row
        // (an id another region owns) still shows none.
        let mut outcome = prior.outcome;
        if outcome.row.is_some() {
            outcome.row = answers::row_now(tx, device, m)?;
        }
        return Ok(Prior::Answered(Box::new(outcome)));
    }
    match answers::remembered(tx, device, m, hash)? {
        Remembered::Same(outcome) => Ok(Prior::Answered(outcome)),
        Remembered::Other => reused(tx, device, m),
        Remembered::Nothing if device.last_mutation_id.is_some() => reused(tx, device, m),
        Remembered::Nothing => renamed_or_new(tx, device, renumbered_up_to, m),
    }
}

/// An id the server never applied: new, unless it is one a renumbered change was first sent
/// under (looked up only when the device renumbered one that high).
fn renamed_or_new(
    tx: &mut impl Tx,
    device: &Device,
    renumbered_up_to: Option<i64>,
    m: &Mutation,
) -> Result<Prior, StoreError> {
    let first = m.renumbered_from.unwrap_or(m.mutation_id);
    if renumbered_up_to.is_none_or(|up_to| first > up_to) {
        return Ok(Prior::New);
    }
    Ok(match answers::renamed(tx, device, m)? {
        Some(outcome) => Prior::Answered(outcome),
        None => Prior::New,
    })
}

/// An id the server knows with other content: a reused one, unless the device renumbered this
/// change once and a copy of its data from before sends it again under its first id.
fn reused(tx: &mut impl Tx, device: &Device, m: &Mutation) -> Result<Prior, StoreError> {
    Ok(match answers::renamed(tx, device, m)? {
        Some(outcome) => Prior::Answered(outcome),
        None => Prior::Reused,
    })
}

/// Mutation ids the server already applied with other content: the device's store went back to
/// an older copy and made new changes under old ids. The detail names them, so the device
/// renumbers just those.
fn replayed(ids: Vec<i64>, last: Option<i64>) -> ServiceError {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let after = last.map(|l| format!(" (the last applied is {l})")).unwrap_or_default();
    ServiceError::conflict("mutation_replayed", format!("mutation ids {list} were used before{after}"))
        .with_detail(ErrorDetail {
            last_mutation_id: last,
            replayed_mutation_id: ids.first().copied(),
            replayed_mutation_ids: ids,
            ..ErrorDetail::default()
        })
}

/// A new mutation id must follow the last applied (`last`, as this push goes on). One that does
/// not is refused with `renumber`: the device renumbers its new ids from there.
fn check_sequence(id: i64, last: Option<i64>, renumber: &ErrorDetail) -> Result<(), ServiceError> {
    if id <= 0 {
        return Err(ServiceError::invalid("invalid_mutation", format!("mutation id {id} must be positive")));
    }
    let refusal = match last {
        Some(last) if id <= last => ServiceError::conflict(
            "mutation_replayed",
            format!("mutation {id} is not after {last}, the last one applied; push each id once, in order"),
        ),
        Some(last) if id > last + 1 => ServiceError::conflict(
            "mutation_gap",
            format!("mutation {id} skips ids after {last}; push the outbox in order"),
        ),
        _ => return Ok(()),
    };
    Err(refusal.with_detail(renumber.clone()))
}

/// A region a row can belong to: a canonical region code, never the administrators' pseudo-region
/// but for an audit entry of something done company-wide (an administrator signing in on an
/// all-regions PC), which only those who see every region read, and for a row of a table the
/// company shares (`TableSpec::company_wide`), which every region reads.
fn valid_row_region(table: &str, region: &str) -> bool {
    regions::normalize(region).as_deref() == Some(region)
        && (region != ALL_REGIONS
            || table == AUDIT_ENTRIES.name
            || schema::table(table).is_some_and(TableSpec::company_wide))
}

/// Where a mutation stands against the row it names, before its fields are looked at.
enum Placement {
    /// The row stays in its region (or is new there).
    InPlace,
    /// An administrator's device moves the row from this region to the mutation's.
    Move(String),
}

fn place(
    device: &Device,
    m: &Mutation,
    table: &TableSpec,
    current: Option<&ServerRow>,
) -> Result<Placement, Box<Outcome>> {
    let refuse = |code, reason: &str, row| Err(Box::new(refused(m, code, reason.to_string(), row)));
    if !valid_row_region(&m.table, &m.region) {
        return refuse(
            RefusalCode::InvalidRegion,
            &format!("{} is not a region code", quoted(&m.region)),
            None,
        );
    }
    if !in_scope(&device.region, &m.region) {
        return refuse(RefusalCode::RegionForbidden, FORBIDDEN, None);
    }
    let Some(current) = current.filter(|c| c.state.region != m.region) else {
        return Ok(Placement::InPlace);
    };
    if !in_scope(&device.region, &current.state.region) {
        // Saying more would tell one region what another holds.
        return refuse(RefusalCode::IdTaken, "this id belongs to a record of another region", None);
    }
    // A company-wide row stays company-wide: every region's PCs hold it, and a move would take
    // it from all of them but one.
    let company_wide = |region: &str| region == ALL_REGIONS;
    if device.region == ALL_REGIONS
        && table.movable()
        && m.op == Op::Upsert
        && !company_wide(&current.state.region)
        && !company_wide(&m.region)
    {
        return Ok(Placement::Move(current.state.region.clone()));
    }
    refuse(RefusalCode::RegionForbidden, FORBIDDEN, Some(current.state.clone()))
}

const FORBIDDEN: &str = "this computer may not change records of that region or move records between regions";

/// Whether `apply` holds a change to the rules that need other rows (`rainstaff_core::rules`)
/// and makes the write they call for: an inspection's reading raising its vehicle's km.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rules {
    /// A device's edit: every rule, except for the insert of a row a legacy import brought
    /// (`Mutation::imported`), which gets the exemption the server's own import has (and keeps
    /// the km the old program had).
    Judge,
    /// A row that was accepted under these rules before the server was restored from a backup
    /// (a rejoin): its rows arrive in no order that keeps the rules at every step (a person's
    /// deletion before their shifts', a shift before its person's deactivation). A km an
    /// inspection raised then comes back with its vehicle's own row.
    AlreadyJudged,
}

pub(super) fn apply(
    tx: &mut impl Tx,
    device: &Device,
    m: &Mutation,
    now: &str,
    judging: Rules,
) -> Result<Outcome, ServiceError> {
    let Some(table) = schema::table(&m.table) else {
        let reason = format!("there is no synced table {}", quoted(&m.table));
        return Ok(refused(m, RefusalCode::UnknownTable, reason, None));
    };
    let current = tx.row(table, m.row_id)?;
    let moved_from = match place(device, m, table, current.as_ref()) {
        Ok(Placement::InPlace) => None,
        Ok(Placement::Move(from)) => Some(from),
        Err(outcome) => return Ok(*outcome),
    };
    let current_state = current.as_ref().map(|c| c.state.clone());
    let complete = m.op == Op::Upsert && current.is_none();
    let judged = judging == Rules::Judge && !(m.imported && complete);
    let errors = table.check_fields(&m.fields, complete);
    if !errors.is_empty() {
        return Ok(refused(m, RefusalCode::InvalidFields, validate::describe(&errors), current_state));
    }
    let mut canonical_m = m.clone();
    for (name, value) in canonical_m.fields.iter_mut() {
        if let Some(spec) = table.field(name) {
            *value = canonical(spec.kind, value);
        }
    }
    let decision =
        merge::decide(table, current.as_ref().map(ServerRow::to_stored).as_ref(), &canonical_m, device.id);
    let decision = match (decision, &current) {
        // A move that changes no field still changes where the row lives.
        (Decision::Unchanged, Some(c)) if moved_from.is_some() => Decision::Write {
            fields: c.state.fields.clone(),
            changed: Vec::new(),
            delete: false,
            status: OutcomeStatus::Applied,
            conflicts: Vec::new(),
        },
        (decision, _) => decision,
    };
    match decision {
        Decision::Reject(reason) => {
            Ok(refused(m, RefusalCode::Deleted, reason.message().to_string(), current_state))
        }
        Decision::Unchanged => Ok(Outcome {
            mutation_id: m.mutation_id,
            status: OutcomeStatus::Applied,
            code: None,
            reason: None,
            row: current_state,
            conflicts: Vec::new(),
        }),
        Decision::Write { fields, changed, delete, status, conflicts } => {
            if !delete {
                let mut errors = validate::check_row(table.name, &fields);
                // A moved row's references are checked again in its new region.
                let all: Vec<String>;
                let checked = if moved_from.is_some() {
                    all = table.column_names().map(str::to_string).collect();
                    &all
                } else {
                    &changed
                };
                errors.extend(check_references(tx, table, &m.region, &fields, checked)?);
                if !errors.is_empty() {
                    return Ok(refused(m, RefusalCode::Rule, validate::describe(&errors), current_state));
                }
            }
            let live = current.as_ref().filter(|c| c.state.deleted_at.is_none());
            let change = Change {
                table: table.name,
                id: m.row_id,
                region: &m.region,
                before: live.map(|c| &c.state.fields),
                after: (!delete).then_some(&fields),
                // A leave over worked days was confirmed where it was entered; the server cannot tell.
                confirmed: table.name == LEAVES.name || saw_km(live, m, device.id),
            };
            let broken = if judged { rules::check(&change, &mut Rows(tx))? } else { Vec::new() };
            if !broken.is_empty() {
                let locked = broken.iter().any(|e| e.problem == Problem::PeriodLocked);
                let code = if locked { RefusalCode::PeriodLocked } else { RefusalCode::Rule };
                return Ok(refused(m, code, validate::describe(&broken), current_state));
            }
            if let (Some(from), Some(c)) = (&moved_from, &current) {
                leave_region(tx, c, from, device.id, now)?;
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
                    answered: true,
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
            if judged && table.name == VEHICLE_INSPECTIONS.name && !delete {
                raise_vehicle_km(tx, live.map(|c| &c.state.fields), &row.state, device.id, now)?;
            }
            Ok(Outcome {
                mutation_id: m.mutation_id,
                status,
                code: None,
                reason: None,
                row: Some(row.state),
                conflicts,
            })
        }
    }
}

/// Whether the device had seen the km it replaces: the km changed last in the version the edit
/// started from or earlier, or by this device itself (as the merge counts it). The desktop asks
/// before it saves a km lower than the one it shows, so a lower km from a device that saw the
/// higher one was confirmed; one that only looks lower because another office wrote a higher
/// reading meanwhile was not.
fn saw_km(current: Option<&ServerRow>, m: &Mutation, device: Uuid) -> bool {
    current
        .and_then(|c| c.field_versions.get("km"))
        .is_none_or(|fv| !merge::changed_by_another_since(fv, m.base_version, device))
}

/// The rows around a change as the transaction sees them, for the rules.
struct Rows<'t, T>(&'t mut T);

impl<T: Tx> Rows<'_, T> {
    fn any(
        &mut self,
        table: &'static TableSpec,
        field: &'static str,
        value: &str,
        except: Option<Uuid>,
    ) -> Result<bool, StoreError> {
        let value = Value::from(value);
        let query =
            RowQuery { table, field, value: &value, between: None, except, limit: Some(1), read: &[] };
        Ok(!self.0.live_rows(&query)?.is_empty())
    }
}

impl<T: Tx> Neighbours for Rows<'_, T> {
    type Error = StoreError;

    fn shifts_of(
        &mut self,
        employee: Uuid,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        except: Uuid,
    ) -> Result<Vec<ShiftTimes>, StoreError> {
        let (employee, from, to) =
            (Value::from(employee.to_string()), Value::from(from.to_string()), Value::from(to.to_string()));
        let rows = self.0.live_rows(&RowQuery {
            table: &TIMESHEETS,
            field: "employee_id",
            value: &employee,
            between: Some(("work_date", &from, &to)),
            except: Some(except),
            limit: None,
            read: &["work_date", "start_time", "end_time"],
        })?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let text =
                    |name: &str| row.fields.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
                ShiftTimes {
                    work_date: text("work_date"),
                    start_time: text("start_time"),
                    end_time: text("end_time"),
                    region: row.region,
                }
            })
            .collect())
    }

    fn plate_taken(&mut self, plate: &str, except: Uuid) -> Result<bool, StoreError> {
        self.any(&VEHICLES, "plate", plate, Some(except))
    }

    fn identity_no_taken(&mut self, identity_no: &str, except: Uuid) -> Result<bool, StoreError> {
        self.any(&EMPLOYEES, "identity_no", identity_no, Some(except))
    }

    fn employee_active(&mut self, employee: Uuid) -> Result<Option<bool>, StoreError> {
        let row = self.0.live_row(&EMPLOYEES, employee, &["active"])?;
        // Only a person marked inactive is; a row without the mark is validation's to report.
        Ok(row.map(|r| r.fields.get("active") != Some(&Value::Bool(false))))
    }

    fn employee_has_shifts(&mut self, employee: Uuid) -> Result<bool, StoreError> {
        self.any(&TIMESHEETS, "employee_id", &employee.to_string(), None)
    }

    fn inspection_between(
        &mut self,
        vehicle: Uuid,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        except: Uuid,
    ) -> Result<Option<String>, StoreError> {
        let (vehicle, from, to) =
            (Value::from(vehicle.to_string()), Value::from(from.to_string()), Value::from(to.to_string()));
        let rows = self.0.live_rows(&RowQuery {
            table: &VEHICLE_INSPECTIONS,
            field: "vehicle_id",
            value: &vehicle,
            between: Some(("inspection_date", &from, &to)),
            except: Some(except),
            limit: Some(1),
            read: &["inspection_date"],
        })?;
        Ok(rows
            .first()
            .and_then(|r| r.fields.get("inspection_date"))
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    fn period_state(&mut self, region: &str, month: &str) -> Result<Option<String>, StoreError> {
        let row = self.0.live_row(&PERIOD_LOCKS, schema::period_id(region, month), &["state"])?;
        Ok(row.and_then(|r| r.fields.get("state").and_then(Value::as_str).map(str::to_string)))
    }

    fn template_code_regions(&mut self, code: &str, except: Uuid) -> Result<Vec<String>, StoreError> {
        let code = Value::from(code);
        let query = RowQuery {
            table: &SHIFT_TEMPLATES,
            field: "short_code",
            value: &code,
            between: None,
            except: Some(except),
            limit: None,
            read: &[],
        };
        Ok(self.0.live_rows(&query)?.into_iter().map(|r| r.region).collect())
    }

    fn leaves_of(&mut self, employee: Uuid, except: Uuid) -> Result<Vec<LeaveDays>, StoreError> {
        let employee = Value::from(employee.to_string());
        let query = RowQuery {
            table: &LEAVES,
            field: "employee_id",
            value: &employee,
            between: None,
            except: Some(except),
            limit: None,
            read: &["first_day", "last_day"],
        };
        let text = |row: &LiveRow, name: &str| {
            row.fields.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
        };
        let days = |r: &LiveRow| LeaveDays {
            region: r.region.clone(),
            first_day: text(r, "first_day"),
            last_day: text(r, "last_day"),
        };
        Ok(self.0.live_rows(&query)?.iter().map(days).collect())
    }
}

/// An inspection's reading reaching its vehicle (`rules::raised_km`, as the desktop writes it),
/// in the inspection's transaction and as a change of its own under the next seq: every device
/// of the region pulls it, the pushing one too (its outcome answers for the inspection alone).
/// An inspection from a writer that did not raise the km itself (an older PC, one whose vehicle
/// edit was refused, a web dashboard) so still reaches its vehicle; from a desktop that did, its
/// own vehicle change arrives after this one with the same km and changes nothing. A retried
/// mutation gets its recorded outcome without coming here, so a reading raises the km once.
///
/// The km's field version names the pushing device: its mutation made the change, and the
/// desktop writes the same raise as its own edit. So its later km edits from an older base are
/// not conflicts with its own reading, nor merges, nor a lower km it never saw (`saw_km`), while
/// every other device's concurrent km edit meets it as a change by another, as it would meet
/// the vehicle change the desktop pushes. A vehicle no longer in the inspection's region (an
/// administrator moved it since) is left alone: the pushing device may not write that region.
fn raise_vehicle_km(
    tx: &mut impl Tx,
    before: Option<&Map<String, Value>>,
    inspection: &RowState,
    device: Uuid,
    now: &str,
) -> Result<(), StoreError> {
    let Some(id) = rules::inspected_vehicle(&inspection.fields) else {
        return Ok(());
    };
    let vehicle = tx.row(&VEHICLES, id)?;
    let Some(vehicle) =
        vehicle.filter(|v| v.state.deleted_at.is_none() && v.state.region == inspection.region)
    else {
        return Ok(());
    };
    let Some(km) = rules::raised_km(before, &inspection.fields, &vehicle.state.fields) else {
        return Ok(());
    };
    let mut fields = vehicle.state.fields.clone();
    fields.insert("km".to_string(), Value::from(km));
    let write = RowWrite {
        table: &VEHICLES,
        id,
        region: &vehicle.state.region,
        fields,
        changed: &["km".to_string()],
        delete: false,
        device,
        answered: false,
        now,
    };
    write_row(tx, Some(&vehicle), write)?;
    Ok(())
}

/// A row leaving a region: the devices of that region see it deleted there, under a seq of its
/// own, while the row itself lives on in its new region.
fn leave_region(
    tx: &mut impl Tx,
    current: &ServerRow,
    from: &str,
    device: Uuid,
    now: &str,
) -> Result<(), StoreError> {
    let seq = tx.next_seq()?;
    let mut gone = current.state.clone();
    gone.region = from.to_string();
    gone.version = seq;
    gone.updated_at = now.to_string();
    gone.deleted_at = Some(now.to_string());
    // Its pusher's answer carries the row in its new region; this is for the old one's devices.
    tx.log_departure(seq, &gone, Some(device))
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
    /// Whether the change goes back to `device` in its push answer, so its pulls leave it out;
    /// not so for what the server writes on its own account (a km raised by an inspection).
    pub answered: bool,
    pub now: &'a str,
}

/// Stores a new version of a row under a new seq, the change pulls deliver.
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
    // The row's previous change is superseded: a device behind it gets this one instead. When
    // the row moved region, `leave_region` logged its departure from the old one first, which
    // stands for it there. So the store delivers one change per row and region.
    let superseded = current.map(|c| c.state.version);
    tx.put_version(w.table, &row, w.answered.then_some(w.device), superseded)?;
    Ok(row)
}

pub(super) fn refused(m: &Mutation, code: RefusalCode, reason: String, row: Option<RowState>) -> Outcome {
    Outcome {
        mutation_id: m.mutation_id,
        status: OutcomeStatus::Rejected,
        code: Some(code),
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
            Ok(id) => tx.live_row(target, id, &[])?.is_some_and(|r| r.region == region),
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
    use crate::error::ErrorKind;

    #[test]
    fn sequence_rules() {
        let renumber = ErrorDetail {
            last_mutation_id: Some(7),
            replayed_mutation_id: Some(10),
            ..ErrorDetail::default()
        };
        assert!(check_sequence(7, None, &renumber).is_ok());
        assert!(check_sequence(8, Some(7), &renumber).is_ok());
        let gap = check_sequence(10, Some(7), &renumber).unwrap_err();
        assert_eq!(gap.code, "mutation_gap");
        // Named, so that the device renumbers from there and not the older ids before it, which
        // the server answers as it did.
        assert_eq!(gap.detail.as_ref().and_then(|d| d.replayed_mutation_id), Some(10));
        assert_eq!(check_sequence(3, Some(7), &renumber).unwrap_err().code, "mutation_replayed");
        assert_eq!(check_sequence(0, None, &renumber).unwrap_err().kind, ErrorKind::Invalid);
    }

    #[test]
    fn row_regions() {
        assert!(valid_row_region("employees", "Ankara"));
        assert!(!valid_row_region("employees", "ankara"));
        assert!(!valid_row_region("employees", "ALL"));
        assert!(valid_row_region("audit_entries", "ALL"));
        assert!(valid_row_region("shift_templates", "ALL"));
        assert!(!valid_row_region("audit_entries", ""));
    }
}
