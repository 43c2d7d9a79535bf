//! The office's edits: each validated, checked against the rules that need other rows (the same
//! `rainstaff_core::rules` the server applies), the references and the user's region, and written
//! in one transaction with its outbox entry.

use chrono::{Duration, NaiveDate};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::roles::Role;
use rainstaff_core::rules::{self, Change};
use rainstaff_core::schema::{LEAVES, SHIFT_TEMPLATES, TIMESHEETS, TableSpec, VEHICLE_INSPECTIONS, VEHICLES};
use rainstaff_core::time::parse_iso_date;
use rainstaff_core::validate::{FieldError, Problem, check_row, describe};
use rusqlite::{Transaction, TransactionBehavior};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::audit::Entry;
use super::neighbours::Local;
use super::queries::ShiftFilter;
use super::rows::Saved;
use super::sync::SENT_KEY;
use super::users::User;
use super::{Store, StoreError, rows};

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{}", describe(.0))]
    Fields(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SaveError {
    fn from(e: rusqlite::Error) -> Self {
        SaveError::Store(e.into())
    }
}

fn field_error(field: &str, problem: Problem) -> SaveError {
    SaveError::Fields(vec![FieldError::new(field, problem)])
}

/// Options a form passes along with its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct SaveOptions {
    /// The person saw the warning that the km is lower than before and saves anyway.
    pub confirmed: bool,
}

/// Gives the inspected vehicle the km `rules::raised_km` says, in the inspection's transaction,
/// so the two never disagree; the outbox carries both changes.
fn raise_vehicle_km(
    tx: &rusqlite::Connection,
    before: Option<&Map<String, Value>>,
    inspection: &Map<String, Value>,
) -> Result<(), StoreError> {
    let Some(vehicle) = rules::inspected_vehicle(inspection) else {
        return Ok(());
    };
    let Some(row) = rows::get(tx, &VEHICLES, vehicle)?.filter(|r| !r.deleted) else {
        return Ok(());
    };
    if let Some(km) = rules::raised_km(before, inspection, &row.fields) {
        let fields = Map::from_iter([("km".to_string(), Value::from(km))]);
        rows::save(tx, &VEHICLES, vehicle, &row.region, &fields)?;
    }
    Ok(())
}

impl Store {
    /// Creates (`id` None) or edits a record of `table` in `region` on behalf of `user`.
    pub fn save_record(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        id: Option<Uuid>,
        region: &str,
        fields: Map<String, Value>,
        options: SaveOptions,
    ) -> Result<Uuid, SaveError> {
        self.scope(user)?.check_in(table, region).map_err(|e| SaveError::Fields(vec![e]))?;
        let tx = self.conn.unchecked_transaction()?;
        let (id, _) = self.write_checked(user, table, id, region, &fields, options)?;
        tx.commit()?;
        Ok(id)
    }

    /// Writes one record inside the transaction the caller holds open on this store's connection,
    /// held to everything a form's save is held to: its fields, its whole row, its references and
    /// the rules over the rows around it (which see what the transaction wrote before). The audit
    /// entry goes with it. `region` is the caller's to have checked against `user`'s scope. Returns the
    /// record's id and what the write did; a row saved as it was writes nothing.
    pub(super) fn write_checked(
        &self,
        user: &User,
        table: &'static TableSpec,
        id: Option<Uuid>,
        region: &str,
        fields: &Map<String, Value>,
        options: SaveOptions,
    ) -> Result<(Uuid, Saved), SaveError> {
        let tx = &self.conn;
        let errors = table.check_fields(fields, id.is_none());
        if !errors.is_empty() {
            return Err(SaveError::Fields(errors));
        }
        let existing = match id {
            Some(id) => Some(
                rows::get(tx, table, id)?
                    .filter(|r| !r.deleted && user.can_access(&r.region))
                    .ok_or_else(|| StoreError::Invalid(format!("{} {id} no longer exists", table.name)))?,
            ),
            None => None,
        };
        // Another region is a move, which `rows::save` refuses: only `move_record` moves.
        let moved = existing.as_ref().is_some_and(|r| r.region != region);
        let before = existing.map(|r| r.fields);
        let mut full = before.clone().unwrap_or_default();
        full.extend(fields.clone());
        let id = id.unwrap_or_else(rainstaff_core::ids::new_id);
        if !moved && before.as_ref() == Some(&full) {
            return Ok((id, Saved::Unchanged));
        }
        let errors = check_row(table.name, &full);
        if !errors.is_empty() {
            return Err(SaveError::Fields(errors));
        }
        if table.name == TIMESHEETS.name {
            self.check_shift_employee(region, &full)?;
        }
        approval_is_a_managers(user, table, [before.as_ref(), Some(&full)])?;
        self.check_rules(&Change {
            table: table.name,
            id,
            region,
            before: before.as_ref(),
            after: Some(&full),
            confirmed: options.confirmed,
        })?;
        let action = if before.is_some() { "update" } else { "create" };
        let entry = Entry::record(user, action, table, id, region)
            .titled(self.title_of(table, &full)?)
            .between(before.as_ref(), Some(&full));
        let saved = rows::save(tx, table, id, region, fields)?;
        if saved != Saved::Unchanged {
            entry.write(tx)?;
        }
        if table.name == VEHICLE_INSPECTIONS.name {
            raise_vehicle_km(tx, before.as_ref(), &full)?;
        }
        Ok((id, saved))
    }

