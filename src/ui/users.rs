//! Accounts, for administrators: create them with a role and a region, change an account's role
//! and region, set its password (imported accounts have none), and disable it (asked first) or
//! enable it again. A password is typed twice wherever it is set.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::protocol::ALL_REGIONS;
use uuid::Uuid;

use crate::bus::{Command, Topic};
use crate::db::users::{Role, User, check_new_password};
use crate::i18n::{Lang, Pick, region_name};
use crate::message::field_text;
use crate::ui::ctx::Ctx;
use crate::ui::form;
use crate::ui::widgets;

#[derive(Default)]
pub struct UsersScreen {
    pub dirty: bool,
    list: Vec<User>,
    new: Account,
    /// The account whose role, region or password is being changed.
    editing: Option<Account>,
    /// The account the disable dialog asks about.
    disabling: Option<User>,
    error: Option<String>,
}

/// What a form holds of an account; `id` None for a new one.
#[derive(Default, Clone)]
struct Account {
    id: Option<Uuid>,
    username: String,
    role: Option<Role>,
    region: String,
    password: String,
    repeat: String,
}

impl Account {
    fn of(user: &User) -> Account {
        Account {
            id: Some(user.id),
            username: user.username.clone(),
            role: Some(user.role),
            region: user.region.clone(),
            ..Account::default()
        }
    }

    /// The password typed twice alike and long enough, or why not, said about its field.
    fn password(&self, lang: Lang, repeat_label: &str) -> Result<String, String> {
        check_new_password(&self.password).map_err(|e| field_text(lang, &e))?;
        if self.password != self.repeat {
            return Err(format!(
                "{repeat_label}: {}",
                lang.t("parolalar aynı değil", "the passwords differ")
            ));
        }
        Ok(self.password.clone())
    }
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Staff => lang.t("Personel girişi", "Staff"),
        Role::Manager => lang.t("Yönetici", "Manager"),
        Role::Admin => lang.t("Sistem yöneticisi", "Administrator"),
    }
}

