//! The office's spreadsheet in (File menu): employees or shifts from an `.xlsx` or `.csv`, first
//! as a preview that writes nothing, then for real; what `rainstaff import` does for IT.

use egui::{RichText, Ui};

use crate::bus::Command;
use crate::db::edits::SheetOutcome;
use crate::db::users::Role;
use crate::i18n::{Lang, Pick, region_name};
use crate::sheet_import::Kind;
use crate::ui::ctx::Ctx;
use crate::ui::form;

#[derive(Default)]
pub struct SheetDialog {
    pub open: bool,
    /// The file, as picked or typed.
    pub path: String,
    pub kind: Option<Kind>,
    region: String,
    /// The last answer, and whether it was a preview.
    outcome: Option<(bool, SheetOutcome)>,
    waiting: bool,
    error: Option<String>,
}

impl SheetDialog {
    pub fn start(&mut self, ctx_region: String) {
        *self =
            SheetDialog { open: true, region: ctx_region, kind: Some(Kind::Employees), ..Default::default() };
    }

    pub fn answered(&mut self, preview: bool, outcome: SheetOutcome) {
        self.waiting = false;
        self.error = None;
        self.outcome = Some((preview, outcome));
    }

    pub fn failed(&mut self, message: &str) {
        self.waiting = false;
        self.error = Some(message.to_string());
    }

    pub fn ui(&mut self, ui: &Ui, ctx: &Ctx<'_>) {
        if !self.open || ctx.user.role == Role::Staff {
            return;
        }
        let lang = ctx.lang;
        let mut send = None;
        let response = egui::Modal::new(egui::Id::unique("sheet_import")).show(ui.ctx(), |ui| {
            ui.set_min_width(480.0);
            ui.heading(lang.t("Excel ya da CSV'den içe aktar", "Import from Excel or CSV"));
            let kind = self.kind.get_or_insert(Kind::Employees);
            ui.horizontal(|ui| {
                ui.radio_value(kind, Kind::Employees, lang.t("Personel", "Employees"));
                ui.radio_value(kind, Kind::Timesheets, lang.t("Puantaj", "Timesheets"));
            });
            egui::Grid::new("sheet_grid").num_columns(2).show(ui, |ui| {
                form::row(ui, lang.t("Dosya", "File"), None, |ui| {
                    ui.horizontal(|ui| {
                        let field = ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(300.0));
                        if ui.button(lang.t("Seç…", "Choose…")).clicked()
                            && let Some(path) =
                                rfd::FileDialog::new().add_filter("Excel, CSV", &["xlsx", "csv"]).pick_file()
                        {
                            self.path = path.display().to_string();
                        }
                        field
                    })
                    .inner
                });
                form::row(ui, lang.t("Bölge", "Region"), None, |ui| {
                    egui::ComboBox::from_id_salt("sheet_region")
                        .selected_text(region_name(lang, &self.region))
                        .show_ui(ui, |ui| {
                            for r in ctx.scope.regions() {
                                form::choice(ui, &mut self.region, r.clone(), region_name(lang, r));
                            }
                        })
                        .response
                });
            });
            if let Some((preview, outcome)) = &self.outcome {
                outcome_ui(ui, lang, *preview, outcome);
            }
            if let Some(e) = &self.error {
                form::error_line(ui, e);
            }
            ui.horizontal(|ui| {
                let ready = !self.path.trim().is_empty() && !self.waiting;
                if ui.add_enabled(ready, egui::Button::new(lang.t("Önizle", "Preview"))).clicked() {
                    send = Some(true);
                }
                if ui.add_enabled(ready, egui::Button::new(lang.t("İçe aktar", "Import"))).clicked() {
                    send = Some(false);
                }
                if ui.button(lang.t("Kapat", "Close")).clicked() {
                    self.open = false;
                }
                if self.waiting {
                    ui.spinner();
                }
            });
        });
        if response.should_close() {
            self.open = false;
        }
        if let Some(dry_run) = send {
            self.waiting = true;
            ctx.send(Command::ImportSheet {
                kind: self.kind.unwrap_or(Kind::Employees),
                path: self.path.trim().into(),
                region: self.region.clone(),
                dry_run,
                lang,
            });
        }
    }
}

/// The counts, and every refused row with its reason.
fn outcome_ui(ui: &mut Ui, lang: Lang, preview: bool, o: &SheetOutcome) {
    let text = match (preview, lang) {
        (true, Lang::Tr) => {
            format!("Önizleme: {} eklenecek, {} güncellenecek, {} aynı", o.added, o.updated, o.unchanged)
        }
        (true, Lang::En) => {
            format!("Preview: {} to add, {} to update, {} unchanged", o.added, o.updated, o.unchanged)
        }
        (false, Lang::Tr) => {
            format!("İçe aktarıldı: {} eklendi, {} güncellendi, {} aynı", o.added, o.updated, o.unchanged)
        }
        (false, Lang::En) => {
            format!("Imported: {} added, {} updated, {} unchanged", o.added, o.updated, o.unchanged)
        }
    };
    ui.label(RichText::new(text).strong());
    if o.errors.is_empty() {
        return;
    }
    ui.label(lang.t("Alınmayan satırlar:", "Rows left out:"));
    egui::ScrollArea::vertical().max_height(200.0).show(ui, |ui| {
        for e in &o.errors {
            form::error_line(
                ui,
                &format!("{} {} · {}: {}", lang.t("Satır", "Row"), e.row, e.field, e.message),
            );
        }
    });
}
