//! Sign-in, and on the very first start the creation of the administrator: there is no default
//! account and no default password anywhere.

use egui::Ui;

use crate::bus::Command;
use crate::i18n::{Lang, Pick};
use crate::message::field_text;
use crate::ui::form;
use rainstaff_core::validate::{FieldError, Problem};

#[derive(Default)]
pub struct LoginScreen {
    first_run: bool,
    username: String,
    password: String,
    repeat: String,
    pub error: Option<String>,
    /// The field that takes the keyboard when next drawn: the name when the screen opens, the
    /// password again after a failed attempt.
    focus_name: bool,
    focus_password: bool,
}

impl LoginScreen {
    pub fn new(first_run: bool) -> Self {
        LoginScreen { first_run, focus_name: true, ..Default::default() }
    }

    /// Empties the screen for the next sign-in.
    pub fn clear(&mut self) {
        *self = LoginScreen::new(false);
    }

    /// A sign-in was refused: say why, and take the password again.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
        self.password.clear();
        self.focus_password = true;
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<Command> {
        let mut command = None;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(60.0);
                ui.heading("Rainstaff");
                ui.add_space(12.0);
                if self.first_run {
                    ui.label(lang.t(
                        "İlk açılış: yönetici hesabını oluşturun.",
                        "First start: create the administrator account.",
                    ));
                } else {
                    ui.label(lang.t("Lütfen giriş yapın", "Please sign in"));
                }
                ui.add_space(8.0);
            });
            let pad = ((ui.available_width() - 340.0) / 2.0).max(0.0);
            ui.horizontal(|ui| {
                ui.add_space(pad);
                ui.vertical(|ui| self.form(ui, lang, &mut command));
            });
        });
        command
    }

    fn form(&mut self, ui: &mut Ui, lang: Lang, command: &mut Option<Command>) {
        egui::Grid::new("login").num_columns(2).show(ui, |ui| {
            let name = form::text(ui, lang.t("Kullanıcı adı", "Username"), &mut self.username, None);
            form::focus_once(&name, &mut self.focus_name);
            let password = form::row(ui, lang.t("Parola", "Password"), None, |ui| {
                ui.add(egui::TextEdit::singleline(&mut self.password).password(true).desired_width(220.0))
            });
            form::focus_once(&password, &mut self.focus_password);
            if self.first_run {
                form::row(ui, lang.t("Parola (tekrar)", "Repeat password"), None, |ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.repeat).password(true).desired_width(220.0))
                });
            }
        });
        let label = if self.first_run {
            lang.t("Yöneticiyi oluştur", "Create administrator")
        } else {
            lang.t("Giriş", "Sign in")
        };
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(label).clicked() || enter {
            *command = self.submit(lang);
        }
        if let Some(error) = &self.error {
            form::error_line(ui, error);
        }
        ui.add_space(16.0);
        if ui.link(lang.t("Kullanım kılavuzu (F1)", "User guide (F1)")).clicked() {
            *command = Some(Command::WriteHelp);
        }
    }

    fn submit(&mut self, lang: Lang) -> Option<Command> {
        let username = self.username.trim().to_string();
        if username.is_empty() {
            self.error = Some(field_text(lang, &FieldError::new("username", Problem::Required)));
            return None;
        }
        if !self.first_run {
            return Some(Command::SignIn { username, password: self.password.clone() });
        }
        if let Err(e) = crate::db::users::check_new_password(&self.password) {
            self.error = Some(field_text(lang, &e));
            return None;
        }
        if self.password != self.repeat {
            self.error = Some(lang.t("Parolalar aynı değil", "The passwords differ").into());
            return None;
        }
        Some(Command::CreateFirstAdmin { username, password: self.password.clone() })
    }
}
