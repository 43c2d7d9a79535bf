//! The store on a PostgreSQL database, for several server instances over one database.
//!
//! **One writer at a time, and seqs in commit order.** Every write transaction begins by locking
//! the one row of `counters` (`SELECT … FOR UPDATE`) and keeps the lock until it commits or rolls
//! back. So write transactions, on any instance, run one after another, as they do on SQLite's
//! single writing connection:
//! - the rules that read and then write (a plate or T.C. number unique in the company, one
//!   person's shifts not overlapping, `rainstaff_core::rules`) see every write committed before
//!   theirs, under READ COMMITTED, since each statement reads what was committed when it began;
//! - a seq is taken from that same locked row (`next_seq` adds one to it), and PostgreSQL makes a
//!   transaction visible before it lets go of its locks, so when a transaction holding seq n can
//!   take the lock, every seq below n is committed and visible, or rolled back with its counter
//!   increment. A reader can never see n without the lower ones: a device's cursor never passes a
//!   change that commits later. (A `SEQUENCE` would hand numbers out outside any transaction,
//!   and a transaction with a lower number could commit after one with a higher.)
//! - a mutation retried on another instance while its first try is still running waits for the
//!   lock and then finds what the first try kept of its answer (`answered_runs`, and the
//!   `applied_mutations` row of a merge or refusal): exactly once across instances.
//!
//! The price is that writes do not overlap, whichever instance takes them: instances add
//! request handling, TLS and JSON work in parallel, not write throughput (docs/PERFORMANCE.md).
//! Reads (snapshots, status, conflicts, authentication) run in REPEATABLE READ READ ONLY
//! transactions that take no lock and see one committed state.
//!
//! Values are kept in typed columns (BIGINT, DOUBLE PRECISION, TEXT), converted through core's
//! `sql_value` like SQLite's, so a row reads back the same from either store.

mod migrations;
mod pool;

use std::path::Path;

use rainstaff_core::protocol::{ChangesPage, ConflictRecord, RowState, TableCount};
use rainstaff_core::schema::{FieldKind, FieldSpec, TABLES, TableSpec};
use rainstaff_core::sql_value::{self, SqlValue as Shared};
use serde_json::{Map, Value};
use tokio_postgres::Row;
use uuid::Uuid;

use self::pool::{Conn, Link, Param, Pool};
use super::table_sql::{
    self, BASE_COUNT, CONFLICT_COLUMNS, DEVICE_COLUMNS, Dialect, LIVE_BASE, LOGIN_COLUMNS, LiveRows,
    SESSION_COLUMNS, TableSql, Tables, audit_query,
};
use super::{
    AppliedMutation, AuditEntry, AuditQuery, Device, EndSessions, EnrollCode, LiveRow, Login, NewConflict,
    NewUser, PageFill, ReadChange, Rejoined, RowQuery, Scope, ServerRow, Store, Tx, User, WebSession,
    company_wide_changes,
};
use crate::error::{ServiceError, StoreError};

pub use self::migrations::LATEST as SCHEMA_VERSION;

/// Connections one instance keeps to the database when `--db` does not say (`pool_size=N` in
/// the URL's query does). Writes run one at a time anyway; the others serve reads and requests
/// waiting for the write lock.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// Taken first in every write transaction: the lock that orders writers (module docs).
const WRITE_LOCK: &str = "SELECT value FROM counters WHERE name = 'change_seq' FOR UPDATE";

/// PostgreSQL's spelling of the shared statements.
const DIALECT: Dialect = Dialect {
    param: |n| format!("${n}"),
    // Byte order, as SQLite sorts text, whatever the database's collation.
    byte_order: " COLLATE \"C\"",
    live_and_deleted: "count(*) FILTER (WHERE deleted_at IS NULL), count(*) FILTER (WHERE deleted_at IS NOT NULL)",
    is_distinct_from: "IS DISTINCT FROM",
    origin_on_row: false,
};

pub struct PgStore {
    // Declared before the link: connections are closed while its runtime still runs.
    pool: Pool,
    link: Link,
    tables: Tables,
}

