//! The rules that need other rows, held by the server for every mutation of a push: what two
//! offices offline write together must keep the rules either would have kept alone. A broken
//! rule refuses that one mutation (`rule`, with the reason the desktop gives for the same change:
//! tests/store.rs expects these sentences) and the rest of its batch applies.

mod common;

use common::{Dev, Harness, employee, id, rejoin, shift, timesheet, version, write};
use rainstaff_core::protocol::{Mutation, Op, OutcomeStatus, RefusalCode, RejoinRow};
use rainstaff_core::schema::{EMPLOYEES, LEAVES, TIMESHEETS, VEHICLES};
use rainstaff_server::store::Tx;
use serde_json::{Value, json};
use uuid::Uuid;

const OVERLAP: &str = "start_time: overlaps another shift (05.01.2026 08:00–17:00)";
const DUPLICATE_PLATE: &str = "plate: is already registered";
const DUPLICATE_TC: &str = "identity_no: is already registered";
const HAS_SHIFTS: &str = "full_name: has shifts and cannot be deleted; deactivate instead";
const INACTIVE: &str = "employee_id: is inactive; no shifts can be added";

fn vehicle(plate: &str, km: i64) -> Value {
    json!({"plate": plate, "km": km, "oil_interval_km": 14000})
}

/// Pushes `bad` between two good mutations and checks that only `bad` was refused, by the rule
/// worded `reason`, while both others applied.
async fn refused_alone(dev: &Dev, bad: Mutation, reason: &str) {
    let start = bad.mutation_id;
    let mut first = dev.upsert("employees", id(), employee("Önce"), 0);
    let mut bad = bad;
    let mut last = dev.upsert("employees", id(), employee("Sonra"), 0);
    (first.mutation_id, bad.mutation_id, last.mutation_id) = (start, start + 1, start + 2);
    dev.next_mutation.set(start + 3);
    let response = dev.push(&[first, bad, last]).await;
    let [a, b, c] = &response.outcomes[..] else { panic!("three answers expected: {response:?}") };
    assert_eq!((a.status, c.status), (OutcomeStatus::Applied, OutcomeStatus::Applied), "{response:?}");
    assert_eq!((b.status, b.code), (OutcomeStatus::Rejected, Some(RefusalCode::Rule)), "{b:?}");
    assert_eq!(b.reason.as_deref(), Some(reason), "{b:?}");
}

#[tokio::test]
async fn two_offline_pcs_cannot_both_give_one_person_the_same_hours() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Ankara", "Ankara 1").await, h.enroll("Ankara", "Ankara 2").await);
    let ayse = id();
    write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    // Each PC, offline, enters a shift of Ayşe's on the same Monday; A's arrives first.
    write(&a, a.upsert("timesheets", id(), timesheet(ayse), 0)).await;
    let late = b.upsert("timesheets", id(), shift(ayse, "2026-01-05", "16:00", "20:00"), 0);
    refused_alone(&b, late, OVERLAP).await;
    // Her hours on other days, and another person's on the same day, are theirs.
    write(&b, b.upsert("timesheets", id(), shift(ayse, "2026-01-06", "16:00", "20:00"), 0)).await;
    let veli = id();
    write(&b, b.upsert("employees", veli, employee("Veli"), 0)).await;
    write(&b, b.upsert("timesheets", id(), shift(veli, "2026-01-05", "16:00", "20:00"), 0)).await;
    assert_eq!(h.rows(&TIMESHEETS).len(), 3);
}

