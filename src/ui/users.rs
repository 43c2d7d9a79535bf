//! Accounts, for administrators: create them with a role and a region, set a password (imported
//! accounts have none), disable and enable them.

use egui::Ui;
use egui_extras::{Column, TableBuilder};
use uuid::Uuid;

use crate::bus::Command;
use crate::db::users::{Role, User};
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::form;
use crate::ui::widgets;

#[derive(Default)]
pub struct UsersScreen {
    pub dirty: bool,
    list: Vec<User>,
    username: String,
    password: String,
    role: Option<Role>,
    region: String,
    error: Option<String>,
    password_for: Option<(Uuid, String)>,
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Staff => lang.t("Personel girişi", "Staff"),
        Role::Manager => lang.t("Yönetici", "Manager"),
        Role::Admin => lang.t("Sistem yöneticisi", "Administrator"),
    }
}

impl UsersScreen {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if ctx.user.role != Role::Admin {
            return;
        }
        if self.dirty {
            self.list = ctx.store.users().unwrap_or_default();
            self.dirty = false;
        }
        ui.heading(lang.t("Kullanıcılar", "Users"));
        ui.group(|ui| {
            ui.label(lang.t("Yeni kullanıcı", "New user"));
            egui::Grid::new("new_user").num_columns(2).show(ui, |ui| {
                form::text(ui, lang.t("Kullanıcı adı", "Username"), &mut self.username, None);
                form::row(ui, lang.t("Parola", "Password"), None, |ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.password).password(true))
                });
                let role = self.role.get_or_insert(Role::Staff);
                form::row(ui, lang.t("Rol", "Role"), None, |ui| {
                    egui::ComboBox::from_id_salt("role")
                        .selected_text(role_label(lang, *role))
                        .show_ui(ui, |ui| {
                            for r in Role::ALL {
                                form::choice(ui, role, r, role_label(lang, r));
                            }
                        })
                        .response
                });
                if *role == Role::Admin {
                    self.region = rainstaff_core::protocol::ALL_REGIONS.into();
                } else if self.region.is_empty() || self.region == rainstaff_core::protocol::ALL_REGIONS {
                    self.region = ctx.scope.regions().first().cloned().unwrap_or_default();
                }
                form::row(ui, lang.t("Bölge", "Region"), None, |ui| {
                    widgets::region_combo(ui, ctx, &mut self.region, *role != Role::Admin)
                });
            });
            if ui.button(lang.t("Kullanıcı ekle", "Add user")).clicked() {
                match crate::db::users::check_new_password(&self.password) {
                    Err(e) => self.error = Some(crate::message::field_text(lang, &e)),
                    Ok(()) => {
                        self.error = None;
                        ctx.send(Command::CreateUser {
                            username: std::mem::take(&mut self.username),
                            password: std::mem::take(&mut self.password),
                            role: self.role.unwrap_or(Role::Staff),
                            region: self.region.clone(),
                        });
                    }
                }
            }
            if let Some(e) = &self.error {
                form::error_line(ui, e);
            }
        });
        let mut command = None;
        TableBuilder::new(ui)
            .striped(true)
            .columns(Column::auto().at_least(120.0), 4)
            .column(Column::remainder())
            .header(22.0, |mut h| {
                for label in [
                    lang.t("Kullanıcı adı", "Username"),
                    lang.t("Rol", "Role"),
                    lang.t("Bölge", "Region"),
                    lang.t("Durum", "Status"),
                    lang.t("İşlem", "Actions"),
                ] {
                    h.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|body| {
                body.rows(26.0, self.list.len(), |mut row| {
                    let u = &self.list[row.index()];
                    row.col(|ui| {
                        ui.label(&u.username);
                    });
                    row.col(|ui| {
                        ui.label(role_label(lang, u.role));
                    });
                    row.col(|ui| {
                        ui.label(rainstaff_core::regions::display_name(&u.region));
                    });
                    row.col(|ui| {
                        ui.label(match (u.active, u.needs_password) {
                            (false, _) => lang.t("Kapalı", "Disabled"),
                            (true, true) => lang.t("Parola bekliyor", "Needs a password"),
                            (true, false) => lang.t("Aktif", "Active"),
                        });
                    });
                    row.col(|ui| {
                        match &mut self.password_for {
                            Some((id, password)) if *id == u.id => {
                                let l = ui.label(lang.t("Yeni parola", "New password"));
                                ui.add(
                                    egui::TextEdit::singleline(password).password(true).desired_width(120.0),
                                )
                                .labelled_by(l.id);
                                if ui.button(lang.t("Kaydet", "Save")).clicked() {
                                    command =
                                        Some(Command::SetPassword { id: u.id, password: password.clone() });
                                }
                            }
                            _ => {
                                if ui.button(lang.t("Parola belirle", "Set password")).clicked() {
                                    self.password_for = Some((u.id, String::new()));
                                }
                            }
                        }
                        if u.id != ctx.user.id {
                            let label =
                                if u.active { lang.t("Kapat", "Disable") } else { lang.t("Aç", "Enable") };
                            if ui.button(label).clicked() {
                                command = Some(Command::SetUserActive { id: u.id, active: !u.active });
                            }
                        }
                    });
                });
            });
        if let Some(c) = command {
            if let Command::SetPassword { password, .. } = &c {
                if let Err(e) = crate::db::users::check_new_password(password) {
                    self.error = Some(crate::message::field_text(ctx.lang, &e));
                    return;
                }
                self.password_for = None;
            }
            ctx.send(c);
        }
    }
}