/// Reads `pool_size` from the URL's query and leaves the rest for the client.
fn pool_size(url: &str) -> Result<(String, usize), StoreError> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), DEFAULT_POOL_SIZE)) };
    let mut size = DEFAULT_POOL_SIZE;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("pool_size=") {
            Some(n) => {
                size =
                    n.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| {
                        StoreError::msg("--db: pool_size must be a whole number of at least 1")
                    })?;
            }
            None => rest.push(pair),
        }
    }
    Ok((if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) }, size))
}

impl PgStore {
    /// Connects to the database `url` names and creates the server's tables when it has none
    /// (the `init` command); a database of another program is refused untouched.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::connect(url, true)
    }

    /// Like `open`, but refuses a database without the server's tables: a server pointed at the
    /// wrong database must not start empty and tell every PC it has no data.
    pub fn open_existing(url: &str) -> Result<Self, StoreError> {
        Self::connect(url, false)
    }

    fn connect(url: &str, create: bool) -> Result<Self, StoreError> {
        let (url, size) = pool_size(url)?;
        let store = Self { pool: Pool::new(&url, size), link: Link::new()?, tables: Tables::new(&DIALECT) };
        let mut conn = store.pool.get(&store.link)?;
        migrations::migrate(conn.conn(), &store.link, create)?;
        drop(conn);
        Ok(store)
    }

    fn run<T>(
        &self,
        writing: bool,
        f: impl FnOnce(&mut PgTx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut pooled = self.pool.get(&self.link)?;
        let begin = if writing {
            "BEGIN ISOLATION LEVEL READ COMMITTED"
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        };
        let mut tx = PgTx { conn: pooled.conn(), link: &self.link, tables: &self.tables, seq: None };
        let begun = tx.conn.batch(tx.link, begin).and_then(|()| {
            if writing {
                tx.seq = Some(Seq { value: tx.one(WRITE_LOCK, vec![])?, taken: false });
            }
            Ok(())
        });
        if let Err(e) = begun {
            // It may have begun and failed after: no later user should find it half open.
            pooled.discard();
            return Err(e.into());
        }
        let out = f(&mut tx).and_then(|value| {
            tx.write_seq()?;
            tx.conn.flush(tx.link)?;
            Ok(value)
        });
        let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
        tx.conn.drop_deferred();
        if let Err(e) = tx.conn.batch(tx.link, end) {
            pooled.discard();
            return Err(e.into());
        }
        out
    }
}

impl Store for PgStore {
    type Tx<'t> = PgTx<'t>;

    fn write<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        self.run(true, f)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        self.run(false, f)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let mut pooled = self.pool.get(&self.link)?;
        // As long as a probe may wait for the write lock: see SQLite's PROBE_WAIT.
        let probe = pooled.conn().batch(
            &self.link,
            &format!(
                "BEGIN; SET LOCAL lock_timeout = '2s'; {WRITE_LOCK}; \
                 UPDATE counters SET value = value WHERE name = 'change_seq'"
            ),
        );
        if pooled.conn().batch(&self.link, "ROLLBACK").is_err() {
            pooled.discard();
        }
        probe
    }

    fn backup_to(&self, _dest: &Path) -> Result<(), StoreError> {
        Err(StoreError::msg(
            "a PostgreSQL database is backed up with pg_dump or continuous archiving, not by \
             rainstaff-server (docs/IT.md, \"Scaling out\")",
        ))
    }
}

pub struct PgTx<'t> {
    conn: &'t mut Conn,
    link: &'t Link,
    tables: &'t Tables,
    /// In a write transaction, the change seq as of its locked counter row: seqs are counted
    /// here and the counter written once, instead of a round trip per change.
    seq: Option<Seq>,
}

struct Seq {
    value: i64,
    /// Seqs were handed out since the counter row was last written.
    taken: bool,
}

fn text(value: impl ToString) -> Param {
    Box::new(value.to_string())
}

fn opt_text(value: Option<&str>) -> Param {
    Box::new(value.map(str::to_string))
}

/// The argument for a column of `kind` holding `value` (already in `sql_value`'s form). A value
/// the column's type cannot hold is refused: validation keeps it from happening.
fn column_param(field: &FieldSpec, value: Shared) -> Result<Param, StoreError> {
    let wrong = || StoreError::msg(format!("{}: a value of the wrong type for its column", field.name));
    Ok(match (migrations::column_type(field.kind), value) {
        ("BIGINT", Shared::Int(i)) => Box::new(Some(i)),
        ("BIGINT", Shared::Null) => Box::new(None::<i64>),
        ("DOUBLE PRECISION", Shared::Real(f)) => Box::new(Some(f)),
        ("DOUBLE PRECISION", Shared::Int(i)) => Box::new(Some(i as f64)),
        ("DOUBLE PRECISION", Shared::Null) => Box::new(None::<f64>),
        ("TEXT", Shared::Text(t)) => Box::new(Some(t)),
        ("TEXT", Shared::Null) => Box::new(None::<String>),
        _ => return Err(wrong()),
    })
}

