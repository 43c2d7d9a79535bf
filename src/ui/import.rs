//! File → Import legacy database…: pick a legacy puantaj.db, see what it would import, confirm.

use std::path::PathBuf;

use egui::Ui;
use rainstaff_legacy::ImportReport;

use crate::app::Ctx;
use crate::i18n::Pick;
use crate::ui::form;
use crate::worker::Command;

#[derive(Default)]
pub struct ImportDialog {
    pub open: bool,
    pub path: Option<PathBuf>,
    pub region: String,
    pub preview: Option<ImportReport>,
    pub error: Option<String>,
    waiting: bool,
}

impl ImportDialog {
    pub fn start(&mut self, region: String) {
        *self = ImportDialog { open: true, region, ..Default::default() };
        self.path = rfd::FileDialog::new().add_filter("SQLite", &["db", "sqlite", "sqlite3"]).pick_file();
    }

    pub fn previewed(&mut self, report: ImportReport) {
        self.preview = Some(report);
        self.waiting = false;
    }

    pub fn failed(&mut self, message: &str) {
        self.error = Some(message.to_string());
        self.waiting = false;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if !self.open {
            return;
        }
        let mut open = true;
        egui::Window::new(lang.t("Eski veritabanını içe aktar", "Import legacy database"))
            .open(&mut open)
            .collapsible(false)
            .default_width(520.0)
            .show(ui.ctx(), |ui| {
                let mut typed = self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                egui::Grid::new("import_grid").num_columns(2).show(ui, |ui| {
                    if form::text(ui, lang.t("Dosya", "File"), &mut typed, None).changed() {
                        self.path = Some(PathBuf::from(&typed));
                        self.preview = None;
                    }
                    form::row(
                        ui,
                        lang.t("Bölgesi olmayan kayıtlar için bölge", "Region for rows without one"),
                        None,
                        |ui| super::employees::region_combo(ui, ctx, &mut self.region, true),
                    );
                });
                if let Some(e) = &self.error {
                    form::error_line(ui, e);
                }
                let Some(path) = self.path.clone() else { return };
                match &self.preview {
                    None => {
                        if ui
                            .add_enabled(!self.waiting, egui::Button::new(lang.t("Önizle", "Preview")))
                            .clicked()
                        {
                            self.error = None;
                            self.waiting = true;
                            ctx.send(Command::ImportLegacy {
                                path,
                                region: self.region.clone(),
                                dry_run: true,
                            });
                        }
                    }
                    Some(report) => {
                        ui.label(format!("{}: {}", lang.t("Sürüm", "Variant"), report.variant));
                        for (title, counts) in [
                            (lang.t("Eklenecek/güncellenecek", "To import"), &report.imported),
                            (lang.t("Değişmeyecek", "Unchanged"), &report.unchanged),
                            (lang.t("Atlanacak", "Skipped"), &report.skipped),
                        ] {
                            let list: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
                            ui.label(format!(
                                "{title}: {}",
                                if list.is_empty() { "—".into() } else { list.join(", ") }
                            ));
                        }
                        if !report.warnings.is_empty() {
                            ui.collapsing(
                                format!("{} ({})", lang.t("Uyarılar", "Warnings"), report.warnings.len()),
                                |ui| {
                                    egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                                        for w in &report.warnings {
                                            ui.label(egui::RichText::new(w.text(lang)).small());
                                        }
                                    });
                                },
                            );
                        }
                        if ui
                            .add_enabled(
                                !self.waiting,
                                egui::Button::new(lang.t("Onayla ve içe aktar", "Confirm and import")),
                            )
                            .clicked()
                        {
                            self.waiting = true;
                            ctx.send(Command::ImportLegacy {
                                path,
                                region: self.region.clone(),
                                dry_run: false,
                            });
                        }
                    }
                }
            });
        self.open = open;
    }
}
