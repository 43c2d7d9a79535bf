//! The rules a change must keep against other rows: shifts of one person never overlap and are
//! not put on someone inactive, a plate and a T.C. number name one vehicle and one person in the
//! whole company, a vehicle's km does not go down unnoticed, a person with shifts is not
//! deleted, a fault closes once, a vehicle has one weekly inspection per ISO week and an audit
//! entry, once written, is never changed or deleted, and nothing changes in a month locked for
//! payroll (a shift in it, the contract of a person with a shift in it). Every
//! writer (the desktop's store, the server's push, a web dashboard) calls `check` with its own
//! `Neighbours`, so each refuses the same change with the same reason.
//!
//! An inspection's km raising its vehicle's km is a write, not a refusal: `raised_km` says when,
//! and every writer applies it in the transaction of the inspection (the desktop's
//! `Store::save_record`, the server's push, so an inspection from a writer that did not raise the
//! km itself still reaches its vehicle). Rows a legacy import brings keep the km the old program
//! had.
//!
//! A rule looks at a change only when the fields it is about change (or the row is new): an old
//! row that broke a rule before it existed (a legacy import, two offices offline) must still take
//! an edit of its note.

use chrono::{Duration, NaiveDate};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::schema::AUDIT_ENTRIES;
use crate::time::{format_date, parse_hhmm, parse_iso_date, span_minutes};
use crate::validate::{FieldError, Problem};

/// A leave of the person a change is about, as the overlap rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveDays {
    /// The region whose records hold the leave.
    pub region: String,
    /// `YYYY-MM-DD`, both days included.
    pub first_day: String,
    pub last_day: String,
}

/// A live shift as the overlap rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftTimes {
    /// The region whose records hold the shift.
    pub region: String,
    /// `YYYY-MM-DD`
    pub work_date: String,
    /// `HH:MM`; an end before the start is on the next day.
    pub start_time: String,
    pub end_time: String,
}

/// What the rules ask of a store about the rows around a change. Only live (not deleted) rows
/// count, in every region the store holds: a plate or T.C. number is unique in the company, and
/// a person's shifts stay in the region they were entered in when the person moves.
pub trait Neighbours {
    type Error;

    /// The shifts of `employee` dated `from` to `to` (both included), except the shift `except`.
    fn shifts_of(
        &mut self,
        employee: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Uuid,
    ) -> Result<Vec<ShiftTimes>, Self::Error>;
    /// Whether a vehicle other than `except` has this plate (in its canonical form).
    fn plate_taken(&mut self, plate: &str, except: Uuid) -> Result<bool, Self::Error>;
    /// Whether an employee other than `except` has this T.C. number.
    fn identity_no_taken(&mut self, identity_no: &str, except: Uuid) -> Result<bool, Self::Error>;
    /// Whether `employee` is active; `None` when there is no such live employee.
    fn employee_active(&mut self, employee: Uuid) -> Result<Option<bool>, Self::Error>;
    /// Whether `employee` has any shift.
    fn employee_has_shifts(&mut self, employee: Uuid) -> Result<bool, Self::Error>;
    /// The date (`YYYY-MM-DD`) of an inspection of `vehicle` dated `from` to `to` (both
    /// included) other than `except`, if there is one.
    fn inspection_between(
        &mut self,
        vehicle: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Uuid,
    ) -> Result<Option<String>, Self::Error>;
    /// The state (`schema::PERIOD_STATES`) of `region`'s month `YYYY-MM`; `None` when nobody
    /// approved or locked it.
    fn period_state(&mut self, region: &str, month: &str) -> Result<Option<String>, Self::Error>;
    /// The regions of the shift templates other than `except` with this short code.
    fn template_code_regions(&mut self, code: &str, except: Uuid) -> Result<Vec<String>, Self::Error>;
    /// The leaves of `employee` other than `except`.
    fn leaves_of(&mut self, employee: Uuid, except: Uuid) -> Result<Vec<LeaveDays>, Self::Error>;
}

/// One change of a row, as complete rows on either side of it.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub table: &'a str,
    pub id: Uuid,
    /// The region of the row after the change (of the deleted row, for a delete).
    pub region: &'a str,
    /// The live row as the writer holds it before the change; `None` for a new row.
    pub before: Option<&'a Map<String, Value>>,
    /// The complete row after the change (on the server, after the merge); `None` for a delete.
    pub after: Option<&'a Map<String, Value>>,
    /// The person saw a warning they may override and saves anyway: a km lower than the one it
    /// replaces (the desktop asks first; the server reads it from the writer having seen that
    /// km), a leave on days the person has shifts (confirmed where it was entered).
    pub confirmed: bool,
}

/// The fields whose change makes a shift's place in time new.
const SHIFT_TIMING: [&str; 4] = ["employee_id", "work_date", "start_time", "end_time"];

/// The fields whose change makes a leave's days new.
const LEAVE_DAYS: [&str; 3] = ["employee_id", "first_day", "last_day"];

/// A leave's first and last day, when both are dates.
fn leave_days(row: &Map<String, Value>) -> Option<(NaiveDate, NaiveDate)> {
    let day = |name: &str| row.get(name).and_then(Value::as_str).and_then(|d| parse_iso_date(d).ok());
    Some((day("first_day")?, day("last_day")?))
}

