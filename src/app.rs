//! The eframe application: which screen is open, the toolbar, and the events coming back from the
//! worker. It shows who is signed in as the worker's sign-in answered; the worker keeps the session
//! its commands run as. Screens live in `ui/`, one module each, and never import this one.

use chrono::NaiveDate;
use egui::{RichText, Ui};

use crate::bus::{Command, Event, Notifier, SyncPhase, SyncStatus, Topic};
use crate::db::read::ReadStore;
use crate::db::scope::Scope;
use crate::db::users::User;
use crate::i18n::{Lang, Pick};
use crate::paths::DataDir;
use crate::ui;
use crate::ui::ctx::{Ctx, Goto};
use crate::worker::Worker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Özet, the first screen after sign-in.
    Overview,
    Employees,
    Timesheets,
    /// Haftalık giriş: a region's week typed as a spreadsheet.
    WeekGrid,
    Reports,
    /// Ay sonu: a region's month at a glance, for managers and administrators.
    MonthEnd,
    /// A record screen of `ui::record::registry::SCREENS`, by its table's name.
    Record(&'static str),
    Users,
    Holidays,
    Settings,
    /// The changes the server refused; opened from the sync indicator or Settings.
    Refused,
    /// One vehicle's history, opened from its form.
    VehicleCard,
    /// Kayıtlar: who did what, for managers and administrators.
    Log,
}

/// The most the toolbar gives the signed-in name and region.
const NAME_WIDTH: f32 = 240.0;

pub struct App {
    pub data: DataDir,
    worker: Worker,
    store: ReadStore,
    pub lang: Lang,
    pub session: Option<User>,
    pub screen: Screen,
    /// The day the app considers today; tests fix it so that screens do not depend on the clock.
    pub today: NaiveDate,
    login: ui::login::LoginScreen,
    pub overview: ui::overview::OverviewScreen,
    pub employees: ui::employees::EmployeesScreen,
    pub timesheets: ui::timesheets::TimesheetsScreen,
    pub week_grid: ui::week_grid::WeekGridScreen,
    pub reports: ui::reports::ReportsScreen,
    pub month_end: ui::month_end::MonthEndScreen,
    pub records: ui::record::registry::RecordScreens,
    users: ui::users::UsersScreen,
    holidays: ui::holidays::HolidaysScreen,
    log: ui::log::LogScreen,
    settings: ui::settings::SettingsScreen,
    refused_changes: ui::refused::RefusedScreen,
    pub vehicle_card: ui::vehicle_card::VehicleCardScreen,
    pub import: ui::import::ImportDialog,
    pub sheet: ui::sheet::SheetDialog,
    pub sync: SyncStatus,
    pub pending: i64,
    scope: Scope,
    /// Refused changes in the signed-in user's regions, for the indicator.
    pub refused: i64,
    /// The last message for the status bar: (is_error, text).
    pub message: Option<(bool, String)>,
    /// Keys typed after a Tab, waiting for the frame after the focus moved.
    pub held_keys: ui::keys::HeldKeys,
    /// This session's deletes, to undo.
    undo: ui::undo::UndoList,
    /// The worker found the store damaged: this screen replaces the app's.
    damaged: Option<ui::damaged::DamagedScreen>,
}

/// What the window opens on.
pub enum Start {
    App(Box<App>),
    /// The store could not be read as the window opened, or failed the check a store about to be
    /// migrated gets first: only the screen that says so and how to restore a backup. (An
    /// unchanged store is checked by the worker, and `App` shows the same screen.)
    Damaged(ui::damaged::DamagedScreen),
}

/// Opens the app, or, when its store is damaged or unreadable, the screen that says so instead of
/// an app working on it. Any other failure to start is an error.
pub fn start(data: DataDir, ctx: &egui::Context) -> anyhow::Result<Start> {
    let path = data.store();
    match App::new(data, ctx) {
        Ok(app) => Ok(Start::App(Box::new(app))),
        Err(e) => match e.downcast_ref::<crate::db::StoreError>().and_then(|e| e.damage(&path)) {
            Some(damage) => {
                tracing::error!("{damage}");
                Ok(Start::Damaged(ui::damaged::DamagedScreen { damage }))
            }
            None => Err(e),
        },
    }
}

