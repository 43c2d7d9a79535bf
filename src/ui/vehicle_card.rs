//! Araç kartı: one vehicle's whole history on one read-only screen (its km, oil, dates, weekly
//! inspections, faults and workshop visits with their costs), opened from the vehicle's form.
//! Each inspection, fault and visit links to its own record.

use egui::{RichText, Ui};
use rainstaff_core::checklist::Results;
use rainstaff_core::time::{format_date, parse_iso_date};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::fleet::VehicleCard;
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::{Ctx, Goto};

#[derive(Default)]
pub struct VehicleCardScreen {
    pub id: Option<Uuid>,
    pub card: Option<VehicleCard>,
    pub dirty: bool,
}

/// A field as the card shows it: dates as the office writes them, empty as a dash.
fn shown(fields: &Map<String, Value>, name: &str) -> String {
    match fields.get(name) {
        Some(Value::String(s)) => parse_iso_date(s).map(format_date).unwrap_or_else(|_| s.clone()),
        Some(Value::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    }
}

/// The items an inspection found not OK, with their notes.
fn not_ok(lang: Lang, inspection: &LocalRow) -> String {
    let found = Results::of_row(&inspection.fields).not_ok(lang);
    if found.is_empty() { lang.t("Hepsi tamam", "All OK").into() } else { found.join(", ") }
}

impl VehicleCardScreen {
    pub fn open(&mut self, id: Uuid) {
        self.id = Some(id);
        self.dirty = true;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.card = self
                .id
                .and_then(|id| ctx.store.vehicle_card(id).ok().flatten())
                .filter(|card| ctx.user.can_access(&card.vehicle.region));
            self.dirty = false;
        }
        let Some(card) = &self.card else {
            ui.label(lang.t("Araç bulunamadı", "No such vehicle"));
            return;
        };
        let v = &card.vehicle.fields;
        ui.heading(format!("{} · {}", lang.t("Araç kartı", "Vehicle card"), card.plate()));
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("vehicle_card").num_columns(2).striped(true).show(ui, |ui| {
                let interval = v.get("oil_interval_km").and_then(Value::as_i64);
                let next = v.get("oil_change_km").and_then(Value::as_i64).zip(interval).map(|(at, i)| at + i);
                let facts = [
                    (
                        lang.t("Marka / model", "Make / model"),
                        format!("{} {}", shown(v, "brand"), shown(v, "model")),
                    ),
                    (lang.t("Yıl", "Year"), shown(v, "year")),
                    ("Km", shown(v, "km")),
                    (
                        lang.t("Son yağ değişimi", "Last oil change"),
                        format!("{} · {} km", shown(v, "oil_change_date"), shown(v, "oil_change_km")),
                    ),
                    (
                        lang.t("Sonraki yağ değişimi", "Next oil change"),
                        next.map_or("—".into(), |km| format!("{km} km")),
                    ),
                    (lang.t("Muayene", "Inspection"), shown(v, "inspection_date")),
                    (lang.t("Sigorta", "Insurance"), shown(v, "insurance_date")),
                    (lang.t("Bakım", "Maintenance"), shown(v, "maintenance_date")),
                ];
                for (name, value) in facts {
                    ui.label(name);
                    ui.label(value);
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
            ui.heading(lang.t("Haftalık kontroller", "Weekly inspections"));
            links(ui, ctx, "card_inspections", "vehicle_inspections", &card.inspections, |r| {
                let driver =
                    r.fields.get("driver_id").and_then(Value::as_str).and_then(|d| card.drivers.get(d));
                vec![
                    shown(&r.fields, "inspection_date"),
                    format!("{} km", shown(&r.fields, "km")),
                    driver.cloned().unwrap_or_else(|| "—".into()),
                    not_ok(lang, r),
                ]
            });
            ui.add_space(8.0);
            ui.heading(lang.t("Arızalar", "Faults"));
            links(ui, ctx, "card_faults", "vehicle_faults", &card.faults, |r| {
                let status = if r.fields.get("status").and_then(Value::as_str) == Some("Kapali") {
                    lang.t("Kapalı", "Closed")
                } else {
                    lang.t("Açık", "Open")
                };
                vec![
                    shown(&r.fields, "title"),
                    shown(&r.fields, "opened_date"),
                    shown(&r.fields, "closed_date"),
                    status.into(),
                ]
            });
            ui.add_space(8.0);
            ui.heading(lang.t("Sanayi", "Workshop visits"));
            links(ui, ctx, "card_visits", "vehicle_service_visits", &card.visits, |r| {
                vec![
                    shown(&r.fields, "start_date"),
                    shown(&r.fields, "end_date"),
                    shown(&r.fields, "reason"),
                    shown(&r.fields, "cost"),
                ]
            });
            ui.label(
                RichText::new(format!("{}: {:.2}", lang.t("Toplam tutar", "Total cost"), card.total_cost()))
                    .strong(),
            );
        });
    }
}

/// Rows of a card's list, each opening its record when its first cell is clicked.
fn links(
    ui: &mut Ui,
    ctx: &Ctx<'_>,
    id: &str,
    table: &'static str,
    rows: &[LocalRow],
    cells: impl Fn(&LocalRow) -> Vec<String>,
) {
    if rows.is_empty() {
        ui.label(RichText::new(ctx.lang.t("Kayıt yok", "None")).weak());
        return;
    }
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for row in rows {
            let mut cells = cells(row).into_iter();
            if ui.link(cells.next().unwrap_or_default()).clicked() {
                ctx.goto(Goto::Record { table, id: row.id });
            }
            for cell in cells {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
}
