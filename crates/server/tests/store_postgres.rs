//! The store conformance checks (`conformance/mod.rs`) on `PgStore`, each on a new database of a
//! throw-away PostgreSQL cluster (`common/pg.rs`), through the same connection pool the server
//! uses. They fail, saying how to install it, where PostgreSQL is missing.

mod common;
mod conformance;

use std::sync::Arc;

use common::pg::Cluster;
use rainstaff_server::PgStore;

/// The cluster is held as long as the store, so it stays up while the check runs.
fn fresh() -> (Arc<Cluster>, PgStore) {
    let cluster = Cluster::shared();
    let store = PgStore::open(&cluster.database()).unwrap();
    (cluster, store)
}

conformance::every_check!(fresh);