impl Start {
    pub fn into_app(self) -> Box<dyn eframe::App> {
        match self {
            Start::App(app) => app,
            Start::Damaged(screen) => Box::new(screen),
        }
    }
}

impl App {
    pub fn new(data: DataDir, ctx: &egui::Context) -> anyhow::Result<App> {
        let worker = Worker::start(data.clone(), Notifier::new(ctx.clone()))?;
        let store = ReadStore::open(&data.store())?;
        let lang = store.setting("language")?.and_then(|c| Lang::from_code(&c)).unwrap_or_default();
        let first_run = !store.has_users()?;
        let mut app = App {
            data,
            worker,
            store,
            lang,
            session: None,
            screen: Screen::Overview,
            today: chrono::Local::now().date_naive(),
            login: ui::login::LoginScreen::new(first_run),
            overview: Default::default(),
            employees: Default::default(),
            timesheets: Default::default(),
            week_grid: Default::default(),
            reports: Default::default(),
            month_end: Default::default(),
            records: Default::default(),
            users: Default::default(),
            holidays: Default::default(),
            log: Default::default(),
            settings: Default::default(),
            refused_changes: Default::default(),
            vehicle_card: Default::default(),
            import: Default::default(),
            sheet: Default::default(),
            sync: SyncStatus { phase: SyncPhase::Idle, last_success: None, last_report: None },
            pending: 0,
            scope: Scope::default(),
            refused: 0,
            message: None,
            held_keys: Default::default(),
            undo: Default::default(),
            damaged: None,
        };
        app.reload();
        Ok(app)
    }

    /// True when the worker has answered everything sent so far (tests wait for this).
    pub fn is_idle(&self) -> bool {
        self.worker.is_idle()
    }

    fn reload(&mut self) {
        self.count_waiting();
        self.scope = match &self.session {
            Some(user) => self.store.scope(user).unwrap_or_default(),
            None => Scope::default(),
        };
        self.overview.dirty = true;
        self.employees.dirty = true;
        self.timesheets.dirty = true;
        self.week_grid.dirty = true;
        self.reports.dirty = true;
        self.month_end.dirty = true;
        self.records.reload();
        self.users.dirty = true;
        self.holidays.dirty = true;
        self.log.dirty = true;
        self.settings.dirty = true;
        self.refused_changes.dirty = true;
        self.vehicle_card.dirty = true;
    }

    /// The changes waiting to be sent, and the refused ones the person signed in can see.
    fn count_waiting(&mut self) {
        self.pending = self.store.pending_count().unwrap_or(0);
        self.refused = match &self.session {
            Some(user) => self.store.refused_changes(&user.region).map_or(0, |list| list.len() as i64),
            None => 0,
        };
    }

