//! What the screens read: live rows in the signed-in user's scope, as typed records.

use chrono::NaiveDate;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{EMPLOYEES, SHIFT_TEMPLATES, TIMESHEETS, VEHICLES};
use rainstaff_core::text::tr_cmp;
use uuid::Uuid;

use super::{Result, Store, rows};
use crate::model::{Employee, Record, Shift, ShiftTemplate, Vehicle};

/// Which shifts the timesheet screen lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShiftFilter {
    pub employee: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A region code, or ALL.
    pub region: String,
}

fn typed<T: serde::de::DeserializeOwned>(rows: Vec<rows::LocalRow>) -> Vec<Record<T>> {
    rows.into_iter().filter_map(Record::from_row).collect()
}

impl Store {
    pub fn employees(&self, region: &str) -> Result<Vec<Record<Employee>>> {
        let mut list: Vec<Record<Employee>> =
            typed(rows::select(&self.conn, &EMPLOYEES, "?1 = ?2 OR region = ?1", &[&region, &ALL_REGIONS])?);
        list.sort_by(|a, b| tr_cmp(&a.data.full_name, &b.data.full_name));
        Ok(list)
    }

    pub fn employee(&self, id: Uuid) -> Result<Option<Record<Employee>>> {
        Ok(rows::get(&self.conn, &EMPLOYEES, id)?.filter(|r| !r.deleted).and_then(Record::from_row))
    }

    pub fn shifts(&self, filter: &ShiftFilter) -> Result<Vec<Record<Shift>>> {
        // Only the filters in use go into the SQL: `?3 IS NULL OR employee_id = ?3` would keep
        // SQLite from using the (employee_id, work_date) index.
        let mut condition = String::from("(?1 = ?2 OR region = ?1)");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> =
            vec![Box::new(filter.region.clone()), Box::new(ALL_REGIONS)];
        let mut add = |sql: &str, value: String| {
            args.push(Box::new(value));
            condition.push_str(&format!(" AND {sql} ?{}", args.len()));
        };
        if let Some(id) = filter.employee {
            add("employee_id =", id.to_string());
        }
        if let Some(from) = filter.from {
            add("work_date >=", from.to_string());
        }
        if let Some(to) = filter.to {
            add("work_date <=", to.to_string());
        }
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let mut list: Vec<Record<Shift>> = typed(rows::select(&self.conn, &TIMESHEETS, &condition, &refs)?);
        list.sort_by(|a, b| {
            (&a.data.work_date, &a.data.start_time).cmp(&(&b.data.work_date, &b.data.start_time))
        });
        Ok(list)
    }

    pub fn shift(&self, id: Uuid) -> Result<Option<Record<Shift>>> {
        Ok(rows::get(&self.conn, &TIMESHEETS, id)?.filter(|r| !r.deleted).and_then(Record::from_row))
    }

    pub fn employee_has_shifts(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM timesheets WHERE employee_id = ?1 AND deleted_at IS NULL)",
            [id.to_string()],
            |r| r.get(0),
        )?)
    }

    pub fn templates(&self, region: &str) -> Result<Vec<Record<ShiftTemplate>>> {
        let mut list: Vec<Record<ShiftTemplate>> = typed(rows::select(
            &self.conn,
            &SHIFT_TEMPLATES,
            "?1 = ?2 OR region = ?1",
            &[&region, &ALL_REGIONS],
        )?);
        list.sort_by(|a, b| tr_cmp(&a.data.name, &b.data.name));
        Ok(list)
    }

    pub fn vehicles(&self, region: &str) -> Result<Vec<Record<Vehicle>>> {
        let mut list: Vec<Record<Vehicle>> =
            typed(rows::select(&self.conn, &VEHICLES, "?1 = ?2 OR region = ?1", &[&region, &ALL_REGIONS])?);
        list.sort_by(|a, b| a.data.plate.cmp(&b.data.plate));
        Ok(list)
    }

    pub fn vehicle(&self, id: Uuid) -> Result<Option<Record<Vehicle>>> {
        Ok(rows::get(&self.conn, &VEHICLES, id)?.filter(|r| !r.deleted).and_then(Record::from_row))
    }

    /// The regions people can pick: the known offices and any region a row already uses.
    pub fn regions(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT code FROM regions UNION SELECT DISTINCT region FROM employees WHERE region <> 'ALL'",
        )?;
        let mut list: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        list.sort_by(|a, b| tr_cmp(a, b));
        Ok(list)
    }
}
