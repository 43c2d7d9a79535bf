//! The company's data as the dashboard shows it: people, shifts, vehicles and what the hour
//! engine and the fleet rules make of them. The numbers come from the code the desktop's
//! workbook uses (`rainstaff_report::build` over `rainstaff_core::payroll`), fed with the
//! server's rows of the person's regions, so a manager reads the same figures on both.
//!
//! The desktop's added holidays stay on the PC that added them (they are not synced); the
//! server computes with the built-in Turkish calendar.

use chrono::NaiveDate;
use rainstaff_core::alerts::{self, Alert, Fleet};
use rainstaff_core::hours::Calendar;
use rainstaff_core::i18n::Lang;
use rainstaff_core::leave::Leave;
use rainstaff_core::model::{Employee, Record, Shift, Vehicle};
use rainstaff_core::payroll::Totals;
use rainstaff_core::protocol::RowState;
use rainstaff_core::puantaj::Letters;
use rainstaff_core::schema::{
    DRIVERS, EMPLOYEES, LEAVES, PERIOD_LOCKS, TIMESHEETS, TableSpec, VEHICLE_FAULTS, VEHICLE_INSPECTIONS,
    VEHICLE_SERVICE_VISITS, VEHICLES,
};
use rainstaff_core::text::tr_cmp;
use rainstaff_core::time::turkey;
use rainstaff_report::{
    Closed, EmployeeMonth, Month, MonthInput, MonthReport, PuantajTable, Selection, build, puantaj_table,
    puantaj_xlsx_bytes, shifts_range, xlsx_bytes,
};
use serde_json::Value;
use uuid::Uuid;

use super::legacy::COMPANY_SETTING;
use super::sessions::Viewer;
use super::{Server, scope};
use crate::error::ServiceError;
use crate::store::{Scope, Store, Tx};

/// What the dashboard shows of a period.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The region shown (`Viewer::region_shown`).
    pub region: String,
    pub employees: usize,
    pub shifts: usize,
    pub vehicles: usize,
    pub totals: Totals,
    pub alerts: Vec<Alert>,
}

/// The vehicles page: the region shown, its vehicles by plate and the fleet's alerts there.
#[derive(Debug, Clone)]
pub struct FleetView {
    pub region: String,
    pub vehicles: Vec<Record<Vehicle>>,
    pub alerts: Vec<Alert>,
}

/// A vehicle with what its page lists beside it.
#[derive(Debug, Clone)]
pub struct VehicleFile {
    pub vehicle: Record<Vehicle>,
    pub alerts: Vec<Alert>,
    pub faults: Vec<RowState>,
    pub visits: Vec<RowState>,
    pub inspections: Vec<RowState>,
}

/// Which of a month's workbooks: the whole one (summary, puantaj, a sheet per person), or the
/// puantaj cetveli alone, as `rainstaff export puantaj` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    Month,
    Puantaj,
}

/// A downloadable workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

fn live(
    tx: &mut impl Tx,
    table: &'static TableSpec,
    scope: Scope<'_>,
) -> Result<Vec<RowState>, ServiceError> {
    let mut rows = Vec::new();
    tx.scan_rows(table, scope, &mut |row| {
        if row.deleted_at.is_none() {
            rows.push(row);
        }
        Ok(())
    })?;
    Ok(rows)
}

fn records<T: serde::de::DeserializeOwned>(rows: Vec<RowState>) -> Vec<Record<T>> {
    rows.into_iter().filter_map(|r| Record::from_fields(r.id, r.region, r.fields, None)).collect()
}

fn fleet_record(row: &RowState) -> alerts::Record {
    alerts::Record { id: row.id, fields: row.fields.clone() }
}

fn not_found(what: &'static str) -> ServiceError {
    ServiceError::not_found("record_not_found", format!("no such {what}"))
}

/// The employees and their shifts over `shifts_range(month)`: the weeks covering the month and
/// every earlier week of its year, which the yearly overtime cap counts.
/// The server's setting of the puantaj letters (a JSON object of name → letter), as the desktop's.
pub const PUANTAJ_LETTERS_SETTING: &str = "puantaj_letters";

