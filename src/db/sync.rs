//! The sync routine: push the outbox in order and in batches, apply each outcome, then pull the
//! server's change log page by page, each page and its cursor in one transaction. It runs the
//! same over real HTTP and over the simulation's faulty in-process transport.

use std::time::Instant;

use rainstaff_core::protocol::{
    ChangesPage, ConflictRecord, MAX_BATCH, Mutation, Op, OutcomeStatus, PushRequest, PushResponse,
    SyncReport,
};
use rainstaff_core::validate::{FieldError, Problem};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use uuid::Uuid;

use super::{Store, StoreError, now_utc, rows};

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
}

impl SyncError {
    /// The error for a server's refusal: HTTP status, its stable error code and its message.
    /// A refused enrollment code is the user's input, so it is said about that field.
    pub fn from_response(status: u16, code: Option<&str>, message: &str) -> SyncError {
        let code_is = |problem| SyncError::Invalid(FieldError::new("code", problem));
        match (status, code) {
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
/// crossed the wire (sent, received).
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&mut self, request: &PushRequest) -> Result<(PushResponse, u64, u64), SyncError>;
    async fn changes(&mut self, since: i64, limit: usize) -> Result<(ChangesPage, u64, u64), SyncError>;
    async fn conflicts(&mut self) -> Result<(Vec<ConflictRecord>, u64, u64), SyncError>;
    async fn resolve_conflict(&mut self, id: i64) -> Result<(u64, u64), SyncError>;
}

pub const CURSOR_KEY: &str = "cursor";

impl Store {
    pub fn sync_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_sync_state(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }

    fn outbox_batch(&self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT mutation_id, table_name, row_id, region, op, fields, base_version
             FROM outbox ORDER BY mutation_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let fields: String = r.get(5)?;
            let op: String = r.get(4)?;
            Ok(Mutation {
                mutation_id: r.get(0)?,
                table: r.get(1)?,
                row_id: Uuid::parse_str(&r.get::<_, String>(2)?).unwrap_or_default(),
                region: r.get(3)?,
                op: if op == "delete" { Op::Delete } else { Op::Upsert },
                fields: match serde_json::from_str(&fields) {
                    Ok(Value::Object(map)) => map,
                    _ => Default::default(),
                },
                base_version: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
            let Some(m) = sent.iter().find(|m| m.mutation_id == outcome.mutation_id) else {
                return Err(SyncError::Server(format!("answer for unknown change {}", outcome.mutation_id)));
            };
            // The entry leaves the outbox first, so the canonical row below is not held back by it.
            tx.execute("DELETE FROM outbox WHERE mutation_id = ?1", [m.mutation_id])?;
            let table = rainstaff_core::schema::table(&m.table)
                .ok_or_else(|| SyncError::Local(format!("unknown table {}", m.table)))?;
            let reason = (outcome.status == OutcomeStatus::Rejected)
                .then(|| outcome.reason.clone().unwrap_or_else(|| "rejected".into()));
            match &outcome.row {
                Some(row) => {
                    rows::apply_server_row(&tx, row, reason.as_deref())?;
                }
                None => {
                    if let Some(reason) = &reason {
                        rows::mark_rejected(&tx, table, m.row_id, reason)?;
                    }
                }
            }
            conflicts += outcome.conflicts.len() as u64;
            rejected += u64::from(reason.is_some());
        }
        tx.commit()?;
        Ok((conflicts, rejected))
    }

    fn apply_page(&mut self, page: &ChangesPage) -> Result<(), SyncError> {
        let tx = self.conn.transaction()?;
        for change in &page.changes {
            rows::apply_server_row(&tx, &change.row, None)?;
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, page.next_since.to_string()],
        )?;
        tx.commit()?;
        Ok(())
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
                    c.row_id.to_string(),
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
        Ok(())
    }
}

/// One sync run: push everything waiting, then pull until caught up. Records the run.
pub async fn sync_once(store: &mut Store, transport: &mut impl Transport) -> Result<SyncReport, SyncError> {
    let started = now_utc();
    let clock = Instant::now();
    let result = run(store, transport, clock).await;
    store.record_run(&started, &result)?;
    result
}

async fn run(
    store: &mut Store,
    transport: &mut impl Transport,
    clock: Instant,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
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
        let (response, sent, received) = transport.push(&request).await?;
        report.bytes_sent += sent;
        report.bytes_received += received;
        let (conflicts, rejected) = store.apply_outcomes(&request.mutations, &response)?;
        report.pushed += response.outcomes.len() as u64;
        report.conflicts += conflicts;
        report.rejected += rejected;
        if response.outcomes.len() < request.mutations.len() {
            return Err(SyncError::Server("the server answered only part of a batch".into()));
        }
    }
    loop {
        let since: i64 = store.sync_state(CURSOR_KEY)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        let (page, sent, received) = transport.changes(since, MAX_BATCH).await?;
        report.bytes_sent += sent;
        report.bytes_received += received;
        report.pulled += page.changes.len() as u64;
        store.apply_page(&page)?;
        if !page.has_more {
            break;
        }
    }
    let resolved: Vec<i64> = {
        let mut stmt = store.conn.prepare("SELECT id FROM conflicts WHERE resolved_at IS NOT NULL")?;
        stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    for id in resolved {
        let (sent, received) = transport.resolve_conflict(id).await?;
        report.bytes_sent += sent;
        report.bytes_received += received;
        store.conn.execute("DELETE FROM conflicts WHERE id = ?1", [id])?;
    }
    let (list, sent, received) = transport.conflicts().await?;
    report.bytes_sent += sent;
    report.bytes_received += received;
    store.replace_conflicts(&list)?;
    report.duration_ms = clock.elapsed().as_millis() as u64;
    Ok(report)
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
