//! The toolbar's sync indicator: always says what is true right now, with the last run's numbers
//! in its tooltip and "Sync now" beside it. Returns true when "Sync now" was clicked.

use egui::{Color32, RichText, Ui};

use rainstaff_core::protocol::SyncReport;

use crate::i18n::{Lang, Pick};
use crate::sync_task::{SyncPhase, SyncStatus};

/// The indicator's words and colour for a state.
pub fn describe(lang: Lang, status: &SyncStatus, pending: i64) -> (String, Color32) {
    let grey = Color32::GRAY;
    let green = Color32::from_rgb(0x2e, 0x8b, 0x57);
    let amber = Color32::from_rgb(0xd0, 0x90, 0x20);
    let red = crate::ui::form::ERROR_COLOR;
    match &status.phase {
        SyncPhase::NotSetUp => (lang.t("Eşitleme kurulmadı", "Sync not set up").into(), grey),
        SyncPhase::Syncing => (lang.t("Eşitleniyor…", "Syncing…").into(), amber),
        SyncPhase::Offline { retry_at } => (
            format!(
                "{} {}",
                lang.t("Çevrimdışı, yeniden deneme", "Offline, retrying at"),
                retry_at.format("%H:%M")
            ),
            amber,
        ),
        SyncPhase::Failed(e) => (crate::message::sync_failure(lang, e), red),
        SyncPhase::Idle if pending > 0 => {
            (format!("{pending} {}", lang.t("değişiklik bekliyor", "changes waiting")), amber)
        }
        SyncPhase::Idle => match status.last_success {
            Some(at) => (format!("{} ({})", lang.t("Güncel", "Up to date"), at.format("%H:%M")), green),
            None => (lang.t("Henüz eşitlenmedi", "Not synced yet").into(), grey),
        },
    }
}

/// A run's numbers in words.
pub fn report_text(lang: Lang, r: &SyncReport) -> String {
    format!(
        "{} {} / {} {} · {} {} · {} {} · {} B / {} B · {} ms",
        r.pushed,
        lang.t("gönderildi", "sent"),
        r.pulled,
        lang.t("alındı", "received"),
        r.conflicts,
        lang.t("çakışma", "conflicts"),
        r.rejected,
        lang.t("reddedildi", "rejected"),
        r.bytes_sent,
        r.bytes_received,
        r.duration_ms
    )
}

pub fn show(ui: &mut Ui, lang: Lang, status: &SyncStatus, pending: i64) -> bool {
    let clicked = ui
        .add_enabled(
            status.phase != SyncPhase::Syncing,
            egui::Button::new(lang.t("Şimdi eşitle", "Sync now")),
        )
        .clicked();
    let (text, color) = describe(lang, status, pending);
    let mut tooltip = match &status.last_report {
        Some(r) => format!("{}: {}", lang.t("Son eşitleme", "Last sync"), report_text(lang, r)),
        None => lang.t("Henüz eşitleme yapılmadı", "No sync has run yet").into(),
    };
    if let SyncPhase::Failed(e) = &status.phase {
        tooltip = format!("{e}\n{tooltip}");
    }
    let label = ui.label(RichText::new(text).color(color)).on_hover_text(tooltip);
    // A dot in the state's colour, painted: the bundled fonts have no bullet glyph.
    let dot = label.rect.left_center() - egui::vec2(8.0, 0.0);
    ui.painter().circle_filled(dot, 4.0, color);
    ui.add_space(12.0);
    clicked
}