fn month_input(tx: &mut impl Tx, region: &str, month: Month) -> Result<MonthInput, ServiceError> {
    let scope = scope(region);
    let employees: Vec<Record<Employee>> = records(live(tx, &EMPLOYEES, scope)?);
    let (first, last) = shifts_range(month);
    let (first, last) = (first.to_string(), last.to_string());
    let shifts: Vec<Record<Shift>> = records::<Shift>(live(tx, &TIMESHEETS, scope)?)
        .into_iter()
        .filter(|s| (first.as_str()..=last.as_str()).contains(&s.data.work_date.as_str()))
        .collect();
    let month_key = month.to_string();
    let closed = live(tx, &PERIOD_LOCKS, scope)?
        .into_iter()
        .filter(|row| row.fields.get("period").and_then(Value::as_str) == Some(month_key.as_str()))
        .map(|row| {
            let text =
                |name: &str| row.fields.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
            (row.region.clone(), Closed { state: text("state"), by: text("by"), at: text("at") })
        })
        .collect();
    let (month_first, month_last) = (month.first().to_string(), month.last().to_string());
    let leaves: Vec<Record<Leave>> = records::<Leave>(live(tx, &LEAVES, scope)?)
        .into_iter()
        .filter(|l| l.data.first_day <= month_last && l.data.last_day >= month_first)
        .collect();
    let letters = tx.setting(PUANTAJ_LETTERS_SETTING)?.unwrap_or_default();
    Ok(MonthInput {
        company: tx.setting(COMPANY_SETTING)?,
        calendar: Calendar::builtin_tr(),
        employees,
        shifts,
        closed,
        leaves,
        // An office's letters the server was given; a setting that does not read is the defaults.
        letters: Letters::with(&serde_json::from_str(&letters).unwrap_or_default()).unwrap_or_default(),
    })
}

fn month_report(
    tx: &mut impl Tx,
    region: &str,
    month: Month,
    employee: Option<Uuid>,
) -> Result<MonthReport, ServiceError> {
    let input = month_input(tx, region, month)?;
    let selection = Selection { month, employee, region: region.to_string() };
    build(&input, &selection, &mut |_| {}).map_err(|e| ServiceError::invalid("report_failed", e.to_string()))
}

fn fleet(tx: &mut impl Tx, scope: Scope<'_>) -> Result<Fleet, ServiceError> {
    let mut read = |table| -> Result<Vec<alerts::Record>, ServiceError> {
        Ok(live(tx, table, scope)?.iter().map(fleet_record).collect())
    };
    Ok(Fleet {
        vehicles: read(&VEHICLES)?,
        drivers: read(&DRIVERS)?,
        faults: read(&VEHICLE_FAULTS)?,
        visits: read(&VEHICLE_SERVICE_VISITS)?,
        inspections: read(&VEHICLE_INSPECTIONS)?,
    })
}

