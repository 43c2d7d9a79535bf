//! The sync routine: push the outbox in order and in batches, apply each outcome, then pull the
//! server's change log page by page, each page and its cursor in one transaction (pages whose rows
//! refer to a row still to come wait for it, `HeldPages`). It runs the same over real HTTP and
//! over the simulation's faulty in-process transport.

use std::collections::HashSet;
use std::time::Instant;

use rainstaff_core::protocol::ErrorBody;
use rainstaff_core::protocol::{
    ALL_REGIONS, ChangesPage, ConflictRecord, ErrorDetail, MAX_BATCH, Mutation, Op, OutcomeStatus,
    PushRequest, PushResponse, RejoinRequest, RejoinResponse, RejoinRow, SyncReport, receives,
};
use rainstaff_core::schema::{self, AUDIT_ENTRIES, FieldKind};
use rainstaff_core::validate::{FieldError, Problem};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Store, StoreError, now_utc, refused, rows};

/// How a run failed. Failed runs keep it as JSON, so that the settings screen can say it in the
/// language chosen when it is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum SyncError {
    #[error("this computer is not enrolled with a server")]
    NotEnrolled,
    #[error("the server cannot be reached: {0}")]
    Offline(String),
    #[error("the server no longer accepts this computer's token (revoked); enroll it again")]
    Revoked,
    #[error("the server needs a newer Rainstaff: {0}")]
    UpdateRequired(String),
    #[error("the server refused the request: {0}")]
    Refused(String),
    #[error("server error: {0}")]
    Server(String),
    #[error("local data error: {0}")]
    Local(String),
    /// What the user typed cannot work: the server's address, or an enrollment code the server
    /// refused.
    #[error("{0}")]
    Invalid(FieldError),
    /// The server was restored from a backup; the run rejoins it.
    #[error("the server was restored from a backup")]
    EpochChanged(Box<ErrorDetail>),
    /// The server knows this PC's mutation ids with other content, or misses some: this PC's
    /// data was restored from an older copy. The run renumbers what waits and sends it again.
    #[error("this computer's change numbers are behind the server's")]
    IdsBehind(Box<ErrorDetail>),
}

impl SyncError {
    /// The error for a server's refusal: HTTP status and its body (stable code, message and the
    /// detail a PC needs to recover). A refused enrollment code is the user's input, so it is
    /// said about that field.
    pub fn from_response(status: u16, body: &ErrorBody) -> SyncError {
        let code_is = |problem| SyncError::Invalid(FieldError::new("code", problem));
        let message = body.message.as_str();
        let code = (!body.error.is_empty()).then_some(body.error.as_str());
        match (status, code) {
            (_, Some("epoch_changed")) => SyncError::EpochChanged(Box::new(body.detail.clone())),
            (_, Some("mutation_replayed" | "mutation_gap")) if body.detail.last_mutation_id.is_some() => {
                SyncError::IdsBehind(Box::new(body.detail.clone()))
            }
            (_, Some("invalid_code")) => code_is(Problem::CodeUnknown),
            (_, Some("code_used")) => code_is(Problem::CodeUsed),
            (_, Some("code_expired")) => code_is(Problem::CodeExpired),
            (426, _) => SyncError::UpdateRequired(message.to_string()),
            (401, _) => SyncError::Revoked,
            (s, _) if s >= 500 => SyncError::Server(format!("{s}: {message}")),
            (s, Some(code)) => SyncError::Refused(format!("{s} {code}: {message}")),
            (s, None) => SyncError::Refused(format!("{s}: {message}")),
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Local(e.to_string())
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Local(e.to_string())
    }
}

/// The server as the sync routine sees it. Each call returns the answer and the bytes that
/// crossed the wire (sent, received). `epoch` is the server epoch this PC last synced with; a
/// server in another epoch refuses the call with `EpochChanged`.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(
        &mut self,
        epoch: Option<&str>,
        request: &PushRequest,
    ) -> Result<(PushResponse, u64, u64), SyncError>;
    /// `answered`: the last mutation id whose answer this PC holds, so the server may leave out
    /// what its pushes changed (`Store::answered`).
    async fn changes(
        &mut self,
        epoch: Option<&str>,
        since: i64,
        limit: usize,
        answered: Option<i64>,
    ) -> Result<(ChangesPage, u64, u64), SyncError>;
    async fn rejoin(
        &mut self,
        epoch: &str,
        request: &RejoinRequest,
    ) -> Result<(RejoinResponse, u64, u64), SyncError>;
    /// The server's snapshot file of every row this PC may see (`GET /sync/download`).
    async fn download(&mut self) -> Result<(Vec<u8>, u64, u64), SyncError>;
    async fn conflicts(&mut self) -> Result<(Vec<ConflictRecord>, u64, u64), SyncError>;
    async fn resolve_conflict(&mut self, id: i64) -> Result<(u64, u64), SyncError>;
}

