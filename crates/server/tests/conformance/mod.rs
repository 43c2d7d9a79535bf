//! What every `Store` backend must do for the service, as checks any backend's tests call with a
//! fresh, empty store of their own: `store_sqlite.rs` runs them on a SQLite file and
//! `store_postgres.rs` on a PostgreSQL database, each with `mod conformance;` and
//! `conformance::every_check!(fresh);`, so a check added here runs on every backend. They go
//! through the `Store` and `Tx` traits and the service only, never the database, so a backend
//! that passes them gives devices the same answers, in the same order, as the SQLite one.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rainstaff_core::protocol::{
    EnrollRequest, Mutation, Op, Outcome, OutcomeStatus, PushRequest, RefusalCode, RowState,
};
use rainstaff_core::schema::{
    EMPLOYEES, SHIFT_TEMPLATES, TIMESHEETS, TableSpec, VEHICLE_SERVICE_VISITS, VEHICLES,
};
use rainstaff_server::service::Role;
use rainstaff_server::store::{
    AppliedMutation, Device, LiveRow, NewUser, RowQuery, ServerRow, Store, Tx, User,
};
use rainstaff_server::{ErrorKind, Server, ServiceError, StoreError};
use serde_json::{Map, Value, json};
use uuid::Uuid;

const NOW: &str = "2026-02-03T08:00:00.000Z";

/// One `#[test]` per check, each on the store of a new `$fresh()`, which returns what keeps the
/// database alive (a temporary folder, a cluster) and the store.
macro_rules! every_check {
    ($fresh:path) => {
        $crate::conformance::every_check!(
            $fresh;
            mutations_are_recorded_exactly_once,
            a_restore_forgets_the_records_with_the_last_ids,
            a_retried_push_applies_once,
            a_change_sent_again_after_its_record_went_is_not_applied_twice,
            seqs_become_visible_in_order_under_concurrent_writers,
            scope_limits_rows_and_changes_to_a_region,
            tombstones_are_kept_and_delivered,
            a_change_is_pulled_from_its_table_or_as_logged_whole,
            change_pages_are_bounded_and_chained,
            rows_read_back_as_written,
            one_plate_pushed_twice_at_once_is_applied_once,
            a_refused_mutation_retried_gets_its_refusal_back,
            live_rows_answer_what_the_rules_ask,
            a_page_leaves_out_the_changes_of_the_device_it_skips,
            a_page_reads_past_a_long_run_of_superseded_changes,
            users_are_listed_and_changed_by_name
        );
    };
    ($fresh:path; $($check:ident),+) => {
        $(
            #[test]
            fn $check() {
                let (_alive, store) = $fresh();
                $crate::conformance::$check(store);
            }
        )+
    };
}
pub(crate) use every_check;

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// A live shift template of `region`, named `name` (the table refers to no other row).
fn template(region: &str, name: &str) -> RowState {
    RowState {
        table: SHIFT_TEMPLATES.name.into(),
        id: Uuid::now_v7(),
        region: region.into(),
        version: 0,
        created_at: NOW.into(),
        updated_at: NOW.into(),
        deleted_at: None,
        fields: fields(
            json!({"name": name, "start_time": "08:00", "end_time": "16:00", "break_minutes": 30, "short_code": null}),
        ),
    }
}

/// What the service does for every change: a new seq, the row at that version, its log entry
/// naming the row in its table.
fn write_change(tx: &mut impl Tx, table: &'static TableSpec, row: RowState) -> Result<i64, ServiceError> {
    write_change_of(tx, table, row, None)
}

/// `write_change` for a change that `origin`'s push answer carries.
fn write_change_of(
    tx: &mut impl Tx,
    table: &'static TableSpec,
    mut row: RowState,
    origin: Option<Uuid>,
) -> Result<i64, ServiceError> {
    let superseded = tx.row(table, row.id)?.map(|r| r.state.version);
    let seq = tx.next_seq()?;
    row.version = seq;
    tx.put_version(
        table,
        &ServerRow { state: row.clone(), field_versions: Default::default() },
        origin,
        superseded,
    )?;
    Ok(seq)
}

fn device(region: &str) -> Device {
    Device {
        id: Uuid::now_v7(),
        name: "Ofis PC".into(),
        region: region.into(),
        created_at: NOW.into(),
        revoked_at: None,
        last_mutation_id: None,
        last_push_at: None,
        last_pull_at: None,
        cursor: 0,
        app_version: None,
        refused: 0,
    }
}

fn applied(mutation_id: i64, hash: &str) -> AppliedMutation {
    AppliedMutation {
        hash: hash.into(),
        outcome: Outcome {
            mutation_id,
            status: OutcomeStatus::Applied,
            code: None,
            reason: None,
            row: None,
            conflicts: Vec::new(),
        },
    }
}

fn all_seqs(store: &impl Store) -> Vec<i64> {
    let page = store.read(|tx| Ok(tx.changes(None, 0, usize::MAX, usize::MAX, None)?)).unwrap();
    page.changes.iter().map(|c| c.seq).collect()
}