impl<S: Store> Server<S> {
    /// Today in Turkey, where the offices are, by the service's clock.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&turkey()).date_naive()
    }

    /// The period's counts, hours and alerts in the region `viewer` asked for and may see.
    pub fn overview(
        &self,
        viewer: &Viewer,
        asked: Option<&str>,
        month: Month,
    ) -> Result<Overview, ServiceError> {
        let region = viewer.region_shown(asked);
        let today = self.today();
        self.store.read(|tx| {
            let region = region.as_str();
            let report = month_report(tx, region, month, None)?;
            let mut totals = Totals::default();
            for e in &report.employees {
                totals += &e.totals;
            }
            let shifts = report.employees.iter().map(|e| e.rows.len()).sum();
            let employees = live(tx, &EMPLOYEES, scope(region))?.len();
            let fleet = fleet(tx, scope(region))?;
            Ok(Overview {
                region: region.to_string(),
                employees,
                shifts,
                vehicles: fleet.vehicles.len(),
                totals,
                alerts: alerts::alerts(&fleet, today),
            })
        })
    }

    /// The region shown (`Viewer::region_shown`) and its employees, by name as Turkish sorts it.
    pub fn employees_in(
        &self,
        viewer: &Viewer,
        asked: Option<&str>,
    ) -> Result<(String, Vec<Record<Employee>>), ServiceError> {
        let region = viewer.region_shown(asked);
        let mut employees: Vec<Record<Employee>> =
            self.store.read(|tx| Ok(records(live(tx, &EMPLOYEES, scope(&region))?)))?;
        employees.sort_by(|a, b| tr_cmp(&a.data.full_name, &b.data.full_name));
        Ok((region, employees))
    }

    /// One employee's month with the engine's numbers; another region's is not found.
    pub fn employee_month(
        &self,
        viewer: &Viewer,
        id: Uuid,
        month: Month,
    ) -> Result<EmployeeMonth, ServiceError> {
        self.store.read(|tx| {
            let row = tx.row(&EMPLOYEES, id)?.filter(|r| r.state.deleted_at.is_none());
            let row = row
                .filter(|r| viewer.scope().is_none_or(|s| s == r.state.region))
                .ok_or_else(|| not_found("employee"))?;
            let mut report = month_report(tx, &row.state.region, month, Some(id))?;
            report.employees.pop().ok_or_else(|| not_found("employee"))
        })
    }

    /// The vehicles of the region `viewer` asked for and may see.
    pub fn vehicles_in(&self, viewer: &Viewer, asked: Option<&str>) -> Result<FleetView, ServiceError> {
        let region = viewer.region_shown(asked);
        let today = self.today();
        let (vehicles, alerts) = self.store.read(|tx| {
            let fleet = fleet(tx, scope(&region))?;
            let alerts = alerts::alerts(&fleet, today);
            let mut vehicles: Vec<Record<Vehicle>> = records(live(tx, &VEHICLES, scope(&region))?);
            vehicles.sort_by(|a, b| tr_cmp(&a.data.plate, &b.data.plate));
            Ok((vehicles, alerts))
        })?;
        Ok(FleetView { region, vehicles, alerts })
    }

    /// One vehicle with its alerts, faults, workshop visits and weekly inspections, newest
    /// first; another region's is not found.
    pub fn vehicle_file(&self, viewer: &Viewer, id: Uuid) -> Result<VehicleFile, ServiceError> {
        let today = self.today();
        self.store.read(|tx| {
            let row = tx.row(&VEHICLES, id)?.filter(|r| r.state.deleted_at.is_none());
            let row = row
                .filter(|r| viewer.scope().is_none_or(|s| s == r.state.region))
                .ok_or_else(|| not_found("vehicle"))?;
            let region = row.state.region.clone();
            let vehicle = Record::from_fields(id, region.clone(), row.state.fields, None)
                .ok_or_else(|| not_found("vehicle"))?;
            let fleet = fleet(tx, Some(&region))?;
            let alerts = alerts::alerts(&fleet, today)
                .into_iter()
                .filter(|a| a.table == VEHICLES.name && a.id == id)
                .collect();
            let id_text = Value::String(id.to_string());
            let mut of_vehicle = |table, date: &str| -> Result<Vec<RowState>, ServiceError> {
                let mut rows: Vec<RowState> = live(tx, table, Some(&region))?
                    .into_iter()
                    .filter(|r| r.fields.get("vehicle_id") == Some(&id_text))
                    .collect();
                let key =
                    |r: &RowState| r.fields.get(date).and_then(Value::as_str).unwrap_or_default().to_string();
                rows.sort_by_key(|r| std::cmp::Reverse(key(r)));
                Ok(rows)
            };
            Ok(VehicleFile {
                alerts,
                faults: of_vehicle(&VEHICLE_FAULTS, "opened_date")?,
                visits: of_vehicle(&VEHICLE_SERVICE_VISITS, "start_date")?,
                inspections: of_vehicle(&VEHICLE_INSPECTIONS, "inspection_date")?,
                vehicle,
            })
        })
    }

    /// The puantaj cetveli of the region `viewer` asked for and may see, as the month's page
    /// shows it: the workbook's own table, in text.
    pub fn month_puantaj(
        &self,
        viewer: &Viewer,
        asked: Option<&str>,
        month: Month,
        lang: Lang,
    ) -> Result<(String, PuantajTable), ServiceError> {
        let region = viewer.region_shown(asked);
        let report = self.store.read(|tx| month_report(tx, &region, month, None))?;
        Ok((region, puantaj_table(&report, lang)))
    }

    /// A workbook of the month of the region `viewer` asked for and may see, the desktop's own;
    /// the download is audited.
    pub fn month_workbook(
        &self,
        viewer: &Viewer,
        asked: Option<&str>,
        month: Month,
        lang: Lang,
        book: Book,
    ) -> Result<Workbook, ServiceError> {
        let region = viewer.region_shown(asked);
        let region = region.as_str();
        let report = self.store.read(|tx| month_report(tx, region, month, None))?;
        let (bytes, prefix) = match book {
            Book::Month => (xlsx_bytes(&report, lang), "puantaj"),
            Book::Puantaj => (puantaj_xlsx_bytes(&report, lang), "puantaj-cetveli"),
        };
        let bytes = bytes.map_err(|e| ServiceError::internal(&e))?;
        // ASCII only: the name travels in a header.
        let region_part: String = region
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let file_name = format!("{prefix}-{region_part}-{month}.xlsx");
        self.audit(
            viewer,
            region,
            "report_downloaded",
            &file_name,
            format!("{} employees", report.employees.len()),
        )?;
        Ok(Workbook { file_name, bytes })
    }
}
