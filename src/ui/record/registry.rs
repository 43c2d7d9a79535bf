//! The record screens, one entry each: the app builds its tabs and picks the screen to draw from
//! this list (as egui's demo app does with `apps_iter_mut`), so a new synced table gets its screen
//! by one entry here. What a table does beyond its fields' kinds (a plate's spacing, what is due)
//! is a hook on its entry, written beside the table's other code, never a copy of the screen.

use egui::Ui;
use rainstaff_core::schema::{DRIVERS, VEHICLE_SERVICE_VISITS};
use rainstaff_core::validate::FieldError;
use uuid::Uuid;

use super::RecordScreen;
use super::entry::{Entry, PLAIN, label};
use crate::i18n::Lang;
use crate::ui::ctx::Ctx;

/// Every record screen, in the order of their tabs.
pub const SCREENS: &[Entry] = &[
    super::leaves::SCREEN,
    super::vehicles::SCREEN,
    Entry {
        table: &DRIVERS,
        tab: label("Sürücüler", "Drivers"),
        new: label("Yeni sürücü", "New driver"),
        edit: label("Sürücüyü düzenle", "Edit driver"),
        hooks: PLAIN,
    },
    super::faults::SCREEN,
    Entry {
        table: &VEHICLE_SERVICE_VISITS,
        tab: label("Sanayi", "Workshop visits"),
        new: label("Yeni sanayi kaydı", "New workshop visit"),
        edit: label("Sanayi kaydını düzenle", "Edit workshop visit"),
        hooks: PLAIN,
    },
    super::inspections::SCREEN,
    super::templates::SCREEN,
];

/// The screens of `SCREENS`, with what each holds between frames.
pub struct RecordScreens(Vec<RecordScreen>);

impl Default for RecordScreens {
    fn default() -> Self {
        RecordScreens(SCREENS.iter().map(RecordScreen::new).collect())
    }
}

impl RecordScreens {
    /// (table, tab name) of every screen, for the toolbar.
    pub fn tabs(&self, lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.0.iter().map(move |s| (s.entry.table.name, s.entry.tab.get(lang)))
    }

    /// The screen of `table`.
    pub fn screen(&self, table: &str) -> Option<&RecordScreen> {
        self.0.iter().find(|s| s.entry.table.name == table)
    }

    pub fn ui(&mut self, table: &str, ui: &mut Ui, ctx: &Ctx<'_>) {
        if let Some(screen) = self.0.iter_mut().find(|s| s.entry.table.name == table) {
            screen.ui(ui, ctx);
        }
    }

    /// Opens record `id` of `table` when its screen is next drawn.
    pub fn open(&mut self, table: &str, id: Uuid) {
        if let Some(screen) = self.0.iter_mut().find(|s| s.entry.table.name == table) {
            screen.open(id);
        }
    }

    /// Opens a new record of `table` belonging to `parent` when its screen is next drawn.
    pub fn open_new_for(&mut self, table: &str, parent: Uuid) {
        if let Some(screen) = self.0.iter_mut().find(|s| s.entry.table.name == table) {
            screen.open_new_for(parent);
        }
    }

    /// Every list is read again when next shown.
    pub fn reload(&mut self) {
        for screen in &mut self.0 {
            screen.dirty = true;
        }
    }

    pub fn saved(&mut self, table: &str, id: Uuid) {
        for screen in &mut self.0 {
            screen.saved(table, id);
        }
    }

    pub fn invalid(&mut self, table: &str, errors: &[FieldError]) {
        for screen in &mut self.0 {
            screen.invalid(table, errors);
        }
    }
}
