//! The one importer of legacy Rainstaff databases (`puantaj.db`, variants V1–V5), shared by the
//! desktop (`import-legacy`) and the server (legacy `POST /sync` uploads).
//!
//! [`read_legacy`] reads a whole file read-only into rows of the synced schema with deterministic
//! ids, so that importing a file twice, or overlapping files of one office, cannot duplicate a
//! row. [`apply`] then writes them to any [`ImportTarget`] by the same rules everywhere.

mod apply;
mod convert;
mod error;
mod file;
mod layout;
mod read;
mod tables;
mod users;
mod variant;
mod warning;

pub use apply::{Existing, ImportReport, ImportTarget, apply, dry_run};
pub use error::LegacyError;
pub use read::{ImportedRow, LegacyImport, Tombstone, read_legacy};
pub use users::{LegacyUser, Role};
pub use variant::Variant;
pub use warning::Warning;