pub const CURSOR_KEY: &str = "cursor";
/// The epoch of the server this PC last synced with.
pub const EPOCH_KEY: &str = "epoch";
/// The region this PC is enrolled for (`ALL` for an administrator's).
pub const REGION_KEY: &str = "device_region";
/// The enrolled server's address and this PC's device id there, kept in `sync_state`.
pub const SERVER_KEY: &str = "server_url";
pub const DEVICE_KEY: &str = "device_id";
/// The last mutation id whose answer this PC applied (with the row it carried).
const ANSWERED_KEY: &str = "answered";
/// Set when this PC may lack changes its own pushes made, whose answers it once held (its data
/// went back to an older copy, or it rejoined a restored server): the next pull takes every
/// change, and clears it when caught up.
const FULL_PULL_KEY: &str = "full_pull";
/// Set while a rejoin of a restored server is under way, as a JSON `RejoinMarker`.
const REJOIN_KEY: &str = "rejoin";
/// The highest mutation id a push has taken from the outbox. A change up to it may have reached
/// the server while it still waits here (its answer lost on the way), so an undo no longer takes
/// it back in place (`Store::undo_delete`).
pub const SENT_KEY: &str = "sent_through";
/// Changes pushed in one run from which the store is packed afterwards (`record_run`): an
/// imported office, not a day's typing.
const REPACK_AFTER_PUSHING: u64 = 5_000;

#[derive(Serialize, Deserialize)]
struct RejoinMarker {
    epoch: String,
    /// The backup's head: where the cursor goes back to when the rejoin is through.
    base_seq: i64,
    /// Rows in a version later than this were queued; below `base_seq` after an interrupted
    /// rejoin. Absent in markers written before it existed.
    from: Option<i64>,
}

impl RejoinMarker {
    fn from(&self) -> i64 {
        self.from.unwrap_or(self.base_seq)
    }
}

impl Store {
    pub fn sync_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_sync_state(&self, key: &str, value: &str) -> Result<(), StoreError> {
        set_state(&self.conn, key, value)
    }

    /// The office's changes still to send. Their audit entries travel with them and are not
    /// counted: a sign-in alone would otherwise show a change waiting.
    pub fn pending_count(&self) -> Result<i64, StoreError> {
        let sql = format!("SELECT count(*) FROM outbox WHERE table_name <> '{}'", AUDIT_ENTRIES.name);
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// The next changes to push, noted as sent (`SENT_KEY`) in the write transaction that reads
    /// them, so that an undo either turns its delete back before the batch is read or sees it sent.
    fn outbox_batch(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let batch = read_batch(&tx, limit)?;
        if let Some(last) = batch.last() {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE
                     SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                params![SENT_KEY, last.mutation_id],
            )?;
        }
        tx.commit()?;
        Ok(batch)
    }

