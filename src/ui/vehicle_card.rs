//! Araç kartı: one vehicle's whole history on one read-only screen (its km, oil, dates, weekly
//! inspections, faults and workshop visits with their costs), opened from the vehicle's form.
//! Each inspection, fault and visit links to its own record; the card and any week's report are
//! written as workbooks from here.

use std::path::PathBuf;

use egui::{RichText, Ui};
use rainstaff_core::checklist::Results;
use rainstaff_core::time::{format_date, parse_iso_date, parse_user_date};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::bus::Command;
use crate::db::fleet::VehicleCard;
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::report::{VehicleExport, VehicleSheet};
use crate::ui::ctx::{Ctx, Goto};

#[derive(Default)]
pub struct VehicleCardScreen {
    pub id: Option<Uuid>,
    pub card: Option<VehicleCard>,
    pub dirty: bool,
    /// Where a workbook goes: a full path, typed or chosen.
    pub path: String,
    /// A day of the week whose report is written, as typed (today when empty).
    pub week: String,
    /// A workbook is being written; the next ReportDone or report failure is its.
    pub exporting: bool,
    /// What became of the last workbook: (is_error, text).
    pub outcome: Option<(bool, String)>,
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

    pub fn finished(&mut self, path: &std::path::Path) {
        self.exporting = false;
        self.outcome = Some((false, path.display().to_string()));
    }

    pub fn failed(&mut self, message: &str) {
        self.exporting = false;
        self.outcome = Some((true, message.to_string()));
    }

    /// The workbooks of the card: the card itself, and the weekly report of a week.
    fn export_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let Some(card) = &self.card else { return };
        ui.horizontal(|ui| {
            let l = ui.label(lang.t("Dosya", "File"));
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(320.0)).labelled_by(l.id);
            if ui.button(lang.t("Farklı kaydet…", "Save as…")).clicked()
                && let Some(path) = rfd::FileDialog::new()
                    .add_filter("xlsx", &["xlsx"])
                    .set_file_name(format!("{}.xlsx", card.plate().replace(' ', "")))
                    .save_file()
            {
                self.path = path.display().to_string();
            }
        });
        let mut what = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !self.exporting,
                    egui::Button::new(lang.t("Araç kartı (Excel)", "Vehicle card (Excel)")),
                )
                .clicked()
            {
                what = Some(VehicleSheet::Card);
            }
            let l = ui.label(lang.t("Hafta", "Week"));
            ui.add(egui::TextEdit::singleline(&mut self.week).desired_width(100.0).hint_text("GG.AA.YYYY"))
                .labelled_by(l.id);
            if ui
                .add_enabled(
                    !self.exporting,
                    egui::Button::new(lang.t("Haftalık rapor (Excel)", "Weekly report (Excel)")),
                )
                .clicked()
            {
                match self.week.trim() {
                    "" => what = Some(VehicleSheet::Week(ctx.today)),
                    typed => match parse_user_date(typed) {
                        Ok(day) => what = Some(VehicleSheet::Week(day)),
                        Err(p) => {
                            self.outcome =
                                Some((true, format!("{}: {}", lang.t("Hafta", "Week"), p.message(lang))))
                        }
                    },
                }
            }
        });
        if let Some(what) = what {
            let out = PathBuf::from(self.path.trim());
            // A relative path would land wherever the program happened to start.
            if !out.is_absolute() {
                self.outcome = Some((
                    true,
                    lang.t(
                        "Dosyanın tam yolunu yazın ya da “Farklı kaydet…” ile seçin",
                        "Type the file's full path or choose it with “Save as…”",
                    )
                    .into(),
                ));
            } else {
                let request = VehicleExport { vehicle: card.vehicle.id, what, lang, out };
                ctx.send(Command::ExportVehicle { request, region: card.vehicle.region.clone() });
                self.exporting = true;
                self.outcome = None;
            }
        }
        match &self.outcome {
            Some((true, text)) => crate::ui::form::error_line(ui, text),
            Some((false, path)) => {
                ui.label(format!("{}: {path}", lang.t("Kaydedildi", "Saved")));
            }
            None => {}
        }
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
        if self.card.is_none() {
            ui.label(lang.t("Araç bulunamadı", "No such vehicle"));
            return;
        }
        self.export_ui(ui, ctx);
        let Some(card) = &self.card else { return };
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
