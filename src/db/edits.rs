//! The office's edits: each validated, checked against the rules that need the store (overlaps,
//! references, the user's region) and written in one transaction with its outbox entry.

use chrono::{Duration, NaiveDate};
use rainstaff_core::schema::{EMPLOYEES, SHIFT_TEMPLATES, TIMESHEETS, TableSpec, VEHICLES};
use rainstaff_core::time::{format_date, parse_hhmm, parse_iso_date, span_minutes};
use rainstaff_core::validate::{FieldError, Problem, check_row, describe};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::queries::ShiftFilter;
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
    pub confirm_lower_km: bool,
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
        self.scope(user)?.check(region).map_err(|e| SaveError::Fields(vec![e]))?;
        let errors = table.check_fields(&fields, id.is_none());
        if !errors.is_empty() {
            return Err(SaveError::Fields(errors));
        }
        let existing = match id {
            Some(id) => Some(
                rows::get(&self.conn, table, id)?
                    .filter(|r| !r.deleted && user.can_access(&r.region))
                    .ok_or_else(|| StoreError::Invalid(format!("{} {id} no longer exists", table.name)))?,
            ),
            None => None,
        };
        let mut full = existing.as_ref().map(|r| r.fields.clone()).unwrap_or_default();
        full.extend(fields.clone());
        let errors = check_row(table.name, &full);
        if !errors.is_empty() {
            return Err(SaveError::Fields(errors));
        }
        let id = id.unwrap_or_else(rainstaff_core::ids::new_id);
        match table.name {
            "timesheets" => self.check_shift(id, region, &full)?,
            "vehicles" => self.check_vehicle(id, region, &full, existing.as_ref(), options)?,
            _ => {}
        }
        let tx = self.conn.transaction()?;
        rows::save(&tx, table, id, region, &fields)?;
        tx.commit()?;
        Ok(id)
    }

    /// Deletes a record (a tombstone that syncs). An employee with shifts is deactivated instead.
    pub fn delete_record(
        &mut self,
        user: &User,
        table: &'static TableSpec,
        id: Uuid,
    ) -> Result<(), SaveError> {
        let row = rows::get(&self.conn, table, id)?.filter(|r| !r.deleted);
        let Some(row) = row else { return Ok(()) };
        self.scope(user)?.check(&row.region).map_err(|e| SaveError::Fields(vec![e]))?;
        if table.name == EMPLOYEES.name && self.employee_has_shifts(id)? {
            return Err(field_error("full_name", Problem::HasShifts));
        }
        let tx = self.conn.transaction()?;
        rows::delete(&tx, table, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a record to another region: an administrator's act on a PC that may write every
    /// region, for the tables whose rows refer to no other (employees, vehicles, drivers, shift
    /// templates). The record keeps its id and fields; the rules of its new region are checked
    /// (a plate is unique within a region), and one outbox entry carries the move to the server.
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
        if table.name == VEHICLES.name {
            let options = SaveOptions { confirm_lower_km: true };
            self.check_vehicle(id, to, &row.fields, Some(&row), options)?;
        }
        let tx = self.conn.transaction()?;
        rows::move_region(&tx, table, id, to)?;
        tx.commit()?;
        Ok(())
    }

    fn check_shift(&self, id: Uuid, region: &str, row: &Map<String, Value>) -> Result<(), SaveError> {
        let text = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let employee_id = Uuid::parse_str(&text("employee_id"))
            .map_err(|_| field_error("employee_id", Problem::InvalidReference))?;
        let employee = self
            .employee(employee_id)?
            .filter(|e| e.region == region)
            .ok_or_else(|| field_error("employee_id", Problem::InvalidReference))?;
        if !employee.data.active {
            return Err(field_error("employee_id", Problem::Inactive));
        }
        let date = parse_iso_date(&text("work_date")).map_err(|p| field_error("work_date", p))?;
        let (start, end) = (parse_hhmm(&text("start_time")), parse_hhmm(&text("end_time")));
        let (Ok(start), Ok(end)) = (start, end) else {
            return Ok(());
        };
        let span = span_minutes(start, end).map_err(|p| field_error("end_time", p))?;
        let interval = |d: NaiveDate, s: u32, len: u32| {
            let base = (d - NaiveDate::MIN).num_minutes();
            (base + i64::from(s), base + i64::from(s + len))
        };
        let (a0, a1) = interval(date, start, span);
        let others = self.shifts(&ShiftFilter {
            employee: Some(employee_id),
            from: Some(date - Duration::days(1)),
            to: Some(date + Duration::days(1)),
            region: region.to_string(),
        })?;
        for other in others.iter().filter(|o| o.id != id) {
            let (Ok(d), Ok(s), Ok(e)) = (
                parse_iso_date(&other.data.work_date),
                parse_hhmm(&other.data.start_time),
                parse_hhmm(&other.data.end_time),
            ) else {
                continue;
            };
            let Ok(len) = span_minutes(s, e) else {
                continue;
            };
            let (b0, b1) = interval(d, s, len);
            if a0 < b1 && b0 < a1 {
                let detail = format!("{} {}–{}", format_date(d), other.data.start_time, other.data.end_time);
                return Err(SaveError::Fields(vec![
                    FieldError::new("start_time", Problem::Overlap).with_detail(detail),
                ]));
            }
        }
        Ok(())
    }

    fn check_vehicle(
        &self,
        id: Uuid,
        region: &str,
        row: &Map<String, Value>,
        existing: Option<&rows::LocalRow>,
        options: SaveOptions,
    ) -> Result<(), SaveError> {
        let plate = row.get("plate").and_then(Value::as_str).unwrap_or_default();
        let taken = self.vehicles(region)?.into_iter().any(|v| v.id != id && v.data.plate == plate);
        if taken {
            return Err(field_error("plate", Problem::Duplicate));
        }
        let km = |r: &Map<String, Value>| r.get("km").and_then(Value::as_i64);
        if let (Some(new), Some(old)) = (km(row), existing.and_then(|e| km(&e.fields)))
            && new < old
            && !options.confirm_lower_km
        {
            return Err(SaveError::Fields(vec![
                FieldError::new("km", Problem::KmLower).with_detail(old.to_string()),
            ]));
        }
        Ok(())
    }

    /// Copies the shifts of the week before `week_start` (a Monday) seven days on, in one
    /// transaction. Shifts that would overlap one already there, or belong to an inactive
    /// employee, are skipped. Returns (copied, skipped).
    pub fn copy_previous_week(
        &mut self,
        user: &User,
        region: &str,
        employee: Option<Uuid>,
        week_start: NaiveDate,
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
            let mut fields = crate::model::fields_of(&shift.data);
            fields.insert("work_date".into(), Value::from((date + Duration::days(7)).to_string()));
            let id = rainstaff_core::ids::new_id();
            let ok = scope.allows(&shift.region)
                && check_row(TIMESHEETS.name, &fields).is_empty()
                && self.check_shift(id, &shift.region, &fields).is_ok();
            if ok {
                rows::save(&tx_guard, &TIMESHEETS, id, &shift.region, &fields)?;
                copied += 1;
            } else {
                skipped += 1;
            }
        }
        tx_guard.commit()?;
        Ok((copied, skipped))
    }

    /// The two shift templates every region starts with, for the one region `user` works in on
    /// this PC (none where that is several regions or none). Their ids are derived from the
    /// region, so two PCs seeding the same region create the same rows and sync merges them.
    pub fn seed_templates(&mut self, user: &User) -> Result<(), StoreError> {
        let scope = self.scope(user)?;
        let [region] = scope.regions() else { return Ok(()) };
        let seeds = [("Hafta içi", "08:30", "17:30", 60), ("Cumartesi", "09:00", "14:00", 0)];
        let tx = self.conn.transaction()?;
        for (n, (name, start, end, brk)) in seeds.into_iter().enumerate() {
            let id = rainstaff_core::ids::seed_id(region, "seed_shift_templates", n as i64 + 1);
            if rows::get(&tx, &SHIFT_TEMPLATES, id)?.is_none() {
                let fields = serde_json::json!({"name": name, "start_time": start, "end_time": end, "break_minutes": brk});
                rows::save(&tx, &SHIFT_TEMPLATES, id, region, fields.as_object().expect("object literal"))?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