    /// Applies the server's answers to one pushed batch in one transaction.
    fn apply_outcomes(
        &mut self,
        sent: &[Mutation],
        response: &PushResponse,
    ) -> Result<(u64, u64), SyncError> {
        let tx = self.conn.transaction()?;
        let mut conflicts = 0;
        let mut rejected = 0;
        for outcome in &response.outcomes {
            if !sent.iter().any(|m| m.mutation_id == outcome.mutation_id) {
                return Err(SyncError::Server(format!("answer for unknown change {}", outcome.mutation_id)));
            }
            // The entry leaves the outbox first (a refused one for the parked list), so the
            // canonical row below is not held back by it; a parked one's fields still are.
            let refused = outcome.status == OutcomeStatus::Rejected;
            if refused {
                refused::park(&tx, outcome)?;
            } else {
                tx.prepare_cached("DELETE FROM outbox WHERE mutation_id = ?1")?
                    .execute([outcome.mutation_id])?;
            }
            if let Some(row) = &outcome.row {
                rows::apply_server_row(&tx, row, None)?;
            }
            conflicts += outcome.conflicts.len() as u64;
            rejected += u64::from(refused);
        }
        if let Some(last) = response.outcomes.iter().map(|o| o.mutation_id).max() {
            set_state(&tx, ANSWERED_KEY, &last.to_string())?;
        }
        tx.commit()?;
        Ok((conflicts, rejected))
    }

