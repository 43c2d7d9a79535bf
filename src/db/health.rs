//! Store health: `PRAGMA quick_check` before the store is used and before it is copied. A damaged
//! page otherwise goes unnoticed until a read trips over it, and every daily backup taken meanwhile
//! carries the damage along until none of the seven kept is good.

use std::path::{Path, PathBuf};

use rainstaff_core::i18n::Lang;
use rusqlite::{Connection, ErrorCode};

use super::{Result, Store, StoreError};

/// How many of quick_check's findings are worth reading; the first already names the damage.
const FINDINGS: u32 = 3;

/// A store that failed its check, with the way out: the newest backup that passes the same check.
#[derive(Debug, Clone)]
pub struct Damage {
    pub path: PathBuf,
    /// What SQLite found, in its words.
    pub problem: String,
    /// The folder the backups are in, and the newest intact one there, if any.
    pub backups: PathBuf,
    pub good_backup: Option<PathBuf>,
}

impl Damage {
    /// The damage found in the store at `path`; looks through its backups for a good one.
    pub fn found(path: &Path, problem: String) -> Damage {
        let backups = super::backup::dir_for(path);
        let good_backup =
            super::backup::list(&backups).into_iter().find(|b| super::backup::verify(b).is_ok());
        Damage { path: path.to_path_buf(), problem, backups, good_backup }
    }

    /// The whole report in `lang`: which file, what is wrong, that nothing was written, the way out.
    pub fn text(&self, lang: Lang) -> String {
        let path = self.path.display();
        let lead = match lang {
            Lang::Tr => format!("{path}: veri dosyası bozuk ({}); içine hiçbir şey yazılmadı.", self.problem),
            Lang::En => {
                format!("{path}: the data file is damaged ({}); nothing was written to it.", self.problem)
            }
        };
        format!("{lead} {}", self.way_out(lang))
    }

    /// How to go on: put a backup in the file's place (the way that needs no working store).
    pub fn way_out(&self, lang: Lang) -> String {
        let name = super::STORE_FILE;
        let copy = match (&self.good_backup, lang) {
            (Some(b), Lang::Tr) => {
                format!("en yeni sağlam yedeği, {}, {name} adıyla yerine kopyalayın", b.display())
            }
            (Some(b), Lang::En) => {
                format!("copy the newest intact backup, {}, in its place as {name}", b.display())
            }
            (None, Lang::Tr) => format!(
                "{} klasöründeki en yeni yedeği {name} adıyla yerine kopyalayın",
                self.backups.display()
            ),
            (None, Lang::En) => {
                format!("copy the newest backup from {} in its place as {name}", self.backups.display())
            }
        };
        match lang {
            Lang::Tr => format!(
                "Bir yedeği geri yükleyin: Rainstaff'ı kapatın, {name} dosyasını ({name}-wal ve {name}-shm \
                 varsa onlarla birlikte) BT için veri klasörünün dışına taşıyın, sonra {copy} \
                 (docs/IT.md, \"A damaged data file\")."
            ),
            Lang::En => format!(
                "Restore a backup: close Rainstaff, move {name} (with {name}-wal and {name}-shm, if there) \
                 out of the data folder for IT, then {copy} (docs/IT.md, \"A damaged data file\")."
            ),
        }
    }
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// What `PRAGMA quick_check` finds wrong on `conn`, or None when the file is sound. A file too
/// damaged to be checked at all is damaged too; any other error (busy, I/O) is only an error.
pub(super) fn quick_check(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let lines = conn.prepare(&format!("PRAGMA quick_check({FINDINGS})")).and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()
    });
    match lines {
        Ok(lines) if lines == ["ok"] => Ok(None),
        // Findings come as "*** in database main ***" and then lines of "Tree N page N …".
        Ok(lines) => Ok(Some(
            lines
                .iter()
                .flat_map(|l| l.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("***"))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(rusqlite::Error::SqliteFailure(e, message))
            if matches!(e.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) =>
        {
            Ok(Some(message.unwrap_or_else(|| e.to_string())))
        }
        Err(e) => Err(e),
    }
}

impl Store {
    /// Fails with `StoreError::Damaged` when the store does not pass `PRAGMA quick_check`.
    pub fn check_health(&self) -> Result<()> {
        match quick_check(&self.conn)? {
            None => Ok(()),
            Some(problem) => Err(StoreError::Damaged(Box::new(Damage::found(&self.path, problem)))),
        }
    }
}
