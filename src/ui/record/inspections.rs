//! Weekly inspections: a record screen whose `results` field is the nine-item checklist of
//! `rainstaff_core::checklist`, one OK / not OK toggle and a note per item, with the ISO week the
//! inspection date falls in (a vehicle has one inspection a week: the store's rule).

use chrono::{Datelike, Duration, NaiveDate};
use egui::{RichText, Ui};
use rainstaff_core::checklist::{ITEMS, ItemResult, Results};
use rainstaff_core::schema::{TableSpec, VEHICLE_INSPECTIONS};
use rainstaff_core::time::{format_date, parse_iso_date, parse_user_date};

use super::entry::{Entry, Hooks, Notes, PLAIN, label};
use super::form::{Input, RecordForm};
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::ui::form as fields;

/// A new inspection starts with every item OK: the office marks what it finds wrong.
const ALL_OK: &str = r#"[{"item":"body_dent","ok":true,"note":null},{"item":"paint_damage","ok":true,"note":null},{"item":"interior_clean","ok":true,"note":null},{"item":"smoke_smell","ok":true,"note":null},{"item":"tire_condition","ok":true,"note":null},{"item":"lights","ok":true,"note":null},{"item":"glass","ok":true,"note":null},{"item":"warning_lamps","ok":true,"note":null},{"item":"water_level","ok":true,"note":null}]"#;

pub const SCREEN: Entry = Entry {
    table: &VEHICLE_INSPECTIONS,
    tab: label("Haftalık kontrol", "Weekly inspection"),
    new: label("Yeni kontrol", "New inspection"),
    edit: label("Kontrolü düzenle", "Edit inspection"),
    hooks: Hooks {
        defaults: &[("results", ALL_OK)],
        notes: Some(Notes { heading: label("Hafta", "Week"), of: week_row }),
        widgets: &[("results", checklist)],
        ..PLAIN
    },
};

/// The ISO week of a day, as the office says it: `Hafta 10 (02.03–08.03.2026)`.
pub fn week_text(lang: Lang, day: NaiveDate) -> String {
    let monday = day.week(chrono::Weekday::Mon).first_day();
    let sunday = monday + Duration::days(6);
    // A week within one year names the year once; one across New Year names both.
    let first = format_date(monday);
    let first = if monday.year() == sunday.year() { &first[..5] } else { &first };
    format!("{} {} ({first}–{})", lang.t("Hafta", "Week"), day.iso_week().week(), format_date(sunday))
}

fn week_row(lang: Lang, row: &LocalRow, _: NaiveDate) -> Vec<String> {
    let mut notes: Vec<String> = row
        .fields
        .get("inspection_date")
        .and_then(|d| d.as_str())
        .and_then(|d| parse_iso_date(d).ok())
        .map(|d| week_text(lang, d))
        .into_iter()
        .collect();
    let not_ok = Results::of_row(&row.fields).0.iter().filter(|r| !r.ok).count();
    if not_ok > 0 {
        notes.push(format!("{not_ok} {}", lang.t("olumsuz", "not OK")));
    }
    notes
}

/// The nine items of the `results` field at `index`, written back to it as they change.
fn checklist(
    ui: &mut Ui,
    lang: Lang,
    table: &TableSpec,
    form: &mut RecordForm,
    index: usize,
) -> egui::Response {
    let date =
        table.fields.iter().position(|f| f.name == "inspection_date").and_then(|i| match &form.inputs[i] {
            Input::Text(typed) => parse_user_date(typed).ok(),
            _ => None,
        });
    let error = form.errors.message("results", lang);
    let Input::Text(text) = &mut form.inputs[index] else { unreachable!("results is a text field") };
    let mut results = Results::parse(text).unwrap_or_default();
    let label = table.fields[index].label.get(lang);
    let response = fields::row(ui, label, error, |ui| {
        ui.vertical(|ui| {
            if let Some(day) = date {
                ui.label(RichText::new(week_text(lang, day)).strong());
            }
            egui::Grid::new("checklist").num_columns(2).show(ui, |ui| {
                for item in ITEMS {
                    let name = item.label().get(lang);
                    // An item an imported inspection did not check stays unchecked until
                    // somebody marks it: it is not recorded as OK behind their back.
                    let was = results.get(item).cloned();
                    let mut ok = was.as_ref().is_some_and(|r| r.ok);
                    let mut note = was.as_ref().and_then(|r| r.note.clone()).unwrap_or_default();
                    let toggled = ui.checkbox(&mut ok, name).changed();
                    let hint = match was {
                        Some(_) => lang.t("not", "note"),
                        None => lang.t("kontrol edilmedi", "not checked"),
                    };
                    let typed = ui
                        .add(
                            egui::TextEdit::singleline(&mut note)
                                .id_salt(("checklist_note", item))
                                .hint_text(hint)
                                .desired_width(160.0),
                        )
                        .accessible_name(format!("{name} {}", lang.t("notu", "note")))
                        .changed();
                    ui.end_row();
                    if toggled || typed {
                        let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
                        results.set(ItemResult { item, ok, note });
                    }
                }
            });
        })
        .response
    });
    *text = results.to_text();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_inspection_starts_with_the_nine_items_ok_and_says_its_week() {
        let results = Results::parse(ALL_OK).unwrap();
        assert_eq!(results.0.iter().map(|r| r.item).collect::<Vec<_>>(), ITEMS);
        assert!(results.0.iter().all(|r| r.ok && r.note.is_none()));
        let day = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(week_text(Lang::Tr, day), "Hafta 10 (02.03–08.03.2026)");
        let new_year = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(week_text(Lang::En, new_year), "Week 1 (29.12.2025–04.01.2026)");
    }
}
