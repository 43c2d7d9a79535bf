//! The pages about the company's data: the dashboard, employees, vehicles and the month report.
//! Each takes a period (`month=YYYY-MM`, this month when absent) and, for an administrator, a
//! region (`region=`, every region when absent); a manager always sees their own region.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use minijinja::context;
use rainstaff_core::alerts::Alert;
use rainstaff_core::i18n::Lang;
use rainstaff_core::payroll::Totals;
use rainstaff_core::protocol::{ALL_REGIONS, RowState};
use rainstaff_core::regions::KNOWN;
use rainstaff_core::time::format_duration;
use rainstaff_report::Month;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::WebState;
use super::page::{Page, Refused};
use crate::error::ServiceError;
use crate::service::{Book, FleetView};
use crate::store::Store;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    month: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

impl Filter {
    /// The month asked for; this month (in Turkey, by `today`) when none was.
    fn month(&self, today: NaiveDate) -> Result<Month, ServiceError> {
        match self.month.as_deref().filter(|m| !m.is_empty()) {
            None => Ok(Month::of(today)),
            Some(text) => Month::parse(text).ok_or_else(|| {
                ServiceError::invalid("invalid_month", format!("month: {text} is not a month (YYYY-MM)"))
            }),
        }
    }
}

/// The filter bar's values and choices, for every page that has one.
fn filter_context(page: &Page, region: &str, month: Month) -> minijinja::Value {
    let regions: Vec<_> = KNOWN.iter().map(|(code, name)| context! { code => code, name => name }).collect();
    context! {
        month => month.to_string(),
        month_name => month.name(page.out.lang),
        region => region,
        regions => regions,
        all => ALL_REGIONS,
    }
}

/// The engine's figures of a period as the pages show them, each its own value.
#[derive(Serialize)]
struct Figures {
    worked: u32,
    normal: u32,
    ot50_payable: u32,
    extra25_payable: u32,
    night: u32,
    holiday: u32,
    holiday_units: String,
    flagged_days: u32,
}

impl From<&Totals> for Figures {
    fn from(t: &Totals) -> Self {
        Figures {
            worked: t.worked,
            normal: t.normal,
            ot50_payable: t.ot50_payable,
            extra25_payable: t.extra25_payable,
            night: t.night,
            holiday: t.holiday,
            holiday_units: format!("{:.1}", t.holiday_units),
            flagged_days: t.flagged_days,
        }
    }
}

#[derive(Serialize)]
struct AlertView {
    subject: String,
    message: String,
    /// The vehicle page the alert opens, when it is about a vehicle.
    vehicle: Option<String>,
}

fn alert_views(alerts: &[Alert], lang: Lang) -> Vec<AlertView> {
    alerts
        .iter()
        .map(|a| AlertView {
            subject: a.subject().to_string(),
            message: a.message(lang),
            vehicle: (a.table == "vehicles").then(|| a.id.to_string()),
        })
        .collect()
}

pub async fn dashboard<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let asked = filter.region.clone();
    let (overview, devices) = state
        .call(move |server| {
            Ok((server.overview(&viewer, asked.as_deref(), month)?, server.devices_for(&viewer)?))
        })
        .await
        .map_err(|e| page.error(&e))?;
    let region = overview.region.clone();
    let devices: Vec<_> = devices
        .into_iter()
        .filter(|d| region == ALL_REGIONS || d.device.region == region)
        .map(|d| {
            context! {
                name => d.device.name, region => d.device.region, revoked => d.device.revoked_at.is_some(),
                last_push_at => d.device.last_push_at, last_pull_at => d.device.last_pull_at, lag => d.lag,
            }
        })
        .collect();
    Ok(page.render(
        "dashboard.html",
        context! {
            filter => filter_context(&page, &region, month),
            employees => overview.employees,
            shifts => overview.shifts,
            vehicles => overview.vehicles,
            figures => Figures::from(&overview.totals),
            alerts => alert_views(&overview.alerts, page.out.lang),
            devices,
        },
    ))
}

pub async fn employees<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let asked = filter.region.clone();
    let (region, employees) = state
        .call(move |server| server.employees_in(&viewer, asked.as_deref()))
        .await
        .map_err(|e| page.error(&e))?;
    let employees: Vec<_> = employees
        .into_iter()
        .map(|e| {
            context! {
                id => e.id.to_string(), name => e.data.full_name, region => e.region,
                department => e.data.department, title => e.data.title, active => e.data.active,
            }
        })
        .collect();
    Ok(page.render("employees.html", context! { filter => filter_context(&page, &region, month), employees }))
}

fn record_id(page: &Page, id: &str) -> Result<Uuid, Refused> {
    Uuid::parse_str(id)
        .map_err(|_| page.error(&ServiceError::not_found("record_not_found", "no such record")).into())
}

