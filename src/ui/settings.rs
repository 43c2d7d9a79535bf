//! Settings: language, own password and sign-out; sync enrollment and its last runs; conflicts
//! for managers; the way to the refused changes; backups (and restore, for administrators).

use std::collections::BTreeMap;

use egui::{RichText, Ui};
use rainstaff_core::puantaj::Letters;

use crate::bus::{Command, SyncStatus, Topic};
use crate::db::conflicts::Conflict;
use crate::db::queries::{DEFAULT_BREAK_MINUTES, PUANTAJ_LETTERS_KEY, break_key};
use crate::db::sync::{DEVICE_KEY, REGION_KEY, SERVER_KEY};
use crate::db::users::Role;
use crate::i18n::{Lang, Pick, field_label, region_name};
use crate::message::Message;
use crate::paths::DataDir;
use crate::ui::ctx::Ctx;
use crate::ui::form;

/// The longest break a region may set for a new shift: ten hours.
const MAX_BREAK_MINUTES: i64 = 600;

#[derive(Default)]
pub struct SettingsScreen {
    pub dirty: bool,
    language: Option<Lang>,
    sign_out: bool,
    open_refused: bool,
    old_password: String,
    new_password: String,
    pub password_error: Option<String>,
    server: String,
    code: String,
    sync_error: Option<String>,
    enrollment: Option<(String, String, String)>,
    runs: Vec<(String, bool, String)>,
    conflicts: Vec<Conflict>,
    backups: Vec<std::path::PathBuf>,
    backup_error: Option<String>,
    restore_armed: Option<std::path::PathBuf>,
    /// Each region's break for a new shift, as typed: (region, minutes).
    breaks: Vec<(String, String)>,
    break_error: Option<String>,
    /// The puantaj letters as typed: (name, letter), in `Letters::names` order.
    letters: Vec<(&'static str, String)>,
    letters_error: Option<String>,
}

impl SettingsScreen {
    pub fn take_language(&mut self) -> Option<Lang> {
        self.language.take()
    }

    pub fn take_sign_out(&mut self) -> bool {
        std::mem::take(&mut self.sign_out)
    }

    /// True once after "open the list" of refused changes was clicked.
    pub fn take_open_refused(&mut self) -> bool {
        std::mem::take(&mut self.open_refused)
    }

    /// Shows a failure next to the part of the screen it concerns.
    pub fn failed(&mut self, topic: Topic, message: &str) {
        match topic {
            Topic::Enroll => self.sync_error = Some(message.to_string()),
            Topic::Backup | Topic::Restore => self.backup_error = Some(message.to_string()),
            Topic::Password => self.password_error = Some(message.to_string()),
            _ => {}
        }
    }

    fn reload(&mut self, ctx: &Ctx<'_>) {
        let state = |k| ctx.store.sync_state(k).ok().flatten();
        self.enrollment = match (state(SERVER_KEY), state(DEVICE_KEY), state(REGION_KEY)) {
            (Some(s), Some(d), Some(r)) => Some((s, d, r)),
            _ => None,
        };
        self.runs = ctx.store.sync_runs(5).unwrap_or_default();
        self.conflicts = ctx.store.conflicts(&ctx.user.region).unwrap_or_default();
        self.backups = ctx.store.backups().unwrap_or_default();
        self.breaks = ctx
            .scope
            .regions()
            .iter()
            .map(|r| (r.clone(), ctx.store.default_break(r).unwrap_or(DEFAULT_BREAK_MINUTES).to_string()))
            .collect();
        let letters = ctx.store.puantaj_letters().unwrap_or_default();
        self.letters = Letters::names().into_iter().map(|n| (n, letters.get(n).to_string())).collect();
        self.dirty = false;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, data: &DataDir, sync: &SyncStatus, refused: i64) {
        let lang = ctx.lang;
        if self.dirty {
            self.reload(ctx);
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(lang.t("Ayarlar", "Settings"));
            ui.horizontal(|ui| {
                ui.label(lang.t("Dil:", "Language:"));
                for (l, name) in [(Lang::Tr, "Türkçe"), (Lang::En, "English")] {
                    if ui.selectable_label(lang == l, name).clicked() && lang != l {
                        self.language = Some(l);
                        ctx.send(Command::SetSetting { key: "language".into(), value: l.code().into() });
                    }
                }
                ui.separator();
                if ui.button(lang.t("Çıkış yap", "Sign out")).clicked() {
                    self.sign_out = true;
                }
            });
            ui.separator();
            self.password_ui(ui, ctx);
            ui.separator();
            self.sync_ui(ui, ctx, sync);
            if ctx.user.role != Role::Staff {
                ui.separator();
                self.conflicts_ui(ui, ctx);
            }
            ui.separator();
            self.refused_ui(ui, lang, refused);
            if ctx.user.role == Role::Admin {
                ui.separator();
                self.breaks_ui(ui, ctx);
                ui.separator();
                self.letters_ui(ui, ctx);
            }
            ui.separator();
            self.backups_ui(ui, ctx, data);
        });
    }

