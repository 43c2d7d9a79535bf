//! Vehicles: plates in the Turkish format, km that never silently goes down, and a list that
//! highlights inspection or insurance due within 30 days and oil changes due within 2 000 km.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::schema::VEHICLES;
use rainstaff_core::time::{format_date, parse_iso_date, parse_user_date};
use rainstaff_core::validate::{FieldError, Problem, normalize_plate};
use uuid::Uuid;

use crate::bus::Command;
use crate::db::edits::SaveOptions;
use crate::i18n::{Lang, Pick, field_label};
use crate::model::{DEFAULT_OIL_INTERVAL_KM, Record, Vehicle, fields_of};
use crate::ui::ctx::Ctx;
use crate::ui::form::{self, FormErrors};
use crate::ui::move_region::MoveDialog;
use crate::ui::widgets;

pub const DUE_DAYS: i64 = 30;
pub const OIL_WARNING_KM: i64 = 2_000;

/// What is due on a vehicle, in the words the list shows.
pub fn due(lang: Lang, v: &Vehicle, today: NaiveDate) -> Vec<String> {
    let mut notes = Vec::new();
    let soon = |d: &Option<String>| {
        d.as_deref().and_then(|d| parse_iso_date(d).ok()).filter(|d| (*d - today).num_days() <= DUE_DAYS)
    };
    if let Some(d) = soon(&v.inspection_date) {
        notes.push(format!("{} {}", lang.t("Muayene", "Inspection"), format_date(d)));
    }
    if let Some(d) = soon(&v.insurance_date) {
        notes.push(format!("{} {}", lang.t("Sigorta", "Insurance"), format_date(d)));
    }
    if let (Some(km), Some(last)) = (v.km, v.oil_change_km) {
        let left = last + v.oil_interval_km - km;
        if left <= OIL_WARNING_KM {
            notes.push(if left <= 0 {
                lang.t("Yağ değişimi geçti", "Oil change overdue").to_string()
            } else {
                format!("{} {left} km", lang.t("Yağ değişimine", "Oil change in"))
            });
        }
    }
    notes
}

#[derive(Default)]
pub struct VehiclesScreen {
    pub dirty: bool,
    list: Vec<Record<Vehicle>>,
    pub form: Option<VehicleForm>,
}

#[derive(Debug, Clone, Default)]
pub struct VehicleForm {
    pub id: Option<Uuid>,
    pub region: String,
    pub plate: String,
    pub brand: String,
    pub model: String,
    pub year: String,
    pub km: String,
    pub inspection_date: String,
    pub insurance_date: String,
    pub maintenance_date: String,
    pub oil_change_date: String,
    pub oil_change_km: String,
    pub oil_interval_km: String,
    pub notes: String,
    pub errors: FormErrors,
    /// Set after the "km is lower" warning: the next save confirms it.
    confirm_lower_km: bool,
    saving: bool,
    /// A new form puts the cursor in the plate (form::focus_once).
    focus: bool,
    pub moving: Option<MoveDialog>,
}

const DATE_FIELDS: [&str; 4] = ["inspection_date", "insurance_date", "maintenance_date", "oil_change_date"];

impl VehicleForm {
    fn new(region: String) -> Self {
        VehicleForm {
            region,
            oil_interval_km: DEFAULT_OIL_INTERVAL_KM.to_string(),
            focus: true,
            ..Default::default()
        }
    }

    fn edit(r: &Record<Vehicle>) -> Self {
        let v = &r.data;
        let date = |d: &Option<String>| {
            d.as_deref().and_then(|d| parse_iso_date(d).ok()).map(format_date).unwrap_or_default()
        };
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        VehicleForm {
            id: Some(r.id),
            region: r.region.clone(),
            plate: v.plate.clone(),
            brand: v.brand.clone().unwrap_or_default(),
            model: v.model.clone().unwrap_or_default(),
            year: num(v.year),
            km: num(v.km),
            inspection_date: date(&v.inspection_date),
            insurance_date: date(&v.insurance_date),
            maintenance_date: date(&v.maintenance_date),
            oil_change_date: date(&v.oil_change_date),
            oil_change_km: num(v.oil_change_km),
            oil_interval_km: v.oil_interval_km.to_string(),
            notes: v.notes.clone().unwrap_or_default(),
            ..Default::default()
        }
    }