/// A mutation is recorded with the row and the change it made, or not at all: a write that fails
/// (or panics) half way leaves no trace, so the device's retry applies it afresh; one that
/// commits answers every retry, and the store refuses to record the same mutation twice.
pub fn mutations_are_recorded_exactly_once<S: Store>(store: S) {
    let (a, b) = (device("Ankara"), device("Izmir"));
    store
        .write(|tx| {
            tx.insert_device(&a, "token a")?;
            Ok(tx.insert_device(&b, "token b")?)
        })
        .unwrap();
    let row = template("Ankara", "Sabah");
    // Mutation 1 of device `a`: the row, its change and the record that it was applied.
    fn apply(tx: &mut impl Tx, row: &RowState, device: Uuid) -> Result<i64, ServiceError> {
        let seq = write_change(tx, &SHIFT_TEMPLATES, row.clone())?;
        tx.record_mutation(device, 1, &applied(1, "first"), NOW)?;
        Ok(seq)
    }

    let failed = store.write(|tx| {
        apply(tx, &row, a.id)?;
        Err::<(), _>(ServiceError::conflict("abandoned", "the batch failed after this mutation"))
    });
    assert_eq!(failed.unwrap_err().code, "abandoned");
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        store.write(|tx| -> Result<(), ServiceError> {
            apply(tx, &row, a.id)?;
            panic!("the service panicked inside the transaction");
        })
    }));
    assert!(panicked.is_err());
    store
        .read(|tx| {
            assert_eq!(tx.applied_mutation(a.id, 1)?, None);
            assert_eq!(tx.row(&SHIFT_TEMPLATES, row.id)?, None);
            assert_eq!(tx.head_seq()?, 0);
            assert_eq!(tx.count_changes(None, 0)?, 0);
            Ok(())
        })
        .unwrap();

    let seq = store.write(|tx| apply(tx, &row, a.id)).unwrap();
    store
        .read(|tx| {
            assert_eq!(tx.applied_mutation(a.id, 1)?, Some(applied(1, "first")));
            assert_eq!(tx.row(&SHIFT_TEMPLATES, row.id)?.unwrap().state.version, seq);
            // Mutation ids are per device: another device's 1 is another mutation.
            assert_eq!(tx.applied_mutation(b.id, 1)?, None);
            Ok(())
        })
        .unwrap();
    let twice = store.write(|tx| Ok(tx.record_mutation(a.id, 1, &applied(1, "second"), NOW)?));
    assert_eq!(twice.unwrap_err().kind, ErrorKind::Internal);
    store.write(|tx| Ok(tx.record_mutation(b.id, 1, &applied(1, "other"), NOW)?)).unwrap();
    let kept = store.read(|tx| Ok(tx.applied_mutation(a.id, 1)?)).unwrap();
    assert_eq!(kept, Some(applied(1, "first")));
    assert_eq!(all_seqs(&store), [seq]);
}

/// After a restore a device may send ids its records hold with other content (its own store
/// went back too): the records go with the last ids, so such a push is applied, not stopped on
/// a record at every sync.
pub fn a_restore_forgets_the_records_with_the_last_ids<S: Store>(store: S) {
    let a = Device { last_mutation_id: Some(7), ..device("Ankara") };
    store
        .write(|tx| {
            tx.insert_device(&a, "token a")?;
            for id in [6, 7] {
                tx.record_mutation(a.id, id, &applied(id, "before"), NOW)?;
            }
            tx.record_answers(a.id, 6, &[0; 18])?;
            tx.record_renumbered(a.id, 3, &[1; 8], 7)?;
            tx.record_renumbered(a.id, 9, &[1; 8], 6)?;
            tx.record_push(a.id, 7, 0, NOW)?;
            Ok(())
        })
        .unwrap();
    // A renumbered change is found by its first id and the start of its hash, and only so.
    store
        .read(|tx| {
            assert_eq!(tx.renumbered(a.id, 3, &[1; 8])?, Some(7));
            assert_eq!(tx.renumbered(a.id, 3, &[2; 8])?, None);
            assert_eq!(tx.renumbered(a.id, 4, &[1; 8])?, None);
            // Above the device's last applied id, a change renumbered down was first sent (9).
            assert_eq!(tx.last_renumbered(a.id)?, Some(9));
            Ok(())
        })
        .unwrap();
    store.write(|tx| Ok(tx.forget_last_mutations()?)).unwrap();
    store
        .read(|tx| {
            assert_eq!(tx.device(a.id)?.unwrap().last_mutation_id, None);
            assert_eq!(tx.applied_mutation(a.id, 6)?, None);
            assert_eq!(tx.answers_holding(a.id, 6)?, None);
            assert_eq!(tx.renumbered(a.id, 3, &[1; 8])?, None);
            assert_eq!(tx.last_renumbered(a.id)?, None);
            Ok(())
        })
        .unwrap();
    store.write(|tx| Ok(tx.record_mutation(a.id, 6, &applied(6, "after"), NOW)?)).unwrap();
    assert_eq!(store.read(|tx| Ok(tx.applied_mutation(a.id, 6)?)).unwrap(), Some(applied(6, "after")));
}

/// A device enrolled in `region` through the service.
fn enrolled<S: Store>(server: &Server<S>, region: &str) -> Device {
    let code = server.create_enroll_code(region).unwrap().code;
    let enrolled = server.enroll(EnrollRequest { code, name: format!("{region} PC") }).unwrap();
    server.authenticate(&enrolled.token).unwrap()
}

