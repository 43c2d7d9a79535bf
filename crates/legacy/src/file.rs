//! A legacy file opened strictly for reading: its tables, their columns, and their rows by column
//! name (column order differs between variants, so positions mean nothing).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::LegacyError;
use crate::layout::{Column, Layout};

pub struct LegacyFile {
    path: PathBuf,
    conn: Connection,
    /// Lower-case table name → lower-case column names.
    tables: BTreeMap<String, BTreeSet<String>>,
}

/// One legacy row, holding only the columns a layout asked for.
pub struct Record {
    values: HashMap<&'static str, SqlValue>,
}

static NULL: SqlValue = SqlValue::Null;

impl Record {
    /// The value under the first spelling of `column` the file has; NULL when it has none.
    pub fn get(&self, column: Column) -> &SqlValue {
        column.iter().find_map(|name| self.values.get(name)).unwrap_or(&NULL)
    }
}

impl LegacyFile {
    pub fn open(path: &Path) -> Result<Self, LegacyError> {
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(read_only_uri(path), flags)
            .map_err(|source| LegacyError::Open { path: path.to_owned(), source })?;
        let mut file = Self { path: path.to_owned(), conn, tables: BTreeMap::new() };
        file.check_integrity()?;
        file.tables = file.load_schema()?;
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.tables.get(table).is_some_and(|columns| columns.contains(column))
    }

    pub fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// How many rows `table` holds. Callers name tables from `layout` or another list of their
    /// own, never a name found in the file.
    pub fn count(&self, table: &'static str) -> Result<u64, LegacyError> {
        let sql = format!("SELECT count(*) FROM \"{table}\"");
        let rows: i64 = self.conn.query_row(&sql, [], |r| r.get(0)).map_err(|e| self.error(e))?;
        Ok(rows.unsigned_abs())
    }

    /// Every row of `layout.table` (none when the file lacks the table), in legacy id order.
    pub fn rows(&self, layout: &Layout) -> Result<Vec<Record>, LegacyError> {
        if !self.has_table(layout.table) {
            return Ok(Vec::new());
        }
        for column in layout.required {
            if !column.iter().any(|name| self.has_column(layout.table, name)) {
                return Err(LegacyError::MissingColumn {
                    path: self.path.clone(),
                    table: layout.table,
                    column: column[0],
                });
            }
        }
        let mut names: Vec<&'static str> = Vec::new();
        for name in layout.columns().flatten() {
            if self.has_column(layout.table, name) && !names.contains(name) {
                names.push(name);
            }
        }
        let select = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let order = if self.has_column(layout.table, "id") { " ORDER BY \"id\"" } else { "" };
        let sql = format!("SELECT {select} FROM \"{}\"{order}", layout.table);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |row| {
                let mut values = HashMap::with_capacity(names.len());
                for (i, name) in names.iter().enumerate() {
                    values.insert(*name, row.get::<_, SqlValue>(i)?);
                }
                Ok(Record { values })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// A damaged file must fail as a whole before anything is imported, not halfway through a
    /// table or, worse, silently in a table the importer happens not to read.
    fn check_integrity(&self) -> Result<(), LegacyError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check").map_err(|e| self.error(e))?;
        let findings = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.error(e))?;
        if findings.len() == 1 && findings[0] == "ok" {
            return Ok(());
        }
        let detail = findings.into_iter().take(3).collect::<Vec<_>>().join("; ");
        Err(LegacyError::Corrupt { path: self.path.clone(), detail })
    }

    fn load_schema(&self) -> Result<BTreeMap<String, BTreeSet<String>>, LegacyError> {
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<_, _>>())
            .map_err(|e| self.error(e))?;
        let mut tables = BTreeMap::new();
        for name in names {
            let columns: BTreeSet<String> = self
                .conn
                .prepare("SELECT name FROM pragma_table_info(?1)")
                .and_then(|mut stmt| {
                    stmt.query_map([&name], |row| row.get::<_, String>(0))?
                        .map(|c| c.map(|c| c.to_ascii_lowercase()))
                        .collect::<Result<_, _>>()
                })
                .map_err(|e| self.error(e))?;
            tables.insert(name.to_ascii_lowercase(), columns);
        }
        Ok(tables)
    }

    fn error(&self, source: rusqlite::Error) -> LegacyError {
        let path = self.path.clone();
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => LegacyError::NotSqlite { path },
            Some(ErrorCode::DatabaseCorrupt) => LegacyError::Corrupt { path, detail: source.to_string() },
            _ => LegacyError::Read { path, source },
        }
    }
}

/// A `file:` URI that opens `path` read-only. `immutable=1` keeps SQLite from creating `-wal`,
/// `-shm` or lock files beside it (the samples directory, or a file on a read-only share), but it
/// also makes SQLite ignore a journal; so a file with a live `-wal` or `-journal` beside it is
/// opened plainly read-only, letting SQLite read the committed data that is still in the journal.
fn read_only_uri(path: &Path) -> String {
    let mut bytes = path.as_os_str().as_encoded_bytes().to_vec();
    if cfg!(windows) {
        for b in &mut bytes {
            if *b == b'\\' {
                *b = b'/';
            }
        }
    }
    let mut uri = String::from("file:");
    if bytes.starts_with(b"//") {
        // A UNC path: an empty authority, then `//server/share/...`.
        uri.push_str("//");
    } else if bytes.len() > 1 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        uri.push_str("///");
    }
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro");
    if !has_live_journal(path) {
        uri.push_str("&immutable=1");
    }
    uri
}

fn has_live_journal(path: &Path) -> bool {
    ["-wal", "-journal"].iter().any(|suffix| {
        let mut sibling = path.as_os_str().to_owned();
        sibling.push(suffix);
        std::fs::metadata(sibling).is_ok_and(|m| m.len() > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_what_sqlite_would_misread() {
        let uri = read_only_uri(Path::new("/tmp/Masaüstü/puantaj #2?.db"));
        assert_eq!(uri, "file:/tmp/Masa%C3%BCst%C3%BC/puantaj%20%232%3F.db?mode=ro&immutable=1");
    }
}