    fn date_mut(&mut self, field: &str) -> &mut String {
        match field {
            "inspection_date" => &mut self.inspection_date,
            "insurance_date" => &mut self.insurance_date,
            "maintenance_date" => &mut self.maintenance_date,
            _ => &mut self.oil_change_date,
        }
    }

    fn to_vehicle(&self) -> Result<Vehicle, FormErrors> {
        let mut errors = FormErrors::default();
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let mut number = |field: &str, s: &str| match s.trim() {
            "" => None,
            s => s
                .replace('.', "")
                .parse::<i64>()
                .map_err(|_| errors.push(field, Problem::ExpectedInteger))
                .ok(),
        };
        let year = number("year", &self.year);
        let km = number("km", &self.km);
        let oil_change_km = number("oil_change_km", &self.oil_change_km);
        let oil_interval_km =
            number("oil_interval_km", &self.oil_interval_km).unwrap_or(DEFAULT_OIL_INTERVAL_KM);
        let mut date = |field: &str, s: &str| match s.trim() {
            "" => None,
            s => parse_user_date(s).map(|d| d.to_string()).map_err(|p| errors.push(field, p)).ok(),
        };
        let dates: Vec<Option<String>> = DATE_FIELDS
            .iter()
            .zip([&self.inspection_date, &self.insurance_date, &self.maintenance_date, &self.oil_change_date])
            .map(|(f, v)| date(f, v))
            .collect();
        let plate = match normalize_plate(&self.plate) {
            Some(p) => p,
            None => {
                errors.push(
                    "plate",
                    if self.plate.trim().is_empty() { Problem::Required } else { Problem::Plate },
                );
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Vehicle {
            plate,
            brand: text(&self.brand),
            model: text(&self.model),
            year,
            km,
            inspection_date: dates[0].clone(),
            insurance_date: dates[1].clone(),
            maintenance_date: dates[2].clone(),
            oil_change_date: dates[3].clone(),
            oil_change_km,
            oil_interval_km,
            notes: text(&self.notes),
        })
    }
}

impl VehiclesScreen {
    pub fn saved(&mut self, table: &str, id: Uuid) {
        if table != VEHICLES.name {
            return;
        }
        if let Some(form) = &mut self.form
            && let Some(moved) = form.moving.take_if(|m| m.id() == id)
        {
            // The form stays open on what was being typed, now in the new region.
            form.region = moved.to().unwrap_or(&form.region).to_string();
        } else if self.form.as_ref().is_some_and(|f| f.saving) {
            self.form = None;
        }
    }

