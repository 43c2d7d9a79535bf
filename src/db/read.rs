//! The screens' view of the store: a connection opened read-only, behind a type that offers the
//! queries and nothing else. Every write goes to the worker as a command, where the policy checks
//! it and `rows` appends its outbox entry; a screen holding a `ReadStore` cannot skip either.

use std::path::{Path, PathBuf};

use rainstaff_core::hours::{Calendar, HolidayDay};
use rainstaff_core::model::{Employee, Record, Shift, ShiftTemplate, Vehicle};
use rainstaff_core::schema::TableSpec;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::conflicts::Conflict;
use super::queries::ShiftFilter;
use super::refused::RefusedChange;
use super::rows::LocalRow;
use super::scope::Scope;
use super::users::User;
use super::{Result, Store, register_functions};

pub struct ReadStore(Store);

impl ReadStore {
    /// A second connection to an already migrated store, for the UI's reads.
    pub fn open(path: &Path) -> Result<ReadStore> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        register_functions(&conn)?;
        Ok(ReadStore(Store { conn, path: path.to_path_buf() }))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.0.setting(key)
    }

    pub fn has_users(&self) -> Result<bool> {
        self.0.has_users()
    }

    pub fn users(&self) -> Result<Vec<User>> {
        self.0.users()
    }

    pub fn scope(&self, user: &User) -> Result<Scope> {
        self.0.scope(user)
    }

    pub fn pc_region(&self) -> Result<Option<String>> {
        self.0.pc_region()
    }

    pub fn employees(&self, region: &str) -> Result<Vec<Record<Employee>>> {
        self.0.employees(region)
    }

    pub fn shifts(&self, filter: &ShiftFilter) -> Result<Vec<Record<Shift>>> {
        self.0.shifts(filter)
    }

    pub fn templates(&self, region: &str) -> Result<Vec<Record<ShiftTemplate>>> {
        self.0.templates(region)
    }

    pub fn leaves(
        &self,
        region: &str,
        employee: Option<Uuid>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<Vec<Record<rainstaff_core::leave::Leave>>> {
        self.0.leaves(region, employee, from, to)
    }

    pub fn leave_balance(
        &self,
        employee: Uuid,
        on: chrono::NaiveDate,
        except: Option<Uuid>,
    ) -> Result<Option<rainstaff_core::leave::Balance>> {
        self.0.leave_balance(employee, on, except)
    }

    pub fn puantaj_letters(&self) -> Result<rainstaff_core::puantaj::Letters> {
        self.0.puantaj_letters()
    }

    pub fn vehicles(&self, region: &str) -> Result<Vec<Record<Vehicle>>> {
        self.0.vehicles(region)
    }

    /// Every row of a synced table in `region` (or ALL), for the record screens.
    pub fn records(&self, table: &TableSpec, region: &str) -> Result<Vec<LocalRow>> {
        self.0.records(table, region)
    }

    pub fn default_break(&self, region: &str) -> Result<i64> {
        self.0.default_break(region)
    }

    pub fn period(&self, region: &str, month: &str) -> Result<Option<super::periods::Period>> {
        self.0.period(region, month)
    }

    pub fn audit_entries(&self, filter: &super::audit::Filter) -> Result<Vec<super::audit::Logged>> {
        self.0.audit_entries(filter)
    }

    pub fn fleet(&self, region: &str) -> Result<rainstaff_core::alerts::Fleet> {
        self.0.fleet(region)
    }

    pub fn vehicle_card(&self, id: Uuid) -> Result<Option<super::fleet::VehicleCard>> {
        self.0.vehicle_card(id)
    }

    pub fn title_of(&self, table: &TableSpec, fields: &Map<String, Value>) -> Result<Option<String>> {
        self.0.title_of(table, fields)
    }

    pub fn record_title(
        &self,
        table: &TableSpec,
        id: Uuid,
        fallback: &Map<String, Value>,
    ) -> Result<Option<String>> {
        self.0.record_title(table, id, fallback)
    }

    pub fn calendar(&self) -> Result<Calendar> {
        self.0.calendar()
    }

    pub fn added_holidays(&self) -> Result<Vec<HolidayDay>> {
        self.0.added_holidays()
    }

    pub fn conflicts(&self, region: &str) -> Result<Vec<Conflict>> {
        self.0.conflicts(region)
    }

    pub fn refused_changes(&self, region: &str) -> Result<Vec<RefusedChange>> {
        self.0.refused_changes(region)
    }

    pub fn pending_count(&self) -> Result<i64> {
        self.0.pending_count()
    }

    pub fn sync_state(&self, key: &str) -> Result<Option<String>> {
        self.0.sync_state(key)
    }

    pub fn sync_runs(&self, n: usize) -> Result<Vec<(String, bool, String)>> {
        self.0.sync_runs(n)
    }

    pub fn backups(&self) -> Result<Vec<PathBuf>> {
        self.0.backups()
    }
}
