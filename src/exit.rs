//! Leaving the app from the keyboard (Ctrl+Q) or File → Exit. Both only ask the window to close,
//! exactly like its close button, so there is one way out: eframe drops the app, and dropping its
//! worker finishes the commands already sent and stops the sync thread (see `Worker`'s `Drop`).

use egui::{Button, KeyboardShortcut, Modifiers, Ui, ViewportCommand};

use crate::i18n::{Lang, Pick};

/// Ctrl+Q (Cmd+Q on a Mac), where people expect it on Linux and in many Windows programs.
pub const SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, egui::Key::Q);

/// Closes the window if Ctrl+Q was pressed this frame; called on every screen, sign-in included.
pub fn on_shortcut(ui: &mut Ui) {
    if ui.input_mut(|i| i.consume_shortcut(&SHORTCUT)) {
        ui.ctx().send_viewport_cmd(ViewportCommand::Close);
    }
}

/// The File menu's last item.
pub fn menu_item(ui: &mut Ui, lang: Lang) {
    let shortcut = ui.ctx().format_shortcut(&SHORTCUT);
    if ui.add(Button::new(lang.t("Çıkış", "Exit")).shortcut_text(shortcut)).clicked() {
        ui.close();
        ui.ctx().send_viewport_cmd(ViewportCommand::Close);
    }
}