/// Mutation `mutation_id` creating `row` as it stands.
fn upsert(mutation_id: i64, row: &RowState) -> Mutation {
    Mutation {
        mutation_id,
        table: row.table.clone(),
        row_id: row.id,
        region: row.region.clone(),
        op: Op::Upsert,
        fields: row.fields.clone(),
        base_version: 0,
        imported: false,
        renumbered_from: None,
    }
}

/// A new vehicle of `region` with `plate`.
fn vehicle(region: &str, plate: &str) -> RowState {
    RowState {
        table: VEHICLES.name.into(),
        fields: fields(json!({"plate": plate, "km": 1000, "oil_interval_km": 14_000})),
        ..template(region, "-")
    }
}

/// The same through the service: a batch sent twice (a lost answer, a retry) changes the store
/// once and gets the same answer both times.
pub fn a_retried_push_applies_once<S: Store>(store: S) {
    let server = Server::new(store);
    let device = enrolled(&server, "Ankara");
    let row = template("Ankara", "Sabah");
    let push = PushRequest { mutations: vec![upsert(1, &row)] };
    let first = server.push(&device, push.clone()).unwrap();
    let again = server.push(&device, push).unwrap();
    assert_eq!(first.outcomes[0].status, OutcomeStatus::Applied);
    assert_eq!(first.outcomes, again.outcomes);
    assert_eq!(all_seqs(server.store()).len(), 1);
}

/// A PC whose data went back to an older copy sends again a change applied long ago, whose
/// record went when the PC's next push came: it is answered with the row as it stands, and not
/// applied again over the PC's own later change. The same id with other content is a reused id.
pub fn a_change_sent_again_after_its_record_went_is_not_applied_twice<S: Store>(store: S) {
    let server = Server::new(store);
    let device = enrolled(&server, "Ankara");
    let row = template("Ankara", "Sabah");
    let first = upsert(1, &row);
    let inserted = server.push(&device, PushRequest { mutations: vec![first.clone()] }).unwrap();
    let renamed = Mutation {
        mutation_id: 2,
        fields: fields(json!({"name": "Akşam"})),
        base_version: inserted.outcomes[0].row.as_ref().unwrap().version,
        ..first.clone()
    };
    let now = server.push(&device, PushRequest { mutations: vec![renamed] }).unwrap().outcomes[0].row.clone();
    let head = || server.store().read(|tx| Ok(tx.head_seq()?)).unwrap();
    let before = head();
    let again = server.push(&device, PushRequest { mutations: vec![first.clone()] }).unwrap();
    assert_eq!(again.outcomes[0].status, OutcomeStatus::Applied);
    assert_eq!(again.outcomes[0].row, now);
    assert_eq!(now.unwrap().fields["name"], "Akşam");
    assert_eq!(head(), before, "the change was applied again");

    let reused = Mutation { fields: fields(json!({"name": "Gece"})), ..first };
    let refused = server.push(&device, PushRequest { mutations: vec![reused] }).unwrap_err();
    assert_eq!(refused.code, "mutation_replayed");
    assert_eq!(head(), before);
}

/// Seqs reach readers in the order they were given out, with writers racing: a reader that
/// pulls from its cursor, as a device does, ends with every committed change and none twice.
/// A lower seq committing after a higher one was read would be skipped by that reader for good.
pub fn seqs_become_visible_in_order_under_concurrent_writers<S: Store>(store: S) {
    const WRITERS: usize = 4;
    const WRITES: usize = 20;
    let finished = AtomicUsize::new(0);
    let committed = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (store, finished) = (&store, &finished);
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..WRITES {
                        let written = store.write(|tx| {
                            let seq =
                                write_change(tx, &SHIFT_TEMPLATES, template("Ankara", &format!("{w}-{i}")))?;
                            // Hold the seq uncommitted for a while, so other writers and the
                            // reader run while it is in flight.
                            std::thread::sleep(Duration::from_micros(300 * (i as u64 % 4)));
                            if i % 5 == 4 {
                                return Err(ServiceError::conflict("abandoned", "rolled back on purpose"));
                            }
                            Ok(seq)
                        });
                        mine.extend(written.ok());
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                    mine
                })
            })
            .collect();
        let reader = scope.spawn(|| {
            let (mut cursor, mut seen) = (0, Vec::new());
            loop {
                let done = finished.load(Ordering::SeqCst) == WRITERS;
                loop {
                    let page = store.read(|tx| Ok(tx.changes(None, cursor, 7, usize::MAX, None)?)).unwrap();
                    for change in &page.changes {
                        assert!(change.seq > cursor, "seq {} came after {cursor}", change.seq);
                        cursor = change.seq;
                        seen.push(change.seq);
                    }
                    assert_eq!(page.next_since, cursor);
                    if !page.has_more {
                        break;
                    }
                }
                if done {
                    return seen;
                }
                std::thread::yield_now();
            }
        });
        let mut committed: Vec<i64> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        committed.sort_unstable();
        assert_eq!(reader.join().unwrap(), committed, "the reader pulling from its cursor missed a change");
        committed
    });
    assert_eq!(committed.len(), WRITERS * (WRITES - WRITES / 5));
    assert!(committed.windows(2).all(|w| w[0] < w[1]), "a seq was given out twice");
    assert_eq!(all_seqs(&store), committed);
    assert_eq!(store.read(|tx| Ok(tx.head_seq()?)).unwrap(), *committed.last().unwrap());
}

