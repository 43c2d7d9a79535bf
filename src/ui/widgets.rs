//! Widgets more than one screen uses: the region picker and filter, the employee picker, the
//! month picker, the break-policy label. They live here rather than in the screen that first
//! needed them, so that screens import shared pieces and never each other.

use egui::Ui;
use rainstaff_core::model::{Employee, Record};
use rainstaff_report::Month;
use uuid::Uuid;

use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::form;

pub fn break_policy_label(lang: Lang, stored: &str) -> String {
    match stored {
        "statutory" => lang.t("Yasal asgari", "Statutory minimum").into(),
        "as_entered" => lang.t("Girildiği gibi", "As entered").into(),
        other => match other.strip_prefix("fixed:") {
            Some(n) => format!("{} {n} {}", lang.t("Sabit", "Fixed"), lang.t("dk", "min")),
            None => other.to_string(),
        },
    }
}

/// The region of a record: chosen for a new one among `regions`, those this PC may write for the
/// person (`db::scope`: `regions`, or `regions_in` a table); it changes afterwards only by an
/// explicit move.
pub fn region_combo(
    ui: &mut Ui,
    ctx: &Ctx<'_>,
    regions: &[String],
    region: &mut String,
    editable: bool,
) -> egui::Response {
    let name = |r: &str| crate::i18n::region_name(ctx.lang, r).to_string();
    if !editable || regions.len() < 2 {
        return ui.label(name(region));
    }
    egui::ComboBox::from_id_salt("record_region")
        .selected_text(name(region))
        .show_ui(ui, |ui| {
            for r in regions {
                form::choice(ui, region, r.clone(), name(r));
            }
        })
        .response
}

/// The region filter above lists, where the PC reaches several regions. Returns true when it
/// changed.
pub fn region_filter(ui: &mut Ui, lang: Lang, regions: &[String], filter: &mut Option<String>) -> bool {
    let before = filter.clone();
    let shown = filter
        .as_deref()
        .map_or(lang.t("Tüm bölgeler", "All regions"), rainstaff_core::regions::display_name);
    let label = ui.label(lang.t("Bölge:", "Region:"));
    egui::ComboBox::from_id_salt("region_filter")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            form::choice(ui, filter, None, lang.t("Tüm bölgeler", "All regions"));
            for r in regions {
                form::choice(ui, filter, Some(r.clone()), rainstaff_core::regions::display_name(r));
            }
        })
        .response
        .labelled_by(label.id);
    *filter != before
}

/// The edit form beside a list: a panel on the right whose edge the person drags to give the list
/// or the form more room, scrolling inside when the window is short. At 1024 px the list keeps
/// more than half the width; on a wide screen the form does not take more than it needs.
pub fn side_form<R>(ui: &mut Ui, id: impl egui::AsIdSalt, add: impl FnOnce(&mut Ui) -> R) {
    let width = ui.available_width();
    egui::Panel::right(id)
        .min_size(320.0)
        .default_size(380.0_f32.min(width * 0.45))
        .max_size((width * 0.7).max(320.0))
        .show(ui, |ui| {
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, add);
        });
}

/// A screen of forms and short lists, one under another, scrolls as a whole: on a short window
/// its last rows (an open edit form, the button that adds) would otherwise fall off the bottom.
pub fn page(ui: &mut Ui, id: impl egui::AsIdSalt, add: impl FnOnce(&mut Ui)) {
    egui::ScrollArea::vertical().id_salt(id).auto_shrink([false, false]).show(ui, add);
}

/// A list wider than the room beside the form scrolls sideways instead of running under it.
pub fn wide_list<R>(ui: &mut Ui, id: impl egui::AsIdSalt, add: impl FnOnce(&mut Ui) -> R) -> R {
    egui::ScrollArea::horizontal().id_salt(id).show(ui, add).inner
}