#[tokio::test]
async fn each_mutation_is_judged_against_what_the_ones_before_it_left() {
    let h = Harness::start().await;
    let a = h.enroll("Ankara", "Ankara PC").await;
    let ayse = id();
    write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    let day = id();
    let v = write(&a, a.upsert("timesheets", day, timesheet(ayse), 0)).await;
    // The day shift moves to the afternoon and a morning shift takes its place, in one push:
    // the morning one meets the moved shift, not the one the push started from.
    let moved = a.upsert("timesheets", day, json!({"start_time": "13:00"}), v);
    let morning = a.upsert("timesheets", id(), shift(ayse, "2026-01-05", "08:00", "12:00"), 0);
    let response = a.push(&[moved, morning]).await;
    assert!(response.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied), "{response:?}");
    // A person's shifts go before the person, in one push.
    let shifts: Vec<(Uuid, i64)> =
        response.outcomes.iter().map(|o| (o.row.as_ref().unwrap().id, version(o))).collect();
    let person = h.rows(&EMPLOYEES)[0].version;
    refused_alone(&a, a.delete("employees", ayse, person), HAS_SHIFTS).await;
    let mut batch: Vec<Mutation> = shifts.iter().map(|(id, v)| a.delete("timesheets", *id, *v)).collect();
    batch.push(a.delete("employees", ayse, person));
    let response = a.push(&batch).await;
    assert!(response.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied), "{response:?}");
    assert_eq!(h.rows(&EMPLOYEES).iter().filter(|r| r.deleted_at.is_some()).count(), 1);
}

#[tokio::test]
async fn a_plate_and_a_tc_number_are_unique_across_regions() {
    let h = Harness::start().await;
    let (ankara, izmir) = (h.enroll("Ankara", "Ankara PC").await, h.enroll("Izmir", "İzmir PC").await);
    write(&ankara, ankara.upsert("vehicles", id(), vehicle("06 ABC 123", 1000), 0)).await;
    refused_alone(&izmir, izmir.upsert("vehicles", id(), vehicle("06 ABC 123", 5), 0), DUPLICATE_PLATE).await;
    let mut ayse = employee("Ayşe");
    ayse["identity_no"] = json!("10000000146");
    write(&ankara, ankara.upsert("employees", id(), ayse.clone(), 0)).await;
    refused_alone(&izmir, izmir.upsert("employees", id(), ayse, 0), DUPLICATE_TC).await;
    // Setting the number on someone already there is the same duplicate.
    let zeynep = id();
    let v = write(&izmir, izmir.upsert("employees", zeynep, employee("Zeynep"), 0)).await;
    let number = izmir.upsert("employees", zeynep, json!({"identity_no": "10000000146"}), v);
    refused_alone(&izmir, number, DUPLICATE_TC).await;
    // Nothing of Ankara's is told: the reason names the field, not whose it is.
    assert_eq!(h.rows(&VEHICLES).len(), 1);
}

#[tokio::test]
async fn a_km_nobody_saw_go_down_is_refused_and_a_confirmed_correction_is_not() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Ankara", "Ankara 1").await, h.enroll("Ankara", "Ankara 2").await);
    let van = id();
    let v1 = write(&a, a.upsert("vehicles", van, vehicle("06 ABC 123", 1000), 0)).await;
    // Both PCs saw 1000; B records 1500, then A, still offline, records 1200.
    let v2 = write(&b, b.upsert("vehicles", van, json!({"km": 1500}), v1)).await;
    let stale = a.upsert("vehicles", van, json!({"km": 1200}), v1);
    refused_alone(&a, stale, "km: is lower than the last recorded km; save again to confirm (1500)").await;
    // A PC that shows 1500 saves 1200 only after its person confirmed the warning.
    write(&a, a.upsert("vehicles", van, json!({"km": 1200}), v2)).await;
    assert_eq!(h.rows(&VEHICLES)[0].fields["km"], 1200);
}

#[tokio::test]
async fn no_shift_is_added_for_someone_another_pc_deactivated() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Ankara", "Ankara 1").await, h.enroll("Ankara", "Ankara 2").await);
    let ayse = id();
    let v = write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    write(&b, b.upsert("employees", ayse, json!({"active": false}), v)).await;
    refused_alone(&a, a.upsert("timesheets", id(), timesheet(ayse), 0), INACTIVE).await;
}

/// A mutation as a PC's legacy import sends it.
fn imported(mut m: Mutation) -> Mutation {
    m.imported = true;
    m
}

