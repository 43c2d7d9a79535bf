//! What the service needs from a database, as primitive operations inside one transaction. The
//! sync rules (exactly-once, merge, validation, scope) live in the service and are written once
//! against these traits, so another database only has to provide storage, not re-implement them.

mod field_versions;
pub mod postgres;
pub mod sqlite;
mod table_sql;
pub mod url;

use std::collections::BTreeMap;
use std::path::Path;

use rainstaff_core::merge::{FieldVersion, StoredRow};
use rainstaff_core::protocol::{Change, ChangesPage, ConflictRecord, Outcome, RowState, TableCount};
use rainstaff_core::schema::TableSpec;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ServiceError, StoreError};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A database the service can run on. Beyond storing what it is given, a backend owes the
/// service five things, and `tests/conformance` checks each of them on a real database:
///
/// - **Atomic writes.** Everything one `write` does commits together or not at all: a batch's
///   rows, the changes they make visible to pulls and the record that each mutation was applied (which is
///   what makes a retried mutation apply exactly once).
/// - **Consistent reads.** A `read` sees one committed state from start to end.
/// - **Serializable writes.** Write transactions behave as if run one after another: each sees
///   every write committed before it, and two that conflict do not both commit. The service
///   checks a rule (a plate unique in the company, no overlapping shifts) by reading, then
///   writes; two pushes that both read "no such plate" and both commit would break it. Snapshot
///   isolation is not enough, since the two write different rows.
/// - **Seqs visible in order.** A seq handed out by `Tx::next_seq` becomes visible to readers
///   only after every lower seq is committed or abandoned (its transaction rolled back). A
///   device keeps the last seq of the page it pulled as its cursor and next asks only for what
///   comes after it, so a lower seq that became visible later would never reach that device.
///   Seqs need not be dense: an abandoned one may leave a gap for good; a gap that is filled
///   afterwards is what must never happen.
///
///   `SqliteStore` meets the last two by construction: all writes go through one connection
///   behind a mutex, each in a `BEGIN IMMEDIATE` transaction, so write transactions run one at
///   a time, only one holds seqs nobody has seen, and it commits (or rolls back, taking its
///   counter increment with it) before the next one can take a seq. `PgStore` meets them with
///   one lock: every write transaction, on any instance, first locks the counter row the seqs
///   come from and keeps it until it commits (see `store::postgres`). Another backend whose
///   writers could run concurrently must add both: run write transactions under SERIALIZABLE
///   isolation (a conflict then fails one push, which its device sends again) or one at a time
///   behind a lock; and, as a database sequence hands out numbers outside any transaction, hold
///   one lock from `next_seq` to commit, or let `changes` stop below the lowest seq in flight.
pub trait Store: Send + Sync + 'static {
    type Tx<'t>: Tx
    where
        Self: 't;

    /// Runs `f` in one write transaction: committed when it returns `Ok`, rolled back otherwise
    /// (including when it panics), so an error half way through a batch leaves nothing behind.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError>;

    /// Runs `f` in one read transaction: everything it reads belongs to one committed state. A
    /// read never holds up writers, however long it takes (a snapshot of a large store, say):
    /// writes go on committing beside it, and it does not see them.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError>;

    /// Proves the database can be written (readiness probe): takes the write lock and changes a
    /// row in a transaction it rolls back, so a database that answers reads but refuses writes
    /// (locked by another program, read-only) is not reported ready.
    fn ping(&self) -> Result<(), StoreError>;

    /// Writes a consistent copy of the whole database to `dest` while the store keeps serving.
    fn backup_to(&self, dest: &Path) -> Result<(), StoreError>;
}

/// `None` means every region: the scope of an administrator's device.
pub type Scope<'a> = Option<&'a str>;

/// The changes a regional device reads besides its region's: those of every region at once, of
/// the tables the company shares (`TableSpec::company_wide`). Names come from the
/// static schema only.
pub(crate) fn company_wide_changes() -> String {
    let tables: Vec<String> = rainstaff_core::schema::COMPANY_WIDE.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "(region = '{}' AND table_name IN ({}))",
        rainstaff_core::protocol::ALL_REGIONS,
        tables.join(", ")
    )
}