impl UsersScreen {
    /// A refusal of an account change, shown on this screen.
    pub fn failed(&mut self, topic: Topic, message: &str) {
        if topic == Topic::Users {
            self.error = Some(message.to_string());
        }
    }

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
        if let Some(e) = &self.error {
            form::error_line(ui, e);
        }
        ui.group(|ui| self.new_user_ui(ui, ctx));
        self.table(ui, ctx);
        if self.editing.is_some() {
            ui.push_id("editing", |ui| ui.group(|ui| self.editing_ui(ui, ctx)));
        }
        self.disable_dialog(ui, ctx);
    }

    fn new_user_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.label(lang.t("Yeni kullanıcı", "New user"));
        let repeat_label = lang.t("Parola (tekrar)", "Repeat password");
        egui::Grid::new("new_user").num_columns(2).show(ui, |ui| {
            form::text(ui, lang.t("Kullanıcı adı", "Username"), &mut self.new.username, None);
            password_rows(ui, lang.t("Parola", "Password"), repeat_label, &mut self.new);
            role_rows(ui, ctx, &mut self.new);
        });
        ui.horizontal(|ui| {
            if ui.button(lang.t("Kullanıcı ekle", "Add user")).clicked() {
                match self.new.password(lang, repeat_label) {
                    Err(e) => self.error = Some(e),
                    Ok(password) => {
                        self.error = None;
                        let new = std::mem::take(&mut self.new);
                        ctx.send(Command::CreateUser {
                            username: new.username,
                            password,
                            role: new.role.unwrap_or(Role::Staff),
                            region: new.region,
                        });
                    }
                }
            }
            if ui.button(lang.t("Vazgeç", "Cancel")).clicked() {
                self.new = Account::default();
                self.error = None;
            }
        });
    }

    fn table(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let mut command = None;
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
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
                        ui.label(region_name(lang, &u.region));
                    });
                    row.col(|ui| {
                        ui.label(match (u.active, u.needs_password) {
                            (false, _) => lang.t("Devre dışı", "Disabled"),
                            (true, true) => lang.t("Parola bekliyor", "Needs a password"),
                            (true, false) => lang.t("Etkin", "Active"),
                        });
                    });
                    // Side by side: stacked, the second button runs into the next row.
                    row.col(|ui| {
                        ui.horizontal(|ui| {
                            if ui.button(lang.t("Düzenle", "Edit")).clicked() {
                                self.editing = Some(Account::of(u));
                                self.error = None;
                            }
                            if u.id == ctx.user.id {
                                return;
                            }
                            if !u.active {
                                if ui.button(lang.t("Etkinleştir", "Enable")).clicked() {
                                    command = Some(Command::SetUserActive { id: u.id, active: true });
                                }
                            } else if ui
                                .button(lang.t("Hesabı devre dışı bırak…", "Disable account…"))
                                .clicked()
                            {
                                self.disabling = Some(u.clone());
                            }
                        });
                    });
                });
            });
        if let Some(c) = command {
            ctx.send(c);
        }
    }

    /// One account's role, region and password, each saved on its own.
    fn editing_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let Some(account) = &mut self.editing else { return };
        let Some(id) = account.id else { return };
        ui.strong(format!("{}: {}", lang.t("Hesap", "Account"), account.username));
        let repeat_label = lang.t("Yeni parola (tekrar)", "Repeat new password");
        egui::Grid::new("edit_user").num_columns(2).show(ui, |ui| role_rows(ui, ctx, account));
        let mut close = false;
        if ui.button(lang.t("Rolü ve bölgeyi kaydet", "Save role and region")).clicked() {
            let role = account.role.unwrap_or(Role::Staff);
            ctx.send(Command::SetUserRole { id, role, region: account.region.clone() });
            close = true;
        }
        ui.separator();
        egui::Grid::new("edit_password").num_columns(2).show(ui, |ui| {
            password_rows(ui, lang.t("Yeni parola", "New password"), repeat_label, account);
        });
        ui.horizontal(|ui| {
            if ui.button(lang.t("Parolayı kaydet", "Save password")).clicked() {
                match account.password(lang, repeat_label) {
                    Err(e) => self.error = Some(e),
                    Ok(password) => {
                        ctx.send(Command::SetPassword { id, password });
                        close = true;
                    }
                }
            }
            close |= ui.button(lang.t("Vazgeç", "Cancel")).clicked();
        });
        if close {
            self.editing = None;
        }
    }

    /// Asks before an account is disabled, naming it: its person can no longer sign in.
    fn disable_dialog(&mut self, ui: &Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let Some(user) = &self.disabling else { return };
        let mut open = true;
        let response = egui::Modal::new(egui::Id::unique("disable_user")).show(ui.ctx(), |ui| {
            ui.set_min_width(380.0);
            ui.heading(lang.t("Hesabı devre dışı bırak", "Disable account"));
            ui.label(RichText::new(match lang {
                Lang::Tr => format!("«{}» hesabı devre dışı bırakılsın mı?", user.username),
                Lang::En => format!("Disable the account «{}»?", user.username),
            }));
            ui.label(lang.t(
                "Bu kişi artık oturum açamaz; girdiği kayıtlar kalır. Hesap yeniden etkinleştirilebilir.",
                "The person can no longer sign in; what they entered stays. The account can be enabled again.",
            ));
            ui.horizontal(|ui| {
                if ui.button(lang.t("Devre dışı bırak", "Disable")).clicked() {
                    ctx.send(Command::SetUserActive { id: user.id, active: false });
                    open = false;
                }
                // The safe choice has the keyboard: Enter keeps the account.
                let cancel = ui.button(lang.t("Vazgeç", "Cancel"));
                if !cancel.has_focus() && ui.memory(|m| m.focused().is_none()) {
                    cancel.request_focus();
                }
                open &= !cancel.clicked();
            });
        });
        if !open || response.should_close() {
            self.disabling = None;
        }
    }
}

/// A password and its repetition, as two rows of a grid.
fn password_rows(ui: &mut Ui, label: &str, repeat_label: &str, account: &mut Account) {
    for (label, value) in [(label, &mut account.password), (repeat_label, &mut account.repeat)] {
        form::row(ui, label, None, |ui| ui.add(egui::TextEdit::singleline(value).password(true)));
    }
}

/// The role and, for any role but the administrators' (who work everywhere), the region.
fn role_rows(ui: &mut Ui, ctx: &Ctx<'_>, account: &mut Account) {
    let lang = ctx.lang;
    let role = account.role.get_or_insert(Role::Staff);
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
        account.region = ALL_REGIONS.into();
    } else if account.region.is_empty() || account.region == ALL_REGIONS {
        account.region = ctx.scope.regions().first().cloned().unwrap_or_default();
    }
    form::row(ui, lang.t("Bölge", "Region"), None, |ui| {
        widgets::region_combo(ui, ctx, ctx.scope.regions(), &mut account.region, *role != Role::Admin)
    });
}
