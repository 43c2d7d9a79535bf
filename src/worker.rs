//! The worker thread owns the store's write connection. The UI sends it commands and never waits:
//! each command runs in its own transaction, and its result comes back as an event followed by
//! a repaint request.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use rainstaff_core::schema::TableSpec;
use rainstaff_core::validate::{FieldError, Problem};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::edits::{SaveError, SaveOptions};
use crate::db::users::{Role, User};
use crate::db::{Store, StoreError};
use crate::message::Message;
use crate::paths::DataDir;
use crate::sync_task::{self, SyncRequest, SyncStatus};

/// Wakes the UI when an event is waiting (a repaint); does nothing without a UI.
#[derive(Clone, Default)]
pub struct Notifier(Option<egui::Context>);

impl Notifier {
    pub fn new(ctx: egui::Context) -> Self {
        Notifier(Some(ctx))
    }

    pub fn wake(&self) {
        if let Some(ctx) = &self.0 {
            ctx.request_repaint();
        }
    }
}

pub enum Command {
    CreateFirstAdmin {
        username: String,
        password: String,
    },
    SignIn {
        username: String,
        password: String,
    },
    Save {
        user: User,
        table: &'static TableSpec,
        id: Option<Uuid>,
        region: String,
        fields: Map<String, Value>,
        options: SaveOptions,
    },
    Delete {
        user: User,
        table: &'static TableSpec,
        id: Uuid,
    },
    /// An administrator moves a record to another region (see `Store::move_record`).
    MoveRegion {
        user: User,
        table: &'static TableSpec,
        id: Uuid,
        region: String,
    },
    CreateUser {
        username: String,
        password: String,
        role: Role,
        region: String,
    },
    SetPassword {
        id: Uuid,
        password: String,
    },
    SetUserActive {
        id: Uuid,
        active: bool,
    },
    ChangeOwnPassword {
        user: User,
        old: String,
        new: String,
    },
    SetSetting {
        key: String,
        value: String,
    },
    SeedTemplates {
        user: User,
    },
    CopyLastWeek {
        user: User,
        region: String,
        employee: Option<Uuid>,
        week_start: chrono::NaiveDate,
    },
    BackupNow,
    Restore {
        path: PathBuf,
    },
    SyncNow,
    Enroll {
        server: String,
        code: String,
        name: String,
    },
    ResolveConflict {
        user: User,
        id: i64,
        keep_server_value: bool,
    },
    /// Puts a refused change back among those waiting, with its record as it is now.
    ResendRefused {
        user: User,
        id: i64,
    },
    /// Drops a refused change; its record takes the server's version again.
    DiscardRefused {
        user: User,
        id: i64,
    },
    /// A legacy file: `region` is the one the dialog names (None: this PC's region decides).
    ImportLegacy {
        path: PathBuf,
        region: Option<String>,
        dry_run: bool,
    },
    /// Computes and writes a month report; answers with ReportProgress (0 to 1) while it runs,
    /// then ReportDone or Failed.
    ExportReport {
        user: User,
        request: crate::report::ReportRequest,
    },
    AddHoliday {
        day: rainstaff_core::hours::HolidayDay,
    },
    RemoveHoliday {
        date: chrono::NaiveDate,
    },
    /// Writes the user guide into the data folder; answers with HelpReady and its URL.
    WriteHelp,
}

