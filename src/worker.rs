//! The worker thread owns the store's write connection. The UI sends it commands and never waits:
//! each command runs in its own transaction, and its result comes back as an event followed by
//! a repaint request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use rainstaff_core::validate::{FieldError, Problem};
use uuid::Uuid;

use crate::bus::{Command, Event, Notifier, SyncRequest, Topic};
use crate::db::edits::SaveError;
use crate::db::users::User;
use crate::db::{Store, StoreError};
use crate::message::Message;
use crate::paths::DataDir;
use crate::sync_task;

pub struct Worker {
    commands: Sender<Command>,
    pub events: Receiver<Event>,
    /// Commands sent and not yet answered; the worker counts down after sending a command's events.
    in_flight: Arc<AtomicUsize>,
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
        std::thread::Builder::new().name("worker".into()).spawn(move || {
            // Long commands (reports) send progress while they run, before their final events.
            let progress = |event: Event| {
                let _ = events_tx.send(event);
                notify.wake();
            };
            for command in inbox {
                for event in handle(&mut store, &sync, &data, command, &progress) {
                    if events_tx.send(event).is_err() {
                        return;
                    }
                }
                counter.fetch_sub(1, Ordering::SeqCst);
                notify.wake();
            }
        })?;
        Ok(Worker { commands, events, in_flight })
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

fn failed(topic: Topic, message: impl Into<Message>) -> Vec<Event> {
    let message = message.into();
    tracing::error!("{topic:?}: {}", message.text(crate::i18n::Lang::En));
    vec![Event::Failed { topic, message }]
}

fn saved(table: &'static str, result: Result<Uuid, SaveError>) -> Vec<Event> {
    match result {
        Ok(id) => vec![Event::Saved { table, id }, Event::DataChanged],
        Err(SaveError::Fields(errors)) => vec![Event::Invalid { table, errors }],
        Err(SaveError::Store(e)) => failed(Topic::Records, e),
    }
}

/// The person signed in makes the changes written from now on, so a change the server refuses
/// can say who made it.
fn signed_in(store: &Store, user: User) -> Vec<Event> {
    match store.act_as(Some(&user.username)) {
        Ok(()) => vec![Event::SignedIn(user)],
        Err(e) => failed(Topic::SignIn, e),
    }
}

fn done(topic: Topic, result: Result<(), StoreError>, info: Option<Message>) -> Vec<Event> {
    match result {
        Ok(()) => info.map(Event::Info).into_iter().chain([Event::DataChanged]).collect(),
        Err(e) => failed(topic, e),
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
            Err(e) => failed(Topic::SignIn, e),
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
            done(Topic::Users, store.create_user(&username, Some(&password), role, &region).map(|_| ()), None)
        }
        Command::SetPassword { id, password } => done(Topic::Users, store.set_password(id, &password), None),
        Command::SetUserActive { id, active } => done(Topic::Users, store.set_user_active(id, active), None),
        Command::ChangeOwnPassword { user, old, new } => match store.verify_login(&user.username, &old) {
            Ok(Ok(_)) => {
                done(Topic::Password, store.set_password(user.id, &new), Some(Message::PasswordChanged))
            }
            Ok(Err(_)) => {
                failed(Topic::Password, FieldError::new("current_password", Problem::WrongPassword))
            }
            Err(e) => failed(Topic::Password, e),
        },
        Command::SetSetting { key, value } => done(Topic::Settings, store.set_setting(&key, &value), None),
        Command::SeedTemplates { user } => done(Topic::Templates, store.seed_templates(&user), None),
        Command::CopyLastWeek { user, region, employee, week_start } => {
            match store.copy_previous_week(&user, &region, employee, week_start) {
                Ok((copied, skipped)) => {
                    vec![Event::Info(Message::WeekCopied { copied, skipped }), Event::DataChanged]
                }
                Err(e) => failed(Topic::CopyWeek, e),
            }
        }
        Command::BackupNow => match store.backup_now() {
            Ok(path) => vec![Event::Info(Message::BackedUp(path))],
            Err(e) => failed(Topic::Backup, e),
        },
        Command::Restore { path } => match store.restore_from(&path) {
            Ok(aside) => vec![Event::Info(Message::Restored { aside }), Event::DataChanged],
            Err(e) => failed(Topic::Restore, e),
        },
        Command::WriteHelp => match crate::help::write(&data.help()) {
            Ok(url) => vec![Event::HelpReady(url)],
            Err(e) => failed(Topic::Help, Message::GuideNotWritten(e.to_string())),
        },
        Command::SyncNow => {
            let _ = sync.send(SyncRequest::Run);
            Vec::new()
        }
        Command::Enroll { server, code, name } => {
            let _ = sync.send(SyncRequest::Enroll { server, code, name });
            Vec::new()
        }
        Command::AddHoliday { day } => done(Topic::Holidays, store.add_holiday(&day), None),
        Command::RemoveHoliday { date } => done(Topic::Holidays, store.remove_holiday(date), None),
        Command::ImportLegacy { path, region, dry_run } => {
            match crate::legacy_import::import_legacy(store, data, &path, region.as_deref(), dry_run) {
                Ok(report) if dry_run => vec![Event::ImportPreview(report)],
                Ok(report) => vec![Event::Imported(report), Event::DataChanged],
                Err(e) => failed(Topic::Import, e),
            }
        }
        Command::ResolveConflict { user, id, keep_server_value } => {
            done(Topic::Conflicts, store.resolve_conflict(&user, id, keep_server_value), None)
        }
        Command::ResendRefused { user, id } => {
            done(Topic::Refused, store.resend_refused(&user, id), Some(Message::RefusedResent))
        }
        Command::DiscardRefused { user, id } => {
            done(Topic::Refused, store.discard_refused(&user, id), Some(Message::RefusedDiscarded))
        }
        Command::ExportReport { user, request } => {
            if !user.can_access(&request.selection.region) {
                return failed(Topic::Report, FieldError::new("region", Problem::Forbidden));
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
                Err(e) => failed(Topic::Report, format!("{e:#}")),
            }
        }
    }
}
