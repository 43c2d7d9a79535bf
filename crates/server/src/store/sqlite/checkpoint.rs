//! Folding the write-ahead log into the database file on a thread of its own. SQLite's automatic
//! checkpoint runs inside the commit that takes the log past its threshold, on the writer's path:
//! with batches of imported rows that is nearly every push, and a push then waits for the
//! checkpoint's copying and its two fsyncs on top of its own commit.

use std::ffi::c_int;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::StoreError;

/// The log's length, in pages, at which the checkpoint thread is woken (SQLite's own threshold).
const WAKE_AT_PAGES: c_int = 1_000;
/// The length at which the writer checkpoints itself after its commit, as SQLite would: under a
/// steady stream of writes the thread's checkpoint rarely finds the gap it needs to let the log
/// start over (a migration day's pushes took it past 6 000 pages), and without this it would grow
/// without bound. The thread has copied most of the log by then, so the writer's share is small.
const WRITER_AT_PAGES: c_int = 4_000;
/// The log file is cut back to this once it starts over; otherwise it keeps the longest length
/// it ever reached on disk for as long as the server runs.
const LOG_KEPT_BYTES: i64 = 4 << 20;

enum Signal {
    Checkpoint,
    Stop,
}

/// The checkpoint thread and its connection; dropping it stops the thread and closes the
/// connection (before the writer's, which then folds in what is left and removes the log).
pub struct Checkpointer {
    signals: SyncSender<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread for the database at `path` and hands its checkpointing over from
    /// `writer`'s commits.
    pub fn start(path: &Path, writer: &mut Connection) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // A checkpoint copies committed pages into the file; FULL syncs them before the log
        // may start over, as the writer's own checkpoint did.
        conn.pragma_update(None, "synchronous", "FULL")?;
        for c in [&conn, &*writer] {
            c.pragma_update(None, "journal_size_limit", LOG_KEPT_BYTES)?;
        }
        // One signal waiting is enough: the checkpoint it starts takes every commit before it.
        let (signals, inbox) = sync_channel(1);
        let wake = signals.clone();
        // Replaces SQLite's automatic checkpoint, which is a hook of the same kind.
        let mut writer_at = WRITER_AT_PAGES;
        writer.wal_hook(Some(move |wal: &mut Wal, pages: c_int| {
            if pages < WRITER_AT_PAGES {
                writer_at = WRITER_AT_PAGES;
            }
            // While the writer checkpoints itself the thread is left asleep: the log starts over
            // only at a write that begins with all of it copied, which the writer's own
            // checkpoint right after its commit gives and the thread's, still copying as the
            // next push begins, does not.
            let writer_turn = pages >= writer_at;
            let thread_gone = !writer_turn
                && pages >= WAKE_AT_PAGES
                && matches!(wake.try_send(Signal::Checkpoint), Err(TrySendError::Disconnected(_)));
            if writer_turn || thread_gone {
                writer_at = next_writer_turn(wal.checkpoint_v2(CheckpointMode::PASSIVE), pages);
            }
            Ok(())
        }))?;
        let thread =
            std::thread::Builder::new().name("checkpoint".into()).spawn(move || run(&conn, &inbox))?;
        Ok(Self { signals, thread: Some(thread) })
    }
}

/// The log length at which the writer tries its checkpoint again after one that returned
/// `result` at `pages`. An error here is only logged: returning it would fail the statement
/// whose commit has already happened.
fn next_writer_turn(result: rusqlite::Result<(c_int, c_int)>, pages: c_int) -> c_int {
    match result {
        // All copied: the next write starts the log over, and the length falls below the turn.
        Ok((log, copied)) if copied >= log => WRITER_AT_PAGES,
        // A pull still reads an older state and keeps part of the log: trying again at every
        // commit, as SQLite's own checkpoint does, would make every push pay for an attempt
        // that cannot finish; once the log has grown by another step it may.
        Ok(_) => pages + WAKE_AT_PAGES,
        // The thread is finishing a checkpoint it began before the writer's turn: the next
        // commit tries again, as an attempt that finds it busy costs nothing.
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy => pages,
        Err(e) => {
            tracing::warn!(error = %e, "the writer's checkpoint failed; it tries again as the log grows");
            pages + WAKE_AT_PAGES
        }
    }
}

fn run(conn: &Connection, inbox: &Receiver<Signal>) {
    while let Ok(Signal::Checkpoint) = inbox.recv() {
        // PASSIVE: copies what no reader still needs and never waits for a lock; what is left
        // is copied by the next one, or by the writer's checkpoint when the log grows long.
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint of the write-ahead log failed; the next one retries");
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // A blocking send: the thread takes it once its current checkpoint is done.
        let _ = self.signals.send(Signal::Stop);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}