    /// Takes pulled pages in one transaction and moves the cursor past the last.
    fn apply_pages(&mut self, pages: &[ChangesPage]) -> Result<(), SyncError> {
        let Some(last) = pages.last() else { return Ok(()) };
        let tx = self.conn.transaction()?;
        for change in pages.iter().flat_map(|p| &p.changes) {
            rows::apply_server_row(&tx, &change.row, None)?;
        }
        set_state(&tx, CURSOR_KEY, &last.next_since.to_string())?;
        if !last.has_more {
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [FULL_PULL_KEY])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A PC that never pulled and holds no record and no change: its first sync can take the
    /// server's snapshot instead of pulling every row's change. Once it has pulled (or taken a
    /// snapshot), even from an empty server, it has a cursor and pulls from there.
    fn holds_nothing(&self) -> Result<bool, StoreError> {
        if self.sync_state(CURSOR_KEY)?.is_some() || self.pending_count()? > 0 {
            return Ok(false);
        }
        for table in rainstaff_core::schema::TABLES {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", table.name);
            if self.conn.query_row(&sql, [], |r| r.get::<_, bool>(0))? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Takes the rows of a snapshot file (`snapshot` in rainstaff-server) in one transaction and
    /// goes on pulling from its head; returns how many rows it held. The file is written next to
    /// the store, attached, copied from table to table, and removed.
    fn bootstrap(&mut self, file: &[u8]) -> Result<u64, SyncError> {
        let path = self.path.with_extension("snapshot");
        std::fs::write(&path, file).map_err(|e| SyncError::Local(format!("{}: {e}", path.display())))?;
        let taken = self.take_snapshot(&path);
        let _ = std::fs::remove_file(&path);
        taken
    }

    fn take_snapshot(&mut self, path: &std::path::Path) -> Result<u64, SyncError> {
        self.conn.execute("ATTACH DATABASE ?1 AS snapshot", [path.to_string_lossy()])?;
        let taken = (|| {
            let meta = |key: &str| -> Result<Option<String>, SyncError> {
                Ok(self
                    .conn
                    .query_row("SELECT value FROM snapshot.snapshot_meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?)
            };
            if meta("format")?.as_deref() != Some("1") {
                return Err(SyncError::Server(
                    "the server's snapshot is in a format this build does not read".into(),
                ));
            }
            let head: i64 = meta("head_seq")?
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| SyncError::Server("the server's snapshot does not say its head".into()))?;
            let epoch = meta("epoch")?;
            let tx = self.conn.transaction()?;
            let mut rows = 0;
            for table in rainstaff_core::schema::TABLES {
                let (target, source) = (format!("main.{}", table.name), format!("snapshot.{}", table.name));
                let copy =
                    super::ddl::copy_from_text(table, &target, &source, &[("server_version", "version")]);
                rows += tx.execute(&copy, [])? as u64;
            }
            set_state(&tx, CURSOR_KEY, &head.to_string())?;
            if let Some(epoch) = epoch {
                set_state(&tx, EPOCH_KEY, &epoch)?;
            }
            tx.commit()?;
            Ok(rows)
        })();
        self.conn.execute("DETACH DATABASE snapshot", [])?;
        taken
    }

    /// What the next pull says of the answers this PC holds: nothing while it may lack some.
    fn answered(&self) -> Result<Option<i64>, StoreError> {
        if self.sync_state(FULL_PULL_KEY)?.is_some() {
            return Ok(None);
        }
        Ok(self.sync_state(ANSWERED_KEY)?.and_then(|s| s.parse().ok()))
    }

    fn replace_conflicts(&mut self, list: &[ConflictRecord]) -> Result<(), SyncError> {
        let tx = self.conn.transaction()?;
        // Locally resolved ones wait here until the server has heard of it.
        tx.execute("DELETE FROM conflicts WHERE resolved_at IS NULL", [])?;
        for c in list {
            tx.execute(
                "INSERT INTO conflicts (id, table_name, row_id, region, field, server_value, device_value, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
                params![
                    c.id,
                    c.table,
                    c.row_id,
                    c.region,
                    c.field,
                    c.server_value.to_string(),
                    c.device_value.to_string(),
                    c.created_at
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn record_run(&self, started: &str, result: &Result<SyncReport, SyncError>) -> Result<(), StoreError> {
        let (ok, report, error) = match result {
            Ok(r) => (true, serde_json::to_string(r).unwrap_or_default(), None),
            Err(e) => {
                (false, "{}".to_string(), Some(serde_json::to_string(e).unwrap_or_else(|_| e.to_string())))
            }
        };
        self.conn.execute(
            "INSERT INTO sync_runs (started_at, finished_at, ok, report, error) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![started, now_utc(), ok, report, error],
        )?;
        self.conn.execute(
            "DELETE FROM sync_runs WHERE id NOT IN (SELECT id FROM sync_runs ORDER BY id DESC LIMIT 50)",
            [],
        )?;
        // The outbox's pushed changes leave their pages free: a first sync after an import frees
        // a third of the file. Given back to the file system here, off the UI thread.
        super::give_back_free_pages(&self.conn)?;
        // A run that pushed a whole office (migration day) also made every row it sent a few
        // bytes longer (its server version), splitting the pages the import had filled: a store
        // of 50 000 shifts is left an eighth larger. One VACUUM packs them again, in a second.
        if result.as_ref().is_ok_and(|r| r.pushed >= REPACK_AFTER_PUSHING) {
            super::pack(&self.conn);
        }
        Ok(())
    }
}

impl Store {
    /// Fills the counts of what waits after a run: changes not yet sent and refused ones.
    fn count_waiting(&self, report: &mut SyncReport) -> Result<(), StoreError> {
        report.pending = self.pending_count()? as u64;
        report.refused = self.refused_count()? as u64;
        Ok(())
    }

    /// A PC that never named an epoch takes the server's from its first answer.
    fn learn_epoch(&self, epoch: Option<&str>) -> Result<(), StoreError> {
        if let Some(epoch) = epoch
            && self.sync_state(EPOCH_KEY)?.is_none()
        {
            self.set_sync_state(EPOCH_KEY, epoch)?;
        }
        Ok(())
    }

    fn rejoin_under_way(&self) -> Result<Option<(String, i64)>, StoreError> {
        Ok(self.rejoin_marker()?.map(|m| (m.epoch, m.base_seq)))
    }

    fn rejoin_marker(&self) -> Result<Option<RejoinMarker>, StoreError> {
        let Some(json) = self.sync_state(REJOIN_KEY)? else { return Ok(None) };
        serde_json::from_str(&json).map(Some).map_err(|e| StoreError::Invalid(e.to_string()))
    }

    /// Chooses the rows to send back: every row in this PC's scope in a version later than the
    /// backup's head, which the restored server cannot have. The list is made once, so a crash
    /// half way resumes it. A server restored again before the list was through (a second
    /// restore, or a restore from another backup) keeps what was not sent yet and adds every row
    /// later than the older of the two heads: the rows already sent back carry the interrupted
    /// epoch's versions, which the newest backup may not have either.
    fn start_rejoin(&mut self, epoch: &str, base_seq: i64) -> Result<(), StoreError> {
        let scope = self.sync_state(REGION_KEY)?.unwrap_or_else(|| ALL_REGIONS.to_string());
        let interrupted = self.rejoin_marker()?;
        let from = interrupted.as_ref().map_or(base_seq, |m| m.from().min(base_seq));
        let tx = self.conn.transaction()?;
        if interrupted.is_none() {
            tx.execute("DELETE FROM rejoin_queue", [])?;
        }
        for table in rainstaff_core::schema::TABLES {
            let mut stmt = tx.prepare(&format!(
                "SELECT id, region, server_version FROM {} WHERE server_version > ?1",
                table.name
            ))?;
            let found: Vec<(Uuid, String, i64)> = stmt
                .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let sent_back = |region: &str| receives(&scope, table.name, region);
            for (id, _, version) in found.into_iter().filter(|(_, region, _)| sent_back(region)) {
                tx.execute(
                    "INSERT OR IGNORE INTO rejoin_queue (table_name, row_id, old_version) VALUES (?1, ?2, ?3)",
                    params![table.name, id, version],
                )?;
            }
        }
        let marker =
            serde_json::to_string(&RejoinMarker { epoch: epoch.to_string(), base_seq, from: Some(from) })
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        set_state(&tx, REJOIN_KEY, &marker)?;
        tx.commit()?;
        Ok(())
    }

    /// The next rows to send back, parents' tables first, each as this PC holds it now.
    fn rejoin_batch(&self, limit: usize) -> Result<Vec<(RejoinRow, rows::LocalRow)>, StoreError> {
        let mut out = Vec::new();
        for table in rainstaff_core::schema::TABLES {
            let mut stmt = self.conn.prepare_cached(
                "SELECT row_id, old_version FROM rejoin_queue WHERE table_name = ?1 ORDER BY row_id LIMIT ?2",
            )?;
            let queued: Vec<(Uuid, i64)> = stmt
                .query_map(params![table.name, (limit - out.len()) as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (id, old_version) in queued {
                let Some(row) = rows::get(&self.conn, table, id)? else { continue };
                out.push((
                    RejoinRow {
                        table: table.name.to_string(),
                        row_id: id,
                        region: row.region.clone(),
                        deleted: row.deleted,
                        fields: if row.deleted { Default::default() } else { row.fields.clone() },
                        old_version,
                    },
                    row,
                ));
            }
            if out.len() >= limit {
                break;
            }
        }
        if out.is_empty() {
            // Rows that vanished from the store since the list was made have nothing to send.
            self.conn.execute("DELETE FROM rejoin_queue", [])?;
        }
        Ok(out)
    }

    /// Takes the server's answers to sent-back rows: its row where it has one (newer or now ours),
    /// a refused row parked like a refused change.
    fn apply_rejoin(
        &mut self,
        batch: &[(RejoinRow, rows::LocalRow)],
        response: &RejoinResponse,
    ) -> Result<(), SyncError> {
        let tx = self.conn.transaction()?;
        for ((sent, local), outcome) in batch.iter().zip(&response.outcomes) {
            let table = rainstaff_core::schema::table(&sent.table)
                .ok_or_else(|| SyncError::Local(format!("unknown table {}", sent.table)))?;
            if outcome.status == OutcomeStatus::Rejected {
                refused::park_row(&tx, table, local, outcome)?;
            }
            // The version this PC holds is the old epoch's: the server's answer replaces it
            // whatever its number, and a row the server refused without one has never been on
            // this server (a discard then deletes it here).
            rows::forget_version(&tx, table, sent.row_id)?;
            if let Some(row) = &outcome.row {
                rows::apply_server_row(&tx, row, None)?;
            }
            tx.execute(
                "DELETE FROM rejoin_queue WHERE table_name = ?1 AND row_id = ?2",
                params![sent.table, sent.row_id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Ends a rejoin: what waits is rebased on the backup's head, the cursor goes back to it (the
    /// changes after it are the new epoch's), and the server's conflicts are read anew.
    fn finish_rejoin(&mut self, epoch: &str, base_seq: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE outbox SET base_version = ?1 WHERE base_version > ?1", [base_seq])?;
        tx.execute("DELETE FROM conflicts", [])?;
        let cursor: i64 = tx
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [CURSOR_KEY], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        set_state(&tx, CURSOR_KEY, &cursor.min(base_seq).to_string())?;
        set_state(&tx, EPOCH_KEY, epoch)?;
        // Its rows took the restored server's answers; what its pushes made before may be gone.
        pull_everything_next(&tx)?;
        tx.execute("DELETE FROM sync_state WHERE key = ?1", [REJOIN_KEY])?;
        tx.commit()?;
        Ok(())
    }

    /// Gives the changes waiting that the server cannot take under their ids (`ErrorDetail`) new
    /// ids after the last it applied, in the order they were made.
    fn renumber_outbox(&mut self, detail: &ErrorDetail) -> Result<(), StoreError> {
        let last = detail.last_mutation_id.unwrap_or(0);
        let tx = self.conn.transaction()?;
        // Through negative ids, so no new id meets an old one on the way. The entries the server
        // named and every one after its last get new ids after it; the others it answers as it
        // did (renumbered, they would be applied a second time). A server that names only where
        // to start has everything from there renumbered.
        if detail.replayed_mutation_ids.is_empty() {
            let from = detail.replayed_mutation_id.unwrap_or(i64::MIN);
            tx.execute("UPDATE outbox SET mutation_id = -mutation_id WHERE mutation_id >= ?1", [from])?;
        } else {
            tx.execute(
                "UPDATE outbox SET mutation_id = -mutation_id
                 WHERE mutation_id > ?1 OR mutation_id IN (SELECT value FROM json_each(?2))",
                params![last, Value::from(detail.replayed_mutation_ids.clone()).to_string()],
            )?;
        }
        // What they were first sent as goes with them (`Mutation::renumbered_from`).
        tx.execute(
            "UPDATE outbox SET renumbered_from = coalesce(renumbered_from, -mutation_id) WHERE mutation_id < 0",
            [],
        )?;
        // Numbered in the order they were made (`made`): an entry moved by an earlier renumbering
        // of the same copy's changes, named in an earlier batch, stays ahead of one named now.
        tx.execute(
            "UPDATE outbox SET mutation_id = ?1 + moved.rank
             FROM (SELECT mutation_id AS old, row_number() OVER (ORDER BY made) AS rank
                   FROM outbox WHERE mutation_id < 0) AS moved
             WHERE outbox.mutation_id = moved.old",
            [last],
        )?;
        // The next change follows what waits, or the server's last: an id above both was never
        // applied (the refusal came before anything was), and one left higher would be a gap.
        tx.execute(
            "UPDATE sqlite_sequence SET seq = max(?1, (SELECT coalesce(max(mutation_id), 0) FROM outbox))
             WHERE name = 'outbox'",
            [last],
        )?;
        // This PC's data went back to an older copy: the changes its later pushes made are gone.
        pull_everything_next(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// Counts what one request moved over the wire into the run's report.
fn crossed(report: &mut SyncReport, sent: u64, received: u64) {
    report.bytes_sent += sent;
    report.bytes_received += received;
}

/// The next pull takes every change, this PC's own too (`FULL_PULL_KEY`): what its pushes made
/// may be gone from its store.
pub(super) fn pull_everything_next(conn: &rusqlite::Connection) -> Result<(), StoreError> {
    set_state(conn, FULL_PULL_KEY, "1")
}

fn set_state(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// One sync run: push everything waiting, then pull until caught up. Records the run.
pub async fn sync_once(store: &mut Store, transport: &mut impl Transport) -> Result<SyncReport, SyncError> {
    let started = now_utc();
    let clock = Instant::now();
    let mut report = SyncReport::default();
    let result = run(store, transport, &mut report).await.map(|()| {
        report.duration_ms = clock.elapsed().as_millis() as u64;
        report
    });
    let result = match result {
        Ok(mut report) => store.count_waiting(&mut report).map(|()| report).map_err(SyncError::from),
        Err(e) => Err(e),
    };
    store.record_run(&started, &result)?;
    result
}

/// Runs the exchange, mending on the way the two states that would otherwise stop sync for good:
/// a server restored from a backup (rejoin it) and a PC restored from an older copy (renumber its
/// waiting changes). A rejoin happens at most once per run and each renumbering must start
/// further on than the last, so a server that keeps answering the same way fails the run instead
/// of looping.
async fn run(
    store: &mut Store,
    transport: &mut impl Transport,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut rejoined = false;
    // The first id the last renumbering started from: a server names the ids it cannot take in
    // the batch it is sent, so a later batch may name more, further on. Naming none further is
    // a server that keeps answering the same way.
    let mut renumbered: Option<i64> = None;
    loop {
        let rejoin_result = match store.rejoin_under_way()? {
            Some((epoch, base_seq)) => rejoin(store, transport, report, &epoch, base_seq).await,
            None => Ok(()),
        };
        // A rejoin refused as of an earlier epoch (the server was restored once more) starts
        // again below, for the epoch the server has now.
        let result = match rejoin_result {
            Ok(()) => exchange(store, transport, report).await,
            Err(e) => Err(e),
        };
        match result {
            Err(SyncError::EpochChanged(detail)) if !rejoined => {
                rejoined = true;
                let (Some(epoch), Some(base_seq)) = (detail.epoch, detail.epoch_base_seq) else {
                    return Err(SyncError::Server("a restored server did not say its epoch".into()));
                };
                store.start_rejoin(&epoch, base_seq)?;
            }
            Err(SyncError::IdsBehind(detail))
                if renumbered.is_none_or(|r| detail.replayed_mutation_id.is_some_and(|d| d > r)) =>
            {
                renumbered = Some(detail.replayed_mutation_id.unwrap_or(i64::MIN));
                store.renumber_outbox(&detail)?;
            }
            other => return other,
        }
    }
}

async fn exchange(
    store: &mut Store,
    transport: &mut impl Transport,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut last_pushed = 0;
    loop {
        let batch = store.outbox_batch(MAX_BATCH)?;
        let Some(first) = batch.first() else { break };
        // Answered entries leave the outbox; seeing one again means the answer was not applied.
        if first.mutation_id <= last_pushed {
            return Err(SyncError::Local(format!(
                "change {} was answered but is still waiting",
                first.mutation_id
            )));
        }
        last_pushed = batch.last().map_or(last_pushed, |m| m.mutation_id);
        let request = PushRequest { mutations: batch };
        let epoch = store.sync_state(EPOCH_KEY)?;
        let (response, sent, received) = transport.push(epoch.as_deref(), &request).await?;
        crossed(report, sent, received);
        store.learn_epoch(response.epoch.as_deref())?;
        let (conflicts, rejected) = store.apply_outcomes(&request.mutations, &response)?;
        report.pushed += response.outcomes.len() as u64;
        report.conflicts += conflicts;
        report.rejected += rejected;
        if response.outcomes.len() < request.mutations.len() {
            return Err(SyncError::Server("the server answered only part of a batch".into()));
        }
    }
    // Resolutions go first, so the conflicts the last page lists are already without them.
    let resolved: Vec<i64> = {
        let mut stmt = store.conn.prepare("SELECT id FROM conflicts WHERE resolved_at IS NOT NULL")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    for id in resolved {
        match transport.resolve_conflict(id).await {
            Ok((sent, received)) => {
                crossed(report, sent, received);
            }
            // The server no longer has it (restored from a backup): nothing left to resolve.
            Err(SyncError::Refused(d)) if d.contains("conflict_not_found") => {}
            Err(e) => return Err(e),
        }
        store.conn.execute("DELETE FROM conflicts WHERE id = ?1", [id])?;
    }
    if store.holds_nothing()? {
        // The file is a shortcut: one that does not arrive (a line too slow for it, or one that
        // breaks) or that the store cannot take whole (a record of the region refers to one an
        // administrator moved to another region: the snapshot has no trace of it, the change log
        // has its departure) is left for the pull, which brings every change.
        match transport.download().await {
            Ok((file, sent, received)) => {
                crossed(report, sent, received);
                match store.bootstrap(&file) {
                    Ok(rows) => {
                        report.pulled += rows;
                        report.from_snapshot = true;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the server's snapshot was not taken; pulling every change")
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the server's snapshot did not arrive; pulling every change")
            }
        }
    }
    let mut since: i64 = store.sync_state(CURSOR_KEY)?.and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut held = HeldPages::default();
    let open_conflicts = loop {
        let epoch = store.sync_state(EPOCH_KEY)?;
        let (page, sent, received) =
            transport.changes(epoch.as_deref(), since, MAX_BATCH, store.answered()?).await?;
        crossed(report, sent, received);
        report.pulled += page.changes.len() as u64;
        store.learn_epoch(page.epoch.as_deref())?;
        since = page.next_since;
        let (last, conflicts) = (!page.has_more, page.conflicts.clone());
        held.add(store, page)?;
        if held.missing.is_empty() || last {
            store.apply_pages(&held.pages)?;
            held = HeldPages::default();
        }
        if last {
            break conflicts;
        }
    };
    let list = match open_conflicts {
        Some(list) => list,
        None => {
            let (list, sent, received) = transport.conflicts().await?;
            crossed(report, sent, received);
            list
        }
    };
    store.replace_conflicts(&list)?;
    Ok(())
}

/// Pulled pages not yet taken, because a row in them refers to one neither the store nor they
/// hold: the store checks references when a transaction commits, and the server's log keeps a
/// row's latest change only, so a person edited after their shifts were entered comes pages after
/// the shifts. The pages are taken together once the rows they refer to have come.
#[derive(Default)]
struct HeldPages {
    pages: Vec<ChangesPage>,
    pulled: HashSet<Uuid>,
    missing: HashSet<Uuid>,
}

impl HeldPages {
    fn add(&mut self, store: &Store, page: ChangesPage) -> Result<(), StoreError> {
        for change in &page.changes {
            self.pulled.insert(change.row.id);
            self.missing.remove(&change.row.id);
        }
        for change in &page.changes {
            let Some(table) = schema::table(&change.row.table) else { continue };
            for field in table.fields {
                let FieldKind::Ref(parent) = field.kind else { continue };
                let Some(id) = change.row.fields.get(field.name).and_then(Value::as_str) else { continue };
                let Ok(id) = Uuid::parse_str(id) else { continue };
                if self.pulled.contains(&id) || self.missing.contains(&id) {
                    continue;
                }
                let sql = format!("SELECT EXISTS (SELECT 1 FROM \"{parent}\" WHERE id = ?1)");
                if !store.conn.prepare_cached(&sql)?.query_row([id], |r| r.get::<_, bool>(0))? {
                    self.missing.insert(id);
                }
            }
        }
        self.pages.push(page);
        Ok(())
    }
}

/// Sends back every row the restored server may have lost, then goes on from the backup's head.
async fn rejoin(
    store: &mut Store,
    transport: &mut impl Transport,
    report: &mut SyncReport,
    epoch: &str,
    base_seq: i64,
) -> Result<(), SyncError> {
    loop {
        let batch = store.rejoin_batch(MAX_BATCH)?;
        if batch.is_empty() {
            break;
        }
        let request = RejoinRequest { rows: batch.iter().map(|(row, _)| row.clone()).collect() };
        let (response, sent, received) = transport.rejoin(epoch, &request).await?;
        crossed(report, sent, received);
        if response.outcomes.len() != batch.len() {
            return Err(SyncError::Server("the server answered only part of a rejoin".into()));
        }
        store.apply_rejoin(&batch, &response)?;
        report.pushed += batch.len() as u64;
    }
    store.finish_rejoin(epoch, base_seq)?;
    report.rejoined = true;
    Ok(())
}

impl Store {
    /// The last `n` runs, newest first: (finished at, ok, what happened).
    pub fn sync_runs(&self, n: usize) -> Result<Vec<(String, bool, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT finished_at, ok, coalesce(error, report) FROM sync_runs ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The first `limit` changes of the outbox, in order.
fn read_batch(conn: &Connection, limit: usize) -> Result<Vec<Mutation>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT mutation_id, table_name, row_id, region, op, fields, base_version, imported, renumbered_from
         FROM outbox ORDER BY mutation_id LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        let fields: String = r.get(5)?;
        let op: String = r.get(4)?;
        Ok(Mutation {
            mutation_id: r.get(0)?,
            table: r.get(1)?,
            row_id: r.get(2)?,
            region: r.get(3)?,
            op: if op == "delete" { Op::Delete } else { Op::Upsert },
            fields: match serde_json::from_str(&fields) {
                Ok(Value::Object(map)) => map,
                _ => Default::default(),
            },
            base_version: r.get(6)?,
            imported: r.get(7)?,
            renumbered_from: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
