//! The one screen of a window whose store failed its check at start-up: as it opened, or on the
//! worker's thread a moment later. It replaces the whole app (the worker stops before its first
//! command, the sync and its daily backup never start), so nothing can be written into the
//! damaged file, and says what is wrong and how to put a backup in its place. The store's
//! language setting may be among the damaged pages, so it speaks Turkish and then English.

use egui::{RichText, Ui};

use crate::db::health::Damage;
use crate::i18n::Lang;
use crate::ui::form;

pub struct DamagedScreen {
    pub damage: Damage,
}

impl DamagedScreen {
    pub fn ui(&mut self, ui: &mut Ui) {
        crate::exit::on_shortcut(ui);
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.heading("Veri dosyası bozuk / The data file is damaged");
                for lang in [Lang::Tr, Lang::En] {
                    ui.add_space(8.0);
                    form::error_line(ui, &self.damage.text(lang));
                }
                ui.add_space(8.0);
                let backups = match &self.damage.good_backup {
                    Some(b) => format!("{}", b.display()),
                    None => {
                        "— (sağlam yedek bulunamadı; BT'yi arayın / no intact backup found; call IT)".into()
                    }
                };
                ui.label(RichText::new(format!("Sağlam yedek / Intact backup: {backups}")).strong());
                ui.add_space(8.0);
                if ui.button("Kapat / Close").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
        });
    }
}

impl eframe::App for DamagedScreen {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        DamagedScreen::ui(self, ui);
    }
}
