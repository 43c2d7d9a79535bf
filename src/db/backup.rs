//! Backups of the store with SQLite's online backup API: one a day automatically (the newest
//! seven kept), one whenever somebody asks, and restoring one for administrators.

use std::path::{Path, PathBuf};

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{APPLICATION_ID, MIGRATIONS, Result, Store, StoreError};

pub const KEEP_DAILY: usize = 7;
const DAILY_PREFIX: &str = "daily-";

impl Store {
    pub fn backup_dir(&self) -> PathBuf {
        self.path().parent().unwrap_or(Path::new(".")).join("backups")
    }

    /// Copies the whole store to `dest` while it stays in use.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut target = Connection::open(dest)?;
        Backup::new(&self.conn, &mut target)?.run_to_completion(256, std::time::Duration::ZERO, None)?;
        Ok(())
    }

    /// A manual backup, named by the time it was taken.
    pub fn backup_now(&self) -> Result<PathBuf> {
        let name = format!("manual-{}.db", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let dest = self.backup_dir().join(name);
        self.backup_to(&dest)?;
        Ok(dest)
    }

    /// Today's automatic backup, unless it exists; then only the newest `KEEP_DAILY` are kept.
    pub fn daily_backup(&self) -> Result<Option<PathBuf>> {
        let dir = self.backup_dir();
        let dest = dir.join(format!("{DAILY_PREFIX}{}.db", chrono::Local::now().format("%Y%m%d")));
        if dest.exists() {
            return Ok(None);
        }
        self.backup_to(&dest)?;
        let mut daily: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(DAILY_PREFIX)))
            .collect();
        daily.sort();
        let excess = daily.len().saturating_sub(KEEP_DAILY);
        for old in &daily[..excess] {
            std::fs::remove_file(old)?;
        }
        Ok(Some(dest))
    }

    /// The backups there are, newest first.
    pub fn backups(&self) -> Result<Vec<PathBuf>> {
        let dir = self.backup_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let mut list: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "db"))
            .collect();
        list.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).and_then(|m| m.modified()).ok()));
        Ok(list)
    }

    /// Replaces the store's contents with a backup. The file is checked first and the current
    /// store is copied aside; this PC's enrollment and its change numbering are kept, so that
    /// sync carries on without sending an old change number twice.
    pub fn restore_from(&mut self, source: &Path) -> Result<PathBuf> {
        check_backup(source)?;
        let aside = self
            .backup_dir()
            .join(format!("before-restore-{}.db", chrono::Local::now().format("%Y%m%d-%H%M%S")));
        self.backup_to(&aside)?;
        let sync_state: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare("SELECT key, value FROM sync_state WHERE key <> 'cursor'")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let last_mutation: i64 = self.conn.query_row(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
            [],
            |r| r.get(0),
        )?;
        let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Backup::new(&src, &mut self.conn)?.run_to_completion(256, std::time::Duration::ZERO, None)?;
        drop(src);
        let tx = self.conn.transaction()?;
        // A backup taken before a field was added to the schema gets its column now.
        super::ddl::reconcile(&tx)?;
        for (key, value) in sync_state {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
        }
        tx.execute("UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'outbox'", [last_mutation])?;
        tx.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ?1
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')",
            [last_mutation],
        )?;
        tx.commit()?;
        Ok(aside)
    }
}

/// A backup may be restored only if it is a readable, intact Rainstaff store this version knows.
pub fn check_backup(path: &Path) -> Result<()> {
    let bad = |tr: &str, en: &str| StoreError::Refused {
        tr: format!("{}: {tr}", path.display()),
        en: format!("{}: {en}", path.display()),
    };
    let unreadable = |e: rusqlite::Error| bad(&format!("okunamıyor ({e})"), &format!("cannot be read ({e})"));
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(unreadable)?;
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(unreadable)?;
    if app_id != APPLICATION_ID {
        return Err(bad("bir Rainstaff yedeği değil", "not a Rainstaff backup"));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != MIGRATIONS.len() as i64 {
        return Err(bad("Rainstaff'ın başka bir sürümüyle alınmış", "made by another version of Rainstaff"));
    }
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(bad(&format!("bozuk ({check})"), &format!("damaged ({check})")));
    }
    Ok(())
}