fn scanned(tx: &mut impl Tx, scope: Option<&str>) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = Vec::new();
    tx.scan_rows(&SHIFT_TEMPLATES, scope, &mut |row| {
        ids.push(row.id);
        Ok(())
    })?;
    Ok(ids)
}

/// A region's device sees its region's rows and changes only; an administrator's (no scope)
/// sees every region's.
pub fn scope_limits_rows_and_changes_to_a_region<S: Store>(store: S) {
    let ankara = template("Ankara", "Sabah");
    let izmir = template("Izmir", "Akşam");
    let seqs = store
        .write(|tx| {
            Ok([
                write_change(tx, &SHIFT_TEMPLATES, ankara.clone())?,
                write_change(tx, &SHIFT_TEMPLATES, izmir.clone())?,
            ])
        })
        .unwrap();
    store
        .read(|tx| {
            assert_eq!(scanned(tx, Some("Ankara"))?, [ankara.id]);
            assert_eq!(scanned(tx, Some("Izmir"))?, [izmir.id]);
            assert!(scanned(tx, Some("Bursa"))?.is_empty());
            let mut every = scanned(tx, None)?;
            every.sort();
            let mut both = vec![ankara.id, izmir.id];
            both.sort();
            assert_eq!(every, both);

            let page = tx.changes(Some("Izmir"), 0, 10, usize::MAX, None)?;
            assert_eq!(
                page.changes.iter().map(|c| (c.seq, c.row.id)).collect::<Vec<_>>(),
                [(seqs[1], izmir.id)]
            );
            assert!(!page.has_more);
            assert_eq!(tx.changes(Some("Bursa"), 0, 10, usize::MAX, None)?.changes.len(), 0);
            assert_eq!(tx.changes(None, 0, 10, usize::MAX, None)?.changes.len(), 2);
            assert_eq!(tx.count_changes(Some("Ankara"), 0)?, 1);
            assert_eq!(tx.count_changes(None, 0)?, 2);
            assert_eq!(tx.count_changes(None, seqs[0])?, 1);
            Ok(())
        })
        .unwrap();
}

/// A deleted row stays, as a tombstone: read, scanned, pulled and counted as deleted, so no
/// device brings it back and a new PC learns of the deletion.
pub fn tombstones_are_kept_and_delivered<S: Store>(store: S) {
    let live = template("Ankara", "Sabah");
    let mut gone = template("Ankara", "Gece");
    gone.deleted_at = Some(NOW.into());
    let seq = store
        .write(|tx| {
            write_change(tx, &SHIFT_TEMPLATES, live.clone())?;
            write_change(tx, &SHIFT_TEMPLATES, gone.clone())
        })
        .unwrap();
    store
        .read(|tx| {
            let row = tx.row(&SHIFT_TEMPLATES, gone.id)?.unwrap();
            assert_eq!(row.state.deleted_at.as_deref(), Some(NOW));
            assert_eq!(row.state.fields, gone.fields);
            let mut scanned = Vec::new();
            tx.scan_rows(&SHIFT_TEMPLATES, Some("Ankara"), &mut |row| {
                scanned.push((row.id, row.deleted_at.is_some()));
                Ok(())
            })?;
            scanned.sort();
            let mut expected = vec![(live.id, false), (gone.id, true)];
            expected.sort();
            assert_eq!(scanned, expected);
            let page = tx.changes(None, seq - 1, 10, usize::MAX, None)?;
            assert_eq!(page.changes[0].row.deleted_at.as_deref(), Some(NOW));
            let count = tx.table_counts()?.into_iter().find(|c| c.table == SHIFT_TEMPLATES.name).unwrap();
            assert_eq!((count.region.as_str(), count.rows, count.deleted), ("Ankara", 1, 1));
            Ok(())
        })
        .unwrap();
}

