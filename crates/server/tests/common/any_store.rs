//! Either store behind one type, so the server's tests run unchanged on SQLite or on PostgreSQL
//! (`RAINSTAFF_TEST_STORE=postgres`, see `Harness`). The `Store` trait is generic and has no
//! trait object; its transactions have one (`Tx` is object safe), so a transaction of either
//! store is handed on as `DynTx`, and every method simply forwards.

use std::path::Path;

use rainstaff_core::protocol::{ChangesPage, ConflictRecord, RowState, TableCount};
use rainstaff_core::schema::TableSpec;
use rainstaff_server::store::{
    AppliedMutation, AuditEntry, AuditQuery, Device, EndSessions, EnrollCode, LiveRow, Login, NewConflict,
    NewUser, Rejoined, RowQuery, Scope, ServerRow, Store, Tx, User, WebSession,
};
use rainstaff_server::{PgStore, ServiceError, SqliteStore, StoreError};
use uuid::Uuid;

pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

pub struct DynTx<'t>(&'t mut (dyn Tx + 't));

impl Store for AnyStore {
    type Tx<'t> = DynTx<'t>;

    fn write<T>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<T, ServiceError>) -> Result<T, ServiceError> {
        match self {
            Self::Sqlite(s) => s.write(|tx| f(&mut DynTx(tx))),
            Self::Postgres(s) => s.write(|tx| f(&mut DynTx(tx))),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<T, ServiceError>) -> Result<T, ServiceError> {
        match self {
            Self::Sqlite(s) => s.read(|tx| f(&mut DynTx(tx))),
            Self::Postgres(s) => s.read(|tx| f(&mut DynTx(tx))),
        }
    }

    fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.ping(),
            Self::Postgres(s) => s.ping(),
        }
    }

    fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.backup_to(dest),
            Self::Postgres(s) => s.backup_to(dest),
        }
    }
}

