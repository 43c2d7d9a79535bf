//! What the screens read: live rows in the signed-in user's scope, as typed records.

use chrono::NaiveDate;
use rainstaff_core::leave::{Balance, Leave, Span};
use rainstaff_core::model::{Employee, Record, Shift, ShiftTemplate, Vehicle};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{
    self, EMPLOYEES, FieldKind, LEAVES, SHIFT_TEMPLATES, TIMESHEETS, TableSpec, VEHICLES,
};
use rainstaff_core::text::tr_cmp;
use rainstaff_core::time::{day_number, format_date, parse_iso_date};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Result, Store, rows};
use rainstaff_core::puantaj::Letters;

/// The settings key of the office's own puantaj letters.
pub const PUANTAJ_LETTERS_KEY: &str = "puantaj_letters";

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
    rows.into_iter().filter_map(record).collect()
}

fn record<T: serde::de::DeserializeOwned>(row: rows::LocalRow) -> Option<Record<T>> {
    Record::from_fields(row.id, row.region, row.fields, row.sync_error)
}

impl Store {
    pub fn employees(&self, region: &str) -> Result<Vec<Record<Employee>>> {
        let mut list: Vec<Record<Employee>> =
            typed(rows::select(&self.conn, &EMPLOYEES, "?1 = ?2 OR region = ?1", &[&region, &ALL_REGIONS])?);
        list.sort_by(|a, b| tr_cmp(&a.data.full_name, &b.data.full_name));
        Ok(list)
    }

    pub fn employee(&self, id: Uuid) -> Result<Option<Record<Employee>>> {
        Ok(rows::get(&self.conn, &EMPLOYEES, id)?.filter(|r| !r.deleted).and_then(record))
    }

    pub fn shifts(&self, filter: &ShiftFilter) -> Result<Vec<Record<Shift>>> {
        // Only the filters in use go into the SQL: `?3 IS NULL OR employee_id = ?3` would keep
        // SQLite from using the indexes by date and by person.
        let mut condition = String::from("(?1 = ?2 OR region = ?1)");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> =
            vec![Box::new(filter.region.clone()), Box::new(ALL_REGIONS)];
        let mut add = |sql: &str, value: Box<dyn rusqlite::ToSql>| {
            args.push(value);
            condition.push_str(&format!(" AND {sql} ?{}", args.len()));
        };
        if let Some(id) = filter.employee {
            add("employee_id =", Box::new(id));
        }
        if let Some(from) = filter.from {
            add("work_date >=", Box::new(day_number(from)));
        }
        if let Some(to) = filter.to {
            add("work_date <=", Box::new(day_number(to)));
        }
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let mut list: Vec<Record<Shift>> = typed(rows::select(&self.conn, &TIMESHEETS, &condition, &refs)?);
        list.sort_by(|a, b| {
            (&a.data.work_date, &a.data.start_time).cmp(&(&b.data.work_date, &b.data.start_time))
        });
        Ok(list)
    }

    pub fn shift(&self, id: Uuid) -> Result<Option<Record<Shift>>> {
        Ok(rows::get(&self.conn, &TIMESHEETS, id)?.filter(|r| !r.deleted).and_then(record))
    }