#[derive(Debug, Clone)]
pub enum Event {
    SignedIn(User),
    AuthFailed(Message),
    Saved { table: &'static str, id: Uuid },
    Invalid { table: &'static str, errors: Vec<FieldError> },
    Failed { context: &'static str, message: Message },
    Info(Message),
    DataChanged,
    Sync(SyncStatus),
    Enrolled { region: String },
    ImportPreview(rainstaff_legacy::ImportReport),
    Imported(rainstaff_legacy::ImportReport),
    ReportProgress(f32),
    ReportDone(PathBuf),
    HelpReady(String),
}

pub struct Worker {
    commands: Sender<Command>,
    pub events: Receiver<Event>,
    /// Commands sent and not yet answered; the worker counts down after sending a command's events.
    in_flight: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Worker {
    /// Closing the window (or File → Exit) drops the app and with it the worker. The commands
    /// already sent, such as a save clicked just before, are carried out and the sync thread is
    /// stopped before the process ends; the worker thread stops the sync thread as it ends.
    fn drop(&mut self) {
        // Replacing the only sender closes the worker's inbox: its loop ends once the queue is empty.
        self.commands = channel().0;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the worker thread panicked");
        }
    }
}

impl Worker {
    /// Opens the store, starts the worker and sync threads.
    pub fn start(data: DataDir, notify: Notifier) -> anyhow::Result<Worker> {
        let mut store = Store::open(&data.store())?;
        let (commands, inbox) = channel();
        let (events_tx, events) = channel();
        let sync = sync_task::spawn(data.clone(), events_tx.clone(), notify.clone())?;
        let in_flight = Arc::new(AtomicUsize::new(0));
        let counter = in_flight.clone();
        let thread = std::thread::Builder::new().name("worker".into()).spawn(move || {
            // Long commands (reports) send progress while they run, before their final events.
            let progress = |event: Event| {
                let _ = events_tx.send(event);
                notify.wake();
            };
            for command in inbox {
                for event in handle(&mut store, &sync.requests, &data, command, &progress) {
                    if events_tx.send(event).is_err() {
                        return;
                    }
                }
                counter.fetch_sub(1, Ordering::SeqCst);
                notify.wake();
            }
        })?;
        Ok(Worker { commands, events, in_flight, thread: Some(thread) })
    }

    pub fn send(&self, command: Command) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        // The worker only stops when the app does.
        let _ = self.commands.send(command);
    }

    pub fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }
}

fn failed(context: &'static str, message: impl Into<Message>) -> Vec<Event> {
    let message = message.into();
    tracing::error!("{context}: {}", message.text(crate::i18n::Lang::En));
    vec![Event::Failed { context, message }]
}

fn saved(table: &'static str, result: Result<Uuid, SaveError>) -> Vec<Event> {
    match result {
        Ok(id) => vec![Event::Saved { table, id }, Event::DataChanged],
        Err(SaveError::Fields(errors)) => vec![Event::Invalid { table, errors }],
        Err(SaveError::Store(e)) => failed(table, e),
    }
}

/// The person signed in makes the changes written from now on, so a change the server refuses
/// can say who made it.
fn signed_in(store: &Store, user: User) -> Vec<Event> {
    match store.act_as(Some(&user.username)) {
        Ok(()) => vec![Event::SignedIn(user)],
        Err(e) => failed("sign_in", e),
    }
}

fn done(context: &'static str, result: Result<(), StoreError>, info: Option<Message>) -> Vec<Event> {
    match result {
        Ok(()) => info.map(Event::Info).into_iter().chain([Event::DataChanged]).collect(),
        Err(e) => failed(context, e),
    }
}

fn handle(
    store: &mut Store,
    sync: &tokio::sync::mpsc::UnboundedSender<SyncRequest>,
    data: &DataDir,
    command: Command,
    progress: &dyn Fn(Event),
) -> Vec<Event> {
    match command {
        Command::CreateFirstAdmin { username, password } => {
            match store.create_first_admin(&username, &password) {
                Ok(user) => signed_in(store, user),
                Err(e) => vec![Event::AuthFailed(e.into())],
            }
        }
        Command::SignIn { username, password } => match store.verify_login(&username, &password) {
            Ok(Ok(user)) => signed_in(store, user),
            Ok(Err(e)) => vec![Event::AuthFailed(e.into())],
            Err(e) => failed("sign_in", e),
        },
        Command::Save { user, table, id, region, fields, options } => {
            saved(table.name, store.save_record(&user, table, id, &region, fields, options))
        }
        Command::Delete { user, table, id } => {
            saved(table.name, store.delete_record(&user, table, id).map(|()| id))
        }
        Command::MoveRegion { user, table, id, region } => {
            saved(table.name, store.move_record(&user, table, id, &region).map(|()| id))
        }
        Command::CreateUser { username, password, role, region } => {
            done("users", store.create_user(&username, Some(&password), role, &region).map(|_| ()), None)
        }
        Command::SetPassword { id, password } => done("users", store.set_password(id, &password), None),
        Command::SetUserActive { id, active } => done("users", store.set_user_active(id, active), None),
        Command::ChangeOwnPassword { user, old, new } => match store.verify_login(&user.username, &old) {
            Ok(Ok(_)) => done("password", store.set_password(user.id, &new), Some(Message::PasswordChanged)),
            Ok(Err(_)) => failed("password", FieldError::new("current_password", Problem::WrongPassword)),
            Err(e) => failed("password", e),
        },
        Command::SetSetting { key, value } => done("settings", store.set_setting(&key, &value), None),
        Command::SeedTemplates { user } => done("templates", store.seed_templates(&user), None),
        Command::CopyLastWeek { user, region, employee, week_start } => {
            match store.copy_previous_week(&user, &region, employee, week_start) {
                Ok((copied, skipped)) => {
                    vec![Event::Info(Message::WeekCopied { copied, skipped }), Event::DataChanged]
                }
                Err(e) => failed("copy_week", e),
            }
        }
        Command::BackupNow => match store.backup_now() {
            Ok(path) => vec![Event::Info(Message::BackedUp(path))],
            Err(e) => failed("backup", e),
        },
        Command::Restore { path } => match store.restore_from(&path) {
            Ok(aside) => vec![Event::Info(Message::Restored { aside }), Event::DataChanged],
            Err(e) => failed("restore", e),
        },
        Command::WriteHelp => match crate::help::write(&data.help()) {
            Ok(url) => vec![Event::HelpReady(url)],
            Err(e) => failed("help", Message::GuideNotWritten(e.to_string())),
        },
        Command::SyncNow => {
            let _ = sync.send(SyncRequest::Run);
            Vec::new()
        }
        Command::Enroll { server, code, name } => {
            let _ = sync.send(SyncRequest::Enroll { server, code, name });
            Vec::new()
        }
        Command::AddHoliday { day } => done("holidays", store.add_holiday(&day), None),
        Command::RemoveHoliday { date } => done("holidays", store.remove_holiday(date), None),
        Command::ImportLegacy { path, region, dry_run } => {
            match crate::legacy_import::import_legacy(store, data, &path, region.as_deref(), dry_run) {
                Ok(report) if dry_run => vec![Event::ImportPreview(report)],
                Ok(report) => vec![Event::Imported(report), Event::DataChanged],
                Err(e) => failed("import", e),
            }
        }
        Command::ResolveConflict { user, id, keep_server_value } => {
            done("conflicts", store.resolve_conflict(&user, id, keep_server_value), None)
        }
        Command::ResendRefused { user, id } => {
            done("refused", store.resend_refused(&user, id), Some(Message::RefusedResent))
        }
        Command::DiscardRefused { user, id } => {
            done("refused", store.discard_refused(&user, id), Some(Message::RefusedDiscarded))
        }
        Command::ExportReport { user, request } => {
            if !user.can_access(&request.selection.region) {
                return failed("report", FieldError::new("region", Problem::Forbidden));
            }
            // A hundred steps are plenty for a progress bar; more would only wake the UI.
            let mut shown = 0.0;
            let mut step = |done: f32| {
                if done - shown >= 0.01 {
                    shown = done;
                    progress(Event::ReportProgress(done));
                }
            };
            match crate::report::export(store, &request, &mut step) {
                Ok(path) => vec![Event::ReportDone(path)],
                Err(e) => failed("report", format!("{e:#}")),
            }
        }
    }
}