/// A change logged `InTable` is pulled as its table holds the row, read in with the other rows
/// of its page; one logged `Whole` (a row's departure from a region) as it was logged, although
/// the table holds the row otherwise. Pages interleave both kinds in seq order.
pub fn a_change_is_pulled_from_its_table_or_as_logged_whole<S: Store>(store: S) {
    let rows: Vec<RowState> = (0..3).map(|i| template("Ankara", &format!("Vardiya {i}"))).collect();
    let moved = template("Izmir", "Gezici");
    let mut departure = RowState { region: "Ankara".into(), deleted_at: Some(NOW.into()), ..moved.clone() };
    let seqs = store
        .write(|tx| {
            let mut seqs = vec![write_change(tx, &SHIFT_TEMPLATES, rows[0].clone())?];
            departure.version = tx.next_seq()?;
            tx.log_departure(departure.version, &departure, None)?;
            seqs.push(departure.version);
            seqs.push(write_change(tx, &SHIFT_TEMPLATES, moved.clone())?);
            for row in &rows[1..] {
                seqs.push(write_change(tx, &SHIFT_TEMPLATES, row.clone())?);
            }
            Ok(seqs)
        })
        .unwrap();
    let pulled = store.read(|tx| Ok(tx.changes(None, 0, 10, usize::MAX, None)?)).unwrap();
    assert_eq!(pulled.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs);
    let with_version = |row: &RowState, seq| RowState { version: seq, ..row.clone() };
    assert_eq!(pulled.changes[0].row, with_version(&rows[0], seqs[0]));
    assert_eq!(pulled.changes[1].row, departure);
    assert_eq!(pulled.changes[2].row, with_version(&moved, seqs[2]));
    assert_eq!(pulled.changes[4].row, with_version(&rows[2], seqs[4]));
    let ankara = store.read(|tx| Ok(tx.changes(Some("Ankara"), 0, 10, usize::MAX, None)?)).unwrap();
    assert_eq!(
        ankara.changes.iter().map(|c| (c.seq, c.row.deleted_at.is_some())).collect::<Vec<_>>(),
        [(seqs[0], false), (seqs[1], true), (seqs[3], false), (seqs[4], false)]
    );
}

/// A pull page holds at most `limit` changes and about `max_bytes` of row JSON, but never
/// nothing while changes wait: the first one comes however large. `has_more` and `next_since`
/// lead a device through every change exactly once.
pub fn change_pages_are_bounded_and_chained<S: Store>(store: S) {
    let rows: Vec<RowState> = (0..5).map(|i| template("Ankara", &"ş".repeat(10 + i * 40))).collect();
    let seqs = store
        .write(|tx| {
            rows.iter().map(|r| write_change(tx, &SHIFT_TEMPLATES, r.clone())).collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    let page = |since, limit, max_bytes| {
        store.read(|tx| Ok(tx.changes(None, since, limit, max_bytes, None)?)).unwrap()
    };

    let first = page(0, 2, usize::MAX);
    assert_eq!(first.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs[..2]);
    assert_eq!((first.next_since, first.has_more), (seqs[1], true));
    let rest = page(first.next_since, 10, usize::MAX);
    assert_eq!(rest.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs[2..]);
    assert_eq!(rest.changes[2].row, RowState { version: seqs[4], ..rows[4].clone() });
    assert_eq!((rest.next_since, rest.has_more), (seqs[4], false));
    let at_head = page(seqs[4], 10, usize::MAX);
    assert!(at_head.changes.is_empty());
    assert_eq!((at_head.next_since, at_head.has_more), (seqs[4], false));

    // One byte allowed: each page still carries one change, and the chain reaches the end.
    let (mut since, mut delivered) = (0, Vec::new());
    loop {
        let p = page(since, 10, 1);
        assert_eq!(p.changes.len(), 1);
        delivered.push(p.changes[0].seq);
        since = p.next_since;
        if !p.has_more {
            break;
        }
    }
    assert_eq!(delivered, seqs);

    // Room for the two smallest rows but not a third: the byte bound ends the page early.
    let size =
        |i: usize| serde_json::to_string(&RowState { version: seqs[i], ..rows[i].clone() }).unwrap().len();
    let bounded = page(0, 10, size(0) + size(1));
    assert_eq!(bounded.changes.len(), 2);
    assert!(bounded.has_more);
}

/// A row reads back exactly as written, field for field, in the canonical form: the merge and
/// the devices compare these values, and a difference would look like an edit.
pub fn rows_read_back_as_written<S: Store>(store: S) {
    let mut vehicle = template("Ankara", "-");
    vehicle.table = VEHICLES.name.into();
    vehicle.fields = fields(json!({
        "plate": "06 ABC 123", "brand": "Ford", "model": null, "year": 2020, "km": 154_000,
        "inspection_date": "2026-05-01", "insurance_date": null, "maintenance_date": null,
        "oil_change_date": null, "oil_change_km": null, "oil_interval_km": 10_000, "notes": "ön cam çatlak\n\"dikkat\"",
    }));
    let shift = template("Ankara", "Öğle");
    // A Real written as a whole number is the same number: it reads back as 100.0, as the
    // desktop's store gives it too (`sql_value::canonical`).
    let visit = RowState {
        table: VEHICLE_SERVICE_VISITS.name.into(),
        fields: fields(json!({"vehicle_id": vehicle.id.to_string(), "fault_id": null,
            "start_date": "2026-02-01", "end_date": null, "reason": null, "cost": 100, "notes": null})),
        ..template("Ankara", "-")
    };
    let person = |active: bool| RowState {
        table: EMPLOYEES.name.into(),
        fields: fields(json!({"full_name": "AYŞE", "identity_no": null, "department": null, "title": null,
            "hire_date": null, "birth_date": null, "leaving_date": null, "active": active, "contract_kind": "full_time", "weekly_minutes": 2700,
            "break_policy": "statutory"})),
        ..template("Ankara", "-")
    };
    let (here, gone) = (person(true), person(false));
    store
        .write(|tx| {
            write_change(tx, &VEHICLES, vehicle.clone())?;
            write_change(tx, &VEHICLE_SERVICE_VISITS, visit.clone())?;
            write_change(tx, &EMPLOYEES, here.clone())?;
            write_change(tx, &EMPLOYEES, gone.clone())?;
            write_change(tx, &SHIFT_TEMPLATES, shift.clone())
        })
        .unwrap();
    store
        .read(|tx| {
            assert_eq!(tx.row(&VEHICLES, vehicle.id)?.unwrap().state.fields, vehicle.fields);
            let cost = tx.row(&VEHICLE_SERVICE_VISITS, visit.id)?.unwrap().state.fields["cost"].clone();
            assert_eq!(cost, json!(100.0));
            assert!(cost.is_f64());
            assert_eq!(tx.row(&EMPLOYEES, here.id)?.unwrap().state.fields, here.fields);
            assert_eq!(tx.row(&EMPLOYEES, gone.id)?.unwrap().state.fields["active"], json!(false));
            assert_eq!(tx.row(&SHIFT_TEMPLATES, shift.id)?.unwrap().state.fields, shift.fields);
            assert_eq!(tx.row(&VEHICLES, Uuid::now_v7())?, None);
            Ok(())
        })
        .unwrap();
}

/// Two devices push the same plate at the same moment. The service reads that the plate is free
/// and then writes; write transactions being serializable, exactly one of the two is applied and
/// the other refused as a duplicate, however the two interleave.
pub fn one_plate_pushed_twice_at_once_is_applied_once<S: Store>(store: S) {
    const ROUNDS: i64 = 10;
    let server = Server::new(store);
    let devices = [enrolled(&server, "Ankara"), enrolled(&server, "Izmir")];
    for round in 1..=ROUNDS {
        let plate = format!("06 ABC {}", 100 + round);
        let start = Barrier::new(devices.len());
        let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
            let pushes: Vec<_> = devices
                .iter()
                .map(|device| {
                    let (server, start, plate) = (&server, &start, &plate);
                    scope.spawn(move || {
                        let push =
                            PushRequest { mutations: vec![upsert(round, &vehicle(&device.region, plate))] };
                        start.wait();
                        server.push(device, push).unwrap().outcomes.remove(0)
                    })
                })
                .collect();
            pushes.into_iter().map(|p| p.join().unwrap()).collect()
        });
        let applied = outcomes.iter().filter(|o| o.status == OutcomeStatus::Applied).count();
        assert_eq!(applied, 1, "round {round}: {outcomes:?}");
        let refused = outcomes.iter().find(|o| o.status == OutcomeStatus::Rejected).unwrap();
        assert_eq!(refused.code, Some(RefusalCode::Rule), "{refused:?}");
    }
    let mut plates = Vec::new();
    server
        .store()
        .read(|tx| {
            Ok(tx.scan_rows(&VEHICLES, None, &mut |row| {
                plates.push(row.fields["plate"].clone());
                Ok(())
            })?)
        })
        .unwrap();
    assert_eq!(plates.len(), ROUNDS as usize);
}

