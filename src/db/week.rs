//! One row of the week grid saved: a person's week as the office typed it, written in one
//! transaction or not at all. Each shift is held to what the shift form's save is held to
//! (`Store::write_checked`), so the grid is a faster way in, not a second set of rules.

use chrono::NaiveDate;
use rainstaff_core::schema::TIMESHEETS;
use rainstaff_core::shift_text::TypedShift;
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
    pub typed: Vec<TypedShift>,
}

/// Why a day of the row was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct DayError {
    pub date: NaiveDate,
    pub error: FieldError,
}

impl Store {
    /// Saves `employee`'s `days` in `region` for `user`: every day's shifts, or, when any day
    /// breaks a rule, none of them (the refusals, by day). Shifts cleared from a cell are
    /// deleted before any is written, so moving a shift within the row does not overlap its old
    /// self. Returns how many shifts were written or deleted.
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
            for &id in day.stored.iter().skip(day.typed.len()) {
                match self.delete_checked(user, &TIMESHEETS, id) {
                    Ok(_) => done += 1,
                    Err(SaveError::Fields(errors)) => refuse(day.date, errors),
                    Err(SaveError::Store(e)) => return Err(e),
                }
            }
        }
        for day in days {
            for (n, shift) in day.typed.iter().enumerate() {
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