    /// Deletes a record (a tombstone that syncs, kept until then so `undo_delete` can bring it
    /// back); returns the record's title. An employee with shifts is not deleted: the delete is
    /// refused (`Problem::HasShifts`), and the person is to be deactivated instead.
    pub fn delete_record(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        id: Uuid,
    ) -> Result<Option<String>, SaveError> {
        let tx = self.conn.unchecked_transaction()?;
        let title = self.delete_checked(user, table, id)?;
        tx.commit()?;
        Ok(title)
    }

    /// `delete_record` inside the transaction the caller holds open on this store's connection:
    /// the scope and the rules checked, the tombstone and its audit entry written. A record
    /// already gone is no error (None).
    pub(super) fn delete_checked(
        &self,
        user: &User,
        table: &'static TableSpec,
        id: Uuid,
    ) -> Result<Option<String>, SaveError> {
        let tx = &self.conn;
        let row = rows::get(tx, table, id)?.filter(|r| !r.deleted);
        let Some(row) = row else { return Ok(None) };
        self.scope(user)?.check_in(table, &row.region).map_err(|e| SaveError::Fields(vec![e]))?;
        approval_is_a_managers(user, table, [Some(&row.fields), None])?;
        self.check_rules(&Change {
            table: table.name,
            id,
            region: &row.region,
            before: Some(&row.fields),
            after: None,
            confirmed: false,
        })?;
        let title = self.title_of(table, &row.fields)?;
        let entry = Entry::record(user, "delete", table, id, &row.region)
            .titled(title.clone())
            .between(Some(&row.fields), None);
        rows::delete(tx, table, id)?;
        entry.write(tx)?;
        Ok(title)
    }