/// A mutation a rule refused got that refusal as its answer, recorded like any other: sent
/// again after the row that blocked it is gone, it gets the same refusal, not a second go.
pub fn a_refused_mutation_retried_gets_its_refusal_back<S: Store>(store: S) {
    let server = Server::new(store);
    let (ankara, izmir) = (enrolled(&server, "Ankara"), enrolled(&server, "Izmir"));
    let van = vehicle("Ankara", "06 ABC 123");
    let first = server.push(&ankara, PushRequest { mutations: vec![upsert(1, &van)] }).unwrap();
    let version = first.outcomes[0].row.as_ref().unwrap().version;
    let twin = vehicle("Izmir", "06 ABC 123");
    let push = PushRequest { mutations: vec![upsert(1, &twin)] };
    let refused = server.push(&izmir, push.clone()).unwrap().outcomes;
    assert_eq!(refused[0].code, Some(RefusalCode::Rule), "{refused:?}");
    let delete = Mutation { op: Op::Delete, fields: Map::new(), base_version: version, ..upsert(2, &van) };
    let gone = server.push(&ankara, PushRequest { mutations: vec![delete] }).unwrap();
    assert_eq!(gone.outcomes[0].status, OutcomeStatus::Applied);
    assert_eq!(server.push(&izmir, push).unwrap().outcomes, refused);
    assert_eq!(server.store().read(|tx| Ok(tx.row(&VEHICLES, twin.id)?)).unwrap(), None);
}

