//! The store on one SQLite file in WAL mode. One writing connection behind a mutex: SQLite has a
//! single writer anyway, and serializing through one connection makes every batch a plain
//! transaction with no busy retries. Reads go through read-only connections of their own, so a
//! long read (a snapshot) never stops a push from committing. The methods are blocking; the HTTP
//! layer calls them on tokio's blocking pool, a simulation calls them directly.

mod checkpoint;
mod columns;
mod migrations;
mod pulls;
pub mod restore;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use parking_lot::{Mutex as FairMutex, MutexGuard};
use rainstaff_core::protocol::{ChangesPage, ConflictRecord, RowState, TableCount};
use rainstaff_core::schema::{FieldSpec, TABLES, TableSpec};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params, params_from_iter};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::table_sql::{
    self, BASE_COUNT, CONFLICT_COLUMNS, DEVICE_COLUMNS, Dialect, LIVE_BASE, LOGIN_COLUMNS, LiveRows,
    SESSION_COLUMNS, TableSql, Tables, audit_query,
};
use super::{
    AppliedMutation, AuditEntry, AuditQuery, Device, EndSessions, EnrollCode, LiveRow, Login, NewConflict,
    NewUser, PageFill, ReadChange, Rejoined, RowQuery, Scope, ServerRow, Store, Tx, User, WebSession,
};
use crate::error::{ServiceError, StoreError};

/// How long a statement waits for another program's lock before it fails.
const BUSY_WAIT: Duration = Duration::from_secs(10);
/// How long the readiness probe waits for the write lock: a probe must answer quickly, and a
/// lock held longer than this already keeps pushes waiting.
const PROBE_WAIT: Duration = Duration::from_secs(2);
/// Idle read connections kept for the next reads; more are opened when reads overlap.
const READERS_KEPT: usize = 4;
/// Prepared statements a connection keeps. A push runs a few dozen distinct statements, some
/// per table; with rusqlite's default of 16 each mutation evicted statements the next one needed
/// and SQLite compiled them again: a tenth of the writer's time in a profile under load.
const STATEMENTS_KEPT: usize = 256;

/// `Tx::forget_last_mutations`, also run by a restore on the file it puts in place.
const FORGET_LAST_MUTATIONS: &str =
    "UPDATE devices SET last_mutation_id = NULL; DELETE FROM applied_mutations; DELETE FROM answered_runs;
     DELETE FROM renumbered_answers;";

/// SQLite's spelling of the shared statements.
const DIALECT: Dialect = Dialect {
    param: |n| format!("?{n}"),
    // SQLite compares text by its bytes already.
    byte_order: "",
    live_and_deleted: "SUM(deleted_at IS NULL), SUM(deleted_at IS NOT NULL)",
    is_distinct_from: "IS NOT",
    origin_on_row: true,
};