    /// Undoes `user`'s delete of record `id`, in one transaction, held to the rules a new record
    /// meets (a shift entered since may overlap it). While the delete was never sent the record
    /// comes back as it was, id and all; once a push took it (even if its answer never came
    /// back), the server's tombstone is final and the record is entered again under a new id.
    /// Returns the id the record has now.
    pub fn undo_delete(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        id: Uuid,
    ) -> Result<Uuid, SaveError> {
        // Write-locked before the outbox is read: the sync thread notes what a push takes
        // (`SENT_KEY`) in a write transaction of its own connection, so between reading the delete
        // as unsent and turning it back it could take it, and the server would apply it.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let row = rows::get(&tx, table, id)?
            .filter(|r| r.deleted)
            .ok_or_else(|| StoreError::Invalid(format!("{} {id} is not deleted", table.name)))?;
        let waiting: Option<i64> = tx.query_row(
            "SELECT max(mutation_id) FROM outbox WHERE row_id = ?1 AND op = 'delete'",
            [id],
            |r| r.get(0),
        )?;
        let sent: i64 = self.sync_state(SENT_KEY)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        let Some(mutation) = waiting.filter(|&m| m > sent) else {
            drop(tx);
            return self.save_record(user, table, None, &row.region, row.fields, SaveOptions::default());
        };
        self.scope(user)?.check_in(table, &row.region).map_err(|e| SaveError::Fields(vec![e]))?;
        if table.name == TIMESHEETS.name {
            self.check_shift_employee(&row.region, &row.fields)?;
        }
        self.check_rules(&Change {
            table: table.name,
            id,
            region: &row.region,
            before: None,
            after: Some(&row.fields),
            confirmed: true,
        })?;
        let entry = Entry::record(user, "restore", table, id, &row.region)
            .titled(self.title_of(table, &row.fields)?)
            .between(None, Some(&row.fields));
        rows::undelete(&tx, table, id, mutation)?;
        entry.write(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Moves a record to another region: an administrator's act on a PC that may write every
    /// region, for the tables whose rows refer to no other (employees, vehicles, drivers, shift
    /// templates). The record keeps its id and fields, so it breaks no rule that needs other rows
    /// (a plate or T.C. number is unique in the whole company, not per region), and one outbox
    /// entry carries the move to the server.
    pub fn move_record(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        id: Uuid,
        to: &str,
    ) -> Result<(), SaveError> {
        if !table.movable() {
            return Err(StoreError::Invalid(format!("{} cannot move between regions", table.name)).into());
        }
        self.scope(user)?.check_move(to).map_err(|e| SaveError::Fields(vec![e]))?;
        let row = rows::get(&self.conn, table, id)?
            .filter(|r| !r.deleted)
            .ok_or_else(|| StoreError::Invalid(format!("{} {id} no longer exists", table.name)))?;
        if row.region == to {
            return Ok(());
        }
        // Every region's PCs hold a company-wide row: it stays the company's.
        if row.region == ALL_REGIONS {
            return Err(field_error("region", Problem::Forbidden));
        }
        let mut entry = Entry::record(user, "move", table, id, to).titled(self.title_of(table, &row.fields)?);
        let regions = Value::Array(vec![Value::from(row.region.as_str()), Value::from(to)]);
        entry.changes = Some(Map::from_iter([("region".to_string(), regions)]));
        let tx = self.conn.transaction()?;
        rows::move_region(&tx, table, id, to)?;
        entry.write(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// A shift's person is a live employee of the shift's region (the server checks every
    /// reference this way, from the schema).
    fn check_shift_employee(&self, region: &str, row: &Map<String, Value>) -> Result<(), SaveError> {
        let employee = row.get("employee_id").and_then(Value::as_str).and_then(|id| Uuid::parse_str(id).ok());
        match employee.map(|id| self.employee(id)).transpose()?.flatten() {
            Some(e) if e.region == region => Ok(()),
            _ => Err(field_error("employee_id", Problem::InvalidReference)),
        }
    }

    /// The rules that need other rows, over this PC's rows.
    fn check_rules(&self, change: &Change<'_>) -> Result<(), SaveError> {
        let broken = rules::check(change, &mut Local(self))?;
        if broken.is_empty() { Ok(()) } else { Err(SaveError::Fields(broken)) }
    }

    /// Copies the shifts of the week before `week_start` (a Monday) seven days on, in one
    /// transaction (with `preview`, only counts them). Shifts that would overlap one already
    /// there, or belong to an inactive employee, are skipped. Returns (copied, skipped).
    pub fn copy_previous_week(
        &mut self,
        user: &User,
        region: &str,
        employee: Option<Uuid>,
        week_start: NaiveDate,
        preview: bool,
    ) -> Result<(usize, usize), SaveError> {
        let source = self.shifts(&ShiftFilter {
            employee,
            from: Some(week_start - Duration::days(7)),
            to: Some(week_start - Duration::days(1)),
            region: region.to_string(),
        })?;
        let scope = self.scope(user)?;
        let (mut copied, mut skipped) = (0, 0);
        let tx_guard = self.conn.unchecked_transaction()?;
        for shift in source {
            let Ok(date) = parse_iso_date(&shift.data.work_date) else {
                continue;
            };
            let mut fields = rainstaff_core::model::fields_of(&shift.data);
            fields.insert("work_date".into(), Value::from((date + Duration::days(7)).to_string()));
            if !scope.allows(&shift.region) {
                skipped += 1;
                continue;
            }
            // A shift the rules refuse is skipped; a store that cannot answer stops the copy.
            match self.write_checked(user, &TIMESHEETS, None, &shift.region, &fields, SaveOptions::default())
            {
                Ok(_) => copied += 1,
                Err(SaveError::Fields(_)) => skipped += 1,
                Err(e) => return Err(e),
            }
        }
        if !preview {
            tx_guard.commit()?;
        }
        Ok((copied, skipped))
    }

    /// The two shift templates every region starts with, for the one region `user` works in on
    /// this PC (none where that is several regions or none). Their ids are derived from the
    /// region, so two PCs seeding the same region create the same rows and sync merges them.
    pub fn seed_templates(&mut self, user: &User) -> Result<(), StoreError> {
        let scope = self.scope(user)?;
        let [region] = scope.regions() else { return Ok(()) };
        // With the short codes the week grid takes for them.
        let seeds = [("Hafta içi", "08:30", "17:30", 60, "H"), ("Cumartesi", "09:00", "14:00", 0, "C")];
        let tx = self.conn.transaction()?;
        for (n, (name, start, end, brk, code)) in seeds.into_iter().enumerate() {
            let id = rainstaff_core::ids::seed_id(region, "seed_shift_templates", n as i64 + 1);
            if rows::get(&tx, &SHIFT_TEMPLATES, id)?.is_none() {
                let fields = serde_json::json!({"name": name, "start_time": start, "end_time": end, "break_minutes": brk, "short_code": code});
                rows::save(&tx, &SHIFT_TEMPLATES, id, region, fields.as_object().expect("object literal"))?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// One row of a spreadsheet to import: its row number in the file (the header is 1), the record
/// it updates (None: a new one) and the fields it sets.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub row: usize,
    pub id: Option<Uuid>,
    pub fields: Map<String, Value>,
}

/// What importing a spreadsheet did, row by row; `errors` name the file's row and the field.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SheetOutcome {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<SheetError>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SheetError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

impl Store {
    /// Saves `rows` of `table` in `region` as `user`'s import, every good row in one transaction
    /// (with `dry_run`, none): each is held to what a form's save is held to, against the rows
    /// before it too, and a row that breaks something is reported (`errors`, in `lang`) and left
    /// out while the others land.
    pub fn import_sheet(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        region: &str,
        rows: Vec<SheetRow>,
        dry_run: bool,
        lang: rainstaff_core::i18n::Lang,
    ) -> Result<SheetOutcome, StoreError> {
        let mut outcome = SheetOutcome::default();
        let refuse = |outcome: &mut SheetOutcome, row: usize, errors: Vec<FieldError>| {
            for e in errors {
                let field = rainstaff_core::i18n::field_label(lang, &e.field);
                let field = if field.is_empty() { e.field.clone() } else { field.to_string() };
                outcome.errors.push(SheetError { row, field, message: e.message(lang) });
            }
        };
        if let Err(e) = self.scope(user)?.check(region) {
            refuse(&mut outcome, 1, vec![e]);
            return Ok(outcome);
        }
        let tx = self.conn.unchecked_transaction()?;
        for SheetRow { row, id, fields } in rows {
            match self.write_checked(user, table, id, region, &fields, SaveOptions::default()) {
                Ok((_, Saved::Created)) => outcome.added += 1,
                Ok((_, Saved::Changed)) => outcome.updated += 1,
                Ok((_, Saved::Unchanged)) => outcome.unchanged += 1,
                Err(SaveError::Fields(errors)) => refuse(&mut outcome, row, errors),
                Err(SaveError::Store(e)) => return Err(e),
            }
        }
        if !dry_run {
            tx.commit()?;
        }
        Ok(outcome)
    }
}

/// A leave approved before or after a change (or a delete) is a manager's word: staff enter
/// leaves, and what a manager approved changes only by a manager's hand, whichever screen (the
/// form, the week grid) the change comes from.
fn approval_is_a_managers(
    user: &User,
    table: &TableSpec,
    sides: [Option<&Map<String, Value>>; 2],
) -> Result<(), SaveError> {
    let approved = |row: Option<&Map<String, Value>>| {
        row.and_then(|r| r.get("approved_by")).is_some_and(|a| !a.is_null())
    };
    if table.name == LEAVES.name && sides.into_iter().any(approved) && !user.role.at_least(Role::Manager) {
        return Err(SaveError::Fields(vec![FieldError::new("approved_by", Problem::ApprovedLeave)]));
    }
    Ok(())
}