#[tokio::test]
async fn a_pcs_legacy_import_creates_what_the_servers_own_import_would_but_its_edits_are_judged() {
    let h = Harness::start().await;
    let (ankara, izmir) = (h.enroll("Ankara", "Ankara PC").await, h.enroll("Izmir", "İzmir PC").await);
    write(&ankara, ankara.upsert("vehicles", id(), vehicle("06 ABC 123", 1000), 0)).await;
    // İzmir's old file has the same van, and the past shifts of someone who has since left,
    // two of them overlapping as an old file may.
    let van = id();
    write(&izmir, imported(izmir.upsert("vehicles", van, vehicle("06 ABC 123", 900), 0))).await;
    let mut gone = employee("Ayşe");
    gone["active"] = json!(false);
    let ayse = id();
    write(&izmir, imported(izmir.upsert("employees", ayse, gone, 0))).await;
    let day = id();
    let d = write(&izmir, imported(izmir.upsert("timesheets", day, timesheet(ayse), 0))).await;
    let evening = shift(ayse, "2026-01-05", "16:00", "20:00");
    write(&izmir, imported(izmir.upsert("timesheets", id(), evening, 0))).await;
    assert_eq!(h.rows(&TIMESHEETS).len(), 2);
    // Only the insert is the import's: an edit is judged, whatever it claims.
    let moved = imported(izmir.upsert("timesheets", day, json!({"start_time": "09:00"}), d));
    refused_alone(&izmir, moved, "start_time: overlaps another shift (05.01.2026 16:00–20:00)").await;
    let car = id();
    let c = write(&izmir, izmir.upsert("vehicles", car, vehicle("06 ABC 124", 10), 0)).await;
    let renamed = imported(izmir.upsert("vehicles", car, json!({"plate": "06 ABC 123"}), c));
    refused_alone(&izmir, renamed, DUPLICATE_PLATE).await;
    assert_eq!(h.rows(&VEHICLES).iter().filter(|r| r.fields["plate"] == "06 ABC 123").count(), 2);
}

#[tokio::test]
async fn a_reference_in_another_spelling_does_not_hide_a_shift_from_the_overlap_rule() {
    let h = Harness::start().await;
    let a = h.enroll("Ankara", "Ankara PC").await;
    let ayse = id();
    write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    let mut loud = timesheet(ayse);
    loud["employee_id"] = json!(ayse.to_string().to_uppercase());
    write(&a, a.upsert("timesheets", id(), loud, 0)).await;
    assert_eq!(h.rows(&TIMESHEETS)[0].fields["employee_id"], ayse.to_string());
    let late = a.upsert("timesheets", id(), shift(ayse, "2026-01-05", "16:00", "20:00"), 0);
    refused_alone(&a, late, OVERLAP).await;
    let mut braced = shift(ayse, "2026-01-05", "12:00", "14:00");
    braced["employee_id"] = json!(format!("{{{ayse}}}"));
    refused_alone(&a, a.upsert("timesheets", id(), braced, 0), OVERLAP).await;
}

