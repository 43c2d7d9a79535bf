//! The rows around a change as this PC holds them, for the rules in `rainstaff_core::rules`. A
//! regional PC holds only its region, so the company-wide rules (plate, T.C. number) see what it
//! can; the server sees every region and refuses what slipped past.

use chrono::NaiveDate;
use rainstaff_core::rules::{LeaveDays, Neighbours, ShiftTimes};
use rainstaff_core::schema::FieldKind;
use rainstaff_core::time::day_number;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::rows::read_moment;
use super::{Result, Store, StoreError};

/// The local store, looked at by the rules; every query counts live rows of all regions here.
pub(super) struct Local<'s>(pub &'s Store);

impl Local<'_> {
    fn exists(&self, sql: &str, value: &str, except: Uuid) -> Result<bool> {
        Ok(self.0.conn.prepare_cached(sql)?.query_row((value, except), |r| r.get(0))?)
    }
}

impl Neighbours for Local<'_> {
    type Error = StoreError;

    fn shifts_of(
        &mut self,
        employee: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Uuid,
    ) -> Result<Vec<ShiftTimes>> {
        let mut stmt = self.0.conn.prepare_cached(
            "SELECT work_date, start_time, end_time, region FROM timesheets WHERE deleted_at IS NULL \
             AND employee_id = ?1 AND work_date BETWEEN ?2 AND ?3 AND id <> ?4",
        )?;
        let args = (employee, day_number(from), day_number(to), except);
        let shifts = stmt.query_map(args, |r| {
            Ok(ShiftTimes {
                region: r.get(3)?,
                work_date: read_moment(FieldKind::Date, r.get_ref(0)?)?,
                start_time: read_moment(FieldKind::Time, r.get_ref(1)?)?,
                end_time: read_moment(FieldKind::Time, r.get_ref(2)?)?,
            })
        })?;
        Ok(shifts.collect::<rusqlite::Result<_>>()?)
    }

    fn plate_taken(&mut self, plate: &str, except: Uuid) -> Result<bool> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM vehicles WHERE deleted_at IS NULL AND plate = ?1 AND id <> ?2)",
            plate,
            except,
        )
    }

    fn identity_no_taken(&mut self, identity_no: &str, except: Uuid) -> Result<bool> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM employees WHERE deleted_at IS NULL AND identity_no = ?1 AND id <> ?2)",
            identity_no,
            except,
        )
    }

    fn employee_active(&mut self, employee: Uuid) -> Result<Option<bool>> {
        let active: Option<Option<bool>> = self
            .0
            .conn
            .prepare_cached("SELECT active FROM employees WHERE id = ?1 AND deleted_at IS NULL")?
            .query_row([employee], |r| r.get(0))
            .optional()?;
        // Only a person marked inactive is; a row without the mark is validation's to report.
        Ok(active.map(|a| a != Some(false)))
    }

    fn employee_has_shifts(&mut self, employee: Uuid) -> Result<bool> {
        self.0.employee_has_shifts(employee)
    }

    fn inspection_between(
        &mut self,
        vehicle: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Uuid,
    ) -> Result<Option<String>> {
        let args = (vehicle, day_number(from), day_number(to), except);
        Ok(self
            .0
            .conn
            .prepare_cached(
                "SELECT inspection_date FROM vehicle_inspections WHERE deleted_at IS NULL \
                 AND vehicle_id = ?1 AND inspection_date BETWEEN ?2 AND ?3 AND id <> ?4 LIMIT 1",
            )?
            .query_row(args, |r| read_moment(FieldKind::Date, r.get_ref(0)?))
            .optional()?)
    }

    fn period_state(&mut self, region: &str, month: &str) -> Result<Option<String>> {
        Ok(self.0.period(region, month)?.map(|p| p.state))
    }

    fn template_code_regions(&mut self, code: &str, except: Uuid) -> Result<Vec<String>> {
        let mut stmt = self.0.conn.prepare_cached(
            "SELECT region FROM shift_templates WHERE deleted_at IS NULL AND short_code = ?1 AND id <> ?2",
        )?;
        let regions = stmt.query_map((code, except), |r| r.get(0))?;
        Ok(regions.collect::<rusqlite::Result<_>>()?)
    }

    fn leaves_of(&mut self, employee: Uuid, except: Uuid) -> Result<Vec<LeaveDays>> {
        let mut stmt = self.0.conn.prepare_cached(
            "SELECT region, first_day, last_day FROM leaves
             WHERE deleted_at IS NULL AND employee_id = ?1 AND id <> ?2",
        )?;
        let rows = stmt.query_map((employee, except), |r| {
            Ok(LeaveDays {
                region: r.get(0)?,
                first_day: read_moment(FieldKind::Date, r.get_ref(1)?)?,
                last_day: read_moment(FieldKind::Date, r.get_ref(2)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
