//! One row of the week grid saved: a person's week as the office typed it, written in one
//! transaction or not at all. Each shift and each one-day leave typed by its letter is held to
//! what its form's save is held to (`Store::write_checked`), so the grid is a faster way in, not
//! a second set of rules.

use chrono::NaiveDate;
use rainstaff_core::leave::LeaveKind;
use rainstaff_core::schema::{LEAVES, TIMESHEETS};
use rainstaff_core::shift_text::{DayEntry, TypedShift};
use rainstaff_core::time::format_hhmm;
use rainstaff_core::validate::FieldError;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::edits::{SaveError, SaveOptions};
use super::rows::Saved;
use super::users::User;
use super::{Store, StoreError};

/// One day of a grid row: the shifts of that date the grid showed, and what its cell holds now.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCell {
    pub date: NaiveDate,
    /// The ids of the shifts the cell showed, in the order it showed them: the cell's first
    /// shift becomes the first of these, and those left over are deleted.
    pub stored: Vec<Uuid>,
    /// The one-day leave the cell showed (by its letter): changed to what the cell holds now, or
    /// deleted when it holds shifts or nothing.
    pub stored_leave: Option<Uuid>,
    pub typed: DayEntry,
}

impl DayCell {
    fn shifts(&self) -> &[TypedShift] {
        match &self.typed {
            DayEntry::Shifts(shifts) => shifts,
            DayEntry::Leave(_) => &[],
        }
    }
}

/// Why a day of the row was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct DayError {
    pub date: NaiveDate,
    pub error: FieldError,
}

impl Store {
    /// Saves `employee`'s `days` in `region` for `user`: every day's shifts and leaves, or, when
    /// any day breaks a rule, none of them (the refusals, by day). Shifts and leaves cleared from
    /// a cell are deleted before any is written, so moving a shift within the row does not
    /// overlap its old self and a leave typed over a day's shifts replaces them. Returns how many
    /// rows were written or deleted.
    pub fn save_week_row(
        &mut self,
        user: &User,
        region: &str,
        employee: Uuid,
        days: &[DayCell],
    ) -> Result<Result<usize, Vec<DayError>>, StoreError> {
        let mut refused = Vec::new();
        let mut refuse = |date: NaiveDate, errors: Vec<FieldError>| {
            refused.extend(errors.into_iter().map(|error| DayError { date, error }));
        };
        if let Err(e) = self.scope(user)?.check(region) {
            refuse(days.first().map_or(NaiveDate::MIN, |d| d.date), vec![e]);
            return Ok(Err(refused));
        }
        let tx = self.conn.unchecked_transaction()?;
        let mut done = 0;
        for day in days {
            let leave_cleared = day.stored_leave.filter(|_| matches!(day.typed, DayEntry::Shifts(_)));
            let shifts_cleared = day.stored.iter().skip(day.shifts().len()).map(|&id| (&TIMESHEETS, id));
            for (table, id) in shifts_cleared.chain(leave_cleared.map(|id| (&LEAVES, id))) {
                match self.delete_checked(user, table, id) {
                    Ok(_) => done += 1,
                    Err(SaveError::Fields(errors)) => refuse(day.date, errors),
                    Err(SaveError::Store(e)) => return Err(e),
                }
            }
        }
        for day in days {
            if let DayEntry::Leave(kind) = day.typed {
                let fields = leave_fields(user, employee, day.date, kind, day.stored_leave.is_none());
                match self.write_checked(
                    user,
                    &LEAVES,
                    day.stored_leave,
                    region,
                    &fields,
                    SaveOptions::default(),
                ) {
                    Ok((_, Saved::Unchanged)) => {}
                    Ok(_) => done += 1,
                    Err(SaveError::Fields(errors)) => refuse(day.date, errors),
                    Err(SaveError::Store(e)) => return Err(e),
                }
            }
            for (n, shift) in day.shifts().iter().enumerate() {
                let id = day.stored.get(n).copied();
                let fields = shift_fields(employee, day.date, shift, id.is_none());
                match self.write_checked(user, &TIMESHEETS, id, region, &fields, SaveOptions::default()) {
                    Ok((_, Saved::Unchanged)) => {}
                    Ok(_) => done += 1,
                    Err(SaveError::Fields(errors)) => refuse(day.date, errors),
                    Err(SaveError::Store(e)) => return Err(e),
                }
            }
        }
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        tx.commit()?;
        Ok(Ok(done))
    }
}

/// The fields of a one-day leave a cell's letter sets. A changed leave waits for a manager's
/// approval again: the approval was of what it said before.
fn leave_fields(
    user: &User,
    employee: Uuid,
    date: NaiveDate,
    kind: LeaveKind,
    new: bool,
) -> Map<String, Value> {
    let mut fields = Map::from_iter([
        ("employee_id".to_string(), Value::from(employee.to_string())),
        ("kind".to_string(), Value::from(kind.stored())),
        ("first_day".to_string(), Value::from(date.to_string())),
        ("last_day".to_string(), Value::from(date.to_string())),
        ("approved_by".to_string(), Value::Null),
    ]);
    if new {
        fields.insert("entered_by".to_string(), Value::from(user.username.clone()));
    }
    fields
}

/// The fields a grid cell sets. A stored shift keeps its special-day mark and note: the cell
/// shows only its times.
fn shift_fields(employee: Uuid, date: NaiveDate, shift: &TypedShift, new: bool) -> Map<String, Value> {
    let mut fields = Map::from_iter([
        ("employee_id".to_string(), Value::from(employee.to_string())),
        ("work_date".to_string(), Value::from(date.to_string())),
        ("start_time".to_string(), Value::from(format_hhmm(shift.start))),
        ("end_time".to_string(), Value::from(format_hhmm(shift.end))),
        ("break_minutes".to_string(), Value::from(shift.break_minutes)),
    ]);
    if new {
        fields.insert("special_day".to_string(), Value::Bool(false));
    }
    fields
}