pub trait Tx {
    fn insert_device(&mut self, device: &Device, token_hash: &str) -> Result<(), StoreError>;
    fn device(&mut self, id: Uuid) -> Result<Option<Device>, StoreError>;
    fn device_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Device>, StoreError>;
    fn devices(&mut self) -> Result<Vec<Device>, StoreError>;
    fn revoke_device(&mut self, id: Uuid, at: &str) -> Result<(), StoreError>;
    /// Notes a push that applied new mutations up to `last_mutation_id`, `refused` of which the
    /// server refused.
    fn record_push(
        &mut self,
        id: Uuid,
        last_mutation_id: i64,
        refused: i64,
        at: &str,
    ) -> Result<(), StoreError>;
    /// The version of the app the device last spoke with.
    fn set_app_version(&mut self, id: Uuid, version: &str) -> Result<(), StoreError>;
    fn record_pull(&mut self, id: Uuid, cursor: i64, at: &str) -> Result<(), StoreError>;
    /// Forgets every device's last mutation id and the records of its applied mutations, as a
    /// restore does: the restored database's idea of them is older than the devices' own, so
    /// each device's next push may start anywhere, and a device restored too may send ids the
    /// records hold with other content (the push would stop on them at every sync).
    fn forget_last_mutations(&mut self) -> Result<(), StoreError>;

    fn insert_enroll_code(&mut self, code: &EnrollCode) -> Result<(), StoreError>;
    fn enroll_code(&mut self, code_hash: &str) -> Result<Option<EnrollCode>, StoreError>;
    fn use_enroll_code(&mut self, code_hash: &str, at: &str, device: Uuid) -> Result<(), StoreError>;

    fn user_count(&mut self) -> Result<i64, StoreError>;
    fn insert_user(&mut self, user: &NewUser) -> Result<(), StoreError>;
    fn usernames(&mut self) -> Result<Vec<String>, StoreError>;
    /// Every user in the order they were added, without their password hashes: nothing outside
    /// a login check has a reason to read one back.
    fn users(&mut self) -> Result<Vec<User>, StoreError>;
    /// Replaces the password hash of the user named exactly `username`.
    fn set_password_hash(&mut self, username: &str, password_hash: &str) -> Result<(), StoreError>;
    /// Marks the user named exactly `username` disabled at `at`; one disabled already keeps the
    /// time it was first disabled.
    fn disable_user(&mut self, username: &str, at: &str) -> Result<(), StoreError>;
    /// The user named exactly `username` as a sign-in checks them: with the password hash.
    fn login(&mut self, username: &str) -> Result<Option<Login>, StoreError>;
    /// Sets the user's count of failed sign-ins in a row, and until when they are locked out.
    fn set_login_failures(
        &mut self,
        username: &str,
        failed: i64,
        locked_until: Option<&str>,
    ) -> Result<(), StoreError>;

