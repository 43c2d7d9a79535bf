//! The background sync: a thread with its own tokio runtime and its own connection to the store.
//! It runs at start, every few minutes and on "Sync now", one run at a time (a click during a
//! run joins that run), and backs off with jitter while the server cannot be reached.

use std::sync::mpsc::Sender;
use std::time::Duration;

use chrono::Local;
use rainstaff_core::protocol::{ALL_REGIONS, SyncReport};
use rainstaff_core::validate::{FieldError, Problem};
use rand::Rng;
use tokio::sync::{mpsc, oneshot};

use crate::bus::{Event, Notifier, SyncPhase, SyncRequest, SyncStatus, Topic};
use crate::db::Store;
use crate::db::sync::{DEVICE_KEY, REGION_KEY, SERVER_KEY, SyncError, sync_once};
use crate::net::{HttpTransport, enroll};
use crate::paths::DataDir;

pub const DEFAULT_INTERVAL_MINUTES: u64 = 5;
const MAX_BACKOFF: Duration = Duration::from_secs(300);

pub async fn enroll_device(
    store: &Store,
    data: &DataDir,
    server: &str,
    code: &str,
    name: &str,
) -> Result<String, SyncError> {
    let server = server.trim().trim_end_matches('/');
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(SyncError::Invalid(FieldError::new("server", Problem::ServerUrl)));
    }
    let answer = enroll(server, code, name).await?;
    let mut namespaces = answer.id_namespaces.clone();
    // An administrator's PC may have imported, before it was enrolled, regions the server did not
    // list; without their namespaces those rows keep this PC's own ids.
    let unlisted: Vec<String> = match answer.region == ALL_REGIONS {
        true => store.local_id_namespaces()?.into_keys().filter(|r| !namespaces.contains_key(r)).collect(),
        false => Vec::new(),
    };
    if !unlisted.is_empty() {
        match HttpTransport::new(server, &answer.token).id_namespaces(&unlisted).await {
            Ok(given) => namespaces.extend(given),
            Err(e) => tracing::warn!("id namespaces of {unlisted:?} not received: {e}"),
        }
    }
    store.enrolled_with_id_namespaces(&namespaces)?;
    data.write_token(&answer.token).map_err(|e| SyncError::Local(e.to_string()))?;
    store.set_sync_state(SERVER_KEY, server)?;
    store.set_sync_state(DEVICE_KEY, &answer.device_id.to_string())?;
    store.set_sync_state(REGION_KEY, &answer.region)?;
    if let Some(epoch) = &answer.epoch {
        store.set_sync_state(crate::db::sync::EPOCH_KEY, epoch)?;
    }
    Ok(answer.region)
}

/// One run against the enrolled server.
pub async fn run_once(store: &mut Store, data: &DataDir) -> Result<SyncReport, SyncError> {
    let (Some(server), Some(token)) = (store.sync_state(SERVER_KEY)?, data.read_token()) else {
        return Err(SyncError::NotEnrolled);
    };
    sync_once(store, &mut HttpTransport::new(&server, &token)).await
}

/// The running sync thread. Dropping it stops the thread and waits until it has ended.
pub struct SyncThread {
    pub requests: mpsc::UnboundedSender<SyncRequest>,
    /// Dropped to stop the thread.
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SyncThread {
    /// The wait for the next run ends at once. A run or enrollment in progress is abandoned where
    /// it waits for the server, as if the connection had dropped there: the store applies every
    /// answer in its own transaction, and the next start's run picks up where this one stopped.
    /// Waiting for the run instead could keep a closed app alive for the whole request timeout.
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the sync thread panicked");
        }
    }
}

/// Starts the sync thread on `store`, its own connection.
pub fn spawn(
    mut store: Store,
    data: DataDir,
    events: Sender<Event>,
    notify: Notifier,
) -> anyhow::Result<SyncThread> {
    let (tx, rx) = mpsc::unbounded_channel();
    let (stop, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new().name("sync".into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(rt) => rt.block_on(async {
                tokio::select! {
                    () = sync_loop(&mut store, data, rx, events, notify) => {}
                    _ = stopped => {}
                }
            }),
            Err(e) => tracing::error!("sync runtime could not start: {e}"),
        }
    })?;
    Ok(SyncThread { requests: tx, stop: Some(stop), thread: Some(thread) })
}

async fn sync_loop(
    store: &mut Store,
    data: DataDir,
    mut requests: mpsc::UnboundedReceiver<SyncRequest>,
    events: Sender<Event>,
    notify: Notifier,
) {
    let mut status = SyncStatus { phase: SyncPhase::Idle, last_success: None, last_report: None };
    let mut failures = 0u32;
    let send = |status: &SyncStatus| {
        let _ = events.send(Event::Sync(status.clone()));
        notify.wake();
    };
    loop {
        // The app may stay open for days: each wake-up takes the day's backup if it is missing.
        // A failure is shown, not only logged: a damaged store stops being backed up.
        if let Err(e) = store.daily_backup() {
            tracing::warn!("daily backup failed: {e}");
            let _ = events.send(Event::Failed { topic: Topic::Backup, message: e.into() });
            notify.wake();
        }
        status.phase = SyncPhase::Syncing;
        send(&status);
        let result = run_once(store, &data).await;
        // Single flight: requests that came in during the run are answered by it.
        let mut enrollments = Vec::new();
        while let Ok(request) = requests.try_recv() {
            if let SyncRequest::Enroll { server, code, name } = request {
                enrollments.push((server, code, name));
            }
        }
        let interval = store
            .setting("sync_interval_minutes")
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_INTERVAL_MINUTES);
        let mut wait = Duration::from_secs(interval * 60);
        match result {
            Ok(report) => {
                failures = 0;
                status.phase = SyncPhase::Idle;
                status.last_success = Some(Local::now());
                status.last_report = Some(report);
                let _ = events.send(Event::DataChanged);
            }
            Err(SyncError::NotEnrolled) => status.phase = SyncPhase::NotSetUp,
            Err(SyncError::Offline(_)) => {
                failures += 1;
                let base = Duration::from_secs(5) * 2u32.saturating_pow(failures.min(6));
                let jitter = rand::thread_rng().gen_range(0..=base.as_millis() as u64 / 4);
                wait = (base + Duration::from_millis(jitter)).min(MAX_BACKOFF).min(wait);
                status.phase = SyncPhase::Offline {
                    retry_at: Local::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                };
            }
            Err(e) => {
                tracing::warn!("sync failed: {e}");
                status.phase = SyncPhase::Failed(e);
            }
        }
        send(&status);
        for (server, code, name) in enrollments {
            handle_enroll(store, &data, &events, &server, &code, &name).await;
        }
        let next = tokio::select! {
            _ = tokio::time::sleep(wait) => Some(SyncRequest::Run),
            request = requests.recv() => request,
        };
        match next {
            None => return,
            Some(SyncRequest::Run) => {}
            Some(SyncRequest::Enroll { server, code, name }) => {
                handle_enroll(store, &data, &events, &server, &code, &name).await;
            }
        }
    }
}

async fn handle_enroll(
    store: &Store,
    data: &DataDir,
    events: &Sender<Event>,
    server: &str,
    code: &str,
    name: &str,
) {
    let event = match enroll_device(store, data, server, code, name).await {
        Ok(region) => Event::Enrolled { region },
        Err(e) => Event::Failed { topic: Topic::Enroll, message: e.into() },
    };
    let _ = events.send(event);
}
