//! Kayıtlar / Log: the audit trail of this PC and of every PC whose entries sync brought, for
//! managers (their region's) and administrators (every region's), filtered by user, action,
//! days and record.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::audit::{action_label, describe_changes};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::AUDIT_ACTIONS;

use crate::db::audit::{Filter, Logged};
use crate::db::users::Role;
use crate::i18n::{Pick, region_name};
use crate::ui::ctx::Ctx;
use crate::ui::form;

/// The most entries the screen lists at once; the filters find older ones.
const SHOWN: usize = 500;

#[derive(Default)]
pub struct LogScreen {
    pub dirty: bool,
    username: String,
    action: Option<String>,
    from: String,
    to: String,
    record: String,
    /// The filter the list was read with, and what it read.
    read: Option<(Filter, Vec<Logged>)>,
    error: Option<String>,
}

impl LogScreen {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.heading(lang.t("Kayıtlar", "Log"));
        egui::Grid::new("log_filters").num_columns(2).show(ui, |ui| {
            form::text(ui, lang.t("Kullanıcı adı", "Username"), &mut self.username, None);
            form::row(ui, lang.t("İşlem", "Action"), None, |ui| {
                let shown = self.action.as_deref().map_or(lang.t("Tümü", "All"), |a| action_label(lang, a));
                egui::ComboBox::from_id_salt("log_action")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        form::choice(ui, &mut self.action, None, lang.t("Tümü", "All"));
                        for c in AUDIT_ACTIONS {
                            form::choice(ui, &mut self.action, Some(c.value.to_string()), c.label.get(lang));
                        }
                    })
                    .response
            });
            form::date(ui, lang, lang.t("Başlangıç", "From"), &mut self.from, None, ctx.today);
            form::date(ui, lang, lang.t("Bitiş", "To"), &mut self.to, None, ctx.today);
            form::text(ui, lang.t("Kayıt", "Record"), &mut self.record, None);
        });
        match self.filter(ctx) {
            Err(e) => {
                self.error = Some(e);
            }
            Ok(filter) => {
                self.error = None;
                if self.dirty || self.read.as_ref().is_none_or(|(read, _)| *read != filter) {
                    self.dirty = false;
                    match ctx.store.audit_entries(&filter) {
                        Ok(entries) => self.read = Some((filter, entries)),
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
            }
        }
        if let Some(e) = &self.error {
            form::error_line(ui, e);
            return;
        }
        let Some((_, entries)) = &self.read else { return };
        if entries.is_empty() {
            ui.label(lang.t(
                "Bu süzgeçlere uyan kayıt yok: süzgeçleri gevşetin ya da tarih aralığını genişletin.",
                "No entries match these filters: loosen them or widen the dates.",
            ));
            return;
        }
        if entries.len() == SHOWN {
            ui.label(
                RichText::new(lang.t(
                    "En yeni 500 kayıt gösteriliyor; daha eskileri için tarih aralığını daraltın.",
                    "Showing the newest 500 entries; narrow the dates to see older ones.",
                ))
                .weak(),
            );
        }
        show_entries(ui, ctx, entries);
    }

    /// The filter the fields say, within what the person may read; a date that is not one is
    /// said about its field.
    fn filter(&self, ctx: &Ctx<'_>) -> Result<Filter, String> {
        let lang = ctx.lang;
        let (from, to) = form::date_range(
            lang,
            (lang.t("Başlangıç", "From"), &self.from),
            (lang.t("Bitiş", "To"), &self.to),
            lang.t("Bitiş, başlangıçtan önce olamaz", "To cannot be before From"),
        )?;
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let every_region = ctx.user.role == Role::Admin && ctx.user.region == ALL_REGIONS;
        Ok(Filter {
            region: (!every_region).then(|| ctx.user.region.clone()),
            username: given(&self.username),
            action: self.action.clone(),
            from,
            to,
            record: given(&self.record),
            limit: Some(SHOWN),
        })
    }
}

fn show_entries(ui: &mut Ui, ctx: &Ctx<'_>, entries: &[Logged]) {
    let lang = ctx.lang;
    TableBuilder::new(ui)
        .striped(true)
        .column(Column::auto().at_least(120.0))
        .columns(Column::auto().at_least(90.0), 4)
        .column(Column::auto().at_least(160.0).clip(true))
        .column(Column::remainder().at_least(200.0).clip(true))
        .header(24.0, |mut header| {
            for label in [
                lang.t("Zaman", "Time"),
                lang.t("Kullanıcı", "User"),
                lang.t("Bilgisayar", "Computer"),
                lang.t("Bölge", "Region"),
                lang.t("İşlem", "Action"),
                lang.t("Kayıt", "Record"),
                lang.t("Değişiklikler", "Changes"),
            ] {
                header.col(|ui| {
                    ui.strong(label);
                });
            }
        })
        .body(|body| {
            body.rows(22.0, entries.len(), |mut row| {
                let e = &entries[row.index()];
                let region = region_name(lang, &e.region);
                for text in [
                    form::local_time(&e.at).as_str(),
                    &e.username,
                    &e.device,
                    region,
                    action_label(lang, &e.action),
                ] {
                    row.col(|ui| {
                        ui.add(egui::Label::new(text).truncate());
                    });
                }
                for text in [
                    e.record.clone().unwrap_or_default(),
                    e.changes
                        .as_deref()
                        .map(|c| describe_changes(lang, e.table_name.as_deref(), c))
                        .unwrap_or_default(),
                ] {
                    row.col(|ui| {
                        ui.add(egui::Label::new(&text).truncate()).on_hover_text(&text);
                    });
                }
            });
        });
}
