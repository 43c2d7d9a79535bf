//! The pieces every form is made of: a labelled field with its error beside it, date and time
//! inputs that accept what people type, and the collected errors of the last save.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};
use rainstaff_core::time::{format_date, parse_user_date};
use rainstaff_core::validate::{FieldError, Problem};

use crate::i18n::{Lang, field_label};

pub const ERROR_COLOR: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);

/// The errors of the last attempt to save a form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn message(&self, field: &str, lang: Lang) -> Option<String> {
        let messages: Vec<String> =
            self.0.iter().filter(|e| e.field == field).map(|e| e.message(lang)).collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }

    pub fn push(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Errors of fields the form does not show, so that none is hidden.
    pub fn other_than(&self, shown: &[&str], lang: Lang) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| !shown.contains(&e.field.as_str()))
            .map(|e| format!("{}: {}", field_label(lang, &e.field).trim(), e.message(lang)))
            .collect()
    }
}

/// A grid row: label, the widget, and the field's error (if any) under it.
pub fn row(
    ui: &mut Ui,
    label: &str,
    error: Option<String>,
    add: impl FnOnce(&mut Ui) -> egui::Response,
) -> egui::Response {
    let label_response = ui.label(label);
    let response = ui
        .vertical(|ui| {
            let response = add(ui).labelled_by(label_response.id);
            if let Some(error) = error {
                ui.label(RichText::new(error).color(ERROR_COLOR).small());
            }
            response
        })
        .inner;
    ui.end_row();
    response
}

pub fn text(ui: &mut Ui, label: &str, value: &mut String, error: Option<String>) -> egui::Response {
    row(ui, label, error, |ui| ui.add(egui::TextEdit::singleline(value).desired_width(220.0)))
}

/// A date typed as DD.MM.YYYY, with a calendar button beside it.
pub fn date(
    ui: &mut Ui,
    lang: Lang,
    label: &str,
    value: &mut String,
    error: Option<String>,
    today: NaiveDate,
) -> egui::Response {
    row(ui, label, error, |ui| {
        ui.horizontal(|ui| {
            let response =
                ui.add(egui::TextEdit::singleline(value).desired_width(100.0).hint_text("GG.AA.YYYY"));
            let current = parse_user_date(value).unwrap_or(today);
            if let Some(date) = super::calendar::button(ui, lang, label, current) {
                *value = format_date(date);
            }
            response
        })
        .inner
    })
}

/// The days two filter fields name (an empty one: no bound), or why they name none, said about
/// the field: a date that is not one, or `reversed` when the last day is before the first.
pub fn date_range(
    lang: Lang,
    from: (&str, &str),
    to: (&str, &str),
    reversed: &str,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let day = |(label, text): (&str, &str)| match text.trim() {
        "" => Ok(None),
        text => parse_user_date(text).map(Some).map_err(|p| format!("{label}: {}", p.message(lang))),
    };
    let (first, last) = (day(from)?, day(to)?);
    match (first, last) {
        (Some(f), Some(l)) if l < f => Err(reversed.to_string()),
        range => Ok(range),
    }
}

/// One choice in a dropdown. A click on it closes the dropdown; Enter on it (once the arrow keys
/// brought the focus there) chooses it too, and closes the dropdown the same way.
pub fn choice<V: PartialEq>(
    ui: &mut Ui,
    current: &mut V,
    value: V,
    text: impl Into<egui::WidgetText>,
) -> egui::Response {
    let response = ui.selectable_value(current, value, text);
    if response.clicked() {
        ui.close();
    }
    response
}

/// Gives a new form's first field the keyboard focus once, when it opens, so typing can start
/// at once; after that a click elsewhere keeps its focus.
pub fn focus_once(response: &egui::Response, pending: &mut bool) {
    if std::mem::take(pending) {
        response.request_focus();
    }
}

/// A short line of text in the error colour.
pub fn error_line(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).color(ERROR_COLOR));
}

/// A moment the store keeps (RFC 3339, UTC) as the office reads it: DD.MM.YYYY HH:MM in this
/// computer's time zone. Anything else is shown as it is.
pub fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// What the buttons and keys under a form asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actions {
    pub save: bool,
    pub cancel: bool,
    pub delete: bool,
}

/// Save, Cancel and, for a record that exists, Delete, under a form; Enter saves and Esc cancels,
/// unless another widget has those keys (see `keys_are_the_forms`).
pub fn actions(ui: &mut Ui, lang: Lang, save_label: &str, existing: bool) -> Actions {
    use crate::i18n::Pick;
    let mut a = Actions::default();
    ui.horizontal(|ui| {
        a.save = ui.button(save_label).clicked();
        a.cancel = ui.button(lang.t("Vazgeç", "Cancel")).clicked();
        a.delete = existing && ui.button(lang.t("Sil", "Delete")).clicked();
    });
    let (enter, escape) = keys_are_the_forms(ui.ctx());
    a.save |= enter && ui.input(|i| i.key_pressed(egui::Key::Enter));
    a.cancel |= escape && ui.input(|i| i.key_pressed(egui::Key::Escape));
    a
}

/// Asks before `what` is deleted, naming it, with what goes with it (`notes`): Some(true) once
/// confirmed, Some(false) when cancelled (Esc too), None while it asks. The keyboard starts on
/// Vazgeç, so an Enter meant for the form never deletes.
pub fn confirm_delete(ui: &Ui, lang: Lang, what: &str, notes: &[&str]) -> Option<bool> {
    use crate::i18n::Pick;
    let mut answer = None;
    let response = egui::Modal::new(egui::Id::unique("confirm_delete")).show(ui.ctx(), |ui| {
        ui.set_min_width(380.0);
        ui.heading(lang.t("Silinsin mi?", "Delete?"));
        ui.label(RichText::new(what).strong());
        for note in notes {
            ui.label(*note);
        }
        ui.horizontal(|ui| {
            if ui.button(lang.t("Sil", "Delete")).clicked() {
                answer = Some(true);
            }
            let cancel = ui.button(lang.t("Vazgeç", "Cancel"));
            if ui.memory(|m| m.focused().is_none()) {
                cancel.request_focus();
            }
            if cancel.clicked() {
                answer = Some(false);
            }
        });
    });
    answer.or(response.should_close().then_some(false))
}

/// What the delete dialog of a record says about bringing it back.
pub fn undo_note(lang: Lang) -> &'static str {
    use crate::i18n::Pick;
    lang.t(
        "Silinen kayıt bu oturumda «Geri al» ile geri getirilebilir.",
        "A deleted record can be brought back with «Undo» during this session.",
    )
}

/// Whether Enter and Esc are the form's: (Enter, Esc). An open dropdown has both (Enter chooses
/// its item, Esc closes it), and so does a dialog above the form. Enter also presses a focused
/// button or ticks a focused checkbox, so it saves only from a text field or with nothing
/// focused.
fn keys_are_the_forms(ctx: &egui::Context) -> (bool, bool) {
    // A dropdown drawn earlier in this frame counts even if the key just closed it; one open
    // since the last frame counts even if it is drawn after the form.
    let dropdown = egui::Popup::is_any_open(ctx) || ctx.any_popup_open();
    let dialog = ctx.memory(|m| m.top_modal_layer()).is_some();
    let focus_takes_enter =
        ctx.memory(|m| m.focused()).is_some_and(|id| egui::TextEdit::load_state(ctx, id).is_none());
    let free = !dropdown && !dialog;
    (free && !focus_takes_enter, free)
}