/// `Tx::live_rows`, which the rules read the rows around a change through: the rows whose field
/// holds a value, live ones only, in every region, and within the same transaction the rows it
/// wrote (a batch's later mutations are judged against its earlier ones); `between` takes both
/// ends, `except` leaves one row out, `limit` stops early and each row comes with the fields
/// asked for. `Tx::live_row`, which reference checks and rules ask, answers the same way for one
/// row.
pub fn live_rows_answer_what_the_rules_ask<S: Store>(store: S) {
    let (ayse, veli) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let shift = |employee: &str, region: &str, date: &str| RowState {
        table: TIMESHEETS.name.into(),
        fields: fields(json!({"employee_id": employee, "work_date": date, "start_time": "08:00",
            "end_time": "17:00", "break_minutes": 60, "special_day": false, "note": null})),
        ..template(region, "-")
    };
    let days = [
        ("Ankara", "2026-03-01"),
        ("Izmir", "2026-03-02"),
        ("Ankara", "2026-03-03"),
        ("Ankara", "2026-03-04"),
    ];
    let hers: Vec<RowState> = days.iter().map(|(region, date)| shift(&ayse, region, date)).collect();
    let mut deleted = shift(&ayse, "Ankara", "2026-03-02");
    deleted.deleted_at = Some(NOW.into());
    let his = shift(&veli, "Ankara", "2026-03-02");
    let employee = Value::from(ayse.clone());
    let (from, to) = (json!("2026-03-02"), json!("2026-03-03"));
    let ask = |tx: &mut S::Tx<'_>, between, except, limit| -> Result<Vec<Uuid>, StoreError> {
        let query = RowQuery {
            table: &TIMESHEETS,
            field: "employee_id",
            value: &employee,
            between,
            except,
            limit,
            read: &[],
        };
        let mut ids: Vec<Uuid> = tx.live_rows(&query)?.into_iter().map(|r| r.id).collect();
        ids.sort();
        Ok(ids)
    };
    let sorted = |rows: &[&RowState]| {
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        ids.sort();
        ids
    };
    let check = |tx: &mut S::Tx<'_>| -> Result<(), ServiceError> {
        assert_eq!(ask(tx, None, None, None)?, sorted(&hers.iter().collect::<Vec<_>>()));
        let span = Some(("work_date", &from, &to));
        assert_eq!(ask(tx, span, None, None)?, sorted(&[&hers[1], &hers[2]]));
        assert_eq!(ask(tx, span, Some(hers[2].id), None)?, sorted(&[&hers[1]]));
        assert_eq!(ask(tx, None, None, Some(2))?.len(), 2);
        assert_eq!(ask(tx, None, None, Some(0))?.len(), 0);
        // The fields asked for, as stored, and only those.
        let query = RowQuery {
            table: &TIMESHEETS,
            field: "employee_id",
            value: &employee,
            between: Some(("work_date", &from, &from)),
            except: None,
            limit: None,
            read: &["start_time", "break_minutes"],
        };
        let found = tx.live_rows(&query)?;
        let expected = LiveRow {
            id: hers[1].id,
            region: "Izmir".into(),
            fields: fields(json!({"start_time": "08:00", "break_minutes": 60})),
        };
        assert_eq!(found.as_slice(), std::slice::from_ref(&expected));
        // A reference check's or a rule's question: a live row's region and the fields named,
        // none for a deleted or absent one.
        assert_eq!(tx.live_row(&TIMESHEETS, hers[1].id, &["start_time", "break_minutes"])?, Some(expected));
        let region_only = tx.live_row(&TIMESHEETS, hers[1].id, &[])?;
        assert_eq!(region_only.map(|r| (r.region, r.fields.len())), Some(("Izmir".to_string(), 0)));
        assert_eq!(tx.live_row(&TIMESHEETS, deleted.id, &[])?, None);
        assert_eq!(tx.live_row(&TIMESHEETS, Uuid::now_v7(), &[])?, None);
        assert!(tx.live_row(&TIMESHEETS, hers[1].id, &["no_such_field"]).is_err());
        Ok(())
    };
    store
        .write(|tx| {
            for row in hers.iter().chain([&deleted, &his]) {
                write_change(tx, &TIMESHEETS, row.clone())?;
            }
            check(tx)
        })
        .unwrap();
    store.read(|tx| check(tx)).unwrap();
}

/// Users come back in the order they were added, without their password hashes; a new hash or a
/// disabling reaches the user of exactly that name and no other, a user disabled twice keeps the
/// first time, a name is stored once, and a write that fails leaves its changes to users undone.
/// Through the service, the last active administrator is never disabled.
pub fn users_are_listed_and_changed_by_name<S: Store>(store: S) {
    const LATER: &str = "2026-02-04T09:30:00.000Z";
    let new_user = |username: &str, region: &str| NewUser {
        username: username.into(),
        password_hash: "$argon2id$first".into(),
        region: region.into(),
        created_at: NOW.into(),
    };
    let user = |username: &str, region: &str, disabled_at: Option<&str>| User {
        username: username.into(),
        region: region.into(),
        created_at: NOW.into(),
        disabled_at: disabled_at.map(Into::into),
    };
    store
        .write(|tx| {
            tx.insert_user(&new_user("Ayşe", "Izmir"))?;
            Ok(tx.insert_user(&new_user("admin", "ALL"))?)
        })
        .unwrap();
    let twice = store.write(|tx| Ok(tx.insert_user(&new_user("Ayşe", "Ankara"))?));
    assert_eq!(twice.unwrap_err().kind, ErrorKind::Internal);
    store
        .write(|tx| {
            tx.set_password_hash("Ayşe", "$argon2id$second")?;
            tx.disable_user("Ayşe", LATER)?;
            tx.disable_user("Ayşe", "2026-02-05T10:00:00.000Z")?;
            tx.disable_user("nobody", LATER)?;
            Ok(tx.set_password_hash("nobody", "$argon2id$third")?)
        })
        .unwrap();
    let expected = vec![user("Ayşe", "Izmir", Some(LATER)), user("admin", "ALL", None)];
    assert_eq!(store.read(|tx| Ok(tx.users()?)).unwrap(), expected);
    let failed = store.write(|tx| {
        tx.disable_user("admin", LATER)?;
        Err::<(), _>(ServiceError::invalid("refused", "refused after disabling"))
    });
    assert!(failed.is_err());
    assert_eq!(store.read(|tx| Ok(tx.users()?)).unwrap(), expected);

    let server = Server::new(store);
    assert_eq!(server.disable_user("ADMIN").unwrap_err().code, "last_administrator");
    let added = server.add_user(" Mehmet ", Role::Admin, None, "uzun bir parola 123").unwrap();
    assert_eq!((added.username.as_str(), added.region.as_str()), ("Mehmet", "ALL"));
    assert_eq!(
        server.add_user("AYŞE", Role::Admin, None, "uzun bir parola 123").unwrap_err().code,
        "username_taken"
    );
    assert!(server.disable_user("admin").unwrap().disabled_at.is_some());
    assert_eq!(server.disable_user("mehmet").unwrap_err().code, "last_administrator");
    assert_eq!(server.users().unwrap().iter().filter(|u| u.disabled_at.is_none()).count(), 1);
}