impl Tx for DynTx<'_> {
    fn insert_device(&mut self, device: &Device, token_hash: &str) -> Result<(), StoreError> {
        self.0.insert_device(device, token_hash)
    }
    fn device(&mut self, id: Uuid) -> Result<Option<Device>, StoreError> {
        self.0.device(id)
    }
    fn device_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Device>, StoreError> {
        self.0.device_by_token_hash(token_hash)
    }
    fn devices(&mut self) -> Result<Vec<Device>, StoreError> {
        self.0.devices()
    }
    fn revoke_device(&mut self, id: Uuid, at: &str) -> Result<(), StoreError> {
        self.0.revoke_device(id, at)
    }
    fn record_push(
        &mut self,
        id: Uuid,
        last_mutation_id: i64,
        refused: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        self.0.record_push(id, last_mutation_id, refused, at)
    }
    fn set_app_version(&mut self, id: Uuid, version: &str) -> Result<(), StoreError> {
        self.0.set_app_version(id, version)
    }
    fn login(&mut self, username: &str) -> Result<Option<Login>, StoreError> {
        self.0.login(username)
    }
    fn set_login_failures(
        &mut self,
        username: &str,
        failed: i64,
        locked_until: Option<&str>,
    ) -> Result<(), StoreError> {
        self.0.set_login_failures(username, failed, locked_until)
    }
    fn insert_session(&mut self, session: &WebSession) -> Result<(), StoreError> {
        self.0.insert_session(session)
    }
    fn session(&mut self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        self.0.session(token_hash)
    }
    fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<(), StoreError> {
        self.0.touch_session(token_hash, at)
    }
    fn end_sessions(&mut self, which: EndSessions<'_>) -> Result<(), StoreError> {
        self.0.end_sessions(which)
    }
    fn append_audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.0.append_audit(entry)
    }
    fn audit(&mut self, query: &AuditQuery<'_>) -> Result<Vec<AuditEntry>, StoreError> {
        self.0.audit(query)
    }
    fn record_pull(&mut self, id: Uuid, cursor: i64, at: &str) -> Result<(), StoreError> {
        self.0.record_pull(id, cursor, at)
    }
    fn forget_last_mutations(&mut self) -> Result<(), StoreError> {
        self.0.forget_last_mutations()
    }
    fn insert_enroll_code(&mut self, code: &EnrollCode) -> Result<(), StoreError> {
        self.0.insert_enroll_code(code)
    }
    fn enroll_code(&mut self, code_hash: &str) -> Result<Option<EnrollCode>, StoreError> {
        self.0.enroll_code(code_hash)
    }
    fn use_enroll_code(&mut self, code_hash: &str, at: &str, device: Uuid) -> Result<(), StoreError> {
        self.0.use_enroll_code(code_hash, at, device)
    }
    fn user_count(&mut self) -> Result<i64, StoreError> {
        self.0.user_count()
    }
    fn insert_user(&mut self, user: &NewUser) -> Result<(), StoreError> {
        self.0.insert_user(user)
    }
    fn usernames(&mut self) -> Result<Vec<String>, StoreError> {
        self.0.usernames()
    }
    fn users(&mut self) -> Result<Vec<User>, StoreError> {
        self.0.users()
    }
    fn set_password_hash(&mut self, username: &str, password_hash: &str) -> Result<(), StoreError> {
        self.0.set_password_hash(username, password_hash)
    }
    fn disable_user(&mut self, username: &str, at: &str) -> Result<(), StoreError> {
        self.0.disable_user(username, at)
    }
    fn setting(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.setting(key)
    }
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        self.0.set_setting(key, value)
    }
    fn row(&mut self, table: &'static TableSpec, id: Uuid) -> Result<Option<ServerRow>, StoreError> {
        self.0.row(table, id)
    }
    fn live_row(
        &mut self,
        table: &'static TableSpec,
        id: Uuid,
        read: &[&'static str],
    ) -> Result<Option<LiveRow>, StoreError> {
        self.0.live_row(table, id, read)
    }
    fn rows(&mut self, table: &'static TableSpec, ids: &[Uuid]) -> Result<Vec<ServerRow>, StoreError> {
        self.0.rows(table, ids)
    }
    fn put_version(
        &mut self,
        table: &'static TableSpec,
        row: &ServerRow,
        origin: Option<Uuid>,
        superseded: Option<i64>,
    ) -> Result<(), StoreError> {
        self.0.put_version(table, row, origin, superseded)
    }
    fn scan_rows(
        &mut self,
        table: &'static TableSpec,
        scope: Scope<'_>,
        f: &mut dyn FnMut(RowState) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.0.scan_rows(table, scope, f)
    }
    fn table_counts(&mut self) -> Result<Vec<TableCount>, StoreError> {
        self.0.table_counts()
    }
    fn live_rows(&mut self, query: &RowQuery<'_>) -> Result<Vec<LiveRow>, StoreError> {
        self.0.live_rows(query)
    }
    fn next_seq(&mut self) -> Result<i64, StoreError> {
        self.0.next_seq()
    }
    fn head_seq(&mut self) -> Result<i64, StoreError> {
        self.0.head_seq()
    }
    fn log_departure(&mut self, seq: i64, row: &RowState, origin: Option<Uuid>) -> Result<(), StoreError> {
        self.0.log_departure(seq, row, origin)
    }
    fn changes(
        &mut self,
        scope: Scope<'_>,
        since: i64,
        limit: usize,
        max_bytes: usize,
        skip: Option<Uuid>,
    ) -> Result<ChangesPage, StoreError> {
        self.0.changes(scope, since, limit, max_bytes, skip)
    }
    fn count_changes(&mut self, scope: Scope<'_>, since: i64) -> Result<i64, StoreError> {
        self.0.count_changes(scope, since)
    }
    fn applied_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<AppliedMutation>, StoreError> {
        self.0.applied_mutation(device, mutation_id)
    }
    fn record_mutation(
        &mut self,
        device: Uuid,
        mutation_id: i64,
        applied: &AppliedMutation,
        at: &str,
    ) -> Result<(), StoreError> {
        self.0.record_mutation(device, mutation_id, applied, at)
    }
    fn forget_mutations(&mut self, device: Uuid, below: i64) -> Result<(), StoreError> {
        self.0.forget_mutations(device, below)
    }
    fn record_answers(&mut self, device: Uuid, first_id: i64, answers: &[u8]) -> Result<(), StoreError> {
        self.0.record_answers(device, first_id, answers)
    }
    fn record_renumbered(
        &mut self,
        device: Uuid,
        first_id: i64,
        digest: &[u8],
        new_id: i64,
    ) -> Result<(), StoreError> {
        self.0.record_renumbered(device, first_id, digest, new_id)
    }
    fn renumbered(&mut self, device: Uuid, first_id: i64, digest: &[u8]) -> Result<Option<i64>, StoreError> {
        self.0.renumbered(device, first_id, digest)
    }
    fn last_renumbered(&mut self, device: Uuid) -> Result<Option<i64>, StoreError> {
        self.0.last_renumbered(device)
    }
    fn answers_holding(
        &mut self,
        device: Uuid,
        mutation_id: i64,
    ) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        self.0.answers_holding(device, mutation_id)
    }
    fn rejoined(&mut self, table: &str, id: Uuid) -> Result<Option<Rejoined>, StoreError> {
        self.0.rejoined(table, id)
    }
    fn set_rejoined(&mut self, table: &str, id: Uuid, rejoined: Rejoined) -> Result<(), StoreError> {
        self.0.set_rejoined(table, id, rejoined)
    }
    fn insert_conflict(&mut self, conflict: &NewConflict<'_>) -> Result<i64, StoreError> {
        self.0.insert_conflict(conflict)
    }
    fn conflict(&mut self, id: i64) -> Result<Option<ConflictRecord>, StoreError> {
        self.0.conflict(id)
    }
    fn conflicts(
        &mut self,
        scope: Scope<'_>,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, StoreError> {
        self.0.conflicts(scope, include_resolved)
    }
    fn resolve_conflict(&mut self, id: i64, at: &str, by: &str) -> Result<(), StoreError> {
        self.0.resolve_conflict(id, at, by)
    }
}