/// The months (`YYYY-MM`) from `first` to `last`.
fn months_between(first: NaiveDate, last: NaiveDate) -> Vec<String> {
    let mut months: Vec<String> =
        crate::leave::days(first, last).map(|d| d.format("%Y-%m").to_string()).collect();
    months.dedup();
    months
}

/// An employee's fields payroll computes a month's hours by.
const CONTRACT: [&str; 3] = ["contract_kind", "weekly_minutes", "break_policy"];

/// Whether `region`'s `month` (`YYYY-MM`) is locked for payroll.
fn month_locked<N: Neighbours>(neighbours: &mut N, region: &str, month: &str) -> Result<bool, N::Error> {
    Ok(neighbours.period_state(region, month)?.as_deref() == Some("locked"))
}

/// The field a change touches in a month locked for payroll, if it does: a shift dated in one
/// (before or after the change), or a contract field of a person with a shift in one.
fn in_locked_month<N: Neighbours>(
    change: &Change<'_>,
    neighbours: &mut N,
) -> Result<Option<&'static str>, N::Error> {
    match change.table {
        "timesheets" => {
            let days = [change.before, change.after].map(|row| row.and_then(|r| r.get("work_date")));
            for month in days.into_iter().flatten().filter_map(|d| d.as_str()?.get(..7)) {
                if month_locked(neighbours, change.region, month)? {
                    return Ok(Some("work_date"));
                }
            }
            Ok(None)
        }
        "leaves" => {
            let spans = [change.before, change.after].map(|row| row.and_then(leave_days));
            // A longer span than a leave may be, or one that does not parse, is validation's to
            // report: the months a leave reaches are few.
            let bounded = |(f, l): &(NaiveDate, NaiveDate)| (*l - *f).num_days() < crate::leave::MAX_DAYS;
            for (first, last) in spans.into_iter().flatten().filter(bounded) {
                for month in months_between(first, last) {
                    if month_locked(neighbours, change.region, &month)? {
                        return Ok(Some("first_day"));
                    }
                }
            }
            Ok(None)
        }
        "employees" => {
            let (Some(before), Some(after)) = (change.before, change.after) else { return Ok(None) };
            let Some(changed) = CONTRACT.into_iter().find(|f| field(before, f) != field(after, f)) else {
                return Ok(None);
            };
            // Every shift: the days are compared as text, so the bounds are four-digit years.
            let first = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
            let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
            let shifts = neighbours.shifts_of(change.id, first, last, Uuid::nil())?;
            let mut months: Vec<(String, String)> = shifts
                .into_iter()
                .filter_map(|s| Some((s.region, s.work_date.get(..7)?.to_string())))
                .collect();
            months.sort();
            months.dedup();
            for (region, month) in months {
                if month_locked(neighbours, &region, &month)? {
                    return Ok(Some(changed));
                }
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The rules `change` breaks; empty when it keeps them all. Rows whose own fields are out of
/// their rules (`validate::check_row`) are that check's to report, so a field that does not
/// parse here is passed over.
pub fn check<N: Neighbours>(change: &Change<'_>, neighbours: &mut N) -> Result<Vec<FieldError>, N::Error> {
    let mut broken = Vec::new();
    if change.table == AUDIT_ENTRIES.name
        && let Some(before) = change.before
        && change.after != Some(before)
    {
        broken.push(FieldError::new("action", Problem::Permanent));
        return Ok(broken);
    }
    // The same row sent again is no change, in a locked month too.
    if change.before != change.after
        && let Some(field) = in_locked_month(change, neighbours)?
    {
        broken.push(FieldError::new(field, Problem::PeriodLocked));
        return Ok(broken);
    }
    let Some(after) = change.after else {
        if change.before.is_some()
            && change.table == "employees"
            && neighbours.employee_has_shifts(change.id)?
        {
            broken.push(FieldError::new("full_name", Problem::HasShifts));
        }
        return Ok(broken);
    };
    let changed = |name: &str| change.before.is_none_or(|before| field(before, name) != field(after, name));
    let text = |field: &str| after.get(field).and_then(Value::as_str).filter(|s| !s.is_empty());
    match change.table {
        "timesheets" if SHIFT_TIMING.iter().any(|f| changed(f)) => {
            let Some(employee) = text("employee_id").and_then(|id| Uuid::parse_str(id).ok()) else {
                return Ok(broken);
            };
            // Only a shift newly put on the person: a departed person's past shifts still take
            // a correction of their hours.
            if changed("employee_id") && neighbours.employee_active(employee)? == Some(false) {
                broken.push(FieldError::new("employee_id", Problem::Inactive));
            }
            let times = ShiftTimes {
                region: change.region.to_string(),
                work_date: text("work_date").unwrap_or_default().to_string(),
                start_time: text("start_time").unwrap_or_default().to_string(),
                end_time: text("end_time").unwrap_or_default().to_string(),
            };
            if let Some((day, a0, a1)) = minutes(&times) {
                // A shift is shorter than a day, so only the days either side can reach into it.
                let others = neighbours.shifts_of(
                    employee,
                    day - Duration::days(1),
                    day + Duration::days(1),
                    change.id,
                )?;
                let clash = others
                    .into_iter()
                    .find(|other| minutes(other).is_some_and(|(_, b0, b1)| a0 < b1 && b0 < a1));
                if let Some(other) = clash {
                    let mut overlap = FieldError::new("start_time", Problem::Overlap);
                    // A person's shifts stay where they were entered when an administrator moves
                    // the person: another region's hours are not this office's to read.
                    if other.region == change.region {
                        let date =
                            parse_iso_date(&other.work_date).map(format_date).unwrap_or(other.work_date);
                        overlap =
                            overlap.with_detail(format!("{date} {}–{}", other.start_time, other.end_time));
                    }
                    broken.push(overlap);
                }
            }
        }
        "vehicles" => {
            if changed("plate")
                && let Some(plate) = text("plate")
                && neighbours.plate_taken(plate, change.id)?
            {
                broken.push(FieldError::new("plate", Problem::Duplicate));
            }
            let km = |row: &Map<String, Value>| row.get("km").and_then(Value::as_i64);
            // Clearing a km goes down as far as it can: otherwise clearing it and then entering a
            // lower one would lower it in two steps nobody confirmed.
            if let Some(old) = change.before.and_then(km)
                && km(after).is_none_or(|new| new < old)
                && !change.confirmed
            {
                broken.push(FieldError::new("km", Problem::KmLower).with_detail(old.to_string()));
            }
        }
        "vehicle_faults" => {
            // Closing is a fact of a day; a second close would rewrite when the fault ended.
            let closed = |row: &Map<String, Value>| {
                row.get("closed_date").and_then(Value::as_str).filter(|d| !d.is_empty()).map(str::to_string)
            };
            if let Some(was) = change.before.and_then(closed)
                && closed(after).as_ref() != Some(&was)
            {
                let date = parse_iso_date(&was).map(format_date).unwrap_or(was);
                broken.push(FieldError::new("closed_date", Problem::ClosedOnce).with_detail(date));
            }
        }
        "vehicle_inspections" if changed("vehicle_id") || changed("inspection_date") => {
            let vehicle = text("vehicle_id").and_then(|id| Uuid::parse_str(id).ok());
            let day = text("inspection_date").and_then(|d| parse_iso_date(d).ok());
            if let (Some(vehicle), Some(day)) = (vehicle, day) {
                let monday = day.week(chrono::Weekday::Mon).first_day();
                let sunday = monday + Duration::days(6);
                if let Some(other) = neighbours.inspection_between(vehicle, monday, sunday, change.id)? {
                    let date = parse_iso_date(&other).map(format_date).unwrap_or(other);
                    broken.push(FieldError::new("inspection_date", Problem::WeekInspected).with_detail(date));
                }
            }
        }
        // A code names one template wherever the grid reads it: the region's and the company's.
        "shift_templates" => {
            if changed("short_code")
                && let Some(code) = text("short_code").filter(|c| !c.is_empty())
                && neighbours.template_code_regions(code, change.id)?.iter().any(|r| {
                    r == change.region
                        || r == crate::protocol::ALL_REGIONS
                        || change.region == crate::protocol::ALL_REGIONS
                })
            {
                broken.push(FieldError::new("short_code", Problem::Duplicate));
            }
        }
        "leaves" if LEAVE_DAYS.iter().any(|f| changed(f)) => {
            let employee = text("employee_id").and_then(|id| Uuid::parse_str(id).ok());
            let (Some(employee), Some((first, last))) = (employee, leave_days(after)) else {
                return Ok(broken);
            };
            let days = |l: &LeaveDays| {
                Some((
                    parse_iso_date(&l.first_day).ok()?,
                    parse_iso_date(&l.last_day).ok()?,
                    l.region.clone(),
                ))
            };
            let other = neighbours
                .leaves_of(employee, change.id)?
                .iter()
                .filter_map(days)
                .find(|(a, b, _)| *a <= last && first <= *b);
            // As with shifts: the days of another region's leave (a sick report, say) are not this
            // office's to read, only that they are taken.
            if let Some((a, b, region)) = other {
                let mut overlap = FieldError::new("first_day", Problem::LeaveOverlap);
                if region == change.region {
                    overlap = overlap.with_detail(format!("{}–{}", format_date(a), format_date(b)));
                }
                broken.push(overlap);
            } else if !change.confirmed {
                let worked = neighbours.shifts_of(employee, first, last, Uuid::nil())?;
                if let Some(shift) = worked.first() {
                    let mut over = FieldError::new("first_day", Problem::LeaveOverShift);
                    if shift.region == change.region {
                        over = over.with_detail(
                            parse_iso_date(&shift.work_date).map(format_date).unwrap_or_default(),
                        );
                    }
                    broken.push(over);
                }
            }
        }
        "employees" => {
            if changed("identity_no")
                && let Some(no) = text("identity_no")
                && neighbours.identity_no_taken(no, change.id)?
            {
                broken.push(FieldError::new("identity_no", Problem::Duplicate));
            }
        }
        _ => {}
    }
    Ok(broken)
}

/// The vehicle an inspection is of.
pub fn inspected_vehicle(inspection: &Map<String, Value>) -> Option<Uuid> {
    inspection.get("vehicle_id").and_then(Value::as_str).and_then(|id| Uuid::parse_str(id).ok())
}

/// The km an inspection's change gives `vehicle` (the live row of `inspected_vehicle(after)`):
/// an inspection reads the odometer, so a reading above the vehicle's km, or on a vehicle with
/// none, is its km now. A lower reading changes nothing: the vehicle's km is the highest one
/// seen. Only a change that brings a reading to the vehicle (a new inspection, a new km, another
/// vehicle) raises it, as a rule looks only at the fields it is about: an edit of an inspection's
/// notes neither undoes a confirmed correction of the vehicle's km nor gives the vehicle the km
/// of an inspection a legacy import brought.
pub fn raised_km(
    before: Option<&Map<String, Value>>,
    after: &Map<String, Value>,
    vehicle: &Map<String, Value>,
) -> Option<i64> {
    let reading = after.get("km").and_then(Value::as_i64)?;
    let changed = |name: &str| before.is_none_or(|before| field(before, name) != field(after, name));
    if !changed("km") && !changed("vehicle_id") {
        return None;
    }
    vehicle.get("km").and_then(Value::as_i64).is_none_or(|km| km < reading).then_some(reading)
}

/// A field's value, where a field the row lacks is null.
fn field<'r>(row: &'r Map<String, Value>, name: &str) -> &'r Value {
    static NULL: Value = Value::Null;
    row.get(name).unwrap_or(&NULL)
}

/// A shift's date, and its start and end in minutes on one line through all days; `None` when
/// its fields do not parse (or its end equals its start).
fn minutes(shift: &ShiftTimes) -> Option<(NaiveDate, i64, i64)> {
    let date = parse_iso_date(&shift.work_date).ok()?;
    let start = parse_hhmm(&shift.start_time).ok()?;
    let span = span_minutes(start, parse_hhmm(&shift.end_time).ok()?).ok()?;
    let base = (date - NaiveDate::MIN).num_minutes() + i64::from(start);
    Some((date, base, base + i64::from(span)))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use serde_json::json;

    use super::*;

    /// Live rows of a company, as (table, id, fields), looked up the way a store would.
    #[derive(Default)]
    struct Rows(Vec<(&'static str, Uuid, Map<String, Value>)>);

    impl Rows {
        fn add(&mut self, table: &'static str, fields: Value) -> Uuid {
            let id = Uuid::new_v4();
            self.0.push((table, id, fields.as_object().unwrap().clone()));
            id
        }

        fn of<'r>(&'r self, table: &'r str) -> impl Iterator<Item = (Uuid, &'r Map<String, Value>)> {
            self.0.iter().filter(move |(t, ..)| *t == table).map(|(_, id, f)| (*id, f))
        }

        fn taken(&self, table: &str, name: &str, value: &str, except: Uuid) -> bool {
            self.of(table).any(|(id, f)| id != except && f[name] == value)
        }
    }

    impl Neighbours for Rows {
        type Error = Infallible;

        fn shifts_of(
            &mut self,
            employee: Uuid,
            from: NaiveDate,
            to: NaiveDate,
            except: Uuid,
        ) -> Result<Vec<ShiftTimes>, Infallible> {
            let (from, to) = (from.to_string(), to.to_string());
            Ok(self
                .of("timesheets")
                .filter(|(id, f)| *id != except && f["employee_id"] == employee.to_string())
                .filter(|(_, f)| (from.as_str()..=to.as_str()).contains(&f["work_date"].as_str().unwrap()))
                .map(|(_, f)| ShiftTimes {
                    region: f.get("region").and_then(Value::as_str).unwrap_or("Ankara").into(),
                    work_date: f["work_date"].as_str().unwrap().into(),
                    start_time: f["start_time"].as_str().unwrap().into(),
                    end_time: f["end_time"].as_str().unwrap().into(),
                })
                .collect())
        }

        fn plate_taken(&mut self, plate: &str, except: Uuid) -> Result<bool, Infallible> {
            Ok(self.taken("vehicles", "plate", plate, except))
        }

        fn identity_no_taken(&mut self, no: &str, except: Uuid) -> Result<bool, Infallible> {
            Ok(self.taken("employees", "identity_no", no, except))
        }

        fn employee_active(&mut self, employee: Uuid) -> Result<Option<bool>, Infallible> {
            Ok(self.of("employees").find(|(id, _)| *id == employee).and_then(|(_, f)| f["active"].as_bool()))
        }

        fn employee_has_shifts(&mut self, employee: Uuid) -> Result<bool, Infallible> {
            Ok(self.of("timesheets").any(|(_, f)| f["employee_id"] == employee.to_string()))
        }

        fn inspection_between(
            &mut self,
            vehicle: Uuid,
            from: NaiveDate,
            to: NaiveDate,
            except: Uuid,
        ) -> Result<Option<String>, Infallible> {
            let (from, to) = (from.to_string(), to.to_string());
            Ok(self
                .of("vehicle_inspections")
                .filter(|(id, f)| *id != except && f["vehicle_id"] == vehicle.to_string())
                .map(|(_, f)| f["inspection_date"].as_str().unwrap().to_string())
                .find(|d| (from.as_str()..=to.as_str()).contains(&d.as_str())))
        }

        fn period_state(&mut self, region: &str, month: &str) -> Result<Option<String>, Infallible> {
            let id = crate::schema::period_id(region, month);
            Ok(self
                .of("period_locks")
                .find(|(row, _)| *row == id)
                .map(|(_, f)| f["state"].as_str().unwrap().to_string()))
        }

        fn template_code_regions(&mut self, code: &str, except: Uuid) -> Result<Vec<String>, Infallible> {
            Ok(self
                .of("shift_templates")
                .filter(|(id, f)| *id != except && f["short_code"] == code)
                .map(|(_, f)| f["region"].as_str().unwrap().to_string())
                .collect())
        }

        fn leaves_of(&mut self, employee: Uuid, except: Uuid) -> Result<Vec<LeaveDays>, Infallible> {
            Ok(self
                .of("leaves")
                .filter(|(id, f)| *id != except && f["employee_id"] == employee.to_string())
                .map(|(_, f)| LeaveDays {
                    region: f.get("region").and_then(Value::as_str).unwrap_or("Ankara").into(),
                    first_day: f["first_day"].as_str().unwrap().into(),
                    last_day: f["last_day"].as_str().unwrap().into(),
                })
                .collect())
        }
    }

    #[test]
    fn a_leave_does_not_cover_anothers_days_and_over_shifts_is_confirmed() {
        let mut rows = Rows::default();
        let person = rows.add("employees", json!({"full_name": "AYŞE", "active": true}));
        rows.add(
            "leaves",
            json!({"employee_id": person.to_string(), "first_day": "2026-03-09", "last_day": "2026-03-13"}),
        );
        rows.add(
            "timesheets",
            json!({"employee_id": person.to_string(), "work_date": "2026-03-17", "start_time": "08:00", "end_time": "17:00"}),
        );
        let leave = |first: &str, last: &str| {
            obj(
                json!({"employee_id": person.to_string(), "kind": "annual", "first_day": first, "last_day": last}),
            )
        };
        let change = |row| Change {
            table: "leaves",
            id: Uuid::new_v4(),
            region: "Ankara",
            before: None,
            after: Some(row),
            confirmed: false,
        };
        let over = leave("2026-03-13", "2026-03-14");
        let refused = check(&change(&over), &mut rows).unwrap();
        assert_eq!(
            refused,
            [FieldError::new("first_day", Problem::LeaveOverlap).with_detail("09.03.2026–13.03.2026")]
        );
        let worked = leave("2026-03-16", "2026-03-18");
        let warned = check(&change(&worked), &mut rows).unwrap();
        assert_eq!(warned, [FieldError::new("first_day", Problem::LeaveOverShift).with_detail("17.03.2026")]);
        assert_eq!(check(&Change { confirmed: true, ..change(&worked) }, &mut rows), Ok(vec![]));
        let free = leave("2026-03-19", "2026-03-20");
        assert_eq!(check(&change(&free), &mut rows), Ok(vec![]));
        rows.add("period_locks", json!({"state": "locked"}));
        let id = crate::schema::period_id("Ankara", "2026-04");
        rows.0.last_mut().unwrap().1 = id;
        let april = leave("2026-03-30", "2026-04-02");
        let locked = check(&change(&april), &mut rows).unwrap();
        assert_eq!(locked, [FieldError::new("first_day", Problem::PeriodLocked)]);
    }

    #[test]
    fn a_leave_over_another_regions_leave_or_shift_does_not_tell_its_days() {
        let mut rows = Rows::default();
        let person = rows.add("employees", json!({"full_name": "AYŞE", "active": true}));
        // Her Ankara sick report and shift, from before an administrator moved her to İzmir.
        rows.add(
            "leaves",
            json!({"employee_id": person.to_string(), "first_day": "2026-03-09", "last_day": "2026-03-13",
                "region": "Ankara"}),
        );
        rows.add(
            "timesheets",
            json!({"employee_id": person.to_string(), "work_date": "2026-03-17", "start_time": "08:00",
                "end_time": "17:00", "region": "Ankara"}),
        );
        let check_in_izmir = |rows: &mut Rows, first: &str, last: &str| {
            let after = obj(json!({"employee_id": person.to_string(), "kind": "annual", "first_day": first,
                "last_day": last}));
            let change = Change {
                table: "leaves",
                id: Uuid::new_v4(),
                region: "Izmir",
                before: None,
                after: Some(&after),
                confirmed: false,
            };
            check(&change, rows).unwrap()
        };
        assert_eq!(
            check_in_izmir(&mut rows, "2026-03-12", "2026-03-13"),
            [FieldError::new("first_day", Problem::LeaveOverlap)]
        );
        assert_eq!(
            check_in_izmir(&mut rows, "2026-03-16", "2026-03-18"),
            [FieldError::new("first_day", Problem::LeaveOverShift)]
        );
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn shift(employee: Uuid, date: &str, start: &str, end: &str) -> Value {
        json!({"employee_id": employee.to_string(), "work_date": date, "start_time": start, "end_time": end,
            "break_minutes": 0, "special_day": false, "note": null})
    }

    fn person(identity_no: Option<&str>, active: bool) -> Value {
        json!({"full_name": "AYŞE", "identity_no": identity_no, "active": active})
    }

    /// The rules a new row of `table` breaks, as problems and details.
    fn new_row(rows: &mut Rows, table: &str, after: Value) -> Vec<(String, Problem, Option<String>)> {
        let after = obj(after);
        let change = Change {
            table,
            id: Uuid::new_v4(),
            region: "Ankara",
            before: None,
            after: Some(&after),
            confirmed: false,
        };
        let Ok(broken) = check(&change, rows);
        broken.into_iter().map(|e| (e.field, e.problem, e.detail)).collect()
    }

    #[test]
    fn shifts_of_one_person_never_overlap_even_across_midnight() {
        let mut rows = Rows::default();
        let ayse = rows.add("employees", person(None, true));
        let other = rows.add("employees", person(None, true));
        rows.add("timesheets", shift(ayse, "2026-03-02", "22:00", "06:00"));
        let broken = new_row(&mut rows, "timesheets", shift(ayse, "2026-03-03", "05:00", "09:00"));
        let detail = Some("02.03.2026 22:00–06:00".to_string());
        assert_eq!(broken, vec![("start_time".into(), Problem::Overlap, detail)]);
        // Touching is not overlapping; another person's hours are theirs.
        assert!(new_row(&mut rows, "timesheets", shift(ayse, "2026-03-03", "06:00", "10:00")).is_empty());
        assert!(new_row(&mut rows, "timesheets", shift(other, "2026-03-03", "05:00", "09:00")).is_empty());
        assert!(new_row(&mut rows, "timesheets", shift(ayse, "2026-03-01", "20:00", "22:00")).is_empty());
        let broken = new_row(&mut rows, "timesheets", shift(ayse, "2026-03-01", "23:00", "23:30"));
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[test]
    fn an_overlap_with_another_regions_shift_does_not_tell_its_hours() {
        let mut rows = Rows::default();
        let ayse = rows.add("employees", person(None, true));
        // Her İzmir shift, from before an administrator moved her to Ankara.
        let mut izmir = shift(ayse, "2026-03-02", "08:00", "17:00");
        izmir["region"] = json!("Izmir");
        rows.add("timesheets", izmir);
        let broken = new_row(&mut rows, "timesheets", shift(ayse, "2026-03-02", "16:00", "20:00"));
        assert_eq!(broken, vec![("start_time".into(), Problem::Overlap, None)]);
    }

    #[test]
    fn a_shift_is_checked_only_when_its_person_or_hours_change() {
        let mut rows = Rows::default();
        let ayse = rows.add("employees", person(None, true));
        let before = obj(shift(ayse, "2026-03-02", "08:00", "17:00"));
        rows.add("timesheets", shift(ayse, "2026-03-02", "16:00", "20:00"));
        let id = Uuid::new_v4();
        let mut after = before.clone();
        after.insert("note".into(), json!("geç geldi"));
        let note = Change {
            table: "timesheets",
            id,
            region: "Ankara",
            before: Some(&before),
            after: Some(&after),
            confirmed: false,
        };
        assert_eq!(check(&note, &mut rows), Ok(vec![]));
        let mut earlier = after.clone();
        earlier.insert("start_time".into(), json!("07:00"));
        let moved = Change { after: Some(&earlier), ..note };
        let Ok(broken) = check(&moved, &mut rows);
        assert_eq!(broken[0].problem, Problem::Overlap);
    }

    #[test]
    fn no_shift_is_put_on_an_inactive_person() {
        let mut rows = Rows::default();
        let gone = rows.add("employees", person(None, false));
        let broken = new_row(&mut rows, "timesheets", shift(gone, "2026-03-02", "08:00", "17:00"));
        assert_eq!(broken, vec![("employee_id".into(), Problem::Inactive, None)]);
        // A person nobody holds is the reference check's to report.
        assert!(
            new_row(&mut rows, "timesheets", shift(Uuid::new_v4(), "2026-03-02", "08:00", "17:00"))
                .is_empty()
        );
    }

    #[test]
    fn a_departed_persons_past_shift_takes_a_correction_but_no_new_person() {
        let mut rows = Rows::default();
        let gone = rows.add("employees", person(None, false));
        let here = rows.add("employees", person(None, true));
        let before = obj(shift(gone, "2026-03-02", "08:00", "17:00"));
        let mut after = before.clone();
        after.insert("end_time".into(), json!("16:00"));
        let corrected = Change {
            table: "timesheets",
            id: Uuid::new_v4(),
            region: "Ankara",
            before: Some(&before),
            after: Some(&after),
            confirmed: false,
        };
        assert_eq!(check(&corrected, &mut rows), Ok(vec![]));
        // Handing someone else's shift to the departed person puts a new shift on them.
        let theirs = obj(shift(here, "2026-03-02", "08:00", "17:00"));
        let handed = Change { before: Some(&theirs), ..corrected };
        let Ok(broken) = check(&handed, &mut rows);
        assert_eq!(broken, vec![FieldError::new("employee_id", Problem::Inactive)]);
    }

    #[test]
    fn clearing_a_km_is_lowering_it() {
        let mut rows = Rows::default();
        let before = obj(json!({"plate": "06 ABC 123", "km": 5000}));
        let cleared = obj(json!({"plate": "06 ABC 123", "km": null}));
        let clear = Change {
            table: "vehicles",
            id: Uuid::new_v4(),
            region: "Ankara",
            before: Some(&before),
            after: Some(&cleared),
            confirmed: false,
        };
        let Ok(broken) = check(&clear, &mut rows);
        assert_eq!(broken, vec![FieldError::new("km", Problem::KmLower).with_detail("5000")]);
        assert_eq!(check(&Change { confirmed: true, ..clear }, &mut rows), Ok(vec![]));
        // A km entered where there was none goes up from nothing.
        let first = obj(json!({"plate": "06 ABC 123", "km": 10}));
        assert_eq!(
            check(&Change { before: Some(&cleared), after: Some(&first), ..clear }, &mut rows),
            Ok(vec![])
        );
    }

    #[test]
    fn a_short_code_names_one_template_in_a_region_and_the_company_wide_ones() {
        let mut rows = Rows::default();
        let template = |code: &str, region: &str| json!({"name": "x", "short_code": code, "region": region});
        rows.add("shift_templates", template("S", "İzmir"));
        assert_eq!(new_row(&mut rows, "shift_templates", template("S", "Ankara")), vec![]);
        rows.add("shift_templates", template("G", "ALL"));
        let taken = vec![("short_code".to_string(), Problem::Duplicate, None)];
        assert_eq!(new_row(&mut rows, "shift_templates", template("G", "Ankara")), taken);
        rows.add("shift_templates", template("A", "Ankara"));
        assert_eq!(new_row(&mut rows, "shift_templates", template("A", "Ankara")), taken);
    }

    #[test]
    fn a_plate_and_a_tc_number_name_one_vehicle_and_one_person() {
        let mut rows = Rows::default();
        let van = rows.add("vehicles", json!({"plate": "06 ABC 123", "km": 1000}));
        let broken = new_row(&mut rows, "vehicles", json!({"plate": "06 ABC 123"}));
        assert_eq!(broken, vec![("plate".into(), Problem::Duplicate, None)]);
        assert!(new_row(&mut rows, "vehicles", json!({"plate": "06 ABC 124"})).is_empty());
        // A vehicle's own plate is not a duplicate of itself.
        let before = obj(json!({"plate": "06 ABC 123", "km": 1000}));
        let after = obj(json!({"plate": "06 ABC 123", "km": 1200}));
        let edit = Change {
            table: "vehicles",
            id: van,
            region: "Ankara",
            before: Some(&before),
            after: Some(&after),
            confirmed: false,
        };
        assert_eq!(check(&edit, &mut rows), Ok(vec![]));

        rows.add("employees", person(Some("10000000146"), true));
        let broken = new_row(&mut rows, "employees", person(Some("10000000146"), true));
        assert_eq!(broken, vec![("identity_no".into(), Problem::Duplicate, None)]);
        // Many people have no number on file yet.
        assert!(new_row(&mut rows, "employees", person(None, true)).is_empty());
        assert!(new_row(&mut rows, "employees", person(Some(""), true)).is_empty());
    }

    #[test]
    fn a_lower_km_needs_the_writer_to_have_seen_the_higher_one() {
        let mut rows = Rows::default();
        let before = obj(json!({"plate": "06 ABC 123", "km": 5000}));
        let after = obj(json!({"plate": "06 ABC 123", "km": 4000}));
        let lower = Change {
            table: "vehicles",
            id: Uuid::new_v4(),
            region: "Ankara",
            before: Some(&before),
            after: Some(&after),
            confirmed: false,
        };
        let Ok(broken) = check(&lower, &mut rows);
        assert_eq!(broken, vec![FieldError::new("km", Problem::KmLower).with_detail("5000")]);
        assert_eq!(
            broken[0].to_string(),
            "km: is lower than the last recorded km; save again to confirm (5000)"
        );
        assert_eq!(check(&Change { confirmed: true, ..lower }, &mut rows), Ok(vec![]));
    }

    #[test]
    fn a_fault_closes_once() {
        let mut rows = Rows::default();
        let open = obj(json!({"title": "Fren", "status": "Acik", "closed_date": null}));
        let closed = obj(json!({"title": "Fren", "status": "Kapali", "closed_date": "2026-03-02"}));
        let close = Change {
            table: "vehicle_faults",
            id: Uuid::new_v4(),
            region: "Izmir",
            before: Some(&open),
            after: Some(&closed),
            confirmed: false,
        };
        assert_eq!(check(&close, &mut rows), Ok(vec![]));
        let later = obj(json!({"title": "Fren", "status": "Kapali", "closed_date": "2026-03-05"}));
        let again = Change { before: Some(&closed), after: Some(&later), ..close };
        let Ok(broken) = check(&again, &mut rows);
        assert_eq!(
            broken,
            vec![FieldError::new("closed_date", Problem::ClosedOnce).with_detail("02.03.2026")]
        );
        let reopened = Change { before: Some(&closed), after: Some(&open), ..close };
        assert_eq!(check(&reopened, &mut rows).map(|b| b.len()), Ok(1));
        // Its note may still change.
        let mut noted = closed.clone();
        noted.insert("description".into(), json!("balata değişti"));
        assert_eq!(
            check(&Change { before: Some(&closed), after: Some(&noted), ..close }, &mut rows),
            Ok(vec![])
        );
    }

    #[test]
    fn a_vehicle_has_one_inspection_per_iso_week() {
        let mut rows = Rows::default();
        let van = Uuid::new_v4().to_string();
        // Wednesday 2026-03-04, in the ISO week of Monday 2 March.
        rows.add("vehicle_inspections", json!({"vehicle_id": van, "inspection_date": "2026-03-04"}));
        let same_week = json!({"vehicle_id": van, "inspection_date": "2026-03-08"});
        let detail = Some("04.03.2026".to_string());
        assert_eq!(
            new_row(&mut rows, "vehicle_inspections", same_week),
            vec![("inspection_date".into(), Problem::WeekInspected, detail)]
        );
        let next_week = json!({"vehicle_id": van, "inspection_date": "2026-03-09"});
        assert!(new_row(&mut rows, "vehicle_inspections", next_week).is_empty());
        let other = json!({"vehicle_id": Uuid::new_v4().to_string(), "inspection_date": "2026-03-04"});
        assert!(new_row(&mut rows, "vehicle_inspections", other).is_empty());
    }

    #[test]
    fn an_inspections_new_reading_raises_its_vehicles_km_never_lowers_it() {
        let van = Uuid::new_v4();
        let inspection = |km: Value| obj(json!({"vehicle_id": van.to_string(), "km": km, "notes": null}));
        let vehicle = |km: Value| obj(json!({"plate": "06 ABC 123", "km": km}));
        let new = inspection(json!(1500));
        assert_eq!(inspected_vehicle(&new), Some(van));
        assert_eq!(raised_km(None, &new, &vehicle(json!(1000))), Some(1500));
        assert_eq!(raised_km(None, &new, &vehicle(json!(null))), Some(1500));
        assert_eq!(raised_km(None, &new, &vehicle(json!(1500))), None);
        assert_eq!(raised_km(None, &new, &vehicle(json!(2000))), None);
        assert_eq!(raised_km(None, &inspection(json!(null)), &vehicle(json!(null))), None);
        // A corrected reading is a new one; an edit of the notes brings none.
        let corrected = inspection(json!(1700));
        assert_eq!(raised_km(Some(&new), &corrected, &vehicle(json!(1500))), Some(1700));
        let mut noted = new.clone();
        noted.insert("notes".into(), json!("temiz"));
        assert_eq!(raised_km(Some(&new), &noted, &vehicle(json!(1000))), None);
        // The reading moved to another vehicle is that vehicle's.
        let mut other = new.clone();
        other.insert("vehicle_id".into(), json!(Uuid::new_v4().to_string()));
        assert_eq!(raised_km(Some(&new), &other, &vehicle(json!(1000))), Some(1500));
    }

    #[test]
    fn a_person_with_shifts_is_not_deleted() {
        let mut rows = Rows::default();
        let ayse = rows.add("employees", person(None, true));
        let fields = obj(person(None, true));
        let delete = Change {
            table: "employees",
            id: ayse,
            region: "Ankara",
            before: Some(&fields),
            after: None,
            confirmed: false,
        };
        assert_eq!(check(&delete, &mut rows), Ok(vec![]));
        rows.add("timesheets", shift(ayse, "2026-03-02", "08:00", "17:00"));
        let Ok(broken) = check(&delete, &mut rows);
        assert_eq!(broken, vec![FieldError::new("full_name", Problem::HasShifts)]);
        // A tombstone of a row the writer never held has nothing to keep.
        assert_eq!(check(&Change { before: None, ..delete }, &mut rows), Ok(vec![]));
    }

    #[test]
    fn nothing_changes_in_a_locked_month_until_it_is_unlocked() {
        let mut rows = Rows::default();
        let ayse = rows.add("employees", person(None, true));
        let march = rows.add("timesheets", shift(ayse, "2026-03-02", "08:00", "17:00"));
        let lock = |rows: &mut Rows, state: &str| {
            let id = crate::schema::period_id("Ankara", "2026-03");
            rows.0.retain(|(t, ..)| *t != "period_locks");
            rows.0.push(("period_locks", id, obj(json!({"period": "2026-03", "state": state}))));
        };
        let change =
            |rows: &mut Rows, table: &'static str, id: Uuid, before: Option<Value>, after: Option<Value>| {
                let (before, after) = (before.map(obj), after.map(obj));
                let change = Change {
                    table,
                    id,
                    region: "Ankara",
                    before: before.as_ref(),
                    after: after.as_ref(),
                    confirmed: false,
                };
                let Ok(broken) = check(&change, rows);
                broken.into_iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>()
            };
        let locked = |field: &str| vec![(field.to_string(), Problem::PeriodLocked)];
        let old = shift(ayse, "2026-03-02", "08:00", "17:00");
        let moved = shift(ayse, "2026-04-02", "08:00", "17:00");

        lock(&mut rows, "approved");
        assert!(new_row(&mut rows, "timesheets", shift(ayse, "2026-03-03", "08:00", "17:00")).is_empty());
        lock(&mut rows, "locked");
        let new = shift(ayse, "2026-03-03", "08:00", "17:00");
        assert_eq!(change(&mut rows, "timesheets", Uuid::new_v4(), None, Some(new)), locked("work_date"));
        assert_eq!(change(&mut rows, "timesheets", march, Some(old.clone()), None), locked("work_date"));
        // Out of the month is out of the month too; the same row again is no change.
        assert_eq!(
            change(&mut rows, "timesheets", march, Some(old.clone()), Some(moved)),
            locked("work_date")
        );
        assert!(change(&mut rows, "timesheets", march, Some(old.clone()), Some(old.clone())).is_empty());
        assert!(new_row(&mut rows, "timesheets", shift(ayse, "2026-04-03", "08:00", "17:00")).is_empty());
        // A person's contract is what March's pay was computed by; the name is not.
        let contract = json!({"full_name": "AYŞE", "active": true, "weekly_minutes": 2700});
        let shorter = json!({"full_name": "AYŞE", "active": true, "weekly_minutes": 2250});
        let renamed = json!({"full_name": "AYŞE YILMAZ", "active": true, "weekly_minutes": 2700});
        assert_eq!(
            change(&mut rows, "employees", ayse, Some(contract.clone()), Some(shorter.clone())),
            locked("weekly_minutes")
        );
        assert!(change(&mut rows, "employees", ayse, Some(contract.clone()), Some(renamed)).is_empty());
        lock(&mut rows, "unlocked");
        assert!(change(&mut rows, "employees", ayse, Some(contract), Some(shorter)).is_empty());
        assert!(change(&mut rows, "timesheets", march, Some(old), None).is_empty());
    }
}