/// A device that holds its pushes' answers is not sent those changes again: its pages leave them
/// out, chain past them, and end at the last change in its scope, so it does not ask again.
pub fn a_page_leaves_out_the_changes_of_the_device_it_skips<S: Store>(store: S) {
    let (a, b) = (device("Ankara"), device("Ankara"));
    let (a, b) = store
        .write(|tx| {
            tx.insert_device(&a, "token a")?;
            tx.insert_device(&b, "token b")?;
            Ok((a.id, b.id))
        })
        .unwrap();
    let seqs = store
        .write(|tx| {
            let mut seqs = Vec::new();
            for (region, origin) in [
                ("Ankara", Some(a)),
                ("Ankara", None),
                ("Ankara", Some(b)),
                ("Ankara", Some(a)),
                ("Izmir", Some(a)),
            ] {
                seqs.push(write_change_of(tx, &SHIFT_TEMPLATES, template(region, "Sabah"), origin)?);
            }
            Ok(seqs)
        })
        .unwrap();
    let page = |scope: Option<&'static str>, since: i64, limit: usize, skip: Option<Uuid>| {
        store.read(|tx| Ok(tx.changes(scope, since, limit, usize::MAX, skip)?)).unwrap()
    };
    let taken =
        |p: &rainstaff_core::protocol::ChangesPage| p.changes.iter().map(|c| c.seq).collect::<Vec<_>>();

    let whole = page(Some("Ankara"), 0, 10, Some(a));
    assert_eq!((taken(&whole), whole.next_since, whole.has_more), (vec![seqs[1], seqs[2]], seqs[3], false));
    let first = page(Some("Ankara"), 0, 1, Some(a));
    assert_eq!((taken(&first), first.next_since, first.has_more), (vec![seqs[1]], seqs[1], true));
    let second = page(Some("Ankara"), first.next_since, 1, Some(a));
    assert_eq!((taken(&second), second.next_since, second.has_more), (vec![seqs[2]], seqs[3], false));
    let admin = page(None, 0, 10, Some(a));
    assert_eq!((taken(&admin), admin.next_since), (vec![seqs[1], seqs[2]], seqs[4]));
    let caught_up = page(Some("Ankara"), seqs[2], 10, Some(a));
    assert_eq!((taken(&caught_up), caught_up.next_since), (vec![], seqs[3]));
    // Without skipping, every change of the scope comes, as before.
    assert_eq!(taken(&page(Some("Ankara"), 0, 10, None)), seqs[..4].to_vec());
}

/// A row changed many times over leaves a long run of seqs that no change holds any more; a page
/// reads past it to the next change, in a region's pull and in every region's.
pub fn a_page_reads_past_a_long_run_of_superseded_changes<S: Store>(store: S) {
    let (first, busy, last) =
        (template("Ankara", "İlk"), template("Ankara", "Sık"), template("Izmir", "Son"));
    let seqs = store
        .write(|tx| {
            let first_seq = write_change(tx, &SHIFT_TEMPLATES, first.clone())?;
            let mut busy_seq = 0;
            for minutes in 0..3000 {
                let mut row = busy.clone();
                row.fields.insert("break_minutes".into(), json!(minutes % 60));
                busy_seq = write_change(tx, &SHIFT_TEMPLATES, row)?;
            }
            Ok([first_seq, busy_seq, write_change(tx, &SHIFT_TEMPLATES, last.clone())?])
        })
        .unwrap();
    let page = |scope: Option<&'static str>, since: i64| {
        let page = store.read(|tx| Ok(tx.changes(scope, since, 1, usize::MAX, None)?)).unwrap();
        (page.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), page.has_more)
    };
    assert_eq!(page(None, seqs[0]), (vec![seqs[1]], true));
    assert_eq!(page(None, seqs[1]), (vec![seqs[2]], false));
    assert_eq!(page(Some("Ankara"), seqs[0]), (vec![seqs[1]], false));
}