#[tokio::test]
async fn an_overlap_with_a_shift_of_another_region_does_not_tell_its_hours() {
    let h = Harness::start().await;
    let (ankara, izmir) = (h.enroll("Ankara", "Ankara PC").await, h.enroll("Izmir", "İzmir PC").await);
    let admin = h.enroll("ALL", "Merkez").await;
    let ayse = id();
    let v = write(&ankara, ankara.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    write(&ankara, ankara.upsert("timesheets", id(), timesheet(ayse), 0)).await;
    // Ayşe moves to İzmir; her Ankara shifts stay Ankara's records.
    write(&admin, admin.mutation("employees", ayse, "Izmir", Op::Upsert, employee("Ayşe"), v)).await;
    let late = izmir.upsert("timesheets", id(), shift(ayse, "2026-01-05", "16:00", "20:00"), 0);
    refused_alone(&izmir, late, "start_time: overlaps another shift").await;
}

/// Two offline PCs of one region inspect the same van in the same ISO week: the second
/// inspection to arrive is refused; closing a fault twice and a visit ending before it starts are
/// refused in the desktop's words (tests/store.rs).
#[tokio::test]
async fn the_fleet_rules_hold_for_what_two_offline_pcs_push() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Izmir", "İzmir 1").await, h.enroll("Izmir", "İzmir 2").await);
    let van = id();
    write(&a, a.upsert("vehicles", van, vehicle("35 KL 456", 1000), 0)).await;
    let inspect = |date: &str| json!({"vehicle_id": van.to_string(), "inspection_date": date, "km": 1200});
    write(&a, a.upsert("vehicle_inspections", id(), inspect("2026-03-02"), 0)).await;
    let same_week = b.upsert("vehicle_inspections", id(), inspect("2026-03-08"), 0);
    refused_alone(
        &b,
        same_week,
        "inspection_date: this vehicle already has an inspection that week (02.03.2026)",
    )
    .await;
    write(&b, b.upsert("vehicle_inspections", id(), inspect("2026-03-09"), 0)).await;

    let fault = id();
    let closed = json!({"vehicle_id": van.to_string(), "title": "Fren", "status": "Kapali", "closed_date": "2026-03-03"});
    let v = write(&a, a.upsert("vehicle_faults", fault, closed, 0)).await;
    let again = b.upsert("vehicle_faults", fault, json!({"closed_date": "2026-03-05"}), v);
    refused_alone(&b, again, "closed_date: a fault closes once; its closing date cannot change (03.03.2026)")
        .await;
    let visit = json!({"vehicle_id": van.to_string(), "start_date": "2026-03-05", "end_date": "2026-03-04"});
    refused_alone(
        &a,
        a.upsert("vehicle_service_visits", id(), visit, 0),
        "end_date: cannot be before the start",
    )
    .await;
}

/// The vehicle `van` as the server holds it: its km, and the device its km's version names.
fn vehicle_km(h: &Harness, van: Uuid) -> (Option<i64>, Uuid) {
    let row = h.read(|tx| tx.row(&VEHICLES, van)).unwrap();
    (row.state.fields["km"].as_i64(), row.field_versions["km"].device)
}

/// An inspection pushed alone (by a writer that does not raise the km itself) raises its
/// vehicle's km on the server, as a change every PC of the region pulls; a lower reading leaves
/// it, and a retried push raises nothing a second time.
#[tokio::test]
async fn an_inspections_higher_km_reaches_its_vehicle_once() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Izmir", "İzmir 1").await, h.enroll("Izmir", "İzmir 2").await);
    let van = id();
    let v = write(&a, a.upsert("vehicles", van, vehicle("35 KL 456", 1000), 0)).await;
    let (_, since) = b.pull_all(0).await;
    let inspect =
        |date: &str, km: i64| json!({"vehicle_id": van.to_string(), "inspection_date": date, "km": km});

    let inspection = a.upsert("vehicle_inspections", id(), inspect("2026-03-02", 1500), v);
    let first = a.push(std::slice::from_ref(&inspection)).await;
    assert_eq!(first.outcomes[0].status, OutcomeStatus::Applied, "{first:?}");
    assert_eq!(vehicle_km(&h, van), (Some(1500), a.id));
    let (changes, _) = b.pull_all(since).await;
    let raised: Vec<_> = changes.iter().filter(|c| c.row.id == van).collect();
    assert_eq!(raised.len(), 1, "{changes:?}");
    assert_eq!(raised[0].row.fields["km"], 1500);
    assert_eq!(raised[0].row.fields["plate"], "35 KL 456");

    // The PC sent it again, not knowing the first answer arrived: the recorded answer, no change.
    let head = h.read(|tx| tx.head_seq());
    let again = a.push(std::slice::from_ref(&inspection)).await;
    assert_eq!(again.outcomes, first.outcomes);
    assert_eq!(h.read(|tx| tx.head_seq()), head);

    // A desktop writes the raise itself; arriving after the server's, it changes nothing.
    let own = a.upsert("vehicles", van, json!({"km": 1500}), v);
    let response = a.push(&[own]).await;
    assert_eq!(response.outcomes[0].status, OutcomeStatus::Applied, "{response:?}");
    assert_eq!(h.read(|tx| tx.head_seq()), head);
    // The reading is the pushing PC's: its own km edit from before it is no merge, while the
    // other PC, which never saw 1500, cannot lower it unknowingly.
    let corrected = a.upsert("vehicles", van, json!({"km": 1600}), v);
    let response = a.push(&[corrected]).await;
    let outcome = &response.outcomes[0];
    assert_eq!((outcome.status, outcome.conflicts.len()), (OutcomeStatus::Applied, 0), "{outcome:?}");
    let lower = b.upsert("vehicles", van, json!({"km": 1400}), v);
    refused_alone(&b, lower, "km: is lower than the last recorded km; save again to confirm (1600)").await;

    // A lower reading, and a new note on the first inspection, leave the vehicle's km.
    let head = h.read(|tx| tx.head_seq());
    write(&b, b.upsert("vehicle_inspections", id(), inspect("2026-03-09", 1550), 0)).await;
    let seen = version(&first.outcomes[0]);
    let noted = b.upsert("vehicle_inspections", inspection.row_id, json!({"notes": "temiz"}), seen);
    write(&b, noted).await;
    assert_eq!(vehicle_km(&h, van), (Some(1600), a.id));
    assert_eq!(h.read(|tx| tx.head_seq()), head + 2, "only the two inspections changed");
}