pub async fn employee<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Path(id): Path<String>,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let id = record_id(&page, &id)?;
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let found = state
        .call(move |server| server.employee_month(&viewer, id, month))
        .await
        .map_err(|e| page.error(&e))?;
    let lang = page.out.lang;
    let days: Vec<_> = found
        .rows
        .iter()
        .map(|r| {
            let overnight = r.shift.ends_next_day();
            context! {
                date => r.date.to_string(),
                weekday => rainstaff_core::i18n::weekday(lang, r.date),
                start => r.shift.start_time, end => r.shift.end_time, overnight,
                break_minutes => r.shift.break_minutes, note => r.shift.note,
                day => r.day.as_ref().map(|d| context! {
                    worked => d.worked, normal => d.normal, ot50 => d.ot50, extra25 => d.extra25,
                    night => d.night, holiday => d.holiday,
                    flags => d.flags.iter().map(|f| f.label(lang)).collect::<Vec<_>>(),
                }),
            }
        })
        .collect();
    let employee = &found.employee;
    let weekly = format_duration(employee.data.weekly_minutes);
    let region = employee.region.clone();
    Ok(page.render(
        "employee.html",
        context! {
            filter => filter_context(&page, &region, month),
            id => employee.id.to_string(),
            name => employee.data.full_name, region, department => employee.data.department,
            title => employee.data.title, contract => employee.data.contract_kind, weekly,
            days, figures => Figures::from(&found.totals),
        },
    ))
}

pub async fn vehicles<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let asked = filter.region.clone();
    let FleetView { region, vehicles, alerts } = state
        .call(move |server| server.vehicles_in(&viewer, asked.as_deref()))
        .await
        .map_err(|e| page.error(&e))?;
    let vehicles: Vec<_> = vehicles
        .into_iter()
        .map(|v| {
            let alerts = alerts.iter().filter(|a| a.table == "vehicles" && a.id == v.id).count();
            context! {
                id => v.id.to_string(), plate => v.data.plate, region => v.region, brand => v.data.brand,
                model => v.data.model, km => v.data.km, inspection_date => v.data.inspection_date,
                insurance_date => v.data.insurance_date, alerts,
            }
        })
        .collect();
    Ok(page.render(
        "vehicles.html",
        context! {
            filter => filter_context(&page, &region, month),
            vehicles, alerts => alert_views(&alerts, page.out.lang),
        },
    ))
}

/// The fields `names` of each fleet row as text ("" when empty), by field name.
fn fields_as_text(rows: &[RowState], names: &[&'static str]) -> Vec<BTreeMap<&'static str, String>> {
    let text = |value: Option<&Value>| match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    rows.iter().map(|r| names.iter().map(|&n| (n, text(r.fields.get(n)))).collect()).collect()
}

pub async fn vehicle<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let id = record_id(&page, &id)?;
    let viewer = page.signed.viewer.clone();
    let file =
        state.call(move |server| server.vehicle_file(&viewer, id)).await.map_err(|e| page.error(&e))?;
    let v = &file.vehicle;
    let faults = fields_as_text(&file.faults, &["title", "opened_date", "closed_date", "status"]);
    let visits = fields_as_text(&file.visits, &["start_date", "end_date", "reason", "cost"]);
    let inspections = fields_as_text(&file.inspections, &["inspection_date", "km", "notes"]);
    Ok(page.render(
        "vehicle.html",
        context! {
            plate => v.data.plate, region => v.region, brand => v.data.brand, model => v.data.model,
            year => v.data.year, km => v.data.km, inspection_date => v.data.inspection_date,
            insurance_date => v.data.insurance_date, maintenance_date => v.data.maintenance_date,
            oil_change_date => v.data.oil_change_date, oil_change_km => v.data.oil_change_km,
            oil_interval_km => v.data.oil_interval_km, notes => v.data.notes,
            alerts => alert_views(&file.alerts, page.out.lang), faults, visits, inspections,
        },
    ))
}

pub async fn reports<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let region = page.signed.viewer.region_shown(filter.region.as_deref());
    Ok(page.render("reports.html", context! { filter => filter_context(&page, &region, month) }))
}

/// The month's puantaj cetveli, the workbook's own table: a row per person, a column per day in
/// the office's letters, then the days counted, premium and missing days, the hours; its legend.
pub async fn puantaj<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let lang = page.out.lang;
    let asked = filter.region.clone();
    let (region, table) = state
        .call(move |server| server.month_puantaj(&viewer, asked.as_deref(), month, lang))
        .await
        .map_err(|e| page.error(&e))?;
    let columns: Vec<_> =
        table.headers.iter().zip(&table.days).map(|(label, day)| context! { label, day }).collect();
    let legend: Vec<_> = table.legend.iter().map(|(letter, meaning)| context! { letter, meaning }).collect();
    Ok(page.render(
        "puantaj.html",
        context! {
            filter => filter_context(&page, &region, month),
            columns, rows => table.rows, days => table.days, legend,
        },
    ))
}

pub async fn download_month<S: Store>(
    state: State<WebState<S>>,
    page: Page,
    filter: Query<Filter>,
) -> Result<Response, Refused> {
    download(state, page, filter, Book::Month).await
}

pub async fn download_puantaj<S: Store>(
    state: State<WebState<S>>,
    page: Page,
    filter: Query<Filter>,
) -> Result<Response, Refused> {
    download(state, page, filter, Book::Puantaj).await
}

async fn download<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(filter): Query<Filter>,
    which: Book,
) -> Result<Response, Refused> {
    let month = filter.month(state.server.today()).map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let lang = page.out.lang;
    let asked = filter.region.clone();
    let book = state
        .call(move |server| server.month_workbook(&viewer, asked.as_deref(), month, lang, which))
        .await
        .map_err(|e| page.error(&e))?;
    let disposition = format!("attachment; filename=\"{}\"", book.file_name);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        book.bytes,
    )
        .into_response())
}
