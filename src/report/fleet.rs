//! A vehicle's workbooks: its card (the vehicle, its inspections, faults and workshop visits with
//! their costs) and its weekly report (the week's inspection item by item beside the week
//! before's, and what changed), written with the payroll workbook's sheet layout.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use chrono::{Duration, NaiveDate};
use rainstaff_core::checklist::{ITEMS, Results, trends};
use rainstaff_core::time::{format_date, parse_iso_date};
use rainstaff_report::cells::{Cell, Column, col, total_label};
use rainstaff_report::layout::{FIRST_DATA_ROW, Formats, heading, put_row, table_header};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::Store;
use crate::db::fleet::VehicleCard;
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VehicleSheet {
    Card,
    /// The weekly report of the ISO week this day is in.
    Week(NaiveDate),
}

/// A vehicle workbook to write.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleExport {
    pub vehicle: Uuid,
    pub what: VehicleSheet,
    pub lang: Lang,
    pub out: PathBuf,
}

/// Writes the workbook of a vehicle the store holds; returns the file written.
pub fn export_vehicle(store: &Store, request: &VehicleExport) -> anyhow::Result<PathBuf> {
    let card = store.vehicle_card(request.vehicle)?.ok_or_else(|| anyhow!("no such vehicle"))?;
    let out = &request.out;
    match request.what {
        VehicleSheet::Card => write_card(&card, request.lang, out),
        VehicleSheet::Week(day) => write_week(&card, day, request.lang, out),
    }
    .with_context(|| out.display().to_string())?;
    Ok(out.clone())
}

fn date(fields: &Map<String, Value>, name: &str) -> Cell {
    fields
        .get(name)
        .and_then(Value::as_str)
        .and_then(|d| parse_iso_date(d).ok())
        .map_or(Cell::Empty, Cell::Date)
}

fn text(fields: &Map<String, Value>, name: &str) -> Cell {
    match fields.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Cell::Text(s.clone()),
        _ => Cell::Empty,
    }
}

fn number(fields: &Map<String, Value>, name: &str) -> Cell {
    fields.get(name).and_then(Value::as_f64).map_or(Cell::Empty, Cell::Amount)
}

fn write_card(card: &VehicleCard, lang: Lang, out: &Path) -> anyhow::Result<()> {
    let (rows, totals) = (Formats::new(false), Formats::new(true));
    let mut workbook = Workbook::new();
    let title = format!("{} — {}", lang.t("Araç kartı", "Vehicle card"), card.plate());
    let v = &card.vehicle.fields;

    let sheet = workbook.add_worksheet().set_name(lang.t("Araç", "Vehicle"))?;
    let region = rainstaff_core::regions::display_name(&card.vehicle.region);
    heading(sheet, &title, &format!("{}: {region}", lang.t("Bölge", "Region")), &rows)?;
    let facts = [
        ("plate", text(v, "plate")),
        ("brand", text(v, "brand")),
        ("model", text(v, "model")),
        ("year", number(v, "year")),
        ("km", number(v, "km")),
        ("oil_change_date", date(v, "oil_change_date")),
        ("oil_change_km", number(v, "oil_change_km")),
        ("oil_interval_km", number(v, "oil_interval_km")),
        ("inspection_date", date(v, "inspection_date")),
        ("insurance_date", date(v, "insurance_date")),
        ("maintenance_date", date(v, "maintenance_date")),
        ("notes", text(v, "notes")),
    ];
    let columns = [col(lang.t("Alan", "Field"), 24.0), col(lang.t("Değer", "Value"), 30.0)];
    table_header(sheet, &columns, &rows)?;
    for (i, (field, value)) in facts.into_iter().enumerate() {
        let label = rainstaff_core::schema::VEHICLES.field(field).map_or(field, |f| f.label.get(lang));
        put_row(sheet, FIRST_DATA_ROW + i as u32, &[Cell::Text(label.into()), value], &rows)?;
    }

    let sheet = workbook.add_worksheet().set_name(lang.t("Kontroller", "Inspections"))?;
    let columns = [
        col(lang.t("Tarih", "Date"), 12.0),
        col("Km", 10.0),
        col(lang.t("Sürücü", "Driver"), 22.0),
        col(lang.t("Olumsuz maddeler", "Items not OK"), 50.0),
    ];
    list(sheet, &title, &columns, &card.inspections, &rows, |r| {
        let driver = r.fields.get("driver_id").and_then(Value::as_str).and_then(|d| card.drivers.get(d));
        vec![
            date(&r.fields, "inspection_date"),
            number(&r.fields, "km"),
            driver.map_or(Cell::Empty, |d| Cell::Text(d.clone())),
            Cell::Text(Results::of_row(&r.fields).not_ok(lang).join(", ")),
        ]
    })?;

    let sheet = workbook.add_worksheet().set_name(lang.t("Arızalar", "Faults"))?;
    let columns = [
        col(lang.t("Arıza", "Fault"), 30.0),
        col(lang.t("Açılış", "Opened"), 12.0),
        col(lang.t("Kapanış", "Closed"), 12.0),
        col(lang.t("Durum", "Status"), 10.0),
    ];
    list(sheet, &title, &columns, &card.faults, &rows, |r| {
        let closed = r.fields.get("status").and_then(Value::as_str) == Some("Kapali");
        let status = if closed { lang.t("Kapalı", "Closed") } else { lang.t("Açık", "Open") };
        vec![
            text(&r.fields, "title"),
            date(&r.fields, "opened_date"),
            date(&r.fields, "closed_date"),
            Cell::Text(status.into()),
        ]
    })?;

    let sheet = workbook.add_worksheet().set_name(lang.t("Sanayi", "Workshop"))?;
    let columns = [
        col(lang.t("Başlangıç", "Start"), 12.0),
        col(lang.t("Bitiş", "End"), 12.0),
        col(lang.t("Neden", "Reason"), 30.0),
        col(lang.t("Tutar", "Cost"), 12.0),
    ];
    let last = list(sheet, &title, &columns, &card.visits, &rows, |r| {
        vec![
            date(&r.fields, "start_date"),
            date(&r.fields, "end_date"),
            text(&r.fields, "reason"),
            number(&r.fields, "cost"),
        ]
    })?;
    let total =
        [Cell::Text(total_label(lang).into()), Cell::Empty, Cell::Empty, Cell::Amount(card.total_cost())];
    put_row(sheet, last, &total, &totals)?;
    workbook.save(out)?;
    Ok(())
}