/// An inspection a legacy import brought keeps the km the old program had on its vehicle, as the
/// server's own import does; a rejoining PC's inspection raised its vehicle before the restore,
/// and that vehicle comes back with its own row.
#[tokio::test]
async fn an_imported_or_rejoined_inspection_leaves_its_vehicle_as_it_is() {
    let h = Harness::start().await;
    let a = h.enroll("Izmir", "İzmir 1").await;
    let van = id();
    write(&a, imported(a.upsert("vehicles", van, vehicle("35 KL 456", 900), 0))).await;
    let legacy = json!({"vehicle_id": van.to_string(), "inspection_date": "2026-01-05", "km": 1200});
    write(&a, imported(a.upsert("vehicle_inspections", id(), legacy, 0))).await;
    assert_eq!(vehicle_km(&h, van).0, Some(900));

    let head = h.read(|tx| tx.head_seq());
    let fields = json!({"vehicle_id": van.to_string(), "inspection_date": "2026-01-12", "km": 1300});
    let row = RejoinRow {
        table: "vehicle_inspections".into(),
        row_id: id(),
        region: "Izmir".into(),
        old_version: head + 10,
        deleted: false,
        fields: fields.as_object().unwrap().clone(),
    };
    rejoin(&a, vec![row]).await;
    assert_eq!(vehicle_km(&h, van).0, Some(900));
    assert_eq!(h.read(|tx| tx.head_seq()), head + 1);
}

fn leave(employee: Uuid, kind: &str, first: &str, last: &str) -> Value {
    json!({"employee_id": employee.to_string(), "kind": kind, "first_day": first, "last_day": last,
        "entered_by": "memur"})
}

/// Pushes `bad` alone and returns its refusal's code and reason; nothing of it is stored.
async fn refused(h: &Harness, dev: &Dev, bad: Mutation) -> (Option<RefusalCode>, String) {
    let before = h.rows(&LEAVES).len();
    let response = dev.push(&[bad]).await;
    let [outcome] = &response.outcomes[..] else { panic!("one answer expected: {response:?}") };
    assert_eq!(outcome.status, OutcomeStatus::Rejected, "{outcome:?}");
    assert_eq!(h.rows(&LEAVES).len(), before);
    (outcome.code, outcome.reason.clone().unwrap_or_default())
}

