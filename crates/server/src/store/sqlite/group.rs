//! Group commit: writes that queue for the writer while another holds it share its transaction
//! and one commit. Under many devices pushing at once the commit (its log pages and fsync) was a
//! fifth of the writer's time per batch, and a batch waits for every batch queued ahead of it;
//! with one commit per group the queue moves faster. A device alone still commits on its own.
//!
//! Each write runs in a savepoint of the group's transaction, so one that fails or panics is
//! rolled back without touching the others, and every member is answered only once the commit
//! that holds its write succeeded: a failed commit fails them all, and each device pushes again.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use rusqlite::Connection;

use crate::error::StoreError;

/// The most writes one transaction holds. The first of a group is answered only after the last,
/// so a larger group spreads the latencies: with 50 devices pushing (`benches/sync_load.rs`),
/// groups of 16 gave the most throughput (a fifth above one commit per push) but a slower p99
/// than groups of 8, which gave a tenth more throughput and a p99 no worse than before.
const GROUP_MAX: usize = 8;

/// The writing connection and the group its open transaction holds, if any.
pub(super) struct Writer {
    pub conn: Connection,
    /// While a transaction is open: the outcome its members wait for, and how many joined it.
    group: Option<(Arc<Group>, usize)>,
}

/// The commit's outcome, told to the members of its group waiting for it.
#[derive(Default)]
pub(super) struct Group {
    outcome: Mutex<Option<Result<(), String>>>,
    decided: Condvar,
}

impl Group {
    fn decide(&self, outcome: Result<(), String>) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.decided.notify_all();
    }

    /// Blocks until the group's transaction was committed or given up.
    pub fn wait(&self) -> Result<(), StoreError> {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match &*outcome {
                Some(Ok(())) => return Ok(()),
                Some(Err(e)) => return Err(StoreError::msg(format!("the write was not committed: {e}"))),
                None => outcome = self.decided.wait(outcome).unwrap_or_else(PoisonError::into_inner),
            }
        }
    }
}

/// Writes waiting for the writer: the one holding it hands its transaction on while any are.
#[derive(Default)]
pub(super) struct Queue(AtomicUsize);

impl Queue {
    /// Counts the caller as waiting while `lock` blocks.
    pub fn wait_for<T>(&self, lock: impl FnOnce() -> T) -> T {
        self.0.fetch_add(1, Ordering::SeqCst);
        let held = lock();
        self.0.fetch_sub(1, Ordering::SeqCst);
        held
    }

    fn is_empty(&self) -> bool {
        self.0.load(Ordering::SeqCst) == 0
    }
}

impl Writer {
    pub fn new(conn: Connection) -> Self {
        Self { conn, group: None }
    }

    /// Joins the open transaction, or begins one.
    pub fn join(&mut self) -> Result<Arc<Group>, StoreError> {
        if self.group.is_none() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        let (group, members) = self.group.get_or_insert_with(Default::default);
        *members += 1;
        Ok(group.clone())
    }

