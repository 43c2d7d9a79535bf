//! The store conformance checks (`conformance/mod.rs`) on `SqliteStore`, each on a fresh
//! database file in a temporary directory, as the server runs it: WAL, a real file, its own
//! read connections.

mod conformance;

use rainstaff_server::SqliteStore;
use tempfile::TempDir;

fn fresh() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
    (dir, store)
}

conformance::every_check!(fresh);