pub struct SqliteStore {
    // Before `conn`, so they close first: the last connection to close folds the write-ahead
    // log into the file and removes it, and only the writer can (the readers are read-only, and
    // the checkpoint thread's connection would leave the log to the writer still open).
    readers: Mutex<Vec<Connection>>,
    _checkpointer: checkpoint::Checkpointer,
    conn: FairMutex<Connection>,
    path: PathBuf,
    tables: Tables,
    pulls: pulls::Pulls,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it when missing, and brings its layout up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, OpenFlags::default())
    }

    /// Like `open`, but refuses a file that does not exist: a server pointed at a wrong path must
    /// not start on an empty database and tell every PC it has no data.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::msg(format!(
                "no database at {}; create it with `rainstaff-server --db {} init`",
                path.display(),
                path.display()
            )));
        }
        Self::open_with(path, OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Self, StoreError> {
        // Before anything that writes (the journal mode lives in the file's header).
        migrations::check_identity(path)?;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_WAIT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::msg(format!("could not switch the database to WAL mode (got {mode})")));
        }
        // FULL: a batch the server acknowledged is deleted from the PC's outbox, so it must
        // survive a power cut, not only a process crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The company's rows and their indexes run to hundreds of megabytes; SQLite's default 2 MB
        // of cache would read the same index pages from the file for every mutation.
        conn.pragma_update(None, "cache_size", -65_536)?;
        migrations::migrate(&mut conn)?;
        let checkpointer = checkpoint::Checkpointer::start(path, &mut conn)?;
        let tables = Tables::new(&DIALECT);
        Ok(Self {
            conn: FairMutex::new(conn),
            _checkpointer: checkpointer,
            readers: Mutex::new(Vec::new()),
            path: path.to_path_buf(),
            tables,
            pulls: pulls::Pulls::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn run<T>(
        &self,
        conn: &mut Connection,
        behavior: TransactionBehavior,
        f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let tx = conn.transaction_with_behavior(behavior).map_err(StoreError::from)?;
        let mut stx = SqliteTx {
            tx,
            tables: &self.tables,
            pulls: &self.pulls,
            seq: None,
            last_device: None,
            devices: None,
        };
        let out = f(&mut stx)?;
        if let Some(seq) = stx.seq {
            stx.tx
                .prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'change_seq'")
                .and_then(|mut update| update.execute([seq]))
                .map_err(StoreError::from)?;
        }
        stx.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// An idle read-only connection, or a new one.
    fn reader(&self) -> Result<Connection, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        if let Some(conn) = idle {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(BUSY_WAIT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(conn)
    }

    fn keep_reader(&self, conn: Connection) {
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < READERS_KEPT {
            idle.push(conn);
        }
    }
}

impl Store for SqliteStore {
    type Tx<'t> = SqliteTx<'t>;

    fn write<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut conn = self.conn.lock();
        let out = self.run(&mut conn, TransactionBehavior::Immediate, f);
        // Handed to the push that has waited longest: with a plain unlock a push arriving now
        // takes the lock ahead of those already waiting, and under load from many devices
        // some waited several times as long as the rest.
        MutexGuard::unlock_fair(conn);
        out
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        // In WAL mode a read transaction on its own connection sees the state committed when it
        // began, while the writing connection goes on committing.
        let mut conn = self.reader()?;
        let out = self.run(&mut conn, TransactionBehavior::Deferred, f);
        self.keep_reader(conn);
        out
    }

    fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.lock();
        conn.busy_timeout(PROBE_WAIT)?;
        let probe = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("UPDATE counters SET value = value WHERE name = 'change_seq'", [])?;
            tx.rollback()
        })();
        conn.busy_timeout(BUSY_WAIT)?;
        Ok(probe?)
    }

    fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        // A read connection: in WAL mode it reads one consistent state while the writing
        // connection goes on, so a backup never stalls the sync.
        let src = self.reader()?;
        let partial = dest.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        {
            let mut dst = Connection::open(&partial)?;
            let backup = Backup::new(&src, &mut dst)?;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        self.keep_reader(src);
        // Renamed only when complete, so a file under the final name is always a whole backup.
        std::fs::rename(&partial, dest)?;
        Ok(())
    }
}

pub struct SqliteTx<'t> {
    tx: rusqlite::Transaction<'t>,
    tables: &'t Tables,
    pulls: &'t pulls::Pulls,
    /// The last seq this transaction handed out, counted here and written to the counter row
    /// once, before the commit: the writer is the only one counting (see `Store`), and an
    /// UPDATE of the row for every change of a batch was a tenth of the push's time.
    seq: Option<i64>,
    /// The device this transaction last looked up the number of, and the number, `None` for a
    /// device the store does not know (`device_number`): a push's changes all come from one.
    last_device: Option<(Uuid, Option<i64>)>,
    /// Every device by its number, once a row that names one was read (`device_ids`).
    devices: Option<HashMap<i64, Uuid>>,
}

