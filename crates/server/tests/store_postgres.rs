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

#[test]
fn mutations_are_recorded_exactly_once() {
    let (_cluster, store) = fresh();
    conformance::mutations_are_recorded_exactly_once(store);
}

#[test]
fn a_retried_push_applies_once() {
    let (_cluster, store) = fresh();
    conformance::a_retried_push_applies_once(store);
}

#[test]
fn seqs_become_visible_in_order_under_concurrent_writers() {
    let (_cluster, store) = fresh();
    conformance::seqs_become_visible_in_order_under_concurrent_writers(store);
}

#[test]
fn scope_limits_rows_and_changes_to_a_region() {
    let (_cluster, store) = fresh();
    conformance::scope_limits_rows_and_changes_to_a_region(store);
}

#[test]
fn tombstones_are_kept_and_delivered() {
    let (_cluster, store) = fresh();
    conformance::tombstones_are_kept_and_delivered(store);
}

#[test]
fn change_pages_are_bounded_and_chained() {
    let (_cluster, store) = fresh();
    conformance::change_pages_are_bounded_and_chained(store);
}

#[test]
fn rows_read_back_as_written() {
    let (_cluster, store) = fresh();
    conformance::rows_read_back_as_written(store);
}
