//! The local store: one SQLite file in the data folder. Opening it derives the synced tables
//! from the schema (`ddl`) and applies the embedded migrations; every write goes through `rows` so
//! that it appends its outbox entry in the same transaction; the screens read through
//! `read::ReadStore`, which can do nothing else; `sync` is the routine that exchanges the outbox
//! and the server's change log.

pub mod audit;
pub mod backup;
pub mod conflicts;
pub mod ddl;
pub mod edits;
pub mod fleet;
pub mod health;
pub mod holidays;
pub mod import;
pub mod namespaces;
mod neighbours;
pub mod periods;
pub mod queries;
pub mod read;
pub mod refused;
pub mod rows;
pub mod scope;
pub mod sync;
pub mod users;
pub mod week;

use std::path::{Path, PathBuf};

use rainstaff_core::schema::FieldKind;
use rainstaff_core::time::{stamp_ms, stamp_text};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

/// `PRAGMA application_id` of a Rainstaff store ("RSTF"): tells our file from any other SQLite file.
const APPLICATION_ID: i32 = 0x5253_5446;

/// The numbered migrations of the bookkeeping tables and of data, in order; `user_version` says
/// how many have been applied. The synced tables' DDL comes from the schema (`ddl`).
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_init.sql"),
    include_str!("../migrations/002_refused_changes.sql"),
    include_str!("../migrations/003_local_legacy_ids.sql"),
    include_str!("../migrations/004_outbox_imported.sql"),
    include_str!("../migrations/005_sign_in_failures.sql"),
    include_str!("../migrations/006_outbox_made.sql"),
    include_str!("../migrations/007_outbox_renumbered_from.sql"),
    include_str!("../migrations/008_row_ids_as_bytes.sql"),
    include_str!("../migrations/009_dates_as_numbers.sql"),
];

/// Brings a store at migration `version` to this build's layout: the synced tables first, so
/// that a numbered migration changing their data finds them, then the migrations it lacks.
fn migrate(tx: &rusqlite::Transaction<'_>, version: i64) -> Result<()> {
    ddl::reconcile(tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    // Rebuilding an older store's tables (`ddl`) leaves the old ones' pages free: half the file.
    give_back_free_pages(tx)?;
    Ok(())
}

/// Gives the store's free pages back to the file system (a store made by this program keeps
/// `auto_vacuum = INCREMENTAL`; an older one keeps its pages until a VACUUM). The pragma frees
/// one page per step: it is stepped to its end.
fn give_back_free_pages(conn: &Connection) -> rusqlite::Result<()> {
    let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
    let mut steps = vacuum.query([])?;
    while steps.next()?.is_some() {}
    Ok(())
}

/// After a migration: a file made before stores gave their free pages back (`auto_vacuum` NONE)
/// is switched over, which takes one VACUUM (`pack`).
fn give_back_free_pages_from_now_on(conn: &Connection) -> Result<()> {
    let auto_vacuum: i64 = conn.query_row("PRAGMA auto_vacuum", [], |r| r.get(0))?;
    if auto_vacuum == 0 {
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        pack(conn);
    }
    Ok(())
}

/// Rewrites the store packed (VACUUM; outside any transaction). It only saves space: a failure
/// (too little free disk, another connection writing for long) is logged and the store is used as
/// it stands. The rewrite passes through the write-ahead log, which would otherwise stay the
/// store's size on disk until the app closes: it is emptied after.
fn pack(conn: &Connection) {
    if let Err(e) = conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "the store was not packed; it keeps its free space");
    }
}

/// Runs `work` in one transaction with foreign keys off, and turns them on again: `migrate`
/// rebuilds an older store's tables (`ddl`), and dropping a parent table with them on counts each
/// of its children as a violation. The pragma cannot change inside a transaction.
fn without_foreign_keys<T>(
    conn: &mut Connection,
    work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
) -> Result<T> {
    conn.pragma_update(None, "foreign_keys", false)?;
    let done: Result<T> = (|| {
        let tx = conn.transaction()?;
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    })();
    // The work's own error says what went wrong; a failed switch back only follows from it.
    let switched_back = conn.pragma_update(None, "foreign_keys", true);
    let out = done?;
    switched_back?;
    Ok(out)
}