/// Every device's id by its number, read once per transaction for the rows it decodes: a
/// company has tens of PCs, a push reads a row for each of its changes.
fn device_ids<'c>(
    tx: &rusqlite::Transaction<'_>,
    cache: &'c mut Option<HashMap<i64, Uuid>>,
) -> Result<&'c HashMap<i64, Uuid>, StoreError> {
    if cache.is_none() {
        let mut stmt = tx.prepare_cached("SELECT number, id FROM devices WHERE number IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        let mut devices = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(1)?;
            let id = Uuid::parse_str(&id).map_err(|e| StoreError::msg(format!("device id {id:?}: {e}")))?;
            devices.insert(r.get(0)?, id);
        }
        *cache = Some(devices);
    }
    Ok(cache.get_or_insert_default())
}

impl SqliteTx<'_> {
    fn sql(&self, table: &TableSpec) -> Result<&TableSql, StoreError> {
        self.tables.get(table)
    }

    /// The changes a pull page's statement (`pulls::PullSql::page`) reads with `args`.
    fn read_changes(&self, sql: &str, args: &[SqlValue]) -> Result<Vec<ReadChange>, StoreError> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut entries = Vec::new();
        while let Some(r) = rows.next()? {
            entries.push(ReadChange {
                seq: r.get(0)?,
                table: r.get(1)?,
                row_id: columns::id_from(r.get_ref(2)?)?,
                json: r.get(3)?,
            });
        }
        Ok(entries)
    }

    /// One of a pull's summaries (`pulls::PullSql`) of the changes after `since` in `scope`.
    fn summary(
        &mut self,
        scope: Scope<'_>,
        since: i64,
        which: fn(&pulls::PullSql) -> &String,
    ) -> Result<Option<i64>, StoreError> {
        let (sql, args) = match scope {
            None => (which(&self.pulls.everywhere), vec![SqlValue::Integer(since)]),
            Some(region) => (
                which(&self.pulls.region),
                vec![SqlValue::Integer(since), SqlValue::Text(region.to_string())],
            ),
        };
        Ok(self.tx.prepare_cached(sql)?.query_row(params_from_iter(args), |r| r.get(0))?)
    }

    /// The number a row keeps for the device its version came from (a device's id is 16 bytes,
    /// which every row would keep), `None` for a device the store does not know.
    fn device_number(&mut self, device: Uuid) -> Result<Option<i64>, StoreError> {
        if let Some((id, number)) = self.last_device
            && id == device
        {
            return Ok(number);
        }
        let number = self
            .tx
            .prepare_cached("SELECT number FROM devices WHERE id = ?1")?
            .query_row([device.to_string()], |r| r.get(0))
            .optional()?
            .flatten();
        self.last_device = Some((device, number));
        Ok(number)
    }
}

fn device_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let id: String = r.get(0)?;
    Ok(Device {
        id: Uuid::parse_str(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        name: r.get(1)?,
        region: r.get(2)?,
        created_at: r.get(3)?,
        revoked_at: r.get(4)?,
        last_mutation_id: r.get(5)?,
        last_push_at: r.get(6)?,
        last_pull_at: r.get(7)?,
        cursor: r.get(8)?,
        app_version: r.get(9)?,
        refused: r.get(10)?,
    })
}

fn user_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User { username: r.get(0)?, region: r.get(1)?, created_at: r.get(2)?, disabled_at: r.get(3)? })
}

fn session_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebSession> {
    Ok(WebSession {
        token_hash: r.get(0)?,
        username: r.get(1)?,
        csrf_token: r.get(2)?,
        created_at: r.get(3)?,
        last_seen_at: r.get(4)?,
    })
}

/// A row with its field versions; `devices` names the devices by number (`device_ids`).
fn row_from(
    table: &'static TableSpec,
    r: &rusqlite::Row<'_>,
    devices: &HashMap<i64, Uuid>,
) -> Result<ServerRow, StoreError> {
    let state = state_from(table, r)?;
    let field_versions =
        columns::field_versions_from(r.get_ref(6)?, state.version, table, |n| devices.get(&n).copied())?;
    Ok(ServerRow { state, field_versions })
}

