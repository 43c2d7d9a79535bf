//! The timesheet screen's totals: one employee's week or month under Labour Law 4857, each day's
//! flags in plain words, and an explanation of any day.

use chrono::{Datelike, Duration, NaiveDate};
use egui::{RichText, Ui};
use rainstaff_core::hours::Report;
use rainstaff_core::model::{Employee, Record};
use rainstaff_core::payroll::{Totals, employee_report, totals, week_start};
use rainstaff_core::time::{format_date, format_duration};

use crate::hours::shifts_for;
use crate::i18n::{Lang, Pick, weekday};
use crate::ui::ctx::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    Week,
    Month,
}

#[derive(Default)]
pub struct HoursPanel {
    pub period: Period,
    /// A day inside the period shown.
    pub anchor: Option<NaiveDate>,
    report: Option<Report>,
    pub totals: Option<Totals>,
    error: Option<String>,
    explain: Option<NaiveDate>,
    computed_for: Option<(uuid::Uuid, Period, NaiveDate)>,
}

fn month_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).unwrap_or(d);
    let next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    (first, next.map_or(d, |n| n - Duration::days(1)))
}

impl HoursPanel {
    /// The week or month shown: around the chosen day (the last saved shift's, or where the
    /// arrows went), else around `default` (today, or the list's first day).
    pub fn range(&self, default: NaiveDate) -> (NaiveDate, NaiveDate) {
        let anchor = self.anchor.unwrap_or(default);
        match self.period {
            Period::Week => (week_start(anchor), week_start(anchor) + Duration::days(6)),
            Period::Month => month_bounds(anchor),
        }
    }

    /// Forget what was computed, e.g. after the shifts changed.
    pub fn invalidate(&mut self) {
        self.computed_for = None;
    }

    fn compute(&mut self, ctx: &Ctx<'_>, employee: &Record<Employee>, default: NaiveDate) {
        let (from, to) = self.range(default);
        let key = (employee.id, self.period, from);
        if self.computed_for == Some(key) {
            return;
        }
        self.computed_for = Some(key);
        let calendar = ctx.store.calendar().unwrap_or_else(|_| rainstaff_core::hours::Calendar::builtin_tr());
        let shifts = ctx.store.shifts(&shifts_for(employee, from, to));
        match shifts.map_err(anyhow::Error::from).and_then(|s| Ok(employee_report(employee, &s, &calendar)?))
        {
            Ok(report) => {
                self.totals = Some(totals(&report, from, to));
                self.report = Some(report);
                self.error = None;
            }
            Err(e) => {
                self.report = None;
                self.totals = None;
                self.error = Some(e.to_string());
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, employee: &Record<Employee>, default: NaiveDate) {
        let lang = ctx.lang;
        self.compute(ctx, employee, default);
        let (from, to) = self.range(default);
        ui.horizontal(|ui| {
            ui.strong(format!("{} — {}", lang.t("Toplamlar", "Totals"), employee.data.full_name));
            let before = self.period;
            ui.selectable_value(&mut self.period, Period::Week, lang.t("Hafta", "Week"));
            ui.selectable_value(&mut self.period, Period::Month, lang.t("Ay", "Month"));
            let step = |d: NaiveDate, forward: bool, period: Period| match period {
                Period::Week => d + Duration::days(if forward { 7 } else { -7 }),
                Period::Month => {
                    let (first, last) = month_bounds(d);
                    if forward { last + Duration::days(1) } else { first - Duration::days(1) }
                }
            };
            if ui.button("<").on_hover_text(lang.t("Önceki", "Previous")).clicked() {
                self.anchor = Some(step(from, false, self.period));
            }
            ui.label(format!("{} – {}", format_date(from), format_date(to)));
            if ui.button(">").on_hover_text(lang.t("Sonraki", "Next")).clicked() {
                self.anchor = Some(step(from, true, self.period));
            }
            if before != self.period {
                self.explain = None;
            }
        });
        if let Some(e) = &self.error {
            super::form::error_line(ui, e);
        }
        if let Some(t) = &self.totals {
            totals_grid(ui, lang, t);
        }
        self.days(ui, lang, from, to);
    }

    fn days(&mut self, ui: &mut Ui, lang: Lang, from: NaiveDate, to: NaiveDate) {
        let Some(report) = &self.report else { return };
        let mut clicked = None;
        egui::Grid::new("hours_days").striped(true).show(ui, |ui| {
            for label in [
                lang.t("Gün", "Day"),
                lang.t("Çalışma", "Worked"),
                lang.t("Normal", "Normal"),
                lang.t("Fazla %50", "Overtime 50%"),
                lang.t("Gece", "Night"),
                lang.t("Uyarılar", "Flags"),
            ] {
                ui.strong(label);
            }
            ui.end_row();
            for d in report.days.iter().filter(|d| d.date >= from && d.date <= to) {
                let label = format!("{} {}", format_date(d.date), weekday(lang, d.date));
                if ui.link(label).on_hover_text(lang.t("Açıkla", "Explain")).clicked() {
                    clicked = Some(d.date);
                }
                ui.label(format_duration(i64::from(d.worked)));
                ui.label(format_duration(i64::from(d.normal)));
                ui.label(format_duration(i64::from(d.ot50)));
                ui.label(format_duration(i64::from(d.night)));
                let flags: Vec<&str> = d.flags.iter().map(|f| f.label(lang)).collect();
                ui.label(RichText::new(flags.join(", ")).color(super::form::ERROR_COLOR));
                ui.end_row();
            }
        });
        if clicked.is_some() {
            self.explain = clicked;
        }
        if let Some(date) = self.explain
            && let Some(lines) = report.explain(date, lang)
        {
            ui.group(|ui| {
                ui.strong(format!(
                    "{} {}",
                    format_date(date),
                    lang.t("nasıl hesaplandı", "— how it was computed")
                ));
                for line in lines {
                    ui.label(line);
                }
            });
        }
    }
}

fn totals_grid(ui: &mut Ui, lang: Lang, t: &Totals) {
    let d = |m: u32| format_duration(i64::from(m));
    egui::Grid::new("hours_totals").num_columns(6).show(ui, |ui| {
        ui.label(lang.t("Çalışma", "Worked"));
        ui.strong(d(t.worked));
        ui.label(lang.t("Normal", "Normal"));
        ui.strong(d(t.normal));
        ui.label(lang.t("Fazla sürelerle (%25)", "Extra time (25%)"));
        ui.strong(format!("{} ({} {})", d(t.extra25), d(t.extra25_payable), lang.t("ödenecek", "payable")));
        ui.end_row();
        ui.label(lang.t("Fazla çalışma (%50)", "Overtime (50%)"));
        ui.strong(format!("{} ({} {})", d(t.ot50), d(t.ot50_payable), lang.t("ödenecek", "payable")));
        ui.label(lang.t("Gece", "Night"));
        ui.strong(d(t.night));
        ui.label(lang.t("Bayram/tatil", "Holiday"));
        ui.strong(format!("{} ({} {})", d(t.holiday), t.holiday_units, lang.t("gün", "days")));
        ui.end_row();
        ui.label(lang.t("Hafta sonu", "Weekend"));
        ui.strong(d(t.weekend));
        ui.label(lang.t("Hafta tatili", "Rest day"));
        ui.strong(d(t.rest_day));
        ui.label(lang.t("Uyarılı gün", "Flagged days"));
        ui.strong(t.flagged_days.to_string());
        ui.end_row();
    });
}