/// A sheet of one row per record; returns the row after the last.
fn list(
    sheet: &mut Worksheet,
    title: &str,
    columns: &[Column],
    records: &[LocalRow],
    f: &Formats,
    cells: impl Fn(&LocalRow) -> Vec<Cell>,
) -> Result<u32, XlsxError> {
    heading(sheet, title, "", f)?;
    table_header(sheet, columns, f)?;
    let mut row = FIRST_DATA_ROW;
    for record in records {
        put_row(sheet, row, &cells(record), f)?;
        row += 1;
    }
    Ok(row)
}

fn write_week(card: &VehicleCard, day: NaiveDate, lang: Lang, out: &Path) -> anyhow::Result<()> {
    let rows = Formats::new(false);
    let monday = day.week(chrono::Weekday::Mon).first_day();
    let sunday = monday + Duration::days(6);
    let dated = |r: &LocalRow| {
        r.fields.get("inspection_date").and_then(Value::as_str).and_then(|d| parse_iso_date(d).ok())
    };
    // Newest first: the week's latest inspection, and the latest before the week began.
    let this = card.inspections.iter().find(|r| dated(r).is_some_and(|d| (monday..=sunday).contains(&d)));
    let before = card.inspections.iter().find(|r| dated(r).is_some_and(|d| d < monday));
    let (now, then) = (this.map(|r| Results::of_row(&r.fields)), before.map(|r| Results::of_row(&r.fields)));

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name(lang.t("Haftalık rapor", "Weekly report"))?;
    let week = format!(
        "{} {} ({}–{})",
        lang.t("Hafta", "Week"),
        chrono::Datelike::iso_week(&monday).week(),
        format_date(monday),
        format_date(sunday)
    );
    let title =
        format!("{} — {} — {week}", card.plate(), lang.t("Haftalık araç raporu", "Weekly vehicle report"));
    let seen = |r: Option<&LocalRow>, none: &str| match r {
        Some(r) => {
            let driver = r.fields.get("driver_id").and_then(Value::as_str).and_then(|d| card.drivers.get(d));
            let km =
                r.fields.get("km").and_then(Value::as_i64).map_or(String::new(), |km| format!(" · {km} km"));
            let driver = driver.map_or(String::new(), |d| format!(" · {d}"));
            format!("{}{km}{driver}", dated(r).map(format_date).unwrap_or_default())
        }
        None => none.to_string(),
    };
    let context = format!(
        "{}: {} · {}: {}",
        lang.t("Bu hafta", "This week"),
        seen(this, lang.t("kontrol yok", "no inspection")),
        lang.t("Önceki", "Before"),
        seen(before, lang.t("kontrol yok", "no inspection")),
    );
    heading(sheet, &title, &context, &rows)?;
    let columns = [
        col(lang.t("Madde", "Item"), 24.0),
        col(lang.t("Bu hafta", "This week"), 12.0),
        col(lang.t("Not", "Note"), 30.0),
        col(lang.t("Önceki", "Before"), 12.0),
        col(lang.t("Değişim", "Change"), 14.0),
    ];
    table_header(sheet, &columns, &rows)?;
    let changes = match (&then, &now) {
        (Some(then), Some(now)) => trends(then, now),
        _ => Vec::new(),
    };
    for (i, item) in ITEMS.into_iter().enumerate() {
        let state = |r: &Option<Results>| r.as_ref().map_or("—", |r| r.state(item, lang));
        let note = now.as_ref().and_then(|r| r.get(item)).and_then(|r| r.note.clone());
        let change = changes.iter().find(|(i, _)| *i == item).map(|(_, t)| t.label(lang));
        let cells = [
            Cell::Text(item.label().get(lang).into()),
            Cell::Text(state(&now).into()),
            note.map_or(Cell::Empty, Cell::Text),
            Cell::Text(state(&then).into()),
            change.map_or(Cell::Empty, |c| Cell::Text(c.into())),
        ];
        put_row(sheet, FIRST_DATA_ROW + i as u32, &cells, &rows)?;
    }
    workbook.save(out)?;
    Ok(())
}
