//! A scripted day through the real server on 127.0.0.1: two PCs of Ankara, one of İzmir and an
//! administrator's PC edit, merge, conflict and delete; in the evening the change log, every
//! PC's snapshot download and /sync/status all tell the same story.

mod common;

use std::collections::BTreeMap;

use common::{Dev, Harness, employee, id, timesheet};
use rainstaff_core::protocol::{Change, OutcomeStatus, StatusResponse};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The latest (version, deleted) of every row a device sees, keyed by (table, id).
type View = BTreeMap<(String, String), (i64, bool)>;

fn view(changes: &[Change]) -> View {
    changes
        .iter()
        .map(|c| ((c.row.table.clone(), c.row.id.to_string()), (c.row.version, c.row.deleted_at.is_some())))
        .collect()
}

async fn snapshot(h: &Harness, dev: &Dev, name: &str) -> View {
    let response = dev.request(Method::GET, "/sync/download").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let file = h.dir.path().join(format!("{name}.db"));
    std::fs::write(&file, response.bytes().await.unwrap()).unwrap();
    // The download is a SQLite file whatever the store is (it is what a new PC opens), so its
    // contents are read as one.
    let db = rusqlite::Connection::open(&file).unwrap();
    let mut rows = View::new();
    for table in rainstaff_core::schema::TABLES {
        let sql = format!("SELECT id, version, deleted_at IS NOT NULL FROM \"{}\"", table.name);
        let mut stmt = db.prepare(&sql).unwrap();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))).unwrap() {
            let (id, version, deleted) = row.unwrap();
            rows.insert((table.name.to_string(), id), (version, deleted));
        }
    }
    rows
}

#[tokio::test]
async fn pulls_snapshots_and_status_agree_after_a_day_of_edits() {
    let h = Harness::start().await;
    let admin = h.enroll("ALL", "Merkez").await;
    let a1 = h.enroll("Ankara", "Ankara-1").await;
    let a2 = h.enroll("Ankara", "Ankara-2").await;
    let iz = h.enroll("Izmir", "İzmir-1").await;

    // Morning: each office enters its people and shifts.
    let (ayse, mehmet, zeynep) = (id(), id(), id());
    let shift = id();
    a1.push(&[
        a1.upsert("employees", ayse, employee("AYŞE"), 0),
        a1.upsert("employees", mehmet, employee("MEHMET"), 0),
        a1.upsert("timesheets", shift, timesheet(ayse), 0),
    ])
    .await;
    let izmir_shift = id();
    iz.push(&[
        iz.upsert("employees", zeynep, employee("ZEYNEP"), 0),
        iz.upsert("timesheets", izmir_shift, timesheet(zeynep), 0),
    ])
    .await;
    let (morning, _) = a2.pull_all(0).await;
    let seen =
        |row: uuid::Uuid| morning.iter().filter(|c| c.row.id == row).map(|c| c.row.version).max().unwrap();

    // Noon: both Ankara PCs edit AYŞE (different fields: a clean merge) and MEHMET (the same
    // field: a conflict the later arrival wins).
    a2.push(&[a2.upsert("employees", ayse, json!({"title": "Şef"}), seen(ayse))]).await;
    let merged = a1.push(&[a1.upsert("employees", ayse, json!({"department": "Depo"}), seen(ayse))]).await;
    assert_eq!(merged.outcomes[0].status, OutcomeStatus::Merged);
    assert!(merged.outcomes[0].conflicts.is_empty());
    a2.push(&[a2.upsert("employees", mehmet, json!({"title": "Usta"}), seen(mehmet))]).await;
    let clash = a1.push(&[a1.upsert("employees", mehmet, json!({"title": "Çırak"}), seen(mehmet))]).await;
    assert_eq!(clash.outcomes[0].conflicts.len(), 1);

    // Afternoon: İzmir deletes its shift; the administrator adds an Ankara employee.
    iz.push(&[iz.delete("timesheets", izmir_shift, 0)]).await;
    let mut fields = employee("YENİ");
    fields["title"] = json!("Stajyer");
    admin
        .push(&[admin.mutation("employees", id(), "Ankara", rainstaff_core::protocol::Op::Upsert, fields, 0)])
        .await;

    // Evening: everybody pulls; the log, the snapshots and the status agree.
    let (log, head) = admin.pull_all(0).await;
    let everything = view(&log);
    for (dev, name, region) in
        [(&a1, "a1", "Ankara"), (&a2, "a2", "Ankara"), (&iz, "iz", "Izmir"), (&admin, "admin", "ALL")]
    {
        let (changes, cursor) = dev.pull_all(0).await;
        assert_eq!(
            cursor,
            log.iter().filter(|c| region == "ALL" || c.row.region == region).map(|c| c.seq).max().unwrap()
        );
        let pulled = view(&changes);
        let in_scope: View = everything
            .iter()
            .filter(|((_, row), _)| {
                log.iter()
                    .any(|c| c.row.id.to_string() == *row && (region == "ALL" || c.row.region == region))
            })
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        assert_eq!(pulled, in_scope, "{name}: its pull and the change log differ");
        assert_eq!(snapshot(&h, dev, name).await, pulled, "{name}: its snapshot and its pull differ");
    }
    let (status, body) = admin.get("/sync/status").await;
    assert_eq!(status, StatusCode::OK);
    let report: StatusResponse = serde_json::from_value(body).unwrap();
    assert_eq!(report.head_seq, head);
    let mut by_table_region: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    let latest: BTreeMap<_, _> = log.iter().map(|c| ((c.row.table.clone(), c.row.id), &c.row)).collect();
    for row in latest.values() {
        let e = by_table_region.entry((row.table.clone(), row.region.clone())).or_default();
        if row.deleted_at.is_some() { e.1 += 1 } else { e.0 += 1 }
    }
    let from_status: BTreeMap<_, _> =
        report.tables.iter().map(|t| ((t.table.clone(), t.region.clone()), (t.rows, t.deleted))).collect();
    assert_eq!(from_status, by_table_region);
    assert_eq!(by_table_region[&("employees".to_string(), "Ankara".to_string())], (3, 0));
    assert_eq!(by_table_region[&("timesheets".to_string(), "Izmir".to_string())], (0, 1));
    assert!(report.devices.iter().all(|d| d.lag == 0), "{:?}", report.devices);
    let (_, conflicts) = a1.get("/sync/conflicts").await;
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
    assert_eq!(conflicts[0]["field"], "title");
}
