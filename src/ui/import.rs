//! File → Import legacy database…: pick a legacy puantaj.db, see what it would import, what it
//! leaves to other regions and what it never brings, confirm. Which region's rows it takes follows
//! `legacy_import`: an office PC's own region, else the region chosen here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use egui::Ui;
use rainstaff_core::i18n::table_label;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_legacy::ImportReport;

use crate::bus::Command;
use crate::db::users::User;
use crate::i18n::{Lang, Pick, region_name};
use crate::ui::ctx::Ctx;
use crate::ui::form;

#[derive(Default)]
pub struct ImportDialog {
    pub open: bool,
    pub path: Option<PathBuf>,
    /// The region named to the import; None on an office PC, whose region decides.
    pub region: Option<String>,
    /// What the person may choose from (region codes, ALL first when offered); empty when the
    /// region is fixed.
    choices: Vec<String>,
    pub preview: Option<ImportReport>,
    pub error: Option<String>,
    waiting: bool,
}

/// "Personel 3, Puantaj 20", or "yok" when there is nothing to count.
fn counts(lang: Lang, counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return lang.t("yok", "none").to_string();
    }
    counts.iter().map(|(table, n)| format!("{} {n}", table_label(lang, table))).collect::<Vec<_>>().join(", ")
}

impl ImportDialog {
    /// Opens the dialog for `user` on a PC enrolled for `device_region` (None: not enrolled).
    pub fn start(&mut self, user: &User, device_region: Option<String>, regions: &[String]) {
        let admin = user.region == ALL_REGIONS;
        let (region, choices) = match device_region.as_deref() {
            Some(ALL_REGIONS) | None if admin => {
                let choices =
                    std::iter::once(ALL_REGIONS.to_string()).chain(regions.iter().cloned()).collect();
                (Some(ALL_REGIONS.to_string()), choices)
            }
            Some(ALL_REGIONS) | None => (Some(user.region.clone()), Vec::new()),
            Some(_) => (None, Vec::new()),
        };
        *self = ImportDialog { open: true, region, choices, ..Default::default() };
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

    fn region_row(&mut self, ui: &mut Ui, lang: Lang) {
        let label = lang.t("Alınacak bölge", "Region to import");
        match (&mut self.region, self.choices.is_empty()) {
            (Some(region), false) => {
                let before = region.clone();
                form::row(ui, label, None, |ui| {
                    egui::ComboBox::from_id_salt("import_region")
                        .selected_text(region_name(lang, region))
                        .show_ui(ui, |ui| {
                            for choice in &self.choices {
                                ui.selectable_value(region, choice.clone(), region_name(lang, choice));
                            }
                        })
                        .response
                });
                if *region != before {
                    self.preview = None;
                }
            }
            (Some(region), true) => {
                form::row(ui, label, None, |ui| ui.label(region_name(lang, region)));
            }
            (None, _) => {
                form::row(ui, label, None, |ui| {
                    ui.label(lang.t("bu bilgisayarın bölgesi", "this computer's region"))
                });
            }
        }
    }

    fn show_preview(ui: &mut Ui, lang: Lang, report: &ImportReport) {
        ui.label(format!("{}: {}", lang.t("Sürüm", "Variant"), report.variant));
        ui.label(format!(
            "{}: {}",
            lang.t("Alınan bölge", "Region imported"),
            region_name(lang, &report.region)
        ));
        for (title, map) in [
            (lang.t("Eklenecek/güncellenecek", "To import"), &report.imported),
            (lang.t("Değişmeyecek", "Unchanged"), &report.unchanged),
            (lang.t("Atlanacak", "Skipped"), &report.skipped),
            (lang.t("Başka bölgelerin, alınmayacak", "Of other regions, left out"), &report.left_out),
        ] {
            ui.label(format!("{title}: {}", counts(lang, map)));
        }
        // An import of several regions says what each of them gets.
        if report.regions.len() > 1 {
            for (region, of_region) in &report.regions {
                ui.label(format!("  {}: {}", region_name(lang, region), counts(lang, &of_region.imported)));
            }
        }
        let never = lang.t("Hiçbir aktarımın getirmediği", "Never brought by an import");
        if report.not_imported.is_empty() {
            ui.label(format!("{never}: {}", lang.t("yok", "nothing")));
        } else {
            ui.label(format!("{never}:"));
            for item in &report.not_imported {
                let rows =
                    item.rows.map_or_else(String::new, |n| format!(" ({n} {})", lang.t("satır", "rows")));
                ui.label(format!("  • {}{rows}: {}", table_label(lang, &item.table), item.why.text(lang)));
            }
        }
        if !report.warnings.is_empty() {
            ui.collapsing(format!("{} ({})", lang.t("Uyarılar", "Warnings"), report.warnings.len()), |ui| {
                for w in &report.warnings {
                    ui.label(egui::RichText::new(w.text(lang)).small());
                }
            });
        }
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
                    self.region_row(ui, lang);
                });
                if let Some(e) = &self.error {
                    form::error_line(ui, e);
                }
                let Some(path) = self.path.clone() else { return };
                let command = |dry_run| Command::ImportLegacy { path, region: self.region.clone(), dry_run };
                match &self.preview {
                    None => {
                        if ui
                            .add_enabled(!self.waiting, egui::Button::new(lang.t("Önizle", "Preview")))
                            .clicked()
                        {
                            ctx.send(command(true));
                            self.error = None;
                            self.waiting = true;
                        }
                    }
                    Some(report) => {
                        // A pane of fixed height: opening the warnings scrolls it instead of
                        // moving the button under the pointer.
                        egui::ScrollArea::vertical()
                            .max_height(320.0)
                            .auto_shrink([false, false])
                            .show(ui, |ui| Self::show_preview(ui, lang, report));
                        if ui
                            .add_enabled(
                                !self.waiting,
                                egui::Button::new(lang.t("Onayla ve içe aktar", "Confirm and import")),
                            )
                            .clicked()
                        {
                            ctx.send(command(false));
                            self.waiting = true;
                        }
                    }
                }
            });
        self.open = open;
    }
}