/// What an empty list says instead of nothing: that the search and filters hide `hidden`
/// records, or, with none at all, `first_step`: what to do first.
pub fn empty_list(ui: &mut Ui, lang: Lang, hidden: usize, first_step: &str) {
    let text = match hidden {
        0 => first_step.to_string(),
        n => format!(
            "{n} {}",
            lang.t(
                "kayıt aramaya ya da süzgeçlere uymuyor: aramayı silin ya da süzgeçleri gevşetin.",
                "records do not match the search or the filters: clear the search or loosen the filters."
            )
        ),
    };
    ui.label(text);
}

/// Picks an employee by name; `any` adds an "all employees" choice.
pub fn employee_combo(
    ui: &mut Ui,
    lang: Lang,
    id: &str,
    employees: &[Record<Employee>],
    selected: &mut Option<Uuid>,
    any: bool,
) -> egui::Response {
    let name = selected
        .and_then(|s| employees.iter().find(|e| e.id == s))
        .map_or_else(|| lang.t("Tümü", "All").to_string(), |e| picker_name(employees, e));
    let search_id = ui.scope_id().with((id, "search"));
    let mut response = egui::ComboBox::from_id_salt(id).selected_text(name).width(220.0).show_ui(ui, |ui| {
        // Typing filters the list (Turkish-aware: "sukru" finds "ŞÜKRÜ"); Enter takes the first.
        // No search kept yet: the list just opened, and the keyboard goes to the search.
        let kept = ui.data_mut(|d| d.get_temp::<String>(search_id));
        let mut query = kept.clone().unwrap_or_default();
        let field = ui.add(egui::TextEdit::singleline(&mut query).hint_text(lang.t("Ara…", "Search…")));
        if kept.is_none() {
            field.request_focus();
        }
        let current = *selected;
        let shown: Vec<&Record<Employee>> = employees
            .iter()
            .filter(|e| e.data.active || Some(e.id) == current)
            .filter(|e| rainstaff_core::text::matches_search(&e.data.full_name, &query))
            .collect();
        let mut changed = false;
        if field.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && let Some(first) = shown.first()
        {
            *selected = Some(first.id);
            changed = true;
            ui.close();
        }
        if any && query.trim().is_empty() {
            changed |= form::choice(ui, selected, None, lang.t("Tümü", "All")).changed();
        }
        for e in shown {
            changed |= form::choice(ui, selected, Some(e.id), picker_name(employees, e)).changed();
        }
        if changed {
            query.clear();
        }
        ui.data_mut(|d| d.insert_temp(search_id, query));
        changed
    });
    match response.inner {
        // The keyboard comes back to the picker, so that Tab goes on to the next field: the
        // popup that had it is gone.
        Some(true) => {
            response.response.mark_changed();
            response.response.request_focus();
        }
        // Closed: the next opening starts with an empty search again.
        None => ui.data_mut(|d| d.remove::<String>(search_id)),
        Some(false) => {}
    }
    response.response
}

/// An employee as a picker names them: with the region when another has the same name.
fn picker_name(employees: &[Record<Employee>], e: &Record<Employee>) -> String {
    let key = rainstaff_core::text::search_key(&e.data.full_name);
    let namesakes =
        employees.iter().filter(|o| rainstaff_core::text::search_key(&o.data.full_name) == key).count();
    if namesakes > 1 {
        format!("{} ({})", e.data.full_name, rainstaff_core::regions::display_name(&e.region))
    } else {
        e.data.full_name.clone()
    }
}

/// Picks the month of `month`'s year by name.
pub fn month_combo(ui: &mut Ui, lang: Lang, id: &str, month: &mut Month) -> egui::Response {
    let mut number = month.number();
    let response = egui::ComboBox::from_id_salt(id)
        .selected_text(Month::month_name(number, lang))
        .show_ui(ui, |ui| {
            for n in 1..=12 {
                form::choice(ui, &mut number, n, Month::month_name(n, lang));
            }
        })
        .response;
    *month = Month::new(month.year(), number).unwrap_or(*month);
    response
}
