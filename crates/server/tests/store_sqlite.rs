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

#[test]
fn mutations_are_recorded_exactly_once() {
    let (_dir, store) = fresh();
    conformance::mutations_are_recorded_exactly_once(store);
}

#[test]
fn a_retried_push_applies_once() {
    let (_dir, store) = fresh();
    conformance::a_retried_push_applies_once(store);
}

#[test]
fn seqs_become_visible_in_order_under_concurrent_writers() {
    let (_dir, store) = fresh();
    conformance::seqs_become_visible_in_order_under_concurrent_writers(store);
}

#[test]
fn scope_limits_rows_and_changes_to_a_region() {
    let (_dir, store) = fresh();
    conformance::scope_limits_rows_and_changes_to_a_region(store);
}

#[test]
fn tombstones_are_kept_and_delivered() {
    let (_dir, store) = fresh();
    conformance::tombstones_are_kept_and_delivered(store);
}

#[test]
fn change_pages_are_bounded_and_chained() {
    let (_dir, store) = fresh();
    conformance::change_pages_are_bounded_and_chained(store);
}

#[test]
fn rows_read_back_as_written() {
    let (_dir, store) = fresh();
    conformance::rows_read_back_as_written(store);
}

#[test]
fn one_plate_pushed_twice_at_once_is_applied_once() {
    let (_dir, store) = fresh();
    conformance::one_plate_pushed_twice_at_once_is_applied_once(store);
}

#[test]
fn a_refused_mutation_retried_gets_its_refusal_back() {
    let (_dir, store) = fresh();
    conformance::a_refused_mutation_retried_gets_its_refusal_back(store);
}

#[test]
fn live_rows_answer_what_the_rules_ask() {
    let (_dir, store) = fresh();
    conformance::live_rows_answer_what_the_rules_ask(store);
}