/// A leave is a region's row like any other: it reaches the region's other PCs as it was written
/// and no other region's; two leaves of one person never overlap, whichever PC wrote them; one
/// over worked days is kept (its PC asked its clerk); nothing of one reaches into a locked month;
/// and what the law limits is refused with the field named.
#[tokio::test]
async fn a_leave_reaches_its_regions_pcs_and_keeps_the_rules_on_the_server() {
    let h = Harness::start().await;
    let (a, b) = (h.enroll("Ankara", "Ankara 1").await, h.enroll("Ankara", "Ankara 2").await);
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let ayse = id();
    write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    write(&a, a.upsert("timesheets", id(), timesheet(ayse), 0)).await;

    // Over Monday 5 January's shift, pushed as its PC confirmed it.
    let annual = id();
    let mut fields = leave(ayse, "annual", "2026-01-05", "2026-01-09");
    fields["note"] = json!("Kış tatili");
    write(&a, a.upsert("leaves", annual, fields.clone(), 0)).await;
    let (changes, _) = b.pull_all(0).await;
    let got = changes.iter().find(|c| c.row.id == annual).expect("the leave reached Ankara 2");
    assert_eq!((got.row.table.as_str(), got.row.region.as_str()), ("leaves", "Ankara"));
    for (name, value) in fields.as_object().unwrap() {
        assert_eq!(got.row.fields.get(name), Some(value), "{name}");
    }
    let (elsewhere, _) = izmir.pull_all(0).await;
    assert!(elsewhere.iter().all(|c| c.row.table != "leaves"), "İzmir sees no Ankara leave");

    // Ankara 2, offline, gave her a report over the same week.
    let (code, reason) =
        refused(&h, &b, b.upsert("leaves", id(), leave(ayse, "sick", "2026-01-08", "2026-01-12"), 0)).await;
    assert_eq!(code, Some(RefusalCode::Rule));
    assert_eq!(reason, "first_day: another leave of this person covers these days (05.01.2026–09.01.2026)");

    // January locked: no leave reaches into it, one after it is taken.
    let lock =
        json!({"period": "2026-01", "state": "locked", "by": "yonetici", "at": "2026-02-02T09:00:00Z"});
    write(&a, a.upsert("period_locks", rainstaff_core::schema::period_id("Ankara", "2026-01"), lock, 0))
        .await;
    let (code, reason) =
        refused(&h, &b, b.upsert("leaves", id(), leave(ayse, "unpaid", "2026-01-30", "2026-02-03"), 0)).await;
    assert_eq!(code, Some(RefusalCode::PeriodLocked));
    assert_eq!(
        reason,
        "first_day: falls in a month locked for payroll; an administrator must unlock it first"
    );
    write(&b, b.upsert("leaves", id(), leave(ayse, "unpaid", "2026-02-02", "2026-02-03"), 0)).await;

    // The law's limits and the SGK list, named by their field.
    let bad = [
        (leave(ayse, "marriage", "2026-03-02", "2026-03-07"), "last_day: the law gives 3 days"),
        (
            leave(ayse, "other", "2026-03-02", "2026-03-03"),
            "sgk_code: must be one of the SGK missing-day codes",
        ),
        (
            json!({"employee_id": ayse.to_string(), "kind": "other", "first_day": "2026-03-02",
                "last_day": "2026-03-03", "sgk_code": "14", "entered_by": "memur"}),
            "sgk_code: must be one of the SGK missing-day codes",
        ),
        (leave(ayse, "holiday", "2026-03-02", "2026-03-03"), "kind:"),
    ];
    for (fields, said) in bad {
        let (code, reason) = refused(&h, &b, b.upsert("leaves", id(), fields.clone(), 0)).await;
        assert!(reason.starts_with(said), "{fields}: {code:?} {reason}");
    }
    let other = json!({"employee_id": ayse.to_string(), "kind": "other", "first_day": "2026-03-02",
        "last_day": "2026-03-03", "sgk_code": "13", "entered_by": "memur"});
    write(&b, b.upsert("leaves", id(), other, 0)).await;
    assert_eq!(h.rows(&LEAVES).len(), 3);
}
