//! Which legacy schema a file has. `PRAGMA user_version` is 0 in all of them, so the tables and
//! columns present are the only evidence.

use serde::Serialize;

use crate::error::LegacyError;
use crate::file::LegacyFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Variant {
    /// employees, timesheets, settings, shift_templates, reports; no region anywhere.
    V1,
    /// + users with plaintext passwords and the first vehicle tables; region on timesheets only.
    V2,
    /// + region columns everywhere, stock_inventory, sha256 password hashes.
    V3,
    /// + deleted_records (tombstones).
    V4,
    /// The abandoned SQLAlchemy redesign: clock_in/clock_out, employee_no, bcrypt.
    V5,
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// Checked from the newest variant down, because each one contains the marks of the older ones.
pub fn detect(file: &LegacyFile) -> Result<Variant, LegacyError> {
    let path = || file.path().to_owned();
    match (file.has_table("employees"), file.has_table("timesheets")) {
        (true, true) => {}
        (false, false) => {
            return Err(LegacyError::UnknownVariant { path: path(), tables: file.table_names() });
        }
        (true, false) => {
            return Err(LegacyError::MissingTable {
                path: path(),
                table: "timesheets",
                present: "employees",
            });
        }
        (false, true) => {
            return Err(LegacyError::MissingTable {
                path: path(),
                table: "employees",
                present: "timesheets",
            });
        }
    }
    Ok(if file.has_column("timesheets", "clock_in") {
        Variant::V5
    } else if file.has_table("deleted_records") {
        Variant::V4
    } else if file.has_table("stock_inventory") || file.has_column("employees", "region") {
        Variant::V3
    } else if file.has_table("users") || file.has_table("vehicles") {
        Variant::V2
    } else {
        Variant::V1
    })
}