fn field_param(field: &FieldSpec, value: &Value) -> Result<Param, StoreError> {
    let shared =
        sql_value::to_sql(field.kind, value).map_err(|e| StoreError::msg(format!("{}: {e}", field.name)))?;
    column_param(field, shared)
}

fn field_value(kind: FieldKind, row: &Row, index: usize) -> Result<Value, StoreError> {
    let shared = match migrations::column_type(kind) {
        "BIGINT" => row.try_get::<_, Option<i64>>(index)?.map_or(Shared::Null, Shared::Int),
        "DOUBLE PRECISION" => row.try_get::<_, Option<f64>>(index)?.map_or(Shared::Null, Shared::Real),
        _ => row.try_get::<_, Option<String>>(index)?.map_or(Shared::Null, Shared::Text),
    };
    Ok(sql_value::from_sql(kind, shared))
}

fn row_from(table: &'static TableSpec, r: &Row) -> Result<ServerRow, StoreError> {
    let mut fields = Map::new();
    for (i, field) in table.fields.iter().enumerate() {
        fields.insert(field.name.to_string(), field_value(field.kind, r, BASE_COUNT + i)?);
    }
    let id: String = r.try_get(0)?;
    let field_versions: String = r.try_get(6)?;
    Ok(ServerRow {
        state: RowState {
            table: table.name.to_string(),
            id: Uuid::parse_str(&id)?,
            region: r.try_get(1)?,
            version: r.try_get(2)?,
            created_at: r.try_get(3)?,
            updated_at: r.try_get(4)?,
            deleted_at: r.try_get(5)?,
            fields,
        },
        field_versions: super::field_versions::decode(&field_versions, table)?,
    })
}