    fn poll_events(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.worker.events.try_recv() {
            match event {
                Event::SignedIn(user) => {
                    self.login.clear();
                    // The deletes to undo were the last person's.
                    self.undo = Default::default();
                    self.worker.send(Command::SeedTemplates);
                    self.message = None;
                    self.session = Some(user);
                    self.screen = Screen::Overview;
                    self.reload();
                }
                Event::AuthFailed(message) => self.login.failed(message.text(self.lang)),
                Event::Saved { table, id } => {
                    self.employees.saved(table, id);
                    self.timesheets.saved(table, id);
                    self.records.saved(table, id);
                    self.message = Some((false, self.lang.t("Kaydedildi", "Saved").into()));
                }
                Event::Deleted { table, id, title } => {
                    // The form of the deleted record closes as after a save.
                    self.employees.saved(table, id);
                    self.timesheets.saved(table, id);
                    self.records.saved(table, id);
                    self.message = None;
                    self.undo.deleted(table, id, title);
                }
                Event::Restored { id } => {
                    let title = self.undo.restored(id).unwrap_or_default();
                    self.message =
                        Some((false, format!("{}: {title}", self.lang.t("Geri alındı", "Restored"))));
                }
                Event::Invalid { table, errors } => {
                    self.employees.invalid(table, &errors);
                    self.timesheets.invalid(table, &errors);
                    self.records.invalid(table, &errors);
                    self.message = Some((
                        true,
                        self.lang
                            .t("Kaydedilmedi: alanları düzeltin", "Not saved: correct the fields")
                            .into(),
                    ));
                }
                Event::ImportPreview(report) => self.import.previewed(report),
                Event::Imported(report) => {
                    let total: u64 = report.imported.values().sum();
                    self.import = Default::default();
                    self.message = Some((
                        false,
                        format!("{total} {}", self.lang.t("kayıt içe aktarıldı", "records imported")),
                    ));
                }
                Event::ReportProgress(done) => self.reports.progress(done),
                // Only one of the two screens that write workbooks waits at a time.
                Event::ReportDone(path) if self.vehicle_card.exporting => self.vehicle_card.finished(&path),
                Event::ReportDone(path) => self.reports.finished(path),
                Event::MonthEnd(report) => self.month_end.loaded(report),
                Event::WeekRowSaved { employee, result } => {
                    self.week_grid.row_saved(self.lang, employee, &result);
                    self.message = Some(match result {
                        Ok(n) => (
                            false,
                            format!(
                                "{}: {n} {}",
                                self.lang.t("Kaydedildi", "Saved"),
                                self.lang.t("vardiya", "shifts")
                            ),
                        ),
                        Err(_) => (
                            true,
                            self.lang
                                .t(
                                    "Satır kaydedilmedi: kırmızı hücreleri düzeltin",
                                    "Row not saved: correct the red cells",
                                )
                                .into(),
                        ),
                    });
                }
                Event::WeekPreview { copied, skipped } => self.timesheets.week_preview(copied, skipped),
                Event::SheetImported { dry_run, outcome } => self.sheet.answered(dry_run, outcome),
                Event::Failed { topic, message } => {
                    let message = message.text(self.lang);
                    self.settings.failed(topic, &message);
                    self.refused_changes.failed(topic, &message);
                    self.month_end.failed(topic, &message);
                    self.users.failed(topic, &message);
                    self.week_grid.failed(topic);
                    if topic == Topic::Report && self.vehicle_card.exporting {
                        self.vehicle_card.failed(&message);
                    } else {
                        self.reports.failed(topic, &message);
                    }
                    if topic == Topic::Import {
                        self.import.failed(&message);
                    }
                    if topic == Topic::Sheet {
                        self.sheet.failed(&message);
                    }
                    self.message = Some((true, message));
                }
                Event::HelpReady(url) => {
                    // Also said in words: where no browser opens (a bare Linux desktop), the
                    // status bar still tells the user where the guide is.
                    self.message =
                        Some((false, format!("{}: {url}", self.lang.t("Kullanım kılavuzu", "User guide"))));
                    ctx.open_url(egui::OpenUrl::new_tab(url));
                }
                Event::Info(message) => self.message = Some((false, message.text(self.lang))),
                Event::Damaged(damage) => self.damaged = Some(ui::damaged::DamagedScreen { damage: *damage }),
                Event::DataChanged => self.reload(),
                Event::Sync(status) => {
                    self.sync = status;
                    self.count_waiting();
                    // The settings screen lists the last runs; a run may have refused changes.
                    self.overview.dirty = true;
                    self.settings.dirty = true;
                    self.refused_changes.dirty = true;
                }
                Event::Enrolled { region } => {
                    // The pickers offer what the new enrollment allows from now on.
                    self.reload();
                    self.message = Some((
                        false,
                        format!(
                            "{}: {}",
                            self.lang.t("Kayıt tamam, bölge", "Enrolled, region"),
                            crate::i18n::region_name(self.lang, &region)
                        ),
                    ));
                    self.worker.send(Command::SyncNow);
                }
            }
        }
    }

