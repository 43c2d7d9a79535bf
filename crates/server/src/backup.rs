//! Online backups into a `backups` folder next to the database: one a day while serving, and on
//! demand with the `backup` command; the newest `KEEP` are kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::StoreError;
use crate::service::Server;
use crate::store::Store;

pub const KEEP: usize = 14;
pub const INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60 * 60);
const PREFIX: &str = "rainstaff-server-";
const SUFFIX: &str = ".db";

pub fn backups_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or_else(|| Path::new(".")).join("backups")
}

/// Backs up into `dir` under a name that sorts by time, then deletes all but the newest `keep`.
pub fn backup_into_dir<S: Store>(server: &Server<S>, dir: &Path, keep: usize) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(dir)?;
    let name = format!("{PREFIX}{}{SUFFIX}", server.now().format("%Y%m%dT%H%M%S%.3fZ"));
    let path = dir.join(name);
    server.backup_to(&path)?;
    prune(dir, keep)?;
    Ok(path)
}

fn backups(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn prune(dir: &Path, keep: usize) -> Result<(), StoreError> {
    let all = backups(dir)?;
    for old in &all[..all.len().saturating_sub(keep)] {
        std::fs::remove_file(old)?;
    }
    Ok(())
}

/// How long until the next daily backup is due: now when there is none or the newest is a day old.
fn due_in(dir: &Path) -> Duration {
    let newest =
        backups(dir).ok().and_then(|all| all.last().and_then(|p| p.metadata().ok()?.modified().ok()));
    let age = newest.and_then(|t| SystemTime::now().duration_since(t).ok());
    match (newest, age) {
        (Some(_), Some(age)) => INTERVAL.saturating_sub(age),
        _ => Duration::ZERO,
    }
}

/// Runs the daily backup for as long as the returned task lives.
pub fn spawn_daily<S: Store>(server: Arc<Server<S>>, dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(due_in(&dir)).await;
            let (server, target) = (server.clone(), dir.clone());
            let failed =
                match tokio::task::spawn_blocking(move || backup_into_dir(&server, &target, KEEP)).await {
                    Ok(Ok(path)) => {
                        tracing::info!(path = %path.display(), "daily backup written");
                        false
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "daily backup failed");
                        true
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "daily backup task failed");
                        true
                    }
                };
            if failed {
                // No new file means the backup is still due: wait instead of retrying at once
                // against, say, a full disk.
                tokio::time::sleep(RETRY_AFTER_FAILURE).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_the_newest_and_ignores_other_files() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=16 {
            std::fs::write(dir.path().join(format!("{PREFIX}202601{day:02}T030000.000Z{SUFFIX}")), "x")
                .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "kept").unwrap();
        prune(dir.path(), KEEP).unwrap();
        let left = backups(dir.path()).unwrap();
        assert_eq!(left.len(), KEEP);
        assert!(left[0].ends_with(format!("{PREFIX}20260103T030000.000Z{SUFFIX}")));
        assert!(dir.path().join("notes.txt").exists());
        // A fresh backup makes the next one due a day later, not now.
        assert!(due_in(dir.path()) > INTERVAL - Duration::from_secs(60));
    }
}
