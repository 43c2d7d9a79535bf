//! A PC rejoining a server restored from a backup file brings back what the server lost, and
//! the rules do not stand in its way: the rows were judged before the restore, and the PC sends
//! them in its own order (parents first), not in the order they were written. Restoring a backup
//! file is SQLite's way; a PostgreSQL server is restored with PostgreSQL's tools and `new-epoch`
//! (tests/cli_postgres.rs), so this file runs on SQLite only.

mod common;

use common::{Harness, employee, id, rejoin, shift, timesheet, write};
use rainstaff_core::protocol::{Mutation, OutcomeStatus, RejoinRow};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_rejoin_brings_back_what_the_rules_took_before_the_restore_in_any_order() {
    let mut h = Harness::start().await;
    let a = h.enroll("Ankara", "Ankara PC").await;
    let (ayse, veli) = (id(), id());
    write(&a, a.upsert("employees", ayse, employee("Ayşe"), 0)).await;
    write(&a, a.upsert("employees", veli, employee("Veli"), 0)).await;
    let (day, late, early) = (id(), id(), id());
    write(&a, a.upsert("timesheets", day, timesheet(ayse), 0)).await;
    let l = write(&a, a.upsert("timesheets", late, shift(veli, "2026-01-06", "08:00", "12:00"), 0)).await;
    let backup = h.dir.path().join("backup.db");
    h.server().backup_to(&backup).unwrap();
    // After the backup: Ayşe's shift and Ayşe go; Veli's shift moves to the afternoon, he gets a
    // morning shift in its place, and then he leaves.
    let gone: Vec<Mutation> = vec![
        a.delete("timesheets", day, h.rows(&TIMESHEETS).iter().find(|r| r.id == day).unwrap().version),
        a.delete("employees", ayse, h.rows(&EMPLOYEES).iter().find(|r| r.id == ayse).unwrap().version),
    ];
    assert!(a.push(&gone).await.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied));
    let l =
        write(&a, a.upsert("timesheets", late, json!({"start_time": "13:00", "end_time": "17:00"}), l)).await;
    let e = write(&a, a.upsert("timesheets", early, shift(veli, "2026-01-06", "08:00", "12:00"), 0)).await;
    let veli_now = h.rows(&EMPLOYEES).into_iter().find(|r| r.id == veli).unwrap();
    let v = write(&a, a.upsert("employees", veli, json!({"active": false}), veli_now.version)).await;
    let held = h.rows(&TIMESHEETS).into_iter().chain(h.rows(&EMPLOYEES)).collect::<Vec<_>>();
    h.restore(&backup).await;

    // The PC sends its rows in its own order: a person before their shifts, and the morning
    // shift before the one it replaced has moved out of its way.
    let row = |id: Uuid, old_version: i64| {
        let state = held.iter().find(|r| r.id == id).unwrap();
        RejoinRow {
            table: state.table.clone(),
            row_id: id,
            region: state.region.clone(),
            deleted: state.deleted_at.is_some(),
            fields: if state.deleted_at.is_some() { Default::default() } else { state.fields.clone() },
            old_version,
        }
    };
    let dl = held.iter().find(|r| r.id == day).unwrap().version;
    let al = held.iter().find(|r| r.id == ayse).unwrap().version;
    rejoin(&a, vec![row(ayse, al), row(veli, v), row(day, dl), row(early, e), row(late, l)]).await;
    let live = |table| h.rows(table).into_iter().filter(|r| r.deleted_at.is_none()).count();
    assert_eq!((live(&EMPLOYEES), live(&TIMESHEETS)), (1, 2));
    let veli_after = h.rows(&EMPLOYEES).into_iter().find(|r| r.id == veli).unwrap();
    assert_eq!(veli_after.fields["active"], false);
}
