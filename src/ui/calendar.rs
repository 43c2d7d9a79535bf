//! The calendar beside a date field, in the language of the rest of the window. egui_extras'
//! picker prints English month and weekday names inside a Turkish form, so the app draws its own:
//! a month at a time, Monday first, the chosen day marked, a click on a day fills the field.

use chrono::{Datelike, Days, NaiveDate};
use egui::{Popup, PopupCloseBehavior, RichText, Ui};
use rainstaff_core::i18n::{Lang, weekday};
use rainstaff_report::Month;

use crate::i18n::Pick;

/// The calendar button for the field labelled `label`; returns the day picked, if one was.
pub fn button(ui: &mut Ui, lang: Lang, label: &str, current: NaiveDate) -> Option<NaiveDate> {
    // A word, not an icon: every font the window may run with has its letters.
    let response = ui.button(lang.t("Takvim", "Calendar")).on_hover_text(label.to_string());
    let shown_id = response.id.with("shown_month");
    if response.clicked() {
        ui.data_mut(|d| d.insert_temp(shown_id, Month::of(current)));
    }
    let mut picked = None;
    Popup::from_toggle_button_response(&response)
        .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            let mut shown = ui.data(|d| d.get_temp(shown_id)).unwrap_or(Month::of(current));
            ui.horizontal(|ui| {
                if ui.button("‹").on_hover_text(lang.t("Önceki ay", "Previous month")).clicked() {
                    shown = shown.previous();
                }
                ui.label(RichText::new(shown.name(lang)).strong());
                if ui.button("›").on_hover_text(lang.t("Sonraki ay", "Next month")).clicked() {
                    shown = shown.next();
                }
            });
            picked = month_grid(ui, lang, shown, current);
            ui.data_mut(|d| d.insert_temp(shown_id, shown));
            if picked.is_some() {
                ui.close();
            }
        });
    picked
}

/// The days of `month` under the weekday names, Monday first; `current` is marked.
fn month_grid(ui: &mut Ui, lang: Lang, month: Month, current: NaiveDate) -> Option<NaiveDate> {
    let first = month.first();
    let monday = first - Days::new(u64::from(first.weekday().num_days_from_monday()));
    let mut picked = None;
    egui::Grid::new(("calendar_grid", month.to_string())).spacing([2.0, 2.0]).show(ui, |ui| {
        for day in monday.iter_days().take(7) {
            ui.label(RichText::new(weekday(lang, day)).small());
        }
        ui.end_row();
        let mut day = monday;
        while day <= month.last() {
            for _ in 0..7 {
                if day.month() == first.month() {
                    let text = RichText::new(format!("{:>2}", day.day())).monospace();
                    if ui.selectable_label(day == current, text).clicked() {
                        picked = Some(day);
                    }
                } else {
                    ui.label("");
                }
                day = day.succ_opt().unwrap_or(day);
            }
            ui.end_row();
        }
    });
    picked
}