    /// The whole window; also what the UI tests drive.
    pub fn show(&mut self, ui: &mut Ui) {
        self.poll_events(ui.ctx());
        if let Some(damaged) = &mut self.damaged {
            damaged.ui(ui);
            return;
        }
        let screen = self.screen;
        // F1 is where Windows users look for help, on every screen including sign-in.
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F1)) {
            self.worker.send(Command::WriteHelp);
        }
        crate::exit::on_shortcut(ui);
        // The status bar shows on the sign-in screen too: where the data folder is, and where the
        // guide was written when no browser opened it.
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        let Some(user) = self.session.clone() else {
            if let Some(command) = self.login.ui(ui, self.lang) {
                self.worker.send(command);
            }
            return;
        };
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui, &user));
        let goto = std::cell::Cell::new(None);
        egui::CentralPanel::default().show(ui, |ui| {
            let worker = &self.worker;
            let ctx = Ctx {
                lang: self.lang,
                user: &user,
                store: &self.store,
                send: &|command| worker.send(command),
                today: self.today,
                scope: &self.scope,
                goto: &goto,
            };
            match self.screen {
                Screen::Overview => self.overview.ui(ui, &ctx),
                Screen::Employees => self.employees.ui(ui, &ctx),
                Screen::Timesheets => self.timesheets.ui(ui, &ctx),
                Screen::WeekGrid => self.week_grid.ui(ui, &ctx),
                Screen::Reports => ui::widgets::page(ui, "reports", |ui| self.reports.ui(ui, &ctx)),
                Screen::MonthEnd => self.month_end.ui(ui, &ctx),
                Screen::Record(table) => self.records.ui(table, ui, &ctx),
                Screen::Users => ui::widgets::page(ui, "users", |ui| self.users.ui(ui, &ctx)),
                Screen::Holidays => ui::widgets::page(ui, "holidays", |ui| self.holidays.ui(ui, &ctx)),
                Screen::Settings => self.settings.ui(ui, &ctx, &self.data, &self.sync, self.refused),
                Screen::Refused => self.refused_changes.ui(ui, &ctx),
                Screen::VehicleCard => self.vehicle_card.ui(ui, &ctx),
                Screen::Log => self.log.ui(ui, &ctx),
            }
            self.import.ui(ui, &ctx);
            self.sheet.ui(ui, &ctx);
        });
        match goto.take() {
            Some(Goto::Record { table, id }) => {
                self.records.open(table, id);
                self.screen = Screen::Record(table);
            }
            Some(Goto::NewRecord { table, parent }) => {
                self.records.open_new_for(table, parent);
                self.screen = Screen::Record(table);
            }
            Some(Goto::VehicleCard(id)) => {
                self.vehicle_card.open(id);
                self.screen = Screen::VehicleCard;
            }
            Some(Goto::Timesheets(id)) => {
                self.timesheets.employee = Some(id);
                self.timesheets.dirty = true;
                self.screen = Screen::Timesheets;
            }
            Some(Goto::Refused) => self.screen = Screen::Refused,
            Some(Goto::Settings) => self.screen = Screen::Settings,
            None => {}
        }
        if let Some(lang) = self.settings.take_language() {
            self.lang = lang;
        }
        if self.settings.take_open_refused() {
            self.screen = Screen::Refused;
        }
        if self.settings.take_sign_out() {
            self.worker.send(Command::SignOut);
            self.session = None;
            self.screen = Screen::Overview;
            self.message = None;
        }
        // What the status bar said was about the screen left behind.
        if self.screen != screen {
            self.message = None;
        }
    }

    fn toolbar(&mut self, ui: &mut Ui, user: &User) {
        let lang = self.lang;
        ui.horizontal(|ui| {
            ui.menu_button(lang.t("Dosya", "File"), |ui| {
                if user.role != crate::db::users::Role::Staff
                    && ui.button(lang.t("Eski veritabanını içe aktar…", "Import legacy database…")).clicked()
                {
                    let device = self.store.pc_region().ok().flatten();
                    self.import.start(user, device, self.scope.regions());
                    ui.close();
                }
                if user.role != crate::db::users::Role::Staff
                    && ui
                        .button(lang.t("Excel ya da CSV'den içe aktar…", "Import from Excel or CSV…"))
                        .clicked()
                {
                    self.sheet.start(self.scope.default_region());
                    ui.close();
                }
                if ui.button(lang.t("Şimdi yedekle", "Back up now")).clicked() {
                    self.worker.send(Command::BackupNow);
                    ui.close();
                }
                ui.separator();
                crate::exit::menu_item(ui, lang);
            });
            if let Some(command) = self.undo.menu(ui, lang) {
                self.worker.send(command);
            }
            ui.menu_button(lang.t("Yardım", "Help"), |ui| {
                if ui.button(lang.t("Kullanım kılavuzu (F1)", "User guide (F1)")).clicked() {
                    self.worker.send(Command::WriteHelp);
                    ui.close();
                }
            });
            ui.separator();
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                match ui::sync_indicator::show(ui, lang, &self.sync, self.pending, self.refused) {
                    Some(ui::sync_indicator::Clicked::SyncNow) => self.worker.send(Command::SyncNow),
                    Some(ui::sync_indicator::Clicked::Refused) => self.screen = Screen::Refused,
                    None => {}
                }
                ui.separator();
                let region = crate::i18n::region_name(lang, &user.region);
                // A long name gives way (shown whole on hover); the tabs take the rest of the
                // row, and a second row on a narrow window, so that none of them is cut short.
                ui.scope(|ui| {
                    ui.set_max_width(NAME_WIDTH);
                    ui.add(egui::Label::new(format!("{} · {region}", user.username)).truncate());
                });
                let wrapping = egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true);
                ui.with_layout(wrapping, |ui| {
                    let records =
                        self.records.tabs(lang).map(|(table, label)| (Screen::Record(table), label));
                    let tabs: Vec<_> = [
                        (Screen::Overview, lang.t("Özet", "Overview")),
                        (Screen::Employees, lang.t("Personel", "Employees")),
                        (Screen::Timesheets, lang.t("Puantaj", "Timesheets")),
                        (Screen::WeekGrid, lang.t("Haftalık giriş", "Week entry")),
                        (Screen::Reports, lang.t("Raporlar", "Reports")),
                        (Screen::MonthEnd, lang.t("Ay sonu", "Month end")),
                    ]
                    .into_iter()
                    .chain(records)
                    .chain([
                        (Screen::Users, lang.t("Kullanıcılar", "Users")),
                        (Screen::Holidays, lang.t("Tatiller", "Holidays")),
                        (Screen::Log, lang.t("Kayıtlar", "Log")),
                        (Screen::Settings, lang.t("Ayarlar", "Settings")),
                    ])
                    .collect();
                    for (screen, label) in tabs {
                        let admin_only = matches!(screen, Screen::Users | Screen::Holidays);
                        if admin_only && user.role != crate::db::users::Role::Admin {
                            continue;
                        }
                        let managers = matches!(screen, Screen::MonthEnd | Screen::Log);
                        if managers && user.role == crate::db::users::Role::Staff {
                            continue;
                        }
                        ui.selectable_value(&mut self.screen, screen, label);
                    }
                });
            });
        });
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Some(command) = self.undo.offer(ui, self.lang) {
                self.worker.send(command);
            }
            match &self.message {
                Some((true, text)) => ui::form::error_line(ui, text),
                Some((false, text)) => {
                    ui.label(RichText::new(text).weak());
                }
                None => {
                    ui.label(RichText::new(self.data.root().display().to_string()).weak().small());
                }
            }
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.held_keys.split(ctx, raw_input);
    }
}