pub const STORE_FILE: &str = "rainstaff.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: this data file was written by a newer Rainstaff (schema {found}, this program knows {known}); install the newer version"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error(
        "{path}: this is not a Rainstaff data file (it is another program's database); it was left untouched"
    )]
    Foreign { path: PathBuf },
    #[error("{path}: the data file cannot be read ({source}); it was left untouched — restore a backup")]
    Corrupt { path: PathBuf, source: rusqlite::Error },
    /// The file opens but fails `PRAGMA quick_check`: nothing may be written to it.
    #[error("{0}")]
    Damaged(Box<health::Damage>),
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Invalid(String),
    /// A person's input that cannot be taken; the UI says it in the chosen language.
    #[error("{0}")]
    Field(rainstaff_core::validate::FieldError),
    /// A refusal a person will read, already said in both languages.
    #[error("{en}")]
    Refused { tr: String, en: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The store with its writing connection: the worker's, the sync thread's and the command line's.
/// The connection stays inside `db`, so every write outside it is one of the store's own methods.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl StoreError {
    /// The damage this error reports, when the store's file (at `path`, unless the error names
    /// its own) is damaged or cannot be read at all: found by its check, as it opened, or by a
    /// read that tripped over a damaged page.
    pub fn damage(&self, path: &Path) -> Option<health::Damage> {
        match self {
            StoreError::Damaged(damage) => Some(damage.as_ref().clone()),
            StoreError::Corrupt { path, source } => Some(health::Damage::found(path, source.to_string())),
            StoreError::Sql(e @ rusqlite::Error::SqliteFailure(failure, _))
                if matches!(failure.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) =>
            {
                Some(health::Damage::found(path, e.to_string()))
            }
            _ => None,
        }
    }
}

