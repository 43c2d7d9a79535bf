//! The toolbar's sync indicator: always says what is true right now, with the last run's numbers
//! in its tooltip, "Sync now" beside it and, while the server has refused changes, their count,
//! which opens the list of them.

use egui::{Color32, RichText, Ui};

use rainstaff_core::protocol::SyncReport;

use crate::bus::{SyncPhase, SyncStatus};
use crate::i18n::{Lang, Pick};

/// The colour of a state that needs somebody to look at it.
pub const WARNING_COLOR: Color32 = Color32::from_rgb(0xd0, 0x90, 0x20);

/// What was clicked on the indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clicked {
    SyncNow,
    /// The count of refused changes: open their list.
    Refused,
}

/// The indicator's words and colour for a state.
pub fn describe(lang: Lang, status: &SyncStatus, pending: i64) -> (String, Color32) {
    let grey = Color32::GRAY;
    let green = Color32::from_rgb(0x2e, 0x8b, 0x57);
    let amber = WARNING_COLOR;
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

/// "2 reddedilen değişiklik": how many changes the server refused wait for a manager.
pub fn refused_text(lang: Lang, count: u64) -> String {
    let what = match count {
        1 => lang.t("reddedilen değişiklik", "refused change"),
        _ => lang.t("reddedilen değişiklik", "refused changes"),
    };
    format!("{count} {what}")
}

/// A run's numbers in words; what it left waiting (refused, not yet sent) only when there is any.
pub fn report_text(lang: Lang, r: &SyncReport) -> String {
    let mut text = format!(
        "{} {} / {} {} · {} {} · {} {}",
        r.pushed,
        lang.t("gönderildi", "sent"),
        r.pulled,
        lang.t("alındı", "received"),
        r.conflicts,
        lang.t("çakışma", "conflicts"),
        r.rejected,
        lang.t("reddedildi", "rejected"),
    );
    if r.refused > 0 {
        text.push_str(&format!(" · {}", refused_text(lang, r.refused)));
    }
    if r.pending > 0 {
        text.push_str(&format!(" · {} {}", r.pending, lang.t("gönderilmeyi bekliyor", "waiting to be sent")));
    }
    text.push_str(&format!(" · {} B / {} B · {} ms", r.bytes_sent, r.bytes_received, r.duration_ms));
    text
}

/// Laid out right to left: "Sync now", the state, then the refused changes' count when there are
/// any.
pub fn show(ui: &mut Ui, lang: Lang, status: &SyncStatus, pending: i64, refused: i64) -> Option<Clicked> {
    let mut clicked = ui
        .add_enabled(
            status.phase != SyncPhase::Syncing,
            egui::Button::new(lang.t("Şimdi eşitle", "Sync now")),
        )
        .clicked()
        .then_some(Clicked::SyncNow);
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
    if refused > 0 {
        let text = RichText::new(refused_text(lang, refused as u64)).color(WARNING_COLOR).strong();
        let hint =
            lang.t("Sunucunun reddettiği değişiklikleri göster", "Show the changes the server refused");
        if ui.button(text).on_hover_text(hint).clicked() {
            clicked = Some(Clicked::Refused);
        }
    }
    clicked
}