    /// The break a new shift starts with, per region (the legacy app's hour unless changed).
    fn breaks_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.strong(lang.t("Yeni vardiyanın molası (dk)", "A new shift's break (min)"));
        let mut save = None;
        egui::Grid::new("default_breaks").num_columns(3).show(ui, |ui| {
            for (region, minutes) in &mut self.breaks {
                let l = ui.label(region_name(lang, region));
                ui.add(egui::TextEdit::singleline(minutes).desired_width(60.0)).labelled_by(l.id);
                if ui.button(lang.t("Kaydet", "Save")).clicked() {
                    save = Some((region.clone(), minutes.trim().to_string()));
                }
                ui.end_row();
            }
        });
        if let Some((region, minutes)) = save {
            match minutes.parse::<i64>() {
                Ok(m) if (0..=MAX_BREAK_MINUTES).contains(&m) => {
                    self.break_error = None;
                    ctx.send(Command::SetSetting { key: break_key(&region), value: m.to_string() });
                }
                _ => {
                    let problem = lang.t("0 ile 600 arasında dakika olmalı", "must be minutes from 0 to 600");
                    self.break_error = Some(format!("{}: {problem}", region_name(lang, &region)));
                }
            }
        }
        if let Some(e) = &self.break_error {
            form::error_line(ui, e);
        }
    }

    /// The letters the puantaj and the week grid use, for an office that writes its own.
    fn letters_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.strong(lang.t("Puantaj harfleri", "Puantaj letters"));
        egui::Grid::new("puantaj_letters").num_columns(2).show(ui, |ui| {
            for (name, letter) in &mut self.letters {
                let l = ui.label(Letters::meaning(name).get(lang));
                ui.add(egui::TextEdit::singleline(letter).desired_width(50.0)).labelled_by(l.id);
                ui.end_row();
            }
        });
        ui.horizontal(|ui| {
            if ui.button(lang.t("Harfleri kaydet", "Save the letters")).clicked() {
                self.save_letters(ctx);
            }
            if ui.button(lang.t("Varsayılanlara dön", "Back to the defaults")).clicked() {
                let defaults = Letters::default();
                for (name, letter) in &mut self.letters {
                    *letter = defaults.get(name).to_string();
                }
                self.save_letters(ctx);
            }
        });
        if let Some(e) = &self.letters_error {
            form::error_line(ui, e);
        }
    }

    /// Stores the letters that differ from the defaults, once every letter is one to four
    /// characters; otherwise names the first that is not.
    fn save_letters(&mut self, ctx: &Ctx<'_>) {
        let typed: BTreeMap<String, String> =
            self.letters.iter().map(|(name, letter)| (name.to_string(), letter.clone())).collect();
        match Letters::with(&typed) {
            Err(e) => self.letters_error = Some(e.message(ctx.lang)),
            Ok(letters) => {
                self.letters_error = None;
                let value = serde_json::to_string(&letters.own()).expect("a map of strings");
                ctx.send(Command::SetSetting { key: PUANTAJ_LETTERS_KEY.into(), value });
            }
        }
    }

    fn password_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.strong(lang.t("Parolamı değiştir", "Change my password"));
        egui::Grid::new("own_password").num_columns(2).show(ui, |ui| {
            form::row(ui, lang.t("Mevcut parola", "Current password"), None, |ui| {
                ui.add(egui::TextEdit::singleline(&mut self.old_password).password(true))
            });
            form::row(ui, lang.t("Yeni parola", "New password"), None, |ui| {
                ui.add(egui::TextEdit::singleline(&mut self.new_password).password(true))
            });
        });
        if ui.button(lang.t("Parolayı değiştir", "Change password")).clicked() {
            match crate::db::users::check_new_password(&self.new_password) {
                Err(e) => self.password_error = Some(crate::message::field_text(lang, &e)),
                Ok(()) => {
                    self.password_error = None;
                    ctx.send(Command::ChangeOwnPassword {
                        old: std::mem::take(&mut self.old_password),
                        new: std::mem::take(&mut self.new_password),
                    });
                }
            }
        }
        if let Some(e) = &self.password_error {
            form::error_line(ui, e);
        }
    }

    fn sync_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, sync: &SyncStatus) {
        let lang = ctx.lang;
        ui.strong(lang.t("Eşitleme", "Sync"));
        let (state, _) = super::sync_indicator::describe(lang, sync, ctx.store.pending_count().unwrap_or(0));
        ui.label(state);
        if let Some((server, device, region)) = &self.enrollment {
            ui.label(format!("{}: {server}", lang.t("Sunucu", "Server")));
            ui.label(format!("{}: {device}", lang.t("Cihaz", "Device")));
            ui.label(format!("{}: {}", lang.t("Bölge", "Region"), crate::i18n::region_name(lang, region)));
        }
        if ctx.user.role == Role::Admin || self.enrollment.is_none() {
            egui::Grid::new("enroll").num_columns(2).show(ui, |ui| {
                form::text(ui, lang.t("Sunucu adresi", "Server URL"), &mut self.server, None);
                form::text(ui, lang.t("Tek kullanımlık kod", "One-time code"), &mut self.code, None);
            });
            if ui.button(lang.t("Bu bilgisayarı kaydet", "Enroll this computer")).clicked() {
                self.sync_error = None;
                ctx.send(Command::Enroll {
                    server: self.server.trim().to_string(),
                    code: std::mem::take(&mut self.code),
                    name: crate::db::audit::computer_name(),
                });
            }
        }
        if let Some(e) = &self.sync_error {
            form::error_line(ui, e);
        }
        if !self.runs.is_empty() {
            ui.label(RichText::new(lang.t("Son eşitlemeler", "Last runs")).weak());
            for (at, ok, text) in &self.runs {
                let at = form::local_time(at);
                // Runs recorded before failures were kept as JSON hold plain English; shown as is.
                let what = match ok {
                    true => serde_json::from_str(text).map(|r| super::sync_indicator::report_text(lang, &r)),
                    false => serde_json::from_str(text).map(|e| Message::Sync(e).text(lang)),
                }
                .unwrap_or_else(|_| text.clone());
                let line = format!("{at} · {what}");
                if *ok {
                    ui.label(RichText::new(line).small());
                } else {
                    ui.label(RichText::new(line).small().color(form::ERROR_COLOR));
                }
            }
        }
    }

    fn conflicts_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.strong(lang.t("Çakışmalar", "Conflicts"));
        if self.conflicts.is_empty() {
            ui.label(lang.t("Açık çakışma yok", "No open conflicts"));
        }
        let value = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "—".into(),
            other => other.to_string(),
        };
        for c in &self.conflicts {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{} · {} · {}:",
                    c.table,
                    rainstaff_core::regions::display_name(&c.region),
                    field_label(lang, &c.field)
                ));
                let keep_now = format!("{} «{}»", lang.t("Şimdiki", "Current"), value(&c.device_value));
                let keep_old = format!("{} «{}»", lang.t("Önceki", "Earlier"), value(&c.server_value));
                if ui.button(keep_now).clicked() {
                    ctx.send(Command::ResolveConflict { id: c.id, keep_server_value: false });
                }
                if ui.button(keep_old).clicked() {
                    ctx.send(Command::ResolveConflict { id: c.id, keep_server_value: true });
                }
            });
        }
    }

    fn refused_ui(&mut self, ui: &mut Ui, lang: Lang, refused: i64) {
        ui.strong(lang.t("Reddedilen değişiklikler", "Refused changes"));
        ui.horizontal(|ui| {
            if refused > 0 {
                let text = super::sync_indicator::refused_text(lang, refused as u64);
                ui.label(RichText::new(text).color(super::sync_indicator::WARNING_COLOR));
            } else {
                ui.label(lang.t("Reddedilen değişiklik yok", "No refused changes"));
            }
            if ui.button(lang.t("Listeyi aç", "Open the list")).clicked() {
                self.open_refused = true;
            }
        });
    }

    fn backups_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, data: &DataDir) {
        let lang = ctx.lang;
        ui.strong(lang.t("Yedekler", "Backups"));
        ui.label(
            RichText::new(format!("{}: {}", lang.t("Veri klasörü", "Data folder"), data.root().display()))
                .small(),
        );
        if ui.button(lang.t("Şimdi yedekle", "Back up now")).clicked() {
            self.backup_error = None;
            ctx.send(Command::BackupNow);
        }
        for path in &self.backups {
            ui.horizontal(|ui| {
                ui.label(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
                if ctx.user.role == Role::Admin {
                    if self.restore_armed.as_ref() == Some(path) {
                        if ui.button(lang.t("Eminim, geri yükle", "Yes, restore it")).clicked() {
                            ctx.send(Command::Restore { path: path.clone() });
                            self.restore_armed = None;
                        }
                    } else if ui.button(lang.t("Geri yükle…", "Restore…")).clicked() {
                        self.restore_armed = Some(path.clone());
                    }
                }
            });
        }
        if let Some(e) = &self.backup_error {
            form::error_line(ui, e);
        }
    }
}
