//! Backups of the store with SQLite's online backup API: one a day automatically (the newest
//! seven kept), one whenever somebody asks, and restoring one for administrators. A backup is
//! taken only of a store that passes its check, written under a temporary name and kept only once
//! the copy passes the same check, so a bad copy never takes a good one's place in the rotation.

use std::path::{Path, PathBuf};

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{APPLICATION_ID, MIGRATIONS, Result, Store, StoreError};

pub const KEEP_DAILY: usize = 7;
const DAILY_PREFIX: &str = "daily-";

/// The backups folder of the store at `path`.
pub fn dir_for(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new(".")).join("backups")
}

impl Store {
    pub fn backup_dir(&self) -> PathBuf {
        dir_for(self.path())
    }

    /// Copies the whole store to `dest` while it stays in use, if the store is sound; the copy
    /// replaces `dest` only once it has passed its own check.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        self.check_health()?;
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let partial = dest.with_file_name(format!("{name}.partial"));
        if let Err(e) = self.copy_to(&partial) {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        keep_verified(&partial, dest)
    }

    /// The page-by-page copy, damaged or not (the copy set aside before a restore is one).
    fn copy_to(&self, dest: &Path) -> Result<()> {
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut target = Connection::open(dest)?;
        Backup::new(&self.conn, &mut target)?.run_to_completion(256, std::time::Duration::ZERO, None)?;
        // One self-contained file: checking it read-only then leaves no -wal or -shm beside it.
        target.pragma_update(None, "journal_mode", "DELETE")?;
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
        Ok(list(&self.backup_dir()))
    }

    /// Replaces the store's contents with a backup. The file is checked first and the current
    /// store is copied aside; this PC's enrollment and its change numbering are kept, so that
    /// sync carries on without sending an old change number twice.
    pub fn restore_from(&mut self, source: &Path) -> Result<PathBuf> {
        check_backup(source)?;
        let aside = self
            .backup_dir()
            .join(format!("before-restore-{}.db", chrono::Local::now().format("%Y%m%d-%H%M%S")));
        self.copy_to(&aside)?;
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
        super::without_foreign_keys(&mut self.conn, |tx| {
            // A backup taken before an upgrade gets what this version added since: columns, tables,
            // migrations.
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            super::migrate(tx, version)?;
            put_back_numbering(tx, &sync_state, last_mutation)
        })?;
        super::give_back_free_pages_from_now_on(&self.conn)?;
        Ok(aside)
    }
}

/// After a restore: this PC's enrollment and change numbering as they were before it.
fn put_back_numbering(
    tx: &rusqlite::Transaction<'_>,
    sync_state: &[(String, String)],
    last_mutation: i64,
) -> Result<()> {
    for (key, value) in sync_state {
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
    }
    // What this PC sent since the backup is on the server but no longer here, and a pull
    // leaves out a PC's own changes unless told otherwise.
    super::sync::pull_everything_next(tx)?;
    tx.execute("UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'outbox'", [last_mutation])?;
    tx.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ?1
         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')",
        [last_mutation],
    )?;
    Ok(())
}

/// The backups in `dir`, newest first (none when the folder is missing).
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut list: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    list.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).and_then(|m| m.modified()).ok()));
    list
}

/// Renames the copy at `partial` to `dest` if it passes `verify`; else deletes it and says why.
fn keep_verified(partial: &Path, dest: &Path) -> Result<()> {
    match verify(partial) {
        Ok(()) => Ok(std::fs::rename(partial, dest)?),
        Err(e) => {
            let _ = std::fs::remove_file(partial);
            let (tr, en) = match e {
                StoreError::Refused { tr, en } => (tr, en),
                e => (e.to_string(), e.to_string()),
            };
            Err(StoreError::Refused {
                tr: format!("Yedek doğrulanamadı ve silindi, önceki yedekler duruyor: {tr}"),
                en: format!(
                    "The backup failed its check and was deleted; the earlier backups are kept: {en}"
                ),
            })
        }
    }
}

/// A backup just written is kept only if it opens as a Rainstaff store and passes quick_check.
pub fn verify(path: &Path) -> Result<()> {
    check_file(path, "quick_check")
}

/// A backup may be restored only if it is a readable, intact Rainstaff store of this version or
/// an earlier one.
pub fn check_backup(path: &Path) -> Result<()> {
    check_file(path, "integrity_check")
}

/// `check`: quick_check (enough to keep a copy) or integrity_check (before a restore).
fn check_file(path: &Path, check: &str) -> Result<()> {
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
    // One taken before an upgrade is brought up to date as it is restored (`restore_from`).
    if version > MIGRATIONS.len() as i64 {
        return Err(bad(
            "Rainstaff'ın daha yeni bir sürümüyle alınmış; o sürümü kurun",
            "made by a newer version of Rainstaff; install that version",
        ));
    }
    let check: String = conn.query_row(&format!("PRAGMA {check}"), [], |r| r.get(0)).map_err(unreadable)?;
    if check != "ok" {
        return Err(bad(&format!("bozuk ({check})"), &format!("damaged ({check})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_that_fails_its_check_is_deleted_and_the_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(super::super::STORE_FILE)).unwrap();
        let kept = store.backup_dir().join("daily-20260101.db");
        store.backup_to(&kept).unwrap();
        let partial = store.backup_dir().join("daily-20260102.db.partial");
        std::fs::copy(&kept, &partial).unwrap();
        // A copy cut short: SQLite still reads its header but not its pages.
        let len = std::fs::metadata(&partial).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&partial).unwrap().set_len(len / 2).unwrap();

        let dest = store.backup_dir().join("daily-20260102.db");
        let err = keep_verified(&partial, &dest).expect_err("a short copy is not kept");
        assert!(err.to_string().contains("failed its check and was deleted"), "{err}");
        assert!(!partial.exists() && !dest.exists());
        assert_eq!(list(&store.backup_dir()), vec![kept.clone()]);
        keep_verified(&kept, &dest).unwrap();
        assert!(dest.exists());
    }
}