/// A row of a `table_sql::live_row` or `LiveRows` statement, whose fields are `read`.
fn live_row_from(read: &[&'static FieldSpec], r: &Row) -> Result<LiveRow, StoreError> {
    let mut fields = Map::new();
    for (i, field) in read.iter().enumerate() {
        fields.insert(field.name.to_string(), field_value(field.kind, r, LIVE_BASE + i)?);
    }
    let id: String = r.try_get(0)?;
    Ok(LiveRow { id: Uuid::parse_str(&id)?, region: r.try_get(1)?, fields })
}

fn device_from(r: &Row) -> Result<Device, StoreError> {
    let id: String = r.try_get(0)?;
    Ok(Device {
        id: Uuid::parse_str(&id)?,
        name: r.try_get(1)?,
        region: r.try_get(2)?,
        created_at: r.try_get(3)?,
        revoked_at: r.try_get(4)?,
        last_mutation_id: r.try_get(5)?,
        last_push_at: r.try_get(6)?,
        last_pull_at: r.try_get(7)?,
        cursor: r.try_get(8)?,
        app_version: r.try_get(9)?,
        refused: r.try_get(10)?,
    })
}

fn user_from(r: &Row) -> Result<User, StoreError> {
    Ok(User {
        username: r.try_get(0)?,
        region: r.try_get(1)?,
        created_at: r.try_get(2)?,
        disabled_at: r.try_get(3)?,
    })
}

fn session_from(r: &Row) -> Result<WebSession, StoreError> {
    Ok(WebSession {
        token_hash: r.try_get(0)?,
        username: r.try_get(1)?,
        csrf_token: r.try_get(2)?,
        created_at: r.try_get(3)?,
        last_seen_at: r.try_get(4)?,
    })
}

fn conflict_from(r: &Row) -> Result<ConflictRecord, StoreError> {
    let row_id: String = r.try_get(2)?;
    let server_value: String = r.try_get(5)?;
    let device_value: String = r.try_get(6)?;
    Ok(ConflictRecord {
        id: r.try_get(0)?,
        table: r.try_get(1)?,
        row_id: Uuid::parse_str(&row_id)?,
        region: r.try_get(3)?,
        field: r.try_get(4)?,
        server_value: serde_json::from_str(&server_value)?,
        device_value: serde_json::from_str(&device_value)?,
        created_at: r.try_get(7)?,
        resolved_at: r.try_get(8)?,
    })
}

impl PgTx<'_> {
    /// Every read sees the transaction's writes: those deferred go first, the counter with them.
    fn query(&mut self, sql: &str, params: Vec<Param>) -> Result<Vec<Row>, StoreError> {
        self.write_seq()?;
        self.conn.query(self.link, sql, params)
    }

    /// A write, sent with the next read or the commit (`Conn::defer`).
    fn execute(&mut self, sql: &str, params: Vec<Param>) -> Result<(), StoreError> {
        self.conn.defer(self.link, sql, params)
    }

    fn write_seq(&mut self) -> Result<(), StoreError> {
        if let Some(seq) = self.seq.as_mut().filter(|s| s.taken) {
            seq.taken = false;
            let value = seq.value;
            self.execute("UPDATE counters SET value = $1 WHERE name = 'change_seq'", vec![Box::new(value)])?;
        }
        Ok(())
    }

    /// The first column of the only row `sql` returns.
    fn one<T: for<'r> tokio_postgres::types::FromSql<'r>>(
        &mut self,
        sql: &str,
        params: Vec<Param>,
    ) -> Result<T, StoreError> {
        let rows = self.query(sql, params)?;
        let row = rows.first().ok_or_else(|| StoreError::msg("the query returned no row"))?;
        Ok(row.try_get(0)?)
    }

    fn sql(&self, table: &TableSpec) -> Result<&TableSql, StoreError> {
        self.tables.get(table)
    }

    fn device_where(&mut self, condition: &str, arg: Param) -> Result<Option<Device>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE {condition}");
        self.query(&sql, vec![arg])?.first().map(device_from).transpose()
    }

    /// Logs `row`'s version under `seq` for the pulls of its region: `json` when the entry keeps
    /// the version whole, `None` when it names the row its table holds.
    fn log_change(
        &mut self,
        seq: i64,
        row: &RowState,
        origin: Option<Uuid>,
        json: Option<String>,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO change_log (seq, table_name, row_id, region, row_json, origin) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                Box::new(seq),
                text(&row.table),
                text(row.id),
                text(&row.region),
                opt_text(json.as_deref()),
                opt_text(origin.map(|d| d.to_string()).as_deref()),
            ],
        )
    }
}