    fn insert_session(&mut self, session: &WebSession) -> Result<(), StoreError>;
    fn session(&mut self, token_hash: &str) -> Result<Option<WebSession>, StoreError>;
    fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<(), StoreError>;
    fn end_sessions(&mut self, which: EndSessions<'_>) -> Result<(), StoreError>;

    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest entries `query` asks for, newest first.
    fn audit(&mut self, query: &AuditQuery<'_>) -> Result<Vec<AuditEntry>, StoreError>;

    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets `key`, or removes it when `value` is `None`.
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError>;

    fn row(&mut self, table: &'static TableSpec, id: Uuid) -> Result<Option<ServerRow>, StoreError>;
    /// `table`'s row `id` unless it is missing or deleted, with only the fields named in `read`:
    /// what a reference check (its region) or a rule (a person's `active`, a month's `state`)
    /// needs, without decoding the whole row, which a push of imported shifts did per shift.
    fn live_row(
        &mut self,
        table: &'static TableSpec,
        id: Uuid,
        read: &[&'static str],
    ) -> Result<Option<LiveRow>, StoreError>;
    /// The rows of `table` with these ids, in no particular order; an id it lacks is left out.
    fn rows(&mut self, table: &'static TableSpec, ids: &[Uuid]) -> Result<Vec<ServerRow>, StoreError>;
    /// Stores a new version of a row, the change of seq `row.state.version`: `changes` delivers
    /// it to the devices of the row's region, except to `origin`, the device whose push answer
    /// carries it. `superseded` is the seq of the version it replaces, `None` only for a new row:
    /// a device behind that one gets this one instead, which is all it needs, so that change is
    /// no longer delivered.
    fn put_version(
        &mut self,
        table: &'static TableSpec,
        row: &ServerRow,
        origin: Option<Uuid>,
        superseded: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Calls `f` with every row (tombstones included) of `table` in `scope`.
    fn scan_rows(
        &mut self,
        table: &'static TableSpec,
        scope: Scope<'_>,
        f: &mut dyn FnMut(RowState) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError>;
    /// The live rows `query` asks for, in every region: the rules that need other rows
    /// (`rainstaff_core::rules`) read through this, and a plate or T.C. number is unique in the
    /// whole company while an employee's shifts are wherever the employee is, so it knows no
    /// scope. It sees what this transaction wrote, so each mutation of a batch is judged against
    /// the rows the ones before it left. A backend indexes the fields the rules ask about (the
    /// employee and date of a shift, a plate, a T.C. number), or every pushed shift reads the
    /// whole table.
    fn live_rows(&mut self, query: &RowQuery<'_>) -> Result<Vec<LiveRow>, StoreError>;

    /// Allocates the next number of the one server-wide change sequence, higher than any seq
    /// committed so far (an abandoned one may be handed out again). It is visible to readers only
    /// once every lower seq is committed or abandoned (see `Store`): every device's pull cursor
    /// depends on it.
    fn next_seq(&mut self) -> Result<i64, StoreError>;
    fn head_seq(&mut self) -> Result<i64, StoreError>;
    /// Logs a row's departure from `row.region` under `seq`: the row as that region's devices
    /// are to see it (deleted there), while its table holds it in its new region. `origin` is as
    /// for `put_version`.
    fn log_departure(&mut self, seq: i64, row: &RowState, origin: Option<Uuid>) -> Result<(), StoreError>;
    /// One pull page: the changes after `since` in `scope` in seq order, at most `limit` of them
    /// and at most `max_bytes` of row JSON, except that the first change comes however large it
    /// is (a page is never empty while changes wait). Changes whose origin is `skip` are left
    /// out. `has_more` says whether changes remain after the page; `next_since` is its last seq,
    /// or, when none remain, the last seq in scope, left out or not (`since` when there is none).
    fn changes(
        &mut self,
        scope: Scope<'_>,
        since: i64,
        limit: usize,
        max_bytes: usize,
        skip: Option<Uuid>,
    ) -> Result<ChangesPage, StoreError>;
    fn count_changes(&mut self, scope: Scope<'_>, since: i64) -> Result<i64, StoreError>;

    fn applied_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<AppliedMutation>, StoreError>;
    fn record_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
        applied: &AppliedMutation,
        at: &str,
    ) -> Result<(), StoreError>;
    /// Forgets the device's records below `mutation_id`: it holds their answers.
    fn forget_mutations(&mut self, device: Uuid, below: i64) -> Result<(), StoreError>;
    /// Keeps for good what `service::answers` encodes of the answers to the device's mutations
    /// from `first_id` on, consecutive ids.
    fn record_answers(&mut self, device: Uuid, first_id: i64, answers: &[u8]) -> Result<(), StoreError>;
    /// Keeps for good that the device's mutation `new_id` was first sent as `first_id`, with the
    /// first bytes of its hash as it was then (`service::answers::renamed`).
    fn record_renumbered(
        &mut self,
        device: Uuid,
        first_id: i64,
        digest: &[u8],
        new_id: i64,
    ) -> Result<(), StoreError>;
    /// The id the device's change first sent as `first_id`, hash starting with `digest`, was
    /// applied under (`record_renumbered`).
    fn renumbered(&mut self, device: Uuid, first_id: i64, digest: &[u8]) -> Result<Option<i64>, StoreError>;
    /// The largest id the device's renumbered changes were first sent under (`record_renumbered`).
    fn last_renumbered(&mut self, device: Uuid) -> Result<Option<i64>, StoreError>;
    /// The run of kept answers (`record_answers`) that may hold `mutation_id`: the last one
    /// starting at or before it, with its first id.
    fn answers_holding(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError>;

    /// The version a device's copy of the row had before the last restore, and the seq the
    /// server wrote it under, if a rejoining device wrote the row.
    fn rejoined(&mut self, table: &str, id: Uuid) -> Result<Option<Rejoined>, StoreError>;
    fn set_rejoined(&mut self, table: &str, id: Uuid, rejoined: Rejoined) -> Result<(), StoreError>;

    fn insert_conflict(&mut self, conflict: &NewConflict<'_>) -> Result<i64, StoreError>;
    fn conflict(&mut self, id: i64) -> Result<Option<ConflictRecord>, StoreError>;
    fn conflicts(
        &mut self,
        scope: Scope<'_>,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, StoreError>;
    fn resolve_conflict(&mut self, id: i64, at: &str, by: &str) -> Result<(), StoreError>;
}

/// Which live rows `Tx::live_rows` reads. The field names are the schema's, written in code, so
/// nothing from outside names a column.
#[derive(Debug, Clone, Copy)]
pub struct RowQuery<'a> {
    pub table: &'static TableSpec,
    /// Rows whose field of this name holds `value`,
    pub field: &'static str,
    pub value: &'a Value,
    /// and, when set, whose field of this name lies between the two values, both included,
    pub between: Option<(&'static str, &'a Value, &'a Value)>,
    /// other than this row,
    pub except: Option<Uuid>,
    /// at most this many of them (`None`: all),
    pub limit: Option<usize>,
    /// each with these of its fields.
    pub read: &'a [&'static str],
}

/// A live row as the rules read it: its id and region, and the fields they asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRow {
    pub id: Uuid,
    pub region: String,
    pub fields: Map<String, Value>,
}

/// An enrolled desktop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub name: String,
    pub region: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// `None` until the first push: that one may start at any id.
    pub last_mutation_id: Option<i64>,
    pub last_push_at: Option<String>,
    pub last_pull_at: Option<String>,
    /// The highest change seq the device's latest pull delivered.
    pub cursor: i64,
    /// The app version the device last spoke with (its User-Agent), if it ever said.
    pub app_version: Option<String>,
    /// How many of its changes the server refused, over its life.
    pub refused: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollCode {
    pub code_hash: String,
    pub region: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

/// A person who may sign in to the server (the coming web dashboard), as listed: never with the
/// password hash. Region `ALL` is an administrator's; any other, a manager's of that region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub region: String,
    pub created_at: String,
    pub disabled_at: Option<String>,
}

/// A user as a sign-in checks them.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: User,
    pub password_hash: String,
    /// Failed sign-ins since the last one that succeeded.
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

/// A person signed in to the web dashboard. The browser holds the token; only its hash is
/// stored, as for device tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub token_hash: String,
    pub username: String,
    /// The value every form of this session must send back.
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
}

/// Which sessions `Tx::end_sessions` ends.
#[derive(Debug, Clone, Copy)]
pub enum EndSessions<'a> {
    /// The one with this token hash (signing out).
    One(&'a str),
    /// Every session of this user (disabled, or a new password).
    OfUser(&'a str),
    /// Every session idle since before this time.
    IdleSince(&'a str),
}

/// One line of the audit trail: who did what, when, in which region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by the store; ignored by `append_audit`.
    pub id: i64,
    pub at: String,
    /// `user:NAME` or `device:NAME`.
    pub actor: String,
    /// The region the action concerns; `ALL` for the company as a whole.
    pub region: String,
    /// A stable code (`sign_in`, `device_revoked`, `push` ...).
    pub action: String,
    /// What it was done to (a user, a device, a conflict), as people read it.
    pub subject: String,
    pub detail: String,
    /// For an entry a desktop wrote about a record: the record's table, and `detail` holds the
    /// changed fields as stored (`rainstaff_core::audit::describe_changes` reads them).
    pub record_table: Option<String>,
}

/// Which audit entries to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery<'a> {
    pub scope: Scope<'a>,
    pub action: Option<&'a str>,
    /// Entries whose actor contains this text.
    pub actor: Option<&'a str>,
    /// From this time on (inclusive), and before this one: ISO timestamps or dates.
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub region: String,
    pub created_at: String,
}

/// A row as stored: its canonical state plus the seq and device of each field's latest change,
/// which the three-way merge needs and devices do not.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRow {
    pub state: RowState,
    pub field_versions: BTreeMap<String, FieldVersion>,
}

impl ServerRow {
    pub fn to_stored(&self) -> StoredRow {
        StoredRow {
            fields: self.state.fields.clone(),
            deleted: self.state.deleted_at.is_some(),
            field_versions: self.field_versions.clone(),
        }
    }
}

/// What the server answered to one mutation, kept so a retry gets the same answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedMutation {
    /// sha256 of the mutation as first received: a reused id with other content is refused.
    pub hash: String,
    pub outcome: Outcome,
}

/// What a rejoining device wrote: its copy's version before the restore, and the seq it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejoined {
    pub old_version: i64,
    pub seq: i64,
}

#[derive(Debug, Clone)]
pub struct NewConflict<'a> {
    pub table: &'a str,
    pub row_id: Uuid,
    pub region: &'a str,
    pub field: &'a str,
    pub server_value: &'a Value,
    pub device_value: &'a Value,
    pub device: Uuid,
    pub mutation_id: i64,
    pub seq: i64,
    pub created_at: &'a str,
}

/// A change as `Tx::changes` reads it, in seq order: the row's JSON when the store keeps the
/// version whole (a departure), else the table and id of the row that holds the version.
struct ReadChange {
    seq: i64,
    table: String,
    row_id: Uuid,
    json: Option<String>,
}

impl ReadChange {
    /// The entries' row versions in their order, those their tables hold read with one
    /// `Tx::rows` per table, each with the length of its JSON for the page's byte limit.
    fn resolve(
        tx: &mut impl Tx,
        entries: Vec<ReadChange>,
    ) -> Result<Vec<(i64, RowState, usize)>, StoreError> {
        let mut wanted: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
        for e in entries.iter().filter(|e| e.json.is_none()) {
            wanted.entry(e.table.as_str()).or_default().push(e.row_id);
        }
        let mut held: BTreeMap<(&str, Uuid), RowState> = BTreeMap::new();
        for (name, ids) in wanted {
            let table = rainstaff_core::schema::table(name)
                .ok_or_else(|| StoreError::msg(format!("a change names an unknown table {name}")))?;
            for row in tx.rows(table, &ids)? {
                held.insert((name, row.state.id), row.state);
            }
        }
        let mut versions = Vec::with_capacity(entries.len());
        for e in &entries {
            versions.push(match &e.json {
                Some(json) => (e.seq, serde_json::from_str(json)?, json.len()),
                None => {
                    let id = e.row_id;
                    let row = held.remove(&(e.table.as_str(), id)).ok_or_else(|| {
                        StoreError::msg(format!(
                            "change {} names {} {id}, which its table lacks",
                            e.seq, e.table
                        ))
                    })?;
                    let len = serde_json::to_vec(&row)?.len();
                    (e.seq, row, len)
                }
            });
        }
        Ok(versions)
    }
}

/// One `Tx::changes` page as both stores fill it from the changes they read in seq order, by the
/// rule the trait states: at most `limit` changes and `max_bytes` of row JSON, the first one
/// however large.
struct PageFill {
    changes: Vec<Change>,
    bytes: usize,
    limit: usize,
    max_bytes: usize,
    has_more: bool,
}

impl PageFill {
    fn new(limit: usize, max_bytes: usize) -> Self {
        Self { changes: Vec::new(), bytes: 0, limit, max_bytes, has_more: false }
    }

    /// How many rows to read: one more than the page holds, to know whether more follow.
    fn lookahead(&self) -> i64 {
        i64::try_from(self.limit).unwrap_or(i64::MAX).saturating_add(1)
    }

    /// Fills the page from the entries read (at most `lookahead` of them), in their order,
    /// until one does not fit.
    fn fill(&mut self, tx: &mut impl Tx, entries: Vec<ReadChange>) -> Result<(), StoreError> {
        for (seq, row, len) in ReadChange::resolve(tx, entries)? {
            let changes = &self.changes;
            if changes.len() == self.limit || (!changes.is_empty() && self.bytes + len > self.max_bytes) {
                self.has_more = true;
                break;
            }
            self.bytes += len;
            self.changes.push(Change { seq, row });
        }
        Ok(())
    }

    /// The page; `last_in_scope` is the last seq in scope when changes were left out.
    fn finish(self, since: i64, last_in_scope: Option<i64>) -> ChangesPage {
        let last_taken = self.changes.last().map_or(since, |c| c.seq);
        // Past changes left out at the end, unless more follow: the device need not ask again.
        let next_since = match last_in_scope {
            Some(last) if !self.has_more => last.max(last_taken),
            _ => last_taken,
        };
        ChangesPage {
            changes: self.changes,
            next_since,
            has_more: self.has_more,
            epoch: None,
            conflicts: None,
        }
    }
}
