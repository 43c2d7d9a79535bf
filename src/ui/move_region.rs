//! "Bölgeye taşı / Move to region": an administrator at an all-regions PC moves an employee or a
//! vehicle to another region. It is its own act, never a side effect of saving a form, and it
//! asks first in words that name the record and both regions.

use egui::{RichText, Ui};
use rainstaff_core::regions::display_name;
use rainstaff_core::schema::TableSpec;
use rainstaff_core::validate::FieldError;
use uuid::Uuid;

use crate::bus::Command;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::form::{self, FormErrors};

#[derive(Debug, Clone)]
pub struct MoveDialog {
    table: &'static TableSpec,
    id: Uuid,
    /// What people call the record: a name, a plate.
    name: String,
    from: String,
    to: Option<String>,
    /// The employee's shifts, which stay in the region they were worked in.
    shifts_left: usize,
    errors: FormErrors,
}

/// The button beside a saved record's region, where a move may be made here.
pub fn offer(ui: &mut Ui, ctx: &Ctx<'_>) -> bool {
    ctx.scope.may_move() && ui.button(ctx.lang.t("Bölgeye taşı", "Move to region")).clicked()
}

impl MoveDialog {
    pub fn new(table: &'static TableSpec, id: Uuid, name: &str, from: &str, shifts_left: usize) -> Self {
        MoveDialog {
            table,
            id,
            name: name.to_string(),
            from: from.to_string(),
            to: None,
            shifts_left,
            errors: FormErrors::default(),
        }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The region chosen, once the move is done.
    pub fn to(&self) -> Option<&str> {
        self.to.as_deref()
    }

    pub fn invalid(&mut self, errors: &[FieldError]) {
        self.errors = FormErrors(errors.to_vec());
    }

    /// Shows the dialog above the screen; false once it was cancelled.
    pub fn ui(&mut self, ui: &Ui, ctx: &Ctx<'_>) -> bool {
        let lang = ctx.lang;
        let mut open = true;
        let response = egui::Modal::new(egui::Id::unique("move_region")).show(ui.ctx(), |ui| {
            // Wide enough for the confirmation sentence to fit on one line.
            ui.set_min_width(420.0);
            ui.heading(lang.t("Bölgeye taşı", "Move to region"));
            egui::Grid::new("move_grid").num_columns(2).show(ui, |ui| {
                ui.label(lang.t("Kayıt", "Record"));
                ui.strong(&self.name);
                ui.end_row();
                ui.label(lang.t("Şu anki bölge", "Current region"));
                ui.label(display_name(&self.from));
                ui.end_row();
                // Choices laid out in the dialog rather than a dropdown: a dropdown's list opens in
                // a layer of its own, which a quick click on the dialog can raise the dialog over.
                ui.label(lang.t("Yeni bölge", "New region"));
                ui.horizontal_wrapped(|ui| {
                    ui.set_max_width(320.0);
                    for r in ctx.scope.regions().iter().filter(|r| **r != self.from) {
                        ui.radio_value(&mut self.to, Some(r.clone()), display_name(r));
                    }
                });
                ui.end_row();
            });
            if let Some(to) = &self.to {
                ui.add_space(6.0);
                ui.label(RichText::new(confirmation(lang, &self.name, &self.from, to)).strong());
                ui.label(old_region_loses_it(lang, &self.from));
                if self.shifts_left > 0 {
                    ui.label(shifts_stay(lang, self.shifts_left, &self.from));
                }
            }
            for e in self.errors.other_than(&[], lang) {
                form::error_line(ui, &e);
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let confirm = egui::Button::new(lang.t("Taşı", "Move"));
                if ui.add_enabled(self.to.is_some(), confirm).clicked()
                    && let Some(to) = &self.to
                {
                    self.errors = FormErrors::default();
                    ctx.send(Command::MoveRegion { table: self.table, id: self.id, region: to.clone() });
                }
                if ui.button(lang.t("Vazgeç", "Cancel")).clicked() {
                    open = false;
                }
            });
        });
        open && !response.should_close()
    }
}

/// "ÇAĞLA ÖZTÜRK, Ankara bölgesinden İzmir bölgesine taşınacak."
fn confirmation(lang: Lang, name: &str, from: &str, to: &str) -> String {
    let (from, to) = (display_name(from), display_name(to));
    match lang {
        Lang::Tr => format!("{name}, {from} bölgesinden {to} bölgesine taşınacak."),
        Lang::En => format!("{name} will move from {from} to {to}."),
    }
}

/// The old region's PCs receive the record as deleted there.
fn old_region_loses_it(lang: Lang, from: &str) -> String {
    let from = display_name(from);
    match lang {
        Lang::Tr => format!("{from} bölgesinin bilgisayarları bu kaydı artık görmez."),
        Lang::En => format!("The computers of {from} will no longer see this record."),
    }
}

/// Shifts belong to the region they were worked in, so they do not move with the employee.
fn shifts_stay(lang: Lang, n: usize, from: &str) -> String {
    let from = display_name(from);
    match lang {
        Lang::Tr => format!("Girilmiş {n} vardiyası {from} bölgesinde kalır."),
        Lang::En => format!("The {n} shifts already entered stay in {from}."),
    }
}