impl Tx for PgTx<'_> {
    fn insert_device(&mut self, d: &Device, token_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO devices (id, name, region, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            vec![text(d.id), text(&d.name), text(&d.region), text(token_hash), text(&d.created_at)],
        )?;
        Ok(())
    }

    fn device(&mut self, id: Uuid) -> Result<Option<Device>, StoreError> {
        self.device_where("id = $1", text(id))
    }

    fn device_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Device>, StoreError> {
        self.device_where("token_hash = $1", text(token_hash))
    }

    fn devices(&mut self) -> Result<Vec<Device>, StoreError> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at COLLATE \"C\", id COLLATE \"C\""
        );
        self.query(&sql, vec![])?.iter().map(device_from).collect()
    }

    fn revoke_device(&mut self, id: Uuid, at: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            vec![text(id), text(at)],
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
        self.execute(
            "UPDATE devices SET last_mutation_id = $2, refused = refused + $3, last_push_at = $4 WHERE id = $1",
            vec![text(id), Box::new(last_mutation_id), Box::new(refused), text(at)],
        )?;
        Ok(())
    }

    fn set_app_version(&mut self, id: Uuid, version: &str) -> Result<(), StoreError> {
        self.execute("UPDATE devices SET app_version = $2 WHERE id = $1", vec![text(id), text(version)])
    }

    fn record_pull(&mut self, id: Uuid, cursor: i64, at: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE devices SET cursor = $2, last_pull_at = $3 WHERE id = $1",
            vec![text(id), Box::new(cursor), text(at)],
        )?;
        Ok(())
    }

    fn forget_last_mutations(&mut self) -> Result<(), StoreError> {
        self.execute("UPDATE devices SET last_mutation_id = NULL", vec![])?;
        self.execute("DELETE FROM applied_mutations", vec![])?;
        self.execute("DELETE FROM answered_runs", vec![])?;
        self.execute("DELETE FROM renumbered_answers", vec![])?;
        Ok(())
    }

    fn insert_enroll_code(&mut self, c: &EnrollCode) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO enroll_codes (code_hash, region, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)",
            vec![
                text(&c.code_hash),
                text(&c.region),
                text(&c.created_at),
                text(&c.expires_at),
                opt_text(c.used_at.as_deref()),
            ],
        )?;
        Ok(())
    }

    fn enroll_code(&mut self, code_hash: &str) -> Result<Option<EnrollCode>, StoreError> {
        let rows = self.query(
            "SELECT code_hash, region, created_at, expires_at, used_at FROM enroll_codes WHERE code_hash = $1",
            vec![text(code_hash)],
        )?;
        rows.first()
            .map(|r| {
                Ok(EnrollCode {
                    code_hash: r.try_get(0)?,
                    region: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    expires_at: r.try_get(3)?,
                    used_at: r.try_get(4)?,
                })
            })
            .transpose()
    }

    fn use_enroll_code(&mut self, code_hash: &str, at: &str, device: Uuid) -> Result<(), StoreError> {
        self.execute(
            "UPDATE enroll_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1",
            vec![text(code_hash), text(at), text(device)],
        )?;
        Ok(())
    }

    fn user_count(&mut self) -> Result<i64, StoreError> {
        self.one("SELECT count(*) FROM users", vec![])
    }

    fn insert_user(&mut self, u: &NewUser) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO users (username, password_hash, region, created_at) VALUES ($1, $2, $3, $4)",
            vec![text(&u.username), text(&u.password_hash), text(&u.region), text(&u.created_at)],
        )?;
        Ok(())
    }

    fn usernames(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self.query("SELECT username FROM users ORDER BY id", vec![])?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let rows =
            self.query("SELECT username, region, created_at, disabled_at FROM users ORDER BY id", vec![])?;
        rows.iter().map(user_from).collect()
    }

    fn set_password_hash(&mut self, username: &str, password_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET password_hash = $2 WHERE username = $1",
            vec![text(username), text(password_hash)],
        )?;
        Ok(())
    }

    fn disable_user(&mut self, username: &str, at: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET disabled_at = $2 WHERE username = $1 AND disabled_at IS NULL",
            vec![text(username), text(at)],
        )?;
        Ok(())
    }

    fn login(&mut self, username: &str) -> Result<Option<Login>, StoreError> {
        let sql = format!("SELECT {LOGIN_COLUMNS} FROM users WHERE username = $1");
        let rows = self.query(&sql, vec![text(username)])?;
        rows.first()
            .map(|r| {
                Ok(Login {
                    user: user_from(r)?,
                    password_hash: r.try_get(4)?,
                    failed_logins: r.try_get(5)?,
                    locked_until: r.try_get(6)?,
                })
            })
            .transpose()
    }

    fn set_login_failures(
        &mut self,
        username: &str,
        failed: i64,
        locked_until: Option<&str>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE username = $1",
            vec![text(username), Box::new(failed), opt_text(locked_until)],
        )
    }

    fn insert_session(&mut self, s: &WebSession) -> Result<(), StoreError> {
        self.execute(
            &format!("INSERT INTO web_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            vec![
                text(&s.token_hash),
                text(&s.username),
                text(&s.csrf_token),
                text(&s.created_at),
                text(&s.last_seen_at),
            ],
        )
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM web_sessions WHERE token_hash = $1");
        self.query(&sql, vec![text(token_hash)])?.first().map(session_from).transpose()
    }

    fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE web_sessions SET last_seen_at = $2 WHERE token_hash = $1",
            vec![text(token_hash), text(at)],
        )
    }

    fn end_sessions(&mut self, which: EndSessions<'_>) -> Result<(), StoreError> {
        let (condition, value) = match which {
            EndSessions::One(token_hash) => ("token_hash = $1", token_hash),
            EndSessions::OfUser(username) => ("username = $1", username),
            EndSessions::IdleSince(at) => ("last_seen_at < $1", at),
        };
        self.execute(&format!("DELETE FROM web_sessions WHERE {condition}"), vec![text(value)])
    }

    fn append_audit(&mut self, e: &AuditEntry) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO audit_log (at, actor, region, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)",
            vec![text(&e.at), text(&e.actor), text(&e.region), text(&e.action), text(&e.subject), text(&e.detail)],
        )
    }

    fn audit(&mut self, query: &AuditQuery<'_>) -> Result<Vec<AuditEntry>, StoreError> {
        let (sql, values) = audit_query(query, &DIALECT);
        let rows = self.query(&sql, values.into_iter().map(text).collect())?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    region: r.try_get(3)?,
                    action: r.try_get(4)?,
                    subject: r.try_get(5)?,
                    detail: r.try_get(6)?,
                    record_table: r.try_get(7)?,
                })
            })
            .collect()
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        let rows = self.query("SELECT value FROM settings WHERE key = $1", vec![text(key)])?;
        Ok(rows.first().map(|r| r.try_get(0)).transpose()?)
    }

    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                vec![text(key), text(value)],
            )?,
            None => self.execute("DELETE FROM settings WHERE key = $1", vec![text(key)])?,
        };
        Ok(())
    }

    fn row(&mut self, table: &'static TableSpec, id: Uuid) -> Result<Option<ServerRow>, StoreError> {
        let sql = self.sql(table)?.select_one.clone();
        self.query(&sql, vec![text(id)])?.first().map(|r| row_from(table, r)).transpose()
    }

    fn live_row(
        &mut self,
        table: &'static TableSpec,
        id: Uuid,
        read: &[&'static str],
    ) -> Result<Option<LiveRow>, StoreError> {
        let (sql, read) = table_sql::live_row(table, read, &DIALECT)?;
        self.query(&sql, vec![text(id)])?.first().map(|r| live_row_from(&read, r)).transpose()
    }

    fn rows(&mut self, table: &'static TableSpec, ids: &[Uuid]) -> Result<Vec<ServerRow>, StoreError> {
        let sql = format!("{} WHERE id = ANY($1)", self.sql(table)?.select);
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.query(&sql, vec![Box::new(ids)])?.iter().map(|r| row_from(table, r)).collect()
    }

    fn put_version(
        &mut self,
        table: &'static TableSpec,
        row: &ServerRow,
        origin: Option<Uuid>,
        superseded: Option<i64>,
    ) -> Result<(), StoreError> {
        let s = &row.state;
        let mut params: Vec<Param> = vec![
            text(s.id),
            text(&s.region),
            Box::new(s.version),
            text(&s.created_at),
            text(&s.updated_at),
            opt_text(s.deleted_at.as_deref()),
            text(super::field_versions::encode(&row.field_versions, table)?),
        ];
        for field in table.fields {
            params.push(field_param(field, s.fields.get(field.name).unwrap_or(&Value::Null))?);
        }
        let sql = self.sql(table)?.upsert.clone();
        self.execute(&sql, params)?;
        if let Some(seq) = superseded {
            self.execute("DELETE FROM change_log WHERE seq = $1", vec![Box::new(seq)])?;
        }
        // The entry names the row: a pull reads the version from its table.
        self.log_change(s.version, s, origin, None)
    }

    fn scan_rows(
        &mut self,
        table: &'static TableSpec,
        scope: Scope<'_>,
        f: &mut dyn FnMut(RowState) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = self.sql(table)?;
        let rows = match scope {
            None => {
                let sql = sql.scan_all.clone();
                self.query(&sql, vec![])?
            }
            Some(region) => {
                let sql = sql.scan_region.clone();
                self.query(&sql, vec![text(region)])?
            }
        };
        for r in &rows {
            f(row_from(table, r)?.state)?;
        }
        Ok(())
    }

    fn live_rows(&mut self, q: &RowQuery<'_>) -> Result<Vec<LiveRow>, StoreError> {
        let LiveRows { sql, value: (field, value), between, read } = LiveRows::new(q, &DIALECT)?;
        let mut params =
            vec![field_param(field, value)?, opt_text(q.except.map(|id| id.to_string()).as_deref())];
        if let Some((field, low, high)) = between {
            params.extend([field_param(field, low)?, field_param(field, high)?]);
        }
        self.query(&sql, params)?.iter().map(|r| live_row_from(&read, r)).collect()
    }

    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError> {
        let mut counts = Vec::new();
        for table in TABLES {
            let sql = self.sql(table)?.counts.clone();
            for r in self.query(&sql, vec![])? {
                counts.push(TableCount {
                    table: table.name.to_string(),
                    region: r.try_get(0)?,
                    rows: r.try_get(1)?,
                    deleted: r.try_get(2)?,
                });
            }
        }
        Ok(counts)
    }

    fn next_seq(&mut self) -> Result<i64, StoreError> {
        // The counter row is locked by this transaction (`WRITE_LOCK`): nobody else counts.
        let seq = self.seq.as_mut().ok_or_else(|| StoreError::msg("a seq taken outside a write"))?;
        seq.value += 1;
        seq.taken = true;
        Ok(seq.value)
    }

    fn head_seq(&mut self) -> Result<i64, StoreError> {
        match &self.seq {
            Some(seq) => Ok(seq.value),
            None => self.one("SELECT value FROM counters WHERE name = 'change_seq'", vec![]),
        }
    }

    fn log_departure(&mut self, seq: i64, row: &RowState, origin: Option<Uuid>) -> Result<(), StoreError> {
        self.log_change(seq, row, origin, Some(serde_json::to_string(row)?))
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
        let skip = skip.map(|d| d.to_string());
        let rows = match scope {
            None => self.query(
                "SELECT seq, table_name, row_id, row_json FROM change_log WHERE seq > $1 \
                 AND ($3::text IS NULL OR origin IS NULL OR origin <> $3) ORDER BY seq LIMIT $2",
                vec![Box::new(since), Box::new(lookahead), opt_text(skip.as_deref())],
            )?,
            Some(region) => self.query(
                &format!(
                    "SELECT seq, table_name, row_id, row_json FROM change_log WHERE (region = $1 OR {}) AND seq > $2 \
                     AND ($4::text IS NULL OR origin IS NULL OR origin <> $4) ORDER BY seq LIMIT $3",
                    company_wide_changes()
                ),
                vec![text(region), Box::new(since), Box::new(lookahead), opt_text(skip.as_deref())],
            )?,
        };
        let entries = rows
            .iter()
            .map(|r| {
                Ok(ReadChange {
                    seq: r.try_get(0)?,
                    table: r.try_get(1)?,
                    row_id: Uuid::parse_str(r.try_get(2)?)?,
                    json: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        page.fill(self, entries)?;
        let last_in_scope: Option<i64> = match (&skip, scope) {
            (None, _) => None,
            (Some(_), None) => {
                self.one("SELECT max(seq) FROM change_log WHERE seq > $1", vec![Box::new(since)])?
            }
            (Some(_), Some(region)) => self.one(
                &format!(
                    "SELECT max(seq) FROM change_log WHERE (region = $1 OR {}) AND seq > $2",
                    company_wide_changes()
                ),
                vec![text(region), Box::new(since)],
            )?,
        };
        Ok(page.finish(since, last_in_scope))
    }

    fn count_changes(&mut self, scope: Scope<'_>, since: i64) -> Result<i64, StoreError> {
        match scope {
            None => self.one("SELECT count(*) FROM change_log WHERE seq > $1", vec![Box::new(since)]),
            Some(region) => self.one(
                &format!(
                    "SELECT count(*) FROM change_log WHERE (region = $1 OR {}) AND seq > $2",
                    company_wide_changes()
                ),
                vec![text(region), Box::new(since)],
            ),
        }
    }

    fn applied_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<AppliedMutation>, StoreError> {
        let rows = self.query(
            "SELECT hash, outcome_json FROM applied_mutations WHERE device_id = $1 AND mutation_id = $2",
            vec![text(device), Box::new(mutation_id)],
        )?;
        rows.first()
            .map(|r| {
                let outcome: &str = r.try_get(1)?;
                Ok(AppliedMutation { hash: r.try_get(0)?, outcome: serde_json::from_str(outcome)? })
            })
            .transpose()
    }

    fn record_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
        applied: &AppliedMutation,
        at: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO applied_mutations (device_id, mutation_id, hash, outcome_json, applied_at) \
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                text(device),
                Box::new(mutation_id),
                text(&applied.hash),
                text(serde_json::to_string(&applied.outcome)?),
                text(at),
            ],
        )?;
        Ok(())
    }

    fn forget_mutations(&mut self, device: Uuid, below: i64) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM applied_mutations WHERE device_id = $1 AND mutation_id < $2",
            vec![text(device), Box::new(below)],
        )
    }

    fn record_answers(&mut self, device: Uuid, first_id: i64, answers: &[u8]) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO answered_runs (device_id, first_id, answers) VALUES ($1, $2, $3)",
            vec![text(device), Box::new(first_id), Box::new(answers.to_vec())],
        )
    }

    fn record_renumbered(
        &mut self,
        device: Uuid,
        first_id: i64,
        digest: &[u8],
        new_id: i64,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO renumbered_answers (device_id, first_id, digest, new_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (device_id, first_id, digest) DO UPDATE SET new_id = excluded.new_id",
            vec![text(device), Box::new(first_id), Box::new(digest.to_vec()), Box::new(new_id)],
        )
    }

    fn renumbered(&mut self, device: Uuid, first_id: i64, digest: &[u8]) -> Result<Option<i64>, StoreError> {
        let rows = self.query(
            "SELECT new_id FROM renumbered_answers WHERE device_id = $1 AND first_id = $2 AND digest = $3",
            vec![text(device), Box::new(first_id), Box::new(digest.to_vec())],
        )?;
        rows.first().map(|r| Ok(r.try_get(0)?)).transpose()
    }

    fn last_renumbered(&mut self, device: Uuid) -> Result<Option<i64>, StoreError> {
        let rows = self
            .query("SELECT max(first_id) FROM renumbered_answers WHERE device_id = $1", vec![text(device)])?;
        rows.first().map(|r| Ok(r.try_get::<_, Option<i64>>(0)?)).transpose().map(Option::flatten)
    }

    fn answers_holding(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        let rows = self.query(
            "SELECT first_id, answers FROM answered_runs WHERE device_id = $1 AND first_id <= $2 \
             ORDER BY first_id DESC LIMIT 1",
            vec![text(device), Box::new(mutation_id)],
        )?;
        rows.first().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    fn rejoined(&mut self, table: &str, id: Uuid) -> Result<Option<Rejoined>, StoreError> {
        let rows = self.query(
            "SELECT old_version, seq FROM rejoined_rows WHERE table_name = $1 AND row_id = $2",
            vec![text(table), text(id)],
        )?;
        rows.first().map(|r| Ok(Rejoined { old_version: r.try_get(0)?, seq: r.try_get(1)? })).transpose()
    }

    fn set_rejoined(&mut self, table: &str, id: Uuid, rejoined: Rejoined) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO rejoined_rows (table_name, row_id, old_version, seq) VALUES ($1, $2, $3, $4)
             ON CONFLICT (table_name, row_id) DO UPDATE SET old_version = excluded.old_version, seq = excluded.seq",
            vec![text(table), text(id), Box::new(rejoined.old_version), Box::new(rejoined.seq)],
        )?;
        Ok(())
    }

    fn insert_conflict(&mut self, c: &NewConflict<'_>) -> Result<i64, StoreError> {
        self.one(
            "INSERT INTO conflicts (table_name, row_id, region, field, server_value, device_value, device_id, \
             mutation_id, seq, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            vec![
                text(c.table),
                text(c.row_id),
                text(c.region),
                text(c.field),
                text(serde_json::to_string(c.server_value)?),
                text(serde_json::to_string(c.device_value)?),
                text(c.device),
                Box::new(c.mutation_id),
                Box::new(c.seq),
                text(c.created_at),
            ],
        )
    }

    fn conflict(&mut self, id: i64) -> Result<Option<ConflictRecord>, StoreError> {
        let sql = format!("SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE id = $1");
        self.query(&sql, vec![Box::new(id)])?.first().map(conflict_from).transpose()
    }

    fn conflicts(
        &mut self,
        scope: Scope<'_>,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, StoreError> {
        let sql = format!(
            "SELECT {CONFLICT_COLUMNS} FROM conflicts WHERE ($1::text IS NULL OR region = $1) \
             AND ($2 OR resolved_at IS NULL) ORDER BY id"
        );
        self.query(&sql, vec![opt_text(scope), Box::new(include_resolved)])?
            .iter()
            .map(conflict_from)
            .collect()
    }

    fn resolve_conflict(&mut self, id: i64, at: &str, by: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE conflicts SET resolved_at = $2, resolved_by = $3 WHERE id = $1 AND resolved_at IS NULL",
            vec![Box::new(id), text(at), text(by)],
        )?;
        Ok(())
    }
}