    pub fn invalid(&mut self, table: &str, errors: &[FieldError]) {
        if table == VEHICLES.name
            && let Some(form) = &mut self.form
        {
            if let Some(moving) = &mut form.moving {
                moving.invalid(errors);
                return;
            }
            form.confirm_lower_km = errors.iter().any(|e| e.problem == Problem::KmLower);
            form.errors = FormErrors(errors.to_vec());
            form.saving = false;
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.list = ctx.store.vehicles(&ctx.user.region).unwrap_or_default();
            self.dirty = false;
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N)) {
            self.form = Some(VehicleForm::new(ctx.scope.default_region()));
        }
        ui.horizontal(|ui| {
            ui.heading(lang.t("Araçlar", "Vehicles"));
            if ui.button(lang.t("Yeni araç", "New vehicle")).clicked() {
                self.form = Some(VehicleForm::new(ctx.scope.default_region()));
            }
        });
        if self.form.is_some() {
            egui::Panel::right("vehicle_form").min_size(360.0).show(ui, |ui| self.form_ui(ui, ctx));
        }
        let mut clicked = None;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(110.0))
            .columns(Column::auto().at_least(80.0), 4)
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::remainder().at_least(200.0))
            .header(22.0, |mut header| {
                for f in ["plate", "brand", "model", "year", "km", "inspection_date", "insurance_date"] {
                    header.col(|ui| {
                        ui.strong(field_label(lang, f));
                    });
                }
                header.col(|ui| {
                    ui.strong(lang.t("Uyarılar", "Due"));
                });
            })
            .body(|body| {
                body.rows(22.0, self.list.len(), |mut row| {
                    let index = row.index();
                    let v = &self.list[index];
                    let warnings = due(lang, &v.data, ctx.today);
                    row.col(|ui| {
                        let mut text = RichText::new(&v.data.plate).monospace();
                        if v.sync_error.is_some() {
                            text = text.color(form::ERROR_COLOR);
                        }
                        if ui.add(egui::Label::new(text).sense(egui::Sense::click())).clicked() {
                            clicked = Some(index);
                        }
                    });
                    for value in [
                        v.data.brand.clone().unwrap_or_default(),
                        v.data.model.clone().unwrap_or_default(),
                        v.data.year.map(|y| y.to_string()).unwrap_or_default(),
                        v.data.km.map(|k| k.to_string()).unwrap_or_default(),
                    ] {
                        row.col(|ui| {
                            ui.label(value);
                        });
                    }
                    for d in [&v.data.inspection_date, &v.data.insurance_date] {
                        row.col(|ui| {
                            ui.label(
                                d.as_deref()
                                    .and_then(|d| parse_iso_date(d).ok())
                                    .map(format_date)
                                    .unwrap_or_default(),
                            );
                        });
                    }
                    row.col(|ui| {
                        if !warnings.is_empty() {
                            ui.label(
                                RichText::new(warnings.join(" · "))
                                    .color(Color32::from_rgb(0xd0, 0x80, 0x00))
                                    .strong(),
                            );
                        }
                    });
                });
            });
        if let Some(i) = clicked {
            self.form = Some(VehicleForm::edit(&self.list[i]));
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let list = &self.list;
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_some() {
            lang.t("Aracı düzenle", "Edit vehicle")
        } else {
            lang.t("Yeni araç", "New vehicle")
        });
        let errors = form.errors.clone();
        let e = |f: &str| errors.message(f, lang);
        let l = |f: &str| field_label(lang, f);
        egui::Grid::new("vehicle_grid").num_columns(2).show(ui, |ui| {
            let plate = form::text(ui, l("plate"), &mut form.plate, e("plate"));
            form::focus_once(&plate, &mut form.focus);
            form::row(ui, l("region"), e("region"), |ui| {
                ui.horizontal(|ui| {
                    let region = widgets::region_combo(ui, ctx, &mut form.region, form.id.is_none());
                    // The dialog names the vehicle as it is stored, whatever the form holds now.
                    if let Some(stored) = form.id.and_then(|id| list.iter().find(|v| v.id == id))
                        && super::move_region::offer(ui, ctx)
                    {
                        let plate = &stored.data.plate;
                        form.moving = Some(MoveDialog::new(&VEHICLES, stored.id, plate, &stored.region, 0));
                    }
                    region
                })
                .inner
            });
            form::text(ui, l("brand"), &mut form.brand, e("brand"));
            form::text(ui, l("model"), &mut form.model, e("model"));
            form::text(ui, l("year"), &mut form.year, e("year"));
            form::text(ui, l("km"), &mut form.km, e("km"));
            for f in DATE_FIELDS {
                form::date(ui, l(f), form.date_mut(f), e(f), ctx.today);
            }
            form::text(ui, l("oil_change_km"), &mut form.oil_change_km, e("oil_change_km"));
            form::text(ui, l("oil_interval_km"), &mut form.oil_interval_km, e("oil_interval_km"));
            form::text(ui, l("notes"), &mut form.notes, e("notes"));
        });
        let label = if form.confirm_lower_km {
            lang.t("Yine de kaydet", "Save anyway")
        } else {
            lang.t("Kaydet", "Save")
        };
        let actions = form::actions(ui, lang, label, form.id.is_some());
        if actions.delete
            && let Some(id) = form.id
        {
            ctx.send(Command::Delete { table: &VEHICLES, id });
            form.saving = true;
        }
        if let Some(moving) = &mut form.moving
            && !moving.ui(ui, ctx)
        {
            form.moving = None;
        }
        if actions.cancel {
            self.form = None;
            return;
        }
        if actions.save {
            match form.to_vehicle() {
                Err(errors) => form.errors = errors,
                Ok(vehicle) => {
                    form.saving = true;
                    ctx.send(Command::Save {
                        table: &VEHICLES,
                        id: form.id,
                        region: form.region.clone(),
                        fields: fields_of(&vehicle),
                        options: SaveOptions { confirm_lower_km: form.confirm_lower_km },
                    });
                }
            }
        }
    }
}