/// A row as devices see it, without the field versions only the merge reads.
fn state_from(table: &'static TableSpec, r: &rusqlite::Row<'_>) -> Result<RowState, StoreError> {
    let mut fields = Map::new();
    for (i, field) in table.fields.iter().enumerate() {
        fields.insert(field.name.to_string(), columns::field_from(field.kind, r.get_ref(BASE_COUNT + i)?)?);
    }
    let deleted_at = r.get_ref(5)?;
    Ok(RowState {
        table: table.name.to_string(),
        id: columns::id_from(r.get_ref(0)?)?,
        region: r.get(1)?,
        version: r.get(2)?,
        created_at: columns::stamp_from(r.get_ref(3)?)?,
        updated_at: columns::stamp_from(r.get_ref(4)?)?,
        deleted_at: (deleted_at != ValueRef::Null).then(|| columns::stamp_from(deleted_at)).transpose()?,
        fields,
    })
}

/// A row of a `table_sql::live_row` or `LiveRows` statement, whose fields are `read`.
fn live_row_from(read: &[&'static FieldSpec], r: &rusqlite::Row<'_>) -> Result<LiveRow, StoreError> {
    let mut fields = Map::new();
    for (i, field) in read.iter().enumerate() {
        fields.insert(field.name.to_string(), columns::field_from(field.kind, r.get_ref(LIVE_BASE + i)?)?);
    }
    Ok(LiveRow { id: columns::id_from(r.get_ref(0)?)?, region: r.get(1)?, fields })
}

fn conflict_from(r: &rusqlite::Row<'_>) -> Result<ConflictRecord, StoreError> {
    let row_id: String = r.get(2)?;
    let server_value: String = r.get(5)?;
    let device_value: String = r.get(6)?;
    Ok(ConflictRecord {
        id: r.get(0)?,
        table: r.get(1)?,
        row_id: Uuid::parse_str(&row_id)?,
        region: r.get(3)?,
        field: r.get(4)?,
        server_value: serde_json::from_str(&server_value)?,
        device_value: serde_json::from_str(&device_value)?,
        created_at: r.get(7)?,
        resolved_at: r.get(8)?,
    })
}

impl Tx for SqliteTx<'_> {
    fn insert_device(&mut self, d: &Device, token_hash: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO devices (id, name, region, token_hash, created_at, number)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(number), 0) + 1 FROM devices))",
            params![d.id.to_string(), d.name, d.region, token_hash, d.created_at],
        )?;
        self.devices = None;
        self.last_device = None;
        Ok(())
    }

    fn device(&mut self, id: Uuid) -> Result<Option<Device>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1");
        Ok(self.tx.prepare_cached(&sql)?.query_row([id.to_string()], device_from).optional()?)
    }

    fn device_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Device>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1");
        Ok(self.tx.prepare_cached(&sql)?.query_row([token_hash], device_from).optional()?)
    }

    fn devices(&mut self) -> Result<Vec<Device>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at, id");
        let mut stmt = self.tx.prepare(&sql)?;
        let devices = stmt.query_map([], device_from)?.collect::<Result<_, _>>()?;
        Ok(devices)
    }

    fn revoke_device(&mut self, id: Uuid, at: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), at],
        )?;
        Ok(())
    }

    fn record_push(
        &mut self,
        id: Uuid,
        last_mutation_id: i64,
        refused: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE devices SET last_mutation_id = ?2, refused = refused + ?3, last_push_at = ?4 \
                 WHERE id = ?1",
            )?
            .execute(params![id.to_string(), last_mutation_id, refused, at])?;
        Ok(())
    }

    fn set_app_version(&mut self, id: Uuid, version: &str) -> Result<(), StoreError> {
        self.tx
            .execute("UPDATE devices SET app_version = ?2 WHERE id = ?1", params![id.to_string(), version])?;
        Ok(())
    }

    fn record_pull(&mut self, id: Uuid, cursor: i64, at: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE devices SET cursor = ?2, last_pull_at = ?3 WHERE id = ?1")?
            .execute(params![id.to_string(), cursor, at])?;
        Ok(())
    }

    fn forget_last_mutations(&mut self) -> Result<(), StoreError> {
        self.tx.execute_batch(FORGET_LAST_MUTATIONS)?;
        Ok(())
    }

    fn insert_enroll_code(&mut self, c: &EnrollCode) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO enroll_codes (code_hash, region, created_at, expires_at, used_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.code_hash, c.region, c.created_at, c.expires_at, c.used_at],
        )?;
        Ok(())
    }

    fn enroll_code(&mut self, code_hash: &str) -> Result<Option<EnrollCode>, StoreError> {
        Ok(self
            .tx
            .query_row(
                "SELECT code_hash, region, created_at, expires_at, used_at FROM enroll_codes WHERE code_hash = ?1",
                [code_hash],
                |r| {
                    Ok(EnrollCode {
                        code_hash: r.get(0)?,
                        region: r.get(1)?,
                        created_at: r.get(2)?,
                        expires_at: r.get(3)?,
                        used_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn use_enroll_code(&mut self, code_hash: &str, at: &str, device: Uuid) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE enroll_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
            params![code_hash, at, device.to_string()],
        )?;
        Ok(())
    }

    fn user_count(&mut self) -> Result<i64, StoreError> {
        Ok(self.tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
    }

    fn insert_user(&mut self, u: &NewUser) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO users (username, password_hash, region, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![u.username, u.password_hash, u.region, u.created_at],
        )?;
        Ok(())
    }

    fn usernames(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.tx.prepare("SELECT username FROM users ORDER BY id")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(names)
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let mut stmt =
            self.tx.prepare("SELECT username, region, created_at, disabled_at FROM users ORDER BY id")?;
        let users = stmt.query_map([], user_from)?.collect::<Result<_, _>>()?;
        Ok(users)
    }

    fn set_password_hash(&mut self, username: &str, password_hash: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE username = ?1",
            params![username, password_hash],
        )?;
        Ok(())
    }

    fn disable_user(&mut self, username: &str, at: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE users SET disabled_at = ?2 WHERE username = ?1 AND disabled_at IS NULL",
            params![username, at],
        )?;
        Ok(())
    }

    fn login(&mut self, username: &str) -> Result<Option<Login>, StoreError> {
        let sql = format!("SELECT {LOGIN_COLUMNS} FROM users WHERE username = ?1");
        Ok(self
            .tx
            .query_row(&sql, [username], |r| {
                Ok(Login {
                    user: user_from(r)?,
                    password_hash: r.get(4)?,
                    failed_logins: r.get(5)?,
                    locked_until: r.get(6)?,
                })
            })
            .optional()?)
    }

    fn set_login_failures(
        &mut self,
        username: &str,
        failed: i64,
        locked_until: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE username = ?1",
            params![username, failed, locked_until],
        )?;
        Ok(())
    }

    fn insert_session(&mut self, s: &WebSession) -> Result<(), StoreError> {
        self.tx.execute(
            &format!("INSERT INTO web_sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
            params![s.token_hash, s.username, s.csrf_token, s.created_at, s.last_seen_at],
        )?;
        Ok(())
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM web_sessions WHERE token_hash = ?1");
        Ok(self.tx.query_row(&sql, [token_hash], session_from).optional()?)
    }

    fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<(), StoreError> {
        self.tx
            .execute("UPDATE web_sessions SET last_seen_at = ?2 WHERE token_hash = ?1", [token_hash, at])?;
        Ok(())
    }

    fn end_sessions(&mut self, which: EndSessions<'_>) -> Result<(), StoreError> {
        let (condition, value) = match which {
            EndSessions::One(token_hash) => ("token_hash = ?1", token_hash),
            EndSessions::OfUser(username) => ("username = ?1", username),
            EndSessions::IdleSince(at) => ("last_seen_at < ?1", at),
        };
        self.tx.execute(&format!("DELETE FROM web_sessions WHERE {condition}"), [value])?;
        Ok(())
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, region, action, subject, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![e.at, e.actor, e.region, e.action, e.subject, e.detail])?;
        Ok(())
    }

    fn audit(&mut self, query: &AuditQuery<'_>) -> Result<Vec<AuditEntry>, StoreError> {
        let (sql, values) = audit_query(query, &DIALECT);
        let mut stmt = self.tx.prepare(&sql)?;
        let entries = stmt
            .query_map(params_from_iter(values), |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    region: r.get(3)?,
                    action: r.get(4)?,
                    subject: r.get(5)?,
                    detail: r.get(6)?,
                    record_table: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(entries)
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => self.tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    fn row(&mut self, table: &'static TableSpec, id: Uuid) -> Result<Option<ServerRow>, StoreError> {
        let devices = device_ids(&self.tx, &mut self.devices)?;
        let mut stmt = self.tx.prepare_cached(&self.tables.get(table)?.select_one)?;
        let mut rows = stmt.query([columns::id(id)])?;
        rows.next()?.map(|r| row_from(table, r, devices)).transpose()
    }

    fn live_row(
        &mut self,
        table: &'static TableSpec,
        id: Uuid,
        read: &[&'static str],
    ) -> Result<Option<LiveRow>, StoreError> {
        let (sql, read) = table_sql::live_row(table, read, &DIALECT)?;
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut rows = stmt.query([columns::id(id)])?;
        rows.next()?.map(|r| live_row_from(&read, r)).transpose()
    }

    fn rows(&mut self, table: &'static TableSpec, ids: &[Uuid]) -> Result<Vec<ServerRow>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.extend(self.row(table, *id)?);
        }
        Ok(found)
    }

    fn put_version(
        &mut self,
        table: &'static TableSpec,
        row: &ServerRow,
        origin: Option<Uuid>,
        _superseded: Option<i64>,
    ) -> Result<(), StoreError> {
        // The row is its own latest change (`pulls`): writing it supersedes the one before.
        let origin = match origin {
            Some(device) => SqlValue::Integer(self.device_number(device)?.ok_or_else(|| {
                StoreError::msg(format!("no device {device} to note as the origin of a change"))
            })?),
            None => SqlValue::Null,
        };
        let s = &row.state;
        let base = [
            columns::id(s.id),
            SqlValue::Text(s.region.clone()),
            SqlValue::Integer(s.version),
            columns::stamp(&s.created_at),
            columns::stamp(&s.updated_at),
            s.deleted_at.as_deref().map_or(SqlValue::Null, columns::stamp),
            columns::field_versions(row, table, |device| self.device_number(device))?,
        ];
        let fields = table
            .fields
            .iter()
            .map(|f| columns::field(f, s.fields.get(f.name).unwrap_or(&Value::Null)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.tx.prepare_cached(&self.sql(table)?.upsert)?;
        stmt.execute(params_from_iter(base.into_iter().chain(fields).chain([origin])))?;
        Ok(())
    }

    fn scan_rows(
        &mut self,
        table: &'static TableSpec,
        scope: Scope<'_>,
        f: &mut dyn FnMut(RowState) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = self.sql(table)?;
        let (mut stmt, args) = match scope {
            None => (self.tx.prepare(&sql.scan_all)?, Vec::new()),
            Some(region) => (self.tx.prepare(&sql.scan_region)?, vec![region.to_string()]),
        };
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            f(state_from(table, r)?)?;
        }
        Ok(())
    }

    fn live_rows(&mut self, q: &RowQuery<'_>) -> Result<Vec<LiveRow>, StoreError> {
        let LiveRows { sql, value: (field, value), between, read } = LiveRows::new(q, &DIALECT)?;
        let mut args = vec![columns::field(field, value)?, q.except.map_or(SqlValue::Null, columns::id)];
        if let Some((field, low, high)) = between {
            args.extend([columns::field(field, low)?, columns::field(field, high)?]);
        }
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut found = Vec::new();
        while let Some(r) = rows.next()? {
            found.push(live_row_from(&read, r)?);
        }
        Ok(found)
    }

    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError> {
        let mut counts = Vec::new();
        for table in TABLES {
            let mut stmt = self.tx.prepare(&self.sql(table)?.counts)?;
            let rows = stmt.query_map([], |r| {
                Ok(TableCount {
                    table: table.name.to_string(),
                    region: r.get(0)?,
                    rows: r.get(1)?,
                    deleted: r.get(2)?,
                })
            })?;
            for row in rows {
                counts.push(row?);
            }
        }
        Ok(counts)
    }

    fn next_seq(&mut self) -> Result<i64, StoreError> {
        let next = self.head_seq()? + 1;
        self.seq = Some(next);
        Ok(next)
    }

    fn head_seq(&mut self) -> Result<i64, StoreError> {
        match self.seq {
            Some(seq) => Ok(seq),
            None => {
                Ok(self
                    .tx
                    .query_row("SELECT value FROM counters WHERE name = 'change_seq'", [], |r| r.get(0))?)
            }
        }
    }

    fn log_departure(&mut self, seq: i64, row: &RowState, origin: Option<Uuid>) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO departures (seq, table_name, row_id, region, row_json, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                seq,
                row.table,
                columns::id(row.id),
                row.region,
                serde_json::to_string(row)?,
                origin.map(columns::id)
            ])?;
        Ok(())
    }

    fn changes(
        &mut self,
        scope: Scope<'_>,
        since: i64,
        limit: usize,
        max_bytes: usize,
        skip: Option<Uuid>,
    ) -> Result<ChangesPage, StoreError> {
        let mut page = PageFill::new(limit, max_bytes);
        let lookahead = page.lookahead();
        let mut args = vec![
            SqlValue::Integer(since),
            // A device the store does not know has no changes to leave out.
            SqlValue::from(skip.map(|d| self.device_number(d)).transpose()?.flatten()),
            skip.map_or(SqlValue::Null, columns::id),
            SqlValue::Integer(lookahead),
        ];
        let entries = match scope {
            Some(region) => {
                args.push(SqlValue::Text(region.to_string()));
                self.read_changes(&self.pulls.region.page, &args)?
            }
            // Every region's rows, read a window of seqs at a time (`pulls::WINDOW`), widened
            // while it holds fewer than the page asks for and changes lie beyond it.
            None => {
                let head = self.head_seq()?;
                let mut width = lookahead.saturating_mul(pulls::WINDOW);
                loop {
                    let until = since.saturating_add(width);
                    args.push(SqlValue::Integer(until));
                    let entries = self.read_changes(&self.pulls.everywhere.page, &args)?;
                    if i64::try_from(entries.len()).unwrap_or(i64::MAX) >= lookahead || until >= head {
                        break entries;
                    }
                    args.pop();
                    width = width.saturating_mul(4);
                }
            }
        };
        page.fill(self, entries)?;
        let last_in_scope = match skip {
            None => None,
            Some(_) => self.summary(scope, since, |sql| &sql.last)?,
        };
        Ok(page.finish(since, last_in_scope))
    }

    fn count_changes(&mut self, scope: Scope<'_>, since: i64) -> Result<i64, StoreError> {
        Ok(self.summary(scope, since, |sql| &sql.count)?.unwrap_or(0))
    }

    fn applied_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<AppliedMutation>, StoreError> {
        let found: Option<(String, String)> = self
            .tx
            .prepare_cached(
                "SELECT hash, outcome_json FROM applied_mutations WHERE device_id = ?1 AND mutation_id = ?2",
            )?
            .query_row(params![device.to_string(), mutation_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        found
            .map(|(hash, outcome)| Ok(AppliedMutation { hash, outcome: serde_json::from_str(&outcome)? }))
            .transpose()
    }

    fn record_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
        applied: &AppliedMutation,
        at: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO applied_mutations (device_id, mutation_id, hash, outcome_json, applied_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                device.to_string(),
                mutation_id,
                applied.hash,
                serde_json::to_string(&applied.outcome)?,
                at
            ])?;
        Ok(())
    }

    fn forget_mutations(&mut self, device: Uuid, below: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM applied_mutations WHERE device_id = ?1 AND mutation_id < ?2")?
            .execute(params![device.to_string(), below])?;
        Ok(())
    }

    fn record_answers(&mut self, device: Uuid, first_id: i64, answers: &[u8]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO answered_runs (device_id, first_id, answers) VALUES (?1, ?2, ?3)")?
            .execute(params![device.to_string(), first_id, answers])?;
        Ok(())
    }

    fn record_renumbered(
        &mut self,
        device: Uuid,
        first_id: i64,
        digest: &[u8],
        new_id: i64,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO renumbered_answers (device_id, first_id, digest, new_id) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![device.to_string(), first_id, digest, new_id])?;
        Ok(())
    }

    fn renumbered(&mut self, device: Uuid, first_id: i64, digest: &[u8]) -> Result<Option<i64>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT new_id FROM renumbered_answers WHERE device_id = ?1 AND first_id = ?2 AND digest = ?3",
            )?
            .query_row(params![device.to_string(), first_id, digest], |r| r.get(0))
            .optional()?)
    }

    fn last_renumbered(&mut self, device: Uuid) -> Result<Option<i64>, StoreError> {
        Ok(self
            .tx
            .prepare_cached("SELECT max(first_id) FROM renumbered_answers WHERE device_id = ?1")?
            .query_row(params![device.to_string()], |r| r.get(0))?)
    }

    fn answers_holding(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT first_id, answers FROM answered_runs WHERE device_id = ?1 AND first_id <= ?2 \
                 ORDER BY first_id DESC LIMIT 1",
            )?
            .query_row(params![device.to_string(), mutation_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn rejoined(&mut self, table: &str, id: Uuid) -> Result<Option<Rejoined>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT old_version, seq FROM rejoined_rows WHERE table_name = ?1 AND row_id = ?2",
            )?
            .query_row(params![table, id.to_string()], |r| {
                Ok(Rejoined { old_version: r.get(0)?, seq: r.get(1)? })
            })
            .optional()?)
    }

    fn set_rejoined(&mut self, table: &str, id: Uuid, rejoined: Rejoined) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO rejoined_rows (table_name, row_id, old_version, seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (table_name, row_id) DO UPDATE SET old_version = excluded.old_version, seq = excluded.seq",
            )?
            .execute(params![table, id.to_string(), rejoined.old_version, rejoined.seq])?;
        Ok(())
    }

    fn insert_conflict(&mut self, c: &NewConflict<'_>) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO conflicts (table_name, row_id, region, field, server_value, device_value, device_id, \
                 mutation_id, seq, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                c.table,
                c.row_id.to_string(),
                c.region,
                c.field,
                serde_json::to_string(c.server_value)?,
                serde_json::to_string(c.device_value)?,
                c.device.to_string(),
                c.mutation_id,
                c.seq,
                c.created_at
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    fn conflict(&mut self, id: i64) -> Result<Option<ConflictRecord>, StoreError> {
        let sql = format!("SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE id = ?1");
        let mut stmt = self.tx.prepare(&sql)?;
        let mut rows = stmt.query([id])?;
        rows.next()?.map(conflict_from).transpose()
    }

    fn conflicts(
        &mut self,
        scope: Scope<'_>,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, StoreError> {
        let sql = format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE (?1 IS NULL OR region = ?1) \
             AND (?2 OR resolved_at IS NULL) ORDER BY id"
        );
        let mut stmt = self.tx.prepare(&sql)?;
        let mut rows = stmt.query(params![scope, include_resolved])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(conflict_from(r)?);
        }
        Ok(out)
    }

    fn resolve_conflict(&mut self, id: i64, at: &str, by: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE conflicts SET resolved_at = ?2, resolved_by = ?3 WHERE id = ?1 AND resolved_at IS NULL",
            params![id, at, by],
        )?;
        Ok(())
    }
}