impl Store {
    /// Opens (creating if absent) the store at `path` for reading and writing; a store that
    /// fails its health check is refused.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_checking(path, true)
    }

    /// Opens the store for the app's worker, which runs `check_health` on its own thread before
    /// its first write. The check reads every page (a quarter of a second for 50 000 shifts) and
    /// the window waits for this open. A store this build must change (a new one, an older
    /// schema) is still checked here, before the change is written.
    pub fn open_for_worker(path: &Path) -> Result<Store> {
        Store::open_checking(path, false)
    }

    /// Another writing connection to this store, for another thread (the sync thread's). This one
    /// was checked as it opened a moment ago; checking every page again would double start-up.
    pub fn reopen(&self) -> Result<Store> {
        Store::open_checking(&self.path, false)
    }

    /// `check_unchanged`: check the store even when this open writes nothing to it.
    fn open_checking(path: &Path, check_unchanged: bool) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)
            .map_err(|source| StoreError::Corrupt { path: path.to_path_buf(), source })?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.prepare(check_unchanged).map_err(|e| match e {
            StoreError::Sql(source) => StoreError::Corrupt { path: path.to_path_buf(), source },
            e => e,
        })?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Tests and benchmarks only: the store's own connection, to seed rows through `db::rows` or
    /// to break the file on purpose. Nothing in `src/` outside `db` calls it; the import graph
    /// script (scripts/import-graph.sh) fails when something does.
    #[doc(hidden)]
    pub fn test_connection(&self) -> &Connection {
        &self.conn
    }

    fn prepare(&mut self, check_unchanged: bool) -> Result<()> {
        let conn = &self.conn;
        // Reading the header first turns "file is not a database" into a Corrupt error here.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 && app_id != APPLICATION_ID {
            return Err(StoreError::Foreign { path: self.path.clone() });
        }
        // A store gives back the pages a drained outbox leaves (`record_run`); a file made before
        // that is switched over by the VACUUM after its migration.
        if tables == 0 {
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let unchanged = version == known && journal == "wal" && ddl::is_current(conn)?;
        // Before the first write: migrating or working on a damaged file would spread the damage.
        if check_unchanged || !unchanged {
            self.check_health()?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // An office's tables run to tens of megabytes; with SQLite's default 2 MB of cache a sync
        // or an import reads the same pages from the file again and again.
        conn.pragma_update(None, "cache_size", -32_768)?;
        register_functions(conn)?;
        // An unchanged store is not written to at all: it may not have been checked yet.
        if !unchanged {
            without_foreign_keys(&mut self.conn, |tx| migrate(tx, version))?;
            give_back_free_pages_from_now_on(&self.conn)?;
        }
        // Who is making the changes on this connection, for the outbox entries it writes.
        self.conn.execute_batch("CREATE TEMP TABLE actor (name TEXT)")?;
        Ok(())
    }

    /// Names the person whose changes this connection writes next (`None`: nobody signed in).
    pub fn act_as(&self, username: Option<&str>) -> Result<()> {
        self.conn.execute("DELETE FROM temp.actor", [])?;
        if let Some(name) = username {
            self.conn.execute("INSERT INTO temp.actor (name) VALUES (?1)", [name])?;
        }
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

/// `tr_search(text)`: the Turkish-aware search key, so SQL filters fold case the way people expect.
/// `id_bytes(v)`, `stamp_ms(v)`, `stored_date(v)` and `stored_time(v)`: an id, a timestamp, a
/// date and a time as the synced tables keep them, for SQL that copies rows written as text (an
/// older store's, the server's snapshot); a value that is not text is already in that form.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::{Context, FunctionFlags};
    use rusqlite::types::Value;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let user_error = |e: String| rusqlite::Error::UserFunctionError(e.into());
    conn.create_scalar_function("tr_search", 1, flags, move |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|t| rainstaff_core::text::search_key(&t)))
    })?;
    // Text through `convert`; anything else as it is.
    fn from_text(
        ctx: &Context<'_>,
        convert: impl Fn(String) -> rusqlite::Result<Value>,
    ) -> rusqlite::Result<Value> {
        match ctx.get::<Value>(0)? {
            Value::Text(t) => convert(t),
            other => Ok(other),
        }
    }
    conn.create_scalar_function("id_bytes", 1, flags, move |ctx| {
        from_text(ctx, |t| {
            let id = uuid::Uuid::parse_str(&t).map_err(|e| user_error(format!("id {t:?}: {e}")))?;
            Ok(Value::Blob(id.as_bytes().to_vec()))
        })
    })?;
    conn.create_scalar_function("stamp_ms", 1, flags, move |ctx| {
        from_text(ctx, |t| stamp_ms(&t).map(Value::Integer).map_err(user_error))
    })?;
    conn.create_scalar_function("stored_date", 1, flags, move |ctx| {
        from_text(ctx, |t| Ok(rows::stored_moment(FieldKind::Date, t)))
    })?;
    conn.create_scalar_function("stored_time", 1, flags, move |ctx| {
        from_text(ctx, |t| Ok(rows::stored_moment(FieldKind::Time, t)))
    })
}

/// Now, as stored in timestamps: RFC 3339 in UTC.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_and_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
        assert!(matches!(Store::open(&foreign), Err(StoreError::Foreign { .. })));

        let newer = dir.path().join("newer.db");
        drop(Store::open(&newer).unwrap());
        Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = Store::open(&newer).err().unwrap();
        assert!(err.to_string().contains("newer Rainstaff"), "{err}");

        let garbage = dir.path().join("garbage.db");
        let text = b"this is not sqlite at all, just some text that is long enough";
        std::fs::write(&garbage, text).unwrap();
        let err = Store::open(&garbage).err().unwrap();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("garbage.db"), "{err}");
        assert_eq!(std::fs::read(&garbage).unwrap(), text);
    }
}