    pub fn employee_has_shifts(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM timesheets WHERE employee_id = ?1 AND deleted_at IS NULL)",
            [id],
            |r| r.get(0),
        )?)
    }

    /// The leaves in `region` (ALL: every region) reaching into `from..=to` (None: without that
    /// bound), by first day; of one person when `employee` is given.
    pub fn leaves(
        &self,
        region: &str,
        employee: Option<Uuid>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<Record<Leave>>> {
        let condition = "(?1 = ?2 OR region = ?1) AND (?3 IS NULL OR employee_id = ?3) \
                         AND (?5 IS NULL OR first_day <= ?5) AND (?4 IS NULL OR last_day >= ?4)";
        let (from, to) = (from.map(day_number), to.map(day_number));
        let args: [&dyn rusqlite::ToSql; 5] = [&region, &ALL_REGIONS, &employee, &from, &to];
        let mut list: Vec<Record<Leave>> = typed(rows::select(&self.conn, &LEAVES, condition, &args)?);
        list.sort_by(|a, b| a.data.first_day.cmp(&b.data.first_day));
        Ok(list)
    }

    /// Where `employee`'s annual leave stands on `on`, leaving out the leave `except` (the one a
    /// form is changing); None for a person without a hire date, who has earned nothing to count.
    pub fn leave_balance(
        &self,
        employee: Uuid,
        on: NaiveDate,
        except: Option<Uuid>,
    ) -> Result<Option<Balance>> {
        let Some(person) = self.employee(employee)? else { return Ok(None) };
        let day = |d: &Option<String>| d.as_deref().and_then(|d| parse_iso_date(d).ok());
        let Some(hire) = day(&person.data.hire_date) else { return Ok(None) };
        let spans: Vec<Span> = self
            .leaves(ALL_REGIONS, Some(employee), None, None)?
            .iter()
            .filter(|l| Some(l.id) != except)
            .filter_map(|l| Span::of(&l.data))
            .collect();
        let calendar = self.calendar()?;
        Ok(Some(rainstaff_core::leave::balance(hire, day(&person.data.birth_date), &spans, &calendar, on)))
    }

    /// The letters the puantaj writes: the office's (`PUANTAJ_LETTERS_KEY`, a JSON object of
    /// name → letter) over the defaults. A setting that no longer reads is left for the defaults.
    pub fn puantaj_letters(&self) -> Result<Letters> {
        let stored = self.setting(PUANTAJ_LETTERS_KEY)?.unwrap_or_default();
        let overrides = serde_json::from_str(&stored).unwrap_or_default();
        Ok(Letters::with(&overrides).unwrap_or_default())
    }

    pub fn templates(&self, region: &str) -> Result<Vec<Record<ShiftTemplate>>> {
        let mut list: Vec<Record<ShiftTemplate>> = typed(self.records(&SHIFT_TEMPLATES, region)?);
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
        Ok(rows::get(&self.conn, &VEHICLES, id)?.filter(|r| !r.deleted).and_then(record))
    }

    /// The live rows of any synced table in `region` (ALL: every region), as the record screens
    /// read them; a region's list of a table the company shares has the company's rows too.
    pub fn records(&self, table: &TableSpec, region: &str) -> Result<Vec<rows::LocalRow>> {
        let condition = "?1 = ?2 OR region = ?1 OR (?3 AND region = ?2)";
        rows::select(&self.conn, table, condition, &[&region, &ALL_REGIONS, &table.company_wide()])
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

/// The break a new shift starts with where the region set none: the legacy app's hour.
pub const DEFAULT_BREAK_MINUTES: i64 = 60;

/// The setting holding `region`'s break for a new shift.
pub fn break_key(region: &str) -> String {
    format!("default_break.{region}")
}

impl Store {
    /// The break, in minutes, a new shift of `region` starts with.
    pub fn default_break(&self, region: &str) -> Result<i64> {
        let set = self.setting(&break_key(region))?.and_then(|v| v.parse().ok());
        Ok(set.unwrap_or(DEFAULT_BREAK_MINUTES))
    }

    /// A record in the words the office knows it by: the employee's name, the vehicle's plate, a
    /// shift's employee, date and hours (`AYŞE YILMAZ · 02.03.2026 · 08:00–17:00`). It is read from
    /// the record as this PC holds it (deleted ones too), or from `fallback` (the fields a change
    /// set) when this PC holds none; `None` when neither says anything.
    pub fn record_title(
        &self,
        table: &TableSpec,
        id: Uuid,
        fallback: &Map<String, Value>,
    ) -> Result<Option<String>> {
        let held = rows::get(&self.conn, table, id)?.map(|r| r.fields);
        self.title_of(table, held.as_ref().unwrap_or(fallback))
    }

    /// A record's title (see `record_title`) from fields at hand.
    pub fn title_of(&self, table: &TableSpec, fields: &Map<String, Value>) -> Result<Option<String>> {
        let mut parts = Vec::new();
        for &name in table.title {
            let Some(Value::String(text)) = fields.get(name) else { continue };
            let part = match table.field(name).map(|f| f.kind) {
                Some(FieldKind::Ref(target)) => match (schema::table(target), Uuid::parse_str(text)) {
                    (Some(target), Ok(id)) => self.record_title(target, id, &Map::new())?,
                    _ => None,
                },
                Some(FieldKind::Date) => {
                    Some(parse_iso_date(text).map(format_date).unwrap_or_else(|_| text.clone()))
                }
                Some(FieldKind::Time) => match fields.get("end_time").and_then(Value::as_str) {
                    Some(end) => Some(format!("{text}–{end}")),
                    None => Some(text.clone()),
                },
                _ => Some(text.clone()),
            };
            parts.extend(part.filter(|p| !p.trim().is_empty()));
        }
        Ok((!parts.is_empty()).then(|| parts.join(" · ")))
    }
}
