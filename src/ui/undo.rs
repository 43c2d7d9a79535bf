//! Undoing a delete: the status bar offers "Geri al" for a while after each delete, and the
//! toolbar's "Silinenler" menu lists every delete of the session, newest first. The store does the
//! undoing (`Store::undo_delete`); this holds what was deleted until then.

use std::time::{Duration, Instant};

use egui::Ui;
use uuid::Uuid;

use crate::bus::Command;
use crate::i18n::{Lang, Pick};

/// How long the status bar offers to undo the latest delete.
pub const OFFER: Duration = Duration::from_secs(15);

struct Deleted {
    table: &'static str,
    id: Uuid,
    title: String,
    at: Instant,
    /// The time of day it happened, as the menu shows it.
    clock: String,
}

impl Deleted {
    fn command(&self) -> Option<Command> {
        rainstaff_core::schema::table(self.table).map(|table| Command::UndoDelete { table, id: self.id })
    }

    fn label(&self, lang: Lang) -> String {
        let table = rainstaff_core::i18n::table_label(lang, self.table);
        format!("{table} · {} ({})", self.title, self.clock)
    }
}

/// This session's deletes that can still be undone.
#[derive(Default)]
pub struct UndoList(Vec<Deleted>);

impl UndoList {
    pub fn deleted(&mut self, table: &'static str, id: Uuid, title: String) {
        let clock = chrono::Local::now().format("%H:%M").to_string();
        self.0.push(Deleted { table, id, title, at: Instant::now(), clock });
    }

    /// The delete of `id` was undone; it leaves the list.
    pub fn restored(&mut self, id: Uuid) -> Option<String> {
        let i = self.0.iter().position(|d| d.id == id)?;
        Some(self.0.remove(i).title)
    }

    /// "Silindi: …  [Geri al]" for the latest delete, for [`OFFER`] after it.
    pub fn offer(&self, ui: &mut Ui, lang: Lang) -> Option<Command> {
        let latest = self.0.last()?;
        let left = OFFER.checked_sub(latest.at.elapsed())?;
        ui.ctx().request_repaint_after(left);
        ui.label(format!("{}: {}", lang.t("Silindi", "Deleted"), latest.title));
        ui.button(lang.t("Geri al", "Undo")).clicked().then(|| latest.command()).flatten()
    }

    /// The toolbar's menu of the session's deletes, newest first; nothing while there are none.
    pub fn menu(&self, ui: &mut Ui, lang: Lang) -> Option<Command> {
        if self.0.is_empty() {
            return None;
        }
        let mut command = None;
        ui.menu_button(lang.t("Silinenler", "Deleted records"), |ui| {
            for d in self.0.iter().rev() {
                if ui.button(d.label(lang)).clicked() {
                    command = d.command();
                    ui.close();
                }
            }
        });
        command
    }
}
