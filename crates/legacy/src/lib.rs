//! The one importer of legacy Rainstaff databases (`puantaj.db`, variants V1–V5), shared by the
//! desktop (`import-legacy`) and the server (`rainstaff-server import-legacy`, legacy uploads).
//!
//! [`read_legacy`] reads a whole file read-only into the rows of one region (or of all) with
//! deterministic ids in each region's secret namespace, so that importing a file twice, or
//! overlapping files of one office, on a PC or on the server, cannot duplicate a row.
//! [`apply`] then writes them to any [`ImportTarget`] by the same rules everywhere.

mod apply;
mod convert;
mod error;
mod file;
mod layout;
mod not_imported;
mod read;
mod tables;
mod users;
mod variant;
mod warning;

pub use apply::{Existing, ImportReport, ImportTarget, RegionCounts, apply, dry_run};
pub use error::LegacyError;
pub use not_imported::NotImported;
pub use read::{ImportedRow, LegacyImport, Tombstone, namespaces_needed, read_legacy};
pub use users::{LegacyUser, Role};
pub use variant::Variant;
pub use warning::Warning;
