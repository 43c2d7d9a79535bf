//! The holiday calendar, for administrators: the built-in TR years, the days added here, adding
//! a company day or next year's religious holidays, and a warning while next year is estimated.

use chrono::{Datelike, NaiveDate};
use egui::{RichText, Ui};
use rainstaff_core::hours::{Calendar, HolidayDay, HolidayKind};
use rainstaff_core::time::{format_date, parse_user_date};
use rainstaff_core::validate::{FieldError, Problem};

use crate::bus::Command;
use crate::i18n::{Pick, weekday};
use crate::message::field_text;
use crate::ui::ctx::Ctx;
use crate::ui::form;

#[derive(Default)]
pub struct HolidaysScreen {
    pub dirty: bool,
    calendar: Option<Calendar>,
    added: Vec<HolidayDay>,
    year: Option<i32>,
    date: String,
    name: String,
    half_day: bool,
    error: Option<String>,
    /// The added day the remove dialog asks about: (date, name).
    removing: Option<(NaiveDate, String)>,
}

impl HolidaysScreen {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty || self.calendar.is_none() {
            self.calendar = ctx.store.calendar().ok();
            self.added = ctx.store.added_holidays().unwrap_or_default();
            self.dirty = false;
        }
        let Some(calendar) = &self.calendar else { return };
        let next_year = ctx.today.year() + 1;
        ui.heading(lang.t("Tatil takvimi", "Holiday calendar"));
        if calendar.is_provisional(next_year) || !calendar.years().contains(&next_year) {
            form::error_line(
                ui,
                &format!(
                    "{next_year}: {}",
                    lang.t(
                        "dini bayram tarihleri henüz tahmini; resmi takvim çıkınca girin",
                        "the religious holiday dates are still estimates; enter them once the official calendar is out"
                    )
                ),
            );
        }
        let year = *self.year.get_or_insert(ctx.today.year());
        ui.horizontal(|ui| {
            for y in calendar.years() {
                let label = if calendar.is_provisional(y) { format!("{y}*") } else { y.to_string() };
                if ui.selectable_label(y == year, label).clicked() {
                    self.year = Some(y);
                }
            }
        });
        egui::Grid::new("holiday_days").striped(true).show(ui, |ui| {
            for day in calendar.days_in(year) {
                ui.label(format_date(day.date));
                ui.label(weekday(lang, day.date));
                ui.label(&day.name);
                ui.label(match day.kind {
                    HolidayKind::Full => lang.t("Tam gün", "Full day"),
                    HolidayKind::Half => lang.t("Yarım gün (13:00'ten)", "Half day (from 13:00)"),
                });
                if self.added.iter().any(|a| a.date == day.date) {
                    if ui.button(lang.t("Kaldır", "Remove")).clicked() {
                        self.removing = Some((day.date, day.name.clone()));
                    }
                } else {
                    ui.label(RichText::new(lang.t("yerleşik", "built-in")).weak());
                }
                ui.end_row();
            }
        });
        if let Some((date, name)) = &self.removing {
            let what = format!("{} · {name}", format_date(*date));
            if let Some(confirmed) = form::confirm_delete(ui, lang, &what, &[]) {
                if confirmed {
                    ctx.send(Command::RemoveHoliday { date: *date });
                }
                self.removing = None;
            }
        }
        ui.separator();
        ui.strong(lang.t("Gün ekle", "Add a day"));
        egui::Grid::new("holiday_add").num_columns(2).show(ui, |ui| {
            form::date(ui, lang, lang.t("Tarih", "Date"), &mut self.date, None, ctx.today);
            form::text(ui, lang.t("Ad", "Name"), &mut self.name, None);
            form::row(ui, lang.t("Yarım gün", "Half day"), None, |ui| ui.checkbox(&mut self.half_day, ""));
        });
        if ui.button(lang.t("Ekle", "Add")).clicked() {
            match (parse_user_date(&self.date), self.name.trim()) {
                (Err(p), _) => self.error = Some(format!("{}: {}", lang.t("Tarih", "Date"), p.message(lang))),
                (_, "") => {
                    self.error = Some(field_text(lang, &FieldError::new("name", Problem::Required)));
                }
                (Ok(date), name) => {
                    self.error = None;
                    let kind = if self.half_day { HolidayKind::Half } else { HolidayKind::Full };
                    ctx.send(Command::AddHoliday { day: HolidayDay::new(date, kind, name) });
                    self.year = Some(date.year());
                    self.date.clear();
                    self.name.clear();
                }
            }
        }
        if let Some(e) = &self.error {
            form::error_line(ui, e);
        }
    }
}
