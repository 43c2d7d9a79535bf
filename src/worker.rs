//! The worker thread owns the store's write connection and the session: who is signed in, as the
//! result of a sign-in command says, not as a screen claims. The UI sends it commands and never
//! waits; each command is first put to `policy::allowed` for the person signed in, then runs in
//! its own transaction, and its result comes back as an event followed by a repaint request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::roles::Denied;
use rainstaff_core::schema::NAME_CHARS;
use rainstaff_core::time::format_date;
use rainstaff_core::validate::{FieldError, Problem};
use uuid::Uuid;

use crate::bus::{Command, Event, Notifier, SyncRequest, Topic};
use crate::db::edits::SaveError;
use crate::db::health::Damage;
use crate::db::scope::Scope;
use crate::db::users::{AuthError, User};
use crate::db::{Store, StoreError};
use crate::message::Message;
use crate::paths::DataDir;
use crate::policy;
use crate::sync_task;

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
        let store = Store::open_for_worker(&data.store())?;
        let sync_store = store.reopen()?;
        let (commands, inbox) = channel();
        let (events_tx, events) = channel();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let counter = in_flight.clone();
        let thread = std::thread::Builder::new().name("worker".into()).spawn(move || {
            // The check `open_for_worker` leaves to this thread, before anything here or in the
            // sync thread (a sync, the daily backup) writes: the window is drawing meanwhile.
            // A damaged store stops the worker, and the app shows the damage instead of itself.
            if let Err(e) = store.check_health() {
                // A read that fails for another reason (the disk) leaves the file as unknown.
                let damage =
                    e.damage(store.path()).unwrap_or_else(|| Damage::found(store.path(), e.to_string()));
                tracing::error!("{damage}");
                let _ = events_tx.send(Event::Damaged(Box::new(damage)));
                notify.wake();
                return;
            }
            let sync = match sync_task::spawn(sync_store, data.clone(), events_tx.clone(), notify.clone()) {
                Ok(sync) => sync,
                Err(e) => {
                    for event in failed(Topic::Sync, e.to_string()) {
                        let _ = events_tx.send(event);
                    }
                    notify.wake();
                    return;
                }
            };
            let mut state = State { store, sync, data, session: None };
            // Long commands (reports) send progress while they run, before their final events.
            let progress = |event: Event| {
                let _ = events_tx.send(event);
                notify.wake();
            };
            for command in inbox {
                for event in state.run(command, &progress) {
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

/// What the worker thread holds between commands.
struct State {
    store: Store,
    /// Dropped with the state when the worker's loop ends, which stops the sync thread.
    sync: sync_task::SyncThread,
    data: DataDir,
    /// The person signed in; None until a sign-in succeeds and after SignOut.
    session: Option<User>,
}

fn failed(topic: Topic, message: impl Into<Message>) -> Vec<Event> {
    let message = message.into();
    tracing::error!("{topic:?}: {}", message.text(crate::i18n::Lang::En));
    vec![Event::Failed { topic, message }]
}

/// A command the policy refused. A region a record cannot be in is said on the form's region
/// field, as the store would say it; anything else beside the controls of the command's topic.
fn refused(command: &Command, denied: Denied) -> Vec<Event> {
    tracing::warn!("refused {:?}: {}", command.topic(), denied.message(crate::i18n::Lang::En));
    match (command, denied) {
        (
            Command::Save { table, .. }
            | Command::Delete { table, .. }
            | Command::UndoDelete { table, .. }
            | Command::MoveRegion { table, .. },
            Denied::Region(error),
        ) => vec![Event::Invalid { table: table.name, errors: vec![error] }],
        (command, denied) => vec![Event::Failed { topic: command.topic(), message: Message::Denied(denied) }],
    }
}

fn saved(table: &'static str, result: Result<Uuid, SaveError>) -> Vec<Event> {
    match result {
        Ok(id) => vec![Event::Saved { table, id }, Event::DataChanged],
        Err(SaveError::Fields(errors)) => vec![Event::Invalid { table, errors }],
        Err(SaveError::Store(e)) => failed(Topic::Records, e),
    }
}

fn done(topic: Topic, result: Result<(), StoreError>, info: Option<Message>) -> Vec<Event> {
    match result {
        Ok(()) => info.map(Event::Info).into_iter().chain([Event::DataChanged]).collect(),
        Err(e) => failed(topic, e),
    }
}

impl State {
    /// The person signed in makes the changes written from now on, so a change the server
    /// refuses can say who made it.
    fn signed_in(&mut self, user: User) -> Vec<Event> {
        match self.store.act_as(Some(&user.username)) {
            Ok(()) => {
                self.log(&user.username, &user.region, "sign_in", None);
                self.session = Some(user.clone());
                vec![Event::SignedIn(user)]
            }
            Err(e) => failed(Topic::SignIn, e),
        }
    }

    /// Adds an event to the audit trail. A trail that cannot be written is a store in trouble,
    /// which the next write reports; the event itself (a sign-in, a report written) stands.
    fn log(&mut self, username: &str, region: &str, action: &'static str, subject: Option<String>) {
        if let Err(e) = self.store.log_event(username, region, action, subject) {
            tracing::warn!("the audit trail did not take {action}: {e}");
        }
    }

    /// Logs what `by` did to the account `id`, once it is done.
    fn log_account(&mut self, by: &User, id: Uuid, result: &Result<(), StoreError>, action: &'static str) {
        if result.is_ok()
            && let Ok(Some(account)) = self.store.user(id)
        {
            self.log(&by.username, &account.region, action, Some(account.username));
        }
    }

    /// Checks `command` against the policy for the person signed in, then runs it.
    fn run(&mut self, command: Command, progress: &dyn Fn(Event)) -> Vec<Event> {
        let scope = match &self.session {
            Some(user) => match self.store.scope(user) {
                Ok(scope) => scope,
                Err(e) => return failed(command.topic(), e),
            },
            None => Scope::default(),
        };
        match policy::allowed(self.session.as_ref(), &scope, &command) {
            Ok(()) => self.handle(command, progress),
            Err(denied) => refused(&command, denied),
        }
    }

    /// The commands that need nobody signed in; any other is given back.
    fn sessionless(&mut self, command: Command) -> Result<Vec<Event>, Command> {
        let store = &mut self.store;
        Ok(match command {
            Command::CreateFirstAdmin { username, password } => {
                match store.create_first_admin(&username, &password) {
                    Ok(user) => self.signed_in(user),
                    Err(e) => vec![Event::AuthFailed(e.into())],
                }
            }
            Command::SignIn { username, password } => match store.sign_in(&username, &password) {
                Ok(Ok(user)) => self.signed_in(user),
                Ok(Err(e)) => {
                    // The name as typed, which may be no account's: the PC's trail says who tried.
                    let typed = rainstaff_core::quote::excerpt(username.trim(), NAME_CHARS - 1);
                    let region = store.sign_in_region(&typed).unwrap_or_else(|_| ALL_REGIONS.to_string());
                    let action = match e {
                        AuthError::Locked { started: true, .. } => "locked_out",
                        _ => "sign_in_failed",
                    };
                    self.log(&typed, &region, action, None);
                    vec![Event::AuthFailed(e.into())]
                }
                Err(e) => failed(Topic::SignIn, e),
            },
            Command::SignOut => {
                self.session = None;
                match store.act_as(None) {
                    Ok(()) => Vec::new(),
                    Err(e) => failed(Topic::SignIn, e),
                }
            }
            Command::WriteHelp => match crate::help::write(&self.data.help()) {
                Ok(url) => vec![Event::HelpReady(url)],
                Err(e) => failed(Topic::Help, Message::GuideNotWritten(e.to_string())),
            },
            command => return Err(command),
        })
    }

    fn handle(&mut self, command: Command, progress: &dyn Fn(Event)) -> Vec<Event> {
        let command = match self.sessionless(command) {
            Ok(events) => return events,
            Err(command) => command,
        };
        let Some(user) = self.session.clone() else {
            return refused(&command, Denied::NotSignedIn);
        };
        let store = &mut self.store;
        match command {
            Command::CreateFirstAdmin { .. }
            | Command::SignIn { .. }
            | Command::SignOut
            | Command::WriteHelp => {
                unreachable!("answered by `sessionless`")
            }
            Command::Save { table, id, region, fields, options } => {
                saved(table.name, store.save_record(&user, table, id, &region, fields, options))
            }
            Command::SaveWeekRow { region, employee, days } => {
                match store.save_week_row(&user, &region, employee, &days) {
                    Ok(result) => {
                        let saved = result.is_ok();
                        let answer = Event::WeekRowSaved { employee, result };
                        if saved { vec![answer, Event::DataChanged] } else { vec![answer] }
                    }
                    Err(e) => failed(Topic::Records, e),
                }
            }
            Command::Delete { table, id } => match store.delete_record(&user, table, id) {
                Ok(title) => {
                    vec![
                        Event::Deleted { table: table.name, id, title: title.unwrap_or_default() },
                        Event::DataChanged,
                    ]
                }
                // Said on the form's fields, and in the status bar as a delete that did not happen.
                Err(SaveError::Fields(errors)) => vec![
                    Event::Invalid { table: table.name, errors: errors.clone() },
                    Event::Failed { topic: Topic::Records, message: Message::NotDeleted(errors) },
                ],
                Err(SaveError::Store(e)) => failed(Topic::Records, e),
            },
            Command::UndoDelete { table, id } => match store.undo_delete(&user, table, id) {
                Ok(_) => vec![Event::Restored { id }, Event::DataChanged],
                Err(SaveError::Fields(errors)) => failed(Topic::Records, Message::NotRestored(errors)),
                Err(SaveError::Store(e)) => failed(Topic::Records, e),
            },
            Command::MoveRegion { table, id, region } => {
                saved(table.name, store.move_record(&user, table, id, &region).map(|()| id))
            }
            Command::CreateUser { username, password, role, region } => {
                let created = store.create_user(&username, Some(&password), role, &region);
                if let Ok(account) = &created {
                    self.log(&user.username, &account.region, "user_created", Some(account.username.clone()));
                }
                done(Topic::Users, created.map(|_| ()), None)
            }
            Command::SetPassword { id, password } => {
                let result = store.set_password(id, &password);
                self.log_account(&user, id, &result, "password_set");
                done(Topic::Users, result, None)
            }
            Command::SetUserActive { id, active } => {
                let result = store.set_user_active(&user, id, active);
                self.log_account(&user, id, &result, if active { "user_enabled" } else { "user_disabled" });
                done(Topic::Users, result, None)
            }
            Command::SetUserRole { id, role, region } => {
                let result = store.set_user_role(&user, id, role, &region);
                self.log_account(&user, id, &result, "user_changed");
                done(Topic::Users, result, None)
            }
            Command::ChangeOwnPassword { old, new } => match store.verify_login(&user.username, &old) {
                Ok(Ok(_)) => {
                    done(Topic::Password, store.set_password(user.id, &new), Some(Message::PasswordChanged))
                }
                Ok(Err(_)) => {
                    failed(Topic::Password, FieldError::new("current_password", Problem::WrongPassword))
                }
                Err(e) => failed(Topic::Password, e),
            },
            Command::SetSetting { key, value } => {
                done(Topic::Settings, store.set_setting(&key, &value), None)
            }
            Command::SeedTemplates => done(Topic::Templates, store.seed_templates(&user), None),
            Command::CopyLastWeek { region, employee, week_start, preview } => {
                match store.copy_previous_week(&user, &region, employee, week_start, preview) {
                    Ok((copied, skipped)) if preview => vec![Event::WeekPreview { copied, skipped }],
                    Ok((copied, skipped)) => {
                        vec![Event::Info(Message::WeekCopied { copied, skipped }), Event::DataChanged]
                    }
                    Err(e) => failed(Topic::CopyWeek, e),
                }
            }
            Command::BackupNow => match store.backup_now() {
                Ok(path) => {
                    self.log(&user.username, &user.region, "backup", Some(path.display().to_string()));
                    // Settings lists the backups: the new one shows at once.
                    vec![Event::Info(Message::BackedUp(path)), Event::DataChanged]
                }
                Err(e) => failed(Topic::Backup, e),
            },
            Command::Restore { path } => match store.restore_from(&path) {
                Ok(aside) => {
                    self.log(
                        &user.username,
                        &user.region,
                        "restore_backup",
                        Some(path.display().to_string()),
                    );
                    vec![Event::Info(Message::Restored { aside }), Event::DataChanged]
                }
                Err(e) => failed(Topic::Restore, e),
            },
            Command::SyncNow => {
                let _ = self.sync.requests.send(SyncRequest::Run);
                Vec::new()
            }
            Command::Enroll { server, code, name } => {
                let _ = self.sync.requests.send(SyncRequest::Enroll { server, code, name });
                Vec::new()
            }
            Command::SetPeriod { region, period, state, reason } => {
                match store.set_period(&user, &region, &period, state, reason.as_deref()) {
                    Ok(()) => vec![Event::DataChanged],
                    Err(SaveError::Fields(errors)) => failed(Topic::MonthEnd, Message::Fields(errors)),
                    Err(SaveError::Store(e)) => failed(Topic::MonthEnd, e),
                }
            }
            Command::AddHoliday { day } => {
                let result = store.add_holiday(&day);
                if result.is_ok() {
                    let subject = format!("{} {}", format_date(day.date), day.name);
                    self.log(&user.username, &user.region, "create", Some(subject));
                }
                done(Topic::Holidays, result, None)
            }
            Command::RemoveHoliday { date } => {
                let result = store.remove_holiday(date);
                if result.is_ok() {
                    self.log(&user.username, &user.region, "delete", Some(format_date(date)));
                }
                done(Topic::Holidays, result, None)
            }
            Command::ImportLegacy { path, region, dry_run } => {
                match crate::legacy_import::import_legacy(
                    store,
                    &self.data,
                    &path,
                    region.as_deref(),
                    dry_run,
                    &user.username,
                ) {
                    Ok(report) if dry_run => vec![Event::ImportPreview(report)],
                    Ok(report) => vec![Event::Imported(report), Event::DataChanged],
                    Err(e) => failed(Topic::Import, e),
                }
            }
            Command::ImportSheet { kind, path, region, dry_run, lang } => {
                match crate::sheet_import::import(store, &user, kind, &path, &region, dry_run, lang) {
                    Ok(outcome) if dry_run => vec![Event::SheetImported { dry_run, outcome }],
                    Ok(outcome) => vec![Event::SheetImported { dry_run, outcome }, Event::DataChanged],
                    Err(e) => failed(Topic::Sheet, format!("{e:#}")),
                }
            }
            Command::ResolveConflict { id, keep_server_value } => {
                done(Topic::Conflicts, store.resolve_conflict(&user, id, keep_server_value), None)
            }
            Command::ResendRefused { id } => {
                done(Topic::Refused, store.resend_refused(&user, id), Some(Message::RefusedResent))
            }
            Command::DiscardRefused { id } => {
                done(Topic::Refused, store.discard_refused(&user, id), Some(Message::RefusedDiscarded))
            }
            Command::ExportReport { request } => {
                // A hundred steps are plenty for a progress bar; more would only wake the UI.
                let mut shown = 0.0;
                let mut step = |done: f32| {
                    if done - shown >= 0.01 {
                        shown = done;
                        progress(Event::ReportProgress(done));
                    }
                };
                match crate::report::export(store, &request, &mut step) {
                    Ok(path) => {
                        // Remembering the folder is a convenience: a failure costs the report nothing.
                        let folder = path.parent().map(|d| d.display().to_string()).unwrap_or_default();
                        if let Err(e) = store.set_setting(crate::report::LAST_FOLDER, &folder) {
                            tracing::warn!("the report folder was not remembered: {e}");
                        }
                        self.log(&user.username, &user.region, "export", Some(path.display().to_string()));
                        vec![Event::ReportDone(path)]
                    }
                    Err(e) => failed(Topic::Report, format!("{e:#}")),
                }
            }
            Command::MonthEnd { selection } => match crate::report::build(store, &selection, &mut |_| {}) {
                Ok(report) => vec![Event::MonthEnd(report)],
                Err(e) => failed(Topic::MonthEnd, format!("{e:#}")),
            },
            Command::ExportVehicle { request, region } => {
                // The policy checked the region the screen named; the vehicle must be there.
                let export = || -> anyhow::Result<std::path::PathBuf> {
                    let card = store.vehicle_card(request.vehicle)?;
                    anyhow::ensure!(
                        card.is_some_and(|c| c.vehicle.region == region),
                        "no such vehicle in {region}"
                    );
                    crate::report::export_vehicle(store, &request)
                };
                match export() {
                    Ok(path) => {
                        self.log(&user.username, &user.region, "export", Some(path.display().to_string()));
                        vec![Event::ReportDone(path)]
                    }
                    Err(e) => failed(Topic::Report, format!("{e:#}")),
                }
            }
        }
    }
}
