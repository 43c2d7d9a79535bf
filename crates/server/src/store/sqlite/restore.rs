//! Putting a backup back in place of the database, with the server stopped. The restored file
//! gets a new epoch: devices that synced with the lost history notice it at their next request and
//! rejoin, pushing back what the server no longer has. Devices enrolled and revoked since the
//! backup are carried over from the database being replaced when it can still be read, so a
//! restore neither locks out a PC enrolled yesterday nor lets in one revoked yesterday.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use uuid::Uuid;

use super::SqliteStore;
use super::migrations::APPLICATION_ID;
use crate::error::StoreError;
use crate::lineage::{self, Lineage, Link};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub epoch: String,
    /// The head seq of the backup: versions up to it are the same before and after.
    pub base_seq: i64,
    /// Where the replaced database was kept, if there was one.
    pub previous: Option<PathBuf>,
    /// Devices enrolled after the backup, carried over from the replaced database.
    pub devices_carried: usize,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Checks that `path` is a readable Rainstaff server database without changing it.
fn check_backup(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::msg(format!("{}: cannot open the backup ({e})", path.display())))?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| StoreError::msg(format!("{}: not a database ({e})", path.display())))?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::msg(format!(
            "{} is not a rainstaff-server backup; nothing was changed",
            path.display()
        )));
    }
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::msg(format!(
            "{} is damaged ({check}); nothing was changed — try an older backup",
            path.display()
        )));
    }
    Ok(conn)
}

/// The epoch a database (`main` or an attached one) is in, and the epochs it knows of.
fn stored_lineage(conn: &Connection, schema: &str) -> Result<(String, Lineage), StoreError> {
    let setting = |key: &str| -> Result<Option<String>, StoreError> {
        Ok(conn
            .query_row(&format!("SELECT value FROM {schema}.settings WHERE key = ?1"), [key], |r| r.get(0))
            .optional()?)
    };
    let epoch = setting("epoch")?.ok_or_else(|| StoreError::msg("the database has no epoch"))?;
    let base_seq = setting("epoch_base_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
    let lineage = Lineage::stored(setting(lineage::SETTING)?.as_deref(), &epoch, base_seq);
    Ok((epoch, lineage))
}

/// Replaces the database at `db` with the backup at `backup`. The server must be stopped.
pub fn restore(db: &Path, backup: &Path, stamp: &str) -> Result<Restored, StoreError> {
    let source = check_backup(backup)?;
    let staging = with_suffix(db, ".restoring");
    for stale in [staging.clone(), with_suffix(&staging, "-wal"), with_suffix(&staging, "-shm")] {
        if stale.exists() {
            std::fs::remove_file(&stale)?;
        }
    }
    {
        let mut copy = Connection::open(&staging)?;
        rusqlite::backup::Backup::new(&source, &mut copy)?.run_to_completion(
            256,
            std::time::Duration::ZERO,
            None,
        )?;
    }
    drop(source);
    // Opening brings an older backup's layout up to date.
    drop(SqliteStore::open_existing(&staging)?);
    let mut conn = Connection::open(&staging)?;
    let current = db.is_file() && check_backup(db).is_ok();
    if current {
        conn.execute("ATTACH DATABASE ?1 AS replaced", [db.to_string_lossy()])?;
    }
    let epoch = Uuid::new_v4().simple().to_string();
    let tx = conn.transaction()?;
    let base_seq: i64 =
        tx.query_row("SELECT value FROM counters WHERE name = 'change_seq'", [], |r| r.get(0))?;
    let (backup_epoch, mut lineage) = stored_lineage(&tx, "main")?;
    if current {
        lineage.merge(stored_lineage(&tx, "replaced")?.1);
    }
    lineage.add(Link { id: epoch.clone(), parent: Some(backup_epoch), base_seq });
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('epoch', ?1), ('epoch_base_seq', ?2), (?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![epoch, base_seq.to_string(), lineage::SETTING, lineage.to_json()],
    )?;
    let mut devices_carried = 0;
    if current {
        devices_carried = tx.execute(
            // Numbered after the backup's own: the restored rows name those by number.
            "INSERT INTO devices (id, name, region, token_hash, created_at, revoked_at, number)
             SELECT id, name, region, token_hash, created_at, revoked_at,
                 (SELECT coalesce(max(number), 0) FROM main.devices) + row_number() OVER (ORDER BY rowid)
             FROM replaced.devices WHERE id NOT IN (SELECT id FROM main.devices)",
            [],
        )?;
        tx.execute(
            "UPDATE devices SET revoked_at =
                 (SELECT r.revoked_at FROM replaced.devices r WHERE r.id = devices.id)
             WHERE revoked_at IS NULL
               AND EXISTS (SELECT 1 FROM replaced.devices r WHERE r.id = devices.id AND r.revoked_at IS NOT NULL)",
            [],
        )?;
        // A code used since the backup must not work a second time.
        tx.execute(
            "INSERT INTO enroll_codes SELECT * FROM replaced.enroll_codes
             WHERE code_hash NOT IN (SELECT code_hash FROM main.enroll_codes)",
            [],
        )?;
        tx.execute(
            "UPDATE enroll_codes SET used_at = (SELECT r.used_at FROM replaced.enroll_codes r
                 WHERE r.code_hash = enroll_codes.code_hash), device_id = (SELECT r.device_id
                 FROM replaced.enroll_codes r WHERE r.code_hash = enroll_codes.code_hash)
             WHERE used_at IS NULL AND EXISTS (SELECT 1 FROM replaced.enroll_codes r
                 WHERE r.code_hash = enroll_codes.code_hash AND r.used_at IS NOT NULL)",
            [],
        )?;
    }
    // The backup's idea of each device's last mutation is older than the devices' own: their
    // next push may start anywhere, and its epoch header keeps requests from before the restore
    // out.
    tx.execute_batch(super::FORGET_LAST_MUTATIONS)?;
    tx.commit()?;
    if current {
        conn.execute("DETACH DATABASE replaced", [])?;
    }
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    let previous = if db.exists() {
        let kept = with_suffix(db, &format!(".before-restore-{stamp}"));
        std::fs::rename(db, &kept)?;
        for side in ["-wal", "-shm"] {
            let from = with_suffix(db, side);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&kept, side))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    for side in ["-wal", "-shm"] {
        let from = with_suffix(&staging, side);
        if from.exists() {
            std::fs::remove_file(&from)?;
        }
    }
    std::fs::rename(&staging, db)?;
    Ok(Restored { epoch, base_seq, previous, devices_carried })
}