    /// Ends a turn at the writer: hands the open transaction on when another write is waiting
    /// and the group has room, so one commit serves both; otherwise commits it and tells every
    /// member. Called by every holder of the writer before it lets go of it.
    pub fn end_turn(&mut self, queue: &Queue) {
        let Some((group, members)) = self.group.take() else { return };
        if self.conn.is_autocommit() {
            // SQLite rolled the whole transaction back on an error (a full disk, say), the
            // writes of the members before this one with it.
            group.decide(Err("the database rolled the transaction back".into()));
            return;
        }
        if members < GROUP_MAX && !queue.is_empty() {
            self.group = Some((group, members));
            return;
        }
        let outcome = self.conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        // A commit refused (a deferred constraint) leaves the transaction open.
        if outcome.is_err()
            && !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "could not roll back a transaction whose commit failed");
        }
        group.decide(outcome);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::thread;

    use super::super::SqliteStore;
    use crate::error::{ServiceError, StoreError};
    use crate::store::{Store, Tx};

    /// A store whose writer is held by a write that lets go only once `queued` more writes wait
    /// for it: these then share its transaction. Returns the store and the holder's thread.
    fn held_until_queued(
        dir: &tempfile::TempDir,
        queued: usize,
    ) -> (&'static SqliteStore, thread::JoinHandle<Result<(), ServiceError>>) {
        let store: &'static SqliteStore =
            Box::leak(Box::new(SqliteStore::open(&dir.path().join("s.db")).unwrap()));
        let (started, holding) = std::sync::mpsc::channel();
        let holder = thread::spawn(move || {
            store.write(|tx| {
                tx.set_setting("holder", Some("1"))?;
                started.send(()).unwrap();
                while store.queue.0.load(Ordering::SeqCst) < queued {
                    thread::yield_now();
                }
                Ok(())
            })
        });
        holding.recv().unwrap();
        (store, holder)
    }

    fn committed(store: &SqliteStore, key: &str) -> bool {
        store.read(|tx| Ok(tx.setting(key)?)).unwrap().is_some()
    }

    fn set(store: &'static SqliteStore, key: &'static str) -> thread::JoinHandle<Result<(), ServiceError>> {
        thread::spawn(move || store.write(|tx| Ok(tx.set_setting(key, Some("1"))?)))
    }

    #[test]
    fn writes_queued_behind_another_share_its_transaction_and_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (store, holder) = held_until_queued(&dir, 2);
        let members: Vec<_> = (0..2)
            .map(|_| {
                thread::spawn(move || {
                    store.write(|tx| {
                        // The holder's write is in this transaction, and not yet committed.
                        let seen_here = tx.setting("holder")?.is_some();
                        let seen_outside = committed(store, "holder");
                        Ok((seen_here, seen_outside))
                    })
                })
            })
            .collect();
        holder.join().unwrap().unwrap();
        for member in members {
            assert_eq!(member.join().unwrap().unwrap(), (true, false));
        }
        assert!(committed(store, "holder"));
    }

    #[test]
    fn a_member_that_fails_or_panics_is_rolled_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (store, holder) = held_until_queued(&dir, 3);
        let failing = thread::spawn(move || {
            store.write(|tx| {
                tx.set_setting("failing", Some("1"))?;
                Err::<(), _>(ServiceError::invalid("refused", "a rule refused it"))
            })
        });
        let panicking = thread::spawn(move || {
            store.write(|tx| {
                tx.set_setting("panicking", Some("1"))?;
                panic!("a bug in a push");
                #[allow(unreachable_code)]
                Ok(())
            })
        });
        let after = set(store, "after");
        holder.join().unwrap().unwrap();
        assert_eq!(failing.join().unwrap().unwrap_err().code, "refused", "its own error");
        assert!(panicking.join().is_err(), "the panic reaches its own caller");
        after.join().unwrap().unwrap();
        assert!(committed(store, "holder") && committed(store, "after"));
        assert!(!committed(store, "failing") && !committed(store, "panicking"));
        set(store, "later").join().unwrap().unwrap();
        assert!(committed(store, "later"), "the writer is left with no transaction open");
    }

    #[test]
    fn a_commit_that_fails_fails_every_member() {
        let dir = tempfile::tempdir().unwrap();
        let (store, holder) = held_until_queued(&dir, 2);
        let other = set(store, "other");
        // Passes its own statements and leaves a violation the commit refuses.
        let breaking = thread::spawn(move || {
            store.write(|tx| {
                tx.tx
                    .execute_batch(
                        "PRAGMA defer_foreign_keys = ON;
                         INSERT INTO applied_mutations VALUES ('no such device', 1, 'h', '{}', 'now');",
                    )
                    .map_err(StoreError::from)?;
                Ok(())
            })
        });
        for member in [holder, other, breaking] {
            assert_eq!(member.join().unwrap().unwrap_err().code, "internal");
        }
        assert!(!committed(store, "holder") && !committed(store, "other"));
        set(store, "later").join().unwrap().unwrap();
        assert!(committed(store, "later"), "the writer is left with no transaction open");
    }
}
